/*
 * zskiplist: the large encoding of a sorted set - a skiplist with spans
 * (rank queries in O(log n)) plus an intrusive hash table from member to
 * node, in ONE allocation per member.
 *
 * Node layout (one malloc; `level` is 1..ZSL_MAXLEVEL, chosen at random with
 * p = 1/4 when the node is made and never changed):
 *
 *   offset 0   struct dict_node  next-in-bucket pointer       8
 *          8   double score                                   8
 *         16   struct zsl_node *backward (NULL for the first) 8
 *         24   uint32_t mlen     member length                4
 *         28   uint8_t level     (+3 bytes padding)           4
 *         32   struct zsl_node *fwd[level]                    8 * level
 *              uint32_t span[level - 1]   spans of levels 1.. 4 * (level - 1)
 *              member bytes (no NUL)                          mlen
 *
 * Span convention: span(x, i) = rank(x->fwd[i]) - rank(x), where the header
 * has rank 0, the k-th node rank k, and a NULL forward pointer counts as rank
 * length + 1. So every span of level 0 is 1 and is not stored, and at every
 * level the spans from the header to NULL sum to length + 1. Spans are
 * uint32_t, which limits a sorted set to 2^32 - 2 members.
 *
 * Memory (1M members "job:%08d" = 12 bytes, millisecond-timestamp scores):
 *   level 1 (p 3/4):    32 + 8       + 12 = 52 bytes -> 64 size class
 *   level 2 (p 3/16):   32 + 16 + 4  + 12 = 64       -> 64
 *   level 3 (p 3/64):   32 + 24 + 8  + 12 = 76       -> 80
 *   level 4 (p 3/256):  32 + 32 + 12 + 12 = 88       -> 96
 *   level 5+ (p 1/256): <= 112 + 16/level            -> ~112-128
 *   expected node: 0.9375*64 + 0.0469*80 + 0.0117*96 + 0.0039*~120 = 65.3
 *   dict buckets: 2^20 eight-byte heads for 1M members (load factor <= 1)
 *   = 8.4 bytes per member; total ~74 bytes per member (Redis 7.0: a
 *   zskiplistNode of >= 48 bytes + an sds member + a dictEntry + buckets,
 *   ~112). Both jemalloc's and glibc's classes put the two common levels in
 *   64 bytes.
 *
 * Ordering is by (score, member bytes): memcmp over the shorter length, then
 * the shorter member first. Scores are never NaN.
 *
 * Ownership: a zsl owns its nodes and its dict. Node pointers stay valid
 * until the node is removed (updates of the score keep the node).
 */
#ifndef TASKKV_ENGINE_ZSKIPLIST_H
#define TASKKV_ENGINE_ZSKIPLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"

#define ZSL_MAXLEVEL 32

struct zsl_node {
    struct dict_node dn;
    double score;
    struct zsl_node *backward;
    uint32_t mlen;
    uint8_t level;
    struct zsl_node *fwd[];
};

struct zsl {
    struct zsl_node *header;   /* level ZSL_MAXLEVEL, no member */
    struct zsl_node *tail;     /* NULL when empty */
    size_t length;
    int level;                 /* levels in use (>= 1); the header's levels above it are stale */
    struct dict *dict;         /* member -> node */
};

/* Spans of levels 1..level-1 (index i-1 for level i). */
static inline uint32_t *zsl_node_spans(const struct zsl_node *n)
{
    return (uint32_t *)(void *)((char *)(void *)n->fwd + sizeof(n->fwd[0]) * n->level);
}
static inline const char *zsl_node_member(const struct zsl_node *n)
{
    return (const char *)(zsl_node_spans(n) + (n->level - 1));
}
static inline size_t zsl_span(const struct zsl_node *n, int i) { return i ? zsl_node_spans(n)[i - 1] : 1; }

/* Score ranges: [min, max], either end exclusive when its flag is set. */
struct zsl_srange {
    double min, max;
    bool minex, maxex;
};

/* Lexicographic ranges: each bound is "-" (below everything), "+" (above
 * everything), or a string, inclusive or exclusive. The bytes are borrowed. */
