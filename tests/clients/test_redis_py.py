"""redis-py (Debian's python3-redis 4.3.4) against taskkv."""

import inspect
import socket
import sys
import threading
import time

from harness import Skip, check, eq, fresh_server

try:
    import redis
except ImportError:   # reported per test
    redis = None


def client(t, server=None, **kw):
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    s = server or t.server
    kw.setdefault("socket_timeout", 10)
    return t.track(redis.Redis(host="127.0.0.1", port=s.port, **kw))


def test_basics(t):
    r = client(t)
    eq(r.ping(), True)
    eq(r.set("foo", "bar"), True)
    eq(r.get("foo"), b"bar")
    eq(r.get("nosuch"), None)
    eq(r.echo("hi"), b"hi")
    eq(r.delete("foo", "nosuch"), 1)
    eq(r.exists("foo"), 0)
    d = client(t, decode_responses=True)
    eq(d.set("u", "ünïcødé"), True)
    eq(d.get("u"), "ünïcødé")
    eq(d.strlen("u"), len("ünïcødé".encode()))
    sec, usec = r.time()
    check(abs(sec + usec / 1e6 - time.time()) < 5, "TIME %r far from the local clock" % ((sec, usec),))
    eq(r.dbsize(), 1)


def test_string_commands(t):
    r = client(t, decode_responses=True)
    eq(r.set("n", 10), True)
    eq(r.incr("n"), 11)
    eq(r.incrby("n", 9), 20)
    eq(r.decr("n"), 19)
    eq(r.decrby("n", 4), 15)
    eq(r.incrbyfloat("fl", 2.5), 2.5)
    eq(r.incrbyfloat("fl", "0.1"), 2.6)
    eq(r.mset({"a": "1", "b": "2", "c": "3"}), True)
    eq(r.mget("a", "b", "nosuch", "c"), ["1", "2", None, "3"])
    eq(r.mget(["a", "b"]), ["1", "2"])
    eq(r.msetnx({"a": "x", "new": "y"}), False)
    eq(r.get("new"), None)
    eq(r.setnx("a", "z"), False)
    eq(r.setnx("sn", "z"), True)
    eq(r.getset("a", "one"), "1")
    eq(r.append("a", "!"), 4)
    eq(r.getrange("a", 0, 2), "one")
    eq(r.setrange("a", 1, "NE"), 4)
    eq(r.get("a"), "oNE!")
    eq(r.getdel("b"), "2")
    eq(r.get("b"), None)
    eq(r.set("k", "v", xx=True), None)
    eq(r.set("k", "v", nx=True), True)
    eq(r.set("k", "v", nx=True), None)
    eq(r.set("k", "w", get=True), "v")
    eq(r.setbit("bits", 7, 1), 0)
    eq(r.getbit("bits", 7), 1)
    eq(r.bitcount("bits"), 1)
    eq(r.get("bits"), "\x01")
    eq(r.type("a"), "string")
    eq(r.type("nosuch"), "none")
    try:
        r.incr("a")
        raise AssertionError("INCR on a non-integer did not raise")
    except redis.ResponseError as e:
        eq(str(e), "value is not an integer or out of range")
    try:
        r.execute_command("GET")
        raise AssertionError("GET without a key did not raise")
    except redis.ResponseError as e:
        eq(str(e), "wrong number of arguments for 'get' command")


