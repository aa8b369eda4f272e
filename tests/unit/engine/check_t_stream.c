/*
 * check_t_stream: unit tests for engine/t_stream.
 *
 * The stream is observed through its API: iteration for contents and
 * order, tstream_nodes for where node boundaries fall (the expected counts
 * were read from Redis 7.0.15's XINFO STREAM radix-tree-keys for the same
 * commands), tstream_verify for the invariants after every change. A model
 * (an array of entries) checks random appends, deletes and exact trims.
 * Randomness is a seeded xorshift64*, so failures reproduce.
 */
#include "engine/t_stream.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

static const struct tstream_limits DEFAULTS = { 4096, 100 };

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* ---- helpers ---------------------------------------------------------------- */

static struct tstream_id ID(uint64_t ms, uint64_t seq)
{
    return (struct tstream_id){ ms, seq };
}

/* Appends an explicit ID with pairs given as "f", "v", ..., NULL. */
static enum tstream_add_result add_pairs(struct tstream *s, struct tstream_id id, const struct tstream_limits *lim,
                                         const char *first, ...)
{
    struct kv_arg fv[16];
    size_t n = 0;
    va_list ap;
    struct tstream_id out;
    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *)) {
        fv[n].ptr = p;
        fv[n].len = strlen(p);
        n++;
    }
    va_end(ap);
    ck_assert_uint_eq(n % 2, 0);
    return tstream_add(s, TSTREAM_ID_EXPLICIT, &id, 0, fv, n / 2, lim, &out);
}

static void add_ok(struct tstream *s, uint64_t ms, uint64_t seq)
{
    REQUIRE(add_pairs(s, ID(ms, seq), &DEFAULTS, "f", "v", NULL) == TSTREAM_ADDED, "add %llu-%llu",
            (unsigned long long)ms, (unsigned long long)seq);
}

/* The entries in [start, end] as "id:f=v,f=v;" text. */
static void range_text(const struct tstream *s, struct tstream_id start, struct tstream_id end, bool rev, char *out,
                       size_t cap)
{
    struct tstream_iter it;
    struct tstream_id id;
    size_t np, used = 0;
    const char *f, *v;
    size_t flen, vlen;
    out[0] = '\0';
    tstream_iter_init(&it, s, &start, &end, rev);
    while (tstream_iter_next(&it, &id, &np)) {
        char buf[TSTREAM_ID_STRSIZE];
        size_t seen = 0;
        tstream_id_format(buf, &id);
        used += (size_t)snprintf(out + used, cap - used, "%s:", buf);
        while (tstream_iter_pair(&it, &f, &flen, &v, &vlen)) {
            used += (size_t)snprintf(out + used, cap - used, "%s%.*s=%.*s", seen ? "," : "", (int)flen, f, (int)vlen,
                                     v);
            seen++;
        }
        REQUIRE(seen == np, "pairs read %zu, announced %zu", seen, np);
        used += (size_t)snprintf(out + used, cap - used, ";");
    }
}

static void expect_range(const struct tstream *s, struct tstream_id start, struct tstream_id end, bool rev,
                         const char *want)
{
    char got[4096];
    range_text(s, start, end, rev, got, sizeof(got));
    ck_assert_str_eq(got, want);
}

static const struct tstream_id MIN_ID = { 0, 0 }, MAX_ID = { UINT64_MAX, UINT64_MAX };

static bool parse(const char *text, enum tstream_id_syntax syn, uint64_t missing, struct tstream_id *out, bool *star)
{
    return tstream_id_parse(text, strlen(text), syn, missing, out, star);
}

/* ---- IDs -------------------------------------------------------------------------- */

START_TEST(test_id_cmp_incr_decr)
{
    struct tstream_id a = ID(1, UINT64_MAX), b = ID(2, 0), m = MAX_ID, z = MIN_ID;
    ck_assert_int_lt(tstream_id_cmp(&a, &b), 0);
    ck_assert_int_gt(tstream_id_cmp(&b, &a), 0);
    ck_assert_int_eq(tstream_id_cmp(&a, &a), 0);
    ck_assert(tstream_id_incr(&a));
    ck_assert_int_eq(tstream_id_cmp(&a, &b), 0);
    ck_assert(tstream_id_decr(&a));
    ck_assert(a.ms == 1 && a.seq == UINT64_MAX);
    ck_assert(!tstream_id_incr(&m));
    ck_assert(m.ms == UINT64_MAX && m.seq == UINT64_MAX);
    ck_assert(!tstream_id_decr(&z));
    ck_assert(z.ms == 0 && z.seq == 0);
}
END_TEST

START_TEST(test_id_format)
{
    char buf[TSTREAM_ID_STRSIZE];
    struct tstream_id id = MAX_ID;
    ck_assert_uint_eq(tstream_id_format(buf, &id), 41);
    ck_assert_str_eq(buf, "18446744073709551615-18446744073709551615");
    id = ID(0, 0);
    tstream_id_format(buf, &id);
    ck_assert_str_eq(buf, "0-0");
    id = ID(1526919030474, 55);
    tstream_id_format(buf, &id);
    ck_assert_str_eq(buf, "1526919030474-55");
}
END_TEST

