/*
 * cmd_zset: the sorted-set commands of Redis 7.0 - ZADD ZINCRBY ZREM ZCARD
 * ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK, the range family (ZRANGE
 * with BYSCORE/BYLEX/REV/LIMIT/WITHSCORES, ZRANGESTORE, ZREVRANGE,
 * Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZREMRANGEBYRANK/SCORE/LEX, ZPOPMIN
 * ZPOPMAX ZMPOP and the blocking BZPOPMIN BZPOPMAX BZMPOP, ZRANDMEMBER and
 * ZSCAN - over engine/t_zset.h. The set algebra is in cmd_zset_ops.c; the
 * command table for both is here.
 *
 * Behaviour is Redis 7.0.15's, checked against the real server:
 *   - validation order: options and numbers first, then the key (WRONGTYPE),
 *     except where Redis looks the key up first (ZPOPMIN's count 0 is an
 *     empty array only for a zset; ZRANDMEMBER's count 0 likewise);
 *   - ZADD's and ZINCRBY's shared option loop (so "ZINCRBY k nx 1" is a
 *     syntax error, as in Redis), every incompatible-option error;
 *   - replies: scores are doubles (RESP2 bulk "%.17g", RESP3 ','); with
 *     WITHSCORES RESP3 nests [member, score] pairs; ZPOPMIN/ZPOPMAX are flat
 *     without a count and nested with one under RESP3; ZMPOP/BZMPOP always
 *     nest; BZPOPMIN/BZPOPMAX reply [key, member, score];
 *   - events: "zadd"/"zincr" only when something changed, "zrem",
 *     "zremrangeby*", "zpopmin"/"zpopmax", "zrangestore", then "del" when
 *     the set was emptied; dirty counts as Redis (elements changed);
 *   - effects: BZPOPMIN/BZPOPMAX -> ZPOPMIN|ZPOPMAX key; ZMPOP and BZMPOP ->
 *     ZPOPMIN|ZPOPMAX key <count asked>; everything else as received.
 *
 * Blocking follows api/block.h: serve at once when a key has members, else
 * block_wait(); while retrying, a key of another type counts as empty.
 * BZPOPMIN BZPOPMAX ZMPOP BZMPOP and ZSCAN are the shared workers of
 * api/coll.h (coll_bpop, coll_mpop, coll_scan) with this file's callbacks.
 */
#include "api/cmd_zset.h"
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
#include "engine/t_zset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ERR_SCORE_RANGE "ERR min or max is not a float"
#define ERR_LEX_RANGE "ERR min or max not valid string range item"

/* ---- shared helpers ------------------------------------------------------ */

struct tzset_limits zcmd_limits(const struct client *c)
{
    const struct config_values *v = config_values(c->srv->cfg);
    struct tzset_limits lim = { (size_t)v->zset_max_listpack_entries, (size_t)v->zset_max_listpack_value };
    return lim;
}

static struct tzset *zset_of(struct kv_entry *e) { return kv_entry_val(e)->v.ptr; }

static bool resp3(const struct client *c) { return c->out.proto >= 3; }

void zcmd_reply_header(struct client *c, long long n, bool withscores)
{
    reply_array(&c->out, withscores && !resp3(c) ? 2 * n : n);
}

void zcmd_reply_elem(struct client *c, const struct tzset_elem *e, bool withscores)
{
    if (withscores && resp3(c))
        reply_array(&c->out, 2);
    reply_bulk(&c->out, e->m, e->len);
    if (withscores)
        reply_double(&c->out, e->score);
}

/* A zset key changed: hooks, its event, and `dirty` changes counted. */
static void touched(struct client *c, const struct resp_arg *key, const char *event, long long dirty)
{
    coll_touched(c, key, NOTIFY_ZSET, event, dirty);
}

/* n members left the zset at key: its event, then "del" if it is empty. */
static void removed(struct client *c, const struct resp_arg *key, struct tzset *z, const char *event, long long n)
{
    if (!n)
        return;
    touched(c, key, event, n);
    if (tzset_len(z) == 0)
        coll_delete_emptied(c, key);
}

/* The zset at key for a removal; NULL after replying 0 (no such key) or
 * WRONGTYPE. */
static struct tzset *zset_to_remove_or_reply(struct client *c, const struct resp_arg *key)
{
    struct kv_entry *e;
    if (!db_write_typed_or_reply(c, key, KV_ZSET, &e))
        return NULL;
    if (!e)
        reply_int(&c->out, 0);
    return e ? zset_of(e) : NULL;
}

