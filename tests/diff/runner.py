#!/usr/bin/python3
"""Differential test runner: taskkv (the candidate) vs a real redis-server.

Sends the same command scripts to both servers, under RESP2 and RESP3, and
compares the replies. See README.md for the case-file format.

Typical uses:
    runner.py --candidate build/taskkv-server        # corpus, RESP2 + RESP3
    runner.py --candidate-redis                      # self-test: redis vs redis
    runner.py --candidate-port 7777 -k strings --resp 3 -v
    runner.py --candidate-redis --random 2000 --seed 1 --seed 2
    runner.py --candidate-redis --no-corpus --random-types 3000 --seed 1 --seed 2
"""

import argparse
import fnmatch
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import casefile  # noqa: E402
import random_strings  # noqa: E402
import random_types  # noqa: E402
import resp  # noqa: E402
import skips  # noqa: E402
from resp import fmt  # noqa: E402

HOST = "127.0.0.1"
HELLO_KEYS = [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]
# {id:NAME} {addr:NAME} {laddr:NAME} in an argument: that connection's value
# on each server (CLIENT KILL ID / ADDR, CLIENT UNBLOCK, CLIENT LIST ID)
PLACEHOLDER = re.compile(rb"\{(id|addr|laddr):([A-Za-z0-9_-]+)\}")


# --------------------------------------------------------------------------
# servers

def free_port():
    while True:
        s = socket.socket()
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        s.close()
        if port != 6379:
            return port


