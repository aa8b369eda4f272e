"""Features written separately, meeting (issue 7 review): busy scripts with
the once-a-second cron (idle `timeout`, maxmemory's blocked-client serving),
the appendfsync-always reply hold with `timeout` and MONITOR.

- a script running past busy-reply-threshold keeps its caller even when the
  run lasts longer than `timeout` (the cron used to close the caller under
  the running script: a use after free);
- with maxmemory set, neither the cron nor the eviction timer serves
  blocked clients in the middle of a busy script (one was answered -BUSY
  and lost its wait); transcripts compared with redis-server 7.0.15;
- a client whose replies are held because the journal cannot commit is not
  idle: `timeout` leaves it alone and it gets every reply once the disk
  works (then, idle again, it is closed);
- MONITOR lines of a write wait for its commit like the write's reply.
"""

import time

from harness import ReplyTimeout, check, encode, eq, fresh_server, info, timeout
from test_journal import nothing_within, start as start_journal
from test_scripting import wait_busy

# busy for `ms` milliseconds of wall-clock time, then returns 1
BUSY_FOR = ("local t = redis.call('time') local s = t[1] * 1000 + t[2] / 1000 "
            "repeat t = redis.call('time') until t[1] * 1000 + t[2] / 1000 - s > tonumber(ARGV[1]) "
            "return 1")


@fresh_server("--timeout", "1", "--busy-reply-threshold", "50")
@timeout(60)
def test_busy_script_caller_outlives_idle_timeout(t):
    caller, other = t.conn(), t.conn()
    caller.send_cmd("EVAL", BUSY_FOR, "0", "3500")
    wait_busy(other)
    deadline = time.time() + 5
    got = None
    while got is None and time.time() < deadline:
        other.cmd_raw("PING")   # -BUSY; keeps `other` from idling
        try:
            got = caller.read(0.2)
        except ReplyTimeout:
            pass
    eq(got, 1, "the script's reply")
    eq(caller.cmd("PING"), "PONG")
    check(t.server.alive(), "the server died under the script")


def _blocked_during_busy_script(new, admin, config_with_script):
    """A BLPOP waiting on q; a busy script (past a cron tick) pushes to q and
    empties it again: the waiter gets nothing until a later push. With
    config_with_script, CONFIG SET maxmemory comes in the script's packet
    (its eviction timer is due while the script runs)."""
    eq(admin.cmd("CONFIG", "SET", "busy-reply-threshold", "50"), "OK")
    config = encode("CONFIG", "SET", "maxmemory", "100mb")
    if not config_with_script:
        admin.send(config)
        eq(admin.read(), "OK")
    waiter, caller, other = new(), new(), new()
    waiter.send_cmd("BLPOP", "q", "0")
    deadline = time.time() + 3
    while int(info(admin, "clients")["blocked_clients"]) < 1 and time.time() < deadline:
        time.sleep(0.005)
    caller.send((config if config_with_script else b"") +
                encode("EVAL", "redis.call('rpush', 'q', 'x') " + BUSY_FOR.replace("return 1", "") +
                       " redis.call('del', 'q') return 1", "0", "2200"))
    wait_busy(other)
    if config_with_script:   # written with the script's reply
        eq(caller.read(5), "OK")
    out = [caller.read_raw(5)]
    try:
        out.append(waiter.read_raw(0.3))
    except ReplyTimeout:
        out.append(None)
    out.append(admin.cmd_raw("RPUSH", "q", "later"))
    out.append(waiter.read_raw(3))
    return out


def _check_blocked_during_busy_script(t, config_with_script):
    r = t.redis()
    got = [_blocked_during_busy_script(lambda s=s: t.conn(s), t.conn(s), config_with_script) for s in (t.server, r)]
    eq(got[0], got[1], "taskkv vs redis-server transcript")
    eq(got[0], [b":1\r\n", None, b":1\r\n", b"*2\r\n$1\r\nq\r\n$5\r\nlater\r\n"])


@fresh_server("--enable-debug-command", "yes")
@timeout(60)
def test_busy_script_with_maxmemory_keeps_blocked_clients_waiting(t):
    """The cron's eviction pass (and its serving of blocked clients) waits
    for the script."""
    _check_blocked_during_busy_script(t, False)


@fresh_server("--enable-debug-command", "yes")
@timeout(60)
def test_busy_script_after_config_set_maxmemory_keeps_blocked_clients_waiting(t):
    """The eviction timer CONFIG SET maxmemory starts does not run in the
    middle of the script either."""
    _check_blocked_during_busy_script(t, True)


@timeout(60)
def test_held_replies_outlive_idle_timeout(t):
    s = start_journal(t, "--appendfsync", "always", "--timeout", "1")
    w, r = t.conn(s), t.conn(s)
    eq(w.cmd("SET", "a", "1"), "OK")
    w.send(encode("DEBUG", "DISK-FAULT", "full") + encode("SET", "b", "2"))
    nothing_within(w, 0.3, "the write's reply")
    r.send_cmd("GET", "b")
    nothing_within(r, 0.3, "a read of the write")
    time.sleep(2.5)   # more than `timeout` with nothing written to either
    admin = t.conn(s)
    eq(admin.cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    eq([w.read(), w.read()], ["OK", "OK"], "the held replies")
    eq(r.read(), b"2")
    # once answered they are ordinary idle clients again
    eq(r.read_until_eof(timeout_s=5), (b"", True))


@timeout(60)
def test_monitor_lines_held_until_commit(t):
    s = start_journal(t, "--appendfsync", "always")
    w, mon = t.conn(s), t.conn(s)
    eq(mon.cmd("MONITOR"), "OK")
    w.send(encode("DEBUG", "DISK-FAULT", "full") + encode("SET", "b", "2"))
    nothing_within(w, 0.3, "the write's reply")
    nothing_within(mon, 0.2, "the write's MONITOR line")
    eq(t.conn(s).cmd("DEBUG", "DISK-FAULT", "off"), "OK")
    eq([w.read(), w.read()], ["OK", "OK"])
    line = mon.read()
    check(isinstance(line, str) and line.endswith('"SET" "b" "2"'), "MONITOR line: %r" % (line,))
