/*
 * check_hub: the subscription registry (pubsub/hub.c) without connections.
 * Subscribers are owned by small tags ("a", "b", ...); the delivery
 * callback records every message as "owner/kind/pattern/channel/msg;" so
 * each test states the exact deliveries and their order. An invariant
 * checker compares the hub's per-name receiver counts with the
 * subscribers' own counts after every step that changes subscriptions.
 */
#include "pubsub/hub.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NSUBS 4

static struct ps_hub *hub;
static struct ps_sub *subs[NSUBS];          /* a, b, c, d */
static const char *const tags[NSUBS] = { "a", "b", "c", "d" };
static char log_buf[8192];

static const char kind_char[PS_KINDS] = { 'C', 'P', 'S' };

/* Appends len bytes, NUL shown as "\0". */
static void log_bytes(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        size_t n = strlen(log_buf);
        if (p[i] == '\0')
            snprintf(log_buf + n, sizeof(log_buf) - n, "\\0");
        else
            snprintf(log_buf + n, sizeof(log_buf) - n, "%c", p[i]);
    }
}

static void log_str(const char *s)
{
    log_bytes(s, strlen(s));
}

static unsigned long delivered;

static void record(void *ctx, void *owner, enum ps_kind kind, const char *pattern, size_t plen,
                   const char *channel, size_t clen, const char *msg, size_t mlen)
{
    char k[2] = { kind_char[kind], '\0' };
    ck_assert_ptr_eq(ctx, &log_buf);
    ck_assert_int_eq(pattern != NULL, kind == PS_PATTERN);
    log_str((const char *)owner);
    log_str("/");
    log_str(k);
    log_str("/");
    if (pattern)
        log_bytes(pattern, plen);
    log_str("/");
    log_bytes(channel, clen);
    log_str("/");
    log_bytes(msg, mlen);
    log_str(";");
}

/* Counts without logging (the scale tests). */
static void count_only(void *ctx, void *owner, enum ps_kind kind, const char *pattern, size_t plen,
                       const char *channel, size_t clen, const char *msg, size_t mlen)
{
    (void)ctx, (void)owner, (void)kind, (void)pattern, (void)plen, (void)channel, (void)clen, (void)msg,
        (void)mlen;
    delivered++;
}

static void setup(void)
{
    hub = ps_hub_create();
    for (int i = 0; i < NSUBS; i++)
        subs[i] = ps_sub_create(hub, (void *)tags[i]);
    log_buf[0] = '\0';
    delivered = 0;
}

static void teardown(void)
{
    for (int i = 0; i < NSUBS; i++)
        ps_sub_destroy(hub, subs[i]);
    for (int k = 0; k < PS_KINDS; k++)
        ck_assert_uint_eq(ps_hub_count(hub, (enum ps_kind)k), 0);
    ps_hub_destroy(hub);
}

#define A subs[0]
#define B subs[1]
#define C subs[2]
#define D subs[3]

static bool sub(struct ps_sub *s, enum ps_kind kind, const char *name)
{
    return ps_subscribe(hub, s, kind, name, strlen(name));
}

static bool unsub(struct ps_sub *s, enum ps_kind kind, const char *name)
{
    return ps_unsubscribe(hub, s, kind, name, strlen(name));
}

/* Publishes and returns the recorded deliveries (the log is reset). */
static const char *pub(enum ps_kind kind, const char *channel, const char *msg, long long want_n)
{
    static char out[sizeof(log_buf)];
    long long n;
    log_buf[0] = '\0';
    n = ps_publish(hub, kind, channel, strlen(channel), msg, strlen(msg), record, &log_buf);
    ck_assert_int_eq(n, want_n);
    snprintf(out, sizeof(out), "%s", log_buf);
    log_buf[0] = '\0';
    return out;
}

/* ---- the invariant ------------------------------------------------------ */

struct names {
    char buf[4096];
    size_t count;
    size_t receivers;
    enum ps_kind kind;
};

