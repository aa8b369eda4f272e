/*
 * persist: snapshots in the server (see persist.h).
 *
 * Log lines follow Redis' wording where Redis has one ("Background saving
 * started by pid", "DB saved on disk", "<n> changes in <s> seconds.
 * Saving..."), so people who know Redis' logs can read these.
 */
#include "api/persist.h"
#include "api/config.h"
#include "api/log.h"
#include "api/client.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/faultvfs.h"
#include "engine/journal.h"
#include "engine/kv.h"
#include "engine/snapshot.h"

#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BGSAVE_RETRY_DELAY 5   /* seconds between failed automatic tries, as Redis */
#define ERRLEN 1024

struct persist {
    struct server *srv;
    time_t lastsave;            /* last successful save; start-up time before */
    time_t lastbgsave_try;
    long long dirty_at_save;    /* srv->dirty when the data last saved was taken */
    long long dirty_at_fork;
    pid_t child;                /* background save in progress, 0 if none */
    int64_t child_start_ms;
    bool scheduled;
    bool last_bgsave_ok;
    long long last_bgsave_sec;  /* -1 before the first */
    unsigned long long saves;
    unsigned long long forks;
    long long latest_fork_usec;
    unsigned long long load_loaded, load_expired;
    ev_signal sigchld;
    /* start-up loading, in slices from the event loop (clients get
     * -LOADING meanwhile): the snapshot's rows, then the journal's */
    bool loading;
    struct snapshot_reader *reader;
    ev_idle load_idle;
    int64_t load_start_us;
    time_t loading_start_time;
    uint64_t load_snap_seq;     /* the snapshot's journal_seq: replay after it */
    uint64_t replay_after;      /* the last journal seq replayed */
    uint64_t replay_total;      /* journal rows to replay (estimate, for INFO) */
    uint64_t snap_bytes;        /* the snapshot file's size */
    double snap_secs;
    struct client *replay_client;
    int replay_db;
    int saved_notify;
    unsigned long long replay_rows, replay_errors;
    /* the journal (appendonly yes) */
    struct journal *journal;
    uint64_t seq_hi;            /* highest journal seq known (journal closed) */
    bool replaying;             /* start-up replay: effects are not journaled */
    bool in_unit;               /* between a MULTI and its EXEC effect: no commit */
    bool journal_ok;            /* aof_last_write_status */
    int journal_errno;          /* why it is err (MISCONF's strerror) */
    time_t journal_err_logged;  /* the last "still failing" log line */
    bool sync_due;              /* committed since the last everysec fsync */
    uint64_t base_bytes;        /* journal size after the last rewrite / enable */
    unsigned long long commits, fsyncs;
    unsigned long long delayed_fsyncs;   /* seconds an everysec fsync waited for the previous one */
    /* BGREWRITEAOF: a background save that folds the journal */
    bool child_rewrite;         /* the running child is a rewrite */
    bool rewrite_scheduled;
    uint64_t fork_seq;          /* current_seq() at the fork */
    uint64_t fold_seq;          /* rows <= this are in a saved snapshot: delete them */
    unsigned long long rewrites;
    long long last_rewrite_sec;
    int64_t rewrite_start_ms;
    bool last_rewrite_ok;
};

static struct persist *P(const struct server *srv) { return srv->persist; }
static void journal_cron(struct server *srv);
static bool journal_start(struct server *srv, uint64_t snap_seq);
static void journal_fold(struct server *srv, uint64_t seq);

/* auto-aof-rewrite-percentage / -min-size: the journal's files grew by the
 * percentage over their size after the last fold, and are past min-size.
 * After a failed rewrite the next try waits BGSAVE_RETRY_DELAY. */
static bool auto_rewrite_due(const struct server *srv)
{
    const struct persist *p = P(srv);
    const char *pct = config_value(srv->cfg, "auto-aof-rewrite-percentage");
    const char *min = config_value(srv->cfg, "auto-aof-rewrite-min-size");
    long long percentage = pct ? atoll(pct) : 0, min_size = min ? atoll(min) : 0;
    uint64_t cur, base;
    if (percentage <= 0 || (!p->last_rewrite_ok && time(NULL) - p->lastbgsave_try <= BGSAVE_RETRY_DELAY))
        return false;
    cur = journal_file_bytes(p->journal);
    base = p->base_bytes ? p->base_bytes : 1;
    return cur > (uint64_t)min_size && (cur - (cur > base ? base : cur)) * 100 / base >= (uint64_t)percentage;
}

/* The journal entry a snapshot taken now includes: the last one appended
 * (the dataset already holds every appended effect). */
static uint64_t current_seq(const struct persist *p)
{
    return p->journal ? journal_last_seq(p->journal) : p->seq_hi;
}

void persist_path(const struct server *srv, char *buf, size_t cap)
{
    const struct config_values *cv = config_values(srv->cfg);
    snprintf(buf, cap, "%s/%s", cv->dir, cv->dbfilename);
}

static void tmp_path(const struct server *srv, pid_t pid, char *buf, size_t cap)
{
    const struct config_values *cv = config_values(srv->cfg);
    snprintf(buf, cap, "%s/%s.tmp-%d", cv->dir, cv->dbfilename, (int)pid);
}

