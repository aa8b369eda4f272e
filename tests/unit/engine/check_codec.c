/*
 * check_codec: the value codec (engine/codec.c) - every type in every
 * encoding survives encode + decode with its contents, its OBJECT ENCODING
 * (under the same limits) and its digest (engine/digest.c); big values,
 * binary bytes, empty strings, integers, +-inf and -0 scores; the encoding
 * is re-chosen from the limits as Redis' RDB load does; every damaged input
 * (each truncation, bad version or tag, stray bytes, duplicates, NaN) is an
 * error, never a crash or a half-built value. Also SHA-1 against the
 * standard's test vectors.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/codec.h"
#include "engine/digest.h"
#include "engine/obj.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_stream.h"
#include "engine/t_zset.h"

#define REQUIRE(cond)                                                       \
    do {                                                                    \
        if (!(cond))                                                        \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);           \
    } while (0)

static const struct codec_limits *L = &codec_default_limits;

/* ---- helpers ----------------------------------------------------------------- */

static struct kv_obj *roundtrip_with(const struct kv_obj *o, const struct codec_limits *lim)
{
    struct codec_buf b = { 0 };
    const char *err = NULL;
    char derr[256] = "";
    struct kv_obj *back;
    ck_assert_int_eq(codec_encode(o, &b, &err), 0);
    back = codec_decode(o->type, b.p, b.len, lim, 0, derr, sizeof(derr));
    ck_assert_msg(back != NULL, "decode failed: %s", derr);
    /* the trusted decode (a verified snapshot row) builds the same value */
    {
        struct kv_obj *t = codec_decode(o->type, b.p, b.len, lim, CODEC_TRUSTED, derr, sizeof(derr));
        unsigned char d1[DIGEST_LEN], d2[DIGEST_LEN];
        ck_assert_msg(t != NULL, "trusted decode failed: %s", derr);
        ck_assert_int_eq(kv_obj_encoding(t), kv_obj_encoding(back));
        ck_assert_int_eq(digest_value(t, d1), 0);
        ck_assert_int_eq(digest_value(back, d2), 0);
        ck_assert(memcmp(d1, d2, DIGEST_LEN) == 0);
        kv_obj_free(t);
    }
    codec_buf_free(&b);
    return back;
}

/* Same type, same digest (contents), and the expected encoding. */
static void check_same(const struct kv_obj *a, const struct kv_obj *b, int want_enc)
{
    unsigned char da[DIGEST_LEN], db[DIGEST_LEN];
    ck_assert_int_eq(a->type, b->type);
    ck_assert_int_eq(digest_value(a, da), 0);
    ck_assert_int_eq(digest_value(b, db), 0);
    ck_assert_msg(memcmp(da, db, DIGEST_LEN) == 0, "digest differs after the round trip");
    ck_assert_str_eq(kv_enc_name(kv_obj_encoding(b)), kv_enc_name(want_enc));
}

/* Round trip under the default limits keeping the encoding. */
static void roundtrip_keeps(struct kv_obj *o)
{
    int enc = kv_obj_encoding(o);
    struct kv_obj *back = roundtrip_with(o, L);
    check_same(o, back, enc);
    kv_obj_free(back);
    kv_obj_free(o);
}

static struct kv_obj *list_of(const char *const *items, size_t n)
{
    struct tlist *l = tlist_create();
    for (size_t i = 0; i < n; i++)
        tlist_push(l, TLIST_TAIL, items[i], strlen(items[i]), L->list_fill);
    return kv_obj_wrap(KV_LIST, l);
}

static struct thash_limits hlim(void) { return (struct thash_limits){ L->hash_max_entries, L->hash_max_value }; }
static struct tzset_limits zlim(void) { return (struct tzset_limits){ (size_t)L->zset_max_entries, (size_t)L->zset_max_value }; }

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof(a)) == 0; }

/* ---- SHA-1 ------------------------------------------------------------------- */

