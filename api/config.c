/*
 * config: the parameter table, the redis.conf / command-line loader and
 * CONFIG GET/SET.
 *
 * Design
 * - `params[]` is the one declarative list of every parameter Redis 7.0.15
 *   knows (including the TLS ones Debian's build has and the five hidden
 *   ones), in Redis' table order. A row gives the type, flags, bounds or enum
 *   values, the default as Redis would accept it in a config file, and for
 *   parameters taskkv acts on the `struct config_values` field it feeds.
 * - Each parameter's current value is a `struct value`: the normalized text
 *   CONFIG GET shows, plus the parsed number or list. Defaults are produced
 *   by parsing the default text with the same parser, so the default and a
 *   value set later can never disagree in form.
 * - Parsing never touches the config: parse_value() builds a fresh `struct
 *   value` from the arguments (and the current value, for the types Redis
 *   updates partially). CONFIG SET parses every pair first, installs them all,
 *   calls the server's apply hook, and on a veto swaps the old values back,
 *   so it is all-or-none. The config file applies each line as it goes (an
 *   error there ends the process, as in Redis).
 * - Names are looked up (case-insensitive, primary or alias) by binary search
 *   in a per-config sorted index built by config_create(); there is no global
 *   mutable state.
 * - Error texts and normalizations were read off redis-server 7.0.15 itself
 *   (CONFIG SET probes, FATAL CONFIG FILE ERROR output).
 *
 * Ownership: the config owns every string it shows; `struct config_values`
 * points into those values and is refreshed by publish() whenever a value is
 * installed.
 */
#include "api/config.h"
#include "engine/alloc.h"
#include "engine/glob.h"
#include "pubsub/notify.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Persistence defaults taskkv chooses (Redis' are "no" and "everysec"). */
#define DEFAULT_APPENDONLY "yes"
#define DEFAULT_APPENDFSYNC "everysec"
/* taskkv keeps its data in ./data by default (Redis: "./"). */
#define DEFAULT_DIR "./data"

#define MAX_BIND 16        /* CONFIG_BINDADDR_MAX */
#define MAX_INCLUDE_DEPTH 32
#define ERRTEXT_LEN 256    /* Redis formats parameter errors in a 256-byte buffer */

/* ------------------------------------------------------------------------ */
/* The table                                                                 */
/* ------------------------------------------------------------------------ */

enum ptype {
    P_BOOL,
    P_NUM,
    P_ENUM,
    P_STR,         /* a C string: stops at a NUL byte */
    P_SDS,         /* binary-safe string (requirepass, masterauth) */
    P_SAVE,
    P_BIND,
    P_COBL,        /* client-output-buffer-limit */
    P_OOMVALS,     /* oom-score-adj-values */
    P_NOTIFY,      /* notify-keyspace-events */
    P_REPLICAOF,
    P_PERCENTILES, /* latency-tracking-info-percentiles */
    P_DIR,
};

/* parameter flags */
#define F_IMMUTABLE 0x01
#define F_PROTECTED 0x02 /* refused unless enable-protected-configs allows it */
#define F_SENSITIVE 0x04
#define F_HIDDEN 0x08       /* CONFIG GET patterns skip it; the exact name works */
#define F_DENY_LOADING 0x10
#define F_MULTI_ARG 0x20    /* several arguments; CONFIG SET splits its value on ' ' */
#define F_EMPTY_NULL 0x40   /* NULL when empty (Redis' EMPTY_STRING_IS_NULL): a typed field reads NULL,
                               and CONFIG REWRITE writes no line */
#define F_READ_BY_NAME 0x80 /* untyped, but the server reads it with config_value() */

/* numeric flags */
#define N_MEMORY 0x01
#define N_PERCENT 0x02
#define N_OCTAL 0x04
#define N_UNSIGNED 0x08 /* an unsigned C type in Redis: bounds compared and printed unsigned */
#define N_HZ 0x10       /* clamped to 1..500 after parsing */

/* how a value is published into struct config_values */
enum fkind { FK_NONE, FK_BOOL, FK_INT, FK_UINT, FK_LL, FK_ULL, FK_STR, FK_PASS, FK_BIND, FK_SAVE, FK_COBL, FK_NOTIFY };

struct enum_val {
    const char *name;
    int val;
};

struct config;
typedef bool (*str_check_fn)(const struct config *cfg, const char *s, const char **err);
typedef bool (*num_check_fn)(long long v, const char **err);

struct param {
    const char *name;
    const char *alias;
    unsigned char type;
    unsigned char flags;
    unsigned char nflags;
    unsigned char fkind;
    const char *def;
    long long lo, hi;
    const struct enum_val *enums;
    str_check_fn str_check;
    num_check_fn num_check;
    size_t field;
};

static const struct enum_val maxmemory_policy_enum[] = {
    {"volatile-lru", CONFIG_MAXMEMORY_VOLATILE_LRU}, {"volatile-lfu", CONFIG_MAXMEMORY_VOLATILE_LFU},
    {"volatile-random", CONFIG_MAXMEMORY_VOLATILE_RANDOM}, {"volatile-ttl", CONFIG_MAXMEMORY_VOLATILE_TTL},
    {"allkeys-lru", CONFIG_MAXMEMORY_ALLKEYS_LRU}, {"allkeys-lfu", CONFIG_MAXMEMORY_ALLKEYS_LFU},
    {"allkeys-random", CONFIG_MAXMEMORY_ALLKEYS_RANDOM}, {"noeviction", CONFIG_MAXMEMORY_NOEVICTION},
    {NULL, 0}};
static const struct enum_val syslog_facility_enum[] = {
    {"user", 0}, {"local0", 1}, {"local1", 2}, {"local2", 3}, {"local3", 4},
    {"local4", 5}, {"local5", 6}, {"local6", 7}, {"local7", 8}, {NULL, 0}};
static const struct enum_val loglevel_enum[] = {{"debug", CONFIG_LOG_DEBUG}, {"verbose", CONFIG_LOG_VERBOSE},
                                                {"notice", CONFIG_LOG_NOTICE}, {"warning", CONFIG_LOG_WARNING},
                                                {NULL, 0}};
static const struct enum_val supervised_enum[] = {{"upstart", 0}, {"systemd", 1}, {"auto", 2}, {"no", 3}, {NULL, 0}};
static const struct enum_val appendfsync_enum[] = {
    {"everysec", CONFIG_FSYNC_EVERYSEC}, {"always", CONFIG_FSYNC_ALWAYS}, {"no", CONFIG_FSYNC_NO}, {NULL, 0}};
static const struct enum_val repl_diskless_load_enum[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {NULL, 0}};
static const struct enum_val tls_auth_clients_enum[] = {{"no", 0}, {"yes", 1}, {"optional", 2}, {NULL, 0}};
static const struct enum_val oom_score_adj_enum[] = {
    {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}, {NULL, 0}};
static const struct enum_val acl_pubsub_default_enum[] = {{"allchannels", 1}, {"resetchannels", 0}, {NULL, 0}};
static const struct enum_val sanitize_dump_payload_enum[] = {{"no", 0}, {"yes", 1}, {"clients", 2}, {NULL, 0}};
static const struct enum_val protected_action_enum[] = {{"no", 0}, {"yes", 1}, {"local", 2}, {NULL, 0}};
static const struct enum_val endpoint_type_enum[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {NULL, 0}};
static const struct enum_val propagation_error_enum[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {NULL, 0}};
/* bit flags: several may be given */
#define SHUTDOWN_SAVE 1
#define SHUTDOWN_NOSAVE 2
static const struct enum_val shutdown_on_sig_enum[] = {
    {"default", 0}, {"save", SHUTDOWN_SAVE}, {"nosave", SHUTDOWN_NOSAVE}, {"now", 4}, {"force", 8}, {NULL, 0}};

static bool check_shutdown_flags(long long v, const char **err);
static bool check_dbfilename(const struct config *cfg, const char *s, const char **err);
static bool check_appendfilename(const struct config *cfg, const char *s, const char **err);
static bool check_appenddirname(const struct config *cfg, const char *s, const char **err);
static bool check_hostname(const struct config *cfg, const char *s, const char **err);
static bool check_proc_title(const struct config *cfg, const char *s, const char **err);

#define TYPED(kind, member) .fkind = (kind), .field = offsetof(struct config_values, member)
#define UNTYPED .fkind = FK_NONE
#define BOOL_P(n, a, fl, d, ...) {.name = (n), .alias = (a), .type = P_BOOL, .flags = (fl), .def = (d), __VA_ARGS__}
#define NUM_P(n, a, fl, nf, l, h, d, ...)                                                                          \
    {.name = (n), .alias = (a), .type = P_NUM, .flags = (fl), .nflags = (nf), .lo = (l), .hi = (h), .def = (d),    \
     __VA_ARGS__}
#define ENUM_P(n, a, fl, e, d, ...)                                                                                \
    {.name = (n), .alias = (a), .type = P_ENUM, .flags = (fl), .enums = (e), .def = (d), __VA_ARGS__}
#define STR_P(n, a, fl, d, chk, ...)                                                                               \
    {.name = (n), .alias = (a), .type = P_STR, .flags = (fl), .def = (d), .str_check = (chk), __VA_ARGS__}
#define SPECIAL_P(n, a, t, fl, d, ...) {.name = (n), .alias = (a), .type = (t), .flags = (fl), .def = (d), __VA_ARGS__}

#define I_MAX ((long long)INT_MAX)
#define I_MIN ((long long)INT_MIN)
#define L_MAX ((long long)LONG_MAX)
#define LL_MAX LLONG_MAX
#define U_MAX ((long long)UINT_MAX)
#define ULL_MAX (-1LL) /* ULLONG_MAX, read back unsigned because of N_UNSIGNED */

