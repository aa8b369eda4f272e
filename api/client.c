/*
 * client: connection I/O on libev (see client.h).
 *
 * Reading: up to 16 KiB per read (more when a large bulk is announced, so a
 * big value is read straight into place), then every complete command in the
 * buffer runs before the next read - thousands of pipelined commands per
 * wake-up. A protocol error gets Redis' "-ERR Protocol error: ..." reply and
 * the connection closes after it is written. A client whose unparsed input
 * exceeds client-query-buffer-limit is closed without a reply and logged.
 *
 * Writing: replies are flushed in the server's before-sleep step; the write
 * watcher runs only while a socket would block.
 */
#include "api/client.h"
#include "api/block.h"
#include "api/command.h"
#include "api/config.h"
#include "api/log.h"
#include "api/multi.h"
#include "api/pause.h"
#include "api/persist.h"
#include "api/pubsub.h"
#include "api/server.h"
#include "engine/alloc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IOBUF_LEN (16 * 1024)

#define CLIENT_OF(w, field) ((struct client *)((char *)(w) - offsetof(struct client, field)))

static void read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void write_cb(struct ev_loop *loop, ev_io *w, int revents);

static struct resp_limits parser_limits(const struct server *srv)
{
    const struct config_values *cv = config_values(srv->cfg);
    struct resp_limits lim = { 64 * 1024, cv->proto_max_bulk_len, 2147483647LL };
    return lim;
}

static struct client *client_alloc(struct server *srv, int fd)
{
    struct client *c = kv_xcalloc(1, sizeof(*c));
    struct resp_limits lim = parser_limits(srv);
    c->srv = srv;
    c->fd = fd;
    c->id = ++srv->next_client_id;
    c->parser = resp_parser_create(&lim);
    c->ctime = time(NULL);
    c->last_interaction_ms = server_clock_ms();
    reply_init(&c->out);
    c->out.on_error = server_count_error;
    c->out.on_error_ctx = srv;
    if (!config_values(srv->cfg)->requirepass)
        c->flags |= CF_AUTHENTICATED;
    return c;
}

static void link_client(struct server *srv, struct client *c)
{
    c->next = srv->clients;
    if (srv->clients)
        srv->clients->prev = c;
    srv->clients = c;
    srv->nclients++;
}

struct client *client_create(struct server *srv, int fd, bool unix_socket)
{
    struct client *c = client_alloc(srv, fd);
    if (unix_socket)
        c->flags |= CF_UNIX;
    ev_io_init(&c->rio, read_cb, fd, EV_READ);
    ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
    ev_io_start(srv->loop, &c->rio);
    link_client(srv, c);
    return c;
}

struct client *client_create_fake(struct server *srv)
{
    struct client *c = client_alloc(srv, -1);
    c->flags |= CF_FAKE | CF_AUTHENTICATED | CF_DENY_BLOCKING;
    return c;
}

static void unlink_pending(struct client *c)
{
    struct client **pp = &c->srv->pending;
    if (!(c->flags & CF_PENDING_WRITE))
        return;
    for (; *pp; pp = &(*pp)->next_pending)
        if (*pp == c) {
            *pp = c->next_pending;
            break;
        }
    c->flags &= ~(uint32_t)CF_PENDING_WRITE;
}

void client_free(struct client *c)
{
    struct server *srv;
    if (!c)
        return;
    srv = c->srv;
    unlink_pending(c);
    if (c->flags & (CF_BLOCKED | CF_RESUME))
        block_cancel(c);
    if (c->flags & CF_PAUSED)
        pause_cancel(c);
    pubsub_client_drop(c);
    multi_client_reset(c);
    if (!(c->flags & CF_FAKE)) {
        ev_io_stop(srv->loop, &c->rio);
        ev_io_stop(srv->loop, &c->wio);
        close(c->fd);
        if (c->prev)
            c->prev->next = c->next;
        else
            srv->clients = c->next;
        if (c->next)
            c->next->prev = c->prev;
        srv->nclients--;
    }
    resp_parser_destroy(c->parser);
    reply_deinit(&c->out);
    free(c->qbuf);
    free(c->name);
    free(c->lib_name);
    free(c->lib_ver);
    free(c);
}

void client_close_async(struct client *c)
{
    c->flags |= CF_CLOSE_ASAP;
    client_mark_pending(c);
}

void client_mark_pending(struct client *c)
{
    if (c->flags & (CF_PENDING_WRITE | CF_FAKE))
        return;
    c->flags |= CF_PENDING_WRITE;
    c->next_pending = c->srv->pending;
    c->srv->pending = c;
}

