/*
 * command: table lookup, the dispatcher and the shared argument parsers
 * (see command.h).
 *
 * The table is an open-addressing hash of lower-case names built once from
 * every module's cmd_group; lookups lower-case the request's name into a
 * stack buffer, so there is no strcasecmp chain on the hot path.
 */
#include "api/command.h"
#include "api/block.h"
#include "api/cmd_docs.h"
#include "api/cmd_keyspecs.h"
#include "api/client.h"
#include "api/config.h"
#include "api/log.h"
#include "api/maxmemory.h"
#include "api/multi.h"
#include "api/ops.h"
#include "api/pause.h"
#include "api/persist.h"
#include "api/pubsub.h"
#include "api/reply.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/hdrhist.h"
#include "engine/kv.h"
#include "engine/numfmt.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NAME 64

extern const struct cmd_group cmd_group_server;
extern const struct cmd_group cmd_group_conn;
extern const struct cmd_group cmd_group_keys;
extern const struct cmd_group cmd_group_string;
extern const struct cmd_group cmd_group_info;
extern const struct cmd_group cmd_group_command;
extern const struct cmd_group cmd_group_hash;
extern const struct cmd_group cmd_group_set;
extern const struct cmd_group cmd_group_list;
extern const struct cmd_group cmd_group_sort;
extern const struct cmd_group cmd_group_zset;
extern const struct cmd_group cmd_group_multi;
extern const struct cmd_group cmd_group_pubsub;
extern const struct cmd_group cmd_group_script;
extern const struct cmd_group cmd_group_stream;
extern const struct cmd_group cmd_group_persist;
extern const struct cmd_group cmd_group_monitor;
extern const struct cmd_group cmd_group_slowlog;
extern const struct cmd_group cmd_group_latency;
extern const struct cmd_group cmd_group_dump;
extern const struct cmd_group cmd_group_memory;
extern const struct cmd_group cmd_group_debug;

static const struct cmd_group *const all_groups[] = {
    &cmd_group_server, &cmd_group_info, &cmd_group_command, &cmd_group_conn, &cmd_group_keys, &cmd_group_string,
    &cmd_group_hash,
    &cmd_group_set,
    &cmd_group_list,
    &cmd_group_sort,
    &cmd_group_zset,
    &cmd_group_multi,
    &cmd_group_pubsub,
    &cmd_group_script,
    &cmd_group_stream,
    &cmd_group_persist,
    &cmd_group_monitor,
    &cmd_group_slowlog,
    &cmd_group_latency,
    &cmd_group_dump,
    &cmd_group_memory,
    &cmd_group_debug,
};

struct slot {
    const struct cmd_def *def;
    struct cmd_stats stats;
};

struct effect {
    int db, argc;
    struct kv_arg *argv;   /* argv and the bytes live in one allocation */
};

struct cmd_table {
    struct slot *slots;
    size_t cap, count;
    /* subcommand stats live in a second table keyed by def pointer */
    struct slot *subs;
    size_t nsubs;
    /* effects recorded by the running command (cmd_effect) */
    struct effect *effects;
    size_t neffects, effects_cap;
    struct cmd_docs *docs;     /* COMMAND DOCS, parsed once from cmd_docs_data */
    struct cmd_keyspecs *keyspecs; /* COMMAND INFO's tips and key specs, from cmd_keyspecs_data */
};

static void effects_reset(struct cmd_table *t);

static uint64_t name_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void table_put(struct cmd_table *t, const struct cmd_def *d)
{
    size_t i = name_hash(d->name, strlen(d->name)) & (t->cap - 1);
    while (t->slots[i].def)
        i = (i + 1) & (t->cap - 1);
    t->slots[i].def = d;
    t->count++;
}

/* The docs table is static data checked by a unit test: a notation error is
 * a programmer error. */
static struct cmd_docs *docs_or_die(void)
{
    char err[256];
    struct cmd_docs *docs = cmd_docs_create(cmd_docs_data, cmd_docs_data_len, err, sizeof(err));
    if (!docs) {
        fprintf(stderr, "taskkv: bad command docs: %s\n", err);
        abort();
    }
    return docs;
}

static struct cmd_keyspecs *keyspecs_or_die(void)
{
    char err[256];
    struct cmd_keyspecs *ks = cmd_keyspecs_create(cmd_keyspecs_data, cmd_keyspecs_data_len, err, sizeof(err));
    if (!ks) {
        fprintf(stderr, "taskkv: bad command key specs: %s\n", err);
        abort();
    }
    return ks;
}

