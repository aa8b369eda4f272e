/*
 * cmd_list: the list commands of Redis 7.0 - LPUSH RPUSH LPUSHX RPUSHX LPOP
 * RPOP LLEN LINDEX LINSERT LSET LRANGE LREM LTRIM LPOS RPOPLPUSH LMOVE LMPOP
 * and the blocking BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP - over the quicklist
 * of engine/t_list.h (node fill: each list's own, list-max-listpack-size when
 * it was created, as Redis' quicklists keep theirs).
 *
 * Behaviour is Redis 7.0.15's, checked against the real server: the order
 * in which arguments and keys are validated (e.g. LINDEX looks the key up
 * before parsing the index, LRANGE after), error texts, RESP2/RESP3 null
 * forms, keyspace events and the effect propagated:
 *   - events: the command's ("lpush", "rpop", "linsert", "lset", "lrem",
 *     "ltrim" even when nothing was trimmed), then "del" when the list was
 *     emptied (an empty list never stays in the keyspace); a move raises the
 *     push on the destination first, then the pop on the source, then "del";
 *   - dirty counts as Redis: elements pushed / popped / removed, 1 per move;
 *     the "del" of an emptied list adds nothing;
 *   - effects: LMPOP and BLMPOP -> LPOP|RPOP key <number popped>; BLPOP and
 *     BRPOP -> LPOP|RPOP key; BRPOPLPUSH -> RPOPLPUSH; BLMOVE -> LMOVE with
 *     lower-case directions; everything else as received.
 *
 * Blocking (api/block.h): a blocking handler parses its arguments and
 * timeout, serves at once when one of its keys has data, and otherwise
 * parks the client with block_wait(); BLPOP BRPOP LMPOP BLMPOP are the
 * shared workers of api/coll.h (coll_bpop, coll_mpop) with serve_pop. When
 * the client's command runs again (block_retrying), a source key of another
 * type counts as empty, as Redis 7.0 leaves such clients blocked; a
 * destination of another type is still WRONGTYPE. Every timeout reply is a
 * null array, BRPOPLPUSH and BLMOVE included (Redis 7.0 answers *-1 at their
 * deadline), but inside MULTI or a script those two reply a null bulk, so
 * they check block_allowed first.
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
#include "engine/numfmt.h"
#include "engine/t_list.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------ */

static struct tlist *list_of(struct kv_entry *e) { return kv_entry_val(e)->v.ptr; }

static const char *push_event(enum tlist_end where) { return where == TLIST_HEAD ? "lpush" : "rpush"; }
static const char *pop_event(enum tlist_end where) { return where == TLIST_HEAD ? "lpop" : "rpop"; }

/* A list key changed: hooks, its event, and `dirty` changes counted (Redis
 * adds what was pushed/popped/removed; 0 still notifies, as LTRIM does). */
static void touched(struct client *c, const struct resp_arg *key, const char *event, long long dirty)
{
    coll_touched(c, key, NOTIFY_LIST, event, dirty);
}

/* Elements left the list at key: touched(), then "del" if it is empty. */
static void shrunk(struct client *c, const struct resp_arg *key, const char *event, long long dirty)
{
    struct kv_entry *e;
    touched(c, key, event, dirty);
    e = db_peek(c, key);
    if (e && tlist_len(list_of(e)) == 0)
        coll_delete_emptied(c, key);
}

/* The list at key, created empty when absent (raising "new"). */
static struct tlist *list_create_or_get(struct client *c, const struct resp_arg *key, struct kv_entry *e)
{
    if (!e) {
        struct tlist *l = tlist_create();
        tlist_set_fill(l, config_values(c->srv->cfg)->list_max_listpack_size);
        e = kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_obj_wrap(KV_LIST, l));
    }
    return list_of(e);
}

/* LEFT or RIGHT, compared as Redis does (C string, any case). */
static bool where_or_reply(struct client *c, const struct resp_arg *a, enum tlist_end *out)
{
    if (arg_opt_is(a, "left"))
        *out = TLIST_HEAD;
    else if (arg_opt_is(a, "right"))
        *out = TLIST_TAIL;
    else {
        reply_err(&c->out, RE_SYNTAX);
        return false;
    }
    return true;
}

