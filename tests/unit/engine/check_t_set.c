/*
 * check_t_set: unit tests for engine/t_set.
 *
 * The set is opaque, so its state is observed through the public API:
 * tset_encoding for the encoding, iteration for order and contents, and
 * tset_mem_usage for the intset's element width (the usage of an intset is
 * a fixed header plus len * width bytes).
 *
 * Randomised tests run against a model: a plain array of distinct byte
 * strings, searched linearly. Randomness (for the tests and for the set's
 * own random choices) is a seeded splitmix64, so failures reproduce.
 */
#include "engine/t_set.h"

#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* check's ck_assert_* records its location on every call; REQUIRE reports
 * only when the condition fails (see check_dict.c). */
#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

#define NOLIMIT ((size_t)-1)

/* splitmix64: consecutive outputs must be independent (a plain xorshift's
 * are not, which skews draws that use several outputs in a row; the
 * server's xorshift64* is fine). */
static uint64_t rnd64(void *arg)
{
    uint64_t *s = arg;
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static bool add_str(struct tset *s, const char *m, size_t max) { return tset_add(s, m, strlen(m), max); }
static bool rem_str(struct tset *s, const char *m) { return tset_remove(s, m, strlen(m)); }
static bool has_str(struct tset *s, const char *m) { return tset_ismember(s, m, strlen(m)); }

static bool add_ll(struct tset *s, long long v, size_t max)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    return add_str(s, buf, max);
}

static bool has_ll(struct tset *s, long long v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    return has_str(s, buf);
}

/* Bytes per intset element, from the memory usage. */
static size_t width_of(struct tset *s)
{
    struct tset *empty = tset_new();
    size_t hdr = tset_mem_usage(empty);
    tset_free(empty);
    return tset_card(s) ? (tset_mem_usage(s) - hdr) / tset_card(s) : 0;
}

/* Iterates an intset and checks it is strictly ascending; returns the count. */
static size_t check_ascending(struct tset *s)
{
    struct tset_iter it;
    const char *p;
    size_t len, n = 0;
    long long prev = LLONG_MIN, v;
    tset_iter_init(&it, s);
    while (tset_iter_next(&it, &p, &len)) {
        char buf[32];
        REQUIRE(len < sizeof(buf), "member too long");
        memcpy(buf, p, len);
        buf[len] = '\0';
        v = strtoll(buf, NULL, 10);
        REQUIRE(n == 0 || v > prev, "not ascending at %zu: %lld after %lld", n, v, prev);
        prev = v;
        n++;
    }
    tset_iter_deinit(&it);
    return n;
}

/* ---- intset ---------------------------------------------------------------- */

START_TEST(test_empty)
{
    struct tset *s = tset_new();
    struct tset_view v;
    uint64_t seed = 1;
    ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
    ck_assert_uint_eq(tset_card(s), 0);
    ck_assert(!has_str(s, "1"));
    ck_assert(!rem_str(s, "1"));
    ck_assert(!tset_random(s, rnd64, &seed, &v));
    ck_assert_uint_eq(check_ascending(s), 0);
    tset_free(s);
    tset_free(NULL);
}
END_TEST

/* Each boundary value pair: the largest value of a width and one past it. */
static const struct {
    long long v;
    size_t width;
} boundaries[] = {
    { 0, 2 }, { 32767, 2 }, { -32768, 2 }, { 32768, 4 }, { -32769, 4 },
    { 2147483647, 4 }, { -2147483648LL, 4 }, { 2147483648LL, 8 }, { -2147483649LL, 8 },
    { LLONG_MAX, 8 }, { LLONG_MIN, 8 },
};

