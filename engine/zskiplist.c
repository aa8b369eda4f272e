/*
 * zskiplist: skiplist with spans + member index (see zskiplist.h for the
 * node layout, the span convention and the memory budget).
 *
 * Every structural change goes through two primitives: find_path (the last
 * node before a position at each level, with its rank) and link_node /
 * unlink_node (pointer and span bookkeeping for one node given that path).
 * Inserts, deletes, score moves and range deletes are thin compositions of
 * the two, so the span arithmetic lives in one place.
 */
#include "engine/zskiplist.h"
#include "engine/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- ranges ------------------------------------------------------------- */

int zsl_memcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* One score bound: '(' makes it exclusive; the rest goes to strtod as the C
 * string Redis sees (cut at a NUL byte) and must be consumed entirely. */
static bool parse_score_bound(const char *p, size_t len, double *v, bool *ex)
{
    const char *nul = memchr(p, '\0', len);
    char small[64], *s, *end;
    bool ok;

    if (nul)
        len = (size_t)(nul - p);
    *ex = len > 0 && p[0] == '(';
    if (*ex) {
        p++;
        len--;
    }
    s = len < sizeof(small) ? small : kv_xmalloc(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    *v = strtod(s, &end);
    ok = *end == '\0' && !isnan(*v);
    if (s != small)
        free(s);
    return ok;
}

bool zsl_srange_parse(const char *min, size_t minlen, const char *max, size_t maxlen, struct zsl_srange *r)
{
    return parse_score_bound(min, minlen, &r->min, &r->minex) && parse_score_bound(max, maxlen, &r->max, &r->maxex);
}

/* "-" and "+" may be followed by a NUL byte and anything (Redis checks the
 * second character of the C string). */
static bool parse_lex_bound(const char *p, size_t len, struct zsl_lbound *b)
{
    if (len == 0)
        return false;
    b->p = p + 1;
    b->len = len - 1;
    switch (p[0]) {
    case '+':
    case '-':
        b->kind = p[0] == '+' ? ZLEX_MAX : ZLEX_MIN;
        return len == 1 || p[1] == '\0';
    case '(':
        b->kind = ZLEX_EXCL;
        return true;
    case '[':
        b->kind = ZLEX_INCL;
        return true;
    default:
        return false;
    }
}

bool zsl_lrange_parse(const char *min, size_t minlen, const char *max, size_t maxlen, struct zsl_lrange *r)
{
    return parse_lex_bound(min, minlen, &r->min) && parse_lex_bound(max, maxlen, &r->max);
}

bool zsl_srange_empty(const struct zsl_srange *r)
{
    return r->min > r->max || (r->min == r->max && (r->minex || r->maxex));
}

bool zsl_score_gte_min(double s, const struct zsl_srange *r) { return r->minex ? s > r->min : s >= r->min; }
bool zsl_score_lte_max(double s, const struct zsl_srange *r) { return r->maxex ? s < r->max : s <= r->max; }

static int lex_cmp(const char *m, size_t len, const struct zsl_lbound *b)
{
    if (b->kind == ZLEX_MIN)
        return 1;
    if (b->kind == ZLEX_MAX)
        return -1;
    return zsl_memcmp(m, len, b->p, b->len);
}

static int bound_cmp(const struct zsl_lbound *a, const struct zsl_lbound *b)
{
    if (a->kind == b->kind && (a->kind == ZLEX_MIN || a->kind == ZLEX_MAX))
        return 0;
    if (a->kind == ZLEX_MIN || b->kind == ZLEX_MAX)
        return -1;
    if (a->kind == ZLEX_MAX || b->kind == ZLEX_MIN)
        return 1;
    return zsl_memcmp(a->p, a->len, b->p, b->len);
}

bool zsl_lrange_empty(const struct zsl_lrange *r)
{
    int c = bound_cmp(&r->min, &r->max);
    return c > 0 || (c == 0 && (r->min.kind == ZLEX_EXCL || r->max.kind == ZLEX_EXCL));
}

bool zsl_lex_gte_min(const char *m, size_t len, const struct zsl_lrange *r)
{
    int c = lex_cmp(m, len, &r->min);
    return r->min.kind == ZLEX_EXCL ? c > 0 : c >= 0;
}

bool zsl_lex_lte_max(const char *m, size_t len, const struct zsl_lrange *r)
{
    int c = lex_cmp(m, len, &r->max);
    return r->max.kind == ZLEX_EXCL ? c < 0 : c <= 0;
}

/* ---- nodes -------------------------------------------------------------- */

static void node_key(const struct dict_node *dn, const char **key, size_t *len)
{
    const struct zsl_node *n = (const struct zsl_node *)dn;
    *key = zsl_node_member(n);
    *len = n->mlen;
}

static const struct dict_type node_dict_type = { node_key };

/* Levels are geometric with p = 1/4: two random bits per extra level. The
 * generator is a process-wide xorshift64*; levels are never observable. */
static int random_level(void)
{
    static uint64_t s = 0x9e3779b97f4a7c15ULL;
    uint64_t r;
    int level = 1;

    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    r = s * 2685821657736338717ULL;
    while ((r & 3) == 0 && level < ZSL_MAXLEVEL) {
        level++;
        r >>= 2;
    }
    return level;
}

static struct zsl_node *node_alloc(double score, const char *m, size_t len, int level)
{
    size_t size = sizeof(struct zsl_node) + sizeof(struct zsl_node *) * (size_t)level +
                  sizeof(uint32_t) * (size_t)(level - 1) + len;
    struct zsl_node *n = kv_xmalloc(size);

    n->dn.next = NULL;
    n->score = score;
    n->backward = NULL;
    n->mlen = (uint32_t)len;
    n->level = (uint8_t)level;
    for (int i = 0; i < level; i++)
        n->fwd[i] = NULL;
    if (len)
        memcpy((char *)zsl_node_member(n), m, len);
    return n;
}

struct zsl_node *zsl_node_new(double score, const char *m, size_t len)
{
    return node_alloc(score, m, len, random_level());
}

static inline void set_span(struct zsl_node *n, int i, size_t v)
{
    if (i)
        zsl_node_spans(n)[i - 1] = (uint32_t)v;
}

/* Order of a node against the position (score, m). */
static int cmp_key(const struct zsl_node *n, double score, const char *m, size_t len)
{
    if (n->score != score)
        return n->score < score ? -1 : 1;
    return zsl_memcmp(zsl_node_member(n), n->mlen, m, len);
}

static int cmp_nodes(const void *a, const void *b)
{
    const struct zsl_node *x = *(const struct zsl_node *const *)a, *y = *(const struct zsl_node *const *)b;
    return cmp_key(x, y->score, zsl_node_member(y), y->mlen);
}

/* ---- list --------------------------------------------------------------- */

struct zsl *zsl_create(void)
{
    struct zsl *zsl = kv_xmalloc(sizeof(*zsl));
    zsl->header = node_alloc(0, NULL, 0, ZSL_MAXLEVEL);
    for (int i = 1; i < ZSL_MAXLEVEL; i++)
        set_span(zsl->header, i, 1);
    zsl->tail = NULL;
    zsl->length = 0;
    zsl->level = 1;
    zsl->dict = dict_create(&node_dict_type);
    return zsl;
}

void zsl_free(struct zsl *zsl)
{
    struct zsl_node *n, *next;
    if (!zsl)
        return;
    for (n = zsl->header->fwd[0]; n; n = next) {
        next = n->fwd[0];
        free(n);
    }
    free(zsl->header);
    dict_destroy(zsl->dict);
    free(zsl);
}

/* update[i] = the last node before (score, m) at level i, rank[i] its rank. */
static void find_path(const struct zsl *zsl, double score, const char *m, size_t len,
                      struct zsl_node **update, size_t *rank)
{
    struct zsl_node *x = zsl->header;
    size_t r = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->fwd[i] && cmp_key(x->fwd[i], score, m, len) < 0) {
            r += zsl_span(x, i);
            x = x->fwd[i];
        }
        update[i] = x;
        rank[i] = r;
    }
}

