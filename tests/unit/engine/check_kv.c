/*
 * check_kv: the keyspace (engine/kv.c) - keys, TTLs, lazy and active expiry,
 * whole-database operations, random picks and SCAN.
 *
 * Every test gets a fresh time index and a 16-database keyspace whose hooks
 * record what they are told (fixture). Time is a plain number passed in, as
 * the engine expects: nothing here reads the clock except the throughput
 * measurement of the one-million-key burst.
 *
 * The invariant checker (check_ks) looks at the keyspace from the outside:
 * per database, kv_size and kv_volatile_count must agree with what
 * kv_foreach sees, and the time index must hold exactly one item per
 * volatile key (no test schedules anything else).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/kv.h"
#include "engine/obj.h"
#include "engine/timeidx.h"

#define NDB 16
#define LOG_MAX 4096
#define BURST 1000000

/* For hot loops: ck_assert_* records a checkpoint on every call. */
#define REQUIRE(cond)                                                       \
    do {                                                                    \
        if (!(cond))                                                        \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);           \
    } while (0)

enum rec_kind { R_CHANGED, R_NOTIFY, R_PROPAGATE, R_FLUSHED, R_SWAPPED };

struct rec {
    enum rec_kind kind;
    int db, cls, b;          /* b: swapped's second database */
    char event[24];          /* notify: event name; propagate: argv[0] */
    char key[32];
    size_t klen;
    int argc;
};

static struct timeidx *ti;
static struct kv_space *ks;
static struct rec *log_recs;
static size_t nlog;
static size_t counts[5];        /* per rec_kind, counted even when not logged */
static int logging;             /* 0: only count (large tests) */
static uint64_t rng_state;

static void record(enum rec_kind kind, int db, int cls, const char *event, const char *key, size_t klen,
                   int argc)
{
    struct rec *r;
    counts[kind]++;
    if (!logging)
        return;
    REQUIRE(nlog < LOG_MAX);
    r = &log_recs[nlog++];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->db = db;
    r->cls = cls;
    r->argc = argc;
    if (event)
        snprintf(r->event, sizeof(r->event), "%s", event);
    if (key) {
        REQUIRE(klen <= sizeof(r->key));
        memcpy(r->key, key, klen);
        r->klen = klen;
    }
}

static void on_changed(void *ctx, int db, const char *key, size_t klen)
{
    REQUIRE(ctx == &counts);
    record(R_CHANGED, db, 0, NULL, key, klen, 0);
}

static size_t new_events;   /* "new" is counted apart: every add raises it */

static void on_notify(void *ctx, int cls, const char *event, int db, const char *key, size_t klen)
{
    if (cls == NOTIFY_NEW && strcmp(event, "new") == 0) {
        new_events++;
        return;
    }
    record(R_NOTIFY, db, cls, event, key, klen, 0);
}

static void on_propagate(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    REQUIRE(argc == 2);
    char name[8] = { 0 };
    memcpy(name, argv[0].ptr, argv[0].len < 7 ? argv[0].len : 7);
    record(R_PROPAGATE, db, 0, name, argv[1].ptr, argv[1].len, argc);
}

static void on_flushed(void *ctx, int db) { record(R_FLUSHED, db, 0, NULL, NULL, 0, 0); }

static void on_swapped(void *ctx, int a, int b)
{
    record(R_SWAPPED, a, 0, NULL, NULL, 0, 0);
    log_recs[nlog - 1].b = b;
}

static const struct kv_events events = {
    &counts, on_changed, on_notify, on_propagate, on_flushed, on_swapped,
};

static void setup(void)
{
    ti = ti_create();
    ks = kv_create(NDB, ti, &events);
    log_recs = calloc(LOG_MAX, sizeof(*log_recs));
    ck_assert_ptr_nonnull(log_recs);
    nlog = 0;
    new_events = 0;
    memset(counts, 0, sizeof(counts));
    logging = 1;
    rng_state = 0x2545f4914f6cdd1dull;
}

static void teardown(void)
{
    kv_destroy(ks);
    ti_destroy(ti);
    free(log_recs);
}

