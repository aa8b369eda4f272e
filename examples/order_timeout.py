#!/usr/bin/python3
"""Cancelling unpaid orders when their time runs out (seed 002 case 5
"定时任务": "订单30分钟自动取消", keyspace notifications as expiry callbacks).

When a customer places an order, the shop reserves the stock and stores the
order id as a key with a TTL: the time the customer has to pay (the seed's
30 minutes). Paying deletes that key. A canceller that turned on expiry
notifications

    CONFIG SET notify-keyspace-events Ex
    pubsub.psubscribe(**{'__keyevent@0__:expired': event_handler})
    thread = pubsub.run_in_thread(sleep_time=0.01)

hears about every key whose TTL ran out, and cancels its order and releases
the stock. Paying and cancelling race for the same order, so both are
check-and-set transactions: WATCH the order, read its status, and MULTI/EXEC
the change only while it is still `pending` (a WatchError means the other
side got there first: read again).

Also shown: an order whose timer was PERSISTed never fires, a payment that
comes after the cancellation is refused, and the per-key channel
`__keyspace@0__:order:timeout:<id>` (flag K) that carries the event name
`expired`. The server has to expire the keys by itself: nobody reads them.

The seed's 30 minutes are the default; --order-ttl (or the environment
variable ORDER_TTL) shortens them, e.g. to 1 s:

    /usr/bin/python3 examples/order_timeout.py --port 6380 --order-ttl 1

notify-keyspace-events is set back to what it was at the end.
"""

import os
import threading
import time

import redis

from _common import Failed, check, connect, expect, parse_args, prepare, run, say, step

STOCK = "stock:apple"


def order_key(oid):
    return "order:%s" % oid


def timer_key(oid):
    return "order:timeout:%s" % oid


def place(r, oid, qty, ttl):
    """Reserve the stock, store the order and its payment timer, atomically."""
    with r.pipeline() as p:     # transaction=True: MULTI ... EXEC
        p.hset(order_key(oid), mapping={"status": "pending", "item": "apple", "qty": qty})
        p.decrby(STOCK, qty)
        p.set(timer_key(oid), "1", ex=ttl)
        return p.execute()


def change_status(r, oid, new, also):
    """pending -> new, with `also(pipe)` in the same transaction; False when
    the order is no longer pending. WATCH makes it a check-and-set."""
    with r.pipeline() as p:
        while True:
            try:
                p.watch(order_key(oid))
                if p.hget(order_key(oid), "status") != "pending":
                    p.unwatch()
                    return False
                p.multi()
                p.hset(order_key(oid), "status", new)
                also(p)
                p.execute()
                return True
            except redis.WatchError:
                continue


def pay(r, oid):
    return change_status(r, oid, "paid", lambda p: p.delete(timer_key(oid)))


def cancel(r, oid):
    qty = int(r.hget(order_key(oid), "qty"))
    return change_status(r, oid, "cancelled", lambda p: p.incrby(STOCK, qty))


