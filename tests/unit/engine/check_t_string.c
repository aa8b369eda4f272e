/*
 * check_t_string: the bit and range helpers of engine/t_string.c.
 *
 * Fixed cases come from redis-server 7.0.15 (the same commands run there).
 * Every range function is also checked against a naive reference that walks
 * the string bit by bit, over random strings (a fixed seed per test),
 * random unaligned starting addresses and random ranges, including the
 * negative and out-of-range indexes Redis clamps.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/t_string.h"

#define REQUIRE(cond)                                                       \
    do {                                                                    \
        if (!(cond))                                                        \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);           \
    } while (0)

#define U(s) ((const unsigned char *)(s))

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void setup(void) { rng = 0x2545f4914f6cdd1dull; }
static void teardown(void) {}

/* Random bytes biased towards runs of 0x00 and 0xff, so searches meet long
 * runs of words with nothing to find. */
static void fill(unsigned char *p, size_t n)
{
    int mode = (int)(rnd() % 4);
    for (size_t i = 0; i < n; i++) {
        if (rnd() % 16 == 0)
            mode = (int)(rnd() % 4);
        p[i] = mode == 0 ? 0x00 : mode == 1 ? 0xff : (unsigned char)rnd();
    }
}

/* A random index in [-2*len-3, 2*len+3], sometimes extreme. */
static long long rnd_index(long long len)
{
    switch (rnd() % 10) {
    case 0: return INT64_MIN;
    case 1: return INT64_MAX;
    default: return (long long)(rnd() % (uint64_t)(4 * len + 7)) - (2 * len + 3);
    }
}

/* ---- naive references ----------------------------------------------------- */

static int ref_bit(const unsigned char *p, size_t len, uint64_t i)
{
    return i / 8 < len ? (p[i / 8] >> (7 - i % 8)) & 1 : 0;
}

/* Redis' index rules; false when empty. */
static int ref_resolve(long long total, long long *s, long long *e)
{
    if (*s < 0)
        *s += total;
    if (*e < 0)
        *e += total;
    if (*s < 0)
        *s = 0;
    if (*e < 0)
        *e = 0;
    if (*e >= total)
        *e = total - 1;
    return *s <= *e;
}

static uint64_t ref_bitcount(const unsigned char *p, size_t len, long long s, long long e, int bit_unit)
{
    long long total = bit_unit ? (long long)len * 8 : (long long)len;
    uint64_t n = 0;
    if (s < 0 && e < 0 && s > e)
        return 0;
    if (!ref_resolve(total, &s, &e))
        return 0;
    if (!bit_unit) {
        s *= 8;
        e = e * 8 + 7;
    }
    for (long long i = s; i <= e; i++)
        n += (uint64_t)ref_bit(p, len, (uint64_t)i);
    return n;
}

static int64_t ref_bitpos(const unsigned char *p, size_t len, int bit, long long s, long long e, int end_given,
                          int bit_unit)
{
    long long total = bit_unit ? (long long)len * 8 : (long long)len;
    if (!end_given)
        e = total - 1;
    if (!ref_resolve(total, &s, &e))
        return -1;
    if (!bit_unit) {
        s *= 8;
        e = e * 8 + 7;
    }
    for (long long i = s; i <= e; i++)
        if (ref_bit(p, len, (uint64_t)i) == bit)
            return i;
    return bit == 0 && !end_given ? e + 1 : -1;
}

/* ---- whole-byte primitives -------------------------------------------------- */

START_TEST(test_count_fixed)
{
    ck_assert_uint_eq(bits_count(U(""), 0), 0);
    ck_assert_uint_eq(bits_count(U("foobar"), 6), 26);
    ck_assert_uint_eq(bits_count(U("\xff\xff\xff"), 3), 24);
    ck_assert_uint_eq(bits_count(U("1234"), 4), 13);   /* BITCOUNT of an int-encoded 1234 */
}
END_TEST

START_TEST(test_count_random_unaligned)
{
    unsigned char buf[300];
    for (int iter = 0; iter < 2000; iter++) {
        size_t off = rnd() % 8, len = rnd() % (sizeof(buf) - 8);
        uint64_t want = 0;
        fill(buf + off, len);
        for (size_t i = 0; i < len * 8; i++)
            want += (uint64_t)ref_bit(buf + off, len, i);
        REQUIRE(bits_count(buf + off, len) == want);
    }
}
END_TEST

