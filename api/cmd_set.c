/*
 * cmd_set: the set commands of Redis 7.0 - SADD SREM SISMEMBER SMISMEMBER
 * SMEMBERS SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION
 * SUNIONSTORE SDIFF SDIFFSTORE SSCAN. The data structure and the set algebra
 * are in engine/t_set.c; this file parses, looks keys up, replies, and
 * raises events and effects.
 *
 * Behaviour is Redis 7.0.15's, checked against the real server:
 *   - argument errors come before the key lookup (SPOP / SRANDMEMBER counts,
 *     SINTERCARD numkeys and LIMIT, the SSCAN cursor), except SSCAN's
 *     options, which are parsed only when the key exists and is a set;
 *   - multi-key reads (SINTER, SUNION, SDIFF, the STORE forms, SINTERCARD)
 *     look every source key up (hits/misses counted) and fail with WRONGTYPE
 *     if any of them holds another type, even when another is missing;
 *   - replies: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count are
 *     RESP3 sets; SRANDMEMBER with a count is an array; an intset answers in
 *     ascending order, as in Redis (SUNION / SDIFF reply from the built
 *     result, so they are ascending whenever the result is an intset);
 *   - events: sadd, srem, spop, smove as "srem" on the source (then "del" if
 *     emptied) and "sadd" on the destination only if it was added there;
 *     sinterstore / sunionstore / sdiffstore, or "del" when the result is
 *     empty and the destination existed; an emptied set raises "del" after
 *     the command's event;
 *   - effects: SPOP -> SREM of the popped members (batches of up to
 *     SREM_BATCH members), or DEL when it took the whole set; everything
 *     else as received.
 * The STORE forms and SMOVE build their results with set-max-intset-entries
 * read at call time, so OBJECT ENCODING follows Redis (engine/t_set.h).
 * SSCAN is api/coll.h's coll_scan with a one-string-per-member step.
 */
#include "api/client.h"
#include "api/coll.h"
#include "api/command.h"
#include "api/config.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/t_set.h"

#include <stdlib.h>
#include <string.h>

#define SREM_BATCH 1024

/* ---- shared helpers ----------------------------------------------------- */

static size_t max_intset(const struct client *c)
{
    long long v = config_values(c->srv->cfg)->set_max_intset_entries;
    return v < 0 ? 0 : (size_t)v;
}

static uint64_t rnd(void *srv) { return server_random(srv); }

static struct tset *set_of(struct kv_entry *e) { return kv_entry_val(e)->v.ptr; }

static void reply_member(const char *p, size_t len, void *arg) { reply_bulk(arg, p, len); }

/* A change of n members to a set key: the key is deleted when the set is
 * now empty, then the command's event (none when `event` is NULL: SPOP
 * raises it before its reply), the dirty count, and "del". */
static void set_changed(struct client *c, const struct resp_arg *key, const struct tset *s, const char *event,
                        long long n)
{
    bool emptied = tset_card(s) == 0;
    if (emptied)
        kv_delete(c->srv->ks, c->db, key->ptr, key->len);
    db_touched(c, key, NOTIFY_SET, event);
    if (n > 1)
        cmd_dirty(c, n - 1);
    if (emptied)
        kv_notify(c->srv->ks, NOTIFY_GENERIC, "del", c->db, key->ptr, key->len);
}

/* Looks up argv[first .. first+n) for reading as sets (NULL when missing).
 * Returns false after replying WRONGTYPE. */
static bool lookup_sets_or_reply(struct client *c, int first, int n, struct tset **sets)
{
    for (int i = 0; i < n; i++) {
        struct kv_entry *e;
        if (!db_read_typed_or_reply(c, &c->argv[first + i], KV_SET, &e))
            return false;
        sets[i] = e ? set_of(e) : NULL;
    }
    return true;
}

/* ---- SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS ---------------------- */

static void sadd_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    struct tset *s;
    size_t max = max_intset(c);
    long long added = 0;

    if (!db_write_typed_or_reply(c, key, KV_SET, &e))
        return;
    s = e ? set_of(e) : tset_new();
    for (int j = 2; j < c->argc; j++)
        added += tset_add(s, c->argv[j].ptr, c->argv[j].len, max);
    if (!e)
        kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_obj_wrap(KV_SET, s));
    if (added)
        set_changed(c, key, s, "sadd", added);
    reply_int(&c->out, added);
}

