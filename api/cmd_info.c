/*
 * cmd_info: INFO [section ...] with Redis 7.0's sections, in its order, and
 * its field names, in its order, plus taskkv_version, the journal's aof_*
 * fields and Redis 7.2's client_output_buffer_limit_disconnections.
 * Sections: server, clients, memory, persistence, stats, replication, cpu,
 * modules, commandstats, errorstats, latencystats, cluster, keyspace
 * ("default" is all but commandstats and latencystats; "all"/"everything"
 * add them). Counters of what taskkv does not have (replicas, the
 * defragmenter, client tracking, I/O threads, functions) read 0. RESP3 gets
 * a verbatim string.
 */
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/maxmemory.h"
#include "api/memreport.h"
#include "api/pause.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/hdrhist.h"
#include "engine/kv.h"
#include "engine/timeidx.h"
#include "pubsub/hub.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

struct buf {
    char *p;
    size_t len, cap;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        int n;
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0);
        b->p = kv_xrealloc(b->p, b->cap);
    }
}

static void human_bytes(char *out, size_t cap, unsigned long long n)
{
    double d = (double)n;
    if (n < 1024)
        snprintf(out, cap, "%lluB", n);
    else if (n < 1024ULL * 1024)
        snprintf(out, cap, "%.2fK", d / 1024);
    else if (n < 1024ULL * 1024 * 1024)
        snprintf(out, cap, "%.2fM", d / (1024 * 1024));
    else
        snprintf(out, cap, "%.2fG", d / (1024.0 * 1024 * 1024));
}

static void section_server(struct server *srv, struct buf *b)
{
    const struct config_values *cv = config_values(srv->cfg);
    struct utsname u;
    int64_t now_us = server_clock_us();
    long long uptime = (long long)(now_us / 1000000 - srv->start_time);
    uname(&u);
    add(b, "# Server\r\nredis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
           "redis_build_id:0\r\nredis_mode:standalone\r\nos:%s %s %s\r\narch_bits:%d\r\n"
           "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:libev\r\natomicvar_api:c11-builtin\r\n"
           "gcc_version:%d.%d.%d\r\nprocess_id:%d\r\nprocess_supervised:no\r\nrun_id:%016llx%016llx%08llx\r\n"
           "tcp_port:%d\r\nserver_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
           "hz:%d\r\nconfigured_hz:%d\r\nlru_clock:%lld\r\nexecutable:%s\r\nconfig_file:%s\r\n"
           "io_threads_active:0\r\ntaskkv_version:%s\r\n",
        TASKKV_REDIS_COMPAT_VERSION, u.sysname, u.release, u.machine, (int)(sizeof(long) * 8),
#ifdef __GNUC__
        __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
        0, 0, 0,
#endif
        (int)getpid(), (unsigned long long)srv->start_time * 2654435761ULL, (unsigned long long)getpid(),
        (unsigned long long)(srv->rnd_state & 0xffffffffULL), cv->port, (long long)now_us, uptime,
        uptime / 86400, cv->hz, cv->hz, (long long)((now_us / 1000000) & ((1 << 24) - 1)),
        srv->executable ? srv->executable : "", srv->config_file ? srv->config_file : "", TASKKV_VERSION);
}

static void section_clients(struct server *srv, struct buf *b)
{
    const struct config_values *cv = config_values(srv->cfg);
    unsigned blocked = (unsigned)block_clients(srv->block);
    /* clients held by CLIENT PAUSE count as blocked, without a timeout */
    add(b, "# Clients\r\nconnected_clients:%u\r\ncluster_connections:0\r\nmaxclients:%lld\r\n"
           "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:%u\r\n"
           "tracking_clients:0\r\nclients_in_timeout_table:%u\r\n",
        srv->nclients, (long long)cv->maxclients, blocked + (unsigned)pause_held_clients(srv), blocked);
}