struct cmd_table *cmd_table_create(void)
{
    struct cmd_table *t = kv_xcalloc(1, sizeof(*t));
    size_t n = 0, nsubs = 0;
    for (size_t g = 0; g < sizeof(all_groups) / sizeof(all_groups[0]); g++) {
        n += all_groups[g]->n;
        for (size_t i = 0; i < all_groups[g]->n; i++)
            for (const struct cmd_def *s = all_groups[g]->defs[i].subs; s && s->name; s++)
                nsubs++;
    }
    t->cap = 16;
    while (t->cap < n * 2)
        t->cap *= 2;
    t->slots = kv_xcalloc(t->cap, sizeof(*t->slots));
    t->subs = kv_xcalloc(nsubs ? nsubs : 1, sizeof(*t->subs));
    for (size_t g = 0; g < sizeof(all_groups) / sizeof(all_groups[0]); g++)
        for (size_t i = 0; i < all_groups[g]->n; i++) {
            const struct cmd_def *d = &all_groups[g]->defs[i];
            table_put(t, d);
            for (const struct cmd_def *s = d->subs; s && s->name; s++)
                t->subs[t->nsubs++].def = s;
        }
    t->docs = docs_or_die();
    t->keyspecs = keyspecs_or_die();
    return t;
}

void cmd_table_destroy(struct cmd_table *t)
{
    if (!t)
        return;
    effects_reset(t);
    cmd_stats_reset(t);
    cmd_docs_destroy(t->docs);
    cmd_keyspecs_destroy(t->keyspecs);
    free(t->effects);
    free(t->slots);
    free(t->subs);
    free(t);
}

static size_t lower_name(char *dst, const char *name, size_t len)
{
    if (len >= MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)tolower((unsigned char)name[i]);
    dst[len] = '\0';
    return len;
}

static struct slot *find_slot(const struct cmd_table *t, const char *name, size_t len)
{
    char low[MAX_NAME];
    size_t i;
    if (!len || !lower_name(low, name, len))
        return NULL;
    i = name_hash(low, len) & (t->cap - 1);
    for (; t->slots[i].def; i = (i + 1) & (t->cap - 1))
        if (strlen(t->slots[i].def->name) == len && memcmp(t->slots[i].def->name, low, len) == 0)
            return &t->slots[i];
    return NULL;
}

const struct cmd_def *cmd_lookup(const struct cmd_table *t, const char *name, size_t len)
{
    struct slot *s = find_slot(t, name, len);
    return s ? s->def : NULL;
}

size_t cmd_count(const struct cmd_table *t) { return t->count; }

const struct cmd_docs *cmd_table_docs(const struct cmd_table *t) { return t->docs; }

const struct cmd_keyspecs *cmd_table_keyspecs(const struct cmd_table *t) { return t->keyspecs; }

void cmd_foreach(const struct cmd_table *t, void (*fn)(const struct cmd_def *d, void *arg), void *arg)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].def)
            fn(t->slots[i].def, arg);
}

struct cmd_stats *cmd_stats_of(struct cmd_table *t, const struct cmd_def *d)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].def == d)
            return &t->slots[i].stats;
    for (size_t i = 0; i < t->nsubs; i++)
        if (t->subs[i].def == d)
            return &t->subs[i].stats;
    return NULL;
}

static void stats_clear(struct cmd_stats *s)
{
    hdrhist_free(s->latency);
    memset(s, 0, sizeof(*s));
}

void cmd_stats_reset(struct cmd_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        stats_clear(&t->slots[i].stats);
    for (size_t i = 0; i < t->nsubs; i++)
        stats_clear(&t->subs[i].stats);
}

static const struct cmd_def *find_sub(const struct cmd_def *d, const struct resp_arg *a, struct cmd_table *t,
                                      struct cmd_stats **stats)
{
    char low[MAX_NAME];
    if (!lower_name(low, a->ptr, a->len))
        return NULL;
    for (const struct cmd_def *s = d->subs; s->name; s++)
        if (strcmp(s->name, low) == 0) {
            for (size_t i = 0; i < t->nsubs; i++)
                if (t->subs[i].def == s)
                    *stats = &t->subs[i].stats;
            return s;
        }
    return NULL;
}

