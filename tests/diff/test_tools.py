#!/usr/bin/python3
"""Unit tests for the runner's own pieces (no server needed):
    /usr/bin/python3 tests/diff/test_tools.py
"""

import os
import random
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import casefile  # noqa: E402
import random_strings  # noqa: E402
import random_types  # noqa: E402
import resp  # noqa: E402
import runner  # noqa: E402
import skips  # noqa: E402


def parse_bytes(data):
    """Parses RESP bytes with resp.Conn over a socketpair."""
    a, b = socket.socketpair()
    c = resp.Conn.__new__(resp.Conn)
    c.sock, c.buf, c.pos, c.closed, c.timeout = a, bytearray(), 0, False, 1.0
    a.settimeout(1.0)
    t = threading.Thread(target=lambda: (b.sendall(data), b.close()))
    t.start()
    out = []
    try:
        while True:
            out.append(c.read_reply())
    except resp.ConnectionClosed:
        pass
    t.join()
    a.close()
    return out


class TestResp(unittest.TestCase):
    def test_types_are_distinct(self):
        r = parse_bytes(b"+OK\r\n$2\r\nOK\r\n$-1\r\n*-1\r\n_\r\n:1\r\n#t\r\n,1.5\r\n(123\r\n"
                        b"=7\r\ntxt:abc\r\n!3\r\nERR\r\n-ERR x\r\n")
        self.assertEqual(r, [("simple", b"OK"), ("bulk", b"OK"), ("null", "bulk"), ("null", "array"),
                             ("null", "_"), ("int", 1), ("bool", True), ("double", b"1.5"),
                             ("bignum", b"123"), ("verbatim", b"txt", b"abc"), ("blob_error", b"ERR"),
                             ("error", b"ERR x")])
        self.assertNotEqual(r[0], r[1])

    def test_aggregates(self):
        r = parse_bytes(b"*2\r\n:1\r\n$1\r\na\r\n%1\r\n+k\r\n~1\r\n:2\r\n>1\r\n+p\r\n|1\r\n+a\r\n:1\r\n+v\r\n")
        self.assertEqual(r[0], ("array", (("int", 1), ("bulk", b"a"))))
        self.assertEqual(r[1], ("map", ((("simple", b"k"), ("set", (("int", 2),))),)))
        self.assertEqual(r[2], ("push", (("simple", b"p"),)))
        self.assertEqual(r[3], ("attr", ((("simple", b"a"), ("int", 1)),), ("simple", b"v")))

    def test_binary_bulk(self):
        self.assertEqual(parse_bytes(b"$4\r\n\r\n\x00\xff\r\n"), [("bulk", b"\r\n\x00\xff")])

    def test_encode(self):
        self.assertEqual(resp.encode_command([b"SET", "k", 5]), b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n5\r\n")


class TestCaseFile(unittest.TestCase):
    def test_split(self):
        sa = casefile.split_args
        self.assertEqual(sa('SET a "b c"'), [b"SET", b"a", b"b c"])
        self.assertEqual(sa(r'x "\x00\xff\r\n" "a\"b"'), [b"x", b"\x00\xff\r\n", b'a"b'])
        self.assertEqual(sa(r"x 'a\'b' '\x00'"), [b"x", b"a'b", b"\\x00"])
        self.assertEqual(sa('x "" \'\''), [b"x", b"", b""])
        self.assertEqual(sa(r"x \x00"), [b"x", b"\\x00"])
        for bad in ('x "abc', "x 'abc", 'x "a"b'):
            self.assertRaises(casefile.CaseError, sa, bad)

    def test_quote_roundtrip(self):
        r = random.Random(5)
        for _ in range(2000):
            b = bytes(r.randrange(256) for _ in range(r.randrange(6)))
            self.assertEqual(casefile.split_args(casefile.quote_arg(b)), [b])

    def test_tags(self):
        st = casefile.parse_line("f", 1, "resp3: conn:x: prop:int,near=1000: PTTL k")
        self.assertEqual((st.resp, st.conn, st.mode, st.prop), (3, "x", "prop", [("int", ""), ("near", 1000)]))
        self.assertEqual(st.args, [b"PTTL", b"k"])
        self.assertEqual(casefile.parse_line("f", 1, "sleep:150").ms, 150)
        self.assertEqual(casefile.parse_line("f", 1, 'raw: "ab" {3} "\\r\\n"').payload, b"ababab\r\n")
        self.assertEqual(casefile.parse_line("f", 1, "scan-full: MATCH k*").args, [b"SCAN", b"MATCH", b"k*"])
        self.assertEqual(casefile.parse_line("f", 1, "SET a: b").args, [b"SET", b"a:", b"b"])
        self.assertIsNone(casefile.parse_line("f", 1, "  # comment"))
        self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, "bogus: GET a")
        self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, "prop:nosuch: GET a")

    def test_send_read(self):
        st = casefile.parse_line("f", 1, "conn:s: send: BLPOP l 0")
        self.assertEqual((st.kind, st.send, st.read, st.conn, st.args), ("cmd", True, False, "s", [b"BLPOP", b"l", b"0"]))
        st = casefile.parse_line("f", 1, "unordered: conn:s: read:")
        self.assertEqual((st.kind, st.read, st.mode, st.args), ("read", True, "unordered", []))
        st = casefile.parse_line("f", 1, "names-unordered: conn:s: read: UNSUBSCRIBE")
        self.assertEqual((st.kind, st.read, st.mode, st.args), ("cmd", True, "names-unordered", [b"UNSUBSCRIBE"]))
        for bad in ("send: read: GET a", "send:", "unordered: send: GET a", "read: raw: \"x\""):
            self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, bad)

    def test_capture_and_variables(self):
        st = casefile.parse_line("f", 1, "capture:p: prop:bulk: DUMP k")
        self.assertEqual((st.capture, st.mode, st.args, st.vars), ("p", "prop", [b"DUMP", b"k"], ()))
        st = casefile.parse_line("f", 1, 'RESTORE k 0 "${p}x" ${q} "$" "${}" "${1a}"')
        self.assertEqual(st.vars, ("p", "q"))
        self.assertEqual(casefile.substitute(st.args, {"p": b"\x00\xff", "q": b"${p}"}),
                         [b"RESTORE", b"k", b"0", b"\x00\xffx", b"${p}", b"$", b"${}", b"${1a}"])
        self.assertRaises(KeyError, casefile.substitute, st.args, {"p": b""})
        self.assertEqual(casefile.capture_value(("bulk", b"x")), b"x")
        self.assertEqual(casefile.capture_value(("simple", b"OK")), b"OK")
        self.assertEqual(casefile.capture_value(("int", -5)), b"-5")
        self.assertEqual(casefile.capture_value(("verbatim", b"txt", b"v")), b"v")
        self.assertIsNone(casefile.capture_value(("null", "bulk")))
        self.assertIsNone(casefile.capture_value(("error", b"ERR x")))
        for bad in ("capture:: GET a", "capture:1x: GET a", "capture:p: send: GET a", "capture:p: read: GET a",
                    'capture:p: raw: "x"', "capture:p: scan-full:"):
            self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, bad)

    def test_server_args(self):
        steps = casefile.parse_text("f", "# c\nserver-args: --enable-debug-command yes\nDEBUG HELP\n")
        self.assertEqual(steps.server_args, ("--enable-debug-command", "yes"))
        self.assertEqual([st.args for st in steps], [[b"DEBUG", b"HELP"]])
        self.assertEqual(casefile.parse_text("f", "PING\n").server_args, ())
        for bad in ("PING\nserver-args: --x y\n", "server-args: --x y\nserver-args: --z w\n", "server-args:\n"):
            self.assertRaises(casefile.CaseError, casefile.parse_text, "f", bad)

    def test_corpus_parses(self):
        for f in runner.select_files([]):
            casefile.parse_file(f)

    def test_random_is_reproducible(self):
        a = random_strings.generate_text(7, 300)
        self.assertEqual(a, random_strings.generate_text(7, 300))
        self.assertNotEqual(a, random_strings.generate_text(8, 300))
        casefile.parse_text("r", a)

    def test_random_strings_probes(self):
        """MEMORY USAGE follows an EXISTS of its key (a SET ... EXAT in the
        past leaves a key redis' MEMORY USAGE still sees); RESTOREs use a
        captured payload; the policy is restored at the end."""
        for seed in (1, 2, 3, 4, 5, 6):
            steps = casefile.parse_text("r", random_strings.generate_text(seed, 1500))
            cmds = [st for st in steps if st.kind == "cmd"]
            for i, st in enumerate(cmds):
                if st.args[:2] == [b"MEMORY", b"USAGE"] and len(st.args) > 2:
                    self.assertEqual(cmds[i - 1].args, [b"EXISTS", st.args[2]], st.text)
                if st.vars:
                    self.assertEqual(st.args[0], b"RESTORE", st.text)
            reset = random_strings.reset_config_commands()
            self.assertEqual([st.args for st in cmds[-len(reset):]], reset)


