/*
 * dict: chained hash table with incremental rehashing (see engine/dict.h).
 *
 * Data structures
 *   A table is an array of 2^k bucket heads; each bucket is a singly linked
 *   chain of intrusive `struct dict_node`s. A dict holds two tables: t[0] is
 *   the live one and t[1] exists only while rehashing. The dict owns the
 *   bucket arrays, never the elements.
 *
 * Invariants
 *   - size[i] is 0 (no array) or a power of two; used[i] counts t[i]'s nodes.
 *   - rehashing  <=>  t[1] != NULL. While rehashing, every bucket of t[0]
 *     below rehash_idx is empty, inserts go to t[1], and lookups check t[0]
 *     then t[1]. When t[0] runs out of nodes, t[1] becomes t[0].
 *   - While iterators > 0 no node moves between tables and no shrink starts,
 *     so an iterator's prefetched `next` pointer stays valid.
 *
 * Resizing policy
 *   Grow (to twice the buckets) before an insert when used >= buckets (load
 *   factor 1). Shrink after an unlink when fewer than 10% of the buckets
 *   would be filled and the table is above MIN_BUCKETS. Neither starts while
 *   a rehash is already in progress. Each find/insert/unlink moves one
 *   bucket; a step gives up after visiting 10 empty buckets per bucket it was
 *   asked to move, so its cost is bounded even in a sparse table.
 *
 * SCAN
 *   The cursor is a bucket index incremented in bit-reversed order (Redis'
 *   algorithm): the high bits are incremented first, so the buckets a cursor
 *   has already covered stay covered when the table doubles or halves. While
 *   rehashing, one call reports a bucket of the smaller table together with
 *   every bucket of the larger table that it expands to.
 *
 * Random nodes
 *   dict_random: a non-empty bucket, then a position in its chain (cheap,
 *   biased toward short chains). dict_fair_random: a bucket and a position
 *   below max(FAIR_CHAIN, chain length), retried until the position holds a
 *   node, so every node has the same chance while chains stay short (see
 *   dict.h); the slots are t[0] from rehash_idx on followed by t[1].
 *
 * Hashing
 *   SipHash-1-2 (Aumasson & Bernstein), written from the paper: 64-bit
 *   output, 128-bit key. Each table copies the process seed at creation.
 *
 * Allocation failure of a bucket array aborts the process, as elsewhere in
 * the server; nothing else here allocates.
 */
#include "engine/dict.h"
#include "engine/alloc.h"

#include <assert.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 4
#define SHRINK_FILL_PERCENT 10
#define EMPTY_VISITS_PER_STEP 10
#define RANDOM_PROBES 100
#define FAIR_CHAIN 8        /* dict_fair_random: chains drawn exactly uniformly */
#define FAIR_TRIES 1000     /* dict_fair_random: tries before the exact walk */

struct dict {
    const struct dict_type *type;
    struct dict_node **t[2];
    size_t size[2];
    size_t used[2];
    size_t rehash_idx;       /* next t[0] bucket to move; valid while rehashing */
    int iterators;           /* live iterators (and scans): rehash is paused */
    uint64_t seed[2];
};

/* Default until dict_set_seed: fixed so tests are reproducible. */
static uint8_t process_seed[16] = {
    0x74, 0x61, 0x73, 0x6b, 0x6b, 0x76, 0x2d, 0x64,
    0x69, 0x63, 0x74, 0x2d, 0x73, 0x65, 0x65, 0x64,
};

/* ---------------------------------------------------------------- SipHash */

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));   /* one unaligned load */
    return le64toh(v);
}

struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s)
{
    s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
    s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
    s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

/* One compression round per message word (the "1" of SipHash-1-2). */
static inline void sip_compress(struct sip_state *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s);
    s->v0 ^= m;
}

/* The final word: up to 7 trailing bytes, with len mod 256 in the top byte. */
static inline uint64_t sip_last_word(const uint8_t *tail, size_t len)
{
    uint8_t buf[8] = { 0 };
    memcpy(buf, tail, len & 7);
    return load_le64(buf) | (uint64_t)len << 56;
}