class Server:
    """A server process we started (or an external one when argv is None)."""

    def __init__(self, label, argv=None, port=None):
        self.label = label
        self.argv = argv
        self.port = port
        self.proc = None
        self.dir = None
        self.log = None
        self.restarts = 0

    @property
    def managed(self):
        return self.argv is not None

    def start(self):
        if not self.managed:
            resp.wait_ping(HOST, self.port, timeout=5.0)
            return
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="taskkv-diff-%s-" % self.label)
        last = None
        for _ in range(3):  # a new free port each time, in case another process took it
            port = self.port or free_port()
            cmd = list(self.argv) + ["--port", str(port), "--bind", HOST, "--dir", self.dir,
                                     "--save", "", "--appendonly", "no"]
            self.log = os.path.join(self.dir, "server.log")
            logf = open(self.log, "ab")
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir)
            logf.close()
            try:
                resp.wait_ping(HOST, port, timeout=10.0, alive=self.alive)
                self.port = port
                return
            except RuntimeError as e:
                last = e
                self.stop()
                self.port = None
        raise RuntimeError("%s: could not start %s: %s\n%s" % (self.label, " ".join(self.argv), last, self.log_tail()))

    def alive(self):
        return self.proc is None or self.proc.poll() is None

    def exit_code(self):
        return None if self.proc is None else self.proc.poll()

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self):
        port = self.port
        self.stop()
        self.port = port
        self.restarts += 1
        self.start()

    def log_tail(self, n=40):
        if not self.log or not os.path.exists(self.log):
            return ""
        with open(self.log, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join("    | " + l[:300] for l in lines[-n:])

    def cleanup(self, keep=False):
        self.stop()
        if self.dir and not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------
# comparisons

AGG = ("array", "set", "push", "replies")


def norm_unordered(r):
    if r[0] in AGG:
        return (r[0], tuple(sorted(r[1], key=resp.sort_key)))
    if r[0] == "map":
        return ("map", tuple(sorted(r[1], key=resp.sort_key)))
    return r


def norm_pairs(r):
    if r[0] in AGG and len(r[1]) % 2 == 0:
        it = r[1]
        pairs = [(it[i], it[i + 1]) for i in range(0, len(it), 2)]
        return (r[0], tuple(sorted(pairs, key=resp.sort_key)))
    return norm_unordered(r)


def norm_names(r):
    """For argument-less (P|S)UNSUBSCRIBE, whose channels come in the
    server's hash-table order: the names (element 2 of each confirmation)
    compared as a multiset, everything else (kinds, counts) in order."""
    if r[0] in AGG:
        names, rest = [], []
        for e in r[1]:
            if e[0] in AGG and len(e[1]) >= 2:
                names.append(e[1][1])
                rest.append((e[0], (e[1][0],) + tuple(e[1][2:])))
            else:
                rest.append(e)
        return (r[0], tuple(rest), tuple(sorted(names, key=resp.sort_key)))
    return r


def _pairs(r):
    """The (key, value) pairs of a map, or of a RESP2 flat array; None otherwise."""
    if r[0] == "map":
        return list(r[1])
    if r[0] == "array" and len(r[1]) % 2 == 0:
        return [(r[1][i], r[1][i + 1]) for i in range(0, len(r[1]), 2)]
    return None


def norm_docs(r, nested=False):
    """A COMMAND DOCS reply (name => docs, as a map or a RESP2 flat array)
    with every command's "subcommands" map sorted by name (redis walks a
    hash table there); the top level keeps its order unless nested."""
    pairs = _pairs(r)
    if pairs is None:
        return r
    out = []
    for name, doc in pairs:
        dp = _pairs(doc)
        if dp is not None:
            doc = (doc[0], tuple((k, norm_docs(v, True) if k == ("bulk", b"subcommands") else v) for k, v in dp))
        out.append((name, doc))
    return (r[0], tuple(sorted(out, key=resp.sort_key) if nested else out))


def norm_info(r, nested=False):
    """A COMMAND / COMMAND INFO reply (an array of 10-element entries, or
    nulls for unknown names) with every entry's subcommands (element 10, the
    entries of the container's subcommands) sorted, recursively (redis walks
    a hash table there); the top level keeps its order unless nested."""
    if r[0] not in ("array", "set"):
        return r
    out = []
    for e in r[1]:
        if e[0] == "array" and len(e[1]) == 10:
            e = ("array", e[1][:9] + (norm_info(e[1][9], True),))
        out.append(e)
    return (r[0], tuple(sorted(out, key=resp.sort_key) if nested else out))


def docs_names(r):
    pairs = _pairs(r)
    return None if pairs is None else {k[1] for k, _ in pairs if k[0] == "bulk"}


def info_names(r):
    if r[0] != "array" or any(e[0] != "array" or not e[1] or e[1][0][0] != "bulk" for e in r[1]):
        return None
    return {e[1][0][1] for e in r[1]}


def check_docs_names(a, b, tables, names=docs_names):
    """An argument-less COMMAND DOCS (or, with names=info_names, COMMAND /
    COMMAND INFO): each server describes exactly the top-level commands of
    its own command table (with `tables`, the tracker's CommandTables of
    redis and the candidate; else the two name sets must be equal)."""
    na, nb = names(a), names(b)
    if na is None or nb is None:
        return "not a map of names" if names is docs_names else "not an array of command entries"
    if tables is None:
        return None if na == nb else "names differ: only redis %s, only candidate %s" % (
            sorted(na - nb)[:10], sorted(nb - na)[:10])
    for label, got, table in (("redis", na, tables[0]), ("candidate", nb, tables[1])):
        want = {n for n in table.names if b"|" not in n}
        if got != want:
            return "%s documents %s, lacks %s of its commands" % (label, sorted(got - want)[:10],
                                                                 sorted(want - got)[:10])

_NUMBER_RE = re.compile(rb"0x[0-9a-fA-F]+|[0-9]+")


def norm_masked(r):
    """Every number in every string (decimal digits, 0x... hex) becomes '#':
    for text that embeds addresses, times and durations (DEBUG OBJECT,
    LATENCY DOCTOR / GRAPH). Integers and aggregates are left as they are."""
    t = r[0]
    if t in ("simple", "error", "blob_error", "bulk"):
        return (t, _NUMBER_RE.sub(b"#", r[1]))
    if t == "verbatim":
        return (t, r[1], _NUMBER_RE.sub(b"#", r[2]))
    if t in AGG:
        return (t, tuple(norm_masked(e) for e in r[1]))
    if t == "map":
        return (t, tuple((norm_masked(k), norm_masked(v)) for k, v in r[1]))
    return r


def help_blocks(r):
    """A HELP reply as blocks: the title line, then each subcommand's line
    with the indented lines after it. None if r is not a HELP reply."""
    if r[0] != "array" or not r[1] or any(e[0] != "simple" for e in r[1]):
        return None
    blocks = [[r[1][0][1]]]
    for e in r[1][1:]:
        if e[1].startswith(b" ") and len(blocks) > 1:
            blocks[-1].append(e[1])
        else:
            blocks.append([e[1]])
    return [tuple(b) for b in blocks]


def check_help(a, b, extra):
    """b (the candidate's HELP) is made of whole blocks of a (redis'), the
    title first and the rest in redis' order, plus at most `extra` blocks
    for subcommands redis lacks. Returns None or a reason."""
    ra, rb = help_blocks(a), help_blocks(b)
    if rb is None:
        return "not a HELP reply"
    if rb[0] != ra[0]:
        return "title line differs"
    heads = {blk[0] for blk in ra}
    pos, added = 0, 0
    for blk in rb[1:]:
        if blk[0] not in heads:
            added += 1
            if added > extra:
                return "more than %d block(s) redis does not have: %s" % (extra, blk[0].decode("latin-1"))
            continue
        try:
            pos = ra.index(blk, pos) + 1
        except ValueError:
            return "block %r differs from redis' or is out of order" % blk[0].decode("latin-1")
    return None


def text_fields(r):
    """A text of space-separated fields, one record per line, as a list of
    lines of (name, value): `key=value` words (CLIENT LIST / INFO) or
    `name:value` words (DEBUG OBJECT), split at the first '=' or else the
    first ':'; a word with neither is a name with value None. None if r is
    not a string."""
    if r[0] not in ("simple", "bulk", "verbatim"):
        return None
    text = r[2] if r[0] == "verbatim" else r[1]
    lines = []
    for line in text.split(b"\n"):
        if not line.strip():
            continue
        fields = []
        for word in line.split():
            sep = b"=" if b"=" in word else b":"
            name, found, value = word.partition(sep)
            fields.append((name.decode("latin-1"), value if found else None))
        lines.append(fields)
    return lines


def _in_order(want, got):
    """Every name of `want` appears in `got`, in the same order (extra names
    allowed: taskkv's CLIENT LIST also has Redis 7.2's lib-name/lib-ver)."""
    it = iter(got)
    return all(any(g == w for g in it) for w in want)


def check_fields(a, b, names):
    """b has as many lines as a, each with a's field names in a's order (and
    maybe more) and the named fields' values (ids, addresses, ages, pointers
    left free)."""
    la, lb = text_fields(a), text_fields(b)
    if lb is None or resp.kind(a) != resp.kind(b):
        return "reply types differ"
    for i, fa in enumerate(la):
        missing = [n for n in names if n not in dict(fa)]
        if missing:
            return "CASE: redis' line %d has no field %s (the case names a wrong field)" % (i + 1, ",".join(missing))
    if len(la) != len(lb):
        return "%d lines vs %d" % (len(la), len(lb))
    for i, (fa, fb) in enumerate(zip(la, lb)):
        if not _in_order([n for n, _ in fa], [n for n, _ in fb]):
            return "line %d: redis' field names are not all there, in order" % (i + 1)
        da, db = dict(fa), dict(fb)
        for n in names:
            if da[n] != db[n]:
                return "line %d: %s=%r, redis has %r" % (i + 1, n, db[n], da[n])
    return None


def info_sections(r):
    """An INFO text as a list of (header, [(name, value)]); None if r is not
    a string of `# Section` headers and `name:value` lines."""
    if r[0] not in ("bulk", "verbatim"):
        return None
    text = r[2] if r[0] == "verbatim" else r[1]
    sections = []
    for line in text.split(b"\r\n"):
        if not line:
            continue
        if line.startswith(b"# "):
            sections.append((line[2:].decode("latin-1"), []))
        elif b":" in line and sections:
            name, _, value = line.partition(b":")
            sections[-1][1].append((name.decode("latin-1"), value))
        else:
            return None
    return sections


# Sections Redis lists in its command dict's order: compared as sets.
INFO_DICT_ORDER = ("Commandstats", "Latencystats")


def check_info(a, b, names):
    """b has a's sections in a's order; in each, a's field names in a's
    order (more allowed: taskkv_version, the journal's aof_* fields; any
    order in INFO_DICT_ORDER's sections) and the same values for the fields
    named."""
    sa, sb = info_sections(a), info_sections(b)
    if sb is None or resp.kind(a) != resp.kind(b):
        return "not an INFO text of the same type"
    for n in names:
        if not any(n in dict(f) for _, f in sa):
            return "CASE: redis' INFO has no field %s (the case names a wrong field)" % n
    if [h for h, _ in sa] != [h for h, _ in sb]:
        return "sections %s, redis has %s" % ([h for h, _ in sb], [h for h, _ in sa])
    for (head, fa), (_, fb) in zip(sa, sb):
        want, got = [n for n, _ in fa], [n for n, _ in fb]
        if head in INFO_DICT_ORDER:
            want, got = sorted(want), sorted(got)
        if not _in_order(want, got):
            missing = [n for n in want if n not in got]
            return "section %s: %s" % (head, "missing %s" % ", ".join(missing) if missing else "fields out of order")
        da, db = dict(fa), dict(fb)
        for n in names:
            if n in da and da[n] != db[n]:
                return "%s:%r, redis has %r" % (n, db[n], da[n])
    return None


def shape(r):
    if r[0] in AGG:
        return (r[0], tuple(shape(e) for e in r[1]))
    if r[0] == "map":
        return ("map", tuple((shape(k), shape(v)) for k, v in r[1]))
    return resp.kind(r)


def _numeric(b):
    try:
        float(b)
        return True
    except ValueError:
        return False


def names(r):
    """shape(), but text that is not a number keeps its value: the field
    names of MEMORY STATS-like replies (a RESP3 map, or RESP2's flat array
    of names and values, doubles as numeric bulk strings) must match while
    the figures may differ."""
    if r[0] in AGG:
        return (r[0], tuple(names(e) for e in r[1]))
    if r[0] == "map":
        return ("map", tuple((names(k), names(v)) for k, v in r[1]))
    if r[0] in ("bulk", "simple") and not _numeric(r[1]):
        return (r[0], r[1])
    return resp.kind(r)


def is_err(r):
    return r[0] in ("error", "blob_error")


def check_hello(r, proto, ref=None):
    """Checks a HELLO reply by property: a map whose keys are exactly
    server/version/proto/id/mode/role/modules and whose proto is `proto`.
    With `ref` (redis' reply), also: the same key order, the same value types
    for server/version/id and the same mode/role/modules. Returns None or a
    reason."""
    if r[0] != "map":
        return "HELLO reply is not a map: %s" % fmt(r)
    if any(k[0] != "bulk" for k, _ in r[1]):
        return "HELLO map keys are not all bulk strings: %s" % fmt(r)
    keys = [k[1] for k, _ in r[1]]
    if sorted(keys) != sorted(HELLO_KEYS):
        return "HELLO keys %r, expected %r" % (keys, HELLO_KEYS)
    d = dict((k[1], v) for k, v in r[1])
    if d[b"proto"] != ("int", proto):
        return "HELLO proto is %s, expected int:%d" % (fmt(d[b"proto"]), proto)
    if ref is not None and ref[0] == "map":
        rkeys = [k[1] for k, _ in ref[1]]
        if keys != rkeys:
            return "HELLO key order %r, redis has %r" % (keys, rkeys)
        rd = dict((k[1], v) for k, v in ref[1])
        for k in HELLO_KEYS:
            if k in (b"server", b"version", b"id"):
                if resp.kind(d[k]) != resp.kind(rd[k]):
                    return "HELLO %s has type %s, redis %s" % (k.decode(), fmt(d[k]), fmt(rd[k]))
            elif d[k] != rd[k]:
                return "HELLO %s is %s, redis %s" % (k.decode(), fmt(d[k]), fmt(rd[k]))
    return None


def prop_single(name, val, r, proto):
    """Per-reply predicates; returns None or a reason."""
    if name in ("int", "near", "range", "ratio") and r[0] != "int":
        return "not an integer"
    if name == "ratio" and r[1] <= 0:
        return "%d is not positive" % r[1]
    if name == "range" and not (val[0] <= r[1] <= val[1]):
        return "%d not in %d..%d" % (r[1], val[0], val[1])
    if name in ("error", "errcode") and not is_err(r):
        return "not an error"
    if name == "bulk" and r[0] != "bulk":
        return "not a bulk string"
    if name == "len":
        if r[0] not in AGG and r[0] != "map":
            return "not an aggregate"
        if val != "" and len(r[1]) != val:
            return "length %d, expected %d" % (len(r[1]), val)
    if name == "hello":
        return check_hello(r, proto)
    if name == "help" and help_blocks(r) is None:
        return "not a HELP reply (an array of simple strings)"
    if name == "fields" and text_fields(r) is None:
        return "not a string of name:value fields"
    if name == "info" and info_sections(r) is None:
        return "not an INFO text"
    return None


def prop_pair(name, val, a, b, proto):
    """Relations between the two replies (both already passed prop_single)."""
    if name == "near" and abs(a[1] - b[1]) > val:
        return "differ by %d (> %d)" % (abs(a[1] - b[1]), val)
    if name == "len" and len(a[1]) != len(b[1]):
        return "lengths %d vs %d" % (len(a[1]), len(b[1]))
    if name == "ratio" and not (val[0] <= b[1] / a[1] <= val[1]):
        return "candidate / redis = %d / %d = %.3g, not in %g..%g" % (b[1], a[1], b[1] / a[1], val[0], val[1])
    if name == "shape" and shape(a) != shape(b):
        return "shapes differ"
    if name == "names" and names(a) != names(b):
        return "names or shapes differ"
    if name == "errcode" and a[1].split(b" ", 1)[0] != b[1].split(b" ", 1)[0]:
        return "error codes differ"
    if name == "hello":
        return check_hello(b, proto, ref=a)
    if name == "help":
        return check_help(a, b, val)
    if name == "fields":
        return check_fields(a, b, val)
    if name == "info":
        return check_info(a, b, val)
    return None


def compare(step, a, b, proto, tables=None):
    """a = reference (redis), b = candidate. Returns None if they agree, else
    a reason. A reason starting with 'CASE' means the reference itself does
    not satisfy the case's property (the test case is wrong). `tables`:
    (redis, candidate) CommandTables, for docs-names and info-names."""
    m = step.mode
    if m == "ignore":
        return None
    if m == "exact":
        return None if a == b else "replies differ"
    if m == "unordered":
        return None if norm_unordered(a) == norm_unordered(b) else "replies differ (ignoring order)"
    if m == "pairs-unordered":
        return None if norm_pairs(a) == norm_pairs(b) else "replies differ (ignoring pair order)"
    if m == "names-unordered":
        return None if norm_names(a) == norm_names(b) else "replies differ (ignoring the order of the names)"
    if m == "docs-unordered":
        return None if norm_docs(a) == norm_docs(b) else "replies differ (ignoring the order of subcommands)"
    if m == "docs-names":
        return check_docs_names(a, b, tables)
    if m == "masked":
        return None if norm_masked(a) == norm_masked(b) else "replies differ (numbers masked)"
    if m == "info-unordered":
        return None if norm_info(a) == norm_info(b) else "replies differ (ignoring the order of subcommands)"
    if m == "info-names":
        return check_docs_names(a, b, tables, info_names)
    if m == "type-only":
        return None if resp.kind(a) == resp.kind(b) else "reply types differ"
    if m == "prop":
        if len(step.args) > 1 and step.args[0].upper() == b"HELLO" and step.args[1].isdigit():
            proto = int(step.args[1])  # prop:hello checks the proto HELLO asked for
        # An error from redis (e.g. a wrong-arity variant) is compared
        # exactly unless the case asks for error/errcode; so is a null (a
        # missing key: MEMORY USAGE, OBJECT IDLETIME, DUMP).
        if is_err(a) and not any(n in ("error", "errcode") for n, _ in step.prop):
            return None if a == b else "replies differ (redis replied an error)"
        if a[0] == "null":
            return None if a == b else "replies differ (redis replied a null)"
        for name, val in step.prop:
            why = prop_single(name, val, a, proto)
            if why:
                return "CASE: redis reply fails prop %s: %s" % (name, why)
        for name, val in step.prop:
            why = prop_single(name, val, b, proto)
            if why:
                return "prop %s: %s" % (name, why)
            why = prop_pair(name, val, a, b, proto)
            if why:
                return why if why.startswith("CASE") else "prop %s: %s" % (name, why)
        return None
    raise AssertionError(m)


# --------------------------------------------------------------------------
# running

class Side:
    """One server as seen by the runner: its named connections."""

    def __init__(self, label, server):
        self.label = label
        self.server = server
        self.conns = {}
        self.vars = {}               # capture:NAME: values, per file

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}


