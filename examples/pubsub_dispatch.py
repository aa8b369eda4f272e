#!/usr/bin/python3
"""Master/worker dispatch over pub/sub channels (seed 003 "消息队列").

The seed's master has two threads: one PUBLISHes 100 jobs, each to a random
channel CHANNEL_DISPATCH_1 .. _5, the other SUBSCRIBEs to CHANNEL_RESULT and
collects what the workers send back. Each of five workers SUBSCRIBEs to one
dispatch channel, "runs" every job it gets (the seed sleeps 2 s; 5 ms here)
and PUBLISHes the job id to CHANNEL_RESULT. PUBLISH answers how many clients
received the message, and that is how the master knows whether anybody got
a job: 0 means nobody was listening and the job is lost (pub/sub keeps
nothing), so the master dispatches it again, to another channel (the seed
prints "Dispatch failed" and waits 3 s).

Beyond the seed: a worker leaving (its channel's PUBLISH returns 0 and the
master re-dispatches), two workers on one channel (pub/sub fans out: both
run the job, PUBLISH returns 2), a PSUBSCRIBE monitor (pattern subscribers
count in PUBLISH's reply), results nobody collects, and PUBSUB CHANNELS /
NUMSUB / NUMPAT along the way. The seed's typos (`subcribe`, `r.publish`)
and Python 2 prints are fixed.

    /usr/bin/python3 examples/pubsub_dispatch.py --port 6380

Roles, as separate processes (the seed starts both in one):

    /usr/bin/python3 examples/pubsub_dispatch.py --port 6380 --role worker &
    /usr/bin/python3 examples/pubsub_dispatch.py --port 6380 --role master

--role worker runs the five workers until a master stops them; --role
master waits for them, dispatches --jobs jobs, collects the results and
stops the workers. The default, --role all, runs the whole walkthrough
above in one process. Output is the same on every run: workers' threads
record what they did and the master prints it sorted; the random channels
come from a seeded generator.
"""

import random
import threading
import time

from _common import Failed, check, connect, expect, parse_args, prepare, run, say, step

CHD = "CHANNEL_DISPATCH"
CHR = "CHANNEL_RESULT"
WORKERS = 5
WORK_S = 0.005          # the seed's time.sleep(2) per job
STOP = "STOP"           # a job that tells a worker to leave
DONE = "DONE"           # a result that tells the result handler to leave


def dispatch_channel(n):
    return "%s_%d" % (CHD, n)


class Worker(threading.Thread):
    """The seed's WorkerThread: SUBSCRIBE to one channel, run every job that
    comes, PUBLISH the result; leaves (UNSUBSCRIBE) on the job STOP."""

    def __init__(self, args, channel, name=None):
        super().__init__(daemon=True)
        self.args = args
        self.channel = channel
        self.label = name or channel
        self.done = []             # job ids run, in order
        self.return_counts = []    # what PUBLISH CHANNEL_RESULT answered for each
        self.other = []            # anything unexpected
        self.conn = connect(args, decode_responses=True)
        self.p = self.conn.pubsub()
        self.p.subscribe(self.channel)   # subscribed before the thread starts: no job can be missed

    def run(self):
        try:
            for job in self.p.listen():
                if job["type"] == "subscribe":
                    continue
                if job["type"] == "unsubscribe":
                    break
                if job["type"] != "message":
                    self.other.append(job)
                    continue
                if job["data"] == STOP:
                    self.p.unsubscribe(self.channel)
                    continue
                time.sleep(WORK_S)
                ret = self.conn.publish(CHR, "%s %s" % (job["data"], self.label))
                self.done.append(job["data"])
                self.return_counts.append(ret)
        except Exception as e:      # reported by the master
            self.other.append(repr(e))
        finally:
            self.p.close()
            self.conn.close()


