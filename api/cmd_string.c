/*
 * cmd_string: the string and bitmap commands of Redis 7.0 - GET, SET and its
 * variants (SETNX SETEX PSETEX GETSET GETDEL GETEX), MGET MSET MSETNX, the
 * INCR family and INCRBYFLOAT, APPEND STRLEN GETRANGE SUBSTR SETRANGE, LCS,
 * GETBIT SETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO - plus two later
 * compare-and-act forms: `SET ... IFEQ old` (Valkey 8.1) and `DELIFEQ key
 * value` (Valkey 9).
 *
 * Behaviour is Redis 7.0.15's, checked against the real server: replies and
 * error texts, the order in which arguments are validated, which lookups
 * count as keyspace hits/misses, OBJECT ENCODING of what is stored, keyspace
 * event names, and the effect propagated to the journal/replicas:
 *   - SET/SETEX/PSETEX with an expire -> SET key value PXAT <abs-ms>;
 *     SET ... GET without expire -> the command minus its GET words;
 *   - GETSET -> SET key value; GETDEL and DELIFEQ -> DEL key;
 *   - GETEX -> PEXPIREAT key <abs-ms>, PERSIST key, or DEL key (EXAT/PXAT in
 *     the past), and nothing when it changed nothing;
 *   - INCRBYFLOAT -> SET key <result> KEEPTTL;
 *   - everything else as received, and only when something changed.
 *
 * Encodings: SET-like writes store kv_str_new_encoded (int / embstr / raw,
 * Redis' tryObjectEncoding); APPEND, SETRANGE, SETBIT and BITFIELD writes turn
 * the value RAW in place (kv_str_make_raw); the INCR family stores INT;
 * INCRBYFLOAT stores its formatted result with kv_str_new (embstr / raw);
 * BITOP stores RAW.
 *
 * Pure byte work (bit counting and searching, BITOP, BITFIELD fields, range
 * arithmetic, the LCS table) lives in engine/t_string.c.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/numfmt.h"
#include "engine/t_string.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- shared helpers ----------------------------------------------------- */

/* Redis reads option words as C strings: an argument matches up to its
 * first NUL byte ("NX\0junk" is NX), case-insensitively. */
static bool word_is(const struct resp_arg *a, const char *word)
{
    const char *nul = memchr(a->ptr, '\0', a->len);
    size_t n = nul ? (size_t)(nul - a->ptr) : a->len;
    return n == strlen(word) && strncasecmp(a->ptr, word, n) == 0;
}

static long long max_bulk(const struct client *c) { return config_values(c->srv->cfg)->proto_max_bulk_len; }

static void reply_value(struct client *c, const struct kv_obj *o)
{
    char buf[KV_LLSTR_SIZE];
    size_t len;
    const char *p = kv_str_bytes(o, buf, &len);
    reply_bulk(&c->out, p, len);
}

static bool value_equals(const struct kv_obj *o, const struct resp_arg *a)
{
    char buf[KV_LLSTR_SIZE];
    size_t len;
    const char *p = kv_str_bytes(o, buf, &len);
    return len == a->len && memcmp(p, a->ptr, len) == 0;
}

/* A keyspace event that adds nothing to the dirty count (the second event
 * of one change, e.g. SET's "expire" after "set"). */
static void notify(struct client *c, const struct resp_arg *key, int cls, const char *event)
{
    kv_notify(c->srv->ks, cls, event, c->db, key->ptr, key->len);
}

/* Redis' setKey: expire the old key lazily (raising "expired"), then store.
 * Takes ownership of val. */
static struct kv_entry *store(struct client *c, const struct resp_arg *key, struct kv_obj *val, bool keep_ttl)
{
    struct kv_entry *e = db_write(c, key);
    return kv_store(c->srv->ks, c->db, e, key->ptr, key->len, val, keep_ttl);
}

/* The entry's string made RAW so it can be written in place. */
static struct kv_obj *writable(struct kv_entry *e)
{
    return kv_str_make_raw(e);
}

/* Redis' checkStringLength: a string of size+add bytes must not exceed
 * proto-max-bulk-len. */
static bool fits_or_reply(struct client *c, uint64_t size, uint64_t add)
{
    if (size + add <= (uint64_t)max_bulk(c) && size + add <= KV_STR_MAX)   /* len is 32 bits */
        return true;
    reply_err(&c->out, RE_STRING_TOO_BIG);
    return false;
}

/* Effects with a fixed shape and binary-safe keys. */
static void effect_key(struct client *c, const char *cmd, const struct resp_arg *key)
{
    struct resp_arg argv[2] = { { cmd, strlen(cmd) }, *key };
    cmd_effect(c, 2, argv);
}

static void effect_pexpireat(struct client *c, const struct resp_arg *key, long long when)
{
    char ms[NF_LL_BUFSIZE];
    struct resp_arg argv[3] = { { "PEXPIREAT", 9 }, *key, { ms, (size_t)nf_ll2str(ms, sizeof(ms), when) } };
    cmd_effect(c, 3, argv);
}

/* ---- SET / GETEX options ------------------------------------------------ */

enum {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_GET = 1 << 2,
    OPT_KEEPTTL = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5,
    OPT_PX = 1 << 6,
    OPT_EXAT = 1 << 7,
    OPT_PXAT = 1 << 8,
    OPT_IFEQ = 1 << 9,
};
#define OPT_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

enum { FOR_SET = 1, FOR_GETEX = 2 };

struct opt_rule {
    const char *word;
    unsigned flag;
    unsigned conflicts;   /* options whose presence makes this one a syntax error */
    unsigned char cmds;   /* FOR_SET | FOR_GETEX */
    bool takes_arg;
};

/* Repeating an option is allowed (the last argument wins); conflicting ones
 * are a syntax error in either order, as in Redis. */