START_TEST(test_width_upgrades)
{
    struct tset *s = tset_new();
    size_t n = sizeof(boundaries) / sizeof(boundaries[0]);
    for (size_t i = 0; i < n; i++) {
        ck_assert(add_ll(s, boundaries[i].v, 512));
        ck_assert(!add_ll(s, boundaries[i].v, 512));
        ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
        ck_assert_uint_eq(width_of(s), boundaries[i].width);
        ck_assert_uint_eq(check_ascending(s), i + 1);
        for (size_t j = 0; j <= i; j++)
            ck_assert(has_ll(s, boundaries[j].v));
    }
    /* a value in range of a narrower width is still found, others are not */
    ck_assert(!has_ll(s, 5));
    ck_assert(!has_ll(s, -5));
    /* removals never narrow: drop every value wider than 16 bits */
    ck_assert(!rem_str(s, ""));
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", boundaries[i].v);
        if (boundaries[i].width > 2)
            ck_assert(rem_str(s, buf));
    }
    ck_assert_uint_eq(tset_card(s), 3);
    ck_assert_uint_eq(width_of(s), 8);
    ck_assert_uint_eq(check_ascending(s), 3);
    tset_free(s);
}
END_TEST

/* Upgrade by a single value, from each width to each wider one, with the new
 * value below (prepended) or above (appended) every member. */
START_TEST(test_width_upgrade_positions)
{
    static const long long small[] = { -3, -1, 0, 2, 7 };
    static const long long wide[] = { 32768, -32769, 2147483648LL, -2147483649LL, LLONG_MAX, LLONG_MIN };
    for (size_t w = 0; w < sizeof(wide) / sizeof(wide[0]); w++) {
        struct tset *s = tset_new();
        for (size_t i = 0; i < 5; i++)
            add_ll(s, small[i], 512);
        ck_assert_uint_eq(width_of(s), 2);
        ck_assert(add_ll(s, wide[w], 512));
        ck_assert_uint_eq(check_ascending(s), 6);
        for (size_t i = 0; i < 5; i++)
            ck_assert(has_ll(s, small[i]));
        ck_assert(has_ll(s, wide[w]));
        ck_assert(rem_str(s, "0"));
        ck_assert(!has_str(s, "0"));
        ck_assert_uint_eq(check_ascending(s), 5);
        tset_free(s);
    }
}
END_TEST

START_TEST(test_non_canonical_integers)
{
    static const char *const not_ints[] = {
        "01", "-0", "+1", " 1", "1 ", "1.0", "", "-", "9223372036854775808", "-9223372036854775809", "0x10",
    };
    for (size_t i = 0; i < sizeof(not_ints) / sizeof(not_ints[0]); i++) {
        struct tset *s = tset_new();
        add_str(s, "1", 512);
        ck_assert(!has_str(s, not_ints[i]));
        ck_assert(!rem_str(s, not_ints[i]));
        ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
        ck_assert(add_str(s, not_ints[i], 512));
        ck_assert_msg(tset_encoding(s) == KV_ENC_HASHTABLE, "%s", not_ints[i]);
        ck_assert(has_str(s, not_ints[i]));
        ck_assert(has_str(s, "1"));
        ck_assert_uint_eq(tset_card(s), 2);
        tset_free(s);
    }
    /* an embedded NUL makes a member a string */
    struct tset *s = tset_new();
    ck_assert(tset_add(s, "1\0", 2, 512));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    ck_assert(!has_str(s, "1"));
    ck_assert(tset_ismember(s, "1\0", 2));
    tset_free(s);
}
END_TEST

START_TEST(test_entries_threshold)
{
    struct tset *s = tset_new();
    for (long long v = 0; v < 3; v++)
        ck_assert(add_ll(s, v, 3));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
    ck_assert(!add_ll(s, 1, 3));   /* an existing member: no conversion */
    ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
    ck_assert(add_ll(s, 3, 3));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    for (long long v = 0; v < 4; v++)
        ck_assert(has_ll(s, v));
    /* never back down */
    ck_assert(rem_str(s, "3") && rem_str(s, "2") && rem_str(s, "1"));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    ck_assert(add_ll(s, 9, 512));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    tset_free(s);

    /* limit 0: the first add converts */
    s = tset_new();
    ck_assert(add_ll(s, 1, 0));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    tset_free(s);

    /* a limit lowered under the current size only acts on the next growth */
    s = tset_new();
    for (long long v = 0; v < 10; v++)
        add_ll(s, v, 512);
    ck_assert(!add_ll(s, 5, 3));
    ck_assert(rem_str(s, "5"));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
    ck_assert(add_ll(s, 5, 3));
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    tset_free(s);
}
END_TEST

