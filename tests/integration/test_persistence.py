"""Snapshots: SAVE / BGSAVE / LASTSAVE, save rules, SHUTDOWN SAVE|NOSAVE, SIGTERM,
load on start, DEBUG RELOAD / DIGEST / DIGEST-VALUE, damaged files, the sqlite schema.

Every test runs taskkv servers of its own (t.start_taskkv or @fresh_server) and
restarts them on the same directory (Server.stop() then Server.start() keeps
the directory). The reference redis-server is asked only for reply texts and
INFO field names.
"""

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time

from harness import (Conn, ErrorReply, Server, check, eq, free_port, fresh_server, info, short, timeout)

DEBUG_ON = ("--enable-debug-command", "yes")
NO_RULES = ("--save", "")


def snapshot_path(s):
    return os.path.join(s.dir, "dump.rdb")


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def server_children(s):
    """Pids of the server's child processes (a BGSAVE child)."""
    try:
        with open("/proc/%d/task/%d/children" % (s.proc.pid, s.proc.pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def wait_for(pred, timeout_s, what):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout_s, what))


def populate(c):
    """Every type and encoding, binary and empty values, several databases,
    absolute deadlines; returns the deadlines set {(db, key): pexpiretime}."""
    big = bytes(range(256)) * 4096          # 1 MiB, every byte value
    eq(c.cmd("SELECT", 0), "OK")
    eq(c.cmd("SET", "int", "12345"), "OK")
    eq(c.cmd("SET", "neg", "-9223372036854775808"), "OK")
    eq(c.cmd("SET", "emb", "hello"), "OK")
    eq(c.cmd("SET", "empty", ""), "OK")
    eq(c.cmd("SET", "big", big), "OK")
    eq(c.cmd("SET", b"bin\x00key\xff", b"\x00\x01\xfe\xff"), "OK")
    eq(c.cmd("SET", "utf8", "caf\u00e9 \u2603"), "OK")
    eq(c.cmd("APPEND", "raw", "x" * 50), 50)
    eq(c.cmd("RPUSH", "list", "a", "", "12", b"\x00\xff", "last"), 5)
    eq(c.cmd("RPUSH", "biglist", *["element-%d" % i for i in range(3000)]), 3000)
    eq(c.cmd("HSET", "hash", "f", "v", "", "empty field", "n", "1"), 3)
    eq(c.cmd("HSET", "bighash", *sum([["f%d" % i, "v%d" % i] for i in range(300)], [])), 300)
    eq(c.cmd("SADD", "intset", "1", "-5", "9223372036854775807"), 3)
    eq(c.cmd("SADD", "set", "a", "b", "", b"\xff"), 4)
    eq(c.cmd("SADD", "bigintset", *range(1000)), 1000)
    eq(c.cmd("ZADD", "zset", "1.5", "a", "-inf", "b", "inf", "c", "0", "d"), 4)
    eq(c.cmd("ZADD", "bigzset", *sum([[str(i / 7), "m%d" % i] for i in range(500)], [])), 500)
    eq(c.cmd("ZADD", "bigzset", "-inf", "lowest", "inf", "highest"), 2)
    c.cmd("XADD", "stream", "1-1", "f", "v")
    c.cmd("XADD", "stream", "2-1", "f", "w", "g", "x")
    c.cmd("XDEL", "stream", "1-1")
    deadlines = {}
    far = int(time.time() * 1000) + 3600 * 1000
    eq(c.cmd("PEXPIREAT", "emb", far), 1)
    eq(c.cmd("PEXPIREAT", "bighash", far + 1), 1)
    deadlines[(0, "emb")] = far
    deadlines[(0, "bighash")] = far + 1
    eq(c.cmd("SELECT", 5), "OK")
    eq(c.cmd("SET", "emb", "other db"), "OK")
    eq(c.cmd("SET", "", "empty key"), "OK")
    eq(c.cmd("PEXPIREAT", "", far + 2), 1)
    deadlines[(5, "")] = far + 2
    eq(c.cmd("SELECT", 0), "OK")
    return deadlines


def state(c, dbs=(0, 5)):
    """What must survive: per key its type, encoding, deadline and value
    digest, and the whole dataset's digest."""
    out = {"digest": c.cmd("DEBUG", "DIGEST")}
    for db in dbs:
        eq(c.cmd("SELECT", db), "OK")
        for k in sorted(c.cmd("KEYS", "*")):
            out[(db, k)] = (c.cmd("TYPE", k), c.cmd("OBJECT", "ENCODING", k), c.cmd("PEXPIRETIME", k),
                            c.cmd("DEBUG", "DIGEST-VALUE", k))
    eq(c.cmd("SELECT", 0), "OK")
    return out


def restart(t, s):
    s.stop()
    s.start()
    return t.conn(s)


def start(t, *args):
    return t.start_taskkv(*(DEBUG_ON + args))


# ---------------------------------------------------------------------------
# save, restart, load
# ---------------------------------------------------------------------------

