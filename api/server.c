/*
 * server: construction, listeners, the event loop and its before-sleep step,
 * the single deadline timer, and the wiring of engine hooks (see server.h).
 *
 * The deadline timer is armed at the time index's earliest deadline (never a
 * fixed tick). Each firing runs at most EXPIRE_BUDGET due items and, if more
 * are due, re-arms at once: a burst of keys sharing one deadline drains in
 * slices, with client I/O served between slices.
 */
#include "api/server.h"
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/log.h"
#include "api/maxmemory.h"
#include "api/multi.h"
#include "api/ops.h"
#include "api/pause.h"
#include "api/persist.h"
#include "api/pubsub.h"
#include "api/script.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/timeidx.h"
#include "pubsub/hub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXPIRE_BUDGET 2000

static void close_listeners(struct server *srv);
static void apply_access_policy(struct server *srv);
static bool apply_config(void *ctx, struct config *cfg, const char *const *changed, int n, bool rollback,
                         const char **failed, char *reason, size_t reasonlen);

int64_t server_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t server_clock_ms(void) { return server_clock_us() / 1000; }

uint64_t server_random(struct server *srv)
{
    /* xorshift64*: fast, good enough for RANDOMKEY and sampling */
    uint64_t x = srv->rnd_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    srv->rnd_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void server_count_error(void *ctx, const char *code, size_t len)
{
    struct server *srv = ctx;
    int i;
    if (len >= ERRSTAT_CODE)
        len = ERRSTAT_CODE - 1;
    for (i = 0; i < srv->nerrstats; i++)
        if (strlen(srv->errstats[i].code) == len && memcmp(srv->errstats[i].code, code, len) == 0)
            break;
    if (i == srv->nerrstats) {
        if (i == ERRSTAT_MAX)
            return;
        memcpy(srv->errstats[i].code, code, len);
        srv->errstats[i].code[len] = '\0';
        srv->errstats[i].count = 0;
        srv->nerrstats++;
    }
    srv->errstats[i].count++;
}

/* ---- engine hooks ------------------------------------------------------- */

static void on_changed(void *ctx, int db, const char *key, size_t klen)
{
    struct server *srv = ctx;
    block_key_changed(srv->block, db, key, klen);
    watch_key_changed(srv, db, key, klen);
    if (srv->hooks.changed)
        srv->hooks.changed(srv->hooks.ctx, db, key, klen);
}

static void on_notify(void *ctx, int cls, const char *event, int db, const char *key, size_t klen)
{
    struct server *srv = ctx;
    pubsub_keyspace_event(srv, cls, event, db, key, klen);
    if (srv->hooks.notify)
        srv->hooks.notify(srv->hooks.ctx, cls, event, db, key, klen);
}

static void on_propagate(void *ctx, int db, int argc, const struct kv_arg *argv)
{
    struct server *srv = ctx;
    srv->dirty++;
    if (srv->hooks.effect)
        srv->hooks.effect(srv->hooks.ctx, db, argc, argv);
}

static void on_flushing(void *ctx, int db)
{
    struct server *srv = ctx;
    watch_db_flushing(srv, db);
    if (srv->hooks.flushing)
        srv->hooks.flushing(srv->hooks.ctx, db);
}

static void on_swapped(void *ctx, int a, int b)
{
    struct server *srv = ctx;
    block_db_changed(srv->block, a);
    block_db_changed(srv->block, b);
    watch_db_swapped(srv, a, b);
    if (srv->hooks.swapped)
        srv->hooks.swapped(srv->hooks.ctx, a, b);
}

/* ---- timers ------------------------------------------------------------- */

static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct server *srv = (struct server *)((char *)w - offsetof(struct server, deadline_timer));
    int64_t start_us = server_clock_us(), now = start_us / 1000;
    if (persist_loading(srv))   /* no expiry until the dataset is loaded */
        return;
    srv->now_ms = now;
    if (ti_run_due(srv->ti, now, EXPIRE_BUDGET) == EXPIRE_BUDGET)
        srv->stats.expire_slices++;
    /* the due work of this wake (Redis: one active expire cycle) */
    int64_t spent_us = server_clock_us() - start_us;
    srv->stats.expire_cycle_us += (uint64_t)spent_us;
    latency_add_sample(srv, "expire-cycle", spent_us / 1000);
    block_serve_ready(srv->block);
    server_deadline_changed(srv);
}

