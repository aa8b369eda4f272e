"""Lua scripting across connections: a script running past
busy-reply-threshold (-BUSY for the others, the commands allowed while busy,
SCRIPT KILL, UNKILLABLE once the script wrote, SHUTDOWN NOSAVE), blocked
clients served after a script's writes, a script's PUBLISH delivered, scripts
inside MULTI, EVAL/EVALSHA from many connections on one cache, and redis-py's
Lock (its EVALSHA / NOSCRIPT / SCRIPT LOAD path) against taskkv.

Every scenario whose replies are deterministic runs on taskkv and on a real
redis-server 7.0.15 and must produce the same transcript (raw reply bytes).
"""

import sys
import threading
import time

from harness import ReplyTimeout, check, encode, eq, info

BUSY = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
LOOP = "local i = 0 while true do i = i + 1 end"
WRITE_THEN_LOOP = "redis.call('set', 'w', '1') local i = 0 while true do i = i + 1 end"


def both(t, scenario, taskkv=None, redis=None):
    """Runs scenario(new_conn, admin, server) on taskkv and on redis-server
    and checks that the two transcripts are equal; returns taskkv's."""
    out = []
    for server in (taskkv or t.server, redis or t.shared_redis()):
        admin = t.conn(server)
        admin.cmd("FLUSHALL")
        out.append(scenario(lambda: t.conn(server), admin, server))
    eq(out[0], out[1], "taskkv vs redis-server transcript")
    return out[0]