static void collect(void *arg, const char *name, size_t len)
{
    struct names *n = arg;
    size_t used = strlen(n->buf);
    ck_assert_uint_gt(ps_hub_receivers(hub, n->kind, name, len), 0);
    n->receivers += ps_hub_receivers(hub, n->kind, name, len);
    n->count++;
    snprintf(n->buf + used, sizeof(n->buf) - used, "%.*s,", (int)len, name);
}

/* The names of a kind in ps_hub_foreach order, "x,y,"; checks that every
 * listed name has receivers, that the hub's name count matches, and that
 * the receivers sum to the subscribers' own counts. */
static const char *names_of(enum ps_kind kind)
{
    static struct names n;
    size_t total = 0;
    memset(&n, 0, sizeof(n));
    n.kind = kind;
    ps_hub_foreach(hub, kind, collect, &n);
    ck_assert_uint_eq(n.count, ps_hub_count(hub, kind));
    for (int i = 0; i < NSUBS; i++)
        total += ps_sub_count(subs[i], kind);
    ck_assert_uint_eq(n.receivers, total);
    return n.buf;
}

static void check_invariants(void)
{
    for (int k = 0; k < PS_KINDS; k++)
        names_of((enum ps_kind)k);
}

/* The subscriber's oldest name of a kind, or "-" when it has none. */
static const char *first_of(struct ps_sub *s, enum ps_kind kind)
{
    static char buf[256];
    const char *name;
    size_t len;
    if (!ps_sub_first(s, kind, &name, &len))
        return "-";
    snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
    return buf;
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(subscribe_and_unsubscribe_return_values)
{
    ck_assert(sub(A, PS_CHANNEL, "news"));
    ck_assert(!sub(A, PS_CHANNEL, "news"));            /* already subscribed */
    ck_assert(sub(B, PS_CHANNEL, "news"));             /* another subscriber: new */
    ck_assert(sub(A, PS_PATTERN, "news"));             /* same name, other kind: new */
    ck_assert(sub(A, PS_SHARD, "news"));
    ck_assert(!sub(A, PS_SHARD, "news"));
    check_invariants();
    ck_assert(!unsub(A, PS_CHANNEL, "sports"));        /* never subscribed, channel unknown */
    ck_assert(!unsub(C, PS_CHANNEL, "news"));          /* channel known, C not on it */
    ck_assert(unsub(A, PS_CHANNEL, "news"));
    ck_assert(!unsub(A, PS_CHANNEL, "news"));          /* twice */
    ck_assert(sub(A, PS_CHANNEL, "news"));             /* and back */
    ck_assert(unsub(A, PS_PATTERN, "news"));
    ck_assert(!unsub(A, PS_PATTERN, "news"));
    ck_assert(unsub(A, PS_SHARD, "news"));
    ck_assert(!unsub(A, PS_SHARD, "news"));
    check_invariants();
}
END_TEST

START_TEST(counts_per_kind)
{
    ck_assert_uint_eq(ps_sub_count(A, PS_CHANNEL), 0);
    ck_assert_uint_eq(ps_sub_count(NULL, PS_CHANNEL), 0);
    sub(A, PS_CHANNEL, "c1");
    sub(A, PS_CHANNEL, "c2");
    sub(A, PS_CHANNEL, "c2");
    sub(A, PS_PATTERN, "p*");
    sub(A, PS_SHARD, "s1");
    sub(A, PS_SHARD, "s2");
    sub(A, PS_SHARD, "s3");
    sub(B, PS_CHANNEL, "c1");
    ck_assert_uint_eq(ps_sub_count(A, PS_CHANNEL), 2);
    ck_assert_uint_eq(ps_sub_count(A, PS_PATTERN), 1);
    ck_assert_uint_eq(ps_sub_count(A, PS_SHARD), 3);
    ck_assert_uint_eq(ps_sub_count(B, PS_CHANNEL), 1);
    ck_assert_uint_eq(ps_sub_count(B, PS_PATTERN), 0);
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 2);
    ck_assert_uint_eq(ps_hub_count(hub, PS_PATTERN), 1);
    ck_assert_uint_eq(ps_hub_count(hub, PS_SHARD), 3);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "c1", 2), 2);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "c2", 2), 1);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "c3", 2), 0);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_SHARD, "c1", 2), 0);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_PATTERN, "p*", 2), 1);
    unsub(A, PS_SHARD, "s2");
    ck_assert_uint_eq(ps_sub_count(A, PS_SHARD), 2);
    ck_assert_uint_eq(ps_hub_count(hub, PS_SHARD), 2);
    check_invariants();
}
END_TEST

