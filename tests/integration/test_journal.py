"""The journal (appendonly yes): every applied write's effect goes to
<dir>/appendonly.aof.sqlite (sqlite, WAL mode) and is replayed after the
snapshot at start-up.

- a restart (SIGKILL: no final save) after writes of every type gives the
  same DEBUG DIGEST and per-key state;
- what the journal holds is the effect: absolute deadlines, SPOP as SREM,
  MULTI/EXEC and scripts bracketed by MULTI ... EXEC with db -1;
- CONFIG SET appendonly yes at run time writes a snapshot first;
- crash test: writers with appendfsync always, SIGKILL mid-stream, every
  acknowledged write is there after the restart (3 iterations);
- a WAL cut inside its last commit: that commit is dropped, with a warning.
"""

import os
import random
import shutil
import signal
import sqlite3
import tempfile
import threading
import time

from harness import Conn, ErrorReply, ReplyTimeout, check, encode, eq, info, short, timeout
from test_persistence import populate, state

DEBUG_ON = ("--enable-debug-command", "yes")


def journal_path(s):
    return os.path.join(s.dir, "appendonly.aof.sqlite")


def start(t, *args):
    return t.start_taskkv(*(DEBUG_ON + ("--appendonly", "yes") + args))


def crash_restart(s):
    """SIGKILL (no final save, no clean close) and start again on the same
    directory with the same arguments."""
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    s.start()


def journal_rows(s):
    """The journal's committed rows as (seq, db, [args]); reads a copy of the
    files (the server holds an exclusive lock on the original)."""
    d = tempfile.mkdtemp(dir=s.dir)
    try:
        for suffix in ("", "-wal"):
            if os.path.exists(journal_path(s) + suffix):
                shutil.copy(journal_path(s) + suffix, os.path.join(d, "j.sqlite" + suffix))
        db = sqlite3.connect(os.path.join(d, "j.sqlite"))
        rows = db.execute("SELECT seq, db, args FROM journal ORDER BY seq").fetchall()
        db.close()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    out = []
    for seq, dbn, blob in rows:
        blob = bytes(blob)
        pos = 0

        def varint():
            nonlocal pos
            v = shift = 0
            while True:
                b = blob[pos]
                pos += 1
                v |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    return v
        argc = varint()
        args = []
        for _ in range(argc):
            n = varint()
            args.append(blob[pos:pos + n])
            pos += n
        eq(pos, len(blob), "journal row %d: trailing bytes" % seq)
        out.append((seq, dbn, args))
    return out