class ServerPairs:
    """The (redis, candidate) server pairs of a run: the default pair, and
    one more per distinct `server-args:` of the case files, started when a
    file first needs it (same binaries, these arguments added)."""

    def __init__(self, ref_argv, cand_argv, ref, cand):
        self.ref_argv = ref_argv      # base argv lists; cand_argv None for an external candidate
        self.cand_argv = cand_argv
        self.pairs = {(): (ref, cand)}

    def get(self, server_args):
        """The pair for these extra arguments, or None when the candidate
        is external (it cannot be restarted with them)."""
        if server_args not in self.pairs:
            if self.cand_argv is None:
                return None
            ref = Server("redis", self.ref_argv + list(server_args))
            cand = Server("cand", self.cand_argv + list(server_args))
            self.pairs[server_args] = (ref, cand)
            ref.start()
            cand.start()
            print("servers with %s: redis on port %d, candidate on port %d"
                  % (" ".join(server_args), ref.port, cand.port), flush=True)
        return self.pairs[server_args]

    def cleanup(self, keep):
        for ref, cand in self.pairs.values():
            ref.cleanup(keep)
            cand.cleanup(keep)


class Runner:
    def __init__(self, args, ref, cand):
        self.args = args
        self.ref = Side("redis", ref)
        self.cand = Side("candidate", cand)
        self.sides = (self.ref, self.cand)
        self.failures = 0
        self.case_errors = 0
        self.steps_run = 0
        self.file_fail = 0
        self.tracker = None          # a skips.Tracker unless --no-skip
        self.skip_stats = skips.Stats()
        self.last_ref = None         # redis' reply to the last command step
        self.placeholders = False    # the running file uses {id:NAME}...: connections learn theirs

    def use(self, ref, cand):
        """Runs the next files on this pair of servers."""
        for side, srv in ((self.ref, ref), (self.cand, cand)):
            if side.server is not srv:
                side.close_all()
                side.server = srv

    # -- reporting ----------------------------------------------------------

    def out(self, s):
        print(s, flush=True)

    def fail(self, where, proto, what, reason, a=None, b=None, extra=None):
        self.file_fail += 1
        if reason.startswith("CASE"):
            self.case_errors += 1
        self.failures += 1
        if self.file_fail > self.args.max_fail:
            if self.file_fail == self.args.max_fail + 1:
                self.out("  ... more mismatches in this file suppressed (--max-fail %d)" % self.args.max_fail)
            return
        self.out("MISMATCH %s [resp%d] %s" % (where, proto, what))
        self.out("  why:       %s" % reason)
        if a is not None:
            self.out("  redis:     %s" % a)
            self.out("  candidate: %s" % b)
        if extra:
            self.out(extra)

    # -- connections --------------------------------------------------------

    def conn(self, side, name, proto, where):
        c = side.conns.get(name)
        if c is not None and not c.closed:
            return c
        c = resp.Conn(HOST, side.server.port, timeout=self.args.timeout)
        side.conns[name] = c
        c.client_info = {}
        if self.placeholders:
            # asked first, while the connection is surely idle
            r = c.call("CLIENT", "INFO")
            if r[0] in ("bulk", "verbatim"):
                for tok in r[-1].split():
                    k, _, v = tok.partition(b"=")
                    c.client_info[k] = v
        if proto == 3:
            r = c.call("HELLO", "3")
            side.last_hello = r
            if side is self.cand:
                why = check_hello(r, 3, ref=getattr(self.ref, "last_hello", None))
                if why:
                    self.fail(where, proto, "HELLO 3 (on connect)", why,
                              fmt(getattr(self.ref, "last_hello", ("null", "_"))), fmt(r))
            else:
                why = check_hello(r, 3)
                if why:
                    raise RuntimeError("redis HELLO 3 check failed: %s" % why)
        return c

    def substitute(self, side, args, proto, where):
        """args with {id:NAME}, {addr:NAME}, {laddr:NAME} replaced by that
        connection's values on this server (opening it if needed)."""
        if not self.placeholders:
            return args

        def value(m):
            c = self.conn(side, m.group(2).decode(), proto, where)
            return c.client_info.get(m.group(1), b"?")
        return [PLACEHOLDER.sub(value, a) for a in args]

    def call_both(self, step, proto):
        res = []
        for side in self.sides:
            args = step.args
            if step.vars:
                try:
                    args = casefile.substitute(args, side.vars)
                except KeyError as e:
                    res.append(("uncaptured", e.args[0]))
                    continue
            try:
                args = self.substitute(side, args, proto, step.where())
                c = self.conn(side, step.conn, proto, step.where())
                if step.send or step.read:
                    if step.kind == "cmd":
                        c.send(args)
                    if step.send:
                        r = ("sent",)
                    elif c.in_multi or (step.kind == "cmd" and step.args[0].lower() == b"multi"):
                        # a command sent has at least one reply: wait for it
                        r = c.read_replies(idle=self.args.raw_idle, total=self.args.timeout,
                                           first=self.args.timeout if step.kind == "cmd" else None)
                    else:
                        r = c.read_to_sentinel(total=self.args.timeout)
                    if step.kind == "cmd":
                        track_multi(c, step.args, r)
                    res.append(r)
                    continue
                r = c.call(*args)
                track_multi(c, args, r)
                if step.capture:
                    v = casefile.capture_value(r)
                    if v is None:
                        side.vars.pop(step.capture, None)
                    else:
                        side.vars[step.capture] = v
                if r[0] == "timeout":
                    c.close()
                elif step.args[0].upper() == b"QUIT" and r[0] != "closed":
                    _, closed = c.read_raw(idle=1.0, total=1.0)
                    if closed:
                        r = ("closed-after", r)
                    c.close()
            except resp.RespError as e:
                side.conns.get(step.conn).close()
                r = ("malformed", str(e))
            except resp.ConnectionClosed:
                r = ("closed",)
            except resp.Timeout:
                r = ("timeout",)
            except OSError as e:
                r = ("connect-failed", str(e))
            res.append(r)
        return res

    def raw_both(self, step, proto):
        res = [None, None]

        def one(i, side):
            try:
                payload = self.substitute(side, [step.payload], proto, step.where())[0]
                c = self.conn(side, step.conn, proto, step.where())
                c.send_raw(payload)
                res[i] = c.read_raw(idle=self.args.raw_idle, total=self.args.timeout)
            except resp.ConnectionClosed:
                res[i] = (b"", True)
            except OSError as e:
                res[i] = (("connect-failed: %s" % e).encode(), True)
        threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(self.sides)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return res

    def scan_full(self, side, step, proto):
        """Returns ('items', sorted tuple) or ('reply', r) for an unexpected reply."""
        c = self.conn(side, step.conn, proto, step.where())
        args = list(step.args)
        pos = 1 if args[0].upper() == b"SCAN" else 2
        pairs = args[0].upper() in (b"HSCAN", b"ZSCAN")
        cursor = b"0"
        items = set()
        for i in range(100000):
            r = c.call(*(args[:pos] + [cursor] + args[pos:]))
            ok = (r[0] == "array" and len(r[1]) == 2 and r[1][0][0] == "bulk" and r[1][1][0] == "array")
            if not ok:
                return ("reply", r, i)
            cursor = r[1][0][1]
            el = r[1][1][1]
            if pairs:
                items.update((el[j], el[j + 1]) for j in range(0, len(el) - 1, 2))
            else:
                items.update(el)
            if cursor == b"0":
                return ("items", tuple(sorted(items, key=resp.sort_key)), i + 1)
        return ("reply", ("error", b"scan-full: cursor never returned to 0"), i)

    def check_crash(self, where, proto, wait=0.0):
        """If the candidate (a process we started) has exited, reports it,
        restarts it and returns True. Waits up to `wait` s for it to exit."""
        srv = self.cand.server
        deadline = time.monotonic() + wait
        while srv.managed and srv.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.ref.server.managed and not self.ref.server.alive():
            raise RuntimeError("the reference redis-server died at %s:\n%s" % (where, self.ref.server.log_tail()))
        if srv.managed and not srv.alive():
            self.failures += 1
            self.file_fail += 1
            self.out("CRASH %s [resp%d]: candidate exited with code %s; last log lines:\n%s"
                     % (where, proto, srv.exit_code(), srv.log_tail()))
            self.cand.close_all()
            srv.restart()
            return True
        return False

    def hang(self, where, proto, name):
        """The candidate stopped answering (redis did not): restart it if we
        manage it, and give up on the rest of the file."""
        srv = self.cand.server
        self.out("HANG %s [resp%d]: no reply from the candidate within %.1fs; rest of %s skipped"
                 % (where, proto, self.args.timeout, name))
        self.cand.close_all()
        if srv.managed:
            srv.restart()

    # -- one step of each kind -----------------------------------------------

    def step_raw(self, st, proto):
        (ab, ac), (bb, bc) = self.raw_both(st, proto)
        if self.args.verbose:
            self.out("  %s [resp%d] %s\n    -> %r%s" % (st.where(), proto, st.text, ab, " [closed]" if ac else ""))
        if (ab, ac) != (bb, bc):
            self.fail(st.where(), proto, st.text, "raw replies differ",
                      "%r%s" % (ab, " [then closed]" if ac else " [open]"),
                      "%r%s" % (bb, " [then closed]" if bc else " [open]"))

    def step_scan(self, st, proto):
        res = []
        for side in self.sides:
            try:
                res.append(self.scan_full(side, st, proto))
            except OSError as e:
                res.append(("reply", ("connect-failed", str(e)), 0))
        ra, rb = res
        if self.args.verbose:
            self.out("  %s [resp%d] %s\n    -> %s" % (
                st.where(), proto, st.text,
                "%d items in %d calls" % (len(ra[1]), ra[2]) if ra[0] == "items" else fmt(ra[1])))
        if ra[0] == "reply" and not is_err(ra[1]):
            self.fail(st.where(), proto, st.text, "CASE: redis gave an unexpected SCAN reply",
                      fmt(ra[1]), fmt(rb[1]) if rb[0] == "reply" else "%d items" % len(rb[1]))
        elif ra[:2] != rb[:2]:
            if ra[0] == rb[0] == "items":
                sa, sb = set(ra[1]), set(rb[1])
                only_a = sorted(sa - sb, key=resp.sort_key)[:20]
                only_b = sorted(sb - sa, key=resp.sort_key)[:20]
                self.fail(st.where(), proto, st.text, "full scans differ",
                          "%d items, only here: %s" % (len(sa), ", ".join(fmt_item(x) for x in only_a)),
                          "%d items, only here: %s" % (len(sb), ", ".join(fmt_item(x) for x in only_b)))
            else:
                def show(r):
                    return fmt(r[1]) if r[0] == "reply" else "%d items" % len(r[1])
                self.fail(st.where(), proto, st.text, "full scans differ", show(ra), show(rb))

    def step_cmd(self, st, proto, name):
        """Returns False if the rest of the file must be skipped."""
        a, b = self.call_both(st, proto)
        self.last_ref = a
        if a[0] == "replies":
            self.last_ref = a[1][0] if a[1] else None
        if st.send:
            if b[0] != "sent" and a[0] != b[0]:
                self.fail(st.where(), proto, st.text, "could not send to the candidate", fmt(a), fmt(b))
                return not self.check_crash(st.where(), proto, wait=1.0)
            return True
        if self.args.verbose:
            self.out("  %s [resp%d] %s\n    -> %s" % (st.where(), proto, st.text, fmt(a)))
        if a[0] == "uncaptured" or b[0] == "uncaptured":
            self.fail(st.where(), proto, st.text,
                      "%s${%s} has no value on %s (its capture: line did not get a string or an integer)"
                      % ("CASE: " if a[0] == "uncaptured" else "", (a if a[0] == "uncaptured" else b)[1],
                         "redis" if a[0] == "uncaptured" else "the candidate"))
            return True
        t = self.tracker
        why = compare(st, a, b, proto, (t.ref, t.cand) if t is not None else None)
        if why:
            self.fail(st.where(), proto, st.text, why, fmt(a), fmt(b))
        ea = a[1][-1] if a[0] == "replies" and a[1] else a
        eb = b[1][-1] if b[0] == "replies" and b[1] else b
        if eb[0] in ("closed", "timeout", "connect-failed", "malformed") and ea[0] != eb[0]:
            if self.check_crash(st.where(), proto, wait=1.0):
                self.out("  (rest of %s skipped after the crash)" % name)
                return False
            if eb[0] == "timeout":
                self.hang(st.where(), proto, name)
                return False
        return True

    def start_file(self, name, proto):
        """Fresh connections and FLUSHALL on both. Returns False if the
        candidate cannot be reached."""
        where0 = "%s:0" % name
        for attempt in (1, 2):
            try:
                for side in self.sides:
                    side.close_all()
                    side.vars = {}
                    r = self.conn(side, "main", proto, where0).call("FLUSHALL")
                    if r != ("simple", b"OK"):
                        self.fail(where0, proto, "FLUSHALL (between files)",
                                  "FLUSHALL failed on %s: %s" % (side.label, fmt(r)))
                return True
            except OSError as e:
                if attempt == 1 and self.check_crash(where0, proto, wait=1.0):
                    continue
                self.fail(where0, proto, "connect", "cannot connect to the candidate: %s" % e)
        return False

    def send_uncompared(self, commands):
        """Sends commands to both servers on fresh connections, replies
        ignored (e.g. restoring the configuration after a random-types
        sequence)."""
        for side in self.sides:
            try:
                c = resp.Conn(HOST, side.server.port, timeout=self.args.timeout)
                try:
                    for a in commands:
                        c.call(*a)
                finally:
                    c.close()
            except (OSError, resp.RespError):
                pass

    # -- skipping lines that need commands the candidate lacks (skips.py) ----------

    def ref_open(self, conn):
        c = self.ref.conns.get(conn)
        return c is not None and not c.closed

    def should_skip(self, st):
        """Returns the reason to skip a step on both servers, or None; records
        the skip (taints) when there is one."""
        t = self.tracker
        if t is None or st.kind in ("sleep", "read"):
            return None
        if st.kind == "raw":
            why = t.why_skip_raw(st.payload, st.conn, self.ref_open(st.conn))
            if why:
                t.skipped_raw(st.payload, st.conn)
            return why
        db = t.conn_db(st.conn, self.ref_open(st.conn))
        why = t.why_skip(st.args, db, st.conn, st.mode)
        if why and st.kind == "cmd" and t.can_resync(why, st.args, st.conn):
            return ("resync", why[1] + "; sent uncompared, its keys are now absent on both")
        if why:
            t.skipped(st.args, db, st.conn)
        return why

    def after_step(self, st):
        t = self.tracker
        if t is None:
            return
        if st.kind == "raw":
            t.ran_raw(st.payload, st.conn)
        elif st.kind == "cmd":
            t.ran(st.args, st.conn, self.last_ref)

    def run_steps(self, name, steps, proto):
        self.file_fail = 0
        start = time.monotonic()
        n = 0
        skipped = 0
        missing = set()
        if self.tracker is not None:
            self.tracker.reset()
        self.placeholders = any((st.kind == "cmd" and any(PLACEHOLDER.search(a) for a in st.args)) or
                                (st.kind == "raw" and PLACEHOLDER.search(st.payload)) for st in steps)
        if self.start_file(name, proto):
            for st in steps:
                if st.resp is not None and st.resp != proto:
                    continue
                why = self.should_skip(st)
                if why:
                    skipped += 1
                    self.skip_stats.add(st, why)
                    if why[0] == "missing":
                        missing.add(why[1])
                    if self.args.verbose:
                        self.out("  %s [resp%d] SKIPPED %s  (%s: %s)" % (st.where(), proto, st.text, why[0], why[1]))
                    if why[0] == "resync":
                        a, b = self.call_both(st, proto)
                        if a[0] == "int":
                            self.tracker.resynced(st.args, self.tracker.conn_db(st.conn))
                        if b[0] in ("closed", "timeout", "connect-failed", "malformed") and a[0] != b[0]:
                            self.out("  (candidate failed on %s, sent uncompared: %s)" % (st.where(), fmt(b)))
                            if self.check_crash(st.where(), proto, wait=1.0) or b[0] == "timeout":
                                if b[0] == "timeout":
                                    self.hang(st.where(), proto, name)
                                break
                    continue
                n += 1
                self.steps_run += 1
                if st.kind == "sleep":
                    time.sleep(st.ms / 1000.0)
                elif st.kind == "raw":
                    self.step_raw(st, proto)
                elif st.kind == "scan":
                    self.step_scan(st, proto)
                elif not self.step_cmd(st, proto, name):
                    break
                self.after_step(st)
        for s in self.sides:
            s.close_all()
        self.check_crash("%s:end" % name, proto)
        dt = time.monotonic() - start
        status = "ok" if self.file_fail == 0 else "FAIL (%d)" % self.file_fail
        extra = ""
        if skipped:
            extra = "  skipped %d%s" % (skipped, " (needs %s)" % " ".join(sorted(missing)) if missing else "")
        self.out("%-5s resp%d %-28s %5d steps %6.2fs%s" % (status, proto, name, n, dt, extra))


