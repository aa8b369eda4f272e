"""End to end: RQ 1.13 (Debian's python3-rq, redis-py 4.3.4) on taskkv.

taskkv reports redis_version 7.0.15, so RQ keeps job results in streams
(`XADD rq:results:<id> MAXLEN ~ 10 * ...`, read back with
`XREVRANGE ... + - COUNT 1`). The client enqueues (db 2):

  add(2, 3) with result_ttl=100     finished, return_value() 5, result
                                    stream and job hash expire in ~100 s
  add(10, 20) depending on it       deferred, then run: 30
  boom("bad input"), failure_ttl=300 failed: a FAILED Result with the
                                    traceback, FailedJobRegistry, ~300 s TTLs
  add(0, 0) depending on boom       stays deferred (DeferredJobRegistry)
  add(1, 1) with result_ttl=0       runs, then job and results are deleted
  add(4, 4) with result_ttl=-1      kept without TTL (PERSIST)
  flaky() with Retry(max=2)         fails once, is retried, succeeds
  with_meta()                       saves job.meta from inside the job
  big()                             a 200 kB return value through the stream
  add(7, 7) enqueue_at(past)        scheduled; the burst worker's scheduler
                                    (SET NX EX lock, ZRANGEBYSCORE) enqueues it

then runs `rq worker --burst --with-scheduler` (a subprocess) and reads
everything back: statuses, return_value(), latest_result(), results(),
registries, TTLs, the stream entries; finally Queue.empty() on a second
queue (RQ's Lua script via EVALSHA). The same session runs against
redis-server 7.0.15 at the same time and the outcomes must match, as must
the number of tracebacks in the two worker logs.

A second test runs a long-lived worker (`rq worker`, no --burst): its
`BLPOP rq:queue:<q> 405` is woken by an enqueue, send_stop_job_command()
stops a running job and send_shutdown_command() ends the worker, both over
the worker's pub/sub channel rq:pubsub:<name>; also compared with
redis-server. Skipped only when python3-rq is not installed.
"""

import json
import os
import subprocess
import threading

from harness import Conn, Skip, check, eq, parse_info, timeout

CLIENT_PYTHON = "/usr/bin/python3"


