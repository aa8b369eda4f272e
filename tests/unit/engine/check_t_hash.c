/*
 * check_t_hash: unit tests for engine/t_hash.
 *
 * The hash is opaque, so it is observed through its API: thash_encoding for
 * conversions, iteration order for the listpack's insertion order,
 * thash_verify for the structural invariants, thash_mem_usage for the memory
 * goal. A simple model (an array of pairs in insertion order plus a
 * "converted" flag computed from Redis' rules) checks random operations.
 * Randomness is a seeded xorshift64*, so failures reproduce.
 */
#include "engine/t_hash.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

static const struct thash_limits DEFAULTS = { 128, 64 };

/* xorshift64*, the generator server_random uses. */
static uint64_t xorshift(void *arg)
{
    uint64_t *s = arg, x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* ---- helpers ---------------------------------------------------------------- */

static bool set_s(struct thash *h, const char *f, const char *v, struct thash_limits lim)
{
    return thash_set(h, f, strlen(f), v, strlen(v), lim);
}

static void expect_value(struct thash *h, const char *f, const char *want)
{
    const char *v;
    size_t vlen;
    if (!want) {
        REQUIRE(!thash_get(h, f, strlen(f), &v, &vlen), "field %s should be absent", f);
        return;
    }
    REQUIRE(thash_get(h, f, strlen(f), &v, &vlen), "field %s missing", f);
    REQUIRE(vlen == strlen(want) && memcmp(v, want, vlen) == 0, "field %s: got %.*s want %s", f, (int)vlen, v,
            want);
}

/* The pairs in iteration order, as "f=v," text. */
static void order_text(struct thash *h, char *out, size_t cap)
{
    struct thash_iter it;
    const char *f, *v;
    size_t flen, vlen, used = 0;

    out[0] = '\0';
    thash_iter_init(&it, h);
    while (thash_iter_next(&it, &f, &flen, &v, &vlen))
        used += (size_t)snprintf(out + used, cap - used, "%.*s=%.*s,", (int)flen, f, (int)vlen, v);
    thash_iter_deinit(&it);
}

static void expect_order(struct thash *h, const char *want)
{
    char got[1024];
    order_text(h, got, sizeof(got));
    ck_assert_str_eq(got, want);
}

static struct thash *filled(size_t n, struct thash_limits lim)
{
    struct thash *h = thash_new();
    char f[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(f, sizeof(f), "f%zu", i);
        set_s(h, f, "v", lim);
    }
    return h;
}

/* ---- basics ----------------------------------------------------------------- */

START_TEST(test_empty)
{
    struct thash *h = thash_new();
    uint64_t seed = 1;
    const char *f, *v;
    size_t flen, vlen;

    ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
    ck_assert_uint_eq(thash_length(h), 0);
    ck_assert(!thash_exists(h, "a", 1));
    ck_assert(!thash_delete(h, "a", 1));
    ck_assert_uint_eq(thash_strlen(h, "a", 1), 0);
    ck_assert(!thash_random(h, xorshift, &seed, &f, &flen, &v, &vlen));
    ck_assert_uint_eq(thash_scan(h, 0, NULL, NULL), 0);
    ck_assert(thash_verify(h));
    thash_free(h);
    thash_free(NULL);
}
END_TEST

START_TEST(test_set_get_order)
{
    struct thash *h = thash_new();

    ck_assert(set_s(h, "a", "1", DEFAULTS));
    ck_assert(set_s(h, "b", "2", DEFAULTS));
    ck_assert(set_s(h, "c", "3", DEFAULTS));
    ck_assert(!set_s(h, "b", "two", DEFAULTS));        /* update in place */
    expect_order(h, "a=1,b=two,c=3,");
    ck_assert(thash_delete(h, "a", 1));
    ck_assert(set_s(h, "a", "1", DEFAULTS));            /* re-added at the end */
    expect_order(h, "b=two,c=3,a=1,");
    ck_assert(!thash_setnx(h, "c", 1, "x", 1, DEFAULTS));
    ck_assert(thash_setnx(h, "d", 1, "", 0, DEFAULTS));
    expect_order(h, "b=two,c=3,a=1,d=,");
    ck_assert_uint_eq(thash_strlen(h, "b", 1), 3);
    ck_assert_uint_eq(thash_strlen(h, "d", 1), 0);
    ck_assert(thash_exists(h, "d", 1));
    ck_assert_uint_eq(thash_length(h), 4);
    ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
    ck_assert(thash_verify(h));
    thash_free(h);
}
END_TEST

START_TEST(test_binary_fields)
{
    struct thash *h = thash_new();
    const char f1[] = { 'a', '\0', 'b' }, f2[] = { 'a', '\0', 'c' }, v[] = { '\0', '\xff' };
    const char *got;
    size_t glen;

    for (int enc = 0; enc < 2; enc++) {
        ck_assert(thash_set(h, f1, 3, v, 2, DEFAULTS));
        ck_assert(thash_set(h, f2, 3, "x", 1, DEFAULTS));
        ck_assert(thash_set(h, "", 0, "", 0, DEFAULTS));
        ck_assert(thash_get(h, f1, 3, &got, &glen) && glen == 2 && memcmp(got, v, 2) == 0);
        ck_assert(thash_get(h, "", 0, &got, &glen) && glen == 0);
        ck_assert(!thash_exists(h, "a", 1));
        ck_assert(thash_delete(h, f1, 3) && thash_delete(h, f2, 3) && thash_delete(h, "", 0));
        ck_assert_uint_eq(thash_length(h), (size_t)enc);   /* "long" stays from round 0 */
        set_s(h, "long", "0123456789012345678901234567890123456789012345678901234567890123456789", DEFAULTS);
        ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    }
    thash_free(h);
}
END_TEST

/* ---- conversions -------------------------------------------------------------- */

/* Exactly max_entries fields stay a listpack; one more converts. */
START_TEST(test_convert_entries)
{
    static const long long limits[] = { 0, 1, 2, 5, 128, 300 };
    long long max = limits[_i];
    struct thash_limits lim = { max, 64 };
    struct thash *h = filled((size_t)max, lim);

    ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
    ck_assert_uint_eq(thash_length(h), (size_t)max);
    if (max > 0) {
        ck_assert(!set_s(h, "f0", "updated", lim));   /* an update at the limit keeps it */
        ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
    }
    ck_assert(set_s(h, "extra", "v", lim));
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    ck_assert_uint_eq(thash_length(h), (size_t)max + 1);
    ck_assert(thash_verify(h));
    if (max > 0)
        expect_value(h, "f0", "updated");
    thash_free(h);
}
END_TEST

/* A field or value of max_value bytes stays; max_value + 1 converts, for
 * adds, updates and HSETNX adds; HSETNX of an existing field does not. */
START_TEST(test_convert_value)
{
    struct thash_limits lim = { 128, 8 };
    const char *at = "12345678", *over = "123456789";
    struct thash *h;
    int which = _i;   /* 0 field, 1 value on add, 2 value on update, 3 setnx */

    h = thash_new();
    set_s(h, "a", "1", lim);
    switch (which) {
    case 0:
        set_s(h, at, "v", lim);
        ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
        set_s(h, over, "v", lim);
        break;
    case 1:
        set_s(h, "b", at, lim);
        ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
        set_s(h, "c", over, lim);
        break;
    case 2:
        set_s(h, "a", at, lim);
        ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
        set_s(h, "a", over, lim);
        break;
    default:
        ck_assert(!thash_setnx(h, "a", 1, over, 9, lim));
        ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
        ck_assert(thash_setnx(h, "b", 1, at, 8, lim));
        ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
        ck_assert(thash_setnx(h, "c", 1, over, 9, lim));
        break;
    }
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    ck_assert(thash_verify(h));
    expect_value(h, "a", which == 2 ? over : "1");
    thash_free(h);
}
END_TEST

/* Limits come with each write: a lowered limit converts on the next write,
 * even an update; a short write into a pack holding long old entries does not. */
START_TEST(test_convert_lowered_limits)
{
    struct thash *h = filled(10, DEFAULTS);
    struct thash_limits small = { 5, 64 };

    set_s(h, "long-field-name", "1", DEFAULTS);
    ck_assert(!thash_delete(h, "nope", 4));
    ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
    set_s(h, "f0", "x", (struct thash_limits){ 128, 5 });   /* short args: stays */
    ck_assert_int_eq(thash_encoding(h), KV_ENC_LISTPACK);
    set_s(h, "f1", "x", small);                              /* 11 > 5 on an update */
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    thash_free(h);
}
END_TEST

START_TEST(test_never_converts_back)
{
    struct thash *h = filled(200, DEFAULTS);
    char f[32];

    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    for (int i = 0; i < 199; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert(thash_delete(h, f, strlen(f)));
    }
    ck_assert_uint_eq(thash_length(h), 1);
    set_s(h, "x", "y", DEFAULTS);
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    ck_assert(thash_delete(h, "x", 1) && thash_delete(h, "f199", 4));
    ck_assert_uint_eq(thash_length(h), 0);
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    ck_assert(thash_verify(h));
    thash_free(h);
}
END_TEST

/* Conversion keeps every pair. */
START_TEST(test_conversion_keeps_pairs)
{
    struct thash_limits lim = { 50, 64 };
    struct thash *h = filled(50, lim);
    char f[32];

    set_s(h, "last", "L", lim);
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    for (int i = 0; i < 50; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        expect_value(h, f, "v");
    }
    expect_value(h, "last", "L");
    ck_assert_uint_eq(thash_length(h), 51);
    thash_free(h);
}
END_TEST

/* ---- node reallocation on updates ------------------------------------------- */

/* Values growing and shrinking across size classes relink their nodes: after
 * every round each field still finds its value and the table is sound, also
 * while the table is rehashing (fields keep being added). */
START_TEST(test_node_realloc)
{
    struct thash *h = thash_new();
    char f[32], v[300];
    uint64_t seed = 42;
    size_t lens[400] = { 0 };

    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < 400; i++) {
            size_t len = (size_t)(xorshift(&seed) % 200);
            if (i >= 10 * (round + 1))
                break;   /* the field set grows each round: rehashes happen meanwhile */
            snprintf(f, sizeof(f), "field:%d", i);
            memset(v, 'a' + (i % 26), len);
            v[len] = '\0';
            thash_set(h, f, strlen(f), v, len, DEFAULTS);
            lens[i] = len;
        }
        REQUIRE(thash_verify(h), "round %d: invariants", round);
        for (int i = 0; i < 10 * (round + 1) && i < 400; i++) {
            const char *got;
            size_t glen;
            snprintf(f, sizeof(f), "field:%d", i);
            REQUIRE(thash_get(h, f, strlen(f), &got, &glen), "round %d: %s lost", round, f);
            REQUIRE(glen == lens[i], "round %d: %s length %zu want %zu", round, f, glen, lens[i]);
            for (size_t k = 0; k < glen; k++)
                REQUIRE(got[k] == 'a' + (i % 26), "round %d: %s corrupt", round, f);
        }
    }
    ck_assert_int_eq(thash_encoding(h), KV_ENC_HASHTABLE);
    thash_free(h);
}
END_TEST

