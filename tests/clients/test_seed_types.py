"""The list, hash, set and sorted-set scenarios of the seed notes
(/work/shared/seeds), as the runnable examples of examples/ (see
examples/README.md for which seed lines each one covers).

Each test starts a taskkv server and a reference redis-server 7.0.15 of its
own (fresh, free ports), runs the example against both, as a user would
(`--host 127.0.0.1 --port N`), and requires:
  - the example passes against redis-server (else the example is wrong and
    the test says so, rather than blaming taskkv);
  - it passes against taskkv (every example checks each reply it relies
    on, and exits 1 on the first wrong one);
  - both runs print the same thing, line for line (the examples print every
    reply they check, sorted wherever the order is not defined; the port in
    redis-cli prompts is masked), and enough of it: a run that checks little
    cannot pass.
  - taskkv exits cleanly on SIGTERM afterwards (the harness checks).
"""

import os

from harness import check, timeout
from test_examples import run_script

# (file, seconds one run may take, fewest checks it prints); the order of
# examples/README.md
TYPE_EXAMPLES = [
    ("cli_types.sh", 60, 140),
    ("list_brother.py", 60, 65),
    ("hash_users.py", 60, 50),
    ("set_friends.py", 60, 55),
    ("zset_achievements.py", 60, 45),
    ("redis_py_types.py", 60, 30),
    ("article_voting.py", 60, 24),
    ("delay_queue.py", 60, 10),
]


def run_on(t, name, limit, server):
    """Runs examples/<name> against server; returns (status, output) with
    the port in redis-cli prompts masked."""
    rc, out = run_script(t, name, limit, server)
    return rc, out.replace("127.0.0.1:%d" % server.port, "127.0.0.1:PORT")


def checks_printed(out):
    """The lines that show a checked reply ("what -> reply", "what ok",
    "prompt> command  reply")."""
    return sum(1 for l in out.splitlines()
               if " -> " in l or l.rstrip().endswith(" ok") or "127.0.0.1:PORT" in l and "> " in l)


def first_difference(ref, got):
    a, b = ref.splitlines(), got.splitlines()
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "<end of output>"
        y = b[i] if i < len(b) else "<end of output>"
        if x != y:
            ctx = "\n".join("      " + l for l in a[max(0, i - 3):i])
            return "first difference at output line %d:\n   context:\n%s\n   redis:  %s\n   taskkv: %s" % (
                i + 1, ctx, x, y)
    return None


def compare_on_both(t, name, limit, min_checks):
    ref = t.redis()
    rc, ref_out = run_on(t, name, limit, ref)
    if rc != 0:
        raise AssertionError("%s fails against redis-server 7.0.15 itself (status %s): the example is wrong\n%s"
                             % (name, rc, ref_out[-3000:]))
    ref.stop()
    n = checks_printed(ref_out)
    check(n >= min_checks, "%s printed only %d checked replies against redis (expected >= %d)" % (name, n, min_checks))
    cand = t.start_taskkv()
    rc, out = run_on(t, name, limit, cand)
    diff = first_difference(ref_out, out)
    if rc != 0:
        raise AssertionError("%s exited with status %s against taskkv; its output (tail):\n%s\n%s"
                             % (name, rc, out[-2500:], diff or ""))
    check(diff is None, "%s: taskkv's run printed something else than redis':\n%s" % (name, diff))
    last = out.strip().splitlines()[-1] if out.strip() else ""
    t.note("%s: %d checked replies, same output as on redis-server; %s" % (name, n, last))


def _test(name, limit, min_checks):
    @timeout(2 * limit + 60)
    def test(t):
        compare_on_both(t, name, limit, min_checks)
    test.__name__ = "test_" + os.path.splitext(name)[0]
    return test


test_cli_types = _test(*TYPE_EXAMPLES[0])
test_list_brother = _test(*TYPE_EXAMPLES[1])
test_hash_users = _test(*TYPE_EXAMPLES[2])
test_set_friends = _test(*TYPE_EXAMPLES[3])
test_zset_achievements = _test(*TYPE_EXAMPLES[4])
test_redis_py_types = _test(*TYPE_EXAMPLES[5])
test_article_voting = _test(*TYPE_EXAMPLES[6])
test_delay_queue = _test(*TYPE_EXAMPLES[7])


def test_every_type_example_is_tested(t):
    """The test functions above are exactly TYPE_EXAMPLES."""
    mine = sorted(k[len("test_"):] for k, v in globals().items()
                  if k.startswith("test_") and callable(v) and k != "test_every_type_example_is_tested")
    check(mine == sorted(os.path.splitext(n)[0] for n, _, _ in TYPE_EXAMPLES),
          "test functions %s do not match TYPE_EXAMPLES" % mine)
