/*
 * check_numfmt: Redis 7.0 number syntax and formatting (engine/numfmt.c).
 *
 * Every expected string below is what redis-server 7.0.15 answered:
 *   integers   INCRBY k <in> on a missing key        (:<v> or an error)
 *   long dbl   INCRBYFLOAT k <in> on a missing key   (bulk or an error)
 *   double     ZADD z <in> m; ZSCORE z m             (skiplist encoding)
 *   listpack   ZADD z <in> m; ZSCAN z 0              (listpack encoding)
 * Tables use S("...") so embedded NULs keep their exact length. NULL as the
 * expected text means "rejected".
 */
#include <check.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/numfmt.h"

#define S(lit) lit, sizeof(lit) - 1

struct io {
    const char *in;
    size_t len;
    const char *want;   /* NULL: rejected */
};

/* --------------------------------------------------------------- integers */

static const struct io ll_cases[] = {
    { S("0"), "0" },
    { S("1"), "1" },
    { S("-1"), "-1" },
    { S("99"), "99" },
    { S("-99"), "-99" },
    { S("9223372036854775807"), "9223372036854775807" },
    { S("-9223372036854775808"), "-9223372036854775808" },
    { S("9223372036854775808"), NULL },
    { S("-9223372036854775809"), NULL },
    { S("18446744073709551615"), NULL },
    { S("18446744073709551616"), NULL },
    { S("99999999999999999999"), NULL },
    { S("100000000000000000000"), NULL },
    { S(""), NULL },
    { S("-"), NULL },
    { S("-0"), NULL },
    { S("00"), NULL },
    { S("01"), NULL },
    { S("-01"), NULL },
    { S("+1"), NULL },
    { S("+0"), NULL },
    { S(" 1"), NULL },
    { S("1 "), NULL },
    { S("1\0"), NULL },
    { S("1\0002"), NULL },
    { S("1.0"), NULL },
    { S("1e3"), NULL },
    { S("0x10"), NULL },
    { S("--1"), NULL },
    { S("1-"), NULL },
    { S("abc"), NULL },
};

START_TEST(test_str2ll_table)
{
    for (size_t i = 0; i < sizeof(ll_cases) / sizeof(ll_cases[0]); i++) {
        const struct io *c = &ll_cases[i];
        long long v = 12345;
        bool ok = nf_str2ll(c->in, c->len, &v);
        ck_assert_msg(ok == (c->want != NULL), "str2ll(\"%s\") ok=%d", c->in, ok);
        if (!ok) {
            ck_assert_int_eq(v, 12345);   /* untouched on failure */
            continue;
        }
        char buf[NF_LL_BUFSIZE];
        nf_ll2str(buf, sizeof(buf), v);
        ck_assert_str_eq(buf, c->want);
    }
    ck_assert(nf_str2ll(S("42"), NULL));
}
END_TEST

START_TEST(test_str2ll_reads_only_len)
{
    long long v;
    ck_assert(nf_str2ll("123abc", 3, &v));
    ck_assert_int_eq(v, 123);
    ck_assert(nf_str2ll("-5", 2, &v));
    ck_assert_int_eq(v, -5);
    ck_assert(!nf_str2ll("-5", 1, &v));
    ck_assert(nf_str2ll("07", 1, &v));   /* just "0" */
    ck_assert_int_eq(v, 0);
}
END_TEST

START_TEST(test_ll2str)
{
    char buf[NF_LL_BUFSIZE];
    ck_assert_int_eq(nf_ll2str(buf, sizeof(buf), 0), 1);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(nf_ll2str(buf, sizeof(buf), -7), 2);
    ck_assert_str_eq(buf, "-7");
    ck_assert_int_eq(nf_ll2str(buf, sizeof(buf), LLONG_MAX), 19);
    ck_assert_str_eq(buf, "9223372036854775807");
    ck_assert_int_eq(nf_ll2str(buf, sizeof(buf), LLONG_MIN), 20);
    ck_assert_str_eq(buf, "-9223372036854775808");

    /* Too small: 0 and an empty string, never a truncated number. */
    ck_assert_int_eq(nf_ll2str(buf, 3, 123), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(nf_ll2str(buf, 4, 123), 3);
    ck_assert_int_eq(nf_ll2str(buf, 0, 1), 0);
}
END_TEST

START_TEST(test_ll_round_trip)
{
    uint64_t x = 88172645463325252ull;
    char buf[NF_LL_BUFSIZE];
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long long v = (long long)x >> (x % 64), back = 0;
        int n = nf_ll2str(buf, sizeof(buf), v);
        if (n <= 0 || !nf_str2ll(buf, (size_t)n, &back) || back != v)
            ck_abort_msg("round trip failed for %lld", v);
    }
}
END_TEST

