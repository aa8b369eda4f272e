"""Helpers shared by the examples: command line, connections, checks.

Every example takes --host and --port (default 6379, like redis-py), prints
what it does, and checks every reply it relies on. A wrong reply ends the
example with exit status 1; no server, or databases that are not empty,
with exit status 2 (pass --flush to empty the example's databases first).
"""

import argparse
import sys
import traceback

try:
    import redis
except ImportError:
    sys.stderr.write("these examples need redis-py: apt-get install python3-redis, then run them "
                     "with /usr/bin/python3\n")
    sys.exit(2)


class Failed(Exception):
    """The server answered something the example did not expect."""


def parse_args(doc, extra=None):
    """--host, --port, --flush; extra(ap) adds an example's own options."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    ap.add_argument("--flush", action="store_true",
                    help="empty the databases this example uses before starting (FLUSHDB each)")
    if extra:
        extra(ap)
    return ap.parse_args()


def connect(args, db=0, **kw):
    kw.setdefault("socket_timeout", 10)
    return redis.Redis(host=args.host, port=args.port, db=db, **kw)


def is_taskkv(r):
    """taskkv reports taskkv_version in INFO server; a real Redis does not."""
    return "taskkv_version" in r.info("server")


def say(msg=""):
    print(msg, flush=True)


def step(title):
    say()
    say("== %s" % title)


def expect(got, want, what):
    """Print and check one reply."""
    if got != want:
        raise Failed("%s: expected %r, got %r" % (what, want, got))
    shown = repr(got)
    if len(shown) > 110:
        shown = shown[:100] + "...(%d chars)" % len(shown)
    say("   %-52s -> %s" % (what, shown))
    return got


def check(cond, what, detail=""):
    if not cond:
        raise Failed("%s%s" % (what, (": " + detail) if detail else ""))
    say("   %-52s ok%s" % (what, (" (" + detail + ")") if detail else ""))


def error_of(fn, *a, **kw):
    """The error text a command fails with (Failed if it succeeds)."""
    try:
        got = fn(*a, **kw)
    except redis.ResponseError as e:
        return str(e)
    raise Failed("expected an error, got the reply %r" % (got,))


def unknown_command(e):
    return str(e).startswith("unknown command")


def prepare(args, dbs):
    """Make sure the databases the example writes are empty (or --flush)."""
    for db in dbs:
        r = connect(args, db)
        n = r.dbsize()
        if n and not args.flush:
            say("database %d on %s:%d holds %d keys; this example writes there. "
                "Use a scratch server, or pass --flush to empty it first." % (db, args.host, args.port, n))
            sys.exit(2)
        if n:
            r.flushdb()
        r.close()


def run(main, args):
    """Run main(args); exit 0 when all its checks held."""
    try:
        main(args)
    except Failed as e:
        say()
        say("FAILED: %s" % e)
        sys.exit(1)
    except redis.ConnectionError as e:
        say()
        say("cannot talk to %s:%d: %s" % (args.host, args.port, e))
        sys.exit(2)
    except Exception:
        say()
        say("FAILED with an exception:")
        traceback.print_exc(file=sys.stdout)
        sys.exit(1)
    say()
    say("all checks passed")
