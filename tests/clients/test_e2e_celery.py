"""End to end: a Celery 5.2 worker (Debian's python3-celery, kombu 5.2.4,
redis-py 4.3.4) with its broker AND its result backend on taskkv.

  round trip       a worker (`celery worker --pool=prefork -c 2`) on
                   redis://.../3 (broker) and redis://.../4 (results);
                   remote-control ping over the pidbox fanout (PSUBSCRIBE,
                   PUBLISH, reply list + BRPOP), delay() + result.get()
                   (the backend SUBSCRIBEs celery-task-meta-<id>), a failing
                   task raising ValueError through get(), a group, a chord
                   (ZADD/ZCOUNT .j bookkeeping), a countdown task (held
                   unacked by the worker until due), another one revoked
                   (broadcast) before its ETA, 20 tasks at once; after
                   a warm shutdown nothing is left unacked or queued.
  unacked restore  task_acks_late: worker A takes a task that sleeps and is
                   SIGKILLed while running it; once the visibility timeout
                   (2 s) has passed, worker B starts, its start-up
                   restore_visible (SET NX PX mutex, ZREVRANGEBYSCORE, WATCH
                   unacked + HGET + MULTI ZREM HDEL RPUSH EXEC, the mutex
                   released with redis-py Lock's EVALSHA script) puts the
                   message back, B runs it again (redelivered) and get()
                   returns its value (workers with --pool=solo).

Each scenario also runs against the reference redis-server 7.0.15 (in a
parallel thread) and the deterministic outcomes must match. The worker logs
must hold no traceback or error other than the failing task's own. The
worker and the client code run with /usr/bin/python3 in subprocesses;
skipped only when python3-celery is not installed.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time

from harness import Conn, Skip, check, eq, parse_info, timeout

CLIENT_PYTHON = "/usr/bin/python3"
BROKER_DB, BACKEND_DB, SIDE_DB = 3, 4, 5
VISIBILITY_TIMEOUT = 2
WORKER_NAME = "e2e@localhost"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def need_celery():
    p = subprocess.run([CLIENT_PYTHON, "-c", "import celery, kombu.transport.redis, redis"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode == 0:
        return
    q = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "python3-celery"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    if b"install ok installed" not in q.stdout:
        raise Skip("python3-celery is not installed (tests/install_deps.sh installs it)")
    raise AssertionError("python3-celery is installed but does not import with %s:\n%s"
                         % (CLIENT_PYTHON, p.stdout.decode(errors="replace")[-2000:]))


def raw(server, *args, db=0):
    c = Conn(port=server.port)
    try:
        if db:
            eq(c.cmd("SELECT", db), "OK")
        return c.cmd(*args)
    finally:
        c.close()


def commandstats(server):
    out = {}
    for k, v in parse_info(raw(server, "INFO", "commandstats")).items():
        if k.startswith("cmdstat_"):
            out[k[len("cmdstat_"):]] = int(v.split("calls=")[1].split(",")[0])
    return out


def stats_delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}


def wait_for(cond, what, timeout_s, on_fail=lambda: ""):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out after %.0fs waiting for %s%s" % (timeout_s, what, on_fail()))


def both(t, scenario):
    """scenario(t, server, tag) on the shared taskkv and on the reference
    redis-server at the same time; returns (taskkv's, redis-server's)."""
    servers = {"taskkv": t.server, "redis": t.shared_redis()}
    results, errors = {}, {}

    def run(kind):
        try:
            results[kind] = scenario(t, servers[kind], kind)
        except BaseException as e:     # noqa: B902 - reported below
            errors[kind] = e
    th = threading.Thread(target=run, args=("redis",), daemon=True)
    th.start()
    run("taskkv")
    th.join(120)
    if "taskkv" in errors:
        raise errors["taskkv"]
    if "redis" in errors:
        raise AssertionError("the same scenario failed against redis-server 7.0.15 (a test bug): %s"
                             % (errors["redis"],))
    check(not th.is_alive(), "the redis-server run did not finish")
    return results["taskkv"], results["redis"]


APP = r'''
import os, time
import redis
from celery import Celery

app = Celery("e2e_celery_app", broker=os.environ["E2E_BROKER"], backend=os.environ["E2E_BACKEND"])
app.conf.update(
    broker_transport_options={"visibility_timeout": %(vt)d},
    task_acks_late=os.environ.get("E2E_ACKS_LATE") == "1",
    worker_prefetch_multiplier=1,
    result_expires=600,
    broker_connection_max_retries=3,
)
side = redis.Redis.from_url(os.environ["E2E_SIDE"])


@app.task
def add(x, y):
    return x + y


@app.task
def tsum(values):
    return sum(values)


@app.task
def boom(msg):
    raise ValueError(msg)


@app.task(bind=True)
def slow(self, key):
    """First run: note it, then sleep (the test kills the worker). Later runs
    return how many runs there were and whether the message was redelivered."""
    n = side.rpush(key, "run %%s redelivered=%%s" %% (side.llen(key) + 1,
                                                     self.request.delivery_info.get("redelivered")))
    if n == 1:
        time.sleep(60)
    return [n, side.lrange(key, 0, -1)[-1].decode()]
''' % {"vt": VISIBILITY_TIMEOUT}


class Worker:
    """A celery worker subprocess of ours, logging to a file."""

    def __init__(self, t, env, log_path, pool=("--pool=solo",)):
        self.log_path = log_path
        log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [CLIENT_PYTHON, "-m", "celery", "-A", "e2e_celery_app", "worker"] + list(pool) +
            ["-l", "info", "-n", WORKER_NAME, "--without-mingle"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=t.tmpdir, env=env,
            start_new_session=True)
        log.close()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_ready(self, timeout_s=30):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("the celery worker exited with %s before it was ready:\n%s"
                                     % (self.proc.returncode, self.log()[-3000:]))
            return re.search(r"\b%s ready\." % re.escape(WORKER_NAME), self.log())
        wait_for(ready, "the celery worker to be ready", timeout_s, lambda: "\n" + self.log()[-3000:])

    def stop(self, timeout_s=20):
        """Warm shutdown (SIGTERM); returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("the celery worker did not stop within %ds of SIGTERM:\n%s"
                                     % (timeout_s, self.log()[-3000:]))
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def log_problems(text, allowed=()):
    """Log records (a record starts with "[YYYY-") and other lines that show
    a problem: tracebacks, ERROR/CRITICAL records, broker connection
    trouble. A record matching one of the `allowed` regexes is fine."""
    records, cur = [], []
    for line in text.splitlines():
        if re.match(r"\[\d{4}-\d\d-\d\d ", line) and cur:
            records.append("\n".join(cur))
            cur = []
        cur.append(line)
    if cur:
        records.append("\n".join(cur))
    bad = []
    pat = re.compile(r"Traceback|: (ERROR|CRITICAL)/|Cannot connect|Connection to broker lost|Unrecoverable|"
                     r"Could not restore|ResponseError|ConnectionError|Connection refused|NOSCRIPT|Exception")
    for rec in records:
        if pat.search(rec) and not any(re.search(a, rec, re.S) for a in allowed):
            bad.append(rec)
    return bad


