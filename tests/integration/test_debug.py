"""DEBUG SET-ACTIVE-EXPIRE and the expire-cycle latency event: the parts of
issue 7's DEBUG and LATENCY work that need timing (the replies themselves are
compared with redis-server in tests/diff/cases/debug.txt).

- With active expiry off, keys past their deadline stay (DBSIZE counts them,
  no `expired` event) until a lookup finds them; the time index keeps serving
  its other deadlines (a blocked client's timeout); turning expiry on again
  expires the overdue keys at once.
- Expiry work that takes at least latency-monitor-threshold in one timer run
  is an `expire-cycle` latency event, which LATENCY DOCTOR reports with
  Redis' advice.
"""

import time

from harness import ReplyTimeout, check, eq, fresh_server, timeout

DEBUG_ON = ("--enable-debug-command", "yes")


def wait_for(fn, what, limit_s=5.0):
    deadline = time.monotonic() + limit_s
    while True:
        v = fn()
        if v:
            return v
        check(time.monotonic() < deadline, "timed out waiting for %s" % what)
        time.sleep(0.01)


def subscriber(t):
    sub = t.conn()
    eq(sub.cmd("CONFIG", "SET", "notify-keyspace-events", "Ex"), "OK")
    eq(sub.cmd("SUBSCRIBE", "__keyevent@0__:expired"), [b"subscribe", b"__keyevent@0__:expired", 1])
    return sub


def expired_events(sub, wait_s):
    """The keys of the `expired` events that arrive within wait_s."""
    keys = []
    deadline = time.monotonic() + wait_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return keys
        try:
            msg = sub.read(timeout_s=left)
        except ReplyTimeout:   # nothing more came
            return keys
        keys.append(msg[2])


@fresh_server(*DEBUG_ON)
@timeout(30)
def test_set_active_expire_keeps_keys_until_accessed(t):
    c = t.conn()
    sub = subscriber(t)
    eq(c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK")
    for i in range(100):
        eq(c.cmd("SET", "k%d" % i, "v", "PX", "50"), "OK")
    eq(c.cmd("SET", "keep", "v"), "OK")
    time.sleep(0.3)
    eq(c.cmd("DBSIZE"), 101, "overdue keys stay while active expiry is off")
    eq(expired_events(sub, 0.1), [], "no expired events without a lookup")
    # the time index still serves its other deadlines: a blocked client's timeout
    b = t.conn()
    start = time.monotonic()
    eq(b.cmd("BLPOP", "nolist", "0.1"), None)
    check(time.monotonic() - start < 2.0, "BLPOP's 0.1 s timeout took %.2f s" % (time.monotonic() - start))
    # a lookup expires the key it finds overdue
    eq(c.cmd("GET", "k7"), None)
    eq(c.cmd("EXISTS", "k8"), 0)
    eq(c.cmd("DBSIZE"), 99)
    eq(sorted(expired_events(sub, 0.2)), [b"k7", b"k8"])
    # a TTL set while off is kept too
    eq(c.cmd("SET", "late", "v", "PX", "30"), "OK")
    time.sleep(0.1)
    eq(c.cmd("DBSIZE"), 100)
    # on again: every overdue key goes at once
    eq(c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK")
    wait_for(lambda: c.cmd("DBSIZE") == 1, "the overdue keys to expire")
    got = expired_events(sub, 0.3)
    eq(len(got), 99, "one expired event per overdue key (98 k, late)")
    check(b"late" in got and b"k7" not in got, "events: %r" % got[:5])
    eq(c.cmd("GET", "keep"), b"v")
    # and later deadlines expire actively again
    eq(c.cmd("SET", "again", "v", "PX", "20"), "OK")
    wait_for(lambda: c.cmd("DBSIZE") == 1, "a key set after turning expiry on to expire")


def big_hash(c, key, fields):
    """HSET of `fields` fields in pipelined batches."""
    batch = 2000
    for start in range(0, fields, batch):
        args = ["HSET", key]
        for i in range(start, min(fields, start + batch)):
            args += ["f%d" % i, "v"]
        c.send_cmd(*args)
    for start in range(0, fields, batch):
        c.read()


@fresh_server(*DEBUG_ON)
@timeout(60)
def test_expire_cycle_latency_event(t):
    c = t.conn()
    eq(c.cmd("CONFIG", "SET", "latency-monitor-threshold", "1"), "OK")
    big_hash(c, "big", 300000)
    c.cmd("LATENCY", "RESET")   # the HSETs may have been slow "command" events
    # (any command may be one at 1 ms on a loaded machine: only expire-cycle is looked at)
    check(b"expire-cycle" not in [e[0] for e in c.cmd("LATENCY", "LATEST")], "a clean start")
    # while active expiry is off the big key waits: no expiry work, no event
    eq(c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK")
    eq(c.cmd("PEXPIRE", "big", "20"), 1)
    time.sleep(0.2)
    eq(c.cmd("DBSIZE"), 1)
    check(b"expire-cycle" not in [e[0] for e in c.cmd("LATENCY", "LATEST")], "no expiry work while off")
    # on: freeing 300,000 fields in the timer's run is one slow expire cycle
    eq(c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK")
    wait_for(lambda: c.cmd("DBSIZE") == 0, "the big hash to expire")
    latest = {e[0]: e for e in c.cmd("LATENCY", "LATEST")}
    check(b"expire-cycle" in latest, "events: %r" % sorted(latest))
    name, when, ms, worst = latest[b"expire-cycle"]
    check(ms >= 1 and worst >= ms and abs(when - time.time()) < 60, "sample %r" % (latest[b"expire-cycle"],))
    hist = c.cmd("LATENCY", "HISTORY", "expire-cycle")
    eq(hist, [[when, ms]])
    doc = c.cmd("LATENCY", "DOCTOR")
    doc = doc.decode() if isinstance(doc, bytes) else str(doc)
    check("expire-cycle: 1 latency spikes (average %dms, mean deviation 0ms, period 1.00 sec). Worst all time "
          "event %dms." % (ms, worst) in doc, doc)
    check("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
          "configuration parameter to 100 using 'CONFIG SET hz 100'.\n" in doc, doc)
    check("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking "
          "operation." in doc, doc)
    # with hz 100 the hz advice goes (the large-objects one stays)
    eq(c.cmd("CONFIG", "SET", "hz", "100"), "OK")
    doc = c.cmd("LATENCY", "DOCTOR")
    doc = doc.decode() if isinstance(doc, bytes) else str(doc)
    check("'hz'" not in doc and "large objects" in doc, doc)
    graph = c.cmd("LATENCY", "GRAPH", "expire-cycle")
    graph = graph.decode() if isinstance(graph, bytes) else str(graph)
    eq(graph.split("\n")[:2], ["expire-cycle - high %d ms, low %d ms (all time high %d ms)" % (ms, ms, worst),
                               "-" * 80])
