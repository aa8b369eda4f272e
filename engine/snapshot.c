/*
 * snapshot: the keyspace in one sqlite file (schema and guarantees in
 * snapshot.h; the user's reference is docs/PERSISTENCE.md).
 *
 * meta rows:
 *   format_version  SNAPSHOT_FORMAT_VERSION (a reader refuses a newer one)
 *   codec_version   CODEC_VERSION of the value column
 *   taskkv_version  the writer's version, for people
 *   created_ms      when the save began, Unix ms
 *   journal_seq     the last journal entry the snapshot includes (0: none)
 *   databases       the writer's `databases`
 *   keys            the number of rows in `keys`
 *   keys_db<N>      the rows of database N (for N with keys): the reader
 *                   sizes each database's table before loading it
 *
 * The keys table's `checksum` column is row_hash() of the row (below), as a
 * signed 64-bit integer. sqlite notices broken pages, not a changed byte
 * inside a value: the reader checks every row's checksum before decoding
 * it, and decodes a verified row without re-checking what only hand-made
 * input can get wrong (CODEC_TRUSTED). A row whose checksum is NULL (one
 * inserted or changed by hand, which is allowed) is checked in full.
 * `keys` catches deleted rows; someone who deletes rows by hand deletes
 * that meta row too.
  */
#include "engine/snapshot.h"
#include "engine/codec.h"
#include "engine/kv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char schema_sql[] =
    "CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value);"
    "CREATE TABLE keys (db INTEGER NOT NULL, key BLOB NOT NULL, type TEXT NOT NULL, expire_ms INTEGER, "
    "value BLOB NOT NULL, checksum INTEGER);";

static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* ---- the row checksum ------------------------------------------------------- */

static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* A 64-bit hash of bytes chained from `h`: each 8-byte little-endian word w
 * updates h = rotl(h ^ (w * K1), 31) * K2; the 0..7 trailing bytes form one
 * last word (zero-padded) xored with the length; the result is fmix64(h).
 * Not cryptographic: it catches damage. */
#define K1 0x87c37b91114253d5ULL
#define K2 0x9E3779B97F4A7C15ULL

static uint64_t hash_bytes(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    size_t n = len;
    uint64_t w = 0;
    for (; n >= 8; p += 8, n -= 8) {
        h ^= load_le64(p) * K1;
        h = ((h << 31) | (h >> 33)) * K2;
    }
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    h ^= (w ^ (uint64_t)len) * K1;
    h = ((h << 31) | (h >> 33)) * K2;
    return fmix64(h);
}

/* row_hash: hash_bytes(value, hash_bytes(type, hash_bytes(key,
 * fmix64(db) ^ fmix64(expire_ms + 2)))) with expire_ms -1 for NULL. */
static uint64_t row_hash(int64_t db, const void *key, size_t klen, const char *type, int64_t expire_ms,
                         const void *val, size_t vlen)
{
    uint64_t h = fmix64((uint64_t)db) ^ fmix64((uint64_t)expire_ms + 2);
    h = hash_bytes(key, klen, h);
    h = hash_bytes(type, strlen(type), h);
    return hash_bytes(val, vlen, h);
}

/* ---- text or blob ------------------------------------------------------------ */

/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) and
 * no NUL byte. */
static bool is_text(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        if (c == 0)
            return false;
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= len || (p[i + 1] & 0xC0) != 0x80)
                return false;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= len || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80)
                return false;
            if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F))
                return false;
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= len || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80 ||
                (p[i + 3] & 0xC0) != 0x80)
                return false;
            if ((c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] > 0x8F))
                return false;
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

static int bind_bytes(sqlite3_stmt *st, int col, const void *p, size_t len, bool maybe_text)
{
    if (maybe_text && is_text(p, len))
        return sqlite3_bind_text64(st, col, len ? p : "", len, SQLITE_STATIC, SQLITE_UTF8);
    return sqlite3_bind_blob64(st, col, len ? p : "", len, SQLITE_STATIC);
}

/* ---- writing ------------------------------------------------------------------ */