static const struct opt_rule opt_rules[] = {
    { "nx", OPT_NX, OPT_XX | OPT_IFEQ, FOR_SET, false },
    { "xx", OPT_XX, OPT_NX | OPT_IFEQ, FOR_SET, false },
    { "ifeq", OPT_IFEQ, OPT_NX | OPT_XX, FOR_SET, true },
    { "get", OPT_GET, 0, FOR_SET, false },
    { "keepttl", OPT_KEEPTTL, OPT_PERSIST | OPT_EXPIRE, FOR_SET, false },
    { "persist", OPT_PERSIST, OPT_KEEPTTL | OPT_EXPIRE, FOR_GETEX, false },
    { "ex", OPT_EX, OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRE & ~OPT_EX), FOR_SET | FOR_GETEX, true },
    { "px", OPT_PX, OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRE & ~OPT_PX), FOR_SET | FOR_GETEX, true },
    { "exat", OPT_EXAT, OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRE & ~OPT_EXAT), FOR_SET | FOR_GETEX, true },
    { "pxat", OPT_PXAT, OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRE & ~OPT_PXAT), FOR_SET | FOR_GETEX, true },
};

struct str_opts {
    unsigned flags;
    const struct resp_arg *expire;   /* the EX/PX/EXAT/PXAT argument */
    const struct resp_arg *cmp;      /* the IFEQ argument */
};

static const struct opt_rule *find_rule(const struct resp_arg *a)
{
    for (size_t i = 0; i < sizeof(opt_rules) / sizeof(opt_rules[0]); i++)
        if (word_is(a, opt_rules[i].word))
            return &opt_rules[i];
    return NULL;
}

/* Parses c->argv[first..] as SET or GETEX options (Redis'
 * parseExtendedStringArgumentsOrReply). */
static bool parse_opts_or_reply(struct client *c, int first, int cmd, struct str_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int j = first; j < c->argc; j++) {
        const struct opt_rule *r = find_rule(&c->argv[j]);
        if (!r || !(r->cmds & cmd) || (o->flags & r->conflicts) || (r->takes_arg && j + 1 >= c->argc)) {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
        o->flags |= r->flag;
        if (r->takes_arg) {
            j++;
            if (r->flag == OPT_IFEQ)
                o->cmp = &c->argv[j];
            else
                o->expire = &c->argv[j];
        }
    }
    return true;
}

/* The absolute expire time (Unix ms) the options ask for (Redis'
 * getExpireMillisecondsOrReply): positive, no overflow when converted to ms
 * or made absolute. */
static bool expire_when_or_reply(struct client *c, const struct str_opts *o, long long *when)
{
    bool seconds = o->flags & (OPT_EX | OPT_EXAT);
    long long v;
    if (!arg_ll_or_reply(c, o->expire, &v))
        return false;
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000))
        goto invalid;
    if (seconds)
        v *= 1000;
    if (o->flags & (OPT_EX | OPT_PX))
        v = (long long)((uint64_t)v + (uint64_t)c->srv->now_ms);   /* wraps negative on overflow */
    if (v <= 0)
        goto invalid;
    *when = v;
    return true;
invalid:
    reply_errorf(&c->out, "ERR invalid expire time in '%s' command", c->cmd->name);
    return false;
}

/* ---- GET and the SET family --------------------------------------------- */

/* GET's core (Redis' getGenericCommand): replies the value or nil; false,
 * after WRONGTYPE, when the key holds another type. */
static bool get_generic_or_reply(struct client *c)
{
    struct kv_entry *e;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_STRING, &e))
        return false;
    if (e)
        reply_value(c, kv_entry_val(e));
    else
        reply_null(&c->out);
    return true;
}

static void get_cmd(struct client *c) { get_generic_or_reply(c); }

/* SET ... GET without an expire is propagated without its GET words. */
static void effect_without_get(struct client *c)
{
    struct resp_arg *argv = kv_xmalloc(sizeof(*argv) * (size_t)c->argc);
    int n = 0;
    for (int j = 0; j < c->argc; j++) {
        if (j >= 3 && word_is(&c->argv[j], "get"))
            continue;
        argv[n++] = c->argv[j];
        if (j >= 3 && word_is(&c->argv[j], "ifeq") && j + 1 < c->argc)
            argv[n++] = c->argv[++j];   /* an IFEQ operand is data, even "get" */
    }
    cmd_effect(c, n, argv);
    free(argv);
}

static void effect_set_pxat(struct client *c, const struct resp_arg *key, const struct resp_arg *val, long long when)
{
    char ms[NF_LL_BUFSIZE];
    struct resp_arg argv[5] = {
        { "SET", 3 }, *key, *val, { "PXAT", 4 }, { ms, (size_t)nf_ll2str(ms, sizeof(ms), when) },
    };
    cmd_effect(c, 5, argv);
}

/* Whether NX / XX / IFEQ let the write happen given the current entry. On
 * WRONGTYPE (IFEQ on another type) it replies and sets *failed. */
static bool set_condition(struct client *c, const struct str_opts *o, const struct kv_entry *e, bool *failed)
{
    *failed = false;
    if (o->flags & OPT_IFEQ) {
        if (!e)
            return false;
        if (kv_entry_val(e)->type != KV_STRING) {
            reply_err(&c->out, RE_WRONGTYPE);
            *failed = true;
            return false;
        }
        if (!value_equals(kv_entry_val(e), o->cmp))
            return false;
    }
    return !((o->flags & OPT_NX) && e) && !((o->flags & OPT_XX) && !e);
}

/* The one SET worker (Redis' setGenericCommand): SET, SETNX, SETEX, PSETEX.
 * int_reply selects SETNX's 1/0 instead of OK/nil. */
static void set_generic(struct client *c, const struct str_opts *o, const struct resp_arg *val, bool int_reply)
{
    const struct resp_arg *key = &c->argv[1];
    bool get = o->flags & OPT_GET, failed;
    long long when = 0;
    struct kv_entry *e;

    if (o->expire && !expire_when_or_reply(c, o, &when))
        return;
    if (get && !get_generic_or_reply(c))
        return;
    e = db_write(c, key);
    if (!set_condition(c, o, e, &failed)) {
        if (failed || get)
            return;
        if (int_reply)
            reply_int(&c->out, 0);
        else
            reply_null(&c->out);
        return;
    }
    /* db_write above already expired the key lazily: store through its result */
    e = kv_store(c->srv->ks, c->db, e, key->ptr, key->len, kv_str_new_encoded(val->ptr, val->len),
                 o->flags & OPT_KEEPTTL);
    if (o->expire)
        kv_ttl_set(c->srv->ks, c->db, e, when);   /* a past time expires it on next access */
    db_touched(c, key, NOTIFY_STRING, "set");
    if (o->expire)
        notify(c, key, NOTIFY_GENERIC, "expire");
    if (!get) {
        if (int_reply)
            reply_int(&c->out, 1);
        else
            reply_ok(&c->out);
    }
    if (o->expire)
        effect_set_pxat(c, key, val, when);
    else if (get)
        effect_without_get(c);
}