void persist_limits(const struct server *srv, struct codec_limits *lim)
{
    const struct config_values *cv = config_values(srv->cfg);
    lim->list_fill = cv->list_max_listpack_size;
    lim->hash_max_entries = cv->hash_max_listpack_entries;
    lim->hash_max_value = cv->hash_max_listpack_value;
    lim->set_max_intset = cv->set_max_intset_entries;
    lim->zset_max_entries = cv->zset_max_listpack_entries;
    lim->zset_max_value = cv->zset_max_listpack_value;
}

/* ---- background saves ------------------------------------------------------- */

static void child_done(struct server *srv, int status)
{
    struct persist *p = P(srv);
    char tmp[4096];
    int64_t now = server_clock_ms();
    p->last_bgsave_sec = (now - p->child_start_ms) / 1000;
    if (p->child_rewrite) {
        p->last_rewrite_sec = p->last_bgsave_sec;
        p->last_rewrite_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (p->last_rewrite_ok) {
            p->rewrites++;
            log_at(srv, LOG_NOTICE, "Background journal rewrite terminated with success");
        }
        p->child_rewrite = false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        log_at(srv, LOG_NOTICE, "Background saving terminated with success");
        p->lastsave = (time_t)(now / 1000);
        p->dirty_at_save = p->dirty_at_fork;
        p->last_bgsave_ok = true;
        p->saves++;
        journal_fold(srv, p->fork_seq);
    } else if (WIFEXITED(status)) {
        log_at(srv, LOG_WARNING, "Background saving error");
        p->last_bgsave_ok = false;
    } else {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        log_at(srv, LOG_WARNING, "Background saving terminated by signal %d", sig);
        /* SIGUSR1 is ours (persist_kill_child): not a failure */
        if (sig != SIGUSR1)
            p->last_bgsave_ok = false;
    }
    tmp_path(srv, p->child, tmp, sizeof(tmp));
    unlink(tmp);   /* gone already after a success */
    p->child = 0;
    ev_ref(srv->loop);
    ev_signal_stop(srv->loop, &p->sigchld);
}

/* Collects the child if it has exited. */
static void reap(struct server *srv)
{
    struct persist *p = P(srv);
    int status;
    pid_t r;
    if (!p->child)
        return;
    do
        r = waitpid(p->child, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == p->child)
        child_done(srv, status);
    else if (r < 0) {
        log_at(srv, LOG_WARNING, "waitpid() on the background save failed: %s", strerror(errno));
        p->child = 0;
        p->last_bgsave_ok = false;
        ev_ref(srv->loop);
        ev_signal_stop(srv->loop, &p->sigchld);
    }
}

static void sigchld_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    reap(w->data);
}

/* In the child: the dataset as of the fork goes to the file; nothing else
 * of the parent's is touched, and _exit skips the parent's atexit work. */
static void child_main(struct server *srv)
{
    char path[4096], tmp[4096], err[ERRLEN];
    struct snapshot_meta meta = { TASKKV_VERSION, current_seq(P(srv)) };
    sigset_t none;
    uint64_t keys = 0;
    int rc;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    for (int i = 0; i < srv->nlisteners; i++)
        close(srv->listeners[i].fd);
    persist_path(srv, path, sizeof(path));
    tmp_path(srv, getpid(), tmp, sizeof(tmp));
    rc = snapshot_write(srv->ks, path, tmp, &meta, server_clock_ms(), &keys, err, sizeof(err));
    if (rc != SNAPSHOT_OK) {
        log_at(srv, LOG_WARNING, "Failed saving the snapshot: %s", err);
        _exit(1);
    }
    log_at(srv, LOG_NOTICE, "DB saved on disk (%llu keys)", (unsigned long long)keys);
    _exit(0);
}

enum persist_bg persist_bgsave(struct server *srv)
{
    struct persist *p = P(srv);
    int64_t start;
    pid_t pid;
    if (p->child)
        return PERSIST_BG_IN_PROGRESS;
    p->lastbgsave_try = time(NULL);
    p->dirty_at_fork = srv->dirty;
    p->fork_seq = current_seq(p);
    /* watching SIGCHLD only while a child runs; started before the fork so
     * an early exit is not missed */
    ev_signal_start(srv->loop, &p->sigchld);
    ev_unref(srv->loop);
    start = server_clock_us();
    pid = fork();
    if (pid == 0)
        child_main(srv);
    if (pid < 0) {
        ev_ref(srv->loop);
        ev_signal_stop(srv->loop, &p->sigchld);
        p->last_bgsave_ok = false;
        log_at(srv, LOG_WARNING, "Can't save in background: fork: %s", strerror(errno));
        return PERSIST_BG_FAILED;
    }
    p->latest_fork_usec = server_clock_us() - start;
    p->forks++;
    p->child = pid;
    p->child_start_ms = start / 1000;
    p->scheduled = false;
    log_at(srv, LOG_NOTICE, "Background saving started by pid %d", (int)pid);
    return PERSIST_BG_STARTED;
}

bool persist_bgsave_running(const struct server *srv) { return P(srv)->child != 0; }

void persist_bgsave_schedule(struct server *srv) { P(srv)->scheduled = true; }

void persist_kill_child(struct server *srv)
{
    struct persist *p = P(srv);
    int status;
    if (!p->child)
        return;
    log_at(srv, LOG_WARNING, "There is a child saving a snapshot. Killing it!");
    kill(p->child, SIGUSR1);
    while (waitpid(p->child, &status, 0) < 0 && errno == EINTR)
        ;
    child_done(srv, status);
}

