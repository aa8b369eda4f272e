/*
 * check_t_zset: unit tests for engine/t_zset and engine/zskiplist.
 *
 * The core is a randomized comparison against a model (a sorted array of
 * (score, member) pairs) with a full consistency check after every
 * operation: for a skiplist, the level-0 order, backward links, tail,
 * length, the member index, and at every level that each span equals the
 * rank distance it covers (so the spans of a level sum to length + 1); for
 * both encodings, iteration both ways, every rank and score lookup. The
 * encoding is checked against Redis' conversion rule after every add.
 *
 * Members are a small universe (so adds hit existing members often) with
 * binary bytes, the empty member, shared prefixes and one member longer than
 * the default zset-max-listpack-value; scores include -inf, inf and ties.
 */
#include "engine/numfmt.h"
#include "engine/obj.h"
#include "engine/t_zset.h"
#include "engine/zskiplist.h"

#include <check.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

#define NMEMBERS 48
#define LONG_MEMBER 70

static const struct tzset_limits DEFAULT_LIM = { 128, 64 };

/* ---- test data ----------------------------------------------------------- */

struct member {
    char m[LONG_MEMBER];
    size_t len;
};

static struct member members[NMEMBERS];

static void init_members(void)
{
    for (int i = 0; i < NMEMBERS; i++) {
        struct member *mb = &members[i];
        if (i == 0) {
            mb->len = 0;
        } else if (i == NMEMBERS - 1) {
            memset(mb->m, 'z', LONG_MEMBER);
            mb->len = LONG_MEMBER;
        } else if (i % 7 == 0) {
            mb->m[0] = '\0';
            mb->m[1] = (char)i;
            mb->m[2] = (char)0xff;
            mb->len = 3;
        } else if (i % 5 == 0) {
            mb->len = (size_t)snprintf(mb->m, sizeof(mb->m), "m%d", i / 5);   /* prefixes of others */
        } else {
            mb->len = (size_t)snprintf(mb->m, sizeof(mb->m), "m%02d", i);
        }
    }
}

static const double score_pool[] = { -INFINITY, -2.5, -1, 0, 1, 1, 2, 2.5, 3, 3, 1e300, INFINITY, 7, 0.1 };
#define NSCORES (sizeof(score_pool) / sizeof(score_pool[0]))

