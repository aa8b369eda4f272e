#!/usr/bin/python3
"""Durable-write throughput of taskkv and redis-server side by side, with the
journal on (appendonly yes), and, with --strace, the number of fsyncs per
acknowledged write (Python 3 stdlib only; helpers from compare.py).

For every configuration (default: always:1, always:50 and everysec:50, as
APPENDFSYNC:CLIENTS) the script starts both servers with

    --appendonly yes --appendfsync APPENDFSYNC --save ''

on free loopback ports, each in a temporary directory of its own; both
directories are on the same filesystem (--tmpdir, default $TMPDIR or /tmp),
so both servers fsync to the same device. It then runs

    redis-benchmark -p PORT -t SET,INCR,RPUSH -n N -c CLIENTS -P 1 -r 100000 -d 3 -q --csv -e

against each server, --rounds times (default 5), alternating the order:
taskkv runs first in odd rounds, redis-server first in even rounds. A run's
throughput is its total number of requests divided by the time the tests
took (the sum over the tests of N / their req/s). Reported per
configuration: the median throughput of each server and their ratio
taskkv/redis, and the server CPU time per write.

With --strace both servers run under

    strace -f --seccomp-bpf -qq -ttt -T -y -e trace=fsync,fdatasync,sync_file_range

(only those system calls stop the server, so the overhead is one ptrace stop
per sync, the same for both servers). After the runs the script counts, per
run, the sync calls of each server whose start time lies inside the run and
divides them by the run's acknowledged writes (every request redis-benchmark
got a reply to; with -e an error reply would be printed and fail the run).
It also reports which files the syncs went to.

Acceptance rules (issue 6), checked on the configurations that have one:
    always   at 1 client:   throughput ratio >= 0.90
    always   at 50 clients: throughput ratio >= 1.00
    everysec at 50 clients: throughput ratio >= 1.00
  and with --strace:
    always at 1 client:     taskkv syncs per acknowledged write <= 1.05
    always at >1 clients:   taskkv syncs per acknowledged write <= 0.25
                            ("far fewer than one"; --max-group-syncs)
Other configurations (e.g. no:50, always:10) are measured and reported
without a rule. The exit status is 0 when every rule holds, 1 when one fails,
2 on a harness error.

Not run by CI or by any test runner; see tests/bench/README.md.
"""

import argparse
import collections
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import (HarnessError, Conn, Server, ROOT, SANITY, log, is_err, free_port,  # noqa: E402
                     proc_cpu_seconds, machine_busy_seconds, children_cpu_seconds,
                     loadavg, machine_info)

DEFAULT_CONFIGS = "always:1,always:50,everysec:50"
DEFAULT_TESTS = "SET,INCR,RPUSH"
# (appendfsync, clients) -> minimum throughput ratio taskkv/redis
THROUGHPUT_RULES = {("always", 1): 0.90, ("always", 50): 1.00, ("everysec", 50): 1.00}
MAX_SYNCS_1_CLIENT = 1.05
MAX_GROUP_SYNCS = 0.25
SYNC_CALLS = ("fsync", "fdatasync", "sync_file_range")
NOISY_BACKGROUND = 0.15


def durable_args(fsync):
    return ["--appendonly", "yes", "--appendfsync", fsync, "--save", ""]


