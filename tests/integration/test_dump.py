"""DUMP and RESTORE over real sockets (issue 7), in taskkv's own payload
format (docs/DUMP-FORMAT.md), which this file re-implements from the page
(CRC-64/XZ and the frame) to build payloads by hand.

- every key of every type and encoding (test_persistence.populate) dumped
  and restored under another name, into another database and onto itself
  with REPLACE: same DEBUG DIGEST-VALUE, TYPE and OBJECT ENCODING;
- the payload's bytes are what the page says, and hand-made payloads of
  every type restore;
- foreign payloads: Redis 7.0.15's DUMP bytes are refused by taskkv, and
  taskkv's by redis-server, both with "ERR DUMP payload version or checksum
  are wrong"; valid frames around bad values get "ERR Bad data format";
- damage: every truncation and byte change of a payload is refused without
  creating the key; the same changes behind a recomputed checksum are
  refused as bad data or restore a value that dumps and restores again;
- TTL (relative, ABSTTL, in the past), IDLETIME / FREQ seen through OBJECT;
- the journal holds RESTORE with an absolute deadline and ABSTTL, and a
  restart after SIGKILL replays it to the same keys, deadlines and digests.
"""

import time

from harness import ErrorReply, check, eq, fresh_server, timeout
from test_journal import crash_restart, journal_rows
from test_persistence import populate

DEBUG_ON = ("--enable-debug-command", "yes")
FRAME_ERR = "ERR DUMP payload version or checksum are wrong"
DATA_ERR = "ERR Bad data format"


# ---------------------------------------------------------------------------
# the format, from docs/DUMP-FORMAT.md

def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xC96C5795D7870F42 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc64(data):
    c = 0xFFFFFFFFFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFFFFFFFFFF


def frame(type_byte, value, hint=0):
    body = bytes([ord(type_byte), hint]) + value + b"\x01tk"
    return body + crc64(body).to_bytes(8, "little")


def unframe(p):
    """(type byte, hint, value) of a payload."""
    return p[0:1].decode("latin-1"), p[1], p[2:-11]


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def strs(*items):
    return b"".join(varint(len(s)) + s for s in items)


# ---------------------------------------------------------------------------

def key_state(c, k):
    return (c.cmd("TYPE", k), c.cmd("OBJECT", "ENCODING", k), c.cmd("DEBUG", "DIGEST-VALUE", k))


@fresh_server(*DEBUG_ON)
@timeout(120)
def test_roundtrip_every_type_and_encoding(t):
    c = t.conn()
    populate(c)
    n = 0
    for db in (0, 5):
        eq(c.cmd("SELECT", db), "OK")
        for k in sorted(c.cmd("KEYS", "*")):
            want = key_state(c, k)
            p = c.cmd("DUMP", k)
            check(isinstance(p, bytes) and not isinstance(p, ErrorReply), "DUMP %r: %r" % (k, p))
            eq(c.cmd("RESTORE", b"copy:" + k, 0, p), "OK", "RESTORE copy of %r" % k)
            eq(key_state(c, b"copy:" + k), want, "copy of %r (db %d)" % (k, db))
            eq(c.cmd("PTTL", b"copy:" + k), -1)
            eq(c.cmd("RESTORE", k, 0, p), ErrorReply("BUSYKEY Target key name already exists."))
            eq(c.cmd("RESTORE", k, 0, p, "REPLACE"), "OK")
            eq(key_state(c, k), want, "%r restored onto itself" % k)
            eq(c.cmd("SELECT", 9), "OK")
            eq(c.cmd("RESTORE", b"%d:" % db + k, 0, p), "OK")
            eq(key_state(c, b"%d:" % db + k), want, "%r restored in db 9" % k)
            eq(c.cmd("SELECT", db), "OK")
            n += 1
    check(n >= 20, "only %d keys" % n)
    eq(c.cmd("SELECT", 9), "OK")
    eq(c.cmd("DBSIZE"), n)


