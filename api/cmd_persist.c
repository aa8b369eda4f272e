/*
 * cmd_persist: SAVE, BGSAVE [SCHEDULE], LASTSAVE and DEBUG (RELOAD, DIGEST,
 * DIGEST-VALUE, SLEEP, LOG, HELP). The snapshot machinery is api/persist.c.
 *
 * DEBUG is refused unless enable-debug-command is "yes", or "local" and the
 * client is local, with Redis 7.0's text. (Redis refuses it before the
 * command runs, so inside MULTI it aborts the transaction; here the refusal
 * is the command's reply, also inside EXEC.)
 */
#include "engine/faultvfs.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/log.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/digest.h"
#include "engine/kv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void save_cmd(struct client *c)
{
    if (persist_bgsave_running(c->srv)) {
        reply_error(&c->out, "ERR Background save already in progress");
        return;
    }
    if (persist_save(c->srv))
        reply_ok(&c->out);
    else
        reply_error(&c->out, "ERR");
}

static void bgsave_cmd(struct client *c)
{
    bool schedule = false;
    if (c->argc > 1) {
        if (c->argc == 2 && arg_is(&c->argv[1], "schedule")) {
            schedule = true;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
    }
    if (persist_bgsave_running(c->srv)) {
        reply_error(&c->out, "ERR Background save already in progress");
        return;
    }
    /* Inside EXEC the fork waits for the cron, as in Redis. */
    if (c->srv->exec_wrap) {
        persist_bgsave_schedule(c->srv);
        reply_simple(&c->out, "Background saving scheduled");
        return;
    }
    (void)schedule;   /* no other child kind exists yet: SCHEDULE starts at once too */
    if (persist_bgsave(c->srv) == PERSIST_BG_STARTED)
        reply_simple(&c->out, "Background saving started");
    else
        reply_error(&c->out, "ERR");
}

static void bgrewriteaof_cmd(struct client *c)
{
    if (persist_bgrewrite_running(c->srv)) {
        reply_error(&c->out, "ERR Background append only file rewriting already in progress");
        return;
    }
    /* after the running BGSAVE, or from the cron inside EXEC, as Redis */
    if (persist_bgsave_running(c->srv) || c->srv->exec_wrap) {
        persist_bgrewrite_schedule(c->srv);
        reply_simple(&c->out, "Background append only file rewriting scheduled");
        return;
    }
    if (persist_bgrewrite(c->srv) == PERSIST_BG_STARTED)
        reply_simple(&c->out, "Background append only file rewriting started");
    else
        reply_error(&c->out, "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
                             "information.");
}

static void lastsave_cmd(struct client *c) { reply_int(&c->out, persist_lastsave(c->srv)); }

/* ---- DEBUG --------------------------------------------------------------------- */

static bool debug_allowed(struct client *c)
{
    const char *v = config_value(c->srv->cfg, "enable-debug-command");
    if (v && !strcmp(v, "yes"))
        return true;
    if (v && !strcmp(v, "local") &&
        ((c->flags & CF_UNIX) || !strncmp(c->addr, "127.", 4) || !strncmp(c->addr, "::1:", 4)))
        return true;
    return false;
}

static void debug_reload(struct client *c)
{
    struct server *srv = c->srv;
    bool merge = false, flush = true, save = true;
    if (persist_loading(srv)) {   /* the start-up load is still adding keys */
        reply_error(&c->out, PERSIST_LOADING_ERR);
        return;
    }
    for (int j = 2; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "merge"))
            merge = true;
        else if (arg_is(&c->argv[j], "noflush"))
            flush = false;
        else if (arg_is(&c->argv[j], "nosave"))
            save = false;
        else {
            reply_error(&c->out, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    if (save) {
        /* a child finishing later would put an older dataset in place */
        persist_kill_child(srv);
        if (!persist_save(srv)) {
            reply_error(&c->out, "ERR");
            return;
        }
    }
    if (flush)
        kv_flush_all(srv->ks);
    if (!persist_load(srv, merge)) {
        reply_error(&c->out, "ERR Error trying to load the RDB dump, check server logs.");
        return;
    }
    log_at(srv, LOG_WARNING, "DB reloaded by DEBUG RELOAD");
    reply_ok(&c->out);
}

static void reply_digest(struct client *c, const unsigned char d[DIGEST_LEN])
{
    char hex[DIGEST_HEX_LEN + 1];
    digest_hex(d, hex);
    reply_simple(&c->out, hex);
}

static void debug_digest(struct client *c)
{
    unsigned char d[DIGEST_LEN];
    digest_keyspace(c->srv->ks, c->srv->now_ms, d);
    reply_digest(c, d);
}

static void debug_digest_value(struct client *c)
{
    reply_array(&c->out, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        unsigned char d[DIGEST_LEN] = { 0 };
        struct kv_entry *e = kv_find_notouch(c->srv->ks, c->db, c->argv[j].ptr, c->argv[j].len, c->srv->now_ms);
        if (e && digest_value(kv_entry_val(e), d) != 0)
            memset(d, 0, sizeof(d));
        reply_digest(c, d);
    }
}

static void debug_sleep(struct client *c)
{
    char buf[64], *end;
    double secs;
    struct timespec ts;
    size_t n = c->argv[2].len < sizeof(buf) - 1 ? c->argv[2].len : sizeof(buf) - 1;
    memcpy(buf, c->argv[2].ptr, n);
    buf[n] = '\0';
    secs = strtod(buf, &end);
    if (end == buf || !isfinite(secs) || secs < 0)
        secs = 0;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    reply_ok(&c->out);
}

static void debug_disk_fault(struct client *c)
{
    char name[16];
    int mode = -1;
    if (c->argv[2].len < sizeof(name)) {
        memcpy(name, c->argv[2].ptr, c->argv[2].len);
        name[c->argv[2].len] = '\0';
        mode = faultvfs_parse(name);
    }
    if (mode < 0) {
        reply_error(&c->out, "ERR DEBUG DISK-FAULT takes FULL, IOERR or OFF");
        return;
    }
    faultvfs_arm((enum faultvfs_mode)mode);
    log_at(c->srv, LOG_WARNING, "DEBUG DISK-FAULT: sqlite file writes %s", mode ? faultvfs_name(mode) : "work again");
    reply_ok(&c->out);
}

static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "RELOAD [option ...]",
        "    Save the snapshot on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from the snapshot.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys make the load fail.",
        "    * NOSAVE: the database will be loaded from an existing snapshot file.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "DISK-FAULT <FULL|IOERR|OFF>",
        "    Make every write and fsync of the snapshot and journal files fail as on a",
        "    full disk (FULL) or a failing one (IOERR), or work again (OFF).",
        "HELP",
        "    Print this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

static void debug_cmd(struct client *c)
{
    const struct resp_arg *sub = &c->argv[1];
    if (!debug_allowed(c)) {
        reply_error(&c->out, "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
                             "you can run it from a local connection, otherwise you need to set this option in the "
                             "configuration file, and then restart the server.");
        return;
    }
    if (c->argc == 2 && arg_is(sub, "help"))
        debug_help(c);
    else if (arg_is(sub, "reload"))
        debug_reload(c);
    else if (c->argc == 2 && arg_is(sub, "digest"))
        debug_digest(c);
    else if (arg_is(sub, "digest-value"))
        debug_digest_value(c);
    else if (c->argc == 3 && arg_is(sub, "sleep"))
        debug_sleep(c);
    else if (c->argc == 3 && arg_is(sub, "disk-fault"))
        debug_disk_fault(c);
    else if (c->argc == 3 && arg_is(sub, "log")) {
        log_at(c->srv, LOG_WARNING, "DEBUG LOG: %.*s", (int)c->argv[2].len, c->argv[2].ptr);
        reply_ok(&c->out);
    } else
        reply_errorf(&c->out, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try DEBUG HELP.",
                     (int)(sub->len > 128 ? 128 : sub->len), sub->ptr);
}

static const struct cmd_def persist_cmds[] = {
    { "save", save_cmd, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Synchronously saves the database(s) to disk.", NULL },
    { "bgsave", bgsave_cmd, -1, CMD_ADMIN | CMD_NOSCRIPT, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0,
      "Asynchronously saves the database(s) to disk.", NULL },
    { "bgrewriteaof", bgrewriteaof_cmd, 1, CMD_ADMIN | CMD_NOSCRIPT, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0,
      0, "Asynchronously rewrites the append-only file to disk.", NULL },
    { "lastsave", lastsave_cmd, 1, CMD_LOADING | CMD_STALE | CMD_FAST, ACL_ADMIN | ACL_FAST | ACL_DANGEROUS, 0, 0,
      0, "Returns the Unix timestamp of the last successful save to disk.", NULL },
    { "debug", debug_cmd, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "A container for debugging commands.", NULL },
};

const struct cmd_group cmd_group_persist = CMD_GROUP("server", persist_cmds);