/* ---- random operations against a model ------------------------------------------- */

#define MODEL_MAX 300

struct model {
    char f[MODEL_MAX][16];
    char v[MODEL_MAX][80];
    size_t n;
    bool converted;
};

static int model_find(const struct model *m, const char *f)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->f[i], f) == 0)
            return (int)i;
    return -1;
}

/* Redis' rules, written independently of the implementation. Returns
 * whether the field is new. */
static bool model_set(struct model *m, const char *f, const char *v, struct thash_limits lim, bool nx)
{
    int i = model_find(m, f);
    bool added = i < 0;
    if (!added && nx)
        return false;
    if ((long long)strlen(f) > lim.max_value || (long long)strlen(v) > lim.max_value)
        m->converted = true;
    if (i < 0) {
        i = (int)m->n++;
        strcpy(m->f[i], f);
    }
    strcpy(m->v[i], v);
    if ((long long)m->n > lim.max_entries)
        m->converted = true;
    return added;
}

static bool model_delete(struct model *m, const char *f)
{
    int i = model_find(m, f);
    if (i < 0)
        return false;
    memmove(m->f[i], m->f[i + 1], (m->n - (size_t)i - 1) * sizeof(m->f[0]));
    memmove(m->v[i], m->v[i + 1], (m->n - (size_t)i - 1) * sizeof(m->v[0]));
    m->n--;
    return true;
}

