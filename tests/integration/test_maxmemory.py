"""maxmemory: the OOM refusals of noeviction, the eviction policies, the
`evicted` keyspace events, the INFO figures, evictions surviving a restart
(journaled as DEL), and MEMORY DOCTOR / MALLOC-STATS / PURGE on servers of
their own (the replies compared byte for byte with redis are in
tests/diff/cases/memory.txt).

Limits are set relative to the server's own used_memory (CONFIG SET
maxmemory <used + room>), so the tests do not depend on the baseline. The
policies are approximations (sampling, a one-second LRU clock): those tests
assert properties with margins, the refusals and counts exactly."""

import time

from harness import ErrorReply, Push, Verbatim, check, encode, eq, fresh_server, info, timeout

MB = 1024 * 1024
OOM = "OOM command not allowed when used memory > 'maxmemory'."


def used(c):
    return int(info(c, "memory")["used_memory"])


def base_used(c):
    """used_memory once every command the tests send has run: a command's
    first call allocates its latency histogram (latency-tracking, 24 KiB, as
    Redis' does), which over the limit would evict keys in the middle of
    the checks."""
    for cmd in (("EXISTS", "warm"), ("GET", "warm"), ("SET", "warm", "1"), ("DEL", "warm"), ("DBSIZE",),
                ("MULTI",), ("INFO", "stats"), ("EXEC",), ("CONFIG", "GET", "maxmemory"), ("TTL", "warm"),
                ("PING",)):
        c.cmd(*cmd)
    return used(c)


def counted(c):
    """Used memory as maxmemory counts it (persistence buffers left out)."""
    m = info(c, "memory")
    return int(m["used_memory"]) - int(m["mem_not_counted_for_evict"])


def stat(c, name):
    return int(info(c, "stats")[name])


def pipeline(c, cmds):
    """Sends every command at once, returns their replies in order."""
    c.send(b"".join(encode(*cmd) for cmd in cmds))
    return [c.read(10) for _ in cmds]


def fill(c, prefix, start, count, value_of, batch=500):
    """SETs prefix:i for i in start..start+count; returns {i: value} of the
    acknowledged ones and the replies that were errors."""
    acked, errors = {}, []
    for b in range(start, start + count, batch):
        ids = list(range(b, min(b + batch, start + count)))
        for i, r in zip(ids, pipeline(c, [("SET", "%s:%d" % (prefix, i), value_of(i)) for i in ids])):
            if isinstance(r, ErrorReply):
                errors.append(str(r))
            else:
                eq(r, "OK", "SET %s:%d" % (prefix, i))
                acked[i] = value_of(i)
    return acked, errors


def existing(c, keys):
    """The subset of keys that exist (EXISTS, pipelined)."""
    keys = list(keys)
    out = set()
    for b in range(0, len(keys), 1000):
        part = keys[b:b + 1000]
        for k, r in zip(part, pipeline(c, [("EXISTS", k) for k in part])):
            if r == 1:
                out.add(k)
    return out


def drain_events(sub, idle=0.5):
    """Every keyevent message the subscriber has got until it is quiet."""
    keys = []
    while True:
        try:
            m = sub.read(idle)
        except Exception:
            return keys
        check(isinstance(m, list) and m[0] == b"message", "unexpected on the subscriber: %r" % (m,))
        keys.append(m[2].decode())


def settle(c):
    """Waits for the cron's evictions (once a second), then reads the
    evicted count and the key count atomically."""
    time.sleep(1.2)
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("INFO", "stats"), "QUEUED")
    eq(c.cmd("DBSIZE"), "QUEUED")
    stats, dbsize = c.cmd("EXEC")
    return int(dict(l.split(":", 1) for l in stats.decode().split("\r\n") if ":" in l)["evicted_keys"]), dbsize


