/*
 * persist: the snapshot side of persistence in the server - where the file
 * is, synchronous saves (SAVE, SHUTDOWN, DEBUG RELOAD), background saves in
 * a forked child (BGSAVE, `save <seconds> <changes>` rules), loading at
 * start-up, and the figures INFO persistence reports. The file format is
 * engine/snapshot.h's; the commands are in api/cmd_persist.c.
 *
 * A background save forks: the child writes the keyspace as it was at the
 * fork (copy-on-write) to `<dir>/<dbfilename>.tmp-<child pid>` and renames
 * it into place; the parent keeps serving and collects the child's exit
 * status on SIGCHLD (libev's ev_child needs the default loop, which the
 * server does not use), with the once-a-second cron as a fallback.
 */
#ifndef TASKKV_API_PERSIST_H
#define TASKKV_API_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/codec.h"

struct server;
struct persist;

struct persist *persist_create(struct server *srv);
/* Kills a running background save (removing its temporary file). */
void persist_destroy(struct persist *p);

/* `<dir>/<dbfilename>` into buf. */
void persist_path(const struct server *srv, char *buf, size_t cap);
/* The encoding limits from the configuration. */
void persist_limits(const struct server *srv, struct codec_limits *lim);

/* Start-up, before the server listens: checks the snapshot's header and
 * meta and opens the journal (appendonly yes). False (logged, naming the
 * file, which is left untouched) when either cannot be used: the server
 * must not start. The rows themselves are loaded afterwards, in slices
 * from the event loop (snapshot rows, then journal entries replayed),
 * while clients are served: persist_loading() is true until the end,
 * commands without CMD_LOADING get -LOADING, expiry, save rules and the
 * journal wait. Damage found while loading stops the server (exit 1). */
bool persist_load_at_start(struct server *srv);
#define PERSIST_LOADING_ERR "LOADING Redis is loading the dataset in memory"
bool persist_loading(const struct server *srv);
/* True for the whole load, journal replay included (persist_loading is
 * false while the replayed commands run, so that they pass the dispatcher):
 * no eviction then, as Redis while loading. */
bool persist_load_running(const struct server *srv);

/* A synchronous save. False (logged) on failure. */
bool persist_save(struct server *srv);
/* After FLUSHALL, as Redis: a running background save is stopped and, when
 * save rules exist, the (empty) dataset is saved at once, so a restart does
 * not bring the flushed keys back. */
void persist_flushall(struct server *srv);

enum persist_bg { PERSIST_BG_STARTED, PERSIST_BG_IN_PROGRESS, PERSIST_BG_FAILED };
/* Forks a background save (unless one is running). */
enum persist_bg persist_bgsave(struct server *srv);
bool persist_bgsave_running(const struct server *srv);
/* Asks the cron to start a background save as soon as possible. */
void persist_bgsave_schedule(struct server *srv);
/* Stops a running background save (its file is discarded). */
void persist_kill_child(struct server *srv);

/* The server's once-a-second step: collects a finished child, starts a
 * scheduled save or one that a `save` rule calls for. */
void persist_cron(struct server *srv);

/* Shutdown flags (SHUTDOWN's arguments, shutdown-on-sigterm's values). */
enum { PERSIST_SHUTDOWN_SAVE = 1, PERSIST_SHUTDOWN_NOSAVE = 2, PERSIST_SHUTDOWN_FORCE = 8 };
/* Before exiting: stops a background save, then saves when asked to or when
 * save rules exist (unless NOSAVE). False when the save failed and FORCE
 * was not given: the server must keep running. */
bool persist_prepare_shutdown(struct server *srv, unsigned flags);
/* The flags of shutdown-on-sigterm / shutdown-on-sigint for this signal. */
unsigned persist_signal_flags(const struct server *srv, int signum);

/* Redis' stop-writes-on-bgsave-error: true when save rules exist, the
 * option is "yes" and the last background save failed - the dispatcher
 * then refuses write commands and PING with PERSIST_MISCONF_ERR (see also
 * persist_write_error). */
#define PERSIST_MISCONF_ERR                                                                                         \
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands "   \
    "that may modify the data set are disabled, because this instance is configured to report errors during "     \
    "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for "      \
    "details about the RDB error."
bool persist_writes_refused(const struct server *srv);
/* The error write commands (and PING) get now, NULL when they are
 * accepted: PERSIST_MISCONF_ERR after a failed save (as above), else
 * "MISCONF Errors writing to the AOF file: <strerror>" (Redis 7.0's text)
 * while the journal cannot be written (a full or failing disk; the failed
 * rows are retried at every commit and writes resume when one succeeds).
 * buf holds the text when needed. */
const char *persist_write_error(const struct server *srv, char *buf, size_t cap);

/* LASTSAVE: the time of the last successful save (start-up time before). */
long long persist_lastsave(const struct server *srv);

/* INFO: the whole "# Persistence" section (without the trailing blank
 * line), and the fork figures of "# Stats". */
void persist_info(const struct server *srv, char *buf, size_t cap);
void persist_fork_stats(const struct server *srv, unsigned long long *total_forks, long long *latest_fork_usec);

/* Reload for DEBUG RELOAD: loads the snapshot into the current keyspace
 * (merge: replacing keys that exist). False (logged) on failure. */
bool persist_load(struct server *srv, bool merge);

/* ---- the journal (appendonly yes; docs/PERSISTENCE.md "The journal") ----
 * `<dir>/<appendfilename>.sqlite` (engine/journal.h). At start-up
 * (persist_load_at_start) the rows after the snapshot's journal_seq are
 * replayed through a fake client, without keyspace events and without
 * being journaled again. While enabled, every effect the dispatcher or the
 * engine hands to srv->hooks.effect is appended; persist_journal_commit
 * (the before-sleep step, before any reply is written) commits them as one
 * group - durably under appendfsync always. */
void persist_journal_path(const struct server *srv, char *buf, size_t cap);
void persist_journal_commit(struct server *srv);
/* CONFIG SET appendonly / appendfsync: opens (writing a snapshot first) or
 * closes the journal, or changes its fsync policy. False with a reason. */
bool persist_journal_config(struct server *srv, char *reason, size_t reasonlen);
bool persist_journal_enabled(const struct server *srv);
/* BGREWRITEAOF: a background save (the child writes the dataset as of the
 * fork, with journal_seq = the last row appended before it); when it
 * succeeds the rows it holds are deleted from the journal. Clients are
 * served meanwhile. Every successful save folds the journal the same way. */
enum persist_bg persist_bgrewrite(struct server *srv);
bool persist_bgrewrite_running(const struct server *srv);
void persist_bgrewrite_schedule(struct server *srv);
/* Group commits and fsyncs since start (tests, benchmarks). */
void persist_journal_stats(const struct server *srv, unsigned long long *commits, unsigned long long *fsyncs);

#endif