START_TEST(first_is_the_oldest_subscription)
{
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "-");
    ck_assert_str_eq(first_of(NULL, PS_CHANNEL), "-");
    sub(A, PS_CHANNEL, "x");
    sub(A, PS_CHANNEL, "y");
    sub(A, PS_CHANNEL, "z");
    sub(A, PS_PATTERN, "p2");
    sub(A, PS_PATTERN, "p1");
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "x");
    ck_assert_str_eq(first_of(A, PS_PATTERN), "p2");
    ck_assert_str_eq(first_of(A, PS_SHARD), "-");
    sub(A, PS_CHANNEL, "x");                 /* a repeat does not move it */
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "x");
    unsub(A, PS_CHANNEL, "x");
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "y");
    sub(A, PS_CHANNEL, "x");                 /* back, now the newest */
    unsub(A, PS_CHANNEL, "z");               /* from the middle of the list */
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "y");
    unsub(A, PS_CHANNEL, "y");
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "x");
    unsub(A, PS_CHANNEL, "x");
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "-");
    ck_assert_str_eq(first_of(A, PS_PATTERN), "p2");
}
END_TEST

START_TEST(first_drains_like_argumentless_unsubscribe)
{
    /* UNSUBSCRIBE with no argument: confirm and drop the first until none. */
    const char *want[] = { "one", "two", "three", "four" };
    const char *name;
    size_t len;
    int i = 0;
    for (int j = 0; j < 4; j++)
        sub(B, PS_CHANNEL, want[j]);
    sub(C, PS_CHANNEL, "two");
    while (ps_sub_first(B, PS_CHANNEL, &name, &len)) {
        ck_assert_int_lt(i, 4);
        ck_assert_uint_eq(len, strlen(want[i]));
        ck_assert(memcmp(name, want[i], len) == 0);
        ck_assert(ps_unsubscribe(hub, B, PS_CHANNEL, name, len));
        ck_assert_uint_eq(ps_sub_count(B, PS_CHANNEL), (size_t)(3 - i));
        i++;
    }
    ck_assert_int_eq(i, 4);
    ck_assert_str_eq(names_of(PS_CHANNEL), "two,");   /* C still holds it */
}
END_TEST

START_TEST(publish_order_channels_then_patterns)
{
    sub(C, PS_CHANNEL, "ch");
    sub(A, PS_CHANNEL, "ch");
    sub(B, PS_CHANNEL, "ch");
    sub(B, PS_PATTERN, "c*");     /* first pattern */
    sub(D, PS_PATTERN, "*h");     /* second */
    sub(A, PS_PATTERN, "*h");
    sub(C, PS_PATTERN, "c*");
    sub(A, PS_PATTERN, "zz*");    /* does not match */
    check_invariants();
    ck_assert_str_eq(pub(PS_CHANNEL, "ch", "m1", 7),
                     "c/C//ch/m1;a/C//ch/m1;b/C//ch/m1;"
                     "b/P/c*/ch/m1;c/P/c*/ch/m1;"
                     "d/P/*h/ch/m1;a/P/*h/ch/m1;");
    /* Receiver order is subscription order: C leaving and coming back
     * puts it last. Patterns keep their order while they have subscribers. */
    unsub(C, PS_CHANNEL, "ch");
    sub(C, PS_CHANNEL, "ch");
    unsub(B, PS_PATTERN, "c*");
    ck_assert_str_eq(pub(PS_CHANNEL, "ch", "m2", 6),
                     "a/C//ch/m2;b/C//ch/m2;c/C//ch/m2;"
                     "c/P/c*/ch/m2;"
                     "d/P/*h/ch/m2;a/P/*h/ch/m2;");
    /* A pattern dropped by everyone and subscribed again is the newest. */
    unsub(C, PS_PATTERN, "c*");
    sub(C, PS_PATTERN, "c*");
    ck_assert_str_eq(pub(PS_CHANNEL, "ch", "m3", 6),
                     "a/C//ch/m3;b/C//ch/m3;c/C//ch/m3;"
                     "d/P/*h/ch/m3;a/P/*h/ch/m3;"
                     "c/P/c*/ch/m3;");
    ck_assert_str_eq(names_of(PS_PATTERN), "*h,zz*,c*,");
    /* Only patterns. */
    ck_assert_str_eq(pub(PS_CHANNEL, "cx", "m4", 1), "c/P/c*/cx/m4;");
    ck_assert_str_eq(pub(PS_CHANNEL, "nobody", "m5", 0), "");
}
END_TEST

