/*
 * check_multi: transactions (api/multi.c and cmd_call's EXEC path) without
 * sockets. Two fake clients: `tx` runs the transaction, `other` plays every
 * other connection. WATCH is broken through the engine's hooks - `changed`
 * (writes, deletion, lazy and active expiry), `flushing` (FLUSHDB and
 * FLUSHALL) and `swapped` (SWAPDB) - driven by real commands and by the
 * time index. The server's effect hook records what would reach the
 * journal, so the MULTI ... EXEC bracket is checked exactly.
 *
 * The replies, error texts and commandstats numbers were checked against
 * redis-server 7.0.15.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/multi.h"
#include "api/server.h"
#include "engine/kv.h"
#include "engine/timeidx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct server *srv;
static struct client *tx, *other;
static char effects[8192];   /* "-1:MULTI|0:set k v|-1:EXEC|" */

static void on_effect(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    size_t n = strlen(effects);
    (void)ctx;
    n += (size_t)snprintf(effects + n, sizeof(effects) - n, "%d:", db);
    for (int i = 0; i < argc && n < sizeof(effects); i++)
        n += (size_t)snprintf(effects + n, sizeof(effects) - n, "%s%.*s", i ? " " : "", (int)argv[i].len,
                              argv[i].ptr);
    if (n < sizeof(effects))
        snprintf(effects + n, sizeof(effects) - n, "|");
}

static void setup(void)
{
    srv = server_create(config_create());
    srv->hooks = (struct server_hooks){ NULL, on_effect, NULL, NULL, NULL, NULL };
    tx = client_create_fake(srv);
    other = client_create_fake(srv);
    effects[0] = '\0';
}

static void teardown(void)
{
    client_free(tx);
    client_free(other);
    server_destroy(srv);
}

/* Runs one command on c (NULL-terminated words) and returns its reply
 * bytes (consumed) in a static buffer. */
static const char *run(struct client *c, const char *first, ...)
{
    static char out[4096];
    struct resp_arg argv[32];
    int argc = 0;
    va_list ap;
    size_t len;
    char *bytes;
    va_start(ap, first);
    for (const char *w = first; w && argc < 32; w = va_arg(ap, const char *)) {
        argv[argc].ptr = w;
        argv[argc].len = strlen(w);
        argc++;
    }
    va_end(ap);
    client_exec_argv(c, argc, argv);
    bytes = reply_detach(&c->out, &len);
    snprintf(out, sizeof(out), "%.*s", (int)len, bytes ? bytes : "");
    free(bytes);
    return out;
}

