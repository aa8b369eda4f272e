#!/usr/bin/python3
"""Distributed locks with strings (seed 002 case 2 "分布式锁", three variants).

  1. SETNX + EXPIRE            two commands: a crash between them leaves a
                               lock that never expires
  2. SETNX <expiry timestamp>  a stale lock is taken over with GETSET; only
     + GETSET                  the client whose GETSET returns the stale value
                               it read wins
  3. SET key token NX EX n     one atomic command (what to use)

Each variant shows a second client failing to take a held lock and taking
it once the lock has expired. Releasing is compare-then-delete: only the
holder's token may delete the lock, otherwise a client whose lock expired
would delete the next holder's lock. taskkv has that as one command,
DELIFEQ key token (as in Valkey 9); Redis 7.0 needs a Lua script for it:

    EVAL "if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('del', KEYS[1]) else return 0 end" 1 key token

(Lua arrives in taskkv's scripting milestone; against a real Redis this
example uses the script.) Finally ten threads use lock 3 to protect a
read-modify-write and lose no update. Takes about 5 seconds.

    /usr/bin/python3 examples/locks_setnx.py --port 6380
"""

import threading
import time
import uuid

from _common import check, connect, expect, is_taskkv, parse_args, prepare, run, say, step, unknown_command

import redis

LOCK = "key_resource_id"
RELEASE_LUA = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
               "else return 0 end")


class Releaser:
    """Compare-then-delete: DELIFEQ on taskkv, the Lua script elsewhere."""

    def __init__(self, r):
        self.taskkv = is_taskkv(r)
        self.how = "DELIFEQ"
        if not self.taskkv:
            try:
                r.execute_command("DELIFEQ", "{probe}", "x")
            except redis.ResponseError as e:
                if not unknown_command(e):
                    raise
                self.how = "EVAL"

    def release(self, r, key, token):
        if self.how == "DELIFEQ":
            return r.execute_command("DELIFEQ", key, token)
        return r.eval(RELEASE_LUA, 1, key, token)


def variant1(a, b):
    step("1. SETNX + EXPIRE (not atomic)")
    expect(a.setnx(LOCK, "ok"), True, "A: SETNX key_resource_id ok")
    expect(a.expire(LOCK, 1), True, "A: EXPIRE key_resource_id 1")
    say("   A: 抢购成功! (holds the lock)")
    expect(b.setnx(LOCK, "ok"), False, "B: SETNX while A holds it")
    say("   B: 抢购失败!")
    time.sleep(1.2)
    expect(b.setnx(LOCK, "ok"), True, "B: SETNX after the lock expired")
    expect(b.delete(LOCK), 1, "B: DEL (release)")
    # the flaw: A crashes after SETNX, before EXPIRE
    expect(a.setnx(LOCK, "ok"), True, "A: SETNX ... and crashes before EXPIRE")
    expect(b.ttl(LOCK), -1, "TTL key_resource_id (no expiry: held forever)")
    expect(b.setnx(LOCK, "ok"), False, "B: SETNX (never succeeds)")
    b.delete(LOCK)       # an operator has to step in


def variant2(a, b, c):
    step("2. SETNX with the expiry time as value, GETSET to take over a stale lock")

    def foo(r, who, hold=1.0):
        expires = time.time() + hold
        if r.setnx(LOCK, expires):
            say("   %s: 当前锁不存在,加锁成功 (lock was free)" % who)
            return True
        old = r.get(LOCK)
        if old is not None and float(old) < time.time():
            new_old = r.getset(LOCK, expires)
            if old == new_old:
                say("   %s: stale lock taken over with GETSET" % who)
                return True
        return False

    expect(foo(a, "A"), True, "A: foo()")
    expect(foo(b, "B"), False, "B: foo() while A's timestamp is in the future")
    time.sleep(1.2)
    expect(foo(b, "B"), True, "B: foo() after A's timestamp passed")
    # two clients find the same stale lock: both GETSET, one wins
    time.sleep(1.2)
    old_b, old_c = b.get(LOCK), c.get(LOCK)
    expect(old_b == old_c and float(old_b) < time.time(), True, "B and C both read the stale timestamp")
    mine_b, mine_c = str(time.time() + 10), str(time.time() + 10.5)
    got_b = b.getset(LOCK, mine_b)
    got_c = c.getset(LOCK, mine_c)
    expect(got_b == old_b, True, "B: GETSET returned the stale value -> B holds the lock")
    expect(got_c == old_c, False, "C: GETSET returned B's value -> C lost")
    say("   (C's GETSET still overwrote B's expiry time: a known weakness of this variant)")
    expect(b.delete(LOCK), 1, "B: DEL (release)")


