/*
 * multi: transactions and watched keys (see multi.h).
 *
 * The queue. Each queued command is one allocation holding its argv array
 * and the argument bytes (NUL-terminated, as the parser delivers them), so
 * a queued command no longer points into the client's input buffer.
 *
 * The watch registry. Per database, a dict from key to a `struct wkey`
 * listing the watchers (`struct wlink`, one per client and key); each
 * client also chains its own links, so UNWATCH, EXEC and closing free them
 * without a search. A change to a key of a database nobody watches costs
 * one size check.
 */
#include "api/multi.h"
#include "api/client.h"
#include "api/command.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/kv.h"

#include <stdlib.h>
#include <string.h>

struct queued {
    const struct cmd_def *cmd, *parent;
    struct cmd_stats *stats;
    int argc;
    struct resp_arg argv[];   /* then the argument bytes */
};

struct multi_state {
    struct queued **cmds;
    int n, cap;
};

struct wkey;

struct wlink {
    struct wkey *key;
    struct client *c;
    struct wlink *kprev, *knext;   /* the key's watchers */
    struct wlink *cnext;           /* the client's watched keys */
    bool expired;                  /* logically expired when watched */
};

struct wkey {
    struct dict_node node;
    struct wlink *head;
    int db;
    size_t klen;
    char key[];
};

struct watch_registry {
    int ndb;
    struct dict **dbs;             /* created on first WATCH in that db */
};

static void wkey_node_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct wkey *k = (const struct wkey *)n;
    *key = k->key;
    *len = k->klen;
}

static const struct dict_type wkey_type = { wkey_node_key };

struct watch_registry *watch_registry_create(int ndb)
{
    struct watch_registry *w = kv_xcalloc(1, sizeof(*w));
    w->ndb = ndb;
    w->dbs = kv_xcalloc((size_t)ndb, sizeof(*w->dbs));
    return w;
}

void watch_registry_destroy(struct watch_registry *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->ndb; i++)
        dict_destroy(w->dbs[i]);   /* empty: every client unwatched on close */
    free(w->dbs);
    free(w);
}

/* ---- watching ----------------------------------------------------------- */

static bool key_is_expired(struct server *srv, int db, const char *key, size_t klen)
{
    struct kv_entry *e = kv_peek(srv->ks, db, key, klen);
    return e && kv_is_expired(e, srv->now_ms);
}

static bool key_exists(struct server *srv, int db, const char *key, size_t klen)
{
    return kv_peek(srv->ks, db, key, klen) != NULL;
}

static void watch_key(struct client *c, const struct resp_arg *a)
{
    struct watch_registry *w = c->srv->watch;
    struct wkey *k;
    struct wlink *l;
    for (l = c->watched; l; l = l->cnext)
        if (l->key->db == c->db && l->key->klen == a->len && memcmp(l->key->key, a->ptr, a->len) == 0)
            return;
    if (!w->dbs[c->db])
        w->dbs[c->db] = dict_create(&wkey_type);
    k = (struct wkey *)dict_find(w->dbs[c->db], a->ptr, a->len);
    if (!k) {
        k = kv_xcalloc(1, sizeof(*k) + a->len + 1);
        k->db = c->db;
        k->klen = a->len;
        memcpy(k->key, a->ptr, a->len);
        dict_insert(w->dbs[c->db], &k->node);
    }
    l = kv_xcalloc(1, sizeof(*l));
    l->key = k;
    l->c = c;
    l->expired = key_is_expired(c->srv, c->db, a->ptr, a->len);
    l->knext = k->head;
    if (k->head)
        k->head->kprev = l;
    k->head = l;
    l->cnext = c->watched;
    c->watched = l;
}

static void unwatch_all(struct client *c)
{
    struct watch_registry *w = c->srv->watch;
    struct wlink *l, *next;
    for (l = c->watched; l; l = next) {
        struct wkey *k = l->key;
        next = l->cnext;
        if (l->kprev)
            l->kprev->knext = l->knext;
        else
            k->head = l->knext;
        if (l->knext)
            l->knext->kprev = l->kprev;
        if (!k->head) {
            dict_unlink_node(w->dbs[k->db], &k->node);
            free(k);
        }
        free(l);
    }
    c->watched = NULL;
}

/* Whether a watched key that was alive when watched has expired since
 * (it may still be in the table, waiting for the timer). */
static bool watched_key_expired(struct client *c)
{
    for (struct wlink *l = c->watched; l; l = l->cnext)
        if (!l->expired && key_is_expired(c->srv, l->key->db, l->key->key, l->key->klen))
            return true;
    return false;
}