START_TEST(channel_and_pattern_count_twice)
{
    /* One subscriber through a channel and two matching patterns: three
     * deliveries, and PUBLISH counts three, as Redis does. */
    sub(A, PS_CHANNEL, "job.done");
    sub(A, PS_PATTERN, "job.*");
    sub(A, PS_PATTERN, "*.done");
    sub(B, PS_PATTERN, "job.*");
    ck_assert_str_eq(pub(PS_CHANNEL, "job.done", "42", 4),
                     "a/C//job.done/42;a/P/job.*/job.done/42;b/P/job.*/job.done/42;a/P/*.done/job.done/42;");
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "job.done", 8), 1);   /* NUMSUB: channels only */
    ck_assert_uint_eq(ps_hub_count(hub, PS_PATTERN), 2);                      /* NUMPAT: distinct patterns */
}
END_TEST

START_TEST(shard_channels_are_their_own_namespace)
{
    sub(A, PS_SHARD, "orders");
    sub(B, PS_CHANNEL, "orders");
    sub(C, PS_PATTERN, "ord*");
    sub(D, PS_SHARD, "ord*");     /* not a pattern for shards */
    ck_assert_str_eq(pub(PS_SHARD, "orders", "s", 1), "a/S//orders/s;");
    ck_assert_str_eq(pub(PS_CHANNEL, "orders", "c", 2), "b/C//orders/c;c/P/ord*/orders/c;");
    ck_assert_str_eq(pub(PS_SHARD, "ord*", "lit", 1), "d/S//ord*/lit;");
    ck_assert_str_eq(pub(PS_SHARD, "ordinary", "x", 0), "");
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_SHARD, "orders", 6), 1);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "orders", 6), 1);
    ck_assert_str_eq(names_of(PS_SHARD), "orders,ord*,");
    ck_assert_str_eq(names_of(PS_CHANNEL), "orders,");
    ck_assert(unsub(A, PS_SHARD, "orders"));
    ck_assert_str_eq(pub(PS_SHARD, "orders", "s", 0), "");
    ck_assert_str_eq(pub(PS_CHANNEL, "orders", "c", 2), "b/C//orders/c;c/P/ord*/orders/c;");
}
END_TEST

START_TEST(glob_patterns)
{
    sub(A, PS_PATTERN, "h?llo");
    sub(B, PS_PATTERN, "h[ae]llo");
    sub(C, PS_PATTERN, "h[^e]llo");
    sub(D, PS_PATTERN, "h\\*llo");
    ck_assert_str_eq(pub(PS_CHANNEL, "hello", "1", 2), "a/P/h?llo/hello/1;b/P/h[ae]llo/hello/1;");
    ck_assert_str_eq(pub(PS_CHANNEL, "hallo", "2", 3),
                     "a/P/h?llo/hallo/2;b/P/h[ae]llo/hallo/2;c/P/h[^e]llo/hallo/2;");
    ck_assert_str_eq(pub(PS_CHANNEL, "hxllo", "3", 2), "a/P/h?llo/hxllo/3;c/P/h[^e]llo/hxllo/3;");
    ck_assert_str_eq(pub(PS_CHANNEL, "h*llo", "4", 3),
                     "a/P/h?llo/h*llo/4;c/P/h[^e]llo/h*llo/4;d/P/h\\*llo/h*llo/4;");
    ck_assert_str_eq(pub(PS_CHANNEL, "hllo", "5", 0), "");
    ck_assert_str_eq(pub(PS_CHANNEL, "heello", "6", 0), "");
}
END_TEST

