#!/usr/bin/python3
"""Hashes (seed 002 section 1.2, the `user_1` / `user:<n>` walkthrough; seed
000's found items in db 4): HSET (one and several fields) HKEYS HGET HMGET
HVALS HGETALL HDEL HEXISTS HINCRBY, plus HSETNX HLEN HSTRLEN HINCRBYFLOAT
HRANDFIELD HSCAN on a hash that outgrows the compact encoding.

The note's session had changed some keys off-screen (user:3 exists before
it is written, user:2's age is 67 when HINCRBY runs); the example sets them
up explicitly, so that every reply is the note's. Field order: a small hash
keeps insertion order, so HKEYS/HGETALL match the note; past
hash-max-listpack-entries the order is the hash table's, and the example
compares sorted.

    /usr/bin/python3 examples/hash_users.py --port 6380
"""

import json

from _common import connect, error_of, expect, parse_args, prepare, run, say, step


def walkthrough(r):
    step("1.2.1 HSET: one field, several fields")
    expect(r.hset("user_1", "name", "xiaoming"), 1, "hset user_1 name xiaoming (user_1 created)")
    expect(r.hset("user_1", "name", "xiaohei"), 0, "hset user_1 name xiaohei (field updated)")
    expect(r.hset("user_1", "age", 16), 1, "hset user_1 age 16 (field added)")
    expect(r.hset("user:1", "name", "xiaohui"), 1, "hset user:1 name xiaohui")
    expect(r.hset("user:1", "age", 15), 1, "hset user:1 age 15")
    expect(r.hset("user:2", mapping={"name": "xiaohong", "age": 16}), 2, "hset user:2 name xiaohong age 16")
    expect(r.type("user:2"), b"hash", "type user:2")

    step("1.2.2 HKEYS HGET HMGET HVALS")
    expect(r.hkeys("user:2"), [b"name", b"age"], "hkeys user:2")
    say("   (the note's session had written user:3 off-screen:)")
    expect(r.hset("user:3", mapping={"name": "xiaohong", "age": 17, "sex": 1}), 3,
           "hset user:3 name xiaohong age 17 sex 1")
    expect(r.hkeys("user:3"), [b"name", b"age", b"sex"], "hkeys user:3")
    expect(r.hget("user:3", "name"), b"xiaohong", "hget user:3 name")
    expect(r.hget("user:3", "phone"), None, "hget user:3 phone (no such field)")
    expect(r.hmget("user:2", "name", "age"), [b"xiaohong", b"16"], "hmget user:2 name age")
    expect(r.hmget("user:2", "name", "phone"), [b"xiaohong", None], "hmget user:2 name phone")
    expect(r.hvals("user:3"), [b"xiaohong", b"17", b"1"], "hvals user:3")

    step("1.2.3 HGETALL")
    # the note shows (integer) 3: its user:1 had no fields then; here name and
    # age exist already, so only sex is new
    expect(r.hset("user:1", mapping={"name": "xiaoming", "age": 16, "sex": 1}), 1,
           "hset user:1 name xiaoming age 16 sex 1")
    expect(r.hgetall("user:1"), {b"name": b"xiaoming", b"age": b"16", b"sex": b"1"}, "hgetall user:1")
    expect(list(r.hgetall("user:1")), [b"name", b"age", b"sex"], "hgetall user:1: field order")

    step("1.2.4 HDEL: the last field takes the key with it")
    expect(r.hdel("user:3", "sex", "age", "name"), 3, "hdel user:3 sex age name")
    expect(r.exists("user:3"), 0, "exists user:3")
    expect(r.hdel("user:3", "name"), 0, "hdel user:3 name (no key)")

    step("1.2.5 HEXISTS")
    expect(r.hexists("user:3", "age"), False, "hexists user:3 age")
    expect(r.hexists("user:2", "age"), True, "hexists user:2 age")

    step("1.2.6 HINCRBY")
    say("   (the note's user:2 was 67 years old by then:)")
    expect(r.hset("user:2", "age", 67), 0, "hset user:2 age 67")
    expect(r.hincrby("user:2", "age", 10), 77, "hincrby user:2 age 10")
    expect(r.hincrby("user:2", "age", 10), 87, "hincrby user:2 age 10")
    expect(r.hincrby("user:2", "age", -10), 77, "hincrby user:2 age -10")
    expect(r.hincrby("user:2", "age", -10), 67, "hincrby user:2 age -10")
    expect(r.hincrby("user:2", "visits", 1), 1, "hincrby user:2 visits 1 (a missing field counts as 0)")
    expect(error_of(r.hincrby, "user:2", "name", 1), "hash value is not an integer", "hincrby user:2 name 1")
    expect(error_of(r.hincrby, "user:2", "age", "1.5"), "value is not an integer or out of range",
           "hincrby user:2 age 1.5")


