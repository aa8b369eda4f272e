"""Parser for the differential-test case format (see README.md).

A case file is a list of steps, one per line:

    [TAG: ...] COMMAND ARG ...     a command, compared according to its tags
    sleep:MS                       wait MS milliseconds
    raw: "bytes" ["more bytes"]    send raw bytes, compare raw reply + close;
                                   tokens are concatenated, a token {N}
                                   repeats the previous token N times
    scan-full: [SCAN|SSCAN k|HSCAN k|ZSCAN k] [options]
                                   iterate a cursor to 0 on both servers and
                                   compare the union of what was returned
    send: COMMAND ARG ...          send a command, read no reply (yet)
    read: [COMMAND ARG ...]        (send the command, then) read every reply
                                   and push the server sent on the connection
                                   (up to a sentinel PING's answer; README.md)
                                   and compare the list of them
    capture:NAME: COMMAND ...      also keep each server's reply (a string or
                                   an integer) as that server's ${NAME}
    COMMAND ... ${NAME} ...        each server gets its own captured bytes in
                                   place of ${NAME} (anywhere in an argument)
    server-args: --name value ...  (before the first step) run this file on
                                   servers started with these extra arguments
    # comment / blank line

Arguments are split like redis-cli / Redis inline commands (sdssplitargs):
whitespace separates; "double quotes" support \\xHH, \\n, \\r, \\t, \\b, \\a,
\\\\ and \\" escapes; 'single quotes' are literal except \\'. A closing quote
must be followed by whitespace or the end of the line.
"""

import re

COMPARE_TAGS = ("exact", "unordered", "pairs-unordered", "names-unordered", "docs-unordered", "docs-names",
                "masked", "info-unordered", "info-names", "type-only", "ignore")
PROP_CHECKS = ("int", "len", "near", "range", "ratio", "shape", "names", "error", "errcode", "bulk", "hello", "help",
               "fields", "info")


class CaseError(Exception):
    pass


class Step:
    __slots__ = ("file", "lineno", "text", "kind", "args", "mode", "prop",
                 "conn", "resp", "ms", "payload", "send", "read", "capture", "vars")

    def __init__(self, file, lineno, text):
        self.file = file
        self.lineno = lineno
        self.text = text
        self.kind = "cmd"       # cmd | raw | sleep | scan | read
        self.args = []          # list of bytes
        self.mode = "exact"     # one of COMPARE_TAGS or "prop"
        self.prop = []          # list of (check, value) for mode == "prop"
        self.conn = "main"
        self.resp = None        # None (both) or 2 or 3
        self.ms = 0
        self.payload = b""
        self.send = False       # send: the command's reply is not read
        self.read = False       # read: read every reply and push sent so far
        self.capture = None     # capture:NAME: the reply is kept as ${NAME}
        self.vars = ()          # the ${NAME}s the arguments use

    def where(self):
        return "%s:%d" % (self.file, self.lineno)


def _ishex(c):
    return c in "0123456789abcdefABCDEF"


def split_args(line, encoding="utf-8"):
    """Splits a line the way Redis' sdssplitargs does; returns a list of
    bytes (characters are encoded with `encoding`: latin-1 turns a str
    decoded from bytes with latin-1 back into the same bytes). Raises
    CaseError on unbalanced quotes."""
    args = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    raise CaseError("unbalanced double quotes")
                c = line[i]
                if c == "\\" and i + 3 < n and line[i + 1] == "x" and _ishex(line[i + 2]) and _ishex(line[i + 3]):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == "\\" and i + 1 < n:
                    i += 1
                    c = line[i]
                    cur += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "a": b"\a"}.get(c, c.encode(encoding))
                elif c == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise CaseError("closing quote must be followed by a space")
                    i += 1
                    break
                else:
                    cur += c.encode(encoding)
            elif insq:
                if i >= n:
                    raise CaseError("unbalanced single quotes")
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    cur += b"'"
                elif c == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        raise CaseError("closing quote must be followed by a space")
                    i += 1
                    break
                else:
                    cur += c.encode(encoding)
            else:
                if i >= n:
                    break
                c = line[i]
                if c.isspace():
                    break
                if c == '"':
                    inq = True
                elif c == "'":
                    insq = True
                else:
                    cur += c.encode(encoding)
            i += 1
        args.append(bytes(cur))


def quote_arg(b):
    """Inverse of split_args for one argument: a token that splits back to b."""
    if b and all(33 <= x < 127 and x not in b"\"'\\" for x in b):
        return b.decode("ascii")
    out = ['"']
    for x in b:
        if x == 0x22:
            out.append('\\"')
        elif x == 0x5C:
            out.append("\\\\")
        elif 32 <= x < 127:
            out.append(chr(x))
        else:
            out.append("\\x%02x" % x)
    out.append('"')
    return "".join(out)


def format_command(args):
    return " ".join(quote_arg(a) for a in args)


def parse_prop(spec):
    checks = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, val = part.partition("=")
        if name not in PROP_CHECKS:
            raise CaseError("unknown prop check %r" % name)
        if name == "near":
            try:
                val = int(val)
            except ValueError:
                raise CaseError("prop:near needs an integer, e.g. near=1000")
        elif name == "range":
            m = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", val)
            if not m:
                raise CaseError("prop:range needs LO..HI")
            val = (int(m.group(1)), int(m.group(2)))
        elif name == "ratio":
            m = re.fullmatch(r"(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?)", val)
            if not m or float(m.group(1)) > float(m.group(2)):
                raise CaseError("prop:ratio needs LO..HI (decimals, LO <= HI), e.g. ratio=0.25..4")
            val = (float(m.group(1)), float(m.group(2)))
        elif name in ("len", "help") and val:
            val = int(val)
        elif name == "help":
            val = 0
        elif name == "info":
            val = tuple(f for f in val.split(".") if f)
        elif name == "fields":
            val = tuple(f for f in val.split(".") if f)
            if not val:
                raise CaseError("prop:fields needs field names, e.g. fields=name.flags.db or fields=encoding.refcount")
        checks.append((name, val))
    if not checks:
        raise CaseError("empty prop spec")
    return checks


