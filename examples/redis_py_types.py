#!/usr/bin/python3
"""redis-py on hashes, lists, sets and sorted sets (seed 002 section 2.1.2,
parts (4)-(8), on a decode_responses pool as in the note), with the values
the note prints in its comments.

Where the note's comments are off: (4) writes the field "gedner" (a typo
for gender; the comment shows gender), and HGETALL's dict is the server's
order (insertion order for a small hash); (6) `srandmember(name, 2)` is
random and a set has no order, so the example checks and prints sorted
lists; (7) the comments of zrange(..., withscores=True) and zrevrange show
plain names, redis-py returns (name, score) pairs.

    /usr/bin/python3 examples/redis_py_types.py --port 6380
"""

import warnings

import redis

from _common import expect, parse_args, prepare, run, step


def main(args):
    prepare(args, [0])
    pool = redis.ConnectionPool(host=args.host, port=args.port, db=0, decode_responses=True, socket_timeout=10)
    r = redis.Redis(connection_pool=pool)

    step("(4) hash operations")
    expect(r.hset("info", "name", "rain"), 1, 'r.hset("info", "name", "rain")')
    expect(r.hget("info", "name"), "rain", 'r.hget("info", "name")')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)     # hmset is deprecated in redis-py 4
        expect(r.hmset("info", {"gedner": "male", "age": 22}), True, 'r.hmset("info", {"gedner": "male", "age": 22})')
    expect(r.hgetall("info"), {"name": "rain", "gedner": "male", "age": "22"}, 'r.hgetall("info")')
    expect(list(r.hgetall("info")), ["name", "gedner", "age"], "its field order")

    step("(5) list operations")
    expect(r.rpush("scores", "100", "90", "80"), 3, 'r.rpush("scores", "100", "90", "80")')
    expect(r.rpush("scores", "70"), 4, 'r.rpush("scores", "70")')
    expect(r.lpush("scores", "120"), 5, 'r.lpush("scores", "120")')
    expect(r.lrange("scores", 0, -1), ["120", "100", "90", "80", "70"], 'r.lrange("scores", 0, -1)')
    expect(r.linsert("scores", "AFTER", "100", 95), 6, 'r.linsert("scores", "AFTER", "100", 95)')
    expect(r.lrange("scores", 0, -1), ["120", "100", "95", "90", "80", "70"], 'r.lrange("scores", 0, -1)')
    expect(r.lpop("scores"), "120", 'r.lpop("scores")')
    expect(r.rpop("scores"), "70", 'r.rpop("scores")')
    expect(r.lindex("scores", 1), "95", 'r.lindex("scores", 1)')

    step("(6) set operations")
    expect(r.sadd("name_set", "zhangsan", "lisi", "wangwu"), 3, 'r.sadd("name_set", "zhangsan", "lisi", "wangwu")')
    expect(sorted(r.smembers("name_set")), ["lisi", "wangwu", "zhangsan"], 'r.smembers("name_set") (sorted)')
    two = r.srandmember("name_set", 2)
    expect(len(set(two)) == 2 and set(two) <= {"zhangsan", "lisi", "wangwu"}, True,
           'r.srandmember("name_set", 2): two distinct members')
    expect(r.srem("name_set", "lisi"), 1, 'r.srem("name_set", "lisi")')
    expect(sorted(r.smembers("name_set")), ["wangwu", "zhangsan"], 'r.smembers("name_set") (sorted)')

    step("(7) sorted-set operations")
    expect(r.zadd("jifenbang", {"yuan": 78, "rain": 20, "alvin": 89, "eric": 45}), 4,
           'r.zadd("jifenbang", {"yuan": 78, "rain": 20, "alvin": 89, "eric": 45})')
    expect(r.zrange("jifenbang", 0, -1), ["rain", "eric", "yuan", "alvin"], 'r.zrange("jifenbang", 0, -1)')
    expect(r.zrange("jifenbang", 0, -1, withscores=True),
           [("rain", 20.0), ("eric", 45.0), ("yuan", 78.0), ("alvin", 89.0)],
           'r.zrange("jifenbang", 0, -1, withscores=True)')
    expect(r.zrevrange("jifenbang", 0, -1, withscores=True),
           [("alvin", 89.0), ("yuan", 78.0), ("eric", 45.0), ("rain", 20.0)],
           'r.zrevrange("jifenbang", 0, -1, withscores=True)')
    expect(r.zrangebyscore("jifenbang", 0, 100), ["rain", "eric", "yuan", "alvin"],
           'r.zrangebyscore("jifenbang", 0, 100)')
    expect(r.zrangebyscore("jifenbang", 0, 100, start=0, num=1), ["rain"],
           'r.zrangebyscore("jifenbang", 0, 100, start=0, num=1)')
    expect(r.zrem("jifenbang", "yuan"), 1, 'r.zrem("jifenbang", "yuan")')
    expect(r.zrange("jifenbang", 0, -1), ["rain", "eric", "alvin"], 'r.zrange("jifenbang", 0, -1)')

    step("(8) key operations on these keys")
    expect(r.delete("scores"), 1, 'r.delete("scores")')
    expect(r.exists("scores"), 0, 'r.exists("scores")')
    expect(sorted(r.keys("*")), ["info", "jifenbang", "name_set"], 'r.keys("*") (sorted)')
    expect([r.type(k) for k in ("info", "jifenbang", "name_set")], ["hash", "zset", "set"], "r.type() of each")
    expect(r.expire("info", 10), True, 'r.expire("info", 10)')
    expect(r.ttl("info") in (9, 10), True, 'r.ttl("info") is 9 or 10')
    pool.disconnect()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
