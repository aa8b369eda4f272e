/*
 * config: every configuration parameter Redis 7.0 knows, read from a
 * redis.conf file, from the redis-server command line and by CONFIG SET/GET.
 *
 * One declarative table in config.c lists each parameter: name, alias, type
 * (bool, integer with bounds, memory size, enum, string, or a special parser
 * such as `save` or `client-output-buffer-limit`), default, flags (immutable,
 * protected, sensitive, hidden...) and, when taskkv acts on it, the typed
 * field of `struct config_values` it feeds. Every parameter keeps its value in
 * the normalized text CONFIG GET shows (memory in bytes, yes/no, enums in lower
 * case...); parameters taskkv acts on are also parsed into `struct
 * config_values`, which the server reads directly. Unknown names are refused
 * with Redis' error texts; known names taskkv does not act on are kept, shown
 * by CONFIG GET and listed by config_not_acted_on() for the start-up log.
 *
 * Error texts are Redis 7.0.15's. Error buffers passed in receive a
 * NUL-terminated message (truncated to their size) without trailing newline.
 */
#ifndef TASKKV_API_CONFIG_H
#define TASKKV_API_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* The Redis version named in "*** FATAL CONFIG FILE ERROR (Redis x) ***". */
#define CONFIG_REDIS_VERSION "7.0.15"

/* A comfortable size for the error buffers below. */
#define CONFIG_ERR_LEN 1024

/* Order matches Redis' enum tables (and api/log.h's enum log_level). */
enum config_loglevel { CONFIG_LOG_DEBUG, CONFIG_LOG_VERBOSE, CONFIG_LOG_NOTICE, CONFIG_LOG_WARNING };
/* The client classes of client-output-buffer-limit, in its order. */
enum config_client_class { CONFIG_CLASS_NORMAL, CONFIG_CLASS_REPLICA, CONFIG_CLASS_PUBSUB };
enum config_appendfsync { CONFIG_FSYNC_EVERYSEC, CONFIG_FSYNC_ALWAYS, CONFIG_FSYNC_NO };
enum config_maxmemory_policy {
    CONFIG_MAXMEMORY_VOLATILE_LRU,
    CONFIG_MAXMEMORY_VOLATILE_LFU,
    CONFIG_MAXMEMORY_VOLATILE_RANDOM,
    CONFIG_MAXMEMORY_VOLATILE_TTL,
    CONFIG_MAXMEMORY_ALLKEYS_LRU,
    CONFIG_MAXMEMORY_ALLKEYS_LFU,
    CONFIG_MAXMEMORY_ALLKEYS_RANDOM,
    CONFIG_MAXMEMORY_NOEVICTION,
};

/* One `save <seconds> <changes>` point. */
struct config_save_point {
    long long seconds;
    int changes;
};

/*
 * The parameters taskkv acts on, parsed. Owned by the config; the struct
 * stays at the same address for the config's lifetime and its fields are
 * updated in place by loads and CONFIG SET. String and array fields point to
 * memory owned by the config, valid until that parameter next changes: copy
 * them if they must outlive a CONFIG SET.
 */
struct config_values {
    /* network */
    int port;
    const char *const *bind;        /* nbind addresses; "* -::*" by default */
    int nbind;
    const char *unixsocket;         /* NULL when not set */
    unsigned unixsocketperm;
    int tcp_backlog;
    int tcp_keepalive;
    int timeout;                    /* seconds; 0 = never */
    bool protected_mode;
    unsigned maxclients;
    const char *requirepass;        /* NULL when not set; may hold NUL bytes: */
    size_t requirepass_len;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    long long busy_reply_threshold;  /* ms (alias lua-time-limit); 0 = never busy */
    /* client-output-buffer-limit: {hard bytes, soft bytes, soft seconds}
     * for each class (enum config_client_class); 0 = no limit. */
    const long long (*cobl)[3];

    /* process */
    bool daemonize;
    const char *pidfile;            /* NULL when not set */
    int loglevel;                   /* enum config_loglevel */
    const char *logfile;            /* "" = standard output */
    int hz;                         /* already clamped to 1..500 as Redis does */
    int databases;