/* Rows are inserted BATCH at a time by one multi-row INSERT: one statement
 * run per batch instead of per row (sqlite's per-statement work - cursor,
 * rowid seek, halt - was most of a save's time). A batch's values stay
 * valid until it is flushed: keys and string bytes point into the keyspace,
 * which does not change during a save; integers' digits and collection
 * encodings are copied into `arena` and bound by offset at the flush. */
#define BATCH 64

struct pending {
    int db;
    const char *key;
    size_t klen;
    const char *type;
    int64_t when;
    const void *val;          /* NULL: at arena offset `off` */
    size_t off, vlen;
    bool text;                /* a string value that is valid UTF-8 */
    uint64_t sum;
};

struct writer {
    sqlite3 *db;
    sqlite3_stmt *ins, *ins_batch;
    struct codec_buf buf, arena;
    struct pending rows[BATCH];
    int nrows;
    int dbnum;
    int64_t now_ms;
    uint64_t keys, *db_keys;
    bool failed;
    char *err;
    size_t errcap;
    const char *path;
};

static void arena_put(struct codec_buf *a, const void *p, size_t len)
{
    if (a->cap - a->len < len) {
        size_t cap = a->cap ? a->cap : 65536;
        while (cap - a->len < len)
            cap *= 2;
        a->p = realloc(a->p, cap);
        if (!a->p)
            abort();
        a->cap = cap;
    }
    if (len)
        memcpy(a->p + a->len, p, len);
    a->len += len;
}

/* Binds and runs the pending rows (a full batch through the multi-row
 * statement, a partial one row by row). */
static void flush_rows(struct writer *w)
{
    int n = w->nrows;
    sqlite3_stmt *st = n == BATCH ? w->ins_batch : w->ins;
    for (int r = 0; r < n && !w->failed;) {
        int per = n == BATCH ? BATCH : 1;
        for (int k = 0; k < per; k++, r++) {
            const struct pending *row = &w->rows[r];
            const void *val = row->val ? row->val : w->arena.p + row->off;
            int col = 6 * k;
            sqlite3_bind_int(st, col + 1, row->db);
            bind_bytes(st, col + 2, row->key, row->klen, true);
            sqlite3_bind_text(st, col + 3, row->type, -1, SQLITE_STATIC);
            if (row->when >= 0)
                sqlite3_bind_int64(st, col + 4, row->when);
            else
                sqlite3_bind_null(st, col + 4);
            if (row->text)
                sqlite3_bind_text64(st, col + 5, row->vlen ? val : "", row->vlen, SQLITE_STATIC, SQLITE_UTF8);
            else
                sqlite3_bind_blob64(st, col + 5, row->vlen ? val : "", row->vlen, SQLITE_STATIC);
            sqlite3_bind_int64(st, col + 6, (int64_t)row->sum);
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            set_err(w->err, w->errcap, "%s: write failed: %s", w->path, sqlite3_errmsg(w->db));
            w->failed = true;
        }
        sqlite3_reset(st);
    }
    w->nrows = 0;
    w->arena.len = 0;
}

static void write_entry(struct kv_entry *e, void *arg)
{
    struct writer *w = arg;
    const struct kv_obj *o = kv_entry_val(e);
    const char *type = codec_type_name(o->type), *cerr = NULL;
    char num[KV_LLSTR_SIZE];
    const void *val;
    size_t klen, vlen;
    const char *key = kv_entry_key(e, &klen);
    int64_t when = kv_ttl_get(e);
    struct pending *row;
    if (w->failed || kv_is_expired(e, w->now_ms))
        return;
    row = &w->rows[w->nrows];
    row->val = NULL;
    if (o->type == KV_STRING) {
        val = kv_str_bytes(o, num, &vlen);
        if (val == num) {
            row->off = w->arena.len;
            arena_put(&w->arena, num, vlen);
        } else {
            row->val = val;
        }
        row->text = is_text(val, vlen);
    } else if (codec_encode(o, &w->buf, &cerr) == 0) {
        val = w->buf.p;
        vlen = w->buf.len;
        row->off = w->arena.len;
        arena_put(&w->arena, val, vlen);
        row->text = false;
    } else {
        set_err(w->err, w->errcap, "%s: cannot save key '%.*s' (db %d): %s", w->path, klen > 200 ? 200 : (int)klen,
                key, w->dbnum, cerr);
        w->failed = true;
        return;
    }
    row->db = w->dbnum;
    row->key = key;
    row->klen = klen;
    row->type = type;
    row->when = when;
    row->vlen = vlen;
    row->sum = row_hash(w->dbnum, key, klen, type, when, val, vlen);
    w->db_keys[w->dbnum]++;
    w->keys++;
    if (++w->nrows == BATCH)
        flush_rows(w);
}

