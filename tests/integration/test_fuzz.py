"""Socket fuzzing: no input over a socket crashes the server or makes it hang.

Each test starts one taskkv server of its own with small limits (and, for
the second one, --requirepass) and, for a time budget, runs batches of
concurrent "actors", each on connections of its own:

  proper     valid command pipelines from a grammar of every implemented
             command (RESP or correctly quoted inline), replies read and
             checked for framing: one parseable reply per command, no
             unexpected close, no reply timeout;
  mutated    valid requests mutated (bit flips, truncations, duplicated or
             removed CRLFs, huge/negative/non-numeric lengths, '*' headers
             inside bulks, NULs, inline lines with random quotes/escapes),
             sent in random chunks;
  garbage    random bytes (binary, printable with line breaks, or behind a
             '*'/'$');
  abrupt     closes (FIN or RST) mid-command or mid-bulk;
  blast      a big pipeline sent without reading a reply, then closed;
  halfclose  commands then shutdown(SHUT_WR): the server must close;
  slow       a valid request a few bytes at a time;
  bigreply   megabytes of replies to a client that reads late (checked as
             proper), or reads a little and closes mid-reply;
  burst      many connections at once, over maxclients.

After every batch a control connection must get PONG within a timeout
(hang detection) and the server must be alive; at the end it must answer
INFO, its log must hold no sanitizer report, and SIGTERM must make it exit
0 with a clean log (LeakSanitizer reports at exit).

Never sent: SHUTDOWN, DEBUG, CONFIG SET of the names in NO_CONFIG_SET.

Environment:
  TASKKV_FUZZ_SEED       the seed (default: random; always printed)
  TASKKV_FUZZ_SECONDS    the budget of each test (default 10 s, 20 s on a
                         sanitizer build)
  TASKKV_FUZZ_ARTIFACTS  where a failing batch's transcripts are written
                         (default: a new directory under /tmp)

On a crash or hang the failing batch's transcripts (every byte each actor
sent, per connection) are saved, each actor is replayed alone against a
fresh server, and the first one that reproduces is named in the failure.
"""

import os
import random
import re
import shutil
import socket
import struct
import tempfile
import threading
import time
import traceback

import harness
from harness import (Conn, ConnectionClosed, ErrorReply, ProtocolViolation, ReplyTimeout, check, fresh_server,
                     info, short, timeout)

MAX_BULK = 1 << 20          # --proto-max-bulk-len of the limits run
MAXCLIENTS = 64
LIMIT_ARGS = ("--proto-max-bulk-len", "1mb", "--client-query-buffer-limit", "2mb", "--maxclients", str(MAXCLIENTS))
PASSWORD = "fuzz pass \"q\""
UNAUTH_MAX_ARGC = 10        # Redis' limits for unauthenticated clients
UNAUTH_MAX_BULK = 16384
SANITIZER_MARKS = ("AddressSanitizer", "runtime error", "LeakSanitizer")

# CONFIG SET never touches these (the test server must stay reachable and
# exit 0 on SIGTERM); compared case-insensitively.
NO_CONFIG_SET = {
    "port", "bind", "dir", "unixsocket", "unixsocketperm", "requirepass", "daemonize", "logfile", "pidfile",
    "maxclients", "tls-port", "shutdown-on-sigterm", "shutdown-on-sigint", "oom-score-adj",
    "oom-score-adj-values",
}
# ... and these only to values that keep well-behaved clients working.
RESTRICTED_CONFIG = {
    "proto-max-bulk-len": ["1mb", "1048576", "2mb", "512kb", "0", "-1", "abc", "1.5mb", ""],
    "client-query-buffer-limit": ["2mb", "2097152", "3mb", "1kb", "0", "-2mb", "x"],
    "timeout": ["0", "60", "-1", "abc", "4294967296"],
    "client-output-buffer-limit": ["normal 0 0 0", "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
                                   "normal 1 2", "bad 0 0 0", "normal a b c", ""],
    "maxmemory": ["0", "1gb", "abc", "-1"],
}


def _env_float(name):
    v = os.environ.get(name)
    try:
        return float(v) if v else None
    except ValueError:
        return None


SEED = int(os.environ.get("TASKKV_FUZZ_SEED") or random.SystemRandom().randrange(1 << 32))
_ENV_SECONDS = _env_float("TASKKV_FUZZ_SECONDS")
TEST_TIME_LIMIT = int(90 + 2 * max(_ENV_SECONDS or 0, 20))   # the runner triples it on sanitizer builds


# ---------------------------------------------------------------------------
# Values, keys, patterns
# ---------------------------------------------------------------------------

INTS = ["0", "1", "-1", "2", "7", "100", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967295", "4294967296", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "99999999999999999999999", "+1", " 1", "1 ", "-0",
        "007", "", "abc", "1e3", "0x10", "1.5", "inf", "-inf", "nan", "\x00", "1\x00"]
FLOATS = ["0", "1.5", "-1.5", "1e308", "-1e308", "1e309", "inf", "-inf", "+inf", "nan", "1e-320", "0.1",
          "3.0e5", "5e-5", "1.7976931348623157e308", "17179869184", "-0", "  1", "1x", "", ".5", "5.",
          "0x1p3", "9223372036854775807", "1e18"]
WORDS = ["", "a", "k", "foo", "bar", "hello world", "\x00", "\xff", "*", "?", "[", "]", "\\", "\"", "'",
         "\r\n", "\n", " ", "\t", "{tag}", "-", "--", "ok", "OK", "nil", "$-1", "*1", ":1", "+OK", "-ERR"]
TYPES = ["string", "list", "set", "zset", "hash", "stream", "none", "STRING", "x", ""]


class Ctx:
    """What every actor of a run shares."""

    def __init__(self, port, password, config, commands, sanitizer):
        self.port = port
        self.password = password
        self.config = config                  # name -> value (CONFIG GET *)
        self.settable = sorted(n for n in config if n.lower() not in NO_CONFIG_SET)
        self.commands = commands              # COMMAND LIST, minus SHUTDOWN/DEBUG
        self.sanitizer = sanitizer
        self.reply_timeout = 30.0 if sanitizer else 10.0
        self.hang_timeout = 30.0 if sanitizer else 10.0


