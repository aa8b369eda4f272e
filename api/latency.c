/*
 * latency: the latency monitor and the per-command latency histograms -
 * LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP.
 *
 * Events: with latency-monitor-threshold > 0 (ms), a sample reaching it is
 * added to its event: "command" ("fast-command" for commands flagged fast)
 * from the dispatcher, "expire-cycle" from the deadline timer's expiry work
 * (api/server.c). Each event keeps its last 160 samples, one per second at
 * most (a second's samples keep their maximum), and its all-time maximum.
 * Events are listed in the order they first occurred (Redis: its hash
 * table's order). HISTORY and GRAPH name events case-sensitively, RESET
 * case-insensitively, as Redis does.
 *
 * DOCTOR writes Redis' report: per event its spike count, integer average,
 * mean deviation, period ((now - oldest sample) / samples) and worst time,
 * then the advice Redis gives for the events present (table `event_advice`,
 * printed in Redis' order; the fork-rate advice is left out: taskkv records
 * no "fork" event), and the transparent-huge-pages advice when the process
 * has anonymous huge pages.
 *
 * Histograms (latency-tracking yes): every call's duration goes into its
 * command's HDR histogram (engine/hdrhist.c, as Redis keeps one: 2
 * significant digits, nanoseconds), which INFO latencystats reads
 * percentiles from. LATENCY HISTOGRAM reports it as Redis' logarithmic
 * iterator does, from 1024 ns, base 2: bucket k covers values up to the
 * highest value equivalent to 1024 << k, i.e. (1032 << k) - 1 ns, reported
 * as that over 1000 in microseconds (1, 2, 4, 8, 16, 33, 66, 132, ...), with
 * the cumulative count, buckets adding nothing left out. Those bounds are
 * sub-bucket bounds of the HDR histogram, so each of its sub-buckets falls
 * in exactly one reported bucket.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/ops.h"
#include "api/reply.h"
#include "api/server.h"
#include "api/sparkline.h"
#include "api/textbuf.h"
#include "engine/alloc.h"
#include "engine/hdrhist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LAT_TS_LEN 160
#define LAT_MAX_EVENTS 16
#define GRAPH_COLUMNS 80
#define GRAPH_ROWS 4

struct lat_sample {
    int64_t time;   /* unix seconds; 0 = empty */
    int64_t ms;
};

struct lat_event {
    char name[32];
    struct lat_sample s[LAT_TS_LEN];
    int idx;        /* next slot */
    int64_t max;
};

struct latency {
    struct lat_event ev[LAT_MAX_EVENTS];
    int n;
};

static struct latency *lat_of(struct server *srv)
{
    if (!srv->latency)
        srv->latency = kv_xcalloc(1, sizeof(*srv->latency));
    return srv->latency;
}

static struct lat_event *find(struct latency *l, const char *name, size_t len)
{
    for (int i = 0; i < l->n; i++)
        if (strlen(l->ev[i].name) == len && memcmp(l->ev[i].name, name, len) == 0)
            return &l->ev[i];
    return NULL;
}

static int64_t now_seconds(void) { return server_clock_ms() / 1000; }

void latency_add_sample(struct server *srv, const char *event, int64_t ms)
{
    long long thr = config_values(srv->cfg)->latency_monitor_threshold;
    struct latency *l;
    struct lat_event *e;
    int64_t now = now_seconds();
    int prev;
    if (thr <= 0 || ms < thr)
        return;
    l = lat_of(srv);
    e = find(l, event, strlen(event));
    if (!e) {
        if (l->n == LAT_MAX_EVENTS)
            return;
        e = &l->ev[l->n++];
        memset(e, 0, sizeof(*e));
        snprintf(e->name, sizeof(e->name), "%s", event);
    }
    if (ms > e->max)
        e->max = ms;
    prev = (e->idx + LAT_TS_LEN - 1) % LAT_TS_LEN;
    if (e->s[prev].time == now) {
        if (ms > e->s[prev].ms)
            e->s[prev].ms = ms;
        return;
    }
    e->s[e->idx].time = now;
    e->s[e->idx].ms = ms;
    e->idx = (e->idx + 1) % LAT_TS_LEN;
}

void latency_free(struct server *srv)
{
    free(srv->latency);
    srv->latency = NULL;
}