static uint64_t rng_state;
static uint64_t rnd(void *arg)
{
    (void)arg;
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static size_t rnd_below(size_t n) { return (size_t)(rnd(NULL) % n); }

/* ---- the model ----------------------------------------------------------- */

struct melem {
    int id;
    double score;
};

static struct melem model[NMEMBERS];
static size_t mcount;

static int elem_order(double sa, const char *ma, size_t la, double sb, const char *mb, size_t lb)
{
    if (sa != sb)
        return sa < sb ? -1 : 1;
    return zsl_memcmp(ma, la, mb, lb);
}

static int model_cmp(const struct melem *a, const struct melem *b)
{
    return elem_order(a->score, members[a->id].m, members[a->id].len, b->score, members[b->id].m,
                      members[b->id].len);
}

static long model_find(int id)
{
    for (size_t i = 0; i < mcount; i++)
        if (model[i].id == id)
            return (long)i;
    return -1;
}

static void model_remove_at(size_t i)
{
    memmove(&model[i], &model[i + 1], sizeof(model[0]) * (mcount - i - 1));
    mcount--;
}

static void model_insert(int id, double score)
{
    struct melem e = { id, score };
    size_t i = 0;
    while (i < mcount && model_cmp(&model[i], &e) < 0)
        i++;
    memmove(&model[i + 1], &model[i], sizeof(model[0]) * (mcount - i));
    model[i] = e;
    mcount++;
}

static enum tzset_add_result model_add(int id, double score, unsigned flags, double *out)
{
    long i = model_find(id);
    double cur;
    if (i < 0) {
        if (flags & TZ_ADD_XX)
            return TZ_SKIPPED;
        model_insert(id, score);
        *out = score;
        return TZ_ADDED;
    }
    if (flags & TZ_ADD_NX)
        return TZ_SKIPPED;
    cur = model[i].score;
    if (flags & TZ_ADD_INCR) {
        score += cur;
        if (isnan(score))
            return TZ_NAN;
    }
    if (((flags & TZ_ADD_GT) && score <= cur) || ((flags & TZ_ADD_LT) && score >= cur))
        return TZ_SKIPPED;
    *out = score;
    if (score == cur)
        return TZ_UNCHANGED;
    model_remove_at((size_t)i);
    model_insert(id, score);
    return TZ_UPDATED;
}

/* ---- consistency checks -------------------------------------------------- */

static void check_zsl(const struct zsl *zsl)
{
    size_t n = 0;
    const struct zsl_node *prev = NULL;
    const struct zsl_node **nodes = malloc(sizeof(*nodes) * (zsl->length + 1));

    REQUIRE(zsl->level >= 1 && zsl->level <= ZSL_MAXLEVEL, "bad level %d", zsl->level);
    for (const struct zsl_node *x = zsl->header->fwd[0]; x; x = x->fwd[0]) {
        REQUIRE(n < zsl->length, "more nodes than length %zu", zsl->length);
        REQUIRE(x->backward == prev, "backward link of node %zu", n);
        REQUIRE(x->level >= 1 && x->level <= zsl->level, "node level %d above list level %d", x->level, zsl->level);
        REQUIRE(!isnan(x->score), "NaN score");
        if (prev)
            REQUIRE(elem_order(prev->score, zsl_node_member(prev), prev->mlen, x->score, zsl_node_member(x),
                               x->mlen) < 0,
                    "order broken at %zu", n);
        REQUIRE(dict_find(zsl->dict, zsl_node_member(x), x->mlen) == &x->dn, "index misses node %zu", n);
        nodes[n++] = x;
        prev = x;
    }
    REQUIRE(n == zsl->length, "length %zu, nodes %zu", zsl->length, n);
    REQUIRE(zsl->tail == prev, "tail");
    REQUIRE(dict_size(zsl->dict) == n, "index size %zu vs %zu", dict_size(zsl->dict), n);
    REQUIRE(zsl->level == 1 || zsl->header->fwd[zsl->level - 1] != NULL, "empty top level");
    for (int i = 0; i < zsl->level; i++) {
        const struct zsl_node *x = zsl->header;
        size_t r = 0, sum = 0;
        for (size_t k = 0; k < n; k++) {
            if (nodes[k]->level <= i)
                continue;
            REQUIRE(x->fwd[i] == nodes[k], "level %d skips node %zu", i, k);
            REQUIRE(zsl_span(x, i) == k + 1 - r, "span at level %d before node %zu", i, k);
            sum += zsl_span(x, i);
            r = k + 1;
            x = nodes[k];
        }
        REQUIRE(x->fwd[i] == NULL, "level %d does not end", i);
        REQUIRE(zsl_span(x, i) == n + 1 - r, "span to the end at level %d", i);
        REQUIRE(sum + zsl_span(x, i) == n + 1, "spans of level %d sum", i);
    }
    free(nodes);
}

static void check_zsl_if(struct tzset *z)
{
    if (tzset_skiplist(z))
        check_zsl(tzset_skiplist(z));
}

static void check_elem(const struct tzset_elem *e, const struct melem *m, size_t pos)
{
    const struct member *mb = &members[m->id];
    REQUIRE(e->len == mb->len && memcmp(e->m, mb->m, e->len) == 0, "member at %zu", pos);
    REQUIRE(e->score == m->score, "score at %zu: %g vs %g", pos, e->score, m->score);
}

/* The set equals the model: both directions, every lookup, every rank. */
static void check_same(struct tzset *z)
{
    struct tzset_iter it;
    struct tzset_elem e;
    size_t i = 0;

    if (tzset_skiplist(z))
        check_zsl(tzset_skiplist(z));
    REQUIRE(tzset_len(z) == mcount, "len %zu vs model %zu", tzset_len(z), mcount);
    tzset_iter_rank(z, &it, 0, false);
    while (tzset_iter_next(&it, &e)) {
        REQUIRE(i < mcount, "too many elements");
        check_elem(&e, &model[i], i);
        i++;
    }
    REQUIRE(i == mcount, "forward walk %zu of %zu", i, mcount);
    tzset_iter_rank(z, &it, 0, true);
    while (tzset_iter_next(&it, &e)) {
        REQUIRE(i > 0, "too many elements backwards");
        i--;
        check_elem(&e, &model[i], i);
    }
    REQUIRE(i == 0, "backward walk");
    for (int id = 0; id < NMEMBERS; id++) {
        long at = model_find(id);
        size_t rank, rrank;
        double s;
        bool found = tzset_rank(z, members[id].m, members[id].len, false, &rank, &s);
        REQUIRE(found == (at >= 0), "membership of %d", id);
        REQUIRE(tzset_score(z, members[id].m, members[id].len, &s) == found, "score lookup of %d", id);
        if (!found)
            continue;
        REQUIRE(rank == (size_t)at && s == model[at].score, "rank of %d: %zu vs %ld", id, rank, at);
        tzset_rank(z, members[id].m, members[id].len, true, &rrank, NULL);
        REQUIRE(rrank == mcount - 1 - (size_t)at, "reverse rank of %d", id);
    }
    if (mcount) {
        REQUIRE(tzset_peek(z, false, &e), "peek min");
        check_elem(&e, &model[0], 0);
        REQUIRE(tzset_peek(z, true, &e), "peek max");
        check_elem(&e, &model[mcount - 1], mcount - 1);
    } else {
        REQUIRE(!tzset_peek(z, false, &e), "peek on empty");
    }
}

static void model_reset(void) { mcount = 0; }

/* ---- range helpers ------------------------------------------------------- */

static struct zsl_srange random_srange(void)
{
    struct zsl_srange r;
    r.min = score_pool[rnd_below(NSCORES)];
    r.max = rnd_below(4) ? score_pool[rnd_below(NSCORES)] : r.min;
    r.minex = rnd_below(3) == 0;
    r.maxex = rnd_below(3) == 0;
    return r;
}

static bool in_srange(double s, const struct zsl_srange *r)
{
    return zsl_score_gte_min(s, r) && zsl_score_lte_max(s, r);
}

static struct zsl_lrange random_lrange(void)
{
    struct zsl_lrange r;
    struct zsl_lbound *b[2] = { &r.min, &r.max };
    for (int k = 0; k < 2; k++) {
        int kind = (int)rnd_below(6);
        const struct member *mb = &members[rnd_below(NMEMBERS)];
        b[k]->kind = kind >= 4 ? (k == 0 ? ZLEX_MIN : ZLEX_MAX) : kind % 2 ? ZLEX_EXCL : ZLEX_INCL;
        if (kind == 5)
            b[k]->kind = k == 0 ? ZLEX_MAX : ZLEX_MIN;   /* the odd ways round */
        b[k]->p = mb->m;
        b[k]->len = mb->len;
    }
    return r;
}

static bool in_lrange(int id, const struct zsl_lrange *r)
{
    return zsl_lex_gte_min(members[id].m, members[id].len, r) && zsl_lex_lte_max(members[id].m, members[id].len, r);
}

/* Iterating a score range both ways gives the model's elements in it. */
static void check_srange(struct tzset *z, const struct zsl_srange *r)
{
    size_t expect = 0, got = 0, first = SIZE_MAX, last = 0;
    struct tzset_iter it;
    struct tzset_elem e;

    for (size_t i = 0; i < mcount; i++)
        if (in_srange(model[i].score, r)) {
            if (first == SIZE_MAX)
                first = i;
            last = i;
            expect++;
        }
    REQUIRE(tzset_count_score(z, r) == expect, "count_score %zu vs %zu", tzset_count_score(z, r), expect);
    REQUIRE(tzset_iter_score(z, &it, r, false) == (expect > 0), "iter_score start");
    while (tzset_iter_next(&it, &e))
        check_elem(&e, &model[first + got], first + got), got++;
    REQUIRE(got == expect, "forward score range %zu vs %zu", got, expect);
    got = 0;
    REQUIRE(tzset_iter_score(z, &it, r, true) == (expect > 0), "rev iter_score start");
    while (tzset_iter_next(&it, &e))
        check_elem(&e, &model[last - got], last - got), got++;
    REQUIRE(got == expect, "reverse score range %zu vs %zu", got, expect);
}

static void check_lrange(struct tzset *z, const struct zsl_lrange *r)
{
    size_t expect = 0, got = 0, first = SIZE_MAX, last = 0;
    struct tzset_iter it;
    struct tzset_elem e;

    for (size_t i = 0; i < mcount; i++)
        if (in_lrange(model[i].id, r)) {
            if (first == SIZE_MAX)
                first = i;
            last = i;
            expect++;
        }
    REQUIRE(tzset_count_lex(z, r) == expect, "count_lex %zu vs %zu", tzset_count_lex(z, r), expect);
    tzset_iter_lex(z, &it, r, false);
    while (tzset_iter_next(&it, &e))
        check_elem(&e, &model[first + got], first + got), got++;
    REQUIRE(got == expect, "forward lex range %zu vs %zu", got, expect);
    got = 0;
    tzset_iter_lex(z, &it, r, true);
    while (tzset_iter_next(&it, &e))
        check_elem(&e, &model[last - got], last - got), got++;
    REQUIRE(got == expect, "reverse lex range %zu vs %zu", got, expect);
}

/* ---- random operations --------------------------------------------------- */

static unsigned random_flags(void)
{
    static const unsigned combos[] = { 0, TZ_ADD_NX, TZ_ADD_XX, TZ_ADD_GT, TZ_ADD_LT, TZ_ADD_XX | TZ_ADD_GT,
                                       TZ_ADD_XX | TZ_ADD_LT, 0, 0, 0 };
    unsigned f = combos[rnd_below(sizeof(combos) / sizeof(combos[0]))];
    if (rnd_below(4) == 0)
        f |= TZ_ADD_INCR;
    return f;
}

/* Expected encoding: a pack until an add of a new member breaks a limit. */
struct enc_track {
    bool skiplist;
};

static void step_add(struct tzset *z, const struct tzset_limits *lim, struct enc_track *et, double fixed_score,
                     bool use_fixed)
{
    int id = (int)rnd_below(NMEMBERS);
    double score = use_fixed ? fixed_score : score_pool[rnd_below(NSCORES)], got = 0, want = 0;
    unsigned flags = use_fixed ? (rnd_below(2) ? TZ_ADD_NX : 0) : random_flags();
    bool is_new = model_find(id) < 0;
    enum tzset_add_result r1 = model_add(id, score, flags, &want);
    enum tzset_add_result r2 = tzset_add(z, members[id].m, members[id].len, score, flags, lim, &got);

    REQUIRE(r1 == r2, "add result %d vs model %d (member %d flags %u)", r2, r1, id, flags);
    if (r1 != TZ_SKIPPED && r1 != TZ_NAN)
        REQUIRE(got == want, "new score %g vs %g", got, want);
    if (is_new && r1 == TZ_ADDED && (mcount > lim->max_entries || members[id].len > lim->max_value))
        et->skiplist = true;
    REQUIRE(tzset_encoding(z) == (et->skiplist ? KV_ENC_SKIPLIST : KV_ENC_LISTPACK), "encoding after add");
}

static void step_pop(struct tzset *z)
{
    bool max = rnd_below(2);
    struct tzset_elem e;
    if (!mcount) {
        REQUIRE(!tzset_peek(z, max, &e), "peek on empty");
        return;
    }
    REQUIRE(tzset_peek(z, max, &e), "peek");
    check_elem(&e, &model[max ? mcount - 1 : 0], 0);
    tzset_delete_rank(z, max ? mcount - 1 : 0, max ? mcount - 1 : 0);
    model_remove_at(max ? mcount - 1 : 0);
}

static void step_delete_rank(struct tzset *z)
{
    size_t start, end;
    if (!mcount)
        return;
    start = rnd_below(mcount);
    end = start + rnd_below(rnd_below(4) ? 3 : mcount - start);
    if (end >= mcount)
        end = mcount - 1;
    REQUIRE(tzset_delete_rank(z, start, end) == end - start + 1, "delete_rank count");
    for (size_t i = end + 1; i-- > start;)
        model_remove_at(i);
}

static void step_delete_score(struct tzset *z)
{
    struct zsl_srange r = random_srange();
    size_t expect = 0;
    for (size_t i = mcount; i-- > 0;)
        if (in_srange(model[i].score, &r)) {
            model_remove_at(i);
            expect++;
        }
    REQUIRE(tzset_delete_score(z, &r) == expect, "delete_score count");
}

static void step_delete_lex(struct tzset *z)
{
    struct zsl_lrange r = random_lrange();
    size_t expect = 0;
    for (size_t i = mcount; i-- > 0;)
        if (in_lrange(model[i].id, &r)) {
            model_remove_at(i);
            expect++;
        }
    REQUIRE(tzset_delete_lex(z, &r) == expect, "delete_lex count");
}

static void step_remove(struct tzset *z)
{
    int id = (int)rnd_below(NMEMBERS);
    long at = model_find(id);
    REQUIRE(tzset_remove(z, members[id].m, members[id].len) == (at >= 0), "remove result");
    if (at >= 0)
        model_remove_at((size_t)at);
}

/* Mixed scores: adds with every flag combination, removals, pops, rank and
 * score range deletions, range queries. */
static void run_random(const struct tzset_limits *lim, uint64_t seed, int steps)
{
    struct enc_track et = { false };
    struct tzset *z = tzset_new(lim, 0);
    init_members();
    model_reset();
    rng_state = seed;
    et.skiplist = tzset_encoding(z) == KV_ENC_SKIPLIST;
    REQUIRE(et.skiplist == (lim->max_entries == 0), "initial encoding");
    for (int s = 0; s < steps; s++) {
        size_t op = rnd_below(20);
        if (op < 10)
            step_add(z, lim, &et, 0, false);
        else if (op < 13)
            step_remove(z);
        else if (op < 15)
            step_pop(z);
        else if (op == 15)
            step_delete_rank(z);
        else if (op == 16)
            step_delete_score(z);
        else {
            struct zsl_srange r = random_srange();
            check_srange(z, &r);
        }
        check_same(z);
    }
    tzset_free(z);
}

START_TEST(test_random_pack)
{
    run_random(&DEFAULT_LIM, 0x1234 + (uint64_t)_i, 3000);
}
END_TEST

START_TEST(test_random_converting)
{
    struct tzset_limits lim = { 6, 8 };   /* converts early, by count or by length */
    run_random(&lim, 0xabcdef + (uint64_t)_i, 3000);
}
END_TEST

START_TEST(test_random_skiplist)
{
    struct tzset_limits lim = { 0, 64 };
    run_random(&lim, 0x777 + (uint64_t)_i, 3000);
}
END_TEST

/* Lexicographic operations need equal scores (as in Redis, lex ranges are
 * defined only then). */
START_TEST(test_random_lex)
{
    struct tzset_limits lims[] = { { 128, 128 }, { 0, 64 }, { 10, 128 } };
    const struct tzset_limits *lim = &lims[_i % 3];
    struct enc_track et = { false };
    struct tzset *z = tzset_new(lim, 0);
    init_members();
    model_reset();
    rng_state = 0x5eed + (uint64_t)_i;
    et.skiplist = lim->max_entries == 0;
    for (int s = 0; s < 3000; s++) {
        size_t op = rnd_below(10);
        if (op < 5) {
            step_add(z, lim, &et, 5, true);
        } else if (op == 5) {
            step_remove(z);
        } else if (op == 6) {
            step_delete_lex(z);
        } else {
            struct zsl_lrange r = random_lrange();
            check_lrange(z, &r);
        }
        check_same(z);
    }
    tzset_free(z);
}
END_TEST

/* ---- focused cases ------------------------------------------------------- */

static void add_ok(struct tzset *z, const char *m, double score, const struct tzset_limits *lim)
{
    enum tzset_add_result r = tzset_add(z, m, strlen(m), score, 0, lim, NULL);
    REQUIRE(r == TZ_ADDED || r == TZ_UPDATED || r == TZ_UNCHANGED, "add %s", m);
}

START_TEST(test_conversion_thresholds)
{
    struct tzset_limits lim = { 3, 5 };
    struct tzset *z = tzset_new(&lim, 5);
    char long6[] = "abcdef";

    ck_assert_int_eq(tzset_encoding(z), KV_ENC_LISTPACK);
    add_ok(z, "a", 1, &lim);
    add_ok(z, "b", 2, &lim);
    add_ok(z, "abcde", 3, &lim);   /* exactly max_value: stays */
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_LISTPACK);
    add_ok(z, "a", 10, &lim);      /* update at the limit: stays */
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_LISTPACK);
    ck_assert_int_eq(tzset_add(z, "d", 1, 4, TZ_ADD_XX, &lim, NULL), TZ_SKIPPED);
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_LISTPACK);
    add_ok(z, "d", 4, &lim);       /* a 4th member: converts */
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_SKIPLIST);
    tzset_remove(z, "d", 1);
    tzset_remove(z, "a", 1);
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_SKIPLIST);   /* never back */
    tzset_free(z);

    z = tzset_new(&lim, 0);
    ck_assert_int_eq(tzset_add(z, long6, 6, 1, TZ_ADD_XX, &lim, NULL), TZ_SKIPPED);
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_LISTPACK);
    add_ok(z, long6, 1, &lim);     /* too long: converts */
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_SKIPLIST);
    tzset_free(z);

    z = tzset_new(&lim, 6);        /* created for a long first member */
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_SKIPLIST);
    tzset_free(z);
    lim.max_entries = 0;
    z = tzset_new(&lim, 0);
    ck_assert_int_eq(tzset_encoding(z), KV_ENC_SKIPLIST);
    tzset_free(z);
}
END_TEST

