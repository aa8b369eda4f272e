/*
 * t_hash: the hash type's two encodings (see t_hash.h for the contract).
 *
 * Data structures
 *   struct thash is a tag plus one pointer:
 *   - listpack: an engine/pack holding field, value, field, value ... The
 *     pack's count is always even; fields are distinct; a field is found by a
 *     linear pk_find over every other entry (the thresholds keep packs small,
 *     128 fields by default). New fields are appended and updates replace the
 *     value entry in place, so the pack order is Redis' listpack order.
 *   - hashtable: an engine/dict of `struct hnode`, each ONE allocation:
 *
 *       [dict_node next: 8][flen: u32][vlen: u32][field bytes][value bytes]
 *
 *     No NUL terminators, no per-field string objects. The dict's key is the
 *     field (hnode_key). A value update of the same length rewrites the bytes
 *     in place; any other length reallocates the node, which may move it, so
 *     the node is unlinked first (dict_unlink_node, found by its field, which
 *     the update does not change), reallocated and inserted again.
 *
 * Memory goal (large encoding, jemalloc size classes 16, 32, 48, 64 ...):
 *   1M fields "field:%08d" (14 bytes) with 16-byte values: one node is
 *   16 (header) + 14 + 16 = 46 bytes -> the 48-byte class; the table has
 *   2^20 buckets of 8 bytes for 10^6 fields = ~8.4 bytes per field (16.8
 *   transiently while a rehash holds both arrays). Total ~56.4 bytes per
 *   field, within the <= ~60 bytes target. Redis 7.0 spends ~104: a
 *   dictEntry (24 -> 32), the field sds (18 -> 32) and the value sds
 *   (20 -> 32), plus its 8 bytes of buckets.
 *
 * Conversion (listpack -> hashtable, never back): before a write, if the
 * field or value is longer than max_value; after it, if the hash holds more
 * than max_entries fields. Redis checks all of an HSET's arguments up front,
 * we check pair by pair: the final encoding is the same (only writes that
 * happen convert, and conversion is one-way). HSETNX of an existing field
 * writes nothing and so converts nothing.
 *
 * Randomness: pack draws are exact (index modulo count; the modulo bias of a
 * 64-bit draw over at most 2^32 entries is negligible); a table draw is
 * dict_fair_random (uniform over the nodes, see engine/dict.h). Distinct
 * samples follow Redis' strategies: the whole hash when count >= length; for
 * a pack, selection sampling in pack order; for a table, random draws with
 * rejection of repeats when count is small (count * 3 <= length), otherwise
 * a partial Fisher-Yates shuffle over all the nodes.
 *
 * Ownership: the hash owns its pack or table and every node.
 */
#include "engine/t_hash.h"
#include "engine/alloc.h"
#include "engine/pack.h"

#include <stdlib.h>
#include <string.h>

struct thash {
    int enc;   /* KV_ENC_LISTPACK or KV_ENC_HASHTABLE */
    union {
        unsigned char *pk;
        struct dict *d;
    } u;
};

struct hnode {
    struct dict_node node;
    uint32_t flen, vlen;
    char data[];   /* field bytes, then value bytes */
};

#define HNODE_HDR offsetof(struct hnode, data)

/* Redis' HRANDFIELD threshold between draw-and-reject and shuffle. */
#define RANDOM_SUB_MUL 3

/* ---- nodes ------------------------------------------------------------------ */

static void hnode_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct hnode *h = (const struct hnode *)n;
    *key = h->data;
    *len = h->flen;
}

static const struct dict_type hnode_type = { hnode_key };

static uint32_t len32(size_t len)
{
    if (len > UINT32_MAX)
        abort();   /* larger than any bulk string the server accepts */
    return (uint32_t)len;
}

static struct hnode *hnode_new(const char *f, size_t flen, const char *v, size_t vlen)
{
    struct hnode *n = kv_xmalloc(HNODE_HDR + flen + vlen);
    n->node.next = NULL;
    n->flen = len32(flen);
    n->vlen = len32(vlen);
    if (flen)
        memcpy(n->data, f, flen);
    if (vlen)
        memcpy(n->data + flen, v, vlen);
    return n;
}

static const char *hnode_val(const struct hnode *n) { return n->data + n->flen; }