/* ---- rejections --------------------------------------------------------- */

static void reject_unknown(struct client *c)
{
    char args[160];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && used < 128; i++) {
        int room = 128 - (int)used;
        int len = (int)c->argv[i].len < room ? (int)c->argv[i].len : room;
        used += (size_t)snprintf(args + used, sizeof(args) - used, "'%.*s' ", len, c->argv[i].ptr);
        if (used >= sizeof(args))
            used = sizeof(args) - 1;
    }
    reply_errorf(&c->out, "ERR unknown command '%.*s', with args beginning with: %s",
                 (int)(c->argv[0].len < 128 ? c->argv[0].len : 128), c->argv[0].ptr, args);
}

static void reject_unknown_sub(struct client *c, const struct cmd_def *container)
{
    char upper[MAX_NAME];
    size_t n = strlen(container->name);
    for (size_t i = 0; i <= n; i++)
        upper[i] = (char)toupper((unsigned char)container->name[i]);
    reply_errorf(&c->out, "ERR unknown subcommand '%.*s'. Try %s HELP.",
                 (int)(c->argv[1].len < 128 ? c->argv[1].len : 128), c->argv[1].ptr, upper);
}

static bool arity_ok(const struct cmd_def *d, int argc)
{
    return d->arity > 0 ? argc == d->arity : argc >= -d->arity;
}

/* A protected command (CMD_PROTECTED) is allowed by its
 * enable-<name>-command parameter: "yes", or "local" for a local client. */
static bool protected_allowed(struct client *c, const struct cmd_def *d)
{
    char param[MAX_NAME + 16];
    const char *v;
    snprintf(param, sizeof(param), "enable-%s-command", d->name);
    v = config_value(c->srv->cfg, param);
    return v && (!strcmp(v, "yes") || (!strcmp(v, "local") && client_is_local(c)));
}

static void reject_protected(struct client *c, const struct cmd_def *d)
{
    char upper[MAX_NAME];
    size_t n = strlen(d->name);
    for (size_t i = 0; i <= n; i++)
        upper[i] = (char)toupper((unsigned char)d->name[i]);
    reply_errorf(&c->out, "ERR %s command not allowed. If the enable-%s-command option is set to \"local\", you can "
                 "run it from a local connection, otherwise you need to set this option in the configuration file, "
                 "and then restart the server.", upper, d->name);
}

/* ---- propagation -------------------------------------------------------- */

static void effects_reset(struct cmd_table *t)
{
    for (size_t i = 0; i < t->neffects; i++)
        free(t->effects[i].argv);
    t->neffects = 0;
}

void cmd_dirty(struct client *c, long long n)
{
    c->srv->dirty += n;
    c->srv->cmd_changes += n;
}

void cmd_effect(struct client *c, int argc, const struct resp_arg *argv)
{
    size_t bytes = sizeof(struct kv_arg) * (size_t)argc;
    char *p;
    struct kv_arg *copy;
    for (int i = 0; i < argc; i++)
        bytes += argv[i].len + 1;
    copy = kv_xmalloc(bytes);
    p = (char *)(copy + argc);
    for (int i = 0; i < argc; i++) {
        memcpy(p, argv[i].ptr, argv[i].len);
        p[argv[i].len] = '\0';
        copy[i].ptr = p;
        copy[i].len = argv[i].len;
        p += argv[i].len + 1;
    }
    struct cmd_table *t = c->srv->cmds;
    if (t->neffects == t->effects_cap) {
        t->effects_cap = t->effects_cap ? t->effects_cap * 2 : 4;
        t->effects = kv_xrealloc(t->effects, t->effects_cap * sizeof(*t->effects));
    }
    t->effects[t->neffects++] = (struct effect){ c->db, argc, copy };
}

void cmd_effectv(struct client *c, ...)
{
    struct resp_arg argv[16];
    int argc = 0;
    const char *s;
    va_list ap;
    va_start(ap, c);
    while (argc < 16 && (s = va_arg(ap, const char *)) != NULL) {
        argv[argc].ptr = s;
        argv[argc].len = strlen(s);
        argc++;
    }
    va_end(ap);
    cmd_effect(c, argc, argv);
}