/* ---- dup, scan, mem ------------------------------------------------------------ */

static void collect_count(const char *p, size_t len, void *arg)
{
    (void)p;
    (void)len;
    (*(size_t *)arg)++;
}

START_TEST(test_dup_independent)
{
    for (int enc = 0; enc < 2; enc++) {
        struct tset *s = tset_new(), *d;
        for (long long v = 0; v < 100; v++)
            add_ll(s, v * 1000, 512);
        if (enc)
            add_str(s, "text", 512);
        d = tset_dup(s);
        ck_assert_int_eq(tset_encoding(d), tset_encoding(s));
        ck_assert_uint_eq(tset_card(d), tset_card(s));
        ck_assert_uint_eq(tset_mem_usage(d) > 0, 1);
        for (long long v = 0; v < 100; v++)
            ck_assert(has_ll(d, v * 1000));
        ck_assert(rem_str(d, "0"));
        ck_assert(has_str(s, "0"));
        add_str(s, "other", 512);
        ck_assert(!has_str(d, "other"));
        tset_free(s);
        tset_free(d);
    }
}
END_TEST

START_TEST(test_scan)
{
    struct tset *s = tset_new();
    size_t n = 0;
    uint64_t cursor = 0;
    for (long long v = 0; v < 50; v++)
        add_ll(s, v, 512);
    ck_assert_uint_eq(tset_scan(s, 0, collect_count, &n), 0);   /* intset: whole, cursor 0 */
    ck_assert_uint_eq(n, 50);
    add_str(s, "x", 512);
    n = 0;
    do {
        cursor = tset_scan(s, cursor, collect_count, &n);
    } while (cursor != 0);
    ck_assert_uint_eq(n, 51);   /* no rehash during the scan: each once */
    tset_free(s);
}
END_TEST

/* ---- random members --------------------------------------------------------------- */

struct picks {
    int counts[1024];
    size_t n;
    bool dup;
};

static void pick_cb(const char *p, size_t len, void *arg)
{
    struct picks *k = arg;
    char buf[16];
    size_t skip = p[0] == 'm';   /* members are "<number>" or "m<number>" */
    int v;
    memcpy(buf, p + skip, len - skip);
    buf[len - skip] = '\0';
    v = atoi(buf);
    if (k->counts[v]++ > 0)
        k->dup = true;
    k->n++;
}

static struct tset *numbered(int n, bool strings)
{
    struct tset *s = tset_new();
    char buf[16];
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), strings ? "m%d" : "%d", i);
        add_str(s, buf, 512);
    }
    return s;
}

/* Distinct samples of every size, both strategies, both encodings; and a
 * rough uniformity check: every member is chosen near count/card of the time. */
START_TEST(test_sample)
{
    uint64_t seed = 42;
    for (int strings = 0; strings < 2; strings++) {
        struct tset *s = numbered(40, strings);
        int total[40] = { 0 };
        for (size_t k = 0; k <= 45; k++) {
            struct picks p = { { 0 }, 0, false };
            tset_sample(s, k, rnd64, &seed, pick_cb, &p);
            ck_assert_uint_eq(p.n, k < 40 ? k : 40);
            ck_assert(!p.dup);
        }
        for (int round = 0; round < 2000; round++) {
            size_t k = round % 2 ? 5 : 30;   /* draws / selection sampling */
            struct picks p = { { 0 }, 0, false };
            tset_sample(s, k, rnd64, &seed, pick_cb, &p);
            for (int i = 0; i < 40; i++)
                total[i] += p.counts[i];
        }
        /* expected 1000 * (5 + 30) / 40 = 875 per member */
        for (int i = 0; i < 40; i++)
            ck_assert_msg(total[i] > 700 && total[i] < 1050, "member %d chosen %d times", i, total[i]);
        ck_assert_uint_eq(tset_card(s), 40);
        tset_free(s);
    }
}
END_TEST

