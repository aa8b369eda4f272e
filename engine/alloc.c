/* alloc: see alloc.h. */
#include "engine/alloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oom(size_t n)
{
    fprintf(stderr, "taskkv: out of memory allocating %zu bytes\n", n);
    abort();
}

void *kv_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *kv_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *kv_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *kv_xstrndup(const char *p, size_t n)
{
    char *s = kv_xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* jemalloc's control interface, present only when the server links it;
 * the sanitizers' allocator statistics, present only under them. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));
extern void malloc_stats_print(void (*write_cb)(void *, const char *), void *cbopaque, const char *opts)
    __attribute__((weak));
extern size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

/* kv_alloc_used_fast's base: the last full reading and this thread's
 * jemalloc counters at that moment. Process-wide, like the allocator. */
static struct {
    bool ready;
    size_t used;
    uint64_t allocated, deallocated;
    uint64_t *allocatedp, *deallocatedp;
} fast;

static size_t glibc_used(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static size_t jemalloc_stat(const char *name)
{
    size_t v = 0, sz = sizeof(v);
    return mallctl(name, &v, &sz, NULL, 0) == 0 ? v : 0;
}

static void jemalloc_refresh(void)
{
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
}

static void rebase(size_t used)
{
    size_t sz = sizeof(uint64_t *);
    if (!fast.allocatedp && (mallctl("thread.allocatedp", &fast.allocatedp, &sz, NULL, 0) != 0 ||
                             mallctl("thread.deallocatedp", &fast.deallocatedp, &sz, NULL, 0) != 0)) {
        fast.allocatedp = fast.deallocatedp = NULL;
        return;
    }
    fast.used = used;
    fast.allocated = *fast.allocatedp;
    fast.deallocated = *fast.deallocatedp;
    fast.ready = true;
}

size_t kv_alloc_used(void)
{
    if (__sanitizer_get_current_allocated_bytes)
        return __sanitizer_get_current_allocated_bytes();
    if (mallctl) {
        size_t allocated;
        jemalloc_refresh();
        allocated = jemalloc_stat("stats.allocated");
        rebase(allocated);
        return allocated;
    }
    return glibc_used();
}

size_t kv_alloc_used_fast(void)
{
    if (__sanitizer_get_current_allocated_bytes)
        return __sanitizer_get_current_allocated_bytes();
    if (mallctl) {
        int64_t v;
        if (!fast.ready)
            return kv_alloc_used();
        v = (int64_t)fast.used + (int64_t)(*fast.allocatedp - fast.allocated) -
            (int64_t)(*fast.deallocatedp - fast.deallocated);
        return v > 0 ? (size_t)v : 0;
    }
    return glibc_used();
}

bool kv_alloc_fast_is_cheap(void) { return __sanitizer_get_current_allocated_bytes || mallctl; }

size_t kv_alloc_size(const void *p) { return p ? malloc_usable_size((void *)p) : 0; }

bool kv_alloc_info(struct kv_alloc_info *out)
{
    out->allocated = out->active = out->resident = 0;
    if (!mallctl)
        return false;
    jemalloc_refresh();
    out->allocated = jemalloc_stat("stats.allocated");
    out->active = jemalloc_stat("stats.active");
    out->resident = jemalloc_stat("stats.resident");
    return true;
}

bool kv_alloc_stats_print(void (*emit)(void *ctx, const char *text), void *ctx)
{
    if (!mallctl || !malloc_stats_print)
        return false;
    jemalloc_refresh();
    malloc_stats_print(emit, ctx, NULL);
    return true;
}

size_t kv_alloc_rss(void)
{
    long pages = 0, ignored;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp) {
        if (fscanf(fp, "%ld %ld", &ignored, &pages) != 2)
            pages = 0;
        fclose(fp);
    }
    return pages > 0 ? (size_t)pages * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

bool kv_alloc_purge(void)
{
    if (mallctl)   /* 4096 is MALLCTL_ARENAS_ALL: every arena */
        return mallctl("arena.4096.purge", NULL, NULL, NULL, 0) == 0;
    malloc_trim(0);
    return true;
}

const char *kv_alloc_name(void)
{
    static char name[64];
    const char *version;
    size_t sz = sizeof(version);
    if (!mallctl || mallctl("version", &version, &sz, NULL, 0) != 0)
        return "libc";
    if (!name[0])
        snprintf(name, sizeof(name), "jemalloc-%.*s", (int)strcspn(version, "-"), version);
    return name;
}
