/*
 * check_block: the waiting machinery (api/block.c) without sockets: waiters
 * woken by data on a key, by a module event, or by their deadline alone;
 * first come first served; timeouts; waiters that cannot proceed; clients
 * freed while blocked. Fake clients run real commands through the
 * dispatcher; deadlines are driven through the time index by hand.
 */
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/server.h"
#include "engine/timeidx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server *srv;
static struct client *a, *b, *w;

static struct client *waiter(void)
{
    struct client *c = client_create_fake(srv);
    c->flags &= ~(uint32_t)CF_DENY_BLOCKING;   /* fake clients never block by default */
    return c;
}

static void setup(void)
{
    srv = server_create(config_create());
    a = waiter();
    b = waiter();
    w = client_create_fake(srv);
}

static void teardown(void)
{
    client_free(a);
    client_free(b);
    client_free(w);
    server_destroy(srv);
}

static int words(struct resp_arg *argv, const char *first, va_list ap)
{
    int argc = 0;
    for (const char *s = first; s && argc < 16; s = va_arg(ap, const char *)) {
        argv[argc].ptr = s;
        argv[argc].len = strlen(s);
        argc++;
    }
    return argc;
}

/* Runs a command on c (NULL-terminated words). */
static void run(struct client *c, const char *first, ...)
{
    struct resp_arg argv[16];
    va_list ap;
    int argc;
    va_start(ap, first);
    argc = words(argv, first, ap);
    va_end(ap);
    client_exec_argv(c, argc, argv);
}

/* Parks c directly with a command to run again later and a spec. */
static void park(struct client *c, const struct block_spec *spec, const char *first, ...)
{
    struct resp_arg argv[16];
    va_list ap;
    va_start(ap, first);
    c->argc = words(argv, first, ap);
    va_end(ap);
    c->argv = argv;
    block_wait(c, spec);
    c->argc = 0;
    c->argv = NULL;
}

/* The client's pending reply bytes (consumed). */
static const char *out(struct client *c)
{
    static char buf[4096];
    size_t len;
    char *bytes = reply_detach(&c->out, &len);
    snprintf(buf, sizeof(buf), "%.*s", (int)len, bytes ? bytes : "");
    free(bytes);
    return buf;
}

