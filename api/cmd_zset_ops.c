/*
 * cmd_zset_ops: sorted-set algebra - ZUNION ZINTER ZDIFF (WITHSCORES),
 * ZUNIONSTORE ZINTERSTORE ZDIFFSTORE, ZINTERCARD (LIMIT) - with WEIGHTS and
 * AGGREGATE SUM|MIN|MAX. Inputs may be sorted sets or plain sets (every
 * member scoring 1); a missing key is an empty input.
 *
 * One worker (zsetop_generic) does all seven, as Redis 7.0 does, and keeps
 * its observable details:
 *   - order: numkeys, then every input key is looked up (WRONGTYPE before
 *     any option is read), then the options;
 *   - for UNION and INTER the inputs are taken smallest first (a stable
 *     sort), which fixes the order of floating-point sums; weighted scores
 *     that come out NaN (inf * 0) count as 0, and a SUM of inf and -inf is 0;
 *     INTER starts from the smallest input's weighted score; DIFF keeps the
 *     first input's unweighted scores;
 *   - the result is built with tzset_acc (member index first, one sort at
 *     the end); a stored result is a listpack when it fits the limits.
 */
#include "api/client.h"
#include "api/cmd_zset.h"
#include "api/command.h"
#include "api/db.h"
#include "api/reply.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/numfmt.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum zop { ZOP_UNION, ZOP_INTER, ZOP_DIFF };
enum zagg { AGG_SUM, AGG_MIN, AGG_MAX };

/* One input: a zset, a set, or nothing (missing key). */
struct zsrc {
    int type;          /* KV_ZSET, KV_SET, or -1 */
    void *p;
    double weight;
};

struct zsetop {
    enum zop op;
    enum zagg agg;
    bool withscores;
    long long limit;   /* ZINTERCARD; 0 = none */
    struct zsrc *src;
    long long n;
};

static size_t src_len(const struct zsrc *s)
{
    if (s->type == KV_ZSET)
        return tzset_len(s->p);
    return s->type == KV_SET ? tset_card(s->p) : 0;
}

/* Calls fn(member, score) for every element while it returns true. */
typedef bool (*src_fn)(const char *m, size_t len, double score, void *arg);

static void src_foreach(const struct zsrc *s, src_fn fn, void *arg)
{
    if (s->type == KV_ZSET) {
        struct tzset_iter it;
        struct tzset_elem e;
        tzset_iter_rank(s->p, &it, 0, false);
        while (tzset_iter_next(&it, &e))
            if (!fn(e.m, e.len, e.score, arg))
                break;
    } else if (s->type == KV_SET) {
        struct tset_iter it;
        const char *p;
        size_t len;
        tset_iter_init(&it, s->p);
        while (tset_iter_next(&it, &p, &len))
            if (!fn(p, len, 1.0, arg))
                break;
        tset_iter_deinit(&it);
    }
}

static bool src_find(const struct zsrc *s, const char *m, size_t len, double *score)
{
    *score = 1.0;
    if (s->type == KV_ZSET)
        return tzset_score(s->p, m, len, score);
    return s->type == KV_SET && tset_ismember(s->p, m, len);
}

static void aggregate(double *target, double v, enum zagg agg)
{
    if (agg == AGG_SUM) {
        *target += v;
        if (isnan(*target))   /* inf + -inf */
            *target = 0;
    } else if (agg == AGG_MIN) {
        *target = v < *target ? v : *target;
    } else {
        *target = v > *target ? v : *target;
    }
}

/* ---- the three operations ------------------------------------------------- */

struct op_ctx {
    const struct zsetop *o;
    struct tzset *acc;     /* result, NULL when only counting */
    const struct zsrc *cur;
    long long count;
};

static bool union_elem(const char *m, size_t len, double score, void *arg)
{
    struct op_ctx *x = arg;
    double v = x->cur->weight * score;
    bool created;
    double *slot = tzset_acc(x->acc, m, len, &created);
    if (isnan(v))
        v = 0;
    if (created)
        *slot = v;
    else
        aggregate(slot, v, x->o->agg);
    return true;
}

static bool inter_elem(const char *m, size_t len, double score, void *arg)
{
    struct op_ctx *x = arg;
    double total = x->o->src[0].weight * score, v;
    bool created;
    if (isnan(total))
        total = 0;
    for (long long j = 1; j < x->o->n; j++) {
        if (!src_find(&x->o->src[j], m, len, &v))
            return true;
        aggregate(&total, v * x->o->src[j].weight, x->o->agg);
    }
    x->count++;
    if (x->acc)
        *tzset_acc(x->acc, m, len, &created) = total;
    return !(x->o->limit && x->count >= x->o->limit);
}

static bool diff_elem(const char *m, size_t len, double score, void *arg)
{
    struct op_ctx *x = arg;
    double v;
    bool created;
    for (long long j = 1; j < x->o->n; j++)
        if (src_find(&x->o->src[j], m, len, &v))
            return true;
    *tzset_acc(x->acc, m, len, &created) = score;
    return true;
}

/* Runs the operation into ctx (acc and/or count). */
static void run_op(const struct zsetop *o, struct op_ctx *x)
{
    x->o = o;
    x->count = 0;
    if (o->op == ZOP_UNION) {
        for (long long i = 0; i < o->n; i++) {
            x->cur = &o->src[i];
            src_foreach(x->cur, union_elem, x);
        }
    } else {
        x->cur = &o->src[0];
        src_foreach(x->cur, o->op == ZOP_INTER ? inter_elem : diff_elem, x);
    }
}

/* ---- parsing -------------------------------------------------------------------- */

