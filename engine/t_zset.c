/*
 * t_zset: the sorted-set value in its two encodings (see t_zset.h).
 *
 * struct tzset is a tag and one pointer: the pack, or the zsl. Each public
 * operation dispatches on the tag to a pack_* or a zsl-based helper; the
 * pack side walks (member, score) pairs linearly, the skiplist side is
 * engine/zskiplist.c. Pack invariants: an even number of entries; pairs in
 * (score, member) order; members unique; score texts are
 * nf_d2str_listpack(score) of a non-NaN double.
 */
#include "engine/t_zset.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"
#include "engine/obj.h"
#include "engine/pack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Redis' listpack safety limit (lpSafeToAdd): a pack never grows past it. */
#define PACK_SAFE_BYTES ((size_t)1 << 30)

struct tzset {
    uint8_t enc;   /* KV_ENC_LISTPACK / KV_ENC_SKIPLIST */
    union {
        unsigned char *pack;
        struct zsl *zsl;
    } u;
};

/* ---- pack helpers ------------------------------------------------------- */

static double pack_score_at(const unsigned char *p, size_t off)
{
    long long ll;
    size_t len;
    const char *s;
    double d = 0;
    if (pk_get_ll(p, off, &ll))
        return (double)ll;
    s = pk_get(p, off, &len);
    nf_str2d(s, len, &d);
    return d;
}

/* The element whose member entry is at `off`; returns the next member's offset. */
static size_t pack_elem(const unsigned char *p, size_t off, struct tzset_elem *e)
{
    size_t soff = pk_next(p, off);
    e->m = pk_get(p, off, &e->len);
    e->score = pack_score_at(p, soff);
    return pk_next(p, soff);
}

static size_t pack_find(const unsigned char *p, const char *m, size_t len)
{
    size_t first = pk_first(p);
    return first == PK_END ? PK_END : pk_find(p, first, m, len, 1);
}

/* Inserts the pair at its place in order. */
static void pack_insert(unsigned char **pp, const char *m, size_t len, double score)
{
    char buf[NF_D_BUFSIZE];
    int slen = nf_d2str_listpack(buf, sizeof(buf), score);
    size_t off = pk_first(*pp);

    while (off != PK_END) {
        struct tzset_elem e;
        size_t next = pack_elem(*pp, off, &e);
        if (e.score > score || (e.score == score && zsl_memcmp(e.m, e.len, m, len) > 0))
            break;
        off = next;
    }
    off = pk_insert(pp, off, m, len);
    pk_insert(pp, pk_next(*pp, off), buf, (size_t)slen);
}

static size_t pack_len(const unsigned char *p) { return pk_count(p) / 2; }

/* Offset of the member of 0-based rank r (PK_END when out of range). */
static size_t pack_rank_off(const unsigned char *p, size_t r)
{
    return r < pack_len(p) ? pk_seek(p, (long long)(2 * r)) : PK_END;
}

/* Predicates on pack elements for ranges. */
static bool elem_gte_min(const struct tzset_elem *e, const struct zsl_srange *sr, const struct zsl_lrange *lr)
{
    return sr ? zsl_score_gte_min(e->score, sr) : zsl_lex_gte_min(e->m, e->len, lr);
}

static bool elem_lte_max(const struct tzset_elem *e, const struct zsl_srange *sr, const struct zsl_lrange *lr)
{
    return sr ? zsl_score_lte_max(e->score, sr) : zsl_lex_lte_max(e->m, e->len, lr);
}

static bool range_empty(const struct zsl_srange *sr, const struct zsl_lrange *lr)
{
    return sr ? zsl_srange_empty(sr) : zsl_lrange_empty(lr);
}

/* First (rev: last) member offset inside the range, or PK_END. */
static size_t pack_range_start(const unsigned char *p, const struct zsl_srange *sr, const struct zsl_lrange *lr,
                               bool rev)
{
    struct tzset_elem e;
    size_t off = rev ? pk_last(p) : pk_first(p);
    if (range_empty(sr, lr))
        return PK_END;
    if (rev && off != PK_END)
        off = pk_prev(p, off);
    while (off != PK_END) {
        size_t next = pack_elem(p, off, &e);
        if (rev ? elem_lte_max(&e, sr, lr) : elem_gte_min(&e, sr, lr)) {
            bool inside = rev ? elem_gte_min(&e, sr, lr) : elem_lte_max(&e, sr, lr);
            return inside ? off : PK_END;
        }
        off = rev ? pk_prev(p, off) : next;
        if (rev && off != PK_END)
            off = pk_prev(p, off);
    }
    return PK_END;
}

