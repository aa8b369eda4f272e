#!/usr/bin/python3
"""Lists (seed 002 section 1.1, the `brother` walkthrough; seed 001 3.2 and
5.1.1): LPUSH RPUSH LINSERT LINDEX LRANGE LLEN LSET LPOP RPOP LREM, a FIFO
queue with RPUSH + LPOP ("开发中往往使用rpush和lpop实现队列"), a worker
blocked in BLPOP woken by a producer, and the "recent log" of Redis in
Action (LPUSH + LTRIM 0 99).

Every step shows the list as the note's comments do ("# [xiaoming,...]").
Where the note is wrong the example does what Redis does and says so:
LINSERT takes exactly one element (002:17-18), and the note's comments after
`linsert brother after xiaohong xiaoC` (002:41-51) forget xiaoB.

    /usr/bin/python3 examples/list_brother.py --port 6380
"""

import threading
import time

from _common import connect, error_of, expect, parse_args, prepare, run, say, step


def state(r, key, want, what=None):
    got = [x.decode() for x in r.lrange(key, 0, -1)]
    expect(got, want, what or "LRANGE %s 0 -1" % key)


def walkthrough(r):
    step("1.1.1 LPUSH / RPUSH / LINSERT on brother")
    expect(r.lpush("brother", "liubei"), 1, "lpush brother liubei")
    state(r, "brother", ["liubei"])
    expect(r.lpush("brother", "guanyu", "zhangfei", "xiaoming"), 4, "lpush brother guanyu zhangfei xiaoming")
    state(r, "brother", ["xiaoming", "zhangfei", "guanyu", "liubei"])
    expect(r.rpush("brother", "xiaohong"), 5, "rpush brother xiaohong")
    expect(r.rpush("brother", "xiaobai", "xiaohui"), 7, "rpush brother xiaobai xiaohui")
    state(r, "brother", ["xiaoming", "zhangfei", "guanyu", "liubei", "xiaohong", "xiaobai", "xiaohui"])
    # 002:17 "linsert key before 指定元素 value1 value2 ...": one element only
    expect(error_of(r.execute_command, "LINSERT", "brother", "BEFORE", "xiaohong", "xiaoA", "xiaoB"),
           "wrong number of arguments for 'linsert' command", "linsert brother before xiaohong xiaoA xiaoB")
    expect(r.linsert("brother", "before", "xiaohong", "xiaoA"), 8, "linsert brother before xiaohong xiaoA")
    expect(r.linsert("brother", "before", "xiaohong", "xiaoB"), 9, "linsert brother before xiaohong xiaoB")
    state(r, "brother", ["xiaoming", "zhangfei", "guanyu", "liubei", "xiaoA", "xiaoB", "xiaohong", "xiaobai",
                         "xiaohui"])
    expect(r.linsert("brother", "after", "xiaohong", "xiaoC"), 10, "linsert brother after xiaohong xiaoC")
    expect(r.linsert("brother", "after", "xiaohong", "xiaoD"), 11, "linsert brother after xiaohong xiaoD")
    # the note's comment drops xiaoB from here on
    state(r, "brother", ["xiaoming", "zhangfei", "guanyu", "liubei", "xiaoA", "xiaoB", "xiaohong", "xiaoD",
                         "xiaoC", "xiaobai", "xiaohui"])
    say("   (with several equal elements the first one from the left is the pivot)")
    expect(r.linsert("brother", "before", "xiaoA", "xiaohong"), 12, "linsert brother before xiaoA xiaohong")
    expect(r.linsert("brother", "before", "xiaohong", "xiaoE"), 13, "linsert brother before xiaohong xiaoE")
    expect(r.linsert("brother", "after", "xiaohong", "xiaoF"), 14, "linsert brother after xiaohong xiaoF")
    state(r, "brother", ["xiaoming", "zhangfei", "guanyu", "liubei", "xiaoE", "xiaohong", "xiaoF", "xiaoA",
                         "xiaoB", "xiaohong", "xiaoD", "xiaoC", "xiaobai", "xiaohui"])
    expect(r.linsert("brother", "after", "nobody", "x"), -1, "linsert brother after nobody x (no pivot)")
    expect(r.linsert("nolist", "after", "a", "x"), 0, "linsert nolist after a x (no list)")

    step("1.1.2 LINDEX")
    expect(r.delete("brother"), 1, "del brother")
    expect(r.lpush("brother", "guanyu", "zhangfei", "xiaoming"), 3, "lpush brother guanyu zhangfei xiaoming")
    expect(r.lindex("brother", 2), b"guanyu", "lindex brother 2")
    expect(r.lindex("brother", -2), b"zhangfei", "lindex brother -2")
    expect(r.lindex("brother", 3), None, "lindex brother 3 (past the end)")

    step("1.1.3 / 1.1.4 LRANGE and LLEN")
    expect(r.delete("brother"), 1, "del brother")
    expect(r.rpush("brother", "liubei", "guanyu", "zhangfei", "xiaoming", "xaiohong"), 5,
           "rpush brother liubei guanyu zhangfei xiaoming xaiohong")
    state(r, "brother", ["liubei", "guanyu", "zhangfei", "xiaoming", "xaiohong"], "lrange brother 0 -1")
    expect(r.lrange("brother", 0, 1), [b"liubei", b"guanyu"], "lrange brother 0 1 (the first two)")
    expect(r.lrange("brother", -2, -1), [b"xiaoming", b"xaiohong"], "lrange brother -2 -1 (the last two)")
    expect(r.lrange("brother", 3, 100), [b"xiaoming", b"xaiohong"], "lrange brother 3 100")
    expect(r.lrange("brother", 4, 2), [], "lrange brother 4 2 (empty)")
    expect(r.llen("brother"), 5, "llen brother")

    step("1.1.5 LSET")
    expect(r.lset("brother", 4, "xiaohonghong"), True, "lset brother 4 xiaohonghong")
    expect(r.lset("brother", -5, "LIUBEI"), True, "lset brother -5 LIUBEI")
    state(r, "brother", ["LIUBEI", "guanyu", "zhangfei", "xiaoming", "xiaohonghong"])
    expect(error_of(r.lset, "brother", 5, "x"), "index out of range", "lset brother 5 x")
    expect(error_of(r.lset, "nolist", 0, "x"), "no such key", "lset nolist 0 x")

    step("1.1.6 LPOP / RPOP / LREM")
    expect(r.lpop("brother"), b"LIUBEI", "lpop brother")
    expect(r.rpop("brother"), b"xiaohonghong", "rpop brother")
    expect(r.lpop("brother", 2), [b"guanyu", b"zhangfei"], "lpop brother 2")
    expect(r.lpop("brother"), b"xiaoming", "lpop brother")
    expect(r.exists("brother"), 0, "exists brother (an emptied list is deleted)")
    expect(r.lpop("brother"), None, "lpop brother (no list)")
    for count, want, left in ((0, 3, ["B", "C"]), (-2, 2, ["A", "B", "C"]), (2, 2, ["B", "C", "A"])):
        r.delete("brother")
        expect(r.rpush("brother", "A", "B", "A", "C", "A"), 5, "rpush brother A B A C A")
        expect(r.lrem("brother", count, "A"), want, "lrem brother %d A" % count)
        state(r, "brother", left)