static void hnode_free(struct dict_node *n, void *arg)
{
    (void)arg;
    free(n);
}

/* Gives the node a new value, relinking it if its allocation may move.
 * Returns the node's (possibly new) address. */
static struct hnode *hnode_update(struct dict *d, struct hnode *n, const char *v, size_t vlen)
{
    if (n->vlen != vlen) {
        dict_unlink_node(d, &n->node);
        n = kv_xrealloc(n, HNODE_HDR + n->flen + vlen);
        n->node.next = NULL;
        n->vlen = len32(vlen);
        dict_insert(d, &n->node);
    }
    if (vlen)
        memcpy(n->data + n->flen, v, vlen);
    return n;
}

/* ---- pack helpers ---------------------------------------------------------- */

/* Offset of the field entry equal to f, or PK_END. */
static size_t pack_find(const unsigned char *p, const char *f, size_t flen)
{
    return pk_find(p, pk_first(p), f, flen, 1);
}

/* The pair whose field is at `off`. */
static void pack_pair(const unsigned char *p, size_t off, const char **f, size_t *flen, const char **v,
                      size_t *vlen)
{
    *f = pk_get(p, off, flen);
    *v = pk_get(p, pk_next(p, off), vlen);
}

/* ---- lifetime and conversion ----------------------------------------------- */

struct thash *thash_new(void)
{
    struct thash *h = kv_xmalloc(sizeof(*h));
    h->enc = KV_ENC_LISTPACK;
    h->u.pk = pk_create();
    return h;
}

struct thash *thash_adopt_pack(unsigned char *pack)
{
    struct thash *h = kv_xmalloc(sizeof(*h));
    h->enc = KV_ENC_LISTPACK;
    h->u.pk = pack;
    return h;
}

void thash_free(struct thash *h)
{
    if (!h)
        return;
    if (h->enc == KV_ENC_LISTPACK) {
        pk_destroy(h->u.pk);
    } else {
        dict_clear(h->u.d, hnode_free, NULL);
        dict_destroy(h->u.d);
    }
    free(h);
}

static void copy_pair(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    dict_insert(arg, &hnode_new(f, flen, v, vlen)->node);
}

struct thash *thash_dup(const struct thash *src)
{
    struct thash *h = kv_xmalloc(sizeof(*h));
    h->enc = src->enc;
    if (src->enc == KV_ENC_LISTPACK) {
        h->u.pk = pk_dup(src->u.pk);
    } else {
        h->u.d = dict_create(&hnode_type);
        /* iteration only reads; the cast drops const for the shared iterator */
        thash_foreach((struct thash *)src, copy_pair, h->u.d);
    }
    return h;
}

/* Moves a listpack's pairs into a new table. */
static void to_table(struct thash *h)
{
    unsigned char *p = h->u.pk;
    struct dict *d = dict_create(&hnode_type);
    const char *f, *v;
    size_t flen, vlen;

    for (size_t off = pk_first(p); off != PK_END; off = pk_next(p, pk_next(p, off))) {
        pack_pair(p, off, &f, &flen, &v, &vlen);
        dict_insert(d, &hnode_new(f, flen, v, vlen)->node);
    }
    pk_destroy(p);
    h->enc = KV_ENC_HASHTABLE;
    h->u.d = d;
}

int thash_encoding(const struct thash *h) { return h->enc; }

size_t thash_length(const struct thash *h)
{
    return h->enc == KV_ENC_LISTPACK ? pk_count(h->u.pk) / 2 : dict_size(h->u.d);
}

/* ---- lookups ---------------------------------------------------------------- */

bool thash_get(struct thash *h, const char *f, size_t flen, const char **v, size_t *vlen)
{
    if (h->enc == KV_ENC_LISTPACK) {
        size_t off = pack_find(h->u.pk, f, flen);
        if (off == PK_END)
            return false;
        *v = pk_get(h->u.pk, pk_next(h->u.pk, off), vlen);
        return true;
    }
    struct hnode *n = (struct hnode *)dict_find(h->u.d, f, flen);
    if (!n)
        return false;
    *v = hnode_val(n);
    *vlen = n->vlen;
    return true;
}

