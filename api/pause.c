/*
 * pause: CLIENT PAUSE / UNPAUSE state and the clients it holds (see
 * pause.h for the model).
 *
 * Two intrusive FIFOs of clients (c->pause_prev / pause_next): `held`, the
 * clients waiting for the running pause, and `released`, those whose pause
 * ended and whose command runs again in the next before-sleep step. A client
 * is CF_PAUSED iff it is on one of them; it keeps the flag until it resumes,
 * so input arriving meanwhile waits behind the held command.
 *
 * Holding expiry is deferred while a transaction runs (a CLIENT PAUSE queued
 * in MULTI lets the rest of its EXEC write, as Redis does): a key found
 * expired by one of those writes must still be deletable.
 */
#include "api/pause.h"
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/multi.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/timeidx.h"

#include <stdlib.h>
#include <string.h>

struct plist {
    struct client *head, *tail;
};

struct pause_state {
    struct server *srv;
    bool active, all;
    bool hold_pending;           /* hold expiry once the running transaction ends */
    int64_t end_ms;
    struct ti_item ti;           /* TI_CLIENT_PAUSE at end_ms + 1 */
    struct plist held, released;
    size_t nparked;              /* on either list */
};

static void on_deadline(void *ctx, struct ti_item *it, int64_t now_ms);

struct pause_state *pause_create(struct server *srv)
{
    struct pause_state *p = kv_xcalloc(1, sizeof(*p));
    p->srv = srv;
    ti_item_init(&p->ti, TI_CLIENT_PAUSE);
    ti_set_handler(srv->ti, TI_CLIENT_PAUSE, on_deadline, p);
    return p;
}

void pause_destroy(struct pause_state *p)
{
    if (!p)
        return;
    ti_cancel(p->srv->ti, &p->ti);
    free(p);
}

/* ---- lists ---------------------------------------------------------------- */

static void plist_append(struct plist *l, struct client *c)
{
    c->pause_next = NULL;
    c->pause_prev = l->tail;
    if (l->tail)
        l->tail->pause_next = c;
    else
        l->head = c;
    l->tail = c;
}

static void plist_unlink(struct plist *l, struct client *c)
{
    if (c->pause_prev)
        c->pause_prev->pause_next = c->pause_next;
    else
        l->head = c->pause_next;
    if (c->pause_next)
        c->pause_next->pause_prev = c->pause_prev;
    else
        l->tail = c->pause_prev;
    c->pause_prev = c->pause_next = NULL;
}

/* The list holding c: its head, or reached through a neighbour. */
static struct plist *list_of(struct pause_state *p, const struct client *c)
{
    const struct client *first = c;
    while (first->pause_prev)
        first = first->pause_prev;
    return p->held.head == first ? &p->held : &p->released;
}

/* ---- the pause ------------------------------------------------------------ */

void pause_start(struct server *srv, int64_t end_ms, bool all)
{
    struct pause_state *p = srv->pause;
    if (p->active) {
        p->all = p->all || all;
        if (end_ms > p->end_ms)
            p->end_ms = end_ms;
    } else {
        p->all = all;
        p->end_ms = end_ms;
    }
    if (p->end_ms < srv->now_ms) {   /* already over, as Redis drops it */
        pause_stop(srv);
        return;
    }
    p->active = true;
    ti_schedule(srv->ti, &p->ti, p->end_ms < INT64_MAX ? p->end_ms + 1 : INT64_MAX);
    server_deadline_changed(srv);
    if (srv->call_depth > 1)
        p->hold_pending = true;
    else
        kv_hold_expiry(srv->ks, true);
}

void pause_stop(struct server *srv)
{
    struct pause_state *p = srv->pause;
    struct client *c;
    p->active = false;
    p->hold_pending = false;
    ti_cancel(srv->ti, &p->ti);
    if (kv_expiry_held(srv->ks))
        kv_hold_expiry(srv->ks, false);
    server_deadline_changed(srv);
    while ((c = p->held.head) != NULL) {
        plist_unlink(&p->held, c);
        plist_append(&p->released, c);
    }
}

static void on_deadline(void *ctx, struct ti_item *it, int64_t now_ms)
{
    struct pause_state *p = ctx;
    (void)it;
    (void)now_ms;
    pause_stop(p->srv);
}

bool pause_active(const struct server *srv)
{
    return srv->pause->active;
}

size_t pause_held_clients(const struct server *srv)
{
    return srv->pause->nparked;
}

/* ---- held clients --------------------------------------------------------- */

/* Redis' "may replicate" commands besides the writes (COMMAND INFO does
 * not show that flag, so the table lacks it). */
static bool may_replicate(const struct cmd_def *d, const struct cmd_def *parent)
{
    static const char *const names[] = { "eval", "evalsha", "publish", "spublish", "pfcount", "fcall" };
    if (d->flags & (CMD_WRITE | CMD_MAY_REPLICATE))
        return true;
    for (size_t i = 0; !parent && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(d->name, names[i]) == 0)
            return true;
    return false;
}

static bool holds_in_write_mode(const struct client *c, const struct cmd_def *d, const struct cmd_def *parent)
{
    if (may_replicate(d, parent))
        return true;
    return !parent && strcmp(d->name, "exec") == 0 && multi_queue_any(c, may_replicate);
}

bool pause_holds(struct client *c, const struct cmd_def *d, const struct cmd_def *parent)
{
    struct pause_state *p = c->srv->pause;
    if (!p->active || c->srv->call_depth > 0 || (c->flags & CF_FAKE) || block_retrying(c))
        return false;
    if (!p->all && !holds_in_write_mode(c, d, parent))
        return false;
    c->flags |= CF_PAUSED;
    c->last_cmd = d;   /* CLIENT LIST shows the waiting command, as Redis */
    c->last_parent = parent;
    plist_append(&p->held, c);
    p->nparked++;
    return true;
}

void pause_cancel(struct client *c)
{
    struct pause_state *p = c->srv->pause;
    plist_unlink(list_of(p, c), c);
    c->flags &= ~(uint32_t)CF_PAUSED;
    p->nparked--;
}

void pause_resume_clients(struct server *srv)
{
    struct pause_state *p = srv->pause;
    struct client *c;
    if (p->hold_pending && srv->call_depth == 0) {
        p->hold_pending = false;
        kv_hold_expiry(srv->ks, true);
    }
    while ((c = p->released.head) != NULL) {
        plist_unlink(&p->released, c);
        c->flags &= ~(uint32_t)CF_PAUSED;
        p->nparked--;
        client_resume(c);
    }
}