@timeout(120)
def test_save_then_restart_keeps_everything(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    deadlines = populate(c)
    before = state(c)
    check(before["digest"] != "0" * 40, "digest of a non-empty dataset is all zeros")
    last0 = c.cmd("LASTSAVE")
    time.sleep(1.1)
    eq(c.cmd("SAVE"), "OK")
    check(c.cmd("LASTSAVE") > last0, "LASTSAVE did not move after SAVE")
    p = info(c, "persistence")
    eq(p["rdb_changes_since_last_save"], "0", "changes after SAVE")
    eq(p["rdb_last_bgsave_status"], "ok", "status after SAVE")
    # SHUTDOWN NOSAVE: what comes back is what SAVE wrote
    eq(c.cmd("SET", "after-save", "lost"), "OK")
    s.expect_exit = True
    c.send_cmd("SHUTDOWN", "NOSAVE")
    c.read_until_eof(10)
    s.proc.wait(10)
    s.start()
    c = t.conn(s)
    after = state(c)
    eq(c.cmd("EXISTS", "after-save"), 0, "a write after SAVE survived SHUTDOWN NOSAVE")
    diffs = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    check(not diffs, "differences after restart: %s" % short(
        [(k, before.get(k), after.get(k)) for k in sorted(diffs, key=str)[:5]], 2000))
    # deadlines are absolute: the same PEXPIRETIME, not a TTL restarted
    for (db, k), when in deadlines.items():
        eq(c.cmd("SELECT", db), "OK")
        eq(c.cmd("PEXPIRETIME", k), when, "PEXPIRETIME of %r in db %d" % (k, db))
    eq(c.cmd("SELECT", 0), "OK")
    eq(c.cmd("GET", "big"), bytes(range(256)) * 4096, "1 MiB binary value")
    eq(c.cmd("GET", b"bin\x00key\xff"), b"\x00\x01\xfe\xff")
    eq(c.cmd("LRANGE", "list", 0, -1), [b"a", b"", b"12", b"\x00\xff", b"last"])
    eq(c.cmd("ZRANGE", "zset", 0, -1, "WITHSCORES"), [b"b", b"-inf", b"d", b"0", b"a", b"1.5", b"c", b"inf"])
    eq(c.cmd("XRANGE", "stream", "-", "+"), [[b"2-1", [b"f", b"w", b"g", b"x"]]])
    p = info(c, "persistence")
    eq(p["rdb_last_load_keys_loaded"], str(len([k for k in before if k != "digest"])), "keys loaded")
    eq(p["rdb_last_load_keys_expired"], "0")
    check("DB loaded from disk" in s.stdout(), "no 'DB loaded from disk' in the log")


@timeout(60)
def test_deadline_passed_while_down(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    eq(c.cmd("SET", "short", "v", "PX", 800), "OK")
    eq(c.cmd("SET", "long", "v", "EX", 3600), "OK")
    eq(c.cmd("SAVE"), "OK")
    s.stop()
    time.sleep(1.0)
    s.start()
    c = t.conn(s)
    eq(c.cmd("EXISTS", "short"), 0, "a key whose deadline passed while the server was down")
    eq(c.cmd("EXISTS", "long"), 1)
    p = info(c, "persistence")
    eq(p["rdb_last_load_keys_expired"], "1")
    eq(p["rdb_last_load_keys_loaded"], "1")


@timeout(60)
def test_missing_file_starts_empty_and_dbfilename(t):
    s = start(t, "--dbfilename", "snap.sqlite", *NO_RULES)
    c = t.conn(s)
    eq(c.cmd("DBSIZE"), 0)
    eq(c.cmd("SET", "k", "v"), "OK")
    eq(c.cmd("SAVE"), "OK")
    check(os.path.exists(os.path.join(s.dir, "snap.sqlite")), "SAVE did not write <dir>/snap.sqlite")
    check(not os.path.exists(snapshot_path(s)), "dump.rdb written although dbfilename is snap.sqlite")
    leftovers = [f for f in os.listdir(s.dir) if ".tmp-" in f]
    eq(leftovers, [], "temporary files left behind")
    c = restart(t, s)
    eq(c.cmd("GET", "k"), b"v")


# ---------------------------------------------------------------------------
# BGSAVE
# ---------------------------------------------------------------------------

@timeout(180)
def test_bgsave_while_clients_keep_writing(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    n = 300000 if not t.sanitizer else 100000
    # fill with DEBUG-free pipelined MSETs
    batch = []
    for i in range(n):
        batch += ["key:%07d" % i, "value-%d" % i]
        if len(batch) == 2000:
            c.send_cmd("MSET", *batch)
            batch = []
    if batch:
        c.send_cmd("MSET", *batch)
    for _ in range((n * 2 + 1999) // 2000):
        eq(c.read(timeout_s=60), "OK")
    eq(c.cmd("DBSIZE"), n)
    digest_at_fork = c.cmd("DEBUG", "DIGEST")
    eq(c.cmd("BGSAVE"), "Background saving started")
    # The child is held stopped while the parent serves, so "in progress" is
    # certain for every check below (a child finishing between an INFO and
    # the next command would otherwise let a second BGSAVE start).
    child = wait_for(lambda: server_children(s), 20, "the BGSAVE child")[0]
    os.kill(child, signal.SIGSTOP)
    w = t.conn(s)
    acked = 0
    saw_in_progress = False
    try:
        while acked < 300:
            eq(w.cmd("SET", "after:%d" % acked, "x"), "OK")
            eq(w.cmd("INCR", "counter"), acked + 1)
            acked += 1
            if acked % 50 == 0:
                eq(info(w, "persistence")["rdb_bgsave_in_progress"], "1")
                saw_in_progress = True
                eq(w.cmd("BGSAVE"), ErrorReply("ERR Background save already in progress"), "BGSAVE during BGSAVE")
                eq(w.cmd("SAVE"), ErrorReply("ERR Background save already in progress"), "SAVE during BGSAVE")
    finally:
        os.kill(child, signal.SIGCONT)
    wait_for(lambda: info(w, "persistence")["rdb_bgsave_in_progress"] == "0", 120, "the BGSAVE to finish")
    check(saw_in_progress, "INFO never showed the BGSAVE in progress (%d writes)" % acked)
    p = info(w, "persistence")
    eq(p["rdb_bgsave_in_progress"], "0")
    eq(p["rdb_last_bgsave_status"], "ok")
    check(int(p["rdb_changes_since_last_save"]) == 2 * acked,
          "changes since the fork: %s, expected %d" % (p["rdb_changes_since_last_save"], 2 * acked))
    stats = info(w, "stats")
    check(int(stats["total_forks"]) >= 1, "total_forks %s" % stats["total_forks"])
    t.note("%d keys; %d writes served during BGSAVE (in_progress seen: %s)" % (n, acked, saw_in_progress))
    check("Background saving terminated with success" in s.stdout(), "no success line in the log")
    # the snapshot is the dataset as of the fork: none of the later writes
    s.stop()   # no save rules: SIGTERM does not save, the BGSAVE file stays
    s.start()
    c = t.conn(s)
    eq(c.cmd("DBSIZE"), n, "keys after restart")
    eq(c.cmd("EXISTS", "counter"), 0, "a write after the fork is in the snapshot")
    eq(c.cmd("DEBUG", "DIGEST"), digest_at_fork, "digest of the reloaded snapshot")


@timeout(60)
def test_bgsave_schedule_and_in_multi(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    eq(c.cmd("SET", "k", "v"), "OK")
    eq(c.cmd("BGSAVE", "SCHEDULE"), "Background saving started")
    wait_for(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0", 20, "the first BGSAVE")
    eq(c.cmd("BGSAVE", "NOW"), ErrorReply("ERR syntax error"))
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("BGSAVE"), "QUEUED")
    eq(c.cmd("EXEC"), ["Background saving scheduled"])
    # the cron starts it within about a second
    saves = int(info(c, "persistence")["rdb_saves"])
    wait_for(lambda: int(info(c, "persistence")["rdb_saves"]) > saves, 20, "the scheduled BGSAVE")
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("SAVE"), ErrorReply("ERR Command not allowed inside a transaction"))
    eq(c.cmd("DISCARD"), "OK")


# ---------------------------------------------------------------------------
# save rules, SHUTDOWN, signals
# ---------------------------------------------------------------------------

@timeout(60)
def test_save_rule_triggers_background_save(t):
    s = start(t, "--save", "1", "2")
    c = t.conn(s)
    eq(c.cmd("SET", "a", "1"), "OK")
    time.sleep(2.5)
    check(not os.path.exists(snapshot_path(s)), "a save with 1 change under a '1 2' rule")
    eq(c.cmd("SET", "b", "2"), "OK")
    wait_for(lambda: os.path.exists(snapshot_path(s)) and
             info(c, "persistence")["rdb_changes_since_last_save"] == "0", 10, "the rule's BGSAVE")
    check("2 changes in 1 seconds. Saving..." in s.stdout(), "no rule line in the log:\n" + s.stdout()[-800:])
    eq(c.cmd("CONFIG", "GET", "save"), [b"save", b"1 2"])


@timeout(60)
def test_shutdown_save_nosave_and_sigterm(t):
    # SHUTDOWN SAVE saves even without rules
    s = start(t, *NO_RULES)
    c = t.conn(s)
    eq(c.cmd("SET", "k", "1"), "OK")
    s.expect_exit = True
    c.send_cmd("SHUTDOWN", "SAVE")
    c.read_until_eof(10)
    eq(s.proc.wait(10), 0)
    check(os.path.exists(snapshot_path(s)), "SHUTDOWN SAVE wrote nothing")
    # with rules: SHUTDOWN NOSAVE leaves the file as it was
    s.extra = list(DEBUG_ON) + ["--save", "3600", "1"]
    s.start()
    c = t.conn(s)
    eq(c.cmd("GET", "k"), b"1")
    before = file_digest(snapshot_path(s))
    eq(c.cmd("SET", "k", "2"), "OK")
    c.send_cmd("SHUTDOWN", "NOSAVE")
    c.read_until_eof(10)
    eq(s.proc.wait(10), 0)
    eq(file_digest(snapshot_path(s)), before, "SHUTDOWN NOSAVE changed the snapshot")
    # with rules: plain SHUTDOWN saves, and so does SIGTERM
    s.start()
    c = t.conn(s)
    eq(c.cmd("SET", "k", "3"), "OK")
    c.send_cmd("SHUTDOWN")
    c.read_until_eof(10)
    eq(s.proc.wait(10), 0)
    s.start()
    c = t.conn(s)
    eq(c.cmd("GET", "k"), b"3", "after SHUTDOWN with save rules")
    eq(c.cmd("SET", "k", "4"), "OK")
    s.proc.send_signal(signal.SIGTERM)
    eq(s.proc.wait(10), 0)
    check("Saving the final snapshot before exiting." in s.stdout(), "no final-save line after SIGTERM")
    # without rules SIGTERM does not save
    s.extra = list(DEBUG_ON) + list(NO_RULES)
    s.start()
    c = t.conn(s)
    eq(c.cmd("GET", "k"), b"4", "after SIGTERM with save rules")
    eq(c.cmd("SET", "k", "5"), "OK")
    s.proc.send_signal(signal.SIGTERM)
    eq(s.proc.wait(10), 0)
    s.start()
    c = t.conn(s)
    eq(c.cmd("GET", "k"), b"4", "SIGTERM without save rules saved")
    s.expect_exit = False


@timeout(60)
def test_sigterm_during_busy_script_saves_after_it(t):
    """SIGTERM while a script that already wrote is busy: the final save
    waits for the script to end, so the snapshot holds all of its writes or
    none, never half (here: all, as Redis finishes the script first)."""
    s = start(t, "--save", "3600", "1", "--busy-reply-threshold", "100")
    c = t.conn(s)
    script = ("redis.call('set', 'first', '1') "
              "local t0 = redis.call('time') "
              "while true do local t = redis.call('time') "
              "if (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1500000 then break end end "
              "redis.call('set', 'last', '2') return 1")
    s.expect_exit = True
    c.send_cmd("EVAL", script, "0")
    time.sleep(0.5)                       # busy by now (threshold 100 ms)
    s.proc.send_signal(signal.SIGTERM)
    eq(s.proc.wait(20), 0)
    s.expect_exit = False
    s.start()
    c = t.conn(s)
    eq((c.cmd("GET", "first"), c.cmd("GET", "last")), (b"1", b"2"), "the snapshot holds half a script")


@timeout(60)
def test_flushall_saves_with_rules(t):
    """As Redis: FLUSHALL with save rules writes the empty dataset at once,
    so a crash right after it does not bring the keys back."""
    s = start(t, "--save", "3600", "1")
    c = t.conn(s)
    eq(c.cmd("SET", "a", "1"), "OK")
    eq(c.cmd("SAVE"), "OK")
    eq(c.cmd("SET", "b", "2"), "OK")
    eq(c.cmd("FLUSHALL"), "OK")
    p = info(c, "persistence")
    eq(p["rdb_changes_since_last_save"], "0", "changes after FLUSHALL")
    eq(p["rdb_saves"], "1", "rdb_saves after FLUSHALL")
    s.expect_exit = True
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    s.expect_exit = False
    s.start()
    eq(t.conn(s).cmd("DBSIZE"), 0, "keys back after FLUSHALL and a crash")


@timeout(60)
def test_failing_save_keeps_server_running(t):
    # dump.rdb is a directory: every save fails at the rename
    s = start(t, "--save", "3600", "1")
    c = t.conn(s)
    os.mkdir(snapshot_path(s))
    eq(c.cmd("SET", "k", "v"), "OK")
    eq(c.cmd("SAVE"), ErrorReply("ERR"))
    eq(c.cmd("BGSAVE"), "Background saving started")
    wait_for(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0", 20, "the failing BGSAVE")
    eq(info(c, "persistence")["rdb_last_bgsave_status"], "err")
    # stop-writes-on-bgsave-error: writes and PING refused, reads go on
    misconf = ErrorReply("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
                         "to disk. Commands that may modify the data set are disabled, because this instance is "
                         "configured to report errors during writes if RDB snapshotting fails "
                         "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
                         "RDB error.")
    eq(c.cmd("SET", "k", "w"), misconf)
    eq(c.cmd("PING"), misconf)
    eq(c.cmd("GET", "k"), b"v")
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("INCR", "n"), misconf)
    eq(c.cmd("EXEC"), ErrorReply("EXECABORT Transaction discarded because of previous errors."))
    eq(c.cmd("SHUTDOWN"), ErrorReply("ERR Errors trying to SHUTDOWN. Check logs."))
    eq(c.cmd("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"), "OK")
    eq(c.cmd("PING"), "PONG", "the server after a refused SHUTDOWN")
    eq(c.cmd("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"), "OK")
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    check(s.alive(), "SIGTERM with a failing save stopped the server")
    check("errors trying to shut down" in s.stdout(), "no SIGTERM refusal in the log")
    eq(c.cmd("GET", "k"), b"v")
    check(not any(".tmp-" in f for f in os.listdir(s.dir)), "temporary files left: %s" % os.listdir(s.dir))
    # once the path is free again, saving works and the status recovers
    os.rmdir(snapshot_path(s))
    eq(c.cmd("SAVE"), "OK")
    eq(info(c, "persistence")["rdb_last_bgsave_status"], "ok")
    s.expect_exit = True
    c.send_cmd("SHUTDOWN", "NOSAVE")
    c.read_until_eof(10)
    eq(s.proc.wait(10), 0)
    # FORCE exits even when the save fails
    s.start()
    c = t.conn(s)
    os.remove(snapshot_path(s))
    os.mkdir(snapshot_path(s))
    c.send_cmd("SHUTDOWN", "FORCE")
    c.read_until_eof(10)
    eq(s.proc.wait(10), 0, "SHUTDOWN FORCE with a failing save")
    os.rmdir(snapshot_path(s))


@timeout(60)
def test_disk_fault_fails_saves_and_stops_writes(t):
    """DEBUG DISK-FAULT (a fault-injecting sqlite VFS): a full or failing
    disk makes SAVE and BGSAVE (the forked child inherits the fault) fail,
    leaves the old snapshot and no temporary file, and with save rules
    stop-writes-on-bgsave-error refuses writes until a save succeeds."""
    s = start(t, "--save", "3600", "1", "--enable-debug-command", "yes")
    c = t.conn(s)
    eq(c.cmd("SET", "k", "v"), "OK")
    eq(c.cmd("SAVE"), "OK")
    good = open(snapshot_path(s), "rb").read()
    eq(c.cmd("SET", "k2", "v2"), "OK")
    for mode in ("full", "ioerr"):
        eq(c.cmd("DEBUG", "DISK-FAULT", mode), "OK")
        eq(c.cmd("SAVE"), ErrorReply("ERR"))
        eq(c.cmd("BGSAVE"), "Background saving started")
        wait_for(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0", 20, "the failing BGSAVE")
        eq(info(c, "persistence")["rdb_last_bgsave_status"], "err")
        eq(c.cmd("SET", "k3", "x")[:len("MISCONF Redis is configured")], "MISCONF Redis is configured")
        eq(c.cmd("GET", "k2"), b"v2")
        eq(open(snapshot_path(s), "rb").read(), good, "the previous snapshot was changed")
        check(not any(".tmp-" in f for f in os.listdir(s.dir)), "temporary files left: %s" % os.listdir(s.dir))
    check("Failed saving the snapshot" in s.stdout(), "no log line for the failed save")
    eq(c.cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    eq(c.cmd("BGSAVE"), "Background saving started")
    wait_for(lambda: info(c, "persistence")["rdb_bgsave_in_progress"] == "0", 20, "the BGSAVE")
    eq(info(c, "persistence")["rdb_last_bgsave_status"], "ok")
    eq(c.cmd("SET", "k3", "x"), "OK")


def write_big_snapshot(path, n, extra_rows=()):
    """A snapshot of n string keys k<i> = v<i> written with sqlite by hand
    (rows without checksum, as docs/PERSISTENCE.md allows), plus extra
    (db, key, type, expire_ms, value) rows."""
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA application_id=%d" % 0x544B4B56)
    db.execute("PRAGMA user_version=1")
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value)")
    db.execute("CREATE TABLE keys (db INTEGER NOT NULL, key BLOB NOT NULL, type TEXT NOT NULL, "
               "expire_ms INTEGER, value BLOB NOT NULL, checksum INTEGER)")
    db.executemany("INSERT INTO keys (db, key, type, value) VALUES (0, ?, 'string', ?)",
                   (("k%d" % i, "v%d" % i) for i in range(n)))
    db.executemany("INSERT INTO keys (db, key, type, expire_ms, value) VALUES (?, ?, ?, ?, ?)", extra_rows)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("format_version", 1), ("codec_version", 1),
                                                      ("taskkv_version", "test"), ("journal_seq", 0),
                                                      ("keys", n + len(extra_rows))])
    db.commit()
    db.close()


@timeout(120)
def test_loading_answers_loading_then_serves(t):
    """Start-up listens first and loads the snapshot in slices from the
    event loop: meanwhile commands without Redis' `loading` flag get
    -LOADING (Redis 7.0.15's text), INFO, CONFIG, LASTSAVE... answer, INFO
    persistence says loading:1 with Redis' loading_* fields; then every key
    is there. A damaged row near the end stops the server (exit 1) after it
    has started listening."""
    n = 1200000
    s = start(t, *(NO_RULES + DEBUG_ON))
    path = snapshot_path(s)
    s.stop()
    write_big_snapshot(path, n)
    s.port = free_port()
    with open(s.stdout_path, "ab") as out:
        s.proc = subprocess.Popen(s.argv(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  cwd=s.dir)
    c = None
    deadline = time.time() + 20
    while c is None and time.time() < deadline:
        try:
            c = Conn(port=s.port, timeout=5.0)
        except OSError:
            time.sleep(0.002)
    check(c is not None, "the server did not listen")
    loading = ErrorReply("LOADING Redis is loading the dataset in memory")
    eq(c.cmd("PING"), loading, "PING while loading")
    eq(c.cmd("GET", "k1"), loading)
    eq(c.cmd("SET", "x", "1"), loading)
    eq(c.cmd("DBSIZE"), loading)
    eq(c.cmd("CONFIG", "GET", "databases"), [b"databases", b"16"])
    check(isinstance(c.cmd("LASTSAVE"), int), "LASTSAVE while loading")
    eq(c.cmd("DEBUG", "RELOAD"), loading, "DEBUG RELOAD while loading")
    r = c.cmd("CONFIG", "SET", "appendonly", "yes")
    check(isinstance(r, ErrorReply) and "loading" in r, "CONFIG SET appendonly yes while loading: %r" % (r,))
    p = info(c, "persistence")
    eq(p["loading"], "1")
    keys = list(p.keys())
    eq(keys[-6:], ["loading_start_time", "loading_total_bytes", "loading_rdb_used_mem", "loading_loaded_bytes",
                   "loading_loaded_perc", "loading_eta_seconds"], "the loading_* fields, in Redis' order")
    check(abs(int(p["loading_start_time"]) - time.time()) < 30, "loading_start_time")
    eq(int(p["loading_total_bytes"]), os.path.getsize(path))
    check(0 <= float(p["loading_loaded_perc"]) < 100, "loading_loaded_perc %s" % p["loading_loaded_perc"])
    seen = [p]
    while True:
        r = c.cmd("PING")
        if r == "PONG":
            break
        eq(r, loading)
        seen.append(info(c, "persistence"))
        time.sleep(0.01)
    check(len(seen) >= 3, "too few INFO samples while loading: %d" % len(seen))
    perc = [float(x["loading_loaded_perc"]) for x in seen if x.get("loading") == "1"]
    eq(perc, sorted(perc), "loading_loaded_perc goes up")
    loaded = [int(x["rdb_last_load_keys_loaded"]) for x in seen if x.get("loading") == "1"]
    check(loaded[-1] > loaded[0] or len(set(loaded)) == 1, "rdb_last_load_keys_loaded is live: %s" % loaded[:5])
    eq(c.cmd("DBSIZE"), n)
    eq(c.cmd("GET", "k%d" % (n - 1)), b"v%d" % (n - 1))
    p = info(c, "persistence")
    eq(p["loading"], "0")
    check("loading_start_time" not in p, "loading_* fields after loading")
    eq(p["rdb_last_load_keys_loaded"], str(n))
    eq(c.cmd("SET", "x", "1"), "OK")
    c.close()
    s.stop()
    # damage in the last row: found after listening, the server exits 1
    write_big_snapshot(path, 300000, [(0, "bad", "list", None, b"\x01\x6c\x05")])
    expect_refused_start(t, s, "damaged snapshot")
    s.expect_exit = True


# ---------------------------------------------------------------------------
# DEBUG
# ---------------------------------------------------------------------------

@timeout(120)
def test_debug_reload_keeps_digest(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    populate(c)
    before = state(c)
    eq(c.cmd("DEBUG", "RELOAD"), "OK")
    after = state(c)
    diffs = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    check(not diffs, "DEBUG RELOAD changed: %s" % short([(k, before.get(k), after.get(k)) for k in diffs[:5]], 2000))
    # NOSAVE: back to the file's contents; MERGE NOFLUSH keeps keys the file lacks
    eq(c.cmd("SET", "int", "changed"), "OK")
    eq(c.cmd("SET", "new", "only in memory"), "OK")
    eq(c.cmd("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"), "OK")
    eq(c.cmd("GET", "int"), b"12345")
    eq(c.cmd("GET", "new"), b"only in memory")
    eq(c.cmd("DEBUG", "RELOAD", "NOSAVE"), "OK")
    eq(c.cmd("EXISTS", "new"), 0)
    eq(state(c), before, "after DEBUG RELOAD NOSAVE")
    eq(c.cmd("DEBUG", "RELOAD", "FOO"),
       ErrorReply("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."))
    # the digest changes with any change of contents, TTLs included
    d = c.cmd("DEBUG", "DIGEST")
    eq(c.cmd("PEXPIRE", "int", 100000), 1)
    check(c.cmd("DEBUG", "DIGEST") != d, "a new TTL left the digest unchanged")
    eq(c.cmd("PERSIST", "int"), 1)
    eq(c.cmd("DEBUG", "DIGEST"), d, "removing the TTL again")
    eq(c.cmd("LSET", "list", 0, "b"), "OK")
    check(c.cmd("DEBUG", "DIGEST") != d, "a changed list element left the digest unchanged")


def test_debug_replies_match_redis(t):
    """Reply shapes and texts against redis-server 7.0.15 (digest values
    differ by design; their form does not)."""
    r = t.redis(*DEBUG_ON)
    s = start(t, *NO_RULES)
    rc, c = t.conn(r), t.conn(s)
    for args in (("DEBUG",), ("DEBUG", "NOSUCH"), ("DEBUG", "DIGEST", "x"), ("DEBUG", "DIGEST"),
                 ("DEBUG", "DIGEST-VALUE"), ("DEBUG", "DIGEST-VALUE", "missing", "missing2"),
                 ("DEBUG", "RELOAD", "BAD"), ("BGSAVE", "X"), ("SAVE", "X"), ("LASTSAVE", "X"),
                 ("DEBUG", "SLEEP", "0")):
        eq(c.cmd_raw(*args), rc.cmd_raw(*args), "reply to %s" % " ".join(args))
    for cc in (rc, c):
        eq(cc.cmd("SET", "k", "v"), "OK")
    a, b = c.cmd_raw("DEBUG", "DIGEST"), rc.cmd_raw("DEBUG", "DIGEST")
    check(a[:1] == b[:1] == b"+" and len(a) == len(b) == 43, "DEBUG DIGEST forms: %r / %r" % (a, b))
    # refused without enable-debug-command, with Redis' text
    plain = t.redis()
    with plain.conn() as pc:
        want = pc.cmd("DEBUG", "DIGEST")
    other = t.start_taskkv(*NO_RULES)
    got = t.conn(other).cmd("DEBUG", "DIGEST")
    check(isinstance(want, ErrorReply) and "not allowed" in want, "reference: %r" % want)
    eq(got, want, "DEBUG without enable-debug-command")


def test_debug_local(t):
    s = t.start_taskkv("--enable-debug-command", "local", *NO_RULES)
    eq(t.conn(s).cmd("DEBUG", "DIGEST"), "0" * 40, "DEBUG from a loopback client with 'local'")


# ---------------------------------------------------------------------------
# damage
# ---------------------------------------------------------------------------

def expect_refused_start(t, s, needle):
    """The server must exit at start-up (with a status that is not 0),
    naming the file; the file must be byte-for-byte unchanged. (The header
    and meta are checked before the server listens; damage in the rows is
    found while it loads them from the event loop, answering -LOADING, and
    stops it then.)"""
    path = snapshot_path(s)
    before = file_digest(path)
    proc = subprocess.run([s.binary, "--port", str(free_port()), "--bind", "127.0.0.1", "--dir", s.dir,
                           "--save", ""],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, cwd=s.dir)
    out = proc.stdout.decode("utf-8", "replace")
    check(proc.returncode != 0, "the server started on a damaged snapshot:\n%s" % out[-1500:])
    check(path in out, "the message does not name %s:\n%s" % (path, out[-1500:]))
    check(needle in out, "the message does not say %r:\n%s" % (needle, out[-1500:]))
    check("left untouched" in out, "no 'left untouched' in:\n%s" % out[-1500:])
    eq(file_digest(path), before, "the damaged file was modified")


@timeout(120)
def test_damaged_file_stops_startup(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    populate(c)
    eq(c.cmd("SAVE"), "OK")
    s.stop()
    path = snapshot_path(s)
    good = open(path, "rb").read()
    # corrupt pages: overwrite the middle of the file
    bad = bytearray(good)
    mid = len(bad) // 2
    bad[mid:mid + 8192] = bytes((i * 37 + 11) & 255 for i in range(8192))
    open(path, "wb").write(bad)
    expect_refused_start(t, s, "damaged")
    # a bad header
    bad = bytearray(good)
    bad[0:16] = b"SQLite format 4\x00"
    open(path, "wb").write(bad)
    expect_refused_start(t, s, "not a taskkv snapshot")
    # truncated
    open(path, "wb").write(good[:len(good) // 3])
    expect_refused_start(t, s, "damaged")
    # empty
    open(path, "wb").write(b"")
    expect_refused_start(t, s, "empty file")
    # one changed byte inside the 1 MiB value: only the row checksum sees it
    i = good.find(bytes(range(256)) * 8)
    check(i > 0, "the big value is not stored raw in the file")
    bad = bytearray(good)
    bad[i + 1000] ^= 0x55
    open(path, "wb").write(bad)
    expect_refused_start(t, s, "checksum mismatch")
    # a Redis RDB file under the same name
    r = t.redis()
    with r.conn() as rc:
        rc.cmd("SET", "k", "v")
        eq(rc.cmd("SAVE"), "OK")
    shutil.copy(os.path.join(r.dir, "dump.rdb"), path)
    expect_refused_start(t, s, "Redis RDB file")
    # the intact file still loads
    open(path, "wb").write(good)
    s.start()
    eq(t.conn(s).cmd("GET", "int"), b"12345")


# ---------------------------------------------------------------------------
# the schema, read with sqlite (python's sqlite3 module: the sqlite3 shell
# may not be installed)
# ---------------------------------------------------------------------------

@timeout(60)
def test_schema_readable_with_sqlite(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    deadlines = populate(c)
    eq(c.cmd("SAVE"), "OK")
    db = sqlite3.connect("file:%s?mode=ro" % snapshot_path(s), uri=True)
    try:
        rows = db.execute("SELECT db, key, type, expire_ms FROM keys").fetchall()
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        # what the README tells users to type
        listed = db.execute("SELECT key, type, expire_ms - CAST(strftime('%s', 'now') AS INTEGER) * 1000 "
                            "FROM keys WHERE db = 0 AND expire_ms IS NOT NULL ORDER BY key").fetchall()
        text = db.execute("SELECT value FROM keys WHERE db = 0 AND key = 'emb'").fetchone()[0]
        utf8 = db.execute("SELECT value FROM keys WHERE key = 'utf8'").fetchone()[0]
        binkey = db.execute("SELECT value FROM keys WHERE key = ?", (b"bin\x00key\xff",)).fetchone()[0]
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        indexes = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'keys'"
                             ).fetchone()[0]
    finally:
        db.close()
    server_keys = set()
    for dbn in (0, 5):
        eq(c.cmd("SELECT", dbn), "OK")
        for k in c.cmd("KEYS", "*"):
            server_keys.add((dbn, k, c.cmd("TYPE", k)))
    file_keys = set((r[0], r[1] if isinstance(r[1], bytes) else r[1].encode(), r[2]) for r in rows)
    eq(file_keys, set((d, k, str(ty)) for d, k, ty in server_keys), "keys and types listed by sqlite")
    for r in rows:
        k = r[1] if isinstance(r[1], str) else None
        if r[3] is not None:
            eq(r[3], deadlines.get((r[0], k)), "expire_ms of %r" % (r[1],))
    eq([k for k, _, _ in listed], ["bighash", "emb"])
    check(all(3500 * 1000 < ttl <= 3601 * 1000 + 2 for _, _, ttl in listed), "TTLs from sqlite: %r" % listed)
    eq(text, "hello", "a string value reads as text")
    eq(utf8, "caf\u00e9 \u2603")
    eq(binkey, b"\x00\x01\xfe\xff", "binary values are blobs")
    eq(int(meta["format_version"]), 1)
    eq(int(meta["journal_seq"]), 0)
    eq(int(meta["keys"]), len(rows))
    eq(app_id, 0x544B4B56, "application_id")
    eq(indexes, 0, "indexes on keys")


# ---------------------------------------------------------------------------
# INFO and LASTSAVE
# ---------------------------------------------------------------------------

def test_info_persistence_fields_as_redis(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    r = t.shared_redis()
    with r.conn() as rc:
        want = list(info(rc, "persistence").keys())
    got = list(info(c, "persistence").keys())
    eq(got, want, "INFO persistence field names and order")
    p = info(c, "persistence")
    eq(p["rdb_bgsave_in_progress"], "0")
    eq(p["rdb_last_bgsave_time_sec"], "-1")
    eq(p["rdb_saves"], "0")
    eq(p["loading"], "0")
    now = int(time.time())
    check(abs(int(p["rdb_last_save_time"]) - now) < 30, "rdb_last_save_time %s" % p["rdb_last_save_time"])
    eq(c.cmd("LASTSAVE"), int(p["rdb_last_save_time"]))
    eq(c.cmd("SET", "a", "1"), "OK")
    eq(c.cmd("INCRBY", "n", 5), 5)
    eq(info(c, "persistence")["rdb_changes_since_last_save"], "2")
    eq(c.cmd("BGSAVE"), "Background saving started")
    wait_for(lambda: info(c, "persistence")["rdb_saves"] == "1", 20, "BGSAVE")
    p = info(c, "persistence")
    eq(p["rdb_changes_since_last_save"], "0")
    check(p["rdb_last_bgsave_time_sec"] in ("0", "1", "2"), "rdb_last_bgsave_time_sec %s" % p["rdb_last_bgsave_time_sec"])


# ---------------------------------------------------------------------------
# the documented formats (docs/PERSISTENCE.md), re-implemented from the text
# ---------------------------------------------------------------------------

M64 = (1 << 64) - 1
K1, K2 = 0x87c37b91114253d5, 0x9E3779B97F4A7C15


def _fmix64(k):
    k ^= k >> 33
    k = (k * 0xff51afd7ed558ccd) & M64
    k ^= k >> 33
    k = (k * 0xc4ceb9fe1a85ec53) & M64
    return k ^ (k >> 33)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _hash_bytes(data, h):
    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        h ^= (int.from_bytes(data[i:i + 8], "little") * K1) & M64
        h = (_rotl(h, 31) * K2) & M64
    w = int.from_bytes(data[full:], "little")
    h ^= ((w ^ n) * K1) & M64
    h = (_rotl(h, 31) * K2) & M64
    return _fmix64(h)


def row_checksum(db, key, typ, expire_ms, value):
    h = _fmix64(db & M64) ^ _fmix64(((-1 if expire_ms is None else expire_ms) + 2) & M64)
    h = _hash_bytes(key, h)
    h = _hash_bytes(typ.encode(), h)
    h = _hash_bytes(value, h)
    return h - (1 << 64) if h >= 1 << 63 else h


def _varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        if not c & 0x80:
            return v, i
        shift += 7


def decode_value(typ, blob):
    """The codec, version 1: a string is its bytes; a collection is
    [1][tag][varint count] then length-prefixed strings."""
    if typ == "string":
        return blob
    eq(blob[0], 1, "codec version byte")
    eq(chr(blob[1]), {"list": "l", "set": "s", "hash": "h", "zset": "z", "stream": "x"}[typ], "type tag")
    count, i = _varint(blob, 2)
    if typ == "stream":
        return ("stream", count)
    per = 2 if typ in ("hash", "zset") else 1
    items = []
    for _ in range(count * per):
        n, i = _varint(blob, i)
        items.append(blob[i:i + n])
        i += n
    eq(i, len(blob), "bytes after the last element")
    if typ == "list":
        return items
    if typ == "set":
        return sorted(items)
    if typ == "hash":
        return dict(zip(items[0::2], items[1::2]))
    return [(m, float(s)) for m, s in zip(items[0::2], items[1::2])]


@timeout(60)
def test_documented_formats(t):
    s = start(t, *NO_RULES)
    c = t.conn(s)
    populate(c)
    eq(c.cmd("SAVE"), "OK")
    db = sqlite3.connect("file:%s?mode=ro" % snapshot_path(s), uri=True)
    try:
        rows = db.execute("SELECT db, key, type, expire_ms, value, checksum FROM keys").fetchall()
        version = db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    eq(version, 1, "user_version")
    checked = 0
    for dbn, key, typ, exp, value, checksum in rows:
        kb = key.encode() if isinstance(key, str) else key
        vb = value.encode() if isinstance(value, str) else value
        eq(checksum, row_checksum(dbn, kb, typ, exp, vb), "checksum of %r" % (key,))
        got = decode_value(typ, vb)
        eq(c.cmd("SELECT", dbn), "OK")
        if typ == "string":
            eq(got, c.cmd("GET", kb))
        elif typ == "list":
            eq(got, c.cmd("LRANGE", kb, 0, -1))
        elif typ == "set":
            eq(got, sorted(c.cmd("SMEMBERS", kb)))
        elif typ == "hash":
            flat = c.cmd("HGETALL", kb)
            eq(got, dict(zip(flat[0::2], flat[1::2])))
        elif typ == "zset":
            flat = c.cmd("ZRANGE", kb, 0, -1, "WITHSCORES")
            eq(got, [(m, float(sc)) for m, sc in zip(flat[0::2], flat[1::2])])
        else:
            eq(got, ("stream", 1), "stream nodes")
        checked += 1
    eq(checked, 20, "rows checked")