static bool exec_sql(struct writer *w, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(w->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return true;
    set_err(w->err, w->errcap, "%s: write failed: %s", w->path, msg ? msg : sqlite3_errmsg(w->db));
    sqlite3_free(msg);
    return false;
}

static bool put_meta(struct writer *w, sqlite3_stmt *st, const char *name, const char *text, int64_t num)
{
    int rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 2, num);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return true;
    set_err(w->err, w->errcap, "%s: write failed: %s", w->path, sqlite3_errmsg(w->db));
    return false;
}

static bool fsync_path(const char *path, bool dir, char *err, size_t errcap, const char *what)
{
    int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY);
    if (fd < 0 || fsync(fd) < 0) {
        set_err(err, errcap, "%s: fsync failed: %s", what, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}

static bool write_all(struct writer *w, struct kv_space *ks, const struct snapshot_meta *meta)
{
    sqlite3_stmt *st = NULL;
    char sql[256];
    bool ok;
    snprintf(sql, sizeof(sql),
             "PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
             "PRAGMA locking_mode=EXCLUSIVE; PRAGMA application_id=%d; PRAGMA user_version=%d;",
             SNAPSHOT_APP_ID, SNAPSHOT_FORMAT_VERSION);
    if (!exec_sql(w, sql) || !exec_sql(w, "PRAGMA cache_size=-16384;") || !exec_sql(w, schema_sql) ||
        !exec_sql(w, "BEGIN"))
        return false;
    {
        char multi[40 + BATCH * 16];
        size_t n = (size_t)snprintf(multi, sizeof(multi), "INSERT INTO keys VALUES ");
        for (int r = 0; r < BATCH; r++)
            n += (size_t)snprintf(multi + n, sizeof(multi) - n, "%s(?,?,?,?,?,?)", r ? "," : "");
        if (sqlite3_prepare_v2(w->db, "INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", -1, &w->ins, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(w->db, multi, -1, &w->ins_batch, NULL) != SQLITE_OK) {
            set_err(w->err, w->errcap, "%s: write failed: %s", w->path, sqlite3_errmsg(w->db));
            return false;
        }
    }
    for (int db = 0; db < kv_ndb(ks) && !w->failed; db++) {
        w->dbnum = db;
        kv_foreach(ks, db, write_entry, w);
    }
    if (!w->failed && w->nrows)
        flush_rows(w);
    if (w->failed)
        return false;
    if (sqlite3_prepare_v2(w->db, "INSERT INTO meta VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK) {
        set_err(w->err, w->errcap, "%s: write failed: %s", w->path, sqlite3_errmsg(w->db));
        return false;
    }
    ok = put_meta(w, st, "format_version", NULL, SNAPSHOT_FORMAT_VERSION) &&
         put_meta(w, st, "codec_version", NULL, CODEC_VERSION) &&
         put_meta(w, st, "taskkv_version", meta && meta->taskkv_version ? meta->taskkv_version : "", 0) &&
         put_meta(w, st, "created_ms", NULL, w->now_ms) &&
         put_meta(w, st, "journal_seq", NULL, meta ? (int64_t)meta->journal_seq : 0) &&
         put_meta(w, st, "databases", NULL, kv_ndb(ks)) && put_meta(w, st, "keys", NULL, (int64_t)w->keys);
    for (int db = 0; ok && db < kv_ndb(ks); db++)
        if (w->db_keys[db]) {
            char name[32];
            snprintf(name, sizeof(name), "keys_db%d", db);
            ok = put_meta(w, st, name, NULL, (int64_t)w->db_keys[db]);
        }
    sqlite3_finalize(st);
    return ok && exec_sql(w, "COMMIT");
}

int snapshot_write(struct kv_space *ks, const char *path, const char *tmp_path, const struct snapshot_meta *meta,
                   int64_t now_ms, uint64_t *keys, char *err, size_t errcap)
{
    struct writer w;
    bool ok;
    char dir[4096];
    const char *slash;
    memset(&w, 0, sizeof(w));
    w.now_ms = now_ms;
    w.err = err;
    w.errcap = errcap;
    w.path = tmp_path;
    w.db_keys = calloc((size_t)kv_ndb(ks), sizeof(*w.db_keys));
    if (!w.db_keys)
        abort();
    if (unlink(tmp_path) < 0 && errno != ENOENT) {
        free(w.db_keys);
        set_err(err, errcap, "%s: can't remove the old temporary file: %s", tmp_path, strerror(errno));
        return SNAPSHOT_ERROR;
    }
    if (sqlite3_open_v2(tmp_path, &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        set_err(err, errcap, "%s: can't create: %s", tmp_path, w.db ? sqlite3_errmsg(w.db) : "out of memory");
        sqlite3_close(w.db);
        unlink(tmp_path);
        free(w.db_keys);
        return SNAPSHOT_ERROR;
    }
    ok = write_all(&w, ks, meta);
    free(w.db_keys);
    sqlite3_finalize(w.ins);
    sqlite3_finalize(w.ins_batch);
    if (sqlite3_close(w.db) != SQLITE_OK && ok) {
        set_err(err, errcap, "%s: close failed", tmp_path);
        ok = false;
    }
    codec_buf_free(&w.buf);
    free(w.arena.p);
    ok = ok && fsync_path(tmp_path, false, err, errcap, tmp_path);
    if (ok && rename(tmp_path, path) < 0) {
        set_err(err, errcap, "%s: can't rename %s into place: %s", path, tmp_path, strerror(errno));
        ok = false;
    }
    if (!ok) {
        unlink(tmp_path);
        return SNAPSHOT_ERROR;
    }
    slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash == path ? 1 : slash - path] = '\0';
        if (slash == path)
            dir[0] = '/';
    } else {
        strcpy(dir, ".");
    }
    if (!fsync_path(dir, true, err, errcap, dir))
        return SNAPSHOT_ERROR;
    if (keys)
        *keys = w.keys;
    return SNAPSHOT_OK;
}

/* ---- reading ------------------------------------------------------------------ */

/* Looks at the first bytes before sqlite does, for clearer messages. */
static int check_header(const char *path, char *err, size_t errcap)
{
    unsigned char h[100];
    struct stat sb;
    ssize_t n;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        if (errno == ENOENT)
            return SNAPSHOT_MISSING;
        set_err(err, errcap, "%s: can't open: %s", path, strerror(errno));
        return SNAPSHOT_ERROR;
    }
    if (fstat(fd, &sb) < 0 || S_ISDIR(sb.st_mode)) {
        set_err(err, errcap, "%s: %s", path, S_ISDIR(sb.st_mode) ? "is a directory" : strerror(errno));
        close(fd);
        return SNAPSHOT_ERROR;
    }
    n = read(fd, h, sizeof(h));
    close(fd);
    if (n < 0) {
        set_err(err, errcap, "%s: can't read: %s", path, strerror(errno));
        return SNAPSHOT_ERROR;
    }
    if (n == 0) {
        set_err(err, errcap, "%s: empty file (0 bytes), not a taskkv snapshot", path);
        return SNAPSHOT_ERROR;
    }
    if (n >= 5 && memcmp(h, "REDIS", 5) == 0) {
        set_err(err, errcap, "%s: is a Redis RDB file, not a taskkv snapshot (taskkv cannot read RDB files)", path);
        return SNAPSHOT_ERROR;
    }
    if (n < 100 || memcmp(h, "SQLite format 3", 16) != 0) {
        set_err(err, errcap, "%s: not a taskkv snapshot (no sqlite header%s)", path,
                n < 100 ? ": the file is too short" : "");
        return SNAPSHOT_ERROR;
    }
    if (((uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71]) != SNAPSHOT_APP_ID) {
        set_err(err, errcap, "%s: an sqlite database but not a taskkv snapshot (application_id is not TKKV)", path);
        return SNAPSHOT_ERROR;
    }
    return SNAPSHOT_OK;
}

struct meta_vals {
    bool have_format, have_keys;
    int64_t format, codec, keys, created, journal_seq;
    char version[32];
};

/* max_rows bounds what a (damaged) keys_db<N> may make the reader
 * allocate: no file holds more rows than it has bytes / 8. */
static int read_meta(sqlite3 *db, struct kv_space *ks, const char *path, uint64_t max_rows, struct meta_vals *m,
                     char *err, size_t errcap)
{
    sqlite3_stmt *st = NULL;
    int rc;
    memset(m, 0, sizeof(*m));
    m->codec = CODEC_VERSION;
    if (sqlite3_prepare_v2(db, "SELECT name, value FROM meta", -1, &st, NULL) != SQLITE_OK) {
        set_err(err, errcap, "%s: damaged or not a taskkv snapshot (%s)", path, sqlite3_errmsg(db));
        return SNAPSHOT_ERROR;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!name)
            continue;
        if (!strcmp(name, "format_version")) {
            m->have_format = true;
            m->format = sqlite3_column_int64(st, 1);
        } else if (!strcmp(name, "codec_version")) {
            m->codec = sqlite3_column_int64(st, 1);
        } else if (!strcmp(name, "keys")) {
            m->have_keys = true;
            m->keys = sqlite3_column_int64(st, 1);
        } else if (!strncmp(name, "keys_db", 7)) {
            char *end;
            long dbn = strtol(name + 7, &end, 10);
            int64_t n = sqlite3_column_int64(st, 1);
            if (*end == '\0' && dbn >= 0 && dbn < kv_ndb(ks) && n > 0 && (uint64_t)n <= max_rows)
                kv_reserve(ks, (int)dbn, (size_t)n);
        } else if (!strcmp(name, "created_ms")) {
            m->created = sqlite3_column_int64(st, 1);
        } else if (!strcmp(name, "journal_seq")) {
            m->journal_seq = sqlite3_column_int64(st, 1);
        } else if (!strcmp(name, "taskkv_version")) {
            const char *t = (const char *)sqlite3_column_text(st, 1);
            snprintf(m->version, sizeof(m->version), "%s", t ? t : "");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, errcap, "%s: damaged snapshot (%s)", path, sqlite3_errmsg(db));
        return SNAPSHOT_ERROR;
    }
    if (!m->have_format) {
        set_err(err, errcap, "%s: damaged snapshot (meta has no format_version)", path);
        return SNAPSHOT_ERROR;
    }
    if (m->format != SNAPSHOT_FORMAT_VERSION || m->codec != CODEC_VERSION) {
        set_err(err, errcap,
                "%s: snapshot format %lld (values in codec format %lld) was written by a different taskkv "
                "(%s); this version reads format %d, codec %d",
                path, (long long)m->format, (long long)m->codec, m->version[0] ? m->version : "unknown version",
                SNAPSHOT_FORMAT_VERSION, CODEC_VERSION);
        return SNAPSHOT_ERROR;
    }
    return SNAPSHOT_OK;
}