/* Chi-square of draws of tset_random over `n` members, against uniform. */
static double random_chi2(struct tset *s, int n, int draws, uint64_t *seed)
{
    struct picks *p = calloc(1, sizeof(*p));
    struct tset_view v;
    double e = (double)draws / n, chi2 = 0;
    for (int i = 0; i < draws; i++) {
        ck_assert(tset_random(s, rnd64, seed, &v));
        pick_cb(v.p, v.len, p);
    }
    for (int i = 0; i < n; i++)
        chi2 += (p->counts[i] - e) * (p->counts[i] - e) / e;
    free(p);
    return chi2;
}

/* Uniform draws for both encodings, also from a hashtable left sparse by
 * removals (chi-square under dof + 6 sigma, sigma = sqrt(2 dof)). */
START_TEST(test_random_member)
{
    uint64_t seed = 7;
    for (int strings = 0; strings < 2; strings++) {
        for (int n = 10; n <= 1000; n *= 10) {
            struct tset *s = numbered(n, strings);
            double chi2 = random_chi2(s, n, 100 * n, &seed);
            ck_assert_msg(chi2 < (n - 1) + 6 * sqrt(2.0 * (n - 1)), "n %d chi2 %.1f", n, chi2);
            tset_free(s);
        }
    }
    struct tset *s = numbered(1000, true);
    char buf[16];
    for (int i = 100; i < 1000; i++) {
        snprintf(buf, sizeof(buf), "m%d", i);
        ck_assert(rem_str(s, buf));
    }
    double chi2 = random_chi2(s, 100, 100000, &seed);
    ck_assert_msg(chi2 < 99 + 6 * sqrt(198.0), "sparse chi2 %.1f", chi2);
    tset_free(s);
}
END_TEST

START_TEST(test_pop)
{
    uint64_t seed = 99;
    for (int strings = 0; strings < 2; strings++) {
        for (size_t k = 0; k <= 45; k++) {
            struct tset *s = numbered(40, strings);
            struct picks p = { { 0 }, 0, false };
            size_t n = tset_pop(s, k, 512, rnd64, &seed, pick_cb, &p);
            ck_assert_uint_eq(n, k < 40 ? k : 40);
            ck_assert_uint_eq(p.n, n);
            ck_assert(!p.dup);
            ck_assert_uint_eq(tset_card(s), 40 - n);
            for (int i = 0; i < 40; i++) {   /* popped exactly when absent */
                char buf[16];
                snprintf(buf, sizeof(buf), strings ? "m%d" : "%d", i);
                ck_assert(has_str(s, buf) == (p.counts[i] == 0));
            }
            if (!strings)
                ck_assert_uint_eq(check_ascending(s), 40 - n);
            tset_free(s);
        }
    }
}
END_TEST

/* SPOP taking most of a set rebuilds the survivors as Redis does. */
START_TEST(test_pop_rebuild_encoding)
{
    uint64_t seed = 5;
    struct picks p = { { 0 }, 0, false };
    struct tset *s = numbered(30, false);
    /* intset survivors over the limit convert (5 * 5 <= 25: rebuild) */
    tset_pop(s, 25, 3, rnd64, &seed, pick_cb, &p);
    ck_assert_uint_eq(tset_card(s), 5);
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    tset_free(s);
    /* a few popped (no rebuild): the intset stays over the limit */
    s = numbered(30, false);
    memset(&p, 0, sizeof(p));
    tset_pop(s, 24, 3, rnd64, &seed, pick_cb, &p);
    ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
    tset_free(s);
    /* a hashtable of integers goes back to intset, narrowed to its members */
    s = tset_new();
    for (long long v = 0; v < 20; v++)
        add_ll(s, v, 3);
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    memset(&p, 0, sizeof(p));
    tset_pop(s, 17, 5, rnd64, &seed, pick_cb, &p);
    ck_assert_int_eq(tset_encoding(s), KV_ENC_INTSET);
    ck_assert_uint_eq(check_ascending(s), 3);
    ck_assert_uint_eq(width_of(s), 2);
    tset_free(s);
    /* ... but not past the limit, nor with a string among the survivors */
    s = tset_new();
    for (long long v = 0; v < 20; v++)
        add_ll(s, v, 3);
    memset(&p, 0, sizeof(p));
    tset_pop(s, 17, 2, rnd64, &seed, pick_cb, &p);
    ck_assert_int_eq(tset_encoding(s), KV_ENC_HASHTABLE);
    tset_free(s);
    /* an intset's survivors are narrowed to the width they need */
    s = tset_new();
    add_ll(s, LLONG_MAX, 512);
    for (long long v = 0; v < 29; v++)
        add_ll(s, v, 512);
    ck_assert_uint_eq(width_of(s), 8);
    while (has_ll(s, LLONG_MAX)) {
        struct tset *d = tset_dup(s);
        size_t popped = 0;
        tset_pop(d, 25, 512, rnd64, &seed, collect_count, &popped);
        ck_assert_uint_eq(popped, 25);
        if (!has_ll(d, LLONG_MAX)) {
            ck_assert_uint_eq(width_of(d), 2);
            tset_free(d);
            break;
        }
        tset_free(d);
    }
    tset_free(s);
}
END_TEST

