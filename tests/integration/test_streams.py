"""XREAD BLOCK across connections: woken by XADD from another client, from
inside MULTI/EXEC, `$` taken at the time of the call (an entry added before
the block is not returned), several streams, COUNT and the 1000-entry cap of
a woken client without COUNT, timeouts, and clients that disconnect while
blocked. BullMQ's QueueEvents loop (`XREAD BLOCK 10000 STREAMS key <id>`)
and RQ's result read (`XADD ... MAXLEN ~ n`, `XREVRANGE key + - COUNT 1`)
are played as the clients send them.

Scenarios with deterministic replies run on taskkv and on a real
redis-server and must produce the same transcript (raw reply bytes, so
RESP2/RESP3 shapes are compared too); timing checks run on taskkv only.
Every test leaves the keyspace empty: a snapshot cannot hold streams yet
(engine/codec.c has no stream codec), so a stream left behind would make the
shared server's shutdown fail.
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
        t.conn(server).cmd("FLUSHALL")
    eq(out[0], out[1], "taskkv vs redis-server transcript")
    return out[0]


def entry(eid, *fv):
    return [eid.encode(), [x.encode() for x in fv]]


def test_woken_by_xadd_from_another_connection(t):
    def run(new, admin):
        w = new()
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "events", "$")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "events", "1-1", "event", "completed", "jobId", "7")
        return w.read_raw(), blocked_clients(admin)
    got = both(t, run)
    eq(got[0], b"*1\r\n*2\r\n$6\r\nevents\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$5\r\nevent\r\n$9\r\ncompleted\r\n"
               b"$5\r\njobId\r\n$1\r\n7\r\n")
    eq(got[1], 0)


def test_woken_resp3_is_a_map(t):
    def run(new, admin):
        w = new()
        w.cmd("HELLO", "3")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "b", "5-0", "f", "v")
        first = w.read_raw()
        w.send_cmd("XREAD", "BLOCK", "30", "STREAMS", "a", "b", "$", "$")
        return first, w.read_raw()
    got = both(t, run)
    eq(got[0], b"%1\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
    eq(got[1], b"_\r\n")


def test_dollar_is_the_last_id_at_call_time(t):
    """An entry added before the block is not returned for `$`; the one
    added after it is, alone."""
    def run(new, admin):
        w = new()
        admin.cmd("XADD", "s", "1-0", "n", "1")
        admin.cmd("XADD", "s", "2-0", "n", "2")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "s", "3-0", "n", "3")
        got = w.read()
        # a missing key: `$` is 0-0, so the first entry of a new stream serves
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "fresh", "$")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "fresh", "1-1", "n", "1")
        return got, w.read()
    got = both(t, run)
    eq(got[0], [[b"s", [entry("3-0", "n", "3")]]])
    eq(got[1], [[b"fresh", [entry("1-1", "n", "1")]]])


def test_dollar_does_not_follow_a_recreated_key(t):
    """`$` stood for 5-0: a stream deleted and recreated with smaller IDs does
    not serve the client, a greater ID does."""
    def run(new, admin):
        w = new()
        admin.cmd("XADD", "s", "5-0", "f", "v")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        wait_blocked(admin, 1)
        admin.cmd("DEL", "s")
        admin.cmd("XADD", "s", "1-0", "f", "v")
        admin.cmd("RPUSH", "other", "x")
        time.sleep(0.05)
        still = blocked_clients(admin)
        admin.cmd("XADD", "s", "6-0", "f", "v")
        return still, w.read()
    got = both(t, run)
    eq(got[0], 1)
    eq(got[1], [[b"s", [entry("6-0", "f", "v")]]])


def test_woken_by_xadd_inside_multi_exec(t):
    def run(new, admin):
        w = new()
        w.send_cmd("XREAD", "BLOCK", "0", "COUNT", "2", "STREAMS", "s", "$")
        wait_blocked(admin, 1)
        admin.cmd("MULTI")
        for i in range(1, 4):
            admin.cmd("XADD", "s", "%d-0" % i, "i", str(i))
        time.sleep(0.05)
        still = blocked_clients(new())      # queued, not run yet
        exec_reply = admin.cmd("EXEC")
        return still, exec_reply, w.read()
    got = both(t, run)
    eq(got[0], 1)
    eq(got[2], [[b"s", [entry("1-0", "i", "1"), entry("2-0", "i", "2")]]])


def test_added_and_deleted_in_one_transaction(t):
    """Redis 7.0 serves a woken client when the last generated ID passed its
    ID, even if the entry is gone again: an empty list."""
    def run(new, admin):
        w = new()
        admin.cmd("XADD", "s", "1-0", "f", "v")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        wait_blocked(admin, 1)
        admin.cmd("MULTI")
        admin.cmd("XADD", "s", "2-0", "f", "v")
        admin.cmd("XDEL", "s", "2-0")
        admin.cmd("EXEC")
        return w.read_raw()
    eq(both(t, run), b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n")


def test_several_streams_only_the_written_one(t):
    def run(new, admin):
        w = new()
        admin.cmd("XADD", "b", "1-0", "old", "entry")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "c", "$", "$", "$")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "c", "9-0", "f", "v")
        first = w.read()
        # explicit IDs: served at once when any stream has something newer
        second = w.cmd("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "c", "0", "0", "9-0")
        return first, second
    got = both(t, run)
    eq(got[0], [[b"c", [entry("9-0", "f", "v")]]])
    eq(got[1], [[b"b", [entry("1-0", "old", "entry")]]])


def test_transaction_writing_several_streams_serves_the_first_written(t):
    """One EXEC adding to two of the streams a client waits on: the reply
    holds the stream written first, not the first in argument order."""
    def run(new, admin):
        w = new()
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$")
        wait_blocked(admin, 1)
        admin.cmd("MULTI")
        admin.cmd("XADD", "b", "1-0", "f", "b")
        admin.cmd("XADD", "a", "1-0", "f", "a")
        admin.cmd("EXEC")
        return w.read_raw()
    eq(both(t, run), b"*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nb\r\n")


def test_explicit_id_waits_for_a_greater_one(t):
    def run(new, admin):
        w = new()
        admin.cmd("XADD", "s", "3-0", "f", "v")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "10-0")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "s", "5-0", "f", "v")
        admin.cmd("XADD", "s", "10-0", "f", "v")
        time.sleep(0.05)
        still = blocked_clients(admin)
        admin.cmd("XADD", "s", "10-1", "f", "v")
        return still, w.read()
    got = both(t, run)
    eq(got[0], 1)
    eq(got[1], [[b"s", [entry("10-1", "f", "v")]]])


def test_wrong_type_keeps_client_blocked(t):
    def run(new, admin):
        w = new()
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "k", "$")
        wait_blocked(admin, 1)
        admin.cmd("SET", "k", "string")
        time.sleep(0.05)
        still = blocked_clients(admin)
        admin.cmd("DEL", "k")
        admin.cmd("XADD", "k", "1-0", "f", "v")
        return still, w.read()
    got = both(t, run)
    eq(got[0], 1)


def test_woken_without_count_gets_at_most_1000(t):
    def run(new, admin):
        w = new()
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "0")
        wait_blocked(admin, 1)
        admin.cmd("MULTI")
        for i in range(1, 1201):
            admin.cmd("XADD", "s", "%d-0" % i, "f", "v")
        admin.cmd("EXEC")
        woken = w.read()
        direct = w.cmd("XREAD", "STREAMS", "s", "0")
        return len(woken[0][1]), woken[0][1][-1][0], len(direct[0][1])
    eq(both(t, run), (1000, b"1000-0", 1200))


def test_fifo_among_waiters_and_count(t):
    def run(new, admin):
        ws = [new() for _ in range(3)]
        for i, w in enumerate(ws):
            w.send_cmd("XREAD", "COUNT", str(i + 1), "BLOCK", "0", "STREAMS", "s", "$")
            wait_blocked(admin, i + 1)
        admin.cmd("MULTI")
        for i in range(1, 4):
            admin.cmd("XADD", "s", "%d-0" % i, "f", "v")
        admin.cmd("EXEC")
        return [w.read() for w in ws], blocked_clients(admin)
    got = both(t, run)
    eq([len(r[0][1]) for r in got[0]], [1, 2, 3])
    eq(got[1], 0)


def test_inside_multi_does_not_block(t):
    def run(new, admin):
        c = new()
        c.cmd("MULTI")
        c.cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        c.cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "0")
        return c.cmd("EXEC"), blocked_clients(admin)
    eq(both(t, run), ([None, None], 0))


def test_timeout_null_reply_and_precision(t):
    c = t.conn()
    for ms in (50, 200):
        start = time.time()
        eq(c.cmd_raw("XREAD", "BLOCK", str(ms), "STREAMS", "nosuch", "$"), b"*-1\r\n")
        took = time.time() - start
        check(ms / 1000.0 <= took + 0.002 < ms / 1000.0 + 0.1, "XREAD BLOCK %d took %.3f s" % (ms, took))
    c.cmd("HELLO", "3")
    eq(c.cmd_raw("XREAD", "BLOCK", "20", "STREAMS", "nosuch", "$"), b"_\r\n")
    eq(blocked_clients(c), 0)


def test_timeout_keeps_first_deadline_across_retries(t):
    """XADDs that do not serve the client (an ID below its own) re-run its
    command; its deadline stays the first call's."""
    admin, w = t.conn(), t.conn()
    admin.cmd("XADD", "s", "100-0", "f", "v")
    start = time.time()
    w.send_cmd("XREAD", "BLOCK", "400", "STREAMS", "s", "200-0")
    wait_blocked(admin, 1)
    for i in range(1, 6):
        time.sleep(0.05)
        admin.cmd("XADD", "s", "%d-0" % (100 + i), "f", "v")
    eq(w.read(timeout_s=3), None)
    took = time.time() - start
    check(0.38 < took < 0.6, "timed out after %.3f s, deadline was 0.4 s" % took)
    admin.cmd("FLUSHALL")


