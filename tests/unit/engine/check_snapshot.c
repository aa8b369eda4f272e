/*
 * check_snapshot: the sqlite snapshot (engine/snapshot.c) - a keyspace of
 * every type, in several databases, with TTLs, written to a temporary
 * directory and read back into a fresh keyspace gives the same dataset
 * digest and the same deadlines; keys past their deadline are skipped; the
 * schema reads as documented through sqlite itself; a missing file is
 * "start empty"; every kind of damage (garbage, a Redis RDB, an empty or
 * truncated file, another sqlite database, corrupt pages, a changed byte
 * inside a value, a deleted row, a newer format) is an error naming the
 * file, and the file is left exactly as it was; a failed write leaves the
 * previous snapshot in place and no temporary file behind.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/codec.h"
#include "engine/digest.h"
#include "engine/kv.h"
#include "engine/snapshot.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_stream.h"
#include "engine/t_zset.h"
#include "engine/timeidx.h"

#define NDB 16
#define NOW 1700000000000LL

static char dir[256], path[300], tmp[300];
static struct timeidx *ti;
static struct kv_space *ks;

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/check_snapshot.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    snprintf(tmp, sizeof(tmp), "%s/dump.rdb.tmp-1", dir);
    ti = ti_create();
    ks = kv_create(NDB, ti, NULL);
}

static void teardown(void)
{
    char cmd[400];
    kv_destroy(ks);
    ti_destroy(ti);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A fresh keyspace to read into, with its own time index. */
struct target {
    struct timeidx *ti;
    struct kv_space *ks;
};

static struct target target_new(int ndb)
{
    struct target t;
    t.ti = ti_create();
    t.ks = kv_create(ndb, t.ti, NULL);
    return t;
}

static void target_free(struct target *t)
{
    kv_destroy(t->ks);
    ti_destroy(t->ti);
}

static void add_strk(int db, const char *key, size_t klen, const char *val, size_t vlen, int64_t when)
{
    struct kv_entry *e = kv_add(ks, db, key, klen, kv_str_new_encoded(val, vlen));
    if (when >= 0)
        kv_ttl_set(ks, db, e, when);
}

static void add_str(int db, const char *key, const char *val, size_t vlen, int64_t when)
{
    struct kv_entry *e = kv_add(ks, db, key, strlen(key), kv_str_new_encoded(val, vlen));
    if (when >= 0)
        kv_ttl_set(ks, db, e, when);
}