START_TEST(glob_star_and_empty_channel)
{
    sub(A, PS_PATTERN, "*");
    sub(B, PS_PATTERN, "__keyevent@*__:expired");
    sub(C, PS_CHANNEL, "");
    ck_assert_str_eq(pub(PS_CHANNEL, "__keyevent@0__:expired", "k", 2),
                     "a/P/*/__keyevent@0__:expired/k;b/P/__keyevent@*__:expired/__keyevent@0__:expired/k;");
    ck_assert_str_eq(pub(PS_CHANNEL, "__keyevent@12__:expired", "k", 2),
                     "a/P/*/__keyevent@12__:expired/k;b/P/__keyevent@*__:expired/__keyevent@12__:expired/k;");
    ck_assert_str_eq(pub(PS_CHANNEL, "__keyevent@0__:del", "k", 1), "a/P/*/__keyevent@0__:del/k;");
    /* The empty channel is a channel; "*" does not match it (Redis' glob). */
    ck_assert_str_eq(pub(PS_CHANNEL, "", "e", 1), "c/C///e;");
}
END_TEST

START_TEST(binary_names)
{
    static const char ab[] = { 'a', '\0', 'b' };
    static const char ac[] = { 'a', '\0', 'c' };
    static const char pat[] = { 'a', '\0', '*' };
    static const char msg[] = { 'm', '\0', '!' };
    ck_assert(ps_subscribe(hub, A, PS_CHANNEL, ab, 3));
    ck_assert(ps_subscribe(hub, B, PS_CHANNEL, ac, 3));
    ck_assert(ps_subscribe(hub, C, PS_CHANNEL, "a", 1));      /* the C-string prefix: another channel */
    ck_assert(ps_subscribe(hub, D, PS_PATTERN, pat, 3));
    ck_assert(!ps_subscribe(hub, A, PS_CHANNEL, ab, 3));
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 3);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, ab, 3), 1);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, ab, 1), 1);       /* "a" */
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, ab, 2), 0);       /* "a\0" */
    log_buf[0] = '\0';
    ck_assert_int_eq(ps_publish(hub, PS_CHANNEL, ab, 3, msg, 3, record, &log_buf), 2);
    ck_assert_str_eq(log_buf, "a/C//a\\0b/m\\0!;d/P/a\\0*/a\\0b/m\\0!;");
    log_buf[0] = '\0';
    ck_assert_int_eq(ps_publish(hub, PS_CHANNEL, "a", 1, msg, 3, record, &log_buf), 1);
    ck_assert_str_eq(log_buf, "c/C//a/m\\0!;");
    {
        const char *name;
        size_t len;
        ck_assert(ps_sub_first(A, PS_CHANNEL, &name, &len));
        ck_assert_uint_eq(len, 3);
        ck_assert(memcmp(name, ab, 3) == 0);
    }
    ck_assert(!ps_unsubscribe(hub, A, PS_CHANNEL, ac, 3));
    ck_assert(!ps_unsubscribe(hub, A, PS_CHANNEL, "a", 1));
    ck_assert(ps_unsubscribe(hub, A, PS_CHANNEL, ab, 3));
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 2);
    check_invariants();
}
END_TEST

