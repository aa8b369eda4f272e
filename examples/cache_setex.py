#!/usr/bin/python3
"""A read-through cache with SETEX (seed 002 case 1 "KV缓存"; seed 002
2.1.2 (2); seed 003 "设置过期时间").

    def get_user(user_id):
        user = r.get(user_id)                    # from redis
        if not user:
            user = UserInfo.objects.get(pk=user_id)
            r.setex(user_id, 3600, user)         # back into redis, 1 hour
        return user

Runs that function against db 6 with a fake "MySQL", shows the second read
served from the cache, an entry expiring and being reloaded, invalidation
with DEL, and that a plain SET removes the TTL.

Note: seed 003 writes setex(name, value, time): the argument order of
redis-py 2.x's `Redis` class. Since redis-py 3.0 it is setex(name, time,
value), which is what the server's SETEX key seconds value takes.

    /usr/bin/python3 examples/cache_setex.py --port 6380
"""

import json
import time

from _common import check, connect, error_of, expect, parse_args, prepare, run, step

DB = 6


class UserInfo:
    """Stands in for the Django model (MySQL) behind the cache."""
    rows = {"7": {"id": 7, "name": "rain", "age": 22}, "8": {"id": 8, "name": "alvin", "age": 30}}
    queries = []

    @classmethod
    def get(cls, pk):
        cls.queries.append(pk)
        return json.dumps(cls.rows[pk])


def main(args):
    prepare(args, [DB, 0])
    r = connect(args, DB, decode_responses=True)

    def get_user(user_id, ttl=3600):
        user = r.get("user:" + user_id)
        if not user:
            user = UserInfo.get(user_id)
            r.setex("user:" + user_id, ttl, user)
        return user

    step("read-through: the first read loads from MySQL, the second from the cache")
    expect(json.loads(get_user("7"))["name"], "rain", "get_user(7)")
    expect(json.loads(get_user("7"))["name"], "rain", "get_user(7) again")
    expect(UserInfo.queries, ["7"], "MySQL queries so far")
    ttl = r.ttl("user:7")
    check(3595 <= ttl <= 3600, "TTL user:7 about an hour", "%d s" % ttl)
    pttl = r.pttl("user:7")
    check(3595000 <= pttl <= 3600000, "PTTL user:7", "%d ms" % pttl)

    step("a short-lived entry expires and is reloaded")
    get_user("8", ttl=1)
    expect(r.exists("user:8"), 1, "EXISTS user:8 (cached for 1 s)")
    time.sleep(1.2)
    expect(r.get("user:8"), None, "GET user:8 after 1.2 s")
    expect(r.exists("user:8"), 0, "EXISTS user:8")
    get_user("8")
    expect(UserInfo.queries, ["7", "8", "8"], "MySQL queries (8 loaded twice)")
    expect(r.psetex("user:9", 300, "{}"), True, "PSETEX user:9 300 ms")
    time.sleep(0.5)
    expect(r.get("user:9"), None, "GET user:9 after 0.5 s")

    step("invalidation and overwrites")
    expect(r.delete("user:7"), 1, "DEL user:7 (the row changed)")
    get_user("7")
    expect(UserInfo.queries[-1], "7", "reloaded after DEL")
    expect(r.set("user:7", "{}"), True, "SET user:7 (plain SET)")
    expect(r.ttl("user:7"), -1, "TTL user:7 (a SET drops the TTL)")
    expect(r.set("user:8", "{}", keepttl=True), True, "SET user:8 KEEPTTL")
    check(r.ttl("user:8") > 3500, "TTL user:8 kept")
    expect(error_of(r.setex, "user:1", 0, "x"), "invalid expire time in 'setex' command", "SETEX with 0 s")

    step("seed 002 2.1.2 (2): r.setex('good_1001', 10, '2') in db 0")
    r0 = connect(args, 0, decode_responses=True)
    expect(r0.setex("good_1001", 10, "2"), True, "SETEX good_1001 10 2")
    expect(r0.get("good_1001"), "2", "GET good_1001")
    check(9 <= r0.ttl("good_1001") <= 10, "TTL good_1001", "%d s" % r0.ttl("good_1001"))
    r0.close()
    r.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
