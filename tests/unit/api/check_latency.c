/*
 * check_latency: the buckets of LATENCY HISTOGRAM. Redis reports an HDR
 * histogram (2 significant digits, nanoseconds) through a base-2 iterator
 * from 1024 ns; these are the bucket edges and the calls that land in each,
 * as seen from a live redis-server 7.0.15 (e.g. a 3 us call is in bucket
 * "4", a 10 ms DEBUG SLEEP in "16908").
 */
#include "api/command.h"
#include "api/ops.h"
#include "engine/hdrhist.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void first_bucket(void *arg, uint64_t lowest_ns, uint64_t count)
{
    int *k = arg;
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(*k, -1);
    *k = latency_report_bucket(lowest_ns);
}

/* The bucket one call of `us` microseconds lands in. */
static int bucket_of(int64_t us)
{
    struct cmd_stats s;
    int k = -1;
    memset(&s, 0, sizeof(s));
    latency_hist_record(&s, us);
    hdrhist_foreach(s.latency, first_bucket, &k);
    hdrhist_free(s.latency);
    return k;
}

/* The key Redis shows for bucket k. */
static long long key_of(int k) { return latency_report_key(k); }

START_TEST(bucket_keys_as_redis_shows_them)
{
    static const long long keys[] = { 1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056 };
    for (int k = 0; k < 11; k++)
        ck_assert_int_eq(key_of(k), keys[k]);
    ck_assert_int_eq(key_of(15), 33816);
    ck_assert_int_eq(key_of(16), 67633);
    ck_assert_int_eq(key_of(17), 135266);
    ck_assert_int_eq(key_of(LATENCY_REPORT_BUCKETS - 1), 1082130);
}
END_TEST

START_TEST(calls_land_in_redis_buckets)
{
    ck_assert_int_eq(bucket_of(0), 0);        /* clamped to 1 ns */
    ck_assert_int_eq(bucket_of(1), 0);
    ck_assert_int_eq(bucket_of(2), 1);
    ck_assert_int_eq(bucket_of(3), 2);
    ck_assert_int_eq(bucket_of(4), 2);        /* 4000 ns <= 4127 */
    ck_assert_int_eq(bucket_of(5), 3);
    ck_assert_int_eq(bucket_of(8), 3);        /* 8000 <= 8255 */
    ck_assert_int_eq(bucket_of(9), 4);
    ck_assert_int_eq(bucket_of(33), 5);       /* 33000 <= 33023 */
    ck_assert_int_eq(bucket_of(34), 6);
    ck_assert_int_eq(bucket_of(10050), 14);   /* a 10 ms DEBUG SLEEP: "16908" */
    ck_assert_int_eq(key_of(14), 16908);
    ck_assert_int_eq(bucket_of(999999), LATENCY_REPORT_BUCKETS - 1);
    ck_assert_int_eq(bucket_of(5000000), LATENCY_REPORT_BUCKETS - 1);   /* clamped to 1 s */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("histogram");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, bucket_keys_as_redis_shows_them);
    tcase_add_test(tc, calls_land_in_redis_buckets);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