static void srem_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    struct tset *s;
    long long removed = 0;

    if (!db_write_typed_or_reply(c, key, KV_SET, &e))
        return;
    if (e) {
        s = set_of(e);
        for (int j = 2; j < c->argc && tset_card(s) > 0; j++)
            removed += tset_remove(s, c->argv[j].ptr, c->argv[j].len);
        if (removed)
            set_changed(c, key, s, "srem", removed);
    }
    reply_int(&c->out, removed);
}

static void sismember_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_SET, &e))
        reply_int(&c->out, e && tset_ismember(set_of(e), c->argv[2].ptr, c->argv[2].len));
}

static void smismember_cmd(struct client *c)
{
    struct kv_entry *e;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_SET, &e))
        return;
    reply_array(&c->out, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        reply_int(&c->out, e && tset_ismember(set_of(e), c->argv[j].ptr, c->argv[j].len));
}

static void scard_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_SET, &e))
        reply_int(&c->out, e ? (long long)tset_card(set_of(e)) : 0);
}

/* The whole set as a RESP3 set (an empty one for a missing key). */
static void reply_whole(struct client *c, struct tset *s)
{
    reply_set(&c->out, s ? (long long)tset_card(s) : 0);
    if (s)
        tset_foreach(s, reply_member, &c->out);
}

static void smembers_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_SET, &e))
        reply_whole(c, e ? set_of(e) : NULL);
}

/* ---- SPOP --------------------------------------------------------------- */

/* Popped members: replied as they come and kept for the SREM effects. */
struct popped {
    struct client *c;
    const struct resp_arg *key;
    char *bytes;
    size_t used, cap;
    size_t *lens;
    size_t n;
};

static void popped_flush(struct popped *p)
{
    struct resp_arg *argv;
    size_t off = 0;
    if (p->n == 0)
        return;
    argv = kv_xmalloc((p->n + 2) * sizeof(*argv));
    argv[0] = (struct resp_arg){ "SREM", 4 };
    argv[1] = *p->key;
    for (size_t i = 0; i < p->n; i++) {
        argv[i + 2] = (struct resp_arg){ p->bytes + off, p->lens[i] };
        off += p->lens[i];
    }
    cmd_effect(p->c, (int)p->n + 2, argv);
    free(argv);
    p->used = 0;
    p->n = 0;
}

static void popped_add(const char *m, size_t len, void *arg)
{
    struct popped *p = arg;
    reply_bulk(&p->c->out, m, len);
    if (p->used + len > p->cap || !p->bytes) {
        p->cap = (p->used + len) * 2 + 64;
        p->bytes = kv_xrealloc(p->bytes, p->cap);
    }
    memcpy(p->bytes + p->used, m, len);
    p->used += len;
    p->lens[p->n++] = len;
    if (p->n == SREM_BATCH)
        popped_flush(p);
}

/* Pops `count` members (count < card, or a plain SPOP), replying each and
 * recording SREM effects. */
static void pop_members(struct client *c, const struct resp_arg *key, struct tset *s, size_t count)
{
    struct popped p = { c, key, NULL, 0, 0, NULL, 0 };
    p.lens = kv_xmalloc(SREM_BATCH * sizeof(*p.lens));
    tset_pop(s, count, max_intset(c), rnd, c->srv, popped_add, &p);
    popped_flush(&p);
    free(p.bytes);
    free(p.lens);
}