START_TEST(test_ties_and_infinities)
{
    for (int enc = 0; enc < 2; enc++) {
        struct tzset_limits lim = { enc ? 0 : 128, 64 };
        struct tzset *z = tzset_new(&lim, 0);
        struct tzset_iter it;
        struct tzset_elem e;
        const char *order[] = { "x", "a", "", "ab", "b", "\xff", "y" };
        size_t i = 0;
        double s;

        tzset_add(z, "y", 1, INFINITY, 0, &lim, NULL);
        tzset_add(z, "x", 1, -INFINITY, 0, &lim, NULL);
        tzset_add(z, "b", 1, 1, 0, &lim, NULL);
        tzset_add(z, "\xff", 1, 1, 0, &lim, NULL);
        tzset_add(z, "ab", 2, 1, 0, &lim, NULL);
        tzset_add(z, "a", 1, 0.5, 0, &lim, NULL);
        tzset_add(z, "", 0, 1, 0, &lim, NULL);
        tzset_iter_rank(z, &it, 0, false);
        while (tzset_iter_next(&it, &e)) {
            ck_assert_uint_eq(e.len, strlen(order[i]));
            ck_assert(memcmp(e.m, order[i], e.len) == 0);
            i++;
        }
        ck_assert_uint_eq(i, 7);
        /* inf + -inf is NaN: refused, nothing changes */
        ck_assert_int_eq(tzset_add(z, "y", 1, -INFINITY, TZ_ADD_INCR, &lim, &s), TZ_NAN);
        ck_assert(tzset_score(z, "y", 1, &s) && isinf(s) && s > 0);
        ck_assert_int_eq(tzset_add(z, "y", 1, 5, TZ_ADD_INCR, &lim, &s), TZ_UNCHANGED);
        ck_assert(isinf(s));
        /* exclusive bounds at the infinities */
        {
            struct zsl_srange r = { -INFINITY, INFINITY, true, true };
            ck_assert_uint_eq(tzset_count_score(z, &r), 5);
            r.minex = false;
            ck_assert_uint_eq(tzset_count_score(z, &r), 6);
            r = (struct zsl_srange){ 1, 1, false, false };
            ck_assert_uint_eq(tzset_count_score(z, &r), 4);
            r.maxex = true;
            ck_assert_uint_eq(tzset_count_score(z, &r), 0);
            r = (struct zsl_srange){ 0.5, 1, true, false };
            ck_assert_uint_eq(tzset_count_score(z, &r), 4);
        }
        check_zsl_if(z);
        tzset_free(z);
    }
}
END_TEST

