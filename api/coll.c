/*
 * coll: the workers shared by the collection command files (see coll.h).
 *
 * Nothing here knows a collection's layout: values are handed to the
 * type's callbacks as the kv_obj's opaque pointer. A scan copies the
 * strings a step reports into one arena (a set's intset members and a
 * zset's scores are formatted into temporary buffers), then filters them
 * and replies with the exact length.
 */
#include "api/coll.h"
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/scan.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/kv.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void coll_touched(struct client *c, const struct resp_arg *key, int cls, const char *event, long long dirty)
{
    kv_changed(c->srv->ks, c->db, key->ptr, key->len);
    kv_notify(c->srv->ks, cls, event, c->db, key->ptr, key->len);
    if (dirty)
        cmd_dirty(c, dirty);
}

void coll_delete_emptied(struct client *c, const struct resp_arg *key)
{
    kv_delete(c->srv->ks, c->db, key->ptr, key->len);
    kv_changed(c->srv->ks, c->db, key->ptr, key->len);
    kv_notify(c->srv->ks, NOTIFY_GENERIC, "del", c->db, key->ptr, key->len);
}

bool coll_clip_range(long long start, long long end, long long len, long long *first, long long *last)
{
    if (start < 0)
        start += len;
    if (end < 0)
        end += len;
    if (start < 0)
        start = 0;
    if (start > end || start >= len)
        return false;
    *first = start;
    *last = end >= len ? len - 1 : end;
    return true;
}

/* ---- blocking and multi-key pops ------------------------------------------ */

int coll_first_ready_or_reply(struct client *c, const struct resp_arg *keys, int n, int type, void **val)
{
    for (int j = 0; j < n; j++) {
        struct kv_entry *e = db_write(c, &keys[j]);
        if (!e)
            continue;
        if (kv_entry_val(e)->type == type) {
            *val = kv_entry_val(e)->v.ptr;
            return j;
        }
        if (!block_retrying(c)) {
            reply_err(&c->out, RE_WRONGTYPE);
            return -2;
        }
    }
    return -1;
}

void coll_wait(struct client *c, const struct resp_arg *keys, int n, int64_t deadline)
{
    struct block_spec spec = { c->db, keys, n, deadline, false };
    block_wait(c, &spec);
}

/* Redis' blocking sorted-set pops look the key up once more in the pop
 * itself (one access more in LFU mode); its blocking list pops do not. */
static void blocking_relookup(struct client *c, const struct resp_arg *key, int type)
{
    if (type == KV_ZSET)
        db_write(c, key);
}

void coll_bpop(struct client *c, int type, int end, coll_serve_fn serve)
{
    const struct resp_arg *keys = &c->argv[1];
    int64_t deadline;
    void *val;
    int j;
    if (!block_timeout_or_reply(c, &c->argv[c->argc - 1], false, &deadline))
        return;
    j = coll_first_ready_or_reply(c, keys, c->argc - 2, type, &val);
    if (j >= 0) {
        blocking_relookup(c, &keys[j], type);
        serve(c, &keys[j], val, end, -1);
    } else if (j == -1) {
        coll_wait(c, keys, c->argc - 2, deadline);
    }
}

/* The arguments of an *MPOP after its optional timeout. */
struct mpop_args {
    long long numkeys, count;
    int end;
};

