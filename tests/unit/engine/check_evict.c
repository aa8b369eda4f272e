/*
 * check_evict: the evictor (engine/evict.c) on a real keyspace, without
 * sockets - which keys each maxmemory-policy picks, the pool across picks,
 * and what an eviction raises (engine/kv.c's kv_evict_key).
 *
 * Every test gets a fresh time index and 4-database keyspace whose hooks
 * count what they are told. Time is driven by hand through kv_set_clock:
 * LRU idle times have Redis' one-second resolution, LFU counters decay one
 * step a minute (lfu-decay-time 1). The policies are approximations, so the
 * LRU / LFU / TTL tests assert properties with a margin (most of the first
 * evictions are the right keys), the exact ones (volatile-* never evicts a
 * key without TTL, noeviction evicts nothing) strictly.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/evict.h"
#include "engine/kv.h"
#include "engine/obj.h"
#include "engine/timeidx.h"

#define NDB 4
#define T0 1700000000000LL   /* a Unix time in ms */

static struct timeidx *ti;
static struct kv_space *ks;
static struct kv_evictor *ev;

static struct {
    size_t changed, evicted_events, dels, other_events;
    int last_cls;
    char last_key[400];
    size_t last_klen;
} heard;

static void on_changed(void *ctx, int db, const char *key, size_t klen) { heard.changed++; }

static void on_notify(void *ctx, int cls, const char *event, int db, const char *key, size_t klen)
{
    if (strcmp(event, "evicted") != 0) {
        if (strcmp(event, "new") != 0)
            heard.other_events++;
        return;
    }
    heard.evicted_events++;
    heard.last_cls = cls;
    ck_assert_uint_le(klen, sizeof(heard.last_key));
    memcpy(heard.last_key, key, klen);
    heard.last_klen = klen;
}

static void on_propagate(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    ck_assert_int_eq(argc, 2);
    ck_assert(argv[0].len == 3 && memcmp(argv[0].ptr, "DEL", 3) == 0);
    heard.dels++;
}

static const struct kv_events events = { NULL, on_changed, on_notify, on_propagate, NULL, NULL };

static void setup(void)
{
    ti = ti_create();
    ks = kv_create(NDB, ti, &events);
    ev = kv_evictor_create(12345);
    memset(&heard, 0, sizeof(heard));
    kv_set_clock(ks, T0);
}

static void teardown(void)
{
    kv_evictor_destroy(ev);
    kv_destroy(ks);
    ti_destroy(ti);
}

static void add(int db, const char *key, int64_t ttl_deadline)
{
    struct kv_entry *e = kv_add(ks, db, key, strlen(key), kv_str_new("value", 5));
    if (ttl_deadline >= 0)
        kv_ttl_set(ks, db, e, ttl_deadline);
}

/* A read: updates the key's access time / counter from the clock. */
static void touch(int db, const char *key)
{
    ck_assert_ptr_nonnull(kv_find(ks, db, key, strlen(key), T0));
}

/* Picks and evicts one key; returns it in `out` (NUL-terminated). */
static bool evict_one(enum kv_evict_policy p, int samples, int *db, char *out, size_t cap)
{
    const char *key;
    size_t klen, freed;
    if (!kv_evict_pick(ev, ks, p, samples, db, &key, &klen))
        return false;
    ck_assert_uint_lt(klen, cap);
    memcpy(out, key, klen);
    out[klen] = '\0';
    ck_assert(kv_evict_key(ks, *db, key, klen, &freed));
    return true;
}

static size_t total_keys(void)
{
    size_t n = 0;
    for (int db = 0; db < NDB; db++)
        n += kv_size(ks, db);
    return n;
}

START_TEST(test_noeviction_picks_nothing)
{
    int db;
    const char *key;
    size_t klen, freed = 0, keys = 0;
    add(0, "a", -1);
    ck_assert(!kv_evict_pick(ev, ks, KV_EVICT_NOEVICTION, 5, &db, &key, &klen));
    ck_assert_int_eq(kv_evict(ev, ks, KV_EVICT_NOEVICTION, 5, 100, 16, &freed, &keys), KV_EVICT_NONE);
    ck_assert_uint_eq(keys, 0);
    ck_assert_uint_eq(kv_size(ks, 0), 1);
}
END_TEST

START_TEST(test_empty_keyspace_picks_nothing)
{
    int db;
    const char *key;
    size_t klen;
    for (int p = KV_EVICT_ALLKEYS_LRU; p <= KV_EVICT_VOLATILE_TTL; p++)
        ck_assert_msg(!kv_evict_pick(ev, ks, p, 5, &db, &key, &klen), "policy %d", p);
}
END_TEST

