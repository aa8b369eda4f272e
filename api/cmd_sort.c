/*
 * cmd_sort: SORT and SORT_RO, Redis 7.0.15's behaviour, checked against the
 * real server.
 *
 *   SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
 *        [ALPHA] [STORE destination]            (SORT_RO: no STORE)
 *
 * Flow (the order is Redis'): parse every option (syntax / integer errors
 * first), look the key up (list, set or zset; WRONGTYPE otherwise; missing =
 * empty), a listpack zset is converted to a skiplist (Redis converts it for
 * SORT, even SORT_RO, and OBJECT ENCODING shows it), LIMIT is clamped,
 * elements are copied out, weighed, sorted, then replied or stored.
 *
 * Data: every element (and, for ALPHA BY, its BY value) is copied into one
 * arena, each followed by a NUL so strcoll() can compare it the way Redis
 * does (C-string collation: bytes after a NUL are ignored); items refer to
 * the arena by offset, and the sorts permute an array of item indexes.
 *
 * Ties (only possible with ALPHA BY: equal or missing BY values; numeric
 * ties fall back to the elements' bytes) come out in the order Redis gives
 * them, which depends on its sort algorithm: a full sort is glibc's qsort, a
 * stable merge sort in glibc 2.36 (so: merge_sort here); BY with a LIMIT
 * that cuts the result uses Redis' partial quicksort, reproduced by
 * partial_sort. Sets and zsets load in hash order in Redis, so their ties
 * are not reproducible (nor deterministic in Redis).
 *
 * Semantics worth knowing:
 *   - BY without '*' (in its C-string part) means "no sort": list and zset
 *     keep their order (DESC walks it backwards; LIMIT is applied while
 *     loading), a set keeps its iteration order - except with STORE, where
 *     Redis forces an ALPHA sort of a set so the stored result is
 *     deterministic. A later BY with '*' does not undo "no sort".
 *   - numbers: strtod on the C string, the whole of it, no ERANGE
 *     (overflow and underflow, subnormals included), not NaN; leading spaces,
 *     "" (= 0), hex and "inf" are accepted. (Redis does not clear errno first,
 *     so after an ERANGE its later weights fail too until some system call
 *     fails; that accident is not reproduced.) Equal scores are ordered by the
 *     elements' bytes. A missing BY value weighs 0 (or sorts first with
 *     ALPHA).
 *   - patterns: "#" (or "#\0...") is the element; otherwise the first '*' is
 *     replaced by the element, and a "->field" (the first "->" after the '*',
 *     with a non-empty field) reads a hash field. A key of the wrong type,
 *     a missing key or field, or a pattern without '*' gives nil (an empty
 *     string in STORE).
 *   - ALPHA compares with strcoll (Redis does, in the process locale) unless
 *     STORE is given, then byte-wise (memcmp, then length).
 *   - STORE writes a list (quicklist) replacing any value and TTL, raising
 *     "sortstore"; an empty result deletes the destination ("del"). The
 *     reply is the stored length. Dirty = elements stored.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A BY or GET pattern, split once. */
struct sort_pat {
    const struct resp_arg *arg;
    bool self;          /* "#": the element itself */
    bool none;          /* no '*': never matches anything (BY: no sort) */
    size_t star;        /* offset of the first '*' */
    size_t key_end;     /* the key template is arg[0, key_end) */
    const char *field;  /* hash field after "->", NULL for a string key */
    size_t flen;
};

struct sort_opts {
    bool desc, alpha, dontsort;
    long long lstart, lcount;
    const struct resp_arg *store;
    const struct sort_pat *by;     /* NULL: sort by the elements */
    struct sort_pat by_pat;
    struct sort_pat *gets;
    int ngets;
};

/* One element to sort; offsets into the sorter's arena. */
struct sort_item {
    size_t off, len;     /* the element */
    size_t coff, clen;   /* ALPHA BY: the BY value (when has_cmp) */
    bool has_cmp;
    double score;        /* numeric sort: the weight */
};

struct sorter {
    struct client *c;
    const struct sort_opts *o;
    char *arena;
    size_t used, cap;
    struct sort_item *items;
    size_t n, icap;
    char *buf;           /* scratch: substituted key names, numbers */
    size_t bufcap;
};

/* ---- patterns ------------------------------------------------------------ */

/* Splits a pattern the way Redis reads it: '#', the first '*' and the first
 * "->" after it are looked for in the C-string part (up to a NUL), while the
 * key suffix and the field run to the argument's real end. */
