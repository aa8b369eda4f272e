"""Real clients' pub/sub and transactions against taskkv (issue 4):

  redis-py 4.3.4 (python3-redis)  PubSub: subscribe, psubscribe, get_message,
                                  run_in_thread, the health-check PING in
                                  subscribed mode, kombu's UNSUBSCRIBE of a
                                  name it only p-subscribed; pipeline() with
                                  transaction=True, watch() + multi() with
                                  WatchError and a retry loop, transaction()
  Celery 5.2 (python3-celery)     the redis result backend: the producer
                                  SUBSCRIBEs to celery-task-meta-<id>, the
                                  worker stores the result with MULTI SETEX
                                  PUBLISH EXEC, AsyncResult.get() receives
                                  it over pub/sub
  RQ 1.13 (python3-rq)            enqueue, a dependent job, a failing job,
                                  `rq worker --burst`: RQ's WATCH/MULTI
                                  pipelines, its worker's pub/sub channel

Where the outcome is fully determined, the same client session runs against
the reference redis-server 7.0.15 and must give the same result. The
Celery and RQ tests run the client code with /usr/bin/python3 in
subprocesses (Debian's packages); a client test is skipped only when its
Debian package is not installed (tests/install_deps.sh installs them).
Celery's broker is kombu's filesystem transport: the broker needs Lua
(kombu's unacked-restore lock releases with EVALSHA), which taskkv has not
yet; only the result backend talks to the server.
"""

import json
import os
import subprocess
import sys
import threading
import time

from harness import Conn, Skip, check, eq, eq_list, parse_info

try:
    import redis
except ImportError:   # reported per test
    redis = None

CLIENT_PYTHON = "/usr/bin/python3"


def client(t, server=None, **kw):
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    s = server or t.server
    kw.setdefault("socket_timeout", 10)
    return t.track(redis.Redis(host="127.0.0.1", port=s.port, **kw))


def on_both(t, session):
    """Runs session(t, server) against the shared taskkv and the reference
    redis-server; both must return the same value. Returns it."""
    want = session(t, t.shared_redis())
    got = session(t, t.server)
    eq_list(got, want, "%s: taskkv vs redis-server 7.0.15" % session.__name__)
    return got


def wait_until(cond, what, timeout_s=10.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.01)
    raise AssertionError("timed out waiting for %s" % what)


def commandstats(server):
    """{command: calls} from INFO commandstats."""
    c = Conn(port=server.port)
    try:
        text = c.cmd("INFO", "commandstats")
    finally:
        c.close()
    out = {}
    for k, v in parse_info(text).items():
        if k.startswith("cmdstat_"):
            out[k[len("cmdstat_"):]] = int(v.split("calls=")[1].split(",")[0])
    return out


def stats_delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}


# ---------------------------------------------------------------------------
# redis-py PubSub
# ---------------------------------------------------------------------------

def pubsub_session(t, server):
    """One PubSub object through subscribe/psubscribe/get_message/ping/
    unsubscribe; returns everything it received, in order."""
    r = client(t, server)
    p = r.pubsub()
    got = []

    def msg(timeout=5.0):
        m = p.get_message(timeout=timeout)
        got.append(m)
        return m

    got.append(("get_message before subscribing", p.get_message(timeout=0.05)))
    p.subscribe("a", "b")
    msg(), msg()
    got.append(("nothing pending", p.get_message(timeout=0.05)))
    got.append(("publish a", r.publish("a", "hello")))
    msg()
    got.append(("publish binary", r.publish("b", b"\x00\xff\r\n")))
    msg()
    p.psubscribe("p.*")
    msg()
    got.append(("publish p.x", r.publish("p.x", "px")))
    msg()
    # kombu's fanout: PSUBSCRIBE an exact name, later UNSUBSCRIBE it (never
    # SUBSCRIBEd): a normal confirmation, and the pattern keeps delivering
    p.psubscribe("/0.celeryev/worker.*")
    msg()
    got.append(("publish heartbeat", r.publish("/0.celeryev/worker.heartbeat", '{"hostname": "w1"}')))
    msg()
    p.unsubscribe("/0.celeryev/worker.*")
    msg()
    got.append(("publish heartbeat again", r.publish("/0.celeryev/worker.heartbeat", "2")))
    msg()
    p.punsubscribe("/0.celeryev/worker.*")
    msg()
    got.append(("publish heartbeat after punsubscribe", r.publish("/0.celeryev/worker.heartbeat", "3")))
    p.ping("x")
    msg()
    p.ping()
    msg()
    got.append(("numsub", sorted(r.pubsub_numsub("a", "b", "c"))))
    got.append(("numpat", r.pubsub_numpat()))
    p.unsubscribe()
    both = [p.get_message(timeout=5), p.get_message(timeout=5)]     # in the server's hash order
    got.append(("unsubscribe all", sorted((m["channel"], m["type"]) for m in both)))
    got.append(("counts", [m["data"] for m in both]))
    got.append(("still subscribed (the pattern)", p.subscribed))
    p.punsubscribe()
    msg()
    got.append(("subscribed", p.subscribed))
    got.append(("get_message after leaving", p.get_message(timeout=0.05)))
    p.close()
    return got