START_TEST(test_id_parse)
{
    struct tstream_id id;
    bool star = false;
    ck_assert(parse("5-3", TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 5 && id.seq == 3);
    ck_assert(parse("5", TSTREAM_ID_STRICT, 7, &id, NULL) && id.ms == 5 && id.seq == 7);
    ck_assert(parse("5", TSTREAM_ID_RANGE, UINT64_MAX, &id, NULL) && id.seq == UINT64_MAX);
    ck_assert(parse("-", TSTREAM_ID_RANGE, 0, &id, NULL) && id.ms == 0 && id.seq == 0);
    ck_assert(parse("+", TSTREAM_ID_RANGE, 0, &id, NULL) && id.ms == UINT64_MAX && id.seq == UINT64_MAX);
    ck_assert(!parse("-", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("+", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(parse("18446744073709551615-18446744073709551615", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(id.ms == UINT64_MAX && id.seq == UINT64_MAX);
    ck_assert(!parse("18446744073709551616", TSTREAM_ID_STRICT, 0, &id, NULL));
    /* ms-* only where asked for */
    ck_assert(!parse("5-*", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(parse("5-*", TSTREAM_ID_STRICT, 0, &id, &star) && star && id.ms == 5);
    star = false;
    ck_assert(parse("5-3", TSTREAM_ID_STRICT, 0, &id, &star) && !star);
    ck_assert(!parse("*", TSTREAM_ID_STRICT, 0, &id, &star));
    ck_assert(!parse("5-**", TSTREAM_ID_STRICT, 0, &id, &star));
    /* Redis' strtoull fallback: blanks, signs, leading zeros */
    ck_assert(parse(" 1", TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 1);
    ck_assert(parse("\t1", TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 1);
    ck_assert(parse("+7", TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 7);
    ck_assert(parse("010-010", TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 10 && id.seq == 10);
    ck_assert(parse("1--02", TSTREAM_ID_STRICT, 0, &id, NULL) && id.seq == UINT64_MAX - 1);
    ck_assert(parse("1--0", TSTREAM_ID_STRICT, 0, &id, NULL) && id.seq == 0);
    ck_assert(parse("1--18446744073709551615", TSTREAM_ID_STRICT, 0, &id, NULL) && id.seq == 1);
    ck_assert(!parse("1--2", TSTREAM_ID_STRICT, 0, &id, NULL));   /* canonical negative: refused */
    ck_assert(!parse("-1", TSTREAM_ID_STRICT, 0, &id, NULL));     /* the dash splits first: empty ms */
    ck_assert(!parse("-01", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("1 ", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse(" ", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("1-", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("1-2-3", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("0x10", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("1.5", TSTREAM_ID_STRICT, 0, &id, NULL));
    ck_assert(!parse("$", TSTREAM_ID_STRICT, 0, &id, NULL));
    /* a C string: bytes after a NUL do not count */
    ck_assert(tstream_id_parse("7-1\0junk", 8, TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 7 && id.seq == 1);
    ck_assert(tstream_id_parse("-\0x", 3, TSTREAM_ID_RANGE, 0, &id, NULL) && id.ms == 0);
    ck_assert(!tstream_id_parse("\0" "7", 2, TSTREAM_ID_STRICT, 0, &id, NULL));
    /* at most 127 bytes */
    {
        char buf[200];
        memset(buf, '0', sizeof(buf));
        buf[126] = '1';
        ck_assert(tstream_id_parse(buf, 127, TSTREAM_ID_STRICT, 0, &id, NULL) && id.ms == 1);
        buf[127] = '1';
        ck_assert(!tstream_id_parse(buf, 128, TSTREAM_ID_STRICT, 0, &id, NULL));
    }
}
END_TEST

/* ---- appending -------------------------------------------------------------------- */

START_TEST(test_add_ids)
{
    struct tstream *s = tstream_create();
    struct kv_arg fv[2] = { { "f", 1 }, { "v", 1 } };
    struct tstream_id out, given = ID(0, 0), last;

    ck_assert_uint_eq(tstream_length(s), 0);
    ck_assert(!tstream_last_entry_id(s, &last));
    /* `*` from the clock, then last + 1 when the clock is behind */
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_AUTO, NULL, 1000, fv, 1, &DEFAULTS, &out), TSTREAM_ADDED);
    ck_assert(out.ms == 1000 && out.seq == 0);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_AUTO, NULL, 1000, fv, 1, &DEFAULTS, &out), TSTREAM_ADDED);
    ck_assert(out.ms == 1000 && out.seq == 1);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_AUTO, NULL, 900, fv, 1, &DEFAULTS, &out), TSTREAM_ADDED);
    ck_assert(out.ms == 1000 && out.seq == 2);
    /* ms-*: seq 0 on a new ms, last + 1 on the same ms, refused below */
    given = ID(1000, 0);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_MS, &given, 0, fv, 1, &DEFAULTS, &out), TSTREAM_ADDED);
    ck_assert(out.ms == 1000 && out.seq == 3);
    given = ID(999, 0);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_MS, &given, 0, fv, 1, &DEFAULTS, &out), TSTREAM_ID_TOO_SMALL);
    given = ID(2000, 0);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_MS, &given, 0, fv, 1, &DEFAULTS, &out), TSTREAM_ADDED);
    ck_assert(out.ms == 2000 && out.seq == 0);
    /* explicit: must be above the last */
    ck_assert_int_eq(add_pairs(s, ID(2000, 0), &DEFAULTS, "f", "v", NULL), TSTREAM_ID_TOO_SMALL);
    ck_assert_int_eq(add_pairs(s, ID(1999, 5), &DEFAULTS, "f", "v", NULL), TSTREAM_ID_TOO_SMALL);
    ck_assert_int_eq(add_pairs(s, ID(2000, UINT64_MAX), &DEFAULTS, "f", "v", NULL), TSTREAM_ADDED);
    given = ID(2000, 0);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_MS, &given, 0, fv, 1, &DEFAULTS, &out), TSTREAM_NO_SEQ_LEFT);
    /* `*` carries into ms */
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_AUTO, NULL, 5, fv, 1, &DEFAULTS, &out), TSTREAM_ADDED);
    ck_assert(out.ms == 2001 && out.seq == 0);
    ck_assert_uint_eq(tstream_length(s), 7);
    ck_assert_uint_eq(tstream_entries_added(s), 7);
    last = tstream_last_id(s);
    ck_assert(last.ms == 2001 && last.seq == 0);
    last = tstream_first_id(s);
    ck_assert(last.ms == 1000 && last.seq == 0);
    /* the last possible ID: nothing may follow, `*` included */
    ck_assert_int_eq(add_pairs(s, MAX_ID, &DEFAULTS, "f", "v", NULL), TSTREAM_ADDED);
    ck_assert_int_eq(add_pairs(s, MAX_ID, &DEFAULTS, "f", "v", NULL), TSTREAM_EXHAUSTED);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_AUTO, NULL, 5, fv, 1, &DEFAULTS, &out), TSTREAM_EXHAUSTED);
    ck_assert_uint_eq(tstream_entries_added(s), 8);
    ck_assert(tstream_verify(s));
    tstream_destroy(s);
}
END_TEST

START_TEST(test_pairs_roundtrip)
{
    struct tstream *s = tstream_create();
    struct kv_arg fv[4] = { { "bin\0f", 5 }, { "\0\xff\r\n", 4 }, { "", 0 }, { "", 0 } };
    struct tstream_id id = ID(1, 1), out;
    struct tstream_iter it;
    const char *f, *v;
    size_t flen, vlen, np;

    add_pairs(s, ID(1, 0), &DEFAULTS, "a", "1", "b", "2", NULL);
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_EXPLICIT, &id, 0, fv, 2, &DEFAULTS, &out), TSTREAM_ADDED);
    add_pairs(s, ID(1, 2), &DEFAULTS, "a", "3", "b", "4", NULL);          /* the master's names */
    add_pairs(s, ID(1, 3), &DEFAULTS, "b", "5", "a", "6", NULL);          /* same names, other order */
    add_pairs(s, ID(1, 4), &DEFAULTS, "a", "7", NULL);                    /* fewer */
    add_pairs(s, ID(1, 5), &DEFAULTS, "a", "8", "a", "9", "a", "10", NULL); /* repeated */
    expect_range(s, MIN_ID, MAX_ID, false,
                 "1-0:a=1,b=2;1-1:bin=,=;1-2:a=3,b=4;1-3:b=5,a=6;1-4:a=7;1-5:a=8,a=9,a=10;");
    /* the binary entry, byte for byte */
    tstream_iter_init(&it, s, &id, &id, false);
    ck_assert(tstream_iter_next(&it, &out, &np));
    ck_assert_uint_eq(np, 2);
    ck_assert(tstream_iter_pair(&it, &f, &flen, &v, &vlen));
    ck_assert(flen == 5 && memcmp(f, "bin\0f", 5) == 0 && vlen == 4 && memcmp(v, "\0\xff\r\n", 4) == 0);
    ck_assert(tstream_iter_pair(&it, &f, &flen, &v, &vlen));
    ck_assert(flen == 0 && vlen == 0);
    ck_assert(!tstream_iter_pair(&it, &f, &flen, &v, &vlen));
    ck_assert(!tstream_iter_next(&it, &out, &np));
    ck_assert(tstream_verify(s));
    tstream_destroy(s);
}
END_TEST

