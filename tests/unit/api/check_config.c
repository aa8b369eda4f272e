/*
 * check_config: the configuration module (api/config.c).
 *
 * Every expected value and error text below was read off the real Debian
 * redis-server 7.0.15: `defaults` is its CONFIG GET * (port 6379; `dir` is
 * taskkv's own default), `transcript` replays a CONFIG SET/GET session run
 * against it (CONFIG GET pairs sorted by name, `dir` left out), and the
 * FATAL CONFIG FILE ERROR blocks are what it printed for the same files and
 * command lines. tests/data/redis.conf is Debian's stock /etc/redis/redis.conf.
 *
 * Each test gets a fresh config and a fresh temporary directory (fixture).
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/config.h"
#include "api/config_rewrite.h"

/* ------------------------------------------------------------------ */
/* fixture and helpers                                                 */
/* ------------------------------------------------------------------ */

static struct config *cfg;
static char tmpdir[64];
static char err[CONFIG_ERR_LEN];
static char files[32][128];
static int nfiles;

static void setup(void)
{
    cfg = config_create();
    strcpy(tmpdir, "/tmp/check_config.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    nfiles = 0;
    err[0] = '\0';
}

static void teardown(void)
{
    config_destroy(cfg);
    for (int i = 0; i < nfiles; i++)
        unlink(files[i]);
    rmdir(tmpdir);
}

/* Writes tmpdir/name and returns its path (valid until teardown). */
static const char *write_file(const char *name, const char *content)
{
    char *path = files[nfiles++];
    FILE *fp;
    snprintf(path, sizeof(files[0]), "%s/%s", tmpdir, name);
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(content, fp);
    fclose(fp);
    return path;
}

/* An absolute path to tests/data/name: under TASKKV_SOURCE_DIR if the build
 * defines it, else found from this file's path (absolute in CMake builds,
 * else relative to the current directory). */
static const char *data_path(const char *name)
{
    static char buf[PATH_MAX], cwd[PATH_MAX / 2];
#ifdef TASKKV_SOURCE_DIR
    const char *root = TASKKV_SOURCE_DIR "/";
    int rootlen = (int)strlen(root);
#else
    const char *root = __FILE__;
    int rootlen = (int)(strlen(root) - strlen("tests/unit/api/check_config.c"));
#endif
    if (root[0] != '/' && getcwd(cwd, sizeof(cwd)))
        snprintf(buf, sizeof(buf), "%s/%.*stests/data/%s", cwd, rootlen, root, name);
    else
        snprintf(buf, sizeof(buf), "%.*stests/data/%s", rootlen, root, name);
    return buf;
}

static int set_n(int nargs, const char *const *args, unsigned flags)
{
    struct config_arg a[16];
    for (int i = 0; i < nargs; i++) {
        a[i].ptr = args[i];
        a[i].len = strlen(args[i]);
    }
    err[0] = '\0';
    return config_set(cfg, nargs, a, flags, err, sizeof(err));
}

static int set1(const char *name, const char *value)
{
    const char *args[2] = {name, value};
    return set_n(2, args, 0);
}

#define SET_OK(name, value) ck_assert_msg(set1(name, value) == 0, "%s %s: %s", name, value, err)
#define SET_ERR(name, value, text)                                                                  \
    do {                                                                                            \
        ck_assert_int_eq(set1(name, value), -1);                                                    \
        ck_assert_str_eq(err, text);                                                                \
    } while (0)

struct pair {
    char name[128];
    char value[1024];
    size_t vlen;
};
static struct pair got[512];
static int ngot;

static void collect(void *ctx, const char *name, size_t nlen, const char *value, size_t vlen)
{
    ck_assert_int_lt(ngot, 512);
    snprintf(got[ngot].name, sizeof(got[0].name), "%.*s", (int)nlen, name);
    memcpy(got[ngot].value, value, vlen < 1023 ? vlen : 1023);
    got[ngot].value[vlen < 1023 ? vlen : 1023] = '\0';
    got[ngot].vlen = vlen;
    ngot++;
}

static size_t get_n(int n, const char *const *pats)
{
    struct config_arg a[16];
    for (int i = 0; i < n; i++) {
        a[i].ptr = pats[i];
        a[i].len = strlen(pats[i]);
    }
    ngot = 0;
    size_t count = config_get(cfg, n, a, collect, NULL);
    ck_assert_int_eq(count, (size_t)ngot);
    ck_assert_int_eq(config_get(cfg, n, a, NULL, NULL), count);
    return count;
}

static const char *got_value(const char *name)
{
    for (int i = 0; i < ngot; i++)
        if (!strcmp(got[i].name, name))
            return got[i].value;
    return NULL;
}

static const char *val(const char *name)
{
    const char *v = config_value(cfg, name);
    ck_assert_msg(v != NULL, "no parameter %s", name);
    return v;
}

static int load_file_text(const char *content)
{
    const char *path = write_file("t.conf", content);
    err[0] = '\0';
    return config_load_file(cfg, path, err, sizeof(err));
}

static int load_argv(int argc, const char *const *argv)
{
    err[0] = '\0';
    return config_load_argv(cfg, argc, (char **)argv, err, sizeof(err));
}

#define FATAL(line, text, reason)                                                                   \
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line " line \
    "\n>>> '" text "'\n" reason

/* ------------------------------------------------------------------ */
/* defaults                                                            */
/* ------------------------------------------------------------------ */

static const char *const defaults[][2] = {
    {"acl-pubsub-default", "resetchannels"},
    {"aclfile", ""},
    {"acllog-max-len", "128"},
    {"active-defrag-cycle-max", "25"},
    {"active-defrag-cycle-min", "1"},
    {"active-defrag-ignore-bytes", "104857600"},
    {"active-defrag-max-scan-fields", "1000"},
    {"active-defrag-threshold-lower", "10"},
    {"active-defrag-threshold-upper", "100"},
    {"active-expire-effort", "1"},
    {"activedefrag", "no"},
    {"activerehashing", "yes"},
    {"always-show-logo", "no"},
    {"aof-disable-auto-gc", "no"},
    {"aof-load-truncated", "yes"},
    {"aof-rewrite-incremental-fsync", "yes"},
    {"aof-timestamp-enabled", "no"},
    {"aof-use-rdb-preamble", "yes"},
    {"aof_rewrite_cpulist", ""},
    {"appenddirname", "appendonlydir"},
    {"appendfilename", "appendonly.aof"},
    {"appendfsync", "everysec"},
    {"appendonly", "yes"},   /* taskkv's default (README: a job server keeps its queue); Redis: no */
    {"auto-aof-rewrite-min-size", "67108864"},
    {"auto-aof-rewrite-percentage", "100"},
    {"bgsave_cpulist", ""},
    {"bind", "* -::*"},
    {"bind-source-addr", ""},
    {"bio_cpulist", ""},
    {"busy-reply-threshold", "5000"},
    {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {"client-query-buffer-limit", "1073741824"},
    {"cluster-allow-pubsubshard-when-down", "yes"},
    {"cluster-allow-reads-when-down", "no"},
    {"cluster-allow-replica-migration", "yes"},
    {"cluster-announce-bus-port", "0"},
    {"cluster-announce-hostname", ""},
    {"cluster-announce-ip", ""},
    {"cluster-announce-port", "0"},
    {"cluster-announce-tls-port", "0"},
    {"cluster-config-file", "nodes.conf"},
    {"cluster-enabled", "no"},
    {"cluster-link-sendbuf-limit", "0"},
    {"cluster-migration-barrier", "1"},
    {"cluster-node-timeout", "15000"},
    {"cluster-port", "0"},
    {"cluster-preferred-endpoint-type", "ip"},
    {"cluster-replica-no-failover", "no"},
    {"cluster-replica-validity-factor", "10"},
    {"cluster-require-full-coverage", "yes"},
    {"cluster-slave-no-failover", "no"},
    {"cluster-slave-validity-factor", "10"},
    {"crash-log-enabled", "yes"},
    {"crash-memcheck-enabled", "yes"},
    {"daemonize", "no"},
    {"databases", "16"},
    {"dbfilename", "dump.rdb"},
    {"disable-thp", "yes"},
    {"dynamic-hz", "yes"},
    {"enable-debug-command", "no"},
    {"enable-module-command", "no"},
    {"enable-protected-configs", "no"},
    {"hash-max-listpack-entries", "512"},
    {"hash-max-listpack-value", "64"},
    {"hash-max-ziplist-entries", "512"},
    {"hash-max-ziplist-value", "64"},
    {"hll-sparse-max-bytes", "3000"},
    {"hz", "10"},
    {"ignore-warnings", ""},
    {"io-threads", "1"},
    {"io-threads-do-reads", "no"},
    {"jemalloc-bg-thread", "yes"},
    {"latency-monitor-threshold", "0"},
    {"latency-tracking", "yes"},
    {"latency-tracking-info-percentiles", "50 99 99.9"},
    {"lazyfree-lazy-eviction", "no"},
    {"lazyfree-lazy-expire", "no"},
    {"lazyfree-lazy-server-del", "no"},
    {"lazyfree-lazy-user-del", "no"},
    {"lazyfree-lazy-user-flush", "no"},
    {"lfu-decay-time", "1"},
    {"lfu-log-factor", "10"},
    {"list-compress-depth", "0"},
    {"list-max-listpack-size", "-2"},
    {"list-max-ziplist-size", "-2"},
    {"logfile", ""},
    {"loglevel", "notice"},
    {"lua-time-limit", "5000"},
    {"masterauth", ""},
    {"masteruser", ""},
    {"maxclients", "10000"},
    {"maxmemory", "0"},
    {"maxmemory-clients", "0"},
    {"maxmemory-eviction-tenacity", "10"},
    {"maxmemory-policy", "noeviction"},
    {"maxmemory-samples", "5"},
    {"min-replicas-max-lag", "10"},
    {"min-replicas-to-write", "0"},
    {"min-slaves-max-lag", "10"},
    {"min-slaves-to-write", "0"},
    {"no-appendfsync-on-rewrite", "no"},
    {"notify-keyspace-events", ""},
    {"oom-score-adj", "no"},
    {"oom-score-adj-values", "0 200 800"},
    {"pidfile", ""},
    {"port", "6379"},
    {"proc-title-template", "{title} {listen-addr} {server-mode}"},
    {"propagation-error-behavior", "ignore"},
    {"protected-mode", "yes"},
    {"proto-max-bulk-len", "536870912"},
    {"rdb-del-sync-files", "no"},
    {"rdb-save-incremental-fsync", "yes"},
    {"rdbchecksum", "yes"},
    {"rdbcompression", "yes"},
    {"repl-backlog-size", "1048576"},
    {"repl-backlog-ttl", "3600"},
    {"repl-disable-tcp-nodelay", "no"},
    {"repl-diskless-load", "disabled"},
    {"repl-diskless-sync", "yes"},
    {"repl-diskless-sync-delay", "5"},
    {"repl-diskless-sync-max-replicas", "0"},
    {"repl-ping-replica-period", "10"},
    {"repl-ping-slave-period", "10"},
    {"repl-timeout", "60"},
    {"replica-announce-ip", ""},
    {"replica-announce-port", "0"},
    {"replica-announced", "yes"},
    {"replica-ignore-disk-write-errors", "no"},
    {"replica-ignore-maxmemory", "yes"},
    {"replica-lazy-flush", "no"},
    {"replica-priority", "100"},
    {"replica-read-only", "yes"},
    {"replica-serve-stale-data", "yes"},
    {"replicaof", ""},
    {"requirepass", ""},
    {"sanitize-dump-payload", "no"},
    {"save", "3600 1 300 100 60 10000"},
    {"server_cpulist", ""},
    {"set-max-intset-entries", "512"},
    {"set-proc-title", "yes"},
    {"shutdown-on-sigint", "default"},
    {"shutdown-on-sigterm", "default"},
    {"shutdown-timeout", "10"},
    {"slave-announce-ip", ""},
    {"slave-announce-port", "0"},
    {"slave-ignore-maxmemory", "yes"},
    {"slave-lazy-flush", "no"},
    {"slave-priority", "100"},
    {"slave-read-only", "yes"},
    {"slave-serve-stale-data", "yes"},
    {"slaveof", ""},
    {"slowlog-log-slower-than", "10000"},
    {"slowlog-max-len", "128"},
    {"socket-mark-id", "0"},
    {"stop-writes-on-bgsave-error", "yes"},
    {"stream-node-max-bytes", "4096"},
    {"stream-node-max-entries", "100"},
    {"supervised", "no"},
    {"syslog-enabled", "no"},
    {"syslog-facility", "local0"},
    {"syslog-ident", "redis"},
    {"tcp-backlog", "511"},
    {"tcp-keepalive", "300"},
    {"timeout", "0"},
    {"tls-auth-clients", "yes"},
    {"tls-ca-cert-dir", ""},
    {"tls-ca-cert-file", ""},
    {"tls-cert-file", ""},
    {"tls-ciphers", ""},
    {"tls-ciphersuites", ""},
    {"tls-client-cert-file", ""},
    {"tls-client-key-file", ""},
    {"tls-client-key-file-pass", ""},
    {"tls-cluster", "no"},
    {"tls-dh-params-file", ""},
    {"tls-key-file", ""},
    {"tls-key-file-pass", ""},
    {"tls-port", "0"},
    {"tls-prefer-server-ciphers", "no"},
    {"tls-protocols", ""},
    {"tls-replication", "no"},
    {"tls-session-cache-size", "20480"},
    {"tls-session-cache-timeout", "300"},
    {"tls-session-caching", "yes"},
    {"tracking-table-max-keys", "1000000"},
    {"unixsocket", ""},
    {"unixsocketperm", "0"},
    {"zset-max-listpack-entries", "128"},
    {"zset-max-listpack-value", "64"},
    {"zset-max-ziplist-entries", "128"},
    {"zset-max-ziplist-value", "64"},
};

START_TEST(test_multi_arg_option_as_one_argument)
{
    /* --save "3600 1" and a file's save "300 10": one argument is split on
     * spaces, as redis-server does for every several-argument option */
    static const char *const argv[] = { "--save", "3600 1", "--client-output-buffer-limit", "pubsub 1mb 0 0" };
    ck_assert_int_eq(load_argv(4, argv), CONFIG_LOAD_OK);
    ck_assert_str_eq(config_value(cfg, "save"), "3600 1");
    ck_assert_str_eq(config_value(cfg, "client-output-buffer-limit"),
                     "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0");
    ck_assert_int_eq(config_values(cfg)->nsave, 1);
    ck_assert_int_eq(load_file_text("save \"300 10 60 5\"\n"), CONFIG_LOAD_OK);
    ck_assert_str_eq(config_value(cfg, "save"), "300 10 60 5");
}
END_TEST

START_TEST(test_defaults_match_redis)
{
    static const char *const all[] = {"*"};
    char cwd[PATH_MAX], want_dir[PATH_MAX + 8];
    size_t n = sizeof(defaults) / sizeof(defaults[0]);

    ck_assert_int_eq(get_n(1, all), n + 1); /* and dir */
    for (size_t i = 0; i < n; i++) {
        const char *v = got_value(defaults[i][0]);
        ck_assert_msg(v != NULL, "missing %s", defaults[i][0]);
        ck_assert_msg(!strcmp(v, defaults[i][1]), "%s: got '%s' want '%s'", defaults[i][0], v, defaults[i][1]);
    }
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    snprintf(want_dir, sizeof(want_dir), "%s/data", strcmp(cwd, "/") ? cwd : "");
    if (access(want_dir, F_OK) != 0) /* else it is resolved with realpath() */
        ck_assert_str_eq(got_value("dir"), want_dir);
    ck_assert_int_eq(got_value("dir")[0], '/');
}
END_TEST

START_TEST(test_defaults_typed)
{
    const struct config_values *v = config_values(cfg);
    ck_assert_int_eq(v->port, 6379);
    ck_assert_int_eq(v->nbind, 2);
    ck_assert_str_eq(v->bind[0], "*");
    ck_assert_str_eq(v->bind[1], "-::*");
    ck_assert_ptr_null(v->unixsocket);
    ck_assert_uint_eq(v->unixsocketperm, 0);
    ck_assert_int_eq(v->tcp_backlog, 511);
    ck_assert_int_eq(v->tcp_keepalive, 300);
    ck_assert_int_eq(v->timeout, 0);
    ck_assert(v->protected_mode);
    ck_assert_uint_eq(v->maxclients, 10000);
    ck_assert_ptr_null(v->requirepass);
    ck_assert_uint_eq(v->requirepass_len, 0);
    ck_assert_int_eq(v->proto_max_bulk_len, 512LL * 1024 * 1024);
    ck_assert_int_eq(v->client_query_buffer_limit, 1024LL * 1024 * 1024);
    ck_assert(!v->daemonize);
    ck_assert_ptr_null(v->pidfile);
    ck_assert_int_eq(v->loglevel, CONFIG_LOG_NOTICE);
    ck_assert_str_eq(v->logfile, "");
    ck_assert_int_eq(v->hz, 10);
    ck_assert_int_eq(v->databases, 16);
    ck_assert_str_eq(v->notify_keyspace_events, "");
    ck_assert_uint_eq(v->maxmemory, 0);
    ck_assert_int_eq(v->maxmemory_policy, CONFIG_MAXMEMORY_NOEVICTION);
    ck_assert_int_eq(v->hash_max_listpack_entries, 512);
    ck_assert_int_eq(v->hash_max_listpack_value, 64);
    ck_assert_int_eq(v->list_max_listpack_size, -2);
    ck_assert_int_eq(v->set_max_intset_entries, 512);
    ck_assert_int_eq(v->zset_max_listpack_entries, 128);
    ck_assert_int_eq(v->zset_max_listpack_value, 64);
    ck_assert_int_eq(v->stream_node_max_bytes, 4096);
    ck_assert_int_eq(v->stream_node_max_entries, 100);
    ck_assert_str_eq(v->dir, val("dir"));
    ck_assert_str_eq(v->dbfilename, "dump.rdb");
    ck_assert(v->appendonly);   /* taskkv's default; Redis says no */
    ck_assert_int_eq(v->appendfsync, CONFIG_FSYNC_EVERYSEC);
    ck_assert_int_eq(v->nsave, 3);
    ck_assert_int_eq(v->save[0].seconds, 3600);
    ck_assert_int_eq(v->save[0].changes, 1);
    ck_assert_int_eq(v->save[2].seconds, 60);
    ck_assert_int_eq(v->save[2].changes, 10000);
    ck_assert_ptr_null(config_file_path(cfg));
    ck_assert_int_eq(config_not_acted_on(cfg, NULL, NULL), 0);
}
END_TEST

START_TEST(test_hidden_parameters)
{
    static const char *const hidden[] = {"watchdog-period", "use-exit-on-panic", "key-load-delay",
                                         "rdb-key-save-delay", "loading-process-events-interval-bytes"};
    static const char *const pats[] = {"*watchdog*", "*delay*"};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(get_n(1, &hidden[i]), 1);
    ck_assert_str_eq(got[0].value, "2097152");
    get_n(2, pats);
    ck_assert_ptr_null(got_value("watchdog-period"));
    ck_assert_ptr_null(got_value("key-load-delay"));
    ck_assert_ptr_nonnull(got_value("repl-diskless-sync-delay"));
    SET_OK("watchdog-period", "100");
    ck_assert_str_eq(val("watchdog-period"), "100");
}
END_TEST

/* ------------------------------------------------------------------ */
/* CONFIG GET                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_get_exact_and_patterns)
{
    static const char *const upper[] = {"MAXCLIENTS"};
    static const char *const twice[] = {"maxclients", "MAXCLIENTS", "maxcl*"};
    static const char *const alias[] = {"slaveof", "replicaof"};
    static const char *const mixed[] = {"HASH-MAX-ZIPLIST-ENTRIES", "hash-max-*"};
    static const char *const none[] = {"nosuch", "nosuch*", "maxclients\x01"};
    static const char *const several[] = {"*-max-*entries", "maxclients", "*-max-*entries"};

    ck_assert_int_eq(get_n(1, upper), 1);
    ck_assert_str_eq(got[0].name, "MAXCLIENTS"); /* shown as asked */
    ck_assert_str_eq(got[0].value, "10000");
    ck_assert_int_eq(get_n(3, twice), 1);
    ck_assert_str_eq(got[0].name, "maxclients");
    ck_assert_int_eq(get_n(2, alias), 2);
    ck_assert_int_eq(get_n(2, mixed), 4);
    ck_assert_str_eq(got_value("HASH-MAX-ZIPLIST-ENTRIES"), "512");
    ck_assert_ptr_null(got_value("hash-max-ziplist-entries"));
    ck_assert_str_eq(got_value("hash-max-listpack-value"), "64");
    ck_assert_int_eq(get_n(3, none), 0);
    ck_assert_int_eq(get_n(3, several), 7);
    ck_assert_str_eq(got_value("stream-node-max-entries"), "100");
}
END_TEST

struct step {
    const char *args[8];
    const char *reply;
};

/* A session against redis-server 7.0.15 started with
 * --port 23473 --unixsocket /tmp/rs23473.sock */
static const struct step transcript[] = {
    {{"set", "notify-keyspace-events", "Eg$lshzxet"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tg$lshzxetE"},
    {{"set", "notify-keyspace-events", "Eg$lshzxetd"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tAE"},
    {{"set", "notify-keyspace-events", "Kg$lshzxetn"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tg$lshzxetnK"},
    {{"set", "notify-keyspace-events", "AKn"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tAK"},
    {{"set", "notify-keyspace-events", "Em"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tEm"},
    {{"set", "notify-keyspace-events", "x"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tx"},
    {{"set", "notify-keyspace-events", ""}, "OK"},
    {{"set", "loglevel", "debug notice"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
    {{"set", "loglevel", "debug"}, "OK"},
    {{"set", "loglevel", "notice"}, "OK"},
    {{"set", "oom-score-adj", "relative"}, "OK"},
    {{"get", "oom-score-adj"}, "oom-score-adj\tyes"},
    {{"set", "oom-score-adj", "no"}, "OK"},
    {{"set", "tls-auth-clients", "OPTIONAL"}, "OK"},
    {{"get", "tls-auth-clients"}, "tls-auth-clients\toptional"},
    {{"set", "tls-auth-clients", "yes"}, "OK"},
    {{"set", "maxclients", "10", "maxclients", "10"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter"},
    {{"set", "maxclients", "10 "}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"},
    {{"set", "maxclients", " 10"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"},
    {{"set", "maxclients", "4294967296"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
    {{"set", "maxclients", "99999999999999999999"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"},
    {{"set", "maxmemory", "99999999999999999999"}, "OK"},
    {{"set", "maxmemory", "18446744073709551615"}, "OK"},
    {{"get", "maxmemory"}, "maxmemory\t18446744073709551615"},
    {{"set", "maxmemory", "18446744073709551616"}, "OK"},
    {{"set", "maxmemory", "20000000000gb"}, "OK"},
    {{"get", "maxmemory"}, "maxmemory\t3028092406290448384"},
    {{"set", "maxmemory", "0"}, "OK"},
    {{"set", "repl-backlog-size", "0"}, "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive"},
    {{"set", "maxmemory", "5b"}, "OK"},
    {{"get", "maxmemory"}, "maxmemory\t5"},
    {{"set", "maxmemory", "5B"}, "OK"},
    {{"set", "maxmemory", "0"}, "OK"},
    {{"set", "maxmemory", " 5"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
    {{"set", "maxmemory", "5 "}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
    {{"set", "timeout", "-0"}, "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"},
    {{"get", "timeout"}, "timeout\t0"},
    {{"set", "timeout", "0"}, "OK"},
    {{"set", "dynamic-hz", ""}, "ERR CONFIG SET failed (possibly related to argument 'dynamic-hz') - argument must be 'yes' or 'no'"},
    {{"set", "appendfilename", "x"}, "ERR CONFIG SET failed (possibly related to argument 'appendfilename') - can't set immutable config"},
    {{"set", "enable-debug-command", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config"},
    {{"set", "slowlog-max-len", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "active-defrag-max-scan-fields", "0"}, "ERR CONFIG SET failed (possibly related to argument 'active-defrag-max-scan-fields') - argument must be between 1 and 9223372036854775807 inclusive"},
    {{"set", "client-output-buffer-limit", "NORMAL 1 2 3"}, "OK"},
    {{"get", "client-output-buffer-limit"}, "client-output-buffer-limit\tnormal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {{"set", "client-output-buffer-limit", "normal 0 0 0"}, "OK"},
    {{"set", "client-output-buffer-limit", "normal 1 2 3x"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."},
    {{"set", "client-output-buffer-limit", "normal -1 2 3"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."},
    {{"set", "client-output-buffer-limit", ""}, "OK"},
    {{"get", "client-output-buffer-limit"}, "client-output-buffer-limit\tnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {{"set", "save", "3600 1 300 100 60 10000"}, "OK"},
    {{"set", "save", "10 1 10 1"}, "OK"},
    {{"get", "save"}, "save\t10 1 10 1"},
    {{"set", "save", "+10 1"}, "OK"},
    {{"get", "save"}, "save\t10 1"},
    {{"set", "save", "3600 1 300 100 60 10000"}, "OK"},
    {{"set", "proc-title-template", "{{title}}"}, "OK"},
    {{"set", "proc-title-template", "{title}"}, "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"},
    {{"set", "proc-title-template", "   "}, "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"},
    {{"set", "proc-title-template", "{title} {listen-addr} {server-mode} {port} {tls-port} {unixsocket} {config-file}"}, "OK"},
    {{"set", "proc-title-template", "{title} {listen-addr} {server-mode}"}, "OK"},
    {{"set", "cluster-announce-hostname", ""}, "OK"},
    {{"set", "cluster-announce-hostname", "a-b.c"}, "OK"},
    {{"get", "cluster-announce-hostname"}, "cluster-announce-hostname\ta-b.c"},
    {{"set", "cluster-announce-hostname", ""}, "OK"},
    {{"set", "latency-tracking-info-percentiles", "50  99"}, "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"},
    {{"set", "latency-tracking-info-percentiles", "1e1 0x10"}, "OK"},
    {{"get", "latency-tracking-info-percentiles"}, "latency-tracking-info-percentiles\t10 16"},
    {{"set", "latency-tracking-info-percentiles", "50 99 99.9"}, "OK"},
    {{"set", "latency-tracking-info-percentiles", "99.99999 0.0000001"}, "OK"},
    {{"get", "latency-tracking-info-percentiles"}, "latency-tracking-info-percentiles\t99.99999 0"},
    {{"set", "latency-tracking-info-percentiles", "50 99 99.9"}, "OK"},
    {{"set", "ignore-warnings", "ARM64-COW-BUG"}, "OK"},
    {{"get", "ignore-warnings"}, "ignore-warnings\tARM64-COW-BUG"},
    {{"set", "ignore-warnings", ""}, "OK"},
    {{"set", "list-max-listpack-size", "-2147483649"}, "ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - argument must be between -2147483648 and 2147483647 inclusive"},
    {{"set", "replica-announce-ip", ""}, "OK"},
    {{"set", "masterauth", "abc"}, "OK"},
    {{"get", "masterauth"}, "masterauth\tabc"},
    {{"set", "masterauth", ""}, "OK"},
    {{"set", "acl-pubsub-default", "ALLCHANNELS"}, "OK"},
    {{"get", "acl-pubsub-default"}, "acl-pubsub-default\tallchannels"},
    {{"set", "acl-pubsub-default", "resetchannels"}, "OK"},
    {{"set", "maxmemory", "1k", "maxclients", "0"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
    {{"get", "maxmemory"}, "maxmemory\t0"},
    {{"set", "appendonly", "yes"}, "OK"},
    {{"set", "maxmemory-clients", "0%"}, "OK"},
    {{"get", "maxmemory-clients"}, "maxmemory-clients\t0"},
    {{"set", "maxmemory-clients", "100%"}, "OK"},
    {{"set", "maxmemory-clients", "0"}, "OK"},
    {{"set", "maxmemory-clients", "%"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
    {{"set", "lua-time-limit", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "busy-reply-threshold", "9223372036854775807"}, "OK"},
    {{"set", "busy-reply-threshold", "5000"}, "OK"},
    {{"set", "cluster-node-timeout", "-5"}, "ERR CONFIG SET failed (possibly related to argument 'cluster-node-timeout') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "appendfilename", "x"}, "ERR CONFIG SET failed (possibly related to argument 'appendfilename') - can't set immutable config"},
    {{"set", "enable-debug-command", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config"},
    {{"set", "slowlog-max-len", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "active-defrag-max-scan-fields", "0"}, "ERR CONFIG SET failed (possibly related to argument 'active-defrag-max-scan-fields') - argument must be between 1 and 9223372036854775807 inclusive"},
    {{"set", "client-output-buffer-limit", "NORMAL 1 2 3"}, "OK"},
    {{"get", "client-output-buffer-limit"}, "client-output-buffer-limit\tnormal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {{"set", "client-output-buffer-limit", "normal 0 0 0"}, "OK"},
    {{"set", "client-output-buffer-limit", "normal 1 2 3x"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."},
    {{"set", "client-output-buffer-limit", "normal -1 2 3"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."},
    {{"set", "client-output-buffer-limit", ""}, "OK"},
    {{"get", "client-output-buffer-limit"}, "client-output-buffer-limit\tnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {{"set", "save", "3600 1 300 100 60 10000"}, "OK"},
    {{"set", "save", "10 1 10 1"}, "OK"},
    {{"get", "save"}, "save\t10 1 10 1"},
    {{"set", "save", "+10 1"}, "OK"},
    {{"get", "save"}, "save\t10 1"},
    {{"set", "save", "3600 1 300 100 60 10000"}, "OK"},
    {{"set", "proc-title-template", "{{title}}"}, "OK"},
    {{"set", "proc-title-template", "{title}"}, "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"},
    {{"set", "proc-title-template", "   "}, "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"},
    {{"set", "proc-title-template", "{title} {listen-addr} {server-mode} {port} {tls-port} {unixsocket} {config-file}"}, "OK"},
    {{"set", "proc-title-template", "{title} {listen-addr} {server-mode}"}, "OK"},
    {{"set", "cluster-announce-hostname", ""}, "OK"},
    {{"set", "cluster-announce-hostname", "a-b.c"}, "OK"},
    {{"get", "cluster-announce-hostname"}, "cluster-announce-hostname\ta-b.c"},
    {{"set", "cluster-announce-hostname", ""}, "OK"},
    {{"set", "latency-tracking-info-percentiles", "50  99"}, "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"},
    {{"set", "latency-tracking-info-percentiles", "1e1 0x10"}, "OK"},
    {{"get", "latency-tracking-info-percentiles"}, "latency-tracking-info-percentiles\t10 16"},
    {{"set", "latency-tracking-info-percentiles", "50 99 99.9"}, "OK"},
    {{"set", "latency-tracking-info-percentiles", "99.99999 0.0000001"}, "OK"},
    {{"get", "latency-tracking-info-percentiles"}, "latency-tracking-info-percentiles\t99.99999 0"},
    {{"set", "latency-tracking-info-percentiles", "50 99 99.9"}, "OK"},
    {{"set", "ignore-warnings", "ARM64-COW-BUG"}, "OK"},
    {{"get", "ignore-warnings"}, "ignore-warnings\tARM64-COW-BUG"},
    {{"set", "ignore-warnings", ""}, "OK"},
    {{"set", "list-max-listpack-size", "-2147483649"}, "ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - argument must be between -2147483648 and 2147483647 inclusive"},
    {{"set", "replica-announce-ip", ""}, "OK"},
    {{"set", "masterauth", "abc"}, "OK"},
    {{"get", "masterauth"}, "masterauth\tabc"},
    {{"set", "masterauth", ""}, "OK"},
    {{"set", "acl-pubsub-default", "ALLCHANNELS"}, "OK"},
    {{"get", "acl-pubsub-default"}, "acl-pubsub-default\tallchannels"},
    {{"set", "acl-pubsub-default", "resetchannels"}, "OK"},
    {{"set", "maxmemory", "1k", "maxclients", "0"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
    {{"get", "maxmemory"}, "maxmemory\t0"},
    {{"set", "appendonly", "yes"}, "OK"},
    {{"set", "maxmemory-clients", "0%"}, "OK"},
    {{"get", "maxmemory-clients"}, "maxmemory-clients\t0"},
    {{"set", "maxmemory-clients", "100%"}, "OK"},
    {{"set", "maxmemory-clients", "0"}, "OK"},
    {{"set", "maxmemory-clients", "%"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
    {{"set", "lua-time-limit", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "busy-reply-threshold", "9223372036854775807"}, "OK"},
    {{"set", "busy-reply-threshold", "5000"}, "OK"},
    {{"set", "cluster-node-timeout", "-5"}, "ERR CONFIG SET failed (possibly related to argument 'cluster-node-timeout') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "notify-keyspace-events", "Ktdn"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\ttdnK"},
    {{"set", "notify-keyspace-events", "Ag$"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tA"},
    {{"set", "notify-keyspace-events", "mKEgl"}, "OK"},
    {{"get", "notify-keyspace-events"}, "notify-keyspace-events\tglKEm"},
    {{"set", "notify-keyspace-events", ""}, "OK"},
    {{"set", "replica-ignore-disk-write-errors", "yes"}, "OK"},
    {{"get", "replica-ignore-disk-write-errors"}, "replica-ignore-disk-write-errors\tyes"},
    {{"set", "replica-ignore-disk-write-errors", "no"}, "OK"},
    {{"set", "socket-mark-id", "5"}, "ERR CONFIG SET failed (possibly related to argument 'socket-mark-id') - can't set immutable config"},
    {{"set", "shutdown-on-sigint", "nosave now"}, "OK"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tnosave now"},
    {{"set", "shutdown-on-sigint", "save nosave"}, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tnosave now"},
    {{"set", "shutdown-on-sigint", "now force"}, "OK"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tnow force"},
    {{"set", "shutdown-on-sigint", "force"}, "OK"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tforce"},
    {{"set", "shutdown-on-sigint", "default now"}, "OK"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tnow"},
    {{"set", "shutdown-on-sigint", "bogus"}, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"},
    {{"set", "shutdown-on-sigint", ""}, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tnow"},
    {{"set", "shutdown-on-sigint", "NOW  force"}, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"},
    {{"get", "shutdown-on-sigint"}, "shutdown-on-sigint\tnow"},
    {{"set", "shutdown-on-sigint", "default"}, "OK"},
    {{"set", "oom-score-adj", "foo"}, "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj') - argument(s) must be one of the following: no, yes, relative, absolute"},
    {{"set", "repl-diskless-load", "foo"}, "ERR CONFIG SET failed (possibly related to argument 'repl-diskless-load') - argument(s) must be one of the following: disabled, on-empty-db, swapdb"},
    {{"set", "supervised", "foo"}, "ERR CONFIG SET failed (possibly related to argument 'supervised') - can't set immutable config"},
    {{"set", "loglevel", ""}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
    {{"set", "repl-backlog-ttl", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-ttl') - argument must be between 0 and 9223372036854775807 inclusive"},
    {{"set", "auto-aof-rewrite-min-size", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'auto-aof-rewrite-min-size') - argument must be a memory value"},
    {{"set", "active-defrag-ignore-bytes", "0"}, "ERR CONFIG SET failed (possibly related to argument 'active-defrag-ignore-bytes') - argument must be between 1 and 9223372036854775807 inclusive"},
    {{"set", "acllog-max-len", "9223372036854775808"}, "ERR CONFIG SET failed (possibly related to argument 'acllog-max-len') - argument couldn't be parsed into an integer"},
    {{"set", "maxmemory-clients", "9223372036854775807"}, "OK"},
    {{"get", "maxmemory-clients"}, "maxmemory-clients\t9223372036854775807"},
    {{"set", "maxmemory-clients", "9223372036854775808"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
    {{"set", "maxmemory-clients", "0"}, "OK"},
    {{"set", "tracking-table-max-keys", "1k"}, "ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument couldn't be parsed into an integer"},
    {{"get", "MAXCLIENTS"}, "MAXCLIENTS\t10000"},
    {{"get", "maxclients", "MAXCLIENTS"}, "maxclients\t10000"},
    {{"get", "*ziplist*"}, "hash-max-ziplist-entries\t512\nhash-max-ziplist-value\t64\nlist-max-ziplist-size\t-2\nzset-max-ziplist-entries\t128\nzset-max-ziplist-value\t64"},
    {{"get", "watchdog-period"}, "watchdog-period\t0"},
    {{"get", "*watchdog*"}, ""},
    {{"get", "HASH-MAX-ZIPLIST-ENTRIES", "hash-max-*"}, "HASH-MAX-ZIPLIST-ENTRIES\t512\nhash-max-listpack-entries\t512\nhash-max-listpack-value\t64\nhash-max-ziplist-value\t64"},
    {{"get", "m?xclients"}, "maxclients\t10000"},
    {{"get", "*-max-*entries", "maxclients", "*-max-*entries"}, "hash-max-listpack-entries\t512\nhash-max-ziplist-entries\t512\nmaxclients\t10000\nset-max-intset-entries\t512\nstream-node-max-entries\t100\nzset-max-listpack-entries\t128\nzset-max-ziplist-entries\t128"},
    {{"get", "[a-c]*"}, "acl-pubsub-default\tresetchannels\naclfile\t\nacllog-max-len\t128\nactive-defrag-cycle-max\t25\nactive-defrag-cycle-min\t1\nactive-defrag-ignore-bytes\t104857600\nactive-defrag-max-scan-fields\t1000\nactive-defrag-threshold-lower\t10\nactive-defrag-threshold-upper\t100\nactive-expire-effort\t1\nactivedefrag\tno\nactiverehashing\tyes\nalways-show-logo\tno\naof-disable-auto-gc\tno\naof-load-truncated\tyes\naof-rewrite-incremental-fsync\tyes\naof-timestamp-enabled\tno\naof-use-rdb-preamble\tyes\naof_rewrite_cpulist\t\nappenddirname\tappendonlydir\nappendfilename\tappendonly.aof\nappendfsync\teverysec\nappendonly\tyes\nauto-aof-rewrite-min-size\t67108864\nauto-aof-rewrite-percentage\t100\nbgsave_cpulist\t\nbind\t* -::*\nbind-source-addr\t\nbio_cpulist\t\nbusy-reply-threshold\t5000\nclient-output-buffer-limit\tnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\nclient-query-buffer-limit\t1073741824\ncluster-allow-pubsubshard-when-down\tyes\ncluster-allow-reads-when-down\tno\ncluster-allow-replica-migration\tyes\ncluster-announce-bus-port\t0\ncluster-announce-hostname\t\ncluster-announce-ip\t\ncluster-announce-port\t0\ncluster-announce-tls-port\t0\ncluster-config-file\tnodes.conf\ncluster-enabled\tno\ncluster-link-sendbuf-limit\t0\ncluster-migration-barrier\t1\ncluster-node-timeout\t15000\ncluster-port\t0\ncluster-preferred-endpoint-type\tip\ncluster-replica-no-failover\tno\ncluster-replica-validity-factor\t10\ncluster-require-full-coverage\tyes\ncluster-slave-no-failover\tno\ncluster-slave-validity-factor\t10\ncrash-log-enabled\tyes\ncrash-memcheck-enabled\tyes"},
    {{"get", "slave*"}, "slave-announce-ip\t\nslave-announce-port\t0\nslave-ignore-maxmemory\tyes\nslave-lazy-flush\tno\nslave-priority\t100\nslave-read-only\tyes\nslave-serve-stale-data\tyes\nslaveof\t"},
    {{"get", "nosuch"}, ""},
    {{"set", "foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
    {{"set", "maxclients", "10", "foo"}, "ERR syntax error"},
    {{"set", "maxclients", "10", "MAXCLIENTS", "20"}, "ERR CONFIG SET failed (possibly related to argument 'MAXCLIENTS') - duplicate parameter"},
    {{"set", "foo", "bar", "daemonize", "no"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
    {{"set", "daemonize", "no", "foo", "bar"}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
    {{"set", "maxclients", "abc", "foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
    {{"set", "maxclients", "5", "maxmemory", "1k"}, "OK"},
    {{"get", "maxclients", "maxmemory"}, "maxclients\t5\nmaxmemory\t1000"},
    {{"set", "maxclients", "10000", "maxmemory", "0"}, "OK"},
    {{"set", "hash-max-ziplist-entries", "10", "zset-max-ziplist-entries", "20", "list-max-ziplist-size", "5"}, "OK"},
    {{"get", "*entries*", "*size*"}, "auto-aof-rewrite-min-size\t67108864\nhash-max-listpack-entries\t10\nhash-max-ziplist-entries\t10\nlist-max-listpack-size\t5\nlist-max-ziplist-size\t5\nrepl-backlog-size\t1048576\nset-max-intset-entries\t512\nstream-node-max-entries\t100\ntls-session-cache-size\t20480\nzset-max-listpack-entries\t20\nzset-max-ziplist-entries\t20"},
    {{"set", "dbfilename", "foo.rdb"}, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"},
    {{"set", "save", "5 5", "save", "6 6"}, "ERR CONFIG SET failed (possibly related to argument 'save') - duplicate parameter"},
    {{"set", "slave-read-only", "no"}, "OK"},
    {{"get", "*read-only*"}, "replica-read-only\tno\nslave-read-only\tno"},
    {{"set", "replica-read-only", "yes"}, "OK"},
    {{"set", "unixsocketperm", "777"}, "ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config"},
};

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pair *)a)->name, ((const struct pair *)b)->name);
}

START_TEST(test_transcript_7_0_15)
{
    static const char *const argv[] = {"--port", "23473", "--unixsocket", "/tmp/rs23473.sock"};
    char out[16384];

    ck_assert_int_eq(load_argv(4, argv), CONFIG_LOAD_OK);
    for (size_t s = 0; s < sizeof(transcript) / sizeof(transcript[0]); s++) {
        const struct step *st = &transcript[s];
        int n = 0;
        while (st->args[n])
            n++;
        if (!strcmp(st->args[0], "set")) {
            int rc = set_n(n - 1, st->args + 1, 0);
            ck_assert_msg(!strcmp(rc ? err : "OK", st->reply), "step %zu (set %s): got '%s' want '%s'", s,
                          st->args[1], rc ? err : "OK", st->reply);
        } else {
            size_t len = 0;
            get_n(n - 1, st->args + 1);
            qsort(got, (size_t)ngot, sizeof(got[0]), pair_cmp);
            out[0] = '\0';
            for (int i = 0; i < ngot; i++) {
                if (!strcmp(got[i].name, "dir"))
                    continue;
                len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s\t%s", len ? "\n" : "", got[i].name,
                                        got[i].value);
            }
            ck_assert_msg(!strcmp(out, st->reply), "step %zu (get %s): got\n%s\nwant\n%s", s, st->args[1], out,
                          st->reply);
        }
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* CONFIG SET                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_memory_units)
{
    static const char *const cases[][2] = {
        {"0", "0"}, {"1", "1"}, {"5b", "5"}, {"5B", "5"}, {"1k", "1000"}, {"1kb", "1024"}, {"10Kb", "10240"},
        {"1m", "1000000"}, {"1mb", "1048576"}, {"1g", "1000000000"}, {"1gb", "1073741824"}, {"2GB", "2147483648"},
        {"", "0"}, {"18446744073709551615", "18446744073709551615"},
        {"99999999999999999999", "18446744073709551615"}, {"20000000000gb", "3028092406290448384"},
    };
    static const char *const bad[] = {"-1", "1.5gb", " 5", "5 ", "1tb", "abc", "0x10", "1kib"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        SET_OK("maxmemory", cases[i][0]);
        ck_assert_str_eq(val("maxmemory"), cases[i][1]);
        ck_assert_uint_eq(config_values(cfg)->maxmemory, strtoull(cases[i][1], NULL, 10));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        SET_ERR("maxmemory", bad[i],
                "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
    /* memory-typed thresholds take units too; plain integers do not */
    SET_OK("hash-max-listpack-value", "1kb");
    ck_assert_int_eq(config_values(cfg)->hash_max_listpack_value, 1024);
    ck_assert_str_eq(val("hash-max-ziplist-value"), "1024");
    SET_ERR("set-max-intset-entries", "10kb",
            "ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - argument couldn't be "
            "parsed into an integer");
    SET_ERR("proto-max-bulk-len", "1000",
            "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between "
            "1048576 and 9223372036854775807 inclusive");
    SET_OK("proto-max-bulk-len", "2mb");
    ck_assert_int_eq(config_values(cfg)->proto_max_bulk_len, 2 * 1024 * 1024);
    SET_OK("maxmemory-clients", "10%");
    ck_assert_str_eq(val("maxmemory-clients"), "10%");
    SET_OK("maxmemory-clients", "1mb");
    ck_assert_str_eq(val("maxmemory-clients"), "1048576");
}
END_TEST

START_TEST(test_bool_enum_normalization)
{
    const struct config_values *v = config_values(cfg);
    SET_OK("appendonly", "YES");
    ck_assert_str_eq(val("appendonly"), "yes");
    ck_assert(v->appendonly);
    SET_OK("protected-mode", "No");
    ck_assert(!v->protected_mode);
    SET_ERR("appendonly", "1",
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'");
    SET_OK("loglevel", "WARNING");
    ck_assert_str_eq(val("loglevel"), "warning");
    ck_assert_int_eq(v->loglevel, CONFIG_LOG_WARNING);
    SET_OK("maxmemory-policy", "AllKeys-LFU");
    ck_assert_str_eq(val("maxmemory-policy"), "allkeys-lfu");
    ck_assert_int_eq(v->maxmemory_policy, CONFIG_MAXMEMORY_ALLKEYS_LFU);
    SET_OK("appendfsync", "Always");
    ck_assert_int_eq(v->appendfsync, CONFIG_FSYNC_ALWAYS);
    SET_OK("oom-score-adj", "relative"); /* the same value as "yes", shown by its first name */
    ck_assert_str_eq(val("oom-score-adj"), "yes");
    SET_OK("shutdown-on-sigterm", "NOW force");
    ck_assert_str_eq(val("shutdown-on-sigterm"), "now force");
    SET_ERR("shutdown-on-sigterm", "save nosave",
            "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - shutdown options SAVE and "
            "NOSAVE can't be used simultaneously");
    SET_OK("notify-keyspace-events", "KEA");
    ck_assert_str_eq(v->notify_keyspace_events, "AKE");
    SET_OK("notify-keyspace-events", "xEK");
    ck_assert_str_eq(v->notify_keyspace_events, "xKE");
    SET_OK("hz", "1000");
    ck_assert_int_eq(v->hz, 500);
    SET_OK("hz", "0");
    ck_assert_int_eq(v->hz, 1);
    ck_assert_str_eq(val("hz"), "1");
}
END_TEST

START_TEST(test_set_argument_errors)
{
    static const char *const odd[] = {"maxclients", "10", "foo"};
    static const char *const unknown_later[] = {"maxclients", "abc", "foo", "bar"};
    static const char *const immutable_first[] = {"daemonize", "no", "foo", "bar"};
    static const char *const dup_alias[] = {"hash-max-ziplist-entries", "10", "HASH-MAX-LISTPACK-ENTRIES", "20"};
    static const char *const nul_name[] = {"maxclients\0x", "10"};
    struct config_arg a[2] = {{nul_name[0], 12}, {nul_name[1], 2}};

    ck_assert_int_eq(set_n(3, odd, 0), -1);
    ck_assert_str_eq(err, "ERR syntax error");
    ck_assert_int_eq(set_n(4, unknown_later, 0), -1);
    ck_assert_str_eq(err, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    ck_assert_int_eq(set_n(4, immutable_first, 0), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
    ck_assert_int_eq(set_n(4, dup_alias, 0), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'HASH-MAX-LISTPACK-ENTRIES') - "
                          "duplicate parameter");
    ck_assert_int_eq(config_set(cfg, 2, a, 0, err, sizeof(err)), -1); /* names are binary-safe */
    ck_assert_str_eq(err, "ERR Unknown option or number of arguments for CONFIG SET - 'maxclients'");
    SET_ERR("foo\r\nbar", "1", "ERR Unknown option or number of arguments for CONFIG SET - 'foo  bar'");
    SET_ERR("dir", "/tmp", "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    SET_ERR("dbfilename", "x.rdb",
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config");
    SET_ERR("replicaof", "no one",
            "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config");
    SET_ERR("Slaveof", "no one",
            "ERR CONFIG SET failed (possibly related to argument 'Slaveof') - can't set immutable config");
}
END_TEST

START_TEST(test_set_all_or_none)
{
    static const char *const pairs[] = {"maxclients", "5", "save", "1 1", "maxmemory", "abc"};
    static const char *const good[] = {"maxclients", "5", "save", "1 1", "lua-time-limit", "7"};
    const struct config_values *v = config_values(cfg);

    ck_assert_int_eq(set_n(6, pairs, 0), -1);
    ck_assert_str_eq(err,
                     "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
    ck_assert_uint_eq(v->maxclients, 10000);
    ck_assert_int_eq(v->nsave, 3);
    ck_assert_str_eq(val("maxclients"), "10000");
    ck_assert_str_eq(val("save"), "3600 1 300 100 60 10000");
    ck_assert_int_eq(set_n(6, good, 0), 0);
    ck_assert_uint_eq(v->maxclients, 5);
    ck_assert_int_eq(v->nsave, 1);
    ck_assert_str_eq(val("busy-reply-threshold"), "7");
}
END_TEST

struct hook_log {
    int calls, rollbacks;
    char names[8][64];
    int nnames;
    unsigned seen_maxclients;
    const char *veto;       /* name to veto, or NULL */
    const char *reason;
};

static bool hook(void *ctx, struct config *c, const char *const *changed, int nchanged, bool rollback,
                 const char **failed_name, char *reason, size_t reasonlen)
{
    struct hook_log *log = ctx;
    if (rollback) {
        log->rollbacks++;
        log->seen_maxclients = config_values(c)->maxclients;
        return true;
    }
    log->calls++;
    log->nnames = nchanged;
    for (int i = 0; i < nchanged && i < 8; i++)
        snprintf(log->names[i], sizeof(log->names[i]), "%s", changed[i]);
    log->seen_maxclients = config_values(c)->maxclients;
    for (int i = 0; log->veto && i < nchanged; i++) {
        if (!strcmp(changed[i], log->veto)) {
            *failed_name = changed[i];
            snprintf(reason, reasonlen, "%s", log->reason);
            return false;
        }
    }
    return true;
}

START_TEST(test_apply_hook)
{
    struct hook_log log = {0};
    static const char *const pairs[] = {"maxclients", "50", "loglevel", "notice", "SLAVE-PRIORITY", "7"};

    config_set_apply_hook(cfg, hook, &log);
    ck_assert_int_eq(set_n(6, pairs, 0), 0);
    ck_assert_int_eq(log.calls, 1);
    ck_assert_int_eq(log.nnames, 2); /* loglevel did not change */
    ck_assert_str_eq(log.names[0], "maxclients");
    ck_assert_str_eq(log.names[1], "replica-priority");
    ck_assert_uint_eq(log.seen_maxclients, 50); /* the hook sees the new values */

    SET_OK("maxclients", "50"); /* no change, no call */
    ck_assert_int_eq(log.calls, 1);

    log.veto = "replica-priority";
    log.reason = "Unable to do it. Check server logs.";
    static const char *const vetoed[] = {"maxclients", "60", "replica-priority", "8"};
    ck_assert_int_eq(set_n(4, vetoed, 0), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'replica-priority') - Unable to do "
                          "it. Check server logs.");
    ck_assert_int_eq(log.rollbacks, 1);
    ck_assert_uint_eq(log.seen_maxclients, 50); /* restored before the rollback call */
    ck_assert_uint_eq(config_values(cfg)->maxclients, 50);
    ck_assert_str_eq(val("replica-priority"), "7");

    log.reason = "";
    ck_assert_int_eq(set_n(4, vetoed, 0), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'replica-priority')");
}
END_TEST

START_TEST(test_set_flags_protected_loading)
{
    static const char *const dir[] = {"dir", "/"};
    static const char *const aof[] = {"maxclients", "10", "appendonly", "yes"};

    ck_assert_int_eq(load_file_text("enable-protected-configs local\n"), CONFIG_LOAD_OK);
    ck_assert_int_eq(set_n(2, dir, 0), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    ck_assert_int_eq(set_n(2, dir, CONFIG_SET_LOCAL_CLIENT), 0);
    ck_assert_str_eq(config_values(cfg)->dir, "/");
    ck_assert_int_eq(set_n(4, aof, CONFIG_SET_LOADING), -1);
    ck_assert_str_eq(err, "LOADING Redis is loading the dataset in memory");
    ck_assert_uint_eq(config_values(cfg)->maxclients, 10000);
    ck_assert_int_eq(set_n(4, aof, 0), 0);

    ck_assert_int_eq(load_file_text("enable-protected-configs yes\n"), CONFIG_LOAD_OK);
    SET_OK("dbfilename", "other.rdb");
    ck_assert_str_eq(config_values(cfg)->dbfilename, "other.rdb");
    SET_ERR("dbfilename", "a/b.rdb",
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a "
            "filename");
    SET_OK("dir", tmpdir);
    ck_assert_str_eq(val("dir"), tmpdir);
}
END_TEST

START_TEST(test_sensitive_and_binary_password)
{
    struct config_arg a[2] = {{"requirepass", 11}, {"p\0ss", 4}};
    ck_assert(config_is_sensitive("REQUIREPASS", 11));
    ck_assert(config_is_sensitive("masterauth", 10));
    ck_assert(config_is_sensitive("masteruser", 10));
    ck_assert(!config_is_sensitive("maxclients", 10));
    ck_assert(!config_is_sensitive("requirepassx", 12));

    ck_assert_int_eq(config_set(cfg, 2, a, 0, err, sizeof(err)), 0);
    ck_assert_uint_eq(config_values(cfg)->requirepass_len, 4);
    ck_assert(!memcmp(config_values(cfg)->requirepass, "p\0ss", 4));
    static const char *const pat[] = {"requirepass"};
    get_n(1, pat);
    ck_assert_uint_eq(got[0].vlen, 4);
    SET_OK("requirepass", "");
    ck_assert_ptr_null(config_values(cfg)->requirepass);
}
END_TEST

/* ------------------------------------------------------------------ */
/* config file                                                         */
/* ------------------------------------------------------------------ */

static void count_cb(void *ctx, const char *name, const char *value) { (*(int *)ctx)++; }

START_TEST(test_stock_redis_conf)
{
    const struct config_values *v = config_values(cfg);
    char *real;
    int n = 0;

    ck_assert_msg(config_load_file(cfg, data_path("redis.conf"), err, sizeof(err)) == CONFIG_LOAD_OK, "%s", err);
    ck_assert_str_eq(config_file_path(cfg), data_path("redis.conf"));
    ck_assert_int_eq(v->nbind, 2);
    ck_assert_str_eq(v->bind[0], "127.0.0.1");
    ck_assert_str_eq(v->bind[1], "-::1");
    ck_assert_str_eq(val("bind"), "127.0.0.1 -::1");
    ck_assert(v->daemonize);
    ck_assert_str_eq(v->pidfile, "/run/redis/redis-server.pid");
    ck_assert_str_eq(v->logfile, "/var/log/redis/redis-server.log");
    real = realpath("/var/lib/redis", NULL);
    ck_assert_str_eq(v->dir, real ? real : "/var/lib/redis");
    free(real);
    ck_assert_str_eq(val("proc-title-template"), "{title} {listen-addr} {server-mode}");
    ck_assert_str_eq(val("auto-aof-rewrite-min-size"), "67108864");
    ck_assert_str_eq(val("client-output-buffer-limit"),
                     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    ck_assert_str_eq(val("save"), "3600 1 300 100 60 10000"); /* the stock file has no save line */
    ck_assert_int_eq(config_not_acted_on(cfg, count_cb, &n), 0);
    ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_file_syntax)
{
    const struct config_values *v = config_values(cfg);
    ck_assert_int_eq(load_file_text("# comment\r\n"
                                     "\n"
                                     "   PORT 2346\"1\"  \r\n"
                                     "\tmasterauth \"a\\x41\\n\\\"q\\\"\"\n"
                                     "requirepass 'it\\'s'\n"
                                     "unixsocket \"/tmp/x y.sock\"\n"
                                     "unixsocketperm 0770\n"
                                     "hash-max-ziplist-entries 1000\n"
                                     "list-max-ziplist-entries 5\n"
                                     "lua-replicate-commands yes\n"
                                     "bind 1.2.3.4 5.6.7.8 ::1\n"
                                     "maxmemory 2mb\n"
                                     "hz 0\n"
                                     "client-output-buffer-limit replica 1gb 512mb 120\n"
                                     "client-output-buffer-limit PUBSUB 1k 2k 3\n"
                                     "notify-keyspace-events \"\"\n"
                                     "slaveof 10.0.0.1 6380"),
                     CONFIG_LOAD_OK);
    ck_assert_int_eq(v->port, 23461);
    ck_assert_str_eq(val("masterauth"), "aA\n\"q\"");
    ck_assert_str_eq(v->requirepass, "it's");
    ck_assert_str_eq(v->unixsocket, "/tmp/x y.sock");
    ck_assert_uint_eq(v->unixsocketperm, 0770);
    ck_assert_str_eq(val("unixsocketperm"), "770");
    ck_assert_int_eq(v->hash_max_listpack_entries, 1000);
    ck_assert_int_eq(v->nbind, 3);
    ck_assert_str_eq(v->bind[2], "::1");
    ck_assert_uint_eq(v->maxmemory, 2 * 1024 * 1024);
    ck_assert_int_eq(v->hz, 1);
    ck_assert_str_eq(val("client-output-buffer-limit"),
                     "normal 0 0 0 slave 1073741824 536870912 120 pubsub 1000 2000 3");
    ck_assert_str_eq(val("replicaof"), "10.0.0.1 6380");
    ck_assert_str_eq(val("slaveof"), "10.0.0.1 6380");
}
END_TEST

START_TEST(test_file_errors)
{
    static const char *const cases[][2] = {
        {"port 23460\nfoo bar\n", FATAL("2", "foo bar", "Bad directive or wrong number of arguments")},
        {"# c\n\n  port 23460  \nsave 900 1\nsave 300 10\nmaxclients 0\n",
         FATAL("6", "maxclients 0", "argument must be between 1 and 4294967295 inclusive")},
        {"port \"2346\n", FATAL("1", "port \"2346", "Unbalanced quotes in configuration line")},
        {"port \"1\"2\n", FATAL("1", "port \"1\"2", "Unbalanced quotes in configuration line")},
        {"list-max-ziplist-entries 5 6\n",
         FATAL("1", "list-max-ziplist-entries 5 6", "Bad directive or wrong number of arguments")},
        {"port 1 2\n", FATAL("1", "port 1 2", "wrong number of arguments")},
        {"port\n", FATAL("1", "port", "wrong number of arguments")},
        {"sentinel monitor x\n", FATAL("1", "sentinel monitor x", "sentinel directive while not in sentinel mode")},
        {"daemonize maybe\n", FATAL("1", "daemonize maybe", "argument must be 'yes' or 'no'")},
        {"x.y\n", FATAL("1", "x.y", "Module config specified without value")},
        {"replicaof 1.2.3.4 99999\n", FATAL("1", "replicaof 1.2.3.4 99999", "Invalid master port")},
        {"loglevel loud\n", FATAL("1", "loglevel loud",
                                  "argument(s) must be one of the following: debug, verbose, notice, warning")},
        {"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
         FATAL("1", "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified.")},
        {"PORT 23461\nport \"a\\x41\"\n", FATAL("2", "port \"a\\x41\"", "argument couldn't be parsed into an integer")},
        {"unixsocketperm 999\n", FATAL("1", "unixsocketperm 999", "argument couldn't be parsed as an octal number")},
        {"unixsocketperm 1777\n", FATAL("1", "unixsocketperm 1777", "argument must be between 0 and 777 inclusive")},
        {"appendfilename a/b\n", FATAL("1", "appendfilename a/b", "appendfilename can't be a path, just a filename")},
        {"include\n", FATAL("1", "include", "Bad directive or wrong number of arguments")},
        {"cluster-enabled yes\nreplicaof 1.2.3.4 5\n",
         "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_destroy(cfg);
        cfg = config_create();
        ck_assert_int_eq(load_file_text(cases[i][0]), CONFIG_LOAD_FATAL);
        ck_assert_msg(!strcmp(err, cases[i][1]), "case %zu: got '%s'", i, err);
    }
}
END_TEST

START_TEST(test_include)
{
    char inc[256], want[512];
    const char *bad = write_file("bad.conf", "port 1\nfoo bar\n");
    write_file("frag1.conf", "slowlog-max-len 99\n");
    write_file("frag2.conf", "tcp-keepalive 60\n");

    snprintf(inc, sizeof(inc), "include %s/frag*.conf\ninclude %s/none*.conf\nmaxclients 7\n", tmpdir, tmpdir);
    ck_assert_int_eq(load_file_text(inc), CONFIG_LOAD_OK);
    ck_assert_str_eq(val("slowlog-max-len"), "99");
    ck_assert_int_eq(config_values(cfg)->tcp_keepalive, 60);
    ck_assert_uint_eq(config_values(cfg)->maxclients, 7);

    /* an error inside an included file names its own line */
    snprintf(inc, sizeof(inc), "maxclients 8\ninclude %s\n", bad);
    ck_assert_int_eq(load_file_text(inc), CONFIG_LOAD_FATAL);
    ck_assert_str_eq(err, FATAL("2", "foo bar", "Bad directive or wrong number of arguments"));

    snprintf(inc, sizeof(inc), "include %s/missing.conf\n", tmpdir);
    ck_assert_int_eq(load_file_text(inc), CONFIG_LOAD_OPEN);
    snprintf(want, sizeof(want), "Fatal error, can't open config file '%s/missing.conf': No such file or directory",
             tmpdir);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_save_lines)
{
    char text[256];
    const char *frag = write_file("frag.conf", "maxclients 9\n");

    ck_assert_int_eq(load_file_text("save 900 1\nsave 300 10 60 10000\n"), CONFIG_LOAD_OK);
    ck_assert_str_eq(val("save"), "900 1 300 10 60 10000");
    ck_assert_int_eq(config_values(cfg)->nsave, 3);
    ck_assert_int_eq(config_values(cfg)->save[1].changes, 10);
    ck_assert_int_eq(load_file_text("save \"\"\nsave 5 5\n"), CONFIG_LOAD_OK);
    ck_assert_str_eq(val("save"), "5 5");
    ck_assert_int_eq(load_file_text("save 1 2 3\n"), CONFIG_LOAD_FATAL);
    ck_assert_str_eq(err, FATAL("1", "save 1 2 3", "Invalid save parameters"));

    /* Redis quirk: after an include, each later save line replaces the list */
    config_destroy(cfg);
    cfg = config_create();
    snprintf(text, sizeof(text), "save 900 1\ninclude %s\nsave 10 1\nsave 20 2\n", frag);
    ck_assert_int_eq(load_file_text(text), CONFIG_LOAD_OK);
    ck_assert_str_eq(val("save"), "20 2");

    SET_OK("save", "100 10 200 20");
    ck_assert_str_eq(val("save"), "100 10 200 20");
    SET_OK("save", "");
    ck_assert_str_eq(val("save"), "");
    ck_assert_int_eq(config_values(cfg)->nsave, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* command line                                                        */
/* ------------------------------------------------------------------ */

START_TEST(test_argv)
{
    const char *good = write_file("good.conf", "maxclients 10\n\nport 0\n");
    const char *nonl = write_file("nonl.conf", "maxclients 10\nport 0");
    const char *s1 = write_file("s1.conf", "save 900 1\nsave 300 10 60 10000\n");
    const struct config_values *v = config_values(cfg);

    const char *a1[] = {good, "--port", "7000", "--save", "60", "1", "--loglevel", "verbose"};
    ck_assert_int_eq(load_argv(8, a1), CONFIG_LOAD_OK);
    ck_assert_uint_eq(v->maxclients, 10);
    ck_assert_int_eq(v->port, 7000);
    ck_assert_str_eq(val("save"), "60 1");
    ck_assert_int_eq(v->loglevel, CONFIG_LOG_VERBOSE);
    ck_assert_str_eq(config_file_path(cfg), good);

    struct {
        int argc;
        const char *argv[8];
        const char *err;
    } cases[] = {
        {2, {"--foo", "bar"}, FATAL("2", "foo \"bar\"", "Bad directive or wrong number of arguments")},
        {3, {good, "--foo", "bar"}, FATAL("5", "foo \"bar\"", "Bad directive or wrong number of arguments")},
        {3, {nonl, "--foo", "bar"}, FATAL("3", "foo \"bar\"", "Bad directive or wrong number of arguments")},
        {3, {"--save", "--maxclients", "0"},
         FATAL("3", "maxclients \"0\"", "argument must be between 1 and 4294967295 inclusive")},
        {3, {"--save", "1", "--save"}, FATAL("2", "save \"1\"", "Invalid save parameters")},
        {3, {"--maxclients", "10", "--foo"}, FATAL("3", "foo", "Bad directive or wrong number of arguments")},
        {4, {"--requirepass", "--foo", "--maxclients", "0"},
         FATAL("3", "maxclients \"0\"", "argument must be between 1 and 4294967295 inclusive")},
        {3, {"--maxclients", "10", "extra"}, FATAL("2", "maxclients \"10\" \"extra\"", "wrong number of arguments")},
        {3, {good, "-", "--foo"}, FATAL("5", "\"-\"", "Bad directive or wrong number of arguments")},
        {1, {"--maxclients"}, FATAL("2", "maxclients", "wrong number of arguments")},
        {2, {"--port", "x\"y\\n"}, FATAL("2", "port \"x\\\"y\\\\n\"", "argument couldn't be parsed into an integer")},
        {1, {"--maxclients 0"}, FATAL("2", "maxclients 0", "argument must be between 1 and 4294967295 inclusive")},
        {5, {"--maxclients", "10", "--sentinel", "--maxclients", "0"},
         FATAL("4", "maxclients \"0\"", "argument must be between 1 and 4294967295 inclusive")},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_destroy(cfg);
        cfg = config_create();
        ck_assert_int_eq(load_argv(cases[i].argc, cases[i].argv), CONFIG_LOAD_FATAL);
        ck_assert_msg(!strcmp(err, cases[i].err), "case %zu: got '%s'", i, err);
    }

    /* --save alone before another option (or last) means save "" */
    config_destroy(cfg);
    cfg = config_create();
    const char *a2[] = {s1, "--save", "--maxclients", "11"};
    ck_assert_int_eq(load_argv(4, a2), CONFIG_LOAD_OK);
    ck_assert_str_eq(val("save"), "");
    ck_assert_uint_eq(config_values(cfg)->maxclients, 11);
    /* command-line save lines add to the file's */
    config_destroy(cfg);
    cfg = config_create();
    const char *a3[] = {s1, "--save", "5", "5"};
    ck_assert_int_eq(load_argv(4, a3), CONFIG_LOAD_OK);
    ck_assert_str_eq(val("save"), "900 1 300 10 60 10000 5 5");
    /* a value may start with "--" right after a name */
    config_destroy(cfg);
    cfg = config_create();
    const char *a4[] = {"--requirepass", "--secret", "--port 6380"};
    ck_assert_int_eq(load_argv(3, a4), CONFIG_LOAD_OK);
    ck_assert_str_eq(config_values(cfg)->requirepass, "--secret");
    ck_assert_int_eq(config_values(cfg)->port, 6380);

    const char *a5[] = {"/nonexistent/taskkv.conf"};
    ck_assert_int_eq(load_argv(1, a5), CONFIG_LOAD_OPEN);
    ck_assert_str_eq(err, "Fatal error, can't open config file '/nonexistent/taskkv.conf': No such file or directory");
}
END_TEST

/* ------------------------------------------------------------------ */
/* kept directives and the start-up report                             */
/* ------------------------------------------------------------------ */

static bool rename_check(void *ctx, const char *from, const char *to, char *reason, size_t len)
{
    if (!strcasecmp(from, "nosuchcmd")) {
        snprintf(reason, len, "No such command in rename-command");
        return false;
    }
    return true;
}

static void rename_cb(void *ctx, const char *from, const char *to)
{
    char *out = ctx;
    strcat(out, from);
    strcat(out, ">");
    strcat(out, to);
    strcat(out, ";");
}

struct report {
    char text[1024];
};

static void report_cb(void *ctx, const char *name, const char *value)
{
    struct report *r = ctx;
    size_t n = strlen(r->text);
    snprintf(r->text + n, sizeof(r->text) - n, "%s=%s;", name, value);
}

START_TEST(test_kept_and_not_acted_on)
{
    char renames[256] = "";
    struct report r = {""};

    config_set_rename_hook(cfg, rename_check, NULL);
    ck_assert_int_eq(load_file_text("rename-command FLUSHALL \"\"\n"
                                    "rename-command CONFIG cfg-x\n"
                                    "user alice on >pw ~* +@all\n"
                                    "loadmodule /x/mod.so a b\n"
                                    "mod.param 1 2\n"
                                    "maxclients 5\n"
                                    "repl-timeout 99\n"
                                    "masterauth secret\n"
                                    "tls-key-file-pass secret2\n"
                                    "activedefrag no\n"),
                     CONFIG_LOAD_OK);
    config_renames(cfg, rename_cb, renames);
    ck_assert_str_eq(renames, "FLUSHALL>;CONFIG>cfg-x;");
    ck_assert_int_eq(config_not_acted_on(cfg, report_cb, &r), 6);
    ck_assert_str_eq(r.text, "masterauth=(redacted);repl-timeout=99;tls-key-file-pass=(redacted);"
                             "user=alice on >pw ~* +@all;loadmodule=/x/mod.so a b;mod.param=1 2;");

    ck_assert_int_eq(load_file_text("\nrename-command nosuchcmd x\n"), CONFIG_LOAD_FATAL);
    ck_assert_str_eq(err, FATAL("2", "rename-command nosuchcmd x", "No such command in rename-command"));
}
END_TEST

/* CONFIG REWRITE: the file is re-read as it is now; comments and order stay,
 * aliases become the primary name, duplicates and unset passwords are
 * emptied (runs of blank lines merge), unknown lines are commented out,
 * `include` and `rename-command` are kept, and forced lines are appended
 * after the signature (in table order). Checked against redis-server
 * 7.0.15 by tests/integration/test_config_rewrite.py. */
START_TEST(test_rewrite)
{
    char text[1024], want[2048], *out;
    const char *path;
    FILE *fp;
    long n;
    snprintf(text, sizeof(text),
             "# top\n  # indented\t\nslave-read-only no\nreplica-read-only yes\nSAVE 900 1\nmaxmemory 100mb\n"
             "list-max-ziplist-entries 5\nrequirepass \"\"\n\ndir \"%s\"\n", tmpdir);
    path = write_file("rw.conf", text);
    ck_assert_int_eq(config_load_file(cfg, path, err, sizeof(err)), CONFIG_LOAD_OK);
    ck_assert_int_eq(set1("hz", "20"), 0);
    ck_assert_int_eq(set1("maxmemory", "0"), 0);
    strcat(text, "bad \"quote\nno-such-option 1\nrename-command GET \"\"\n");
    write_file("rw.conf", text);
    nfiles--;
    ck_assert(config_rewrite(cfg, path));
    snprintf(want, sizeof(want),
             "# top\n# indented\nreplica-read-only yes\n\nsave 900 1\nmaxmemory 0\n"
             "# ??? list-max-ziplist-entries 5\n\ndir \"%s\"\n# ??? bad \"quote\n# ??? no-such-option 1\n"
             "rename-command GET \"\"\n\n# Generated by CONFIG REWRITE\nhz 20\n"
             "latency-tracking-info-percentiles 50 99 99.9\n", tmpdir);
    fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    out = calloc(1, 4096);
    n = (long)fread(out, 1, 4095, fp);
    fclose(fp);
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(out, want);
    free(out);
    /* a directory that is gone: an error, errno telling why */
    ck_assert(!config_rewrite(cfg, "/nonexistent-dir/rw.conf"));
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults_match_redis);
    tcase_add_test(tc, test_multi_arg_option_as_one_argument);
    tcase_add_test(tc, test_defaults_typed);
    tcase_add_test(tc, test_hidden_parameters);
    tcase_add_test(tc, test_get_exact_and_patterns);
    tcase_add_test(tc, test_transcript_7_0_15);
    tcase_add_test(tc, test_memory_units);
    tcase_add_test(tc, test_bool_enum_normalization);
    tcase_add_test(tc, test_set_argument_errors);
    tcase_add_test(tc, test_set_all_or_none);
    tcase_add_test(tc, test_apply_hook);
    tcase_add_test(tc, test_set_flags_protected_loading);
    tcase_add_test(tc, test_sensitive_and_binary_password);
    tcase_add_test(tc, test_stock_redis_conf);
    tcase_add_test(tc, test_file_syntax);
    tcase_add_test(tc, test_file_errors);
    tcase_add_test(tc, test_include);
    tcase_add_test(tc, test_save_lines);
    tcase_add_test(tc, test_argv);
    tcase_add_test(tc, test_kept_and_not_acted_on);
    tcase_add_test(tc, test_rewrite);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    int failed;
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
