/*
 * check_resp_parse.c: unit tests for api/resp_parse.c.
 *
 * The outcome of parsing a byte stream is rendered as a "trace" string so
 * expectations read like the protocol: one "[...]" per command with its
 * arguments in single quotes (bytes outside printable ASCII, '\'' and '\\'
 * written \xHH), then either "!<error text>" or "+<n>" for n bytes left
 * waiting. The expected traces were checked against a real Redis 7.0.15
 * (replies to the same bytes sent raw over a socket).
 *
 * The feeding harness copies the not yet consumed bytes into a fresh heap
 * block of exactly their size at every delivery, as a caller compacting its
 * buffer would; under ASan that catches pointers kept across calls and reads
 * past `len`. Every corpus sample is fed whole, split at every offset, into
 * three pieces, and one byte at a time, and must give the same trace.
 * "No rescanning" is checked by making the already delivered pages of a
 * buffer unreadable (mprotect) between calls.
 */
#include "api/resp_parse.h"

#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define QUOTES  "!Protocol error: unbalanced quotes in request"
#define MBULK   "!Protocol error: invalid multibulk length"
#define BULK    "!Protocol error: invalid bulk length"
#define DOLLAR  "!Protocol error: expected '$', got "
#define MIB     ((size_t)1024 * 1024)

/* For hot loops: check's ck_assert_* records every passing assertion with a
 * write(2), which would dominate the bytewise and every-offset runs. */
#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond))                                                         \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);            \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Growing byte strings, used for traces and generated streams              */
/* ------------------------------------------------------------------------ */

struct str {
    char *s;
    size_t len, cap;
};

static void str_add(struct str *t, const void *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        CHECK(t->s != NULL);
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void str_printf(struct str *t, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    CHECK(n >= 0 && n < (int)sizeof buf);
    str_add(t, buf, (size_t)n);
}

static void str_escaped(struct str *t, const char *p, size_t n, int in_arg)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || (in_arg && c == '\''))
            str_printf(t, "\\x%02x", c);
        else
            str_add(t, &p[i], 1);
    }
}

static void trace_cmd(struct str *t, const struct resp_cmd *cmd)
{
    str_add(t, "[", 1);
    for (int i = 0; i < cmd->argc; i++) {
        str_add(t, i ? " '" : "'", i ? 2 : 1);
        str_escaped(t, cmd->argv[i].ptr, cmd->argv[i].len, 1);
        str_add(t, "'", 1);
    }
    str_add(t, "]", 1);
}

static void trace_error(struct str *t, const struct resp_parser *p)
{
    const char *e = resp_error(p);

    CHECK(e != NULL);
    str_add(t, "!", 1);
    str_escaped(t, e, strlen(e), 0);
}

/* ------------------------------------------------------------------------ */
/* The feeding harness                                                      */
/* ------------------------------------------------------------------------ */

struct feed_opts {
    const struct resp_limits *limits;   /* NULL: defaults */
    int auth_required;
};

/* Parses everything in win[0..n) it can; returns how much was consumed and
 * sets *stop on an error (after checking that it is sticky). */
static size_t drain(struct resp_parser *p, const char *win, size_t n,
                    struct str *t, int *stop)
{
    size_t off = 0;
    struct resp_cmd cmd;

    for (;;) {
        enum resp_status st = resp_parse(p, win + off, n - off, &cmd);
        if (st == RESP_NEED_MORE) {
            CHECK(resp_want(p) >= 1);
            return off;
        }
        if (st == RESP_ERROR) {
            trace_error(t, p);
            CHECK(resp_parse(p, win + off, n - off, &cmd) == RESP_ERROR);
            *stop = 1;
            return off;
        }
        CHECK(cmd.consumed > 0);
        CHECK(cmd.consumed <= n - off);
        trace_cmd(t, &cmd);
        off += cmd.consumed;
    }
}

/* Feeds in[0..n) in deliveries ending at cuts[0..ncuts) (ascending, each
 * <= n), then the rest. Returns the trace; the caller frees it. */
static char *feed_cuts(const char *in, size_t n, const size_t *cuts, size_t ncuts,
                       const struct feed_opts *o)
{
    struct resp_parser *p = resp_parser_create(o ? o->limits : NULL);
    struct str t = { 0 };
    size_t base = 0;
    int stop = 0;

    CHECK(p != NULL);
    resp_parser_set_auth_required(p, o ? o->auth_required : 0);
    str_add(&t, "", 0);
    for (size_t ci = 0; ci <= ncuts && !stop; ci++) {
        size_t avail = ci < ncuts ? cuts[ci] : n;
        size_t have = avail - base;
        char *win = malloc(have ? have : 1);
        CHECK(win != NULL);
        memcpy(win, in + base, have);
        base += drain(p, win, have, &t, &stop);
        free(win);
    }
    if (!stop)
        str_printf(&t, "+%zu", n - base);
    resp_parser_destroy(p);
    return t.s;
}

