#!/usr/bin/python3
"""How late does a key's `expired` event come? taskkv against redis-server,
side by side in one run (Python 3 stdlib only).

Both servers are started on free loopback ports with the same arguments
(--save '' --appendonly no, plus any --server-arg), each in a temporary
directory of its own, and get `CONFIG SET notify-keyspace-events Ex`. Then,
for each server in turn (taskkv first in odd rounds, redis-server first in
even rounds):

  1. a subscriber process (its own process, so that nothing in this script
     delays it) SUBSCRIBEs to __keyevent@0__:expired;
  2. N keys (-n, default 100000) are written with pipelined
     `SET el:<deadline ms>:<i> v PXAT <deadline ms>`: absolute deadlines,
     spread uniformly over --spread seconds (default 5) that start --lead
     seconds (default 2) after the writes begin, written in deadline order.
     No client touches these keys again: only the server's own expiry can
     delete them;
  3. the subscriber stamps every `expired` message with the time its read
     returned and computes lateness = arrival - deadline (the deadline is
     in the key's name), until it has all N events or the last deadline is
     --grace seconds (default 30) past.

With --volatile M, M more keys with far TTLs (one to two days) are written
into each server before the first round and stay there, so that the
servers have to find the N due keys among M + N volatile ones ("however
many keys have TTLs").

Reported per server: events received / expected, lateness p50, p90, p99,
p99.9 and max in milliseconds (a missing event counts as later than any
received one, so a percentile that falls among the missing ones is shown as
"miss"), events that came before their deadline, and the server's CPU time
while its keys were expiring; then taskkv/redis ratios for p50, p99 and max.
--markdown prints the tables for docs/PERFORMANCE.md. On a busy machine,
--fifo 1 (root) runs the servers and subscribers under SCHED_FIFO, so that
other processes' CPU use does not show up as lateness.

Acceptance (issue 4, "expired events on time"): taskkv delivers every event
and its p99 lateness is at most --accept-p99 ms (default 5); no event comes
before its deadline. Exit status 0 when that holds, 1 when not, 2 on a
harness error.

Not run by CI or by any test runner; see tests/bench/README.md.
"""

import argparse
import multiprocessing
import os
import re
import shlex
import shutil
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from compare import (NO_PERSIST, Conn, HarnessError, Server, encode, is_err, loadavg,  # noqa: E402
                     log, machine_info, proc_cpu_seconds)

CHANNEL = b"__keyevent@0__:expired"
PREFIX = b"el:"
BATCH = 1000
PERCENTILES = (50, 90, 99, 99.9)
SET_PXAT = b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$%d\r\n%s\r\n"
# One `message` push as a RESP2 array: the key name is the third element.
MESSAGE_RE = re.compile(rb"\*3\r\n\$7\r\nmessage\r\n\$%d\r\n%s\r\n\$(\d+)\r\n"
                        % (len(CHANNEL), re.escape(CHANNEL)))


def now_ms():
    return time.time() * 1000.0


# ---------------------------------------------------------------------------
# The subscriber (a process of its own)
# ---------------------------------------------------------------------------

MARK = b"$7\r\nmessage\r\n"


def parse_events(chunks):
    """[(arrival ms, bytes read)] -> (latenesses of the PREFIX keys, number
    of other events). A message counts as arrived with the read that
    completed it."""
    late = []
    others = 0
    buf = b""
    for t, chunk in chunks:
        buf += chunk
        pos = 0
        while True:
            m = MESSAGE_RE.match(buf, pos)
            if not m:
                if len(buf) - pos > 200 and not buf.startswith(b"*3\r\n$7\r\nmessage\r\n", pos):
                    raise HarnessError("unexpected data on the subscriber connection: %r" % buf[pos:pos + 200])
                break
            n = int(m.group(1))
            end = m.end() + n + 2
            if end > len(buf):
                break
            key = buf[m.end():m.end() + n]
            pos = end
            if key.startswith(PREFIX):
                late.append(t - int(key.split(b":")[1]))
            else:
                others += 1
        buf = buf[pos:]
    return late, others


