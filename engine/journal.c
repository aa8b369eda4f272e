/*
 * journal: the append-only journal as an sqlite WAL database (journal.h).
 */
#include "engine/journal.h"
#include "engine/bgsync.h"
#include "engine/faultvfs.h"
#include "engine/varint.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct journal {
    sqlite3 *db;
    sqlite3_stmt *ins;
    char *path;
    char *wal_path;
    enum journal_fsync policy;
    uint64_t last_seq;
    bool in_tx;
    unsigned char *buf;
    size_t bufcap;
    /* the rows of the open (or failed) transaction, kept until they are
     * committed: a failed commit is rolled back and retried with them */
    unsigned char *redo;        /* per row: u64 seq, i32 db, u32 len, bytes */
    size_t redo_len, redo_cap;
    bool redo_needed;           /* a commit failed: the rows are not in sqlite's transaction */
    int last_errno;
    struct bgsync *bg;          /* EVERYSEC's background fsync, created on first use */
};

static bool redo_add(struct journal *j, uint64_t seq, int db, const unsigned char *p, size_t len)
{
    size_t need = j->redo_len + 16 + len;
    if (need > j->redo_cap) {
        size_t cap = j->redo_cap ? j->redo_cap : 4096;
        unsigned char *nb;
        while (cap < need)
            cap *= 2;
        nb = realloc(j->redo, cap);
        if (!nb)
            return false;
        j->redo = nb;
        j->redo_cap = cap;
    }
    uint32_t l32 = (uint32_t)len;
    int32_t d32 = db;
    memcpy(j->redo + j->redo_len, &seq, 8);
    memcpy(j->redo + j->redo_len + 8, &d32, 4);
    memcpy(j->redo + j->redo_len + 12, &l32, 4);
    memcpy(j->redo + j->redo_len + 16, p, len);
    j->redo_len = need;
    return true;
}

/* errno for an sqlite failure code (what the disk said). */
static void note_errno(struct journal *j, int rc)
{
    int e = faultvfs_errno();
    if (!e) {
        switch (rc & 0xff) {
        case SQLITE_FULL: e = ENOSPC; break;
        case SQLITE_READONLY: e = EROFS; break;
        case SQLITE_NOMEM: e = ENOMEM; break;
        default: e = j->db ? sqlite3_system_errno(j->db) : 0; break;
        }
        if (!e)
            e = EIO;
    }
    j->last_errno = e;
}

int journal_last_errno(const struct journal *j) { return j->last_errno; }

static void set_err(char *err, size_t cap, const char *what, sqlite3 *db, const char *path)
{
    if (err && cap)
        snprintf(err, cap, "%s: %s (%s)", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

static bool exec_sql(struct journal *j, const char *sql, char *err, size_t errcap)
{
    int rc = sqlite3_exec(j->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        note_errno(j, rc);
        set_err(err, errcap, sql, j->db, j->path);
        return false;
    }
    return true;
}

static bool apply_sync(struct journal *j, char *err, size_t errcap)
{
    return exec_sql(j, j->policy == JOURNAL_FSYNC_ALWAYS ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF", err,
                    errcap);
}

/* ---- WAL inspection ---------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* sqlite's WAL checksum over n bytes (n a multiple of 8), continuing s. */
static void wal_cksum(bool big, const unsigned char *p, size_t n, uint32_t s[2])
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t x0, x1;
        if (big) {
            x0 = be32(p + i);
            x1 = be32(p + i + 4);
        } else {
            x0 = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
            x1 = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
                 (uint32_t)p[i + 7] << 24;
        }
        s[0] += x0 + s[1];
        s[1] += x1 + s[0];
    }
}

