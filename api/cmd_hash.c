/*
 * cmd_hash: the hash commands of Redis 7.0 - HSET HSETNX HMSET HGET HMGET
 * HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT
 * HRANDFIELD HSCAN. The data structure is engine/t_hash.
 *
 * Behaviour is Redis 7.0.15's, checked against the real server: replies and
 * their RESP3 shapes (HGETALL a map; HRANDFIELD ... WITHVALUES an array of
 * [field, value] arrays under RESP3, a flat array under RESP2), error texts
 * and the order in which arguments are validated, keyspace events ("hset" for
 * HSET/HSETNX/HMSET, "hdel" then "del" when HDEL empties the hash,
 * "hincrby", "hincrbyfloat"), and the encoding (listpack / hashtable,
 * thresholds read from the config on every write; see engine/t_hash.h).
 *
 * Propagation: writes go as received, except HINCRBYFLOAT, which goes as
 * `HSET key field <result>` so replicas store the exact text rather than
 * redo the float maths. A write that changed nothing (HSETNX of an existing
 * field, HDEL of absent fields) is not propagated.
 *
 * An emptied hash never stays in the keyspace: HDEL deletes the key when it
 * removes the last field. HSCAN is api/coll.h's coll_scan with a field,
 * value step.
 */
#include "api/client.h"
#include "api/coll.h"
#include "api/command.h"
#include "api/config.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/kv.h"
#include "engine/numfmt.h"
#include "engine/t_hash.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ----------------------------------------------------- */

static struct thash *hash_of(struct kv_entry *e) { return kv_entry_val(e)->v.ptr; }

static struct thash_limits limits(const struct client *c)
{
    const struct config_values *cv = config_values(c->srv->cfg);
    return (struct thash_limits){ cv->hash_max_listpack_entries, cv->hash_max_listpack_value };
}

static uint64_t rnd(void *srv) { return server_random(srv); }

/* The hash at an entry found by a write lookup, or a new empty one stored
 * under the key when there was none (Redis' hashTypeLookupWriteOrCreate). */
static struct thash *hash_or_create(struct client *c, struct kv_entry *e, const struct resp_arg *key)
{
    struct thash *h;
    if (e)
        return hash_of(e);
    h = thash_new();
    kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_obj_wrap(KV_HASH, h));
    return h;
}

/* A read lookup: the hash, or NULL when the key is absent (*ok true) or
 * holds another type (*ok false, WRONGTYPE replied). */
static struct thash *read_hash(struct client *c, bool *ok)
{
    struct kv_entry *e;
    *ok = db_read_typed_or_reply(c, &c->argv[1], KV_HASH, &e);
    return *ok && e ? hash_of(e) : NULL;
}

/* The change outputs: key changed, event, and `n` changes counted, as Redis
 * adds one to the dirty counter per field written or deleted. */
static void touched(struct client *c, const char *event, long long n)
{
    coll_touched(c, &c->argv[1], NOTIFY_HASH, event, n);
}

/* ---- HSET / HMSET / HSETNX ------------------------------------------------ */

/* HSET (integer reply: fields added) and HMSET (+OK). */
static void hset_generic(struct client *c, bool ok_reply)
{
    struct thash_limits lim = limits(c);
    struct kv_entry *e;
    struct thash *h;
    long long added = 0;

    if (c->argc % 2 != 0) {
        cmd_wrong_arity(c, c->cmd->name);
        return;
    }
    if (!db_write_typed_or_reply(c, &c->argv[1], KV_HASH, &e))
        return;
    h = hash_or_create(c, e, &c->argv[1]);
    for (int i = 2; i < c->argc; i += 2)
        added += thash_set(h, c->argv[i].ptr, c->argv[i].len, c->argv[i + 1].ptr, c->argv[i + 1].len, lim);
    if (ok_reply)
        reply_ok(&c->out);
    else
        reply_int(&c->out, added);
    touched(c, "hset", (c->argc - 2) / 2);   /* after the reply, as Redis (RESP3 pushes to c follow it) */
}

static void hset_cmd(struct client *c) { hset_generic(c, false); }
static void hmset_cmd(struct client *c) { hset_generic(c, true); }

