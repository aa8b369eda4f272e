/*
 * kv: the keyspace - numbered databases of keys, each holding one value
 * object and optionally an expire time.
 *
 * Data structures:
 *   - each database is a `dict` of `struct kv_entry`: one allocation per key
 *     holding the hash-chain link, the TTL pointer, the value object (with a
 *     short string's bytes inline) and then the key's length and bytes. A key
 *     `key:00000001` with a 16-byte value takes 57 bytes (the 64-byte
 *     allocator class) plus its bucket; see docs/MEMORY.md;
 *   - a key with a TTL owns a `struct kv_ttl` whose time-index item sits in
 *     the server's single time index (engine/timeidx.h) under TI_KEY_TTL, so
 *     an untouched key is deleted, and its events raised, right when its
 *     deadline passes - no sampling.
 *
 * Expiry semantics follow Redis: deadlines are absolute Unix milliseconds; a
 * key is expired once now_ms > deadline. Every lookup expires lazily; the time
 * index expires actively (the keyspace's TI_KEY_TTL handler, bounded by
 * the budget given to ti_run_due) unless kv_set_active_expire turned that off.
 *
 * Nothing here reads the clock: callers pass now_ms. Every change is
 * reported through the hooks in engine/event.h.
 *
 * Ownership: the keyspace owns entries, their values and TTL records. Entry
 * pointers returned by lookups are valid until the next keyspace change.
 */
#ifndef TASKKV_ENGINE_KV_H
#define TASKKV_ENGINE_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/event.h"
#include "engine/obj.h"

struct timeidx;
struct kv_ttl;

struct kv_entry {
    struct dict_node node;
    struct kv_ttl *ttl;   /* NULL: no expire */
    struct kv_obj val;    /* inline; an EMBSTR's bytes run past it */
    /* then: uint32_t key length (unaligned), the key bytes (no NUL) */
};

/* The entry's value, stored inside the entry: valid until the next keyspace
 * change to this key. Handlers change a value in place through it (INCR, a
 * collection's contents); replacing it uses kv_replace / kv_store. */
static inline struct kv_obj *kv_entry_val(const struct kv_entry *e) { return (struct kv_obj *)&e->val; }

/* The entry's key bytes (not NUL-terminated) and length. */
static inline const char *kv_entry_key(const struct kv_entry *e, size_t *klen)
{
    const char *p = (const char *)e + offsetof(struct kv_entry, val) + kv_obj_span(&e->val);
    uint32_t l;
    __builtin_memcpy(&l, p, 4);
    *klen = l;
    return p + 4;
}

struct kv_stats {
    uint64_t expired_keys;
    uint64_t evicted_keys;
};

struct kv_space;

/* A keyspace of `ndb` databases using `ti` (borrowed, must outlive it) for
 * TTLs; registers the TI_KEY_TTL handler on it. `ev` is copied. */
struct kv_space *kv_create(int ndb, struct timeidx *ti, const struct kv_events *ev);
void kv_destroy(struct kv_space *ks);   /* NULL is a no-op */
void kv_set_events(struct kv_space *ks, const struct kv_events *ev);

int kv_ndb(const struct kv_space *ks);
const struct kv_stats *kv_stats(const struct kv_space *ks);
void kv_reset_stats(struct kv_space *ks);

/* Lookup with lazy expiry: an expired key is deleted (events raised) and
 * NULL returned. A found value's access time (LRU) or frequency (LFU) is
 * updated from the clock given to kv_set_clock. */
struct kv_entry *kv_find(struct kv_space *ks, int db, const char *key, size_t klen, int64_t now_ms);
/* As kv_find, without touching the access time (OBJECT, TYPE-free peeks). */
struct kv_entry *kv_find_notouch(struct kv_space *ks, int db, const char *key, size_t klen, int64_t now_ms);

/* Access tracking (OBJECT IDLETIME / FREQ, eviction later): the dispatcher
 * passes the command's time; lfu selects Redis' LFU counters instead of LRU
 * times, with its lfu-log-factor and lfu-decay-time. */