struct snapshot_reader {
    sqlite3 *db;
    sqlite3_stmt *st;
    char *path;
    struct codec_limits lim;
    int64_t now_ms;
    unsigned flags;
    struct meta_vals m;
    uint64_t rows;
    uint64_t file_bytes;
    struct snapshot_info info;
};

/* Up to max_rows more rows: 1 when rows remain, 0 at the end (all
 * checks passed), -1 on damage (err set). */
static int read_keys(struct snapshot_reader *r, struct kv_space *ks, uint64_t max_rows, char *err, size_t errcap)
{
    sqlite3 *db = r->db;
    sqlite3_stmt *st = r->st;
    const char *path = r->path;
    const struct codec_limits *lim = &r->lim;
    int64_t now_ms = r->now_ms;
    unsigned flags = r->flags;
    const struct meta_vals *m = &r->m;
    struct snapshot_info *info = &r->info;
    uint64_t rows = r->rows, stop = max_rows > UINT64_MAX - rows ? UINT64_MAX : rows + max_rows;
    char cerr[256];
    int rc = SQLITE_DONE;
    while (rows < stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t dbnum = sqlite3_column_int64(st, 0), when = -1;
        const void *key = sqlite3_column_blob(st, 1);
        size_t klen = (size_t)sqlite3_column_bytes(st, 1);
        const char *tname = (const char *)sqlite3_column_text(st, 2);
        size_t tlen = (size_t)sqlite3_column_bytes(st, 2);
        const void *val = sqlite3_column_blob(st, 4);
        size_t vlen = (size_t)sqlite3_column_bytes(st, 4);
        int type;
        unsigned trust = 0;
        struct kv_obj *o;
        rows++;
        if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || dbnum < 0 || dbnum >= kv_ndb(ks)) {
            set_err(err, errcap,
                    "%s: row %llu: database %lld out of range: the server has %d databases (the snapshot "
                    "was written with more; raise `databases`)",
                    path, (unsigned long long)rows, (long long)dbnum, kv_ndb(ks));
            goto fail;
        }
        if (sqlite3_column_type(st, 3) == SQLITE_INTEGER) {
            when = sqlite3_column_int64(st, 3);
            if (when < 0) {
                set_err(err, errcap, "%s: damaged snapshot (row %llu: negative expire_ms)", path,
                        (unsigned long long)rows);
                goto fail;
            }
        } else if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            set_err(err, errcap, "%s: damaged snapshot (row %llu: expire_ms is not an integer)", path,
                    (unsigned long long)rows);
            goto fail;
        }
        type = tname ? codec_type_from_name(tname, tlen) : -1;
        if (type < 0 || sqlite3_column_type(st, 1) == SQLITE_NULL || sqlite3_column_type(st, 4) == SQLITE_NULL) {
            set_err(err, errcap, "%s: damaged snapshot (row %llu: %s)", path, (unsigned long long)rows,
                    type < 0 ? "unknown type" : "NULL key or value");
            goto fail;
        }
        if (!key)   /* sqlite hands out NULL for zero bytes */
            key = "";
        if (!val)
            val = "";
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            if ((uint64_t)sqlite3_column_int64(st, 5) != row_hash(dbnum, key, klen, tname, when, val, vlen)) {
                set_err(err, errcap,
                        "%s: damaged snapshot (row %llu, key '%.*s' in db %lld: checksum mismatch, the row's "
                        "bytes changed)",
                        path, (unsigned long long)rows, klen > 200 ? 200 : (int)klen, (const char *)key,
                        (long long)dbnum);
                goto fail;
            }
            trust = CODEC_TRUSTED;
        }
        if (when >= 0 && now_ms > when) {
                info->keys_expired++;
            continue;
        }
        o = codec_decode(type, val, vlen, lim, trust, cerr, sizeof(cerr));
        if (!o) {
            set_err(err, errcap, "%s: damaged snapshot (row %llu, key '%.*s' in db %lld: %s)", path,
                    (unsigned long long)rows, klen > 200 ? 200 : (int)klen, (const char *)key, (long long)dbnum,
                    cerr);
            goto fail;
        }
        if (!kv_load_add(ks, (int)dbnum, key, klen, o, when)) {
            if (!(flags & SNAPSHOT_MERGE)) {
                kv_obj_free(o);
                set_err(err, errcap, "%s: row %llu: key '%.*s' exists already in db %lld", path,
                        (unsigned long long)rows, klen > 200 ? 200 : (int)klen, (const char *)key,
                        (long long)dbnum);
                goto fail;
            }
            kv_delete(ks, (int)dbnum, key, klen);
            kv_load_add(ks, (int)dbnum, key, klen, o, when);
        }
        info->keys_loaded++;
    }
    r->rows = rows;
    if (rc == SQLITE_ROW)
        return 1;   /* more to come */
    if (rc != SQLITE_DONE) {
        set_err(err, errcap, "%s: damaged snapshot (%s, after row %llu)", path, sqlite3_errmsg(db),
                (unsigned long long)rows);
        goto fail;
    }
    if (m->have_keys && (uint64_t)m->keys != rows) {
        set_err(err, errcap, "%s: damaged snapshot (meta says %lld keys, the keys table has %llu rows)", path,
                (long long)m->keys, (unsigned long long)rows);
        return -1;
    }
    return 0;