static void emit_effect(struct server *srv, int db, int argc, const struct kv_arg *argv)
{
    /* The first write of an EXEC is preceded by MULTI, so the journal and
     * replicas apply the transaction as one (cmd_exec_end closes it). */
    if (srv->exec_wrap == 1) {
        static const struct kv_arg multi[1] = { { "MULTI", 5 } };
        srv->exec_wrap = 2;
        srv->hooks.effect(srv->hooks.ctx, -1, 1, multi);
    }
    srv->hooks.effect(srv->hooks.ctx, db, argc, argv);
}

/* Hands the running command's effects (or the command itself) to the
 * effect hook, once per change: changes made by nested calls (EXEC's
 * commands) were propagated by those calls. */
static void propagate(struct client *c)
{
    struct server *srv = c->srv;
    struct cmd_table *t = srv->cmds;
    if (srv->cmd_changes == srv->cmd_propagated && !t->neffects)
        return;
    srv->cmd_propagated = srv->cmd_changes;
    if (srv->hooks.effect) {
        if (t->neffects) {
            for (size_t i = 0; i < t->neffects; i++)
                emit_effect(srv, t->effects[i].db, t->effects[i].argc, t->effects[i].argv);
        } else {
            emit_effect(srv, c->db, c->argc, (const struct kv_arg *)c->argv);
        }
    }
    effects_reset(t);
}

void cmd_exec_begin(struct server *srv)
{
    srv->exec_wrap = 1;
}

void cmd_exec_end(struct server *srv)
{
    static const struct kv_arg exec[1] = { { "EXEC", 4 } };
    if (srv->exec_wrap == 2 && srv->hooks.effect)
        srv->hooks.effect(srv->hooks.ctx, -1, 1, exec);
    srv->exec_wrap = 0;
}

/* ---- dispatch ----------------------------------------------------------- */

/* "POST" and "Host:" are HTTP arriving at the Redis port (cross-protocol
 * scripting): close without a reply, as Redis does. */
static bool is_http(const struct resp_arg *a)
{
    return arg_is(a, "post") || arg_is(a, "host:");
}

/* EXEC rejected before it runs aborts the transaction, as in Redis. */
static bool is_exec(const struct cmd_def *d)
{
    return strcmp(d->name, "exec") == 0;
}

/* The command to run for c->argv, after the checks Redis makes before a
 * handler runs (lookup, subcommand, arity, protection, authentication); NULL after
 * replying with the rejection. *stats is where the call is counted. */
static const struct cmd_def *resolve_or_reply(struct client *c, struct slot *slot, struct cmd_stats **stats)
{
    const struct cmd_def *d;
    /* CLIENT LIST's cmd= is the command looked up, even if refused next
     * (NULL when unknown), as Redis records it */
    c->last_cmd = c->last_parent = NULL;
    if (!slot) {
        reject_unknown(c);
        return NULL;
    }
    d = slot->def;
    *stats = &slot->stats;
    c->last_cmd = d;
    if (d->subs && c->argc >= 2) {
        const struct cmd_def *sub = find_sub(d, &c->argv[1], c->srv->cmds, stats);
        c->last_cmd = sub;
        c->last_parent = sub ? d : NULL;
        if (!sub) {
            reject_unknown_sub(c, d);
            return NULL;
        }
        if (!arity_ok(sub, c->argc)) {
            reply_errorf(&c->out, "ERR wrong number of arguments for '%s|%s' command", d->name, sub->name);
            (*stats)->rejected++;
            return NULL;
        }
        d = sub;
    } else if (!arity_ok(d, c->argc)) {
        if (is_exec(d))
            multi_exec_abort(c, "wrong number of arguments for 'exec' command");
        else
            cmd_wrong_arity(c, d->name);
        (*stats)->rejected++;
        return NULL;
    }
    if ((d->flags & CMD_PROTECTED) && !protected_allowed(c, d)) {
        reject_protected(c, d);
        (*stats)->rejected++;
        return NULL;
    }
    if (client_auth_required(c) && !(d->flags & CMD_NO_AUTH)) {
        if (is_exec(d))
            multi_exec_abort(c, reply_err_text(RE_NOAUTH));
        else
            reply_err(&c->out, RE_NOAUTH);
        (*stats)->rejected++;
        return NULL;
    }
    return d;
}

