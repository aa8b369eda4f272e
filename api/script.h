/*
 * script: Lua scripting - EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
 * LOAD / EXISTS / FLUSH / KILL / HELP / DEBUG, as Redis 7.0.
 *
 * One script cache per server, shared by every connection. A script runs
 * atomically: its redis.call commands go through the dispatcher's checks
 * for scripts and cmd_call() on a fake client, so each write produces the
 * outputs of any command (key changed, keyspace events, effects, the
 * effects bracketed as MULTI ... EXEC); blocked clients are served after the
 * script ends. A script running past busy-reply-threshold (lua-time-limit)
 * lets the server serve the other connections, which get -BUSY for every
 * command not flagged allow-busy; SCRIPT KILL stops a script that has not
 * written, SHUTDOWN NOSAVE stops the server.
 *
 * The Lua side (api/lua_*.c) is private to the module; see api/lua_bridge.h.
 */
#ifndef TASKKV_API_SCRIPT_H
#define TASKKV_API_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct cmd_def;
struct resp_arg;
struct server;
struct script_state;

/* Frees the server's scripting state (created on first use); NULL is a no-op. */
void script_destroy(struct script_state *st);

/* The dispatcher's last check before running or queueing a command: while
 * a script is running past busy-reply-threshold, a command without the
 * allow-busy flag is answered -BUSY (EXEC: -EXECABORT with that reason,
 * and the transaction is discarded). Returns false after replying. */
bool script_allowed_or_reply(struct client *c, const struct cmd_def *d);

/* The flags EVAL / EVALSHA / EVAL_RO / EVALSHA_RO (`d`, with its argc and
 * argv) have for this script, as Redis' getCommandFlags: a script with a
 * shebang declares them (write unless `no-writes`, denyoom unless
 * `no-writes` or `allow-oom`); without one (or an unknown EVALSHA) the
 * command's own. For the maxmemory check. */
uint32_t script_command_flags(struct server *srv, const struct cmd_def *d, int argc, const struct resp_arg *argv);

/* True while a script runs past busy-reply-threshold (SHUTDOWN without
 * NOSAVE is refused then), and the -BUSY reply for that case. */
bool script_timed_out(const struct server *srv);
void script_reply_busy(struct client *c);

/* For INFO memory (used_memory_lua, number_of_cached_scripts): the Lua
 * state's bytes (0 before the first scripting command) and the number of
 * scripts in the cache. */
void script_memory(const struct server *srv, size_t *lua_bytes, size_t *cached_scripts);

#endif