/* key: the 128-bit key as two little-endian words, loaded once per table. */
static uint64_t siphash12(const uint8_t *in, size_t len, const uint64_t key[2])
{
    uint64_t k0 = key[0], k1 = key[1];
    struct sip_state s = {
        k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
        k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
    };
    size_t whole = len & ~(size_t)7;

    for (size_t i = 0; i < whole; i += 8)
        sip_compress(&s, load_le64(in + i));
    sip_compress(&s, sip_last_word(in + whole, len));
    s.v2 ^= 0xff;
    sip_round(&s);   /* two finalization rounds (the "2") */
    sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void dict_set_seed(const uint8_t seed[16])
{
    memcpy(process_seed, seed, sizeof(process_seed));
}

uint64_t dict_hash(const char *key, size_t len)
{
    uint64_t k[2] = { load_le64(process_seed), load_le64(process_seed + 8) };
    return siphash12((const uint8_t *)key, len, k);
}

/* ---------------------------------------------------------------- helpers */

static inline bool rehashing(const struct dict *d)
{
    return d->t[1] != NULL;
}

static inline size_t total_used(const struct dict *d)
{
    return d->used[0] + d->used[1];
}

static uint64_t hash_key(const struct dict *d, const char *key, size_t len)
{
    return siphash12((const uint8_t *)key, len, d->seed);
}

static uint64_t hash_node(const struct dict *d, const struct dict_node *n)
{
    const char *key;
    size_t len;
    d->type->node_key(n, &key, &len);
    return hash_key(d, key, len);
}

static bool key_equals(const struct dict *d, const struct dict_node *n,
                       const char *key, size_t len)
{
    const char *nkey;
    size_t nlen;
    d->type->node_key(n, &nkey, &nlen);
    return nlen == len && memcmp(nkey, key, len) == 0;
}

/* Smallest power of two >= n, at least MIN_BUCKETS. */
static size_t buckets_for(size_t n)
{
    size_t size = MIN_BUCKETS;
    while (size < n)
        size <<= 1;
    return size;
}

/* ---------------------------------------------------------------- rehash */

static void finish_rehash(struct dict *d)
{
    free(d->t[0]);
    d->t[0] = d->t[1];
    d->size[0] = d->size[1];
    d->used[0] = d->used[1];
    d->t[1] = NULL;
    d->size[1] = 0;
    d->used[1] = 0;
    d->rehash_idx = 0;
}

/* Moves every node of t[0]'s bucket `idx` to t[1]. */
static void move_bucket(struct dict *d, size_t idx)
{
    struct dict_node *n = d->t[0][idx];
    size_t mask = d->size[1] - 1;

    while (n != NULL) {
        struct dict_node *next = n->next;
        size_t to = hash_node(d, n) & mask;
        n->next = d->t[1][to];
        d->t[1][to] = n;
        d->used[0]--;
        d->used[1]++;
        n = next;
    }
    d->t[0][idx] = NULL;
}

/* Moves up to `steps` non-empty buckets, visiting at most
 * EMPTY_VISITS_PER_STEP * steps empty ones. Returns true if still rehashing. */
static bool rehash(struct dict *d, int steps)
{
    size_t empty_budget = (size_t)steps * EMPTY_VISITS_PER_STEP;

    if (!rehashing(d))
        return false;
    while (steps-- > 0 && d->used[0] > 0) {
        while (d->t[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_budget == 0)
                return true;
        }
        move_bucket(d, d->rehash_idx++);
    }
    if (d->used[0] == 0)
        finish_rehash(d);
    return rehashing(d);
}

/* The one step that find/insert/unlink/random pay for, unless paused. */
static void rehash_step(struct dict *d)
{
    if (d->iterators == 0)
        rehash(d, 1);
}

/* Starts rehashing into a fresh table of `size` buckets (or installs it
 * directly when there is nothing to move). */
static void start_resize(struct dict *d, size_t size)
{
    assert(!rehashing(d));
    if (d->t[0] == NULL) {
        d->t[0] = kv_xcalloc(size, sizeof(*d->t[0]));
        d->size[0] = size;
        return;
    }
    d->t[1] = kv_xcalloc(size, sizeof(*d->t[1]));
    d->size[1] = size;
    d->rehash_idx = 0;
    if (d->used[0] == 0)
        finish_rehash(d);
}

static void grow_if_needed(struct dict *d)
{
    if (rehashing(d))
        return;
    if (d->size[0] == 0)
        start_resize(d, MIN_BUCKETS);
    else if (d->used[0] >= d->size[0])
        start_resize(d, buckets_for(d->used[0] + 1));
}

static void shrink_if_needed(struct dict *d)
{
    if (rehashing(d) || d->iterators > 0 || d->size[0] <= MIN_BUCKETS)
        return;
    if (d->used[0] * 100 < d->size[0] * SHRINK_FILL_PERCENT)
        start_resize(d, buckets_for(d->used[0]));
}

bool dict_rehash_steps(struct dict *d, int steps)
{
    if (d->iterators > 0)
        return rehashing(d);
    return rehash(d, steps);
}

bool dict_is_rehashing(const struct dict *d)
{
    return rehashing(d);
}

/* ---------------------------------------------------------------- lookup */

/* Returns the link (bucket head or a node's `next` field) that points at the
 * node matching the key, or at `want` itself when want != NULL; NULL if
 * absent. *table receives the table it was found in. */
static struct dict_node **find_link(struct dict *d, const char *key, size_t len,
                                    const struct dict_node *want, int *table)
{
    uint64_t h = hash_key(d, key, len);

    for (int i = 0; i <= 1; i++) {
        if (d->size[i] == 0)
            continue;
        size_t idx = h & (d->size[i] - 1);
        if (i == 0 && rehashing(d) && idx < d->rehash_idx)
            continue;   /* already moved: the bucket is empty */
        for (struct dict_node **link = &d->t[i][idx]; *link; link = &(*link)->next) {
            struct dict_node *n = *link;
            if (want != NULL ? n == want : key_equals(d, n, key, len)) {
                *table = i;
                return link;
            }
        }
    }
    return NULL;
}

struct dict_node *dict_find(struct dict *d, const char *key, size_t len)
{
    int table;
    struct dict_node **link;

    rehash_step(d);
    link = find_link(d, key, len, NULL, &table);
    return link ? *link : NULL;
}

void dict_insert(struct dict *d, struct dict_node *n)
{
    const char *key;
    size_t len;

    rehash_step(d);
    grow_if_needed(d);
    d->type->node_key(n, &key, &len);
#ifndef NDEBUG
    int found_in;
    assert(find_link(d, key, len, NULL, &found_in) == NULL);
#endif
    int table = rehashing(d) ? 1 : 0;
    size_t idx = hash_key(d, key, len) & (d->size[table] - 1);
    n->next = d->t[table][idx];
    d->t[table][idx] = n;
    d->used[table]++;
}

void dict_reserve(struct dict *d, size_t n)
{
    if (total_used(d) || rehashing(d) || buckets_for(n) <= d->size[0])
        return;
    free(d->t[0]);
    d->t[0] = NULL;
    d->size[0] = 0;
    start_resize(d, buckets_for(n));
}

bool dict_insert_new(struct dict *d, struct dict_node *n)
{
    const char *key;
    size_t len;
    uint64_t h;
    int table;

    rehash_step(d);
    grow_if_needed(d);
    d->type->node_key(n, &key, &len);
    h = hash_key(d, key, len);
    for (int i = 0; i <= 1; i++) {
        if (d->size[i] == 0)
            continue;
        size_t idx = h & (d->size[i] - 1);
        if (i == 0 && rehashing(d) && idx < d->rehash_idx)
            continue;
        for (struct dict_node *x = d->t[i][idx]; x; x = x->next)
            if (key_equals(d, x, key, len))
                return false;
    }
    table = rehashing(d) ? 1 : 0;
    size_t idx = h & (d->size[table] - 1);
    n->next = d->t[table][idx];
    d->t[table][idx] = n;
    d->used[table]++;
    return true;
}

/* Unlinks the node at `link` in `table`, then considers shrinking. */
static struct dict_node *unlink_at(struct dict *d, struct dict_node **link, int table)
{
    struct dict_node *n = *link;

    *link = n->next;
    n->next = NULL;
    d->used[table]--;
    shrink_if_needed(d);
    return n;
}

struct dict_node *dict_unlink(struct dict *d, const char *key, size_t len)
{
    int table;
    struct dict_node **link;

    rehash_step(d);
    link = find_link(d, key, len, NULL, &table);
    return link ? unlink_at(d, link, table) : NULL;
}

bool dict_unlink_node(struct dict *d, struct dict_node *n)
{
    const char *key;
    size_t len;
    int table;
    struct dict_node **link;

    rehash_step(d);
    d->type->node_key(n, &key, &len);
    link = find_link(d, key, len, n, &table);
    if (link == NULL)
        return false;
    unlink_at(d, link, table);
    return true;
}

void dict_node_moved(struct dict *d, const struct dict_node *old, struct dict_node *n)
{
    const char *key;
    size_t len;
    int table;
    struct dict_node **link;

    d->type->node_key(n, &key, &len);
    link = find_link(d, key, len, old, &table);
    assert(link != NULL);
    *link = n;
}

/* ---------------------------------------------------------------- lifecycle */

struct dict *dict_create(const struct dict_type *type)
{
    struct dict *d = kv_xcalloc(1, sizeof(*d));

    d->type = type;
    d->seed[0] = load_le64(process_seed);
    d->seed[1] = load_le64(process_seed + 8);
    return d;
}

void dict_destroy(struct dict *d)
{
    if (d == NULL)
        return;
    free(d->t[0]);
    free(d->t[1]);
    free(d);
}

static void clear_table(struct dict *d, int i,
                        void (*free_fn)(struct dict_node *n, void *arg), void *arg)
{
    for (size_t idx = 0; idx < d->size[i]; idx++) {
        struct dict_node *n = d->t[i][idx];
        while (n != NULL) {
            struct dict_node *next = n->next;
            if (free_fn != NULL)
                free_fn(n, arg);
            n = next;
        }
    }
    free(d->t[i]);
    d->t[i] = NULL;
    d->size[i] = 0;
    d->used[i] = 0;
}

void dict_clear(struct dict *d, void (*free_fn)(struct dict_node *n, void *arg), void *arg)
{
    clear_table(d, 0, free_fn, arg);
    clear_table(d, 1, free_fn, arg);
    d->rehash_idx = 0;
}

size_t dict_size(const struct dict *d)
{
    return total_used(d);
}

size_t dict_mem_usage(const struct dict *d)
{
    return (d->size[0] + d->size[1]) * sizeof(struct dict_node *);
}

size_t dict_mem_estimate(const struct dict *d, size_t samples)
{
    size_t bytes = kv_alloc_size(d) + dict_mem_usage(d), seen = 0, sum = 0;
    struct dict_iter it;
    struct dict_node *n;
    /* iteration only reads; the cast drops const for the shared iterator */
    dict_iter_init(&it, (struct dict *)d);
    while (seen < samples && (n = dict_iter_next(&it))) {
        sum += kv_alloc_size(n);
        seen++;
    }
    dict_iter_deinit(&it);
    return seen ? bytes + (size_t)((double)sum / (double)seen * (double)total_used(d)) : bytes;
}

/* ---------------------------------------------------------------- scan */

static uint64_t reverse_bits(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    v = ((v >> 8) & 0x00ff00ff00ff00ffULL) | ((v & 0x00ff00ff00ff00ffULL) << 8);
    v = ((v >> 16) & 0x0000ffff0000ffffULL) | ((v & 0x0000ffff0000ffffULL) << 16);
    return (v >> 32) | (v << 32);
}

/* Adds one to the cursor's masked bits, counting from the most significant
 * masked bit down (setting the unmasked bits makes the carry run through). */
static uint64_t next_cursor(uint64_t v, uint64_t mask)
{
    v |= ~mask;
    v = reverse_bits(v);
    v++;
    return reverse_bits(v);
}

static void scan_bucket(struct dict_node *n, void (*fn)(struct dict_node *n, void *arg),
                        void *arg)
{
    while (n != NULL) {
        struct dict_node *next = n->next;
        fn(n, arg);
        n = next;
    }
}

uint64_t dict_scan(struct dict *d, uint64_t cursor,
                   void (*fn)(struct dict_node *n, void *arg), void *arg)
{
    if (total_used(d) == 0)
        return 0;
    d->iterators++;   /* keep nodes in place while fn runs */
    if (!rehashing(d)) {
        uint64_t mask = d->size[0] - 1;
        scan_bucket(d->t[0][cursor & mask], fn, arg);
        cursor = next_cursor(cursor, mask);
    } else {
        int small = d->size[0] <= d->size[1] ? 0 : 1;
        int large = 1 - small;
        uint64_t m0 = d->size[small] - 1, m1 = d->size[large] - 1;

        scan_bucket(d->t[small][cursor & m0], fn, arg);
        do {
            scan_bucket(d->t[large][cursor & m1], fn, arg);
            cursor = next_cursor(cursor, m1);
        } while (cursor & (m0 ^ m1));
    }
    d->iterators--;
    return cursor;
}

/* ---------------------------------------------------------------- random */

/* Bucket `slot` of the concatenation t[0] ++ t[1]. */
static struct dict_node *slot_head(const struct dict *d, size_t slot)
{
    return slot < d->size[0] ? d->t[0][slot] : d->t[1][slot - d->size[0]];
}

/* A non-empty bucket chosen uniformly: random probes, then (only if the
 * randomness source is degenerate) a linear walk from the last probe. */
static struct dict_node *random_bucket(const struct dict *d,
                                       uint64_t (*rnd)(void *), void *rnd_arg)
{
    size_t first = rehashing(d) ? d->rehash_idx : 0;   /* t[0] below it is empty */
    size_t span = d->size[0] + d->size[1] - first;
    size_t slot = first;

    for (int probe = 0; probe < RANDOM_PROBES; probe++) {
        slot = first + rnd(rnd_arg) % span;
        if (slot_head(d, slot) != NULL)
            return slot_head(d, slot);
    }
    while (slot_head(d, slot) == NULL)
        slot = first + (slot - first + 1) % span;
    return slot_head(d, slot);
}

struct dict_node *dict_random(struct dict *d, uint64_t (*rnd)(void *), void *rnd_arg)
{
    struct dict_node *head, *n;
    size_t len = 0;

    if (total_used(d) == 0)
        return NULL;
    rehash_step(d);
    head = random_bucket(d, rnd, rnd_arg);
    for (n = head; n != NULL; n = n->next)
        len++;
    n = head;
    for (size_t skip = rnd(rnd_arg) % len; skip > 0; skip--)
        n = n->next;
    return n;
}

/* The node of index i (0 <= i < size) in slot order: the exact, slow path
 * of dict_fair_random. */
static struct dict_node *nth_node(const struct dict *d, size_t i)
{
    size_t first = rehashing(d) ? d->rehash_idx : 0;

    for (size_t slot = first; slot < d->size[0] + d->size[1]; slot++)
        for (struct dict_node *n = slot_head(d, slot); n != NULL; n = n->next)
            if (i-- == 0)
                return n;
    return NULL;
}

/* One draw of `rnd` through a 64-bit finalizer (MurmurHash3's fmix64), so
 * that consecutive draws of a linear generator (xorshift: the low bits of
 * one output decide those of the next) do not tie the position to the
 * bucket. */
static uint64_t fair_draw(uint64_t (*rnd)(void *), void *rnd_arg)
{
    uint64_t x = rnd(rnd_arg);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

struct dict_node *dict_fair_random(struct dict *d, uint64_t (*rnd)(void *), void *rnd_arg)
{
    size_t first, span;

    if (total_used(d) == 0)
        return NULL;
    rehash_step(d);
    first = rehashing(d) ? d->rehash_idx : 0;   /* t[0] below it is empty */
    span = d->size[0] + d->size[1] - first;
    for (int t = 0; t < FAIR_TRIES; t++) {
        struct dict_node *head = slot_head(d, first + fair_draw(rnd, rnd_arg) % span), *n;
        size_t len = 0, pos;
        for (n = head; n != NULL; n = n->next)
            len++;
        if (len == 0)
            continue;
        pos = fair_draw(rnd, rnd_arg) % (len > FAIR_CHAIN ? len : FAIR_CHAIN);
        if (pos >= len)
            continue;
        for (n = head; pos > 0; pos--)
            n = n->next;
        return n;
    }
    return nth_node(d, fair_draw(rnd, rnd_arg) % total_used(d));
}

/* ---------------------------------------------------------------- iterator */

void dict_iter_init(struct dict_iter *it, struct dict *d)
{
    it->d = d;
    it->table = 0;
    it->index = 0;
    it->cur = NULL;
    it->next = NULL;
    d->iterators++;
}

/* Loads the next bucket's chain into it->next; false when both tables are done. */
static bool iter_advance(struct dict_iter *it)
{
    const struct dict *d = it->d;

    while (it->index >= d->size[it->table]) {
        if (it->table == 1 || !rehashing(d))
            return false;
        it->table = 1;
        it->index = 0;
    }
    it->next = d->t[it->table][it->index++];
    return true;
}

/* Returns the next node, or NULL at the end. The returned node may be
 * unlinked before the next call: its successor is already prefetched. */
struct dict_node *dict_iter_next(struct dict_iter *it)
{
    while (it->next == NULL) {
        if (!iter_advance(it)) {
            it->cur = NULL;
            return NULL;
        }
    }
    it->cur = it->next;
    it->next = it->cur->next;
    return it->cur;
}

void dict_iter_deinit(struct dict_iter *it)
{
    assert(it->d->iterators > 0);
    it->d->iterators--;
    it->d = NULL;
}
