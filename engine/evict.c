/*
 * evict: the eviction pool and the policies (see evict.h).
 *
 * The pool is Redis' design: KV_EVICT_POOL_SIZE slots sorted by ascending
 * score ("idle": the larger, the better the candidate), filled from the
 * left; a pick takes the rightmost candidate that still exists. A sampled
 * key whose score is below every slot of a full pool is not kept; otherwise
 * it is inserted in order, shifting the worse ones left (dropping the worst)
 * or, while there is room, the better ones right. Keys up to KEY_CACHE bytes
 * live in the slot's own buffer, longer ones in an allocation.
 *
 * Scores: LRU - milliseconds idle; LFU - 255 minus the decayed counter;
 * TTL - UINT64_MAX minus the deadline. The random policies use no pool: they
 * take a random key of the next database in turn (a random TTL for
 * volatile-random).
 */
#include "engine/evict.h"
#include "engine/alloc.h"
#include "engine/kv.h"

#include <stdlib.h>
#include <string.h>

#define KEY_CACHE 255
#define MAX_SAMPLES 64          /* per database and pick: maxmemory-samples is clamped to it */
#define MAX_ROUNDS 100          /* sampling rounds per pick before giving up */

struct pool_slot {
    uint64_t idle;
    int db;
    size_t klen;
    char *key;                  /* NULL: empty; else `cached` or an allocation */
    char cached[KEY_CACHE];
};

struct kv_evictor {
    struct pool_slot pool[KV_EVICT_POOL_SIZE];
    uint64_t rnd;
    int next_db;                /* random policies: databases in turn */
    char *picked;               /* the last pick's key (kv_evict_pick's result) */
    size_t picked_cap;
};

static uint64_t ev_random(void *arg)
{
    struct kv_evictor *ev = arg;
    uint64_t x = ev->rnd;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ev->rnd = x;
    return x * 0x2545F4914F6CDD1DULL;
}

struct kv_evictor *kv_evictor_create(uint64_t seed)
{
    struct kv_evictor *ev = kv_xcalloc(1, sizeof(*ev));
    ev->rnd = seed ? seed : 0x9E3779B97F4A7C15ULL;
    return ev;
}

static void slot_clear(struct pool_slot *s)
{
    if (s->key && s->key != s->cached)
        free(s->key);
    s->key = NULL;
    s->idle = 0;
}

void kv_evictor_reset(struct kv_evictor *ev)
{
    for (int i = 0; i < KV_EVICT_POOL_SIZE; i++)
        slot_clear(&ev->pool[i]);
}

void kv_evictor_destroy(struct kv_evictor *ev)
{
    if (!ev)
        return;
    kv_evictor_reset(ev);
    free(ev->picked);
    free(ev);
}

/* ---- the pool ------------------------------------------------------------- */

static bool is_volatile(enum kv_evict_policy p)
{
    return p >= KV_EVICT_VOLATILE_LRU;
}

static uint64_t score(struct kv_space *ks, enum kv_evict_policy policy, const struct kv_entry *e)
{
    const struct kv_obj *o = kv_entry_val(e);
    switch (policy) {
    case KV_EVICT_ALLKEYS_LFU:
    case KV_EVICT_VOLATILE_LFU:
        return 255 - (uint64_t)kv_lfu_counter(ks, o);
    case KV_EVICT_VOLATILE_TTL:
        return UINT64_MAX - (uint64_t)kv_ttl_get(e);
    default:
        return (uint64_t)kv_idle_seconds(ks, o) * 1000;
    }
}

static bool in_pool(const struct kv_evictor *ev, int db, const char *key, size_t klen)
{
    for (int i = 0; i < KV_EVICT_POOL_SIZE; i++) {
        const struct pool_slot *s = &ev->pool[i];
        if (s->key && s->db == db && s->klen == klen && memcmp(s->key, key, klen) == 0)
            return true;
    }
    return false;
}

static void slot_set(struct pool_slot *s, uint64_t idle, int db, const char *key, size_t klen)
{
    s->idle = idle;
    s->db = db;
    s->klen = klen;
    s->key = klen <= KEY_CACHE ? s->cached : kv_xmalloc(klen);
    memcpy(s->key, key, klen);
}

/* Moves slot `from` to `to` (a slot whose key has been handed over). */
static void slot_move(struct pool_slot *to, struct pool_slot *from)
{
    to->idle = from->idle;
    to->db = from->db;
    to->klen = from->klen;
    if (from->key == from->cached) {
        memcpy(to->cached, from->cached, from->klen);
        to->key = to->cached;
    } else {
        to->key = from->key;
    }
    from->key = NULL;
}

static void pool_insert(struct kv_evictor *ev, uint64_t idle, int db, const char *key, size_t klen)
{
    struct pool_slot *pool = ev->pool;
    int k = 0, last = KV_EVICT_POOL_SIZE - 1;
    while (k < KV_EVICT_POOL_SIZE && pool[k].key && pool[k].idle < idle)
        k++;
    if (k == 0 && pool[last].key)
        return;                             /* worse than everything in a full pool */
    if (k == KV_EVICT_POOL_SIZE || pool[k].key) {
        if (!pool[last].key) {              /* room on the right: shift the better ones */
            for (int i = last; i > k; i--)
                slot_move(&pool[i], &pool[i - 1]);
        } else {                            /* full: drop the worst, shift left */
            k--;
            slot_clear(&pool[0]);
            for (int i = 0; i < k; i++)
                slot_move(&pool[i], &pool[i + 1]);
        }
    }
    slot_set(&pool[k], idle, db, key, klen);
}