def test_pubsub_get_message_same_as_redis(t):
    got = on_both(t, pubsub_session)
    # the parts the clients depend on, spelled out
    check({"type": "subscribe", "pattern": None, "channel": b"a", "data": 1} in got, "subscribe confirmation")
    check({"type": "message", "pattern": None, "channel": b"b", "data": b"\x00\xff\r\n"} in got, "binary message")
    check({"type": "pmessage", "pattern": b"p.*", "channel": b"p.x", "data": b"px"} in got, "pmessage")
    check({"type": "unsubscribe", "pattern": None, "channel": b"/0.celeryev/worker.*", "data": 4} in got,
          "kombu's UNSUBSCRIBE of a p-subscribed name: %r" % got)
    check({"type": "pong", "pattern": None, "channel": None, "data": b"x"} in got, "PING x in subscribed mode")
    check({"type": "punsubscribe", "pattern": None, "channel": b"p.*", "data": 0} in got, "last punsubscribe")
    check(("publish heartbeat again", 1) in got, "the pattern still delivers after UNSUBSCRIBE of its name")


def test_pubsub_run_in_thread(t):
    """Handlers for a channel and a pattern, run by run_in_thread(); CLIENT
    LIST shows the subscriptions; closing the PubSub drops them."""
    r = client(t)
    p = r.pubsub()
    seen = {"jobs": [], "events": []}
    lock = threading.Lock()

    def on_job(m):
        with lock:
            seen["jobs"].append(m["data"])

    def on_event(m):
        with lock:
            seen["events"].append((m["channel"], m["data"]))
    p.subscribe(jobs=on_job)
    p.psubscribe(**{"events.*": on_event})
    thread = p.run_in_thread(sleep_time=0.01, daemon=True)
    wait_until(lambda: r.pubsub_numpat() == 1 and r.pubsub_numsub("jobs") == [(b"jobs", 1)], "the subscriptions")
    subs = [c for c in r.client_list() if c.get("sub") == "1"]
    eq(len(subs), 1, "CLIENT LIST: clients with sub=1")
    eq(subs[0].get("psub"), "1", "its psub")
    for i in range(200):
        eq(r.publish("jobs", "j%d" % i), 1)
        eq(r.publish("events.%d" % (i % 3), "e%d" % i), 1)
    wait_until(lambda: len(seen["jobs"]) == 200 and len(seen["events"]) == 200, "400 messages in the handlers")
    eq(seen["jobs"], [b"j%d" % i for i in range(200)], "jobs in order")
    eq(seen["events"], [(b"events.%d" % (i % 3), b"e%d" % i) for i in range(200)], "events in order")
    thread.stop()
    thread.join(10)
    check(not thread.is_alive(), "run_in_thread's thread did not stop")
    wait_until(lambda: r.pubsub_numpat() == 0 and r.pubsub_numsub("jobs") == [(b"jobs", 0)],
               "the subscriptions to go with the closed connection")
    eq(r.publish("jobs", "late"), 0)


