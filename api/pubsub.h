/*
 * pubsub (api side): the connection end of publish/subscribe - the
 * SUBSCRIBE family of commands, message delivery into subscribers' replies,
 * and keyspace notifications. Who listens to what is pubsub/hub.c's.
 *
 * A client holds a `struct ps_sub` from its first subscription on and is in
 * subscribed mode (CF_PUBSUB) while it has any subscription; under RESP2
 * that mode allows only the commands pubsub_allowed() accepts.
 */
#ifndef TASKKV_API_PUBSUB_H
#define TASKKV_API_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct cmd_def;
struct server;

/* Drops every subscription of the client without confirmations (RESET,
 * closing). */
void pubsub_client_drop(struct client *c);

/* Whether `d` may run in RESP2 subscribed mode. */
bool pubsub_allowed(const struct cmd_def *d);

/* The keyspace-event hook: publishes `event` on key under the
 * notify-keyspace-events classes in force (srv->notify_flags). */
void pubsub_keyspace_event(struct server *srv, int cls, const char *event, int db, const char *key, size_t klen);

/* Re-reads notify-keyspace-events into srv->notify_flags. */
void pubsub_config_changed(struct server *srv);

#endif
