/*
 * t_list: the quicklist behind the list type (see t_list.h for the model,
 * the fill rule and the invariants).
 *
 * Data structures:
 *   struct tlist       head and tail node, element count, node count;
 *   struct tlist_node  prev/next links and the node's pack - 24 bytes; the
 *                      node's element count and size are read from the pack
 *                      header (pk_count, pk_bytes), never duplicated.
 *
 * Growth: an element goes into the node where it belongs when that node
 * still fits it (the pack's size after the insert is computed exactly from
 * the pack layout); at a node's edge it may go into the neighbour instead;
 * otherwise a new node is made, splitting the node first when the position
 * is in its middle. Shrinking: after a delete, a node left empty is freed,
 * and a node is merged with a neighbour when both fit in one.
 *
 * Nothing here allocates through anything but kv_x* / pk_*, so OOM aborts.
 */
#include "engine/t_list.h"

#include "engine/alloc.h"
#include "engine/pack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tlist_node {
    struct tlist_node *prev, *next;
    unsigned char *pk;
};

struct tlist {
    struct tlist_node *head, *tail;
    size_t len;
    size_t nodes;
    int fill;             /* the list's own fill (tlist_set_fill), as a quicklist's */
};

#define FILL_MIN (-5)
#define FILL_MAX 32767
#define SAFETY_LIMIT 8192
#define PLAIN_DEFAULT ((size_t)1 << 30)
#define PLAIN_MAX (((size_t)1 << 32) - ((size_t)1 << 20))

/* Elements of at least this many bytes live alone in a plain node (see
 * t_list.h: a process-wide debugging knob, as in Redis). */
static size_t plain_threshold = PLAIN_DEFAULT;

bool tlist_set_plain_threshold(size_t bytes)
{
    if (bytes > PLAIN_MAX)
        return false;
    plain_threshold = bytes ? bytes : PLAIN_DEFAULT;
    return true;
}

static bool is_large(size_t len) { return len >= plain_threshold; }

/* A node holding one element that is large: nothing joins it. */
static bool is_plain(const struct tlist_node *n)
{
    size_t len;
    if (pk_count(n->pk) != 1)
        return false;
    pk_get(n->pk, pk_first(n->pk), &len);
    return is_large(len);
}

/* ---- fill rule ---------------------------------------------------------- */

static int clamp_fill(int fill)
{
    return fill < FILL_MIN ? FILL_MIN : fill > FILL_MAX ? FILL_MAX : fill;
}

/* Whether a node of `bytes` holding `count` elements respects the fill. */
static bool fits(size_t bytes, size_t count, int fill)
{
    fill = clamp_fill(fill);
    if (fill < 0)
        return bytes <= ((size_t)4096 << (-fill - 1));
    return bytes <= SAFETY_LIMIT && count <= (size_t)fill;
}

static bool node_fits_more(const struct tlist_node *n, size_t len, int fill)
{
    if (is_large(len) || is_plain(n))
        return false;
    return fits(pk_bytes(n->pk) + pk_entry_size(len), pk_count(n->pk) + 1, fill);
}

/* ---- node list management ------------------------------------------------ */

static struct tlist_node *node_new(void)
{
    struct tlist_node *n = kv_xmalloc(sizeof(*n));
    n->prev = n->next = NULL;
    n->pk = pk_create();
    return n;
}

static void node_free(struct tlist_node *n)
{
    pk_destroy(n->pk);
    free(n);
}

/* Links `n` after `at` (at NULL: as the new head). */
static void link_after(struct tlist *l, struct tlist_node *at, struct tlist_node *n)
{
    n->prev = at;
    n->next = at ? at->next : l->head;
    if (n->next)
        n->next->prev = n;
    else
        l->tail = n;
    if (at)
        at->next = n;
    else
        l->head = n;
    l->nodes++;
}

static void unlink_node(struct tlist *l, struct tlist_node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
    l->nodes--;
    node_free(n);
}

