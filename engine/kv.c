/*
 * kv: the keyspace (see kv.h for the model).
 *
 * Databases are `struct kv_table` pointers so SWAPDB is a pointer swap; each
 * TTL record points at its table (not at a database number), and the table
 * knows its current number, so an active expiry after SWAPDB raises its
 * events under the right database.
 */
#include "engine/kv.h"
#include "engine/alloc.h"
#include "engine/timeidx.h"

#include <assert.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Sums of up to 2^64 deadlines near 2^63 need 128 bits. */
__extension__ typedef __int128 wide_sum;

struct kv_table {
    struct dict *dict;
    size_t nvolatile;
    wide_sum when_sum;   /* of the volatile keys' when_ms (INFO avg_ttl) */
    int id;
};

struct kv_ttl {
    struct ti_item ti;        /* deadline + 1 ms: expired once now > deadline */
    int64_t when_ms;
    struct kv_table *table;
    struct kv_entry *entry;
};

struct kv_space {
    int64_t clock_ms;         /* the running command's time, for access tracking */
    bool passive_only;        /* active expiry off (DEBUG SET-ACTIVE-EXPIRE 0) */
    bool parked;              /* a due TTL record was parked while it was off */
    bool lfu;
    int lfu_log_factor, lfu_decay_minutes;
    uint64_t lfu_rand;
    int ndb;
    struct kv_table **tables;
    struct timeidx *ti;
    /* While expiry is held (kv_hold_expiry): due TTL items wait here, kind
     * TI_KEY_TTL_HELD, instead of expiring; created on first use. */
    struct timeidx *held;
    bool holding;
    struct kv_events ev;
    struct kv_stats stats;
};

static void entry_key(const struct dict_node *n, const char **key, size_t *len)
{
    *key = kv_entry_key((const struct kv_entry *)n, len);
}

static const struct dict_type keyspace_type = { entry_key };

static void expire_handler(void *ctx, struct ti_item *it, int64_t now_ms);

struct kv_space *kv_create(int ndb, struct timeidx *ti, const struct kv_events *ev)
{
    struct kv_space *ks = kv_xcalloc(1, sizeof(*ks));
    ks->ndb = ndb;
    ks->ti = ti;
    if (ev)
        ks->ev = *ev;
    ks->tables = kv_xcalloc((size_t)ndb, sizeof(*ks->tables));
    for (int i = 0; i < ndb; i++) {
        ks->tables[i] = kv_xcalloc(1, sizeof(struct kv_table));
        ks->tables[i]->dict = dict_create(&keyspace_type);
        ks->tables[i]->id = i;
    }
    ti_set_handler(ti, TI_KEY_TTL, expire_handler, ks);
    return ks;
}

void kv_destroy(struct kv_space *ks)
{
    if (!ks)
        return;
    ks->ev.flushing = NULL;
    kv_flush_all(ks);
    for (int i = 0; i < ks->ndb; i++) {
        dict_destroy(ks->tables[i]->dict);
        free(ks->tables[i]);
    }
    free(ks->tables);
    ti_destroy(ks->held);
    free(ks);
}

void kv_set_events(struct kv_space *ks, const struct kv_events *ev) { ks->ev = *ev; }
int kv_ndb(const struct kv_space *ks) { return ks->ndb; }
const struct kv_stats *kv_stats(const struct kv_space *ks) { return &ks->stats; }
void kv_reset_stats(struct kv_space *ks) { memset(&ks->stats, 0, sizeof(ks->stats)); }

void kv_changed(struct kv_space *ks, int db, const char *key, size_t klen)
{
    if (ks->ev.changed)
        ks->ev.changed(ks->ev.ctx, db, key, klen);
}

void kv_notify(struct kv_space *ks, int cls, const char *event, int db, const char *key, size_t klen)
{
    if (ks->ev.notify)
        ks->ev.notify(ks->ev.ctx, cls, event, db, key, klen);
}

