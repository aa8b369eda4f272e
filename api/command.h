/*
 * command: the declarative command table and the one dispatcher.
 *
 * Each api/cmd_<group>.c exports one `struct cmd_group` listing its commands:
 * name, handler, arity (negative: at least -arity), flags, key positions and
 * a summary. command.c builds one case-insensitive hash table from all groups
 * at start-up. The dispatcher checks, in order: lookup, arity, authentication,
 * then calls the handler and accounts for it (commandstats, propagation of the
 * write's effect). COMMAND / COMMAND INFO reply from the same table.
 *
 * Handlers validate all arguments before the first change, so a failing
 * command leaves no partial state. A write reports its change with
 * cmd_dirty(); by default the command is then propagated as received, or as
 * the effects the handler recorded with cmd_effect() (EXPIRE as PEXPIREAT).
 */
#ifndef TASKKV_API_COMMAND_H
#define TASKKV_API_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/reply.h"
#include "api/resp_parse.h"

struct client;
struct server;

typedef void (*cmd_fn)(struct client *c);

enum cmd_flag {
    CMD_WRITE = 1 << 0,
    CMD_READONLY = 1 << 1,
    CMD_DENYOOM = 1 << 2,
    CMD_ADMIN = 1 << 3,
    CMD_PUBSUB = 1 << 4,
    CMD_NOSCRIPT = 1 << 5,
    CMD_BLOCKING = 1 << 6,
    CMD_LOADING = 1 << 7,
    CMD_STALE = 1 << 8,
    CMD_SKIP_MONITOR = 1 << 9,
    CMD_SKIP_SLOWLOG = 1 << 10,
    CMD_FAST = 1 << 11,
    CMD_NO_AUTH = 1 << 12,
    CMD_MAY_REPLICATE = 1 << 13,
    CMD_NO_MULTI = 1 << 14,
    CMD_ALLOW_BUSY = 1 << 15,
    CMD_SENTINEL = 1 << 16,
    CMD_ONLY_SENTINEL = 1 << 17,
    CMD_NO_MANDATORY_KEYS = 1 << 18,
    CMD_MOVABLE_KEYS = 1 << 19,
    CMD_NO_ASYNC_LOADING = 1 << 20,
    /* Not shown by COMMAND: refused unless enable-<name>-command allows it
     * ("yes", or "local" for a local client), before anything else is
     * checked but the arity - so inside MULTI it aborts the transaction. */
    CMD_PROTECTED = 1 << 21,
};

/* Key-spec flags (COMMAND INFO, COMMAND GETKEYSANDFLAGS), in Redis' order:
 * what the command does with a key (one of RO, RW, OW, RM), then with its
 * value (access, update, insert, delete), then the spec's own remarks. */
enum key_flag {
    KEY_RO = 1 << 0, KEY_RW = 1 << 1, KEY_OW = 1 << 2, KEY_RM = 1 << 3,
    KEY_ACCESS = 1 << 4, KEY_UPDATE = 1 << 5, KEY_INSERT = 1 << 6, KEY_DELETE = 1 << 7,
    KEY_NOT_KEY = 1 << 8, KEY_INCOMPLETE = 1 << 9, KEY_VARIABLE_FLAGS = 1 << 10,
};

/* A key found in a command's arguments: its argv index and key_flag bits. */
struct cmd_keyref {
    int pos;
    uint32_t flags;
};

/* Redis ACL categories (COMMAND INFO), as flags. */
enum cmd_acl {
    ACL_KEYSPACE = 1 << 0, ACL_READ = 1 << 1, ACL_WRITE = 1 << 2, ACL_SET = 1 << 3,
    ACL_SORTEDSET = 1 << 4, ACL_LIST = 1 << 5, ACL_HASH = 1 << 6, ACL_STRING = 1 << 7,
    ACL_BITMAP = 1 << 8, ACL_HYPERLOGLOG = 1 << 9, ACL_GEO = 1 << 10, ACL_STREAM = 1 << 11,
    ACL_PUBSUB = 1 << 12, ACL_ADMIN = 1 << 13, ACL_FAST = 1 << 14, ACL_SLOW = 1 << 15,
    ACL_BLOCKING = 1 << 16, ACL_DANGEROUS = 1 << 17, ACL_CONNECTION = 1 << 18,
    ACL_TRANSACTION = 1 << 19, ACL_SCRIPTING = 1 << 20,
};

