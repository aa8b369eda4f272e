/*
 * check_pack: the compact sequence (engine/pack.c).
 *
 * Every test checks the invariants after each change: the forward walk and
 * the backward walk visit the same entries, count matches, and the walk ends
 * exactly at the recorded total size. A randomized test drives inserts,
 * replaces and deletes against a plain array model, with entry lengths that
 * cross every varint width (0, 127/128, 16383/16384 bytes).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pack.h"

#define MAXN 400

struct model {
    char *s[MAXN];
    size_t len[MAXN];
    int n;
};

static void check_invariants(const unsigned char *p, const struct model *m)
{
    size_t off = pk_first(p), back[MAXN];
    int i = 0;
    ck_assert_uint_eq(pk_count(p), (unsigned)m->n);
    while (off != PK_END) {
        size_t len;
        const char *e = pk_get(p, off, &len);
        ck_assert_int_lt(i, m->n);
        ck_assert_uint_eq(len, m->len[i]);
        ck_assert(len == 0 || memcmp(e, m->s[i], len) == 0);
        ck_assert(pk_eq(p, off, m->s[i], m->len[i]));
        back[i++] = off;
        off = pk_next(p, off);
    }
    ck_assert_int_eq(i, m->n);
    off = pk_last(p);
    while (i-- > 0) {
        ck_assert_uint_eq(off, back[i]);
        off = pk_prev(p, off);
    }
    ck_assert_uint_eq(off, PK_END);
    if (m->n) {
        ck_assert_uint_eq(pk_seek(p, 0), back[0]);
        ck_assert_uint_eq(pk_seek(p, -1), back[m->n - 1]);
    }
    ck_assert_uint_eq(pk_seek(p, m->n), PK_END);
    ck_assert_uint_eq(pk_seek(p, -(long long)m->n - 1), PK_END);
}

static void model_insert(struct model *m, int at, const char *s, size_t len)
{
    memmove(&m->s[at + 1], &m->s[at], sizeof(m->s[0]) * (size_t)(m->n - at));
    memmove(&m->len[at + 1], &m->len[at], sizeof(m->len[0]) * (size_t)(m->n - at));
    m->s[at] = malloc(len + 1);
    memcpy(m->s[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void model_delete(struct model *m, int at, int n)
{
    for (int i = at; i < at + n; i++)
        free(m->s[i]);
    memmove(&m->s[at], &m->s[at + n], sizeof(m->s[0]) * (size_t)(m->n - at - n));
    memmove(&m->len[at], &m->len[at + n], sizeof(m->len[0]) * (size_t)(m->n - at - n));
    m->n -= n;
}

static void model_free(struct model *m)
{
    model_delete(m, 0, m->n);
}

START_TEST(empty_pack)
{
    unsigned char *p = pk_create();
    struct model m = { .n = 0 };
    check_invariants(p, &m);
    ck_assert_uint_eq(pk_first(p), PK_END);
    ck_assert_uint_eq(pk_last(p), PK_END);
    ck_assert_uint_eq(pk_bytes(p), 12);
    pk_destroy(p);
    pk_destroy(NULL);
}
END_TEST

START_TEST(append_prepend_and_find)
{
    unsigned char *p = pk_create();
    struct model m = { .n = 0 };
    long long v;
    pk_append(&p, "b", 1);
    model_insert(&m, 0, "b", 1);
    pk_prepend(&p, "a", 1);
    model_insert(&m, 0, "a", 1);
    pk_append(&p, "", 0);
    model_insert(&m, 2, "", 0);
    pk_append(&p, "-42", 3);
    model_insert(&m, 3, "-42", 3);
    check_invariants(p, &m);
    ck_assert(pk_get_ll(p, pk_seek(p, 3), &v));
    ck_assert_int_eq(v, -42);
    ck_assert(!pk_get_ll(p, pk_seek(p, 0), &v));
    ck_assert_uint_eq(pk_find(p, pk_first(p), "", 0, 0), pk_seek(p, 2));
    ck_assert_uint_eq(pk_find(p, pk_first(p), "b", 1, 1), PK_END);   /* "b" is at an odd index */
    ck_assert_uint_eq(pk_find(p, pk_first(p), "", 0, 1), pk_seek(p, 2));
    ck_assert_uint_eq(pk_find(p, pk_first(p), "zz", 2, 0), PK_END);
    pk_destroy(p);
    model_free(&m);
}
END_TEST

START_TEST(varint_boundaries)
{
    static const size_t lens[] = { 0, 1, 115, 116, 125, 126, 127, 128, 129, 16370, 16381, 16383, 16384, 70000 };
    unsigned char *p = pk_create();
    struct model m = { .n = 0 };
    char *buf = malloc(70002);   /* entries start at buf, buf + 1 or buf + 2 */
    for (size_t i = 0; i < 70002; i++)
        buf[i] = (char)(i * 7 + 3);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        pk_append(&p, buf, lens[i]);
        model_insert(&m, m.n, buf, lens[i]);
        pk_prepend(&p, buf + 1, lens[i] ? lens[i] - 1 : 0);
        model_insert(&m, 0, buf + 1, lens[i] ? lens[i] - 1 : 0);
        check_invariants(p, &m);
    }
    /* Replace each with a length of another varint width. */
    for (int i = 0; i < m.n; i++) {
        size_t nl = lens[(size_t)i % (sizeof(lens) / sizeof(lens[0]))];
        pk_replace(&p, pk_seek(p, i), buf + 2, nl);
        model_delete(&m, i, 1);
        model_insert(&m, i, buf + 2, nl);
        check_invariants(p, &m);
    }
    free(buf);
    pk_destroy(p);
    model_free(&m);
}
END_TEST