    /* keyspace */
    const char *notify_keyspace_events; /* normalized as CONFIG GET shows it: "", "AKE", "gxE"... */
    int notify_flags;                   /* the same as NOTIFY_* classes (engine/event.h), 'n' included */
    unsigned long long maxmemory;
    int maxmemory_policy;           /* enum config_maxmemory_policy */
    int maxmemory_samples;
    int maxmemory_eviction_tenacity; /* 0..100 */
    int lfu_log_factor;
    int lfu_decay_time;             /* minutes */
    long long hash_max_listpack_entries;
    long long hash_max_listpack_value;
    int list_max_listpack_size;
    long long set_max_intset_entries;
    long long zset_max_listpack_entries;
    long long zset_max_listpack_value;
    long long stream_node_max_bytes;
    long long stream_node_max_entries;

    /* persistence */
    const char *dir;                /* absolute path */
    const char *dbfilename;
    bool appendonly;
    int appendfsync;                /* enum config_appendfsync */
    const struct config_save_point *save;
    int nsave;

    /* operations (api/slowlog.c, api/latency.c) */
    long long slowlog_log_slower_than;  /* us; -1 = off, 0 = every command */
    long long slowlog_max_len;
    long long latency_monitor_threshold; /* ms; 0 = off */
    bool latency_tracking;              /* per-command histograms (LATENCY HISTOGRAM) */
};

/* A binary-safe argument (a CONFIG SET name or value, a CONFIG GET pattern). */
struct config_arg {
    const char *ptr;
    size_t len;
};

struct config;

/* A config holding every default (Redis 7.0's, except `dir` "./data" made
 * absolute against the current directory). Never returns NULL. */
struct config *config_create(void);
void config_destroy(struct config *cfg);   /* NULL is a no-op */

/* The typed values; borrowed, valid for the config's lifetime (see above). */
const struct config_values *config_values(const struct config *cfg);

/* The normalized value of any parameter, by name or alias (any case), as
 * CONFIG GET shows it; NULL for an unknown name. Valid until that parameter
 * next changes. For `requirepass`/`masterauth` use config_values' length. */
const char *config_value(const struct config *cfg, const char *name);
/* A memory size as Redis reads one (digits, then b, k, kb, m, mb, g, gb in
 * any case; "" is 0); false when it is not one. */
bool config_parse_memory(const char *s, unsigned long long *out);

/* Whether `name` (any case, alias or not) is a known parameter flagged
 * sensitive (requirepass, masterauth, masteruser): its CONFIG SET value must
 * be redacted from SLOWLOG / MONITOR. */
bool config_is_sensitive(const char *name, size_t len);

/* Load results. On an error the config may be partly loaded; redis-server
 * exits, and so should the caller. */
enum {
    CONFIG_LOAD_OK = 0,
    CONFIG_LOAD_FATAL = -1, /* err: the "\n*** FATAL CONFIG FILE ERROR ..." block to print to stderr */
    CONFIG_LOAD_OPEN = -2,  /* err: "Fatal error, can't open config file '...': ..." (Redis logs it) */
};

/* Loads a redis.conf file: one directive per line, arguments split as Redis
 * does (double quotes with \n \xHH... escapes, single quotes), `#` comments,
 * `include` (with wildcards), several `save` lines adding up, `rename-command`,
 * `user`, `loadmodule` and module parameters (`name.param`) kept for the
 * caller. Returns CONFIG_LOAD_*. */
int config_load_file(struct config *cfg, const char *path, char *err, size_t errlen);

/* Loads the command line exactly as redis-server does: argv holds the argc
 * arguments after the program name. An optional first argument not starting
 * with '-' is the config file; "-" as the first or last argument reads more
 * configuration from standard input; then "--name value..." options follow,
 * applied after the file (their lines are numbered after it in errors).
 * Returns CONFIG_LOAD_*. */
int config_load_argv(struct config *cfg, int argc, char **argv, char *err, size_t errlen);

/* Absolute path of the config file given to config_load_argv/_file, or NULL. */
const char *config_file_path(const struct config *cfg);

/* Called once per `rename-command <from> <to>` line while loading, so the
 * server can check the command exists; returning false with `reason` filled
 * (e.g. "No such command in rename-command") makes the load fail on that
 * line. Without a hook renames are accepted and only recorded. */