/* Merges b (a's successor) into a when both fit one node; true if done. */
static bool try_merge(struct tlist *l, struct tlist_node *a, struct tlist_node *b, int fill)
{
    if (!a || !b || is_plain(a) || is_plain(b) ||
        !fits(pk_bytes(a->pk) + pk_bytes(b->pk), pk_count(a->pk) + pk_count(b->pk), fill))
        return false;
    pk_merge(&a->pk, b->pk);
    unlink_node(l, b);
    return true;
}

/* After elements left `n`: frees it when empty, else merges it with its
 * neighbours when they fit together. */
static void node_shrunk(struct tlist *l, struct tlist_node *n, int fill)
{
    struct tlist_node *p = n->prev;
    if (pk_count(n->pk) == 0) {
        unlink_node(l, n);
        return;
    }
    if (try_merge(l, p, n, fill))
        n = p;
    try_merge(l, n, n->next, fill);
}

/* ---- positions -------------------------------------------------------------- */

/* The node holding element `index` (0..len-1) and the index inside it,
 * walking from the nearer end. */
static struct tlist_node *locate(const struct tlist *l, size_t index, size_t *in_node)
{
    struct tlist_node *n;
    if (index < l->len / 2) {
        for (n = l->head; index >= pk_count(n->pk); n = n->next)
            index -= pk_count(n->pk);
        *in_node = index;
        return n;
    }
    size_t from_tail = l->len - 1 - index;
    for (n = l->tail; from_tail >= pk_count(n->pk); n = n->prev)
        from_tail -= pk_count(n->pk);
    *in_node = pk_count(n->pk) - 1 - from_tail;
    return n;
}

/* Normalizes a possibly negative index; false when out of range. */
static bool norm_index(const struct tlist *l, long long index, size_t *out)
{
    if (index < 0)
        index += (long long)l->len;
    if (index < 0 || (unsigned long long)index >= l->len)
        return false;
    *out = (size_t)index;
    return true;
}

/* Moves the entries of n from offset `off` on into a new node after n. */
static struct tlist_node *split(struct tlist *l, struct tlist_node *n, size_t off)
{
    struct tlist_node *b = kv_xmalloc(sizeof(*b));
    b->pk = pk_split(&n->pk, off);
    link_after(l, n, b);
    return b;
}

/* A new node holding just s, linked after `at` (NULL: at the head). */
static void insert_new_node(struct tlist *l, struct tlist_node *at, const char *s, size_t len)
{
    struct tlist_node *n = node_new();
    pk_append(&n->pk, s, len);
    link_after(l, at, n);
}

/* Inserts s before the entry at `off` of node n (PK_END: after its last). */
static void insert_at(struct tlist *l, struct tlist_node *n, size_t off, const char *s, size_t len, int fill)
{
    bool at_head = off == pk_first(n->pk), at_tail = off == PK_END;
    l->len++;
    if (node_fits_more(n, len, fill)) {
        pk_insert(&n->pk, off, s, len);
    } else if (at_head && n->prev && node_fits_more(n->prev, len, fill)) {
        pk_append(&n->prev->pk, s, len);
    } else if (at_tail && n->next && node_fits_more(n->next, len, fill)) {
        pk_prepend(&n->next->pk, s, len);
    } else if (at_head) {
        insert_new_node(l, n->prev, s, len);
    } else if (at_tail) {
        insert_new_node(l, n, s, len);
    } else {
        struct tlist_node *b = split(l, n, off);
        if (node_fits_more(n, len, fill))
            pk_append(&n->pk, s, len);
        else if (node_fits_more(b, len, fill))
            pk_prepend(&b->pk, s, len);
        else
            insert_new_node(l, n, s, len);
    }
}

/* A plain node's element replaced by a small one, as Redis does it: the new
 * element goes after the plain node (into the next node's head when it has
 * room, else into a new node), then the plain node goes. */