void server_deadline_changed(struct server *srv)
{
    int64_t next;
    double delay;
    if (persist_loading(srv))   /* armed when loading ends */
        return;
    next = ti_next_deadline(srv->ti);
    if (next == srv->armed_deadline && (next == INT64_MAX || ev_is_active(&srv->deadline_timer)))
        return;
    srv->armed_deadline = next;
    ev_timer_stop(srv->loop, &srv->deadline_timer);
    if (next == INT64_MAX)
        return;
    ev_now_update(srv->loop);
    delay = (double)(next - server_clock_ms()) / 1000.0;
    ev_timer_set(&srv->deadline_timer, delay > 0 ? delay : 0, 0);
    ev_timer_start(srv->loop, &srv->deadline_timer);
}

static void metric_sample(struct inst_metric *m, uint64_t value, int64_t now_ms)
{
    if (m->last_ms && now_ms > m->last_ms)
        m->rate = (double)(value - m->last) * 1000.0 / (double)(now_ms - m->last_ms);
    m->last = value;
    m->last_ms = now_ms;
}

static void cron_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct server *srv = (struct server *)((char *)w - offsetof(struct server, cron));
    kv_rehash_steps(srv->ks, 100);
    persist_cron(srv);
    maxmem_cron(srv);
    /* A client over its soft output limit is closed once the limit's
     * seconds pass even if nothing more is written to it; an idle one once
     * `timeout` seconds pass. */
    int64_t now = server_clock_ms();
    for (struct client *c = srv->clients, *next; c; c = next) {
        next = c->next;
        if (c->obuf_soft_since)
            client_check_output_limit(c);
        client_check_idle(c, now);
    }
    metric_sample(&srv->ops, srv->stats.commands_processed, now);
    metric_sample(&srv->net_in, srv->stats.net_input_bytes, now);
    metric_sample(&srv->net_out, srv->stats.net_output_bytes, now);
}

/* Writes every queued reply straight to its socket. */
static void flush_pending(struct server *srv)
{
    while (srv->pending) {
        struct client *c = srv->pending;
        srv->pending = c->next_pending;
        c->flags &= ~(uint32_t)CF_PENDING_WRITE;
        client_flush(c);
    }
}

static void shutdown_on_signal(struct server *srv, int signum);

static void before_sleep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    struct server *srv = (struct server *)((char *)w - offsetof(struct server, before_sleep));
    if (srv->pending_signal && !script_timed_out(srv))
        shutdown_on_signal(srv, srv->pending_signal);
    block_resume_clients(srv->block);
    pause_resume_clients(srv);
    persist_journal_commit(srv);   /* group commit: before any reply of this iteration is written */
    flush_pending(srv);
    server_deadline_changed(srv);
    if (srv->shutdown_asap)
        ev_break(loop, EVBREAK_ALL);
}

/* The final save and exit for SIGTERM / SIGINT. */
static void shutdown_on_signal(struct server *srv, int signum)
{
    const char *name = signum == SIGINT ? "SIGINT" : "SIGTERM";
    srv->pending_signal = 0;
    log_at(srv, LOG_WARNING, "User requested shutdown...");   /* SHUTDOWN logs it itself */
    if (!persist_prepare_shutdown(srv, persist_signal_flags(srv, signum))) {
        log_at(srv, LOG_WARNING, "%s received but errors trying to shut down the server, check the logs for more "
               "information", name);
        return;
    }
    srv->shutdown_asap = true;
    ev_break(srv->loop, EVBREAK_ALL);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct server *srv = w->data;
    log_at(srv, LOG_WARNING, "Received %s scheduling shutdown...", w->signum == SIGINT ? "SIGINT" : "SIGTERM");
    /* A busy script is still running below us: saving now would capture
     * its partial writes. The save waits until the script has ended. */
    if (script_timed_out(srv)) {
        srv->pending_signal = w->signum;
        return;
    }
    shutdown_on_signal(srv, w->signum);
}

