/*
 * lua_redis: the `redis` table scripts see - call, pcall, error_reply,
 * status_reply, sha1hex, log, setresp, set_repl, replicate_commands,
 * breakpoint, debug, acl_check_cmd and the REPL_* / LOG_* / REDIS_VERSION
 * constants - with Redis 7.0's argument checks and error texts.
 *
 * redis.call and redis.pcall turn their arguments into a command (numbers
 * as Redis prints them, "%.17g" or an integer), run it through
 * script_call() (api/script.c: the dispatcher's checks for scripts, then
 * cmd_call on the fake client) and convert the reply the fake client
 * collected into a Lua value (lua_conv.c). An error - refused before it ran
 * or replied by the command - is an error table {err = ...,
 * ignore_error_stats_update = true}: redis.call raises it, redis.pcall
 * returns it. Errors of the library functions themselves are error tables
 * too (raised without a script position), as in Redis.
 */
#include "api/client.h"
#include "api/config.h"
#include "api/log.h"
#include "api/lua_bridge.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/digest.h"

#include <lauxlib.h>
#include <lua.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_BUF 32

static struct script_state *state(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

/* Pushes {err = "ERR msg"} and raises it (raise) or returns it. */
static int fail(lua_State *L, const char *msg, bool raise)
{
    lua_conv_push_error(L, msg, strlen(msg));
    return raise ? lua_error(L) : 1;
}

/* The command for redis.call / pcall / acl_check_cmd from the Lua
 * arguments, in a userdata left on the stack (its memory is the Lua GC's,
 * so a raised error leaks nothing). NULL with *err set when an argument is
 * neither a string nor a number, or there is none. */
static struct resp_arg *lua_args(lua_State *L, int argc, const char **err)
{
    struct resp_arg *argv;
    char *nums;
    if (argc == 0) {
        *err = "Please specify at least one argument for this redis lib call";
        return NULL;
    }
    argv = lua_newuserdata(L, (sizeof(*argv) + NUM_BUF) * (size_t)argc);
    nums = (char *)(argv + argc);
    for (int j = 0; j < argc; j++) {
        if (lua_type(L, j + 1) == LUA_TNUMBER) {
            char *buf = nums + (size_t)j * NUM_BUF;
            int n = snprintf(buf, NUM_BUF, "%.17g", (double)lua_tonumber(L, j + 1));
            argv[j].ptr = buf;
            argv[j].len = (size_t)n;
        } else if (lua_type(L, j + 1) == LUA_TSTRING) {
            argv[j].ptr = lua_tolstring(L, j + 1, &argv[j].len);
        } else {
            *err = "Lua redis lib command arguments must be strings or integers";
            lua_pop(L, 1);
            return NULL;
        }
    }
    return argv;
}

/* Moves the fake client's reply into a Lua value. */
static void push_fake_reply(lua_State *L, struct client *fake, bool *is_error)
{
    struct reply *r = &fake->out;
    if (!r->head) {
        *is_error = r->pos > r->sent && r->buf[r->sent] == '-';
        lua_conv_push_reply(L, r->buf + r->sent, r->pos - r->sent);
        reply_clear(r);
    } else {
        size_t len;
        char *bytes = reply_detach(r, &len);
        *is_error = len > 0 && bytes[0] == '-';
        lua_conv_push_reply(L, bytes, len);
        free(bytes);
    }
}

static int generic_call(lua_State *L, bool raise)
{
    struct script_state *st = state(L);
    int argc = lua_gettop(L);
    const char *err = NULL;
    struct resp_arg *argv;
    bool is_error = false;
    if (!st->run)
        return fail(L, "redis.call/pcall can only be called inside a script invocation", raise);
    argv = lua_args(L, argc, &err);
    if (!argv)
        return fail(L, err, raise);
    err = script_call(st, argc, argv);
    if (err) {
        lua_conv_push_error(L, err, strlen(err));
        is_error = true;
    } else {
        push_fake_reply(L, st->fake, &is_error);
    }
    if (is_error) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "ignore_error_stats_update");
    }
    if (raise && is_error)
        return lua_error(L);
    return 1;
}

static int redis_call(lua_State *L) { return generic_call(L, true); }
static int redis_pcall(lua_State *L) { return generic_call(L, false); }

static int redis_error_reply(lua_State *L)
{
    size_t len;
    const char *s;
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING)
        return fail(L, "wrong number or type of arguments", false);
    s = lua_tolstring(L, 1, &len);
    if (s[0] == '-') {
        lua_conv_push_error(L, s, len);
    } else {
        lua_pushliteral(L, "-");
        lua_pushvalue(L, 1);
        lua_concat(L, 2);
        s = lua_tolstring(L, -1, &len);
        lua_conv_push_error(L, s, len);
    }
    return 1;
}

static int redis_status_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING)
        return fail(L, "wrong number or type of arguments", false);
    lua_newtable(L);
    lua_pushliteral(L, "ok");
    lua_pushvalue(L, 1);
    lua_rawset(L, -3);
    return 1;
}

