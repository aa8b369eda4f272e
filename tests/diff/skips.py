"""Skipping case lines that need commands the candidate does not have yet.

taskkv is built in milestones, but the corpus already uses commands of later
milestones (RPUSH, SADD, HSET, ZADD, XADD, ...) to set up keys of other
types. Instead of deleting those lines, the runner asks both servers which
commands they implement and skips, on BOTH servers (so the two datasets stay
identical), every line that is (README.md, "Commands the candidate does not
have yet", has the details):

  missing   its command, or a container's subcommand (`CONFIG REWRITE`), is
            one redis has and the candidate lacks; commands unknown to both
            (`FOO`, `OBJECT BOGUS`) are still compared;
  tainted   it names, in any argument position, a tainted key of the database
            it uses (MOVE / COPY ... DB n: also the target database). A skipped
            line taints the keys it could have modified, as redis' COMMAND
            GETKEYSANDFLAGS reports them (all its arguments if redis cannot
            tell). Commands without keys (per redis' COMMAND) are exempt;
  observer  it reads a whole database holding tainted keys (KEYS, DBSIZE,
            SCAN, RANDOMKEY, SORT, scripts; INFO keyspace & co. read all);
  multi     it follows a skipped MULTI on its connection, up to EXEC/DISCARD.

A DEL/UNLINK skipped as tainted is still sent to both servers, uncompared,
which untaints its keys. SELECT/RESET/FLUSHDB/FLUSHALL/SWAPDB are followed
from redis' replies; raw: payloads are parsed into their requests.
"""

import re

from casefile import split_args, CaseError

OBSERVE_DB = {b"keys", b"dbsize", b"scan", b"randomkey", b"sort", b"sort_ro",
              b"eval", b"evalsha", b"eval_ro", b"evalsha_ro", b"fcall", b"fcall_ro"}
OBSERVE_ALL = {b"debug", b"memory|stats", b"memory|doctor"}
INFO_ALL_SECTIONS = {b"keyspace", b"all", b"everything", b"default"}


def _lower(b):
    return bytes(b).lower()


def _int(b):
    """A strict non-negative integer argument, or None."""
    if re.fullmatch(rb"0|[1-9][0-9]{0,9}", b or b"-"):
        return int(b)
    return None


# --------------------------------------------------------------------------
# command tables

class CommandTable:
    """The commands a server implements.

    names: set of lower-case command names.
    subs:  {container name: set of lower-case subcommand names} for the
           containers whose subcommands are known (a container listed
           without subcommands is treated as having all of them).
    keyed: {name or 'container|sub': bool}, whether the command takes keys
           (only needed for the reference)."""

    def __init__(self, names, subs=None, keyed=None):
        self.names = set(names)
        self.subs = dict(subs or {})
        self.keyed = dict(keyed or {})

    @staticmethod
    def _entry_name(e):
        if e[0] == "array" and e[1] and e[1][0][0] in ("bulk", "simple"):
            return _lower(e[1][0][1])
        return None

    @classmethod
    def from_command_reply(cls, reply, names=None):
        """Builds a table from a `COMMAND` or `COMMAND INFO ...` reply (RESP2
        form). `names`, if given, is the authoritative list of names (from
        COMMAND LIST); the reply then only contributes subcommands."""
        out_names = set(names or ())
        subs, keyed = {}, {}
        if reply[0] != "array":
            return cls(out_names, subs, keyed)
        for e in reply[1]:
            name = cls._entry_name(e)
            if name is None:
                continue
            if names is None:
                out_names.add(name)
            keyed[name] = cls._has_keys(e)
            el = e[1]
            if len(el) >= 10 and el[9][0] == "array" and el[9][1]:
                s = set()
                for se in el[9][1]:
                    sname = cls._entry_name(se)
                    if sname is None:
                        continue
                    short = sname.split(b"|", 1)[-1]
                    s.add(short)
                    keyed[name + b"|" + short] = cls._has_keys(se)
                if s:
                    subs[name] = s
        return cls(out_names, subs, keyed)

    @staticmethod
    def _has_keys(e):
        el = e[1]
        try:
            first = el[3][1] if el[3][0] == "int" else 0
            flags = {_lower(f[1]) for f in el[2][1]} if el[2][0] in ("array", "set") else set()
            specs = el[8][1] if len(el) > 8 and el[8][0] == "array" else ()
        except (IndexError, TypeError):
            return True
        return first > 0 or b"movablekeys" in flags or len(specs) > 0

    def knows(self, name, sub=None):
        if name not in self.names:
            return False
        if sub is None or name not in self.subs:
            return True
        return sub in self.subs[name]