/* ----------------------------------------------- long double (INCRBYFLOAT) */

/* want "INF" marks input that parses but INCRBYFLOAT refuses afterwards
 * ("increment would produce NaN or Infinity"). */
static const struct io ld_cases[] = {
    { S("0.1"), "0.1" },
    { S("-0.1"), "-0.1" },
    { S("1.5"), "1.5" },
    { S("3.0"), "3" },
    { S("10"), "10" },
    { S("1e17"), "100000000000000000" },
    { S("1e20"), "100000000000000000000" },
    { S("1e21"), "1000000000000000000000" },
    { S("1e-17"), "0.00000000000000001" },
    { S("1e-18"), "0" },
    { S("-1e-18"), "0" },
    { S("5e-18"), "0" },
    { S("-5e-18"), "0" },
    { S("0.000000000000000015"), "0.00000000000000002" },
    { S("-0.000000000000000006"), "-0.00000000000000001" },
    { S("0.33333333333333333333"), "0.33333333333333333" },
    { S("123456789.123456789"), "123456789.12345678899873747" },
    { S("1.23456789012345678901234567890"), "1.23456789012345679" },
    { S("12345678901234567890.5"), "12345678901234567890" },
    { S("-12.5e-3"), "-0.0125" },
    { S("0.1e1"), "1" },
    { S("0x1p-3"), "0.125" },
    { S("0x10"), "16" },
    { S("+.5"), "0.5" },
    { S(".5"), "0.5" },
    { S("5."), "5" },
    { S("+1"), "1" },
    { S("00.1"), "0.1" },
    { S("-0"), "0" },
    { S("0"), "0" },
    { S("1e-310"), "0" },
    { S("1e-4940"), "0" },   /* subnormal: accepted */
    { S("1e400"),
      "1000000000000000000028188068394758651458645343362905203862591069353968"
      "5534008629862039363994848324160522094053927317616200295822777259255734"
      "0238289765933406610177974474345461739178624481166749717237789438243915"
      "9333804747067502624668440135923751360383034373548550524495596497902182"
      "5038280091068414947402456898653040951017512658092615827588920183472511"
      "643316591362664138176309734806343732497430221946880" },
    { S("inf"), "INF" },
    { S("-inf"), "INF" },
    { S("+inf"), "INF" },
    { S("Infinity"), "INF" },
    { S("nan"), NULL },
    { S("-nan"), NULL },
    { S("NaN"), NULL },
    { S("1e5000"), NULL },
    { S("1e-5000"), NULL },
    { S("0x1p-16500"), NULL },
    { S(""), NULL },
    { S(" 1"), NULL },
    { S("1 "), NULL },
    { S("\t1"), NULL },
    { S("1\n"), NULL },
    { S("1\0002"), NULL },
    { S("-"), NULL },
    { S("."), NULL },
    { S("e5"), NULL },
    { S("1e"), NULL },
    { S("abc"), NULL },
    { S("1,5"), NULL },
};

START_TEST(test_incrbyfloat_table)
{
    static char buf[NF_LD_BUFSIZE];
    for (size_t i = 0; i < sizeof(ld_cases) / sizeof(ld_cases[0]); i++) {
        const struct io *c = &ld_cases[i];
        long double v;
        bool ok = nf_str2ld(c->in, c->len, &v);
        ck_assert_msg(ok == (c->want != NULL), "str2ld(\"%s\") ok=%d", c->in, ok);
        if (!ok)
            continue;
        v = 0.0L + v;   /* INCRBYFLOAT on a missing key */
        if (isinf(v)) {
            ck_assert_str_eq(c->want, "INF");
            continue;
        }
        nf_ld2str_human(buf, sizeof(buf), v);
        ck_assert_msg(strcmp(buf, c->want) == 0, "\"%s\": got \"%s\" want \"%s\"",
                      c->in, buf, c->want);
    }
}
END_TEST