static char *feed_whole(const char *in, size_t n, const struct feed_opts *o)
{
    return feed_cuts(in, n, NULL, 0, o);
}

static char *feed_bytewise(const char *in, size_t n, const struct feed_opts *o)
{
    size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
    char *r;

    ck_assert_ptr_nonnull(cuts);
    for (size_t i = 0; i < n; i++)
        cuts[i] = i + 1;
    r = feed_cuts(in, n, cuts, n, o);
    free(cuts);
    return r;
}

/* Deliveries of 1..max bytes from a fixed pseudo-random sequence. */
static char *feed_random(const char *in, size_t n, size_t max, unsigned seed)
{
    size_t *cuts = malloc((n + 1) * sizeof *cuts), ncuts = 0, at = 0;
    char *r;

    ck_assert_ptr_nonnull(cuts);
    while (at < n) {
        seed = seed * 1103515245u + 12345u;
        at += 1 + (seed >> 16) % max;
        cuts[ncuts++] = at < n ? at : n;
    }
    r = feed_cuts(in, n, cuts, ncuts, NULL);
    free(cuts);
    return r;
}

/* Frees `got`; a and b are the cut offsets, for the message. */
static void expect_trace(char *got, const char *want, const char *what, size_t a, size_t b)
{
    if (strcmp(got, want) != 0)
        ck_abort_msg("%s (cuts %zu,%zu): got \"%s\", want \"%s\"", what, a, b, got, want);
    free(got);
}

/* ------------------------------------------------------------------------ */
/* The corpus                                                               */
/* ------------------------------------------------------------------------ */

struct sample {
    const char *in;
    size_t len;
    const char *want;
};

#define T(in, want) { in, sizeof(in) - 1, want }

