/*
 * client_admin: CLIENT KILL, PAUSE, UNPAUSE, NO-EVICT and REPLY (see
 * client_admin.h). Error texts and argument order are Redis 7.0.15's.
 *
 * CLIENT KILL frees the other matching connections at once (so a command
 * pipelined after it no longer sees them): whatever they held - a blocked
 * wait, subscriptions, WATCHed keys, a held paused command - goes with
 * client_free(). A client that kills itself is closed after its reply.
 */
#include "api/client_admin.h"
#include "api/client.h"
#include "api/command.h"
#include "api/pause.h"
#include "api/reply.h"
#include "api/server.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* An argument as the C string Redis would see (cut at a NUL byte). */
static struct resp_arg c_string(const struct resp_arg *a)
{
    const char *nul = a->len ? memchr(a->ptr, '\0', a->len) : NULL;
    struct resp_arg s = { a->ptr, nul ? (size_t)(nul - a->ptr) : a->len };
    return s;
}

int client_type_by_name(const struct resp_arg *a)
{
    static const struct {
        const char *name;
        int type;
    } names[] = { { "normal", CLIENT_TYPE_NORMAL }, { "slave", CLIENT_TYPE_REPLICA },
                  { "replica", CLIENT_TYPE_REPLICA }, { "pubsub", CLIENT_TYPE_PUBSUB },
                  { "master", CLIENT_TYPE_MASTER } };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (arg_opt_is(a, names[i].name))
            return names[i].type;
    return -1;
}

int client_type_of(const struct client *c)
{
    return (c->flags & CF_PUBSUB) ? CLIENT_TYPE_PUBSUB : CLIENT_TYPE_NORMAL;
}

/* ---- CLIENT KILL ---------------------------------------------------------- */

struct kill_filter {
    const struct resp_arg *addr, *laddr;
    int type;            /* -1: any */
    uint64_t id;         /* 0: any */
    bool skipme;
};

static bool addr_is(const char *have, const struct resp_arg *want)
{
    struct resp_arg w = c_string(want);
    return strlen(have) == w.len && memcmp(have, w.ptr, w.len) == 0;
}

static bool kill_matches(const struct kill_filter *f, const struct client *self, const struct client *o)
{
    if (f->addr && !addr_is(o->addr, f->addr))
        return false;
    if (f->laddr && !addr_is(o->laddr, f->laddr))
        return false;
    if (f->type != -1 && client_type_of(o) != f->type)
        return false;
    if (f->id && o->id != f->id)
        return false;
    return !(o == self && f->skipme);
}