START_TEST(test_volatile_without_ttls_picks_nothing)
{
    int db;
    const char *key;
    size_t klen, freed = 0, keys = 0;
    char name[16];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        add(i % NDB, name, -1);
    }
    for (int p = KV_EVICT_VOLATILE_LRU; p <= KV_EVICT_VOLATILE_TTL; p++) {
        ck_assert_msg(!kv_evict_pick(ev, ks, p, 5, &db, &key, &klen), "policy %d", p);
        ck_assert_int_eq(kv_evict(ev, ks, p, 5, 1, 16, &freed, &keys), KV_EVICT_NONE);
    }
    ck_assert_uint_eq(total_keys(), 50);
    ck_assert_uint_eq(heard.evicted_events, 0);
}
END_TEST

START_TEST(test_eviction_signals)
{
    size_t freed = 0;
    add(2, "victim", T0 + 100000);
    ck_assert(kv_evict_key(ks, 2, "victim", 6, &freed));
    ck_assert_ptr_null(kv_peek(ks, 2, "victim", 6));
    ck_assert_uint_eq(kv_volatile_count(ks, 2), 0);
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(heard.changed, 1);
    ck_assert_uint_eq(heard.evicted_events, 1);
    ck_assert_int_eq(heard.last_cls, NOTIFY_EVICTED);
    ck_assert(heard.last_klen == 6 && memcmp(heard.last_key, "victim", 6) == 0);
    ck_assert_uint_eq(heard.dels, 1);
    ck_assert_uint_eq(kv_stats(ks)->evicted_keys, 1);
    ck_assert(!kv_evict_key(ks, 2, "victim", 6, &freed));   /* absent: nothing raised */
    ck_assert_uint_eq(heard.evicted_events, 1);
    kv_reset_stats(ks);
    ck_assert_uint_eq(kv_stats(ks)->evicted_keys, 0);
}
END_TEST

/* 50 keys idle for 100 s and 50 just used, spread over the databases: the
 * first 50 evictions are (nearly all) the idle ones. */
START_TEST(test_allkeys_lru_prefers_idle)
{
    char name[32];
    int db, old_first = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "%s:%d", i % 2 ? "old" : "new", i);
        add(i % NDB, name, -1);
    }
    kv_set_clock(ks, T0 + 100000);
    for (int i = 0; i < 100; i += 2) {
        snprintf(name, sizeof(name), "new:%d", i);
        touch(i % NDB, name);
    }
    for (int i = 0; i < 50; i++) {
        ck_assert(evict_one(KV_EVICT_ALLKEYS_LRU, 5, &db, name, sizeof(name)));
        old_first += strncmp(name, "old:", 4) == 0;
    }
    ck_assert_int_ge(old_first, 45);
    ck_assert_uint_eq(total_keys(), 50);
    ck_assert_uint_eq(heard.evicted_events, 50);
    ck_assert_uint_eq(kv_stats(ks)->evicted_keys, 50);
}
END_TEST

/* LFU: keys untouched for 10 minutes have decayed to 0; fresh keys start at
 * Redis' LFU_INIT_VAL (5). */
START_TEST(test_allkeys_lfu_prefers_cold)
{
    char name[32];
    int db, cold_first = 0;
    kv_set_access_policy(ks, true, 10, 1);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "cold:%d", i);
        add(i % NDB, name, -1);
    }
    kv_set_clock(ks, T0 + 10 * 60000);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "hot:%d", i);
        add(i % NDB, name, -1);
    }
    for (int i = 0; i < 40; i++) {
        ck_assert(evict_one(KV_EVICT_ALLKEYS_LFU, 5, &db, name, sizeof(name)));
        cold_first += strncmp(name, "cold:", 5) == 0;
    }
    ck_assert_int_ge(cold_first, 36);
}
END_TEST

/* volatile-ttl: nearest deadlines first; never a key without TTL. */
START_TEST(test_volatile_ttl_nearest_first)
{
    char name[32];
    int db;
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof(name), "plain:%d", i);
        add(i % NDB, name, -1);
    }
    /* deadlines T0 + 1000 * k for k = 1..40, inserted in a scrambled order */
    for (int i = 0; i < 40; i++) {
        int k = (i * 17) % 40 + 1;
        snprintf(name, sizeof(name), "ttl:%02d", k);
        add(k % NDB, name, T0 + 1000LL * k);
    }
    for (int i = 0; i < 10; i++) {
        ck_assert(evict_one(KV_EVICT_VOLATILE_TTL, 5, &db, name, sizeof(name)));
        ck_assert_msg(strncmp(name, "ttl:", 4) == 0, "evicted %s", name);
        ck_assert_msg(atoi(name + 4) <= 15, "evicted %s among the first ten", name);
    }
    ck_assert_uint_eq(total_keys(), 90);
}
END_TEST

