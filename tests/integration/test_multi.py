"""Transactions over real sockets: MULTI / EXEC / DISCARD / WATCH / UNWATCH
with Redis 7.0's rules, WATCH broken (or not) by other connections, by
active expiry and by flushes, commandstats and error counting of queued
commands, and clients that close or vanish while in MULTI or while
WATCHing (nothing left behind, the server keeps serving).

Deterministic scenarios run on taskkv and on a real redis-server 7.0.15 and
must produce the same transcript.
"""

import socket
import time

from harness import check, encode, eq, info


def both(t, scenario):
    """Runs scenario(new_conn, admin) on taskkv and on redis-server; the
    transcripts must be equal. Returns taskkv's."""
    out = []
    for server in (t.server, t.shared_redis()):
        admin = t.conn(server)
        admin.cmd("FLUSHALL")
        admin.cmd("CONFIG", "RESETSTAT")
        out.append(scenario(lambda: t.conn(server), admin))
    eq(out[0], out[1], "taskkv vs redis-server transcript")
    return out[0]


def commandstats(admin, *names):
    """{name: (calls, rejected_calls, failed_calls)} for the names asked."""
    text = admin.cmd("INFO", "commandstats").decode()
    out = {}
    for line in text.split("\r\n"):
        if not line.startswith("cmdstat_"):
            continue
        name, _, rest = line[len("cmdstat_"):].partition(":")
        if name not in names:
            continue
        f = dict(kv.split("=") for kv in rest.split(","))
        out[name] = (int(f["calls"]), int(f["rejected_calls"]), int(f["failed_calls"]))
    return out


def client_field(admin, cid, field):
    for line in admin.cmd("CLIENT", "LIST").decode().splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split(" ") if "=" in kv)
        if fields.get("id") == str(cid):
            return fields.get(field)
    return None