@fresh_server(*DEBUG_ON)
def test_payload_bytes_as_documented(t):
    c = t.conn()
    eq(c.cmd("SET", "s", "hello"), "OK")
    eq(c.cmd("DUMP", "s"), frame("$", b"hello"))
    eq(c.cmd("SET", "i", "-42"), "OK")
    eq(c.cmd("DUMP", "i"), frame("$", b"-42"))
    eq(c.cmd("RPUSH", "l", "a", "bc"), 2)
    eq(c.cmd("DUMP", "l"), frame("l", b"\x01l\x02" + strs(b"a", b"bc")))
    eq(c.cmd("HSET", "h", "f", "v"), 1)
    eq(c.cmd("DUMP", "h"), frame("h", b"\x01h\x01" + strs(b"f", b"v"), hint=1))
    eq(c.cmd("ZADD", "z", "1", "m", "-inf", "n"), 2)
    eq(c.cmd("DUMP", "z"), frame("z", b"\x01z\x02" + strs(b"n", b"-inf", b"m", b"1"), hint=1))
    eq(c.cmd("SADD", "set", "7"), 1)
    eq(c.cmd("DUMP", "set"), frame("s", b"\x01s\x01" + strs(b"7")))
    # hand-made payloads restore
    eq(c.cmd("RESTORE", "hs", 0, frame("$", b"\x00bin")), "OK")
    eq(c.cmd("GET", "hs"), b"\x00bin")
    eq(c.cmd("RESTORE", "hl", 0, frame("l", b"\x01l\x03" + strs(b"x", b"", b"z"))), "OK")
    eq(c.cmd("LRANGE", "hl", 0, -1), [b"x", b"", b"z"])
    eq(c.cmd("RESTORE", "hz", 0, frame("z", b"\x01z\x02" + strs(b"b", b"2.5", b"a", b"1e3"))), "OK")
    eq(c.cmd("ZRANGE", "hz", 0, -1, "WITHSCORES"), [b"b", b"2.5", b"a", b"1000"])
    eq(c.cmd("RESTORE", "hh", 0, frame("h", b"\x01h\x02" + strs(b"f", b"1", b"g", b"2"))), "OK")
    eq(c.cmd("HGETALL", "hh"), [b"f", b"1", b"g", b"2"])
    eq(c.cmd("OBJECT", "ENCODING", "hh"), b"listpack")
    eq(c.cmd("RESTORE", "hset", 0, frame("s", b"\x01s\x02" + strs(b"1", b"2"))), "OK")
    eq(c.cmd("OBJECT", "ENCODING", "hset"), b"intset")


@fresh_server(*DEBUG_ON)
def test_bad_data_format(t):
    c = t.conn()
    bad = [
        frame("?", b"v"),                                           # unknown type
        frame("$", b"v", hint=1),                                   # a hint a string cannot have
        frame("$", b"v", hint=7),
        frame("l", b""),                                            # no header
        frame("l", b"\x02l\x01" + strs(b"a")),                      # codec version 2
        frame("l", b"\x01h\x01" + strs(b"a", b"b")),                # a hash's header in a list
        frame("l", b"\x01l\x05" + strs(b"a")),                      # count past the end
        frame("l", b"\x01l\x00"),                                   # empty collection
        frame("l", b"\x01l\x01" + strs(b"a") + b"x"),               # stray byte
        frame("l", b"\x01l\x01\x05ab"),                             # element past the end
        frame("h", b"\x01h\x02" + strs(b"f", b"1", b"f", b"2")),    # duplicate field
        frame("s", b"\x01s\x02" + strs(b"a", b"a")),                # duplicate member
        frame("z", b"\x01z\x01" + strs(b"m", b"nan")),              # NaN score
        frame("z", b"\x01z\x01" + strs(b"m", b"1x")),               # not a number
        frame("z", b"\x01z\x02" + strs(b"m", b"1", b"m", b"2")),    # duplicate member
        frame("x", b"\x01x\x01" + b"\x00" * 6),                     # a stream cut short
        frame("x", b"\x01x\xff\xff\xff\xff\x0f" + b"\x00" * 20),    # huge node count
    ]
    for i, p in enumerate(bad):
        eq(c.cmd("RESTORE", "k", 0, p), ErrorReply(DATA_ERR), "bad payload #%d %r" % (i, p))
        eq(c.cmd("RESTORE", "k", 0, p, "REPLACE"), ErrorReply(DATA_ERR))
    eq(c.cmd("EXISTS", "k"), 0)
    # an existing key is left alone by a refused REPLACE
    eq(c.cmd("SET", "k", "keep"), "OK")
    eq(c.cmd("RESTORE", "k", 0, bad[0], "REPLACE"), ErrorReply(DATA_ERR))
    eq(c.cmd("GET", "k"), b"keep")


