#!/usr/bin/python3
"""Side-by-side throughput and CPU-per-operation comparison of taskkv and
redis-server, driven by redis-benchmark (Python 3 stdlib only).

Both servers are started on free loopback ports with the same persistence
settings (--save '' --appendonly no unless --persist), each in a temporary
directory of its own. For every test (default: PING_INLINE SET GET INCR MSET)
and pipeline depth (default -P 1 and -P 16, always -c 50) the script runs

    redis-benchmark -p PORT -t TEST -n N -c 50 -P P -r 100000 -q --csv -e

against each server, --rounds times (default 5), alternating the order: taskkv
runs first in odd rounds, redis-server first in even rounds. Around every run
it reads the server's CPU time from /proc/PID/stat (utime+stime, plus
cutime+cstime of reaped children, which stay 0 without persistence), so that
it can report the server CPU time spent per operation, independently of how
much CPU redis-benchmark took away from the server on a small machine.

Reported per test: median requests/s of each server, their ratio
taskkv/redis, server CPU microseconds per operation of each (total over all
rounds divided by the total number of operations) and that ratio; then the geometric mean of the throughput ratios and the acceptance
rule:
    1. taskkv CPU/op <= redis CPU/op on every test,
    2. geometric mean of the throughput ratios >= 1.0,
    3. no throughput ratio below 0.85.
The exit status is 0 when all three hold, 1 when one fails, 2 on a harness
error (a server that does not start, a benchmark that fails).

Not run by CI or by any test runner; see tests/bench/README.md.
"""

import argparse
import datetime
import json
import math
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLK_TCK = os.sysconf("SC_CLK_TCK")

DEFAULT_TESTS = ["PING_INLINE", "SET", "GET", "INCR", "MSET"]
# Tests whose keys come from __rand_int__; -r spreads them over many keys.
KEYED_TESTS = {"SET", "GET", "INCR", "MSET", "LPUSH", "RPUSH", "LPOP", "RPOP",
               "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN"}
NO_PERSIST = ["--save", "", "--appendonly", "no"]
# --persist: the same, durable-ish settings for both servers: Redis' default
# RDB save points plus an append-only file fsynced every second.
PERSIST = ["--save", "3600 1 300 100 60 10000", "--appendonly", "yes",
           "--appendfsync", "everysec"]
ACCEPT_MIN_RATIO = 0.85
ACCEPT_GEOMEAN = 1.0
NOISY_BACKGROUND = 0.15  # CPUs used by other processes during a run


class HarnessError(Exception):
    pass


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# A minimal RESP client (for start-up, preloading and sanity checks)
# ---------------------------------------------------------------------------