static void replace_plain(struct tlist *l, struct tlist_node *n, const char *s, size_t len, int fill)
{
    if (n->next && node_fits_more(n->next, len, fill))
        pk_prepend(&n->next->pk, s, len);
    else
        insert_new_node(l, n, s, len);
    unlink_node(l, n);
}

/* ---- public API -------------------------------------------------------------- */

struct tlist *tlist_create(void)
{
    struct tlist *l = kv_xcalloc(1, sizeof(struct tlist));
    l->fill = TLIST_FILL_DEFAULT;
    return l;
}

void tlist_set_fill(struct tlist *l, int fill) { l->fill = clamp_fill(fill); }
int tlist_fill(const struct tlist *l) { return l->fill; }

void tlist_destroy(struct tlist *l)
{
    if (!l)
        return;
    for (struct tlist_node *n = l->head, *next; n; n = next) {
        next = n->next;
        node_free(n);
    }
    free(l);
}

struct tlist *tlist_from_strings(const char *const *s, const size_t *len, size_t n, int fill)
{
    struct tlist *l = tlist_create();
    size_t i = 0;
    tlist_set_fill(l, fill);
    while (i < n) {
        /* as many as fit, and always the first: what tail pushes do */
        size_t j = i + 1, bytes = PK_HEADER_BYTES + pk_entry_size(len[i]);
        struct tlist_node *node;
        while (j < n && !is_large(len[i]) && !is_large(len[j]) && fits(bytes + pk_entry_size(len[j]), j - i + 1, fill))
            bytes += pk_entry_size(len[j++]);
        node = kv_xmalloc(sizeof(*node));
        node->pk = pk_build(s + i, len + i, j - i);
        link_after(l, l->tail, node);
        l->len += j - i;
        i = j;
    }
    return l;
}

struct tlist *tlist_dup(const struct tlist *l)
{
    struct tlist *d = tlist_create();
    d->fill = l->fill;
    for (const struct tlist_node *n = l->head; n; n = n->next) {
        struct tlist_node *c = kv_xmalloc(sizeof(*c));
        c->pk = pk_dup(n->pk);
        link_after(d, d->tail, c);
    }
    d->len = l->len;
    return d;
}

size_t tlist_len(const struct tlist *l) { return l->len; }
size_t tlist_node_count(const struct tlist *l) { return l->nodes; }

size_t tlist_bytes(const struct tlist *l)
{
    size_t bytes = 0, len;
    for (const struct tlist_node *n = l->head; n; n = n->next)
        if (is_plain(n) && pk_get(n->pk, pk_first(n->pk), &len))
            bytes += len;
        else
            bytes += pk_bytes(n->pk);
    return bytes;
}

void tlist_push(struct tlist *l, enum tlist_end where, const char *s, size_t len, int fill)
{
    if (!l->head) {
        insert_new_node(l, NULL, s, len);
        l->len++;
    } else if (where == TLIST_HEAD) {
        insert_at(l, l->head, pk_first(l->head->pk), s, len, fill);
    } else {
        insert_at(l, l->tail, PK_END, s, len, fill);
    }
}

bool tlist_peek(const struct tlist *l, enum tlist_end where, const char **s, size_t *len)
{
    if (!l->head)
        return false;
    if (where == TLIST_HEAD)
        *s = pk_get(l->head->pk, pk_first(l->head->pk), len);
    else
        *s = pk_get(l->tail->pk, pk_last(l->tail->pk), len);
    return true;
}

bool tlist_pop(struct tlist *l, enum tlist_end where, int fill)
{
    struct tlist_node *n = where == TLIST_HEAD ? l->head : l->tail;
    if (!n)
        return false;
    pk_delete(&n->pk, where == TLIST_HEAD ? pk_first(n->pk) : pk_last(n->pk), 1);
    l->len--;
    node_shrunk(l, n, fill);
    return true;
}

