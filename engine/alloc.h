/*
 * alloc: allocation that never returns NULL. Out of memory aborts the
 * process with a message, as Redis does: a half-applied write is worse than
 * a crash the journal recovers from.
 */
#ifndef TASKKV_ENGINE_ALLOC_H
#define TASKKV_ENGINE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *kv_xmalloc(size_t n);
void *kv_xcalloc(size_t n, size_t size);
void *kv_xrealloc(void *p, size_t n);
char *kv_xstrndup(const char *p, size_t n);

/* Bytes the allocator has handed out (jemalloc's stats.allocated when the
 * server is linked with it, else glibc's mallinfo2), and its name as Redis'
 * INFO mem_allocator shows it ("jemalloc-5.3.0" or "libc"). */
size_t kv_alloc_used(void);
const char *kv_alloc_name(void);

/* The same figure, cheap enough to read before every command and around
 * every eviction (maxmemory): with jemalloc, the last kv_alloc_used() plus
 * what this thread allocated and freed since (jemalloc's per-thread
 * counters, a pointer read each; the server is single-threaded); under the
 * sanitizers their allocator's count; with glibc alone mallinfo2 (slow: a
 * walk of the arena, so maxmemory costs more without jemalloc). Calling
 * kv_alloc_used() re-bases it (the cron does once a second). */
size_t kv_alloc_used_fast(void);
/* Whether kv_alloc_used_fast is a few loads (jemalloc, sanitizers), cheap
 * enough for every command (the peak after each command, as Redis' call). */
bool kv_alloc_fast_is_cheap(void);

/* The bytes of one live allocation, size class included (MEMORY USAGE). */
size_t kv_alloc_size(const void *p);

/* The allocator's own figures (MEMORY STATS, INFO): bytes handed out,
 * in active pages, and resident; false (all zero) without jemalloc. */
struct kv_alloc_info {
    size_t allocated, active, resident;
};
bool kv_alloc_info(struct kv_alloc_info *out);

/* MEMORY MALLOC-STATS: jemalloc's statistics report, written in pieces to
 * emit; false (nothing written) without jemalloc. */
bool kv_alloc_stats_print(void (*emit)(void *ctx, const char *text), void *ctx);

/* The process' resident set size (/proc/self/statm), 0 if unknown. */
size_t kv_alloc_rss(void);

/* MEMORY PURGE: gives dirty pages back to the system (jemalloc's purge of
 * every arena, glibc's malloc_trim). False when the allocator refused. */
bool kv_alloc_purge(void);

#endif
