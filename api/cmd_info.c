/*
 * cmd_info: INFO [section ...] with Redis 7.0's section and field names, plus
 * taskkv_version. Sections: server, clients, memory, persistence, stats,
 * replication, cpu, modules, commandstats, keyspace ("default" is all but
 * commandstats; "all"/"everything" add it). RESP3 gets a verbatim string.
 */
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/maxmemory.h"
#include "api/pause.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/alloc.h"
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
    unsigned long long used = maxmem_used_now(srv), rss = kv_alloc_rss();
    unsigned long long not_counted = maxmem_not_counted(srv);
    unsigned long long overhead = kv_overhead_bytes(srv->ks);
    long long phys = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    char h_used[32], h_rss[32], h_sys[32], h_max[32], h_lua[32];
    size_t lua_bytes, nscripts;
    script_memory(srv, &lua_bytes, &nscripts);
    human_bytes(h_lua, sizeof(h_lua), lua_bytes);
    human_bytes(h_used, sizeof(h_used), used);
    human_bytes(h_rss, sizeof(h_rss), rss);
    human_bytes(h_sys, sizeof(h_sys), (unsigned long long)phys);
    human_bytes(h_max, sizeof(h_max), (unsigned long long)cv->maxmemory);
    add(b, "# Memory\r\nused_memory:%llu\r\nused_memory_human:%s\r\nused_memory_rss:%llu\r\n"
           "used_memory_rss_human:%s\r\nused_memory_peak:%llu\r\nused_memory_overhead:%llu\r\n"
           "used_memory_dataset:%llu\r\ntotal_system_memory:%lld\r\ntotal_system_memory_human:%s\r\n"
           "used_memory_lua:%zu\r\nused_memory_lua_human:%s\r\nnumber_of_cached_scripts:%zu\r\n"
           "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\nmem_fragmentation_ratio:%.2f\r\n"
           "mem_not_counted_for_evict:%llu\r\nmem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\n"
           "mem_clients_slaves:0\r\nmem_clients_normal:%zu\r\nmem_cluster_links:0\r\nmem_aof_buffer:%llu\r\n"
           "mem_allocator:%s\r\nlazyfree_pending_objects:0\r\n",
        used, h_used, rss, h_rss, srv->stats_peak_memory, overhead, used > overhead ? used - overhead : 0, phys,
        h_sys, lua_bytes, h_lua, nscripts, (long long)cv->maxmemory, h_max, config_value(srv->cfg, "maxmemory-policy"), used ? (double)rss / (double)used : 0.0,
        not_counted, maxmem_clients_normal(srv), not_counted, kv_alloc_name());
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
    unsigned long long total_forks;
    long long latest_fork_usec;
    persist_fork_stats(srv, &total_forks, &latest_fork_usec);
    add(b, "# Stats\r\ntotal_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
           "instantaneous_ops_per_sec:%llu\r\ntotal_net_input_bytes:%llu\r\ntotal_net_output_bytes:%llu\r\n"
           "rejected_connections:%llu\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
           "expired_keys:%llu\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:%llu\r\n"
           "evicted_keys:%llu\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:%llu\r\n"
           "current_eviction_exceeded_time:%llu\r\nkeyspace_hits:%llu\r\n"
           "keyspace_misses:%llu\r\npubsub_channels:%zu\r\npubsub_patterns:%zu\r\npubsubshard_channels:%zu\r\n"
           "latest_fork_usec:%lld\r\n"
           "total_forks:%llu\r\nmigrate_cached_sockets:0\r\ntracking_total_keys:0\r\ntotal_error_replies:%llu\r\n"
           "unexpected_error_replies:%llu\r\ntotal_active_defrag_time:0\r\n"
           "client_output_buffer_limit_disconnections:%llu\r\n",
        (unsigned long long)s->connections_received, (unsigned long long)s->commands_processed,
        (unsigned long long)srv->ops_per_sec, (unsigned long long)s->net_input_bytes,
        (unsigned long long)s->net_output_bytes, (unsigned long long)s->rejected_connections,
        (unsigned long long)kv_stats(srv->ks)->expired_keys, (unsigned long long)s->expire_slices,
        (unsigned long long)kv_stats(srv->ks)->evicted_keys, (unsigned long long)maxmem_exceeded_total_ms(srv),
        (unsigned long long)maxmem_exceeded_current_ms(srv), (unsigned long long)s->keyspace_hits, (unsigned long long)s->keyspace_misses,
        ps_hub_count(srv->pubsub, PS_CHANNEL), ps_hub_count(srv->pubsub, PS_PATTERN),
        ps_hub_count(srv->pubsub, PS_SHARD), latest_fork_usec, total_forks, (unsigned long long)s->total_error_replies,
        (unsigned long long)s->unexpected_error_replies, (unsigned long long)s->cobl_disconnections);
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
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    add(b, "# CPU\r\nused_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\nused_cpu_sys_children:%ld.%06ld\r\n"
           "used_cpu_user_children:%ld.%06ld\r\n",
        (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec,
        (long)self.ru_utime.tv_usec, (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
        (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec);
}

struct stats_walk {
    struct server *srv;
    struct buf *b;
};

static void one_cmdstat(struct stats_walk *w, const char *name, const char *sub, const struct cmd_def *d)
{
    const struct cmd_stats *st = cmd_stats_of(w->srv->cmds, d);
    if (!st || (!st->calls && !st->rejected && !st->failed))
        return;
    add(w->b, "cmdstat_%s%s%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu\r\n",
        name, sub ? "|" : "", sub ? sub : "", (unsigned long long)st->calls, (unsigned long long)st->usec,
        st->calls ? (double)st->usec / (double)st->calls : 0.0, (unsigned long long)st->rejected,
        (unsigned long long)st->failed);
}

static void cmdstat_cb(const struct cmd_def *d, void *arg)
{
    struct stats_walk *w = arg;
    one_cmdstat(w, d->name, NULL, d);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        one_cmdstat(w, d->name, s->name, s);
}

static void section_commandstats(struct server *srv, struct buf *b)
{
    struct stats_walk w = { srv, b };
    add(b, "# Commandstats\r\n");
    cmd_foreach(srv->cmds, cmdstat_cb, &w);
}

static void section_keyspace(struct server *srv, struct buf *b)
{
    add(b, "# Keyspace\r\n");
    for (int db = 0; db < kv_ndb(srv->ks); db++) {
        size_t keys = kv_size(srv->ks, db);
        if (keys)
            add(b, "db%d:keys=%zu,expires=%zu,avg_ttl=0\r\n", db, keys, kv_volatile_count(srv->ks, db));
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
    { "errorstats", section_errorstats, true },
    { "commandstats", section_commandstats, false }, { "cluster", section_cluster, true },
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
