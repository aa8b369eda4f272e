"""Connection administration over real sockets (issue 7): CLIENT PAUSE /
UNPAUSE holding commands and releasing them in order, CLIENT KILL of blocked,
subscribed and paused clients, CLIENT REPLY under pipelining, the idle
`timeout` and the `tcp-keepalive` socket options.

Scenarios whose replies are deterministic run on taskkv and on redis-server
7.0.15 and must give the same transcript; durations (how long a pause holds a
command) are checked on taskkv with margins. The keepalive options are read
from the server's own socket: the test process duplicates it with
pidfd_getfd(2) (the servers are its children) and asks getsockopt.
"""

import ctypes
import os
import re
import socket
import time

from harness import ConnectionClosed, ReplyTimeout, Skip, check, eq, fresh_server, info, timeout


def both(t, scenario, *server_args):
    """Runs scenario(new_conn, admin) on taskkv and on redis-server (each
    with server_args, when given); the transcripts must be equal."""
    out = []
    if server_args:
        servers = (t.start_taskkv(*server_args), t.redis(*server_args))
    else:
        servers = (t.server, t.shared_redis())
    for server in servers:
        admin = t.conn(server)
        admin.cmd("FLUSHALL")
        try:
            out.append(scenario(lambda: t.conn(server), admin))
        finally:
            admin.cmd("CLIENT", "UNPAUSE")
    eq(out[0], out[1], "taskkv vs redis-server transcript")
    return out[0]


def timed(c, *args, timeout_s=10.0):
    start = time.monotonic()
    r = c.cmd(*args, timeout_s=timeout_s)
    return r, time.monotonic() - start


def slack(t):
    return 1.5 if t.sanitizer else 0.5


def alive(c):
    try:
        return c.cmd("PING", timeout_s=2) in ("PONG", [b"pong", b""])
    except (ConnectionClosed, OSError):
        return False


def client_field(line, name):
    m = re.search(r"(?:^| )%s=(\S*)" % re.escape(name), line if isinstance(line, str) else line.decode())
    return m.group(1) if m else None


# ---------------------------------------------------------------------------
# CLIENT PAUSE / UNPAUSE
# ---------------------------------------------------------------------------

def test_pause_write_holds_writes_until_it_ends(t):
    admin, w, r = t.conn(), t.conn(), t.conn()
    admin.cmd("SET", "k", "old")
    eq(admin.cmd("CLIENT", "PAUSE", "600", "WRITE"), "OK")
    start = time.monotonic()
    got, took = timed(r, "GET", "k")
    eq(got, b"old", "a read during a WRITE pause")
    check(took < 0.3, "a read waited %.3f s during a WRITE pause" % took)
    eq(r.cmd("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"), b"old")
    eq(r.cmd("SET"), "ERR wrong number of arguments for 'set' command", "errors come back at once")
    got, took = timed(w, "SET", "k", "new")
    held = time.monotonic() - start
    eq(got, "OK")
    check(0.5 <= held <= 0.6 + slack(t), "the write was held %.3f s by a 600 ms pause" % held)
    eq(r.cmd("GET", "k"), b"new")