START_TEST(test_pos_edges)
{
    /* empty: zero-padded for 0, nothing for 1 */
    ck_assert_int_eq(bits_pos(U(""), 0, 0), 0);
    ck_assert_int_eq(bits_pos(U(""), 0, 1), -1);
    /* all ones: the first clear bit is right after the string */
    ck_assert_int_eq(bits_pos(U("\xff\xff"), 2, 0), 16);
    ck_assert_int_eq(bits_pos(U("\x00\x00\x00"), 3, 1), -1);
    ck_assert_int_eq(bits_pos(U("\x00\x00\x00"), 3, 0), 0);
    ck_assert_int_eq(bits_pos(U("\xff\xf0\x00"), 3, 0), 12);
    ck_assert_int_eq(bits_pos(U("\x00\x00\x01"), 3, 1), 23);
    /* a hit after whole words with nothing in them */
    ck_assert_int_eq(bits_pos(U("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x40"), 17, 1), 16 * 8 + 1);
    ck_assert_int_eq(bits_pos(U("\xff\xff\xff\xff\xff\xff\xff\xff\xfe"), 9, 0), 71);
}
END_TEST

START_TEST(test_pos_random_unaligned)
{
    unsigned char buf[200];
    for (int iter = 0; iter < 3000; iter++) {
        size_t off = rnd() % 8, len = rnd() % (sizeof(buf) - 8);
        int bit = (int)(rnd() & 1);
        int64_t want = bit ? -1 : (int64_t)len * 8;
        fill(buf + off, len);
        for (size_t i = 0; i < len * 8; i++)
            if (ref_bit(buf + off, len, i) == bit) {
                want = (int64_t)i;
                break;
            }
        REQUIRE(bits_pos(buf + off, len, bit) == want);
    }
}
END_TEST

START_TEST(test_get_set)
{
    unsigned char b[2] = { 0, 0 };
    ck_assert_int_eq(bits_set(b, 0, 1), 0);
    ck_assert_int_eq(bits_set(b, 15, 1), 0);
    ck_assert_int_eq(bits_set(b, 15, 1), 1);
    ck_assert_uint_eq(b[0], 0x80);
    ck_assert_uint_eq(b[1], 0x01);
    ck_assert_int_eq(bits_get(b, 2, 0), 1);
    ck_assert_int_eq(bits_get(b, 2, 1), 0);
    ck_assert_int_eq(bits_get(b, 2, 15), 1);
    ck_assert_int_eq(bits_get(b, 2, 16), 0);                  /* past the end */
    ck_assert_int_eq(bits_get(b, 2, UINT64_C(1) << 40), 0);
    ck_assert_int_eq(bits_set(b, 0, 0), 1);
    ck_assert_uint_eq(b[0], 0);
}
END_TEST

/* ---- BITOP ---------------------------------------------------------------- */

START_TEST(test_op_different_lengths)
{
    const unsigned char *src[3] = { U("\xf0\x0f\xff"), U("\xff"), U("\x0f\xf0") };
    size_t len[3] = { 3, 1, 2 };
    unsigned char out[3];

    bits_op(BITS_AND, out, 3, src, len, 3);   /* shorter sources count as zeros */
    ck_assert_mem_eq(out, "\x00\x00\x00", 3);
    bits_op(BITS_AND, out, 3, src, len, 2);
    ck_assert_mem_eq(out, "\xf0\x00\x00", 3);
    bits_op(BITS_OR, out, 3, src, len, 3);
    ck_assert_mem_eq(out, "\xff\xff\xff", 3);
    bits_op(BITS_XOR, out, 3, src, len, 3);
    ck_assert_mem_eq(out, "\x00\xff\xff", 3);
    bits_op(BITS_XOR, out, 3, src, len, 1);   /* one source: a copy */
    ck_assert_mem_eq(out, "\xf0\x0f\xff", 3);
    bits_op(BITS_NOT, out, 3, src, len, 1);
    ck_assert_mem_eq(out, "\x0f\xf0\x00", 3);
}
END_TEST

START_TEST(test_op_missing_source)
{
    /* a missing key is an empty source: AND gives zeros of the longest length */
    const unsigned char *src[2] = { NULL, U("\xff\xff") };
    size_t len[2] = { 0, 2 };
    unsigned char out[2];
    bits_op(BITS_AND, out, 2, src, len, 2);
    ck_assert_mem_eq(out, "\x00\x00", 2);
    bits_op(BITS_OR, out, 2, src, len, 2);
    ck_assert_mem_eq(out, "\xff\xff", 2);
}
END_TEST

