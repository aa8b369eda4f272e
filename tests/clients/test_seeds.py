"""The string-and-key scenarios of the seed notes (/work/shared/seeds), run
with the clients they were written for: redis-cli transcripts replayed line
by line (expected output as printed in the notes, in redis-cli's
non-interactive --no-raw form), and the redis-py snippets.

The hashes, lists, sets and sorted sets of the notes are in
test_seed_types.py, their pub/sub, keyspace-notification and MULTI/WATCH
scenarios in test_seed_pubsub.py (both run the examples of examples/ and
compare their output with redis-server's)."""

import json
import sys
import time
import uuid

from harness import check, eq, short
from test_redis_cli import cli
from test_redis_py import client

try:
    import redis
except ImportError:
    redis = None


def replay(t, transcript, db=0):
    """transcript: [(command line, expected --no-raw output)]; each line is
    sent through redis-cli's stdin in one session."""
    script = "".join(cmd + "\n" for cmd, _ in transcript).encode()
    rc, out, err = cli(t.server, "-n", str(db), "--no-raw", stdin=script)
    eq(rc, 0, "redis-cli exit status (stderr %s)" % short(err))
    got = out.rstrip("\n").split("\n")
    want = [exp for _, exp in transcript]
    for (cmd, exp), g in zip(transcript, got):
        eq(g, exp, "reply to %r" % cmd)
    eq(len(got), len(want), "number of output lines")


def test_seed001_string_basics(t):
    """Redis in Action 1.2.1: SET / GET / DEL."""
    replay(t, [("set hello world", "OK"), ("get hello", '"world"'), ("del hello", "(integer) 1"),
               ("get hello", "(nil)")])


def test_seed001_string_numbers(t):
    """Redis in Action 3.1: INCR, INCRBY and INCRBYFLOAT on strings."""
    replay(t, [
        ("set k1 1.3", "OK"), ("set k2 34", "OK"), ("set k3 5f", "OK"),
        ("INCR k1", "(error) ERR value is not an integer or out of range"),
        ("INCR k2", "(integer) 35"),
        ("INCRBYFLOAT k1", "(error) ERR wrong number of arguments for 'incrbyfloat' command"),
        ("INCRBYFLOAT k1 3", '"4.3"'), ("INCRBYFLOAT k1 3.5", '"7.8"'), ("incrby k2 34", "(integer) 69"),
        ("incrby k3 sd", "(error) ERR value is not an integer or out of range"),
    ])


def test_seed001_bits(t):
    """Redis in Action 3.1 (db 1): SETBIT / GETBIT / BITOP."""
    replay(t, [
        ("set k1 abc", "OK"), ("setbit k1 16 1", "(integer) 0"), ("get k1", '"ab\\xe3"'),
        ("setbit k1 16 0", "(integer) 1"), ("get k1", '"abc"'), ("set k1 123", "OK"), ("set k2 456", "OK"),
        ("getbit k1 0", "(integer) 0"), ("getbit k1 1", "(integer) 0"), ("getbit k1 7", "(integer) 1"),
        ("getbit k1 6", "(integer) 0"), ("bitop and k5 k1 k2", "(integer) 3"),
    ], db=1)


def test_seed001_article_ids(t):
    """post_article(): article ids from INCR 'article:', vote set TTL via EXPIRE."""
    r = client(t)
    ids = [str(r.incr("article:")) for _ in range(3)]
    eq(ids, ["1", "2", "3"])
    eq(r.set("voted:" + ids[0], "user:1"), True)        # (a set in the note; a string here)
    eq(r.expire("voted:" + ids[0], 7 * 86400), True)
    check(7 * 86400 - 2 <= r.ttl("voted:" + ids[0]) <= 7 * 86400, "ttl %r" % r.ttl("voted:" + ids[0]))


def test_seed000_celery_results_and_databases(t):
    """The Celery results in db 0, JSON caches in db 1, CAS flags in db 2,
    matches in db 4; FLUSHDB in db 3."""
    pools = {db: client(t, db=db, decode_responses=True) for db in (0, 1, 2, 3, 4)}
    task_ids = [str(uuid.uuid4()) for _ in range(6)]
    for tid in task_ids:
        meta = {"status": "SUCCESS", "result": "can i be used by other celery task?", "traceback": None,
                "children": [], "date_done": "2020-04-14T17:22:42.207089", "parent_id": task_ids[0],
                "task_id": tid}
        eq(pools[0].setex("celery-task-meta-" + tid, 86400, json.dumps(meta)), True)
    eq(sorted(pools[0].keys("*")), sorted("celery-task-meta-" + x for x in task_ids))
    got = json.loads(pools[0].get("celery-task-meta-" + task_ids[1]))
    eq((got["status"], got["task_id"]), ("SUCCESS", task_ids[1]))
    member = {"id": 100001, "nickname": "\u7ba1\u7406\u5458", "credits": 265, "balance": 4.73,
              "name": "\u674e\u4f69\u7487", "sex": 2}
    eq(pools[1].set("member_100001", json.dumps(member)), True)
    eq(pools[1].set("member_100002", json.dumps(dict(member, id=100002))), True)
    raw = pools[1].get("member_100001")
    check("\\u7ba1\\u7406\\u5458" in raw, "JSON escapes kept byte for byte: %s" % short(raw))
    eq(json.loads(raw), member)
    for k in ("29", "30", "3", "8", "31", "12"):
        eq(pools[2].set(k, "1"), True)
    eq(pools[2].get("30"), "1")
    eq(sorted(pools[2].keys("*"), key=int), ["3", "8", "12", "29", "30", "31"])
    eq(pools[4].set("1", "Bq03A15,Dd08A02"), True)
    eq(pools[4].get("1"), "Bq03A15,Dd08A02")
    eq(pools[3].set("junk", "x"), True)
    eq(pools[3].flushdb(), True)
    eq(pools[3].keys("*"), [])
    eq(pools[0].dbsize(), 6, "db 0 untouched by FLUSHDB in db 3")
    eq(pools[4].dbsize(), 1)


