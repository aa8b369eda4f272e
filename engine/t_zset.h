/*
 * t_zset: the sorted-set value - members (binary strings, unique) ordered by
 * (score, member bytes), in one of the two encodings Redis 7.0 reports:
 *
 *   KV_ENC_LISTPACK  one pack (engine/pack.h) of member, score, member,
 *                    score ... in order; scores are kept as text the way a
 *                    Redis listpack holds them (nf_d2str_listpack: integral
 *                    values as integers, others "%.17g") and parsed for every
 *                    comparison, which is cheap at these sizes;
 *   KV_ENC_SKIPLIST  engine/zskiplist.h: a skiplist with spans and a member
 *                    index, one allocation per member.
 *
 * A set starts as a pack unless max_entries is 0 or its first member is
 * longer than max_value; it becomes a skiplist when an add would make it hold
 * more than max_entries members or a member longer than max_value (or grow
 * the pack past 1 GiB, Redis' listpack safety limit), and never goes back -
 * except that a freshly computed result (tzset_acc_done: the *STORE
 * commands) is made a pack when it fits. Limits are the caller's (config)
 * values, passed in on each call that may convert.
 *
 * Elements handed out (struct tzset_elem) point into the set and are valid
 * until the set next changes. Scores are never NaN: additions that would
 * produce NaN are refused.
 *
 * Nothing here replies or touches the keyspace; api/cmd_zset*.c do.
 */
#ifndef TASKKV_ENGINE_T_ZSET_H
#define TASKKV_ENGINE_T_ZSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/zskiplist.h"

struct tzset;

struct tzset_limits {
    size_t max_entries;   /* zset-max-listpack-entries */
    size_t max_value;     /* zset-max-listpack-value */
};

struct tzset_elem {
    const char *m;
    size_t len;
    double score;
};

/* A new empty set: a pack, or a skiplist when max_entries is 0 or the first
 * member to be added (first_len bytes) is longer than max_value. */
struct tzset *tzset_new(const struct tzset_limits *lim, size_t first_len);
/* A new empty skiplist-encoded set (results under construction). */
struct tzset *tzset_new_skiplist(void);
void tzset_free(struct tzset *z);          /* NULL is a no-op */
struct tzset *tzset_dup(const struct tzset *z);
int tzset_encoding(const struct tzset *z); /* KV_ENC_LISTPACK or KV_ENC_SKIPLIST */
size_t tzset_len(const struct tzset *z);
/* The skiplist of a skiplist-encoded set (NULL for a pack), for read-only
 * walks: invariant checks, modules that scan in order. */
const struct zsl *tzset_skiplist(const struct tzset *z);
/* The pack of a pack-encoded set (NULL for a skiplist): member, score text,
 * member, score text ... in order, scores in nf_d2str_listpack's form. For
 * read-only walks (the snapshot writer copies the text as it is). */
const unsigned char *tzset_pack(const struct tzset *z);
/* A pack-encoded set taking over `pack`, laid out as tzset_pack describes:
 * members distinct, in (score, member) order, within the caller's listpack
 * limits (the snapshot loader's bulk path). */
struct tzset *tzset_adopt_pack(unsigned char *pack);
/* Turns a pack-encoded set into a skiplist (no-op for a skiplist), as Redis
 * does to a sorted set it SORTs. */
void tzset_convert_skiplist(struct tzset *z);

/* ---- single members ------------------------------------------------------ */

enum {
    TZ_ADD_NX = 1 << 0,    /* only add new members */
    TZ_ADD_XX = 1 << 1,    /* only update existing members */
    TZ_ADD_GT = 1 << 2,    /* only update when the new score is greater */
    TZ_ADD_LT = 1 << 3,    /* only update when the new score is less */
    TZ_ADD_INCR = 1 << 4,  /* score is an increment (a new member starts at 0) */
};

enum tzset_add_result {
    TZ_ADDED,      /* a new member */
    TZ_UPDATED,    /* an existing member got a different score */
    TZ_UNCHANGED,  /* an existing member, same score */
    TZ_SKIPPED,    /* refused by NX / XX / GT / LT: nothing done */
    TZ_NAN,        /* INCR would make the score NaN: nothing done */
};

/* ZADD/ZINCRBY's element step. flags are TZ_ADD_* (the caller has rejected
 * impossible combinations); *newscore (may be NULL) gets the member's score
 * after ADDED, UPDATED or UNCHANGED. May convert the encoding (lim). */
enum tzset_add_result tzset_add(struct tzset *z, const char *m, size_t len, double score, unsigned flags,
                                const struct tzset_limits *lim, double *newscore);
