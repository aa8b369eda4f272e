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
#include "api/server.h"
#include "engine/kv.h"
#include "engine/snapshot.h"

#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
};

static struct persist *P(const struct server *srv) { return srv->persist; }

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
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        log_at(srv, LOG_NOTICE, "Background saving terminated with success");
        p->lastsave = (time_t)(now / 1000);
        p->dirty_at_save = p->dirty_at_fork;
        p->last_bgsave_ok = true;
        p->saves++;
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
    struct snapshot_meta meta = { TASKKV_VERSION, 0 };
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
    struct snapshot_meta meta = { TASKKV_VERSION, 0 };
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
    reap(srv);
    if (p->child)
        return;
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

bool persist_writes_refused(const struct server *srv)
{
    const char *v;
    if (P(srv)->last_bgsave_ok || config_values(srv->cfg)->nsave == 0)   /* the common case: cheap */
        return false;
    v = config_value(srv->cfg, "stop-writes-on-bgsave-error");
    return v && !strcmp(v, "yes");
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

bool persist_load_at_start(struct server *srv)
{
    struct snapshot_info info;
    char err[ERRLEN], path[4096];
    double secs;
    int rc = load(srv, 0, err, sizeof(err), &secs, &info);
    if (rc == SNAPSHOT_MISSING)
        return true;
    if (rc != SNAPSHOT_OK) {
        const struct config_values *cv = config_values(srv->cfg);
        persist_path(srv, path, sizeof(path));
        log_at(srv, LOG_WARNING, "Fatal error loading the snapshot: %s", err);
        log_at(srv, LOG_WARNING,
               "The file %s was left untouched. taskkv will not start with part of the data or without it: "
               "repair or move the file away, then start again.", path);
        if (cv->logfile && *cv->logfile)
            fprintf(stderr, "Fatal error loading the snapshot: %s\n", err);
        return false;
    }
    log_at(srv, LOG_NOTICE, "Loading snapshot written by taskkv %s", info.taskkv_version);
    if (info.created_ms > 0)
        log_at(srv, LOG_NOTICE, "Snapshot age %lld seconds", (long long)((server_clock_ms() - info.created_ms) / 1000));
    log_at(srv, LOG_NOTICE, "Done loading snapshot, keys loaded: %llu, keys expired: %llu.",
           (unsigned long long)info.keys_loaded, (unsigned long long)info.keys_expired);
    log_at(srv, LOG_NOTICE, "DB loaded from disk: %.3f seconds", secs);
    return true;
}

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

/* ---- INFO ------------------------------------------------------------------------- */

void persist_info(const struct server *srv, char *buf, size_t cap)
{
    const struct persist *p = P(srv);
    long long cur = p->child ? (server_clock_ms() - p->child_start_ms) / 1000 : -1;
    snprintf(buf, cap,
             "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
             "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
             "current_save_keys_total:0\r\nrdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
             "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\nrdb_last_bgsave_time_sec:%lld\r\n"
             "rdb_current_bgsave_time_sec:%lld\r\nrdb_saves:%llu\r\nrdb_last_cow_size:0\r\n"
             "rdb_last_load_keys_expired:%llu\r\nrdb_last_load_keys_loaded:%llu\r\n"
             "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
             "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\n"
             "aof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\n"
             "aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
             srv->dirty - p->dirty_at_save, p->child ? 1 : 0, (long long)p->lastsave,
             p->last_bgsave_ok ? "ok" : "err", p->last_bgsave_sec, cur, p->saves, p->load_expired, p->load_loaded);
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
    ev_signal_init(&p->sigchld, sigchld_cb, SIGCHLD);
    p->sigchld.data = srv;
    return p;
}

void persist_destroy(struct persist *p)
{
    if (!p)
        return;
    persist_kill_child(p->srv);
    free(p);
}