static uint64_t rnd(void *arg)
{
    (void)arg;
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* ---------------------------------------------------------------- helpers */

/* Key "k<n>" followed by a NUL and one more byte, so keys are binary. */
static size_t key_of(unsigned n, char *buf)
{
    int len = snprintf(buf, 24, "k%u", n);
    buf[len] = '\0';
    buf[len + 1] = 'z';
    return (size_t)len + 2;
}

static struct kv_entry *add_n(int db, unsigned n)
{
    char k[32];
    size_t len = key_of(n, k);
    return kv_add(ks, db, k, len, kv_str_from_ll(n));
}

static struct kv_entry *find_n(int db, unsigned n, int64_t now)
{
    char k[32];
    size_t len = key_of(n, k);
    return kv_find(ks, db, k, len, now);
}

static struct kv_entry *peek_n(int db, unsigned n)
{
    char k[32];
    size_t len = key_of(n, k);
    return kv_peek(ks, db, k, len);
}

static long long val_of(const struct kv_entry *e)
{
    long long v = -1;
    REQUIRE(kv_str_to_ll(&e->val, &v));
    return v;
}

struct count_ctx {
    size_t keys, vol;
};

static void count_one(struct kv_entry *e, void *arg)
{
    struct count_ctx *c = arg;
    c->keys++;
    if (kv_ttl_get(e) != -1)
        c->vol++;
}

/* The invariant checker described at the top of the file. */
static void check_ks(void)
{
    size_t vol = 0;
    for (int db = 0; db < NDB; db++) {
        struct count_ctx c = { 0, 0 };
        kv_foreach(ks, db, count_one, &c);
        REQUIRE(c.keys == kv_size(ks, db));
        REQUIRE(c.vol == kv_volatile_count(ks, db));
        vol += c.vol;
    }
    REQUIRE(ti_count(ti) == vol);
}

/* The three outputs of one expiry, in Redis' order: "expired" event,
 * changed, DEL propagated - all under `db`. Returns the next log index. */
static size_t expect_expired(size_t i, int db, unsigned n)
{
    char k[32];
    size_t len = key_of(n, k);
    ck_assert_uint_ge(nlog, i + 3);
    ck_assert_int_eq(log_recs[i].kind, R_NOTIFY);
    ck_assert_int_eq(log_recs[i].cls, NOTIFY_EXPIRED);
    ck_assert_str_eq(log_recs[i].event, "expired");
    ck_assert_int_eq(log_recs[i + 1].kind, R_CHANGED);
    ck_assert_int_eq(log_recs[i + 2].kind, R_PROPAGATE);
    ck_assert_str_eq(log_recs[i + 2].event, "DEL");
    for (size_t j = i; j < i + 3; j++) {
        ck_assert_int_eq(log_recs[j].db, db);
        ck_assert_uint_eq(log_recs[j].klen, len);
        ck_assert_mem_eq(log_recs[j].key, k, len);
    }
    return i + 3;
}

/* ------------------------------------------------------------------ keys */

START_TEST(test_add_find_delete)
{
    static const char bin[] = { 'a', '\0', 'b' };
    struct kv_entry *e = kv_add(ks, 0, bin, 3, kv_str_new("v", 1));
    ck_assert_ptr_eq(kv_find(ks, 0, bin, 3, 0), e);
    ck_assert_ptr_eq(kv_peek(ks, 0, bin, 3), e);
    ck_assert_ptr_null(kv_find(ks, 0, bin, 1, 0));   /* "a" is another key */
    ck_assert_ptr_null(kv_find(ks, 1, bin, 3, 0));   /* databases are separate */
    {
        size_t klen;
        const char *k = kv_entry_key(e, &klen);
        ck_assert_uint_eq(klen, 3);
        ck_assert_mem_eq(k, bin, 3);
    }
    ck_assert_int_eq(kv_ttl_get(e), -1);
    ck_assert_uint_eq(kv_size(ks, 0), 1);
    check_ks();

    for (unsigned i = 0; i < 1000; i++)
        add_n(i % 3, i);
    for (unsigned i = 0; i < 1000; i++)
        REQUIRE(val_of(find_n(i % 3, i, 0)) == i);
    check_ks();
    ck_assert_uint_eq(new_events, 1001);   /* one "new" per key added */

    ck_assert(kv_delete(ks, 0, bin, 3));
    ck_assert(!kv_delete(ks, 0, bin, 3));
    ck_assert_ptr_null(kv_find(ks, 0, bin, 3, 0));
    for (unsigned i = 0; i < 1000; i += 2) {
        char k[32];
        size_t len = key_of(i, k);
        REQUIRE(kv_delete(ks, i % 3, k, len));
    }
    for (unsigned i = 0; i < 1000; i++)
        REQUIRE((find_n(i % 3, i, 0) != NULL) == (i % 2 == 1));
    check_ks();
    ck_assert_uint_eq(nlog, 0);   /* kv_add / kv_delete raise nothing */
}
END_TEST

/* Values change size inside their entry: the key moves behind the value,
 * the entry is reallocated when it must grow (and relinked in its chain, its
 * TTL record repointed), and everything stays findable and expires on time. */
START_TEST(test_inline_values_move_keys)
{
    static const size_t sizes[] = { 0, 1, 7, 8, 9, 20, 44, 45, 300, 44, 3, 0 };
    char big[400], k[32];
    memset(big, 'x', sizeof(big));
    for (unsigned n = 0; n < 2000; n++) {   /* long chains around the moving entries */
        size_t len = key_of(n, k);
        kv_add(ks, 0, k, len, kv_str_new(big, n % 50));
        if (n % 3 == 0)
            kv_ttl_set(ks, 0, kv_peek(ks, 0, k, len), 1000 + n);
    }
    for (size_t round = 0; round < sizeof(sizes) / sizeof(sizes[0]); round++) {
        for (unsigned n = 0; n < 2000; n += 7) {
            size_t len = key_of(n, k), vlen, klen;
            struct kv_entry *e = kv_peek(ks, 0, k, len);
            const char *v;
            char buf[KV_LLSTR_SIZE];
            REQUIRE(e != NULL);
            if (round % 4 == 3)
                e = kv_replace(ks, 0, e, kv_str_from_ll((long long)n * 1000003));
            else
                e = kv_replace(ks, 0, e, kv_str_new(big, sizes[round]));
            ck_assert_ptr_eq(kv_peek(ks, 0, k, len), e);
            v = kv_str_bytes(kv_entry_val(e), buf, &vlen);
            if (round % 4 != 3)
                ck_assert_uint_eq(vlen, sizes[round]);
            (void)v;
            ck_assert_mem_eq(kv_entry_key(e, &klen), k, len);
            ck_assert_uint_eq(klen, len);
        }
        check_ks();
    }
    /* RAW in place: the entry does not move, the key follows. */
    {
        size_t len = key_of(14, k), klen, vlen;
        struct kv_entry *e = kv_set(ks, 0, k, len, kv_str_new("abcdefghijklmnop", 16), true);
        struct kv_obj *o = kv_str_make_raw(e);
        kv_str_append(o, "QQ", 2);
        ck_assert_ptr_eq(kv_peek(ks, 0, k, len), e);
        ck_assert_mem_eq(kv_str_bytes(o, NULL, &vlen), "abcdefghijklmnopQQ", 18);
        ck_assert_mem_eq(kv_entry_key(e, &klen), k, len);
    }
    /* Every third key still expires, found through its moved entry. */
    nlog = 0;
    ti_run_due(ti, 100000, 100000);
    for (unsigned n = 0; n < 2000; n++) {
        size_t len = key_of(n, k);
        ck_assert((kv_peek(ks, 0, k, len) == NULL) == (n % 3 == 0));
    }
    check_ks();
}
END_TEST

START_TEST(test_set_and_replace)
{
    struct kv_entry *e = kv_set(ks, 0, "s", 1, kv_str_from_ll(1), false);
    kv_ttl_set(ks, 0, e, 500);
    ck_assert_ptr_eq(kv_set(ks, 0, "s", 1, kv_str_from_ll(2), true), e);   /* KEEPTTL */
    ck_assert_int_eq(kv_ttl_get(e), 500);
    ck_assert_int_eq(val_of(e), 2);
    e = kv_replace(ks, 0, e, kv_str_from_ll(3));
    ck_assert_int_eq(kv_ttl_get(e), 500);
    ck_assert_ptr_eq(kv_replace(ks, 0, e, kv_entry_val(e)), e);   /* same object: kept, not freed */
    ck_assert_int_eq(val_of(e), 3);
    ck_assert_ptr_eq(kv_set(ks, 0, "s", 1, kv_str_from_ll(4), false), e);  /* plain SET */
    ck_assert_int_eq(kv_ttl_get(e), -1);
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(kv_size(ks, 0), 1);
    check_ks();
    ck_assert_uint_eq(nlog, 0);
}
END_TEST

/* A replaced value keeps the old one's LFU counter (Redis' dbOverwrite);
 * under LRU it counts as accessed now; kv_add and kv_set of a new key start
 * afresh. */
START_TEST(test_replace_keeps_lfu_counter)
{
    struct kv_entry *e;
    kv_set_access_policy(ks, true, 0, 0);   /* every access counts */
    kv_set_clock(ks, 1000000);
    e = kv_set(ks, 0, "f", 1, kv_str_from_ll(20000), false);
    ck_assert_int_eq(kv_lfu_counter(ks, kv_entry_val(e)), 5);
    ck_assert_ptr_nonnull(kv_find(ks, 0, "f", 1, 1000000));
    ck_assert_ptr_nonnull(kv_find(ks, 0, "f", 1, 1000000));
    e = kv_replace(ks, 0, e, kv_str_new("x", 1));
    ck_assert_int_eq(kv_lfu_counter(ks, kv_entry_val(e)), 7);
    e = kv_set(ks, 0, "f", 1, kv_str_from_ll(3), false);
    ck_assert_int_eq(kv_lfu_counter(ks, kv_entry_val(e)), 7);
    ck_assert_ptr_nonnull(kv_find_notouch(ks, 0, "f", 1, 1000000));
    ck_assert_int_eq(kv_lfu_counter(ks, kv_entry_val(kv_peek(ks, 0, "f", 1))), 7);
    e = kv_set(ks, 0, "g", 1, kv_str_from_ll(3), false);
    ck_assert_int_eq(kv_lfu_counter(ks, kv_entry_val(e)), 5);
    kv_set_access_policy(ks, false, 10, 1);
    kv_set_clock(ks, 9000000);
    e = kv_replace(ks, 0, e, kv_str_new("y", 1));
    ck_assert_int_eq(kv_idle_seconds(ks, kv_entry_val(e)), 0);
    check_ks();
}
END_TEST

/* ------------------------------------------------------------ lazy expiry */

START_TEST(test_lazy_expiry_boundary)
{
    struct kv_entry *e = add_n(3, 7);
    kv_ttl_set(ks, 3, e, 1000);
    ck_assert(!kv_is_expired(e, 999));
    ck_assert(!kv_is_expired(e, 1000));   /* expired once now > deadline */
    ck_assert(kv_is_expired(e, 1001));
    ck_assert_ptr_eq(find_n(3, 7, 1000), e);
    ck_assert_uint_eq(nlog, 0);
    ck_assert_ptr_eq(peek_n(3, 7), e);    /* peek never expires */

    ck_assert_ptr_null(find_n(3, 7, 1001));
    ck_assert_uint_eq(expect_expired(0, 3, 7), 3);
    ck_assert_uint_eq(nlog, 3);
    ck_assert_uint_eq(kv_stats(ks)->expired_keys, 1);
    ck_assert_ptr_null(peek_n(3, 7));
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(kv_volatile_count(ks, 3), 0);

    /* Nothing left for the time index to do. */
    ck_assert_uint_eq(ti_run_due(ti, INT64_MAX, 100), 0);
    ck_assert_uint_eq(nlog, 3);
    kv_reset_stats(ks);
    ck_assert_uint_eq(kv_stats(ks)->expired_keys, 0);
    check_ks();
}
END_TEST

/* ---------------------------------------------------------- active expiry */

START_TEST(test_active_expiry_in_deadline_order)
{
    enum { N = 500 };
    static int64_t deadline[N];
    static int seen[N];
    /* Deadlines scrambled relative to insertion order, with ties. */
    for (unsigned i = 0; i < N; i++) {
        struct kv_entry *e = add_n(i % NDB, i);
        deadline[i] = 10000 + (int64_t)((i * 7919u) % 97) * 10;
        kv_ttl_set(ks, i % NDB, e, deadline[i]);
    }
    check_ks();
    ck_assert_int_eq(ti_next_deadline(ti), 10001);

    /* Step the fake clock 1 ms at a time: at each tick exactly the keys whose
     * deadline is now - 1 go, in one call, with three hook calls each. */
    size_t gone = 0;
    for (int64_t now = 9990; now <= 11000; now++) {
        size_t due = 0, before = nlog;
        for (unsigned i = 0; i < N; i++)
            if (deadline[i] == now - 1)
                due++;
        REQUIRE(ti_run_due(ti, now, N + 1) == due);
        REQUIRE(nlog - before == 3 * due);
        for (size_t r = before; r < nlog; r += 3) {
            long long id = -1;
            REQUIRE(log_recs[r].kind == R_NOTIFY);
            REQUIRE(sscanf(log_recs[r].key, "k%lld", &id) == 1);
            REQUIRE(id >= 0 && id < N);
            REQUIRE(deadline[id] == now - 1);
            REQUIRE(!seen[id]);
            seen[id] = 1;
            expect_expired(r, (int)(id % NDB), (unsigned)id);
            REQUIRE(peek_n((int)(id % NDB), (unsigned)id) == NULL);
        }
        gone += due;
        /* Keys not yet due are all still there, and still found. */
        if (now % 50 == 0) {
            for (unsigned i = 0; i < N; i++)
                REQUIRE((peek_n(i % NDB, i) != NULL) == (deadline[i] >= now));
            check_ks();
        }
    }
    ck_assert_uint_eq(gone, N);
    ck_assert_uint_eq(counts[R_NOTIFY], N);
    ck_assert_uint_eq(counts[R_CHANGED], N);
    ck_assert_uint_eq(counts[R_PROPAGATE], N);
    ck_assert_uint_eq(kv_stats(ks)->expired_keys, N);
    ck_assert_uint_eq(ti_count(ti), 0);
    check_ks();
}
END_TEST

START_TEST(test_active_expiry_budget)
{
    enum { N = 1000, BUDGET = 64 };
    for (unsigned i = 0; i < N; i++)
        kv_ttl_set(ks, 0, add_n(0, i), 100 + i % 3);
    ck_assert_uint_eq(ti_run_due(ti, 100, BUDGET), 0);   /* deadline itself: not yet */
    size_t calls = 0, total = 0, ran;
    do {
        size_t before = kv_size(ks, 0);
        ran = ti_run_due(ti, 200, BUDGET);
        REQUIRE(ran <= BUDGET);
        REQUIRE(before - kv_size(ks, 0) == ran);   /* bounded work per call */
        REQUIRE(counts[R_NOTIFY] == total + ran);
        total += ran;
        calls++;
    } while (ran == BUDGET);
    ck_assert_uint_eq(total, N);
    ck_assert_uint_eq(calls, N / BUDGET + 1);
    ck_assert_uint_eq(kv_size(ks, 0), 0);
    check_ks();
}
END_TEST

/* DEBUG SET-ACTIVE-EXPIRE 0: due keys stay (counted, still in the index,
 * parked at the end of time) until a lookup expires them; turning it back
 * on expires the overdue ones at the next run, earliest first. */
START_TEST(test_active_expiry_off_and_on)
{
    for (unsigned i = 0; i < 10; i++)
        kv_ttl_set(ks, 0, add_n(0, i), 100 + i);
    kv_ttl_set(ks, 2, add_n(2, 50), 110);
    ck_assert(kv_active_expire(ks));
    kv_set_active_expire(ks, false);
    ck_assert(!kv_active_expire(ks));
    ck_assert_uint_eq(ti_run_due(ti, 200, 100), 11);   /* handled: parked */
    ck_assert_uint_eq(kv_size(ks, 0), 10);
    ck_assert_uint_eq(kv_size(ks, 2), 1);
    ck_assert_uint_eq(nlog, 0);
    ck_assert_int_eq(ti_next_deadline(ti), INT64_MAX);
    ck_assert_uint_eq(ti_run_due(ti, 300, 100), 0);
    check_ks();
    /* a TTL set while off is scheduled as usual (and parked when due) */
    kv_ttl_set(ks, 0, add_n(0, 20), 400);
    ck_assert_int_eq(ti_next_deadline(ti), 401);
    /* a lookup expires a parked key */
    ck_assert_ptr_null(find_n(0, 3, 300));
    ck_assert_uint_eq(expect_expired(0, 0, 3), 3);
    ck_assert_uint_eq(kv_size(ks, 0), 10);
    kv_set_active_expire(ks, true);
    ck_assert_int_eq(ti_next_deadline(ti), 101);
    nlog = 0;
    ck_assert_uint_eq(ti_run_due(ti, 300, 100), 10);
    size_t at = 0;
    for (unsigned i = 0; i < 10; i++)
        if (i != 3)
            at = expect_expired(at, 0, i);
    at = expect_expired(at, 2, 50);   /* deadline 110: the last */
    ck_assert_uint_eq(kv_size(ks, 0), 1);
    ck_assert_uint_eq(kv_size(ks, 2), 0);
    ck_assert_int_eq(ti_next_deadline(ti), 401);
    check_ks();
}
END_TEST

START_TEST(test_clock_jump_expires_in_order)
{
    /* One call after a long pause: every due key goes, earliest first. */
    enum { N = 1000 };
    for (unsigned i = 0; i < N; i++)
        kv_ttl_set(ks, 1, add_n(1, i), 5000 + (int64_t)((i * 40503u) % 1009));
    kv_ttl_set(ks, 1, add_n(1, N), 7000);   /* not due */
    ck_assert_uint_eq(ti_run_due(ti, 6100, 2 * N), N);
    ck_assert_uint_eq(nlog, 3 * N);
    int64_t last = INT64_MIN;
    for (size_t r = 0; r < nlog; r += 3) {
        long long id = -1;
        REQUIRE(sscanf(log_recs[r].key, "k%lld", &id) == 1);
        int64_t d = 5000 + (int64_t)(((unsigned)id * 40503u) % 1009);
        REQUIRE(d >= last);
        last = d;
        expect_expired(r, 1, (unsigned)id);
    }
    ck_assert_uint_eq(kv_size(ks, 1), 1);
    check_ks();
}
END_TEST

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(test_million_keys_one_deadline)
{
    enum { BUDGET = 20000 };
    struct timespec t0;
    size_t calls = 0, ran;
    logging = 0;
    for (unsigned i = 0; i < BURST; i++)
        kv_ttl_set(ks, 5, add_n(5, i), 424242);
    ck_assert_uint_eq(ti_count(ti), BURST);
    ck_assert_uint_eq(kv_volatile_count(ks, 5), BURST);
    ck_assert_uint_eq(ti_run_due(ti, 424242, BURST), 0);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        ran = ti_run_due(ti, 424243, BUDGET);
        REQUIRE(ran <= BUDGET);
        calls++;
    } while (ran == BUDGET);
    double secs = seconds_since(&t0);

    ck_assert_uint_eq(calls, BURST / BUDGET + 1);
    ck_assert_uint_eq(kv_size(ks, 5), 0);
    ck_assert_uint_eq(kv_volatile_count(ks, 5), 0);
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(counts[R_NOTIFY], BURST);
    ck_assert_uint_eq(counts[R_CHANGED], BURST);
    ck_assert_uint_eq(counts[R_PROPAGATE], BURST);
    ck_assert_uint_eq(kv_stats(ks)->expired_keys, BURST);
    /* Informational only: the rate depends on the machine and on the build
     * (sanitizers, valgrind), so it is reported, not asserted. */
    fprintf(stderr, "check_kv: expired %d keys sharing one deadline in %.3f s (%.0f keys/s)\n", BURST, secs,
            secs > 0 ? BURST / secs : 0.0);
}
END_TEST