def test_pubsub_health_check(t):
    """redis-py's health check: after health_check_interval it sends
    `PING redis-py-health-check` on the subscribed connection and swallows
    the reply only if it is exactly [pong, redis-py-health-check]."""
    r = client(t, health_check_interval=1)
    p = r.pubsub()
    p.subscribe("hc")
    eq(p.get_message(timeout=5), {"type": "subscribe", "pattern": None, "channel": b"hc", "data": 1})
    for _ in range(2):
        time.sleep(1.2)
        eq(p.get_message(timeout=0.5), None, "get_message after the interval (the health check's pong is swallowed)")
        eq(p.health_check_response_counter, 0, "health checks still waiting for their reply")
    eq(r.publish("hc", "after"), 1)
    eq(p.get_message(timeout=5), {"type": "message", "pattern": None, "channel": b"hc", "data": b"after"})
    p.close()
    # the same exchange, raw
    for server in (t.shared_redis(), t.server):
        c = t.conn(server)
        eq(c.cmd("SUBSCRIBE", "hc"), [b"subscribe", b"hc", 1], server.kind)
        eq(c.cmd("PING", "redis-py-health-check"), [b"pong", b"redis-py-health-check"], server.kind)
        eq(c.cmd("PING"), [b"pong", b""], server.kind)
        c.close()


# ---------------------------------------------------------------------------
# redis-py transactions
# ---------------------------------------------------------------------------

def outcome(fn):
    """fn()'s value, or ('raised', exception class, text)."""
    try:
        return fn()
    except redis.RedisError as e:
        return ("raised", type(e).__name__, str(e))


def transaction_session(t, server):
    r = client(t, server)
    r.flushdb()
    out = []
    pipe = r.pipeline()          # transaction=True
    pipe.set("a", 1).incr("a").lpush("l", "x", "y").get("a").exists("a", "l", "nosuch")
    out.append(("basic", pipe.execute()))
    # a runtime error does not stop the others
    pipe = r.pipeline()
    pipe.set("s", "str").incr("s").set("after", "1")
    res = pipe.execute(raise_on_error=False)
    out.append(("runtime error, in place", [("error", str(x)) if isinstance(x, Exception) else x for x in res]))
    out.append(("after it", r.get("after")))
    pipe = r.pipeline()
    pipe.set("s2", "str").incr("s2").set("after2", "1")
    out.append(("runtime error, raised", outcome(pipe.execute)))
    out.append(("after it", r.get("after2")))
    # an arity error while queueing: EXECABORT, nothing runs
    pipe = r.pipeline()
    pipe.set("q1", "1")
    pipe.execute_command("SET", "q2")
    pipe.set("q3", "3")
    out.append(("arity error", outcome(pipe.execute)))
    out.append(("nothing ran", r.exists("q1", "q3")))
    pipe = r.pipeline()
    pipe.set("q1", "1")
    pipe.execute_command("NOSUCHCOMMAND", "x")
    out.append(("unknown command", outcome(pipe.execute)))
    out.append(("nothing ran", r.exists("q1")))
    # a syntax error in the arguments is queued and fails inside EXEC
    pipe = r.pipeline()
    pipe.set("x1", "1").execute_command("SET", "x2", "v", "EX", "notanumber").set("x3", "3")
    res = pipe.execute(raise_on_error=False)
    out.append(("syntax error inside EXEC", [("error", str(x)) if isinstance(x, Exception) else x for x in res]))
    # a blocking command inside MULTI does not block
    pipe = r.pipeline()
    pipe.blpop("empty", 2).brpoplpush("empty", "dst", 2).set("b", "1")
    t0 = time.time()
    out.append(("blocking inside MULTI", pipe.execute()))
    out.append(("did not block", time.time() - t0 < 1.0))
    # PUBLISH inside MULTI is delivered at EXEC
    p = r.pubsub()
    p.subscribe("tx")
    p.get_message(timeout=5)
    pipe = r.pipeline()
    pipe.publish("tx", "one").incr("n").publish("tx", "two")
    out.append(("nothing before EXEC", p.get_message(timeout=0.05)))
    out.append(("publish inside MULTI", pipe.execute()))
    out.append(("delivered", [p.get_message(timeout=5)["data"] for _ in range(2)]))
    p.close()
    # an empty transaction
    out.append(("empty", r.pipeline().execute()))
    return out


