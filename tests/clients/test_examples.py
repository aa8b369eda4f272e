"""The runnable examples of examples/ (the seed scenarios that need only
strings and keys), each run as a user would run it, with --port, against a
taskkv server of its own; a test fails when the example exits non-zero (an
example checks every reply it relies on) or the server does not survive it.

The last test runs them all against a reference redis-server 7.0.15 as
well, so that a failure above is known to be taskkv's and not the example's.
test_every_example_is_covered fails when examples/ gains a runnable example
this module does not run."""

import os
import shutil
import subprocess
import sys

from harness import Skip, check, fresh_server, timeout

EXAMPLES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))

# (file, seconds it may take); the order of examples/README.md
RUNNABLE = [
    ("db_layout.py", 60),
    ("visit_counter.py", 60),
    ("cache_setex.py", 60),
    ("locks_setnx.py", 90),
    ("key_expiry.py", 60),
    ("redis_py_basics.py", 60),
    ("pipeline_batch.py", 60),
    ("cli_strings.sh", 60),
]


def python_with_redis():
    """The examples need redis-py: this interpreter if it has it, else
    Debian's /usr/bin/python3 (python3-redis)."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if exe and os.access(exe, os.X_OK):
            p = subprocess.run([exe, "-c", "import redis"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if p.returncode == 0:
                return exe
    raise AssertionError("no python with redis-py (python3-redis) for the examples")


def run_script(t, name, limit, server):
    """Runs examples/<name> against server as a user would (--host, --port);
    returns (exit status, or "timeout after Ns", and the output). Raises
    Skip when a shell example finds no redis-cli."""
    path = os.path.join(EXAMPLES, name)
    check(os.path.exists(path), "%s is missing" % path)
    if name.endswith(".py"):
        argv = [python_with_redis(), path]
    else:
        if not shutil.which("redis-cli"):
            raise Skip("redis-cli is not installed (redis-tools)")
        argv = ["bash", path]
    argv += ["--host", "127.0.0.1", "--port", str(server.port)]
    if t.sanitizer:
        limit *= 3
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=limit, cwd=t.tmpdir)
    except subprocess.TimeoutExpired as e:
        return "timeout after %ds" % limit, (e.stdout or b"").decode("utf-8", "replace")
    return p.returncode, p.stdout.decode("utf-8", "replace")


def run_example(t, name, limit, server=None):
    s = server or t.server
    try:
        rc, out = run_script(t, name, limit, s)
    except Skip as e:
        raise AssertionError(str(e))
    if rc != 0:
        raise AssertionError("%s exited with status %s against %s; its output (tail):\n%s"
                             % (name, rc, s.kind, out[-3000:]))
    last = out.strip().splitlines()[-1] if out.strip() else ""
    return last


def _example_test(name, limit):
    @fresh_server()
    @timeout(limit + 30)
    def test(t):
        last = run_example(t, name, limit)
        t.note("%s: %s" % (name, last))
    return test


test_db_layout = _example_test("db_layout.py", 60)
test_visit_counter = _example_test("visit_counter.py", 60)
test_cache_setex = _example_test("cache_setex.py", 60)
test_locks_setnx = _example_test("locks_setnx.py", 90)
test_key_expiry = _example_test("key_expiry.py", 60)
test_redis_py_basics = _example_test("redis_py_basics.py", 60)
test_pipeline_batch = _example_test("pipeline_batch.py", 60)
test_cli_strings = _example_test("cli_strings.sh", 60)


def test_every_example_is_covered(t):
    """Every examples/*.py (but helpers starting with _) and *.sh is run above
    or, for the collection types, by test_seed_types.py, for pub/sub and
    keyspace notifications by test_seed_pubsub.py."""
    from test_seed_pubsub import PUBSUB_EXAMPLES
    from test_seed_types import TYPE_EXAMPLES
    files = sorted(f for f in os.listdir(EXAMPLES)
                   if (f.endswith(".py") or f.endswith(".sh")) and not f.startswith("_"))
    known = sorted([n for n, _ in RUNNABLE] + [n for n, _, _ in TYPE_EXAMPLES]
                   + [n for n, _, _, _ in PUBSUB_EXAMPLES])
    check(files == known, "examples/ holds %s, this module, test_seed_types.py and test_seed_pubsub.py run %s"
          % (files, known))
    mine = sorted(k[len("test_"):] for k in globals() if k.startswith("test_") and k != "test_every_example_is_covered"
                  and k != "test_examples_are_valid_on_redis")
    check(mine == sorted(os.path.splitext(n)[0] for n, _ in RUNNABLE),
          "test functions %s do not match RUNNABLE %s" % (mine, known))
    with open(os.path.join(EXAMPLES, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    missing = [n for n in known if n not in readme]
    check(not missing, "examples/README.md does not mention %s" % missing)


@timeout(600)
def test_examples_are_valid_on_redis(t):
    """Each example also passes against redis-server 7.0.15 (taskkv-only
    commands fall back to their Redis 7.0 equivalents), so the examples
    themselves are right."""
    if not (shutil.which("redis-server") or os.access(t.runner.redis_binary, os.X_OK)):
        raise Skip("no redis-server to check the examples against")
    for name, limit in RUNNABLE:
        ref = t.redis()
        run_example(t, name, limit, server=ref)
        ref.stop()
