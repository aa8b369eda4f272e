/*
 * check_replay: every write command's journaled effect, replayed, gives the
 * same dataset. Server A runs a sequence of commands through a fake client;
 * its effect hook (what the journal appends) records each effect, which is
 * replayed on server B the way start-up replays the journal (SELECT when the
 * database changes, MULTI/EXEC rows with db -1 passed through). After every
 * command both datasets' digests must be equal, so a command whose effect
 * loses, adds or reorders anything fails here. The suite also fails when a
 * command flagged `write` in the table has no case below, so a new write
 * command cannot go unchecked.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/server.h"
#include "engine/digest.h"
#include "engine/kv.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* One command per string, words split on spaces ("" for an empty word is
 * not needed by any case). Cumulative: later cases see earlier keys. */
static const char *const cases[] = {
    /* strings */
    "set s1 hello", "set s2 10 EX 100", "set s3 x PXAT 99999999999999", "set s1 again KEEPTTL GET",
    "setnx s4 a", "setex s5 100 v", "psetex s6 100000 v", "getset s4 b", "getdel s4", "getex s1 EX 50",
    "getex s1 PERSIST", "append s1 !!", "append new z", "setrange s1 3 XYZ", "setrange pad 5 q",
    "incr n1", "incrby n1 41", "decr n1", "decrby n1 2", "incrbyfloat f1 2.5", "incrbyfloat f1 1e3",
    "mset m1 a m2 b", "msetnx m3 c m4 d", "msetnx m3 x m5 y", "setbit b1 7 1", "setbit b1 100 1",
    "bitop AND b2 b1 s1", "bitop NOT b3 b1", "bitfield bf SET u8 0 200 INCRBY i5 8 30 OVERFLOW SAT INCRBY u4 0 20",
    "delifeq s2 10", "delifeq s5 nope",
    /* keys */
    "expire s1 1000", "pexpire m1 500000", "expireat m2 9999999999", "pexpireat m3 9999999999999",
    "expire m4 100 NX", "persist m1", "rename m2 m2r", "renamenx m3 m3r", "renamenx m2r s1",
    "copy m2r m2c", "copy m2r m2d DB 2", "move m3r 3", "del m4", "unlink m5 nope", "expire s6 0",
    /* lists */
    "rpush l1 a b c d e f", "lpush l1 z y", "lpushx l1 w", "rpushx l1 q", "lpushx nol a",
    "linsert l1 BEFORE c cc", "lset l1 0 W", "lset l1 -1 Q", "lrem l1 1 b", "ltrim l1 1 -2",
    "lpop l1", "rpop l1 2", "lmove l1 l2 LEFT RIGHT", "rpoplpush l1 l2", "blpop l1 0", "brpop l2 0",
    "brpoplpush l1 l3 0", "blmove l3 l1 RIGHT LEFT 0", "lmpop 2 nol l1 LEFT COUNT 2", "blmpop 0 1 l1 RIGHT",
    "rpush big 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
    /* hashes */
    "hset h1 f1 v1 f2 v2 f3 3", "hmset h1 f4 v4", "hsetnx h1 f1 x", "hsetnx h1 f5 v5", "hdel h1 f2 nope",
    "hincrby h1 f3 7", "hincrbyfloat h1 f6 0.25",
    /* sets */
    "sadd st1 a b c d e 1 2 3", "sadd st2 c d e f", "sadd ints 1 2 3 4", "srem st1 a nope", "smove st1 st2 b",
    "spop st1", "spop st2 2", "spop ints 10", "sinterstore st3 st1 st2", "sunionstore st4 st1 st2",
    "sdiffstore st5 st4 st1",
    /* sorted sets */
    "zadd z1 1 a 2 b 3 c 4 d 5 e", "zadd z1 XX CH 10 a", "zadd z1 NX 7 f", "zadd z1 GT 1 b", "zadd z1 INCR 2 c",
    "zadd z2 -inf lo +inf hi 0 mid", "zincrby z1 1.5 d", "zrem z1 e nope", "zremrangebyscore z1 (1 2",
    "zremrangebyrank z1 0 0", "zremrangebylex z2 [lo [lo", "zpopmin z1", "zpopmax z1 1", "bzpopmin z1 0",
    "bzpopmax z2 0", "zmpop 1 z2 MIN", "bzmpop 0 1 z1 MAX", "zadd z3 1 a 2 b 3 c", "zadd z4 5 b 6 c 7 d",
    "zunionstore z5 2 z3 z4 WEIGHTS 2 1", "zinterstore z6 2 z3 z4 AGGREGATE MAX", "zdiffstore z7 2 z3 z4",
    "zrangestore z8 z5 0 -1", "zrangestore z9 z5 (1 +inf BYSCORE LIMIT 0 2",
    /* sort */
    "rpush sl 3 1 2", "sort sl STORE sorted", "sort sl DESC STORE sl",
    /* streams */
    "xadd x1 1-1 f v", "xadd x1 * a b", "xadd x1 MAXLEN 5 * c d", "xadd x1 99999999999999-* e f", "xdel x1 1-1",
    "xtrim x1 MAXLEN 1", "xadd x2 NOMKSTREAM * a b",
    /* DUMP / RESTORE: "@key" stands for DUMP key's payload */
    "restore rh1 0 @h1", "restore rz3 100000 @z3", "restore rx1 0 @x1", "restore st4 0 @st1 REPLACE",
    "restore ri 0 @st4 ABSTTL IDLETIME 10", "restore n1 99999999999999 @big REPLACE ABSTTL",
    /* databases */
    "select 5", "set in5 v", "rpush l5 a b", "swapdb 5 6", "select 6", "copy l5 l5c", "flushdb",
    "select 0", "swapdb 0 7", "swapdb 7 0",
    /* transactions and scripts: one unit */
    "multi", "incr tx", "rpush txl a", "spop st4", "exec",
    "eval redis.call('set','ev','1');redis.call('spop','st4');return redis.call('incr','ev') 0",
    "eval return(redis.call('rpush',KEYS[1],'x','y')) 1 evl",
    /* every database */
    "flushall",
    "set after flush",
};