/* ---- synchronous saves --------------------------------------------------------- */

bool persist_save(struct server *srv)
{
    struct persist *p = P(srv);
    char path[4096], tmp[4096], err[ERRLEN];
    struct snapshot_meta meta = { TASKKV_VERSION, current_seq(p) };
    int64_t now = server_clock_ms();
    uint64_t keys = 0;
    persist_path(srv, path, sizeof(path));
    tmp_path(srv, getpid(), tmp, sizeof(tmp));
    if (snapshot_write(srv->ks, path, tmp, &meta, now, &keys, err, sizeof(err)) != SNAPSHOT_OK) {
        log_at(srv, LOG_WARNING, "Failed saving the snapshot: %s", err);
        return false;
    }
    log_at(srv, LOG_NOTICE, "DB saved on disk (%llu keys)", (unsigned long long)keys);
    p->lastsave = (time_t)(now / 1000);
    p->dirty_at_save = srv->dirty;
    p->last_bgsave_ok = true;
    p->saves++;
    journal_fold(srv, meta.journal_seq);
    return true;
}

void persist_flushall(struct server *srv)
{
    persist_kill_child(srv);
    if (config_values(srv->cfg)->nsave > 0 && persist_save(srv))
        P(srv)->saves--;   /* Redis does not count this one in rdb_saves */
}

/* ---- the cron ------------------------------------------------------------------ */

void persist_cron(struct server *srv)
{
    struct persist *p = P(srv);
    const struct config_values *cv = config_values(srv->cfg);
    time_t now = time(NULL);
    journal_cron(srv);
    reap(srv);
    if (p->loading)   /* no save rules, rewrites or folds until the data is loaded */
        return;
    if (p->fold_seq)
        journal_fold(srv, p->fold_seq);
    if (p->child)
        return;
    if (p->rewrite_scheduled) {
        persist_bgrewrite(srv);
        return;
    }
    if (p->journal && auto_rewrite_due(srv)) {
        log_at(srv, LOG_NOTICE, "Starting automatic rewriting of the journal");
        persist_bgrewrite(srv);
        return;
    }
    if (p->scheduled) {
        persist_bgsave(srv);
        return;
    }
    for (int i = 0; i < cv->nsave; i++) {
        const struct config_save_point *sp = &cv->save[i];
        if (srv->dirty - p->dirty_at_save >= sp->changes && now - p->lastsave > sp->seconds &&
            (now - p->lastbgsave_try > BGSAVE_RETRY_DELAY || p->last_bgsave_ok)) {
            log_at(srv, LOG_NOTICE, "%d changes in %lld seconds. Saving...", sp->changes, sp->seconds);
            persist_bgsave(srv);
            break;
        }
    }
}

/* ---- shutdown ------------------------------------------------------------------ */

unsigned persist_signal_flags(const struct server *srv, int signum)
{
    const char *v = config_value(srv->cfg, signum == SIGINT ? "shutdown-on-sigint" : "shutdown-on-sigterm");
    unsigned flags = 0;
    if (!v)
        return 0;
    /* space-separated words: default | save | nosave | now | force */
    for (const char *s = v; *s;) {
        size_t n = strcspn(s, " ");
        if (n == 4 && !strncmp(s, "save", 4))
            flags |= PERSIST_SHUTDOWN_SAVE;
        else if (n == 6 && !strncmp(s, "nosave", 6))
            flags |= PERSIST_SHUTDOWN_NOSAVE;
        else if (n == 5 && !strncmp(s, "force", 5))
            flags |= PERSIST_SHUTDOWN_FORCE;
        s += n;
        s += strspn(s, " ");
    }
    return flags;
}

bool persist_prepare_shutdown(struct server *srv, unsigned flags)
{
    const struct config_values *cv = config_values(srv->cfg);
    persist_kill_child(srv);
    if (P(srv)->loading)   /* as Redis: never save a partly loaded dataset */
        return true;
    if ((flags & PERSIST_SHUTDOWN_SAVE) || (cv->nsave > 0 && !(flags & PERSIST_SHUTDOWN_NOSAVE))) {
        log_at(srv, LOG_NOTICE, "Saving the final snapshot before exiting.");
        if (!persist_save(srv)) {
            if (flags & PERSIST_SHUTDOWN_FORCE) {
                log_at(srv, LOG_WARNING, "Error trying to save the DB. Exit anyway.");
                return true;
            }
            log_at(srv, LOG_WARNING, "Error trying to save the DB, can't exit.");
            return false;
        }
    }
    return true;
}

long long persist_lastsave(const struct server *srv) { return (long long)P(srv)->lastsave; }

static bool snapshot_refuses(const struct server *srv)
{
    const char *v;
    if (P(srv)->last_bgsave_ok || config_values(srv->cfg)->nsave == 0)   /* the common case: cheap */
        return false;
    v = config_value(srv->cfg, "stop-writes-on-bgsave-error");
    return v && !strcmp(v, "yes");
}

bool persist_writes_refused(const struct server *srv)
{
    return snapshot_refuses(srv) || (P(srv)->journal && !P(srv)->journal_ok);
}

const char *persist_write_error(const struct server *srv, char *buf, size_t cap)
{
    const struct persist *p = P(srv);
    if (snapshot_refuses(srv))
        return PERSIST_MISCONF_ERR;
    if (p->journal && !p->journal_ok) {
        snprintf(buf, cap, "MISCONF Errors writing to the AOF file: %s", strerror(p->journal_errno ? p->journal_errno : EIO));
        return buf;
    }
    return NULL;
}