static void set_cmd(struct client *c)
{
    struct str_opts o;
    if (parse_opts_or_reply(c, 3, FOR_SET, &o))
        set_generic(c, &o, &c->argv[2], false);
}

static void setnx_cmd(struct client *c)
{
    struct str_opts o = { OPT_NX, NULL, NULL };
    set_generic(c, &o, &c->argv[2], true);
}

static void setex_cmd(struct client *c)
{
    struct str_opts o = { OPT_EX, &c->argv[2], NULL };
    set_generic(c, &o, &c->argv[3], false);
}

static void psetex_cmd(struct client *c)
{
    struct str_opts o = { OPT_PX, &c->argv[2], NULL };
    set_generic(c, &o, &c->argv[3], false);
}

static void getset_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1], *val = &c->argv[2];
    struct resp_arg effect[3] = { { "SET", 3 }, *key, *val };
    if (!get_generic_or_reply(c))
        return;
    store(c, key, kv_str_new_encoded(val->ptr, val->len), false);
    db_touched(c, key, NOTIFY_STRING, "set");
    cmd_effect(c, 3, effect);
}

static void getdel_cmd(struct client *c)
{
    if (!get_generic_or_reply(c))
        return;
    if (db_delete(c, &c->argv[1]))
        effect_key(c, "DEL", &c->argv[1]);
}

static void getex_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct str_opts o;
    struct kv_entry *e;
    long long when = 0;

    if (!parse_opts_or_reply(c, 2, FOR_GETEX, &o))
        return;
    /* Redis 7.0 looks the key up before validating the expire time. */
    if (!db_read_typed_or_reply(c, key, KV_STRING, &e))
        return;
    if (!e) {
        reply_null(&c->out);
        return;
    }
    if (o.expire && !expire_when_or_reply(c, &o, &when))
        return;
    reply_value(c, kv_entry_val(e));
    if ((o.flags & (OPT_EXAT | OPT_PXAT)) && when <= c->srv->now_ms) {
        db_delete(c, key);
        effect_key(c, "DEL", key);
    } else if (o.expire) {
        kv_ttl_set(c->srv->ks, c->db, e, when);
        db_touched(c, key, NOTIFY_GENERIC, "expire");
        effect_pexpireat(c, key, when);
    } else if ((o.flags & OPT_PERSIST) && kv_ttl_clear(c->srv->ks, e)) {
        db_touched(c, key, NOTIFY_GENERIC, "persist");
        effect_key(c, "PERSIST", key);
    }
}

/* DELIFEQ key value: deletes the key only if it holds exactly `value`. */
static void delifeq_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    if (!db_write_typed_or_reply(c, key, KV_STRING, &e))
        return;
    if (!e || !value_equals(kv_entry_val(e), &c->argv[2])) {
        reply_int(&c->out, 0);
        return;
    }
    db_delete(c, key);
    effect_key(c, "DEL", key);
    reply_int(&c->out, 1);
}

/* ---- multi-key ---------------------------------------------------------- */

static void mget_cmd(struct client *c)
{
    reply_array(&c->out, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        struct kv_entry *e = db_read(c, &c->argv[j]);
        if (e && kv_entry_val(e)->type == KV_STRING)
            reply_value(c, kv_entry_val(e));
        else
            reply_null(&c->out);
    }
}

static void mset_generic(struct client *c, bool nx)
{
    if (c->argc % 2 == 0) {
        reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", c->cmd->name);
        return;
    }
    if (nx)
        for (int j = 1; j < c->argc; j += 2)
            if (db_write(c, &c->argv[j])) {
                reply_int(&c->out, 0);
                return;
            }
    for (int j = 1; j < c->argc; j += 2) {
        store(c, &c->argv[j], kv_str_new_encoded(c->argv[j + 1].ptr, c->argv[j + 1].len), false);
        db_touched(c, &c->argv[j], NOTIFY_STRING, "set");
    }
    if (nx)
        reply_int(&c->out, 1);
    else
        reply_ok(&c->out);
}

static void mset_cmd(struct client *c) { mset_generic(c, false); }
static void msetnx_cmd(struct client *c) { mset_generic(c, true); }

/* ---- counters ----------------------------------------------------------- */

/* The one INCR worker: INCR, DECR, INCRBY, DECRBY. */
static void incr_generic(struct client *c, long long incr)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    long long v = 0;
    if (!db_write_typed_or_reply(c, key, KV_STRING, &e))
        return;
    if (e && !kv_str_to_ll(kv_entry_val(e), &v)) {
        reply_err(&c->out, RE_NOT_INT);
        return;
    }
    if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) || (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
        reply_err(&c->out, RE_OVERFLOW);
        return;
    }
    v += incr;
    if (e && kv_entry_val(e)->enc == KV_ENC_INT)
        kv_entry_val(e)->v.i = v;
    else if (e)
        kv_replace(c->srv->ks, c->db, e, kv_str_from_ll(v));
    else
        kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_str_from_ll(v));
    db_touched(c, key, NOTIFY_STRING, "incrby");
    reply_int(&c->out, v);
}

static void incr_cmd(struct client *c) { incr_generic(c, 1); }
static void decr_cmd(struct client *c) { incr_generic(c, -1); }

static void incrby_cmd(struct client *c)
{
    long long incr;
    if (arg_ll_or_reply(c, &c->argv[2], &incr))
        incr_generic(c, incr);
}

static void decrby_cmd(struct client *c)
{
    long long decr;
    if (!arg_ll_or_reply(c, &c->argv[2], &decr))
        return;
    if (decr == LLONG_MIN) {
        reply_error(&c->out, "ERR decrement would overflow");
        return;
    }
    incr_generic(c, -decr);
}

static bool value_to_ld(const struct kv_obj *o, long double *out)
{
    char buf[KV_LLSTR_SIZE];
    size_t len;
    const char *p;
    if (o->enc == KV_ENC_INT) {
        *out = (long double)o->v.i;
        return true;
    }
    p = kv_str_bytes(o, buf, &len);
    return nf_str2ld(p, len, out);
}

