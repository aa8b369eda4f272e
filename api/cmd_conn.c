/*
 * cmd_conn: connection commands - PING, ECHO, QUIT, SELECT, HELLO, AUTH and
 * CLIENT (ID, SETNAME, GETNAME, LIST, INFO, SETINFO, UNBLOCK, HELP; KILL,
 * PAUSE, UNPAUSE, NO-EVICT and REPLY are in client_admin.c).
 *
 * Authentication is Redis' single `default` user: with `requirepass` empty
 * the user is "nopass" (any password authenticates it); otherwise the
 * password must match requirepass.
 */
#include "api/block.h"
#include "api/client.h"
#include "api/client_admin.h"
#include "api/command.h"
#include "api/config.h"
#include "api/multi.h"
#include "api/pubsub.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "pubsub/hub.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ping_cmd(struct client *c)
{
    if (c->argc > 2) {
        reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", "ping");
        return;
    }
    if ((c->flags & CF_PUBSUB) && c->out.proto == 2) {
        /* subscribed mode: a push-shaped ["pong", msg] */
        reply_array(&c->out, 2);
        reply_bulk(&c->out, "pong", 4);
        reply_bulk(&c->out, c->argc == 2 ? c->argv[1].ptr : "", c->argc == 2 ? c->argv[1].len : 0);
    } else if (c->argc == 2) {
        reply_bulk(&c->out, c->argv[1].ptr, c->argv[1].len);
    } else {
        reply_simple(&c->out, "PONG");
    }
}

static void echo_cmd(struct client *c) { reply_bulk(&c->out, c->argv[1].ptr, c->argv[1].len); }

static void quit_cmd(struct client *c)
{
    reply_ok(&c->out);
    c->flags |= CF_CLOSE_AFTER_REPLY;
}

static void select_cmd(struct client *c)
{
    int id;
    if (!arg_db_or_reply(c, &c->argv[1], NULL, &id))
        return;
    c->db = id;
    reply_ok(&c->out);
}

/* ---- authentication ----------------------------------------------------- */

static bool check_password(struct client *c, const struct resp_arg *user, const struct resp_arg *pass)
{
    const struct config_values *cv = config_values(c->srv->cfg);
    if (user->len != 7 || memcmp(user->ptr, "default", 7) != 0)
        return false;
    if (!cv->requirepass)
        return true;
    return pass->len == cv->requirepass_len && memcmp(pass->ptr, cv->requirepass, pass->len) == 0;
}

static bool authenticate_or_reply(struct client *c, const struct resp_arg *user, const struct resp_arg *pass)
{
    if (check_password(c, user, pass)) {
        c->flags |= CF_AUTHENTICATED;
        return true;
    }
    reply_err(&c->out, RE_WRONGPASS);
    return false;
}

static void auth_cmd(struct client *c)
{
    static const struct resp_arg default_user = { "default", 7 };
    bool nopass = config_values(c->srv->cfg)->requirepass == NULL;
    if (c->argc > 3) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (c->argc == 2) {
        if (nopass) {
            reply_error(&c->out, "ERR AUTH <password> called without any password configured for the default "
                                 "user. Are you sure your configuration is correct?");
            return;
        }
        if (authenticate_or_reply(c, &default_user, &c->argv[1]))
            reply_ok(&c->out);
        return;
    }
    if (authenticate_or_reply(c, &c->argv[1], &c->argv[2]))
        reply_ok(&c->out);
}

/* Redis accepts client names made of printable non-space ASCII only. */
static bool valid_name(const struct resp_arg *a)
{
    for (size_t i = 0; i < a->len; i++)
        if (a->ptr[i] < '!' || a->ptr[i] > '~')
            return false;
    return true;
}

static void set_name(struct client *c, const struct resp_arg *a)
{
    free(c->name);
    c->name = a->len ? kv_xstrndup(a->ptr, a->len) : NULL;
}

/* RESET: back to a fresh connection's state - no transaction, nothing
 * watched, no subscriptions, database 0, RESP2, no name, default-user
 * authentication (as a new connection gets it). */