static void model_compare(struct thash *h, const struct model *m, int step)
{
    struct thash_iter it;
    const char *f, *v;
    size_t flen, vlen, seen = 0;

    REQUIRE(thash_verify(h), "step %d: invariants", step);
    REQUIRE(thash_length(h) == m->n, "step %d: length %zu want %zu", step, thash_length(h), m->n);
    REQUIRE(thash_encoding(h) == (m->converted ? KV_ENC_HASHTABLE : KV_ENC_LISTPACK), "step %d: encoding", step);
    thash_iter_init(&it, h);
    while (thash_iter_next(&it, &f, &flen, &v, &vlen)) {
        int i = m->converted ? -1 : (int)seen;
        if (m->converted) {
            char key[16];
            REQUIRE(flen < sizeof(key), "step %d: field too long", step);
            memcpy(key, f, flen);
            key[flen] = '\0';
            i = model_find(m, key);
            REQUIRE(i >= 0, "step %d: unknown field %s", step, key);
        }
        REQUIRE(flen == strlen(m->f[i]) && memcmp(f, m->f[i], flen) == 0, "step %d: field %zu order", step, seen);
        REQUIRE(vlen == strlen(m->v[i]) && memcmp(v, m->v[i], vlen) == 0, "step %d: value of %s", step, m->f[i]);
        seen++;
    }
    thash_iter_deinit(&it);
    REQUIRE(seen == m->n, "step %d: iterated %zu want %zu", step, seen, m->n);
}

