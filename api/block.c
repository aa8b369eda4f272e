/*
 * block: parked clients and the keys they wait on (see block.h for the
 * model).
 *
 * Data structures:
 *   - `keys`: a dict of `struct bkey`, one per (database, key) with at least
 *     one waiter; its name is the 4-byte database number followed by the key
 *     bytes, so module events (BLOCK_DB_EVENTS) share the table. Each bkey
 *     holds a FIFO of links, one per waiting client.
 *   - `struct block_waiter`: one per blocked client (c->wait): a copy of the
 *     command's arguments in one allocation, its time-index item, and one
 *     link per distinct key it waits on.
 *   - the ready list: bkeys changed since the last serve, each at most once,
 *     in the order they became ready.
 *   - the resume list: clients served since the last loop iteration whose
 *     pipelined input has not run yet (client_resume in the before-sleep
 *     step).
 *
 * Invariants: a client is CF_BLOCKED iff c->wait != NULL; every link is in
 * its bkey's FIFO; a bkey with no links is freed, except while it is being
 * served (pinned), after which it is freed if still empty.
 */
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/kv.h"
#include "engine/numfmt.h"
#include "engine/timeidx.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct wlink {
    struct wlink *prev, *next;
    struct bkey *bk;
    struct block_waiter *w;
};

struct bkey {
    struct dict_node node;
    struct wlink *head, *tail;
    struct bkey *next_ready;
    bool ready, pinned;
    size_t nlen;
    char name[];                 /* int32 db, then the key bytes */
};

struct block_waiter {
    struct client *c;
    struct ti_item ti;
    bool retry_at_deadline;
    int argc;
    struct resp_arg *argv;       /* in `argbytes` */
    char *argbytes;
    int nlinks;
    struct wlink links[];
};

struct block_state {
    struct server *srv;
    struct dict *keys;
    struct bkey *ready_head, *ready_tail;
    struct client *resume;       /* served clients whose input must run again */
    size_t nclients;
    bool serving;
    struct client *retrying;     /* the client whose command runs again */
    struct bkey *serving_key;    /* the ready key whose waiters run again */
    bool reblocked, deadline_passed;
};

#define WAITER_OF(it) ((struct block_waiter *)((char *)(it) - offsetof(struct block_waiter, ti)))

static void bkey_name(const struct dict_node *n, const char **key, size_t *len)
{
    const struct bkey *bk = (const struct bkey *)n;
    *key = bk->name;
    *len = bk->nlen;
}

static const struct dict_type bkey_type = { bkey_name };

static void on_deadline(void *ctx, struct ti_item *it, int64_t now_ms);

struct block_state *block_create(struct server *srv)
{
    struct block_state *b = kv_xcalloc(1, sizeof(*b));
    b->srv = srv;
    b->keys = dict_create(&bkey_type);
    ti_set_handler(srv->ti, TI_CLIENT_TIMEOUT, on_deadline, b);
    return b;
}

void block_destroy(struct block_state *b)
{
    if (!b)
        return;
    /* Clients are freed (and their waits cancelled) before this runs. */
    dict_destroy(b->keys);
    free(b);
}

/* ---- names ---------------------------------------------------------------- */

/* Builds the table name of (db, key) into buf (or a heap copy when large);
 * returns it, to be released with name_release. */
static char *name_build(char *buf, size_t cap, int db, const char *key, size_t klen, size_t *nlen)
{
    int32_t d = db;
    char *p = klen + 4 <= cap ? buf : kv_xmalloc(klen + 4);
    memcpy(p, &d, 4);
    if (klen)
        memcpy(p + 4, key, klen);
    *nlen = klen + 4;
    return p;
}

static void name_release(char *p, const char *buf)
{
    if (p != buf)
        free(p);
}

static struct bkey *bkey_find(struct block_state *b, int db, const char *key, size_t klen)
{
    char buf[256];
    size_t nlen;
    char *name;
    struct dict_node *n;
    if (dict_size(b->keys) == 0)
        return NULL;
    name = name_build(buf, sizeof(buf), db, key, klen, &nlen);
    n = dict_find(b->keys, name, nlen);
    name_release(name, buf);
    return (struct bkey *)n;
}

