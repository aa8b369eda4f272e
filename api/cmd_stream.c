/*
 * cmd_stream: the stream commands of Redis 7.0 without consumer groups -
 * XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD (with BLOCK). The data
 * structure is engine/t_stream.
 *
 * Behaviour is Redis 7.0.15's, checked against the real server:
 *   - IDs: Redis' parser (engine/t_stream.h tstream_id_parse) with its
 *     C-string reading (bytes after a NUL are ignored, as are they in option
 *     names: arg_opt_is), "-" / "+" only as XRANGE bounds, "(" exclusive
 *     bounds, "ms-*" in XADD, "$" in XREAD;
 *   - validation order: XADD parses its options and ID, checks the arity of
 *     the field/value list and refuses 0-0 before looking the key up; XTRIM
 *     parses its options first; XDEL looks the key up (a missing key answers
 *     0 whatever the IDs) before parsing them; XRANGE parses the bounds and
 *     COUNT first; XREAD parses its options, then per stream looks the key
 *     up (WRONGTYPE) and parses its ID, in argument order;
 *   - replies: XADD NOMKSTREAM on a missing key is a null bulk; XRANGE with
 *     COUNT 0 (or negative) on an existing key is a null array, on a missing
 *     one an empty array; XREAD is an array of [key, entries] (RESP3: a map),
 *     a null array when nothing is served; an emptied stream stays a key;
 *   - events (class t): "xadd", then "xtrim" when its trimming removed
 *     something; XTRIM "xtrim"; XDEL "xdel" - only when something changed.
 *     A stream created by XADD raises "new" first (engine/kv);
 *   - trimming: `~` without LIMIT is limited to 100 * stream-node-max-entries
 *     entries (at most 10000), as in Redis; engine/t_stream reproduces Redis'
 *     node boundaries so the counts are Redis'.
 *
 * Propagation: XADD with `*` or `ms-*` goes out with the generated ID; an
 * approximate trim (XADD or XTRIM with `~`) goes out as the exact trim it
 * amounted to - `=` and the resulting length (MAXLEN) or first ID (MINID),
 * as Redis rewrites it - without its LIMIT option, which is invalid
 * without `~` (Redis keeps it and has replicas ignore it).
 *
 * XREAD BLOCK: a blocked client's command is re-run (api/block.h) when one of
 * its keys changes. `$` must mean "after the last ID at the time of the
 * call", so before waiting the handler substitutes each `$` argument with the
 * concrete ID; block_wait copies the arguments. The re-run serves like Redis
 * 7.0's blocked-client path: a stream is ready when its last generated ID is
 * above the client's ID (so an entry added and deleted in one transaction
 * serves an empty list), a key named twice waits with its first ID, the reply
 * holds one stream, and without COUNT at most 1000 entries come back. Keys of
 * another type are left alone (the client stays blocked). Redis serves the
 * stream whose key became ready first; the re-run cannot tell which key woke
 * it and takes the first ready one in argument order - the same unless one
 * transaction or script adds to several of the client's streams, later ones
 * in the argument list first.
 */
#include "api/block.h"
#include "api/client.h"
#include "api/coll.h"
#include "api/command.h"
#include "api/config.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/t_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redis' XREAD_BLOCKED_DEFAULT_COUNT: entries served to a client woken from
 * XREAD BLOCK without COUNT. */
#define BLOCKED_DEFAULT_COUNT 1000

static const char ERR_INVALID_ID[] = "ERR Invalid stream ID specified as stream command argument";

/* ---- shared helpers ------------------------------------------------------ */

static struct tstream *stream_of(struct kv_entry *e) { return kv_entry_val(e)->v.ptr; }

static struct tstream_limits limits(const struct client *c)
{
    const struct config_values *cv = config_values(c->srv->cfg);
    return (struct tstream_limits){ cv->stream_node_max_bytes, cv->stream_node_max_entries };
}

/* The argument as a C string equals `word` exactly (Redis' strcmp). */
static bool cstr_is(const struct resp_arg *a, const char *word)
{
    size_t n = strlen(word);
    return a->len >= n && memcmp(a->ptr, word, n) == 0 && (a->len == n || a->ptr[n] == '\0');
}

