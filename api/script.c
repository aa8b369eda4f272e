/*
 * script: the scripting commands, the run context and the busy machinery
 * (see script.h; the Lua side is api/lua_*.c behind api/lua_bridge.h).
 *
 * A run. EVAL resolves the script (cached by the SHA-1 of its body, or
 * compiled now), checks its shebang flags against the command (EVAL_RO
 * needs no-writes), then runs it with a `struct script_run` on the stack as
 * st->run: the caller, the sha, the read-only / wrote / timed-out / killed
 * flags and the start time. The script's commands run on one fake client
 * whose database starts as the caller's (a SELECT inside does not leak out)
 * and whose protocol is RESP2 unless redis.setresp(3). Each one passes the
 * checks Redis makes for scripts (script_call: known command and arity,
 * not flagged noscript, no writes from a read-only script) and then runs
 * through cmd_call() like any command, so it is counted, notifies and
 * propagates; the script's effects are bracketed with cmd_exec_begin/end
 * (inside an EXEC, EXEC's bracket holds them). The clock is the one the
 * dispatcher read when EVAL started: keys do not expire in the middle of a
 * script.
 *
 * Busy. Lua calls script_hook() every 100000 instructions. Once the run
 * passes busy-reply-threshold (never when it is 0) it is marked timed out:
 * the caller's socket watchers stop (its own pipelined input waits for the
 * reply), the deadline timer and the cron stop (no expiry, no blocked-client
 * timeouts, no idle-client closing, eviction or saving during a script: as
 * in Redis, whose serverCron waits for the script) and the loop runs without
 * waiting at every hook, with the other clients' replies flushed here. The
 * dispatcher answers their commands -BUSY (script_allowed_or_reply) except
 * those flagged allow-busy:
 * SCRIPT KILL marks the run killed (refused with UNKILLABLE once it wrote),
 * and SHUTDOWN NOSAVE or a signal end it too; the next hook raises the kill
 * error, at every line from then on so pcall cannot hold it.
 */
#include "api/script.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/log.h"
#include "api/lua_bridge.h"
#include "api/maxmemory.h"
#include "api/multi.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/digest.h"
#include "engine/numfmt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char busy_error[] =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
static const char noscript_error[] = "NOSCRIPT No matching script. Please use EVAL.";

/* ---- state ------------------------------------------------------------------ */

static struct script_state *state_of(struct server *srv)
{
    struct script_state *st = srv->script;
    if (!st) {
        /* rand48 starts where Redis' does, so math.random agrees from start-up */
        unsigned short seed[3] = { 0x330E, 0xABCD, 0x1234 };
        st = kv_xcalloc(1, sizeof(*st));
        st->srv = srv;
        st->fake = client_create_fake(srv);
        st->fake->flags |= CF_SCRIPT;
        seed48_r(seed, &st->rnd);
        srv->script = st;
    }
    if (!st->L)
        st->L = lua_env_create(st);
    return st;
}

void script_destroy(struct script_state *st)
{
    if (!st)
        return;
    lua_env_destroy(st->L);
    client_free(st->fake);
    free(st);
}

/* ---- the dispatcher's side -------------------------------------------------- */

bool script_timed_out(const struct server *srv)
{
    return srv->script && srv->script->run && (srv->script->run->flags & RUN_TIMEDOUT);
}

void script_reply_busy(struct client *c) { reply_error(&c->out, busy_error); }

void script_memory(const struct server *srv, size_t *lua_bytes, size_t *cached_scripts)
{
    const struct script_state *st = srv->script;
    *lua_bytes = st && st->L ? lua_env_memory(st->L) : 0;
    *cached_scripts = st ? st->nscripts : 0;
}

bool script_allowed_or_reply(struct client *c, const struct cmd_def *d)
{
    if (!script_timed_out(c->srv) || (d->flags & CMD_ALLOW_BUSY))
        return true;
    if (strcmp(d->name, "exec") == 0) {
        multi_client_reset(c);
        reply_errorf(&c->out, "EXECABORT Transaction discarded because of: %s", busy_error);
    } else {
        script_reply_busy(c);
    }
    return false;
}