void zcmd_store(struct client *c, const struct resp_arg *dst, struct tzset *result, const char *event)
{
    size_t n = tzset_len(result);
    struct tzset_limits lim = zcmd_limits(c);
    if (n == 0) {
        tzset_free(result);
        reply_int(&c->out, 0);
        db_delete(c, dst);
        return;
    }
    tzset_acc_done(result, &lim);
    kv_store(c->srv->ks, c->db, db_write(c, dst), dst->ptr, dst->len, kv_obj_wrap(KV_ZSET, result), false);
    reply_int(&c->out, (long long)n);
    touched(c, dst, event, 1);
}

static void effect_pop(struct client *c, const struct resp_arg *key, bool max, long long count)
{
    char num[NF_LL_BUFSIZE];
    struct resp_arg argv[3] = { { max ? "ZPOPMAX" : "ZPOPMIN", 7 }, *key, { num, 0 } };
    if (count > 0)
        argv[2].len = (size_t)nf_ll2str(num, sizeof(num), count);
    cmd_effect(c, count > 0 ? 3 : 2, argv);
}

/* ---- ZADD / ZINCRBY --------------------------------------------------------- */

/* Parses the scores of the (score, member) pairs from argv[first]. */
static double *scores_or_reply(struct client *c, int first, int n)
{
    double *scores = kv_xmalloc(sizeof(*scores) * (size_t)n);
    for (int i = 0; i < n; i++)
        if (!arg_double_or_reply(c, &c->argv[first + 2 * i], &scores[i])) {
            free(scores);
            return NULL;
        }
    return scores;
}

/* Options before the first score (Redis reads them for ZINCRBY too);
 * returns the index of the first score. */
static int zadd_options(struct client *c, unsigned *flags, bool *ch)
{
    static const struct {
        const char *word;
        unsigned flag;
    } opts[] = { { "nx", TZ_ADD_NX }, { "xx", TZ_ADD_XX }, { "gt", TZ_ADD_GT }, { "lt", TZ_ADD_LT },
                 { "incr", TZ_ADD_INCR } };
    int j;
    for (j = 2; j < c->argc; j++) {
        size_t k;
        if (arg_opt_is(&c->argv[j], "ch")) {
            *ch = true;
            continue;
        }
        for (k = 0; k < sizeof(opts) / sizeof(opts[0]) && !arg_opt_is(&c->argv[j], opts[k].word); k++)
            ;
        if (k == sizeof(opts) / sizeof(opts[0]))
            break;
        *flags |= opts[k].flag;
    }
    return j;
}

static bool zadd_flags_ok_or_reply(struct client *c, unsigned f, int elements)
{
    const char *err = NULL;
    if ((f & TZ_ADD_NX) && (f & TZ_ADD_XX))
        err = "ERR XX and NX options at the same time are not compatible";
    else if (((f & (TZ_ADD_GT | TZ_ADD_LT)) && (f & TZ_ADD_NX)) || ((f & TZ_ADD_GT) && (f & TZ_ADD_LT)))
        err = "ERR GT, LT, and/or NX options at the same time are not compatible";
    else if ((f & TZ_ADD_INCR) && elements > 1)
        err = "ERR INCR option supports a single increment-element pair";
    if (err)
        reply_error(&c->out, err);
    return err == NULL;
}

static void zadd_generic(struct client *c, unsigned flags)
{
    const struct resp_arg *key = &c->argv[1];
    struct tzset_limits lim = zcmd_limits(c);
    bool ch = false, incr;
    int first = zadd_options(c, &flags, &ch), elements = c->argc - first;
    long long added = 0, updated = 0;
    enum tzset_add_result r = TZ_SKIPPED;
    double *scores, newscore = 0;
    struct kv_entry *e;
    struct tzset *z;

    incr = flags & TZ_ADD_INCR;
    if (elements == 0 || elements % 2) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    elements /= 2;
    if (!zadd_flags_ok_or_reply(c, flags, elements) || !(scores = scores_or_reply(c, first, elements)))
        return;
    if (!db_write_typed_or_reply(c, key, KV_ZSET, &e))
        goto out;
    if (!e && (flags & TZ_ADD_XX))
        goto reply;
    if (!e)
        e = kv_add(c->srv->ks, c->db, key->ptr, key->len,
                   kv_obj_wrap(KV_ZSET, tzset_new(&lim, c->argv[first + 1].len)));
    z = zset_of(e);
    for (int i = 0; i < elements; i++) {
        const struct resp_arg *m = &c->argv[first + 2 * i + 1];
        r = tzset_add(z, m->ptr, m->len, scores[i], flags, &lim, &newscore);
        if (r == TZ_NAN) {
            reply_error(&c->out, "ERR resulting score is not a number (NaN)");
            goto out;
        }
        added += r == TZ_ADDED;
        updated += r == TZ_UPDATED;
    }
reply:
    if (!incr)
        reply_int(&c->out, ch ? added + updated : added);
    else if (r == TZ_SKIPPED)
        reply_null(&c->out);
    else
        reply_double(&c->out, newscore);
    if (added + updated)   /* after the reply, as Redis (RESP3 pushes to c follow it) */
        touched(c, key, incr ? "zincr" : "zadd", added + updated);
out:
    free(scores);
}

