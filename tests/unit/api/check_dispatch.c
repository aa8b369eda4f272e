/*
 * check_dispatch: the dispatcher and handlers without sockets. A server is
 * built from default configuration, commands run through a fake client, and
 * the three outputs every write produces are recorded from the server hooks:
 * key changed, keyspace event, and the propagated effect.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/server.h"
#include "engine/kv.h"
#include "engine/timeidx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server *srv;
static struct client *cl;
static char log_buf[8192];   /* "effect:SET k v|notify:$:set:k|changed:k|" */

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

/* Runs one command (NULL-terminated words) and returns its reply bytes in a
 * static buffer. */
static const char *run(const char *first, ...)
{
    static char out[4096];
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
    client_exec_argv(cl, argc, argv);
    bytes = reply_detach(&cl->out, &len);
    snprintf(out, sizeof(out), "%s", bytes);
    free(bytes);
    return out;
}

START_TEST(unknown_and_arity)
{
    ck_assert_str_eq(run("nosuch", "a", "b", NULL),
                     "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n");
    ck_assert_str_eq(run("get", NULL), "-ERR wrong number of arguments for 'get' command\r\n");
    ck_assert_str_eq(run("CONFIG", NULL), "-ERR wrong number of arguments for 'config' command\r\n");
    ck_assert_str_eq(run("config", "nope", NULL), "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n");
    ck_assert_str_eq(run("config", "get", NULL), "-ERR wrong number of arguments for 'config|get' command\r\n");
    ck_assert_str_eq(log_buf, "");
}
END_TEST

START_TEST(case_insensitive_lookup)
{
    ck_assert_str_eq(run("PiNg", NULL), "+PONG\r\n");
    ck_assert_str_eq(run("ECHO", "hi", NULL), "$2\r\nhi\r\n");
}
END_TEST

START_TEST(set_produces_three_outputs)
{
    ck_assert_str_eq(run("set", "k", "v", NULL), "+OK\r\n");
    ck_assert_str_eq(log_buf, "notify:new:k|changed:k|notify:set:k|effect:0:set k v|");
    log_buf[0] = '\0';
    ck_assert_str_eq(run("set", "k", "w", NULL), "+OK\r\n");
    ck_assert_str_eq(log_buf, "changed:k|notify:set:k|effect:0:set k w|");
}
END_TEST

START_TEST(reads_produce_nothing)
{
    run("set", "k", "v", NULL);
    log_buf[0] = '\0';
    ck_assert_str_eq(run("get", "k", NULL), "$1\r\nv\r\n");
    ck_assert_str_eq(run("exists", "k", NULL), ":1\r\n");
    ck_assert_str_eq(log_buf, "");
}
END_TEST

START_TEST(expire_propagates_as_pexpireat)
{
    char want[128];
    int64_t before = server_clock_ms();
    const char *p;
    long long at;
    run("set", "k", "v", NULL);
    log_buf[0] = '\0';
    ck_assert_str_eq(run("expire", "k", "100", NULL), ":1\r\n");
    ck_assert_ptr_nonnull(strstr(log_buf, "notify:expire:k|"));
    p = strstr(log_buf, "effect:0:PEXPIREAT k ");
    if (!p)
        p = strstr(log_buf, "effect:0:pexpireat k ");
    ck_assert_ptr_nonnull(p);
    at = atoll(p + strlen("effect:0:PEXPIREAT k "));
    ck_assert(at >= before + 100000 && at <= server_clock_ms() + 100000);
    snprintf(want, sizeof(want), ":%d\r\n", 100);
    ck_assert_str_eq(run("ttl", "k", NULL), want);
}
END_TEST

START_TEST(incrbyfloat_propagates_as_set)
{
    run("set", "f", "1.5", NULL);
    log_buf[0] = '\0';
    ck_assert_str_eq(run("incrbyfloat", "f", "1", NULL), "$3\r\n2.5\r\n");
    ck_assert(strstr(log_buf, "effect:0:SET f 2.5 KEEPTTL|") || strstr(log_buf, "effect:0:set f 2.5 KEEPTTL|"));
}
END_TEST

START_TEST(failed_write_changes_nothing)
{
    run("set", "s", "abc", NULL);
    log_buf[0] = '\0';
    ck_assert_str_eq(run("incr", "s", NULL), "-ERR value is not an integer or out of range\r\n");
    ck_assert_str_eq(run("set", "s", "x", "EX", "0", NULL), "-ERR invalid expire time in 'set' command\r\n");
    ck_assert_str_eq(run("get", "s", NULL), "$3\r\nabc\r\n");
    ck_assert_str_eq(log_buf, "");
}
END_TEST

START_TEST(select_and_effect_db)
{
    ck_assert_str_eq(run("select", "3", NULL), "+OK\r\n");
    ck_assert_str_eq(run("set", "k", "v", NULL), "+OK\r\n");
    ck_assert_ptr_nonnull(strstr(log_buf, "effect:3:set k v|"));
    ck_assert_str_eq(run("select", "16", NULL), "-ERR DB index is out of range\r\n");
    ck_assert_str_eq(run("select", "x", NULL), "-ERR value is not an integer or out of range\r\n");
}
END_TEST

