/*
 * codec: values to bytes and back (format in codec.h, docs/PERSISTENCE.md).
 *
 * One table, `codecs`, lists per type its tag and its encode and decode
 * functions: a new type (streams) is added there and nowhere else.
 */
#include "engine/codec.h"
#include "engine/varint.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"
#include "engine/pack.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_stream.h"
#include "engine/t_zset.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct codec_limits codec_default_limits = {
    .list_fill = -2,
    .hash_max_entries = 128,
    .hash_max_value = 64,
    .set_max_intset = 512,
    .zset_max_entries = 128,
    .zset_max_value = 64,
};

/* ---- output ----------------------------------------------------------------- */

void codec_buf_free(struct codec_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static unsigned char *reserve(struct codec_buf *b, size_t more)
{
    if (b->cap - b->len < more) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < more)
            cap *= 2;
        b->p = kv_xrealloc(b->p, cap);
        b->cap = cap;
    }
    return b->p + b->len;
}

static void put_bytes(struct codec_buf *b, const void *p, size_t len)
{
    if (len)
        memcpy(reserve(b, len), p, len);
    b->len += len;
}

static void put_varint(struct codec_buf *b, uint64_t v)
{
    b->len += varint_put(reserve(b, VARINT_MAX), v);
}

static void put_str(struct codec_buf *b, const char *p, size_t len)
{
    put_varint(b, len);
    put_bytes(b, p, len);
}

static void put_header(struct codec_buf *b, char tag, uint64_t count)
{
    unsigned char h[2] = { CODEC_VERSION, (unsigned char)tag };
    put_bytes(b, h, 2);
    put_varint(b, count);
}

/* ---- input ------------------------------------------------------------------ */

struct reader {
    const unsigned char *p, *end;
    char *err;
    size_t errcap;
    bool failed;
    bool trusted;   /* CODEC_TRUSTED */
};

static void fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    if (r->failed)
        return;
    r->failed = true;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errcap, fmt, ap);
    va_end(ap);
}

static bool get_varint(struct reader *r, uint64_t *out)
{
    if (varint_get_checked(&r->p, r->end, out))
        return true;
    if (r->p >= r->end)
        fail(r, "truncated value (a length runs past the end)");
    else
        fail(r, "bad varint (more than 64 bits)");
    return false;
}

static bool get_str(struct reader *r, const char **s, size_t *len)
{
    uint64_t n;
    if (!get_varint(r, &n))
        return false;
    if (n > (uint64_t)(r->end - r->p)) {
        fail(r, "truncated value (an element of %llu bytes runs past the end)", (unsigned long long)n);
        return false;
    }
    *s = (const char *)r->p;
    *len = (size_t)n;
    r->p += n;
    return true;
}

/* Each element takes at least one byte: a count larger than the bytes left
 * is damage, caught before anything is allocated for it. */
static bool check_count(struct reader *r, uint64_t count, size_t min_bytes)
{
    if (count == 0) {
        fail(r, "empty collection (collections are never stored empty)");
        return false;
    }
    if (count > (uint64_t)(r->end - r->p) / min_bytes) {
        fail(r, "element count %llu does not fit the %zu bytes left", (unsigned long long)count,
             (size_t)(r->end - r->p));
        return false;
    }
    return true;
}

/* ---- per type --------------------------------------------------------------- */

static int enc_list(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    struct tlist_iter it;
    const char *s;
    size_t len;
    put_header(b, 'l', tlist_len(o->v.ptr));
    tlist_iter_init(&it, o->v.ptr, 0, true);
    while (tlist_iter_next(&it, &s, &len))
        put_str(b, s, len);
    return 0;
}

/* Collects pointers to `n` strs (into arrays of BULK_MAX on the stack, or
 * on the heap for more); false on damage. */
#define BULK_MAX 64

struct strs {
    const char **s;
    size_t *len;
    const char *s_stack[2 * BULK_MAX];
    size_t len_stack[2 * BULK_MAX];
};