/* One key of every type and encoding, over three databases. */
static void populate(void)
{
    struct thash_limits hl = { 128, 64 };
    struct tzset_limits zl = { 128, 64 };
    struct tlist *l = tlist_create();
    struct thash *h = thash_new(), *hbig = thash_new();
    struct tset *si = tset_new(), *ss = tset_new();
    struct tzset *zp = tzset_new(&zl, 1), *zs = tzset_new(&zl, 1);
    struct kv_entry *e;
    char big[5000];
    memset(big, 'B', sizeof(big));
    add_str(0, "int", "12345", 5, -1);
    add_str(0, "emb", "hello", 5, NOW + 60000);
    add_str(0, "empty", "", 0, -1);
    add_str(0, "raw", big, sizeof(big), -1);
    add_strk(0, "bin\xff\x00k", 6, "\x00\x01\xfe\xff", 4, NOW + 1);
    add_str(0, "utf8 \xc3\xa9t\xc3\xa9", "caf\xc3\xa9", 5, -1);
    add_str(3, "int", "other db", 8, -1);
    add_str(15, "", "empty key", 9, NOW + 123456789);
    for (int i = 0; i < 1000; i++) {
        char x[16];
        int n = snprintf(x, sizeof(x), "%d", i);
        tlist_push(l, TLIST_TAIL, x, (size_t)n, -2);
        thash_set(hbig, x, (size_t)n, x, (size_t)n, hl);
        tset_add(ss, x, (size_t)n, 512);
        tzset_add(zs, x, (size_t)n, i / 10.0, 0, &zl, NULL);
    }
    thash_set(h, "f", 1, "v", 1, hl);
    thash_set(h, "g", 1, "", 0, hl);
    tset_add(si, "1", 1, 512);
    tset_add(si, "-5", 2, 512);
    tzset_add(zp, "a", 1, -INFINITY, 0, &zl, NULL);
    tzset_add(zp, "b", 1, 2.5, 0, &zl, NULL);
    tzset_add(zs, "negzero", 7, -0.0, 0, &zl, NULL);
    kv_add(ks, 0, "list", 4, kv_obj_wrap(KV_LIST, l));
    kv_add(ks, 0, "hash", 4, kv_obj_wrap(KV_HASH, h));
    e = kv_add(ks, 3, "hashbig", 7, kv_obj_wrap(KV_HASH, hbig));
    kv_ttl_set(ks, 3, e, NOW + 3600000);
    kv_add(ks, 0, "intset", 6, kv_obj_wrap(KV_SET, si));
    kv_add(ks, 3, "set", 3, kv_obj_wrap(KV_SET, ss));
    kv_add(ks, 0, "zpack", 5, kv_obj_wrap(KV_ZSET, zp));
    kv_add(ks, 15, "zskip", 5, kv_obj_wrap(KV_ZSET, zs));
    {
        struct tstream *st = tstream_create();
        struct tstream_limits sl = { 4096, 100 };
        for (int i = 0; i < 250; i++) {
            struct tstream_id out;
            char v[16];
            int n = snprintf(v, sizeof(v), "%d", i);
            struct kv_arg fv[2] = { { "field", 5 }, { v, (size_t)n } };
            ck_assert_int_eq(tstream_add(st, TSTREAM_ID_AUTO, NULL, NOW + i / 3, fv, 1, &sl, &out), TSTREAM_ADDED);
        }
        kv_add(ks, 3, "stream", 6, kv_obj_wrap(KV_STREAM, st));
    }
}

static size_t total_keys(struct kv_space *k)
{
    size_t n = 0;
    for (int db = 0; db < kv_ndb(k); db++)
        n += kv_size(k, db);
    return n;
}

static void write_ok(void)
{
    char err[512] = "";
    struct snapshot_meta meta = { "test", 7 };
    uint64_t keys = 0;
    int rc = snapshot_write(ks, path, tmp, &meta, NOW, &keys, err, sizeof(err));
    ck_assert_msg(rc == SNAPSHOT_OK, "write: %s", err);
    ck_assert_uint_eq(keys, total_keys(ks));
    ck_assert_int_eq(access(tmp, F_OK), -1);   /* renamed away */
}

/* Reads `path` into a fresh keyspace, expecting an error that names the
 * file and mentions `needle`; the file must be byte-for-byte unchanged. */
static void read_fails(const char *needle)
{
    struct target t = target_new(NDB);
    char err[512] = "", *before, *after;
    size_t blen, alen;
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    blen = (size_t)ftell(fp);
    rewind(fp);
    before = malloc(blen + 1);
    ck_assert_uint_eq(fread(before, 1, blen, fp), blen);
    fclose(fp);
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, NULL, err, sizeof(err)),
                     SNAPSHOT_ERROR);
    printf("check_snapshot: refused as expected: %s\n", err);
    ck_assert_msg(strstr(err, path) != NULL, "error does not name the file: %s", err);
    ck_assert_msg(strstr(err, needle) != NULL, "error '%s' does not mention '%s'", err, needle);
    fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    alen = (size_t)ftell(fp);
    rewind(fp);
    after = malloc(alen + 1);
    ck_assert_uint_eq(fread(after, 1, alen, fp), alen);
    fclose(fp);
    ck_assert_uint_eq(alen, blen);
    ck_assert_msg(memcmp(before, after, blen) == 0, "the damaged file was modified");
    free(before);
    free(after);
    target_free(&t);
}

