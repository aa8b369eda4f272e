/*
 * check_timeidx: the deadline index (engine/timeidx.c).
 *
 * Every test gets a fresh index and a pool of items (fixture). The invariant
 * checker rebuilds the heap from the outside: each scheduled item's `pos` is
 * its slot, so the slots must be exactly 0..count-1 and, in the 4-ary
 * layout, no item's deadline may be below its parent's. Tie order (the hidden
 * sequence number) is checked by what pops out.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/timeidx.h"

#define POOL 4096
#define BIG 1000000

/* For hot loops: check's ck_assert_* records a checkpoint on every call
 * (a pipe write in fork mode), this only costs anything when it fails. */
#define REQUIRE(cond)                                                       \
    do {                                                                    \
        if (!(cond))                                                        \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);           \
    } while (0)

struct job {
    struct ti_item ti;   /* first member: a job pointer is its item pointer */
    int id;
    int runs;
};

static struct timeidx *ti;
static struct job *pool;
static uint64_t rng_state;
static int64_t seen_now;      /* last now_ms a handler saw */
static int handled;           /* entries in order_log */
static int order_log[POOL];   /* job ids in the order handlers ran */

static void setup(void)
{
    ti = ti_create();
    pool = calloc(POOL, sizeof(*pool));
    ck_assert_ptr_nonnull(pool);
    for (int i = 0; i < POOL; i++) {
        ti_item_init(&pool[i].ti, 0);
        pool[i].id = i;
    }
    rng_state = 0x9e3779b97f4a7c15ull;
    seen_now = 0;
    handled = 0;
}

static void teardown(void)
{
    ti_destroy(ti);
    free(pool);
}

