"""redis-cli 7.0.15 against taskkv (often compared with its output against a
real redis-server 7.0.15)."""

import os
import random
import re
import shutil
import subprocess

from harness import check, eq, fresh_server, short

REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def cli(server, *args, stdin=None, timeout_s=30, unix=None):
    if not os.access(REDIS_CLI, os.X_OK):
        raise AssertionError("redis-cli is not installed")
    where = ["-s", unix] if unix else ["-h", "127.0.0.1", "-p", str(server.port)]
    p = subprocess.run([REDIS_CLI] + where + [str(a) for a in args], input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout_s)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def both(t, fn):
    """fn(server) on taskkv and on the reference redis (both empty)."""
    ref = t.shared_redis()
    return fn(t.server), fn(ref)


def test_ping_set_get(t):
    eq(cli(t.server, "ping"), (0, "PONG\n", ""))
    eq(cli(t.server, "set", "foo", "bar"), (0, "OK\n", ""))
    eq(cli(t.server, "get", "foo"), (0, "bar\n", ""))
    eq(cli(t.server, "--no-raw", "get", "foo"), (0, '"bar"\n', ""))
    eq(cli(t.server, "--no-raw", "get", "nosuch"), (0, "(nil)\n", ""))
    eq(cli(t.server, "--no-raw", "incr", "n"), (0, "(integer) 1\n", ""))


CLI_COMMANDS = [
    ["set", "k", "hello world"], ["get", "k"], ["append", "k", "!"], ["strlen", "k"], ["getrange", "k", "0", "4"],
    ["incr", "n"], ["incrby", "n", "41"], ["decr", "n"], ["incrbyfloat", "f", "1.5"], ["incr", "k"],
    ["mset", "a", "1", "b", "2"], ["mget", "a", "b", "nosuch"], ["exists", "a", "b", "nosuch"], ["del", "a", "zz"],
    ["setex", "t", "100", "v"], ["ttl", "t"], ["type", "t"], ["type", "nosuch"], ["persist", "t"], ["ttl", "t"],
    ["setnx", "k", "x"], ["getset", "n", "0"], ["get", "n"], ["echo", "a b"], ["dbsize"], ["get"],
    ["nosuchcommand", "x"], ["set", "bin", "\x01\x02\xff"], ["get", "bin"], ["rename", "bin", "bin2"],
    ["exists", "bin"], ["select", "3"], ["keys", "nomatch*"], ["set", "e", ""], ["get", "e"], ["strlen", "e"],
    ["setrange", "r", "5", "x"], ["get", "r"], ["getdel", "r"], ["get", "r"], ["flushdb"], ["dbsize"],
]


def _session(server, mode):
    outs = []
    for cmd in CLI_COMMANDS:
        rc, out, err = cli(server, *(mode + cmd))
        outs.append((cmd[0], rc, out, err))
    return outs


def _compare(t, mode):
    got, want = both(t, lambda s: _session(s, mode))
    bad = ["%s: redis %s, taskkv %s" % (w[0], short(w[1:]), short(g[1:])) for g, w in zip(got, want) if g != w]
    check(not bad, "redis-cli %s output differs from redis-server 7.0.15 for %d commands:\n%s"
          % (" ".join(mode) or "(raw)", len(bad), "\n".join(bad)))


def test_outputs_match_redis_raw(t):
    _compare(t, [])


def test_outputs_match_redis_no_raw(t):
    _compare(t, ["--no-raw"])


def test_outputs_match_redis_resp3(t):
    """-3: redis-cli sends HELLO 3 and prints RESP3 replies."""
    _compare(t, ["-3", "--no-raw"])


def test_resp3_info_server(t):
    rc, out, err = cli(t.server, "-3", "info", "server")
    eq(rc, 0, "exit status (stderr %s)" % short(err))
    check("# Server" in out and re.search(r"^redis_version:\d+\.\d+\.\d+\r?$", out, re.M),
          "redis-cli -3 info server output: %s" % short(out))
    check("taskkv_version:" in out, "no taskkv_version in INFO server")
    rc, out, _ = cli(t.server, "-3", "--no-raw", "hello", "3")
    check(rc == 0 and '"proto"' in out and "(integer) 3" in out, "redis-cli -3 hello 3: %s" % short(out))


def test_info_server(t):
    rc, out, err = cli(t.server, "info", "server")
    eq(rc, 0)
    check(out.startswith("# Server"), "output starts %s" % short(out[:40]))
    fields = dict(l.split(":", 1) for l in out.replace("\r", "").splitlines() if ":" in l)
    for f in ("redis_version", "redis_mode", "process_id", "tcp_port", "uptime_in_seconds", "taskkv_version"):
        check(f in fields, "info server lacks %s" % f)
    eq(fields["tcp_port"], str(t.server.port))