/* ---- push and pop ------------------------------------------------------------ */

/* LPUSH RPUSH LPUSHX RPUSHX. */
static void push_generic(struct client *c, enum tlist_end where, bool only_existing)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    if (!db_write_typed_or_reply(c, key, KV_LIST, &e))
        return;
    if (!e && only_existing) {
        reply_int(&c->out, 0);
        return;
    }
    struct tlist *l = list_create_or_get(c, key, e);
    for (int j = 2; j < c->argc; j++)
        tlist_push(l, where, c->argv[j].ptr, c->argv[j].len, tlist_fill(l));
    reply_int(&c->out, (long long)tlist_len(l));
    touched(c, key, push_event(where), c->argc - 2);
}

static void lpush_cmd(struct client *c) { push_generic(c, TLIST_HEAD, false); }
static void rpush_cmd(struct client *c) { push_generic(c, TLIST_TAIL, false); }
static void lpushx_cmd(struct client *c) { push_generic(c, TLIST_HEAD, true); }
static void rpushx_cmd(struct client *c) { push_generic(c, TLIST_TAIL, true); }

/* Pops from l, the non-empty list at key, and replies: one bulk when
 * count < 0, else an array of up to count elements. Raises the pop event and
 * deletes an emptied list. Returns how many were popped. */
static long long pop_reply(struct client *c, const struct resp_arg *key, struct tlist *l, enum tlist_end where,
                           long long count)
{
    long long n = count < 0 ? 1 : count;
    if ((unsigned long long)n > tlist_len(l))
        n = (long long)tlist_len(l);
    if (count >= 0)
        reply_array(&c->out, n);
    for (long long i = 0; i < n; i++) {
        const char *s;
        size_t len;
        tlist_peek(l, where, &s, &len);
        reply_bulk(&c->out, s, len);
        tlist_pop(l, where, tlist_fill(l));
    }
    shrunk(c, key, pop_event(where), n);
    return n;
}

/* The effect "LPOP|RPOP key [n]" of the blocking pops and LMPOP. */
static void effect_pop(struct client *c, const struct resp_arg *key, enum tlist_end where, long long n)
{
    char num[NF_LL_BUFSIZE];
    struct resp_arg argv[3] = {
        { where == TLIST_HEAD ? "LPOP" : "RPOP", 4 }, *key, { num, (size_t)nf_ll2str(num, sizeof(num), n) },
    };
    cmd_effect(c, n < 0 ? 2 : 3, argv);
}

/* LPOP / RPOP key [count]. */
static void pop_generic(struct client *c, enum tlist_end where)
{
    const struct resp_arg *key = &c->argv[1];
    long long count = -1;
    struct kv_entry *e;
    if (c->argc > 3) {
        cmd_wrong_arity(c, c->cmd->name);
        return;
    }
    if (c->argc == 3 && !arg_nonneg_or_reply(c, &c->argv[2], RE_NOT_POSITIVE, &count))
        return;
    if (!db_write_typed_or_reply(c, key, KV_LIST, &e))
        return;
    if (!e) {
        if (count >= 0)
            reply_null_array(&c->out);
        else
            reply_null(&c->out);
    } else if (count == 0) {
        reply_array(&c->out, 0);
    } else {
        pop_reply(c, key, list_of(e), where, count);
    }
}

static void lpop_cmd(struct client *c) { pop_generic(c, TLIST_HEAD); }
static void rpop_cmd(struct client *c) { pop_generic(c, TLIST_TAIL); }

/* coll_serve_fn of the blocking and multi-key pops: BLPOP / BRPOP (count
 * < 0: [key, element], propagated as LPOP|RPOP key) and LMPOP / BLMPOP
 * ([key, [elements]], propagated as LPOP|RPOP key <number popped>). */
static void serve_pop(struct client *c, const struct resp_arg *key, void *l, int end, long long count)
{
    enum tlist_end where = end ? TLIST_TAIL : TLIST_HEAD;
    long long n;
    reply_array(&c->out, 2);
    reply_bulk(&c->out, key->ptr, key->len);
    n = pop_reply(c, key, l, where, count);
    effect_pop(c, key, where, count < 0 ? -1 : n);
}