def subscriber(port, expected, ready, stop, out):
    """SUBSCRIBEs to the expired channel, signals `ready`, then reads until
    `expected` messages came or `stop` is set, stamping each read with the
    time it returned; parses only afterwards, so that parsing never delays
    a read. Sends (latenesses, other events, protocol error or None) through
    the pipe `out`."""
    late, others, error = [], 0, None
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(encode("SUBSCRIBE", CHANNEL))
        buf = b""
        want = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(CHANNEL), CHANNEL)
        while len(buf) < len(want):
            chunk = sock.recv(4096)
            if not chunk:
                raise HarnessError("connection closed during SUBSCRIBE")
            buf += chunk
        if not buf.startswith(want):
            raise HarnessError("SUBSCRIBE answered %r" % buf[:200])
        chunks = [(now_ms(), buf[len(want):])]
        ready.set()
        sock.settimeout(0.1)
        seen, tail = 0, b""
        while seen < expected and not stop.is_set():
            try:
                chunk = sock.recv(1 << 20)
            except socket.timeout:
                continue
            t = now_ms()
            if not chunk:
                raise HarnessError("connection closed by the server")
            chunks.append((t, chunk))
            joined = tail + chunk        # a mark may straddle two reads
            seen += joined.count(MARK) - tail.count(MARK)
            tail = joined[-(len(MARK) - 1):]
        sock.close()
        late, others = parse_events(chunks)
    except (OSError, HarnessError) as e:
        error = str(e)
    ready.set()
    out.send((late, others, error))
    out.close()


# ---------------------------------------------------------------------------
# Loading keys
# ---------------------------------------------------------------------------

def pipelined(srv, commands, what):
    """Sends the commands in batches of BATCH; every reply must be OK."""
    c = Conn(srv.port, timeout=60)
    try:
        for start in range(0, len(commands), BATCH):
            chunk = commands[start:start + BATCH]
            c.send(b"".join(chunk))
            for _ in chunk:
                r = c.reply()
                if r != "OK":
                    raise HarnessError("%s: %s answered %r" % (srv.name, what, r))
    finally:
        c.close()


def load_volatile(srv, m):
    """M keys with TTLs of one to two days (never due during the run)."""
    day = 86400 * 1000
    cmds = [encode("SET", "vol:%d" % i, "v", "PX", day + (i * 7919) % day) for i in range(m)]
    t0 = time.monotonic()
    pipelined(srv, cmds, "SET vol:* PX")
    log("%s: %d far-TTL keys written in %.1fs" % (srv.name, m, time.monotonic() - t0))


def config(srv, *args):
    c = Conn(srv.port)
    try:
        r = c.call(*args)
    finally:
        c.close()
    if is_err(r):
        raise HarnessError("%s: %s answered %s" % (srv.name, " ".join(args), r[1]))
    return r


def dbsize(srv):
    c = Conn(srv.port)
    try:
        return c.call("DBSIZE")
    finally:
        c.close()


# ---------------------------------------------------------------------------
# One measurement
# ---------------------------------------------------------------------------

def prioritize(pid, args):
    """--nice / --fifo for a server or a subscriber process."""
    if args.nice is not None:
        os.setpriority(os.PRIO_PROCESS, pid, args.nice)
    if args.fifo:
        os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(args.fifo))