typedef bool (*config_rename_fn)(void *ctx, const char *from, const char *to, char *reason, size_t reasonlen);
void config_set_rename_hook(struct config *cfg, config_rename_fn fn, void *ctx);

/* Calls emit(ctx, from, to) for each rename-command line loaded, in order. */
void config_renames(const struct config *cfg, void (*emit)(void *ctx, const char *from, const char *to), void *ctx);

/* CONFIG GET: each pattern is a glob (nocase), or, without any of "*?[", an
 * exact name (alias or not, any case; shown as typed). Each matched name is
 * reported once; patterns never match hidden parameters. Calls
 * emit(ctx, name, name_len, value, value_len) for each match unless emit is
 * NULL, and returns the number of matches (so a first call with emit NULL
 * gives the reply's length). */
typedef void (*config_emit_fn)(void *ctx, const char *name, size_t name_len, const char *value, size_t value_len);
size_t config_get(const struct config *cfg, int npatterns, const struct config_arg *patterns, config_emit_fn emit,
                  void *ctx);

/* Flags for config_set, describing the calling client / server state. */
#define CONFIG_SET_LOCAL_CLIENT 1u /* the client is local (enable-protected-configs local) */
#define CONFIG_SET_LOADING 2u      /* the server is loading its dataset */

/* After CONFIG SET validated and stored every new value, the server applies
 * them: `changed` lists the (primary) names whose value changed. Return true to
 * accept; false vetoes: fill `reason` (e.g. "Unable to listen on this port.
 * Check server logs.") and optionally set *failed_name to one of `changed`;
 * every value is then restored and the hook is called once more with
 * rollback=true (its result ignored) so it can re-apply the old values. */
typedef bool (*config_apply_fn)(void *ctx, struct config *cfg, const char *const *changed, int nchanged,
                                bool rollback, const char **failed_name, char *reason, size_t reasonlen);
void config_set_apply_hook(struct config *cfg, config_apply_fn fn, void *ctx);

/* CONFIG SET <name> <value> [<name> <value> ...]: args holds the nargs
 * arguments after SET. All pairs are applied or none. Returns 0, or -1 with
 * the whole error line (without the leading '-') in err, e.g. "ERR Unknown
 * option or number of arguments for CONFIG SET - 'foo'", "ERR syntax error"
 * for an odd count, "LOADING Redis is loading the dataset in memory". */
int config_set(struct config *cfg, int nargs, const struct config_arg *args, unsigned flags, char *err,
               size_t errlen);

/* For the start-up log: calls emit(ctx, name, value) for each parameter taskkv
 * does not act on yet whose value differs from Redis' default, then for each
 * `user`, `loadmodule`, `sentinel` and module-parameter line kept (name is the
 * directive, value its arguments as written). Returns the count. */
size_t config_not_acted_on(const struct config *cfg, void (*emit)(void *ctx, const char *name, const char *value),
                           void *ctx);

/* ---- CONFIG REWRITE (api/config_rewrite.c) ---- */

/* The primary name of a parameter given by name or alias (any case), or
 * NULL for a name Redis 7.0 does not know as a parameter. */
const char *config_primary_name(const struct config *cfg, const char *name, size_t len);

/* Splits one config-file line as the loader does (Redis' sdssplitargs):
 * returns the count, or -1 for unbalanced quotes; free with
 * config_free_args(argv, count). */
int config_split_line(const char *line, struct config_arg **argv);
void config_free_args(struct config_arg *argv, int argc);

/* The lines CONFIG REWRITE writes, parameter by parameter in table order:
 * emit(ctx, name, line, force) for each line of the (primary) `name` -
 * several for `save` and client-output-buffer-limit - with `force` when the
 * line must be written even if the file has none (the value differs from
 * the default, or the parameter is always written). A parameter that has no
 * line (an unset password, `bind` at its default...) gets one call with
 * line NULL: it is still rewritten, so its old lines are dropped. */
typedef void (*config_line_fn)(void *ctx, const char *name, const char *line, bool force);
void config_rewrite_lines(const struct config *cfg, config_line_fn emit, void *ctx);

#endif
