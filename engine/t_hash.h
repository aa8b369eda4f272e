/*
 * t_hash: the hash type's data structure (HSET, HGETALL, HRANDFIELD... live
 * in api/cmd_hash.c). A hash maps distinct byte-string fields to byte-string
 * values.
 *
 * Encodings, as Redis 7.0 chooses them (OBJECT ENCODING):
 *   listpack   one engine/pack of field, value, field, value ... in insertion
 *              order (a new field is appended, an update rewrites its value in
 *              place, a delete closes the gap), which is the order HGETALL,
 *              HKEYS and HSCAN report - exactly Redis' listpack order.
 *   hashtable  an engine/dict whose elements are each ONE allocation: the
 *              dict_node, the field and value lengths (uint32) and the field
 *              bytes followed by the value bytes (no NULs, no separate string
 *              objects).
 * A hash converts from listpack to hashtable, never back, when a write sets a
 * field or value longer than `max_value` bytes, or leaves more than
 * `max_entries` fields (hash-max-listpack-value / -entries, passed in by the
 * caller on every write, so a lowered limit applies on the next write, even an
 * update of an existing field, as in Redis). HSETNX on an existing field is
 * not a write and converts nothing.
 *
 * Fields and values are passed as (pointer, length) and handed back the same
 * way; bytes handed back point into the hash and stay valid until it changes.
 * Randomness comes from the caller's `thash_rnd` (server_random in the
 * server, a fixed sequence in tests).
 */
#ifndef TASKKV_ENGINE_T_HASH_H
#define TASKKV_ENGINE_T_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/obj.h"

struct thash;

/* The conversion thresholds (hash-max-listpack-entries / -value). */
struct thash_limits {
    long long max_entries;
    long long max_value;
};

typedef uint64_t (*thash_rnd)(void *arg);
/* Receives one field and its value; the bytes are valid only during the call. */
typedef void (*thash_pair_fn)(const char *f, size_t flen, const char *v, size_t vlen, void *arg);

/* A new empty hash (listpack encoding). Never returns NULL. */
struct thash *thash_new(void);
/* Frees the hash with its fields and values; NULL is a no-op. */
void thash_free(struct thash *h);
/* A listpack-encoded hash taking over `pack` (engine/pack.h), which holds
 * field, value, field, value ... with distinct fields, within the caller's
 * listpack limits: the snapshot loader's bulk path. */
struct thash *thash_adopt_pack(unsigned char *pack);
/* A deep copy with the same encoding (and, for a listpack, the same order). */
struct thash *thash_dup(const struct thash *h);

/* KV_ENC_LISTPACK or KV_ENC_HASHTABLE. */
int thash_encoding(const struct thash *h);
/* Number of fields. */
size_t thash_length(const struct thash *h);

/* The value of a field: true and *v / *vlen set, or false if absent. */
bool thash_get(struct thash *h, const char *f, size_t flen, const char **v, size_t *vlen);
bool thash_exists(struct thash *h, const char *f, size_t flen);
/* The value's length, 0 when the field is absent (HSTRLEN). */
size_t thash_strlen(struct thash *h, const char *f, size_t flen);

/* Sets a field's value (added at the end of a listpack, or replaced in
 * place). Returns true if the field is new. Converts as described above.
 * Neither f nor v may point into the hash itself. */
bool thash_set(struct thash *h, const char *f, size_t flen, const char *v, size_t vlen, struct thash_limits lim);
/* Sets the field only if absent; returns whether it did. */
bool thash_setnx(struct thash *h, const char *f, size_t flen, const char *v, size_t vlen, struct thash_limits lim);
/* Removes a field; returns whether it was there. Never converts. */
bool thash_delete(struct thash *h, const char *f, size_t flen);

/* Iteration in the encoding's order (insertion order for a listpack). The
 * hash must not change while an iterator is live. */
struct thash_iter {
    struct thash *h;
    size_t off;              /* listpack: offset of the next field */
    struct dict_iter di;     /* hashtable */
};
void thash_iter_init(struct thash_iter *it, struct thash *h);
/* The next pair, or false at the end. */
bool thash_iter_next(struct thash_iter *it, const char **f, size_t *flen, const char **v, size_t *vlen);
void thash_iter_deinit(struct thash_iter *it);

/* Calls fn on every pair, in iteration order. */
void thash_foreach(struct thash *h, thash_pair_fn fn, void *arg);

/* One random pair (HRANDFIELD without a count); false if the hash is empty.
 * Uniform for a listpack; for a hashtable, bucket then chain position. */
bool thash_random(struct thash *h, thash_rnd rnd, void *rnd_arg, const char **f, size_t *flen, const char **v,
                  size_t *vlen);
/* Calls fn `count` times, each on a random pair drawn independently
 * (repetitions allowed: HRANDFIELD with a negative count). Empty hash: no
 * calls. */
void thash_random_repeat(struct thash *h, size_t count, thash_rnd rnd, void *rnd_arg, thash_pair_fn fn, void *arg);
/* Calls fn on min(count, length) distinct pairs chosen uniformly at random
 * (HRANDFIELD with a positive count): every pair in iteration order when
 * count >= length, a listpack's sample in listpack order. */
void thash_random_distinct(struct thash *h, size_t count, thash_rnd rnd, void *rnd_arg, thash_pair_fn fn,
                           void *arg);

/* One HSCAN step: calls fn on the pairs under `cursor` and returns the next
 * cursor (0 when done). A listpack is reported whole with cursor 0. */
uint64_t thash_scan(struct thash *h, uint64_t cursor, thash_pair_fn fn, void *arg);

/* Bytes held by the hash (structure, pack or table and nodes, without
 * allocator rounding), for memory reports and tests. */
size_t thash_mem_usage(const struct thash *h);
/* MEMORY USAGE's estimate: allocated bytes (size classes included) of the
 * hash: its pack, or its table and nodes, sampling up to `samples` fields (SIZE_MAX: all) and scaling
 * their average to the whole. */
size_t thash_mem_estimate(const struct thash *h, size_t samples);

/* Checks the structure's invariants (even pack count, distinct fields, table
 * size equals the nodes reachable, every node found by its field); false on
 * the first violation. For tests; O(n^2) for a listpack. */
bool thash_verify(struct thash *h);

/* The type's operations for the generic object code (engine/obj.h). */
extern const struct kv_type_ops thash_ops;

#endif
