/*
 * t_stream: the stream type (see t_stream.h for the contract).
 *
 * Data structures
 *   struct tstream: a growable array of node pointers sorted by ID (every
 *   entry of node i is below every entry of node i + 1), the live length and
 *   Redis' bookkeeping IDs. A lookup by ID is a binary search over the nodes'
 *   base IDs, then a walk inside one node.
 *
 *   struct snode: one node, the unit Redis calls a listpack "macro node":
 *     master    the ID of the first entry ever added to the node, the base
 *               every entry's ID is stored relative to;
 *     last      the ID of the last entry added to it, deleted or not
 *               (MINID trimming drops a node whose last ID is below the
 *               threshold, tombstones included, as Redis does);
 *     pk        an engine/pack: element 0 is the master field names
 *               (varint count, then varint length + bytes per name, taken
 *               from the node's first entry), then one element per live
 *               entry:
 *                 [flags: 1 byte][ms - master.ms: varint]
 *                 [seq: varint; seq - master.seq when ms equals master.ms]
 *                 same fields: [value: varint length + bytes] per master name
 *                 otherwise:   [pairs: varint] [field][value] ...
 *               where flag SAME says that the entry's field names are the
 *               master names in the same order (stored once per node);
 *     live, deleted, rbytes
 *               Redis' emulated state: the node's live and deleted counters
 *               and the size its listpack would have, without the two
 *               counter elements (their size depends on their values).
 *
 * Why emulate Redis' listpack sizes: Redis starts a new node when the tail
 * node's listpack bytes plus the new entry's field and value bytes reach
 * stream-node-max-bytes, or when the node holds stream-node-max-entries
 * entries counting deleted ones (XDEL only marks an entry; the node is freed
 * when its last live entry goes). Approximate trimming drops whole nodes only,
 * so XTRIM ~ / XADD ... MAXLEN ~ results depend on where the boundaries fall.
 * taskkv deletes entries physically (no tombstones in the pack) but keeps the
 * counters and byte sizes Redis would have, computed with Redis' listpack
 * encoding rules (integers that strings spell canonically take 1 to 9 bytes,
 * strings a 1, 2 or 5 byte header, every element a 1 to 5 byte back length;
 * entries carry flags, the two ID deltas, the field count unless the names
 * are the master's, and an element count), so the boundaries - and therefore
 * every trimming result - are Redis'. See docs/DATA-LAYOUT.md for the limits
 * of the emulation.
 *
 * Ownership: the stream owns the node array, the nodes and their packs.
 */
#include "engine/t_stream.h"
#include "engine/varint.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"
#include "engine/pack.h"

#include <stdlib.h>
#include <string.h>

#define FLAG_SAME 1
/* Redis' STREAM_LISTPACK_MAX_SIZE: the cap on a node's bytes and on one
 * entry's field and value bytes. */
#define LISTPACK_MAX ((uint64_t)1 << 30)
/* A listpack's header (total bytes, count) and end marker. */
#define LP_FIXED 7

struct snode {
    struct tstream_id master, last;
    unsigned char *pk;
    uint32_t live, deleted;
    uint64_t rbytes;
};

struct tstream {
    struct snode **nodes;
    size_t n, cap;
    uint64_t length, entries_added;
    struct tstream_id last_id, first_id, max_deleted;
};

static const struct tstream_id ID_ZERO = { 0, 0 };

/* ---- IDs ------------------------------------------------------------------ */

