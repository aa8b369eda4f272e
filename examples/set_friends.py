#!/usr/bin/python3
"""Sets (seed 002 section 1.3; seed 003 "社交圈应用"; seed 000's claim sets in
db 1): SADD SMEMBERS SCARD SPOP SREM, friend recommendation with SINTER /
SUNION / SDIFF ("推荐、协同过滤"), the social circles game:WOW and
sport:basketball, and the app's mark_<good_id> claim sets.

A set has no order: every member list is compared and printed sorted. SPOP
and SRANDMEMBER are random: the example checks what they must satisfy
(members of the set, distinct, removed), not which members come out.

    /usr/bin/python3 examples/set_friends.py --port 6380
"""

from _common import connect, error_of, expect, parse_args, prepare, run, say, step


def members(r, key):
    return sorted(x.decode() for x in r.smembers(key))


def basics(r):
    step("1.3.1-1.3.3 SADD SMEMBERS SCARD")
    expect(r.sadd("authors", "zhangsan", "lisi", "wangwu"), 3, "sadd authors zhangsan lisi wangwu")
    expect(r.sadd("authors", "lisi"), 0, "sadd authors lisi (already there)")
    expect(members(r, "authors"), ["lisi", "wangwu", "zhangsan"], "smembers authors (sorted)")
    expect(r.sadd("s2", "a", "b", "c", "d", "e"), 5, "sadd s2 a b c d e")
    expect(r.scard("s2"), 5, "scard s2")
    expect(r.sismember("s2", "c"), True, "sismember s2 c")
    expect(r.smismember("s2", "a", "z"), [1, 0], "smismember s2 a z")

    step("1.3.4 SPOP / SRANDMEMBER: random members")
    before = set(members(r, "s2"))
    popped = [r.spop("s2").decode(), r.spop("s2").decode()]
    expect(all(p in before for p in popped) and popped[0] != popped[1], True,
           "spop s2 twice: two different members of s2")
    expect(r.scard("s2"), 3, "scard s2 (they are gone)")
    expect(any(p in members(r, "s2") for p in popped), False, "neither is still in s2")
    picked = r.srandmember("s2", 2)
    expect(len(set(picked)) == 2 and all(p.decode() in before for p in picked), True,
           "srandmember s2 2: two distinct members")
    expect(len(r.srandmember("s2", -5)), 5, "srandmember s2 -5: five, repeats allowed")
    expect(r.scard("s2"), 3, "scard s2 (srandmember removes nothing)")
    rest = sorted(before - set(popped))
    expect(sorted(x.decode() for x in r.spop("s2", 10)) == rest, True, "spop s2 10 (more than there are: the rest)")
    expect(r.exists("s2"), 0, "exists s2")

    step("1.3.5 SREM")
    expect(r.srem("authors", "wangwu"), 1, "srem authors wangwu")
    expect(r.srem("authors", "wangwu", "nobody"), 0, "srem authors wangwu nobody")
    expect(members(r, "authors"), ["lisi", "zhangsan"], "smembers authors")
    r.set("greeting", "hi")
    expect(error_of(r.sadd, "greeting", "x"), "WRONGTYPE Operation against a key holding the wrong kind of value",
           "sadd greeting x (a string)")


