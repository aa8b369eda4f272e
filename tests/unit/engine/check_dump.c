/*
 * check_dump: DUMP payloads (engine/dump.c, engine/crc64.c) - CRC-64/XZ
 * against its check value; the frame byte for byte as docs/DUMP-FORMAT.md
 * describes it; every type in every encoding survives dump + restore with
 * its contents (digest) and OBJECT ENCODING; a listpack hash or sorted set
 * stays one under lower value limits (as Redis keeps a loaded listpack);
 * Redis' own payload is refused by the frame check; and damage never
 * crashes or yields a broken value: every truncation and every single-byte
 * change of every sample payload is refused, and the same damage with the
 * checksum recomputed (so the value decoder itself is exercised) is either
 * refused as bad data or gives a value that is consistent (verified, and
 * stable across another dump + restore).
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/codec.h"
#include "engine/crc64.h"
#include "engine/digest.h"
#include "engine/dump.h"
#include "engine/obj.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_stream.h"
#include "engine/t_zset.h"

static const struct codec_limits *L = &codec_default_limits;

/* ---- building sample values ---------------------------------------------------- */

static struct kv_obj *list_n(int n, size_t elem_len)
{
    struct tlist *l = tlist_create();
    char *e = malloc(elem_len + 16);
    for (int i = 0; i < n; i++) {
        int k = snprintf(e, 16, "%d", i);
        memset(e + k, i % 3 ? 'x' : '\0', elem_len > (size_t)k ? elem_len - (size_t)k : 0);
        tlist_push(l, TLIST_TAIL, e, elem_len > (size_t)k ? elem_len : (size_t)k, L->list_fill);
    }
    free(e);
    return kv_obj_wrap(KV_LIST, l);
}

static struct kv_obj *set_ints(int n)
{
    struct tset *s = tset_new();
    for (int i = 0; i < n; i++) {
        char e[24];
        int k = snprintf(e, sizeof(e), "%d", i * 7 - 50);
        tset_add(s, e, (size_t)k, (size_t)L->set_max_intset);
    }
    return kv_obj_wrap(KV_SET, s);
}

static struct kv_obj *set_strs(int n)
{
    struct tset *s = tset_new();
    tset_add(s, "", 0, (size_t)L->set_max_intset);
    tset_add(s, "\0\xff", 2, (size_t)L->set_max_intset);
    for (int i = 0; i < n; i++) {
        char e[24];
        int k = snprintf(e, sizeof(e), "m%d", i);
        tset_add(s, e, (size_t)k, (size_t)L->set_max_intset);
    }
    return kv_obj_wrap(KV_SET, s);
}

static struct kv_obj *hash_n(int n, size_t vlen)
{
    struct thash *h = thash_new();
    struct thash_limits hl = { L->hash_max_entries, L->hash_max_value };
    char *v = malloc(vlen + 8);
    memset(v, 'v', vlen + 8);
    for (int i = 0; i < n; i++) {
        char f[24];
        int k = snprintf(f, sizeof(f), "f\x01%d", i);
        thash_set(h, f, (size_t)k, v, i == n - 1 ? vlen : (size_t)(i % 5), hl);
    }
    free(v);
    return kv_obj_wrap(KV_HASH, h);
}

static struct kv_obj *zset_n(int n, size_t mlen)
{
    struct tzset_limits zl = { (size_t)L->zset_max_entries, (size_t)L->zset_max_value };
    struct tzset *z = tzset_new(&zl, 1);
    char *m = malloc(mlen + 24);
    static const double special[] = { -INFINITY, INFINITY, -0.0, 0.1, 1e300, -2.5 };
    for (int i = 0; i < n; i++) {
        int k = snprintf(m, 24, "m%d", i);
        size_t len = i == n - 1 && mlen > (size_t)k ? mlen : (size_t)k;
        if (len > (size_t)k)
            memset(m + k, 'M', len - (size_t)k);
        tzset_add(z, m, len, i < 6 ? special[i] : (double)(i % 9) - 4, 0, &zl, NULL);
    }
    free(m);
    return kv_obj_wrap(KV_ZSET, z);
}