def need_rq():
    p = subprocess.run([CLIENT_PYTHON, "-c", "import rq, rq.results, redis"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode == 0:
        return
    q = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "python3-rq"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    if b"install ok installed" not in q.stdout:
        raise Skip("python3-rq is not installed (tests/install_deps.sh installs it)")
    raise AssertionError("python3-rq is installed but does not import with %s:\n%s"
                         % (CLIENT_PYTHON, p.stdout.decode(errors="replace")[-2000:]))


def commandstats(server):
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


JOBS = r'''
import redis
from rq import get_current_job


def add(x, y):
    return x + y


def boom(msg):
    raise ValueError(msg)


def flaky(key):
    job = get_current_job()
    n = job.connection.incr(key)
    if n == 1:
        raise RuntimeError("first attempt fails")
    return "attempt %d" % n


def with_meta():
    job = get_current_job()
    job.meta["progress"] = 100
    job.meta["note"] = "caf\u00e9"
    job.save_meta()
    return job.id


def big():
    return {"blob": bytes(range(256)) * 800, "n": 204800}


def sleepy(key, seconds):
    get_current_job().connection.rpush(key, "started")
    import time
    time.sleep(seconds)
    return "slept"
'''

CLIENT = r'''
import json, subprocess, sys, time
from datetime import datetime, timedelta, timezone
import redis
from rq import Queue, Retry
from rq.job import Job
from rq.registry import (DeferredJobRegistry, FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry,
                         StartedJobRegistry)
from rq.results import Result
import e2e_rq_jobs as jobs

port = int(sys.argv[1])
url = "redis://127.0.0.1:%d/2" % port
r = redis.Redis(host="127.0.0.1", port=port, db=2)
q = Queue("e2e", connection=r)
out = {}

j = {}
j["add"] = q.enqueue(jobs.add, 2, 3, result_ttl=100)
j["dep"] = q.enqueue(jobs.add, 10, 20, depends_on=j["add"])
j["boom"] = q.enqueue(jobs.boom, "bad input", failure_ttl=300)
j["dep_on_boom"] = q.enqueue(jobs.add, 0, 0, depends_on=j["boom"])
j["ttl0"] = q.enqueue(jobs.add, 1, 1, result_ttl=0)
j["keep"] = q.enqueue(jobs.add, 4, 4, result_ttl=-1)
j["flaky"] = q.enqueue(jobs.flaky, "e2e:flaky", retry=Retry(max=2))
j["meta"] = q.enqueue(jobs.with_meta)
j["big"] = q.enqueue(jobs.big)
j["sched"] = q.enqueue_at(datetime.now(timezone.utc) - timedelta(seconds=5), jobs.add, 7, 7)
names = sorted(j)
out["before"] = {k: j[k].get_status() for k in names}
out["queued_before"] = len(q)
out["scheduled_before"] = ScheduledJobRegistry(queue=q).get_job_ids() == [j["sched"].id]

started = time.time()
w = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--with-scheduler", "--url", url,
                    "--name", "e2e-worker", "e2e"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
out["worker_rc"] = w.returncode
log = w.stdout.decode(errors="replace")
out["worker_log"] = log[-6000:]
out["worker_tracebacks"] = log.count("Traceback (most recent call last)")

for k in names:
    if k != "ttl0":
        j[k].refresh()
out["status"] = {k: j[k].get_status(refresh=False) for k in names if k != "ttl0"}
out["return_value"] = {k: j[k].return_value() for k in ("add", "dep", "keep", "flaky", "meta", "sched")}
out["return_value_meta_is_id"] = out["return_value"].pop("meta") == j["meta"].id
out["boom_return_value"] = j["boom"].return_value()

latest = j["add"].latest_result()
out["latest_add"] = [latest.type.name, latest.return_value, latest.exc_string,
                     abs(latest.created_at.timestamp() - started) < 30, "-" in latest.id]
fl = j["boom"].latest_result()
out["latest_boom"] = [fl.type.name, fl.return_value, "ValueError: bad input" in (fl.exc_string or "")]
out["exc_info_boom"] = "ValueError: bad input" in (j["boom"].exc_info or "")
out["results_count"] = {k: len(j[k].results()) for k in ("add", "boom", "flaky", "dep")}
out["results_types_flaky"] = [x.type.name for x in j["flaky"].results()]
out["flaky_runs"] = int(r.get("e2e:flaky"))
out["xlen"] = {k: r.xlen(Result.get_key(j[k].id)) for k in ("add", "boom", "flaky")}
raw = r.xrevrange(Result.get_key(j["add"].id), "+", "-", count=1)
out["stream_fields"] = sorted(f.decode() for f in raw[0][1])
out["stream_type"] = raw[0][1][b"type"].decode()
big = j["big"].return_value()
out["big"] = [len(big["blob"]), big["blob"] == bytes(range(256)) * 800, big["n"]]
out["meta"] = j["meta"].get_meta()
out["meta"].pop("retries", None)

def ttl_class(key):
    t = r.ttl(key)
    return t if t < 0 else "~%d" % round(t, -1)
out["ttl"] = {
    "add_job": ttl_class(j["add"].key), "add_result": ttl_class(Result.get_key(j["add"].id)),
    "keep_job": ttl_class(j["keep"].key), "keep_result": ttl_class(Result.get_key(j["keep"].id)),
    "boom_job": ttl_class(j["boom"].key), "boom_result": ttl_class(Result.get_key(j["boom"].id)),
}
out["ttl0_gone"] = [Job.exists(j["ttl0"].id, connection=r), r.exists(Result.get_key(j["ttl0"].id))]

ids = {v.id: k for k, v in j.items()}
def reg(cls):
    return sorted(ids.get(x, x) for x in cls(queue=q).get_job_ids())
out["registries"] = {"finished": reg(FinishedJobRegistry), "failed": reg(FailedJobRegistry),
                     "deferred": reg(DeferredJobRegistry), "scheduled": reg(ScheduledJobRegistry),
                     "started": reg(StartedJobRegistry)}
out["queue_left"] = len(q)
out["workers_left"] = len(r.smembers("rq:workers"))
out["scheduler_lock_left"] = r.exists("rq:scheduler-lock:e2e")

# Queue.empty(): RQ's Lua script (register_script -> EVALSHA)
q2 = Queue("e2e-empty", connection=r)
extra = [q2.enqueue(jobs.add, i, i) for i in range(3)]
out["empty_returns"] = q2.empty()
out["empty_after"] = [len(q2), [Job.exists(x.id, connection=r) for x in extra]]
print(json.dumps(out))
'''

# outcomes that must be equal on taskkv and redis-server
COMPARED = ("before", "queued_before", "scheduled_before", "worker_rc", "worker_tracebacks", "status",
            "return_value", "return_value_meta_is_id", "boom_return_value", "latest_add", "latest_boom",
            "exc_info_boom", "results_count", "results_types_flaky", "flaky_runs", "xlen", "stream_fields",
            "stream_type", "big", "meta", "ttl", "ttl0_gone", "registries", "queue_left", "workers_left",
            "scheduler_lock_left", "empty_returns", "empty_after")


BLOCKING_CLIENT = r'''
import json, subprocess, sys, time
import redis
from rq import Queue
from rq.command import send_shutdown_command, send_stop_job_command
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.worker import Worker
import e2e_rq_jobs as jobs

port = int(sys.argv[1])
url = "redis://127.0.0.1:%d/2" % port
r = redis.Redis(host="127.0.0.1", port=port, db=2)
q = Queue("e2e-blocking", connection=r)
out = {}

def wait(cond, what, timeout_s=20):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise SystemExit("timed out waiting for " + what)

w = subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", url, "--name", "e2e-blocking",
                      "e2e-blocking"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
try:
    wait(lambda: r.sismember("rq:workers", "rq:worker:e2e-blocking"), "the worker to register")
    # the worker sits in BLPOP rq:queue:e2e-blocking 405; wait until it is blocked there
    wait(lambda: any(c.get("cmd") == "blpop" for c in r.client_list()), "a client blocked in BLPOP")
    out["workers"] = [x.name for x in Worker.all(connection=r)]
    t0 = time.time()
    j1 = q.enqueue(jobs.add, 20, 22)
    out["woken"] = wait(lambda: j1.get_status(refresh=True) == "finished" and j1.return_value(), "add to finish")
    out["woken_fast"] = time.time() - t0 < 5
    j2 = q.enqueue(jobs.sleepy, "e2e:sleepy", 30)
    wait(lambda: r.llen("e2e:sleepy") == 1, "sleepy to start")
    out["worker_state_busy"] = Worker.find_by_key("rq:worker:e2e-blocking", connection=r).get_state()
    send_stop_job_command(r, j2.id)     # PUBLISH rq:pubsub:e2e-blocking {"command": "stop-job", ...}
    out["stopped"] = wait(lambda: j2.get_status(refresh=True) in ("stopped", "failed") and j2.get_status(), "stop")
    out["stopped_in_failed_registry"] = j2.id in FailedJobRegistry(queue=q).get_job_ids()
    j3 = q.enqueue(jobs.add, 1, 2)
    out["after_stop"] = wait(lambda: j3.return_value(), "add after the stop")
    send_shutdown_command(r, "e2e-blocking")
    try:
        out["worker_rc"] = w.wait(15)
    except subprocess.TimeoutExpired:
        out["worker_rc"] = "still running 15 s after the shutdown command"
finally:
    if w.poll() is None:
        w.kill()
    log = w.communicate()[0].decode(errors="replace")
out["worker_log"] = log[-4000:]
out["workers_left"] = sorted(x.decode() for x in r.smembers("rq:workers"))
print(json.dumps(out))
'''


def run_client(t, server, kind, script):
    d = os.path.join(t.tmpdir, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "e2e_rq_jobs.py"), "w") as f:
        f.write(JOBS)
    path = os.path.join(d, "client.py")
    with open(path, "w") as f:
        f.write(script)
    env = dict(os.environ, PYTHONPATH=d)
    try:
        p = subprocess.run([CLIENT_PYTHON, path, str(server.port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=90, cwd=d, env=env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("the RQ client (%s) timed out; stderr tail:\n%s"
                             % (kind, (e.stderr or b"").decode(errors="replace")[-3000:]))
    text = p.stdout.decode(errors="replace").strip()
    if p.returncode != 0 or not text:
        raise AssertionError("the RQ client (%s) exited %d; stdout:\n%s\nstderr tail:\n%s"
                             % (kind, p.returncode, text[-2000:], p.stderr.decode(errors="replace")[-3000:]))
    return json.loads(text.splitlines()[-1])


def both(t, scenario):
    """scenario(t, server, kind) on the shared taskkv and, in a parallel
    thread, on the reference redis-server; returns (taskkv's, redis')."""
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
    th.join(100)
    if "taskkv" in errors:
        raise errors["taskkv"]
    if "redis" in errors:
        raise AssertionError("the same RQ session failed against redis-server (a test bug): %s"
                             % (errors["redis"],))
    check(not th.is_alive(), "the redis-server run did not finish")
    return results["taskkv"], results["redis"]


def session(t, server, kind):
    before = commandstats(server)
    out = run_client(t, server, kind, CLIENT)
    after = commandstats(server)
    out["delta"] = {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}
    return out


@timeout(120)
def test_rq_results_in_streams(t):
    need_rq()
    got, want = both(t, session)
    log = "\n--- rq worker log on taskkv (tail) ---\n%s" % got["worker_log"][-3000:]
    eq(got["worker_rc"], 0, "rq worker --burst exit status" + log)
    eq(got["before"], {"add": "queued", "dep": "deferred", "boom": "queued", "dep_on_boom": "deferred",
                       "ttl0": "queued", "keep": "queued", "flaky": "queued", "meta": "queued", "big": "queued",
                       "sched": "scheduled"}, "statuses after enqueue")
    eq(got["status"], {"add": "finished", "dep": "finished", "boom": "failed", "dep_on_boom": "deferred",
                       "keep": "finished", "flaky": "finished", "meta": "finished", "big": "finished",
                       "sched": "finished"}, "statuses after the burst worker" + log)
    eq(got["return_value"], {"add": 5, "dep": 30, "keep": 8, "flaky": "attempt 2", "sched": 14}, "return_value()")
    eq(got["return_value_meta_is_id"], True)
    eq(got["boom_return_value"], None)
    eq(got["latest_add"], ["SUCCESSFUL", 5, None, True, True], "latest_result() of add(2, 3)")
    eq(got["latest_boom"], ["FAILED", None, True], "latest_result() of the failing job")
    eq(got["exc_info_boom"], True, "exc_info of the failing job")
    eq(got["flaky_runs"], 2)
    eq(got["xlen"]["add"], 1, "XLEN rq:results:<add>")
    eq(got["stream_fields"], ["return_value", "type"], "fields of the result stream entry")
    eq(got["stream_type"], "1")
    eq(got["big"], [204800, True, 204800], "the 200 kB return value")
    eq(got["meta"], {"progress": 100, "note": "caf\u00e9"}, "job.meta saved from inside the job")
    eq(got["ttl"], {"add_job": "~100", "add_result": "~100", "keep_job": -1, "keep_result": -1,
                    "boom_job": "~300", "boom_result": "~300"}, "TTLs of job hashes and result streams")
    eq(got["ttl0_gone"], [False, 0], "the result_ttl=0 job and its results")
    eq(got["registries"], {"finished": sorted(["add", "dep", "keep", "flaky", "meta", "big", "sched"]),
                           "failed": ["boom"], "deferred": ["dep_on_boom"], "scheduled": [], "started": []},
       "registries")
    eq(got["queue_left"], 0)
    eq(got["workers_left"], 0)
    eq(got["empty_returns"], 3, "Queue.empty() (Lua)")
    eq(got["empty_after"], [0, [False, False, False]])
    for k in COMPARED:
        eq(got[k], want[k], "%s: taskkv vs redis-server 7.0.15%s" % (k, log if k == "worker_tracebacks" else ""))
    for bad in ("ResponseError", "ConnectionError", "WatchError", "TimeoutError"):
        check(bad not in got["worker_log"], "%s in the worker log%s" % (bad, log))
    d = got["delta"]
    for cmd, least in (("xadd", 8), ("xrevrange", 9), ("xlen", 3), ("evalsha", 1), ("watch", 1), ("multi", 10),
                       ("exec", 10), ("zrangebyscore", 1), ("persist", 1)):
        check(d.get(cmd, 0) >= least, "taskkv saw %d %s calls, expected >= %d (commandstats delta %r)"
              % (d.get(cmd, 0), cmd.upper(), least, d))
    eq(d.get("xadd"), want["delta"].get("xadd"), "XADD calls: taskkv vs redis-server (one per stored result)")
    t.note("taskkv commandstats: %s" % ", ".join("%s=%d" % (k, d.get(k, 0)) for k in
                                                  ("xadd", "xrevrange", "evalsha", "watch", "multi", "lpop",
                                                   "zrangebyscore")))


@timeout(90)
def test_rq_blocking_worker_commands(t):
    """A long-running (non-burst) worker: BLPOP rq:queue:<q> 405 is woken by
    an enqueue; send_stop_job_command and send_shutdown_command reach it
    over its pub/sub channel rq:pubsub:<name>."""
    need_rq()
    got, want = both(t, lambda t, server, kind: run_client(t, server, kind, BLOCKING_CLIENT))
    log = "\n--- rq worker log on taskkv (tail) ---\n%s" % got["worker_log"][-3000:]
    eq(got["workers"], ["e2e-blocking"], "Worker.all()" + log)
    eq(got["woken"], 42, "the job enqueued while the worker was blocked" + log)
    eq(got["woken_fast"], True, "BLPOP woken by RPUSH within 5 s" + log)
    eq(got["worker_state_busy"], "busy")
    eq(got["stopped"], "stopped", "status after send_stop_job_command" + log)
    eq(got["stopped_in_failed_registry"], True)
    eq(got["after_stop"], 3, "a job after the stopped one" + log)
    eq(got["worker_rc"], 0, "worker exit status after send_shutdown_command" + log)
    eq(got["workers_left"], [], "rq:workers at the end")
    for k in ("workers", "woken", "woken_fast", "worker_state_busy", "stopped", "stopped_in_failed_registry",
              "after_stop", "worker_rc", "workers_left"):
        eq(got[k], want[k], "%s: taskkv vs redis-server 7.0.15" % k)
    for bad in ("Traceback", "ResponseError", "ConnectionError", "TimeoutError"):
        check(bad not in got["worker_log"], "%s in the worker log%s" % (bad, log))