START_TEST(test_sha1_vectors)
{
    static const struct {
        const char *in;
        const char *hex;
    } v[] = {
        { "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
        { "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
        { "The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12" },
    };
    char hex[DIGEST_HEX_LEN + 1];
    unsigned char d[DIGEST_LEN];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        sha1(v[i].in, strlen(v[i].in), d);
        digest_hex(d, hex);
        ck_assert_str_eq(hex, v[i].hex);
    }
    /* one million 'a', fed in uneven pieces */
    {
        struct sha1_ctx c;
        char chunk[997];
        size_t left = 1000000;
        memset(chunk, 'a', sizeof(chunk));
        sha1_init(&c);
        while (left) {
            size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
            sha1_update(&c, chunk, n);
            left -= n;
        }
        sha1_final(&c, d);
        digest_hex(d, hex);
        ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }
}
END_TEST

/* ---- strings ------------------------------------------------------------------ */

START_TEST(test_string_encodings)
{
    struct codec_buf b = { 0 };
    const char *err;
    struct kv_obj *o, *back;
    char derr[128];
    /* INT: stored as its decimal text, comes back INT */
    o = kv_str_from_ll(-9223372036854775807LL - 1);
    ck_assert_int_eq(codec_encode(o, &b, &err), 0);
    ck_assert_uint_eq(b.len, 20);
    ck_assert(memcmp(b.p, "-9223372036854775808", 20) == 0);
    back = codec_decode(KV_STRING, b.p, b.len, L, 0, derr, sizeof(derr));
    check_same(o, back, KV_ENC_INT);
    ck_assert(back->v.i == o->v.i);
    kv_obj_free(back);
    kv_obj_free(o);
    codec_buf_free(&b);

    roundtrip_keeps(kv_str_new_encoded("12345", 5));
    roundtrip_keeps(kv_str_new("hello", 5));
    roundtrip_keeps(kv_str_new("", 0));
    roundtrip_keeps(kv_str_new("0123", 4));   /* not canonical: stays a string */
    roundtrip_keeps(kv_str_new("12345678901234567890123456789012345678901234", 44));   /* longest EMBSTR */
    {
        char big[45];
        memset(big, 'x', sizeof(big));
        roundtrip_keeps(kv_str_new(big, sizeof(big)));   /* shortest RAW */
    }
}
END_TEST

START_TEST(test_string_raw_bytes_and_rechosen_encoding)
{
    struct codec_buf b = { 0 };
    const char *err;
    char derr[128];
    size_t n = 1 << 20;
    char *bin = malloc(n);
    struct kv_obj *o, *back;
    for (size_t i = 0; i < n; i++)
        bin[i] = (char)(i * 131 + (i >> 8));
    bin[0] = '\0';
    o = kv_str_new_raw(bin, n);
    ck_assert_int_eq(codec_encode(o, &b, &err), 0);
    ck_assert_uint_eq(b.len, n);
    ck_assert(memcmp(b.p, bin, n) == 0);   /* strings are stored raw */
    back = codec_decode(KV_STRING, b.p, b.len, L, 0, derr, sizeof(derr));
    check_same(o, back, KV_ENC_RAW);
    ck_assert_uint_eq(back->len, n);
    ck_assert(memcmp(back->v.ptr, bin, n) == 0);
    kv_obj_free(back);
    kv_obj_free(o);

    /* a short RAW string (APPEND made it) comes back as SET would store it,
     * as Redis' load does: "42" an INT, "abc" an EMBSTR */
    o = kv_str_new_raw("42", 2);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_INT);
    kv_obj_free(back);
    kv_obj_free(o);
    o = kv_str_new_raw("abc", 3);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_EMBSTR);
    kv_obj_free(back);
    kv_obj_free(o);
    codec_buf_free(&b);
    free(bin);
}
END_TEST

/* ---- lists -------------------------------------------------------------------- */

START_TEST(test_list_roundtrip)
{
    static const char *const items[] = { "a", "", "12", "-7", "hello world", "a" };
    struct kv_obj *o = list_of(items, 6), *back;
    struct tlist *l;
    char *big = malloc(100000);
    const char *s;
    size_t len;
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_QUICKLIST);
    ck_assert_uint_eq(tlist_len(back->v.ptr), 6);
    for (int i = 0; i < 6; i++) {
        ck_assert(tlist_index(back->v.ptr, i, &s, &len));
        ck_assert_uint_eq(len, strlen(items[i]));
        ck_assert(memcmp(s, items[i], len) == 0);
    }
    kv_obj_free(back);
    kv_obj_free(o);

    /* many nodes, binary elements, one big element alone in its node */
    l = tlist_create();
    memset(big, 0, 100000);
    big[99999] = 'z';
    for (int i = 0; i < 20000; i++) {
        char e[32];
        int n = snprintf(e, sizeof(e), "%c%d", i % 3 == 0 ? '\0' : 'e', i);
        tlist_push(l, TLIST_TAIL, e, (size_t)n, -2);
        if (i == 10000)
            tlist_push(l, TLIST_TAIL, big, 100000, -2);
    }
    o = kv_obj_wrap(KV_LIST, l);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_QUICKLIST);
    ck_assert_uint_eq(tlist_len(back->v.ptr), 20001);
    ck_assert(tlist_index(back->v.ptr, 10001, &s, &len));
    ck_assert_uint_eq(len, 100000);
    ck_assert(memcmp(s, big, len) == 0);
    ck_assert_ptr_null(tlist_verify(back->v.ptr, L->list_fill));
    /* the bulk build makes the nodes tail pushes make, for any fill */
    ck_assert_uint_eq(tlist_node_count(back->v.ptr), tlist_node_count(o->v.ptr));
    kv_obj_free(back);
    for (int fill = -5; fill <= 7; fill += 3) {
        struct codec_limits lim = *L;
        struct tlist *pushed = tlist_create();
        const char *s2;
        size_t len2;
        struct tlist_iter it;
        lim.list_fill = fill;
        tlist_iter_init(&it, o->v.ptr, 0, true);
        while (tlist_iter_next(&it, &s2, &len2))
            tlist_push(pushed, TLIST_TAIL, s2, len2, fill);
        back = roundtrip_with(o, &lim);
        ck_assert_ptr_null(tlist_verify(back->v.ptr, fill));
        ck_assert_uint_eq(tlist_node_count(back->v.ptr), tlist_node_count(pushed));
        tlist_destroy(pushed);
        kv_obj_free(back);
    }
    kv_obj_free(o);
    free(big);
}
END_TEST

