/*
 * db: keyspace access for command handlers - the current time, the client's
 * database, lazy expiry, hit/miss statistics and the WRONGTYPE check in one
 * call each, so handlers stay short and uniform.
 */
#ifndef TASKKV_API_DB_H
#define TASKKV_API_DB_H

#include <stdbool.h>

#include "api/resp_parse.h"
#include "engine/kv.h"

struct client;

/* Lookup for reading: expires lazily, counts keyspace hits/misses. */
struct kv_entry *db_read(struct client *c, const struct resp_arg *key);
/* As db_read, leaving the value's access time / LFU counter alone (Redis'
 * LOOKUP_NOTOUCH: TYPE, EXISTS, the TTL family, SCAN's TYPE filter). */
struct kv_entry *db_read_notouch(struct client *c, const struct resp_arg *key);
/* Lookup for writing: expires lazily, no statistics. */
struct kv_entry *db_write(struct client *c, const struct resp_arg *key);
/* The entry of a key the running command has already looked up (so it is
 * not expired): no expiry, no statistics, and no access - in LFU mode every
 * lookup of the two above counts once, as each of Redis' lookupKey calls. */
struct kv_entry *db_peek(struct client *c, const struct resp_arg *key);

/* Typed lookups: *out is the entry or NULL when absent. Returns false after
 * replying WRONGTYPE when the key holds another type. */
bool db_read_typed_or_reply(struct client *c, const struct resp_arg *key, int type, struct kv_entry **out);
bool db_write_typed_or_reply(struct client *c, const struct resp_arg *key, int type, struct kv_entry **out);

/* The change outputs every write handler produces: key changed + keyspace
 * event (class, Redis' event name), and the dirty counter for propagation. */
void db_touched(struct client *c, const struct resp_arg *key, int cls, const char *event);
/* Deletes a key, raising "del"; returns whether it existed. */
bool db_delete(struct client *c, const struct resp_arg *key);

/* Sets a key's absolute expire time, deleting it at once (with "del") if the
 * time is already past, as EXPIRE/SET EXAT do. Returns false if deleted. */
bool db_expire_at(struct client *c, struct kv_entry *e, const struct resp_arg *key, long long when_ms);

#endif