static const struct param params[] = {
    /* bool */
    BOOL_P("rdbchecksum", NULL, F_IMMUTABLE, "yes", UNTYPED),
    BOOL_P("daemonize", NULL, F_IMMUTABLE, "no", TYPED(FK_BOOL, daemonize)),
    BOOL_P("io-threads-do-reads", NULL, F_IMMUTABLE, "no", UNTYPED),
    BOOL_P("always-show-logo", NULL, F_IMMUTABLE, "no", UNTYPED),
    BOOL_P("protected-mode", NULL, 0, "yes", TYPED(FK_BOOL, protected_mode)),
    BOOL_P("rdbcompression", NULL, 0, "yes", UNTYPED),
    BOOL_P("rdb-del-sync-files", NULL, 0, "no", UNTYPED),
    BOOL_P("activerehashing", NULL, 0, "yes", UNTYPED),
    BOOL_P("stop-writes-on-bgsave-error", NULL, F_READ_BY_NAME, "yes", UNTYPED),
    BOOL_P("set-proc-title", NULL, F_IMMUTABLE, "yes", UNTYPED),
    BOOL_P("dynamic-hz", NULL, 0, "yes", UNTYPED),
    BOOL_P("lazyfree-lazy-eviction", NULL, 0, "no", UNTYPED),
    BOOL_P("lazyfree-lazy-expire", NULL, 0, "no", UNTYPED),
    BOOL_P("lazyfree-lazy-server-del", NULL, 0, "no", UNTYPED),
    BOOL_P("lazyfree-lazy-user-del", NULL, 0, "no", UNTYPED),
    BOOL_P("lazyfree-lazy-user-flush", NULL, 0, "no", UNTYPED),
    BOOL_P("repl-disable-tcp-nodelay", NULL, 0, "no", UNTYPED),
    BOOL_P("repl-diskless-sync", NULL, 0, "yes", UNTYPED),
    BOOL_P("aof-rewrite-incremental-fsync", NULL, 0, "yes", UNTYPED),
    BOOL_P("no-appendfsync-on-rewrite", NULL, 0, "no", UNTYPED),
    BOOL_P("cluster-require-full-coverage", NULL, 0, "yes", UNTYPED),
    BOOL_P("rdb-save-incremental-fsync", NULL, 0, "yes", UNTYPED),
    BOOL_P("aof-load-truncated", NULL, 0, "yes", UNTYPED),
    BOOL_P("aof-use-rdb-preamble", NULL, 0, "yes", UNTYPED),
    BOOL_P("aof-timestamp-enabled", NULL, 0, "no", UNTYPED),
    BOOL_P("cluster-replica-no-failover", "cluster-slave-no-failover", 0, "no", UNTYPED),
    BOOL_P("replica-lazy-flush", "slave-lazy-flush", 0, "no", UNTYPED),
    BOOL_P("replica-serve-stale-data", "slave-serve-stale-data", 0, "yes", UNTYPED),
    BOOL_P("replica-read-only", "slave-read-only", 0, "yes", UNTYPED),
    BOOL_P("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, "yes", UNTYPED),
    BOOL_P("jemalloc-bg-thread", NULL, 0, "yes", UNTYPED),
    BOOL_P("activedefrag", NULL, 0, "no", UNTYPED),
    BOOL_P("syslog-enabled", NULL, F_IMMUTABLE, "no", UNTYPED),
    BOOL_P("cluster-enabled", NULL, F_IMMUTABLE, "no", UNTYPED),
    BOOL_P("appendonly", NULL, F_DENY_LOADING, DEFAULT_APPENDONLY, TYPED(FK_BOOL, appendonly)),
    BOOL_P("cluster-allow-reads-when-down", NULL, 0, "no", UNTYPED),
    BOOL_P("cluster-allow-pubsubshard-when-down", NULL, 0, "yes", UNTYPED),
    BOOL_P("crash-log-enabled", NULL, 0, "yes", UNTYPED),
    BOOL_P("crash-memcheck-enabled", NULL, 0, "yes", UNTYPED),
    BOOL_P("use-exit-on-panic", NULL, F_HIDDEN, "no", UNTYPED),
    BOOL_P("disable-thp", NULL, F_IMMUTABLE | F_READ_BY_NAME, "yes", UNTYPED),
    BOOL_P("cluster-allow-replica-migration", NULL, 0, "yes", UNTYPED),
    BOOL_P("replica-announced", NULL, 0, "yes", UNTYPED),
    BOOL_P("latency-tracking", NULL, 0, "yes", TYPED(FK_BOOL, latency_tracking)),
    BOOL_P("aof-disable-auto-gc", NULL, 0, "no", UNTYPED),
    BOOL_P("replica-ignore-disk-write-errors", NULL, 0, "no", UNTYPED),

    /* strings */
    STR_P("aclfile", NULL, F_IMMUTABLE, "", NULL, UNTYPED),
    STR_P("unixsocket", NULL, F_IMMUTABLE | F_EMPTY_NULL, "", NULL, TYPED(FK_STR, unixsocket)),
    STR_P("pidfile", NULL, F_IMMUTABLE | F_EMPTY_NULL, "", NULL, TYPED(FK_STR, pidfile)),
    STR_P("replica-announce-ip", "slave-announce-ip", F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("masteruser", NULL, F_SENSITIVE | F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("cluster-announce-ip", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("cluster-config-file", NULL, F_IMMUTABLE, "nodes.conf", NULL, UNTYPED),
    STR_P("cluster-announce-hostname", NULL, F_EMPTY_NULL, "", check_hostname, UNTYPED),
    STR_P("syslog-ident", NULL, F_IMMUTABLE, "redis", NULL, UNTYPED),
    STR_P("dbfilename", NULL, F_PROTECTED, "dump.rdb", check_dbfilename, TYPED(FK_STR, dbfilename)),
    STR_P("appendfilename", NULL, F_IMMUTABLE, "appendonly.aof", check_appendfilename, UNTYPED),
    STR_P("appenddirname", NULL, F_IMMUTABLE, "appendonlydir", check_appenddirname, UNTYPED),
    STR_P("server_cpulist", NULL, F_IMMUTABLE | F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("bio_cpulist", NULL, F_IMMUTABLE | F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("aof_rewrite_cpulist", NULL, F_IMMUTABLE | F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("bgsave_cpulist", NULL, F_IMMUTABLE | F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("ignore-warnings", NULL, 0, "", NULL, UNTYPED),
    STR_P("proc-title-template", NULL, 0, "{title} {listen-addr} {server-mode}", check_proc_title, UNTYPED),
    STR_P("bind-source-addr", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("logfile", NULL, F_IMMUTABLE, "", NULL, TYPED(FK_STR, logfile)),
    SPECIAL_P("masterauth", NULL, P_SDS, F_SENSITIVE, "", UNTYPED),
    SPECIAL_P("requirepass", NULL, P_SDS, F_SENSITIVE, "", TYPED(FK_PASS, requirepass)),

    /* enums */
    ENUM_P("supervised", NULL, F_IMMUTABLE, supervised_enum, "no", UNTYPED),
    ENUM_P("syslog-facility", NULL, F_IMMUTABLE, syslog_facility_enum, "local0", UNTYPED),
    ENUM_P("repl-diskless-load", NULL, F_DENY_LOADING, repl_diskless_load_enum, "disabled", UNTYPED),
    ENUM_P("loglevel", NULL, 0, loglevel_enum, "notice", TYPED(FK_INT, loglevel)),
    ENUM_P("maxmemory-policy", NULL, 0, maxmemory_policy_enum, "noeviction", TYPED(FK_INT, maxmemory_policy)),
    ENUM_P("appendfsync", NULL, 0, appendfsync_enum, DEFAULT_APPENDFSYNC, TYPED(FK_INT, appendfsync)),
    ENUM_P("oom-score-adj", NULL, 0, oom_score_adj_enum, "no", UNTYPED),
    ENUM_P("acl-pubsub-default", NULL, 0, acl_pubsub_default_enum, "resetchannels", UNTYPED),
    ENUM_P("sanitize-dump-payload", NULL, 0, sanitize_dump_payload_enum, "no", UNTYPED),
    ENUM_P("enable-protected-configs", NULL, F_IMMUTABLE, protected_action_enum, "no", UNTYPED),
    ENUM_P("enable-debug-command", NULL, F_IMMUTABLE | F_READ_BY_NAME, protected_action_enum, "no", UNTYPED),
    ENUM_P("enable-module-command", NULL, F_IMMUTABLE, protected_action_enum, "no", UNTYPED),
    ENUM_P("cluster-preferred-endpoint-type", NULL, 0, endpoint_type_enum, "ip", UNTYPED),
    ENUM_P("propagation-error-behavior", NULL, 0, propagation_error_enum, "ignore", UNTYPED),
    ENUM_P("shutdown-on-sigint", NULL, F_MULTI_ARG | F_READ_BY_NAME, shutdown_on_sig_enum, "default", .num_check = check_shutdown_flags,
           UNTYPED),
    ENUM_P("shutdown-on-sigterm", NULL, F_MULTI_ARG | F_READ_BY_NAME, shutdown_on_sig_enum, "default",
           .num_check = check_shutdown_flags, UNTYPED),

    /* integers (Redis int) */
    NUM_P("databases", NULL, F_IMMUTABLE, 0, 1, I_MAX, "16", TYPED(FK_INT, databases)),
    NUM_P("port", NULL, 0, 0, 0, 65535, "6379", TYPED(FK_INT, port)),
    NUM_P("io-threads", NULL, F_IMMUTABLE, 0, 1, 128, "1", UNTYPED),
    NUM_P("auto-aof-rewrite-percentage", NULL, 0, 0, 0, I_MAX, "100", UNTYPED),
    NUM_P("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, 0, 0, I_MAX, "10", UNTYPED),
    NUM_P("list-max-listpack-size", "list-max-ziplist-size", 0, 0, I_MIN, I_MAX, "-2",
          TYPED(FK_INT, list_max_listpack_size)),
    NUM_P("tcp-keepalive", NULL, 0, 0, 0, I_MAX, "300", TYPED(FK_INT, tcp_keepalive)),
    NUM_P("cluster-migration-barrier", NULL, 0, 0, 0, I_MAX, "1", UNTYPED),
    NUM_P("active-defrag-cycle-min", NULL, 0, 0, 1, 99, "1", UNTYPED),
    NUM_P("active-defrag-cycle-max", NULL, 0, 0, 1, 99, "25", UNTYPED),
    NUM_P("active-defrag-threshold-lower", NULL, 0, 0, 0, 1000, "10", UNTYPED),
    NUM_P("active-defrag-threshold-upper", NULL, 0, 0, 0, 1000, "100", UNTYPED),
    NUM_P("lfu-log-factor", NULL, 0, 0, 0, I_MAX, "10", TYPED(FK_INT, lfu_log_factor)),
    NUM_P("lfu-decay-time", NULL, 0, 0, 0, I_MAX, "1", TYPED(FK_INT, lfu_decay_time)),
    NUM_P("replica-priority", "slave-priority", 0, 0, 0, I_MAX, "100", UNTYPED),
    NUM_P("repl-diskless-sync-delay", NULL, 0, 0, 0, I_MAX, "5", UNTYPED),
    NUM_P("maxmemory-samples", NULL, 0, 0, 1, I_MAX, "5", TYPED(FK_INT, maxmemory_samples)),
    NUM_P("maxmemory-eviction-tenacity", NULL, 0, 0, 0, 100, "10", TYPED(FK_INT, maxmemory_eviction_tenacity)),
    NUM_P("timeout", NULL, 0, 0, 0, I_MAX, "0", TYPED(FK_INT, timeout)),
    NUM_P("replica-announce-port", "slave-announce-port", 0, 0, 0, 65535, "0", UNTYPED),
    NUM_P("tcp-backlog", NULL, F_IMMUTABLE, 0, 0, I_MAX, "511", TYPED(FK_INT, tcp_backlog)),
    NUM_P("cluster-port", NULL, F_IMMUTABLE, 0, 0, 65535, "0", UNTYPED),
    NUM_P("cluster-announce-bus-port", NULL, 0, 0, 0, 65535, "0", UNTYPED),
    NUM_P("cluster-announce-port", NULL, 0, 0, 0, 65535, "0", UNTYPED),
    NUM_P("cluster-announce-tls-port", NULL, 0, 0, 0, 65535, "0", UNTYPED),
    NUM_P("repl-timeout", NULL, 0, 0, 1, I_MAX, "60", UNTYPED),
    NUM_P("repl-ping-replica-period", "repl-ping-slave-period", 0, 0, 1, I_MAX, "10", UNTYPED),
    NUM_P("list-compress-depth", NULL, 0, 0, 0, I_MAX, "0", UNTYPED),
    NUM_P("rdb-key-save-delay", NULL, F_HIDDEN, 0, I_MIN, I_MAX, "0", UNTYPED),
    NUM_P("key-load-delay", NULL, F_HIDDEN, 0, I_MIN, I_MAX, "0", UNTYPED),
    NUM_P("active-expire-effort", NULL, 0, 0, 1, 10, "1", UNTYPED),
    NUM_P("hz", NULL, 0, N_HZ, 0, I_MAX, "10", TYPED(FK_INT, hz)),
    NUM_P("min-replicas-to-write", "min-slaves-to-write", 0, 0, 0, I_MAX, "0", UNTYPED),
    NUM_P("min-replicas-max-lag", "min-slaves-max-lag", 0, 0, 0, I_MAX, "10", UNTYPED),
    NUM_P("watchdog-period", NULL, F_HIDDEN, 0, 0, I_MAX, "0", UNTYPED),
    NUM_P("shutdown-timeout", NULL, 0, 0, 0, I_MAX, "10", UNTYPED),
    NUM_P("repl-diskless-sync-max-replicas", NULL, 0, 0, 0, I_MAX, "0", UNTYPED),
    /* unsigned int */
    NUM_P("maxclients", NULL, 0, N_UNSIGNED, 1, U_MAX, "10000", TYPED(FK_UINT, maxclients)),
    NUM_P("unixsocketperm", NULL, F_IMMUTABLE, N_UNSIGNED | N_OCTAL, 0, 0777, "0", TYPED(FK_UINT, unixsocketperm)),
    NUM_P("socket-mark-id", NULL, F_IMMUTABLE, N_UNSIGNED, 0, U_MAX, "0", UNTYPED),
    /* unsigned long (checked as signed by Redis) */
    NUM_P("active-defrag-max-scan-fields", NULL, 0, 0, 1, L_MAX, "1000", UNTYPED),
    NUM_P("slowlog-max-len", NULL, 0, 0, 0, L_MAX, "128", TYPED(FK_LL, slowlog_max_len)),
    NUM_P("acllog-max-len", NULL, 0, 0, 0, L_MAX, "128", UNTYPED),
    /* long long */
    NUM_P("busy-reply-threshold", "lua-time-limit", 0, 0, 0, L_MAX, "5000",
          TYPED(FK_LL, busy_reply_threshold)),
    NUM_P("cluster-node-timeout", NULL, 0, 0, 0, LL_MAX, "15000", UNTYPED),
    NUM_P("slowlog-log-slower-than", NULL, 0, 0, -1, LL_MAX, "10000", TYPED(FK_LL, slowlog_log_slower_than)),
    NUM_P("latency-monitor-threshold", NULL, 0, 0, 0, LL_MAX, "0", TYPED(FK_LL, latency_monitor_threshold)),
    NUM_P("proto-max-bulk-len", NULL, 0, N_MEMORY, 1024 * 1024, L_MAX, "536870912",
          TYPED(FK_LL, proto_max_bulk_len)),
    NUM_P("stream-node-max-entries", NULL, 0, 0, 0, LL_MAX, "100", TYPED(FK_LL, stream_node_max_entries)),
    NUM_P("repl-backlog-size", NULL, 0, N_MEMORY, 1, LL_MAX, "1048576", UNTYPED),
    /* unsigned long long */
    NUM_P("maxmemory", NULL, 0, N_MEMORY | N_UNSIGNED, 0, ULL_MAX, "0", TYPED(FK_ULL, maxmemory)),
    NUM_P("cluster-link-sendbuf-limit", NULL, 0, N_MEMORY | N_UNSIGNED, 0, ULL_MAX, "0", UNTYPED),
    /* size_t */
    NUM_P("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, N_UNSIGNED, 0, L_MAX, "512",
          TYPED(FK_LL, hash_max_listpack_entries)),
    NUM_P("set-max-intset-entries", NULL, 0, N_UNSIGNED, 0, L_MAX, "512", TYPED(FK_LL, set_max_intset_entries)),
    NUM_P("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, N_UNSIGNED, 0, L_MAX, "128",
          TYPED(FK_LL, zset_max_listpack_entries)),
    NUM_P("active-defrag-ignore-bytes", NULL, 0, N_MEMORY | N_UNSIGNED, 1, LL_MAX, "104857600", UNTYPED),
    NUM_P("hash-max-listpack-value", "hash-max-ziplist-value", 0, N_MEMORY | N_UNSIGNED, 0, L_MAX, "64",
          TYPED(FK_LL, hash_max_listpack_value)),
    NUM_P("stream-node-max-bytes", NULL, 0, N_MEMORY | N_UNSIGNED, 0, L_MAX, "4096",
          TYPED(FK_LL, stream_node_max_bytes)),
    NUM_P("zset-max-listpack-value", "zset-max-ziplist-value", 0, N_MEMORY | N_UNSIGNED, 0, L_MAX, "64",
          TYPED(FK_LL, zset_max_listpack_value)),
    NUM_P("hll-sparse-max-bytes", NULL, 0, N_MEMORY | N_UNSIGNED, 0, L_MAX, "3000", UNTYPED),
    NUM_P("tracking-table-max-keys", NULL, 0, N_UNSIGNED, 0, L_MAX, "1000000", UNTYPED),
    NUM_P("client-query-buffer-limit", NULL, 0, N_MEMORY | N_UNSIGNED, 1024 * 1024, L_MAX, "1073741824",
          TYPED(FK_LL, client_query_buffer_limit)),
    /* ssize_t, time_t, off_t */
    NUM_P("maxmemory-clients", NULL, 0, N_MEMORY | N_PERCENT, -100, LL_MAX, "0", UNTYPED),
    NUM_P("repl-backlog-ttl", NULL, 0, 0, 0, L_MAX, "3600", UNTYPED),
    NUM_P("auto-aof-rewrite-min-size", NULL, 0, N_MEMORY, 0, LL_MAX, "67108864", UNTYPED),
    NUM_P("loading-process-events-interval-bytes", NULL, F_HIDDEN, 0, 1024, I_MAX, "2097152", UNTYPED),

    /* TLS (Debian builds Redis with OpenSSL) */
    NUM_P("tls-port", NULL, 0, 0, 0, 65535, "0", UNTYPED),
    NUM_P("tls-session-cache-size", NULL, 0, 0, 0, I_MAX, "20480", UNTYPED),
    NUM_P("tls-session-cache-timeout", NULL, 0, 0, 0, I_MAX, "300", UNTYPED),
    BOOL_P("tls-cluster", NULL, 0, "no", UNTYPED),
    BOOL_P("tls-replication", NULL, 0, "no", UNTYPED),
    ENUM_P("tls-auth-clients", NULL, 0, tls_auth_clients_enum, "yes", UNTYPED),
    BOOL_P("tls-prefer-server-ciphers", NULL, 0, "no", UNTYPED),
    BOOL_P("tls-session-caching", NULL, 0, "yes", UNTYPED),
    STR_P("tls-cert-file", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-key-file", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-key-file-pass", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-client-cert-file", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-client-key-file", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-client-key-file-pass", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-dh-params-file", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-ca-cert-file", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-ca-cert-dir", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-protocols", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-ciphers", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),
    STR_P("tls-ciphersuites", NULL, F_EMPTY_NULL, "", NULL, UNTYPED),

    /* special */
    SPECIAL_P("dir", NULL, P_DIR, F_PROTECTED | F_DENY_LOADING, DEFAULT_DIR, TYPED(FK_STR, dir)),
    SPECIAL_P("save", NULL, P_SAVE, F_MULTI_ARG, "3600 1 300 100 60 10000", TYPED(FK_SAVE, save)),
    SPECIAL_P("client-output-buffer-limit", NULL, P_COBL, F_MULTI_ARG,
              "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", TYPED(FK_COBL, cobl)),
    SPECIAL_P("oom-score-adj-values", NULL, P_OOMVALS, F_MULTI_ARG, "0 200 800", UNTYPED),
    SPECIAL_P("notify-keyspace-events", NULL, P_NOTIFY, 0, "", TYPED(FK_NOTIFY, notify_keyspace_events)),
    SPECIAL_P("bind", NULL, P_BIND, F_MULTI_ARG, "* -::*", TYPED(FK_BIND, bind)),
    SPECIAL_P("replicaof", "slaveof", P_REPLICAOF, F_IMMUTABLE | F_MULTI_ARG, "", UNTYPED),
    SPECIAL_P("latency-tracking-info-percentiles", NULL, P_PERCENTILES, F_MULTI_ARG, "50 99 99.9", UNTYPED),
};

#define NPARAMS (sizeof(params) / sizeof(params[0]))

/* Config-file directives Redis 7.0 still accepts (with one argument) and ignores. */
static const char *const deprecated_directives[] = {"list-max-ziplist-entries", "list-max-ziplist-value",
                                                    "lua-replicate-commands"};

/* ------------------------------------------------------------------------ */
/* Values and the config                                                     */
/* ------------------------------------------------------------------------ */

struct value {
    char *text;    /* normalized, as CONFIG GET shows it; NUL-terminated, owned */
    size_t len;
    long long num; /* bool, enum bits, number */
    void *list;    /* P_BIND: char *[count] (one block); P_SAVE: save points; P_COBL: long long[9] */
    int count;
};

struct name_ent {
    const char *name;
    unsigned short row;
    bool alias;
};

struct kept_line {
    char *name;
    char *args;
};

struct config {
    struct config_values v;
    struct value val[NPARAMS];
    struct value def[NPARAMS];         /* defaults, for config_not_acted_on */
    struct name_ent names[2 * NPARAMS]; /* sorted case-insensitively */
    int nnames;
    char *file;

    config_rename_fn rename_fn;
    void *rename_ctx;
    char **renames; /* from, to, from, to... */
    int nrenames;
    struct kept_line *kept;
    int nkept;

    config_apply_fn apply_fn;
    void *apply_ctx;
};

/* A growable byte string. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = kv_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_fmt(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(struct sbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Makes sure b->p is an allocated string, even when nothing was added. */
static char *sb_take(struct sbuf *b, size_t *len)
{
    if (!b->p)
        sb_add(b, "", 0);
    *len = b->len;
    return b->p;
}

static void value_free(struct value *v)
{
    free(v->text);
    free(v->list);
    memset(v, 0, sizeof(*v));
}

static void value_set_text(struct value *v, struct sbuf *b) { v->text = sb_take(b, &v->len); }

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Name lookup                                                               */
/* ------------------------------------------------------------------------ */

/* Case-insensitive comparison of a (ptr,len) name with a table name. */
static int name_cmp(const char *a, size_t alen, const char *b)
{
    size_t i;
    for (i = 0; i < alen && b[i]; i++) {
        int ca = tolower((unsigned char)a[i]), cb = tolower((unsigned char)b[i]);
        if (ca != cb)
            return ca - cb;
    }
    if (i < alen)
        return 1;
    return b[i] ? -1 : 0;
}

static int name_ent_cmp(const void *x, const void *y)
{
    const struct name_ent *a = x, *b = y;
    return strcasecmp(a->name, b->name);
}

static void build_index(struct config *cfg)
{
    int n = 0;
    for (size_t i = 0; i < NPARAMS; i++) {
        cfg->names[n++] = (struct name_ent){params[i].name, (unsigned short)i, false};
        if (params[i].alias)
            cfg->names[n++] = (struct name_ent){params[i].alias, (unsigned short)i, true};
    }
    qsort(cfg->names, (size_t)n, sizeof(cfg->names[0]), name_ent_cmp);
    cfg->nnames = n;
}

static const struct name_ent *lookup(const struct config *cfg, const char *name, size_t len)
{
    int lo = 0, hi = cfg->nnames - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = name_cmp(name, len, cfg->names[mid].name);
        if (c == 0)
            return &cfg->names[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Number parsing, with Redis' exact acceptance rules                        */
/* ------------------------------------------------------------------------ */

/* Strict decimal: no sign but '-', no leading zeros, no spaces, fits in long long. */
static bool parse_ll(const char *s, size_t slen, long long *out)
{
    const char *p = s;
    size_t i = 0;
    bool neg = false;
    unsigned long long v;

    if (slen == 0 || slen >= 21)
        return false;
    if (slen == 1 && p[0] == '0') {
        *out = 0;
        return true;
    }
    if (p[0] == '-') {
        neg = true;
        i++;
        if (i == slen)
            return false;
    }
    if (p[i] < '1' || p[i] > '9')
        return false;
    v = (unsigned long long)(p[i++] - '0');
    for (; i < slen && p[i] >= '0' && p[i] <= '9'; i++) {
        if (v > ULLONG_MAX / 10)
            return false;
        v *= 10;
        if (v > ULLONG_MAX - (unsigned long long)(p[i] - '0'))
            return false;
        v += (unsigned long long)(p[i] - '0');
    }
    if (i < slen)
        return false;
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return false;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return false;
        *out = (long long)v;
    }
    return true;
}

/* A memory size as Redis reads it: digits then b, k (1000), kb (1024), m, mb,
 * g, gb in any case. No sign; digits overflowing saturate; the product wraps. */
static bool parse_memory(const char *s, unsigned long long *out)
{
    const char *u = s;
    unsigned long long mul, val = 0;

    if (*u == '-')
        return false;
    while (*u && isdigit((unsigned char)*u))
        u++;
    if (*u == '\0' || !strcasecmp(u, "b"))
        mul = 1;
    else if (!strcasecmp(u, "k"))
        mul = 1000;
    else if (!strcasecmp(u, "kb"))
        mul = 1024;
    else if (!strcasecmp(u, "m"))
        mul = 1000 * 1000;
    else if (!strcasecmp(u, "mb"))
        mul = 1024 * 1024;
    else if (!strcasecmp(u, "g"))
        mul = 1000ULL * 1000 * 1000;
    else if (!strcasecmp(u, "gb"))
        mul = 1024ULL * 1024 * 1024;
    else
        return false;
    if (u - s >= 128)
        return false;
    for (const char *p = s; p < u; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (val > (ULLONG_MAX - d) / 10) {
            val = ULLONG_MAX;
            break;
        }
        val = val * 10 + d;
    }
    *out = val * mul;
    return true;
}

/* strtod with Redis' string2d rules: the whole string, no leading space, no NaN. */
static bool parse_double(const char *s, size_t slen, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (slen == 0 || isspace((unsigned char)s[0]) || (size_t)(end - s) != slen ||
        (errno == ERANGE && (*out == HUGE_VAL || *out == -HUGE_VAL || fpclassify(*out) == FP_ZERO)) || isnan(*out))
        return false;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Validators                                                                */
/* ------------------------------------------------------------------------ */

static bool check_shutdown_flags(long long v, const char **err)
{
    if ((v & SHUTDOWN_SAVE) && (v & SHUTDOWN_NOSAVE)) {
        *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
        return false;
    }
    return true;
}

static bool is_basename(const char *s) { return !strchr(s, '/') && !strchr(s, '\\'); }

static bool check_dbfilename(const struct config *cfg, const char *s, const char **err)
{
    if (!is_basename(s)) {
        *err = "dbfilename can't be a path, just a filename";
        return false;
    }
    return true;
}

static bool check_appendfilename(const struct config *cfg, const char *s, const char **err)
{
    if (!*s) {
        *err = "appendfilename can't be empty";
        return false;
    }
    if (!is_basename(s)) {
        *err = "appendfilename can't be a path, just a filename";
        return false;
    }
    return true;
}

static bool check_appenddirname(const struct config *cfg, const char *s, const char **err)
{
    if (!*s) {
        *err = "appenddirname can't be empty";
        return false;
    }
    if (!is_basename(s)) {
        *err = "appenddirname can't be a path, just a dirname";
        return false;
    }
    return true;
}

static bool check_hostname(const struct config *cfg, const char *s, const char **err)
{
    if (strlen(s) >= 256) {
        *err = "Hostnames must be less than 256 characters";
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
            *err = "Hostnames may only contain alphanumeric characters, hyphens or dots";
            return false;
        }
    }
    return true;
}

static const struct value *value_by_name(const struct config *cfg, const char *name);

/* The proc-title template must expand (known {variables}, "{{" for a brace)
 * to something other than spaces, the title itself being empty. */
static bool check_proc_title(const struct config *cfg, const char *s, const char **err)
{
    static const char *const vars[] = {"title", "listen-addr", "server-mode", "port",
                                       "tls-port", "unixsocket", "config-file"};
    bool nonblank = false;
    const char *p = s;

    while (*p) {
        const char *open = strchr(p, '{');
        const char *end = open ? open : p + strlen(p);
        for (const char *q = p; q < end; q++)
            if (*q != ' ')
                nonblank = true;
        if (!open)
            break;
        if (open[1] == '\0')
            goto bad;
        if (open[1] == '{') {
            nonblank = true;
            p = open + 2;
            continue;
        }
        const char *close = strchr(open + 1, '}');
        size_t n, i;
        if (!close)
            goto bad;
        n = (size_t)(close - open - 1);
        for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
            if (strlen(vars[i]) == n && !memcmp(vars[i], open + 1, n))
                break;
        if (i == sizeof(vars) / sizeof(vars[0]))
            goto bad;
        /* what the variable expands to: empty for the title, a mode outside
         * cluster, an unset unix socket or config file */
        if (!strcmp(vars[i], "listen-addr") || !strcmp(vars[i], "port") || !strcmp(vars[i], "tls-port"))
            nonblank = true;
        else if (!strcmp(vars[i], "server-mode"))
            nonblank = nonblank || value_by_name(cfg, "cluster-enabled")->num;
        else if (!strcmp(vars[i], "unixsocket"))
            nonblank = nonblank || value_by_name(cfg, "unixsocket")->len;
        else if (!strcmp(vars[i], "config-file"))
            nonblank = nonblank || cfg->file;
        p = close + 1;
    }
    if (nonblank)
        return true;
bad:
    *err = "template format is invalid or contains unknown variables";
    return false;
}

/* ------------------------------------------------------------------------ */
/* Parsers: arguments -> a fresh struct value                                */
/* ------------------------------------------------------------------------ */

/* Arguments handed to the parsers are NUL-terminated at ptr[len]. */
typedef struct config_arg arg_t;

struct parse_ctx {
    const struct config *cfg;
    const struct value *cur; /* the current value */
    bool save_append;        /* config file: a later `save` line adds points */
    char *ebuf;              /* ERRTEXT_LEN bytes for formatted errors */
};

static const char *parse_bool(const arg_t *a, struct value *out)
{
    struct sbuf b = {0};
    if (!strcasecmp(a->ptr, "yes"))
        out->num = 1;
    else if (!strcasecmp(a->ptr, "no"))
        out->num = 0;
    else
        return "argument must be 'yes' or 'no'";
    sb_str(&b, out->num ? "yes" : "no");
    value_set_text(out, &b);
    return NULL;
}

static void numeric_text(const struct param *p, long long v, struct sbuf *b)
{
    if ((p->nflags & N_PERCENT) && v < 0)
        sb_fmt(b, "%lld%%", -v);
    else if (p->nflags & N_MEMORY)
        sb_fmt(b, "%llu", (unsigned long long)v);
    else if (p->nflags & N_OCTAL)
        sb_fmt(b, "%llo", (unsigned long long)v);
    else
        sb_fmt(b, "%lld", v);
}

static const char *parse_num(const struct param *p, const arg_t *a, struct parse_ctx *pc, struct value *out)
{
    long long v = 0;
    unsigned long long u;
    bool ok = false;
    struct sbuf b = {0};

    if ((p->nflags & N_MEMORY) && parse_memory(a->ptr, &u)) {
        v = (long long)u;
        ok = true;
    }
    if (!ok && (p->nflags & N_PERCENT) && a->len > 1 && a->ptr[a->len - 1] == '%' &&
        parse_ll(a->ptr, a->len - 1, &v) && v >= 0) {
        v = -v;
        ok = true;
    }
    if (!ok && (p->nflags & N_OCTAL)) {
        char *end;
        errno = 0;
        v = strtoll(a->ptr, &end, 8);
        ok = errno == 0 && *end == '\0';
    }
    if (!ok && !(p->nflags & (N_MEMORY | N_PERCENT | N_OCTAL)))
        ok = parse_ll(a->ptr, a->len, &v);
    if (!ok) {
        if ((p->nflags & N_MEMORY) && (p->nflags & N_PERCENT))
            return "argument must be a memory or percent value";
        if (p->nflags & N_MEMORY)
            return "argument must be a memory value";
        if (p->nflags & N_OCTAL)
            return "argument couldn't be parsed as an octal number";
        return "argument couldn't be parsed into an integer";
    }

    if (p->nflags & N_UNSIGNED) {
        unsigned long long uv = (unsigned long long)v, ulo = (unsigned long long)p->lo,
                           uhi = (unsigned long long)p->hi;
        if (uv > uhi || uv < ulo) {
            snprintf(pc->ebuf, ERRTEXT_LEN,
                     (p->nflags & N_OCTAL) ? "argument must be between %llo and %llo inclusive"
                                           : "argument must be between %llu and %llu inclusive",
                     ulo, uhi);
            return pc->ebuf;
        }
    } else if ((p->nflags & N_PERCENT) && v < 0) {
        if (v < p->lo) {
            snprintf(pc->ebuf, ERRTEXT_LEN, "percentage argument must be less or equal to %lld", -p->lo);
            return pc->ebuf;
        }
    } else if (v > p->hi || v < p->lo) {
        snprintf(pc->ebuf, ERRTEXT_LEN, "argument must be between %lld and %lld inclusive", p->lo, p->hi);
        return pc->ebuf;
    }
    if (p->nflags & N_HZ) /* Redis takes any hz and caps it */
        v = v < 1 ? 1 : v > 500 ? 500 : v;
    out->num = v;
    numeric_text(p, v, &b);
    value_set_text(out, &b);
    return NULL;
}

static const char *parse_enum(const struct param *p, int argc, const arg_t *argv, struct parse_ctx *pc,
                              struct value *out)
{
    bool bitflags = (p->flags & F_MULTI_ARG) != 0;
    const struct enum_val *e;
    const char *err = NULL;
    int v = 0;
    struct sbuf b = {0};

    if (argc == 0 || (!bitflags && argc != 1))
        goto bad;
    for (int i = 0; i < argc; i++) {
        for (e = p->enums; e->name; e++)
            if (!strcasecmp(e->name, argv[i].ptr))
                break;
        if (!e->name)
            goto bad;
        v |= e->val;
    }
    if (p->num_check && !p->num_check(v, &err))
        return err;
    out->num = v;
    for (e = p->enums; e->name; e++) {
        if (e->val == v) {
            sb_str(&b, e->name);
            value_set_text(out, &b);
            return NULL;
        }
    }
    int unmatched = v;
    for (e = p->enums; e->name; e++) {
        if (bitflags && e->val && (unmatched & e->val) == e->val) {
            if (b.len)
                sb_str(&b, " ");
            sb_str(&b, e->name);
            unmatched &= ~e->val;
        }
    }
    value_set_text(out, &b);
    return NULL;
bad:
    sb_str(&b, "argument(s) must be one of the following: ");
    for (e = p->enums; e->name; e++) {
        sb_str(&b, e->name);
        if (e[1].name)
            sb_str(&b, ", ");
    }
    snprintf(pc->ebuf, ERRTEXT_LEN, "%s", b.p);
    free(b.p);
    return pc->ebuf;
}

static const char *parse_str(const struct param *p, const arg_t *a, struct parse_ctx *pc, struct value *out)
{
    const char *err = NULL;
    struct sbuf b = {0};
    if (p->str_check && !p->str_check(pc->cfg, a->ptr, &err))
        return err;
    if (p->type == P_SDS)
        sb_add(&b, a->ptr, a->len);
    else
        sb_str(&b, a->ptr);
    value_set_text(out, &b);
    return NULL;
}

static const char *parse_save(int argc, const arg_t *argv, struct parse_ctx *pc, struct value *out)
{
    const struct config_save_point *old = pc->save_append ? pc->cur->list : NULL;
    int nold = old ? pc->cur->count : 0;
    struct config_save_point *pts;
    struct sbuf b = {0};

    if (argc == 1 && argv[0].ptr[0] == '\0') { /* save "" always empties the list */
        argc = 0;
        nold = 0;
    }
    if (argc & 1)
        return "Invalid save parameters";
    for (int j = 0; j < argc; j++) {
        char *end;
        long long v = strtoll(argv[j].ptr, &end, 10);
        if (*end != '\0' || ((j & 1) == 0 && v < 1) || ((j & 1) == 1 && v < 0))
            return "Invalid save parameters";
    }
    pts = kv_xmalloc(sizeof(*pts) * (size_t)(nold + argc / 2 + 1));
    if (nold)
        memcpy(pts, old, sizeof(*pts) * (size_t)nold);
    for (int j = 0; j < argc; j += 2) {
        pts[nold + j / 2].seconds = strtoll(argv[j].ptr, NULL, 10);
        pts[nold + j / 2].changes = (int)strtoll(argv[j + 1].ptr, NULL, 10);
    }
    out->list = pts;
    out->count = nold + argc / 2;
    for (int j = 0; j < out->count; j++)
        sb_fmt(&b, "%s%lld %d", j ? " " : "", pts[j].seconds, pts[j].changes);
    value_set_text(out, &b);
    return NULL;
}

static const char *parse_bind(int argc, const arg_t *argv, struct value *out)
{
    size_t bytes = 0;
    char **addrs, *s;
    struct sbuf b = {0};

    if (argc > MAX_BIND)
        return "Too many bind addresses specified.";
    if (argc == 1 && argv[0].len == 0)
        argc = 0;
    for (int j = 0; j < argc; j++)
        bytes += strlen(argv[j].ptr) + 1;
    addrs = kv_xmalloc(sizeof(char *) * (size_t)(argc + 1) + bytes);
    s = (char *)(addrs + argc + 1);
    for (int j = 0; j < argc; j++) {
        size_t n = strlen(argv[j].ptr);
        memcpy(s, argv[j].ptr, n + 1);
        addrs[j] = s;
        s += n + 1;
        if (j)
            sb_str(&b, " ");
        sb_str(&b, addrs[j]);
    }
    addrs[argc] = NULL;
    out->list = addrs;
    out->count = argc;
    value_set_text(out, &b);
    return NULL;
}

static int client_class(const char *name)
{
    if (!strcasecmp(name, "normal"))
        return 0;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica"))
        return 1;
    if (!strcasecmp(name, "pubsub"))
        return 2;
    return -1; /* "master" is a class, but not one with limits */
}

static const char *parse_cobl(int argc, const arg_t *argv, struct parse_ctx *pc, struct value *out)
{
    static const char *const classes[3] = {"normal", "slave", "pubsub"};
    long long *lim = kv_xmalloc(sizeof(long long) * 9);
    struct sbuf b = {0};

    memcpy(lim, pc->cur->list, sizeof(long long) * 9);
    if (argc % 4) {
        free(lim);
        return "Wrong number of arguments in buffer limit configuration.";
    }
    for (int j = 0; j < argc; j += 4) {
        int cls = client_class(argv[j].ptr);
        unsigned long long hard, soft;
        char *end;
        int secs;
        if (cls < 0) {
            free(lim);
            return "Invalid client class specified in buffer limit configuration.";
        }
        secs = (int)strtoll(argv[j + 3].ptr, &end, 10);
        if (!parse_memory(argv[j + 1].ptr, &hard) || !parse_memory(argv[j + 2].ptr, &soft) || secs < 0 ||
            *end != '\0') {
            free(lim);
            return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        }
        lim[cls * 3] = (long long)hard;
        lim[cls * 3 + 1] = (long long)soft;
        lim[cls * 3 + 2] = secs;
    }
    for (int c = 0; c < 3; c++)
        sb_fmt(&b, "%s%s %llu %llu %lld", c ? " " : "", classes[c], (unsigned long long)lim[c * 3],
               (unsigned long long)lim[c * 3 + 1], lim[c * 3 + 2]);
    out->list = lim;
    out->count = 9;
    value_set_text(out, &b);
    return NULL;
}

static const char *parse_oomvals(int argc, const arg_t *argv, struct value *out)
{
    struct sbuf b = {0};
    if (argc != 3)
        return "wrong number of arguments";
    for (int j = 0; j < 3; j++) {
        char *end;
        long long v = strtoll(argv[j].ptr, &end, 10);
        if (*end != '\0' || v < -2000 || v > 2000) {
            free(b.p);
            return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
        }
        sb_fmt(&b, "%s%d", j ? " " : "", (int)v);
    }
    value_set_text(out, &b);
    return NULL;
}

/* notify-keyspace-events: the flags as NOTIFY_* classes in num (what the
 * server acts on; 'n' survives an 'A' that the text does not show), the text
 * as Redis prints it. Redis reads the value as a C string. */
static const char *parse_notify(const arg_t *a, struct value *out)
{
    int flags;
    char buf[32];
    struct sbuf b = {0};
    if (!ps_notify_parse(a->ptr, strlen(a->ptr), &flags))
        return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    sb_add(&b, buf, ps_notify_display(flags, buf));
    out->num = flags;
    value_set_text(out, &b);
    return NULL;
}

static const char *parse_replicaof(int argc, const arg_t *argv, struct value *out)
{
    struct sbuf b = {0};
    if (argc != 2)
        return "wrong number of arguments";
    if (strcasecmp(argv[0].ptr, "no") || strcasecmp(argv[1].ptr, "one")) {
        char *end;
        long port = strtol(argv[1].ptr, &end, 10);
        if (port < 0 || port > 65535 || *end != '\0')
            return "Invalid master port";
        sb_str(&b, argv[0].ptr);
        sb_fmt(&b, " %ld", port);
        if (b.len > 255) { /* Redis formats it in 256 bytes */
            b.len = 255;
            b.p[255] = '\0';
        }
    }
    value_set_text(out, &b);
    return NULL;
}

static const char *parse_percentiles(int argc, const arg_t *argv, struct value *out)
{
    struct sbuf b = {0};
    if (argc == 1 && argv[0].len == 0)
        argc = 0;
    for (int j = 0; j < argc; j++) {
        double d;
        char tmp[128];
        if (!parse_double(argv[j].ptr, argv[j].len, &d)) {
            free(b.p);
            return "Invalid latency-tracking-info-percentiles parameters";
        }
        if (d > 100.0 || d < 0.0) {
            free(b.p);
            return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
        }
        /* "%f" without trailing zeros, as Redis prints it */
        int n = snprintf(tmp, sizeof(tmp), "%f", d);
        if (strchr(tmp, '.')) {
            while (n > 0 && tmp[n - 1] == '0')
                n--;
            if (n > 0 && tmp[n - 1] == '.')
                n--;
        }
        if (j)
            sb_str(&b, " ");
        sb_add(&b, tmp, (size_t)n);
    }
    value_set_text(out, &b);
    return NULL;
}

/* Redis' getAbsolutePath(): trims spaces, joins a relative path to the
 * current directory, folding leading "../". Returns a malloc'ed string. */
static char *absolute_path(const char *path)
{
    char cwd[4096];
    struct sbuf b = {0};
    size_t len;
    const char *rel = path;

    while (*rel == ' ' || *rel == '\t' || *rel == '\r' || *rel == '\n')
        rel++;
    len = strlen(rel);
    while (len && strchr(" \t\r\n", rel[len - 1]))
        len--;
    if (len && rel[0] == '/') {
        sb_add(&b, rel, len);
        return sb_take(&b, &len);
    }
    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    sb_str(&b, cwd);
    if (b.len && b.p[b.len - 1] != '/')
        sb_str(&b, "/");
    while (len >= 3 && rel[0] == '.' && rel[1] == '.' && rel[2] == '/') {
        rel += 3;
        len -= 3;
        if (b.len > 1) {
            b.len--; /* drop the trailing '/', then the last element */
            while (b.len && b.p[b.len - 1] != '/')
                b.len--;
            b.p[b.len] = '\0';
        }
    }
    sb_add(&b, rel, len);
    return sb_take(&b, &len);
}

/* `dir`: Redis shows getcwd() after chdir(dir), i.e. an absolute, resolved
 * path. taskkv does not chdir while parsing: it stores the absolute form
 * (symlinks resolved when the directory exists) and main() enters it. */
static const char *parse_dir(const arg_t *a, struct value *out)
{
    char *resolved, *abs;
    struct sbuf b = {0};
    const char *s = a->ptr;

    if (*s == '\0')
        return strerror(ENOENT);
    resolved = realpath(s, NULL);
    if (resolved) {
        sb_str(&b, resolved);
        free(resolved);
    } else {
        while (s[0] == '.' && s[1] == '/')
            s += 2;
        abs = absolute_path(*s ? s : ".");
        sb_str(&b, abs);
        free(abs);
        while (b.len > 1 && b.p[b.len - 1] == '/')
            b.p[--b.len] = '\0';
    }
    value_set_text(out, &b);
    return NULL;
}

/* Parses the arguments of parameter `p` into a fresh *out. Returns NULL, or
 * the error text (static, or in pc->ebuf). */
static const char *parse_value(const struct param *p, int argc, const arg_t *argv, struct parse_ctx *pc,
                               struct value *out)
{
    const char *err;

    memset(out, 0, sizeof(*out));
    switch (p->type) {
    case P_BOOL: err = parse_bool(&argv[0], out); break;
    case P_NUM: err = parse_num(p, &argv[0], pc, out); break;
    case P_ENUM: err = parse_enum(p, argc, argv, pc, out); break;
    case P_STR:
    case P_SDS: err = parse_str(p, &argv[0], pc, out); break;
    case P_SAVE: err = parse_save(argc, argv, pc, out); break;
    case P_BIND: err = parse_bind(argc, argv, out); break;
    case P_COBL: err = parse_cobl(argc, argv, pc, out); break;
    case P_OOMVALS: err = parse_oomvals(argc, argv, out); break;
    case P_NOTIFY: err = parse_notify(&argv[0], out); break;
    case P_REPLICAOF: err = parse_replicaof(argc, argv, out); break;
    case P_PERCENTILES: err = parse_percentiles(argc, argv, out); break;
    case P_DIR: err = parse_dir(&argv[0], out); break;
    default: err = "unknown parameter type"; break;
    }
    if (err)
        value_free(out);
    return err;
}

/* ------------------------------------------------------------------------ */
/* Installing values                                                         */
/* ------------------------------------------------------------------------ */

/* Copies value `i` into its typed field, if it has one. */
static void publish(struct config *cfg, size_t i)
{
    const struct param *p = &params[i];
    const struct value *v = &cfg->val[i];
    char *f = (char *)&cfg->v + p->field;

    switch (p->fkind) {
    case FK_NONE: break;
    case FK_BOOL: *(bool *)f = v->num != 0; break;
    case FK_INT: *(int *)f = (int)v->num; break;
    case FK_UINT: *(unsigned *)f = (unsigned)v->num; break;
    case FK_LL: *(long long *)f = v->num; break;
    case FK_ULL: *(unsigned long long *)f = (unsigned long long)v->num; break;
    case FK_STR: *(const char **)f = (v->len == 0 && (p->flags & F_EMPTY_NULL)) ? NULL : v->text; break;
    case FK_NOTIFY:
        cfg->v.notify_keyspace_events = v->text;
        cfg->v.notify_flags = (int)v->num;
        break;
    case FK_PASS:
        cfg->v.requirepass = v->len ? v->text : NULL;
        cfg->v.requirepass_len = v->len;
        break;
    case FK_BIND:
        cfg->v.bind = (const char *const *)v->list;
        cfg->v.nbind = v->count;
        break;
    case FK_SAVE:
        cfg->v.save = v->list;
        cfg->v.nsave = v->count;
        break;
    case FK_COBL: cfg->v.cobl = (const long long (*)[3])v->list; break;
    }
}

/* Swaps *nv into slot i; *nv receives the previous value. */
static void install(struct config *cfg, size_t i, struct value *nv)
{
    struct value old = cfg->val[i];
    cfg->val[i] = *nv;
    *nv = old;
    publish(cfg, i);
}

static const struct value *value_by_name(const struct config *cfg, const char *name)
{
    const struct name_ent *e = lookup(cfg, name, strlen(name));
    return e ? &cfg->val[e->row] : NULL;
}

/* Splits `s` on single spaces as CONFIG SET does for multi-argument
 * parameters (two spaces make an empty argument; "" gives none). The tokens
 * are NUL-terminated copies in one allocation returned in *block. */
static int split_spaces(const char *s, size_t len, arg_t **out, char **block)
{
    int n = 0, k = 0;
    arg_t *toks;
    char *copy;
    size_t start = 0;

    if (len == 0) {
        *out = NULL;
        *block = NULL;
        return 0;
    }
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ')
            n++;
    n++;
    toks = kv_xmalloc(sizeof(arg_t) * (size_t)n);
    copy = kv_xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    for (size_t i = 0; i <= len; i++) {
        if (i == len || copy[i] == ' ') {
            copy[i] = '\0';
            toks[k].ptr = copy + start;
            toks[k].len = i - start;
            k++;
            start = i + 1;
        }
    }
    *out = toks;
    *block = copy;
    return n;
}

/* Parses a CONFIG SET style value (one string, split on spaces when the
 * parameter takes several arguments). */
static const char *parse_string_value(const struct param *p, const char *s, size_t len, struct parse_ctx *pc,
                                      struct value *out)
{
    const char *err;
    if (p->flags & F_MULTI_ARG) {
        arg_t *toks;
        char *block;
        int n = split_spaces(s, len, &toks, &block);
        err = parse_value(p, n, toks, pc, out);
        free(toks);
        free(block);
    } else {
        char *copy = kv_xstrndup(s, len);
        arg_t a = {copy, len};
        err = parse_value(p, 1, &a, pc, out);
        free(copy);
    }
    return err;
}

/* ------------------------------------------------------------------------ */
/* Create / destroy / accessors                                              */
/* ------------------------------------------------------------------------ */

struct config *config_create(void)
{
    struct config *cfg = kv_xcalloc(1, sizeof(*cfg));
    static const long long cobl_zero[9];
    char ebuf[ERRTEXT_LEN];

    build_index(cfg);
    for (size_t i = 0; i < NPARAMS; i++) {
        const struct param *p = &params[i];
        struct value zero = {.list = (void *)cobl_zero}; /* P_COBL starts from all zeros */
        struct parse_ctx pc = {cfg, &zero, false, ebuf};
        struct value v;
        const char *err;

        if (p->type == P_REPLICAOF) {
            memset(&v, 0, sizeof(v));
            v.text = kv_xstrndup("", 0);
            err = NULL;
        } else {
            err = parse_string_value(p, p->def, strlen(p->def), &pc, &v);
        }
        if (err) { /* a bad default in the table is a programming error */
            fprintf(stderr, "config: bad default for '%s': %s\n", p->name, err);
            abort();
        }
        install(cfg, i, &v);
        cfg->def[i].text = kv_xstrndup(cfg->val[i].text, cfg->val[i].len);
        cfg->def[i].len = cfg->val[i].len;
    }
    return cfg;
}

void config_destroy(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < NPARAMS; i++) {
        value_free(&cfg->val[i]);
        value_free(&cfg->def[i]);
    }
    for (int i = 0; i < 2 * cfg->nrenames; i++)
        free(cfg->renames[i]);
    free(cfg->renames);
    for (int i = 0; i < cfg->nkept; i++) {
        free(cfg->kept[i].name);
        free(cfg->kept[i].args);
    }
    free(cfg->kept);
    free(cfg->file);
    free(cfg);
}

const struct config_values *config_values(const struct config *cfg) { return &cfg->v; }

bool config_parse_memory(const char *s, unsigned long long *out) { return parse_memory(s, out); }

const char *config_value(const struct config *cfg, const char *name)
{
    const struct value *v = value_by_name(cfg, name);
    return v ? v->text : NULL;
}

bool config_is_sensitive(const char *name, size_t len)
{
    for (size_t i = 0; i < NPARAMS; i++)
        if ((params[i].flags & F_SENSITIVE) &&
            (!name_cmp(name, len, params[i].name) || (params[i].alias && !name_cmp(name, len, params[i].alias))))
            return true;
    return false;
}

const char *config_file_path(const struct config *cfg) { return cfg->file; }

void config_set_rename_hook(struct config *cfg, config_rename_fn fn, void *ctx)
{
    cfg->rename_fn = fn;
    cfg->rename_ctx = ctx;
}

void config_renames(const struct config *cfg, void (*emit)(void *ctx, const char *from, const char *to), void *ctx)
{
    for (int i = 0; i < cfg->nrenames; i++)
        emit(ctx, cfg->renames[2 * i], cfg->renames[2 * i + 1]);
}

void config_set_apply_hook(struct config *cfg, config_apply_fn fn, void *ctx)
{
    cfg->apply_fn = fn;
    cfg->apply_ctx = ctx;
}

/* ------------------------------------------------------------------------ */
/* The config file                                                           */
/* ------------------------------------------------------------------------ */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Splits a line into arguments as Redis' sdssplitargs(): spaces separate;
 * "..." understands \n \r \t \b \a \xHH and \<any>; '...' understands \';
 * a closing quote must be followed by a space or the end. Quotes may start
 * inside a word (ab"c d" is one argument). Returns the count, or -1 for
 * unbalanced quotes. Arguments are NUL-terminated copies; free with
 * free_args(). */
static int split_args(const char *line, arg_t **out)
{
    const char *p = line;
    arg_t *v = NULL;
    int n = 0, cap = 0;

    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        struct sbuf cur = {0};
        bool inq = false, insq = false, done = false;
        while (!done) {
            if (inq) {
                if (p[0] == '\\' && p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0) {
                    char c = (char)(hexval(p[2]) * 16 + hexval(p[3]));
                    sb_add(&cur, &c, 1);
                    p += 3;
                } else if (p[0] == '\\' && p[1]) {
                    char c;
                    p++;
                    switch (*p) {
                    case 'n': c = '\n'; break;
                    case 'r': c = '\r'; break;
                    case 't': c = '\t'; break;
                    case 'b': c = '\b'; break;
                    case 'a': c = '\a'; break;
                    default: c = *p; break;
                    }
                    sb_add(&cur, &c, 1);
                } else if (*p == '"') {
                    if (p[1] && !isspace((unsigned char)p[1]))
                        goto err;
                    done = true;
                } else if (!*p) {
                    goto err;
                } else {
                    sb_add(&cur, p, 1);
                }
            } else if (insq) {
                if (p[0] == '\\' && p[1] == '\'') {
                    p++;
                    sb_add(&cur, "'", 1);
                } else if (*p == '\'') {
                    if (p[1] && !isspace((unsigned char)p[1]))
                        goto err;
                    done = true;
                } else if (!*p) {
                    goto err;
                } else {
                    sb_add(&cur, p, 1);
                }
            } else {
                switch (*p) {
                case ' ':
                case '\n':
                case '\r':
                case '\t':
                case '\0': done = true; break;
                case '"': inq = true; break;
                case '\'': insq = true; break;
                default: sb_add(&cur, p, 1); break;
                }
            }
            if (*p)
                p++;
            continue;
        err:
            free(cur.p);
            for (int i = 0; i < n; i++)
                free((char *)v[i].ptr);
            free(v);
            *out = NULL;
            return -1;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            v = kv_xrealloc(v, sizeof(arg_t) * (size_t)cap);
        }
        v[n].ptr = sb_take(&cur, &v[n].len);
        n++;
    }
    *out = v;
    return n;
}

static void free_args(arg_t *v, int n)
{
    for (int i = 0; i < n; i++)
        free((char *)v[i].ptr);
    free(v);
}

/* Appends s as Redis' sdscatrepr() quotes it: "..." with escapes. */
static void sb_repr(struct sbuf *b, const char *s, size_t len)
{
    sb_str(b, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\\': sb_str(b, "\\\\"); break;
        case '"': sb_str(b, "\\\""); break;
        case '\n': sb_str(b, "\\n"); break;
        case '\r': sb_str(b, "\\r"); break;
        case '\t': sb_str(b, "\\t"); break;
        case '\a': sb_str(b, "\\a"); break;
        case '\b': sb_str(b, "\\b"); break;
        default:
            if (isprint(c))
                sb_add(b, (const char *)&c, 1);
            else
                sb_fmt(b, "\\x%02x", c);
        }
    }
    sb_str(b, "\"");
}

/* Redis' quirk kept: while a config text is being read, its first `save`
 * line replaces the defaults and later ones add points; but the end of an
 * included file's text ends "reading" for the rest of the including text, whose
 * later `save` lines (command-line ones included) each replace the list. */
struct loader {
    struct config *cfg;
    bool save_seen;
    bool reading;
    int depth;
    char *err;
    size_t errlen;
};

static int load_path(struct loader *ld, const char *path, bool with_stdin, const char *options);

static int fatal_line(struct loader *ld, int linenum, const char *line, const char *reason)
{
    set_err(ld->err, ld->errlen,
            "\n*** FATAL CONFIG FILE ERROR (Redis " CONFIG_REDIS_VERSION ") ***\n"
            "Reading the configuration file, at line %d\n>>> '%s'\n%s",
            linenum, line, reason);
    return CONFIG_LOAD_FATAL;
}

static void keep_line(struct config *cfg, const char *name, int argc, const arg_t *argv)
{
    struct sbuf b = {0};
    size_t len;
    for (int i = 0; i < argc; i++) {
        if (i)
            sb_str(&b, " ");
        sb_add(&b, argv[i].ptr, argv[i].len);
    }
    cfg->kept = kv_xrealloc(cfg->kept, sizeof(*cfg->kept) * (size_t)(cfg->nkept + 1));
    cfg->kept[cfg->nkept].name = kv_xstrndup(name, strlen(name));
    cfg->kept[cfg->nkept].args = sb_take(&b, &len);
    cfg->nkept++;
}

/* parse_value on the space-separated words of one argument (each word, even
 * an empty one between two spaces, is an argument, as sdssplitlen makes it). */
static const char *parse_split(const struct param *p, const arg_t *a, struct parse_ctx *pc, struct value *v)
{
    char *copy = kv_xmalloc(a->len + 1);
    arg_t *words = kv_xmalloc(sizeof(*words) * (a->len + 1));
    int n = 0;
    const char *err;
    size_t start = 0;
    memcpy(copy, a->ptr, a->len);
    copy[a->len] = '\0';
    for (size_t i = 0; i <= a->len; i++) {
        if (i == a->len || copy[i] == ' ') {
            copy[i] = '\0';
            words[n].ptr = copy + start;
            words[n].len = i - start;
            n++;
            start = i + 1;
        }
    }
    err = parse_value(p, n, words, pc, v);
    free(words);
    free(copy);
    return err;
}

/* One directive. Returns NULL or the reason it is refused (in rbuf or static). */
static const char *apply_directive(struct loader *ld, int argc, arg_t *argv, char *rbuf, int *rc)
{
    struct config *cfg = ld->cfg;
    const struct name_ent *e;
    char *name = (char *)argv[0].ptr;

    for (char *q = name; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    e = lookup(cfg, argv[0].ptr, argv[0].len);
    if (e) {
        const struct param *p = &params[e->row];
        struct parse_ctx pc = {cfg, &cfg->val[e->row], ld->reading && ld->save_seen, rbuf};
        struct value v;
        const char *err;
        if (!(p->flags & F_MULTI_ARG) && argc != 2)
            return "wrong number of arguments";
        if ((p->flags & F_MULTI_ARG) && argc == 2 && argv[1].len) {
            /* one argument to a several-argument option ("save '3600 1'",
             * a quoted --save "3600 1"): split on spaces, as Redis does */
            err = parse_split(p, &argv[1], &pc, &v);
        } else {
            err = parse_value(p, argc - 1, argv + 1, &pc, &v);
        }
        if (err)
            return err;
        if (p->type == P_SAVE && ld->reading)
            ld->save_seen = true;
        install(cfg, e->row, &v);
        value_free(&v);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(deprecated_directives) / sizeof(deprecated_directives[0]); i++)
        if (argc == 2 && !strcmp(name, deprecated_directives[i]))
            return NULL;

    if (!strcmp(name, "include") && argc == 2) {
        if (ld->depth >= MAX_INCLUDE_DEPTH)
            return "Too many nested include directives";
        ld->depth++;
        *rc = load_path(ld, argv[1].ptr, false, NULL);
        ld->depth--;
        return NULL;
    }
    if (!strcmp(name, "rename-command") && argc == 3) {
        if (cfg->rename_fn) {
            rbuf[0] = '\0';
            if (!cfg->rename_fn(cfg->rename_ctx, argv[1].ptr, argv[2].ptr, rbuf, ERRTEXT_LEN))
                return rbuf[0] ? rbuf : "No such command in rename-command";
        }
        cfg->renames = kv_xrealloc(cfg->renames, sizeof(char *) * (size_t)(2 * cfg->nrenames + 2));
        cfg->renames[2 * cfg->nrenames] = kv_xstrndup(argv[1].ptr, argv[1].len);
        cfg->renames[2 * cfg->nrenames + 1] = kv_xstrndup(argv[2].ptr, argv[2].len);
        cfg->nrenames++;
        return NULL;
    }
    if ((!strcmp(name, "user") || !strcmp(name, "loadmodule")) && argc >= 2) {
        keep_line(cfg, name, argc - 1, argv + 1);
        return NULL;
    }
    if (strchr(name, '.')) {
        if (argc < 2)
            return "Module config specified without value";
        keep_line(cfg, name, argc - 1, argv + 1);
        return NULL;
    }
    if (!strcmp(name, "sentinel")) {
        if (argc != 1)
            return "sentinel directive while not in sentinel mode";
        keep_line(cfg, name, 0, NULL);
        return NULL;
    }
    return "Bad directive or wrong number of arguments";
}

/* Trims " \t\r\n" from both ends of [*s, *s+*len). */
static void trim(char **s, size_t *len)
{
    while (*len && strchr(" \t\r\n", (*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len && strchr(" \t\r\n", (*s)[*len - 1]))
        (*len)--;
}

/* Applies a whole configuration text (Redis' loadServerConfigFromString).
 * `text` is modified. */
static int load_text(struct loader *ld, char *text, size_t len)
{
    char rbuf[ERRTEXT_LEN];
    int linenum = 0, rc = CONFIG_LOAD_OK;
    size_t pos = 0;

    ld->reading = true;
    while (pos <= len && len > 0) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *line = text + pos;
        size_t llen = end - pos;
        arg_t *argv;
        int argc;
        const char *reason;

        linenum++;
        pos = end + 1;
        trim(&line, &llen);
        line[llen] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            if (!nl)
                break;
            continue;
        }
        argc = split_args(line, &argv);
        if (argc < 0) {
            rc = fatal_line(ld, linenum, line, "Unbalanced quotes in configuration line");
            break;
        }
        if (argc > 0) {
            reason = apply_directive(ld, argc, argv, rbuf, &rc);
            free_args(argv, argc);
            if (rc == CONFIG_LOAD_OK && reason)
                rc = fatal_line(ld, linenum, line, reason);
            if (rc != CONFIG_LOAD_OK)
                break;
        } else {
            free(argv);
        }
        if (!nl)
            break;
    }
    ld->reading = false;
    if (rc == CONFIG_LOAD_OK && value_by_name(ld->cfg, "cluster-enabled")->num &&
        value_by_name(ld->cfg, "replicaof")->len) {
        set_err(ld->err, ld->errlen,
                "\n*** FATAL CONFIG FILE ERROR (Redis " CONFIG_REDIS_VERSION ") ***\n"
                "replicaof directive not allowed in cluster mode");
        rc = CONFIG_LOAD_FATAL;
    }
    return rc;
}

static bool read_stream(FILE *fp, struct sbuf *b)
{
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        sb_add(b, buf, n);
    return !ferror(fp);
}

static int read_file(struct loader *ld, const char *path, struct sbuf *b)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        set_err(ld->err, ld->errlen, "Fatal error, can't open config file '%s': %s", path, strerror(errno));
        return CONFIG_LOAD_OPEN;
    }
    read_stream(fp, b);
    fclose(fp);
    return CONFIG_LOAD_OK;
}

/* Redis' loadServerConfig(): the file (every match of a wildcard, none being
 * fine), then standard input, then "\n" and the command-line options, parsed
 * as one text. */
static int load_path(struct loader *ld, const char *path, bool with_stdin, const char *options)
{
    struct sbuf b = {0};
    size_t len;
    int rc = CONFIG_LOAD_OK;

    if (path && strpbrk(path, "*?[")) {
        glob_t g;
        if (glob(path, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc && rc == CONFIG_LOAD_OK; i++)
                rc = read_file(ld, g.gl_pathv[i], &b);
            globfree(&g);
        }
    } else if (path) {
        rc = read_file(ld, path, &b);
    }
    if (rc == CONFIG_LOAD_OK && with_stdin)
        read_stream(stdin, &b);
    if (options) {
        sb_str(&b, "\n");
        sb_str(&b, options);
    }
    if (rc == CONFIG_LOAD_OK) {
        char *text = sb_take(&b, &len);
        rc = load_text(ld, text, len);
    }
    free(b.p);
    return rc;
}

int config_load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    struct loader ld = {cfg, false, false, 0, err, errlen};
    free(cfg->file);
    cfg->file = absolute_path(path);
    return load_path(&ld, cfg->file, false, NULL);
}

int config_load_argv(struct config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    struct loader ld = {cfg, false, false, 0, err, errlen};
    struct sbuf opts = {0};
    bool from_stdin = false, handled_last = true;
    int j = 0, rc;

    if (argc < 1)
        return CONFIG_LOAD_OK;
    if (argv[0][0] != '-') {
        free(cfg->file);
        cfg->file = absolute_path(argv[0]);
        j = 1;
    }
    for (; j < argc; j++) {
        const char *a = argv[j];
        if (a[0] == '-' && a[1] == '\0' && (j == 0 || j == argc - 1)) {
            from_stdin = true;
        } else if (handled_last && a[0] == '-' && a[1] == '-') {
            arg_t *toks;
            int ntoks;
            if (opts.len)
                sb_str(&opts, "\n");
            sb_str(&opts, a + 2);
            sb_str(&opts, " ");
            ntoks = split_args(a, &toks);
            if (ntoks > 0)
                free_args(toks, ntoks);
            else if (ntoks == 0)
                free(toks);
            if (ntoks == 1) {
                /* a name alone: its values follow, except `--save` and
                 * `--sentinel` followed by another option or nothing */
                bool next_is_opt = j != argc - 1 && argv[j + 1][0] == '-' && argv[j + 1][1] == '-';
                handled_last = false;
                if (!strcasecmp(a, "--save") && (next_is_opt || j == argc - 1)) {
                    sb_str(&opts, "\"\"");
                    handled_last = next_is_opt;
                } else if (!strcasecmp(a, "--sentinel") && next_is_opt) {
                    handled_last = true;
                }
            } else {
                handled_last = true; /* "--port 6380" as one argument */
            }
        } else {
            sb_repr(&opts, a, strlen(a));
            sb_str(&opts, " ");
            handled_last = true;
        }
    }
    rc = load_path(&ld, cfg->file, from_stdin, opts.p ? opts.p : "");
    free(opts.p);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* CONFIG GET                                                                */
/* ------------------------------------------------------------------------ */

size_t config_get(const struct config *cfg, int npatterns, const struct config_arg *patterns, config_emit_fn emit,
                  void *ctx)
{
    bool seen[2 * NPARAMS] = {false}; /* [row * 2 + alias] */
    size_t count = 0;

    for (int i = 0; i < npatterns; i++) {
        const struct config_arg *pat = &patterns[i];
        bool is_pattern = false;
        for (size_t k = 0; k < pat->len; k++)
            if (pat->ptr[k] == '*' || pat->ptr[k] == '?' || pat->ptr[k] == '[')
                is_pattern = true;
        if (!is_pattern) {
            const struct name_ent *e = lookup(cfg, pat->ptr, pat->len);
            if (e && !seen[e->row * 2 + e->alias]) {
                const struct value *v = &cfg->val[e->row];
                seen[e->row * 2 + e->alias] = true;
                count++;
                if (emit)
                    emit(ctx, pat->ptr, pat->len, v->text, v->len);
            }
            continue;
        }
        for (size_t r = 0; r < NPARAMS; r++) {
            if (params[r].flags & F_HIDDEN)
                continue;
            for (int alias = 0; alias < 2; alias++) {
                const char *name = alias ? params[r].alias : params[r].name;
                if (!name || seen[r * 2 + alias] || !glob_match(pat->ptr, pat->len, name, strlen(name), true))
                    continue;
                seen[r * 2 + alias] = true;
                count++;
                if (emit)
                    emit(ctx, name, strlen(name), cfg->val[r].text, cfg->val[r].len);
            }
        }
    }
    return count;
}

/* ------------------------------------------------------------------------ */
/* CONFIG SET                                                                */
/* ------------------------------------------------------------------------ */

/* Redis replaces newlines in error replies by spaces. */
static void sanitize(char *s)
{
    for (; s && *s; s++)
        if (*s == '\r' || *s == '\n')
            *s = ' ';
}

int config_set(struct config *cfg, int nargs, const struct config_arg *args, unsigned flags, char *err,
               size_t errlen)
{
    int n = nargs / 2, rc = -1;
    const struct name_ent **ents;
    struct value *nv;
    const char **changed;
    int nchanged = 0;
    char ebuf[ERRTEXT_LEN];

    if (nargs & 1) {
        set_err(err, errlen, "ERR syntax error");
        return -1;
    }
    ents = kv_xcalloc((size_t)n + 1, sizeof(*ents));
    nv = kv_xcalloc((size_t)n + 1, sizeof(*nv));
    changed = kv_xcalloc((size_t)n + 1, sizeof(*changed));

    /* 1. names: the first problem found, in argument order, is reported */
    for (int i = 0; i < n; i++) {
        const struct config_arg *name = &args[2 * i];
        const struct name_ent *e = lookup(cfg, name->ptr, name->len);
        const char *why = NULL;
        if (!e) {
            set_err(err, errlen, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
                    (int)name->len, name->ptr);
            goto out;
        }
        if (params[e->row].flags & F_IMMUTABLE) {
            why = "can't set immutable config";
        } else if (params[e->row].flags & F_PROTECTED) {
            long long allow = value_by_name(cfg, "enable-protected-configs")->num;
            if (!(allow == 1 || (allow == 2 && (flags & CONFIG_SET_LOCAL_CLIENT))))
                why = "can't set protected config";
        }
        if (!why && (flags & CONFIG_SET_LOADING) && (params[e->row].flags & F_DENY_LOADING)) {
            set_err(err, errlen, "LOADING Redis is loading the dataset in memory");
            goto out;
        }
        for (int j = 0; !why && j < i; j++)
            if (ents[j]->row == e->row)
                why = "duplicate parameter";
        if (why) {
            set_err(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%.*s') - %s",
                    (int)name->len, name->ptr, why);
            goto out;
        }
        ents[i] = e;
    }

    /* 2. values: parse them all before changing anything */
    for (int i = 0; i < n; i++) {
        const struct param *p = &params[ents[i]->row];
        struct parse_ctx pc = {cfg, &cfg->val[ents[i]->row], false, ebuf};
        const char *why = parse_string_value(p, args[2 * i + 1].ptr, args[2 * i + 1].len, &pc, &nv[i]);
        if (why) {
            set_err(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                    ents[i]->name, why);
            goto out;
        }
    }

    /* 3. install; nv[] now holds the old values */
    for (int i = 0; i < n; i++) {
        size_t r = ents[i]->row;
        install(cfg, r, &nv[i]);
        /* num too: notify-keyspace-events "AKE" and "AKEn" read back alike */
        if (cfg->val[r].len != nv[i].len || memcmp(cfg->val[r].text, nv[i].text, nv[i].len) ||
            cfg->val[r].num != nv[i].num)
            changed[nchanged++] = params[r].name;
    }

    /* 4. let the server act; a veto restores everything */
    if (nchanged && cfg->apply_fn) {
        const char *failed = NULL;
        char reason[CONFIG_ERR_LEN] = "";
        if (!cfg->apply_fn(cfg->apply_ctx, cfg, changed, nchanged, false, &failed, reason, sizeof(reason))) {
            for (int i = n - 1; i >= 0; i--)
                install(cfg, ents[i]->row, &nv[i]);
            cfg->apply_fn(cfg->apply_ctx, cfg, changed, nchanged, true, NULL, NULL, 0);
            if (!failed)
                failed = changed[0];
            if (reason[0])
                set_err(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", failed,
                        reason);
            else
                set_err(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s')", failed);
            goto out;
        }
    }
    rc = 0;
out:
    for (int i = 0; i < n; i++)
        value_free(&nv[i]);
    free(nv);
    free(ents);
    free(changed);
    if (rc)
        sanitize(err);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Start-up report                                                           */
/* ------------------------------------------------------------------------ */

size_t config_not_acted_on(const struct config *cfg, void (*emit)(void *ctx, const char *name, const char *value),
                           void *ctx)
{
    size_t count = 0;
    for (size_t i = 0; i < NPARAMS; i++) {
        const struct param *p = &params[i];
        const struct value *v = &cfg->val[i], *d = &cfg->def[i];
        bool secret = (p->flags & F_SENSITIVE) || strstr(p->name, "-pass");
        if (p->fkind != FK_NONE || (p->flags & F_READ_BY_NAME) || (v->len == d->len && !memcmp(v->text, d->text, v->len)))
            continue;
        count++;
        if (emit)
            emit(ctx, p->name, secret ? "(redacted)" : v->text);
    }
    for (int i = 0; i < cfg->nkept; i++) {
        count++;
        if (emit)
            emit(ctx, cfg->kept[i].name, cfg->kept[i].args);
    }
    return count;
}

/* ------------------------------------------------------------------------ */
/* CONFIG REWRITE: the lines of each parameter                               */
/* ------------------------------------------------------------------------ */

const char *config_primary_name(const struct config *cfg, const char *name, size_t len)
{
    const struct name_ent *e = lookup(cfg, name, len);
    return e ? params[e->row].name : NULL;
}

int config_split_line(const char *line, struct config_arg **argv)
{
    return split_args(line, argv);
}

void config_free_args(struct config_arg *argv, int argc)
{
    if (argc > 0)
        free_args(argv, argc);
    else
        free(argv);
}

/* Redis' rewriteConfigFormatMemory: the largest unit that divides it. */
static void sb_memory(struct sbuf *b, long long bytes)
{
    static const struct {
        long long unit;
        const char *suffix;
    } units[] = {{1024LL * 1024 * 1024, "gb"}, {1024LL * 1024, "mb"}, {1024, "kb"}};
    for (size_t i = 0; bytes && i < sizeof(units) / sizeof(units[0]); i++)
        if (bytes % units[i].unit == 0) {
            sb_fmt(b, "%lld%s", bytes / units[i].unit, units[i].suffix);
            return;
        }
    sb_fmt(b, "%lld", bytes);
}

/* Emits `name <value as written>` (NULL for no value) and resets b. */
static void emit_line(struct sbuf *b, config_line_fn emit, void *ctx, const char *name, bool force)
{
    emit(ctx, name, b->len ? b->p : NULL, force);
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

static void rewrite_num(const struct param *p, const struct value *v, struct sbuf *b)
{
    sb_fmt(b, "%s ", p->name);
    if ((p->nflags & N_MEMORY) && !((p->nflags & N_PERCENT) && v->num < 0))
        sb_memory(b, v->num);
    else
        sb_str(b, v->text);
}

static void rewrite_save(const struct value *v, struct sbuf *b, config_line_fn emit, void *ctx)
{
    const struct config_save_point *sp = v->list;
    if (!v->count) {
        sb_str(b, "save \"\"");
        emit_line(b, emit, ctx, "save", true);
    }
    for (int i = 0; i < v->count; i++) {
        sb_fmt(b, "save %lld %d", sp[i].seconds, sp[i].changes);
        emit_line(b, emit, ctx, "save", true);
    }
}

static void rewrite_cobl(const struct value *v, const struct value *def, struct sbuf *b, config_line_fn emit,
                         void *ctx)
{
    static const char *const classes[3] = {"normal", "replica", "pubsub"};
    const long long *lim = v->list;
    long long dl[9];
    sscanf(def->text, "%*s %lld %lld %lld %*s %lld %lld %lld %*s %lld %lld %lld", &dl[0], &dl[1], &dl[2], &dl[3],
           &dl[4], &dl[5], &dl[6], &dl[7], &dl[8]);
    for (int c = 0; c < 3; c++) {
        bool force = memcmp(lim + c * 3, dl + c * 3, sizeof(long long) * 3) != 0;
        sb_fmt(b, "client-output-buffer-limit %s ", classes[c]);
        sb_memory(b, lim[c * 3]);
        sb_str(b, " ");
        sb_memory(b, lim[c * 3 + 1]);
        sb_fmt(b, " %lld", lim[c * 3 + 2]);
        emit_line(b, emit, ctx, "client-output-buffer-limit", force);
    }
}

/* One parameter's lines, by Redis 7.0's rules: strings are quoted as
 * sdscatrepr does; an empty NULL-when-empty string, an unset password or
 * replicaof and `bind` at its default have no line (existing ones are
 * dropped); `save`, `dir` and the latency percentiles are always written. */
static void rewrite_param(const struct config *cfg, size_t i, struct sbuf *b, config_line_fn emit, void *ctx)
{
    const struct param *p = &params[i];
    const struct value *v = &cfg->val[i], *def = &cfg->def[i];
    bool differs = v->len != def->len || memcmp(v->text, def->text, v->len) != 0;
    switch (p->type) {
    case P_NUM:
        rewrite_num(p, v, b);
        emit_line(b, emit, ctx, p->name, differs);
        return;
    case P_STR:
    case P_SDS:
    case P_DIR:
        if (v->len || !((p->flags & F_EMPTY_NULL) || p->type == P_SDS)) {
            sb_fmt(b, "%s ", p->name);
            sb_repr(b, v->text, v->len);
        }
        emit_line(b, emit, ctx, p->name, p->type != P_STR || differs);
        return;
    case P_SAVE: rewrite_save(v, b, emit, ctx); return;
    case P_COBL: rewrite_cobl(v, def, b, emit, ctx); return;
    case P_NOTIFY:
        sb_fmt(b, "%s ", p->name);
        sb_repr(b, v->text, v->len);
        emit_line(b, emit, ctx, p->name, v->num != 0);
        return;
    case P_BIND:
        if (differs)
            sb_fmt(b, "bind %s", v->count ? v->text : "\"\"");
        emit_line(b, emit, ctx, p->name, true);
        return;
    case P_REPLICAOF:
        if (v->len)
            sb_fmt(b, "%s %s", p->name, v->text);
        emit_line(b, emit, ctx, p->name, true);
        return;
    case P_PERCENTILES:
        sb_fmt(b, "%s %s", p->name, v->len ? v->text : "\"\"");
        emit_line(b, emit, ctx, p->name, true);
        return;
    default: /* P_BOOL, P_ENUM, P_OOMVALS: the text CONFIG GET shows */
        sb_fmt(b, "%s %s", p->name, v->text);
        emit_line(b, emit, ctx, p->name, differs);
        return;
    }
}

void config_rewrite_lines(const struct config *cfg, config_line_fn emit, void *ctx)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < NPARAMS; i++)
        rewrite_param(cfg, i, &b, emit, ctx);
    free(b.p);
}