def test_pause_releases_held_clients_in_order_on_unpause(t):
    admin = t.conn()
    writers = [t.conn() for _ in range(5)]
    ids = [w.cmd("CLIENT", "ID") for w in writers]
    eq(admin.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK")
    for i, w in enumerate(writers):
        # each pipelines a write, a read and another write: all wait behind the first
        w.send_cmd("RPUSH", "order", str(i))
        w.send_cmd("LLEN", "order")
        w.send_cmd("RPUSH", "order", "%d-again" % i)
        time.sleep(0.02)
    time.sleep(0.1)
    eq(admin.cmd("LLEN", "order"), 0, "nothing written while paused")
    st = info(admin, "clients")
    eq(st["blocked_clients"], "5", "INFO blocked_clients counts the held clients")
    eq(st["clients_in_timeout_table"], "0")
    for wid in ids:
        line = admin.cmd("CLIENT", "LIST", "ID", str(wid))
        eq((client_field(line, "flags"), client_field(line, "cmd")), ("b", "rpush"), "CLIENT LIST of a held client")
    start = time.monotonic()
    eq(admin.cmd("CLIENT", "UNPAUSE"), "OK")
    for i, w in enumerate(writers):
        eq(w.read(timeout_s=5), 2 * i + 1, "writer %d's first push" % i)
        eq(w.read(timeout_s=5), 2 * i + 1, "writer %d's read" % i)
        eq(w.read(timeout_s=5), 2 * i + 2, "writer %d's second push" % i)
    took = time.monotonic() - start
    check(took < 0.3 + slack(t), "held clients took %.3f s to run after UNPAUSE" % took)
    eq(admin.cmd("LRANGE", "order", "0", "-1"),
       [x.encode() for i in range(5) for x in (str(i), "%d-again" % i)])
    eq(info(admin, "clients")["blocked_clients"], "0")


def test_pause_all_holds_every_command_even_the_pausers(t):
    admin, other = t.conn(), t.conn()
    eq(admin.cmd("CLIENT", "PAUSE", "500", "ALL"), "OK")
    start = time.monotonic()
    other.send_cmd("CLIENT", "UNPAUSE")   # held too: ALL holds everything
    got, took = timed(admin, "PING")
    eq(got, "PONG")
    check(0.4 <= took <= 0.5 + slack(t), "PING of the pausing client held %.3f s by a 500 ms ALL pause" % took)
    eq(other.read(timeout_s=5), "OK")
    check(time.monotonic() - start >= 0.4, "UNPAUSE ran before the ALL pause ended")


def test_a_later_pause_neither_shortens_nor_weakens(t):
    admin, w = t.conn(), t.conn()
    eq(admin.cmd("CLIENT", "PAUSE", "700", "WRITE"), "OK")
    start = time.monotonic()
    eq(admin.cmd("CLIENT", "PAUSE", "50", "WRITE"), "OK")
    eq(w.cmd("SET", "k", "v", timeout_s=10), "OK")
    held = time.monotonic() - start
    check(held >= 0.6, "a 50 ms pause shortened a 700 ms one: the write waited %.3f s" % held)
    # WRITE for 700 ms, then ALL for 50 ms: ALL until the later end
    eq(admin.cmd("CLIENT", "PAUSE", "700", "WRITE"), "OK")
    start = time.monotonic()
    eq(admin.cmd("CLIENT", "PAUSE", "50", "ALL"), "OK")
    eq(w.cmd("GET", "k", timeout_s=10), b"v")
    held = time.monotonic() - start
    check(held >= 0.6, "a read waited only %.3f s: the ALL pause should last until the WRITE one's end" % held)


def test_pause_keeps_expiring_keys_until_it_ends(t):
    admin, ev = t.conn(), t.conn()
    admin.cmd("CONFIG", "SET", "notify-keyspace-events", "Ex")
    try:
        eq(ev.cmd("SUBSCRIBE", "__keyevent@0__:expired"), [b"subscribe", b"__keyevent@0__:expired", 1])
        before = int(info(admin, "stats")["expired_keys"])
        eq(admin.cmd("SET", "e", "v", "PX", "100"), "OK")
        eq(admin.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK")
        time.sleep(0.4)
        eq(admin.cmd("GET", "e"), None, "an expired key reads as missing")
        eq(admin.cmd("DBSIZE"), 1, "but it stays while the pause runs")
        eq(int(info(admin, "stats")["expired_keys"]), before)
        try:
            ev.read(timeout_s=0.2)
            raise AssertionError("an expired event during the pause")
        except ReplyTimeout:
            pass
        start = time.monotonic()
        eq(admin.cmd("CLIENT", "UNPAUSE"), "OK")
        eq(ev.read(timeout_s=5), [b"message", b"__keyevent@0__:expired", b"e"])
        took = time.monotonic() - start
        check(took < 0.2 + slack(t), "the key expired %.3f s after UNPAUSE" % took)
        eq(admin.cmd("DBSIZE"), 0)
    finally:
        admin.cmd("CONFIG", "SET", "notify-keyspace-events", "")


def test_pause_scenarios_match_redis(t):
    def scenario(new, admin):
        out = []
        w, b, v = new(), new(), new()
        vid = v.cmd("CLIENT", "ID")
        admin.cmd("SET", "k", "1")
        b.send_cmd("BLPOP", "q", "0.3")   # a blocked client still times out during a pause
        time.sleep(0.05)
        out.append(admin.cmd("CLIENT", "PAUSE", "100000", "WRITE"))
        w.send_cmd("INCR", "k")
        v.send_cmd("SET", "k", "killed")
        out.append(b.read(timeout_s=5))
        time.sleep(0.05)
        out.append(admin.cmd("CLIENT", "KILL", "ID", str(vid)))
        line = admin.cmd("CLIENT", "LIST", "TYPE", "normal")
        out.append(sorted((client_field(x, "flags"), client_field(x, "cmd"))
                          for x in line.decode().splitlines()))
        out.append(admin.cmd("GET", "k"))
        out.append(admin.cmd("CLIENT", "UNPAUSE"))
        out.append(w.read(timeout_s=5))
        out.append(admin.cmd("GET", "k"))
        try:
            v.read(timeout_s=2)
            out.append("killed client answered")
        except ConnectionClosed:
            out.append("killed client closed")
        return out
    both(t, scenario)


@fresh_server("--enable-debug-command", "yes")
def test_pause_inside_multi_lets_its_exec_write_expired_keys(t):
    # The key expires while the pipeline runs (nothing deletes it before
    # EXEC); the SET after CLIENT PAUSE in the same EXEC must still replace
    # it. (redis-server 7.0.15 dies on an assertion here.)
    c, w = t.conn(), t.conn()
    c.send(b"SET ex v PX 1\r\nDEBUG SLEEP 0.01\r\nMULTI\r\nCLIENT PAUSE 100000 WRITE\r\nSET ex new\r\n"
           b"GET ex\r\nEXEC\r\n")
    got = [c.read(timeout_s=5) for _ in range(7)]
    eq(got, ["OK", "OK", "OK", "QUEUED", "QUEUED", "QUEUED", ["OK", "OK", b"new"]])
    eq(c.cmd("DBSIZE"), 1)
    eq(c.cmd("TTL", "ex"), -1)
    w.send_cmd("SET", "ex", "held")
    time.sleep(0.05)
    eq(c.cmd("GET", "ex"), b"new", "the pause holds writes after the EXEC")
    eq(c.cmd("CLIENT", "UNPAUSE"), "OK")
    eq(w.read(timeout_s=5), "OK")
    eq(c.cmd("GET", "ex"), b"held")


# ---------------------------------------------------------------------------
# CLIENT KILL
# ---------------------------------------------------------------------------

def test_kill_releases_what_clients_hold(t):
    def scenario(new, admin):
        out = []
        blocked, sub, watcher = new(), new(), new()
        bid, sid = blocked.cmd("CLIENT", "ID"), sub.cmd("CLIENT", "ID")
        blocked.send_cmd("BRPOP", "jobs", "0")
        out.append(sub.cmd("SUBSCRIBE", "news"))
        out.append(sub.cmd("PSUBSCRIBE", "n*"))
        out.append(watcher.cmd("WATCH", "jobs"))
        time.sleep(0.05)
        out.append(info(admin, "clients")["blocked_clients"])
        out.append(admin.cmd("CLIENT", "KILL", "ID", str(bid)))
        out.append(admin.cmd("CLIENT", "KILL", "ID", str(sid)))
        out.append(info(admin, "clients")["blocked_clients"])
        out.append(admin.cmd("PUBSUB", "NUMSUB", "news"))
        out.append(admin.cmd("PUBSUB", "NUMPAT"))
        out.append(admin.cmd("RPUSH", "jobs", "j1"))
        out.append(admin.cmd("LLEN", "jobs"))   # the killed waiter took nothing
        for c in (blocked, sub):
            try:
                c.read(timeout_s=2)
                out.append("answered")
            except ConnectionClosed:
                out.append("closed")
        out.append(admin.cmd("CLIENT", "KILL", "USER", "default"))   # everyone else: the watcher
        out.append(admin.cmd("PING"))
        return out
    both(t, scenario)


def test_kill_self_closes_after_the_reply(t):
    def scenario(new, admin):
        out = []
        k = new()
        addr = client_field(k.cmd("CLIENT", "INFO"), "addr")
        k.send(b"CLIENT KILL " + addr.encode() + b"\r\nSET after-kill 1\r\n")
        out.append(k.read(timeout_s=5))
        try:
            out.append(k.read(timeout_s=2))
        except ConnectionClosed:
            out.append("closed")
        out.append(admin.cmd("EXISTS", "after-kill"))
        k = new()
        kid = k.cmd("CLIENT", "ID")
        k.send_cmd("CLIENT", "KILL", "ID", str(kid), "SKIPME", "no")
        k.send_cmd("SET", "after-kill", "2")
        out.append(k.read(timeout_s=5))
        try:
            out.append(k.read(timeout_s=2))
        except ConnectionClosed:
            out.append("closed")
        out.append(admin.cmd("EXISTS", "after-kill"))
        return out
    eq(both(t, scenario), ["OK", "closed", 0, 1, "closed", 0])


@fresh_server()
def test_kill_by_unix_socket_address(t):
    path = os.path.join(t.tmpdir, "kv.sock")
    s = t.start_taskkv("--unixsocket", path)
    admin = t.conn(s)
    u = t.unix_conn(path)
    line = u.cmd("CLIENT", "INFO").decode()
    eq(client_field(line, "addr"), path + ":0")
    eq(client_field(line, "laddr"), path + ":0")
    check("U" in client_field(line, "flags"), "a unix-socket client's flags lack U: %s" % line)
    eq(admin.cmd("CLIENT", "KILL", "LADDR", path + ":0"), 1)
    check(not alive(u), "the killed unix-socket client still answers")


def test_unblock_of_a_held_client_answers_zero(t):
    # (redis-server 7.0.15 crashes here: it has no timeout reply for a
    # client held by a pause; taskkv answers that nothing was unblocked)
    admin, w = t.conn(), t.conn()
    wid = w.cmd("CLIENT", "ID")
    eq(admin.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK")
    w.send_cmd("SET", "k", "v")
    time.sleep(0.05)
    eq(admin.cmd("CLIENT", "UNBLOCK", str(wid)), 0)
    eq(admin.cmd("CLIENT", "UNBLOCK", str(wid), "ERROR"), 0)
    eq(admin.cmd("CLIENT", "UNPAUSE"), "OK")
    eq(w.read(timeout_s=5), "OK")


# ---------------------------------------------------------------------------
# CLIENT REPLY
# ---------------------------------------------------------------------------

def test_reply_off_silences_a_long_pipeline(t):
    c, admin = t.conn(), t.conn()
    n = 20000
    payload = b"CLIENT REPLY OFF\r\n" + b"INCR n\r\nPING\r\nGET\r\n" * n + b"CLIENT REPLY ON\r\n"
    c.send(payload)
    eq(c.read(timeout_s=10), "OK", "the first reply after OFF is ON's")
    try:
        r = c.read(timeout_s=0.2)
        raise AssertionError("more after CLIENT REPLY ON: %r" % (r,))
    except ReplyTimeout:
        pass
    eq(admin.cmd("GET", "n"), str(n).encode(), "commands run while silenced")
    eq(int(info(admin, "errorstats").get("errorstat_ERR", "count=0").split("=")[1]) >= n, True,
       "errors while silenced are still counted")


def test_reply_skip_in_a_pipeline(t):
    c = t.conn()
    c.send(b"".join(b"CLIENT REPLY SKIP\r\nPING a\r\nPING %d\r\n" % i for i in range(1000)))
    for i in range(1000):
        eq(c.read(timeout_s=5), str(i).encode(), "reply %d" % i)


# ---------------------------------------------------------------------------
# timeout (idle clients) and tcp-keepalive
# ---------------------------------------------------------------------------




@timeout(40)
def test_timeout_closes_idle_clients_only(t):
    def scenario(new, admin):
        idle, busy, blocked, sub, mon, paused_ok = new(), new(), new(), new(), new(), new()
        blocked.send_cmd("BLPOP", "never", "0")
        eq(sub.cmd("SUBSCRIBE", "ch"), [b"subscribe", b"ch", 1])
        eq(mon.cmd("MONITOR"), "OK")
        start = time.monotonic()
        while time.monotonic() - start < 3.2:
            eq(busy.cmd("PING"), "PONG")
            admin.cmd("PING")
            time.sleep(0.3)
        out = {"idle": alive(idle), "busy": alive(busy), "sub": alive(sub)}
        out["blocked"] = admin.cmd("CLIENT", "UNBLOCK", str(blocked_id(admin))) == 1
        mon.send_cmd("PING")
        out["monitor"] = True
        try:
            mon.read(timeout_s=2)
        except ConnectionClosed:
            out["monitor"] = False
        return out
    got = both(t, scenario, "--timeout", "1")
    eq(got, {"idle": False, "busy": True, "sub": True, "blocked": True, "monitor": True})


def blocked_id(admin):
    for line in admin.cmd("CLIENT", "LIST").decode().splitlines():
        if client_field(line, "cmd") == "blpop":
            return int(client_field(line, "id"))
    return -1


@fresh_server("--timeout", "2")
def test_timeout_closes_after_the_idle_seconds(t):
    c = t.conn()
    eq(c.cmd("PING"), "PONG")
    start = time.monotonic()
    try:
        c.read(timeout_s=10)
        raise AssertionError("an idle client got a reply")
    except ConnectionClosed:
        pass
    took = time.monotonic() - start
    # idle for more than 2 whole seconds, found by a once-a-second check
    check(2.0 <= took <= 4.0 + slack(t), "an idle client was closed after %.2f s with timeout 2" % took)
    admin = t.conn()
    eq(admin.cmd("CONFIG", "SET", "timeout", "0"), "OK")
    c = t.conn()
    time.sleep(3.2)
    eq(c.cmd("PING"), "PONG", "timeout 0 keeps idle clients")


PIDFD_GETFD = 438


def server_socket_options(server, conn):
    """(SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT) of the server
    side of conn, read from a duplicate of the server's descriptor."""
    fd = int(client_field(conn.cmd("CLIENT", "INFO"), "fd"))
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(server.proc.pid)
    try:
        dup = libc.syscall(PIDFD_GETFD, pidfd, fd, 0)
        if dup < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
    finally:
        os.close(pidfd)
    s = socket.socket(fileno=dup)
    try:
        return (s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))
    finally:
        s.close()


def test_tcp_keepalive_sets_redis_socket_options(t):
    if not hasattr(os, "pidfd_open"):
        raise Skip("no os.pidfd_open")
    out = {}
    for kind, start in (("taskkv", t.start_taskkv), ("redis", t.redis)):
        got = []
        for value in ("300", "60", "2", "0"):
            s = start("--tcp-keepalive", value)
            opts = server_socket_options(s, t.conn(s))
            got.append((value, opts if opts[0] else (0,)))
        admin = t.conn(s)
        eq(admin.cmd("CONFIG", "SET", "tcp-keepalive", "9"), "OK")
        got.append(("config set 9", server_socket_options(s, t.conn(s))))
        out[kind] = got
    eq(out["taskkv"], out["redis"], "keepalive options, taskkv vs redis-server")
    eq(out["taskkv"][0], ("300", (1, 300, 100, 3)))
    eq(out["taskkv"][2], ("2", (1, 2, 1, 3)))
    eq(out["taskkv"][4], ("config set 9", (1, 9, 3, 3)))