def learn(call):
    """Asks a server (through `call(*args) -> reply`, RESP2) which commands it
    implements: COMMAND LIST (or the names in COMMAND if that fails), then
    COMMAND INFO for all of them to learn the containers' subcommands (element
    10 of each entry). Returns a CommandTable, or raises RuntimeError."""
    r = call("COMMAND", "LIST")
    full = None
    if r[0] == "array" and all(x[0] in ("bulk", "simple") for x in r[1]):
        names = {_lower(x[1]) for x in r[1]}
    else:
        full = call("COMMAND")
        if full[0] != "array":
            raise RuntimeError("neither COMMAND LIST nor COMMAND work: %r" % (full,))
        names = None
    if full is None:
        info = call("COMMAND", "INFO", *sorted(names)) if names else ("array", ())
        if info[0] != "array":
            info = call("COMMAND")
    else:
        info = full
    return CommandTable.from_command_reply(info, names)


def command_key(args):
    """(name, sub) for a request: sub is the lower-case second word, or None."""
    name = _lower(args[0])
    sub = _lower(args[1]) if len(args) > 1 else None
    return name, sub


# --------------------------------------------------------------------------
# raw payloads

def raw_requests(payload):
    """The requests contained in a raw payload, as lists of bytes, as far as
    they are complete and well formed (multibulk or inline)."""
    out = []
    i, n = 0, len(payload)
    while i < n:
        if payload[i:i + 1] == b"*":
            j = payload.find(b"\r\n", i)
            if j < 0:
                break
            m = re.fullmatch(rb"\*(-?\d+)", payload[i:j])
            if not m:
                break
            count = int(m.group(1))
            i = j + 2
            args = []
            ok = True
            for _ in range(max(count, 0)):
                j = payload.find(b"\r\n", i)
                m = re.fullmatch(rb"\$(\d+)", payload[i:j]) if j >= 0 else None
                if not m:
                    ok = False
                    break
                ln = int(m.group(1))
                start = j + 2
                if start + ln + 2 > n:
                    ok = False
                    break
                args.append(payload[start:start + ln])
                i = start + ln + 2
            if not ok:
                break
            if args:
                out.append(args)
        else:
            j = payload.find(b"\n", i)
            if j < 0:
                break
            line = payload[i:j].rstrip(b"\r")
            i = j + 1
            try:
                args = split_args(line.decode("latin-1"), encoding="latin-1")
            except CaseError:
                break
            if args:
                out.append(args)
    return out


# --------------------------------------------------------------------------
# the tracker