def client_env(t, server, kind, acks_late=False):
    base = "redis://127.0.0.1:%d/" % server.port
    return dict(os.environ, PYTHONPATH=t.tmpdir, E2E_BROKER=base + str(BROKER_DB),
                E2E_BACKEND=base + str(BACKEND_DB), E2E_SIDE=base + str(SIDE_DB),
                E2E_ACKS_LATE="1" if acks_late else "0")


def run_client(t, script, env, name, args=(), timeout_s=60):
    """Runs client code with /usr/bin/python3; its last stdout line is JSON."""
    path = os.path.join(t.tmpdir, name + ".py")
    with open(path, "w") as f:
        f.write(script)
    try:
        p = subprocess.run([CLIENT_PYTHON, path] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout_s, cwd=t.tmpdir,
                           env=env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s timed out after %ds; stderr tail:\n%s"
                             % (name, timeout_s, (e.stderr or b"").decode(errors="replace")[-3000:]))
    out = p.stdout.decode(errors="replace").strip()
    if p.returncode != 0 or not out:
        raise AssertionError("%s exited %d; stdout:\n%s\nstderr tail:\n%s"
                             % (name, p.returncode, out[-2000:], p.stderr.decode(errors="replace")[-3000:]))
    return json.loads(out.splitlines()[-1])