static void spop_count(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    struct tset *s;
    long long count;

    if (!arg_nonneg_or_reply(c, &c->argv[2], RE_NOT_POSITIVE, &count) ||
        !db_write_typed_or_reply(c, key, KV_SET, &e))
        return;
    if (!e || count == 0) {
        reply_set(&c->out, 0);
        return;
    }
    s = set_of(e);
    /* Redis' order: "spop", the reply, then "del" (what a RESP3 client
     * subscribed to its own events sees) */
    kv_notify(c->srv->ks, NOTIFY_SET, "spop", c->db, key->ptr, key->len);
    if ((unsigned long long)count >= tset_card(s)) {
        /* the whole set: replied, then the key goes, propagated as DEL */
        reply_whole(c, s);
        kv_delete(c->srv->ks, c->db, key->ptr, key->len);
        db_touched(c, key, NOTIFY_SET, NULL);
        kv_notify(c->srv->ks, NOTIFY_GENERIC, "del", c->db, key->ptr, key->len);
        cmd_effect(c, 2, (struct resp_arg[]){ { "DEL", 3 }, *key });
        return;
    }
    reply_set(&c->out, count);
    pop_members(c, key, s, (size_t)count);
    set_changed(c, key, s, NULL, count);
}

static void spop_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    struct tset *s;

    if (c->argc == 3) {
        spop_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (!db_write_typed_or_reply(c, key, KV_SET, &e))
        return;
    if (!e) {
        reply_null(&c->out);
        return;
    }
    s = set_of(e);
    kv_notify(c->srv->ks, NOTIFY_SET, "spop", c->db, key->ptr, key->len);   /* before the reply, as Redis */
    pop_members(c, key, s, 1);
    set_changed(c, key, s, NULL, 1);
}

/* ---- SRANDMEMBER ---------------------------------------------------------- */

static void srandmember_count(struct client *c)
{
    struct kv_entry *e;
    struct tset *s;
    struct tset_view v;
    long long count;
    bool with;

    if (!arg_random_count_or_reply(c, NULL, &count, &with) || !db_read_typed_or_reply(c, &c->argv[1], KV_SET, &e))
        return;
    if (!e || count == 0) {
        reply_array(&c->out, 0);
        return;
    }
    s = set_of(e);
    if (count > 0) {   /* distinct members */
        size_t n = (unsigned long long)count < tset_card(s) ? (size_t)count : tset_card(s);
        reply_array(&c->out, (long long)n);
        tset_sample(s, n, rnd, c->srv, reply_member, &c->out);
        return;
    }
    reply_array(&c->out, -count);   /* with repetitions */
    for (long long i = 0; i < -count; i++) {
        tset_random(s, rnd, c->srv, &v);
        reply_bulk(&c->out, v.p, v.len);
    }
}

static void srandmember_cmd(struct client *c)
{
    struct kv_entry *e;
    struct tset_view v;

    if (c->argc == 3) {
        srandmember_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_SET, &e))
        return;
    if (!e) {
        reply_null(&c->out);
        return;
    }
    tset_random(set_of(e), rnd, c->srv, &v);
    reply_bulk(&c->out, v.p, v.len);
}

/* ---- SMOVE ---------------------------------------------------------------- */

