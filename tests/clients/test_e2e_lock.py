"""End to end: redis-py's distributed Lock (Debian's python3-redis 4.3.4)
against taskkv. The lock acquires with SET NX PX and extends, reacquires
and releases with three Lua scripts run by EVALSHA (NOSCRIPT -> SCRIPT
LOAD -> EVALSHA the first time); kombu's unacked-restore mutex is this lock.

  semantics    acquire (non-blocking, blocking_timeout), owned/locked, the
               PX TTL, extend (added / replace_ttl), reacquire, release,
               LockError / LockNotOwnedError for unlocked, expired, stolen
               and persisted locks, the context manager, the scripts in a
               transaction pipeline (SCRIPT EXISTS + SCRIPT LOAD, EVALSHA
               inside MULTI), after SCRIPT FLUSH; the same session against
               redis-server 7.0.15 must give the same outcomes and the same
               INFO commandstats / errorstats deltas.
  contention   8 threads and 3 processes, each with its own connection and
               Lock object, increment a shared counter with GET ... SET
               under one lock (a pause between them so a lost update would
               show), extending and reacquiring while holding it; the
               counter must end exact and no two holders may overlap.
"""

import os
import subprocess
import sys
import threading
import time

from harness import Conn, check, eq, eq_list, parse_info, timeout

try:
    import redis
    from redis.exceptions import LockError
except ImportError:   # reported per test
    redis = None

CLIENT_PYTHON = "/usr/bin/python3"


def client(t, server=None, **kw):
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    s = server or t.server
    kw.setdefault("socket_timeout", 10)
    return t.track(redis.Redis(host="127.0.0.1", port=s.port, **kw))


def info_section(server, section):
    c = Conn(port=server.port)
    try:
        return parse_info(c.cmd("INFO", section))
    finally:
        c.close()


def call_stats(server):
    """{command: (calls, rejected_calls, failed_calls)} and {error: count}."""
    cmds = {}
    for k, v in info_section(server, "commandstats").items():
        if k.startswith("cmdstat_"):
            f = dict(x.split("=") for x in v.split(","))
            cmds[k[len("cmdstat_"):]] = (int(f["calls"]), int(f.get("rejected_calls", 0)),
                                         int(f.get("failed_calls", 0)))
    errs = {}
    for k, v in info_section(server, "errorstats").items():
        if k.startswith("errorstat_"):
            errs[k[len("errorstat_"):]] = int(v.split("count=")[1])
    return cmds, errs


def delta(before, after, keys):
    zero = (0, 0, 0)
    return {k: tuple(a - b for a, b in zip(after.get(k, zero), before.get(k, zero))) for k in keys}


def outcome(fn):
    try:
        return ("ok", fn())
    except redis.RedisError as e:
        return ("raised", type(e).__name__, str(e))


def ttl_bucket(ms, want_ms, slack_ms=250):
    """'~<want>' when ms is within (want - slack, want], else the value."""
    return "~%d" % want_ms if want_ms - slack_ms < ms <= want_ms else ms


# ---------------------------------------------------------------------------
# semantics, same as redis-server
# ---------------------------------------------------------------------------

