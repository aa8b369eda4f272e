/*
 * timeidx: the one ordered index of every deadline in the server.
 *
 * Key TTLs, blocked-client timeouts, and later delayed jobs, leases and lock
 * TTLs all live here, ordered by (deadline_ms, insertion sequence). The owner
 * embeds a `struct ti_item` in its own struct and recovers it with
 * container_of-style arithmetic in its handler. The index never allocates or
 * frees items.
 *
 * Implementation: a 4-ary min-heap whose array holds (deadline, seq, item*),
 * so comparisons never touch the items; each item stores its heap position
 * for O(log n) cancel/reschedule.
 *
 * Nothing here reads the clock: callers pass now_ms.
 */
#ifndef TASKKV_ENGINE_TIMEIDX_H
#define TASKKV_ENGINE_TIMEIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TI_NOT_SCHEDULED UINT32_MAX
#define TI_MAX_KINDS 16

/* Every kind of deadline in the server, one handler each. */
enum ti_kind {
    TI_KEY_TTL = 0,        /* engine: a key's expire time */
    TI_CLIENT_TIMEOUT = 1, /* api: a blocked client's timeout */
    TI_JOB_DUE = 2,        /* queue: a delayed job becomes due */
    TI_JOB_LEASE = 3,      /* queue: a reserved job's lease ends */
    TI_LOCK_TTL = 4,       /* lock: a lock's TTL ends */
    TI_CLIENT_PAUSE = 5,   /* api: the end of CLIENT PAUSE */
    TI_KEY_TTL_HELD = 15,  /* engine: a due key TTL set aside while expiry is held (never dispatched) */
};

struct ti_item {
    int64_t deadline_ms;   /* valid while scheduled */
    uint32_t pos;          /* heap slot, or TI_NOT_SCHEDULED */
    uint32_t kind;         /* selects the handler, < TI_MAX_KINDS */
};

struct timeidx;

/* Called for each due item, already removed from the index; the handler may
 * schedule it (or any other item) again. */
typedef void (*ti_handler)(void *ctx, struct ti_item *it, int64_t now_ms);

struct timeidx *ti_create(void);
void ti_destroy(struct timeidx *ti);   /* NULL is a no-op; items are not touched */

void ti_item_init(struct ti_item *it, uint32_t kind);
static inline bool ti_scheduled(const struct ti_item *it) { return it->pos != TI_NOT_SCHEDULED; }

/* Registers the handler for one kind (replacing any earlier one). */
void ti_set_handler(struct timeidx *ti, uint32_t kind, ti_handler fn, void *ctx);

/* Inserts the item, or moves it if already scheduled. Ties fire in the order
 * they were (re)scheduled. */
void ti_schedule(struct timeidx *ti, struct ti_item *it, int64_t deadline_ms);
/* Removes the item if scheduled; otherwise a no-op. */
void ti_cancel(struct timeidx *ti, struct ti_item *it);

size_t ti_count(const struct timeidx *ti);
/* The item in heap slot i (< ti_count), for sampling: slot 0 holds the
 * earliest deadline and the first slots hold early ones (a heap's top
 * levels), any slot a random one. Valid until the index next changes. */
struct ti_item *ti_item_at(const struct timeidx *ti, size_t i);
/* Earliest deadline, or INT64_MAX when empty. */
int64_t ti_next_deadline(const struct timeidx *ti);
/* Removes and returns the earliest item if its deadline <= now_ms, else NULL. */
struct ti_item *ti_pop_due(struct timeidx *ti, int64_t now_ms);

/* Pops due items and calls their kind's handler, at most `budget` of them.
 * Returns how many ran; if it returns `budget`, more may be due. */
size_t ti_run_due(struct timeidx *ti, int64_t now_ms, size_t budget);

#endif
