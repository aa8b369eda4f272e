#!/usr/bin/python3
"""Seeded, reproducible random command sequences for the collection types
(lists, hashes, sets, sorted sets, streams, SORT) in the case-file format
(README.md), with OBJECT/MEMORY probes and DUMP/RESTORE round trips
(random_objects.py).

    random_types.py --seed 7 -n 2000 > /tmp/t7.txt
    runner.py --candidate build/taskkv-server --random-types 2000 --seed 7

The same (seed, n) always gives the same text. Each sequence starts by
setting the encoding thresholds (small ones most of the time, so that
listpack/intset -> hashtable/skiplist conversions happen after a few
elements; the defaults now and then) and its key-tracking mode
(random_objects.py), creates a few weight keys for SORT BY/GET, then draws
n commands over a small key space so that operations collide (now and then
a threshold changes again), and ends by restoring the defaults.

Key pools (the generator never tracks values, only which pool a key is in):
  l0..l5    lists           h0..h5   hashes        s0..s5   sets
  z0..z4    sorted sets     zl0 zl1  sorted sets whose scores are all 0
  x0..x2    streams
  str0 str1 dst             "any type": strings at first, any STORE,
                            RENAME or RESTORE may turn them into anything
A command mostly uses keys of its own pool; now and then a key of the "any"
pool (WRONGTYPE, or overwriting another type with a STORE) and, for reads,
a key of another pool. Writes never create a key of another type in a
typed pool, which keeps the rules below true:

  - lex commands (ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX, ZRANGE BYLEX) only
    touch zl* (and keys that can never hold a zset): on a zset with mixed
    scores their result depends on the skiplist's random levels;
  - SORT ... BY nosort only takes a LIMIT on keys that cannot be sets (a
    set's order is its hash order), and is compared unordered when the key
    may be a set; SORT ... ALPHA with a BY pattern is compared unordered,
    without LIMIT or STORE (ties keep the sort algorithm's order);
  - members of lists/sets/zsets hold at most one NUL-containing value whose
    prefix is not itself a member (SORT ALPHA compares with strcoll).

Comparison tags: unordered: for SMEMBERS/SUNION/SINTER/SDIFF/HKEYS/HVALS,
pairs-unordered: for HGETALL, prop:shape for the random replies of SPOP,
SRANDMEMBER, HRANDFIELD, ZRANDMEMBER (an SPOP that may leave members behind
is followed by a DEL of its key; `SPOP key 1000000` empties it and is
compared unordered), scan-full: for SSCAN/HSCAN/ZSCAN (a direct call only
with an invalid cursor). Blocking commands get a timeout of 0.01-0.02 s (or
an invalid one), never 0. Relative TTLs are unique and >= 10000 s (TTL reads
use prop:near), as in random_strings.py.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from casefile import quote_arg  # noqa: E402
import random_objects  # noqa: E402

# -- key pools ------------------------------------------------------------------

L = [b"l0", b"l1", b"l2", b"l3", b"l4", b"l5"]
H = [b"h0", b"h1", b"h2", b"h3", b"h4", b"h5"]
S = [b"s0", b"s1", b"s2", b"s3", b"s4", b"s5"]
Z = [b"z0", b"z1", b"z2", b"z3", b"z4"]
ZL = [b"zl0", b"zl1"]
X = [b"x0", b"x1", b"x2"]
ANY = [b"str0", b"str1", b"dst"]
POOLS = {"l": L, "h": H, "s": S, "z": Z, "zl": ZL, "x": X, "any": ANY}
ALL_KEYS = L + H + S + Z + ZL + X + ANY

# -- values ---------------------------------------------------------------------

# The only NUL-containing element; its prefix "\xffbin" is never a member.
BIN = b"\xffbin\x00x"
NUMS = [b"0", b"1", b"2", b"3", b"5", b"7", b"10", b"-1", b"-5", b"42", b"100", b"3.5", b"-2.5",
        b"1e3", b"0x10", b" 1", b"inf", b"9223372036854775807"]
WORDS = [b"a", b"b", b"c", b"d", b"e", b"A", b"B", b"", b"hello", b"x" * 9, b"y" * 70, BIN,
         b"caf\xc3\xa9", b"\r\n", b"nan", b"1e400"]
LIST_VALS = NUMS + WORDS
SET_INTS = [b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9", b"10", b"-1", b"-5", b"100",
            b"65535", b"65536", b"2147483648", b"9223372036854775807", b"-9223372036854775808"]
SET_NOT_INTS = [b"01", b"+1", b"1.0", b" 2", b"-0", b"9223372036854775808", b"a", b"b", b"c", b"d",
                b"hello", b"x" * 9, b"y" * 70, BIN, b""]
FIELDS = [b"f0", b"f1", b"f2", b"f3", b"f4", b"f5", b"1", b"2", b"a", b"long_field_name", b"",
          b"\x00bin", b"y" * 70]
HVALS = [b"0", b"1", b"-1", b"10", b"42", b"1.5", b"-2.25", b"1e3", b"9223372036854775807",
         b"-9223372036854775808", b"9223372036854775806", b"abc", b"", b"v" * 9, b"w" * 70, b"\x00\xff",
         b" 1", b"0x10", b"inf", b"3.0"]
MEMBERS = [b"m0", b"m1", b"m2", b"m3", b"m4", b"m5", b"a", b"b", b"c", b"", b"x" * 9, b"y" * 70, BIN,
           b"1", b"10"]
SCORES = [b"0", b"1", b"2", b"3", b"-1", b"10", b"0.1", b"0.2", b"2.5", b"-3.75", b"1e-5", b"1e3",
          b"-0", b"+inf", b"-inf", b"inf", b"1.5e300", b"1e308", b"0x10", b"5.0", b"17", b"3"]
BAD_SCORES = [b"nan", b"abc", b"", b"1e400", b"1e-400", b"(1", b" 1", b"1x"]
SCORE_BOUNDS = [b"-inf", b"+inf", b"inf", b"0", b"1", b"2", b"3", b"10", b"-1", b"2.5", b"(1", b"(2",
                b"(0", b"(-inf", b"(+inf", b"(10", b"(2.5", b"1e3", b"-0", b"100", b"5"]
BAD_BOUNDS = [b"abc", b"[1", b"(", b"nan", b"(nan", b"", b"1x"]
LEX_BOUNDS = [b"-", b"+", b"[a", b"(a", b"[b", b"(b", b"[c", b"[m", b"(m3", b"[m3", b"[", b"(",
              b"[x", b"[\xff", b"(\xff"]
BAD_LEX = [b"a", b"+inf", b"-a", b"", b"1"]
INDEXES = [b"0", b"1", b"2", b"3", b"-1", b"-2", b"-3", b"5", b"10", b"-10", b"100", b"-100"]
BAD_INDEXES = [b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808", b"abc", b"1.5",
               b"", b"+1"]
COUNTS = [b"0", b"1", b"2", b"3", b"5", b"10", b"1000"]
BAD_COUNTS = [b"-1", b"-100", b"abc", b"1.5", b"9223372036854775807", b"-9223372036854775808", b""]
RAND_COUNTS = [b"0", b"1", b"2", b"3", b"5", b"100", b"-1", b"-2", b"-3", b"-5", b"-20",
               b"-9223372036854775808", b"abc"]  # never a huge valid negative count
TIMEOUTS = [b"0.01", b"0.01", b"0.01", b"0.02"]
BAD_TIMEOUTS = [b"-1", b"abc", b"nan", b"-0.5", b""]
INCRS = [b"0", b"1", b"-1", b"5", b"100", b"-100", b"9223372036854775807", b"-9223372036854775808"]
BAD_INCRS = [b"abc", b"1.5", b"", b"9223372036854775808"]
FLOAT_INCRS = [b"0", b"1", b"0.1", b"-0.1", b"1.5", b"-2.25", b"1e3", b"1e-5", b"3.0", b"10.50", b"5e17",
               b"1e308", b"inf", b"-inf", b"nan", b"abc", b"", b"0x10"]

# SORT: weights w_<elem> (strings) and hw_<elem> (hashes with fields f, g)
# for part of the elements; one weight is not a number.
SORT_WEIGHTED = [b"0", b"1", b"2", b"3", b"5", b"10", b"-1", b"a", b"b", b"c", b"d", b"hello", b"A",
                 b"3.5", b"m0", b"m1", b"m2"]

# Encoding thresholds: (name, alias, small values, default); defaults as
# redis 7.0.15 runs without a config file. A sequence sets each one to a
# small value (drawn from `small`: a list, or a (lo, hi) range) most of the
# time, under its name or its old alias; now and then one of them changes
# again in the middle of the sequence (CONFIG_CHANGES). (set-max-listpack-
# entries is 7.2: redis 7.0.15 keeps sets of strings in hash tables.)
THRESHOLDS = [
    (b"hash-max-listpack-entries", b"hash-max-ziplist-entries", (0, 16), b"512"),
    (b"hash-max-listpack-value", b"hash-max-ziplist-value", (0, 72), b"64"),
    (b"zset-max-listpack-entries", b"zset-max-ziplist-entries", (0, 16), b"128"),
    (b"zset-max-listpack-value", b"zset-max-ziplist-value", (0, 72), b"64"),
    (b"set-max-intset-entries", None, (0, 16), b"512"),
    (b"list-max-listpack-size", b"list-max-ziplist-size", [b"-1", b"-2", b"-3", b"-5", b"0", b"1", b"2", b"3",
                                                           b"4", b"8", b"16"], b"-2"),
    (b"list-compress-depth", None, [b"0", b"1", b"2", b"3"], b"0"),
    (b"stream-node-max-entries", None, (1, 8), b"100"),
    (b"stream-node-max-bytes", None, [b"4096", b"4096", b"64", b"200", b"0"], b"4096"),
]
# the thresholds a sequence may change in its middle (a list keeps the fill
# it was created with; sets, hashes and sorted sets convert by the current
# limits on their next addition)
CONFIG_CHANGES = THRESHOLDS[:8]


def threshold_value(r, small):
    if isinstance(small, tuple):
        return str(r.randint(*small)).encode()
    return r.choice(small)


# Redis' SORT converts weights and elements with strtod() and then tests
# errno == ERANGE without clearing errno first, so an ERANGE left behind by
# an earlier command on the connection (a SCAN cursor past 2^64, a score of
# 1e400 ...) turns a later `SORT k BY w_*` with a weight of 0.5 into "One or
# more scores can't be converted into double". A command that parses a valid
# float (which clears errno) right before each SORT keeps that history out.
ERRNO_RESET = [b"INCRBYFLOAT", b"sort:errno-reset", b"0"]


def score_key(b):
    """Numeric order of a score bound (ValueError for invalid ones)."""
    x = b[1:] if b.startswith(b"(") else b
    return float(x.decode())


def lex_key(b):
    """Order of a lex bound (ValueError for invalid ones)."""
    if b == b"-":
        return (0, b"")
    if b == b"+":
        return (2, b"")
    if b[:1] in (b"[", b"("):
        return (1, b[1:])
    raise ValueError(b)


def reset_config_commands():
    """The CONFIG SET commands restoring every threshold and policy this
    generator changes (the runner sends them after a types sequence, even
    one cut short by a crash)."""
    return [[b"CONFIG", b"SET", name, default] for name, _, _, default in THRESHOLDS] + \
        random_objects.reset_policy_commands()


class Gen:
    def __init__(self, seed, only=None, extended=True):
        """extended=False leaves out the streams and the "objects" group
        (random_notify.py, which keeps to the other commands)."""
        self.r = random.Random(seed)
        self.only = only
        self.extended = extended
        pool = list(range(10000, 10000 + 100 * 50000, 100))
        self.r.shuffle(pool)
        self.ttl_pool = pool
        self.lines = []
        self.before = []   # lines to emit before the command being drawn
        self.xid = 10      # stream IDs: every valid XADD ID is past all earlier ones
        self.small_list_nodes = False   # list-max-listpack-size is 0..4 (set by header())
        self.r.random()    # so that a seed's mode is not random_strings.py's for the same seed
        self.probes = random_objects.Probes(self)
        self.table = self._table()

    # -- output -------------------------------------------------------------------

    def emit(self, args, tag=""):
        self.lines.append(tag + " ".join(quote_arg(a) for a in args))

    # -- pickers ------------------------------------------------------------------

    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    def key(self, pool, write=False, other=()):
        """A key of `pool` ("l", "h", ...); sometimes one of the "any" pool;
        for reads (write=False) sometimes one of the `other` pools or of
        every other typed pool."""
        x = self.r.random()
        if x < 0.06:
            return self.pick(ANY)
        if not write and x < 0.10:
            pools = other or [p for p in ("l", "h", "s", "z", "x") if p != pool]
            return self.pick(POOLS[self.pick(pools)])
        return self.pick(POOLS[pool])

    def zkey(self, write=False):
        """A sorted-set key for a command that is not lexicographic: reads
        may use zl*, writes that can change a score may not."""
        if not write and self.chance(0.25):
            return self.key("zl")
        return self.key("z", write)

    def lexkey(self):
        """A key for a lexicographic command: zl*, or a key of a pool that
        never holds a sorted set."""
        if self.chance(0.9):
            return self.pick(ZL)
        return self.pick(POOLS[self.pick(("l", "h", "s"))])

    def several(self, fn, lo=1, hi=4):
        return [fn() for _ in range(self.r.randint(lo, hi))]

    def list_val(self, numeric=False):
        if numeric or self.chance(0.45):
            return self.pick(NUMS[:13])
        return self.pick(LIST_VALS)

    def set_member(self):
        return self.pick(SET_INTS) if self.chance(0.6) else self.pick(SET_NOT_INTS)

    def field(self):
        return self.pick(FIELDS[:6]) if self.chance(0.6) else self.pick(FIELDS)

    def hval(self):
        return self.pick(HVALS[:6]) if self.chance(0.4) else self.pick(HVALS)

    def member(self):
        return self.pick(MEMBERS[:6]) if self.chance(0.5) else self.pick(MEMBERS)

    def score(self):
        return self.pick(SCORES) if self.chance(0.95) else self.pick(BAD_SCORES)

    def bound(self):
        return self.pick(SCORE_BOUNDS) if self.chance(0.95) else self.pick(BAD_BOUNDS)

    def lex(self):
        return self.pick(LEX_BOUNDS) if self.chance(0.95) else self.pick(BAD_LEX)

    def bound_pair(self, rev=False, lex=False):
        """(min, max) score or lex bounds, mostly in order (max, min with
        rev=True), else drawn independently."""
        one = self.lex if lex else self.bound
        a, b = one(), one()
        if self.chance(0.7):
            key = lex_key if lex else score_key
            try:
                a, b = sorted((a, b), key=key)
            except ValueError:
                pass
            if rev:
                a, b = b, a
        return [a, b]

    def index_pair(self):
        if self.chance(0.7):
            return [self.pick([b"0", b"0", b"1", b"2", b"-3", b"-2", b"-100"]),
                    self.pick([b"-1", b"-1", b"2", b"3", b"5", b"100", b"-2"])]
        return [self.index(), self.index()]

    def index(self):
        return self.pick(INDEXES) if self.chance(0.92) else self.pick(BAD_INDEXES)

    def count(self):
        return self.pick(COUNTS) if self.chance(0.9) else self.pick(BAD_COUNTS)

    def timeout(self):
        return self.pick(TIMEOUTS) if self.chance(0.93) else self.pick(BAD_TIMEOUTS)

    def side(self):
        return self.pick([b"LEFT", b"RIGHT", b"left", b"RIGHT"]) if self.chance(0.97) else b"MIDDLE"

    def minmax(self):
        return self.pick([b"MIN", b"MAX", b"min"]) if self.chance(0.97) else b"BOGUS"

    def limit(self):
        return [b"LIMIT", self.pick([b"0", b"0", b"1", b"2", b"-1", b"5"]),
                self.pick([b"1", b"2", b"3", b"10", b"-1", b"-1", b"0"])]

    def ttl(self):
        if self.chance(0.9):
            return str(self.ttl_pool.pop()).encode()
        return self.pick([b"0", b"-1", b"abc"])

    def numkeys_and_keys(self, keyfn, lo=1, hi=4):
        """numkeys k1 .. kn, now and then with a wrong numkeys."""
        keys = [keyfn() for _ in range(self.r.randint(lo, hi))]
        n = str(len(keys)).encode()
        x = self.r.random()
        if x < 0.03:
            n = b"0"
        elif x < 0.06:
            n = str(len(keys) + 2).encode()
        elif x < 0.08:
            n = self.pick([b"-1", b"abc", b"9223372036854775807"])
        return [n] + keys

    # -- lists --------------------------------------------------------------------

    def c_push(self):
        cmd = self.pick([b"LPUSH", b"RPUSH", b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"])
        numeric = self.chance(0.4)
        n = self.r.randint(1, 4) if self.chance(0.9) else self.r.randint(5, 12)
        return [cmd, self.key("l", write=True)] + [self.list_val(numeric) for _ in range(n)]

    def c_pop(self):
        a = [self.pick([b"LPOP", b"RPOP"]), self.key("l", write=True)]
        if self.chance(0.4):
            a.append(self.count())
        return a

    def c_llen(self):
        return [b"LLEN", self.key("l")]

    def c_lindex(self):
        return [b"LINDEX", self.key("l"), self.index()]

    def c_linsert(self):
        where = self.pick([b"BEFORE", b"AFTER", b"before"]) if self.chance(0.96) else b"MIDDLE"
        return [b"LINSERT", self.key("l", write=True), where, self.list_val(), self.list_val()]

    def c_lset(self):
        return [b"LSET", self.key("l", write=True), self.index(), self.list_val()]

    def c_lrange(self):
        return [b"LRANGE", self.key("l")] + self.index_pair()

    def c_lrem(self):
        return [b"LREM", self.key("l", write=True), self.pick([b"0", b"1", b"2", b"-1", b"-2", b"100", b"abc"]),
                self.list_val()]

    def c_ltrim(self):
        return [b"LTRIM", self.key("l", write=True)] + self.index_pair()

    def c_lpos(self):
        a = [b"LPOS", self.key("l"), self.list_val()]
        # (not RANK -9223372036854775808: Redis negates it, an overflow, and
        # then ignores COUNT)
        opts = [[b"RANK", self.pick([b"1", b"2", b"-1", b"-2", b"0", b"5", b"-9223372036854775807", b"abc"])],
                [b"COUNT", self.pick([b"0", b"1", b"2", b"10", b"-1"])],
                [b"MAXLEN", self.pick([b"0", b"1", b"3", b"100", b"-1"])], [b"BOGUS"]]
        for _ in range(self.r.choice([0, 0, 1, 1, 2, 3])):
            a += self.pick(opts[:3] if self.chance(0.95) else opts)
        return a

    def c_rpoplpush(self):
        return [b"RPOPLPUSH", self.key("l", write=True), self.key("l", write=True)]

    def c_lmove(self):
        return [b"LMOVE", self.key("l", write=True), self.key("l", write=True), self.side(), self.side()]

    def c_lmpop(self):
        a = [b"LMPOP"] + self.numkeys_and_keys(lambda: self.key("l", write=True), 1, 3) + [self.side()]
        if self.chance(0.5):
            a += [b"COUNT", self.count() if self.chance(0.9) else b"0"]
        return a

    def c_blpop(self):
        return [self.pick([b"BLPOP", b"BRPOP"])] + self.several(lambda: self.key("l", write=True), 1, 3) + \
            [self.timeout()]

    def c_brpoplpush(self):
        return [b"BRPOPLPUSH", self.key("l", write=True), self.key("l", write=True), self.timeout()]

    def c_blmove(self):
        return [b"BLMOVE", self.key("l", write=True), self.key("l", write=True), self.side(), self.side(),
                self.timeout()]

    def c_blmpop(self):
        a = [b"BLMPOP", self.timeout()] + self.numkeys_and_keys(lambda: self.key("l", write=True), 1, 3) + \
            [self.side()]
        if self.chance(0.5):
            a += [b"COUNT", self.count() if self.chance(0.9) else b"0"]
        return a

    # -- hashes -------------------------------------------------------------------

    def c_hset(self):
        a = [self.pick([b"HSET", b"HSET", b"HMSET"]), self.key("h", write=True)]
        n = self.r.randint(1, 3) if self.chance(0.9) else self.r.randint(4, 8)
        for _ in range(n):
            a += [self.field(), self.hval()]
        return a

    def c_hsetnx(self):
        return [b"HSETNX", self.key("h", write=True), self.field(), self.hval()]

    def c_hget(self):
        return [self.pick([b"HGET", b"HSTRLEN", b"HEXISTS"]), self.key("h"), self.field()]

    def c_hmget(self):
        return [b"HMGET", self.key("h")] + self.several(self.field, 1, 4)

    def c_hdel(self):
        return [b"HDEL", self.key("h", write=True)] + self.several(self.field, 1, 3)

    def c_hlen(self):
        return [b"HLEN", self.key("h")]

    def c_hkeys(self):
        return "unordered: ", [self.pick([b"HKEYS", b"HVALS"]), self.key("h")]

    def c_hgetall(self):
        return "pairs-unordered: ", [b"HGETALL", self.key("h")]

    def c_hincrby(self):
        incr = self.pick(INCRS) if self.chance(0.92) else self.pick(BAD_INCRS)
        return [b"HINCRBY", self.key("h", write=True), self.field(), incr]

    def c_hincrbyfloat(self):
        return [b"HINCRBYFLOAT", self.key("h", write=True), self.field(), self.pick(FLOAT_INCRS)]

    def c_hrandfield(self):
        a = [b"HRANDFIELD", self.key("h")]
        if self.chance(0.7):
            a.append(self.pick(RAND_COUNTS))
            if self.chance(0.5):
                a.append(b"WITHVALUES" if self.chance(0.95) else b"BOGUS")
        return "prop:shape: ", a

    # -- sets ---------------------------------------------------------------------

    def c_sadd(self):
        n = self.r.randint(1, 4) if self.chance(0.85) else self.r.randint(5, 10)
        k = self.key("s", write=True)
        ints = self.chance(0.92 if k in S[:2] else 0.4)   # s0, s1 stay intsets longer
        mem = (lambda: self.pick(SET_INTS[:14])) if ints else self.set_member
        return [b"SADD", k] + [mem() for _ in range(n)]

    def c_srem(self):
        return [b"SREM", self.key("s", write=True)] + self.several(self.set_member, 1, 3)

    def c_sismember(self):
        return [b"SISMEMBER", self.key("s"), self.set_member()]

    def c_smismember(self):
        return [b"SMISMEMBER", self.key("s")] + self.several(self.set_member, 1, 4)

    def c_smembers(self):
        return "unordered: ", [b"SMEMBERS", self.key("s")]

    def c_scard(self):
        return [b"SCARD", self.key("s")]

    def c_spop(self):
        k = self.key("s", write=True)
        x = self.r.random()
        if x < 0.4:
            # takes every member: the reply is deterministic as a set
            return [("unordered: ", [b"SPOP", k, b"1000000"])]
        if x < 0.5:
            return [("", [b"SPOP", k, self.pick([b"-1", b"abc", b"0"])])]
        a = [b"SPOP", k] + ([self.pick([b"1", b"2", b"3"])] if self.chance(0.6) else [])
        # what is left behind is random: drop it
        return [("prop:shape: ", a), ("", [b"DEL", k])]

    def c_srandmember(self):
        a = [b"SRANDMEMBER", self.key("s")]
        if self.chance(0.7):
            a.append(self.pick(RAND_COUNTS))
        return "prop:shape: ", a

    def c_smove(self):
        return [b"SMOVE", self.key("s", write=True), self.key("s", write=True), self.set_member()]

    def c_setop(self):
        cmd = self.pick([b"SINTER", b"SUNION", b"SDIFF"])
        return "unordered: ", [cmd] + self.several(lambda: self.key("s"), 1, 4)

    def c_sintercard(self):
        a = [b"SINTERCARD"] + self.numkeys_and_keys(lambda: self.key("s"), 1, 3)
        if self.chance(0.4):
            a += [b"LIMIT", self.pick([b"0", b"1", b"2", b"5", b"-1", b"abc"])]
        return a

    def c_setopstore(self):
        cmd = self.pick([b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"])
        dst = self.key("s", write=True) if self.chance(0.6) else self.pick(ANY)
        return [cmd, dst] + self.several(lambda: self.key("s"), 1, 3)

    # -- sorted sets ----------------------------------------------------------------

    def c_zadd(self):
        lex = self.chance(0.2)
        k = self.pick(ZL) if lex else self.key("z", write=True)
        x = self.r.random()
        if x < 0.55:
            opts = []
        elif x < 0.9:   # one option, or a compatible pair
            opts = self.pick([[b"NX"], [b"XX"], [b"GT"], [b"LT"], [b"CH"], [b"INCR"], [b"ch"], [b"XX", b"CH"],
                              [b"GT", b"CH"], [b"LT", b"CH"], [b"NX", b"INCR"], [b"XX", b"GT"], [b"XX", b"LT"],
                              [b"GT", b"INCR"], [b"XX", b"INCR"]])
        else:           # anything, often incompatible
            opts = [self.pick([b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR", b"nx"])
                    for _ in range(self.r.randint(2, 3))]
        if lex:
            opts = [o for o in opts if o.upper() != b"INCR"]
        n = 1 if b"INCR" in [o.upper() for o in opts] and self.chance(0.9) else \
            (self.r.randint(1, 4) if self.chance(0.9) else self.r.randint(5, 9))
        a = [b"ZADD", k] + opts
        for _ in range(n):
            s = (b"0" if self.chance(0.95) else self.pick(BAD_SCORES)) if lex else self.score()
            a += [s, self.member()]
        if self.chance(0.02):
            a.pop()
        return a

    def c_zincrby(self):
        return [b"ZINCRBY", self.key("z", write=True), self.score(), self.member()]

    def c_zrem(self):
        k = self.pick(ZL) if self.chance(0.2) else self.key("z", write=True)
        return [b"ZREM", k] + self.several(self.member, 1, 3)

    def c_zcard(self):
        return [b"ZCARD", self.zkey()]

    def c_zcount(self):
        return [b"ZCOUNT", self.zkey()] + self.bound_pair()

    def c_zlexcount(self):
        return [b"ZLEXCOUNT", self.lexkey()] + self.bound_pair(lex=True)

    def c_zscore(self):
        return [b"ZSCORE", self.zkey(), self.member()]

    def c_zmscore(self):
        return [b"ZMSCORE", self.zkey()] + self.several(self.member, 1, 4)

    def c_zrank(self):
        return [self.pick([b"ZRANK", b"ZREVRANK"]), self.zkey(), self.member()]

    def zrange_opts(self, mode, store=False):
        """Options for ZRANGE/ZRANGESTORE after min max: mostly consistent
        with the mode, sometimes not (syntax errors)."""
        opts = []
        if mode:
            opts.append(mode)
        if self.chance(0.3):
            opts.append(b"REV")
        if self.chance(0.3 if mode else 0.05):
            opts += self.limit()
        if not store and self.chance(0.35):
            opts.append(b"WITHSCORES")
        if store and self.chance(0.03):
            opts.append(b"WITHSCORES")
        if self.chance(0.03):
            opts.append(self.pick([b"BOGUS", b"BYSCORE"]))
        self.r.shuffle(opts) if self.chance(0.2) else None
        return opts

    def zrange_args(self):
        """(src key, [min, max], options, lex) for ZRANGE-like commands."""
        x = self.r.random()
        if x < 0.4:
            return self.zkey(), self.index_pair(), self.zrange_opts(None), False
        if x < 0.75:
            opts = self.zrange_opts(b"BYSCORE")
            return self.zkey(), self.bound_pair(rev=b"REV" in opts), opts, False
        opts = [o for o in self.zrange_opts(b"BYLEX") if o not in (b"BYSCORE", b"WITHSCORES")]
        return self.lexkey(), self.bound_pair(rev=b"REV" in opts, lex=True), opts, True

    def c_zrange(self):
        k, rng, opts, _ = self.zrange_args()
        return [b"ZRANGE", k] + rng + opts

    def c_zrangestore(self):
        k, rng, opts, lex = self.zrange_args()
        opts = [o for o in opts if o != b"WITHSCORES" or self.chance(0.1)]
        if k in ZL:
            dst = self.pick(ZL + Z + ANY)
        else:
            dst = self.key("z", write=True) if self.chance(0.5) else self.pick(ANY)
        return [b"ZRANGESTORE", dst, k] + rng + opts

    def c_zrevrange(self):
        a = [b"ZREVRANGE", self.zkey()] + self.index_pair()
        if self.chance(0.4):
            a.append(b"WITHSCORES")
        return a

    def c_zrangebyscore(self):
        cmd = self.pick([b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"])
        a = [cmd, self.zkey()] + self.bound_pair(rev=cmd == b"ZREVRANGEBYSCORE")
        if self.chance(0.4):
            a.append(b"WITHSCORES")
        if self.chance(0.35):
            a += self.limit()
        if self.chance(0.2):
            a.append(b"WITHSCORES")
        return a

    def c_zrangebylex(self):
        cmd = self.pick([b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"])
        a = [cmd, self.lexkey()] + self.bound_pair(rev=cmd == b"ZREVRANGEBYLEX", lex=True)
        if self.chance(0.35):
            a += self.limit()
        if self.chance(0.03):
            a.append(b"WITHSCORES")
        return a

    def c_zremrange(self):
        x = self.r.random()
        if x < 0.35:
            k = self.pick(ZL) if self.chance(0.2) else self.key("z", write=True)
            return [b"ZREMRANGEBYRANK", k, self.index(), self.index()]
        if x < 0.7:
            k = self.pick(ZL) if self.chance(0.2) else self.key("z", write=True)
            return [b"ZREMRANGEBYSCORE", k] + self.bound_pair()
        return [b"ZREMRANGEBYLEX", self.lexkey()] + self.bound_pair(lex=True)

    def zpop_key(self):
        return self.pick(ZL) if self.chance(0.2) else self.key("z", write=True)

    def c_zpop(self):
        a = [self.pick([b"ZPOPMIN", b"ZPOPMAX"]), self.zpop_key()]
        if self.chance(0.5):
            a.append(self.count() if self.chance(0.9) else self.pick([b"-1", b"-5"]))
        return a

    def c_bzpop(self):
        return [self.pick([b"BZPOPMIN", b"BZPOPMAX"])] + self.several(self.zpop_key, 1, 3) + [self.timeout()]

    def c_zmpop(self):
        a = [b"ZMPOP"] + self.numkeys_and_keys(self.zpop_key, 1, 3) + [self.minmax()]
        if self.chance(0.5):
            a += [b"COUNT", self.count() if self.chance(0.9) else b"0"]
        return a

    def c_bzmpop(self):
        a = [b"BZMPOP", self.timeout()] + self.numkeys_and_keys(self.zpop_key, 1, 3) + [self.minmax()]
        if self.chance(0.5):
            a += [b"COUNT", self.count()]
        return a

    def zsrc(self):
        """An input of ZUNION & co: zsets (zl* included), sets, others."""
        x = self.r.random()
        if x < 0.6:
            return self.pick(Z)
        if x < 0.75:
            return self.pick(ZL)
        if x < 0.9:
            return self.pick(S)
        return self.key("z")

    def zsetop_opts(self, n, diff=False, withscores=True):
        opts = []
        if not diff and self.chance(0.35):
            w = [self.pick([b"1", b"2", b"0", b"-1", b"0.5", b"inf", b"-inf"]) for _ in range(n)]
            if self.chance(0.04):
                w = w[:-1] if len(w) > 1 else w + [b"1"]
            if self.chance(0.02):
                w[0] = self.pick([b"abc", b"nan"])
            opts += [b"WEIGHTS"] + w
        if not diff and self.chance(0.35):
            opts += [b"AGGREGATE", self.pick([b"SUM", b"MIN", b"MAX", b"max"]) if self.chance(0.96) else b"AVG"]
        if withscores and self.chance(0.4):
            opts.append(b"WITHSCORES")
        if diff and self.chance(0.03):
            opts += [b"WEIGHTS", b"1"]
        return opts

    def zsetop_keys(self, lex):
        """numkeys and keys; with lex=True only zl* (and rarely a bad numkeys)."""
        src = (lambda: self.pick(ZL)) if lex else self.zsrc
        nk = self.numkeys_and_keys(src, 1, 3)
        return nk, len(nk) - 1

    def c_zsetopstore(self):
        cmd = self.pick([b"ZUNIONSTORE", b"ZINTERSTORE", b"ZDIFFSTORE"])
        lex = self.chance(0.2)
        nk, n = self.zsetop_keys(lex)
        dst = self.pick(ZL) if lex else (self.key("z", write=True) if self.chance(0.6) else self.pick(ANY))
        return [cmd, dst] + nk + self.zsetop_opts(n, diff=cmd == b"ZDIFFSTORE", withscores=False)

    def c_zsetop(self):
        cmd = self.pick([b"ZUNION", b"ZINTER", b"ZDIFF"])
        nk, n = self.zsetop_keys(False)
        return [cmd] + nk + self.zsetop_opts(n, diff=cmd == b"ZDIFF")

    def c_zintercard(self):
        a = [b"ZINTERCARD"] + self.numkeys_and_keys(self.zsrc, 1, 3)
        if self.chance(0.4):
            a += [b"LIMIT", self.pick([b"0", b"1", b"2", b"5", b"-1", b"abc"])]
        return a

    def c_zrandmember(self):
        a = [b"ZRANDMEMBER", self.zkey()]
        if self.chance(0.7):
            a.append(self.pick(RAND_COUNTS))
            if self.chance(0.5):
                a.append(b"WITHSCORES" if self.chance(0.95) else b"BOGUS")
        return "prop:shape: ", a

    # -- scans --------------------------------------------------------------------

    def c_scan(self):
        cmds = [(b"SSCAN", lambda: self.key("s"), "set"), (b"HSCAN", lambda: self.key("h"), "hash"),
                (b"ZSCAN", self.zkey, "zset")]
        if self.only is not None:
            cmds = [c for c in cmds if c[2] in self.only] or cmds
        cmd, k, _ = self.pick(cmds)
        key = k()
        if self.chance(0.1):
            # a direct call with an invalid cursor, or (deterministic on any key)
            return [cmd, key, self.pick([b"abc", b"-", b"18446744073709551616", b"1.5"])]
        opts = []
        if self.chance(0.4):
            opts += [b"MATCH", self.pick([b"*", b"m*", b"f*", b"1*", b"*[0-3]", b"?", b"nomatch", b"a*"])]
        if self.chance(0.4):
            opts += [b"COUNT", self.pick([b"1", b"2", b"5", b"100"]) if self.chance(0.95) else b"0"]
        if self.probes.lfu and b"0" not in opts:
            # each call touches the key, and how many calls a hash table
            # takes depends on its layout: one call that takes everything
            opts = [o for o in opts if o != b"COUNT" and not o.isdigit()] + [b"COUNT", b"1000"]
        return "scan-full: ", [cmd, key] + opts

    # -- SORT -----------------------------------------------------------------------

    def c_sort(self):
        ro = self.chance(0.25)
        x = self.r.random()
        if x < 0.4:
            k = self.pick(L)
        elif x < 0.7:
            k = self.pick(S)
        elif x < 0.85:
            k = self.pick(Z + ZL)
        else:
            k = self.pick(ANY + H)
        maybe_set = k in S or k in ANY
        by = None
        y = self.r.random()
        if y < 0.15:
            by = b"nosort"
        elif y < 0.35:
            by = b"w_*"
        elif y < 0.45:
            by = b"hw_*->f"
        elif y < 0.5:
            by = self.pick([b"nokey_*", b"hw_*->nofield", b"w_*->f"])
        alpha = self.chance(0.35)
        desc = self.pick([None, None, b"ASC", b"DESC", b"desc"])
        limit = self.limit() if self.chance(0.3) else []
        gets = []
        if self.chance(0.3):
            for _ in range(self.r.randint(1, 2)):
                gets += [b"GET", self.pick([b"#", b"w_*", b"hw_*->f", b"hw_*->g", b"nokey_*"])]
        store = None
        if not ro and self.chance(0.15):
            store = self.pick(L) if self.chance(0.8) else self.pick(ANY)
        unordered = False
        if by == b"nosort" and maybe_set:
            if store is None:
                limit = []
                unordered = True      # hash order
        elif alpha and by not in (None, b"nosort"):
            limit, store, unordered = [], None, True   # ties keep the algorithm's order
        a = [b"SORT_RO" if ro else b"SORT", k]
        self.before.append(("", list(ERRNO_RESET)))
        if by:
            a += [b"BY", by]
        a += limit + gets
        if desc:
            a.append(desc)
        if alpha:
            a.append(b"ALPHA")
        if store is not None:
            a += [b"STORE", store]
        if self.chance(0.02):
            a.append(self.pick([b"BOGUS", b"LIMIT"]))
        return ("unordered: " if unordered else ""), a

    # -- streams ------------------------------------------------------------------
    # IDs: a valid new ID is always past every ID used before (self.xid only
    # grows), so XADD fails only when it means to (a small or malformed ID).

    def next_xid(self):
        self.xid += self.r.randint(1, 3)
        return self.xid

    def old_xid(self):
        """An ID that may or may not be in a stream: never past self.xid."""
        return b"%d-%d" % (self.r.randint(1, self.xid), self.pick([0, 0, 0, 1, 2]))

    def xbound(self, lo):
        x = self.r.random()
        if x < 0.3:
            return b"-" if lo else b"+"
        if x < 0.85:
            b = self.old_xid() if self.chance(0.7) else str(self.r.randint(1, self.xid)).encode()
            return b"(" + b if self.chance(0.15) else b
        return self.pick([b"abc", b"1-x", b"(-", b"18446744073709551615-18446744073709551615", b"0"])

    def xtrim_opts(self):
        strat = self.pick([b"MAXLEN", b"MAXLEN", b"MINID", b"maxlen"]) if self.chance(0.97) else b"BOGUS"
        a = [strat]
        approx = False
        x = self.r.random()
        if x < 0.3:
            a.append(b"=")
        elif x < 0.55:
            a.append(b"~")
            approx = True
        if strat.upper() == b"MINID":
            a.append(self.old_xid() if self.chance(0.9) else self.pick([b"abc", b"-1"]))
        else:
            a.append(self.pick([b"0", b"1", b"2", b"3", b"5", b"10", b"100"]) if self.chance(0.93) else
                     self.pick([b"-1", b"abc", b"1.5"]))
        if self.chance(0.25 if approx else 0.04):
            a += [b"LIMIT", self.pick([b"0", b"1", b"2", b"10", b"100", b"-1"])]
        return a

    def xfields(self):
        a = []
        for _ in range(self.r.randint(1, 3)):
            a += [self.field(), self.hval()]
        if self.chance(0.02):
            a.pop()
        return a

    def c_xadd(self):
        a = [b"XADD", self.key("x", write=True)]
        if self.chance(0.08):
            a.append(b"NOMKSTREAM")
        if self.chance(0.3):
            a += self.xtrim_opts()
        x = self.r.random()
        if x < 0.6:
            xid = b"%d-%d" % (self.next_xid(), self.pick([0, 0, 1, 5]))
        elif x < 0.85:
            xid = b"%d-*" % self.next_xid()
        elif x < 0.95:
            xid = self.old_xid()
        else:
            xid = self.pick([b"0-0", b"abc", b"1-", b"-1", b"0-*"])
        return a + [xid] + self.xfields()

    def c_xtrim(self):
        return [b"XTRIM", self.key("x", write=True)] + self.xtrim_opts()

    def c_xdel(self):
        return [b"XDEL", self.key("x", write=True)] + self.several(
            lambda: self.old_xid() if self.chance(0.95) else b"abc", 1, 3)

    def c_xlen(self):
        return [b"XLEN", self.key("x")]

    def c_xrange(self):
        if self.chance(0.6):
            a = [b"XRANGE", self.key("x"), self.xbound(True), self.xbound(False)]
        else:
            a = [b"XREVRANGE", self.key("x"), self.xbound(False), self.xbound(True)]
        if self.chance(0.35):
            a += [b"COUNT", self.pick([b"0", b"1", b"2", b"5", b"-1"]) if self.chance(0.95) else b"abc"]
        return a

    def c_xread(self):
        keys = self.several(lambda: self.key("x"), 1, 2)
        a = [b"XREAD"]
        if self.chance(0.5):
            a += [b"COUNT", self.pick([b"1", b"2", b"10"])]
        return a + [b"STREAMS"] + keys + [self.pick([b"0", b"0-0", self.old_xid()]) for _ in keys]

    # -- object introspection, DUMP/RESTORE (random_objects.py) --------------------

    def ensure_cmd(self, pool, k):
        """A write that makes key k of `pool` exist and never fails."""
        if pool == "l":
            return [b"RPUSH", k, self.list_val()]
        if pool == "h":
            return [b"HSET", k, self.field(), self.hval()]
        if pool == "s":
            return [b"SADD", k, self.set_member()]
        if pool in ("z", "zl"):
            return [b"ZADD", k, b"NX", b"0" if pool == "zl" else self.pick(SCORES[:12]), self.member()]
        if pool == "x":
            return [b"XADD", k, b"%d-0" % self.next_xid()] + self.xfields()[:2]
        return [b"SET", k, self.pick([b"hello", b"12", b"x" * 50, b"123456789012", b""]), b"NX"]

    def full_read(self, pool, k):
        """(tag, args) reading the whole value of a key of `pool`."""
        if pool == "any":
            names = {"l": "list", "h": "hash", "s": "set", "z": "zset", "x": "stream"}
            pool = self.pick([p for p in ("l", "h", "s", "z", "x", "str")
                              if self.only is None or p == "str" or names[p] in self.only])
        if pool == "l":
            return "", [b"LRANGE", k, b"0", b"-1"]
        if pool == "h":
            return "pairs-unordered: ", [b"HGETALL", k]
        if pool == "s":
            return "unordered: ", [b"SMEMBERS", k]
        if pool in ("z", "zl"):
            return "", [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"]
        if pool == "x":
            return "", [b"XRANGE", k, b"-", b"+"]
        return "", [b"GET", k]

    def c_dump_restore(self):
        pool = self.pick(["l", "h", "s", "z", "zl", "x", "any"])
        if self.only is not None:
            pool = self.pick([p for p in ("l", "h", "s", "z", "zl", "x", "any")
                              if p == "any" or {"l": "list", "h": "hash", "s": "set", "z": "zset", "zl": "zset",
                                                "x": "stream"}[p] in self.only])
        src = self.pick(POOLS[pool])
        if pool == "zl":
            dst_pool = self.pick(["zl", "z"])
        else:
            dst_pool = pool
        dst = self.pick(POOLS[dst_pool]) if self.chance(0.75) else self.pick(ANY)
        if self.chance(0.15):
            dst = src
        ensure = self.ensure_cmd(pool, src) if self.chance(0.85) else None
        reads = [self.full_read(pool, dst)]
        return self.probes.dump_restore("p_" + pool, ensure, src, dst, reads, ratio=self.memory_ratio(dst))

    def memory_ratio(self, k):
        """MEMORY USAGE's bounds for key k (random_objects.MEMORY_RATIO_*)."""
        stream = k in X or k in ANY
        small_nodes = (k in L or k in ANY) and self.small_list_nodes
        if stream and small_nodes:
            return random_objects.MEMORY_RATIO_STREAM_OR_LIST
        if stream:
            return random_objects.MEMORY_RATIO_STREAM
        return random_objects.MEMORY_RATIO_LIST if small_nodes else None

    def c_probe(self):
        k = self.anykey()
        return self.probes.any_probe(k, ratio=self.memory_ratio(k))

    def c_touch_probe(self):
        return self.probes.touch_probe(self.anykey())

    def c_dump_missing(self):
        return [b"DUMP", self.pick([b"nosuch", b"nosuch2"])]

    def c_config_change(self):
        name, alias, small, default = self.pick(CONFIG_CHANGES)
        val = default if self.chance(0.2) else threshold_value(self.r, small)
        self.note_list_fill(name, val)
        return [b"CONFIG", b"SET", alias if alias and self.chance(0.3) else name, val]

    def note_list_fill(self, name, val):
        """Remembers whether some list may have been created with a fill of
        only a few elements per node (see memory_ratio)."""
        if name == b"list-max-listpack-size" and 0 <= int(val) <= 4:
            self.small_list_nodes = True

    # -- generic --------------------------------------------------------------------

    def anykey(self):
        return self.pick(ALL_KEYS)

    def c_type(self):
        return [b"TYPE", self.anykey()]

    def c_encoding(self):
        return [b"OBJECT", b"ENCODING", self.anykey()]

    def c_exists(self):
        return [b"EXISTS"] + self.several(self.anykey, 1, 3)

    def c_del(self):
        return [self.pick([b"DEL", b"DEL", b"UNLINK"])] + self.several(self.anykey, 1, 2)

    def same_pool_pair(self):
        pool = self.pick(["l", "h", "s", "z", "zl", "x", "any"])
        src = self.pick(POOLS[pool])
        dst = self.pick(POOLS[pool]) if self.chance(0.8) else self.pick(ANY)
        return src, dst

    def c_rename(self):
        src, dst = self.same_pool_pair()
        return [self.pick([b"RENAME", b"RENAMENX"]), src, dst]

    def c_copy(self):
        src, dst = self.same_pool_pair()
        a = [b"COPY", src, dst]
        if self.chance(0.5):
            a.append(b"REPLACE")
        return a

    def c_expire(self):
        a = [b"EXPIRE", self.anykey(), self.ttl()]
        if self.chance(0.2):
            a.append(self.pick([b"NX", b"XX", b"GT", b"LT"]))
        return a

    def c_persist(self):
        return [b"PERSIST", self.anykey()]

    def c_ttl(self):
        return "prop:int,near=1: ", [b"TTL", self.anykey()]

    def c_setstr(self):
        return [b"SET", self.pick(ANY[:2]), self.pick([b"hello", b"12", b"x" * 50])]

    # -- the table ------------------------------------------------------------------

    def _table(self):
        """([command functions], [weights]); with self.only, just those of
        the groups it names ("list", "hash", "set", "zset", "sort") and the
        generic ones."""
        t = [
            ("list", [(self.c_push, 22), (self.c_pop, 6), (self.c_llen, 3), (self.c_lindex, 3),
                      (self.c_linsert, 3), (self.c_lset, 3), (self.c_lrange, 8), (self.c_lrem, 3),
                      (self.c_ltrim, 2), (self.c_lpos, 4), (self.c_rpoplpush, 2), (self.c_lmove, 3),
                      (self.c_lmpop, 3), (self.c_blpop, 2), (self.c_brpoplpush, 1), (self.c_blmove, 1),
                      (self.c_blmpop, 1)]),
            ("hash", [(self.c_hset, 18), (self.c_hsetnx, 2), (self.c_hget, 8), (self.c_hmget, 3), (self.c_hdel, 4),
                      (self.c_hlen, 3), (self.c_hkeys, 3), (self.c_hgetall, 5), (self.c_hincrby, 4),
                      (self.c_hincrbyfloat, 4), (self.c_hrandfield, 3)]),
            ("set", [(self.c_sadd, 18), (self.c_srem, 4), (self.c_sismember, 3), (self.c_smismember, 2),
                     (self.c_smembers, 5), (self.c_scard, 3), (self.c_spop, 3), (self.c_srandmember, 3),
                     (self.c_smove, 3), (self.c_setop, 6), (self.c_sintercard, 2), (self.c_setopstore, 5)]),
            ("zset", [(self.c_zadd, 26), (self.c_zincrby, 4), (self.c_zrem, 4), (self.c_zcard, 2), (self.c_zcount, 3),
                      (self.c_zlexcount, 2), (self.c_zscore, 3), (self.c_zmscore, 2), (self.c_zrank, 3),
                      (self.c_zrange, 10), (self.c_zrangestore, 3), (self.c_zrevrange, 2),
                      (self.c_zrangebyscore, 4), (self.c_zrangebylex, 3), (self.c_zremrange, 4), (self.c_zpop, 4),
                      (self.c_bzpop, 2), (self.c_zmpop, 3), (self.c_bzmpop, 1), (self.c_zsetopstore, 5),
                      (self.c_zsetop, 5), (self.c_zintercard, 2), (self.c_zrandmember, 3)]),
            ("scan", [(self.c_scan, 6)]),
            ("sort", [(self.c_sort, 10)]),
            ("stream", [(self.c_xadd, 10), (self.c_xtrim, 2), (self.c_xdel, 2), (self.c_xlen, 1), (self.c_xrange, 4),
                        (self.c_xread, 1)]),
            ("generic", [(self.c_type, 3), (self.c_encoding, 14), (self.c_exists, 2), (self.c_del, 6),
                         (self.c_rename, 3), (self.c_copy, 4), (self.c_expire, 2), (self.c_persist, 1),
                         (self.c_ttl, 2), (self.c_setstr, 1)]),
            ("objects", [(self.c_dump_restore, 6), (self.c_probe, 6), (self.c_touch_probe, 4),
                         (self.c_dump_missing, 0.3), (self.c_config_change, 1)]),
        ]
        keep = []
        for group, entries in t:
            if not self.extended and group in ("stream", "objects"):
                continue
            if self.only is None or group in ("generic", "scan", "objects") or group in self.only:
                keep += entries
        return [f for f, _ in keep], [w for _, w in keep]

    def one(self):
        """Draws one command; returns [(tag, args)]."""
        fn = self.r.choices(self.table[0], weights=self.table[1])[0]
        res = fn()
        if isinstance(res, tuple):
            res = [res]
        elif res and isinstance(res[0], bytes):
            res = [("", res)]
        tag, a = res[0]
        # Now and then break the arity (never where it changes what is random,
        # nor in a group of steps that depend on each other).
        if not tag.startswith("scan-full") and a[0] not in (b"SPOP",) and len(res) == 1:
            x = self.r.random()
            if x < 0.012 and len(a) > 1:
                a = a[:-1]
            elif x < 0.024:
                a = a + [b"extra"]
            res[0] = (tag, a)
        before, self.before = self.before, []
        return before + res

    # -- a whole sequence -----------------------------------------------------------

    def header(self):
        r = self.r
        small = r.random() < 0.8
        self.lines.append("# thresholds: %s" % ("small" if small else "defaults"))
        for name, alias, smalls, default in THRESHOLDS:
            val = default
            if small and r.random() < 0.85:
                val = threshold_value(r, smalls)
            self.note_list_fill(name, val)
            self.emit([b"CONFIG", b"SET", alias if alias and r.random() < 0.2 else name, val])
        self.lines.append("# key tracking: %s" % self.probes.describe())
        for a in self.probes.policy_commands():
            self.emit(a)
        self.emit([b"SET", b"str0", b"hello"])
        self.emit([b"SET", b"str1", b"12"])
        for e in SORT_WEIGHTED:
            if r.random() < 0.75:
                w = r.choice([b"1", b"2", b"3", b"10", b"-5", b"0.5", b"7", b"7"])
                if e == b"hello":
                    w = b"notanumber"
                self.emit([b"SET", b"w_" + e, w])
            if r.random() < 0.6:
                self.emit([b"HSET", b"hw_" + e, b"f", r.choice([b"1", b"4", b"9", b"-2", b"4"]),
                           b"g", b"g-" + e])

    def footer(self):
        self.lines.append("# back to the default thresholds and policy")
        for a in reset_config_commands():
            self.emit(a)


# the groups --only / --types-only may name
GROUPS = {"list", "hash", "set", "zset", "stream", "sort"}


def generate_lines(seed, n, only=None):
    g = Gen(seed, only)
    g.header()
    for _ in range(n):
        for tag, args in g.one():
            g.emit(args, tag)
    g.footer()
    return g.lines


def generate_text(seed, n, only=None):
    """The case text for (seed, n); `only`: a set of groups ("list", "hash",
    "set", "zset", "sort") to restrict the commands to (plus the generic
    ones), e.g. to exercise the types a candidate has so far."""
    head = "# random_types.py seed=%d n=%d%s\n" % (seed, n, " only=%s" % ",".join(sorted(only)) if only else "")
    return head + "\n".join(generate_lines(seed, n, only)) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=2000, help="number of commands")
    ap.add_argument("--only", metavar="GROUPS",
                    help="comma-separated groups to draw from: list,hash,set,zset,stream,sort (default: all)")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    if only and not only <= GROUPS:
        ap.error("--only takes list, hash, set, zset, stream, sort")
    sys.stdout.write(generate_text(a.seed, a.n, only))


if __name__ == "__main__":
    main()