/* ---- random operations vs a model ------------------------------------------------------ */

struct model {
    char **m;
    size_t *len;
    size_t n, cap;
};

static ssize_t model_find(const struct model *md, const char *p, size_t len)
{
    for (size_t i = 0; i < md->n; i++)
        if (md->len[i] == len && memcmp(md->m[i], p, len) == 0)
            return (ssize_t)i;
    return -1;
}

static bool model_add(struct model *md, const char *p, size_t len)
{
    if (model_find(md, p, len) >= 0)
        return false;
    if (md->n == md->cap) {
        md->cap = md->cap * 2 + 16;
        md->m = realloc(md->m, md->cap * sizeof(*md->m));
        md->len = realloc(md->len, md->cap * sizeof(*md->len));
    }
    md->m[md->n] = malloc(len + 1);
    memcpy(md->m[md->n], p, len);
    md->len[md->n++] = len;
    return true;
}

static bool model_remove(struct model *md, const char *p, size_t len)
{
    ssize_t i = model_find(md, p, len);
    if (i < 0)
        return false;
    free(md->m[i]);
    md->m[i] = md->m[md->n - 1];
    md->len[i] = md->len[md->n - 1];
    md->n--;
    return true;
}

static void model_free(struct model *md)
{
    for (size_t i = 0; i < md->n; i++)
        free(md->m[i]);
    free(md->m);
    free(md->len);
}

/* A random member candidate: mostly small integers (some wide), some
 * strings, some non-canonical integer texts, some with NUL bytes. */
static size_t random_member(uint64_t *seed, char *buf, bool ints_only)
{
    uint64_t r = rnd64(seed);
    switch (ints_only ? 0 : r % 10) {
    case 7: return (size_t)snprintf(buf, 32, "s%u", (unsigned)(r >> 8) % 200);
    case 8: return (size_t)snprintf(buf, 32, "0%u", (unsigned)(r >> 8) % 50);
    case 9: buf[0] = 'n'; buf[1] = '\0'; buf[2] = (char)((r >> 8) % 5); return 3;
    default:
        if ((r >> 8) % 8 == 0)
            return (size_t)snprintf(buf, 32, "%lld", (long long)(r >> 11) * (((r >> 4) & 1) ? 1 : -1));
        return (size_t)snprintf(buf, 32, "%lld", (long long)((r >> 8) % 400) - 200);
    }
}

struct seen {
    struct model *md;
    size_t n;
    bool bad;
};

static void seen_cb(const char *p, size_t len, void *arg)
{
    struct seen *s = arg;
    if (model_find(s->md, p, len) < 0)
        s->bad = true;
    s->n++;
}

/* The set holds exactly the model's members. */
static void check_same(struct tset *s, struct model *md)
{
    struct seen sn = { md, 0, false };
    ck_assert_uint_eq(tset_card(s), md->n);
    tset_foreach(s, seen_cb, &sn);
    REQUIRE(!sn.bad && sn.n == md->n, "iteration differs from the model");
    for (size_t i = 0; i < md->n; i++)
        REQUIRE(tset_ismember(s, md->m[i], md->len[i]), "model member missing");
    if (tset_encoding(s) == KV_ENC_INTSET)
        ck_assert_uint_eq(check_ascending(s), md->n);
}