def test_pipeline_transaction_same_as_redis(t):
    got = dict((k, v) for k, v in on_both(t, transaction_session) if k not in ("after it", "nothing ran"))
    eq(got["basic"], [True, 2, 2, b"2", 2])
    eq(got["runtime error, in place"], [True, ("error", "value is not an integer or out of range"), True])
    eq(got["arity error"][:2], ("raised", "ResponseError"))
    check("wrong number of arguments for 'set' command" in got["arity error"][2], "arity error %r" % (got["arity error"],))
    eq(got["publish inside MULTI"], [1, 1, 1])
    eq(got["delivered"], [b"one", b"two"])
    eq(got["blocking inside MULTI"], [None, None, True])


def watch_session(t, server):
    r = client(t, server)
    other = client(t, server)
    r.flushdb()
    out = []
    # the retry loop: another client changes the key once
    r.set("counter", 10)
    attempts = 0
    with r.pipeline() as pipe:
        while True:
            attempts += 1
            try:
                pipe.watch("counter")
                v = int(pipe.get("counter"))
                if attempts == 1:
                    other.incr("counter")
                pipe.multi()
                pipe.set("counter", v * 2)
                out.append(("exec", pipe.execute()))
                break
            except redis.WatchError as e:
                out.append(("WatchError", str(e)))
                continue
    out.append(("attempts", attempts))
    out.append(("counter", r.get("counter")))

    def cas(name, between):
        """WATCH name, GET it, between(), MULTI SET EXEC: the outcome."""
        with r.pipeline() as pipe:
            pipe.watch(name)
            pipe.get(name)
            between(pipe)
            pipe.multi()
            pipe.set(name, "mine")
            return outcome(pipe.execute)
    r.set("k", "v")
    out.append(("own change breaks WATCH", cas("k", lambda pipe: pipe.set("k", "changed"))))
    out.append(("no change", cas("k", lambda pipe: None)))
    out.append(("same value written", cas("k", lambda pipe: other.set("k", "mine"))))
    out.append(("other key changed", cas("k", lambda pipe: other.set("unrelated", "1"))))
    out.append(("deleted", cas("k", lambda pipe: other.delete("k"))))
    r.set("k", "v")
    out.append(("expired", cas("k", lambda pipe: (other.pexpire("k", 20), time.sleep(0.1)))))
    out.append(("missing key created", cas("nokey", lambda pipe: other.set("nokey", "x"))))
    out.append(("missing key stays missing", cas("nokey2", lambda pipe: other.delete("nokey2"))))
    r.set("k", "v")
    out.append(("flushdb", cas("k", lambda pipe: other.flushdb())))
    out.append(("flushdb of a missing key", cas("k2", lambda pipe: other.flushdb())))

    def unwatched(pipe):
        other.set("k", "x")
        pipe.unwatch()
    r.set("k", "v")
    out.append(("unwatch", cas("k", unwatched)))
    return out


def test_watch_multi_retry_same_as_redis(t):
    got = on_both(t, watch_session)
    d = {}
    for k, v in got:
        d.setdefault(k, v)
    eq(d["WatchError"], "Watched variable changed.")
    eq(d["attempts"], 2)
    eq(d["counter"], b"22")
    watch_error = ("raised", "WatchError", "Watched variable changed.")
    for what in ("own change breaks WATCH", "same value written", "deleted", "expired", "missing key created",
                 "flushdb"):
        eq(d[what], watch_error, what)
    for what in ("no change", "other key changed", "missing key stays missing", "flushdb of a missing key",
                 "unwatch"):
        eq(d[what], [True], what)


