"""A small test harness for taskkv over real sockets (Python 3 stdlib only).

What it offers the test modules (tests/integration/test_*.py):

  Server        a server process (taskkv or a reference redis-server) on a
                free loopback port, in its own temporary directory, with its
                stdout/stderr captured to files; start() waits until it
                answers PING, stop() sends SIGTERM and returns the exit code.
  Conn          one RESP connection (TCP or unix socket) that can send raw
                bytes and read exactly one reply (decoded, or as the raw bytes
                of that reply), read until EOF, all with timeouts.
  T             the per-test context handed to every test function:
                t.server (the server under test), t.conn() (a new connection,
                closed after the test), t.start_taskkv(...) / t.redis(...)
                (extra servers, stopped after the test), t.tmpdir, t.note().

A test is a function `test_<name>(t)` in a module named test_*.py. By default
it runs against the shared taskkv server after FLUSHALL on a fresh
connection; decorate it with @fresh_server(args...) to get a server of its
own started with extra arguments, and with @timeout(seconds) to change its
time limit (default 60 s, enforced with SIGALRM).
"""

import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CRLF = b"\r\n"
DEFAULT_TIMEOUT = 5.0
RECV_CHUNK = 1 << 18   # reads go into a preallocated buffer: recv(n) would
                       # allocate n bytes per call, slow when replies trickle in


# ---------------------------------------------------------------------------
# Test declaration helpers
# ---------------------------------------------------------------------------

def fresh_server(*args):
    """The test gets a taskkv server of its own, started with these extra
    arguments (strings), e.g. @fresh_server("--maxclients", "5")."""
    def deco(fn):
        fn.fresh_server_args = [str(a) for a in args]
        return fn
    return deco


def timeout(seconds):
    def deco(fn):
        fn.timeout = seconds
        return fn
    return deco


class Skip(Exception):
    """Raise from a test to report it as skipped (with a reason)."""


# ---------------------------------------------------------------------------
# Assertions with useful messages
# ---------------------------------------------------------------------------

def short(v, limit=300):
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + "...(%d chars)" % len(r)


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%sexpected %s, got %s" % (what + ": " if what else "", short(want), short(got)))


def first_diff(got, want, what=""):
    """None if equal; else a message naming the first differing element of
    two (nested) lists."""
    if got == want:
        return None
    path = []
    a, b = got, want
    while isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), None)
        if i is None:
            break
        path.append(i)
        a, b = a[i], b[i]
    where = "".join("[%d]" % i for i in path)
    return "%s%s: expected %s, got %s" % (what + " " if what else "", where or "value", short(b, 500), short(a, 500))


def eq_list(got, want, what=""):
    d = first_diff(got, want, what)
    if d:
        raise AssertionError(d)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


# ---------------------------------------------------------------------------
# Ports and processes
# ---------------------------------------------------------------------------

def free_port():
    """A TCP port that was free a moment ago (never 6379)."""
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port != 6379:
            return port


class ServerError(Exception):
    pass