START_TEST(destroy_drops_everything)
{
    sub(A, PS_CHANNEL, "x");
    sub(A, PS_CHANNEL, "shared");
    sub(A, PS_PATTERN, "p*");
    sub(A, PS_PATTERN, "shared*");
    sub(A, PS_SHARD, "s");
    sub(B, PS_CHANNEL, "shared");
    sub(B, PS_PATTERN, "shared*");
    check_invariants();
    ps_sub_destroy(hub, A);
    A = NULL;
    ck_assert_str_eq(names_of(PS_CHANNEL), "shared,");
    ck_assert_str_eq(names_of(PS_PATTERN), "shared*,");
    ck_assert_str_eq(names_of(PS_SHARD), "");
    ck_assert_str_eq(pub(PS_CHANNEL, "x", "m", 0), "");
    ck_assert_str_eq(pub(PS_CHANNEL, "pq", "m", 0), "");
    ck_assert_str_eq(pub(PS_SHARD, "s", "m", 0), "");
    ck_assert_str_eq(pub(PS_CHANNEL, "shared", "m", 2), "b/C//shared/m;b/P/shared*/shared/m;");
    ps_sub_destroy(hub, NULL);            /* no-op */
    A = ps_sub_create(hub, (void *)tags[0]);
    ck_assert_uint_eq(ps_sub_count(A, PS_CHANNEL), 0);
    ck_assert(sub(A, PS_CHANNEL, "x"));   /* a fresh subscriber: nothing left over */
    ck_assert_str_eq(pub(PS_CHANNEL, "x", "again", 1), "a/C//x/again;");
}
END_TEST

START_TEST(chans_freed_when_empty)
{
    sub(A, PS_CHANNEL, "q");
    sub(B, PS_CHANNEL, "q");
    sub(A, PS_CHANNEL, "r");
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 2);
    unsub(A, PS_CHANNEL, "q");
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 2);     /* B still on q */
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "q", 1), 1);
    unsub(B, PS_CHANNEL, "q");
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 1);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, "q", 1), 0);
    ck_assert_str_eq(names_of(PS_CHANNEL), "r,");
    unsub(A, PS_CHANNEL, "r");
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 0);
    ck_assert_str_eq(names_of(PS_CHANNEL), "");
    /* A failed unsubscribe creates nothing either. */
    ck_assert(!unsub(C, PS_CHANNEL, "ghost"));
    ck_assert(!unsub(C, PS_PATTERN, "ghost*"));
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 0);
    ck_assert_uint_eq(ps_hub_count(hub, PS_PATTERN), 0);
    /* Nor does publishing or asking. */
    ck_assert_str_eq(pub(PS_CHANNEL, "ghost", "m", 0), "");
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_SHARD, "ghost", 5), 0);
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 0);
    ck_assert_uint_eq(ps_hub_count(hub, PS_SHARD), 0);
}
END_TEST

START_TEST(foreach_in_first_subscription_order)
{
    sub(A, PS_CHANNEL, "b");
    sub(B, PS_CHANNEL, "a");
    sub(C, PS_CHANNEL, "b");
    sub(C, PS_CHANNEL, "c");
    sub(A, PS_SHARD, "s1");
    sub(A, PS_PATTERN, "p1*");
    ck_assert_str_eq(names_of(PS_CHANNEL), "b,a,c,");
    ck_assert_str_eq(names_of(PS_SHARD), "s1,");
    ck_assert_str_eq(names_of(PS_PATTERN), "p1*,");
    unsub(A, PS_CHANNEL, "b");              /* C keeps it alive: place kept */
    ck_assert_str_eq(names_of(PS_CHANNEL), "b,a,c,");
    unsub(C, PS_CHANNEL, "b");              /* gone; back as the newest */
    sub(D, PS_CHANNEL, "b");
    ck_assert_str_eq(names_of(PS_CHANNEL), "a,c,b,");
    unsub(C, PS_CHANNEL, "c");              /* the middle one */
    ck_assert_str_eq(names_of(PS_CHANNEL), "a,b,");
    unsub(B, PS_CHANNEL, "a");              /* the first */
    unsub(D, PS_CHANNEL, "b");              /* the last */
    ck_assert_str_eq(names_of(PS_CHANNEL), "");
    sub(D, PS_CHANNEL, "z");
    ck_assert_str_eq(names_of(PS_CHANNEL), "z,");
}
END_TEST

