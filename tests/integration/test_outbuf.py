"""client-output-buffer-limit over real sockets: a subscriber that stops
reading is disconnected at the pubsub class's hard limit at once, and at the
soft limit once it has stayed over it for the limit's seconds (the cron
re-checks, so it happens even when nothing more is published); the normal
class applies to ordinary replies; every such disconnection is logged and
counted in INFO stats client_output_buffer_limit_disconnections.

The disconnections themselves are compared with a real redis-server 7.0.15
(which has the same limits and log text but not yet the INFO counter).
"""

import socket
import time

from harness import check, eq, encode, fresh_server, info, timeout

STAT = "client_output_buffer_limit_disconnections"
LOG_ASAP = "scheduled to be closed ASAP for overcoming of output buffer limits"
LOG_ANY = "for overcoming of output buffer limits"
DEFAULT_LIMITS = b"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"


def disconnections(admin):
    return int(info(admin, "stats").get(STAT, "0"))


def lazy_socket(port, rcvbuf=4096):
    """A connection that never reads, with a small receive window so the
    server's socket buffers fill quickly and output piles up in the server."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    return s


def numsub(admin, channel):
    r = admin.cmd("PUBSUB", "NUMSUB", channel)
    return r[1]


def wait_numsub(admin, channel, want, timeout_s=5.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if numsub(admin, channel) == want:
            return time.time()
        time.sleep(0.02)
    raise AssertionError("PUBSUB NUMSUB %s never reached %d (is %d)" % (channel, want, numsub(admin, channel)))


def publish_many(admin, channel, n, size):
    """Pipelines n PUBLISHes of size bytes; returns their replies."""
    msg = b"m" * size
    admin.send(encode("PUBLISH", channel, msg) * n)
    return [admin.read(timeout_s=30) for _ in range(n)]


def subscribe_lazily(admin, port, channel, rcvbuf=4096, subscribers=1):
    """A lazy subscriber; returns once the channel has `subscribers`."""
    s = lazy_socket(port, rcvbuf)
    s.sendall(encode("SUBSCRIBE", channel))
    wait_numsub(admin, channel, subscribers)
    return s


def socket_closed(s, timeout_s=5.0):
    """Drains whatever the server had sent; True once EOF arrives."""
    s.settimeout(0.5)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not data:
            return True
    return False


def hard_limit_scenario(server, admin):
    eq(admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"), "OK")
    sub = subscribe_lazily(admin, server.port, "firehose")
    try:
        counts = publish_many(admin, "firehose", 200, 64 * 1024)   # 12.5 MB: far past 1 MB + socket buffers
        check(counts[0] == 1, "the first PUBLISH reached %r subscribers" % (counts[0],))
        wait_numsub(admin, "firehose", 0)
        eq(admin.cmd("PUBLISH", "firehose", "after"), 0)
        check(socket_closed(sub), "the subscriber's socket was not closed")
    finally:
        sub.close()
    eq(admin.cmd("PING"), "PONG")
    return numsub(admin, "firehose")


@fresh_server()
@timeout(60)
def test_pubsub_hard_limit_disconnects(t):
    admin = t.conn()
    before = disconnections(admin)
    hard_limit_scenario(t.server, admin)
    eq(disconnections(admin), before + 1, STAT)
    eq(int(info(admin, "clients")["connected_clients"]), 1)
    log = t.server.stdout()
    check(LOG_ASAP in log, "no '%s' line in the server log:\n%s" % (LOG_ASAP, log[-2000:]))
    line = [ln for ln in log.splitlines() if LOG_ASAP in ln][0]
    check("omem=" in line and "addr=127.0.0.1:" in line, "log line lacks the client's details: %r" % line)


@timeout(60)
def test_pubsub_hard_limit_same_on_redis(t):
    r = t.redis()
    admin = t.conn(r)
    hard_limit_scenario(r, admin)
    check(LOG_ANY in r.stdout(), "redis-server did not log the disconnection")


def soft_limit_scenario(server, admin, seconds):
    """Over the soft limit once, then nothing more published. Returns how
    long after the last PUBLISH the subscriber was dropped."""
    eq(admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 512kb %d" % seconds), "OK")
    sub = subscribe_lazily(admin, server.port, "slow")
    try:
        publish_many(admin, "slow", 80, 64 * 1024)                 # 5 MB, then silence
        published = time.time()
        # The soft limit needs its seconds first: still there well before.
        time.sleep(seconds * 0.6)
        eq(numsub(admin, "slow"), 1, "subscribed %.1fs after passing the soft limit" % (time.time() - published))
        gone = wait_numsub(admin, "slow", 0, timeout_s=seconds + 4)
        check(socket_closed(sub), "the subscriber's socket was not closed")
    finally:
        sub.close()
    return gone - published


@fresh_server()
@timeout(60)
def test_pubsub_soft_limit_waits_its_seconds(t):
    admin = t.conn()
    before = disconnections(admin)
    after = soft_limit_scenario(t.server, admin, 2)
    check(after >= 1.9, "dropped %.2fs after passing a 2 s soft limit" % after)
    eq(disconnections(admin), before + 1, STAT)
    check(LOG_ANY in t.server.stdout(), "no output-buffer-limit line in the server log")
    t.note("soft limit 2 s: dropped after %.2f s (cron-driven)" % after)


@timeout(60)
def test_pubsub_soft_limit_same_on_redis(t):
    r = t.redis()
    admin = t.conn(r)
    after = soft_limit_scenario(r, admin, 2)
    check(after >= 1.9, "redis dropped it %.2fs after passing a 2 s soft limit" % after)


@fresh_server()
@timeout(60)
def test_soft_limit_forgiven_when_drained(t):
    """A subscriber that falls behind but then reads everything is not
    dropped: the soft timer restarts once it is under the limit."""
    admin = t.conn()
    eq(admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 512kb 2"), "OK")
    sub = t.conn()
    sub.cmd("SUBSCRIBE", "burst")
    publish_many(admin, "burst", 40, 64 * 1024)
    for _ in range(40):
        m = sub.read(timeout_s=10)
        eq(m[0], b"message")
    time.sleep(3.5)
    eq(numsub(admin, "burst"), 1)
    eq(admin.cmd("PUBLISH", "burst", "still here"), 1)
    eq(sub.read(), [b"message", b"burst", b"still here"])
    eq(disconnections(admin), 0, STAT)


def big_reply_scenario(server, admin, limit):
    """A client asking for a reply bigger than `limit` (normal class)."""
    eq(admin.cmd("CONFIG", "SET", "client-output-buffer-limit", limit), "OK")
    item = b"v" * 100
    for i in range(0, 20000, 1000):
        admin.cmd("RPUSH", "big", *([item] * 1000))
    c = server.conn()
    try:
        c.send_cmd("LRANGE", "big", "0", "-1")
        data, closed = c.read_until_eof(timeout_s=5)
    finally:
        c.close()
    return closed, len(data)


@fresh_server()
@timeout(60)
def test_normal_class_limit_on_big_reply(t):
    admin = t.conn()
    closed, got = big_reply_scenario(t.server, admin, "normal 100kb 0 0")
    check(closed, "the client asking for a 2 MB reply under 'normal 100kb' was not closed")
    check(got < 2000000, "the client received the whole reply (%d bytes) before being closed" % got)
    eq(disconnections(admin), 1, STAT)
    check(LOG_ASAP in t.server.stdout(), "no output-buffer-limit line in the server log")
    # The limit is per reply: small replies on the same class are fine.
    eq(admin.cmd("LRANGE", "big", "0", "9"), [b"v" * 100] * 10)
    eq(admin.cmd("LLEN", "big"), 20000)


@timeout(60)
def test_normal_class_limit_same_on_redis(t):
    r = t.redis()
    admin = t.conn(r)
    closed, got = big_reply_scenario(r, admin, "normal 100kb 0 0")
    check(closed, "redis-server did not close the client either")


@fresh_server()
@timeout(60)
def test_default_limits_normal_unlimited(t):
    admin = t.conn()
    eq(admin.cmd("CONFIG", "GET", "client-output-buffer-limit"), [b"client-output-buffer-limit", DEFAULT_LIMITS])
    item = b"v" * 1000
    for i in range(0, 40000, 2000):
        admin.cmd("RPUSH", "big", *([item] * 2000))     # 40 MB: past every class's default limits
    # A reader that is slow to start: the whole reply waits in the server.
    s = lazy_socket(t.server.port, 4096)
    try:
        s.sendall(encode("LRANGE", "big", "0", "-1"))
        time.sleep(1.5)                                   # a cron tick or two
        s.settimeout(10)
        want = len(b"*40000\r\n") + 40000 * len(b"$1000\r\n" + item + b"\r\n")
        got = 0
        while got < want:
            chunk = s.recv(1 << 20)
            check(chunk, "closed after %d of %d bytes" % (got, want))
            got += len(chunk)
        eq(got, want)
    finally:
        s.close()
    eq(disconnections(admin), 0, STAT)


def test_default_limits_same_as_redis(t):
    r = t.shared_redis()
    for server in (t.server, r):
        eq(t.conn(server).cmd("CONFIG", "GET", "client-output-buffer-limit"),
           [b"client-output-buffer-limit", DEFAULT_LIMITS])


@fresh_server()
@timeout(90)
def test_default_pubsub_hard_limit_32mb(t):
    admin = t.conn()
    sub = subscribe_lazily(admin, t.server.port, "flood")
    try:
        publish_many(admin, "flood", 700, 64 * 1024)     # 43 MB
        wait_numsub(admin, "flood", 0)
    finally:
        sub.close()
    eq(disconnections(admin), 1, STAT)


@fresh_server()
@timeout(60)
def test_pubsub_class_applies_under_resp3(t):
    """A RESP3 subscriber is a pubsub client too (messages are pushes)."""
    admin = t.conn()
    eq(admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0 normal 0 0 0"), "OK")
    s = lazy_socket(t.server.port)
    try:
        s.sendall(encode("HELLO", "3") + encode("SUBSCRIBE", "p3"))
        wait_numsub(admin, "p3", 1)
        publish_many(admin, "p3", 200, 64 * 1024)
        wait_numsub(admin, "p3", 0)
    finally:
        s.close()
    eq(disconnections(admin), 1, STAT)


@fresh_server()
@timeout(60)
def test_limit_change_applies_to_existing_subscribers(t):
    """Limits are read at each check: lowering them catches up with clients
    already connected; a client under the limit is left alone."""
    admin = t.conn()
    keep = t.conn()
    keep.cmd("SUBSCRIBE", "ch")
    lazy = subscribe_lazily(admin, t.server.port, "ch", subscribers=2)
    try:
        publish_many(admin, "ch", 100, 64 * 1024)           # 6.5 MB: under the default 8 MB soft limit
        for _ in range(100):
            keep.read(timeout_s=10)
        eq(numsub(admin, "ch"), 2)
        eq(admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"), "OK")
        eq(admin.cmd("PUBLISH", "ch", "x"), 2)             # the next write checks
        wait_numsub(admin, "ch", 1)
    finally:
        lazy.close()
    eq(keep.read(), [b"message", b"ch", b"x"])
    eq(disconnections(admin), 1, STAT)