/* The new form's <option> <value> pairs, checked in order as Redis does. */
static bool kill_filter_or_reply(struct client *c, struct kill_filter *f)
{
    for (int i = 2; i < c->argc; i += 2) {
        const struct resp_arg *opt = &c->argv[i], *val = &c->argv[i + 1];
        bool more = i + 1 < c->argc;
        if (more && arg_opt_is(opt, "id")) {
            long long id;
            if (!arg_ll_range_or_reply(c, val, 1, LONG_MAX, &id, "ERR client-id should be greater than 0"))
                return false;
            f->id = (uint64_t)id;
        } else if (more && arg_opt_is(opt, "type")) {
            struct resp_arg name = c_string(val);
            f->type = client_type_by_name(val);
            if (f->type < 0) {
                reply_errorf(&c->out, "ERR Unknown client type '%.*s'", (int)name.len, name.ptr);
                return false;
            }
        } else if (more && arg_opt_is(opt, "addr")) {
            f->addr = val;
        } else if (more && arg_opt_is(opt, "laddr")) {
            f->laddr = val;
        } else if (more && arg_opt_is(opt, "user")) {
            /* taskkv has Redis' one user, "default", whom everyone is */
            if (val->len != 7 || memcmp(val->ptr, "default", 7) != 0) {
                struct resp_arg name = c_string(val);
                reply_errorf(&c->out, "ERR No such user '%.*s'", (int)name.len, name.ptr);
                return false;
            }
        } else if (more && arg_opt_is(opt, "skipme")) {
            if (arg_opt_is(val, "yes")) {
                f->skipme = true;
            } else if (arg_opt_is(val, "no")) {
                f->skipme = false;
            } else {
                reply_err(&c->out, RE_SYNTAX);
                return false;
            }
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    return true;
}

/* CLIENT KILL <ip:port> (old form: +OK or "No such client", may kill the
 * caller) or CLIENT KILL <option> <value> ... (the number killed). */
void client_kill_cmd(struct client *c)
{
    struct kill_filter f = { NULL, NULL, -1, 0, true };
    bool old_form = c->argc == 3, kill_self = false;
    long long killed = 0;
    if (old_form) {
        f.addr = &c->argv[2];
        f.skipme = false;
    } else if (!kill_filter_or_reply(c, &f)) {
        return;
    }
    for (struct client *o = c->srv->clients, *next; o; o = next) {
        next = o->next;
        if (!kill_matches(&f, c, o))
            continue;
        if (o == c)
            kill_self = true;
        else
            client_free(o);
        killed++;
    }
    if (!old_form)
        reply_int(&c->out, killed);
    else if (killed)
        reply_ok(&c->out);
    else
        reply_error(&c->out, "ERR No such client");
    if (kill_self)   /* after the reply is queued */
        c->flags |= CF_CLOSE_AFTER_REPLY;
}

/* ---- CLIENT PAUSE / UNPAUSE ----------------------------------------------- */

/* CLIENT PAUSE <ms> [WRITE|ALL]: the mode is checked before the timeout. */
void client_pause_cmd(struct client *c)
{
    bool all = true;
    long long ms;
    int64_t end = 0;
    if (c->argc > 4) {
        cmd_sub_syntax_error(c);
        return;
    }
    if (c->argc == 4) {
        if (arg_opt_is(&c->argv[3], "write")) {
            all = false;
        } else if (!arg_opt_is(&c->argv[3], "all")) {
            reply_error(&c->out, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    if (!arg_ll_range_or_reply(c, &c->argv[2], LLONG_MIN, LLONG_MAX, &ms,
                               "ERR timeout is not an integer or out of range"))
        return;
    if (ms < 0) {
        reply_err(&c->out, RE_NEGATIVE_TIMEOUT);
        return;
    }
    /* Redis adds the time in a long long that may wrap: a wrapped end is in
     * the past and pauses nothing. */
    if (ms > 0)
        end = (int64_t)((uint64_t)ms + (uint64_t)c->srv->now_ms);
    pause_start(c->srv, end, all);
    reply_ok(&c->out);
}

void client_unpause_cmd(struct client *c)
{
    pause_stop(c->srv);
    reply_ok(&c->out);
}

/* ---- CLIENT NO-EVICT / REPLY ---------------------------------------------- */

/* ON / OFF, as Redis compares them; -1 for anything else. */
static int on_off(const struct resp_arg *a)
{
    return arg_opt_is(a, "on") ? 1 : arg_opt_is(a, "off") ? 0 : -1;
}

void client_no_evict_cmd(struct client *c)
{
    int on = on_off(&c->argv[2]);
    if (on < 0) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (on)
        c->flags |= CF_NO_EVICT;
    else
        c->flags &= ~(uint32_t)CF_NO_EVICT;
    reply_ok(&c->out);
}

/* CLIENT REPLY ON | OFF | SKIP. OFF and SKIP answer nothing; SKIP drops the
 * next command's reply (client_after_command moves SKIP_NEXT to SKIP), and
 * does nothing while OFF. Pushes still get through (reply.h). */
void client_reply_cmd(struct client *c)
{
    const struct resp_arg *a = &c->argv[2];
    if (on_off(a) == 1) {
        c->flags &= ~(uint32_t)(CF_REPLY_OFF | CF_REPLY_SKIP);
        c->out.mute = 0;
        reply_ok(&c->out);
    } else if (on_off(a) == 0) {
        c->flags |= CF_REPLY_OFF;
        c->out.mute = 1;
    } else if (arg_opt_is(a, "skip")) {
        if (!(c->flags & CF_REPLY_OFF))
            c->flags |= CF_REPLY_SKIP_NEXT;
    } else {
        reply_err(&c->out, RE_SYNTAX);
    }
}
