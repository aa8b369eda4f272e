/*
 * memreport: the memory figures MEMORY STATS / DOCTOR and INFO memory show
 * (Redis' getMemoryOverheadData). They come from the allocator
 * (engine/alloc.h), the keyspace's tables and TTL records, the clients'
 * buffers and the Lua state; "dataset" is what remains of the allocator's
 * count after the start-up memory and those overheads. The allocator
 * figures are zero without jemalloc (a sanitizer build), and the ratios
 * built on them 0.
 */
#ifndef TASKKV_API_MEMREPORT_H
#define TASKKV_API_MEMREPORT_H

#include "engine/alloc.h"

#include <stddef.h>

struct server;

struct db_overhead {
    int db;
    size_t main, expires;
};

struct mem_report {
    size_t peak, total, startup, clients_normal, aof, lua_caches;
    struct db_overhead *dbs;     /* databases holding keys */
    int ndbs;
    size_t overhead, keys, bytes_per_key, dataset;
    double dataset_perc, peak_perc;
    struct kv_alloc_info alloc;
    size_t rss;
    double alloc_frag, alloc_rss, rss_extra, total_frag;
    long long alloc_frag_bytes, alloc_rss_bytes, rss_extra_bytes, total_frag_bytes;
    size_t nscripts, lua_vm;     /* cached scripts; the Lua VM's bytes */
};

void mem_report_gather(struct server *srv, struct mem_report *r);
void mem_report_free(struct mem_report *r);

#endif