def test_expire_and_ttl(t):
    r = client(t)
    eq(r.set("k", "v"), True)
    eq(r.ttl("k"), -1)
    eq(r.ttl("nosuch"), -2)
    eq(r.expire("k", 100), True)
    check(98 <= r.ttl("k") <= 100, "ttl %r" % r.ttl("k"))
    check(99000 <= r.pttl("k") <= 100000, "pttl %r" % r.pttl("k"))
    eq(r.persist("k"), True)
    eq(r.ttl("k"), -1)
    eq(r.pexpire("k", 150), True)
    eq(r.setex("sx", 10, "v"), True)
    check(9 <= r.ttl("sx") <= 10, "setex ttl %r" % r.ttl("sx"))
    eq(r.psetex("psx", 50, "v"), True)
    eq(r.set("ex", "v", ex=5), True)
    eq(r.set("px", "v", px=80), True)
    eq(r.set("exat", "v", exat=int(time.time()) + 100), True)
    check(98 <= r.ttl("exat") <= 100, "exat ttl %r" % r.ttl("exat"))
    eq(r.set("ex", "w", keepttl=True), True)
    check(0 < r.ttl("ex") <= 5, "KEEPTTL kept %r" % r.ttl("ex"))
    eq(r.expireat("sx", int(time.time()) + 50), True)
    eq(r.getex("sx", persist=True), b"v")
    eq(r.ttl("sx"), -1)
    time.sleep(0.25)
    eq(r.exists("k", "psx", "px"), 0, "keys with 50-150 ms TTLs after 250 ms")
    eq(r.get("px"), None)


