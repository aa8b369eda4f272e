/*
 * cmd_command: COMMAND [COUNT | INFO name... | LIST | GETKEYS cmd args... |
 * DOCS name... | HELP], answered from the one command table.
 *
 * Each COMMAND INFO entry has Redis 7.0's ten fields: name, arity, flags,
 * first key, last key, step, ACL categories, tips, key specs, subcommands.
 * Key specs are derived from the (first, last, step) positions.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void reply_flag_set(struct reply *r, uint32_t bits, const char *const *names, size_t nnames)
{
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
        const struct cmd_def *d = cmd_lookup(c->srv->cmds, c->argv[j].ptr, c->argv[j].len);
        if (d)
            reply_info(&c->out, d, NULL);
        else
            reply_null(&c->out);
    }
}

static void name_cb(const struct cmd_def *d, void *arg)
{
    struct reply *r = arg;
    reply_bulk_cstr(r, d->name);
}

static void command_list_cmd(struct client *c)
{
    if (c->argc != 2) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    reply_array(&c->out, (long long)cmd_count(c->srv->cmds));
    cmd_foreach(c->srv->cmds, name_cb, &c->out);
}

static void command_getkeys_cmd(struct client *c)
{
    const struct cmd_def *d = cmd_lookup(c->srv->cmds, c->argv[2].ptr, c->argv[2].len);
    int argc = c->argc - 2, n, *pos;
    if (!d) {
        reply_error(&c->out, "ERR Invalid command specified");
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
    else if (n == 0 && d->first_key <= 0 && d->numkeys_at <= 0 && !d->getkeys &&
             !(d->flags & CMD_MOVABLE_KEYS))
        reply_error(&c->out, "ERR The command has no key arguments");
    else {
        reply_array(&c->out, n);
        for (int i = 0; i < n; i++)
            reply_bulk(&c->out, c->argv[2 + pos[i]].ptr, c->argv[2 + pos[i]].len);
    }
    free(pos);
}

static void reply_doc(struct reply *r, const struct cmd_def *d)
{
    reply_bulk_cstr(r, d->name);
    reply_map(r, 1);
    reply_bulk_cstr(r, "summary");
    reply_bulk_cstr(r, d->summary ? d->summary : "");
}

static void doc_cb(const struct cmd_def *d, void *arg) { reply_doc(arg, d); }

static void command_docs_cmd(struct client *c)
{
    int found = 0;
    void *slot;
    if (c->argc == 2) {
        reply_map(&c->out, (long long)cmd_count(c->srv->cmds));
        cmd_foreach(c->srv->cmds, doc_cb, &c->out);
        return;
    }
    slot = reply_defer(&c->out);
    for (int j = 2; j < c->argc; j++) {
        const struct cmd_def *d = cmd_lookup(c->srv->cmds, c->argv[j].ptr, c->argv[j].len);
        if (d) {
            reply_doc(&c->out, d);
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
        "    Print this help.",
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
    { "getkeys", command_getkeys_cmd, -3, CMD_LOADING | CMD_STALE, ACL_SLOW | ACL_CONNECTION, 0, 0, 0,
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
