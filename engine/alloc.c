/* alloc: see alloc.h. */
#include "engine/alloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* jemalloc's control interface, present only when the server links it. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

size_t kv_alloc_used(void)
{
    if (mallctl) {
        uint64_t epoch = 1;
        size_t allocated, sz = sizeof(epoch);
        mallctl("epoch", &epoch, &sz, &epoch, sz);   /* refresh the statistics */
        sz = sizeof(allocated);
        if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) == 0)
            return allocated;
    }
    {
        struct mallinfo2 mi = mallinfo2();
        return mi.uordblks + mi.hblkhd;
    }
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
