#!/usr/bin/python3
"""Randomised differential test of keyspace-notification event streams and
of transactions: taskkv (the candidate) vs a real redis-server.

Each run starts from FLUSHALL on both servers and opens, on each server, the
same four connections (all with HELLO 3 under RESP3):

    main    runs the random command sequence
    other   touches keys between WATCH/MULTI/EXEC (breaking watches) and runs
            a random group now and then; always in main's database
    sub     PSUBSCRIBE __key*@*__:* and SUBSCRIBE random-notify:sync
    sync    after every command, PUBLISH random-notify:sync <token>

The command's reply is compared (with the comparison tags of the generators,
as runner.py does), then everything `sub` received up to the sync message is
compared: every pmessage (pattern, channel, payload), in order. The sync
message is published after the command's reply arrived, so on both servers
it follows every event the command caused: a mismatch points at its command.

Commands come from random_strings.py and random_types.py (every string,
generic, list, hash, set, zset and SORT command), mixed with SELECT (4
databases), FLUSHDB, FLUSHALL, SWAPDB, MOVE, COPY ... DB, PUBLISH to
channels the pattern matches and, in the random-flags pass, CONFIG SET
notify-keyspace-events. Modes:

    plain   one command after another
    multi   most commands in MULTI/EXEC blocks of 1-5 generator groups:
            sometimes WATCH (then `other` or main itself may touch a watched
            key, before MULTI or while queueing), UNWATCH, DISCARD, an
            unknown command or an arity error (EXECABORT), WATCH or MULTI
            inside MULTI (errors that do not abort); EXEC's reply is compared
            element by element with each queued command's comparison tag

Flag passes: `kea` (notify-keyspace-events KEA) and `random` (a random set of
K E g $ l s h z x e t m d n A, changed again now and then during the run).

Determinism (the self-test, redis vs redis, must pass for every seed):
  - no TTL runs out during a run: the generators' relative TTLs are >= 10000 s;
    SET ... EXAT/PXAT in the past is rewritten to the far future (redis
    stores such a key already expired and publishes `expired` whenever lazy
    or active expiry gets to it: timing, not commands, decides the event's
    place in the stream); EXPIREAT/PEXPIREAT/GETEX in the past delete at
    once (a `del` event) and stay;
  - SORT/SORT_RO events are compared as a multiset: with `m` the keymiss
    events of BY/GET lookups come in the source's iteration order (a set's
    hash order differs between processes); an EXEC holding a SORT likewise;
  - random replies (SPOP, SRANDMEMBER ...) keep the generators' tags.

Usage:
    random_notify.py --candidate build/taskkv-server --seeds 1-20 -n 1000
    random_notify.py --candidate-redis --seed 3 --mode multi --resp 3   (self-test)
    random_notify.py --candidate X --file /tmp/fail.txt -v         (replay a saved log)
    random_notify.py --candidate X --minimize /tmp/fail.txt        (shrink it)

On a mismatch the commands run so far are saved as a case-format log
(`conn:other:` marks the second connection) that --file replays and
--minimize shrinks to a minimal reproduction.
"""

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import casefile  # noqa: E402
import random_strings  # noqa: E402
import random_types  # noqa: E402
import resp  # noqa: E402
import runner  # noqa: E402
from casefile import quote_arg  # noqa: E402
from resp import fmt  # noqa: E402

HOST = "127.0.0.1"
PATTERN = b"__key*@*__:*"
SELF_PATTERN = b"__keyevent@*__:*"   # the self-subscribed main connection (RESP3)
SYNC = b"random-notify:sync"
NDB = 4
STR_KEYS = list(random_strings.KEYS)
TYPE_KEYS = list(random_types.ALL_KEYS)
ALL_KEYS = STR_KEYS + TYPE_KEYS
TYPE_FLAGS = "g$lshzxetmdn"
NOW = int(time.time())


# --------------------------------------------------------------------------
# generation

def line(args, tag="", conn="main"):
    pre = "" if conn == "main" else "conn:%s: " % conn
    return pre + tag + " ".join(quote_arg(a) for a in args)


def random_flags(r):
    """A random notify-keyspace-events value (sometimes without K and E, which
    redis treats as no events at all)."""
    ke = r.choice(["K", "E", "KE", "KE", "EK", "KE", ""])
    if r.random() < 0.3:
        types = ["A"] + [c for c in "mn" if r.random() < 0.5]
    else:
        types = [c for c in TYPE_FLAGS if r.random() < 0.35]
        if r.random() < 0.3:
            types.append("m")
    out = list(ke) + types
    r.shuffle(out)
    return "".join(out).encode()