static bool get_strs(struct reader *r, struct strs *v, uint64_t n)
{
    v->s = v->s_stack;
    v->len = v->len_stack;
    if (n > 2 * BULK_MAX) {
        v->s = kv_xmalloc(sizeof(*v->s) * (size_t)n);
        v->len = kv_xmalloc(sizeof(*v->len) * (size_t)n);
    }
    for (uint64_t i = 0; i < n; i++)
        if (!get_str(r, &v->s[i], &v->len[i]))
            return false;
    return true;
}

static void strs_free(struct strs *v)
{
    if (v->s != v->s_stack) {
        free(v->s);
        free(v->len);
    }
}

static struct kv_obj *dec_list(struct reader *r, uint64_t count, const struct codec_limits *lim)
{
    struct strs v;
    struct kv_obj *o = NULL;
    if (!check_count(r, count, 1))
        return NULL;
    if (get_strs(r, &v, count))
        o = kv_obj_wrap(KV_LIST, tlist_from_strings(v.s, v.len, (size_t)count, lim->list_fill));
    strs_free(&v);
    return o;
}

static int enc_set(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    struct tset_iter it;
    const char *s;
    size_t len;
    put_header(b, 's', tset_card(o->v.ptr));
    tset_iter_init(&it, o->v.ptr);
    while (tset_iter_next(&it, &s, &len))
        put_str(b, s, len);
    tset_iter_deinit(&it);
    return 0;
}

static struct kv_obj *dec_set(struct reader *r, uint64_t count, const struct codec_limits *lim)
{
    struct tset *s;
    size_t max_intset = lim->set_max_intset < 0 ? 0 : (size_t)lim->set_max_intset;
    if (!check_count(r, count, 1))
        return NULL;
    s = tset_new();
    for (uint64_t i = 0; i < count; i++) {
        const char *m;
        size_t len;
        if (!get_str(r, &m, &len)) {
            tset_free(s);
            return NULL;
        }
        if (!tset_add(s, m, len, max_intset)) {
            fail(r, "duplicate set member");
            tset_free(s);
            return NULL;
        }
    }
    return kv_obj_wrap(KV_SET, s);
}

static int enc_hash(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    struct thash_iter it;
    const char *f, *v;
    size_t flen, vlen;
    put_header(b, 'h', thash_length(o->v.ptr));
    thash_iter_init(&it, o->v.ptr);
    while (thash_iter_next(&it, &f, &flen, &v, &vlen)) {
        put_str(b, f, flen);
        put_str(b, v, vlen);
    }
    thash_iter_deinit(&it);
    return 0;
}

/* A small hash whose fields and values fit the listpack limits becomes a
 * pack in one allocation (fields compared pairwise for duplicates unless
 * trusted); any other goes field by field through thash_set, which
 * converts as HSET would. */

static struct kv_obj *dec_hash_bulk(struct reader *r, uint64_t count, const struct codec_limits *lim)
{
    const char *s[2 * BULK_MAX];
    size_t len[2 * BULK_MAX];
    for (uint64_t i = 0; i < 2 * count; i++) {
        if (!get_str(r, &s[i], &len[i]))
            return NULL;
        if ((long long)len[i] > lim->hash_max_value)
            return NULL;
        if (i % 2 == 0 && !r->trusted)
            for (uint64_t j = 0; j < i; j += 2)
                if (len[j] == len[i] && memcmp(s[j], s[i], len[i]) == 0)
                    return NULL;   /* the slow path names the duplicate */
    }
    return kv_obj_wrap(KV_HASH, thash_adopt_pack(pk_build(s, len, (size_t)(2 * count))));
}

static struct kv_obj *dec_hash(struct reader *r, uint64_t count, const struct codec_limits *lim)
{
    struct thash *h;
    struct thash_limits hl = { lim->hash_max_entries, lim->hash_max_value };
    if (!check_count(r, count, 2))
        return NULL;
    if (count <= BULK_MAX && (long long)count <= lim->hash_max_entries) {
        struct reader again = *r;
        struct kv_obj *o = dec_hash_bulk(r, count, lim);
        if (o || r->failed)
            return o;
        *r = again;
    }
    h = thash_new();
    for (uint64_t i = 0; i < count; i++) {
        const char *f, *v;
        size_t flen, vlen;
        if (!get_str(r, &f, &flen) || !get_str(r, &v, &vlen)) {
            thash_free(h);
            return NULL;
        }
        if (!thash_set(h, f, flen, v, vlen, hl)) {
            fail(r, "duplicate hash field");
            thash_free(h);
            return NULL;
        }
    }
    return kv_obj_wrap(KV_HASH, h);
}