START_TEST(test_volatile_policies_spare_persistent_keys)
{
    char name[32];
    int db;
    for (int p = KV_EVICT_VOLATILE_LRU; p <= KV_EVICT_VOLATILE_TTL; p++) {
        kv_flush_all(ks);
        kv_evictor_reset(ev);
        for (int i = 0; i < 30; i++) {
            snprintf(name, sizeof(name), "%s:%d", i % 3 ? "plain" : "ttl", i);
            add(i % NDB, name, i % 3 ? -1 : T0 + 60000 + i);
        }
        for (int i = 0; i < 10; i++) {
            ck_assert(evict_one(p, 5, &db, name, sizeof(name)));
            ck_assert_msg(strncmp(name, "ttl:", 4) == 0, "policy %d evicted %s", p, name);
        }
        ck_assert_msg(!kv_evict_pick(ev, ks, p, 5, &db, &(const char *){ NULL }, &(size_t){ 0 }),
                      "policy %d: no volatile key left", p);
        ck_assert_uint_eq(total_keys(), 20);
    }
}
END_TEST

START_TEST(test_allkeys_random_empties_every_db)
{
    char name[32];
    int db, seen[NDB] = { 0 };
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        add(i % NDB, name, -1);
    }
    for (int i = 0; i < 40; i++) {
        ck_assert(evict_one(KV_EVICT_ALLKEYS_RANDOM, 5, &db, name, sizeof(name)));
        seen[db]++;
    }
    ck_assert(!evict_one(KV_EVICT_ALLKEYS_RANDOM, 5, &db, name, sizeof(name)));
    for (int i = 0; i < NDB; i++)
        ck_assert_int_eq(seen[i], 10);
}
END_TEST

/* Long keys live in the pool's own allocation; candidates deleted behind
 * the evictor's back are skipped. */
START_TEST(test_pool_long_and_vanished_keys)
{
    char name[400], got[400];
    int db;
    for (int i = 0; i < 30; i++) {
        memset(name, 'k', 300);
        snprintf(name + 300, sizeof(name) - 300, "%d", i);
        add(0, name, -1);
    }
    kv_set_clock(ks, T0 + 5000);
    ck_assert(evict_one(KV_EVICT_ALLKEYS_LRU, 10, &db, got, sizeof(got)));   /* fills the pool */
    ck_assert_uint_eq(strlen(got), 300 + (got[301] ? 2 : 1));
    /* delete the rest directly: the pool's candidates vanish */
    for (int i = 0; i < 30; i++) {
        memset(name, 'k', 300);
        snprintf(name + 300, sizeof(name) - 300, "%d", i);
        kv_delete(ks, 0, name, strlen(name));
    }
    add(1, "last", -1);
    ck_assert(evict_one(KV_EVICT_ALLKEYS_LRU, 10, &db, got, sizeof(got)));
    ck_assert_str_eq(got, "last");
    ck_assert_int_eq(db, 1);
    ck_assert_uint_eq(total_keys(), 0);
}
END_TEST

/* kv_evict: stops at max_keys (MORE), at `need` bytes (FREED), or when the
 * keyspace is empty (NONE); counts keys and adds freed bytes. */
START_TEST(test_evict_loop_status)
{
    char name[32];
    size_t freed = 0, keys = 0;
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        add(i % NDB, name, -1);
    }
    ck_assert_int_eq(kv_evict(ev, ks, KV_EVICT_ALLKEYS_LRU, 5, SIZE_MAX, 16, &freed, &keys), KV_EVICT_MORE);
    ck_assert_uint_eq(keys, 16);
    ck_assert_uint_eq(total_keys(), 24);
    ck_assert_int_eq(kv_evict(ev, ks, KV_EVICT_ALLKEYS_LRU, 5, 0, 16, &freed, &keys), KV_EVICT_FREED);
    ck_assert_uint_eq(keys, 16);
    ck_assert_int_eq(kv_evict(ev, ks, KV_EVICT_ALLKEYS_LRU, 5, SIZE_MAX, 100, &freed, &keys), KV_EVICT_NONE);
    ck_assert_uint_eq(keys, 40);
    ck_assert_uint_eq(total_keys(), 0);
    ck_assert_uint_eq(heard.dels, 40);
    ck_assert_uint_eq(heard.changed, 40);
    ck_assert_uint_eq(heard.other_events, 0);
}
END_TEST

static Suite *evict_suite(void)
{
    Suite *s = suite_create("evict");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_noeviction_picks_nothing);
    tcase_add_test(tc, test_empty_keyspace_picks_nothing);
    tcase_add_test(tc, test_volatile_without_ttls_picks_nothing);
    tcase_add_test(tc, test_eviction_signals);
    tcase_add_test(tc, test_allkeys_lru_prefers_idle);
    tcase_add_test(tc, test_allkeys_lfu_prefers_cold);
    tcase_add_test(tc, test_volatile_ttl_nearest_first);
    tcase_add_test(tc, test_volatile_policies_spare_persistent_keys);
    tcase_add_test(tc, test_allkeys_random_empties_every_db);
    tcase_add_test(tc, test_pool_long_and_vanished_keys);
    tcase_add_test(tc, test_evict_loop_status);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(evict_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