def more_writes(c):
    """Write commands beyond populate()'s: each reply is checked."""
    eq(c.cmd("SELECT", 2), "OK")
    eq(c.cmd("SET", "n", "10"), "OK")
    eq(c.cmd("INCRBY", "n", 5), 15)
    eq(c.cmd("INCRBYFLOAT", "n", "0.5"), b"15.5")
    eq(c.cmd("SETRANGE", "n", 0, "xy"), 4)
    eq(c.cmd("APPEND", "n", "!"), 5)
    eq(c.cmd("SETBIT", "bits", 100, 1), 0)
    eq(c.cmd("MSET", "m1", "a", "m2", "b"), "OK")
    eq(c.cmd("GETDEL", "m2"), b"b")
    eq(c.cmd("GETEX", "m1", "EX", 5000), b"a")
    eq(c.cmd("SET", "ttl", "v", "EX", 7000), "OK")
    eq(c.cmd("PERSIST", "ttl"), 1)
    eq(c.cmd("EXPIRE", "ttl", 9000), 1)
    eq(c.cmd("RPUSH", "l", *"abcdefg"), 7)
    eq(c.cmd("LPOP", "l"), b"a")
    eq(c.cmd("LMOVE", "l", "l2", "RIGHT", "LEFT"), b"g")
    eq(c.cmd("LSET", "l", 0, "B"), "OK")
    eq(c.cmd("LTRIM", "l", 0, 3), "OK")
    eq(c.cmd("LINSERT", "l", "BEFORE", "c", "ins"), 5)
    eq(c.cmd("LREM", "l", 0, "d"), 1)
    eq(c.cmd("SADD", "s", *[str(i) for i in range(20)]), 20)
    check(c.cmd("SPOP", "s") is not None, "SPOP")
    check(c.cmd("SPOP", "s", 3) is not None, "SPOP count")
    c.cmd("SMOVE", "s", "s2", "5")
    eq(c.cmd("SADD", "t", "1", "2", "x"), 3)
    check(isinstance(c.cmd("SINTERSTORE", "st", "s", "t"), int), "SINTERSTORE")
    check(isinstance(c.cmd("SUNIONSTORE", "su", "s", "t"), int), "SUNIONSTORE")
    eq(c.cmd("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d"), 4)
    eq(c.cmd("ZINCRBY", "z", "2.5", "a"), b"3.5")
    eq(c.cmd("ZPOPMIN", "z"), [b"b", b"2"])
    eq(c.cmd("ZREM", "z", "d"), 1)
    eq(c.cmd("ZUNIONSTORE", "zu", 2, "z", "t"), 5)
    eq(c.cmd("ZREMRANGEBYSCORE", "zu", 0, 1), 3)
    eq(c.cmd("HSET", "h", "a", "1", "b", "2"), 2)
    eq(c.cmd("HINCRBY", "h", "a", 10), 11)
    eq(c.cmd("HINCRBYFLOAT", "h", "b", "0.25"), b"2.25")
    eq(c.cmd("HDEL", "h", "b"), 1)
    eq(c.cmd("HSETNX", "h", "c", "3"), 1)
    c.cmd("XADD", "x", "*", "f", "1")
    c.cmd("XADD", "x", "*", "f", "2")
    # (consumer groups: not in taskkv yet)
    check(not isinstance(c.cmd("XTRIM", "x", "MAXLEN", 5), ErrorReply), "XTRIM")
    eq(c.cmd("RENAME", "l2", "l3"), "OK")
    eq(c.cmd("COPY", "h", "hcopy"), 1)
    eq(c.cmd("MOVE", "hcopy", 3), 1)
    eq(c.cmd("SORT", "t", "ALPHA", "STORE", "sorted"), 3)
    eq(c.cmd("SET", "gone", "1"), "OK")
    eq(c.cmd("DEL", "gone"), 1)
    eq(c.cmd("SELECT", 4), "OK")
    eq(c.cmd("SET", "willswap", "4"), "OK")
    eq(c.cmd("SWAPDB", 4, 6), "OK")
    eq(c.cmd("SELECT", 7), "OK")
    eq(c.cmd("SET", "flushed", "1"), "OK")
    eq(c.cmd("FLUSHDB"), "OK")
    eq(c.cmd("SELECT", 0), "OK")


@timeout(180)
def test_restart_after_every_write_type(t):
    s = start(t)
    c = t.conn(s)
    deadlines = populate(c)
    more_writes(c)
    dbs = tuple(range(8))
    before = state(c, dbs)
    check(before["digest"] != "0" * 40, "empty digest")
    eq(info(c, "persistence")["aof_enabled"], "1", "aof_enabled")
    # SIGKILL: nothing but the journal (no snapshot was ever written)
    crash_restart(s)
    check(not os.path.exists(os.path.join(s.dir, "dump.rdb")), "a snapshot was written; the test needs none")
    c = t.conn(s)
    after = state(c, dbs)
    diffs = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    check(not diffs, "differences after replay: %s" % short(
        [(k, before.get(k), after.get(k)) for k in sorted(diffs, key=str)[:5]], 2000))
    for (db, k), when in deadlines.items():
        eq(c.cmd("SELECT", db), "OK")
        eq(c.cmd("PEXPIRETIME", k), when, "PEXPIRETIME of %r in db %d" % (k, db))
    check("Journal replayed" in s.stdout(), "no 'Journal replayed' in the log")
    # a second restart, now snapshot (SAVE) + journal rows after it
    eq(c.cmd("SELECT", 0), "OK")
    eq(c.cmd("SAVE"), "OK")
    eq(c.cmd("RPUSH", "after-save", "1", "2"), 2)
    before = state(c, dbs)
    crash_restart(s)
    c = t.conn(s)
    after = state(c, dbs)
    eq(after["digest"], before["digest"], "digest after snapshot + journal")
    eq(c.cmd("LRANGE", "after-save", 0, -1), [b"1", b"2"])