def test_connection_pool_concurrent_counter(t):
    """The seed's page-visit counter, hit from 8 threads through one pool."""
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    pool = redis.ConnectionPool(host="127.0.0.1", port=t.server.port, max_connections=8, socket_timeout=10)
    r = redis.Redis(connection_pool=pool)
    eq(r.set("page:1", 100), True)
    errors = []

    def visit():
        try:
            conn = redis.Redis(connection_pool=pool)
            for _ in range(250):
                conn.incr("page:1")
        except Exception as e:
            errors.append(e)
    threads = [threading.Thread(target=visit) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    check(not errors, "errors in the visitor threads: %r" % errors[:3])
    eq(r.get("page:1"), b"2100")
    check(len(pool._available_connections) + len(pool._in_use_connections) <= 8, "the pool grew over 8")
    info = r.info("clients")
    check(info["connected_clients"] >= 2, "connected_clients %r" % info["connected_clients"])
    pool.disconnect()


def test_pipeline_1000_without_transaction(t):
    r = client(t)
    p = r.pipeline(transaction=False)
    for i in range(1000):
        if i % 4 == 0:
            p.set("pk:%d" % i, i)
        elif i % 4 == 1:
            p.get("pk:%d" % (i - 1))
        elif i % 4 == 2:
            p.incr("pcount")
        else:
            p.get("nosuch")
    res = p.execute()
    eq(len(res), 1000)
    for i, v in enumerate(res):
        want = [True, str(i - 1).encode(), i // 4 + 1, None][i % 4]
        eq(v, want, "pipeline result %d" % i)
    # errors stay in place with raise_on_error=False
    p = r.pipeline(transaction=False)
    p.set("s", "x")
    p.incr("s")
    p.get("s")
    res = p.execute(raise_on_error=False)
    eq(res[0], True)
    check(isinstance(res[1], redis.ResponseError), "second result %r" % (res[1],))
    eq(res[2], b"x")


def test_binary_keys_and_values(t):
    """kombu's priority queues: keys with \\x06\\x16 bytes; values with NUL bytes."""
    r = client(t)
    keys = [b"celery\x06\x163", b"celery\x06\x166", b"\x00\xff key \r\n", "ключ".encode()]
    vals = [b"\x00\x01\x02", b"\xff" * 1000, b"a\r\nb", b""]
    for k, v in zip(keys, vals):
        eq(r.set(k, v), True)
    eq(r.mget(keys), vals)
    eq(r.exists(*keys), 4)
    eq(sorted(r.keys(b"celery\x06\x16*")), sorted(keys[:2]))
    eq(sorted(r.scan_iter(match=b"celery\x06*")), sorted(keys[:2]))
    eq(r.strlen(keys[1]), 1000)
    eq(r.delete(keys[0]), 1)
    eq(r.get(keys[0]), None)
    eq(r.rename(keys[1], b"moved\x06\x16"), True)
    eq(r.get(b"moved\x06\x16"), vals[1])


def test_client_name(t):
    r = client(t, client_name="worker-1")
    eq(r.client_getname(), "worker-1")
    names = [c.get("name") for c in r.client_list()]
    check("worker-1" in names, "CLIENT LIST names: %r" % names)
    cid = r.client_id()
    check(isinstance(cid, int) and cid > 0, "client_id %r" % cid)
    eq(r.client_setname("worker-2"), True)
    eq(r.client_getname(), "worker-2")
    try:
        r.client_setname("bad name")
        raise AssertionError("a client name with a space was accepted")
    except redis.ResponseError:
        pass


def test_databases(t):
    r0 = client(t)
    r3 = client(t, db=3)
    eq(r3.set("k", "three"), True)
    eq(r0.get("k"), None)
    eq(r3.get("k"), b"three")
    eq(r0.info("keyspace").get("db3", {}).get("keys"), 1)
    eq(r3.flushdb(), True)
    eq(r3.dbsize(), 0)
    eq(r0.swapdb(0, 3), True)


def test_info_and_config(t):
    r = client(t)
    info = r.info()
    for f in ("redis_version", "connected_clients", "used_memory", "expired_keys", "keyspace_hits", "role"):
        check(f in info, "info() lacks %s" % f)
    eq(info["role"], "master")
    eq(r.info("server")["tcp_port"], t.server.port)
    eq(r.config_get("maxmemory-policy"), {"maxmemory-policy": "noeviction"})
    eq(r.config_set("maxmemory-policy", "allkeys-lru"), True)
    eq(r.config_get("maxmemory-policy"), {"maxmemory-policy": "allkeys-lru"})
    eq(r.config_set("maxmemory-policy", "noeviction"), True)
    r.set("x", 1)
    eq(r.info("keyspace")["db0"]["keys"], 1)
    eq(r.config_resetstat(), True)


def test_health_check_and_reconnect(t):
    r = client(t, health_check_interval=1)
    eq(r.set("hc", "1"), True)
    time.sleep(1.2)
    eq(r.get("hc"), b"1", "after the health-check interval (PING first)")
    # a server-side close (QUIT) is noticed and the next command reconnects
    conn = r.connection_pool.get_connection("QUIT")
    conn.send_command("QUIT")
    eq(conn.read_response(), b"OK")
    conn._sock.settimeout(5)
    eq(conn._sock.recv(1, socket.MSG_PEEK), b"", "EOF after QUIT")
    r.connection_pool.release(conn)
    eq(r.get("hc"), b"1", "after the server closed the pooled connection")


def test_protocol_3(t):
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    if "protocol" not in inspect.signature(redis.Redis.__init__).parameters:
        raise Skip("redis-py %s has no protocol= (RESP3 needs redis-py >= 5.0)" % redis.__version__)
    r = t.track(redis.Redis(host="127.0.0.1", port=t.server.port, protocol=3))
    eq(r.set("k", "v"), True)
    eq(r.get("k"), b"v")
    eq(r.get("nosuch"), None)


@fresh_server("--requirepass", "pw")
def test_password(t):
    r = client(t, password="pw")
    eq(r.set("k", "v"), True)
    eq(r.get("k"), b"v")
    bad = client(t, password="wrong")
    try:
        bad.ping()
        raise AssertionError("a wrong password was accepted")
    except (redis.AuthenticationError, redis.ResponseError) as e:
        check("WRONGPASS" in str(e) or "invalid" in str(e), "error %r" % str(e))
    none = client(t)
    try:
        none.get("k")
        raise AssertionError("a command without AUTH was accepted")
    except redis.AuthenticationError as e:
        check("Authentication required" in str(e), "error %r" % str(e))
    named = client(t, password="pw", username="default", client_name="app", db=2)
    eq(named.client_getname(), "app")
    eq(named.set("in2", "x"), True)
    eq(r.get("in2"), None)


def test_large_value(t):
    r = client(t)
    v = bytes(range(256)) * 20000   # 5 MB
    eq(r.set("big", v), True)
    eq(r.get("big"), v)
    eq(r.strlen("big"), len(v))
