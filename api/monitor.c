/*
 * MONITOR and the dispatcher's operations hook (see ops.h).
 *
 * A monitor receives, for each command processed after it entered MONITOR
 * mode, a status line in Redis' format:
 *   +<unix seconds>.<microseconds> [<db> <addr>] "<cmd>" "<arg>" ...
 * with every argument quoted and escaped as Redis' sdscatrepr() does. As in
 * Redis 7.0, commands flagged admin or skip-monitor are not shown (EVAL and
 * friends are shown before they run, their calls as "[<db> lua]"),
 * rejected commands are not shown, and passwords appear as "(redacted)".
 */
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/ops.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ops_refresh(struct server *srv)
{
    const struct config_values *v = config_values(srv->cfg);
    int64_t min = INT64_MAX;
    if (v->slowlog_log_slower_than >= 0)
        min = v->slowlog_log_slower_than;
    if (v->latency_monitor_threshold > 0) {
        int64_t us = v->latency_monitor_threshold > INT64_MAX / 1000 ? INT64_MAX : v->latency_monitor_threshold * 1000;
        if (us < min)
            min = us;
    }
    if (srv->monitors)
        min = 0;
    srv->ops_min_us = min;
}

void ops_destroy(struct server *srv)
{
    slowlog_free(srv);
    latency_free(srv);
}

static bool name_is(const struct cmd_def *d, const char *name)
{
    return d && strcmp(d->name, name) == 0;
}

bool ops_redacted(const struct cmd_def *d, const struct cmd_def *parent, int argc, const struct resp_arg *argv,
                  int i)
{
    if (!parent && name_is(d, "auth"))
        return i >= 1;
    if (!parent && name_is(d, "hello")) {
        for (int j = 2; j + 2 < argc; j++)
            if (arg_is(&argv[j], "auth") && (i == j + 1 || i == j + 2))
                return true;
        return false;
    }
    if (!parent && name_is(d, "migrate")) {
        for (int j = 6; j < argc; j++) {
            if (arg_is(&argv[j], "keys"))
                return false;
            if (arg_is(&argv[j], "auth") && i == j + 1)
                return true;
            if (arg_is(&argv[j], "auth2") && (i == j + 1 || i == j + 2))
                return true;
        }
        return false;
    }
    if (parent && name_is(parent, "config") && name_is(d, "set"))
        return i >= 3 && (i - 3) % 2 == 0 && config_is_sensitive(argv[i - 1].ptr, argv[i - 1].len);
    return false;
}

/* Redis' sdscatrepr(): the bytes in double quotes, escaped. */
static void cat_repr(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n * 4 + 4 > *cap) {
        *cap = (*len + n * 4 + 4) * 2;
        *buf = kv_xrealloc(*buf, *cap);
    }
    char *o = *buf + *len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '"': *o++ = '\\'; *o++ = '"'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\a': *o++ = '\\'; *o++ = 'a'; break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        default:
            if (isprint(ch)) {
                *o++ = (char)ch;
            } else {
                o += sprintf(o, "\\x%02x", ch);
            }
        }
    }
    *o++ = '"';
    *len = (size_t)(o - *buf);
}

static void feed_line(struct server *srv, struct client *c, const struct cmd_def *d, const struct cmd_def *parent,
                      int argc, const struct resp_arg *argv)
{
    char head[200];
    int64_t now = server_clock_us();
    const char *addr = c->addr;
    char unixaddr[160];
    unsigned count = 0;
    size_t len, cap = 256;
    char *buf;
    if (c->flags & CF_SCRIPT) {
        addr = "lua";
    } else if (c->flags & CF_UNIX) {
        const char *path = config_values(srv->cfg)->unixsocket;
        snprintf(unixaddr, sizeof(unixaddr), "unix:%s", path ? path : "");
        addr = unixaddr;
    }
    len = (size_t)snprintf(head, sizeof(head), "+%lld.%06lld [%d %s]", (long long)(now / 1000000),
                           (long long)(now % 1000000), c->db, addr);
    if (len >= sizeof(head))
        len = sizeof(head) - 1;
    buf = kv_xmalloc(cap);
    memcpy(buf, head, len);
    for (int i = 0; i < argc; i++) {
        buf[len++] = ' ';
        if (d && ops_redacted(d, parent, argc, argv, i))
            cat_repr(&buf, &len, &cap, "(redacted)", 10);
        else
            cat_repr(&buf, &len, &cap, argv[i].ptr, argv[i].len);
    }
    if (len + 2 > cap)
        buf = kv_xrealloc(buf, cap = len + 2);
    buf[len++] = '\r';
    buf[len++] = '\n';
    for (struct client *m = srv->clients; m; m = m->next) {
        if (!(m->flags & CF_MONITOR) || (m->flags & (CF_CLOSE_ASAP | CF_CLOSE_AFTER_REPLY)))
            continue;
        count++;
        reply_raw(&m->out, buf, len);
        m->flags |= CF_DATA_OUT;   /* the line may show a write not yet committed (persist.c update_hold) */
        client_mark_pending(m);
    }
    free(buf);
    if (count != srv->monitors) {   /* monitors that left (client_free does not tell us) */
        srv->monitors = count;
        ops_refresh(srv);
    }
}

void monitor_feed(struct client *c, int argc, const struct resp_arg *argv)
{
    struct server *srv = c->srv;
    if (!srv->monitors)
        return;
    const struct cmd_def *d = c->cmd, *parent = NULL;
    if (d && d == c->last_cmd)
        parent = c->last_parent;
    feed_line(srv, c, d, parent, argc, argv);
}

bool monitor_refuses(const struct cmd_def *d)
{
    return (d->flags & (CMD_WRITE | CMD_READONLY | CMD_MAY_REPLICATE)) || name_is(d, "publish") ||
           name_is(d, "spublish");
}

void ops_after_call(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, int64_t start_us,
                    int64_t dur_us)
{
    struct server *srv = c->srv;
    const struct config_values *v = config_values(srv->cfg);
    if ((c->flags & CF_MONITOR) && !parent && name_is(d, "reset")) {
        c->flags &= ~(uint32_t)CF_MONITOR;
        if (srv->monitors)
            srv->monitors--;
        ops_refresh(srv);
    }
    if (srv->monitors && !(d->flags & (CMD_SKIP_MONITOR | CMD_ADMIN)) && !block_retrying(c))
        feed_line(srv, c, d, parent, c->argc, c->argv);
    if (c->flags & CF_BLOCKED)
        return;
    if (v->slowlog_log_slower_than >= 0 && dur_us >= v->slowlog_log_slower_than && !(d->flags & CMD_SKIP_SLOWLOG) &&
        !(parent && (parent->flags & CMD_SKIP_SLOWLOG)))
        slowlog_push(c, d, parent, start_us, dur_us);
    if (v->latency_monitor_threshold > 0)
        latency_add_sample(srv, (d->flags & CMD_FAST) ? "fast-command" : "command", dur_us / 1000);
}

static void monitor_cmd(struct client *c)
{
    struct server *srv = c->srv;
    if (c->flags & CF_DENY_BLOCKING) {
        reply_error(&c->out, "ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (c->flags & CF_MONITOR)   /* already monitoring: no reply, as Redis */
        return;
    c->flags |= CF_MONITOR;
    srv->monitors++;
    ops_refresh(srv);
    reply_ok(&c->out);
}

static const struct cmd_def monitor_cmds[] = {
    { "monitor", monitor_cmd, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Listens for all requests received by the server in real-time.",
      NULL },
};

const struct cmd_group cmd_group_monitor = CMD_GROUP("server", monitor_cmds);
