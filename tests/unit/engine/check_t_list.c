/*
 * check_t_list: unit tests for engine/t_list (the quicklist).
 *
 * Besides targeted cases, every fill setting (the negative byte limits, 0,
 * small and large counts, and out-of-range values that are clamped) runs a
 * seeded random sequence of all operations against a plain array model;
 * after each operation tlist_verify checks the structural invariants (no
 * empty node, fill respected, length and node count consistent, links) and
 * the whole content is compared with the model, walking both directions.
 * Element sizes mix tiny, medium and "big" (larger than a node's byte
 * limit) values, drawn from a small pool so pivots and LREM values match.
 */
#include "engine/t_list.h"
#include "engine/pack.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* ---- a plain model ------------------------------------------------------- */

struct elem {
    char *p;
    size_t len;
};

struct model {
    struct elem *v;
    size_t n, cap;
};

static struct elem elem_make(const char *p, size_t len)
{
    struct elem e = { malloc(len ? len : 1), len };
    memcpy(e.p, p, len);
    return e;
}

static void model_insert(struct model *m, size_t at, const char *p, size_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof(*m->v));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(*m->v));
    m->v[at] = elem_make(p, len);
    m->n++;
}

static void model_delete(struct model *m, size_t at)
{
    free(m->v[at].p);
    memmove(m->v + at, m->v + at + 1, (m->n - at - 1) * sizeof(*m->v));
    m->n--;
}

static void model_free(struct model *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].p);
    free(m->v);
    memset(m, 0, sizeof(*m));
}

static bool elem_eq(const struct elem *e, const char *p, size_t len)
{
    return e->len == len && memcmp(e->p, p, len) == 0;
}

static void check_same(const struct tlist *l, const struct model *m, int fill)
{
    const char *err = tlist_verify(l, fill), *s;
    size_t len, i = 0;
    struct tlist_iter it;
    REQUIRE(err == NULL, "invariant broken (fill %d): %s", fill, err);
    REQUIRE(tlist_len(l) == m->n, "length %zu, model %zu", tlist_len(l), m->n);
    tlist_iter_init(&it, l, 0, true);
    while (tlist_iter_next(&it, &s, &len)) {
        REQUIRE(i < m->n && elem_eq(&m->v[i], s, len), "element %zu differs (fill %d)", i, fill);
        i++;
    }
    REQUIRE(i == m->n, "forward walk saw %zu of %zu", i, m->n);
    tlist_iter_init(&it, l, -1, false);
    while (tlist_iter_next(&it, &s, &len)) {
        REQUIRE(i > 0 && elem_eq(&m->v[i - 1], s, len), "backward element %zu differs", i - 1);
        i--;
    }
    REQUIRE(i == 0, "backward walk stopped at %zu", i);
}

/* ---- random values --------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t rnd_below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* A value from a pool of 24: its id picks the size class (tiny, medium or
 * big) and the fill byte, so equal ids give equal values. */
static size_t value_of(unsigned id, char *buf)
{
    static const size_t sizes[] = { 0, 1, 3, 8, 20, 40, 100, 300, 1000, 3000, 9000, 70000 };
    size_t len = sizes[id % 12];
    memset(buf, 'a' + (int)(id % 26), len);
    if (len)
        buf[0] = (char)id;
    return len;
}

static unsigned rnd_id(void)
{
    /* mostly small values, now and then a medium or big one */
    unsigned r = (unsigned)rnd_below(100);
    unsigned id = (unsigned)rnd_below(24);
    if (r < 80)
        return id % 12 < 6 ? id : id - 6;
    return id;
}

/* ---- random ops vs. the model --------------------------------------------- */

static char buf[70000], buf2[70000];

static void op_push(struct tlist *l, struct model *m, int fill)
{
    size_t len = value_of(rnd_id(), buf);
    bool head = rnd() & 1;
    tlist_push(l, head ? TLIST_HEAD : TLIST_TAIL, buf, len, fill);
    model_insert(m, head ? 0 : m->n, buf, len);
}