void cmd_call(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, struct cmd_stats *stats)
{
    struct server *srv = c->srv;
    uint64_t errors_before = c->out.errors;
    int64_t start = server_clock_us();
    c->cmd = d;
    c->last_cmd = d;
    c->last_parent = parent;
    if (srv->call_depth == 0) {   /* nested calls (EXEC, scripts) keep the outer command's clock */
        srv->now_ms = start / 1000;
        kv_set_clock(srv->ks, srv->now_ms);
        maxmem_note_peak(srv);   /* used_memory_peak: what the previous commands left, and these arguments */
    }
    if ((d->flags & CMD_SKIP_MONITOR) && srv->monitors)   /* EVAL & co. are shown before they run */
        monitor_feed(c, c->argc, c->argv);
    srv->call_depth++;
    d->fn(c);
    srv->call_depth--;
    stats->calls++;
    int64_t duration = server_clock_us() - start;
    stats->usec += (uint64_t)duration;
    if (config_values(srv->cfg)->latency_tracking)
        latency_hist_record(stats, duration);
    /* Errors written by nested calls (EXEC's commands) were counted there. */
    if (c->errors_accounted > errors_before)
        errors_before = c->errors_accounted;
    if (c->out.errors > errors_before) {
        stats->failed++;
        srv->stats.total_error_replies += c->out.errors - errors_before;
    }
    c->errors_accounted = c->out.errors;
    srv->stats.commands_processed++;
    propagate(c);
    if (duration >= srv->ops_min_us)   /* MONITOR, SLOWLOG, LATENCY (api/ops.h) */
        ops_after_call(c, d, parent, start, duration);
    c->cmd = NULL;
}

/* The checks after resolution, in Redis' order: a command refused in a
 * transaction, then RESP2 subscribed mode. */
static bool allowed_or_reply(struct client *c, const struct cmd_def *d, const struct cmd_def *parent)
{
    if ((c->flags & CF_MULTI) && (d->flags & CMD_NO_MULTI)) {
        reply_error(&c->out, "ERR Command not allowed inside a transaction");
        return false;
    }
    if (c->srv->maxmemory && !maxmem_allowed_or_reply(c, d))   /* evicts, or -OOM */
        return false;
    /* stop-writes-on-bgsave-error: a failed background save stops writes
     * (and PING, which monitoring uses to notice) until a save succeeds */
    if (persist_writes_refused(c->srv) && ((d->flags & CMD_WRITE) || strcmp(d->name, "ping") == 0)) {
        char buf[160];
        reply_error(&c->out, persist_write_error(c->srv, buf, sizeof(buf)));
        return false;
    }
    if ((c->flags & CF_PUBSUB) && c->out.proto == 2 && !pubsub_allowed(d)) {
        if (!parent && is_exec(d))
            multi_exec_abort(c, "Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                                "are allowed in this context");
        else
            reply_errorf(&c->out, "ERR Can't execute '%s%s%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                         "QUIT / RESET are allowed in this context", parent ? parent->name : "", parent ? "|" : "",
                         d->name);
        return false;
    }
    if ((c->flags & CF_MONITOR) && monitor_refuses(d)) {
        reply_error(&c->out, "ERR Replica can't interact with the keyspace");
        return false;
    }
    if (!(d->flags & CMD_LOADING) && persist_loading(c->srv)) {
        reply_error(&c->out, PERSIST_LOADING_ERR);
        return false;
    }
    return script_allowed_or_reply(c, d);
}

/* Whether a command's reply may show the keyspace: reads and writes, and
 * the transaction, scripting, pub/sub and blocking families. INFO, CONFIG,
 * CLIENT, PING and the like do not (replies held while the journal cannot
 * commit, api/persist.c, let them through). */
static bool cmd_shows_data(const struct cmd_def *d)
{
    return (d->flags & (CMD_WRITE | CMD_READONLY)) ||
           (d->acl & (ACL_KEYSPACE | ACL_READ | ACL_WRITE | ACL_PUBSUB | ACL_TRANSACTION | ACL_SCRIPTING |
                      ACL_BLOCKING));
}

bool cmd_dispatch(struct client *c)
{
    struct server *srv = c->srv;
    struct slot *slot = find_slot(srv->cmds, c->argv[0].ptr, c->argv[0].len);
    struct cmd_stats *stats = NULL;
    const struct cmd_def *d, *parent;

    if (!slot && is_http(&c->argv[0])) {
        log_at(srv, LOG_WARNING, "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or "
                                 "Host: commands to Redis. This is likely due to an attacker attempting to use "
                                 "Cross Protocol Scripting to compromise your Redis instance. Connection from %s "
                                 "aborted.", c->addr);
        c->flags |= CF_CLOSE_ASAP;
        return false;
    }
    d = resolve_or_reply(c, slot, &stats);
    parent = d && d != slot->def ? slot->def : NULL;
    if (d && !allowed_or_reply(c, d, parent)) {
        stats->rejected++;
        d = NULL;
    }
    if (!d) {
        srv->stats.total_error_replies++;
        multi_flag_error(c);
        return true;
    }
    if (pause_holds(c, d, parent))   /* CLIENT PAUSE: the command runs again when it ends */
        return true;
    if (multi_queues(c, d)) {
        multi_queue(c, d, parent, stats);
    } else {
        cmd_call(c, d, parent, stats);
        if (cmd_shows_data(d))
            c->flags |= CF_DATA_OUT;
    }
    if (srv->call_depth == 0 && block_has_ready(srv->block))
        block_serve_ready(srv->block);
    return !(c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP));
}