START_TEST(delete_ranges_and_merge)
{
    unsigned char *p = pk_create(), *q = pk_create(), *d;
    struct model m = { .n = 0 };
    char s[16];
    for (int i = 0; i < 20; i++) {
        int n = snprintf(s, sizeof(s), "e%d", i);
        pk_append(&p, s, (size_t)n);
        model_insert(&m, m.n, s, (size_t)n);
    }
    pk_delete_range(&p, -3, 10);   /* clipped to the last 3 */
    model_delete(&m, 17, 3);
    check_invariants(p, &m);
    pk_delete_range(&p, -100, 2);  /* start clipped to 0 */
    model_delete(&m, 0, 2);
    check_invariants(p, &m);
    pk_delete_range(&p, 100, 2);   /* out of range: nothing */
    check_invariants(p, &m);
    ck_assert_uint_eq(pk_delete(&p, pk_seek(p, -1), 5), PK_END);
    model_delete(&m, m.n - 1, 1);
    check_invariants(p, &m);
    pk_append(&q, "x", 1);
    pk_append(&q, "yy", 2);
    pk_merge(&p, q);
    model_insert(&m, m.n, "x", 1);
    model_insert(&m, m.n, "yy", 2);
    check_invariants(p, &m);
    d = pk_dup(p);
    check_invariants(d, &m);
    ck_assert_uint_eq(pk_bytes(d), pk_bytes(p));
    pk_destroy(d);
    pk_destroy(p);
    pk_destroy(q);
    model_free(&m);
}
END_TEST

/* pk_split at every position of packs whose entries cross the varint
 * widths: both halves keep the invariants, the moved half is byte for byte
 * the pack appending its entries one by one builds, and merging the halves
 * gives back the original. */
START_TEST(split_everywhere)
{
    static const size_t lens[] = { 0, 1, 127, 128, 300, 16383, 16384, 5, 0, 2 };
    enum { N = sizeof(lens) / sizeof(lens[0]) };
    static char buf[16384 + N];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)('a' + i % 26);
    for (int at = 0; at < N; at++) {
        unsigned char *p = pk_create(), *q, *appended = pk_create(), *orig;
        struct model head = { .n = 0 }, tail = { .n = 0 };
        for (int i = 0; i < N; i++) {
            pk_append(&p, buf + i, lens[i]);
            model_insert(i < at ? &head : &tail, i < at ? head.n : tail.n, buf + i, lens[i]);
            if (i >= at)
                pk_append(&appended, buf + i, lens[i]);
        }
        orig = pk_dup(p);
        q = pk_split(&p, pk_seek(p, at));
        check_invariants(p, &head);
        check_invariants(q, &tail);
        ck_assert_uint_eq(pk_bytes(q), pk_bytes(appended));
        ck_assert(memcmp(q, appended, pk_bytes(q)) == 0);
        pk_merge(&p, q);
        ck_assert_uint_eq(pk_bytes(p), pk_bytes(orig));
        ck_assert(memcmp(p, orig, pk_bytes(p)) == 0);
        pk_destroy(p);
        pk_destroy(q);
        pk_destroy(appended);
        pk_destroy(orig);
        model_free(&head);
        model_free(&tail);
    }
}
END_TEST

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

START_TEST(random_against_model)
{
    unsigned char *p = pk_create();
    struct model m = { .n = 0 };
    static char buf[20000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)rnd();
    for (int step = 0; step < 4000; step++) {
        uint64_t r = rnd();
        size_t len = (r >> 8) % 8 == 0 ? (r >> 16) % 20000 : (r >> 16) % 140;
        int op = (int)(r % 4);
        if (m.n >= MAXN - 1)
            op = 2;
        if (op <= 1 || m.n == 0) {
            int at = m.n ? (int)((r >> 32) % (uint64_t)(m.n + 1)) : 0;
            pk_insert(&p, at == m.n ? PK_END : pk_seek(p, at), buf, len);
            model_insert(&m, at, buf, len);
        } else if (op == 2) {
            int at = (int)((r >> 32) % (uint64_t)m.n), n = 1 + (int)((r >> 40) % 3);
            if (at + n > m.n)
                n = m.n - at;
            pk_delete(&p, pk_seek(p, at), (uint32_t)n);
            model_delete(&m, at, n);
        } else {
            int at = (int)((r >> 32) % (uint64_t)m.n);
            pk_replace(&p, pk_seek(p, at), buf + 1, len);
            model_delete(&m, at, 1);
            model_insert(&m, at, buf + 1, len);
        }
        check_invariants(p, &m);
    }
    pk_destroy(p);
    model_free(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, empty_pack);
    tcase_add_test(tc, append_prepend_and_find);
    tcase_add_test(tc, varint_boundaries);
    tcase_add_test(tc, delete_ranges_and_merge);
    tcase_add_test(tc, split_everywhere);
    tcase_add_test(tc, random_against_model);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