/* ---- loading ---------------------------------------------------------------------- */

static int load(struct server *srv, unsigned flags, char *err, size_t errcap, double *secs, struct snapshot_info *info)
{
    struct persist *p = P(srv);
    struct codec_limits lim;
    char path[4096];
    int64_t start = server_clock_us(), now = start / 1000;
    int rc;
    persist_path(srv, path, sizeof(path));
    persist_limits(srv, &lim);
    kv_set_clock(srv->ks, now);
    rc = snapshot_read(srv->ks, path, &lim, now, flags, info, err, errcap);
    *secs = (double)(server_clock_us() - start) / 1e6;
    if (rc == SNAPSHOT_OK) {
        p->load_loaded = info->keys_loaded;
        p->load_expired = info->keys_expired;
    }
    return rc;
}

static void fatal_load(struct server *srv, const char *what, const char *err, bool snapshot)
{
    const struct config_values *cv = config_values(srv->cfg);
    char path[4096];
    persist_path(srv, path, sizeof(path));
    log_at(srv, LOG_WARNING, "Fatal error %s: %s", what, err);
    if (snapshot)
        log_at(srv, LOG_WARNING, "The file %s was left untouched. taskkv will not start with part of the data or "
               "without it: repair or move the file away, then start again.", path);
    else
        log_at(srv, LOG_WARNING, "taskkv will not start without its journal: repair or move the file away, then "
               "start again.");
    if (cv->logfile && *cv->logfile)
        fprintf(stderr, "Fatal error %s: %s\n", what, err);
}

static void load_idle_cb(struct ev_loop *loop, ev_idle *w, int revents);

bool persist_load_at_start(struct server *srv)
{
    struct persist *p = P(srv);
    struct codec_limits lim;
    char err[ERRLEN], path[4096];
    int64_t now;
    int rc;
    p->load_start_us = server_clock_us();
    p->loading_start_time = time(NULL);
    now = p->load_start_us / 1000;
    persist_path(srv, path, sizeof(path));
    persist_limits(srv, &lim);
    kv_set_clock(srv->ks, now);
    /* the header and meta are checked now, before the server listens: a
     * file that cannot be loaded stops start-up at once */
    rc = snapshot_read_begin(srv->ks, path, &lim, now, 0, &p->reader, err, sizeof(err));
    if (rc == SNAPSHOT_ERROR) {
        fatal_load(srv, "loading the snapshot", err, true);
        return false;
    }
    if (rc == SNAPSHOT_OK) {
        const struct snapshot_info *info = snapshot_reader_info(p->reader);
        uint64_t done, total;
        snapshot_reader_progress(p->reader, &done, &total, &p->snap_bytes);
        p->load_snap_seq = info->journal_seq;
        log_at(srv, LOG_NOTICE, "Loading snapshot written by taskkv %s", info->taskkv_version);
        if (info->created_ms > 0)
            log_at(srv, LOG_NOTICE, "Snapshot age %lld seconds", (long long)((now - info->created_ms) / 1000));
    }
    if (!journal_start(srv, p->load_snap_seq))
        return false;
    p->loading = true;
    ev_idle_init(&p->load_idle, load_idle_cb);
    ev_set_priority(&p->load_idle, EV_MAXPRI);   /* a slice every iteration, busy clients or not */
    p->load_idle.data = srv;
    ev_idle_start(srv->loop, &p->load_idle);
    return true;
}

bool persist_loading(const struct server *srv)
{
    const struct persist *p = P(srv);
    return p->loading && !p->replaying;
}

bool persist_load_running(const struct server *srv) { return P(srv)->loading; }

bool persist_load(struct server *srv, bool merge)
{
    struct snapshot_info info;
    char err[ERRLEN];
    double secs;
    int rc = load(srv, merge ? SNAPSHOT_MERGE : 0, err, sizeof(err), &secs, &info);
    if (rc == SNAPSHOT_OK)
        return true;
    if (rc == SNAPSHOT_MISSING) {
        char path[4096];
        persist_path(srv, path, sizeof(path));
        log_at(srv, LOG_WARNING, "Error loading the snapshot: %s: no such file", path);
    } else {
        log_at(srv, LOG_WARNING, "Error loading the snapshot: %s", err);
    }
    return false;
}

/* ---- the journal ------------------------------------------------------------------ */

void persist_journal_path(const struct server *srv, char *buf, size_t cap)
{
    const struct config_values *cv = config_values(srv->cfg);
    const char *name = config_value(srv->cfg, "appendfilename");
    snprintf(buf, cap, "%s/%s.sqlite", cv->dir, name && *name ? name : "appendonly.aof");
}

static enum journal_fsync fsync_policy(const struct server *srv)
{
    switch (config_values(srv->cfg)->appendfsync) {
    case CONFIG_FSYNC_ALWAYS: return JOURNAL_FSYNC_ALWAYS;
    case CONFIG_FSYNC_NO: return JOURNAL_FSYNC_NO;
    default: return JOURNAL_FSYNC_EVERYSEC;
    }
}

static bool arg_eq(const struct kv_arg *a, const char *s)
{
    return a->len == strlen(s) && strncasecmp(a->ptr, s, a->len) == 0;
}