static bool id_or_reply(struct client *c, const struct resp_arg *a, enum tstream_id_syntax syntax, uint64_t missing_seq,
                        struct tstream_id *out, bool *seq_star)
{
    if (tstream_id_parse(a->ptr, a->len, syntax, missing_seq, out, seq_star))
        return true;
    reply_error(&c->out, ERR_INVALID_ID);
    return false;
}

static void reply_id(struct client *c, const struct tstream_id *id)
{
    char buf[TSTREAM_ID_STRSIZE];
    reply_bulk(&c->out, buf, tstream_id_format(buf, id));
}

/* [id, [field, value, ...]] for the iterator's current entry. */
static void reply_entry(struct client *c, struct tstream_iter *it, const struct tstream_id *id, size_t npairs)
{
    const char *f, *v;
    size_t flen, vlen;
    reply_array(&c->out, 2);
    reply_id(c, id);
    reply_array(&c->out, (long long)npairs * 2);
    while (tstream_iter_pair(it, &f, &flen, &v, &vlen)) {
        reply_bulk(&c->out, f, flen);
        reply_bulk(&c->out, v, vlen);
    }
}

/* The entries within [start, end], at most count of them (0: all), in
 * ascending order or, with rev, descending. */
static void reply_range(struct client *c, const struct tstream *s, const struct tstream_id *start,
                        const struct tstream_id *end, long long count, bool rev)
{
    struct tstream_iter it;
    struct tstream_id id;
    size_t npairs;
    long long n = 0;
    void *slot = reply_defer(&c->out);
    tstream_iter_init(&it, s, start, end, rev);
    while ((count == 0 || n < count) && tstream_iter_next(&it, &id, &npairs)) {
        reply_entry(c, &it, &id, npairs);
        n++;
    }
    reply_set_array(&c->out, slot, n);
}

/* ---- XADD / XTRIM options ------------------------------------------------ */

struct trim_opts {
    bool trim;                 /* MAXLEN or MINID given */
    struct tstream_trim t;
    int thresh_at;             /* argv index of the threshold */
    bool nomkstream;
    int id_at;                 /* XADD: argv index of the ID (argc when missing) */
    enum tstream_id_mode id_mode;
    struct tstream_id id;
};

/* MAXLEN|MINID [=|~] threshold at argv[*i]: parses it and moves *i to the
 * threshold. */