static void op_pop(struct tlist *l, struct model *m, int fill)
{
    bool head = rnd() & 1;
    const char *s;
    size_t len;
    if (!m->n) {
        REQUIRE(!tlist_peek(l, TLIST_HEAD, &s, &len) && !tlist_pop(l, TLIST_TAIL, fill), "pop on empty");
        return;
    }
    size_t at = head ? 0 : m->n - 1;
    REQUIRE(tlist_peek(l, head ? TLIST_HEAD : TLIST_TAIL, &s, &len) && elem_eq(&m->v[at], s, len), "peek");
    REQUIRE(tlist_pop(l, head ? TLIST_HEAD : TLIST_TAIL, fill), "pop");
    model_delete(m, at);
}

static long long rnd_index(const struct model *m)
{
    long long span = (long long)m->n + 2;
    long long i = (long long)rnd_below((size_t)span * 2) - span;   /* some out of range */
    return i;
}

static bool model_norm(const struct model *m, long long i, size_t *out)
{
    if (i < 0)
        i += (long long)m->n;
    if (i < 0 || i >= (long long)m->n)
        return false;
    *out = (size_t)i;
    return true;
}

static void op_index_set(struct tlist *l, struct model *m, int fill)
{
    long long i = rnd_index(m);
    size_t at, len;
    const char *s;
    bool in = model_norm(m, i, &at);
    REQUIRE(tlist_index(l, i, &s, &len) == in, "index %lld range", i);
    if (in)
        REQUIRE(elem_eq(&m->v[at], s, len), "index %lld value", i);
    len = value_of(rnd_id(), buf);
    REQUIRE(tlist_set(l, i, buf, len, fill) == in, "set %lld range", i);
    if (in) {
        free(m->v[at].p);
        m->v[at] = elem_make(buf, len);
    }
}

static void op_insert(struct tlist *l, struct model *m, int fill)
{
    size_t plen = value_of(rnd_id(), buf2), len = value_of(rnd_id(), buf), at;
    bool after = rnd() & 1;
    for (at = 0; at < m->n && !elem_eq(&m->v[at], buf2, plen); at++)
        ;
    REQUIRE(tlist_insert(l, buf2, plen, after, buf, len, fill) == (at < m->n), "insert pivot found");
    if (at < m->n)
        model_insert(m, after ? at + 1 : at, buf, len);
}

static void op_remove(struct tlist *l, struct model *m, int fill)
{
    size_t len = value_of(rnd_id(), buf), removed = 0;
    long long count = (long long)rnd_below(7) - 3;
    size_t limit = count == 0 ? SIZE_MAX : (size_t)llabs(count);
    if (count >= 0) {
        for (size_t i = 0; i < m->n && removed < limit;)
            if (elem_eq(&m->v[i], buf, len)) {
                model_delete(m, i);
                removed++;
            } else {
                i++;
            }
    } else {
        for (size_t i = m->n; i-- > 0 && removed < limit;)
            if (elem_eq(&m->v[i], buf, len)) {
                model_delete(m, i);
                removed++;
            }
    }
    REQUIRE(tlist_remove(l, buf, len, count, fill) == removed, "remove count");
}

static void op_delete_range(struct tlist *l, struct model *m, int fill)
{
    size_t start = rnd_below(m->n + 2), n = rnd_below(m->n / 2 + 3), expect = 0;
    while (start < m->n && expect < n) {
        model_delete(m, start);
        expect++;
    }
    REQUIRE(tlist_delete_range(l, start, n, fill) == expect, "delete_range count");
}

static void op_iter_from(struct tlist *l, struct model *m)
{
    long long i = rnd_index(m);
    bool fwd = rnd() & 1;
    size_t at, len;
    const char *s;
    struct tlist_iter it;
    tlist_iter_init(&it, l, i, fwd);
    if (!model_norm(m, i, &at)) {
        REQUIRE(!tlist_iter_next(&it, &s, &len), "iter out of range");
        return;
    }
    for (size_t k = 0; k < 5 && tlist_iter_next(&it, &s, &len); k++) {
        REQUIRE(elem_eq(&m->v[at], s, len), "iter from %lld, step %zu", i, k);
        if (fwd ? ++at == m->n : at-- == 0)
            break;
    }
}