def test_foreign_payloads_refused_both_ways(t):
    r = t.conn(t.shared_redis())
    c = t.conn()
    for cmd in (("SET", "k", "v"), ("SET", "n", "123"), ("RPUSH", "l", "a", "b"), ("SADD", "s", "1", "x"),
                ("HSET", "h", "f", "v"), ("ZADD", "z", "1", "m"), ("XADD", "x", "1-1", "f", "v")):
        for conn in (r, c):
            conn.cmd(*cmd)
        key = cmd[1]
        rp, cp = r.cmd("DUMP", key), c.cmd("DUMP", key)
        check(isinstance(rp, bytes) and isinstance(cp, bytes), "DUMP %s: %r / %r" % (key, rp, cp))
        check(rp != cp, "same payload bytes from redis and taskkv for %s" % key)
        eq(c.cmd("RESTORE", "from-redis", 0, rp), ErrorReply(FRAME_ERR), "redis' %s payload on taskkv" % key)
        eq(r.cmd("RESTORE", "from-taskkv", 0, cp), ErrorReply(FRAME_ERR), "taskkv's %s payload on redis" % key)
        # and each server takes its own
        eq(c.cmd("RESTORE", "own", 0, cp, "REPLACE"), "OK")
        eq(r.cmd("RESTORE", "own", 0, rp, "REPLACE"), "OK")
    eq(c.cmd("EXISTS", "from-redis"), 0)
    # Redis 7.0.15's DUMP of "v", as bytes
    eq(c.cmd("RESTORE", "k2", 0, b"\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce"), ErrorReply(FRAME_ERR))


@fresh_server(*DEBUG_ON)
@timeout(300)
def test_damaged_payloads(t):
    c = t.conn()
    eq(c.cmd("RPUSH", "l", "a", "", b"\x00\xff", "12"), 4)
    eq(c.cmd("ZADD", "z", "-inf", "a", "1.5", "b", "inf", "c"), 3)
    eq(c.cmd("HSET", "h", "f", "v", "g", "w"), 2)
    eq(c.cmd("XADD", "x", "1-1", "f", "v"), b"1-1")
    eq(c.cmd("XADD", "x", "2-1", "f", "w", "g", "y"), b"2-1")
    eq(c.cmd("XDEL", "x", "1-1"), 1)
    refused = restored = 0
    for key in ("l", "z", "h", "x"):
        p = c.cmd("DUMP", key)
        for n in range(len(p)):
            eq(c.cmd("RESTORE", "d", 0, p[:n]), ErrorReply(FRAME_ERR), "%s payload cut to %d bytes" % (key, n))
        for i in range(len(p)):
            for mask in (0x01, 0x80, 0xFF):
                q = bytearray(p)
                q[i] ^= mask
                eq(c.cmd("RESTORE", "d", 0, bytes(q)), ErrorReply(FRAME_ERR))
        eq(c.cmd("EXISTS", "d"), 0)
        # the same damage behind a valid checksum reaches the value decoder
        tb, hint, value = unframe(p)
        for i in range(len(value)):
            for mask in (0x01, 0x02, 0x40, 0x80, 0xFF):
                v = bytearray(value)
                v[i] ^= mask
                r = c.cmd("RESTORE", "d", 0, frame(tb, bytes(v), hint))
                if r == "OK":
                    restored += 1
                    again = c.cmd("DUMP", "d")
                    eq(c.cmd("RESTORE", "d2", 0, again), "OK")
                    eq(c.cmd("DEBUG", "DIGEST-VALUE", "d2"), c.cmd("DEBUG", "DIGEST-VALUE", "d"))
                    eq(c.cmd("DEL", "d", "d2"), 2)
                else:
                    refused += 1
                    eq(r, ErrorReply(DATA_ERR))
        for n in range(len(value)):
            eq(c.cmd("RESTORE", "d", 0, frame(tb, value[:n], hint)), ErrorReply(DATA_ERR))
    check(refused > 0 and restored > 0, "refused %d, restored %d" % (refused, restored))
    eq(c.cmd("PING"), "PONG")