/* ---- keys --------------------------------------------------------------- */

static const struct cmd_keyinfo *keyinfo_of(const struct cmd_table *t, const struct cmd_def *d,
                                            const struct cmd_def *parent)
{
    char full[2 * MAX_NAME + 2];
    snprintf(full, sizeof(full), "%s%s%s", parent ? parent->name : "", parent ? "|" : "", d->name);
    return cmd_keyspecs_find(t->keyspecs, full);
}

bool cmd_has_keys(const struct cmd_table *t, const struct cmd_def *d, const struct cmd_def *parent)
{
    return d->getkeys || d->numkeys_at > 0 || (cmd_keyinfo_all_flags(keyinfo_of(t, d, parent), true) & KEY_NOT_KEY);
}

/* C's atoi as glibc has it: (int)strtol, of the argument up to a NUL. */
static int c_atoi(const struct resp_arg *a)
{
    size_t i = 0;
    bool neg = false;
    long v = 0;
    while (i < a->len && (a->ptr[i] == ' ' || (a->ptr[i] >= '\t' && a->ptr[i] <= '\r')))
        i++;
    if (i < a->len && (a->ptr[i] == '-' || a->ptr[i] == '+'))
        neg = a->ptr[i++] == '-';
    for (; i < a->len && a->ptr[i] >= '0' && a->ptr[i] <= '9'; i++) {
        int digit = a->ptr[i] - '0';
        if (v > (LONG_MAX - digit) / 10) {
            v = neg ? LONG_MIN : LONG_MAX;
            return (int)v;
        }
        v = v * 10 + digit;
    }
    return (int)(neg ? -v : v);
}

/* The keys after a numkeys argument (then the destination at first_key, if
 * it comes before), without flags, as Redis' genericGetKeys; none when the
 * count, read as atoi reads it, is below 1 or beyond the arguments. */
static int numkeys_keys(const struct cmd_def *d, int argc, const struct resp_arg *argv, struct cmd_keyref *out,
                        int max)
{
    int at = d->numkeys_at, num = at < argc ? c_atoi(&argv[at]) : 0, n = 0;
    if (num < 1 || num > argc - at - 1)
        return 0;
    for (int i = 0; i < num && n < max; i++)
        out[n++] = (struct cmd_keyref){ at + 1 + i, 0 };
    if (d->first_key > 0 && d->first_key < at && n < max)
        out[n++] = (struct cmd_keyref){ d->first_key, 0 };
    return n;
}

int cmd_get_keys(const struct cmd_table *t, const struct cmd_def *d, const struct cmd_def *parent, int argc,
                 const struct resp_arg *argv, struct cmd_keyref *out, int max)
{
    const struct cmd_keyinfo *ki = keyinfo_of(t, d, parent);
    if ((cmd_keyinfo_all_flags(ki, true) & KEY_NOT_KEY) &&
        !(cmd_keyinfo_all_flags(ki, false) & KEY_VARIABLE_FLAGS)) {
        int n = cmd_keyinfo_find_keys(ki, argc, argv, out, max);
        if (n >= 0)
            return n;
    }
    if (d->getkeys)
        return d->getkeys(argc, argv, out, max);
    if (d->numkeys_at > 0)
        return numkeys_keys(d, argc, argv, out, max);
    return 0;
}

/* ---- shared argument parsers -------------------------------------------- */