def friends(r):
    step("1.3.6 SINTER / SUNION / SDIFF: friends in common, friend suggestions")
    expect(r.delete("user:1", "user:2", "user:3", "user:4"), 0, "del user:1 user:2 user:3 user:4")
    expect(r.sadd("user:1", 1, 2, 3, 4), 4, "sadd user:1 1 2 3 4")
    expect(r.sadd("user:2", 1, 3, 4, 5), 4, "sadd user:2 1 3 4 5")
    expect(r.sadd("user:3", 1, 3, 5, 6), 4, "sadd user:3 1 3 5 6")
    expect(r.sadd("user:4", 2, 3, 4), 3, "sadd user:4 2 3 4")

    def ints(s):
        return sorted(int(x) for x in s)
    expect(ints(r.sinter("user:1", "user:2")), [1, 3, 4], "sinter user:1 user:2")
    expect(ints(r.sinter("user:1", "user:3")), [1, 3], "sinter user:1 user:3")
    expect(ints(r.sinter("user:1", "user:4")), [2, 3, 4], "sinter user:1 user:4")
    expect(ints(r.sinter("user:2", "user:4")), [3, 4], "sinter user:2 user:4")
    expect(ints(r.sunion("user:1", "user:2", "user:4")), [1, 2, 3, 4, 5], "sunion user:1 user:2 user:4")
    expect(ints(r.sdiff("user:2", "user:3")), [4], "sdiff user:2 user:3 (suggest 4 to user:3)")
    expect(ints(r.sdiff("user:3", "user:2")), [6], "sdiff user:3 user:2 (suggest 6 to user:2)")
    expect(ints(r.sdiff("user:1", "user:3")), [2, 4], "sdiff user:1 user:3")
    expect(ints(r.sinter("user:1", "nobody")), [], "sinter user:1 nobody (a missing key is empty)")
    expect(r.sintercard(3, ["user:1", "user:2", "user:4"]), 2, "sintercard 3 user:1 user:2 user:4")
    expect(r.sinterstore("common:1:2", "user:1", "user:2"), 3, "sinterstore common:1:2 user:1 user:2")
    expect(r.sunionstore("all", "user:1", "user:2", "user:3", "user:4"), 6, "sunionstore all user:1 .. user:4")
    expect(r.sdiffstore("suggest:3", "user:2", "user:3"), 1, "sdiffstore suggest:3 user:2 user:3")
    expect(ints(r.smembers("suggest:3")), [4], "smembers suggest:3")
    expect(r.smove("user:2", "user:3", 4), True, "smove user:2 user:3 4 (user:3 befriends 4)")
    expect(r.sdiffstore("suggest:3", "user:2", "user:3"), 0, "sdiffstore suggest:3 user:2 user:3 (nothing left)")
    expect(r.exists("suggest:3"), 0, "exists suggest:3 (an empty result deletes the key)")


def circles(r):
    """Seed 003:44-61."""
    step("seed 003: social circles (game:WOW, sport:basketball)")
    for u in ("user:a", "user:b", "user:c"):
        expect(r.sadd("game:WOW", u), 1, "sadd game:WOW %s" % u)
    for u in ("user:c", "user:d", "user:e"):
        expect(r.sadd("sport:basketball", u), 1, "sadd sport:basketball %s" % u)
    expect(members(r, "game:WOW"), ["user:a", "user:b", "user:c"], "smembers game:WOW")
    expect(members(r, "sport:basketball"), ["user:c", "user:d", "user:e"], "smembers sport:basketball")
    expect(sorted(r.sinter("game:WOW", "sport:basketball")), [b"user:c"], "sinter game:WOW sport:basketball")
    expect(sorted(r.sdiff("sport:basketball", "game:WOW")), [b"user:d", b"user:e"],
           "sdiff sport:basketball game:WOW (WOW newcomers to invite)")
    expect(len(r.sunion("game:WOW", "sport:basketball")), 5, "sunion game:WOW sport:basketball: 5 users")


def claim_sets(args):
    """Seed 000 db 1: mark_<good_id> holds who claimed an item (-1 = the
    system), recommend_<good_id> the members it was recommended to."""
    step("seed 000, db 1: claim sets mark_<good_id> next to member_<id> strings")
    r = connect(args, 1)
    expect(r.sadd("mark_3", -1, 100001), 2, "sadd mark_3 -1 100001")
    expect(r.sadd("mark_31", -1), 1, "sadd mark_31 -1")
    r.set("member_100001", '{"id": 100001}')
    r.set("member_100002", '{"id": 100002}')
    expect(sorted(r.keys("*")), [b"mark_3", b"mark_31", b"member_100001", b"member_100002"], "keys * (sorted)")
    # a small set of integers is kept sorted (intset): the note's order, as
    # the server sends it (redis-py would turn it into a Python set)
    r.set_response_callback("SMEMBERS", list)
    expect(r.smembers("mark_3"), [b"-1", b"100001"], "smembers mark_3 (in the order sent)")
    expect(r.smembers("mark_31"), [b"-1"], "smembers mark_31")
    expect(r.sismember("mark_3", 100001), True, "sismember mark_3 100001 (has 100001 claimed item 3?)")
    expect(r.sadd("recommend_3", 100002, 100003), 2, "sadd recommend_3 100002 100003")
    expect(r.smove("recommend_3", "mark_3", 100002), True, "smove recommend_3 mark_3 100002 (claimed)")
    expect(r.smembers("mark_3"), [b"-1", b"100001", b"100002"], "smembers mark_3")
    expect(r.type("mark_3"), b"set", "type mark_3")
    say("   (the rest of db 1, the member_<id> JSON strings: db_layout.py)")
    r.close()


def main(args):
    prepare(args, [0, 1])
    r = connect(args)
    basics(r)
    friends(r)
    circles(r)
    r.close()
    claim_sets(args)


if __name__ == "__main__":
    run(main, parse_args(__doc__))