START_TEST(test_random_vs_model)
{
    static struct model m;
    uint64_t seed = 0x9E3779B97F4A7C15ULL + (uint64_t)_i;
    struct thash_limits lim = { 20 + (long long)(xorshift(&seed) % 100), 20 + (long long)(xorshift(&seed) % 50) };
    struct thash *h = thash_new(), *copy = NULL;
    char f[16], v[80];

    memset(&m, 0, sizeof(m));
    for (int step = 0; step < 3000; step++) {
        uint64_t r = xorshift(&seed);
        size_t vlen = (size_t)(xorshift(&seed) % (r % 50 == 0 ? 79 : (size_t)lim.max_value + 1));
        snprintf(f, sizeof(f), "k%u", (unsigned)(xorshift(&seed) % (m.n < 10 ? 200 : 2 * m.n + 10)));
        if (m.n >= MODEL_MAX - 1)
            strcpy(f, m.f[xorshift(&seed) % m.n]);   /* full: existing fields only */
        memset(v, '0' + (int)(r % 10), vlen);
        v[vlen] = '\0';
        switch (r % 7) {
        case 0:
        case 1:
        case 2:
            REQUIRE(set_s(h, f, v, lim) == model_set(&m, f, v, lim, false), "step %d: set %s", step, f);
            break;
        case 3:
            REQUIRE(thash_setnx(h, f, strlen(f), v, vlen, lim) == model_set(&m, f, v, lim, true), "step %d: setnx",
                    step);
            break;
        case 4:
        case 5:
            REQUIRE(thash_delete(h, f, strlen(f)) == model_delete(&m, f), "step %d: delete %s", step, f);
            break;
        default: {
            int i = model_find(&m, f);
            expect_value(h, f, i >= 0 ? m.v[i] : NULL);
            break;
        }
        }
        if (step % 50 == 0)
            model_compare(h, &m, step);
        if (step == 1500) {   /* a copy follows the same rules from here on */
            copy = thash_dup(h);
            thash_free(h);
            h = copy;
        }
    }
    model_compare(h, &m, 3000);
    thash_free(h);
}
END_TEST