static void run_random(int fill, unsigned seed, int steps)
{
    struct tlist *l = tlist_create();
    struct model m = { 0 };
    rng_state = 0x9e3779b97f4a7c15ULL ^ seed;
    for (int step = 0; step < steps; step++) {
        unsigned r = (unsigned)rnd_below(100);
        /* a growing phase first (to fill many nodes), then a mixed one */
        if (step < steps / 2 && (r < 30 || (r >= 74 && r < 88)))
            r = r % 2 ? 0 : 62;   /* push or insert instead of deletes */
        if (r < 40)
            op_push(l, &m, fill);
        else if (r < 52)
            op_pop(l, &m, fill);
        else if (r < 62)
            op_index_set(l, &m, fill);
        else if (r < 74)
            op_insert(l, &m, fill);
        else if (r < 84)
            op_remove(l, &m, fill);
        else if (r < 88)
            op_delete_range(l, &m, fill);
        else
            op_iter_from(l, &m);
        check_same(l, &m, fill);
        if (step % 500 == 499) {
            struct tlist *d = tlist_dup(l);
            check_same(d, &m, fill);
            tlist_destroy(l);
            l = d;
        }
    }
    tlist_destroy(l);
    model_free(&m);
}

/* ---- plain nodes (DEBUG QUICKLIST-PACKED-THRESHOLD) ---------------------- */

/* Node shapes Redis 7.0.15 makes with a 100-byte threshold (DEBUG OBJECT's
 * ql_nodes, checked against a live redis-server). */
START_TEST(test_plain_threshold_node_shapes)
{
    char big[200], b99[99];
    struct tlist *l = tlist_create(), *m = tlist_create();
    memset(big, 'b', sizeof(big));
    memset(b99, 'c', sizeof(b99));
    ck_assert(!tlist_set_plain_threshold(((size_t)1 << 32) - ((size_t)1 << 20) + 1));
    ck_assert(tlist_set_plain_threshold(100));
    /* a, B, c, d: [a] [B] [c d] */
    tlist_push(l, TLIST_TAIL, "a", 1, -2);
    tlist_push(l, TLIST_TAIL, big, sizeof(big), -2);
    tlist_push(l, TLIST_TAIL, "c", 1, -2);
    tlist_push(l, TLIST_TAIL, "d", 1, -2);
    ck_assert_uint_eq(tlist_node_count(l), 3);
    ck_assert_uint_eq(tlist_bytes(l), 200 + 2 * PK_HEADER_BYTES + 3 * pk_entry_size(1));
    /* LSET of c to a large one: [a] [B] [B] [d] */
    ck_assert(tlist_set(l, 2, big, sizeof(big), -2));
    ck_assert_uint_eq(tlist_node_count(l), 4);
    /* LSET of a plain node's element to a small one, the next node plain: [a] [x] [B] [d] */
    ck_assert(tlist_set(l, 1, "x", 1, -2));
    ck_assert_uint_eq(tlist_node_count(l), 4);
    /* ... and the next node packed: the new element joins it, the plain node goes */
    ck_assert(tlist_set(l, 2, "y", 1, -2));
    ck_assert_uint_eq(tlist_node_count(l), 3);
    ck_assert_ptr_null(tlist_verify(l, -2));
    /* x, 100 bytes (plain), 99 bytes (packed), y: [x] [C100] [c99 y] */
    tlist_push(m, TLIST_TAIL, "x", 1, -2);
    tlist_push(m, TLIST_TAIL, big, 100, -2);
    tlist_push(m, TLIST_TAIL, b99, sizeof(b99), -2);
    tlist_push(m, TLIST_TAIL, "y", 1, -2);
    ck_assert_uint_eq(tlist_node_count(m), 3);
    /* a plain node is never merged: popping around it keeps it alone */
    tlist_pop(m, TLIST_HEAD, -2);
    tlist_push(m, TLIST_HEAD, "z", 1, -2);
    ck_assert_uint_eq(tlist_node_count(m), 3);
    ck_assert_ptr_null(tlist_verify(m, -2));
    ck_assert(tlist_set_plain_threshold(0));   /* back to 1 GiB */
    tlist_push(m, TLIST_HEAD, big, sizeof(big), -2);
    ck_assert_uint_eq(tlist_node_count(m), 3);
    tlist_destroy(l);
    tlist_destroy(m);
}
END_TEST