/* ---- sets --------------------------------------------------------------------- */

START_TEST(test_set_roundtrip)
{
    struct tset *s = tset_new();
    static const char *const ints[] = { "0", "-1", "9223372036854775807", "-9223372036854775808", "32767", "70000" };
    struct kv_obj *o, *back;
    for (int i = 0; i < 6; i++)
        tset_add(s, ints[i], strlen(ints[i]), 512);
    o = kv_obj_wrap(KV_SET, s);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_INTSET);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_INTSET);
    for (int i = 0; i < 6; i++)
        ck_assert(tset_ismember(back->v.ptr, ints[i], strlen(ints[i])));
    kv_obj_free(back);
    kv_obj_free(o);

    s = tset_new();
    tset_add(s, "a", 1, 512);
    tset_add(s, "", 0, 512);
    tset_add(s, "\0\xff", 2, 512);
    tset_add(s, "5", 1, 512);
    roundtrip_keeps(kv_obj_wrap(KV_SET, s));

    /* big: 600 integers outgrow set-max-intset-entries */
    s = tset_new();
    for (int i = 0; i < 600; i++) {
        char e[16];
        int n = snprintf(e, sizeof(e), "%d", i * 7 - 300);
        tset_add(s, e, (size_t)n, 512);
    }
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    roundtrip_keeps(kv_obj_wrap(KV_SET, s));
}
END_TEST

START_TEST(test_set_encoding_rechosen)
{
    /* a set made a hashtable by a member since removed loads back as an
     * intset, as in Redis */
    struct tset *s = tset_new();
    struct kv_obj *o, *back;
    struct codec_limits lim = *L;
    tset_add(s, "1", 1, 512);
    tset_add(s, "x", 1, 512);
    tset_add(s, "2", 1, 512);
    tset_remove(s, "x", 1);
    o = kv_obj_wrap(KV_SET, s);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_HASHTABLE);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_INTSET);
    kv_obj_free(back);
    /* a lower limit at load time converts */
    lim.set_max_intset = 1;
    back = roundtrip_with(o, &lim);
    check_same(o, back, KV_ENC_HASHTABLE);
    kv_obj_free(back);
    kv_obj_free(o);
}
END_TEST

/* ---- hashes -------------------------------------------------------------------- */

START_TEST(test_hash_roundtrip)
{
    struct thash *h = thash_new();
    struct kv_obj *o, *back;
    const char *v;
    size_t vlen;
    char longv[100];
    thash_set(h, "f", 1, "v", 1, hlim());
    thash_set(h, "", 0, "empty field", 11, hlim());
    thash_set(h, "empty value", 11, "", 0, hlim());
    thash_set(h, "n", 1, "123", 3, hlim());
    thash_set(h, "bin\0", 4, "\xff\0\x01", 3, hlim());
    o = kv_obj_wrap(KV_HASH, h);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_LISTPACK);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_LISTPACK);
    ck_assert(thash_get(back->v.ptr, "bin\0", 4, &v, &vlen));
    ck_assert_uint_eq(vlen, 3);
    ck_assert(memcmp(v, "\xff\0\x01", 3) == 0);
    /* a listpack keeps its field order (HGETALL's order) */
    {
        struct thash_iter a, b;
        const char *f1, *v1, *f2, *v2;
        size_t fl1, vl1, fl2, vl2;
        thash_iter_init(&a, o->v.ptr);
        thash_iter_init(&b, back->v.ptr);
        while (thash_iter_next(&a, &f1, &fl1, &v1, &vl1)) {
            ck_assert(thash_iter_next(&b, &f2, &fl2, &v2, &vl2));
            ck_assert_uint_eq(fl1, fl2);
            ck_assert(memcmp(f1, f2, fl1) == 0);
        }
        thash_iter_deinit(&a);
        thash_iter_deinit(&b);
    }
    kv_obj_free(back);
    kv_obj_free(o);

    /* hashtable by size */
    h = thash_new();
    for (int i = 0; i < 300; i++) {
        char f[16], val[16];
        int fn = snprintf(f, sizeof(f), "field:%d", i), vn = snprintf(val, sizeof(val), "%d", i * i);
        thash_set(h, f, (size_t)fn, val, (size_t)vn, hlim());
    }
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    roundtrip_keeps(kv_obj_wrap(KV_HASH, h));

    /* hashtable by a long value */
    h = thash_new();
    memset(longv, 'L', sizeof(longv));
    thash_set(h, "a", 1, "1", 1, hlim());
    thash_set(h, "long", 4, longv, sizeof(longv), hlim());
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    roundtrip_keeps(kv_obj_wrap(KV_HASH, h));
}
END_TEST