bool thash_exists(struct thash *h, const char *f, size_t flen)
{
    const char *v;
    size_t vlen;
    return thash_get(h, f, flen, &v, &vlen);
}

size_t thash_strlen(struct thash *h, const char *f, size_t flen)
{
    const char *v;
    size_t vlen;
    return thash_get(h, f, flen, &v, &vlen) ? vlen : 0;
}

/* ---- writes ------------------------------------------------------------------ */

/* The one write worker: set (or, with nx, only add) a field. */
static bool set_generic(struct thash *h, const char *f, size_t flen, const char *v, size_t vlen,
                        struct thash_limits lim, bool nx)
{
    bool added;

    if (nx && thash_exists(h, f, flen))
        return false;
    if (h->enc == KV_ENC_LISTPACK && ((long long)flen > lim.max_value || (long long)vlen > lim.max_value))
        to_table(h);
    if (h->enc == KV_ENC_LISTPACK) {
        size_t off = pack_find(h->u.pk, f, flen);
        added = off == PK_END;
        if (added) {
            pk_append(&h->u.pk, f, flen);
            pk_append(&h->u.pk, v, vlen);
        } else {
            pk_replace(&h->u.pk, pk_next(h->u.pk, off), v, vlen);
        }
        if ((long long)thash_length(h) > lim.max_entries)
            to_table(h);
        return added;
    }
    struct hnode *n = (struct hnode *)dict_find(h->u.d, f, flen);
    if (n) {
        hnode_update(h->u.d, n, v, vlen);
        return false;
    }
    dict_insert(h->u.d, &hnode_new(f, flen, v, vlen)->node);
    return true;
}

bool thash_set(struct thash *h, const char *f, size_t flen, const char *v, size_t vlen, struct thash_limits lim)
{
    return set_generic(h, f, flen, v, vlen, lim, false);
}

bool thash_setnx(struct thash *h, const char *f, size_t flen, const char *v, size_t vlen, struct thash_limits lim)
{
    return set_generic(h, f, flen, v, vlen, lim, true);
}

bool thash_delete(struct thash *h, const char *f, size_t flen)
{
    if (h->enc == KV_ENC_LISTPACK) {
        size_t off = pack_find(h->u.pk, f, flen);
        if (off == PK_END)
            return false;
        pk_delete(&h->u.pk, off, 2);
        return true;
    }
    struct dict_node *n = dict_unlink(h->u.d, f, flen);
    free(n);
    return n != NULL;
}

/* ---- iteration ------------------------------------------------------------ */

void thash_iter_init(struct thash_iter *it, struct thash *h)
{
    it->h = h;
    if (h->enc == KV_ENC_LISTPACK)
        it->off = pk_first(h->u.pk);
    else
        dict_iter_init(&it->di, h->u.d);
}

bool thash_iter_next(struct thash_iter *it, const char **f, size_t *flen, const char **v, size_t *vlen)
{
    if (it->h->enc == KV_ENC_LISTPACK) {
        const unsigned char *p = it->h->u.pk;
        if (it->off == PK_END)
            return false;
        pack_pair(p, it->off, f, flen, v, vlen);
        it->off = pk_next(p, pk_next(p, it->off));
        return true;
    }
    const struct hnode *n = (const struct hnode *)dict_iter_next(&it->di);
    if (!n)
        return false;
    *f = n->data;
    *flen = n->flen;
    *v = hnode_val(n);
    *vlen = n->vlen;
    return true;
}

void thash_iter_deinit(struct thash_iter *it)
{
    if (it->h->enc == KV_ENC_HASHTABLE)
        dict_iter_deinit(&it->di);
}

void thash_foreach(struct thash *h, thash_pair_fn fn, void *arg)
{
    struct thash_iter it;
    const char *f, *v;
    size_t flen, vlen;

    thash_iter_init(&it, h);
    while (thash_iter_next(&it, &f, &flen, &v, &vlen))
        fn(f, flen, v, vlen, arg);
    thash_iter_deinit(&it);
}

/* ---- random pairs ----------------------------------------------------------- */

static void node_call(const struct hnode *n, thash_pair_fn fn, void *arg)
{
    fn(n->data, n->flen, hnode_val(n), n->vlen, arg);
}