bool client_flush(struct client *c)
{
    struct server *srv = c->srv;
    if (srv->hold_replies && (c->flags & (CF_DATA_OUT | CF_HELD)) && !(c->flags & CF_CLOSE_ASAP)) {
        c->flags |= CF_HELD;   /* released by persist once the journal commits */
        ev_io_stop(srv->loop, &c->wio);
        return true;
    }
    if (!(c->flags & CF_CLOSE_ASAP)) {
        if (reply_pending(&c->out))
            srv->stats.writes_processed++;
        while (reply_pending(&c->out)) {
            ssize_t n = reply_write(&c->out, c->fd);
            if (n < 0) {
                c->flags |= CF_CLOSE_ASAP;
                break;
            }
            if (n == 0)
                break;
            srv->stats.net_output_bytes += (uint64_t)n;
            c->tot_net_out += (uint64_t)n;
            if (srv->now_ms > c->last_interaction_ms)   /* as Redis: a write is an interaction too */
                c->last_interaction_ms = srv->now_ms;
        }
    }
    if (!reply_pending(&c->out))
        c->flags &= ~(uint32_t)CF_DATA_OUT;
    if ((c->flags & CF_CLOSE_ASAP) ||
        ((c->flags & CF_CLOSE_AFTER_REPLY) && !reply_pending(&c->out))) {
        client_free(c);
        return false;
    }
    if (reply_pending(&c->out))
        ev_io_start(srv->loop, &c->wio);
    else
        ev_io_stop(srv->loop, &c->wio);
    return true;
}

bool client_check_output_limit(struct client *c)
{
    const struct config_values *cv;
    if (!c->out.list_bytes && !c->obuf_soft_since)   /* the common case: nothing beyond the buffer */
        return !(c->flags & CF_CLOSE_ASAP);
    cv = config_values(c->srv->cfg);
    const long long *lim = cv->cobl[(c->flags & CF_PUBSUB) ? CONFIG_CLASS_PUBSUB : CONFIG_CLASS_NORMAL];
    size_t used = c->out.list_bytes;
    bool hard = lim[0] && used >= (unsigned long long)lim[0];
    bool soft = lim[1] && used >= (unsigned long long)lim[1];
    if (c->flags & (CF_FAKE | CF_CLOSE_ASAP))
        return !(c->flags & CF_CLOSE_ASAP);
    if (!soft) {
        c->obuf_soft_since = 0;
    } else if (!c->obuf_soft_since) {
        c->obuf_soft_since = time(NULL);
        soft = false;
    } else if (time(NULL) - c->obuf_soft_since <= lim[2]) {
        soft = false;
    }
    if (!hard && !soft)
        return true;
    log_at(c->srv, LOG_WARNING,
           "Client id=%llu addr=%s laddr=%s fd=%d name=%s omem=%zu scheduled to be closed ASAP for overcoming of "
           "output buffer limits.", (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
           used);
    c->srv->stats.cobl_disconnections++;
    client_close_async(c);
    return false;
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct client *c = CLIENT_OF(w, wio);
    persist_journal_commit(c->srv);   /* no reply ahead of the writes it shows (appendfsync always) */
    client_flush(c);
}

/* ---- input -------------------------------------------------------------- */

static void protocol_error(struct client *c)
{
    const char *msg = resp_error(c->parser);
    log_at(c->srv, LOG_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s",
           msg, (unsigned long long)c->id, c->addr);
    reply_errorf(&c->out, "ERR %s", msg);
    c->flags |= CF_CLOSE_AFTER_REPLY;
}

bool client_auth_required(const struct client *c)
{
    return !(c->flags & CF_AUTHENTICATED) && config_values(c->srv->cfg)->requirepass;
}

bool client_is_local(const struct client *c)
{
    return (c->flags & CF_UNIX) || strncmp(c->addr, "127.", 4) == 0 || strncmp(c->addr, "::1:", 4) == 0;
}

/* Runs every complete command in the buffer. */
static void process_input(struct client *c)
{
    struct resp_cmd cmd;
    while (c->qpos < c->qlen && !(c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP | CF_BLOCKED | CF_PAUSED))) {
        resp_parser_set_auth_required(c->parser, client_auth_required(c));
        enum resp_status st = resp_parse(c->parser, c->qbuf + c->qpos, c->qlen - c->qpos, &cmd);
        if (st == RESP_NEED_MORE)
            break;
        if (st == RESP_ERROR) {
            protocol_error(c);
            break;
        }
        c->argc = cmd.argc;
        c->argv = cmd.argv;
        bool go_on = cmd.argc == 0 || (cmd_dispatch(c) && client_check_output_limit(c));
        if (c->flags & CF_PAUSED)
            break;   /* held unconsumed: parsed and run again when the pause ends */
        c->qpos += cmd.consumed;
        if (!(c->flags & CF_BLOCKED))   /* an empty request counts too, as in Redis */
            client_after_command(c);
        if (!go_on)
            break;
    }
    c->argc = 0;
    c->argv = NULL;
    if (c->qpos == c->qlen)
        c->qpos = c->qlen = 0;
}

