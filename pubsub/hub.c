/*
 * hub: see hub.h.
 *
 * Data structures. Each name (channel, pattern or shard channel) with at
 * least one subscriber is a `struct chan`, found by name in the dict of its
 * kind and also linked into that kind's list (oldest first) for iteration.
 * Each subscription is a `struct link` joining one chan and one subscriber:
 * it sits on the chan's receiver list, on the subscriber's list of that
 * kind, and in one hub-wide dict keyed by the (chan, subscriber) pointer
 * pair, which answers "already subscribed?" in O(1) however many channels a
 * connection holds (a Celery producer holds one per pending result) or how
 * many connections share a channel (every canceller on
 * `__keyevent@0__:expired`). A chan is freed with its last link.
 */
#include "pubsub/hub.h"
#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/glob.h"

#include <stdlib.h>
#include <string.h>

struct link;

struct chan {
    struct dict_node node;
    struct chan *prev, *next;      /* the kind's list of names */
    struct link *head, *tail;      /* receivers, oldest first */
    size_t nsubs;
    size_t len;
    char name[];
};

struct pair {
    struct chan *chan;
    struct ps_sub *sub;
};

struct link {
    struct dict_node node;         /* in hub->links, keyed by `key` */
    struct pair key;
    struct link *cprev, *cnext;    /* the chan's receivers */
    struct link *sprev, *snext;    /* the subscriber's names of this kind */
};

struct ps_sub {
    void *owner;
    struct link *head[PS_KINDS], *tail[PS_KINDS];
    size_t n[PS_KINDS];
};

struct ps_hub {
    struct dict *chans[PS_KINDS];
    struct chan *first[PS_KINDS], *last[PS_KINDS];
    struct dict *links;
};

static void chan_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct chan *c = (const struct chan *)n;
    *key = c->name;
    *len = c->len;
}

static void link_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct link *l = (const struct link *)n;
    *key = (const char *)&l->key;
    *len = sizeof(l->key);
}

static const struct dict_type chan_type = { chan_key };
static const struct dict_type link_type = { link_key };

struct ps_hub *ps_hub_create(void)
{
    struct ps_hub *h = kv_xcalloc(1, sizeof(*h));
    for (int k = 0; k < PS_KINDS; k++)
        h->chans[k] = dict_create(&chan_type);
    h->links = dict_create(&link_type);
    return h;
}

void ps_hub_destroy(struct ps_hub *h)
{
    if (!h)
        return;
    for (int k = 0; k < PS_KINDS; k++)
        dict_destroy(h->chans[k]);
    dict_destroy(h->links);
    free(h);
}

struct ps_sub *ps_sub_create(struct ps_hub *h, void *owner)
{
    struct ps_sub *s = kv_xcalloc(1, sizeof(*s));
    (void)h;
    s->owner = owner;
    return s;
}

static struct link *find_link(struct ps_hub *h, struct chan *c, struct ps_sub *s)
{
    struct pair key = { c, s };
    return (struct link *)dict_find(h->links, (const char *)&key, sizeof(key));
}

static struct chan *chan_get(struct ps_hub *h, enum ps_kind kind, const char *name, size_t len)
{
    struct chan *c = (struct chan *)dict_find(h->chans[kind], name, len);
    if (c)
        return c;
    c = kv_xcalloc(1, sizeof(*c) + len + 1);
    memcpy(c->name, name, len);
    c->len = len;
    c->prev = h->last[kind];
    if (c->prev)
        c->prev->next = c;
    else
        h->first[kind] = c;
    h->last[kind] = c;
    dict_insert(h->chans[kind], &c->node);
    return c;
}

static void chan_drop(struct ps_hub *h, enum ps_kind kind, struct chan *c)
{
    dict_unlink_node(h->chans[kind], &c->node);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->first[kind] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        h->last[kind] = c->prev;
    free(c);
}