/* ---- dup ---------------------------------------------------------------------------- */

START_TEST(test_dup)
{
    for (int big = 0; big < 2; big++) {
        struct thash *h = filled(big ? 500 : 5, DEFAULTS), *d = thash_dup(h);
        char a[8192], b[8192];
        ck_assert_int_eq(thash_encoding(d), thash_encoding(h));
        ck_assert_uint_eq(thash_length(d), thash_length(h));
        if (!big) {
            order_text(h, a, sizeof(a));
            order_text(d, b, sizeof(b));
            ck_assert_str_eq(a, b);
        }
        set_s(d, "f0", "changed", DEFAULTS);
        expect_value(h, "f0", "v");
        expect_value(d, "f0", "changed");
        ck_assert(thash_verify(d));
        thash_free(h);
        expect_value(d, "f1", "v");
        thash_free(d);
    }
}
END_TEST

/* ---- random pairs and scan ------------------------------------------------------------ */

struct collect {
    int hits[1000];
    size_t calls;
    int last;
    bool ascending;
};

static void collect_pair(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct collect *c = arg;
    int id = atoi(f + 1);
    (void)flen;
    REQUIRE(vlen == 1 && v[0] == 'v', "value of f%d", id);
    if (id <= c->last)
        c->ascending = false;
    c->last = id;
    c->hits[id]++;
    c->calls++;
}

static void collect_reset(struct collect *c)
{
    memset(c, 0, sizeof(*c));
    c->last = -1;
    c->ascending = true;
}

/* Distinct samples: no repeats, min(count, length) pairs, a pack sample in
 * pack order; and over many draws every field comes up. */
START_TEST(test_random_distinct)
{
    static struct collect c;
    static int total[1000];
    size_t sizes[] = { 10, 100, 1000 }, n = sizes[_i];
    struct thash *h = filled(n, DEFAULTS);
    uint64_t seed = 7;
    size_t counts[] = { 1, 2, n / 3, n / 3 + 1, n / 2, n - 1, n, n + 5 };

    memset(total, 0, sizeof(total));
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        for (int rep = 0; rep < 50; rep++) {
            collect_reset(&c);
            thash_random_distinct(h, counts[k], xorshift, &seed, collect_pair, &c);
            REQUIRE(c.calls == (counts[k] < n ? counts[k] : n), "count %zu: %zu calls", counts[k], c.calls);
            for (size_t i = 0; i < n; i++) {
                REQUIRE(c.hits[i] <= 1, "count %zu: f%zu repeated", counts[k], i);
                total[i] += c.hits[i];
            }
            if (thash_encoding(h) == KV_ENC_LISTPACK)
                REQUIRE(c.ascending, "listpack sample out of order");
        }
    }
    for (size_t i = 0; i < n; i++)
        REQUIRE(total[i] > 0, "f%zu never drawn", i);
    thash_free(h);
}
END_TEST

/* Draws with repetition: exactly count calls, roughly uniform. */
START_TEST(test_random_repeat)
{
    static struct collect c;
    size_t n = _i == 0 ? 20 : 400;
    struct thash *h = filled(n, DEFAULTS);
    uint64_t seed = 99;
    size_t draws = n * 500;
    const char *f, *v;
    size_t flen, vlen;

    collect_reset(&c);
    thash_random_repeat(h, draws, xorshift, &seed, collect_pair, &c);
    ck_assert_uint_eq(c.calls, draws);
    for (size_t i = 0; i < n; i++)   /* expected 500 each; far from 0 and from 2x */
        REQUIRE(c.hits[i] > 250 && c.hits[i] < 1000, "f%zu drawn %d times of %zu", i, c.hits[i], draws);
    ck_assert(thash_random(h, xorshift, &seed, &f, &flen, &v, &vlen));
    ck_assert(flen >= 2 && f[0] == 'f' && vlen == 1);
    thash_free(h);

    h = thash_new();
    collect_reset(&c);
    thash_random_repeat(h, 10, xorshift, &seed, collect_pair, &c);
    ck_assert_uint_eq(c.calls, 0);
    thash_free(h);
}
END_TEST