static bool same_key(const struct resp_arg *a, const struct resp_arg *b)
{
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

static void smove_cmd(struct client *c)
{
    const struct resp_arg *src = &c->argv[1], *dst = &c->argv[2], *m = &c->argv[3];
    struct kv_entry *se = db_write(c, src), *de;
    struct kv_obj *so = se ? kv_entry_val(se) : NULL;   /* valid while src is unchanged */
    struct tset *ds;
    bool added;

    de = db_write(c, dst);
    if (!so) {
        reply_int(&c->out, 0);
        return;
    }
    if (so->type != KV_SET || (de && kv_entry_val(de)->type != KV_SET)) {
        reply_err(&c->out, RE_WRONGTYPE);
        return;
    }
    if (same_key(src, dst)) {
        reply_int(&c->out, tset_ismember(so->v.ptr, m->ptr, m->len));
        return;
    }
    if (!tset_remove(so->v.ptr, m->ptr, m->len)) {
        reply_int(&c->out, 0);
        return;
    }
    set_changed(c, src, so->v.ptr, "srem", 1);
    de = db_peek(c, dst);   /* looked up again after the source's possible deletion */
    ds = de ? set_of(de) : tset_new();
    added = tset_add(ds, m->ptr, m->len, max_intset(c));
    if (!de)
        kv_add(c->srv->ks, c->db, dst->ptr, dst->len, kv_obj_wrap(KV_SET, ds));
    if (added)
        db_touched(c, dst, NOTIFY_SET, "sadd");
    else
        kv_changed(c->srv->ks, c->db, dst->ptr, dst->len);
    reply_int(&c->out, 1);
}

/* ---- SINTER SUNION SDIFF and their STORE forms ---------------------------- */

enum set_op { OP_INTER, OP_UNION, OP_DIFF };

/* The operation's result as a new set built with Redis' encoding rules. */
static struct tset *compute(struct client *c, enum set_op op, struct tset **sets, size_t n)
{
    switch (op) {
    case OP_UNION: return tset_union(sets, n, max_intset(c));
    case OP_DIFF: return tset_diff(sets, n, max_intset(c));
    default: return tset_inter_new(sets, n, max_intset(c));
    }
}

/* SINTER, SUNION, SDIFF: keys from argv[1]. SINTER replies while it
 * iterates (Redis' order); the others reply from the built result. */
static void setop_read(struct client *c, enum set_op op)
{
    size_t n = (size_t)c->argc - 1;
    struct tset **sets = kv_xmalloc(n * sizeof(*sets));
    if (lookup_sets_or_reply(c, 1, (int)n, sets)) {
        if (op == OP_INTER) {
            void *slot = reply_defer(&c->out);
            reply_set_set(&c->out, slot, (long long)tset_inter(sets, n, 0, reply_member, &c->out));
        } else {
            struct tset *r = compute(c, op, sets, n);
            reply_whole(c, r);
            tset_free(r);
        }
    }
    free(sets);
}

/* The STORE forms: destination argv[1], keys from argv[2]. The destination
 * is overwritten whatever it held (its TTL goes), or deleted when the result
 * is empty. */
static void setop_store(struct client *c, enum set_op op, const char *event)
{
    const struct resp_arg *dst = &c->argv[1];
    size_t n = (size_t)c->argc - 2;
    struct tset **sets = kv_xmalloc(n * sizeof(*sets)), *r;
    long long card;
    bool early = false;

    if (!lookup_sets_or_reply(c, 2, (int)n, sets)) {
        free(sets);
        return;
    }
    /* Redis' order: the reply, then the event ("del" for an empty result),
     * except SINTERSTORE with a missing source, which deletes first */
    for (size_t i = 0; op == OP_INTER && i < n; i++)
        if (!sets[i])
            early = true;
    r = compute(c, op, sets, n);
    free(sets);
    card = (long long)tset_card(r);
    if (card > 0) {
        struct kv_entry *e = db_write(c, dst);
        kv_store(c->srv->ks, c->db, e, dst->ptr, dst->len, kv_obj_wrap(KV_SET, r), false);
        reply_int(&c->out, card);
        db_touched(c, dst, NOTIFY_SET, event);
    } else {
        tset_free(r);
        if (early)
            db_delete(c, dst);
        reply_int(&c->out, 0);
        if (!early)
            db_delete(c, dst);
    }
}

static void sinter_cmd(struct client *c) { setop_read(c, OP_INTER); }
static void sunion_cmd(struct client *c) { setop_read(c, OP_UNION); }
static void sdiff_cmd(struct client *c) { setop_read(c, OP_DIFF); }
static void sinterstore_cmd(struct client *c) { setop_store(c, OP_INTER, "sinterstore"); }
static void sunionstore_cmd(struct client *c) { setop_store(c, OP_UNION, "sunionstore"); }
static void sdiffstore_cmd(struct client *c) { setop_store(c, OP_DIFF, "sdiffstore"); }

static void count_only(const char *p, size_t len, void *arg)
{
    (void)p;
    (void)len;
    (void)arg;
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
static void sintercard_cmd(struct client *c)
{
    long long numkeys, limit = 0;
    struct tset **sets;

    if (!arg_numkeys_or_reply(c, 1, 0, RE_NUMKEYS_ARGS, &numkeys))
        return;
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        if (!arg_opt_is(&c->argv[j], "limit") || j + 1 >= c->argc) {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
        if (!arg_nonneg_or_reply(c, &c->argv[++j], RE_LIMIT_NEGATIVE, &limit))
            return;
    }
    sets = kv_xmalloc((size_t)numkeys * sizeof(*sets));
    if (lookup_sets_or_reply(c, 2, (int)numkeys, sets))
        reply_int(&c->out, (long long)tset_inter(sets, (size_t)numkeys, (size_t)limit, count_only, NULL));
    free(sets);
}

/* ---- SSCAN ---------------------------------------------------------------- */

static void scan_member(const char *p, size_t len, void *out) { coll_strs_push(out, p, len); }

/* coll_scan_fn: one string per member (an intset's formatted); an intset
 * comes whole. */
static uint64_t scan_step(void *s, uint64_t cursor, struct coll_strs *out)
{
    return tset_scan(s, cursor, scan_member, out);
}

static void sscan_cmd(struct client *c) { coll_scan(c, KV_SET, 1, scan_step); }

/* ---- command table ------------------------------------------------------- */

#define W CMD_WRITE
#define R CMD_READONLY
#define M CMD_DENYOOM
#define F CMD_FAST
#define SR (ACL_READ | ACL_SET)
#define SW (ACL_WRITE | ACL_SET)

static const struct cmd_def set_cmds[] = {
    { "sadd", sadd_cmd, -3, W | M | F, SW | ACL_FAST, 1, 1, 1, "Add one or more members to a set", NULL },
    { "srem", srem_cmd, -3, W | F, SW | ACL_FAST, 1, 1, 1, "Remove one or more members from a set", NULL },
    { "sismember", sismember_cmd, 3, R | F, SR | ACL_FAST, 1, 1, 1, "Determine if a given value is a member of a set",
      NULL },
    { "smismember", smismember_cmd, -3, R | F, SR | ACL_FAST, 1, 1, 1,
      "Returns the membership associated with the given elements for a set", NULL },
    { "smembers", smembers_cmd, 2, R, SR | ACL_SLOW, 1, 1, 1, "Get all the members in a set", NULL },
    { "scard", scard_cmd, 2, R | F, SR | ACL_FAST, 1, 1, 1, "Get the number of members in a set", NULL },
    { "spop", spop_cmd, -2, W | F, SW | ACL_FAST, 1, 1, 1,
      "Remove and return one or multiple random members from a set", NULL },
    { "srandmember", srandmember_cmd, -2, R, SR | ACL_SLOW, 1, 1, 1, "Get one or multiple random members from a set",
      NULL },
    { "smove", smove_cmd, 4, W | F, SW | ACL_FAST, 1, 2, 1, "Move a member from one set to another", NULL },
    { "sinter", sinter_cmd, -2, R, SR | ACL_SLOW, 1, -1, 1, "Intersect multiple sets", NULL },
    { "sintercard", sintercard_cmd, -3, R | CMD_MOVABLE_KEYS, SR | ACL_SLOW, 0, 0, 0,
      "Intersect multiple sets and return the cardinality of the result", NULL, 1 },
    { "sinterstore", sinterstore_cmd, -3, W | M, SW | ACL_SLOW, 1, -1, 1,
      "Intersect multiple sets and store the resulting set in a key", NULL },
    { "sunion", sunion_cmd, -2, R, SR | ACL_SLOW, 1, -1, 1, "Add multiple sets", NULL },
    { "sunionstore", sunionstore_cmd, -3, W | M, SW | ACL_SLOW, 1, -1, 1,
      "Add multiple sets and store the resulting set in a key", NULL },
    { "sdiff", sdiff_cmd, -2, R, SR | ACL_SLOW, 1, -1, 1, "Subtract multiple sets", NULL },
    { "sdiffstore", sdiffstore_cmd, -3, W | M, SW | ACL_SLOW, 1, -1, 1,
      "Subtract multiple sets and store the resulting set in a key", NULL },
    { "sscan", sscan_cmd, -3, R, SR | ACL_SLOW, 1, 1, 1, "Incrementally iterate Set elements", NULL },
};

#undef W
#undef R
#undef M
#undef F
#undef SR
#undef SW

const struct cmd_group cmd_group_set = CMD_GROUP("set", set_cmds);