/* ---- sorted sets -------------------------------------------------------------------- */

START_TEST(test_zset_roundtrip_listpack)
{
    struct tzset_limits zl = zlim();
    struct tzset *z = tzset_new(&zl, 1);
    struct kv_obj *o, *back;
    double s;
    tzset_add(z, "a", 1, 1.5, 0, &zl, NULL);
    tzset_add(z, "ninf", 4, -INFINITY, 0, &zl, NULL);
    tzset_add(z, "inf", 3, INFINITY, 0, &zl, NULL);
    tzset_add(z, "", 0, 0, 0, &zl, NULL);
    tzset_add(z, "tiny", 4, 5e-324, 0, &zl, NULL);
    tzset_add(z, "big", 3, 1.7976931348623157e308, 0, &zl, NULL);
    tzset_add(z, "third", 5, 1.0 / 3, 0, &zl, NULL);
    o = kv_obj_wrap(KV_ZSET, z);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_LISTPACK);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_LISTPACK);
    ck_assert(tzset_score(back->v.ptr, "ninf", 4, &s) && s == -INFINITY);
    ck_assert(tzset_score(back->v.ptr, "inf", 3, &s) && s == INFINITY);
    ck_assert(tzset_score(back->v.ptr, "tiny", 4, &s) && same_bits(s, 5e-324));
    ck_assert(tzset_score(back->v.ptr, "third", 5, &s) && same_bits(s, 1.0 / 3));
    kv_obj_free(back);
    kv_obj_free(o);
}
END_TEST

START_TEST(test_zset_roundtrip_skiplist)
{
    struct tzset_limits zl = zlim();
    struct tzset *z = tzset_new(&zl, 1);
    struct kv_obj *o, *back;
    double s;
    for (int i = 0; i < 500; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        tzset_add(z, m, (size_t)n, (i % 5) * 0.1 - 0.2, 0, &zl, NULL);
    }
    tzset_add(z, "negzero", 7, -0.0, 0, &zl, NULL);
    tzset_add(z, "ninf", 4, -INFINITY, 0, &zl, NULL);
    tzset_add(z, "inf", 3, INFINITY, 0, &zl, NULL);
    tzset_add(z, "bin\0\xff", 5, 42, 0, &zl, NULL);
    o = kv_obj_wrap(KV_ZSET, z);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_SKIPLIST);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_SKIPLIST);
    ck_assert(tzset_score(back->v.ptr, "negzero", 7, &s));
    ck_assert(s == 0 && signbit(s));   /* -0 keeps its sign */
    ck_assert(tzset_score(back->v.ptr, "ninf", 4, &s) && s == -INFINITY);
    ck_assert(tzset_score(back->v.ptr, "inf", 3, &s) && s == INFINITY);
    ck_assert(tzset_score(back->v.ptr, "bin\0\xff", 5, &s) && s == 42);
    /* ranks agree */
    {
        size_t r1, r2;
        ck_assert(tzset_rank(o->v.ptr, "m77", 3, false, &r1, NULL));
        ck_assert(tzset_rank(back->v.ptr, "m77", 3, false, &r2, NULL));
        ck_assert_uint_eq(r1, r2);
    }
    kv_obj_free(back);
    kv_obj_free(o);

    /* skiplist by a long member */
    z = tzset_new(&zl, 1);
    {
        char longm[80];
        memset(longm, 'm', sizeof(longm));
        tzset_add(z, "a", 1, 1, 0, &zl, NULL);
        tzset_add(z, longm, sizeof(longm), 2, 0, &zl, NULL);
    }
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_SKIPLIST);
    roundtrip_keeps(kv_obj_wrap(KV_ZSET, z));
}
END_TEST

START_TEST(test_zset_encoding_rechosen)
{
    /* a skiplist that shrank back under the limits loads as a listpack
     * (Redis' zsetConvertToListpackIfNeeded on load) */
    struct tzset_limits zl = zlim();
    struct tzset *z = tzset_new(&zl, 1);
    struct kv_obj *o, *back;
    for (int i = 0; i < 200; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        tzset_add(z, m, (size_t)n, i, 0, &zl, NULL);
    }
    for (int i = 10; i < 200; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        tzset_remove(z, m, (size_t)n);
    }
    o = kv_obj_wrap(KV_ZSET, z);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_SKIPLIST);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_LISTPACK);
    kv_obj_free(back);
    kv_obj_free(o);
}
END_TEST

