/*
 * lua_env: the sandboxed Lua 5.1 state scripts run in, the script cache, and
 * running one script.
 *
 * Libraries. Debian's liblua5.1 with the base library (less dofile,
 * loadfile, print, getfenv, setfenv, newproxy), table, string, math (random
 * and randomseed replaced by Redis' rand48 generator, whose state lives in
 * the script_state and starts where Redis' does), coroutine, cjson
 * (lua-cjson) and bit (LuaBitOp), the `redis` table (lua_redis.c) and the
 * global __redis__err__handler. No io, os, debug, package. KEYS and ARGV are
 * globals set before each run.
 *
 * Read-only tables. Redis 7.0 patches its Lua so that _G, every table
 * reachable from it and the string metatable are read-only; Debian's Lua
 * has no such flag, so the same behaviour is built from proxies: each of
 * those tables is replaced by an empty proxy whose metatable reads from the
 * real table (__index) and refuses every assignment (__newindex raises
 * "Attempt to modify a readonly table", with the script position as Redis
 * gives it). The thread's globals are the proxy of _G; the real globals have
 * a metatable whose __index raises "Script attempted to access nonexistent
 * global variable 'x'". The functions that bypass metatables are wrapped:
 * rawset, setmetatable, table.insert and table.setn refuse a proxy (the
 * error without position, as Redis' C-level check); rawget, next, pairs,
 * ipairs, unpack and the reading table functions see through a proxy to
 * its real table; getmetatable shows what Redis shows (nil for the
 * libraries, a read-only metatable for _G and for strings). A registry table
 * with weak keys maps each proxy to its real table.
 *
 * The cache. Compiled scripts live in the registry under "f_<sha>" (as in
 * Redis) and their shebang flags under "F_<sha>"; SCRIPT FLUSH drops the
 * whole state.
 *
 * Errors. Scripts run under lua_pcall with a C error handler that does what
 * Redis' Lua handler does: a non-table error becomes {err = "ERR " ..
 * tostring(e)}, and the source and line of the function that raised it (or
 * of its caller when that is a C function) are added, giving
 * "-ERR user_script:1: ... script: <sha>, on @user_script:1.". pcall is
 * Redis' version: an error table caught by pcall is turned into its `err`
 * string.
 */
#include "api/client.h"
#include "api/config.h"
#include "api/lua_bridge.h"
#include "api/reply.h"
#include "api/server.h"

#include <lauxlib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <lua.h>
#include <lualib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOOK_INSTRUCTIONS 100000   /* Redis' count hook period */
#define GC_PERIOD 50               /* a GC step every 50 runs, as Redis */

static char real_of_key;    /* registry: proxy -> real table (weak keys) */
static char shown_mt_key;   /* registry: proxy -> metatable getmetatable shows */
static char string_mt_key;  /* registry: the proxy of the string metatable */
static char state_key;      /* registry: the script_state */

static const char readonly_msg[] = "Attempt to modify a readonly table";

/* ---- read-only proxies ---------------------------------------------------- */

/* Replaces the value at idx by its real table if it is a proxy; returns
 * whether it was one. */
static bool unproxy(lua_State *L, int idx)
{
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    if (lua_type(L, idx) != LUA_TTABLE)
        return false;
    lua_pushlightuserdata(L, &real_of_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 2);
        return false;
    }
    lua_replace(L, idx);
    lua_pop(L, 1);
    return true;
}

static bool is_proxy(lua_State *L, int idx)
{
    bool yes;
    lua_pushvalue(L, idx);
    yes = unproxy(L, lua_gettop(L));
    lua_pop(L, 1);
    return yes;
}

/* __newindex of every proxy: the position is the assigning script line. */
static int ro_newindex(lua_State *L) { return luaL_error(L, "%s", readonly_msg); }