static const struct sample corpus[] = {
    /* multibulk */
    T("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", "['SET' 'key' 'value']+0"),
    T("*1\r\n$4\r\nPING\r\n", "['PING']+0"),
    T("*2\r\n$4\r\nECHO\r\n$8\r\na\r\nb\0c\r\n\r\n",
      "['ECHO' 'a\\x0d\\x0ab\\x00c\\x0d\\x0a']+0"),
    T("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "['ECHO' '']+0"),
    T("*3\r\n$0\r\n\r\n$0\r\n\r\n$1\r\n*\r\n", "['' '' '*']+0"),
    T("*2\r\n$4\r\nECHO\r\n$3\r\n\xff\x80'\r\n", "['ECHO' '\\xff\\x80\\x27']+0"),
    T("*1\r\n$4\r\nPINGxx", "['PING']+0"),           /* trailer unchecked */
    T("*1\rX$4\rXPING\r\n", "['PING']+0"),            /* byte after '\r' unchecked */
    T("*1\r\n$4\r\nPING\r\n\0", "['PING']+1"),
    T("*0\r\n", "[]+0"),
    T("*-1\r\n", "[]+0"),
    T("*-9223372036854775808\r\n", "[]+0"),
    T("*2\r\n$3\r\nGET\r\n$1\r\nk", "+18"),
    T("*1\r\n$4\r\nPING\r", "+13"),
    T("*1\r\n\r", "+5"),
    T("*1\0\r\n$4\r\nPING\r\n", "+15"),              /* NUL hides the '\r' */
    T("*2147483647\r\n", "+13"),
    T("*1\r\n$536870912\r\n", "+16"),
    /* inline */
    T("PING\r\n", "['PING']+0"),
    T("PING\n", "['PING']+0"),
    T("  set  a   b  \r\n", "['set' 'a' 'b']+0"),
    T("ECHO \"hello world\"\r\n", "['ECHO' 'hello world']+0"),
    T("ECHO \"a\\x41\\xzz\\n\\q\\\"\\\\\"\r\n", "['ECHO' 'aAxzz\\x0aq\"\\x5c']+0"),
    T("ECHO 'a\\'b\\\\n\\x41'\r\n", "['ECHO' 'a\\x27b\\x5c\\x5cn\\x5cx41']+0"),
    T("ECHO a\"b c\"\r\n", "['ECHO' 'ab c']+0"),
    T("ECHO a\"b\"\r\n", "['ECHO' 'ab']+0"),
    T("ECHO \"x\\b\\a\\t\\r\"\r\n", "['ECHO' 'x\\x08\\x07\\x09\\x0d']+0"),
    T("ECHO \"\\x41\\x4\"\r\n", "['ECHO' 'Ax4']+0"),
    T("ECHO \"\\xAf\"\r\n", "['ECHO' '\\xaf']+0"),
    T("ECHO \"\" ''\r\n", "['ECHO' '' '']+0"),
    T("ECHO a\vb \v\fc\r\n", "['ECHO' 'a\\x0bb' 'c']+0"),
    T("ECHO \"a\"\v\r\n", "['ECHO' 'a']+0"),
    T("ECHO \"a\"\r\r\n", "['ECHO' 'a']+0"),
    T("ECHO a\rb \"x\"\f\r\n", "['ECHO' 'a' 'b' 'x']+0"),
    T("ECHO \xe9\xa0\r\n", "['ECHO' '\\xe9\\xa0']+0"),
    T("\r\n", "[]+0"),
    T("\n", "[]+0"),
    T("   \t \r\n", "[]+0"),
    T("PING", "+4"),
    T("PING\r", "+5"),
    T("PING\0\r\nPING\r\n", "+13"),                  /* NUL hides the '\n' */
    /* pipelined */
    T("PING\r\n*1\r\n$4\r\nPING\r\n\r\n*0\r\nECHO x\n",
      "['PING']['PING'][][]['ECHO' 'x']+0"),
    /* inline errors */
    T("ECHO \"a\"b\r\n", QUOTES),
    T("ECHO 'a'b\r\n", QUOTES),
    T("ECHO \"abc\r\n", QUOTES),
    T("ECHO \"a\\\r\n", QUOTES),
    T("ECHO 'a\r\n", QUOTES),
    T("ECHO '\\\\'\r\n", QUOTES),
    T("ECHO \"a\" \"b\"c\r\n", QUOTES),
    T("ECHO \"\xa0\"\xa0\r\n", QUOTES),
    /* multibulk errors */
    T("*-0\r\n", MBULK),
    T("*\r\n", MBULK),
    T("*01\r\n", MBULK),
    T("*+1\r\n", MBULK),
    T("*x\r\n", MBULK),
    T("*1 \r\n", MBULK),
    T("*1\n$4\r\nPING\r\n", MBULK),
    T("*2147483648\r\n", MBULK),
    T("*-9223372036854775809\r\n", MBULK),
    T("*99999999999999999999\r\n", MBULK),
    T("*1\r\n\r\n", DOLLAR "' '"),
    T("*1\r\n\n\r\n", DOLLAR "' '"),
    T("*1\r\nx4\r\n", DOLLAR "'x'"),
    T("*1\r\n\x01\r\n", DOLLAR "'\\x01'"),
    T("*1\r\n\xfe\r\n", DOLLAR "'\\xfe'"),
    T("*2\r\n$1\r\na\r\n:1\r\n", DOLLAR "':'"),
    T("*1\r\n$-1\r\n", BULK),
    T("*1\r\n$-0\r\n", BULK),
    T("*1\r\n$\r\n", BULK),
    T("*1\r\n$04\r\nPING\r\n", BULK),
    T("*1\r\n$4 \r\nPING\r\n", BULK),
    T("*1\r\n$536870913\r\n", BULK),
    T("*1\r\n$99999999999999999999\r\n", BULK),
    T("*1\r\n$4\r\nPING\r\n*1\r\nx\r\n", "['PING']" DOLLAR "'x'"),
    T("PING\r\n*1\r\n$-1\r\nPING\r\n", "['PING']" BULK),
};

#define NCORPUS (sizeof corpus / sizeof corpus[0])

static const char *ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0 ? s + n - m : NULL;
}

/* All samples that fully parse, back to back, and their expected trace. */
static void build_pipeline(struct str *in, struct str *want)
{
    str_add(in, "", 0);
    str_add(want, "", 0);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < NCORPUS; i++) {
            const char *tail = ends_with(corpus[i].want, "+0");
            if (tail == NULL || strchr(corpus[i].want, '!') != NULL)
                continue;
            str_add(in, corpus[i].in, corpus[i].len);
            str_add(want, corpus[i].want, (size_t)(tail - corpus[i].want));
        }
    }
    str_add(want, "+0", 2);
}

