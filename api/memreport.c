/*
 * memreport: see memreport.h.
 */
#include "api/memreport.h"

#include "api/maxmemory.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/kv.h"

#include <stdlib.h>
#include <string.h>

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : 0; }

static void gather_dbs(struct server *srv, struct mem_report *r)
{
    int ndb = kv_ndb(srv->ks);
    r->dbs = kv_xcalloc((size_t)ndb, sizeof(*r->dbs));
    for (int db = 0; db < ndb; db++) {
        struct db_overhead *o = &r->dbs[r->ndbs];
        if (!kv_size(srv->ks, db))
            continue;
        o->db = db;
        kv_db_overhead(srv->ks, db, &o->main, &o->expires);
        r->overhead += o->main + o->expires;
        r->keys += kv_size(srv->ks, db);
        r->ndbs++;
    }
}

void mem_report_gather(struct server *srv, struct mem_report *r)
{
    size_t lua_bytes, net;
    memset(r, 0, sizeof(*r));
    r->total = maxmem_used_now(srv);
    r->peak = srv->stats_peak_memory;
    r->startup = maxmem_startup(srv);
    r->clients_normal = maxmem_clients_normal(srv);
    r->aof = maxmem_not_counted(srv);
    script_memory(srv, &lua_bytes, &r->nscripts);
    r->lua_caches = r->nscripts ? lua_bytes : 0;
    r->lua_vm = lua_bytes;
    r->overhead = r->startup + r->clients_normal + r->aof + r->lua_caches;
    gather_dbs(srv, r);
    r->dataset = r->total > r->overhead ? r->total - r->overhead : 0;
    net = r->total > r->startup ? r->total - r->startup : 0;
    r->bytes_per_key = r->keys ? net / r->keys : 0;
    r->dataset_perc = net ? (double)r->dataset * 100 / (double)net : 0;
    r->peak_perc = r->peak ? (double)r->total * 100 / (double)r->peak : 0;
    kv_alloc_info(&r->alloc);
    r->rss = kv_alloc_rss();
    r->alloc_frag = ratio(r->alloc.active, r->alloc.allocated);
    r->alloc_frag_bytes = (long long)r->alloc.active - (long long)r->alloc.allocated;
    r->alloc_rss = ratio(r->alloc.resident, r->alloc.active);
    r->alloc_rss_bytes = (long long)r->alloc.resident - (long long)r->alloc.active;
    r->rss_extra = ratio(r->rss, r->alloc.resident);
    r->rss_extra_bytes = (long long)r->rss - (long long)r->alloc.resident;
    r->total_frag = ratio(r->rss, r->total);
    r->total_frag_bytes = (long long)r->rss - (long long)r->total;
}

void mem_report_free(struct mem_report *r)
{
    free(r->dbs);
    r->dbs = NULL;
}
