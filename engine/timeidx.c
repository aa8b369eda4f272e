/*
 * timeidx: the ordered index of deadlines (see engine/timeidx.h).
 *
 * Data structure
 *   A 4-ary min-heap stored in one array of `struct slot`. The children of
 *   slot i are 4i+1 .. 4i+4 and its parent is (i-1)/4. A slot carries a copy
 *   of the deadline and the schedule sequence number next to the item
 *   pointer, so sifting compares slots in the array and never dereferences an
 *   item (items live all over the heap; the array is one cache-friendly run).
 *   A 4-ary heap is half as deep as a binary one: sift-up (insert, the common
 *   case) does half the moves, and sift-down's four-way compare stays within
 *   one or two cache lines.
 *
 * Invariants
 *   - slots[0 .. count) hold exactly the scheduled items.
 *   - For every scheduled item it: slots[it->pos].item == it and
 *     slots[it->pos].deadline == it->deadline_ms.
 *   - Heap order: no slot is less than its parent under (deadline, seq).
 *   - seq values are unique: a counter bumped on every (re)schedule, so two
 *     items with one deadline fire in the order they were last scheduled.
 *     At a million schedules a second the 64-bit counter lasts 500k years.
 *   - Unscheduled items have pos == TI_NOT_SCHEDULED.
 *
 * Memory
 *   The index owns only the slot array. It grows by doubling and shrinks by
 *   half when under a quarter full, so a mass expiry gives memory back.
 *   Allocation failure aborts (engine/alloc.h). Items belong to the caller.
 */
#include "engine/timeidx.h"

#include <assert.h>
#include <stdlib.h>

#include "engine/alloc.h"

#define ARITY 4
#define MIN_CAPACITY 16

struct slot {
    int64_t deadline;
    uint64_t seq;
    struct ti_item *item;
};

struct handler {
    ti_handler fn;
    void *ctx;
};

struct timeidx {
    struct slot *slots;
    size_t count;
    size_t capacity;
    uint64_t next_seq;
    struct handler handlers[TI_MAX_KINDS];
};

/* ------------------------------------------------------------ heap helpers */

static inline bool slot_less(const struct slot *a, const struct slot *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

/* Writes s into slot i and tells its item where it now lives. */
static inline void place(struct timeidx *ti, size_t i, struct slot s)
{
    ti->slots[i] = s;
    s.item->pos = (uint32_t)i;
}

/* Moves the hole at i up until s fits there, then stores s. */
static void sift_up(struct timeidx *ti, size_t i, struct slot s)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!slot_less(&s, &ti->slots[parent]))
            break;
        place(ti, i, ti->slots[parent]);
        i = parent;
    }
    place(ti, i, s);
}

/* Index of the least child of i, or i itself when i is a leaf. */
static size_t least_child(const struct timeidx *ti, size_t i)
{
    size_t first = i * ARITY + 1;
    if (first >= ti->count)
        return i;
    size_t end = first + ARITY < ti->count ? first + ARITY : ti->count;
    size_t best = first;
    for (size_t c = first + 1; c < end; c++)
        if (slot_less(&ti->slots[c], &ti->slots[best]))
            best = c;
    return best;
}

/* Moves the hole at i down until s fits there, then stores s. */
static void sift_down(struct timeidx *ti, size_t i, struct slot s)
{
    for (;;) {
        size_t c = least_child(ti, i);
        if (c == i || !slot_less(&ti->slots[c], &s))
            break;
        place(ti, i, ti->slots[c]);
        i = c;
    }
    place(ti, i, s);
}

/* Re-seats s at i, wherever the heap order wants it from there. */
static void sift(struct timeidx *ti, size_t i, struct slot s)
{
    if (i > 0 && slot_less(&s, &ti->slots[(i - 1) / ARITY]))
        sift_up(ti, i, s);
    else
        sift_down(ti, i, s);
}