/* A journal write or fsync failed (a full or failing disk). The rows are
 * kept and retried at every later commit; meanwhile write commands are
 * refused with "-MISCONF Errors writing to the AOF file: ..." (see
 * persist_write_error) and reads go on, so durability is never dropped
 * silently. Logged once, then at most every 30 seconds. */
static void journal_failed(struct server *srv, const char *what, const char *err)
{
    struct persist *p = P(srv);
    time_t now = time(NULL);
    p->journal_errno = p->journal ? journal_last_errno(p->journal) : EIO;
    if (!p->journal_errno)
        p->journal_errno = EIO;
    if (p->journal_ok || now - p->journal_err_logged >= 30) {
        log_at(srv, LOG_WARNING, "Error %s the journal: %s", what, err);
        if (p->journal_ok)
            log_at(srv, LOG_WARNING, "Write commands are refused (MISCONF) until the journal can be written "
                   "again; the failed writes are kept in memory and retried.");
        p->journal_err_logged = now;
    }
    p->journal_ok = false;
}

static void journal_recovered(struct server *srv)
{
    struct persist *p = P(srv);
    if (!p->journal_ok) {
        log_at(srv, LOG_WARNING, "Journal write error looks solved, taskkv can write again.");
        p->journal_ok = true;
        p->journal_errno = 0;
    }
}

/* The effect hook: every applied write, as its effect. */
static void effect_hook(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    struct server *srv = ctx;
    struct persist *p = P(srv);
    char err[ERRLEN];
    if (!p->journal || p->replaying || argc <= 0)
        return;
    if (db < 0 && argc == 1) {
        if (arg_eq(&argv[0], "MULTI"))
            p->in_unit = true;
        else if (arg_eq(&argv[0], "EXEC"))
            p->in_unit = false;
    }
    if (!journal_append(p->journal, db, argc, argv, err, sizeof(err)))
        journal_failed(srv, "appending to", err);
    else if (p->journal_ok && journal_has_failed(p->journal))
        journal_failed(srv, "appending to", "the transaction could not be written");
}

static void install_hook(struct server *srv)
{
    if (!srv->hooks.effect && (!srv->hooks.ctx || srv->hooks.ctx == srv)) {
        srv->hooks.ctx = srv;
        srv->hooks.effect = effect_hook;
    }
}

static void remove_hook(struct server *srv)
{
    if (srv->hooks.effect == effect_hook)
        srv->hooks.effect = NULL;
}

/* appendfsync always promises that no reply shows a write before its
 * commit is durable. When a commit fails, the writes are applied in memory
 * and their rows kept for the retry: until a commit succeeds, output that
 * may show the keyspace (CF_DATA_OUT: the failing iteration's replies, later
 * reads, messages) is held in its client's buffer, not written. Refused
 * writes (MISCONF) and INFO, CONFIG, CLIENT... still answer a client that
 * holds nothing. A crash meanwhile loses only writes nobody was told of. */
static void update_hold(struct server *srv)
{
    struct persist *p = P(srv);
    bool hold = p->journal && !p->journal_ok && journal_pending(p->journal) &&
                fsync_policy(srv) == JOURNAL_FSYNC_ALWAYS;
    if (hold == srv->hold_replies)
        return;
    srv->hold_replies = hold;
    if (hold) {
        log_at(srv, LOG_WARNING, "appendfsync always: replies that could show uncommitted writes are held "
               "until the journal commits");
        return;
    }
    for (struct client *c = srv->clients; c; c = c->next)
        if (c->flags & CF_HELD) {
            c->flags &= ~(uint32_t)CF_HELD;
            client_mark_pending(c);
        }
}

static void journal_commit_now(struct server *srv)
{
    struct persist *p = P(srv);
    char err[ERRLEN];
    /* a transaction's or script's effects are committed as one: a busy
     * script lets the loop run before its EXEC effect */
    if (!p->journal || p->in_unit)
        return;
    if (!journal_pending(p->journal)) {
        /* a failed fsync with nothing left to write: retry the fsync */
        if (!p->journal_ok) {
            if (journal_sync(p->journal, err, sizeof(err)))
                journal_recovered(srv);
            else
                journal_failed(srv, "syncing", err);
        }
        return;
    }
    if (!journal_commit(p->journal, err, sizeof(err))) {
        journal_failed(srv, "committing", err);
        return;
    }
    p->commits++;
    if (fsync_policy(srv) == JOURNAL_FSYNC_ALWAYS)
        p->fsyncs++;
    else
        p->sync_due = true;
    journal_recovered(srv);
}

void persist_journal_commit(struct server *srv)
{
    journal_commit_now(srv);
    update_hold(srv);
}

/* The once-a-second fsync of appendfsync everysec, on a background thread
 * (engine/bgsync): the loop never waits for the disk. Its result is taken
 * at the next tick; a failure refuses writes (MISCONF) as a failed commit
 * does. While one is still running on a slow disk the next waits
 * (aof_delayed_fsync counts those seconds), and the commits go on. */
