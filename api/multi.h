/*
 * multi: transactions - MULTI, EXEC, DISCARD, WATCH, UNWATCH - with Redis
 * 7.0's rules, and the registry of watched keys.
 *
 * Between MULTI and EXEC the dispatcher hands every command to
 * multi_queue() (after its checks of name, arity and subscribed mode; a
 * command failing those flags the transaction, so EXEC answers EXECABORT).
 * EXEC runs the queue through cmd_call(), the dispatcher's own call path,
 * with blocking denied, so each command is accounted and propagated as if
 * sent alone; an error inside one does not stop the others.
 *
 * WATCH: a change to a watched key (the engine's `changed` hook: writes,
 * expiry, deletion, RENAME onto it), a FLUSHDB/FLUSHALL emptying it or a
 * SWAPDB replacing it makes the watcher's EXEC answer a null array. A key
 * that was already logically expired when watched and is then deleted has
 * not changed (it was absent to the client all along), as in Redis.
 */
#ifndef TASKKV_API_MULTI_H
#define TASKKV_API_MULTI_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct cmd_def;
struct resp_arg;
struct cmd_stats;
struct server;
struct watch_registry;

struct watch_registry *watch_registry_create(int ndb);
void watch_registry_destroy(struct watch_registry *w);   /* NULL is a no-op */

/* Engine-hook entry points (api/server.c). */
void watch_key_changed(struct server *srv, int db, const char *key, size_t klen);
void watch_db_flushing(struct server *srv, int db);       /* -1: every database */
void watch_db_swapped(struct server *srv, int a, int b);

/* Whether the dispatcher must queue `d` rather than run it (the client is
 * in MULTI and `d` is not one of EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
bool multi_queues(const struct client *c, const struct cmd_def *d);
/* Queues c->argv for EXEC (arguments copied) and replies +QUEUED. */
void multi_queue(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, struct cmd_stats *stats);
/* A command was rejected while queueing: EXEC will answer EXECABORT. */
void multi_flag_error(struct client *c);
/* EXEC itself was rejected (arity, authentication, RESP2 subscribed mode):
 * discards the transaction and every watched key, and answers
 * "EXECABORT Transaction discarded because of: <why>" (why without "ERR "). */
void multi_exec_abort(struct client *c, const char *why);
/* Calls fn for each queued command in order (EXEC's maxmemory check asks
 * whether any of them may grow memory); nothing outside MULTI. */
void multi_foreach_queued(const struct client *c,
                          void (*fn)(void *arg, const struct cmd_def *d, int argc, const struct resp_arg *argv),
                          void *arg);
/* Commands queued (CLIENT LIST's multi=), -1 outside MULTI. */
int multi_count(const struct client *c);
/* Whether any command queued by c (subcommand, container or NULL) passes
 * `pred` (CLIENT PAUSE WRITE holds an EXEC that would write). */
bool multi_queue_any(const struct client *c, bool (*pred)(const struct cmd_def *d, const struct cmd_def *parent));
/* Leaves MULTI and forgets every watched key (RESET, closing). */
void multi_client_reset(struct client *c);

#endif