/* ---- commands inside scripts ------------------------------------------------ */

static struct cmd_stats *stats_for(struct script_state *st, const struct cmd_def *d)
{
    size_t i = ((uintptr_t)d >> 4) % SCRIPT_STATS_CACHE;
    if (st->stats_cache[i].def != d) {
        st->stats_cache[i].def = d;
        st->stats_cache[i].stats = cmd_stats_of(st->srv->cmds, d);
    }
    return st->stats_cache[i].stats;
}

static bool arity_ok(const struct cmd_def *d, int argc)
{
    return d->arity > 0 ? argc == d->arity : argc >= -d->arity;
}

/* Redis' lookupCommand: a container with a subcommand argument resolves to
 * the subcommand (NULL if unknown); sets *parent. */
static const struct cmd_def *resolve(struct script_state *st, int argc, const struct resp_arg *argv,
                                     const struct cmd_def **parent)
{
    const struct cmd_def *d = cmd_lookup(st->srv->cmds, argv[0].ptr, argv[0].len);
    *parent = NULL;
    if (!d || !d->subs || argc < 2)
        return d;
    for (const struct cmd_def *s = d->subs; s->name; s++)
        if (strlen(s->name) == argv[1].len && strncasecmp(s->name, argv[1].ptr, argv[1].len) == 0) {
            *parent = d;
            return s;
        }
    return NULL;
}

const struct cmd_def *script_lookup(struct script_state *st, int argc, const struct resp_arg *argv)
{
    const struct cmd_def *parent;
    return resolve(st, argc, argv, &parent);
}

/* Writes and the commands Redis flags may-replicate (which COMMAND INFO
 * does not show, so the table lacks it on PUBLISH / SPUBLISH): refused in
 * read-only scripts. */
static bool may_write(const struct cmd_def *d)
{
    return (d->flags & (CMD_WRITE | CMD_MAY_REPLICATE)) || strcmp(d->name, "publish") == 0 ||
           strcmp(d->name, "spublish") == 0 || strcmp(d->name, "pfcount") == 0;
}

const char *script_call(struct script_state *st, int argc, const struct resp_arg *argv)
{
    struct server *srv = st->srv;
    struct client *fake = st->fake;
    struct script_run *run = st->run;
    const struct cmd_def *parent, *d = resolve(st, argc, argv, &parent);
    const char *err = NULL, *code = "ERR";
    void (*effect)(void *, int, int, const struct kv_arg *) = srv->hooks.effect;
    reply_clear(&fake->out);
    if (!d)
        err = "Unknown Redis command called from script";
    else if (!arity_ok(d, argc))
        err = "Wrong number of args calling Redis command from script";
    else if (d->flags & CMD_NOSCRIPT)
        err = "This Redis command is not allowed from script";
    else if ((run->flags & RUN_READ_ONLY) && may_write(d))
        err = "Write commands are not allowed from read-only scripts.";
    else if ((d->flags & CMD_DENYOOM) && srv->maxmemory && !(run->flags & (RUN_WRITE_DIRTY | RUN_ALLOW_OOM)) &&
             maxmem_script_oom(srv)) {
        err = "-" MAXMEM_OOM_ERR;   /* the first write of a script that started out of memory */
        code = "OOM";
    }
    if (err) {
        /* counted as a rejected call and an error of its code, as Redis does */
        if (d)
            stats_for(st, d)->rejected++;
        srv->stats.total_error_replies++;
        server_count_error(srv, code, strlen(code));
        return err;
    }
    if (d->flags & CMD_WRITE)
        run->flags |= RUN_WRITE_DIRTY;
    fake->argc = argc;
    fake->argv = (struct resp_arg *)argv;
    if (run->repl == 0)
        srv->hooks.effect = NULL;   /* redis.set_repl(redis.REPL_NONE) */
    cmd_call(fake, d, parent, stats_for(st, d));
    srv->hooks.effect = effect;
    fake->argc = 0;
    fake->argv = NULL;
    return NULL;
}

