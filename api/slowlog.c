/*
 * SLOWLOG GET / LEN / RESET / HELP: the commands that ran for at least
 * slowlog-log-slower-than microseconds (-1: none, 0: all), newest first, at
 * most slowlog-max-len of them (trimmed when an entry is added, as Redis).
 * An entry keeps at most 32 arguments (the 32nd says "... (N more
 * arguments)") of at most 128 bytes each ("... (N more bytes)").
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/ops.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOWLOG_MAX_ARGC 32
#define SLOWLOG_MAX_STRING 128

struct sl_entry {
    struct sl_entry *next, *prev;
    long long id, time, duration;
    int argc;
    char **argv;
    size_t *lens;
    char *peer, *name;
};

struct slowlog {
    struct sl_entry *head, *tail;   /* newest first */
    long long len, next_id;
};

static struct slowlog *log_of(struct server *srv)
{
    if (!srv->slowlog)
        srv->slowlog = kv_xcalloc(1, sizeof(*srv->slowlog));
    return srv->slowlog;
}

static char *dup_bytes(const char *p, size_t n)
{
    char *s = kv_xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void entry_free(struct sl_entry *e)
{
    for (int i = 0; i < e->argc; i++)
        free(e->argv[i]);
    free(e->argv);
    free(e->lens);
    free(e->peer);
    free(e->name);
    free(e);
}

static void drop_tail(struct slowlog *l)
{
    struct sl_entry *e = l->tail;
    l->tail = e->prev;
    if (l->tail)
        l->tail->next = NULL;
    else
        l->head = NULL;
    l->len--;
    entry_free(e);
}

void slowlog_push(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, int64_t start_us,
                  int64_t dur_us)
{
    struct slowlog *l = log_of(c->srv);
    long long max = config_values(c->srv->cfg)->slowlog_max_len;
    struct sl_entry *e = kv_xcalloc(1, sizeof(*e));
    int argc = c->argc < SLOWLOG_MAX_ARGC ? c->argc : SLOWLOG_MAX_ARGC;
    char tmp[96];
    (void)start_us;
    e->argc = argc;
    e->argv = kv_xcalloc((size_t)argc, sizeof(char *));
    e->lens = kv_xcalloc((size_t)argc, sizeof(size_t));
    for (int i = 0; i < argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (argc != c->argc && i == argc - 1) {
            int n = snprintf(tmp, sizeof(tmp), "... (%d more arguments)", c->argc - argc + 1);
            e->argv[i] = dup_bytes(tmp, (size_t)n);
            e->lens[i] = (size_t)n;
        } else if (ops_redacted(d, parent, c->argc, c->argv, i)) {
            e->argv[i] = dup_bytes("(redacted)", 10);
            e->lens[i] = 10;
        } else if (a->len > SLOWLOG_MAX_STRING) {
            int n = snprintf(tmp, sizeof(tmp), "... (%zu more bytes)", a->len - SLOWLOG_MAX_STRING);
            e->argv[i] = kv_xmalloc(SLOWLOG_MAX_STRING + (size_t)n + 1);
            memcpy(e->argv[i], a->ptr, SLOWLOG_MAX_STRING);
            memcpy(e->argv[i] + SLOWLOG_MAX_STRING, tmp, (size_t)n + 1);
            e->lens[i] = SLOWLOG_MAX_STRING + (size_t)n;
        } else {
            e->argv[i] = dup_bytes(a->ptr, a->len);
            e->lens[i] = a->len;
        }
    }
    e->id = l->next_id++;
    e->time = server_clock_ms() / 1000;
    e->duration = dur_us;
    e->peer = dup_bytes((c->flags & CF_SCRIPT) ? "?:0" : c->addr, strlen((c->flags & CF_SCRIPT) ? "?:0" : c->addr));
    e->name = dup_bytes(c->name ? c->name : "", strlen(c->name ? c->name : ""));
    e->next = l->head;
    if (l->head)
        l->head->prev = e;
    else
        l->tail = e;
    l->head = e;
    l->len++;
    while (l->len > max && l->tail)
        drop_tail(l);
}

void slowlog_free(struct server *srv)
{
    struct slowlog *l = srv->slowlog;
    if (!l)
        return;
    while (l->tail)
        drop_tail(l);
    free(l);
    srv->slowlog = NULL;
}

static void slowlog_get_cmd(struct client *c)
{
    struct slowlog *l = log_of(c->srv);
    long long count = 10, n = 0;
    if (c->argc > 3) {
        cmd_sub_syntax_error(c);
        return;
    }
    if (c->argc == 3 &&
        !arg_ll_range_or_reply(c, &c->argv[2], -1, LONG_MAX, &count, "ERR count should be greater than or equal to -1"))
        return;
    if (count == -1 || count > l->len)
        count = l->len;
    reply_array(&c->out, count);
    for (struct sl_entry *e = l->head; e && n < count; e = e->next, n++) {
        reply_array(&c->out, 6);
        reply_int(&c->out, e->id);
        reply_int(&c->out, e->time);
        reply_int(&c->out, e->duration);
        reply_array(&c->out, e->argc);
        for (int i = 0; i < e->argc; i++)
            reply_bulk(&c->out, e->argv[i], e->lens[i]);
        reply_bulk_cstr(&c->out, e->peer);
        reply_bulk_cstr(&c->out, e->name);
    }
}

static void slowlog_len_cmd(struct client *c)
{
    reply_int(&c->out, log_of(c->srv)->len);
}

static void slowlog_reset_cmd(struct client *c)
{
    struct slowlog *l = log_of(c->srv);
    while (l->tail)
        drop_tail(l);
    reply_ok(&c->out);
}

static void slowlog_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

#define SL_FLAGS (CMD_ADMIN | CMD_LOADING | CMD_STALE)
static const struct cmd_def slowlog_subs[] = {
    { "get", slowlog_get_cmd, -2, SL_FLAGS, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Returns the slow log's entries.", NULL },
    { "len", slowlog_len_cmd, 2, SL_FLAGS, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Returns the number of entries in the slow log.", NULL },
    { "reset", slowlog_reset_cmd, 2, SL_FLAGS, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Clears all entries from the slow log.", NULL },
    { "help", slowlog_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW, 0, 0, 0,
      "Show helpful text about the different subcommands", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def slowlog_cmds[] = {
    { "slowlog", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for slow log commands.", slowlog_subs },
};

const struct cmd_group cmd_group_slowlog = CMD_GROUP("server", slowlog_cmds);