/* ---- format and damage ----------------------------------------------------------- */

START_TEST(test_format_bytes)
{
    /* the documented layout, byte for byte */
    static const char *const items[] = { "a", "bc" };
    struct kv_obj *o = list_of(items, 2);
    struct codec_buf b = { 0 };
    const char *err;
    static const unsigned char want[] = { 1, 'l', 2, 1, 'a', 2, 'b', 'c' };
    struct tzset_limits zl = zlim();
    struct tzset *z;
    static const unsigned char zwant[] = { 1, 'z', 2, 1, 'm', 1, '1', 1, 'n', 4, '-', 'i', 'n', 'f' };
    ck_assert_int_eq(codec_encode(o, &b, &err), 0);
    ck_assert_uint_eq(b.len, sizeof(want));
    ck_assert(memcmp(b.p, want, sizeof(want)) == 0);
    kv_obj_free(o);
    z = tzset_new(&zl, 1);
    tzset_add(z, "m", 1, 1.0, 0, &zl, NULL);
    tzset_add(z, "n", 1, -INFINITY, 0, &zl, NULL);
    o = kv_obj_wrap(KV_ZSET, z);
    /* in (score, member) order: n first */
    {
        static const unsigned char ordered[] = { 1, 'z', 2, 1, 'n', 4, '-', 'i', 'n', 'f', 1, 'm', 1, '1' };
        ck_assert_int_eq(codec_encode(o, &b, &err), 0);
        ck_assert_uint_eq(b.len, sizeof(ordered));
        ck_assert(memcmp(b.p, ordered, sizeof(ordered)) == 0);
        ck_assert_uint_eq(sizeof(ordered), sizeof(zwant));
    }
    kv_obj_free(o);
    codec_buf_free(&b);
    ck_assert_str_eq(codec_type_name(KV_ZSET), "zset");
    ck_assert_int_eq(codec_type_from_name("hash", 4), KV_HASH);
    ck_assert_int_eq(codec_type_from_name("string", 6), KV_STRING);
    ck_assert_int_eq(codec_type_from_name("nope", 4), -1);
}
END_TEST

/* Every proper prefix of a valid encoding must be refused. */
static void check_truncations(int type, const unsigned char *p, size_t len)
{
    char err[256];
    for (size_t n = 0; n < len; n++) {
        struct kv_obj *o = codec_decode(type, p, n, L, 0, err, sizeof(err));
        if (o)
            ck_abort_msg("a %zu-byte prefix of a %zu-byte %s value decoded", n, len, codec_type_name(type));
        REQUIRE(err[0] != '\0');
    }
}

START_TEST(test_damage_truncations)
{
    struct codec_buf b = { 0 };
    const char *err;
    struct kv_obj *objs[4];
    struct tzset_limits zl = zlim();
    struct thash *h = thash_new();
    struct tset *s = tset_new();
    struct tzset *z = tzset_new(&zl, 1);
    static const char *const items[] = { "one", "", "three", "a somewhat longer element" };
    thash_set(h, "f1", 2, "v1", 2, hlim());
    thash_set(h, "f2", 2, "", 0, hlim());
    tset_add(s, "x", 1, 512);
    tset_add(s, "yy", 2, 512);
    tzset_add(z, "a", 1, 1, 0, &zl, NULL);
    tzset_add(z, "b", 1, -INFINITY, 0, &zl, NULL);
    objs[0] = list_of(items, 4);
    objs[1] = kv_obj_wrap(KV_HASH, h);
    objs[2] = kv_obj_wrap(KV_SET, s);
    objs[3] = kv_obj_wrap(KV_ZSET, z);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(codec_encode(objs[i], &b, &err), 0);
        check_truncations(objs[i]->type, b.p, b.len);
        kv_obj_free(objs[i]);
    }
    codec_buf_free(&b);
}
END_TEST

static void expect_error(int type, const void *p, size_t len, const char *needle)
{
    char err[256] = "";
    struct kv_obj *o = codec_decode(type, p, len, L, 0, err, sizeof(err));
    ck_assert_msg(o == NULL, "damaged input decoded (want error with '%s')", needle);
    ck_assert_msg(strstr(err, needle) != NULL, "error '%s' does not mention '%s'", err, needle);
}