/* The event's samples, oldest first (at most LAT_TS_LEN); returns how many. */
static int samples_of(const struct lat_event *e, struct lat_sample *out)
{
    int n = 0;
    for (int j = 0; j < LAT_TS_LEN; j++) {
        const struct lat_sample *s = &e->s[(e->idx + j) % LAT_TS_LEN];
        if (s->time)
            out[n++] = *s;
    }
    return n;
}

/* ---- LATEST, HISTORY, RESET ------------------------------------------------- */

static void latest_cmd(struct client *c)
{
    struct latency *l = lat_of(c->srv);
    reply_array(&c->out, l->n);
    for (int i = 0; i < l->n; i++) {
        struct lat_event *e = &l->ev[i];
        int last = (e->idx + LAT_TS_LEN - 1) % LAT_TS_LEN;
        reply_array(&c->out, 4);
        reply_bulk_cstr(&c->out, e->name);
        reply_int(&c->out, e->s[last].time);
        reply_int(&c->out, e->s[last].ms);
        reply_int(&c->out, e->max);
    }
}

static void history_cmd(struct client *c)
{
    struct lat_event *e = find(lat_of(c->srv), c->argv[2].ptr, c->argv[2].len);
    struct lat_sample s[LAT_TS_LEN];
    int n = e ? samples_of(e, s) : 0;
    reply_array(&c->out, n);
    for (int j = 0; j < n; j++) {
        reply_array(&c->out, 2);
        reply_int(&c->out, s[j].time);
        reply_int(&c->out, s[j].ms);
    }
}

static void remove_at(struct latency *l, int i)
{
    memmove(&l->ev[i], &l->ev[i + 1], (size_t)(l->n - i - 1) * sizeof(l->ev[0]));
    l->n--;
}

/* Removes the events named `name` (any case; all events for NULL). */
static long long reset_events(struct latency *l, const struct resp_arg *name)
{
    long long resets = 0;
    for (int i = l->n - 1; i >= 0; i--)
        if (!name || (strlen(l->ev[i].name) == name->len && !strncasecmp(l->ev[i].name, name->ptr, name->len))) {
            remove_at(l, i);
            resets++;
        }
    return resets;
}

static void reset_cmd(struct client *c)
{
    struct latency *l = lat_of(c->srv);
    long long resets = 0;
    if (c->argc == 2)
        resets = reset_events(l, NULL);
    for (int j = 2; j < c->argc; j++)
        resets += reset_events(l, &c->argv[j]);
    reply_int(&c->out, resets);
}

/* ---- GRAPH -------------------------------------------------------------------- */

/* How long ago a sample is, as the chart's label: 5s, 3m, 2h, 1d. */
static void age_label(int64_t elapsed, char *buf, size_t size)
{
    if (elapsed < 60)
        snprintf(buf, size, "%llds", (long long)elapsed);
    else if (elapsed < 3600)
        snprintf(buf, size, "%lldm", (long long)(elapsed / 60));
    else if (elapsed < 3600 * 24)
        snprintf(buf, size, "%lldh", (long long)(elapsed / 3600));
    else
        snprintf(buf, size, "%lldd", (long long)(elapsed / (3600 * 24)));
}