def test_seed002_string_ops(t):
    """The redis-py string operations of the tutorial (decode_responses pool)."""
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    pool = redis.ConnectionPool(host="127.0.0.1", port=t.server.port, db=0, decode_responses=True)
    r = t.track(redis.Redis(connection_pool=pool))
    eq(r.setnx("name", "yuan"), True)
    eq(r.setnx("name", "yuan"), False)
    eq(r.setex("good_1001", 10, "2"), True)
    check(9 <= r.ttl("good_1001") <= 10, "ttl %r" % r.ttl("good_1001"))
    eq(r.set("age", 20), True)
    eq(r.incrby("age", 2), 22)
    eq(r.get("age"), "22")
    eq(r.delete("scores"), 0)
    eq(r.exists("scores"), 0)
    eq(sorted(r.keys("*")), ["age", "good_1001", "name"])
    eq(r.expire("name", 10), True)
    check(9 <= r.ttl("name") <= 10, "ttl %r" % r.ttl("name"))
    pool.disconnect()


def test_seed002_kv_cache(t):
    """Case 1: a read-through cache in db 6 with SETEX 3600."""
    r = client(t, db=6, decode_responses=True)
    backing = {"user:7": json.dumps({"id": 7, "name": "rain"})}
    loads = []

    def get_user(user_id):
        user = r.get(user_id)
        if not user:
            user = backing[user_id]
            loads.append(user_id)
            r.setex(user_id, 3600, user)
        return user
    eq(get_user("user:7"), backing["user:7"])
    eq(get_user("user:7"), backing["user:7"])
    eq(loads, ["user:7"], "loads from the backing store")
    check(3598 <= r.ttl("user:7") <= 3600, "ttl %r" % r.ttl("user:7"))


def test_seed002_locks(t):
    """Case 2: the three SETNX-based distributed lock variants."""
    r = client(t)
    # 1: SETNX + EXPIRE, then DEL
    eq(r.setnx("key_resource_id", "ok"), True)
    eq(r.expire("key_resource_id", 5), True)
    eq(r.setnx("key_resource_id", "ok"), False, "second SETNX while held")
    eq(r.delete("key_resource_id"), 1)

    # 2: SETNX with the expiry time as the value, GETSET to take over a stale lock
    def foo():
        expires = time.time() + 10
        if r.setnx("key_resource_id", expires):
            return True
        old = r.get("key_resource_id")
        if float(old) < time.time():
            new_old = r.getset("key_resource_id", expires)
            if old == new_old:
                return True
        return False
    eq(foo(), True, "free lock")
    eq(foo(), False, "held lock")
    eq(r.set("key_resource_id", time.time() - 1), True)        # a stale holder
    eq(foo(), True, "stale lock taken over with GETSET")
    eq(r.delete("key_resource_id"), 1)
    # 3: SET NX EX in one command
    eq(r.set("key_resource_id", "1", nx=True, ex=10), True)
    eq(r.set("key_resource_id", "1", nx=True, ex=10), None)
    check(9 <= r.ttl("key_resource_id") <= 10, "ttl %r" % r.ttl("key_resource_id"))
    eq(r.set("short_lock", "1", nx=True, px=100), True)
    time.sleep(0.2)
    eq(r.set("short_lock", "2", nx=True, px=100), True, "re-acquired after the 100 ms lease ran out")


def test_seed003_basic_and_page_counter(t):
    """Basic set/get, setex, a pool, the page-visit counter and a (non-
    transactional) batch."""
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    conn = client(t)
    eq(conn.set("A", "apple"), True)
    eq(conn.get("A"), b"apple")
    eq(conn.setex("session", 30, "data"), True)
    check(29 <= conn.ttl("session") <= 30, "ttl")
    pool = redis.ConnectionPool(host="127.0.0.1", port=t.server.port)
    conn = t.track(redis.Redis(connection_pool=pool))
    page1 = 41
    eq(conn.set("page:1", page1), True)
    for _ in range(59):
        conn.incr("page:1")
    eq(int(conn.get("page:1")), 100)
    pipe = conn.pipeline(transaction=False)
    pipe.set("p1", "x")
    pipe.setex("p2", 60, "y")
    pipe.mget("p1", "p2", "A")
    eq(pipe.execute(), [True, True, [b"x", b"y", b"apple"]])
    pool.disconnect()


def test_seed004_strictredis(t):
    if redis is None:
        raise AssertionError("python3-redis is not installed for %s" % sys.executable)
    r = t.track(redis.StrictRedis(host="127.0.0.1", port=t.server.port, db=0))
    eq(r.set("foo", "bar"), True)
    eq(r.get("foo"), b"bar")
    eq(r.delete("foo"), 1)
    pool = redis.ConnectionPool(host="127.0.0.1", port=t.server.port, db=0)
    r2 = t.track(redis.Redis(connection_pool=pool))
    eq(r2.set("bar", "Foo"), True)
    eq(r2.get("bar"), b"Foo")
    pool.disconnect()