@timeout(60)
def test_effects_are_journaled(t):
    s = start(t)
    c = t.conn(s)
    eq(c.cmd("SET", "k", "v", "EX", 1000), "OK")
    when = c.cmd("PEXPIRETIME", "k")
    eq(c.cmd("SADD", "s", "only"), 1)
    eq(c.cmd("SPOP", "s"), b"only")
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("INCR", "ctr"), "QUEUED")
    eq(c.cmd("GET", "ctr"), "QUEUED")
    eq(c.cmd("RPUSH", "q", "a"), "QUEUED")
    eq(c.cmd("EXEC"), [1, b"1", 1])
    eq(c.cmd("EVAL", "redis.call('set','sk','1'); return redis.call('incr','sk')", 0), 2)
    eq(c.cmd("SELECT", 3), "OK")
    eq(c.cmd("SET", "in3", "x"), "OK")
    eq(c.cmd("SELECT", 0), "OK")
    eq(c.cmd("GET", "k"), b"v")   # reads are not journaled
    crash_restart(s)
    rows = journal_rows(s)
    seen = [(dbn, [a.upper() if i == 0 else a for i, a in enumerate(args)]) for _, dbn, args in rows]
    # absolute deadline: no EX survives, the deadline is a PXAT/PEXPIREAT of `when`
    first = seen[0]
    eq(first[0], 0)
    check(b"EX" not in [a.upper() for a in first[1]] and str(when).encode() in first[1],
          "SET ... EX is not journaled with its absolute deadline: %r" % (first,))
    cmds = [args[0] for _, args in seen]
    check(b"SPOP" not in cmds, "SPOP journaled as itself: %r" % cmds)
    check((0, [b"SREM", b"s", b"only"]) in seen or (0, [b"DEL", b"s"]) in seen, "SPOP's effect: %r" % seen)
    # the transaction: MULTI, its writes, EXEC; db -1 around
    i = cmds.index(b"MULTI")
    eq(seen[i][0], -1)
    eq([a[0] for a in seen[i:i + 4]], [-1, 0, 0, -1])
    eq(cmds[i + 3], b"EXEC")
    check(b"GET" not in cmds, "a read was journaled")
    # the script: bracketed too, as its effects
    j = cmds.index(b"MULTI", i + 1)
    eq(cmds[j + 3], b"EXEC", "script unit: %r" % cmds[j:])
    check(b"EVAL" not in cmds, "the script was journaled, not its effects")
    check((3, [b"SET", b"in3", b"x"]) in seen, "db of the SET in db 3: %r" % seen)
    # replay gives the same
    c = t.conn(s)
    eq(c.cmd("GET", "ctr"), b"1")
    eq(c.cmd("GET", "sk"), b"2")
    eq(c.cmd("PEXPIRETIME", "k"), when)
    eq(c.cmd("EXISTS", "s"), 0)
    eq(c.cmd("SELECT", 3), "OK")
    eq(c.cmd("GET", "in3"), b"x")


@timeout(60)
def test_deadline_passes_while_down_and_no_events_on_replay(t):
    s = start(t, "--notify-keyspace-events", "KEA")
    c = t.conn(s)
    eq(c.cmd("SET", "short", "v", "PX", 600), "OK")
    eq(c.cmd("SET", "long", "v", "EX", 3600), "OK")
    when = c.cmd("PEXPIRETIME", "long")
    crash_restart(s)
    time.sleep(0.8)
    c = t.conn(s)
    eq(c.cmd("EXISTS", "short"), 0, "a key whose deadline passed came back")
    eq(c.cmd("PEXPIRETIME", "long"), when)
    eq(c.cmd("DBSIZE"), 1)