class Gen:
    """Builds the whole command sequence of one run up front (case-format
    lines); the executor only adds SELECTs that keep `other` in main's db."""

    def __init__(self, seed, n, mode, flags):
        self.r = random.Random("notify:%d:%s:%s" % (seed, mode, flags))
        self.sg = random_strings.Gen(seed, extended=False)
        self.tg = random_types.Gen(seed + 7777, extended=False)
        self.n = n
        self.mode = mode
        self.flags = flags
        self.lines = []
        self.ncmd = 0
        self.abs_next = 4100000000

    def chance(self, p):
        return self.r.random() < p

    def add(self, args, tag="", conn="main"):
        self.lines.append(line(args, tag, conn))
        self.ncmd += 1

    # -- sources of command groups ---------------------------------------------

    def fix(self, args):
        """SET ... EXAT/PXAT in the past would leave a logically expired key
        whose `expired` event comes when expiry gets to it (timing): move such
        times to the far future."""
        if not args or args[0].upper() != b"SET":
            return args
        args = list(args)
        for i in range(3, len(args) - 1):
            o = args[i].upper()
            if o in (b"EXAT", b"PXAT"):
                try:
                    v = int(args[i + 1])
                except ValueError:
                    continue
                lim = NOW * 1000 if o == b"PXAT" else NOW
                if 0 < v <= lim + 3600 * (1000 if o == b"PXAT" else 1):
                    self.abs_next += 7
                    args[i + 1] = str(self.abs_next * (1000 if o == b"PXAT" else 1)).encode()
        return args

    def strings_group(self):
        tag, a = self.sg.command()
        pend, self.sg.pending = self.sg.pending, []
        return [("", casefile.split_args(p)) for p in pend] + [(tag, self.fix(a))]

    def types_group(self):
        return [(t, self.fix(a)) for t, a in self.tg.one()]

    def dbnum(self):
        if self.chance(0.04):
            return self.r.choice([b"16", b"-1", b"abc", b"99999999999"])
        return str(self.r.randrange(NDB)).encode()

    def extra_group(self):
        r = self.r
        k = r.choice(ALL_KEYS)
        c = r.choices(["SELECT", "FLUSHDB", "FLUSHALL", "SWAPDB", "MOVE", "COPY", "PUBLISH", "CONFIG"],
                      weights=[30, 3, 1, 6, 14, 12, 4, 4 if self.flags == "random" else 0])[0]
        if c == "SELECT":
            return [("", [b"SELECT", self.dbnum()])]
        if c == "FLUSHDB":
            return [("", [b"FLUSHDB"] + r.choice([[], [], [b"ASYNC"], [b"SYNC"]]))]
        if c == "FLUSHALL":
            return [("", [b"FLUSHALL"] + r.choice([[], [b"ASYNC"], [b"SYNC"]]))]
        if c == "SWAPDB":
            return [("", [b"SWAPDB", self.dbnum(), self.dbnum()])]
        if c == "MOVE":
            return [("", [b"MOVE", k, self.dbnum()])]
        if c == "COPY":
            # the same name in another db: keys keep the type of their pool
            a = [b"COPY", k, k, b"DB", self.dbnum()]
            if self.chance(0.4):
                a.append(b"REPLACE")
            return [("", a)]
        if c == "PUBLISH":
            ch = r.choice([b"__keyspace@0__:" + k, b"__keyevent@1__:set", b"__key@x__:y", b"notmatched"])
            return [("", [b"PUBLISH", ch, r.choice([b"hello", b"", b"\x00\xff"])])]
        return [("", [b"CONFIG", b"SET", b"notify-keyspace-events", random_flags(r)]),
                ("", [b"CONFIG", b"GET", b"notify-keyspace-events"])]

    def group(self):
        x = self.r.random()
        if x < 0.07:
            return self.extra_group()
        if x < 0.45:
            return self.strings_group()
        return self.types_group()

    def same_pool(self, key):
        for pool in (STR_KEYS, random_types.L, random_types.H, random_types.S, random_types.Z,
                     random_types.ZL, random_types.ANY):
            if key in pool:
                return self.r.choice(pool)
        return key

    def touch(self, key):
        """A write to `key` (or to its whole db) that keeps the type rules of
        its pool: each of these breaks a WATCH of the key when it existed."""
        r = self.r
        x = r.random()
        if x < 0.2:
            return [b"DEL", key]
        if x < 0.3:
            return r.choice([[b"FLUSHDB"], [b"FLUSHALL"], [b"SWAPDB", b"0", str(r.randrange(1, NDB)).encode()],
                             [b"MOVE", key, str(r.randrange(NDB)).encode()]])
        if x < 0.4:
            return r.choice([[b"RENAME", self.same_pool(key), key],
                             [b"COPY", self.same_pool(key), key, b"REPLACE"],
                             [b"PEXPIREAT", key, b"1000"],               # in the past: deleted at once
                             [b"EXPIRE", key, str(9000000 + 100 * r.randrange(1000)).encode()],
                             [b"PERSIST", key]])
        if key in STR_KEYS:
            return self.r.choice([[b"SET", key, b"touched"], [b"APPEND", key, b"t"], [b"INCRBYFLOAT", key, b"1"]])
        if key in random_types.L:
            return [b"RPUSH", key, b"touched"]
        if key in random_types.H:
            return [b"HSET", key, b"f0", b"touched"]
        if key in random_types.S:
            return [b"SADD", key, b"7"]
        if key in random_types.ZL:
            return [b"ZADD", key, b"0", b"touched"]
        if key in random_types.Z:
            return [b"ZADD", key, b"2.5", b"m1"]
        return [b"SET", key, b"hello"]

    def emit_group(self, g, conn="main", queue=False):
        for tag, a in g:
            if queue and tag.startswith("scan-full"):
                continue  # not a command: cannot be queued
            self.add(a, tag, conn)

    def other_action(self, watched):
        if watched and self.chance(0.75):
            self.add(self.touch(self.r.choice(watched)), conn="other")
        else:
            self.emit_group(self.group(), conn="other")

    def transaction(self):
        r = self.r
        watched = []
        if self.chance(0.4):
            watched = [r.choice(ALL_KEYS) for _ in range(r.randint(1, 3))]
            self.add([b"WATCH"] + watched)
            if self.chance(0.2):
                self.add([b"WATCH", r.choice(ALL_KEYS)])
            x = r.random()
            if x < 0.3:
                self.other_action(watched)
            elif x < 0.4:
                self.add(self.touch(r.choice(watched)))  # the watcher's own change
            elif x < 0.5:
                self.emit_group(self.group())
            if self.chance(0.08):
                self.add([b"UNWATCH"] if self.chance(0.9) else [b"UNWATCH", b"x"])
        elif self.chance(0.02):
            self.add(self.r.choice([[b"WATCH"], [b"EXEC", b"x"], [b"DISCARD", b"x"], [b"EXEC"], [b"DISCARD"]]))
        self.add([b"MULTI"])
        for i in range(r.randint(1, 5)):
            self.emit_group(self.group(), queue=True)
            x = r.random()
            if x < 0.10:
                self.other_action(watched)
            elif x < 0.13:
                self.add(r.choice([[b"NOSUCHCMD", b"a"], [b"GET"], [b"SET", b"k0"], [b"get", b"a", b"b"],
                                   [b"SHUTDOWN", b"NOSAVE"]]))  # refused in MULTI: EXECABORT
            elif x < 0.15:
                self.add(r.choice([[b"WATCH", b"k1"], [b"MULTI"], [b"UNWATCH"]]))
        x = r.random()
        if x < 0.02:
            self.add([b"MULTI"])
        elif x < 0.05:
            # arity errors of the transaction commands themselves (EXEC x and
            # DISCARD x inside MULTI end the transaction with EXECABORT)
            self.add(r.choice([[b"EXEC", b"x"], [b"DISCARD", b"x"], [b"MULTI", b"x"], [b"WATCH"],
                               [b"UNWATCH", b"x"]]))
        self.add([b"DISCARD"] if self.chance(0.12) else [b"EXEC"])

    def generate(self):
        flags = b"KEA" if self.flags == "kea" else random_flags(self.r)
        self.add([b"CONFIG", b"SET", b"notify-keyspace-events", flags])
        self.add([b"CONFIG", b"GET", b"notify-keyspace-events"])
        self.tg.header()
        self.lines += self.tg.lines
        self.tg.lines = []
        while self.ncmd < self.n:
            if self.mode == "multi" and self.chance(0.6):
                self.transaction()
            elif self.chance(0.02):
                self.other_action([])
            else:
                self.emit_group(self.group())
        self.tg.footer()
        self.lines += [l for l in self.tg.lines if not l.startswith("#")]
        return self.lines