def test_ttl_idletime_freq(t):
    c = t.conn()
    eq(c.cmd("SET", "s", "v"), "OK")
    p = c.cmd("DUMP", "s")
    eq(c.cmd("RESTORE", "t1", 5000, p), "OK")
    pttl = c.cmd("PTTL", "t1")
    check(4000 < pttl <= 5000, "PTTL %r" % pttl)
    when = int(time.time() * 1000) + 3600 * 1000
    eq(c.cmd("RESTORE", "t2", when, p, "ABSTTL"), "OK")
    eq(c.cmd("PEXPIRETIME", "t2"), when)
    eq(c.cmd("RESTORE", "t3", int(time.time() * 1000) - 1000, p, "ABSTTL"), "OK")
    eq(c.cmd("EXISTS", "t3"), 0)
    eq(c.cmd("RESTORE", "t2", 1, p, "ABSTTL", "REPLACE"), "OK")
    eq(c.cmd("EXISTS", "t2"), 0)
    eq(c.cmd("RESTORE", "t4", 200, p), "OK")
    time.sleep(0.4)
    eq(c.cmd("EXISTS", "t4"), 0)
    eq(c.cmd("RESTORE", "i", 0, p, "IDLETIME", 3600), "OK")
    idle = c.cmd("OBJECT", "IDLETIME", "i")
    check(3600 <= idle <= 3601, "OBJECT IDLETIME %r" % idle)
    eq(c.cmd("GET", "i"), b"v")   # an access resets it
    check(c.cmd("OBJECT", "IDLETIME", "i") <= 1, "idle after GET")
    eq(c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), "OK")
    try:
        eq(c.cmd("RESTORE", "f", 0, p, "FREQ", 42), "OK")
        check(c.cmd("OBJECT", "FREQ", "f") in (41, 42), "OBJECT FREQ")
        eq(c.cmd("RESTORE", "f0", 0, p, "FREQ", 0), "OK")
        eq(c.cmd("OBJECT", "FREQ", "f0"), 0)
    finally:
        eq(c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction"), "OK")


@fresh_server(*DEBUG_ON, "--appendonly", "yes")
@timeout(60)
def test_journal_replays_restore(t):
    s = t.server
    c = t.conn()
    eq(c.cmd("RPUSH", "l", "a", "b", "c"), 3)
    eq(c.cmd("HSET", "h", "f", "v"), 1)
    eq(c.cmd("SET", "gone", "x"), "OK")
    p = c.cmd("DUMP", "l")
    eq(c.cmd("RESTORE", "rel", 100000, p, "IDLETIME", 5), "OK")
    eq(c.cmd("RESTORE", "abs", 4102444800000, c.cmd("DUMP", "h"), "ABSTTL"), "OK")
    eq(c.cmd("RESTORE", "l", 0, c.cmd("DUMP", "h"), "REPLACE"), "OK")
    eq(c.cmd("RESTORE", "gone", 1, p, "ABSTTL", "REPLACE"), "OK")
    eq(c.cmd("RESTORE", "never", 1, p, "ABSTTL"), "OK")
    eq(c.cmd("SELECT", 3), "OK")
    eq(c.cmd("RESTORE", "db3", 0, p), "OK")
    eq(c.cmd("SELECT", 0), "OK")
    before = {k: (c.cmd("PEXPIRETIME", k), c.cmd("DEBUG", "DIGEST-VALUE", k)) for k in ("rel", "abs", "l", "h")}
    digest = c.cmd("DEBUG", "DIGEST")
    rel_when = before["rel"][0]
    check(rel_when > 0, "rel has a deadline")
    rows = [r for r in journal_rows(s) if r[2][0].upper() in (b"RESTORE", b"DEL")]
    cmds = [(r[1], [r[2][0].upper()] + list(r[2][1:])) for r in rows]
    eq(cmds[0][1][:3], [b"RESTORE", b"rel", str(rel_when).encode()], "relative TTL journaled as absolute")
    eq(cmds[0][1][4:], [b"IDLETIME", b"5", b"ABSTTL"])
    eq(cmds[1][1][:3], [b"RESTORE", b"abs", b"4102444800000"])
    eq([x for x in cmds if x[1][0] == b"DEL"], [(0, [b"DEL", b"gone"])])
    check(not any(x[1][1:2] == [b"never"] for x in cmds), "a RESTORE that created nothing was journaled")
    eq(cmds[-1][0], 3)
    crash_restart(s)
    c = t.conn()
    eq(c.cmd("DEBUG", "DIGEST"), digest)
    for k, v in before.items():
        eq((c.cmd("PEXPIRETIME", k), c.cmd("DEBUG", "DIGEST-VALUE", k)), v, "%s after the replay" % k)
    eq(c.cmd("EXISTS", "gone", "never"), 0)
    eq(c.cmd("SELECT", 3), "OK")
    eq(c.cmd("LRANGE", "db3", 0, -1), [b"a", b"b", b"c"])