static void incrbyfloat_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    long double v = 0, incr;
    char buf[NF_LD_BUFSIZE];
    struct resp_arg effect[4] = { { "SET", 3 }, *key, { buf, 0 }, { "KEEPTTL", 7 } };

    if (!db_write_typed_or_reply(c, key, KV_STRING, &e))
        return;
    if ((e && !value_to_ld(kv_entry_val(e), &v)) || !nf_str2ld(c->argv[2].ptr, c->argv[2].len, &incr)) {
        reply_err(&c->out, RE_NOT_FLOAT);
        return;
    }
    v += incr;
    if (isnan(v) || isinf(v)) {
        reply_error(&c->out, "ERR increment would produce NaN or Infinity");
        return;
    }
    effect[2].len = (size_t)nf_ld2str_human(buf, sizeof(buf), v);
    if (e)
        kv_replace(c->srv->ks, c->db, e, kv_str_new(buf, effect[2].len));
    else
        kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_str_new(buf, effect[2].len));
    db_touched(c, key, NOTIFY_STRING, "incrbyfloat");
    reply_bulk(&c->out, buf, effect[2].len);
    /* replicas store the exact result rather than redo the float maths */
    cmd_effect(c, 4, effect);
}

/* ---- substrings ----------------------------------------------------------- */

static void append_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1], *add = &c->argv[2];
    struct kv_entry *e;
    size_t total;
    if (!db_write_typed_or_reply(c, key, KV_STRING, &e))
        return;
    if (!e) {
        kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_str_new_encoded(add->ptr, add->len));
        total = add->len;
    } else {
        struct kv_obj *o;
        if (!fits_or_reply(c, kv_str_len(kv_entry_val(e)), add->len))
            return;
        o = writable(e);
        kv_str_append(o, add->ptr, add->len);
        total = o->len;
    }
    db_touched(c, key, NOTIFY_STRING, "append");
    reply_int(&c->out, (long long)total);
}

static void strlen_cmd(struct client *c)
{
    struct kv_entry *e;
    if (db_read_typed_or_reply(c, &c->argv[1], KV_STRING, &e))
        reply_int(&c->out, e ? (long long)kv_str_len(kv_entry_val(e)) : 0);
}

/* GETRANGE and SUBSTR. */
static void getrange_cmd(struct client *c)
{
    struct kv_entry *e;
    long long start, end;
    char buf[KV_LLSTR_SIZE];
    const char *p;
    size_t len, from, n;
    if (!arg_ll_or_reply(c, &c->argv[2], &start) || !arg_ll_or_reply(c, &c->argv[3], &end))
        return;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_STRING, &e))
        return;
    if (!e) {
        reply_bulk(&c->out, "", 0);
        return;
    }
    p = kv_str_bytes(kv_entry_val(e), buf, &len);
    n = kv_str_range(len, start, end, &from);
    reply_bulk(&c->out, p + from, n);
}

static void setrange_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1], *val = &c->argv[3];
    struct kv_entry *e;
    struct kv_obj *o;
    long long offset;
    if (!arg_ll_or_reply(c, &c->argv[2], &offset))
        return;
    if (offset < 0) {
        reply_error(&c->out, "ERR offset is out of range");
        return;
    }
    if (!db_write_typed_or_reply(c, key, KV_STRING, &e))
        return;
    if (val->len == 0) {   /* nothing to write: report the current length */
        reply_int(&c->out, e ? (long long)kv_str_len(kv_entry_val(e)) : 0);
        return;
    }
    if (!fits_or_reply(c, (uint64_t)offset, val->len))
        return;
    if (!e)
        e = kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_str_new_raw(NULL, 0));
    o = writable(e);
    memcpy(kv_str_grow(o, (size_t)offset + val->len) + offset, val->ptr, val->len);
    db_touched(c, key, NOTIFY_STRING, "setrange");
    reply_int(&c->out, (long long)o->len);
}

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]. IDX matches
 * are collected first, so an allocation failure is a clean error reply. */
struct lcs_matches {
    struct kv_lcs_match *v;
    size_t n, cap;
    long long minlen;
};

static long long match_len(const struct kv_lcs_match *m) { return (long long)m->a_end - m->a_start + 1; }

static void lcs_collect(void *ctx, const struct kv_lcs_match *m)
{
    struct lcs_matches *ms = ctx;
    if (ms->minlen && match_len(m) < ms->minlen)
        return;
    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 16;
        ms->v = kv_xrealloc(ms->v, ms->cap * sizeof(*ms->v));
    }
    ms->v[ms->n++] = *m;
}

static void reply_lcs_idx(struct client *c, const struct lcs_matches *ms, bool withlen, long long len)
{
    reply_map(&c->out, 2);
    reply_bulk_cstr(&c->out, "matches");
    reply_array(&c->out, (long long)ms->n);
    for (size_t i = 0; i < ms->n; i++) {
        const struct kv_lcs_match *m = &ms->v[i];
        reply_array(&c->out, withlen ? 3 : 2);
        reply_array(&c->out, 2);
        reply_int(&c->out, m->a_start);
        reply_int(&c->out, m->a_end);
        reply_array(&c->out, 2);
        reply_int(&c->out, m->b_start);
        reply_int(&c->out, m->b_end);
        if (withlen)
            reply_int(&c->out, match_len(m));
    }
    reply_bulk_cstr(&c->out, "len");
    reply_int(&c->out, len);
}

struct lcs_opts {
    bool len, idx, withlen;
    long long minlen;
};