uint64_t journal_wal_torn_bytes(const char *wal_path)
{
    FILE *fp = fopen(wal_path, "rb");
    unsigned char hdr[32], fh[24];
    unsigned char *page = NULL;
    uint32_t magic, pgsz, salt1, salt2, s[2] = { 0, 0 };
    uint64_t off = 32, commit_end = 32, size, torn = 0;
    struct stat st;
    bool big;
    if (!fp)
        return 0;
    if (fstat(fileno(fp), &st) < 0 || fread(hdr, 1, 32, fp) != 32)
        goto out;
    size = (uint64_t)st.st_size;
    magic = be32(hdr);
    if (magic != 0x377f0682 && magic != 0x377f0683)
        goto out;
    big = magic & 1;
    pgsz = be32(hdr + 8);
    if (pgsz == 1)
        pgsz = 65536;
    if (pgsz < 512 || pgsz > 65536 || (pgsz & (pgsz - 1)))
        goto out;
    wal_cksum(big, hdr, 24, s);
    if (s[0] != be32(hdr + 24) || s[1] != be32(hdr + 28))
        goto out;
    salt1 = be32(hdr + 16);
    salt2 = be32(hdr + 20);
    page = malloc(pgsz);
    if (!page)
        goto out;
    for (;;) {
        size_t got = fread(fh, 1, 24, fp);
        if (got < 24) {
            /* whole frames are always written: a partial header is a torn
             * write, unless its salts show an older generation */
            if (got > 0 && (got < 16 || (be32(fh + 8) == salt1 && be32(fh + 12) == salt2)))
                off += got;
            break;
        }
        if (be32(fh + 8) != salt1 || be32(fh + 12) != salt2)
            break;   /* an older generation's frame: not ours */
        got = fread(page, 1, pgsz, fp);
        if (got < pgsz) {
            off += 24 + got;   /* cut inside the page */
            break;
        }
        wal_cksum(big, fh, 8, s);
        wal_cksum(big, page, pgsz, s);
        if (s[0] != be32(fh + 16) || s[1] != be32(fh + 20)) {
            off += 24 + pgsz;  /* a damaged frame of this generation */
            break;
        }
        off += 24 + pgsz;
        if (be32(fh + 4) != 0)
            commit_end = off;
    }
    if (off > size)
        off = size;
    torn = off > commit_end ? off - commit_end : 0;
out:
    free(page);
    fclose(fp);
    return torn;
}

/* ---- open / close ------------------------------------------------------------- */