START_TEST(test_parse_ranges)
{
    struct zsl_srange s;
    struct zsl_lrange l;

    ck_assert(zsl_srange_parse("(1", 2, "2.5", 3, &s) && s.minex && !s.maxex && s.min == 1 && s.max == 2.5);
    ck_assert(zsl_srange_parse("", 0, " 1", 2, &s) && s.min == 0 && s.max == 1);
    ck_assert(zsl_srange_parse("(", 1, "1e400", 5, &s) && s.minex && s.min == 0 && isinf(s.max));
    ck_assert(zsl_srange_parse("-inf", 4, "+inf", 4, &s) && isinf(s.min) && s.min < 0);
    ck_assert(zsl_srange_parse("1\0junk", 6, "0x10", 4, &s) && s.min == 1 && s.max == 16);
    ck_assert(!zsl_srange_parse("1 ", 2, "2", 1, &s));
    ck_assert(!zsl_srange_parse("nan", 3, "2", 1, &s));
    ck_assert(!zsl_srange_parse("1", 1, "(nan", 4, &s));
    ck_assert(!zsl_srange_parse("((1", 3, "2", 1, &s));
    ck_assert(!zsl_srange_parse("[1", 2, "2", 1, &s));
    ck_assert(!zsl_srange_parse(" ", 1, "2", 1, &s));

    ck_assert(zsl_lrange_parse("-", 1, "+", 1, &l) && l.min.kind == ZLEX_MIN && l.max.kind == ZLEX_MAX);
    ck_assert(zsl_lrange_parse("[a", 2, "(b\0c", 4, &l) && l.min.kind == ZLEX_INCL && l.max.kind == ZLEX_EXCL);
    ck_assert(l.min.len == 1 && l.max.len == 3 && memcmp(l.max.p, "b\0c", 3) == 0);
    ck_assert(zsl_lrange_parse("+\0x", 3, "[", 1, &l) && l.min.kind == ZLEX_MAX && l.max.len == 0);
    ck_assert(!zsl_lrange_parse("a", 1, "+", 1, &l));
    ck_assert(!zsl_lrange_parse("", 0, "+", 1, &l));
    ck_assert(!zsl_lrange_parse("-", 1, "+x", 2, &l));

    ck_assert(zsl_lrange_parse("+", 1, "-", 1, &l) && zsl_lrange_empty(&l));
    ck_assert(zsl_lrange_parse("-", 1, "-", 1, &l) && !zsl_lrange_empty(&l));
    ck_assert(zsl_lrange_parse("(a", 2, "[a", 2, &l) && zsl_lrange_empty(&l));
    ck_assert(zsl_lrange_parse("[a", 2, "[a", 2, &l) && !zsl_lrange_empty(&l));
    ck_assert(zsl_lrange_parse("[b", 2, "[a", 2, &l) && zsl_lrange_empty(&l));
    ck_assert(zsl_srange_parse("2", 1, "1", 1, &s) && zsl_srange_empty(&s));
    ck_assert(zsl_srange_parse("1", 1, "(1", 2, &s) && zsl_srange_empty(&s));
}
END_TEST