/* -------------------------------------------------------------------- TTLs */

START_TEST(test_ttl_set_clear_replace)
{
    struct kv_entry *e = add_n(0, 1);
    ck_assert(!kv_ttl_clear(ks, e));          /* nothing to clear */
    kv_ttl_set(ks, 0, e, 100);
    kv_ttl_set(ks, 0, e, 300);                /* replace: still one item */
    ck_assert_int_eq(kv_ttl_get(e), 300);
    ck_assert_uint_eq(ti_count(ti), 1);
    ck_assert_uint_eq(kv_volatile_count(ks, 0), 1);
    ck_assert_int_eq(ti_next_deadline(ti), 301);
    ck_assert_uint_eq(ti_run_due(ti, 200, 10), 0);   /* the old deadline is gone */
    ck_assert_ptr_nonnull(find_n(0, 1, 200));
    kv_ttl_set(ks, 0, e, 50);                 /* earlier works too */
    ck_assert_int_eq(ti_next_deadline(ti), 51);
    ck_assert(kv_ttl_clear(ks, e));
    ck_assert_int_eq(kv_ttl_get(e), -1);
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert(!kv_ttl_clear(ks, e));
    ck_assert_ptr_nonnull(find_n(0, 1, INT64_MAX));
    check_ks();

    /* Deleting a volatile key cancels its TTL, silently. */
    kv_ttl_set(ks, 0, e, 10);
    ck_assert(kv_delete(ks, 0, "k1\0z", 4));
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(ti_run_due(ti, INT64_MAX, 10), 0);
    ck_assert_uint_eq(nlog, 0);

    /* Extreme deadlines. */
    e = add_n(0, 2);
    kv_ttl_set(ks, 0, e, INT64_MAX);
    ck_assert_int_eq(kv_ttl_get(e), INT64_MAX);
    ck_assert(!kv_is_expired(e, INT64_MAX));
    e = add_n(0, 3);
    kv_ttl_set(ks, 0, e, 0);
    ck_assert_ptr_null(find_n(0, 3, 1));
    check_ks();
}
END_TEST