/* ---- reading -------------------------------------------------------------------- */

START_TEST(test_ranges)
{
    struct tstream_limits small = { 4096, 3 };   /* nodes of 3 entries: walks cross nodes */
    struct tstream *s = tstream_create();
    for (uint64_t i = 1; i <= 10; i++)
        ck_assert_int_eq(add_pairs(s, ID(i, i % 2), &small, "f", i % 2 ? "odd" : "even", NULL), TSTREAM_ADDED);
    ck_assert_uint_eq(tstream_nodes(s), 4);
    expect_range(s, ID(3, 0), ID(6, 0), false, "3-1:f=odd;4-0:f=even;5-1:f=odd;6-0:f=even;");
    expect_range(s, ID(3, 0), ID(6, 0), true, "6-0:f=even;5-1:f=odd;4-0:f=even;3-1:f=odd;");
    expect_range(s, ID(3, 2), ID(5, 0), false, "4-0:f=even;");
    expect_range(s, ID(3, 2), ID(5, 0), true, "4-0:f=even;");
    expect_range(s, ID(0, 0), ID(1, 0), false, "");
    expect_range(s, ID(0, 0), ID(1, 0), true, "");
    expect_range(s, ID(10, 1), MAX_ID, false, "");
    expect_range(s, ID(10, 1), MAX_ID, true, "");
    expect_range(s, ID(6, 0), ID(3, 0), false, "");
    expect_range(s, ID(9, 0), MAX_ID, true, "10-0:f=even;9-1:f=odd;");
    expect_range(s, MIN_ID, ID(1, 1), true, "1-1:f=odd;");
    tstream_destroy(s);
}
END_TEST

/* ---- removing ----------------------------------------------------------------------- */