class TracedServer(Server):
    """A compare.Server, optionally started under strace. self.pid is the
    server's own pid (not strace's) either way."""

    def __init__(self, name, path, args, strace=None):
        Server.__init__(self, name, path, args, [])
        self.strace = strace  # strace binary or None
        self.pid = None
        self.trace_path = None

    def start(self):
        if not self.strace:
            Server.start(self)
            self.pid = self.proc.pid
            return
        for attempt in range(3):
            self.port = free_port()
            self.dir = tempfile.mkdtemp(prefix="taskkv-durable-%s-" % self.name)
            self.logpath = os.path.join(self.dir, "server.log")
            # The strace log lives next to the server's files but under a name
            # neither server uses.
            self.trace_path = os.path.join(self.dir, "syncs.strace")
            server_argv = [self.path, "--port", str(self.port), "--bind", "127.0.0.1",
                           "--dir", self.dir] + self.args
            self.argv = [self.strace, "-f", "--seccomp-bpf", "-qq", "-ttt", "-T", "-y",
                         "-e", "trace=" + ",".join(SYNC_CALLS),
                         "-o", self.trace_path, "--"] + server_argv
            logf = open(self.logpath, "wb")
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, cwd=self.dir)
            logf.close()
            deadline = time.time() + 15
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    c = Conn(self.port, timeout=2)
                    try:
                        if c.call("PING") == "PONG":
                            self.pid = self._traced_pid()
                            return
                    finally:
                        c.close()
                except (OSError, HarnessError):
                    time.sleep(0.05)
            tail = self.log_tail()
            self.stop()
            if "in use" in tail:
                continue
            raise HarnessError("%s did not start under strace (%s):\n%s" % (
                self.name, " ".join(map(shlex.quote, self.argv)), tail))
        raise HarnessError("%s: no free port after 3 attempts" % self.name)

    def _traced_pid(self):
        # The server is strace's only child.
        for task in os.listdir("/proc/%d/task" % self.proc.pid):
            try:
                with open("/proc/%d/task/%s/children" % (self.proc.pid, task)) as f:
                    kids = f.read().split()
            except OSError:
                continue
            if kids:
                return int(kids[0])
        raise HarnessError("%s: cannot find the server process under strace pid %d" % (
            self.name, self.proc.pid))

    def cpu_seconds(self):
        if not self.alive():
            raise HarnessError("%s died; log tail:\n%s" % (self.name, self.log_tail()))
        return proc_cpu_seconds(self.pid)

    def stop(self, keep_dir=False):
        if self.strace and self.pid and self.proc is not None and self.proc.poll() is None:
            # Stop the server itself; strace exits when it does and flushes its log.
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.kill()
                self.proc.wait()
        Server.stop(self, keep_dir=keep_dir)

    def read_trace(self):
        """[(time, tid, call, file, seconds or None)] of every sync call started,
        from the strace log (seconds: how long the call took, when strace
        printed it on the same line)."""
        out = []
        if not self.trace_path or not os.path.exists(self.trace_path):
            return out
        pat = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(%s)\((\d+)(?:<([^>]*)>)?" % "|".join(SYNC_CALLS))
        with open(self.trace_path, errors="replace") as f:
            for line in f:
                m = pat.match(line)
                if m:  # "<... fsync resumed>" lines do not match: each call counts once
                    d = re.search(r"<(\d+\.\d+)>\s*$", line)
                    out.append((float(m.group(2)), int(m.group(1)), m.group(3),
                                os.path.basename(m.group(5) or "fd %s" % m.group(4)),
                                float(d.group(1)) if d else None))
        return out


def commandstats(srv, tests):
    """calls of each tested command from INFO commandstats, or None."""
    try:
        c = Conn(srv.port)
        try:
            r = c.call("INFO", "commandstats")
        finally:
            c.close()
    except (OSError, HarnessError):
        return None
    if not isinstance(r, bytes):
        return None
    total, seen = 0, 0
    for line in r.decode(errors="replace").splitlines():
        m = re.match(r"cmdstat_([a-z|]+):calls=(\d+)", line)
        if m and m.group(1) in {t.lower() for t in tests}:
            total += int(m.group(2))
            seen += 1
    return total if seen else None


def sanity(srv, tests):
    c = Conn(srv.port)
    try:
        for t in tests:
            cmd, ok = SANITY.get(t, (None, None))
            if cmd is None:
                continue
            r = c.call(*cmd)
            if is_err(r) or not ok(r):
                raise HarnessError("%s: %s answered %r" % (srv.name, " ".join(cmd), r))
        r = c.call("CONFIG", "GET", "appendonly")
        if not (isinstance(r, list) and len(r) == 2 and r[1] == b"yes"):
            raise HarnessError("%s: CONFIG GET appendonly answered %r" % (srv.name, r))
    finally:
        c.close()


def run_benchmark(args, srv, clients):
    cmd = [args.benchmark, "-h", "127.0.0.1", "-p", str(srv.port), "-t", ",".join(args.tests).lower(),
           "-n", str(args.n), "-c", str(clients), "-P", "1", "-d", str(args.datasize), "-q", "--csv", "-e"]
    if args.keyspace > 0:
        cmd += ["-r", str(args.keyspace)]
    stats0 = commandstats(srv, args.tests)
    busy0, bench0 = machine_busy_seconds(), children_cpu_seconds()
    cpu0 = srv.cpu_seconds()
    t0, m0 = time.time(), time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.run_timeout)
    wall = time.monotonic() - m0
    t1 = time.time()
    cpu1 = srv.cpu_seconds()
    busy1, bench1 = machine_busy_seconds(), children_cpu_seconds()
    stats1 = commandstats(srv, args.tests)
    background = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (bench1 - bench0)) / wall if wall > 0 else 0.0
    rows, errors = {}, []
    for line in p.stdout.splitlines():
        if line.startswith('"'):
            cells = [x.strip('"') for x in line.split('","')]
            if cells[0].upper() in args.tests or cells[0].split()[0].upper() in args.tests:
                rows[cells[0].split()[0].upper()] = float(cells[1])
        elif line.strip():
            errors.append(line.strip())
    missing = [t for t in args.tests if t not in rows]
    if p.returncode != 0 or missing or errors:
        raise HarnessError("%s on %s failed (rc=%d, missing %s): %s\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), srv.name, p.returncode, missing, "; ".join(errors[:5]),
            p.stdout[-2000:], p.stderr[-2000:]))
    writes = args.n * len(args.tests)
    counted = stats1 - stats0 if stats0 is not None and stats1 is not None else None
    if counted is not None and counted != writes:
        log("note: %s counted %d calls of %s during the run, redis-benchmark sent %d" % (
            srv.name, counted, ",".join(args.tests), writes))
    busy_time = sum(args.n / rows[t] for t in args.tests)
    return {"rps": writes / busy_time, "per_test_rps": rows, "writes": writes,
            "counted_writes": counted, "t0": t0, "t1": t1, "wall_s": wall,
            "cpu_s": cpu1 - cpu0, "cpu_us_per_write": (cpu1 - cpu0) * 1e6 / writes,
            "background_cpus": background, "cmd": cmd}