def test_pipe_mass_insertion_10000(t):
    n = 10000
    lines = []
    for i in range(n):
        k, v = "key:%d" % i, "value:%d" % i
        lines.append("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
    data = "".join(lines).encode()
    rc, out, err = cli(t.server, "--pipe", stdin=data, timeout_s=60)
    eq(rc, 0, "redis-cli --pipe exit status (stdout %s, stderr %s)" % (short(out), short(err)))
    check("errors: 0, replies: %d" % n in out, "--pipe summary: %s" % short(out))
    eq(cli(t.server, "dbsize")[1], "%d\n" % n)
    for i in random.sample(range(n), 20):
        eq(cli(t.server, "get", "key:%d" % i)[1], "value:%d\n" % i)


def test_pipe_with_errors_matches_redis(t):
    data = (b"SET a 1\r\nINCR a\r\nNOSUCH x\r\n" + b"*2\r\n$4\r\nINCR\r\n$1\r\na\r\n" + b"GET\r\n"
            + b"SET b \"x y\"\r\nINCR b\r\n" * 3)
    got, want = both(t, lambda s: cli(s, "--pipe", stdin=data))

    def summary(r):
        return r[0], [l for l in r[1].splitlines() if l.startswith("errors:")]
    eq(summary(got), summary(want), "--pipe exit status and summary with errors (taskkv vs redis)")
    check(summary(want)[1] == ["errors: 5, replies: 11"], "reference summary %r" % (summary(want),))


def test_commands_from_stdin_match_redis(t):
    script = b"set a 1\nincr a\nget a\nset s \"two words\"\nget s\nmget a s x\nexpire a 100\nttl a\ndel a s\nget a\n"
    got, want = both(t, lambda s: cli(s, stdin=script))
    eq(got, want, "redis-cli reading commands from stdin (taskkv vs redis)")


def test_repeat_and_db_options(t):
    rc, out, _ = cli(t.server, "-r", "100", "incr", "counter")
    eq(rc, 0)
    eq(out.split(), [str(i) for i in range(1, 101)], "-r 100 incr output")
    eq(cli(t.server, "-n", "3", "set", "in3", "x")[1], "OK\n")
    eq(cli(t.server, "-n", "3", "get", "in3")[1], "x\n")
    eq(cli(t.server, "get", "in3")[1], "\n", "key of db 3 seen from db 0")
    eq(cli(t.server, "-n", "3", "dbsize")[1], "1\n")


def test_scan_and_bigkeys_match_redis(t):
    def run(s):
        for i in range(50):
            cli(s, "set", "user:%d" % i, "x" * i)
        cli(s, "set", "other", "y" * 100)
        scan = sorted(cli(s, "--scan", "--pattern", "user:*")[1].split())
        rc, out, _ = cli(s, "--bigkeys")
        summary = out[out.find("-------- summary"):] if "-------- summary" in out else out
        keep = [l for l in summary.splitlines() if l.startswith(("Sampled", "Total key", "Biggest", "0 ", "51 "))]
        return rc, scan, keep
    got, want = both(t, run)
    eq(got, want, "redis-cli --scan / --bigkeys (taskkv vs redis)")
    eq(len(want[1]), 50)


def test_unix_socket(t):
    path = os.path.join(t.tmpdir, "cli.sock")
    s = t.start_taskkv("--unixsocket", path)
    eq(cli(s, "ping", unix=path), (0, "PONG\n", ""))
    eq(cli(s, "set", "u", "1", unix=path)[1], "OK\n")
    eq(cli(s, "get", "u")[1], "1\n", "the key over TCP")


@fresh_server("--requirepass", "pw")
def test_auth_option_matches_redis(t):
    ref = t.redis("--requirepass", "pw")

    def run(s):
        return [cli(s, "ping"), cli(s, "-a", "pw", "--no-auth-warning", "ping"),
                cli(s, "-a", "bad", "--no-auth-warning", "ping"),
                cli(s, "--user", "default", "--pass", "pw", "--no-auth-warning", "set", "x", "1"),
                cli(s, "-3", "-a", "pw", "--no-auth-warning", "--no-raw", "get", "x"),
                cli(s, "-a", "pw", "--no-auth-warning", "-3", "get", "nosuch")]
    got, want = run(t.server), run(ref)
    eq(got, want, "redis-cli with requirepass (taskkv vs redis)")
    eq(got[1], (0, "PONG\n", ""))