def lock_session(t, server):
    r = client(t, server)
    other = client(t, server)
    r.flushdb()
    eq(r.script_flush(), True)
    out = []
    # (SET is left out of the compared commandstats: how often a blocking
    # acquire retries depends on timing)
    before = call_stats(server)

    lk = r.lock("lk", timeout=1, thread_local=False)   # released from another thread below
    out.append(("acquire", lk.acquire(blocking=False)))
    out.append(("token stored", r.get("lk") == lk.local.token))
    out.append(("pttl after acquire", ttl_bucket(r.pttl("lk"), 1000)))
    out.append(("owned, locked", lk.owned(), lk.locked()))

    lk2 = other.lock("lk", timeout=1, sleep=0.05)
    out.append(("second lock, non-blocking", lk2.acquire(blocking=False)))
    t0 = time.monotonic()
    out.append(("second lock, blocking_timeout=0.3", lk2.acquire(blocking_timeout=0.3)))
    out.append(("it waited", 0.2 < time.monotonic() - t0 < 1.0))
    out.append(("second lock owned, locked", lk2.owned(), lk2.locked()))
    out.append(("second lock release", outcome(lk2.release)))

    # the first EVALSHA after SCRIPT FLUSH: NOSCRIPT, SCRIPT LOAD, EVALSHA
    out.append(("reacquire after the wait", outcome(lk.reacquire)))
    out.append(("pttl after it", ttl_bucket(r.pttl("lk"), 1000)))
    out.append(("extend by 2 s", outcome(lambda: lk.extend(2))))
    out.append(("pttl after extend", ttl_bucket(r.pttl("lk"), 3000)))
    out.append(("extend, replace_ttl", outcome(lambda: lk.extend(5, replace_ttl=True))))
    out.append(("pttl after replace", ttl_bucket(r.pttl("lk"), 5000)))
    out.append(("reacquire", outcome(lk.reacquire)))
    out.append(("pttl after reacquire", ttl_bucket(r.pttl("lk"), 1000)))
    out.append(("extend by 0.5 s (float)", outcome(lambda: lk.extend(0.5))))
    out.append(("pttl after it", ttl_bucket(r.pttl("lk"), 1500)))

    # a waiter gets the lock as soon as the holder releases it
    def release_soon():
        time.sleep(0.2)
        lk.release()
    th = threading.Thread(target=release_soon)
    t0 = time.monotonic()
    th.start()
    out.append(("waiter acquires after release", lk2.acquire(blocking_timeout=5)))
    th.join()
    out.append(("waited for it", 0.15 < time.monotonic() - t0 < 2.0))
    out.append(("first lock owned now", lk.owned()))
    out.append(("second lock owned now", lk2.owned()))
    out.append(("release twice", outcome(lk.release)))
    out.append(("extend unlocked", outcome(lambda: lk.extend(1))))
    out.append(("reacquire unlocked", outcome(lk.reacquire)))
    out.append(("second lock release", outcome(lk2.release)))
    out.append(("key after release", r.exists("lk")))

    # expired: release/extend/reacquire raise LockNotOwnedError
    ex = r.lock("ex", timeout=0.2)
    out.append(("short lock", ex.acquire()))
    time.sleep(0.35)
    out.append(("expired: locked", ex.locked()))
    out.append(("expired: extend", outcome(lambda: ex.extend(1))))
    out.append(("expired: reacquire", outcome(ex.reacquire)))
    out.append(("expired: release", outcome(ex.release)))
    # expired and taken by someone else: the thief's lock survives
    ex.acquire()
    time.sleep(0.35)
    thief = other.lock("ex", timeout=5)
    out.append(("thief acquires", thief.acquire(blocking=False)))
    out.append(("stolen: extend", outcome(lambda: ex.extend(1))))
    out.append(("stolen: release", outcome(ex.release)))
    out.append(("thief still owns it", thief.owned(), ttl_bucket(other.pttl("ex"), 5000)))
    out.append(("thief releases", outcome(thief.release)))
    # the key lost its TTL (PERSIST): the extend script sees pttl -1 and refuses
    pl = r.lock("pl", timeout=5)
    pl.acquire()
    other.persist("pl")
    out.append(("persisted: extend", outcome(lambda: pl.extend(1))))
    out.append(("persisted: reacquire", outcome(pl.reacquire)))
    out.append(("persisted: pttl", ttl_bucket(r.pttl("pl"), 5000)))
    out.append(("persisted: release", outcome(pl.release)))
    # no timeout at all
    nt = r.lock("nt")
    nt.acquire()
    out.append(("no timeout: pttl", r.pttl("nt")))
    out.append(("no timeout: extend", outcome(lambda: nt.extend(1))))
    out.append(("no timeout: release", outcome(nt.release)))

    # the context manager
    with r.lock("cm", timeout=5, blocking_timeout=1) as held:
        out.append(("with: owned", held.owned()))
        busy = other.lock("cm", timeout=5, blocking_timeout=0.2, sleep=0.05)
        try:
            with busy:
                out.append(("with: second entered", True))
        except LockError as e:
            out.append(("with: second", type(e).__name__, str(e)))
    out.append(("with: released", r.exists("cm")))

    # the scripts in a transaction pipeline after SCRIPT FLUSH: SCRIPT
    # EXISTS + SCRIPT LOAD before MULTI, EVALSHA inside it
    pipe_lock = r.lock("pp", timeout=1)
    pipe_lock.acquire()
    token = pipe_lock.local.token
    r.script_flush()
    pipe = r.pipeline()
    redis.lock.Lock.lua_reacquire(keys=["pp"], args=[token, 7000], client=pipe)
    pipe.pttl("pp")
    redis.lock.Lock.lua_release(keys=["pp"], args=[b"not-the-token"], client=pipe)
    redis.lock.Lock.lua_release(keys=["pp"], args=[token], client=pipe)
    pipe.exists("pp")
    res = pipe.execute()
    out.append(("pipeline", res[0], ttl_bucket(res[1], 7000), res[2:]))
    # the lock's scripts by hand
    sha = redis.lock.Lock.lua_release.sha
    out.append(("script exists", r.script_exists(sha, "0" * 40)))
    out.append(("evalsha release of a missing key", r.evalsha(sha, 1, "nokey", "tok")))
    r.set("k", "tok")
    out.append(("evalsha release, wrong token", r.evalsha(sha, 1, "k", "bad"), r.get("k")))
    out.append(("evalsha release, right token", r.evalsha(sha, 1, "k", "tok"), r.get("k")))

    after = call_stats(server)
    out.append(("commandstats delta", delta(before[0], after[0], ("evalsha", "script|load", "script|exists",
                                                                   "script|flush", "multi", "exec"))))
    out.append(("errorstats delta", {k: after[1].get(k, 0) - before[1].get(k, 0)
                                     for k in set(after[1]) | set(before[1])
                                     if after[1].get(k, 0) != before[1].get(k, 0)}))
    return out