static struct bkey *bkey_get(struct block_state *b, int db, const char *key, size_t klen)
{
    struct bkey *bk = bkey_find(b, db, key, klen);
    if (bk)
        return bk;
    bk = kv_xcalloc(1, sizeof(*bk) + klen + 4);
    name_build(bk->name, klen + 4, db, key, klen, &bk->nlen);
    dict_insert(b->keys, &bk->node);
    return bk;
}

static void bkey_free_if_empty(struct block_state *b, struct bkey *bk)
{
    if (bk->head || bk->pinned || bk->ready)
        return;
    dict_unlink_node(b->keys, &bk->node);
    free(bk);
}

static int bkey_db(const struct bkey *bk)
{
    int32_t d;
    memcpy(&d, bk->name, 4);
    return d;
}

/* ---- waiting -------------------------------------------------------------- */

bool block_allowed(const struct client *c)
{
    return !(c->flags & CF_DENY_BLOCKING);
}

bool block_retrying(const struct client *c)
{
    return c->srv->block->retrying == c;
}

bool block_woken_by(const struct client *c, const char **key, size_t *klen)
{
    const struct block_state *b = c->srv->block;
    if (!block_retrying(c) || !b->serving_key || bkey_db(b->serving_key) == BLOCK_DB_EVENTS)
        return false;
    *key = b->serving_key->name + 4;
    *klen = b->serving_key->nlen - 4;
    return true;
}

bool block_deadline_passed(const struct client *c)
{
    return block_retrying(c) && c->srv->block->deadline_passed;
}

static void reply_timeout(struct client *c)
{
    reply_null_array(&c->out);
}

/* Copies the running command's arguments into the waiter. */
static void copy_args(struct block_waiter *w, const struct client *c)
{
    size_t bytes = 0, off = 0;
    for (int i = 0; i < c->argc; i++)
        bytes += c->argv[i].len + 1;
    w->argc = c->argc;
    w->argv = kv_xmalloc(sizeof(*w->argv) * (size_t)c->argc);
    w->argbytes = kv_xmalloc(bytes ? bytes : 1);
    for (int i = 0; i < c->argc; i++) {
        memcpy(w->argbytes + off, c->argv[i].ptr, c->argv[i].len);
        w->argbytes[off + c->argv[i].len] = '\0';
        w->argv[i].ptr = w->argbytes + off;
        w->argv[i].len = c->argv[i].len;
        off += c->argv[i].len + 1;
    }
}

static bool already_linked(const struct block_waiter *w, const struct bkey *bk)
{
    for (int i = 0; i < w->nlinks; i++)
        if (w->links[i].bk == bk)
            return true;
    return false;
}

static void link_key(struct block_waiter *w, struct bkey *bk)
{
    struct wlink *l = &w->links[w->nlinks++];
    l->bk = bk;
    l->w = w;
    l->next = NULL;
    l->prev = bk->tail;
    if (bk->tail)
        bk->tail->next = l;
    else
        bk->head = l;
    bk->tail = l;
}

static void set_deadline(struct block_state *b, struct block_waiter *w, int64_t deadline_ms)
{
    if (deadline_ms > 0)
        ti_schedule(b->srv->ti, &w->ti, deadline_ms);
    else
        ti_cancel(b->srv->ti, &w->ti);
    server_deadline_changed(b->srv);
}

