#!/usr/bin/python3
"""Page visit counter (seed 003, "访问统计").

    page1 = select count from page1
    conn.set("page:1", page1)
    for every visit:
        conn.incr("page:1")

The count is loaded once from the database (SET ... NX, so a second app
instance does not reset it), every visit is one INCR, and concurrent
visitors on a connection pool lose no increment. Also INCRBY/DECR, GETSET
to read-and-reset a period's count, and the errors on a non-integer value.

    /usr/bin/python3 examples/visit_counter.py --port 6380
"""

import threading

import redis

from _common import connect, error_of, expect, parse_args, prepare, run, step

LOADED_FROM_SQL = 41        # "select count from page1"


def main(args):
    prepare(args, [0])
    pool = redis.ConnectionPool(host=args.host, port=args.port, db=0, socket_timeout=10)
    conn = redis.Redis(connection_pool=pool)

    step("load the stored count once, then INCR on every visit")
    expect(conn.set("page:1", LOADED_FROM_SQL, nx=True), True, "SET page:1 41 NX (first app instance)")
    expect(conn.set("page:1", 0, nx=True), None, "SET page:1 0 NX (second instance: kept)")
    expect(conn.incr("page:1"), 42, "INCR page:1 (a visit)")
    expect(conn.get("page:1"), b"42", "GET page:1 (show)")
    expect(conn.incr("page:2"), 1, "INCR page:2 (never loaded: starts at 0)")

    step("100 concurrent visitors x 20 visits on one pool")
    visitors, visits = 100, 20

    def visitor():
        for _ in range(visits):
            conn.incr("page:1")
    threads = [threading.Thread(target=visitor) for _ in range(visitors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect(int(conn.get("page:1")), 42 + visitors * visits, "GET page:1")

    step("other counter commands")
    expect(conn.incrby("page:1", 10), 2052, "INCRBY page:1 10")
    expect(conn.decr("page:1"), 2051, "DECR page:1")
    expect(conn.decrby("page:1", 51), 2000, "DECRBY page:1 51")
    # read the day's count and restart it atomically
    expect(conn.getset("page:1:today", 0), None, "GETSET page:1:today 0 (no count yet)")
    for _ in range(5):
        conn.incr("page:1:today")
    expect(conn.getset("page:1:today", 0), b"5", "GETSET page:1:today 0 (read and reset)")
    expect(conn.get("page:1:today"), b"0", "GET page:1:today")
    expect(conn.mget("page:1", "page:2", "page:3"), [b"2000", b"1", None], "MGET page:1 page:2 page:3")

    step("what cannot be counted")
    conn.set("page:title", "home")
    expect(error_of(conn.incr, "page:title"), "value is not an integer or out of range", "INCR page:title")
    conn.set("page:max", 2 ** 63 - 1)
    expect(error_of(conn.incr, "page:max"), "increment or decrement would overflow", "INCR at 2^63-1")
    expect(conn.get("page:max"), b"9223372036854775807", "GET page:max (unchanged)")
    pool.disconnect()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