# --------------------------------------------------------------------------
# execution

def is_sync(m, token):
    return (m[0] in ("array", "push") and len(m[1]) == 3 and m[1][0] == ("bulk", b"message")
            and m[1][1] == ("bulk", SYNC) and m[1][2] == ("bulk", token))


def sort_like(st):
    return st.kind == "cmd" and st.args and st.args[0].upper() in (b"SORT", b"SORT_RO")


class Mismatch(Exception):
    pass


def read_interleaved(c, pushes):
    """Reads one reply from a RESP3 connection that may carry push messages
    anywhere, even between the elements of an aggregate (redis 7.0 writes
    the keyspace events a command causes to the client's own buffer as they
    happen, so inside an EXEC reply they sit between the elements). Returns
    the reply without them; each push is appended to `pushes` as (position,
    push), position = how many reply frames (type lines) came before it."""
    frames = [0]

    def one():
        while True:
            line = c._line()
            if line[:1] != b">":
                break
            n = c._int(line[1:])
            pushes.append((frames[0], ("push", tuple(c.read_reply() for _ in range(n)))))
        frames[0] += 1
        t, rest = line[:1], line[1:]
        if t in (b"*", b"~"):
            n = c._int(rest)
            if n == -1 and t == b"*":
                return ("null", "array")
            return ("array" if t == b"*" else "set", tuple(one() for _ in range(n)))
        if t in (b"%", b"|"):
            n = c._int(rest)
            pairs = tuple((one(), one()) for _ in range(n))
            return ("map", pairs) if t == b"%" else ("attr", pairs, one())
        # a scalar: let the normal reader parse it from the line just taken
        c.pos -= len(line) + 2
        return c.read_reply()
    return one()


