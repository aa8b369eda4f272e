/*
 * check_script: Lua scripting without sockets - the reply reader
 * (api/resp_reply), EVAL and SCRIPT through fake clients, the outputs a
 * script's writes produce (key changed, keyspace events, effects bracketed
 * as MULTI ... EXEC), the conversions both ways, the redis.* library, the
 * sandbox's read-only tables and Redis' error texts (read off redis-server
 * 7.0.15).
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/reply.h"
#include "api/resp_reply.h"
#include "api/script.h"
#include "api/server.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server *srv;
static struct client *cl;
static char log_buf[8192];

static void logf_(const char *fmt, ...)
{
    size_t n = strlen(log_buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(log_buf + n, sizeof(log_buf) - n, fmt, ap);
    va_end(ap);
}

static void on_effect(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    /* MULTI / EXEC are logged without a database: they belong to none */
    if (argc == 1 && (strcmp(argv[0].ptr, "MULTI") == 0 || strcmp(argv[0].ptr, "EXEC") == 0))
        logf_("effect:");
    else
        logf_("effect:%d:", db);
    for (int i = 0; i < argc; i++)
        logf_("%s%.*s", i ? " " : "", (int)argv[i].len, argv[i].ptr);
    logf_("|");
}

static void on_notify(void *ctx, int cls, const char *event, int db, const char *key, size_t klen)
{
    logf_("notify:%s:%.*s|", event, (int)klen, key);
}

static void on_changed(void *ctx, int db, const char *key, size_t klen)
{
    logf_("changed:%.*s|", (int)klen, key);
}

static void setup(void)
{
    struct config *cfg = config_create();
    srv = server_create(cfg);
    srv->hooks = (struct server_hooks){ NULL, on_effect, on_notify, on_changed, NULL, NULL };
    cl = client_create_fake(srv);
    log_buf[0] = '\0';
}

static void teardown(void)
{
    client_free(cl);
    server_destroy(srv);
}

/* Runs one command on client c (NULL-terminated words) and returns its
 * reply bytes in a static buffer. */
static const char *run_on(struct client *c, const char *first, ...)
{
    static char out[8192];
    struct resp_arg argv[32];
    int argc = 0;
    const char *w = first;
    va_list ap;
    size_t len;
    char *bytes;
    va_start(ap, first);
    while (w && argc < 32) {
        argv[argc].ptr = w;
        argv[argc].len = strlen(w);
        argc++;
        w = va_arg(ap, const char *);
    }
    va_end(ap);
    client_exec_argv(c, argc, argv);
    bytes = reply_detach(&c->out, &len);
    snprintf(out, sizeof(out), "%s", bytes);
    free(bytes);
    return out;
}

#define run(...) run_on(cl, __VA_ARGS__)
/* EVAL body 0 */
#define eval(body) run("EVAL", body, "0", NULL)

/* ---- the reply reader ------------------------------------------------------ */

START_TEST(reader_reads_what_reply_writes)
{
    struct reply r;
    struct rr_reader rd;
    struct rr_item it;
    size_t len;
    char *bytes;
    reply_init(&r);
    r.proto = 3;
    reply_array(&r, 3);
    reply_int(&r, -42);
    reply_bulk(&r, "a\0b", 3);
    reply_map(&r, 1);
    reply_simple(&r, "OK");
    reply_double(&r, 1.5);
    reply_null(&r);
    reply_bool(&r, true);
    reply_error(&r, "ERR bad");
    reply_verbatim(&r, "text", 4, "txt");
    reply_bignum(&r, "123", 3);
    reply_set(&r, 0);
    bytes = reply_detach(&r, &len);
    rr_init(&rd, bytes, len);
    ck_assert(rr_next(&rd, &it) && it.type == RR_ARRAY && it.n == 3);
    ck_assert(rr_next(&rd, &it) && it.type == RR_INT && it.n == -42);
    ck_assert(rr_next(&rd, &it) && it.type == RR_BULK && it.len == 3 && memcmp(it.ptr, "a\0b", 3) == 0);
    ck_assert(rr_next(&rd, &it) && it.type == RR_MAP && it.n == 1);
    ck_assert(rr_next(&rd, &it) && it.type == RR_SIMPLE && it.len == 2);
    ck_assert(rr_next(&rd, &it) && it.type == RR_DOUBLE && it.d == 1.5);
    ck_assert(rr_next(&rd, &it) && it.type == RR_NULL);
    ck_assert(rr_next(&rd, &it) && it.type == RR_BOOL && it.n == 1);
    ck_assert(rr_next(&rd, &it) && it.type == RR_ERROR && it.len == 7 && memcmp(it.ptr, "ERR bad", 7) == 0);
    ck_assert(rr_next(&rd, &it) && it.type == RR_VERBATIM && memcmp(it.fmt, "txt", 3) == 0 && it.len == 4);
    ck_assert(rr_next(&rd, &it) && it.type == RR_BIGNUM && it.len == 3);
    ck_assert(rr_next(&rd, &it) && it.type == RR_SET && it.n == 0);
    ck_assert(!rr_next(&rd, &it));
    free(bytes);
    reply_deinit(&r);
}
END_TEST

