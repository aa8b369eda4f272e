/*
 * cmd_pubsub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
 * SUNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB; message delivery and keyspace
 * notifications (see pubsub.h).
 *
 * Every confirmation and message is a push (RESP3 `>`, RESP2 `*`), written
 * into the receiver's reply as it happens: a client publishing to itself
 * under RESP3 reads the message before PUBLISH's count, as from Redis.
 * Delivery checks the receiver's output-buffer limit, so a subscriber that
 * stops reading is disconnected instead of growing without bound.
 */
#include "api/pubsub.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/event.h"
#include "engine/glob.h"
#include "pubsub/hub.h"
#include "pubsub/notify.h"

#include <stdlib.h>
#include <string.h>

/* The words of each kind: confirmation, un-confirmation, message. */
static const struct {
    const char *sub, *unsub, *msg, *cmd;
} words[PS_KINDS] = {
    [PS_CHANNEL] = { "subscribe", "unsubscribe", "message", "SUBSCRIBE" },
    [PS_PATTERN] = { "psubscribe", "punsubscribe", "pmessage", "PSUBSCRIBE" },
    [PS_SHARD] = { "ssubscribe", "sunsubscribe", "smessage", "SSUBSCRIBE" },
};

/* The count a confirmation carries: channels plus patterns, or shard
 * channels alone. */
static long long sub_count(const struct client *c, enum ps_kind kind)
{
    if (kind == PS_SHARD)
        return (long long)ps_sub_count(c->ps, PS_SHARD);
    return (long long)(ps_sub_count(c->ps, PS_CHANNEL) + ps_sub_count(c->ps, PS_PATTERN));
}

static size_t total_count(const struct client *c)
{
    return ps_sub_count(c->ps, PS_CHANNEL) + ps_sub_count(c->ps, PS_PATTERN) + ps_sub_count(c->ps, PS_SHARD);
}

/* One confirmation push: [word, name (null when NULL), count]. Pushes
 * reach a client silenced by CLIENT REPLY OFF/SKIP, as in Redis 7.0. */
static void confirm(struct client *c, const char *word, const char *name, size_t len, long long count)
{
    reply_push_begin(&c->out);
    reply_push(&c->out, 3);
    reply_bulk_cstr(&c->out, word);
    if (name)
        reply_bulk(&c->out, name, len);
    else
        reply_null(&c->out);
    reply_int(&c->out, count);
    reply_push_end(&c->out);
}

static void update_mode(struct client *c)
{
    if (total_count(c))
        c->flags |= CF_PUBSUB;
    else
        c->flags &= ~(uint32_t)CF_PUBSUB;
}

static void subscribe_generic(struct client *c, enum ps_kind kind)
{
    /* A client that needs one reply per command (a script, the journal)
     * cannot take the confirmations that follow; MULTI is allowed for
     * SUBSCRIBE and PSUBSCRIBE only, as in Redis. */
    if ((c->flags & CF_DENY_BLOCKING) && (kind == PS_SHARD || !(c->flags & CF_MULTI))) {
        reply_errorf(&c->out, "ERR %s isn't allowed for a DENY BLOCKING client", words[kind].cmd);
        return;
    }
    if (!c->ps)
        c->ps = ps_sub_create(c->srv->pubsub, c);
    for (int j = 1; j < c->argc; j++) {
        ps_subscribe(c->srv->pubsub, c->ps, kind, c->argv[j].ptr, c->argv[j].len);
        confirm(c, words[kind].sub, c->argv[j].ptr, c->argv[j].len, sub_count(c, kind));
    }
    update_mode(c);
}

static void unsubscribe_generic(struct client *c, enum ps_kind kind)
{
    struct ps_hub *h = c->srv->pubsub;
    if (c->argc == 1) {
        const char *name;
        size_t len;
        bool any = false;
        while (ps_sub_first(c->ps, kind, &name, &len)) {
            /* the name is the registry's: confirm before it is dropped */
            reply_push_begin(&c->out);
            reply_push(&c->out, 3);
            reply_bulk_cstr(&c->out, words[kind].unsub);
            reply_bulk(&c->out, name, len);
            ps_unsubscribe(h, c->ps, kind, name, len);
            reply_int(&c->out, sub_count(c, kind));
            reply_push_end(&c->out);
            any = true;
        }
        if (!any)
            confirm(c, words[kind].unsub, NULL, 0, sub_count(c, kind));
    } else {
        for (int j = 1; j < c->argc; j++) {
            if (c->ps)
                ps_unsubscribe(h, c->ps, kind, c->argv[j].ptr, c->argv[j].len);
            confirm(c, words[kind].unsub, c->argv[j].ptr, c->argv[j].len, sub_count(c, kind));
        }
    }
    update_mode(c);
}