START_TEST(served_first_come_first_served)
{
    run(a, "BLPOP", "q", "0", NULL);
    run(b, "BLPOP", "q", "0", NULL);
    ck_assert(a->flags & CF_BLOCKED);
    ck_assert(b->flags & CF_BLOCKED);
    ck_assert_uint_eq(block_clients(srv->block), 2);
    ck_assert_uint_eq(block_keys(srv->block), 1);
    ck_assert_str_eq(out(a), "");
    run(w, "RPUSH", "q", "x", "y", "z", NULL);
    ck_assert_str_eq(out(a), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    ck_assert_str_eq(out(b), "*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
    ck_assert(!(a->flags & CF_BLOCKED) && !(b->flags & CF_BLOCKED));
    ck_assert_uint_eq(block_clients(srv->block), 0);
    ck_assert_uint_eq(block_keys(srv->block), 0);
    out(w);
    run(w, "LLEN", "q", NULL);
    ck_assert_str_eq(out(w), ":1\r\n");
}
END_TEST

START_TEST(a_waiter_that_cannot_proceed_lets_the_next_try)
{
    run(a, "BZPOPMIN", "k", "0", NULL);   /* wants a zset */
    run(b, "BLPOP", "k", "0", NULL);      /* wants a list */
    run(w, "RPUSH", "k", "v", NULL);
    ck_assert(a->flags & CF_BLOCKED);     /* a list is "empty" to BZPOPMIN */
    ck_assert_str_eq(out(a), "");
    ck_assert_str_eq(out(b), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    run(w, "ZADD", "k", "1", "m", NULL);
    ck_assert_str_eq(out(a), "*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n1\r\n");
    ck_assert_uint_eq(block_clients(srv->block), 0);
}
END_TEST

START_TEST(woken_by_a_module_event)
{
    struct resp_arg ev = { "lock:x", 6 };
    struct block_spec spec = { BLOCK_DB_EVENTS, &ev, 1, 0, false };
    run(w, "RPUSH", "q", "job", NULL);
    out(w);
    park(a, &spec, "LPOP", "q", NULL);
    ck_assert(a->flags & CF_BLOCKED);
    run(w, "RPUSH", "lock:x", "data", NULL);   /* a key of that name is not the event */
    ck_assert(a->flags & CF_BLOCKED);
    block_signal(srv->block, "lock:y", 6);     /* another event */
    block_serve_ready(srv->block);
    ck_assert(a->flags & CF_BLOCKED);
    block_signal(srv->block, "lock:x", 6);
    ck_assert(block_has_ready(srv->block));
    block_serve_ready(srv->block);
    ck_assert(!(a->flags & CF_BLOCKED));
    ck_assert_str_eq(out(a), "$3\r\njob\r\n");
    ck_assert_uint_eq(block_keys(srv->block), 0);
}
END_TEST

START_TEST(woken_by_its_deadline_alone)
{
    int64_t now = server_clock_ms();
    struct block_spec spec = { BLOCK_DB_EVENTS, NULL, 0, now + 100000, true };
    park(a, &spec, "PING", NULL);
    ck_assert(a->flags & CF_BLOCKED);
    ck_assert_uint_eq(ti_run_due(srv->ti, now + 50000, 10), 0);
    ck_assert(a->flags & CF_BLOCKED);
    ck_assert_uint_eq(ti_run_due(srv->ti, now + 100000, 10), 1);
    ck_assert(!(a->flags & CF_BLOCKED));
    ck_assert_str_eq(out(a), "+PONG\r\n");
}
END_TEST

START_TEST(timeout_replies_null)
{
    int64_t now = server_clock_ms();
    run(a, "BLPOP", "q", "1000", NULL);   /* 1000 s */
    run(b, "BLMOVE", "q", "d", "LEFT", "LEFT", "1000", NULL);
    ck_assert_uint_eq(block_clients(srv->block), 2);
    ck_assert_uint_eq(ti_run_due(srv->ti, now + 2000 * 1000, 10), 2);
    ck_assert_str_eq(out(a), "*-1\r\n");
    ck_assert_str_eq(out(b), "*-1\r\n");
    ck_assert_uint_eq(block_clients(srv->block), 0);
    ck_assert_uint_eq(block_keys(srv->block), 0);
    ck_assert_uint_eq(ti_count(srv->ti), 0);
}
END_TEST

START_TEST(no_blocking_where_denied)
{
    run(w, "BLPOP", "q", "0", NULL);      /* a fake client (replay, scripts): answers at once */
    ck_assert(!(w->flags & CF_BLOCKED));
    ck_assert_str_eq(out(w), "*-1\r\n");
}
END_TEST

START_TEST(freed_while_blocked_leaves_nothing)
{
    struct client *c = waiter();
    run(c, "BLPOP", "q1", "q2", "q3", "5", NULL);
    run(a, "BLPOP", "q2", "0", NULL);
    ck_assert_uint_eq(block_keys(srv->block), 3);
    ck_assert_uint_eq(ti_count(srv->ti), 1);
    client_free(c);
    ck_assert_uint_eq(block_clients(srv->block), 1);
    ck_assert_uint_eq(block_keys(srv->block), 1);
    ck_assert_uint_eq(ti_count(srv->ti), 0);
    run(w, "RPUSH", "q2", "v", NULL);
    ck_assert_str_eq(out(a), "*2\r\n$2\r\nq2\r\n$1\r\nv\r\n");
}
END_TEST

START_TEST(unblock_with_error_or_timeout)
{
    run(a, "BLPOP", "q", "0", NULL);
    ck_assert(block_unblock(a, true));
    ck_assert_str_eq(out(a), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    ck_assert(!block_unblock(a, true));
    run(a, "BZPOPMAX", "z", "0", NULL);
    ck_assert(block_unblock(a, false));
    ck_assert_str_eq(out(a), "*-1\r\n");
    ck_assert_uint_eq(block_keys(srv->block), 0);
}
END_TEST

START_TEST(a_served_move_feeds_the_next_waiter)
{
    run(a, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0", NULL);
    run(b, "BLPOP", "dst", "0", NULL);
    run(w, "RPUSH", "src", "j", NULL);
    ck_assert_str_eq(out(a), "$1\r\nj\r\n");
    ck_assert_str_eq(out(b), "*2\r\n$3\r\ndst\r\n$1\r\nj\r\n");
    ck_assert_uint_eq(block_clients(srv->block), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, served_first_come_first_served);
    tcase_add_test(tc, a_waiter_that_cannot_proceed_lets_the_next_try);
    tcase_add_test(tc, woken_by_a_module_event);
    tcase_add_test(tc, woken_by_its_deadline_alone);
    tcase_add_test(tc, timeout_replies_null);
    tcase_add_test(tc, no_blocking_where_denied);
    tcase_add_test(tc, freed_while_blocked_leaves_nothing);
    tcase_add_test(tc, unblock_with_error_or_timeout);
    tcase_add_test(tc, a_served_move_feeds_the_next_waiter);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