START_TEST(test_incrbyfloat_arithmetic)
{
    static const struct {
        const char *a, *b, *want;
    } cases[] = {
        { "10.5", "0.1", "10.6" },
        { "0.1", "0.2", "0.3" },
        { "1", "-1", "0" },
        { "5.0e3", "2.0e2", "5200" },
        { "3", "-3.5", "-0.5" },
        { "1e17", "1", "100000000000000001" },
        { "9223372036854775807", "1", "9223372036854775808" },
        { "-0.5", "0.5", "0" },
        { "100", "0.00000000000000001", "100.00000000000000001" },
        { "-0.0", "-0", "0" },          /* -0 + -0 is -0: printed "0" */
        { "-0.0", "-1e-30", "0" },
    };
    char buf[NF_LD_BUFSIZE];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long double a, b;
        ck_assert(nf_str2ld(cases[i].a, strlen(cases[i].a), &a));
        ck_assert(nf_str2ld(cases[i].b, strlen(cases[i].b), &b));
        nf_ld2str_human(buf, sizeof(buf), a + b);
        ck_assert_msg(strcmp(buf, cases[i].want) == 0, "%s + %s: got %s want %s",
                      cases[i].a, cases[i].b, buf, cases[i].want);
    }
}
END_TEST

START_TEST(test_str2ld_length_limit)
{
    /* Redis: "0.111..." of 5119 bytes parses, 5120 bytes is rejected. */
    char *s = malloc(NF_LD_BUFSIZE);
    ck_assert_ptr_nonnull(s);
    memset(s, '1', NF_LD_BUFSIZE);
    s[0] = '0';
    s[1] = '.';
    long double v;
    ck_assert(nf_str2ld(s, NF_LD_BUFSIZE - 1, &v));
    ck_assert(!nf_str2ld(s, NF_LD_BUFSIZE, &v));
    /* 5119 ones: within the limit but beyond LDBL_MAX. */
    memset(s, '1', NF_LD_BUFSIZE);
    ck_assert(!nf_str2ld(s, NF_LD_BUFSIZE - 1, &v));
    free(s);
}
END_TEST

