"""Minimal RESP2/RESP3 client for differential testing (Python 3 stdlib only).

Replies are parsed into a canonical, hashable, comparable form made of nested
tuples that keeps every wire-level type distinction, so that comparing two
replies with == catches `+OK` vs `$2\\r\\nOK`, `$-1` vs `*-1` vs `_`, `:1` vs
`#t`, and so on:

    ('simple', b'OK')              +OK
    ('bulk', b'data')              $4 data
    ('verbatim', b'txt', b'data')  =8 txt:data
    ('error', b'ERR x')            -ERR x
    ('blob_error', b'ERR x')       !5 ERR x
    ('int', 42)                    :42
    ('double', b'3.14')            ,3.14          (raw text, byte-exact)
    ('bignum', b'1234...')         (1234...
    ('bool', True)                 #t / #f
    ('null', 'bulk')               $-1            (RESP2 null bulk)
    ('null', 'array')              *-1            (RESP2 null array)
    ('null', '_')                  _              (RESP3 null)
    ('array', (e1, e2, ...))       *N
    ('map', ((k1, v1), ...))       %N             (pairs kept in wire order)
    ('set', (e1, ...))             ~N
    ('push', (e1, ...))            >N
    ('attr', ((k, v), ...), reply) |N followed by the reply it annotates
    ('closed',)                    connection closed instead of a reply
    ('timeout',)                   no reply within the timeout
    ('closed-after', reply)        reply, then the server closed (QUIT)
    ('replies', (r1, r2, ...))     every reply read up to a sentinel PING's
                                   reply, or until the connection was idle
                                   (Conn.read_replies; a trailing ('closed',)
                                   if the server closed)
    ('malformed', why)             bytes that are not valid RESP
    ('connect-failed', why)        could not (re)connect

`fmt()` renders a reply on one line for reports.
"""

import select
import socket
import time

CRLF = b"\r\n"
SENTINEL = b"diff-runner-sentinel"


class RespError(Exception):
    """Malformed reply from the server (not a RESP error reply)."""


class ConnectionClosed(Exception):
    pass


class Timeout(Exception):
    pass


class _Incomplete(Exception):
    pass