static void pat_init(struct sort_pat *p, const struct resp_arg *a)
{
    const char *nul = a->len ? memchr(a->ptr, '\0', a->len) : NULL;
    size_t clen = nul ? (size_t)(nul - a->ptr) : a->len;
    const char *star = clen ? memchr(a->ptr, '*', clen) : NULL;

    memset(p, 0, sizeof(*p));
    p->arg = a;
    p->self = a->len >= 1 && a->ptr[0] == '#' && (a->len == 1 || a->ptr[1] == '\0');
    p->none = star == NULL;
    p->key_end = a->len;
    if (!star)
        return;
    p->star = (size_t)(star - a->ptr);
    for (size_t i = p->star + 1; i + 1 < clen; i++) {
        if (a->ptr[i] != '-' || a->ptr[i + 1] != '>')
            continue;
        if (i + 2 < clen) {   /* "->" ending the C string names no field */
            p->key_end = i;
            p->field = a->ptr + i + 2;
            p->flen = a->len - (i + 2);
        }
        break;
    }
}

static char *scratch(struct sorter *s, size_t need)
{
    if (need > s->bufcap) {
        s->bufcap = need < 64 ? 64 : need * 2;
        s->buf = kv_xrealloc(s->buf, s->bufcap);
    }
    return s->buf;
}

/* The value a pattern names for element (e, elen): true with *v / *vlen set
 * (valid until the next lookup; `num` holds an integer string's digits), or
 * false for nil. Lookups count as keyspace hits / misses. */
static bool pat_lookup(struct sorter *s, const struct sort_pat *p, const char *e, size_t elen, const char **v,
                       size_t *vlen, char num[KV_LLSTR_SIZE])
{
    size_t post, klen;
    struct resp_arg key;
    struct kv_entry *ent;
    struct kv_obj *o;
    char *k;

    if (p->self) {
        *v = e;
        *vlen = elen;
        return true;
    }
    if (p->none)
        return false;
    post = p->key_end - p->star - 1;
    klen = p->star + elen + post;
    k = scratch(s, klen + 1);
    memcpy(k, p->arg->ptr, p->star);
    memcpy(k + p->star, e, elen);
    memcpy(k + p->star + elen, p->arg->ptr + p->star + 1, post);
    key.ptr = k;
    key.len = klen;
    ent = db_read(s->c, &key);
    if (!ent)
        return false;
    o = kv_entry_val(ent);
    if (!p->field) {
        if (o->type != KV_STRING)
            return false;
        *v = kv_str_bytes(o, num, vlen);
        return true;
    }
    if (o->type != KV_HASH)
        return false;
    return thash_get(o->v.ptr, p->field, p->flen, v, vlen);
}

/* ---- options ------------------------------------------------------------- */

/* Parses argv[2..] into *o (o->gets must have room for argc patterns).
 * Replies and returns false on the first bad option, as Redis does. */