/* A uniformly random node of a non-empty table. */
static const struct hnode *table_random(struct dict *d, thash_rnd rnd, void *rnd_arg)
{
    return (const struct hnode *)dict_fair_random(d, rnd, rnd_arg);
}

bool thash_random(struct thash *h, thash_rnd rnd, void *rnd_arg, const char **f, size_t *flen, const char **v,
                  size_t *vlen)
{
    size_t len = thash_length(h);
    if (len == 0)
        return false;
    if (h->enc == KV_ENC_LISTPACK) {
        size_t off = pk_seek(h->u.pk, (long long)(rnd(rnd_arg) % len) * 2);
        pack_pair(h->u.pk, off, f, flen, v, vlen);
        return true;
    }
    const struct hnode *n = table_random(h->u.d, rnd, rnd_arg);
    *f = n->data;
    *flen = n->flen;
    *v = hnode_val(n);
    *vlen = n->vlen;
    return true;
}

/* The offsets of a pack's fields, in order (len entries, caller frees). */
static size_t *pack_field_offsets(const unsigned char *p, size_t len)
{
    size_t *offs = kv_xmalloc(sizeof(*offs) * (len ? len : 1)), i = 0;
    for (size_t off = pk_first(p); off != PK_END; off = pk_next(p, pk_next(p, off)))
        offs[i++] = off;
    return offs;
}

void thash_random_repeat(struct thash *h, size_t count, thash_rnd rnd, void *rnd_arg, thash_pair_fn fn, void *arg)
{
    size_t len = thash_length(h);
    const char *f, *v;
    size_t flen, vlen;

    if (len == 0)
        return;
    if (h->enc == KV_ENC_HASHTABLE) {
        while (count--)
            node_call(table_random(h->u.d, rnd, rnd_arg), fn, arg);
        return;
    }
    size_t *offs = pack_field_offsets(h->u.pk, len);
    while (count--) {
        pack_pair(h->u.pk, offs[rnd(rnd_arg) % len], &f, &flen, &v, &vlen);
        fn(f, flen, v, vlen, arg);
    }
    free(offs);
}

/* Selection sampling (Knuth's algorithm S): each field is taken with
 * probability needed / remaining, so `count` distinct pairs come out in pack
 * order, uniformly. */
static void pack_sample(const unsigned char *p, size_t len, size_t count, thash_rnd rnd, void *rnd_arg,
                        thash_pair_fn fn, void *arg)
{
    const char *f, *v;
    size_t flen, vlen, left = len;

    for (size_t off = pk_first(p); off != PK_END && count > 0; off = pk_next(p, pk_next(p, off)), left--) {
        if (rnd(rnd_arg) % left >= count)
            continue;
        pack_pair(p, off, &f, &flen, &v, &vlen);
        fn(f, flen, v, vlen, arg);
        count--;
    }
}

/* An open-addressing set of node pointers (capacity a power of two, at
 * least twice the members it will hold). */
struct ptrset {
    const void **slot;
    size_t mask;
};

/* Adds p; false if it was there already. */
static bool ptrset_add(struct ptrset *s, const void *p)
{
    size_t i = (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL) & s->mask;
    while (s->slot[i]) {
        if (s->slot[i] == p)
            return false;
        i = (i + 1) & s->mask;
    }
    s->slot[i] = p;
    return true;
}

/* Few out of many: draw, and throw repeats back. */
static void table_sample_sparse(struct dict *d, size_t count, thash_rnd rnd, void *rnd_arg, thash_pair_fn fn,
                                void *arg)
{
    struct ptrset s;
    size_t cap = 16;

    while (cap < count * 2)
        cap *= 2;
    s.slot = kv_xcalloc(cap, sizeof(*s.slot));
    s.mask = cap - 1;
    while (count > 0) {
        const struct hnode *n = table_random(d, rnd, rnd_arg);
        if (!ptrset_add(&s, n))
            continue;
        node_call(n, fn, arg);
        count--;
    }
    free(s.slot);
}