static int redis_sha1hex(lua_State *L)
{
    unsigned char d[DIGEST_LEN];
    char hex[DIGEST_HEX_LEN + 1];
    size_t len = 0;
    const char *s;
    if (lua_gettop(L) != 1)
        return fail(L, "wrong number of arguments", true);
    s = lua_tolstring(L, 1, &len);
    sha1(s ? s : "", s ? len : 0, d);
    digest_hex(d, hex);
    lua_pushstring(L, hex);
    return 1;
}

static int redis_log(lua_State *L)
{
    struct script_state *st = state(L);
    int argc = lua_gettop(L), level;
    luaL_Buffer b;
    if (argc < 2)
        return fail(L, "redis.log() requires two arguments or more.", true);
    if (!lua_isnumber(L, 1))
        return fail(L, "First argument must be a number (log level).", true);
    level = (int)lua_tonumber(L, 1);
    if (level < LOG_DEBUG || level > LOG_WARNING)
        return fail(L, "Invalid debug level.", true);
    luaL_buffinit(L, &b);
    for (int j = 2, first = 1; j <= argc; j++) {
        size_t len;
        const char *s = lua_tolstring(L, j, &len);
        if (!s)
            continue;
        if (!first)
            luaL_addchar(&b, ' ');
        luaL_addlstring(&b, s, len);
        first = 0;
    }
    luaL_pushresult(&b);
    log_at(st->srv, level, "%s", lua_tostring(L, -1));
    return 0;
}

static int redis_setresp(lua_State *L)
{
    struct script_state *st = state(L);
    lua_Number resp;
    if (lua_gettop(L) != 1)
        return fail(L, "redis.setresp() requires one argument.", true);
    resp = lua_tonumber(L, 1);
    if (resp != 2 && resp != 3)
        return fail(L, "RESP version must be 2 or 3.", true);
    st->fake->out.proto = (int)resp;
    return 0;
}

static int redis_set_repl(lua_State *L)
{
    struct script_state *st = state(L);
    int flags;
    if (!st->run)
        return fail(L, "redis.set_repl can only be called inside a script invocation", true);
    if (lua_gettop(L) != 1)
        return fail(L, "redis.set_repl() requires two arguments.", true);
    flags = (int)lua_tonumber(L, 1);
    if (flags & ~SCRIPT_REPL_ALL)
        return fail(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.", true);
    st->run->repl = flags;
    return 0;
}

static int redis_replicate_commands(lua_State *L)
{
    lua_pushboolean(L, 1);
    return 1;
}

static int redis_breakpoint(lua_State *L)
{
    lua_pushboolean(L, 0);   /* no debugging session (SCRIPT DEBUG) */
    return 1;
}

static int redis_debug(lua_State *L) { return 0; }

static int redis_acl_check_cmd(lua_State *L)
{
    struct script_state *st = state(L);
    int argc = lua_gettop(L);
    const char *err = NULL;
    struct resp_arg *argv;
    if (!st->run)
        return fail(L, "redis.acl_check_cmd can only be called inside a script invocation", true);
    argv = lua_args(L, argc, &err);
    if (!argv)
        return fail(L, err, true);
    if (!script_lookup(st, argc, argv))
        return fail(L, "Invalid command passed to redis.acl_check_cmd()", true);
    lua_pushboolean(L, 1);   /* one user, allowed everything */
    return 1;
}

static long version_num(const char *v)
{
    int a = 0, b = 0, c = 0;
    sscanf(v, "%d.%d.%d", &a, &b, &c);
    return ((long)a << 16) | (b << 8) | c;
}

void lua_redis_open(lua_State *L, struct script_state *st)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = {
        { "call", redis_call },
        { "pcall", redis_pcall },
        { "error_reply", redis_error_reply },
        { "status_reply", redis_status_reply },
        { "sha1hex", redis_sha1hex },
        { "log", redis_log },
        { "setresp", redis_setresp },
        { "set_repl", redis_set_repl },
        { "replicate_commands", redis_replicate_commands },
        { "breakpoint", redis_breakpoint },
        { "debug", redis_debug },
        { "acl_check_cmd", redis_acl_check_cmd },
    };
    static const struct {
        const char *name;
        int value;
    } nums[] = {
        { "REPL_NONE", 0 }, { "REPL_AOF", SCRIPT_REPL_AOF }, { "REPL_REPLICA", SCRIPT_REPL_REPLICA },
        { "REPL_SLAVE", SCRIPT_REPL_REPLICA }, { "REPL_ALL", SCRIPT_REPL_ALL },
        { "LOG_DEBUG", LOG_DEBUG }, { "LOG_VERBOSE", LOG_VERBOSE }, { "LOG_NOTICE", LOG_NOTICE },
        { "LOG_WARNING", LOG_WARNING },
    };
    lua_newtable(L);
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        lua_pushlightuserdata(L, st);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setfield(L, -2, fns[i].name);
    }
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        lua_pushnumber(L, nums[i].value);
        lua_setfield(L, -2, nums[i].name);
    }
    lua_pushstring(L, TASKKV_REDIS_COMPAT_VERSION);
    lua_setfield(L, -2, "REDIS_VERSION");
    lua_pushnumber(L, (lua_Number)version_num(TASKKV_REDIS_COMPAT_VERSION));
    lua_setfield(L, -2, "REDIS_VERSION_NUM");
    lua_setglobal(L, "redis");
}