/* BLPOP / BRPOP key [key ...] timeout; LMPOP numkeys key [key ...]
 * LEFT|RIGHT [COUNT count], and BLMPOP with a timeout before numkeys. */
static void blpop_cmd(struct client *c) { coll_bpop(c, KV_LIST, TLIST_HEAD, serve_pop); }
static void brpop_cmd(struct client *c) { coll_bpop(c, KV_LIST, TLIST_TAIL, serve_pop); }
static void lmpop_cmd(struct client *c) { coll_mpop(c, false, KV_LIST, "left", "right", serve_pop); }
static void blmpop_cmd(struct client *c) { coll_mpop(c, true, KV_LIST, "left", "right", serve_pop); }

/* ---- moves --------------------------------------------------------------------- */

/* Whether a move from src to dst can be served: 1 yes (src has data, dst is
 * absent or a list), 0 nothing to serve, -1 WRONGTYPE replied. Redis'
 * blocking forms look a ready source up once more (an access in LFU mode). */
static int move_ready_or_reply(struct client *c, const struct resp_arg *src, const struct resp_arg *dst,
                               bool blocking)
{
    struct kv_entry *d;
    void *l;
    int ready = coll_first_ready_or_reply(c, src, 1, KV_LIST, &l);
    if (ready < 0)
        return ready == -1 ? 0 : -1;
    if (blocking)
        db_write(c, src);
    if (!db_write_typed_or_reply(c, dst, KV_LIST, &d))
        return -1;
    return 1;
}

/* Moves one element from the (non-empty) list at src to dst and replies it.
 * Redis' order: push event on dst, the reply, pop event on src, then "del"
 * of src (a RESP3 client subscribed to its own events sees that order). */
static void move_reply(struct client *c, const struct resp_arg *src, const struct resp_arg *dst,
                       enum tlist_end from, enum tlist_end to)
{
    struct tlist *sl = list_of(db_peek(c, src));
    struct tlist *dl;
    const char *s;
    size_t len;
    tlist_peek(sl, from, &s, &len);
    char *v = kv_xmalloc(len ? len : 1);   /* src may be dst: copy before pushing */
    memcpy(v, s, len);
    tlist_pop(sl, from, tlist_fill(sl));
    dl = list_create_or_get(c, dst, db_peek(c, dst));
    tlist_push(dl, to, v, len, tlist_fill(dl));
    touched(c, dst, push_event(to), 1);
    reply_bulk(&c->out, v, len);
    shrunk(c, src, pop_event(from), 0);
    free(v);
}

static struct resp_arg end_word(enum tlist_end e)
{
    return e == TLIST_HEAD ? (struct resp_arg){ "left", 4 } : (struct resp_arg){ "right", 5 };
}

/* The effect of a served BRPOPLPUSH (RPOPLPUSH src dst) or BLMOVE (LMOVE
 * src dst from to). */
static void effect_move(struct client *c, bool rpoplpush, enum tlist_end from, enum tlist_end to)
{
    struct resp_arg argv[5] = { { "LMOVE", 5 }, c->argv[1], c->argv[2], end_word(from), end_word(to) };
    if (rpoplpush)
        argv[0] = (struct resp_arg){ "RPOPLPUSH", 9 };
    cmd_effect(c, rpoplpush ? 3 : 5, argv);
}

/* The shared body of RPOPLPUSH LMOVE BRPOPLPUSH BLMOVE once the directions
 * are parsed; `timeout` is NULL for the non-blocking forms. */
static void move_generic(struct client *c, enum tlist_end from, enum tlist_end to, const struct resp_arg *timeout)
{
    const struct resp_arg *src = &c->argv[1], *dst = &c->argv[2];
    int64_t deadline = 0;
    if (timeout && !block_timeout_or_reply(c, timeout, false, &deadline))
        return;
    int ready = move_ready_or_reply(c, src, dst, timeout != NULL);
    if (ready < 0)
        return;
    if (ready > 0) {
        move_reply(c, src, dst, from, to);
        if (timeout)
            effect_move(c, c->argc == 4, from, to);
    } else if (!timeout || !block_allowed(c)) {
        reply_null(&c->out);   /* Redis 7.0: null bulk in MULTI, null array at a deadline */
    } else {
        coll_wait(c, src, 1, deadline);
    }
}

