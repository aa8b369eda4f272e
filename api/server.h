/*
 * server: the one object that owns everything - event loop, configuration,
 * time index, keyspace, command table, listeners and clients. Handlers reach
 * it through their client (c->srv); there is no global mutable state.
 *
 * server.c wires the engine's hooks (engine/event.h) to the modules and runs
 * the loop's "before sleep" step: serve unblocked clients, flush replies
 * straight to sockets (a write watcher only for sockets that would block),
 * and re-arm the one timer at the time index's earliest deadline.
 */
#ifndef TASKKV_API_SERVER_H
#define TASKKV_API_SERVER_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "engine/event.h"

struct client;
struct config;
struct cmd_table;
struct kv_space;
struct timeidx;
struct block_state;
struct ps_hub;
struct watch_registry;
struct script_state;
struct persist;
struct maxmem;
struct pause_state;

#define TASKKV_VERSION "0.1.0"
/* The newest Redis whose client-visible, version-gated features taskkv has
 * (see ../docs/DESIGN-NOTES.md): clients switch features on by it. */
#define TASKKV_REDIS_COMPAT_VERSION "7.0.15"

#define ERRSTAT_MAX 128              /* distinct error codes tracked, as Redis */
#define ERRSTAT_CODE 32

struct errstat {
    char code[ERRSTAT_CODE];
    uint64_t count;
};

struct server_stats {
    uint64_t connections_received;
    uint64_t commands_processed;
    uint64_t rejected_connections;
    uint64_t keyspace_hits, keyspace_misses;
    uint64_t net_input_bytes, net_output_bytes;
    uint64_t expire_slices;       /* timer callbacks that hit their budget */
    uint64_t total_error_replies;
    uint64_t unexpected_error_replies;
    uint64_t cobl_disconnections;   /* client_output_buffer_limit_disconnections */
    uint64_t reads_processed, writes_processed;   /* read events, flushes with output */
    uint64_t expire_cycle_us;       /* time in the deadline timer's due work */
};

/* A per-second rate of a growing counter, sampled by the cron. */
struct inst_metric {
    uint64_t last;
    int64_t last_ms;
    double rate;
};

/* Test and module hooks for what every write produces (journal and
 * replication consume `effect`: the MULTI and EXEC around a transaction's
 * or script's effects come with db -1, "no database"; pubsub consumes `notify`; WATCH and blocking
 * consume `changed`). */
struct server_hooks {
    void *ctx;
    void (*effect)(void *ctx, int db, int argc, const struct kv_arg *argv);
    void (*notify)(void *ctx, int cls, const char *event, int db, const char *key, size_t klen);
    void (*changed)(void *ctx, int db, const char *key, size_t klen);
    void (*flushing)(void *ctx, int db);
    void (*swapped)(void *ctx, int a, int b);
};

struct listener {
    ev_io io;
    int fd;
    bool unix_socket;
};

struct server {
    struct ev_loop *loop;
    struct config *cfg;
    struct timeidx *ti;
    struct kv_space *ks;
    struct cmd_table *cmds;
    struct server_hooks hooks;
    struct block_state *block;   /* blocked clients (api/block.c) */
    struct pause_state *pause;   /* CLIENT PAUSE and the clients it holds (api/pause.c) */
    struct ps_hub *pubsub;       /* subscriptions (pubsub/hub.c) */
    struct watch_registry *watch; /* WATCHed keys (api/multi.c) */
    struct script_state *script; /* Lua scripting (api/script.c), created on first use */
    struct persist *persist;     /* snapshots: saves, BGSAVE child, load (api/persist.c) */
    struct maxmem *maxmem;       /* eviction and memory figures (api/maxmemory.c) */
    unsigned long long maxmemory; /* the limit, 0 = none: the dispatcher's one test */
    int notify_flags;            /* notify-keyspace-events as NOTIFY_* classes */
    int call_depth;              /* nested dispatch (EXEC, scripts, retries) */
    /* operations (api/ops.h): cmd_call hands a command to ops_after_call
     * when its duration is at least ops_min_us (0 while a client MONITORs,
     * INT64_MAX when slowlog, latency monitor and MONITOR are all off) */
    int64_t ops_min_us;
    unsigned monitors;           /* clients in MONITOR mode (an upper bound: recounted when fed) */
    struct slowlog *slowlog;     /* api/slowlog.c */
    struct latency *latency;     /* api/latency.c */

    struct listener listeners[17];
    int nlisteners;
    ev_timer deadline_timer;     /* armed at the time index's earliest deadline */
    int64_t armed_deadline;      /* the deadline it is armed for, INT64_MAX if none */
    ev_prepare before_sleep;
    ev_timer cron;               /* once a second: rehash, stats, idle clients */
    ev_signal sigterm, sigint;

    struct client *clients;      /* doubly linked, newest first */
    unsigned nclients;
    struct client *pending;      /* clients with output to flush, singly linked */
    uint64_t next_client_id;

    int64_t now_ms;              /* clock read for the running command */
    long long dirty;             /* changes since start (for INFO / SAVE later) */
    long long cmd_changes;       /* changes made by commands (cmd_dirty): decides propagation */
    long long cmd_propagated;    /* cmd_changes when last propagated */
    int exec_wrap;               /* EXEC running: 1 before its first effect, 2 after (MULTI sent) */
    time_t start_time;
    struct server_stats stats;
    struct errstat errstats[ERRSTAT_MAX];   /* INFO errorstats, in arrival order */
    int nerrstats;
    unsigned long long stats_peak_memory;
    struct inst_metric ops, net_in, net_out;   /* sampled by the cron */
    uint64_t rnd_state;
    bool shutdown_asap;
    bool hold_replies;           /* appendfsync always and the journal cannot commit (api/persist.c) */
    int pending_signal;          /* SIGTERM/SIGINT received while a script was busy */
    int exit_code;
    char *executable;
    char *config_file;
};

/* Builds a server from a loaded configuration (taken over) without opening
 * sockets: tests drive it through fake clients. */
struct server *server_create(struct config *cfg);
void server_destroy(struct server *srv);

/* Opens the listeners; returns false and logs on failure. */
bool server_listen(struct server *srv);
/* Runs the loop until SHUTDOWN or a signal; returns the process exit code. */
int server_run(struct server *srv);

/* Wall-clock Unix milliseconds / microseconds. */
int64_t server_clock_ms(void);
int64_t server_clock_us(void);

/* Re-arms the deadline timer if the time index's earliest deadline moved. */
void server_deadline_changed(struct server *srv);
uint64_t server_random(struct server *srv);

/* Counts one error reply under its code (reply.h's on_error hook). */
void server_count_error(void *srv, const char *code, size_t len);

/* Closes every client (server shutdown). */
void server_close_clients(struct server *srv);

#endif
