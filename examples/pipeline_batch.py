#!/usr/bin/python3
"""Batching commands with a redis-py pipeline (seed 003 "pipeline"; seed 001
4.5 "非事务性流水线" and 3.7.2 "基本的Redis事务").

seed 003 writes

    pipe = conn.piprline()  # transaction 参数默认为 True
    conn.set(bla bla)
    conn.setex(bla bla)
    conn.mget(bla bla)
    pipe.execute()

(a typo for pipeline(), and the commands go to conn, not pipe, so they are
not batched at all). Done right, the commands are queued on the pipeline and
sent in one round trip by execute().

pipeline(transaction=False) only batches: it runs now. The default,
transaction=True, wraps the batch in MULTI/EXEC, which arrives with the
transactions milestone; until then this example reports it and goes on.

    /usr/bin/python3 examples/pipeline_batch.py --port 6380
"""

import threading
import time

import redis

from _common import check, connect, expect, parse_args, prepare, run, say, step, unknown_command


def main(args):
    prepare(args, [0])
    conn = connect(args)

    step("seed 003 fixed: queue on the pipe, one round trip")
    pipe = conn.pipeline(transaction=False)
    pipe.set("A", "apple")
    pipe.setex("session:1", 60, "data")
    pipe.mget("A", "session:1", "nosuch")
    expect(len(pipe), 3, "commands queued")
    expect(pipe.execute(), [True, True, [b"apple", b"data", None]], "pipe.execute()")
    check(59 <= conn.ttl("session:1") <= 60, "TTL session:1")

    step("seed 001 4.5: pipeline(False) for bulk loads")
    pipe = conn.pipeline(False)
    for i in range(1000):
        pipe.set("item:%d" % i, i)
        pipe.incr("items")
    t0 = time.time()
    replies = pipe.execute()
    took = time.time() - t0
    expect(len(replies), 2000, "replies to 2000 pipelined commands")
    expect(replies[-1], 1000, "last INCR items")
    expect(conn.get("item:999"), b"999", "GET item:999")
    say("   (2000 commands in %.1f ms)" % (took * 1000))

    step("errors come back in place; the other commands still run")
    pipe = conn.pipeline(False)
    pipe.set("n", "x").incr("n").set("m", 1).incr("m")
    replies = pipe.execute(raise_on_error=False)
    expect(replies[0], True, "SET n x")
    expect(isinstance(replies[1], redis.ResponseError) and str(replies[1]), "value is not an integer or out of range",
           "INCR n")
    expect(replies[2:], [True, 2], "SET m 1, INCR m")

    step("seed 001 3.7.2: pipeline() with transaction=True (MULTI/EXEC)")
    try:
        pipe = conn.pipeline()
        pipe.incr("trans:")
        pipe.incr("trans:", -1)
        expect(pipe.execute(), [1, 0], "pipe.execute() (MULTI INCR INCRBY -1 EXEC)")
    except redis.ResponseError as e:
        if not unknown_command(e) and "MULTI" not in str(e).upper():
            raise
        say("   MULTI is not implemented yet (transactions milestone): %s" % e)
        say("   (the queued INCRs still ran, one by one: trans: is now %r)" % conn.get("trans:"))
        return
    # the seed runs trans() from 3 threads: with MULTI each batch is atomic, always [1, 0]
    results = []

    def trans():
        c = connect(args)
        p = c.pipeline()
        p.incr("trans:")
        time.sleep(0.1)
        p.incr("trans:", -1)
        results.append(p.execute())
        c.close()
    threads = [threading.Thread(target=trans) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect(results, [[1, 0]] * 3, "3 threads, each batch atomic")
    conn.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