START_TEST(test_damage_kinds)
{
    static const unsigned char bad_version[] = { 2, 'l', 1, 1, 'a' };
    static const unsigned char bad_tag[] = { 1, 'h', 1, 1, 'a' };
    static const unsigned char stray[] = { 1, 'l', 1, 1, 'a', 0 };
    static const unsigned char dup_set[] = { 1, 's', 2, 1, 'a', 1, 'a' };
    static const unsigned char dup_hash[] = { 1, 'h', 2, 1, 'f', 1, 'v', 1, 'f', 1, 'w' };
    static const unsigned char dup_zset[] = { 1, 'z', 2, 1, 'm', 1, '1', 1, 'm', 1, '2' };
    static const unsigned char nan_zset[] = { 1, 'z', 1, 1, 'm', 3, 'n', 'a', 'n' };
    static const unsigned char bad_score[] = { 1, 'z', 1, 1, 'm', 3, '1', 'x', '2' };
    static const unsigned char empty_score[] = { 1, 'z', 1, 1, 'm', 0, 0 };
    static const unsigned char empty_list[] = { 1, 'l', 0 };
    static const unsigned char huge_count[] = { 1, 'l', 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 'a' };
    static const unsigned char long_varint[] = { 1, 'l', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
    static const unsigned char elem_too_long[] = { 1, 'l', 1, 0x7f, 'a' };
    expect_error(KV_LIST, bad_version, sizeof(bad_version), "codec format 2");
    expect_error(KV_LIST, bad_tag, sizeof(bad_tag), "type tag");
    expect_error(KV_LIST, stray, sizeof(stray), "stray");
    expect_error(KV_SET, dup_set, sizeof(dup_set), "duplicate");
    expect_error(KV_HASH, dup_hash, sizeof(dup_hash), "duplicate");
    expect_error(KV_ZSET, dup_zset, sizeof(dup_zset), "duplicate");
    expect_error(KV_ZSET, nan_zset, sizeof(nan_zset), "NaN");
    expect_error(KV_ZSET, bad_score, sizeof(bad_score), "bad sorted-set score");
    expect_error(KV_ZSET, empty_score, sizeof(empty_score), "bad sorted-set score");
    expect_error(KV_LIST, empty_list, sizeof(empty_list), "empty");
    expect_error(KV_LIST, huge_count, sizeof(huge_count), "count");
    expect_error(KV_LIST, long_varint, sizeof(long_varint), "varint");
    expect_error(KV_LIST, elem_too_long, sizeof(elem_too_long), "truncated");
    expect_error(99, "x", 1, "cannot be loaded");
}
END_TEST

START_TEST(test_big_duplicate_zset_freed)
{
    /* a duplicate inside a set large enough to be staged as a skiplist:
     * refused, nothing leaked (the sanitizer build checks) */
    struct codec_buf b = { 0 };
    struct tzset_limits zl = zlim();
    struct tzset *z = tzset_new(&zl, 1);
    struct kv_obj *o;
    const char *err;
    for (int i = 0; i < 300; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        tzset_add(z, m, (size_t)n, i, 0, &zl, NULL);
    }
    o = kv_obj_wrap(KV_ZSET, z);
    ck_assert_int_eq(codec_encode(o, &b, &err), 0);
    /* rename the last member, "m299" (followed by its score "299"), to
     * "m100": a duplicate */
    ck_assert(memcmp(b.p + b.len - 4 - 4, "m299", 4) == 0);
    memcpy(b.p + b.len - 4 - 4, "m100", 4);
    expect_error(KV_ZSET, b.p, b.len, "duplicate");
    kv_obj_free(o);
    codec_buf_free(&b);
}
END_TEST

START_TEST(test_zset_hand_written_texts)
{
    /* out of order, non-canonical texts ("5.0", "1e3", "+2", "-0", " 7"
     * is refused): loads, sorted, with the listpack's own texts */
    static const unsigned char in[] = { 1, 'z', 5, 1, 'e', 3, '1', 'e', '3', 1, 'a', 3, '5', '.', '0',
                                        1, 'p', 2, '+', '2', 1, 'z', 2, '-', '0', 1, 'i', 8, 'i', 'n', 'f',
                                        'i', 'n', 'i', 't', 'y' };
    static const unsigned char bad[] = { 1, 'z', 1, 1, 'm', 2, ' ', '7' };
    char err[256] = "";
    struct kv_obj *o = codec_decode(KV_ZSET, in, sizeof(in), L, 0, err, sizeof(err));
    struct codec_buf b = { 0 };
    const char *e;
    double s;
    static const unsigned char want[] = { 1, 'z', 5, 1, 'z', 1, '0', 1, 'p', 1, '2', 1, 'a', 1, '5',
                                          1, 'e', 4, '1', '0', '0', '0', 1, 'i', 3, 'i', 'n', 'f' };
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_LISTPACK);
    ck_assert(tzset_score(o->v.ptr, "e", 1, &s) && s == 1000);
    ck_assert(tzset_score(o->v.ptr, "i", 1, &s) && s == INFINITY);
    ck_assert_int_eq(codec_encode(o, &b, &e), 0);
    ck_assert_uint_eq(b.len, sizeof(want));
    ck_assert(memcmp(b.p, want, sizeof(want)) == 0);
    kv_obj_free(o);
    codec_buf_free(&b);
    expect_error(KV_ZSET, bad, sizeof(bad), "bad sorted-set score");
}
END_TEST

