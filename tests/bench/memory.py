#!/usr/bin/python3
"""Resident memory per item, taskkv vs redis-server, side by side in one run
(Python 3 stdlib only).

For each dataset a FRESH server of each kind is started (free loopback port,
own temp dir, no persistence), its resident set size is read from
/proc/PID/status (VmRSS) once it is idle, the items are loaded with pipelined
RESP commands, the server is left a moment to settle, and VmRSS is read
again. Reported: the growth per item of each server and the ratio
taskkv / redis. Datasets (the issue's):

  strings  N keys  key:%08d          with 16-byte values (SET)
  zset     one sorted set of N members job:%08d, millisecond-timestamp scores (ZADD)
  hash     one hash of N fields  field:%08d with 16-byte values (HSET)

Usage: tests/bench/memory.py [--n 1000000] [--only strings,zset,hash]
       [--taskkv build/taskkv-server] [--redis /usr/bin/redis-server]
Acceptance (issue 3): taskkv <= 0.8 x redis on each dataset; exit 1 if not.
Not run by CI (see tests/bench/README.md).
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BATCH = 1000

sys.path.insert(0, HERE)
from compare import free_port  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Server:
    def __init__(self, binary):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="kvmem-")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port))
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.call(resp("PING"), 1)

    def call(self, data, nreplies):
        """Sends data and reads nreplies simple replies (lines)."""
        self.sock.sendall(data)
        buf = b""
        while buf.count(b"\r\n") < nreplies:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("server closed")
            buf += chunk
        if b"-" in buf[:1] or b"\r\n-" in buf:
            raise RuntimeError("error reply: %r" % buf[:200])

    def stop(self):
        self.sock.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def commands(kind, n):
    value = b"v" * 16
    base_ms = 1767225600000
    for i in range(n):
        if kind == "strings":
            yield resp("SET", b"key:%08d" % i, value)
        elif kind == "zset":
            yield resp("ZADD", "jobs", base_ms + i * 7 % 100003 * 10, b"job:%08d" % i)
        else:
            yield resp("HSET", "h", b"field:%08d" % i, value)


def measure(binary, kind, n):
    s = Server(binary)
    try:
        time.sleep(0.3)
        before = rss_kb(s.proc.pid)
        batch, count = [], 0
        for cmd in commands(kind, n):
            batch.append(cmd)
            if len(batch) == BATCH:
                s.call(b"".join(batch), len(batch))
                count += len(batch)
                batch = []
        if batch:
            s.call(b"".join(batch), len(batch))
        time.sleep(1.0)
        after = rss_kb(s.proc.pid)
        return (after - before) * 1024.0 / n
    finally:
        s.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--only", default="strings,zset,hash")
    ap.add_argument("--taskkv", default=os.path.join(ROOT, "build", "taskkv-server"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--limit", type=float, default=0.8)
    a = ap.parse_args()
    ok = True
    print("%-8s %12s %12s %8s" % ("dataset", "taskkv B/it", "redis B/it", "ratio"))
    for kind in a.only.split(","):
        t = measure(a.taskkv, kind, a.n)
        r = measure(a.redis, kind, a.n)
        ratio = t / r
        ok = ok and ratio <= a.limit
        print("%-8s %12.1f %12.1f %8.3f%s" % (kind, t, r, ratio, "" if ratio <= a.limit else "  > %.2f" % a.limit))
        sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