fail:
    r->rows = rows;
    return -1;
}

int snapshot_read_begin(struct kv_space *ks, const char *path, const struct codec_limits *lim, int64_t now_ms,
                        unsigned flags, struct snapshot_reader **out, char *err, size_t errcap)
{
    struct snapshot_reader *r;
    struct stat sb;
    uint64_t max_rows;
    int rc = check_header(path, err, errcap);
    *out = NULL;
    if (rc != SNAPSHOT_OK)
        return rc;
    r = calloc(1, sizeof(*r));
    if (!r || !(r->path = strdup(path)))
        abort();
    r->lim = *lim;
    r->now_ms = now_ms;
    r->flags = flags;
    r->file_bytes = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    max_rows = r->file_bytes / 8;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        set_err(err, errcap, "%s: can't open: %s", path, r->db ? sqlite3_errmsg(r->db) : "out of memory");
        snapshot_read_end(r);
        return SNAPSHOT_ERROR;
    }
    sqlite3_exec(r->db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    rc = read_meta(r->db, ks, path, max_rows, &r->m, err, errcap);
    if (rc == SNAPSHOT_OK &&
        sqlite3_prepare_v2(r->db, "SELECT db, key, type, expire_ms, value, checksum FROM keys", -1, &r->st, NULL) !=
            SQLITE_OK) {
        set_err(err, errcap, "%s: damaged or not a taskkv snapshot (%s)", path, sqlite3_errmsg(r->db));
        rc = SNAPSHOT_ERROR;
    }
    if (rc != SNAPSHOT_OK) {
        snapshot_read_end(r);
        return rc;
    }
    r->info.format_version = (int)r->m.format;
    snprintf(r->info.taskkv_version, sizeof(r->info.taskkv_version), "%s", r->m.version);
    r->info.created_ms = r->m.created;
    r->info.journal_seq = (uint64_t)r->m.journal_seq;
    *out = r;
    return SNAPSHOT_OK;
}