static void graph_cmd(struct client *c)
{
    struct lat_event *e = find(lat_of(c->srv), c->argv[2].ptr, c->argv[2].len);
    struct lat_sample s[LAT_TS_LEN];
    struct spark_sample spark[LAT_TS_LEN];
    char labels[LAT_TS_LEN][24];
    struct textbuf tb = { 0 };
    int64_t hi = 0, lo = 0, now = now_seconds();
    int n;
    if (!e) {
        reply_errorf(&c->out, "ERR No samples available for event '%.*s'", (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    n = samples_of(e, s);
    for (int j = 0; j < n; j++) {
        if (j == 0 || s[j].ms > hi)
            hi = s[j].ms;
        if (j == 0 || s[j].ms < lo)
            lo = s[j].ms;
        age_label(now - s[j].time, labels[j], sizeof(labels[j]));
        spark[j] = (struct spark_sample){ (double)s[j].ms, labels[j] };
    }
    tb_printf(&tb, "%s - high %llu ms, low %llu ms (all time high %llu ms)\n", e->name, (unsigned long long)hi,
              (unsigned long long)lo, (unsigned long long)e->max);
    for (int j = 0; j < GRAPH_COLUMNS; j++)
        tb_append(&tb, "-", 1);
    tb_append(&tb, "\n", 1);
    sparkline_render(&tb, spark, (size_t)n, GRAPH_COLUMNS, GRAPH_ROWS);
    reply_verbatim(&c->out, tb.p, tb.len, "txt");
    tb_free(&tb);
}

/* ---- DOCTOR ------------------------------------------------------------------- */

/* Redis' advice, in the order it prints it. */
enum advice {
    ADV_SLOWLOG_ENABLED = 1 << 0,
    ADV_SLOWLOG_TUNING = 1 << 1,
    ADV_SLOWLOG_INSPECT = 1 << 2,
    ADV_SCHEDULER = 1 << 3,
    ADV_LOCAL_DISK = 1 << 4,
    ADV_SSD = 1 << 5,
    ADV_DATA_WRITEBACK = 1 << 6,
    ADV_DISK_CONTENTION = 1 << 7,
    ADV_NO_APPENDFSYNC = 1 << 8,
    ADV_RELAX_FSYNC = 1 << 9,
    ADV_WRITE_LOAD = 1 << 10,
    ADV_HZ = 1 << 11,
    ADV_LARGE_OBJECTS = 1 << 12,
    ADV_MASS_EVICTION = 1 << 13,
    ADV_DISABLE_THP = 1 << 14,
};

static const struct {
    const char *event;
    unsigned advice;
} event_advice[] = {
    { "command", ADV_SLOWLOG_INSPECT | ADV_LARGE_OBJECTS },   /* and the slow log's settings, below */
    { "fast-command", ADV_SCHEDULER },
    { "aof-write-pending-fsync", ADV_LOCAL_DISK | ADV_DISK_CONTENTION | ADV_SSD | ADV_DATA_WRITEBACK },
    { "aof-write-active-child", ADV_NO_APPENDFSYNC | ADV_DATA_WRITEBACK | ADV_SSD },
    { "aof-write-alone", ADV_LOCAL_DISK | ADV_DATA_WRITEBACK | ADV_SSD },
    { "aof-fsync-always", ADV_RELAX_FSYNC },
    { "aof-fstat", ADV_DISK_CONTENTION | ADV_LOCAL_DISK },
    { "rdb-unlink-temp-file", ADV_DISK_CONTENTION | ADV_LOCAL_DISK },
    { "aof-rewrite-diff-write", ADV_WRITE_LOAD | ADV_DATA_WRITEBACK | ADV_SSD | ADV_LOCAL_DISK },
    { "aof-rename", ADV_WRITE_LOAD | ADV_DATA_WRITEBACK | ADV_SSD | ADV_LOCAL_DISK },
    { "expire-cycle", ADV_HZ | ADV_LARGE_OBJECTS },
    { "eviction-del", ADV_LARGE_OBJECTS },
    { "eviction-cycle", ADV_MASS_EVICTION },
};

static unsigned advice_for(const struct config_values *cv, const char *event)
{
    unsigned a = 0;
    for (size_t i = 0; i < sizeof(event_advice) / sizeof(event_advice[0]); i++)
        if (!strcasecmp(event, event_advice[i].event))
            a |= event_advice[i].advice;
    if (!strcasecmp(event, "command")) {
        if (cv->slowlog_log_slower_than < 0)
            a |= ADV_SLOWLOG_ENABLED;
        else if (cv->slowlog_log_slower_than / 1000 > cv->latency_monitor_threshold)
            a |= ADV_SLOWLOG_TUNING;
    }
    return a;
}

/* Bytes of anonymous huge pages the process uses (/proc/self/smaps). */
static unsigned long long anon_huge_pages(void)
{
    unsigned long long total = 0, kb;
    char line[256];
    FILE *fp = fopen("/proc/self/smaps", "r");
    if (!fp)
        return 0;
    while (fgets(line, sizeof(line), fp))
        if (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1)
            total += kb * 1024;
    fclose(fp);
    return total;
}

/* "N. event: ..." for one event (Redis' analyzeLatencyForEvent). */
static void doctor_event_line(struct textbuf *tb, int num, const struct lat_event *e, int64_t now)
{
    struct lat_sample s[LAT_TS_LEN];
    int n = samples_of(e, s);
    uint64_t sum = 0, dev = 0, avg;
    int64_t oldest = 0, period;
    for (int j = 0; j < n; j++) {
        sum += (uint64_t)s[j].ms;
        if (!oldest || s[j].time < oldest)
            oldest = s[j].time;
    }
    avg = n ? sum / (uint64_t)n : 0;
    period = n ? now - oldest : 0;
    if (n && period == 0)
        period = 1;
    for (int j = 0; j < n; j++)
        dev += (uint64_t)((int64_t)avg > s[j].ms ? (int64_t)avg - s[j].ms : s[j].ms - (int64_t)avg);
    tb_printf(tb, "%d. %s: %d latency spikes (average %llums, mean deviation %llums, period %.2f sec). Worst all "
              "time event %llums.\n", num, e->name, n, (unsigned long long)avg,
              (unsigned long long)(n ? dev / (uint64_t)n : 0), n ? (double)period / n : 0.0,
              (unsigned long long)e->max);
}

static void doctor_advice(struct textbuf *tb, const struct config_values *cv, unsigned a)
{
    unsigned long long thr_us = (unsigned long long)cv->latency_monitor_threshold * 1000;
    tb_puts(tb, "\nI have a few advices for you:\n\n");
    if (a & ADV_SLOWLOG_ENABLED)
        tb_printf(tb, "- There are latency issues with potentially slow commands you are using. Try to enable the "
                  "Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %llu'. If the Slow "
                  "log is disabled Redis is not able to log slow commands execution for you.\n", thr_us);
    if (a & ADV_SLOWLOG_TUNING)
        tb_printf(tb, "- Your current Slow Log configuration only logs events that are slower than your configured "
                  "latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %llu'.\n", thr_us);
    if (a & ADV_SLOWLOG_INSPECT)
        tb_puts(tb, "- Check your Slow Log to understand what are the commands you are running which are too slow "
                "to execute. Please check https://redis.io/commands/slowlog for more information.\n");
    if (a & ADV_SCHEDULER)
        tb_puts(tb, "- The system is slow to execute Redis code paths not containing system calls. This usually "
                "means the system does not provide Redis CPU time to run for long periods. You should try to:\n"
                "  1) Lower the system load.\n"
                "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n"
                "  3) Check if you have a \"noisy neighbour\" problem.\n"
                "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n"
                "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are "
                "using Jemalloc. However this may create fragmentation problems.\n");
    if (a & ADV_LOCAL_DISK)
        tb_puts(tb, "- It is strongly advised to use local disks for persistence, especially if you are using AOF. "
                "Remote disks provided by platform-as-a-service providers are known to be slow.\n");
    if (a & ADV_SSD)
        tb_puts(tb, "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF "
                "log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). "
                "With extremely high write load SSD disks can be a good option. However Redis should perform "
                "reasonably with high load using normal disks. Use this advice as a last resort.\n");
    if (a & ADV_DATA_WRITEBACK)
        tb_puts(tb, "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to "
                "data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen "
                "that after a hard crash the AOF file will have a half-written command at the end and will require "
                "to be repaired before Redis restarts.\n");
    if (a & ADV_DISK_CONTENTION)
        tb_puts(tb, "- Try to lower the disk contention. This is often caused by other disk intensive processes "
                "running in the same computer (including other Redis instances).\n");
    if (a & ADV_NO_APPENDFSYNC)
        tb_puts(tb, "- Assuming from the point of view of data safety this is viable in your environment, you could "
                "try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while "
                "there is a child rewriting the AOF file or producing an RDB file (the moment where there is high "
                "disk contention).\n");
    if ((a & ADV_RELAX_FSYNC) && cv->appendfsync == CONFIG_FSYNC_ALWAYS)
        tb_puts(tb, "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a "
                "setup, if possible try to relax the fsync policy to 'onesec'.\n");
    if (a & ADV_WRITE_LOAD)
        tb_puts(tb, "- Latency during the AOF atomic rename operation or when the final difference is flushed to "
                "the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the "
                "AOF buffer to get very large. If possible try to send less commands to accomplish the same work, "
                "or use Lua scripts to group multiple operations into a single EVALSHA call.\n");
    if ((a & ADV_HZ) && cv->hz < 100)
        tb_puts(tb, "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
                "configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
    if (a & ADV_LARGE_OBJECTS)
        tb_puts(tb, "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking "
                "operation. If you have very large objects that are often deleted, expired, or evicted, try to "
                "fragment those objects into multiple smaller objects.\n");
    if (a & ADV_MASS_EVICTION)
        tb_puts(tb, "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects "
                "via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations "
                "(RESTORE command), may create sudden memory pressure forcing the server to block trying to evict "
                "keys. \n");
    if (a & ADV_DISABLE_THP)
        tb_puts(tb, "- I detected a non zero amount of anonymous huge pages used by your process. This creates very "
                "serious latency events in different conditions, especially when Redis is persisting on disk. To "
                "disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', "
                "make sure to also add it into /etc/rc.local so that the command will be executed again after a "
                "reboot. Note that even if you have already disabled THP, you still need to restart the Redis "
                "process to get rid of the huge pages already created.\n");
}

static void doctor_report(struct textbuf *tb, struct latency *l, const struct config_values *cv)
{
    unsigned advice = 0;
    int64_t now = now_seconds();
    if (l->n == 0 && cv->latency_monitor_threshold == 0) {
        tb_puts(tb, "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You "
                "may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we "
                "weren't in a deep space mission I'd suggest to take a look at "
                "https://redis.io/topics/latency-monitor.\n");
        return;
    }
    for (int i = 0; i < l->n; i++) {
        if (i == 0)
            tb_puts(tb, "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about "
                    "it, do you Dave?\n\n");
        doctor_event_line(tb, i + 1, &l->ev[i], now);
        advice |= advice_for(cv, l->ev[i].name);
    }
    if (anon_huge_pages() > 0)
        advice |= ADV_DISABLE_THP;
    if (l->n == 0 && !advice)
        tb_puts(tb, "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the "
                "slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things "
                "over.\n");
    else if (!advice)
        tb_puts(tb, "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the "
                "Redis community to get some help, providing this report in your help request.\n");
    else
        doctor_advice(tb, cv, advice);
}

static void doctor_cmd(struct client *c)
{
    struct textbuf tb = { 0 };
    doctor_report(&tb, lat_of(c->srv), config_values(c->srv->cfg));
    reply_verbatim(&c->out, tb.p, tb.len, "txt");
    tb_free(&tb);
}

/* ---- HISTOGRAM ----------------------------------------------------------------- */

void latency_hist_record(struct cmd_stats *s, int64_t dur_us)
{
    /* Redis records the microseconds it measured, in nanoseconds */
    if (!s->latency)
        s->latency = hdrhist_new();
    hdrhist_record(s->latency, dur_us <= 0 ? 0 : dur_us >= 1000000 ? HDRHIST_MAX_NS : (uint64_t)dur_us * 1000);
}

/* Bucket k covers up to (1032 << k) - 1 ns (the last one reaches past
 * HDRHIST_MAX_NS). */
int latency_report_bucket(uint64_t ns)
{
    uint64_t q = ns / 1032;
    int k = q ? 64 - __builtin_clzll(q) : 0;
    return k < LATENCY_REPORT_BUCKETS ? k : LATENCY_REPORT_BUCKETS - 1;
}

long long latency_report_key(int k)
{
    return (long long)(((1032ULL << k) - 1) / 1000);
}

static void add_to_report_bucket(void *arg, uint64_t lowest_ns, uint64_t count)
{
    uint64_t *buckets = arg;
    buckets[latency_report_bucket(lowest_ns)] += count;
}

static int reply_histogram(struct client *c, const struct cmd_def *parent, const struct cmd_def *d)
{
    const struct cmd_stats *s = cmd_stats_of(c->srv->cmds, d);
    uint64_t counts[LATENCY_REPORT_BUCKETS] = {0}, cum = 0;
    char name[160];
    int buckets = 0;
    if (!s || !s->latency || !hdrhist_total(s->latency))
        return 0;
    hdrhist_foreach(s->latency, add_to_report_bucket, counts);
    for (int k = 0; k < LATENCY_REPORT_BUCKETS; k++)
        buckets += counts[k] != 0;
    snprintf(name, sizeof(name), "%s%s%s", parent ? parent->name : "", parent ? "|" : "", d->name);
    reply_bulk_cstr(&c->out, name);
    reply_map(&c->out, 2);
    reply_bulk_cstr(&c->out, "calls");
    reply_int(&c->out, (long long)hdrhist_total(s->latency));
    reply_bulk_cstr(&c->out, "histogram_usec");
    reply_map(&c->out, buckets);
    for (int k = 0; k < LATENCY_REPORT_BUCKETS; k++) {
        if (!counts[k])
            continue;
        cum += counts[k];
        reply_int(&c->out, latency_report_key(k));
        reply_int(&c->out, (long long)cum);
    }
    return 1;
}

/* A command's histogram, or each of its subcommands' for a container. */
static long long reply_command_histograms(struct client *c, const struct cmd_def *d)
{
    long long n = 0;
    if (!d->subs)
        return reply_histogram(c, NULL, d);
    for (const struct cmd_def *s = d->subs; s->name; s++)
        n += reply_histogram(c, d, s);
    return n;
}

struct hist_walk {
    struct client *c;
    long long n;
};

static void histogram_of_each(const struct cmd_def *d, void *arg)
{
    struct hist_walk *w = arg;
    w->n += reply_command_histograms(w->c, d);
}

/* A name as LATENCY HISTOGRAM takes it: "get", "config" (its subcommands)
 * or "config|get"; returns how many histograms it wrote. */
static long long reply_named_histograms(struct client *c, const struct resp_arg *a)
{
    const char *bar = a->len ? memchr(a->ptr, '|', a->len) : NULL;
    const struct cmd_def *d;
    size_t sublen;
    if (!bar)
        return (d = cmd_lookup(c->srv->cmds, a->ptr, a->len)) ? reply_command_histograms(c, d) : 0;
    d = cmd_lookup(c->srv->cmds, a->ptr, (size_t)(bar - a->ptr));
    sublen = a->len - (size_t)(bar - a->ptr) - 1;
    if (!d || !d->subs || memchr(bar + 1, '|', sublen))
        return 0;
    for (const struct cmd_def *s = d->subs; s->name; s++)
        if (strlen(s->name) == sublen && !strncasecmp(s->name, bar + 1, sublen))
            return reply_histogram(c, d, s);
    return 0;
}

static void histogram_cmd(struct client *c)
{
    void *len = reply_defer(&c->out);
    struct hist_walk w = { c, 0 };
    if (c->argc == 2)
        cmd_foreach(c->srv->cmds, histogram_of_each, &w);
    for (int j = 2; j < c->argc; j++)
        w.n += reply_named_histograms(c, &c->argv[j]);
    reply_set_map(&c->out, len, w.n);
}

static void help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

#define LAT_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define LAT_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)
static const struct cmd_def latency_subs[] = {
    { "doctor", doctor_cmd, 2, LAT_FLAGS, LAT_ACL, 0, 0, 0, "Returns a human-readable latency analysis report.", NULL },
    { "graph", graph_cmd, 3, LAT_FLAGS, LAT_ACL, 0, 0, 0, "Returns a latency graph for an event.", NULL },
    { "history", history_cmd, 3, LAT_FLAGS, LAT_ACL, 0, 0, 0, "Returns timestamp-latency samples for an event.",
      NULL },
    { "latest", latest_cmd, 2, LAT_FLAGS, LAT_ACL, 0, 0, 0, "Returns the latest latency samples for all events.",
      NULL },
    { "reset", reset_cmd, -2, LAT_FLAGS, LAT_ACL, 0, 0, 0, "Resets the latency data for one or more events.",
      NULL },
    { "histogram", histogram_cmd, -2, LAT_FLAGS, LAT_ACL, 0, 0, 0,
      "Return the cumulative distribution of latencies of a subset of commands or all.", NULL },
    { "help", help_cmd, 2, CMD_STALE | CMD_LOADING, ACL_SLOW, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def latency_cmds[] = {
    { "latency", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for latency diagnostics commands.", latency_subs },
};

const struct cmd_group cmd_group_latency = CMD_GROUP("server", latency_cmds);