struct effect {
    int db, argc;
    struct resp_arg *argv;
};

static struct effect *log_;
static size_t nlog, caplog;

static void on_effect(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    struct effect *e;
    (void)ctx;
    if (nlog == caplog) {
        caplog = caplog ? caplog * 2 : 64;
        log_ = realloc(log_, caplog * sizeof(*log_));
    }
    e = &log_[nlog++];
    e->db = db;
    e->argc = argc;
    e->argv = calloc((size_t)argc, sizeof(*e->argv));
    for (int i = 0; i < argc; i++) {
        char *p = malloc(argv[i].len + 1);
        memcpy(p, argv[i].ptr, argv[i].len);
        p[argv[i].len] = '\0';
        e->argv[i].ptr = p;
        e->argv[i].len = argv[i].len;
    }
}

static void effect_free(struct effect *e)
{
    for (int i = 0; i < e->argc; i++)
        free((char *)e->argv[i].ptr);
    free(e->argv);
}

static struct server *a, *b;
static struct client *ca, *cb;
static int replay_db;

static void no_save(struct client *c)
{
    const struct resp_arg argv[] = { { "CONFIG", 6 }, { "SET", 3 }, { "save", 4 }, { "", 0 } };
    client_exec_argv(c, 4, argv);
    reply_clear(&c->out);
}

static void setup(void)
{
    a = server_create(config_create());
    b = server_create(config_create());
    a->hooks = (struct server_hooks){ NULL, on_effect, NULL, NULL, NULL, NULL };
    ca = client_create_fake(a);
    cb = client_create_fake(b);
    no_save(ca);   /* FLUSHALL would write dump.rdb into the working directory */
    no_save(cb);
    replay_db = 0;
    nlog = 0;
}

static void teardown(void)
{
    for (size_t i = 0; i < nlog; i++)
        effect_free(&log_[i]);
    free(log_);
    log_ = NULL;
    nlog = caplog = 0;
    client_free(ca);
    client_free(cb);
    server_destroy(a);
    server_destroy(b);
}

/* Splits `line` into words (a static copy), returns argc. */
static int split(const char *line, struct resp_arg *argv, int max)
{
    static char buf[1024];
    int argc = 0;
    snprintf(buf, sizeof(buf), "%s", line);
    if (strncmp(buf, "eval ", 5) == 0) {   /* the script is one word: up to its last " <numkeys>" */
        char *sp = strchr(buf + 5, ' ');
        char *nk = sp;
        while (sp) {
            if (sp[1] >= '0' && sp[1] <= '9' && (sp[2] == ' ' || sp[2] == '\0'))
                nk = sp;
            sp = strchr(sp + 1, ' ');
        }
        buf[4] = '\0';
        argv[argc++] = (struct resp_arg){ buf, 4 };
        *nk = '\0';
        argv[argc++] = (struct resp_arg){ buf + 5, strlen(buf + 5) };
        line = nk + 1;
        for (char *w = strtok((char *)line, " "); w && argc < max; w = strtok(NULL, " "))
            argv[argc++] = (struct resp_arg){ w, strlen(w) };
        return argc;
    }
    for (char *w = strtok(buf, " "); w && argc < max; w = strtok(NULL, " "))
        argv[argc++] = (struct resp_arg){ w, strlen(w) };
    return argc;
}

/* Replaces each "@key" word by the payload DUMP key answers on A. */
static void substitute_dumps(struct resp_arg *argv, int argc, char **owned)
{
    for (int i = 0; i < argc; i++) {
        owned[i] = NULL;
        if (argv[i].len < 2 || argv[i].ptr[0] != '@')
            continue;
        const struct resp_arg dump[2] = { { "DUMP", 4 }, { argv[i].ptr + 1, argv[i].len - 1 } };
        size_t len;
        client_exec_argv(ca, 2, dump);
        char *bytes = reply_detach(&ca->out, &len), *body;
        ck_assert_msg(bytes[0] == '$' && bytes[1] != '-', "DUMP %s gave no payload", argv[i].ptr + 1);
        body = strstr(bytes, "\r\n") + 2;
        argv[i].len = strtoul(bytes + 1, NULL, 10);
        memmove(bytes, body, argv[i].len);
        argv[i].ptr = owned[i] = bytes;
    }
}

