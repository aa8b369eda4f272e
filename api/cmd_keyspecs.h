/*
 * cmd_keyspecs: the key specs and tips of every command, as COMMAND INFO
 * answers them (Redis 7.0's elements 8 and 9), and the key search COMMAND
 * GETKEYS / GETKEYSANDFLAGS make with them.
 *
 * The data is a table of `struct cmd_keyspecs_entry`
 * (api/cmd_keyspecs_data.c), one entry per command or subcommand, keyed by
 * full name ("get", "object|encoding") and joined to the command table by
 * that name, like the docs (api/cmd_docs.h). It holds every command of
 * Redis 7.0.15, registered by taskkv or not (an entry without a command is
 * never looked up), so that a command added later finds its entry there.
 *
 * tips: space-separated, in Redis' order: nondeterministic_output,
 * nondeterministic_output_order, request_policy:<all_nodes | all_shards |
 * multi_shard | special>, response_policy:<one_succeeded | all_succeeded |
 * agg_logical_and | agg_logical_or | agg_min | agg_max | agg_sum | special>.
 *
 * specs: key specs separated by ';', each
 *
 *   FLAGS: BEGIN, FIND[, "notes"]
 *
 *   FLAGS  space-separated: RO | RW | OW | RM (at most one: what is done to
 *          the key), access, update, insert, delete, not_key, incomplete,
 *          variable_flags
 *   BEGIN  where the search starts:
 *            index N                 argv[N]
 *            keyword WORD from N     after the first WORD found searching
 *                                    from argv[N] to the end, or (N < 0)
 *                                    from argv[argc+N] back to the start
 *            unknown
 *   FIND   which keys from there:
 *            range L [step S] [limit M]   up to the L-th argument after the
 *                                    first (L < 0: counted from the end; with
 *                                    M > 0, L is -1 and the keys are the first
 *                                    1/M of the rest), every S-th; S 1, M 0
 *                                    unless given
 *            keynum I [first F] [step S]  argv[begin+I] counts the keys,
 *                                    the first at begin+F; F 1, S 1 unless given
 *            unknown
 *
 * e.g. ZUNIONSTORE: "OW update: index 1, range 0; RO access: index 2, keynum 0".
 * The texts are parsed once at start-up; a malformed entry is a start-up
 * failure that tests/unit/api/check_cmd_keyspecs.c catches first.
 */
#ifndef TASKKV_API_CMD_KEYSPECS_H
#define TASKKV_API_CMD_KEYSPECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reply;
struct resp_arg;
struct cmd_keyref;

struct cmd_keyspecs_entry {
    const char *name;              /* full name, lower case: "set", "object|encoding" */
    const char *tips;              /* NULL: none */
    const char *specs;             /* NULL: no key specs */
};

/* The data (api/cmd_keyspecs_data.c), in any order (grouped by Redis' command group). */
extern const struct cmd_keyspecs_entry cmd_keyspecs_data[];
extern const size_t cmd_keyspecs_data_len;

enum keyspec_begin { KS_BEGIN_INDEX, KS_BEGIN_KEYWORD, KS_BEGIN_UNKNOWN };
enum keyspec_find { KS_FIND_RANGE, KS_FIND_KEYNUM, KS_FIND_UNKNOWN };

/* One parsed key spec; keyword and notes point into the entry's text (not
 * NUL-terminated). */
struct cmd_keyspec {
    uint32_t flags;                /* enum key_flag (api/command.h) */
    enum keyspec_begin begin;
    int pos;                       /* INDEX: the index; KEYWORD: where the search starts */
    const char *keyword;
    size_t keyword_len;
    enum keyspec_find find;
    int lastkey, keystep, limit;   /* RANGE (keystep also KEYNUM) */
    int keynumidx, firstkey;       /* KEYNUM */
    const char *notes;             /* NULL: none */
    size_t notes_len;
};

struct cmd_keyspecs;               /* the parsed table */
struct cmd_keyinfo;                /* one command's parsed tips and specs */

/* Parses `n` entries (normally cmd_keyspecs_data). Returns NULL when an entry
 * is malformed or named twice, with the reason ("zadd: expected ':' at 3")
 * in err. */
struct cmd_keyspecs *cmd_keyspecs_create(const struct cmd_keyspecs_entry *entries, size_t n, char *err,
                                         size_t errlen);
void cmd_keyspecs_destroy(struct cmd_keyspecs *ks);

/* The entry of a full name ("config|get", lower case), or NULL. Valid as
 * long as the table. */
const struct cmd_keyinfo *cmd_keyspecs_find(const struct cmd_keyspecs *ks, const char *fullname);

/* A command's parsed specs (*n of them; ki may be NULL: none). */
const struct cmd_keyspec *cmd_keyinfo_specs(const struct cmd_keyinfo *ki, size_t *n);

/* COMMAND INFO's elements 8 and 9: the set of tips, the key specs. ki may
 * be NULL (a command without an entry): two empty sets. */
void cmd_keyinfo_reply_tips(struct reply *r, const struct cmd_keyinfo *ki);
void cmd_keyinfo_reply_specs(struct reply *r, const struct cmd_keyinfo *ki);
/* The set of flag names of key_flag bits, in Redis' order. */
void cmd_key_flags_reply(struct reply *r, uint32_t flags);

/* The bits of all specs, or (inverted) of all specs' complements: Redis
 * asks "is there a spec without not_key" as inverted & KEY_NOT_KEY. */
uint32_t cmd_keyinfo_all_flags(const struct cmd_keyinfo *ki, bool inverted);

/* The keys the specs find in a call (argv[0] the command), with each
 * spec's flags; not_key specs are skipped. Returns
 * the count, or -1 when a spec cannot be applied to these arguments
 * (unknown, a numkeys that is not a count, keys past the end, incomplete):
 * then the command's own finder decides. out holds at most max (argc always
 * suffices). */
int cmd_keyinfo_find_keys(const struct cmd_keyinfo *ki, int argc, const struct resp_arg *argv, struct cmd_keyref *out,
                          int max);

/* Checks one specs text / tips text; false with the reason in err. */
bool cmd_keyspecs_check_specs(const char *specs, char *err, size_t errlen);
bool cmd_keyspecs_check_tips(const char *tips, char *err, size_t errlen);

#endif