static void rpoplpush_cmd(struct client *c) { move_generic(c, TLIST_TAIL, TLIST_HEAD, NULL); }
static void brpoplpush_cmd(struct client *c) { move_generic(c, TLIST_TAIL, TLIST_HEAD, &c->argv[3]); }

static void lmove_generic(struct client *c, const struct resp_arg *timeout)
{
    enum tlist_end from, to;
    if (where_or_reply(c, &c->argv[3], &from) && where_or_reply(c, &c->argv[4], &to))
        move_generic(c, from, to, timeout);
}

static void lmove_cmd(struct client *c) { lmove_generic(c, NULL); }
static void blmove_cmd(struct client *c) { lmove_generic(c, &c->argv[5]); }

/* ---- reads ------------------------------------------------------------------------ */

static void llen_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_LIST, &e))
        reply_int(&c->out, e ? (long long)tlist_len(list_of(e)) : 0);
}

static void lindex_cmd(struct client *c)
{
    struct kv_entry *e;
    long long index;
    const char *s;
    size_t len;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_LIST, &e))
        return;
    if (!e) {
        reply_null(&c->out);
        return;
    }
    if (!arg_ll_or_reply(c, &c->argv[2], &index))
        return;
    if (tlist_index(list_of(e), index, &s, &len))
        reply_bulk(&c->out, s, len);
    else
        reply_null(&c->out);
}

static void lrange_cmd(struct client *c)
{
    long long start, end, first, last;
    struct kv_entry *e;
    struct tlist_iter it;
    const char *s;
    size_t len;
    if (!arg_ll_or_reply(c, &c->argv[2], &start) || !arg_ll_or_reply(c, &c->argv[3], &end) ||
        !db_read_typed_or_reply(c, &c->argv[1], KV_LIST, &e))
        return;
    if (!e || !coll_clip_range(start, end, (long long)tlist_len(list_of(e)), &first, &last)) {
        reply_array(&c->out, 0);
        return;
    }
    reply_array(&c->out, last - first + 1);
    tlist_iter_init(&it, list_of(e), first, true);
    for (long long i = first; i <= last && tlist_iter_next(&it, &s, &len); i++)
        reply_bulk(&c->out, s, len);
}

struct lpos_opts {
    long long rank, count, maxlen;
    bool has_count;
};