bool tlist_index(const struct tlist *l, long long index, const char **s, size_t *len)
{
    size_t i, in_node;
    if (!norm_index(l, index, &i))
        return false;
    const struct tlist_node *n = locate(l, i, &in_node);
    *s = pk_get(n->pk, pk_seek(n->pk, (long long)in_node), len);
    return true;
}

bool tlist_set(struct tlist *l, long long index, const char *s, size_t len, int fill)
{
    size_t i, in_node, old_len;
    if (!norm_index(l, index, &i))
        return false;
    struct tlist_node *n = locate(l, i, &in_node);
    size_t off = pk_seek(n->pk, (long long)in_node);
    pk_get(n->pk, off, &old_len);
    if (is_plain(n) && !is_large(len)) {
        replace_plain(l, n, s, len, fill);
        return true;
    }
    if (pk_count(n->pk) == 1 ||
        (!is_large(len) &&
         fits(pk_bytes(n->pk) - pk_entry_size(old_len) + pk_entry_size(len), pk_count(n->pk), fill))) {
        pk_replace(&n->pk, off, s, len);
        return true;
    }
    /* Too big for this node: take the old one out, insert where it was. */
    off = pk_delete(&n->pk, off, 1);
    l->len--;
    insert_at(l, n, off, s, len, fill);
    return true;
}

bool tlist_insert(struct tlist *l, const char *pivot, size_t plen, bool after, const char *s, size_t len,
                  int fill)
{
    for (struct tlist_node *n = l->head; n; n = n->next) {
        size_t off = pk_find(n->pk, pk_first(n->pk), pivot, plen, 0);
        if (off == PK_END)
            continue;
        insert_at(l, n, after ? pk_next(n->pk, off) : off, s, len, fill);
        return true;
    }
    return false;
}

/* Deletes matches of s in node n, scanning towards the tail (or the head),
 * at most *left of them when limited. Returns how many. */
static size_t remove_in_node(struct tlist_node *n, const char *s, size_t len, bool from_tail, bool limited,
                             size_t *left)
{
    size_t removed = 0, off = from_tail ? pk_last(n->pk) : pk_first(n->pk);
    while (off != PK_END && (!limited || *left > 0)) {
        if (!pk_eq(n->pk, off, s, len)) {
            off = from_tail ? pk_prev(n->pk, off) : pk_next(n->pk, off);
            continue;
        }
        size_t prev = from_tail ? pk_prev(n->pk, off) : PK_END;
        off = pk_delete(&n->pk, off, 1);
        if (from_tail)   /* offsets before a delete stay valid */
            off = prev;
        removed++;
        if (limited)
            (*left)--;
    }
    return removed;
}

/* Merges n with its neighbour on the side a removal walk has passed. */
static void merge_walked(struct tlist *l, struct tlist_node *n, bool from_tail, int fill)
{
    if (from_tail)
        try_merge(l, n, n->next, fill);
    else
        try_merge(l, n->prev, n, fill);
}

size_t tlist_remove(struct tlist *l, const char *s, size_t len, long long count, int fill)
{
    bool from_tail = count < 0, limited = count != 0, dirty = false;
    size_t left = count < 0 ? (size_t)0 - (size_t)count : (size_t)count, total = 0;
    struct tlist_node *n = from_tail ? l->tail : l->head;
    while (n && (!limited || left > 0)) {
        size_t r = remove_in_node(n, s, len, from_tail, limited, &left);
        struct tlist_node *after = from_tail ? n->prev : n->next;
        total += r;
        l->len -= r;
        /* merging only with the walked side keeps `after` alive */
        if (pk_count(n->pk) == 0)
            unlink_node(l, n);
        else if (r || dirty)
            merge_walked(l, n, from_tail, fill);
        dirty = r > 0;
        n = after;
    }
    if (dirty && n)
        merge_walked(l, n, from_tail, fill);
    return total;
}