static void reset_cmd(struct client *c)
{
    multi_client_reset(c);
    pubsub_client_drop(c);
    c->db = 0;
    c->out.proto = 2;
    free(c->name);
    c->name = NULL;
    if (config_values(c->srv->cfg)->requirepass)
        c->flags &= ~(uint32_t)CF_AUTHENTICATED;
    else
        c->flags |= CF_AUTHENTICATED;
    /* CLIENT REPLY OFF and a pending SKIP end (a running SKIP still drops
     * this reply); NO-EVICT stays, as in Redis */
    c->flags &= ~(uint32_t)(CF_REPLY_OFF | CF_REPLY_SKIP_NEXT);
    c->out.mute = (c->flags & CF_REPLY_SKIP) != 0;
    reply_simple(&c->out, "RESET");
}

static void hello_cmd(struct client *c)
{
    long long ver = 0;
    const struct resp_arg *user = NULL, *pass = NULL, *name = NULL;
    if (c->argc >= 2) {
        if (!arg_ll_range_or_reply(c, &c->argv[1], LLONG_MIN, LLONG_MAX, &ver,
                                   "ERR Protocol version is not an integer or out of range"))
            return;
        if (ver < 2 || ver > 3) {
            reply_error(&c->out, "NOPROTO unsupported protocol version");
            return;
        }
    }
    for (int j = 2; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_is(&c->argv[j], "auth") && more >= 2) {
            user = &c->argv[j + 1];
            pass = &c->argv[j + 2];
            j += 2;
        } else if (arg_is(&c->argv[j], "setname") && more >= 1) {
            name = &c->argv[j + 1];
            if (!valid_name(name)) {
                reply_error(&c->out, "ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            j++;
        } else {
            reply_errorf(&c->out, "ERR Syntax error in HELLO option '%.*s'", (int)c->argv[j].len, c->argv[j].ptr);
            return;
        }
    }
    if (user && !authenticate_or_reply(c, user, pass))
        return;
    if (client_auth_required(c)) {
        reply_error(&c->out, "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                             "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
                             "select the RESP protocol version at the same time");
        return;
    }
    if (name)
        set_name(c, name);
    if (ver)
        c->out.proto = (int)ver;
    reply_map(&c->out, 7);
    reply_bulk_cstr(&c->out, "server");
    reply_bulk_cstr(&c->out, "redis");
    reply_bulk_cstr(&c->out, "version");
    reply_bulk_cstr(&c->out, TASKKV_REDIS_COMPAT_VERSION);
    reply_bulk_cstr(&c->out, "proto");
    reply_int(&c->out, c->out.proto);
    reply_bulk_cstr(&c->out, "id");
    reply_int(&c->out, (long long)c->id);
    reply_bulk_cstr(&c->out, "mode");
    reply_bulk_cstr(&c->out, "standalone");
    reply_bulk_cstr(&c->out, "role");
    reply_bulk_cstr(&c->out, "master");
    reply_bulk_cstr(&c->out, "modules");
    reply_array(&c->out, 0);
}

/* ---- CLIENT ------------------------------------------------------------- */

static void client_id_cmd(struct client *c) { reply_int(&c->out, (long long)c->id); }

static void client_setname_cmd(struct client *c)
{
    if (!valid_name(&c->argv[2])) {
        reply_error(&c->out, "ERR Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    set_name(c, &c->argv[2]);
    reply_ok(&c->out);
}

static void client_getname_cmd(struct client *c)
{
    if (c->name)
        reply_bulk_cstr(&c->out, c->name);
    else
        reply_null(&c->out);
}

static void client_setinfo_cmd(struct client *c)
{
    char **slot;
    if (arg_is(&c->argv[2], "lib-name"))
        slot = &c->lib_name;
    else if (arg_is(&c->argv[2], "lib-ver"))
        slot = &c->lib_ver;
    else {
        reply_errorf(&c->out, "ERR Unrecognized option '%.*s'", (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    if (!valid_name(&c->argv[3])) {
        reply_errorf(&c->out, "ERR %.*s cannot contain spaces, newlines or special characters.",
                     (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    free(*slot);
    *slot = c->argv[3].len ? kv_xstrndup(c->argv[3].ptr, c->argv[3].len) : NULL;
    reply_ok(&c->out);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: :1 if that client was blocked. */
static void client_unblock_cmd(struct client *c)
{
    long long id;
    bool with_error = false;
    struct client *t;
    if (!arg_ll_or_reply(c, &c->argv[2], &id))
        return;
    if (c->argc == 4) {
        if (arg_is(&c->argv[3], "error")) {
            with_error = true;
        } else if (!arg_is(&c->argv[3], "timeout")) {
            reply_error(&c->out, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    } else if (c->argc > 4) {
        cmd_sub_syntax_error(c);
        return;
    }
    for (t = c->srv->clients; t && t->id != (uint64_t)id; t = t->next)
        ;
    reply_int(&c->out, t && block_unblock(t, with_error) ? 1 : 0);
}

/* One CLIENT LIST line, in Redis 7.0's field order. Returns its length. */
static size_t client_line(const struct client *c, char *buf, size_t cap, int64_t now_ms)
{
    char flags[16], *f = flags, cmd[80] = "NULL";
    int n;
    if (c->flags & CF_MONITOR)
        *f++ = 'O';
    if (c->flags & CF_PUBSUB)
        *f++ = 'P';
    if (c->flags & CF_MULTI)
        *f++ = 'x';
    if (c->flags & (CF_BLOCKED | CF_PAUSED))
        *f++ = 'b';
    if (c->flags & CF_DIRTY_CAS)
        *f++ = 'd';
    if (c->flags & CF_CLOSE_AFTER_REPLY)
        *f++ = 'c';
    if (c->flags & CF_CLOSE_ASAP)
        *f++ = 'A';
    if (c->flags & CF_UNIX)
        *f++ = 'U';
    if (c->flags & CF_NO_EVICT)
        *f++ = 'e';
    if (f == flags)
        *f++ = 'N';
    *f = '\0';
    if (c->last_cmd)
        snprintf(cmd, sizeof(cmd), "%s%s%s", c->last_parent ? c->last_parent->name : "",
                 c->last_parent ? "|" : "", c->last_cmd->name);
    n = snprintf(buf, cap,
                 "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%zu psub=%zu ssub=%zu "
                 "multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=0 obl=%zu oll=%zu omem=%zu "
                 "tot-mem=%zu events=r cmd=%s user=default lib-name=%s lib-ver=%s redir=-1 resp=%d\n",
                 (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
                 (long long)(now_ms / 1000 - c->ctime), (long long)((now_ms - c->last_interaction_ms) / 1000),
                 flags, c->db, ps_sub_count(c->ps, PS_CHANNEL), ps_sub_count(c->ps, PS_PATTERN),
                 ps_sub_count(c->ps, PS_SHARD), multi_count(c), c->qlen - c->qpos, c->qcap - c->qlen, c->qcap, c->out.pos,
                 (size_t)(c->out.head != NULL), c->out.list_bytes,
                 sizeof(*c) + c->qcap + c->out.list_bytes, cmd,
                 c->lib_name ? c->lib_name : "", c->lib_ver ? c->lib_ver : "", c->out.proto);
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

/* Appends the lines of the clients of `type` (-1: all), oldest first as
 * Redis lists them. */
static size_t list_clients(struct client *c, int type, char *buf, size_t cap, int64_t now)
{
    struct client *o = c->srv->clients;
    size_t len = 0;
    while (o && o->next)
        o = o->next;
    for (; o; o = o->prev)
        if (type < 0 || type == client_type_of(o))
            len += client_line(o, buf + len, cap - len, now);
    return len;
}

static void client_list_cmd(struct client *c)
{
    size_t cap = 512 * (c->srv->nclients + 1), len = 0;
    char *buf = kv_xmalloc(cap);
    int64_t now = server_clock_ms();
    if (c->argc == 2) {
        len = list_clients(c, -1, buf, cap, now);
    } else if (c->argc == 4 && arg_is(&c->argv[2], "type")) {
        int type = client_type_by_name(&c->argv[3]);
        if (type < 0) {
            reply_errorf(&c->out, "ERR Unknown client type '%.*s'", (int)c->argv[3].len, c->argv[3].ptr);
            free(buf);
            return;
        }
        len = list_clients(c, type, buf, cap, now);
    } else if (c->argc > 3 && arg_is(&c->argv[2], "id")) {
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (!arg_ll_range_or_reply(c, &c->argv[j], LLONG_MIN, LLONG_MAX, &id, "ERR Invalid client ID")) {
                free(buf);
                return;
            }
            for (struct client *o = c->srv->clients; o; o = o->next)
                if (o->id == (uint64_t)id)
                    len += client_line(o, buf + len, cap - len, now);
        }
    } else {
        reply_err(&c->out, RE_SYNTAX);
        free(buf);
        return;
    }
    reply_verbatim(&c->out, buf, len, "txt");
    free(buf);
}

static void client_info_cmd(struct client *c)
{
    char buf[1024];
    size_t len = client_line(c, buf, sizeof(buf), server_clock_ms());
    reply_verbatim(&c->out, buf, len, "txt");
}

static void client_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <LIB-NAME|LIB-VER> <value>",
        "    Set client library name or version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct cmd_def client_subs[] = {
    { "id", client_id_cmd, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns the unique client ID of the connection.", NULL },
    { "setname", client_setname_cmd, 3, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Sets the connection name.", NULL },
    { "getname", client_getname_cmd, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns the name of the connection.", NULL },
    { "list", client_list_cmd, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION, 0, 0, 0, "Lists open connections.", NULL },
    { "info", client_info_cmd, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns information about the connection.", NULL },
    { "setinfo", client_setinfo_cmd, 4, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Sets information specific to the client or connection.", NULL },
    { "unblock", client_unblock_cmd, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION, 0, 0, 0,
      "Unblocks a client blocked by a blocking command from a different connection.", NULL },
    { "kill", client_kill_cmd, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION, 0, 0, 0, "Terminates open connections.", NULL },
    { "pause", client_pause_cmd, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION, 0, 0, 0, "Suspends commands processing.", NULL },
    { "unpause", client_unpause_cmd, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION, 0, 0, 0,
      "Resumes processing commands from paused clients.", NULL },
    { "no-evict", client_no_evict_cmd, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION, 0, 0, 0,
      "Sets the client eviction mode of the connection.", NULL },
    { "reply", client_reply_cmd, 3, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Instructs the server whether to reply to commands.", NULL },
    { "help", client_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def conn_cmds[] = {
    { "ping", ping_cmd, -1, CMD_FAST, ACL_FAST | ACL_CONNECTION, 0, 0, 0, "Returns the server's liveliness response.",
      NULL },
    { "echo", echo_cmd, 2, CMD_LOADING | CMD_STALE | CMD_FAST, ACL_FAST | ACL_CONNECTION, 0, 0, 0,
      "Returns the given string.", NULL },
    { "quit", quit_cmd, -1, CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH,
      ACL_FAST | ACL_CONNECTION, 0, 0, 0, "Closes the connection.", NULL },
    { "select", select_cmd, 2, CMD_LOADING | CMD_STALE | CMD_FAST, ACL_FAST | ACL_CONNECTION, 0, 0, 0,
      "Changes the selected database.", NULL },
    { "hello", hello_cmd, -1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
      CMD_ALLOW_BUSY, ACL_FAST | ACL_CONNECTION, 0, 0, 0, "Handshakes with the Redis server.", NULL },
    { "auth", auth_cmd, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
      CMD_ALLOW_BUSY, ACL_FAST | ACL_CONNECTION, 0, 0, 0, "Authenticates the connection.", NULL },
    { "reset", reset_cmd, 1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
      ACL_FAST | ACL_CONNECTION, 0, 0, 0, "Resets the connection.", NULL },
    { "client", NULL, -2, CMD_SENTINEL, ACL_SLOW, 0, 0, 0, "A container for client connection commands.",
      client_subs },
};

const struct cmd_group cmd_group_conn = CMD_GROUP("connection", conn_cmds);
