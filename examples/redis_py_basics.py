#!/usr/bin/python3
"""redis-py basics from the notes: connecting and the string operations.

  seed 002 2.1.1  redis.Redis(host, port) and a ConnectionPool; set/get foo, bar
  seed 002 2.1.2  a decode_responses pool: (1) setnx, (2) setex, (3) set + incrby
  seed 003        conn.set('A', 'apple'); conn.get('A'); a ConnectionPool
  seed 004        redis.StrictRedis(host, port, db=0); set/get foo; delete() is DEL

(The hash, list, set and sorted-set parts of seed 002 2.1.2, (4) to (7),
come with the types milestone.)

    /usr/bin/python3 examples/redis_py_basics.py --port 6380
"""

import redis

from _common import expect, parse_args, prepare, run, say, step


def main(args):
    prepare(args, [0])
    h, p = args.host, args.port

    step("seed 002 2.1.1: way 1, a Redis object; way 2, a ConnectionPool")
    r = redis.Redis(host=h, port=p)
    expect(r.set("foo", "Bar"), True, "r.set('foo', 'Bar')")
    expect(r.get("foo"), b"Bar", "r.get('foo')")
    pool = redis.ConnectionPool(host=h, port=p)
    r = redis.Redis(connection_pool=pool)
    expect(r.set("bar", "Foo"), True, "r.set('bar', 'Foo')")
    expect(r.get("bar"), b"Foo", "r.get('bar')")
    # the pool hands the same connection back: one connection for many calls
    for _ in range(20):
        r.get("bar")
    expect(len(pool._available_connections) + len(pool._in_use_connections), 1,
           "connections the pool opened for 22 calls")
    pool.disconnect()

    step("seed 002 2.1.2: a pool with db=0, decode_responses=True")
    pool = redis.ConnectionPool(host=h, port=p, db=0, decode_responses=True)
    r = redis.Redis(connection_pool=pool)
    r.set("name", "alvin")
    ret = r.setnx("name", "yuan")            # (1) not over an existing key
    expect(ret, False, "r.setnx('name', 'yuan')")
    expect(r.get("name"), "alvin", "r.get('name')")
    expect(r.setnx("nickname", "yuan"), True, "r.setnx('nickname', 'yuan') (new key)")
    expect(r.setex("good_1001", 10, "2"), True, "r.setex('good_1001', 10, '2')")     # (2)
    expect(r.ttl("good_1001") in (9, 10), True, "r.ttl('good_1001') is 9 or 10")
    expect(r.set("age", 20), True, "r.set('age', 20)")                              # (3)
    expect(r.incrby("age", 2), 22, "r.incrby('age', 2)")
    expect(r.get("age"), "22", "r.get('age')")
    say("   (the note prints b'22': that is without decode_responses)")
    expect(r.mset({"k1": "v1", "k2": "v2"}), True, "r.mset({'k1': 'v1', 'k2': 'v2'})")
    expect(r.mget("k1", "k2", "k3"), ["v1", "v2", None], "r.mget('k1', 'k2', 'k3')")
    expect(r.append("k1", "+"), 3, "r.append('k1', '+')")
    expect(r.strlen("k1"), 3, "r.strlen('k1')")
    expect(r.getrange("foo", 0, 1), "Ba", "r.getrange('foo', 0, 1)")
    expect(r.incrbyfloat("price", 4.5), 4.5, "r.incrbyfloat('price', 4.5)")
    pool.disconnect()

    step("seed 003: set/get A apple on a pooled connection")
    conn = redis.Redis(connection_pool=redis.ConnectionPool(host=h, port=p))
    expect(conn.set("A", "apple"), True, "conn.set('A', 'apple')")
    expect(conn.get("A"), b"apple", "conn.get('A')")
    expect(conn.ping(), True, "conn.ping()")
    conn.connection_pool.disconnect()

    step("seed 004: StrictRedis (an alias of Redis since redis-py 3.0)")
    r = redis.StrictRedis(host=h, port=p, db=0)
    expect(r.set("foo", "bar"), True, "r.set('foo', 'bar')")
    expect(r.get("foo"), b"bar", "r.get('foo')")
    expect(r.execute_command("DEL", "foo"), 1, "r.execute_command('DEL', 'foo'): what delete() sends")
    expect(r.delete("foo", "bar", "nosuch"), 1, "r.delete('foo', 'bar', 'nosuch')")
    expect(r.exists("foo", "bar"), 0, "r.exists('foo', 'bar')")
    expect(sorted(r.keys("*")), [b"A", b"age", b"good_1001", b"k1", b"k2", b"name", b"nickname", b"price"],
           "r.keys('*')")
    expect(r.dbsize(), 8, "r.dbsize()")
    r.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