class TestRandomTypes(unittest.TestCase):
    """random_types.py: reproducible, and every line tagged so that two
    redis-servers always agree (the self-test is the real proof)."""

    @classmethod
    def setUpClass(cls):
        cls.steps = []
        for seed in (1, 2, 3, 4):
            cls.steps += casefile.parse_text("t", random_types.generate_text(seed, 2000))
        cls.cmds = [st for st in cls.steps if st.kind == "cmd"]

    def named(self, *names):
        names = {n.encode() for n in names}
        return [st for st in self.cmds if st.args[0].upper() in names]

    def test_reproducible(self):
        a = random_types.generate_text(7, 500)
        self.assertEqual(a, random_types.generate_text(7, 500))
        self.assertNotEqual(a, random_types.generate_text(8, 500))
        self.assertEqual(sum(1 for st in casefile.parse_text("r", a) if st.kind in ("cmd", "scan")) >= 500, True)

    def test_only_some_groups(self):
        text = random_types.generate_text(7, 400, {"hash", "set"})
        self.assertEqual(text, random_types.generate_text(7, 400, {"set", "hash"}))
        names = {st.args[0].upper() for st in casefile.parse_text("r", text) if st.kind in ("cmd", "scan")}
        self.assertTrue({b"HSET", b"SADD", b"HSCAN", b"SSCAN", b"OBJECT"} <= names)
        self.assertFalse(names & {b"LPUSH", b"RPUSH", b"ZADD", b"ZRANGE", b"SORT", b"ZSCAN", b"BLPOP"})

    def test_every_command_is_drawn(self):
        want = """LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LINSERT LSET LRANGE LREM LTRIM LPOS RPOPLPUSH
            LMOVE LMPOP BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP HSET HSETNX HGET HMSET HMGET HDEL HLEN HSTRLEN
            HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD SADD SREM SISMEMBER SMISMEMBER
            SMEMBERS SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
            SDIFFSTORE ZADD ZINCRBY ZREM ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK ZRANGE
            ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREMRANGEBYRANK
            ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZMPOP BZMPOP ZUNIONSTORE
            ZINTERSTORE ZDIFFSTORE ZUNION ZINTER ZDIFF ZINTERCARD ZRANDMEMBER SORT SORT_RO TYPE DEL EXISTS
            RENAME COPY EXPIRE PERSIST OBJECT""".split()
        seen = {st.args[0].upper().decode() for st in self.cmds}
        seen |= {st.args[0].upper().decode() for st in self.steps if st.kind == "scan"}
        self.assertEqual(sorted(set(want + ["SSCAN", "HSCAN", "ZSCAN"]) - seen), [])
        zadd_opts = {a.upper() for st in self.named("ZADD") for a in st.args[2:5]}
        self.assertTrue({b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR"} <= zadd_opts)
        zrange_opts = {a.upper() for st in self.named("ZRANGE") for a in st.args[4:]}
        self.assertTrue({b"BYSCORE", b"BYLEX", b"REV", b"LIMIT", b"WITHSCORES"} <= zrange_opts)
        sort_opts = {a.upper() for st in self.named("SORT") for a in st.args[2:]}
        self.assertTrue({b"BY", b"NOSORT", b"HW_*->F", b"LIMIT", b"GET", b"#", b"ALPHA", b"DESC", b"STORE"}
                        <= sort_opts)

    def test_unordered_replies_are_tagged(self):
        for st in self.named("SMEMBERS", "SUNION", "SINTER", "SDIFF", "HKEYS", "HVALS"):
            self.assertEqual(st.mode, "unordered", st.text)
        for st in self.named("HGETALL"):
            self.assertEqual(st.mode, "pairs-unordered", st.text)
        for st in self.named("SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER"):
            self.assertEqual((st.mode, st.prop), ("prop", [("shape", "")]), st.text)
        for st in self.steps:
            if st.kind == "cmd" and st.args[0].upper() in (b"SSCAN", b"HSCAN", b"ZSCAN"):
                # direct calls only with an invalid cursor
                c = st.args[2] if len(st.args) > 2 else b"-"  # (arity broken)
                self.assertFalse(c.isdigit() and int(c) < 2 ** 64, st.text)

    def test_spop_leaves_nothing_random(self):
        for i, st in enumerate(self.steps):
            if st.kind != "cmd" or st.args[0].upper() != b"SPOP":
                continue
            count = st.args[2] if len(st.args) > 2 else None
            if st.mode == "unordered":
                self.assertEqual(count, b"1000000", st.text)
            elif st.mode == "prop":
                nxt = self.steps[i + 1]
                self.assertEqual(nxt.args, [b"DEL", st.args[1]], "%s is not followed by a DEL" % st.text)
            else:
                self.assertIn(count, (b"-1", b"abc", b"0"), st.text)

    def test_blocking_never_blocks_for_long(self):
        for st in self.named("BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX", "BLMPOP", "BZMPOP"):
            t = st.args[1] if st.args[0].upper() in (b"BLMPOP", b"BZMPOP") else st.args[-1]
            try:
                v = float(t)
            except ValueError:
                continue
            self.assertTrue(v != v or v < 0 or 0.005 <= v <= 0.05, st.text)  # NaN: rejected

    def test_lex_commands_stay_on_equal_scores(self):
        zsets_with_mixed_scores = set(random_types.Z + random_types.ANY)
        for st in self.named("ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX"):
            self.assertNotIn(st.args[1], zsets_with_mixed_scores, st.text)
        for st in self.named("ZRANGE", "ZRANGESTORE"):
            if b"BYLEX" in [a.upper() for a in st.args]:
                src = st.args[2] if st.args[0].upper() == b"ZRANGESTORE" else st.args[1]
                self.assertNotIn(src, zsets_with_mixed_scores, st.text)
        for st in self.named("ZADD"):
            if st.args[1] in random_types.ZL:
                rest = [a for a in st.args[2:] if a.upper() not in (b"NX", b"XX", b"GT", b"LT", b"CH")]
                if len(rest) % 2:
                    continue   # a broken arity: a syntax error, nothing added
                scores = rest[::2]
                self.assertTrue(all(s == b"0" or s in random_types.BAD_SCORES for s in scores), st.text)
        for st in self.named("ZINCRBY"):
            self.assertNotIn(st.args[1], random_types.ZL, st.text)

    def test_sort_tags(self):
        maybe_sets = set(random_types.S + random_types.ANY)
        for st in self.named("SORT", "SORT_RO"):
            up = [a.upper() for a in st.args]
            nosort = b"NOSORT" in up
            store = b"STORE" in up
            if nosort and st.args[1] in maybe_sets and not store:
                self.assertEqual(st.mode, "unordered", st.text)
                self.assertNotIn(b"LIMIT", up, st.text)
            if b"ALPHA" in up and b"BY" in up and not nosort:
                self.assertEqual(st.mode, "unordered", st.text)
                # (a LIMIT without its values at the end is a syntax error)
                self.assertNotIn(b"LIMIT", up[:-1], st.text)
                self.assertFalse(store, st.text)

    def test_sort_follows_an_errno_reset(self):
        for i, st in enumerate(self.steps):
            if st.kind == "cmd" and st.args[0].upper() in (b"SORT", b"SORT_RO"):
                self.assertEqual(self.steps[i - 1].args, random_types.ERRNO_RESET, st.text)

    def test_no_huge_negative_random_counts(self):
        for st in self.named("SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER"):
            if len(st.args) > 2:
                try:
                    n = int(st.args[2])
                except ValueError:
                    continue
                self.assertTrue(n >= -100 or n < -2 ** 63 + 1, st.text)

    def test_thresholds_set_and_restored(self):
        reset = random_types.reset_config_commands()
        for seed in range(1, 30):
            text = random_types.generate_text(seed, 50).splitlines()
            first = [casefile.split_args(l) for l in text if l.startswith("CONFIG SET")][:len(random_types.THRESHOLDS)]
            names = [(n, a) for n, a, _, _ in random_types.THRESHOLDS]
            self.assertEqual([a[2] in pair for a, pair in zip(first, names)], [True] * len(names))
            last = [casefile.split_args(l) for l in text[-len(reset):]]
            self.assertEqual(last, reset)
        # every parameter the sequences set is restored
        changed = {st.args[2].lower() for st in self.named("CONFIG")}
        aliases = {a: n for n, a, _, _ in random_types.THRESHOLDS if a}
        self.assertEqual({aliases.get(c, c) for c in changed}, {a[2] for a in reset})
        self.assertNotIn(b"set-max-listpack-entries", changed)   # 7.2

    def test_dump_restore_round_trips(self):
        """Each RESTORE of a ${NAME} follows a capture of NAME, which follows
        a write making the DUMPed key exist (so redis never leaves it unset);
        the restored key is read back."""
        captured = set()
        for i, st in enumerate(self.steps):
            if st.capture:
                self.assertEqual(st.args[0], b"DUMP", st.text)
                self.assertEqual(st.mode, "prop", st.text)
                self.assertIn(st.args[1], self.steps[i - 1].args[1:2], st.text)
                captured.add(st.capture)
            if st.vars:
                self.assertEqual(st.args[0], b"RESTORE", st.text)
                self.assertTrue(set(st.vars) <= captured, st.text)
                after = [s.args[0].upper() for s in self.steps[i + 1:i + 3]]
                self.assertEqual(after, [b"TYPE", b"OBJECT"], st.text)
        self.assertTrue({"p_l", "p_h", "p_s", "p_z", "p_x"} <= captured, captured)

    def test_object_probes_follow_the_mode(self):
        """LFU sequences compare OBJECT FREQ exactly and scan everything in
        one call; LRU ones compare IDLETIME by nearness; plain ones ask no
        IDLETIME; MEMORY USAGE is compared by ratio."""
        modes = set()
        for seed in range(1, 13):
            steps = casefile.parse_text("t", random_types.generate_text(seed, 600))
            cmds = [st for st in steps if st.kind in ("cmd", "scan")]
            policy = [st.args[3] for st in cmds if st.args[:3] == [b"CONFIG", b"SET", b"maxmemory-policy"]][:-1]
            mode = "plain" if not policy else "lfu" if policy[0].endswith(b"lfu") else "lru"
            modes.add(mode)
            for st in cmds:
                a = [x.upper() for x in st.args]
                if a[:2] == [b"OBJECT", b"IDLETIME"] and len(a) == 3:
                    self.assertNotEqual(mode, "plain", st.text)
                    self.assertEqual(st.mode, "prop" if mode == "lru" else "exact", st.text)
                if a[:2] == [b"OBJECT", b"FREQ"]:
                    self.assertEqual(st.mode, "exact", st.text)
                if a[:2] == [b"MEMORY", b"USAGE"]:
                    self.assertEqual([n for n, _ in st.prop], ["int", "ratio"], st.text)
                if st.kind == "scan" and mode == "lfu" and b"0" not in a:
                    self.assertEqual(a[-2:], [b"COUNT", b"1000"], st.text)
        self.assertEqual(modes, {"plain", "lru", "lfu"})

    def test_extended_off_for_notify(self):
        g = random_types.Gen(3, extended=False)
        names = set()
        for _ in range(3000):
            for _, a in g.one():
                names.add(a[0].upper())
        self.assertFalse(names & {b"DUMP", b"RESTORE", b"MEMORY", b"XADD", b"XRANGE"}, names)
        self.assertFalse(any(n == b"CONFIG" for n in names))

    def test_runner_dumps_types(self):
        import tempfile
        with tempfile.NamedTemporaryFile("r", suffix=".txt") as f:
            self.assertEqual(runner.main(["--dump-random", f.name, "--random-types", "30", "--seed", "4"]), 0)
            self.assertEqual(f.read(), random_types.generate_text(4, 30))


class TestCompare(unittest.TestCase):
    def step(self, line):
        return casefile.parse_line("f", 1, line)

    def test_exact_catches_type(self):
        self.assertIsNotNone(runner.compare(self.step("SET a b"), ("simple", b"OK"), ("bulk", b"OK"), 2))
        self.assertIsNotNone(runner.compare(self.step("GET a"), ("null", "bulk"), ("null", "array"), 2))

    def test_unordered(self):
        a = ("array", (("bulk", b"x"), ("bulk", b"y")))
        b = ("array", (("bulk", b"y"), ("bulk", b"x")))
        self.assertIsNone(runner.compare(self.step("unordered: KEYS *"), a, b, 2))
        self.assertIsNotNone(runner.compare(self.step("KEYS *"), a, b, 2))
        self.assertIsNotNone(runner.compare(self.step("unordered: KEYS *"), a, ("set", b[1]), 3))

    def test_pairs(self):
        a = ("array", tuple(("bulk", x) for x in (b"f1", b"v1", b"f2", b"v2")))
        b = ("array", tuple(("bulk", x) for x in (b"f2", b"v2", b"f1", b"v1")))
        c = ("array", tuple(("bulk", x) for x in (b"f2", b"v1", b"f1", b"v2")))
        st = self.step("pairs-unordered: HGETALL h")
        self.assertIsNone(runner.compare(st, a, b, 2))
        self.assertIsNotNone(runner.compare(st, a, c, 2))

    def test_docs_unordered(self):
        def doc(name, subs=None):
            d = [("bulk", b"summary"), ("bulk", name)]
            if subs is not None:
                d += [("bulk", b"subcommands"), ("map", tuple(subs))]
            return ("bulk", name), ("map", tuple(zip(d[::2], d[1::2])))
        a = ("map", (doc(b"x", [doc(b"x|a"), doc(b"x|b")]), doc(b"y")))
        b = ("map", (doc(b"x", [doc(b"x|b"), doc(b"x|a")]), doc(b"y")))
        st = self.step("docs-unordered: COMMAND DOCS x y")
        self.assertIsNone(runner.compare(st, a, b, 3))
        self.assertIsNotNone(runner.compare(self.step("COMMAND DOCS x y"), a, b, 3))
        self.assertIsNotNone(runner.compare(st, a, ("map", tuple(reversed(a[1]))), 3))  # top level keeps order
        self.assertIsNotNone(runner.compare(st, a, ("map", (doc(b"x", [doc(b"x|a")]), doc(b"y"))), 3))

        def flat(m):   # the RESP2 form of a map
            if m[0] != "map":
                return m
            return ("array", tuple(flat(x) for kv in m[1] for x in kv))
        self.assertIsNone(runner.compare(st, flat(a), flat(b), 2))
        self.assertIsNotNone(runner.compare(st, flat(a), flat(("map", (doc(b"x", [doc(b"x|a")]), doc(b"y")))), 2))

    def test_docs_names(self):
        def docs(*names):
            return ("map", tuple((("bulk", n), ("map", ())) for n in names))
        st = self.step("docs-names: COMMAND DOCS")
        self.assertIsNone(runner.compare(st, docs(b"a", b"b"), docs(b"b", b"a"), 3))
        self.assertIsNotNone(runner.compare(st, docs(b"a", b"b"), docs(b"a"), 3))
        ref = skips.CommandTable({b"a", b"b", b"b|x"})
        cand = skips.CommandTable({b"a", b"c"})
        self.assertIsNone(runner.compare(st, docs(b"a", b"b"), docs(b"c", b"a"), 3, (ref, cand)))
        self.assertIsNotNone(runner.compare(st, docs(b"a", b"b"), docs(b"a"), 3, (ref, cand)))
        self.assertIsNotNone(runner.compare(st, docs(b"a", b"b"), docs(b"a", b"b", b"c"), 3, (ref, cand)))

    def test_info_unordered(self):
        def info(name, subs=()):
            rest = tuple(("int", 0) for _ in range(8))
            return ("array", (("bulk", name),) + rest + ((("array", tuple(subs)) if subs else ("set", ())),))
        a = ("array", (info(b"x", [info(b"x|a"), info(b"x|b", [info(b"x|b|c"), info(b"x|b|d")])]), info(b"y")))
        b = ("array", (info(b"x", [info(b"x|b", [info(b"x|b|d"), info(b"x|b|c")]), info(b"x|a")]), info(b"y")))
        st = self.step("info-unordered: COMMAND INFO x y")
        self.assertIsNone(runner.compare(st, a, b, 3))
        self.assertIsNotNone(runner.compare(self.step("COMMAND INFO x y"), a, b, 3))
        self.assertIsNotNone(runner.compare(st, a, ("array", tuple(reversed(a[1]))), 3))  # top level keeps order
        self.assertIsNotNone(runner.compare(st, a, ("array", (info(b"x", [info(b"x|a")]), info(b"y"))), 3))
        nulls = ("array", (("null", "_"), info(b"y")))
        self.assertIsNone(runner.compare(st, nulls, nulls, 3))
        self.assertIsNotNone(runner.compare(st, nulls, ("array", (info(b"y"), ("null", "_"))), 3))

    def test_info_names(self):
        def cmds(*names):
            return ("array", tuple(("array", (("bulk", n), ("int", -1))) for n in names))
        st = self.step("info-names: COMMAND")
        self.assertIsNone(runner.compare(st, cmds(b"a", b"b"), cmds(b"b", b"a"), 3))
        self.assertIsNotNone(runner.compare(st, cmds(b"a", b"b"), cmds(b"a"), 3))
        self.assertIsNotNone(runner.compare(st, cmds(b"a"), ("map", ()), 3))
        ref = skips.CommandTable({b"a", b"b", b"b|x"})
        cand = skips.CommandTable({b"a", b"c"})
        self.assertIsNone(runner.compare(st, cmds(b"a", b"b"), cmds(b"c", b"a"), 3, (ref, cand)))
        self.assertIsNotNone(runner.compare(st, cmds(b"a", b"b"), cmds(b"a"), 3, (ref, cand)))

    def test_replies(self):
        def unsub(*pairs):
            return ("replies", tuple(("array", (("bulk", b"unsubscribe"), ("bulk", n), ("int", c)))
                                     for n, c in pairs))
        a = unsub((b"a", 1), (b"b", 0))
        b = unsub((b"b", 1), (b"a", 0))
        st = self.step("names-unordered: conn:s: read: UNSUBSCRIBE")
        self.assertIsNone(runner.compare(st, a, b, 2))
        self.assertIsNotNone(runner.compare(st, a, unsub((b"a", 1), (b"a", 0)), 2))
        self.assertIsNotNone(runner.compare(st, a, unsub((b"b", 0), (b"a", 1)), 2))
        self.assertIsNotNone(runner.compare(self.step("conn:s: read: UNSUBSCRIBE"), a, b, 2))
        self.assertIsNone(runner.compare(self.step("unordered: conn:s: read:"), a, unsub((b"b", 0), (b"a", 1)), 2))
        self.assertIsNotNone(runner.compare(self.step("conn:s: read:"), a, ("replies", a[1][:1]), 2))

    def test_read_replies_and_sentinel(self):
        a, b = socket.socketpair()
        c = resp.Conn.__new__(resp.Conn)
        c.sock, c.buf, c.pos, c.closed, c.timeout = a, bytearray(), 0, False, 1.0
        a.settimeout(1.0)
        b.sendall(b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n:1\r\n$3\r\nab")
        self.assertEqual(c.read_replies(idle=0.05, total=1.0),
                         ("replies", (("push", (("bulk", b"message"), ("bulk", b"c"), ("bulk", b"m"))), ("int", 1),
                                      ("malformed", "incomplete reply b'$3\\r\\nab'"))))
        c.buf, c.pos = bytearray(), 0
        # read_to_sentinel: everything before the PING's reply, which is dropped
        b.sendall(b":5\r\n*2\r\n$4\r\npong\r\n$%d\r\n%s\r\n:6\r\n" % (len(resp.SENTINEL), resp.SENTINEL))
        self.assertEqual(c.read_to_sentinel(total=1.0), ("replies", (("int", 5),)))
        self.assertEqual(b.recv(100), resp.encode_command([b"PING", resp.SENTINEL]))
        b.close()
        self.assertEqual(c.read_to_sentinel(total=1.0), ("replies", (("int", 6), ("closed",))))
        a.close()

    def test_prop(self):
        st = self.step("prop:near=1000: PTTL k")
        self.assertIsNone(runner.compare(st, ("int", 5000), ("int", 4500), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 5000), ("int", 3000), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 5000), ("bulk", b"5000"), 2))
        self.assertTrue(runner.compare(st, ("bulk", b"x"), ("bulk", b"x"), 2).startswith("CASE"))
        err = ("error", b"ERR wrong number of arguments for 'pttl' command")
        self.assertIsNone(runner.compare(st, err, err, 2))

    def test_prop_ratio(self):
        st = self.step("prop:int,ratio=0.25..4: MEMORY USAGE k")
        self.assertIsNone(runner.compare(st, ("int", 64), ("int", 56), 2))
        self.assertIsNone(runner.compare(st, ("int", 64), ("int", 256), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 64), ("int", 257), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 64), ("int", 15), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 64), ("int", 0), 2))
        self.assertTrue(runner.compare(st, ("int", 0), ("int", 5), 2).startswith("CASE"))
        # a null from redis (no such key) is compared exactly
        self.assertIsNone(runner.compare(st, ("null", "bulk"), ("null", "bulk"), 2))
        why = runner.compare(st, ("null", "bulk"), ("int", 64), 2)
        self.assertTrue(why and not why.startswith("CASE"), why)
        self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, "prop:ratio=4..1: X")
        self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, "prop:ratio=a..b: X")

    def test_prop_names(self):
        st = self.step("prop:names: MEMORY STATS")
        resp2 = lambda v, d: ("array", (("bulk", b"peak.allocated"), ("int", v), ("bulk", b"dataset.percentage"),
                                        ("bulk", d)))
        self.assertIsNone(runner.compare(st, resp2(10, b"99.5"), resp2(20, b"12"), 2))
        other = ("array", (("bulk", b"peak.allocated"), ("int", 1), ("bulk", b"dataset.perc"), ("bulk", b"1")))
        self.assertIsNotNone(runner.compare(st, resp2(10, b"99.5"), other, 2))
        resp3 = lambda k: ("map", ((("bulk", k), ("double", b"1.5")), (("bulk", b"db.0"),
                                                                      ("map", ((("bulk", b"x"), ("int", 1)),)))))
        self.assertIsNone(runner.compare(st, resp3(b"fragmentation"), resp3(b"fragmentation"), 3))
        self.assertIsNotNone(runner.compare(st, resp3(b"fragmentation"), resp3(b"fragmentation.bytes"), 3))

    def test_masked(self):
        st = self.step("masked: LATENCY DOCTOR")
        a = ("verbatim", b"txt", b"1. command: 2 spikes (average 12ms, period 1.00 sec) at 0x7f12ab")
        b = ("verbatim", b"txt", b"1. command: 3 spikes (average 9ms, period 0.50 sec) at 0x5500")
        self.assertIsNone(runner.compare(st, a, b, 3))
        self.assertIsNotNone(runner.compare(st, a, ("verbatim", b"txt", b[2].replace(b"average", b"mean")), 3))
        self.assertIsNotNone(runner.compare(st, a, ("bulk", a[2]), 3))
        arr = ("array", (("bulk", b"k1"), ("int", 1)))
        self.assertIsNone(runner.compare(st, arr, ("array", (("bulk", b"k2"), ("int", 1))), 2))
        self.assertIsNotNone(runner.compare(st, arr, ("array", (("bulk", b"k2"), ("int", 2))), 2))

    def test_help_blocks(self):
        def help_reply(*lines):
            return ("array", tuple(("simple", l.encode()) for l in lines))
        redis = help_reply("X <sub>. Subcommands are:", "A", "    a.", "B <k>", "    b.", "    b2.", "C", "    c.",
                           "HELP", "    Prints this help.")
        st = self.step("prop:help=1: X HELP")
        ok = help_reply("X <sub>. Subcommands are:", "A", "    a.", "C", "    c.", "OWN", "    own.", "HELP",
                        "    Prints this help.")
        self.assertIsNone(runner.compare(st, redis, ok, 2))
        self.assertIsNone(runner.compare(st, redis, redis, 2))
        for bad in (help_reply("X <sub>. Subcommands are:", "C", "    c.", "A", "    a."),      # order
                    help_reply("X <sub>. Subcommands are:", "B <k>", "    b."),                 # cut block
                    help_reply("Y. Subcommands are:", "A", "    a."),                           # title
                    help_reply("X <sub>. Subcommands are:", "P", "    p.", "Q", "    q."),       # 2 extra
                    ("array", (("bulk", b"X <sub>. Subcommands are:"),))):                    # not simple
            self.assertIsNotNone(runner.compare(st, redis, bad, 2), bad)
        self.assertIsNotNone(runner.compare(self.step("prop:help: X HELP"), redis, ok, 2))

    def test_fields(self):
        st = self.step("prop:fields=encoding.ql_nodes: DEBUG OBJECT l")
        a = ("simple", b"Value at:0x1 refcount:1 encoding:quicklist serializedlength:19 ql_nodes:1")
        self.assertIsNone(runner.compare(st, a, ("simple", b"Value at:0x2 refcount:1 encoding:quicklist "
                                                           b"serializedlength:9 ql_nodes:1"), 2))
        self.assertIsNotNone(runner.compare(st, a, ("simple", a[1].replace(b"ql_nodes:1", b"ql_nodes:2")), 2))
        self.assertIsNotNone(runner.compare(st, a, ("simple", a[1].replace(b" refcount:1", b"")), 2))
        self.assertIsNotNone(runner.compare(st, a, ("int", 1), 2))

    def test_prop_fields(self):
        st = self.step("prop:fields=name.flags: CLIENT LIST")
        self.assertEqual(st.prop, [("fields", ("name", "flags"))])
        line = b"id=%d addr=127.0.0.1:%d name=%s flags=%s\n"
        a = ("bulk", line % (3, 5000, b"x", b"N") + line % (4, 5001, b"", b"P"))
        b = ("bulk", line % (9, 6000, b"x", b"N") + line % (10, 6001, b"", b"P"))
        self.assertIsNone(runner.compare(st, a, b, 2))
        self.assertIsNone(runner.compare(st, ("verbatim", b"txt", a[1]), ("verbatim", b"txt", b[1]), 3))
        self.assertIn("flags", runner.compare(st, a, ("bulk", line % (9, 6000, b"x", b"N") + line % (10, 1, b"", b"b")), 2))
        self.assertIn("lines", runner.compare(st, a, ("bulk", line % (9, 6000, b"x", b"N")), 2))
        self.assertIsNotNone(runner.compare(st, a, ("verbatim", b"txt", b[1]), 2))
        self.assertIsNotNone(runner.compare(st, a, ("bulk", b"id=1 addr=x\n"), 2))
        self.assertTrue(runner.compare(st, ("bulk", b"no fields"), a, 2).startswith("CASE"))
        self.assertRaises(casefile.CaseError, casefile.parse_line, "f", 1, "prop:fields=: CLIENT LIST")

    def test_prop_info(self):
        st = self.step("prop:info=maxmemory_policy: INFO everything")
        self.assertEqual(st.prop, [("info", ("maxmemory_policy",))])
        a = ("bulk", b"# Server\r\nredis_version:7.0.15\r\nprocess_id:1\r\n\r\n"
                     b"# Memory\r\nused_memory:10\r\nmaxmemory_policy:noeviction\r\n")
        b = ("bulk", b"# Server\r\nredis_version:7.0.15\r\nprocess_id:2\r\ntaskkv_version:1\r\n\r\n"
                     b"# Memory\r\nused_memory:99\r\nmaxmemory_policy:noeviction\r\n")
        self.assertIsNone(runner.compare(st, a, b, 2))
        self.assertIsNone(runner.compare(st, ("verbatim", b"txt", a[1]), ("verbatim", b"txt", b[1]), 3))
        self.assertIn("maxmemory_policy", runner.compare(st, a, ("bulk", b[1].replace(b"noeviction", b"allkeys-lru")), 2))
        self.assertIn("missing used_memory", runner.compare(st, a, ("bulk", b[1].replace(b"used_memory:99\r\n", b"")), 2))
        self.assertIn("out of order", runner.compare(st, a, ("bulk", b[1].replace(
            b"redis_version:7.0.15\r\nprocess_id:2", b"process_id:2\r\nredis_version:7.0.15")), 2))
        swapped = b"# Memory\r\nused_memory:10\r\nmaxmemory_policy:noeviction\r\n# Server\r\nredis_version:7.0.15\r\nprocess_id:1\r\n"
        self.assertIn("sections", runner.compare(st, a, ("bulk", swapped), 2))
        self.assertIsNotNone(runner.compare(st, a, ("bulk", b"not info"), 2))
        self.assertIsNotNone(runner.compare(st, a, ("verbatim", b"txt", b[1]), 2))
        self.assertTrue(runner.compare(self.step("prop:info=nosuch: INFO"), a, b, 2).startswith("CASE"))

    def test_hello(self):
        def hello(proto=3, server=b"redis", keys=runner.HELLO_KEYS):
            vals = {b"server": ("bulk", server), b"version": ("bulk", b"7.0.15"), b"proto": ("int", proto),
                    b"id": ("int", 7), b"mode": ("bulk", b"standalone"), b"role": ("bulk", b"master"),
                    b"modules": ("array", ())}
            return ("map", tuple((("bulk", k), vals[k]) for k in keys))
        self.assertIsNone(runner.check_hello(hello(server=b"taskkv"), 3, ref=hello()))
        self.assertIsNotNone(runner.check_hello(hello(proto=2), 3))
        self.assertIsNotNone(runner.check_hello(hello(keys=runner.HELLO_KEYS[:-1]), 3))
        self.assertIsNotNone(runner.check_hello(hello(keys=list(reversed(runner.HELLO_KEYS))), 3, ref=hello()))


