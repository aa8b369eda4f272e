/*
 * check_journal: the sqlite WAL journal (engine/journal.c) - rows appended
 * and committed read back in seq order with their bytes; an uncommitted
 * tail (a process that exits without committing) is not read back and is
 * reported as a torn tail; a WAL file cut at every frame-relevant byte
 * offset loads exactly the commits that end before the cut; truncation
 * after a snapshot; seq continues above journal_advance_seq.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/faultvfs.h"
#include "engine/journal.h"

#include <errno.h>

static char dir[256], path[300], wal[310];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/check_journal.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/appendonly.aof.sqlite", dir);
    snprintf(wal, sizeof(wal), "%s-wal", path);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

struct seen {
    int n;
    uint64_t seqs[4096];
    int dbs[4096];
    char first[4096][64];
    int argcs[4096];
};

static bool collect(void *ctx, uint64_t seq, int db, int argc, const struct kv_arg *argv)
{
    struct seen *s = ctx;
    s->seqs[s->n] = seq;
    s->dbs[s->n] = db;
    s->argcs[s->n] = argc;
    size_t n = argv[argc - 1].len < sizeof(s->first[0]) - 1 ? argv[argc - 1].len : sizeof(s->first[0]) - 1;
    memcpy(s->first[s->n], argv[argc - 1].ptr, n);
    s->first[s->n][n] = 0;
    s->n++;
    return true;
}

static void append3(struct journal *j, int db, const char *cmd, const char *k, const char *v)
{
    struct kv_arg a[3] = { { cmd, strlen(cmd) }, { k, strlen(k) }, { v, strlen(v) } };
    char err[256] = "";
    ck_assert_msg(journal_append(j, db, 3, a, err, sizeof(err)) > 0, "%s", err);
}

static struct seen *read_all(const char *p, uint64_t after, uint64_t *torn)
{
    struct seen *s = calloc(1, sizeof(*s));
    char err[256] = "";
    struct journal *j = journal_open(p, JOURNAL_FSYNC_NO, torn, err, sizeof(err));
    ck_assert_msg(j != NULL, "%s", err);
    ck_assert_int_ge(journal_read(j, after, collect, s, err, sizeof(err)), 0);
    journal_close(j);
    return s;
}

START_TEST(round_trip)
{
    char err[256] = "";
    struct journal *j = journal_open(path, JOURNAL_FSYNC_ALWAYS, NULL, err, sizeof(err));
    struct kv_arg bin[2] = { { "SET", 3 }, { "a\0b\xff", 4 } };
    struct kv_arg empty[2] = { { "X", 1 }, { "", 0 } };
    ck_assert_msg(j != NULL, "%s", err);
    ck_assert_uint_eq(journal_last_seq(j), 0);
    append3(j, 0, "SET", "k1", "v1");
    ck_assert(journal_pending(j));
    append3(j, 3, "RPUSH", "l", "x");
    ck_assert(journal_commit(j, err, sizeof(err)));
    ck_assert(!journal_pending(j));
    ck_assert_uint_eq(journal_append(j, -1, 2, bin, err, sizeof(err)), 3);
    ck_assert_uint_eq(journal_append(j, 1, 2, empty, err, sizeof(err)), 4);
    ck_assert(journal_commit(j, err, sizeof(err)));
    ck_assert(journal_sync(j, err, sizeof(err)));
    journal_close(j);

    struct seen *s = read_all(path, 0, NULL);
    ck_assert_int_eq(s->n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(s->seqs[i], (uint64_t)i + 1);
    ck_assert_int_eq(s->dbs[0], 0);
    ck_assert_int_eq(s->dbs[1], 3);
    ck_assert_int_eq(s->dbs[2], -1);
    ck_assert_str_eq(s->first[0], "v1");
    ck_assert_str_eq(s->first[1], "x");
    ck_assert_int_eq(memcmp(s->first[2], "a\0b\xff", 4), 0);
    ck_assert_int_eq(s->argcs[3], 2);
    ck_assert_str_eq(s->first[3], "");
    free(s);
    s = read_all(path, 2, NULL);
    ck_assert_int_eq(s->n, 2);
    ck_assert_uint_eq(s->seqs[0], 3);
    free(s);

    /* truncate and advance: seqs keep growing */
    j = journal_open(path, JOURNAL_FSYNC_EVERYSEC, NULL, err, sizeof(err));
    ck_assert_uint_eq(journal_last_seq(j), 4);
    ck_assert(journal_truncate(j, 3, err, sizeof(err)));
    journal_advance_seq(j, 10);
    append3(j, 0, "SET", "k", "after");
    journal_close(j);   /* commits */
    s = read_all(path, 0, NULL);
    ck_assert_int_eq(s->n, 2);
    ck_assert_uint_eq(s->seqs[0], 4);
    ck_assert_uint_eq(s->seqs[1], 11);
    free(s);
}
END_TEST