static void write_file(const void *p, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(p, 1, len, fp), len);
    fclose(fp);
}

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg ? msg : "");
    sqlite3_close(db);
}

/* ---- round trips ------------------------------------------------------------------ */

START_TEST(test_roundtrip_everything)
{
    struct target t = target_new(NDB);
    struct snapshot_info info;
    unsigned char d1[DIGEST_LEN], d2[DIGEST_LEN];
    char err[512] = "";
    populate();
    write_ok();
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, &info, err, sizeof(err)), SNAPSHOT_OK);
    ck_assert_uint_eq(info.keys_loaded, total_keys(ks));
    ck_assert_uint_eq(info.keys_expired, 0);
    ck_assert_int_eq(info.format_version, SNAPSHOT_FORMAT_VERSION);
    ck_assert_str_eq(info.taskkv_version, "test");
    ck_assert_int_eq(info.created_ms, NOW);
    ck_assert_uint_eq(info.journal_seq, 7);
    for (int db = 0; db < NDB; db++) {
        ck_assert_uint_eq(kv_size(t.ks, db), kv_size(ks, db));
        ck_assert_uint_eq(kv_volatile_count(t.ks, db), kv_volatile_count(ks, db));
    }
    digest_keyspace(ks, NOW, d1);
    digest_keyspace(t.ks, NOW, d2);
    ck_assert(memcmp(d1, d2, DIGEST_LEN) == 0);
    /* deadlines are absolute and exact; encodings are kept */
    ck_assert_int_eq(kv_ttl_get(kv_peek(t.ks, 15, "", 0)), NOW + 123456789);
    ck_assert_int_eq(kv_ttl_get(kv_peek(t.ks, 3, "hashbig", 7)), NOW + 3600000);
    ck_assert_int_eq(kv_ttl_get(kv_peek(t.ks, 0, "int", 3)), -1);
    {
        static const char *const keys[] = { "int", "emb", "raw", "list", "hash", "intset", "zpack" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            ck_assert_int_eq(kv_obj_encoding(kv_entry_val(kv_peek(t.ks, 0, keys[i], strlen(keys[i])))),
                             kv_obj_encoding(kv_entry_val(kv_peek(ks, 0, keys[i], strlen(keys[i])))));
        ck_assert_int_eq(kv_obj_encoding(kv_entry_val(kv_peek(t.ks, 15, "zskip", 5))), KV_ENC_SKIPLIST);
        ck_assert_int_eq(kv_obj_encoding(kv_entry_val(kv_peek(t.ks, 3, "set", 3))), KV_ENC_HASHTABLE);
        ck_assert_uint_eq(tstream_length(kv_entry_val(kv_peek(t.ks, 3, "stream", 6))->v.ptr), 250);
    }
    /* and the TTLs are live in the new time index: they expire */
    ck_assert_uint_eq(ti_run_due(t.ti, NOW + 2, 100), 1);   /* "bin\xff\0k" at NOW + 1 */
    ck_assert_ptr_null(kv_peek(t.ks, 0, "bin\xff\x00k", 6));
    target_free(&t);
}
END_TEST

START_TEST(test_expired_rows_skipped)
{
    struct target t = target_new(NDB);
    struct snapshot_info info;
    char err[512];
    populate();
    write_ok();
    /* read 2 minutes later: "emb" (+60 s) and the binary key (+1 ms) are gone */
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW + 120000, 0, &info, err, sizeof(err)),
                     SNAPSHOT_OK);
    ck_assert_uint_eq(info.keys_expired, 2);
    ck_assert_uint_eq(info.keys_loaded, total_keys(ks) - 2);
    ck_assert_ptr_null(kv_peek(t.ks, 0, "emb", 3));
    ck_assert_ptr_nonnull(kv_peek(t.ks, 3, "hashbig", 7));
    target_free(&t);
    /* a key already expired when saving is not written */
    {
        struct target t2 = target_new(NDB);
        uint64_t keys;
        ck_assert_int_eq(snapshot_write(ks, path, tmp, NULL, NOW + 120000, &keys, err, sizeof(err)), SNAPSHOT_OK);
        ck_assert_uint_eq(keys, total_keys(ks) - 2);
        target_free(&t2);
    }
}
END_TEST