static const int fills[] = { -1, -2, -3, -4, -5, -6, -100, 0, 1, 2, 5, 16, 128, 1000, 100000 };
#define NFILLS ((int)(sizeof(fills) / sizeof(fills[0])))

START_TEST(test_random_vs_model)
{
    run_random(fills[_i], (unsigned)_i + 1, 6000);
}
END_TEST

/* ---- targeted cases ----------------------------------------------------------- */

static void push_num(struct tlist *l, enum tlist_end where, long v, int fill)
{
    char s[32];
    int n = snprintf(s, sizeof(s), "%ld", v);
    tlist_push(l, where, s, (size_t)n, fill);
}

START_TEST(test_basic)
{
    struct tlist *l = tlist_create();
    const char *s;
    size_t len;
    ck_assert_uint_eq(tlist_len(l), 0);
    ck_assert(!tlist_peek(l, TLIST_HEAD, &s, &len));
    ck_assert(!tlist_index(l, 0, &s, &len));
    ck_assert(!tlist_set(l, 0, "x", 1, -2));
    ck_assert(!tlist_insert(l, "a", 1, false, "x", 1, -2));
    ck_assert_uint_eq(tlist_remove(l, "a", 1, 0, -2), 0);
    ck_assert_uint_eq(tlist_delete_range(l, 0, 5, -2), 0);
    tlist_push(l, TLIST_TAIL, "b", 1, -2);
    tlist_push(l, TLIST_HEAD, "a", 1, -2);
    tlist_push(l, TLIST_TAIL, "c", 1, -2);
    ck_assert(tlist_index(l, -1, &s, &len) && len == 1 && s[0] == 'c');
    ck_assert(tlist_index(l, 0, &s, &len) && len == 1 && s[0] == 'a');
    ck_assert(!tlist_index(l, 3, &s, &len) && !tlist_index(l, -4, &s, &len));
    ck_assert(tlist_insert(l, "b", 1, true, "bb", 2, -2));
    ck_assert(tlist_index(l, 2, &s, &len) && len == 2 && memcmp(s, "bb", 2) == 0);
    ck_assert(tlist_set(l, -4, "", 0, -2));
    ck_assert(tlist_index(l, 0, &s, &len) && len == 0);
    ck_assert_uint_eq(tlist_len(l), 4);
    ck_assert_uint_eq(tlist_node_count(l), 1);
    ck_assert_ptr_null(tlist_verify(l, -2));
    ck_assert_int_eq(tlist_ops.encoding(l), KV_ENC_QUICKLIST);
    tlist_ops.destroy(l);
    tlist_destroy(NULL);
}
END_TEST

START_TEST(test_positive_fill_counts)
{
    struct tlist *l = tlist_create();
    for (long i = 0; i < 100; i++)
        push_num(l, TLIST_TAIL, i, 10);
    ck_assert_uint_eq(tlist_node_count(l), 10);
    ck_assert_ptr_null(tlist_verify(l, 10));
    /* fill 1 (and 0): one element per node */
    struct tlist *one = tlist_create();
    for (long i = 0; i < 20; i++)
        push_num(one, i & 1 ? TLIST_HEAD : TLIST_TAIL, i, 0);
    ck_assert_uint_eq(tlist_node_count(one), 20);
    ck_assert_ptr_null(tlist_verify(one, 1));
    tlist_destroy(one);
    /* popping the first half frees nodes */
    for (int i = 0; i < 55; i++)
        ck_assert(tlist_pop(l, TLIST_HEAD, 10));
    ck_assert_uint_eq(tlist_len(l), 45);
    ck_assert_ptr_null(tlist_verify(l, 10));
    ck_assert_uint_le(tlist_node_count(l), 5);
    tlist_destroy(l);
}
END_TEST