static bool parse_or_reply(struct client *c, bool readonly, struct sort_opts *o)
{
    for (int j = 2; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j];
        int left = c->argc - j - 1;
        if (arg_opt_is(a, "asc")) {
            o->desc = false;
        } else if (arg_opt_is(a, "desc")) {
            o->desc = true;
        } else if (arg_opt_is(a, "alpha")) {
            o->alpha = true;
        } else if (arg_opt_is(a, "limit") && left >= 2) {
            if (!arg_ll_or_reply(c, &c->argv[j + 1], &o->lstart) || !arg_ll_or_reply(c, &c->argv[j + 2], &o->lcount))
                return false;
            j += 2;
        } else if (!readonly && arg_opt_is(a, "store") && left >= 1) {
            o->store = &c->argv[++j];
        } else if (arg_opt_is(a, "by") && left >= 1) {
            pat_init(&o->by_pat, &c->argv[++j]);
            o->by = &o->by_pat;
            if (o->by_pat.none)
                o->dontsort = true;
        } else if (arg_opt_is(a, "get") && left >= 1) {
            pat_init(&o->gets[o->ngets++], &c->argv[++j]);
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    return true;
}

/* ---- loading ------------------------------------------------------------- */

/* Appends bytes and a NUL to the arena; returns their offset. p may point
 * into the arena itself. */
static size_t arena_put(struct sorter *s, const char *p, size_t len)
{
    size_t off = s->used;
    if (s->used + len + 1 > s->cap) {
        bool inside = s->arena && p >= s->arena && p < s->arena + s->used;
        size_t at = inside ? (size_t)(p - s->arena) : 0;
        s->cap = (s->used + len + 1) * 2;
        s->arena = kv_xrealloc(s->arena, s->cap);
        if (inside)
            p = s->arena + at;
    }
    if (len)
        memmove(s->arena + off, p, len);
    s->arena[off + len] = '\0';
    s->used += len + 1;
    return off;
}

static void add_item(struct sorter *s, const char *p, size_t len)
{
    struct sort_item *it;
    if (s->n == s->icap) {
        s->icap = s->icap ? s->icap * 2 : 16;
        s->items = kv_xrealloc(s->items, s->icap * sizeof(*s->items));
    }
    it = &s->items[s->n++];
    memset(it, 0, sizeof(*it));
    it->off = arena_put(s, p, len);
    it->len = len;
}

/* List elements: `count` of them from `from` (towards the head when
 * backwards), or all when count < 0. */
static void load_list(struct sorter *s, struct tlist *l, long long from, long long count, bool backwards)
{
    struct tlist_iter it;
    const char *p;
    size_t len;
    tlist_iter_init(&it, l, from, !backwards);
    while (count != 0 && tlist_iter_next(&it, &p, &len)) {
        add_item(s, p, len);
        if (count > 0)
            count--;
    }
}

static void load_member(const char *p, size_t len, void *s) { add_item(s, p, len); }

static void load_zset(struct sorter *s, struct tzset *z, long long rank, long long count, bool rev)
{
    struct tzset_iter it;
    struct tzset_elem e;
    tzset_iter_rank(z, &it, (size_t)rank, rev);
    while (count != 0 && tzset_iter_next(&it, &e)) {
        add_item(s, e.m, e.len);
        if (count > 0)
            count--;
    }
}

/* ---- weighing and sorting ------------------------------------------------ */

/* Redis' SORT number: strtod over the C string, all of it, no ERANGE, not
 * NaN. */
static bool parse_weight(struct sorter *s, const char *p, size_t len, double *out)
{
    char *b = scratch(s, len + 1), *end;
    memcpy(b, p, len);
    b[len] = '\0';
    errno = 0;
    *out = strtod(b, &end);
    return *end == '\0' && errno != ERANGE && !isnan(*out);
}

/* Fills each item's score (numeric) or BY value (ALPHA BY). Returns false
 * when some weight is not a number (every item is still looked at, as the
 * lookups are counted in the keyspace statistics). */
static bool weigh(struct sorter *s)
{
    const struct sort_opts *o = s->o;
    bool ok = true;
    char num[KV_LLSTR_SIZE];
    for (size_t j = 0; j < s->n; j++) {
        struct sort_item *it = &s->items[j];
        const char *v = s->arena + it->off;
        size_t vlen = it->len;
        if (o->by && !pat_lookup(s, o->by, s->arena + it->off, it->len, &v, &vlen, num))
            continue;
        if (o->alpha) {
            if (o->by) {
                it->coff = arena_put(s, v, vlen);
                it->clen = vlen;
                it->has_cmp = true;
            }
        } else if (!parse_weight(s, v, vlen, &it->score)) {
            ok = false;
        }
    }
    return ok;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

/* Redis' sortCompare. */
static int item_cmp(const struct sorter *s, const struct sort_item *a, const struct sort_item *b)
{
    const struct sort_opts *o = s->o;
    const char *ar = s->arena;
    int cmp;
    if (!o->alpha) {
        if (a->score != b->score)
            cmp = a->score > b->score ? 1 : -1;
        else
            cmp = bytes_cmp(ar + a->off, a->len, ar + b->off, b->len);
    } else if (o->by) {
        if (!a->has_cmp || !b->has_cmp)
            cmp = a->has_cmp == b->has_cmp ? 0 : (a->has_cmp ? 1 : -1);
        else if (o->store)
            cmp = bytes_cmp(ar + a->coff, a->clen, ar + b->coff, b->clen);
        else
            cmp = strcoll(ar + a->coff, ar + b->coff);
    } else {
        cmp = o->store ? bytes_cmp(ar + a->off, a->len, ar + b->off, b->len) : strcoll(ar + a->off, ar + b->off);
    }
    return o->desc ? -cmp : cmp;
}

/* Stable top-down merge sort of item indexes; tmp has room for n. */
static void merge_sort(const struct sorter *s, size_t *idx, size_t *tmp, size_t n)
{
    size_t h = n / 2, i = 0, j = h, k = 0;
    if (n < 2)
        return;
    merge_sort(s, idx, tmp, h);
    merge_sort(s, idx + h, tmp, n - h);
    if (item_cmp(s, &s->items[idx[h - 1]], &s->items[idx[h]]) <= 0)
        return;
    while (i < h && j < n)
        tmp[k++] = item_cmp(s, &s->items[idx[i]], &s->items[idx[j]]) <= 0 ? idx[i++] : idx[j++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof(*idx));
}

/* The partial sort Redis uses for BY with a LIMIT that cuts the result
 * (its pqsort): Bentley & McIlroy's quicksort as in BSD qsort - median of
 * three (ninther above 40 elements), three-way partition keeping equal keys
 * at both ends, insertion sort below 7 elements (no BSD "nothing swapped"
 * shortcut: Redis' copy has none) - that skips the parts lying wholly outside positions
 * [klo, khi]. Only the order of equal keys (ALPHA BY ties) depends on these
 * details; they are reproduced so such ties come out as in Redis. */
#define PCMP(x, y) item_cmp(s, &s->items[v[x]], &s->items[v[y]])

static void pswap(size_t *v, size_t a, size_t b)
{
    size_t t = v[a];
    v[a] = v[b];
    v[b] = t;
}

static void pvecswap(size_t *v, size_t a, size_t b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pswap(v, a + i, b + i);
}

static size_t pmed3(const struct sorter *s, const size_t *v, size_t a, size_t b, size_t c)
{
    if (PCMP(a, b) < 0)
        return PCMP(b, c) < 0 ? b : (PCMP(a, c) < 0 ? c : a);
    return PCMP(b, c) > 0 ? b : (PCMP(a, c) < 0 ? a : c);
}

static void pinsertion(const struct sorter *s, size_t *v, size_t lo, size_t n)
{
    for (size_t m = lo + 1; m < lo + n; m++)
        for (size_t l = m; l > lo && PCMP(l - 1, l) > 0; l--)
            pswap(v, l, l - 1);
}

/* The pivot position for v[lo, lo+n), n >= 7. */
static size_t ppivot(const struct sorter *s, const size_t *v, size_t lo, size_t n)
{
    size_t pl = lo, pm = lo + n / 2, pn = lo + n - 1, d = n / 8;
    if (n == 7)
        return pm;
    if (n > 40) {
        pl = pmed3(s, v, pl, pl + d, pl + 2 * d);
        pm = pmed3(s, v, pm - d, pm, pm + d);
        pn = pmed3(s, v, pn - 2 * d, pn - d, pn);
    }
    return pmed3(s, v, pl, pm, pn);
}

static bool outside(size_t lo, size_t n, size_t klo, size_t khi) { return khi < lo || klo > lo + n - 1; }

static void partial_sort(const struct sorter *s, size_t *v, size_t lo, size_t n, size_t klo, size_t khi)
{
    for (;;) {
        size_t pa, pb, pc, pd, pn, r;
        int c;
        if (n < 7) {
            pinsertion(s, v, lo, n);
            return;
        }
        pswap(v, lo, ppivot(s, v, lo, n));
        pa = pb = lo + 1;
        pc = pd = lo + n - 1;
        for (;;) {
            for (; pb <= pc && (c = PCMP(pb, lo)) <= 0; pb++)
                if (c == 0)
                    pswap(v, pa++, pb);
            for (; pb <= pc && (c = PCMP(pc, lo)) >= 0; pc--)
                if (c == 0)
                    pswap(v, pc, pd--);
            if (pb > pc)
                break;
            pswap(v, pb++, pc--);
        }
        pn = lo + n;
        r = pa - lo < pb - pa ? pa - lo : pb - pa;
        pvecswap(v, lo, pb - r, r);
        r = pd - pc < pn - pd - 1 ? pd - pc : pn - pd - 1;
        pvecswap(v, pb, pn - r, r);
        if ((r = pb - pa) > 1 && !outside(lo, r, klo, khi))
            partial_sort(s, v, lo, r, klo, khi);
        if ((r = pd - pc) <= 1 || outside(pn - r, r, klo, khi))
            return;
        lo = pn - r;
        n = r;
    }
}

#undef PCMP

/* ---- output -------------------------------------------------------------- */

static void reply_result(struct sorter *s, const size_t *idx, long long start, long long end)
{
    struct reply *r = &s->c->out;
    const struct sort_opts *o = s->o;
    char num[KV_LLSTR_SIZE];
    reply_array(r, (o->ngets ? o->ngets : 1) * (end - start + 1));
    for (long long j = start; j <= end; j++) {
        const struct sort_item *it = &s->items[idx[j]];
        const char *e = s->arena + it->off, *v;
        size_t vlen;
        if (!o->ngets)
            reply_bulk(r, e, it->len);
        for (int g = 0; g < o->ngets; g++) {
            if (pat_lookup(s, &o->gets[g], e, it->len, &v, &vlen, num))
                reply_bulk(r, v, vlen);
            else
                reply_null(r);
        }
    }
}

static void store_result(struct sorter *s, const size_t *idx, long long start, long long end)
{
    struct client *c = s->c;
    const struct sort_opts *o = s->o;
    const struct resp_arg *dst = o->store;
    struct tlist *l = tlist_create();   /* Redis 7.0 leaves it the default fill */
    char num[KV_LLSTR_SIZE];
    long long n;

    for (long long j = start; j <= end; j++) {
        const struct sort_item *it = &s->items[idx[j]];
        const char *e = s->arena + it->off, *v;
        size_t vlen;
        if (!o->ngets)
            tlist_push(l, TLIST_TAIL, e, it->len, tlist_fill(l));
        for (int g = 0; g < o->ngets; g++) {
            if (!pat_lookup(s, &o->gets[g], e, it->len, &v, &vlen, num)) {
                v = "";
                vlen = 0;
            }
            tlist_push(l, TLIST_TAIL, v, vlen, tlist_fill(l));
        }
    }
    n = (long long)tlist_len(l);
    if (n > 0) {
        kv_store(c->srv->ks, c->db, db_write(c, dst), dst->ptr, dst->len, kv_obj_wrap(KV_LIST, l), false);
        db_touched(c, dst, NOTIFY_LIST, "sortstore");
        cmd_dirty(c, n - 1);
    } else {
        tlist_destroy(l);
        db_delete(c, dst);
    }
    reply_int(&c->out, n);
}

/* ---- the command --------------------------------------------------------- */

static long long source_len(const struct kv_obj *o)
{
    if (!o)
        return 0;
    switch (o->type) {
    case KV_LIST: return (long long)tlist_len(o->v.ptr);
    case KV_SET: return (long long)tset_card(o->v.ptr);
    default: return (long long)tzset_len(o->v.ptr);
    }
}

/* Redis' LIMIT clamping: start in [0, n], count in [-1, n] (negative: to the
 * end); an empty range comes out as end = start - 1. */
static void clamp_limit(long long n, const struct sort_opts *o, long long *start, long long *end)
{
    long long st = o->lstart < 0 ? 0 : (o->lstart > n ? n : o->lstart);
    long long cnt = o->lcount < -1 ? -1 : (o->lcount > n ? n : o->lcount);
    long long en = cnt < 0 ? n - 1 : st + cnt - 1;
    if (st >= n) {
        st = n - 1;
        en = n - 2;
    }
    if (en >= n)
        en = n - 1;
    *start = st;
    *end = en;
}

/* Copies the elements to sort into s. Lists and zsets under "no sort" load
 * only the LIMIT range, in the requested direction, and *start / *end are
 * rebased on it. */
static void load(struct sorter *s, struct kv_obj *src, long long n, long long *start, long long *end)
{
    const struct sort_opts *o = s->o;
    long long count = *end - *start + 1;
    if (!src)
        return;
    if (o->dontsort && (src->type == KV_LIST || src->type == KV_ZSET)) {
        if (count > 0) {
            if (src->type == KV_LIST)
                load_list(s, src->v.ptr, o->desc ? n - *start - 1 : *start, count, o->desc);
            else
                load_zset(s, src->v.ptr, *start, count, o->desc);
        }
        *end -= *start;
        *start = 0;
    } else if (src->type == KV_LIST) {
        load_list(s, src->v.ptr, 0, -1, false);
    } else if (src->type == KV_SET) {
        tset_foreach(src->v.ptr, load_member, s);
    } else {
        load_zset(s, src->v.ptr, 0, -1, false);
    }
}

static void sort_run(struct client *c, struct sort_opts *o)
{
    struct sorter s = { .c = c, .o = o };
    struct kv_entry *e = db_read(c, &c->argv[1]);
    struct kv_obj *src = e ? kv_entry_val(e) : NULL;
    long long n, start, end;
    size_t *idx, *tmp;
    bool ok = true;

    if (src && src->type != KV_LIST && src->type != KV_SET && src->type != KV_ZSET) {
        reply_err(&c->out, RE_WRONGTYPE);
        return;
    }
    if (src && src->type == KV_SET && o->dontsort && o->store) {
        o->dontsort = false;   /* a stored set must not depend on hash order */
        o->alpha = true;
        o->by = NULL;
    }
    if (src && src->type == KV_ZSET)
        tzset_convert_skiplist(src->v.ptr);   /* as Redis, even for SORT_RO */
    n = source_len(src);
    clamp_limit(n, o, &start, &end);
    load(&s, src, n, &start, &end);

    idx = kv_xmalloc((s.n ? s.n : 1) * sizeof(*idx));
    for (size_t j = 0; j < s.n; j++)
        idx[j] = j;
    if (!o->dontsort) {
        ok = weigh(&s);
        if (o->by && (start != 0 || end != (long long)s.n - 1)) {
            if (end >= start)   /* else nothing is output */
                partial_sort(&s, idx, 0, s.n, (size_t)start, (size_t)end);
        } else {
            tmp = kv_xmalloc((s.n ? s.n : 1) * sizeof(*tmp));
            merge_sort(&s, idx, tmp, s.n);
            free(tmp);
        }
    }
    if (!ok)
        reply_error(&c->out, "ERR One or more scores can't be converted into double");
    else if (o->store)
        store_result(&s, idx, start, end);
    else
        reply_result(&s, idx, start, end);
    free(idx);
    free(s.items);
    free(s.arena);
    free(s.buf);
}

static void sort_generic(struct client *c, bool readonly)
{
    struct sort_opts o = { .lstart = 0, .lcount = -1 };
    o.gets = kv_xmalloc((size_t)c->argc * sizeof(*o.gets));
    if (parse_or_reply(c, readonly, &o))
        sort_run(c, &o);
    free(o.gets);
}

static void sort_cmd(struct client *c) { sort_generic(c, false); }
static void sort_ro_cmd(struct client *c) { sort_generic(c, true); }

/* SORT's keys (COMMAND GETKEYS: its key specs for BY/GET and STORE are
 * "unknown"): the sorted key and the destination of the last STORE, found
 * the way Redis' sortGetKeys skips LIMIT's, GET's and BY's arguments. */
static int sort_getkeys(int argc, const struct resp_arg *argv, struct cmd_keyref *out, int max)
{
    int store = -1, n = 0;
    for (int i = 2; i < argc; i++) {
        if (arg_opt_is(&argv[i], "limit"))
            i += 2;
        else if (arg_opt_is(&argv[i], "get") || arg_opt_is(&argv[i], "by"))
            i += 1;
        else if (arg_opt_is(&argv[i], "store") && i + 1 < argc)
            store = i + 1;
    }
    if (argc > 1 && n < max)
        out[n++] = (struct cmd_keyref){ 1, KEY_RO | KEY_ACCESS };
    if (store > 0 && n < max)
        out[n++] = (struct cmd_keyref){ store, KEY_OW | KEY_UPDATE };
    return n;
}

/* SORT_RO's: the sorted key. */
static int sort_ro_getkeys(int argc, const struct resp_arg *argv, struct cmd_keyref *out, int max)
{
    (void)argv;
    if (argc < 2 || max < 1)
        return 0;
    out[0] = (struct cmd_keyref){ 1, KEY_RO | KEY_ACCESS };
    return 1;
}

#define SORT_ACL (ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_SLOW | ACL_DANGEROUS)

static const struct cmd_def sort_cmds[] = {
    { "sort", sort_cmd, -2, CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, ACL_WRITE | SORT_ACL, 1, 1, 1,
      "Sort the elements in a list, set or sorted set", NULL, 0, sort_getkeys },
    { "sort_ro", sort_ro_cmd, -2, CMD_READONLY | CMD_MOVABLE_KEYS, ACL_READ | SORT_ACL, 1, 1, 1,
      "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", NULL, 0, sort_ro_getkeys },
};

#undef SORT_ACL

const struct cmd_group cmd_group_sort = CMD_GROUP("sort", sort_cmds);