START_TEST(test_random_ops_vs_model)
{
    uint64_t seed = 1234567 + (uint64_t)_i;
    bool ints_only = _i % 2 == 0;
    size_t max = _i < 4 ? 512 : 16;
    struct tset *s = tset_new();
    struct model md = { 0 };
    bool was_ht = false;
    char buf[32];

    for (int op = 0; op < 20000; op++) {
        size_t len = random_member(&seed, buf, ints_only);
        uint64_t r = rnd64(&seed) % 10;
        if (r < 5) {
            REQUIRE(tset_add(s, buf, len, max) == model_add(&md, buf, len), "add result at op %d", op);
        } else if (r < 8) {
            REQUIRE(tset_remove(s, buf, len) == model_remove(&md, buf, len), "remove result at op %d", op);
        } else {
            REQUIRE(tset_ismember(s, buf, len) == (model_find(&md, buf, len) >= 0), "ismember at op %d", op);
        }
        REQUIRE(tset_card(s) == md.n, "card at op %d", op);
        if (tset_encoding(s) == KV_ENC_HASHTABLE)
            was_ht = true;
        else
            REQUIRE(!was_ht && md.n <= max, "intset after hashtable, or too big, at op %d", op);
        if (op % 1000 == 0)
            check_same(s, &md);
    }
    check_same(s, &md);
    tset_free(s);
    model_free(&md);
}
END_TEST

/* ---- set algebra vs a model --------------------------------------------------------------- */

static struct tset *random_set(uint64_t *seed, struct model *md, int size, bool ints_only, size_t max)
{
    struct tset *s = tset_new();
    char buf[32];
    for (int i = 0; i < size; i++) {
        size_t len = random_member(seed, buf, ints_only);
        tset_add(s, buf, len, max);
        model_add(md, buf, len);
    }
    return s;
}

static bool in_all(struct model *mds, size_t n, const char *p, size_t len)
{
    for (size_t j = 0; j < n; j++)
        if (model_find(&mds[j], p, len) < 0)
            return false;
    return true;
}

static bool in_any(struct model *mds, size_t from, size_t n, const char *p, size_t len)
{
    for (size_t j = from; j < n; j++)
        if (model_find(&mds[j], p, len) >= 0)
            return true;
    return false;
}

struct add_to {
    struct tset *dst;
};

static void add_to_cb(const char *p, size_t len, void *arg)
{
    struct add_to *a = arg;
    REQUIRE(tset_add(a->dst, p, len, NOLIMIT), "intersection reported a member twice");
}

/* The encoding a set built member by member from `md` ends with. */
static int expected_encoding(struct model *md, size_t max)
{
    struct tset *t = tset_new();
    int enc;
    for (size_t i = 0; i < md->n; i++)
        tset_add(t, md->m[i], md->len[i], max);
    enc = tset_encoding(t);
    tset_free(t);
    return enc;
}

START_TEST(test_algebra_vs_model)
{
    uint64_t seed = 777 + (uint64_t)_i;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + rnd64(&seed) % 4, max = rnd64(&seed) % 2 ? 512 : 8;
        struct tset *sets[5];
        struct model mds[5] = { { 0 } }, want = { 0 };
        struct add_to inter = { tset_new() };
        struct tset *u, *d;
        size_t found;

        bool same = n > 1 && rnd64(&seed) % 6 == 0;   /* the first key again, last */
        for (size_t j = 0; j < n; j++) {
            if (same && j == n - 1) {
                sets[j] = sets[0];
                for (size_t i = 0; i < mds[0].n; i++)
                    model_add(&mds[j], mds[0].m[i], mds[0].len[i]);
            } else if (rnd64(&seed) % 8 == 0) {
                sets[j] = NULL;   /* a missing key */
            } else {
                sets[j] = random_set(&seed, &mds[j], (int)(rnd64(&seed) % 60), rnd64(&seed) % 2, max);
            }
        }

        found = tset_inter(sets, n, 0, add_to_cb, &inter);
        ck_assert_uint_eq(found, tset_card(inter.dst));
        for (size_t i = 0; i < mds[0].n; i++)
            if (in_all(mds, n, mds[0].m[i], mds[0].len[i]))
                model_add(&want, mds[0].m[i], mds[0].len[i]);
        check_same(inter.dst, &want);
        if (found > 1)   /* LIMIT stops early */
            ck_assert_uint_eq(tset_inter(sets, n, found - 1, collect_count, &(size_t){ 0 }), found - 1);
        model_free(&want);

        want = (struct model){ 0 };
        u = tset_union(sets, n, max);
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < mds[j].n; i++)
                model_add(&want, mds[j].m[i], mds[j].len[i]);
        check_same(u, &want);
        ck_assert_int_eq(tset_encoding(u), expected_encoding(&want, max));
        model_free(&want);

        want = (struct model){ 0 };
        d = tset_diff(sets, n, max);
        for (size_t i = 0; sets[0] && i < mds[0].n; i++)
            if (!in_any(mds, 1, n, mds[0].m[i], mds[0].len[i]))
                model_add(&want, mds[0].m[i], mds[0].len[i]);
        check_same(d, &want);
        model_free(&want);

        tset_free(inter.dst);
        tset_free(u);
        tset_free(d);
        for (size_t j = 0; j < n; j++) {
            if (!(same && j == n - 1))
                tset_free(sets[j]);
            model_free(&mds[j]);
        }
    }
}
END_TEST

