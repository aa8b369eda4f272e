/*
 * hub: who listens to what - channels, patterns and shard channels, and the
 * publishing of a message to everyone it reaches.
 *
 * A subscriber (`struct ps_sub`) stands for one connection; the hub never
 * knows what a connection is. It keeps an opaque `owner` pointer per
 * subscriber and hands it back to the caller's delivery function, which
 * writes the message out (api/cmd_pubsub.c). Delivery must not change
 * subscriptions; it may mark its connection for closing.
 *
 * Order is subscription order everywhere: the receivers of a channel, the
 * patterns tried for a message, and a subscriber's own names (argument-less
 * UNSUBSCRIBE confirms them oldest first). Redis iterates hash tables for
 * the last two, so its order there is arbitrary; clients cannot rely on it.
 *
 * Every operation is O(1) apart from publishing (one step per receiver plus
 * one glob match per pattern) and listing.
 */
#ifndef TASKKV_PUBSUB_HUB_H
#define TASKKV_PUBSUB_HUB_H

#include <stdbool.h>
#include <stddef.h>

enum ps_kind {
    PS_CHANNEL,    /* SUBSCRIBE / PUBLISH */
    PS_PATTERN,    /* PSUBSCRIBE: glob patterns over PUBLISH channels */
    PS_SHARD,      /* SSUBSCRIBE / SPUBLISH: their own namespace */
    PS_KINDS
};

struct ps_hub;
struct ps_sub;

/* Writes one message to a receiver. `pattern` is NULL for a direct
 * (channel or shard) subscription. Everything is borrowed for the call. */
typedef void (*ps_deliver_fn)(void *ctx, void *owner, enum ps_kind kind, const char *pattern, size_t plen,
                              const char *channel, size_t clen, const char *msg, size_t mlen);

struct ps_hub *ps_hub_create(void);
/* Every subscriber must have been destroyed first. NULL is a no-op. */
void ps_hub_destroy(struct ps_hub *h);

/* A subscriber for `owner`, subscribed to nothing. */
struct ps_sub *ps_sub_create(struct ps_hub *h, void *owner);
/* Drops every subscription silently (a closing connection, RESET) and frees
 * the subscriber. NULL is a no-op. */
void ps_sub_destroy(struct ps_hub *h, struct ps_sub *s);

/* Adds / removes one subscription; false when there was nothing to do
 * (already subscribed / not subscribed). Names are copied. */
bool ps_subscribe(struct ps_hub *h, struct ps_sub *s, enum ps_kind kind, const char *name, size_t len);
bool ps_unsubscribe(struct ps_hub *h, struct ps_sub *s, enum ps_kind kind, const char *name, size_t len);

/* The subscriber's count of one kind. */
size_t ps_sub_count(const struct ps_sub *s, enum ps_kind kind);
/* Its oldest subscription of `kind`: false if none; the name stays valid
 * until that subscription is dropped. */
bool ps_sub_first(const struct ps_sub *s, enum ps_kind kind, const char **name, size_t *len);

/* Sends msg on channel (kind PS_CHANNEL: to its subscribers, then to every
 * matching pattern's; PS_SHARD: to the shard channel's subscribers) and
 * returns the number of deliveries. */
long long ps_publish(struct ps_hub *h, enum ps_kind kind, const char *channel, size_t clen, const char *msg,
                     size_t mlen, ps_deliver_fn deliver, void *ctx);

/* Channels (or patterns, shard channels) with at least one subscriber. */
size_t ps_hub_count(const struct ps_hub *h, enum ps_kind kind);
/* Subscribers of one channel (0 when nobody listens). */
size_t ps_hub_receivers(struct ps_hub *h, enum ps_kind kind, const char *name, size_t len);
/* Calls fn for every name of `kind` (PUBSUB CHANNELS / SHARDCHANNELS), in
 * subscription order of the names' first subscriber. */
void ps_hub_foreach(const struct ps_hub *h, enum ps_kind kind,
                    void (*fn)(void *arg, const char *name, size_t len), void *arg);

#endif
