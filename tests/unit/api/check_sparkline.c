/*
 * check_sparkline: LATENCY GRAPH's charts, byte for byte as Redis 7.0.15
 * drew them for the same samples (recorded from a live redis-server: LATENCY
 * HISTORY gave the values, LATENCY GRAPH the chart), plus the edge cases:
 * one sample, equal values, no labels, more samples than columns.
 */
#include "api/sparkline.h"
#include "api/textbuf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void expect_chart(const double *values, const char *const *labels, size_t n, size_t columns,
                         const char *want)
{
    struct spark_sample s[200];
    struct textbuf tb = { 0 };
    ck_assert_uint_le(n, 200);
    for (size_t j = 0; j < n; j++)
        s[j] = (struct spark_sample){ values[j], labels ? labels[j] : NULL };
    sparkline_render(&tb, s, n, columns, 4);
    ck_assert_str_eq(tb.p ? tb.p : "", want);
    tb_free(&tb);
}

START_TEST(redis_three_samples)
{
    static const double v[] = { 50, 120, 30 };
    static const char *const l[] = { "2s", "1s", "0s" };
    expect_chart(v, l, 3, 80, " # \n | \n | \n#|_\n   \n210\nsss\n");
}
END_TEST

START_TEST(redis_eight_samples)
{
    static const double v[] = { 12, 20, 33, 45, 60, 75, 111, 14 };
    static const char *const l[] = { "9s", "8s", "7s", "6s", "5s", "4s", "2s", "1s" };
    expect_chart(v, l, 8, 80,
                 "      # \n     o| \n   o#|| \n__#||||_\n        \n98765421\nssssssss\n");
}
END_TEST

START_TEST(redis_one_sample)
{
    static const double v[] = { 111 };
    static const char *const l[] = { "19s" };
    expect_chart(v, l, 1, 80, " \n \n \n_\n \n1\n9\ns\n");
}
END_TEST

START_TEST(labels_of_different_lengths)
{
    static const double v[] = { 1, 2 };
    static const char *const l[] = { "59s", "1m" };
    expect_chart(v, l, 2, 80, " #\n |\n |\n_|\n  \n51\n9m\ns \n");
}
END_TEST

START_TEST(no_labels_no_label_rows)
{
    static const double v[] = { 0, 3, 6, 11 };
    /* steps 0, 3, 6, 11 of 12 */
    expect_chart(v, NULL, 4, 80, "   #\n  _|\n _||\n_|||\n");
}
END_TEST

START_TEST(wraps_past_columns)
{
    static const double v[] = { 1, 2, 3 };
    expect_chart(v, NULL, 3, 2, "  \n _\n |\n_|\n\n#\n|\n|\n|\n");
}
END_TEST

START_TEST(nothing_for_no_samples)
{
    expect_chart(NULL, NULL, 0, 80, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sparkline");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, redis_three_samples);
    tcase_add_test(tc, redis_eight_samples);
    tcase_add_test(tc, redis_one_sample);
    tcase_add_test(tc, labels_of_different_lengths);
    tcase_add_test(tc, no_labels_no_label_rows);
    tcase_add_test(tc, wraps_past_columns);
    tcase_add_test(tc, nothing_for_no_samples);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
