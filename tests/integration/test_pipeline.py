"""Pipelining, inline commands and mixed requests over one socket."""

import os
import random
import time

from harness import (Conn, ErrorReply, check, encode, eq, info, replies_or_close, send_recv_concurrently, short)


def _replies(c, n, timeout_s=30.0):
    return [c.read(timeout_s) for _ in range(n)]


def test_pipeline_10000_in_one_send(t):
    """10,000 commands written with one sendall(); every reply in order."""
    c = t.conn()
    cmds, want = [], []
    for i in range(10000):
        k = i % 4
        if k == 0:
            cmds.append(encode("SET", "p:%d" % i, "v%d" % i))
            want.append(b"+OK\r\n")
        elif k == 1:
            cmds.append(encode("GET", "p:%d" % (i - 1)))
            v = b"v%d" % (i - 1)
            want.append(b"$%d\r\n%s\r\n" % (len(v), v))
        elif k == 2:
            cmds.append(encode("INCR", "counter"))
            want.append(b":%d\r\n" % (i // 4 + 1))
        else:
            cmds.append(encode("ECHO", "e%d" % i))
            v = b"e%d" % i
            want.append(b"$%d\r\n%s\r\n" % (len(v), v))
    data = b"".join(cmds)
    expected = b"".join(want)
    c.sock.sendall(data)   # one call; the reply stream is read after it
    got = c.read_bytes(len(expected), timeout_s=30)
    if got != expected:
        # find the first differing reply for the message
        pos = 0
        for i, w in enumerate(want):
            if got[pos:pos + len(w)] != w:
                raise AssertionError("reply %d: expected %s, got %s" % (i, short(w), short(got[pos:pos + 60])))
            pos += len(w)
        raise AssertionError("reply stream differs")
    check(not c.pending(), "extra bytes after the 10,000 replies: %s" % short(c.pending()))
    eq(c.cmd("GET", "counter"), b"2500")
    eq(c.cmd("DBSIZE"), 2501)


def test_pipeline_large_concurrent_send(t):
    """50,000 commands (2.5 MB) sent while replies are read: no deadlock, no loss."""
    c = t.conn()
    n = 50000
    data = b"".join(encode("SET", "k%d" % (i % 1000), "x" * 20) for i in range(n))
    out = send_recv_concurrently(c.sock, data, nbytes_expected=5 * n, timeout_s=60)
    eq(len(out), 5 * n, "reply bytes")
    check(out == b"+OK\r\n" * n, "replies differ from %d x +OK" % n)
    eq(c.cmd("DBSIZE"), 1000)


def _mixed_stream(rng, n):
    """n commands mixing multibulk and inline forms; (bytes, expected replies)."""
    chunks, want = [], []
    for i in range(n):
        key = "mix:%d" % (i % 50)
        kind = rng.randrange(6)
        if kind == 0:
            val = os.urandom(rng.randrange(0, 300))
            chunks.append(encode("SET", key, val))
            want.append(("set", key, val))
        elif kind == 1:
            chunks.append(b"PING\r\n")
            want.append(("raw", b"+PONG\r\n"))
        elif kind == 2:
            chunks.append(encode("GET", key))
            want.append(("get", key))
        elif kind == 3:
            word = "w%d" % i
            chunks.append(b'SET %s "%s x"\r\n' % (key.encode(), word.encode()))
            want.append(("set", key, b"%s x" % word.encode()))
        elif kind == 4:
            chunks.append(b"ECHO  'a b'  \r\n")
            want.append(("raw", b"$3\r\na b\r\n"))
        else:
            chunks.append(encode("INCR", "mixcount"))
            want.append(("incr",))
    return b"".join(chunks), want


def _expected_bytes(want):
    store, count, out = {}, 0, []
    for w in want:
        if w[0] == "raw":
            out.append(w[1])
        elif w[0] == "set":
            store[w[1]] = w[2]
            out.append(b"+OK\r\n")
        elif w[0] == "get":
            v = store.get(w[1])
            out.append(b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v))
        else:
            count += 1
            out.append(b":%d\r\n" % count)
    return b"".join(out)


def test_pipeline_random_split_with_sleeps(t):
    """A mixed pipeline cut at random byte boundaries, pieces sent with small
    sleeps: the server must reassemble every request at any split point."""
    seed = int(os.environ.get("TASKKV_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    c = t.conn()
    data, want = _mixed_stream(rng, 1500)
    expected = _expected_bytes(want)
    pos = 0
    pieces = 0
    while pos < len(data):
        step = rng.choice([1, 1, 2, 3, 5, 8, 13, 21, 34, 64, 200, 1000])
        c.send(data[pos:pos + step])
        pos += step
        pieces += 1
        if pieces % 7 == 0:
            time.sleep(rng.choice([0, 0.0005, 0.001, 0.002]))
    got = c.read_bytes(len(expected), timeout_s=30)
    if got != expected:
        i = next(i for i in range(len(expected)) if got[i:i + 1] != expected[i:i + 1])
        raise AssertionError("seed %d: reply stream differs at byte %d: expected %s, got %s"
                             % (seed, i, short(expected[max(0, i - 20):i + 40]), short(got[max(0, i - 20):i + 40])))
    check(not c.is_closed(0.05), "connection closed after the pipeline")
    t.note("seed %d, %d pieces" % (seed, pieces))


def test_byte_at_a_time(t):
    """Every byte of a request in its own packet."""
    c = t.conn()
    req = encode("SET", "slow", "a\r\nb") + b"GET slow\r\n" + encode("GET", "slow")
    for i in range(len(req)):
        c.send(req[i:i + 1])
        if i % 10 == 0:
            time.sleep(0.001)
    eq(c.read(), "OK")
    eq(c.read(), b"a\r\nb")
    eq(c.read(), b"a\r\nb")


def test_inline_commands(t):
    c = t.conn()
    c.send(b"PING\r\n")
    eq(c.read_raw(), b"+PONG\r\n")
    c.send(b"ping\n")                       # bare LF ends an inline line too
    eq(c.read_raw(), b"+PONG\r\n")
    c.send(b'SET greeting "hello world"\r\n')
    eq(c.read_raw(), b"+OK\r\n")
    eq(c.cmd("GET", "greeting"), b"hello world")
    c.send(b"SET q 'it\\'s'\r\n")
    eq(c.read_raw(), b"+OK\r\n")
    eq(c.cmd("GET", "q"), b"it's")
    c.send(b'SET esc "a\\x41\\n\\t\\"z"\r\n')
    eq(c.read_raw(), b"+OK\r\n")
    eq(c.cmd("GET", "esc"), b'aA\n\t"z')
    c.send(b"   SET    spaced    v1   \r\n")
    eq(c.read_raw(), b"+OK\r\n")
    eq(c.cmd("GET", "spaced"), b"v1")
    c.send(b"\r\n\r\n\n")                   # empty lines are ignored
    c.send(b"GET spaced\r\n")
    eq(c.read_raw(), b"$2\r\nv1\r\n")


def test_inline_and_multibulk_mixed_in_one_send(t):
    c = t.conn()
    data = (b"SET a 1\r\n" + encode("INCR", "a") + b"INCR a\r\n" + encode("GET", "a") + b"PING\r\n"
            + b"*-1\r\n" + b"*0\r\n" + encode("ECHO", "x y") + b"ECHO \"x y\"\r\n")
    c.send(data)
    got = [c.read_raw() for _ in range(7)]
    eq(got, [b"+OK\r\n", b":2\r\n", b":3\r\n", b"$1\r\n3\r\n", b"+PONG\r\n", b"$3\r\nx y\r\n", b"$3\r\nx y\r\n"])
    check(not c.is_closed(0.05) and not c.pending(), "unexpected extra reply %r" % c.pending())


def test_inline_matches_redis(t):
    """Inline edge cases, byte for byte against redis-server 7.0.15."""
    ref = t.shared_redis()
    cases = [
        b"PING\r\n",
        b'ECHO "a\\x4"\r\n',
        b'ECHO "\\x41\\x4a"\r\n',
        b"ECHO 'a\\\\b'\r\n",
        b'ECHO "a"b\r\n',
        b"ECHO a\"b c\"\r\n",
        b"ECHO \t tab\r\n",
        b"UNKNOWNCMD x y\r\n",
        b"SET\r\n",
        b"ECHO a\rb\r\n",
    ]
    for case in cases:
        outs = []
        for srv in (t.server, ref):
            c = t.conn(srv)
            c.send(case + b"PING\r\n")
            outs.append(replies_or_close(c, 2))
            c.close()
        eq(outs[0], outs[1], "taskkv vs redis for %r" % case)


def test_large_value_10mb_roundtrip(t):
    c = t.conn(timeout=30)
    val = os.urandom(10 * 1024 * 1024)
    eq(c.cmd("SET", "big", val, timeout_s=30), "OK")
    eq(c.cmd("STRLEN", "big"), len(val))
    got = c.cmd("GET", "big", timeout_s=30)
    check(got == val, "10 MB value differs after the roundtrip (len %d)" % (len(got) if got else -1))
    # the same value sent in small pieces
    req = encode("SET", "big2", val)
    for i in range(0, len(req), 100000):
        c.send(req[i:i + 100000])
    eq(c.read(30), "OK")
    got = c.cmd("GET", "big2", timeout_s=30)
    check(got == val, "10 MB value sent in pieces differs")
    eq(c.cmd("PING"), "PONG")


def test_disconnect_mid_command(t):
    """Clients leaving with half a request or unread replies leave the server healthy."""
    c = t.conn()
    c.send(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100\r\nabc")      # half a bulk
    c.close()
    c = t.conn()
    c.send(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1048576\r\n" + b"z" * 500000)   # half a 1 MB bulk
    c.close()
    c = t.conn()
    c.send(b"*3\r\n$3\r\nSET\r\n$4\r\nhal")                         # half a header
    c.close()
    c = t.conn()
    c.send(b"SET half \"unterminated")                             # half an inline line
    c.close()
    # a client that asks for lots of output and leaves without reading it
    ok = t.conn()
    eq(ok.cmd("SET", "blob", b"y" * 100000), "OK")
    c = t.conn()
    c.send(encode("GET", "blob") * 2000)
    time.sleep(0.05)
    c.close()
    time.sleep(0.1)
    eq(ok.cmd("PING"), "PONG")
    eq(ok.cmd("EXISTS", "half"), 0)
    eq(ok.cmd("STRLEN", "blob"), 100000)


def test_connect_disconnect_200_cycles(t):
    base = t.conn()
    before = int(info(base, "stats")["total_connections_received"])
    for i in range(200):
        c = t.track(Conn(port=t.server.port))
        if i % 3 == 0:
            eq(c.cmd("PING"), "PONG")
        elif i % 3 == 1:
            c.send(b"SET cyc %d\r\n" % i)     # leave without reading the reply
        c.close()
    deadline = time.time() + 5
    while True:
        st = info(base, "clients")
        if st["connected_clients"] == "1" or time.time() > deadline:
            break
        time.sleep(0.02)
    eq(st["connected_clients"], "1", "connected_clients after 200 cycles")
    after = int(info(base, "stats")["total_connections_received"])
    check(after - before >= 200, "total_connections_received grew by %d, expected >= 200" % (after - before))
    eq(base.cmd("PING"), "PONG")


def test_quit_closes_after_reply(t):
    c = t.conn()
    c.send(encode("QUIT") + encode("PING"))
    data, closed = c.read_until_eof(3)
    eq(data, b"+OK\r\n")
    check(closed, "QUIT did not close the connection")


def test_error_reply_keeps_connection(t):
    c = t.conn()
    r = c.cmd("NOSUCHCOMMAND", "a")
    check(isinstance(r, ErrorReply) and r.startswith("ERR unknown command"), "got %r" % (r,))
    eq(c.cmd("PING"), "PONG")