/* Many out of the table: a partial Fisher-Yates shuffle of all the nodes. */
static void table_sample_dense(struct thash *h, size_t len, size_t count, thash_rnd rnd, void *rnd_arg,
                               thash_pair_fn fn, void *arg)
{
    struct hnode **all = kv_xmalloc(sizeof(*all) * len);
    struct dict_iter it;
    struct dict_node *n;
    size_t i = 0;

    dict_iter_init(&it, h->u.d);
    while ((n = dict_iter_next(&it)) != NULL)
        all[i++] = (struct hnode *)n;
    dict_iter_deinit(&it);
    for (i = 0; i < count; i++) {
        size_t j = i + (size_t)(rnd(rnd_arg) % (len - i));
        struct hnode *t = all[i];
        all[i] = all[j];
        all[j] = t;
        node_call(all[i], fn, arg);
    }
    free(all);
}

void thash_random_distinct(struct thash *h, size_t count, thash_rnd rnd, void *rnd_arg, thash_pair_fn fn,
                           void *arg)
{
    size_t len = thash_length(h);

    if (count >= len)
        thash_foreach(h, fn, arg);
    else if (h->enc == KV_ENC_LISTPACK)
        pack_sample(h->u.pk, len, count, rnd, rnd_arg, fn, arg);
    else if (count * RANDOM_SUB_MUL <= len)
        table_sample_sparse(h->u.d, count, rnd, rnd_arg, fn, arg);
    else
        table_sample_dense(h, len, count, rnd, rnd_arg, fn, arg);
}

/* ---- scan --------------------------------------------------------------------- */

struct scan_ctx {
    thash_pair_fn fn;
    void *arg;
};

static void scan_node(struct dict_node *n, void *arg)
{
    struct scan_ctx *s = arg;
    node_call((const struct hnode *)n, s->fn, s->arg);
}

uint64_t thash_scan(struct thash *h, uint64_t cursor, thash_pair_fn fn, void *arg)
{
    struct scan_ctx s = { fn, arg };
    if (h->enc == KV_ENC_LISTPACK) {
        thash_foreach(h, fn, arg);
        return 0;
    }
    return dict_scan(h->u.d, cursor, scan_node, &s);
}

/* ---- accounting and checks ----------------------------------------------------- */

static void add_node_bytes(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    (void)f;
    (void)v;
    *(size_t *)arg += HNODE_HDR + flen + vlen;
}

size_t thash_mem_usage(const struct thash *h)
{
    size_t n = sizeof(*h);
    if (h->enc == KV_ENC_LISTPACK)
        return n + pk_bytes(h->u.pk);
    n += dict_mem_usage(h->u.d);
    thash_foreach((struct thash *)h, add_node_bytes, &n);
    return n;
}

size_t thash_mem_estimate(const struct thash *h, size_t samples)
{
    size_t n = kv_alloc_size(h);
    return n + (h->enc == KV_ENC_LISTPACK ? kv_alloc_size(h->u.pk) : dict_mem_estimate(h->u.d, samples));
}

static bool verify_pack(const unsigned char *p)
{
    if (pk_count(p) % 2 != 0)
        return false;
    for (size_t off = pk_first(p); off != PK_END; off = pk_next(p, pk_next(p, off))) {
        size_t flen;
        const char *f = pk_get(p, off, &flen);
        size_t next = pk_next(p, off);
        if (next == PK_END || pk_find(p, pk_next(p, next), f, flen, 1) != PK_END)
            return false;
    }
    return true;
}

static bool verify_table(struct dict *d)
{
    struct dict_iter it;
    struct dict_node *n;
    size_t count = 0;
    bool ok = true;

    dict_iter_init(&it, d);
    while (ok && (n = dict_iter_next(&it)) != NULL) {
        const struct hnode *h = (const struct hnode *)n;
        count++;
        ok = dict_find(d, h->data, h->flen) == n;
    }
    dict_iter_deinit(&it);
    return ok && count == dict_size(d);
}

bool thash_verify(struct thash *h)
{
    if (h->enc == KV_ENC_LISTPACK)
        return verify_pack(h->u.pk);
    return h->enc == KV_ENC_HASHTABLE && verify_table(h->u.d);
}

/* ---- generic object operations ------------------------------------------------ */

static void ops_destroy(void *p) { thash_free(p); }
static void *ops_dup(const void *p) { return thash_dup(p); }
static int ops_encoding(const void *p) { return thash_encoding(p); }

const struct kv_type_ops thash_ops = { ops_destroy, ops_dup, ops_encoding };