static bool lcs_opts_or_reply(struct client *c, struct lcs_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int j = 3; j < c->argc; j++) {
        if (word_is(&c->argv[j], "idx")) {
            o->idx = true;
        } else if (word_is(&c->argv[j], "len")) {
            o->len = true;
        } else if (word_is(&c->argv[j], "withmatchlen")) {
            o->withlen = true;
        } else if (word_is(&c->argv[j], "minmatchlen") && j + 1 < c->argc) {
            if (!arg_ll_or_reply(c, &c->argv[++j], &o->minlen))
                return false;
            if (o->minlen < 0)
                o->minlen = 0;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    if (o->len && o->idx) {
        reply_error(&c->out, "ERR If you want both the length and indexes, please just use IDX.");
        return false;
    }
    return true;
}

/* Redis' limits on the DP table: 32-bit indexes, and no more transient
 * memory than proto-max-bulk-len. */
static bool lcs_size_ok_or_reply(struct client *c, size_t alen, size_t blen)
{
    uint64_t table;
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(&c->out, "ERR String too long for LCS");
        return false;
    }
    table = kv_str_lcs_table_bytes(alen, blen);
    if (table && table > (uint64_t)max_bulk(c)) {
        reply_error(&c->out, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return false;
    }
    return true;
}

static void lcs_cmd(struct client *c)
{
    struct kv_entry *ea = db_read(c, &c->argv[1]), *eb = db_read(c, &c->argv[2]);
    struct lcs_opts o;
    struct lcs_matches ms = { NULL, 0, 0, 0 };
    char abuf[KV_LLSTR_SIZE], bbuf[KV_LLSTR_SIZE];
    const char *a = "", *b = "";
    size_t alen = 0, blen = 0;
    unsigned char *seq = NULL;
    long long len;

    if ((ea && kv_entry_val(ea)->type != KV_STRING) || (eb && kv_entry_val(eb)->type != KV_STRING)) {
        reply_error(&c->out, "ERR The specified keys must contain string values");
        return;
    }
    if (ea)
        a = kv_str_bytes(kv_entry_val(ea), abuf, &alen);
    if (eb)
        b = kv_str_bytes(kv_entry_val(eb), bbuf, &blen);
    if (!lcs_opts_or_reply(c, &o) || !lcs_size_ok_or_reply(c, alen, blen))
        return;
    ms.minlen = o.minlen;
    if (!o.len && !o.idx)
        seq = kv_xmalloc((alen < blen ? alen : blen) + 1);
    len = kv_str_lcs((const unsigned char *)a, alen, (const unsigned char *)b, blen, !o.len, seq,
                     o.idx ? lcs_collect : NULL, &ms);
    if (len < 0)
        reply_error(&c->out, "ERR Insufficient memory, failed allocating transient memory for LCS");
    else if (o.idx)
        reply_lcs_idx(c, &ms, o.withlen, len);
    else if (o.len)
        reply_int(&c->out, len);
    else
        reply_bulk(&c->out, (const char *)seq, (size_t)len);
    free(seq);
    free(ms.v);
}

/* ---- bits ----------------------------------------------------------------- */

/* A bit offset (Redis' getBitOffsetFromArgument): a non-negative integer,
 * or "#n" meaning n*bits when `hash` is allowed (BITFIELD), whose byte must
 * lie below proto-max-bulk-len. */
static bool bit_offset_or_reply(struct client *c, const struct resp_arg *a, bool hash, int bits, uint64_t *out)
{
    size_t skip = hash && a->len > 0 && a->ptr[0] == '#';
    long long v;
    if (!nf_str2ll(a->ptr + skip, a->len - skip, &v))
        goto invalid;
    if (skip)
        v = (long long)((uint64_t)v * (uint64_t)bits);   /* wraps as Redis' does */
    if (v < 0 || (v >> 3) >= max_bulk(c))
        goto invalid;
    *out = (uint64_t)v;
    return true;
invalid:
    reply_err(&c->out, RE_BIT_OFFSET);
    return false;
}

/* Redis' lookupStringForBitCommand: the key's string, created or unshared and
 * zero-extended so bit `maxbit` exists. Sets *grown when its length changed.
 * NULL after WRONGTYPE. */
static struct kv_obj *bit_target_or_reply(struct client *c, uint64_t maxbit, bool *grown)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_entry *e;
    struct kv_obj *o;
    size_t before;
    if (!db_write_typed_or_reply(c, key, KV_STRING, &e))
        return NULL;
    if (!e)
        e = kv_add(c->srv->ks, c->db, key->ptr, key->len, kv_str_new_raw(NULL, 0));
    o = writable(e);
    before = o->len;
    kv_str_grow(o, (size_t)(maxbit >> 3) + 1);
    *grown = o->len != before;
    return o;
}

static void getbit_cmd(struct client *c)
{
    struct kv_entry *e;
    uint64_t offset;
    char buf[KV_LLSTR_SIZE];
    const char *p;
    size_t len;
    if (!bit_offset_or_reply(c, &c->argv[2], false, 0, &offset))
        return;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_STRING, &e))
        return;
    if (!e) {
        reply_int(&c->out, 0);
        return;
    }
    p = kv_str_bytes(kv_entry_val(e), buf, &len);
    reply_int(&c->out, bits_get((const unsigned char *)p, len, offset));
}

static void setbit_cmd(struct client *c)
{
    uint64_t offset;
    long long on;
    bool grown;
    struct kv_obj *o;
    int old;
    if (!bit_offset_or_reply(c, &c->argv[2], false, 0, &offset))
        return;
    if (!nf_str2ll(c->argv[3].ptr, c->argv[3].len, &on) || (on & ~1LL)) {
        reply_err(&c->out, RE_BIT_VALUE);
        return;
    }
    if (!(o = bit_target_or_reply(c, offset, &grown)))
        return;
    old = bits_get(o->v.ptr, o->len, offset);
    /* an unchanged bit in an unchanged string is no write (not propagated) */
    if (grown || old != on) {
        bits_set(o->v.ptr, offset, (int)on);
        db_touched(c, &c->argv[1], NOTIFY_STRING, "setbit");
    }
    reply_int(&c->out, old);
}

/* "BIT" / "BYTE" unit word; false after a syntax error. */
static bool unit_or_reply(struct client *c, const struct resp_arg *a, bool *bit_unit)
{
    if (word_is(a, "bit"))
        *bit_unit = true;
    else if (word_is(a, "byte"))
        *bit_unit = false;
    else {
        reply_err(&c->out, RE_SYNTAX);
        return false;
    }
    return true;
}

/* BITCOUNT key [start end [BYTE|BIT]]: Redis 7.0 looks the key up first, so
 * a missing key answers 0 whatever the other arguments. */