@timeout(60)
def test_config_set_appendonly_at_runtime(t):
    s = t.start_taskkv(*DEBUG_ON)
    c = t.conn(s)
    eq(info(c, "persistence")["aof_enabled"], "0")
    eq(c.cmd("SET", "before", "1"), "OK")
    eq(c.cmd("CONFIG", "SET", "appendonly", "yes"), "OK")
    check(os.path.exists(os.path.join(s.dir, "dump.rdb")), "enabling the journal did not write a snapshot")
    check(os.path.exists(journal_path(s)), "no journal file")
    p = info(c, "persistence")
    eq(p["aof_enabled"], "1")
    eq(p["aof_last_write_status"], "ok")
    check("aof_current_size" in p, "aof_current_size missing when enabled")
    eq(c.cmd("SET", "after", "2"), "OK")
    eq(c.cmd("CONFIG", "SET", "appendfsync", "always"), "OK")
    eq(c.cmd("INCR", "after"), 3)
    # the restart needs appendonly yes on the command line (no CONFIG REWRITE here)
    s.extra += ["--appendonly", "yes"]
    crash_restart(s)
    c = t.conn(s)
    eq(c.cmd("GET", "before"), b"1")
    eq(c.cmd("GET", "after"), b"3")
    eq(c.cmd("CONFIG", "SET", "appendonly", "no"), "OK")
    eq(info(c, "persistence")["aof_enabled"], "0")
    eq(c.cmd("SET", "while-off", "1"), "OK")


def writer(port, idx, stop, acked, errors):
    try:
        c = Conn(port=port, timeout=10)
        n = 0
        while not stop.is_set():
            n += 1
            kind = n % 3
            if kind == 0:
                r = c.cmd("RPUSH", "list:%d" % idx, n)
                want = ("rpush", n, r)
            elif kind == 1:
                r = c.cmd("INCR", "ctr:%d" % idx)
                want = ("incr", n, r)
            else:
                r = c.cmd("SET", "key:%d:%d" % (idx, n), n)
                want = ("set", n, r)
            if isinstance(r, ErrorReply):
                errors.append(r)
                return
            acked.append(want)
    except Exception:   # the server was killed under us: expected
        pass


@timeout(240)
def test_crash_always_keeps_every_acknowledged_write(t):
    s = start(t, "--appendfsync", "always")
    for iteration in range(3):
        stop = threading.Event()
        acked = [[] for _ in range(4)]
        errors = []
        threads = [threading.Thread(target=writer, args=(s.port, i + 100 * iteration, stop, acked[i], errors))
                   for i in range(4)]
        for th in threads:
            th.start()
        time.sleep(0.4 + random.random() * 0.6)
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(10)
        stop.set()
        for th in threads:
            th.join(15)
        check(not errors, "writer errors: %r" % errors[:3])
        total = sum(len(a) for a in acked)
        check(total > 30, "iteration %d: only %d acknowledged writes" % (iteration, total))
        s.start()
        c = t.conn(s)
        for i, a in enumerate(acked):
            idx = i + 100 * iteration
            pushes = [n for kind, n, _ in a if kind == "rpush"]
            got = [int(x) for x in c.cmd("LRANGE", "list:%d" % idx, 0, -1)]
            eq(got[:len(pushes)], pushes, "iteration %d writer %d: list" % (iteration, idx))
            incrs = [r for kind, _, r in a if kind == "incr"]
            if incrs:
                v = int(c.cmd("GET", "ctr:%d" % idx))
                check(v >= incrs[-1], "iteration %d writer %d: counter %d < acknowledged %d" %
                      (iteration, idx, v, incrs[-1]))
            for kind, n, _ in a:
                if kind == "set":
                    eq(c.cmd("GET", "key:%d:%d" % (idx, n)), str(n).encode(),
                       "iteration %d writer %d: key %d" % (iteration, idx, n))
        c.close()