/* Number of members from `off` on inside the range (forward). */
static size_t pack_count_from(const unsigned char *p, size_t off, const struct zsl_srange *sr,
                              const struct zsl_lrange *lr)
{
    size_t n = 0;
    struct tzset_elem e;
    while (off != PK_END) {
        off = pack_elem(p, off, &e);
        if (!elem_lte_max(&e, sr, lr))
            break;
        n++;
    }
    return n;
}

/* ---- life cycle and conversions ----------------------------------------- */

static struct tzset *wrap(int enc, void *ptr)
{
    struct tzset *z = kv_xmalloc(sizeof(*z));
    z->enc = (uint8_t)enc;
    if (enc == KV_ENC_LISTPACK)
        z->u.pack = ptr;
    else
        z->u.zsl = ptr;
    return z;
}

struct tzset *tzset_new(const struct tzset_limits *lim, size_t first_len)
{
    if (lim->max_entries == 0 || first_len > lim->max_value)
        return tzset_new_skiplist();
    return wrap(KV_ENC_LISTPACK, pk_create());
}

struct tzset *tzset_new_skiplist(void) { return wrap(KV_ENC_SKIPLIST, zsl_create()); }

size_t tzset_mem_estimate(const struct tzset *z, size_t samples)
{
    const struct zsl *zsl = z->u.zsl;
    size_t n = kv_alloc_size(z);
    if (z->enc == KV_ENC_LISTPACK)
        return n + kv_alloc_size(z->u.pack);
    /* the nodes are the table's elements (zskiplist.h: one allocation each) */
    return n + kv_alloc_size(zsl) + kv_alloc_size(zsl->header) + dict_mem_estimate(zsl->dict, samples);
}

void tzset_free(struct tzset *z)
{
    if (!z)
        return;
    if (z->enc == KV_ENC_LISTPACK)
        pk_destroy(z->u.pack);
    else
        zsl_free(z->u.zsl);
    free(z);
}

static struct zsl *zsl_from_pack(const unsigned char *p)
{
    struct zsl *zsl = zsl_create();
    struct tzset_elem e;
    for (size_t off = pk_first(p); off != PK_END;) {
        off = pack_elem(p, off, &e);
        zsl_append(zsl, zsl_node_new(e.score, e.m, e.len));
    }
    return zsl;
}

static unsigned char *pack_from_zsl(const struct zsl *zsl)
{
    unsigned char *p = pk_create();
    char buf[NF_D_BUFSIZE];
    for (const struct zsl_node *n = zsl->header->fwd[0]; n; n = n->fwd[0]) {
        pk_append(&p, zsl_node_member(n), n->mlen);
        pk_append(&p, buf, (size_t)nf_d2str_listpack(buf, sizeof(buf), n->score));
    }
    return p;
}

void tzset_convert_skiplist(struct tzset *z)
{
    struct zsl *zsl;
    if (z->enc != KV_ENC_LISTPACK)
        return;
    zsl = zsl_from_pack(z->u.pack);
    pk_destroy(z->u.pack);
    z->enc = KV_ENC_SKIPLIST;
    z->u.zsl = zsl;
}

struct tzset *tzset_dup(const struct tzset *z)
{
    struct zsl *zsl;
    if (z->enc == KV_ENC_LISTPACK)
        return wrap(KV_ENC_LISTPACK, pk_dup(z->u.pack));
    zsl = zsl_create();
    for (const struct zsl_node *n = z->u.zsl->header->fwd[0]; n; n = n->fwd[0])
        zsl_append(zsl, zsl_node_new(n->score, zsl_node_member(n), n->mlen));
    return wrap(KV_ENC_SKIPLIST, zsl);
}

int tzset_encoding(const struct tzset *z) { return z->enc; }

size_t tzset_len(const struct tzset *z)
{
    return z->enc == KV_ENC_LISTPACK ? pack_len(z->u.pack) : z->u.zsl->length;
}

const struct zsl *tzset_skiplist(const struct tzset *z)
{
    return z->enc == KV_ENC_SKIPLIST ? z->u.zsl : NULL;
}