/* ---- construction ------------------------------------------------------- */

struct server *server_create(struct config *cfg)
{
    struct server *srv = kv_xcalloc(1, sizeof(*srv));
    const struct config_values *cv = config_values(cfg);
    struct kv_events ev = { srv, on_changed, on_notify, on_propagate, on_flushing, on_swapped };
    srv->loop = ev_loop_new(EVFLAG_AUTO);
    srv->cfg = cfg;
    srv->ti = ti_create();
    srv->ks = kv_create(cv->databases, srv->ti, &ev);
    srv->block = block_create(srv);
    srv->pause = pause_create(srv);
    srv->pubsub = ps_hub_create();
    ops_refresh(srv);
    srv->watch = watch_registry_create(cv->databases);
    srv->persist = persist_create(srv);
    pubsub_config_changed(srv);
    srv->cmds = cmd_table_create();
    srv->start_time = time(NULL);
    srv->rnd_state = (uint64_t)server_clock_us() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
    ev_timer_init(&srv->deadline_timer, deadline_cb, 0, 0);
    srv->armed_deadline = INT64_MAX;
    ev_prepare_init(&srv->before_sleep, before_sleep_cb);
    ev_prepare_start(srv->loop, &srv->before_sleep);
    ev_timer_init(&srv->cron, cron_cb, 1.0, 1.0);
    ev_timer_start(srv->loop, &srv->cron);
    ev_unref(srv->loop);   /* the cron alone does not keep the loop alive */
    config_set_apply_hook(cfg, apply_config, srv);
    apply_access_policy(srv);
    maxmem_create(srv);
    return srv;
}

void server_close_clients(struct server *srv)
{
    while (srv->clients)
        client_free(srv->clients);
}

void server_destroy(struct server *srv)
{
    if (!srv)
        return;
    server_close_clients(srv);
    script_destroy(srv->script);
    close_listeners(srv);
    if (config_values(srv->cfg)->unixsocket && *config_values(srv->cfg)->unixsocket)
        unlink(config_values(srv->cfg)->unixsocket);
    block_destroy(srv->block);
    pause_destroy(srv->pause);
    ps_hub_destroy(srv->pubsub);
    ops_destroy(srv);
    watch_registry_destroy(srv->watch);
    persist_destroy(srv->persist);
    maxmem_destroy(srv);
    kv_destroy(srv->ks);
    ti_destroy(srv->ti);
    cmd_table_destroy(srv->cmds);
    ev_loop_destroy(srv->loop);
    config_destroy(srv->cfg);
    free(srv->executable);
    free(srv->config_file);
    free(srv);
}

/* ---- listeners ---------------------------------------------------------- */

static int set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static bool is_loopback(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return true;
}

static void format_addr(const struct sockaddr_storage *sa, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
        port = ntohs(s4->sin_port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        port = ntohs(s6->sin6_port);
    }
    snprintf(out, cap, "%s:%d", host, port);
}

/* tcp-keepalive as Redis sets it: the first probe after `interval`
 * seconds of silence, then one every interval/3 (at least 1), and the peer
 * declared dead after 3 unanswered probes - so a vanished client releases
 * what it holds (blocked waits, subscriptions) within about 2 intervals. */
static void set_keepalive(int fd, int interval)
{
    int one = 1, idle = interval, intvl = interval / 3 ? interval / 3 : 1, cnt = 3;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
#ifdef TCP_KEEPIDLE
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
#else
    (void)idle, (void)intvl, (void)cnt;
#endif
}

static void reject_fd(int fd, const char *msg)
{
    ssize_t ignored = write(fd, msg, strlen(msg));
    (void)ignored;
    close(fd);
}

