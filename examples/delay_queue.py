#!/usr/bin/python3
"""A delayed queue on a sorted set (seed 002 case 3, "延迟队列"):

    delay_task(name, delay):  ZADD delay-queue {name + uuid: now + delay}
    loop():                   ZRANGEBYSCORE delay-queue 0 now LIMIT 0 1
                              ZREM delay-queue task   -> 1: this worker owns it

Several workers poll the same queue; ZREM's reply decides which one runs a
task ("zrem ... 决定唯一的属主"), so every task runs exactly once, and in
the order of its due time. The note's delays (5, 2, 3 and 10 s) are scaled
down to tenths of a second, and a worker sleeps 50 ms instead of 1 s when
nothing is due. Also: eight workers racing for one task with ZREM, and the
queue's size and next due task with ZCARD / ZRANGE ... WITHSCORES.

    /usr/bin/python3 examples/delay_queue.py --port 6380
"""

import threading
import time
import uuid

import redis

from _common import connect, expect, parse_args, prepare, run, say, step

QUEUE = "delay-queue"
SCALE = 0.1          # the note's seconds -> tenths of a second


def delay_task(r, task_name, delay_time):
    """Producer: the member is unique (name + uuid), the score its due time."""
    task_id = task_name + ":" + str(uuid.uuid4())
    retry_ts = time.time() + delay_time
    r.zadd(QUEUE, {task_id: retry_ts})
    return task_id


def worker(r, handled, lock, stop):
    """Consumer: take the first due task; ZREM decides who runs it."""
    while not stop.is_set():
        task_list = r.zrangebyscore(QUEUE, 0, time.time(), start=0, num=1)
        if not task_list:
            time.sleep(0.05)
            continue
        task_id = task_list[0]
        if r.zrem(QUEUE, task_id):          # 1: ours; 0: another worker took it
            with lock:
                handled.append((task_id, time.time()))


def main(args):
    prepare(args, [0])
    pool = redis.ConnectionPool(host=args.host, port=args.port, decode_responses=True, socket_timeout=10)
    r = redis.Redis(connection_pool=pool)

    step("four delayed tasks, three workers")
    handled, lock, stop = [], threading.Lock(), threading.Event()
    workers = [threading.Thread(target=worker, args=(r, handled, lock, stop)) for _ in range(3)]
    for t in workers:
        t.start()
    start = time.time()
    due = {}
    for name, delay in (("task1-delay5", 5), ("task2-delay2", 2), ("task3-delay3", 3), ("task4-delay10", 10)):
        due[delay_task(r, name, delay * SCALE)] = delay * SCALE
    expect(r.zcard(QUEUE), 4, "zcard delay-queue (nothing due yet)")
    first = r.zrange(QUEUE, 0, 0)[0]
    expect(first.split(":")[0], "task2-delay2", "zrange delay-queue 0 0: the next one due")
    deadline = time.time() + 5
    while len(handled) < 4 and time.time() < deadline:
        time.sleep(0.02)
    stop.set()
    for t in workers:
        t.join()
    expect([task.split(":")[0] for task, _ in handled], ["task2-delay2", "task3-delay3", "task1-delay5",
                                                         "task4-delay10"], "tasks run, in order")
    late = [task for task, at in handled if at - start < due[task] - 0.01]
    expect(late, [], "tasks run before they were due")
    expect(r.exists(QUEUE), 0, "exists delay-queue (all taken)")

    step("eight workers race for one due task: ZREM has one winner")
    task = delay_task(r, "contested", -1)
    expect(r.zrangebyscore(QUEUE, 0, time.time(), start=0, num=1) == [task], True,
           "zrangebyscore delay-queue 0 now limit 0 1: the task")
    wins = []
    barrier = threading.Barrier(8)

    def racer(n):
        c = connect(args, decode_responses=True)
        barrier.wait()
        if c.zrem(QUEUE, task):
            wins.append(n)
        c.close()
    threads = [threading.Thread(target=racer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect(len(wins), 1, "workers whose ZREM returned 1")

    step("the queue's state: ZCARD, ZCOUNT of due tasks, ZRANGE WITHSCORES")
    now = time.time()
    r.zadd(QUEUE, {"late:a": now - 30, "late:b": now - 10, "later:c": now + 3600})
    expect(r.zcard(QUEUE), 3, "zcard delay-queue")
    expect(r.zcount(QUEUE, 0, now), 2, "zcount delay-queue 0 now (due)")
    expect([m for m, _ in r.zrange(QUEUE, 0, -1, withscores=True)], ["late:a", "late:b", "later:c"],
           "zrange delay-queue 0 -1 withscores: by due time")
    expect(r.zremrangebyscore(QUEUE, 0, now), 2, "zremrangebyscore delay-queue 0 now (drop the overdue)")
    say("   (a real queue would hand them to workers; the queue module's due-time pops come later)")
    pool.disconnect()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
