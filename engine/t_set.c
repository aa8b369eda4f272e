/*
 * t_set: the set type's two encodings and the operations on them (see
 * t_set.h for the encoding rules).
 *
 * Data structures
 *   struct tset is a small header: the encoding, and either
 *     - intset: `ints`, a malloc'd array of `len` integers of `width` bytes
 *       each (2, 4 or 8), native byte order, strictly ascending. The array is
 *       resized to its exact size on every change (as Redis' intset; the
 *       allocator's size classes make most of those reallocs free);
 *     - hashtable: `d`, an engine/dict of struct snode, one allocation per
 *       member: dict_node, uint32 length, then the bytes (no NUL).
 *
 * Invariants
 *   - intset: len == 0 <=> ints == NULL; every element fits `width`, and
 *     width never decreases while the set lives (a rebuilt set may be
 *     narrower, see compact_ints);
 *   - hashtable: members are distinct byte strings of at most UINT32_MAX
 *     bytes; the encoding never goes back to intset, except where Redis
 *     rebuilds a set: SPOP taking most of the set (see pop_sweep).
 *
 * Ownership: the set owns its array or its table and every node.
 *
 * Random choices (SPOP, SRANDMEMBER) follow Redis' strategies only as far as
 * they matter for what is observable: which members are chosen is uniformly
 * random (one member: dict_fair_random; selection sampling, Knuth's
 * algorithm S, when a large share of the set is wanted), and the encoding after SPOP with a count is the one Redis'
 * "rebuild from the survivors" path produces (which can turn a hashtable of
 * integers back into an intset).
 */
#include "engine/t_set.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { ENC_INTSET, ENC_HT };

struct tset {
    uint8_t enc;
    uint8_t width;   /* intset: bytes per element */
    uint32_t len;    /* intset: element count */
    union {
        void *ints;
        struct dict *d;
    } u;
};

struct snode {
    struct dict_node node;   /* first: a node pointer is an snode pointer */
    uint32_t len;
    char data[];
};

#define SNODE_HDR offsetof(struct snode, data)

/* Redis' SPOP / SRANDMEMBER strategy thresholds. */
#define SPOP_MOVE_MUL 5
#define SRANDMEMBER_SUB_MUL 3

static void snode_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct snode *s = (const struct snode *)n;
    *key = s->data;
    *len = s->len;
}

static const struct dict_type snode_type = { snode_key };

static struct snode *snode_new(const char *p, size_t len)
{
    struct snode *n;
    if (len > UINT32_MAX)
        abort();   /* larger than any bulk string the server accepts */
    n = kv_xmalloc(SNODE_HDR + len);
    n->node.next = NULL;
    n->len = (uint32_t)len;
    if (len)
        memcpy(n->data, p, len);
    return n;
}

static void snode_free(struct dict_node *n, void *arg)
{
    (void)arg;
    free(n);
}

/* ---- intset --------------------------------------------------------------- */

static uint8_t width_for(long long v)
{
    if (v >= INT16_MIN && v <= INT16_MAX)
        return 2;
    if (v >= INT32_MIN && v <= INT32_MAX)
        return 4;
    return 8;
}

static long long get_w(const void *ints, uint8_t width, size_t i)
{
    switch (width) {
    case 2: return ((const int16_t *)ints)[i];
    case 4: return ((const int32_t *)ints)[i];
    default: return ((const int64_t *)ints)[i];
    }
}

static void set_w(void *ints, uint8_t width, size_t i, long long v)
{
    switch (width) {
    case 2: ((int16_t *)ints)[i] = (int16_t)v; break;
    case 4: ((int32_t *)ints)[i] = (int32_t)v; break;
    default: ((int64_t *)ints)[i] = (int64_t)v; break;
    }
}

static long long is_get(const struct tset *s, size_t i) { return get_w(s->u.ints, s->width, i); }

/* Resizes the array to exactly n elements of the current width. */
static void is_resize(struct tset *s, size_t n)
{
    if (n == 0) {
        free(s->u.ints);
        s->u.ints = NULL;
    } else {
        s->u.ints = kv_xrealloc(s->u.ints, n * s->width);
    }
}

/* Binary search: true if v is present; *pos gets its index or the index it
 * would be inserted at. */