/* INFO keyspace's avg_ttl: the exact mean over the volatile keys, kept
 * through replacements, clears, deletes, flushes and SWAPDB. */
START_TEST(test_avg_ttl)
{
    struct kv_entry *a = add_n(0, 1), *b = add_n(0, 2);
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 1000), 0);
    kv_ttl_set(ks, 0, a, 5000);
    kv_ttl_set(ks, 0, b, 9000);
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 1000), 6000);
    kv_ttl_set(ks, 0, b, 3000);               /* replaced */
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 1000), 3000);
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 10000), 0);   /* all due: 0, never negative */
    ck_assert(kv_ttl_clear(ks, a));
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 1000), 2000);
    kv_ttl_set(ks, 0, a, INT64_MAX);          /* extreme deadlines do not overflow the sum */
    kv_ttl_set(ks, 0, add_n(0, 3), INT64_MAX);
    ck_assert_int_gt(kv_avg_ttl(ks, 0, 1000), INT64_MAX / 2);
    ck_assert(kv_delete(ks, 0, "k1\0z", 4));
    ck_assert(kv_delete(ks, 0, "k3\0z", 4));
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 1000), 2000);
    kv_swap(ks, 0, 1);
    ck_assert_int_eq(kv_avg_ttl(ks, 0, 1000), 0);
    ck_assert_int_eq(kv_avg_ttl(ks, 1, 1000), 2000);
    kv_flush(ks, 1);
    ck_assert_int_eq(kv_avg_ttl(ks, 1, 1000), 0);
    ck_assert_uint_eq(kv_volatile_count(ks, 1), 0);
    check_ks();
}
END_TEST

