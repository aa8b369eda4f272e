"""Operations commands over real sockets (issue 7): the MONITOR stream, the
slow log and the latency monitor.

The MONITOR transcripts of the same scenario on taskkv and on redis-server
7.0.15 must be equal once each line's timestamp and client port are
normalised (the format, quoting, db, "lua" source, redaction, and which
commands are shown are all compared). SLOWLOG and LATENCY entries are
checked by content where it is deterministic (arguments, truncation, client
name and address, counts) and by range where it is not (durations).
"""

import re
import time

from harness import ErrorReply, ReplyTimeout, check, eq

LINE = re.compile(rb"^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$")


def both(t, scenario):
    out = []
    for server in (t.server, t.shared_redis()):
        admin = t.conn(server)
        admin.cmd("FLUSHALL")
        out.append(scenario(lambda: t.conn(server), admin))
        admin.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000")
        admin.cmd("CONFIG", "SET", "slowlog-max-len", "128")
        admin.cmd("CONFIG", "SET", "latency-monitor-threshold", "0")
        admin.cmd("SLOWLOG", "RESET")
        admin.cmd("LATENCY", "RESET")
    eq(out[0], out[1], "taskkv vs redis-server transcript")
    return out[0]


def monitor_lines(m, addr_of, until=b'"ECHO" "end-of-scenario"'):
    """Reads monitor lines up to the marker; normalises time and address."""
    lines = []
    now = time.time()
    while True:
        raw = m.read_raw(timeout_s=3.0).rstrip(b"\r\n")
        g = LINE.match(raw)
        check(g is not None, "bad monitor line %r" % raw)
        check(abs(int(g.group(1)) - now) < 60, "monitor timestamp far from now: %r" % raw)
        addr = g.group(4).decode()
        lines.append("[%s %s] %s" % (g.group(3).decode(), addr_of.get(addr, addr), g.group(5).decode("latin1")))
        if raw.endswith(until):
            return lines


def addr_map(*conns_names):
    out = {"lua": "lua"}
    for conn, name in conns_names:
        me = conn.cmd("CLIENT", "INFO")
        addr = re.search(r"addr=(\S+)", me if isinstance(me, str) else me.decode()).group(1)
        out[addr] = name
    return out


def test_monitor_stream_matches_redis(t):
    def scenario(new, admin):
        m, c = new(), new()
        names = addr_map((m, "M"), (c, "C"))
        eq(m.cmd("MONITOR"), "OK")
        steps = [
            ("SET", "a", b'x y\x00\n\r\t\x07\x08"\\\xff\x7f'),
            ("GET", "a"), ("AUTH", "nopass"), ("HELLO", "2", "AUTH", "default", "pw"), ("HELLO", "2"),
            ("CONFIG", "SET", "slowlog-max-len", "100"), ("CONFIG", "GET", "hz"), ("SLOWLOG", "LEN"),
            ("LATENCY", "LATEST"), ("CLIENT", "SETNAME", "cname"), ("FOO", "bar"), ("GET",),
            ("MULTI",), ("INCR", "n"), ("GET", "n"), ("EXEC",),
            ("MULTI",), ("NOSUCH",), ("EXEC",),
            ("EVAL", "redis.call('set','k','v') return redis.pcall('get','k')", "0"),
            ("EVAL", "return redis.call('incr', KEYS[1])", "1", "ctr"),
            ("SELECT", "3"), ("SET", "in3", "1"), ("SELECT", "0"), ("PING",), ("ECHO", ""),
            ("SUBSCRIBE", "ch"), ("UNSUBSCRIBE",), ("PUBLISH", "ch", "m"),
            ("ECHO", "end-of-scenario"),
        ]
        replies = [c.cmd(*s) for s in steps]
        lines = monitor_lines(m, names)
        # the monitor itself: read-only and writing commands are refused,
        # others run (and are shown)
        own = [m.cmd("SET", "z", "1"), m.cmd("GET", "z"), m.cmd("PUBLISH", "x", "y")]
        m.send_cmd("ECHO", "end-of-scenario")
        own.append(m.read())
        own.append(monitor_lines(m, names))
        # RESET leaves MONITOR mode: commands run again, nothing more is fed
        own.append(m.cmd("RESET"))
        c.cmd("SET", "after", "reset")
        own.append(m.cmd("GET", "a"))
        own.append(m.pending())
        replies = ["<hello>" if isinstance(r, list) and r[:1] == [b"server"] else str(r) for r in replies]
        return replies, lines, [str(o) for o in own]
    replies, lines, own = both(t, scenario)
    check(any("(redacted)" in ln for ln in lines), "AUTH is redacted")
    check(not any('"CONFIG"' in ln or '"SLOWLOG"' in ln for ln in lines), "admin commands are hidden")
    check(any(ln.startswith("[0 lua]") for ln in lines), "script calls are shown")