START_TEST(active_expiry_outputs)
{
    int64_t now = server_clock_ms();
    run("set", "k", "v", "PX", "5", NULL);
    log_buf[0] = '\0';
    ck_assert_uint_eq(ti_run_due(srv->ti, now + 1000, 100), 1);
    ck_assert_ptr_nonnull(strstr(log_buf, "notify:expired:k|"));
    ck_assert_ptr_nonnull(strstr(log_buf, "changed:k|"));
    ck_assert_ptr_nonnull(strstr(log_buf, "effect:0:DEL k|"));
    ck_assert_uint_eq(kv_size(srv->ks, 0), 0);
}
END_TEST

START_TEST(lazy_expiry_propagates_only_del)
{
    int64_t now = server_clock_ms();
    run("set", "k", "v", "PXAT", "1", NULL);   /* stored already expired, as Redis does */
    (void)now;
    log_buf[0] = '\0';
    ck_assert_str_eq(run("get", "k", NULL), "$-1\r\n");
    ck_assert_ptr_nonnull(strstr(log_buf, "effect:0:DEL k|"));
    ck_assert_ptr_null(strstr(log_buf, "effect:0:get"));
    ck_assert_ptr_nonnull(strstr(log_buf, "notify:expired:k|"));
    ck_assert_ptr_nonnull(strstr(log_buf, "notify:keymiss:k|"));
}
END_TEST