/* Fills a set with n members "m<i>" scored i % 7 (many ties). */
static struct tzset *filled(const struct tzset_limits *lim, int n)
{
    struct tzset *z = tzset_new(lim, 0);
    char buf[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof(buf), "m%d", i);
        tzset_add(z, buf, (size_t)len, i % 7, 0, lim, NULL);
    }
    return z;
}

static bool same_sets(struct tzset *a, struct tzset *b)
{
    struct tzset_iter ia, ib;
    struct tzset_elem ea, eb;
    bool more;
    tzset_iter_rank(a, &ia, 0, false);
    tzset_iter_rank(b, &ib, 0, false);
    while ((more = tzset_iter_next(&ia, &ea))) {
        if (!tzset_iter_next(&ib, &eb) || ea.len != eb.len || memcmp(ea.m, eb.m, ea.len) || ea.score != eb.score)
            return false;
    }
    return !tzset_iter_next(&ib, &eb);
}

START_TEST(test_dup)
{
    struct tzset_limits lims[] = { { 128, 64 }, { 10, 64 } };
    for (int k = 0; k < 2; k++) {
        struct tzset *z = filled(&lims[k], 200), *d = tzset_dup(z);
        ck_assert_int_eq(tzset_encoding(z), tzset_encoding(d));
        ck_assert(same_sets(z, d));
        check_zsl_if(d);
        tzset_remove(z, "m3", 2);
        ck_assert(!same_sets(z, d));
        tzset_free(z);
        tzset_free(d);
    }
}
END_TEST