void kv_set_clock(struct kv_space *ks, int64_t now_ms);
void kv_set_access_policy(struct kv_space *ks, bool lfu, int log_factor, int decay_minutes);
/* Seconds since the value was last accessed (LRU mode). */
long long kv_idle_seconds(const struct kv_space *ks, const struct kv_obj *o);
/* The decayed LFU counter (LFU mode). */
int kv_lfu_counter(const struct kv_space *ks, const struct kv_obj *o);
bool kv_lfu_enabled(const struct kv_space *ks);
/* RESTORE's IDLETIME / FREQ, as Redis sets them: in LFU mode a `freq` >= 0
 * (0..255) becomes the counter, stamped with the current minute; otherwise
 * an `idle_s` >= 0 puts the access time that many seconds back on the
 * 24-bit LRU clock (Redis scales it to ms and back in 64 bits, so a huge
 * value wraps, and an access time before the clock's zero wraps around the
 * clock). -1: not given. Returns whether the value's stamp was set. */
bool kv_set_access(const struct kv_space *ks, struct kv_obj *o, long long freq, long long idle_s);

/* Holding expiry (CLIENT PAUSE: Redis keeps the dataset constant): while
 * held, a key past its deadline reads as missing but is neither deleted nor
 * reported, and due TTLs wait aside; releasing puts them back in the time
 * index, so they expire (events raised) at its next run. */
void kv_hold_expiry(struct kv_space *ks, bool hold);
bool kv_expiry_held(const struct kv_space *ks);
/* Lookup without expiring anything (the entry may be logically expired). */
struct kv_entry *kv_peek(struct kv_space *ks, int db, const char *key, size_t klen);
bool kv_is_expired(const struct kv_entry *e, int64_t now_ms);

/* Adds a key that must be absent; takes ownership of `val` (a standalone
 * object: its bytes are copied into the entry and its shell freed). Raises
 * the "new" keyspace event, as Redis' dbAdd does. */
struct kv_entry *kv_add(struct kv_space *ks, int db, const char *key, size_t klen, struct kv_obj *val);
/* Adds a key read back from a snapshot (or journal): no event is raised and
 * `when_ms` (a deadline in Unix ms, or -1) becomes its TTL. Takes ownership
 * of `val` as kv_add does; returns false, leaving `val` to the caller, when
 * the key exists already. */
bool kv_load_add(struct kv_space *ks, int db, const char *key, size_t klen, struct kv_obj *val, int64_t when_ms);
/* Sizes an empty database's table for n keys before a bulk load. */
void kv_reserve(struct kv_space *ks, int db, size_t n);
/* Replaces an entry's value (the old one is freed; `val` is taken over as
 * by kv_add); the TTL is kept. Under LFU the new value keeps the old one's
 * access counter (Redis' dbOverwrite), else it counts as accessed now.
 * Returns the entry, which may have moved. */
struct kv_entry *kv_replace(struct kv_space *ks, int db, struct kv_entry *e, struct kv_obj *val);
/* Makes the entry's string RAW (a separate, growable buffer) so it can be
 * written in place; returns the value. The entry does not move. */
struct kv_obj *kv_str_make_raw(struct kv_entry *e);
/* Upsert: replaces the value, or adds the key. Without keep_ttl an existing
 * TTL is removed (SET semantics). Returns the entry. */
struct kv_entry *kv_set(struct kv_space *ks, int db, const char *key, size_t klen,
                        struct kv_obj *val, bool keep_ttl);
/* As kv_set when the caller has just looked the key up: `e` is that lookup's
 * result (NULL when absent), saving a second hash lookup on the hot path. */
struct kv_entry *kv_store(struct kv_space *ks, int db, struct kv_entry *e, const char *key, size_t klen,
                          struct kv_obj *val, bool keep_ttl);
/* Deletes a key if present (no events: the caller names the event). */
bool kv_delete(struct kv_space *ks, int db, const char *key, size_t klen);
/* Unlinks a key and hands its value to the caller as a standalone object
 * (RENAME, MOVE); the entry and its TTL are freed. *ttl_ms gets the deadline or -1. NULL if absent. */
struct kv_obj *kv_take(struct kv_space *ks, int db, const char *key, size_t klen, int64_t *ttl_ms);