def variant3(a, b, rel):
    step("3. SET key token NX EX: acquire and set the TTL in one command")
    ta, tb = str(uuid.uuid4()), str(uuid.uuid4())
    expect(a.set(LOCK, ta, nx=True, ex=1), True, "A: SET key_resource_id <tokenA> NX EX 1")
    expect(b.set(LOCK, tb, nx=True, ex=1), None, "B: SET ... NX EX 1 while A holds it")
    check(0 < b.pttl(LOCK) <= 1000, "PTTL key_resource_id", "%d ms" % b.pttl(LOCK))
    time.sleep(1.2)
    expect(b.set(LOCK, tb, nx=True, ex=10), True, "B: SET ... NX EX 10 after A's lock expired")

    step("3. release with compare-then-delete (%s)" % rel.how)
    # A was paused past its lease and now "releases": a plain DEL would remove B's lock
    expect(rel.release(a, LOCK, ta), 0, "A: release with tokenA (A's lease is over)")
    expect(b.get(LOCK), tb.encode(), "GET key_resource_id (still B's)")
    expect(rel.release(b, LOCK, tb), 1, "B: release with tokenB")
    expect(b.exists(LOCK), 0, "EXISTS key_resource_id")
    expect(rel.release(b, LOCK, tb), 0, "B: release again (nothing to delete)")
    if rel.taskkv:
        say("   (on Redis 7.0 the release is the EVAL script above: scripting milestone)")
    # millisecond leases
    expect(a.set("short_lock", ta, nx=True, px=150), True, "A: SET short_lock <tokenA> NX PX 150")
    expect(b.set("short_lock", tb, nx=True, px=150), None, "B: SET short_lock NX PX 150 (held)")
    time.sleep(0.3)
    expect(b.set("short_lock", tb, nx=True, px=150), True, "B: SET short_lock NX PX 150 after 300 ms")
    # a holder may extend its lease only while it still holds it
    expect(b.set("short_lock", tb, xx=True, px=5000, get=True), tb.encode(), "B: SET short_lock XX PX 5000 GET")
    expect(rel.release(b, "short_lock", tb), 1, "B: release short_lock")


def contention(args, rel):
    step("3. ten threads x 5 increments of a GET/SET counter, each under the lock")
    counter = connect(args)
    counter.set("stock", 0)
    lost = []

    def worker():
        r = connect(args)
        for _ in range(5):
            token = str(uuid.uuid4())
            deadline = time.time() + 20
            while not r.set("lock:stock", token, nx=True, px=2000):
                if time.time() > deadline:
                    lost.append("timeout")
                    return
                time.sleep(0.002)
            v = int(r.get("stock"))          # read-modify-write: safe only under the lock
            time.sleep(0.001)
            r.set("stock", v + 1)
            if rel.release(r, "lock:stock", token) != 1:
                lost.append("lock lost")
        r.close()
    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect(lost, [], "problems")
    expect(counter.get("stock"), b"50", "GET stock")
    expect(counter.exists("lock:stock"), 0, "EXISTS lock:stock (released)")
    counter.close()


def main(args):
    prepare(args, [0])
    a, b, c = connect(args), connect(args), connect(args)
    rel = Releaser(a)
    variant1(a, b)
    variant2(a, b, c)
    variant3(a, b, rel)
    contention(args, rel)
    for x in (a, b, c):
        x.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
