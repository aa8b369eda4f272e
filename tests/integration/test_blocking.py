"""Blocking commands across connections: BLPOP / BRPOP / BLMOVE / BLMPOP /
BZPOPMIN / BZMPOP served by writes from other clients, first come first
served, timeouts with millisecond precision through the time index, CLIENT
UNBLOCK, disconnects while blocked, and pipelined input behind a blocked
command.

Scenarios whose replies are deterministic run on taskkv and on a real
redis-server and must produce the same transcript (so they cannot pass by
accident); timing checks run on taskkv only.
"""

import time

from harness import check, eq, info


def blocked_clients(c):
    return int(info(c, "clients")["blocked_clients"])


def wait_blocked(c, n, timeout_s=3.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if blocked_clients(c) == n:
            return
        time.sleep(0.005)
    raise AssertionError("blocked_clients never reached %d (is %d)" % (n, blocked_clients(c)))


def both(t, scenario):
    """Runs scenario(conn_factory, admin) on taskkv and on redis-server and
    returns the two transcripts, which must be equal."""
    out = []
    for server in (t.server, t.shared_redis()):
        admin = t.conn(server)
        admin.cmd("FLUSHALL")
        out.append(scenario(lambda: t.conn(server), admin))
    eq(out[0], out[1], "taskkv vs redis-server transcript")
    return out[0]


def test_fifo_order_one_push_many_waiters(t):
    def run(new, admin):
        waiters = [new() for _ in range(3)]
        for i, w in enumerate(waiters):
            w.send_cmd("BLPOP", "q", "0")
            wait_blocked(admin, i + 1)
        admin.cmd("RPUSH", "q", "a", "b", "c", "d")
        got = [w.read() for w in waiters]
        return got, admin.cmd("LRANGE", "q", "0", "-1"), blocked_clients(admin)
    got = both(t, run)
    eq(got[0], [[b"q", b"a"], [b"q", b"b"], [b"q", b"c"]])


def test_multiple_keys_second_key_serves(t):
    def run(new, admin):
        w = new()
        w.send_cmd("BRPOP", "k1", "k2", "k3", "0")
        wait_blocked(admin, 1)
        admin.cmd("LPUSH", "k2", "x", "y")
        return w.read(), admin.cmd("LRANGE", "k2", "0", "-1")
    both(t, run)


def test_blmove_chain_serves_in_same_iteration(t):
    def run(new, admin):
        a, b = new(), new()
        a.send_cmd("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
        wait_blocked(admin, 1)
        b.send_cmd("BLPOP", "dst", "0")
        wait_blocked(admin, 2)
        admin.cmd("RPUSH", "src", "job1")
        return a.read(), b.read(), admin.cmd("EXISTS", "src", "dst"), blocked_clients(admin)
    got = both(t, run)
    eq(got[0], b"job1")
    eq(got[1], [b"dst", b"job1"])


def test_wrong_type_keeps_client_blocked(t):
    def run(new, admin):
        w = new()
        w.send_cmd("BLPOP", "k", "0")
        wait_blocked(admin, 1)
        admin.cmd("SET", "k", "string")
        time.sleep(0.05)
        still = blocked_clients(admin)
        admin.cmd("DEL", "k")
        admin.cmd("RPUSH", "k", "v")
        return still, w.read(), blocked_clients(admin)
    got = both(t, run)
    eq(got[0], 1)


def test_bzpopmin_and_bzmpop_served_by_zadd(t):
    def run(new, admin):
        a, b = new(), new()
        a.send_cmd("BZPOPMIN", "z", "0")
        wait_blocked(admin, 1)
        b.send_cmd("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5")
        wait_blocked(admin, 2)
        admin.cmd("ZADD", "z", "1", "one", "2", "two", "3", "three")
        return a.read(), b.read(), admin.cmd("EXISTS", "z")
    both(t, run)


def test_blmpop_count(t):
    def run(new, admin):
        w = new()
        w.send_cmd("BLMPOP", "0", "2", "l1", "l2", "RIGHT", "COUNT", "2")
        wait_blocked(admin, 1)
        admin.cmd("RPUSH", "l2", "a", "b", "c")
        return w.read(), admin.cmd("LRANGE", "l2", "0", "-1")
    both(t, run)


def test_pipelined_commands_behind_a_blocked_one(t):
    def run(new, admin):
        w = new()
        w.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n")
        wait_blocked(admin, 1)
        admin.cmd("RPUSH", "q", "1", "2")
        return w.read(), w.read(), w.read()
    both(t, run)


def test_timeout_fractional_seconds(t):
    c = t.conn()
    for timeout_s in ("0.05", "0.2"):
        start = time.time()
        eq(c.cmd("BLPOP", "nosuch", timeout_s), None)
        took = time.time() - start
        check(float(timeout_s) <= took + 0.002 < float(timeout_s) + 0.1,
              "BLPOP %s took %.3f s" % (timeout_s, took))
    start = time.time()
    eq(c.cmd("BLMOVE", "nosuch", "d", "LEFT", "LEFT", "0.05"), None)
    check(time.time() - start < 0.2, "BLMOVE timeout late")
    eq(blocked_clients(c), 0)


def test_timeout_arguments(t):
    def run(new, admin):
        c = new()
        out = []
        for v in ("-1", "abc", "inf", "1e300", "nan", "", " 1", "0.0001", "-0.0001x"):
            out.append(c.cmd("BLPOP", "nosuch", v))
        return out
    both(t, run)


def test_disconnect_while_blocked_leaves_nothing(t):
    admin = t.conn()
    w = t.conn()
    w.send_cmd("BLPOP", "q", "0")
    wait_blocked(admin, 1)
    w.close()
    wait_blocked(admin, 0)
    eq(admin.cmd("RPUSH", "q", "kept"), 1)
    eq(admin.cmd("LRANGE", "q", "0", "-1"), [b"kept"])
    # Many clients blocked on many keys, all gone at once.
    ws = [t.conn() for _ in range(20)]
    for i, c in enumerate(ws):
        c.send_cmd("BLPOP", "a%d" % i, "b", "c", "0")
    wait_blocked(admin, 20)
    for c in ws:
        c.close()
    wait_blocked(admin, 0)
    eq(admin.cmd("RPUSH", "b", "x"), 1)
    eq(admin.cmd("LLEN", "b"), 1)


def test_client_unblock(t):
    def run(new, admin):
        w = new()
        wid = w.cmd("CLIENT", "ID")
        out = [admin.cmd("CLIENT", "UNBLOCK", str(wid))]
        w.send_cmd("BLPOP", "q", "0")
        wait_blocked(admin, 1)
        out.append(admin.cmd("CLIENT", "UNBLOCK", str(wid)))
        out.append(w.read())
        w.send_cmd("BLMOVE", "q", "d", "LEFT", "LEFT", "0")
        wait_blocked(admin, 1)
        out.append(admin.cmd("CLIENT", "UNBLOCK", str(wid), "ERROR"))
        out.append(w.read())
        out.append(admin.cmd("CLIENT", "UNBLOCK", str(wid), "bogus"))
        out.append(admin.cmd("CLIENT", "UNBLOCK", "x"))
        out.append(admin.cmd("CLIENT", "UNBLOCK", "999999"))
        out.append(w.cmd("PING"))
        return [str(x) if isinstance(x, Exception) else x for x in out]
    got = both(t, run)
    eq(got[1], 1)


def test_blocked_clients_in_info_and_client_list(t):
    admin = t.conn()
    ws = [t.conn() for _ in range(3)]
    for c in ws:
        c.send_cmd("BZPOPMAX", "zz", "0")
    wait_blocked(admin, 3)
    listing = admin.cmd("CLIENT", "LIST").decode()
    eq(listing.count("flags=b"), 3)
    admin.cmd("ZADD", "zz", "1", "a", "2", "b", "3", "c")
    got = sorted(c.read()[1] for c in ws)
    eq(got, [b"a", b"b", b"c"])
    eq(blocked_clients(admin), 0)


def test_many_waiters_one_element_each(t):
    """200 clients blocked on one key are served in order, one element each,
    by a single RPUSH of 250 elements."""
    admin = t.conn()
    ws = [t.conn() for _ in range(200)]
    for i, c in enumerate(ws):      # one at a time: arrival order is the line order
        c.send_cmd("BLPOP", "big", "5")
        wait_blocked(admin, i + 1)
    admin.cmd("RPUSH", "big", *[str(i) for i in range(250)])
    got = [c.read()[1] for c in ws]
    eq(got, [str(i).encode() for i in range(200)])
    eq(admin.cmd("LLEN", "big"), 50)


def test_retry_keeps_the_original_deadline(t):
    """A parked client whose key changes without serving it (another type
    written) keeps the deadline of its first call."""
    admin, w = t.conn(), t.conn()
    start = time.time()
    w.send_cmd("BLPOP", "k", "0.5")
    wait_blocked(admin, 1)
    time.sleep(0.3)
    admin.cmd("SET", "k", "x")      # a retry that cannot serve
    eq(w.read(timeout_s=3), None)
    took = time.time() - start
    check(0.45 < took < 0.7, "timed out after %.3f s, deadline was 0.5 s" % took)
