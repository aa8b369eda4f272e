/*
 * check_bgsync: the background fsync job (engine/bgsync): results taken
 * once, a missing file counts as synced, a failure names its path, a job
 * still running refuses a second one (EBUSY), destroy waits for it.
 */
#include "engine/bgsync.h"
#include "engine/faultvfs.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum bgsync_state wait_result(struct bgsync *b, char *err, size_t cap, int *errnum)
{
    enum bgsync_state st;
    while ((st = bgsync_poll(b, err, cap, errnum)) == BGSYNC_RUNNING) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    return st;
}

START_TEST(syncs_files_and_reports_once)
{
    char path[] = "/tmp/check_bgsync_XXXXXX";
    int fd = mkstemp(path);
    const char *paths[] = { path, "/tmp/check_bgsync_no_such_file" };
    char err[256];
    struct bgsync *b = bgsync_create();
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "x", 1), 1);
    close(fd);
    ck_assert_int_eq(bgsync_poll(b, err, sizeof(err), NULL), BGSYNC_IDLE);
    ck_assert(bgsync_start(b, paths, 2));
    ck_assert_int_eq(wait_result(b, err, sizeof(err), NULL), BGSYNC_OK);
    ck_assert_int_eq(bgsync_poll(b, err, sizeof(err), NULL), BGSYNC_IDLE);
    ck_assert(!bgsync_running(b));
    unlink(path);
    bgsync_destroy(b);
}
END_TEST

START_TEST(a_failure_names_its_path)
{
    char longname[8192];
    const char *paths[] = { longname };
    static char err[sizeof(longname) + 256];
    int errnum = 0;
    struct bgsync *b = bgsync_create();
    memset(longname, 'a', sizeof(longname) - 1);
    longname[0] = '/';
    longname[sizeof(longname) - 1] = '\0';
    ck_assert(bgsync_start(b, paths, 1));
    ck_assert_int_eq(wait_result(b, err, sizeof(err), &errnum), BGSYNC_FAILED);
    ck_assert_int_eq(errnum, ENAMETOOLONG);
    ck_assert_ptr_nonnull(strstr(err, ": fsync: "));
    ck_assert_ptr_nonnull(strstr(err, strerror(ENAMETOOLONG)));
    bgsync_destroy(b);
}
END_TEST

/* A slow disk (faultvfs SLOW: every fsync waits 2 s): a second job is
 * refused while the first runs, and destroy waits for it. */
START_TEST(one_job_at_a_time_and_destroy_waits)
{
    char path[] = "/tmp/check_bgsync_XXXXXX";
    int fd = mkstemp(path);
    const char *paths[] = { path };
    struct timespec t0, t1;
    struct bgsync *b = bgsync_create();
    ck_assert_int_ge(fd, 0);
    close(fd);
    faultvfs_arm(FAULTVFS_SLOW);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert(bgsync_start(b, paths, 1));
    ck_assert(bgsync_running(b));
    ck_assert_int_eq(bgsync_poll(b, NULL, 0, NULL), BGSYNC_RUNNING);
    errno = 0;
    ck_assert(!bgsync_start(b, paths, 1));
    ck_assert_int_eq(errno, EBUSY);
    bgsync_destroy(b);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    faultvfs_arm(FAULTVFS_OFF);
    ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, FAULTVFS_SLOW_MS - 50);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bgsync");
    TCase *tc = tcase_create("jobs");
    SRunner *sr;
    int failed;
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, syncs_files_and_reports_once);
    tcase_add_test(tc, a_failure_names_its_path);
    tcase_add_test(tc, one_job_at_a_time_and_destroy_waits);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