/* ---- entries ---------------------------------------------------------- */

/* Takes a TTL's item out of whichever index holds it. */
static void ttl_unschedule(struct kv_space *ks, struct kv_ttl *ttl)
{
    if (ttl->ti.kind == TI_KEY_TTL_HELD) {
        ti_cancel(ks->held, &ttl->ti);
        ttl->ti.kind = TI_KEY_TTL;
    } else {
        ti_cancel(ks->ti, &ttl->ti);
    }
}

static void ttl_free(struct kv_space *ks, struct kv_entry *e)
{
    if (!e->ttl)
        return;
    ttl_unschedule(ks, e->ttl);
    e->ttl->table->nvolatile--;
    e->ttl->table->when_sum -= e->ttl->when_ms;
    free(e->ttl);
    e->ttl = NULL;
}

static void entry_free(struct kv_space *ks, struct kv_entry *e)
{
    ttl_free(ks, e);
    kv_obj_release(&e->val);
    free(e);
}

bool kv_is_expired(const struct kv_entry *e, int64_t now_ms)
{
    return e->ttl && now_ms > e->ttl->when_ms;
}

/* A deletion the engine originates (expiry, eviction) goes to the journal
 * as DEL. */
static void propagate_del(struct kv_space *ks, int db, const char *key, size_t klen)
{
    static const char del[] = "DEL";
    if (ks->ev.propagate) {
        struct kv_arg argv[2] = { { del, 3 }, { key, klen } };
        ks->ev.propagate(ks->ev.ctx, db, 2, argv);
    }
}

/* Deletes an expired entry and raises "expired" as Redis does: keyspace
 * event, key-changed signal, and a DEL for the journal. */
static void expire_entry(struct kv_space *ks, struct kv_table *t, struct kv_entry *e)
{
    int db = t->id;
    size_t klen;
    const char *key = kv_entry_key(e, &klen);
    dict_unlink_node(t->dict, &e->node);
    ks->stats.expired_keys++;
    kv_notify(ks, NOTIFY_EXPIRED, "expired", db, key, klen);
    kv_changed(ks, db, key, klen);
    propagate_del(ks, db, key, klen);
    entry_free(ks, e);
}

/* The TI_KEY_TTL handler. With active expiry off, a due record is parked
 * at the end of time instead, so the key waits for a lookup and the timer
 * keeps serving the other kinds. */
static void expire_handler(void *ctx, struct ti_item *it, int64_t now_ms)
{
    struct kv_space *ks = ctx;
    struct kv_ttl *ttl = (struct kv_ttl *)((char *)it - offsetof(struct kv_ttl, ti));
    (void)now_ms;
    if (ks->holding) {   /* the dataset stays as it is until the hold ends */
        it->kind = TI_KEY_TTL_HELD;
        ti_schedule(ks->held, it, ttl->when_ms);
        return;
    }
    if (ks->passive_only) {
        ti_schedule(ks->ti, it, INT64_MAX);
        ks->parked = true;
        return;
    }
    expire_entry(ks, ttl->table, ttl->entry);
}

static void unpark(struct kv_entry *e, void *arg)
{
    struct kv_space *ks = arg;
    if (e->ttl && e->ttl->ti.deadline_ms == INT64_MAX && e->ttl->when_ms < INT64_MAX)
        ti_schedule(ks->ti, &e->ttl->ti, e->ttl->when_ms + 1);
}

void kv_set_active_expire(struct kv_space *ks, bool on)
{
    ks->passive_only = !on;
    if (!on || !ks->parked)
        return;
    ks->parked = false;
    for (int db = 0; db < ks->ndb; db++)
        if (ks->tables[db]->nvolatile)
            kv_foreach(ks, db, unpark, ks);
}

bool kv_active_expire(const struct kv_space *ks) { return !ks->passive_only; }