static const struct cmd_stats *stats(const char *name)
{
    const struct cmd_def *d = cmd_lookup(srv->cmds, name, strlen(name));
    ck_assert_ptr_nonnull(d);
    return cmd_stats_of(srv->cmds, d);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* A deadline in the past, as SET ... PXAT stores it (already expired). */
#define LONG_AGO "1"

/* ---- queueing ----------------------------------------------------------- */

START_TEST(queue_then_exec)
{
    ck_assert_int_eq(multi_count(tx), -1);
    ck_assert_str_eq(run(tx, "MULTI", NULL), "+OK\r\n");
    ck_assert_int_eq(multi_count(tx), 0);
    ck_assert_str_eq(run(tx, "SET", "k", "v", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(tx, "get", "k", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(tx, "INCR", "n", NULL), "+QUEUED\r\n");
    ck_assert_int_eq(multi_count(tx), 3);
    ck_assert_str_eq(run(other, "EXISTS", "k", NULL), ":0\r\n");   /* nothing ran yet */
    ck_assert_str_eq(effects, "");
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*3\r\n+OK\r\n$1\r\nv\r\n:1\r\n");
    ck_assert_int_eq(multi_count(tx), -1);
    ck_assert(!(tx->flags & CF_MULTI));
    ck_assert_str_eq(run(tx, "GET", "k", NULL), "$1\r\nv\r\n");   /* out of MULTI again */
}
END_TEST

START_TEST(empty_transaction)
{
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
    ck_assert_str_eq(effects, "");
}
END_TEST

START_TEST(queued_arguments_are_copied)
{
    /* The queue must not point into the caller's argument buffers. */
    char key[] = "key1", val[] = "value1";
    struct resp_arg argv[3] = { { "SET", 3 }, { key, 4 }, { val, 6 } };
    size_t len;
    char *r;
    run(tx, "MULTI", NULL);
    client_exec_argv(tx, 3, argv);
    r = reply_detach(&tx->out, &len);
    free(r);
    memset(key, 'X', 4);
    memset(val, 'Y', 6);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*1\r\n+OK\r\n");
    ck_assert_str_eq(run(other, "GET", "key1", NULL), "$6\r\nvalue1\r\n");
}
END_TEST

START_TEST(errors_outside_multi)
{
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-ERR EXEC without MULTI\r\n");
    ck_assert_str_eq(run(tx, "DISCARD", NULL), "-ERR DISCARD without MULTI\r\n");
    ck_assert_str_eq(run(tx, "UNWATCH", NULL), "+OK\r\n");
    ck_assert_str_eq(run(tx, "WATCH", NULL), "-ERR wrong number of arguments for 'watch' command\r\n");
}
END_TEST

START_TEST(nested_multi_and_watch_inside_do_not_abort)
{
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "MULTI", NULL), "-ERR MULTI calls can not be nested\r\n");
    ck_assert_str_eq(run(tx, "WATCH", "k", NULL), "-ERR WATCH inside MULTI is not allowed\r\n");
    ck_assert_str_eq(run(tx, "SET", "k", "1", NULL), "+QUEUED\r\n");
    ck_assert_int_eq(multi_count(tx), 1);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*1\r\n+OK\r\n");
}
END_TEST

START_TEST(discard_drops_queue_and_watches)
{
    run(tx, "WATCH", "w", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "SET", "k", "1", NULL);
    ck_assert_str_eq(run(tx, "DISCARD", NULL), "+OK\r\n");
    ck_assert_int_eq(multi_count(tx), -1);
    ck_assert_str_eq(run(other, "EXISTS", "k", NULL), ":0\r\n");
    run(other, "SET", "w", "changed", NULL);          /* no longer watched */
    run(tx, "MULTI", NULL);
    run(tx, "SET", "k", "2", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*1\r\n+OK\r\n");
}
END_TEST

START_TEST(execabort_after_unknown_command)
{
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "SET", "k", "v", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(tx, "NOSUCH", "x", NULL),
                     "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    ck_assert_str_eq(run(tx, "GET", "k", NULL), "+QUEUED\r\n");   /* still queueing */
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    ck_assert(!(tx->flags & CF_MULTI));
    ck_assert_str_eq(run(other, "EXISTS", "k", NULL), ":0\r\n");
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-ERR EXEC without MULTI\r\n");
    ck_assert_str_eq(effects, "");
}
END_TEST

START_TEST(execabort_after_arity_and_subcommand_errors)
{
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "GET", NULL), "-ERR wrong number of arguments for 'get' command\r\n");
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "CONFIG", "nope", NULL), "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n");
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    /* DISCARD clears the flag: the next transaction is clean. */
    run(tx, "MULTI", NULL);
    run(tx, "GET", NULL);
    ck_assert_str_eq(run(tx, "DISCARD", NULL), "+OK\r\n");
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
}
END_TEST

