"""Start-up and shut-down: SIGTERM, SHUTDOWN, unix socket, Debian's redis.conf."""

import os
import re
import signal
import subprocess
import time

from harness import Conn, Server, Skip, check, eq, free_port, fresh_server, info, short

DEBIAN_CONF = "/etc/redis/redis.conf"


def _wait_exit(proc, timeout_s):
    try:
        return proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        return None


@fresh_server()
def test_sigterm_graceful_exit(t):
    s = t.server
    c = t.conn()
    eq(c.cmd("SET", "k", "v"), "OK")
    s.expect_exit = True
    s.proc.send_signal(signal.SIGTERM)
    code = _wait_exit(s.proc, 10)
    eq(code, 0, "exit status after SIGTERM")
    data, closed = c.read_until_eof(2)
    check(closed and data == b"", "client connection after SIGTERM: closed=%s data=%s" % (closed, short(data)))
    log = s.stdout()
    check("Received SIGTERM" in log, "no 'Received SIGTERM' in the log:\n%s" % log[-1500:])
    check("ready to exit" in log, "no 'ready to exit' in the log:\n%s" % log[-1500:])
    check(log.rfind("ready to exit") > log.rfind("Received SIGTERM"), "log order")
    with_errors = s.stderr().strip()
    check(not with_errors, "stderr not empty:\n%s" % with_errors[-1500:])


@fresh_server()
def test_sigint_graceful_exit(t):
    s = t.server
    s.expect_exit = True
    s.proc.send_signal(signal.SIGINT)
    eq(_wait_exit(s.proc, 10), 0, "exit status after SIGINT")
    check("ready to exit" in s.stdout(), "no 'ready to exit' in the log")


@fresh_server()
def test_shutdown_nosave(t):
    s = t.server
    other = t.conn()
    c = t.conn()
    eq(c.cmd("SET", "k", "v"), "OK")
    s.expect_exit = True
    c.send_cmd("SHUTDOWN", "NOSAVE")
    data, closed = c.read_until_eof(10)
    check(closed, "SHUTDOWN NOSAVE did not close the connection")
    eq(data, b"", "reply to a successful SHUTDOWN NOSAVE")
    eq(_wait_exit(s.proc, 10), 0, "exit status after SHUTDOWN NOSAVE")
    data, closed = other.read_until_eof(2)
    check(closed, "another client was not disconnected at shutdown")
    check("ready to exit" in s.stdout(), "no 'ready to exit' in the log")
    try:
        Conn(port=s.port, timeout=1).close()
        raise AssertionError("still accepting connections after SHUTDOWN")
    except OSError:
        pass


@fresh_server()
def test_shutdown_errors_match_redis(t):
    ref = t.shared_redis()
    for args in (["SHUTDOWN", "ABORT"], ["SHUTDOWN", "SAVE", "NOSAVE"], ["SHUTDOWN", "BOGUS"]):
        outs = []
        for s in (t.server, ref):
            with Conn(port=s.port) as c:
                outs.append(c.cmd_raw(*args))
        eq(outs[0], outs[1], "%s: taskkv vs redis" % " ".join(args))
    with t.conn() as c:
        eq(c.cmd("PING"), "PONG", "still running after the refused SHUTDOWNs")


def test_unixsocket(t):
    path = os.path.join(t.tmpdir, "taskkv.sock")
    s = t.start_taskkv("--unixsocket", path, "--unixsocketperm", "700")
    check(os.path.exists(path), "no socket file at %s" % path)
    eq(oct(os.stat(path).st_mode & 0o777), oct(0o700), "unixsocketperm")
    u = t.unix_conn(path)
    eq(u.cmd("PING"), "PONG")
    eq(u.cmd("SET", "via", "unix"), "OK")
    tcp = t.conn(s)
    eq(tcp.cmd("GET", "via"), b"unix", "the key over TCP")
    line = u.cmd("CLIENT", "INFO")
    line = bytes(line).decode()
    check(("addr=%s:0" % path) in line, "CLIENT INFO addr over the unix socket: %s" % line)
    u.send(b"PING\r\n")                       # inline over the unix socket
    eq(u.read_raw(), b"+PONG\r\n")
    eq(u.cmd("CONFIG", "GET", "unixsocket"), [b"unixsocket", path.encode()])
    s.expect_exit = True
    eq(s.stop(), 0, "exit status")
    check(not os.path.exists(path), "socket file left behind after shutdown")


