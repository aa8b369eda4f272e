/*
 * bgsync: fsync of a few files on a background thread, one job at a time.
 *
 * appendfsync everysec promises at most about a second of writes lost to a
 * machine crash, not a stall: the once-a-second fsync of the journal must
 * not block the event loop when the disk is slow (Redis runs it in a bio
 * thread for the same reason). The owner starts a job and polls for its
 * result from its own thread; the worker touches nothing but its copy of
 * the paths and its result, published with one atomic flag.
 */
#ifndef TASKKV_ENGINE_BGSYNC_H
#define TASKKV_ENGINE_BGSYNC_H

#include <stdbool.h>
#include <stddef.h>

struct bgsync;

enum bgsync_state {
    BGSYNC_IDLE,      /* no job, or its result was taken */
    BGSYNC_RUNNING,
    BGSYNC_OK,        /* the job finished; poll took the result */
    BGSYNC_FAILED,    /* the job failed; poll took the result and the reason */
};

struct bgsync *bgsync_create(void);
/* Waits for a running job, then frees. NULL is a no-op. */
void bgsync_destroy(struct bgsync *b);

/* Starts fsyncing `paths` (a missing file counts as synced). Returns false
 * with errno set when a job is still running (EBUSY) or no thread could be
 * started; nothing is started then. */
bool bgsync_start(struct bgsync *b, const char *const *paths, int npaths);

/* The job's state; a finished job's result is returned once (then IDLE).
 * On BGSYNC_FAILED, `err` gets "<path>: fsync: <strerror>" and *errnum the
 * errno. */
enum bgsync_state bgsync_poll(struct bgsync *b, char *err, size_t errcap, int *errnum);

bool bgsync_running(const struct bgsync *b);

#endif