START_TEST(reader_resp2_nulls_skip_and_truncation)
{
    static const char two[] = "$-1\r\n*-1\r\n*2\r\n*1\r\n:1\r\n$2\r\nhi\r\n+x\r\n";
    struct rr_reader rd;
    struct rr_item it;
    rr_init(&rd, two, sizeof(two) - 1);
    ck_assert(rr_next(&rd, &it) && it.type == RR_NULL_BULK);
    ck_assert(rr_next(&rd, &it) && it.type == RR_NULL_ARRAY);
    ck_assert(rr_skip(&rd));                      /* the nested array, whole */
    ck_assert(rr_next(&rd, &it) && it.type == RR_SIMPLE && it.ptr[0] == 'x');
    /* every cut of a bulk fails instead of reading past the end */
    for (size_t cut = 0; cut < 9; cut++) {
        rr_init(&rd, "$4\r\nabcd\r\n", cut);
        ck_assert(!rr_next(&rd, &it) || cut == 0);
    }
    rr_init(&rd, "|1\r\n+k\r\n+v\r\n:7\r\n", 17);
    ck_assert(rr_skip(&rd));
    ck_assert(!rr_next(&rd, &it));
    rr_init(&rd, "?x\r\n", 4);
    ck_assert(!rr_next(&rd, &it));
}
END_TEST

/* ---- EVAL and the three outputs -------------------------------------------- */

START_TEST(script_writes_produce_three_outputs_in_multi_exec)
{
    ck_assert_str_eq(eval("redis.call('set', 'k', 'v') return redis.call('incr', 'n')"), ":1\r\n");
    ck_assert_str_eq(log_buf, "notify:new:k|changed:k|notify:set:k|effect:MULTI|effect:0:set k v|"
                              "notify:new:n|changed:n|notify:incrby:n|effect:0:incr n|effect:EXEC|");
}
END_TEST