def wait_under(c, limit, slack=MB // 4, seconds=10):
    """Eviction runs in slices of maxmemory-eviction-tenacity's time, the
    rest from a timer in the following loop iterations (as Redis' eviction
    time proc): waits until used memory is under the limit."""
    deadline = time.time() + seconds
    while counted(c) > limit + slack and time.time() < deadline:
        time.sleep(0.02)
    check(counted(c) <= limit + slack, "used memory %d still over maxmemory %d" % (counted(c), limit))


def value(i):
    return b"value-%d-" % i + b"x" * 1000


@fresh_server()
@timeout(120)
def test_noeviction_refuses_writes_keeps_data(t):
    c = t.conn()
    base = base_used(c)
    limit = base + 2 * MB
    eq(c.cmd("CONFIG", "SET", "maxmemory", limit), "OK")
    mem = info(c, "memory")
    eq(mem["maxmemory"], str(limit))
    eq(mem["maxmemory_policy"], "noeviction")
    check(mem["maxmemory_human"].endswith("M"), "maxmemory_human %r" % mem["maxmemory_human"])
    check("mem_not_counted_for_evict" in mem, "INFO memory has no mem_not_counted_for_evict")

    acked, errors = fill(c, "k", 0, 20000, value)
    check(errors, "20 MB of writes under a 2 MB room were all accepted")
    check(set(errors) == {OOM}, "refusals other than the OOM error: %r" % sorted(set(errors))[:3])
    check(len(acked) > 1000, "only %d keys fit in 2 MB" % len(acked))
    # writes that may grow memory are refused, exactly as redis words it
    for cmd in (("SET", "new", "v"), ("LPUSH", "l", "a"), ("INCR", "n"), ("HSET", "h", "f", "v"),
                ("SADD", "s", "m"), ("ZADD", "z", "1", "m"), ("APPEND", "k:0", "x"), ("MSET", "a", "1", "b", "2"),
                ("SETEX", "e", "100", "v"), ("RPUSH", "l", "a"), ("XADD", "x", "*", "f", "v")):
        eq(c.cmd(*cmd), OOM, " ".join(cmd))
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("GET", "k:0"), OOM, "GET queued in MULTI")
    eq(c.cmd("EXEC"), "EXECABORT Transaction discarded because of previous errors.")
    check(str(c.cmd("EVAL", "return redis.call('set', 'k', 'v')", "0")).startswith(OOM + " script: "),
          "a script's first write over the limit")
    # reads go on
    eq(c.cmd("GET", "k:0"), acked[0])
    eq(c.cmd("DBSIZE"), len(acked))
    eq(c.cmd("EXISTS", "k:0", "k:1", "nokey"), 2)
    eq(c.cmd("EVAL", "return redis.call('get', KEYS[1])", "1", "k:1"), acked[1])
    eq(c.cmd("PING"), "PONG")
    # nothing evicted, nothing lost: every acknowledged key has its value
    eq(stat(c, "evicted_keys"), 0)
    for i, r in zip(acked, pipeline(c, [("GET", "k:%d" % i) for i in acked])):
        eq(r, acked[i], "GET k:%d" % i)
    # deletes work and make room: writes are accepted again
    gone = [i for i in acked if i % 2 == 0]
    eq(sum(pipeline(c, [("DEL", "k:%d" % i) for i in gone])), len(gone))
    eq(c.cmd("SET", "new", "v"), "OK")
    eq(c.cmd("GET", "new"), b"v")
    for i, r in zip(acked, pipeline(c, [("GET", "k:%d" % i) for i in acked])):
        eq(r, None if i % 2 == 0 else acked[i], "GET k:%d after the deletes" % i)
    st = info(c, "stats")
    eq(st["evicted_keys"], "0")
    check(int(st["total_eviction_exceeded_time"]) >= 0, "total_eviction_exceeded_time")
    eq(st["current_eviction_exceeded_time"], "0")
    check(int(info(c, "errorstats").get("errorstat_OOM", "count=0").split("=")[1]) > 0, "errorstat_OOM")