class Tracker:
    """Per-file skip state. ref/cand are CommandTables; getkeys(args), if
    given, returns the keys a request may modify as redis sees them (COMMAND
    GETKEYSANDFLAGS), [] for a command that modifies no key, or None when
    redis cannot tell (then every argument counts as a modified key)."""

    def __init__(self, ref, cand, getkeys=None):
        self.ref = ref
        self.cand = cand
        self.getkeys = getkeys
        self._keys_cache = {}
        self.reset()

    def reset(self):
        self.taint = {}        # db -> set of names
        self.db = {}           # connection name -> selected db
        self.skip_multi = set()  # connections inside a skipped MULTI
        self.multi = set()       # connections inside a MULTI that ran

    # -- queries -----------------------------------------------------------

    def missing(self, args):
        """The command this request needs that redis has and the candidate
        lacks ('rpush', 'config|rewrite'), or None. COMMAND DOCS / INFO need
        the commands they name (a container: with all of redis' subcommands,
        which the reply lists), COMMAND GETKEYS the command it is given."""
        name, sub = command_key(args)
        m = self._missing_one(name, sub)
        if m or name != b"command" or len(args) < 3:
            return m
        if sub in (b"docs", b"info"):
            for full in args[2:]:
                m = self._missing_named(_lower(full))
                if m:
                    return m
        elif sub in (b"getkeys", b"getkeysandflags"):
            return self.missing(args[2:])
        return None

    def _missing_named(self, full):
        """For COMMAND DOCS/INFO: a name ('get', 'config|get') redis answers
        and the candidate cannot answer the same way."""
        base, _, sub = full.partition(b"|")
        if sub:
            return self._missing_one(base, sub)
        m = self._missing_one(base, None)
        if m or not self.cand.knows(base):
            return m
        for s in sorted(self.ref.subs.get(base, ())):
            if not self.cand.knows(base, s):
                return (base + b"|" + s).decode("latin-1")
        return None

    def _missing_one(self, name, sub):
        if not self.ref.knows(name):
            return None
        if not self.cand.knows(name):
            return name.decode("latin-1")
        if sub is not None and name in self.ref.subs and self.ref.knows(name, sub) \
                and not self.cand.knows(name, sub):
            return (name + b"|" + sub).decode("latin-1")
        return None

    def keyed(self, args):
        name, sub = command_key(args)
        if name in self.ref.subs:
            k = self.ref.keyed.get(name + b"|" + sub) if sub is not None else False
            return True if k is None else k
        return self.ref.keyed.get(name, True)

    def key_args(self, args):
        name, _ = command_key(args)
        return args[2:] if name in self.ref.subs else args[1:]

    def dbs_of(self, args, db):
        """The databases a request touches (MOVE/COPY ... DB n reach a second one)."""
        name, _ = command_key(args)
        dbs = [db]
        other = None
        if name == b"move" and len(args) == 3:
            other = _int(args[2])
        elif name == b"copy":
            for i in range(3, len(args) - 1):
                if _lower(args[i]) == b"db":
                    other = _int(args[i + 1])
        if other is not None and other != db:
            dbs.append(other)
        return dbs

    def observes(self, args):
        """'db', 'all' or None: what a keyless request reads as a whole."""
        name, sub = command_key(args)
        if name in OBSERVE_DB:
            return "db"
        if name in OBSERVE_ALL or (sub is not None and name + b"|" + sub in OBSERVE_ALL):
            return "all"
        if name == b"info":
            secs = {_lower(a) for a in args[1:]}
            if not secs or secs & INFO_ALL_SECTIONS:
                return "all"
        return None

    def why_skip(self, args, db, conn=None, mode=None):
        """The reason to skip a request on database db, or None: a pair
        (kind, text), kind being missing, tainted, observer or multi. `mode`
        is the line's comparison mode: a type-only: or ignore: line does not
        depend on what the database holds, so it is never skipped as an
        observer."""
        m = self.missing(args)
        if m:
            return ("missing", m)
        if conn is not None and conn in self.skip_multi:
            return ("multi", "inside a skipped MULTI")
        if self.keyed(args):
            for d in self.dbs_of(args, db):
                hit = [a for a in self.key_args(args) if a in self.taint.get(d, ())]
                if hit:
                    return ("tainted", "tainted key %r in db %d" % (hit[0], d))
        obs = None if mode in ("type-only", "ignore") else self.observes(args)
        if obs == "db" and self.taint.get(db):
            return ("observer", "observes db %d, which has %d tainted key(s)" % (db, len(self.taint[db])))
        if obs == "all" and any(self.taint.values()):
            return ("observer", "observes all dbs, some with tainted keys")
        return None

    # -- state changes --------------------------------------------------------

    def conn_db(self, conn, is_open=True):
        """The db of a connection; a connection that is not open (closed by the
        server, QUIT, never opened) starts again at 0."""
        if not is_open:
            self.db[conn] = 0
            self.skip_multi.discard(conn)
            self.multi.discard(conn)
        return self.db.get(conn, 0)

    def skipped(self, args, db, conn=None):
        """Records that a request was skipped: taints its arguments."""
        name, _ = command_key(args)
        if name == b"multi" and conn is not None:
            self.skip_multi.add(conn)
        elif name in (b"exec", b"discard") and conn in self.skip_multi:
            self.skip_multi.discard(conn)
        keys = self.keys_of(args)
        if keys:
            for d in self.dbs_of(args, db):
                self.taint.setdefault(d, set()).update(keys)

    def keys_of(self, args):
        """The names a skipped request taints: the keys it may modify according
        to redis, or all its arguments when redis cannot tell."""
        if len(args) < 2:
            return []
        if self.getkeys is None:
            return list(args[1:])
        k = tuple(args)
        if k not in self._keys_cache:
            keys = self.getkeys(args)
            self._keys_cache[k] = list(args[1:]) if keys is None else list(keys)
        return self._keys_cache[k]

    def ran(self, args, conn, reply=None):
        """Follows the effect of a request that ran, given redis' reply (None
        for requests inside a raw: payload: assume success, conservatively)."""
        name, _ = command_key(args)
        db = self.db.get(conn, 0)
        ok = reply is None or reply in (("simple", b"OK"),)
        queued = reply == ("simple", b"QUEUED")
        if name == b"select" and len(args) == 2 and (ok or queued):
            n = _int(args[1])
            if n is not None:
                self.db[conn] = n
        elif name == b"reset" and (reply is None or reply == ("simple", b"RESET")):
            self.db[conn] = 0
            self.multi.discard(conn)
        elif name == b"multi" and ok:
            self.multi.add(conn)
        elif name in (b"exec", b"discard"):
            self.multi.discard(conn)
        elif name == b"flushdb" and reply is not None and ok:
            self.taint.pop(db, None)
        elif name == b"flushall" and reply is not None and ok:
            self.taint.clear()
        elif name == b"swapdb" and len(args) == 3 and (ok or queued):
            a, b = _int(args[1]), _int(args[2])
            if a is not None and b is not None:
                ta, tb = self.taint.pop(a, set()), self.taint.pop(b, set())
                if reply is None or queued:
                    ta = tb = ta | tb
                if tb:
                    self.taint[a] = set(tb)
                if ta:
                    self.taint[b] = set(ta)

    def can_resync(self, why, args, conn):
        """A DEL/UNLINK skipped only because it names tainted keys can still
        be sent to both servers (replies not compared: the counts differ): the
        keys are then absent on both, as they would be in redis running the
        whole file, so they are no longer tainted. Not inside a MULTI."""
        name, _ = command_key(args)
        return (why[0] == "tainted" and name in (b"del", b"unlink") and len(args) > 1
                and conn not in self.multi and conn not in self.skip_multi)

    def resynced(self, args, db):
        t = self.taint.get(db)
        if t:
            t.difference_update(args[1:])

    # -- raw payloads ------------------------------------------------------------

    def _simulate(self, payload, conn, fn):
        """Calls fn(args, db) for each request of a raw payload, following the
        SELECT/RESET it contains, then restores the tracker's state; stops at
        the first true result, which it returns."""
        saved_db = dict(self.db)
        saved_taint = {d: set(t) for d, t in self.taint.items()}
        saved_multi = set(self.multi)
        try:
            for args in raw_requests(payload):
                r = fn(args, self.db.get(conn, 0))
                if r:
                    return r
                self.ran(args, conn)
        finally:
            self.db = saved_db
            self.taint = saved_taint
            self.multi = saved_multi
        return None

    def why_skip_raw(self, payload, conn, is_open=True):
        self.conn_db(conn, is_open)
        return self._simulate(payload, conn, lambda args, db: self.why_skip(args, db, conn))

    def skipped_raw(self, payload, conn):
        todo = []
        self._simulate(payload, conn, lambda args, db: todo.append((args, db)))
        for args, db in todo:
            self.skipped(args, db, conn)

    def ran_raw(self, payload, conn):
        for args in raw_requests(payload):
            self.ran(args, conn)


class Stats:
    """Skip counts for one file run, and overall."""

    def __init__(self):
        self.lines = set()       # (file, lineno) skipped, over all runs
        self.steps = 0
        self.missing = set()

    def add(self, step, why):
        self.lines.add((step.file, step.lineno))
        self.steps += 1
        if why[0] == "missing":
            self.missing.add(why[1])