/* ------------------------------------------------------------------------ */
/* Corpus tests                                                             */
/* ------------------------------------------------------------------------ */

/* Feeds sample i in two pieces at every offset (including the whole) and
 * one byte at a time; with `three`, also in every three pieces. */
static void check_sample(size_t i, int three)
{
    const struct sample *s = &corpus[i];
    char what[64];

    snprintf(what, sizeof what, "sample %zu", i);
    expect_trace(feed_bytewise(s->in, s->len, NULL), s->want, what, 1, 1);
    for (size_t a = 0; a <= s->len; a++) {
        for (size_t b = a; b <= (three ? s->len : a); b++) {
            size_t cuts[2] = { a, b };
            expect_trace(feed_cuts(s->in, s->len, cuts, 2, NULL), s->want, what, a, b);
        }
    }
}

START_TEST(corpus_whole)
{
    for (size_t i = 0; i < NCORPUS; i++) {
        char what[64];
        snprintf(what, sizeof what, "sample %zu", i);
        expect_trace(feed_whole(corpus[i].in, corpus[i].len, NULL), corpus[i].want, what, 0, 0);
    }
}
END_TEST

START_TEST(corpus_split_every_offset_and_bytewise)
{
    for (size_t i = 0; i < NCORPUS; i++)
        check_sample(i, 0);
}
END_TEST

START_TEST(corpus_split_three_pieces)
{
    for (size_t i = 0; i < NCORPUS; i++)
        check_sample(i, 1);
}
END_TEST

START_TEST(pipeline_of_corpus_every_offset)
{
    struct str in = { 0 }, want = { 0 };

    build_pipeline(&in, &want);
    ck_assert_uint_gt(in.len, 1000);
    expect_trace(feed_whole(in.s, in.len, NULL), want.s, "whole", 0, 0);
    expect_trace(feed_bytewise(in.s, in.len, NULL), want.s, "bytewise", 0, 0);
    for (size_t k = 0; k <= in.len; k++)
        expect_trace(feed_cuts(in.s, in.len, &k, 1, NULL), want.s, "two pieces", k, 0);
    for (unsigned seed = 1; seed <= 20; seed++)
        expect_trace(feed_random(in.s, in.len, 1 + seed * 3, seed), want.s, "random", seed, 0);
    free(in.s);
    free(want.s);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Direct tests on one parser                                               */
/* ------------------------------------------------------------------------ */

static struct resp_parser *P;
static struct resp_cmd CMD;

static void setup(void)
{
    P = resp_parser_create(NULL);
    ck_assert_ptr_nonnull(P);
    memset(&CMD, 0, sizeof CMD);
}

static void teardown(void)
{
    resp_parser_destroy(P);
    P = NULL;
}

static enum resp_status parse_mem(const char *buf, size_t len)
{
    return resp_parse(P, buf, len, &CMD);
}

#define PARSE(lit) parse_mem(lit, sizeof(lit) - 1)

static void expect_error(enum resp_status st, const char *text)
{
    ck_assert_int_eq(st, RESP_ERROR);
    ck_assert_str_eq(resp_error(P), text);
}

static void expect_arg(int i, const char *want, size_t len)
{
    ck_assert_int_gt(CMD.argc, i);
    ck_assert_uint_eq(CMD.argv[i].len, len);
    ck_assert_mem_eq(CMD.argv[i].ptr, want, len);
}

static char *filled(size_t n, char c)
{
    char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memset(b, c, n);
    return b;
}

START_TEST(argc_zero_requests)
{
    static const char *const empties[] = { "\r\n", "\n", " \t \r\n", "*0\r\n", "*-1\r\n", "*-42\r\n" };
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        CMD.argc = -1;
        ck_assert_int_eq(parse_mem(empties[i], strlen(empties[i])), RESP_OK);
        ck_assert_int_eq(CMD.argc, 0);
        ck_assert_uint_eq(CMD.consumed, strlen(empties[i]));
    }
    ck_assert_int_eq(parse_mem("", 0), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 1);
}
END_TEST

START_TEST(multibulk_args_point_into_buffer)
{
    static const char req[] = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
    ck_assert_int_eq(PARSE(req), RESP_OK);
    ck_assert_ptr_eq(CMD.argv[0].ptr, req + 8);
    ck_assert_ptr_eq(CMD.argv[1].ptr, req + 17);
    ck_assert_uint_eq(CMD.consumed, sizeof req - 1);
}
END_TEST