START_TEST(execabort_beats_dirty_watch)
{
    run(tx, "WATCH", "k", NULL);
    run(other, "SET", "k", "x", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "GET", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}
END_TEST

START_TEST(runtime_errors_do_not_stop_the_others)
{
    run(other, "SET", "s", "abc", NULL);
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "INCR", "s", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(tx, "SET", "k", "v", "BOGUS", NULL), "+QUEUED\r\n");   /* syntax: fails inside EXEC */
    ck_assert_str_eq(run(tx, "LPUSH", "s", "x", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(tx, "SET", "k", "v", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(tx, "EXEC", NULL),
                     "*4\r\n-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n"
                     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n+OK\r\n");
    ck_assert_str_eq(run(other, "GET", "k", NULL), "$1\r\nv\r\n");
}
END_TEST

START_TEST(blocking_commands_do_not_block_inside)
{
    /* A client that may block outside a transaction. */
    struct client *b = client_create_fake(srv);
    b->flags &= ~(uint32_t)CF_DENY_BLOCKING;
    run(b, "MULTI", NULL);
    ck_assert_str_eq(run(b, "BLPOP", "q", "0", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(b, "BZPOPMIN", "z", "0", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(b, "EXEC", NULL), "*2\r\n*-1\r\n*-1\r\n");
    ck_assert(!(b->flags & CF_BLOCKED));
    ck_assert(!(b->flags & CF_DENY_BLOCKING));   /* restored after EXEC */
    client_free(b);
}
END_TEST

START_TEST(shutdown_refused_and_aborts)
{
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "SHUTDOWN", NULL), "-ERR Command not allowed inside a transaction\r\n");
    ck_assert_str_eq(run(tx, "EXEC", NULL), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    ck_assert(!srv->shutdown_asap);
}
END_TEST

START_TEST(resp3_replies)
{
    run(tx, "HELLO", "3", NULL);
    run(other, "SET", "k", "1", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "GET", "missing", NULL);
    run(tx, "INCR", "k", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*2\r\n_\r\n:2\r\n");
    run(tx, "WATCH", "k", NULL);
    run(other, "SET", "k", "1", NULL);
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "_\r\n");
}
END_TEST

/* ---- WATCH: the changed hook -------------------------------------------- */

/* WATCH key on tx, then `act` (a command on `other`), then MULTI SET EXEC;
 * true when EXEC ran (the watch held). */
static bool watch_holds_after(const char *key, const char *first, ...)
{
    struct resp_arg argv[16];
    int argc = 0;
    va_list ap;
    const char *r;
    size_t len;
    char *bytes;
    run(tx, "WATCH", key, NULL);
    va_start(ap, first);
    for (const char *w = first; w && argc < 16; w = va_arg(ap, const char *)) {
        argv[argc].ptr = w;
        argv[argc].len = strlen(w);
        argc++;
    }
    va_end(ap);
    if (argc) {
        client_exec_argv(other, argc, argv);
        bytes = reply_detach(&other->out, &len);
        free(bytes);
    }
    run(tx, "MULTI", NULL);
    run(tx, "SET", "marker", "1", NULL);
    r = run(tx, "EXEC", NULL);
    if (strcmp(r, "*-1\r\n") == 0)
        return false;
    ck_assert_str_eq(r, "*1\r\n+OK\r\n");
    return true;
}

START_TEST(watch_broken_by_writes)
{
    run(other, "SET", "k", "v", NULL);
    ck_assert(!watch_holds_after("k", "SET", "k", "v", NULL));          /* same value still a change */
    ck_assert(!watch_holds_after("k", "APPEND", "k", "x", NULL));
    ck_assert(!watch_holds_after("k", "EXPIRE", "k", "100", NULL));
    ck_assert(!watch_holds_after("k", "PERSIST", "k", NULL));
    ck_assert(!watch_holds_after("k", "DEL", "k", NULL));
    ck_assert(!watch_holds_after("k", "SET", "k", "new", NULL));        /* created */
    ck_assert(!watch_holds_after("l", "RPUSH", "l", "a", NULL));
    ck_assert(!watch_holds_after("l", "LPOP", "l", NULL));              /* emptied and deleted */
}
END_TEST

START_TEST(watch_kept_when_nothing_changes)
{
    run(other, "SET", "k", "v", NULL);
    ck_assert(watch_holds_after("k", NULL));
    ck_assert(watch_holds_after("k", "GET", "k", NULL));
    ck_assert(watch_holds_after("k", "SET", "other", "v", NULL));
    ck_assert(watch_holds_after("nokey", "DEL", "nokey", NULL));        /* deleting nothing */
    ck_assert(watch_holds_after("k", "SET", "k", "x", "NX", NULL));     /* refused write */
    ck_assert(watch_holds_after("k", "INCR", "k", NULL));               /* failed write */
    ck_assert(watch_holds_after("k", "EXPIRE", "k", "100", "XX", NULL)); /* no TTL: not set */
    ck_assert(watch_holds_after("k", "PERSIST", "k", NULL));            /* nothing to persist */
    ck_assert(watch_holds_after("k", "SELECT", "1", NULL));
    ck_assert(watch_holds_after("k", "SET", "k", "in-db-1", NULL));     /* other is in db 1 now */
}
END_TEST

START_TEST(watch_broken_by_rename)
{
    run(other, "SET", "src", "v", NULL);
    ck_assert(!watch_holds_after("dst", "RENAME", "src", "dst", NULL));   /* renamed onto it */
    ck_assert(!watch_holds_after("dst", "RENAME", "dst", "src", NULL));   /* renamed away */
    run(other, "SET", "a", "1", NULL);
    ck_assert(!watch_holds_after("a", "MOVE", "a", "2", NULL));
}
END_TEST

START_TEST(watch_broken_by_own_write)
{
    run(tx, "WATCH", "k", NULL);
    run(tx, "SET", "k", "mine", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "GET", "k", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
}
END_TEST

START_TEST(writes_inside_the_transaction_do_not_break_it)
{
    run(tx, "WATCH", "k", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "SET", "k", "1", NULL);
    run(tx, "SET", "k", "2", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*2\r\n+OK\r\n+OK\r\n");
    /* EXEC unwatched: a later change does not touch the next transaction. */
    run(other, "SET", "k", "3", NULL);
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
}
END_TEST

START_TEST(dirty_watch_survives_more_watches_until_unwatch)
{
    run(tx, "WATCH", "a", NULL);
    run(other, "SET", "a", "1", NULL);
    ck_assert_str_eq(run(tx, "WATCH", "b", NULL), "+OK\r\n");
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
    run(tx, "WATCH", "a", NULL);
    run(other, "SET", "a", "2", NULL);
    ck_assert_str_eq(run(tx, "UNWATCH", NULL), "+OK\r\n");
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
}
END_TEST

START_TEST(many_watchers_many_keys)
{
    struct client *w2 = client_create_fake(srv);
    run(tx, "WATCH", "a", "b", "c", "a", NULL);     /* a twice: one watch */
    run(w2, "WATCH", "c", "d", NULL);
    run(other, "SET", "c", "1", NULL);
    run(tx, "MULTI", NULL);
    run(w2, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
    ck_assert_str_eq(run(w2, "EXEC", NULL), "*-1\r\n");
    run(tx, "WATCH", "a", "b", NULL);
    run(w2, "WATCH", "c", "d", NULL);
    run(other, "SET", "d", "1", NULL);
    run(tx, "MULTI", NULL);
    run(w2, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
    ck_assert_str_eq(run(w2, "EXEC", NULL), "*-1\r\n");
    client_free(w2);
}
END_TEST

START_TEST(watch_per_database)
{
    run(tx, "SELECT", "1", NULL);
    ck_assert(watch_holds_after("k", "SET", "k", "db0", NULL));
    run(other, "SELECT", "1", NULL);
    ck_assert(!watch_holds_after("k", "SET", "k", "db1", NULL));
}
END_TEST

START_TEST(freed_watcher_leaves_nothing)
{
    struct client *w2 = client_create_fake(srv);
    struct client *w3 = client_create_fake(srv);
    run(w2, "WATCH", "k", "j", NULL);
    run(w3, "WATCH", "k", NULL);
    run(w2, "MULTI", NULL);
    run(w2, "SET", "k", "from-w2", NULL);
    client_free(w2);                                 /* in MULTI with a queue and watches */
    ck_assert_str_eq(run(other, "EXISTS", "k", NULL), ":0\r\n");
    run(other, "SET", "k", "1", NULL);               /* must not touch the freed client */
    run(other, "SET", "j", "1", NULL);
    run(w3, "MULTI", NULL);
    ck_assert_str_eq(run(w3, "EXEC", NULL), "*-1\r\n");
    client_free(w3);
    run(other, "SET", "k", "2", NULL);
}
END_TEST

/* ---- WATCH: expiry ------------------------------------------------------ */

START_TEST(watch_broken_by_active_expiry)
{
    int64_t now = server_clock_ms();
    run(other, "SET", "k", "v", "PX", "100000", NULL);
    run(tx, "WATCH", "k", NULL);
    ck_assert_uint_eq(ti_run_due(srv->ti, now + 200000, 10), 1);   /* the timer deletes it */
    ck_assert_uint_eq(kv_size(srv->ks, 0), 0);
    ck_assert(tx->flags & CF_DIRTY_CAS);
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
}
END_TEST

START_TEST(watch_broken_by_expiry_nobody_saw)
{
    /* Alive when watched, past its deadline at EXEC, still in the table. */
    run(other, "SET", "k", "v", "PX", "20", NULL);
    run(tx, "WATCH", "k", NULL);
    sleep_ms(40);
    ck_assert_ptr_nonnull(kv_peek(srv->ks, 0, "k", 1));
    ck_assert(!(tx->flags & CF_DIRTY_CAS));
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
}
END_TEST

START_TEST(watch_of_key_without_ttl_kept_over_time)
{
    run(other, "SET", "k", "v", NULL);
    run(other, "SET", "t", "v", "PX", "20", NULL);
    run(tx, "WATCH", "k", NULL);
    sleep_ms(40);
    ck_assert_uint_eq(ti_run_due(srv->ti, server_clock_ms(), 10), 1);   /* t goes, k stays */
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
}
END_TEST

START_TEST(already_expired_when_watched_deleted_lazily)
{
    /* Absent to the client from the start: its deletion is no change. */
    run(other, "SET", "k", "v", "PXAT", LONG_AGO, NULL);
    ck_assert_ptr_nonnull(kv_peek(srv->ks, 0, "k", 1));
    run(tx, "WATCH", "k", NULL);
    ck_assert_str_eq(run(other, "GET", "k", NULL), "$-1\r\n");   /* lazy expiry deletes it */
    ck_assert_ptr_null(kv_peek(srv->ks, 0, "k", 1));
    ck_assert(!(tx->flags & CF_DIRTY_CAS));
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
}
END_TEST

START_TEST(already_expired_when_watched_deleted_actively)
{
    run(other, "SET", "k", "v", "PXAT", LONG_AGO, NULL);
    run(tx, "WATCH", "k", NULL);
    ck_assert_uint_eq(ti_run_due(srv->ti, server_clock_ms(), 10), 1);
    ck_assert_ptr_null(kv_peek(srv->ks, 0, "k", 1));
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*0\r\n");
}
END_TEST

START_TEST(already_expired_when_watched_then_recreated)
{
    run(other, "SET", "k", "v", "PXAT", LONG_AGO, NULL);
    run(tx, "WATCH", "k", NULL);
    run(other, "SET", "k", "new", NULL);      /* overwrites the expired one: a change */
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
    /* Deleted first (no change), then created (a change). */
    run(other, "SET", "j", "v", "PXAT", LONG_AGO, NULL);
    run(tx, "WATCH", "j", NULL);
    run(other, "EXISTS", "j", NULL);
    ck_assert(!(tx->flags & CF_DIRTY_CAS));
    run(other, "SET", "j", "new", NULL);
    run(tx, "MULTI", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
}
END_TEST

/* ---- WATCH: the flushing and swapped hooks ------------------------------ */

START_TEST(flush_breaks_watch_of_existing_keys_only)
{
    run(other, "SET", "k", "v", NULL);
    ck_assert(!watch_holds_after("k", "FLUSHDB", NULL));
    ck_assert(watch_holds_after("k", "FLUSHDB", NULL));       /* k was gone already */
    run(other, "SET", "k", "v", NULL);
    ck_assert(!watch_holds_after("k", "FLUSHALL", NULL));
    run(other, "SET", "k", "v", NULL);
    ck_assert(!watch_holds_after("k", "FLUSHDB", "ASYNC", NULL));
}
END_TEST

START_TEST(flush_of_another_database)
{
    run(other, "SET", "k", "v", NULL);
    run(other, "SELECT", "1", NULL);
    run(other, "SET", "k", "v", NULL);
    ck_assert(watch_holds_after("k", "FLUSHDB", NULL));       /* db 1 flushed, tx watches db 0 */
    ck_assert(!watch_holds_after("k", "FLUSHALL", NULL));
}
END_TEST

START_TEST(flush_of_key_expired_when_watched)
{
    run(other, "SET", "k", "v", "PXAT", LONG_AGO, NULL);
    ck_assert(watch_holds_after("k", "FLUSHALL", NULL));
}
END_TEST

START_TEST(swapdb_breaks_watch_when_content_differs)
{
    /* db0 has k, db1 does not: swapping empties k for the watcher. */
    run(other, "SET", "k", "v", NULL);
    ck_assert(!watch_holds_after("k", "SWAPDB", "0", "1", NULL));
    /* Now db1 has k, db0 does not: swapping brings k in. */
    ck_assert(!watch_holds_after("k", "SWAPDB", "0", "1", NULL));
    /* Neither database has it. */
    ck_assert(watch_holds_after("nokey", "SWAPDB", "0", "1", NULL));
    /* Both have it: replaced, even by an equal value. */
    run(other, "SELECT", "0", NULL);
    run(other, "SET", "both", "v", NULL);
    run(other, "SELECT", "1", NULL);
    run(other, "SET", "both", "v", NULL);
    ck_assert(!watch_holds_after("both", "SWAPDB", "0", "1", NULL));
    /* Databases not involved. */
    run(other, "SELECT", "0", NULL);
    run(other, "SET", "k", "v", NULL);
    ck_assert(watch_holds_after("k", "SWAPDB", "2", "3", NULL));
    /* The watcher's own database is the second argument. */
    ck_assert(!watch_holds_after("k", "SWAPDB", "5", "0", NULL));
}
END_TEST

START_TEST(swapdb_with_expired_keys)
{
    /* Absent (expired) in db0 when watched, absent in db1: no change. */
    run(other, "SET", "k", "v", "PXAT", LONG_AGO, NULL);
    ck_assert(watch_holds_after("k", "SWAPDB", "0", "1", NULL));
    /* The expired k is in db1 now; db0 has none. Watch the absent key,
     * swap the expired one in: still absent, no change. */
    ck_assert(watch_holds_after("k", "SWAPDB", "0", "1", NULL));
    /* Expired when watched, replaced by a live one: a change. */
    run(other, "SELECT", "1", NULL);
    run(other, "SET", "k", "live", NULL);
    run(other, "SELECT", "0", NULL);
    ck_assert_str_eq(run(other, "SET", "k", "v", "PXAT", LONG_AGO, NULL), "+OK\r\n");
    ck_assert(!watch_holds_after("k", "SWAPDB", "0", "1", NULL));
}
END_TEST

/* ---- propagation -------------------------------------------------------- */

START_TEST(effects_bracketed_when_something_was_written)
{
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "GET", "a", NULL);
    run(tx, "INCR", "n", NULL);
    run(tx, "EXEC", NULL);
    ck_assert_str_eq(effects, "-1:MULTI|0:SET a 1|0:INCR n|-1:EXEC|");
}
END_TEST

START_TEST(single_write_still_bracketed)
{
    /* Redis 7.0 sends a lone write without MULTI/EXEC; the bracket is
     * equivalent, and taskkv's journal keeps one shape for EXEC. */
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "EXEC", NULL);
    ck_assert_str_eq(effects, "-1:MULTI|0:SET a 1|-1:EXEC|");
}
END_TEST

START_TEST(no_effects_without_writes)
{
    run(other, "SET", "s", "abc", NULL);
    effects[0] = '\0';
    run(tx, "MULTI", NULL);
    run(tx, "GET", "s", NULL);
    run(tx, "INCR", "s", NULL);            /* fails */
    run(tx, "DEL", "nosuch", NULL);        /* changes nothing */
    run(tx, "SET", "s", "x", "NX", NULL);  /* refused */
    run(tx, "EXEC", NULL);
    ck_assert_str_eq(effects, "");
    /* Aborted and dirty transactions propagate nothing either. */
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "NOSUCH", NULL);
    run(tx, "EXEC", NULL);
    run(tx, "WATCH", "s", NULL);
    run(other, "SET", "s", "changed", NULL);
    effects[0] = '\0';
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "EXEC", NULL);
    ck_assert_str_eq(effects, "");
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "DISCARD", NULL);
    ck_assert_str_eq(effects, "");
}
END_TEST

START_TEST(effects_rewritten_and_per_database)
{
    const char *p;
    run(tx, "MULTI", NULL);
    run(tx, "SELECT", "3", NULL);
    run(tx, "SET", "d", "1", NULL);
    run(tx, "EXPIRE", "d", "100", NULL);
    run(tx, "EXEC", NULL);
    /* MULTI and EXEC carry no database (-1); the effects inside carry
     * theirs; EXPIRE is rewritten as inside a plain call. */
    ck_assert_msg(strncmp(effects, "-1:MULTI|3:SET d 1|3:PEXPIREAT d ", 33) == 0, "effects: %s", effects);
    p = strstr(effects, ":EXEC|");
    ck_assert_msg(p != NULL && p[6] == '\0', "effects: %s", effects);
    ck_assert_int_eq(srv->exec_wrap, 0);
    ck_assert_int_eq(tx->db, 3);            /* SELECT inside EXEC stays */
}
END_TEST

START_TEST(one_bracket_per_exec)
{
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "EXEC", NULL);
    run(tx, "SET", "b", "2", NULL);          /* a plain write between */
    run(tx, "MULTI", NULL);
    run(tx, "DEL", "a", "b", NULL);
    run(tx, "EXEC", NULL);
    ck_assert_str_eq(effects, "-1:MULTI|0:SET a 1|-1:EXEC|0:SET b 2|-1:MULTI|0:DEL a b|-1:EXEC|");
}
END_TEST

/* ---- commandstats ------------------------------------------------------- */

START_TEST(commandstats_count_queued_commands_at_exec)
{
    run(other, "SET", "s", "abc", NULL);
    cmd_stats_reset(srv->cmds);
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "INCR", "s", NULL);
    run(tx, "INCR", "n", NULL);
    /* Queued, not run yet: nothing counted. */
    ck_assert_uint_eq(stats("set")->calls, 0);
    ck_assert_uint_eq(stats("incr")->calls, 0);
    ck_assert_uint_eq(stats("multi")->calls, 1);
    run(tx, "EXEC", NULL);
    ck_assert_uint_eq(stats("set")->calls, 1);
    ck_assert_uint_eq(stats("incr")->calls, 2);
    ck_assert_uint_eq(stats("incr")->failed, 1);
    ck_assert_uint_eq(stats("exec")->calls, 1);
    ck_assert_uint_eq(stats("exec")->failed, 0);   /* an error inside is the command's, not EXEC's */
    ck_assert_uint_eq(srv->stats.total_error_replies, 1);
}
END_TEST

START_TEST(commandstats_discarded_and_aborted)
{
    cmd_stats_reset(srv->cmds);
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "GET", NULL);                           /* rejected while queueing */
    run(tx, "EXEC", NULL);                          /* EXECABORT */
    ck_assert_uint_eq(stats("set")->calls, 0);
    ck_assert_uint_eq(stats("get")->rejected, 1);
    ck_assert_uint_eq(stats("exec")->calls, 1);
    ck_assert_uint_eq(stats("exec")->failed, 1);
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    run(tx, "DISCARD", NULL);
    ck_assert_uint_eq(stats("set")->calls, 0);
    ck_assert_uint_eq(stats("discard")->calls, 1);
    ck_assert_uint_eq(stats("multi")->calls, 2);
    /* A dirty watch: EXEC counted, not failed; the queue not run. */
    run(tx, "WATCH", "a", NULL);
    run(other, "SET", "a", "x", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "SET", "a", "1", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL), "*-1\r\n");
    ck_assert_uint_eq(stats("set")->calls, 1);      /* other's */
    ck_assert_uint_eq(stats("exec")->calls, 2);
    ck_assert_uint_eq(stats("exec")->failed, 1);
}
END_TEST