def attach_syncs(srv, runs):
    """Per run: sync calls started inside the run's window, per file."""
    calls = srv.read_trace()
    for r in runs:
        inside = [c for c in calls if r["t0"] <= c[0] <= r["t1"]]
        r["syncs"] = len(inside)
        r["syncs_per_write"] = len(inside) / r["writes"]
        r["sync_files"] = dict(collections.Counter("%s %s" % (c[2], c[3]) for c in inside))
        r["sync_threads"] = len({c[1] for c in inside})
        # Syncs made by the main thread (tid == pid) hold up every client.
        main = [c for c in inside if c[1] == srv.pid]
        r["main_thread_syncs"] = len(main)
        r["main_thread_sync_s"] = sum(c[4] or 0.0 for c in main)
        r["sync_s"] = sum(c[4] or 0.0 for c in inside)


def summarize(results, args):
    summary = []
    for (fsync, clients), runs in results.items():
        s = {"appendfsync": fsync, "clients": clients}
        for who in ("taskkv", "redis"):
            rs = runs[who]
            s[who + "_rps"] = statistics.median(r["rps"] for r in rs)
            s[who + "_cpu_us"] = sum(r["cpu_s"] for r in rs) * 1e6 / sum(r["writes"] for r in rs)
            s[who + "_spread"] = (max(r["rps"] for r in rs) - min(r["rps"] for r in rs)) / s[who + "_rps"]
            if args.strace:
                s[who + "_syncs"] = sum(r["syncs"] for r in rs) / sum(r["writes"] for r in rs)
                files = collections.Counter()
                for r in rs:
                    files.update(r["sync_files"])
                s[who + "_sync_files"] = dict(files.most_common())
                # share of the run time the main thread spent inside sync calls
                s[who + "_main_sync_frac"] = (sum(r["main_thread_sync_s"] for r in rs) /
                                              sum(r["t1"] - r["t0"] for r in rs))
        s["ratio"] = s["taskkv_rps"] / s["redis_rps"] if s["redis_rps"] else float("nan")
        s["required"] = THROUGHPUT_RULES.get((fsync, clients))
        s["background_cpus"] = statistics.median(r["background_cpus"] for who in ("taskkv", "redis")
                                                 for r in runs[who])
        summary.append(s)
    return summary