struct collect {
    size_t n;
    unsigned char seen[4000];
    size_t dups;
};

static void collect_elem(const struct tzset_elem *e, void *arg)
{
    struct collect *c = arg;
    long long id;
    REQUIRE(e->len > 1 && nf_str2ll(e->m + 1, e->len - 1, &id), "odd member");
    if (c->seen[id])
        c->dups++;
    c->seen[id] = 1;
    c->n++;
}

START_TEST(test_scan)
{
    struct tzset_limits small = { 128, 64 }, big = { 16, 64 };
    struct tzset *z = filled(&small, 100);
    struct collect c;
    uint64_t cur = 0;
    char buf[NF_D_BUFSIZE];

    memset(&c, 0, sizeof(c));
    ck_assert_uint_eq(tzset_scan(z, 0, collect_elem, &c), 0);   /* a pack: whole, cursor 0 */
    ck_assert_uint_eq(c.n, 100);
    tzset_free(z);

    z = filled(&big, 3000);
    memset(&c, 0, sizeof(c));
    do
        cur = tzset_scan(z, cur, collect_elem, &c);
    while (cur != 0);
    for (int i = 0; i < 3000; i++)
        ck_assert(c.seen[i]);
    ck_assert_uint_eq(c.n - c.dups, 3000);
    tzset_scan_score_str(z, 1e17, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1e+17");
    tzset_free(z);
    z = filled(&small, 3);
    tzset_scan_score_str(z, 1e17, buf, sizeof(buf));
    ck_assert_str_eq(buf, "100000000000000000");
    tzset_free(z);
}
END_TEST

static void sample_elem(const struct tzset_elem *e, void *arg)
{
    collect_elem(e, arg);
}

START_TEST(test_sample)
{
    struct tzset_limits lims[] = { { 128, 64 }, { 0, 64 } };
    rng_state = 42;
    for (int k = 0; k < 2; k++) {
        struct tzset *z = filled(&lims[k], 90);
        size_t counts[] = { 1, 5, 29, 31, 60, 89, 90, 200 };
        for (size_t j = 0; j < sizeof(counts) / sizeof(counts[0]); j++) {
            struct collect c;
            memset(&c, 0, sizeof(c));
            tzset_sample(z, counts[j], true, rnd, NULL, sample_elem, &c);
            ck_assert_uint_eq(c.n, counts[j] < 90 ? counts[j] : 90);
            ck_assert_uint_eq(c.dups, 0);
        }
        {
            struct collect c;
            memset(&c, 0, sizeof(c));
            tzset_sample(z, 2000, false, rnd, NULL, sample_elem, &c);
            ck_assert_uint_eq(c.n, 2000);
            ck_assert_uint_gt(c.dups, 0);
            for (int i = 0; i < 90; i++)   /* 2000 draws over 90: every one shows up */
                ck_assert(c.seen[i]);
        }
        tzset_free(z);
    }
}
END_TEST

START_TEST(test_accumulate)
{
    struct tzset_limits lims[] = { { 128, 64 }, { 50, 64 }, { 128, 2 } };
    for (int k = 0; k < 3; k++) {
        struct tzset *z = tzset_new_skiplist(), *ref = tzset_new(&(struct tzset_limits){ 0, 64 }, 0);
        char buf[32];
        for (int i = 0; i < 300; i++) {
            int id = (i * 37) % 90, len = snprintf(buf, sizeof(buf), "m%d", id);
            bool created;
            double *slot = tzset_acc(z, buf, (size_t)len, &created);
            double cur = 0;
            bool had = tzset_score(ref, buf, (size_t)len, &cur);
            ck_assert(created == !had);
            *slot += i % 5;
            tzset_add(ref, buf, (size_t)len, cur + i % 5, 0, &lims[0], NULL);
        }
        ck_assert_uint_eq(tzset_len(z), 90);
        tzset_acc_done(z, &lims[k]);
        ck_assert_int_eq(tzset_encoding(z), k == 0 ? KV_ENC_LISTPACK : KV_ENC_SKIPLIST);
        check_zsl_if(z);
        ck_assert(same_sets(z, ref));
        tzset_free(z);
        tzset_free(ref);
    }
}
END_TEST

START_TEST(test_delete_rank_edges)
{
    struct tzset_limits lims[] = { { 128, 64 }, { 0, 64 } };
    for (int k = 0; k < 2; k++) {
        struct tzset *z = filled(&lims[k], 100);
        struct tzset_elem e;
        ck_assert_uint_eq(tzset_delete_rank(z, 0, 0), 1);
        ck_assert_uint_eq(tzset_delete_rank(z, 98, 98), 1);
        ck_assert_uint_eq(tzset_delete_rank(z, 10, 59), 50);
        ck_assert_uint_eq(tzset_len(z), 48);
        check_zsl_if(z);
        ck_assert_uint_eq(tzset_delete_rank(z, 0, 47), 48);
        ck_assert_uint_eq(tzset_len(z), 0);
        ck_assert(!tzset_peek(z, true, &e));
        check_zsl_if(z);
        tzset_free(z);
    }
}
END_TEST

/* The memory budget of the design comment: job:%08d members with
 * millisecond scores, counted as the allocator's usable size plus an
 * 8-byte chunk header, plus the index's buckets. */
START_TEST(test_memory_per_member)
{
    struct tzset_limits lim = { 128, 64 };
    struct tzset *z = tzset_new(&lim, 0);
    const struct zsl *zsl;
    size_t bytes = 0, n = 200000;
    char buf[32];

    for (size_t i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof(buf), "job:%08zu", i);
        tzset_add(z, buf, (size_t)len, 1700000000000.0 + (double)(i * 7919 % n), 0, &lim, NULL);
    }
    zsl = tzset_skiplist(z);
    ck_assert_ptr_nonnull(zsl);
    ck_assert_uint_eq(sizeof(struct zsl_node), 32);
    for (const struct zsl_node *x = zsl->header->fwd[0]; x; x = x->fwd[0])
        bytes += malloc_usable_size((void *)x) + 8;
    bytes += dict_mem_usage(zsl->dict);
    REQUIRE(bytes / n <= 84, "%zu bytes per member", bytes / n);
    tzset_free(z);
}
END_TEST

static Suite *zset_suite(void)
{
    Suite *s = suite_create("t_zset");
    TCase *basic = tcase_create("basic");
    TCase *random = tcase_create("random");

    tcase_add_test(basic, test_conversion_thresholds);
    tcase_add_test(basic, test_ties_and_infinities);
    tcase_add_test(basic, test_parse_ranges);
    tcase_add_test(basic, test_dup);
    tcase_add_test(basic, test_scan);
    tcase_add_test(basic, test_sample);
    tcase_add_test(basic, test_accumulate);
    tcase_add_test(basic, test_delete_rank_edges);
    tcase_add_test(basic, test_memory_per_member);
    tcase_set_timeout(basic, 60);
    suite_add_tcase(s, basic);

    tcase_set_timeout(random, 120);
    tcase_add_loop_test(random, test_random_pack, 0, 3);
    tcase_add_loop_test(random, test_random_converting, 0, 3);
    tcase_add_loop_test(random, test_random_skiplist, 0, 3);
    tcase_add_loop_test(random, test_random_lex, 0, 6);
    suite_add_tcase(s, random);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(zset_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