/* Links n after update[] (ranks rank[]); levels above the list's are added. */
static void link_node(struct zsl *zsl, struct zsl_node *n, struct zsl_node **update, size_t *rank)
{
    int lvl = n->level;

    for (int i = zsl->level; i < lvl; i++) {
        update[i] = zsl->header;
        rank[i] = 0;
        zsl->header->fwd[i] = NULL;
        set_span(zsl->header, i, zsl->length + 1);
    }
    if (lvl > zsl->level)
        zsl->level = lvl;
    for (int i = 0; i < lvl; i++) {
        size_t before = rank[0] - rank[i];
        n->fwd[i] = update[i]->fwd[i];
        update[i]->fwd[i] = n;
        set_span(n, i, zsl_span(update[i], i) - before);
        set_span(update[i], i, before + 1);
    }
    for (int i = lvl; i < zsl->level; i++)
        set_span(update[i], i, zsl_span(update[i], i) + 1);
    n->backward = update[0] == zsl->header ? NULL : update[0];
    if (n->fwd[0])
        n->fwd[0]->backward = n;
    else
        zsl->tail = n;
    zsl->length++;
}

static void unlink_node(struct zsl *zsl, struct zsl_node *n, struct zsl_node **update)
{
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->fwd[i] == n) {
            set_span(update[i], i, zsl_span(update[i], i) + zsl_span(n, i) - 1);
            update[i]->fwd[i] = n->fwd[i];
        } else {
            set_span(update[i], i, zsl_span(update[i], i) - 1);
        }
    }
    if (n->fwd[0])
        n->fwd[0]->backward = n->backward;
    else
        zsl->tail = n->backward;
    while (zsl->level > 1 && zsl->header->fwd[zsl->level - 1] == NULL)
        zsl->level--;
    zsl->length--;
}