START_TEST(script_without_writes_propagates_nothing)
{
    run("SET", "k", "v", NULL);
    log_buf[0] = '\0';
    ck_assert_str_eq(eval("return redis.call('get', 'k')"), "$1\r\nv\r\n");
    ck_assert_str_eq(eval("return redis.pcall('lpush', 'k', 'x')"),
                     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_assert_str_eq(log_buf, "");
}
END_TEST

START_TEST(script_inside_exec_uses_exec_bracket)
{
    ck_assert_str_eq(run("MULTI", NULL), "+OK\r\n");
    ck_assert_str_eq(eval("return redis.call('set', 'a', '1')"), "+QUEUED\r\n");
    ck_assert_str_eq(run("SET", "b", "2", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run("EXEC", NULL), "*2\r\n+OK\r\n+OK\r\n");
    ck_assert_str_eq(log_buf, "notify:new:a|changed:a|notify:set:a|effect:MULTI|effect:0:set a 1|"
                              "notify:new:b|changed:b|notify:set:b|effect:0:SET b 2|effect:EXEC|");
}
END_TEST

START_TEST(set_repl_none_and_select_inside)
{
    eval("redis.set_repl(redis.REPL_NONE) redis.call('set', 'quiet', '1') redis.set_repl(redis.REPL_ALL) "
         "redis.call('select', 3) redis.call('set', 'loud', '1')");
    /* the unpropagated write leaves no effect; the other carries its database */
    ck_assert_str_eq(log_buf, "notify:new:quiet|changed:quiet|notify:set:quiet|"
                              "notify:new:loud|changed:loud|notify:set:loud|effect:MULTI|effect:3:set loud 1|"
                              "effect:EXEC|");
    ck_assert_int_eq(cl->db, 0);   /* the script's SELECT stays inside */
    ck_assert_str_eq(run("EXISTS", "loud", NULL), ":0\r\n");
}
END_TEST

START_TEST(keys_do_not_expire_during_a_script)
{
    ck_assert_str_eq(eval("redis.call('set', 'short', 'v', 'px', 1) "
                          "local t = redis.call('time') local start = t[1] * 1000000 + t[2] "
                          "repeat t = redis.call('time') until t[1] * 1000000 + t[2] - start > 5000 "
                          "return redis.call('get', 'short')"),
                     "$1\r\nv\r\n");
}
END_TEST

/* ---- conversions ---------------------------------------------------------------- */

START_TEST(lua_to_resp2)
{
    ck_assert_str_eq(eval("return {1, 2, 3, 'ciao', {1, 2}}"),
                     "*5\r\n:1\r\n:2\r\n:3\r\n$4\r\nciao\r\n*2\r\n:1\r\n:2\r\n");
    ck_assert_str_eq(eval("return {1, 2, nil, 4}"), "*2\r\n:1\r\n:2\r\n");
    ck_assert_str_eq(eval("return {true, false}"), "*2\r\n:1\r\n$-1\r\n");
    ck_assert_str_eq(eval("return 3.99"), ":3\r\n");
    ck_assert_str_eq(eval("return -3.99"), ":-3\r\n");
    ck_assert_str_eq(eval("return 1e20"), ":-9223372036854775808\r\n");
    ck_assert_str_eq(eval("return 0/0"), ":-9223372036854775808\r\n");
    ck_assert_str_eq(eval("return {ok='fine'}"), "+fine\r\n");
    ck_assert_str_eq(eval("return {err='bad thing'}"), "-bad thing\r\n");
    ck_assert_str_eq(eval("return {err='a\\r\\nb'}"), "-a  b\r\n");
    ck_assert_str_eq(eval("return {ok=1}"), "*0\r\n");
    ck_assert_str_eq(eval("return {double=3.14}"), "$18\r\n3.1400000000000001\r\n");
    ck_assert_str_eq(eval("return {map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
    ck_assert_str_eq(eval("return {set={a=true}}"), "*1\r\n$1\r\na\r\n");
    ck_assert_str_eq(eval("return {big_number='123'}"), "$3\r\n123\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return true"), ":1\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return false"), ":0\r\n");
    ck_assert_str_eq(eval("return function() end"), "$-1\r\n");
}
END_TEST

START_TEST(lua_to_resp3)
{
    run("HELLO", "3", NULL);
    ck_assert_str_eq(eval("return {double=3.14}"), ",3.1400000000000001\r\n");
    ck_assert_str_eq(eval("return {map={a=1}}"), "%1\r\n$1\r\na\r\n:1\r\n");
    ck_assert_str_eq(eval("return {set={a=true}}"), "~1\r\n$1\r\na\r\n");
    ck_assert_str_eq(eval("return {big_number='123'}"), "(123\r\n");
    ck_assert_str_eq(eval("return {verbatim_string={format='txt', string='abc'}}"), "=7\r\ntxt:abc\r\n");
    ck_assert_str_eq(eval("return false"), "_\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return false"), "#f\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return true"), "#t\r\n");
}
END_TEST

START_TEST(resp_to_lua)
{
    run("RPUSH", "l", "a", "b", NULL);
    run("HSET", "h", "f", "v", NULL);
    run("ZADD", "z", "1.5", "m", NULL);
    ck_assert_str_eq(eval("local r = redis.call('get', 'nokey') return type(r) .. tostring(r)"),
                     "$12\r\nbooleanfalse\r\n");
    ck_assert_str_eq(eval("local r = redis.call('set', 'k', 'v') return type(r) .. r.ok"), "$7\r\ntableOK\r\n");
    ck_assert_str_eq(eval("return redis.call('lrange', 'l', 0, -1)"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_assert_str_eq(eval("return type(redis.call('lpop', 'nolist', 1))"), "$7\r\nboolean\r\n");
    ck_assert_str_eq(eval("local r = redis.pcall('lpush', 'k', 'x') return r.err"),
                     "$65\r\nWRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) local r = redis.call('hgetall', 'h') return r.map.f"), "$1\r\nv\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return tostring(redis.call('zscore', 'z', 'm').double)"),
                     "$3\r\n1.5\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return type(redis.call('get', 'nokey'))"), "$3\r\nnil\r\n");
    ck_assert_str_eq(eval("redis.setresp(3) return redis.call('zscore', 'z', 'm')"), "$3\r\n1.5\r\n");
    ck_assert_str_eq(eval("redis.call('set', 'num', 0.1) return redis.call('get', 'num')"),
                     "$19\r\n0.10000000000000001\r\n");
    ck_assert_str_eq(eval("redis.call('set', 'num', 3.0) return redis.call('get', 'num')"), "$1\r\n3\r\n");
}
END_TEST