START_TEST(test_take)
{
    int64_t when = 12345;
    struct kv_entry *e = add_n(2, 9);
    kv_ttl_set(ks, 2, e, 777);
    struct kv_obj *v = kv_take(ks, 2, "k9\0z", 4, &when);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(when, 777);
    ck_assert_ptr_null(peek_n(2, 9));
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(kv_volatile_count(ks, 2), 0);

    /* The value can be re-added elsewhere with its deadline (MOVE). */
    e = kv_add(ks, 4, "moved", 5, v);
    kv_ttl_set(ks, 4, e, when);
    ck_assert_int_eq(val_of(e), 9);
    check_ks();

    when = 12345;
    ck_assert_ptr_null(kv_take(ks, 2, "k9\0z", 4, &when));
    v = kv_take(ks, 4, "moved", 5, &when);
    ck_assert_int_eq(when, 777);
    kv_obj_free(v);
    add_n(0, 1);
    v = kv_take(ks, 0, "k1\0z", 4, &when);
    ck_assert_int_eq(when, -1);
    kv_obj_free(v);
    check_ks();
    ck_assert_uint_eq(nlog, 0);
}
END_TEST

/* ---------------------------------------------------- whole databases */

START_TEST(test_swapdb_then_expiry)
{
    kv_ttl_set(ks, 0, add_n(0, 1), 100);   /* active expiry after the swap */
    kv_ttl_set(ks, 0, add_n(0, 2), 100);   /* lazy expiry after the swap */
    kv_ttl_set(ks, 1, add_n(1, 3), 100);
    kv_swap(ks, 0, 1);
    ck_assert_uint_eq(nlog, 1);
    ck_assert_int_eq(log_recs[0].kind, R_SWAPPED);
    ck_assert_int_eq(log_recs[0].db, 0);
    ck_assert_int_eq(log_recs[0].b, 1);
    ck_assert_uint_eq(kv_size(ks, 1), 2);
    ck_assert_uint_eq(kv_volatile_count(ks, 1), 2);
    ck_assert_uint_eq(kv_volatile_count(ks, 0), 1);
    check_ks();

    ck_assert_ptr_null(find_n(1, 2, 101));
    expect_expired(1, 1, 2);
    ck_assert_uint_eq(ti_run_due(ti, 101, 10), 2);
    /* k1 now lives in db 1 and k3 in db 0, in scheduling order. */
    expect_expired(4, 1, 1);
    expect_expired(7, 0, 3);
    ck_assert_uint_eq(nlog, 10);

    /* Swapping twice, and a database with itself. */
    kv_ttl_set(ks, 7, add_n(7, 4), 200);
    kv_swap(ks, 7, 8);
    kv_swap(ks, 8, 9);
    kv_swap(ks, 9, 9);
    ck_assert_uint_eq(ti_run_due(ti, 201, 10), 1);
    expect_expired(13, 9, 4);
    check_ks();
}
END_TEST

