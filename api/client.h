/*
 * client: one connection (or a fake one for tests, the journal replay and
 * scripts): its input buffer and parser, its reply buffer, and its session
 * state (database, protocol, name, authentication).
 *
 * Input is parsed in place: c->argv points into c->qbuf (or the parser's
 * scratch) and is valid only while the command runs. Replies go to c->out and
 * reach the socket in the server's before-sleep step.
 */
#ifndef TASKKV_API_CLIENT_H
#define TASKKV_API_CLIENT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "api/reply.h"
#include "api/resp_parse.h"

struct server;
struct cmd_def;
struct block_waiter;
struct ps_sub;
struct multi_state;
struct wlink;

enum client_flag {
    CF_CLOSE_AFTER_REPLY = 1 << 0,
    CF_CLOSE_ASAP = 1 << 1,
    CF_FAKE = 1 << 2,
    CF_PENDING_WRITE = 1 << 3,
    CF_UNIX = 1 << 4,
    CF_AUTHENTICATED = 1 << 5,
    CF_BLOCKED = 1 << 6,
    CF_DENY_BLOCKING = 1 << 7,     /* MULTI/EXEC, scripts, fake clients: blocking commands answer at once */
    CF_RESUME = 1 << 8,            /* on the block module's resume list */
    CF_PUBSUB = 1 << 9,            /* subscribed to something (api/cmd_pubsub.c) */
    CF_MULTI = 1 << 10,            /* between MULTI and EXEC/DISCARD (api/multi.c) */
    CF_DIRTY_CAS = 1 << 11,        /* a WATCHed key changed: EXEC fails */
    CF_DIRTY_EXEC = 1 << 12,       /* a command was rejected while queueing: EXECABORT */
    CF_SCRIPT = 1 << 13,           /* the fake client Lua scripts call commands through */
    CF_MONITOR = 1 << 14,          /* in MONITOR mode (api/monitor.c) */
    CF_REPLY_OFF = 1 << 15,        /* CLIENT REPLY OFF */
    CF_REPLY_SKIP = 1 << 16,       /* CLIENT REPLY SKIP: this command's reply is dropped */
    CF_REPLY_SKIP_NEXT = 1 << 17,  /* CLIENT REPLY SKIP ran: the next command's is */
    CF_NO_EVICT = 1 << 18,         /* CLIENT NO-EVICT ON */
    CF_PAUSED = 1 << 19,           /* its next command waits for CLIENT PAUSE to end (api/pause.c) */
    /* Output since the last complete flush may show the keyspace (a data
     * command's reply, a message, a woken blocked command); under
     * appendfsync always such output waits while the journal cannot commit
     * (CF_HELD; api/persist.c) */
    CF_DATA_OUT = 1 << 20,
    CF_HELD = 1 << 21,
};

struct client {
    struct server *srv;
    struct client *prev, *next;        /* server's client list */
    struct client *next_pending;       /* server's pending-write list */
    uint64_t id;
    int fd;
    uint32_t flags;
    int db;
    ev_io rio, wio;

    char *qbuf;                        /* unparsed input: qbuf[qpos..qlen) */
    size_t qpos, qlen, qcap;
    struct resp_parser *parser;
    int argc;
    struct resp_arg *argv;
    const struct cmd_def *cmd, *last_cmd;
    const struct cmd_def *last_parent;    /* container of last_cmd, or NULL */

    char *name;                        /* CLIENT SETNAME, NULL if none */
    char *lib_name, *lib_ver;          /* CLIENT SETINFO */
    char addr[64], laddr[64];
    time_t ctime;
    int64_t last_interaction_ms;
    uint64_t tot_net_in, tot_net_out;

    struct block_waiter *wait;         /* non-NULL iff CF_BLOCKED (api/block.c) */
    struct client *next_resume;        /* block module's resume list */
    struct client *pause_prev, *pause_next;   /* api/pause.c's lists, while CF_PAUSED */

    struct ps_sub *ps;                 /* subscriptions; NULL before the first */
    struct multi_state *multi;         /* the MULTI queue, NULL outside MULTI */
    struct wlink *watched;             /* WATCHed keys (api/multi.c) */
    time_t obuf_soft_since;            /* over the soft output limit since (0: not) */
    uint64_t errors_accounted;         /* out.errors already counted by cmd_call */

    struct reply out;                  /* last: holds the 16 KiB buffer */
};

/* Adopts a connected socket (already non-blocking). */
struct client *client_create(struct server *srv, int fd, bool unix_socket);
/* A client with no socket; replies accumulate in c->out. */
struct client *client_create_fake(struct server *srv);
/* Unlinks and frees at once; safe on fake clients. */
void client_free(struct client *c);
/* Frees after the current callback (safe from inside a handler). */
void client_close_async(struct client *c);

/* Queues the client for the before-sleep flush. */
void client_mark_pending(struct client *c);
/* Writes pending output; returns false if the client was freed. */
bool client_flush(struct client *c);

/* Closes the client (asynchronously, logged, counted) when its pending
 * output passed its class's client-output-buffer-limit: the hard limit at
 * once, the soft one after staying over it for its seconds. Returns false
 * when it is being closed. */
bool client_check_output_limit(struct client *c);
/* Redis' authRequired(): a password is configured now and the client has
 * not authenticated (clearing requirepass lets every client in). */
bool client_auth_required(const struct client *c);
/* Redis' local client: a unix socket, or TCP from 127.x.x.x or ::1 (the
 * "local" of enable-debug-command and enable-protected-configs). */
bool client_is_local(const struct client *c);

/* Runs the input that arrived while the client was blocked. */
void client_resume(struct client *c);

/* After each command the client ran (for a blocked one, once it is served
 * or timed out): CLIENT REPLY SKIP silences the next command only. */
void client_after_command(struct client *c);

/* Closes the client (logged at verbose level) when `timeout` is set and it
 * has been idle longer, unless it is blocked, paused, subscribed or a
 * MONITOR, as Redis does. Returns false when it was closed. */
bool client_check_idle(struct client *c, int64_t now_ms);

/* Runs a fake client's command from arguments (tests, replay). */
void client_exec_argv(struct client *c, int argc, const struct resp_arg *argv);

#endif