void zsl_insert(struct zsl *zsl, struct zsl_node *n)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    size_t rank[ZSL_MAXLEVEL];
    find_path(zsl, n->score, zsl_node_member(n), n->mlen, update, rank);
    link_node(zsl, n, update, rank);
    dict_insert(zsl->dict, &n->dn);
}

void zsl_append(struct zsl *zsl, struct zsl_node *n)
{
    struct zsl_node *update[ZSL_MAXLEVEL], *x = zsl->header;
    size_t rank[ZSL_MAXLEVEL], r = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->fwd[i]) {
            r += zsl_span(x, i);
            x = x->fwd[i];
        }
        update[i] = x;
        rank[i] = r;
    }
    link_node(zsl, n, update, rank);
    dict_insert(zsl->dict, &n->dn);
}

struct zsl_node *zsl_find(struct zsl *zsl, const char *m, size_t len)
{
    return (struct zsl_node *)dict_find(zsl->dict, m, len);
}

/* Unlinks n from the list only (it stays indexed). */
static void unlink_by_search(struct zsl *zsl, struct zsl_node *n)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    size_t rank[ZSL_MAXLEVEL];
    find_path(zsl, n->score, zsl_node_member(n), n->mlen, update, rank);
    unlink_node(zsl, n, update);
}

void zsl_delete(struct zsl *zsl, struct zsl_node *n)
{
    unlink_by_search(zsl, n);
    dict_unlink_node(zsl->dict, &n->dn);
    free(n);
}

void zsl_update_score(struct zsl *zsl, struct zsl_node *n, double score)
{
    const char *m = zsl_node_member(n);
    struct zsl_node *update[ZSL_MAXLEVEL];
    size_t rank[ZSL_MAXLEVEL];

    if ((!n->backward || cmp_key(n->backward, score, m, n->mlen) < 0) &&
        (!n->fwd[0] || cmp_key(n->fwd[0], score, m, n->mlen) > 0)) {
        n->score = score;   /* stays in place */
        return;
    }
    unlink_by_search(zsl, n);
    n->score = score;
    find_path(zsl, score, m, n->mlen, update, rank);
    link_node(zsl, n, update, rank);
}

size_t zsl_rank(const struct zsl *zsl, const struct zsl_node *n)
{
    const struct zsl_node *x = zsl->header;
    size_t r = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->fwd[i] && cmp_key(x->fwd[i], n->score, zsl_node_member(n), n->mlen) <= 0) {
            r += zsl_span(x, i);
            x = x->fwd[i];
        }
        if (x == n)
            return r;
    }
    return 0;
}