static void hsetnx_cmd(struct client *c)
{
    const struct resp_arg *f = &c->argv[2], *v = &c->argv[3];
    struct kv_entry *e;
    struct thash *h;

    if (!db_write_typed_or_reply(c, &c->argv[1], KV_HASH, &e))
        return;
    h = hash_or_create(c, e, &c->argv[1]);   /* a new hash always takes the field */
    if (!thash_setnx(h, f->ptr, f->len, v->ptr, v->len, limits(c))) {
        reply_int(&c->out, 0);
        return;
    }
    reply_int(&c->out, 1);
    touched(c, "hset", 1);
}

/* ---- reads of single fields ------------------------------------------------ */

static void reply_field_value(struct client *c, struct thash *h, const struct resp_arg *f)
{
    const char *v;
    size_t vlen;
    if (h && thash_get(h, f->ptr, f->len, &v, &vlen))
        reply_bulk(&c->out, v, vlen);
    else
        reply_null(&c->out);
}

static void hget_cmd(struct client *c)
{
    bool ok;
    struct thash *h = read_hash(c, &ok);
    if (ok)
        reply_field_value(c, h, &c->argv[2]);
}

static void hmget_cmd(struct client *c)
{
    bool ok;
    struct thash *h = read_hash(c, &ok);
    if (!ok)
        return;
    reply_array(&c->out, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_field_value(c, h, &c->argv[i]);
}

static void hlen_cmd(struct client *c)
{
    bool ok;
    struct thash *h = read_hash(c, &ok);
    if (ok)
        reply_int(&c->out, h ? (long long)thash_length(h) : 0);
}

static void hstrlen_cmd(struct client *c)
{
    bool ok;
    struct thash *h = read_hash(c, &ok);
    if (ok)
        reply_int(&c->out, h ? (long long)thash_strlen(h, c->argv[2].ptr, c->argv[2].len) : 0);
}

static void hexists_cmd(struct client *c)
{
    bool ok;
    struct thash *h = read_hash(c, &ok);
    if (ok)
        reply_int(&c->out, h && thash_exists(h, c->argv[2].ptr, c->argv[2].len));
}

/* ---- HDEL ---------------------------------------------------------------------- */

static void hdel_cmd(struct client *c)
{
    struct kv_entry *e;
    struct thash *h;
    long long deleted = 0;

    if (!db_write_typed_or_reply(c, &c->argv[1], KV_HASH, &e))
        return;
    if (!e) {
        reply_int(&c->out, 0);
        return;
    }
    h = hash_of(e);
    for (int i = 2; i < c->argc && thash_length(h) > 0; i++)
        deleted += thash_delete(h, c->argv[i].ptr, c->argv[i].len);
    if (deleted) {
        bool emptied = thash_length(h) == 0;   /* read before the delete frees h */
        touched(c, "hdel", deleted);
        if (emptied)
            db_delete(c, &c->argv[1]);
    }
    reply_int(&c->out, deleted);
}

/* ---- whole-hash reads ------------------------------------------------------ */

enum { GET_KEYS = 1, GET_VALUES = 2 };

/* HKEYS, HVALS, HGETALL (a map under RESP3). */
static void getall_generic(struct client *c, int what)
{
    bool ok;
    struct thash *h = read_hash(c, &ok);
    size_t n = h ? thash_length(h) : 0;
    struct thash_iter it;
    const char *f, *v;
    size_t flen, vlen;

    if (!ok)
        return;
    if (what == (GET_KEYS | GET_VALUES))
        reply_map(&c->out, (long long)n);
    else
        reply_array(&c->out, (long long)n);
    if (!h)
        return;
    thash_iter_init(&it, h);
    while (thash_iter_next(&it, &f, &flen, &v, &vlen)) {
        if (what & GET_KEYS)
            reply_bulk(&c->out, f, flen);
        if (what & GET_VALUES)
            reply_bulk(&c->out, v, vlen);
    }
    thash_iter_deinit(&it);
}

static void hkeys_cmd(struct client *c) { getall_generic(c, GET_KEYS); }
static void hvals_cmd(struct client *c) { getall_generic(c, GET_VALUES); }
static void hgetall_cmd(struct client *c) { getall_generic(c, GET_KEYS | GET_VALUES); }

/* ---- HINCRBY / HINCRBYFLOAT --------------------------------------------------- */

/* The hash and the field's current value for an increment: *h NULL when the
 * key is absent, *v NULL when the field is. False after WRONGTYPE. */
static bool incr_target(struct client *c, struct kv_entry **e, struct thash **h, const char **v, size_t *vlen)
{
    if (!db_write_typed_or_reply(c, &c->argv[1], KV_HASH, e))
        return false;
    *h = *e ? hash_of(*e) : NULL;
    if (!*h || !thash_get(*h, c->argv[2].ptr, c->argv[2].len, v, vlen))
        *v = NULL;
    return true;
}

/* Stores the new value text (copied: it may not point into the hash). */
static void incr_store(struct client *c, struct kv_entry *e, const char *v, size_t vlen)
{
    struct thash *h = hash_or_create(c, e, &c->argv[1]);
    thash_set(h, c->argv[2].ptr, c->argv[2].len, v, vlen, limits(c));
}

static void hincrby_cmd(struct client *c)
{
    long long incr, cur = 0;
    struct kv_entry *e;
    struct thash *h;
    const char *v;
    size_t vlen;
    char buf[NF_LL_BUFSIZE];

    if (!arg_ll_or_reply(c, &c->argv[3], &incr) || !incr_target(c, &e, &h, &v, &vlen))
        return;
    if (v && !nf_str2ll(v, vlen, &cur)) {
        reply_error(&c->out, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && cur < 0 && incr < LLONG_MIN - cur) || (incr > 0 && cur > 0 && incr > LLONG_MAX - cur)) {
        reply_err(&c->out, RE_OVERFLOW);
        return;
    }
    cur += incr;
    incr_store(c, e, buf, (size_t)nf_ll2str(buf, sizeof(buf), cur));
    reply_int(&c->out, cur);
    touched(c, "hincrby", 1);
}

static void hincrbyfloat_cmd(struct client *c)
{
    long double incr, cur = 0;
    struct kv_entry *e;
    struct thash *h;
    const char *v;
    size_t vlen;
    char buf[NF_LD_BUFSIZE];
    struct resp_arg effect[4] = { { "HSET", 4 }, c->argv[1], c->argv[2], { buf, 0 } };

    if (!nf_str2ld(c->argv[3].ptr, c->argv[3].len, &incr)) {
        reply_err(&c->out, RE_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(&c->out, "ERR value is NaN or Infinity");
        return;
    }
    if (!incr_target(c, &e, &h, &v, &vlen))
        return;
    if (v && !nf_str2ld(v, vlen, &cur)) {
        reply_error(&c->out, "ERR hash value is not a float");
        return;
    }
    cur += incr;
    if (isnan(cur) || isinf(cur)) {
        reply_err(&c->out, RE_INCR_NAN);
        return;
    }
    effect[3].len = (size_t)nf_ld2str_human(buf, sizeof(buf), cur);
    incr_store(c, e, buf, effect[3].len);
    reply_bulk(&c->out, buf, effect[3].len);
    touched(c, "hincrbyfloat", 1);
    cmd_effect(c, 4, effect);
}

/* ---- HRANDFIELD --------------------------------------------------------------- */

struct rand_reply {
    struct client *c;
    bool withvalues;
};

static void reply_rand_pair(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct rand_reply *r = arg;
    if (r->withvalues && r->c->out.proto == 3)
        reply_array(&r->c->out, 2);
    reply_bulk(&r->c->out, f, flen);
    if (r->withvalues)
        reply_bulk(&r->c->out, v, vlen);
}

/* HRANDFIELD's count and WITHVALUES (arg_random_count_or_reply): *uniq
 * for a positive count, *count its magnitude. */
static bool hrandfield_args_or_reply(struct client *c, uint64_t *count, bool *uniq, bool *withvalues)
{
    long long l;
    if (!arg_random_count_or_reply(c, "withvalues", &l, withvalues))
        return false;
    *uniq = l >= 0;
    *count = *uniq ? (uint64_t)l : (uint64_t)-l;
    return true;
}

/* HRANDFIELD key count [WITHVALUES]: a positive count asks for distinct
 * fields (at most all of them), a negative one for -count independent draws. */
static void hrandfield_count(struct client *c)
{
    struct rand_reply r = { c, false };
    uint64_t count;
    bool ok, uniq;
    struct thash *h;

    if (!hrandfield_args_or_reply(c, &count, &uniq, &r.withvalues))
        return;
    h = read_hash(c, &ok);
    if (!ok)
        return;
    if (!h || count == 0) {
        reply_array(&c->out, 0);
        return;
    }
    if (uniq && count > thash_length(h))
        count = thash_length(h);
    reply_array(&c->out, (long long)count * (r.withvalues && c->out.proto == 2 ? 2 : 1));
    if (uniq)
        thash_random_distinct(h, count, rnd, c->srv, reply_rand_pair, &r);
    else
        thash_random_repeat(h, count, rnd, c->srv, reply_rand_pair, &r);
}

static void hrandfield_cmd(struct client *c)
{
    bool ok;
    struct thash *h;
    const char *f, *v;
    size_t flen, vlen;

    if (c->argc >= 3) {
        hrandfield_count(c);
        return;
    }
    h = read_hash(c, &ok);
    if (!ok)
        return;
    if (h && thash_random(h, rnd, c->srv, &f, &flen, &v, &vlen))
        reply_bulk(&c->out, f, flen);
    else
        reply_null(&c->out);
}

/* ---- HSCAN --------------------------------------------------------------------- */

static void scan_pair(const char *f, size_t flen, const char *v, size_t vlen, void *out)
{
    coll_strs_push(out, f, flen);
    coll_strs_push(out, v, vlen);
}

/* coll_scan_fn: a field and its value per element; a listpack comes whole.
 * Redis counts both toward COUNT. */
static uint64_t scan_step(void *h, uint64_t cursor, struct coll_strs *out)
{
    return thash_scan(h, cursor, scan_pair, out);
}

static void hscan_cmd(struct client *c) { coll_scan(c, KV_HASH, 2, scan_step); }

/* ---- command table ------------------------------------------------------------- */

#define W CMD_WRITE
#define R CMD_READONLY
#define M CMD_DENYOOM
#define F CMD_FAST
#define H_R (ACL_READ | ACL_HASH)
#define H_W (ACL_WRITE | ACL_HASH)

static const struct cmd_def hash_cmds[] = {
    { "hset", hset_cmd, -4, W | M | F, H_W | ACL_FAST, 1, 1, 1, "Set the string value of a hash field", NULL },
    { "hsetnx", hsetnx_cmd, 4, W | M | F, H_W | ACL_FAST, 1, 1, 1,
      "Set the value of a hash field, only if the field does not exist", NULL },
    { "hmset", hmset_cmd, -4, W | M | F, H_W | ACL_FAST, 1, 1, 1, "Set multiple hash fields to multiple values",
      NULL },
    { "hget", hget_cmd, 3, R | F, H_R | ACL_FAST, 1, 1, 1, "Get the value of a hash field", NULL },
    { "hmget", hmget_cmd, -3, R | F, H_R | ACL_FAST, 1, 1, 1, "Get the values of all the given hash fields", NULL },
    { "hdel", hdel_cmd, -3, W | F, H_W | ACL_FAST, 1, 1, 1, "Delete one or more hash fields", NULL },
    { "hlen", hlen_cmd, 2, R | F, H_R | ACL_FAST, 1, 1, 1, "Get the number of fields in a hash", NULL },
    { "hstrlen", hstrlen_cmd, 3, R | F, H_R | ACL_FAST, 1, 1, 1, "Get the length of the value of a hash field",
      NULL },
    { "hexists", hexists_cmd, 3, R | F, H_R | ACL_FAST, 1, 1, 1, "Determine if a hash field exists", NULL },
    { "hkeys", hkeys_cmd, 2, R, H_R | ACL_SLOW, 1, 1, 1, "Get all the fields in a hash", NULL },
    { "hvals", hvals_cmd, 2, R, H_R | ACL_SLOW, 1, 1, 1, "Get all the values in a hash", NULL },
    { "hgetall", hgetall_cmd, 2, R, H_R | ACL_SLOW, 1, 1, 1, "Get all the fields and values in a hash", NULL },
    { "hincrby", hincrby_cmd, 4, W | M | F, H_W | ACL_FAST, 1, 1, 1,
      "Increment the integer value of a hash field by the given number", NULL },
    { "hincrbyfloat", hincrbyfloat_cmd, 4, W | M | F, H_W | ACL_FAST, 1, 1, 1,
      "Increment the float value of a hash field by the given amount", NULL },
    { "hrandfield", hrandfield_cmd, -2, R, H_R | ACL_SLOW, 1, 1, 1, "Get one or multiple random fields from a hash",
      NULL },
    { "hscan", hscan_cmd, -3, R, H_R | ACL_SLOW, 1, 1, 1, "Incrementally iterate hash fields and associated values",
      NULL },
};

#undef W
#undef R
#undef M
#undef F
#undef H_R
#undef H_W

const struct cmd_group cmd_group_hash = CMD_GROUP("hash", hash_cmds);
