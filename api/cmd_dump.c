/*
 * cmd_dump: DUMP and RESTORE - a value serialized into taskkv's own
 * checksummed payload (engine/dump.h, docs/DUMP-FORMAT.md) and a key
 * created from one, with Redis 7.0.15's arguments, checks, errors and
 * events.
 *
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f] checks,
 * in Redis' order: the options left to right (an IDLETIME or FREQ value is
 * checked where it stands; IDLETIME after FREQ, FREQ after IDLETIME, or
 * either without a value is a syntax error); then, without REPLACE, that
 * the key does not exist (BUSYKEY); then the TTL; then the payload's frame
 * ("DUMP payload version or checksum are wrong": a Redis payload, or any
 * damaged one) and its value ("Bad data format"). The payload is never
 * trusted: engine/dump.c validates everything before a value exists, so
 * `sanitize-dump-payload` (accepted by CONFIG) has nothing to switch: every
 * payload gets the full check.
 *
 * Effects: a relative TTL propagates as `RESTORE key <absolute ms> payload
 * [options] ABSTTL`, as Redis rewrites it; a deadline already past creates
 * nothing and replies OK - with REPLACE the old key is then deleted ("del",
 * propagated as DEL), without it nothing changed and nothing propagates.
 * Otherwise the key raises "new" (the engine) and "restore".
 *
 * IDLETIME / FREQ set the new value's access stamp (engine kv_set_access):
 * IDLETIME counts only without an LFU maxmemory-policy, FREQ only with one,
 * as in Redis; the other is accepted and ignored.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/db.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/dump.h"
#include "engine/kv.h"
#include "engine/numfmt.h"

#include <limits.h>
#include <stdlib.h>

#define ERR_BUSYKEY "BUSYKEY Target key name already exists."
#define ERR_TTL "ERR Invalid TTL value, must be >= 0"
#define ERR_IDLETIME "ERR Invalid IDLETIME value, must be >= 0"
#define ERR_FREQ "ERR Invalid FREQ value, must be >= 0 and <= 255"
#define ERR_FRAME "ERR DUMP payload version or checksum are wrong"
#define ERR_DATA "ERR Bad data format"

/* ---- DUMP ------------------------------------------------------------------- */

static void dump_cmd(struct client *c)
{
    struct kv_entry *e = db_read(c, &c->argv[1]);
    struct codec_buf b = { 0 };
    const char *err = NULL;
    if (!e) {
        reply_null(&c->out);
        return;
    }
    if (dump_encode(kv_entry_val(e), &b, &err) != 0)
        reply_errorf(&c->out, "ERR %s", err);
    else
        reply_bulk(&c->out, (const char *)b.p, b.len);
    codec_buf_free(&b);
}

/* ---- RESTORE ---------------------------------------------------------------- */

struct restore_opts {
    bool replace, absttl;
    long long idle, freq;   /* -1: not given */
};

/* A value after IDLETIME / FREQ, checked where it stands. */
static bool opt_value_or_reply(struct client *c, int j, long long max, const char *msg, long long *out)
{
    if (!arg_ll_or_reply(c, &c->argv[j], out))
        return false;
    if (*out < 0 || *out > max) {
        reply_error(&c->out, msg);
        return false;
    }
    return true;
}