void watch_key_changed(struct server *srv, int db, const char *key, size_t klen)
{
    struct dict *d = srv->watch->dbs[db];
    struct wkey *k;
    if (!d || dict_size(d) == 0)
        return;
    k = (struct wkey *)dict_find(d, key, klen);
    if (!k)
        return;
    for (struct wlink *l = k->head; l; l = l->knext) {
        if (l->expired) {
            /* Absent to the client since WATCH; deleting it changes nothing. */
            if (!key_exists(srv, db, key, klen)) {
                l->expired = false;
                continue;
            }
        }
        l->c->flags |= CF_DIRTY_CAS;
    }
}

/* The watchers of database `db` whose key is emptied (exists in `emptied`)
 * or replaced (exists in `replaced`, -1: nothing replaces it) become
 * dirty; `now` tables are read after a SWAPDB, so both are table indexes. */
static void touch_db(struct server *srv, int db, int emptied, int replaced)
{
    struct dict *d = srv->watch->dbs[db];
    struct dict_iter it;
    struct dict_node *n;
    if (!d || dict_size(d) == 0)
        return;
    dict_iter_init(&it, d);
    while ((n = dict_iter_next(&it)) != NULL) {
        struct wkey *k = (struct wkey *)n;
        bool in_emptied = key_exists(srv, emptied, k->key, k->klen);
        bool in_replaced = replaced >= 0 && key_exists(srv, replaced, k->key, k->klen);
        if (!in_emptied && !in_replaced)
            continue;
        for (struct wlink *l = k->head; l; l = l->knext) {
            if (l->expired) {
                if (!in_replaced) {
                    l->expired = false;   /* an expired key deleted: no change */
                    continue;
                }
                if (key_is_expired(srv, replaced, k->key, k->klen))
                    continue;             /* still expired */
            } else if (!in_emptied && key_is_expired(srv, replaced, k->key, k->klen)) {
                l->expired = true;        /* absent, replaced by an expired key */
                continue;
            }
            l->c->flags |= CF_DIRTY_CAS;
        }
    }
    dict_iter_deinit(&it);
}

void watch_db_flushing(struct server *srv, int db)
{
    for (int i = 0; i < srv->watch->ndb; i++)
        if (db < 0 || db == i)
            touch_db(srv, i, i, -1);
}

void watch_db_swapped(struct server *srv, int a, int b)
{
    /* Database a's old content now sits at b and the other way round. */
    touch_db(srv, a, b, a);
    touch_db(srv, b, a, b);
}

/* ---- the queue ---------------------------------------------------------- */

static void queue_free(struct multi_state *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        free(m->cmds[i]);
    free(m->cmds);
    free(m);
}

static void discard(struct client *c)
{
    queue_free(c->multi);
    c->multi = NULL;
    c->flags &= ~(uint32_t)(CF_MULTI | CF_DIRTY_CAS | CF_DIRTY_EXEC);
    unwatch_all(c);
}

int multi_count(const struct client *c)
{
    return c->multi ? c->multi->n : -1;
}

void multi_foreach_queued(const struct client *c,
                          void (*fn)(void *arg, const struct cmd_def *d, int argc, const struct resp_arg *argv),
                          void *arg)
{
    if (!c->multi)
        return;
    for (int i = 0; i < c->multi->n; i++)
        fn(arg, c->multi->cmds[i]->cmd, c->multi->cmds[i]->argc, c->multi->cmds[i]->argv);
}

bool multi_queue_any(const struct client *c, bool (*pred)(const struct cmd_def *d, const struct cmd_def *parent))
{
    for (int i = 0; c->multi && i < c->multi->n; i++)
        if (pred(c->multi->cmds[i]->cmd, c->multi->cmds[i]->parent))
            return true;
    return false;
}

void multi_client_reset(struct client *c)
{
    discard(c);
}

bool multi_queues(const struct client *c, const struct cmd_def *d)
{
    static const char *const direct[] = { "exec", "discard", "multi", "watch", "quit", "reset" };
    if (!(c->flags & CF_MULTI))
        return false;
    for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++)
        if (strcmp(d->name, direct[i]) == 0)
            return false;
    return true;
}