def test_monitor_two_monitors_and_quit(t):
    def scenario(new, admin):
        m1, m2, c = new(), new(), new()
        names = addr_map((m1, "M1"), (m2, "M2"), (c, "C"))
        eq(m1.cmd("MONITOR"), "OK")
        eq(m2.cmd("MONITOR"), "OK")
        m2.send_cmd("MONITOR")          # again: no reply at all
        c.cmd("SET", "k", "1")
        c.cmd("ECHO", "end-of-scenario")
        a = monitor_lines(m1, names)
        b = monitor_lines(m2, names)
        m2.send_cmd("QUIT")
        quit_reply = m2.read()
        c.cmd("ECHO", "end-of-scenario")
        a2 = monitor_lines(m1, names)
        # MONITOR inside a transaction is queued, then refused by EXEC
        eq(c.cmd("MULTI"), "OK")
        queued = c.cmd("MONITOR")
        execr = c.cmd("EXEC")
        return a, b, str(quit_reply), a2, str(queued), [str(x) for x in execr]
    both(t, scenario)


def test_slowlog_entries(t):
    c = t.conn()
    c.cmd("CLIENT", "SETNAME", "slowpoke")
    eq(c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0"), "OK")
    eq(c.cmd("SLOWLOG", "RESET"), "OK")
    args = ["DEL"] + ["k%d" % i for i in range(40)]
    c.cmd(*args)
    c.cmd("SET", "long", "x" * 200)
    c.cmd("CONFIG", "SET", "requirepass", "")   # sensitive: value redacted
    entries = c.cmd("SLOWLOG", "GET", "4")
    eq(len(entries), 4, "entries")
    cfg, setl, dele, reset = entries
    me = c.cmd("CLIENT", "INFO")
    addr = re.search(r"addr=(\S+)", me if isinstance(me, str) else me.decode()).group(1)
    for e in entries:
        eq(len(e), 6, "entry fields")
        eq(e[4].decode(), addr, "client address")
        eq(e[5], b"slowpoke", "client name")
        check(abs(e[1] - time.time()) < 60, "timestamp")
        check(e[2] >= 0, "duration")
    check(cfg[0] > setl[0] > dele[0] > reset[0], "ids decrease, newest first")
    eq(cfg[3], [b"CONFIG", b"SET", b"requirepass", b"(redacted)"], "redacted")
    eq(setl[3], [b"SET", b"long", b"x" * 128 + b"... (72 more bytes)"], "long argument")
    eq(len(dele[3]), 32, "at most 32 arguments")
    eq(dele[3][31], b"... (10 more arguments)", "argument count")
    eq(dele[3][:31], [a.encode() for a in args[:31]], "first arguments")
    eq(reset[3], [b"SLOWLOG", b"RESET"], "reset is logged after it ran")
    # the slow log trims when an entry is added
    eq(c.cmd("CONFIG", "SET", "slowlog-max-len", "3"), "OK")
    eq(c.cmd("SLOWLOG", "LEN"), 3)
    eq(c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1"), "OK")
    eq(c.cmd("SLOWLOG", "RESET"), "OK")
    c.cmd("SET", "a", "b")
    eq(c.cmd("SLOWLOG", "LEN"), 0)
    # a threshold only slow commands reach
    # (100 ms: a loaded machine must not push the plain SET over it)
    eq(c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "100000"), "OK")
    c.cmd("EVAL", "local t=redis.call('time') local s=t[1]*1000000+t[2] while true do "
          "local u=redis.call('time') if u[1]*1000000+u[2]-s > 150000 then break end end return 1", "0")
    c.cmd("SET", "fast", "1")
    got = c.cmd("SLOWLOG", "GET")
    eq(len(got), 1, "only the slow script")
    eq(got[0][3][0], b"EVAL")
    check(got[0][2] >= 150000, "duration in microseconds: %r" % got[0][2])
    c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000")
    c.cmd("CONFIG", "SET", "slowlog-max-len", "128")
    c.cmd("SLOWLOG", "RESET")


def test_latency_events(t):
    c = t.conn()
    eq(c.cmd("LATENCY", "RESET"), 0)
    slow = ("EVAL", "local t=redis.call('time') local s=t[1]*1000000+t[2] while true do "
            "local u=redis.call('time') if u[1]*1000000+u[2]-s > 60000 then break end end return 1", "0")
    c.cmd(*slow)
    eq(c.cmd("LATENCY", "LATEST"), [], "threshold 0: off")
    eq(c.cmd("CONFIG", "SET", "latency-monitor-threshold", "40"), "OK")
    c.cmd(*slow)
    latest = c.cmd("LATENCY", "LATEST")
    eq(len(latest), 1)
    name, when, last, worst = latest[0]
    eq(name, b"command")
    check(abs(when - time.time()) < 60 and 60 <= last <= 1000 and worst == last, "sample %r" % latest)
    hist = c.cmd("LATENCY", "HISTORY", "command")
    eq(len(hist), 1)
    eq(hist[0], [when, last])
    doc = c.cmd("LATENCY", "DOCTOR")
    doc = doc.decode() if isinstance(doc, bytes) else str(doc)
    check("1. command: 1 latency spikes" in doc, doc)
    graph = c.cmd("LATENCY", "GRAPH", "command")
    graph = graph.decode() if isinstance(graph, bytes) else str(graph)
    check(graph.startswith("command - high %d ms, low %d ms (all time high %d ms)" % (last, last, last)), graph)
    eq(c.cmd("CONFIG", "SET", "latency-monitor-threshold", "0"), "OK")   # (off first: no new spike)
    eq(c.cmd("LATENCY", "RESET", "command", "nosuch"), 1)
    eq(c.cmd("LATENCY", "LATEST"), [])


def test_info_figures(t):
    """INFO's figures that taskkv computes its own way: keyspace avg_ttl
    (the exact mean, where Redis estimates), the latency percentiles, the
    per-second byte rates and the read/write counters."""
    from harness import info
    c = t.conn()
    c.cmd("SELECT", "5")
    c.cmd("SET", "a", "1", "EX", "100")
    c.cmd("SET", "b", "1", "EX", "300")
    c.cmd("SET", "c", "1")
    db5 = dict(kv.split("=") for kv in info(c, "keyspace")["db5"].split(","))
    eq((db5["keys"], db5["expires"]), ("3", "2"))
    check(199000 <= int(db5["avg_ttl"]) <= 200000, "avg_ttl %s" % db5["avg_ttl"])
    c.cmd("PERSIST", "b")
    db5 = dict(kv.split("=") for kv in info(c, "keyspace")["db5"].split(","))
    check(99000 <= int(db5["avg_ttl"]) <= 100000, "avg_ttl %s" % db5["avg_ttl"])
    c.cmd("FLUSHDB")
    eq("db5" in info(c, "keyspace"), False)
    # latencystats: a script busy for 20 ms reads as 20 ms and more at every percentile
    eq(c.cmd("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50 99.9"), "OK")
    eq(c.cmd("CONFIG", "RESETSTAT"), "OK")   # no earlier test's scripts
    c.cmd("EVAL", "local t=redis.call('time') local s=t[1]*1000000+t[2] while true do "
          "local u=redis.call('time') if u[1]*1000000+u[2]-s > 20000 then break end end return 1", "0")
    line = info(c, "latencystats")["latency_percentiles_usec_eval"]
    got = dict(p.split("=") for p in line.split(","))
    eq(sorted(got), ["p0", "p50", "p99.9"])
    for v in got.values():
        check(19800 <= float(v) < 1000000, "eval latency %s" % line)
    eq(c.cmd("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"), "OK")
    # a second of traffic shows in the rates and counters
    before = info(c, "stats")
    payload = "x" * 20000
    deadline = time.time() + 2.5
    while time.time() < deadline:
        c.cmd("SET", "big", payload)
        c.cmd("GET", "big")
        time.sleep(0.005)
    after = info(c, "stats")
    check(float(after["instantaneous_input_kbps"]) > 1, "input kbps %s" % after["instantaneous_input_kbps"])
    check(float(after["instantaneous_output_kbps"]) > 1, "output kbps %s" % after["instantaneous_output_kbps"])
    check(int(after["total_reads_processed"]) > int(before["total_reads_processed"]) + 100, "reads")
    check(int(after["total_writes_processed"]) > int(before["total_writes_processed"]) + 100, "writes")
    c.cmd("DEL", "big")
    mem = info(c, "memory")
    check(int(mem["used_memory_startup"]) > 0, "startup memory")
    check(mem["used_memory_peak_perc"].endswith("%"), "peak perc")