class Canceller:
    """The seed's event_handler on __keyevent@<db>__:expired, run by
    pubsub.run_in_thread(sleep_time=0.01)."""

    def __init__(self, args, db):
        self.r = connect(args, db, decode_responses=True)
        self.cancelled = {}        # order id -> time.time() of the cancellation
        self.ignored = []          # expired keys that are not order timers
        self.errors = []
        self.lock = threading.Lock()
        self.pubsub = self.r.pubsub()
        self.channel = "__keyevent@%d__:expired" % db
        self.pubsub.psubscribe(**{self.channel: self.event_handler})   # as the seed: a pattern
        self.thread = self.pubsub.run_in_thread(sleep_time=0.01, daemon=True,
                                                exception_handler=self.on_error)

    def event_handler(self, msg):
        key = msg["data"]
        if not key.startswith("order:timeout:"):
            with self.lock:
                self.ignored.append(key)
            return
        oid = key[len("order:timeout:"):]
        if cancel(self.r, oid):
            with self.lock:
                self.cancelled[oid] = time.time()

    def on_error(self, e, pubsub, thread):
        self.errors.append(repr(e))
        thread.stop()

    def wait(self, oids, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if set(oids) <= set(self.cancelled):
                    return
            if self.errors:
                raise Failed("the canceller failed: %s" % self.errors)
            time.sleep(0.01)
        raise Failed("orders %s not cancelled %.0fs after their TTL" % (sorted(set(oids) - set(self.cancelled)),
                                                                         timeout))

    def stop(self):
        self.thread.stop()
        self.thread.join(10)


def main(args):
    db = args.db
    ttl = args.order_ttl
    prepare(args, [db])
    r = connect(args, db, decode_responses=True)
    admin = connect(args, db, decode_responses=True)
    saved = admin.config_get("notify-keyspace-events")["notify-keyspace-events"]
    say("orders wait %g s for their payment (the seed's 30 minutes: 1800 s)" % ttl
        if ttl != 1800 else "orders wait 30 minutes for their payment, as in the seed (--order-ttl to shorten)")
    try:
        scenario(args, r, admin, db, ttl)
    finally:
        admin.config_set("notify-keyspace-events", saved)
    expect(admin.config_get("notify-keyspace-events"), {"notify-keyspace-events": saved},
           "CONFIG GET notify-keyspace-events (restored)")


def scenario(args, r, admin, db, ttl):
    step("turn on expiry events and start the canceller")
    expect(admin.config_set("notify-keyspace-events", "Ex"), True, "CONFIG SET notify-keyspace-events Ex")
    expect(admin.config_get("notify-keyspace-events"), {"notify-keyspace-events": "xE"},
           "CONFIG GET notify-keyspace-events")
    canceller = Canceller(args, db)
    deadline = time.time() + 10
    while r.pubsub_numpat() < 1 and time.time() < deadline:
        time.sleep(0.01)
    expect(r.pubsub_numpat(), 1, "PUBSUB NUMPAT (the canceller's %s)" % canceller.channel)

    step("four orders; order o2 is paid in time, o4's timer is PERSISTed")
    expect(r.set(STOCK, 10), True, "SET %s 10" % STOCK)
    placed = {}
    for oid, qty in (("o1", 3), ("o2", 2), ("o3", 1), ("o4", 1)):
        placed[oid] = time.time()
        expect(place(r, oid, qty, ttl), [3, 10 - {"o1": 3, "o2": 5, "o3": 6, "o4": 7}[oid], True],
               "order %s: MULTI HSET DECRBY SET EX EXEC" % oid)
    check(ttl - 1 <= r.ttl(timer_key("o1")) <= ttl, "TTL %s" % timer_key("o1"))
    expect(pay(r, "o2"), True, "o2 pays: WATCH, HGET, MULTI, HSET paid, DEL its timer, EXEC")
    expect(r.exists(timer_key("o2")), 0, "EXISTS %s" % timer_key("o2"))
    expect(r.persist(timer_key("o4")), True, "PERSIST %s (o4 may take its time)" % timer_key("o4"))
    expect(r.get(STOCK), "3", "GET %s (7 reserved)" % STOCK)

    step("the timers of o1 and o3 run out; the canceller cancels them")
    canceller.wait(["o1", "o3"], ttl + 10)
    time.sleep(0.2)      # anything else would have come by now
    with canceller.lock:
        cancelled = dict(canceller.cancelled)
        ignored = list(canceller.ignored)
    expect(sorted(cancelled), ["o1", "o3"], "orders cancelled")
    for oid in sorted(cancelled):
        check(cancelled[oid] - placed[oid] >= ttl - 0.005, "%s cancelled after its %g s, not before" % (oid, ttl))
    expect(ignored, [], "other expired keys")
    expect({oid: r.hget(order_key(oid), "status") for oid in ("o1", "o2", "o3", "o4")},
           {"o1": "cancelled", "o2": "paid", "o3": "cancelled", "o4": "pending"}, "statuses")
    expect(r.get(STOCK), "7", "GET %s (o1's 3 and o3's 1 released)" % STOCK)
    expect(r.exists(timer_key("o1"), timer_key("o3"), timer_key("o4")), 1, "EXISTS the three timers (o4's only)")

    step("too late: o1 pays after its cancellation; o4 pays")
    expect(pay(r, "o1"), False, "o1 pays (refused: no longer pending)")
    expect(r.hget(order_key("o1"), "status"), "cancelled", "HGET %s status" % order_key("o1"))
    expect(pay(r, "o4"), True, "o4 pays")
    expect(r.exists(timer_key("o4")), 0, "EXISTS %s" % timer_key("o4"))

    step("the per-key channel: flag K adds __keyspace@%d__:<key> with the event name" % db)
    expect(admin.config_set("notify-keyspace-events", "KEx"), True, "CONFIG SET notify-keyspace-events KEx")
    expect(admin.config_get("notify-keyspace-events"), {"notify-keyspace-events": "xKE"},
           "CONFIG GET notify-keyspace-events")
    ks = connect(args, db, decode_responses=True).pubsub()
    pattern = "__keyspace@%d__:order:timeout:*" % db
    ks.psubscribe(pattern)
    expect(ks.get_message(timeout=5), {"type": "psubscribe", "pattern": None, "channel": pattern, "data": 1},
           "PSUBSCRIBE %s" % pattern)
    placed["o5"] = time.time()
    place(r, "o5", 2, 1)
    expect(r.pexpire(timer_key("o5"), 200), True, "o5's timer: PEXPIRE %s 200" % timer_key("o5"))
    msg = ks.get_message(timeout=10)
    expect(msg, {"type": "pmessage", "pattern": pattern, "channel": "__keyspace@%d__:%s" % (db, timer_key("o5")),
                 "data": "expired"}, "the keyspace event")
    canceller.wait(["o5"], 10)
    expect(r.hget(order_key("o5"), "status"), "cancelled", "o5 cancelled by the keyevent canceller too")
    ks.close()

    step("stop the canceller")
    canceller.stop()
    check(not canceller.thread.is_alive(), "the canceller's thread stopped")
    expect(canceller.errors, [], "errors in the canceller")
    deadline = time.time() + 10
    while r.pubsub_numpat() and time.time() < deadline:
        time.sleep(0.01)
    expect(r.pubsub_numpat(), 0, "PUBSUB NUMPAT")
    expect(r.get(STOCK), "7", "GET %s (o2 and o4 paid: 3 sold)" % STOCK)


def options(ap):
    env = os.environ.get("ORDER_TTL")
    ap.add_argument("--order-ttl", type=int, default=int(env) if env else 1800,
                    help="seconds an order waits for its payment (default: $ORDER_TTL, else 1800 as in the seed)")
    ap.add_argument("--db", type=int, default=0, help="database of the orders (default 0, as in the seed)")


if __name__ == "__main__":
    args = parse_args(__doc__, options)
    if args.order_ttl < 1:
        raise SystemExit("--order-ttl must be at least 1 second")
    run(main, args)