START_TEST(test_empty_keyspace_and_missing_file)
{
    struct target t = target_new(NDB);
    char err[512] = "";
    struct snapshot_info info;
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, &info, err, sizeof(err)),
                     SNAPSHOT_MISSING);
    ck_assert_uint_eq(total_keys(t.ks), 0);
    write_ok();
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, &info, err, sizeof(err)), SNAPSHOT_OK);
    ck_assert_uint_eq(info.keys_loaded, 0);
    target_free(&t);
}
END_TEST

START_TEST(test_schema_as_documented)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int rows = 0;
    populate();
    write_ok();
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    /* what a user would type in the sqlite3 shell */
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT type, expire_ms, typeof(key), typeof(value), value, "
                                        "typeof(checksum) FROM keys "
                                        "WHERE db = 0 AND key = 'emb'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "string");
        ck_assert_int_eq(sqlite3_column_int64(st, 1), NOW + 60000);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "text");
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 3), "text");
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "hello");
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 5), "integer");
    }
    sqlite3_finalize(st);
    ck_assert_int_eq(rows, 1);
    /* binary keys and values are BLOBs; collections are BLOBs; no TTL is NULL */
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT typeof(key), typeof(value), typeof(expire_ms) FROM keys WHERE "
                                        "type = 'string' AND key = x'62696eff006b'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "blob");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "blob");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "integer");
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT count(*), sum(typeof(value) = 'blob'), sum(expire_ms IS NULL) FROM "
                                        "keys WHERE type <> 'string'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 8);
    ck_assert_int_eq(sqlite3_column_int(st, 1), 8);
    ck_assert_int_eq(sqlite3_column_int(st, 2), 7);
    sqlite3_finalize(st);
    /* meta and the file's identity */
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT value FROM meta WHERE name = 'format_version'), (SELECT value "
                                        "FROM meta WHERE name = 'journal_seq'), (SELECT value FROM meta WHERE name = "
                                        "'keys'), (SELECT count(*) FROM keys)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), SNAPSHOT_FORMAT_VERSION);
    ck_assert_int_eq(sqlite3_column_int(st, 1), 7);
    ck_assert_int_eq(sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
    sqlite3_finalize(st);
    /* per-database counts */
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT group_concat(name || '=' || value, ' ') FROM (SELECT name, "
                                            "value FROM meta WHERE name LIKE 'keys_db%' ORDER BY name)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "keys_db0=10 keys_db15=2 keys_db3=4");
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), SNAPSHOT_APP_ID);
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                                            "tbl_name = 'keys'", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 0);   /* no index on keys */
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_hand_edited_file_loads)
{
    struct target t = target_new(NDB);
    char err[512] = "";
    populate();
    write_ok();
    /* edits that keep the checks are damage ... */
    exec_sql("DELETE FROM keys WHERE key = 'raw'");
    read_fails("meta says");
    exec_sql("DELETE FROM meta WHERE name = 'keys'; UPDATE keys SET value = 'changed' WHERE key = 'emb'");
    read_fails("checksum mismatch");
    /* ... those that drop them load: a row with a NULL checksum is checked
     * in full, a missing `keys` row counts nothing */
    exec_sql("UPDATE keys SET checksum = NULL WHERE key = 'emb';"
             "UPDATE keys SET value = CAST(x'017a02016103352e3001620131' AS BLOB), checksum = NULL "
             "WHERE key = 'zpack';"
             "INSERT INTO keys (db, key, type, value) VALUES (1, 'added', 'string', 'by hand')");
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, NULL, err, sizeof(err)), SNAPSHOT_OK);
    ck_assert_ptr_null(kv_peek(t.ks, 0, "raw", 3));
    ck_assert_ptr_nonnull(kv_peek(t.ks, 1, "added", 5));
    ck_assert_uint_eq(total_keys(t.ks), total_keys(ks));
    {
        /* the hand-written zset: out of order, "5.0" - sorted, and scored */
        struct kv_entry *e = kv_peek(t.ks, 0, "zpack", 5);
        double sc;
        size_t rank;
        ck_assert_ptr_nonnull(e);
        ck_assert(tzset_rank(kv_entry_val(e)->v.ptr, "a", 1, false, &rank, &sc));
        ck_assert_uint_eq(rank, 1);
        ck_assert(sc == 5.0);
    }
    target_free(&t);
}
END_TEST

