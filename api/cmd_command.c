/*
 * cmd_command: COMMAND [COUNT | INFO name... | LIST | GETKEYS cmd args... |
 * DOCS name... | HELP], answered from the one command table.
 *
 * Each COMMAND INFO entry has Redis 7.0's ten fields: name, arity, flags,
 * first key, last key, step, ACL categories, tips, key specs, subcommands.
 * Tips and key specs come from the key-spec data joined by full name
 * (api/cmd_keyspecs.h), as DOCS comes from the docs data (api/cmd_docs.h);
 * GETKEYS and GETKEYSANDFLAGS find keys with the specs (cmd_get_keys). INFO
 * and DOCS take subcommands as "container|sub", as Redis does.
 */
#include "api/client.h"
#include "api/cmd_docs.h"
#include "api/cmd_keyspecs.h"
#include "api/command.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/glob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The command flags COMMAND INFO shows, in Redis' order (may_replicate,
 * sentinel and only_sentinel are hidden, as in Redis). */
static const struct {
    uint32_t bit;
    const char *name;
} shown_flags[] = {
    { CMD_WRITE, "write" }, { CMD_READONLY, "readonly" }, { CMD_DENYOOM, "denyoom" }, { CMD_ADMIN, "admin" },
    { CMD_PUBSUB, "pubsub" }, { CMD_NOSCRIPT, "noscript" }, { CMD_BLOCKING, "blocking" }, { CMD_LOADING, "loading" },
    { CMD_STALE, "stale" }, { CMD_SKIP_MONITOR, "skip_monitor" }, { CMD_SKIP_SLOWLOG, "skip_slowlog" },
    { CMD_FAST, "fast" }, { CMD_NO_AUTH, "no_auth" }, { CMD_NO_MANDATORY_KEYS, "no_mandatory_keys" },
    { CMD_NO_ASYNC_LOADING, "no_async_loading" }, { CMD_NO_MULTI, "no_multi" }, { CMD_MOVABLE_KEYS, "movablekeys" },
    { CMD_ALLOW_BUSY, "allow_busy" },
};

static const char *const acl_names[] = {
    "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string", "@bitmap",
    "@hyperloglog", "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow", "@blocking", "@dangerous",
    "@connection", "@transaction", "@scripting",
};