START_TEST(test_flush_cancels_ttls)
{
    for (unsigned i = 0; i < 300; i++) {
        struct kv_entry *e = add_n(i % 3, i);
        if (i % 2)
            kv_ttl_set(ks, i % 3, e, 1000 + i);
    }
    ck_assert_uint_eq(ti_count(ti), 150);
    ck_assert_uint_eq(kv_flush(ks, 1), 100);
    ck_assert_uint_eq(nlog, 1);
    ck_assert_int_eq(log_recs[0].kind, R_FLUSHED);
    ck_assert_int_eq(log_recs[0].db, 1);
    ck_assert_uint_eq(ti_count(ti), 100);
    ck_assert_uint_eq(kv_volatile_count(ks, 1), 0);
    check_ks();

    ck_assert_uint_eq(kv_flush_all(ks), 200);
    ck_assert_uint_eq(nlog, 2);
    ck_assert_int_eq(log_recs[1].kind, R_FLUSHED);
    ck_assert_int_eq(log_recs[1].db, -1);
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(ti_run_due(ti, INT64_MAX, 1000), 0);
    ck_assert_uint_eq(nlog, 2);    /* no per-key events, no expiries */
    check_ks();

    /* The databases are usable afterwards. */
    kv_ttl_set(ks, 1, add_n(1, 5), 10);
    ck_assert_uint_eq(ti_run_due(ti, 11, 10), 1);
    expect_expired(2, 1, 5);
    check_ks();
}
END_TEST

/* ---------------------------------------------------------------- random */

