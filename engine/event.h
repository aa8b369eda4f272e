/*
 * event: how the engine tells the layers above that something happened.
 *
 * The engine never calls upward directly. Every change to a key goes through
 * three outputs, which the server wires to its modules (api/server.c):
 *
 *   changed  - "this key's value or TTL changed": breaks WATCH, wakes clients
 *              blocked on the key, feeds task-meta indexes.
 *   notify   - a keyspace event under Redis' exact name ("set", "expire",
 *              "expired", "del", ...) and class (NOTIFY_STRING, ...); pubsub
 *              filters by notify-keyspace-events and publishes.
 *   flushing / swapped - FLUSHDB, FLUSHALL (just before the emptying, so
 *              WATCH can tell which watched keys existed) and SWAPDB (just
 *              after), reported once rather than per key (WATCH and blocked
 *              clients check their own keys).
 *   propagate- a write's effect in journal/replication form, for writes the
 *              engine originates itself (an expired key becomes DEL). Effects
 *              of commands are propagated by the dispatcher instead.
 *
 * Any hook may be NULL. Hooks run synchronously inside the engine call; they
 * must not modify the keyspace.
 */
#ifndef TASKKV_ENGINE_EVENT_H
#define TASKKV_ENGINE_EVENT_H

#include <stddef.h>

/* Keyspace event classes, as Redis' notify-keyspace-events flags. */
enum {
    NOTIFY_KEYSPACE = 1 << 0,  /* K */
    NOTIFY_KEYEVENT = 1 << 1,  /* E */
    NOTIFY_GENERIC  = 1 << 2,  /* g */
    NOTIFY_STRING   = 1 << 3,  /* $ */
    NOTIFY_LIST     = 1 << 4,  /* l */
    NOTIFY_SET      = 1 << 5,  /* s */
    NOTIFY_HASH     = 1 << 6,  /* h */
    NOTIFY_ZSET     = 1 << 7,  /* z */
    NOTIFY_EXPIRED  = 1 << 8,  /* x */
    NOTIFY_EVICTED  = 1 << 9,  /* e */
    NOTIFY_STREAM   = 1 << 10, /* t */
    NOTIFY_KEY_MISS = 1 << 11, /* m */
    NOTIFY_LOADED   = 1 << 12, /* module only */
    NOTIFY_MODULE   = 1 << 13, /* d */
    NOTIFY_NEW      = 1 << 14, /* n */
};

struct kv_arg {
    const char *ptr;
    size_t len;
};

struct kv_events {
    void *ctx;
    void (*changed)(void *ctx, int db, const char *key, size_t klen);
    void (*notify)(void *ctx, int cls, const char *event, int db, const char *key, size_t klen);
    void (*propagate)(void *ctx, int db, int argc, const struct kv_arg *argv);
    /* A whole database (db >= 0) or every database (-1) is about to be
     * emptied, or two were swapped: per-key "changed" is not raised for
     * these. */
    void (*flushing)(void *ctx, int db);
    void (*swapped)(void *ctx, int a, int b);
};

#endif