static int popcount32(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* A command by name, or a subcommand by "container|sub" (then *parent is
 * the container); NULL when there is none. */
static const struct cmd_def *lookup_full(struct client *c, const struct resp_arg *a, const struct cmd_def **parent)
{
    const char *bar = memchr(a->ptr, '|', a->len);
    const struct cmd_def *d;
    size_t sublen;
    *parent = NULL;
    if (!bar)
        return cmd_lookup(c->srv->cmds, a->ptr, a->len);
    d = cmd_lookup(c->srv->cmds, a->ptr, (size_t)(bar - a->ptr));
    sublen = a->len - (size_t)(bar - a->ptr) - 1;
    for (const struct cmd_def *s = d ? d->subs : NULL; s && s->name; s++)
        if (strlen(s->name) == sublen && strncasecmp(s->name, bar + 1, sublen) == 0) {
            *parent = d;
            return s;
        }
    return NULL;
}

/* Bits past the names are internal (CMD_PROTECTED): not shown. */
static void reply_flag_set(struct reply *r, uint32_t bits, const char *const *names, size_t nnames)
{
    bits &= (uint32_t)((1ull << nnames) - 1);
    reply_set(r, popcount32(bits));
    for (size_t i = 0; i < nnames; i++)
        if (bits & (1u << i))
            reply_simple(r, names[i]);
}

static void reply_cmd_flags(struct reply *r, uint32_t flags)
{
    const size_t n = sizeof(shown_flags) / sizeof(shown_flags[0]);
    long long count = 0;
    for (size_t i = 0; i < n; i++)
        count += (flags & shown_flags[i].bit) != 0;
    reply_set(r, count);
    for (size_t i = 0; i < n; i++)
        if (flags & shown_flags[i].bit)
            reply_simple(r, shown_flags[i].name);
}

/* One COMMAND INFO entry (tips and key specs from the key-spec data by full
 * name); its subcommands are an array of their entries, or an empty set when
 * there are none, as Redis writes them. */
static void reply_info(struct reply *r, const struct cmd_keyspecs *ks, const struct cmd_def *d, const char *parent)
{
    size_t nsubs = 0;
    char full[128];
    const struct cmd_keyinfo *ki;
    snprintf(full, sizeof(full), "%s%s%s", parent ? parent : "", parent ? "|" : "", d->name);
    ki = cmd_keyspecs_find(ks, full);
    reply_array(r, 10);
    reply_bulk_cstr(r, full);
    reply_int(r, d->arity);
    reply_cmd_flags(r, d->flags);
    reply_int(r, d->first_key);
    reply_int(r, d->last_key);
    reply_int(r, d->key_step);
    reply_flag_set(r, d->acl, acl_names, sizeof(acl_names) / sizeof(acl_names[0]));
    cmd_keyinfo_reply_tips(r, ki);
    cmd_keyinfo_reply_specs(r, ki);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        nsubs++;
    if (!nsubs) {
        reply_set(r, 0);
        return;
    }
    reply_array(r, (long long)nsubs);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        reply_info(r, ks, s, d->name);
}

static void info_cb(const struct cmd_def *d, void *arg)
{
    struct client *c = arg;
    reply_info(&c->out, cmd_table_keyspecs(c->srv->cmds), d, NULL);
}

static void command_cmd(struct client *c)
{
    reply_array(&c->out, (long long)cmd_count(c->srv->cmds));
    cmd_foreach(c->srv->cmds, info_cb, c);
}

static void command_count_cmd(struct client *c) { reply_int(&c->out, (long long)cmd_count(c->srv->cmds)); }

static void command_info_cmd(struct client *c)
{
    if (c->argc == 2) {
        command_cmd(c);
        return;
    }
    reply_array(&c->out, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        const struct cmd_def *parent, *d = lookup_full(c, &c->argv[j], &parent);
        if (d)
            reply_info(&c->out, cmd_table_keyspecs(c->srv->cmds), d, parent ? parent->name : NULL);
        else
            reply_null(&c->out);
    }
}

enum list_filter { LIST_ALL, LIST_MODULE, LIST_ACLCAT, LIST_PATTERN };

struct name_list {
    struct reply *r;
    long long n;
    enum list_filter filter;
    const struct resp_arg *arg;    /* the FILTERBY argument */
    uint32_t acl;                  /* LIST_ACLCAT: the category's bit, 0 if unknown */
};

static bool list_match(const struct name_list *l, const struct cmd_def *d, const char *full)
{
    switch (l->filter) {
    case LIST_ALL:
        return true;
    case LIST_MODULE:
        return false;
    case LIST_ACLCAT:
        return (d->acl & l->acl) != 0;
    case LIST_PATTERN:
        return glob_match(l->arg->ptr, l->arg->len, full, strlen(full), true);
    }
    return false;
}

static void list_one(struct name_list *l, const struct cmd_def *d, const char *full)
{
    if (list_match(l, d, full)) {
        reply_bulk_cstr(l->r, full);
        l->n++;
    }
}

/* A command's name, then its subcommands' "container|sub" names. */
static void name_cb(const struct cmd_def *d, void *arg)
{
    char full[128];
    list_one(arg, d, d->name);
    for (const struct cmd_def *s = d->subs; s && s->name; s++) {
        snprintf(full, sizeof(full), "%s|%s", d->name, s->name);
        list_one(arg, s, full);
    }
}

static uint32_t acl_category(const struct resp_arg *a)
{
    for (size_t i = 0; i < sizeof(acl_names) / sizeof(acl_names[0]); i++)
        if (strlen(acl_names[i] + 1) == a->len && strncasecmp(acl_names[i] + 1, a->ptr, a->len) == 0)
            return 1u << i;
    return 0;
}

/* LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]: commands and
 * subcommands; an unknown category or any module matches nothing. */
static void command_list_cmd(struct client *c)
{
    struct name_list l = { &c->out, 0, LIST_ALL, NULL, 0 };
    void *slot;
    if (c->argc == 5 && arg_is(&c->argv[2], "filterby")) {
        l.arg = &c->argv[4];
        if (arg_is(&c->argv[3], "module"))
            l.filter = LIST_MODULE;
        else if (arg_is(&c->argv[3], "aclcat")) {
            l.filter = LIST_ACLCAT;
            l.acl = acl_category(l.arg);
        } else if (arg_is(&c->argv[3], "pattern"))
            l.filter = LIST_PATTERN;
        else
            l.arg = NULL;
    }
    if (c->argc != 2 && !l.arg) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    slot = reply_defer(&c->out);
    cmd_foreach(c->srv->cmds, name_cb, &l);
    reply_set_array(&c->out, slot, l.n);
}

/* The command named by argv[2] (and, for a container, argv[3]), as the
 * dispatcher would resolve it (*parent: its container); NULL for an unknown
 * one. A container named alone is itself. */
static const struct cmd_def *getkeys_target(struct client *c, const struct cmd_def **parent)
{
    const struct cmd_def *d = cmd_lookup(c->srv->cmds, c->argv[2].ptr, c->argv[2].len);
    *parent = NULL;
    if (!d || !d->subs || c->argc < 4)
        return d;
    *parent = d;
    for (const struct cmd_def *s = d->subs; s->name; s++)
        if (arg_is(&c->argv[3], s->name))
            return s;
    return NULL;
}

/* GETKEYS / GETKEYSANDFLAGS <command> <args...>, in Redis' order: unknown
 * command, no keys at all, arity, then the keys (none: an error, unless the
 * command's keys are optional). With flags, each key is [name, flag set]. */
static void getkeys_generic(struct client *c, bool with_flags)
{
    const struct cmd_def *parent, *d = getkeys_target(c, &parent);
    int argc = c->argc - 2, n;
    struct cmd_keyref *keys;
    if (!d) {
        reply_error(&c->out, "ERR Invalid command specified");
        return;
    }
    if (!cmd_has_keys(c->srv->cmds, d, parent)) {
        reply_error(&c->out, "ERR The command has no key arguments");
        return;
    }
    if ((d->arity > 0 && d->arity != argc) || argc < -d->arity) {
        reply_error(&c->out, "ERR Invalid number of arguments specified for command");
        return;
    }
    keys = kv_xmalloc(sizeof(*keys) * (size_t)argc);
    n = cmd_get_keys(c->srv->cmds, d, parent, argc, c->argv + 2, keys, argc);
    if (n == 0 && !(d->flags & CMD_NO_MANDATORY_KEYS))
        reply_error(&c->out, "ERR Invalid arguments specified for command");
    else {
        reply_array(&c->out, n);
        for (int i = 0; i < n; i++) {
            const struct resp_arg *k = &c->argv[2 + keys[i].pos];
            if (with_flags)
                reply_array(&c->out, 2);
            reply_bulk(&c->out, k->ptr, k->len);
            if (with_flags)
                cmd_key_flags_reply(&c->out, keys[i].flags);
        }
    }
    free(keys);
}

static void command_getkeys_cmd(struct client *c) { getkeys_generic(c, false); }
static void command_getkeysandflags_cmd(struct client *c) { getkeys_generic(c, true); }

static void doc_cb(const struct cmd_def *d, void *arg)
{
    struct client *c = arg;
    cmd_docs_reply(&c->out, cmd_table_docs(c->srv->cmds), d, NULL);
}

/* DOCS [name ...]: a map of full name => docs; unknown names are left out. */
static void command_docs_cmd(struct client *c)
{
    int found = 0;
    void *slot;
    if (c->argc == 2) {
        reply_map(&c->out, (long long)cmd_count(c->srv->cmds));
        cmd_foreach(c->srv->cmds, doc_cb, c);
        return;
    }
    slot = reply_defer(&c->out);
    for (int j = 2; j < c->argc; j++) {
        const struct cmd_def *parent, *d = lookup_full(c, &c->argv[j], &parent);
        if (d) {
            cmd_docs_reply(&c->out, cmd_table_docs(c->srv->cmds), d, parent);
            found++;
        }
    }
    reply_set_map(&c->out, slot, found);
}

static void command_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct cmd_def command_subs[] = {
    { "count", command_count_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns a count of commands.", NULL },
    { "info", command_info_cmd, -2, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns information about one, multiple or all commands.", NULL },
    { "list", command_list_cmd, -2, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns a list of command names.", NULL },
    { "getkeys", command_getkeys_cmd, -4, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Extracts the key names from an arbitrary command.", NULL },
    { "getkeysandflags", command_getkeysandflags_cmd, -4, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0,
      0, 0, "Extracts the key names and access flags for an arbitrary command.", NULL },
    { "docs", command_docs_cmd, -2, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns documentary information about one, multiple or all commands.", NULL },
    { "help", command_help_cmd, 2, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns helpful text about the different subcommands.", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static const struct cmd_def command_cmds[] = {
    { "command", command_cmd, -1, CMD_LOADING | CMD_STALE | CMD_SENTINEL, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
      "Returns detailed information about all commands.", command_subs },
};

const struct cmd_group cmd_group_command = CMD_GROUP("server", command_cmds);
