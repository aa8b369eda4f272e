/*
 * ops: MONITOR (api/monitor.c), SLOWLOG (api/slowlog.c) and the latency
 * monitor (api/latency.c), fed by the dispatcher.
 *
 * cmd_call() computes each command's duration; when it is at least
 * srv->ops_min_us it calls ops_after_call(), which feeds the monitors, the
 * slow log and the latency events. ops_refresh() recomputes ops_min_us from
 * the configuration and the number of monitors (server start, CONFIG SET,
 * MONITOR, RESET, monitors leaving).
 */
#ifndef TASKKV_API_OPS_H
#define TASKKV_API_OPS_H

#include <stdbool.h>
#include <stdint.h>

struct client;
struct server;
struct cmd_def;
struct resp_arg;
struct cmd_stats;

void ops_refresh(struct server *srv);
void ops_destroy(struct server *srv);
void ops_after_call(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, int64_t start_us,
                    int64_t dur_us);

/* MONITOR: the line for one command to every monitor (EVAL and friends are
 * fed before they run, as Redis does; Lua's calls show as "[db lua]"). */
void monitor_feed(struct client *c, int argc, const struct resp_arg *argv);
/* Whether a client in MONITOR mode may not run d ("Replica can't interact
 * with the keyspace"). */
bool monitor_refuses(const struct cmd_def *d);
/* Whether argument i of this command is shown as "(redacted)". */
bool ops_redacted(const struct cmd_def *d, const struct cmd_def *parent, int argc, const struct resp_arg *argv,
                  int i);

void slowlog_push(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, int64_t start_us,
                  int64_t dur_us);
void slowlog_free(struct server *srv);

/* Adds a sample of `ms` milliseconds to `event` if the threshold is on and
 * ms reaches it. */
void latency_add_sample(struct server *srv, const char *event, int64_t ms);
void latency_free(struct server *srv);
/* Counts one call of `dur_us` microseconds in the command's latency
 * histogram (LATENCY HISTOGRAM, INFO latencystats). */
void latency_hist_record(struct cmd_stats *s, int64_t dur_us);

/* LATENCY HISTOGRAM's buckets: the one a value of `ns` is reported in
 * (0 .. LATENCY_REPORT_BUCKETS - 1), and the key Redis shows for it. */
#define LATENCY_REPORT_BUCKETS 21
int latency_report_bucket(uint64_t ns);
long long latency_report_key(int k);

#endif