START_TEST(test_delete)
{
    struct tstream_limits small = { 4096, 3 };
    struct tstream *s = tstream_create();
    struct tstream_id id, last;
    for (uint64_t i = 1; i <= 7; i++)
        add_pairs(s, ID(i, 0), &small, "f", "v", NULL);
    ck_assert_uint_eq(tstream_nodes(s), 3);          /* 3 + 3 + 1 */
    id = ID(4, 0);
    ck_assert(tstream_delete(s, &id));
    ck_assert(!tstream_delete(s, &id));
    id = ID(4, 1);
    ck_assert(!tstream_delete(s, &id));
    id = ID(1, 0);
    ck_assert(tstream_delete(s, &id));               /* the first: recorded first ID moves */
    last = tstream_first_id(s);
    ck_assert(last.ms == 2 && last.seq == 0);
    last = tstream_max_deleted_id(s);
    ck_assert(last.ms == 4 && last.seq == 0);
    id = ID(7, 0);
    ck_assert(tstream_delete(s, &id));               /* the tail node's only entry: node freed */
    ck_assert_uint_eq(tstream_nodes(s), 2);
    last = tstream_max_deleted_id(s);
    ck_assert(last.ms == 7);
    ck_assert(tstream_last_entry_id(s, &last) && last.ms == 6);
    last = tstream_last_id(s);
    ck_assert(last.ms == 7);                         /* the last generated ID stays */
    expect_range(s, MIN_ID, MAX_ID, false, "2-0:f=v;3-0:f=v;5-0:f=v;6-0:f=v;");
    ck_assert(tstream_verify(s));
    /* the middle node keeps its 3 slots (deleted ones count): the next
     * entry goes to it when it is the tail */
    id = ID(5, 0);
    tstream_delete(s, &id);
    id = ID(6, 0);
    tstream_delete(s, &id);                          /* node 2 freed: node 1 is the tail again */
    ck_assert_uint_eq(tstream_nodes(s), 1);
    add_pairs(s, ID(8, 0), &small, "f", "v", NULL);  /* node 1 is full (1 deleted + 2 live) */
    ck_assert_uint_eq(tstream_nodes(s), 2);
    id = ID(2, 0);
    tstream_delete(s, &id);
    id = ID(3, 0);
    tstream_delete(s, &id);
    id = ID(8, 0);
    tstream_delete(s, &id);
    ck_assert_uint_eq(tstream_length(s), 0);
    ck_assert_uint_eq(tstream_nodes(s), 0);
    last = tstream_first_id(s);
    ck_assert(last.ms == 0 && last.seq == 0);
    ck_assert(tstream_verify(s));
    ck_assert_int_eq(add_pairs(s, ID(8, 0), &small, "f", "v", NULL), TSTREAM_ID_TOO_SMALL);
    ck_assert_int_eq(add_pairs(s, ID(9, 0), &small, "f", "v", NULL), TSTREAM_ADDED);
    last = tstream_first_id(s);
    ck_assert(last.ms == 9);
    tstream_destroy(s);
}
END_TEST

static uint64_t trim(struct tstream *s, enum tstream_trim_strategy st, bool approx, uint64_t maxlen,
                     struct tstream_id minid, long long limit)
{
    struct tstream_trim t = { st, approx, maxlen, minid, limit };
    uint64_t n = tstream_trim(s, &t);
    REQUIRE(tstream_verify(s), "verify after trim");
    return n;
}

/* 250 entries in nodes of 100 (Redis' defaults): `~` drops whole nodes. */
START_TEST(test_trim_maxlen)
{
    struct tstream *s = tstream_create();
    struct tstream_id first;
    for (uint64_t i = 1; i <= 250; i++)
        add_ok(s, i, 1);
    ck_assert_uint_eq(tstream_nodes(s), 3);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 240, MIN_ID, 10000), 0);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 150, MIN_ID, 10000), 100);
    first = tstream_first_id(s);
    ck_assert(first.ms == 101 && first.seq == 1);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 149, MIN_ID, 10000), 0);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, false, 149, MIN_ID, 0), 1);
    ck_assert_uint_eq(tstream_length(s), 149);
    /* the partly trimmed node keeps its tombstone: ~ 50 drops it whole */
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 50, MIN_ID, 10000), 99);
    ck_assert_uint_eq(tstream_length(s), 50);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, false, 10, MIN_ID, 0), 40);   /* inside the last node */
    ck_assert_uint_eq(tstream_nodes(s), 1);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, false, 0, MIN_ID, 0), 10);    /* the whole node */
    ck_assert_uint_eq(tstream_length(s), 0);
    ck_assert_uint_eq(tstream_nodes(s), 0);
    first = tstream_first_id(s);
    ck_assert(first.ms == 0 && first.seq == 0);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 0, MIN_ID, 10000), 0);
    tstream_destroy(s);
}
END_TEST

START_TEST(test_trim_minid_and_limit)
{
    struct tstream *s = tstream_create();
    struct tstream_id first;
    for (uint64_t i = 1; i <= 350; i++)
        add_ok(s, i, 1);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, true, 0, ID(150, 0), 10000), 100);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, true, 0, ID(200, 1), 10000), 0);   /* last of node 2 is 200-1 */
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, true, 0, ID(200, 2), 10000), 100);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, false, 0, ID(222, 0), 0), 21);
    first = tstream_first_id(s);
    ck_assert(first.ms == 222 && first.seq == 1);
    /* LIMIT: a node that would take the count past it stops the trim */
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 0, MIN_ID, 78), 0);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 0, MIN_ID, 79), 79);
    ck_assert_uint_eq(tstream_length(s), 50);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MAXLEN, true, 0, MIN_ID, 0), 50);     /* 0: no limit */
    ck_assert_uint_eq(tstream_length(s), 0);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, false, 0, MAX_ID, 0), 0);
    tstream_destroy(s);
}
END_TEST

/* A node whose live entries are all below MINID but whose last (deleted)
 * entry is not: exact trimming empties it and leaves it in place. */
START_TEST(test_trim_node_of_tombstones)
{
    struct tstream *s = tstream_create();
    struct tstream_id id;
    for (uint64_t i = 1; i <= 60; i++)
        add_ok(s, i, 1);
    for (uint64_t i = 58; i <= 60; i++) {
        id = ID(i, 1);
        ck_assert(tstream_delete(s, &id));
    }
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, false, 0, ID(60, 0), 0), 57);
    ck_assert_uint_eq(tstream_length(s), 0);
    ck_assert_uint_eq(tstream_nodes(s), 1);
    ck_assert_uint_eq(trim(s, TSTREAM_TRIM_MINID, true, 0, ID(61, 0), 10000), 0);
    ck_assert_uint_eq(tstream_nodes(s), 0);
    tstream_destroy(s);
}
END_TEST

/* ---- node boundaries (counts from Redis 7.0.15's XINFO STREAM) ---------------------- */

