/*
 * cmd_server: server-wide commands - DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME,
 * SHUTDOWN, CONFIG (GET, SET, RESETSTAT, HELP) and OBJECT (ENCODING,
 * REFCOUNT, HELP). INFO lives in cmd_info.c, COMMAND in cmd_command.c.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/config_rewrite.h"
#include "api/db.h"
#include "api/log.h"
#include "api/maxmemory.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/kv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void dbsize_cmd(struct client *c) { reply_int(&c->out, (long long)kv_size(c->srv->ks, c->db)); }

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]: freeing is synchronous either way. */
static bool flush_mode_ok_or_reply(struct client *c)
{
    if (c->argc == 1 || (c->argc == 2 && (arg_is(&c->argv[1], "async") || arg_is(&c->argv[1], "sync"))))
        return true;
    reply_err(&c->out, RE_SYNTAX);
    return false;
}

static void flushdb_cmd(struct client *c)
{
    if (!flush_mode_ok_or_reply(c))
        return;
    kv_flush(c->srv->ks, c->db);
    cmd_dirty(c, 1);
    reply_ok(&c->out);
}

static void flushall_cmd(struct client *c)
{
    if (!flush_mode_ok_or_reply(c))
        return;
    kv_flush_all(c->srv->ks);
    cmd_dirty(c, 1);
    persist_flushall(c->srv);
    reply_ok(&c->out);
}


static void swapdb_cmd(struct client *c)
{
    int a, b;
    if (!arg_db_or_reply(c, &c->argv[1], "ERR invalid first DB index", &a) ||
        !arg_db_or_reply(c, &c->argv[2], "ERR invalid second DB index", &b))
        return;
    if (a != b)
        kv_swap(c->srv->ks, a, b);
    cmd_dirty(c, 1);
    reply_ok(&c->out);
}

static void time_cmd(struct client *c)
{
    int64_t us = server_clock_us();
    reply_array(&c->out, 2);
    reply_bulk_ll(&c->out, us / 1000000);
    reply_bulk_ll(&c->out, us % 1000000);
}