def write_app(t):
    path = os.path.join(t.tmpdir, "e2e_celery_app.py")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(APP)


def broker_state(server):
    """What kombu keeps in the broker db besides bindings."""
    return {
        "unacked": raw(server, "HLEN", "unacked", db=BROKER_DB),
        "unacked_index": raw(server, "ZCARD", "unacked_index", db=BROKER_DB),
        "unacked_mutex": raw(server, "EXISTS", "unacked_mutex", db=BROKER_DB),
        "queue": raw(server, "LLEN", "celery", db=BROKER_DB),
    }


# ---------------------------------------------------------------------------
# round trip
# ---------------------------------------------------------------------------

ROUND_TRIP_CLIENT = r'''
import json, sys, time
import redis
from celery import chord, group
import e2e_celery_app as m

out = {}
backend = redis.Redis.from_url(m.app.conf.result_backend)
# remote control over the pidbox fanout: PUBLISH /3.celery.pidbox, reply list + BRPOP
out["ping"] = m.app.control.ping(timeout=10, limit=1)

res = m.add.delay(2, 3)
chan = "celery-task-meta-" + res.id
out["numsub_after_delay"] = [n for _, n in backend.pubsub_numsub(chan)]
out["get"] = res.get(timeout=30)
out["state"] = res.state
meta = json.loads(backend.get(chan))
out["meta"] = [meta["status"], meta["result"], meta["task_id"] == res.id]
out["meta_ttl_ok"] = 500 < backend.ttl(chan) <= 600

bad = m.boom.delay("bad input")
try:
    bad.get(timeout=30)
    out["failure"] = "no exception"
except Exception as e:
    out["failure"] = [type(e).__name__, str(e), bad.state, "ValueError" in (bad.traceback or "")]

g = group(m.add.s(i, i) for i in range(10))()
out["group"] = g.get(timeout=30)
c = chord(m.add.s(i, 10 * i) for i in range(5))(m.tsum.s())
out["chord"] = c.get(timeout=30)

t0 = time.time()
cd = m.add.apply_async((40, 2), countdown=1)
rv = m.add.apply_async((1, 1), countdown=1.5)
m.app.control.revoke(rv.id)     # broadcast over the pidbox before its ETA
out["countdown"] = cd.get(timeout=30)
out["countdown_waited"] = time.time() - t0 >= 0.9
try:
    out["revoked"] = ["no exception", rv.get(timeout=30)]
except Exception as e:
    out["revoked"] = [type(e).__name__, rv.state]

many = [m.add.delay(i, 1) for i in range(20)]
out["many"] = [x.get(timeout=30) for x in many]

deadline = time.time() + 10
while time.time() < deadline and backend.pubsub_channels("celery-task-meta-*"):
    time.sleep(0.02)
out["channels_left"] = [x.decode() for x in backend.pubsub_channels("celery-task-meta-*")]
print(json.dumps(out))
'''


def round_trip(t, server, kind):
    write_app(t)
    env = client_env(t, server, kind)
    before = commandstats(server)
    worker = Worker(t, env, os.path.join(t.tmpdir, "worker-%s.log" % kind),
                    pool=("--pool=prefork", "--concurrency=2"))
    try:
        worker.wait_ready()
        out = run_client(t, ROUND_TRIP_CLIENT, env, "round_trip_%s" % kind)
        out["worker_exit"] = worker.stop()
    except AssertionError as e:
        raise AssertionError("%s\n--- celery worker log (%s, tail) ---\n%s" % (e, kind, worker.log()[-4000:]))
    finally:
        worker.kill()
    out["delta"] = stats_delta(before, commandstats(server))
    out["log"] = worker.log()
    out["broker_after"] = broker_state(server)
    out["bindings"] = sorted(x.decode(errors="replace") for x in
                             raw(server, "SMEMBERS", "_kombu.binding.celery", db=BROKER_DB))
    return out


