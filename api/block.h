/*
 * block: the one waiting machinery. A client parks until data arrives on a
 * key, until a deadline passes, or until a module raises an event; BLPOP,
 * BZPOPMIN, BLMOVE, XREAD BLOCK, and later the queue's reserve and the lock's
 * wait all stand on it.
 *
 * Model: a blocking handler that finds nothing to serve calls block_wait()
 * instead of replying. The client's command (arguments copied) is parked on a
 * FIFO of waiters per (database, key); module events use the pseudo-database
 * BLOCK_DB_EVENTS with the event's name as the key. Any change to a watched
 * key - from a plain command, MULTI/EXEC, a script or expiry - arrives through
 * the keyspace's "changed" hook (block_key_changed), which marks the key
 * ready; a module calls block_signal() for its events. After every command
 * the server calls block_serve_ready(): for each ready key, its waiters run
 * their command again, first come first served, with block_retrying() true.
 * A retried handler either replies (the client is served and unblocked) or
 * calls block_wait() again (it stays parked, keeping its place in line).
 * While retrying, handlers treat keys of another type as empty: Redis 7.0
 * leaves such clients blocked rather than replying WRONGTYPE.
 *
 * Deadlines live in the server's time index (TI_CLIENT_TIMEOUT). At the
 * deadline the client gets a null array (*-1, RESP3 _: what every blocking
 * command of Redis 7.0 answers at its timeout), or, with
 * BLOCK_RETRY_AT_DEADLINE, its command runs again (block_deadline_passed()
 * true) - the "woken by a deadline alone" case (a delayed job becoming due).
 *
 * A client that disconnects while blocked leaves nothing behind
 * (block_cancel from client_free). CLIENT UNBLOCK uses block_unblock.
 * Where blocking is not allowed (inside MULTI, in scripts) block_wait()
 * replies the timeout reply at once; a command whose answer differs there
 * (BRPOPLPUSH: a null bulk) checks block_allowed() itself.
 */
#ifndef TASKKV_API_BLOCK_H
#define TASKKV_API_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/resp_parse.h"

struct client;
struct server;
struct block_state;

#define BLOCK_DB_EVENTS (-1)

struct block_spec {
    int db;                        /* the client's db, or BLOCK_DB_EVENTS */
    const struct resp_arg *keys;   /* keys (or event names) to wait on */
    int nkeys;
    int64_t deadline_ms;           /* absolute Unix ms; 0 waits forever */
    bool retry_at_deadline;        /* run the command again at the deadline */
};

struct block_state *block_create(struct server *srv);
void block_destroy(struct block_state *b);   /* NULL is a no-op */

/* Parses a blocking command's timeout: seconds as a float (BLPOP, BZPOPMIN)
 * or, with in_ms, integer milliseconds (XREAD BLOCK), into an absolute
 * deadline (0 = forever), with Redis' errors. */
bool block_timeout_or_reply(struct client *c, const struct resp_arg *a, bool in_ms, int64_t *deadline_ms);

/* Parks the running command's client (see the model above). */
void block_wait(struct client *c, const struct block_spec *spec);
/* True while a parked client's command runs again. */
bool block_retrying(const struct client *c);
/* While retrying: the key whose change woke the waiter (false when a
 * deadline or an event woke it). Valid until the retry returns. */
bool block_woken_by(const struct client *c, const char **key, size_t *klen);
/* True when that retry was caused by the deadline (BLOCK_RETRY_AT_DEADLINE). */
bool block_deadline_passed(const struct client *c);
/* False inside MULTI and scripts: block_wait() then replies at once. */
bool block_allowed(const struct client *c);

/* Hooks: a key changed (wired to the keyspace's "changed" output); a whole
 * database was flushed or two swapped; a module event happened. Cheap when
 * nobody waits. */
void block_key_changed(struct block_state *b, int db, const char *key, size_t klen);
void block_db_changed(struct block_state *b, int db);
void block_signal(struct block_state *b, const char *event, size_t len);

/* Serves the waiters of every key marked ready, until none is left (serving
 * one client may make other keys ready). Called after each command. */
void block_serve_ready(struct block_state *b);
bool block_has_ready(const struct block_state *b);

/* Runs the pipelined input of clients served since the last call (the
 * server's before-sleep step). */
void block_resume_clients(struct block_state *b);

/* CLIENT UNBLOCK: ends the wait with the timeout reply, or with error
 * "-UNBLOCKED client unblocked via CLIENT UNBLOCK". False if not blocked. */
bool block_unblock(struct client *c, bool with_error);
/* Drops a blocked client's wait without replying (disconnect). */
void block_cancel(struct client *c);

/* Number of blocked clients, and of keys with waiters (INFO). */
size_t block_clients(const struct block_state *b);
size_t block_keys(const struct block_state *b);

#endif
