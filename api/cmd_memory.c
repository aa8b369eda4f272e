/*
 * cmd_memory: MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP,
 * with Redis 7.0's replies: its field names and order, its doctor's texts
 * and thresholds; the figures are taskkv's own.
 *
 * The figures are api/memreport.h's (shared with INFO memory). A key's
 * usage is engine/memusage.h's estimate.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/maxmemory.h"
#include "api/memreport.h"
#include "api/reply.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/memusage.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- MEMORY STATS -------------------------------------------------------------- */

static void field_int(struct reply *out, const char *name, long long v)
{
    reply_bulk_cstr(out, name);
    reply_int(out, v);
}

static void field_double(struct reply *out, const char *name, double v)
{
    reply_bulk_cstr(out, name);
    reply_double(out, v);
}

static void memory_stats_cmd(struct client *c)
{
    struct mem_report r;
    struct reply *out = &c->out;
    mem_report_gather(c->srv, &r);
    reply_map(out, 27 + r.ndbs);
    field_int(out, "peak.allocated", (long long)r.peak);
    field_int(out, "total.allocated", (long long)r.total);
    field_int(out, "startup.allocated", (long long)r.startup);
    field_int(out, "replication.backlog", 0);
    field_int(out, "clients.slaves", 0);
    field_int(out, "clients.normal", (long long)r.clients_normal);
    field_int(out, "cluster.links", 0);
    field_int(out, "aof.buffer", (long long)r.aof);
    field_int(out, "lua.caches", (long long)r.lua_caches);
    field_int(out, "functions.caches", 0);
    for (int i = 0; i < r.ndbs; i++) {
        char name[32];
        snprintf(name, sizeof(name), "db.%d", r.dbs[i].db);
        reply_bulk_cstr(out, name);
        reply_map(out, 3);
        field_int(out, "overhead.hashtable.main", (long long)r.dbs[i].main);
        field_int(out, "overhead.hashtable.expires", (long long)r.dbs[i].expires);
        field_int(out, "overhead.hashtable.slot-to-keys", 0);
    }
    field_int(out, "overhead.total", (long long)r.overhead);
    field_int(out, "keys.count", (long long)r.keys);
    field_int(out, "keys.bytes-per-key", (long long)r.bytes_per_key);
    field_int(out, "dataset.bytes", (long long)r.dataset);
    field_double(out, "dataset.percentage", r.dataset_perc);
    field_double(out, "peak.percentage", r.peak_perc);
    field_int(out, "allocator.allocated", (long long)r.alloc.allocated);
    field_int(out, "allocator.active", (long long)r.alloc.active);
    field_int(out, "allocator.resident", (long long)r.alloc.resident);
    field_double(out, "allocator-fragmentation.ratio", r.alloc_frag);
    field_int(out, "allocator-fragmentation.bytes", r.alloc_frag_bytes);
    field_double(out, "allocator-rss.ratio", r.alloc_rss);
    field_int(out, "allocator-rss.bytes", r.alloc_rss_bytes);
    field_double(out, "rss-overhead.ratio", r.rss_extra);
    field_int(out, "rss-overhead.bytes", r.rss_extra_bytes);
    field_double(out, "fragmentation", r.total_frag);
    field_int(out, "fragmentation.bytes", r.total_frag_bytes);
    mem_report_free(&r);
}

/* ---- MEMORY DOCTOR -------------------------------------------------------------- */

#define MB (1024LL * 1024)

static const char doctor_empty[] =
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these "
    "conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back "
    "to our programming as soon as I finished rebooting.\n";
static const char doctor_fine[] =
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
static const char doctor_intro[] = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
static const char doctor_outro[] = "I'm here to keep you safe, Sam. I want to help you.\n";

/* Redis' checks, in its order; each text ends with a blank line. */
static const char doctor_peak[] =
    " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The "
    "allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation "
    "ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance "
    "Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the "
    "Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, "
    "please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the "
    "instance.\n\n";
static const char doctor_frag[] =
    " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that "
    "the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis "
    "performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry "
    "above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the "
    "problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc "
    "allocator and not the default libc malloc. Note: The currently used allocator is \"%s\".\n\n";
static const char doctor_alloc_frag[] =
    " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This "
    "problem is usually due either to a large peak memory (check if there is a peak memory entry above in the "
    "report) or may result from a workload that causes the allocator to fragment memory a lot. You can try "
    "enabling 'activedefrag' config option.\n\n";
static const char doctor_alloc_rss[] =
    " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that "
    "the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This "
    "problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), "
    "you can try the MEMORY PURGE command to reclaim it.\n\n";
static const char doctor_proc_rss[] =
    " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this "
    "means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This "
    "problem may be due to Lua scripts or Modules.\n\n";
static const char doctor_client_buf[] =
    " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on "
    "average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not "
    "receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending "
    "commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT "
    "LIST command in order to investigate the issue if it causes problems in your instance, or to understand "
    "better why certain clients are using a big amount of memory.\n\n";
