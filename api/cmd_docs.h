/*
 * cmd_docs: the documentation of every command, as COMMAND DOCS answers it
 * (Redis 7.0's reply: summary, since, group, complexity, doc flags,
 * deprecation, history, the argument tree and the subcommands).
 *
 * The data is a table of `struct cmd_doc` (api/cmd_docs_data.c), one entry
 * per command or subcommand, keyed by full name ("get", "config|get") and
 * joined to the command table by that name. Each entry's arguments are
 * written in a small notation, parsed once at start-up into a tree:
 *
 *   list    items separated by ',' (a block: all of them, in order)
 *           or by '|' (a oneof: one of them); a one-item group is a block
 *   [item]  optional
 *   name:type          a value: type is string, integer, double, pattern
 *                      or unix-time ("ip:port:string": the last ':' splits)
 *   name#N             a key, with key spec index N
 *   name:type#N        another value that names keys (SORT's BY pattern#1)
 *   name(list)         a group (oneof / block, by the separator inside)
 *   TOKEN              a pure token named after it in lower case (NX -> nx)
 *   TOKEN name         a pure token with its own name (CH change, ~ approximately)
 *   TOKEN value/group  the value or group comes after that token (EX seconds:integer)
 *   "token"            a token quoted: one that is empty or not upper case
 *   suffixes, after the item: ...  multiple;  ...*  multiple, each one with
 *                      its token;  @7.0.0  since;  !2.8.12  deprecated since
 *
 * e.g. SET: "key#0, value:string, [condition(NX | XX)@2.6.12], [GET@6.2.0], ..."
 * Names are lower case and unquoted tokens upper case (or symbols), so a
 * forgotten ',' or ":type" is an error rather than a different tree.
 *
 * A container's subcommands are the command table's, each answered from its
 * entry "<container>|<sub>". An entry marked `parent_word` documents a word
 * that its parent command's handler parses itself (DEBUG DISK-FAULT): it is
 * not in the command table and is answered only among its parent's
 * subcommands (so redis-cli hints it).
 */
#ifndef TASKKV_API_CMD_DOCS_H
#define TASKKV_API_CMD_DOCS_H

#include <stdbool.h>
#include <stddef.h>

struct cmd_def;
struct reply;

struct cmd_doc {
    const char *name;              /* full name, lower case: "set", "config|get" */
    const char *group;             /* Redis' group: "string", "server", ... */
    const char *since;
    const char *summary;
    const char *complexity;        /* NULL: none (MONITOR) */
    const char *doc_flags;         /* "deprecated" and/or "syscmd", space-separated; NULL: none */
    const char *deprecated_since;
    const char *replaced_by;
    const char *const *history;    /* version, change, version, change ..., NULL (DOC_HISTORY) */
    const char *args;              /* the argument notation above; NULL: no arguments */
    bool parent_word;              /* a word its parent parses, not a registered subcommand */
};

#define DOC_HISTORY(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The data (api/cmd_docs_data.c), in any order (it is grouped by Redis' command group). */
extern const struct cmd_doc cmd_docs_data[];
extern const size_t cmd_docs_data_len;

struct cmd_docs;

/* Parses `n` entries (normally cmd_docs_data). Returns NULL when an entry is
 * malformed, with the reason ("set: expected ']' at 17 ...") in err. */
struct cmd_docs *cmd_docs_create(const struct cmd_doc *entries, size_t n, char *err, size_t errlen);
void cmd_docs_destroy(struct cmd_docs *docs);

/* The entry of a full name ("config|get", lower case), or NULL. */
const struct cmd_doc *cmd_docs_find(const struct cmd_docs *docs, const char *fullname);

/* Writes the COMMAND DOCS pair of command d (a subcommand of `parent`, or
 * NULL): its full name, then the map of its docs, with its subcommands (the
 * registered ones, then the parent words). A command without an entry gets
 * a map holding only its table summary. */
void cmd_docs_reply(struct reply *r, const struct cmd_docs *docs, const struct cmd_def *d,
                    const struct cmd_def *parent);

/* Checks one argument notation; false with the reason in err. */
bool cmd_docs_check_args(const char *notation, char *err, size_t errlen);

#endif