static void section_memory(struct server *srv, struct buf *b)
{
    const struct config_values *cv = config_values(srv->cfg);
    struct mem_report r;
    long long phys = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    char h_used[32], h_rss[32], h_peak[32], h_sys[32], h_max[32], h_lua[32], h_scripts[32];
    mem_report_gather(srv, &r);
    human_bytes(h_used, sizeof(h_used), r.total);
    human_bytes(h_rss, sizeof(h_rss), r.rss);
    human_bytes(h_peak, sizeof(h_peak), r.peak);
    human_bytes(h_sys, sizeof(h_sys), (unsigned long long)phys);
    human_bytes(h_max, sizeof(h_max), (unsigned long long)cv->maxmemory);
    human_bytes(h_lua, sizeof(h_lua), r.lua_vm);
    human_bytes(h_scripts, sizeof(h_scripts), r.lua_caches);
    /* taskkv has no FUNCTION engine: its VM, libraries and caches are 0 */
    add(b, "# Memory\r\nused_memory:%zu\r\nused_memory_human:%s\r\nused_memory_rss:%zu\r\n"
           "used_memory_rss_human:%s\r\nused_memory_peak:%zu\r\nused_memory_peak_human:%s\r\n"
           "used_memory_peak_perc:%.2f%%\r\nused_memory_overhead:%zu\r\nused_memory_startup:%zu\r\n"
           "used_memory_dataset:%zu\r\nused_memory_dataset_perc:%.2f%%\r\nallocator_allocated:%zu\r\n"
           "allocator_active:%zu\r\nallocator_resident:%zu\r\ntotal_system_memory:%lld\r\n"
           "total_system_memory_human:%s\r\n",
        r.total, h_used, r.rss, h_rss, r.peak, h_peak, r.peak_perc, r.overhead, r.startup, r.dataset,
        r.dataset_perc, r.alloc.allocated, r.alloc.active, r.alloc.resident, phys, h_sys);
    add(b, "used_memory_lua:%zu\r\nused_memory_vm_eval:%zu\r\nused_memory_lua_human:%s\r\n"
           "used_memory_scripts_eval:%zu\r\nnumber_of_cached_scripts:%zu\r\nnumber_of_functions:0\r\n"
           "number_of_libraries:0\r\nused_memory_vm_functions:0\r\nused_memory_vm_total:%zu\r\n"
           "used_memory_vm_total_human:%s\r\nused_memory_functions:0\r\nused_memory_scripts:%zu\r\n"
           "used_memory_scripts_human:%s\r\n",
        r.lua_vm, r.lua_vm, h_lua, r.lua_caches, r.nscripts, r.lua_vm, h_lua, r.lua_caches, h_scripts);
    add(b, "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\nallocator_frag_ratio:%.2f\r\n"
           "allocator_frag_bytes:%lld\r\nallocator_rss_ratio:%.2f\r\nallocator_rss_bytes:%lld\r\n"
           "rss_overhead_ratio:%.2f\r\nrss_overhead_bytes:%lld\r\nmem_fragmentation_ratio:%.2f\r\n"
           "mem_fragmentation_bytes:%lld\r\nmem_not_counted_for_evict:%zu\r\nmem_replication_backlog:0\r\n"
           "mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:%zu\r\n"
           "mem_cluster_links:0\r\nmem_aof_buffer:%zu\r\nmem_allocator:%s\r\nactive_defrag_running:0\r\n"
           "lazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
        (long long)cv->maxmemory, h_max, config_value(srv->cfg, "maxmemory-policy"), r.alloc_frag,
        r.alloc_frag_bytes, r.alloc_rss, r.alloc_rss_bytes, r.rss_extra, r.rss_extra_bytes, r.total_frag,
        r.total_frag_bytes, r.aof, r.clients_normal, r.aof, kv_alloc_name());
    mem_report_free(&r);
}

static void section_persistence(struct server *srv, struct buf *b)
{
    char text[2048];
    persist_info(srv, text, sizeof(text));
    add(b, "%s", text);
}

static void section_stats(struct server *srv, struct buf *b)
{
    const struct server_stats *s = &srv->stats;
    const struct kv_stats *ks = kv_stats(srv->ks);
    unsigned long long total_forks;
    long long latest_fork_usec;
    persist_fork_stats(srv, &total_forks, &latest_fork_usec);
    add(b, "# Stats\r\ntotal_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
           "instantaneous_ops_per_sec:%llu\r\ntotal_net_input_bytes:%llu\r\ntotal_net_output_bytes:%llu\r\n"
           "total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:%.2f\r\n"
           "instantaneous_output_kbps:%.2f\r\ninstantaneous_input_repl_kbps:0.00\r\n"
           "instantaneous_output_repl_kbps:0.00\r\nrejected_connections:%llu\r\nsync_full:0\r\n"
           "sync_partial_ok:0\r\nsync_partial_err:0\r\n",
        (unsigned long long)s->connections_received, (unsigned long long)s->commands_processed,
        (unsigned long long)srv->ops.rate, (unsigned long long)s->net_input_bytes,
        (unsigned long long)s->net_output_bytes, srv->net_in.rate / 1024, srv->net_out.rate / 1024,
        (unsigned long long)s->rejected_connections);
    add(b, "expired_keys:%llu\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:%llu\r\n"
           "expire_cycle_cpu_milliseconds:%llu\r\nevicted_keys:%llu\r\nevicted_clients:0\r\n"
           "total_eviction_exceeded_time:%llu\r\ncurrent_eviction_exceeded_time:%llu\r\nkeyspace_hits:%llu\r\n"
           "keyspace_misses:%llu\r\npubsub_channels:%zu\r\npubsub_patterns:%zu\r\npubsubshard_channels:%zu\r\n"
           "latest_fork_usec:%lld\r\ntotal_forks:%llu\r\nmigrate_cached_sockets:0\r\n",
        (unsigned long long)ks->expired_keys, (unsigned long long)s->expire_slices,
        (unsigned long long)(s->expire_cycle_us / 1000), (unsigned long long)ks->evicted_keys,
        (unsigned long long)maxmem_exceeded_total_ms(srv), (unsigned long long)maxmem_exceeded_current_ms(srv),
        (unsigned long long)s->keyspace_hits, (unsigned long long)s->keyspace_misses,
        ps_hub_count(srv->pubsub, PS_CHANNEL), ps_hub_count(srv->pubsub, PS_PATTERN),
        ps_hub_count(srv->pubsub, PS_SHARD), latest_fork_usec, total_forks);
    /* no replicas, defragmenter, client tracking or I/O threads: those
     * counters stay 0; client_output_buffer_limit_disconnections is Redis
     * 7.2's */
    add(b, "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n"
           "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
           "current_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\n"
           "tracking_total_prefixes:0\r\nunexpected_error_replies:%llu\r\ntotal_error_replies:%llu\r\n"
           "dump_payload_sanitizations:0\r\ntotal_reads_processed:%llu\r\ntotal_writes_processed:%llu\r\n"
           "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\n"
           "reply_buffer_expands:0\r\nclient_output_buffer_limit_disconnections:%llu\r\n",
        (unsigned long long)s->unexpected_error_replies, (unsigned long long)s->total_error_replies,
        (unsigned long long)s->reads_processed, (unsigned long long)s->writes_processed,
        (unsigned long long)s->cobl_disconnections);
}