void block_wait(struct client *c, const struct block_spec *spec)
{
    struct block_state *b = c->srv->block;
    struct block_waiter *w;
    if (!block_allowed(c)) {
        reply_timeout(c);
        return;
    }
    if (b->retrying == c) {         /* still nothing: keep the place in line */
        b->reblocked = true;
        /* A key wait keeps the deadline of its first call (the retried
         * command computes its timeout afresh); a deadline-driven wait
         * (a job's due time) moves to the one it gives now. */
        if (c->wait->retry_at_deadline &&
            (!ti_scheduled(&c->wait->ti) || c->wait->ti.deadline_ms != spec->deadline_ms))
            set_deadline(b, c->wait, spec->deadline_ms);
        return;
    }
    w = kv_xcalloc(1, sizeof(*w) + sizeof(struct wlink) * (size_t)(spec->nkeys > 0 ? spec->nkeys : 1));
    w->c = c;
    w->retry_at_deadline = spec->retry_at_deadline;
    ti_item_init(&w->ti, TI_CLIENT_TIMEOUT);
    copy_args(w, c);
    for (int i = 0; i < spec->nkeys; i++) {
        struct bkey *bk = bkey_get(b, spec->db, spec->keys[i].ptr, spec->keys[i].len);
        if (!already_linked(w, bk))
            link_key(w, bk);
    }
    c->wait = w;
    c->flags |= CF_BLOCKED;
    b->nclients++;
    set_deadline(b, w, spec->deadline_ms);
}

/* Ends a wait: unlinks the client from every key and the time index. */
static void end_wait(struct block_state *b, struct client *c)
{
    struct block_waiter *w = c->wait;
    for (int i = 0; i < w->nlinks; i++) {
        struct wlink *l = &w->links[i];
        struct bkey *bk = l->bk;
        if (l->prev)
            l->prev->next = l->next;
        else
            bk->head = l->next;
        if (l->next)
            l->next->prev = l->prev;
        else
            bk->tail = l->prev;
        bkey_free_if_empty(b, bk);
    }
    ti_cancel(b->srv->ti, &w->ti);
    free(w->argv);
    free(w->argbytes);
    free(w);
    c->wait = NULL;
    c->flags &= ~(uint32_t)CF_BLOCKED;
    b->nclients--;
}

/* After a served or timed-out wait: the reply goes out, and input that
 * arrived meanwhile runs in the before-sleep step. */
static void finish(struct block_state *b, struct client *c)
{
    end_wait(b, c);
    c->last_interaction_ms = server_clock_ms();   /* its reply is on the way: not idle for `timeout` */
    c->flags |= CF_DATA_OUT;
    client_after_command(c);
    client_mark_pending(c);
    if (!(c->flags & CF_RESUME)) {
        c->flags |= CF_RESUME;
        c->next_resume = b->resume;
        b->resume = c;
    }
}

void block_cancel(struct client *c)
{
    struct block_state *b = c->srv->block;
    if (c->wait)
        end_wait(b, c);
    if (c->flags & CF_RESUME) {
        for (struct client **pp = &b->resume; *pp; pp = &(*pp)->next_resume)
            if (*pp == c) {
                *pp = c->next_resume;
                break;
            }
        c->flags &= ~(uint32_t)CF_RESUME;
    }
}

void block_resume_clients(struct block_state *b)
{
    while (b->resume) {
        struct client *c = b->resume;
        b->resume = c->next_resume;
        c->flags &= ~(uint32_t)CF_RESUME;
        client_resume(c);
    }
}