START_TEST(test_merge_and_conflicts)
{
    struct target t = target_new(NDB);
    char err[512] = "";
    struct kv_entry *e;
    char buf[KV_LLSTR_SIZE];
    size_t len;
    const char *p;
    populate();
    write_ok();
    kv_add(t.ks, 0, "int", 3, kv_str_new("old", 3));
    kv_add(t.ks, 0, "keep", 4, kv_str_new("mine", 4));
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, NULL, err, sizeof(err)), SNAPSHOT_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "exists already"));
    kv_flush_all(t.ks);
    kv_add(t.ks, 0, "int", 3, kv_str_new("old", 3));
    kv_add(t.ks, 0, "keep", 4, kv_str_new("mine", 4));
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, SNAPSHOT_MERGE, NULL, err, sizeof(err)),
                     SNAPSHOT_OK);
    e = kv_peek(t.ks, 0, "int", 3);
    p = kv_str_bytes(kv_entry_val(e), buf, &len);
    ck_assert_uint_eq(len, 5);
    ck_assert(memcmp(p, "12345", 5) == 0);
    ck_assert_ptr_nonnull(kv_peek(t.ks, 0, "keep", 4));
    ck_assert_uint_eq(total_keys(t.ks), total_keys(ks) + 1);
    target_free(&t);
}
END_TEST

START_TEST(test_fewer_databases_refused)
{
    struct target t = target_new(4);
    char err[512] = "";
    populate();
    write_ok();
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, NULL, err, sizeof(err)), SNAPSHOT_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "database 15 out of range"));
    target_free(&t);
}
END_TEST

START_TEST(test_big_roundtrip)
{
    /* 200k keys of mixed types with TTLs on a quarter of them; the time it
     * takes is printed, not asserted */
    struct target t = target_new(NDB);
    char err[512] = "";
    unsigned char d1[DIGEST_LEN], d2[DIGEST_LEN];
    struct timespec a, b, c;
    struct thash_limits hl = { 128, 64 };
    for (int i = 0; i < 200000; i++) {
        char key[32], val[32];
        int kn = snprintf(key, sizeof(key), "key:%08d", i), vn = snprintf(val, sizeof(val), "value-%d", i * 7);
        struct kv_entry *e;
        if (i % 4 == 1) {
            struct thash *h = thash_new();
            thash_set(h, "a", 1, val, (size_t)vn, hl);
            thash_set(h, "b", 1, key, (size_t)kn, hl);
            e = kv_add(ks, 0, key, (size_t)kn, kv_obj_wrap(KV_HASH, h));
        } else if (i % 4 == 2) {
            struct tlist *l = tlist_create();
            tlist_push(l, TLIST_TAIL, val, (size_t)vn, -2);
            tlist_push(l, TLIST_TAIL, key, (size_t)kn, -2);
            e = kv_add(ks, 0, key, (size_t)kn, kv_obj_wrap(KV_LIST, l));
        } else {
            e = kv_add(ks, 0, key, (size_t)kn, kv_str_new_encoded(val, (size_t)vn));
        }
        if (i % 4 == 3)
            kv_ttl_set(ks, 0, e, NOW + 1000000 + i);
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    write_ok();
    clock_gettime(CLOCK_MONOTONIC, &b);
    ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, NULL, err, sizeof(err)), SNAPSHOT_OK);
    clock_gettime(CLOCK_MONOTONIC, &c);
    printf("check_snapshot: 200000 keys written in %.3f s, read in %.3f s\n",
           (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
           (double)(c.tv_sec - b.tv_sec) + (double)(c.tv_nsec - b.tv_nsec) / 1e9);
    ck_assert_uint_eq(kv_size(t.ks, 0), 200000);
    ck_assert_uint_eq(kv_volatile_count(t.ks, 0), 50000);
    digest_keyspace(ks, NOW, d1);
    digest_keyspace(t.ks, NOW, d2);
    ck_assert(memcmp(d1, d2, DIGEST_LEN) == 0);
    target_free(&t);
}
END_TEST