static void section_replication(struct server *srv, struct buf *b)
{
    add(b, "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
           "master_replid:%016llx%016llx%08x\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
           "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
           "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
        (unsigned long long)srv->start_time * 0x9E3779B1ULL, (unsigned long long)getpid() * 0x85EBCA77ULL, 0u);
}

static void section_cpu(struct server *srv, struct buf *b)
{
    struct rusage self, children, main_thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &main_thread);   /* INFO runs on the event loop's thread */
    add(b, "# CPU\r\nused_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\nused_cpu_sys_children:%ld.%06ld\r\n"
           "used_cpu_user_children:%ld.%06ld\r\nused_cpu_sys_main_thread:%ld.%06ld\r\n"
           "used_cpu_user_main_thread:%ld.%06ld\r\n",
        (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec,
        (long)self.ru_utime.tv_usec, (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
        (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec, (long)main_thread.ru_stime.tv_sec,
        (long)main_thread.ru_stime.tv_usec, (long)main_thread.ru_utime.tv_sec, (long)main_thread.ru_utime.tv_usec);
}

/* Walks every command and subcommand with its statistics, in the table's
 * order (Redis walks its command dict: an order of its own). */
struct stats_walk {
    struct server *srv;
    struct buf *b;
    void (*line)(struct stats_walk *w, const char *fullname, const struct cmd_stats *st);
    const char *percentiles;   /* latency-tracking-info-percentiles, read once per INFO */
};

static void walk_one(struct stats_walk *w, const char *name, const char *sub, const struct cmd_def *d)
{
    const struct cmd_stats *st = cmd_stats_of(w->srv->cmds, d);
    char fullname[160];
    if (!st)
        return;
    snprintf(fullname, sizeof(fullname), "%s%s%s", name, sub ? "|" : "", sub ? sub : "");
    w->line(w, fullname, st);
}

static void walk_cb(const struct cmd_def *d, void *arg)
{
    struct stats_walk *w = arg;
    walk_one(w, d->name, NULL, d);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        walk_one(w, d->name, s->name, s);
}

static void walk_stats(struct server *srv, struct buf *b,
                       void (*line)(struct stats_walk *w, const char *fullname, const struct cmd_stats *st))
{
    struct stats_walk w = { srv, b, line, config_value(srv->cfg, "latency-tracking-info-percentiles") };
    cmd_foreach(srv->cmds, walk_cb, &w);
}

static void cmdstat_line(struct stats_walk *w, const char *fullname, const struct cmd_stats *st)
{
    if (!st->calls && !st->rejected && !st->failed)
        return;
    add(w->b, "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu\r\n",
        fullname, (unsigned long long)st->calls, (unsigned long long)st->usec,
        st->calls ? (double)st->usec / (double)st->calls : 0.0, (unsigned long long)st->rejected,
        (unsigned long long)st->failed);
}

static void section_commandstats(struct server *srv, struct buf *b)
{
    add(b, "# Commandstats\r\n");
    walk_stats(srv, b, cmdstat_line);
}

/* latency_percentiles_usec_<command>:p50=...,p99=...: the configured
 * percentiles (latency-tracking-info-percentiles, kept as Redis prints
 * them) of each command that ran while latency-tracking was on. */
static void latencystat_line(struct stats_walk *w, const char *fullname, const struct cmd_stats *st)
{
    const char *p = w->percentiles, *sep = "";
    if (!st->latency)
        return;
    add(w->b, "latency_percentiles_usec_%s:", fullname);
    for (char *end;; p = end, sep = ",") {
        double pct;
        while (*p == ' ')
            p++;
        pct = strtod(p, &end);
        if (end == p)
            break;
        add(w->b, "%sp%.*s=%.3f", sep, (int)(end - p), p, (double)hdrhist_percentile(st->latency, pct) / 1000.0);
    }
    add(w->b, "\r\n");
}

static void section_latencystats(struct server *srv, struct buf *b)
{
    add(b, "# Latencystats\r\n");
    if (config_values(srv->cfg)->latency_tracking)
        walk_stats(srv, b, latencystat_line);
}

static void section_keyspace(struct server *srv, struct buf *b)
{
    add(b, "# Keyspace\r\n");
    for (int db = 0; db < kv_ndb(srv->ks); db++) {
        size_t keys = kv_size(srv->ks, db);
        if (keys)
            add(b, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", db, keys, kv_volatile_count(srv->ks, db),
                (long long)kv_avg_ttl(srv->ks, db, server_clock_ms()));
    }
}

static void section_modules(struct server *srv, struct buf *b) { add(b, "# Modules\r\n"); }

static int errstat_cmp(const void *a, const void *b)
{
    return strcmp(((const struct errstat *)a)->code, ((const struct errstat *)b)->code);
}

/* One line per error code, sorted as Redis' radix tree lists them. */
static void section_errorstats(struct server *srv, struct buf *b)
{
    struct errstat sorted[ERRSTAT_MAX];
    memcpy(sorted, srv->errstats, sizeof(sorted[0]) * (size_t)srv->nerrstats);
    qsort(sorted, (size_t)srv->nerrstats, sizeof(sorted[0]), errstat_cmp);
    add(b, "# Errorstats\r\n");
    for (int i = 0; i < srv->nerrstats; i++)
        add(b, "errorstat_%s:count=%llu\r\n", sorted[i].code, (unsigned long long)sorted[i].count);
}

static void section_cluster(struct server *srv, struct buf *b) { add(b, "# Cluster\r\ncluster_enabled:0\r\n"); }

struct section {
    const char *name;
    void (*fn)(struct server *srv, struct buf *b);
    bool in_default;
};

static const struct section sections[] = {
    { "server", section_server, true },         { "clients", section_clients, true },
    { "memory", section_memory, true },         { "persistence", section_persistence, true },
    { "stats", section_stats, true },           { "replication", section_replication, true },
    { "cpu", section_cpu, true },               { "modules", section_modules, true },
    { "commandstats", section_commandstats, false }, { "errorstats", section_errorstats, true },
    { "latencystats", section_latencystats, false }, { "cluster", section_cluster, true },
    { "keyspace", section_keyspace, true },
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* Decides which sections the arguments ask for (Redis 7.0 takes several,
 * case-insensitively; unknown names are ignored). */
static void pick_sections(struct client *c, bool want[NSECTIONS])
{
    bool any = false;
    for (size_t i = 0; i < NSECTIONS; i++)
        want[i] = false;
    for (int j = 1; j < c->argc; j++) {
        bool all = arg_is(&c->argv[j], "all") || arg_is(&c->argv[j], "everything");
        bool dflt = arg_is(&c->argv[j], "default");
        any = true;
        for (size_t i = 0; i < NSECTIONS; i++)
            if (all || (dflt && sections[i].in_default) || arg_is(&c->argv[j], sections[i].name))
                want[i] = true;
    }
    if (!any)
        for (size_t i = 0; i < NSECTIONS; i++)
            want[i] = sections[i].in_default;
}

static void info_cmd(struct client *c)
{
    bool want[NSECTIONS];
    struct buf b = { kv_xmalloc(4096), 0, 4096 };
    bool first = true;
    pick_sections(c, want);
    b.p[0] = '\0';
    for (size_t i = 0; i < NSECTIONS; i++) {
        if (!want[i])
            continue;
        if (!first)
            add(&b, "\r\n");
        sections[i].fn(c->srv, &b);
        first = false;
    }
    reply_verbatim(&c->out, b.p, b.len, "txt");
    free(b.p);
}

static const struct cmd_def info_cmds[] = {
    { "info", info_cmd, -1, CMD_LOADING | CMD_STALE | CMD_SENTINEL, ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Returns information and statistics about the server.", NULL },
};

const struct cmd_group cmd_group_info = CMD_GROUP("server", info_cmds);