START_TEST(commandstats_reset_inside_exec)
{
    /* CONFIG RESETSTAT between two failing commands: only what follows it
     * is counted, each error reply once, and EXEC itself did not fail. */
    run(other, "SET", "s", "abc", NULL);
    run(tx, "MULTI", NULL);
    run(tx, "INCR", "s", NULL);
    run(tx, "CONFIG", "RESETSTAT", NULL);
    run(tx, "INCR", "s", NULL);
    ck_assert_str_eq(run(tx, "EXEC", NULL),
                     "*3\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"
                     "-ERR value is not an integer or out of range\r\n");
    ck_assert_uint_eq(stats("incr")->calls, 1);
    ck_assert_uint_eq(stats("incr")->failed, 1);
    ck_assert_uint_eq(stats("exec")->calls, 1);
    ck_assert_uint_eq(stats("exec")->failed, 0);
    ck_assert_uint_eq(srv->stats.total_error_replies, 1);
}
END_TEST

START_TEST(commandstats_subcommands_inside)
{
    cmd_stats_reset(srv->cmds);
    run(tx, "MULTI", NULL);
    run(tx, "CONFIG", "GET", "maxmemory", NULL);
    run(tx, "EXEC", NULL);
    {
        const struct cmd_def *config = cmd_lookup(srv->cmds, "config", 6);
        const struct cmd_def *get = NULL;
        for (const struct cmd_def *s = config->subs; s->name; s++)
            if (strcmp(s->name, "get") == 0)
                get = s;
        ck_assert_ptr_nonnull(get);
        ck_assert_uint_eq(cmd_stats_of(srv->cmds, get)->calls, 1);
    }
    ck_assert_uint_eq(stats("exec")->calls, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("multi");
    TCase *q = tcase_create("queue");
    TCase *w = tcase_create("watch");
    TCase *p = tcase_create("propagation");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(q, setup, teardown);
    tcase_add_test(q, queue_then_exec);
    tcase_add_test(q, empty_transaction);
    tcase_add_test(q, queued_arguments_are_copied);
    tcase_add_test(q, errors_outside_multi);
    tcase_add_test(q, nested_multi_and_watch_inside_do_not_abort);
    tcase_add_test(q, discard_drops_queue_and_watches);
    tcase_add_test(q, execabort_after_unknown_command);
    tcase_add_test(q, execabort_after_arity_and_subcommand_errors);
    tcase_add_test(q, execabort_beats_dirty_watch);
    tcase_add_test(q, runtime_errors_do_not_stop_the_others);
    tcase_add_test(q, blocking_commands_do_not_block_inside);
    tcase_add_test(q, shutdown_refused_and_aborts);
    tcase_add_test(q, resp3_replies);
    suite_add_tcase(s, q);
    tcase_add_checked_fixture(w, setup, teardown);
    tcase_add_test(w, watch_broken_by_writes);
    tcase_add_test(w, watch_kept_when_nothing_changes);
    tcase_add_test(w, watch_broken_by_rename);
    tcase_add_test(w, watch_broken_by_own_write);
    tcase_add_test(w, writes_inside_the_transaction_do_not_break_it);
    tcase_add_test(w, dirty_watch_survives_more_watches_until_unwatch);
    tcase_add_test(w, many_watchers_many_keys);
    tcase_add_test(w, watch_per_database);
    tcase_add_test(w, freed_watcher_leaves_nothing);
    tcase_add_test(w, watch_broken_by_active_expiry);
    tcase_add_test(w, watch_broken_by_expiry_nobody_saw);
    tcase_add_test(w, watch_of_key_without_ttl_kept_over_time);
    tcase_add_test(w, already_expired_when_watched_deleted_lazily);
    tcase_add_test(w, already_expired_when_watched_deleted_actively);
    tcase_add_test(w, already_expired_when_watched_then_recreated);
    tcase_add_test(w, flush_breaks_watch_of_existing_keys_only);
    tcase_add_test(w, flush_of_another_database);
    tcase_add_test(w, flush_of_key_expired_when_watched);
    tcase_add_test(w, swapdb_breaks_watch_when_content_differs);
    tcase_add_test(w, swapdb_with_expired_keys);
    suite_add_tcase(s, w);
    tcase_add_checked_fixture(p, setup, teardown);
    tcase_add_test(p, effects_bracketed_when_something_was_written);
    tcase_add_test(p, single_write_still_bracketed);
    tcase_add_test(p, no_effects_without_writes);
    tcase_add_test(p, effects_rewritten_and_per_database);
    tcase_add_test(p, one_bracket_per_exec);
    tcase_add_test(p, commandstats_count_queued_commands_at_exec);
    tcase_add_test(p, commandstats_discarded_and_aborted);
    tcase_add_test(p, commandstats_reset_inside_exec);
    tcase_add_test(p, commandstats_subcommands_inside);
    suite_add_tcase(s, p);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