def rules(summary, args):
    out = []
    for s in summary:
        name = "%s, %d client%s" % (s["appendfsync"], s["clients"], "" if s["clients"] == 1 else "s")
        if s["required"] is not None:
            out.append(("%s: throughput taskkv/redis >= %.2f" % (name, s["required"]),
                        s["ratio"] >= s["required"], "ratio %.3f" % s["ratio"]))
        if args.strace and s["appendfsync"] == "always":
            limit = MAX_SYNCS_1_CLIENT if s["clients"] == 1 else args.max_group_syncs
            out.append(("%s: taskkv syncs per acknowledged write <= %.2f" % (name, limit),
                        s["taskkv_syncs"] <= limit,
                        "%.3f (redis %.3f)" % (s["taskkv_syncs"], s["redis_syncs"])))
    return out


def print_text(summary, rule_results, args, out=sys.stdout):
    hdr = "%-9s %4s %12s %12s %7s %5s %9s %9s" % ("fsync", "c", "taskkv w/s", "redis w/s", "ratio",
                                                  "need", "tk us/w", "rd us/w")
    if args.strace:
        hdr += " %8s %8s" % ("tk sync", "rd sync")
    out.write(hdr + "\n" + "-" * len(hdr) + "\n")
    for s in summary:
        line = "%-9s %4d %12.0f %12.0f %7.3f %5s %9.2f %9.2f" % (
            s["appendfsync"], s["clients"], s["taskkv_rps"], s["redis_rps"], s["ratio"],
            "%.2f" % s["required"] if s["required"] is not None else "-", s["taskkv_cpu_us"], s["redis_cpu_us"])
        if args.strace:
            line += " %8.3f %8.3f" % (s["taskkv_syncs"], s["redis_syncs"])
        out.write(line + "\n")
    out.write("(w/s = acknowledged writes per second, median of the rounds; ratio = taskkv/redis; "
              "us/w = server CPU per write%s)\n" % ("; sync = fsync/fdatasync/sync_file_range calls per "
                                                    "acknowledged write" if args.strace else ""))
    if args.strace:
        out.write("\nSync calls by file (all rounds):\n")
        for s in summary:
            for who in ("taskkv", "redis"):
                files = s[who + "_sync_files"]
                out.write("  %s/%d %-6s %s; main thread in syncs %.1f%% of the time\n" % (
                    s["appendfsync"], s["clients"], who,
                    ", ".join("%s: %d" % kv for kv in files.items()) or "none", 100 * s[who + "_main_sync_frac"]))
    noisy = [s for s in summary if s["background_cpus"] > NOISY_BACKGROUND]
    if noisy:
        out.write("\nWARNING: other processes kept %s busy during the runs (median, in CPUs); "
                  "throughput numbers are unreliable.\n" % ", ".join(
                      "%s/%d: %.2f" % (s["appendfsync"], s["clients"], s["background_cpus"]) for s in noisy))
    out.write("\nAcceptance rules:\n")
    for name, ok, detail in rule_results:
        out.write("  %s  %s  (%s)\n" % ("PASS" if ok else "FAIL", name, detail))