@timeout(120)
def test_celery_round_trip(t):
    """Broker and backend on taskkv: ping, get(), failure, group, chord,
    countdown, 20 tasks; same outcomes as with redis-server."""
    need_celery()
    got, want = both(t, round_trip)
    bad = log_problems(got["log"], allowed=[r"boom\[[0-9a-f-]+\] raised unexpected: .*ValueError: bad input"])
    check(not bad, "problems in the worker's log on taskkv:\n%s" % "\n".join(bad)[-4000:])
    check("Connected to redis://127.0.0.1:%d/%d" % (t.server.port, BROKER_DB) in got["log"],
          "the worker's log has no 'Connected to' line for the broker")
    eq(got["ping"], [{WORKER_NAME: {"ok": "pong"}}], "app.control.ping()")
    eq(got["numsub_after_delay"], [1], "NUMSUB celery-task-meta-<id> after delay(): the backend subscribed")
    eq(got["get"], 5, "add.delay(2, 3).get()")
    eq(got["state"], "SUCCESS")
    eq(got["meta"], ["SUCCESS", 5, True], "celery-task-meta-<id> in the backend db")
    eq(got["meta_ttl_ok"], True, "its TTL (result_expires=600)")
    eq(got["failure"], ["ValueError", "bad input", "FAILURE", True], "a failing task through get()")
    eq(got["group"], [2 * i for i in range(10)], "group")
    eq(got["chord"], sum(11 * i for i in range(5)), "chord")
    eq(got["countdown"], 42, "countdown=1")
    eq(got["countdown_waited"], True, "the countdown task ran no earlier than its ETA")
    eq(got["revoked"], ["TaskRevokedError", "REVOKED"], "a countdown task revoked before its ETA")
    eq(got["many"], [i + 1 for i in range(20)], "20 tasks")
    eq(got["channels_left"], [], "result channels still subscribed")
    eq(got["worker_exit"], 0, "worker exit status after SIGTERM")
    eq(got["broker_after"], {"unacked": 0, "unacked_index": 0, "unacked_mutex": 0, "queue": 0},
       "the broker db after the warm shutdown")
    eq(got["bindings"], ["celery\x06\x16\x06\x16celery"], "_kombu.binding.celery")
    for k in ("ping", "numsub_after_delay", "get", "state", "meta", "meta_ttl_ok", "failure", "group", "chord",
              "countdown", "countdown_waited", "revoked", "many", "channels_left", "worker_exit", "broker_after",
              "bindings"):
        eq(got[k], want[k], "%s: taskkv vs redis-server 7.0.15" % k)
    d = got["delta"]
    for cmd, least in (("brpop", 1), ("lpush", 35), ("psubscribe", 1), ("subscribe", 30), ("publish", 35),
                       ("multi", 35), ("exec", 35), ("zadd", 35), ("evalsha", 1), ("setex", 35), ("zcount", 5)):
        check(d.get(cmd, 0) >= least, "taskkv saw %d %s calls, expected >= %d (commandstats delta %r)"
              % (d.get(cmd, 0), cmd.upper(), least, d))
    t.note("taskkv commandstats: %s" % ", ".join("%s=%d" % (k, d.get(k, 0)) for k in
                                                  ("brpop", "lpush", "psubscribe", "publish", "subscribe",
                                                   "multi", "evalsha", "script|load")))


# ---------------------------------------------------------------------------
# unacked restore after a killed worker
# ---------------------------------------------------------------------------

SEND_CLIENT = r'''
import json
import e2e_celery_app as m
print(json.dumps({"id": m.slow.delay("e2e:runs").id}))
'''

GET_CLIENT = r'''
import json, sys
import e2e_celery_app as m
res = m.app.AsyncResult(sys.argv[1])
print(json.dumps({"get": res.get(timeout=30), "state": res.state}))
'''