@timeout(60)
def test_torn_tail_is_dropped_with_a_warning(t):
    s = start(t, "--appendfsync", "always")
    c = t.conn(s)
    for i in range(20):
        eq(c.cmd("SET", "k%d" % i, str(i)), "OK")
    wal = journal_path(s) + "-wal"
    size_before = os.path.getsize(wal)
    eq(c.cmd("SET", "last", "x" * 3000), "OK")
    size_after = os.path.getsize(wal)
    check(size_after > size_before, "the last commit did not grow the WAL")
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    # cut inside the last commit's frames
    with open(wal, "r+b") as f:
        f.truncate(size_after - 1000)
    s.start()
    c = t.conn(s)
    eq(c.cmd("EXISTS", "last"), 0, "the torn commit was loaded")
    for i in range(20):
        eq(c.cmd("GET", "k%d" % i), str(i).encode())
    check("after its last complete commit" in s.stdout(), "no torn-tail warning in the log:\n%s" %
          s.stdout()[-2000:])
    eq(c.cmd("SET", "new", "1"), "OK")
    crash_restart(s)
    c = t.conn(s)
    eq(c.cmd("GET", "new"), b"1")
    eq(c.cmd("GET", "k19"), b"19")


@timeout(90)
def test_bgrewriteaof_folds_the_journal(t):
    s = start(t)
    c = t.conn(s)
    for i in range(300):
        eq(c.cmd("RPUSH", "l", i), i + 1)
    eq(c.cmd("SET", "k", "v", "EX", 5000), "OK")
    check(len(journal_rows(s)) >= 301, "journal rows before the rewrite")
    eq(c.cmd("BGREWRITEAOF"), "Background append only file rewriting started")
    r = c.cmd("BGREWRITEAOF")
    check(r in ("Background append only file rewriting started",
                ErrorReply("ERR Background append only file rewriting already in progress")), repr(r))
    # clients keep being served while the child writes
    eq(c.cmd("INCR", "during"), 1)
    deadline = time.time() + 30
    while time.time() < deadline:
        p = info(c, "persistence")
        if p["aof_rewrite_in_progress"] == "0" and int(p["aof_rewrites"]) >= 1:
            break
        time.sleep(0.05)
    eq(p["aof_last_bgrewrite_status"], "ok")
    time.sleep(1.2)   # the cron folds a fold that had to wait
    eq(c.cmd("INCR", "during"), 2)
    before = c.cmd("DEBUG", "DIGEST")
    crash_restart(s)
    rows = journal_rows(s)
    check(len(rows) <= 3, "the journal was not folded: %d rows" % len(rows))
    c = t.conn(s)
    eq(c.cmd("DEBUG", "DIGEST"), before)
    eq(c.cmd("LLEN", "l"), 300)
    eq(c.cmd("GET", "during"), b"2")