START_TEST(uncommitted_tail_not_read)
{
    char err[256] = "";
    uint64_t torn = 0;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct journal *j = journal_open(path, JOURNAL_FSYNC_ALWAYS, NULL, err, sizeof(err));
        char big[3000];
        if (!j)
            _exit(2);
        for (int i = 0; i < 10; i++)
            append3(j, 0, "SET", "k", "committed");
        if (!journal_commit(j, err, sizeof(err)))
            _exit(3);
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        /* enough to spill pages of the open transaction into the WAL */
        for (int i = 0; i < 5000; i++)
            append3(j, 0, "SET", "k", big);
        _exit(0);   /* a crash: no commit */
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct seen *s = read_all(path, 0, &torn);
    ck_assert_int_eq(s->n, 10);
    ck_assert_str_eq(s->first[9], "committed");
    ck_assert_uint_gt(torn, 0);
    free(s);
    (void)err;
}
END_TEST

static void copy_cut(const char *src, const char *dst, off_t cut)
{
    int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char buf[65536];
    off_t done = 0;
    ck_assert(in >= 0 && out >= 0);
    while (cut < 0 || done < cut) {
        size_t want = sizeof(buf);
        if (cut >= 0 && (off_t)want > cut - done)
            want = (size_t)(cut - done);
        ssize_t n = read(in, buf, want);
        if (n <= 0)
            break;
        ck_assert_int_eq(write(out, buf, (size_t)n), n);
        done += n;
    }
    close(in);
    close(out);
}

START_TEST(cut_wal_loads_complete_commits)
{
    char err[256] = "";
    enum { NCOMMITS = 12 };
    off_t ends[NCOMMITS];
    int rows_at[NCOMMITS];
    int total = 0;
    struct stat st;
    char cdir[320], cpath[340], cwal[350], cmd[800];
    struct journal *j = journal_open(path, JOURNAL_FSYNC_ALWAYS, NULL, err, sizeof(err));
    ck_assert_msg(j != NULL, "%s", err);
    for (int c = 0; c < NCOMMITS; c++) {
        char v[600];
        for (int r = 0; r <= c % 4; r++) {
            snprintf(v, sizeof(v), "c%d-r%d-%0500d", c, r, c);
            append3(j, c % 3, "SET", "k", v);
            total++;
        }
        ck_assert(journal_commit(j, err, sizeof(err)));
        ck_assert_int_eq(stat(wal, &st), 0);
        ends[c] = st.st_size;
        rows_at[c] = total;
    }
    /* copy the files while the journal is open (as after a SIGKILL) */
    snprintf(cdir, sizeof(cdir), "%s/cut", dir);
    mkdir(cdir, 0755);
    snprintf(cpath, sizeof(cpath), "%s/j.sqlite", cdir);
    snprintf(cwal, sizeof(cwal), "%s-wal", cpath);
    char mainf[340];
    snprintf(mainf, sizeof(mainf), "%s/main.copy", dir);
    copy_cut(path, mainf, -1);
    char walf[340];
    snprintf(walf, sizeof(walf), "%s/wal.copy", dir);
    copy_cut(wal, walf, -1);
    journal_close(j);

    ck_assert_int_eq(stat(walf, &st), 0);
    off_t size = st.st_size;
    int checked = 0;
    for (off_t cut = 0; cut <= size; cut += (cut < 4200 ? 97 : 1531)) {
        int expect = 0;
        uint64_t torn = 0;
        for (int c = 0; c < NCOMMITS; c++)
            if (ends[c] <= cut)
                expect = rows_at[c];
        snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s'", cpath, cwal);
        ck_assert_int_eq(system(cmd), 0);
        copy_cut(mainf, cpath, -1);
        copy_cut(walf, cwal, cut);
        struct seen *s = read_all(cpath, 0, &torn);
        ck_assert_msg(s->n == expect, "cut at %lld: %d rows, expected %d", (long long)cut, s->n, expect);
        int c_last = -1;
        for (int c = 0; c < NCOMMITS; c++)
            if (ends[c] <= cut)
                c_last = c;
        /* a cut strictly between two commits is a torn tail */
        if (c_last + 1 < NCOMMITS && cut > (c_last >= 0 ? ends[c_last] : 32) && cut > 32)
            ck_assert_msg(torn > 0, "cut at %lld: torn tail not reported", (long long)cut);
        if (c_last >= 0 && cut == ends[c_last])
            ck_assert_uint_eq(torn, 0);
        free(s);
        checked++;
    }
    ck_assert_int_gt(checked, 20);
}
END_TEST

