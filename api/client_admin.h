/*
 * client_admin: the CLIENT subcommands that act on connections - KILL,
 * PAUSE, UNPAUSE, NO-EVICT, REPLY - and Redis' client classes (the TYPE of
 * CLIENT LIST and CLIENT KILL). The CLIENT container's table lives in
 * cmd_conn.c and points at these handlers.
 */
#ifndef TASKKV_API_CLIENT_ADMIN_H
#define TASKKV_API_CLIENT_ADMIN_H

#include "api/resp_parse.h"

struct client;

/* Redis' client classes, in its numbering. */
enum client_type { CLIENT_TYPE_NORMAL, CLIENT_TYPE_REPLICA, CLIENT_TYPE_PUBSUB, CLIENT_TYPE_MASTER };

/* The class named (any case: normal, slave, replica, pubsub, master), or -1.
 * Compared as a C string, as Redis does. */
int client_type_by_name(const struct resp_arg *a);
/* A connection's class: pubsub while subscribed, else normal (taskkv has no
 * replicas; a MONITOR counts as normal, as in Redis). */
int client_type_of(const struct client *c);

void client_kill_cmd(struct client *c);
void client_pause_cmd(struct client *c);
void client_unpause_cmd(struct client *c);
void client_no_evict_cmd(struct client *c);
void client_reply_cmd(struct client *c);

#endif
