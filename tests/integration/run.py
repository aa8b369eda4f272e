#!/usr/bin/env python3
"""Integration tests for taskkv over real sockets.

    python3 tests/integration/run.py --server build/taskkv-server [-k name] [--sanitizer]

Runs every test_<name>(t) function of tests/integration/test_*.py (see
harness.py) and the standalone script test_strings_extra.py (as a
subprocess with --port against a server of its own). Prints one line per
test and a closing line "integration: N passed, N failed, N skipped"; exits
non-zero if any test failed.

--sanitizer      the server is an address/undefined-sanitizer build: timing
                 thresholds are relaxed and rate assertions are skipped
                 (TASKKV_ASAN_EXPIRE_RATE_MIN=<keys/s> still asserts one).
-k SUBSTRING     run only tests whose name (module.function) contains it;
                 may be repeated.
--redis-server   the reference redis-server 7.0.15 (default: from PATH).
"""

import argparse
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

EXTERNAL_SCRIPT = "test_strings_extra.py"
DEFAULT_TEST_TIMEOUT = 60


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout("test exceeded its time limit")


class Runner:
    def __init__(self, opts):
        self.binary = os.path.abspath(opts.server)
        self.sanitizer = opts.sanitizer
        self.redis_binary = opts.redis_server or shutil.which("redis-server") or "/usr/bin/redis-server"
        self.verbose = opts.verbose
        self.root = tempfile.mkdtemp(prefix="taskkv-int-")
        self.shared = None
        self._reference = None
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    # -- shared servers --

    def shared_server(self):
        if self.shared is None or not self.shared.alive():
            self.shared = harness.Server(self.binary, (), "taskkv", root=self.root, name="shared").start()
        return self.shared

    def reference(self):
        if self._reference is None or not self._reference.alive():
            self._reference = harness.Server(self.redis_binary, (), "redis", root=self.root,
                                             name="reference").start()
        return self._reference

    # -- running --

    def report(self, name, status, elapsed, detail="", notes=()):
        line = "%-4s %s (%.2fs)" % (status, name, elapsed)
        print(line, flush=True)
        for n in notes:
            print("       %s" % n, flush=True)
        if detail:
            for dl in detail.rstrip().splitlines():
                print("       | %s" % dl)
            sys.stdout.flush()
        if status == "PASS":
            self.passed += 1
        elif status == "SKIP":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append(name)

    def run_function(self, name, fn):
        fresh = getattr(fn, "fresh_server_args", None)
        limit = getattr(fn, "timeout", DEFAULT_TEST_TIMEOUT)
        if self.sanitizer:
            limit *= 3
        start = time.time()
        t = None
        status, detail = "PASS", ""
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(int(limit))
        try:
            if fresh is not None:
                server = harness.Server(self.binary, fresh, "taskkv", root=self.root, name="fresh").start()
                t = harness.T(self, server, name)
                t.track_server(server)
            else:
                server = self.shared_server()
                t = harness.T(self, server, name)
                c = t.conn()
                r = c.cmd("FLUSHALL")
                if r != "OK":
                    raise AssertionError("FLUSHALL before the test failed: %r" % (r,))
                c.close()
            fn(t)
        except harness.Skip as e:
            status, detail = "SKIP", str(e)
        except AssertionError as e:
            status = "FAIL"
            tb = traceback.extract_tb(e.__traceback__)
            where = next((f for f in reversed(tb) if os.path.basename(f.filename).startswith("test_")), tb[-1])
            detail = "%s\n(at %s:%d)" % (e, os.path.basename(where.filename), where.lineno)
        except TestTimeout:
            status, detail = "FAIL", "timed out after %ds\n%s" % (limit, traceback.format_exc(limit=-3))
        except Exception:
            status, detail = "FAIL", traceback.format_exc(limit=-6)
        finally:
            signal.alarm(0)
        notes = []
        if t is not None:
            notes = t.notes
            try:
                problems = t.close()
            except Exception:
                problems = [traceback.format_exc(limit=-3)]
            if problems:
                if status != "FAIL":
                    status, detail = "FAIL", ""
                detail += "\n" + "\n".join(problems)
        if fresh is None and self.shared is not None and not self.shared.alive():
            status = "FAIL"
            detail += "\nthe shared taskkv server died (status %s)\n%s" % (self.shared.proc.returncode,
                                                                           self.shared.output_tail())
            self.shared = None
        if status == "FAIL" and self.shared is not None and fresh is None:
            detail += "\n" + self.shared.output_tail(800) if self.verbose else ""
        self.report(name, status, time.time() - start, detail, notes)

    def run_external(self, path):
        """test_strings_extra.py: a standalone script of another engineer."""
        name = "strings_extra"
        with open(path, encoding="utf-8", errors="replace") as f:
            src = f.read()
        start = time.time()
        if "--port" not in src:
            self.report(name, "SKIP", 0, "%s has no --port interface" % os.path.basename(path))
            return
        server = harness.Server(self.binary, (), "taskkv", root=self.root, name="strings-extra")
        try:
            server.start()
            env = dict(os.environ)
            env["TASKKV_SERVER"] = self.binary
            limit = 180 if self.sanitizer else 90
            try:
                p = subprocess.run([sys.executable, path, "--port", str(server.port)], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=limit, env=env, cwd=HERE)
                out = p.stdout.decode("utf-8", "replace")
                rc = p.returncode
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode("utf-8", "replace")
                rc = "timeout after %ds" % limit
            tail = out.strip().splitlines()[-1] if out.strip() else ""
            if rc == 0:
                alive = server.alive()
                code = server.stop()
                if not alive or code != 0:
                    self.report(name, "FAIL", time.time() - start,
                                "server status after the script: %s\n%s" % (code, server.output_tail()))
                else:
                    self.report(name, "PASS", time.time() - start, notes=[tail] if tail else [])
            else:
                self.report(name, "FAIL", time.time() - start,
                            "exit status %s\n%s" % (rc, out[-4000:]))
        except harness.ServerError as e:
            self.report(name, "FAIL", time.time() - start, str(e))
        finally:
            server.stop()
            server.cleanup()

    def cleanup(self):
        for s in (self.shared, self._reference):
            if s is None:
                continue
            if s is self.shared and s.alive():
                code = s.stop()
                if code != 0:
                    self.report("shared-server-exit", "FAIL", 0,
                                "the shared taskkv server exited with status %s on SIGTERM\n%s"
                                % (code, s.output_tail()))
            s.stop()
            s.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