@fresh_server("--maxmemory-policy", "allkeys-lru")
@timeout(120)
def test_allkeys_lru_evicts_least_recently_used(t):
    c, sub = t.conn(), t.conn()
    eq(c.cmd("CONFIG", "SET", "notify-keyspace-events", "Ee"), "OK")
    eq(sub.cmd("SUBSCRIBE", "__keyevent@0__:evicted"), [b"subscribe", b"__keyevent@0__:evicted", 1])
    base = base_used(c)
    limit = base + 4 * MB
    eq(c.cmd("CONFIG", "SET", "maxmemory", limit), "OK")
    small = lambda i: b"v%d-" % i + b"y" * 100
    # old keys up to about 70% of the room
    n_old = 0
    while used(c) < base + int(2.8 * MB):
        acked, errors = fill(c, "old", n_old, 2000, small)
        eq(errors, [], "writes under the limit")
        n_old += 2000
    eq(stat(c, "evicted_keys"), 0)
    time.sleep(2.2)   # the LRU clock counts seconds
    touched = ["old:%d" % i for i in range(0, n_old, 10)]
    pipeline(c, [("GET", k) for k in touched])
    # as many new keys: about 40% of the room must be freed, from the idle ones
    acked, errors = fill(c, "new", 0, n_old, small)
    eq(errors, [], "writes refused under allkeys-lru")
    evicted, dbsize = settle(c)
    check(evicted > n_old // 4, "only %d keys evicted" % evicted)
    eq(dbsize, 2 * n_old - evicted, "DBSIZE against INFO evicted_keys")
    check(counted(c) <= limit * 1.05, "used memory %d over maxmemory %d" % (counted(c), limit))
    untouched = ["old:%d" % i for i in range(n_old) if i % 10]
    touched_alive = len(existing(c, touched)) / len(touched)
    untouched_alive = len(existing(c, untouched)) / len(untouched)
    new_alive = len(existing(c, ["new:%d" % i for i in range(n_old)])) / n_old
    t.note("%d old, %d evicted: touched %.0f%% alive, untouched %.0f%%, new %.0f%%"
           % (n_old, evicted, touched_alive * 100, untouched_alive * 100, new_alive * 100))
    check(touched_alive >= 0.7, "only %.0f%% of the recently used keys survived" % (touched_alive * 100))
    check(untouched_alive <= touched_alive - 0.3,
          "idle keys survived (%.0f%%) about as well as used ones (%.0f%%)" % (untouched_alive * 100,
                                                                             touched_alive * 100))
    # one `evicted` event per evicted key, naming it
    events = drain_events(sub)
    eq(len(events), evicted, "evicted events against INFO evicted_keys")
    eq(len(set(events)), len(events), "a key evicted twice")
    eq(existing(c, events), set(), "keys reported evicted that still exist")
    eq(c.cmd("CONFIG", "RESETSTAT"), "OK")
    eq(stat(c, "evicted_keys"), 0)


@fresh_server("--maxmemory-policy", "volatile-ttl")
@timeout(120)
def test_volatile_ttl_evicts_nearest_deadlines(t):
    c = t.conn()
    base = base_used(c)
    eq(c.cmd("CONFIG", "SET", "maxmemory", base + 3 * MB), "OK")
    # 1000 keys with TTLs 10000 + i seconds, in a scrambled order
    order = [(i * 7919) % 1000 for i in range(1000)]
    replies = pipeline(c, [("SET", "v:%d" % i, value(i), "EX", str(10000 + i)) for i in order])
    eq(set(replies), {"OK"})
    persistent, errors = fill(c, "p", 0, 2000, value)
    check(not errors, "refused while volatile keys were left: %r" % errors[:1])
    evicted, dbsize = settle(c)
    check(evicted > 100, "only %d evictions" % evicted)
    eq(existing(c, ["p:%d" % i for i in persistent]), {"p:%d" % i for i in persistent},
       "volatile-ttl evicted keys without TTL")
    alive = existing(c, ["v:%d" % i for i in range(1000)])
    gone = sorted(i for i in range(1000) if "v:%d" % i not in alive)
    eq(len(gone), evicted)
    nearest = set(range(evicted))
    hits = len(nearest.intersection(gone))
    t.note("%d evicted, %d of them among the %d nearest deadlines" % (evicted, hits, evicted))
    check(hits >= 0.9 * evicted, "only %d of %d evicted keys had the nearest deadlines" % (hits, evicted))


@fresh_server()
def test_volatile_policies_without_ttls_are_oom(t):
    c = t.conn()
    pipeline(c, [("SET", "p:%d" % i, "v") for i in range(50)])
    eq(c.cmd("CONFIG", "SET", "maxmemory", "1"), "OK")
    for policy in ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"):
        eq(c.cmd("CONFIG", "SET", "maxmemory-policy", policy), "OK")
        eq(c.cmd("SET", "x", "1"), OOM, policy)
        eq(c.cmd("SET", "x", "1", "EX", "100"), OOM, policy)
    eq(c.cmd("DBSIZE"), 50)
    # with TTL keys present they go, and only they
    eq(c.cmd("CONFIG", "SET", "maxmemory", "0"), "OK")
    pipeline(c, [("SET", "v:%d" % i, "v", "EX", "1000") for i in range(20)])
    eq(c.cmd("CONFIG", "SET", "maxmemory", "1"), "OK")
    eq(c.cmd("SET", "x", "1"), OOM)
    eq(c.cmd("DBSIZE"), 50)
    eq(stat(c, "evicted_keys"), 20)
    eq(c.cmd("CONFIG", "SET", "maxmemory", "0"), "OK")


@fresh_server("--maxmemory-policy", "allkeys-random")
@timeout(120)
def test_config_set_lower_evicts_at_once(t):
    c = t.conn()
    fill(c, "k", 0, 20000, value)
    before = used(c)
    limit = before - 8 * MB
    eq(c.cmd("CONFIG", "SET", "maxmemory", limit), "OK")
    check(stat(c, "evicted_keys") > 0, "CONFIG SET maxmemory below used memory evicted nothing")
    wait_under(c, limit)
    evicted = stat(c, "evicted_keys")
    check(evicted > 6000, "8 MB freed by evicting only %d keys of 1 KB" % evicted)
    eq(c.cmd("DBSIZE"), 20000 - evicted)
    check("is smaller than the current memory usage" in t.server.stdout(), "no warning logged")
    # tenacity 0: each pass evicts 16 keys at most, the eviction timer the rest
    eq(c.cmd("CONFIG", "SET", "maxmemory-eviction-tenacity", "0"), "OK")
    limit2 = limit - 4 * MB
    eq(c.cmd("CONFIG", "SET", "maxmemory", limit2), "OK")
    wait_under(c, limit2)
    eq(c.cmd("SET", "after", "1"), "OK")


@fresh_server("--maxmemory-policy", "allkeys-lru")
@timeout(60)
def test_no_eviction_while_clients_are_paused(t):
    """CLIENT PAUSE keeps the dataset as it is (as Redis): a lower maxmemory
    evicts nothing until the pause ends."""
    c = t.conn()
    fill(c, "k", 0, 20000, value)
    limit = used(c) - 8 * MB
    eq(c.cmd("CLIENT", "PAUSE", "5000", "WRITE"), "OK")
    eq(c.cmd("CONFIG", "SET", "maxmemory", limit), "OK")
    time.sleep(1.3)   # a cron pass
    eq(stat(c, "evicted_keys"), 0, "evicted during the pause")
    eq(c.cmd("DBSIZE"), 20000)
    eq(c.cmd("CLIENT", "UNPAUSE"), "OK")
    wait_under(c, limit)
    check(stat(c, "evicted_keys") > 0, "nothing evicted after the pause")


@fresh_server("--appendonly", "yes", "--maxmemory-policy", "allkeys-random")
@timeout(120)
def test_evictions_are_journaled(t):
    c = t.conn()
    fill(c, "k", 0, 10000, value)
    limit = used(c) - 4 * MB
    eq(c.cmd("CONFIG", "SET", "maxmemory", limit), "OK")
    wait_under(c, limit)
    evicted = stat(c, "evicted_keys")
    check(evicted > 1000, "only %d evicted" % evicted)
    keys = set(x.decode() for x in c.cmd("KEYS", "*"))
    eq(len(keys), 10000 - evicted)
    c.close()
    eq(t.server.stop(), 0)
    t.server.start()
    c = t.conn()
    eq(info(c, "memory")["maxmemory"], "0")
    eq(set(x.decode() for x in c.cmd("KEYS", "*")), keys, "the keys after a restart")


PEAK = (b"Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past this "
        b"instance used more than 150% the memory that is currently using.")


@fresh_server()
@timeout(120)
def test_memory_doctor_reports(t):
    """The same steps on a fresh redis-server and on taskkv: empty (the same
    text), 8 MB without issues, then a 38 MB peak (both report it first)."""
    c, r = t.conn(), t.conn(t.redis())
    empty = (b"Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in "
             b"these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam "
             b"and I will be back to our programming as soon as I finished rebooting.\n")
    fine = b"Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
    eq(r.cmd("MEMORY", "DOCTOR"), empty, "redis")
    eq(c.cmd("MEMORY", "DOCTOR"), empty)
    # (redis' own report at this point depends on how its RSS grew: an 8 MB
    # argument stays in its client buffers for a while, SETRANGE leaves an
    # RSS twice the data; the text is the one its binary holds)
    for conn in (r, c):
        eq(conn.cmd("SETRANGE", "big8", "7999999", "x"), 8000000)
    report = c.cmd("MEMORY", "DOCTOR")
    if t.sanitizer:   # ASan's shadow memory makes the process' RSS much larger than its allocations
        check(report == fine or b" * High total RSS: " in report, "MEMORY DOCTOR at 8 MB: %r" % report[:200])
    else:
        eq(report, fine)
    for conn in (r, c):
        eq(conn.cmd("SETRANGE", "big30", "29999999", "y"), 30000000)
        eq(conn.cmd("DEL", "big30"), 1)
    time.sleep(0.3)   # redis' figures are sampled by its cron, 10 times a second
    check(r.cmd("MEMORY", "DOCTOR").startswith(PEAK), "redis' report after a peak")
    report = c.cmd("MEMORY", "DOCTOR")
    check(report.startswith(PEAK), "the report after a peak: %r" % report[:200])
    check(b"otherwise the only other option is to shutdown and restart the instance.\n\n" in report,
          "the peak paragraph's end: %r" % report[:1000])
    check(report.endswith(b".\n\nI'm here to keep you safe, Sam. I want to help you.\n"),
          "the report's end: %r" % report[-200:])
    stats = c.cmd("MEMORY", "STATS")
    names = stats[0::2]
    eq(names[:10], [b"peak.allocated", b"total.allocated", b"startup.allocated", b"replication.backlog",
                    b"clients.slaves", b"clients.normal", b"cluster.links", b"aof.buffer", b"lua.caches",
                    b"functions.caches"])
    eq(names[10], b"db.0")
    d = dict(zip(names, stats[1::2]))
    check(d[b"peak.allocated"] >= 38000000, "peak.allocated %d after a 38 MB peak" % d[b"peak.allocated"])
    check(8000000 < d[b"total.allocated"] < 13 * MB, "total.allocated %d" % d[b"total.allocated"])
    eq(d[b"keys.count"], 1)
    usage = c.cmd("MEMORY", "USAGE", "big8")
    check(8000000 <= usage <= 10 * MB + 1024, "MEMORY USAGE of an 8 MB string: %d" % usage)


@fresh_server()
def test_memory_malloc_stats_and_purge(t):
    c = t.conn()
    allocator = info(c, "memory")["mem_allocator"]
    r = c.cmd("MEMORY", "MALLOC-STATS")
    if allocator.startswith("jemalloc"):
        check(isinstance(r, bytes) and r.startswith(b"___ Begin jemalloc statistics ___\n")
              and r.rstrip().endswith(b"--- End jemalloc statistics ---"), "MALLOC-STATS: %r" % r[:100])
    else:
        eq(r, "Stats not supported for the current allocator")
    eq(c.cmd("MEMORY", "PURGE"), "OK")
    c.cmd("HELLO", "3")
    r = c.cmd("MEMORY", "DOCTOR")
    check(isinstance(r, Verbatim) and r.fmt == b"txt", "MEMORY DOCTOR in RESP3: %r" % (r,))
