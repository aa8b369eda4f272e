/*
 * hdrhist: see hdrhist.h. The layout is HdrHistogram's for a lowest
 * trackable value of 1, 2 significant digits (so 256 sub-buckets, the upper
 * half of each used above the first bucket) and a highest of 1e9:
 *
 *   bucket b (0..22) holds values whose top set bit is at position b + 7 or,
 *   for b = 0, anything below 256; its unit is 2^b ns;
 *   counter index = (b + 1) * 128 + (value >> b) - 128.
 */
#include "engine/hdrhist.h"

#include "engine/alloc.h"

#include <stdlib.h>

#define SUB_HALF_MAG 7
#define SUB_HALF (1 << SUB_HALF_MAG)        /* 128 */
#define SUB_MASK ((uint64_t)(2 * SUB_HALF) - 1)  /* 255 */
#define BUCKETS 23                          /* 256 << 22 > 1e9 */
#define COUNTS ((BUCKETS + 1) * SUB_HALF)   /* 3072 */

struct hdrhist {
    uint64_t total;
    uint64_t counts[COUNTS];
};

struct hdrhist *hdrhist_new(void)
{
    return kv_xcalloc(1, sizeof(struct hdrhist));
}

void hdrhist_free(struct hdrhist *h)
{
    free(h);
}

static int bucket_of(uint64_t v)
{
    return (64 - __builtin_clzll(v | SUB_MASK)) - (SUB_HALF_MAG + 1);
}

static int index_of(uint64_t v)
{
    int b = bucket_of(v);
    return ((b + 1) << SUB_HALF_MAG) + (int)(v >> b) - SUB_HALF;
}

static uint64_t value_at(int idx)
{
    int b = (idx >> SUB_HALF_MAG) - 1;
    uint64_t sub = (uint64_t)(idx & (SUB_HALF - 1)) + SUB_HALF;
    if (b < 0) {
        sub -= SUB_HALF;
        b = 0;
    }
    return sub << b;
}

uint64_t hdrhist_lowest_equivalent(uint64_t ns)
{
    int b = bucket_of(ns);
    return (ns >> b) << b;
}

uint64_t hdrhist_highest_equivalent(uint64_t ns)
{
    return hdrhist_lowest_equivalent(ns) + (1ULL << bucket_of(ns)) - 1;
}

void hdrhist_record(struct hdrhist *h, uint64_t ns)
{
    if (ns < HDRHIST_MIN_NS)
        ns = HDRHIST_MIN_NS;
    if (ns > HDRHIST_MAX_NS)
        ns = HDRHIST_MAX_NS;
    h->counts[index_of(ns)]++;
    h->total++;
}

uint64_t hdrhist_total(const struct hdrhist *h)
{
    return h->total;
}

uint64_t hdrhist_percentile(const struct hdrhist *h, double p)
{
    double want = p < 100.0 ? p : 100.0;
    int64_t target = (int64_t)(want / 100.0 * (double)h->total + 0.5);
    uint64_t seen = 0;
    if (target < 1)
        target = 1;
    for (int i = 0; i < COUNTS; i++) {
        seen += h->counts[i];
        if (seen >= (uint64_t)target) {
            uint64_t v = value_at(i);
            return p == 0.0 ? hdrhist_lowest_equivalent(v) : hdrhist_highest_equivalent(v);
        }
    }
    return 0;
}

void hdrhist_foreach(const struct hdrhist *h, hdrhist_fn fn, void *arg)
{
    for (int i = 0; i < COUNTS; i++)
        if (h->counts[i])
            fn(arg, value_at(i), h->counts[i]);
}