int snapshot_read_step(struct snapshot_reader *r, struct kv_space *ks, uint64_t max_rows, char *err, size_t errcap)
{
    return read_keys(r, ks, max_rows, err, errcap);
}

const struct snapshot_info *snapshot_reader_info(const struct snapshot_reader *r) { return &r->info; }

void snapshot_reader_progress(const struct snapshot_reader *r, uint64_t *rows_done, uint64_t *rows_total,
                              uint64_t *file_bytes)
{
    *rows_done = r->rows;
    *rows_total = r->m.have_keys && r->m.keys > 0 ? (uint64_t)r->m.keys : 0;
    *file_bytes = r->file_bytes;
}

void snapshot_read_end(struct snapshot_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->st);
    sqlite3_close(r->db);
    free(r->path);
    free(r);
}

int snapshot_read(struct kv_space *ks, const char *path, const struct codec_limits *lim, int64_t now_ms,
                  unsigned flags, struct snapshot_info *info, char *err, size_t errcap)
{
    struct snapshot_reader *r;
    int rc = snapshot_read_begin(ks, path, lim, now_ms, flags, &r, err, errcap);
    if (info)
        memset(info, 0, sizeof(*info));
    if (rc != SNAPSHOT_OK)
        return rc;
    rc = snapshot_read_step(r, ks, UINT64_MAX, err, errcap) == 0 ? SNAPSHOT_OK : SNAPSHOT_ERROR;
    if (info)
        *info = r->info;
    snapshot_read_end(r);
    return rc;
}