/* A score as text: the integer digits when it is an integer below 2^53,
 * else "%.17g" (with "inf", "-inf", "-0"): exact, and what ZSCORE shows. */
static size_t score_text(char *buf, size_t cap, double d)
{
    if (d == floor(d) && fabs(d) < 9007199254740992.0 && !(d == 0 && signbit(d)))
        return (size_t)nf_ll2str(buf, cap, (long long)d);
    return (size_t)nf_d2str(buf, cap, d);
}

/* A pack-encoded set is copied entry by entry: member and score text as
 * the pack holds them (no number formatting); a skiplist's scores are
 * formatted. */
static int enc_zset(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    const unsigned char *pk = tzset_pack(o->v.ptr);
    put_header(b, 'z', tzset_len(o->v.ptr));
    if (pk) {
        for (size_t off = pk_first(pk); off != PK_END; off = pk_next(pk, off)) {
            size_t len;
            const char *s = pk_get(pk, off, &len);
            put_str(b, s, len);
        }
    } else {
        struct tzset_iter it;
        struct tzset_elem e;
        char num[NF_D_BUFSIZE];
        tzset_iter_rank(o->v.ptr, &it, 0, false);
        while (tzset_iter_next(&it, &e)) {
            put_str(b, e.m, e.len);
            put_str(b, num, score_text(num, sizeof(num), e.score));
        }
    }
    return 0;
}

/* Parses a score's text: any number strtod reads (integers exactly), not
 * NaN. */