def measure(srv, args, rnd):
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    rx, tx = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=subscriber, args=(srv.port, args.n, ready, stop, tx), daemon=True)
    proc.start()
    tx.close()
    prioritize(proc.pid, args)
    if not ready.wait(10):
        proc.kill()
        raise HarnessError("%s: the subscriber did not get its SUBSCRIBE confirmation" % srv.name)
    # Deadlines: uniform over [first, first + spread), whole milliseconds, in order.
    t0 = now_ms()
    base = int(t0) + int(args.lead * 1000)
    span = int(args.spread * 1000)
    deadlines = [base + (i * span) // args.n for i in range(args.n)]
    cmds = [SET_PXAT % (len(k), k, len(d), d)
            for k, d in ((b"el:%d:%d" % (d, i), b"%d" % d) for i, d in enumerate(deadlines))]
    pipelined(srv, cmds, "SET el:* v PXAT")
    loaded = now_ms()
    log("%s round %d: %d keys built and written in %.2fs (the first deadline %.2fs after the start)"
        % (srv.name, rnd, args.n, (loaded - t0) / 1000.0, args.lead))
    if loaded >= base:
        stop.set()
        proc.join(5)
        raise HarnessError("%s: building and writing the keys took %.2fs, longer than --lead %.2fs: raise --lead"
                           % (srv.name, (loaded - t0) / 1000.0, args.lead))
    cpu0 = proc_cpu_seconds(srv.proc.pid)
    until = time.time() + (deadlines[-1] - now_ms()) / 1000.0 + args.grace
    # The subscriber sends its result when it has every event; else stop it.
    if not rx.poll(max(0.0, until - time.time())):
        stop.set()
    if not rx.poll(10):
        proc.kill()
        raise HarnessError("%s: the subscriber sent no result" % srv.name)
    late, others, error = rx.recv()
    proc.join(5)
    cpu = proc_cpu_seconds(srv.proc.pid) - cpu0
    if error:
        raise HarnessError("%s: subscriber: %s" % (srv.name, error))
    left = dbsize(srv)
    log("%s round %d: %d/%d events, %d other events, CPU %.2fs, %s keys left"
        % (srv.name, rnd, len(late), args.n, others, cpu, left))
    # Keys never delivered are still in the server: drop them before the next round.
    if args.volatile:
        drop_leftovers(srv)
    else:
        config(srv, "FLUSHALL")
    return {"late": late, "others": others, "cpu": cpu}


def drop_leftovers(srv):
    """Deletes the el:* keys that did not expire (keeps the vol:* keys)."""
    c = Conn(srv.port, timeout=60)
    try:
        cursor = b"0"
        while True:
            cursor, keys = c.call("SCAN", cursor, "MATCH", "el:*", "COUNT", "10000")
            if keys:
                c.call("UNLINK", *keys)
            if cursor in (b"0", 0):
                break
    finally:
        c.close()


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def percentile(sorted_vals, expected, p):
    """The p-th percentile over `expected` events of which `sorted_vals` came;
    None (a miss) when it falls among the missing ones."""
    if expected == 0:
        return None
    rank = max(1, int(-(-p * expected // 100)))   # ceil, nearest-rank
    if rank > len(sorted_vals):
        return None
    return sorted_vals[rank - 1]


def summarize(name, runs, expected):
    late = sorted(x for r in runs for x in r["late"])
    total = expected * len(runs)
    s = {"server": name, "received": len(late), "expected": total,
         "others": sum(r["others"] for r in runs),
         "early": sum(1 for x in late if x < 0),
         "min": late[0] if late else None,
         "cpu": sum(r["cpu"] for r in runs) / len(runs)}
    for p in PERCENTILES:
        s["p%s" % p] = percentile(late, total, p)
    s["max"] = late[-1] if len(late) == total and late else None
    s["max_received"] = late[-1] if late else None
    return s


def fmt(v, width=0):
    return ("%.1f" % v if v is not None else "miss").rjust(width)


def ratios(stats):
    """[(name, text)] for p50, p99, max of taskkv/redis. When Redis' value is
    a miss, it is later than any event Redis delivered, so the ratio is below
    taskkv's value / Redis' latest delivered event: shown as "<x"."""
    tk, rd = stats["taskkv"], stats["redis"]
    out = []
    for k in ("p50", "p99", "max"):
        a, b = tk[k], rd[k]
        if a is None:
            out.append((k, "-"))
        elif b is not None and b > 0:
            out.append((k, "%.3g" % (a / b)))
        elif b is None and rd["max_received"] and rd["max_received"] > 0:
            out.append((k, "<%.3g" % (a / rd["max_received"])))
        else:
            out.append((k, "-"))
    return out


def print_text(stats, checks, out=sys.stdout):
    hdr = "%-8s %15s %8s %8s %8s %8s %8s %7s %7s" % (
        "server", "events", "p50", "p90", "p99", "p99.9", "max", "early", "CPU s")
    out.write(hdr + "\n" + "-" * len(hdr) + "\n")
    for name in ("taskkv", "redis"):
        s = stats[name]
        out.write("%-8s %15s %s %s %s %s %s %7d %7.2f\n" % (
            name, "%d/%d" % (s["received"], s["expected"]), fmt(s["p50"], 8), fmt(s["p90"], 8),
            fmt(s["p99"], 8), fmt(s["p99.9"], 8), fmt(s["max"], 8), s["early"], s["cpu"]))
    out.write("(lateness of each `expired` event after its key's deadline, in ms; miss = the percentile "
              "falls among events that never came)\n")
    out.write("taskkv/redis: %s\n" % ", ".join("%s %s" % (k, v) for k, v in ratios(stats)))
    for name in ("taskkv", "redis"):
        s = stats[name]
        if s["received"] < s["expected"] and s["max_received"] is not None:
            out.write("%s: %d events missing; the latest received one came %.1f ms late\n"
                      % (name, s["expected"] - s["received"], s["max_received"]))
    out.write("\nAcceptance:\n")
    for name, ok, detail in checks:
        out.write("  %s  %s  (%s)\n" % ("PASS" if ok else "FAIL", name, detail))


def print_markdown(stats, checks, meta, out=sys.stdout):
    out.write("| server | events received | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | early | CPU s |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for name in ("taskkv", "redis"):
        s = stats[name]
        out.write("| %s | %d / %d | %s | %s | %s | %s | %s | %d | %.2f |\n" % (
            name, s["received"], s["expected"], fmt(s["p50"]), fmt(s["p90"]), fmt(s["p99"]),
            fmt(s["p99.9"]), fmt(s["max"]), s["early"], s["cpu"]))
    out.write("| taskkv/redis | | %s | | %s | | %s | | |\n" % tuple(v for _, v in ratios(stats)))
    for name in ("taskkv", "redis"):
        s = stats[name]
        if s["received"] < s["expected"] and s["max_received"] is not None:
            out.write("\n%s: %d events never came (within %s s after the last deadline); the latest received "
                      "one came %.1f ms late.\n" % (name, s["expected"] - s["received"], meta["grace"],
                                                     s["max_received"]))
    out.write("\n| acceptance | result | detail |\n|---|---|---|\n")
    for name, ok, detail in checks:
        out.write("| %s | %s | %s |\n" % (name, "**PASS**" if ok else "**FAIL**", detail))
    m = meta["machine"]
    out.write("\nMachine: %d CPUs, %s, kernel %s; %s.  \n" % (m["nproc"], m["cpu"], m["kernel"], m["date"]))
    out.write("Servers: %s; %s.  \n" % (meta["taskkv_version"], meta["redis_version"]))
    out.write("Command: `%s`  \n" % meta["command"])
    out.write("Per round and server: %s.  \n" % meta["per_run"])
    out.write("Load average %s before, %s after.\n" % (meta["loadavg_before"], meta["loadavg_after"]))


def acceptance(stats, args):
    tk = stats["taskkv"]
    checks = [
        ("taskkv delivers every expired event", tk["received"] == tk["expected"],
         "%d/%d" % (tk["received"], tk["expected"])),
        ("taskkv p99 lateness <= %g ms" % args.accept_p99,
         tk["p99"] is not None and tk["p99"] <= args.accept_p99, "p99 %s ms" % fmt(tk["p99"])),
        ("no taskkv event before its deadline", tk["early"] == 0,
         "%d early, earliest %s ms" % (tk["early"], fmt(tk["min"]))),
    ]
    return checks


# ---------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100000, help="keys that expire during a round (default %(default)s)")
    ap.add_argument("--spread", type=float, default=5.0,
                    help="seconds over which their deadlines are spread (default %(default)s)")
    ap.add_argument("--lead", type=float, default=2.0,
                    help="seconds from the first write to the first deadline; must cover writing the keys "
                         "(default %(default)s)")
    ap.add_argument("--grace", type=float, default=30.0,
                    help="seconds to wait for events after the last deadline (default %(default)s)")
    ap.add_argument("--volatile", type=int, default=0, metavar="M",
                    help="also keep M keys with TTLs of one to two days in each server (default 0)")
    ap.add_argument("--rounds", type=int, default=1, help="alternating rounds (default %(default)s)")
    ap.add_argument("--taskkv", default=os.path.join(ROOT, "build", "taskkv-server"),
                    help="taskkv-server binary (default %(default)s)")
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server",
                    help="redis-server binary (default %(default)s)")
    ap.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for both servers (repeatable), e.g. --server-arg=--hz --server-arg=100")
    ap.add_argument("--nice", type=int, default=None, metavar="N",
                    help="run both servers and the subscribers at this nice value (negative values need root): "
                         "shields the measurement from other processes on a shared machine")
    ap.add_argument("--fifo", type=int, default=0, metavar="PRIO",
                    help="run both servers and the subscribers under SCHED_FIFO at this priority (1-99; needs "
                         "root): they then run as soon as they wake, whatever else the machine does")
    ap.add_argument("--accept-p99", type=float, default=5.0,
                    help="taskkv's p99 lateness limit in ms (default %(default)s)")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables (for docs/PERFORMANCE.md)")
    ap.add_argument("--keep-dirs", action="store_true", help="keep the servers' directories and logs")
    a = ap.parse_args(argv)
    if a.n < 1 or a.rounds < 1 or a.spread <= 0 or a.lead <= 0 or a.volatile < 0:
        ap.error("need -n >= 1, --rounds >= 1, --spread > 0, --lead > 0, --volatile >= 0")
    for what, path in (("--taskkv", a.taskkv), ("--redis", a.redis)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error("%s: %s is not an executable file" % (what, path))
    return a


def main(argv):
    args = parse_args(argv)
    servers = {
        "taskkv": Server("taskkv", os.path.abspath(args.taskkv), NO_PERSIST, args.server_arg),
        "redis": Server("redis", args.redis, NO_PERSIST, args.server_arg),
    }
    meta = {
        "machine": machine_info(),
        "command": " ".join(["tests/bench/expiry_lateness.py"] + [shlex.quote(x) for x in argv]),
        "taskkv_version": servers["taskkv"].version(),
        "redis_version": servers["redis"].version(),
        "grace": args.grace,
        "per_run": "%d keys `SET el:<deadline>:<i> v PXAT <deadline>` (pipelined, %d per batch), deadlines "
                   "uniform over %gs starting %gs after the first write%s; %d round%s, alternating; "
                   "notify-keyspace-events Ex; servers started with %s%s" % (
                       args.n, BATCH, args.spread, args.lead,
                       "; %d more keys with 1-2 day TTLs in each server" % args.volatile if args.volatile else "",
                       args.rounds, "s" if args.rounds > 1 else "",
                       " ".join(map(shlex.quote, NO_PERSIST + args.server_arg)),
                       ("; servers and subscribers at nice %d" % args.nice if args.nice is not None else "")
                       + ("; servers and subscribers under SCHED_FIFO %d" % args.fifo if args.fifo else "")),
        "loadavg_before": loadavg(),
    }
    runs = {"taskkv": [], "redis": []}
    t_start = time.monotonic()
    try:
        for s in servers.values():
            s.start()
            log("started %s pid %d on port %d: %s" % (s.name, s.proc.pid, s.port, " ".join(map(shlex.quote, s.argv))))
            prioritize(s.proc.pid, args)
            config(s, "CONFIG", "SET", "notify-keyspace-events", "Ex")
            if args.volatile:
                load_volatile(s, args.volatile)
        for rnd in range(1, args.rounds + 1):
            order = ["taskkv", "redis"] if rnd % 2 == 1 else ["redis", "taskkv"]
            for who in order:
                runs[who].append(measure(servers[who], args, rnd))
                if not servers[who].alive():
                    raise HarnessError("%s died; log tail:\n%s" % (who, servers[who].log_tail()))
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
    stats = {name: summarize(name, runs[name], args.n) for name in runs}
    checks = acceptance(stats, args)
    if args.markdown:
        print_markdown(stats, checks, meta)
    else:
        print_text(stats, checks)
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