/* The last node of rank <= r at each level into update[] (may be NULL). */
static struct zsl_node *walk_to_rank(const struct zsl *zsl, size_t r, struct zsl_node **update)
{
    struct zsl_node *x = zsl->header;
    size_t traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->fwd[i] && traversed + zsl_span(x, i) <= r) {
            traversed += zsl_span(x, i);
            x = x->fwd[i];
        }
        if (update)
            update[i] = x;
        else if (traversed == r)
            break;
    }
    return x;
}

struct zsl_node *zsl_at_rank(const struct zsl *zsl, size_t r)
{
    if (r == 0 || r > zsl->length)
        return NULL;
    return walk_to_rank(zsl, r, NULL);
}

/* ---- ranges on the list ------------------------------------------------- */

static bool score_range_hits(const struct zsl *zsl, const struct zsl_srange *r)
{
    return !zsl_srange_empty(r) && zsl->tail && zsl_score_gte_min(zsl->tail->score, r) &&
           zsl_score_lte_max(zsl->header->fwd[0]->score, r);
}

static bool lex_range_hits(const struct zsl *zsl, const struct zsl_lrange *r)
{
    const struct zsl_node *first = zsl->header->fwd[0];
    return !zsl_lrange_empty(r) && zsl->tail && zsl_lex_gte_min(zsl_node_member(zsl->tail), zsl->tail->mlen, r) &&
           zsl_lex_lte_max(zsl_node_member(first), first->mlen, r);
}

/* Predicates over nodes, so one walker serves scores and members. */
struct pred {
    bool (*fn)(const struct zsl_node *n, const void *range);
    const void *range;
};

static bool p_gte_min_score(const struct zsl_node *n, const void *r) { return zsl_score_gte_min(n->score, r); }
static bool p_lte_max_score(const struct zsl_node *n, const void *r) { return zsl_score_lte_max(n->score, r); }
static bool p_gte_min_lex(const struct zsl_node *n, const void *r)
{
    return zsl_lex_gte_min(zsl_node_member(n), n->mlen, r);
}
static bool p_lte_max_lex(const struct zsl_node *n, const void *r)
{
    return zsl_lex_lte_max(zsl_node_member(n), n->mlen, r);
}

/* Walks as far as possible while `advance` holds for the next node at each
 * level; update[] (optional) gets the last node per level. Returns it. */
static struct zsl_node *walk_while(const struct zsl *zsl, struct pred advance, struct zsl_node **update)
{
    struct zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->fwd[i] && advance.fn(x->fwd[i], advance.range))
            x = x->fwd[i];
        if (update)
            update[i] = x;
    }
    return x;
}

static bool p_not(const struct zsl_node *n, const void *p)
{
    const struct pred *inner = p;
    return !inner->fn(n, inner->range);
}

/* First node with `min` true, if `max` holds for it. */
static struct zsl_node *first_in(const struct zsl *zsl, struct pred min, struct pred max)
{
    struct pred below = { p_not, &min };
    struct zsl_node *x = walk_while(zsl, below, NULL)->fwd[0];
    return x && max.fn(x, max.range) ? x : NULL;
}

/* Last node with `max` true, if `min` holds for it. */
static struct zsl_node *last_in(const struct zsl *zsl, struct pred min, struct pred max)
{
    struct zsl_node *x = walk_while(zsl, max, NULL);
    return x != zsl->header && min.fn(x, min.range) ? x : NULL;
}

struct zsl_node *zsl_first_in_score(const struct zsl *zsl, const struct zsl_srange *r)
{
    if (!score_range_hits(zsl, r))
        return NULL;
    return first_in(zsl, (struct pred){ p_gte_min_score, r }, (struct pred){ p_lte_max_score, r });
}

struct zsl_node *zsl_last_in_score(const struct zsl *zsl, const struct zsl_srange *r)
{
    if (!score_range_hits(zsl, r))
        return NULL;
    return last_in(zsl, (struct pred){ p_gte_min_score, r }, (struct pred){ p_lte_max_score, r });
}