void multi_queue(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, struct cmd_stats *stats)
{
    struct multi_state *m = c->multi;
    size_t bytes = sizeof(struct queued) + sizeof(struct resp_arg) * (size_t)c->argc;
    struct queued *q;
    char *p;
    for (int i = 0; i < c->argc; i++)
        bytes += c->argv[i].len + 1;
    q = kv_xmalloc(bytes);
    q->cmd = d;
    q->parent = parent;
    q->stats = stats;
    q->argc = c->argc;
    p = (char *)&q->argv[c->argc];
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].ptr, c->argv[i].len);
        p[c->argv[i].len] = '\0';
        q->argv[i].ptr = p;
        q->argv[i].len = c->argv[i].len;
        p += c->argv[i].len + 1;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->cmds = kv_xrealloc(m->cmds, sizeof(*m->cmds) * (size_t)m->cap);
    }
    m->cmds[m->n++] = q;
    reply_simple(&c->out, "QUEUED");
}

void multi_flag_error(struct client *c)
{
    if (c->flags & CF_MULTI)
        c->flags |= CF_DIRTY_EXEC;
}

void multi_exec_abort(struct client *c, const char *why)
{
    discard(c);
    reply_errorf(&c->out, "EXECABORT Transaction discarded because of: %s", why);
}

/* ---- commands ----------------------------------------------------------- */

static void multi_cmd(struct client *c)
{
    if (c->flags & CF_MULTI) {
        reply_error(&c->out, "ERR MULTI calls can not be nested");
        return;
    }
    c->multi = kv_xcalloc(1, sizeof(*c->multi));
    c->flags |= CF_MULTI;
    reply_ok(&c->out);
}

static void discard_cmd(struct client *c)
{
    if (!(c->flags & CF_MULTI)) {
        reply_error(&c->out, "ERR DISCARD without MULTI");
        return;
    }
    discard(c);
    reply_ok(&c->out);
}

static void exec_cmd(struct client *c)
{
    struct multi_state *m = c->multi;
    bool deny_was;
    int argc = c->argc;
    struct resp_arg *argv = c->argv;
    if (!(c->flags & CF_MULTI)) {
        reply_error(&c->out, "ERR EXEC without MULTI");
        return;
    }
    if (watched_key_expired(c))
        c->flags |= CF_DIRTY_CAS;
    if (c->flags & (CF_DIRTY_CAS | CF_DIRTY_EXEC)) {
        if (c->flags & CF_DIRTY_EXEC)
            reply_error(&c->out, "EXECABORT Transaction discarded because of previous errors.");
        else
            reply_null_array(&c->out);
        discard(c);
        return;
    }
    unwatch_all(c);
    deny_was = (c->flags & CF_DENY_BLOCKING) != 0;
    c->flags |= CF_DENY_BLOCKING;
    c->multi = NULL;                    /* the queue is ours now */
    cmd_exec_begin(c->srv);
    reply_array(&c->out, m->n);
    for (int i = 0; i < m->n; i++) {
        struct queued *q = m->cmds[i];
        c->argc = q->argc;
        c->argv = q->argv;
        cmd_call(c, q->cmd, q->parent, q->stats);
    }
    cmd_exec_end(c->srv);
    c->argc = argc;
    c->argv = argv;
    if (!deny_was)
        c->flags &= ~(uint32_t)CF_DENY_BLOCKING;
    queue_free(m);
    discard(c);
}

static void watch_cmd(struct client *c)
{
    if (c->flags & CF_MULTI) {
        reply_error(&c->out, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    /* A client already dirty keeps failing: watching more changes nothing. */
    if (!(c->flags & CF_DIRTY_CAS))
        for (int j = 1; j < c->argc; j++)
            watch_key(c, &c->argv[j]);
    reply_ok(&c->out);
}

static void unwatch_cmd(struct client *c)
{
    unwatch_all(c);
    c->flags &= ~(uint32_t)CF_DIRTY_CAS;
    reply_ok(&c->out);
}

#define TX_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static const struct cmd_def multi_cmds[] = {
    { "multi", multi_cmd, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, ACL_FAST | ACL_TRANSACTION, 0, 0, 0,
      "Starts a transaction.", NULL },
    { "exec", exec_cmd, 1, TX_FLAGS | CMD_SKIP_SLOWLOG, ACL_SLOW | ACL_TRANSACTION, 0, 0, 0,
      "Executes all commands in a transaction.", NULL },
    { "discard", discard_cmd, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, ACL_FAST | ACL_TRANSACTION, 0, 0, 0,
      "Discards a transaction.", NULL },
    { "watch", watch_cmd, -2, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, ACL_FAST | ACL_TRANSACTION, 1, -1, 1,
      "Monitors changes to keys to determine the execution of a transaction.", NULL },
    { "unwatch", unwatch_cmd, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, ACL_FAST | ACL_TRANSACTION, 0, 0, 0,
      "Forgets about watched keys of a transaction.", NULL },
};

const struct cmd_group cmd_group_multi = CMD_GROUP("transactions", multi_cmds);