static bool strategy_or_reply(struct client *c, int *i, bool maxlen, struct trim_opts *o)
{
    int more = c->argc - 1 - *i;
    long long n;
    if (o->trim) {
        reply_error(&c->out, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return false;
    }
    o->t.approx = false;
    if (more >= 2 && cstr_is(&c->argv[*i + 1], "~")) {
        o->t.approx = true;
        (*i)++;
    } else if (more >= 2 && cstr_is(&c->argv[*i + 1], "=")) {
        (*i)++;
    }
    (*i)++;
    if (maxlen) {
        if (!arg_ll_or_reply(c, &c->argv[*i], &n))
            return false;
        if (n < 0) {
            reply_error(&c->out, "ERR The MAXLEN argument must be >= 0.");
            return false;
        }
        o->t.strategy = TSTREAM_TRIM_MAXLEN;
        o->t.maxlen = (uint64_t)n;
    } else {
        if (!id_or_reply(c, &c->argv[*i], TSTREAM_ID_STRICT, 0, &o->t.minid, NULL))
            return false;
        o->t.strategy = TSTREAM_TRIM_MINID;
    }
    o->trim = true;
    o->thresh_at = *i;
    return true;
}

/* Redis' XADD / XTRIM option parser: [NOMKSTREAM] [MAXLEN|MINID [=|~]
 * threshold [LIMIT count]] and, for XADD, the ID that ends the options.
 * Errors in Redis' order. */
static bool trim_opts_or_reply(struct client *c, bool xadd, struct trim_opts *o)
{
    bool limit_given = false;
    long long limit = 0;
    int i;

    memset(o, 0, sizeof(*o));
    o->id_mode = TSTREAM_ID_AUTO;
    for (i = 2; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        int more = c->argc - 1 - i;
        if (xadd && cstr_is(a, "*")) {
            break;
        } else if ((arg_opt_is(a, "maxlen") || arg_opt_is(a, "minid")) && more) {
            if (!strategy_or_reply(c, &i, arg_opt_is(a, "maxlen"), o))
                return false;
        } else if (arg_opt_is(a, "limit") && more) {
            if (!arg_ll_or_reply(c, &c->argv[++i], &limit))
                return false;
            if (limit < 0) {
                reply_error(&c->out, "ERR The LIMIT argument must be >= 0.");
                return false;
            }
            limit_given = true;
        } else if (xadd && arg_opt_is(a, "nomkstream")) {
            o->nomkstream = true;
        } else if (xadd) {
            bool star = false;
            if (!id_or_reply(c, a, TSTREAM_ID_STRICT, 0, &o->id, &star))
                return false;
            o->id_mode = star ? TSTREAM_ID_MS : TSTREAM_ID_EXPLICIT;
            break;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    o->id_at = i;
    if (limit && !o->trim) {
        reply_error(&c->out, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return false;
    }
    if (!xadd && !o->trim) {
        reply_error(&c->out, "ERR syntax error, XTRIM must be called with a trimming strategy");
        return false;
    }
    if (limit_given && !o->t.approx) {
        reply_error(&c->out, "ERR syntax error, LIMIT cannot be used without the special ~ option");
        return false;
    }
    if (!limit_given && o->t.approx) {
        long long per_node = config_values(c->srv->cfg)->stream_node_max_entries;
        limit = per_node <= 0 || per_node > 100 ? 10000 : 100 * per_node;
    }
    o->t.limit = limit;
    return true;
}

/* The command as it must be propagated: an approximate trim becomes the
 * exact one it amounted to (`=`, the resulting length or first ID, no
 * LIMIT); with `new_id`, the argument at id_at becomes it. */
static void record_effect(struct client *c, const struct trim_opts *o, const struct tstream *s,
                          const struct tstream_id *new_id)
{
    char thresh[TSTREAM_ID_STRSIZE], idbuf[TSTREAM_ID_STRSIZE];
    struct resp_arg *argv = kv_xmalloc(sizeof(*argv) * (size_t)c->argc);
    int n = 0;
    for (int i = 0; i < c->argc; i++) {
        if (o->t.approx && i < o->id_at && i + 1 < o->id_at && arg_opt_is(&c->argv[i], "limit")) {
            i++;                       /* drop LIMIT and its count */
            continue;
        }
        argv[n] = c->argv[i];
        if (o->t.approx && i == o->thresh_at - 1) {
            argv[n] = (struct resp_arg){ "=", 1 };
        } else if (o->t.approx && i == o->thresh_at) {
            struct tstream_id first = tstream_first_id(s);
            argv[n].ptr = thresh;
            if (o->t.strategy == TSTREAM_TRIM_MAXLEN)
                argv[n].len = (size_t)snprintf(thresh, sizeof(thresh), "%llu",
                                               (unsigned long long)tstream_length(s));
            else
                argv[n].len = tstream_id_format(thresh, &first);
        } else if (new_id && i == o->id_at) {
            argv[n].ptr = idbuf;
            argv[n].len = tstream_id_format(idbuf, new_id);
        }
        n++;
    }
    cmd_effect(c, n, argv);
    free(argv);
}

/* ---- XADD ---------------------------------------------------------------- */

static const char *add_error(enum tstream_add_result r)
{
    switch (r) {
    case TSTREAM_ID_TOO_SMALL:
        return "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    case TSTREAM_EXHAUSTED:
        return "ERR The stream has exhausted the last possible ID, unable to add more items";
    default:
        /* TSTREAM_TOO_LARGE, and TSTREAM_NO_SEQ_LEFT, for which Redis 7.0
         * reports whatever errno holds: not EDOM (the ID error's text)
         * unless an XADD of the same input batch failed with it before. */
        return "ERR Elements are too large to be stored";
    }
}

/* Appends the entry of argv[first..] (pairs) to s; false after an error
 * reply. */
static bool add_entry_or_reply(struct client *c, struct tstream *s, const struct trim_opts *o, int first,
                      struct tstream_id *id)
{
    struct tstream_limits lim = limits(c);
    size_t npairs = (size_t)(c->argc - first) / 2;
    struct kv_arg local[32], *fv = npairs * 2 <= 32 ? local : kv_xmalloc(sizeof(*fv) * npairs * 2);
    enum tstream_add_result r;
    for (size_t i = 0; i < npairs * 2; i++)
        fv[i] = (struct kv_arg){ c->argv[first + (int)i].ptr, c->argv[first + (int)i].len };
    r = tstream_add(s, o->id_mode, &o->id, c->srv->now_ms, fv, npairs, &lim, id);
    if (fv != local)
        free(fv);
    if (r != TSTREAM_ADDED) {
        reply_error(&c->out, add_error(r));
        return false;
    }
    return true;
}

static void xadd_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct trim_opts o;
    struct kv_entry *e;
    struct tstream *s;
    struct tstream_id id;
    int first;

    if (!trim_opts_or_reply(c, true, &o))
        return;
    first = o.id_at + 1;
    if (c->argc - first < 2 || (c->argc - first) % 2 != 0) {
        cmd_wrong_arity(c, "xadd");
        return;
    }
    if (o.id_mode == TSTREAM_ID_EXPLICIT && o.id.ms == 0 && o.id.seq == 0) {
        reply_error(&c->out, "ERR The ID specified in XADD must be greater than 0-0");
        return;
    }
    if (!db_write_typed_or_reply(c, key, KV_STREAM, &e))
        return;
    if (!e && o.nomkstream) {
        reply_null(&c->out);
        return;
    }
    if (!e)
        e = kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_obj_wrap(KV_STREAM, tstream_create()));
    s = stream_of(e);
    if (!add_entry_or_reply(c, s, &o, first, &id))
        return;
    reply_id(c, &id);
    coll_touched(c, key, NOTIFY_STREAM, "xadd", 1);
    if (o.trim && tstream_trim(s, &o.t) > 0)
        kv_notify(c->srv->ks, NOTIFY_STREAM, "xtrim", c->db, key->ptr, key->len);
    if (o.t.approx || o.id_mode != TSTREAM_ID_EXPLICIT)
        record_effect(c, &o, s, o.id_mode != TSTREAM_ID_EXPLICIT ? &id : NULL);
}

/* ---- XTRIM XDEL XLEN ------------------------------------------------------- */

static void xtrim_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct trim_opts o;
    struct kv_entry *e;
    uint64_t deleted;

    if (!trim_opts_or_reply(c, false, &o) || !db_write_typed_or_reply(c, key, KV_STREAM, &e))
        return;
    if (!e) {
        reply_int(&c->out, 0);
        return;
    }
    deleted = tstream_trim(stream_of(e), &o.t);
    if (deleted) {
        coll_touched(c, key, NOTIFY_STREAM, "xtrim", (long long)deleted);
        if (o.t.approx)
            record_effect(c, &o, stream_of(e), NULL);
    }
    reply_int(&c->out, (long long)deleted);
}

static void xdel_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    int n = c->argc - 2;
    struct tstream_id local[16], *ids;
    struct kv_entry *e;
    struct tstream *s;
    long long deleted = 0;

    if (!db_write_typed_or_reply(c, key, KV_STREAM, &e))
        return;
    if (!e) {
        reply_int(&c->out, 0);
        return;
    }
    ids = n <= 16 ? local : kv_xmalloc(sizeof(*ids) * (size_t)n);
    for (int i = 0; i < n; i++)
        if (!id_or_reply(c, &c->argv[2 + i], TSTREAM_ID_STRICT, 0, &ids[i], NULL))
            goto out;
    s = stream_of(e);
    for (int i = 0; i < n; i++)
        deleted += tstream_delete(s, &ids[i]);
    if (deleted)
        coll_touched(c, key, NOTIFY_STREAM, "xdel", deleted);
    reply_int(&c->out, deleted);
out:
    if (ids != local)
        free(ids);
}