size_t tlist_delete_range(struct tlist *l, size_t start, size_t n, int fill)
{
    size_t in_node, done = 0;
    if (start >= l->len || n == 0)
        return 0;
    if (n > l->len - start)
        n = l->len - start;
    struct tlist_node *node = locate(l, start, &in_node), *first = NULL;
    while (done < n) {
        size_t here = pk_count(node->pk) - in_node, take = n - done < here ? n - done : here;
        struct tlist_node *next = node->next;
        if (take == pk_count(node->pk)) {
            unlink_node(l, node);
        } else {
            pk_delete_range(&node->pk, (long long)in_node, (uint32_t)take);
            if (!first)
                first = node;
        }
        done += take;
        in_node = 0;
        node = next;
    }
    l->len -= n;
    /* at most two partial nodes remain, now neighbours: first and its next */
    if (first)
        node_shrunk(l, first, fill);
    else if (node)
        node_shrunk(l, node, fill);
    return n;
}

void tlist_iter_init(struct tlist_iter *it, const struct tlist *l, long long index, bool forward)
{
    size_t i, in_node;
    it->forward = forward;
    it->node = NULL;
    it->off = PK_END;
    if (!norm_index(l, index, &i))
        return;
    it->node = locate(l, i, &in_node);
    it->off = pk_seek(it->node->pk, (long long)in_node);
}

bool tlist_iter_next(struct tlist_iter *it, const char **s, size_t *len)
{
    if (!it->node || it->off == PK_END)
        return false;
    const unsigned char *pk = it->node->pk;
    *s = pk_get(pk, it->off, len);
    it->off = it->forward ? pk_next(pk, it->off) : pk_prev(pk, it->off);
    if (it->off == PK_END) {
        it->node = it->forward ? it->node->next : it->node->prev;
        if (it->node)
            it->off = it->forward ? pk_first(it->node->pk) : pk_last(it->node->pk);
    }
    return true;
}

const char *tlist_verify(const struct tlist *l, int fill)
{
    size_t len = 0, nodes = 0;
    const struct tlist_node *prev = NULL;
    for (const struct tlist_node *n = l->head; n; prev = n, n = n->next) {
        if (n->prev != prev)
            return "prev link does not match";
        if (pk_count(n->pk) == 0)
            return "empty node";
        if (pk_count(n->pk) > 1 && !fits(pk_bytes(n->pk), pk_count(n->pk), fill))
            return "node exceeds the fill limit";
        for (size_t off = pk_count(n->pk) > 1 ? pk_first(n->pk) : PK_END, elen; off != PK_END;
             off = pk_next(n->pk, off))
            if (pk_get(n->pk, off, &elen) && is_large(elen))
                return "a large element shares its node";
        len += pk_count(n->pk);
        nodes++;
    }
    if (l->tail != prev)
        return "tail does not match";
    if (len != l->len)
        return "length does not match the nodes";
    if (nodes != l->nodes)
        return "node count does not match";
    return NULL;
}

/* ---- value object operations ----------------------------------------------- */

static void ops_destroy(void *p) { tlist_destroy(p); }
static void *ops_dup(const void *p) { return tlist_dup(p); }
/* Redis 7.0 reports every list as a quicklist. */
static int ops_encoding(const void *p)
{
    (void)p;
    return KV_ENC_QUICKLIST;
}

size_t tlist_mem_estimate(const struct tlist *l, size_t samples)
{
    size_t bytes = kv_alloc_size(l), seen = 0, sum = 0;
    for (const struct tlist_node *n = l->head; n && seen < samples; n = n->next, seen++)
        sum += kv_alloc_size(n) + kv_alloc_size(n->pk);
    return seen ? bytes + (size_t)((double)sum / (double)seen * (double)l->nodes) : bytes;
}

const struct kv_type_ops tlist_ops = { ops_destroy, ops_dup, ops_encoding };