static void zadd_cmd(struct client *c) { zadd_generic(c, 0); }
static void zincrby_cmd(struct client *c) { zadd_generic(c, TZ_ADD_INCR); }

/* ---- single-member reads and ZREM -------------------------------------------- */

static void zrem_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct tzset *z = zset_to_remove_or_reply(c, key);
    long long deleted = 0;

    if (!z)
        return;
    for (int j = 2; j < c->argc && tzset_len(z) > 0; j++)
        deleted += tzset_remove(z, c->argv[j].ptr, c->argv[j].len);
    removed(c, key, z, "zrem", deleted);
    reply_int(&c->out, deleted);
}

static void zcard_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        reply_int(&c->out, e ? (long long)tzset_len(zset_of(e)) : 0);
}

static void zscore_cmd(struct client *c)
{
    struct kv_entry *e;
    double s;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        return;
    if (e && tzset_score(zset_of(e), c->argv[2].ptr, c->argv[2].len, &s))
        reply_double(&c->out, s);
    else
        reply_null(&c->out);
}

static void zmscore_cmd(struct client *c)
{
    struct kv_entry *e;
    double s;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        return;
    reply_array(&c->out, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        if (e && tzset_score(zset_of(e), c->argv[j].ptr, c->argv[j].len, &s))
            reply_double(&c->out, s);
        else
            reply_null(&c->out);
    }
}

static void zrank_generic(struct client *c, bool rev)
{
    struct kv_entry *e;
    size_t rank;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        return;
    if (e && tzset_rank(zset_of(e), c->argv[2].ptr, c->argv[2].len, rev, &rank, NULL))
        reply_int(&c->out, (long long)rank);
    else
        reply_null(&c->out);
}

static void zrank_cmd(struct client *c) { zrank_generic(c, false); }
static void zrevrank_cmd(struct client *c) { zrank_generic(c, true); }

static bool srange_or_reply(struct client *c, int i, struct zsl_srange *r)
{
    if (zsl_srange_parse(c->argv[i].ptr, c->argv[i].len, c->argv[i + 1].ptr, c->argv[i + 1].len, r))
        return true;
    reply_error(&c->out, ERR_SCORE_RANGE);
    return false;
}

static bool lrange_or_reply(struct client *c, int i, struct zsl_lrange *r)
{
    if (zsl_lrange_parse(c->argv[i].ptr, c->argv[i].len, c->argv[i + 1].ptr, c->argv[i + 1].len, r))
        return true;
    reply_error(&c->out, ERR_LEX_RANGE);
    return false;
}

/* ZCOUNT / ZLEXCOUNT key min max. */
static void zcount_generic(struct client *c, bool lex)
{
    struct zsl_srange sr;
    struct zsl_lrange lr;
    struct kv_entry *e;
    if (lex ? !lrange_or_reply(c, 2, &lr) : !srange_or_reply(c, 2, &sr))
        return;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        return;
    if (!e)
        reply_int(&c->out, 0);
    else
        reply_int(&c->out, (long long)(lex ? tzset_count_lex(zset_of(e), &lr) : tzset_count_score(zset_of(e), &sr)));
}

static void zcount_cmd(struct client *c) { zcount_generic(c, false); }
static void zlexcount_cmd(struct client *c) { zcount_generic(c, true); }

/* ---- the range family --------------------------------------------------------- */

enum zr_type { ZR_AUTO, ZR_RANK, ZR_SCORE, ZR_LEX };
enum zr_dir { DIR_AUTO, DIR_FWD, DIR_REV };

struct zrange_req {
    enum zr_type type;
    enum zr_dir dir;
    bool withscores;
    long long offset, limit;   /* LIMIT; limit -1 = none */
    long long start, end;      /* ZR_RANK */
    struct zsl_srange sr;      /* ZR_SCORE */
    struct zsl_lrange lr;      /* ZR_LEX */
};

/* Options after `src min max`; `type` and `dir` come preset by the legacy
 * commands (then BYSCORE/BYLEX/REV are syntax errors), ZR_AUTO/DIR_AUTO
 * for ZRANGE and ZRANGESTORE. */