@timeout(60)
def test_lock_semantics_same_as_redis(t):
    want = lock_session(t, t.shared_redis())
    got = lock_session(t, t.server)
    eq_list(got, want, "redis-py Lock session: taskkv vs redis-server 7.0.15")
    d = dict((x[0], x[1:]) for x in got)
    eq(d["acquire"], (True,))
    eq(d["pttl after extend"], ("~3000",), "extend(2) adds to the TTL")
    eq(d["pttl after replace"], ("~5000",))
    eq(d["pttl after reacquire"], ("~1000",))
    eq(d["second lock, blocking_timeout=0.3"], (False,))
    eq(d["waiter acquires after release"], (True,))
    eq(d["release twice"], (("raised", "LockError", "Cannot release an unlocked lock"),))
    eq(d["expired: release"], (("raised", "LockNotOwnedError", "Cannot release a lock that's no longer owned"),))
    eq(d["expired: extend"], (("raised", "LockNotOwnedError", "Cannot extend a lock that's no longer owned"),))
    eq(d["stolen: release"], (("raised", "LockNotOwnedError", "Cannot release a lock that's no longer owned"),))
    eq(d["thief still owns it"], (True, "~5000"))
    eq(d["persisted: extend"], (("raised", "LockNotOwnedError", "Cannot extend a lock that's no longer owned"),))
    eq(d["with: second"], ("LockError", "Unable to acquire lock within the time specified"))
    eq(d["pipeline"], (1, "~7000", [0, 1, 0]), "reacquire, PTTL, release (wrong token), release, EXISTS")
    eq(d["evalsha release, wrong token"], (0, b"tok"))
    eq(d["evalsha release, right token"], (1, None))
    stats = d["commandstats delta"][0]
    check(stats["evalsha"][0] >= 15, "EVALSHA calls in commandstats: %r" % (stats,))
    check(stats["script|load"][0] >= 3, "SCRIPT LOAD calls in commandstats: %r" % (stats,))
    check(d["errorstats delta"][0].get("NOSCRIPT", 0) >= 1, "errorstats NOSCRIPT: %r" % (d["errorstats delta"],))
    t.note("taskkv commandstats delta (calls, rejected, failed): %s" % stats)


# ---------------------------------------------------------------------------
# contention: threads and processes
# ---------------------------------------------------------------------------