START_TEST(test_random_skips_expired)
{
    ck_assert_ptr_null(kv_random(ks, 0, 0, rnd, NULL));
    for (unsigned i = 0; i < 200; i++)
        kv_ttl_set(ks, 0, add_n(0, i), 50);
    struct kv_entry *live = add_n(0, 1000);
    for (int round = 0; round < 20; round++)
        REQUIRE(kv_random(ks, 0, 40, rnd, NULL) != NULL);   /* nothing expired yet */
    ck_assert_uint_eq(nlog, 0);

    /* At 51 only the persistent key is live: every pick returns it, and each
     * expired key met on the way is deleted with its events. */
    ck_assert_ptr_eq(kv_random(ks, 0, 51, rnd, NULL), live);
    ck_assert_uint_eq(nlog % 3, 0);
    ck_assert_uint_eq(kv_size(ks, 0), 1 + 200 - nlog / 3);
    for (int round = 0; round < 50; round++)
        REQUIRE(kv_random(ks, 0, 51, rnd, NULL) == live);
    check_ks();
}
END_TEST

START_TEST(test_random_all_expired)
{
    /* Every key volatile and expired (more than any retry bound): the pick
     * must come back empty, never with an expired key. */
    for (unsigned i = 0; i < 500; i++)
        kv_ttl_set(ks, 2, add_n(2, i), 50);
    ck_assert_ptr_null(kv_random(ks, 2, 51, rnd, NULL));
    ck_assert_uint_eq(kv_size(ks, 2), 0);
    ck_assert_uint_eq(counts[R_NOTIFY], 500);
    ck_assert_uint_eq(ti_count(ti), 0);

    for (unsigned i = 0; i < 500; i++)
        kv_ttl_set(ks, 2, add_n(2, i), i < 499 ? 50 : 100);
    struct kv_entry *e = kv_random(ks, 2, 51, rnd, NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(val_of(e), 499);
    check_ks();
}
END_TEST

/* ------------------------------------------------------------------ scan */

struct scan_seen {
    unsigned char *seen;   /* per key id: times reported */
    unsigned n;
};

static void scan_mark(struct kv_entry *e, void *arg)
{
    struct scan_seen *s = arg;
    long long id = val_of(e);
    REQUIRE(id >= 0 && (unsigned long long)id < s->n);
    if (s->seen[id] < 255)
        s->seen[id]++;
}

START_TEST(test_scan_full_coverage)
{
    enum { N = 5000 };
    struct scan_seen s = { calloc(N, 1), N };
    uint64_t cursor = 0;
    size_t steps = 0;
    ck_assert_ptr_nonnull(s.seen);
    ck_assert_uint_eq(kv_scan(ks, 0, 0, scan_mark, &s), 0);   /* empty */
    for (unsigned i = 0; i < N; i++)
        add_n(0, i);
    do {
        cursor = kv_scan(ks, 0, cursor, scan_mark, &s);
        steps++;
    } while (cursor);
    for (unsigned i = 0; i < N; i++)
        REQUIRE(s.seen[i] == 1);   /* no rehash during the scan: exactly once */
    ck_assert_uint_gt(steps, 1);
    free(s.seen);
}
END_TEST

START_TEST(test_scan_across_growth_and_shrink)
{
    /* Keys 0..K-1 stay for the whole scan; between steps keys K.. are added
     * (the table grows and rehashes) and then deleted (it shrinks). Every
     * stable key must be reported at least once. */
    enum { K = 300, EXTRA = 20000 };
    struct scan_seen s = { calloc(K + EXTRA, 1), K + EXTRA };
    uint64_t cursor = 0;
    unsigned next = K, low = K;
    int step = 0;
    ck_assert_ptr_nonnull(s.seen);
    for (unsigned i = 0; i < K; i++)
        add_n(0, i);
    do {
        cursor = kv_scan(ks, 0, cursor, scan_mark, &s);
        step++;
        if (step < 40) {
            for (int j = 0; j < 500 && next < K + EXTRA; j++)
                add_n(0, next++);
        } else {
            for (int j = 0; j < 800 && low < next; j++) {
                char k[32];
                size_t len = key_of(low++, k);
                REQUIRE(kv_delete(ks, 0, k, len));
            }
        }
        kv_rehash_steps(ks, 1);
    } while (cursor);
    for (unsigned i = 0; i < K; i++)
        REQUIRE(s.seen[i] >= 1);
    check_ks();
    free(s.seen);
}
END_TEST

START_TEST(test_scan_reports_expired_entries)
{
    /* kv_scan is raw: logically expired entries are passed on (callers filter
     * and expire), and scanning never deletes anything. */
    struct scan_seen s = { calloc(10, 1), 10 };
    uint64_t cursor = 0;
    for (unsigned i = 0; i < 10; i++)
        kv_ttl_set(ks, 0, add_n(0, i), 5);
    do
        cursor = kv_scan(ks, 0, cursor, scan_mark, &s);
    while (cursor);
    for (unsigned i = 0; i < 10; i++)
        REQUIRE(s.seen[i] == 1);
    ck_assert_uint_eq(kv_size(ks, 0), 10);
    ck_assert_uint_eq(nlog, 0);
    free(s.seen);
}
END_TEST

START_TEST(test_null_hooks_and_destroy)
{
    /* A keyspace without hooks works; destroying one with volatile keys
     * cancels every TTL (ASan / LSan check the frees). */
    struct timeidx *t2 = ti_create();
    struct kv_space *k2 = kv_create(2, t2, NULL);
    struct kv_entry *e = kv_add(k2, 1, "x", 1, kv_str_new("v", 1));
    kv_ttl_set(k2, 1, e, 10);
    kv_ttl_set(k2, 1, kv_add(k2, 1, "y", 1, kv_str_new("v", 1)), 10);
    kv_ttl_set(k2, 0, kv_add(k2, 0, "z", 1, kv_str_new("v", 1)), 1000);
    ck_assert_ptr_null(kv_find(k2, 1, "x", 1, 11));
    ck_assert_uint_eq(ti_run_due(t2, 11, 10), 1);
    ck_assert_uint_eq(kv_size(k2, 1), 0);
    kv_swap(k2, 0, 1);
    ck_assert_uint_eq(kv_flush(k2, 0), 0);
    ck_assert_uint_eq(ti_count(t2), 1);
    kv_destroy(k2);
    ck_assert_uint_eq(ti_count(t2), 0);
    ti_destroy(t2);
    kv_destroy(NULL);
    ck_assert_uint_eq(nlog, 0);   /* the fixture's keyspace heard nothing */
}
END_TEST

/* ------------------------------------------------------------ held expiry */

START_TEST(test_hold_expiry)
{
    /* db 0: 100 keys due at 50 and 100 persistent ones; db 1: only keys due at 50 */
    for (unsigned i = 0; i < 200; i++) {
        struct kv_entry *e = add_n(0, i);
        if (i < 100)
            kv_ttl_set(ks, 0, e, 50);
    }
    for (unsigned i = 0; i < 20; i++)
        kv_ttl_set(ks, 1, add_n(1, i), 50);
    kv_hold_expiry(ks, true);
    ck_assert(kv_expiry_held(ks));

    /* due items are set aside: nothing expires, nothing is reported */
    ck_assert_uint_eq(ti_run_due(ti, 100, 1000), 120);
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_uint_eq(nlog, 0);
    ck_assert_uint_eq(kv_size(ks, 0), 200);
    /* lookups see them as missing without deleting them; random picks skip them */
    ck_assert_ptr_null(find_n(0, 7, 100));
    ck_assert_ptr_nonnull(find_n(0, 150, 100));
    ck_assert_ptr_null(kv_random(ks, 1, 100, rnd, NULL));
    for (int round = 0; round < 20; round++)
        REQUIRE(val_of(kv_random(ks, 0, 100, rnd, NULL)) >= 100);
    ck_assert_uint_eq(kv_size(ks, 1), 20);
    ck_assert_uint_eq(nlog, 0);

    /* a held TTL can be moved, cleared or deleted with its key */
    kv_ttl_set(ks, 0, peek_n(0, 0), 1000);
    ck_assert_uint_eq(ti_count(ti), 1);
    ck_assert_ptr_nonnull(find_n(0, 0, 100));
    ck_assert(kv_ttl_clear(ks, peek_n(0, 1)));
    ck_assert_ptr_nonnull(find_n(0, 1, 100));
    char k[32];
    size_t klen = key_of(2, k);
    ck_assert(kv_delete(ks, 0, k, klen));
    ck_assert_uint_eq(kv_flush(ks, 1), 20);
    ck_assert_uint_eq(kv_volatile_count(ks, 0), 98);
    nlog = 0;

    /* released: the 97 still held are due at once, in deadline order */
    kv_hold_expiry(ks, false);
    ck_assert(!kv_expiry_held(ks));
    check_ks();
    ck_assert_uint_eq(ti_count(ti), 98);
    ck_assert_uint_eq(ti_run_due(ti, 100, 1000), 97);
    ck_assert_uint_eq(counts[R_NOTIFY], 97);
    for (unsigned i = 3; i < 100; i++)
        REQUIRE(peek_n(0, i) == NULL);
    ck_assert_uint_eq(kv_size(ks, 0), 100 + 1 + 1);
    check_ks();
    /* holding again with nothing due, then releasing, changes nothing */
    kv_hold_expiry(ks, true);
    kv_hold_expiry(ks, false);
    check_ks();
}
END_TEST

static Suite *kv_suite(void)
{
    Suite *s = suite_create("kv");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_add_find_delete);
    tcase_add_test(tc, test_set_and_replace);
    tcase_add_test(tc, test_replace_keeps_lfu_counter);
    tcase_add_test(tc, test_inline_values_move_keys);
    tcase_add_test(tc, test_lazy_expiry_boundary);
    tcase_add_test(tc, test_active_expiry_in_deadline_order);
    tcase_add_test(tc, test_active_expiry_budget);
    tcase_add_test(tc, test_active_expiry_off_and_on);
    tcase_add_test(tc, test_clock_jump_expires_in_order);
    tcase_add_test(tc, test_million_keys_one_deadline);
    tcase_add_test(tc, test_ttl_set_clear_replace);
    tcase_add_test(tc, test_avg_ttl);
    tcase_add_test(tc, test_take);
    tcase_add_test(tc, test_swapdb_then_expiry);
    tcase_add_test(tc, test_flush_cancels_ttls);
    tcase_add_test(tc, test_random_skips_expired);
    tcase_add_test(tc, test_random_all_expired);
    tcase_add_test(tc, test_scan_full_coverage);
    tcase_add_test(tc, test_scan_across_growth_and_shrink);
    tcase_add_test(tc, test_scan_reports_expired_entries);
    tcase_add_test(tc, test_null_hooks_and_destroy);
    tcase_add_test(tc, test_hold_expiry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kv_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