START_TEST(test_op_random)
{
    unsigned char a[40], b[40], c[40], out[40];
    for (int iter = 0; iter < 500; iter++) {
        const unsigned char *src[3] = { a, b, c };
        size_t len[3] = { rnd() % 40, rnd() % 40, rnd() % 40 }, max = 0;
        enum bits_op op = (enum bits_op)(rnd() % 3);
        fill(a, len[0]);
        fill(b, len[1]);
        fill(c, len[2]);
        for (int k = 0; k < 3; k++)
            max = len[k] > max ? len[k] : max;
        bits_op(op, out, max, src, len, 3);
        for (size_t i = 0; i < max; i++) {
            unsigned x = i < len[0] ? a[i] : 0, y = i < len[1] ? b[i] : 0, z = i < len[2] ? c[i] : 0;
            unsigned want = op == BITS_AND ? x & y & z : op == BITS_OR ? x | y | z : x ^ y ^ z;
            REQUIRE(out[i] == want);
        }
    }
}
END_TEST

/* ---- ranges --------------------------------------------------------------- */

START_TEST(test_range_getrange)
{
    size_t from;
    ck_assert_uint_eq(kv_str_range(5, 0, -1, &from), 5);
    ck_assert_uint_eq(from, 0);
    ck_assert_uint_eq(kv_str_range(5, -1, -5, &from), 0);
    ck_assert_uint_eq(kv_str_range(5, -100, 100, &from), 5);
    ck_assert_uint_eq(kv_str_range(5, 3, 1, &from), 0);
    ck_assert_uint_eq(kv_str_range(5, -100, -200, &from), 0);   /* both negative, start > end */
    ck_assert_uint_eq(kv_str_range(5, INT64_MAX, INT64_MIN, &from), 0);
    ck_assert_uint_eq(kv_str_range(5, INT64_MIN, INT64_MAX, &from), 5);
    ck_assert_uint_eq(kv_str_range(5, 1, 2, &from), 2);
    ck_assert_uint_eq(from, 1);
    ck_assert_uint_eq(kv_str_range(5, -2, -1, &from), 2);
    ck_assert_uint_eq(from, 3);
    ck_assert_uint_eq(kv_str_range(0, 0, -1, &from), 0);
    ck_assert_uint_eq(kv_str_range(0, 0, 0, &from), 0);
}
END_TEST

START_TEST(test_bitcount_fixed)
{
    const unsigned char *s = U("foobar");
    ck_assert_uint_eq(kv_str_bitcount(s, 6, 0, -1, false), 26);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, 0, 1, true), 1);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, 0, 1, false), 10);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, 5, 30, true), 17);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, -1, -2, false), 0);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, -100, -200, false), 0);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, -5, -1, true), 2);
    ck_assert_uint_eq(kv_str_bitcount(s, 6, 1, 0, true), 0);
    ck_assert_uint_eq(kv_str_bitcount(U(""), 0, 0, -1, false), 0);
    ck_assert_uint_eq(kv_str_bitcount(U(""), 0, 0, -1, true), 0);
}
END_TEST

START_TEST(test_bitcount_random)
{
    unsigned char buf[80];
    for (int iter = 0; iter < 20000; iter++) {
        size_t off = rnd() % 8, len = rnd() % (sizeof(buf) - 8);
        bool bit_unit = rnd() & 1;
        long long total = bit_unit ? (long long)len * 8 : (long long)len;
        long long s = rnd_index(total), e = rnd_index(total);
        fill(buf + off, len);
        REQUIRE(kv_str_bitcount(buf + off, len, s, e, bit_unit) == ref_bitcount(buf + off, len, s, e, bit_unit));
    }
}
END_TEST