class Gen:
    """Random arguments and commands; all randomness comes from rng."""

    def __init__(self, rng, ctx):
        self.r = rng
        self.ctx = ctx

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def rbytes(self, n):
        return self.r.getrandbits(8 * n).to_bytes(n, "little") if n > 0 else b""

    # -- scalars --

    def key(self):
        r = self.r.random()
        if r < 0.8:
            return "k%d" % self.r.randrange(8)
        if r < 0.9:
            return self.pick(["", "{t}k", "k\x00", "\xff\xfe", "*", "[k", "k\\", "a" * 300, "key:1", "K0"])
        return self.rbytes(self.r.randrange(1, 40))

    def keys(self, lo=1, hi=5):
        return [self.key() for _ in range(self.r.randint(lo, hi))]

    def value(self):
        r = self.r.random()
        if r < 0.25:
            return self.pick(INTS)
        if r < 0.3:
            return self.pick(FLOATS)
        if r < 0.55:
            return self.pick(WORDS)
        if r < 0.8:
            return self.rbytes(self.r.randrange(0, 64))
        if r < 0.95:
            return bytes([self.r.getrandbits(8)]) * self.r.randrange(64, 4096)
        if r < 0.995:
            return bytes([self.r.getrandbits(8)]) * self.r.randrange(4096, 100000)
        return b"v" * self.r.randrange(MAX_BULK - 1024, MAX_BULK + 1)

    def small_value(self):
        return self.pick([self.pick(INTS), self.pick(WORDS), self.rbytes(self.r.randrange(0, 16))])

    def int_arg(self, lo=-10, hi=100):
        return self.pick(INTS) if self.chance(0.3) else str(self.r.randint(lo, hi))

    def byte_offset(self):
        r = self.r.random()
        if r < 0.7:
            return str(self.r.randrange(0, 200))
        if r < 0.8:
            return str(self.r.randrange(0, 100000))
        if r < 0.88:
            return str(self.pick([MAX_BULK - 1, MAX_BULK, MAX_BULK - 10, MAX_BULK + 1]))
        return self.pick(INTS)

    def bit_offset(self):
        r = self.r.random()
        if r < 0.7:
            return str(self.r.randrange(0, 2000))
        if r < 0.85:
            return str(self.r.randrange(0, 800000))
        if r < 0.92:
            return str(self.pick([MAX_BULK * 8 - 1, MAX_BULK * 8, MAX_BULK * 8 - 64, 4294967295, 4294967296]))
        return self.pick(INTS + ["#0", "#1", "#100", "#-1", "#99999999", "#9223372036854775807", "#"])

    def index(self):
        r = self.r.random()
        if r < 0.7:
            return str(self.r.randint(-20, 20))
        if r < 0.85:
            return str(self.r.randint(-2000000, 2000000))
        return self.pick(INTS)

    def ttl_s(self):
        r = self.r.random()
        if r < 0.6:
            return str(self.r.randint(1, 3))
        if r < 0.8:
            return str(self.r.randint(-5, 100000))
        return self.pick(INTS + ["9223372036854775", "9223372036854776", "922337203685477"])

    def ttl_ms(self):
        r = self.r.random()
        if r < 0.6:
            return str(self.r.randint(1, 2500))
        if r < 0.8:
            return str(self.r.randint(-5, 10 ** 8))
        return self.pick(INTS + ["9223372036854775", "9223372036854775000"])

    def abs_s(self):
        now = int(time.time())
        r = self.r.random()
        if r < 0.6:
            return str(now + self.r.randint(-3, 3))
        return self.pick(INTS + [str(now * 1000), "9223372036854775", "1", "0"])

    def abs_ms(self):
        now = int(time.time() * 1000)
        r = self.r.random()
        if r < 0.6:
            return str(now + self.r.randint(-3000, 3000))
        return self.pick(INTS + [str(now * 1000), "9223372036854775806"])

    def db(self):
        r = self.r.random()
        if r < 0.85:
            return str(self.r.randrange(0, 4))
        if r < 0.93:
            return str(self.r.randrange(0, 16))
        return self.pick(["16", "-1", "2147483647", "2147483648", "x", "", "1.0", "00"])

    def pattern(self):
        r = self.r.random()
        if r < 0.1:
            return "*"
        if r < 0.15:
            return "a*" * self.r.randint(5, 1500) + self.pick(["b", "", "a"])
        if r < 0.2:
            return "*" * self.r.randint(2, 3000)
        pieces = ["*", "?", "[", "]", "^", "-", "\\", "k", "K", "a", "[a-z]", "[^k]", "[\\]", "[]", "[k-", "\\*",
                  "[z-a]", "[\\", "*?", "0", "7", "\x00", "\xff", "{t}", "[[]", "[^]", "?*?"]
        return "".join(self.pick(pieces) for _ in range(self.r.randint(0, 12)))

    def config_name(self, for_set=False):
        r = self.r.random()
        if r < 0.75:
            names = self.ctx.settable if for_set else list(self.ctx.config)
            n = self.pick(names) if names else "hz"
            return n.upper() if self.chance(0.1) else n
        if for_set:
            return self.pick(["nosuchparam", "", "hz ", "save\x00", "maxmemory-policyx", "*", "HZ",
                              "lfu-log-factor", "lfu-decay-time", "maxmemory-policy", "hz"])
        return self.pick(["*", "max*", "*-*", "[", "\\", "?z", "nosuch", "", "*limit*", "[a-m]*", "port",
                          "dir", "requirepass", "*" * 100])

    def config_value(self, name):
        low = name.lower()
        if low in RESTRICTED_CONFIG:
            return self.pick(RESTRICTED_CONFIG[low])
        if low == "maxmemory-policy":
            return self.pick(["allkeys-lfu", "volatile-lfu", "allkeys-lru", "noeviction", "volatile-ttl",
                              "allkeys-random", "bad", "ALLKEYS-LFU", ""])
        if low in ("lfu-log-factor", "lfu-decay-time", "hz"):
            return self.pick(["0", "1", "10", "100", "500", "501", "-1", "2147483647", "2147483648", "x"])
        cur = self.ctx.config.get(name, self.ctx.config.get(low, ""))
        if isinstance(cur, bytes):
            cur = cur.decode("utf-8", "replace")
        if self.chance(0.3):
            return cur
        if cur in ("yes", "no"):
            return self.pick(["yes", "no", "YES", "maybe", "", "1"])
        if re.fullmatch(r"-?\d+", cur or "x"):
            return self.pick(INTS[:20] + ["1k", "1kb", "1mb", "1gb", "10gb", "2GB", "1b", "k", str(self.r.randint(0, 100000))])
        return self.pick(["", "abc", cur + " extra", "everysec", "always", "notice", "verbose", "debug",
                          "warning", "nothing", "KEA", "Ex", "3600 1 300 100", "1 1 1", "\"", "a b c", "-",
                          "yes no", "0", "-1", self.rbytes(8)])

    def command_name(self):
        cmds = self.ctx.commands or ["get"]
        n = self.pick(cmds) if self.chance(0.85) else self.pick(["nosuch", "", "x" * 200, "get|x", "config|get",
                                                                  "client|list", "Get", "\x00"])
        return n.upper() if self.chance(0.3) else n

    # -- commands --

    def command(self, safe=False, heavy=True):
        """One command as a list of arguments. safe: no CONFIG SET or QUIT
        (for inputs that get mutated)."""
        while True:
            name, weight = self.pick(GRAMMAR_CHOICES)
            if safe and name in ("config_set", "quit"):
                continue
            if not heavy and name in HEAVY:
                continue
            break
        args = GRAMMAR[name](self)
        if self.chance(0.08):
            args = self.perturb(args)
        return args

    def perturb(self, args):
        args = list(args)
        op = self.r.randrange(5)
        if op == 0 and len(args) > 1:
            del args[self.r.randrange(1, len(args))]
        elif op == 1:
            args.insert(self.r.randrange(1, len(args) + 1), self.pick([self.pick(INTS), self.pick(WORDS),
                                                                        self.key()]))
        elif op == 2 and len(args) > 1:
            args[self.r.randrange(1, len(args))] = self.pick(INTS + WORDS)
        elif op == 3:
            args[0] = args[0].swapcase() if isinstance(args[0], str) else args[0]
        else:
            i = self.r.randrange(len(args))
            args.insert(i, args[i])
        return args