/* ---- errors ------------------------------------------------------------------------- */

START_TEST(command_errors)
{
    run("SET", "s", "v", NULL);
    ck_assert_str_eq(run("EVAL", "return 1", "-1", NULL), "-ERR Number of keys can't be negative\r\n");
    ck_assert_str_eq(run("EVAL", "return 1", "1", NULL),
                     "-ERR Number of keys can't be greater than number of args\r\n");
    ck_assert_str_eq(run("EVAL", "return 1", "x", NULL), "-ERR value is not an integer or out of range\r\n");
    ck_assert_str_eq(eval("return redis.call('nosuch')"),
                     "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, "
                     "on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return redis.pcall('nosuch')"), "-ERR Unknown Redis command called from script\r\n");
    ck_assert_str_eq(eval("return redis.call('get')"),
                     "-ERR Wrong number of args calling Redis command from script script: "
                     "f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return redis.call('eval','return 1','0')"),
                     "-ERR This Redis command is not allowed from script script: "
                     "1e5046f3a9119d3dc9cf5824428b6d9fedd305d2, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return redis.call('lpush','s','x')"),
                     "-WRONGTYPE Operation against a key holding the wrong kind of value script: "
                     "1bae58f5987a5f51b4735899cd21a9fd9c5bd4db, on @user_script:1.\r\n");
    ck_assert_str_eq(run("EVAL_RO", "return redis.call('set','a','b')", "0", NULL),
                     "-ERR Write commands are not allowed from read-only scripts. script: "
                     "ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1.\r\n");
    ck_assert_str_eq(run("EVAL_RO", "#!lua\nreturn 1", "0", NULL),
                     "-ERR Can not execute a script with write flag using *_ro command.\r\n");
    ck_assert_str_eq(eval("return redis.call('set', {})"),
                     "-ERR Lua redis lib command arguments must be strings or integers script: "
                     "3f0c48a287b0f27352f41e2d8f1934c462d3bc65, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return redis.pcall()"),
                     "-ERR Please specify at least one argument for this redis lib call\r\n");
    ck_assert_str_eq(eval("local ok, e = pcall(redis.call, 'nosuch') return e"),
                     "$44\r\nERR Unknown Redis command called from script\r\n");
}
END_TEST

START_TEST(lua_errors)
{
    ck_assert_str_eq(eval("return x"),
                     "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: "
                     "03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return 1 +"),
                     "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n");
    ck_assert_str_eq(eval("error({err='x'})"),
                     "-x script: 0e48b9b90bf7d59e383ba68c5e1e495ef87146a8, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("error('boom', 0)"),
                     "-ERR boom script: 90724e16396e5864c1184910ba6d7440461cee4f, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("error()"),
                     "-ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1.\r\n");
    ck_assert_str_eq(run("EVAL", "#!lua\nreturn x", "0", NULL),
                     "-ERR user_script:2: Script attempted to access nonexistent global variable 'x' script: "
                     "58b72ca6d006e3bafbb8cc006de4820497ce9cf8, on @user_script:2.\r\n");
    ck_assert_str_eq(run("EVAL", "#!lua flags=bad\nreturn 1", "0", NULL),
                     "-ERR Unexpected flag in script shebang: bad\r\n");
    ck_assert_str_eq(run("EVAL", "#!python\nreturn 1", "0", NULL),
                     "-ERR Unexpected engine in script shebang: #!python\r\n");
    ck_assert_str_eq(run("EVAL", "#!lua", "0", NULL), "-ERR Invalid script shebang\r\n");
    ck_assert_str_eq(run("EVAL", "#!lua name=x\nreturn 1", "0", NULL), "-ERR Unknown lua shebang option: name=x\r\n");
    ck_assert_str_eq(eval("redis.setresp(4)"),
                     "-ERR RESP version must be 2 or 3. script: 68e72e4d8a428b9f599dce492315f2455a425a82, "
                     "on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return redis.error_reply('My Error')"), "-My Error\r\n");
    ck_assert_str_eq(eval("return redis.error_reply('oops')"), "-ERR oops\r\n");
    ck_assert_str_eq(eval("return redis.status_reply()"), "-ERR wrong number or type of arguments\r\n");
}
END_TEST

