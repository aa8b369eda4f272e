"""Object introspection and DUMP/RESTORE steps shared by random_strings.py
and random_types.py (see README.md, "Object introspection in the random
sequences").

Each sequence runs under one of three key-tracking modes, chosen by its
seed and set up by CONFIG SET at its start (`policy_commands`):

  plain  maxmemory 0, noeviction (the defaults): OBJECT FREQ is an error on
         both; OBJECT IDLETIME is not asked: the integers 0..9999 are shared
         objects in Redis, whose one LRU clock every key holding them (and
         every earlier file run on the same server) moves;
  lru    maxmemory 4gb (never reached) with allkeys-lru or volatile-lru:
         Redis shares no integers then; OBJECT IDLETIME is compared with
         prop:near=2 (seconds on each server's own LRU clock, which ticks at
         different instants), OBJECT FREQ is an error on both;
  lfu    maxmemory 4gb with allkeys-lfu or volatile-lfu, lfu-log-factor 0
         (every access increments the counter: no random draw) and
         lfu-decay-time 0 (it never decays): OBJECT FREQ is exact - 5 for a
         new object, +1 per access that touches the key, up to 255, kept by
         a value that overwrites another (Redis' dbOverwrite) - so it pins
         down which commands touch a key and which objects are new; OBJECT
         IDLETIME is an error on both.

DUMP/RESTORE: `dump_restore` first makes sure the source key exists (a
write of its own type that never fails), keeps each server's own payload
with `capture:NAME:` (one variable per key pool, so a payload is always of
the pool's type), then RESTOREs it, with or without REPLACE, a relative or
absolute TTL (far future, or ABSTTL in the past: the key is not created) and
IDLETIME/FREQ, into a key of the same pool or of the pool that may hold any
type, and reads the result back: TYPE, OBJECT ENCODING, the whole value,
sometimes TTL, FREQ/IDLETIME and MEMORY USAGE.

MEMORY USAGE is compared by ratio (candidate / redis within 0.25..4, or
0.04..4 for a key that may hold a stream, 0.1..10 for one that may hold a
list when list-max-listpack-size allows only a few elements per node: see
MEMORY_RATIO_*): the figures are estimates of allocator-dependent sizes.
Redis answers it from the table without expiring the key, so where a key
may be logically expired (random_strings.py's SET ... EXAT in the past,
which Redis keeps until something looks the key up or active expiry
samples it, and taskkv deletes at once) an EXISTS goes first.
"""

LFU_SETTINGS = [(b"lfu-log-factor", b"0"), (b"lfu-decay-time", b"0")]
BIG_MAXMEMORY = b"4gb"
# the defaults restore everything a mode changes
POLICY_DEFAULTS = [(b"maxmemory", b"0"), (b"maxmemory-policy", b"noeviction"), (b"lfu-log-factor", b"10"),
                   (b"lfu-decay-time", b"1")]

MEMORY_RATIO = "0.25..4"
# Redis gives each new stream node 4 KB of listpack up front (and counts a
# radix tree): for a key that may hold a stream (as in cases/memory.txt)
MEMORY_RATIO_STREAM = "0.04..4"
# A restored list keeps its nodes in Redis (an RDB holds them), while taskkv
# rebuilds them under the list's fill: with a fill of a few elements per node
# (a SORT ... STORE list holds everything in one node of fill -2) the node
# overhead differs many times over. For a key that may hold such a list.
MEMORY_RATIO_LIST = "0.1..10"
MEMORY_RATIO_STREAM_OR_LIST = "0.04..10"


def reset_policy_commands():
    return [[b"CONFIG", b"SET", n, v] for n, v in POLICY_DEFAULTS]