static const char denied_msg[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set "
    "for the default user. In this mode connections are only accepted from the loopback interface. If you "
    "want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just "
    "disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by "
    "connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly "
    "accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and setting the protected "
    "mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, "
    "restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start accepting "
    "connections from the outside.\r\n";

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct listener *l = (struct listener *)w;
    struct server *srv = w->data;
    const struct config_values *cv = config_values(srv->cfg);
    for (int i = 0; i < 1000; i++) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof(sa);
        struct client *c;
        int fd = accept(l->fd, (struct sockaddr *)&sa, &salen);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_at(srv, LOG_VERBOSE, "Accepting client connection: %s", strerror(errno));
            return;
        }
        srv->stats.connections_received++;
        if (srv->nclients >= cv->maxclients) {
            srv->stats.rejected_connections++;
            reject_fd(fd, "-ERR max number of clients reached\r\n");
            continue;
        }
        if (!l->unix_socket && cv->protected_mode && !cv->requirepass &&
            !is_loopback(&sa)) {
            srv->stats.rejected_connections++;
            reject_fd(fd, denied_msg);
            continue;
        }
        set_nonblock(fd);
        if (!l->unix_socket) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            if (cv->tcp_keepalive > 0)
                set_keepalive(fd, cv->tcp_keepalive);
        }
        c = client_create(srv, fd, l->unix_socket);
        if (l->unix_socket) {
            snprintf(c->addr, sizeof(c->addr), "%s:0", cv->unixsocket);
            snprintf(c->laddr, sizeof(c->laddr), "%s:0", cv->unixsocket);
        } else {
            struct sockaddr_storage la;
            socklen_t lalen = sizeof(la);
            format_addr(&sa, c->addr, sizeof(c->addr));
            if (getsockname(fd, (struct sockaddr *)&la, &lalen) == 0)
                format_addr(&la, c->laddr, sizeof(c->laddr));
        }
    }
}

static bool add_listener(struct server *srv, int fd, bool unix_socket)
{
    struct listener *l;
    if (srv->nlisteners >= (int)(sizeof(srv->listeners) / sizeof(srv->listeners[0]))) {
        close(fd);
        return false;
    }
    l = &srv->listeners[srv->nlisteners++];
    l->fd = fd;
    l->unix_socket = unix_socket;
    ev_io_init(&l->io, accept_cb, fd, EV_READ);
    l->io.data = srv;
    ev_io_start(srv->loop, &l->io);
    return true;
}

/* Binds one address ("127.0.0.1", "::1", "*", "-::*": a leading '-' means
 * the address is optional). */
static bool listen_tcp(struct server *srv, const char *addr, int port, int backlog)
{
    bool optional = addr[0] == '-';
    struct addrinfo hints = { 0 }, *res = NULL;
    char portstr[16];
    int fd = -1, one = 1, rc;
    if (optional)
        addr++;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    if (strcmp(addr, "*") == 0) {
        hints.ai_family = AF_INET;
        addr = NULL;
    } else if (strcmp(addr, "::*") == 0) {
        hints.ai_family = AF_INET6;
        addr = NULL;
    }
    snprintf(portstr, sizeof(portstr), "%d", port);
    rc = getaddrinfo(addr, portstr, &hints, &res);
    if (rc == 0)
        fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (res->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, backlog) < 0 || set_nonblock(fd) < 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        int err = errno;
        if (res)
            freeaddrinfo(res);
        if (optional)
            return true;
        log_at(srv, LOG_WARNING, "Warning: Could not create server TCP listening socket %s:%d: %s",
               addr ? addr : "*", port, rc ? gai_strerror(rc) : strerror(err));
        return false;
    }
    freeaddrinfo(res);
    return add_listener(srv, fd, false);
}

static bool listen_unix(struct server *srv, const char *path, unsigned perm, int backlog)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        log_at(srv, LOG_WARNING, "Failed opening Unix socket: path too long");
        return false;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, backlog) < 0 ||
        set_nonblock(fd) < 0) {
        log_at(srv, LOG_WARNING, "Failed opening Unix socket: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (perm)
        chmod(path, perm);
    return add_listener(srv, fd, true);
}

static void close_listeners(struct server *srv)
{
    for (int i = 0; i < srv->nlisteners; i++) {
        ev_io_stop(srv->loop, &srv->listeners[i].io);
        close(srv->listeners[i].fd);
    }
    srv->nlisteners = 0;
}

static bool changed_has(const char *const *changed, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(changed[i], name) == 0)
            return true;
    return false;
}