int tstream_id_cmp(const struct tstream_id *a, const struct tstream_id *b)
{
    if (a->ms != b->ms)
        return a->ms < b->ms ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

bool tstream_id_incr(struct tstream_id *id)
{
    if (id->seq != UINT64_MAX) {
        id->seq++;
        return true;
    }
    if (id->ms == UINT64_MAX)
        return false;
    id->ms++;
    id->seq = 0;
    return true;
}

bool tstream_id_decr(struct tstream_id *id)
{
    if (id->seq != 0) {
        id->seq--;
        return true;
    }
    if (id->ms == 0)
        return false;
    id->ms--;
    id->seq = UINT64_MAX;
    return true;
}

static size_t u64_format(char *buf, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

size_t tstream_id_format(char *buf, const struct tstream_id *id)
{
    size_t n = u64_format(buf, id->ms);
    buf[n++] = '-';
    n += u64_format(buf + n, id->seq);
    buf[n] = '\0';
    return n;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

/* strtoull(s, &end, 10) over the whole NUL-free string s[0..len) with errno
 * checks, as Redis' string2ull falls back to: blanks, a sign ('-' negates
 * modulo 2^64), digits, nothing after them, no overflow. */
static bool strtoull_whole(const char *s, size_t len, uint64_t *out)
{
    size_t i = 0;
    bool neg = false, digits = false;
    uint64_t v = 0;
    while (i < len && is_space(s[i]))
        i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;          /* ERANGE */
        v = v * 10 + d;
        digits = true;
    }
    if (!digits || i != len)
        return false;
    *out = neg ? (uint64_t)0 - v : v;
    return true;
}

/* Redis' string2ull: a canonical long long (negative ones refused), else the
 * strtoull syntax above. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
    long long ll;
    if (nf_str2ll(s, len, &ll)) {
        if (ll < 0)
            return false;
        *out = (uint64_t)ll;
        return true;
    }
    return len > 0 && strtoull_whole(s, len, out);
}

bool tstream_id_parse(const char *p, size_t len, enum tstream_id_syntax syntax, uint64_t missing_seq,
                      struct tstream_id *out, bool *seq_star)
{
    const char *nul, *dash;
    uint64_t ms, seq;

    if (len > 127)
        return false;
    nul = len ? memchr(p, '\0', len) : NULL;
    if (nul)
        len = (size_t)(nul - p);
    if (len == 1 && (p[0] == '-' || p[0] == '+')) {
        if (syntax == TSTREAM_ID_STRICT)
            return false;
        out->ms = out->seq = p[0] == '-' ? 0 : UINT64_MAX;
        return true;
    }
    dash = len ? memchr(p, '-', len) : NULL;
    if (!parse_u64(p, dash ? (size_t)(dash - p) : len, &ms))
        return false;
    if (!dash) {
        seq = missing_seq;
    } else {
        const char *sp = dash + 1;
        size_t slen = len - (size_t)(sp - p);
        if (seq_star && slen == 1 && sp[0] == '*') {
            *seq_star = true;
            seq = 0;
        } else if (!parse_u64(sp, slen, &seq)) {
            return false;
        }
    }
    out->ms = ms;
    out->seq = seq;
    return true;
}

/* ---- varints ------------------------------------------------------------------ */

/* Reads one varint and moves past it. */
static uint64_t vget(const unsigned char **pp)
{
    uint64_t v;
    *pp += varint_get(*pp, &v);
    return v;
}

/* ---- Redis' listpack sizes (the emulation) ------------------------------ */

/* Bytes of an integer element: encoding plus its 1-byte back length. */
static uint64_t lp_int_size(int64_t v)
{
    if (v >= 0 && v <= 127)
        return 2;
    if (v >= -4096 && v <= 4095)
        return 3;
    if (v >= -32768 && v <= 32767)
        return 4;
    if (v >= -8388608 && v <= 8388607)
        return 5;
    if (v >= INT32_MIN && v <= INT32_MAX)
        return 6;
    return 10;
}

/* Bytes of the element Redis appends for a string: an integer when the
 * bytes spell one canonically, else header + bytes + back length. */
static uint64_t lp_str_size(const char *s, size_t len)
{
    long long v;
    uint64_t enc;
    if (len <= 20 && nf_str2ll(s, len, &v))
        return lp_int_size(v);
    enc = (len < 64 ? 1 : len < 4096 ? 2 : 5) + (uint64_t)len;
    if (enc <= 127)
        return enc + 1;
    if (enc < 16383)
        return enc + 2;
    if (enc < 2097151)
        return enc + 3;
    if (enc < 268435455)
        return enc + 4;
    return enc + 5;
}

/* The node's emulated listpack size, counters included. */
static uint64_t lp_bytes(const struct snode *nd)
{
    return nd->rbytes + lp_int_size(nd->live) + lp_int_size(nd->deleted);
}

/* ---- nodes ------------------------------------------------------------------------- */

static void node_free(struct snode *nd)
{
    pk_destroy(nd->pk);
    free(nd);
}

/* A buffer for building one pack element: on the stack when small. */
struct ebuf {
    unsigned char *p;
    size_t len;
    unsigned char local[512];
};

static unsigned char *ebuf_init(struct ebuf *b, size_t cap)
{
    b->p = cap <= sizeof(b->local) ? b->local : kv_xmalloc(cap);
    b->len = 0;
    return b->p;
}

static void ebuf_deinit(struct ebuf *b)
{
    if (b->p != b->local)
        free(b->p);
}

static void ebuf_str(struct ebuf *b, const char *s, size_t len)
{
    b->len += varint_put(b->p + b->len, len);
    if (len)
        memcpy(b->p + b->len, s, len);
    b->len += len;
}

/* A new node whose master names are names[0], names[stride], ... (n of
 * them: an entry's fields with stride 2, a saved list with stride 1). */
static struct snode *node_create(const struct tstream_id *id, const struct kv_arg *names, size_t n, size_t stride)
{
    struct snode *nd = kv_xcalloc(1, sizeof(*nd));
    struct ebuf b;
    size_t cap = 10;
    for (size_t i = 0; i < n; i++)
        cap += 10 + names[stride * i].len;
    ebuf_init(&b, cap);
    b.len = varint_put(b.p, n);
    nd->rbytes = LP_FIXED + lp_int_size((int64_t)n) + lp_int_size(0);   /* count, names, 0 terminator */
    for (size_t i = 0; i < n; i++) {
        ebuf_str(&b, names[stride * i].ptr, names[stride * i].len);
        nd->rbytes += lp_str_size(names[stride * i].ptr, names[stride * i].len);
    }
    nd->pk = pk_create();
    pk_append(&nd->pk, (const char *)b.p, b.len);
    ebuf_deinit(&b);
    nd->master = *id;
    nd->last = *id;
    return nd;
}

/* The master names element: *count names, the first at the returned
 * pointer (varint length + bytes each). */
static const unsigned char *node_names(const struct snode *nd, size_t *count)
{
    size_t len;
    const unsigned char *p = (const unsigned char *)pk_get(nd->pk, pk_first(nd->pk), &len);
    *count = (size_t)vget(&p);
    return p;
}

/* Whether the fields of fv are the node's master names, in order. */
static bool same_fields(const struct snode *nd, const struct kv_arg *fv, size_t npairs)
{
    size_t count;
    const unsigned char *p = node_names(nd, &count);
    if (count != npairs)
        return false;
    for (size_t i = 0; i < npairs; i++) {
        size_t len = (size_t)vget(&p);
        if (len != fv[2 * i].len || (len && memcmp(p, fv[2 * i].ptr, len) != 0))
            return false;
        p += len;
    }
    return true;
}

/* An entry's ID from its element (p at the flags byte); *pp moves past the
 * ID, *flags gets the flags. */
static struct tstream_id entry_id(const struct snode *nd, const unsigned char **pp, int *flags)
{
    const unsigned char *p = *pp;
    struct tstream_id id;
    uint64_t dms, seq;
    *flags = *p++;
    dms = vget(&p);
    seq = vget(&p);
    id.ms = nd->master.ms + dms;
    id.seq = dms == 0 ? nd->master.seq + seq : seq;
    *pp = p;
    return id;
}

static struct tstream_id entry_id_at(const struct snode *nd, size_t off)
{
    size_t len;
    int flags;
    const unsigned char *p = (const unsigned char *)pk_get(nd->pk, off, &len);
    return entry_id(nd, &p, &flags);
}

/* The first / last live entry's offset in a node, PK_END if none. */
static size_t node_first_entry(const struct snode *nd)
{
    return pk_next(nd->pk, pk_first(nd->pk));
}

static size_t node_last_entry(const struct snode *nd)
{
    size_t off = pk_last(nd->pk);
    return off == pk_first(nd->pk) ? PK_END : off;
}

/* Appends the entry to the node: pack element and emulated bytes. */
static void node_append(struct snode *nd, const struct tstream_id *id, const struct kv_arg *fv, size_t npairs,
                        bool same)
{
    struct ebuf b;
    size_t cap = 32;
    uint64_t dms = id->ms - nd->master.ms;
    int64_t lp_count = (int64_t)npairs + 3 + (same ? 0 : (int64_t)npairs + 1);

    for (size_t i = 0; i < npairs; i++)
        cap += 20 + fv[2 * i].len + fv[2 * i + 1].len;
    ebuf_init(&b, cap);
    b.p[b.len++] = same ? FLAG_SAME : 0;
    b.len += varint_put(b.p + b.len, dms);
    b.len += varint_put(b.p + b.len, dms == 0 ? id->seq - nd->master.seq : id->seq);
    if (!same)
        b.len += varint_put(b.p + b.len, npairs);
    /* Redis: flags (0 or 2: two bytes), the ms and seq deltas (as int64),
     * the field count unless same, names unless same, values, lp-count. */
    nd->rbytes += 2 + lp_int_size((int64_t)dms) + lp_int_size((int64_t)(id->seq - nd->master.seq)) +
                  lp_int_size(lp_count);
    if (!same)
        nd->rbytes += lp_int_size((int64_t)npairs);
    for (size_t i = 0; i < npairs; i++) {
        const struct kv_arg *f = &fv[2 * i], *v = &fv[2 * i + 1];
        if (!same) {
            ebuf_str(&b, f->ptr, f->len);
            nd->rbytes += lp_str_size(f->ptr, f->len);
        }
        ebuf_str(&b, v->ptr, v->len);
        nd->rbytes += lp_str_size(v->ptr, v->len);
    }
    pk_append(&nd->pk, (const char *)b.p, b.len);
    ebuf_deinit(&b);
    nd->live++;
    nd->last = *id;
}

/* ---- the stream ----------------------------------------------------------- */

struct tstream *tstream_create(void)
{
    return kv_xcalloc(1, sizeof(struct tstream));
}

void tstream_destroy(struct tstream *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        node_free(s->nodes[i]);
    free(s->nodes);
    free(s);
}

struct tstream *tstream_dup(const struct tstream *s)
{
    struct tstream *d = kv_xmalloc(sizeof(*d));
    *d = *s;
    d->cap = s->n;
    d->nodes = s->n ? kv_xmalloc(sizeof(*d->nodes) * s->n) : NULL;
    for (size_t i = 0; i < s->n; i++) {
        struct snode *nd = kv_xmalloc(sizeof(*nd));
        *nd = *s->nodes[i];
        nd->pk = pk_dup(s->nodes[i]->pk);
        d->nodes[i] = nd;
    }
    return d;
}

uint64_t tstream_length(const struct tstream *s) { return s->length; }
struct tstream_id tstream_last_id(const struct tstream *s) { return s->last_id; }
struct tstream_id tstream_first_id(const struct tstream *s) { return s->first_id; }
struct tstream_id tstream_max_deleted_id(const struct tstream *s) { return s->max_deleted; }
uint64_t tstream_entries_added(const struct tstream *s) { return s->entries_added; }
size_t tstream_nodes(const struct tstream *s) { return s->n; }

/* The first live entry's ID (the stream is not empty). */
static struct tstream_id first_live_id(const struct tstream *s)
{
    for (size_t i = 0; i < s->n; i++) {
        size_t off = node_first_entry(s->nodes[i]);
        if (off != PK_END)
            return entry_id_at(s->nodes[i], off);
    }
    return ID_ZERO;
}

bool tstream_last_entry_id(const struct tstream *s, struct tstream_id *out)
{
    for (size_t i = s->n; i-- > 0;) {
        size_t off = node_last_entry(s->nodes[i]);
        if (off != PK_END) {
            *out = entry_id_at(s->nodes[i], off);
            return true;
        }
    }
    return false;
}

/* Index of the last node whose master ID is <= id; SIZE_MAX if none. */
static size_t find_node(const struct tstream *s, const struct tstream_id *id)
{
    size_t lo = 0, hi = s->n;   /* answer in [lo - 1, hi - 1] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tstream_id_cmp(&s->nodes[mid]->master, id) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : SIZE_MAX;
}

static void nodes_push(struct tstream *s, struct snode *nd)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->nodes = kv_xrealloc(s->nodes, sizeof(*s->nodes) * s->cap);
    }
    s->nodes[s->n++] = nd;
}

/* Frees nodes [i, i + k) and closes the gap. */
static void nodes_remove(struct tstream *s, size_t i, size_t k)
{
    for (size_t j = i; j < i + k; j++)
        node_free(s->nodes[j]);
    memmove(s->nodes + i, s->nodes + i + k, sizeof(*s->nodes) * (s->n - i - k));
    s->n -= k;
    if (s->n == 0) {
        free(s->nodes);
        s->nodes = NULL;
        s->cap = 0;
    }
}

/* ---- appending -------------------------------------------------------------- */

/* The ID XADD would give the entry, per Redis' streamAppendItem. */
static enum tstream_add_result next_id(const struct tstream *s, enum tstream_id_mode mode,
                                       const struct tstream_id *given, int64_t now_ms, struct tstream_id *id)
{
    switch (mode) {
    case TSTREAM_ID_AUTO:
        if (now_ms > 0 && (uint64_t)now_ms > s->last_id.ms) {
            id->ms = (uint64_t)now_ms;
            id->seq = 0;
        } else {
            *id = s->last_id;
            tstream_id_incr(id);   /* cannot fail: last is not max-max */
        }
        return TSTREAM_ADDED;
    case TSTREAM_ID_MS:
        if (given->ms == s->last_id.ms) {
            if (s->last_id.seq == UINT64_MAX)
                return TSTREAM_NO_SEQ_LEFT;
            id->ms = given->ms;
            id->seq = s->last_id.seq + 1;
        } else {
            id->ms = given->ms;
            id->seq = 0;
        }
        break;
    case TSTREAM_ID_EXPLICIT:
        *id = *given;
        break;
    }
    return tstream_id_cmp(id, &s->last_id) > 0 ? TSTREAM_ADDED : TSTREAM_ID_TOO_SMALL;
}

enum tstream_add_result tstream_add(struct tstream *s, enum tstream_id_mode mode, const struct tstream_id *given,
                                    int64_t now_ms, const struct kv_arg *fv, size_t npairs,
                                    const struct tstream_limits *lim, struct tstream_id *out)
{
    struct tstream_id id;
    struct snode *tail = s->n ? s->nodes[s->n - 1] : NULL;
    uint64_t total = 0, max_bytes;
    enum tstream_add_result r;
    bool same;

    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX)
        return TSTREAM_EXHAUSTED;
    r = next_id(s, mode, given, now_ms, &id);
    if (r != TSTREAM_ADDED)
        return r;
    for (size_t i = 0; i < 2 * npairs; i++)
        total += fv[i].len;
    if (total > LISTPACK_MAX)
        return TSTREAM_TOO_LARGE;

    /* Redis' rule for opening a new node. */
    max_bytes = lim->node_max_bytes <= 0 || (uint64_t)lim->node_max_bytes > LISTPACK_MAX
                    ? LISTPACK_MAX
                    : (uint64_t)lim->node_max_bytes;
    if (tail && (lp_bytes(tail) + total >= max_bytes ||
                 (lim->node_max_entries > 0 &&
                  (long long)tail->live + (long long)tail->deleted >= lim->node_max_entries)))
        tail = NULL;
    if (!tail) {
        tail = node_create(&id, fv, npairs, 2);
        nodes_push(s, tail);
        same = true;
    } else {
        same = same_fields(tail, fv, npairs);
    }
    node_append(tail, &id, fv, npairs, same);

    s->length++;
    s->entries_added++;
    s->last_id = id;
    if (s->length == 1)
        s->first_id = id;
    *out = id;
    return TSTREAM_ADDED;
}

/* ---- removing ----------------------------------------------------------- */

/* Finds the live entry with this ID: true with its node index and offset. */
static bool locate(const struct tstream *s, const struct tstream_id *id, size_t *ni, size_t *off)
{
    size_t i = find_node(s, id);
    const struct snode *nd;
    if (i == SIZE_MAX)
        return false;
    nd = s->nodes[i];
    for (size_t o = node_first_entry(nd); o != PK_END; o = pk_next(nd->pk, o)) {
        struct tstream_id cur = entry_id_at(nd, o);
        int c = tstream_id_cmp(&cur, id);
        if (c == 0) {
            *ni = i;
            *off = o;
            return true;
        }
        if (c > 0)
            break;
    }
    return false;
}

bool tstream_delete(struct tstream *s, const struct tstream_id *id)
{
    size_t i, off;
    struct snode *nd;
    if (!locate(s, id, &i, &off))
        return false;
    nd = s->nodes[i];
    if (nd->live == 1) {
        nodes_remove(s, i, 1);   /* Redis frees the node with its last live entry */
    } else {
        pk_delete(&nd->pk, off, 1);
        nd->live--;
        nd->deleted++;
    }
    s->length--;
    if (tstream_id_cmp(id, &s->max_deleted) > 0)
        s->max_deleted = *id;
    if (s->length == 0)
        s->first_id = ID_ZERO;
    else if (tstream_id_cmp(id, &s->first_id) == 0)
        s->first_id = first_live_id(s);
    return true;
}

/* Exact trimming inside one node: deletes its oldest live entries while the
 * stream is too long (MAXLEN) or they are below the threshold (MINID). */
static uint64_t trim_inside(struct tstream *s, struct snode *nd, const struct tstream_trim *t)
{
    uint64_t n = 0;
    size_t off = node_first_entry(nd);
    while (off != PK_END) {
        if (t->strategy == TSTREAM_TRIM_MAXLEN) {
            if (s->length <= t->maxlen)
                break;
        } else {
            struct tstream_id cur = entry_id_at(nd, off);
            if (tstream_id_cmp(&cur, &t->minid) >= 0)
                break;
        }
        off = pk_delete(&nd->pk, off, 1);
        nd->live--;
        nd->deleted++;
        s->length--;
        n++;
    }
    return n;
}

uint64_t tstream_trim(struct tstream *s, const struct tstream_trim *t)
{
    uint64_t deleted = 0;
    size_t gone = 0;   /* whole nodes dropped from the front */

    while (gone < s->n) {
        struct snode *nd = s->nodes[gone];
        bool whole;
        if (t->strategy == TSTREAM_TRIM_MAXLEN && s->length <= t->maxlen)
            break;
        if (t->limit > 0 && deleted + nd->live > (uint64_t)t->limit)
            break;
        if (t->strategy == TSTREAM_TRIM_MAXLEN)
            whole = s->length - nd->live >= t->maxlen;
        else
            whole = tstream_id_cmp(&nd->last, &t->minid) < 0;
        if (whole) {
            s->length -= nd->live;
            deleted += nd->live;
            gone++;
            continue;
        }
        if (!t->approx)
            deleted += trim_inside(s, nd, t);
        break;
    }
    if (gone)
        nodes_remove(s, 0, gone);
    s->first_id = s->length ? first_live_id(s) : ID_ZERO;
    return deleted;
}

/* ---- reading -------------------------------------------------------------- */

void tstream_iter_init(struct tstream_iter *it, const struct tstream *s, const struct tstream_id *start,
                       const struct tstream_id *end, bool rev)
{
    memset(it, 0, sizeof(*it));
    it->s = s;
    it->start = *start;
    it->end = *end;
    it->rev = rev;
    it->off = PK_END;
    it->done = s->n == 0 || tstream_id_cmp(start, end) > 0;
    if (it->done)
        return;
    it->node = find_node(s, rev ? end : start);
    if (it->node == SIZE_MAX) {
        if (rev)
            it->done = true;   /* every entry is above `end` */
        else
            it->node = 0;
    }
}

/* Steps to the next entry in the walk's direction (across nodes); false at
 * the end of the stream. */
static bool step(struct tstream_iter *it)
{
    const struct tstream *s = it->s;
    for (;;) {
        const struct snode *nd = s->nodes[it->node];
        if (!it->rev) {
            it->off = it->off == PK_END ? node_first_entry(nd) : pk_next(nd->pk, it->off);
            if (it->off != PK_END)
                return true;
            if (++it->node >= s->n)
                return false;
        } else {
            it->off = it->off == PK_END ? node_last_entry(nd) : pk_prev(nd->pk, it->off);
            if (it->off != PK_END && it->off != pk_first(nd->pk))
                return true;
            if (it->node-- == 0)
                return false;
        }
        it->off = PK_END;
    }
}

bool tstream_iter_next(struct tstream_iter *it, struct tstream_id *id, size_t *npairs)
{
    while (!it->done) {
        const struct snode *nd;
        const unsigned char *p;
        size_t len;
        int flags;
        if (!step(it)) {
            it->done = true;
            break;
        }
        nd = it->s->nodes[it->node];
        p = (const unsigned char *)pk_get(nd->pk, it->off, &len);
        *id = entry_id(nd, &p, &flags);
        if (!it->rev ? tstream_id_cmp(id, &it->start) < 0 : tstream_id_cmp(id, &it->end) > 0)
            continue;
        if (!it->rev ? tstream_id_cmp(id, &it->end) > 0 : tstream_id_cmp(id, &it->start) < 0) {
            it->done = true;
            break;
        }
        it->same = flags & FLAG_SAME;
        if (it->same) {
            it->mp = node_names(nd, &it->left);
        } else {
            it->left = (size_t)vget(&p);
            it->mp = NULL;
        }
        it->p = p;
        *npairs = it->left;
        return true;
    }
    return false;
}

bool tstream_iter_pair(struct tstream_iter *it, const char **f, size_t *flen, const char **v, size_t *vlen)
{
    const unsigned char **names = it->same ? &it->mp : &it->p;
    if (it->left == 0)
        return false;
    *flen = (size_t)vget(names);
    *f = (const char *)*names;
    *names += *flen;
    *vlen = (size_t)vget(&it->p);
    *v = (const char *)it->p;
    it->p += *vlen;
    it->left--;
    return true;
}

/* ---- persistence -------------------------------------------------------------- */

void tstream_node_info(const struct tstream *s, size_t i, struct tstream_node_info *out)
{
    const struct snode *nd = s->nodes[i];
    out->master = nd->master;
    out->last = nd->last;
    out->live = nd->live;
    out->deleted = nd->deleted;
    out->rbytes = nd->rbytes;
    node_names(nd, &out->nnames);
}

void tstream_node_name(const struct tstream *s, size_t i, size_t k, const char **p, size_t *len)
{
    size_t count;
    const unsigned char *q = node_names(s->nodes[i], &count);
    for (size_t j = 0;; j++) {
        size_t l = (size_t)vget(&q);
        if (j == k) {
            *p = (const char *)q;
            *len = l;
            return;
        }
        q += l;
    }
}

void tstream_iter_init_node(struct tstream_iter *it, const struct tstream *s, size_t i)
{
    tstream_iter_init(it, s, &ID_ZERO, &(struct tstream_id){ UINT64_MAX, UINT64_MAX }, false);
    it->node = i;
    it->done = false;
    it->end = s->nodes[i]->last;   /* the walk stops at the node's end */
}

bool tstream_load_node(struct tstream *s, const struct tstream_node_info *info, const struct kv_arg *names)
{
    struct snode *nd, *prev = s->n ? s->nodes[s->n - 1] : NULL;
    if (tstream_id_cmp(&info->master, &info->last) > 0 || info->live + (uint64_t)info->deleted == 0 ||
        info->nnames == 0 || (prev && (tstream_id_cmp(&prev->last, &info->master) >= 0 ||
                                       pk_count(prev->pk) != prev->live + 1)))
        return false;
    nd = node_create(&info->master, names, info->nnames, 1);
    nd->last = info->last;
    nd->live = info->live;
    nd->deleted = info->deleted;
    nd->rbytes = info->rbytes;
    nodes_push(s, nd);
    return true;
}

bool tstream_load_entry(struct tstream *s, const struct tstream_id *id, const struct kv_arg *fv, size_t npairs)
{
    struct snode *nd = s->n ? s->nodes[s->n - 1] : NULL;
    struct tstream_id prev, last;
    uint32_t live;
    uint64_t rbytes;
    if (!nd || npairs == 0 || pk_count(nd->pk) >= (uint64_t)nd->live + 1)
        return false;
    if (tstream_id_cmp(id, &nd->master) < 0 || tstream_id_cmp(id, &nd->last) > 0)
        return false;
    if (pk_count(nd->pk) > 1) {
        prev = entry_id_at(nd, pk_last(nd->pk));
        if (tstream_id_cmp(id, &prev) <= 0)
            return false;
    }
    /* node_append counts the entry and its bytes: keep the saved values */
    live = nd->live;
    last = nd->last;
    rbytes = nd->rbytes;
    node_append(nd, id, fv, npairs, same_fields(nd, fv, npairs));
    nd->live = live;
    nd->last = last;
    nd->rbytes = rbytes;
    s->length++;
    return true;
}

bool tstream_load_finish(struct tstream *s, const struct tstream_id *last_id, uint64_t entries_added,
                         const struct tstream_id *max_deleted)
{
    for (size_t i = 0; i < s->n; i++)
        if (pk_count(s->nodes[i]->pk) != s->nodes[i]->live + 1)
            return false;
    if (s->n && tstream_id_cmp(&s->nodes[s->n - 1]->last, last_id) > 0)
        return false;
    if (entries_added < s->length)
        return false;
    s->last_id = *last_id;
    s->entries_added = entries_added;
    s->max_deleted = *max_deleted;
    s->first_id = s->length ? first_live_id(s) : ID_ZERO;
    return tstream_verify(s);
}

/* ---- accounting and checks ---------------------------------------------------- */

size_t tstream_mem_usage(const struct tstream *s)
{
    size_t n = sizeof(*s) + sizeof(*s->nodes) * s->cap;
    for (size_t i = 0; i < s->n; i++)
        n += sizeof(struct snode) + pk_bytes(s->nodes[i]->pk);
    return n;
}

size_t tstream_mem_estimate(const struct tstream *s, size_t samples)
{
    size_t bytes = kv_alloc_size(s) + kv_alloc_size(s->nodes), seen = 0, sum = 0;
    for (size_t i = 0; i < s->n && seen < samples; i++, seen++)
        sum += kv_alloc_size(s->nodes[i]) + kv_alloc_size(s->nodes[i]->pk);
    return seen ? bytes + (size_t)((double)sum / (double)seen * (double)s->n) : bytes;
}

/* The emulated bytes of a node holding its master names and live entries
 * only (what rbytes must equal while nothing was deleted from it). */
static uint64_t node_rbytes_live(const struct snode *nd)
{
    size_t count, len;
    const unsigned char *p = node_names(nd, &count);
    uint64_t b = LP_FIXED + lp_int_size((int64_t)count) + lp_int_size(0);
    for (size_t i = 0; i < count; i++) {
        len = (size_t)vget(&p);
        b += lp_str_size((const char *)p, len);
        p += len;
    }
    for (size_t off = node_first_entry(nd); off != PK_END; off = pk_next(nd->pk, off)) {
        const unsigned char *q = (const unsigned char *)pk_get(nd->pk, off, &len), *names = NULL;
        int flags;
        struct tstream_id id = entry_id(nd, &q, &flags);
        size_t np = (flags & FLAG_SAME) ? count : (size_t)vget(&q);
        if (flags & FLAG_SAME)
            names = node_names(nd, &count);
        b += 2 + lp_int_size((int64_t)(id.ms - nd->master.ms)) + lp_int_size((int64_t)(id.seq - nd->master.seq)) +
             lp_int_size((int64_t)np + 3 + ((flags & FLAG_SAME) ? 0 : (int64_t)np + 1));
        if (!(flags & FLAG_SAME))
            b += lp_int_size((int64_t)np);
        for (size_t k = 0; k < np; k++) {
            const unsigned char **fp = names ? &names : &q;
            size_t fl = (size_t)vget(fp);
            if (!names)
                b += lp_str_size((const char *)*fp, fl);
            *fp += fl;
            fl = (size_t)vget(&q);
            b += lp_str_size((const char *)q, fl);
            q += fl;
        }
    }
    return b;
}

bool tstream_verify(const struct tstream *s)
{
    uint64_t live = 0;
    bool any = false;
    struct tstream_id prev = ID_ZERO, first = ID_ZERO;
    for (size_t i = 0; i < s->n; i++) {
        const struct snode *nd = s->nodes[i];
        uint64_t count = 0, want;
        if (nd->live + nd->deleted == 0 || pk_count(nd->pk) != nd->live + 1)
            return false;
        if (i > 0 && tstream_id_cmp(&s->nodes[i - 1]->last, &nd->master) >= 0)
            return false;
        if (tstream_id_cmp(&nd->master, &nd->last) > 0 || tstream_id_cmp(&nd->last, &s->last_id) > 0)
            return false;
        for (size_t off = node_first_entry(nd); off != PK_END; off = pk_next(nd->pk, off)) {
            struct tstream_id id = entry_id_at(nd, off);
            if ((any && tstream_id_cmp(&id, &prev) <= 0) || tstream_id_cmp(&id, &nd->master) < 0 ||
                tstream_id_cmp(&id, &nd->last) > 0)
                return false;
            if (!any)
                first = id;
            any = true;
            prev = id;
            count++;
        }
        if (count != nd->live)
            return false;
        want = node_rbytes_live(nd);
        if (nd->deleted == 0 ? nd->rbytes != want : nd->rbytes <= want)
            return false;
        live += count;
    }
    if (live != s->length || (s->n == 0 && s->cap != 0))
        return false;
    return tstream_id_cmp(&s->first_id, &first) == 0;
}

/* ---- type operations ----------------------------------------------------------- */

static void ops_destroy(void *p) { tstream_destroy(p); }
static void *ops_dup(const void *p) { return tstream_dup(p); }
static int ops_encoding(const void *p)
{
    (void)p;
    return KV_ENC_STREAM;
}

const struct kv_type_ops tstream_ops = { ops_destroy, ops_dup, ops_encoding };
