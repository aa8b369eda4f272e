#!/usr/bin/python3
"""Seeded, reproducible random command sequences for string and generic key
commands, written in the case-file format (see README.md).

    random_strings.py --seed 7 -n 2000 > /tmp/r7.txt
    runner.py --candidate build/taskkv-server --random 2000 --seed 7

The same (seed, n) always gives the same text. The key space is 10 keys;
values include numbers, negative numbers, numbers at and past the LLONG
limits, floats, empty strings and binary. Option combinations are drawn at
random, so both valid and invalid ones (syntax errors, bad integers, wrong
arity) occur. Each sequence also runs under a key-tracking mode and has
DUMP/RESTORE round trips and OBJECT/MEMORY probes (random_objects.py); it
ends by restoring the policy settings.

Determinism: the replies must not depend on timing. So every relative TTL is
large (>= 10000 s, never expiring during a run) and every TTL value drawn is
unique and at least 100 s away from all others, so that EXPIRE ... GT/LT and
NX/XX comparisons never depend on which millisecond a command ran; TTL-like
reads (TTL, PTTL, EXPIRETIME, PEXPIRETIME) are compared with prop:near.
Absolute times are far in the future or in the past (which deletes the key
at once).
"""

import argparse
import random
import sys

sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from casefile import quote_arg  # noqa: E402
import random_objects  # noqa: E402

KEYS = [b"k0", b"k1", b"k2", b"k3", b"k4", b"k5", b"k6", b"k7", b"k8", b"bin\x00\xff\r\nkey"]

NUMBERS = [b"0", b"1", b"-1", b"2", b"7", b"42", b"-42", b"100", b"9999", b"10000", b"-10000",
           b"9223372036854775807", b"9223372036854775806", b"-9223372036854775808",
           b"-9223372036854775807", b"4611686018427387904", b"-4611686018427387904"]
NOT_INTEGERS = [b"9223372036854775808", b"-9223372036854775809", b"18446744073709551616",
                b"99999999999999999999", b"", b"abc", b"1.5", b"1e3", b" 1", b"1 ", b"+1",
                b"007", b"-0", b"0x10", b"--1", b"\x00", b"12\x00"]
FLOATS = [b"0", b"1", b"-1", b"0.1", b"1.5", b"-2.25", b"3.0", b"1e10", b"-1e10", b"5.0e3",
          b"1e308", b"-1e308", b"2.5e-5", b"10.50", b".5", b"-0", b"1e400", b"inf", b"-inf",
          b"nan", b"+inf", b"abc", b"", b"1.5x", b" 1.5", b"0x10", b"9223372036854775807"]
STRINGS = [b"", b"a", b"abc", b"hello world", b"\x00", b"\x00\xff\x01", b"\r\n", b"line\nbreak",
           b"a" * 20, b"a" * 44, b"b" * 45, b"x" * 100, b"\xff" * 8, b"caf\xc3\xa9", b"3.14",
           b"-0.0", b"1e3", b"00", b"0123", b"+5", b" 5", b"inf", b"nan", b"\x80\x00\x00\x00"]
SMALL_INTS = [b"-100", b"-20", b"-10", b"-5", b"-3", b"-2", b"-1", b"0", b"1", b"2", b"3", b"4",
              b"5", b"7", b"10", b"20", b"100"]
BIG_INTS = [b"9223372036854775807", b"-9223372036854775808", b"4294967296", b"-4294967296",
            b"2147483647", b"2147483648", b"abc", b"1.5", b""]