static void resize(struct timeidx *ti, size_t capacity)
{
    ti->slots = kv_xrealloc(ti->slots, capacity * sizeof(*ti->slots));
    ti->capacity = capacity;
}

static void grow_if_full(struct timeidx *ti)
{
    if (ti->count < ti->capacity)
        return;
    /* pos is 32 bits with one value reserved for "not scheduled". */
    if (ti->count >= TI_NOT_SCHEDULED)
        abort();
    resize(ti, ti->capacity ? ti->capacity * 2 : MIN_CAPACITY);
}

static void shrink_if_sparse(struct timeidx *ti)
{
    if (ti->capacity > MIN_CAPACITY && ti->count < ti->capacity / 4)
        resize(ti, ti->capacity / 2);
}

/* Takes slot i out of the heap; the item is marked unscheduled. */
static void remove_at(struct timeidx *ti, size_t i)
{
    struct ti_item *it = ti->slots[i].item;
    ti->count--;
    if (i < ti->count)
        sift(ti, i, ti->slots[ti->count]);
    it->pos = TI_NOT_SCHEDULED;
    shrink_if_sparse(ti);
}

/* ---------------------------------------------------------------- public */

struct timeidx *ti_create(void)
{
    struct timeidx *ti = kv_xcalloc(1, sizeof(*ti));
    return ti;
}

void ti_destroy(struct timeidx *ti)
{
    if (!ti)
        return;
    free(ti->slots);
    free(ti);
}

void ti_item_init(struct ti_item *it, uint32_t kind)
{
    assert(kind < TI_MAX_KINDS);
    it->deadline_ms = 0;
    it->pos = TI_NOT_SCHEDULED;
    it->kind = kind;
}

void ti_set_handler(struct timeidx *ti, uint32_t kind, ti_handler fn, void *ctx)
{
    assert(kind < TI_MAX_KINDS);
    ti->handlers[kind].fn = fn;
    ti->handlers[kind].ctx = ctx;
}

void ti_schedule(struct timeidx *ti, struct ti_item *it, int64_t deadline_ms)
{
    struct slot s = { deadline_ms, ti->next_seq++, it };
    it->deadline_ms = deadline_ms;
    if (ti_scheduled(it)) {
        assert(it->pos < ti->count && ti->slots[it->pos].item == it);
        sift(ti, it->pos, s);
        return;
    }
    grow_if_full(ti);
    sift_up(ti, ti->count++, s);
}

void ti_cancel(struct timeidx *ti, struct ti_item *it)
{
    if (!ti_scheduled(it))
        return;
    assert(it->pos < ti->count && ti->slots[it->pos].item == it);
    remove_at(ti, it->pos);
}

size_t ti_count(const struct timeidx *ti)
{
    return ti->count;
}

struct ti_item *ti_item_at(const struct timeidx *ti, size_t i)
{
    return i < ti->count ? ti->slots[i].item : NULL;
}

int64_t ti_next_deadline(const struct timeidx *ti)
{
    return ti->count ? ti->slots[0].deadline : INT64_MAX;
}

struct ti_item *ti_pop_due(struct timeidx *ti, int64_t now_ms)
{
    if (ti->count == 0 || ti->slots[0].deadline > now_ms)
        return NULL;
    struct ti_item *it = ti->slots[0].item;
    remove_at(ti, 0);
    return it;
}

size_t ti_run_due(struct timeidx *ti, int64_t now_ms, size_t budget)
{
    size_t ran = 0;
    while (ran < budget) {
        struct ti_item *it = ti_pop_due(ti, now_ms);
        if (!it)
            break;
        const struct handler *h = &ti->handlers[it->kind];
        /* A kind without a handler is a wiring bug; release builds drop
         * the item (it is already unscheduled) rather than crash. */
        assert(h->fn && "ti_run_due: no handler for this kind");
        if (h->fn)
            h->fn(h->ctx, it, now_ms);
        ran++;
    }
    return ran;
}
