#!/usr/bin/python3
"""Restart time with a large dataset: taskkv's sqlite snapshot against
redis-server's RDB, side by side (Python 3 stdlib only; not run by CI).

Both servers are started on free loopback ports, each in a temporary
directory, with `--save '' --appendonly no` (no automatic saves), and get
the same dataset through pipelined commands: by default 1,000,000 keys of
mixed types -

    55% strings   (a third integers, a third 10-30 bytes, a third 100 bytes)
    10% hashes    (5 fields)       10% lists (6 elements)
    10% sets      (half intsets of 8 integers, half 5 words)
    10% sorted sets (6 members)     5% strings with a TTL of a day

Then each server runs SAVE and is stopped with SHUTDOWN NOSAVE, and is
restarted --rounds times (default 3) on its directory, alternating which
server goes first. A restart is timed from the exec of the process until
DBSIZE answers with the full count (the server loads before it accepts
connections, so this is the whole time a client waits). The script also
reports the load time each server logs ("DB loaded from disk: X seconds"),
the snapshot file sizes and the DEBUG-free check that both restarted
datasets hold the same number of keys of each type (via SCAN + TYPE on a
sample).

Reported: median restart seconds of each, the ratio taskkv/redis, and
whether taskkv is no slower (exit status 0) or slower (1); 2 on a harness
error.

Usage:
    /usr/bin/python3 tests/bench/load_time.py [--keys 1000000] [--rounds 3]
        [--taskkv build/taskkv-server] [--redis redis-server] [--keep-dirs]
"""

import argparse
import os
import random
import re
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


class HarnessError(Exception):
    pass


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def free_port():
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port != 6379:
            return port


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port, timeout=600):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise HarnessError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return HarnessError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    raise HarnessError("connection closed")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise HarnessError("bad reply %r" % line)

    def call(self, *args):
        self.sock.sendall(encode(*args))
        r = self.read()
        if isinstance(r, HarnessError):
            raise r
        return r

    def pipeline(self, cmds):
        self.sock.sendall(b"".join(cmds))
        for _ in cmds:
            r = self.read()
            if isinstance(r, HarnessError):
                raise r


def dataset(n, seed):
    """Yields (kind, commands) for n keys; the same sequence for both servers."""
    rnd = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    for i in range(n):
        k = "key:%08d" % i
        r = rnd.random()
        if r < 0.55:
            m = i % 3
            if m == 0:
                yield encode("SET", k, rnd.randint(-10 ** 9, 10 ** 12))
            elif m == 1:
                yield encode("SET", k, "v" * rnd.randint(10, 30))
            else:
                yield encode("SET", k, "%0100d" % i)
        elif r < 0.65:
            args = ["HSET", k]
            for f in range(5):
                args += ["field%d" % f, "%s-%d" % (words[(i + f) % 10], i)]
            yield encode(*args)
        elif r < 0.75:
            yield encode("RPUSH", k, *["item-%d-%d" % (i, e) for e in range(6)])
        elif r < 0.85:
            if i % 2:
                yield encode("SADD", k, *[i * 10 + e for e in range(8)])
            else:
                yield encode("SADD", k, *words[i % 5:i % 5 + 5])
        elif r < 0.95:
            args = ["ZADD", k]
            for e in range(6):
                args += [rnd.random() * 1000, "member-%d" % e]
            yield encode(*args)
        else:
            yield encode("SET", k, "expiring-%d" % i, "EX", 86400)