static bool parse_score(struct reader *r, const char *s, size_t len, double *d)
{
    long long ll;
    char buf[80], *end;
    if (len <= 20 && nf_str2ll(s, len, &ll) && ll >= -(1LL << 53) && ll <= (1LL << 53)) {
        *d = (double)ll;
        return true;
    }
    if (len == 0 || len >= sizeof(buf) || s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) {
        fail(r, "bad sorted-set score (%zu bytes)", len);
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    *d = strtod(buf, &end);
    if (end != buf + len || isnan(*d)) {
        fail(r, isnan(*d) && end == buf + len ? "NaN sorted-set score" : "bad sorted-set score '%s'", buf);
        return false;
    }
    return true;
}

/* Whether a score's text is already what a pack would hold for it (the
 * writer's text always is, but for "%.17g"'s exponent form of a large
 * integer and "-0"); otherwise the pack gets nf_d2str_listpack's text. */
static bool pack_text_ok(const char *s, size_t len)
{
    if ((len == 3 && !memcmp(s, "inf", 3)) || (len == 4 && !memcmp(s, "-inf", 4)))
        return true;
    if (len == 0 || s[0] == '+' || memchr(s, 'e', len) || memchr(s, 'E', len) || memchr(s, 'n', len) ||
        memchr(s, 'N', len) || memchr(s, 'x', len) || memchr(s, 'X', len))
        return false;
    if (memchr(s, '.', len))
        return s[len - 1] != '0' && s[len - 1] != '.' && s[0] != '.' && !(s[0] == '-' && s[1] == '.');
    return nf_str2ll(s, len, NULL);   /* canonical integer digits */
}

static int elem_cmp(double sa, const char *ma, size_t la, double sb, const char *mb, size_t lb)
{
    int c;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    c = memcmp(ma, mb, la < lb ? la : lb);
    return c ? c : (la < lb ? -1 : la > lb);
}

/* A small set in (score, member) order whose members fit the listpack
 * limits becomes a pack in one allocation, the writer's score texts reused;
 * NULL (nothing consumed that matters: the caller re-reads) otherwise. */
static struct kv_obj *dec_zset_bulk(struct reader *r, uint64_t count, const struct tzset_limits *zl)
{
    const char *s[2 * BULK_MAX];
    size_t len[2 * BULK_MAX];
    char fixed[BULK_MAX][NF_D_BUFSIZE];
    double prev = 0;
    for (uint64_t i = 0; i < count; i++) {
        const char **m = &s[2 * i], **t = &s[2 * i + 1];
        size_t *ml = &len[2 * i], *tl = &len[2 * i + 1];
        double d = 0;
        if (!get_str(r, m, ml) || !get_str(r, t, tl))
            return NULL;
        if (*ml > zl->max_value)
            return NULL;
        if (r->trusted && pack_text_ok(*t, *tl))
            continue;   /* the writer's order and text: nothing to check */
        if (!parse_score(r, *t, *tl, &d))
            return NULL;
        if (!r->trusted) {
            if (i && elem_cmp(prev, s[2 * i - 2], len[2 * i - 2], d, *m, *ml) >= 0)
                return NULL;   /* out of order, or a duplicate: the slow path decides */
            for (uint64_t j = 0; j < i; j++)
                if (len[2 * j] == *ml && memcmp(s[2 * j], *m, *ml) == 0)
                    return NULL;
            prev = d;
        }
        if (!pack_text_ok(*t, *tl)) {
            *tl = (size_t)nf_d2str_listpack(fixed[i], sizeof(fixed[i]), d);
            *t = fixed[i];
        }
    }
    return kv_obj_wrap(KV_ZSET, tzset_adopt_pack(pk_build(s, len, (size_t)(2 * count))));
}

/* Otherwise the set is staged in a skiplist and made a pack at the end if
 * it fits (zset-max-listpack-entries and -value): Redis' RDB-load choice.
 * A set that stays a skiplist keeps its exact scores, -0 included (built
 * member by member through a pack, -0 would become 0 as in ZADD). */
static struct kv_obj *dec_zset(struct reader *r, uint64_t count, const struct codec_limits *lim)
{
    struct tzset_limits zl = {
        lim->zset_max_entries < 0 ? 0 : (size_t)lim->zset_max_entries,
        lim->zset_max_value < 0 ? 0 : (size_t)lim->zset_max_value,
    };
    struct tzset *z;
    if (!check_count(r, count, 2))
        return NULL;
    if (count <= zl.max_entries && count <= BULK_MAX) {
        struct reader again = *r;
        struct kv_obj *o = dec_zset_bulk(r, count, &zl);
        if (o || r->failed)
            return o;
        *r = again;
    }
    z = tzset_new_skiplist();
    for (uint64_t i = 0; i < count; i++) {
        const char *m, *t;
        size_t len, tlen;
        double score;
        bool ok;
        if (!get_str(r, &m, &len) || !get_str(r, &t, &tlen) || !parse_score(r, t, tlen, &score))
            break;
        *tzset_acc(z, m, len, &ok) = score;
        if (!ok) {
            fail(r, "duplicate sorted-set member");
            break;
        }
    }
    tzset_acc_done(z, &zl);
    if (r->failed) {
        tzset_free(z);
        return NULL;
    }
    return kv_obj_wrap(KV_ZSET, z);
}

/* ---- streams ------------------------------------------------------------------ */

static void put_id(struct codec_buf *b, const struct tstream_id *id)
{
    put_varint(b, id->ms);
    put_varint(b, id->seq);
}

static bool get_id(struct reader *r, struct tstream_id *id)
{
    return get_varint(r, &id->ms) && get_varint(r, &id->seq);
}

/* Nodes as they are (boundaries, counters, emulated sizes, master names),
 * so approximate trimming after a reload drops what it would have before,
 * as in Redis after an RDB reload; then each node's live entries. */
static int enc_stream(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    const struct tstream *s = o->v.ptr;
    size_t nodes = tstream_nodes(s);
    struct tstream_id last = tstream_last_id(s), maxdel = tstream_max_deleted_id(s);
    put_header(b, 'x', nodes);
    put_id(b, &last);
    put_varint(b, tstream_entries_added(s));
    put_id(b, &maxdel);
    for (size_t i = 0; i < nodes; i++) {
        struct tstream_node_info ni;
        struct tstream_iter it;
        struct tstream_id id;
        size_t npairs;
        tstream_node_info(s, i, &ni);
        put_id(b, &ni.master);
        put_id(b, &ni.last);
        put_varint(b, ni.live);
        put_varint(b, ni.deleted);
        put_varint(b, ni.rbytes);
        put_varint(b, ni.nnames);
        for (size_t k = 0; k < ni.nnames; k++) {
            const char *p;
            size_t len;
            tstream_node_name(s, i, k, &p, &len);
            put_str(b, p, len);
        }
        tstream_iter_init_node(&it, s, i);
        while (tstream_iter_next(&it, &id, &npairs)) {
            const char *f, *v;
            size_t flen, vlen;
            put_id(b, &id);
            put_varint(b, npairs);
            while (tstream_iter_pair(&it, &f, &flen, &v, &vlen)) {
                put_str(b, f, flen);
                put_str(b, v, vlen);
            }
        }
    }
    return 0;
}

/* n strs into kv_args (on the heap past BULK_MAX). */
static struct kv_arg *get_args(struct reader *r, uint64_t n, struct kv_arg *stack)
{
    struct kv_arg *a = n > 2 * BULK_MAX ? kv_xmalloc(sizeof(*a) * (size_t)n) : stack;
    for (uint64_t i = 0; i < n; i++)
        if (!get_str(r, &a[i].ptr, &a[i].len)) {
            if (a != stack)
                free(a);
            return NULL;
        }
    return a;
}

static struct kv_obj *dec_stream(struct reader *r, uint64_t count, const struct codec_limits *lim)
{
    struct tstream *s;
    struct tstream_id last, maxdel;
    uint64_t added;
    struct kv_arg stack[2 * BULK_MAX];
    if (count > (uint64_t)(r->end - r->p) / 8) {
        fail(r, "stream node count %llu does not fit the %zu bytes left", (unsigned long long)count,
             (size_t)(r->end - r->p));
        return NULL;
    }
    if (!get_id(r, &last) || !get_varint(r, &added) || !get_id(r, &maxdel))
        return NULL;
    s = tstream_create();
    for (uint64_t i = 0; i < count && !r->failed; i++) {
        struct tstream_node_info ni;
        uint64_t live, deleted, nnames;
        struct kv_arg *names;
        if (!get_id(r, &ni.master) || !get_id(r, &ni.last) || !get_varint(r, &live) || !get_varint(r, &deleted) ||
            !get_varint(r, &ni.rbytes) || !get_varint(r, &nnames))
            break;
        if (live > UINT32_MAX || deleted > UINT32_MAX || nnames == 0 || nnames > (uint64_t)(r->end - r->p) ||
            live > (uint64_t)(r->end - r->p) / 3) {
            fail(r, "bad stream node %llu (counts out of range)", (unsigned long long)i);
            break;
        }
        ni.live = (uint32_t)live;
        ni.deleted = (uint32_t)deleted;
        ni.nnames = (size_t)nnames;
        names = get_args(r, nnames, stack);
        if (!names)
            break;
        if (!tstream_load_node(s, &ni, names))
            fail(r, "bad stream node %llu (IDs or counters)", (unsigned long long)i);
        if (names != stack)
            free(names);
        for (uint64_t j = 0; j < live && !r->failed; j++) {
            struct tstream_id id;
            uint64_t npairs;
            struct kv_arg *fv;
            if (!get_id(r, &id) || !get_varint(r, &npairs))
                break;
            if (npairs == 0 || npairs > (uint64_t)(r->end - r->p) / 2) {
                fail(r, "bad stream entry (%llu pairs)", (unsigned long long)npairs);
                break;
            }
            fv = get_args(r, 2 * npairs, stack);
            if (!fv)
                break;
            if (!tstream_load_entry(s, &id, fv, (size_t)npairs))
                fail(r, "bad stream entry in node %llu (ID out of order or out of the node)", (unsigned long long)i);
            if (fv != stack)
                free(fv);
        }
    }
    if (!r->failed && !tstream_load_finish(s, &last, added, &maxdel))
        fail(r, "inconsistent stream (node counters, last ID or entries-added)");
    if (r->failed) {
        tstream_destroy(s);
        return NULL;
    }
    (void)lim;
    return kv_obj_wrap(KV_STREAM, s);
}

struct codec_type {
    int type;
    const char *name;   /* TYPE's answer, the snapshot's type column */
    char tag;           /* the collection header's type byte */
    int (*encode)(const struct kv_obj *o, struct codec_buf *b, const char **err);
    struct kv_obj *(*decode)(struct reader *r, uint64_t count, const struct codec_limits *lim);
};

/* Strings have no header and are handled before the table is consulted. */
static const struct codec_type codecs[] = {
    { KV_STRING, "string", 0, NULL, NULL },
    { KV_LIST, "list", 'l', enc_list, dec_list },
    { KV_SET, "set", 's', enc_set, dec_set },
    { KV_ZSET, "zset", 'z', enc_zset, dec_zset },
    { KV_HASH, "hash", 'h', enc_hash, dec_hash },
    { KV_STREAM, "stream", 'x', enc_stream, dec_stream },
};
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

static const struct codec_type *codec_of(int type)
{
    for (size_t i = 0; i < NCODECS; i++)
        if (codecs[i].type == type)
            return &codecs[i];
    return NULL;
}

const char *codec_type_name(int type)
{
    const struct codec_type *t = codec_of(type);
    return t ? t->name : "unknown";
}

int codec_type_from_name(const char *name, size_t len)
{
    for (size_t i = 0; i < NCODECS; i++)
        if (strlen(codecs[i].name) == len && memcmp(codecs[i].name, name, len) == 0)
            return codecs[i].type;
    return -1;
}

bool codec_can_encode(int type)
{
    const struct codec_type *t = codec_of(type);
    return type == KV_STRING || (t && t->encode);
}

int codec_encode(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    b->len = 0;
    return codec_encode_append(o, b, err);
}

int codec_encode_append(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    const struct codec_type *t = codec_of(o->type);
    if (o->type == KV_STRING) {
        char buf[KV_LLSTR_SIZE];
        size_t len;
        const char *p = kv_str_bytes(o, buf, &len);
        put_bytes(b, p, len);
        return 0;
    }
    if (!t || !t->encode) {
        *err = "unknown value type";
        return -1;
    }
    return t->encode(o, b, err);
}

struct kv_obj *codec_decode(int type, const void *p, size_t len, const struct codec_limits *lim, unsigned flags,
                            char *err, size_t errcap)
{
    struct reader r = { p, (const unsigned char *)p + len, err, errcap, false, (flags & CODEC_TRUSTED) != 0 };
    const struct codec_type *t = codec_of(type);
    struct kv_obj *o;
    uint64_t count;
    if (type == KV_STRING) {
        if (len > KV_STR_MAX) {
            fail(&r, "string of %zu bytes is longer than the longest string", len);
            return NULL;
        }
        return kv_str_new_encoded(len ? p : "", len);
    }
    if (!t || !t->decode) {
        fail(&r, "%s values cannot be loaded by this version", t ? t->name : "unknown");
        return NULL;
    }
    if (len < 2) {
        fail(&r, "truncated %s value (%zu bytes)", t->name, len);
        return NULL;
    }
    if (r.p[0] != CODEC_VERSION) {
        fail(&r, "%s value in codec format %u, this version reads %u", t->name, r.p[0], CODEC_VERSION);
        return NULL;
    }
    if (r.p[1] != (unsigned char)t->tag) {
        fail(&r, "%s value carries the type tag 0x%02x", t->name, r.p[1]);
        return NULL;
    }
    r.p += 2;
    if (!get_varint(&r, &count))
        return NULL;
    o = t->decode(&r, count, lim);
    if (o && r.p != r.end) {
        fail(&r, "%zu stray bytes after the last element of a %s value", (size_t)(r.end - r.p), t->name);
        kv_obj_free(o);
        return NULL;
    }
    return o;
}