const unsigned char *tzset_pack(const struct tzset *z)
{
    return z->enc == KV_ENC_LISTPACK ? z->u.pack : NULL;
}

struct tzset *tzset_adopt_pack(unsigned char *pack)
{
    return wrap(KV_ENC_LISTPACK, pack);
}

/* ---- single members ----------------------------------------------------- */

/* The score after flags (INCR, GT, LT) for an existing member at `cur`. */
static enum tzset_add_result apply_flags(double cur, double *score, unsigned flags)
{
    if (flags & TZ_ADD_NX)
        return TZ_SKIPPED;
    if (flags & TZ_ADD_INCR) {
        *score += cur;
        if (isnan(*score))
            return TZ_NAN;
    }
    if (((flags & TZ_ADD_LT) && *score >= cur) || ((flags & TZ_ADD_GT) && *score <= cur))
        return TZ_SKIPPED;
    return *score == cur ? TZ_UNCHANGED : TZ_UPDATED;
}

static enum tzset_add_result pack_update(struct tzset *z, size_t off, const char *m, size_t len, double *score,
                                         unsigned flags)
{
    double cur = pack_score_at(z->u.pack, pk_next(z->u.pack, off));
    enum tzset_add_result r = apply_flags(cur, score, flags);
    if (r == TZ_UPDATED) {
        pk_delete(&z->u.pack, off, 2);
        pack_insert(&z->u.pack, m, len, *score);
    }
    return r;
}

static enum tzset_add_result zsl_add(struct zsl *zsl, const char *m, size_t len, double *score, unsigned flags)
{
    struct zsl_node *n = zsl_find(zsl, m, len);
    enum tzset_add_result r;
    if (!n) {
        if (flags & TZ_ADD_XX)
            return TZ_SKIPPED;
        zsl_insert(zsl, zsl_node_new(*score, m, len));
        return TZ_ADDED;
    }
    r = apply_flags(n->score, score, flags);
    if (r == TZ_UPDATED)
        zsl_update_score(zsl, n, *score);
    return r;
}

enum tzset_add_result tzset_add(struct tzset *z, const char *m, size_t len, double score, unsigned flags,
                                const struct tzset_limits *lim, double *newscore)
{
    enum tzset_add_result r;
    if (z->enc == KV_ENC_LISTPACK) {
        size_t off = pack_find(z->u.pack, m, len);
        if (off != PK_END) {
            r = pack_update(z, off, m, len, &score, flags);
        } else if (flags & TZ_ADD_XX) {
            r = TZ_SKIPPED;
        } else if (pack_len(z->u.pack) + 1 > lim->max_entries || len > lim->max_value ||
                   pk_bytes(z->u.pack) + len > PACK_SAFE_BYTES) {
            tzset_convert_skiplist(z);
            r = zsl_add(z->u.zsl, m, len, &score, flags);
        } else {
            pack_insert(&z->u.pack, m, len, score);
            r = TZ_ADDED;
        }
    } else {
        r = zsl_add(z->u.zsl, m, len, &score, flags);
    }
    if (newscore && r != TZ_SKIPPED && r != TZ_NAN)
        *newscore = score;
    return r;
}

bool tzset_remove(struct tzset *z, const char *m, size_t len)
{
    if (z->enc == KV_ENC_LISTPACK) {
        size_t off = pack_find(z->u.pack, m, len);
        if (off == PK_END)
            return false;
        pk_delete(&z->u.pack, off, 2);
    } else {
        struct zsl_node *n = zsl_find(z->u.zsl, m, len);
        if (!n)
            return false;
        zsl_delete(z->u.zsl, n);
    }
    return true;
}

bool tzset_score(struct tzset *z, const char *m, size_t len, double *score)
{
    if (z->enc == KV_ENC_LISTPACK) {
        size_t off = pack_find(z->u.pack, m, len);
        if (off == PK_END)
            return false;
        *score = pack_score_at(z->u.pack, pk_next(z->u.pack, off));
    } else {
        struct zsl_node *n = zsl_find(z->u.zsl, m, len);
        if (!n)
            return false;
        *score = n->score;
    }
    return true;
}