static void xlen_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_STREAM, &e))
        reply_int(&c->out, e ? (long long)tstream_length(stream_of(e)) : 0);
}

/* ---- XRANGE / XREVRANGE -------------------------------------------------------- */

/* A range bound: an ID, "-" / "+", or "(" and an ID (exclusive). */
static bool bound_or_reply(struct client *c, const struct resp_arg *a, uint64_t missing_seq, struct tstream_id *id,
                           bool *exclusive)
{
    *exclusive = a->len > 1 && a->ptr[0] == '(';
    if (*exclusive)
        return id_or_reply(c, &(struct resp_arg){ a->ptr + 1, a->len - 1 }, TSTREAM_ID_STRICT, missing_seq, id,
                           NULL);
    return id_or_reply(c, a, TSTREAM_ID_RANGE, missing_seq, id, NULL);
}

static void range_generic(struct client *c, bool rev)
{
    struct tstream_id start, end;
    bool ex;
    long long count = -1;
    struct kv_entry *e;

    if (!bound_or_reply(c, &c->argv[rev ? 3 : 2], 0, &start, &ex))
        return;
    if (ex && !tstream_id_incr(&start)) {
        reply_error(&c->out, "ERR invalid start ID for the interval");
        return;
    }
    if (!bound_or_reply(c, &c->argv[rev ? 2 : 3], UINT64_MAX, &end, &ex))
        return;
    if (ex && !tstream_id_decr(&end)) {
        reply_error(&c->out, "ERR invalid end ID for the interval");
        return;
    }
    for (int j = 4; j < c->argc; j++) {
        if (!arg_opt_is(&c->argv[j], "count") || j + 1 >= c->argc) {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
        if (!arg_ll_or_reply(c, &c->argv[++j], &count))
            return;
        if (count < 0)
            count = 0;
    }
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_STREAM, &e))
        return;
    if (!e)
        reply_array(&c->out, 0);
    else if (count == 0)
        reply_null_array(&c->out);
    else
        reply_range(c, stream_of(e), &start, &end, count < 0 ? 0 : count, rev);
}

