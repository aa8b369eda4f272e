"""INFO: sections and field names as in Redis 7.0.15, live values, RESP3 form."""

import os
import re
import subprocess
import time

from harness import Conn, check, eq, fresh_server, info, parse_info, short

REQUIRED_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Keyspace"]

REQUIRED_FIELDS = {
    "server": ["redis_version", "redis_mode", "os", "arch_bits", "process_id", "run_id", "tcp_port",
               "uptime_in_seconds", "uptime_in_days", "hz", "executable", "config_file", "taskkv_version"],
    "clients": ["connected_clients", "maxclients", "blocked_clients"],
    "memory": ["used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak", "maxmemory",
               "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio", "mem_allocator"],
    "persistence": ["loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress", "aof_enabled"],
    "stats": ["total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
              "total_net_input_bytes", "total_net_output_bytes", "rejected_connections", "expired_keys",
              "evicted_keys", "keyspace_hits", "keyspace_misses", "total_error_replies"],
    "replication": ["role", "connected_slaves", "master_replid", "master_repl_offset"],
    "cpu": ["used_cpu_sys", "used_cpu_user"],
}


def sections_of(text):
    if isinstance(text, bytes):
        text = text.decode()
    return re.findall(r"^# (\w+)\r$", text, re.M)


@fresh_server()
def test_info_default_sections_and_fields(t):
    c = t.conn()
    text = c.cmd("INFO")
    check(isinstance(text, bytes), "INFO reply is not a bulk string in RESP2: %r" % (type(text),))
    secs = sections_of(text)
    missing = [s for s in REQUIRED_SECTIONS if s not in secs]
    check(not missing, "INFO lacks sections %s (has %s)" % (missing, secs))
    order = [s for s in secs if s in REQUIRED_SECTIONS]
    eq(order, REQUIRED_SECTIONS, "section order")
    ref = t.shared_redis()
    with ref.conn() as rc:
        rtext = rc.cmd("INFO")
    rsecs = sections_of(rtext)
    extra_redis = [s for s in rsecs if s not in secs]
    if extra_redis:
        t.note("default INFO sections Redis has and taskkv lacks: %s" % ", ".join(extra_redis))
    fields = parse_info(text)
    absent = []
    for sec, names in REQUIRED_FIELDS.items():
        part = info(c, sec)
        for n in names:
            if n not in part:
                absent.append("%s.%s" % (sec, n))
    check(not absent, "INFO fields missing: %s" % ", ".join(absent))
    rfields = parse_info(rtext)
    lacking = sorted(k for k in rfields if k not in fields and not k.startswith("errorstat_"))
    if lacking:
        t.note("%d Redis default INFO fields absent in taskkv (not required), e.g. %s" % (
            len(lacking), " ".join(lacking[:8])))
    eq(fields["redis_mode"], "standalone")
    eq(fields["role"], "master")
    eq(fields["tcp_port"], str(t.server.port))
    eq(fields["process_id"], str(t.server.pid()))
    eq(fields["maxmemory_policy"], "noeviction")
    eq(fields["executable"], os.path.realpath(t.binary), "executable")
    check(re.fullmatch(r"\d+\.\d+\.\d+", fields["redis_version"]), "redis_version %r" % fields["redis_version"])
    check(fields["taskkv_version"], "taskkv_version is empty")
    check(re.fullmatch(r"[0-9a-f]{40}", fields["run_id"]), "run_id %r is not 40 hex digits" % fields["run_id"])
    if t.sanitizer and fields["used_memory"] == "0":
        t.note("used_memory is 0 under the sanitizer build (its allocator is not glibc's): not checked")
    else:
        check(int(fields["used_memory"]) > 0, "used_memory %s" % fields["used_memory"])