_VAR_RE = re.compile(rb"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def variables(args):
    """The names of the ${NAME} references in a list of bytes arguments."""
    return tuple(sorted({m.group(1).decode() for a in args for m in _VAR_RE.finditer(a)}))


def substitute(args, values):
    """args with every ${NAME} replaced by values[NAME] (bytes); raises
    KeyError(NAME) for a name that has no value."""
    def one(m):
        return values[m.group(1).decode()]
    return [_VAR_RE.sub(one, a) if b"${" in a else a for a in args]


def capture_value(reply):
    """The bytes a capture:NAME: keeps of a reply (resp.py's form): a bulk,
    simple or verbatim string's bytes, an integer's digits; None for
    anything else (the variable is then unset)."""
    kind = reply[0]
    if kind in ("bulk", "simple"):
        return reply[1]
    if kind == "verbatim":
        return reply[2]
    if kind == "int":
        return str(reply[1]).encode()
    return None


_TAG_RE = re.compile(r"\s*([A-Za-z][-\w.,=:/]*?):(?=\s|$)")
_SLEEP_RE = re.compile(r"sleep:\s*(\d+)\s*$")


def parse_line(file, lineno, text):
    """Returns a Step or None for blank/comment lines."""
    s = text.strip()
    if not s or s.startswith("#"):
        return None
    st = Step(file, lineno, s)
    m = _SLEEP_RE.match(s)
    if m:
        st.kind = "sleep"
        st.ms = int(m.group(1))
        return st
    rest = s
    while True:
        m = _TAG_RE.match(rest)
        if not m:
            break
        tag = m.group(1)
        if tag in COMPARE_TAGS:
            st.mode = tag
        elif tag.startswith("prop:"):
            st.mode = "prop"
            st.prop = parse_prop(tag[5:])
        elif tag == "raw":
            st.kind = "raw"
        elif tag == "scan-full":
            st.kind = "scan"
        elif tag == "send":
            st.send = True
        elif tag == "read":
            st.read = True
        elif tag in ("resp2", "resp3"):
            st.resp = int(tag[4])
        elif tag.startswith("conn:") and len(tag) > 5:
            st.conn = tag[5:]
        elif tag.startswith("capture:"):
            if not _NAME_RE.fullmatch(tag[8:]):
                raise CaseError("capture: needs a name of letters, digits and _, e.g. capture:p:")
            st.capture = tag[8:]
        else:
            raise CaseError("unknown tag %r" % (tag + ":"))
        rest = rest[m.end():]
    args = split_args(rest)
    if st.send and st.read:
        raise CaseError("send: and read: do not combine")
    if (st.send or st.read) and st.kind != "cmd":
        raise CaseError("send:/read: go with a command, not raw:/scan-full:")
    if st.send and st.mode != "exact":
        raise CaseError("send: reads no reply: no comparison tag")
    if st.capture and (st.send or st.read or st.kind != "cmd"):
        raise CaseError("capture: goes with a plain command")
    if st.read and not args:
        st.kind = "read"
        return st
    if st.kind == "raw":
        if not args:
            raise CaseError("raw: needs a payload")
        parts = []
        for a in args:
            m = re.fullmatch(rb"\{(\d+)\}", a)
            if m:
                if not parts:
                    raise CaseError("{N} repeat with nothing before it")
                parts[-1] = parts[-1] * int(m.group(1))
            else:
                parts.append(a)
        st.payload = b"".join(parts)
    elif st.kind == "scan":
        if args and args[0].upper() in (b"SCAN", b"SSCAN", b"HSCAN", b"ZSCAN"):
            st.args = args
        else:
            st.args = [b"SCAN"] + args
        if st.args[0].upper() != b"SCAN" and len(st.args) < 2:
            raise CaseError("scan-full: %s needs a key" % st.args[0].decode())
    else:
        if not args:
            raise CaseError("no command after tags")
        st.args = args
        st.vars = variables(args)
    return st


class Steps(list):
    """A case file's steps; `server_args` are the extra server arguments
    its `server-args:` line asks for (a tuple of str, empty by default)."""
    server_args = ()


_SERVER_ARGS_RE = re.compile(r"server-args:(.*)$")


def parse_text(file, text):
    steps = Steps()
    for i, line in enumerate(text.splitlines(), 1):
        m = _SERVER_ARGS_RE.match(line.strip())
        try:
            if m:
                if steps or steps.server_args:
                    raise CaseError("server-args: must come once, before the first step")
                steps.server_args = tuple(a.decode() for a in split_args(m.group(1)))
                if not steps.server_args:
                    raise CaseError("server-args: needs arguments")
                continue
            st = parse_line(file, i, line)
        except CaseError as e:
            raise CaseError("%s:%d: %s" % (file, i, e))
        if st is not None:
            steps.append(st)
    return steps


def parse_file(path, name=None):
    with open(path, encoding="utf-8") as f:
        return parse_text(name or path, f.read())
