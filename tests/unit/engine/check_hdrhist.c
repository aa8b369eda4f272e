/*
 * check_hdrhist: the HDR histogram behind INFO latencystats and LATENCY
 * HISTOGRAM. Expected figures are those a live redis-server 7.0.15 prints
 * for calls of known duration (a SET of 8 us reads "8.031", p0 "8.000"; a
 * 217 us INFO "217.087").
 */
#include "engine/hdrhist.h"

#include <check.h>
#include <stdlib.h>

START_TEST(small_values_are_exact)
{
    for (uint64_t v = 1; v < 256; v++) {
        ck_assert_uint_eq(hdrhist_lowest_equivalent(v), v);
        ck_assert_uint_eq(hdrhist_highest_equivalent(v), v);
    }
    /* from 256 on, 128 sub-buckets per power of two */
    ck_assert_uint_eq(hdrhist_lowest_equivalent(257), 256);
    ck_assert_uint_eq(hdrhist_highest_equivalent(257), 257);
    ck_assert_uint_eq(hdrhist_lowest_equivalent(513), 512);
    ck_assert_uint_eq(hdrhist_highest_equivalent(513), 515);
}
END_TEST

START_TEST(equivalent_ranges_as_redis_prints_them)
{
    ck_assert_uint_eq(hdrhist_lowest_equivalent(8000), 8000);
    ck_assert_uint_eq(hdrhist_highest_equivalent(8000), 8031);
    ck_assert_uint_eq(hdrhist_lowest_equivalent(217000), 216064);
    ck_assert_uint_eq(hdrhist_highest_equivalent(217000), 217087);
    ck_assert_uint_eq(hdrhist_highest_equivalent(1024), 1031);   /* LATENCY HISTOGRAM's first edge */
    ck_assert_uint_eq(hdrhist_highest_equivalent(1024ULL << 14), (1032ULL << 14) - 1);
}
END_TEST

START_TEST(ranges_are_within_two_digits)
{
    srand(7);
    for (int i = 0; i < 100000; i++) {
        uint64_t v = 1 + (uint64_t)rand() % HDRHIST_MAX_NS;
        uint64_t lo = hdrhist_lowest_equivalent(v), hi = hdrhist_highest_equivalent(v);
        ck_assert(lo <= v && v <= hi);
        ck_assert_uint_le((hi - lo + 1) * 128, v < 256 ? 128 : v);
        ck_assert_uint_eq(hdrhist_lowest_equivalent(hi), lo);
        ck_assert_uint_eq(hdrhist_lowest_equivalent(hi + 1), hi + 1);   /* the next range starts there */
    }
}
END_TEST

START_TEST(percentiles)
{
    struct hdrhist *h = hdrhist_new();
    ck_assert_uint_eq(hdrhist_percentile(h, 50), 0);   /* empty */
    for (uint64_t v = 1; v <= 100; v++)
        hdrhist_record(h, v);
    ck_assert_uint_eq(hdrhist_total(h), 100);
    ck_assert_uint_eq(hdrhist_percentile(h, 0), 1);
    ck_assert_uint_eq(hdrhist_percentile(h, 50), 50);
    ck_assert_uint_eq(hdrhist_percentile(h, 99), 99);
    ck_assert_uint_eq(hdrhist_percentile(h, 99.9), 100);   /* round(99.9) calls */
    ck_assert_uint_eq(hdrhist_percentile(h, 100), 100);
    ck_assert_uint_eq(hdrhist_percentile(h, 250), 100);
    ck_assert_uint_eq(hdrhist_percentile(h, 0.4), 1);      /* at least one call */
    hdrhist_free(h);

    h = hdrhist_new();
    hdrhist_record(h, 8000);
    ck_assert_uint_eq(hdrhist_percentile(h, 50), 8031);
    ck_assert_uint_eq(hdrhist_percentile(h, 0), 8000);     /* p0 reads the lowest value */
    hdrhist_free(h);
}
END_TEST

START_TEST(values_are_clamped)
{
    struct hdrhist *h = hdrhist_new();
    hdrhist_record(h, 0);
    ck_assert_uint_eq(hdrhist_percentile(h, 100), 1);
    hdrhist_record(h, 5 * HDRHIST_MAX_NS);
    hdrhist_record(h, UINT64_MAX);
    ck_assert_uint_eq(hdrhist_total(h), 3);
    ck_assert_uint_eq(hdrhist_percentile(h, 100), hdrhist_highest_equivalent(HDRHIST_MAX_NS));
    hdrhist_free(h);
}
END_TEST

struct walk {
    uint64_t last, total;
    int calls;
};

static void walk_fn(void *arg, uint64_t lowest, uint64_t count)
{
    struct walk *w = arg;
    ck_assert(w->calls == 0 || lowest > w->last);
    ck_assert_uint_eq(hdrhist_lowest_equivalent(lowest), lowest);
    w->last = lowest;
    w->total += count;
    w->calls++;
}

START_TEST(foreach_walks_counted_ranges_in_order)
{
    struct hdrhist *h = hdrhist_new();
    struct walk w = {0};
    static const uint64_t vals[] = { 5000000, 3, 8000, 8001, 8031, 8032, 1000000000, 3 };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        hdrhist_record(h, vals[i]);
    hdrhist_foreach(h, walk_fn, &w);
    ck_assert_uint_eq(w.total, 8);
    ck_assert_int_eq(w.calls, 5);   /* 3, 8000..8031, 8032, 5e6, 1e9 */
    hdrhist_free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hdrhist");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, small_values_are_exact);
    tcase_add_test(tc, equivalent_ranges_as_redis_prints_them);
    tcase_add_test(tc, ranges_are_within_two_digits);
    tcase_add_test(tc, percentiles);
    tcase_add_test(tc, values_are_clamped);
    tcase_add_test(tc, foreach_walks_counted_ranges_in_order);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