static void journal_cron(struct server *srv)
{
    struct persist *p = P(srv);
    char err[ERRLEN];
    int r;
    if (!p->journal)
        return;
    r = journal_sync_poll(p->journal, err, sizeof(err));
    if (r > 0)
        p->fsyncs++;
    else if (r < 0)
        journal_failed(srv, "syncing", err);
    if (!p->sync_due || fsync_policy(srv) != JOURNAL_FSYNC_EVERYSEC)
        return;
    if (journal_sync_running(p->journal)) {
        p->delayed_fsyncs++;
        return;
    }
    p->sync_due = false;
    r = journal_sync_begin(p->journal, err, sizeof(err));
    if (r < 0)
        journal_failed(srv, "syncing", err);
    else if (r > 0)
        p->fsyncs++;
}

/* One journal row through the replay client; a slice stops after
 * REPLAY_SLICE rows (the row that returns false has been applied). */
#define REPLAY_SLICE 512

struct replay {
    struct server *srv;
    unsigned n;
};

static bool replay_row(void *ctx, uint64_t seq, int db, int argc, const struct kv_arg *argv)
{
    struct replay *r = ctx;
    struct persist *p = P(r->srv);
    struct client *c = p->replay_client;
    uint64_t errors = c->out.errors;
    if (db >= 0 && db != p->replay_db) {
        char num[16];
        struct resp_arg sel[2] = { { "SELECT", 6 }, { num, 0 } };
        sel[1].len = (size_t)snprintf(num, sizeof(num), "%d", db);
        client_exec_argv(c, 2, sel);
        p->replay_db = db;
    }
    client_exec_argv(c, argc, (const struct resp_arg *)argv);
    if (c->out.errors > errors && p->replay_errors++ < 10) {
        log_at(r->srv, LOG_WARNING, "Journal entry %llu (%.*s, db %d) failed while replaying",
               (unsigned long long)seq, (int)(argv[0].len > 64 ? 64 : argv[0].len), argv[0].ptr, db);
    }
    reply_clear(&c->out);
    p->replay_rows++;
    p->replay_after = seq;
    return ++r->n < REPLAY_SLICE;
}

/* Opens (and checks) the journal before the server listens; its rows are
 * replayed later, in slices (load_idle_cb). */
static bool journal_start(struct server *srv, uint64_t snap_seq)
{
    struct persist *p = P(srv);
    const struct config_values *cv = config_values(srv->cfg);
    char path[4096], err[ERRLEN];
    uint64_t torn = 0;
    persist_journal_path(srv, path, sizeof(path));
    p->seq_hi = snap_seq;
    p->replay_after = snap_seq;
    if (!cv->appendonly) {
        /* remember the journal's last seq so that an old journal's rows
         * are never replayed onto a later snapshot */
        if (access(path, F_OK) == 0) {
            struct journal *j = journal_open(path, JOURNAL_FSYNC_NO, NULL, err, sizeof(err));
            if (j) {
                if (journal_last_seq(j) > p->seq_hi)
                    p->seq_hi = journal_last_seq(j);
                journal_close(j);
            }
        }
        return true;
    }
    p->journal = journal_open(path, fsync_policy(srv), &torn, err, sizeof(err));
    if (!p->journal) {
        fatal_load(srv, "opening the journal", err, false);
        return false;
    }
    if (torn)
        log_at(srv, LOG_WARNING, "!!! Warning: the journal %s-wal ends with %llu bytes after its last complete "
               "commit (an interrupted write): they are dropped.", path, (unsigned long long)torn);
    p->replay_total = journal_last_seq(p->journal) > snap_seq ? journal_last_seq(p->journal) - snap_seq : 0;
    return true;
}

/* The end of start-up loading: writes, expiry, save rules and the
 * journal's hook start now. */
static void load_finished(struct server *srv)
{
    struct persist *p = P(srv);
    ev_idle_stop(srv->loop, &p->load_idle);
    p->loading = false;
    if (p->replay_client) {
        srv->notify_flags = p->saved_notify;
        client_free(p->replay_client);
        p->replay_client = NULL;
    }
    if (p->journal) {
        if (p->replay_rows > 0)
            log_at(srv, LOG_NOTICE, "Journal replayed: %llu entries after seq %llu in %.3f seconds%s",
                   p->replay_rows, (unsigned long long)p->load_snap_seq,
                   (double)(server_clock_us() - p->load_start_us) / 1e6 - p->snap_secs,
                   p->replay_errors ? " (some failed: see above)" : "");
        journal_advance_seq(p->journal, p->load_snap_seq);
        p->seq_hi = journal_last_seq(p->journal);
        p->base_bytes = journal_file_bytes(p->journal);
        install_hook(srv);
    }
    p->dirty_at_save = srv->dirty;
    server_deadline_changed(srv);   /* expiry was held while loading */
}

/* One slice of start-up loading, from the event loop: about 5 ms of
 * snapshot rows or journal entries, then the loop serves I/O (answering
 * -LOADING) and comes back. Damage found now stops the server (exit 1)
 * as it would have before listening. */
