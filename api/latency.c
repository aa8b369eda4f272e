/*
 * The latency monitor: LATENCY LATEST / HISTORY / RESET / DOCTOR / GRAPH /
 * HELP. With latency-monitor-threshold > 0 (ms), a command running at least
 * that long adds a sample to the "command" event ("fast-command" for
 * commands flagged fast). Each event keeps its last 160 samples, one per
 * second at most (a second's samples keep their maximum), and its all-time
 * maximum.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/ops.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAT_TS_LEN 160
#define LAT_MAX_EVENTS 16

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

void latency_add_sample(struct server *srv, const char *event, int64_t ms)
{
    long long thr = config_values(srv->cfg)->latency_monitor_threshold;
    struct latency *l;
    struct lat_event *e;
    int64_t now = server_clock_ms() / 1000;
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

static int samples_of(const struct lat_event *e)
{
    int n = 0;
    for (int i = 0; i < LAT_TS_LEN; i++)
        if (e->s[i].time)
            n++;
    return n;
}

static void history_cmd(struct client *c)
{
    struct lat_event *e = find(lat_of(c->srv), c->argv[2].ptr, c->argv[2].len);
    if (!e) {
        reply_array(&c->out, 0);
        return;
    }
    reply_array(&c->out, samples_of(e));
    for (int j = 0; j < LAT_TS_LEN; j++) {
        const struct lat_sample *s = &e->s[(e->idx + j) % LAT_TS_LEN];
        if (!s->time)
            continue;
        reply_array(&c->out, 2);
        reply_int(&c->out, s->time);
        reply_int(&c->out, s->ms);
    }
}

static void remove_at(struct latency *l, int i)
{
    memmove(&l->ev[i], &l->ev[i + 1], (size_t)(l->n - i - 1) * sizeof(l->ev[0]));
    l->n--;
}

static void reset_cmd(struct client *c)
{
    struct latency *l = lat_of(c->srv);
    long long resets = 0;
    if (c->argc == 2) {
        resets = l->n;
        l->n = 0;
    } else {
        for (int j = 2; j < c->argc; j++)
            for (int i = 0; i < l->n; i++)
                if (strlen(l->ev[i].name) == c->argv[j].len &&
                    memcmp(l->ev[i].name, c->argv[j].ptr, c->argv[j].len) == 0) {
                    remove_at(l, i);
                    resets++;
                    break;
                }
    }
    reply_int(&c->out, resets);
}

static void graph_cmd(struct client *c)
{
    struct lat_event *e = find(lat_of(c->srv), c->argv[2].ptr, c->argv[2].len);
    char buf[256];
    int64_t hi = 0, lo = -1;
    int n;
    if (!e) {
        reply_errorf(&c->out, "ERR No samples available for event '%.*s'", (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    for (int i = 0; i < LAT_TS_LEN; i++)
        if (e->s[i].time) {
            if (e->s[i].ms > hi)
                hi = e->s[i].ms;
            if (lo < 0 || e->s[i].ms < lo)
                lo = e->s[i].ms;
        }
    /* the header as Redis writes it; the chart below it is simplified */
    n = snprintf(buf, sizeof(buf),
                 "%s - high %lld ms, low %lld ms (all time high %lld ms)\n"
                 "--------------------------------------------------------------------------------\n",
                 e->name, (long long)hi, (long long)(lo < 0 ? 0 : lo), (long long)e->max);
    reply_verbatim(&c->out, buf, (size_t)n, "txt");
}

static void doctor_cmd(struct client *c)
{
    struct latency *l = lat_of(c->srv);
    long long thr = config_values(c->srv->cfg)->latency_monitor_threshold;
    char *out;
    size_t len = 0, cap = 4096 + (size_t)l->n * 256;
    bool cmd_seen = false;
    out = kv_xmalloc(cap);
    if (l->n == 0 && thr == 0) {
        len = (size_t)snprintf(out, cap, "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this "
                                        "Redis instance. You may use \"CONFIG SET latency-monitor-threshold "
                                        "<milliseconds>.\" in order to enable it. If we weren't in a deep space "
                                        "mission I'd suggest to take a look at "
                                        "https://redis.io/topics/latency-monitor.\n");
    } else if (l->n == 0) {
        len = (size_t)snprintf(out, cap, "Dave, no latency spike was observed during the lifetime of this Redis "
                                        "instance, not in the slightest bit. I honestly think you ought to sit "
                                        "down calmly, take a stress pill, and think things over.\n");
    } else {
        len = (size_t)snprintf(out, cap, "Dave, I have observed latency spikes in this Redis instance. You don't "
                                        "mind talking about it, do you Dave?\n\n");
        for (int i = 0; i < l->n; i++) {
            struct lat_event *e = &l->ev[i];
            int64_t sum = 0, mint = 0, maxt = 0;
            int n = 0;
            double avg, dev = 0, period;
            for (int j = 0; j < LAT_TS_LEN; j++)
                if (e->s[j].time) {
                    sum += e->s[j].ms;
                    if (!mint || e->s[j].time < mint)
                        mint = e->s[j].time;
                    if (e->s[j].time > maxt)
                        maxt = e->s[j].time;
                    n++;
                }
            avg = n ? (double)sum / n : 0;
            for (int j = 0; j < LAT_TS_LEN; j++)
                if (e->s[j].time)
                    dev += e->s[j].ms > avg ? e->s[j].ms - avg : avg - e->s[j].ms;
            dev = n ? dev / n : 0;
            period = n > 1 ? (double)(maxt - mint) / (n - 1) : 1.0;
            len += (size_t)snprintf(out + len, cap - len,
                                    "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f "
                                    "sec). Worst all time event %lums.\n",
                                    i + 1, e->name, n, (unsigned long)avg, (unsigned long)dev, period,
                                    (unsigned long)e->max);
            if (strcmp(e->name, "command") == 0 || strcmp(e->name, "fast-command") == 0)
                cmd_seen = true;
        }
        len += (size_t)snprintf(out + len, cap - len, "\nI have a few advices for you:\n\n");
        if (cmd_seen)
            len += (size_t)snprintf(out + len, cap - len,
                                    "- Check your Slow Log to understand what are the commands you are running "
                                    "which are too slow to execute. Please check https://redis.io/commands/slowlog "
                                    "for more information.\n"
                                    "- Deleting, expiring or evicting (because of maxmemory policy) large objects "
                                    "is a blocking operation. If you have very large objects that are often "
                                    "deleted, expired, or evicted, try to fragment those objects into multiple "
                                    "smaller objects.\n");
        len += (size_t)snprintf(out + len, cap - len, "\n");
    }
    reply_verbatim(&c->out, out, len, "txt");
    free(out);
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
    { "help", help_cmd, 2, CMD_STALE | CMD_LOADING, ACL_SLOW, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def latency_cmds[] = {
    { "latency", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for latency diagnostics commands.", latency_subs },
};

const struct cmd_group cmd_group_latency = CMD_GROUP("server", latency_cmds);