def restore(t, server, kind):
    write_app(t)
    env = client_env(t, server, kind, acks_late=True)
    out = {}
    before = commandstats(server)
    a = Worker(t, env, os.path.join(t.tmpdir, "worker-a-%s.log" % kind))
    b = None
    try:
        a.wait_ready()
        task_id = run_client(t, SEND_CLIENT, env, "send_%s" % kind)["id"]
        wait_for(lambda: raw(server, "LLEN", "e2e:runs", db=SIDE_DB) == 1, "worker A to start the task", 20,
                 lambda: "\n" + a.log()[-3000:])
        out["while_running"] = broker_state(server)
        tags = raw(server, "ZRANGE", "unacked_index", 0, -1, "WITHSCORES", db=BROKER_DB)
        out["unacked_entry"] = bool(tags) and raw(server, "HEXISTS", "unacked", tags[0], db=BROKER_DB) == 1
        a.kill()
        out["a_killed_by"] = a.proc.returncode
        if tags:   # the message must look older than the visibility timeout when B starts
            delivered = float(tags[1])
            time.sleep(max(0.0, delivered + VISIBILITY_TIMEOUT + 0.3 - time.time()))
        out["after_kill"] = broker_state(server)
        b = Worker(t, env, os.path.join(t.tmpdir, "worker-b-%s.log" % kind))
        b.wait_ready()
        out.update(run_client(t, GET_CLIENT, env, "get_%s" % kind, [task_id]))
        out["runs"] = [x.decode() for x in raw(server, "LRANGE", "e2e:runs", 0, -1, db=SIDE_DB)]
        out["b_exit"] = b.stop()
        out["after"] = broker_state(server)
    except AssertionError as e:
        logs = "\n".join("--- celery worker %s log (%s, tail) ---\n%s" % (n, kind, w.log()[-3000:])
                         for n, w in (("A", a), ("B", b)) if w is not None)
        raise AssertionError("%s\n%s" % (e, logs))
    finally:
        a.kill()
        if b is not None:
            b.kill()
    out["delta"] = stats_delta(before, commandstats(server))
    out["log_a"], out["log_b"] = a.log(), b.log()
    return out


@timeout(120)
def test_celery_unacked_restore_after_kill(t):
    """task_acks_late: SIGKILL the worker running a task; a new worker
    restores the unacked message (kombu's WATCH/MULTI restore under a
    redis-py Lock released with EVALSHA) and runs it again."""
    need_celery()
    got, want = both(t, restore)
    # worker A was killed mid-task; its log must still be clean up to then
    for name in ("log_a", "log_b"):
        bad = log_problems(got[name])
        check(not bad, "problems in worker %s's log on taskkv:\n%s" % (name[-1].upper(), "\n".join(bad)[-4000:]))
    eq(got["while_running"], {"unacked": 1, "unacked_index": 1, "unacked_mutex": 0, "queue": 0},
       "the broker db while worker A runs the task")
    eq(got["unacked_entry"], True, "the unacked_index tag has its message in the unacked hash")
    eq(got["a_killed_by"], -signal.SIGKILL)
    eq(got["after_kill"], got["while_running"], "the broker db after the kill")
    eq(got["get"], [2, "run 2 redelivered=True"], "result.get() of the restored task")
    eq(got["state"], "SUCCESS")
    eq(got["runs"], ["run 1 redelivered=None", "run 2 redelivered=True"], "the task's runs")
    eq(got["b_exit"], 0, "worker B exit status after SIGTERM")
    eq(got["after"], {"unacked": 0, "unacked_index": 0, "unacked_mutex": 0, "queue": 0},
       "the broker db at the end (acked, mutex released)")
    for k in ("while_running", "unacked_entry", "a_killed_by", "after_kill", "get", "state", "runs", "b_exit",
              "after"):
        eq(got[k], want[k], "%s: taskkv vs redis-server 7.0.15" % k)
    d = got["delta"]
    for cmd, least in (("watch", 1), ("hget", 1), ("zrevrangebyscore", 2), ("evalsha", 2), ("rpush", 1),
                       ("zrem", 2), ("hdel", 2), ("set", 2)):
        check(d.get(cmd, 0) >= least, "taskkv saw %d %s calls, expected >= %d (commandstats delta %r)"
              % (d.get(cmd, 0), cmd.upper(), least, d))
    t.note("taskkv commandstats: %s" % ", ".join("%s=%d" % (k, d.get(k, 0)) for k in
                                                  ("watch", "hget", "zrevrangebyscore", "evalsha", "script|load",
                                                   "rpush")))