static uint64_t rnd(void)
{
    /* xorshift64*: reproducible and independent of libc's rand(). */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static struct job *job_of(struct ti_item *it)
{
    return (struct job *)((char *)it - offsetof(struct job, ti));
}

/* The invariant checker described at the top of the file. */
static void check_heap(struct job *jobs, size_t n)
{
    size_t count = ti_count(ti);
    struct ti_item **slot = calloc(count ? count : 1, sizeof(*slot));
    ck_assert_ptr_nonnull(slot);
    size_t scheduled = 0;
    for (size_t i = 0; i < n; i++) {
        struct ti_item *it = &jobs[i].ti;
        if (!ti_scheduled(it))
            continue;
        scheduled++;
        REQUIRE(it->pos < count);
        REQUIRE(slot[it->pos] == NULL);
        slot[it->pos] = it;
    }
    REQUIRE(scheduled == count);
    for (size_t i = 1; i < count; i++)
        REQUIRE(slot[(i - 1) / 4]->deadline_ms <= slot[i]->deadline_ms);
    if (count)
        REQUIRE(ti_next_deadline(ti) == slot[0]->deadline_ms);
    else
        REQUIRE(ti_next_deadline(ti) == INT64_MAX);
    free(slot);
}

/* Pops everything: deadlines must not decrease and, within one deadline,
 * items must come out in schedule order (rank[id] = when id was scheduled;
 * NULL skips that check). */
static void drain_sorted(const int *rank)
{
    int64_t last = INT64_MIN;
    int last_rank = -1;
    struct ti_item *it;
    while ((it = ti_pop_due(ti, INT64_MAX)) != NULL) {
        struct job *j = job_of(it);
        REQUIRE(!ti_scheduled(it));
        REQUIRE(it->deadline_ms >= last);
        if (rank) {
            if (it->deadline_ms == last)
                REQUIRE(rank[j->id] > last_rank);
            last_rank = rank[j->id];
        }
        last = it->deadline_ms;
    }
    REQUIRE(ti_count(ti) == 0);
}

/* ------------------------------------------------------------------ basics */

START_TEST(test_empty)
{
    ck_assert_uint_eq(ti_count(ti), 0);
    ck_assert_int_eq(ti_next_deadline(ti), INT64_MAX);
    ck_assert_ptr_null(ti_pop_due(ti, INT64_MAX));
    ck_assert_uint_eq(ti_run_due(ti, INT64_MAX, 100), 0);
    ti_cancel(ti, &pool[0].ti);   /* not scheduled: no-op */
    ck_assert(!ti_scheduled(&pool[0].ti));
    ti_destroy(NULL);
}
END_TEST

START_TEST(test_pop_respects_now)
{
    ti_schedule(ti, &pool[0].ti, 100);
    ti_schedule(ti, &pool[1].ti, 50);
    ck_assert(ti_scheduled(&pool[0].ti));
    ck_assert_int_eq(ti_next_deadline(ti), 50);
    ck_assert_ptr_null(ti_pop_due(ti, 49));
    ck_assert_ptr_eq(ti_pop_due(ti, 50), &pool[1].ti);
    ck_assert_ptr_null(ti_pop_due(ti, 99));
    ck_assert_ptr_eq(ti_pop_due(ti, 100), &pool[0].ti);
    ck_assert_int_eq(ti_next_deadline(ti), INT64_MAX);
}
END_TEST

START_TEST(test_extreme_deadlines)
{
    ti_schedule(ti, &pool[0].ti, INT64_MAX);
    ti_schedule(ti, &pool[1].ti, INT64_MIN);
    ti_schedule(ti, &pool[2].ti, 0);
    ck_assert_ptr_eq(ti_pop_due(ti, INT64_MIN), &pool[1].ti);
    ck_assert_ptr_eq(ti_pop_due(ti, 0), &pool[2].ti);
    ck_assert_ptr_eq(ti_pop_due(ti, INT64_MAX), &pool[0].ti);
}
END_TEST

/* --------------------------------------------------------------- ordering */

START_TEST(test_random_deadlines_sorted)
{
    static int rank[POOL];
    for (int i = 0; i < POOL; i++) {
        /* Few distinct deadlines, so plenty of ties. */
        ti_schedule(ti, &pool[i].ti, (int64_t)(rnd() % 200) - 100);
        rank[i] = i;
    }
    check_heap(pool, POOL);
    drain_sorted(rank);
}
END_TEST

START_TEST(test_ties_fire_in_schedule_order)
{
    /* Scheduled in a scrambled id order; rank records that order. */
    static int rank[POOL];
    int n = 1000;
    for (int k = 0; k < n; k++) {
        int id = (k * 7919) % n;
        rank[id] = k;
        ti_schedule(ti, &pool[id].ti, 42);
    }
    drain_sorted(rank);
}
END_TEST

START_TEST(test_reschedule_counts_as_new_tie)
{
    ti_schedule(ti, &pool[0].ti, 10);
    ti_schedule(ti, &pool[1].ti, 10);
    ti_schedule(ti, &pool[2].ti, 10);
    ti_schedule(ti, &pool[0].ti, 10);   /* same deadline: moves behind 2 */
    ck_assert_uint_eq(ti_count(ti), 3);
    ck_assert_ptr_eq(ti_pop_due(ti, 10), &pool[1].ti);
    ck_assert_ptr_eq(ti_pop_due(ti, 10), &pool[2].ti);
    ck_assert_ptr_eq(ti_pop_due(ti, 10), &pool[0].ti);
}
END_TEST

/* ------------------------------------------------------ cancel/reschedule */

START_TEST(test_cancel_from_middle)
{
    for (int i = 0; i < 100; i++)
        ti_schedule(ti, &pool[i].ti, i);
    for (int i = 1; i < 100; i += 3)
        ti_cancel(ti, &pool[i].ti);
    check_heap(pool, 100);
    ti_cancel(ti, &pool[1].ti);   /* twice: no-op */
    for (int i = 0; i < 100; i++) {
        if (i % 3 == 1) {
            ck_assert(!ti_scheduled(&pool[i].ti));
            continue;
        }
        ck_assert_ptr_eq(ti_pop_due(ti, INT64_MAX), &pool[i].ti);
    }
    ck_assert_uint_eq(ti_count(ti), 0);
}
END_TEST

START_TEST(test_cancel_last_and_root)
{
    for (int i = 0; i < 10; i++)
        ti_schedule(ti, &pool[i].ti, 100 - i);
    ti_cancel(ti, &pool[9].ti);   /* the root: earliest deadline */
    ck_assert_int_eq(ti_next_deadline(ti), 92);
    /* Whichever item sits in the last slot. */
    for (int i = 0; i < 10; i++)
        if (ti_scheduled(&pool[i].ti) && pool[i].ti.pos == ti_count(ti) - 1) {
            ti_cancel(ti, &pool[i].ti);
            break;
        }
    ck_assert_uint_eq(ti_count(ti), 8);
    check_heap(pool, 10);
}
END_TEST

START_TEST(test_reschedule_earlier_and_later)
{
    for (int i = 0; i < 50; i++)
        ti_schedule(ti, &pool[i].ti, 1000 + i);
    ti_schedule(ti, &pool[30].ti, 5);      /* earlier: becomes the root */
    ck_assert_int_eq(ti_next_deadline(ti), 5);
    ti_schedule(ti, &pool[0].ti, 5000);    /* later: sinks to the end */
    ck_assert_uint_eq(ti_count(ti), 50);
    check_heap(pool, 50);
    ck_assert_ptr_eq(ti_pop_due(ti, INT64_MAX), &pool[30].ti);
    for (int i = 1; i < 50; i++) {
        if (i == 30)
            continue;
        ck_assert_ptr_eq(ti_pop_due(ti, INT64_MAX), &pool[i].ti);
    }
    ck_assert_ptr_eq(ti_pop_due(ti, INT64_MAX), &pool[0].ti);
    ck_assert_int_eq(pool[0].ti.deadline_ms, 5000);
}
END_TEST

START_TEST(test_random_operations_keep_invariant)
{
    for (int round = 0; round < 20000; round++) {
        struct job *j = &pool[rnd() % POOL];
        switch (rnd() % 4) {
        case 0:
        case 1:
            ti_schedule(ti, &j->ti, (int64_t)(rnd() % 5000));
            break;
        case 2:
            ti_cancel(ti, &j->ti);
            break;
        default: {
            struct ti_item *it = ti_pop_due(ti, (int64_t)(rnd() % 5000));
            if (it)
                ck_assert_int_le(it->deadline_ms, 5000);
        }
        }
        if (round % 997 == 0)
            check_heap(pool, POOL);
    }
    check_heap(pool, POOL);
    drain_sorted(NULL);
    check_heap(pool, POOL);
}
END_TEST

/* ----------------------------------------------------------------- run_due */

static void count_handler(void *ctx, struct ti_item *it, int64_t now_ms)
{
    int *calls = ctx;
    ck_assert(!ti_scheduled(it));
    ck_assert_int_le(it->deadline_ms, now_ms);
    seen_now = now_ms;
    job_of(it)->runs++;
    order_log[handled++] = job_of(it)->id;
    (*calls)++;
}

START_TEST(test_run_due_budget)
{
    int calls = 0;
    ti_set_handler(ti, 0, count_handler, &calls);
    for (int i = 0; i < 100; i++)
        ti_schedule(ti, &pool[i].ti, i < 60 ? 10 : 20);
    ck_assert_uint_eq(ti_run_due(ti, 15, 25), 25);
    ck_assert_int_eq(calls, 25);
    ck_assert_uint_eq(ti_count(ti), 75);
    ck_assert_int_eq(seen_now, 15);
    ck_assert_uint_eq(ti_run_due(ti, 15, 1000), 35);   /* only 60 were due */
    ck_assert_uint_eq(ti_count(ti), 40);
    ck_assert_uint_eq(ti_run_due(ti, 15, 1000), 0);
    ck_assert_uint_eq(ti_run_due(ti, 20, 0), 0);       /* zero budget */
    ck_assert_uint_eq(ti_count(ti), 40);
    for (int i = 0; i < 60; i++) {
        ck_assert_int_eq(order_log[i], i);
        ck_assert_int_eq(pool[i].runs, 1);
    }
}
END_TEST

static struct timeidx *resched_ti;

/* Re-arms each job 10 ms later until it has run three times. */
static void resched_handler(void *ctx, struct ti_item *it, int64_t now_ms)
{
    (void)ctx;
    struct job *j = job_of(it);
    if (++j->runs < 3)
        ti_schedule(resched_ti, it, now_ms + 10);
}

/* Re-arms at now: a budget must still bound the work. */
static void spin_handler(void *ctx, struct ti_item *it, int64_t now_ms)
{
    (void)ctx;
    job_of(it)->runs++;
    ti_schedule(resched_ti, it, now_ms);
}

START_TEST(test_handler_reschedules)
{
    resched_ti = ti;
    ti_set_handler(ti, 1, resched_handler, NULL);
    for (int i = 0; i < 10; i++) {
        ti_item_init(&pool[i].ti, 1);
        ti_schedule(ti, &pool[i].ti, 0);
    }
    ck_assert_uint_eq(ti_run_due(ti, 0, 100), 10);
    ck_assert_uint_eq(ti_count(ti), 10);
    ck_assert_int_eq(ti_next_deadline(ti), 10);
    ck_assert_uint_eq(ti_run_due(ti, 10, 100), 10);
    ck_assert_uint_eq(ti_run_due(ti, 20, 100), 10);
    ck_assert_uint_eq(ti_count(ti), 0);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(pool[i].runs, 3);

    ti_set_handler(ti, 2, spin_handler, NULL);
    ti_item_init(&pool[20].ti, 2);
    ti_schedule(ti, &pool[20].ti, 5);
    ck_assert_uint_eq(ti_run_due(ti, 5, 50), 50);
    ck_assert_int_eq(pool[20].runs, 50);
    ck_assert(ti_scheduled(&pool[20].ti));
}
END_TEST

START_TEST(test_handlers_per_kind)
{
    int calls_a = 0, calls_b = 0;
    ti_set_handler(ti, 0, count_handler, &calls_a);
    ti_set_handler(ti, TI_MAX_KINDS - 1, count_handler, &calls_b);
    ti_item_init(&pool[1].ti, TI_MAX_KINDS - 1);
    ti_schedule(ti, &pool[0].ti, 1);
    ti_schedule(ti, &pool[1].ti, 2);
    ti_schedule(ti, &pool[2].ti, 3);
    ck_assert_uint_eq(ti_run_due(ti, 3, 10), 3);
    ck_assert_int_eq(calls_a, 2);
    ck_assert_int_eq(calls_b, 1);
}
END_TEST

/* -------------------------------------------------------------- big drain */

static void noop_handler(void *ctx, struct ti_item *it, int64_t now_ms)
{
    (void)it;
    (void)now_ms;
    (*(size_t *)ctx)++;
}

START_TEST(test_million_share_one_deadline)
{
    struct job *big = malloc(BIG * sizeof(*big));
    ck_assert_ptr_nonnull(big);
    for (int i = 0; i < BIG; i++) {
        ti_item_init(&big[i].ti, 3);
        big[i].id = i;
        ti_schedule(ti, &big[i].ti, 777);
    }
    ck_assert_uint_eq(ti_count(ti), BIG);
    ck_assert_int_eq(ti_next_deadline(ti), 777);

    /* Half through pops (must come out in schedule order), half by budget. */
    for (int i = 0; i < BIG / 2; i++) {
        struct ti_item *it = ti_pop_due(ti, 777);
        REQUIRE(it == &big[i].ti);
    }
    size_t ran = 0;
    ti_set_handler(ti, 3, noop_handler, &ran);
    ck_assert_uint_eq(ti_run_due(ti, 776, BIG), 0);
    while (ti_run_due(ti, 777, 100000) == 100000)
        ;
    ck_assert_uint_eq(ran, BIG / 2);
    ck_assert_uint_eq(ti_count(ti), 0);
    for (int i = 0; i < BIG; i++)
        REQUIRE(!ti_scheduled(&big[i].ti));
    free(big);
}
END_TEST

static Suite *timeidx_suite(void)
{
    Suite *s = suite_create("timeidx");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_pop_respects_now);
    tcase_add_test(tc, test_extreme_deadlines);
    tcase_add_test(tc, test_random_deadlines_sorted);
    tcase_add_test(tc, test_ties_fire_in_schedule_order);
    tcase_add_test(tc, test_reschedule_counts_as_new_tie);
    tcase_add_test(tc, test_cancel_from_middle);
    tcase_add_test(tc, test_cancel_last_and_root);
    tcase_add_test(tc, test_reschedule_earlier_and_later);
    tcase_add_test(tc, test_random_operations_keep_invariant);
    tcase_add_test(tc, test_run_due_budget);
    tcase_add_test(tc, test_handler_reschedules);
    tcase_add_test(tc, test_handlers_per_kind);
    tcase_add_test(tc, test_million_share_one_deadline);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(timeidx_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
