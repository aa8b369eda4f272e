/*
 * lua_conv: Redis' conversions between replies and Lua values.
 *
 * Reply -> Lua (what redis.call returns), read with api/resp_reply:
 *   integer -> number; bulk -> string; status -> {ok = text};
 *   error -> {err = text}; array -> table (1-based);
 *   RESP2 null bulk / null array -> false;
 *   RESP3 (after redis.setresp(3)): null -> nil; boolean -> boolean;
 *   double -> {double = number}; big number -> {big_number = text};
 *   verbatim -> {verbatim_string = {format = f, string = s}};
 *   map -> {map = {k = v}}; set -> {set = {member = true}}; attributes skipped.
 *
 * Lua -> reply (what the script returns), written with api/reply.h in the
 * caller's protocol:
 *   string -> bulk; number -> integer (truncated; NaN and values past the
 *   long long range give LLONG_MIN, as Redis' cast does on x86-64);
 *   true -> 1 (RESP3 scripts: a boolean); false -> null (RESP3 scripts:
 *   a boolean); nil and other types -> null;
 *   table with a string `err` -> error, a string `ok` -> status, a number
 *   `double`, a string `big_number`, a table `map` / `set` /
 *   `verbatim_string`; any other table -> array of t[1], t[2]... up to the
 *   first nil. Fields are read with rawget: metatables play no part.
 */
#include "api/lua_bridge.h"
#include "api/reply.h"
#include "api/resp_reply.h"

#include <lauxlib.h>
#include <lua.h>

#include <limits.h>
#include <math.h>
#include <string.h>

/* ---- reply -> Lua --------------------------------------------------------- */

static void push_item(lua_State *L, struct rr_reader *rd);