static void stream_add(struct tstream *s, uint64_t ms, uint64_t seq, const char *f1, const char *v1,
                       const char *f2, const char *v2)
{
    struct tstream_limits lim = { 4096, 10 };
    struct tstream_id id = { ms, seq }, out;
    struct kv_arg fv[4] = { { f1, strlen(f1) }, { v1, strlen(v1) }, { f2, f2 ? strlen(f2) : 0 },
                            { v2, v2 ? strlen(v2) : 0 } };
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_EXPLICIT, &id, 0, fv, f2 ? 2 : 1, &lim, &out), TSTREAM_ADDED);
}

/* Several nodes (10 entries each), tombstones, a deleted first entry. */
static struct kv_obj *stream_n(int n)
{
    struct tstream *s = tstream_create();
    char v[32];
    for (int i = 1; i <= n; i++) {
        snprintf(v, sizeof(v), "%d", i * i);
        stream_add(s, 1000 + (uint64_t)i, (uint64_t)i % 3, i % 4 ? "f" : "g", v, i % 5 ? "name" : NULL,
                   i % 5 ? "\x01\xff" : NULL);
    }
    for (int i = 1; i <= n; i += 6) {
        struct tstream_id id = { 1000 + (uint64_t)i, (uint64_t)i % 3 };
        ck_assert(tstream_delete(s, &id));
    }
    return kv_obj_wrap(KV_STREAM, s);
}

/* ---- helpers ---------------------------------------------------------------------- */

static void payload_of(const struct kv_obj *o, struct codec_buf *b)
{
    const char *err = NULL;
    ck_assert_msg(dump_encode(o, b, &err) == 0, "dump_encode: %s", err ? err : "?");
}

static struct kv_obj *restore_with(const void *p, size_t len, const struct codec_limits *lim, enum dump_status *st)
{
    char err[256];
    return dump_decode(p, len, lim, st, err, sizeof(err));
}

static void digest_of(const struct kv_obj *o, unsigned char d[DIGEST_LEN])
{
    ck_assert_int_eq(digest_value(o, d), 0);
}

/* Dump + restore under `lim`: same type and contents, encoding `want`. */
static void roundtrip_under(const struct kv_obj *o, const struct codec_limits *lim, int want)
{
    struct codec_buf b = { 0 };
    enum dump_status st;
    unsigned char d1[DIGEST_LEN], d2[DIGEST_LEN];
    struct kv_obj *back;
    payload_of(o, &b);
    ck_assert_int_eq(dump_check(b.p, b.len), DUMP_OK);
    back = restore_with(b.p, b.len, lim, &st);
    ck_assert_msg(back != NULL, "restore failed (%d)", (int)st);
    ck_assert_int_eq(back->type, o->type);
    digest_of(o, d1);
    digest_of(back, d2);
    ck_assert_msg(memcmp(d1, d2, DIGEST_LEN) == 0, "contents differ after dump + restore");
    ck_assert_str_eq(kv_enc_name(kv_obj_encoding(back)), kv_enc_name(want));
    kv_obj_free(back);
    codec_buf_free(&b);
}

/* Round trip under the default limits, keeping the encoding; frees o. */
static void roundtrip_keeps(struct kv_obj *o)
{
    roundtrip_under(o, L, kv_obj_encoding(o));
    kv_obj_free(o);
}

/* The frame around `value` as docs/DUMP-FORMAT.md writes it. */
static size_t frame(unsigned char *out, unsigned char type, unsigned char hint, const void *value, size_t vlen)
{
    uint64_t crc;
    size_t n = 0;
    out[n++] = type;
    out[n++] = hint;
    memcpy(out + n, value, vlen);
    n += vlen;
    out[n++] = DUMP_VERSION;
    out[n++] = 't';
    out[n++] = 'k';
    crc = crc64(0, out, n);
    for (int i = 0; i < 8; i++)
        out[n++] = (unsigned char)(crc >> (8 * i));
    return n;
}