bool tzset_rank(struct tzset *z, const char *m, size_t len, bool rev, size_t *rank, double *score)
{
    size_t r = 0, n = tzset_len(z);
    double s;
    if (z->enc == KV_ENC_LISTPACK) {
        size_t off = pk_first(z->u.pack);
        for (; off != PK_END; r++, off = pk_next(z->u.pack, pk_next(z->u.pack, off)))
            if (pk_eq(z->u.pack, off, m, len))
                break;
        if (off == PK_END)
            return false;
        s = pack_score_at(z->u.pack, pk_next(z->u.pack, off));
    } else {
        struct zsl_node *node = zsl_find(z->u.zsl, m, len);
        if (!node)
            return false;
        r = zsl_rank(z->u.zsl, node) - 1;
        s = node->score;
    }
    *rank = rev ? n - 1 - r : r;
    if (score)
        *score = s;
    return true;
}

static void node_elem(const struct zsl_node *n, struct tzset_elem *e)
{
    e->m = zsl_node_member(n);
    e->len = n->mlen;
    e->score = n->score;
}

bool tzset_peek(struct tzset *z, bool max, struct tzset_elem *e)
{
    if (z->enc == KV_ENC_LISTPACK) {
        size_t off = max ? pk_last(z->u.pack) : pk_first(z->u.pack);
        if (off == PK_END)
            return false;
        pack_elem(z->u.pack, max ? pk_prev(z->u.pack, off) : off, e);
    } else {
        const struct zsl_node *n = max ? z->u.zsl->tail : z->u.zsl->header->fwd[0];
        if (!n)
            return false;
        node_elem(n, e);
    }
    return true;
}

/* ---- iteration ---------------------------------------------------------- */

static void iter_init(struct tzset *z, struct tzset_iter *it, bool rev)
{
    it->z = z;
    it->rev = rev;
    it->off = PK_END;
    it->node = NULL;
    it->sr = NULL;
    it->lr = NULL;
}

void tzset_iter_rank(struct tzset *z, struct tzset_iter *it, size_t rank, bool rev)
{
    size_t n = tzset_len(z);
    iter_init(z, it, rev);
    if (rank >= n)
        return;
    if (rev)
        rank = n - 1 - rank;
    if (z->enc == KV_ENC_LISTPACK)
        it->off = pack_rank_off(z->u.pack, rank);
    else
        it->node = zsl_at_rank(z->u.zsl, rank + 1);
}

static bool iter_range(struct tzset *z, struct tzset_iter *it, const struct zsl_srange *sr,
                       const struct zsl_lrange *lr, bool rev)
{
    iter_init(z, it, rev);
    it->sr = sr;
    it->lr = lr;
    if (z->enc == KV_ENC_LISTPACK) {
        it->off = pack_range_start(z->u.pack, sr, lr, rev);
        return it->off != PK_END;
    }
    if (sr)
        it->node = rev ? zsl_last_in_score(z->u.zsl, sr) : zsl_first_in_score(z->u.zsl, sr);
    else
        it->node = rev ? zsl_last_in_lex(z->u.zsl, lr) : zsl_first_in_lex(z->u.zsl, lr);
    return it->node != NULL;
}

bool tzset_iter_score(struct tzset *z, struct tzset_iter *it, const struct zsl_srange *r, bool rev)
{
    return iter_range(z, it, r, NULL, rev);
}

bool tzset_iter_lex(struct tzset *z, struct tzset_iter *it, const struct zsl_lrange *r, bool rev)
{
    return iter_range(z, it, NULL, r, rev);
}

bool tzset_iter_next(struct tzset_iter *it, struct tzset_elem *e)
{
    if (it->z->enc == KV_ENC_LISTPACK) {
        const unsigned char *p = it->z->u.pack;
        size_t next;
        if (it->off == PK_END)
            return false;
        next = pack_elem(p, it->off, e);
        if (it->rev) {
            next = pk_prev(p, it->off);
            next = next == PK_END ? PK_END : pk_prev(p, next);
        }
        it->off = next;
    } else {
        if (!it->node)
            return false;
        node_elem(it->node, e);
        it->node = it->rev ? it->node->backward : it->node->fwd[0];
    }
    if (it->sr || it->lr) {
        bool inside = it->rev ? elem_gte_min(e, it->sr, it->lr) : elem_lte_max(e, it->sr, it->lr);
        if (!inside) {
            it->off = PK_END;
            it->node = NULL;
            return false;
        }
    }
    return true;
}

/* ---- counts and deletions ------------------------------------------------ */