START_TEST(test_bitpos_fixed)
{
    const unsigned char *ff = U("\xff\xff"), *z = U("\x00\x00");
    const unsigned char *s = U("foobar");
    /* whole string: looking for 0 in all ones gives the bit after it */
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 0, 0, -1, false, false), 16);
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 0, 0, 0, false, false), 16);
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 0, 1, 0, false, false), 16);
    /* an explicit end makes the range closed */
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 0, 0, -1, true, false), -1);
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 0, 3, 7, true, true), -1);
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 0, 3, 100, true, true), -1);
    ck_assert_int_eq(kv_str_bitpos(ff, 2, 1, 3, 100, true, true), 3);
    ck_assert_int_eq(kv_str_bitpos(z, 2, 1, 0, -1, false, false), -1);
    ck_assert_int_eq(kv_str_bitpos(z, 2, 1, 0, -1, true, true), -1);
    ck_assert_int_eq(kv_str_bitpos(z, 2, 0, 9, 15, true, true), 9);
    /* empty string: -1 whatever is asked */
    ck_assert_int_eq(kv_str_bitpos(U(""), 0, 0, 0, -1, false, false), -1);
    ck_assert_int_eq(kv_str_bitpos(U(""), 0, 1, 0, -1, false, false), -1);
    ck_assert_int_eq(kv_str_bitpos(U(""), 0, 0, 0, -1, true, true), -1);
    ck_assert_int_eq(kv_str_bitpos(s, 6, 1, 0, -1, true, true), 1);
    ck_assert_int_eq(kv_str_bitpos(s, 6, 0, 0, -1, true, true), 0);
    ck_assert_int_eq(kv_str_bitpos(U("1234"), 4, 1, 0, -1, false, false), 2);
    /* start and end inside one byte, both edges masked */
    ck_assert_int_eq(kv_str_bitpos(U("\x81"), 1, 1, 1, 6, true, true), -1);
    ck_assert_int_eq(kv_str_bitpos(U("\x7e"), 1, 0, 1, 6, true, true), -1);
    ck_assert_int_eq(kv_str_bitpos(U("\x7e"), 1, 0, 1, 7, true, true), 7);
}
END_TEST

START_TEST(test_bitpos_random)
{
    unsigned char buf[80];
    for (int iter = 0; iter < 40000; iter++) {
        size_t off = rnd() % 8, len = rnd() % (sizeof(buf) - 8);
        bool bit_unit = rnd() & 1, end_given = bit_unit || (rnd() & 1);
        int bit = (int)(rnd() & 1);
        long long total = bit_unit ? (long long)len * 8 : (long long)len;
        long long s = rnd_index(total), e = rnd_index(total);
        fill(buf + off, len);
        REQUIRE(kv_str_bitpos(buf + off, len, bit, s, e, end_given, bit_unit) ==
                ref_bitpos(buf + off, len, bit, s, e, end_given, bit_unit));
    }
}
END_TEST

/* ---- BITFIELD --------------------------------------------------------------- */

START_TEST(test_field_get_set)
{
    unsigned char b[4] = { 0 };
    bits_field_set(b, 0, 8, 255);
    ck_assert_uint_eq(b[0], 0xff);
    ck_assert_uint_eq(bits_field_get(b, 4, 0, 8), 255);
    ck_assert_int_eq(bits_field_get_signed(b, 4, 0, 8), -1);
    ck_assert_int_eq(bits_field_get_signed(b, 4, 0, 4), -1);
    bits_field_set(b, 8, 16, (uint64_t)-300);   /* i16 #1 -300 */
    ck_assert_int_eq(bits_field_get_signed(b, 4, 8, 16), -300);
    ck_assert_uint_eq(bits_field_get(b, 4, 8, 16), 65236);
    /* a field straddling bytes, and one running past the end (zero-padded) */
    memset(b, 0, sizeof(b));
    bits_field_set(b, 5, 7, 0x55);
    ck_assert_uint_eq(bits_field_get(b, 4, 5, 7), 0x55);
    ck_assert_uint_eq(b[0], 0x05);
    ck_assert_uint_eq(b[1], 0x50);
    ck_assert_uint_eq(bits_field_get(U("\xff"), 1, 4, 8), 0xf0);
    ck_assert_uint_eq(bits_field_get(NULL, 0, 100, 64), 0);
    /* 64-bit fields */
    ck_assert_int_eq(bits_field_get_signed(U("\x80\0\0\0\0\0\0\0"), 8, 0, 64), INT64_MIN);
    ck_assert_uint_eq(bits_field_get(U("\x80\0\0\0\0\0\0\x01"), 8, 1, 63), 1);
}
END_TEST