/* ---- CRC and frame ------------------------------------------------------------------- */

START_TEST(test_crc64_xz)
{
    const char *s = "123456789";
    ck_assert(crc64(0, s, 9) == 0x995DC9BBDF1939FAULL);
    ck_assert(crc64(crc64(0, s, 4), s + 4, 5) == 0x995DC9BBDF1939FAULL);   /* in pieces */
    ck_assert(crc64(0, "", 0) == 0);
}
END_TEST

START_TEST(test_frame_bytes)
{
    struct kv_obj *o = kv_str_new("v", 1);
    struct codec_buf b = { 0 };
    unsigned char want[64];
    size_t n = frame(want, '$', 0, "v", 1);
    payload_of(o, &b);
    ck_assert_uint_eq(b.len, n);
    ck_assert(memcmp(b.p, want, n) == 0);
    ck_assert_uint_eq(b.len, 14);
    ck_assert(memcmp(b.p, "$\0v\x01tk", 6) == 0);
    /* Redis reads its RDB version from the two bytes 10 from the end: here
     * "tk", 27508 as a little-endian number, never a Redis version */
    ck_assert_uint_eq(b.p[b.len - 10] | (b.p[b.len - 9] << 8), 27508);
    kv_obj_free(o);

    /* a hash: its codec bytes after the type and the listpack hint */
    {
        struct thash *h = thash_new();
        struct thash_limits hl = { 128, 64 };
        static const unsigned char value[] = { 1, 'h', 1, 1, 'f', 1, 'v' };
        thash_set(h, "f", 1, "v", 1, hl);
        o = kv_obj_wrap(KV_HASH, h);
        payload_of(o, &b);
        n = frame(want, 'h', DUMP_HINT_COMPACT, value, sizeof(value));
        ck_assert_uint_eq(b.len, n);
        ck_assert(memcmp(b.p, want, n) == 0);
        kv_obj_free(o);
    }
    codec_buf_free(&b);
}
END_TEST

START_TEST(test_foreign_and_short_payloads)
{
    /* Redis 7.0.15's DUMP of the string "v", and of "hello" */
    static const unsigned char redis_v[] = { 0x00, 0x01, 'v', 0x0a, 0x00, 0x91, 0x08, 0xce, 0xb2, 0x19, 0x38, 0x8a, 0xce };
    static const unsigned char redis_hello[] = { 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x0a, 0x00,
                                                 0x63, 0x72, 0xdf, 0x76, 0x65, 0x34, 0x20, 0x0a };
    unsigned char zeros[32] = { 0 };
    enum dump_status st = DUMP_OK;
    ck_assert_int_eq(dump_check(redis_v, sizeof(redis_v)), DUMP_BAD_FRAME);
    ck_assert_int_eq(dump_check(redis_hello, sizeof(redis_hello)), DUMP_BAD_FRAME);
    ck_assert_ptr_null(restore_with(redis_v, sizeof(redis_v), L, &st));
    ck_assert_int_eq(st, DUMP_BAD_FRAME);
    for (size_t n = 0; n <= sizeof(zeros); n++) {
        ck_assert_int_eq(dump_check(zeros, n), DUMP_BAD_FRAME);
        ck_assert_ptr_null(restore_with(zeros, n, L, &st));
    }
    ck_assert_ptr_null(restore_with("garbage", 7, L, &st));
    ck_assert_int_eq(st, DUMP_BAD_FRAME);
}
END_TEST