/* ---- the sandbox ------------------------------------------------------------------------- */

START_TEST(readonly_tables)
{
    ck_assert_str_eq(eval("x = 1"),
                     "-ERR user_script:1: Attempt to modify a readonly table script: "
                     "34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n");
    ck_assert_str_eq(eval("return rawset(_G,'x',1)"),
                     "-ERR Attempt to modify a readonly table script: e9a7d849f5330127761233e41694d9bad7e28412, "
                     "on @user_script:1.\r\n");
    ck_assert_str_eq(eval("setmetatable(_G, nil)"),
                     "-ERR Attempt to modify a readonly table script: 22fdd3b51da2d4bc6703d71d651cd782d8e5a35f, "
                     "on @user_script:1.\r\n");
    ck_assert_str_eq(eval("string.foo = 1"),
                     "-ERR user_script:1: Attempt to modify a readonly table script: "
                     "46f9bf166bc7e1ab2ed3b9de7b99c4e1e7dc1f7d, on @user_script:1.\r\n");
    ck_assert(strstr(eval("redis.call = nil"), "Attempt to modify a readonly table") != NULL);
    ck_assert(strstr(eval("getmetatable('').__index = nil"), "Attempt to modify a readonly table") != NULL);
    ck_assert(strstr(eval("getmetatable(_G).__index = nil"), "Attempt to modify a readonly table") != NULL);
    ck_assert(strstr(eval("table.insert(string, 1)"), "-ERR Attempt to modify a readonly table") != NULL);
    /* the libraries still work, and reading through the proxies works */
    ck_assert_str_eq(eval("return ('abc'):upper() .. string.rep('x', 2)"), "$5\r\nABCxx\r\n");
    ck_assert_str_eq(eval("return rawget(_G, 'string') == string"), ":1\r\n");
    ck_assert_str_eq(eval("local n = 0 for k in pairs(string) do n = n + 1 end return n"), ":15\r\n");
    ck_assert_str_eq(eval("return getmetatable('').__index == string"), ":1\r\n");
    ck_assert_str_eq(eval("return getmetatable(string)"), "$-1\r\n");
    ck_assert_str_eq(eval("return type(getmetatable(_G).__index)"), "$8\r\nfunction\r\n");
    /* KEYS and ARGV are the script's own */
    ck_assert_str_eq(run("EVAL", "KEYS[1] = 'z' return KEYS", "1", "a", NULL), "*1\r\n$1\r\nz\r\n");
}
END_TEST

START_TEST(no_io_os_loadfile)
{
    ck_assert(strstr(eval("return type(io)"), "nonexistent global variable 'io'") != NULL);
    ck_assert(strstr(eval("return os.execute('true')"), "nonexistent global variable 'os'") != NULL);
    ck_assert(strstr(eval("return loadfile"), "nonexistent global variable 'loadfile'") != NULL);
    ck_assert(strstr(eval("return dofile"), "nonexistent global variable 'dofile'") != NULL);
    ck_assert_str_eq(eval("return {type(cjson), type(bit), type(string), type(math), type(table)}"),
                     "*5\r\n$5\r\ntable\r\n$5\r\ntable\r\n$5\r\ntable\r\n$5\r\ntable\r\n$5\r\ntable\r\n");
    ck_assert_str_eq(eval("return cjson.encode({a={1,2}})"), "$11\r\n{\"a\":[1,2]}\r\n");
    ck_assert_str_eq(eval("return bit.band(0xff, 0x0f)"), ":15\r\n");
}
END_TEST

START_TEST(math_random_is_redis_rand48)
{
    /* the first numbers after start-up and after a seed are Redis' */
    ck_assert_str_eq(eval("return {math.random(1000000), math.random(1000000)}"), "*2\r\n:396465\r\n:840486\r\n");
    ck_assert_str_eq(eval("math.randomseed(5) return {math.random(1000000), math.random(1000000)}"),
                     "*2\r\n:524840\r\n:272855\r\n");
}
END_TEST

/* ---- the cache ---------------------------------------------------------------------------- */

