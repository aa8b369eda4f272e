"""The pub/sub and keyspace-notification scenarios of the seed notes
(/work/shared/seeds), as the runnable examples of examples/ (see
examples/README.md for which seed lines each one covers):

  pubsub_chat.py      seed 002 case 4 (chat on fm104.5), seed 001 3.6 (the
                      pub/sub command table)
  pubsub_dispatch.py  seed 003 message queue: a master PUBLISHes jobs to
                      channels, workers SUBSCRIBE, PUBLISH's count tells the
                      master whether anybody got a job
  order_timeout.py    seed 002 case 5: orders cancelled when their timer key
                      expires (__keyevent@0__:expired), the seed's 30
                      minutes shortened to 1 s (ORDER_TTL=1)

As in test_seed_types.py, each test runs the example against a fresh
redis-server 7.0.15 and a fresh taskkv (free ports), as a user would
(`--host 127.0.0.1 --port N`), and requires that it passes against
redis-server (else the example is wrong), passes against taskkv, prints the
same lines on both, and prints enough checked replies. The dispatch example
also runs as two processes (--role worker, then --role master), on both
servers, with the same requirements on each process's output.
"""

import os
import subprocess

from harness import check, timeout
from test_examples import EXAMPLES, python_with_redis, run_script
from test_seed_types import checks_printed, first_difference

# (file, seconds one run may take, fewest checks it prints, environment); the
# order of examples/README.md
PUBSUB_EXAMPLES = [
    ("pubsub_chat.py", 60, 35, {}),
    ("pubsub_dispatch.py", 90, 145, {}),
    ("order_timeout.py", 60, 30, {"ORDER_TTL": "1"}),
]


def run_with_env(t, name, limit, server, env):
    """run_script with extra environment variables for the example."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run_script(t, name, limit, server)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def compare_on_both(t, name, limit, min_checks, env):
    ref = t.redis()
    rc, ref_out = run_with_env(t, name, limit, ref, env)
    if rc != 0:
        raise AssertionError("%s fails against redis-server 7.0.15 itself (status %s): the example is wrong\n%s"
                             % (name, rc, ref_out[-3000:]))
    ref.stop()
    n = checks_printed(ref_out)
    check(n >= min_checks, "%s printed only %d checked replies against redis (expected >= %d)" % (name, n, min_checks))
    cand = t.start_taskkv()
    rc, out = run_with_env(t, name, limit, cand, env)
    diff = first_difference(ref_out, out)
    if rc != 0:
        raise AssertionError("%s exited with status %s against taskkv; its output (tail):\n%s\n%s"
                             % (name, rc, out[-2500:], diff or ""))
    check(diff is None, "%s: taskkv's run printed something else than redis':\n%s" % (name, diff))
    last = out.strip().splitlines()[-1] if out.strip() else ""
    t.note("%s: %d checked replies, same output as on redis-server; %s" % (name, n, last))


def _test(name, limit, min_checks, env):
    @timeout(2 * limit + 60)
    def test(t):
        compare_on_both(t, name, limit, min_checks, env)
    test.__name__ = "test_" + os.path.splitext(name)[0]
    return test


test_pubsub_chat = _test(*PUBSUB_EXAMPLES[0])
test_pubsub_dispatch = _test(*PUBSUB_EXAMPLES[1])
test_order_timeout = _test(*PUBSUB_EXAMPLES[2])


def run_roles(t, server, jobs=40, limit=60):
    """pubsub_dispatch.py --role worker in the background, then --role master;
    returns (master status, master output, worker status, worker output)."""
    if t.sanitizer:
        limit *= 3
    script = os.path.join(EXAMPLES, "pubsub_dispatch.py")
    base = [python_with_redis(), script, "--host", "127.0.0.1", "--port", str(server.port)]
    worker = subprocess.Popen(base + ["--role", "worker"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              cwd=t.tmpdir)
    try:
        try:
            m = subprocess.run(base + ["--role", "master", "--jobs", str(jobs)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=limit, cwd=t.tmpdir)
            m_rc, m_out = m.returncode, m.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            m_rc, m_out = "timeout after %ds" % limit, (e.stdout or b"").decode("utf-8", "replace")
        try:
            w_out, _ = worker.communicate(timeout=15)
            w_rc = worker.returncode
        except subprocess.TimeoutExpired:
            worker.kill()
            w_out, _ = worker.communicate()
            w_rc = "still running 15 s after the master ended"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    return m_rc, m_out, w_rc, w_out.decode("utf-8", "replace")


@timeout(200)
def test_pubsub_dispatch_two_processes(t):
    """The seed's roles as two processes: five workers (--role worker), then a
    master (--role master --jobs 40) that waits for them, dispatches, collects
    the results and stops them."""
    outs = {}
    for kind in ("redis", "taskkv"):
        srv = t.redis() if kind == "redis" else t.start_taskkv()
        m_rc, m_out, w_rc, w_out = run_roles(t, srv)
        if kind == "redis" and (m_rc != 0 or w_rc != 0):
            raise AssertionError("the two-process dispatch fails against redis-server itself (master %s, worker %s):"
                                 "\n%s\n%s" % (m_rc, w_rc, m_out[-2000:], w_out[-1000:]))
        check(m_rc == 0 and w_rc == 0, "against taskkv: master exited %s, workers %s\nmaster:\n%s\nworkers:\n%s"
              % (m_rc, w_rc, m_out[-2000:], w_out[-1000:]))
        outs[kind] = (m_out, w_out)
        if kind == "redis":
            srv.stop()
    for i, what in enumerate(("master", "workers")):
        diff = first_difference(outs["redis"][i], outs["taskkv"][i])
        check(diff is None, "the %s printed something else on taskkv than on redis:\n%s" % (what, diff))
    n = checks_printed(outs["redis"][0])
    check(n >= 45, "the master printed only %d checked replies" % n)
    check(outs["taskkv"][1].count(" left after ") == 5, "not all five workers reported leaving:\n%s" % outs["taskkv"][1])
    t.note("master: %d checked replies; workers: %s" % (
        n, ", ".join(l.split(" left after ")[1] for l in outs["taskkv"][1].splitlines() if " left after " in l)))


def test_every_pubsub_example_is_tested(t):
    """The example tests above are exactly PUBSUB_EXAMPLES."""
    mine = sorted(k[len("test_"):] for k, v in globals().items()
                  if k.startswith("test_") and callable(v)
                  and k not in ("test_every_pubsub_example_is_tested", "test_pubsub_dispatch_two_processes"))
    check(mine == sorted(os.path.splitext(n)[0] for n, _, _, _ in PUBSUB_EXAMPLES),
          "test functions %s do not match PUBSUB_EXAMPLES" % mine)
