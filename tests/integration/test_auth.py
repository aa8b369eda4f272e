"""requirepass, AUTH, HELLO ... AUTH and NOAUTH, compared reply for reply
with a redis-server 7.0.15 started with the same password."""

import re

from harness import Conn, check, eq, eq_list, first_diff, fresh_server, info, replies_or_close

PASS = "s3cret pass"


def _mask(raw):
    """HELLO's connection id differs between servers, and so may the
    version taskkv reports (it names the newest Redis whose version-gated
    features it has; test_auth_basics checks it against INFO)."""
    if isinstance(raw, bytes):
        raw = re.sub(rb"(\$2\r\nid\r\n):\d+", rb"\1:<id>", raw)
        raw = re.sub(rb"(\$7\r\nversion\r\n)\$\d+\r\n[0-9.]+", rb"\1<version>", raw)
    return raw


def run_session(server, steps):
    """steps: tuples (a command) or bytes (sent raw). One reply read per step;
    returns the masked raw replies, "<closed>" once closed, and finally
    whether the connection is closed."""
    out = []
    with Conn(port=server.port) as c:
        for st in steps:
            try:
                if isinstance(st, bytes):
                    c.send(st)
                else:
                    c.send_cmd(*st)
            except (BrokenPipeError, ConnectionResetError):
                out.append("<closed>")
                break
            r = replies_or_close(c, 1)
            out.extend(_mask(x) for x in r)
            if r and r[-1] == "<closed>":
                break
        else:
            out.append("closed=%s" % c.is_closed(0.1))
    return out


SESSIONS = [
    ("unauthenticated commands", [
        ("PING",), ("GET", "k"), ("SET", "k", "v"), ("CLIENT", "SETNAME", "x"), ("SELECT", "1"),
        ("NOSUCHCOMMAND", "a"), ("GET",), ("INFO",), ("HELLO",), ("HELLO", "2"), ("HELLO", "3"),
        ("HELLO", "4"), ("HELLO", "x"),
    ]),
    ("wrong passwords", [
        ("AUTH", "wrong"), ("AUTH", "default", "wrong"), ("AUTH", "nosuchuser", PASS), ("AUTH", "a", "b", "c"),
        ("AUTH",), ("HELLO", "3", "AUTH", "default", "wrong"), ("HELLO", "3", "AUTH", "default"),
        ("PING",),
    ]),
    ("AUTH then commands", [
        ("AUTH", PASS), ("PING",), ("SET", "k", "v"), ("GET", "k"), ("AUTH", "wrong"), ("PING",),
        ("AUTH", "default", PASS), ("GET", "k"),
    ]),
    ("HELLO 3 AUTH default pass", [
        ("HELLO", "3", "AUTH", "default", PASS), ("PING",), ("SET", "k3", "v"), ("GET", "k3"), ("GET", "nokey"),
        ("HELLO", "2"), ("GET", "nokey"), ("HELLO",),
    ]),
    ("HELLO with AUTH and SETNAME", [
        ("HELLO", "3", "AUTH", "default", PASS, "SETNAME", "app-1"), ("CLIENT", "GETNAME"),
        ("HELLO", "2", "SETNAME", "bad name"), ("CLIENT", "GETNAME"),
    ]),
    ("HELLO SETNAME before AUTH", [
        ("HELLO", "3", "SETNAME", "n1", "AUTH", "default", PASS), ("CLIENT", "GETNAME"),
    ]),
    ("QUIT unauthenticated", [("QUIT",)]),
    ("unauthenticated multibulk count over 10", [b"*11\r\n"]),
    ("unauthenticated multibulk count of 10", [b"*10\r\n$4\r\nECHO\r\n" + b"$1\r\nx\r\n" * 9]),
    ("unauthenticated bulk over 16 KiB", [b"*2\r\n$4\r\nAUTH\r\n$16385\r\n"]),
    ("unauthenticated bulk of 16 KiB", [b"*2\r\n$4\r\nAUTH\r\n$16384\r\n" + b"p" * 16384 + b"\r\n", ("PING",)]),
    ("authenticated client may send big requests", [("AUTH", PASS), b"*12\r\n" + b"$1\r\nx\r\n" * 12,
                                                    ("ECHO", "y" * 20000)]),
    ("inline AUTH", [b"AUTH \"" + PASS.encode() + b"\"\r\n", b"PING\r\n"]),
]