def cmd_entry(name, first=1, flags=(), subs=()):
    """A COMMAND INFO entry (RESP2 form) as parsed by resp.py."""
    return ("array", (("bulk", name), ("int", -2), ("array", tuple(("simple", f) for f in flags)),
                      ("int", first), ("int", first), ("int", 1 if first else 0), ("array", ()),
                      ("array", ()), ("array", ()), ("array", tuple(subs))))


def tables():
    """redis: get set del rpush keys dbsize select swapdb move copy flushdb
    multi exec info object(encoding, freq) config(get, rewrite); the
    candidate lacks rpush, multi, exec and config|rewrite."""
    keyed = [b"get", b"set", b"del", b"rpush", b"move", b"copy"]
    keyless = [b"keys", b"dbsize", b"select", b"swapdb", b"flushdb", b"multi", b"exec", b"info", b"ping"]
    obj = cmd_entry(b"object", 0, subs=[cmd_entry(b"object|encoding", 2), cmd_entry(b"object|freq", 2)])
    cfg = cmd_entry(b"config", 0, subs=[cmd_entry(b"config|get", 0), cmd_entry(b"config|rewrite", 0)])
    ref = ("array", tuple([cmd_entry(n) for n in keyed] + [cmd_entry(n, 0) for n in keyless] + [obj, cfg]))
    cfg2 = cmd_entry(b"config", 0, subs=[cmd_entry(b"config|get", 0)])
    cand_names = set(keyed + keyless + [b"object", b"config"]) - {b"rpush", b"multi", b"exec"}
    cand = ("array", tuple(e for e in ref[1] if e[1][0][1] in cand_names and e[1][0][1] != b"config") + (cfg2,))
    return skips.CommandTable.from_command_reply(ref), skips.CommandTable.from_command_reply(cand)