static bool mpop_args_or_reply(struct client *c, int numkeys_idx, const char *end0, const char *end1,
                               struct mpop_args *a)
{
    int end_idx;
    a->count = -1;
    if (!arg_numkeys_or_reply(c, numkeys_idx, 1, RE_SYNTAX, &a->numkeys))
        return false;
    end_idx = numkeys_idx + (int)a->numkeys + 1;
    if (arg_opt_is(&c->argv[end_idx], end0)) {
        a->end = 0;
    } else if (arg_opt_is(&c->argv[end_idx], end1)) {
        a->end = 1;
    } else {
        reply_err(&c->out, RE_SYNTAX);
        return false;
    }
    for (int j = end_idx + 1; j < c->argc; j++) {
        if (a->count != -1 || !arg_opt_is(&c->argv[j], "count") || j + 1 >= c->argc) {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
        if (!arg_ll_range_or_reply(c, &c->argv[++j], 1, LLONG_MAX, &a->count, reply_err_text(RE_COUNT_POSITIVE)))
            return false;
    }
    if (a->count == -1)
        a->count = 1;
    return true;
}

void coll_mpop(struct client *c, bool blocking, int type, const char *end0, const char *end1, coll_serve_fn serve)
{
    int numkeys_idx = blocking ? 2 : 1, j;
    const struct resp_arg *keys = &c->argv[numkeys_idx + 1];
    struct mpop_args a;
    int64_t deadline = 0;
    void *val;
    if (!mpop_args_or_reply(c, numkeys_idx, end0, end1, &a))
        return;
    if (blocking && !block_timeout_or_reply(c, &c->argv[1], false, &deadline))
        return;
    j = coll_first_ready_or_reply(c, keys, (int)a.numkeys, type, &val);
    if (j >= 0) {
        if (blocking)
            blocking_relookup(c, &keys[j], type);
        serve(c, &keys[j], val, a.end, a.count);
    } else if (j == -1 && blocking) {
        coll_wait(c, keys, (int)a.numkeys, deadline);
    } else if (j == -1) {
        reply_null_array(&c->out);
    }
}

/* ---- SSCAN HSCAN ZSCAN --------------------------------------------------------- */

void coll_strs_push(struct coll_strs *s, const char *p, size_t len)
{
    if (!s->bytes || s->used + len > s->cap) {
        s->cap = (s->used + len) * 2 + 64;
        s->bytes = kv_xrealloc(s->bytes, s->cap);
    }
    if (s->n == s->ncap) {
        s->ncap = s->ncap * 2 + 16;
        s->lens = kv_xrealloc(s->lens, s->ncap * sizeof(*s->lens));
    }
    if (len)
        memcpy(s->bytes + s->used, p, len);
    s->used += len;
    s->lens[s->n++] = len;
}

/* [cursor, [strings of the elements MATCH keeps]]. */
static void reply_scan(struct client *c, uint64_t cursor, const struct coll_strs *s, size_t group,
                       const struct resp_arg *pat)
{
    size_t elems = s->n / group, kept = 0, off = 0;
    bool *keep = kv_xmalloc(elems ? elems : 1);
    for (size_t i = 0; i < elems; i++) {
        keep[i] = !pat || glob_match(pat->ptr, pat->len, s->bytes + off, s->lens[i * group], false);
        kept += keep[i];
        for (size_t k = 0; k < group; k++)
            off += s->lens[i * group + k];
    }
    reply_array(&c->out, 2);
    reply_bulk_ll(&c->out, (long long)cursor);
    reply_array(&c->out, (long long)(kept * group));
    off = 0;
    for (size_t i = 0; i < elems * group; i++) {
        if (keep[i / group])
            reply_bulk(&c->out, s->bytes + off, s->lens[i]);
        off += s->lens[i];
    }
    free(keep);
}

void coll_scan(struct client *c, int type, size_t group, coll_scan_fn step)
{
    struct coll_strs s = { 0 };
    struct scan_opts o;
    struct kv_entry *e;
    uint64_t cursor, maxiter;
    void *val;

    if (!scan_cursor_or_reply(c, &c->argv[2], &cursor) || !db_read_typed_or_reply(c, &c->argv[1], type, &e))
        return;
    if (!e) {
        reply_array(&c->out, 2);
        reply_bulk_cstr(&c->out, "0");
        reply_array(&c->out, 0);
        return;
    }
    if (!scan_opts_or_reply(c, 3, false, &o))
        return;
    val = kv_entry_val(e)->v.ptr;
    maxiter = (uint64_t)o.count * 10;
    do {
        cursor = step(val, cursor, &s);
    } while (cursor && maxiter-- && s.n < (uint64_t)o.count);
    reply_scan(c, cursor, &s, group, o.pat);
    free(s.bytes);
    free(s.lens);
}
