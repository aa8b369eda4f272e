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
import resp  # noqa: E402
import runner  # noqa: E402


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

    def test_corpus_parses(self):
        for f in runner.select_files([]):
            casefile.parse_file(f)

    def test_random_is_reproducible(self):
        a = random_strings.generate_text(7, 300)
        self.assertEqual(a, random_strings.generate_text(7, 300))
        self.assertNotEqual(a, random_strings.generate_text(8, 300))
        casefile.parse_text("r", a)


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

    def test_prop(self):
        st = self.step("prop:near=1000: PTTL k")
        self.assertIsNone(runner.compare(st, ("int", 5000), ("int", 4500), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 5000), ("int", 3000), 2))
        self.assertIsNotNone(runner.compare(st, ("int", 5000), ("bulk", b"5000"), 2))
        self.assertTrue(runner.compare(st, ("bulk", b"x"), ("bulk", b"x"), 2).startswith("CASE"))
        err = ("error", b"ERR wrong number of arguments for 'pttl' command")
        self.assertIsNone(runner.compare(st, err, err, 2))

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


if __name__ == "__main__":
    unittest.main()
