/*
 * resp_parse.c: the incremental RESP request parser declared in resp_parse.h.
 *
 * What it matches. Redis 7.0.15's request parsing (processInputBuffer,
 * processInlineBuffer, processMultibulkBuffer, sdssplitargs, string2ll),
 * quirks included, each checked against a real 7.0.15 server:
 *
 *  - A request whose first byte is '*' is multibulk, anything else inline.
 *  - Lines are found as Redis' strchr() on its NUL-terminated query buffer
 *    finds them: a NUL byte before the terminator hides it, so such a request
 *    just waits (and fails once it grows past max_inline).
 *  - "Too big" errors are raised only while no terminator has been seen, and
 *    measure from the start of the line being read (not of the request). An
 *    inline line longer than max_inline is accepted if its '\n' is already in
 *    the buffer, exactly as Redis does when it arrives in one read.
 *  - A "*<n>" or "$<n>" line ends at its first '\r'; the byte after that '\r'
 *    is skipped unchecked, and so are the two bytes after a bulk's payload.
 *  - A bulk line not starting with '$' gives "expected '$', got '<c>'" with
 *    the raw byte, except '\r' and '\n' which Redis' reply turns into ' '.
 *  - Numbers follow string2ll(): optional '-', no '+', no leading zero, no
 *    space, at most 20 characters. A count <= 0 is an empty command; "-0" and
 *    the empty string are invalid.
 *  - Inline lines end at '\n' (one preceding '\r' dropped) and are split like
 *    sdssplitargs(): blanks are C-locale isspace(); an unquoted word ends at
 *    ' ', '\t', '\r', '\n'; a quote may open in the middle of a word; inside
 *    "..." the escapes \xHH \n \r \t \b \a and \<any> apply, inside '...' only
 *    \'; a closing quote must be followed by a blank or the end of the line.
 *  - For an unauthenticated client (resp_parser_set_auth_required) a count
 *    over 10 or a bulk length over 16384 is refused after the general checks.
 *
 * State. The parser never keeps a pointer into the caller's buffer across
 * calls, only offsets from buf[0] (the start of the current request), so the
 * caller may move the bytes between calls:
 *   pos    start of the line or payload being read;
 *   scan   where the terminator search resumes, so no byte of a line is
 *          searched twice and a payload is never scanned at all: feeding a
 *          request a byte at a time costs O(length) in total;
 *   off[]  offsets of the finished arguments, turned into argv pointers only
 *          when the request completes.
 * Multibulk arguments point into the caller's buffer (zero copy); inline
 * arguments are unescaped into `scratch`, owned by the parser. argv and
 * scratch are reused between requests. An error is sticky until resp_reset.
 */
#include "api/resp_parse.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_INLINE   ((size_t)64 * 1024)          /* PROTO_INLINE_MAX_SIZE */
#define DEFAULT_MAX_BULK     (512LL * 1024 * 1024)        /* proto-max-bulk-len */
#define UNAUTH_MAX_MULTIBULK 10
#define UNAUTH_MAX_BULK      16384
#define NUMBER_MAX_CHARS     20                           /* string2ll: < LONG_STR_SIZE */
#define NOT_FOUND            SIZE_MAX

static const char E_INLINE_BIG[]  = "Protocol error: too big inline request";
static const char E_QUOTES[]      = "Protocol error: unbalanced quotes in request";
static const char E_MBULK_BIG[]   = "Protocol error: too big mbulk count string";
static const char E_MBULK_LEN[]   = "Protocol error: invalid multibulk length";
static const char E_MBULK_AUTH[]  = "Protocol error: unauthenticated multibulk length";
static const char E_BULK_BIG[]    = "Protocol error: too big bulk count string";
static const char E_BULK_LEN[]    = "Protocol error: invalid bulk length";
static const char E_BULK_AUTH[]   = "Protocol error: unauthenticated bulk length";
static const char E_NOMEM[]       = "out of memory";

enum state {
    ST_START,        /* no byte of the request seen */
    ST_INLINE,       /* waiting for the inline line's '\n' */
    ST_COUNT,        /* waiting for the "*<n>" line */
    ST_BULK_HEADER,  /* waiting for a "$<n>" line at pos */
    ST_BULK_BODY,    /* waiting for bulk_len + 2 bytes at pos */
    ST_ERROR         /* sticky until resp_reset */
};