static void load_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    struct server *srv = w->data;
    struct persist *p = P(srv);
    char err[ERRLEN];
    int64_t until = server_clock_us() + 5000;
    if (p->reader) {
        int rc;
        do
            rc = snapshot_read_step(p->reader, srv->ks, 2048, err, sizeof(err));
        while (rc > 0 && server_clock_us() < until);
        p->load_loaded = snapshot_reader_info(p->reader)->keys_loaded;
        p->load_expired = snapshot_reader_info(p->reader)->keys_expired;
        if (rc < 0) {
            fatal_load(srv, "loading the snapshot", err, true);
            exit(1);
        }
        if (rc > 0)
            return;
        p->snap_secs = (double)(server_clock_us() - p->load_start_us) / 1e6;
        log_at(srv, LOG_NOTICE, "Done loading snapshot, keys loaded: %llu, keys expired: %llu.", p->load_loaded,
               p->load_expired);
        log_at(srv, LOG_NOTICE, "DB loaded from disk: %.3f seconds", p->snap_secs);
        snapshot_read_end(p->reader);
        p->reader = NULL;
        return;
    }
    if (p->journal && p->replay_total > 0) {
        struct replay r = { srv, 0 };
        long long n;
        if (!p->replay_client) {
            p->replay_client = client_create_fake(srv);
            p->replay_db = 0;
            p->saved_notify = srv->notify_flags;
        }
        do {
            r.n = 0;
            p->replaying = true;
            srv->notify_flags = 0;   /* no keyspace events for replayed writes */
            n = journal_read(p->journal, p->replay_after, replay_row, &r, err, sizeof(err));
            p->replaying = false;
        } while (n == REPLAY_SLICE && server_clock_us() < until);
        if (n < 0) {
            fatal_load(srv, "replaying the journal", err, false);
            exit(1);
        }
        if (n == REPLAY_SLICE)
            return;
    }
    load_finished(srv);
}

/* CONFIG SET appendonly / appendfsync. Turning the journal on writes a
 * snapshot first (holding everything up to the journal's last seq), so
 * the journal starts from a known point. */
bool persist_journal_config(struct server *srv, char *reason, size_t reasonlen)
{
    struct persist *p = P(srv);
    const struct config_values *cv = config_values(srv->cfg);
    char path[4096], err[ERRLEN];
    if (p->loading && cv->appendonly != (p->journal != NULL)) {
        /* the snapshot the journal starts from would hold part of the data */
        snprintf(reason, reasonlen, "The journal can't be turned on or off while the dataset is loading.");
        return false;
    }
    if (cv->appendonly && !p->journal) {
        struct journal *j;
        uint64_t seq;
        persist_journal_path(srv, path, sizeof(path));
        j = journal_open(path, fsync_policy(srv), NULL, err, sizeof(err));
        if (!j) {
            log_at(srv, LOG_WARNING, "Can't open the journal: %s", err);
            snprintf(reason, reasonlen, "Can't open the journal, check server logs.");
            return false;
        }
        journal_advance_seq(j, p->seq_hi);
        p->journal = j;   /* the snapshot records its last seq */
        seq = journal_last_seq(j);
        persist_kill_child(srv);
        if (!persist_save(srv) || !journal_truncate(j, seq, err, sizeof(err))) {
            p->journal = NULL;
            journal_close(j);
            snprintf(reason, reasonlen, "Can't write the snapshot the journal starts from, check server logs.");
            return false;
        }
        p->base_bytes = journal_file_bytes(j);
        p->journal_ok = true;
        install_hook(srv);
        log_at(srv, LOG_NOTICE, "Journal enabled: %s (starting after seq %llu)", path, (unsigned long long)seq);
    } else if (!cv->appendonly && p->journal) {
        persist_journal_commit(srv);
        p->seq_hi = journal_last_seq(p->journal);
        journal_close(p->journal);
        p->journal = NULL;
        p->in_unit = false;
        remove_hook(srv);
        log_at(srv, LOG_NOTICE, "Journal disabled");
    } else if (p->journal) {
        journal_set_fsync(p->journal, fsync_policy(srv));
    }
    return true;
}

/* A snapshot holding every row up to seq was saved: those rows go. Waits
 * (for the cron) while a transaction's effects are being appended. */
static void journal_fold(struct server *srv, uint64_t seq)
{
    struct persist *p = P(srv);
    char err[ERRLEN];
    if (!p->journal || !seq)
        return;
    if (p->in_unit) {
        p->fold_seq = seq;
        return;
    }
    p->fold_seq = 0;
    if (!journal_truncate(p->journal, seq, err, sizeof(err))) {
        log_at(srv, LOG_WARNING, "Can't fold the journal into the snapshot: %s", err);
        return;
    }
    p->base_bytes = journal_file_bytes(p->journal);
}

enum persist_bg persist_bgrewrite(struct server *srv)
{
    struct persist *p = P(srv);
    enum persist_bg r;
    if (p->child)
        return PERSIST_BG_IN_PROGRESS;
    p->rewrite_scheduled = false;
    r = persist_bgsave(srv);
    if (r == PERSIST_BG_STARTED) {
        p->child_rewrite = true;
        p->rewrite_start_ms = server_clock_ms();
        log_at(srv, LOG_NOTICE, "Background journal rewrite started by pid %d", (int)p->child);
    } else {
        p->last_rewrite_ok = false;
    }
    return r;
}

bool persist_bgrewrite_running(const struct server *srv) { return P(srv)->child && P(srv)->child_rewrite; }

void persist_bgrewrite_schedule(struct server *srv) { P(srv)->rewrite_scheduled = true; }

bool persist_journal_enabled(const struct server *srv) { return P(srv)->journal != NULL; }

void persist_journal_stats(const struct server *srv, unsigned long long *commits, unsigned long long *fsyncs)
{
    *commits = P(srv)->commits;
    *fsyncs = P(srv)->fsyncs;
}

/* ---- INFO ------------------------------------------------------------------------- */