def test_unixsocket_client_flags(t):
    """CLIENT INFO / CLIENT LIST flags of a unix-socket client are "U", as
    in Redis 7.0.15 ("N" only when no other flag applies)."""
    path = os.path.join(t.tmpdir, "taskkv.sock")
    s = t.start_taskkv("--unixsocket", path)
    ref_path = os.path.join(t.tmpdir, "redis.sock")
    r = t.redis("--unixsocket", ref_path)
    got = bytes(t.unix_conn(path).cmd("CLIENT", "INFO")).decode()
    want = bytes(t.unix_conn(ref_path).cmd("CLIENT", "INFO")).decode()
    flags = [re.search(r" flags=(\S+) ", x).group(1) for x in (got, want)]
    eq(flags[0], flags[1], "flags of a unix-socket client (taskkv vs redis)")
    tcp = [re.search(r" flags=(\S+) ", bytes(t.conn(x).cmd("CLIENT", "INFO")).decode()).group(1) for x in (s, r)]
    eq(tcp[0], tcp[1], "flags of a TCP client (taskkv vs redis)")


def _debian_conf(t, port, changes):
    """Debian's stock redis.conf with only the given directives' lines changed."""
    if not os.path.exists(DEBIAN_CONF):
        raise Skip("%s not installed" % DEBIAN_CONF)
    with open(DEBIAN_CONF, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    done = set()
    out = []
    for line in lines:
        word = line.split(" ", 1)[0].strip().lower()
        if word in changes and word not in done:
            out.append("%s %s" % (word, changes[word]))
            done.add(word)
        elif word in changes:
            continue    # a second line of the same directive (bind has one)
        else:
            out.append(line)
    for word, value in changes.items():
        if word not in done:
            out.append("%s %s" % (word, value))
    return "\n".join(out)


def _write_conf(t, name, text):
    path = os.path.join(t.tmpdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_debian_redis_conf_foreground(t):
    data_dir = os.path.join(t.tmpdir, "data")
    os.mkdir(data_dir)
    logfile = os.path.join(t.tmpdir, "taskkv.log")
    port = free_port()
    text = _debian_conf(t, port, {
        "port": str(port), "bind": "127.0.0.1", "dir": data_dir, "daemonize": "no",
        "pidfile": os.path.join(t.tmpdir, "taskkv.pid"), "logfile": logfile,
    })
    conf = _write_conf(t, "redis.conf", text)
    s = t.track_server(Server(t.binary, (), "taskkv", root=t.tmpdir, config_file=conf, port=port))
    s.start()
    c = t.conn(s)
    eq(c.cmd("PING"), "PONG")
    eq(c.cmd("CONFIG", "GET", "maxmemory-policy"), [b"maxmemory-policy", b"noeviction"])
    eq(c.cmd("CONFIG", "GET", "port"), [b"port", str(port).encode()])
    eq(c.cmd("CONFIG", "GET", "dir"), [b"dir", data_dir.encode()])
    eq(c.cmd("CONFIG", "GET", "tcp-keepalive"), [b"tcp-keepalive", b"300"])
    eq(c.cmd("CONFIG", "GET", "databases"), [b"databases", b"16"])
    eq(c.cmd("SET", "k", "v"), "OK")
    st = info(c, "server")
    eq(st.get("config_file"), conf, "INFO config_file")
    check(os.path.exists(os.path.join(t.tmpdir, "taskkv.pid")), "pidfile not written")
    check(os.path.exists(logfile) and "ady to accept connections" in open(logfile).read(),
          "logfile %s lacks 'Ready to accept connections'" % logfile)
    # the same file gives the same CONFIG GET answers as redis-server 7.0.15
    rport = free_port()
    rtext = _debian_conf(t, rport, {
        "port": str(rport), "bind": "127.0.0.1", "dir": data_dir, "daemonize": "no",
        "pidfile": os.path.join(t.tmpdir, "redis.pid"), "logfile": os.path.join(t.tmpdir, "redis.log"),
        "save": '""',
    })
    rconf = _write_conf(t, "redis-ref.conf", rtext)
    r = t.track_server(Server(t.runner.redis_binary, (), "redis", root=t.tmpdir, config_file=rconf, port=rport))
    r.start()
    rc = t.conn(r)
    params = ["maxmemory-policy", "maxmemory", "timeout", "tcp-keepalive", "tcp-backlog", "databases", "appendonly",
              "appendfsync", "hz", "loglevel", "protected-mode", "client-output-buffer-limit",
              "notify-keyspace-events", "proto-max-bulk-len", "client-query-buffer-limit", "list-max-listpack-size",
              "hash-max-listpack-entries", "stream-node-max-bytes", "lazyfree-lazy-user-del", "dbfilename",
              "daemonize", "supervised", "replica-read-only", "slowlog-max-len", "dynamic-hz", "oom-score-adj-values",
              "bind"]
    diffs = []
    for p in params:
        a, b = c.cmd("CONFIG", "GET", p), rc.cmd("CONFIG", "GET", p)
        if a != b:
            diffs.append("%s: taskkv %s, redis %s" % (p, short(a), short(b)))
    check(not diffs, "CONFIG GET differs from redis-server on the same file:\n" + "\n".join(diffs))


def test_debian_redis_conf_daemonized(t):
    """daemonize yes with a pidfile, as Debian ships it."""
    port = free_port()
    pidfile = os.path.join(t.tmpdir, "taskkv.pid")
    logfile = os.path.join(t.tmpdir, "taskkv.log")
    text = _debian_conf(t, port, {
        "port": str(port), "bind": "127.0.0.1", "dir": t.tmpdir, "daemonize": "yes",
        "pidfile": pidfile, "logfile": logfile,
    })
    conf = _write_conf(t, "redis.conf", text)
    p = subprocess.run([t.binary, conf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20,
                       cwd=t.tmpdir)
    eq(p.returncode, 0, "exit status of the launching process (output: %s)" % short(p.stdout))
    pid = None
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with Conn(port=port, timeout=1) as c:
                if c.cmd("PING") == "PONG":
                    break
        except OSError:
            pass
        time.sleep(0.05)
    try:
        check(os.path.exists(pidfile), "pidfile %s not written" % pidfile)
        pid = int(open(pidfile).read().strip())
        with Conn(port=port) as c:
            eq(c.cmd("PING"), "PONG")
            eq(int(info(c, "server")["process_id"]), pid, "INFO process_id vs pidfile")
            c.send_cmd("SHUTDOWN", "NOSAVE")
            c.read_until_eof(5)
        deadline = time.time() + 10
        while time.time() < deadline and _pid_alive(pid):
            time.sleep(0.05)
        check(not _pid_alive(pid), "daemon %d still running after SHUTDOWN" % pid)
        check(not os.path.exists(pidfile), "pidfile left behind after shutdown")
        check("ready to exit" in open(logfile).read(), "no 'ready to exit' in %s" % logfile)
    finally:
        if pid and _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is not alive for our purpose
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def test_bad_config_exits_nonzero(t):
    """An unknown directive is fatal, as in Redis (exit status 1, message on stderr)."""
    p = subprocess.run([t.binary, "--port", "0", "--no-such-directive", "1"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10, cwd=t.tmpdir)
    check(p.returncode != 0, "started with an unknown directive (status %s)" % p.returncode)
    text = (p.stdout + p.stderr).decode("utf-8", "replace")
    check("Bad directive or wrong number of arguments" in text, "error output: %s" % short(text))


def test_version_flag(t):
    p = subprocess.run([t.binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
    eq(p.returncode, 0, "--version exit status")
    with t.conn() as c:
        version = info(c, "server")["redis_version"]
    check(version.encode() in p.stdout, "--version output %s does not name redis_version %s" % (short(p.stdout),
                                                                                             version))