void kv_hold_expiry(struct kv_space *ks, bool hold)
{
    struct ti_item *it;
    if (hold && !ks->held)
        ks->held = ti_create();
    ks->holding = hold;
    if (hold || !ks->held)
        return;
    /* Back into the main index in deadline order; all are due, so the
     * owner's timer expires them at its next run. */
    while ((it = ti_pop_due(ks->held, INT64_MAX)) != NULL) {
        struct kv_ttl *ttl = (struct kv_ttl *)((char *)it - offsetof(struct kv_ttl, ti));
        it->kind = TI_KEY_TTL;
        ti_schedule(ks->ti, it, ttl->when_ms < INT64_MAX ? ttl->when_ms + 1 : INT64_MAX);
    }
}

bool kv_expiry_held(const struct kv_space *ks) { return ks->holding; }

/* ---- access tracking (Redis' LRU clock / LFU counter in kv_obj.lru) ----- */

#define LRU_BITS 24
#define LRU_MAX ((1u << LRU_BITS) - 1)
#define LFU_INIT 5

void kv_set_clock(struct kv_space *ks, int64_t now_ms) { ks->clock_ms = now_ms; }

void kv_set_access_policy(struct kv_space *ks, bool lfu, int log_factor, int decay_minutes)
{
    ks->lfu = lfu;
    ks->lfu_log_factor = log_factor;
    ks->lfu_decay_minutes = decay_minutes;
}

bool kv_lfu_enabled(const struct kv_space *ks) { return ks->lfu; }

static uint32_t lru_clock(const struct kv_space *ks) { return (uint32_t)(ks->clock_ms / 1000) & LRU_MAX; }
static uint32_t lfu_minutes(const struct kv_space *ks) { return (uint32_t)(ks->clock_ms / 60000) & 65535; }

long long kv_idle_seconds(const struct kv_space *ks, const struct kv_obj *o)
{
    uint32_t now = lru_clock(ks);
    return now >= o->lru ? (long long)(now - o->lru) : (long long)(now + (LRU_MAX - o->lru));
}

int kv_lfu_counter(const struct kv_space *ks, const struct kv_obj *o)
{
    uint32_t then = o->lru >> 8, now = lfu_minutes(ks);
    uint32_t elapsed = now >= then ? now - then : 65535 - then + now;
    int counter = (int)(o->lru & 255);
    uint32_t periods = ks->lfu_decay_minutes ? elapsed / (uint32_t)ks->lfu_decay_minutes : 0;
    return periods > (uint32_t)counter ? 0 : counter - (int)periods;
}