/* ---- damage --------------------------------------------------------------------------- */

START_TEST(test_damage_not_sqlite)
{
    write_file("", 0);
    read_fails("empty file");
    write_file("REDIS0010\xfa\x09redis-ver", 19);
    read_fails("Redis RDB file");
    {
        static const char text[] = "hello, this is not a database at all, just some text that goes on for a while "
                                   "to pass the hundred byte mark of a header, really";
        write_file(text, sizeof(text) - 1);
    }
    read_fails("not a taskkv snapshot");
}
END_TEST

START_TEST(test_damage_other_sqlite_database)
{
    exec_sql("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    read_fails("not a taskkv snapshot");
    /* right application id but no tables (an empty database made by hand) */
    unlink(path);
    exec_sql("PRAGMA application_id = 1414220630; CREATE TABLE t (x)");
    read_fails("no such table");
}
END_TEST

START_TEST(test_damage_truncated)
{
    struct stat sb;
    populate();
    write_ok();
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(truncate(path, sb.st_size / 2), 0);
    read_fails("damaged");
    ck_assert_int_eq(truncate(path, 50), 0);
    read_fails("too short");
}
END_TEST

/* Overwrites `len` bytes at `off` with a pattern. */
static void scribble(long off, size_t len)
{
    int fd = open(path, O_WRONLY);
    char *junk = malloc(len);
    for (size_t i = 0; i < len; i++)
        junk[i] = (char)(0xA5 ^ (i * 37));
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, junk, len, off), (ssize_t)len);
    close(fd);
    free(junk);
}

START_TEST(test_damage_corrupt_pages)
{
    struct stat sb;
    populate();
    write_ok();
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_gt(sb.st_size, 3 * 16384);
    /* the second page onwards: table roots and data pages */
    scribble(16384, 16384);
    read_fails("damaged");
}
END_TEST

START_TEST(test_damage_bad_header_fields)
{
    populate();
    write_ok();
    scribble(16, 4);   /* page size and file format bytes */
    read_fails("taskkv");
}
END_TEST

START_TEST(test_damage_value_byte)
{
    /* a changed byte inside a string value: sqlite sees nothing wrong, the
     * checksum does */
    sqlite3 *db;
    char *blob = malloc(1 << 20);
    size_t len = 1 << 20;
    FILE *fp;
    long off = -1;
    memset(blob, 'Q', len);
    kv_add(ks, 0, "big", 3, kv_str_new(blob, len));
    write_ok();
    fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    {
        /* find a run of Q's well inside the file */
        char *all = malloc(4 << 20);
        size_t n = fread(all, 1, 4 << 20, fp);
        for (size_t i = n / 2; i + 64 < n; i++)
            if (memcmp(all + i, "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ", 32) == 0) {
                off = (long)i + 16;
                break;
            }
        free(all);
    }
    fclose(fp);
    ck_assert_int_ge(off, 0);
    scribble(off, 1);
    read_fails("checksum mismatch");
    (void)db;
    free(blob);
}
END_TEST