static bool restore_opts_or_reply(struct client *c, struct restore_opts *o)
{
    *o = (struct restore_opts){ false, false, -1, -1 };
    for (int j = 4; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j];
        bool has_value = j + 1 < c->argc;
        if (arg_opt_is(a, "replace")) {
            o->replace = true;
        } else if (arg_opt_is(a, "absttl")) {
            o->absttl = true;
        } else if (arg_opt_is(a, "idletime") && has_value && o->freq == -1) {
            if (!opt_value_or_reply(c, ++j, LLONG_MAX, ERR_IDLETIME, &o->idle))
                return false;
        } else if (arg_opt_is(a, "freq") && has_value && o->idle == -1) {
            if (!opt_value_or_reply(c, ++j, 255, ERR_FREQ, &o->freq))
                return false;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    return true;
}

/* The value the payload holds, or NULL after replying with Redis' error. */
static struct kv_obj *payload_or_reply(struct client *c, const struct resp_arg *payload)
{
    struct codec_limits lim;
    enum dump_status st;
    char err[160];
    struct kv_obj *val;
    persist_limits(c->srv, &lim);
    val = dump_decode(payload->ptr, payload->len, &lim, &st, err, sizeof(err));
    if (!val)
        reply_error(&c->out, st == DUMP_BAD_FRAME ? ERR_FRAME : ERR_DATA);
    return val;
}

/* RESTORE with a relative TTL goes on as the same command with the absolute
 * deadline and ABSTTL appended. */
static void effect_absolute(struct client *c, long long when)
{
    struct resp_arg small[12], *argv = small;
    char buf[NF_LL_BUFSIZE];
    int n = c->argc + 1;
    if (n > 12)
        argv = kv_xmalloc(sizeof(*argv) * (size_t)n);
    for (int j = 0; j < c->argc; j++)
        argv[j] = c->argv[j];
    argv[2] = (struct resp_arg){ buf, (size_t)nf_ll2str(buf, sizeof(buf), when) };
    argv[c->argc] = (struct resp_arg){ "ABSTTL", 6 };
    cmd_effect(c, n, argv);
    if (argv != small)
        free(argv);
}

/* A deadline already past: nothing is created; a key REPLACE removed is a
 * deletion of its own. */
static void restore_expired(struct client *c, const struct resp_arg *key, bool deleted)
{
    if (deleted) {
        cmd_effect(c, 2, (struct resp_arg[]){ { "DEL", 3 }, *key });
        db_touched(c, key, NOTIFY_GENERIC, "del");
    }
    reply_ok(&c->out);
}

static void restore_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct server *srv = c->srv;
    struct restore_opts o;
    struct kv_entry *e;
    struct kv_obj *val;
    long long ttl;
    bool deleted;

    if (!restore_opts_or_reply(c, &o))
        return;
    if (!o.replace && db_write(c, key)) {
        reply_error(&c->out, ERR_BUSYKEY);
        return;
    }
    if (!arg_ll_or_reply(c, &c->argv[2], &ttl))
        return;
    if (ttl < 0) {
        reply_error(&c->out, ERR_TTL);
        return;
    }
    if (!(val = payload_or_reply(c, &c->argv[3])))
        return;

    /* REPLACE removes whatever is there, even a key past its deadline
     * (Redis deletes without looking it up first). */
    deleted = o.replace && kv_delete(srv->ks, c->db, key->ptr, key->len);
    if (ttl && !o.absttl)   /* wraps past LLONG_MAX into the past, as in Redis */
        ttl = (long long)((unsigned long long)ttl + (unsigned long long)srv->now_ms);
    if (ttl && ttl <= srv->now_ms) {
        kv_obj_free(val);
        restore_expired(c, key, deleted);
        return;
    }
    e = kv_add(srv->ks, c->db, key->ptr, key->len, val);
    if (ttl)
        kv_ttl_set(srv->ks, c->db, e, ttl);
    kv_set_access(srv->ks, kv_entry_val(e), o.freq, o.idle);
    if (ttl && !o.absttl)
        effect_absolute(c, ttl);
    db_touched(c, key, NOTIFY_GENERIC, "restore");
    reply_ok(&c->out);
}

/* ---- table ------------------------------------------------------------------ */

static const struct cmd_def dump_cmds[] = {
    { "dump", dump_cmd, 2, CMD_READONLY, ACL_KEYSPACE | ACL_READ | ACL_SLOW, 1, 1, 1,
      "Return a serialized version of the value stored at the specified key.", NULL },
    { "restore", restore_cmd, -4, CMD_WRITE | CMD_DENYOOM, ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, 1, 1,
      1, "Create a key using the provided serialized value, previously obtained using DUMP.", NULL },
};

const struct cmd_group cmd_group_dump = CMD_GROUP("generic", dump_cmds);