static void replay(size_t from)
{
    for (size_t i = from; i < nlog; i++) {
        struct effect *e = &log_[i];
        if (e->db >= 0 && e->db != replay_db) {
            char num[16];
            struct resp_arg sel[2] = { { "SELECT", 6 }, { num, 0 } };
            sel[1].len = (size_t)snprintf(num, sizeof(num), "%d", e->db);
            client_exec_argv(cb, 2, sel);
            replay_db = e->db;
        }
        uint64_t errors = cb->out.errors;
        client_exec_argv(cb, e->argc, e->argv);
        ck_assert_msg(cb->out.errors == errors, "effect %.*s failed on replay", (int)e->argv[0].len,
                      e->argv[0].ptr);
        reply_clear(&cb->out);
    }
}

static void digests_equal(const char *after)
{
    unsigned char da[DIGEST_LEN], db[DIGEST_LEN];
    char ha[DIGEST_HEX_LEN + 1], hb[DIGEST_HEX_LEN + 1];
    int64_t now = (int64_t)time(NULL) * 1000;
    digest_keyspace(a->ks, now, da);
    digest_keyspace(b->ks, now, db);
    digest_hex(da, ha);
    digest_hex(db, hb);
    ck_assert_msg(strcmp(ha, hb) == 0, "after `%s`: replayed dataset differs (%s vs %s)", after, ha, hb);
}

START_TEST(every_case_replays_to_the_same_dataset)
{
    struct resp_arg argv[64];
    unsigned char empty[DIGEST_LEN] = { 0 }, da[DIGEST_LEN];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t from = nlog;
        int argc = split(cases[i], argv, 64);
        char *owned[64];
        uint64_t errors = ca->out.errors;
        substitute_dumps(argv, argc, owned);
        client_exec_argv(ca, argc, argv);
        for (int j = 0; j < argc; j++)
            free(owned[j]);
        ck_assert_msg(ca->out.errors == errors, "case `%s` failed on the source", cases[i]);
        reply_clear(&ca->out);
        replay(from);
        digests_equal(cases[i]);
    }
    digest_keyspace(a->ks, (int64_t)time(NULL) * 1000, da);
    ck_assert_msg(memcmp(da, empty, DIGEST_LEN) != 0, "the sequence ends with data");
}
END_TEST

/* A key read after its deadline is deleted on access: the DEL effect. */
START_TEST(lazy_expiry_replays_as_del)
{
    struct resp_arg argv[8];
    const char *const seq[] = { "set gone v PX 1", "rpush keep a", "get gone" };
    for (size_t i = 0; i < 3; i++) {
        size_t from = nlog;
        int argc = split(seq[i], argv, 8);
        if (i == 2) {
            struct timespec ts = { 0, 20 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        client_exec_argv(ca, argc, argv);
        reply_clear(&ca->out);
        replay(from);
    }
    ck_assert_int_eq(log_[nlog - 1].argc, 2);
    ck_assert_str_eq(log_[nlog - 1].argv[0].ptr, "DEL");
    digests_equal("the lazy expiry");
}
END_TEST

static bool has_case(const char *name)
{
    size_t n = strlen(name);
    char sub[64];
    const char *bar = strchr(name, '|');
    if (bar)   /* "parent|sub": a case "parent sub ..." */
        snprintf(sub, sizeof(sub), "%.*s %s", (int)(bar - name), name, bar + 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (bar ? strncasecmp(cases[i], sub, strlen(sub)) == 0
                : strncasecmp(cases[i], name, n) == 0 && (cases[i][n] == ' ' || cases[i][n] == '\0'))
            return true;
    }
    return false;
}

static char missing[2048];

static void check_def(const struct cmd_def *d, const char *parent)
{
    char full[96];
    snprintf(full, sizeof(full), "%s%s%s", parent ? parent : "", parent ? "|" : "", d->name);
    if ((d->flags & CMD_WRITE) && !has_case(full)) {
        size_t n = strlen(missing);
        snprintf(missing + n, sizeof(missing) - n, " %s", full);
    }
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        check_def(s, d->name);
}

static void each_def(const struct cmd_def *d, void *arg)
{
    (void)arg;
    check_def(d, NULL);
}

START_TEST(every_write_command_has_a_case)
{
    missing[0] = '\0';
    cmd_foreach(a->cmds, each_def, NULL);
    ck_assert_msg(missing[0] == '\0', "write commands without a replay case:%s", missing);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("effects");
    int failed;
    SRunner *sr;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_case_replays_to_the_same_dataset);
    tcase_add_test(tc, lazy_expiry_replays_as_del);
    tcase_add_test(tc, every_write_command_has_a_case);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