static void subscribe_cmd(struct client *c) { subscribe_generic(c, PS_CHANNEL); }
static void psubscribe_cmd(struct client *c) { subscribe_generic(c, PS_PATTERN); }
static void ssubscribe_cmd(struct client *c) { subscribe_generic(c, PS_SHARD); }
static void unsubscribe_cmd(struct client *c) { unsubscribe_generic(c, PS_CHANNEL); }
static void punsubscribe_cmd(struct client *c) { unsubscribe_generic(c, PS_PATTERN); }
static void sunsubscribe_cmd(struct client *c) { unsubscribe_generic(c, PS_SHARD); }

void pubsub_client_drop(struct client *c)
{
    ps_sub_destroy(c->srv->pubsub, c->ps);
    c->ps = NULL;
    c->flags &= ~(uint32_t)CF_PUBSUB;
}

bool pubsub_allowed(const struct cmd_def *d)
{
    static const cmd_fn allowed[] = { subscribe_cmd, psubscribe_cmd, ssubscribe_cmd, unsubscribe_cmd,
                                      punsubscribe_cmd, sunsubscribe_cmd };
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (d->fn == allowed[i])
            return true;
    return strcmp(d->name, "ping") == 0 || strcmp(d->name, "quit") == 0 || strcmp(d->name, "reset") == 0;
}

/* ---- delivery ----------------------------------------------------------- */

static void deliver(void *ctx, void *owner, enum ps_kind kind, const char *pattern, size_t plen,
                    const char *channel, size_t clen, const char *msg, size_t mlen)
{
    struct client *c = owner;
    (void)ctx;
    if (c->flags & CF_CLOSE_ASAP)
        return;
    reply_push_begin(&c->out);
    reply_push(&c->out, pattern ? 4 : 3);
    reply_bulk_cstr(&c->out, words[kind].msg);
    if (pattern)
        reply_bulk(&c->out, pattern, plen);
    reply_bulk(&c->out, channel, clen);
    reply_bulk(&c->out, msg, mlen);
    c->flags |= CF_DATA_OUT;
    reply_push_end(&c->out);
    client_mark_pending(c);
    client_check_output_limit(c);
}

static long long publish(struct server *srv, enum ps_kind kind, const char *ch, size_t clen, const char *msg,
                         size_t mlen)
{
    return ps_publish(srv->pubsub, kind, ch, clen, msg, mlen, deliver, srv);
}

static void publish_cmd(struct client *c)
{
    reply_int(&c->out, publish(c->srv, PS_CHANNEL, c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr, c->argv[2].len));
}

static void spublish_cmd(struct client *c)
{
    reply_int(&c->out, publish(c->srv, PS_SHARD, c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr, c->argv[2].len));
}

/* ---- keyspace notifications --------------------------------------------- */

void pubsub_config_changed(struct server *srv)
{
    srv->notify_flags = config_values(srv->cfg)->notify_flags;
}

/* Publishes msg on "__key<space|event>@<db>__:" + name. */
static void publish_key_channel(struct server *srv, bool keyspace, int db, const char *name, size_t nlen,
                                const char *msg, size_t mlen)
{
    char stack[256], *buf = stack;
    size_t cap = sizeof(stack), n;
    if (nlen + 32 > cap) {
        cap = nlen + 32;
        buf = kv_xmalloc(cap);
    }
    n = ps_notify_channel(buf, cap, keyspace, db, name, nlen);
    publish(srv, PS_CHANNEL, buf, n, msg, mlen);
    if (buf != stack)
        free(buf);
}

void pubsub_keyspace_event(struct server *srv, int cls, const char *event, int db, const char *key, size_t klen)
{
    int flags = srv->notify_flags;
    size_t elen;
    if (!(flags & cls))
        return;
    elen = strlen(event);
    if (flags & NOTIFY_KEYSPACE)
        publish_key_channel(srv, true, db, key, klen, event, elen);
    if (flags & NOTIFY_KEYEVENT)
        publish_key_channel(srv, false, db, event, elen, key, klen);
}

/* ---- PUBSUB ------------------------------------------------------------- */

struct list_ctx {
    struct client *c;
    const struct resp_arg *pat;
    long long n;
};

static void list_one(void *arg, const char *name, size_t len)
{
    struct list_ctx *lc = arg;
    if (lc->pat && !glob_match(lc->pat->ptr, lc->pat->len, name, len, false))
        return;
    reply_bulk(&lc->c->out, name, len);
    lc->n++;
}