static void xrange_cmd(struct client *c) { range_generic(c, false); }
static void xrevrange_cmd(struct client *c) { range_generic(c, true); }

/* ---- XREAD -------------------------------------------------------------------- */

struct xread_args {
    long long count;
    bool block;
    int64_t deadline;
    int keys_at, n;            /* the streams: argv[keys_at .. keys_at + n) */
};

static bool xread_opts_or_reply(struct client *c, struct xread_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < c->argc; i++) {
        const struct resp_arg *o = &c->argv[i];
        int more = c->argc - i - 1;
        if (arg_opt_is(o, "block") && more) {
            if (c->flags & CF_SCRIPT) {   /* a script cannot wait: refused, as by Redis */
                reply_errorf(&c->out, "ERR %.*s command is not allowed with BLOCK option from scripts",
                             (int)c->argv[0].len, c->argv[0].ptr);
                return false;
            }
            if (!block_timeout_or_reply(c, &c->argv[++i], true, &a->deadline))
                return false;
            a->block = true;
        } else if (arg_opt_is(o, "count") && more) {
            if (!arg_ll_or_reply(c, &c->argv[++i], &a->count))
                return false;
            if (a->count < 0)
                a->count = 0;
        } else if (arg_opt_is(o, "streams") && more) {
            a->keys_at = i + 1;
            a->n = c->argc - a->keys_at;
            if (a->n % 2 != 0) {
                reply_error(&c->out, "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' "
                                     "must be specified.");
                return false;
            }
            a->n /= 2;
            return true;
        } else if (arg_opt_is(o, "group") && more >= 2) {
            reply_error(&c->out, "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
            return false;
        } else if (arg_opt_is(o, "noack")) {
            reply_error(&c->out, "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
            return false;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    reply_err(&c->out, RE_SYNTAX);   /* no STREAMS */
    return false;
}

/* The stream at a key, NULL when missing or (while retrying) of another
 * type. */
static struct tstream *xread_lookup(struct client *c, const struct resp_arg *key)
{
    struct kv_entry *e = block_retrying(c) ? db_write(c, key) : db_read(c, key);
    return e && kv_entry_val(e)->type == KV_STREAM ? stream_of(e) : NULL;
}

/* Each stream's ID ("$": the stream's last ID, 0-0 when missing); *dollar[i]
 * tells which were "$". WRONGTYPE and ID errors in argument order. */
static bool xread_ids_or_reply(struct client *c, const struct xread_args *a, struct tstream_id *ids, bool *dollar)
{
    for (int i = 0; i < a->n; i++) {
        const struct resp_arg *key = &c->argv[a->keys_at + i], *arg = &c->argv[a->keys_at + a->n + i];
        struct kv_entry *e = block_retrying(c) ? db_write(c, key) : db_read(c, key);
        bool stream = e && kv_entry_val(e)->type == KV_STREAM;
        if (e && !stream && !block_retrying(c)) {
            reply_err(&c->out, RE_WRONGTYPE);
            return false;
        }
        dollar[i] = cstr_is(arg, "$");
        if (dollar[i]) {
            ids[i] = stream ? tstream_last_id(stream_of(e)) : (struct tstream_id){ 0, 0 };
            continue;
        }
        if (cstr_is(arg, ">")) {
            reply_error(&c->out, "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
                                 "<group> <consumer> option.");
            return false;
        }
        if (!id_or_reply(c, arg, TSTREAM_ID_STRICT, 0, &ids[i], NULL))
            return false;
    }
    return true;
}

/* Whether stream s has something for a client that read up to id: a live
 * entry above it for a direct call, a last generated ID above it for a
 * woken client (Redis 7.0's two tests). */
static bool xread_ready(struct client *c, const struct tstream *s, const struct tstream_id *id)
{
    struct tstream_id last;
    if (block_retrying(c)) {
        last = tstream_last_id(s);
        return tstream_id_cmp(&last, id) > 0;
    }
    return tstream_length(s) > 0 && tstream_last_entry_id(s, &last) && tstream_id_cmp(&last, id) > 0;
}

/* Replies the streams marked in `ready` with their entries above ids[i]. */
static void xread_reply(struct client *c, const struct xread_args *a, struct tstream **ready,
                        const struct tstream_id *ids, int nready, long long count)
{
    const struct tstream_id max = { UINT64_MAX, UINT64_MAX };
    if (c->out.proto == 3)
        reply_map(&c->out, nready);
    else
        reply_array(&c->out, nready);
    for (int i = 0; i < a->n; i++) {
        struct tstream_id start = ids[i];
        const struct resp_arg *key = &c->argv[a->keys_at + i];
        if (!ready[i])
            continue;
        if (c->out.proto != 3)
            reply_array(&c->out, 2);
        reply_bulk(&c->out, key->ptr, key->len);
        tstream_id_incr(&start);
        reply_range(c, ready[i], &start, &max, count, false);
    }
}

/* Whether stream i's key already appeared before it in the list. */
static bool repeated_key(const struct client *c, const struct xread_args *a, int i)
{
    const struct resp_arg *k = &c->argv[a->keys_at + i];
    for (int j = 0; j < i; j++) {
        const struct resp_arg *o = &c->argv[a->keys_at + j];
        if (o->len == k->len && memcmp(o->ptr, k->ptr, k->len) == 0)
            return true;
    }
    return false;
}

/* Parks the client until one of its streams gets an entry, with each "$"
 * replaced by the ID it stood for (block_wait copies the arguments). */
static void xread_wait(struct client *c, const struct xread_args *a, const struct tstream_id *ids, const bool *dollar)
{
    struct resp_arg *args = &c->argv[a->keys_at + a->n], *saved = kv_xmalloc(sizeof(*saved) * (size_t)a->n);
    char *buf = kv_xmalloc((size_t)a->n * TSTREAM_ID_STRSIZE);
    struct block_spec spec = { c->db, &c->argv[a->keys_at], a->n, a->deadline, false };
    for (int i = 0; i < a->n; i++) {
        saved[i] = args[i];
        if (dollar[i]) {
            char *p = buf + (size_t)i * TSTREAM_ID_STRSIZE;
            args[i] = (struct resp_arg){ p, tstream_id_format(p, &ids[i]) };
        }
    }
    block_wait(c, &spec);
    memcpy(args, saved, sizeof(*saved) * (size_t)a->n);
    free(saved);
    free(buf);
}

/* A woken XREAD answers with the stream whose write woke it when that one
 * has new entries; returns 1 then (ready[i] set), else 0. */
static int xread_woken_key(struct client *c, const struct xread_args *a, const struct tstream_id *ids,
                           struct tstream **ready)
{
    const char *key;
    size_t klen;
    if (!block_woken_by(c, &key, &klen))
        return 0;
    for (int i = 0; i < a->n; i++) {
        const struct resp_arg *k = &c->argv[a->keys_at + i];
        struct tstream *s;
        if (k->len != klen || memcmp(k->ptr, key, klen) != 0 || repeated_key(c, a, i))
            continue;
        s = xread_lookup(c, k);
        if (s && xread_ready(c, s, &ids[i])) {
            ready[i] = s;
            return 1;
        }
        return 0;
    }
    return 0;
}

static void xread_cmd(struct client *c)
{
    struct xread_args a;
    struct tstream_id *ids;
    struct tstream **ready;
    bool *dollar;
    int nready = 0;
    bool woken = block_retrying(c);

    if (!xread_opts_or_reply(c, &a))
        return;
    ids = kv_xmalloc(sizeof(*ids) * (size_t)a.n);
    ready = kv_xcalloc((size_t)a.n, sizeof(*ready));
    dollar = kv_xmalloc((size_t)a.n);
    if (!xread_ids_or_reply(c, &a, ids, dollar))
        goto out;
    if (woken)   /* the stream whose write woke us first, as Redis serves it */
        nready = xread_woken_key(c, &a, ids, ready);
    for (int i = 0; i < a.n && !(woken && nready); i++) {
        struct tstream *s;
        if (woken && repeated_key(c, &a, i))
            continue;          /* a blocked client waits with a key's first ID */
        s = xread_lookup(c, &c->argv[a.keys_at + i]);
        if (s && xread_ready(c, s, &ids[i])) {
            ready[i] = s;
            nready++;
        }
    }
    if (nready)
        xread_reply(c, &a, ready, ids, nready, woken && a.count == 0 ? BLOCKED_DEFAULT_COUNT : a.count);
    else if (a.block)
        xread_wait(c, &a, ids, dollar);
    else
        reply_null_array(&c->out);
out:
    free(ids);
    free(ready);
    free(dollar);
}

/* ---- command table ------------------------------------------------------------- */

#define W CMD_WRITE
#define R CMD_READONLY
#define M CMD_DENYOOM
#define F CMD_FAST
#define X_R (ACL_READ | ACL_STREAM)
#define X_W (ACL_WRITE | ACL_STREAM)

static const struct cmd_def stream_cmds[] = {
    { "xadd", xadd_cmd, -5, W | M | F, X_W | ACL_FAST, 1, 1, 1, "Appends a new entry to a stream", NULL },
    { "xlen", xlen_cmd, 2, R | F, X_R | ACL_FAST, 1, 1, 1, "Return the number of entries in a stream", NULL },
    { "xrange", xrange_cmd, -4, R, X_R | ACL_SLOW, 1, 1, 1,
      "Return a range of elements in a stream, with IDs matching the specified IDs interval", NULL },
    { "xrevrange", xrevrange_cmd, -4, R, X_R | ACL_SLOW, 1, 1, 1,
      "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order "
      "(from greater to smaller IDs) compared to XRANGE",
      NULL },
    { "xdel", xdel_cmd, -3, W | F, X_W | ACL_FAST, 1, 1, 1,
      "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be "
      "different from the number of IDs passed in case certain IDs do not exist.",
      NULL },
    { "xtrim", xtrim_cmd, -4, W, X_W | ACL_SLOW, 1, 1, 1,
      "Trims the stream to (approximately if '~' is passed) a certain size", NULL },
    { "xread", xread_cmd, -4, R | CMD_BLOCKING | CMD_MOVABLE_KEYS, X_R | ACL_SLOW | ACL_BLOCKING, 0, 0, 0,
      "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for "
      "each stream. Can block.",
      NULL },
};

#undef W
#undef R
#undef M
#undef F
#undef X_R
#undef X_W

const struct cmd_group cmd_group_stream = CMD_GROUP("stream", stream_cmds);