def test_disconnect_while_blocked_leaves_nothing(t):
    admin = t.conn()
    w = t.conn()
    w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(admin, 1)
    w.close()
    wait_blocked(admin, 0)
    eq(admin.cmd("XADD", "s", "1-0", "f", "v"), b"1-0")
    eq(admin.cmd("XLEN", "s"), 1)
    ws = [t.conn() for _ in range(20)]
    for i, c in enumerate(ws):
        c.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "x%d" % i, "s", "$", "$")
    wait_blocked(admin, 20)
    for c in ws:
        c.close()
    wait_blocked(admin, 0)
    eq(admin.cmd("XADD", "s", "2-0", "f", "v"), b"2-0")
    eq(info(admin, "clients")["blocked_clients"], "0")
    admin.cmd("FLUSHALL")


def test_client_unblock(t):
    def run(new, admin):
        w = new()
        wid = w.cmd("CLIENT", "ID")
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        wait_blocked(admin, 1)
        out = [admin.cmd("CLIENT", "UNBLOCK", str(wid)), w.read_raw()]
        w.send_cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        wait_blocked(admin, 1)
        out += [admin.cmd("CLIENT", "UNBLOCK", str(wid), "ERROR"), str(w.read())]
        return out
    both(t, run)


def test_bullmq_queue_events_loop(t):
    """QueueEvents: XREAD BLOCK 10000 STREAMS bull:q:events $, then the last
    ID it saw; the producer trims with XADD ... MAXLEN ~ 10000."""
    def run(new, admin):
        ev = new()
        ev.cmd("HELLO", "3")
        ev.send_cmd("XREAD", "BLOCK", "10000", "STREAMS", "bull:q:events", "$")
        wait_blocked(admin, 1)
        admin.cmd("XADD", "bull:q:events", "MAXLEN", "~", "10000", "1-0", "event", "added", "jobId", "1")
        got = [ev.read()]
        last = got[0][b"bull:q:events"][-1][0].decode()
        for i in range(2, 5):
            admin.cmd("XADD", "bull:q:events", "MAXLEN", "~", "10000", "%d-0" % i, "event", "completed",
                      "jobId", str(i))
        got.append(ev.cmd("XREAD", "BLOCK", "10000", "STREAMS", "bull:q:events", last))
        return got
    got = both(t, run)
    eq([e[0] for e in got[1][b"bull:q:events"]], [b"2-0", b"3-0", b"4-0"])


def test_rq_results_stream(t):
    """RQ 1.13's Result: XADD rq:results:<id> MAXLEN ~ 10 * ..., read back
    with XREVRANGE + - COUNT 1 (the IDs are the server's clock: compared by
    shape, the newest entry's fields exactly)."""
    def run(new, admin):
        out = []
        for i in range(30):
            rid = admin.cmd("XADD", "rq:results:job1", "MAXLEN", "~", "10", "*", "type", "1",
                            "return_value", "gASVCAAAAAAAAACMBHRlc3SULg==", "created_at", "2026-01-01T00:00:%02d" % i)
            out.append(rid.count(b"-"))
        last = admin.cmd("XREVRANGE", "rq:results:job1", "+", "-", "COUNT", "1")
        out.append((last[0][0] == rid, last[0][1]))
        out.append(admin.cmd("XLEN", "rq:results:job1"))
        out.append(admin.cmd("TYPE", "rq:results:job1"))
        return out
    got = both(t, run)
    eq(got[-2], 30)       # one node of 100 entries: nothing to drop yet