def track_multi(c, args, r):
    """Follows whether connection c is inside MULTI, from its own reply (a
    `read:` must not send its sentinel PING there: it would be queued)."""
    name = bytes(args[0]).lower()
    if name == b"multi":
        ok = ("simple", b"OK")
        if r == ok or (r[0] == "replies" and ok in r[1]):
            c.in_multi = True
    elif name in (b"exec", b"discard", b"reset"):
        c.in_multi = False


def fmt_item(x):
    if isinstance(x[0], str):
        return fmt(x)
    return "(%s)" % ", ".join(fmt(e) for e in x)


def make_tracker(ref, cand):
    """Learns both servers' commands (on fresh RESP2 connections) and returns
    a skips.Tracker, or None (with a warning) if the candidate cannot say."""
    tables = []
    for srv in (ref, cand):
        c = resp.Conn(HOST, srv.port, timeout=10.0)
        try:
            tables.append(skips.learn(c.call))
        except (RuntimeError, OSError, resp.RespError) as e:
            if srv is ref:
                raise RuntimeError("cannot read redis' command table: %s" % e)
            print("warning: cannot learn the candidate's commands (%s); running every line" % e, flush=True)
            return None
        finally:
            c.close()
    keyconn = []

    def getkeys(args):
        """The keys a request may modify according to redis (COMMAND
        GETKEYSANDFLAGS: keys flagged RW, OW or RM, or not RO), [] if it has
        none, None if redis cannot tell. Asked on a connection of its own
        (never inside a file's MULTI)."""
        try:
            if not keyconn or keyconn[0].closed:
                keyconn[:] = [resp.Conn(HOST, ref.port, timeout=10.0)]
            r = keyconn[0].call("COMMAND", "GETKEYSANDFLAGS", *args)
        except (OSError, resp.RespError):
            return None
        if r[0] == "error" and b"no key arguments" in r[1]:
            return []
        if r[0] != "array":
            return None
        out = []
        for e in r[1]:
            if not (e[0] == "array" and len(e[1]) == 2 and e[1][0][0] == "bulk" and e[1][1][0] in ("array", "set")):
                return None
            flags = {f[1].upper() for f in e[1][1][1]}
            if flags & {b"RW", b"OW", b"RM"} or b"RO" not in flags:
                out.append(e[1][0][1])
        return out
    return skips.Tracker(tables[0], tables[1], getkeys)