bool arg_is(const struct resp_arg *a, const char *word)
{
    size_t n = strlen(word);
    return a->len == n && strncasecmp(a->ptr, word, n) == 0;
}

bool arg_opt_is(const struct resp_arg *a, const char *word)
{
    const char *nul = a->len ? memchr(a->ptr, '\0', a->len) : NULL;
    struct resp_arg s = { a->ptr, nul ? (size_t)(nul - a->ptr) : a->len };
    return arg_is(&s, word);
}

bool arg_nonneg_or_reply(struct client *c, const struct resp_arg *a, enum reply_err err, long long *out)
{
    return arg_ll_range_or_reply(c, a, 0, LLONG_MAX, out, reply_err_text(err));
}

bool arg_numkeys_or_reply(struct client *c, int idx, int after, enum reply_err too_many, long long *out)
{
    if (!arg_ll_range_or_reply(c, &c->argv[idx], 1, LLONG_MAX, out, reply_err_text(RE_NUMKEYS)))
        return false;
    if (*out > c->argc - idx - 1 - after) {
        reply_err(&c->out, too_many);
        return false;
    }
    return true;
}

bool arg_random_count_or_reply(struct client *c, const char *with, long long *count, bool *with_set)
{
    int max_argc = with ? 4 : 3;
    if (!arg_ll_or_reply(c, &c->argv[2], count))
        return false;
    if (*count == LLONG_MIN) {
        reply_err(&c->out, RE_RANDOM_COUNT);
        return false;
    }
    if (c->argc > max_argc || (c->argc == 4 && !arg_opt_is(&c->argv[3], with))) {
        reply_err(&c->out, RE_SYNTAX);
        return false;
    }
    *with_set = c->argc == 4;
    if (*with_set && (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2)) {
        reply_err(&c->out, RE_OUT_OF_RANGE);
        return false;
    }
    return true;
}

void cmd_wrong_arity(struct client *c, const char *name)
{
    reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", name);
}

void cmd_sub_syntax_error(struct client *c)
{
    char upper[MAX_NAME];
    size_t n = c->argv[0].len < MAX_NAME - 1 ? c->argv[0].len : MAX_NAME - 1;
    for (size_t i = 0; i < n; i++)
        upper[i] = (char)toupper((unsigned char)c->argv[0].ptr[i]);
    reply_errorf(&c->out, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try %.*s HELP.",
                 (int)(c->argv[1].len < 128 ? c->argv[1].len : 128), c->argv[1].ptr, (int)n, upper);
}

bool arg_ll_or_reply(struct client *c, const struct resp_arg *a, long long *out)
{
    if (nf_str2ll(a->ptr, a->len, out))
        return true;
    reply_err(&c->out, RE_NOT_INT);
    return false;
}

bool arg_ll_range_or_reply(struct client *c, const struct resp_arg *a, long long min, long long max,
                           long long *out, const char *msg)
{
    long long v;
    if (!nf_str2ll(a->ptr, a->len, &v) || v < min || v > max) {
        if (msg)
            reply_error(&c->out, msg);
        else
            reply_err(&c->out, RE_NOT_INT);
        return false;
    }
    *out = v;
    return true;
}

bool arg_int_or_reply(struct client *c, const struct resp_arg *a, int *out)
{
    long long v;
    if (!arg_ll_or_reply(c, a, &v))
        return false;
    if (v < INT_MIN || v > INT_MAX) {
        reply_error(&c->out, "ERR value is out of range, value must between -2147483648 and 2147483647");
        return false;
    }
    *out = (int)v;
    return true;
}

bool arg_db_or_reply(struct client *c, const struct resp_arg *a, const char *msg, int *out)
{
    long long id;
    int v;
    if (msg) {
        if (!arg_ll_range_or_reply(c, a, INT_MIN, INT_MAX, &id, msg))
            return false;
        v = (int)id;
    } else if (!arg_int_or_reply(c, a, &v)) {
        return false;
    }
    if (v < 0 || v >= kv_ndb(c->srv->ks)) {
        reply_err(&c->out, RE_DB_INDEX);
        return false;
    }
    *out = v;
    return true;
}

bool arg_double_or_reply(struct client *c, const struct resp_arg *a, double *out)
{
    if (nf_str2d(a->ptr, a->len, out))
        return true;
    reply_err(&c->out, RE_NOT_FLOAT);
    return false;
}