def more_commands(r):
    step("the rest of the hash commands")
    expect(r.hsetnx("user:2", "name", "other"), False, "hsetnx user:2 name other (kept)")
    expect(r.hsetnx("user:2", "city", "shanghai"), True, "hsetnx user:2 city shanghai")
    expect(r.hlen("user:2"), 4, "hlen user:2")
    expect(r.hstrlen("user:2", "city"), 8, "hstrlen user:2 city")
    expect(r.hincrbyfloat("user:2", "balance", "4.73"), 4.73, "hincrbyfloat user:2 balance 4.73")
    expect(r.hincrbyfloat("user:2", "balance", "-0.73"), 4.0, "hincrbyfloat user:2 balance -0.73")
    expect(r.hget("user:2", "balance"), b"4", "hget user:2 balance")
    expect(error_of(r.hincrbyfloat, "user:2", "city", 1), "hash value is not a float",
           "hincrbyfloat user:2 city 1")
    expect(sorted(r.hrandfield("user:2", 10)), sorted(r.hkeys("user:2")),
           "hrandfield user:2 10 (more than there are: all of them)")
    one = r.hrandfield("user:2")
    expect(one in r.hkeys("user:2"), True, "hrandfield user:2 (one of its fields)")
    expect(r.set("title", "x"), True, "set title x")
    expect(error_of(r.hget, "title", "x"), "WRONGTYPE Operation against a key holding the wrong kind of value",
           "hget title x (a string)")

    step("a hash past the compact encoding: 300 fields, HSCAN")
    r.delete("big")
    fields = {"field:%03d" % i: i for i in range(300)}
    expect(r.hset("big", mapping=fields), 300, "hset big field:000 0 ... field:299 299")
    expect(r.hlen("big"), 300, "hlen big")
    expect(sorted(r.hkeys("big")) == sorted(k.encode() for k in fields), True, "hkeys big (sorted)")
    scanned = dict(r.hscan_iter("big", match="field:1*", count=20))
    expect(len(scanned), 100, "hscan big MATCH field:1* (fields seen)")
    expect(scanned[b"field:123"], b"123", "hscan big: field:123's value")
    expect(r.hdel("big", *fields), 300, "hdel big (all 300 fields)")
    expect(r.exists("big"), 0, "exists big")


def found_items(args):
    """Seed 000 db 4: a lost item ("1") lists its matches; each found item is
    a hash whose value is the item's JSON (`hvals Dd08A02`)."""
    step("seed 000, db 4: found items as hashes (HVALS Dd08A02)")
    r = connect(args, 4)
    item = {"id": 1, "lng": 31.132386108, "lat": 121.423386047, "member_id": 100002, "name": "\u5916\u8863",
            "created_time": "2020-04-17 20:48", "loc": "\u6885\u9647\u5341\u675147\u53f7"}
    expect(r.set("1", "Bq03A15,Dd08A02"), True, "set 1 Bq03A15,Dd08A02")
    expect(r.hset("Dd08A02", "1", json.dumps(item)), 1, "hset Dd08A02 1 <item JSON>")
    expect(r.hset("Bq03A15", "1", json.dumps(dict(item, id=2, name="\u94b1\u5305"))), 1,
           "hset Bq03A15 1 <item JSON>")
    expect(sorted(r.keys("*")), [b"1", b"Bq03A15", b"Dd08A02"], "keys * (sorted)")
    vals = r.hvals("Dd08A02")
    expect(len(vals), 1, "hvals Dd08A02: one value")
    expect(b"\\u5916\\u8863" in vals[0], True, "the JSON is kept byte for byte (\\u escapes)")
    expect(json.loads(vals[0]), item, "hvals Dd08A02, parsed")
    matches = [json.loads(r.hvals(k)[0])["name"] for k in r.get("1").decode().split(",")]
    expect(matches, ["\u94b1\u5305", "\u5916\u8863"], "the matches of lost item 1, by name")
    r.close()


def main(args):
    prepare(args, [0, 4])
    r = connect(args)
    walkthrough(r)
    more_commands(r)
    r.close()
    found_items(args)


if __name__ == "__main__":
    run(main, parse_args(__doc__))