START_TEST(auth_required)
{
    struct client *other;
    struct config_arg args[2] = { { "requirepass", 11 }, { "secret", 6 } };
    char err[CONFIG_ERR_LEN];
    ck_assert_int_eq(config_set(srv->cfg, 2, args, 0, err, sizeof(err)), 0);
    other = client_create_fake(srv);
    other->flags &= ~(uint32_t)CF_AUTHENTICATED;
    {
        struct resp_arg get[2] = { { "get", 3 }, { "k", 1 } };
        struct resp_arg auth[2] = { { "auth", 4 }, { "wrong", 5 } };
        struct resp_arg auth_ok[3] = { { "auth", 4 }, { "default", 7 }, { "secret", 6 } };
        size_t len;
        char *r;
        client_exec_argv(other, 2, get);
        r = reply_detach(&other->out, &len);
        ck_assert_str_eq(r, "-NOAUTH Authentication required.\r\n");
        free(r);
        client_exec_argv(other, 2, auth);
        r = reply_detach(&other->out, &len);
        ck_assert_str_eq(r, "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        free(r);
        client_exec_argv(other, 3, auth_ok);
        r = reply_detach(&other->out, &len);
        ck_assert_str_eq(r, "+OK\r\n");
        free(r);
        client_exec_argv(other, 2, get);
        r = reply_detach(&other->out, &len);
        ck_assert_str_eq(r, "$-1\r\n");
        free(r);
    }
    client_free(other);
}
END_TEST

/* DEBUG is protected (enable-debug-command, "no" by default): refused
 * right after the arity check, so inside MULTI it aborts the transaction. */
START_TEST(protected_command_refused_while_queueing)
{
    static const char refused[] = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
                                  "\"local\", you can run it from a local connection, otherwise you need to set "
                                  "this option in the configuration file, and then restart the server.\r\n";
    ck_assert_str_eq(run("debug", "help", NULL), refused);
    ck_assert_str_eq(run("debug", NULL), "-ERR wrong number of arguments for 'debug' command\r\n");
    ck_assert_str_eq(run("multi", NULL), "+OK\r\n");
    ck_assert_str_eq(run("set", "k", "v", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run("debug", "sleep", "0", NULL), refused);
    ck_assert_str_eq(run("exec", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    ck_assert_str_eq(run("get", "k", NULL), "$-1\r\n");
}
END_TEST

START_TEST(hello_switches_protocol)
{
    const char *r = run("hello", "3", NULL);
    ck_assert(strncmp(r, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", 27) == 0);
    ck_assert_str_eq(run("get", "missing", NULL), "_\r\n");
    ck_assert_str_eq(run("hello", "4", NULL), "-NOPROTO unsupported protocol version\r\n");
    ck_assert_str_eq(run("hello", "x", NULL), "-ERR Protocol version is not an integer or out of range\r\n");
    run("hello", "2", NULL);
    ck_assert_str_eq(run("get", "missing", NULL), "$-1\r\n");
}
END_TEST

START_TEST(commandstats_count)
{
    const struct cmd_def *d;
    run("ping", NULL);
    run("ping", NULL);
    run("get", NULL);
    d = cmd_lookup(srv->cmds, "ping", 4);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->calls, 2);
    d = cmd_lookup(srv->cmds, "get", 3);
    ck_assert_uint_eq(cmd_stats_of(srv->cmds, d)->rejected, 1);
}
END_TEST

#define OOM "-OOM command not allowed when used memory > 'maxmemory'.\r\n"

/* maxmemory 1 is always exceeded: with noeviction, denyoom commands and
 * everything queued in MULTI are refused; reads and DEL go on. */
START_TEST(maxmemory_noeviction_refuses_writes)
{
    ck_assert_str_eq(run("set", "k", "v", NULL), "+OK\r\n");
    ck_assert_str_eq(run("config", "set", "maxmemory", "1", NULL), "+OK\r\n");
    log_buf[0] = '\0';
    ck_assert_str_eq(run("set", "k2", "v", NULL), OOM);
    ck_assert_str_eq(run("append", "k", "x", NULL), OOM);
    ck_assert_str_eq(run("get", "k", NULL), "$1\r\nv\r\n");
    ck_assert_str_eq(run("expire", "k", "100", NULL), ":1\r\n");   /* not denyoom */
    ck_assert_str_eq(run("multi", NULL), "+OK\r\n");
    ck_assert_str_eq(run("get", "k", NULL), OOM);
    ck_assert_str_eq(run("exec", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    ck_assert_str_eq(run("del", "k", NULL), ":1\r\n");
    ck_assert_ptr_null(strstr(log_buf, "evicted"));
    ck_assert_str_eq(run("config", "set", "maxmemory", "0", NULL), "+OK\r\n");
    ck_assert_str_eq(run("set", "k2", "v", NULL), "+OK\r\n");
}
END_TEST

/* Sets maxmemory from a second client (the test's own may be in MULTI). */
static void set_maxmemory(const char *v)
{
    struct client *other = client_create_fake(srv);
    struct resp_arg argv[4] = { { "config", 6 }, { "set", 3 }, { "maxmemory", 9 }, { v, strlen(v) } };
    client_exec_argv(other, 4, argv);
    client_free(other);
}

/* A transaction queued under the limit, then EXEC over it: aborted when it
 * holds a denyoom command, run when it only reads. */
START_TEST(maxmemory_exec_of_denyoom_queue)
{
    run("multi", NULL);
    ck_assert_str_eq(run("set", "k", "v", NULL), "+QUEUED\r\n");
    set_maxmemory("1");
    ck_assert_str_eq(run("exec", NULL), "-EXECABORT Transaction discarded because of: OOM command not allowed "
                                        "when used memory > 'maxmemory'.\r\n");
    set_maxmemory("0");
    run("multi", NULL);
    ck_assert_str_eq(run("get", "k", NULL), "+QUEUED\r\n");
    set_maxmemory("1");
    ck_assert_str_eq(run("exec", NULL), "*1\r\n$-1\r\n");
    set_maxmemory("0");
}
END_TEST

/* Eviction: each key goes with "changed", "evicted" and a DEL effect, and
 * INFO counts it; once nothing is left, writes are refused. CONFIG SET
 * maxmemory evicts nothing itself (as Redis, it arms the eviction timer):
 * here the next command does. */
START_TEST(maxmemory_evicts_with_events)
{
    run("set", "a", "1", NULL);
    run("set", "b", "2", NULL);
    run("select", "1", NULL);
    run("set", "c", "3", NULL);
    run("config", "set", "maxmemory-policy", "allkeys-random", NULL);
    log_buf[0] = '\0';
    ck_assert_str_eq(run("config", "set", "maxmemory", "1", NULL), "+OK\r\n");
    ck_assert_uint_eq(kv_stats(srv->ks)->evicted_keys, 0);
    ck_assert_str_eq(run("ping", NULL), "+PONG\r\n");
    ck_assert_ptr_nonnull(strstr(log_buf, "changed:a|notify:evicted:a|effect:0:DEL a|"));
    ck_assert_ptr_nonnull(strstr(log_buf, "changed:b|notify:evicted:b|effect:0:DEL b|"));
    ck_assert_ptr_nonnull(strstr(log_buf, "changed:c|notify:evicted:c|effect:1:DEL c|"));
    ck_assert_uint_eq(kv_size(srv->ks, 0) + kv_size(srv->ks, 1), 0);
    ck_assert_uint_eq(kv_stats(srv->ks)->evicted_keys, 3);
    ck_assert_str_eq(run("set", "d", "4", NULL), OOM);
    ck_assert_str_eq(run("get", "d", NULL), "$-1\r\n");
    run("config", "set", "maxmemory", "0", NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unknown_and_arity);
    tcase_add_test(tc, case_insensitive_lookup);
    tcase_add_test(tc, set_produces_three_outputs);
    tcase_add_test(tc, reads_produce_nothing);
    tcase_add_test(tc, expire_propagates_as_pexpireat);
    tcase_add_test(tc, incrbyfloat_propagates_as_set);
    tcase_add_test(tc, failed_write_changes_nothing);
    tcase_add_test(tc, select_and_effect_db);
    tcase_add_test(tc, active_expiry_outputs);
    tcase_add_test(tc, lazy_expiry_propagates_only_del);
    tcase_add_test(tc, auth_required);
    tcase_add_test(tc, protected_command_refused_while_queueing);
    tcase_add_test(tc, hello_switches_protocol);
    tcase_add_test(tc, commandstats_count);
    tcase_add_test(tc, maxmemory_noeviction_refuses_writes);
    tcase_add_test(tc, maxmemory_exec_of_denyoom_queue);
    tcase_add_test(tc, maxmemory_evicts_with_events);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
