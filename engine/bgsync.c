/*
 * bgsync: one joinable thread per job. Starting a thread once a second
 * costs microseconds, so there is no pool, queue or condition variable:
 * the worker writes its result, then sets `done`; the owner joins a thread
 * only after seeing `done`, or in destroy.
 */
#include "engine/bgsync.h"
#include "engine/faultvfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BGSYNC_MAX_PATHS 4

struct bgsync {
    pthread_t thread;
    bool started;               /* a thread exists that was not joined yet */
    atomic_bool done;           /* set by the worker after its result */
    char *paths[BGSYNC_MAX_PATHS];
    int npaths;
    /* the result, written by the worker before `done` */
    int errnum;
    int failed_at;              /* index of the failing path, -1 if none */
};

struct bgsync *bgsync_create(void)
{
    struct bgsync *b = calloc(1, sizeof(*b));
    if (b)
        atomic_init(&b->done, false);
    return b;
}

static void clear_paths(struct bgsync *b)
{
    for (int i = 0; i < b->npaths; i++)
        free(b->paths[i]);
    b->npaths = 0;
}

static void *worker(void *arg)
{
    struct bgsync *b = arg;
    b->errnum = 0;
    b->failed_at = -1;
    for (int i = 0; i < b->npaths && b->failed_at < 0; i++) {
        int fd = open(b->paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT) {
                b->errnum = errno;
                b->failed_at = i;
            }
            continue;
        }
        faultvfs_slow_sync();   /* DEBUG DISK-FAULT SLOW: a slow disk */
        if (fsync(fd) < 0) {
            b->errnum = errno;
            b->failed_at = i;
        }
        close(fd);
    }
    atomic_store_explicit(&b->done, true, memory_order_release);
    return NULL;
}

static void join(struct bgsync *b)
{
    if (b->started) {
        pthread_join(b->thread, NULL);
        b->started = false;
    }
}

void bgsync_destroy(struct bgsync *b)
{
    if (!b)
        return;
    join(b);
    clear_paths(b);
    free(b);
}

bool bgsync_running(const struct bgsync *b)
{
    return b->started && !atomic_load_explicit(&b->done, memory_order_acquire);
}

bool bgsync_start(struct bgsync *b, const char *const *paths, int npaths)
{
    int rc;
    if (bgsync_running(b)) {
        errno = EBUSY;
        return false;
    }
    join(b);   /* a finished job whose result was not polled: dropped */
    clear_paths(b);
    for (int i = 0; i < npaths && i < BGSYNC_MAX_PATHS; i++) {
        b->paths[i] = strdup(paths[i]);
        if (!b->paths[i]) {
            clear_paths(b);
            errno = ENOMEM;
            return false;
        }
        b->npaths++;
    }
    atomic_store_explicit(&b->done, false, memory_order_relaxed);
    rc = pthread_create(&b->thread, NULL, worker, b);
    if (rc != 0) {
        clear_paths(b);
        errno = rc;
        return false;
    }
    b->started = true;
    return true;
}

enum bgsync_state bgsync_poll(struct bgsync *b, char *err, size_t errcap, int *errnum)
{
    if (!b->started)
        return BGSYNC_IDLE;
    if (!atomic_load_explicit(&b->done, memory_order_acquire))
        return BGSYNC_RUNNING;
    join(b);
    if (b->failed_at < 0)
        return BGSYNC_OK;
    if (err && errcap)
        snprintf(err, errcap, "%s: fsync: %s", b->paths[b->failed_at], strerror(b->errnum));
    if (errnum)
        *errnum = b->errnum;
    return BGSYNC_FAILED;
}