class ResultHandler(threading.Thread):
    """The seed's ServerResultHandleThread: SUBSCRIBE to CHANNEL_RESULT and
    collect the results until DONE."""

    def __init__(self, args):
        super().__init__(daemon=True)
        self.results = []
        self.lock = threading.Lock()
        self.conn = connect(args, decode_responses=True)
        self.p = self.conn.pubsub()
        self.p.subscribe(CHR)

    def run(self):
        try:
            for res in self.p.listen():
                if res["type"] != "message":
                    continue
                if res["data"] == DONE:
                    break
                with self.lock:
                    self.results.append(res["data"])
        finally:
            self.p.close()
            self.conn.close()

    def wait_for(self, n, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.results) >= n:
                    return list(self.results)
            time.sleep(0.01)
        with self.lock:
            raise Failed("%d results after %ds, expected %d" % (len(self.results), timeout, n))


def wait_numsub(r, want, timeout=10):
    """Waits until PUBSUB NUMSUB shows the wanted subscriber counts."""
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = dict(r.pubsub_numsub(*want))
        if got == want:
            return got
        time.sleep(0.01)
    raise Failed("PUBSUB NUMSUB: expected %r, got %r" % (want, got))


def dispatch(r, job, channels, gone):
    """The seed's ServerDispatchThread.run body: PUBLISH the job; when nobody
    got it (0), "Dispatch failed", and it goes to the next channel. Channels
    in `gone` have no worker. Returns the channel that took the job."""
    for ch in channels:
        ret = r.publish(ch, job)
        expect(ret, 0 if ch in gone else 1,
               "PUBLISH %s %s%s" % (ch, job, "  (nobody listening: dispatch failed)" if not ret else ""))
        if ret:
            return ch
    raise Failed("job %s: nobody on any channel" % job)


def by_worker(results):
    """{worker: sorted job ids} from the 'job worker' results."""
    out = {}
    for res in results:
        job, worker = res.split(" ")
        out.setdefault(worker, []).append(int(job))
    return {w: sorted(v) for w, v in sorted(out.items())}


def stop_workers(r, workers):
    for w in workers:
        r.publish(w.channel, STOP)
    for w in workers:
        w.join(10)
        if w.is_alive():
            raise Failed("worker %s did not leave" % w.label)
        if w.other:
            raise Failed("worker %s saw unexpected messages: %r" % (w.label, w.other))