START_TEST(test_field_overflow_unsigned)
{
    uint64_t out = 12345;
    ck_assert_int_eq(bits_field_overflow_u(250, 5, 8, BITS_WRAP, &out), 0);
    ck_assert_uint_eq(out, 12345);   /* untouched when it fits */
    ck_assert_int_eq(bits_field_overflow_u(250, 10, 8, BITS_WRAP, &out), 1);
    ck_assert_uint_eq(out, 4);
    ck_assert_int_eq(bits_field_overflow_u(250, 10, 8, BITS_SAT, &out), 1);
    ck_assert_uint_eq(out, 255);
    out = 7;
    ck_assert_int_eq(bits_field_overflow_u(250, 10, 8, BITS_FAIL, &out), 1);
    ck_assert_uint_eq(out, 7);
    ck_assert_int_eq(bits_field_overflow_u(5, -10, 8, BITS_SAT, &out), -1);
    ck_assert_uint_eq(out, 0);
    ck_assert_int_eq(bits_field_overflow_u(5, -10, 8, BITS_WRAP, &out), -1);
    ck_assert_uint_eq(out, 251);
    /* SET u8 -1: the value itself is out of range */
    ck_assert_int_eq(bits_field_overflow_u((uint64_t)-1, 0, 8, BITS_SAT, &out), 1);
    ck_assert_uint_eq(out, 255);
    ck_assert_int_eq(bits_field_overflow_u((uint64_t)-1, 0, 8, BITS_WRAP, &out), 1);
    ck_assert_uint_eq(out, 255);
    ck_assert_int_eq(bits_field_overflow_u((uint64_t)-1, 0, 63, BITS_SAT, &out), 1);
    ck_assert_uint_eq(out, INT64_MAX);
    /* u1 */
    ck_assert_int_eq(bits_field_overflow_u(1, 1, 1, BITS_SAT, &out), 1);
    ck_assert_uint_eq(out, 1);
    ck_assert_int_eq(bits_field_overflow_u(0, 3, 1, BITS_WRAP, &out), 1);
    ck_assert_uint_eq(out, 1);
}
END_TEST

START_TEST(test_field_overflow_signed)
{
    int64_t out = 99;
    ck_assert_int_eq(bits_field_overflow_s(120, 7, 8, BITS_WRAP, &out), 0);
    ck_assert_int_eq(out, 99);
    ck_assert_int_eq(bits_field_overflow_s(120, 10, 8, BITS_WRAP, &out), 1);
    ck_assert_int_eq(out, -126);
    ck_assert_int_eq(bits_field_overflow_s(120, 10, 8, BITS_SAT, &out), 1);
    ck_assert_int_eq(out, 127);
    ck_assert_int_eq(bits_field_overflow_s(-120, -10, 8, BITS_SAT, &out), -1);
    ck_assert_int_eq(out, -128);
    ck_assert_int_eq(bits_field_overflow_s(-120, -10, 8, BITS_WRAP, &out), -1);
    ck_assert_int_eq(out, 126);
    /* 64 bits: saturate at the int64 limits */
    ck_assert_int_eq(bits_field_overflow_s(INT64_MAX - 1, INT64_MAX, 64, BITS_SAT, &out), 1);
    ck_assert_int_eq(out, INT64_MAX);
    ck_assert_int_eq(bits_field_overflow_s(INT64_MAX - 1, INT64_MAX, 64, BITS_WRAP, &out), 1);
    ck_assert_int_eq(out, -3);
    ck_assert_int_eq(bits_field_overflow_s(INT64_MIN, -1, 64, BITS_SAT, &out), -1);
    ck_assert_int_eq(out, INT64_MIN);
    ck_assert_int_eq(bits_field_overflow_s(INT64_MIN, 0, 64, BITS_SAT, &out), 0);
    /* Redis' quirk, kept: SET i8 to INT64_MIN counts as an overflow upwards */
    ck_assert_int_eq(bits_field_overflow_s(INT64_MIN, 0, 8, BITS_SAT, &out), 1);
    ck_assert_int_eq(out, 127);
    ck_assert_int_eq(bits_field_overflow_s(INT64_MIN, 0, 8, BITS_WRAP, &out), 1);
    ck_assert_int_eq(out, 0);
    /* i1 holds -1 and 0 */
    ck_assert_int_eq(bits_field_overflow_s(0, 1, 1, BITS_SAT, &out), 1);
    ck_assert_int_eq(out, 0);
    ck_assert_int_eq(bits_field_overflow_s(-1, -5, 1, BITS_SAT, &out), -1);
    ck_assert_int_eq(out, -1);
}
END_TEST