/* The arity error names the subcommand as the client typed it, like Redis. */
static void channels_generic(struct client *c, enum ps_kind kind)
{
    struct list_ctx lc = { c, c->argc == 3 ? &c->argv[2] : NULL, 0 };
    void *slot;
    if (c->argc > 3) {
        reply_errorf(&c->out, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try PUBSUB HELP.",
                     (int)c->argv[1].len, c->argv[1].ptr);
        return;
    }
    slot = reply_defer(&c->out);
    ps_hub_foreach(c->srv->pubsub, kind, list_one, &lc);
    reply_set_array(&c->out, slot, lc.n);
}

static void numsub_generic(struct client *c, enum ps_kind kind)
{
    reply_array(&c->out, (long long)(c->argc - 2) * 2);
    for (int j = 2; j < c->argc; j++) {
        reply_bulk(&c->out, c->argv[j].ptr, c->argv[j].len);
        reply_int(&c->out, (long long)ps_hub_receivers(c->srv->pubsub, kind, c->argv[j].ptr, c->argv[j].len));
    }
}

static void pubsub_channels_cmd(struct client *c) { channels_generic(c, PS_CHANNEL); }
static void pubsub_shardchannels_cmd(struct client *c) { channels_generic(c, PS_SHARD); }
static void pubsub_numsub_cmd(struct client *c) { numsub_generic(c, PS_CHANNEL); }
static void pubsub_shardnumsub_cmd(struct client *c) { numsub_generic(c, PS_SHARD); }

static void pubsub_numpat_cmd(struct client *c)
{
    reply_int(&c->out, (long long)ps_hub_count(c->srv->pubsub, PS_PATTERN));
}

static void pubsub_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

#define PS_FLAGS (CMD_PUBSUB | CMD_LOADING | CMD_STALE)
#define SUB_FLAGS (PS_FLAGS | CMD_NOSCRIPT)
#define PS_ACL (ACL_PUBSUB | ACL_SLOW)

static const struct cmd_def pubsub_subs[] = {
    { "channels", pubsub_channels_cmd, -2, PS_FLAGS, PS_ACL, 0, 0, 0, "Returns the active channels.", NULL },
    { "numpat", pubsub_numpat_cmd, 2, PS_FLAGS, PS_ACL, 0, 0, 0, "Returns a count of unique pattern subscriptions.",
      NULL },
    { "numsub", pubsub_numsub_cmd, -2, PS_FLAGS, PS_ACL, 0, 0, 0, "Returns a count of subscribers to channels.",
      NULL },
    { "shardchannels", pubsub_shardchannels_cmd, -2, PS_FLAGS, PS_ACL, 0, 0, 0,
      "Returns the active shard channels.", NULL },
    { "shardnumsub", pubsub_shardnumsub_cmd, -2, PS_FLAGS, PS_ACL, 0, 0, 0,
      "Returns the count of subscribers of shard channels.", NULL },
    { "help", pubsub_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW, 0, 0, 0, "Returns helpful text about the "
      "different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def pubsub_cmds[] = {
    { "subscribe", subscribe_cmd, -2, SUB_FLAGS, PS_ACL, 0, 0, 0, "Listens for messages published to channels.",
      NULL },
    { "psubscribe", psubscribe_cmd, -2, SUB_FLAGS, PS_ACL, 0, 0, 0,
      "Listens for messages published to channels that match one or more patterns.", NULL },
    { "ssubscribe", ssubscribe_cmd, -2, SUB_FLAGS, PS_ACL, 1, -1, 1,
      "Listens for messages published to shard channels.", NULL },
    { "unsubscribe", unsubscribe_cmd, -1, SUB_FLAGS, PS_ACL, 0, 0, 0,
      "Stops listening to messages posted to channels.", NULL },
    { "punsubscribe", punsubscribe_cmd, -1, SUB_FLAGS, PS_ACL, 0, 0, 0,
      "Stops listening to messages published to channels that match one or more patterns.", NULL },
    { "sunsubscribe", sunsubscribe_cmd, -1, SUB_FLAGS, PS_ACL, 1, -1, 1,
      "Stops listening to messages posted to shard channels.", NULL },
    { "publish", publish_cmd, 3, PS_FLAGS | CMD_FAST, ACL_PUBSUB | ACL_FAST, 0, 0, 0,
      "Posts a message to a channel.", NULL },
    { "spublish", spublish_cmd, 3, PS_FLAGS | CMD_FAST, ACL_PUBSUB | ACL_FAST, 1, 1, 1,
      "Post a message to a shard channel", NULL },
    { "pubsub", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for Pub/Sub commands.", pubsub_subs },
};

const struct cmd_group cmd_group_pubsub = CMD_GROUP("pubsub", pubsub_cmds);