def discover(filters, test_dir=HERE, external=True):
    """[(name, kind, target)] in file order."""
    found = []
    if test_dir not in sys.path:
        sys.path.insert(0, test_dir)
    for fname in sorted(os.listdir(test_dir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        path = os.path.join(test_dir, fname)
        if external and fname == EXTERNAL_SCRIPT:
            with open(path, encoding="utf-8", errors="replace") as f:
                src = f.read()
            if "--port" in src or "def test_" not in src or "(t)" not in src:
                found.append(("strings_extra", "external", path))
                continue
        modname = fname[:-3]
        mod = importlib.import_module(modname)
        funcs = [(k, v) for k, v in vars(mod).items()
                 if k.startswith("test_") and callable(v) and getattr(v, "__module__", None) == modname]
        funcs.sort(key=lambda kv: kv[1].__code__.co_firstlineno)
        for k, v in funcs:
            found.append(("%s.%s" % (modname[5:], k[5:]), "function", v))
    if filters:
        found = [x for x in found if any(f in x[0] for f in filters)]
    return found


def main(argv=None, test_dir=HERE, suite="integration", doc=__doc__):
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="path of taskkv-server")
    ap.add_argument("-k", action="append", default=[], help="only tests whose name contains this")
    ap.add_argument("--sanitizer", action="store_true", help="the server is a sanitizer build")
    ap.add_argument("--redis-server", help="reference redis-server binary")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args(argv)
    if os.environ.get("TASKKV_SANITIZER") == "1":
        opts.sanitizer = True
    if not os.access(opts.server, os.X_OK):
        print("%s: server binary %s not found or not executable" % (suite, opts.server))
        print("%s: 0 passed, 1 failed" % suite)
        return 1
    tests = discover(opts.k, test_dir, external=(test_dir == HERE))
    if opts.list:
        for name, _, _ in tests:
            print(name)
        return 0
    if not tests:
        print("%s: no test matches %s" % (suite, opts.k))
        print("%s: 0 passed, 1 failed" % suite)
        return 1
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    runner = Runner(opts)
    began = time.time()
    print("%s: %d tests against %s%s" % (suite, len(tests), opts.server, " (sanitizer build)" if opts.sanitizer
                                           else ""), flush=True)
    try:
        for name, kind, target in tests:
            if kind == "external":
                runner.run_external(target)
            else:
                runner.run_function(name, target)
    except KeyboardInterrupt:
        print("interrupted")
        runner.failed += 1
    finally:
        runner.cleanup()
    if runner.failures:
        print("failed: %s" % ", ".join(runner.failures))
    print("%s: finished in %.1fs" % (suite, time.time() - began))
    print("%s: %d passed, %d failed, %d skipped" % (suite, runner.passed, runner.failed, runner.skipped))
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main())