@timeout(120)
def test_always_fsyncs_about_once_per_acknowledged_write(t):
    """One client, appendfsync always: one fsync per commit, and each
    commit holds the iteration's writes - at most ~1.05 fsyncs per write
    (sqlite's checkpoints add a few)."""
    import subprocess
    from harness import Skip, free_port
    strace = shutil.which("strace")
    if not strace or t.runner.sanitizer:
        raise Skip("needs strace (and no sanitizer build)")
    d = tempfile.mkdtemp(prefix="journal-strace-", dir=t.runner.root)
    port = free_port()
    out = os.path.join(d, "strace.txt")
    proc = subprocess.Popen([strace, "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", out, t.runner.binary,
                             "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
                             "--appendonly", "yes", "--appendfsync", "always"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        c = None
        while time.time() < deadline:
            try:
                c = Conn(port=port, timeout=5)
                if c.cmd("PING") == "PONG":
                    break
            except OSError:
                time.sleep(0.05)
        check(c is not None, "strace'd server did not start")
        n = 2000
        for i in range(n):
            eq(c.cmd("RPUSH", "l", i), i + 1)
        c.send_cmd("SHUTDOWN", "NOSAVE")
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    calls = 0
    with open(out) as f:
        for line in f:
            parts = line.split()
            if parts and parts[-1] in ("fsync", "fdatasync"):
                calls += int(parts[3])
    check(calls >= n, "only %d fsyncs for %d acknowledged writes under appendfsync always" % (calls, n))
    check(calls <= n * 1.05, "%d fsyncs for %d writes (more than 1.05 per write)" % (calls, n))


@timeout(90)
def test_auto_rewrite_by_size(t):
    s = start(t, "--auto-aof-rewrite-min-size", "256kb", "--auto-aof-rewrite-percentage", "50")
    c = t.conn(s)
    eq(info(c, "persistence")["aof_rewrites"], "0")
    value = "v" * 1000
    for i in range(100):
        eq(c.cmd("SET", "small%d" % i, value), "OK")
    time.sleep(1.5)
    eq(info(c, "persistence")["aof_rewrites"], "0", "a rewrite below auto-aof-rewrite-min-size")
    for i in range(600):
        eq(c.cmd("SET", "k%d" % i, value), "OK")
    deadline = time.time() + 15
    while time.time() < deadline and info(c, "persistence")["aof_rewrites"] == "0":
        time.sleep(0.1)
    p = info(c, "persistence")
    eq(p["aof_rewrites"], "1", "no automatic rewrite past min-size")
    check("Starting automatic rewriting of the journal" in s.stdout(), "no log line for the automatic rewrite")
    before = c.cmd("DEBUG", "DIGEST")
    crash_restart(s)
    c = t.conn(s)
    eq(c.cmd("DEBUG", "DIGEST"), before)
    eq(c.cmd("DBSIZE"), 700)


def _fault_round(t, policy, mode, strerror):
    s = start(t, "--appendfsync", policy)
    c = t.conn(s)
    eq(c.cmd("SET", "a", "1"), "OK")
    eq(c.cmd("DEBUG", "DISK-FAULT", mode), "OK")
    # everysec: the first write after the fault is applied (and answered)
    # before the group commit fails, as Redis answers before its fsync; the
    # commit's rows are kept and retried
    eq(c.cmd("SET", "b", "2"), "OK")
    misconf = ErrorReply("MISCONF Errors writing to the AOF file: " + strerror)
    eq(c.cmd("SET", "c", "3"), misconf, "a write while the journal cannot be written")
    eq(c.cmd("INCR", "a"), misconf)
    eq(c.cmd("PING"), misconf, "PING (Redis refuses it too)")
    eq(c.cmd("GET", "b"), b"2", "reads go on")
    eq(c.cmd("EXISTS", "c"), 0)
    eq(c.cmd("MULTI"), "OK")
    eq(c.cmd("SET", "c", "3"), misconf)
    eq(c.cmd("EXEC"), ErrorReply("EXECABORT Transaction discarded because of previous errors."))
    p = info(c, "persistence")
    eq(p["aof_last_write_status"], "err")
    time.sleep(0.2)   # still failing after many retries
    eq(c.cmd("SET", "c", "3"), misconf)
    check("Error committing the journal" in s.stdout(), "no log line for the failed commit")
    eq(c.cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    eq(c.cmd("SET", "c", "3"), "OK", "writes resume once the disk works")
    eq(info(c, "persistence")["aof_last_write_status"], "ok")
    eq(c.cmd("PING"), "PONG")
    check("Journal write error looks solved" in s.stdout(), "no recovery log line")
    crash_restart(s)
    c = t.conn(s)
    eq([c.cmd("GET", k) for k in ("a", "b", "c")], [b"1", b"2", b"3"], "the kept rows were committed")
    seqs = [r[0] for r in journal_rows(s)]
    eq(seqs, list(range(1, len(seqs) + 1)), "journal seqs without gaps")


@timeout(60)
def test_full_disk_refuses_writes_with_misconf_everysec(t):
    _fault_round(t, "everysec", "full", "No space left on device")


def nothing_within(conn, seconds, what):
    try:
        got = conn.read(timeout_s=seconds)
    except ReplyTimeout:
        return
    raise AssertionError("%s was sent before its commit: %s" % (what, short(got)))


def _hold_round(t):
    """appendfsync always, the disk fails in the loop iteration that applies
    a write: (w, r, sub, admin, server) with w's SET b 2 applied, its reply
    and everything that could show it held."""
    s = start(t, "--appendfsync", "always", "--notify-keyspace-events", "E$")
    w, r, sub, admin = t.conn(s), t.conn(s), t.conn(s), t.conn(s)
    eq(w.cmd("SET", "a", "1"), "OK")
    eq(sub.cmd("SUBSCRIBE", "__keyevent@0__:set"), [b"subscribe", b"__keyevent@0__:set", 1])
    # the fault and a write in one packet: one iteration applies both, then
    # its group commit fails
    w.send(encode("DEBUG", "DISK-FAULT", "full") + encode("SET", "b", "2"))
    nothing_within(w, 0.5, "the write's reply (and the DEBUG reply before it)")
    nothing_within(sub, 0.1, "the write's event")
    r.send_cmd("GET", "b")
    nothing_within(r, 0.3, "a read of the write")
    return s, w, r, sub, admin


@timeout(60)
def test_full_disk_holds_replies_until_commit_always(t):
    """With appendfsync always, no reply shows a write before its commit is
    durable, even when the disk fails in that write's iteration: the write's
    reply, a read of it and its keyspace event wait until the journal
    commits; refused writes and INFO still answer at once."""
    s, w, r, sub, admin = _hold_round(t)
    misconf = ErrorReply("MISCONF Errors writing to the AOF file: No space left on device")
    eq(admin.cmd("SET", "c", "3"), misconf, "a write while the journal cannot be written")
    eq(admin.cmd("PING"), misconf)
    eq(info(admin, "persistence")["aof_last_write_status"], "err")
    for conn in (w, r, sub):   # many failed retries later, still held
        nothing_within(conn, 0.1, "held output")
    check("replies that could show uncommitted writes are held" in s.stdout(), "no log line for the hold")
    eq(admin.cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    eq([w.read(), w.read()], ["OK", "OK"], "the held replies, in order")
    eq(r.read(), b"2")
    eq(sub.read(), [b"message", b"__keyevent@0__:set", b"b"])
    eq(admin.cmd("SET", "c", "3"), "OK", "writes resume once the disk works")
    eq(w.cmd("GET", "c"), b"3")
    crash_restart(s)
    c = t.conn(s)
    eq([c.cmd("GET", k) for k in ("a", "b", "c")], [b"1", b"2", b"3"], "the held write was committed")


@timeout(60)
def test_crash_while_replies_held_loses_only_unacknowledged_writes(t):
    """SIGKILL while a write's reply is held: after the restart the write is
    gone, and nobody was told it succeeded."""
    s, w, r, sub, admin = _hold_round(t)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    data, closed = w.read_until_eof(timeout_s=5)
    eq((data, closed), (b"", True), "the writer got nothing before the crash")
    s.start()
    c = t.conn(s)
    eq([c.cmd("GET", "a"), c.cmd("GET", "b")], [b"1", None])


@timeout(60)
def test_io_error_refuses_writes_with_misconf_everysec(t):
    _fault_round(t, "everysec", "ioerr", "Input/output error")


@timeout(60)
def test_disk_fault_at_startup_from_the_environment(t):
    """TASKKV_DISK_FAULT=full at start-up (the journal exists: a new one
    cannot be created on a full disk, start-up would stop): the first
    write's commit fails and later writes get MISCONF; DEBUG DISK-FAULT
    off recovers."""
    s = start(t, "--appendfsync", "always")
    eq(t.conn(s).cmd("SET", "x", "0"), "OK")
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    os.environ["TASKKV_DISK_FAULT"] = "full"
    try:
        s.start()
    finally:
        del os.environ["TASKKV_DISK_FAULT"]
    c, admin = t.conn(s), t.conn(s)
    eq(c.cmd("GET", "x"), b"0")
    c.send_cmd("SET", "x", "1")   # its reply is held until the commit (always)
    nothing_within(c, 0.3, "the write's reply")
    eq(admin.cmd("SET", "y", "1"), ErrorReply("MISCONF Errors writing to the AOF file: No space left on device"))
    eq(admin.cmd("DEBUG", "DISK-FAULT", "bogus"), ErrorReply("ERR DEBUG DISK-FAULT takes FULL, IOERR, SLOW or OFF"))
    eq(admin.cmd("DEBUG", "DISK-FAULT", "OFF"), "OK")
    eq(c.read(), "OK")
    eq(c.cmd("SET", "y", "1"), "OK")
    crash_restart(s)
    c = t.conn(s)
    eq([c.cmd("GET", "x"), c.cmd("GET", "y")], [b"1", b"1"])


@timeout(60)
def test_switching_to_everysec_releases_held_replies(t):
    """An operator may choose weaker durability while the disk is failing:
    CONFIG SET appendfsync everysec sends the held replies (the rows stay
    queued for the next successful commit)."""
    s, w, r, sub, admin = _hold_round(t)
    eq(admin.cmd("CONFIG", "SET", "appendfsync", "everysec"), "OK")
    eq([w.read(), w.read()], ["OK", "OK"])
    eq(r.read(), b"2")
    eq(info(admin, "persistence")["aof_last_write_status"], "err")
    eq(admin.cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    eq(w.cmd("SET", "c", "3"), "OK")
    crash_restart(s)
    c = t.conn(s)
    eq([c.cmd("GET", k) for k in ("a", "b", "c")], [b"1", b"2", b"3"])


@timeout(60)
def test_everysec_fsync_never_stalls_the_loop(t):
    """appendfsync everysec fsyncs the journal on a background thread: with
    every fsync taking 2 s (DEBUG DISK-FAULT SLOW) writes and reads keep
    answering at once, INFO shows the fsync pending and counts the seconds
    the next one waited, and nothing is lost."""
    s = start(t, "--appendfsync", "everysec")
    c = t.conn(s)
    eq(c.cmd("DEBUG", "DISK-FAULT", "slow"), "OK")
    worst = 0.0
    pending_seen = False
    deadline = time.time() + 4.5
    i = 0
    while time.time() < deadline:
        t0 = time.time()
        eq(c.cmd("SET", "k%d" % i, i), "OK")
        eq(c.cmd("GET", "k%d" % i), str(i).encode())
        worst = max(worst, time.time() - t0)
        if info(c, "persistence").get("aof_pending_bio_fsync") == "1":
            pending_seen = True
        i += 1
        time.sleep(0.01)
    t.note("%d writes during slow fsyncs, worst SET+GET %.1f ms" % (i, worst * 1000))
    check(worst < (1.0 if t.runner.sanitizer else 0.5), "the loop waited %.2f s for an fsync" % worst)
    check(pending_seen, "no background fsync seen pending")
    p = info(c, "persistence")
    check(int(p["aof_delayed_fsync"]) >= 1, "no delayed fsync counted: %r" % p["aof_delayed_fsync"])
    eq(p["aof_last_write_status"], "ok")
    eq(c.cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    time.sleep(2.5)   # the slow fsync in flight finishes; the next one is quick
    eq(info(c, "persistence")["aof_pending_bio_fsync"], "0")
    crash_restart(s)
    c = t.conn(s)
    eq(c.cmd("DBSIZE"), i)