START_TEST(test_byte_limits)
{
    /* -1..-5: 4, 8, 16, 32, 64 KiB per node; 1000 elements of 100 bytes */
    static const size_t limit[] = { 4096, 8192, 16384, 32768, 65536 };
    char v[100];
    memset(v, 'v', sizeof(v));
    for (int f = -1; f >= -5; f--) {
        struct tlist *l = tlist_create();
        for (int i = 0; i < 1000; i++)
            tlist_push(l, TLIST_TAIL, v, sizeof(v), f);
        ck_assert_ptr_null(tlist_verify(l, f));
        size_t per = limit[-f - 1] / 102;   /* an entry takes 102 bytes */
        ck_assert_uint_ge(tlist_node_count(l), 1000 / per);
        ck_assert_uint_le(tlist_node_count(l), 1000 / (per - 1) + 1);
        tlist_destroy(l);
    }
}
END_TEST

START_TEST(test_big_elements_own_nodes)
{
    static char big[20000];
    struct tlist *l = tlist_create();
    const char *s;
    size_t len;
    memset(big, 'B', sizeof(big));
    tlist_push(l, TLIST_TAIL, "a", 1, -1);
    tlist_push(l, TLIST_TAIL, big, sizeof(big), -1);
    tlist_push(l, TLIST_TAIL, "b", 1, -1);
    ck_assert_uint_eq(tlist_node_count(l), 3);
    ck_assert_ptr_null(tlist_verify(l, -1));
    /* a big element inserted in the middle of a node splits it */
    for (int i = 0; i < 10; i++)
        tlist_push(l, TLIST_HEAD, "x", 1, -1);
    ck_assert(tlist_insert(l, "x", 1, true, big, sizeof(big), -1));
    ck_assert_ptr_null(tlist_verify(l, -1));
    ck_assert(tlist_index(l, 1, &s, &len) && len == sizeof(big));
    /* LSET of a big value in a shared node moves it out */
    ck_assert(tlist_set(l, 5, big, sizeof(big), -1));
    ck_assert_ptr_null(tlist_verify(l, -1));
    ck_assert(tlist_index(l, 5, &s, &len) && len == sizeof(big));
    ck_assert_uint_eq(tlist_len(l), 14);
    /* removing the big ones lets the small nodes merge back */
    ck_assert_uint_eq(tlist_remove(l, big, sizeof(big), 0, -1), 3);
    ck_assert_ptr_null(tlist_verify(l, -1));
    ck_assert_uint_eq(tlist_node_count(l), 1);
    tlist_destroy(l);
}
END_TEST

START_TEST(test_remove_from_tail_and_ranges)
{
    struct tlist *l = tlist_create();
    const char *s;
    size_t len;
    for (int i = 0; i < 300; i++)
        tlist_push(l, TLIST_TAIL, i % 3 ? "k" : "x", 1, 4);
    ck_assert_uint_eq(tlist_remove(l, "x", 1, -2, 4), 2);
    ck_assert(tlist_index(l, -1, &s, &len) && s[0] == 'k');
    ck_assert(tlist_index(l, -7, &s, &len) && s[0] == 'x');
    ck_assert_uint_eq(tlist_remove(l, "x", 1, 1, 4), 1);
    ck_assert(tlist_index(l, 0, &s, &len) && s[0] == 'k');
    ck_assert_uint_eq(tlist_remove(l, "x", 1, 0, 4), 97);
    ck_assert_uint_eq(tlist_len(l), 200);
    ck_assert_ptr_null(tlist_verify(l, 4));
    ck_assert_uint_le(tlist_node_count(l), 75);
    ck_assert_uint_eq(tlist_delete_range(l, 3, 190, 4), 190);
    ck_assert_ptr_null(tlist_verify(l, 4));
    ck_assert_uint_eq(tlist_len(l), 10);
    ck_assert_uint_le(tlist_node_count(l), 5);
    ck_assert_uint_eq(tlist_delete_range(l, 5, 1000, 4), 5);
    ck_assert_uint_eq(tlist_delete_range(l, 5, 1, 4), 0);
    ck_assert_uint_eq(tlist_delete_range(l, 0, 5, 4), 5);
    ck_assert_uint_eq(tlist_node_count(l), 0);
    ck_assert_ptr_null(tlist_verify(l, 4));
    tlist_destroy(l);
}
END_TEST