def wait_busy(c, timeout_s=5.0):
    """Sends PING until it answers -BUSY (the script passed the threshold)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        r = c.cmd_raw("PING")
        if r == BUSY:
            return
        time.sleep(0.01)
    raise AssertionError("the server never answered -BUSY")


def set_threshold(c, ms):
    eq(c.cmd("CONFIG", "SET", "busy-reply-threshold", str(ms)), "OK")


# --- busy scripts -------------------------------------------------------------------------

def test_busy_then_script_kill(t):
    def run(new, admin, server):
        set_threshold(admin, 50)
        caller, other = new(), new()
        try:
            caller.send_cmd("EVAL", LOOP, "0")
            wait_busy(other)
            out = [other.cmd_raw("GET", "x"), other.cmd_raw("EVAL", "return 1", "0"),
                   other.cmd_raw("SCRIPT", "LOAD", "return 1"), other.cmd_raw("SCRIPT", "KILL", "x"),
                   other.cmd_raw("FOO"), other.cmd_raw("SHUTDOWN", "bogus"), other.cmd_raw("SHUTDOWN"),
                   other.cmd_raw("SCRIPT", "KILL")]
            out.append(caller.read_raw(5))
            out += [other.cmd_raw("PING"), caller.cmd_raw("PING"), other.cmd_raw("SCRIPT", "KILL")]
            return out
        finally:
            set_threshold(admin, 5000)
    got = both(t, run)
    eq(got[-5], b"+OK\r\n", "SCRIPT KILL")
    check(got[-4].startswith(b"-ERR Script killed by user with SCRIPT KILL... script: "), got[-4])


def test_commands_allowed_while_busy(t):
    def run(new, admin, server):
        set_threshold(admin, 50)
        caller, other, third = new(), new(), new()
        try:
            caller.send_cmd("EVAL", LOOP, "0")
            wait_busy(other)
            out = [other.cmd_raw("MULTI"), other.cmd_raw("SET", "x", "1"), other.cmd_raw("EXEC"),
                   other.cmd_raw("DISCARD"), other.cmd_raw("WATCH", "x"), other.cmd_raw("UNWATCH"),
                   other.cmd_raw("MULTI"), other.cmd_raw("DISCARD"), other.cmd_raw("EXEC"),
                   other.cmd_raw("CLIENT", "ID"), other.cmd_raw("SUBSCRIBE", "ch"), other.cmd_raw("AUTH", "x"),
                   third.cmd_raw("QUIT")]
            out.append(third.is_closed())
            out.append(other.cmd_raw("SCRIPT", "KILL"))
            out.append(caller.read_raw(5)[:50])
            out.append(other.cmd_raw("EXISTS", "x"))
            return out
        finally:
            set_threshold(admin, 5000)
    both(t, run)


def test_caller_pipeline_waits_for_the_script(t):
    def run(new, admin, server):
        set_threshold(admin, 50)
        caller, other = new(), new()
        try:
            caller.send(b"".join([
                b"*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n" % (len(LOOP), LOOP.encode()),
                b"*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n",
                b"*2\r\n$3\r\nGET\r\n$5\r\nafter\r\n"]))
            wait_busy(other)
            out = [other.cmd_raw("SCRIPT", "KILL")]
            out += [caller.read_raw(5)[:50], caller.read_raw(5), caller.read_raw(5)]
            return out
        finally:
            set_threshold(admin, 5000)
    eq(both(t, run)[-2:], [b"+OK\r\n", b"$1\r\n1\r\n"])


def test_unkillable_after_write_then_shutdown_nosave(t):
    def run(new, admin, server):
        admin.cmd("CONFIG", "SET", "busy-reply-threshold", "50")
        caller, other = new(), new()
        caller.send_cmd("EVAL", WRITE_THEN_LOOP, "0")
        wait_busy(other)
        out = [other.cmd_raw("SCRIPT", "KILL"), other.cmd_raw("SHUTDOWN"), other.cmd_raw("SHUTDOWN", "SAVE")]
        server.expect_exit = True
        other.send_cmd("SHUTDOWN", "NOSAVE")
        out.append(other.read_until_eof(10))
        out.append(caller.read_until_eof(10))
        deadline = time.time() + 10
        while server.alive() and time.time() < deadline:
            time.sleep(0.02)
        out.append(server.alive())
        return out
    got = both(t, run, t.start_taskkv(), t.redis())
    check(got[0].startswith(b"-UNKILLABLE Sorry the script already executed write commands"), got[0])
    eq(got[-3:], [(b"", True), (b"", True), False])


def test_lua_time_limit_alias_and_zero(t):
    c = t.conn()
    eq(c.cmd("CONFIG", "SET", "lua-time-limit", "0"), "OK")
    try:
        # 0: never busy; a long script simply runs to its end
        eq(c.cmd("EVAL", "local i = 0 while i < 3000000 do i = i + 1 end return i", "0"), 3000000)
        eq(c.cmd("CONFIG", "GET", "busy-reply-threshold"), [b"busy-reply-threshold", b"0"])
    finally:
        c.cmd("CONFIG", "SET", "lua-time-limit", "5000")


def test_no_expiry_while_busy(t):
    c, other = t.conn(), t.conn()
    set_threshold(c, 50)
    try:
        eq(c.cmd("SET", "short", "v", "PX", "100"), "OK")
        c.send_cmd("EVAL", "local t = redis.call('time') local s = t[1] * 1000 + t[2] / 1000 "
                   "repeat t = redis.call('time') until t[1] * 1000 + t[2] / 1000 - s > 600 "
                   "return redis.call('get', 'short')", "0")
        wait_busy(other)
        eq(c.read(5), b"v")
        eq(c.cmd("GET", "short"), None)
    finally:
        set_threshold(c, 5000)


# --- effects on other clients ------------------------------------------------------------------

def test_blocked_clients_served_after_the_script(t):
    def run(new, admin, server):
        w1, w2 = new(), new()
        w1.send_cmd("BLPOP", "q", "0")
        w2.send_cmd("BRPOP", "q", "0")
        deadline = time.time() + 3
        while int(info(admin, "clients")["blocked_clients"]) < 2 and time.time() < deadline:
            time.sleep(0.005)
        r = admin.cmd_raw("EVAL", "redis.call('lpush', 'q', 'a') redis.call('lpush', 'q', 'b') "
                          "redis.call('lpush', 'q', 'c') return redis.call('llen', 'q')", "0")
        return [r, w1.read_raw(3), w2.read_raw(3), admin.cmd_raw("LRANGE", "q", "0", "-1")]
    eq(both(t, run)[1:3], [b"*2\r\n$1\r\nq\r\n$1\r\nc\r\n", b"*2\r\n$1\r\nq\r\n$1\r\na\r\n"])


def test_blocked_client_not_served_by_a_script_that_empties_the_key(t):
    def run(new, admin, server):
        w = new()
        w.send_cmd("BLPOP", "q", "0")
        deadline = time.time() + 3
        while int(info(admin, "clients")["blocked_clients"]) < 1 and time.time() < deadline:
            time.sleep(0.005)
        r = admin.cmd_raw("EVAL", "redis.call('rpush', 'q', 'x') return redis.call('lpop', 'q')", "0")
        try:
            early = w.read_raw(0.2)
        except ReplyTimeout:
            early = None
        admin.cmd("RPUSH", "q", "later")
        return [r, early, w.read_raw(3)]
    eq(both(t, run), [b"$1\r\nx\r\n", None, b"*2\r\n$1\r\nq\r\n$5\r\nlater\r\n"])


def test_script_publish_reaches_subscribers(t):
    def run(new, admin, server):
        sub, sub3 = new(), new()
        out = [sub.cmd_raw("SUBSCRIBE", "ch"), sub3.cmd_raw("HELLO", "3")[:1], sub3.cmd_raw("PSUBSCRIBE", "c*")]
        out.append(admin.cmd_raw("EVAL", "local n = redis.call('publish', KEYS[1], ARGV[1]) "
                                 "return n + redis.call('publish', KEYS[1], ARGV[2])", "1", "ch", "one", "two"))
        out += [sub.read_raw(3), sub.read_raw(3), sub3.read_raw(3), sub3.read_raw(3)]
        return out
    eq(both(t, run)[3], b":4\r\n")


def test_scripts_inside_multi(t):
    def run(new, admin, server):
        c = new()
        out = [c.cmd_raw("MULTI"),
               c.cmd_raw("EVAL", "return redis.call('incr', KEYS[1])", "1", "n"),
               c.cmd_raw("EVAL", "return redis.call('lpush', KEYS[1], 'x')", "1", "n"),
               c.cmd_raw("EVAL", "return redis.pcall('lpush', KEYS[1], 'x')", "1", "n"),
               c.cmd_raw("SCRIPT", "LOAD", "return 'cached'"),
               c.cmd_raw("EVALSHA", "0123456789012345678901234567890123456789", "0"),
               c.cmd_raw("EVAL", "return redis.call('get', KEYS[1])", "1", "n"),
               c.cmd_raw("EXEC")]
        w = new()
        out += [w.cmd_raw("SET", "wk", "1"), w.cmd_raw("WATCH", "wk"),
                admin.cmd_raw("EVAL", "return redis.call('incr', 'wk')", "0"),
                w.cmd_raw("MULTI"), w.cmd_raw("GET", "wk"), w.cmd_raw("EXEC")]
        return out
    got = both(t, run)
    eq(got[-1], b"*-1\r\n", "a script's write breaks WATCH")


def test_eval_from_many_connections(t):
    sha = t.conn().cmd("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])")
    n_conns, per_conn = 20, 50
    errors = []

    def worker(i):
        try:
            c = t.conn()
            body = b"".join(encode("EVALSHA", sha, "1", "ctr") if j % 2 else
                            encode("EVAL", "return redis.call('incr', KEYS[1])", "1", "ctr")
                            for j in range(per_conn))
            c.send(body)
            for _ in range(per_conn):
                r = c.read(10)
                if not isinstance(r, int):
                    errors.append(r)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_conns)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    eq(errors, [])
    eq(t.conn().cmd("GET", "ctr"), str(n_conns * per_conn).encode())
    eq(t.conn().cmd("SCRIPT", "EXISTS", sha), [1])


def test_redis_py_lock(t):
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    try:
        import redis
    except ImportError:
        from harness import Skip
        raise Skip("python3-redis is not installed")
    r = redis.Redis(port=t.port)
    eq(r.script_flush(), True)
    lock = r.lock("resource", timeout=10)
    check(lock.acquire(blocking=False), "acquire")
    check(not r.lock("resource", timeout=10).acquire(blocking=False), "a second owner must fail")
    check(lock.extend(5), "extend (NOSCRIPT, then SCRIPT LOAD, then EVALSHA)")
    check(14000 < r.pttl("resource") <= 15000, "extend adds to the TTL: %s" % r.pttl("resource"))
    check(lock.extend(30, replace_ttl=True), "extend replace_ttl")
    check(29000 < r.pttl("resource") <= 30000, "replace_ttl: %s" % r.pttl("resource"))
    check(lock.reacquire(), "reacquire")
    check(9000 < r.pttl("resource") <= 10000, "reacquire resets the TTL: %s" % r.pttl("resource"))
    check(lock.owned(), "owned")
    lock.release()
    eq(r.exists("resource"), 0)
    check(lock.acquire(blocking=False), "acquire again")
    r.set("resource", "someone else")
    try:
        lock.release()
        raise AssertionError("releasing a lock owned by another token must fail")
    except redis.exceptions.LockNotOwnedError:
        pass
    eq(r.get("resource"), b"someone else")
    # the script in a transaction pipeline (SCRIPT EXISTS / LOAD first, EVALSHA inside MULTI)
    script = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    with r.pipeline(transaction=True) as p:
        script(keys=["n"], args=[5], client=p)
        script(keys=["n"], args=[2], client=p)
        eq(p.execute(), [5, 7])
    with r.lock("ctx", timeout=5, blocking_timeout=1):
        eq(r.exists("ctx"), 1)
    eq(r.exists("ctx"), 0)