/* A skiplist-sized set (a member past zset-max-listpack-value) keeps a -0
 * score as -0, as Redis' RDB load into a skiplist does. */
START_TEST(test_zset_negative_zero_in_skiplist)
{
    /* 'z', 2 members: "a" scored "-0", then 70 'y's (one length byte) scored "10" */
    static const unsigned char head[] = { 1, 'z', 2, 1, 'a', 2, '-', '0', 70 };
    static const unsigned char tail[] = { 2, '1', '0' };
    unsigned char buf[sizeof(head) + 70 + sizeof(tail)];
    char err[256] = "";
    struct kv_obj *o;
    double s;
    memcpy(buf, head, sizeof(head));
    memset(buf + sizeof(head), 'y', 70);
    memcpy(buf + sizeof(head) + 70, tail, sizeof(tail));
    o = codec_decode(KV_ZSET, buf, sizeof(buf), L, 0, err, sizeof(err));
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert_int_eq(kv_obj_encoding(o), KV_ENC_SKIPLIST);
    ck_assert(tzset_score(o->v.ptr, "a", 1, &s) && s == 0 && signbit(s));
    kv_obj_free(o);
}
END_TEST

static void stream_add(struct tstream *s, uint64_t ms, uint64_t seq, const struct tstream_limits *lim,
                       const char *f1, const char *v1, const char *f2, const char *v2)
{
    struct tstream_id id = { ms, seq }, out;
    struct kv_arg fv[4] = { { f1, strlen(f1) }, { v1, strlen(v1) }, { f2, f2 ? strlen(f2) : 0 },
                            { v2, v2 ? strlen(v2) : 0 } };
    ck_assert_int_eq(tstream_add(s, TSTREAM_ID_EXPLICIT, &id, 0, fv, f2 ? 2 : 1, lim, &out), TSTREAM_ADDED);
}

START_TEST(test_stream_roundtrip)
{
    /* several nodes, repeated and changing field names, binary values,
     * tombstones (a node's first entry deleted), a trimmed head: nodes,
     * counters and IDs come back as they were */
    struct tstream_limits lim = { 4096, 10 };
    struct tstream *s = tstream_create();
    struct kv_obj *o, *back;
    char v[32];
    for (uint64_t i = 1; i <= 57; i++) {
        snprintf(v, sizeof(v), "%llu", (unsigned long long)(i * i));
        stream_add(s, 1700000000000ULL + i, i % 3, &lim, i % 4 ? "f" : "g", v, i % 5 ? "name" : NULL,
                   i % 5 ? "\x01\xff" : NULL);
    }
    for (uint64_t i = 1; i <= 57; i += 6) {
        struct tstream_id id = { 1700000000000ULL + i, i % 3 };
        ck_assert(tstream_delete(s, &id));
    }
    {
        struct tstream_trim t = { TSTREAM_TRIM_MAXLEN, false, 40, { 0, 0 }, 0 };
        tstream_trim(s, &t);
    }
    o = kv_obj_wrap(KV_STREAM, s);
    back = roundtrip_with(o, L);
    check_same(o, back, KV_ENC_STREAM);
    {
        const struct tstream *a = o->v.ptr, *b = back->v.ptr;
        struct tstream_id x = tstream_last_id(a), y = tstream_last_id(b);
        ck_assert(tstream_verify(b));
        ck_assert_uint_eq(tstream_length(b), tstream_length(a));
        ck_assert_uint_eq(tstream_nodes(b), tstream_nodes(a));
        ck_assert_int_eq(tstream_id_cmp(&x, &y), 0);
        x = tstream_max_deleted_id(a);
        y = tstream_max_deleted_id(b);
        ck_assert_int_eq(tstream_id_cmp(&x, &y), 0);
        x = tstream_first_id(a);
        y = tstream_first_id(b);
        ck_assert_int_eq(tstream_id_cmp(&x, &y), 0);
        ck_assert_uint_eq(tstream_entries_added(b), tstream_entries_added(a));
        for (size_t i = 0; i < tstream_nodes(a); i++) {
            struct tstream_node_info na, nb;
            tstream_node_info(a, i, &na);
            tstream_node_info(b, i, &nb);
            ck_assert_int_eq(tstream_id_cmp(&na.master, &nb.master), 0);
            ck_assert_int_eq(tstream_id_cmp(&na.last, &nb.last), 0);
            ck_assert_uint_eq(na.live, nb.live);
            ck_assert_uint_eq(na.deleted, nb.deleted);
            ck_assert_uint_eq(na.rbytes, nb.rbytes);
            ck_assert_uint_eq(na.nnames, nb.nnames);
        }
    }
    kv_obj_free(back);
    kv_obj_free(o);
    /* an empty stream (every entry deleted) keeps its last ID */
    s = tstream_create();
    stream_add(s, 5, 5, &lim, "a", "b", NULL, NULL);
    {
        struct tstream_id id = { 5, 5 }, last;
        ck_assert(tstream_delete(s, &id));
        o = kv_obj_wrap(KV_STREAM, s);
        back = roundtrip_with(o, L);
        check_same(o, back, KV_ENC_STREAM);
        ck_assert_uint_eq(tstream_length(back->v.ptr), 0);
        last = tstream_last_id(back->v.ptr);
        ck_assert(last.ms == 5 && last.seq == 5);
        kv_obj_free(back);
        kv_obj_free(o);
    }
}
END_TEST