/* Active expiry (on by default): the time index deletes a key when its
 * deadline passes. Off (DEBUG SET-ACTIVE-EXPIRE 0), a key whose deadline
 * passed stays (DBSIZE counts it) until a lookup finds it expired; its TTL
 * record is parked in the time index at INT64_MAX. Turning it on again puts
 * the parked records back at their deadlines (a walk over the volatile
 * databases), so the overdue keys expire at the next timer run. */
void kv_set_active_expire(struct kv_space *ks, bool on);
bool kv_active_expire(const struct kv_space *ks);

/* TTLs: deadline in Unix ms, or -1 when the key has none. */
int64_t kv_ttl_get(const struct kv_entry *e);
void kv_ttl_set(struct kv_space *ks, int db, struct kv_entry *e, int64_t when_ms);
/* Removes the TTL; returns whether there was one. */
bool kv_ttl_clear(struct kv_space *ks, struct kv_entry *e);

size_t kv_size(const struct kv_space *ks, int db);
size_t kv_volatile_count(const struct kv_space *ks, int db);
/* The mean time to live, in ms from now_ms, of db's keys with a TTL (0 if
 * none, or all are due): INFO keyspace's avg_ttl, exact where Redis'
 * is a running estimate from its expire cycle's samples. */
int64_t kv_avg_ttl(const struct kv_space *ks, int db, int64_t now_ms);
/* Deletes every key of one database / all databases (no events). Returns the
 * number of keys removed. */
size_t kv_flush(struct kv_space *ks, int db);
size_t kv_flush_all(struct kv_space *ks);
void kv_swap(struct kv_space *ks, int a, int b);

/* One SCAN step over a database: fn gets each entry under the cursor
 * (possibly logically expired ones - callers filter). */
uint64_t kv_scan(struct kv_space *ks, int db, uint64_t cursor,
                 void (*fn)(struct kv_entry *e, void *arg), void *arg);
/* A random live key, deleting expired ones it meets; NULL if none. */
struct kv_entry *kv_random(struct kv_space *ks, int db, int64_t now_ms,
                           uint64_t (*rnd)(void *), void *rnd_arg);
/* Iterates one database; fn may delete nothing. */
void kv_foreach(struct kv_space *ks, int db, void (*fn)(struct kv_entry *e, void *arg), void *arg);

/* ---- eviction support (engine/evict.c) ---- */

/* Up to n entries of database db drawn at random (repeats possible, expired
 * ones included); returns how many were written to out[]. Valid until the
 * next keyspace change. */
size_t kv_sample(struct kv_space *ks, int db, struct kv_entry **out, size_t n,
                 uint64_t (*rnd)(void *), void *rnd_arg);
/* Up to n entries that have a TTL, from every database, each with its
 * database in dbs[]: first the keys among the time index's `top` earliest
 * slots, then random ones. Returns how many were written. */
size_t kv_sample_volatile(struct kv_space *ks, struct kv_entry **out, int *dbs, size_t n, size_t top,
                          uint64_t (*rnd)(void *), void *rnd_arg);
/* Evicts a key as Redis does: deletes it, then raises "changed", the
 * "evicted" keyspace event and a DEL for the journal, and counts it in
 * evicted_keys. `key` must not point into the entry. Returns false when
 * the key is absent; *freed gets the bytes the deletion gave back to the
 * allocator (kv_alloc_used_fast before and after). */
bool kv_evict_key(struct kv_space *ks, int db, const char *key, size_t klen, size_t *freed);

/* Raises the hooks of engine/event.h; handlers call them after a change. */
void kv_changed(struct kv_space *ks, int db, const char *key, size_t klen);
void kv_notify(struct kv_space *ks, int cls, const char *event, int db, const char *key, size_t klen);

/* Bytes used by the hash tables' bucket arrays, all databases. */
size_t kv_overhead_bytes(const struct kv_space *ks);
/* MEMORY STATS: one database's bucket bytes and its TTL records' bytes. */
void kv_db_overhead(const struct kv_space *ks, int db, size_t *table, size_t *ttls);
/* One rehash step per database that is rehashing (for idle time). */
void kv_rehash_steps(struct kv_space *ks, int steps);

#endif