def _opts(g, groups, maxn=3):
    """A shuffled selection of option groups (lists)."""
    chosen = [g.pick(groups) for _ in range(g.r.randint(0, maxn))]
    g.r.shuffle(chosen)
    return [a for grp in chosen for a in grp]


def _expiry_opt(g):
    return g.pick([["EX", g.ttl_s()], ["PX", g.ttl_ms()], ["EXAT", g.abs_s()], ["PXAT", g.abs_ms()]])


def g_set(g):
    groups = [_expiry_opt(g), ["KEEPTTL"], ["NX"], ["XX"], ["GET"], ["IFEQ", g.small_value()], ["EX"], ["PX", "x"]]
    return ["SET", g.key(), g.value()] + _opts(g, groups)


def g_getex(g):
    groups = [_expiry_opt(g), ["PERSIST"], ["EX"], ["KEEPTTL"]]
    return ["GETEX", g.key()] + _opts(g, groups, 2)


def g_expire(g):
    name = g.pick(["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
    t = {"EXPIRE": g.ttl_s, "PEXPIRE": g.ttl_ms, "EXPIREAT": g.abs_s, "PEXPIREAT": g.abs_ms}[name]()
    return [name, g.key(), t] + _opts(g, [["NX"], ["XX"], ["GT"], ["LT"], ["nx"], ["BAD"]], 2)


def g_ttl(g):
    return [g.pick(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST", "TYPE", "STRLEN", "GET", "GETDEL",
                    "INCR", "DECR"]), g.key()]


def g_setex(g):
    name = g.pick(["SETEX", "PSETEX"])
    return [name, g.key(), g.ttl_s() if name == "SETEX" else g.ttl_ms(), g.value()]


def g_simple_kv(g):
    return [g.pick(["SETNX", "GETSET", "APPEND", "DELIFEQ"]), g.key(), g.value()]


def g_incr(g):
    name = g.pick(["INCRBY", "DECRBY", "INCRBYFLOAT"])
    return [name, g.key(), g.pick(FLOATS) if name == "INCRBYFLOAT" else g.int_arg(-1000, 1000)]


def g_mset(g):
    name = g.pick(["MSET", "MSETNX"])
    args = [name]
    for _ in range(g.r.randint(1, 6)):
        args += [g.key(), g.value() if g.chance(0.3) else g.small_value()]
    return args


def g_multikey(g):
    return [g.pick(["MGET", "DEL", "UNLINK", "EXISTS", "TOUCH"])] + g.keys(1, 8)


def g_range(g):
    return [g.pick(["GETRANGE", "SUBSTR"]), g.key(), g.index(), g.index()]


def g_setrange(g):
    return ["SETRANGE", g.key(), g.byte_offset(), g.value() if g.chance(0.3) else g.small_value()]


def g_lcs(g):
    return ["LCS", g.key(), g.key()] + _opts(g, [["LEN"], ["IDX"], ["MINMATCHLEN", g.int_arg(-5, 10)],
                                                 ["WITHMATCHLEN"], ["BAD"]], 4)


def g_bits(g):
    name = g.pick(["GETBIT", "SETBIT", "BITCOUNT", "BITPOS"])
    k = g.key()
    if name == "GETBIT":
        return [name, k, g.bit_offset()]
    if name == "SETBIT":
        return [name, k, g.bit_offset(), g.pick(["0", "1", "1", "2", "-1", "x", ""])]
    unit = [g.pick(["BYTE", "BIT", "byte", "bit", "WORD"])] if g.chance(0.4) else []
    rng = [g.index(), g.index()] + unit if g.chance(0.6) else ([g.index()] if g.chance(0.3) else [])
    if name == "BITCOUNT":
        return [name, k] + rng
    return [name, k, g.pick(["0", "1", "2", "-1"])] + rng


def g_bitop(g):
    op = g.pick(["AND", "OR", "XOR", "NOT", "and", "DIFF", "ONE", "x"])
    return ["BITOP", op, g.key()] + g.keys(1, 4 if op.upper() != "NOT" else 1)


def g_bitfield(g):
    args = ["BITFIELD", g.key()]

    def typ():
        r = g.r.random()
        if r < 0.85:
            return "%s%d" % (g.pick("iu"), g.r.randint(1, 64))
        return g.pick(["i0", "u0", "i65", "u64", "x8", "i", "", "I8", "u-1"])

    for _ in range(g.r.randint(0, 6)):
        sub = g.pick(["GET", "SET", "INCRBY", "OVERFLOW", "get", "BAD"])
        if sub.upper() == "GET":
            args += [sub, typ(), g.bit_offset()]
        elif sub in ("SET", "INCRBY"):
            args += [sub, typ(), g.bit_offset(), g.pick(INTS) if g.chance(0.3) else str(g.r.randint(-300, 300))]
        elif sub == "OVERFLOW":
            args += [sub, g.pick(["WRAP", "SAT", "FAIL", "wrap", "BAD"])]
        else:
            args += [sub]
    return args


def g_keys(g):
    return ["KEYS", g.pattern()]


def g_scan(g):
    cur = g.pick(["0", "0", "1", str(g.r.getrandbits(64)), "18446744073709551615", "18446744073709551616",
                  "-1", "x", str(g.r.randrange(100))])
    return ["SCAN", cur] + _opts(g, [["MATCH", g.pattern()], ["COUNT", g.int_arg(-2, 1000)],
                                     ["TYPE", g.pick(TYPES)], ["COUNT"]], 3)


def g_rename(g):
    return [g.pick(["RENAME", "RENAMENX"]), g.key(), g.key()]


def g_copy(g):
    return ["COPY", g.key(), g.key()] + _opts(g, [["DB", g.db()], ["REPLACE"], ["DB"]], 2)


def g_move(g):
    return ["MOVE", g.key(), g.db()]


def g_db(g):
    r = g.r.random()
    if r < 0.5:
        return ["SELECT", g.db()]
    if r < 0.8:
        return ["SWAPDB", g.db(), g.db()]
    if r < 0.95:
        return [g.pick(["FLUSHDB", "DBSIZE", "RANDOMKEY"])] + ([g.pick(["ASYNC", "SYNC", "x"])] if g.chance(0.3)
                                                                else [])
    return ["FLUSHALL"] + ([g.pick(["ASYNC", "SYNC"])] if g.chance(0.5) else [])


def g_server(g):
    return g.pick([["PING"], ["PING", g.small_value()], ["ECHO", g.value()], ["TIME"], ["LASTSAVE"],
                   ["PING", "a", "b"], ["ECHO"]])


def g_info(g):
    secs = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "commandstats",
            "errorstats", "keyspace", "all", "everything", "default", "x", "", "SERVER", "latencystats",
            "modules", "cluster"]
    return ["INFO"] + [g.pick(secs) for _ in range(g.r.randint(0, 4))]


def g_config_get(g):
    return ["CONFIG", "GET"] + [g.config_name() for _ in range(g.r.randint(0, 4))]


def g_config_set(g):
    if g.chance(0.1):
        return ["CONFIG", g.pick(["RESETSTAT", "HELP", "REWRITE", "resetstat", "NOSUCH"])]
    args = ["CONFIG", "SET"]
    for _ in range(g.r.randint(1, 3)):
        n = g.config_name(for_set=True)
        args += [n, g.config_value(n)]
    if g.chance(0.05):
        args.pop()
    return args