struct cmd_def {
    const char *name;          /* lower case; "config|get" style for subcommands is derived */
    cmd_fn fn;
    int arity;
    uint32_t flags;
    uint32_t acl;
    int first_key, last_key, key_step;
    const char *summary;
    const struct cmd_def *subs; /* container commands (CONFIG, CLIENT...), NULL-name terminated */
    /* The command's own key finder, as Redis' getkeys procedures: what
     * COMMAND GETKEYS falls back to when the key specs (api/cmd_keyspecs.h)
     * cannot tell, and what it uses when they have variable flags. Either a
     * numkeys argument at this argv index whose keys follow it (ZUNION 1,
     * BLMPOP 2, EVAL 2; ZUNIONSTORE 2 with its destination at first_key),
     * parsed as C's atoi would, keys without flags ... */
    int numkeys_at;
    /* ... or a function (SORT's STORE, SET's GET): fills out[] (at most
     * max), returns the count (0: the arguments name no key). */
    int (*getkeys)(int argc, const struct resp_arg *argv, struct cmd_keyref *out, int max);
};

struct cmd_group {
    const char *name;          /* "string", "generic", "server", ... */
    const struct cmd_def *defs;
    size_t n;
};

#define CMD_GROUP(group_name, table) \
    { group_name, table, sizeof(table) / sizeof((table)[0]) }

struct hdrhist;

/* Per-command statistics (INFO commandstats and latencystats, LATENCY
 * HISTOGRAM). */
struct cmd_stats {
    uint64_t calls;
    uint64_t usec;
    uint64_t rejected;
    uint64_t failed;
    struct hdrhist *latency;   /* every call's duration (latency-tracking), from its first */
};

struct cmd_table;
struct cmd_docs;
struct cmd_keyspecs;

struct cmd_table *cmd_table_create(void);
void cmd_table_destroy(struct cmd_table *t);
const struct cmd_def *cmd_lookup(const struct cmd_table *t, const char *name, size_t len);
size_t cmd_count(const struct cmd_table *t);
/* The parsed COMMAND DOCS data (api/cmd_docs.h), owned by the table. */
const struct cmd_docs *cmd_table_docs(const struct cmd_table *t);
/* The parsed key specs and tips (api/cmd_keyspecs.h), owned by the table. */
const struct cmd_keyspecs *cmd_table_keyspecs(const struct cmd_table *t);
/* Iterates every top-level command. */
void cmd_foreach(const struct cmd_table *t, void (*fn)(const struct cmd_def *d, void *arg), void *arg);
struct cmd_stats *cmd_stats_of(struct cmd_table *t, const struct cmd_def *d);
void cmd_stats_reset(struct cmd_table *t);

/* Whether command d (a subcommand of `parent`, or NULL) takes keys, as
 * Redis tells (COMMAND GETKEYS): a key spec that is not `not_key`, or a key
 * finder of its own. */
bool cmd_has_keys(const struct cmd_table *t, const struct cmd_def *d, const struct cmd_def *parent);
/* The keys in a call of d (argv[0] is its name, argc already checked
 * against its arity), found as Redis does: by the key specs, unless one has
 * variable flags or they cannot be applied to these arguments; then by the
 * command's own finder. Fills out[] (at most max; argc always suffices)
 * and returns the count. */
int cmd_get_keys(const struct cmd_table *t, const struct cmd_def *d, const struct cmd_def *parent, int argc,
                 const struct resp_arg *argv, struct cmd_keyref *out, int max);