/* A pack scans whole with cursor 0; a table scans every pair by cursor. */
START_TEST(test_scan)
{
    static struct collect c;
    struct thash *h = filled(_i == 0 ? 50 : 1000, DEFAULTS);
    size_t n = thash_length(h), steps = 0;
    uint64_t cursor = 0;

    collect_reset(&c);
    do {
        cursor = thash_scan(h, cursor, collect_pair, &c);
        steps++;
    } while (cursor != 0);
    if (_i == 0)
        ck_assert_uint_eq(steps, 1);
    else
        ck_assert_uint_gt(steps, 1);
    for (size_t i = 0; i < n; i++)
        REQUIRE(c.hits[i] >= 1, "f%zu not scanned", i);
    thash_free(h);
}
END_TEST

/* ---- memory goal ----------------------------------------------------------------------- */

/* 1M fields "field:%08d" with 16-byte values: nodes of 46 bytes (48 with
 * jemalloc's rounding) plus the buckets must stay within ~60 bytes a field. */
START_TEST(test_memory_per_field)
{
    const size_t n = 1000000;
    struct thash *h = thash_new();
    char f[32];
    const char *v = "0123456789abcdef";
    size_t raw, per_field_rounded;

    for (size_t i = 0; i < n; i++) {
        snprintf(f, sizeof(f), "field:%08zu", i);
        thash_set(h, f, 14, v, 16, DEFAULTS);
    }
    ck_assert_uint_eq(thash_length(h), n);
    raw = thash_mem_usage(h);
    /* each node is 46 bytes unrounded; rounding to 48 adds 2 per field */
    per_field_rounded = (raw + 2 * n) / n;
    REQUIRE(per_field_rounded <= 60, "%zu bytes per field (raw total %zu)", per_field_rounded, raw);
    thash_free(h);
}
END_TEST

static Suite *thash_suite(void)
{
    Suite *s = suite_create("t_hash");
    TCase *basic = tcase_create("basic"), *conv = tcase_create("conversion"), *model = tcase_create("model");
    TCase *rnd = tcase_create("random"), *mem = tcase_create("memory");

    tcase_add_test(basic, test_empty);
    tcase_add_test(basic, test_set_get_order);
    tcase_add_test(basic, test_binary_fields);
    tcase_add_test(basic, test_dup);
    tcase_add_test(basic, test_node_realloc);
    suite_add_tcase(s, basic);

    tcase_add_loop_test(conv, test_convert_entries, 0, 6);
    tcase_add_loop_test(conv, test_convert_value, 0, 4);
    tcase_add_test(conv, test_convert_lowered_limits);
    tcase_add_test(conv, test_never_converts_back);
    tcase_add_test(conv, test_conversion_keeps_pairs);
    suite_add_tcase(s, conv);

    tcase_set_timeout(model, 60);
    tcase_add_loop_test(model, test_random_vs_model, 0, 8);
    suite_add_tcase(s, model);

    tcase_set_timeout(rnd, 60);
    tcase_add_loop_test(rnd, test_random_distinct, 0, 3);
    tcase_add_loop_test(rnd, test_random_repeat, 0, 2);
    tcase_add_loop_test(rnd, test_scan, 0, 2);
    suite_add_tcase(s, rnd);

    tcase_set_timeout(mem, 120);
    tcase_add_test(mem, test_memory_per_field);
    suite_add_tcase(s, mem);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(thash_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
