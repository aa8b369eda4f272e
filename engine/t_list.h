/*
 * t_list: the list type - a quicklist, i.e. a doubly linked list of nodes,
 * each node holding a pack (engine/pack.h) of consecutive elements.
 *
 * Node fill: every operation that may grow or merge nodes takes `fill`, the
 * value of list-max-listpack-size (the engine reads no config). A list also
 * keeps a fill of its own, as Redis' quicklist does (tlist_set_fill, read
 * back by tlist_fill): callers pass that one, so a list keeps the fill it
 * was created with when the configuration changes later:
 *   fill < 0   a node's pack may use at most 4/8/16/32/64 KiB for -1..-5
 *              (below -5 counts as -5);
 *   fill >= 0  a node holds at most `fill` elements (0 acts as 1) and at most
 *              8 KiB (Redis' safety limit).
 * A single element that does not fit the limit lives alone in its own node.
 * Nodes whose contents fit one node together are merged when a delete
 * shrinks them. list-compress-depth is accepted by the config but nodes are
 * never compressed.
 *
 * Plain nodes: an element of at least the plain threshold (1 GiB unless
 * DEBUG QUICKLIST-PACKED-THRESHOLD changed it) lives alone in its node, which
 * no other element joins and which is never merged - Redis' plain quicklist
 * nodes, with the same node shapes (DEBUG OBJECT's ql_nodes). A node is
 * plain when it holds one element that is large under the current
 * threshold. The threshold is process-wide, like Redis' and like
 * engine/faultvfs.c's fault switch: a debugging knob, not configuration.
 *
 * Invariants (tlist_verify checks them): no empty node; a node with more
 * than one element respects the fill limit it was built with; the list's
 * length and node count equal the sums over its nodes; prev/next links agree.
 * An empty list has no node (callers delete empty lists from the keyspace).
 *
 * Indexes are 0-based; negative ones count from the tail (-1 is the last).
 * Pointers to element bytes returned by reads are valid until the next change
 * to the list. Ownership: the list owns its nodes and packs.
 */
#ifndef TASKKV_ENGINE_T_LIST_H
#define TASKKV_ENGINE_T_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/obj.h"

struct tlist;
struct tlist_node;

enum tlist_end { TLIST_HEAD, TLIST_TAIL };

/* A position-based reader: walks from an index towards the tail
 * (forward) or the head. Valid until the list changes. */
struct tlist_iter {
    const struct tlist_node *node;
    size_t off;          /* the entry the next call returns (PK_END: done) */
    bool forward;
};

extern const struct kv_type_ops tlist_ops;   /* destroy, dup, encoding (always quicklist) */

/* Redis' quicklistCreate() default fill, what a list gets until
 * tlist_set_fill (Redis 7.0's SORT ... STORE lists keep it). */
#define TLIST_FILL_DEFAULT (-2)

/* An empty list with fill TLIST_FILL_DEFAULT. Never returns NULL. */
struct tlist *tlist_create(void);
/* The list's own fill (clamped to -5 .. 32767, as Redis clamps it; DEBUG
 * OBJECT's ql_listpack_max), which callers pass to the operations below. */
void tlist_set_fill(struct tlist *l, int fill);
int tlist_fill(const struct tlist *l);
/* Frees the list and its elements; NULL is a no-op. */
void tlist_destroy(struct tlist *l);
/* A deep copy. */
struct tlist *tlist_dup(const struct tlist *l);
/* A list of the n elements s[i] (len[i] bytes), head to tail: the nodes
 * pushing them one by one at the tail would make, each built with one
 * allocation (the snapshot loader's bulk path); its own fill is `fill`.
 * n > 0. A copy (tlist_dup) keeps the original's fill. */
struct tlist *tlist_from_strings(const char *const *s, const size_t *len, size_t n, int fill);

size_t tlist_len(const struct tlist *l);
size_t tlist_node_count(const struct tlist *l);
/* Bytes held by the nodes: each pack's size, a plain node's element length
 * (DEBUG OBJECT's ql_uncompressed_size). */
size_t tlist_bytes(const struct tlist *l);

/* Sets the plain-node threshold in bytes (0: the default, 1 GiB); false,
 * changing nothing, above 4 GiB - 1 MiB (Redis' limit). */
bool tlist_set_plain_threshold(size_t bytes);

/* Adds an element at the head or the tail (bytes copied). */
void tlist_push(struct tlist *l, enum tlist_end where, const char *s, size_t len, int fill);
/* The element at the head or tail, without removing it; false if empty. */
bool tlist_peek(const struct tlist *l, enum tlist_end where, const char **s, size_t *len);
/* Removes the head or tail element (read it first with tlist_peek); false
 * if empty. */
bool tlist_pop(struct tlist *l, enum tlist_end where, int fill);

/* The element at `index` (negative from the tail); false when out of range. */
bool tlist_index(const struct tlist *l, long long index, const char **s, size_t *len);
/* Replaces the element at `index`; false when out of range. */
bool tlist_set(struct tlist *l, long long index, const char *s, size_t len, int fill);
/* Inserts before (or after) the first element equal to the pivot, scanning
 * from the head; false when there is no such element. */
bool tlist_insert(struct tlist *l, const char *pivot, size_t plen, bool after, const char *s, size_t len,
                  int fill);
/* LREM: removes elements equal to s, at most |count| of them (0 = all), from
 * the head when count >= 0, from the tail when negative. Returns how many. */
size_t tlist_remove(struct tlist *l, const char *s, size_t len, long long count, int fill);
/* Deletes `n` elements starting at non-negative `start` (clipped to the
 * list). Returns how many were deleted. */
size_t tlist_delete_range(struct tlist *l, size_t start, size_t n, int fill);

/* Starts a reader at `index` (negative from the tail; out of range gives
 * one that is done at once). */
void tlist_iter_init(struct tlist_iter *it, const struct tlist *l, long long index, bool forward);
/* The next element; false when the walk is over. */
bool tlist_iter_next(struct tlist_iter *it, const char **s, size_t *len);

/* NULL when the invariants above hold for `fill`, else what is broken
 * (tests, DEBUG). */
const char *tlist_verify(const struct tlist *l, int fill);

/* MEMORY USAGE's estimate: allocated bytes (size classes included) of the
 * list and its nodes, sampling up to `samples` nodes (SIZE_MAX: all) and scaling
 * their average to the whole. */
size_t tlist_mem_estimate(const struct tlist *l, size_t samples);

#endif