/* Runs the command in c->argv. Returns false if the client must be closed. */
bool cmd_dispatch(struct client *c);
/* Runs a resolved and checked command on c->argv with the dispatcher's
 * accounting and propagation (EXEC runs its queue through it). `parent` is
 * the container of a subcommand, else NULL; `stats` from the lookup. */
void cmd_call(struct client *c, const struct cmd_def *d, const struct cmd_def *parent, struct cmd_stats *stats);
/* Brackets EXEC's calls: their effects are propagated inside MULTI ... EXEC
 * when there is at least one. */
void cmd_exec_begin(struct server *srv);
void cmd_exec_end(struct server *srv);

/* For handlers: the command changed `n` things (it will be propagated). */
void cmd_dirty(struct client *c, long long n);
/* For handlers: propagate this command instead of the one received (may be
 * called several times for several effects). Arguments are copied. */
void cmd_effect(struct client *c, int argc, const struct resp_arg *argv);
/* Same with C strings, NULL-terminated, for fixed-shape effects. */
void cmd_effectv(struct client *c, ...);

/* Shared argument helpers: they reply with Redis' error and return false
 * when the argument is not acceptable. */
bool arg_ll_or_reply(struct client *c, const struct resp_arg *a, long long *out);
bool arg_ll_range_or_reply(struct client *c, const struct resp_arg *a, long long min, long long max,
                           long long *out, const char *msg);
/* Redis' getIntFromObjectOrReply: an integer that must fit an int. */
bool arg_int_or_reply(struct client *c, const struct resp_arg *a, int *out);
/* A database number (SELECT, MOVE, COPY ... DB, SWAPDB): an int as
 * arg_int_or_reply (or, with `msg`, that error for any bad number, as
 * SWAPDB does), then within `databases`. */
bool arg_db_or_reply(struct client *c, const struct resp_arg *a, const char *msg, int *out);
bool arg_double_or_reply(struct client *c, const struct resp_arg *a, double *out);
bool arg_is(const struct resp_arg *a, const char *word);   /* case-insensitive */
/* As arg_is on the argument's C string (cut at a NUL), the way Redis compares
 * option names with strcasecmp. */
bool arg_opt_is(const struct resp_arg *a, const char *word);
/* An integer >= 0, else the error `err` (for non-numbers too): the COUNT
 * of the pops (RE_NOT_POSITIVE: LPOP, SPOP, ZPOPMIN ...) and of LIMITs
 * (RE_LIMIT_NEGATIVE: SINTERCARD, ZINTERCARD). */
bool arg_nonneg_or_reply(struct client *c, const struct resp_arg *a, enum reply_err err, long long *out);
/* A numkeys at argv[idx] (LMPOP, ZMPOP, SINTERCARD ...): an integer >= 1
 * ("numkeys should be greater than 0" otherwise), leaving room behind it
 * for its keys and `after` more arguments (`too_many` otherwise: RE_SYNTAX
 * for the pops, RE_NUMKEYS_ARGS for SINTERCARD). */
bool arg_numkeys_or_reply(struct client *c, int idx, int after, enum reply_err too_many, long long *out);
/* The count at argv[2] of SRANDMEMBER / HRANDFIELD / ZRANDMEMBER and, when
 * `with` is given, the option word argv[3] (WITHVALUES / WITHSCORES), in
 * Redis' order: an integer, not LLONG_MIN; then nothing but the option
 * after it (syntax error); then, with the option, |count| <= LLONG_MAX / 2
 * ("value is out of range"). *with_set tells whether the option is there. */
bool arg_random_count_or_reply(struct client *c, const char *with, long long *count, bool *with_set);

/* "wrong number of arguments for '<name>' command", for handlers that
 * check more than the table's arity. */
void cmd_wrong_arity(struct client *c, const char *name);
/* Redis' addReplySubcommandSyntaxError: "ERR unknown subcommand or wrong
 * number of arguments for '<argv[1] as typed>'. Try <ARGV[0]> HELP.", for a
 * subcommand whose arguments the table's arity cannot check. */
void cmd_sub_syntax_error(struct client *c);

#endif