/* LPOS options, checked left to right as Redis does. */
static bool lpos_opts_or_reply(struct client *c, struct lpos_opts *o)
{
    *o = (struct lpos_opts){ 1, 0, 0, false };
    for (int j = 3; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j], *v = j + 1 < c->argc ? &c->argv[j + 1] : NULL;
        if (v && arg_opt_is(a, "rank")) {
            if (!arg_ll_or_reply(c, v, &o->rank))
                return false;
            if (o->rank == 0) {
                reply_error(&c->out, "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                                     "second ... or use negative to start from the end of the list");
                return false;
            }
        } else if (v && arg_opt_is(a, "count")) {
            if (!arg_ll_range_or_reply(c, v, 0, LLONG_MAX, &o->count, "ERR COUNT can't be negative"))
                return false;
            o->has_count = true;
        } else if (v && arg_opt_is(a, "maxlen")) {
            if (!arg_ll_range_or_reply(c, v, 0, LLONG_MAX, &o->maxlen, "ERR MAXLEN can't be negative"))
                return false;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
        j++;
    }
    /* Redis 7.0.15 negates LLONG_MIN into itself: every match qualifies,
     * from the tail - the same as RANK -1. */
    if (o->rank == LLONG_MIN)
        o->rank = -1;
    return true;
}

/* Walks the list for LPOS, replying the matching indexes (all of them up to
 * count when COUNT was given, else the first or null). */
static void lpos_reply(struct client *c, const struct tlist *l, const struct resp_arg *elem,
                       const struct lpos_opts *o)
{
    bool forward = o->rank > 0;
    long long skip = (forward ? o->rank : -o->rank) - 1, found = 0, n = (long long)tlist_len(l);
    void *slot = o->has_count ? reply_defer(&c->out) : NULL;
    struct tlist_iter it;
    const char *s;
    size_t len;
    tlist_iter_init(&it, l, forward ? 0 : -1, forward);
    for (long long i = 0; (o->maxlen == 0 || i < o->maxlen) && tlist_iter_next(&it, &s, &len); i++) {
        if (len != elem->len || memcmp(s, elem->ptr, len) != 0 || skip-- > 0)
            continue;
        reply_int(&c->out, forward ? i : n - 1 - i);
        found++;
        if (!o->has_count || (o->count && found == o->count))
            break;
    }
    if (slot)
        reply_set_array(&c->out, slot, found);
    else if (!found)
        reply_null(&c->out);
}

static void lpos_cmd(struct client *c)
{
    struct lpos_opts o;
    struct kv_entry *e;
    if (!lpos_opts_or_reply(c, &o) || !db_read_typed_or_reply(c, &c->argv[1], KV_LIST, &e))
        return;
    if (e)
        lpos_reply(c, list_of(e), &c->argv[2], &o);
    else if (o.has_count)
        reply_array(&c->out, 0);
    else
        reply_null(&c->out);
}

/* ---- in-place writes -------------------------------------------------------------- */

static void linsert_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1], *pivot = &c->argv[3], *val = &c->argv[4];
    struct kv_entry *e;
    bool after;
    if (arg_opt_is(&c->argv[2], "after"))
        after = true;
    else if (arg_opt_is(&c->argv[2], "before"))
        after = false;
    else {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (!db_write_typed_or_reply(c, key, KV_LIST, &e))
        return;
    if (!e) {
        reply_int(&c->out, 0);
        return;
    }
    struct tlist *l = list_of(e);
    if (!tlist_insert(l, pivot->ptr, pivot->len, after, val->ptr, val->len, tlist_fill(l))) {
        reply_int(&c->out, -1);
        return;
    }
    touched(c, key, "linsert", 1);   /* before the reply, as Redis */
    reply_int(&c->out, (long long)tlist_len(l));
}

static void lset_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1], *val = &c->argv[3];
    struct kv_entry *e;
    long long index;
    if (!db_write_typed_or_reply(c, key, KV_LIST, &e))
        return;
    if (!e) {
        reply_err(&c->out, RE_NO_SUCH_KEY);
        return;
    }
    if (!arg_ll_or_reply(c, &c->argv[2], &index))
        return;
    if (!tlist_set(list_of(e), index, val->ptr, val->len, tlist_fill(list_of(e)))) {
        reply_err(&c->out, RE_INDEX_RANGE);
        return;
    }
    reply_ok(&c->out);
    touched(c, key, "lset", 1);
}

static void lrem_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1], *val = &c->argv[3];
    struct kv_entry *e;
    long long count;
    size_t removed;
    if (!arg_ll_or_reply(c, &c->argv[2], &count) || !db_write_typed_or_reply(c, key, KV_LIST, &e))
        return;
    removed = e ? tlist_remove(list_of(e), val->ptr, val->len, count, tlist_fill(list_of(e))) : 0;
    if (removed)   /* "lrem" (and "del") before the reply, as Redis */
        shrunk(c, key, "lrem", (long long)removed);
    reply_int(&c->out, (long long)removed);
}

static void ltrim_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    long long start, end, first, last, len;
    size_t head = 0, tail = 0;
    struct kv_entry *e;
    if (!arg_ll_or_reply(c, &c->argv[2], &start) || !arg_ll_or_reply(c, &c->argv[3], &end) ||
        !db_write_typed_or_reply(c, key, KV_LIST, &e))
        return;
    if (e) {
        struct tlist *l = list_of(e);
        len = (long long)tlist_len(l);
        if (coll_clip_range(start, end, len, &first, &last)) {
            head = (size_t)first;
            tail = (size_t)(len - 1 - last);
        } else {
            head = (size_t)len;
        }
        tlist_delete_range(l, 0, head, tlist_fill(l));
        tlist_delete_range(l, tlist_len(l) - tail, tail, tlist_fill(l));
        shrunk(c, key, "ltrim", (long long)(head + tail));
    }
    reply_ok(&c->out);
}

/* ---- command table ------------------------------------------------------------------ */