START_TEST(inline_args_are_copied)
{
    static const char req[] = "GET \"k\\x41\"\r\n";
    ck_assert_int_eq(PARSE(req), RESP_OK);
    ck_assert_int_eq(CMD.argc, 2);
    expect_arg(1, "kA", 2);
    ck_assert(CMD.argv[1].ptr < req || CMD.argv[1].ptr >= req + sizeof req);
}
END_TEST

static const char *digits_of(int i)
{
    static char buf[16];
    snprintf(buf, sizeof buf, "%09d", i);
    return buf + 9 - (i % 9 + 1);
}

START_TEST(many_arguments)
{
    struct str in = { 0 };
    int n = 1000;

    /* argument i: the last i % 9 + 1 digits of i written with 9 digits */
    str_printf(&in, "*%d\r\n", n);
    for (int i = 0; i < n; i++)
        str_printf(&in, "$%d\r\n%s\r\n", i % 9 + 1, digits_of(i));
    ck_assert_int_eq(parse_mem(in.s, in.len), RESP_OK);
    ck_assert_int_eq(CMD.argc, n);
    for (int i = 0; i < n; i++)
        expect_arg(i, digits_of(i), (size_t)(i % 9 + 1));
    free(in.s);
}
END_TEST

START_TEST(sticky_error_until_reset)
{
    expect_error(PARSE("*1\r\n$x\r\n"), "Protocol error: invalid bulk length");
    expect_error(PARSE("PING\r\n"), "Protocol error: invalid bulk length");
    resp_reset(P);
    ck_assert_ptr_null(resp_error(P));
    ck_assert_int_eq(PARSE("PING\r\n"), RESP_OK);
    expect_arg(0, "PING", 4);
}
END_TEST

START_TEST(reset_forgets_partial_request)
{
    ck_assert_int_eq(PARSE("*2\r\n$3\r\nGET\r\n"), RESP_NEED_MORE);
    resp_reset(P);
    ck_assert_int_eq(PARSE("PING\r\n"), RESP_OK);
    ck_assert_int_eq(CMD.argc, 1);
    expect_arg(0, "PING", 4);
}
END_TEST

START_TEST(want_counts_bulk_bytes)
{
    static const char req[] = "*2\r\n$3\r\nGET\r\n$10\r\nhelloworld\r\n";
    size_t hdr = sizeof "*2\r\n$3\r\nGET\r\n$10\r\n" - 1;

    ck_assert_int_eq(parse_mem(req, 0), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 1);
    ck_assert_int_eq(parse_mem(req, hdr - 2), RESP_NEED_MORE);   /* "$10" */
    ck_assert_uint_eq(resp_want(P), 1);
    ck_assert_int_eq(parse_mem(req, hdr), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 12);
    ck_assert_int_eq(parse_mem(req, hdr + 5), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 7);
    ck_assert_int_eq(parse_mem(req, hdr + 10), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 2);
    ck_assert_int_eq(parse_mem(req, hdr + 11), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 1);
    ck_assert_int_eq(parse_mem(req, hdr + 12), RESP_OK);
    expect_arg(1, "helloworld", 10);
}
END_TEST

START_TEST(want_for_max_bulk)
{
    ck_assert_int_eq(PARSE("*1\r\n$536870912\r\n"), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), 536870914u);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

/* n bytes of `prefix` then `fill`; parse with n, then with n + 1. */
static void expect_limit(const char *prefix, char fill, size_t n, const char *text)
{
    char *b = filled(n + 1, fill);

    memcpy(b, prefix, strlen(prefix));
    ck_assert_int_eq(parse_mem(b, n), RESP_NEED_MORE);
    expect_error(parse_mem(b, n + 1), text);
    free(b);
}

START_TEST(inline_limit)
{
    expect_limit("", 'a', 65536, "Protocol error: too big inline request");
}
END_TEST

START_TEST(inline_limit_with_hidden_newline)
{
    expect_limit("PING\0\r\n", 'a', 65536, "Protocol error: too big inline request");
}
END_TEST

START_TEST(inline_longer_than_limit_in_one_piece)
{
    size_t n = 70000;
    char *b = filled(n, 'a');

    memcpy(b, "ECHO ", 5);
    memcpy(b + n - 2, "\r\n", 2);
    ck_assert_int_eq(parse_mem(b, n), RESP_OK);
    expect_arg(1, b + 5, n - 7);
    free(b);
}
END_TEST

START_TEST(mbulk_count_line_limit)
{
    expect_limit("*", '1', 65536, "Protocol error: too big mbulk count string");
}
END_TEST