START_TEST(test_bad_header_is_bad_data)
{
    unsigned char p[64];
    enum dump_status st = DUMP_OK;
    size_t n = frame(p, '?', 0, "v", 1);   /* an unknown type */
    ck_assert_int_eq(dump_check(p, n), DUMP_OK);
    ck_assert_ptr_null(restore_with(p, n, L, &st));
    ck_assert_int_eq(st, DUMP_BAD_DATA);
    n = frame(p, '$', 2, "v", 1);   /* an unknown hint */
    ck_assert_ptr_null(restore_with(p, n, L, &st));
    ck_assert_int_eq(st, DUMP_BAD_DATA);
    n = frame(p, '$', DUMP_HINT_COMPACT, "v", 1);   /* compact means nothing for a string */
    ck_assert_ptr_null(restore_with(p, n, L, &st));
    ck_assert_int_eq(st, DUMP_BAD_DATA);
    n = frame(p, 'l', 0, "v", 1);   /* a list whose value is no list */
    ck_assert_ptr_null(restore_with(p, n, L, &st));
    ck_assert_int_eq(st, DUMP_BAD_DATA);
    n = frame(p, 'l', 0, "", 0);
    ck_assert_ptr_null(restore_with(p, n, L, &st));
    ck_assert_int_eq(st, DUMP_BAD_DATA);
    n = frame(p, '$', 0, "", 0);   /* the empty string is a value */
    ck_assert_uint_eq(n, DUMP_MIN_LEN);
    {
        struct kv_obj *o = restore_with(p, n, L, &st);
        ck_assert_ptr_nonnull(o);
        ck_assert_uint_eq(kv_str_len(o), 0);
        kv_obj_free(o);
    }
}
END_TEST

/* ---- round trips -------------------------------------------------------------------- */

START_TEST(test_roundtrip_strings)
{
    char big[100000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 31 + (i >> 9));
    roundtrip_keeps(kv_str_from_ll(-9223372036854775807LL - 1));
    roundtrip_keeps(kv_str_from_ll(9223372036854775807LL));
    roundtrip_keeps(kv_str_new_encoded("12345", 5));
    roundtrip_keeps(kv_str_new("", 0));
    roundtrip_keeps(kv_str_new("hello", 5));
    roundtrip_keeps(kv_str_new("0123", 4));
    roundtrip_keeps(kv_str_new("\0\xff\r\n$\x01tk", 8));
    roundtrip_keeps(kv_str_new("12345678901234567890123456789012345678901234", 44));
    roundtrip_keeps(kv_str_new(big, 45));
    roundtrip_keeps(kv_str_new_raw(big, sizeof(big)));
    /* a short RAW string (APPEND) comes back as SET would store it */
    {
        struct kv_obj *o = kv_str_new_raw("42", 2);
        roundtrip_under(o, L, KV_ENC_INT);
        kv_obj_free(o);
        o = kv_str_new_raw("abc", 3);
        roundtrip_under(o, L, KV_ENC_EMBSTR);
        kv_obj_free(o);
    }
}
END_TEST

START_TEST(test_roundtrip_lists)
{
    roundtrip_keeps(list_n(1, 0));
    roundtrip_keeps(list_n(7, 3));
    roundtrip_keeps(list_n(5000, 8));      /* many nodes */
    roundtrip_keeps(list_n(3, 20000));     /* elements bigger than a node */
}
END_TEST

START_TEST(test_roundtrip_sets)
{
    struct kv_obj *o = set_ints(10);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_INTSET);
    roundtrip_keeps(o);
    o = set_ints(600);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_HASHTABLE);
    roundtrip_keeps(o);
    o = set_strs(5);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_HASHTABLE);
    roundtrip_keeps(o);
}
END_TEST

START_TEST(test_roundtrip_zsets)
{
    struct kv_obj *o = zset_n(20, 0);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_LISTPACK);
    roundtrip_keeps(o);
    o = zset_n(300, 0);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_SKIPLIST);
    roundtrip_keeps(o);
    o = zset_n(10, 100);   /* a long member */
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_SKIPLIST);
    roundtrip_keeps(o);
}
END_TEST

START_TEST(test_roundtrip_hashes)
{
    struct kv_obj *o = hash_n(10, 3);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_LISTPACK);
    roundtrip_keeps(o);
    o = hash_n(600, 3);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_HASHTABLE);
    roundtrip_keeps(o);
    o = hash_n(4, 200);   /* a long value */
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_HASHTABLE);
    roundtrip_keeps(o);
}
END_TEST