class Side:
    def __init__(self, label, server):
        self.label = label
        self.server = server
        self.conns = {}

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}


class Executor:
    def __init__(self, args, ref, cand):
        self.args = args
        self.ref = Side("redis", ref)
        self.cand = Side("candidate", cand)
        self.sides = (self.ref, self.cand)
        self.token = 0
        self.total_steps = 0
        self.total_fail = 0
        self.quiet = False

    def out(self, s):
        if not self.quiet:
            print(s, flush=True)

    # -- connections ---------------------------------------------------------

    def open(self, side, name, proto):
        c = resp.Conn(HOST, side.server.port, timeout=self.args.timeout)
        side.conns[name] = c
        if proto == 3:
            r = c.call("HELLO", "3")
            if r[0] != "map":
                raise Mismatch("HELLO 3 on %s answered %s" % (side.label, fmt(r)))
        return c

    def setup(self, proto):
        """Fresh connections and state on both servers; returns None or a
        mismatch text (subscribe confirmations differ)."""
        confirm = []
        for side in self.sides:
            side.close_all()
            main = self.open(side, "main", proto)
            for a in [[b"FLUSHALL"], [b"CONFIG", b"SET", b"notify-keyspace-events", b""]] + \
                    random_types.reset_config_commands():
                r = main.call(*a)
                if r != ("simple", b"OK"):
                    raise Mismatch("%s: %s answered %s" % (side.label, a, fmt(r)))
            self.open(side, "other", proto)
            self.open(side, "sync", proto)
            sub = self.open(side, "sub", proto)
            got = []
            for a in ([b"PSUBSCRIBE", PATTERN], [b"SUBSCRIBE", SYNC]):
                got.append(sub.call(*a))
            main.pushes = None
            if proto == 3 and self.args.self_sub:
                # main subscribes too: its replies carry its own events
                for a in ([b"PSUBSCRIBE", SELF_PATTERN], [b"SUBSCRIBE", SYNC]):
                    got.append(main.call(*a))
                main.pushes = []
            confirm.append(got)
        if confirm[0] != confirm[1]:
            return "subscribe confirmations differ: redis %s, candidate %s" % (
                ", ".join(fmt(x) for x in confirm[0]), ", ".join(fmt(x) for x in confirm[1]))
        self.db = {"main": 0, "other": 0}
        self.multi = {"main": None, "other": None}
        return None

    # -- one step ------------------------------------------------------------

    def scan_full(self, c, st):
        args = list(st.args)
        pos = 1 if args[0].upper() == b"SCAN" else 2
        pairs = args[0].upper() in (b"HSCAN", b"ZSCAN")
        cursor = b"0"
        items = set()
        for _ in range(100000):
            try:
                c.send(args[:pos] + [cursor] + args[pos:])
                r = self.read(c)
            except resp.ConnectionClosed:
                return ("closed",)
            except resp.Timeout:
                return ("timeout",)
            if not (r[0] == "array" and len(r[1]) == 2 and r[1][0][0] == "bulk" and r[1][1][0] == "array"):
                return r
            cursor = r[1][0][1]
            el = r[1][1][1]
            if pairs:
                items.update((el[j], el[j + 1]) for j in range(0, len(el) - 1, 2))
            else:
                items.update(el)
            if cursor == b"0":
                return ("scan-items", tuple(sorted(items, key=resp.sort_key)))
        return ("error", b"scan-full: the cursor never came back to 0")

    def read(self, c):
        if getattr(c, "pushes", None) is not None:
            return read_interleaved(c, c.pushes)
        return c.read_reply()

    def own_pushes(self, side, token):
        """A self-subscribed main connection: the pushes that came with the
        step's reply, then those up to the sync message; [] otherwise."""
        c = side.conns.get("main")
        if c is None or getattr(c, "pushes", None) is None:
            return []
        out = c.pushes
        c.pushes = []
        if c.closed:
            return out + [("after", ("closed",))]
        while True:
            try:
                m = c.read_reply()
            except resp.Timeout:
                return out + [("after", ("timeout",))]
            except resp.ConnectionClosed:
                return out + [("after", ("closed",))]
            except resp.RespError as e:
                c.close()
                return out + [("after", ("malformed", str(e)))]
            if is_sync(m, token):
                return out
            out.append(("after", m))

    def events_both(self, token):
        """PUBLISHes the sync token on both servers, then returns what each
        `sub` received before it."""
        syncs = [side.conns["sync"] for side in self.sides]
        for c in syncs:
            try:
                c.send([b"PUBLISH", SYNC, token])
            except (resp.ConnectionClosed, resp.Timeout):
                pass
        return [self.events(side, c, token) for side, c in zip(self.sides, syncs)], \
            [self.own_pushes(side, token) for side in self.sides]

    def events(self, side, sync, token):
        try:
            r = sync.read_reply()
        except (resp.ConnectionClosed, resp.Timeout, resp.RespError) as e:
            r = ("sync-failed", repr(e))
        want = 2 if getattr(side.conns.get("main"), "pushes", None) is not None else 1
        if r != ("int", want):
            return [("sync-publish", r)]
        sub = side.conns["sub"]
        evs = []
        while True:
            try:
                m = sub.read_reply()
            except resp.Timeout:
                return evs + [("timeout",)]
            except resp.ConnectionClosed:
                return evs + [("closed",)]
            except resp.RespError as e:
                sub.close()
                return evs + [("malformed", str(e))]
            if is_sync(m, token):
                return evs
            evs.append(m)

    def call_both(self, st):
        """The step's reply on each side; a command is sent to both servers
        before either reply is read."""
        conns = [side.conns.get(st.conn) for side in self.sides]
        res = [None, None]
        sent = [False, False]
        for i, c in enumerate(conns):
            if c is None or c.closed:
                res[i] = ("closed",)
            elif st.kind == "scan":
                try:
                    res[i] = self.scan_full(c, st)
                except resp.RespError as e:
                    c.close()
                    res[i] = ("malformed", str(e))
            else:
                try:
                    c.send(st.args)
                    sent[i] = True
                except resp.ConnectionClosed:
                    res[i] = ("closed",)
                except resp.Timeout:
                    res[i] = ("timeout",)
        for i, c in enumerate(conns):
            if not sent[i]:
                continue
            try:
                res[i] = self.read(c)
            except resp.ConnectionClosed:
                res[i] = ("closed",)
            except resp.Timeout:
                res[i] = ("timeout",)
            except resp.RespError as e:
                c.close()
                res[i] = ("malformed", str(e))
        return res

    def compare_reply(self, st, a, b, proto):
        q = self.multi.get(st.conn)
        name = st.args[0].upper() if st.args else b""
        if (q is not None and name == b"EXEC" and a[0] == "array" and b[0] == "array"
                and len(a[1]) == len(b[1]) == len(q)):
            for i, (qs, x, y) in enumerate(zip(q, a[1], b[1])):
                why = runner.compare(qs, x, y, proto)
                if why:
                    return "EXEC element %d (%s): %s" % (i + 1, qs.text, why)
            return None
        if st.kind == "scan":
            return None if a == b else "full scans differ"
        if q is not None and name != b"EXEC":
            return None if a == b else "replies differ"  # +QUEUED or a queueing error
        return runner.compare(st, a, b, proto)

    def update_state(self, st, a):
        """Follows redis' reply: databases and MULTI state per connection."""
        conn = st.conn
        if conn not in self.db or st.kind != "cmd":
            return
        name = st.args[0].upper()
        q = self.multi[conn]
        if q is None:
            if name == b"MULTI" and a == ("simple", b"OK"):
                self.multi[conn] = []
            elif name == b"SELECT" and a == ("simple", b"OK"):
                self.db[conn] = int(st.args[1])
            return
        if name == b"EXEC" or (name == b"DISCARD" and a == ("simple", b"OK")):   # DISCARD x: an error, MULTI goes on
            if name == b"EXEC" and a[0] == "array" and len(a[1]) == len(q):
                for qs, r in zip(q, a[1]):
                    if qs.args[0].upper() == b"SELECT" and r == ("simple", b"OK"):
                        self.db[conn] = int(qs.args[1])
            self.multi[conn] = None
        elif a == ("simple", b"QUEUED"):
            q.append(st)

    def step(self, st, proto, where):
        """Runs one step on both servers and compares; returns a list of
        mismatch texts (empty if they agree)."""
        self.total_steps += 1
        res = self.call_both(st)
        self.token += 1
        evs, own = self.events_both(str(self.token).encode())
        a, b = res
        self.last_ref = a
        out = []
        if self.args.verbose and not self.quiet:
            self.out("  %s %s\n    -> %s%s%s" % (where, st.text, fmt(a), "".join(
                "\n       event %s" % fmt_events([e])[1:-1] for e in evs[0]), "".join(
                "\n       own push @%s %s" % (pos, fmt_events([e])[1:-1]) for pos, e in own[0])))
        why = self.compare_reply(st, a, b, proto)
        if why:
            out.append((why, fmt(a), fmt(b)))
        for side, ev, ow in zip(self.sides, evs, own):
            bad = [e for e in ev + [p for _, p in ow] if e[0] in ("sync-publish", "timeout", "closed", "malformed")]
            if bad:
                out.append(("no sync message on %s: %s" % (side.label, ", ".join(fmt(x) for x in bad)), "", ""))
        ea, eb = evs
        unordered = sort_like(st) or (st.args and st.args[0].upper() == b"EXEC" and
                                      any(sort_like(q) for q in (self.multi.get(st.conn) or [])))
        if unordered:
            ea, eb = sorted(ea, key=resp.sort_key), sorted(eb, key=resp.sort_key)
        if ea != eb:
            out.append(("events differ%s" % (" (as multisets)" if unordered else ""),
                        fmt_events(evs[0]), fmt_events(evs[1])))
        oa, ob = own
        if unordered:
            oa, ob = sorted((p for _, p in oa), key=resp.sort_key), sorted((p for _, p in ob), key=resp.sort_key)
        if oa != ob:
            out.append(("pushes on the command connection differ%s" % (
                " (as multisets)" if unordered else " (position = reply frames before the push)"),
                fmt_own(own[0]), fmt_own(own[1])))
        self.update_state(st, a)
        return out, b

    def run(self, name, lines, proto, save=True):
        """Runs case-format lines; returns (mismatches, first mismatch's
        signature or None)."""
        try:
            why = self.setup(proto)
        except (OSError, Mismatch) as e:
            why = "set-up failed: %s" % e
        t0 = time.monotonic()
        done = []
        fails = 0
        first = None
        steps = 0
        if why:
            self.report(name, proto, "set-up", "", [(why, "", "")])
            fails = 1
            first = ("setup", why)
            lines = []
        for no, text in enumerate(lines, 1):
            st = casefile.parse_line(name, no, text)
            if st is None:
                continue
            if st.conn == "other" and self.db["other"] != self.db["main"] and self.multi["other"] is None:
                sel = casefile.parse_line(name, no, "conn:other: SELECT %d" % self.db["main"])
                done.append(sel.text)
                steps += 1
                mm, _ = self.step(sel, proto, "%s:%d" % (name, no))
                if mm:
                    fails += 1
                    sig = self.fail(name, proto, no, sel, mm, done, save and first is None)
                    first = first or sig
            done.append(st.text)
            steps += 1
            mm, b = self.step(st, proto, "%s:%d" % (name, no))
            if mm:
                fails += 1
                sig = self.fail(name, proto, no, st, mm, done, save and first is None)
                first = first or sig
            if b[0] in ("closed", "timeout", "malformed") or not self.cand.server.alive():
                if self.crashed(name, proto, no):
                    fails += 1
                    first = first or ("crash", st.args[0].upper() if st.args else b"")
                    break
                if b[0] == "timeout" and self.last_ref[0] != "timeout" and self.cand.server.managed:
                    self.out("HANG %s:%d [resp%d]: no reply from the candidate within %.1fs; "
                             "restarted, rest of the run skipped" % (name, no, proto, self.args.timeout))
                    self.cand.close_all()
                    self.cand.server.restart()
                    fails += 1
                    first = first or ("hang", st.args[0].upper() if st.args else b"")
                    break
            if fails >= self.args.max_fail:
                self.out("  ... stopping this run after %d mismatches (--max-fail)" % fails)
                break
        dt = time.monotonic() - t0
        self.total_fail += fails
        self.out("%-5s resp%d %-36s %5d steps %6.2fs" % ("ok" if not fails else "FAIL(%d)" % fails,
                                                         proto, name, steps, dt))
        return fails, first

    def crashed(self, name, proto, no):
        srv = self.cand.server
        deadline = time.monotonic() + 1.0
        while srv.managed and srv.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.ref.server.alive():
            raise RuntimeError("the reference redis-server died at %s:%d" % (name, no))
        if srv.managed and not srv.alive():
            self.out("CRASH %s:%d [resp%d]: candidate exited with code %s; log:\n%s"
                     % (name, no, proto, srv.exit_code(), srv.log_tail()))
            self.cand.close_all()
            srv.restart()
            return True
        return False

    def fail(self, name, proto, no, st, mm, done, save):
        for why, a, b in mm:
            self.report(name, proto, no, st.text, [(why, a, b)])
        path = None
        if save and self.args.save_dir:
            os.makedirs(self.args.save_dir, exist_ok=True)
            path = os.path.join(self.args.save_dir, "%s-resp%d.txt" % (
                name.replace("(", "-").replace(")", "").replace(",", "-").replace("=", ""), proto))
            with open(path, "w") as f:
                f.write("# %s resp%d: commands up to the first mismatch (%s)\n" % (name, proto, mm[0][0]))
                f.write("\n".join(done) + "\n")
            self.out("  saved the %d commands so far to %s (replay: --file, shrink: --minimize; add --resp %d)"
                     % (len(done), path, proto))
        return (mm[0][0].split(" (")[0].split(":")[0], st.args[0].upper() if st.args else b"")

    def report(self, name, proto, no, text, mm):
        for why, a, b in mm:
            self.out("MISMATCH %s:%s [resp%d] %s" % (name, no, proto, text))
            self.out("  why:       %s" % why)
            if a or b:
                self.out("  redis:     %s" % a)
                self.out("  candidate: %s" % b)