class Gen:
    def __init__(self, seed, extended=True):
        """extended=False leaves out DUMP/RESTORE and the OBJECT/MEMORY
        probes (random_notify.py)."""
        self.r = random.Random(seed)
        self.extended = extended
        # Unique TTLs: seconds from 10,000 up, 100 s apart, drawn without
        # replacement so no two EXPIRE-like commands ever use the same one.
        pool = list(range(10000, 10000 + 100 * 50000, 100))
        self.r.shuffle(pool)
        self.ttl_pool = pool
        self.pending = []  # lines to emit before the next command
        self.probes = random_objects.Probes(self, expired_keys=True)

    # -- value pickers --------------------------------------------------------

    def key(self):
        return self.r.choice(KEYS)

    def keys(self, lo=1, hi=4):
        return [self.key() for _ in range(self.r.randint(lo, hi))]

    def value(self):
        x = self.r.random()
        if x < 0.35:
            return self.r.choice(NUMBERS)
        if x < 0.45:
            return self.r.choice(NOT_INTEGERS)
        if x < 0.55:
            return self.r.choice(FLOATS)
        if x < 0.85:
            return self.r.choice(STRINGS)
        n = self.r.randint(0, 12)
        return bytes(self.r.choice(b"ab01\x00\xff ") for _ in range(n))

    def integer(self):
        x = self.r.random()
        if x < 0.6:
            return self.r.choice(SMALL_INTS)
        if x < 0.8:
            return self.r.choice(NUMBERS)
        return self.r.choice(NOT_INTEGERS)

    def small(self):
        return self.r.choice(SMALL_INTS) if self.r.random() < 0.9 else self.r.choice(BIG_INTS)

    def ttl(self):
        """A relative TTL in seconds (as bytes) or an invalid one."""
        x = self.r.random()
        if x < 0.85:
            return str(self.ttl_pool.pop()).encode()
        return self.r.choice([b"0", b"-1", b"abc", b"1.5", b"", b"9223372036854775807",
                              b"9223372036854775", b"-9223372036854775808", b"9223372036854775808"])

    def pttl(self):
        t = self.ttl()
        if t.isdigit() and len(t) < 10:
            return t + b"000"
        return t

    def abstime(self, ms=False):
        x = self.r.random()
        if x < 0.6:
            t = 4000000000 + int(self.ttl_pool.pop())  # far future (year 2096+)
        elif x < 0.85:
            t = self.r.choice([1, 1000000000, 1600000000])  # the past: deletes the key
        else:
            v = self.r.choice([b"0", b"-1", b"abc", b"9223372036854775807", b"9223372036854775"])
            return v
        return str(t * 1000 if ms else t).encode()

    # -- commands ---------------------------------------------------------------

    def set_opts(self):
        r = self.r
        opts = []
        for _ in range(r.choice([0, 0, 1, 1, 1, 2, 2, 3])):
            o = r.choice(["NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT", "nx", "ex", "BOGUS"])
            if o.upper() == "EX":
                opts += [o.encode(), self.ttl()]
            elif o == "PX":
                opts += [b"PX", self.pttl()]
            elif o == "EXAT":
                opts += [b"EXAT", self.abstime()]
            elif o == "PXAT":
                opts += [b"PXAT", self.abstime(ms=True)]
            else:
                opts.append(o.encode())
        if opts and r.random() < 0.05:
            opts.pop()  # e.g. EX without its value
        return opts

    def expire_flag(self):
        x = self.r.random()
        if x < 0.5:
            return []
        if x < 0.95:
            return [self.r.choice([b"NX", b"XX", b"GT", b"LT", b"gt"])]
        return self.r.choice([[b"NX", b"XX"], [b"GT", b"LT"], [b"NX", b"GT"], [b"XX", b"GT"], [b"BOGUS"]])

    def bit_range(self, tail_opt=True):
        r = self.r
        out = []
        n = r.choice([0, 0, 1, 2, 2, 3])
        if n >= 1:
            out.append(self.small())
        if n >= 2:
            out.append(self.small())
        if n >= 3 and tail_opt:
            out.append(r.choice([b"BYTE", b"BIT", b"bit", b"BOGUS"]))
        return out

    def command(self):
        """Returns (tag, args)."""
        r = self.r
        k = self.key
        c = r.choices(
            ["GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "MGET", "MSET", "MSETNX",
             "INCR", "DECR", "INCRBY", "DECRBY", "INCRBYFLOAT", "APPEND", "STRLEN", "GETRANGE",
             "SUBSTR", "SETRANGE", "GETBIT", "SETBIT", "BITCOUNT", "BITPOS", "BITOP", "DEL", "UNLINK",
             "EXISTS", "TYPE", "RENAME", "RENAMENX", "COPY", "TTL", "PTTL", "EXPIRETIME",
             "PEXPIRETIME", "PERSIST", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT",
             "OBJECT", "DBSIZE", "KEYS", "TOUCH", "DUMP", "PROBE"],
            weights=[8, 14, 2, 2, 1, 2, 2, 2, 3, 3, 2,
                     4, 3, 4, 3, 4, 4, 3, 3,
                     1, 3, 3, 4, 3, 3, 3, 3, 1,
                     3, 3, 2, 2, 2, 2, 2, 1,
                     1, 2, 3, 2, 1, 1,
                     3, 2, 2, 1] + ([3, 5] if self.extended else [0, 0]))[0]
        tag = ""
        if c == "GET":
            a = [b"GET", k()]
        elif c == "SET":
            a = [b"SET", k(), self.value()] + self.set_opts()
        elif c == "SETNX":
            a = [b"SETNX", k(), self.value()]
        elif c == "SETEX":
            a = [b"SETEX", k(), self.ttl(), self.value()]
        elif c == "PSETEX":
            a = [b"PSETEX", k(), self.pttl(), self.value()]
        elif c == "GETSET":
            a = [b"GETSET", k(), self.value()]
        elif c == "GETDEL":
            a = [b"GETDEL", k()]
        elif c == "GETEX":
            o = r.choice([[], [b"PERSIST"], [b"EX", self.ttl()], [b"PX", self.pttl()],
                          [b"EXAT", self.abstime()], [b"PXAT", self.abstime(ms=True)],
                          [b"EX"], [b"PERSIST", b"EX", b"100000"], [b"BOGUS"]])
            a = [b"GETEX", k()] + o
        elif c == "MGET":
            a = [b"MGET"] + self.keys()
        elif c in ("MSET", "MSETNX"):
            a = [c.encode()]
            for _ in range(r.randint(1, 3)):
                a += [k(), self.value()]
            if r.random() < 0.08:
                a.pop()
        elif c in ("INCR", "DECR"):
            a = [c.encode(), k()]
        elif c in ("INCRBY", "DECRBY"):
            a = [c.encode(), k(), self.integer()]
        elif c == "INCRBYFLOAT":
            a = [b"INCRBYFLOAT", k(), r.choice(FLOATS)]
        elif c == "APPEND":
            a = [b"APPEND", k(), self.value()]
        elif c == "STRLEN":
            a = [b"STRLEN", k()]
        elif c in ("GETRANGE", "SUBSTR"):
            a = [c.encode(), k(), self.small(), self.small()]
        elif c == "SETRANGE":
            off = r.choice([b"0", b"1", b"3", b"5", b"10", b"20", b"44", b"63", b"-1", b"abc",
                            b"536870912", b"536870911"])
            v = self.value()
            if off == b"536870911" and v:
                v = b""  # never allocate 512 MB
            a = [b"SETRANGE", k(), off, v]
        elif c == "GETBIT":
            a = [b"GETBIT", k(), r.choice([b"0", b"1", b"7", b"8", b"15", b"100", b"1000", b"-1",
                                            b"4294967295", b"4294967296", b"abc"])]
        elif c == "SETBIT":
            off = r.choice([b"0", b"1", b"2", b"7", b"8", b"9", b"15", b"31", b"63", b"100", b"500",
                            b"-1", b"4294967296", b"abc"])
            a = [b"SETBIT", k(), off, r.choice([b"0", b"1", b"1", b"0", b"2", b"-1", b"x"])]
        elif c == "BITCOUNT":
            a = [b"BITCOUNT", k()] + self.bit_range()
        elif c == "BITPOS":
            a = [b"BITPOS", k(), r.choice([b"0", b"1", b"1", b"0", b"2"])] + self.bit_range()
        elif c == "BITOP":
            op = r.choice([b"AND", b"OR", b"XOR", b"NOT", b"and", b"BOGUS"])
            n = 1 if op == b"NOT" and r.random() < 0.8 else r.randint(1, 3)
            a = [b"BITOP", op, k()] + [k() for _ in range(n)]
        elif c in ("DEL", "UNLINK", "EXISTS", "TOUCH"):
            a = [c.encode()] + self.keys()
        elif c == "TYPE":
            a = [b"TYPE", k()]
        elif c in ("RENAME", "RENAMENX"):
            a = [c.encode(), k(), k()]
        elif c == "COPY":
            a = [b"COPY", k(), k()]
            x = r.random()
            if x < 0.3:
                a.append(b"REPLACE")
            elif x < 0.35:
                a += [b"DB", b"0"]
            elif x < 0.38:
                a.append(b"BOGUS")
        elif c in ("TTL", "EXPIRETIME"):
            a = [c.encode(), k()]
            tag = "prop:int,near=1: "
        elif c in ("PTTL", "PEXPIRETIME"):
            a = [c.encode(), k()]
            tag = "prop:int,near=1000: "
        elif c == "PERSIST":
            a = [b"PERSIST", k()]
        elif c == "EXPIRE":
            a = [b"EXPIRE", k(), self.ttl()] + self.expire_flag()
        elif c == "PEXPIRE":
            a = [b"PEXPIRE", k(), self.pttl()] + self.expire_flag()
        elif c == "EXPIREAT":
            a = [b"EXPIREAT", k(), self.abstime()] + self.expire_flag()
        elif c == "PEXPIREAT":
            a = [b"PEXPIREAT", k(), self.abstime(ms=True)] + self.expire_flag()
        elif c == "OBJECT":
            a = [b"OBJECT", b"ENCODING", k()]
        elif c == "DUMP":
            # DUMP + RESTORE + reads (random_objects.py): all but the last
            # step go out first
            src = k()
            dst = k() if r.random() < 0.8 else src
            ensure = [b"SET", src, self.value(), b"NX"] if r.random() < 0.85 else None
            reads = [("", [b"GET", dst])]
            if r.random() < 0.3:
                reads.append(("", [b"STRLEN", dst]))
            steps = self.probes.dump_restore("p", ensure, src, dst, reads)
            self.pending += [t + " ".join(quote_arg(x) for x in a) for t, a in steps[:-1]]
            tag, a = steps[-1]
            return tag, a
        elif c == "PROBE":
            steps = self.probes.any_probe(k())
            self.pending += [t + " ".join(quote_arg(x) for x in a) for t, a in steps[:-1]]
            tag, a = steps[-1]
        elif c == "DBSIZE":
            # A SET ... EXAT/PXAT in the past leaves a logically expired key
            # that DBSIZE counts until active expiry samples it: touch every
            # key first so lazy expiry removes such keys on both servers.
            self.pending.append("EXISTS " + " ".join(quote_arg(x) for x in KEYS))
            a = [b"DBSIZE"]
        elif c == "KEYS":
            a = [b"KEYS", r.choice([b"*", b"*", b"k*", b"k[0-4]", b"?1", b"bin*", b"*\x00*", b"nomatch"])]
            tag = "unordered: "
        else:
            raise AssertionError(c)
        # Now and then break the arity.
        x = r.random()
        if x < 0.015 and len(a) > 1:
            a = a[:-1]
        elif x < 0.03:
            a = a + [b"extra"]
        return tag, a


def reset_config_commands():
    """The CONFIG SET commands restoring what a sequence changes (the
    runner sends them after a sequence, even one cut short by a crash)."""
    return random_objects.reset_policy_commands()


def generate_lines(seed, n):
    g = Gen(seed)
    yield "# key tracking: %s" % g.probes.describe()
    for a in g.probes.policy_commands():
        yield " ".join(quote_arg(x) for x in a)
    for _ in range(n):
        tag, args = g.command()
        yield from g.pending
        g.pending = []
        yield tag + " ".join(quote_arg(x) for x in args)
    for a in reset_config_commands():
        yield " ".join(quote_arg(x) for x in a)


def generate_text(seed, n):
    head = "# random_strings.py seed=%d n=%d\n" % (seed, n)
    return head + "\n".join(generate_lines(seed, n)) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=2000, help="number of commands")
    a = ap.parse_args()
    sys.stdout.write(generate_text(a.seed, a.n))


if __name__ == "__main__":
    main()