def run_all(args):
    prepare(args, [0])
    r = connect(args, decode_responses=True)

    step("five workers SUBSCRIBE, one to each dispatch channel; the master's result handler to %s" % CHR)
    workers = [Worker(args, dispatch_channel(i)) for i in range(1, WORKERS + 1)]
    handler = ResultHandler(args)
    for t in workers + [handler]:
        t.start()
    want = {dispatch_channel(i): 1 for i in range(1, WORKERS + 1)}
    want[CHR] = 1
    expect(wait_numsub(r, want), want, "PUBSUB NUMSUB <the six channels>")
    expect(sorted(r.pubsub_channels("CHANNEL_*")), sorted(want), "PUBSUB CHANNELS CHANNEL_*")
    expect(r.pubsub_numpat(), 0, "PUBSUB NUMPAT")

    step("the master dispatches 100 jobs to random channels; every PUBLISH reaches one worker")
    rng = random.Random(2024)
    sent = {}
    for i in range(100):
        ch = dispatch_channel(rng.randint(1, WORKERS))
        expect(r.publish(ch, str(i)), 1, "PUBLISH %s %d" % (ch, i))
        sent.setdefault(ch, []).append(i)
    results = handler.wait_for(100)
    expect(sorted(int(x.split(" ")[0]) for x in results), list(range(100)), "job ids back on %s" % CHR)
    expect(by_worker(results), {ch: sorted(v) for ch, v in sorted(sent.items())}, "jobs run, per worker")
    expect(sorted(set(c for w in workers for c in w.return_counts)), [1],
           "PUBLISH %s answers the workers (the result handler listens)" % CHR)
    for w in workers:
        check(w.done == [str(j) for j in sent.get(w.channel, [])], "%s ran its jobs in dispatch order" % w.label)

    step("worker 3 leaves: PUBLISH to its channel answers 0 and the master re-dispatches")
    expect(r.publish(dispatch_channel(3), STOP), 1, "PUBLISH %s STOP" % dispatch_channel(3))
    workers[2].join(10)
    check(not workers[2].is_alive(), "worker 3 left")
    expect(wait_numsub(r, {dispatch_channel(3): 0}), {dispatch_channel(3): 0}, "PUBSUB NUMSUB %s" % dispatch_channel(3))
    expect(r.publish(dispatch_channel(3), "lost"), 0, "PUBLISH %s lost  (nobody: the message is gone)"
           % dispatch_channel(3))
    before = len(handler.results)
    gone = {dispatch_channel(3)}
    for i in range(100, 110):
        first = 3 if i % 2 else rng.choice([1, 2, 4, 5])
        dispatch(r, str(i), [dispatch_channel((first - 1 + k) % WORKERS + 1) for k in range(WORKERS)], gone)
    results = handler.wait_for(before + 10)[before:]
    expect(sorted(int(x.split(" ")[0]) for x in results), list(range(100, 110)), "job ids back")
    check(not any(x.endswith(dispatch_channel(3)) for x in results), "none ran on the channel nobody listens to")

    step("two workers on one channel: both get every job (pub/sub fans out; it is not a queue)")
    twin = Worker(args, dispatch_channel(5), name=dispatch_channel(5) + "-twin")
    twin.start()
    expect(wait_numsub(r, {dispatch_channel(5): 2}), {dispatch_channel(5): 2}, "PUBSUB NUMSUB %s" % dispatch_channel(5))
    before = len(handler.results)
    expect(r.publish(dispatch_channel(5), "200"), 2, "PUBLISH %s 200" % dispatch_channel(5))
    results = handler.wait_for(before + 2)[before:]
    expect(sorted(results), ["200 %s" % dispatch_channel(5), "200 %s-twin" % dispatch_channel(5)],
           "results of job 200")
    expect(r.publish(twin.channel, STOP), 2, "PUBLISH %s STOP (both leave)" % twin.channel)
    twin.join(10)
    workers[4].join(10)
    check(not twin.is_alive() and not workers[4].is_alive(), "both workers of %s left" % twin.channel)
    expect(wait_numsub(r, {twin.channel: 0}), {twin.channel: 0}, "PUBSUB NUMSUB %s" % twin.channel)

    step("a monitor PSUBSCRIBEs to %s_*: pattern subscribers count in PUBLISH's reply" % CHD)
    mon_conn = connect(args, decode_responses=True)
    mon = mon_conn.pubsub()
    mon.psubscribe(CHD + "_*")
    expect(mon.get_message(timeout=5), {"type": "psubscribe", "pattern": None, "channel": CHD + "_*", "data": 1},
           "PSUBSCRIBE %s_*" % CHD)
    expect(r.pubsub_numpat(), 1, "PUBSUB NUMPAT")
    before = len(handler.results)
    expect(r.publish(dispatch_channel(1), "300"), 2, "PUBLISH %s 300 (worker 1 + the monitor)" % dispatch_channel(1))
    expect(r.publish(dispatch_channel(3), "301"), 1, "PUBLISH %s 301 (the monitor only)" % dispatch_channel(3))
    expect(mon.get_message(timeout=5),
           {"type": "pmessage", "pattern": CHD + "_*", "channel": dispatch_channel(1), "data": "300"},
           "the monitor's first pmessage")
    expect(mon.get_message(timeout=5),
           {"type": "pmessage", "pattern": CHD + "_*", "channel": dispatch_channel(3), "data": "301"},
           "the monitor's second pmessage")
    expect(handler.wait_for(before + 1)[before:], ["300 %s" % dispatch_channel(1)], "result of job 300")
    mon.punsubscribe()
    expect(mon.get_message(timeout=5), {"type": "punsubscribe", "pattern": None, "channel": CHD + "_*", "data": 0},
           "PUNSUBSCRIBE")
    mon.close()
    mon_conn.close()
    expect(r.pubsub_numpat(), 0, "PUBSUB NUMPAT")

    step("the result handler leaves: the workers' PUBLISH %s answers 0" % CHR)
    expect(r.publish(CHR, DONE), 1, "PUBLISH %s DONE" % CHR)
    handler.join(10)
    check(not handler.is_alive(), "the result handler left")
    wait_numsub(r, {CHR: 0})
    w1 = workers[0]
    n = len(w1.done)
    expect(r.publish(dispatch_channel(1), "400"), 1, "PUBLISH %s 400" % dispatch_channel(1))
    deadline = time.time() + 10
    while len(w1.done) <= n and time.time() < deadline:
        time.sleep(0.01)
    expect((w1.done[n:], w1.return_counts[n:]), (["400"], [0]), "worker 1 ran job 400; PUBLISH of its result answered")

    step("the master stops the remaining workers")
    stop_workers(r, [w for w in workers if w.is_alive()])
    expect(r.pubsub_channels("CHANNEL_*"), [], "PUBSUB CHANNELS CHANNEL_*")
    expect(dict(r.pubsub_numsub(*sorted(want))), {c: 0 for c in want}, "PUBSUB NUMSUB <the six channels>")
    r.close()