START_TEST(test_nodes_by_bytes)
{
    struct tstream_limits b100 = { 100, 100 }, b4096 = { 4096, 100 };
    struct tstream *a = tstream_create(), *c = tstream_create(), *d = tstream_create();
    char big[1001], num[32];
    memset(big, 'x', 1000);
    big[1000] = '\0';
    for (uint64_t i = 1; i <= 30; i++)
        add_pairs(a, ID(i, 1), &b100, "f", "v", NULL);
    ck_assert_uint_eq(tstream_nodes(a), 4);          /* 8 + 8 + 8 + 6 */
    for (uint64_t i = 1; i <= 10; i++)
        add_pairs(c, ID(i, 1), &b4096, "f", big, NULL);
    ck_assert_uint_eq(tstream_nodes(c), 3);          /* 4 + 4 + 2 */
    for (uint64_t i = 1; i <= 30; i++) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)(i * 100000));
        add_pairs(d, ID(i, 1), &b4096, "f", num, NULL);
    }
    ck_assert_uint_eq(tstream_nodes(d), 1);
    tstream_destroy(a);
    tstream_destroy(c);
    tstream_destroy(d);
}
END_TEST

/* Where node boundaries fall, byte for byte: 18 entries of one shape,
 * stream-node-max-bytes swept over 20..1499, node counts compared with
 * Redis 7.0.15's (radix-tree-keys, recorded as (max-bytes, nodes) at each
 * change). Shapes cover one-byte and 16-bit integers, 1- and 2-byte string
 * headers, 2-byte back lengths, entries whose names differ from the
 * master's, negative integers and ID deltas with sequences going back. */
struct sweep_shape {
    const char *name;
    int transitions[20][2];
};

static size_t shape_pairs(const char *name, uint64_t i, struct kv_arg *fv, char bufs[2][160])
{
    switch (name[0]) {
    case 'A': fv[0] = (struct kv_arg){ "f", 1 }; fv[1] = (struct kv_arg){ "v", 1 }; return 1;
    case 'B': fv[0] = (struct kv_arg){ "f", 1 }; fv[1] = (struct kv_arg){ "12345", 5 }; return 1;
    case 'C':
        memset(bufs[0], 'x', 70);
        fv[0] = (struct kv_arg){ "name", 4 };
        fv[1] = (struct kv_arg){ bufs[0], 70 };
        return 1;
    case 'D':
        if (i % 2) {
            fv[0] = (struct kv_arg){ "a", 1 };
            fv[1] = (struct kv_arg){ "1", 1 };
            return 1;
        }
        fv[0] = (struct kv_arg){ "b", 1 };
        fv[1] = (struct kv_arg){ "-2", 2 };
        fv[2] = (struct kv_arg){ "c", 1 };
        fv[3] = (struct kv_arg){ "0123", 4 };
        return 2;
    case 'E':
        memset(bufs[0], 'y', 130);
        fv[0] = (struct kv_arg){ "f", 1 };
        fv[1] = (struct kv_arg){ bufs[0], 130 };
        return 1;
    case 'G': {
        /* the edges of Redis' encodings: string headers at 64, back lengths
         * at 127, integer widths, and strings that are not canonical */
        static const char *const vals[] = { NULL, NULL, NULL, NULL, "-4096", "4095", "4096", "127", "128",
                                            "-4097", "-32768", "-32769", "8388607", "-8388609", "2147483648",
                                            "-2147483648", "00", "-0" };
        static const size_t vlens[] = { 63, 64, 126, 127 };
        size_t j = i % 18;
        fv[0] = (struct kv_arg){ "f", 1 };
        if (j < 4) {
            memset(bufs[0], 'v', vlens[j]);
            fv[1] = (struct kv_arg){ bufs[0], vlens[j] };
        } else {
            fv[1] = (struct kv_arg){ vals[j], strlen(vals[j]) };
        }
        return 1;
    }
    case 'H':   /* a 127-byte encoding: the last with a 1-byte back length */
        memset(bufs[0], 'v', 125);
        fv[0] = (struct kv_arg){ "f", 1 };
        fv[1] = (struct kv_arg){ bufs[0], 125 };
        return 1;
    default:
        fv[0] = (struct kv_arg){ "f", 1 };
        fv[1] = (struct kv_arg){ bufs[0], (size_t)snprintf(bufs[0], 160, "%llu", (unsigned long long)(i * 1000003)) };
        fv[2] = (struct kv_arg){ "g", 1 };
        fv[3] = (struct kv_arg){ bufs[1], (size_t)snprintf(bufs[1], 160, "-%llu", (unsigned long long)(i * 7)) };
        return 2;
    }
}

START_TEST(test_node_bytes_sweep)
{
    static const struct sweep_shape shapes[] = {
        { "A", { { 20, 18 }, { 32, 9 }, { 43, 6 }, { 57, 5 }, { 68, 4 }, { 80, 3 }, { 117, 2 }, { 228, 1 } } },
        { "B", { { 20, 18 }, { 37, 9 }, { 49, 6 }, { 64, 5 }, { 76, 4 }, { 89, 3 }, { 129, 2 }, { 249, 1 } } },
        { "C", { { 20, 18 }, { 177, 9 }, { 258, 6 }, { 342, 5 }, { 423, 4 }, { 505, 3 }, { 752, 2 }, { 1493, 1 } } },
        { "D", { { 20, 18 }, { 37, 9 }, { 62, 6 }, { 75, 5 }, { 96, 4 }, { 111, 3 }, { 169, 2 }, { 337, 1 } } },
        { "E", { { 20, 18 }, { 292, 9 }, { 434, 6 }, { 579, 5 }, { 721, 4 }, { 864, 3 }, { 1294, 2 } } },
        { "F", { { 20, 18 }, { 50, 14 }, { 52, 11 }, { 53, 9 }, { 66, 8 }, { 69, 7 }, { 70, 6 }, { 87, 5 },
                 { 102, 4 }, { 125, 3 }, { 180, 2 }, { 337, 1 } } },
        { "G", { { 20, 18 }, { 33, 17 }, { 34, 16 }, { 35, 15 }, { 36, 14 }, { 38, 13 }, { 41, 12 }, { 45, 11 },
                 { 48, 10 }, { 52, 9 }, { 64, 8 }, { 80, 7 }, { 100, 6 }, { 143, 5 }, { 210, 4 }, { 221, 3 },
                 { 360, 2 }, { 630, 1 } } },
        { "H", { { 20, 18 }, { 281, 9 }, { 417, 6 }, { 556, 5 }, { 692, 4 }, { 829, 3 }, { 1241, 2 } } },
    };
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        const struct sweep_shape *sh = &shapes[k];
        size_t t = 0, want = 0;
        for (int mb = 20; mb < 1500; mb++) {
            struct tstream_limits lim = { mb, 1000 };
            struct tstream *s = tstream_create();
            while (t < 20 && sh->transitions[t][0] && sh->transitions[t][0] <= mb)
                want = (size_t)sh->transitions[t++][1];
            for (uint64_t i = 1; i <= 18; i++) {
                struct kv_arg fv[4];
                char bufs[2][160];
                struct tstream_id id = ID(i * 100, i % 3), out;
                size_t np = shape_pairs(sh->name, i, fv, bufs);
                ck_assert_int_eq(tstream_add(s, TSTREAM_ID_EXPLICIT, &id, 0, fv, np, &lim, &out), TSTREAM_ADDED);
            }
            REQUIRE(tstream_nodes(s) == want, "shape %s, max-bytes %d: %zu nodes, Redis has %zu", sh->name, mb,
                    tstream_nodes(s), want);
            tstream_destroy(s);
        }
    }
}
END_TEST