PROC_WORKER = r'''
import sys, time
import redis
port, n = int(sys.argv[1]), int(sys.argv[2])
r = redis.Redis(host="127.0.0.1", port=port, db=7, socket_timeout=10)
lk = r.lock("shared-lock", timeout=2, sleep=0.002)
for i in range(n):
    if not lk.acquire(blocking_timeout=30):
        print("acquire timed out"); sys.exit(1)
    try:
        if r.incr("holders") != 1:
            print("overlap"); sys.exit(1)
        v = int(r.get("counter") or 0)
        time.sleep(0.001)
        if i % 4 == 0:
            lk.extend(1)
        r.set("counter", v + 1)
        r.rpush("order", "p%s" % sys.argv[3])
        r.decr("holders")
    finally:
        lk.release()
print("ok")
'''


@timeout(60)
def test_lock_contention_threads_and_processes(t):
    """8 threads + 3 processes, 20 increments each, under one lock."""
    threads_n, procs_n, per = 8, 3, 20
    r = client(t, db=7)
    path = os.path.join(t.tmpdir, "lock_worker.py")
    with open(path, "w") as f:
        f.write(PROC_WORKER)
    before = call_stats(t.server)[0]
    errors = []
    inside = [0]
    overlaps = []
    guard = threading.Lock()

    def worker(n):
        c = redis.Redis(host="127.0.0.1", port=t.server.port, db=7, socket_timeout=10)
        lk = c.lock("shared-lock", timeout=2, sleep=0.002)
        try:
            for i in range(per):
                if not lk.acquire(blocking_timeout=30):
                    errors.append("thread %d: acquire timed out" % n)
                    return
                try:
                    with guard:
                        inside[0] += 1
                        if inside[0] != 1:
                            overlaps.append(inside[0])
                    if c.incr("holders") != 1:
                        overlaps.append("server-side")
                    v = int(c.get("counter") or 0)
                    time.sleep(0.001)
                    if i % 5 == 1:
                        lk.extend(1)
                    elif i % 5 == 3:
                        lk.reacquire()
                    c.set("counter", v + 1)
                    c.rpush("order", "t%d" % n)
                    c.decr("holders")
                    with guard:
                        inside[0] -= 1
                finally:
                    lk.release()
        except Exception as e:
            errors.append("thread %d: %r" % (n, e))
        finally:
            c.close()

    t0 = time.time()
    procs = [subprocess.Popen([CLIENT_PYTHON, path, str(t.server.port), str(per), str(i)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL) for i in range(procs_n)]
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(50)
        for i, p in enumerate(procs):
            out, _ = p.communicate(timeout=50)
            if p.returncode != 0 or out.decode(errors="replace").strip() != "ok":
                errors.append("process %d exited %s: %s" % (i, p.returncode, out.decode(errors="replace")[-1500:]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    elapsed = time.time() - t0
    check(not any(th.is_alive() for th in threads), "threads still running")
    check(not errors, "errors: %s" % "\n".join(errors[:5]))
    check(not overlaps, "two holders inside the lock at once: %r" % overlaps[:5])
    total = (threads_n + procs_n) * per
    eq(r.get("counter"), str(total).encode(), "the counter incremented under the lock")
    eq(r.llen("order"), total)
    order = [x.decode() for x in r.lrange("order", 0, -1)]
    eq(sorted(set(order)), sorted(["t%d" % i for i in range(threads_n)] + ["p%d" % i for i in range(procs_n)]),
       "every contender got the lock")
    eq(r.exists("shared-lock"), 0, "the lock key after the last release")
    eq(r.get("holders"), b"0")
    d = delta(before, call_stats(t.server)[0], ("evalsha", "set"))
    # one release per acquisition, plus the extends and reacquires
    check(d["evalsha"][0] >= total + threads_n * per * 2 // 5 + procs_n * per // 4,
          "EVALSHA calls %r for %d acquisitions" % (d["evalsha"], total))
    t.note("%d lock round trips by %d threads + %d processes in %.2fs; EVALSHA calls %d, SET calls %d"
           % (total, threads_n, procs_n, elapsed, d["evalsha"][0], d["set"][0]))