/* Makes room for at least `want` more bytes after qlen. */
static void reserve_input(struct client *c, size_t want)
{
    if (c->qpos > 0 && c->qcap - c->qlen < want) {
        memmove(c->qbuf, c->qbuf + c->qpos, c->qlen - c->qpos);
        c->qlen -= c->qpos;
        c->qpos = 0;
    }
    if (c->qcap - c->qlen < want) {
        size_t cap = c->qlen + want;
        if (cap < c->qcap * 2 && c->qcap * 2 - c->qlen <= want + IOBUF_LEN * 64)
            cap = c->qcap * 2;
        c->qbuf = kv_xrealloc(c->qbuf, cap);
        c->qcap = cap;
    }
}

static void shrink_input(struct client *c)
{
    if (c->qlen == 0 && c->qcap > 4 * IOBUF_LEN) {
        free(c->qbuf);
        c->qbuf = NULL;
        c->qcap = 0;
    }
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct client *c = CLIENT_OF(w, rio);
    struct server *srv = c->srv;
    size_t want = IOBUF_LEN;
    ssize_t n;
    srv->stats.reads_processed++;
    if (c->qlen > c->qpos) {
        size_t need = resp_want(c->parser);
        if (need > want)
            want = need;
    }
    reserve_input(c, want);
    n = read(c->fd, c->qbuf + c->qlen, c->qcap - c->qlen);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        client_free(c);
        return;
    }
    if (n < 0)
        return;
    c->qlen += (size_t)n;
    c->tot_net_in += (uint64_t)n;
    srv->stats.net_input_bytes += (uint64_t)n;
    c->last_interaction_ms = server_clock_ms();
    process_input(c);
    if (c->qlen - c->qpos > (size_t)config_values(srv->cfg)->client_query_buffer_limit) {
        log_at(srv, LOG_WARNING, "Closing client that reached max query buffer length: id=%llu addr=%s qbuf=%zu",
               (unsigned long long)c->id, c->addr, c->qlen - c->qpos);
        c->flags |= CF_CLOSE_ASAP;
    }
    shrink_input(c);
    if (reply_pending(&c->out) || (c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP)))
        client_mark_pending(c);
}

void client_resume(struct client *c)
{
    process_input(c);
    if (reply_pending(&c->out) || (c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP)))
        client_mark_pending(c);
}

void client_after_command(struct client *c)
{
    if (!(c->flags & (CF_REPLY_SKIP | CF_REPLY_SKIP_NEXT)))
        return;
    c->flags &= ~(uint32_t)CF_REPLY_SKIP;
    if (c->flags & CF_REPLY_SKIP_NEXT)
        c->flags = (c->flags & ~(uint32_t)CF_REPLY_SKIP_NEXT) | CF_REPLY_SKIP;
    c->out.mute = (c->flags & (CF_REPLY_OFF | CF_REPLY_SKIP)) != 0;
}

bool client_check_idle(struct client *c, int64_t now_ms)
{
    int timeout = config_values(c->srv->cfg)->timeout;
    /* a held reply (CF_HELD) is the server's wait, not the client's idling */
    if (!timeout || (c->flags & (CF_FAKE | CF_BLOCKED | CF_PAUSED | CF_HELD | CF_PUBSUB | CF_MONITOR)))
        return true;
    /* whole seconds, as Redis compares its unixtime stamps */
    if (now_ms / 1000 - c->last_interaction_ms / 1000 <= timeout)
        return true;
    log_at(c->srv, LOG_VERBOSE, "Closing idle client");
    client_free(c);
    return false;
}

void client_exec_argv(struct client *c, int argc, const struct resp_arg *argv)
{
    c->argc = argc;
    c->argv = (struct resp_arg *)argv;
    if (argc > 0)
        cmd_dispatch(c);
    c->argc = 0;
    c->argv = NULL;
}