def run_master(args):
    """The master alone: needs the five workers of --role worker."""
    r = connect(args, decode_responses=True)
    step("the master waits for the five workers")
    want = {dispatch_channel(i): 1 for i in range(1, WORKERS + 1)}
    expect(wait_numsub(r, want, timeout=args.wait), want, "PUBSUB NUMSUB <the five dispatch channels>")
    handler = ResultHandler(args)
    handler.start()
    wait_numsub(r, {CHR: 1})
    step("the master dispatches %d jobs to random channels" % args.jobs)
    rng = random.Random(2024)
    sent = {}
    for i in range(args.jobs):
        ch = dispatch_channel(rng.randint(1, WORKERS))
        ret = r.publish(ch, str(i))
        expect(ret, 1, "PUBLISH %s %d" % (ch, i))
        sent.setdefault(ch, []).append(i)
    results = handler.wait_for(args.jobs)
    expect(by_worker(results), {ch: sorted(v) for ch, v in sorted(sent.items())}, "jobs run, per worker")
    step("the master stops the workers and its result handler")
    for i in range(1, WORKERS + 1):
        expect(r.publish(dispatch_channel(i), STOP), 1, "PUBLISH %s STOP" % dispatch_channel(i))
    expect(r.publish(CHR, DONE), 1, "PUBLISH %s DONE" % CHR)
    handler.join(10)
    expect(wait_numsub(r, {c: 0 for c in list(want) + [CHR]}), {c: 0 for c in list(want) + [CHR]},
           "PUBSUB NUMSUB (everybody left)")
    r.close()


def run_workers(args):
    """The five workers alone; they leave when a master sends STOP."""
    workers = [Worker(args, dispatch_channel(i)) for i in range(1, WORKERS + 1)]
    for w in workers:
        w.start()
    say("five workers listening on %s_1 .. _%d" % (CHD, WORKERS))
    for w in workers:
        w.join()
        say("%s left after %d jobs" % (w.label, len(w.done)))
        if w.other:
            raise Failed("worker %s saw unexpected messages: %r" % (w.label, w.other))


def options(ap):
    ap.add_argument("--role", choices=("all", "master", "worker"), default="all",
                    help="all (default): the whole walkthrough in one process; master or worker alone")
    ap.add_argument("--jobs", type=int, default=100, help="jobs the master dispatches with --role master")
    ap.add_argument("--wait", type=float, default=30, help="seconds --role master waits for the workers")


def main(args):
    {"all": run_all, "master": run_master, "worker": run_workers}[args.role](args)


if __name__ == "__main__":
    run(main, parse_args(__doc__, options))
