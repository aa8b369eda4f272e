/*
 * maxmemory: enforcing `maxmemory` as Redis 7.0 does, around the engine's
 * evictor (engine/evict.h), and the memory figures INFO and MEMORY report.
 *
 * Used memory is the allocator's count (kv_alloc_used_fast: a pointer read
 * with jemalloc) minus what Redis does not count either: persistence
 * buffers (here sqlite's memory: the journal's page cache, Redis' AOF
 * buffer; there are no replication buffers). When it passes the limit,
 * maxmem_evict() evicts keys by maxmemory-policy until the excess measured
 * at the start is freed, for at most the time maxmemory-eviction-tenacity
 * allows (Redis' formula: 50 us per step up to 10, then 15% more per
 * step, unlimited at 100); what is left is evicted by a timer that runs
 * again in every loop iteration until done (Redis' eviction time proc).
 *
 * When: before every command (the dispatcher, through
 * maxmem_allowed_or_reply, only when srv->maxmemory is set: one test on the
 * common path), by the once-a-second cron, and at once when CONFIG SET
 * lowers maxmemory. Never while loading, nor while a script runs past
 * busy-reply-threshold (its writes and the evictions must not interleave);
 * a blocked command served when its key changes is not checked again.
 *
 * Refusals, Redis 7.0's rules: when eviction cannot bring memory under the
 * limit (noeviction, or nothing evictable), commands flagged denyoom, every
 * command queued in MULTI (EXEC, DISCARD, QUIT and RESET excepted), EXEC of
 * a transaction holding a denyoom command, and EVAL / EVALSHA of a script
 * whose shebang flags make it denyoom (no `no-writes`, no `allow-oom`) are
 * answered MAXMEM_OOM_ERR; reads and DEL go on. A script (without the
 * allow-oom flag) that started out of memory runs, but a denyoom command it
 * calls before its first write is refused (api/script.c's script_call);
 * once it has written nothing is refused: it cannot stop halfway.
 */
#ifndef TASKKV_API_MAXMEMORY_H
#define TASKKV_API_MAXMEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct cmd_def;
struct server;

#define MAXMEM_OOM_ERR "OOM command not allowed when used memory > 'maxmemory'."

/* Sets up srv->maxmem and srv->maxmemory from the configuration (after the
 * command table exists); logs Redis' warning for a limit under 1 MB. */
void maxmem_create(struct server *srv);
void maxmem_destroy(struct server *srv);

enum maxmem_state {
    MAXMEM_OK,        /* under the limit (or no limit, or not now) */
    MAXMEM_RUNNING,   /* over, and the eviction timer is working on it */
    MAXMEM_FAIL,      /* over, and nothing more can be evicted */
};

/* Redis' performEvictions: evicts until under the limit or out of time. */
enum maxmem_state maxmem_evict(struct server *srv);

/* The dispatcher's check, called only when srv->maxmemory is set: evicts
 * as needed, then refuses (replying the OOM error, or EXECABORT for EXEC)
 * what may not run out of memory. Returns false after replying. */
bool maxmem_allowed_or_reply(struct client *c, const struct cmd_def *d);

/* Whether the running script started out of memory (then its denyoom
 * commands are refused until it has written). */
bool maxmem_script_oom(const struct server *srv);

/* Before each command (cmd_call): raises used_memory_peak when the memory
 * count is cheap to read (jemalloc); otherwise only the cron and INFO do.
 * Before, not after: a big argument sits in the query buffer until the
 * command has run, and its stored copy would count twice (Redis stores the
 * argument's own buffer). */
void maxmem_note_peak(struct server *srv);

/* Once a second: re-bases the fast memory count, updates the peak and
 * evicts when over the limit. */
void maxmem_cron(struct server *srv);
/* CONFIG SET changed maxmemory (evicts at once when over it, logging
 * Redis' warning) or maxmemory-policy (the pool's scores are dropped). */
void maxmem_config_changed(struct server *srv, bool limit_changed, bool policy_changed);
/* CONFIG RESETSTAT: the eviction time counters. */
void maxmem_reset_stats(struct server *srv);

/* ---- figures (INFO memory / stats, MEMORY STATS / DOCTOR) ---- */

/* Bytes not counted against maxmemory (mem_not_counted_for_evict). */
size_t maxmem_not_counted(const struct server *srv);
/* The allocator's count when the server was created (used_memory_startup). */
size_t maxmem_startup(const struct server *srv);
/* Client buffers and structures of the normal clients (mem_clients_normal). */
size_t maxmem_clients_normal(const struct server *srv);
/* Milliseconds spent over the limit: in all, and in the current spell (0
 * when under it) - total_eviction_exceeded_time / current_... */
uint64_t maxmem_exceeded_total_ms(const struct server *srv);
uint64_t maxmem_exceeded_current_ms(const struct server *srv);
/* Reads the allocator's count (a full reading) and raises the peak. */
size_t maxmem_used_now(struct server *srv);
/* Whether Redis would share the integers 0..9999 between keys (OBJECT
 * REFCOUNT): not when a limit is set with an LRU or LFU policy, which needs
 * each key's own access time. */
bool maxmem_shares_integers(const struct server *srv);

#endif