START_TEST(test_damage_values_and_rows)
{
    populate();
    write_ok();
    exec_sql("UPDATE keys SET value = x'0273', checksum = NULL WHERE key = 'intset'");
    read_fails("codec format 2");
    unlink(path);
    write_ok();
    exec_sql("UPDATE keys SET type = 'hyperloglog', checksum = NULL WHERE key = 'emb'");
    read_fails("unknown type");
    unlink(path);
    write_ok();
    exec_sql("UPDATE keys SET expire_ms = 'soon', checksum = NULL WHERE key = 'emb'");
    read_fails("expire_ms");
    unlink(path);
    write_ok();
    exec_sql("UPDATE meta SET value = 2 WHERE name = 'format_version'");
    read_fails("format 2");
    unlink(path);
    write_ok();
    exec_sql("DELETE FROM meta WHERE name = 'format_version'");
    read_fails("format_version");
    unlink(path);
    write_ok();
    exec_sql("DROP TABLE keys");
    read_fails("no such table");
}
END_TEST

START_TEST(test_unreadable_file)
{
    if (geteuid() == 0)
        return;   /* root reads anything */
    populate();
    write_ok();
    ck_assert_int_eq(chmod(path, 0), 0);
    {
        struct target t = target_new(NDB);
        char err[512] = "";
        ck_assert_int_eq(snapshot_read(t.ks, path, &codec_default_limits, NOW, 0, NULL, err, sizeof(err)),
                         SNAPSHOT_ERROR);
        ck_assert_ptr_nonnull(strstr(err, path));
        target_free(&t);
    }
    chmod(path, 0644);
}
END_TEST

START_TEST(test_failed_write_keeps_previous)
{
    char err[512] = "", bad[400];
    struct stat before, after;
    populate();
    write_ok();
    ck_assert_int_eq(stat(path, &before), 0);
    /* a temporary file in a directory that does not exist */
    snprintf(bad, sizeof(bad), "%s/nodir/dump.rdb.tmp-1", dir);
    kv_add(ks, 0, "more", 4, kv_str_new("x", 1));
    ck_assert_int_eq(snapshot_write(ks, path, bad, NULL, NOW, NULL, err, sizeof(err)), SNAPSHOT_ERROR);
    ck_assert_ptr_nonnull(strstr(err, bad));
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_int_eq(after.st_ino, before.st_ino);
    ck_assert_int_eq(after.st_size, before.st_size);
    /* a leftover temporary file from a crashed save is replaced */
    write_file("junk", 4);
    ck_assert_int_eq(rename(path, tmp), 0);
    write_ok();
    ck_assert_int_eq(access(tmp, F_OK), -1);
}
END_TEST

static Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_roundtrip_everything);
    tcase_add_test(tc, test_expired_rows_skipped);
    tcase_add_test(tc, test_empty_keyspace_and_missing_file);
    tcase_add_test(tc, test_schema_as_documented);
    tcase_add_test(tc, test_hand_edited_file_loads);
    tcase_add_test(tc, test_merge_and_conflicts);
    tcase_add_test(tc, test_fewer_databases_refused);
    tcase_add_test(tc, test_big_roundtrip);
    tcase_add_test(tc, test_damage_not_sqlite);
    tcase_add_test(tc, test_damage_other_sqlite_database);
    tcase_add_test(tc, test_damage_truncated);
    tcase_add_test(tc, test_damage_corrupt_pages);
    tcase_add_test(tc, test_damage_bad_header_fields);
    tcase_add_test(tc, test_damage_value_byte);
    tcase_add_test(tc, test_damage_values_and_rows);
    tcase_add_test(tc, test_unreadable_file);
    tcase_add_test(tc, test_failed_write_keeps_previous);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(snapshot_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