def g_object(g):
    sub = g.pick(["ENCODING", "REFCOUNT", "FREQ", "IDLETIME", "HELP", "encoding", "NOSUCH"])
    return ["OBJECT", sub] + ([g.key()] if sub.upper() != "HELP" or g.chance(0.2) else [])


def g_command(g):
    sub = g.pick(["COUNT", "INFO", "LIST", "GETKEYS", "DOCS", "HELP", "GETKEYSANDFLAGS", "NOSUCH", None])
    if sub is None:
        return ["COMMAND"]
    if sub in ("INFO", "DOCS"):
        return ["COMMAND", sub] + [g.command_name() for _ in range(g.r.randint(0, 4))]
    if sub == "LIST":
        return ["COMMAND", "LIST"] + g.pick([[], ["FILTERBY", "PATTERN", g.pattern()],
                                             ["FILTERBY", "ACLCAT", g.pick(["string", "keyspace", "x", ""])],
                                             ["FILTERBY", "MODULE", "x"], ["FILTERBY"], ["FILTERBY", "x", "y"]])
    if sub in ("GETKEYS", "GETKEYSANDFLAGS"):
        inner = g.command(safe=True, heavy=False) if g.chance(0.8) else [g.command_name()]
        return ["COMMAND", sub] + [a for a in inner if not (isinstance(a, str) and a.upper() in ("SHUTDOWN",
                                                                                                   "DEBUG"))]
    return ["COMMAND", sub]


def g_client(g):
    sub = g.pick(["ID", "SETNAME", "GETNAME", "LIST", "INFO", "SETINFO", "HELP", "NO-EVICT", "NO-TOUCH",
                  "TRACKINGINFO", "GETREDIR", "NOSUCH", "setname"])
    if sub.upper() == "SETNAME":
        return ["CLIENT", sub, g.pick(["app", "", "a b", "x\n", "n" * 300, g.small_value()])]
    if sub == "LIST":
        return ["CLIENT", "LIST"] + g.pick([[], ["TYPE", g.pick(["normal", "master", "replica", "pubsub", "x"])],
                                            ["ID"] + [g.int_arg(-1, 100) for _ in range(g.r.randint(0, 4))],
                                            ["TYPE"], ["x"]])
    if sub == "SETINFO":
        return ["CLIENT", "SETINFO", g.pick(["LIB-NAME", "LIB-VER", "lib-name", "x"]),
                g.pick(["redis-py", "1.0", "a b", "", "x\n", g.small_value()])]
    if sub in ("NO-EVICT", "NO-TOUCH"):
        return ["CLIENT", sub, g.pick(["on", "off", "x"])]
    return ["CLIENT", sub]


def g_hello(g):
    args = ["HELLO"]
    if g.chance(0.85):
        args.append(g.pick(["2", "3", "3", "2", "1", "4", "x", "-1", "9223372036854775808"]))
        opts = []
        if g.chance(0.4):
            pw = g.ctx.password if g.ctx.password and g.chance(0.8) else g.pick(["wrong", "", "nopass"])
            opts += [["AUTH", g.pick(["default", "default", "nosuch"]), pw]]
        if g.chance(0.3):
            opts += [["SETNAME", g.pick(["n1", "a b", "", "x" * 100])]]
        if g.chance(0.05):
            opts += [["AUTH"]]
        g.r.shuffle(opts)
        args += [a for o in opts for a in o]
    return args


def g_auth(g):
    pw = g.ctx.password if g.ctx.password and g.chance(0.7) else g.pick(["wrong", "", "nopass", "x" * 100])
    return g.pick([["AUTH", pw], ["AUTH", "default", pw], ["AUTH", "nosuch", pw], ["AUTH"], ["AUTH", "a", "b", "c"]])


def g_reset(g):
    return ["RESET"]


def g_quit(g):
    return ["QUIT"]


def g_unknown(g):
    return [g.pick(["NOSUCHCMD", "GETX", "x" * 100, "", "\x00", "*", "$3", "BITFIELD_RO", "SUBSCRIBE_",
                    "CLIENTS"])] + [g.small_value() for _ in range(g.r.randint(0, 3))]


def g_long_key(g):
    """A long key of a's for KEYS/SCAN glob backtracking."""
    return ["SET", "a" * g.r.randint(50, 2000), "1", "PX", str(g.r.randint(50, 3000))]


GRAMMAR = {
    "set": g_set, "getex": g_getex, "expire": g_expire, "ttl": g_ttl, "setex": g_setex, "simple_kv": g_simple_kv,
    "incr": g_incr, "mset": g_mset, "multikey": g_multikey, "range": g_range, "setrange": g_setrange,
    "lcs": g_lcs, "bits": g_bits, "bitop": g_bitop, "bitfield": g_bitfield, "keys": g_keys, "scan": g_scan,
    "rename": g_rename, "copy": g_copy, "move": g_move, "db": g_db, "server": g_server, "info": g_info,
    "config_get": g_config_get, "config_set": g_config_set, "object": g_object, "command": g_command,
    "client": g_client, "hello": g_hello, "auth": g_auth, "reset": g_reset, "quit": g_quit,
    "unknown": g_unknown, "long_key": g_long_key,
}
WEIGHTS = {"set": 12, "getex": 4, "expire": 6, "ttl": 6, "setex": 3, "simple_kv": 4, "incr": 4, "mset": 3,
           "multikey": 4, "range": 3, "setrange": 4, "lcs": 2, "bits": 6, "bitop": 3, "bitfield": 5, "keys": 3,
           "scan": 4, "rename": 3, "copy": 3, "move": 2, "db": 3, "server": 2, "info": 1, "config_get": 2,
           "config_set": 3, "object": 2, "command": 2, "client": 3, "hello": 2, "auth": 1, "reset": 1,
           "quit": 1, "unknown": 1, "long_key": 1}
GRAMMAR_CHOICES = [(n, w) for n, w in WEIGHTS.items() for _ in range(w)]
HEAVY = {"info", "command", "config_get", "keys"}


# ---------------------------------------------------------------------------
# Encodings and mutations
# ---------------------------------------------------------------------------

def _b(a):
    return a.encode("latin-1") if isinstance(a, str) else a


def resp(args):
    return harness.encode(*[_b(a) for a in args])


_SAFE_INLINE = re.compile(rb"^[A-Za-z0-9_.:{}|*?\[\]^@#%+=,/-]+$")