static void set_field_table(lua_State *L, const char *field)
{
    /* stack: outer inner -> outer with outer[field] = inner */
    lua_pushstring(L, field);
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

static void push_aggregate(lua_State *L, struct rr_reader *rd, const struct rr_item *it)
{
    lua_newtable(L);
    switch (it->type) {
    case RR_MAP:
        lua_pushstring(L, "map");
        lua_newtable(L);
        for (long long i = 0; i < it->n; i++) {
            push_item(L, rd);
            push_item(L, rd);
            lua_settable(L, -3);
        }
        lua_rawset(L, -3);
        break;
    case RR_SET:
        lua_pushstring(L, "set");
        lua_newtable(L);
        for (long long i = 0; i < it->n; i++) {
            push_item(L, rd);
            lua_pushboolean(L, 1);
            lua_settable(L, -3);
        }
        lua_rawset(L, -3);
        break;
    default:   /* arrays and pushes */
        for (long long i = 0; i < it->n; i++) {
            push_item(L, rd);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    }
}

static void push_item(lua_State *L, struct rr_reader *rd)
{
    struct rr_item it;
    if (!lua_checkstack(L, 5) || !rr_next(rd, &it)) {
        lua_pushnil(L);
        return;
    }
    switch (it.type) {
    case RR_INT:
        lua_pushnumber(L, (lua_Number)it.n);
        break;
    case RR_BULK:
        lua_pushlstring(L, it.ptr, it.len);
        break;
    case RR_SIMPLE:
        lua_newtable(L);
        lua_pushstring(L, "ok");
        lua_pushlstring(L, it.ptr, it.len);
        lua_rawset(L, -3);
        break;
    case RR_ERROR:
        lua_conv_push_error(L, it.ptr - 1, it.len + 1);   /* with its '-' (the type byte) */
        break;
    case RR_NULL_BULK:
    case RR_NULL_ARRAY:
        lua_pushboolean(L, 0);
        break;
    case RR_NULL:
        lua_pushnil(L);
        break;
    case RR_BOOL:
        lua_pushboolean(L, (int)it.n);
        break;
    case RR_DOUBLE:
        lua_newtable(L);
        lua_pushstring(L, "double");
        lua_pushnumber(L, it.d);
        lua_rawset(L, -3);
        break;
    case RR_BIGNUM:
        lua_newtable(L);
        lua_pushstring(L, "big_number");
        lua_pushlstring(L, it.ptr, it.len);
        lua_rawset(L, -3);
        break;
    case RR_VERBATIM:
        lua_newtable(L);
        lua_newtable(L);
        lua_pushstring(L, "format");
        lua_pushlstring(L, it.fmt, 3);
        lua_rawset(L, -3);
        lua_pushstring(L, "string");
        lua_pushlstring(L, it.ptr, it.len);
        lua_rawset(L, -3);
        set_field_table(L, "verbatim_string");
        break;
    case RR_ATTR:
        /* attributes carry no data for the script: skip them */
        for (long long i = 0; i < it.n * 2; i++)
            rr_skip(rd);
        push_item(L, rd);
        break;
    default:
        push_aggregate(L, rd, &it);
        break;
    }
}

void lua_conv_push_reply(lua_State *L, const char *p, size_t len)
{
    struct rr_reader rd;
    rr_init(&rd, p, len);
    push_item(L, &rd);
}

void lua_conv_push_error(lua_State *L, const char *msg, size_t len)
{
    /* "-CODE text" keeps its code; "-text" (no space) and "text" get ERR.
     * Line ends are trimmed. */
    const char *code = "ERR ";
    size_t codelen = 4;
    if (len > 0 && msg[0] == '-') {
        const char *sp = memchr(msg, ' ', len);
        msg++;
        len--;
        if (sp)
            codelen = 0;
    }
    while (len > 0 && (msg[len - 1] == '\r' || msg[len - 1] == '\n'))
        len--;
    while (len > 0 && (msg[0] == '\r' || msg[0] == '\n')) {
        msg++;
        len--;
    }
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushlstring(L, code, codelen);
    lua_pushlstring(L, msg, len);
    lua_concat(L, 2);
    lua_rawset(L, -3);
}

bool lua_conv_is_ignored_error(lua_State *L)
{
    bool yes = false;
    if (lua_type(L, -1) != LUA_TTABLE)
        return false;
    lua_getfield(L, -1, "err");
    if (lua_type(L, -1) == LUA_TSTRING) {
        lua_getfield(L, -2, "ignore_error_stats_update");
        yes = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return yes;
}

/* ---- Lua -> reply --------------------------------------------------------- */

static long long number_to_ll(lua_Number n)
{
    /* written so NaN fails the range test */
    if (n >= -9223372036854775808.0 && n < 9223372036854775808.0)
        return (long long)n;
    return LLONG_MIN;
}

/* Pushes t[field] (raw) for the table at index `t`; returns its type. */
static int raw_field(lua_State *L, int t, const char *field)
{
    lua_pushstring(L, field);
    lua_rawget(L, t);
    return lua_type(L, -1);
}

static void table_to_reply(lua_State *L, struct reply *out, int script_resp);

void lua_conv_to_reply(lua_State *L, struct reply *out, int script_resp)
{
    if (!lua_checkstack(L, 4)) {
        /* Redis answers this error in place of the value that did not fit */
        reply_error(out, "ERR reached lua stack limit");
        lua_pop(L, 1);
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        reply_bulk(out, s, len);
        break;
    }
    case LUA_TBOOLEAN:
        if (script_resp == 2) {
            if (lua_toboolean(L, -1))
                reply_int(out, 1);
            else
                reply_null(out);
        } else {
            reply_bool(out, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER:
        reply_int(out, number_to_ll(lua_tonumber(L, -1)));
        break;
    case LUA_TTABLE:
        table_to_reply(L, out, script_resp);
        return;   /* popped there */
    default:
        reply_null(out);
        break;
    }
    lua_pop(L, 1);
}

/* Counts the pairs of the table on the top of the stack. */
static long long count_pairs(lua_State *L)
{
    long long n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        n++;
        lua_pop(L, 1);
    }
    return n;
}

static void map_to_reply(lua_State *L, struct reply *out, int script_resp, bool is_set)
{
    /* stack: ... t inner */
    if (is_set)
        reply_set(out, count_pairs(L));
    else
        reply_map(out, count_pairs(L));
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        /* stack: ... inner key value; convert a copy of the key, then the value */
        lua_pushvalue(L, -2);
        lua_conv_to_reply(L, out, script_resp);
        if (is_set)
            lua_pop(L, 1);
        else
            lua_conv_to_reply(L, out, script_resp);
    }
}

/* The special tables ({err=...}, {ok=...}, ...); false if `t` is none. */
static bool special_to_reply(lua_State *L, int t, struct reply *out, int script_resp)
{
    size_t len, flen;
    const char *s, *f;
    int top = lua_gettop(L);
    bool done = true;
    if (raw_field(L, t, "err") == LUA_TSTRING) {
        /* an error a command inside the script replied was counted in
         * INFO errorstats then: not again */
        void (*on_error)(void *, const char *, size_t) = out->on_error;
        if (raw_field(L, t, "ignore_error_stats_update") == LUA_TBOOLEAN && lua_toboolean(L, -1))
            out->on_error = NULL;
        reply_error(out, lua_tostring(L, -2));
        out->on_error = on_error;
    } else if (lua_pop(L, 1), raw_field(L, t, "ok") == LUA_TSTRING) {
        reply_simple(out, lua_tostring(L, -1));
    } else if (lua_pop(L, 1), raw_field(L, t, "double") == LUA_TNUMBER) {
        reply_double(out, lua_tonumber(L, -1));
    } else if (lua_pop(L, 1), raw_field(L, t, "big_number") == LUA_TSTRING) {
        s = lua_tolstring(L, -1, &len);
        reply_bignum(out, s, len);
    } else if (lua_pop(L, 1), raw_field(L, t, "map") == LUA_TTABLE) {
        map_to_reply(L, out, script_resp, false);
    } else if (lua_pop(L, 1), raw_field(L, t, "set") == LUA_TTABLE) {
        map_to_reply(L, out, script_resp, true);
    } else if (lua_pop(L, 1), raw_field(L, t, "verbatim_string") == LUA_TTABLE &&
               raw_field(L, top + 1, "format") == LUA_TSTRING && raw_field(L, top + 1, "string") == LUA_TSTRING) {
        char ext[4] = "   ";
        f = lua_tolstring(L, -2, &flen);
        s = lua_tolstring(L, -1, &len);
        memcpy(ext, f, flen < 3 ? flen : 3);
        reply_verbatim(out, s, len, ext);
    } else {
        done = false;
    }
    lua_settop(L, top);
    return done;
}

static void table_to_reply(lua_State *L, struct reply *out, int script_resp)
{
    int t = lua_gettop(L);
    long long n = 0;
    if (special_to_reply(L, t, out, script_resp)) {
        lua_pop(L, 1);
        return;
    }
    /* an array: t[1], t[2]... up to the first nil */
    for (;;) {
        lua_rawgeti(L, t, (int)n + 1);
        bool end = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (end)
            break;
        n++;
    }
    reply_array(out, n);
    for (long long i = 1; i <= n; i++) {
        lua_rawgeti(L, t, (int)i);
        lua_conv_to_reply(L, out, script_resp);
    }
    lua_pop(L, 1);
}
