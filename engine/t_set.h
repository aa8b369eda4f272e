/*
 * t_set: the set type's data structure (SADD, SINTER, SPOP... live in
 * api/cmd_set.c). A set is an unordered collection of distinct byte strings.
 *
 * Encodings, as Redis 7.0 chooses them (OBJECT ENCODING):
 *   intset     while every member is the canonical text of a long long (Redis'
 *              string2ll: "12", "-5", not "012", "+1", "-0") and the set holds
 *              at most `max_intset` members (set-max-intset-entries, passed
 *              in by the caller on every add). A sorted array of integers of
 *              one width (16, 32 or 64 bits), widened when a member needs it;
 *              lookups are a binary search; iteration is ascending.
 *   hashtable  otherwise: an engine/dict whose elements are each ONE
 *              allocation (dict_node, uint32 length, member bytes, no NUL).
 * A set never converts back to intset, and an intset never narrows its width,
 * whatever is removed (as in Redis), with one exception that Redis also has:
 * SPOP taking most of a set rebuilds the survivors (tset_pop). A new set
 * starts as an empty intset, so the encoding after any sequence of adds
 * equals Redis'.
 *
 * Members are passed as (pointer, length) and handed back the same way;
 * bytes handed back point into the set (or, for an intset, into a caller's or
 * iterator's buffer) and stay valid until the set changes.
 *
 * Randomness comes from a caller's `tset_rnd` (server_random in the server,
 * a fixed sequence in tests).
 */
#ifndef TASKKV_ENGINE_T_SET_H
#define TASKKV_ENGINE_T_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/obj.h"

struct tset;

typedef uint64_t (*tset_rnd)(void *arg);
/* Receives one member; the bytes are valid only during the call. */
typedef void (*tset_member_fn)(const char *p, size_t len, void *arg);

/* One member as read out of a set: `p`/`len` are the bytes (pointing into
 * `num` for an intset member). */
struct tset_view {
    const char *p;
    size_t len;
    char num[KV_LLSTR_SIZE];
};

/* A new empty set (intset encoding). Never returns NULL. */
struct tset *tset_new(void);
/* Frees the set and its members; NULL is a no-op. */
void tset_free(struct tset *s);
/* A deep copy with the same encoding. */
struct tset *tset_dup(const struct tset *s);

/* KV_ENC_INTSET or KV_ENC_HASHTABLE. */
int tset_encoding(const struct tset *s);
size_t tset_card(const struct tset *s);

/* Adds a member; returns false if it was already there. Converts an intset to
 * a hashtable when the member is not an integer or the intset would exceed
 * max_intset members. */
bool tset_add(struct tset *s, const char *p, size_t len, size_t max_intset);
/* Removes a member; returns whether it was there. */
bool tset_remove(struct tset *s, const char *p, size_t len);
bool tset_ismember(struct tset *s, const char *p, size_t len);

/* Iteration in the encoding's order (ascending for an intset). The set must
 * not change while an iterator is live. */
struct tset_iter {
    struct tset *s;
    size_t pos;              /* intset index */
    struct dict_iter di;     /* hashtable */
    struct tset_view v;
};
void tset_iter_init(struct tset_iter *it, struct tset *s);
/* The next member, or false at the end. */
bool tset_iter_next(struct tset_iter *it, const char **p, size_t *len);
void tset_iter_deinit(struct tset_iter *it);

/* Calls fn on every member (iteration order). */
void tset_foreach(struct tset *s, tset_member_fn fn, void *arg);

/* A random member into *v; false if the set is empty. Uniform for an
 * intset; for a hashtable, uniform as long as no hash chain is longer than
 * 8 members (rejection sampling over buckets; see fair_random). */
bool tset_random(struct tset *s, tset_rnd rnd, void *rnd_arg, struct tset_view *v);

/* Removes `count` random distinct members (all of them when count >= card),
 * calling fn on each just before it is freed. Returns the number removed.
 * When most of the set goes (survivors * 5 <= count), Redis rebuilds the
 * survivors into a new set, so they end as an intset exactly when they are
 * all integers and at most max_intset, whatever the encoding was before. */
size_t tset_pop(struct tset *s, size_t count, size_t max_intset, tset_rnd rnd, void *rnd_arg,
                tset_member_fn fn, void *arg);

/* Calls fn on `count` distinct members chosen uniformly at random (every
 * member when count >= card); the set is unchanged. */
void tset_sample(struct tset *s, size_t count, tset_rnd rnd, void *rnd_arg, tset_member_fn fn, void *arg);

/* One SCAN step: calls fn on the members under `cursor` and returns the next
 * cursor (0 when done). An intset is reported whole with cursor 0. */
uint64_t tset_scan(struct tset *s, uint64_t cursor, tset_member_fn fn, void *arg);

/* Set algebra over `n` sets, where a NULL set is an empty one. The same set
 * may appear several times.
 *   tset_inter: calls fn on each member of the intersection, iterating the
 *   smallest set (so ascending when that is an intset); stops after `limit`
 *   members when limit > 0. Returns the number of members reported.
 *   tset_inter_new / tset_union / tset_diff (members of sets[0] in none of
 *   the others): a new set built by adding members one by one with
 *   tset_add's rules, i.e. the encoding Redis' SINTERSTORE / SUNIONSTORE /
 *   SDIFFSTORE give the result. */
size_t tset_inter(struct tset *const *sets, size_t n, size_t limit, tset_member_fn fn, void *arg);
struct tset *tset_inter_new(struct tset *const *sets, size_t n, size_t max_intset);
struct tset *tset_union(struct tset *const *sets, size_t n, size_t max_intset);
struct tset *tset_diff(struct tset *const *sets, size_t n, size_t max_intset);

/* Bytes held by the set (structure, array or table and nodes), for memory
 * reports and tests. */
size_t tset_mem_usage(const struct tset *s);
/* MEMORY USAGE's estimate: allocated bytes (size classes included) of the
 * set: its array, or its table and nodes, sampling up to `samples` members (SIZE_MAX: all) and scaling
 * their average to the whole. */
size_t tset_mem_estimate(const struct tset *s, size_t samples);

/* The type's operations for the generic object code (engine/obj.h). */
extern const struct kv_type_ops tset_ops;

#endif