class Probes:
    """The introspection steps of one sequence. `g` is the generator: it
    has `r` (random.Random) and `ttl_pool` (unique TTLs in seconds).
    `expired_keys`: a key may be logically expired (see above). The public
    probes return lists of (tag, args) steps."""

    def __init__(self, g, expired_keys=False):
        self.g = g
        self.r = g.r
        self.expired_keys = expired_keys
        x = self.r.random()
        self.mode = "plain" if x < 0.25 else "lru" if x < 0.6 else "lfu"
        self.lfu = self.mode == "lfu"
        self.captured = set()       # the payload variables set so far

    # -- set-up ----------------------------------------------------------------

    def describe(self):
        return {"plain": "plain (maxmemory 0, noeviction)", "lru": "LRU (OBJECT IDLETIME near)",
                "lfu": "LFU (exact OBJECT FREQ)"}[self.mode]

    def policy_commands(self):
        if self.mode == "plain":
            return []
        if self.lfu:
            pol = self.r.choice([b"allkeys-lfu", b"allkeys-lfu", b"volatile-lfu"])
            extra = [[b"CONFIG", b"SET", n, v] for n, v in LFU_SETTINGS]
        else:
            pol = self.r.choice([b"allkeys-lru", b"volatile-lru"])
            extra = []
        return [[b"CONFIG", b"SET", b"maxmemory-policy", pol],
                [b"CONFIG", b"SET", b"maxmemory", BIG_MAXMEMORY]] + extra

    # -- probes -------------------------------------------------------------------

    def freq(self, key):
        return "", [b"OBJECT", b"FREQ", key]

    def idletime(self, key):
        if self.mode == "lru":
            return "prop:int,near=2: ", [b"OBJECT", b"IDLETIME", key]
        if self.mode == "lfu":
            return "", [b"OBJECT", b"IDLETIME", key]
        return self.freq(key)

    def memory(self, key, ratio=None):
        a = [b"MEMORY", b"USAGE", key]
        x = self.r.random()
        if x < 0.15:
            a += [b"SAMPLES", self.r.choice([b"0", b"1", b"3", b"5", b"100"])]
        elif x < 0.18:
            a += [b"SAMPLES", self.r.choice([b"-1", b"abc", b""])]
        elif x < 0.2:
            a += [b"BOGUS"]
        out = [("", [b"EXISTS", key])] if self.expired_keys else []
        return out + [("prop:int,ratio=%s: " % (ratio or MEMORY_RATIO), a)]

    def touch_probe(self, key):
        """The probe of the mode: OBJECT FREQ under LFU, IDLETIME under LRU."""
        return [self.freq(key) if self.lfu else self.idletime(key)]

    def any_probe(self, key, ratio=None):
        """One of the probes; `ratio`: MEMORY USAGE's bounds for this key
        when not MEMORY_RATIO."""
        x = self.r.random()
        if x < 0.45:
            return self.touch_probe(key)
        if x < 0.55:
            return [self.idletime(key) if self.lfu else self.freq(key)]   # the error of the other mode
        if x < 0.62:
            return [("", [b"OBJECT", b"REFCOUNT", key])]
        return self.memory(key, ratio)

    # -- DUMP / RESTORE ------------------------------------------------------------

    def restore_options(self):
        """TTL and options of a RESTORE: mostly valid ones."""
        r = self.r
        opts = []
        x = r.random()
        if x < 0.6:
            ttl = b"0"
        elif x < 0.78:
            ttl = str(self.g.ttl_pool.pop() * 1000).encode()
        elif x < 0.9:
            ttl = str((4000000000 + self.g.ttl_pool.pop()) * 1000).encode()
            opts.append(b"ABSTTL")
        elif x < 0.96:
            ttl = r.choice([b"1000", b"1", b"1600000000000"])   # the past: not created
            opts.append(b"ABSTTL")
        else:
            ttl = r.choice([b"-1", b"abc", b"1.5"])
        y = r.random()
        if y < 0.35 and self.mode != "plain":
            opts.append(b"IDLETIME" if not self.lfu else b"FREQ")
            opts.append(r.choice([b"0", b"1", b"3", b"100", b"1000"]) if not self.lfu else
                        r.choice([b"0", b"1", b"4", b"5", b"6", b"100", b"255"]))
        elif y < 0.45:
            # the option of the other mode: accepted and ignored
            opts += [b"FREQ", b"7"] if not self.lfu else [b"IDLETIME", b"50"]
        elif y < 0.47:
            opts += r.choice([[b"FREQ", b"256"], [b"IDLETIME", b"-1"], [b"FREQ", b"1", b"IDLETIME", b"1"],
                              [b"BOGUS"]])
        r.shuffle(opts) if r.random() < 0.2 else None
        return ttl, opts

    def dump_restore(self, var, ensure, src, dst, reads, ratio=None):
        """The steps of one round trip: `ensure` (args of a write that makes
        `src` exist, or None: then a DUMP without capture, and a RESTORE
        only from an earlier capture of `var`), DUMP src, RESTORE dst, and
        `reads` (a list of (tag, args) reading dst's whole value)."""
        r = self.r
        out = []
        if ensure is not None:
            out.append(("", ensure))
            out.append(("capture:%s: prop:bulk: " % var, [b"DUMP", src]))
            self.captured.add(var)
        else:
            out.append(("type-only: ", [b"DUMP", src]))
            if var not in self.captured:
                return out
        ttl, opts = self.restore_options()
        replace = r.random() < 0.65
        if replace:
            opts.insert(r.randrange(len(opts) + 1), r.choice([b"REPLACE", b"REPLACE", b"replace"]))
        out.append(("", [b"RESTORE", dst, ttl, b"${%s}" % var.encode()] + opts))
        out.append(("", [b"TYPE", dst]))
        out.append(("", [b"OBJECT", b"ENCODING", dst]))
        out += reads
        if ttl != b"0" and r.random() < 0.5:
            out.append(("prop:int,near=1: ", [b"TTL", dst]))
        if r.random() < 0.5:
            out += self.touch_probe(dst)
        if r.random() < 0.3:
            out += self.memory(dst, ratio)
        return out