/* Values of 16377 and 16378 bytes: encodings of 16382 and 16383 bytes, on
 * either side of the 2 / 3 byte back length (Redis 7.0.15: 4 entries make
 * 2 nodes from max-bytes 32789, resp. 32792, 4 below). */
START_TEST(test_node_bytes_long_values)
{
    static const struct { size_t len; long long mb; size_t nodes; } cases[] = {
        { 16377, 32788, 4 }, { 16377, 32789, 2 }, { 16378, 32791, 4 }, { 16378, 32792, 2 },
    };
    char *big = malloc(16378);
    memset(big, 'v', 16378);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct tstream_limits lim = { cases[k].mb, 1000 };
        struct tstream *s = tstream_create();
        for (uint64_t i = 1; i <= 4; i++) {
            struct kv_arg fv[2] = { { "f", 1 }, { big, cases[k].len } };
            struct tstream_id id = ID(i * 100, i % 3), out;
            ck_assert_int_eq(tstream_add(s, TSTREAM_ID_EXPLICIT, &id, 0, fv, 1, &lim, &out), TSTREAM_ADDED);
        }
        REQUIRE(tstream_nodes(s) == cases[k].nodes, "len %zu, max-bytes %lld: %zu nodes", cases[k].len,
                cases[k].mb, tstream_nodes(s));
        tstream_destroy(s);
    }
    free(big);
}
END_TEST

START_TEST(test_nodes_by_entries)
{
    struct tstream_limits e5 = { 4096, 5 }, e0 = { 4096, 0 }, unlimited = { 0, 0 };
    struct tstream *s = tstream_create(), *t = tstream_create();
    for (uint64_t i = 1; i <= 23; i++)
        add_pairs(s, ID(i, 1), &e5, "f", "v", NULL);
    ck_assert_uint_eq(tstream_nodes(s), 5);
    for (uint64_t i = 1; i <= 300; i++)
        add_pairs(t, ID(i, 1), &e0, "f", "v", NULL);
    ck_assert_uint_eq(tstream_nodes(t), 1);          /* 0: no entry limit; 3309 bytes */
    tstream_destroy(t);
    t = tstream_create();
    for (uint64_t i = 1; i <= 300; i++)
        add_pairs(t, ID(i, 1), &unlimited, "f", "v", NULL);
    ck_assert_uint_eq(tstream_nodes(t), 1);
    tstream_destroy(s);
    tstream_destroy(t);
}
END_TEST

START_TEST(test_dup)
{
    struct tstream *s = tstream_create(), *d;
    struct tstream_id id = ID(2, 0);
    for (uint64_t i = 1; i <= 150; i++)
        add_ok(s, i, 0);
    tstream_delete(s, &id);
    d = tstream_dup(s);
    ck_assert(tstream_verify(d));
    ck_assert_uint_eq(tstream_length(d), 149);
    ck_assert_uint_eq(tstream_nodes(d), 2);
    id = tstream_max_deleted_id(d);
    ck_assert(id.ms == 2);
    add_ok(d, 151, 0);
    ck_assert_uint_eq(tstream_length(s), 149);
    ck_assert_uint_eq(trim(d, TSTREAM_TRIM_MAXLEN, true, 0, MIN_ID, 10000), 150);
    ck_assert_uint_eq(tstream_length(s), 149);
    ck_assert(tstream_verify(s));
    ck_assert_int_eq(tstream_ops.encoding(s), KV_ENC_STREAM);
    tstream_ops.destroy(d);
    d = tstream_ops.dup(s);
    ck_assert_uint_eq(tstream_length(d), 149);
    tstream_destroy(d);
    tstream_destroy(s);
    tstream_destroy(NULL);
}
END_TEST

/* ---- persistence ------------------------------------------------------------------- */

/* Copies s into a new stream through the persistence API (what a codec
 * does with bytes in between); NULL if a load step refuses. */