def select_files(patterns):
    files = sorted(glob.glob(os.path.join(HERE, "cases", "*.txt")))
    if not patterns:
        return files
    out = []
    for f in files:
        base = os.path.basename(f)
        for p in patterns:
            if any(ch in p for ch in "*?[") and fnmatch.fnmatch(base, p) or p in base:
                out.append(f)
                break
    return out


def start_pair(ref, cand, self_test):
    """Starts redis and the candidate and says on which ports; False (after
    saying why) when one cannot start."""
    try:
        ref.start()
        cand.start()
    except RuntimeError as e:
        print("start-up failed: %s" % e, file=sys.stderr)
        return False
    print("redis on port %d, candidate on port %d%s" % (
        ref.port, cand.port, " (redis self-test)" if self_test else ""), flush=True)
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description="Differential tests: candidate vs redis-server.")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--candidate", metavar="PATH", help="candidate server binary (e.g. build/taskkv-server)")
    g.add_argument("--candidate-redis", action="store_true", help="self-test: a second redis-server as candidate")
    g.add_argument("--candidate-port", type=int, metavar="N", help="use an already running candidate on 127.0.0.1:N")
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "/usr/bin/redis-server",
                    help="reference redis-server binary")
    ap.add_argument("-k", action="append", default=[], metavar="PATTERN",
                    help="only case files whose name contains PATTERN (or matches a glob); repeatable")
    ap.add_argument("--resp", choices=("2", "3"), help="only this protocol (default: 2 then 3)")
    ap.add_argument("--random", type=int, default=0, metavar="N", help="also run N random string/key ops per seed")
    ap.add_argument("--random-types", type=int, default=0, metavar="N",
                    help="also run N random list/hash/set/zset/SORT ops per seed (random_types.py)")
    ap.add_argument("--types-only", metavar="GROUPS",
                    help="--random-types draws only from these comma-separated groups (list,hash,set,zset,stream,sort) "
                         "and the generic key commands")
    ap.add_argument("--seed", type=int, action="append", default=[], help="random seed (repeatable; default 1)")
    ap.add_argument("--no-corpus", action="store_true", help="skip the case files (random only)")
    ap.add_argument("--file", action="append", default=[], metavar="PATH",
                    help="run this case file (anywhere) instead of the corpus; repeatable")
    ap.add_argument("--list", action="store_true", help="list the selected case files with their step counts and exit")
    ap.add_argument("--dump-random", metavar="FILE", help="write the generated random case text to FILE and exit")
    ap.add_argument("--max-fail", type=int, default=10, help="mismatches shown per file and protocol (default 10)")
    ap.add_argument("--timeout", type=float, default=5.0, help="reply timeout in seconds (default 5)")
    ap.add_argument("--raw-idle", type=float, default=0.05,
                    help="raw: lines wait this long for more bytes (default 0.05 s)")
    ap.add_argument("--keep", action="store_true", help="keep the servers' temp dirs")
    ap.add_argument("--no-skip", action="store_true",
                    help="run every line, even those needing commands the candidate lacks (see skips.py)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every step and redis' reply")
    args = ap.parse_args(argv)
    seeds = args.seed or [1]
    only = set(args.types_only.split(",")) if args.types_only else None
    if only and not only <= random_types.GROUPS:
        ap.error("--types-only takes list, hash, set, zset, stream, sort")

    if args.dump_random:
        with open(args.dump_random, "w") as f:
            for s in seeds:
                if args.random or not args.random_types:
                    f.write(random_strings.generate_text(s, args.random or 2000))
                if args.random_types:
                    f.write(random_types.generate_text(s, args.random_types, only))
        return 0

    # Parse everything first: a broken case file fails fast.
    suites = []
    try:
        if args.file:
            for f in args.file:
                suites.append((f, casefile.parse_file(f, os.path.basename(f))))
        elif not args.no_corpus:
            for f in select_files(args.k):
                suites.append((os.path.join("cases", os.path.basename(f)), casefile.parse_file(f, os.path.basename(f))))
        if args.random:
            for s in seeds:
                name = "random(seed=%d,n=%d)" % (s, args.random)
                suites.append((name, casefile.parse_text(name, random_strings.generate_text(s, args.random))))
        if args.random_types:
            for s in seeds:
                name = "random-types(seed=%d,n=%d)" % (s, args.random_types)
                text = random_types.generate_text(s, args.random_types, only)
                suites.append((name, casefile.parse_text(name, text)))
    except casefile.CaseError as e:
        print("case file error: %s" % e, file=sys.stderr)
        return 2
    if not suites:
        print("no case files selected", file=sys.stderr)
        return 2
    if args.list:
        for name, steps in suites:
            kinds = {}
            for st in steps:
                kinds[st.kind] = kinds.get(st.kind, 0) + 1
            print("%-28s %5d steps (%s)" % (name, len(steps), ", ".join(
                "%d %s" % (n, k) for k, n in sorted(kinds.items()))))
        print("%-28s %5d steps" % ("total", sum(len(s) for _, s in suites)))
        return 0
    if not (args.candidate or args.candidate_redis or args.candidate_port):
        ap.error("one of --candidate, --candidate-redis, --candidate-port is required")

    ref = Server("redis", [args.redis_server])
    if args.candidate_redis:
        cand = Server("cand", [args.redis_server])
    elif args.candidate:
        path = os.path.abspath(args.candidate)
        if not os.access(path, os.X_OK):
            print("candidate binary %s is not executable" % path, file=sys.stderr)
            return 2
        cand = Server("cand", [path])
    else:
        cand = Server("cand", None, port=args.candidate_port)
    pairs = ServerPairs(ref.argv, cand.argv, ref, cand)

    t0 = time.monotonic()
    runner = None
    try:
        if not start_pair(ref, cand, args.candidate_redis):
            return 2
        runner = Runner(args, ref, cand)
        if not args.no_skip:
            runner.tracker = make_tracker(ref, cand)
        protos = [int(args.resp)] if args.resp else [2, 3]
        for proto in protos:
            for name, steps in suites:
                pair = pairs.get(getattr(steps, "server_args", ()))
                if pair is None:
                    print("SKIP  resp%d %-28s needs servers started with %s (the candidate is external)"
                          % (proto, name, " ".join(steps.server_args)), flush=True)
                    continue
                runner.use(*pair)
                runner.run_steps(name, steps, proto)
                if name.startswith("random-types("):
                    # a sequence cut short (crash, hang) has not restored them
                    runner.send_uncompared(random_types.reset_config_commands())
                elif name.startswith("random("):
                    runner.send_uncompared(random_strings.reset_config_commands())
    except RuntimeError as e:
        print("aborted: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        pairs.cleanup(args.keep)
    dt = time.monotonic() - t0
    ss = runner.skip_stats
    if ss.steps:
        print("skipped %d lines needing: %s  (%d steps, counting the lines that use their keys; "
              "--no-skip runs them all)" % (len(ss.lines), " ".join(sorted(ss.missing)) or "-", ss.steps))
        if args.candidate_redis:
            print("BUG: the self-test skipped lines, but both servers have the same commands")
            runner.failures += 1
    elif runner.tracker is not None:
        print("skipped 0 lines")
    print("%d steps, %d mismatches%s, %.1fs" % (
        runner.steps_run, runner.failures,
        " (%d of them CASE errors: the reference fails the case's own property)" % runner.case_errors
        if runner.case_errors else "", dt))
    if runner.failures and (args.random or args.random_types):
        print("to reproduce a random run as a case file: %s --dump-random FILE %s --seed S; "
              "then run it with --file FILE -v" % (os.path.relpath(__file__), " ".join(
                  "--%s %d" % (o, n) for o, n in (("random", args.random), ("random-types", args.random_types))
                  if n) + (" --types-only %s" % args.types_only if args.types_only else "")))
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