static size_t count_range(struct tzset *z, const struct zsl_srange *sr, const struct zsl_lrange *lr)
{
    const struct zsl_node *first, *last;
    if (z->enc == KV_ENC_LISTPACK) {
        size_t off = pack_range_start(z->u.pack, sr, lr, false);
        return off == PK_END ? 0 : pack_count_from(z->u.pack, off, sr, lr);
    }
    first = sr ? zsl_first_in_score(z->u.zsl, sr) : zsl_first_in_lex(z->u.zsl, lr);
    if (!first)
        return 0;
    last = sr ? zsl_last_in_score(z->u.zsl, sr) : zsl_last_in_lex(z->u.zsl, lr);
    return zsl_rank(z->u.zsl, last) - zsl_rank(z->u.zsl, first) + 1;
}

size_t tzset_count_score(struct tzset *z, const struct zsl_srange *r) { return count_range(z, r, NULL); }
size_t tzset_count_lex(struct tzset *z, const struct zsl_lrange *r) { return count_range(z, NULL, r); }

size_t tzset_delete_rank(struct tzset *z, size_t start, size_t end)
{
    if (z->enc == KV_ENC_LISTPACK) {
        pk_delete_range(&z->u.pack, (long long)(2 * start), (uint32_t)(2 * (end - start + 1)));
        return end - start + 1;
    }
    return zsl_delete_rank_range(z->u.zsl, start + 1, end + 1);
}

static size_t delete_range(struct tzset *z, const struct zsl_srange *sr, const struct zsl_lrange *lr)
{
    size_t off, n;
    if (z->enc == KV_ENC_SKIPLIST)
        return sr ? zsl_delete_score_range(z->u.zsl, sr) : zsl_delete_lex_range(z->u.zsl, lr);
    off = pack_range_start(z->u.pack, sr, lr, false);
    if (off == PK_END)
        return 0;
    n = pack_count_from(z->u.pack, off, sr, lr);
    pk_delete(&z->u.pack, off, (uint32_t)(2 * n));
    return n;
}

size_t tzset_delete_score(struct tzset *z, const struct zsl_srange *r) { return delete_range(z, r, NULL); }
size_t tzset_delete_lex(struct tzset *z, const struct zsl_lrange *r) { return delete_range(z, NULL, r); }

/* ---- random sampling ---------------------------------------------------- */

/* Random access by rank: a pack gets an offset table built once. */
struct picker {
    struct tzset *z;
    size_t *offs;
};

static void picker_init(struct picker *pk, struct tzset *z)
{
    pk->z = z;
    pk->offs = NULL;
    if (z->enc == KV_ENC_LISTPACK) {
        size_t i = 0;
        pk->offs = kv_xmalloc(sizeof(size_t) * (pack_len(z->u.pack) + 1));
        for (size_t off = pk_first(z->u.pack); off != PK_END; off = pk_next(z->u.pack, pk_next(z->u.pack, off)))
            pk->offs[i++] = off;
    }
}

static void picker_get(const struct picker *pk, size_t rank, struct tzset_elem *e)
{
    if (pk->offs)
        pack_elem(pk->z->u.pack, pk->offs[rank], e);
    else
        node_elem(zsl_at_rank(pk->z->u.zsl, rank + 1), e);
}

/* Floyd's algorithm: `count` distinct ranks below n, through a small open
 * addressing set (rank + 1 stored, 0 = empty). */
static void sample_floyd(const struct picker *pk, size_t n, size_t count, uint64_t (*rnd)(void *), void *rnd_arg,
                         tzset_elem_fn fn, void *arg)
{
    size_t cap = 16;
    size_t *slots;
    while (cap < count * 2)
        cap *= 2;
    slots = kv_xcalloc(cap, sizeof(*slots));
    for (size_t j = n - count; j < n; j++) {
        size_t t = (size_t)(rnd(rnd_arg) % (j + 1)), h;
        for (int pass = 0; pass < 2; pass++) {
            for (h = (t * 0x9e3779b97f4a7c15ULL) & (cap - 1); slots[h] && slots[h] != t + 1; h = (h + 1) & (cap - 1))
                ;
            if (!slots[h])
                break;
            t = j;   /* t was taken: take j, which cannot be */
        }
        slots[h] = t + 1;
        struct tzset_elem e;
        picker_get(pk, t, &e);
        fn(&e, arg);
    }
    free(slots);
}