static struct tstream *reload(const struct tstream *s, int damage)
{
    struct tstream *d = tstream_create();
    bool ok = true;
    for (size_t i = 0; ok && i < tstream_nodes(s); i++) {
        struct tstream_node_info info;
        struct kv_arg names[16], fv[32];
        struct tstream_iter it;
        struct tstream_id id;
        size_t np, k = 0;
        tstream_node_info(s, i, &info);
        ck_assert_uint_le(info.nnames, 16);
        for (size_t j = 0; j < info.nnames; j++)
            tstream_node_name(s, i, j, &names[j].ptr, &names[j].len);
        if (damage == 1 && i == 1)
            info.master.ms = 0;               /* not above the previous node */
        if (damage == 2 && i == 0)
            info.live++;                      /* one entry will be missing */
        ok = tstream_load_node(d, &info, names);
        tstream_iter_init_node(&it, s, i);
        while (ok && tstream_iter_next(&it, &id, &np)) {
            ck_assert_uint_le(np, 16);
            for (size_t j = 0; j < np; j++)
                tstream_iter_pair(&it, &fv[2 * j].ptr, &fv[2 * j].len, &fv[2 * j + 1].ptr, &fv[2 * j + 1].len);
            if (damage == 3 && i == 0 && k == 1)
                id.ms = 0;                    /* below the node's first ID */
            ok = tstream_load_entry(d, &id, fv, np);
            k++;
        }
        if (ok && !damage)
            ck_assert_uint_eq(k, info.live);
    }
    if (ok) {
        struct tstream_id last = tstream_last_id(s), maxdel = tstream_max_deleted_id(s);
        if (damage == 4)
            last.ms = 0;
        ok = tstream_load_finish(d, &last, tstream_entries_added(s), &maxdel);
    }
    if (!ok) {
        tstream_destroy(d);
        return NULL;
    }
    return d;
}

START_TEST(test_persistence_roundtrip)
{
    struct tstream_limits lim = { 4096, 10 };
    struct tstream *s = tstream_create(), *d;
    struct tstream_id id;
    char a[TSTREAM_ID_STRSIZE * 64], b[TSTREAM_ID_STRSIZE * 64];
    for (uint64_t i = 1; i <= 45; i++)
        add_pairs(s, ID(i, 1), &lim, i % 4 ? "f" : "g", "v", "n", i % 3 ? "1" : "two", NULL);
    for (uint64_t i = 1; i <= 45; i += 4) {
        id = ID(i, 1);
        tstream_delete(s, &id);                       /* tombstones, first names gone */
    }
    trim(s, TSTREAM_TRIM_MAXLEN, false, 30, MIN_ID, 0);
    d = reload(s, 0);
    ck_assert_ptr_nonnull(d);
    ck_assert(tstream_verify(d));
    ck_assert_uint_eq(tstream_nodes(d), tstream_nodes(s));
    ck_assert_uint_eq(tstream_length(d), tstream_length(s));
    ck_assert_uint_eq(tstream_entries_added(d), 45);
    range_text(s, MIN_ID, MAX_ID, false, a, sizeof(a));
    range_text(d, MIN_ID, MAX_ID, false, b, sizeof(b));
    ck_assert_str_eq(a, b);
    /* damaged input is refused */
    ck_assert_uint_eq(tstream_nodes(s), 5);
    for (int damage = 1; damage <= 4; damage++)
        ck_assert_msg(reload(s, damage) == NULL, "damage %d accepted", damage);
    /* the same future: appends and approximate trims cut alike */
    for (uint64_t i = 46; i <= 70; i++) {
        add_pairs(s, ID(i, 0), &lim, "f", "v", NULL);
        add_pairs(d, ID(i, 0), &lim, "f", "v", NULL);
        ck_assert_uint_eq(tstream_nodes(d), tstream_nodes(s));
    }
    for (int keep = 40; keep > 0; keep -= 7)
        ck_assert_uint_eq(trim(d, TSTREAM_TRIM_MAXLEN, true, (uint64_t)keep, MIN_ID, 0),
                          trim(s, TSTREAM_TRIM_MAXLEN, true, (uint64_t)keep, MIN_ID, 0));
    id = tstream_max_deleted_id(d);
    ck_assert(id.ms == 45);
    tstream_destroy(d);
    tstream_destroy(s);
    /* an empty stream that once had entries */
    s = tstream_create();
    add_ok(s, 5, 5);
    id = ID(5, 5);
    tstream_delete(s, &id);
    d = reload(s, 0);
    ck_assert_ptr_nonnull(d);
    id = tstream_last_id(d);
    ck_assert(id.ms == 5 && id.seq == 5 && tstream_length(d) == 0 && tstream_nodes(d) == 0);
    ck_assert_int_eq(add_pairs(d, ID(5, 5), &DEFAULTS, "f", "v", NULL), TSTREAM_ID_TOO_SMALL);
    tstream_destroy(d);
    tstream_destroy(s);
}
END_TEST

/* ---- random operations against a model ------------------------------------------------ */

struct mentry {
    struct tstream_id id;
    char val[16];
};

