/*
 * alloc: allocation that never returns NULL. Out of memory aborts the
 * process with a message, as Redis does: a half-applied write is worse than
 * a crash the journal recovers from.
 */
#ifndef TASKKV_ENGINE_ALLOC_H
#define TASKKV_ENGINE_ALLOC_H

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

#endif