START_TEST(null_destroys_are_noops)
{
    ps_hub_destroy(NULL);
    ps_sub_destroy(hub, NULL);
}
END_TEST

/* ---- scale -------------------------------------------------------------- */

#define MANY 100000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A generous bound per phase of MANY operations: linear work takes tens of
 * milliseconds (a few hundred under sanitizers); a per-operation scan of
 * the other subscribers or channels (MANY^2 / 2 = 5e9 steps) takes far
 * longer. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define PHASE_LIMIT_S 15.0
#else
#define PHASE_LIMIT_S 3.0
#endif

static void phase_done(double start, const char *what)
{
    double took = now_s() - start;
    if (getenv("HUB_TIMING"))
        fprintf(stderr, "%s: %.3f s\n", what, took);
    if (took > PHASE_LIMIT_S)
        ck_abort_msg("%s: %d operations took %.3f s", what, MANY, took);
}

/* Loops count their results and assert once: a ck_assert per step costs a
 * write to check's pipe in fork mode, more than the operation itself. */
#define EXPIRED_CH "__keyevent@0__:expired", 22

START_TEST(many_subscribers_on_one_channel)
{
    static struct ps_sub *many[MANY];
    static char owner[MANY];
    size_t ok = 0;
    double t;
    t = now_s();
    for (int i = 0; i < MANY; i++) {
        many[i] = ps_sub_create(hub, &owner[i]);
        ok += ps_subscribe(hub, many[i], PS_CHANNEL, EXPIRED_CH);
    }
    phase_done(t, "subscribe");
    ck_assert_uint_eq(ok, MANY);
    t = now_s();
    for (int i = 0; i < MANY; i++)
        ok += ps_subscribe(hub, many[i], PS_CHANNEL, EXPIRED_CH);
    phase_done(t, "repeat subscribe");
    ck_assert_uint_eq(ok, MANY);        /* unchanged: every repeat refused */
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, EXPIRED_CH), MANY);
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 1);
    delivered = 0;
    ck_assert_int_eq(ps_publish(hub, PS_CHANNEL, EXPIRED_CH, "k", 1, count_only, NULL), MANY);
    ck_assert_uint_eq(delivered, MANY);
    /* Leave in an order unrelated to joining: every other one from the end,
     * then the rest from the front. */
    ok = 0;
    t = now_s();
    for (int i = MANY - 1; i >= 0; i -= 2)
        ok += ps_unsubscribe(hub, many[i], PS_CHANNEL, EXPIRED_CH);
    ck_assert_uint_eq(ps_hub_receivers(hub, PS_CHANNEL, EXPIRED_CH), MANY / 2);
    for (int i = 0; i < MANY; i += 2)
        ok += ps_unsubscribe(hub, many[i], PS_CHANNEL, EXPIRED_CH);
    phase_done(t, "unsubscribe");
    ck_assert_uint_eq(ok, MANY);
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), 0);
    for (int i = 0; i < MANY; i++)
        ps_sub_destroy(hub, many[i]);
}
END_TEST

static size_t meta_name(char *buf, size_t cap, int i)
{
    return (size_t)snprintf(buf, cap, "celery-task-meta-%d", i);
}