struct resp_parser {
    struct resp_limits limits;
    int auth_required;
    enum state state;
    size_t pos;
    size_t scan;
    int nul_hidden;          /* a NUL came first: this line never ends */
    size_t seen;             /* len of the last call, for resp_want */
    long long left;          /* multibulk elements still to read */
    long long bulk_len;
    int argc, argcap;
    struct resp_arg *argv;
    size_t *off;
    char *scratch;
    size_t scratch_cap;
    const char *error;       /* a static text or errbuf */
    char errbuf[64];
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static struct resp_limits default_limits(void)
{
    struct resp_limits l = { DEFAULT_MAX_INLINE, DEFAULT_MAX_BULK, INT_MAX };
    return l;
}

static void clear_request(struct resp_parser *p)
{
    p->state = ST_START;
    p->pos = p->scan = p->seen = 0;
    p->nul_hidden = 0;
    p->left = p->bulk_len = 0;
    p->argc = 0;
}

static enum resp_status fail(struct resp_parser *p, const char *text)
{
    p->state = ST_ERROR;
    p->error = text;
    return RESP_ERROR;
}

/* Redis formats this one with %c and then turns '\r' and '\n' into spaces. */
static enum resp_status fail_expected_dollar(struct resp_parser *p, char got)
{
    if (got == '\r' || got == '\n')
        got = ' ';
    snprintf(p->errbuf, sizeof p->errbuf, "Protocol error: expected '$', got '%c'", got);
    return fail(p, p->errbuf);
}

/* C-locale isspace(), which Redis uses for blanks between inline words. */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* string2ll(): decimal, optional '-', no '+', no leading zeros, no blanks.
 * Returns 1 and sets *out, or 0 for anything else (including overflow). */
static int parse_number(const char *s, size_t n, long long *out)
{
    unsigned long long v = 0;
    size_t i = 0;
    int negative = 0;

    if (n == 0 || n > NUMBER_MAX_CHARS)
        return 0;
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    if (s[0] == '-') {
        negative = 1;
        i = 1;
    }
    if (i == n || s[i] < '1' || s[i] > '9')
        return 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (s[i] < '0' || s[i] > '9' || v > (ULLONG_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (v > (unsigned long long)LLONG_MAX + (negative ? 1u : 0u))
        return 0;
    *out = !negative ? (long long)v
         : v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    return 1;
}

/* Looks for `byte` in buf[p->scan, len), remembering how far it looked.
 * As with strchr() on Redis' NUL-terminated buffer, a NUL before the byte
 * hides it for good. Returns its offset or NOT_FOUND. */
static size_t find_byte(struct resp_parser *p, const char *buf, size_t len, char byte)
{
    const char *from, *hit;
    size_t n, upto;

    if (p->nul_hidden || p->scan >= len)
        return NOT_FOUND;
    from = buf + p->scan;
    n = len - p->scan;
    hit = memchr(from, byte, n);
    upto = hit ? (size_t)(hit - from) : n;
    if (memchr(from, '\0', upto) != NULL) {
        p->nul_hidden = 1;
        return NOT_FOUND;
    }
    p->scan += upto;
    return hit ? p->scan : NOT_FOUND;
}

/* Makes room for argument number p->argc. Returns 0, or -1 out of memory. */
static int reserve_arg(struct resp_parser *p)
{
    struct resp_arg *argv;
    size_t *off;
    int cap;

    if (p->argc < p->argcap)
        return 0;
    if (p->argcap > INT_MAX / 2)
        return -1;
    cap = p->argcap ? p->argcap * 2 : 8;
    argv = realloc(p->argv, (size_t)cap * sizeof *argv);
    if (argv == NULL)
        return -1;
    p->argv = argv;
    off = realloc(p->off, (size_t)cap * sizeof *off);
    if (off == NULL)
        return -1;
    p->off = off;
    p->argcap = cap;
    return 0;
}

static int push_arg(struct resp_parser *p, size_t off, size_t len)
{
    if (reserve_arg(p) != 0)
        return -1;
    p->off[p->argc] = off;
    p->argv[p->argc].len = len;
    p->argc++;
    return 0;
}

/* The request is complete: point argv into base and hand it out. */
static enum resp_status finish(struct resp_parser *p, const char *base,
                               size_t consumed, struct resp_cmd *cmd)
{
    for (int i = 0; i < p->argc; i++)
        p->argv[i].ptr = base + p->off[i];
    cmd->argc = p->argc;
    cmd->argv = p->argv;
    cmd->consumed = consumed;
    clear_request(p);
    return RESP_OK;
}

/* ------------------------------------------------------------------------ */
/* Inline requests                                                          */
/* ------------------------------------------------------------------------ */

/* A line being split. It holds no NUL byte (find_byte saw to that), so
 * at() can use '\0' for "past the end" as sdssplitargs' C string does. */
struct splitter {
    const char *s;
    size_t n, i;
    char *out;      /* unescaped bytes go to out[w++]; never longer than s */
    size_t w;
};

static char at(const struct splitter *sp, size_t k)
{
    return k < sp->n ? sp->s[k] : '\0';
}

/* At a closing quote: it must be followed by a blank or the end. */
static int close_quote(struct splitter *sp)
{
    char next = at(sp, sp->i + 1);

    if (next != '\0' && !is_blank(next))
        return -1;
    sp->i++;
    return 0;
}

static char unescape(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default:  return c;
    }
}

/* sp->i is at the opening '"'. Returns 0 past the closing one, or -1. */
static int read_double_quoted(struct splitter *sp)
{
    for (sp->i++;; ) {
        char c = at(sp, sp->i);
        if (c == '\0')
            return -1;
        if (c == '\\' && at(sp, sp->i + 1) == 'x' &&
            hex_value(at(sp, sp->i + 2)) >= 0 && hex_value(at(sp, sp->i + 3)) >= 0) {
            sp->out[sp->w++] = (char)(hex_value(at(sp, sp->i + 2)) * 16 +
                                      hex_value(at(sp, sp->i + 3)));
            sp->i += 4;
        } else if (c == '\\' && at(sp, sp->i + 1) != '\0') {
            sp->out[sp->w++] = unescape(at(sp, sp->i + 1));
            sp->i += 2;
        } else if (c == '"') {
            return close_quote(sp);
        } else {
            sp->out[sp->w++] = c;
            sp->i++;
        }
    }
}

/* sp->i is at the opening '\''. Only \' is an escape here. */
static int read_single_quoted(struct splitter *sp)
{
    for (sp->i++;; ) {
        char c = at(sp, sp->i);
        if (c == '\0')
            return -1;
        if (c == '\\' && at(sp, sp->i + 1) == '\'') {
            sp->out[sp->w++] = '\'';
            sp->i += 2;
        } else if (c == '\'') {
            return close_quote(sp);
        } else {
            sp->out[sp->w++] = c;
            sp->i++;
        }
    }
}

/* One word: plain bytes, possibly ending in a quoted part. The byte that
 * ends a plain word is a blank and is left for the caller to skip. */
static int read_word(struct splitter *sp)
{
    for (;;) {
        char c = at(sp, sp->i);
        if (c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
            return 0;
        if (c == '"')
            return read_double_quoted(sp);
        if (c == '\'')
            return read_single_quoted(sp);
        sp->out[sp->w++] = c;
        sp->i++;
    }
}

static enum resp_status split_line(struct resp_parser *p, const char *line, size_t n)
{
    struct splitter sp = { line, n, 0, NULL, 0 };

    if (p->scratch_cap < n) {
        char *s = realloc(p->scratch, n);
        if (s == NULL)
            return fail(p, E_NOMEM);
        p->scratch = s;
        p->scratch_cap = n;
    }
    sp.out = p->scratch;
    for (;;) {
        size_t start;
        while (sp.i < n && is_blank(line[sp.i]))
            sp.i++;
        if (sp.i == n)
            return RESP_OK;
        start = sp.w;
        if (read_word(&sp) != 0)
            return fail(p, E_QUOTES);
        if (push_arg(p, start, sp.w - start) != 0)
            return fail(p, E_NOMEM);
    }
}

static enum resp_status parse_inline(struct resp_parser *p, const char *buf,
                                     size_t len, struct resp_cmd *cmd)
{
    size_t nl = find_byte(p, buf, len, '\n');
    size_t end;
    enum resp_status st;

    if (nl == NOT_FOUND)
        return len > p->limits.max_inline ? fail(p, E_INLINE_BIG) : RESP_NEED_MORE;
    end = nl > 0 && buf[nl - 1] == '\r' ? nl - 1 : nl;
    st = split_line(p, buf, end);
    if (st != RESP_OK)
        return st;
    return finish(p, p->scratch, nl + 1, cmd);
}

/* ------------------------------------------------------------------------ */
/* Multibulk requests                                                       */
/* ------------------------------------------------------------------------ */

/* Finds the '\r' ending the "*<n>" or "$<n>" line at p->pos. RESP_OK (with
 * *cr) once the '\r' and one more byte are in buf; RESP_ERROR with too_big
 * when more than max_inline bytes from pos hold no '\r'. */
static enum resp_status read_line(struct resp_parser *p, const char *buf, size_t len,
                                  const char *too_big, size_t *cr)
{
    size_t at_cr = find_byte(p, buf, len, '\r');

    if (at_cr == NOT_FOUND)
        return len - p->pos > p->limits.max_inline ? fail(p, too_big) : RESP_NEED_MORE;
    if (len - at_cr < 2)
        return RESP_NEED_MORE;
    *cr = at_cr;
    return RESP_OK;
}

static void start_line(struct resp_parser *p, size_t pos, enum state next)
{
    p->pos = p->scan = pos;
    p->nul_hidden = 0;
    p->state = next;
}

static enum resp_status read_count(struct resp_parser *p, const char *buf, size_t len)
{
    size_t cr;
    long long n;
    enum resp_status st = read_line(p, buf, len, E_MBULK_BIG, &cr);

    if (st != RESP_OK)
        return st;
    if (!parse_number(buf + 1, cr - 1, &n) || n > p->limits.max_multibulk)
        return fail(p, E_MBULK_LEN);
    if (p->auth_required && n > UNAUTH_MAX_MULTIBULK)
        return fail(p, E_MBULK_AUTH);
    p->left = n > 0 ? n : 0;
    start_line(p, cr + 2, ST_BULK_HEADER);
    return RESP_OK;
}

static enum resp_status read_bulk_header(struct resp_parser *p, const char *buf, size_t len)
{
    size_t cr;
    long long n;
    enum resp_status st = read_line(p, buf, len, E_BULK_BIG, &cr);

    if (st != RESP_OK)
        return st;
    if (buf[p->pos] != '$')
        return fail_expected_dollar(p, buf[p->pos]);
    if (!parse_number(buf + p->pos + 1, cr - p->pos - 1, &n) || n < 0 ||
        n > p->limits.max_bulk)
        return fail(p, E_BULK_LEN);
    if (p->auth_required && n > UNAUTH_MAX_BULK)
        return fail(p, E_BULK_AUTH);
    p->bulk_len = n;
    start_line(p, cr + 2, ST_BULK_BODY);
    return RESP_OK;
}

/* The payload and the two bytes after it, which are not looked at. */
static enum resp_status read_bulk_body(struct resp_parser *p, size_t len)
{
    size_t need = (size_t)p->bulk_len + 2;

    if (len - p->pos < need)
        return RESP_NEED_MORE;
    if (push_arg(p, p->pos, (size_t)p->bulk_len) != 0)
        return fail(p, E_NOMEM);
    p->left--;
    start_line(p, p->pos + need, ST_BULK_HEADER);
    return RESP_OK;
}

static enum resp_status parse_multibulk(struct resp_parser *p, const char *buf,
                                        size_t len, struct resp_cmd *cmd)
{
    enum resp_status st = RESP_OK;

    if (p->state == ST_COUNT)
        st = read_count(p, buf, len);
    while (st == RESP_OK && p->left > 0) {
        if (p->state == ST_BULK_HEADER)
            st = read_bulk_header(p, buf, len);
        if (st == RESP_OK)
            st = read_bulk_body(p, len);
    }
    if (st != RESP_OK)
        return st;
    return finish(p, buf, p->pos, cmd);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

struct resp_parser *resp_parser_create(const struct resp_limits *limits)
{
    struct resp_parser *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    resp_parser_set_limits(p, limits);
    clear_request(p);
    return p;
}

void resp_parser_destroy(struct resp_parser *p)
{
    if (p == NULL)
        return;
    free(p->argv);
    free(p->off);
    free(p->scratch);
    free(p);
}

void resp_parser_set_limits(struct resp_parser *p, const struct resp_limits *limits)
{
    p->limits = limits ? *limits : default_limits();
    if (p->limits.max_multibulk > INT_MAX)
        p->limits.max_multibulk = INT_MAX;
}

void resp_parser_set_auth_required(struct resp_parser *p, int required)
{
    p->auth_required = required != 0;
}

void resp_reset(struct resp_parser *p)
{
    clear_request(p);
    p->error = NULL;
}

enum resp_status resp_parse(struct resp_parser *p, const char *buf, size_t len,
                            struct resp_cmd *cmd)
{
    if (p->state == ST_ERROR)
        return RESP_ERROR;
    assert(len >= p->seen && "the caller dropped bytes of a partial request");
    p->seen = len;
    if (p->state == ST_START) {
        if (len == 0)
            return RESP_NEED_MORE;
        start_line(p, 0, buf[0] == '*' ? ST_COUNT : ST_INLINE);
    }
    if (p->state == ST_INLINE)
        return parse_inline(p, buf, len, cmd);
    return parse_multibulk(p, buf, len, cmd);
}

size_t resp_want(const struct resp_parser *p)
{
    size_t need, have;

    if (p->state != ST_BULK_BODY)
        return 1;
    need = (size_t)p->bulk_len + 2;
    have = p->seen - p->pos;
    return need > have ? need - have : 1;
}

const char *resp_error(const struct resp_parser *p)
{
    return p->error;
}