static void bitcount_cmd(struct client *c)
{
    struct kv_entry *e;
    long long start = 0, end = -1;
    bool bit_unit = false;
    char buf[KV_LLSTR_SIZE];
    const char *p;
    size_t len;
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_STRING, &e))
        return;
    if (!e) {
        reply_int(&c->out, 0);
        return;
    }
    p = kv_str_bytes(kv_entry_val(e), buf, &len);
    if (c->argc == 4 || c->argc == 5) {
        if (!arg_ll_or_reply(c, &c->argv[2], &start) || !arg_ll_or_reply(c, &c->argv[3], &end))
            return;
        if (start < 0 && end < 0 && start > end) {   /* Redis answers before reading the unit */
            reply_int(&c->out, 0);
            return;
        }
        if (c->argc == 5 && !unit_or_reply(c, &c->argv[4], &bit_unit))
            return;
    } else if (c->argc != 2) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    reply_int(&c->out, (long long)kv_str_bitcount((const unsigned char *)p, len, start, end, bit_unit));
}

/* BITPOS key bit [start [end [BYTE|BIT]]] */
static void bitpos_cmd(struct client *c)
{
    struct kv_entry *e;
    long long bit, start = 0, end = -1;
    bool bit_unit = false, end_given = false;
    char buf[KV_LLSTR_SIZE];
    const char *p;
    size_t len;
    if (!arg_ll_or_reply(c, &c->argv[2], &bit))
        return;
    if (bit != 0 && bit != 1) {
        reply_error(&c->out, "ERR The bit argument must be 1 or 0.");
        return;
    }
    if (!db_read_typed_or_reply(c, &c->argv[1], KV_STRING, &e))
        return;
    if (!e) {   /* an endless run of zeros */
        reply_int(&c->out, bit ? -1 : 0);
        return;
    }
    p = kv_str_bytes(kv_entry_val(e), buf, &len);
    if (c->argc >= 4 && c->argc <= 6) {
        if (!arg_ll_or_reply(c, &c->argv[3], &start))
            return;
        if (c->argc == 6 && !unit_or_reply(c, &c->argv[5], &bit_unit))
            return;
        if (c->argc >= 5) {
            if (!arg_ll_or_reply(c, &c->argv[4], &end))
                return;
            end_given = true;
        }
    } else if (c->argc != 3) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    reply_int(&c->out, kv_str_bitpos((const unsigned char *)p, len, (int)bit, start, end, end_given, bit_unit));
}

/* BITOP AND|OR|XOR|NOT destkey key [key ...] */
static void bitop_cmd(struct client *c)
{
    static const struct { const char *word; enum bits_op op; } ops[] = {
        { "and", BITS_AND }, { "or", BITS_OR }, { "xor", BITS_XOR }, { "not", BITS_NOT },
    };
    const struct resp_arg *dest = &c->argv[2];
    size_t n = (size_t)c->argc - 3, maxlen = 0, i;
    const unsigned char **src;
    size_t *lens;
    char (*digits)[KV_LLSTR_SIZE];
    enum bits_op op;

    for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && !word_is(&c->argv[1], ops[i].word); i++)
        ;
    if (i == sizeof(ops) / sizeof(ops[0])) {
        reply_err(&c->out, RE_SYNTAX);
        return;
    }
    op = ops[i].op;
    if (op == BITS_NOT && c->argc != 4) {
        reply_error(&c->out, "ERR BITOP NOT must be called with a single source key.");
        return;
    }
    src = kv_xmalloc(n * sizeof(*src));
    lens = kv_xmalloc(n * sizeof(*lens));
    digits = kv_xmalloc(n * sizeof(*digits));
    for (i = 0; i < n; i++) {
        struct kv_entry *e;
        if (!db_read_typed_or_reply(c, &c->argv[3 + i], KV_STRING, &e))
            goto out;
        src[i] = NULL;
        lens[i] = 0;
        if (e)
            src[i] = (const unsigned char *)kv_str_bytes(kv_entry_val(e), digits[i], &lens[i]);
        if (lens[i] > maxlen)
            maxlen = lens[i];
    }
    if (maxlen) {
        /* computed before the store, which may replace a source */
        struct kv_obj *o = kv_str_new_raw(NULL, 0);
        bits_op(op, (unsigned char *)kv_str_grow(o, maxlen), maxlen, src, lens, n);
        store(c, dest, o, false);
        db_touched(c, dest, NOTIFY_STRING, "set");
    } else {
        db_delete(c, dest);   /* an empty result deletes the destination */
    }
    reply_int(&c->out, (long long)maxlen);
out:
    free(src);
    free(lens);
    free(digits);
}

/* ---- BITFIELD --------------------------------------------------------------- */

enum { BF_GET, BF_SET, BF_INCRBY };

struct bf_op {
    uint64_t offset;
    long long value;
    int bits;
    bool sign;
    unsigned char code;
    unsigned char overflow;   /* enum bits_overflow */
};