static void shutdown_cmd(struct client *c)
{
    bool save = false, nosave = false, abort_ = false, force = false;
    for (int j = 1; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "nosave"))
            nosave = true;
        else if (arg_is(&c->argv[j], "save"))
            save = true;
        else if (arg_is(&c->argv[j], "force"))
            force = true;
        else if (arg_is(&c->argv[j], "now"))
            ;
        else if (arg_is(&c->argv[j], "abort"))
            abort_ = true;
        else {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
    }
    if ((save && nosave) || (abort_ && c->argc != 2)) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (abort_) {
        reply_error(&c->out, "ERR No shutdown in progress.");
        return;
    }
    if (!nosave && script_timed_out(c->srv)) {
        script_reply_busy(c);
        return;
    }
    log_at(c->srv, LOG_WARNING, "User requested shutdown...");
    if (!persist_prepare_shutdown(c->srv, (save ? PERSIST_SHUTDOWN_SAVE : 0) | (nosave ? PERSIST_SHUTDOWN_NOSAVE : 0) |
                                              (force ? PERSIST_SHUTDOWN_FORCE : 0))) {
        reply_error(&c->out, "ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    c->srv->shutdown_asap = true;
    c->flags |= CF_CLOSE_ASAP;
}

/* ---- CONFIG ------------------------------------------------------------- */

struct get_ctx {
    struct reply *r;
    long long n;
};

static void emit_pair(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
    struct get_ctx *g = arg;
    reply_bulk(g->r, name, nlen);
    reply_bulk(g->r, val, vlen);
    g->n++;
}

static void config_get_cmd(struct client *c)
{
    struct get_ctx g = { &c->out, 0 };
    void *slot = reply_defer(&c->out);
    config_get(c->srv->cfg, c->argc - 2, (const struct config_arg *)(c->argv + 2), emit_pair, &g);
    reply_set_map(&c->out, slot, g.n);
}

static void config_set_cmd(struct client *c)
{
    char err[CONFIG_ERR_LEN];
    unsigned flags = client_is_local(c) ? CONFIG_SET_LOCAL_CLIENT : 0;
    if (config_set(c->srv->cfg, c->argc - 2, (const struct config_arg *)(c->argv + 2), flags, err,
                   sizeof(err)) != 0) {
        reply_error(&c->out, err);
        return;
    }
    reply_ok(&c->out);
}

static void config_resetstat_cmd(struct client *c)
{
    struct server *srv = c->srv;
    memset(&srv->stats, 0, sizeof(srv->stats));
    memset(&srv->ops, 0, sizeof(srv->ops));   /* the rates start over with their counters */
    memset(&srv->net_in, 0, sizeof(srv->net_in));
    memset(&srv->net_out, 0, sizeof(srv->net_out));
    kv_reset_stats(srv->ks);
    maxmem_reset_stats(srv);
    cmd_stats_reset(srv->cmds);
    srv->nerrstats = 0;
    reply_ok(&c->out);
}

static void config_rewrite_cmd(struct client *c)
{
    const char *path = config_file_path(c->srv->cfg);
    if (!path) {
        reply_error(&c->out, "ERR The server is running without a config file");
        return;
    }
    if (!config_rewrite(c->srv->cfg, path)) {
        int err = errno;
        log_at(c->srv, LOG_WARNING, "CONFIG-REWRITE failed: %s", strerror(err));
        reply_errorf(&c->out, "ERR Rewriting config file: %s", strerror(err));
        return;
    }
    log_at(c->srv, LOG_WARNING, "CONFIG REWRITE executed with success.");
    reply_ok(&c->out);
}

static void config_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

/* ---- OBJECT ------------------------------------------------------------- */

static struct kv_entry *object_lookup(struct client *c)
{
    return kv_find_notouch(c->srv->ks, c->db, c->argv[2].ptr, c->argv[2].len, c->srv->now_ms);
}

static void object_encoding_cmd(struct client *c)
{
    struct kv_entry *e = object_lookup(c);
    if (!e)
        reply_null(&c->out);
    else
        reply_bulk_cstr(&c->out, kv_enc_name(kv_obj_encoding(kv_entry_val(e))));
}

static void object_idletime_cmd(struct client *c)
{
    struct kv_entry *e = object_lookup(c);
    if (!e)
        reply_null(&c->out);
    else if (kv_lfu_enabled(c->srv->ks))
        reply_error(&c->out, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
                             "when switching between policies at runtime LRU and LFU data will take some time to "
                             "adjust.");
    else
        reply_int(&c->out, kv_idle_seconds(c->srv->ks, kv_entry_val(e)));
}

static void object_freq_cmd(struct client *c)
{
    struct kv_entry *e = object_lookup(c);
    if (!e)
        reply_null(&c->out);
    else if (!kv_lfu_enabled(c->srv->ks))
        reply_error(&c->out, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
                             "note that when switching between policies at runtime LRU and LFU data will take "
                             "some time to adjust.");
    else
        reply_int(&c->out, kv_lfu_counter(c->srv->ks, kv_entry_val(e)));
}

static void object_refcount_cmd(struct client *c)
{
    struct kv_entry *e = object_lookup(c);
    if (!e) {
        reply_null(&c->out);
        return;
    }
    reply_int(&c->out, kv_obj_refcount(kv_entry_val(e), maxmem_shares_integers(c->srv)));
}

static void object_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct cmd_def config_subs[] = {
    { "get", config_get_cmd, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Returns the effective values of configuration parameters.",
      NULL },
    { "set", config_set_cmd, -4, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Sets configuration parameters in-flight.", NULL },
    { "resetstat", config_resetstat_cmd, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Resets the server's statistics.", NULL },
    { "rewrite", config_rewrite_cmd, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Persists the effective configuration to file.", NULL },
    { "help", config_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def object_subs[] = {
    { "encoding", object_encoding_cmd, 3, CMD_READONLY, ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1,
      "Returns the internal encoding of a Redis object.", NULL },
    { "freq", object_freq_cmd, 3, CMD_READONLY, ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1,
      "Returns the logarithmic access frequency counter of a Redis object.", NULL },
    { "idletime", object_idletime_cmd, 3, CMD_READONLY, ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1,
      "Returns the time since the last access to a Redis object.", NULL },
    { "refcount", object_refcount_cmd, 3, CMD_READONLY, ACL_KEYSPACE | ACL_READ | ACL_SLOW, 2, 2, 1,
      "Returns the reference count of a value of a key.", NULL },
    { "help", object_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_KEYSPACE | ACL_SLOW, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def server_cmds[] = {
    { "dbsize", dbsize_cmd, 1, CMD_READONLY | CMD_FAST, ACL_KEYSPACE | ACL_READ | ACL_FAST, 0, 0, 0,
      "Returns the number of keys in the database.", NULL },
    { "flushdb", flushdb_cmd, -1, CMD_WRITE, ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Remove all keys from the current database.", NULL },
    { "flushall", flushall_cmd, -1, CMD_WRITE, ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Removes all keys from all databases.", NULL },
    { "swapdb", swapdb_cmd, 3, CMD_WRITE | CMD_FAST, ACL_KEYSPACE | ACL_WRITE | ACL_FAST | ACL_DANGEROUS, 0, 0, 0,
      "Swaps two Redis databases.", NULL },
    { "time", time_cmd, 1, CMD_LOADING | CMD_STALE | CMD_FAST, ACL_FAST, 0, 0, 0, "Returns the server time.", NULL },
    { "shutdown", shutdown_cmd, -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI |
      CMD_SENTINEL | CMD_ALLOW_BUSY, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Synchronously saves the database(s) to disk and shuts down the Redis server.", NULL },
    { "config", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for server configuration commands.", config_subs },
    { "object", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for object introspection commands.", object_subs },
};

const struct cmd_group cmd_group_server = CMD_GROUP("server", server_cmds);