/* Partial Fisher-Yates over all ranks, for counts close to n. */
static void sample_shuffle(const struct picker *pk, size_t n, size_t count, uint64_t (*rnd)(void *), void *rnd_arg,
                           tzset_elem_fn fn, void *arg)
{
    size_t *idx = kv_xmalloc(sizeof(*idx) * n);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t k = 0; k < count; k++) {
        size_t j = k + (size_t)(rnd(rnd_arg) % (n - k)), t = idx[j];
        struct tzset_elem e;
        idx[j] = idx[k];
        idx[k] = t;
        picker_get(pk, t, &e);
        fn(&e, arg);
    }
    free(idx);
}

void tzset_sample(struct tzset *z, size_t count, bool distinct, uint64_t (*rnd)(void *), void *rnd_arg,
                  tzset_elem_fn fn, void *arg)
{
    size_t n = tzset_len(z);
    struct picker pk;
    struct tzset_elem e;

    if (distinct && count >= n) {
        struct tzset_iter it;
        tzset_iter_rank(z, &it, 0, false);
        while (tzset_iter_next(&it, &e))
            fn(&e, arg);
        return;
    }
    picker_init(&pk, z);
    if (!distinct) {
        for (size_t i = 0; i < count; i++) {
            picker_get(&pk, (size_t)(rnd(rnd_arg) % n), &e);
            fn(&e, arg);
        }
    } else if (count * 3 > n) {
        sample_shuffle(&pk, n, count, rnd, rnd_arg, fn, arg);
    } else {
        sample_floyd(&pk, n, count, rnd, rnd_arg, fn, arg);
    }
    free(pk.offs);
}

/* ---- scan --------------------------------------------------------------- */

struct scan_ctx {
    tzset_elem_fn fn;
    void *arg;
};

static void scan_node(struct dict_node *dn, void *arg)
{
    const struct scan_ctx *sc = arg;
    struct tzset_elem e;
    node_elem((const struct zsl_node *)dn, &e);
    sc->fn(&e, sc->arg);
}

uint64_t tzset_scan(struct tzset *z, uint64_t cursor, tzset_elem_fn fn, void *arg)
{
    struct scan_ctx sc = { fn, arg };
    if (z->enc == KV_ENC_SKIPLIST)
        return dict_scan(z->u.zsl->dict, cursor, scan_node, &sc);
    for (size_t off = pk_first(z->u.pack); off != PK_END;) {
        struct tzset_elem e;
        off = pack_elem(z->u.pack, off, &e);
        fn(&e, arg);
    }
    return 0;
}

int tzset_scan_score_str(const struct tzset *z, double score, char *buf, size_t cap)
{
    return z->enc == KV_ENC_LISTPACK ? nf_d2str_listpack(buf, cap, score) : nf_d2str(buf, cap, score);
}

/* ---- building results --------------------------------------------------- */

double *tzset_acc(struct tzset *z, const char *m, size_t len, bool *created)
{
    struct zsl_node *n = zsl_find(z->u.zsl, m, len);
    *created = n == NULL;
    if (!n) {
        n = zsl_node_new(0, m, len);
        zsl_stage(z->u.zsl, n);
    }
    return &n->score;
}

void tzset_acc_done(struct tzset *z, const struct tzset_limits *lim)
{
    struct zsl *zsl = z->u.zsl;
    size_t maxlen = 0, total = 0;
    zsl_link_staged(zsl);
    if (zsl->length > lim->max_entries)
        return;
    for (const struct zsl_node *n = zsl->header->fwd[0]; n; n = n->fwd[0]) {
        total += n->mlen;
        if (n->mlen > maxlen)
            maxlen = n->mlen;
    }
    if (maxlen > lim->max_value || total > PACK_SAFE_BYTES)
        return;
    z->u.pack = pack_from_zsl(zsl);
    z->enc = KV_ENC_LISTPACK;
    zsl_free(zsl);
}

/* ---- object type operations --------------------------------------------- */

static void ops_destroy(void *p) { tzset_free(p); }
static void *ops_dup(const void *p) { return tzset_dup(p); }
static int ops_encoding(const void *p) { return tzset_encoding(p); }

const struct kv_type_ops tzset_ops = { ops_destroy, ops_dup, ops_encoding };