bool block_unblock(struct client *c, bool with_error)
{
    struct block_state *b = c->srv->block;
    if (!c->wait)
        return false;
    if (with_error)
        reply_error(&c->out, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else
        reply_timeout(c);
    finish(b, c);
    return true;
}

/* Runs the parked command again; true if it replied (served). */
static bool retry(struct block_state *b, struct client *c, bool deadline)
{
    struct block_waiter *w = c->wait;
    b->retrying = c;
    b->reblocked = false;
    b->deadline_passed = deadline;
    c->argc = w->argc;
    c->argv = w->argv;
    cmd_dispatch(c);
    c->argc = 0;
    c->argv = NULL;
    b->retrying = NULL;
    if (b->reblocked)
        return false;
    finish(b, c);
    return true;
}

static void on_deadline(void *ctx, struct ti_item *it, int64_t now_ms)
{
    struct block_state *b = ctx;
    struct block_waiter *w = WAITER_OF(it);
    struct client *c = w->c;
    (void)now_ms;
    if (w->retry_at_deadline) {
        retry(b, c, true);
    } else {
        reply_timeout(c);
        finish(b, c);
    }
    block_serve_ready(b);
}

/* ---- readiness ------------------------------------------------------------ */

static void mark_ready(struct block_state *b, struct bkey *bk)
{
    if (!bk || bk->ready)
        return;
    bk->ready = true;
    bk->next_ready = NULL;
    if (b->ready_tail)
        b->ready_tail->next_ready = bk;
    else
        b->ready_head = bk;
    b->ready_tail = bk;
}

void block_key_changed(struct block_state *b, int db, const char *key, size_t klen)
{
    if (b->nclients)
        mark_ready(b, bkey_find(b, db, key, klen));
}

void block_signal(struct block_state *b, const char *event, size_t len)
{
    if (b->nclients)
        mark_ready(b, bkey_find(b, BLOCK_DB_EVENTS, event, len));
}

struct db_scan {
    struct block_state *b;
    int db;
};

static void mark_db(struct dict_node *n, void *arg)
{
    struct db_scan *s = arg;
    struct bkey *bk = (struct bkey *)n;
    if (s->db < 0 || bkey_db(bk) == s->db)
        mark_ready(s->b, bk);
}

void block_db_changed(struct block_state *b, int db)
{
    struct db_scan s = { b, db };
    uint64_t cursor = 0;
    if (!b->nclients)
        return;
    do
        cursor = dict_scan(b->keys, cursor, mark_db, &s);
    while (cursor);
}

bool block_has_ready(const struct block_state *b)
{
    return b->ready_head != NULL;
}

/* Serves one ready key's waiters in line order. A retry that finds nothing
 * stops the round when the key is gone (nothing left for those behind);
 * one that fails while the key exists (another type, or data the waiter
 * cannot take) lets the next waiter try. Event keys stop at the first
 * waiter that cannot proceed. */
static void serve_key(struct block_state *b, struct bkey *bk)
{
    int db = bkey_db(bk);
    struct wlink *l = bk->head;
    bk->pinned = true;
    b->serving_key = bk;
    while (l) {
        struct wlink *next = l->next;
        if (!retry(b, l->w->c, false)) {
            if (db == BLOCK_DB_EVENTS ||
                !kv_peek(b->srv->ks, db, bk->name + 4, bk->nlen - 4))
                break;
        }
        l = next;
    }
    b->serving_key = NULL;
    bk->pinned = false;
    bkey_free_if_empty(b, bk);
}

void block_serve_ready(struct block_state *b)
{
    if (b->serving)
        return;
    b->serving = true;
    while (b->ready_head) {
        struct bkey *bk = b->ready_head;
        b->ready_head = bk->next_ready;
        if (!b->ready_head)
            b->ready_tail = NULL;
        bk->ready = false;
        serve_key(b, bk);
    }
    b->serving = false;
}

size_t block_clients(const struct block_state *b)
{
    return b->nclients;
}

size_t block_keys(const struct block_state *b)
{
    return dict_size(b->keys);
}

/* ---- timeouts ------------------------------------------------------------- */

bool block_timeout_or_reply(struct client *c, const struct resp_arg *a, bool in_ms, int64_t *deadline_ms)
{
    long long t;
    if (in_ms) {
        if (!nf_str2ll(a->ptr, a->len, &t)) {
            reply_error(&c->out, "ERR timeout is not an integer or out of range");
            return false;
        }
    } else {
        long double f;
        if (!nf_str2ld(a->ptr, a->len, &f)) {
            reply_err(&c->out, RE_NOT_INT_OR_RANGE_TIMEOUT);
            return false;
        }
        /* Redis converts ceill(seconds * 1000) to long long; a value out of
         * that range (infinities included) comes out as LLONG_MIN on the
         * platforms it runs on, hence "negative". */
        f = ceill(f * 1000.0L);
        t = (f >= 9223372036854775807.0L || f < -9223372036854775807.0L) ? LLONG_MIN : (long long)f;
    }
    if (t < 0) {
        reply_err(&c->out, RE_NEGATIVE_TIMEOUT);
        return false;
    }
    if (t == 0)
        *deadline_ms = 0;
    else
        *deadline_ms = t > INT64_MAX - c->srv->now_ms ? INT64_MAX : c->srv->now_ms + t;
    return true;
}