/* LRU or LFU access tracking follows maxmemory-policy, as in Redis. */
static void apply_access_policy(struct server *srv)
{
    const struct config_values *cv = config_values(srv->cfg);
    bool lfu = cv->maxmemory_policy == CONFIG_MAXMEMORY_ALLKEYS_LFU ||
               cv->maxmemory_policy == CONFIG_MAXMEMORY_VOLATILE_LFU;
    kv_set_access_policy(srv->ks, lfu, cv->lfu_log_factor, cv->lfu_decay_time);
}

/* CONFIG SET side effects: `dir` is entered; `port`, `bind`, `unixsocket`
 * and `unixsocketperm` reopen the listeners (all or nothing: on failure the
 * old values come back through the rollback call). */
static bool apply_config(void *ctx, struct config *cfg, const char *const *changed, int n, bool rollback,
                         const char **failed, char *reason, size_t reasonlen)
{
    struct server *srv = ctx;
    const struct config_values *cv = config_values(cfg);
    apply_access_policy(srv);
    pubsub_config_changed(srv);
    ops_refresh(srv);
    maxmem_config_changed(srv, changed_has(changed, n, "maxmemory"), changed_has(changed, n, "maxmemory-policy"));
    if (changed_has(changed, n, "dir") && chdir(cv->dir) < 0) {
        snprintf(reason, reasonlen, "%s", strerror(errno));
        *failed = "dir";
        return false;
    }
    if ((changed_has(changed, n, "appendonly") || changed_has(changed, n, "appendfsync")) &&
        !persist_journal_config(srv, reason, reasonlen) && !rollback) {
        *failed = "appendonly";
        return false;
    }
    if (srv->nlisteners && (changed_has(changed, n, "port") || changed_has(changed, n, "bind") ||
                            changed_has(changed, n, "unixsocket") || changed_has(changed, n, "unixsocketperm"))) {
        close_listeners(srv);
        if (!server_listen(srv) && !rollback) {
            snprintf(reason, reasonlen, "Unable to listen on this port. Check server logs.");
            *failed = changed_has(changed, n, "port") ? "port" : changed[0];
            return false;
        }
    }
    return true;
}

bool server_listen(struct server *srv)
{
    const struct config_values *cv = config_values(srv->cfg);
    if (cv->port > 0) {
        for (int i = 0; i < cv->nbind; i++)
            if (!listen_tcp(srv, cv->bind[i], cv->port, cv->tcp_backlog))
                return false;
    }
    if (cv->unixsocket && *cv->unixsocket &&
        !listen_unix(srv, cv->unixsocket, cv->unixsocketperm, cv->tcp_backlog))
        return false;
    if (srv->nlisteners == 0) {
        log_at(srv, LOG_WARNING, "Configured to not listen anywhere, exiting.");
        return false;
    }
    return true;
}

int server_run(struct server *srv)
{
    signal(SIGPIPE, SIG_IGN);
    ev_signal_init(&srv->sigterm, signal_cb, SIGTERM);
    ev_signal_init(&srv->sigint, signal_cb, SIGINT);
    srv->sigterm.data = srv->sigint.data = srv;
    ev_signal_start(srv->loop, &srv->sigterm);
    ev_signal_start(srv->loop, &srv->sigint);
    ev_unref(srv->loop);
    ev_unref(srv->loop);
    while (!srv->shutdown_asap)
        ev_run(srv->loop, 0);
    /* flush what the last commands produced (SHUTDOWN replies nothing) */
    persist_journal_commit(srv);
    flush_pending(srv);
    log_at(srv, LOG_WARNING, "taskkv is now ready to exit, bye bye...");
    ev_signal_stop(srv->loop, &srv->sigterm);
    ev_signal_stop(srv->loop, &srv->sigint);
    return srv->exit_code;
}