START_TEST(bulk_count_line_limit)
{
    /* measured from the '$' line, not from the request */
    char *b = filled(4 + 65536 + 1, '1');

    memcpy(b, "*1\r\n$", 5);
    ck_assert_int_eq(parse_mem(b, 4 + 65536), RESP_NEED_MORE);
    expect_error(parse_mem(b, 4 + 65537), "Protocol error: too big bulk count string");
    free(b);
}
END_TEST

START_TEST(bulk_line_without_dollar_too_long)
{
    expect_limit("*1\r\n", 'x', 4 + 65536, "Protocol error: too big bulk count string");
}
END_TEST

START_TEST(long_line_with_cr_waits)
{
    char *b = filled(70003, '2');

    memcpy(b, "*1", 2);
    b[70002] = '\r';
    ck_assert_int_eq(parse_mem(b, 70003), RESP_NEED_MORE);
    free(b);
}
END_TEST

START_TEST(custom_limits)
{
    struct resp_limits l = { 8, 10, 3 };

    resp_parser_set_limits(P, &l);
    ck_assert_int_eq(PARSE("12345678"), RESP_NEED_MORE);
    expect_error(PARSE("123456789"), "Protocol error: too big inline request");
    resp_reset(P);
    ck_assert_int_eq(PARSE("*3\r\n$10\r\n"), RESP_NEED_MORE);
    resp_reset(P);
    expect_error(PARSE("*1\r\n$11\r\n"), "Protocol error: invalid bulk length");
    resp_reset(P);
    expect_error(PARSE("*4\r\n"), "Protocol error: invalid multibulk length");
    resp_reset(P);
    l.max_multibulk = LLONG_MAX;   /* clamped to INT_MAX */
    resp_parser_set_limits(P, &l);
    expect_error(PARSE("*2147483648\r\n"), "Protocol error: invalid multibulk length");
}
END_TEST

START_TEST(unauthenticated_limits)
{
    resp_parser_set_auth_required(P, 1);
    ck_assert_int_eq(PARSE("*10\r\n"), RESP_NEED_MORE);
    resp_reset(P);
    expect_error(PARSE("*11\r\n"), "Protocol error: unauthenticated multibulk length");
    resp_reset(P);
    expect_error(PARSE("*2147483648\r\n"), "Protocol error: invalid multibulk length");
    resp_reset(P);
    ck_assert_int_eq(PARSE("*1\r\n$16384\r\n"), RESP_NEED_MORE);
    resp_reset(P);
    expect_error(PARSE("*1\r\n$16385\r\n"), "Protocol error: unauthenticated bulk length");
    resp_reset(P);
    expect_error(PARSE("*1\r\n$536870913\r\n"), "Protocol error: invalid bulk length");
    resp_reset(P);
    ck_assert_int_eq(PARSE("*-20\r\n"), RESP_OK);
    ck_assert_int_eq(PARSE("PING a b c d e f g h i j k l\r\n"), RESP_OK);
    ck_assert_int_eq(CMD.argc, 13);
    resp_parser_set_auth_required(P, 0);
    ck_assert_int_eq(PARSE("*11\r\n$16385\r\n"), RESP_NEED_MORE);
}
END_TEST

