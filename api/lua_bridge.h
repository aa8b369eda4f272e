/*
 * lua_bridge: the scripting module's internal interface, between the
 * commands and the running context (api/script.c) and the Lua side
 * (api/lua_env.c: the sandboxed state; api/lua_conv.c: conversions between
 * replies and Lua values; api/lua_redis.c: the `redis` library). Nothing
 * outside those files includes this header; the rest of the server sees
 * api/script.h only. <lua.h> is included by the lua_*.c files alone.
 *
 * One `struct script_state` per server: the Lua state holding every cached
 * script (registry keys "f_<sha>", as in Redis), the fake client that runs
 * the scripts' commands, and the running script's context (NULL when idle).
 */
#ifndef TASKKV_API_LUA_BRIDGE_H
#define TASKKV_API_LUA_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api/resp_parse.h"

struct lua_State;
struct client;
struct server;
struct reply;
struct cmd_def;
struct cmd_stats;

/* Shebang flags (`#!lua flags=...`); SF_EVAL_COMPAT when there is no shebang. */
enum script_flag {
    SF_NO_WRITES = 1 << 0,
    SF_ALLOW_OOM = 1 << 1,
    SF_ALLOW_STALE = 1 << 2,
    SF_NO_CLUSTER = 1 << 3,
    SF_ALLOW_CROSS_SLOT = 1 << 4,
    SF_EVAL_COMPAT = 1 << 5,
};

/* State of the running script. */
enum run_flag {
    RUN_READ_ONLY = 1 << 0,     /* EVAL_RO, or a no-writes shebang: writes refused */
    RUN_WRITE_DIRTY = 1 << 1,   /* a write command ran: SCRIPT KILL refuses (UNKILLABLE) */
    RUN_TIMEDOUT = 1 << 2,      /* past busy-reply-threshold: others get -BUSY */
    RUN_KILLED = 1 << 3,        /* SCRIPT KILL, or SHUTDOWN NOSAVE / a signal while busy */
    RUN_ALLOW_OOM = 1 << 4,     /* an allow-oom shebang: denyoom commands run even out of memory */
};

/* redis.set_repl() flags (redis.REPL_*). */
#define SCRIPT_REPL_AOF 1
#define SCRIPT_REPL_REPLICA 2
#define SCRIPT_REPL_ALL 3

#define SCRIPT_SHA_LEN 40

struct script_run {
    struct client *caller;
    char sha[SCRIPT_SHA_LEN + 1];
    unsigned flags;                /* enum run_flag */
    int repl;                      /* SCRIPT_REPL_* */
    int64_t start_us;
    bool caller_reading, caller_writing;   /* the caller's watchers, stopped while busy */
};

#define SCRIPT_STATS_CACHE 64

struct script_state {
    struct server *srv;
    struct lua_State *L;           /* created on first use, recreated by SCRIPT FLUSH */
    struct client *fake;           /* runs redis.call's commands; replies collect in fake->out */
    struct script_run *run;        /* NULL when no script runs */
    struct drand48_data rnd;       /* math.random / math.randomseed */
    unsigned gc_count;
    size_t nscripts;               /* cached scripts (SCRIPT FLUSH resets) */
    /* commandstats slots of the commands scripts call (cmd_stats_of walks the table) */
    struct {
        const struct cmd_def *def;
        struct cmd_stats *stats;
    } stats_cache[SCRIPT_STATS_CACHE];
};

/* ---- api/script.c, for the Lua side ------------------------------------- */

/* Runs one redis.call / redis.pcall command on the fake client. On success
 * returns NULL and the reply is in st->fake->out (the caller reads and
 * clears it); a command that fails leaves its error reply there too. When
 * the command is refused before it runs returns the error text ("Unknown
 * Redis command called from script", ...), without code or leading '-' for
 * an ERR, or "-CODE text" for another code (the OOM refusal). */
const char *script_call(struct script_state *st, int argc, const struct resp_arg *argv);
/* Called from the Lua count hook every so many instructions: marks the
 * script timed out past busy-reply-threshold and then serves the other
 * clients. Returns true when the script must stop (SCRIPT KILL). */
bool script_hook(struct script_state *st);
/* The command named (redis.acl_check_cmd); NULL if unknown. */
const struct cmd_def *script_lookup(struct script_state *st, int argc, const struct resp_arg *argv);

/* ---- api/lua_env.c ------------------------------------------------------ */

/* A new sandboxed Lua state (libraries, read-only globals, the `redis`
 * table, the error handler). Never NULL. */
struct lua_State *lua_env_create(struct script_state *st);
void lua_env_destroy(struct lua_State *L);   /* NULL is a no-op */
/* Bytes the state uses. */
size_t lua_env_memory(struct lua_State *L);
/* Whether a script with this sha (40 lower-case hex digits) is cached, and
 * its shebang flags. */
bool lua_env_lookup(struct lua_State *L, const char *sha, unsigned *flags);
/* Compiles body[skip..len) (skip: the shebang line, its newline kept so
 * line numbers stay the user's) and caches it under sha with `flags`. On a
 * compile error writes Redis' error reply to `out` and returns false. */
bool lua_env_compile(struct lua_State *L, const char *sha, const char *body, size_t len, size_t skip,
                     unsigned flags, struct reply *out);
/* Runs the cached script st->run->sha with KEYS and ARGV set, and writes
 * its result (or its error) to `out`. */
void lua_env_run(struct script_state *st, int nkeys, const struct resp_arg *keys, int nargs,
                 const struct resp_arg *args, struct reply *out);

/* ---- api/lua_conv.c ----------------------------------------------------- */

/* Pushes the Lua value of a reply (RESP2 or RESP3 bytes, one reply). */
void lua_conv_push_reply(struct lua_State *L, const char *p, size_t len);
/* Writes the value on the top of the stack to `out` in Redis' conversion
 * and pops it; `script_resp` is the protocol the script chose with
 * redis.setresp (booleans differ). */
void lua_conv_to_reply(struct lua_State *L, struct reply *out, int script_resp);
/* Whether the value on the top is an error table from a command the
 * script ran (already counted in the error statistics). */
bool lua_conv_is_ignored_error(struct lua_State *L);
/* Pushes an error table {err = "CODE message"} from an error reply's text
 * ("-CODE message" keeps its code, text without '-' gets "ERR "). */
void lua_conv_push_error(struct lua_State *L, const char *msg, size_t len);

/* ---- api/lua_redis.c ---------------------------------------------------- */

/* Sets the global `redis` table (call, pcall, error_reply, ...). */
void lua_redis_open(struct lua_State *L, struct script_state *st);

#endif