static double lfu_random(struct kv_space *ks)
{
    uint64_t x = ks->lfu_rand ? ks->lfu_rand : 0x9E3779B97F4A7C15ULL;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ks->lfu_rand = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* Redis' logarithmic counter: the more hits, the less likely the next
 * increment. */
static void touch(struct kv_space *ks, struct kv_obj *o)
{
    int counter;
    if (!ks->lfu) {
        o->lru = lru_clock(ks);
        return;
    }
    counter = kv_lfu_counter(ks, o);
    if (counter < 255) {
        double base = counter > LFU_INIT ? counter - LFU_INIT : 0;
        if (lfu_random(ks) < 1.0 / (base * ks->lfu_log_factor + 1))
            counter++;
    }
    o->lru = (lfu_minutes(ks) << 8) | (uint32_t)counter;
}

static void stamp_new(struct kv_space *ks, struct kv_obj *o)
{
    o->lru = ks->lfu ? (lfu_minutes(ks) << 8) | LFU_INIT : lru_clock(ks);
}

bool kv_set_access(const struct kv_space *ks, struct kv_obj *o, long long freq, long long idle_s)
{
    long long idle, when;
    if (ks->lfu) {
        if (freq < 0)
            return false;
        o->lru = (lfu_minutes(ks) << 8) | (uint32_t)(freq & 255);
        return true;
    }
    if (idle_s < 0)
        return false;
    idle = (long long)((unsigned long long)idle_s * 1000u) / 1000;
    when = (long long)lru_clock(ks) - idle;
    if (when < 0)
        when += LRU_MAX;
    o->lru = (uint32_t)((unsigned long long)when & LRU_MAX);
    return true;
}

struct kv_entry *kv_peek(struct kv_space *ks, int db, const char *key, size_t klen)
{
    return (struct kv_entry *)dict_find(ks->tables[db]->dict, key, klen);
}

struct kv_entry *kv_find_notouch(struct kv_space *ks, int db, const char *key, size_t klen, int64_t now_ms)
{
    struct kv_entry *e = kv_peek(ks, db, key, klen);
    if (e && kv_is_expired(e, now_ms)) {
        if (!ks->holding)
            expire_entry(ks, ks->tables[db], e);
        return NULL;
    }
    return e;
}

struct kv_entry *kv_find(struct kv_space *ks, int db, const char *key, size_t klen, int64_t now_ms)
{
    struct kv_entry *e = kv_find_notouch(ks, db, key, klen, now_ms);
    if (e)
        touch(ks, &e->val);
    return e;
}

/* Entry layout: [node][ttl][value span][u32 klen][key]. */
static size_t entry_size(size_t span, size_t klen)
{
    return offsetof(struct kv_entry, val) + span + 4 + klen;
}

static void put_key(struct kv_entry *e, const char *key, size_t klen)
{
    char *p = (char *)e + offsetof(struct kv_entry, val) + kv_obj_span(&e->val);
    uint32_t l = (uint32_t)klen;
    memcpy(p, &l, 4);
    if (klen)
        memcpy(p + 4, key, klen);
}

/* Takes a standalone object's bytes; its shell is freed. */
static void adopt(struct kv_obj *dst, struct kv_obj *val)
{
    kv_obj_move(dst, val);
    free(val);
}

struct kv_entry *kv_add(struct kv_space *ks, int db, const char *key, size_t klen, struct kv_obj *val)
{
    struct kv_entry *e;
    assert(klen <= UINT32_MAX);
    e = kv_xmalloc(entry_size(kv_obj_span(val), klen));
    e->node.next = NULL;
    e->ttl = NULL;
    adopt(&e->val, val);
    stamp_new(ks, &e->val);
    put_key(e, key, klen);
    dict_insert(ks->tables[db]->dict, &e->node);
    kv_notify(ks, NOTIFY_NEW, "new", db, key, klen);
    return e;
}

void kv_reserve(struct kv_space *ks, int db, size_t n) { dict_reserve(ks->tables[db]->dict, n); }

bool kv_load_add(struct kv_space *ks, int db, const char *key, size_t klen, struct kv_obj *val, int64_t when_ms)
{
    struct kv_entry *e;
    if (klen > UINT32_MAX)
        return false;
    e = kv_xmalloc(entry_size(kv_obj_span(val), klen));
    e->node.next = NULL;
    e->ttl = NULL;
    kv_obj_move(&e->val, val);
    stamp_new(ks, &e->val);
    put_key(e, key, klen);
    if (!dict_insert_new(ks->tables[db]->dict, &e->node)) {
        free(e);   /* the value's bytes were copied, not moved: val stays the caller's */
        return false;
    }
    free(val);
    if (when_ms >= 0)
        kv_ttl_set(ks, db, e, when_ms);
    return true;
}

/* Moves the key bytes so they follow a value of `new_span` bytes, growing
 * the entry when needed (relinking it in its table if it moved). */
static struct kv_entry *make_room(struct kv_space *ks, int db, struct kv_entry *e, size_t new_span)
{
    size_t old_span = kv_obj_span(&e->val), klen;
    const char *key = kv_entry_key(e, &klen);
    size_t need = entry_size(new_span, klen);
    if (new_span == old_span)
        return e;
    if (need > malloc_usable_size(e)) {
        struct kv_entry *moved = kv_xrealloc(e, need);
        if (moved != e) {
            dict_node_moved(ks->tables[db]->dict, &e->node, &moved->node);
            if (moved->ttl)
                moved->ttl->entry = moved;
            e = moved;
        }
        key = kv_entry_key(e, &klen);
    }
    memmove((char *)e + offsetof(struct kv_entry, val) + new_span, key - 4, 4 + klen);
    return e;
}

struct kv_entry *kv_replace(struct kv_space *ks, int db, struct kv_entry *e, struct kv_obj *val)
{
    uint32_t lru = e->val.lru;
    if (val == &e->val)
        return e;
    kv_obj_release(&e->val);
    e = make_room(ks, db, e, kv_obj_span(val));
    adopt(&e->val, val);
    /* Redis' dbOverwrite: under LFU the new value inherits the old one's
     * counter; under LRU it is a new object, accessed now */
    if (ks->lfu)
        e->val.lru = lru;
    else
        stamp_new(ks, &e->val);
    return e;
}

struct kv_obj *kv_str_make_raw(struct kv_entry *e)
{
    struct kv_obj *raw;
    char buf[KV_LLSTR_SIZE];
    size_t len, klen;
    const char *p, *key;
    uint32_t lru = e->val.lru;
    if (e->val.enc == KV_ENC_RAW)
        return &e->val;
    p = kv_str_bytes(&e->val, buf, &len);
    raw = kv_str_new_raw(p, len);
    key = kv_entry_key(e, &klen);
    /* RAW spans 16 bytes, no more than before: the key moves down in place. */
    memmove((char *)e + offsetof(struct kv_entry, val) + kv_obj_span(raw), key - 4, 4 + klen);
    adopt(&e->val, raw);
    e->val.lru = lru & 0xffffff;
    return &e->val;
}

struct kv_entry *kv_set(struct kv_space *ks, int db, const char *key, size_t klen,
                        struct kv_obj *val, bool keep_ttl)
{
    return kv_store(ks, db, kv_peek(ks, db, key, klen), key, klen, val, keep_ttl);
}

struct kv_entry *kv_store(struct kv_space *ks, int db, struct kv_entry *e, const char *key, size_t klen,
                          struct kv_obj *val, bool keep_ttl)
{
    if (!e)
        return kv_add(ks, db, key, klen, val);
    e = kv_replace(ks, db, e, val);
    if (!keep_ttl)
        ttl_free(ks, e);
    return e;
}

bool kv_delete(struct kv_space *ks, int db, const char *key, size_t klen)
{
    struct dict_node *n = dict_unlink(ks->tables[db]->dict, key, klen);
    if (!n)
        return false;
    entry_free(ks, (struct kv_entry *)n);
    return true;
}

struct kv_obj *kv_take(struct kv_space *ks, int db, const char *key, size_t klen, int64_t *ttl_ms)
{
    struct dict_node *n = dict_unlink(ks->tables[db]->dict, key, klen);
    struct kv_entry *e = (struct kv_entry *)n;
    struct kv_obj *val;
    if (!n)
        return NULL;
    *ttl_ms = kv_ttl_get(e);
    val = kv_xmalloc(kv_obj_span(&e->val));
    kv_obj_move(val, &e->val);
    ttl_free(ks, e);
    free(e);
    return val;
}

/* ---- TTLs ------------------------------------------------------------- */

int64_t kv_ttl_get(const struct kv_entry *e)
{
    return e->ttl ? e->ttl->when_ms : -1;
}

void kv_ttl_set(struct kv_space *ks, int db, struct kv_entry *e, int64_t when_ms)
{
    struct kv_ttl *ttl = e->ttl;
    if (!ttl) {
        ttl = kv_xmalloc(sizeof(*ttl));
        ti_item_init(&ttl->ti, TI_KEY_TTL);
        ttl->table = ks->tables[db];
        ttl->entry = e;
        ttl->table->nvolatile++;
        ttl->when_ms = 0;
        e->ttl = ttl;
    }
    ttl->table->when_sum += when_ms - (wide_sum)ttl->when_ms;
    ttl->when_ms = when_ms;
    if (ttl->ti.kind == TI_KEY_TTL_HELD)
        ttl_unschedule(ks, ttl);
    ti_schedule(ks->ti, &ttl->ti, when_ms < INT64_MAX ? when_ms + 1 : INT64_MAX);
}

bool kv_ttl_clear(struct kv_space *ks, struct kv_entry *e)
{
    bool had = e->ttl != NULL;
    ttl_free(ks, e);
    return had;
}

/* ---- whole databases ---------------------------------------------------- */

size_t kv_size(const struct kv_space *ks, int db) { return dict_size(ks->tables[db]->dict); }
size_t kv_volatile_count(const struct kv_space *ks, int db) { return ks->tables[db]->nvolatile; }

int64_t kv_avg_ttl(const struct kv_space *ks, int db, int64_t now_ms)
{
    const struct kv_table *t = ks->tables[db];
    int64_t mean;
    if (!t->nvolatile)
        return 0;
    mean = (int64_t)(t->when_sum / (wide_sum)t->nvolatile);
    return mean > now_ms ? mean - now_ms : 0;
}

static void free_node(struct dict_node *n, void *arg)
{
    entry_free(arg, (struct kv_entry *)n);
}

static size_t flush_one(struct kv_space *ks, int db)
{
    size_t n = dict_size(ks->tables[db]->dict);
    dict_clear(ks->tables[db]->dict, free_node, ks);
    return n;
}

size_t kv_flush(struct kv_space *ks, int db)
{
    if (ks->ev.flushing)
        ks->ev.flushing(ks->ev.ctx, db);
    return flush_one(ks, db);
}

size_t kv_flush_all(struct kv_space *ks)
{
    size_t n = 0;
    if (ks->ev.flushing)
        ks->ev.flushing(ks->ev.ctx, -1);
    for (int i = 0; i < ks->ndb; i++)
        n += flush_one(ks, i);
    return n;
}

void kv_swap(struct kv_space *ks, int a, int b)
{
    struct kv_table *t = ks->tables[a];
    ks->tables[a] = ks->tables[b];
    ks->tables[b] = t;
    ks->tables[a]->id = a;
    ks->tables[b]->id = b;
    if (ks->ev.swapped)
        ks->ev.swapped(ks->ev.ctx, a, b);
}

struct scan_adapter {
    void (*fn)(struct kv_entry *e, void *arg);
    void *arg;
};

static void scan_cb(struct dict_node *n, void *arg)
{
    struct scan_adapter *ad = arg;
    ad->fn((struct kv_entry *)n, ad->arg);
}

uint64_t kv_scan(struct kv_space *ks, int db, uint64_t cursor,
                 void (*fn)(struct kv_entry *e, void *arg), void *arg)
{
    struct scan_adapter ad = { fn, arg };
    return dict_scan(ks->tables[db]->dict, cursor, scan_cb, &ad);
}

void kv_foreach(struct kv_space *ks, int db, void (*fn)(struct kv_entry *e, void *arg), void *arg)
{
    struct dict_iter it;
    struct dict_node *n;
    dict_iter_init(&it, ks->tables[db]->dict);
    while ((n = dict_iter_next(&it)))
        fn((struct kv_entry *)n, arg);
    dict_iter_deinit(&it);
}

struct kv_entry *kv_random(struct kv_space *ks, int db, int64_t now_ms,
                           uint64_t (*rnd)(void *), void *rnd_arg)
{
    struct kv_table *t = ks->tables[db];
    /* Every expired pick is deleted, so this ends: with a live key or with
     * an empty table. (Redis' give-up-after-100-tries escape applies only
     * to replicas, which cannot delete; a master never returns an expired
     * key.) While expiry is held nothing is deleted: give up after 100
     * expired picks (Redis 7.0 loops forever there). */
    for (int expired = 0; expired < 100;) {
        struct kv_entry *e = (struct kv_entry *)dict_fair_random(t->dict, rnd, rnd_arg);
        if (!e)
            return NULL;
        if (!kv_is_expired(e, now_ms))
            return e;
        if (ks->holding)
            expired++;
        else
            expire_entry(ks, t, e);
    }
    return NULL;
}

/* ---- eviction support ------------------------------------------------------ */

size_t kv_sample(struct kv_space *ks, int db, struct kv_entry **out, size_t n,
                 uint64_t (*rnd)(void *), void *rnd_arg)
{
    struct dict *d = ks->tables[db]->dict;
    size_t got = 0;
    if (!dict_size(d))
        return 0;
    while (got < n) {
        struct dict_node *node = dict_random(d, rnd, rnd_arg);
        if (!node)
            break;
        out[got++] = (struct kv_entry *)node;
    }
    return got;
}

/* The TTL record in heap slot i, or NULL when the slot holds another kind. */
static struct kv_ttl *ttl_at(const struct kv_space *ks, size_t i)
{
    struct ti_item *it = ti_item_at(ks->ti, i);
    if (!it || it->kind != TI_KEY_TTL)
        return NULL;
    return (struct kv_ttl *)((char *)it - offsetof(struct kv_ttl, ti));
}

size_t kv_sample_volatile(struct kv_space *ks, struct kv_entry **out, int *dbs, size_t n, size_t top,
                          uint64_t (*rnd)(void *), void *rnd_arg)
{
    size_t count = ti_count(ks->ti), got = 0;
    size_t first = top < count ? top : count;
    struct kv_ttl *ttl;
    for (size_t i = 0; i < first && got < n; i++)
        if ((ttl = ttl_at(ks, i))) {
            out[got] = ttl->entry;
            dbs[got++] = ttl->table->id;
        }
    /* Other kinds share the index (blocked clients' timeouts...): a few
     * tries per wanted key, then give up with what was found. */
    for (size_t tries = 0; count && got < n && tries < 4 * n; tries++)
        if ((ttl = ttl_at(ks, (size_t)(rnd(rnd_arg) % count)))) {
            out[got] = ttl->entry;
            dbs[got++] = ttl->table->id;
        }
    return got;
}

bool kv_evict_key(struct kv_space *ks, int db, const char *key, size_t klen, size_t *freed)
{
    size_t before = kv_alloc_used_fast(), after;
    if (!kv_delete(ks, db, key, klen))
        return false;
    after = kv_alloc_used_fast();
    *freed = before > after ? before - after : 0;
    ks->stats.evicted_keys++;
    kv_changed(ks, db, key, klen);
    kv_notify(ks, NOTIFY_EVICTED, "evicted", db, key, klen);
    propagate_del(ks, db, key, klen);
    return true;
}

size_t kv_overhead_bytes(const struct kv_space *ks)
{
    size_t n = 0;
    for (int i = 0; i < ks->ndb; i++)
        n += dict_mem_usage(ks->tables[i]->dict);
    return n;
}

void kv_db_overhead(const struct kv_space *ks, int db, size_t *table, size_t *ttls)
{
    *table = dict_mem_usage(ks->tables[db]->dict);
    *ttls = ks->tables[db]->nvolatile * sizeof(struct kv_ttl);
}

void kv_rehash_steps(struct kv_space *ks, int steps)
{
    for (int i = 0; i < ks->ndb; i++)
        if (dict_is_rehashing(ks->tables[i]->dict))
            dict_rehash_steps(ks->tables[i]->dict, steps);
}