/* __index of the real globals: a name nobody defined. */
static int ro_global_missing(lua_State *L)
{
    if (lua_gettop(L) != 2)
        return luaL_error(L, "Wrong number of arguments to luaProtectedTableError");
    if (!lua_isstring(L, -1) && !lua_isnumber(L, -1))
        return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", lua_tostring(L, -1));
}

/* Pushes a proxy for the table at idx (made read-only): an empty table
 * whose metatable reads from the real one. `index` is the value for
 * __index (the real table, or a function), at index_idx. */
static void push_proxy(lua_State *L, int idx, int index_idx)
{
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    index_idx = index_idx < 0 ? lua_gettop(L) + index_idx + 1 : index_idx;
    lua_newtable(L);                          /* proxy */
    lua_newtable(L);                          /* its metatable */
    lua_pushvalue(L, index_idx);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pushlightuserdata(L, &real_of_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, idx);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* Makes every table field of the table at idx (recursively) read-only by
 * replacing it with its proxy; `seen` (a table at seen_idx) maps real
 * tables to proxies already made, for tables reachable twice. */
static void protect_fields(lua_State *L, int idx, int seen_idx)
{
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    lua_newtable(L);   /* keys to replace, collected first: no writes while iterating */
    int keys = lua_gettop(L), n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushvalue(L, -2);
            lua_rawseti(L, keys, ++n);
        }
        lua_pop(L, 1);
    }
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);                 /* key */
        lua_pushvalue(L, -1);
        lua_rawget(L, idx);                      /* key real */
        lua_pushvalue(L, -1);
        lua_rawget(L, seen_idx);                 /* key real proxy? */
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            push_proxy(L, -1, -1);               /* key real proxy */
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, seen_idx);             /* before recursing: cycles end here */
            protect_fields(L, -2, seen_idx);
        }
        lua_remove(L, -2);                       /* key proxy */
        lua_rawset(L, idx);
    }
    lua_pop(L, 1);
}

/* Wrappers of the functions that bypass metatables (upvalue 1: the
 * original function). */