START_TEST(cache_shared_between_clients)
{
    struct client *other = client_create_fake(srv);
    const char *sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";   /* "return 1" */
    size_t lua_bytes, nscripts;
    script_memory(srv, &lua_bytes, &nscripts);
    ck_assert_uint_eq(lua_bytes, 0);
    ck_assert_uint_eq(nscripts, 0);
    ck_assert_str_eq(run("EVALSHA", sha, "0", NULL), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    ck_assert_str_eq(run("EVALSHA", "abc", "0", NULL), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    ck_assert_str_eq(run_on(other, "SCRIPT", "LOAD", "return 1", NULL),
                     "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
    ck_assert_str_eq(run("EVALSHA", sha, "0", NULL), ":1\r\n");
    ck_assert_str_eq(run("EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0", NULL), ":1\r\n");
    ck_assert_str_eq(run("SCRIPT", "EXISTS", sha, "x", NULL), "*2\r\n:1\r\n:0\r\n");
    run("SCRIPT", "LOAD", "return 1", NULL);   /* cached already: counted once */
    script_memory(srv, &lua_bytes, &nscripts);
    ck_assert_uint_gt(lua_bytes, 10000);
    ck_assert_uint_eq(nscripts, 1);
    ck_assert_str_eq(run_on(other, "SCRIPT", "FLUSH", NULL), "+OK\r\n");
    script_memory(srv, &lua_bytes, &nscripts);
    ck_assert_uint_eq(lua_bytes, 0);
    ck_assert_uint_eq(nscripts, 0);
    ck_assert_str_eq(run("SCRIPT", "EXISTS", sha, NULL), "*1\r\n:0\r\n");
    ck_assert_str_eq(run("EVALSHA", sha, "0", NULL), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    ck_assert_str_eq(run("SCRIPT", "KILL", NULL), "-NOTBUSY No scripts in execution right now.\r\n");
    ck_assert_str_eq(run("SCRIPT", "FLUSH", "bad", NULL), "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
    client_free(other);
}
END_TEST

START_TEST(lock_release_script)
{
    static const char release[] =
        "\n        local token = redis.call('get', KEYS[1])\n        if not token or token ~= ARGV[1] then\n"
        "            return 0\n        end\n        redis.call('del', KEYS[1])\n        return 1\n    ";
    ck_assert_str_eq(run("SCRIPT", "LOAD", release, NULL), "$40\r\nc3f8721cbb97f72bc19e972846bd7aaf91901658\r\n");
    ck_assert_str_eq(run("SET", "lock", "tok", "NX", "PX", "30000", NULL), "+OK\r\n");
    ck_assert_str_eq(run("EVALSHA", "c3f8721cbb97f72bc19e972846bd7aaf91901658", "1", "lock", "other", NULL), ":0\r\n");
    ck_assert_str_eq(run("EVALSHA", "c3f8721cbb97f72bc19e972846bd7aaf91901658", "1", "lock", "tok", NULL), ":1\r\n");
    ck_assert_str_eq(run("EXISTS", "lock", NULL), ":0\r\n");
}
END_TEST

START_TEST(script_stats)
{
    const struct cmd_def *d;
    run("SET", "s", "v", NULL);
    eval("redis.pcall('lpush', 's', 'x') redis.pcall('nosuch') redis.pcall('get') return 1");
    d = cmd_lookup(srv->cmds, "lpush", 5);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->calls, 1);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->failed, 1);
    d = cmd_lookup(srv->cmds, "get", 3);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->rejected, 1);
    d = cmd_lookup(srv->cmds, "eval", 4);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->calls, 1);
    ck_assert_uint_eq(srv->stats.total_error_replies, 3);
    eval("return redis.call('lpush', 's', 'x')");   /* counted once, where LPUSH failed */
    ck_assert_uint_eq(srv->stats.total_error_replies, 4);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->failed, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("script");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reader_reads_what_reply_writes);
    tcase_add_test(tc, reader_resp2_nulls_skip_and_truncation);
    tcase_add_test(tc, script_writes_produce_three_outputs_in_multi_exec);
    tcase_add_test(tc, script_without_writes_propagates_nothing);
    tcase_add_test(tc, script_inside_exec_uses_exec_bracket);
    tcase_add_test(tc, set_repl_none_and_select_inside);
    tcase_add_test(tc, keys_do_not_expire_during_a_script);
    tcase_add_test(tc, lua_to_resp2);
    tcase_add_test(tc, lua_to_resp3);
    tcase_add_test(tc, resp_to_lua);
    tcase_add_test(tc, command_errors);
    tcase_add_test(tc, lua_errors);
    tcase_add_test(tc, readonly_tables);
    tcase_add_test(tc, no_io_os_loadfile);
    tcase_add_test(tc, math_random_is_redis_rand48);
    tcase_add_test(tc, cache_shared_between_clients);
    tcase_add_test(tc, lock_release_script);
    tcase_add_test(tc, script_stats);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
