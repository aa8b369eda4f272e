/*
 * cmd_persist: SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF and LASTSAVE. The
 * snapshot machinery is api/persist.c; DEBUG RELOAD is in api/cmd_debug.c.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/server.h"

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

static const struct cmd_def persist_cmds[] = {
    { "save", save_cmd, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Synchronously saves the database(s) to disk.", NULL },
    { "bgsave", bgsave_cmd, -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS,
      0, 0, 0, "Asynchronously saves the database(s) to disk.", NULL },
    { "bgrewriteaof", bgrewriteaof_cmd, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "Asynchronously rewrites the append-only file to disk.", NULL },
    { "lastsave", lastsave_cmd, 1, CMD_LOADING | CMD_STALE | CMD_FAST, ACL_ADMIN | ACL_FAST | ACL_DANGEROUS, 0, 0,
      0, "Returns the Unix timestamp of the last successful save to disk.", NULL },
};

const struct cmd_group cmd_group_persist = CMD_GROUP("server", persist_cmds);