START_TEST(unauthenticated_inline_is_unlimited)
{
    size_t n = 20000;
    char *b = filled(n, 'v');

    resp_parser_set_auth_required(P, 1);
    memcpy(b, "ECHO ", 5);
    b[n - 1] = '\n';
    ck_assert_int_eq(parse_mem(b, n), RESP_OK);
    ck_assert_uint_eq(CMD.argv[1].len, n - 6);
    free(b);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Large pipelines                                                          */
/* ------------------------------------------------------------------------ */

static void gen_multibulk(struct str *in, struct str *want, int nargs, int seed)
{
    str_printf(in, "*%d\r\n", nargs);
    str_add(want, "[", 1);
    for (int a = 0; a < nargs; a++) {
        char arg[64];
        size_t len = (size_t)((seed + a * 7) % 40);
        for (size_t k = 0; k < len; k++)
            arg[k] = (char)((seed * 31 + a * 17 + (int)k * 13) % 256);
        str_printf(in, "$%zu\r\n", len);
        str_add(in, arg, len);
        str_add(in, "\r\n", 2);
        str_add(want, a ? " '" : "'", a ? 2 : 1);
        str_escaped(want, arg, len, 1);
        str_add(want, "'", 1);
    }
    str_add(want, "]", 1);
}

static void gen_inline(struct str *in, struct str *want, int i)
{
    str_printf(in, "  SET \"k\\x41 %d\"\t'v\\'%d' \r\n", i, i);
    str_printf(want, "['SET' 'kA %d' 'v\\x27%d']", i, i);
}

static void gen_pipeline(struct str *in, struct str *want, int count)
{
    str_add(in, "", 0);
    str_add(want, "", 0);
    for (int i = 0; i < count; i++) {
        switch (i % 5) {
        case 0: gen_multibulk(in, want, 3, i); break;
        case 1: gen_inline(in, want, i); break;
        case 2: str_add(in, "*0\r\n", 4); str_add(want, "[]", 2); break;
        case 3: gen_multibulk(in, want, 1 + i % 13, i); break;
        default: str_add(in, "PING\n", 5); str_add(want, "['PING']", 8); break;
        }
    }
    str_add(want, "+0", 2);
}

START_TEST(pipeline_thousands_in_one_buffer)
{
    struct str in = { 0 }, want = { 0 };

    gen_pipeline(&in, &want, 5000);
    expect_trace(feed_whole(in.s, in.len, NULL), want.s, "whole", 0, 0);
    for (unsigned seed = 1; seed <= 4; seed++)
        expect_trace(feed_random(in.s, in.len, 1 + seed * 50, seed), want.s, "random", seed, 0);
    expect_trace(feed_bytewise(in.s, in.len, NULL), want.s, "bytewise", 0, 0);
    free(in.s);
    free(want.s);
}
END_TEST

/* A multibulk argument lies inside its own request's bytes. */
static int inside(const struct resp_arg *a, const char *req, size_t len)
{
    return a->ptr >= req && a->ptr + a->len <= req + len;
}

START_TEST(pipeline_counts_consumed_exactly)
{
    struct str in = { 0 }, want = { 0 };
    size_t off = 0;
    int n = 0;

    gen_pipeline(&in, &want, 3000);
    while (off < in.len) {
        CHECK(parse_mem(in.s + off, in.len - off) == RESP_OK);
        for (int i = 0; i < CMD.argc; i++)
            CHECK(inside(&CMD.argv[i], in.s + off, CMD.consumed) == (in.s[off] == '*'));
        off += CMD.consumed;
        n++;
    }
    ck_assert_uint_eq(off, in.len);
    ck_assert_int_eq(n, 3000);
    ck_assert_int_eq(parse_mem(in.s + off, 0), RESP_NEED_MORE);
    free(in.s);
    free(want.s);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* No rescanning: delivered pages are made unreadable between calls         */
/* ------------------------------------------------------------------------ */

struct guard {
    char *mem;
    size_t size, page, locked;
};

static void guard_init(struct guard *g, size_t size)
{
    g->page = (size_t)sysconf(_SC_PAGESIZE);
    g->size = (size + g->page - 1) / g->page * g->page;
    g->mem = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(g->mem != MAP_FAILED);
    g->locked = 0;
}

/* Every whole page below offset `upto` becomes unreadable. */
static void guard_lock_below(struct guard *g, size_t upto)
{
    size_t end = upto / g->page * g->page;

    if (end > g->locked) {
        CHECK(mprotect(g->mem + g->locked, end - g->locked, PROT_NONE) == 0);
        g->locked = end;
    }
}

static void guard_unlock(struct guard *g)
{
    if (g->locked)
        ck_assert_int_eq(mprotect(g->mem, g->locked, PROT_READ | PROT_WRITE), 0);
    g->locked = 0;
}

static void guard_free(struct guard *g)
{
    munmap(g->mem, g->size);
}

START_TEST(huge_bulk_is_never_scanned)
{
    static const char hdr[] = "*2\r\n$4\r\nECHO\r\n$104857600\r\n";
    size_t hlen = sizeof hdr - 1, body = 100 * MIB, chunk = MIB;
    struct guard g;
    char *buf;

    guard_init(&g, body + 2 * MIB);
    buf = g.mem + g.page - hlen;               /* the payload starts on a page */
    memcpy(buf, hdr, hlen);
    ck_assert_int_eq(parse_mem(buf, hlen), RESP_NEED_MORE);
    ck_assert_uint_eq(resp_want(P), body + 2);
    for (size_t done = 0; done < body; done += chunk) {
        memset(buf + hlen + done, 'a' + (int)(done / chunk % 26), chunk);
        CHECK(parse_mem(buf, hlen + done + chunk) == RESP_NEED_MORE);
        CHECK(resp_want(P) == body + 2 - done - chunk);
        guard_lock_below(&g, g.page + done + chunk);
    }
    memcpy(buf + hlen + body, "\r\n", 2);
    ck_assert_int_eq(parse_mem(buf, hlen + body + 2), RESP_OK);
    guard_unlock(&g);
    ck_assert_int_eq(CMD.argc, 2);
    expect_arg(0, "ECHO", 4);
    ck_assert_ptr_eq(CMD.argv[1].ptr, buf + hlen);
    ck_assert_uint_eq(CMD.argv[1].len, body);
    ck_assert_int_eq(CMD.argv[1].ptr[body - 1], 'a' + (int)((body - 1) / chunk % 26));
    ck_assert_uint_eq(CMD.consumed, hlen + body + 2);
    guard_free(&g);
}
END_TEST

/* Feeds `line` a byte at a time with every earlier whole page unreadable,
 * then unlocks and appends `tail`; returns the final status. */
static enum resp_status feed_line_locked(const char *prefix, char fill, size_t n, const char *tail)
{
    struct guard g;
    enum resp_status st;
    size_t plen = strlen(prefix), tlen = strlen(tail);

    guard_init(&g, n + tlen);
    for (size_t i = 0; i < n; i++) {
        g.mem[i] = i < plen ? prefix[i] : fill;
        CHECK(parse_mem(g.mem, i + 1) == RESP_NEED_MORE);
        guard_lock_below(&g, i + 1);
    }
    guard_unlock(&g);
    memcpy(g.mem + n, tail, tlen);
    st = parse_mem(g.mem, n + tlen);
    if (st == RESP_OK) {
        ck_assert_uint_eq(CMD.consumed, n + tlen);
        ck_assert_uint_eq(CMD.argv[CMD.argc - 1].len, n - plen);
    }
    guard_free(&g);
    return st;
}

START_TEST(inline_line_scanned_once)
{
    ck_assert_int_eq(feed_line_locked("ECHO ", 'z', 60000, "\r\n"), RESP_OK);
    ck_assert_int_eq(CMD.argc, 2);
}
END_TEST

START_TEST(count_line_scanned_once)
{
    expect_error(feed_line_locked("*", '7', 60000, "\r\n"), "Protocol error: invalid multibulk length");
}
END_TEST

START_TEST(bulk_line_scanned_once)
{
    expect_error(feed_line_locked("*1\r\n$", '7', 60000, "\r\n"), "Protocol error: invalid bulk length");
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *resp_parse_suite(void)
{
    Suite *s = suite_create("resp_parse");
    TCase *tc = tcase_create("corpus");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, corpus_whole);
    tcase_add_test(tc, corpus_split_every_offset_and_bytewise);
    tcase_add_test(tc, corpus_split_three_pieces);
    tcase_add_test(tc, pipeline_of_corpus_every_offset);
    suite_add_tcase(s, tc);

    tc = tcase_create("direct");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, argc_zero_requests);
    tcase_add_test(tc, multibulk_args_point_into_buffer);
    tcase_add_test(tc, inline_args_are_copied);
    tcase_add_test(tc, many_arguments);
    tcase_add_test(tc, sticky_error_until_reset);
    tcase_add_test(tc, reset_forgets_partial_request);
    tcase_add_test(tc, want_counts_bulk_bytes);
    tcase_add_test(tc, want_for_max_bulk);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, inline_limit);
    tcase_add_test(tc, inline_limit_with_hidden_newline);
    tcase_add_test(tc, inline_longer_than_limit_in_one_piece);
    tcase_add_test(tc, mbulk_count_line_limit);
    tcase_add_test(tc, bulk_count_line_limit);
    tcase_add_test(tc, bulk_line_without_dollar_too_long);
    tcase_add_test(tc, long_line_with_cr_waits);
    tcase_add_test(tc, custom_limits);
    tcase_add_test(tc, unauthenticated_limits);
    tcase_add_test(tc, unauthenticated_inline_is_unlimited);
    suite_add_tcase(s, tc);

    tc = tcase_create("volume");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pipeline_thousands_in_one_buffer);
    tcase_add_test(tc, pipeline_counts_consumed_exactly);
    tcase_add_test(tc, huge_bulk_is_never_scanned);
    tcase_add_test(tc, inline_line_scanned_once);
    tcase_add_test(tc, count_line_scanned_once);
    tcase_add_test(tc, bulk_line_scanned_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(resp_parse_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