enum zsl_lex_kind { ZLEX_INCL, ZLEX_EXCL, ZLEX_MIN, ZLEX_MAX };
struct zsl_lbound {
    const char *p;
    size_t len;
    int kind;
};
struct zsl_lrange {
    struct zsl_lbound min, max;
};

/* Parses ZRANGEBYSCORE-style bounds as Redis does: an optional '(' for
 * exclusive, then the text is read by strtod up to its first NUL byte, which
 * must consume all of it ("" reads as 0, " 1" as 1, "1e400" as inf); NaN is
 * refused. False on any error. */
bool zsl_srange_parse(const char *min, size_t minlen, const char *max, size_t maxlen, struct zsl_srange *r);
/* Parses ZRANGEBYLEX-style bounds: "-", "+", "[str" or "(str"; false on error.
 * The range borrows the argument bytes. */
bool zsl_lrange_parse(const char *min, size_t minlen, const char *max, size_t maxlen, struct zsl_lrange *r);

/* Range predicates. A range is empty when min > max or they are equal with
 * an exclusive end. */
bool zsl_srange_empty(const struct zsl_srange *r);
bool zsl_score_gte_min(double s, const struct zsl_srange *r);
bool zsl_score_lte_max(double s, const struct zsl_srange *r);
bool zsl_lrange_empty(const struct zsl_lrange *r);
bool zsl_lex_gte_min(const char *m, size_t len, const struct zsl_lrange *r);
bool zsl_lex_lte_max(const char *m, size_t len, const struct zsl_lrange *r);

/* Byte-wise member comparison (<0, 0, >0), shorter first on a common prefix. */
int zsl_memcmp(const char *a, size_t alen, const char *b, size_t blen);

struct zsl *zsl_create(void);
/* Frees the list, its nodes and its dict. NULL is a no-op. */
void zsl_free(struct zsl *zsl);

/* A new unlinked node with a random level. */
struct zsl_node *zsl_node_new(double score, const char *m, size_t len);

/* Links `n` (whose member must be absent) in order and indexes it. */
void zsl_insert(struct zsl *zsl, struct zsl_node *n);
/* The node of member m, or NULL. */
struct zsl_node *zsl_find(struct zsl *zsl, const char *m, size_t len);
/* Unlinks, unindexes and frees `n`. */
void zsl_delete(struct zsl *zsl, struct zsl_node *n);
/* Gives `n` a new score, moving it only if its position changes. */
void zsl_update_score(struct zsl *zsl, struct zsl_node *n, double score);

/* 1-based rank of a linked node. */
size_t zsl_rank(const struct zsl *zsl, const struct zsl_node *n);
/* The node of 1-based rank r, or NULL when r is 0 or > length. */
struct zsl_node *zsl_at_rank(const struct zsl *zsl, size_t r);

/* First / last node inside the range, or NULL. */
struct zsl_node *zsl_first_in_score(const struct zsl *zsl, const struct zsl_srange *r);
struct zsl_node *zsl_last_in_score(const struct zsl *zsl, const struct zsl_srange *r);
struct zsl_node *zsl_first_in_lex(const struct zsl *zsl, const struct zsl_lrange *r);
struct zsl_node *zsl_last_in_lex(const struct zsl *zsl, const struct zsl_lrange *r);

/* Deletes the nodes of 1-based ranks start..end (inclusive, 1 <= start <=
 * end <= length) / inside a range; returns how many were deleted. */
size_t zsl_delete_rank_range(struct zsl *zsl, size_t start, size_t end);
size_t zsl_delete_score_range(struct zsl *zsl, const struct zsl_srange *r);
size_t zsl_delete_lex_range(struct zsl *zsl, const struct zsl_lrange *r);

/* Bulk building: nodes are first only indexed (zsl_stage: the member must be
 * absent; the node's score may still be changed through the pointer), then
 * zsl_link_staged sorts every staged node and links them all in O(n log n).
 * No other operation may run on the list in between (zsl_find may). The
 * list must be empty when staging starts. */
void zsl_stage(struct zsl *zsl, struct zsl_node *n);
void zsl_link_staged(struct zsl *zsl);

/* Links and indexes a node that sorts after every node already linked
 * (copies and conversions from an ordered source): no comparisons. */
void zsl_append(struct zsl *zsl, struct zsl_node *n);

#endif