START_TEST(many_channels_on_one_subscriber)
{
    char name[32];
    size_t len, ok = 0;
    double t;
    t = now_s();
    for (int i = 0; i < MANY; i++) {
        len = meta_name(name, sizeof(name), i);
        ok += ps_subscribe(hub, A, PS_CHANNEL, name, len);
    }
    phase_done(t, "subscribe");
    ck_assert_uint_eq(ok, MANY);
    /* Another subscriber shares a few: the shared lookup stays exact. */
    for (int i = 0; i < MANY; i += 1000) {
        len = meta_name(name, sizeof(name), i);
        ck_assert(ps_subscribe(hub, B, PS_CHANNEL, name, len));
    }
    ok = 0;
    t = now_s();
    for (int i = 0; i < MANY; i++) {
        len = meta_name(name, sizeof(name), i);
        ok += ps_subscribe(hub, A, PS_CHANNEL, name, len);
    }
    phase_done(t, "repeat subscribe");
    ck_assert_uint_eq(ok, 0);
    ck_assert_uint_eq(ps_sub_count(A, PS_CHANNEL), MANY);
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), MANY);
    ck_assert_str_eq(first_of(A, PS_CHANNEL), "celery-task-meta-0");
    len = meta_name(name, sizeof(name), MANY - 1);
    log_buf[0] = '\0';
    ck_assert_int_eq(ps_publish(hub, PS_CHANNEL, name, len, "r", 1, record, &log_buf), 1);
    ck_assert_str_eq(pub(PS_CHANNEL, "celery-task-meta-3000", "r", 2),
                     "a/C//celery-task-meta-3000/r;b/C//celery-task-meta-3000/r;");
    ok = 0;
    t = now_s();
    for (int i = MANY - 1; i >= 0; i--) {     /* newest first: the subscriber's tail */
        len = meta_name(name, sizeof(name), i);
        ok += ps_unsubscribe(hub, A, PS_CHANNEL, name, len);
    }
    phase_done(t, "unsubscribe");
    ck_assert_uint_eq(ok, MANY);
    ck_assert_uint_eq(ps_sub_count(A, PS_CHANNEL), 0);
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), MANY / 1000);
    check_invariants();
    t = now_s();
    for (int i = 0; i < MANY; i++) {          /* and again, dropped all at once */
        len = meta_name(name, sizeof(name), i);
        ps_subscribe(hub, A, PS_CHANNEL, name, len);
    }
    ps_sub_destroy(hub, A);
    A = NULL;
    phase_done(t, "subscribe + destroy");
    ck_assert_uint_eq(ps_hub_count(hub, PS_CHANNEL), MANY / 1000);
}
END_TEST

START_TEST(many_patterns_cost_one_match_each)
{
    char name[32];
    size_t len;
    for (int i = 0; i < 1000; i++) {
        len = (size_t)snprintf(name, sizeof(name), "job.%d.*", i);
        ck_assert(ps_subscribe(hub, (i & 1) ? A : B, PS_PATTERN, name, len));
    }
    ck_assert_uint_eq(ps_hub_count(hub, PS_PATTERN), 1000);
    ck_assert_str_eq(pub(PS_CHANNEL, "job.777.done", "x", 1), "a/P/job.777.*/job.777.done/x;");
    ck_assert_str_eq(pub(PS_CHANNEL, "job.1000.done", "x", 0), "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hub");
    TCase *tc = tcase_create("core");
    TCase *scale = tcase_create("scale");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, subscribe_and_unsubscribe_return_values);
    tcase_add_test(tc, counts_per_kind);
    tcase_add_test(tc, first_is_the_oldest_subscription);
    tcase_add_test(tc, first_drains_like_argumentless_unsubscribe);
    tcase_add_test(tc, publish_order_channels_then_patterns);
    tcase_add_test(tc, channel_and_pattern_count_twice);
    tcase_add_test(tc, shard_channels_are_their_own_namespace);
    tcase_add_test(tc, glob_patterns);
    tcase_add_test(tc, glob_star_and_empty_channel);
    tcase_add_test(tc, binary_names);
    tcase_add_test(tc, destroy_drops_everything);
    tcase_add_test(tc, chans_freed_when_empty);
    tcase_add_test(tc, foreach_in_first_subscription_order);
    tcase_add_test(tc, null_destroys_are_noops);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(scale, setup, teardown);
    tcase_set_timeout(scale, 60);
    tcase_add_test(scale, many_subscribers_on_one_channel);
    tcase_add_test(scale, many_channels_on_one_subscriber);
    tcase_add_test(scale, many_patterns_cost_one_match_each);
    suite_add_tcase(s, scale);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