def written_keys(args):
    """A stand-in for COMMAND GETKEYSANDFLAGS: the keys written."""
    name = args[0].lower()
    if name == b"copy":
        return [args[2]]
    return [args[1]] if name in (b"set", b"rpush", b"del", b"move") else []


class TestSkips(unittest.TestCase):
    def setUp(self):
        self.t = skips.Tracker(*tables(), getkeys=written_keys)

    def why(self, line, conn="main", db=None):
        args = casefile.split_args(line)
        d = self.t.conn_db(conn) if db is None else db
        return self.t.why_skip(args, d, conn)

    def step(self, line, reply=("simple", b"OK"), conn="main"):
        """Runs a line through the tracker like the runner does; returns the skip kind or None."""
        args = casefile.split_args(line)
        db = self.t.conn_db(conn)
        why = self.t.why_skip(args, db, conn)
        if why:
            self.t.skipped(args, db, conn)
            return why[0]
        self.t.ran(args, conn, reply)
        return None

    def test_learn(self):
        ref, cand = tables()
        self.assertIn(b"rpush", ref.names)
        self.assertNotIn(b"rpush", cand.names)
        self.assertEqual(ref.subs[b"config"], {b"get", b"rewrite"})
        self.assertTrue(ref.keyed[b"get"])
        self.assertFalse(ref.keyed[b"select"])
        self.assertTrue(ref.keyed[b"object|freq"])

    def test_learn_from_server(self):
        def call(*args):
            if args == ("COMMAND", "LIST"):
                return ("error", b"ERR unknown subcommand 'LIST'")
            if args == ("COMMAND",):
                return ("array", (cmd_entry(b"get"), cmd_entry(b"object", 0, subs=[cmd_entry(b"object|freq", 2)])))
            raise AssertionError(args)
        t = skips.learn(call)
        self.assertEqual(t.names, {b"get", b"object"})
        self.assertEqual(t.subs, {b"object": {b"freq"}})

    def test_missing(self):
        self.assertEqual(self.why("RPUSH l a"), ("missing", "rpush"))
        self.assertEqual(self.why("rpush l a"), ("missing", "rpush"))
        self.assertEqual(self.why("CONFIG REWRITE"), ("missing", "config|rewrite"))
        self.assertIsNone(self.why("CONFIG GET hz"))
        self.assertIsNone(self.why("CONFIG BOGUS"))   # unknown to redis too: compared
        self.assertIsNone(self.why("FOO a b"))
        self.assertIsNone(self.why("CONFIG"))

    def test_missing_in_command_docs_info_getkeys(self):
        self.t.ref.names.add(b"command")
        self.t.ref.subs[b"command"] = {b"docs", b"info", b"getkeys", b"getkeysandflags"}
        self.t.cand.names.add(b"command")
        self.t.cand.subs[b"command"] = {b"docs", b"info", b"getkeys"}
        self.assertEqual(self.why("COMMAND DOCS get rpush"), ("missing", "rpush"))
        self.assertEqual(self.why("COMMAND INFO config"), ("missing", "config|rewrite"))  # the reply lists subs
        self.assertEqual(self.why("COMMAND DOCS config|rewrite"), ("missing", "config|rewrite"))
        self.assertIsNone(self.why("COMMAND DOCS config|get object get nosuch"))
        self.assertIsNone(self.why("COMMAND DOCS"))
        self.assertEqual(self.why("COMMAND GETKEYS rpush l a"), ("missing", "rpush"))
        self.assertEqual(self.why("COMMAND GETKEYS config rewrite"), ("missing", "config|rewrite"))
        self.assertIsNone(self.why("COMMAND GETKEYS set k v"))
        self.assertEqual(self.why("COMMAND GETKEYSANDFLAGS set k v"), ("missing", "command|getkeysandflags"))

    def test_taint(self):
        self.assertEqual(self.step("RPUSH l a"), "missing")
        self.assertEqual(self.t.taint, {0: {b"l"}})   # only the written key
        self.assertEqual(self.step("GET l"), "tainted")
        self.assertIsNone(self.step("GET a"))           # 'a' was a value, not a key
        self.assertEqual(self.step("SET x l"), "tainted")  # any position counts...
        self.assertEqual(self.t.taint[0], {b"l", b"x"})    # ...and a skipped write taints its keys
        self.assertIsNone(self.step("SELECT l"))         # keyless: arguments are not keys
        self.assertEqual(self.t.conn_db("main"), 0)      # (SELECT l failed in redis: no db change)

    def test_observers_and_dbs(self):
        self.step("RPUSH l a")
        self.assertEqual(self.step("KEYS *"), "observer")
        self.assertEqual(self.step("DBSIZE"), "observer")
        self.assertEqual(self.step("INFO"), "observer")
        self.assertIsNone(self.step("INFO server"))
        self.assertIsNone(self.t.why_skip([b"INFO"], 0, "main", "type-only"))
        self.assertIsNone(self.step("SELECT 1"))
        self.assertIsNone(self.step("DBSIZE"))            # db 1 is clean
        self.assertEqual(self.step("INFO keyspace"), "observer")  # all dbs
        self.assertIsNone(self.step("GET l", conn="other") and None)
        self.assertEqual(self.why("GET l", conn="other"), ("tainted", "tainted key b'l' in db 0"))
        self.assertIsNone(self.step("SWAPDB 0 1"))
        self.assertEqual(self.step("DBSIZE"), "observer")  # db 1 now holds the tainted keys
        self.assertIsNone(self.step("DBSIZE", conn="other"))
        self.assertIsNone(self.step("FLUSHDB"))
        self.assertEqual(self.t.taint, {})

    def test_select_follows_redis(self):
        self.step("SELECT 16", reply=("error", b"ERR DB index is out of range"))
        self.assertEqual(self.t.conn_db("main"), 0)
        self.step("SELECT 3")
        self.assertEqual(self.t.conn_db("main"), 3)
        self.assertEqual(self.t.conn_db("main", is_open=False), 0)  # reconnected
        self.step("SELECT 3")
        self.step("RESET", reply=("simple", b"RESET"))
        self.assertEqual(self.t.conn_db("main"), 0)

    def test_move_copy(self):
        self.step("SELECT 4")
        self.step("RPUSH m a")
        self.step("SELECT 0")
        self.assertEqual(self.step("MOVE m 4"), "tainted")   # exists in the target db in redis
        self.assertEqual(self.step("COPY k m DB 4"), "tainted")
        self.assertIsNone(self.step("COPY k z DB 5"))
        self.assertEqual(self.step("FLUSHALL"), None)
        self.assertEqual(self.t.taint, {})

    def test_multi(self):
        self.assertEqual(self.step("MULTI"), "missing")
        self.assertEqual(self.step("SET a b"), "multi")
        self.assertEqual(self.step("EXEC"), "missing")
        self.assertEqual(self.t.taint, {0: {b"a"}})
        self.assertIsNone(self.step("SET c d"))

    def test_resync(self):
        self.step("RPUSH l a")
        why = self.why("DEL l x")
        self.assertTrue(self.t.can_resync(why, [b"DEL", b"l", b"x"], "main"))
        self.t.resynced([b"DEL", b"l", b"x"], 0)
        self.assertIsNone(self.step("KEYS *"))

    def test_raw(self):
        rr = skips.raw_requests
        self.assertEqual(rr(b"PING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\nSET \"a b\" '\\xff'\n"),
                         [[b"PING"], [b"ECHO", b"abc"], [b"SET", b"a b", b"\\xff"]])
        self.assertEqual(rr(b"ECHO \"\xe9\"\r\n"), [[b"ECHO", b"\xe9"]])
        self.assertEqual(rr(b"PING\r\n*1\r\n$4\r\nPI"), [[b"PING"]])   # incomplete tail
        self.assertEqual(rr(b"*abc\r\nPING\r\n"), [])
        self.assertEqual(self.t.why_skip_raw(b"RPUSH l a\r\n", "r"), ("missing", "rpush"))
        self.t.skipped_raw(b"SELECT 2\r\nRPUSH l a\r\n", "r")
        self.assertEqual(self.t.taint, {2: {b"l"}})
        self.assertEqual(self.t.conn_db("r"), 0)
        self.assertIsNone(self.t.why_skip_raw(b"KEYS *\r\n", "r"))
        self.assertEqual(self.t.why_skip_raw(b"SELECT 2\r\nKEYS *\r\n", "r")[0], "observer")
        self.t.ran_raw(b"SELECT 2\r\n", "r")
        self.assertEqual(self.t.conn_db("r"), 2)

    def test_corpus_lines_are_commands(self):
        # every cmd line of the corpus can be classified without errors
        ref, cand = tables()
        t = skips.Tracker(ref, cand)
        for f in runner.select_files([]):
            for st in casefile.parse_file(f):
                if st.kind in ("cmd", "scan"):
                    t.why_skip(st.args, 0, "main", st.mode)
                elif st.kind == "raw":
                    t.why_skip_raw(st.payload, "main")


if __name__ == "__main__":
    unittest.main()
