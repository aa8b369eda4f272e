"""client-query-buffer-limit and maxclients."""

import time

from harness import Conn, ErrorReply, check, eq, fresh_server, info, short

PARTIAL_2MB = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" + b"x" * (2 * 1024 * 1024)


def _send_partial(c, data):
    try:
        c.send(data)
    except (BrokenPipeError, ConnectionResetError):
        pass   # the server may close while we are still writing


@fresh_server("--client-query-buffer-limit", "1mb")
def test_query_buffer_limit_closes_without_reply(t):
    other = t.conn()
    eq(other.cmd("SET", "alive", "yes"), "OK")
    eq(t.conn().cmd("CONFIG", "GET", "client-query-buffer-limit"), [b"client-query-buffer-limit", b"1048576"])
    big = t.conn()
    _send_partial(big, PARTIAL_2MB)
    data, closed = big.read_until_eof(10)
    check(closed, "a client with a 2 MB partial bulk over a 1 MB limit was not closed")
    eq(data, b"", "bytes sent to the client that overflowed its query buffer")
    eq(other.cmd("GET", "alive"), b"yes", "another client after the overflow")
    eq(other.cmd("EXISTS", "k"), 0)
    with t.conn() as c:
        eq(c.cmd("PING"), "PONG", "a new client after the overflow")
    # a complete 900 KB command is fine, and so are many small pipelined ones
    eq(other.cmd("SET", "under", b"u" * 900000), "OK")
    eq(other.cmd("STRLEN", "under"), 900000)
    log = t.server.stdout()
    check("max query buffer length" in log, "no 'max query buffer length' line in the log:\n%s" % log[-1500:])


@fresh_server()
def test_query_buffer_limit_config_set_at_runtime(t):
    admin = t.conn()
    eq(admin.cmd("CONFIG", "GET", "client-query-buffer-limit"), [b"client-query-buffer-limit", b"1073741824"])
    # with the default 1 GB limit a 2 MB partial bulk just waits
    waiting = t.conn()
    _send_partial(waiting, PARTIAL_2MB)
    check(not waiting.is_closed(0.3), "closed under the default 1 GB query buffer limit")
    eq(admin.cmd("CONFIG", "SET", "client-query-buffer-limit", "1mb"), "OK")
    eq(admin.cmd("CONFIG", "GET", "client-query-buffer-limit"), [b"client-query-buffer-limit", b"1048576"])
    big = t.conn()
    _send_partial(big, PARTIAL_2MB)
    data, closed = big.read_until_eof(10)
    check(closed and data == b"", "after CONFIG SET 1mb: expected a silent close, got %s closed=%s"
          % (short(data), closed))
    # the client already waiting with 2 MB is closed as soon as it sends more
    try:
        waiting.send(b"x" * 1000)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data, closed = waiting.read_until_eof(10)
    check(closed and data == b"", "the earlier client over the new limit: closed=%s data=%s" % (closed, short(data)))
    eq(admin.cmd("PING"), "PONG")
    # below the minimum, as Redis: the value is refused and unchanged
    r = admin.cmd("CONFIG", "SET", "client-query-buffer-limit", "1000")
    check(isinstance(r, ErrorReply), "CONFIG SET client-query-buffer-limit 1000 accepted: %r" % (r,))
    eq(admin.cmd("CONFIG", "GET", "client-query-buffer-limit"), [b"client-query-buffer-limit", b"1048576"])
    eq(admin.cmd("CONFIG", "SET", "client-query-buffer-limit", "4mb"), "OK")
    ok = t.conn()
    _send_partial(ok, PARTIAL_2MB)
    check(not ok.is_closed(0.3), "closed under a 4 MB limit with 2 MB buffered")
    ok.send(b"x" * 1000000 + b"\r\n")
    eq(ok.read(10), "OK", "completing the 3 MB SET under a 4 MB limit")


@fresh_server()
def test_query_buffer_limit_error_text_matches_redis(t):
    ref = t.shared_redis()
    outs = []
    for s in (t.server, ref):
        with Conn(port=s.port) as c:
            outs.append(c.cmd_raw("CONFIG", "SET", "client-query-buffer-limit", "1000"))
    eq(outs[0], outs[1], "CONFIG SET client-query-buffer-limit 1000: taskkv vs redis")


@fresh_server("--maxclients", "5")
def test_maxclients(t):
    conns = []
    for i in range(5):
        c = t.conn()
        eq(c.cmd("PING"), "PONG", "client %d of 5" % (i + 1))
        conns.append(c)
    sixth = t.conn()
    data, closed = sixth.read_until_eof(5)
    eq(data, b"-ERR max number of clients reached\r\n", "the 6th client")
    check(closed, "the 6th client was not closed")
    st = info(conns[0])
    eq(st["connected_clients"], "5")
    eq(st["maxclients"], "5")
    check(int(st["rejected_connections"]) >= 1, "rejected_connections = %s" % st["rejected_connections"])
    # a slot frees up when a client leaves
    conns[4].close()
    deadline = time.time() + 5
    while True:
        c = Conn(port=t.server.port)
        t.track(c)
        try:
            r = c.cmd("PING")
        except Exception as e:   # rejected: closed after the error line
            r = e
        if r == "PONG" or time.time() > deadline:
            break
        c.close()
        time.sleep(0.05)
    eq(r, "PONG", "a new client after one of the five left")
    for c in conns[:4]:
        eq(c.cmd("PING"), "PONG")


@fresh_server("--maxclients", "5")
def test_maxclients_config_set(t):
    admin = t.conn()
    eq(admin.cmd("CONFIG", "SET", "maxclients", "2"), "OK")
    second = t.conn()
    eq(second.cmd("PING"), "PONG")
    third = t.conn()
    data, closed = third.read_until_eof(5)
    eq((data, closed), (b"-ERR max number of clients reached\r\n", True), "over CONFIG SET maxclients 2")
    eq(admin.cmd("CONFIG", "SET", "maxclients", "10"), "OK")
    with t.conn() as c:
        eq(c.cmd("PING"), "PONG")