/* ---- busy ------------------------------------------------------------------- */

/* The caller's socket stays quiet while others are served: its pipelined
 * input and output wait for the script's reply. */
static void protect_caller(struct script_run *run, struct server *srv)
{
    struct client *c = run->caller;
    if (c->flags & CF_FAKE)
        return;
    run->caller_reading = ev_is_active(&c->rio);
    run->caller_writing = ev_is_active(&c->wio);
    ev_io_stop(srv->loop, &c->rio);
    ev_io_stop(srv->loop, &c->wio);
}

static void unprotect_caller(struct script_run *run, struct server *srv)
{
    struct client *c = run->caller;
    if (c->flags & CF_FAKE)
        return;
    if (run->caller_reading)
        ev_io_start(srv->loop, &c->rio);
    if (run->caller_writing)
        ev_io_start(srv->loop, &c->wio);
}

/* One pass of the event loop for the other clients, then their replies. */
static void serve_others(struct script_state *st)
{
    struct server *srv = st->srv;
    struct client **pp;
    bool timer = ev_is_active(&srv->deadline_timer);
    ev_timer_stop(srv->loop, &srv->deadline_timer);
    ev_ref(srv->loop);   /* the cron is unreferenced (server_create): libev wants it back before a stop */
    ev_timer_stop(srv->loop, &srv->cron);   /* keeps its remaining delay */
    ev_prepare_stop(srv->loop, &srv->before_sleep);
    ev_run(srv->loop, EVRUN_NOWAIT);
    ev_prepare_start(srv->loop, &srv->before_sleep);
    ev_timer_start(srv->loop, &srv->cron);
    ev_unref(srv->loop);
    if (timer)
        ev_timer_start(srv->loop, &srv->deadline_timer);
    persist_journal_commit(srv);   /* others' writes are durable before their replies go */
    pp = &srv->pending;
    while (*pp) {
        struct client *c = *pp;
        if (c == st->run->caller) {
            pp = &c->next_pending;
            continue;
        }
        *pp = c->next_pending;
        c->flags &= ~(uint32_t)CF_PENDING_WRITE;
        client_flush(c);
    }
}

bool script_hook(struct script_state *st)
{
    struct script_run *run = st->run;
    struct server *srv = st->srv;
    if (!run)
        return false;
    if (!(run->flags & RUN_TIMEDOUT)) {
        long long threshold = config_values(srv->cfg)->busy_reply_threshold;
        int64_t elapsed = server_clock_us() - run->start_us;
        if (threshold <= 0 || elapsed < threshold * 1000)
            return false;
        log_at(srv, LOG_WARNING, "Slow script detected: still in execution after %lld milliseconds. You can try "
               "killing the script using the SCRIPT KILL command. Script name is: %s.", (long long)(elapsed / 1000),
               run->sha);
        run->flags |= RUN_TIMEDOUT;
        protect_caller(run, srv);
    }
    serve_others(st);
    if (srv->shutdown_asap)
        run->flags |= RUN_KILLED;
    return (run->flags & RUN_KILLED) != 0;
}

/* ---- scripts: cache and runs ------------------------------------------------ */

static void sha1_hex_of(const char *p, size_t len, char out[SCRIPT_SHA_LEN + 1])
{
    unsigned char d[DIGEST_LEN];
    sha1(p, len, d);
    digest_hex(d, out);
}

/* Splits a shebang line as Redis' sdssplitargs does: returns the number of
 * words written to words[] (each NUL-terminated in buf, which needs len + 1
 * bytes), or -1 on unbalanced quotes. */