/* "i<bits>" (1..64) or "u<bits>" (1..63), read as a C string like Redis. */
static bool bf_type_or_reply(struct client *c, const struct resp_arg *a, bool *sign, int *bits)
{
    long long n;
    const char *digits = a->ptr + 1;
    size_t len = a->len ? a->len - 1 : 0;
    const char *nul = memchr(digits, '\0', len);
    if (nul)
        len = (size_t)(nul - digits);
    if (a->len && (a->ptr[0] == 'i' || a->ptr[0] == 'u') && nf_str2ll(digits, len, &n) && n >= 1 &&
        n <= (a->ptr[0] == 'i' ? 64 : 63)) {
        *sign = a->ptr[0] == 'i';
        *bits = (int)n;
        return true;
    }
    reply_error(&c->out,
                "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    return false;
}

/* Parses every operation before touching anything. Returns the number of
 * operations, or -1 after an error reply; *maxbit gets the highest bit a
 * SET/INCRBY writes and *writes whether there is one. */
static int bf_parse_or_reply(struct client *c, struct bf_op *ops, uint64_t *maxbit, bool *writes)
{
    enum bits_overflow overflow = BITS_WRAP;
    int n = 0;
    *maxbit = 0;
    *writes = false;
    for (int j = 2; j < c->argc; j++) {
        int more = c->argc - j - 1;
        struct bf_op *op = &ops[n];
        const struct resp_arg *a = &c->argv[j];
        if (word_is(a, "get") && more >= 2) {
            op->code = BF_GET;
        } else if (word_is(a, "set") && more >= 3) {
            op->code = BF_SET;
        } else if (word_is(a, "incrby") && more >= 3) {
            op->code = BF_INCRBY;
        } else if (word_is(a, "overflow") && more >= 1) {
            const struct resp_arg *w = &c->argv[++j];
            if (word_is(w, "wrap"))
                overflow = BITS_WRAP;
            else if (word_is(w, "sat"))
                overflow = BITS_SAT;
            else if (word_is(w, "fail"))
                overflow = BITS_FAIL;
            else {
                reply_error(&c->out, "ERR Invalid OVERFLOW type specified");
                return -1;
            }
            continue;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return -1;
        }
        if (!bf_type_or_reply(c, &c->argv[j + 1], &op->sign, &op->bits) ||
            !bit_offset_or_reply(c, &c->argv[j + 2], true, op->bits, &op->offset))
            return -1;
        op->value = 0;
        if (op->code != BF_GET) {
            *writes = true;
            if (*maxbit < op->offset + (uint64_t)op->bits - 1)
                *maxbit = op->offset + (uint64_t)op->bits - 1;
            if (!arg_ll_or_reply(c, &c->argv[j + 3], &op->value))
                return -1;
        }
        op->overflow = (unsigned char)overflow;
        n++;
        j += op->code == BF_GET ? 2 : 3;
    }
    return n;
}

/* Runs one SET/INCRBY on a string already long enough; replies the old
 * (SET) or new (INCRBY) value, or nil when OVERFLOW FAIL refuses it.
 * Returns -1 when refused, else whether the field's value changed. */
static int bf_write(struct client *c, unsigned char *p, size_t len, const struct bf_op *op)
{
    enum bits_overflow mode = op->overflow;
    uint64_t old, nv;
    long long ret;
    int dir;
    if (op->sign) {
        int64_t sold = bits_field_get_signed(p, len, op->offset, op->bits), snv;
        if (op->code == BF_INCRBY) {
            snv = (int64_t)((uint64_t)sold + (uint64_t)op->value);
            dir = bits_field_overflow_s(sold, op->value, op->bits, mode, &snv);
            ret = snv;
        } else {
            snv = op->value;
            dir = bits_field_overflow_s(snv, 0, op->bits, mode, &snv);
            ret = sold;
        }
        old = (uint64_t)sold;
        nv = (uint64_t)snv;
    } else {
        old = bits_field_get(p, len, op->offset, op->bits);
        if (op->code == BF_INCRBY) {
            nv = old + (uint64_t)op->value;
            dir = bits_field_overflow_u(old, op->value, op->bits, mode, &nv);
            ret = (long long)nv;
        } else {
            nv = (uint64_t)op->value;
            dir = bits_field_overflow_u(nv, 0, op->bits, mode, &nv);
            ret = (long long)old;
        }
    }
    if (dir && mode == BITS_FAIL) {
        reply_null(&c->out);
        return -1;
    }
    reply_int(&c->out, ret);
    bits_field_set(p, op->offset, op->bits, nv);
    return nv != old;
}

/* BITFIELD / BITFIELD_RO. As in Redis 7.0, a write that changes nothing
 * (same value, refused by OVERFLOW FAIL) is no change: when no operation
 * changed anything the command raises no event and is not propagated, even
 * if it created or grew the string. */
static void bitfield_generic(struct client *c, bool read_only)
{
    const struct resp_arg *key = &c->argv[1];
    struct bf_op *ops = kv_xmalloc(sizeof(*ops) * (size_t)(c->argc / 2 + 1));
    struct kv_entry *e = NULL;
    struct kv_obj *target = NULL;
    uint64_t maxbit;
    bool writes, grown = false;
    int n = bf_parse_or_reply(c, ops, &maxbit, &writes);
    long long changes = 0;

    if (n < 0)
        goto out;
    if (!writes) {
        if (!db_read_typed_or_reply(c, key, KV_STRING, &e))
            goto out;
    } else if (read_only) {
        reply_error(&c->out, "ERR BITFIELD_RO only supports the GET subcommand");
        goto out;
    } else if (!(target = bit_target_or_reply(c, maxbit, &grown))) {
        goto out;
    }
    reply_array(&c->out, n);
    for (int i = 0; i < n; i++) {
        const struct bf_op *op = &ops[i];
        if (op->code != BF_GET) {
            int r = bf_write(c, target->v.ptr, target->len, op);
            if (r > 0 || (r == 0 && grown))
                changes++;
        } else {
            const struct kv_obj *o = target ? target : e ? kv_entry_val(e) : NULL;
            char buf[KV_LLSTR_SIZE];
            size_t len = 0;
            const unsigned char *p = o ? (const unsigned char *)kv_str_bytes(o, buf, &len) : NULL;
            if (op->sign)
                reply_int(&c->out, bits_field_get_signed(p, len, op->offset, op->bits));
            else
                reply_int(&c->out, (long long)bits_field_get(p, len, op->offset, op->bits));
        }
    }
    if (changes) {
        db_touched(c, key, NOTIFY_STRING, "setbit");
        cmd_dirty(c, changes - 1);   /* Redis counts every changing operation */
    }
out:
    free(ops);
}

static void bitfield_cmd(struct client *c) { bitfield_generic(c, false); }
static void bitfield_ro_cmd(struct client *c) { bitfield_generic(c, true); }

/* ---- command table ---------------------------------------------------------- */

/* ---- key finders (COMMAND GETKEYS: these key specs have variable flags) ---- */

/* SET's key: read and updated with GET (up to a NUL, as Redis compares),
 * else overwritten. */
static int set_getkeys(int argc, const struct resp_arg *argv, struct cmd_keyref *out, int max)
{
    uint32_t flags = KEY_OW | KEY_UPDATE;
    if (argc < 2 || max < 1)
        return 0;
    for (int i = 3; i < argc; i++)
        if (arg_opt_is(&argv[i], "get")) {
            flags = KEY_RW | KEY_ACCESS | KEY_UPDATE;
            break;
        }
    out[0] = (struct cmd_keyref){ 1, flags };
    return 1;
}

/* BITFIELD's key: only read while every operation is a complete GET or
 * OVERFLOW; a SET, an INCRBY or anything else (a syntax error) writes. */
static int bitfield_getkeys(int argc, const struct resp_arg *argv, struct cmd_keyref *out, int max)
{
    uint32_t flags = KEY_RO | KEY_ACCESS;
    if (argc < 2 || max < 1)
        return 0;
    for (int i = 2; i < argc; i++) {
        int more = argc - i - 1;
        if (arg_opt_is(&argv[i], "get") && more >= 2)
            i += 2;
        else if (arg_opt_is(&argv[i], "overflow") && more >= 1)
            i += 1;
        else {
            flags = KEY_RW | KEY_ACCESS | KEY_UPDATE;
            break;
        }
    }
    out[0] = (struct cmd_keyref){ 1, flags };
    return 1;
}

#define W CMD_WRITE
#define R CMD_READONLY
#define M CMD_DENYOOM
#define F CMD_FAST
#define STR_R (ACL_READ | ACL_STRING)
#define STR_W (ACL_WRITE | ACL_STRING)
#define BIT_R (ACL_READ | ACL_BITMAP)
#define BIT_W (ACL_WRITE | ACL_BITMAP)

static const struct cmd_def string_cmds[] = {
    { "get", get_cmd, 2, R | F, STR_R | ACL_FAST, 1, 1, 1, "Get the value of a key", NULL },
    { "set", set_cmd, -3, W | M, STR_W | ACL_SLOW, 1, 1, 1, "Set the string value of a key", NULL, 0,
      set_getkeys },
    { "setnx", setnx_cmd, 3, W | M | F, STR_W | ACL_FAST, 1, 1, 1,
      "Set the value of a key, only if the key does not exist", NULL },
    { "setex", setex_cmd, 4, W | M, STR_W | ACL_SLOW, 1, 1, 1, "Set the value and expiration of a key", NULL },
    { "psetex", psetex_cmd, 4, W | M, STR_W | ACL_SLOW, 1, 1, 1,
      "Set the value and expiration in milliseconds of a key", NULL },
    { "getset", getset_cmd, 3, W | M | F, STR_W | ACL_FAST, 1, 1, 1,
      "Set the string value of a key and return its old value", NULL },
    { "getdel", getdel_cmd, 2, W | F, STR_W | ACL_FAST, 1, 1, 1, "Get the value of a key and delete the key", NULL },
    { "getex", getex_cmd, -2, W | F, STR_W | ACL_FAST, 1, 1, 1,
      "Get the value of a key and optionally set its expiration", NULL },
    { "delifeq", delifeq_cmd, 3, W | F, STR_W | ACL_FAST, 1, 1, 1,
      "Delete the key if its value equals the given string", NULL },
    { "mget", mget_cmd, -2, R | F, STR_R | ACL_FAST, 1, -1, 1, "Get the values of all the given keys", NULL },
    { "mset", mset_cmd, -3, W | M, STR_W | ACL_SLOW, 1, -1, 2, "Set multiple keys to multiple values", NULL },
    { "msetnx", msetnx_cmd, -3, W | M, STR_W | ACL_SLOW, 1, -1, 2,
      "Set multiple keys to multiple values, only if none of the keys exist", NULL },
    { "incr", incr_cmd, 2, W | M | F, STR_W | ACL_FAST, 1, 1, 1, "Increment the integer value of a key by one", NULL },
    { "decr", decr_cmd, 2, W | M | F, STR_W | ACL_FAST, 1, 1, 1, "Decrement the integer value of a key by one", NULL },
    { "incrby", incrby_cmd, 3, W | M | F, STR_W | ACL_FAST, 1, 1, 1,
      "Increment the integer value of a key by the given amount", NULL },
    { "decrby", decrby_cmd, 3, W | M | F, STR_W | ACL_FAST, 1, 1, 1,
      "Decrement the integer value of a key by the given number", NULL },
    { "incrbyfloat", incrbyfloat_cmd, 3, W | M | F, STR_W | ACL_FAST, 1, 1, 1,
      "Increment the float value of a key by the given amount", NULL },
    { "append", append_cmd, 3, W | M | F, STR_W | ACL_FAST, 1, 1, 1, "Append a value to a key", NULL },
    { "strlen", strlen_cmd, 2, R | F, STR_R | ACL_FAST, 1, 1, 1, "Get the length of the value stored in a key",
      NULL },
    { "getrange", getrange_cmd, 4, R, STR_R | ACL_SLOW, 1, 1, 1, "Get a substring of the string stored at a key",
      NULL },
    { "substr", getrange_cmd, 4, R, STR_R | ACL_SLOW, 1, 1, 1, "Get a substring of the string stored at a key",
      NULL },
    { "setrange", setrange_cmd, 4, W | M, STR_W | ACL_SLOW, 1, 1, 1,
      "Overwrite part of a string at key starting at the specified offset", NULL },
    { "lcs", lcs_cmd, -3, R, STR_R | ACL_SLOW, 1, 2, 1, "Find longest common substring", NULL },
    { "getbit", getbit_cmd, 3, R | F, BIT_R | ACL_FAST, 1, 1, 1,
      "Returns the bit value at offset in the string value stored at key", NULL },
    { "setbit", setbit_cmd, 4, W | M, BIT_W | ACL_SLOW, 1, 1, 1,
      "Sets or clears the bit at offset in the string value stored at key", NULL },
    { "bitcount", bitcount_cmd, -2, R, BIT_R | ACL_SLOW, 1, 1, 1, "Count set bits in a string", NULL },
    { "bitpos", bitpos_cmd, -3, R, BIT_R | ACL_SLOW, 1, 1, 1, "Find first bit set or clear in a string", NULL },
    { "bitop", bitop_cmd, -4, W | M, BIT_W | ACL_SLOW, 2, -1, 1, "Perform bitwise operations between strings",
      NULL },
    { "bitfield", bitfield_cmd, -2, W | M, BIT_W | ACL_SLOW, 1, 1, 1,
      "Perform arbitrary bitfield integer operations on strings", NULL, 0, bitfield_getkeys },
    { "bitfield_ro", bitfield_ro_cmd, -2, R | F, BIT_R | ACL_FAST, 1, 1, 1,
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", NULL },
};

#undef W
#undef R
#undef M
#undef F
#undef STR_R
#undef STR_W
#undef BIT_R
#undef BIT_W

const struct cmd_group cmd_group_string = CMD_GROUP("string", string_cmds);