START_TEST(not_a_journal)
{
    char err[256] = "";
    FILE *fp = fopen(path, "w");
    fputs("this is not sqlite at all, just some text that is long enough to be a header.....", fp);
    fclose(fp);
    ck_assert_ptr_null(journal_open(path, JOURNAL_FSYNC_NO, NULL, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

/* A commit on a failing disk (faultvfs) fails, keeps its rows and their
 * seqs, collects later appends, and a commit after the disk recovers
 * writes them all; the errno says why. */
static void fault_case(enum faultvfs_mode mode, int want_errno, enum journal_fsync policy)
{
    char err[256] = "";
    struct journal *j;
    ck_assert(faultvfs_install());
    j = journal_open(path, policy, NULL, err, sizeof(err));
    ck_assert_msg(j != NULL, "%s", err);
    append3(j, 0, "SET", "a", "1");
    ck_assert(journal_commit(j, err, sizeof(err)));
    append3(j, 0, "SET", "b", "2");
    faultvfs_arm(mode);
    ck_assert(!journal_commit(j, err, sizeof(err)));
    ck_assert(journal_has_failed(j));
    ck_assert(journal_pending(j));
    ck_assert_int_eq(journal_last_errno(j), want_errno);
    append3(j, 1, "SET", "c", "3");
    ck_assert_uint_eq(journal_last_seq(j), 3);
    ck_assert(!journal_commit(j, err, sizeof(err)));   /* still failing */
    ck_assert(!journal_sync(j, err, sizeof(err)));
    faultvfs_arm(FAULTVFS_OFF);
    ck_assert_msg(journal_commit(j, err, sizeof(err)), "%s", err);
    ck_assert(!journal_has_failed(j));
    ck_assert(!journal_pending(j));
    append3(j, 0, "SET", "d", "4");
    ck_assert(journal_commit(j, err, sizeof(err)));
    journal_close(j);
    struct seen *s = read_all(path, 0, NULL);
    ck_assert_int_eq(s->n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(s->seqs[i], (uint64_t)i + 1);
    ck_assert_str_eq(s->first[1], "2");
    ck_assert_str_eq(s->first[2], "3");
    ck_assert_int_eq(s->dbs[2], 1);
    free(s);
}

START_TEST(disk_full_commit_is_retried)
{
    fault_case(FAULTVFS_FULL, ENOSPC, JOURNAL_FSYNC_ALWAYS);
}
END_TEST

START_TEST(io_error_commit_is_retried)
{
    fault_case(FAULTVFS_IOERR, EIO, JOURNAL_FSYNC_EVERYSEC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, uncommitted_tail_not_read);
    tcase_add_test(tc, cut_wal_loads_complete_commits);
    tcase_add_test(tc, not_a_journal);
    tcase_add_test(tc, disk_full_commit_is_retried);
    tcase_add_test(tc, io_error_commit_is_retried);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