@fresh_server()
def test_info_live_values(t):
    a, b = t.conn(), t.conn()
    c = t.conn()
    eq(info(a, "clients")["connected_clients"], "3")
    b.close()
    deadline = time.time() + 3
    while info(a, "clients")["connected_clients"] != "2" and time.time() < deadline:
        time.sleep(0.01)
    eq(info(a, "clients")["connected_clients"], "2", "after one client left")
    eq(a.cmd("SET", "k1", "v"), "OK")
    eq(a.cmd("SET", "k2", "v", "EX", "1000"), "OK")
    eq(a.cmd("SET", "k3", "v"), "OK")
    eq(c.cmd("SELECT", "5"), "OK")
    eq(c.cmd("SET", "x", "y", "PX", "500000"), "OK")
    ks = info(a, "keyspace")
    m = re.fullmatch(r"keys=(\d+),expires=(\d+),avg_ttl=(\d+)", ks.get("db0", ""))
    check(m, "db0 line: %r" % ks.get("db0"))
    eq((m.group(1), m.group(2)), ("3", "1"), "db0 keys,expires")
    check(re.fullmatch(r"keys=1,expires=1,avg_ttl=\d+", ks.get("db5", "")), "db5 line: %r" % ks.get("db5"))
    check("db1" not in ks, "db1 listed though empty")
    used0 = int(info(a, "memory")["used_memory"])
    eq(a.cmd("SET", "big", b"m" * (8 << 20)), "OK")
    used1 = int(info(a, "memory")["used_memory"])
    if t.sanitizer and used0 == used1 == 0:
        t.note("used_memory is 0 under the sanitizer build: growth not checked")
    else:
        check(used1 - used0 >= (8 << 20), "used_memory grew by %d after storing 8 MB" % (used1 - used0))
    st0 = info(a, "stats")
    a.cmd("GET", "k1")
    a.cmd("GET", "nosuch")
    st1 = info(a, "stats")
    eq(int(st1["keyspace_hits"]) - int(st0["keyspace_hits"]), 1, "keyspace_hits delta")
    eq(int(st1["keyspace_misses"]) - int(st0["keyspace_misses"]), 1, "keyspace_misses delta")
    check(int(st1["total_commands_processed"]) - int(st0["total_commands_processed"]) >= 3,
          "total_commands_processed did not grow")
    check(int(st1["total_net_input_bytes"]) > int(st0["total_net_input_bytes"]), "total_net_input_bytes")
    eq(a.cmd("SET", "short", "v", "PX", "1"), "OK")
    time.sleep(0.05)
    eq(int(info(a, "stats")["expired_keys"]) - int(st1["expired_keys"]), 1, "expired_keys after a 1 ms TTL")


def _stat_deltas(server, script):
    with Conn(port=server.port) as c:
        c.cmd("FLUSHALL")
        eq(c.cmd("CONFIG", "RESETSTAT"), "OK")
        before = info(c, "stats")
        for args in script:
            c.cmd(*args)
        after = info(c, "stats")
    return {k: int(after[k]) - int(before[k]) for k in ("keyspace_hits", "keyspace_misses", "total_error_replies")}


@fresh_server()
def test_info_counters_match_redis(t):
    script = [("SET", "a", "1"), ("GET", "a"), ("GET", "b"), ("MGET", "a", "b", "c"), ("EXISTS", "a", "b"),
              ("STRLEN", "a"), ("INCR", "a"), ("TYPE", "a"), ("TTL", "a"), ("GETRANGE", "a", "0", "-1"),
              ("APPEND", "a", "x"), ("INCR", "a"), ("GETDEL", "a"), ("GET", "a"), ("NOSUCHCMD",), ("GET",),
              ("SET", "k", "v", "BADOPT"), ("RENAME", "nokey", "x"), ("SETNX", "a", "1"), ("GETSET", "a", "2"),
              ("DEL", "a", "zz"), ("KEYS", "*"), ("DBSIZE",)]
    ref = t.shared_redis()
    want = _stat_deltas(ref, script)
    got = _stat_deltas(t.server, script)
    eq(got, want, "INFO stats deltas after the same commands (taskkv vs redis)")


def test_info_section_selection_matches_redis(t):
    ref = t.shared_redis()
    for args in (["server", "clients"], ["keyspace"], ["nosuchsection"], ["CPU"], ["default"]):
        got = sections_of(t.conn().cmd("INFO", *args))
        want = sections_of(t.conn(ref).cmd("INFO", *args))
        got, want = ([s for s in x if s != "Errorstats"] for x in (got, want))
        eq(got, want, "sections of INFO %s" % " ".join(args))
    allsecs = sections_of(t.conn().cmd("INFO", "all"))
    check("Commandstats" in allsecs, "INFO all lacks Commandstats: %s" % allsecs)
    c = t.conn()
    c.cmd("SET", "k", "v")
    cs = info(c, "commandstats")
    check(re.fullmatch(r"calls=\d+,usec=\d+,usec_per_call=[\d.]+,rejected_calls=\d+,failed_calls=\d+",
                       cs.get("cmdstat_set", "")), "cmdstat_set: %r" % cs.get("cmdstat_set"))


def test_info_resp3_is_verbatim(t):
    for srv in (t.server, t.shared_redis()):
        c = t.conn(srv)
        c.cmd("HELLO", "3")
        raw = c.cmd_raw("INFO", "server")
        check(raw.startswith(b"=") and raw.split(b"\r\n", 1)[1].startswith(b"txt:"),
              "%s: INFO in RESP3 is not a verbatim txt string: %s" % (srv.kind, short(raw[:40])))
        eq(c.cmd_raw("PING"), b"+PONG\r\n")


def test_info_version_consistent(t):
    c = t.conn()
    v = info(c, "server")["redis_version"]
    hello = c.cmd("HELLO", "2")
    d = dict(zip(hello[::2], hello[1::2]))
    eq(d.get(b"version"), v.encode(), "HELLO version vs INFO redis_version")
    out = subprocess.run([t.binary, "--version"], stdout=subprocess.PIPE, timeout=10).stdout
    check(v.encode() in out, "--version %s does not mention %s" % (short(out), v))