START_TEST(test_roundtrip_streams)
{
    struct kv_obj *o = stream_n(57);
    struct codec_buf b = { 0 };
    enum dump_status st;
    struct kv_obj *back;
    payload_of(o, &b);
    back = restore_with(b.p, b.len, L, &st);
    ck_assert_ptr_nonnull(back);
    ck_assert(tstream_verify(back->v.ptr));
    ck_assert_uint_eq(tstream_length(back->v.ptr), tstream_length(o->v.ptr));
    ck_assert_uint_eq(tstream_nodes(back->v.ptr), tstream_nodes(o->v.ptr));
    ck_assert_uint_eq(tstream_entries_added(back->v.ptr), tstream_entries_added(o->v.ptr));
    kv_obj_free(back);
    codec_buf_free(&b);
    roundtrip_keeps(o);
}
END_TEST

/* Redis keeps a listpack it loads unless it has too many entries; a hash
 * table or skiplist is made a listpack only when it fits both limits. */
START_TEST(test_listpack_kept_under_lower_value_limits)
{
    struct codec_limits small = *L;
    struct kv_obj *h = hash_n(5, 40), *z = zset_n(5, 40), *hh = hash_n(4, 200);
    small.hash_max_value = 10;
    small.zset_max_value = 10;
    ck_assert_int_eq(kv_obj_encoding(h), KV_ENC_LISTPACK);
    ck_assert_int_eq(kv_obj_encoding(z), KV_ENC_LISTPACK);
    roundtrip_under(h, &small, KV_ENC_LISTPACK);
    roundtrip_under(z, &small, KV_ENC_LISTPACK);
    small.hash_max_entries = 3;   /* too many entries: converted */
    small.zset_max_entries = 3;
    roundtrip_under(h, &small, KV_ENC_HASHTABLE);
    roundtrip_under(z, &small, KV_ENC_SKIPLIST);
    /* a hash table whose values fit higher limits becomes a listpack */
    small = *L;
    small.hash_max_value = 1000;
    roundtrip_under(hh, &small, KV_ENC_LISTPACK);
    kv_obj_free(h);
    kv_obj_free(z);
    kv_obj_free(hh);
}
END_TEST

/* ---- damage --------------------------------------------------------------------------- */

/* A value a damaged payload produced must be whole: verified where the type
 * has a checker, and stable across another dump + restore. */
static void check_consistent(struct kv_obj *o)
{
    struct codec_buf b = { 0 };
    enum dump_status st;
    unsigned char d1[DIGEST_LEN], d2[DIGEST_LEN];
    struct kv_obj *again;
    if (o->type == KV_LIST)
        ck_assert_ptr_null(tlist_verify(o->v.ptr, L->list_fill));
    if (o->type == KV_HASH)
        ck_assert(thash_verify(o->v.ptr));
    if (o->type == KV_STREAM)
        ck_assert(tstream_verify(o->v.ptr));
    digest_of(o, d1);
    payload_of(o, &b);
    again = restore_with(b.p, b.len, L, &st);
    ck_assert_msg(again != NULL, "a value restored from a damaged payload does not dump + restore again");
    digest_of(again, d2);
    ck_assert(memcmp(d1, d2, DIGEST_LEN) == 0);
    kv_obj_free(again);
    codec_buf_free(&b);
}

static struct kv_obj *samples(int i)
{
    switch (i) {
    case 0: return kv_str_new("hello", 5);
    case 1: return kv_str_from_ll(-12345);
    case 2: return list_n(9, 2);
    case 3: return set_ints(9);
    case 4: return set_strs(4);
    case 5: return zset_n(8, 0);
    case 6: return zset_n(6, 70);
    case 7: return hash_n(6, 2);
    case 8: return hash_n(3, 70);
    case 9: return stream_n(23);
    default: return NULL;
    }
}