def inline_quote(a, g):
    a = _b(a)
    if a and _SAFE_INLINE.match(a) and not g.chance(0.3):
        return a
    if all(0x20 <= ch < 0x7F for ch in a) and b"'" not in a and b"\\" not in a and g.chance(0.3):
        return b"'" + a + b"'"     # no escapes inside '...' but \\' (and a NUL would hide the newline)
    out = bytearray(b'"')
    for ch in a:
        if ch == 0x22:
            out += b'\\"'
        elif ch == 0x5C:
            out += b"\\\\"
        elif 0x20 <= ch < 0x7F and ch != 0x27:
            out.append(ch)
        elif ch in (0x0A, 0x0D, 0x09) and g.chance(0.5):
            out += {0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t"}[ch]
        else:
            out += b"\\x%02x" % ch if g.chance(0.5) else b"\\x%02X" % ch
    out += b'"'
    return bytes(out)


def inline(args, g):
    sep = lambda: g.pick([b" ", b" ", b"  ", b"\t"])   # noqa: E731
    words = [inline_quote(a, g) for a in args]
    if words[0][:1] == b"*":      # a leading '*' would make it a multibulk request
        words[0] = b'"' + words[0] + b'"'
    body = sep().join(words)
    return (sep() if g.chance(0.1) else b"") + body + g.pick([b"\r\n", b"\r\n", b"\n"])


def can_inline(args):
    return sum(len(_b(a)) for a in args) < 4000 and len(args) > 0 and len(_b(args[0])) > 0


LENGTHS = [b"-1", b"0", b"-0", b"", b"2147483647", b"2147483648", b"-2147483649", b"4294967296",
           b"9223372036854775807", b"9223372036854775808", b"-9223372036854775808", b"99999999999999999999999",
           b"1048576", b"1048577", b"1048575", b"16385", b"x", b"1x", b" 5", b"5 ", b"+5", b"0x5", b"1e3", b"\x00",
           b"-", b"--1", b"01", b"3\x00", b"536870912", b"1073741825"]
JUNK_LINES = [b'"\\x', b'"\\xZZ"', b"'a\\'b'", b'"a"b', b'"unterminated', b"\\\\\\", b"\t\t", b"\x00\x00",
              b'"\\x00\\xff"', b"'", b'"', b'""', b"''", b'"a\\', b"a\"b\"c", b"\\x41", b" \"a\" \"", b"\x7f\xff",
              b'"\\"', b"'\\''", b"\"\\n\\r\\t\\b\\a\\z\""]


def mutate(data, g, n):
    d = bytearray(data)
    r = g.r
    for _ in range(n):
        op = r.randrange(14)
        if not d:
            d += g.rbytes(r.randint(1, 8))
            continue
        i = r.randrange(len(d))
        if op == 0:                                    # bit flip
            d[i] ^= 1 << r.randrange(8)
        elif op == 1:                                  # random byte
            d[i] = r.getrandbits(8)
        elif op == 2:                                  # insert random bytes
            d[i:i] = g.rbytes(r.randint(1, 16))
        elif op == 3:                                  # delete a range
            del d[i:i + r.randint(1, 32)]
        elif op == 4:                                  # truncate
            del d[i:]
        elif op == 5:                                  # duplicate a range
            j = min(len(d), i + r.randint(1, 64))
            d[j:j] = d[i:j] * r.randint(1, 4)
        elif op == 6:                                  # remove a CRLF
            k = d.find(b"\r\n", i)
            if k >= 0:
                if r.random() < 0.6:
                    del d[k:k + 2]
                else:
                    del d[k + r.randrange(2)]
        elif op == 7:                                  # duplicate a CRLF / insert one
            k = d.find(b"\r\n", i)
            d[k if k >= 0 else i:k if k >= 0 else i] = g.pick([b"\r\n", b"\r\n\r\n", b"\n", b"\r", b"\r\r\n"])
        elif op in (8, 9):                             # replace a length
            starts = [m.start() for m in re.finditer(rb"[*$][^\r\n]*\r", d)]
            if starts:
                s = g.pick(starts)
                e = d.find(b"\r", s)
                d[s + 1:e] = g.pick(LENGTHS)
        elif op == 10:                                 # '*' headers inside a bulk
            d[i:i] = b"*%d\r\n" % r.choice([1, 2, 3, 10, 1000, 2147483647, -1]) + \
                (b"$3\r\nSET\r\n" if r.random() < 0.5 else b"")
        elif op == 11:                                 # NULs
            d[i:i] = b"\x00" * r.randint(1, 4)
        elif op == 12:                                 # swap type bytes
            k = d.find(g.pick([b"*", b"$"]), i)
            if k >= 0:
                d[k] = ord(g.pick([b"*", b"$", b"+", b":", b"-", b"%", b"~"]))
        else:                                          # an inline junk line
            d[i:i] = g.pick([b"SET ", b"GET ", b"ECHO ", b"", b"PING "]) + b" ".join(
                g.pick(JUNK_LINES) for _ in range(r.randint(1, 4))) + g.pick([b"\r\n", b"\n", b""])
    return bytes(d)


# ---------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------

class RecConn(Conn):
    """A harness connection whose operations go into the actor's transcript."""

    def __init__(self, actor, timeout_s):
        self.actor = actor
        self.idx = actor.nconn
        actor.nconn += 1
        actor.events.append(("connect", self.idx))
        self.nreplies = 0
        self.dead = False
        super().__init__(port=actor.ctx.port, timeout=timeout_s)

    def send(self, data):
        self.actor.events.append(("send", self.idx, bytes(data)))
        self.sock.sendall(data)

    def shut_wr(self):
        self.actor.events.append(("shutwr", self.idx))
        self.sock.shutdown(socket.SHUT_WR)

    def close(self, rst=False):
        if self.sock.fileno() < 0:
            return
        self.actor.events.append(("close", self.idx, rst))
        if rst:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        super().close()

    def drain(self, wait_s):
        """Whatever arrives within wait_s: (bytes, closed)."""
        self.actor.events.append(("read", self.idx, wait_s))
        return self.read_until_eof(wait_s)


class Actor:
    def __init__(self, ctx, kind, rng, label):
        self.ctx = ctx
        self.kind = kind
        self.r = rng
        self.g = Gen(rng, ctx)
        self.label = label
        self.events = []
        self.nconn = 0
        self.conns = []
        self.findings = []
        self.authed = ctx.password is None
        self.may_be_rejected = False   # a burst in the batch may fill maxclients

    def connect(self, timeout_s=None):
        c = RecConn(self, timeout_s or self.ctx.reply_timeout)
        self.conns.append(c)
        return c

    def finding(self, msg):
        self.findings.append("%s: %s" % (self.label, msg))

    def run(self):
        try:
            getattr(self, "run_" + self.kind)()
        except (OSError, ConnectionClosed, ReplyTimeout):
            pass   # expected with broken inputs; proper actors check their own
        except Exception:
            self.finding("actor error\n%s" % traceback.format_exc(limit=-4))
        finally:
            for c in self.conns:
                c.close(rst=self.r.random() < 0.2)

    def auth_first(self, c, p=0.85):
        """On a --requirepass server, usually authenticate before fuzzing."""
        if self.ctx.password and not self.authed and self.r.random() < p:
            args = ["AUTH", self.ctx.password] if self.r.random() < 0.7 else \
                ["HELLO", self.r.choice(["2", "3"]), "AUTH", "default", self.ctx.password]
            return self.exchange(c, [args])
        return True

    # -- well-behaved: replies are checked for framing --

    def exchange(self, c, cmds, use_inline=False, trickle=False, delay=0):
        """Sends cmds (pipelined), reads one reply each. False once the
        connection is closed (as it may legitimately be)."""
        if c.dead:
            return False
        ok = self._exchange(c, cmds, use_inline, trickle, delay)
        c.dead = not ok
        return ok

    def _exchange(self, c, cmds, use_inline, trickle, delay):
        for i, a in enumerate(cmds):
            if isinstance(a[0], str) and a[0].upper() == "QUIT":
                cmds = cmds[:i + 1]
                break
        # an unauthenticated client (also after RESET) is closed on a request
        # with over 10 arguments or a bulk over 16 KiB, as in Redis
        unauth_big = False
        payload = []
        maybe_unauth = not self.authed
        for a in cmds:
            if maybe_unauth and (len(a) > UNAUTH_MAX_ARGC or any(len(_b(x)) > UNAUTH_MAX_BULK for x in a)):
                unauth_big = True
            if self.ctx.password and _b(a[0]).upper() == b"RESET":
                maybe_unauth = True
            payload.append(inline(a, self.g) if use_inline and can_inline(a) else resp(a))
        data = b"".join(payload)
        try:
            if trickle:
                pos = 0
                while pos < len(data):
                    n = self.r.randint(1, 3)
                    c.send(data[pos:pos + n])
                    pos += n
                    time.sleep(0.001)
            elif len(data) > 300000:
                for p in payload:    # big values one at a time, not a huge unread pipeline
                    c.send(p)
            else:
                c.send(data)
        except OSError as e:
            if not (unauth_big or self.rejected(c) or (self.may_be_rejected and c.nreplies == 0)):
                self.finding("send failed (%s) on a well-behaved connection; commands: %s" % (e, short(cmds, 600)))
            return False
        if delay:
            time.sleep(delay)    # replies pile up: the server must wait for a writable socket
        for i, a in enumerate(cmds):
            name = _b(a[0]).upper() if a else b""
            try:
                rep = c.read(self.ctx.reply_timeout)
            except ConnectionClosed:
                if self.rejected(c) or (self.may_be_rejected and c.nreplies == 0):
                    return False
                if unauth_big or (i > 0 and _b(cmds[i - 1][0]).upper() == b"QUIT"):
                    return False
                self.finding("connection closed after %d of %d replies; next command %s; pipeline %s"
                             % (i, len(cmds), short(a, 300), short(cmds, 600)))
                return False
            except ReplyTimeout:
                self.finding("no reply within %.0fs to command %d of %d: %s (pipeline %s)"
                             % (self.ctx.reply_timeout, i + 1, len(cmds), short(a, 300), short(cmds, 600)))
                return False
            except (ProtocolViolation, ValueError) as e:
                self.finding("unparseable reply (%s) to %s; bytes %s" % (e, short(a, 300), short(c.pending(), 400)))
                return False
            c.nreplies += 1
            if isinstance(rep, ErrorReply) and rep.startswith("ERR Protocol error"):
                if not unauth_big:
                    self.finding("protocol error %r on a well-formed request %s (pipeline %s)"
                                 % (str(rep), short(a, 300), short(cmds, 600)))
                return False
            if c.nreplies == 1 and isinstance(rep, ErrorReply) and rep.startswith("ERR max number of clients"):
                return False
            self.track_auth(name, a, rep)
            if name == b"QUIT":
                return False
        return True

    def rejected(self, c):
        return c.pending().startswith(b"-ERR max number of clients")

    def track_auth(self, name, args, rep):
        if not self.ctx.password:
            return
        if name == b"RESET":
            self.authed = False
        elif name in (b"AUTH", b"HELLO") and not isinstance(rep, ErrorReply):
            if name == b"AUTH" or any(isinstance(x, str) and x.upper() == "AUTH" for x in args):
                self.authed = True

    def run_proper(self):
        c = self.connect()
        if not self.auth_first(c):
            return
        for _ in range(self.r.randint(1, 6)):
            cmds = [self.g.command() for _ in range(self.r.choice([1, 1, 2, 5, 10, 30, 80]))]
            if not self.exchange(c, cmds, use_inline=self.r.random() < 0.2):
                return

    def run_slow(self):
        c = self.connect()
        if not self.auth_first(c):
            return
        cmds = [self.g.command(heavy=False) for _ in range(self.r.randint(1, 3))]
        cmds = [a for a in cmds if sum(len(_b(x)) for x in a) < 300] or [["PING"]]
        self.exchange(c, cmds, use_inline=self.r.random() < 0.3, trickle=True)

    def run_halfclose(self):
        c = self.connect()
        self.auth_first(c, 0.7)
        cmds = [self.g.command(safe=True) for _ in range(self.r.randint(0, 20))]
        data = b"".join(resp(a) for a in cmds)
        if self.r.random() < 0.3:
            data = mutate(data, self.g, self.r.randint(1, 4))
        if self.r.random() < 0.3 and data:
            data = data[:self.r.randrange(len(data))]
        if data:
            c.send(data)
        c.shut_wr()
        _, closed = c.drain(self.ctx.hang_timeout)
        if not closed:
            self.finding("the server kept a half-closed connection open for %.0fs after %s"
                         % (self.ctx.hang_timeout, short(data, 400)))

    def run_bigreply(self):
        """Megabytes of replies to a client that reads late (well-behaved),
        or that reads a little and then closes mid-reply (hostile)."""
        c = self.connect()
        if not self.auth_first(c, 0.95):
            return
        size = self.r.choice([65536, 500000, MAX_BULK - 100])
        key = "big%d" % self.r.randrange(4)
        n = self.r.randint(2, (24 << 20) // size)
        read = [self.r.choice([["GET", key], ["GETRANGE", key, "0", "-1"], ["GETEX", key], ["LCS", key, key]])
                for _ in range(n)]
        cmds = [["SET", key, bytes([self.r.randrange(256)]) * size]] + read
        if self.r.random() < 0.5:
            self.exchange(c, cmds, delay=self.r.choice([0, 0.05, 0.3]))
            return
        c.sock.settimeout(2.0)
        c.send(resp(cmds[0]))
        c.send(b"".join(resp(a) for a in read))
        if self.r.random() < 0.7:
            c.drain(self.r.choice([0.001, 0.05, 0.2]))
        c.close(rst=self.r.random() < 0.5)

    # -- hostile: anything goes, only the server's survival is checked --

    def finish(self, c, read_p=0.5):
        """A random ending for a hostile connection."""
        r = self.r.random()
        if r < read_p:
            c.drain(self.r.choice([0.01, 0.05, 0.2]))
        elif r < read_p + 0.2:
            c.shut_wr()
            c.drain(0.2)
        c.close(rst=self.r.random() < 0.3)

    def send_chunked(self, c, data):
        pos = 0
        while pos < len(data):
            n = self.r.choice([1, 2, 7, 64, 1000, 65536, len(data)])
            c.send(data[pos:pos + n])
            pos += n
            if self.r.random() < 0.1:
                time.sleep(0.002)

    def run_mutated(self):
        c = self.connect(2.0)
        self.auth_first(c)
        cmds = [self.g.command(safe=True, heavy=False) for _ in range(self.r.randint(1, 8))]
        use_inline = self.r.random() < 0.25
        base = b"".join(inline(a, self.g) if use_inline and can_inline(a) else resp(a) for a in cmds)
        data = mutate(base, self.g, self.r.choice([1, 1, 2, 3, 5, 10]))
        self.send_chunked(c, data)
        self.finish(c)

    def run_garbage(self):
        c = self.connect(2.0)
        if self.r.random() < 0.5:
            self.auth_first(c)
        r = self.r.random()
        n = self.r.choice([1, 4, 16, 100, 1000, 10000, 70000])
        if r < 0.4:
            data = self.g.rbytes(n)
        elif r < 0.7:
            alphabet = b"abcSETGETPINGECHO *$:+-0123456789\"'\\\r\n\t x"
            data = bytes(self.r.choice(alphabet) for _ in range(min(n, 5000)))
        else:
            data = self.r.choice([b"*", b"$", b"*1\r\n$", b"*3\r\n", b"*1\r\n"]) + self.g.rbytes(n)
        self.send_chunked(c, data)
        self.finish(c)

    def run_abrupt(self):
        c = self.connect(2.0)
        self.auth_first(c)
        cmds = [self.g.command(safe=True, heavy=False) for _ in range(self.r.randint(1, 5))]
        if self.r.random() < 0.5:
            big = self.r.choice([1000, 20000, 500000, MAX_BULK])
            cmds.append(["SET", self.g.key(), b"b" * big])
        data = b"".join(resp(a) for a in cmds)
        if self.r.random() < 0.5:
            # cut inside the last bulk payload
            last = len(data) - len(resp(cmds[-1]))
            cut = self.r.randrange(last, len(data))
        else:
            cut = self.r.randrange(len(data))
        self.send_chunked(c, data[:cut])
        if self.r.random() < 0.3:
            c.drain(0.01)
        c.close(rst=self.r.random() < 0.5)

    def run_blast(self):
        c = self.connect(2.0)
        self.auth_first(c, 0.95)
        n = self.r.choice([100, 500, 2000])
        heavy = [["KEYS", "*"], ["CONFIG", "GET", "*"], ["INFO", "everything"], ["CLIENT", "LIST"],
                 ["GETRANGE", "k0", "0", "-1"], ["COMMAND", "DOCS"], ["SCAN", "0", "COUNT", "1000"],
                 ["MGET"] + ["k%d" % i for i in range(8)]]
        cmds = []
        for _ in range(n):
            cmds.append(self.r.choice(heavy) if self.r.random() < 0.05 else
                        self.g.command(safe=True, heavy=False))
        data = b"".join(resp(a) for a in cmds)
        data = data[:2 * MAX_BULK]
        try:
            c.send(data)
        except (socket.timeout, OSError):
            pass
        end = self.r.random()
        if end < 0.3:
            c.shut_wr()
        c.close(rst=end > 0.6)

    def run_burst(self):
        conns = []
        for _ in range(self.r.randint(10, MAXCLIENTS + 16)):
            try:
                conns.append(self.connect(2.0))
            except OSError:
                break
        for c in conns:
            if self.r.random() < 0.5:
                try:
                    c.send(b"PING\r\n" if self.r.random() < 0.5 else resp(self.g.command(safe=True, heavy=False)))
                except OSError:
                    pass
        time.sleep(self.r.choice([0, 0.01, 0.1]))
        for c in conns:
            if self.r.random() < 0.3:
                try:
                    c.drain(0.01)
                except OSError:
                    pass
            c.close(rst=self.r.random() < 0.5)


KINDS = [("proper", 30), ("mutated", 22), ("garbage", 10), ("abrupt", 10), ("blast", 7), ("halfclose", 10),
         ("slow", 8), ("burst", 3), ("bigreply", 4)]
KIND_CHOICES = [k for k, w in KINDS for _ in range(w)]


def make_batch(ctx, run_name, batch_no):
    r = random.Random("%d:%s:%d" % (SEED, run_name, batch_no))
    actors = []
    burst = False
    for i in range(r.randint(6, 20)):
        kind = r.choice(KIND_CHOICES)
        if kind == "burst":
            if burst:
                kind = "proper"
            burst = True
        label = "batch %d actor %d (%s)" % (batch_no, i, kind)
        actors.append(Actor(ctx, kind, random.Random("%d:%s:%d:%d" % (SEED, run_name, batch_no, i)), label))
    for a in actors:
        a.may_be_rejected = burst
    return actors


def run_batch(actors, limit_s):
    threads = [threading.Thread(target=a.run, daemon=True) for a in actors]
    for th in threads:
        th.start()
    deadline = time.time() + limit_s
    for th in threads:
        th.join(max(0.1, deadline - time.time()))
    stuck = [a.label for a, th in zip(actors, threads) if th.is_alive()]
    return stuck


# ---------------------------------------------------------------------------
# Failure handling: transcripts, replay
# ---------------------------------------------------------------------------

def save_batch(run_name, batch_no, actors, server):
    root = os.environ.get("TASKKV_FUZZ_ARTIFACTS") or tempfile.gettempdir()
    os.makedirs(root, exist_ok=True)
    d = tempfile.mkdtemp(prefix="taskkv-fuzz-%s-seed%d-batch%d-" % (run_name, SEED, batch_no), dir=root)
    for i, a in enumerate(actors):
        with open(os.path.join(d, "actor%02d-%s.events.txt" % (i, a.kind)), "w") as f:
            f.write("# %s\n" % a.label)
            for ev in a.events:
                f.write(repr(ev) + "\n")
        per_conn = {}
        for ev in a.events:
            if ev[0] == "send":
                per_conn.setdefault(ev[1], bytearray()).extend(ev[2])
        for ci, data in per_conn.items():
            with open(os.path.join(d, "actor%02d-conn%d.bin" % (i, ci)), "wb") as f:
                f.write(data)
    for p in (server.stdout_path, server.stderr_path):
        try:
            shutil.copy(p, d)
        except OSError:
            pass
    return d


def replay(events, port):
    """Replays one actor's transcript (the caller then checks the server)."""
    conns = {}
    for ev in events:
        try:
            if ev[0] == "connect":
                conns[ev[1]] = Conn(port=port, timeout=2.0)
            elif ev[0] == "send":
                conns[ev[1]].sock.sendall(ev[2])
            elif ev[0] == "shutwr":
                conns[ev[1]].sock.shutdown(socket.SHUT_WR)
            elif ev[0] == "read":
                conns[ev[1]].read_until_eof(min(ev[2], 0.5))
            elif ev[0] == "close":
                if ev[2]:
                    conns[ev[1]].sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conns[ev[1]].close()
        except (OSError, ConnectionClosed, ReplyTimeout, KeyError):
            pass
    for c in conns.values():
        c.close()


def server_ok(server, password, wait_s):
    """None if the server is alive and answers PING on a new connection."""
    if not server.alive():
        return "exited with status %s" % server.proc.returncode
    try:
        with Conn(port=server.port, timeout=wait_s) as c:
            if password:
                c.cmd("AUTH", password)
            r = c.cmd("PING")
            if r != "PONG":
                return "PING answered %r" % (r,)
    except (OSError, ConnectionClosed, ReplyTimeout) as e:
        return "no PONG within %.0fs (%s)" % (wait_s, e)
    if not server.alive():
        return "exited with status %s" % server.proc.returncode
    return None


def find_culprit(t, args, password, actors, budget_s):
    """Replays each actor alone against fresh servers, then the whole batch
    actor after actor against one: (what reproduced it, why, its events,
    the server log) or None (state from earlier batches is needed)."""
    end = time.time() + budget_s
    wait_s = 15.0 if t.sanitizer else 5.0
    tries = [[a] for a in sorted(actors, key=lambda a: a.kind == "proper")] + [list(actors)]
    for group in tries:
        if time.time() > end:
            return None
        s = harness.Server(t.binary, args, "taskkv", root=t.tmpdir, name="replay")
        try:
            s.start()
            for a in group:
                replay(a.events, s.port)
                time.sleep(0.2)
                bad = server_ok(s, password, wait_s)
                if bad:
                    deadline = time.time() + 3
                    while s.alive() and time.time() < deadline:
                        time.sleep(0.05)
                    s.stop()
                    what = a.label + (" alone" if len(group) == 1 else ", replaying the batch in order")
                    return what, bad, a.events, s.output_tail(6000)
        except harness.ServerError:
            pass
        finally:
            s.stop()
            s.cleanup()
    return None


def describe_events(events, limit=2500):
    out = []
    for ev in events:
        out.append(repr(ev) if ev[0] != "send" else "('send', %d, %s)" % (ev[1], short(ev[2], 400)))
    text = "\n".join(out)
    return text if len(text) <= limit else text[:limit] + "\n...(%d events)" % len(events)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

def sanitizer_lines(server):
    text = server.stdout() + "\n" + server.stderr()
    return [ln for ln in text.splitlines() if any(m in ln for m in SANITIZER_MARKS)]


def control_conn(server, password, wait_s):
    c = Conn(port=server.port, timeout=wait_s)
    if password:
        r = c.cmd("AUTH", password)
        if r != "OK":
            raise AssertionError("control AUTH failed: %r" % (r,))
    return c


def fuzz(t, run_name, password=None):
    server = t.server
    args = list(server.extra)
    budget = _ENV_SECONDS if _ENV_SECONDS is not None else (20.0 if t.sanitizer else 10.0)
    msg = "fuzz %s: seed %d (TASKKV_FUZZ_SEED=%d to replay), %.0fs" % (run_name, SEED, SEED, budget)
    print(msg, flush=True)
    t.note(msg)
    wait_s = 30.0 if t.sanitizer else 10.0
    ctrl = t.track(control_conn(server, password, wait_s))
    pairs = ctrl.cmd("CONFIG", "GET", "*")
    check(isinstance(pairs, list), "CONFIG GET * failed: %r" % (pairs,))
    config = {pairs[i].decode("latin-1"): pairs[i + 1].decode("latin-1") for i in range(0, len(pairs) - 1, 2)}
    names = ctrl.cmd("COMMAND", "LIST")
    check(isinstance(names, list), "COMMAND LIST failed: %r" % (names,))
    commands = sorted(n.decode("latin-1") for n in names
                      if n.decode("latin-1").lower() not in ("shutdown", "debug"))
    ctx = Ctx(server.port, password, config, commands, t.sanitizer)
    base_rss = int(info(ctrl, "memory").get("used_memory_rss", "0"))

    started = time.time()
    batch_no = 0
    findings = []
    nactors = 0
    kinds = {}
    while time.time() - started < budget:
        actors = make_batch(ctx, run_name, batch_no)
        nactors += len(actors)
        for a in actors:
            kinds[a.kind] = kinds.get(a.kind, 0) + 1
        stuck = run_batch(actors, ctx.reply_timeout + ctx.hang_timeout + 30)
        problem = None
        if not server.alive():
            problem = "the server died (status %s)" % server.proc.returncode
        else:
            try:
                r = ctrl.cmd("PING", timeout_s=ctx.hang_timeout)
                if r != "PONG":
                    problem = "control PING answered %r" % (r,)
            except ConnectionClosed:
                try:    # the control connection may be closed by a legitimate config change; a new one must work
                    ctrl = t.track(control_conn(server, password, ctx.hang_timeout))
                    r = ctrl.cmd("PING", timeout_s=ctx.hang_timeout)
                    if r != "PONG":
                        problem = "control PING answered %r" % (r,)
                except (OSError, ConnectionClosed, ReplyTimeout) as e:
                    problem = "control connection closed and no new one answers PING (%s)" % e
            except ReplyTimeout:
                problem = "hang: no PONG on the control connection within %.0fs" % ctx.hang_timeout
            if problem is not None:     # a dying sanitizer build takes a moment to exit
                deadline = time.time() + 3
                while server.alive() and time.time() < deadline:
                    time.sleep(0.05)
            if not server.alive():
                problem = "the server died (status %s)" % server.proc.returncode
        if problem is None:
            bad = sanitizer_lines(server)
            if bad:
                problem = "sanitizer report in the log: %s" % bad[0]
        if problem is None and stuck:
            problem = "actors did not finish within the batch limit: %s" % ", ".join(stuck)
        batch_findings = [f for a in actors for f in a.findings]
        if problem is not None or batch_findings:
            where = save_batch(run_name, batch_no, actors, server)
            if problem is not None:
                detail = ["%s after batch %d (seed %d, %s; transcripts in %s)" % (problem, batch_no, SEED,
                                                                               ", ".join(args), where)]
                detail += batch_findings[:5]
                detail.append("--- server log ---\n" + server.output_tail(6000))
                if not server.alive() or "hang" in problem or "sanitizer" in problem:
                    found = find_culprit(t, args, password, actors, 60.0)
                    if found:
                        what, bad, events, log = found
                        detail.append("reproduced by %s (%s); its transcript:\n%s\n--- replay server log ---\n%s"
                                      % (what, bad, describe_events(events), log))
                    else:
                        detail.append("replaying the batch on a fresh server does not reproduce it (it needs "
                                      "state from earlier batches); see the transcripts")
                raise AssertionError("\n".join(detail))
            findings += ["%s [transcripts in %s]" % (f, where) for f in batch_findings]
            if len(findings) >= 10:
                break
        batch_no += 1
        # keep memory bounded: SETRANGE/SETBIT near the 1 MB limit add up
        if batch_no % 8 == 0:
            rss = int(info(ctrl, "memory").get("used_memory_rss", "0"))
            if rss > base_rss + (384 << 20):
                ctrl.cmd("FLUSHALL")

    elapsed = time.time() - started
    t.note("fuzz %s: %d batches, %d actors (%s) in %.1fs" % (run_name, batch_no, nactors,
                                                            ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                                                            elapsed))
    check(not findings, "well-behaved clients saw %d problem(s) (seed %d):\n%s"
          % (len(findings), SEED, "\n".join(findings)))

    # the end: alive, answers INFO, clean log; then SIGTERM -> exit 0, clean log
    check(server.alive(), "the server died (status %s)\n%s" % (server.proc.returncode, server.output_tail()))
    try:
        st = info(ctrl)
    except ConnectionClosed:
        ctrl = t.track(control_conn(server, password, wait_s))
        st = info(ctrl)
    check("redis_version" in st and "connected_clients" in st, "INFO after fuzzing: %s" % short(st))
    bad = sanitizer_lines(server)
    check(not bad, "sanitizer report in the log (seed %d):\n%s" % (SEED, server.output_tail(8000)))
    for c in t._conns:
        c.close()
    code = server.stop()
    server.expect_exit = True
    bad = sanitizer_lines(server)
    check(code == 0 and not bad, "after SIGTERM: exit status %s, sanitizer lines %d (seed %d)\n%s"
          % (code, len(bad), SEED, server.output_tail(8000)))


@timeout(TEST_TIME_LIMIT)
@fresh_server(*LIMIT_ARGS)
def test_fuzz_small_limits(t):
    fuzz(t, "limits")


@timeout(TEST_TIME_LIMIT)
@fresh_server(*(LIMIT_ARGS + ("--requirepass", PASSWORD)))
def test_fuzz_requirepass(t):
    fuzz(t, "requirepass", PASSWORD)