class Server:
    """One server process. kind is "taskkv" or "redis".

    The server runs with --port <free> --bind 127.0.0.1 --dir <its dir> plus
    `args`; or, with config_file, as `binary config_file` + args (the file
    must then name the port itself: pass port= to tell us which)."""

    def __init__(self, binary, args=(), kind="taskkv", root=None, config_file=None, port=None,
                 ready_timeout=15.0, name=None):
        self.binary = binary
        self.kind = kind
        self.extra = list(args)
        self.config_file = config_file
        self.fixed_port = port
        self.ready_timeout = ready_timeout
        self.own_root = root is None
        self.dir = tempfile.mkdtemp(prefix="%s-" % (name or kind), dir=root)
        self.proc = None
        self.port = None
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.exit_code = None
        self.expect_exit = False   # set when a test shuts the server down itself

    # -- lifecycle --

    def argv(self):
        if self.config_file:
            return [self.binary, self.config_file] + self.extra
        base = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if self.kind == "redis":
            base += ["--save", "", "--appendonly", "no"]
        else:
            # no snapshot rules unless a test asks for them (its own --save
            # lines add to this empty list): a background save forking in
            # the middle of a timing test would measure the fork
            base += ["--save", "", "--appendonly", "no"]
        return base + self.extra

    def start(self):
        last = None
        for _attempt in range(3):
            self.port = self.fixed_port or free_port()
            out = open(self.stdout_path, "ab")
            err = open(self.stderr_path, "ab")
            try:
                self.proc = subprocess.Popen(self.argv(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                             cwd=self.dir)
            finally:
                out.close()
                err.close()
            try:
                self.wait_ready()
                return self
            except ServerError as e:
                last = e
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
                if self.fixed_port:
                    break
        raise ServerError("%s did not start: %s\n%s" % (self.kind, last, self.output_tail()))

    def wait_ready(self, timeout_s=None):
        deadline = time.time() + (timeout_s or self.ready_timeout)
        while time.time() < deadline:
            if self.proc is not None and self.proc.poll() is not None and not self.daemonized():
                raise ServerError("exited with status %s" % self.proc.returncode)
            try:
                c = Conn(port=self.port, timeout=2.0)
                try:
                    r = c.cmd("PING")
                    pid = None
                    if r == "PONG":
                        pid = parse_info(c.cmd("INFO", "server")).get("process_id")
                finally:
                    c.close()
                if pid is not None and self.proc is not None and not self.daemonized() and \
                        pid != str(self.proc.pid):
                    # someone else's server answered on the port we picked
                    raise ServerError("port %s is served by pid %s, not ours (%s)" % (self.port, pid,
                                                                                       self.proc.pid))
                if r == "PONG" or (isinstance(r, ErrorReply) and r.startswith("NOAUTH")):
                    return
            except (OSError, ConnectionClosed, ReplyTimeout):
                pass
            time.sleep(0.02)
        raise ServerError("no PONG on port %s within %.0fs" % (self.port, timeout_s or self.ready_timeout))

    def daemonized(self):
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def pid(self):
        return self.proc.pid

    def stop(self, timeout_s=20.0):
        """SIGTERM, wait; SIGKILL if it does not exit. Returns the exit code
        (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_code = None
                return None
        self.exit_code = self.proc.returncode
        return self.exit_code

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.own_root:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- output --

    def stdout(self):
        return read_text(self.stdout_path)

    def stderr(self):
        return read_text(self.stderr_path)

    def output_tail(self, n=2000):
        text = ""
        for label, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            t = read_text(path)
            if t:
                text += "--- %s %s (tail) ---\n%s\n" % (self.kind, label, t[-n:])
        return text

    def conn(self, **kw):
        return Conn(port=self.port, **kw)


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


# ---------------------------------------------------------------------------
# RESP connection
# ---------------------------------------------------------------------------

class ConnectionClosed(Exception):
    pass


class ReplyTimeout(Exception):
    pass


class ProtocolViolation(Exception):
    """The server sent bytes that are not valid RESP."""


class Status(str):
    """A simple-string reply (+OK). Compares equal to the plain str."""

    def __repr__(self):
        return "Status(%s)" % str.__repr__(self)


class ErrorReply(str):
    """An error reply (-ERR ...), returned, not raised."""

    def __repr__(self):
        return "ErrorReply(%s)" % str.__repr__(self)


class Verbatim(bytes):
    """A RESP3 verbatim string; .fmt holds its 3-letter format."""
    fmt = b"txt"


class Push(list):
    pass


def encode(*args):
    """RESP multibulk encoding of a command (args: bytes, str or int)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A blocking RESP connection with its own input buffer.

    cmd()/read() decode one reply; cmd_raw()/read_raw() return the exact
    bytes of one reply. Every read has a timeout (ReplyTimeout); a closed
    connection raises ConnectionClosed."""

    def __init__(self, port=None, host="127.0.0.1", unix_path=None, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.eof = False
        self._rview = memoryview(bytearray(RECV_CHUNK))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- writing --

    def send(self, data):
        self.sock.sendall(data)

    def send_cmd(self, *args):
        self.sock.sendall(encode(*args))

    # -- low-level reading --

    def _fill(self, deadline):
        """Reads more bytes into the buffer, or raises."""
        if self.eof:
            raise ConnectionClosed("connection closed by the server")
        left = deadline - time.time()
        if left <= 0:
            raise ReplyTimeout("no reply within the timeout")
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            raise ReplyTimeout("no reply within the timeout")
        try:
            n = self.sock.recv_into(self._rview)
        except (ConnectionResetError, BrokenPipeError):
            n = 0
        if not n:
            self.eof = True
            raise ConnectionClosed("connection closed by the server")
        self.buf += self._rview[:n]

    def _compact(self):
        """Drops consumed bytes (only between replies: read_raw slices by offset)."""
        if self.pos == len(self.buf):
            self.buf = bytearray()
            self.pos = 0
        elif self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0

    def _line(self, deadline):
        while True:
            i = self.buf.find(CRLF, self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill(deadline)

    def _exact(self, n, deadline):
        while len(self.buf) - self.pos < n + 2:
            self._fill(deadline)
        data = bytes(self.buf[self.pos:self.pos + n])
        if self.buf[self.pos + n:self.pos + n + 2] != CRLF:
            raise ProtocolViolation("bulk payload not followed by CRLF")
        self.pos += n + 2
        return data

    def _parse(self, deadline):
        line = self._line(deadline)
        if not line:
            raise ProtocolViolation("empty line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return Status(rest.decode("utf-8", "replace"))
        if t == b"-":
            return ErrorReply(rest.decode("utf-8", "replace"))
        if t == b":":
            return int(rest)
        if t == b"$" or t == b"!" or t == b"=":
            n = int(rest)
            if n < 0:
                return None
            data = self._exact(n, deadline)
            if t == b"!":
                return ErrorReply(data.decode("utf-8", "replace"))
            if t == b"=":
                v = Verbatim(data[4:])
                v.fmt = data[:3]
                return v
            return data
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self._parse(deadline) for _ in range(n)]
            return Push(items) if t == b">" else items
        if t == b"%" or t == b"|":
            n = int(rest)
            pairs = [(self._parse(deadline), self._parse(deadline)) for _ in range(n)]
            if t == b"|":
                return self._parse(deadline)   # attributes are dropped
            return {_hashable(k): v for k, v in pairs}
        if t == b"_":
            return None
        if t == b"#":
            return rest == b"t"
        if t == b",":
            return float(rest)
        if t == b"(":
            return int(rest)
        raise ProtocolViolation("unknown reply type %r" % line[:20])

    # -- reading replies --

    def read(self, timeout_s=None):
        """Decodes one reply."""
        deadline = time.time() + (self.timeout if timeout_s is None else timeout_s)
        start = self.pos
        try:
            v = self._parse(deadline)
        except (ReplyTimeout, ConnectionClosed):
            self.pos = start      # keep a partial reply for a later read
            raise
        self._compact()
        return v

    def read_raw(self, timeout_s=None):
        """The exact bytes of one reply."""
        deadline = time.time() + (self.timeout if timeout_s is None else timeout_s)
        start = self.pos
        try:
            self._parse(deadline)
        except (ReplyTimeout, ConnectionClosed):
            self.pos = start
            raise
        raw = bytes(self.buf[start:self.pos])
        self._compact()
        return raw

    def cmd(self, *args, timeout_s=None):
        self.send_cmd(*args)
        return self.read(timeout_s)

    def cmd_raw(self, *args, timeout_s=None):
        self.send_cmd(*args)
        return self.read_raw(timeout_s)

    def read_bytes(self, n, timeout_s=None):
        """Exactly n bytes, whatever they are."""
        deadline = time.time() + (self.timeout if timeout_s is None else timeout_s)
        while len(self.buf) - self.pos < n:
            self._fill(deadline)
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        self._compact()
        return data

    def read_until_eof(self, timeout_s=None):
        """Everything until the server closes: (bytes, closed). closed is
        False if the timeout came first."""
        deadline = time.time() + (self.timeout if timeout_s is None else timeout_s)
        while True:
            try:
                self._fill(deadline)
            except ConnectionClosed:
                break
            except ReplyTimeout:
                data = bytes(self.buf[self.pos:])
                self.pos = len(self.buf)
                return data, False
        data = bytes(self.buf[self.pos:])
        self.pos = len(self.buf)
        return data, True

    def pending(self):
        """Bytes already received and not consumed."""
        return bytes(self.buf[self.pos:])

    def is_closed(self, wait_s=0.2):
        """True if the server has closed the connection (no data expected)."""
        try:
            self._fill(time.time() + wait_s)
        except ConnectionClosed:
            return True
        except ReplyTimeout:
            return False
        return False


def replies_or_close(conn, n, timeout_s=3.0):
    """Up to n raw replies; "<closed>" once the server has closed, and
    "<timeout>" if a reply does not come within timeout_s."""
    out = []
    for _ in range(n):
        try:
            out.append(conn.read_raw(timeout_s))
        except ConnectionClosed:
            out.append("<closed>")
            break
        except ReplyTimeout:
            out.append("<timeout>")
            break
    return out


def _hashable(k):
    if isinstance(k, list):
        return tuple(_hashable(x) for x in k)
    if isinstance(k, dict):
        return tuple(sorted(k.items()))
    return k


def parse_info(text):
    """INFO text -> {field: value-string}; bytes or str accepted."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    out = {}
    for line in text.split("\r\n"):
        if not line or line.startswith("#"):
            continue
        k, _, v = line.partition(":")
        out[k] = v
    return out


def info(conn, section=None):
    r = conn.cmd("INFO", section) if section else conn.cmd("INFO")
    if isinstance(r, ErrorReply):
        raise AssertionError("INFO failed: %s" % r)
    return parse_info(r)


def send_recv_concurrently(sock, data, nbytes_expected=None, until=None, timeout_s=30.0, chunk=1 << 16):
    """Writes `data` while reading replies, so neither side blocks on a full
    socket buffer. Stops reading when nbytes_expected bytes arrived or when
    until(buf) returns True. Returns the bytes read."""
    sock.setblocking(False)
    rview = memoryview(bytearray(RECV_CHUNK))
    out = bytearray()
    view = memoryview(data)
    sent = 0
    deadline = time.time() + timeout_s
    try:
        while True:
            if nbytes_expected is not None and len(out) >= nbytes_expected and sent == len(data):
                break
            if until is not None and sent == len(data) and until(out):
                break
            left = deadline - time.time()
            if left <= 0:
                raise ReplyTimeout("send/recv did not finish within %.0fs (sent %d/%d, read %d)"
                                   % (timeout_s, sent, len(data), len(out)))
            w = [sock] if sent < len(data) else []
            r, wr, _ = select.select([sock], w, [], min(left, 1.0))
            if r:
                n = sock.recv_into(rview)
                if not n:
                    raise ConnectionClosed("closed after %d bytes of replies" % len(out))
                out += rview[:n]
            if wr:
                try:
                    sent += sock.send(view[sent:sent + chunk * 16])
                except BlockingIOError:
                    pass
    finally:
        sock.setblocking(True)
        sock.settimeout(DEFAULT_TIMEOUT)
    return bytes(out)


# ---------------------------------------------------------------------------
# Per-test context
# ---------------------------------------------------------------------------

class T:
    """What a test function receives."""

    def __init__(self, runner, server, name):
        self.runner = runner
        self.server = server
        self.name = name
        self.binary = runner.binary
        self.sanitizer = runner.sanitizer
        self.port = server.port if server else None
        self._conns = []
        self._servers = []
        self.tmpdir = tempfile.mkdtemp(prefix="t-", dir=runner.root)
        self.notes = []

    def conn(self, server=None, **kw):
        s = server or self.server
        c = Conn(port=s.port, **kw)
        self._conns.append(c)
        return c

    def unix_conn(self, path, **kw):
        c = Conn(unix_path=path, **kw)
        self._conns.append(c)
        return c

    def track(self, c):
        self._conns.append(c)
        return c

    def start_taskkv(self, *args, **kw):
        s = Server(self.binary, args, "taskkv", root=self.tmpdir, **kw)
        self._servers.append(s)
        return s.start()

    def redis(self, *args, **kw):
        """A reference redis-server 7.0.15 of this test's own."""
        s = Server(self.runner.redis_binary, args, "redis", root=self.tmpdir, **kw)
        self._servers.append(s)
        return s.start()

    def shared_redis(self):
        """The reference redis-server shared by the run (FLUSHALL'ed)."""
        r = self.runner.reference()
        with r.conn() as c:
            c.cmd("FLUSHALL")
        return r

    def track_server(self, s):
        self._servers.append(s)
        return s

    def note(self, msg):
        """A line printed under the test's result (measurements)."""
        self.notes.append(msg)

    def close(self):
        for c in self._conns:
            c.close()
        problems = []
        for s in self._servers:
            if s.kind == "taskkv" and not s.expect_exit:
                if not s.alive():
                    problems.append("taskkv server exited during the test (status %s)\n%s"
                                    % (s.proc.returncode, s.output_tail()))
                else:
                    code = s.stop()
                    if code != 0:
                        problems.append("taskkv server exited with status %s on SIGTERM\n%s"
                                        % (code, s.output_tail()))
            s.stop()
            s.cleanup()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        return problems