#define W CMD_WRITE
#define R CMD_READONLY
#define M CMD_DENYOOM
#define F CMD_FAST
#define BL (CMD_NOSCRIPT | CMD_BLOCKING)
#define LW (ACL_WRITE | ACL_LIST)
#define LR (ACL_READ | ACL_LIST)
#define LB (ACL_WRITE | ACL_LIST | ACL_SLOW | ACL_BLOCKING)

static const struct cmd_def list_cmds[] = {
    { "lpush", lpush_cmd, -3, W | M | F, LW | ACL_FAST, 1, 1, 1, "Prepend one or multiple elements to a list", NULL },
    { "rpush", rpush_cmd, -3, W | M | F, LW | ACL_FAST, 1, 1, 1, "Append one or multiple elements to a list", NULL },
    { "lpushx", lpushx_cmd, -3, W | M | F, LW | ACL_FAST, 1, 1, 1,
      "Prepend an element to a list, only if the list exists", NULL },
    { "rpushx", rpushx_cmd, -3, W | M | F, LW | ACL_FAST, 1, 1, 1,
      "Append an element to a list, only if the list exists", NULL },
    { "lpop", lpop_cmd, -2, W | F, LW | ACL_FAST, 1, 1, 1, "Remove and get the first elements in a list", NULL },
    { "rpop", rpop_cmd, -2, W | F, LW | ACL_FAST, 1, 1, 1, "Remove and get the last elements in a list", NULL },
    { "llen", llen_cmd, 2, R | F, LR | ACL_FAST, 1, 1, 1, "Get the length of a list", NULL },
    { "lindex", lindex_cmd, 3, R, LR | ACL_SLOW, 1, 1, 1, "Get an element from a list by its index", NULL },
    { "linsert", linsert_cmd, 5, W | M, LW | ACL_SLOW, 1, 1, 1,
      "Insert an element before or after another element in a list", NULL },
    { "lset", lset_cmd, 4, W | M, LW | ACL_SLOW, 1, 1, 1, "Set the value of an element in a list by its index",
      NULL },
    { "lrange", lrange_cmd, 4, R, LR | ACL_SLOW, 1, 1, 1, "Get a range of elements from a list", NULL },
    { "lrem", lrem_cmd, 4, W, LW | ACL_SLOW, 1, 1, 1, "Remove elements from a list", NULL },
    { "ltrim", ltrim_cmd, 4, W, LW | ACL_SLOW, 1, 1, 1, "Trim a list to the specified range", NULL },
    { "lpos", lpos_cmd, -3, R, LR | ACL_SLOW, 1, 1, 1, "Return the index of matching elements on a list", NULL },
    { "rpoplpush", rpoplpush_cmd, 3, W | M, LW | ACL_SLOW, 1, 2, 1,
      "Remove the last element in a list, prepend it to another list and return it", NULL },
    { "lmove", lmove_cmd, 5, W | M, LW | ACL_SLOW, 1, 2, 1,
      "Pop an element from a list, push it to another list and return it", NULL },
    { "lmpop", lmpop_cmd, -4, W | CMD_MOVABLE_KEYS, LW | ACL_SLOW, 0, 0, 0, "Pop elements from a list", NULL, 1 },
    { "blpop", blpop_cmd, -3, W | BL, LB, 1, -2, 1,
      "Remove and get the first element in a list, or block until one is available", NULL },
    { "brpop", brpop_cmd, -3, W | BL, LB, 1, -2, 1,
      "Remove and get the last element in a list, or block until one is available", NULL },
    { "brpoplpush", brpoplpush_cmd, 4, W | M | BL, LB, 1, 2, 1,
      "Pop an element from a list, push it to another list and return it; or block until one is available", NULL },
    { "blmove", blmove_cmd, 6, W | M | BL, LB, 1, 2, 1,
      "Pop an element from a list, push it to another list and return it; or block until one is available", NULL },
    { "blmpop", blmpop_cmd, -5, W | CMD_BLOCKING | CMD_MOVABLE_KEYS, LB, 0, 0, 0,
      "Pop elements from a list, or block until one is available", NULL, 2 },
};

#undef W
#undef R
#undef M
#undef F
#undef BL
#undef LW
#undef LR
#undef LB

const struct cmd_group cmd_group_list = CMD_GROUP("list", list_cmds);