def test_transaction_helper(t):
    """Redis.transaction(func, *watches): func runs again after a WatchError;
    eight threads moving money with it lose nothing."""
    r = client(t)
    other = client(t)
    r.set("acct", 100)
    calls = []

    def withdraw(pipe):
        bal = int(pipe.get("acct"))
        calls.append(bal)
        if len(calls) == 1:
            other.incrby("acct", 5)
        pipe.multi()
        pipe.set("acct", bal - 10)
        return bal
    eq(r.transaction(withdraw, "acct", value_from_callable=True), 105)
    eq(calls, [100, 105])
    eq(r.get("acct"), b"95")

    def deposit(pipe):
        pipe.multi()
        pipe.incr("acct")
    eq(r.transaction(deposit, "acct"), [96], "transaction() without value_from_callable: EXEC's replies")

    r.mset({"a": 1000, "b": 0})
    errors = []

    def mover(n):
        c = redis.Redis(host="127.0.0.1", port=t.server.port, socket_timeout=10)
        try:
            for _ in range(25):
                def move(pipe):
                    a, b = int(pipe.get("a")), int(pipe.get("b"))
                    pipe.multi()
                    pipe.set("a", a - 1)
                    pipe.set("b", b + 1)
                c.transaction(move, "a", "b")
        except Exception as e:
            errors.append(repr(e))
        finally:
            c.close()
    threads = [threading.Thread(target=mover, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    check(not errors, "errors in the movers: %r" % errors[:3])
    eq(r.mget("a", "b"), [b"800", b"200"], "a, b after 200 moves of 1")


# ---------------------------------------------------------------------------
# Celery and RQ (Debian's packages, run with /usr/bin/python3)
# ---------------------------------------------------------------------------

def need_package(module, package):
    """Skip when the Debian package is not installed; fail when it is and
    the module does not import."""
    p = subprocess.run([CLIENT_PYTHON, "-c", "import %s" % module], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode == 0:
        return
    q = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    if b"install ok installed" not in q.stdout:
        raise Skip("%s is not installed (tests/install_deps.sh installs it)" % package)
    raise AssertionError("%s is installed but `import %s` fails with %s:\n%s"
                         % (package, module, CLIENT_PYTHON, p.stdout.decode(errors="replace")[-2000:]))


def run_client(t, script, args, env=None, timeout_s=120):
    """Runs a client script (text) with /usr/bin/python3 in t.tmpdir (extra
    environment variables: env); its last stdout line is JSON. Returns that,
    or fails with its output."""
    path = os.path.join(t.tmpdir, "client.py")
    with open(path, "w") as f:
        f.write(script)
    env = dict(os.environ, PYTHONPATH=t.tmpdir, **(env or {}))
    try:
        p = subprocess.run([CLIENT_PYTHON, path] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout_s, cwd=t.tmpdir, env=env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("the client script timed out after %ds; stderr tail:\n%s"
                             % (timeout_s, (e.stderr or b"").decode(errors="replace")[-3000:]))
    out = p.stdout.decode(errors="replace").strip()
    if p.returncode != 0 or not out:
        raise AssertionError("the client script exited %d; stdout:\n%s\nstderr tail:\n%s"
                             % (p.returncode, out[-2000:], p.stderr.decode(errors="replace")[-3000:]))
    return json.loads(out.splitlines()[-1])


CELERY_APP = r'''
import os
from celery import Celery

app = Celery("celery_app", broker="filesystem://", backend=os.environ["RESULT_BACKEND"])
_d = os.environ["BROKER_DIR"]
app.conf.broker_transport_options = {"data_folder_in": _d, "data_folder_out": _d,
                                     "data_folder_processed": os.path.join(_d, "processed"),
                                     "store_processed": False, "polling_interval": 0.05}
app.conf.worker_hijack_root_logger = False


@app.task
def add(x, y):
    return x + y


@app.task
def boom(msg):
    raise ValueError(msg)
'''

CELERY_CLIENT = r'''
import json, sys, time
import redis
import celery_app

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, db=1)
out = {}
res = celery_app.add.delay(2, 3)
chan = "celery-task-meta-" + res.id
# the backend subscribed when the task was sent, before any get()
out["numsub_after_delay"] = [n for _, n in r.pubsub_numsub(chan)]
t0 = time.time()
out["get"] = res.get(timeout=60)
out["get_s"] = time.time() - t0
out["state"] = res.state
deadline = time.time() + 10
while time.time() < deadline and r.pubsub_numsub(chan)[0][1] != 0:
    time.sleep(0.02)
out["numsub_after_get"] = [n for _, n in r.pubsub_numsub(chan)]
meta = json.loads(r.get(chan))
out["meta"] = {"status": meta["status"], "result": meta["result"], "task_id_ok": meta["task_id"] == res.id}
out["ttl_ok"] = 86000 < r.ttl(chan) <= 86400
bad = celery_app.boom.delay("bad input")
err = bad.get(timeout=60, propagate=False)
out["failure"] = [bad.state, type(err).__name__, str(err)]
many = [celery_app.add.delay(i, i) for i in range(20)]
out["many"] = [m.get(timeout=60) for m in many]
# the backend unsubscribes as each result comes in; its last UNSUBSCRIBE may still be in flight
deadline = time.time() + 10
while time.time() < deadline and r.pubsub_channels("celery-task-meta-*"):
    time.sleep(0.02)
out["pending_channels"] = sorted(c.decode() for c in r.pubsub_channels("celery-task-meta-*"))
print(json.dumps(out))
'''


def celery_round_trip(t, server):
    broker = os.path.join(t.tmpdir, "broker-%s" % server.kind)
    os.makedirs(os.path.join(broker, "processed"))
    with open(os.path.join(t.tmpdir, "celery_app.py"), "w") as f:
        f.write(CELERY_APP)
    env = dict(os.environ, PYTHONPATH=t.tmpdir, BROKER_DIR=broker,
               RESULT_BACKEND="redis://127.0.0.1:%d/1" % server.port)
    log = open(os.path.join(t.tmpdir, "celery-worker-%s.log" % server.kind), "wb")
    worker = subprocess.Popen([CLIENT_PYTHON, "-m", "celery", "-A", "celery_app", "worker", "-P", "solo", "-c", "1",
                               "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "info"],
                              stdout=log, stderr=subprocess.STDOUT, cwd=t.tmpdir, env=env)
    log.close()
    try:
        return run_client(t, CELERY_CLIENT, [server.port],
                          env={"BROKER_DIR": broker, "RESULT_BACKEND": env["RESULT_BACKEND"]})
    except AssertionError as e:
        with open(os.path.join(t.tmpdir, "celery-worker-%s.log" % server.kind), "rb") as f:
            raise AssertionError("%s\n--- celery worker log (tail) ---\n%s" % (e, f.read().decode(errors="replace")[-3000:]))
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_celery_result_backend(t):
    """Celery's redis result backend: AsyncResult.get() over pub/sub; the
    worker stores results with MULTI SETEX PUBLISH EXEC."""
    need_package("celery", "python3-celery")
    want = celery_round_trip(t, t.shared_redis())
    before = commandstats(t.server)
    got = celery_round_trip(t, t.server)
    delta = stats_delta(before, commandstats(t.server))
    eq(got["numsub_after_delay"], [1], "NUMSUB celery-task-meta-<id> right after delay(): the backend subscribed")
    eq(got["get"], 5, "AsyncResult.get()")
    eq(got["state"], "SUCCESS")
    eq(got["numsub_after_get"], [0], "NUMSUB after get(): the backend unsubscribed")
    eq(got["meta"], {"status": "SUCCESS", "result": 5, "task_id_ok": True}, "the stored celery-task-meta-<id>")
    eq(got["ttl_ok"], True, "its TTL (result_expires: one day)")
    eq(got["failure"], ["FAILURE", "ValueError", "bad input"])
    eq(got["many"], [2 * i for i in range(20)])
    eq(got["pending_channels"], [], "channels left subscribed")
    for k in ("numsub_after_delay", "get", "state", "numsub_after_get", "meta", "ttl_ok", "failure", "many",
              "pending_channels"):
        eq(got[k], want[k], "%s: taskkv vs redis-server" % k)
    for cmd, least in (("subscribe", 22), ("publish", 22), ("multi", 22), ("exec", 22), ("setex", 22)):
        check(delta.get(cmd, 0) >= least, "taskkv saw %d %s calls, expected >= %d (commandstats delta %r)"
              % (delta.get(cmd, 0), cmd.upper(), least, delta))
    t.note("taskkv commandstats: %s" % ", ".join("%s=%d" % (k, delta.get(k, 0))
                                                  for k in ("subscribe", "unsubscribe", "publish", "multi", "exec")))


RQ_JOBS = r'''
def add(x, y):
    return x + y


def boom(msg):
    raise ValueError(msg)
'''

RQ_CLIENT = r'''
import json, subprocess, sys
import redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
import rq_jobs

port = int(sys.argv[1])
url = "redis://127.0.0.1:%d/2" % port
r = redis.Redis(host="127.0.0.1", port=port, db=2)
q = Queue("default", connection=r)
out = {}
j1 = q.enqueue(rq_jobs.add, 2, 3)
j2 = q.enqueue(rq_jobs.add, 10, 20, depends_on=j1)
j3 = q.enqueue(rq_jobs.boom, "bad input")
j4 = q.enqueue(rq_jobs.add, 1, 1, result_ttl=0)
out["before"] = [j1.get_status(), j2.get_status(), j3.get_status(), len(q)]
w = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", url, "default"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
out["worker_rc"] = w.returncode
out["worker_log_tail"] = w.stdout.decode(errors="replace")[-1500:]
for j in (j1, j2, j3):
    j.refresh()
out["status"] = [j1.get_status(), j2.get_status(), j3.get_status()]
out["results"] = [j1.result, j2.result]
out["failure"] = "ValueError: bad input" in (j3.exc_info or "")
out["j4_gone"] = not Job.exists(j4.id, connection=r)
out["finished"] = sorted(FinishedJobRegistry("default", connection=r).get_job_ids()) == sorted([j1.id, j2.id])
out["failed"] = FailedJobRegistry("default", connection=r).get_job_ids() == [j3.id]
out["queue_left"] = len(q)
out["workers_left"] = len(r.smembers("rq:workers"))
print(json.dumps(out))
'''


def test_rq_enqueue_burst_worker(t):
    """RQ: enqueue (a dependent job too), `rq worker --burst`, results and
    failures; RQ's pipelines use WATCH/MULTI/EXEC and its worker SUBSCRIBEs
    to its own control channel."""
    need_package("rq", "python3-rq")
    with open(os.path.join(t.tmpdir, "rq_jobs.py"), "w") as f:
        f.write(RQ_JOBS)
    want = run_client(t, RQ_CLIENT, [t.shared_redis().port])
    before = commandstats(t.server)
    got = run_client(t, RQ_CLIENT, [t.server.port])
    delta = stats_delta(before, commandstats(t.server))
    eq(got["worker_rc"], 0, "rq worker --burst exit status; its log:\n%s" % got["worker_log_tail"])
    eq(got["before"], ["queued", "deferred", "queued", 3])
    eq(got["status"], ["finished", "finished", "failed"], "job statuses; worker log:\n%s" % got["worker_log_tail"])
    eq(got["results"], [5, 30])
    eq(got["failure"], True, "exc_info of the failed job")
    eq(got["j4_gone"], True, "the result_ttl=0 job is deleted")
    eq(got["finished"], True, "FinishedJobRegistry")
    eq(got["failed"], True, "FailedJobRegistry")
    eq(got["queue_left"], 0)
    eq(got["workers_left"], 0, "rq:workers after the burst worker left")
    for k in ("before", "status", "results", "failure", "j4_gone", "finished", "failed", "queue_left",
              "workers_left"):
        eq(got[k], want[k], "%s: taskkv vs redis-server" % k)
    for cmd, least in (("watch", 1), ("multi", 5), ("exec", 5), ("subscribe", 1)):
        check(delta.get(cmd, 0) >= least, "taskkv saw %d %s calls, expected >= %d (commandstats delta %r)"
              % (delta.get(cmd, 0), cmd.upper(), least, delta))
    t.note("taskkv commandstats: %s" % ", ".join("%s=%d" % (k, delta.get(k, 0))
                                                  for k in ("watch", "unwatch", "multi", "exec", "subscribe")))