static const char doctor_scripts[] =
    " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because "
    "scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and "
    "`EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of "
    "your memory.\n\n";

struct text {
    char *p;
    size_t len;
};

static void text_add(struct text *t, const char *s)
{
    size_t n = strlen(s);
    t->p = kv_xrealloc(t->p, t->len + n + 1);
    memcpy(t->p + t->len, s, n + 1);
    t->len += n;
}

static bool over(double ratio_v, long long bytes, double limit) { return ratio_v > limit && bytes > 10 * MB; }

static void memory_doctor_cmd(struct client *c)
{
    struct mem_report r;
    struct text t = { NULL, 0 };
    unsigned nclients = c->srv->nclients ? c->srv->nclients : 1;
    char frag[sizeof(doctor_frag) + 64];
    mem_report_gather(c->srv, &r);
    mem_report_free(&r);
    if (r.total < 5 * MB) {
        reply_verbatim(&c->out, doctor_empty, sizeof(doctor_empty) - 1, "txt");
        return;
    }
    snprintf(frag, sizeof(frag), doctor_frag, kv_alloc_name());
    text_add(&t, doctor_intro);
    if ((double)r.peak / (double)r.total > 1.5)
        text_add(&t, doctor_peak);
    if (over(r.total_frag, r.total_frag_bytes, 1.4))
        text_add(&t, frag);
    if (over(r.alloc_frag, r.alloc_frag_bytes, 1.1))
        text_add(&t, doctor_alloc_frag);
    if (over(r.alloc_rss, r.alloc_rss_bytes, 1.1))
        text_add(&t, doctor_alloc_rss);
    if (over(r.rss_extra, r.rss_extra_bytes, 1.1))
        text_add(&t, doctor_proc_rss);
    if (r.clients_normal / nclients > 200 * 1024)
        text_add(&t, doctor_client_buf);
    if (r.nscripts > 1000)
        text_add(&t, doctor_scripts);
    if (t.len == sizeof(doctor_intro) - 1) {
        reply_verbatim(&c->out, doctor_fine, sizeof(doctor_fine) - 1, "txt");
    } else {
        text_add(&t, doctor_outro);
        reply_verbatim(&c->out, t.p, t.len, "txt");
    }
    free(t.p);
}

/* ---- MEMORY USAGE, MALLOC-STATS, PURGE, HELP ------------------------------------- */

static void memory_usage_cmd(struct client *c)
{
    long long samples = 5;   /* Redis' OBJ_COMPUTE_SIZE_DEF_SAMPLES */
    struct kv_entry *e;
    for (int j = 3; j < c->argc; j++) {
        if (!arg_opt_is(&c->argv[j], "samples") || j + 1 >= c->argc) {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
        if (!arg_ll_or_reply(c, &c->argv[++j], &samples))
            return;
        if (samples < 0) {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
        if (samples == 0)
            samples = LLONG_MAX;
    }
    /* as Redis' dbFind: no expiry, no statistics, no access-time update */
    e = kv_peek(c->srv->ks, c->db, c->argv[2].ptr, c->argv[2].len);
    if (!e)
        reply_null(&c->out);
    else
        reply_int(&c->out, (long long)kv_entry_mem_estimate(e, samples == LLONG_MAX ? SIZE_MAX : (size_t)samples));
}

static void stats_piece(void *ctx, const char *text) { text_add(ctx, text); }

static void memory_malloc_stats_cmd(struct client *c)
{
    struct text t = { NULL, 0 };
    if (!kv_alloc_stats_print(stats_piece, &t)) {
        reply_simple(&c->out, "Stats not supported for the current allocator");
        return;
    }
    reply_verbatim(&c->out, t.p ? t.p : "", t.len, "txt");
    free(t.p);
}

static void memory_purge_cmd(struct client *c)
{
    if (kv_alloc_purge())
        reply_ok(&c->out);
    else
        reply_error(&c->out, "ERR Error purging dirty pages");
}

static void memory_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct cmd_def memory_subs[] = {
    { "stats", memory_stats_cmd, 2, 0, ACL_SLOW, 0, 0, 0, "Show memory usage details", NULL },
    { "doctor", memory_doctor_cmd, 2, 0, ACL_SLOW, 0, 0, 0, "Outputs memory problems report", NULL },
    { "purge", memory_purge_cmd, 2, 0, ACL_SLOW, 0, 0, 0, "Ask the allocator to release memory", NULL },
    { "help", memory_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW, 0, 0, 0,
      "Show helpful text about the different subcommands", NULL },
    { "usage", memory_usage_cmd, -3, CMD_READONLY, ACL_READ | ACL_SLOW, 2, 2, 1, "Estimate the memory usage of a key",
      NULL },
    { "malloc-stats", memory_malloc_stats_cmd, 2, 0, ACL_SLOW, 0, 0, 0, "Show allocator internal stats", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def memory_cmds[] = {
    { "memory", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for memory diagnostics commands", memory_subs },
};

const struct cmd_group cmd_group_memory = CMD_GROUP("server", memory_cmds);