START_TEST(test_every_truncation_and_byte_refused)
{
    for (int i = 0; i < 10; i++) {
        struct kv_obj *o = samples(i);
        struct codec_buf b = { 0 };
        enum dump_status st;
        unsigned char *p;
        payload_of(o, &b);
        p = malloc(b.len);
        for (size_t n = 0; n < b.len; n++) {
            ck_assert_ptr_null(restore_with(b.p, n, L, &st));
            ck_assert_int_eq(st, DUMP_BAD_FRAME);
        }
        for (size_t at = 0; at < b.len; at++)
            for (int x = 1; x < 256; x++) {
                memcpy(p, b.p, b.len);
                p[at] ^= (unsigned char)x;
                ck_assert_ptr_null(restore_with(p, b.len, L, &st));
                ck_assert_int_eq(st, DUMP_BAD_FRAME);
            }
        free(p);
        codec_buf_free(&b);
        kv_obj_free(o);
    }
}
END_TEST

/* The same damage behind a correct checksum reaches the value decoder. */
START_TEST(test_reframed_damage_never_breaks)
{
    static const unsigned char masks[] = { 0x01, 0x02, 0x10, 0x40, 0x80, 0x7f, 0xff };
    size_t refused = 0, accepted = 0;
    for (int i = 0; i < 10; i++) {
        struct kv_obj *o = samples(i), *back;
        struct codec_buf b = { 0 };
        enum dump_status st;
        const unsigned char *value;
        unsigned char *v, *p;
        size_t vlen;
        payload_of(o, &b);
        value = b.p + 2;
        vlen = b.len - 2 - 11;
        v = malloc(vlen + 1);
        p = malloc(vlen + 32);
        /* every byte of the value changed */
        for (size_t at = 0; at < vlen; at++)
            for (size_t m = 0; m < sizeof(masks); m++) {
                size_t n;
                memcpy(v, value, vlen);
                v[at] ^= masks[m];
                n = frame(p, b.p[0], b.p[1], v, vlen);
                back = restore_with(p, n, L, &st);
                if (back) {
                    accepted++;
                    check_consistent(back);
                    kv_obj_free(back);
                } else {
                    refused++;
                    ck_assert_int_eq(st, DUMP_BAD_DATA);
                }
            }
        /* every truncation of the value, and one stray byte after it */
        for (size_t n = 0; n <= vlen; n++) {
            size_t len;
            memcpy(v, value, vlen);
            v[vlen] = 'x';
            len = frame(p, b.p[0], b.p[1], v, n == vlen ? vlen + 1 : n);
            back = restore_with(p, len, L, &st);
            if (back) {
                ck_assert_int_eq(o->type, KV_STRING);   /* any bytes are a string */
                check_consistent(back);
                kv_obj_free(back);
            } else {
                ck_assert_int_eq(st, DUMP_BAD_DATA);
            }
        }
        free(v);
        free(p);
        codec_buf_free(&b);
        kv_obj_free(o);
    }
    ck_assert_uint_gt(refused, 0);
    ck_assert_uint_gt(accepted, 0);
}
END_TEST

static Suite *dump_suite(void)
{
    Suite *s = suite_create("dump");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_crc64_xz);
    tcase_add_test(tc, test_frame_bytes);
    tcase_add_test(tc, test_foreign_and_short_payloads);
    tcase_add_test(tc, test_bad_header_is_bad_data);
    tcase_add_test(tc, test_roundtrip_strings);
    tcase_add_test(tc, test_roundtrip_lists);
    tcase_add_test(tc, test_roundtrip_sets);
    tcase_add_test(tc, test_roundtrip_zsets);
    tcase_add_test(tc, test_roundtrip_hashes);
    tcase_add_test(tc, test_roundtrip_streams);
    tcase_add_test(tc, test_listpack_kept_under_lower_value_limits);
    tcase_add_test(tc, test_every_truncation_and_byte_refused);
    tcase_add_test(tc, test_reframed_damage_never_breaks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dump_suite());
    int failed;
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