static int split_words(const char *p, size_t len, char *buf, char **words, int max)
{
    const char *end = p + len;
    int n = 0;
    for (;;) {
        bool inq = false, insq = false, done = false;
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end || n == max)
            return n;
        words[n++] = buf;
        while (!done) {
            if (inq) {
                if (p >= end)
                    return -1;
                if (*p == '\\' && p + 3 < end && p[1] == 'x' && isxdigit((unsigned char)p[2]) &&
                    isxdigit((unsigned char)p[3])) {
                    char hex[3] = { p[2], p[3], 0 };
                    *buf++ = (char)strtol(hex, NULL, 16);
                    p += 3;
                } else if (*p == '\\' && p + 1 < end) {
                    p++;
                    *buf++ = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p == 'b' ? '\b'
                           : *p == 'a' ? '\a' : *p;
                } else if (*p == '"') {
                    if (p + 1 < end && !isspace((unsigned char)p[1]))
                        return -1;
                    done = true;
                } else {
                    *buf++ = *p;
                }
            } else if (insq) {
                if (p >= end)
                    return -1;
                if (*p == '\\' && p + 1 < end && p[1] == '\'') {
                    p++;
                    *buf++ = '\'';
                } else if (*p == '\'') {
                    if (p + 1 < end && !isspace((unsigned char)p[1]))
                        return -1;
                    done = true;
                } else {
                    *buf++ = *p;
                }
            } else if (p >= end || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\0') {
                done = true;
            } else if (*p == '"') {
                inq = true;
            } else if (*p == '\'') {
                insq = true;
            } else {
                *buf++ = *p;
            }
            if (p < end)
                p++;
        }
        *buf++ = '\0';
    }
}

static const struct {
    const char *name;
    unsigned flag;
} shebang_flags[] = {
    { "no-writes", SF_NO_WRITES }, { "allow-oom", SF_ALLOW_OOM }, { "allow-stale", SF_ALLOW_STALE },
    { "no-cluster", SF_NO_CLUSTER }, { "allow-cross-slot-keys", SF_ALLOW_CROSS_SLOT },
};

/* A shebang error for the caller to reply (a malloc'd "ERR ..." text), or
 * nothing when err is NULL (the maxmemory check only wants the flags). */