START_TEST(test_stream_damage)
{
    struct tstream_limits lim = { 4096, 4 };
    struct tstream *s = tstream_create();
    struct kv_obj *o;
    struct codec_buf b = { 0 };
    const char *err;
    for (uint64_t i = 1; i <= 9; i++)
        stream_add(s, i, 0, &lim, "f", "v", NULL, NULL);
    o = kv_obj_wrap(KV_STREAM, s);
    ck_assert_int_eq(codec_encode(o, &b, &err), 0);
    check_truncations(KV_STREAM, b.p, b.len);
    {
        /* the last entry's ID (9-0, just before its 1 pair "f" "v") made 1-0:
         * out of order */
        static const unsigned char tail[] = { 9, 0, 1, 1, 'f', 1, 'v' };
        ck_assert(memcmp(b.p + b.len - sizeof(tail), tail, sizeof(tail)) == 0);
        b.p[b.len - sizeof(tail)] = 1;
        expect_error(KV_STREAM, b.p, b.len, "stream entry");
    }
    kv_obj_free(o);
    codec_buf_free(&b);
}
END_TEST

START_TEST(test_digest_independent_of_encoding_and_order)
{
    /* same contents, different encodings and insertion orders: one digest;
     * any change of contents: another */
    struct thash_limits small = { 128, 64 }, tiny = { 1, 64 };
    struct thash *a = thash_new(), *b = thash_new();
    struct kv_obj *oa, *ob;
    unsigned char da[DIGEST_LEN], db[DIGEST_LEN];
    thash_set(a, "x", 1, "1", 1, small);
    thash_set(a, "y", 1, "2", 1, small);
    thash_set(b, "y", 1, "2", 1, tiny);
    thash_set(b, "x", 1, "1", 1, tiny);
    oa = kv_obj_wrap(KV_HASH, a);
    ob = kv_obj_wrap(KV_HASH, b);
    ck_assert_int_ne(kv_obj_encoding(oa), kv_obj_encoding(ob));
    digest_value(oa, da);
    digest_value(ob, db);
    ck_assert(memcmp(da, db, DIGEST_LEN) == 0);
    thash_set(b, "x", 1, "3", 1, tiny);
    digest_value(ob, db);
    ck_assert(memcmp(da, db, DIGEST_LEN) != 0);
    kv_obj_free(oa);
    kv_obj_free(ob);
    /* "12" as INT and as RAW bytes: one digest; a list and a set of the same
     * strings: different digests */
    oa = kv_str_from_ll(12);
    ob = kv_str_new_raw("12", 2);
    digest_value(oa, da);
    digest_value(ob, db);
    ck_assert(memcmp(da, db, DIGEST_LEN) == 0);
    kv_obj_free(oa);
    kv_obj_free(ob);
    {
        static const char *const items[] = { "12" };
        struct tset *s = tset_new();
        tset_add(s, "12", 2, 512);
        oa = list_of(items, 1);
        ob = kv_obj_wrap(KV_SET, s);
        digest_value(oa, da);
        digest_value(ob, db);
        ck_assert(memcmp(da, db, DIGEST_LEN) != 0);
        kv_obj_free(oa);
        kv_obj_free(ob);
    }
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sha1_vectors);
    tcase_add_test(tc, test_string_encodings);
    tcase_add_test(tc, test_string_raw_bytes_and_rechosen_encoding);
    tcase_add_test(tc, test_list_roundtrip);
    tcase_add_test(tc, test_set_roundtrip);
    tcase_add_test(tc, test_set_encoding_rechosen);
    tcase_add_test(tc, test_hash_roundtrip);
    tcase_add_test(tc, test_zset_roundtrip_listpack);
    tcase_add_test(tc, test_zset_roundtrip_skiplist);
    tcase_add_test(tc, test_zset_encoding_rechosen);
    tcase_add_test(tc, test_format_bytes);
    tcase_add_test(tc, test_damage_truncations);
    tcase_add_test(tc, test_damage_kinds);
    tcase_add_test(tc, test_big_duplicate_zset_freed);
    tcase_add_test(tc, test_zset_hand_written_texts);
    tcase_add_test(tc, test_zset_negative_zero_in_skiplist);
    tcase_add_test(tc, test_stream_roundtrip);
    tcase_add_test(tc, test_stream_damage);
    tcase_add_test(tc, test_digest_independent_of_encoding_and_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