START_TEST(test_random_vs_model)
{
    uint64_t seed = 0x9E3779B97F4A7C15ULL + (uint64_t)_i * 7919;
    struct tstream_limits lim = { (long long)(xorshift(&seed) % 3 == 0 ? 150 : 4096),
                                  (long long)(1 + xorshift(&seed) % 12) };
    struct tstream *s = tstream_create();
    struct mentry *m = calloc(4000, sizeof(*m));
    size_t n = 0;
    uint64_t ms = 1;

    for (int step = 0; step < 6000; step++) {
        uint64_t r = xorshift(&seed) % 100;
        if (r < 55 && n < 4000) {
            struct tstream_id id;
            ms += xorshift(&seed) % 3;
            id = ID(ms, xorshift(&seed) % 4);
            struct mentry e = { id, "" };
            struct tstream_id last = tstream_last_id(s);
            bool above = tstream_id_cmp(&id, &last) > 0;
            snprintf(e.val, sizeof(e.val), "%d", step);
            enum tstream_add_result res = add_pairs(s, id, &lim, xorshift(&seed) % 4 ? "f" : "g", e.val, NULL);
            if (res == TSTREAM_ADDED) {
                REQUIRE(above, "added an ID not above the last");
                m[n++] = e;
            } else {
                REQUIRE(res == TSTREAM_ID_TOO_SMALL, "unexpected add result %d", res);
            }
        } else if (r < 80 && n > 0) {
            size_t k = xorshift(&seed) % n;
            struct tstream_id id = m[k].id;
            REQUIRE(tstream_delete(s, &id), "delete of a present entry failed");
            memmove(m + k, m + k + 1, sizeof(*m) * (n - k - 1));
            n--;
            REQUIRE(!tstream_delete(s, &id), "delete twice");
        } else if (r < 90) {
            uint64_t keep = xorshift(&seed) % (n + 5);
            uint64_t want = n > keep ? n - keep : 0;
            REQUIRE(trim(s, TSTREAM_TRIM_MAXLEN, false, keep, MIN_ID, 0) == want, "exact MAXLEN count");
            memmove(m, m + want, sizeof(*m) * (n - want));
            n -= want;
        } else if (r < 95 && n > 0) {
            struct tstream_id minid = m[xorshift(&seed) % n].id;
            size_t below = 0;
            while (below < n && tstream_id_cmp(&m[below].id, &minid) < 0)
                below++;
            REQUIRE(trim(s, TSTREAM_TRIM_MINID, false, 0, minid, 0) == below, "exact MINID count");
            memmove(m, m + below, sizeof(*m) * (n - below));
            n -= below;
        } else {
            /* approximate: whatever it removes must be a prefix */
            uint64_t gone = trim(s, TSTREAM_TRIM_MAXLEN, true, xorshift(&seed) % (n + 1), MIN_ID, 0);
            REQUIRE(gone <= n, "approx trimmed too much");
            memmove(m, m + gone, sizeof(*m) * (n - gone));
            n -= gone;
        }
        REQUIRE(tstream_verify(s), "verify at step %d", step);
        REQUIRE(tstream_length(s) == n, "length %llu, model %zu", (unsigned long long)tstream_length(s), n);
        if (step % 97 == 0 || n < 3) {
            struct tstream_iter it;
            struct tstream_id id;
            size_t np, k = 0;
            const char *f, *v;
            size_t flen, vlen;
            tstream_iter_init(&it, s, &MIN_ID, &MAX_ID, step % 2);
            while (tstream_iter_next(&it, &id, &np)) {
                const struct mentry *e = &m[step % 2 ? n - 1 - k : k];
                REQUIRE(k < n && tstream_id_cmp(&id, &e->id) == 0, "entry %zu differs", k);
                REQUIRE(np == 1 && tstream_iter_pair(&it, &f, &flen, &v, &vlen), "pairs");
                REQUIRE(vlen == strlen(e->val) && memcmp(v, e->val, vlen) == 0, "value differs");
                k++;
            }
            REQUIRE(k == n, "walked %zu of %zu", k, n);
        }
    }
    free(m);
    tstream_destroy(s);
}
END_TEST

/* ---- memory --------------------------------------------------------------------------- */

/* RQ's result entries: 4 fields, the same names in every entry. */
START_TEST(test_memory_per_entry)
{
    struct tstream *s = tstream_create();
    const size_t n = 100000;
    size_t bytes;
    char ts[32];
    struct kv_arg fv[8] = { { "type", 4 }, { "1", 1 }, { "return_value", 12 }, { "gASVCAAAAAAAAACMBHRlc3SULg==", 28 },
                            { "created_at", 10 }, { ts, 0 } };
    for (size_t i = 0; i < n; i++) {
        struct tstream_id out;
        fv[5].len = (size_t)snprintf(ts, sizeof(ts), "2026-01-01T00:%02zu:%02zu.123456Z", (i / 60) % 60, i % 60);
        ck_assert_int_eq(tstream_add(s, TSTREAM_ID_AUTO, NULL, (int64_t)(1700000000000 + i), fv, 3, &DEFAULTS, &out),
                         TSTREAM_ADDED);
    }
    bytes = tstream_mem_usage(s);
    /* values 1 + 28 + 27 bytes; Redis' listpack spends about 73 bytes per
     * such entry (shared names, deltas, per-element headers). */
    REQUIRE(bytes / n <= 75, "%zu bytes per entry", bytes / n);
    ck_assert(tstream_verify(s));
    tstream_destroy(s);
}
END_TEST

static Suite *tstream_suite(void)
{
    Suite *s = suite_create("t_stream");
    TCase *ids = tcase_create("ids"), *add = tcase_create("add"), *rm = tcase_create("remove"),
          *nodes = tcase_create("nodes"), *model = tcase_create("model"), *mem = tcase_create("memory");
    tcase_add_test(ids, test_id_cmp_incr_decr);
    tcase_add_test(ids, test_id_format);
    tcase_add_test(ids, test_id_parse);
    suite_add_tcase(s, ids);
    tcase_add_test(add, test_add_ids);
    tcase_add_test(add, test_pairs_roundtrip);
    tcase_add_test(add, test_ranges);
    suite_add_tcase(s, add);
    tcase_add_test(rm, test_delete);
    tcase_add_test(rm, test_trim_maxlen);
    tcase_add_test(rm, test_trim_minid_and_limit);
    tcase_add_test(rm, test_trim_node_of_tombstones);
    suite_add_tcase(s, rm);
    tcase_add_test(nodes, test_nodes_by_bytes);
    tcase_add_test(nodes, test_node_bytes_sweep);
    tcase_add_test(nodes, test_node_bytes_long_values);
    tcase_add_test(nodes, test_nodes_by_entries);
    tcase_add_test(nodes, test_dup);
    tcase_add_test(nodes, test_persistence_roundtrip);
    suite_add_tcase(s, nodes);
    tcase_set_timeout(model, 120);
    tcase_add_loop_test(model, test_random_vs_model, 0, 6);
    suite_add_tcase(s, model);
    tcase_set_timeout(mem, 120);
    tcase_add_test(mem, test_memory_per_entry);
    suite_add_tcase(s, mem);
    return s;
}

int main(void)
{
    int failed;
    SRunner *sr = srunner_create(tstream_suite());
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
