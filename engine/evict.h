/*
 * evict: which keys go when used memory passes maxmemory - Redis'
 * policies and its approximations, without sockets or clocks.
 *
 * Policies (maxmemory-policy): allkeys-* draw from every key, volatile-*
 * from the keys that have a TTL; *-lru prefers the longest idle (the LRU
 * clock in kv_obj.lru, one-second resolution as Redis'), *-lfu the lowest
 * decayed access counter, volatile-ttl the nearest deadline, *-random any.
 *
 * Approximation, as Redis: each pick samples `samples` keys per database
 * (maxmemory-samples) and merges them into a pool of the 16 best candidates
 * seen so far, kept across picks, so successive evictions converge on the
 * true best keys without ever sorting the keyspace. The pool holds copies of
 * the keys (entries may be gone by the next pick: a candidate that no longer
 * exists is dropped when reached). Volatile keys are sampled from the one
 * time index (engine/timeidx.h), where every TTL lives: random slots, and
 * for volatile-ttl also its top slots, which hold the earliest deadlines -
 * so volatile-ttl finds the nearest TTLs more surely than Redis' sampling.
 *
 * Eviction itself is kv_evict_key (engine/kv.h): the deletion, its
 * "changed" and "evicted" signals and the DEL for the journal. How many
 * bytes to free, and for how long to try, are the caller's (api/maxmemory.c).
 */
#ifndef TASKKV_ENGINE_EVICT_H
#define TASKKV_ENGINE_EVICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_space;

enum kv_evict_policy {
    KV_EVICT_NOEVICTION,
    KV_EVICT_ALLKEYS_LRU,
    KV_EVICT_ALLKEYS_LFU,
    KV_EVICT_ALLKEYS_RANDOM,
    KV_EVICT_VOLATILE_LRU,
    KV_EVICT_VOLATILE_LFU,
    KV_EVICT_VOLATILE_RANDOM,
    KV_EVICT_VOLATILE_TTL,
};

#define KV_EVICT_POOL_SIZE 16

struct kv_evictor;

/* An evictor with an empty pool; `seed` feeds its sampling. */
struct kv_evictor *kv_evictor_create(uint64_t seed);
void kv_evictor_destroy(struct kv_evictor *ev);   /* NULL is a no-op */
/* Empties the pool (its scores mean nothing under another policy). */
void kv_evictor_reset(struct kv_evictor *ev);

/* The key `policy` would evict next, sampling `samples` keys per database.
 * On success *db, *key and *klen name it; the key bytes belong to the
 * evictor and stay valid until its next call. False when no key qualifies
 * (an empty keyspace, no volatile key for a volatile-* policy, noeviction).
 * The candidate is taken out of the pool. */
bool kv_evict_pick(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int samples, int *db,
                   const char **key, size_t *klen);

enum kv_evict_status {
    KV_EVICT_FREED,   /* *freed reached `need` */
    KV_EVICT_MORE,    /* `max_keys` keys went first: call again */
    KV_EVICT_NONE,    /* nothing (more) can be evicted */
};

/* Evicts keys picked as above until *freed (added to, in bytes given back
 * to the allocator) reaches `need`, at most `max_keys` of them in this call;
 * *keys counts the keys evicted. */
enum kv_evict_status kv_evict(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int samples,
                              size_t need, size_t max_keys, size_t *freed, size_t *keys);

#endif