/* Removes a member; false if absent. */
bool tzset_remove(struct tzset *z, const char *m, size_t len);
/* The member's score; false if absent. */
bool tzset_score(struct tzset *z, const char *m, size_t len, double *score);
/* The member's 0-based rank from the lowest (rev: from the highest) and its
 * score (may be NULL); false if absent. O(log n) for skiplists. */
bool tzset_rank(struct tzset *z, const char *m, size_t len, bool rev, size_t *rank, double *score);
/* The lowest (max: highest) element, O(1); false if empty. */
bool tzset_peek(struct tzset *z, bool max, struct tzset_elem *e);

/* ---- ranges -------------------------------------------------------------- */

/* A cursor over elements in order (rev: from the highest). When a range is
 * attached (score or lex, by tzset_iter_score/lex) iteration stops at its far
 * end. The set must not change while an iterator is in use. */
struct tzset_iter {
    struct tzset *z;
    bool rev;
    size_t off;                     /* pack: the current member's offset, PK_END at the end */
    struct zsl_node *node;          /* skiplist: the current node, NULL at the end */
    const struct zsl_srange *sr;    /* optional stop range */
    const struct zsl_lrange *lr;
};

/* Positions at the element of 0-based rank `rank` counted in the iteration
 * direction (past the end if rank >= len). */
void tzset_iter_rank(struct tzset *z, struct tzset_iter *it, size_t rank, bool rev);
/* Positions at the first element inside the range in the iteration
 * direction and attaches the range; false (iterator at the end) if none. The
 * range must outlive the iterator. */
bool tzset_iter_score(struct tzset *z, struct tzset_iter *it, const struct zsl_srange *r, bool rev);
bool tzset_iter_lex(struct tzset *z, struct tzset_iter *it, const struct zsl_lrange *r, bool rev);
/* The current element, then a step; false at the end (or out of range). */
bool tzset_iter_next(struct tzset_iter *it, struct tzset_elem *e);

/* Members inside a range (O(log n) on skiplists). */
size_t tzset_count_score(struct tzset *z, const struct zsl_srange *r);
size_t tzset_count_lex(struct tzset *z, const struct zsl_lrange *r);

/* Deletions; each returns how many members went. Ranks are 0-based from the
 * lowest, inclusive, with start <= end < len. */
size_t tzset_delete_rank(struct tzset *z, size_t start, size_t end);
size_t tzset_delete_score(struct tzset *z, const struct zsl_srange *r);
size_t tzset_delete_lex(struct tzset *z, const struct zsl_lrange *r);

/* ---- random, scan -------------------------------------------------------- */

typedef void (*tzset_elem_fn)(const struct tzset_elem *e, void *arg);

/* ZRANDMEMBER: calls fn for `count` random elements. With `distinct` no
 * element repeats and at most len are given (all of them, in order, when
 * count >= len); without it each pick is independent. rnd supplies 64-bit
 * random numbers. The set must not be empty. */
void tzset_sample(struct tzset *z, size_t count, bool distinct, uint64_t (*rnd)(void *), void *rnd_arg,
                  tzset_elem_fn fn, void *arg);

/* One ZSCAN step: a pack is reported whole and gives cursor 0; a skiplist
 * follows dict_scan's cursor. Elements may repeat across steps. */
uint64_t tzset_scan(struct tzset *z, uint64_t cursor, tzset_elem_fn fn, void *arg);
/* Scores as ZSCAN prints them: the pack's stored text, or "%.17g". Returns
 * the length written into buf (at least 32 bytes). */
int tzset_scan_score_str(const struct tzset *z, double score, char *buf, size_t cap);

/* ---- building results (ZUNIONSTORE & co) --------------------------------- */

/* On a set from tzset_new_skiplist(), before any other change: finds or
 * stages member m and returns its score slot (*created: it was new and the
 * slot holds 0). Only tzset_acc, tzset_len and tzset_score may be used until
 * tzset_acc_done, which orders everything and turns the set into a pack if
 * it fits within `lim`. */
double *tzset_acc(struct tzset *z, const char *m, size_t len, bool *created);
void tzset_acc_done(struct tzset *z, const struct tzset_limits *lim);

/* MEMORY USAGE's estimate: allocated bytes (size classes included) of the
 * sorted set: its pack, or its skiplist, table and nodes, sampling up to `samples` members (SIZE_MAX: all) and scaling
 * their average to the whole. */
size_t tzset_mem_estimate(const struct tzset *z, size_t samples);

#endif