def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise HarnessError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def reply(self):
        """One decoded reply; errors are returned as ('ERR', text)."""
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return ("ERR", rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise HarnessError("unexpected reply line %r" % line)

    def call(self, *args):
        self.send(encode(*args))
        return self.reply()


def is_err(r):
    return isinstance(r, tuple) and r and r[0] == "ERR"


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------

def free_port():
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port != 6379:
            return port


def proc_cpu_seconds(pid):
    """utime+stime (+cutime+cstime) of a process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # The command name (field 2) is in parentheses and may contain spaces.
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime..cstime are fields 14..17.
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / CLK_TCK


def machine_busy_seconds():
    """CPU time (all CPUs) the machine spent busy, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    return busy / CLK_TCK


def children_cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Server:
    def __init__(self, name, path, persist_args, extra_args, cpu=None):
        self.name = name
        self.path = path
        self.args = list(persist_args) + list(extra_args)
        self.cpu = cpu
        self.proc = None
        self.port = None
        self.dir = None

    def start(self):
        for attempt in range(3):
            self.port = free_port()
            self.dir = tempfile.mkdtemp(prefix="taskkv-bench-%s-" % self.name)
            self.logpath = os.path.join(self.dir, "server.log")
            argv = [self.path, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--dir", self.dir] + self.args
            self.argv = argv
            logf = open(self.logpath, "wb")
            pre = None
            if self.cpu is not None:
                cpu = self.cpu
                pre = lambda: os.sched_setaffinity(0, {cpu})
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, cwd=self.dir,
                                         preexec_fn=pre)
            logf.close()
            deadline = time.time() + 10
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    c = Conn(self.port, timeout=2)
                    try:
                        if c.call("PING") == "PONG":
                            return
                    finally:
                        c.close()
                except (OSError, HarnessError):
                    time.sleep(0.05)
            tail = self.log_tail()
            self.stop()
            if "Address already in use" in tail or "in use" in tail:
                continue
            raise HarnessError("%s did not start (%s):\n%s" % (self.name, " ".join(map(shlex.quote, argv)), tail))
        raise HarnessError("%s: no free port after 3 attempts" % self.name)

    def log_tail(self, n=20):
        try:
            with open(self.logpath, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        if not self.alive():
            raise HarnessError("%s died; log tail:\n%s" % (self.name, self.log_tail()))
        return proc_cpu_seconds(self.proc.pid)

    def stop(self, keep_dir=False):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.dir and not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def version(self):
        try:
            out = subprocess.run([self.path, "--version"], capture_output=True, text=True, timeout=10).stdout
            return out.strip().splitlines()[0] if out.strip() else "?"
        except (OSError, subprocess.SubprocessError):
            return "?"


# ---------------------------------------------------------------------------
# Benchmark helpers
# ---------------------------------------------------------------------------

def key(i):
    # redis-benchmark writes __rand_int__ as 12 zero-padded digits.
    return "key:%012d" % i


def preload(srv, nkeys, datasize):
    """SET key:000000000000 .. key:<nkeys-1> to 'x'*datasize, as
    redis-benchmark's SET test would, so GET hits every key it asks for."""
    c = Conn(srv.port, timeout=30)
    try:
        val = "x" * datasize
        batch = 1000
        for start in range(0, nkeys, batch):
            end = min(nkeys, start + batch)
            c.send(b"".join(encode("SET", key(i), val) for i in range(start, end)))
            for _ in range(start, end):
                r = c.reply()
                if r != "OK":
                    raise HarnessError("%s: preload SET returned %r" % (srv.name, r))
    finally:
        c.close()


SANITY = {
    # test -> (command, predicate on the reply)
    "PING_INLINE": (None, lambda r: r == "PONG"),
    "PING_MBULK": (("PING",), lambda r: r == "PONG"),
    "SET": (("SET", "key:000000000000", "xxx"), lambda r: r == "OK"),
    "GET": (("GET", "key:000000000000"), lambda r: isinstance(r, bytes)),
    "INCR": (("INCR", "counter:000000000000"), lambda r: isinstance(r, int)),
    "MSET": (("MSET", "key:{tag}:000000000000", "xxx", "key:{tag}:000000000001", "xxx"),
             lambda r: r == "OK"),
    "RPUSH": (("RPUSH", "mylist", "xxx"), lambda r: isinstance(r, int)),
    "LPUSH": (("LPUSH", "mylist", "xxx"), lambda r: isinstance(r, int)),
    "SADD": (("SADD", "myset", "xxx"), lambda r: isinstance(r, int)),
    "HSET": (("HSET", "myhash", "f", "xxx"), lambda r: isinstance(r, int)),
    "ZADD": (("ZADD", "myzset", "1", "xxx"), lambda r: isinstance(r, int)),
}


def sanity_check(srv, test):
    """Make sure the server answers the benchmarked command sensibly, so an
    unimplemented command cannot pass for a very fast one."""
    cmd, ok = SANITY.get(test, (False, None))
    if cmd is False:
        return None
    c = Conn(srv.port)
    try:
        if cmd is None:  # inline PING
            c.send(b"PING\r\n")
            r = c.reply()
        else:
            r = c.call(*cmd)
    finally:
        c.close()
    if not ok(r):
        return "%s: %s answered %r" % (srv.name, test, r)
    return None


def run_benchmark(args, srv, test, n, pipeline):
    cmd = [args.benchmark, "-h", "127.0.0.1", "-p", str(srv.port), "-t", test.lower(),
           "-n", str(n), "-c", str(args.clients), "-P", str(pipeline),
           "-d", str(args.datasize), "-q", "--csv", "-e"]
    if args.keyspace > 0 and test.upper() in KEYED_TESTS:
        cmd += ["-r", str(args.keyspace)]
    pre = None
    if args.pin:
        pre = lambda: os.sched_setaffinity(0, {1})
    busy0, bench0 = machine_busy_seconds(), children_cpu_seconds()
    cpu0 = srv.cpu_seconds()
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=pre,
                       timeout=args.run_timeout)
    wall = time.monotonic() - t0
    cpu1 = srv.cpu_seconds()
    busy1, bench1 = machine_busy_seconds(), children_cpu_seconds()
    # CPU used by anything but this server and this redis-benchmark run
    # (other processes, including the other, idle, server), in CPUs.
    background = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (bench1 - bench0)) / wall if wall > 0 else 0.0
    rows, errors = [], []
    for line in p.stdout.splitlines():
        if line.startswith('"'):
            cells = [x.strip('"') for x in line.split('","')]
            rows.append(cells)
        elif line.strip():
            errors.append(line.strip())
    data = [r for r in rows[1:] if r and r[0].upper().startswith(test.upper())]
    if p.returncode != 0 or not data:
        raise HarnessError("%s on %s failed (rc=%d): %s\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), srv.name, p.returncode, test, p.stdout[-2000:], p.stderr[-2000:]))
    row = data[-1]
    return {
        "rps": float(row[1]),
        "avg_ms": float(row[2]),
        "p50_ms": float(row[4]),
        "p99_ms": float(row[6]),
        "n": n,
        "cpu_s": cpu1 - cpu0,
        "cpu_us_per_op": (cpu1 - cpu0) * 1e6 / n,
        "wall_s": wall,
        "bench_cpu_s": bench1 - bench0,
        "background_cpus": background,
        "errors": errors[:5],
        "cmd": cmd,
    }


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def machine_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def summarize(results, tests, pipelines):
    summary = []
    for test in tests:
        for p in pipelines:
            runs = results.get((test, p))
            if not runs:
                continue
            t_rps = statistics.median(r["rps"] for r in runs["taskkv"])
            r_rps = statistics.median(r["rps"] for r in runs["redis"])
            # CPU/op over all rounds (total server CPU / total operations):
            # /proc times tick every 10 ms, and summing the rounds gives a
            # finer resolution than any single run's value or their median.
            t_cpu = sum(r["cpu_s"] for r in runs["taskkv"]) * 1e6 / sum(r["n"] for r in runs["taskkv"])
            r_cpu = sum(r["cpu_s"] for r in runs["redis"]) * 1e6 / sum(r["n"] for r in runs["redis"])
            spread = lambda xs, m: (max(xs) - min(xs)) / m if m else 0.0
            summary.append({
                "test": test, "pipeline": p,
                "taskkv_rps": t_rps, "redis_rps": r_rps,
                "ratio": t_rps / r_rps if r_rps else float("nan"),
                "taskkv_cpu_us": t_cpu, "redis_cpu_us": r_cpu,
                "cpu_ratio": t_cpu / r_cpu if r_cpu else float("nan"),
                "taskkv_cpu_us_median": statistics.median(r["cpu_us_per_op"] for r in runs["taskkv"]),
                "redis_cpu_us_median": statistics.median(r["cpu_us_per_op"] for r in runs["redis"]),
                "taskkv_spread": spread([r["rps"] for r in runs["taskkv"]], t_rps),
                "redis_spread": spread([r["rps"] for r in runs["redis"]], r_rps),
                "background_cpus": statistics.median(
                    r["background_cpus"] for who in ("taskkv", "redis") for r in runs[who]),
                "errors": sorted({e for who in ("taskkv", "redis") for r in runs[who] for e in r["errors"]}),
            })
    return summary


def rules(summary):
    # The 1e-9 slack only absorbs floating-point noise (equal tick counts
    # can give different last bits); it is far below one clock tick per run.
    cpu_fail = [s for s in summary if not s["taskkv_cpu_us"] <= s["redis_cpu_us"] * (1 + 1e-9)]
    gm = geomean([s["ratio"] for s in summary])
    low = [s for s in summary if not s["ratio"] >= ACCEPT_MIN_RATIO]
    name = lambda s: "%s -P %d" % (s["test"], s["pipeline"])
    return [
        ("taskkv CPU/op <= Redis CPU/op on every test", not cpu_fail,
         "worse on: " + ", ".join("%s (%.2fx)" % (name(s), s["cpu_ratio"]) for s in cpu_fail) if cpu_fail
         else "max CPU ratio %.2f" % max(s["cpu_ratio"] for s in summary)),
        ("throughput geomean(taskkv/redis) >= %.2f" % ACCEPT_GEOMEAN, gm >= ACCEPT_GEOMEAN, "geomean %.3f" % gm),
        ("no throughput ratio below %.2f" % ACCEPT_MIN_RATIO, not low,
         "below: " + ", ".join("%s (%.2f)" % (name(s), s["ratio"]) for s in low) if low
         else "min ratio %.2f" % min(s["ratio"] for s in summary)),
    ], gm


def print_text(summary, rule_results, gm, out=sys.stdout):
    hdr = ("%-12s %3s %12s %12s %7s %10s %10s %7s" %
           ("test", "P", "taskkv rps", "redis rps", "ratio", "tk us/op", "rd us/op", "cpu x"))
    out.write(hdr + "\n" + "-" * len(hdr) + "\n")
    for s in summary:
        out.write("%-12s %3d %12.0f %12.0f %7.3f %10.3f %10.3f %7.3f\n" % (
            s["test"], s["pipeline"], s["taskkv_rps"], s["redis_rps"], s["ratio"],
            s["taskkv_cpu_us"], s["redis_cpu_us"], s["cpu_ratio"]))
    noisy = [s for s in summary if s["background_cpus"] > NOISY_BACKGROUND]
    if noisy:
        out.write("\nWARNING: other processes kept %s busy during the runs (median, in CPUs); "
                  "throughput numbers are unreliable, CPU/op much less so.\n" %
                  ", ".join("%s -P %d: %.2f" % (s["test"], s["pipeline"], s["background_cpus"]) for s in noisy))
    out.write("\ngeometric mean of throughput ratios: %.3f\n" % gm)
    out.write("(ratio = taskkv/redis throughput, higher is better; cpu x = taskkv/redis server CPU per op, lower is better)\n")
    for s in summary:
        if s["errors"]:
            out.write("server errors during %s -P %d: %s\n" % (s["test"], s["pipeline"], "; ".join(s["errors"])))
    out.write("\nAcceptance rule:\n")
    for name, ok, detail in rule_results:
        out.write("  %s  %s  (%s)\n" % ("PASS" if ok else "FAIL", name, detail))


def print_markdown(summary, rule_results, gm, meta, out=sys.stdout):
    out.write("| test | -P | taskkv req/s | Redis req/s | throughput ratio | taskkv CPU µs/op | Redis CPU µs/op | CPU ratio |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|\n")
    for s in summary:
        out.write("| %s | %d | %.0f | %.0f | %.3f | %.3f | %.3f | %.3f |\n" % (
            s["test"], s["pipeline"], s["taskkv_rps"], s["redis_rps"], s["ratio"],
            s["taskkv_cpu_us"], s["redis_cpu_us"], s["cpu_ratio"]))
    out.write("\nGeometric mean of the throughput ratios: **%.3f**\n\n" % gm)
    out.write("| acceptance rule | result | detail |\n|---|---|---|\n")
    for name, ok, detail in rule_results:
        out.write("| %s | %s | %s |\n" % (name, "**PASS**" if ok else "**FAIL**", detail))
    out.write("\nMachine: %d CPUs, %s, kernel %s; %s.  \n" % (meta["machine"]["nproc"], meta["machine"]["cpu"],
                                                          meta["machine"]["kernel"], meta["machine"]["date"]))
    out.write("Servers: %s; %s.  \n" % (meta["taskkv_version"], meta["redis_version"]))
    out.write("Command: `%s`  \n" % meta["command"])
    out.write("Per run: %s.  \n" % meta["per_run"])
    bg = [s["background_cpus"] for s in summary]
    out.write("Background load (CPU used by other processes during the runs, median per test): "
              "%.2f-%.2f CPUs; load average %s before, %s after.\n" % (
                  min(bg), max(bg), meta.get("loadavg_before", "?"), meta.get("loadavg_after", "?")))


# ---------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tests", default=",".join(DEFAULT_TESTS),
                    help="comma-separated redis-benchmark tests (default %(default)s)")
    ap.add_argument("-n", type=int, default=200000,
                    help="requests per run at -P 1 (default %(default)s)")
    ap.add_argument("--pipelined-n", type=int, default=None,
                    help="requests per run at -P > 1 (default: 5 x -n, so runs last long "
                         "enough for the 10 ms resolution of /proc CPU times)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (default %(default)s)")
    ap.add_argument("--pipelines", default="1,16", help="pipeline depths (default %(default)s)")
    ap.add_argument("-c", "--clients", type=int, default=50, help="parallel clients (default %(default)s)")
    ap.add_argument("-r", "--keyspace", type=int, default=100000,
                    help="-r for keyed tests (SET GET INCR MSET ...); 0 disables (default %(default)s)")
    ap.add_argument("-d", "--datasize", type=int, default=3, help="value size in bytes (default %(default)s)")
    ap.add_argument("--taskkv", default=os.path.join(ROOT, "build", "taskkv-server"),
                    help="taskkv-server binary (default %(default)s)")
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server",
                    help="redis-server binary (default %(default)s)")
    ap.add_argument("--benchmark", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark",
                    help="redis-benchmark binary (default %(default)s)")
    ap.add_argument("--persist", action="store_true",
                    help="run both servers with persistence on: " + " ".join(map(shlex.quote, PERSIST)))
    ap.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for both servers (repeatable), e.g. --server-arg=--hz --server-arg=10")
    ap.add_argument("--pin", action="store_true",
                    help="pin both servers to CPU 0 and redis-benchmark to CPU 1 (needs >= 2 CPUs)")
    ap.add_argument("--no-preload", action="store_true",
                    help="do not SET key:0..key:<-r - 1> before the runs (GET would then miss "
                         "the keys no SET run has written yet)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table (for docs/PERFORMANCE.md)")
    ap.add_argument("--json", metavar="FILE", help="also write all raw runs to FILE")
    ap.add_argument("--keep-dirs", action="store_true", help="keep the servers' directories and logs")
    ap.add_argument("--run-timeout", type=float, default=600, help="seconds per redis-benchmark run")
    a = ap.parse_args(argv)
    a.tests = [t.strip().upper() for t in a.tests.split(",") if t.strip()]
    a.pipelines = [int(p) for p in a.pipelines.split(",") if p.strip()]
    if a.pipelined_n is None:
        a.pipelined_n = 5 * a.n
    if a.rounds < 1 or a.n < 1 or not a.tests or not a.pipelines:
        ap.error("need at least one test, one pipeline depth, one round and -n >= 1")
    for what, path in (("--taskkv", a.taskkv), ("--redis", a.redis), ("--benchmark", a.benchmark)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error("%s: %s is not an executable file" % (what, path))
    if a.pin and (os.cpu_count() or 1) < 2:
        ap.error("--pin needs at least 2 CPUs")
    return a


def main(argv):
    args = parse_args(argv)
    persist = PERSIST if args.persist else NO_PERSIST
    servers = {
        "taskkv": Server("taskkv", os.path.abspath(args.taskkv) if os.sep in args.taskkv else args.taskkv, persist, args.server_arg, 0 if args.pin else None),
        "redis": Server("redis", args.redis, persist, args.server_arg, 0 if args.pin else None),
    }
    results = {}
    meta = {
        "machine": machine_info(),
        "command": " ".join(["tests/bench/compare.py"] + [shlex.quote(x) for x in argv]),
        "taskkv_version": servers["taskkv"].version(),
        "redis_version": servers["redis"].version(),
        "per_run": "redis-benchmark -t TEST -c %d -P 1 -n %d / -P 16 -n %d%s -d %d -q --csv; "
                   "%d alternating rounds; req/s = median of the rounds, CPU/op = total server CPU / total ops; servers started with %s" % (
                       args.clients, args.n, args.pipelined_n,
                       " -r %d (keyed tests)" % args.keyspace if args.keyspace else "",
                       args.datasize, args.rounds, " ".join(map(shlex.quote, persist + args.server_arg))),
    }
    skipped = {}
    meta["loadavg_before"] = loadavg()
    t_start = time.monotonic()
    try:
        for s in servers.values():
            s.start()
            log("started %s pid %d on port %d: %s" % (s.name, s.proc.pid, s.port, " ".join(map(shlex.quote, s.argv))))
        if args.keyspace > 0 and not args.no_preload and "GET" in args.tests:
            for s in servers.values():
                t0 = time.monotonic()
                preload(s, args.keyspace, args.datasize)
                log("preloaded %d keys into %s in %.1fs" % (args.keyspace, s.name, time.monotonic() - t0))
        for test in args.tests:
            problems = [e for e in (sanity_check(s, test) for s in servers.values()) if e]
            if problems:
                skipped[test] = problems
                log("SKIP %s: %s" % (test, "; ".join(problems)))
                continue
            for p in args.pipelines:
                n = args.n if p == 1 else args.pipelined_n
                runs = {"taskkv": [], "redis": []}
                for rnd in range(1, args.rounds + 1):
                    order = ["taskkv", "redis"] if rnd % 2 == 1 else ["redis", "taskkv"]
                    for who in order:
                        r = run_benchmark(args, servers[who], test, n, p)
                        runs[who].append(r)
                        log("%-11s -P %-2d round %d %-6s %10.0f req/s  %7.3f us/op cpu  %5.1fs  bg %.2f CPUs%s" % (
                            test, p, rnd, who, r["rps"], r["cpu_us_per_op"], r["wall_s"], r["background_cpus"],
                            ("  ERRORS: " + "; ".join(r["errors"])) if r["errors"] else ""))
                results[(test, p)] = runs
    except HarnessError as e:
        log("error: %s" % e)
        for s in servers.values():
            s.stop(keep_dir=True)
            log("%s directory kept: %s" % (s.name, s.dir))
        return 2
    except KeyboardInterrupt:
        for s in servers.values():
            s.stop(keep_dir=args.keep_dirs)
        return 130
    for s in servers.values():
        s.stop(keep_dir=args.keep_dirs)
        if args.keep_dirs:
            log("%s directory kept: %s" % (s.name, s.dir))
    meta["loadavg_after"] = loadavg()
    log("total time %.0fs" % (time.monotonic() - t_start))

    summary = summarize(results, args.tests, args.pipelines)
    if not summary:
        log("no test could be run")
        return 2
    rule_results, gm = rules(summary)
    for test, problems in skipped.items():
        rule_results.append(("%s could be benchmarked" % test, False, "; ".join(problems)))
    if args.markdown:
        print_markdown(summary, rule_results, gm, meta)
    else:
        print_text(summary, rule_results, gm)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "summary": summary, "rules": rule_results,
                       "skipped": skipped,
                       "runs": [{"test": t, "pipeline": p, **runs} for (t, p), runs in results.items()]},
                      f, indent=1)
    return 0 if all(ok for _, ok, _ in rule_results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