def fmt_own(pushes):
    if not pushes:
        return "(no pushes)"
    return "[" + " | ".join("@%s %s" % (pos, fmt_events([p])[1:-1]) for pos, p in pushes) + "]"


def fmt_events(evs):
    if not evs:
        return "(no events)"
    parts = []
    for e in evs:
        if e[0] in ("array", "push") and all(x[0] == "bulk" for x in e[1]):
            parts.append("%s%s" % (">" if e[0] == "push" else "*",
                                   " ".join(repr(x[1])[1:] for x in e[1])))
        else:
            parts.append(fmt(e))
    return "[" + " | ".join(parts) + "]"


# --------------------------------------------------------------------------
# minimization

def read_lines(path):
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.lstrip().startswith("#")]


def minimize(ex, lines, proto):
    """Shrinks `lines` while the first mismatch keeps its signature (ddmin
    by chunks, then line by line)."""
    ex.quiet = True
    try:
        _, target = ex.run("minimize", lines, proto, save=False)
        if target is None:
            return None, None

        def fails(ls):
            _, sig = ex.run("minimize", ls, proto, save=False)
            return sig == target
        n = 2
        while len(lines) >= 2:
            chunk = max(1, len(lines) // n)
            reduced = False
            for i in range(0, len(lines), chunk):
                cand = lines[:i] + lines[i + chunk:]
                if cand and fails(cand):
                    lines = cand
                    n = max(n - 1, 2)
                    reduced = True
                    break
            if not reduced:
                if chunk == 1:
                    break
                n = min(len(lines), n * 2)
        return lines, target
    finally:
        ex.quiet = False


# --------------------------------------------------------------------------

def parse_seeds(args):
    seeds = list(args.seed)
    for spec in args.seeds:
        lo, _, hi = spec.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds or [1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--candidate", metavar="PATH", help="candidate server binary")
    g.add_argument("--candidate-redis", action="store_true", help="self-test: a second redis-server as candidate")
    g.add_argument("--candidate-port", type=int, metavar="N", help="an already running candidate on 127.0.0.1:N")
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--seed", type=int, action="append", default=[], help="seed (repeatable)")
    ap.add_argument("--seeds", action="append", default=[], metavar="A-B", help="a range of seeds")
    ap.add_argument("-n", "--steps", type=int, default=1000, help="commands per run (default 1000)")
    ap.add_argument("--mode", choices=("plain", "multi", "both"), default="both")
    ap.add_argument("--flags", choices=("kea", "random", "both", "mixed"), default="both",
                    help="notify-keyspace-events: KEA, random flags, a run of each (default), or "
                         "mixed: one run per seed, KEA for seeds 1, 4, 7 ..., random flags for the others")
    ap.add_argument("--resp", choices=("2", "3"), help="only this protocol (default: 2 then 3)")
    ap.add_argument("--no-self-sub", dest="self_sub", action="store_false",
                    help="under RESP3, do not subscribe the command connection itself")
    ap.add_argument("--file", metavar="PATH", help="replay a saved log instead of generating")
    ap.add_argument("--minimize", metavar="PATH", help="shrink a saved failing log, print the result")
    ap.add_argument("--dump", action="store_true", help="print the generated lines for the first seed/mode/flags and exit")
    ap.add_argument("--save-dir", default=os.path.join(tempfile.gettempdir(), "random-notify-fails"),
                    help="where failing logs are saved (default %(default)s; '' to disable)")
    ap.add_argument("--max-fail", type=int, default=5, help="mismatches per run before it stops (default 5)")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--keep", action="store_true", help="keep the servers' temp dirs")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    seeds = parse_seeds(args)
    modes = ["plain", "multi"] if args.mode == "both" else [args.mode]
    passes = ["kea", "random"] if args.flags == "both" else [args.flags]

    def passes_for(seed):
        if args.flags == "mixed":
            return ["kea" if seed % 3 == 1 else "random"]
        return passes
    protos = [int(args.resp)] if args.resp else [2, 3]

    if args.dump:
        sys.stdout.write("\n".join(Gen(seeds[0], args.steps, modes[0], passes_for(seeds[0])[0]).generate()) + "\n")
        return 0

    ref = runner.Server("redis", [args.redis_server])
    if args.candidate_redis:
        cand = runner.Server("cand", [args.redis_server])
    elif args.candidate:
        path = os.path.abspath(args.candidate)
        if not os.access(path, os.X_OK):
            print("candidate binary %s is not executable" % path, file=sys.stderr)
            return 2
        cand = runner.Server("cand", [path])
    else:
        cand = runner.Server("cand", None, port=args.candidate_port)
    # a SIGTERM or SIGHUP (a CI timeout, a closed terminal) still stops the
    # servers (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    t0 = time.monotonic()
    try:
        if not runner.start_pair(ref, cand, args.candidate_redis):
            return 2
        ex = Executor(args, ref, cand)
        if args.minimize:
            lines = read_lines(args.minimize)
            for proto in protos:
                small, sig = minimize(ex, lines, proto)
                if small is None:
                    print("resp%d: no mismatch in %s" % (proto, args.minimize))
                    continue
                print("resp%d: %d lines still give the first mismatch (%s, %s):" % (
                    proto, len(small), sig[0], sig[1].decode("latin-1")))
                print("\n".join(small))
                ex.run("minimal", small, proto, save=False)
            return 0
        runs = 0
        for proto in protos:
            if args.file:
                ex.run(os.path.basename(args.file), read_lines(args.file), proto)
                runs += 1
                continue
            for seed in seeds:
                for mode in modes:
                    for fl in passes_for(seed):
                        lines = Gen(seed, args.steps, mode, fl).generate()
                        ex.run("notify(seed=%d,%s,%s)" % (seed, mode, fl), lines, proto)
                        runs += 1
    except RuntimeError as e:
        print("aborted: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        ref.cleanup(args.keep)
        cand.cleanup(args.keep)
    print("random_notify: %d runs, %d steps, %d mismatches, %.1fs" % (
        runs, ex.total_steps, ex.total_fail, time.monotonic() - t0))
    return 1 if ex.total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
