#!/usr/bin/python3
"""Integration tests for the compare-and-act string commands that Redis 7.0
lacks, so the differential runner cannot check them:

    DELIFEQ key value        (Valkey 9)   1 if the key held exactly `value`
                                           and was deleted, else 0
    SET key value IFEQ old   (Valkey 8.1) set only when the current string
                                           equals `old`

Standard library only; talks raw RESP over a socket to a running server:

    /usr/bin/python3 tests/integration/test_strings_extra.py --port N [--host H] [-v]

Every test uses its own keys under a random prefix, so the database need not
be empty and nothing else is touched.
"""

import argparse
import os
import socket
import sys
import time
import unittest

HOST = "127.0.0.1"
PORT = 6379


class Error(Exception):
    """An error reply (-ERR ...)."""


class Conn:
    """A minimal RESP2/RESP3 client: commands as multibulk, replies parsed
    into Python values (bulk -> bytes, null -> None, error -> Error)."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=5)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return Error(rest.decode())
        if kind == b":":
            return int(rest)
        if kind in (b"$", b"="):
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"_":
            return None
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if kind == b"%":
            return {self._key(self.read()): self.read() for _ in range(int(rest))}
        if kind == b"#":
            return rest == b"t"
        if kind == b",":
            return float(rest)
        raise ValueError("unexpected reply %r" % line)

    @staticmethod
    def _key(k):
        return k if not isinstance(k, list) else tuple(k)

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, int):
                a = str(a)
            if isinstance(a, str):
                a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read()


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"


class Base(unittest.TestCase):
    def setUp(self):
        self.c = Conn(HOST, PORT)
        self.prefix = "t:%s:%s:" % (os.getpid(), self._testMethodName)
        self.keys = []

    def tearDown(self):
        for k in self.keys:
            self.c.call("DEL", k)
        self.c.close()

    def key(self, name):
        k = self.prefix + name
        self.keys.append(k)
        self.c.call("DEL", k)
        return k

    def assertError(self, reply, text=None):
        self.assertIsInstance(reply, Error, "expected an error, got %r" % (reply,))
        if text is not None:
            self.assertEqual(str(reply), text)

    def non_string(self, name):
        """A key holding a list (or a set/hash if lists are missing); skips
        the test when the server has no other type yet."""
        k = self.key(name)
        for cmd in (("RPUSH", k, "x"), ("SADD", k, "x"), ("HSET", k, "f", "v")):
            r = self.c.call(*cmd)
            if not isinstance(r, Error):
                return k
        self.skipTest("the server has no non-string type to test WRONGTYPE with")


class DelIfEq(Base):
    def test_missing_key(self):
        k = self.key("missing")
        self.assertEqual(self.c.call("DELIFEQ", k, "x"), 0)
        self.assertEqual(self.c.call("EXISTS", k), 0)

    def test_equal_deletes(self):
        k = self.key("k")
        self.c.call("SET", k, "hello")
        self.assertEqual(self.c.call("DELIFEQ", k, "hello"), 1)
        self.assertEqual(self.c.call("EXISTS", k), 0)
        self.assertEqual(self.c.call("DELIFEQ", k, "hello"), 0)

    def test_different_keeps(self):
        k = self.key("k")
        self.c.call("SET", k, "hello")
        for other in ("Hello", "hell", "hello ", "", "hello\x00"):
            self.assertEqual(self.c.call("DELIFEQ", k, other), 0, other)
        self.assertEqual(self.c.call("GET", k), b"hello")

    def test_binary_values(self):
        k = self.key("bin")
        value = b"a\x00b\r\n\xff"
        self.c.call("SET", k, value)
        self.assertEqual(self.c.call("DELIFEQ", k, b"a\x00b\r\n"), 0)
        self.assertEqual(self.c.call("DELIFEQ", k, value), 1)
        self.assertEqual(self.c.call("EXISTS", k), 0)

    def test_integer_encoded_value(self):
        k = self.key("n")
        self.c.call("SET", k, "123")
        self.assertEqual(self.c.call("DELIFEQ", k, "0123"), 0)
        self.assertEqual(self.c.call("DELIFEQ", k, "123.0"), 0)
        self.assertEqual(self.c.call("DELIFEQ", k, "123"), 1)
        self.c.call("INCRBY", k, -7)
        self.assertEqual(self.c.call("DELIFEQ", k, "-7"), 1)

    def test_empty_string_value(self):
        k = self.key("e")
        self.c.call("SET", k, "")
        self.assertEqual(self.c.call("DELIFEQ", k, "x"), 0)
        self.assertEqual(self.c.call("DELIFEQ", k, ""), 1)
        self.assertEqual(self.c.call("EXISTS", k), 0)

    def test_volatile_and_expired_keys(self):
        k = self.key("ttl")
        self.c.call("SET", k, "v", "EX", 100)
        self.assertEqual(self.c.call("DELIFEQ", k, "v"), 1)
        self.assertEqual(self.c.call("TTL", k), -2)
        self.c.call("SET", k, "v", "PX", 30)
        time.sleep(0.1)
        self.assertEqual(self.c.call("DELIFEQ", k, "v"), 0)

    def test_wrong_type(self):
        k = self.non_string("list")
        self.assertError(self.c.call("DELIFEQ", k, "x"), WRONGTYPE)
        self.assertEqual(self.c.call("EXISTS", k), 1)

    def test_arity(self):
        k = self.key("k")
        self.assertError(self.c.call("DELIFEQ", k), "ERR wrong number of arguments for 'delifeq' command")
        self.assertError(self.c.call("DELIFEQ", k, "a", "b"),
                         "ERR wrong number of arguments for 'delifeq' command")
        self.assertError(self.c.call("delifeq"), "ERR wrong number of arguments for 'delifeq' command")

    def test_case_insensitive_name(self):
        k = self.key("k")
        self.c.call("SET", k, "v")
        self.assertEqual(self.c.call("DelIfEq", k, "v"), 1)


class SetIfEq(Base):
    def test_match_sets(self):
        k = self.key("k")
        self.c.call("SET", k, "old")
        self.assertEqual(self.c.call("SET", k, "new", "IFEQ", "old"), "OK")
        self.assertEqual(self.c.call("GET", k), b"new")

    def test_mismatch_keeps(self):
        k = self.key("k")
        self.c.call("SET", k, "old")
        self.assertIsNone(self.c.call("SET", k, "new", "IFEQ", "OLD"))
        self.assertIsNone(self.c.call("SET", k, "new", "IFEQ", ""))
        self.assertEqual(self.c.call("GET", k), b"old")

    def test_missing_key_not_created(self):
        k = self.key("missing")
        self.assertIsNone(self.c.call("SET", k, "v", "IFEQ", "x"))
        self.assertIsNone(self.c.call("SET", k, "v", "IFEQ", ""))
        self.assertEqual(self.c.call("EXISTS", k), 0)

    def test_missing_key_with_get(self):
        k = self.key("missing")
        self.assertIsNone(self.c.call("SET", k, "v", "IFEQ", "x", "GET"))
        self.assertIsNone(self.c.call("SET", k, "v", "GET", "IFEQ", "x"))
        self.assertEqual(self.c.call("EXISTS", k), 0)

    def test_get_returns_old_value_either_way(self):
        k = self.key("k")
        self.c.call("SET", k, "a")
        self.assertEqual(self.c.call("SET", k, "b", "IFEQ", "zzz", "GET"), b"a")
        self.assertEqual(self.c.call("GET", k), b"a")
        self.assertEqual(self.c.call("SET", k, "b", "IFEQ", "a", "GET"), b"a")
        self.assertEqual(self.c.call("GET", k), b"b")

    def test_operand_spelled_like_an_option(self):
        k = self.key("k")
        self.c.call("SET", k, "get")
        self.assertEqual(self.c.call("SET", k, "nx", "IFEQ", "get", "GET"), b"get")
        self.assertEqual(self.c.call("SET", k, "v", "IFEQ", "nx"), "OK")
        self.assertEqual(self.c.call("GET", k), b"v")

    def test_not_combinable_with_nx_xx(self):
        k = self.key("k")
        self.c.call("SET", k, "old")
        for args in (("IFEQ", "old", "NX"), ("NX", "IFEQ", "old"), ("IFEQ", "old", "XX"),
                     ("XX", "IFEQ", "old"), ("ifeq", "old", "nx", "GET")):
            self.assertError(self.c.call("SET", k, "new", *args), SYNTAX)
        self.assertEqual(self.c.call("GET", k), b"old")

    def test_syntax_errors(self):
        k = self.key("k")
        self.c.call("SET", k, "old")
        self.assertError(self.c.call("SET", k, "new", "IFEQ"), SYNTAX)
        self.assertError(self.c.call("SET", k, "new", "EX", 10, "IFEQ"), SYNTAX)
        self.assertError(self.c.call("SET", k, "new", "IFEQ", "old", "BOGUS"), SYNTAX)
        self.assertEqual(self.c.call("GET", k), b"old")

    def test_with_expire_options(self):
        k = self.key("k")
        self.c.call("SET", k, "a")
        self.assertEqual(self.c.call("SET", k, "b", "IFEQ", "a", "EX", 100), "OK")
        self.assertTrue(99 <= self.c.call("TTL", k) <= 100)
        self.assertEqual(self.c.call("SET", k, "c", "IFEQ", "b", "KEEPTTL"), "OK")
        self.assertTrue(99 <= self.c.call("TTL", k) <= 100)
        self.assertEqual(self.c.call("SET", k, "d", "IFEQ", "c"), "OK")
        self.assertEqual(self.c.call("TTL", k), -1)
        self.assertEqual(self.c.call("SET", k, "e", "PX", 100000, "IFEQ", "d", "GET"), b"d")
        self.assertTrue(99000 <= self.c.call("PTTL", k) <= 100000)
        self.assertIsNone(self.c.call("SET", k, "f", "IFEQ", "nope", "EX", 5))
        self.assertTrue(self.c.call("TTL", k) > 5)

    def test_invalid_expire_checked_first(self):
        k = self.key("missing")
        self.assertError(self.c.call("SET", k, "v", "IFEQ", "x", "EX", 0),
                         "ERR invalid expire time in 'set' command")

    def test_integer_encoded_value(self):
        k = self.key("n")
        self.c.call("SET", k, "10")
        self.assertIsNone(self.c.call("SET", k, "11", "IFEQ", "010"))
        self.assertEqual(self.c.call("SET", k, "11", "IFEQ", "10"), "OK")
        self.assertEqual(self.c.call("INCR", k), 12)

    def test_binary_values(self):
        k = self.key("bin")
        self.c.call("SET", k, b"\x00\xff")
        self.assertIsNone(self.c.call("SET", k, "x", "IFEQ", b"\x00"))
        self.assertEqual(self.c.call("SET", k, "x", "IFEQ", b"\x00\xff"), "OK")
        self.assertEqual(self.c.call("GET", k), b"x")

    def test_wrong_type(self):
        k = self.non_string("list")
        self.assertError(self.c.call("SET", k, "v", "IFEQ", "x"), WRONGTYPE)
        self.assertError(self.c.call("SET", k, "v", "IFEQ", "x", "GET"), WRONGTYPE)
        self.assertNotEqual(self.c.call("TYPE", k), "string")

    def test_resp3_null(self):
        hello = self.c.call("HELLO", 3)
        if isinstance(hello, Error):
            self.skipTest("no RESP3")
        k = self.key("missing")
        self.c.sock.sendall(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$4\r\nIFEQ\r\n$1\r\nx\r\n"
                            % (len(k), k.encode()))
        self.assertEqual(self.c._line(), b"_")


def main():
    global HOST, PORT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default=HOST)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    HOST, PORT = args.host, args.port
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2 if args.verbose else 1).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