class Server:
    def __init__(self, name, binary, keep):
        self.name = name
        self.binary = binary
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix="taskkv-loadtime-%s-" % name)
        self.proc = None
        self.port = None
        self.logpath = os.path.join(self.dir, "server.log")

    def start(self, expect_keys=None, timeout=600):
        self.port = free_port()
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--save", "", "--appendonly", "no", "--logfile", self.logpath]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError("%s exited (%s); log:\n%s" % (self.name, self.proc.returncode, self.log_tail()))
            try:
                c = Conn(self.port, timeout=timeout)
            except OSError:
                time.sleep(0.002)
                continue
            try:
                try:
                    n = c.call("DBSIZE")
                except HarnessError as e:
                    if "LOADING" in str(e):
                        time.sleep(0.002)
                        continue
                    raise
                if expect_keys is None or n == expect_keys:
                    return time.perf_counter() - t0
                if n != expect_keys:
                    raise HarnessError("%s: DBSIZE %s after restart, expected %s" % (self.name, n, expect_keys))
            finally:
                c.close()
        raise HarnessError("%s did not answer in %d s" % (self.name, timeout))

    def stop_nosave(self):
        try:
            c = Conn(self.port, timeout=30)
            try:
                c.sock.sendall(encode("SHUTDOWN", "NOSAVE"))
                try:
                    c.read()
                except (HarnessError, OSError):
                    pass
            finally:
                c.close()
        except OSError:
            pass
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, n=15):
        try:
            with open(self.logpath, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def logged_load_seconds(self):
        with open(self.logpath, "rb") as f:
            found = re.findall(rb"DB loaded from disk: ([0-9.]+) seconds", f.read())
        return float(found[-1]) if found else None

    def file_size(self):
        p = os.path.join(self.dir, "dump.rdb")
        return os.path.getsize(p) if os.path.exists(p) else 0

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def type_sample(c, keys, n=2000):
    counts = {}
    for i in range(0, n):
        t = c.call("TYPE", "key:%08d" % (i * 37 % keys))
        counts[t] = counts.get(t, 0) + 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--taskkv", default=os.path.join(ROOT, "build", "taskkv-server"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "redis-server")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-dirs", action="store_true")
    args = ap.parse_args()

    servers = [Server("taskkv", args.taskkv, args.keep_dirs), Server("redis", args.redis, args.keep_dirs)]
    try:
        for s in servers:
            s.start()
            log("%s: loading %d keys..." % (s.name, args.keys))
            c = Conn(s.port)
            batch = []
            t0 = time.perf_counter()
            for cmd in dataset(args.keys, args.seed):
                batch.append(cmd)
                if len(batch) == 2000:
                    c.pipeline(batch)
                    batch = []
            if batch:
                c.pipeline(batch)
            n = c.call("DBSIZE")
            if n != args.keys:
                raise HarnessError("%s: DBSIZE %s after loading %d keys" % (s.name, n, args.keys))
            t1 = time.perf_counter()
            c.call("SAVE")
            t2 = time.perf_counter()
            log("%s: filled in %.1f s, SAVE took %.2f s, file %.1f MB" % (s.name, t1 - t0, t2 - t1,
                                                                          s.file_size() / 1e6))
            s.save_seconds = t2 - t1
            c.close()
            s.stop_nosave()
        times = {s.name: [] for s in servers}
        logged = {s.name: [] for s in servers}
        samples = {}
        for rnd in range(args.rounds):
            order = servers if rnd % 2 == 0 else list(reversed(servers))
            for s in order:
                secs = s.start(expect_keys=args.keys)
                times[s.name].append(secs)
                logged[s.name].append(s.logged_load_seconds())
                if rnd == 0:
                    c = Conn(s.port)
                    samples[s.name] = type_sample(c, args.keys)
                    c.close()
                s.stop_nosave()
                log("%s: round %d: ready after %.3f s (logged load %s s)" % (s.name, rnd + 1, secs,
                                                                            logged[s.name][-1]))
        if samples["taskkv"] != samples["redis"]:
            raise HarnessError("type sample differs: taskkv %s, redis %s" % (samples["taskkv"], samples["redis"]))
        tk, rd = statistics.median(times["taskkv"]), statistics.median(times["redis"])
        print("keys: %d (mixed types), rounds: %d" % (args.keys, args.rounds))
        print("%-8s %14s %14s %12s %10s" % ("server", "restart (s)", "logged load", "file (MB)", "SAVE (s)"))
        for s in servers:
            lg = [x for x in logged[s.name] if x is not None]
            print("%-8s %14.3f %14s %12.1f %10.2f" % (s.name, statistics.median(times[s.name]),
                                                     "%.3f" % statistics.median(lg) if lg else "-",
                                                     s.file_size() / 1e6, s.save_seconds))
        print("ratio taskkv/redis (restart): %.2f" % (tk / rd))
        print("per-round restart seconds: taskkv %s, redis %s" % (
            ", ".join("%.3f" % x for x in times["taskkv"]), ", ".join("%.3f" % x for x in times["redis"])))
        return 0 if tk <= rd else 1
    except HarnessError as e:
        log("harness error: %s" % e)
        for s in servers:
            log("%s dir: %s" % (s.name, s.dir))
        args.keep_dirs = True
        for s in servers:
            s.keep = True
        return 2
    finally:
        for s in servers:
            s.cleanup()


if __name__ == "__main__":
    sys.exit(main())