def print_markdown(summary, rule_results, args, meta, out=sys.stdout):
    cols = "| appendfsync | clients | taskkv writes/s | Redis writes/s | ratio | required | taskkv CPU µs/write | Redis CPU µs/write |"
    sep = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if args.strace:
        cols += " taskkv syncs/write | Redis syncs/write |"
        sep += "---:|---:|"
    out.write(cols + "\n" + sep + "\n")
    for s in summary:
        line = "| %s | %d | %.0f | %.0f | %.3f | %s | %.2f | %.2f |" % (
            s["appendfsync"], s["clients"], s["taskkv_rps"], s["redis_rps"], s["ratio"],
            "%.2f" % s["required"] if s["required"] is not None else "-", s["taskkv_cpu_us"], s["redis_cpu_us"])
        if args.strace:
            line += " %.3f | %.3f |" % (s["taskkv_syncs"], s["redis_syncs"])
        out.write(line + "\n")
    if args.strace:
        out.write("\n| appendfsync/clients | server | sync calls by file (all rounds) | main thread inside syncs |\n"
                  "|---|---|---|---:|\n")
        for s in summary:
            for who in ("taskkv", "redis"):
                out.write("| %s/%d | %s | %s | %.1f%% |\n" % (s["appendfsync"], s["clients"], who, ", ".join(
                    "`%s` %d" % kv for kv in s[who + "_sync_files"].items()) or "none",
                    100 * s[who + "_main_sync_frac"]))
    out.write("\n| acceptance rule | result | detail |\n|---|---|---|\n")
    for name, ok, detail in rule_results:
        out.write("| %s | %s | %s |\n" % (name, "**PASS**" if ok else "**FAIL**", detail))
    m = meta["machine"]
    out.write("\nMachine: %d CPUs, %s, kernel %s; %s; server directories on %s (%s).  \n" % (
        m["nproc"], m["cpu"], m["kernel"], m["date"], meta["tmpdir"], meta["fstype"]))
    out.write("Servers: %s; %s.  \n" % (meta["taskkv_version"], meta["redis_version"]))
    out.write("Command: `%s`  \n" % meta["command"])
    out.write("Per run: %s.  \n" % meta["per_run"])
    bg = [s["background_cpus"] for s in summary]
    out.write("Background load (CPU used by other processes during the runs, median per configuration): "
              "%.2f-%.2f CPUs; load average %s before, %s after.\n" % (
                  min(bg), max(bg), meta["loadavg_before"], meta["loadavg_after"]))