START_TEST(test_iter_directions)
{
    struct tlist *l = tlist_create();
    struct tlist_iter it;
    const char *s;
    size_t len;
    long expect;
    for (long i = 0; i < 50; i++)
        push_num(l, TLIST_TAIL, i, 3);
    tlist_iter_init(&it, l, -10, true);
    for (expect = 40; tlist_iter_next(&it, &s, &len); expect++)
        ck_assert_int_eq(strtol(s, NULL, 10), expect);
    ck_assert_int_eq(expect, 50);
    tlist_iter_init(&it, l, 7, false);
    for (expect = 7; tlist_iter_next(&it, &s, &len); expect--)
        ck_assert_int_eq(atol(s), expect);
    ck_assert_int_eq(expect, -1);
    tlist_iter_init(&it, l, 50, true);
    ck_assert(!tlist_iter_next(&it, &s, &len));
    tlist_iter_init(&it, l, -51, false);
    ck_assert(!tlist_iter_next(&it, &s, &len));
    tlist_destroy(l);
}
END_TEST

START_TEST(test_dup_independent)
{
    struct tlist *l = tlist_create(), *d;
    const char *s;
    size_t len;
    for (long i = 0; i < 1000; i++)
        push_num(l, TLIST_HEAD, i, -2);
    d = tlist_ops.dup(l);
    ck_assert(tlist_set(l, 0, "changed", 7, -2));
    ck_assert(tlist_index(d, 0, &s, &len) && len == 3 && memcmp(s, "999", 3) == 0);
    ck_assert_uint_eq(tlist_len(d), 1000);
    ck_assert_uint_eq(tlist_node_count(d), tlist_node_count(l));
    ck_assert_ptr_null(tlist_verify(d, -2));
    tlist_destroy(l);
    tlist_destroy(d);
}
END_TEST

/* A list keeps its own fill: the default until set, clamped, copied by
 * dup, given by tlist_from_strings. */
START_TEST(test_own_fill)
{
    struct tlist *l = tlist_create(), *d, *f;
    const char *s[3] = { "a", "b", "c" };
    size_t len[3] = { 1, 1, 1 };
    ck_assert_int_eq(tlist_fill(l), TLIST_FILL_DEFAULT);
    tlist_set_fill(l, -10);
    ck_assert_int_eq(tlist_fill(l), -5);
    tlist_set_fill(l, 100000);
    ck_assert_int_eq(tlist_fill(l), 32767);
    tlist_set_fill(l, 2);
    for (long i = 0; i < 7; i++)
        push_num(l, TLIST_TAIL, i, tlist_fill(l));
    ck_assert_uint_eq(tlist_node_count(l), 4);
    d = tlist_ops.dup(l);
    ck_assert_int_eq(tlist_fill(d), 2);
    f = tlist_from_strings(s, len, 3, 1);
    ck_assert_int_eq(tlist_fill(f), 1);
    ck_assert_uint_eq(tlist_node_count(f), 3);
    tlist_destroy(l);
    tlist_destroy(d);
    tlist_destroy(f);
}
END_TEST

static Suite *t_list_suite(void)
{
    Suite *s = suite_create("t_list");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_basic);
    tcase_add_test(tc, test_positive_fill_counts);
    tcase_add_test(tc, test_byte_limits);
    tcase_add_test(tc, test_big_elements_own_nodes);
    tcase_add_test(tc, test_plain_threshold_node_shapes);
    tcase_add_test(tc, test_remove_from_tail_and_ranges);
    tcase_add_test(tc, test_iter_directions);
    tcase_add_test(tc, test_dup_independent);
    tcase_add_test(tc, test_own_fill);
    tcase_add_loop_test(tc, test_random_vs_model, 0, NFILLS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(t_list_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