/* ---- LCS ------------------------------------------------------------------- */

struct matches {
    struct kv_lcs_match m[16];
    int n;
};

static void collect(void *ctx, const struct kv_lcs_match *m)
{
    struct matches *ms = ctx;
    if (ms->n < 16)
        ms->m[ms->n] = *m;
    ms->n++;
}

START_TEST(test_lcs)
{
    unsigned char out[32];
    struct matches ms = { .n = 0 };
    long long n = kv_str_lcs(U("ohmytext"), 8, U("mynewtext"), 9, true, out, collect, &ms);
    ck_assert_int_eq(n, 6);
    ck_assert_mem_eq(out, "mytext", 6);
    /* LCS lcs1 lcs2 IDX on redis: [[4,7],[5,8]] then [[2,3],[0,1]] */
    ck_assert_int_eq(ms.n, 2);
    ck_assert_uint_eq(ms.m[0].a_start, 4);
    ck_assert_uint_eq(ms.m[0].a_end, 7);
    ck_assert_uint_eq(ms.m[0].b_start, 5);
    ck_assert_uint_eq(ms.m[0].b_end, 8);
    ck_assert_uint_eq(ms.m[1].a_start, 2);
    ck_assert_uint_eq(ms.m[1].a_end, 3);
    ck_assert_uint_eq(ms.m[1].b_start, 0);
    ck_assert_uint_eq(ms.m[1].b_end, 1);

    ms.n = 0;
    n = kv_str_lcs(U("abcXdefYghiZjkl"), 15, U("ZabcdefQghijkl"), 14, true, out, collect, &ms);
    ck_assert_int_eq(n, 12);
    ck_assert_mem_eq(out, "abcdefghijkl", 12);
    ck_assert_int_eq(ms.n, 4);
    ck_assert_uint_eq(ms.m[0].a_start, 12);
    ck_assert_uint_eq(ms.m[0].b_start, 11);
    ck_assert_uint_eq(ms.m[3].a_start, 0);
    ck_assert_uint_eq(ms.m[3].a_end, 2);
    ck_assert_uint_eq(ms.m[3].b_start, 1);
    ck_assert_uint_eq(ms.m[3].b_end, 3);

    /* length only, and empty inputs */
    ck_assert_int_eq(kv_str_lcs(U("ohmytext"), 8, U("mynewtext"), 9, false, NULL, NULL, NULL), 6);
    ms.n = 0;
    ck_assert_int_eq(kv_str_lcs(U(""), 0, U("abc"), 3, true, out, collect, &ms), 0);
    ck_assert_int_eq(ms.n, 0);
    ck_assert_int_eq(kv_str_lcs(U(""), 0, U(""), 0, true, out, collect, &ms), 0);
    /* identical strings: one stretch covering both */
    ms.n = 0;
    ck_assert_int_eq(kv_str_lcs(U("same"), 4, U("same"), 4, true, out, collect, &ms), 4);
    ck_assert_int_eq(ms.n, 1);
    ck_assert_uint_eq(ms.m[0].a_start, 0);
    ck_assert_uint_eq(ms.m[0].a_end, 3);
    ck_assert_uint_eq(kv_str_lcs_table_bytes(8, 9), 9 * 10 * 4);
    ck_assert_uint_eq(kv_str_lcs_table_bytes(SIZE_MAX, 2), 0);   /* overflow */
}
END_TEST

static Suite *t_string_suite(void)
{
    Suite *s = suite_create("t_string");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_count_fixed);
    tcase_add_test(tc, test_count_random_unaligned);
    tcase_add_test(tc, test_pos_edges);
    tcase_add_test(tc, test_pos_random_unaligned);
    tcase_add_test(tc, test_get_set);
    tcase_add_test(tc, test_op_different_lengths);
    tcase_add_test(tc, test_op_missing_source);
    tcase_add_test(tc, test_op_random);
    tcase_add_test(tc, test_range_getrange);
    tcase_add_test(tc, test_bitcount_fixed);
    tcase_add_test(tc, test_bitcount_random);
    tcase_add_test(tc, test_bitpos_fixed);
    tcase_add_test(tc, test_bitpos_random);
    tcase_add_test(tc, test_field_get_set);
    tcase_add_test(tc, test_field_overflow_unsigned);
    tcase_add_test(tc, test_field_overflow_signed);
    tcase_add_test(tc, test_lcs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(t_string_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