def fstype(path):
    """The filesystem type of path, from /proc/self/mounts (longest mount prefix)."""
    best, kind = "", "?"
    path = os.path.realpath(path)
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                parts = line.split()
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, kind = mnt, "%s %s on %s" % (parts[2], parts[0], mnt)
    except OSError:
        pass
    return kind


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default=DEFAULT_CONFIGS,
                    help="comma-separated APPENDFSYNC:CLIENTS (default %(default)s)")
    ap.add_argument("--tests", default=DEFAULT_TESTS,
                    help="redis-benchmark write tests, run one after the other (default %(default)s)")
    ap.add_argument("-n", type=int, default=20000,
                    help="requests per test per run (default %(default)s; a run sends n x tests writes)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (default %(default)s)")
    ap.add_argument("-r", "--keyspace", type=int, default=100000, help="-r (default %(default)s; 0: off)")
    ap.add_argument("-d", "--datasize", type=int, default=3, help="value size (default %(default)s)")
    ap.add_argument("--strace", action="store_true",
                    help="run both servers under strace and count their sync calls per acknowledged write")
    ap.add_argument("--strace-bin", default=shutil.which("strace") or "/usr/bin/strace")
    ap.add_argument("--max-group-syncs", type=float, default=MAX_GROUP_SYNCS,
                    help="limit of taskkv syncs/write with always at > 1 client (default %(default)s)")
    ap.add_argument("--tmpdir", default=None,
                    help="where both servers' directories are made (default $TMPDIR or /tmp)")
    ap.add_argument("--taskkv", default=os.path.join(ROOT, "build", "taskkv-server"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--benchmark", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--json", metavar="FILE", help="also write all raw runs to FILE")
    ap.add_argument("--keep-dirs", action="store_true", help="keep the servers' directories, logs, strace logs")
    ap.add_argument("--run-timeout", type=float, default=900, help="seconds per redis-benchmark run")
    a = ap.parse_args(argv)
    a.tests = [t.strip().upper() for t in a.tests.split(",") if t.strip()]
    spec, a.configs = a.configs, []
    for c in spec.split(","):
        c = c.strip()
        if not c:
            continue
        try:
            fsync, clients = c.split(":")
            clients = int(clients)
        except ValueError:
            ap.error("--configs: %r is not APPENDFSYNC:CLIENTS" % c)
        if fsync not in ("always", "everysec", "no") or clients < 1:
            ap.error("--configs: %r: appendfsync must be always, everysec or no, clients >= 1" % c)
        a.configs.append((fsync, clients))
    if not a.configs or not a.tests or a.n < 1 or a.rounds < 1:
        ap.error("need a configuration, a test, -n >= 1 and --rounds >= 1")
    bins = [("--taskkv", a.taskkv), ("--redis", a.redis), ("--benchmark", a.benchmark)]
    if a.strace:
        bins.append(("--strace-bin", a.strace_bin))
    for what, path in bins:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error("%s: %s is not an executable file" % (what, path))
    return a


def main(argv):
    args = parse_args(argv)
    if args.tmpdir:
        os.makedirs(args.tmpdir, exist_ok=True)
        tempfile.tempdir = os.path.abspath(args.tmpdir)
    tmp = tempfile.gettempdir()
    taskkv_path = os.path.abspath(args.taskkv) if os.sep in args.taskkv else args.taskkv
    strace = args.strace_bin if args.strace else None
    meta = {
        "machine": machine_info(),
        "command": " ".join(["tests/bench/durable.py"] + [shlex.quote(x) for x in argv]),
        "taskkv_version": Server("taskkv", taskkv_path, [], []).version(),
        "redis_version": Server("redis", args.redis, [], []).version(),
        "tmpdir": tmp, "fstype": fstype(tmp),
        "per_run": "redis-benchmark -t %s -n %d -c CLIENTS -P 1%s -d %d -q --csv -e; %d alternating rounds; "
                   "writes/s = median of the rounds; servers started with --appendonly yes "
                   "--appendfsync APPENDFSYNC --save ''%s" % (
                       ",".join(args.tests), args.n, " -r %d" % args.keyspace if args.keyspace else "",
                       args.datasize, args.rounds, "; both under strace -f --seccomp-bpf -e trace=%s" %
                       ",".join(SYNC_CALLS) if args.strace else ""),
        "loadavg_before": loadavg(),
    }
    results = collections.OrderedDict()
    t_start = time.monotonic()
    for fsync, clients in args.configs:
        servers = {"taskkv": TracedServer("taskkv", taskkv_path, durable_args(fsync), strace),
                   "redis": TracedServer("redis", args.redis, durable_args(fsync), strace)}
        try:
            for s in servers.values():
                s.start()
                log("started %s pid %d on port %d in %s" % (s.name, s.pid, s.port, s.dir))
            if os.stat(servers["taskkv"].dir).st_dev != os.stat(servers["redis"].dir).st_dev:
                raise HarnessError("the servers' directories are on different filesystems")
            for s in servers.values():
                sanity(s, args.tests)
            runs = {"taskkv": [], "redis": []}
            for rnd in range(1, args.rounds + 1):
                order = ["taskkv", "redis"] if rnd % 2 == 1 else ["redis", "taskkv"]
                for who in order:
                    r = run_benchmark(args, servers[who], clients)
                    runs[who].append(r)
                    log("%-8s c=%-3d round %d %-6s %9.0f writes/s  %7.2f us/write cpu  %5.1fs  bg %.2f CPUs" % (
                        fsync, clients, rnd, who, r["rps"], r["cpu_us_per_write"], r["wall_s"],
                        r["background_cpus"]))
            for s in servers.values():
                s.stop(keep_dir=True)  # strace flushes its log when the server exits
            if args.strace:
                for who, s in servers.items():
                    attach_syncs(s, runs[who])
                    for i, r in enumerate(runs[who], 1):
                        log("%-8s c=%-3d round %d %-6s %d syncs / %d writes = %.3f; main thread %d syncs "
                            "%.3fs of %.3fs  (%s)" % (
                            fsync, clients, i, who, r["syncs"], r["writes"], r["syncs_per_write"],
                            r["main_thread_syncs"], r["main_thread_sync_s"], r["t1"] - r["t0"],
                            ", ".join("%s: %d" % kv for kv in sorted(r["sync_files"].items()))))
            for s in servers.values():
                if args.keep_dirs:
                    log("%s directory kept: %s" % (s.name, s.dir))
                else:
                    shutil.rmtree(s.dir, ignore_errors=True)
            results[(fsync, clients)] = runs
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
    meta["loadavg_after"] = loadavg()
    log("total time %.0fs" % (time.monotonic() - t_start))
    summary = summarize(results, args)
    rule_results = rules(summary, args)
    if args.markdown:
        print_markdown(summary, rule_results, args, meta)
    else:
        print_text(summary, rule_results, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "summary": summary, "rules": rule_results,
                       "runs": [{"appendfsync": k[0], "clients": k[1], **v} for k, v in results.items()]},
                      f, indent=1)
    return 0 if all(ok for _, ok, _ in rule_results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