/* Unlinks and frees one subscription, and its chan when it was the last. */
static void link_drop(struct ps_hub *h, enum ps_kind kind, struct link *l)
{
    struct chan *c = l->key.chan;
    struct ps_sub *s = l->key.sub;
    dict_unlink_node(h->links, &l->node);
    if (l->cprev)
        l->cprev->cnext = l->cnext;
    else
        c->head = l->cnext;
    if (l->cnext)
        l->cnext->cprev = l->cprev;
    else
        c->tail = l->cprev;
    if (l->sprev)
        l->sprev->snext = l->snext;
    else
        s->head[kind] = l->snext;
    if (l->snext)
        l->snext->sprev = l->sprev;
    else
        s->tail[kind] = l->sprev;
    s->n[kind]--;
    if (--c->nsubs == 0)
        chan_drop(h, kind, c);
    free(l);
}

void ps_sub_destroy(struct ps_hub *h, struct ps_sub *s)
{
    if (!s)
        return;
    for (int k = 0; k < PS_KINDS; k++)
        while (s->head[k])
            link_drop(h, (enum ps_kind)k, s->head[k]);
    free(s);
}

bool ps_subscribe(struct ps_hub *h, struct ps_sub *s, enum ps_kind kind, const char *name, size_t len)
{
    struct chan *c = chan_get(h, kind, name, len);
    struct link *l;
    if (c->nsubs && find_link(h, c, s))
        return false;
    l = kv_xcalloc(1, sizeof(*l));
    l->key.chan = c;
    l->key.sub = s;
    l->cprev = c->tail;
    if (c->tail)
        c->tail->cnext = l;
    else
        c->head = l;
    c->tail = l;
    c->nsubs++;
    l->sprev = s->tail[kind];
    if (s->tail[kind])
        s->tail[kind]->snext = l;
    else
        s->head[kind] = l;
    s->tail[kind] = l;
    s->n[kind]++;
    dict_insert(h->links, &l->node);
    return true;
}

bool ps_unsubscribe(struct ps_hub *h, struct ps_sub *s, enum ps_kind kind, const char *name, size_t len)
{
    struct chan *c = (struct chan *)dict_find(h->chans[kind], name, len);
    struct link *l = c ? find_link(h, c, s) : NULL;
    if (!l)
        return false;
    link_drop(h, kind, l);
    return true;
}

size_t ps_sub_count(const struct ps_sub *s, enum ps_kind kind)
{
    return s ? s->n[kind] : 0;
}

bool ps_sub_first(const struct ps_sub *s, enum ps_kind kind, const char **name, size_t *len)
{
    if (!s || !s->head[kind])
        return false;
    *name = s->head[kind]->key.chan->name;
    *len = s->head[kind]->key.chan->len;
    return true;
}

static long long deliver_all(const struct chan *c, const struct chan *pattern, enum ps_kind kind,
                             const char *channel, size_t clen, const char *msg, size_t mlen, ps_deliver_fn deliver,
                             void *ctx)
{
    long long n = 0;
    for (const struct link *l = c->head; l; l = l->cnext, n++)
        deliver(ctx, l->key.sub->owner, kind, pattern ? pattern->name : NULL, pattern ? pattern->len : 0, channel,
                clen, msg, mlen);
    return n;
}

long long ps_publish(struct ps_hub *h, enum ps_kind kind, const char *channel, size_t clen, const char *msg,
                     size_t mlen, ps_deliver_fn deliver, void *ctx)
{
    struct chan *c = (struct chan *)dict_find(h->chans[kind], channel, clen);
    long long n = c ? deliver_all(c, NULL, kind, channel, clen, msg, mlen, deliver, ctx) : 0;
    if (kind != PS_CHANNEL)
        return n;
    for (const struct chan *p = h->first[PS_PATTERN]; p; p = p->next)
        if (glob_match(p->name, p->len, channel, clen, false))
            n += deliver_all(p, p, PS_PATTERN, channel, clen, msg, mlen, deliver, ctx);
    return n;
}

size_t ps_hub_count(const struct ps_hub *h, enum ps_kind kind)
{
    return dict_size(h->chans[kind]);
}

size_t ps_hub_receivers(struct ps_hub *h, enum ps_kind kind, const char *name, size_t len)
{
    struct chan *c = (struct chan *)dict_find(h->chans[kind], name, len);
    return c ? c->nsubs : 0;
}

void ps_hub_foreach(const struct ps_hub *h, enum ps_kind kind,
                    void (*fn)(void *arg, const char *name, size_t len), void *arg)
{
    for (const struct chan *c = h->first[kind]; c; c = c->next)
        fn(arg, c->name, c->len);
}