@fresh_server("--requirepass", PASS)
def test_auth_sessions_match_redis(t):
    ref = t.redis("--requirepass", PASS)
    bad = []
    for name, steps in SESSIONS:
        want = run_session(ref, steps)
        got = run_session(t.server, steps)
        d = first_diff(got, want, "reply")
        if d:
            bad.append("%s: %s" % (name, d))
    check(not bad, "%d of %d sessions differ from redis-server 7.0.15:\n%s" % (len(bad), len(SESSIONS),
                                                                                "\n".join(bad)))


@fresh_server("--requirepass", PASS)
def test_auth_basics(t):
    c = t.conn()
    eq(c.cmd_raw("PING"), b"-NOAUTH Authentication required.\r\n")
    eq(c.cmd_raw("AUTH", "nope"), b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
    eq(c.cmd("AUTH", PASS), "OK")
    eq(c.cmd("PING"), "PONG")
    h = t.conn()
    r = h.cmd("HELLO", "3", "AUTH", "default", PASS)
    check(isinstance(r, dict), "HELLO 3 reply is not a map: %r" % (r,))
    eq(r.get(b"proto"), 3)
    eq(r.get(b"version").decode(), info(h, "server")["redis_version"], "HELLO version vs INFO redis_version")
    eq(r.get(b"role"), b"master")
    eq(h.cmd_raw("GET", "missing"), b"_\r\n", "RESP3 null after HELLO 3")


@fresh_server("--requirepass", PASS)
def test_requirepass_config_set_matches_redis(t):
    ref = t.redis("--requirepass", PASS)
    results = []
    for s in (t.server, ref):
        out = []
        admin = Conn(port=s.port)
        out.append(admin.cmd_raw("AUTH", PASS))
        out.append(admin.cmd_raw("CONFIG", "GET", "requirepass"))
        out.append(admin.cmd_raw("CONFIG", "SET", "requirepass", "other"))
        out.append(admin.cmd_raw("PING"))            # already authenticated: stays so
        out.append(run_session(s, [("PING",), ("AUTH", PASS), ("AUTH", "other"), ("PING",)]))
        out.append(admin.cmd_raw("CONFIG", "SET", "requirepass", ""))
        out.append(run_session(s, [("PING",), ("AUTH", "anything"), ("AUTH", "default", "anything"),
                                   ("HELLO", "3", "AUTH", "default", "x")]))
        admin.close()
        results.append(out)
    eq_list(results[0], results[1], "taskkv vs redis")


def test_auth_without_password_matches_redis(t):
    ref = t.shared_redis()
    steps = [("AUTH", "x"), ("AUTH", "default", "x"), ("AUTH", "other", "x"), ("HELLO", "3", "AUTH", "default", "x"),
             ("PING",)]
    eq_list(run_session(t.server, steps), run_session(ref, steps), "taskkv vs redis without requirepass")


@fresh_server()
def test_client_setinfo_as_redis_7_2(t):
    """CLIENT SETINFO is answered +OK as Redis 7.2 does (ioredis, node-redis and
    redis-py send it right after HELLO), and shows in CLIENT INFO."""
    c = t.conn()
    eq(c.cmd_raw("CLIENT", "SETINFO", "LIB-NAME", "redis-py"), b"+OK\r\n")
    eq(c.cmd_raw("CLIENT", "SETINFO", "lib-ver", "5.0.1"), b"+OK\r\n")
    line = c.cmd("CLIENT", "INFO").decode()
    check("lib-name=redis-py " in line and "lib-ver=5.0.1 " in line, "CLIENT INFO lacks lib fields: %r" % line)
    eq(c.cmd_raw("CLIENT", "SETINFO", "LIB-FOO", "x"), b"-ERR Unrecognized option 'LIB-FOO'\r\n")
    eq(c.cmd_raw("CLIENT", "SETINFO", "LIB-NAME", "has space"),
       b"-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n")
    eq(c.cmd_raw("CLIENT", "SETINFO", "LIB-NAME"),
       b"-ERR wrong number of arguments for 'client|setinfo' command\r\n")