def wait_clients(admin, n, timeout_s=3.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if int(info(admin, "clients")["connected_clients"]) == n:
            return
        time.sleep(0.01)
    raise AssertionError("connected_clients never reached %d" % n)


# ---------------------------------------------------------------------------
# Transcripts
# ---------------------------------------------------------------------------

def test_queue_exec_discard(t):
    def run(new, admin):
        c = new()
        return [c.cmd("MULTI"), c.cmd("SET", "k", "v"), c.cmd("INCR", "n"), c.cmd("GET", "k"),
                admin.cmd("EXISTS", "k"), c.cmd_raw("EXEC"), c.cmd("MULTI"), c.cmd("SET", "k", "w"),
                c.cmd("DISCARD"), c.cmd("GET", "k"), c.cmd("EXEC"), c.cmd("DISCARD"), c.cmd("MULTI"),
                c.cmd_raw("EXEC")]
    got = both(t, run)
    eq(got[5], b"*3\r\n+OK\r\n:1\r\n$1\r\nv\r\n")


def test_errors_while_queueing(t):
    def run(new, admin):
        c = new()
        out = [c.cmd("MULTI"), c.cmd("SET", "k", "v"), c.cmd("NOSUCH", "a"), c.cmd("GET"),
               c.cmd("MULTI"), c.cmd("WATCH", "k"), c.cmd("EXEC"), admin.cmd("EXISTS", "k")]
        # Nested MULTI and WATCH inside MULTI alone do not abort.
        out += [c.cmd("MULTI"), c.cmd("MULTI"), c.cmd("WATCH", "k"), c.cmd("SET", "k", "v"), c.cmd("EXEC")]
        # Subcommand errors and refused commands abort.
        out += [c.cmd("MULTI"), c.cmd("CONFIG", "NOPE"), c.cmd("EXEC")]
        out += [c.cmd("MULTI"), c.cmd("SHUTDOWN"), c.cmd("EXEC")]
        out += [c.cmd("MULTI"), c.cmd("SUBSCRIBE"), c.cmd("EXEC")]
        return out
    got = both(t, run)
    eq(got[6], "EXECABORT Transaction discarded because of previous errors.")
    eq(got[7], 0)
    eq(got[12], ["OK"])


def test_runtime_errors_inside_exec(t):
    def run(new, admin):
        c = new()
        admin.cmd("SET", "s", "abc")
        return [c.cmd("MULTI"), c.cmd("INCR", "s"), c.cmd("SET", "k", "v", "BOGUS"), c.cmd("LPUSH", "s", "x"),
                c.cmd("SET", "k", "v"), c.cmd("EXPIRE", "k", "abc"), c.cmd("GET", "k"), c.cmd_raw("EXEC")]
    both(t, run)


def test_blocking_commands_inside_multi(t):
    def run(new, admin):
        c = new()
        start = time.time()
        out = [c.cmd("MULTI"), c.cmd("BLPOP", "q", "0"), c.cmd("BRPOPLPUSH", "q", "d", "0"),
               c.cmd("BZPOPMAX", "z", "0"), c.cmd("BLMPOP", "0", "1", "q", "LEFT"), c.cmd_raw("EXEC")]
        out.append(time.time() - start < 1)
        c.cmd("MULTI")
        admin.cmd("RPUSH", "q", "x")
        c.cmd("BLPOP", "q", "0")
        out.append(c.cmd("EXEC"))
        return out
    both(t, run)


def test_resp3_transaction(t):
    def run(new, admin):
        c = new()
        c.cmd("HELLO", "3")
        out = [c.cmd_raw("MULTI"), c.cmd_raw("HSET", "h", "f", "v"), c.cmd_raw("HGETALL", "h"),
               c.cmd_raw("GET", "nokey"), c.cmd_raw("EXEC")]
        c.cmd("WATCH", "h")
        admin.cmd("HSET", "h", "f", "w")
        c.cmd("MULTI")
        out.append(c.cmd_raw("EXEC"))
        return out
    got = both(t, run)
    eq(got[-1], b"_\r\n")


def test_reset_and_client_list_inside_multi(t):
    def run(new, admin):
        c = new()
        cid = c.cmd("CLIENT", "ID")
        out = [client_field(admin, cid, "multi"), c.cmd("MULTI"), c.cmd("SET", "a", "1"), c.cmd("SET", "b", "2"),
               client_field(admin, cid, "multi"), client_field(admin, cid, "flags"), c.cmd("RESET"),
               client_field(admin, cid, "multi"), c.cmd("EXEC"), admin.cmd("EXISTS", "a", "b")]
        return out
    got = both(t, run)
    eq(got[4], "2")


# ---------------------------------------------------------------------------
# WATCH
# ---------------------------------------------------------------------------

def watch_then(c, key, act):
    c.cmd("WATCH", key)
    act()
    c.cmd("MULTI")
    c.cmd("INCR", "tx-ran")
    return c.cmd("EXEC")


def test_watch_broken_by_other_connections(t):
    def run(new, admin):
        c, o = new(), new()
        admin.cmd("SET", "k", "1")
        out = [watch_then(c, "k", lambda: o.cmd("SET", "k", "1")),
               watch_then(c, "k", lambda: o.cmd("GET", "k")),
               watch_then(c, "k", lambda: o.cmd("INCR", "k")),
               watch_then(c, "k", lambda: o.cmd("SET", "k", "x", "NX")),
               watch_then(c, "k", lambda: o.cmd("DEL", "k")),
               watch_then(c, "k", lambda: o.cmd("DEL", "k")),
               watch_then(c, "k", lambda: o.cmd("RPUSH", "k", "a")),
               watch_then(c, "k", lambda: o.cmd("RENAME", "k", "k2")),
               watch_then(c, "k", lambda: o.cmd("RENAME", "k2", "k")),
               watch_then(c, "k", lambda: o.cmd("FLUSHDB")),
               watch_then(c, "k", lambda: o.cmd("FLUSHALL"))]
        admin.cmd("SET", "k", "1")
        out.append(watch_then(c, "k", lambda: (o.cmd("SELECT", "1"), o.cmd("SET", "k", "1"))))
        out.append(watch_then(c, "k", lambda: o.cmd("SWAPDB", "0", "1")))
        out.append(watch_then(c, "k", lambda: o.cmd("SWAPDB", "0", "1")))
        out.append(watch_then(c, "k", lambda: o.cmd("SWAPDB", "2", "3")))
        out.append(admin.cmd("GET", "tx-ran"))
        return out
    both(t, run)


def test_watch_and_active_expiry(t):
    """A watched key with PX 100 that nobody touches: 300 ms later EXEC
    fails. A key without TTL: EXEC runs."""
    def run(new, admin):
        c = new()
        admin.cmd("SET", "ttl", "v", "PX", "100")
        admin.cmd("SET", "nottl", "v")
        c.cmd("WATCH", "ttl")
        time.sleep(0.3)
        out = [c.cmd("MULTI"), c.cmd("SET", "x", "1"), c.cmd("EXEC"), admin.cmd("EXISTS", "ttl", "x")]
        c.cmd("WATCH", "nottl")
        time.sleep(0.3)
        out += [c.cmd("MULTI"), c.cmd("SET", "x", "1"), c.cmd("EXEC")]
        # Expired before WATCH: gone all along, its deletion changes nothing.
        admin.cmd("SET", "old", "v", "PX", "10")
        time.sleep(0.05)
        c.cmd("WATCH", "old")
        time.sleep(0.2)
        out += [c.cmd("MULTI"), c.cmd("SET", "y", "1"), c.cmd("EXEC")]
        return out
    got = both(t, run)
    eq(got[2], None)
    eq(got[6], ["OK"])
    eq(got[9], ["OK"])


def test_watch_own_write_and_unwatch(t):
    def run(new, admin):
        c = new()
        out = [c.cmd("WATCH", "k"), c.cmd("SET", "k", "mine"), c.cmd("MULTI"), c.cmd("EXEC"),
               c.cmd("WATCH", "k"), c.cmd("SET", "k", "again"), c.cmd("UNWATCH"), c.cmd("MULTI"), c.cmd("EXEC"),
               c.cmd("WATCH", "a", "b", "c"), admin.cmd("SET", "c", "1"), c.cmd("MULTI"), c.cmd("EXEC"),
               c.cmd("WATCH", "a"), c.cmd("MULTI"), c.cmd("SET", "a", "inside"), c.cmd("EXEC"),
               admin.cmd("SET", "a", "after"), c.cmd("MULTI"), c.cmd("EXEC")]
        return out
    both(t, run)


def test_watch_many_clients_one_key(t):
    def run(new, admin):
        cs = [new() for _ in range(20)]
        for c in cs:
            c.cmd("WATCH", "counter")
            c.cmd("MULTI")
            c.cmd("INCR", "counter")
        return [c.cmd("EXEC") for c in cs] + [admin.cmd("GET", "counter")]
    got = both(t, run)
    eq(got[0], [1])
    eq(got[1:20], [None] * 19)


# ---------------------------------------------------------------------------
# Accounting
# ---------------------------------------------------------------------------

def test_commandstats_of_queued_commands(t):
    def run(new, admin):
        c = new()
        admin.cmd("SET", "s", "abc")
        admin.cmd("CONFIG", "RESETSTAT")
        c.cmd("MULTI")
        c.cmd("SET", "a", "1")
        c.cmd("INCR", "s")
        c.cmd("LPUSH", "s", "x")
        mid = commandstats(admin, "set", "incr", "lpush", "multi", "exec")
        c.cmd("EXEC")
        after = commandstats(admin, "set", "incr", "lpush", "multi", "exec")
        c.cmd("MULTI")
        c.cmd("GET")
        c.cmd("SET", "a", "2")
        c.cmd("EXEC")
        aborted = commandstats(admin, "get", "set", "exec")
        st = info(admin, "stats")
        errs = admin.cmd("INFO", "errorstats").decode().split("\r\n")[1:]
        return mid, after, aborted, st["total_error_replies"], sorted(e for e in errs if e)
    got = both(t, run)
    eq(got[1]["exec"], (1, 0, 0))


# ---------------------------------------------------------------------------
# Clients that go away
# ---------------------------------------------------------------------------

def test_close_in_multi_with_queued_commands(t):
    admin = t.conn()
    base = int(info(admin, "clients")["connected_clients"])
    c = t.conn()
    c.cmd("WATCH", "w1", "w2")
    c.cmd("MULTI")
    for i in range(100):
        eq(c.cmd("SET", "q%d" % i, "x" * 1000), "QUEUED")
    c.close()
    wait_clients(admin, base)
    eq(admin.cmd("DBSIZE"), 0)
    admin.cmd("SET", "w1", "1")          # a change to keys the closed client watched
    admin.cmd("DEL", "w2", "w1")
    eq(admin.cmd("PING"), "PONG")


def test_close_while_watching(t):
    admin = t.conn()
    base = int(info(admin, "clients")["connected_clients"])
    watchers = [t.conn() for _ in range(30)]
    for i, w in enumerate(watchers):
        w.cmd("WATCH", "shared", "own%d" % i)
    survivor = t.conn()
    survivor.cmd("WATCH", "shared")
    for w in watchers:
        w.close()
    wait_clients(admin, base + 1)
    admin.cmd("SET", "shared", "1")
    admin.cmd("FLUSHALL")
    admin.cmd("SWAPDB", "0", "1")
    survivor.cmd("MULTI")
    eq(survivor.cmd("EXEC"), None)
    survivor.cmd("MULTI")
    eq(survivor.cmd("EXEC"), [])


def test_vanish_mid_command_inside_multi(t):
    admin = t.conn()
    base = int(info(admin, "clients")["connected_clients"])
    # Half a command after two queued ones.
    c = t.conn()
    c.cmd("WATCH", "k")
    c.cmd("MULTI")
    c.cmd("SET", "a", "1")
    c.cmd("SET", "b", "2")
    c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$100\r\nonly-part")
    time.sleep(0.05)
    c.close()
    # A big bulk announced, a little of it sent, then a reset connection.
    d = t.conn()
    d.cmd("MULTI")
    d.send(b"*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$10000000\r\n" + b"x" * 100000)
    time.sleep(0.05)
    d.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    d.close()
    # A whole EXEC pipelined, the connection closed before reading.
    e = t.conn()
    e.send(encode("MULTI") + encode("SET", "e", "1") + encode("EXEC"))
    e.close()
    wait_clients(admin, base)
    eq(admin.cmd("EXISTS", "a", "b", "c", "d"), 0)
    deadline = time.time() + 2
    while admin.cmd("EXISTS", "e") != 1 and time.time() < deadline:
        time.sleep(0.01)
    eq(admin.cmd("GET", "e"), b"1")      # the EXEC ran though nobody read its reply
    admin.cmd("SET", "k", "changed")
    eq(admin.cmd("PING"), "PONG")


def test_many_transactions_interleaved(t):
    """Clients in MULTI at the same time, queueing alternately."""
    admin = t.conn()
    cs = [t.conn() for _ in range(10)]
    for c in cs:
        c.cmd("MULTI")
    for i in range(20):
        for j, c in enumerate(cs):
            eq(c.cmd("RPUSH", "l%d" % j, str(i)), "QUEUED")
    check(admin.cmd("EXISTS", *["l%d" % j for j in range(10)]) == 0, "a queue ran before EXEC")
    for j, c in enumerate(cs):
        eq(c.cmd("EXEC"), list(range(1, 21)))
    eq(admin.cmd("LRANGE", "l7", "0", "-1"), [str(i).encode() for i in range(20)])