void persist_info(const struct server *srv, char *buf, size_t cap)
{
    const struct persist *p = P(srv);
    long long cur = p->child ? (server_clock_ms() - p->child_start_ms) / 1000 : -1;
    snprintf(buf, cap,
             "# Persistence\r\nloading:%d\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
             "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
             "current_save_keys_total:0\r\nrdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
             "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\nrdb_last_bgsave_time_sec:%lld\r\n"
             "rdb_current_bgsave_time_sec:%lld\r\nrdb_saves:%llu\r\nrdb_last_cow_size:0\r\n"
             "rdb_last_load_keys_expired:%llu\r\nrdb_last_load_keys_loaded:%llu\r\n"
             "aof_enabled:%d\r\naof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:%d\r\n"
             "aof_last_rewrite_time_sec:%lld\r\naof_current_rewrite_time_sec:%lld\r\naof_last_bgrewrite_status:%s\r\n"
             "aof_rewrites:%llu\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:%s\r\n"
             "aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
             p->loading ? 1 : 0, srv->dirty - p->dirty_at_save, p->child ? 1 : 0, (long long)p->lastsave,
             p->last_bgsave_ok ? "ok" : "err", p->last_bgsave_sec, cur, p->saves, p->load_expired, p->load_loaded,
             p->journal ? 1 : 0, p->child_rewrite ? 1 : 0, p->rewrite_scheduled ? 1 : 0, p->last_rewrite_sec,
             p->child_rewrite ? (server_clock_ms() - p->rewrite_start_ms) / 1000 : -1LL,
             p->last_rewrite_ok ? "ok" : "err", p->rewrites, p->journal_ok ? "ok" : "err");
    if (p->journal) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n,
                 "aof_current_size:%llu\r\naof_base_size:%llu\r\naof_pending_rewrite:0\r\naof_buffer_length:0\r\n"
                 "aof_pending_bio_fsync:%d\r\naof_delayed_fsync:%llu\r\n",
                 (unsigned long long)journal_file_bytes(p->journal), (unsigned long long)p->base_bytes,
                 journal_sync_running(p->journal) ? 1 : 0, p->delayed_fsyncs);
    }
    if (p->loading) {
        /* Redis' loading_* fields. Progress in bytes is estimated from rows:
         * the snapshot's rows read of meta.keys, then the journal's entries
         * replayed of those to replay (each counted as its share of the
         * journal's size) */
        uint64_t sdone = 0, stotal = 0, sbytes = p->snap_bytes, jbytes = 0, total, loaded;
        double elapsed = (double)(server_clock_us() - p->load_start_us) / 1e6, perc;
        size_t n = strlen(buf);
        if (p->reader)
            snapshot_reader_progress(p->reader, &sdone, &stotal, &sbytes);
        if (p->journal && p->replay_total)
            jbytes = journal_file_bytes(p->journal);
        total = sbytes + jbytes;
        loaded = p->reader ? (stotal ? (uint64_t)((double)sbytes * (double)sdone / (double)stotal) : 0) : sbytes;
        if (!p->reader && p->replay_total)
            loaded += (uint64_t)((double)jbytes * (double)p->replay_rows / (double)p->replay_total);
        if (loaded > total)
            loaded = total;
        perc = total ? (double)loaded / (double)total * 100 : 0;
        snprintf(buf + n, cap - n,
                 "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\nloading_rdb_used_mem:0\r\n"
                 "loading_loaded_bytes:%llu\r\nloading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                 (long long)p->loading_start_time, (unsigned long long)total, (unsigned long long)loaded, perc,
                 loaded ? (long long)(elapsed * (double)(total - loaded) / (double)loaded) : 1LL);
    }
}

void persist_fork_stats(const struct server *srv, unsigned long long *total_forks, long long *latest_fork_usec)
{
    *total_forks = P(srv)->forks;
    *latest_fork_usec = P(srv)->latest_fork_usec;
}

/* ---- life cycle --------------------------------------------------------------------- */

struct persist *persist_create(struct server *srv)
{
    struct persist *p = calloc(1, sizeof(*p));
    if (!p)
        abort();
    p->srv = srv;
    p->lastsave = time(NULL);
    p->last_bgsave_ok = true;
    p->last_bgsave_sec = -1;
    p->journal_ok = true;
    p->last_rewrite_sec = -1;
    faultvfs_install();
    {
        /* TASKKV_DISK_FAULT=full|ioerr: start with the disk failing (tests) */
        const char *f = getenv("TASKKV_DISK_FAULT");
        if (f && faultvfs_parse(f) > 0)
            faultvfs_arm((enum faultvfs_mode)faultvfs_parse(f));
    }
    p->last_rewrite_ok = true;
    ev_signal_init(&p->sigchld, sigchld_cb, SIGCHLD);
    p->sigchld.data = srv;
    return p;
}

void persist_destroy(struct persist *p)
{
    if (!p)
        return;
    persist_kill_child(p->srv);
    if (p->loading) {
        ev_idle_stop(p->srv->loop, &p->load_idle);
        snapshot_read_end(p->reader);
        if (p->replay_client)
            client_free(p->replay_client);
        p->loading = false;
    }
    if (p->journal) {
        persist_journal_commit(p->srv);
        if (p->journal && !p->in_unit)
            journal_sync(p->journal, NULL, 0);
        journal_close(p->journal);
        remove_hook(p->srv);
    }
    free(p);
}