static int see_through(lua_State *L)
{
    if (lua_gettop(L) >= 1)
        unproxy(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int refuse_proxy(lua_State *L)
{
    if (lua_gettop(L) >= 1 && is_proxy(L, 1)) {
        lua_pushstring(L, readonly_msg);
        return lua_error(L);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int ro_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (is_proxy(L, 1)) {
        lua_pushlightuserdata(L, &shown_mt_key);
        lua_rawget(L, LUA_REGISTRYINDEX);
        lua_pushvalue(L, 1);
        lua_rawget(L, -2);
        return 1;
    }
    if (lua_type(L, 1) == LUA_TSTRING) {
        lua_pushlightuserdata(L, &string_mt_key);
        lua_rawget(L, LUA_REGISTRYINDEX);
        return 1;
    }
    if (!lua_getmetatable(L, 1)) {
        lua_pushnil(L);
        return 1;
    }
    luaL_getmetafield(L, 1, "__metatable");
    return 1;
}

static void wrap(lua_State *L, int table_idx, const char *name, lua_CFunction with)
{
    lua_getfield(L, table_idx, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    lua_pushcclosure(L, with, 1);
    lua_setfield(L, table_idx, name);
}

/* ---- libraries ------------------------------------------------------------- */

/* Redis' pcall: an error table is returned as its `err` string. */
static int redis_pcall(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc == 0) {
        /* Redis' version then calls the boolean it pushed */
        lua_pushboolean(L, 0);
        lua_pushliteral(L, "attempt to call a boolean value");
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
        lua_remove(L, 1);
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            if (lua_isstring(L, -1))
                lua_replace(L, -2);
            else
                lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

static struct script_state *state_of(lua_State *L)
{
    struct script_state *st;
    lua_pushlightuserdata(L, &state_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    st = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return st;
}

/* math.random and math.randomseed on the rand48 generator, as Redis: the
 * same numbers for the same seed (and from start-up). */
static int math_random(lua_State *L)
{
    struct script_state *st = state_of(L);
    long v;
    lua_Number r;
    lrand48_r(&st->rnd, &v);
    r = (lua_Number)(v % 2147483647) / (lua_Number)2147483647;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, r);
        break;
    case 1: {
        int u = luaL_checkint(L, 1);
        luaL_argcheck(L, 1 <= u, 1, "interval is empty");
        lua_pushnumber(L, floor(r * u) + 1);
        break;
    }
    case 2: {
        int l = luaL_checkint(L, 1), u = luaL_checkint(L, 2);
        luaL_argcheck(L, l <= u, 2, "interval is empty");
        lua_pushnumber(L, floor(r * (u - l + 1)) + l);
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int math_randomseed(lua_State *L)
{
    srand48_r(luaL_checkint(L, 1), &state_of(L)->rnd);
    return 0;
}

/* The error handler (see the top of the file); also the global
 * __redis__err__handler. */
static int err_handler(lua_State *L)
{
    lua_Debug ar;
    bool where = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
    if (where && strcmp(ar.what, "C") == 0)
        where = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
    lua_settop(L, 1);
    if (!lua_istable(L, 1)) {
        lua_newtable(L);
        lua_pushliteral(L, "ERR ");
        lua_getglobal(L, "tostring");
        lua_pushvalue(L, 1);
        lua_call(L, 1, 1);
        lua_concat(L, 2);
        lua_setfield(L, -2, "err");
        lua_replace(L, 1);
    }
    if (where) {
        lua_pushstring(L, ar.source);
        lua_setfield(L, 1, "source");
        lua_pushnumber(L, ar.currentline);
        lua_setfield(L, 1, "line");
    }
    return 1;
}

static void open_lib(lua_State *L, const char *name, lua_CFunction fn, bool set_global)
{
    lua_pushcfunction(L, fn);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (set_global)
        lua_setglobal(L, name);
    else
        lua_pop(L, 1);
}

static void load_libraries(lua_State *L, struct script_state *st)
{
    static const char *const removed[] = { "dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy",
                                           "module", "require" };
    int g;
    open_lib(L, "", luaopen_base, false);
    open_lib(L, LUA_TABLIBNAME, luaopen_table, false);
    open_lib(L, LUA_STRLIBNAME, luaopen_string, false);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math, false);
    open_lib(L, "cjson", luaopen_cjson, true);
    open_lib(L, "bit", luaopen_bit, true);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    g = lua_gettop(L);
    for (size_t i = 0; i < sizeof(removed) / sizeof(removed[0]); i++) {
        lua_pushnil(L);
        lua_setfield(L, g, removed[i]);
    }
    lua_getfield(L, g, "math");
    lua_pushcfunction(L, math_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, math_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);
    lua_pushcfunction(L, redis_pcall);
    lua_setfield(L, g, "pcall");
    lua_pushcfunction(L, err_handler);
    lua_setfield(L, g, "__redis__err__handler");
    lua_redis_open(L, st);
    lua_pop(L, 1);
}

/* Wraps the metatable-bypassing functions (before the tables turn into
 * proxies, so the wrappers hold the original functions). */
static void wrap_raw_access(lua_State *L)
{
    static const char *const reading[] = { "rawget", "next", "pairs", "ipairs", "unpack" };
    /* remove and sort write nothing into a table without array items (all
     * the protected ones); insert and setn always write */
    static const char *const table_reading[] = { "concat", "foreach", "foreachi", "getn", "maxn", "remove", "sort" };
    static const char *const table_writing[] = { "insert", "setn" };
    int g;
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    g = lua_gettop(L);
    for (size_t i = 0; i < sizeof(reading) / sizeof(reading[0]); i++)
        wrap(L, g, reading[i], see_through);
    wrap(L, g, "rawset", refuse_proxy);
    wrap(L, g, "setmetatable", refuse_proxy);
    lua_pushcfunction(L, ro_getmetatable);
    lua_setfield(L, g, "getmetatable");
    lua_getfield(L, g, "table");
    for (size_t i = 0; i < sizeof(table_reading) / sizeof(table_reading[0]); i++)
        wrap(L, g + 1, table_reading[i], see_through);
    for (size_t i = 0; i < sizeof(table_writing) / sizeof(table_writing[0]); i++)
        wrap(L, g + 1, table_writing[i], refuse_proxy);
    lua_pop(L, 2);
}

/* Turns the globals and everything reachable from them read-only, and
 * makes the proxy of _G the thread's globals. */
static void protect_globals(lua_State *L)
{
    int g, seen, gproxy, shown, mt;
    lua_pushlightuserdata(L, &real_of_key);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, &shown_mt_key);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);

    lua_pushvalue(L, LUA_GLOBALSINDEX);
    g = lua_gettop(L);
    lua_newtable(L);
    seen = lua_gettop(L);
    lua_pushnil(L);
    lua_setfield(L, g, "_G");                /* _G itself is handled below */
    protect_fields(L, g, seen);

    /* strings index the string library through its proxy; the string
     * metatable is shown read-only */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    mt = lua_gettop(L);
    lua_getfield(L, g, "string");
    lua_setfield(L, mt, "__index");
    lua_pushlightuserdata(L, &string_mt_key);
    push_proxy(L, mt, mt);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pop(L, 2);

    /* the real globals raise on a missing name; the proxy reads them */
    lua_newtable(L);
    lua_pushcfunction(L, ro_global_missing);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, g);
    push_proxy(L, g, g);
    gproxy = lua_gettop(L);
    lua_pushvalue(L, gproxy);
    lua_setfield(L, g, "_G");
    /* getmetatable(_G): a read-only table whose __index is that function */
    lua_pushlightuserdata(L, &shown_mt_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    shown = lua_gettop(L);
    lua_newtable(L);
    lua_pushcfunction(L, ro_global_missing);
    lua_setfield(L, -2, "__index");
    push_proxy(L, -1, -1);
    lua_remove(L, -2);
    lua_pushvalue(L, gproxy);
    lua_insert(L, -2);
    lua_rawset(L, shown);
    lua_pop(L, 1);
    lua_pushvalue(L, gproxy);
    lua_replace(L, LUA_GLOBALSINDEX);
    lua_settop(L, 0);
}

lua_State *lua_env_create(struct script_state *st)
{
    lua_State *L = luaL_newstate();
    if (!L)
        abort();
    lua_pushlightuserdata(L, &state_key);
    lua_pushlightuserdata(L, st);
    lua_rawset(L, LUA_REGISTRYINDEX);
    load_libraries(L, st);
    wrap_raw_access(L);
    protect_globals(L);
    return L;
}

void lua_env_destroy(lua_State *L)
{
    if (L)
        lua_close(L);
}

size_t lua_env_memory(lua_State *L)
{
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}

/* ---- the cache -------------------------------------------------------------- */

static void cache_name(char *out, char prefix, const char *sha)
{
    out[0] = prefix;
    out[1] = '_';
    memcpy(out + 2, sha, SCRIPT_SHA_LEN);
    out[SCRIPT_SHA_LEN + 2] = '\0';
}

bool lua_env_lookup(lua_State *L, const char *sha, unsigned *flags)
{
    char name[SCRIPT_SHA_LEN + 3];
    bool found;
    cache_name(name, 'F', sha);
    lua_getfield(L, LUA_REGISTRYINDEX, name);
    found = !lua_isnil(L, -1);
    if (found && flags)
        *flags = (unsigned)lua_tonumber(L, -1);
    lua_pop(L, 1);
    return found;
}

bool lua_env_compile(lua_State *L, const char *sha, const char *body, size_t len, size_t skip, unsigned flags,
                     struct reply *out)
{
    char name[SCRIPT_SHA_LEN + 3];
    if (luaL_loadbuffer(L, body + skip, len - skip, "@user_script")) {
        reply_errorf(out, "ERR Error compiling script (new function): %s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return false;
    }
    cache_name(name, 'f', sha);
    lua_setfield(L, LUA_REGISTRYINDEX, name);
    cache_name(name, 'F', sha);
    lua_pushnumber(L, flags);
    lua_setfield(L, LUA_REGISTRYINDEX, name);
    return true;
}

/* ---- running ---------------------------------------------------------------- */

static void count_hook(lua_State *L, lua_Debug *ar)
{
    struct script_state *st = state_of(L);
    if (!script_hook(st))
        return;
    /* Raise at every line from now on, so a pcall cannot swallow it. */
    lua_sethook(L, count_hook, LUA_MASKLINE, 0);
    lua_conv_push_error(L, "Script killed by user with SCRIPT KILL...", 41);
    lua_error(L);
}

/* Sets a global in the real globals (behind the read-only proxy). */
static void set_real_global(lua_State *L, const char *name)
{
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    unproxy(L, -1);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

static void push_array(lua_State *L, int n, const struct resp_arg *v)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushlstring(L, v[i].ptr, v[i].len);
        lua_rawseti(L, -2, i + 1);
    }
}

/* The error reply of a failed run: the error table's err, then where. */
static void error_to_reply(lua_State *L, struct script_state *st, struct reply *out)
{
    const char *msg, *source, *line;
    bool ignore_stats;
    if (!lua_istable(L, -1)) {
        msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
        reply_errorf(out, "ERR Error running script %s, %.100s", st->run->sha, msg);
        return;
    }
    lua_getfield(L, -1, "err");
    lua_getfield(L, -2, "source");
    lua_getfield(L, -3, "line");
    lua_getfield(L, -4, "ignore_error_stats_update");
    msg = lua_isstring(L, -4) ? lua_tostring(L, -4) : "";
    source = lua_isstring(L, -3) ? lua_tostring(L, -3) : NULL;
    line = lua_isstring(L, -2) ? lua_tostring(L, -2) : NULL;
    ignore_stats = lua_toboolean(L, -1);
    if (ignore_stats) {
        /* counted already where the command failed: the script's error
         * counts for EVAL's failed calls only (cmd_call adds the total) */
        out->on_error = NULL;
        st->srv->stats.total_error_replies--;
    }
    if (source && line)
        reply_errorf(out, "%s script: %s, on %s:%s.", msg, st->run->sha, source, line);
    else
        reply_error(out, msg);
    lua_pop(L, 4);
}

void lua_env_run(struct script_state *st, int nkeys, const struct resp_arg *keys, int nargs,
                 const struct resp_arg *args, struct reply *out)
{
    lua_State *L = st->L;
    long long threshold = config_values(st->srv->cfg)->busy_reply_threshold;
    char name[SCRIPT_SHA_LEN + 3];
    void (*on_error)(void *, const char *, size_t) = out->on_error;
    int base = lua_gettop(L);
    lua_pushcfunction(L, err_handler);
    cache_name(name, 'f', st->run->sha);
    lua_getfield(L, LUA_REGISTRYINDEX, name);
    push_array(L, nkeys, keys);
    set_real_global(L, "KEYS");
    push_array(L, nargs, args);
    set_real_global(L, "ARGV");
    if (threshold > 0)
        lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    if (lua_pcall(L, 0, 1, base + 1)) {
        error_to_reply(L, st, out);
    } else {
        if (lua_conv_is_ignored_error(L))
            st->srv->stats.total_error_replies--;   /* see error_to_reply */
        lua_conv_to_reply(L, out, st->fake->out.proto);
    }
    out->on_error = on_error;
    if (threshold > 0)
        lua_sethook(L, NULL, 0, 0);
    lua_settop(L, base);
    if (++st->gc_count == GC_PERIOD) {
        lua_gc(L, LUA_GCSTEP, GC_PERIOD);
        st->gc_count = 0;
    }
}
