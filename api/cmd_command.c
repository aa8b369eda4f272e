/*
 * cmd_command: COMMAND [COUNT | INFO name... | LIST | GETKEYS cmd args... |
 * DOCS name... | HELP], answered from the one command table.
 *
 * Each COMMAND INFO entry has Redis 7.0's ten fields: name, arity, flags,
 * first key, last key, step, ACL categories, tips, key specs, subcommands.
 * Key specs are derived from the (first, last, step) positions. DOCS joins
 * the table to the docs data by full name (api/cmd_docs.h). INFO and DOCS
 * take subcommands as "container|sub", as Redis does.
 */
#include "api/client.h"
#include "api/cmd_docs.h"
#include "api/command.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/glob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const flag_names[] = {
    "write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
    "skip_monitor", "skip_slowlog", "fast", "no_auth", "may_replicate", "no_multi", "allow_busy",
    "sentinel", "only_sentinel", "no_mandatory_keys", "movablekeys",
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

static void reply_key_specs(struct reply *r, const struct cmd_def *d)
{
    if (d->first_key <= 0) {
        reply_array(r, 0);
        return;
    }
    reply_array(r, 1);
    reply_map(r, 3);
    reply_bulk_cstr(r, "flags");
    reply_set(r, 0);
    reply_bulk_cstr(r, "begin_search");
    reply_map(r, 2);
    reply_bulk_cstr(r, "type");
    reply_bulk_cstr(r, "index");
    reply_bulk_cstr(r, "spec");
    reply_map(r, 1);
    reply_bulk_cstr(r, "index");
    reply_int(r, d->first_key);
    reply_bulk_cstr(r, "find_keys");
    reply_map(r, 2);
    reply_bulk_cstr(r, "type");
    reply_bulk_cstr(r, "range");
    reply_bulk_cstr(r, "spec");
    reply_map(r, 3);
    reply_bulk_cstr(r, "lastkey");
    reply_int(r, d->last_key < 0 ? d->last_key : d->last_key - d->first_key);
    reply_bulk_cstr(r, "keystep");
    reply_int(r, d->key_step);
    reply_bulk_cstr(r, "limit");
    reply_int(r, 0);
}

static void reply_info(struct reply *r, const struct cmd_def *d, const char *parent)
{
    size_t nsubs = 0;
    char full[128];
    if (parent)
        snprintf(full, sizeof(full), "%s|%s", parent, d->name);
    else
        snprintf(full, sizeof(full), "%s", d->name);
    reply_array(r, 10);
    reply_bulk_cstr(r, full);
    reply_int(r, d->arity);
    reply_flag_set(r, d->flags, flag_names, sizeof(flag_names) / sizeof(flag_names[0]));
    reply_int(r, d->first_key);
    reply_int(r, d->last_key);
    reply_int(r, d->key_step);
    reply_flag_set(r, d->acl, acl_names, sizeof(acl_names) / sizeof(acl_names[0]));
    reply_set(r, 0);
    reply_key_specs(r, d);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        nsubs++;
    reply_array(r, (long long)nsubs);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        reply_info(r, s, d->name);
}

static void info_cb(const struct cmd_def *d, void *arg) { reply_info(arg, d, NULL); }

static void command_cmd(struct client *c)
{
    reply_array(&c->out, (long long)cmd_count(c->srv->cmds));
    cmd_foreach(c->srv->cmds, info_cb, &c->out);
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
            reply_info(&c->out, d, parent ? parent->name : NULL);
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

/* Whether COMMAND GETKEYS finds keys in d's arguments, as Redis' key specs
 * say: shard channels (SPUBLISH, SSUBSCRIBE...) sit in key positions but are
 * not keys. */
static bool takes_keys(const struct cmd_def *d)
{
    if (d->flags & CMD_PUBSUB)
        return false;
    return d->first_key > 0 || d->numkeys_at > 0 || d->getkeys || (d->flags & CMD_MOVABLE_KEYS);
}

/* The command named by argv[2] (and, for a container, argv[3]), as the
 * dispatcher would resolve it; NULL for an unknown one. */
static const struct cmd_def *getkeys_target(struct client *c)
{
    const struct cmd_def *d = cmd_lookup(c->srv->cmds, c->argv[2].ptr, c->argv[2].len);
    if (!d || !d->subs || c->argc < 4)
        return d;
    for (const struct cmd_def *s = d->subs; s->name; s++)
        if (arg_is(&c->argv[3], s->name))
            return s;
    return NULL;
}

/* Redis' order: unknown command, no keys at all, arity, then the keys. */
static void command_getkeys_cmd(struct client *c)
{
    const struct cmd_def *d = getkeys_target(c);
    int argc = c->argc - 2, n, *pos;
    if (!d) {
        reply_error(&c->out, "ERR Invalid command specified");
        return;
    }
    if (!takes_keys(d)) {
        reply_error(&c->out, "ERR The command has no key arguments");
        return;
    }
    if ((d->arity > 0 && d->arity != argc) || argc < -d->arity) {
        reply_error(&c->out, "ERR Invalid number of arguments specified for command");
        return;
    }
    pos = kv_xmalloc(sizeof(*pos) * (size_t)argc);
    n = cmd_key_positions(d, argc, c->argv + 2, pos, argc);
    if (n < 0)
        reply_error(&c->out, "ERR Invalid arguments specified for command");
    else {
        reply_array(&c->out, n);
        for (int i = 0; i < n; i++)
            reply_bulk(&c->out, c->argv[2 + pos[i]].ptr, c->argv[2 + pos[i]].len);
    }
    free(pos);
}

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