def encode_command(args):
    """Encodes args (bytes, str or int) as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8")
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(CRLF)
    return b"".join(out)


class Conn:
    """One blocking connection with its own input buffer."""

    _nofill = False     # read_replies: parse what is buffered, never recv()
    in_multi = False    # kept by the runner: a sentinel PING would be queued

    def __init__(self, host, port, timeout=5.0, connect_timeout=2.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=connect_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.buf = bytearray()
        self.pos = 0
        self.closed = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    # -- input ------------------------------------------------------------

    def _fill(self):
        if self._nofill:
            raise _Incomplete()
        if self.pos and self.pos == len(self.buf):
            self.buf.clear()
            self.pos = 0
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Timeout()
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.closed = True
            raise ConnectionClosed()
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(CRLF, self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        if self.buf[self.pos + n:self.pos + n + 2] != CRLF:
            raise RespError("bulk payload not followed by CRLF")
        self.pos += n + 2
        return data

    def _int(self, s):
        try:
            return int(s)
        except ValueError:
            raise RespError("bad length/integer %r" % s)

    def read_reply(self):
        """Reads one reply. Raises Timeout, ConnectionClosed or RespError."""
        line = self._line()
        if not line:
            raise RespError("empty line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return ("simple", rest)
        if t == b"-":
            return ("error", rest)
        if t == b":":
            return ("int", self._int(rest))
        if t == b"$":
            n = self._int(rest)
            if n == -1:
                return ("null", "bulk")
            if n < 0:
                raise RespError("bad bulk length %d" % n)
            return ("bulk", self._exact(n))
        if t in (b"*", b"~", b">"):
            n = self._int(rest)
            if n == -1 and t == b"*":
                return ("null", "array")
            if n < 0:
                raise RespError("bad aggregate length %d" % n)
            items = tuple(self.read_reply() for _ in range(n))
            return ({b"*": "array", b"~": "set", b">": "push"}[t], items)
        if t in (b"%", b"|"):
            n = self._int(rest)
            if n < 0:
                raise RespError("bad map length %d" % n)
            pairs = tuple((self.read_reply(), self.read_reply()) for _ in range(n))
            if t == b"%":
                return ("map", pairs)
            return ("attr", pairs, self.read_reply())
        if t == b"_":
            return ("null", "_")
        if t == b"#":
            if rest == b"t":
                return ("bool", True)
            if rest == b"f":
                return ("bool", False)
            raise RespError("bad boolean %r" % rest)
        if t == b",":
            return ("double", rest)
        if t == b"(":
            return ("bignum", rest)
        if t == b"=":
            n = self._int(rest)
            data = self._exact(n)
            if len(data) < 4 or data[3:4] != b":":
                raise RespError("bad verbatim string %r" % data[:10])
            return ("verbatim", data[:3], data[4:])
        if t == b"!":
            return ("blob_error", self._exact(self._int(rest)))
        raise RespError("unknown reply type byte %r (line %r)" % (t, line[:60]))

    # -- output -----------------------------------------------------------

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True
            raise ConnectionClosed()
        except socket.timeout:
            raise Timeout()

    def send(self, args):
        self.send_raw(encode_command(args))

    def call(self, *args):
        """Sends one command and returns its reply in canonical form;
        ('closed',) / ('timeout',) instead of raising for those cases."""
        try:
            self.send(args)
            return self.read_reply()
        except ConnectionClosed:
            return ("closed",)
        except Timeout:
            return ("timeout",)

    def read_raw(self, idle=0.05, total=3.0, first=None):
        """Reads whatever arrives until the connection closes, or nothing new
        came for `idle` seconds (`first` seconds for the first bytes, if
        given), or `total` seconds passed. Returns (bytes, closed). Bytes
        already buffered are included."""
        out = bytearray(self.buf[self.pos:])
        self.buf.clear()
        self.pos = 0
        deadline = time.monotonic() + total
        closed = False
        while True:
            now = time.monotonic()
            wait = min(idle if out or first is None else first, deadline - now)
            if wait <= 0:
                break
            r, _, _ = select.select([self.sock], [], [], wait)
            if not r:
                break
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            except socket.timeout:
                break
            if not data:
                closed = True
                self.closed = True
                break
            out += data
        return bytes(out), closed


    def read_to_sentinel(self, total=5.0):
        """Sends `PING <SENTINEL>` and reads every reply (and push) that comes
        before its answer (a bulk string in RESP3 and normal RESP2, a
        ['pong', SENTINEL] array in RESP2 subscribed mode), which is dropped.
        Not for a connection inside MULTI (the PING would be queued). Returns
        ('replies', tuple) like read_replies, with a trailing ('closed',),
        ('timeout',) or ('malformed', why) when the read ended that way."""
        out = []
        deadline = time.monotonic() + total
        done = (("bulk", SENTINEL), ("array", (("bulk", b"pong"), ("bulk", SENTINEL))))
        try:
            try:
                self.send((b"PING", SENTINEL))
            except ConnectionClosed:
                pass  # what the server sent before closing is still readable
            while True:
                self.sock.settimeout(max(0.001, deadline - time.monotonic()))
                r = self.read_reply()
                if r in done:
                    break
                out.append(r)
        except ConnectionClosed:
            out.append(("closed",))
        except Timeout:
            out.append(("timeout",))
            self.close()
        except RespError as e:
            out.append(("malformed", str(e)))
            self.close()
        except OSError as e:
            out.append(("closed",))
            self.close()
        finally:
            if not self.closed:
                self.sock.settimeout(self.timeout)
        return ("replies", tuple(out))

    def read_replies(self, idle=0.05, total=3.0, first=None):
        """Reads every reply that arrives until nothing new came for `idle`
        seconds (`first` seconds for the first one, if given: after sending
        a command), or `total` seconds passed, or the server closed; replies
        already buffered included. Returns ('replies', tuple): the replies in
        canonical form, then ('closed',) if the server closed the connection,
        or ('malformed', why) for bytes that do not make a reply."""
        data, closed = self.read_raw(idle, total, first)
        self.buf = bytearray(data)
        self.pos = 0
        out = []
        self._nofill = True
        try:
            while self.pos < len(self.buf):
                save = self.pos
                try:
                    out.append(self.read_reply())
                except _Incomplete:
                    self.pos = save
                    out.append(("malformed", "incomplete reply %r" % bytes(self.buf[save:save + 60])))
                    break
                except RespError as e:
                    out.append(("malformed", str(e)))
                    self.buf.clear()
                    self.pos = 0
                    break
        finally:
            self._nofill = False
        if closed:
            out.append(("closed",))
        return ("replies", tuple(out))


# -- rendering --------------------------------------------------------------

def _b(s, limit=300):
    if len(s) > limit:
        return repr(s[:limit])[1:] + "...(%d bytes)" % len(s)
    return repr(s)[1:]


def fmt(r, limit=2000):
    """One-line rendering that shows the RESP type of every element."""
    s = _fmt(r)
    if len(s) > limit:
        s = s[:limit] + " ...(%d chars)" % len(s)
    return s


def _fmt(r):
    t = r[0]
    if t in ("simple", "error", "blob_error", "bulk"):
        return "%s:%s" % (t, _b(r[1]))
    if t == "verbatim":
        return "verbatim(%s):%s" % (r[1].decode("latin-1"), _b(r[2]))
    if t == "int":
        return "int:%d" % r[1]
    if t in ("double", "bignum"):
        return "%s:%s" % (t, r[1].decode("latin-1"))
    if t == "bool":
        return "bool:%s" % ("true" if r[1] else "false")
    if t == "null":
        return "null(%s)" % r[1]
    if t in ("array", "set", "push", "replies"):
        return "%s[%d]{%s}" % (t, len(r[1]), ", ".join(_fmt(e) for e in r[1]))
    if t == "map":
        return "map[%d]{%s}" % (len(r[1]), ", ".join("%s => %s" % (_fmt(k), _fmt(v)) for k, v in r[1]))
    if t == "attr":
        return "attr[%d]{%s} %s" % (len(r[1]), ", ".join("%s => %s" % (_fmt(k), _fmt(v)) for k, v in r[1]), _fmt(r[2]))
    if t in ("closed", "timeout"):
        return "<%s>" % t
    if t == "closed-after":
        return "%s <then closed>" % _fmt(r[1])
    if t in ("malformed", "connect-failed"):
        return "<%s: %s>" % (t, r[1])
    return repr(r)


def sort_key(r):
    """A total order over canonical replies (for unordered comparisons)."""
    return repr(r)


def kind(r):
    """The RESP type of a reply, with the null variant ('null', 'bulk')."""
    if r[0] == "null":
        return ("null", r[1])
    return (r[0],)


def wait_ping(host, port, timeout=10.0, alive=None):
    """Waits until the server at host:port answers PING with +PONG.
    `alive` is an optional callable returning False if the process died."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError("server process exited during start-up")
        try:
            c = Conn(host, port, timeout=1.0, connect_timeout=0.5)
            try:
                r = c.call("PING")
            finally:
                c.close()
            if r == ("simple", b"PONG"):
                return
            last = r
        except OSError as e:
            last = e
        time.sleep(0.02)
    raise RuntimeError("no PONG from %s:%d within %.0fs (last: %r)" % (host, port, timeout, last))