/* SDIFF's two algorithms give different encodings, as in Redis: looking
 * members up builds the result member by member; copying the first set
 * converts the copy when the first set is over the limit. */
START_TEST(test_diff_encoding)
{
    struct tset *first = tset_new(), *small = tset_new(), *sets[5], *d;
    for (long long v = 1; v <= 5; v++)
        add_ll(first, v, 3);
    add_ll(small, 1, 3);
    add_ll(small, 2, 3);
    sets[0] = first;
    sets[1] = small;
    d = tset_diff(sets, 2, 3);   /* lookup work 5 <= copy work 7 */
    ck_assert_int_eq(tset_encoding(d), KV_ENC_INTSET);
    ck_assert_uint_eq(tset_card(d), 3);
    tset_free(d);
    tset_free(first);
    tset_free(small);

    first = tset_new();
    for (long long v = 1; v <= 10; v++)
        add_ll(first, v, 3);
    sets[0] = first;
    for (int j = 1; j <= 4; j++) {   /* {1,2} {3,4} {5,6} {7} */
        sets[j] = tset_new();
        add_ll(sets[j], 2 * j - 1, 3);
        if (j < 4)
            add_ll(sets[j], 2 * j, 3);
    }
    d = tset_diff(sets, 5, 3);   /* lookup work 10 * 5 / 2 = 25 > copy work 17 */
    ck_assert_int_eq(tset_encoding(d), KV_ENC_HASHTABLE);
    ck_assert_uint_eq(tset_card(d), 3);
    tset_free(d);
    for (int j = 0; j <= 4; j++)
        tset_free(sets[j]);
}
END_TEST

static Suite *t_set_suite(void)
{
    Suite *s = suite_create("t_set");
    TCase *intset = tcase_create("intset");
    TCase *misc = tcase_create("misc");
    TCase *random = tcase_create("random");
    TCase *model = tcase_create("model");

    tcase_add_test(intset, test_empty);
    tcase_add_test(intset, test_width_upgrades);
    tcase_add_test(intset, test_width_upgrade_positions);
    tcase_add_test(intset, test_non_canonical_integers);
    tcase_add_test(intset, test_entries_threshold);
    suite_add_tcase(s, intset);

    tcase_add_test(misc, test_dup_independent);
    tcase_add_test(misc, test_scan);
    tcase_add_test(misc, test_diff_encoding);
    suite_add_tcase(s, misc);

    tcase_add_test(random, test_sample);
    tcase_add_test(random, test_random_member);
    tcase_add_test(random, test_pop);
    tcase_add_test(random, test_pop_rebuild_encoding);
    suite_add_tcase(s, random);

    tcase_set_timeout(model, 120);
    tcase_add_loop_test(model, test_random_ops_vs_model, 0, 6);
    tcase_add_loop_test(model, test_algebra_vs_model, 0, 4);
    suite_add_tcase(s, model);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(t_set_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