static bool is_search(const struct tset *s, long long v, size_t *pos)
{
    size_t lo = 0, hi = s->len;
    if (s->len == 0 || v > is_get(s, s->len - 1)) {
        *pos = s->len;
        return false;
    }
    if (v < is_get(s, 0)) {
        *pos = 0;
        return false;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        long long cur = is_get(s, mid);
        if (cur == v) {
            *pos = mid;
            return true;
        }
        if (cur < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return false;
}

/* Adds v, which needs a wider element than the set has: it is below or above
 * every member, so it goes first or last. Widens from the back, in place. */
static void is_upgrade_add(struct tset *s, long long v)
{
    uint8_t old = s->width;
    size_t prepend = v < 0 ? 1 : 0;
    s->width = width_for(v);
    s->u.ints = kv_xrealloc(s->u.ints, ((size_t)s->len + 1) * s->width);
    for (size_t i = s->len; i-- > 0;)
        set_w(s->u.ints, s->width, i + prepend, get_w(s->u.ints, old, i));
    set_w(s->u.ints, s->width, prepend ? 0 : s->len, v);
    s->len++;
}

static bool is_add(struct tset *s, long long v)
{
    size_t pos;
    char *base;
    if (width_for(v) > s->width) {
        is_upgrade_add(s, v);
        return true;
    }
    if (is_search(s, v, &pos))
        return false;
    is_resize(s, (size_t)s->len + 1);
    base = s->u.ints;
    memmove(base + (pos + 1) * s->width, base + pos * s->width, (s->len - pos) * s->width);
    set_w(s->u.ints, s->width, pos, v);
    s->len++;
    return true;
}

static void is_delete_at(struct tset *s, size_t pos)
{
    char *base = s->u.ints;
    memmove(base + pos * s->width, base + (pos + 1) * s->width, (s->len - pos - 1) * s->width);
    s->len--;
    is_resize(s, s->len);
}

static bool is_contains(const struct tset *s, long long v)
{
    size_t pos;
    return width_for(v) <= s->width && is_search(s, v, &pos);
}

/* Rewrites the array with the narrowest width that holds its members (what
 * a set rebuilt member by member would have). */
static void compact_ints(struct tset *s)
{
    uint8_t w;
    if (s->len == 0) {
        s->width = 2;
        return;
    }
    w = width_for(is_get(s, 0));
    if (width_for(is_get(s, s->len - 1)) > w)
        w = width_for(is_get(s, s->len - 1));
    if (w == s->width)
        return;
    for (size_t i = 0; i < s->len; i++)   /* narrowing: front to back is safe */
        set_w(s->u.ints, w, i, is_get(s, i));
    s->width = w;
    is_resize(s, s->len);
}

/* ---- hashtable ------------------------------------------------------------ */

static bool ht_add(struct tset *s, const char *p, size_t len)
{
    if (dict_find(s->u.d, p, len))
        return false;
    dict_insert(s->u.d, &snode_new(p, len)->node);
    return true;
}

static void to_hashtable(struct tset *s)
{
    struct dict *d = dict_create(&snode_type);
    char buf[NF_LL_BUFSIZE];
    for (size_t i = 0; i < s->len; i++) {
        int n = nf_ll2str(buf, sizeof(buf), is_get(s, i));
        dict_insert(d, &snode_new(buf, (size_t)n)->node);
    }
    free(s->u.ints);
    s->enc = ENC_HT;
    s->width = 0;
    s->len = 0;
    s->u.d = d;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Turns a hashtable whose members are all integers back into an intset: only
 * for SPOP's rebuild of the survivors, which Redis makes a new set of (an
 * intset when they allow it). Leaves the set alone otherwise. */
static void try_intset(struct tset *s)
{
    size_t n = dict_size(s->u.d), i = 0;
    long long *vals = kv_xmalloc((n ? n : 1) * sizeof(*vals));
    struct dict_iter it;
    struct dict_node *node;
    bool ok = true;
    dict_iter_init(&it, s->u.d);
    while (ok && (node = dict_iter_next(&it))) {
        const struct snode *sn = (const struct snode *)node;
        ok = nf_str2ll(sn->data, sn->len, &vals[i++]);
    }
    dict_iter_deinit(&it);
    if (ok && n > 0) {
        qsort(vals, n, sizeof(*vals), cmp_ll);
        dict_clear(s->u.d, snode_free, NULL);
        dict_destroy(s->u.d);
        s->enc = ENC_INTSET;
        s->width = width_for(vals[0]) > width_for(vals[n - 1]) ? width_for(vals[0]) : width_for(vals[n - 1]);
        s->len = (uint32_t)n;
        s->u.ints = kv_xmalloc(n * s->width);
        for (i = 0; i < n; i++)
            set_w(s->u.ints, s->width, i, vals[i]);
    }
    free(vals);
}

/* ---- basic operations ----------------------------------------------------- */

struct tset *tset_new(void)
{
    struct tset *s = kv_xmalloc(sizeof(*s));
    s->enc = ENC_INTSET;
    s->width = 2;
    s->len = 0;
    s->u.ints = NULL;
    return s;
}

void tset_free(struct tset *s)
{
    if (!s)
        return;
    if (s->enc == ENC_HT) {
        dict_clear(s->u.d, snode_free, NULL);
        dict_destroy(s->u.d);
    } else {
        free(s->u.ints);
    }
    free(s);
}

static void dup_node(struct dict_node *n, void *arg)
{
    const struct snode *sn = (const struct snode *)n;
    dict_insert(arg, &snode_new(sn->data, sn->len)->node);
}

struct tset *tset_dup(const struct tset *s)
{
    struct tset *c = tset_new();
    struct dict_iter it;
    struct dict_node *n;
    *c = *s;
    if (s->enc == ENC_INTSET) {
        c->u.ints = NULL;
        if (s->len) {
            c->u.ints = kv_xmalloc((size_t)s->len * s->width);
            memcpy(c->u.ints, s->u.ints, (size_t)s->len * s->width);
        }
        return c;
    }
    c->u.d = dict_create(&snode_type);
    /* the source is logically const: iterating only pauses its rehashing */
    dict_iter_init(&it, s->u.d);
    while ((n = dict_iter_next(&it)))
        dup_node(n, c->u.d);
    dict_iter_deinit(&it);
    return c;
}

int tset_encoding(const struct tset *s) { return s->enc == ENC_INTSET ? KV_ENC_INTSET : KV_ENC_HASHTABLE; }

size_t tset_card(const struct tset *s) { return s->enc == ENC_INTSET ? s->len : dict_size(s->u.d); }

/* Adds a member whose integer value (when `isint`) is already known. */
static bool add_member(struct tset *s, const char *p, size_t len, bool isint, long long v, size_t max_intset)
{
    if (s->enc == ENC_INTSET) {
        if (isint) {
            if (!is_add(s, v))
                return false;
            if (s->len > max_intset || s->len == UINT32_MAX)
                to_hashtable(s);
            return true;
        }
        to_hashtable(s);
    }
    return ht_add(s, p, len);
}

bool tset_add(struct tset *s, const char *p, size_t len, size_t max_intset)
{
    long long v = 0;
    bool isint = s->enc == ENC_INTSET && nf_str2ll(p, len, &v);
    return add_member(s, p, len, isint, v, max_intset);
}

bool tset_remove(struct tset *s, const char *p, size_t len)
{
    long long v;
    size_t pos;
    struct dict_node *n;
    if (s->enc == ENC_INTSET) {
        if (!nf_str2ll(p, len, &v) || width_for(v) > s->width || !is_search(s, v, &pos))
            return false;
        is_delete_at(s, pos);
        return true;
    }
    n = dict_unlink(s->u.d, p, len);
    free(n);
    return n != NULL;
}

bool tset_ismember(struct tset *s, const char *p, size_t len)
{
    long long v;
    if (s->enc == ENC_INTSET)
        return nf_str2ll(p, len, &v) && is_contains(s, v);
    return dict_find(s->u.d, p, len) != NULL;
}

/* Membership when the caller may already know the member's integer value. */
static bool has_member(struct tset *s, const char *p, size_t len, bool isint, long long v)
{
    if (s->enc == ENC_INTSET)
        return isint && is_contains(s, v);
    return dict_find(s->u.d, p, len) != NULL;
}

size_t tset_mem_usage(const struct tset *s)
{
    size_t n = sizeof(*s);
    struct dict_iter it;
    struct dict_node *node;
    if (s->enc == ENC_INTSET)
        return n + (size_t)s->len * s->width;
    n += dict_mem_usage(s->u.d);
    dict_iter_init(&it, s->u.d);
    while ((node = dict_iter_next(&it)))
        n += SNODE_HDR + ((const struct snode *)node)->len;
    dict_iter_deinit(&it);
    return n;
}

size_t tset_mem_estimate(const struct tset *s, size_t samples)
{
    size_t n = kv_alloc_size(s);
    return n + (s->enc == ENC_INTSET ? kv_alloc_size(s->u.ints) : dict_mem_estimate(s->u.d, samples));
}

/* ---- iteration ------------------------------------------------------------ */

static void view_int(struct tset_view *v, long long x)
{
    v->len = (size_t)nf_ll2str(v->num, sizeof(v->num), x);
    v->p = v->num;
}

static void view_node(struct tset_view *v, const struct dict_node *n)
{
    const struct snode *sn = (const struct snode *)n;
    v->p = sn->data;
    v->len = sn->len;
}

void tset_iter_init(struct tset_iter *it, struct tset *s)
{
    it->s = s;
    it->pos = 0;
    if (s->enc == ENC_HT)
        dict_iter_init(&it->di, s->u.d);
}

bool tset_iter_next(struct tset_iter *it, const char **p, size_t *len)
{
    struct dict_node *n;
    if (it->s->enc == ENC_INTSET) {
        if (it->pos >= it->s->len)
            return false;
        view_int(&it->v, is_get(it->s, it->pos++));
    } else {
        if (!(n = dict_iter_next(&it->di)))
            return false;
        view_node(&it->v, n);
    }
    *p = it->v.p;
    *len = it->v.len;
    return true;
}

void tset_iter_deinit(struct tset_iter *it)
{
    if (it->s->enc == ENC_HT)
        dict_iter_deinit(&it->di);
}

void tset_foreach(struct tset *s, tset_member_fn fn, void *arg)
{
    struct tset_iter it;
    const char *p;
    size_t len;
    tset_iter_init(&it, s);
    while (tset_iter_next(&it, &p, &len))
        fn(p, len, arg);
    tset_iter_deinit(&it);
}

/* ---- random members ------------------------------------------------------- */

bool tset_random(struct tset *s, tset_rnd rnd, void *rnd_arg, struct tset_view *v)
{
    struct dict_node *n;
    if (s->enc == ENC_INTSET) {
        if (s->len == 0)
            return false;
        view_int(v, is_get(s, rnd(rnd_arg) % s->len));
        return true;
    }
    if (dict_size(s->u.d) == 0)
        return false;
    n = dict_fair_random(s->u.d, rnd, rnd_arg);
    view_node(v, n);
    return true;
}

/* Selection sampling step: true with probability want / left. */
static bool pick(size_t want, size_t left, tset_rnd rnd, void *rnd_arg)
{
    return want > 0 && rnd(rnd_arg) % left < want;
}

/* Removes every member, reporting each. */
static size_t pop_all(struct tset *s, tset_member_fn fn, void *arg)
{
    size_t n = tset_card(s);
    struct dict_iter it;
    struct dict_node *node;
    if (s->enc == ENC_INTSET) {
        tset_foreach(s, fn, arg);
        is_resize(s, 0);
        s->len = 0;
        return n;
    }
    dict_iter_init(&it, s->u.d);
    while ((node = dict_iter_next(&it))) {
        const struct snode *sn = (const struct snode *)node;
        fn(sn->data, sn->len, arg);
    }
    dict_iter_deinit(&it);
    dict_clear(s->u.d, snode_free, NULL);
    return n;
}

/* Pops `count` members one random draw at a time (few wanted). */
static void pop_draws(struct tset *s, size_t count, tset_rnd rnd, void *rnd_arg, tset_member_fn fn, void *arg)
{
    struct tset_view v;
    for (; count > 0; count--) {
        if (s->enc == ENC_INTSET) {
            size_t pos = rnd(rnd_arg) % s->len;
            view_int(&v, is_get(s, pos));
            fn(v.p, v.len, arg);
            is_delete_at(s, pos);
        } else {
            struct dict_node *n = dict_fair_random(s->u.d, rnd, rnd_arg);
            view_node(&v, n);
            fn(v.p, v.len, arg);
            dict_unlink_node(s->u.d, n);
            free(n);
        }
    }
}

/* Pops `count` of the members chosen by selection sampling in one pass (most
 * of the set wanted). Redis rebuilds the survivors into a new set created
 * for its first member and grown with the usual rules, so the survivors end
 * as an intset exactly when they are all integers and at most max_intset:
 * an intset converts when over the limit, a hashtable goes back to intset. */
static void pop_sweep(struct tset *s, size_t count, size_t max_intset, tset_rnd rnd, void *rnd_arg,
                      tset_member_fn fn, void *arg)
{
    size_t n = tset_card(s), kept = 0;
    struct tset_view v;
    if (s->enc == ENC_INTSET) {
        for (size_t i = 0; i < n; i++) {
            long long x = is_get(s, i);
            if (pick(count, n - i, rnd, rnd_arg)) {
                view_int(&v, x);
                fn(v.p, v.len, arg);
                count--;
            } else {
                set_w(s->u.ints, s->width, kept++, x);
            }
        }
        s->len = (uint32_t)kept;
        is_resize(s, kept);
        compact_ints(s);
        if (s->len > max_intset)
            to_hashtable(s);
        return;
    }
    struct dict_iter it;
    struct dict_node *node;
    size_t i = 0;
    dict_iter_init(&it, s->u.d);
    while ((node = dict_iter_next(&it))) {
        if (pick(count, n - i++, rnd, rnd_arg)) {
            view_node(&v, node);
            fn(v.p, v.len, arg);
            dict_unlink_node(s->u.d, node);
            free(node);
            count--;
        }
    }
    dict_iter_deinit(&it);
    if (dict_size(s->u.d) <= max_intset)
        try_intset(s);
}

size_t tset_pop(struct tset *s, size_t count, size_t max_intset, tset_rnd rnd, void *rnd_arg,
                tset_member_fn fn, void *arg)
{
    size_t card = tset_card(s);
    if (count >= card)
        return pop_all(s, fn, arg);
    if ((card - count) * SPOP_MOVE_MUL > count)
        pop_draws(s, count, rnd, rnd_arg, fn, arg);
    else
        pop_sweep(s, count, max_intset, rnd, rnd_arg, fn, arg);
    return count;
}

/* Members already picked by tset_sample's random draws: copies, so the
 * lookup works for intset members too. */
static void sample_draws(struct tset *s, size_t count, tset_rnd rnd, void *rnd_arg, tset_member_fn fn, void *arg)
{
    struct dict *seen = dict_create(&snode_type);
    struct tset_view v;
    while (dict_size(seen) < count) {
        tset_random(s, rnd, rnd_arg, &v);
        if (dict_find(seen, v.p, v.len))
            continue;
        dict_insert(seen, &snode_new(v.p, v.len)->node);
        fn(v.p, v.len, arg);
    }
    dict_clear(seen, snode_free, NULL);
    dict_destroy(seen);
}

void tset_sample(struct tset *s, size_t count, tset_rnd rnd, void *rnd_arg, tset_member_fn fn, void *arg)
{
    size_t card = tset_card(s), i = 0;
    struct tset_iter it;
    const char *p;
    size_t len;
    if (count >= card) {
        tset_foreach(s, fn, arg);
        return;
    }
    if (count * SRANDMEMBER_SUB_MUL <= card) {
        sample_draws(s, count, rnd, rnd_arg, fn, arg);
        return;
    }
    tset_iter_init(&it, s);
    while (count > 0 && tset_iter_next(&it, &p, &len)) {
        if (pick(count, card - i++, rnd, rnd_arg)) {
            fn(p, len, arg);
            count--;
        }
    }
    tset_iter_deinit(&it);
}

/* ---- SCAN ----------------------------------------------------------------- */

struct scan_ctx {
    tset_member_fn fn;
    void *arg;
};

static void scan_node(struct dict_node *n, void *arg)
{
    const struct scan_ctx *ctx = arg;
    const struct snode *sn = (const struct snode *)n;
    ctx->fn(sn->data, sn->len, ctx->arg);
}

uint64_t tset_scan(struct tset *s, uint64_t cursor, tset_member_fn fn, void *arg)
{
    struct scan_ctx ctx = { fn, arg };
    if (s->enc == ENC_INTSET) {
        tset_foreach(s, fn, arg);
        return 0;
    }
    return dict_scan(s->u.d, cursor, scan_node, &ctx);
}

/* ---- set algebra ---------------------------------------------------------- */

struct ranked {
    struct tset *s;
    size_t card, idx;
};

static int by_card(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->card != y->card)
        return x->card < y->card ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int by_card_desc(const void *a, const void *b) { return by_card(b, a); }

/* The non-NULL sets among sets[from..n) with their sizes, sorted by cmp. */
static struct ranked *rank_sets(struct tset *const *sets, size_t from, size_t n, size_t *out_n,
                                int (*cmp)(const void *, const void *))
{
    struct ranked *r = kv_xmalloc((n > from ? n - from : 1) * sizeof(*r));
    size_t m = 0;
    for (size_t i = from; i < n; i++)
        if (sets[i])
            r[m++] = (struct ranked){ sets[i], tset_card(sets[i]), i };
    if (cmp)
        qsort(r, m, sizeof(*r), cmp);
    *out_n = m;
    return r;
}

/* True if any set but the first is an intset (members then need their
 * integer value). */
static bool any_intset(const struct ranked *r, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (r[i].s->enc == ENC_INTSET)
            return true;
    return false;
}

size_t tset_inter(struct tset *const *sets, size_t n, size_t limit, tset_member_fn fn, void *arg)
{
    size_t m, found = 0;
    struct ranked *r = rank_sets(sets, 0, n, &m, by_card);
    struct tset_iter it;
    const char *p;
    size_t len;
    if (m < n || m == 0 || r[0].card == 0) {   /* a missing set is an empty one */
        free(r);
        return 0;
    }
    bool need_int = any_intset(r, m);
    tset_iter_init(&it, r[0].s);
    while (tset_iter_next(&it, &p, &len)) {
        long long v = 0;
        bool isint = need_int && nf_str2ll(p, len, &v);
        size_t j = 1;
        while (j < m && (r[j].s == r[0].s || has_member(r[j].s, p, len, isint, v)))
            j++;
        if (j < m)
            continue;
        fn(p, len, arg);
        if (++found == limit)
            break;
    }
    tset_iter_deinit(&it);
    free(r);
    return found;
}

struct add_ctx {
    struct tset *dst;
    size_t max_intset;
};

static void add_cb(const char *p, size_t len, void *arg)
{
    struct add_ctx *a = arg;
    tset_add(a->dst, p, len, a->max_intset);
}

struct tset *tset_inter_new(struct tset *const *sets, size_t n, size_t max_intset)
{
    struct add_ctx a = { tset_new(), max_intset };
    tset_inter(sets, n, 0, add_cb, &a);
    return a.dst;
}

struct tset *tset_union(struct tset *const *sets, size_t n, size_t max_intset)
{
    struct add_ctx a = { tset_new(), max_intset };
    for (size_t i = 0; i < n; i++)
        if (sets[i])
            tset_foreach(sets[i], add_cb, &a);
    return a.dst;
}

/* Redis' SDIFF algorithm 1: each member of the first set, looked up in the
 * others (largest first). */
static void diff_lookup(struct tset *dst, struct tset *first, struct tset *const *sets, size_t n, size_t max_intset)
{
    size_t m;
    struct ranked *r = rank_sets(sets, 1, n, &m, by_card_desc);
    struct tset_iter it;
    const char *p;
    size_t len;
    tset_iter_init(&it, first);
    while (tset_iter_next(&it, &p, &len)) {
        long long v = 0;
        bool isint = nf_str2ll(p, len, &v);
        size_t j = 0;
        while (j < m && r[j].s != first && !has_member(r[j].s, p, len, isint, v))
            j++;
        if (j == m)
            add_member(dst, p, len, isint, v, max_intset);
    }
    tset_iter_deinit(&it);
    free(r);
}

static void remove_cb(const char *p, size_t len, void *arg) { tset_remove(arg, p, len); }

/* Redis' SDIFF algorithm 2: copy the first set, then remove the others'
 * members (the copy may have converted on the way, and stays converted). */
static void diff_remove(struct tset *dst, struct tset *const *sets, size_t n, size_t max_intset)
{
    struct add_ctx a = { dst, max_intset };
    tset_foreach(sets[0], add_cb, &a);
    for (size_t j = 1; j < n && tset_card(dst) > 0; j++)
        if (sets[j])
            tset_foreach(sets[j], remove_cb, dst);
}

struct tset *tset_diff(struct tset *const *sets, size_t n, size_t max_intset)
{
    struct tset *dst = tset_new();
    unsigned long long work_lookup = 0, work_remove = 0;
    if (n == 0 || !sets[0])
        return dst;
    for (size_t j = 1; j < n; j++)
        if (sets[j] == sets[0])
            return dst;   /* the same set subtracts everything */
    for (size_t j = 0; j < n; j++) {
        if (!sets[j])
            continue;
        work_lookup += tset_card(sets[0]);
        work_remove += tset_card(sets[j]);
    }
    if (work_lookup / 2 <= work_remove)
        diff_lookup(dst, sets[0], sets, n, max_intset);
    else
        diff_remove(dst, sets, n, max_intset);
    return dst;
}

/* ---- object operations ---------------------------------------------------- */

static void ops_destroy(void *p) { tset_free(p); }
static void *ops_dup(const void *p) { return tset_dup(p); }
static int ops_encoding(const void *p) { return tset_encoding(p); }

const struct kv_type_ops tset_ops = { ops_destroy, ops_dup, ops_encoding };