/* Stable insertion sort by size, smallest first. */
static void sort_by_size(struct zsrc *src, long long n)
{
    for (long long i = 1; i < n; i++) {
        struct zsrc s = src[i];
        size_t len = src_len(&s);
        long long j = i;
        for (; j > 0 && src_len(&src[j - 1]) > len; j--)
            src[j] = src[j - 1];
        src[j] = s;
    }
}

/* Looks up every input key (WRONGTYPE for anything but a zset or a set). */
static bool inputs_or_reply(struct client *c, int first, struct zsetop *o)
{
    o->src = kv_xcalloc((size_t)o->n, sizeof(*o->src));
    for (long long i = 0; i < o->n; i++) {
        struct kv_entry *e = db_read(c, &c->argv[first + i]);
        struct kv_obj *v = e ? kv_entry_val(e) : NULL;
        o->src[i].weight = 1.0;
        o->src[i].type = v ? v->type : -1;
        if (v && v->type != KV_ZSET && v->type != KV_SET) {
            reply_err(&c->out, RE_WRONGTYPE);
            return false;
        }
        o->src[i].p = v ? v->v.ptr : NULL;
    }
    return true;
}

static bool options_or_reply(struct client *c, int j, bool store, bool card_only, struct zsetop *o)
{
    bool weighted = o->op != ZOP_DIFF && !card_only;
    while (j < c->argc) {
        int remaining = c->argc - j;
        const struct resp_arg *a = &c->argv[j];
        if (weighted && remaining >= o->n + 1 && arg_opt_is(a, "weights")) {
            j++;
            for (long long i = 0; i < o->n; i++, j++)
                if (!nf_str2d(c->argv[j].ptr, c->argv[j].len, &o->src[i].weight)) {
                    reply_error(&c->out, "ERR weight value is not a float");
                    return false;
                }
        } else if (weighted && remaining >= 2 && arg_opt_is(a, "aggregate")) {
            const struct resp_arg *v = &c->argv[j + 1];
            if (arg_opt_is(v, "sum"))
                o->agg = AGG_SUM;
            else if (arg_opt_is(v, "min"))
                o->agg = AGG_MIN;
            else if (arg_opt_is(v, "max"))
                o->agg = AGG_MAX;
            else
                break;
            j += 2;
        } else if (!store && !card_only && arg_opt_is(a, "withscores")) {
            o->withscores = true;
            j++;
        } else if (card_only && remaining >= 2 && arg_opt_is(a, "limit")) {
            if (!arg_nonneg_or_reply(c, &c->argv[j + 1], RE_LIMIT_NEGATIVE, &o->limit))
                return false;
            j += 2;
        } else {
            break;
        }
    }
    if (j < c->argc) {
        reply_err(&c->out, RE_SYNTAX);
        return false;
    }
    return true;
}

/* ---- the worker ------------------------------------------------------------------- */

static void reply_result(struct client *c, struct tzset *z, bool withscores)
{
    struct tzset_limits never = { 0, 0 };   /* stays a skiplist: it is only read */
    struct tzset_iter it;
    struct tzset_elem e;
    tzset_acc_done(z, &never);
    zcmd_reply_header(c, (long long)tzset_len(z), withscores);
    tzset_iter_rank(z, &it, 0, false);
    while (tzset_iter_next(&it, &e))
        zcmd_reply_elem(c, &e, withscores);
}

/* dst: the destination (the *STORE forms) or NULL; numkeys_idx: where
 * numkeys is; card_only: ZINTERCARD. */
static void zsetop_generic(struct client *c, const struct resp_arg *dst, int numkeys_idx, enum zop op,
                           bool card_only)
{
    struct zsetop o = { op, AGG_SUM, false, 0, NULL, 0 };
    struct op_ctx x = { NULL, NULL, NULL, 0 };

    if (!arg_ll_or_reply(c, &c->argv[numkeys_idx], &o.n))
        return;
    if (o.n < 1) {
        reply_errorf(&c->out, "ERR at least 1 input key is needed for '%s' command", c->cmd->name);
        return;
    }
    if (o.n > c->argc - numkeys_idx - 1) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    if (!inputs_or_reply(c, numkeys_idx + 1, &o) ||
        !options_or_reply(c, numkeys_idx + 1 + (int)o.n, dst != NULL, card_only, &o))
        goto out;
    if (op != ZOP_DIFF)
        sort_by_size(o.src, o.n);
    if (!card_only)
        x.acc = tzset_new_skiplist();
    if (op != ZOP_INTER || src_len(&o.src[0]) > 0)
        run_op(&o, &x);
    if (card_only)
        reply_int(&c->out, x.count);
    else if (dst)
        zcmd_store(c, dst, x.acc, op == ZOP_UNION ? "zunionstore" : op == ZOP_INTER ? "zinterstore" : "zdiffstore");
    else
        reply_result(c, x.acc, o.withscores);
    if (!dst)
        tzset_free(x.acc);
out:
    free(o.src);
}

void zunionstore_cmd(struct client *c) { zsetop_generic(c, &c->argv[1], 2, ZOP_UNION, false); }
void zinterstore_cmd(struct client *c) { zsetop_generic(c, &c->argv[1], 2, ZOP_INTER, false); }
void zdiffstore_cmd(struct client *c) { zsetop_generic(c, &c->argv[1], 2, ZOP_DIFF, false); }
void zunion_cmd(struct client *c) { zsetop_generic(c, NULL, 1, ZOP_UNION, false); }
void zinter_cmd(struct client *c) { zsetop_generic(c, NULL, 1, ZOP_INTER, false); }
void zdiff_cmd(struct client *c) { zsetop_generic(c, NULL, 1, ZOP_DIFF, false); }
void zintercard_cmd(struct client *c) { zsetop_generic(c, NULL, 1, ZOP_INTER, true); }