def fifo_queue(args, r):
    step("a FIFO queue: RPUSH to enqueue, LPOP to dequeue (002:94)")
    for job in ("job1", "job2", "job3"):
        r.rpush("queue", job)
    expect(r.llen("queue"), 3, "llen queue after 3 RPUSH")
    expect([r.lpop("queue") for _ in range(4)], [b"job1", b"job2", b"job3", None], "4 x LPOP queue")

    step("a worker blocked in BLPOP, woken by a producer (001 3.2: blpop/brpop)")
    got = []

    def worker():
        w = connect(args)
        got.append(w.blpop(["queue:high", "queue"], timeout=10))
        w.close()
    t = threading.Thread(target=worker)
    t.start()
    time.sleep(0.3)                         # the worker is waiting by now
    expect(r.rpush("queue", "job4"), 1, "rpush queue job4 (a worker is waiting)")
    t.join(10)
    expect(got, [(b"queue", b"job4")], "the worker's BLPOP queue:high queue 10")
    expect(r.exists("queue"), 0, "exists queue (the job went straight to the worker)")
    r.rpush("queue:high", "urgent")
    r.rpush("queue", "job5")
    expect(r.blpop(["queue:high", "queue"], timeout=1), (b"queue:high", b"urgent"),
           "blpop queue:high queue 1 (the first non-empty key wins)")
    expect(r.brpop(["queue:high", "queue"], timeout=1), (b"queue", b"job5"), "brpop queue:high queue 1")
    t0 = time.time()
    expect(r.blpop(["queue"], timeout=0.2), None, "blpop queue 0.2 (nothing comes: nil)")
    dt = time.time() - t0
    if not 0.15 <= dt < 2:
        raise AssertionError("BLPOP with a 0.2 s timeout returned after %.2f s" % dt)

    step("a reliable queue: RPOPLPUSH / BRPOPLPUSH / LMOVE into a processing list")
    r.rpush("tasks", "t1", "t2", "t3")
    expect(r.rpoplpush("tasks", "processing"), b"t3", "rpoplpush tasks processing")
    expect(r.brpoplpush("tasks", "processing", timeout=1), b"t2", "brpoplpush tasks processing 1")
    expect(r.lmove("tasks", "processing", "LEFT", "RIGHT"), b"t1", "lmove tasks processing left right")
    expect(r.lrange("processing", 0, -1), [b"t2", b"t3", b"t1"], "lrange processing 0 -1")
    expect(r.lrem("processing", 1, "t3"), 1, "lrem processing 1 t3 (done with t3)")
    expect(r.lpos("processing", "t1"), 1, "lpos processing t1")
    expect(r.brpoplpush("tasks", "processing", timeout=0.1), None, "brpoplpush tasks processing 0.1 (empty)")


def recent_log(r):
    """log_recent() of Redis in Action 5.1.1 (seed 001:811-821)."""
    step("the recent log: LPUSH + LTRIM 0 99 in one pipeline (001 5.1.1)")

    def log_recent(conn, name, message, severity="info"):
        dest = "recent:%s:%s" % (name, severity)
        message = "%s %s" % (time.asctime(), message)
        # the note's conn.pipeline() wraps the two in MULTI/EXEC; the pair is
        # correct without it (the transactions milestone brings MULTI)
        pipe = conn.pipeline(transaction=False)
        pipe.lpush(dest, message)
        pipe.ltrim(dest, 0, 99)
        return pipe.execute()
    for i in range(150):
        res = log_recent(r, "web", "request %d" % i)
    expect(res, [101, True], "the last pipeline's replies (LPUSH, LTRIM)")
    expect(r.llen("recent:web:info"), 100, "llen recent:web:info")
    newest = r.lindex("recent:web:info", 0).decode()
    oldest = r.lindex("recent:web:info", -1).decode()
    expect((newest.endswith(" request 149"), oldest.endswith(" request 50")), (True, True),
           "newest and oldest kept: request 149 .. request 50")


def main(args):
    prepare(args, [0])
    r = connect(args)
    walkthrough(r)
    fifo_queue(args, r)
    recent_log(r)
    r.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
