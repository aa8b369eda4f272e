"""Protocol errors, answered byte for byte as redis-server 7.0.15 answers them
(checked against a real redis-server started by the run), and the
connection closed afterwards."""

from harness import Conn, check, eq, short

# name, request bytes
CASES = [
    ("multibulk count not a number", b"*abc\r\n"),
    ("empty multibulk count", b"*\r\n"),
    ("multibulk count with leading zero", b"*01\r\n"),
    ("multibulk count with plus sign", b"*+1\r\n"),
    ("multibulk count with trailing space", b"*1 \r\n"),
    ("multibulk count over INT_MAX", b"*2147483648\r\n"),
    ("multibulk count 3e9", b"*3000000000\r\n"),
    ("multibulk count 2^30+1 then a non-bulk line", b"*1073741825\r\nPING\r\n"),
    ("multibulk count INT_MAX then a non-bulk line", b"*2147483647\r\nPING\r\n"),
    ("negative bulk length", b"*1\r\n$-5\r\n"),
    ("bulk length not a number", b"*1\r\n$1x\r\n"),
    ("bulk length with leading zero", b"*1\r\n$01\r\na\r\n"),
    ("bulk length over proto-max-bulk-len", b"*1\r\n$536870913\r\n"),
    ("bulk length -0", b"*1\r\n$-0\r\n"),
    ("simple string instead of bulk", b"*1\r\n+foo\r\n"),
    ("integer instead of bulk", b"*2\r\n$4\r\nECHO\r\n:1\r\n"),
    ("empty line instead of bulk", b"*1\r\n\r\n"),
    ("garbage after a complete bulk", b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
    ("unbalanced double quote", b'SET a "b\r\n'),
    ("unbalanced single quote", b"SET a 'b\r\n"),
    ("closing quote followed by a letter", b'ECHO "a"b\r\n'),
    ("inline line over 64 KiB without newline", b"x" * 70000),
    ("multibulk count line over 64 KiB", b"*" + b"1" * 70000),
    ("bulk count line over 64 KiB", b"*1\r\n$" + b"1" * 70000),
    ("good command then a bad one", b"PING\r\n*1\r\n$4\r\nECHO\r\n*abc\r\n"),
    ("bulk terminator not checked, then a bad count", b"*1\r\n$4\r\nPINGXX*abc\r\n"),
    ("negative multibulk count is an empty command", b"*-10\r\n*abc\r\n"),
]


def probe(server, data, timeout_s=5.0):
    """Sends data on a new connection; everything the server sends until it
    closes: (bytes, closed)."""
    c = Conn(port=server.port)
    try:
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return c.read_until_eof(timeout_s)
    finally:
        c.close()


def test_protocol_errors_match_redis(t):
    ref = t.shared_redis()
    bad = []
    for name, data in CASES:
        want = probe(ref, data)
        got = probe(t.server, data)
        check(want[1], "reference redis did not close for %r (test assumption broken): %s" % (name, short(want)))
        if got != want:
            bad.append("%s %s:\n    redis : %s\n    taskkv: %s" % (name, short(data[:40]), short(want),
                                                                     short(got)))
    with t.conn() as c:
        eq(c.cmd("PING"), "PONG", "server after the protocol errors")
    check(not bad, "%d of %d cases differ from redis-server 7.0.15:\n%s" % (len(bad), len(CASES), "\n".join(bad)))


def test_protocol_error_texts(t):
    """The exact texts (independent of the reference server)."""
    expect = {
        b"*abc\r\n": b"-ERR Protocol error: invalid multibulk length\r\n",
        b"*1\r\n$-5\r\n": b"-ERR Protocol error: invalid bulk length\r\n",
        b"*1\r\n$536870913\r\n": b"-ERR Protocol error: invalid bulk length\r\n",
        b"*2147483648\r\n": b"-ERR Protocol error: invalid multibulk length\r\n",
        b"*1\r\n+foo\r\n": b"-ERR Protocol error: expected '$', got '+'\r\n",
        b'SET a "b\r\n': b"-ERR Protocol error: unbalanced quotes in request\r\n",
        b"x" * 70000: b"-ERR Protocol error: too big inline request\r\n",
    }
    for data, want in expect.items():
        got = probe(t.server, data)
        eq(got, (want, True), "reply to %s" % short(data[:30]))


def test_bulk_over_configured_proto_max_bulk_len(t):
    """CONFIG SET proto-max-bulk-len 1mb: a longer bulk is a protocol error,
    exactly as in Redis; one at the limit is accepted."""
    ref = t.shared_redis()
    servers = (t.server, ref)
    try:
        for s in servers:
            with Conn(port=s.port) as c:
                eq(c.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb"), "OK", s.kind)
        over = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"
        want, got = probe(ref, over), probe(t.server, over)
        eq(want, (b"-ERR Protocol error: invalid bulk length\r\n", True), "redis")
        eq(got, want, "taskkv vs redis")
        with t.conn() as c:
            eq(c.cmd("SET", "k", b"a" * 1048576, timeout_s=10), "OK", "a bulk of exactly proto-max-bulk-len")
            eq(c.cmd("STRLEN", "k"), 1048576)
    finally:
        for s in servers:
            with Conn(port=s.port) as c:
                c.cmd("CONFIG", "SET", "proto-max-bulk-len", "512mb")


def test_protocol_error_only_affects_its_connection(t):
    other = t.conn()
    eq(other.cmd("SET", "survivor", "1"), "OK")
    got = probe(t.server, b"*1\r\n+foo\r\n")
    check(got[1], "connection not closed after a protocol error")
    eq(other.cmd("GET", "survivor"), b"1")