struct journal *journal_open(const char *path, enum journal_fsync policy, uint64_t *torn_bytes, char *err,
                             size_t errcap)
{
    struct journal *j = calloc(1, sizeof(*j));
    sqlite3_stmt *st = NULL;
    size_t n = strlen(path);
    int app_id = 0;
    if (!j)
        return NULL;
    j->policy = policy;
    j->path = strdup(path);
    j->wal_path = malloc(n + 5);
    if (!j->path || !j->wal_path) {
        set_err(err, errcap, "out of memory", NULL, path);
        journal_close(j);
        return NULL;
    }
    memcpy(j->wal_path, path, n);
    memcpy(j->wal_path + n, "-wal", 5);
    if (torn_bytes)
        *torn_bytes = journal_wal_torn_bytes(j->wal_path);
    if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        set_err(err, errcap, "cannot open the journal", j->db, path);
        journal_close(j);
        return NULL;
    }
    if (!exec_sql(j, "PRAGMA locking_mode=EXCLUSIVE", err, errcap))
        goto fail;
    if (sqlite3_prepare_v2(j->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
        set_err(err, errcap, "cannot switch the journal to WAL mode", j->db, path);
        sqlite3_finalize(st);
        goto fail;
    }
    sqlite3_finalize(st);
    if (!apply_sync(j, err, errcap))
        goto fail;
    if (sqlite3_prepare_v2(j->db, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        app_id = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (app_id != 0 && app_id != JOURNAL_APP_ID) {
        if (err && errcap)
            snprintf(err, errcap, "%s: not a taskkv journal (application_id %#x)", path, (unsigned)app_id);
        goto fail;
    }
    if (app_id == 0) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA application_id=%d", JOURNAL_APP_ID);
        if (!exec_sql(j, sql, err, errcap))
            goto fail;
    }
    if (!exec_sql(j, "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, db INTEGER NOT NULL, "
                     "args BLOB NOT NULL)", err, errcap))
        goto fail;
    if (sqlite3_prepare_v2(j->db, "SELECT max(seq) FROM journal", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        set_err(err, errcap, "cannot read the journal", j->db, path);
        sqlite3_finalize(st);
        goto fail;
    }
    j->last_seq = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(j->db, "INSERT INTO journal (seq, db, args) VALUES (?, ?, ?)", -1, &j->ins, NULL) !=
        SQLITE_OK) {
        set_err(err, errcap, "cannot prepare the journal", j->db, path);
        goto fail;
    }
    return j;
fail:
    journal_close(j);
    return NULL;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    bgsync_destroy(j->bg);   /* waits for a running fsync */
    if (journal_pending(j))
        journal_commit(j, NULL, 0);
    sqlite3_finalize(j->ins);
    if (j->db)
        sqlite3_close(j->db);
    free(j->path);
    free(j->wal_path);
    free(j->buf);
    free(j->redo);
    free(j);
}

void journal_set_fsync(struct journal *j, enum journal_fsync policy)
{
    j->policy = policy;
    if (!j->in_tx)
        apply_sync(j, NULL, 0);
}

uint64_t journal_last_seq(const struct journal *j) { return j->last_seq; }

void journal_advance_seq(struct journal *j, uint64_t seq)
{
    if (seq > j->last_seq)
        j->last_seq = seq;
}

/* ---- writing ------------------------------------------------------------------ */

static bool insert_row(struct journal *j, uint64_t seq, int db, const unsigned char *p, size_t len)
{
    int rc;
    sqlite3_bind_int64(j->ins, 1, (sqlite3_int64)seq);
    sqlite3_bind_int(j->ins, 2, db);
    sqlite3_bind_blob(j->ins, 3, p, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(j->ins);
    sqlite3_reset(j->ins);
    sqlite3_clear_bindings(j->ins);
    if (rc != SQLITE_DONE) {
        note_errno(j, rc);
        return false;
    }
    return true;
}

uint64_t journal_append(struct journal *j, int db, int argc, const struct kv_arg *argv, char *err, size_t errcap)
{
    size_t need = 10, len = 0;
    for (int i = 0; i < argc; i++)
        need += 10 + argv[i].len;
    if (need > j->bufcap) {
        unsigned char *nb = realloc(j->buf, need);
        if (!nb) {
            set_err(err, errcap, "out of memory", NULL, j->path);
            return 0;
        }
        j->buf = nb;
        j->bufcap = need;
    }
    len += varint_put(j->buf, (uint64_t)argc);
    for (int i = 0; i < argc; i++) {
        len += varint_put(j->buf + len, argv[i].len);
        if (argv[i].len)
            memcpy(j->buf + len, argv[i].ptr, argv[i].len);
        len += argv[i].len;
    }
    if (!redo_add(j, j->last_seq + 1, db, j->buf, len)) {
        set_err(err, errcap, "out of memory", NULL, j->path);
        return 0;
    }
    if (j->redo_needed)   /* a failed commit: the retry inserts every kept row */
        return ++j->last_seq;
    if (!j->in_tx) {
        if (!exec_sql(j, "BEGIN", err, errcap)) {
            j->redo_needed = true;
            return ++j->last_seq;
        }
        j->in_tx = true;
    }
    if (!insert_row(j, j->last_seq + 1, db, j->buf, len)) {
        set_err(err, errcap, "cannot append to the journal", j->db, j->path);
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        j->in_tx = false;
        j->redo_needed = true;   /* kept: journal_commit retries */
    }
    return ++j->last_seq;
}

bool journal_pending(const struct journal *j) { return j->in_tx || j->redo_len > 0; }

bool journal_has_failed(const struct journal *j) { return j->redo_needed; }

/* After a failure: a new transaction with every kept row. */
static bool redo_rows(struct journal *j, char *err, size_t errcap)
{
    size_t off = 0;
    if (!exec_sql(j, "BEGIN", err, errcap))
        return false;
    j->in_tx = true;
    while (off < j->redo_len) {
        uint64_t seq;
        int32_t db;
        uint32_t len;
        memcpy(&seq, j->redo + off, 8);
        memcpy(&db, j->redo + off + 8, 4);
        memcpy(&len, j->redo + off + 12, 4);
        if (!insert_row(j, seq, db, j->redo + off + 16, len)) {
            set_err(err, errcap, "cannot append to the journal", j->db, j->path);
            return false;
        }
        off += 16 + len;
    }
    return true;
}

bool journal_commit(struct journal *j, char *err, size_t errcap)
{
    bool ok;
    if (!journal_pending(j))
        return true;
    ok = !j->redo_needed || redo_rows(j, err, errcap);
    ok = ok && exec_sql(j, "COMMIT", err, errcap);
    if (!ok) {
        /* rolled back; the rows are kept (redo) and the next commit retries
         * them, keeping their seqs */
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        j->redo_needed = true;
    } else {
        j->redo_needed = false;
        j->redo_len = 0;
        if (j->redo_cap > (1u << 20)) {
            free(j->redo);
            j->redo = NULL;
            j->redo_cap = 0;
        }
    }
    j->in_tx = false;
    apply_sync(j, NULL, 0);   /* a policy change waits for the end of a transaction */
    return ok;
}

static bool fsync_path(const char *path, char *err, size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT;   /* no WAL file (yet): nothing to sync */
    if (fsync(fd) < 0) {
        int e = errno;
        if (err && errcap)
            snprintf(err, errcap, "%s: fsync: %s", path, strerror(e));
        close(fd);
        errno = e;
        return false;
    }
    close(fd);
    return true;
}

bool journal_sync(struct journal *j, char *err, size_t errcap)
{
    if (faultvfs_errno()) {
        j->last_errno = faultvfs_errno();
        if (err && errcap)
            snprintf(err, errcap, "%s: fsync: %s (injected fault)", j->wal_path, strerror(j->last_errno));
        return false;
    }
    if (fsync_path(j->wal_path, err, errcap) && fsync_path(j->path, err, errcap))
        return true;
    j->last_errno = errno ? errno : EIO;
    return false;
}

int journal_sync_begin(struct journal *j, char *err, size_t errcap)
{
    const char *const paths[] = { j->wal_path, j->path };
    if (faultvfs_errno())
        return journal_sync(j, err, errcap) ? 1 : -1;   /* the injected fault, reported at once */
    if (!j->bg)
        j->bg = bgsync_create();
    if (j->bg && bgsync_start(j->bg, paths, 2))
        return 0;
    return journal_sync(j, err, errcap) ? 1 : -1;
}

bool journal_sync_running(const struct journal *j) { return j->bg && bgsync_running(j->bg); }

int journal_sync_poll(struct journal *j, char *err, size_t errcap)
{
    int errnum = 0;
    switch (j->bg ? bgsync_poll(j->bg, err, errcap, &errnum) : BGSYNC_IDLE) {
    case BGSYNC_OK:
        return 1;
    case BGSYNC_FAILED:
        j->last_errno = errnum ? errnum : EIO;
        return -1;
    default:
        return 0;
    }
}

bool journal_truncate(struct journal *j, uint64_t upto, char *err, size_t errcap)
{
    sqlite3_stmt *st = NULL;
    bool ok;
    if (journal_pending(j) && !journal_commit(j, err, errcap))
        return false;
    if (sqlite3_prepare_v2(j->db, "DELETE FROM journal WHERE seq <= ?", -1, &st, NULL) != SQLITE_OK) {
        set_err(err, errcap, "cannot truncate the journal", j->db, j->path);
        return false;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)upto);
    ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok)
        set_err(err, errcap, "cannot truncate the journal", j->db, j->path);
    sqlite3_finalize(st);
    /* give the space back: checkpoint and restart the WAL */
    if (ok)
        sqlite3_wal_checkpoint_v2(j->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    return ok;
}

uint64_t journal_rows(struct journal *j)
{
    sqlite3_stmt *st = NULL;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(j->db, "SELECT count(*) FROM journal", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

uint64_t journal_file_bytes(const struct journal *j)
{
    sqlite3_stmt *st = NULL;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, "
                           "pragma_freelist_count() f, pragma_page_size() s",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* ---- reading ------------------------------------------------------------------ */

long long journal_read(struct journal *j, uint64_t after, journal_row_fn fn, void *ctx, char *err, size_t errcap)
{
    sqlite3_stmt *st = NULL;
    struct kv_arg *argv = NULL;
    size_t argcap = 0;
    long long rows = 0;
    int rc;
    if (sqlite3_prepare_v2(j->db, "SELECT seq, db, args FROM journal WHERE seq > ? ORDER BY seq", -1, &st, NULL) !=
        SQLITE_OK) {
        set_err(err, errcap, "cannot read the journal", j->db, j->path);
        return -1;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0), argc;
        int db = sqlite3_column_int(st, 1);
        const unsigned char *p = sqlite3_column_blob(st, 2);
        const unsigned char *end = p + sqlite3_column_bytes(st, 2);
        if (!p || !varint_get_checked(&p, end, &argc) || argc == 0 || argc > (uint64_t)(end - p) + 1) {
            if (err && errcap)
                snprintf(err, errcap, "%s: damaged journal row %llu", j->path, (unsigned long long)seq);
            rows = -1;
            break;
        }
        if (argc > argcap) {
            struct kv_arg *na = realloc(argv, argc * sizeof(*argv));
            if (!na) {
                set_err(err, errcap, "out of memory", NULL, j->path);
                rows = -1;
                break;
            }
            argv = na;
            argcap = argc;
        }
        bool bad = false;
        for (uint64_t i = 0; i < argc; i++) {
            uint64_t len;
            if (!varint_get_checked(&p, end, &len) || len > (uint64_t)(end - p)) {
                bad = true;
                break;
            }
            argv[i].ptr = (const char *)p;
            argv[i].len = len;
            p += len;
        }
        if (bad || p != end) {
            if (err && errcap)
                snprintf(err, errcap, "%s: damaged journal row %llu", j->path, (unsigned long long)seq);
            rows = -1;
            break;
        }
        rows++;
        if (!fn(ctx, seq, db, (int)argc, argv))
            break;
    }
    if (rows >= 0 && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_err(err, errcap, "cannot read the journal", j->db, j->path);
        rows = -1;
    }
    sqlite3_finalize(st);
    free(argv);
    return rows;
}

size_t journal_sqlite_memory(void)
{
    sqlite3_int64 n = sqlite3_memory_used();
    return n > 0 ? (size_t)n : 0;
}