static void pool_offer(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy,
                       struct kv_entry *e, int db)
{
    size_t klen;
    const char *key = kv_entry_key(e, &klen);
    if (!in_pool(ev, db, key, klen))
        pool_insert(ev, score(ks, policy, e), db, key, klen);
}

/* Samples every database (allkeys) or the time index (volatile) into the
 * pool; returns how many keys qualified in all (0: nothing to evict). */
static size_t populate(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int samples)
{
    struct kv_entry *got[MAX_SAMPLES];
    int dbs[MAX_SAMPLES];
    size_t total = 0, n;
    int ndb = kv_ndb(ks), with_keys = 0;
    if (!is_volatile(policy)) {
        for (int db = 0; db < ndb; db++) {
            if (!kv_size(ks, db))
                continue;
            total += kv_size(ks, db);
            n = kv_sample(ks, db, got, (size_t)samples, ev_random, ev);
            for (size_t i = 0; i < n; i++)
                pool_offer(ev, ks, policy, got[i], db);
        }
        return total;
    }
    for (int db = 0; db < ndb; db++)
        if (kv_volatile_count(ks, db)) {
            total += kv_volatile_count(ks, db);
            with_keys++;
        }
    for (int round = 0; round < with_keys; round++) {
        size_t top = policy == KV_EVICT_VOLATILE_TTL && round == 0 ? (size_t)samples : 0;
        n = kv_sample_volatile(ks, got, dbs, (size_t)samples, top, ev_random, ev);
        for (size_t i = 0; i < n; i++)
            pool_offer(ev, ks, policy, got[i], dbs[i]);
    }
    return total;
}

static bool still_qualifies(struct kv_space *ks, enum kv_evict_policy policy, const struct pool_slot *s)
{
    struct kv_entry *e = kv_peek(ks, s->db, s->key, s->klen);
    return e && (!is_volatile(policy) || kv_ttl_get(e) >= 0);
}

static const char *keep_pick(struct kv_evictor *ev, const char *key, size_t klen)
{
    if (klen + 1 > ev->picked_cap) {
        ev->picked_cap = klen + 1;
        ev->picked = kv_xrealloc(ev->picked, ev->picked_cap);
    }
    memcpy(ev->picked, key, klen);
    ev->picked[klen] = '\0';
    return ev->picked;
}

/* The rightmost pool candidate that still exists (each slot looked at is
 * emptied, as Redis does). */
static bool pool_take(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int *db,
                      const char **key, size_t *klen)
{
    for (int k = KV_EVICT_POOL_SIZE - 1; k >= 0; k--) {
        struct pool_slot *s = &ev->pool[k];
        bool ok;
        if (!s->key)
            continue;
        ok = still_qualifies(ks, policy, s);
        if (ok) {
            *db = s->db;
            *klen = s->klen;
            *key = keep_pick(ev, s->key, s->klen);
        }
        slot_clear(s);
        if (ok)
            return true;
    }
    return false;
}

static bool pick_entry(struct kv_evictor *ev, const struct kv_entry *e, const char **key, size_t *klen)
{
    const char *k = kv_entry_key(e, klen);
    *key = keep_pick(ev, k, *klen);
    return true;
}

static bool pick_random(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int *db,
                        const char **key, size_t *klen)
{
    struct kv_entry *e;
    int ndb = kv_ndb(ks);
    if (policy == KV_EVICT_VOLATILE_RANDOM) {
        bool any = false;
        for (int i = 0; i < ndb && !any; i++)
            any = kv_volatile_count(ks, i) > 0;
        for (int round = 0; any && round < MAX_ROUNDS; round++)
            if (kv_sample_volatile(ks, &e, db, 1, 0, ev_random, ev) == 1)
                return pick_entry(ev, e, key, klen);
        return false;
    }
    for (int i = 0; i < ndb; i++) {
        int d = ev->next_db = (ev->next_db + 1) % ndb;
        if (kv_sample(ks, d, &e, 1, ev_random, ev) == 1) {
            *db = d;
            return pick_entry(ev, e, key, klen);
        }
    }
    return false;
}

bool kv_evict_pick(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int samples, int *db,
                   const char **key, size_t *klen)
{
    if (policy == KV_EVICT_NOEVICTION)
        return false;
    if (policy == KV_EVICT_ALLKEYS_RANDOM || policy == KV_EVICT_VOLATILE_RANDOM)
        return pick_random(ev, ks, policy, db, key, klen);
    if (samples < 1)
        samples = 1;
    if (samples > MAX_SAMPLES)
        samples = MAX_SAMPLES;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        if (!populate(ev, ks, policy, samples))
            return false;
        if (pool_take(ev, ks, policy, db, key, klen))
            return true;
    }
    return false;
}

enum kv_evict_status kv_evict(struct kv_evictor *ev, struct kv_space *ks, enum kv_evict_policy policy, int samples,
                              size_t need, size_t max_keys, size_t *freed, size_t *keys)
{
    size_t done = 0;
    while (*freed < need) {
        int db;
        const char *key;
        size_t klen, bytes = 0;
        if (done == max_keys)
            return KV_EVICT_MORE;
        if (!kv_evict_pick(ev, ks, policy, samples, &db, &key, &klen))
            return KV_EVICT_NONE;
        if (kv_evict_key(ks, db, key, klen, &bytes)) {
            *freed += bytes;
            (*keys)++;
        }
        done++;
    }
    return KV_EVICT_FREED;
}