static void shebang_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void shebang_error(char **err, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (!err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *err = kv_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(*err, (size_t)n + 1, fmt, ap);
    va_end(ap);
}

/* The flags of a `flags=a,b` option; false with *err set. */
static bool parse_flag_list(const char *list, unsigned *flags, char **err)
{
    if (!*list)
        return true;
    for (;;) {
        const char *comma = strchr(list, ',');
        size_t len = comma ? (size_t)(comma - list) : strlen(list);
        size_t i, n = sizeof(shebang_flags) / sizeof(shebang_flags[0]);
        for (i = 0; i < n; i++)
            if (strlen(shebang_flags[i].name) == len && memcmp(shebang_flags[i].name, list, len) == 0)
                break;
        if (i == n) {
            shebang_error(err, "ERR Unexpected flag in script shebang: %.*s", (int)len, list);
            return false;
        }
        *flags |= shebang_flags[i].flag;
        if (!comma)
            return true;
        list = comma + 1;
    }
}

/* Redis' shebang: "#!lua [flags=f1,f2...]" on the first line. Sets *flags
 * (SF_EVAL_COMPAT without a shebang) and *skip (the shebang line's length,
 * its newline excluded); false with *err set (see shebang_error). */
static bool parse_shebang(const char *body, size_t len, unsigned *flags, size_t *skip, char **err)
{
    const char *nl;
    char *buf, *words[64];
    int n;
    bool ok = true;
    *flags = SF_EVAL_COMPAT;
    *skip = 0;
    if (len < 2 || body[0] != '#' || body[1] != '!')
        return true;
    nl = memchr(body, '\n', len);
    if (!nl) {
        shebang_error(err, "ERR Invalid script shebang");
        return false;
    }
    *skip = (size_t)(nl - body);
    buf = kv_xmalloc(*skip + 1);
    n = split_words(body, *skip, buf, words, 64);
    if (n <= 0) {
        shebang_error(err, "ERR Invalid engine in script shebang");
        ok = false;
    } else if (strcmp(words[0], "#!lua") != 0) {
        shebang_error(err, "ERR Unexpected engine in script shebang: %s", words[0]);
        ok = false;
    }
    *flags = 0;
    for (int i = 1; ok && i < n; i++) {
        if (strncmp(words[i], "flags=", 6) == 0) {
            ok = parse_flag_list(words[i] + 6, flags, err);
        } else {
            shebang_error(err, "ERR Unknown lua shebang option: %s", words[i]);
            ok = false;
        }
    }
    free(buf);
    return ok;
}

/* The cached script for this body, compiled and cached now if new: its sha
 * in `sha` and its flags. False after replying the error. */
static bool create_script(struct client *c, struct script_state *st, const struct resp_arg *body,
                          char sha[SCRIPT_SHA_LEN + 1], unsigned *flags)
{
    size_t skip;
    char *err = NULL;
    sha1_hex_of(body->ptr, body->len, sha);
    if (lua_env_lookup(st->L, sha, flags))
        return true;
    if (!parse_shebang(body->ptr, body->len, flags, &skip, &err)) {
        reply_error(&c->out, err);
        free(err);
        return false;
    }
    if (!lua_env_compile(st->L, sha, body->ptr, body->len, skip, *flags, &c->out))
        return false;
    st->nscripts++;
    return true;
}

uint32_t script_command_flags(struct server *srv, const struct cmd_def *d, int argc, const struct resp_arg *argv)
{
    struct script_state *st = srv->script;
    bool evalsha = strncmp(d->name, "evalsha", 7) == 0;
    char sha[SCRIPT_SHA_LEN + 1];
    unsigned flags;
    size_t skip;
    uint32_t cmd_flags = d->flags;
    if (argc < 2 || (evalsha && argv[1].len != SCRIPT_SHA_LEN))
        return cmd_flags;
    if (evalsha) {
        for (int i = 0; i < SCRIPT_SHA_LEN; i++)
            sha[i] = (char)tolower((unsigned char)argv[1].ptr[i]);
        sha[SCRIPT_SHA_LEN] = '\0';
    } else {
        sha1_hex_of(argv[1].ptr, argv[1].len, sha);
    }
    if (!st || !st->L || !lua_env_lookup(st->L, sha, &flags)) {
        if (evalsha || !parse_shebang(argv[1].ptr, argv[1].len, &flags, &skip, NULL))
            return cmd_flags;
    }
    if (flags & SF_EVAL_COMPAT)
        return cmd_flags;
    cmd_flags &= ~(uint32_t)(CMD_STALE | CMD_DENYOOM | CMD_WRITE);
    if (!(flags & (SF_ALLOW_OOM | SF_NO_WRITES)))
        cmd_flags |= CMD_DENYOOM;
    if (!(flags & SF_NO_WRITES))
        cmd_flags |= CMD_WRITE;
    if (flags & SF_ALLOW_STALE)
        cmd_flags |= CMD_STALE;
    return cmd_flags;
}

static void run_script(struct client *c, struct script_state *st, const char *sha, unsigned flags, bool ro,
                       int nkeys)
{
    struct server *srv = c->srv;
    struct script_run run = { 0 };
    bool bracket = srv->exec_wrap == 0;
    if (!(flags & SF_EVAL_COMPAT) && !(flags & (SF_ALLOW_OOM | SF_NO_WRITES)) && srv->maxmemory &&
        maxmem_script_oom(srv)) {
        reply_error(&c->out, "OOM allow-oom flag is not set on the script, can not run it when used memory > "
                             "'maxmemory'");
        return;
    }
    if (!(flags & SF_EVAL_COMPAT) && !(flags & SF_NO_WRITES) && ro) {
        reply_error(&c->out, "ERR Can not execute a script with write flag using *_ro command.");
        return;
    }
    if (!(flags & SF_EVAL_COMPAT) && (flags & SF_ALLOW_OOM))
        run.flags |= RUN_ALLOW_OOM;
    run.caller = c;
    memcpy(run.sha, sha, SCRIPT_SHA_LEN + 1);
    if (ro || (!(flags & SF_EVAL_COMPAT) && (flags & SF_NO_WRITES)))
        run.flags |= RUN_READ_ONLY;
    run.repl = SCRIPT_REPL_ALL;
    run.start_us = server_clock_us();
    st->fake->db = c->db;
    st->fake->out.proto = 2;
    reply_clear(&st->fake->out);
    if (bracket)
        cmd_exec_begin(srv);
    st->run = &run;
    lua_env_run(st, nkeys, c->argv + 3, c->argc - 3 - nkeys, c->argv + 3 + nkeys, &c->out);
    st->run = NULL;
    if (bracket)
        cmd_exec_end(srv);
    reply_clear(&st->fake->out);
    if (run.flags & RUN_TIMEDOUT) {
        unprotect_caller(&run, srv);
        if (srv->shutdown_asap)
            c->flags |= CF_CLOSE_ASAP;   /* the server stops: no reply, as Redis exits */
    }
}

static void eval_generic(struct client *c, bool evalsha, bool ro)
{
    struct script_state *st;
    char sha[SCRIPT_SHA_LEN + 1];
    unsigned flags = 0;
    long long nkeys;
    if (evalsha && c->argv[1].len != SCRIPT_SHA_LEN) {
        reply_error(&c->out, noscript_error);
        return;
    }
    if (!arg_ll_or_reply(c, &c->argv[2], &nkeys))
        return;
    if (nkeys > c->argc - 3) {
        reply_err(&c->out, RE_NUMKEYS_ARGS);
        return;
    }
    if (nkeys < 0) {
        reply_error(&c->out, "ERR Number of keys can't be negative");
        return;
    }
    st = state_of(c->srv);
    if (evalsha) {
        for (int i = 0; i < SCRIPT_SHA_LEN; i++)
            sha[i] = (char)tolower((unsigned char)c->argv[1].ptr[i]);
        sha[SCRIPT_SHA_LEN] = '\0';
        if (!lua_env_lookup(st->L, sha, &flags)) {
            reply_error(&c->out, noscript_error);
            return;
        }
    } else if (!create_script(c, st, &c->argv[1], sha, &flags)) {
        return;
    }
    run_script(c, st, sha, flags, ro, (int)nkeys);
}

static void eval_cmd(struct client *c) { eval_generic(c, false, false); }
static void evalsha_cmd(struct client *c) { eval_generic(c, true, false); }
static void eval_ro_cmd(struct client *c) { eval_generic(c, false, true); }
static void evalsha_ro_cmd(struct client *c) { eval_generic(c, true, true); }

/* ---- SCRIPT ----------------------------------------------------------------- */

static void script_load_cmd(struct client *c)
{
    char sha[SCRIPT_SHA_LEN + 1];
    unsigned flags;
    if (create_script(c, state_of(c->srv), &c->argv[2], sha, &flags))
        reply_bulk(&c->out, sha, SCRIPT_SHA_LEN);
}

static void script_exists_cmd(struct client *c)
{
    struct script_state *st = state_of(c->srv);
    reply_array(&c->out, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        char sha[SCRIPT_SHA_LEN + 1];
        bool found = c->argv[j].len == SCRIPT_SHA_LEN;
        for (int i = 0; found && i < SCRIPT_SHA_LEN; i++)
            sha[i] = (char)tolower((unsigned char)c->argv[j].ptr[i]);
        sha[SCRIPT_SHA_LEN] = '\0';
        reply_int(&c->out, found && lua_env_lookup(st->L, sha, NULL));
    }
}

static void script_flush_cmd(struct client *c)
{
    struct script_state *st;
    if (c->argc > 3 || (c->argc == 3 && !arg_is(&c->argv[2], "sync") && !arg_is(&c->argv[2], "async"))) {
        reply_error(&c->out, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    st = state_of(c->srv);
    lua_env_destroy(st->L);   /* a new Lua state on next use, as Redis */
    st->L = NULL;
    st->nscripts = 0;
    reply_ok(&c->out);
}

static void script_kill_cmd(struct client *c)
{
    struct script_run *run = c->srv->script ? c->srv->script->run : NULL;
    if (!run) {
        reply_error(&c->out, "NOTBUSY No scripts in execution right now.");
    } else if (run->flags & RUN_WRITE_DIRTY) {
        reply_error(&c->out, "UNKILLABLE Sorry the script already executed write commands against the dataset. "
                             "You can either wait the script termination or kill the server in a hard way using "
                             "the SHUTDOWN NOSAVE command.");
    } else {
        run->flags |= RUN_KILLED;
        reply_ok(&c->out);
    }
}

static void script_debug_cmd(struct client *c)
{
    if (c->flags & CF_MULTI) {
        reply_error(&c->out, "ERR SCRIPT DEBUG must be called outside a pipeline");
    } else if (arg_is(&c->argv[2], "no")) {
        reply_ok(&c->out);
    } else if (arg_is(&c->argv[2], "yes") || arg_is(&c->argv[2], "sync")) {
        /* the Lua debugger (LDB) is not implemented */
        reply_error(&c->out, "ERR SCRIPT DEBUG YES/SYNC (the Lua debugger) is not supported by this server");
    } else {
        reply_error(&c->out, "ERR Use SCRIPT DEBUG YES/SYNC/NO");
    }
}

static void script_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

#define SC (ACL_SLOW | ACL_SCRIPTING)
#define EVAL_FLAGS (CMD_NOSCRIPT | CMD_STALE | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS | CMD_MOVABLE_KEYS)

static const struct cmd_def script_subs[] = {
    { "debug", script_debug_cmd, 3, CMD_NOSCRIPT, SC, 0, 0, 0, "Sets the debug mode of server-side Lua scripts.",
      NULL },
    { "exists", script_exists_cmd, -3, CMD_NOSCRIPT, SC, 0, 0, 0,
      "Determines whether server-side Lua scripts exist in the script cache.", NULL },
    { "flush", script_flush_cmd, -2, CMD_NOSCRIPT, SC, 0, 0, 0, "Removes all server-side Lua scripts from the "
      "script cache.", NULL },
    { "help", script_help_cmd, 2, CMD_LOADING | CMD_STALE, SC, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { "kill", script_kill_cmd, 2, CMD_NOSCRIPT | CMD_ALLOW_BUSY, SC, 0, 0, 0,
      "Terminates a server-side Lua script during execution.", NULL },
    { "load", script_load_cmd, 3, CMD_NOSCRIPT | CMD_STALE, SC, 0, 0, 0,
      "Loads a server-side Lua script to the script cache.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def script_cmds[] = {
    { "eval", eval_cmd, -3, EVAL_FLAGS, SC, 0, 0, 0, "Executes a server-side Lua script.", NULL, 2 },
    { "evalsha", evalsha_cmd, -3, EVAL_FLAGS, SC, 0, 0, 0, "Executes a server-side Lua script by SHA1 digest.",
      NULL, 2 },
    { "eval_ro", eval_ro_cmd, -3, CMD_READONLY | EVAL_FLAGS, SC, 0, 0, 0,
      "Executes a read-only server-side Lua script.", NULL, 2 },
    { "evalsha_ro", evalsha_ro_cmd, -3, CMD_READONLY | EVAL_FLAGS, SC, 0, 0, 0,
      "Executes a read-only server-side Lua script by SHA1 digest.", NULL, 2 },
    { "script", NULL, -2, 0, ACL_SLOW, 0, 0, 0, "A container for Lua scripts management commands.", script_subs },
};

const struct cmd_group cmd_group_script = CMD_GROUP("scripting", script_cmds);