struct zsl_node *zsl_first_in_lex(const struct zsl *zsl, const struct zsl_lrange *r)
{
    if (!lex_range_hits(zsl, r))
        return NULL;
    return first_in(zsl, (struct pred){ p_gte_min_lex, r }, (struct pred){ p_lte_max_lex, r });
}

struct zsl_node *zsl_last_in_lex(const struct zsl *zsl, const struct zsl_lrange *r)
{
    if (!lex_range_hits(zsl, r))
        return NULL;
    return last_in(zsl, (struct pred){ p_gte_min_lex, r }, (struct pred){ p_lte_max_lex, r });
}

/* Deletes nodes from x on while `keep_going` holds (at most `limit`),
 * update[] being the path to x's predecessor. */
static size_t delete_from(struct zsl *zsl, struct zsl_node *x, struct zsl_node **update, struct pred keep_going,
                          size_t limit)
{
    size_t n = 0;
    while (x && n < limit && (!keep_going.fn || keep_going.fn(x, keep_going.range))) {
        struct zsl_node *next = x->fwd[0];
        unlink_node(zsl, x, update);
        dict_unlink_node(zsl->dict, &x->dn);
        free(x);
        n++;
        x = next;
    }
    return n;
}

size_t zsl_delete_rank_range(struct zsl *zsl, size_t start, size_t end)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    struct zsl_node *x = walk_to_rank(zsl, start - 1, update)->fwd[0];
    return delete_from(zsl, x, update, (struct pred){ NULL, NULL }, end - start + 1);
}

size_t zsl_delete_score_range(struct zsl *zsl, const struct zsl_srange *r)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    struct pred min = { p_gte_min_score, r }, below = { p_not, &min };
    struct zsl_node *x = walk_while(zsl, below, update)->fwd[0];
    return delete_from(zsl, x, update, (struct pred){ p_lte_max_score, r }, SIZE_MAX);
}

size_t zsl_delete_lex_range(struct zsl *zsl, const struct zsl_lrange *r)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    struct pred min = { p_gte_min_lex, r }, below = { p_not, &min };
    struct zsl_node *x;
    if (zsl_lrange_empty(r))
        return 0;
    x = walk_while(zsl, below, update)->fwd[0];
    return delete_from(zsl, x, update, (struct pred){ p_lte_max_lex, r }, SIZE_MAX);
}

/* ---- bulk building ------------------------------------------------------ */

void zsl_stage(struct zsl *zsl, struct zsl_node *n)
{
    dict_insert(zsl->dict, &n->dn);
    zsl->length++;
}

void zsl_link_staged(struct zsl *zsl)
{
    size_t count = dict_size(zsl->dict), k = 0;
    struct zsl_node **nodes = kv_xmalloc(sizeof(*nodes) * (count ? count : 1));
    struct zsl_node *last[ZSL_MAXLEVEL];
    size_t rank[ZSL_MAXLEVEL];
    struct dict_iter it;
    struct dict_node *dn;
    int level = 1;

    dict_iter_init(&it, zsl->dict);
    while ((dn = dict_iter_next(&it)) != NULL)
        nodes[k++] = (struct zsl_node *)dn;
    dict_iter_deinit(&it);
    qsort(nodes, count, sizeof(*nodes), cmp_nodes);
    for (int i = 0; i < ZSL_MAXLEVEL; i++) {
        last[i] = zsl->header;
        rank[i] = 0;
    }
    for (k = 0; k < count; k++) {
        struct zsl_node *x = nodes[k];
        for (int i = 0; i < x->level; i++) {
            last[i]->fwd[i] = x;
            set_span(last[i], i, k + 1 - rank[i]);
            last[i] = x;
            rank[i] = k + 1;
        }
        x->backward = k ? nodes[k - 1] : NULL;
        if (x->level > level)
            level = x->level;
    }
    for (int i = 0; i < ZSL_MAXLEVEL; i++) {
        last[i]->fwd[i] = NULL;
        set_span(last[i], i, count + 1 - rank[i]);
    }
    zsl->level = level;
    zsl->length = count;
    zsl->tail = count ? nodes[count - 1] : NULL;
    free(nodes);
}