static bool zrange_options_or_reply(struct client *c, int src, bool store, struct zrange_req *q)
{
    q->withscores = false;
    q->offset = 0;
    q->limit = -1;
    for (int j = src + 3; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j];
        if (!store && arg_opt_is(a, "withscores")) {
            q->withscores = true;
        } else if (arg_opt_is(a, "limit") && c->argc - j - 1 >= 2) {
            if (!arg_ll_or_reply(c, &c->argv[j + 1], &q->offset) || !arg_ll_or_reply(c, &c->argv[j + 2], &q->limit))
                return false;
            j += 2;
        } else if (q->dir == DIR_AUTO && arg_opt_is(a, "rev")) {
            q->dir = DIR_REV;
        } else if (q->type == ZR_AUTO && arg_opt_is(a, "bylex")) {
            q->type = ZR_LEX;
        } else if (q->type == ZR_AUTO && arg_opt_is(a, "byscore")) {
            q->type = ZR_SCORE;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    if (q->dir == DIR_AUTO)
        q->dir = DIR_FWD;
    if (q->type == ZR_AUTO)
        q->type = ZR_RANK;
    if (q->limit != -1 && q->type == ZR_RANK) {
        reply_error(&c->out, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return false;
    }
    if (q->withscores && q->type == ZR_LEX) {
        reply_error(&c->out, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return false;
    }
    return true;
}

static bool zrange_parse_or_reply(struct client *c, int src, bool store, struct zrange_req *q)
{
    int min = src + 1;
    if (!zrange_options_or_reply(c, src, store, q))
        return false;
    if (q->type == ZR_RANK)
        return arg_ll_or_reply(c, &c->argv[min], &q->start) && arg_ll_or_reply(c, &c->argv[min + 1], &q->end);
    if (q->dir == DIR_REV) {   /* given as max, min: parse a swapped copy */
        struct resp_arg swapped[2] = { c->argv[min + 1], c->argv[min] };
        const char *a = swapped[0].ptr, *b = swapped[1].ptr;
        size_t al = swapped[0].len, bl = swapped[1].len;
        bool ok = q->type == ZR_SCORE ? zsl_srange_parse(a, al, b, bl, &q->sr) : zsl_lrange_parse(a, al, b, bl, &q->lr);
        if (!ok)
            reply_error(&c->out, q->type == ZR_SCORE ? ERR_SCORE_RANGE : ERR_LEX_RANGE);
        return ok;
    }
    return q->type == ZR_SCORE ? srange_or_reply(c, min, &q->sr) : lrange_or_reply(c, min, &q->lr);
}

/* Where range elements go: the reply, or the result of ZRANGESTORE. */
struct zsink {
    struct client *c;
    struct tzset *acc;
    bool withscores;
    void *slot;        /* deferred reply length */
    long long n;
};

/* n < 0: unknown yet (the length is set at the end). */
static void sink_begin(struct zsink *s, long long n)
{
    s->slot = NULL;
    s->n = 0;
    if (s->acc)
        return;
    if (n >= 0)
        zcmd_reply_header(s->c, n, s->withscores);
    else
        s->slot = reply_defer(&s->c->out);
}

static void sink_put(struct zsink *s, const struct tzset_elem *e)
{
    if (s->acc) {
        bool created;
        *tzset_acc(s->acc, e->m, e->len, &created) = e->score;
    } else {
        zcmd_reply_elem(s->c, e, s->withscores);
    }
    s->n++;
}

static void sink_end(struct zsink *s)
{
    if (s->slot)
        reply_set_array(&s->c->out, s->slot, s->withscores && !resp3(s->c) ? 2 * s->n : s->n);
}

static void range_by_rank(struct zsink *s, struct tzset *z, const struct zrange_req *q)
{
    long long start, end, n;
    struct tzset_iter it;
    struct tzset_elem e;

    if (!coll_clip_range(q->start, q->end, (long long)tzset_len(z), &start, &end)) {
        sink_begin(s, 0);
        return;
    }
    n = end - start + 1;
    sink_begin(s, n);
    tzset_iter_rank(z, &it, (size_t)start, q->dir == DIR_REV);
    while (n-- > 0 && tzset_iter_next(&it, &e))
        sink_put(s, &e);
}

/* BYSCORE / BYLEX with LIMIT: a negative offset gives nothing, a negative
 * count everything after the offset (Redis' loops). */
static void range_by_bounds(struct zsink *s, struct tzset *z, const struct zrange_req *q)
{
    bool rev = q->dir == DIR_REV, found;
    long long skip = q->offset, left = q->limit;
    struct tzset_iter it;
    struct tzset_elem e;

    sink_begin(s, -1);
    found = q->type == ZR_SCORE ? tzset_iter_score(z, &it, &q->sr, rev) : tzset_iter_lex(z, &it, &q->lr, rev);
    if (!found || skip < 0)
        return;
    while (skip > 0 && tzset_iter_next(&it, &e))
        skip--;
    while (left != 0 && tzset_iter_next(&it, &e)) {
        sink_put(s, &e);
        if (left > 0)
            left--;
    }
}

/* Every range command: src is the index of the source key; dst (ZRANGESTORE)
 * is argv[1] when store. */
static void zrange_generic(struct client *c, int src, bool store, enum zr_type type, enum zr_dir dir)
{
    struct zrange_req q = { .type = type, .dir = dir };
    struct zsink s = { c, NULL, false, NULL, 0 };
    struct kv_entry *e;

    if (!zrange_parse_or_reply(c, src, store, &q))
        return;
    if (!db_read_typed_or_reply(c, &c->argv[src], KV_ZSET, &e))
        return;
    s.withscores = q.withscores;
    if (store)
        s.acc = tzset_new_skiplist();
    if (e && q.type == ZR_RANK)
        range_by_rank(&s, zset_of(e), &q);
    else if (e)
        range_by_bounds(&s, zset_of(e), &q);
    else
        sink_begin(&s, 0);
    if (store)
        zcmd_store(c, &c->argv[1], s.acc, "zrangestore");
    else
        sink_end(&s);
}

static void zrange_cmd(struct client *c) { zrange_generic(c, 1, false, ZR_AUTO, DIR_AUTO); }
static void zrangestore_cmd(struct client *c) { zrange_generic(c, 2, true, ZR_AUTO, DIR_AUTO); }
static void zrevrange_cmd(struct client *c) { zrange_generic(c, 1, false, ZR_RANK, DIR_REV); }
static void zrangebyscore_cmd(struct client *c) { zrange_generic(c, 1, false, ZR_SCORE, DIR_FWD); }
static void zrevrangebyscore_cmd(struct client *c) { zrange_generic(c, 1, false, ZR_SCORE, DIR_REV); }
static void zrangebylex_cmd(struct client *c) { zrange_generic(c, 1, false, ZR_LEX, DIR_FWD); }
static void zrevrangebylex_cmd(struct client *c) { zrange_generic(c, 1, false, ZR_LEX, DIR_REV); }

/* ---- ZREMRANGEBY* ---------------------------------------------------------------- */

static void zremrange_generic(struct client *c, enum zr_type type)
{
    static const char *const events[] = { [ZR_RANK] = "zremrangebyrank", [ZR_SCORE] = "zremrangebyscore",
                                          [ZR_LEX] = "zremrangebylex" };
    const struct resp_arg *key = &c->argv[1];
    struct zrange_req q = { .type = type };
    struct tzset *z;
    size_t deleted = 0;

    if (type == ZR_RANK ? !arg_ll_or_reply(c, &c->argv[2], &q.start) || !arg_ll_or_reply(c, &c->argv[3], &q.end)
        : type == ZR_SCORE ? !srange_or_reply(c, 2, &q.sr)
                           : !lrange_or_reply(c, 2, &q.lr))
        return;
    if (!(z = zset_to_remove_or_reply(c, key)))
        return;
    if (type == ZR_RANK) {
        long long first, last;
        if (coll_clip_range(q.start, q.end, (long long)tzset_len(z), &first, &last))
            deleted = tzset_delete_rank(z, (size_t)first, (size_t)last);
    } else {
        deleted = type == ZR_SCORE ? tzset_delete_score(z, &q.sr) : tzset_delete_lex(z, &q.lr);
    }
    removed(c, key, z, events[type], (long long)deleted);
    reply_int(&c->out, (long long)deleted);
}

static void zremrangebyrank_cmd(struct client *c) { zremrange_generic(c, ZR_RANK); }
static void zremrangebyscore_cmd(struct client *c) { zremrange_generic(c, ZR_SCORE); }
static void zremrangebylex_cmd(struct client *c) { zremrange_generic(c, ZR_LEX); }

/* ---- pops ---------------------------------------------------------------------- */

enum pop_shape {
    POP_FLAT,    /* [m1, s1, m2, s2 ...] */
    POP_PAIRS,   /* [[m1, s1], [m2, s2] ...] */
    POP_BARE,    /* m1, s1 with no header (BZPOPMIN's [key, m, s]) */
};

/* Pops up to `count` members from the lowest (max: highest) end of the zset
 * at key, replying them; raises the events in Redis' order: the pop event
 * before the first member's reply, "del" after the last. Returns how many
 * were popped. */
static long long pop_elems(struct client *c, const struct resp_arg *key, struct tzset *z, bool max, long long count,
                           enum pop_shape shape)
{
    long long n = (long long)tzset_len(z) < count ? (long long)tzset_len(z) : count;
    struct tzset_elem e;

    if (shape == POP_PAIRS)
        reply_array(&c->out, n);
    else if (shape == POP_FLAT)
        reply_array(&c->out, 2 * n);
    for (long long i = 0; i < n; i++) {
        size_t at = max ? tzset_len(z) - 1 : 0;
        tzset_peek(z, max, &e);
        if (i == 0)
            touched(c, key, max ? "zpopmax" : "zpopmin", n);
        if (shape == POP_PAIRS)
            reply_array(&c->out, 2);
        reply_bulk(&c->out, e.m, e.len);
        reply_double(&c->out, e.score);
        tzset_delete_rank(z, at, at);
    }
    if (n && tzset_len(z) == 0)
        coll_delete_emptied(c, key);
    return n;
}

/* ZPOPMIN / ZPOPMAX key [count]. */
static void zpop_generic(struct client *c, bool max)
{
    long long count = 1;
    struct kv_entry *e;
    if (c->argc > 3) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (c->argc == 3 && !arg_nonneg_or_reply(c, &c->argv[2], RE_NOT_POSITIVE, &count))
        return;
    if (!db_write_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        return;
    if (!e || count == 0) {
        reply_array(&c->out, 0);
        return;
    }
    pop_elems(c, &c->argv[1], zset_of(e), max, count, c->argc == 3 && resp3(c) ? POP_PAIRS : POP_FLAT);
}

static void zpopmin_cmd(struct client *c) { zpop_generic(c, false); }
static void zpopmax_cmd(struct client *c) { zpop_generic(c, true); }

/* coll_serve_fn of the blocking and multi-key pops: BZPOPMIN / BZPOPMAX
 * (count < 0: [key, member, score], propagated as ZPOPMIN|ZPOPMAX key) and
 * ZMPOP / BZMPOP ([key, [[member, score] ...]], propagated as
 * ZPOPMIN|ZPOPMAX key <count asked>). end 1 is the highest. */
static void serve_pop(struct client *c, const struct resp_arg *key, void *z, int end, long long count)
{
    bool max = end == 1;
    reply_array(&c->out, count < 0 ? 3 : 2);
    reply_bulk(&c->out, key->ptr, key->len);
    pop_elems(c, key, z, max, count < 0 ? 1 : count, count < 0 ? POP_BARE : POP_PAIRS);
    effect_pop(c, key, max, count < 0 ? 0 : count);
}

/* BZPOPMIN / BZPOPMAX key [key ...] timeout; ZMPOP numkeys key [key ...]
 * MIN|MAX [COUNT count], and BZMPOP with a timeout before numkeys. */
static void bzpopmin_cmd(struct client *c) { coll_bpop(c, KV_ZSET, 0, serve_pop); }
static void bzpopmax_cmd(struct client *c) { coll_bpop(c, KV_ZSET, 1, serve_pop); }
static void zmpop_cmd(struct client *c) { coll_mpop(c, false, KV_ZSET, "min", "max", serve_pop); }
static void bzmpop_cmd(struct client *c) { coll_mpop(c, true, KV_ZSET, "min", "max", serve_pop); }

/* ---- ZRANDMEMBER --------------------------------------------------------------- */

static uint64_t rnd_cb(void *arg) { return server_random(arg); }

struct rand_reply {
    struct client *c;
    bool withscores;
};

static void rand_elem(const struct tzset_elem *e, void *arg)
{
    const struct rand_reply *r = arg;
    zcmd_reply_elem(r->c, e, r->withscores);
}

/* ZRANDMEMBER key count [WITHSCORES]: a positive count gives distinct
 * members (at most all), a negative one -count independent picks. */
static void zrandmember_count(struct client *c, long long count, bool withscores)
{
    struct rand_reply r = { c, withscores };
    struct kv_entry *e;
    struct tzset *z;
    size_t n;

    if (!db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
        return;
    if (!e || count == 0) {
        reply_array(&c->out, 0);
        return;
    }
    z = zset_of(e);
    n = count > 0 ? ((size_t)count < tzset_len(z) ? (size_t)count : tzset_len(z)) : (size_t)-count;
    zcmd_reply_header(c, (long long)n, withscores);
    tzset_sample(z, n, count > 0, rnd_cb, c->srv, rand_elem, &r);
}

static void zrandmember_cmd(struct client *c)
{
    struct kv_entry *e;
    long long count;
    bool withscores;

    if (c->argc == 2) {
        if (!db_read_typed_or_reply(c, &c->argv[1], KV_ZSET, &e))
            return;
        if (!e) {
            reply_null(&c->out);
            return;
        }
        tzset_sample(zset_of(e), 1, false, rnd_cb, c->srv, rand_elem, &(struct rand_reply){ c, false });
        return;
    }
    if (arg_random_count_or_reply(c, "withscores", &count, &withscores))
        zrandmember_count(c, count, withscores);
}

/* ---- ZSCAN ----------------------------------------------------------------------- */

struct zscan_step {
    const struct tzset *z;
    struct coll_strs *out;
};

static void scan_elem(const struct tzset_elem *e, void *arg)
{
    const struct zscan_step *x = arg;
    char buf[NF_D_BUFSIZE];
    coll_strs_push(x->out, e->m, e->len);
    coll_strs_push(x->out, buf, (size_t)tzset_scan_score_str(x->z, e->score, buf, sizeof(buf)));
}

/* coll_scan_fn: a member and its score text (as the encoding prints it) per
 * element; a listpack comes whole. */
static uint64_t scan_step(void *z, uint64_t cursor, struct coll_strs *out)
{
    struct zscan_step x = { z, out };
    return tzset_scan(z, cursor, scan_elem, &x);
}

static void zscan_cmd(struct client *c) { coll_scan(c, KV_ZSET, 2, scan_step); }

/* ---- command table ----------------------------------------------------------------- */

#define W CMD_WRITE
#define R CMD_READONLY
#define M CMD_DENYOOM
#define F CMD_FAST
#define MK CMD_MOVABLE_KEYS
#define ZR (ACL_READ | ACL_SORTEDSET)
#define ZW (ACL_WRITE | ACL_SORTEDSET)
#define ZB (ACL_WRITE | ACL_SORTEDSET | ACL_BLOCKING)

static const struct cmd_def zset_cmds[] = {
    { "zadd", zadd_cmd, -4, W | M | F, ZW | ACL_FAST, 1, 1, 1,
      "Add one or more members to a sorted set, or update its score if it already exists", NULL, 0, NULL },
    { "zincrby", zincrby_cmd, 4, W | M | F, ZW | ACL_FAST, 1, 1, 1, "Increment the score of a member in a sorted set",
      NULL, 0, NULL },
    { "zrem", zrem_cmd, -3, W | F, ZW | ACL_FAST, 1, 1, 1, "Remove one or more members from a sorted set", NULL, 0,
      NULL },
    { "zcard", zcard_cmd, 2, R | F, ZR | ACL_FAST, 1, 1, 1, "Get the number of members in a sorted set", NULL, 0,
      NULL },
    { "zcount", zcount_cmd, 4, R | F, ZR | ACL_FAST, 1, 1, 1,
      "Count the members in a sorted set with scores within the given values", NULL, 0, NULL },
    { "zlexcount", zlexcount_cmd, 4, R | F, ZR | ACL_FAST, 1, 1, 1,
      "Count the number of members in a sorted set between a given lexicographical range", NULL, 0, NULL },
    { "zscore", zscore_cmd, 3, R | F, ZR | ACL_FAST, 1, 1, 1,
      "Get the score associated with the given member in a sorted set", NULL, 0, NULL },
    { "zmscore", zmscore_cmd, -3, R | F, ZR | ACL_FAST, 1, 1, 1,
      "Get the score associated with the given members in a sorted set", NULL, 0, NULL },
    { "zrank", zrank_cmd, 3, R | F, ZR | ACL_FAST, 1, 1, 1, "Determine the index of a member in a sorted set", NULL,
      0, NULL },
    { "zrevrank", zrevrank_cmd, 3, R | F, ZR | ACL_FAST, 1, 1, 1,
      "Determine the index of a member in a sorted set, with scores ordered from high to low", NULL, 0, NULL },
    { "zrange", zrange_cmd, -4, R, ZR | ACL_SLOW, 1, 1, 1, "Return a range of members in a sorted set", NULL, 0,
      NULL },
    { "zrangestore", zrangestore_cmd, -5, W | M, ZW | ACL_SLOW, 1, 2, 1,
      "Store a range of members from sorted set into another key", NULL, 0, NULL },
    { "zrevrange", zrevrange_cmd, -4, R, ZR | ACL_SLOW, 1, 1, 1,
      "Return a range of members in a sorted set, by index, with scores ordered from high to low", NULL, 0, NULL },
    { "zrangebyscore", zrangebyscore_cmd, -4, R, ZR | ACL_SLOW, 1, 1, 1,
      "Return a range of members in a sorted set, by score", NULL, 0, NULL },
    { "zrevrangebyscore", zrevrangebyscore_cmd, -4, R, ZR | ACL_SLOW, 1, 1, 1,
      "Return a range of members in a sorted set, by score, with scores ordered from high to low", NULL, 0, NULL },
    { "zrangebylex", zrangebylex_cmd, -4, R, ZR | ACL_SLOW, 1, 1, 1,
      "Return a range of members in a sorted set, by lexicographical range", NULL, 0, NULL },
    { "zrevrangebylex", zrevrangebylex_cmd, -4, R, ZR | ACL_SLOW, 1, 1, 1,
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
      NULL, 0, NULL },
    { "zremrangebyrank", zremrangebyrank_cmd, 4, W, ZW | ACL_SLOW, 1, 1, 1,
      "Remove all members in a sorted set within the given indexes", NULL, 0, NULL },
    { "zremrangebyscore", zremrangebyscore_cmd, 4, W, ZW | ACL_SLOW, 1, 1, 1,
      "Remove all members in a sorted set within the given scores", NULL, 0, NULL },
    { "zremrangebylex", zremrangebylex_cmd, 4, W, ZW | ACL_SLOW, 1, 1, 1,
      "Remove all members in a sorted set between the given lexicographical range", NULL, 0, NULL },
    { "zpopmin", zpopmin_cmd, -2, W | F, ZW | ACL_FAST, 1, 1, 1,
      "Remove and return members with the lowest scores in a sorted set", NULL, 0, NULL },
    { "zpopmax", zpopmax_cmd, -2, W | F, ZW | ACL_FAST, 1, 1, 1,
      "Remove and return members with the highest scores in a sorted set", NULL, 0, NULL },
    { "bzpopmin", bzpopmin_cmd, -3, W | CMD_NOSCRIPT | CMD_BLOCKING | F, ZB | ACL_FAST, 1, -2, 1,
      "Remove and return the member with the lowest score from one or more sorted sets, or block until one is "
      "available",
      NULL, 0, NULL },
    { "bzpopmax", bzpopmax_cmd, -3, W | CMD_NOSCRIPT | CMD_BLOCKING | F, ZB | ACL_FAST, 1, -2, 1,
      "Remove and return the member with the highest score from one or more sorted sets, or block until one is "
      "available",
      NULL, 0, NULL },
    { "zmpop", zmpop_cmd, -4, W | MK, ZW | ACL_SLOW, 0, 0, 0, "Remove and return members with scores in a sorted set",
      NULL, 1, NULL },
    { "bzmpop", bzmpop_cmd, -5, W | CMD_BLOCKING | MK, ZB | ACL_SLOW, 0, 0, 0,
      "Remove and return members with scores in a sorted set or block until one is available", NULL, 2, NULL },
    { "zunionstore", zunionstore_cmd, -4, W | M | MK, ZW | ACL_SLOW, 1, 1, 1,
      "Add multiple sorted sets and store the resulting sorted set in a new key", NULL, 2, NULL },
    { "zinterstore", zinterstore_cmd, -4, W | M | MK, ZW | ACL_SLOW, 1, 1, 1,
      "Intersect multiple sorted sets and store the resulting sorted set in a new key", NULL, 2, NULL },
    { "zdiffstore", zdiffstore_cmd, -4, W | M | MK, ZW | ACL_SLOW, 1, 1, 1,
      "Subtract multiple sorted sets and store the resulting sorted set in a new key", NULL, 2, NULL },
    { "zunion", zunion_cmd, -3, R | MK, ZR | ACL_SLOW, 0, 0, 0, "Add multiple sorted sets", NULL, 1, NULL },
    { "zinter", zinter_cmd, -3, R | MK, ZR | ACL_SLOW, 0, 0, 0, "Intersect multiple sorted sets", NULL, 1, NULL },
    { "zdiff", zdiff_cmd, -3, R | MK, ZR | ACL_SLOW, 0, 0, 0, "Subtract multiple sorted sets", NULL, 1, NULL },
    { "zintercard", zintercard_cmd, -3, R | MK, ZR | ACL_SLOW, 0, 0, 0,
      "Intersect multiple sorted sets and return the cardinality of the result", NULL, 1, NULL },
    { "zrandmember", zrandmember_cmd, -2, R, ZR | ACL_SLOW, 1, 1, 1,
      "Get one or multiple random elements from a sorted set", NULL, 0, NULL },
    { "zscan", zscan_cmd, -3, R, ZR | ACL_SLOW, 1, 1, 1,
      "Incrementally iterate sorted sets elements and associated scores", NULL, 0, NULL },
};

#undef W
#undef R
#undef M
#undef F
#undef MK
#undef ZR
#undef ZW
#undef ZB

const struct cmd_group cmd_group_zset = CMD_GROUP("zset", zset_cmds);
