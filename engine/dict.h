/*
 * dict: a chained hash table with incremental rehashing and a SCAN cursor.
 *
 * Intrusive: callers embed a `struct dict_node` in their own element (first
 * member by convention) and tell the table how to read an element's key via
 * `struct dict_type`. The table never allocates or frees elements; it only
 * owns its bucket arrays. Keys are binary-safe byte strings (pointer + len).
 *
 * Two bucket arrays exist only while rehashing; every find/insert/unlink moves
 * a bounded number of buckets from the old to the new array, so growth never
 * pauses the server. `dict_scan` uses Redis' reverse-binary cursor, so an
 * element present for the whole scan is returned at least once even if the
 * table grows or shrinks between calls.
 *
 * Hashing is SipHash-1-2 with a per-process random seed (dict_set_seed).
 */
#ifndef TASKKV_ENGINE_DICT_H
#define TASKKV_ENGINE_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dict_node {
    struct dict_node *next;
};

struct dict_type {
    /* Returns the key of the element holding `n`; must be stable while it is in a table. */
    void (*node_key)(const struct dict_node *n, const char **key, size_t *len);
};

struct dict;

/* Sets the 16-byte SipHash seed used by every table created afterwards and
 * by dict_hash(). Call once at start-up; tests may leave the default. */
void dict_set_seed(const uint8_t seed[16]);
uint64_t dict_hash(const char *key, size_t len);

struct dict *dict_create(const struct dict_type *type);
/* Frees the table's arrays (not the elements). NULL is a no-op. Call
 * dict_clear first if the elements need freeing. */
void dict_destroy(struct dict *d);

/* Removes every element, calling free_fn(n, arg) on each (free_fn may be
 * NULL); the table is left empty and usable. */
void dict_clear(struct dict *d, void (*free_fn)(struct dict_node *n, void *arg), void *arg);

size_t dict_size(const struct dict *d);

/* Returns the node with this key, or NULL. Does one rehash step. */
struct dict_node *dict_find(struct dict *d, const char *key, size_t len);

/* Inserts `n`, whose key must not be present already (checked with assert in
 * debug builds). May grow the table. */
void dict_insert(struct dict *d, struct dict_node *n);

/* Sizes an empty table for `n` elements, so that inserting them does not
 * rehash (a bulk load that knows its count); no-op on a non-empty table. */
void dict_reserve(struct dict *d, size_t n);

/* Inserts `n` unless an element with its key is present (then returns
 * false and leaves the table as it was): one hash computation instead of a
 * dict_find and a dict_insert. */
bool dict_insert_new(struct dict *d, struct dict_node *n);

/* Unlinks and returns the node with this key, or NULL if absent. The caller
 * owns the returned element. May start shrinking the table. */
struct dict_node *dict_unlink(struct dict *d, const char *key, size_t len);

/* Unlinks exactly this node (found by its key) and returns true if it was present. */
bool dict_unlink_node(struct dict *d, struct dict_node *n);

/* The element holding `old` was reallocated to `n` (same key, same `next`):
 * repoints the table's link. `old` is only compared, never read. */
void dict_node_moved(struct dict *d, const struct dict_node *old, struct dict_node *n);

/* Performs up to `steps` bucket moves of an ongoing rehash; returns true if
 * the rehash is still in progress afterwards. */
bool dict_rehash_steps(struct dict *d, int steps);
bool dict_is_rehashing(const struct dict *d);

/* Calls fn for the elements under `cursor` and returns the next cursor (0 when
 * the scan is complete). fn must not insert or unlink. Guarantee: an element
 * present from the start to the end of a full scan is reported at least once;
 * elements may be reported more than once. */
uint64_t dict_scan(struct dict *d, uint64_t cursor,
                   void (*fn)(struct dict_node *n, void *arg), void *arg);

/* Returns a random node (NULL if empty); `rnd` supplies randomness so tests
 * can be deterministic. Roughly uniform (bucket then chain position: nodes
 * of short chains come up more often); cheap. */
struct dict_node *dict_random(struct dict *d, uint64_t (*rnd)(void *), void *rnd_arg);

/* Returns a node drawn uniformly among all of them (NULL if empty), for
 * every random member / field / key the server hands out (SRANDMEMBER,
 * SPOP, HRANDFIELD, RANDOMKEY). Each try picks a bucket of either table and
 * a position below max(8, chain length) in it, and retries when the
 * position is past the chain's end: every node has the same chance per try
 * as long as no chain is longer than 8 (at the table's load factor <= 1 a
 * longer chain is rare, and its nodes keep 8/length of the chance). Expected
 * tries: 8 * buckets / nodes; after 1000 misses (a sparse table) it walks
 * the tables to a node of uniformly drawn index. Does one rehash step, as
 * dict_random does. */
struct dict_node *dict_fair_random(struct dict *d, uint64_t (*rnd)(void *), void *rnd_arg);

/* Iteration that tolerates unlinking the current node: no rehash steps run
 * while an iterator is live (iterators nest by count). */
struct dict_iter {
    struct dict *d;
    int table;
    size_t index;
    struct dict_node *cur, *next;
};
void dict_iter_init(struct dict_iter *it, struct dict *d);
struct dict_node *dict_iter_next(struct dict_iter *it);
void dict_iter_deinit(struct dict_iter *it);

/* Bytes used by the bucket arrays (for INFO memory figures). */
size_t dict_mem_usage(const struct dict *d);

/* MEMORY USAGE's estimate of a table whose elements are each one
 * allocation starting at their node: the table's own bytes, plus the
 * average allocation of up to `samples` elements (SIZE_MAX: all of them)
 * times the element count. */
size_t dict_mem_estimate(const struct dict *d, size_t samples);

#endif
