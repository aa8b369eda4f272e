#!/usr/bin/python3
"""Key expiry and the generic key commands (seed 001 3.7.3 "键的过期时间";
seed 002 2.1.2 (8) "键操作").

    PERSIST   remove a key's expiry          TTL       seconds left
    EXPIRE    expire in N seconds            PTTL      milliseconds left
    EXPIREAT  expire at a unix time          PEXPIRE   expire in N milliseconds
    PEXPIREAT expire at a unix time in ms

plus Redis 7.0's EXPIRE NX/XX/GT/LT and EXPIRETIME, keys really vanishing
at their deadline, and DEL/EXISTS/KEYS/SCAN/RENAME/TYPE as in
    r.delete("scores"); r.exists("scores"); r.keys("*"); r.expire("name", 10)

    /usr/bin/python3 examples/key_expiry.py --port 6380
"""

import time

from _common import check, connect, error_of, expect, parse_args, prepare, run, step


def main(args):
    prepare(args, [0])
    r = connect(args, 0, decode_responses=True)

    step("TTL and PTTL: -1 without an expiry, -2 for a missing key")
    r.set("name", "yuan")
    expect(r.ttl("name"), -1, "TTL name (no expiry)")
    expect(r.pttl("name"), -1, "PTTL name")
    expect(r.ttl("nosuch"), -2, "TTL nosuch")
    expect(r.pttl("nosuch"), -2, "PTTL nosuch")

    step("EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT")
    expect(r.expire("name", 10), True, "EXPIRE name 10")
    check(9 <= r.ttl("name") <= 10, "TTL name", "%d s" % r.ttl("name"))
    expect(r.pexpire("name", 20000), True, "PEXPIRE name 20000")
    check(19000 < r.pttl("name") <= 20000, "PTTL name", "%d ms" % r.pttl("name"))
    at = int(time.time()) + 100
    expect(r.expireat("name", at), True, "EXPIREAT name now+100")
    check(98 <= r.ttl("name") <= 100, "TTL name", "%d s" % r.ttl("name"))
    expect(int(r.execute_command("EXPIRETIME", "name")), at, "EXPIRETIME name")
    at_ms = int(time.time() * 1000) + 50000
    expect(r.pexpireat("name", at_ms), True, "PEXPIREAT name now+50 s in ms")
    expect(int(r.execute_command("PEXPIRETIME", "name")), at_ms, "PEXPIRETIME name")
    expect(r.expire("nosuch", 10), False, "EXPIRE nosuch 10")

    step("PERSIST")
    expect(r.persist("name"), True, "PERSIST name")
    expect(r.ttl("name"), -1, "TTL name")
    expect(r.persist("name"), False, "PERSIST name again (no expiry to remove)")

    step("EXPIRE options (Redis 7.0): NX XX GT LT")
    expect(r.expire("name", 100, xx=True), False, "EXPIRE name 100 XX (has no expiry)")
    expect(r.expire("name", 100, nx=True), True, "EXPIRE name 100 NX")
    expect(r.expire("name", 50, gt=True), False, "EXPIRE name 50 GT (50 < 100)")
    expect(r.expire("name", 200, gt=True), True, "EXPIRE name 200 GT")
    expect(r.expire("name", 30, lt=True), True, "EXPIRE name 30 LT")
    check(29 <= r.ttl("name") <= 30, "TTL name", "%d s" % r.ttl("name"))
    expect(error_of(r.expire, "name", 10, nx=True, xx=True),
           "NX and XX, GT or LT options at the same time are not compatible", "EXPIRE name 10 NX XX")

    step("keys vanish at their deadline")
    r.set("soon", "x", px=200)
    r.set("later", "y", ex=100)
    expect(r.exists("soon", "later"), 2, "EXISTS soon later")
    time.sleep(0.4)
    expect(r.exists("soon", "later"), 1, "EXISTS soon later after 400 ms")
    expect(r.get("soon"), None, "GET soon")
    r.set("past", "z")
    expect(r.expireat("past", int(time.time()) - 10), True, "EXPIREAT past <10 s ago>")
    expect(r.exists("past"), 0, "EXISTS past (deleted at once)")
    expect(r.expire("later", 0), True, "EXPIRE later 0")
    expect(r.exists("later"), 0, "EXISTS later")
    expect(r.expire("name", -1), True, "EXPIRE name -1")
    expect(r.get("name"), None, "GET name")

    step("SET overwrites whatever was there, TTL included; GETEX changes a TTL on read")
    r.set("k", "v", ex=100)
    r.set("k", "w")
    expect((r.get("k"), r.ttl("k")), ("w", -1), "SET k w: value, TTL")
    expect(r.getex("k", ex=60), "w", "GETEX k EX 60")
    check(59 <= r.ttl("k") <= 60, "TTL k", "%d s" % r.ttl("k"))
    expect(r.getex("k", persist=True), "w", "GETEX k PERSIST")
    expect(r.ttl("k"), -1, "TTL k")

    step("seed 002 key operations: DEL EXISTS KEYS EXPIRE, and a few more")
    r.mset({"scores": "1", "age": "22", "name": "yuan"})
    expect(r.delete("scores"), 1, "DEL scores")
    expect(r.exists("scores"), 0, "EXISTS scores")
    expect(sorted(r.keys("*")), ["age", "k", "name"], "KEYS *")
    expect(sorted(r.keys("?ge")), ["age"], "KEYS ?ge")
    expect(r.expire("name", 10), True, "EXPIRE name 10")
    expect(sorted(r.scan_iter(match="*a*")), ["age", "name"], "SCAN MATCH *a* (all pages)")
    expect(r.rename("name", "username"), True, "RENAME name username")
    check(9 <= r.ttl("username") <= 10, "TTL username (RENAME keeps the TTL)", "%d s" % r.ttl("username"))
    expect(error_of(r.rename, "nosuch", "x"), "no such key", "RENAME nosuch x")
    expect(r.renamenx("age", "k"), False, "RENAMENX age k (k exists)")
    expect(r.type("age"), "string", "TYPE age")
    expect(r.type("nosuch"), "none", "TYPE nosuch")
    expect(r.dbsize(), 3, "DBSIZE")
    expect(r.delete("age", "k", "username", "nosuch"), 3, "DEL age k username nosuch")
    r.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