START_TEST(test_ld2str_human_edges)
{
    static char buf[NF_LD_BUFSIZE];
    ck_assert_int_eq(nf_ld2str_human(buf, sizeof(buf), -0.0L), 1);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(nf_ld2str_human(buf, sizeof(buf), 100.0L), 3);
    ck_assert_str_eq(buf, "100");   /* zeros before the '.' stay */
    nf_ld2str_human(buf, sizeof(buf), -2.5L);
    ck_assert_str_eq(buf, "-2.5");
    nf_ld2str_human(buf, sizeof(buf), INFINITY);
    ck_assert_str_eq(buf, "inf");
    nf_ld2str_human(buf, sizeof(buf), -INFINITY);
    ck_assert_str_eq(buf, "-inf");
    nf_ld2str_human(buf, sizeof(buf), NAN);
    ck_assert_str_eq(buf, "nan");

    /* The largest long double fits the documented buffer. */
    int n = nf_ld2str_human(buf, sizeof(buf), -LDBL_MAX);
    ck_assert_int_gt(n, 4900);
    ck_assert_int_lt(n, NF_LD_BUFSIZE);

    /* No room: 0 and "", never a truncated number. Room is needed for the
     * untrimmed text ("1.50000000000000000"), as in Redis. */
    ck_assert_int_eq(nf_ld2str_human(buf, 20, 1.5L), 3);
    ck_assert_int_eq(nf_ld2str_human(buf, 19, 1.5L), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(nf_ld2str_human(buf, 10, 1e30L), 0);   /* needs 31+ */
    ck_assert_int_eq(nf_ld2str_human(buf, 4, -INFINITY), 0);
}
END_TEST

/* ------------------------------------------------------ doubles (ZSCORE) */

struct dio {
    const char *in;
    size_t len;
    const char *reply;     /* ZSCORE, skiplist; NULL: rejected */
    const char *listpack;  /* ZSCAN, listpack */
};

static const struct dio d_cases[] = {
    { S("0"), "0", "0" },
    { S("-0"), "-0", "0" },
    { S("1"), "1", "1" },
    { S("-1"), "-1", "-1" },
    { S("1.5"), "1.5", "1.5" },
    { S("0.5"), "0.5", "0.5" },
    { S("0.1"), "0.10000000000000001", "0.10000000000000001" },
    { S("1.1"), "1.1000000000000001", "1.1000000000000001" },
    { S("100"), "100", "100" },
    { S("1e15"), "1000000000000000", "1000000000000000" },
    { S("1e16"), "10000000000000000", "10000000000000000" },
    { S("1e17"), "1e+17", "100000000000000000" },
    { S("-1e17"), "-1e+17", "-100000000000000000" },
    { S("123456789012345678"), "1.2345678901234568e+17", "123456789012345680" },
    { S("4503599627370497"), "4503599627370497", "4503599627370497" },
    { S("9007199254740993"), "9007199254740992", "9007199254740992" },
    { S("4611686018427387904"), "4.6116860184273879e+18", "4611686018427387904" },
    { S("-4611686018427387904"), "-4.6116860184273879e+18", "-4611686018427387904" },
    { S("4611686018427388928"), "4.6116860184273889e+18", "4.6116860184273889e+18" },
    { S("9.2233720368547758e18"), "9.2233720368547758e+18", "9.2233720368547758e+18" },
    { S("1e21"), "1e+21", "1e+21" },
    { S("1e-5"), "1.0000000000000001e-05", "1.0000000000000001e-05" },
    { S("0.0001"), "0.0001", "0.0001" },
    { S("1e-7"), "9.9999999999999995e-08", "9.9999999999999995e-08" },
    { S("-1e-7"), "-9.9999999999999995e-08", "-9.9999999999999995e-08" },
    { S("2.5e-5"), "2.5000000000000001e-05", "2.5000000000000001e-05" },
    { S("3.14159265358979323846"), "3.1415926535897931", "3.1415926535897931" },
    { S("1.7976931348623157e308"), "1.7976931348623157e+308", "1.7976931348623157e+308" },
    { S("2.2250738585072014e-308"), "2.2250738585072014e-308", "2.2250738585072014e-308" },
    { S("4.9e-324"), "4.9406564584124654e-324", "4.9406564584124654e-324" },
    { S("0x1p-1074"), "4.9406564584124654e-324", "4.9406564584124654e-324" },
    { S("1e-310"), "9.9999999999999694e-311", "9.9999999999999694e-311" },
    { S("inf"), "inf", "inf" },
    { S("-inf"), "-inf", "-inf" },
    { S("+inf"), "inf", "inf" },
    { S("INF"), "inf", "inf" },
    { S("Infinity"), "inf", "inf" },
    { S("-INF"), "-inf", "-inf" },
    { S("0x10"), "16", "16" },
    { S("+1"), "1", "1" },
    { S(".5"), "0.5", "0.5" },
    { S("5."), "5", "5" },
    { S("1e+5"), "100000", "100000" },
    { S("1E5"), "100000", "100000" },
    { S("00.1"), "0.10000000000000001", "0.10000000000000001" },
    { S("nan"), NULL, NULL },
    { S("-nan"), NULL, NULL },
    { S("1e309"), NULL, NULL },
    { S("-1e309"), NULL, NULL },
    { S("1e-400"), NULL, NULL },
    { S(""), NULL, NULL },
    { S(" "), NULL, NULL },
    { S(" 1"), NULL, NULL },
    { S("1 "), NULL, NULL },
    { S("\t1"), NULL, NULL },
    { S("1\n"), NULL, NULL },
    { S("1\0002"), NULL, NULL },
    { S("-"), NULL, NULL },
    { S("."), NULL, NULL },
    { S("e5"), NULL, NULL },
    { S("1e"), NULL, NULL },
    { S("1e16+1"), NULL, NULL },
};

START_TEST(test_zscore_table)
{
    char buf[NF_D_BUFSIZE];
    for (size_t i = 0; i < sizeof(d_cases) / sizeof(d_cases[0]); i++) {
        const struct dio *c = &d_cases[i];
        double v = 42;
        bool ok = nf_str2d(c->in, c->len, &v);
        ck_assert_msg(ok == (c->reply != NULL), "str2d(\"%s\") ok=%d", c->in, ok);
        if (!ok) {
            ck_assert(v == 42);
            continue;
        }
        nf_d2str(buf, sizeof(buf), v);
        ck_assert_msg(strcmp(buf, c->reply) == 0, "\"%s\": got \"%s\" want \"%s\"",
                      c->in, buf, c->reply);
        nf_d2str_listpack(buf, sizeof(buf), v);
        ck_assert_msg(strcmp(buf, c->listpack) == 0, "listpack \"%s\": got \"%s\" want \"%s\"",
                      c->in, buf, c->listpack);
    }
}
END_TEST

START_TEST(test_str2d_long_input)
{
    /* Longer than any stack copy: still parsed whole, as Redis does. */
    size_t len = 6000;
    char *s = malloc(len);
    ck_assert_ptr_nonnull(s);
    memset(s, '0', len);
    s[1] = '.';
    s[len - 1] = '1';   /* 0.000...01: underflows to zero -> rejected */
    double v;
    ck_assert(!nf_str2d(s, len, &v));
    s[len - 1] = '0';
    s[2] = '5';
    ck_assert(nf_str2d(s, len, &v));
    ck_assert(v == 0.5);
    s[len - 1] = ' ';
    ck_assert(!nf_str2d(s, len, &v));
    free(s);
}
END_TEST

START_TEST(test_d2str_edges)
{
    char buf[NF_D_BUFSIZE];
    ck_assert_int_eq(nf_d2str(buf, sizeof(buf), NAN), 3);
    ck_assert_str_eq(buf, "nan");
    ck_assert_int_eq(nf_d2str(buf, sizeof(buf), -NAN), 3);
    ck_assert_str_eq(buf, "nan");
    ck_assert_int_eq(nf_d2str_listpack(buf, sizeof(buf), NAN), 3);
    ck_assert_int_eq(nf_d2str(buf, sizeof(buf), -DBL_MIN), 24);
    ck_assert_str_eq(buf, "-2.2250738585072014e-308");
    ck_assert_int_eq(nf_d2str(buf, sizeof(buf), -DBL_MAX), 24);

    ck_assert_int_eq(nf_d2str(buf, 4, 1.5), 3);
    ck_assert_int_eq(nf_d2str(buf, 3, 1.5), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(nf_d2str(buf, 4, -INFINITY), 0);
    ck_assert_int_eq(nf_d2str(buf, 5, -INFINITY), 4);
    ck_assert_int_eq(nf_d2str_listpack(buf, 3, 100), 0);
}
END_TEST

START_TEST(test_d2str_round_trips)
{
    /* "%.17g" names every double exactly: parsing it back is lossless. */
    uint64_t x = 0x243f6a8885a308d3ull;
    char buf[NF_D_BUFSIZE];
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof(d));
        if (isnan(d))
            continue;
        double back;
        int n = nf_d2str(buf, sizeof(buf), d);
        if (!nf_str2d(buf, (size_t)n, &back) || memcmp(&back, &d, sizeof(d)) != 0)
            ck_abort_msg("d2str round trip failed for %a -> %s", d, buf);
        n = nf_d2str_listpack(buf, sizeof(buf), d);
        if (!nf_str2d(buf, (size_t)n, &back) || (back != d))
            ck_abort_msg("listpack round trip failed for %a -> %s", d, buf);
    }
}
END_TEST

static Suite *numfmt_suite(void)
{
    Suite *s = suite_create("numfmt");
    TCase *ints = tcase_create("integers");
    tcase_add_test(ints, test_str2ll_table);
    tcase_add_test(ints, test_str2ll_reads_only_len);
    tcase_add_test(ints, test_ll2str);
    tcase_add_test(ints, test_ll_round_trip);
    suite_add_tcase(s, ints);

    TCase *ld = tcase_create("incrbyfloat");
    tcase_add_test(ld, test_incrbyfloat_table);
    tcase_add_test(ld, test_incrbyfloat_arithmetic);
    tcase_add_test(ld, test_str2ld_length_limit);
    tcase_add_test(ld, test_ld2str_human_edges);
    suite_add_tcase(s, ld);

    TCase *d = tcase_create("doubles");
    tcase_add_test(d, test_zscore_table);
    tcase_add_test(d, test_str2d_long_input);
    tcase_add_test(d, test_d2str_edges);
    tcase_add_test(d, test_d2str_round_trips);
    suite_add_tcase(s, d);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(numfmt_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
