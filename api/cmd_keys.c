/*
 * cmd_keys: the generic key commands - DEL, UNLINK, EXISTS, TOUCH, TYPE,
 * KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, the EXPIRE family,
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST - with Redis 7.0.15's
 * replies, errors, keyspace events and propagated effects.
 *
 * Shape: one generic worker per family with one-line wrappers (del, count,
 * rename, expire, ttl); every handler validates all of its arguments before
 * the first change, so an error leaves the keyspace untouched.
 *
 * Lookups: reads (EXISTS, TOUCH, TYPE, the TTL family, COPY's source, SCAN's
 * TYPE filter) go through db_read, which counts keyspace hits and misses;
 * writes go through db_write, which does not. Both expire lazily, raising
 * "expired" and propagating a DEL of their own before the command's effect.
 * EXISTS, TYPE, the TTL family and SCAN's TYPE filter leave the access time
 * (LFU counter) alone, as Redis' LOOKUP_NOTOUCH; RENAME and MOVE keep the
 * value's, COPY's new value starts afresh.
 *
 * Events, as Redis raises them (all NOTIFY_GENERIC): "del" per deleted key;
 * "new" whenever a key is created under a name (dbAdd: RENAME, COPY and MOVE
 * destinations, even when RENAME or COPY REPLACE overwrote a key - the
 * overwritten key raises nothing else); then "rename_from"/"rename_to",
 * "copy_to", "move_from"/"move_to" (each under its own database), "expire",
 * "persist". The dirty counter moves once per command that changed
 * something, except DEL (once per deleted key).
 *
 * Effects: commands propagate as received, except the EXPIRE family, which
 * propagates `PEXPIREAT key <absolute-ms> [options as given]` (PEXPIREAT
 * itself is already in that form and goes as received), or `DEL key` when
 * the time was already past and the key was deleted.
 */
#include "api/client.h"
#include "api/command.h"
#include "api/db.h"
#include "api/reply.h"
#include "api/scan.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/kv.h"
#include "engine/numfmt.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Redis reads some arguments as C strings (option names echoed in errors,
 * SCAN's TYPE name and cursor), so bytes after a NUL do not count. */
static size_t cstr_len(const struct resp_arg *a)
{
    const char *nul = a->len ? memchr(a->ptr, '\0', a->len) : NULL;
    return nul ? (size_t)(nul - a->ptr) : a->len;
}

static bool same_bytes(const struct resp_arg *a, const struct resp_arg *b)
{
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* The outputs of a two-key change (RENAME, MOVE) in Redis' order: both
 * keys changed, then the two events. */
static void signal_pair(struct client *c, const struct resp_arg *key_a, int db_a, const char *event_a,
                        const struct resp_arg *key_b, int db_b, const char *event_b)
{
    struct kv_space *ks = c->srv->ks;
    kv_changed(ks, db_a, key_a->ptr, key_a->len);
    kv_changed(ks, db_b, key_b->ptr, key_b->len);
    kv_notify(ks, NOTIFY_GENERIC, event_a, db_a, key_a->ptr, key_a->len);
    kv_notify(ks, NOTIFY_GENERIC, event_b, db_b, key_b->ptr, key_b->len);
}

/* Adds `val` (owned) under `key` in `db` with deadline `when_ms` (-1: none);
 * the engine raises "new". The key must be absent. keep_access: the same
 * value under another name (RENAME, MOVE) keeps its access time / LFU
 * counter; a new one (COPY) starts afresh. */
static void add_key(struct client *c, int db, const struct resp_arg *key, struct kv_obj *val, int64_t when_ms,
                    bool keep_access)
{
    uint32_t lru = val->lru;
    struct kv_entry *e = kv_add(c->srv->ks, db, key->ptr, key->len, val);
    if (keep_access)
        kv_entry_val(e)->lru = lru;
    if (when_ms != -1)
        kv_ttl_set(c->srv->ks, db, e, when_ms);
}

/* ---- DEL / UNLINK / EXISTS / TOUCH / TYPE ------------------------------- */

/* DEL and UNLINK: values are freed in the call either way, so UNLINK is
 * DEL under another name (and the same event, "del"). */
static void del_cmd(struct client *c)
{
    long long deleted = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_write(c, &c->argv[j]) && db_delete(c, &c->argv[j]))
            deleted++;
    reply_int(&c->out, deleted);
}

/* EXISTS and TOUCH: the number of arguments naming a live key, repeats
 * counted each time; only TOUCH touches them. */
static void count_generic(struct client *c, bool touch)
{
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        if (touch ? db_read(c, &c->argv[j]) : db_read_notouch(c, &c->argv[j]))
            n++;
    reply_int(&c->out, n);
}

static void exists_cmd(struct client *c) { count_generic(c, false); }
static void touch_cmd(struct client *c) { count_generic(c, true); }

static void type_cmd(struct client *c)
{
    struct kv_entry *e = db_read_notouch(c, &c->argv[1]);
    reply_simple(&c->out, e ? kv_type_name(kv_entry_val(e)->type) : "none");
}

/* ---- KEYS / RANDOMKEY ------------------------------------------------------ */

struct keys_ctx {
    struct client *c;
    const struct resp_arg *pat;
    bool all;
    long long n;
};

static void keys_one(struct kv_entry *e, void *arg)
{
    struct keys_ctx *k = arg;
    size_t klen;
    const char *key = kv_entry_key(e, &klen);
    if (!k->all && !glob_match(k->pat->ptr, k->pat->len, key, klen, false))
        return;
    if (kv_is_expired(e, k->c->srv->now_ms))   /* hidden, not deleted */
        return;
    reply_bulk(&k->c->out, key, klen);
    k->n++;
}

static void keys_cmd(struct client *c)
{
    const struct resp_arg *pat = &c->argv[1];
    struct keys_ctx k = { c, pat, pat->len == 1 && pat->ptr[0] == '*', 0 };
    void *slot = reply_defer(&c->out);
    kv_foreach(c->srv->ks, c->db, keys_one, &k);
    reply_set_array(&c->out, slot, k.n);
}

static uint64_t server_rnd(void *srv) { return server_random(srv); }

static void randomkey_cmd(struct client *c)
{
    struct kv_entry *e = kv_random(c->srv->ks, c->db, c->srv->now_ms, server_rnd, c->srv);
    size_t klen;
    const char *key;
    if (e) {
        key = kv_entry_key(e, &klen);
        reply_bulk(&c->out, key, klen);
    } else
        reply_null(&c->out);
}

/* ---- SCAN ------------------------------------------------------------------ */

/* Keys collected by one SCAN step, copied: filtering may expire entries. */
struct scan_keys {
    char *bytes;
    size_t used, cap;
    struct { size_t off, len; } *k;
    size_t n, kcap;
};

static void scan_collect(struct kv_entry *e, void *arg)
{
    struct scan_keys *s = arg;
    size_t klen;
    const char *key = kv_entry_key(e, &klen);
    if (!s->bytes || s->used + klen > s->cap) {   /* allocated even for an empty first key */
        s->cap = (s->used + klen) * 2 + 64;
        s->bytes = kv_xrealloc(s->bytes, s->cap);
    }
    if (s->n == s->kcap) {
        s->kcap = s->kcap * 2 + 16;
        s->k = kv_xrealloc(s->k, s->kcap * sizeof(*s->k));
    }
    memcpy(s->bytes + s->used, key, klen);
    s->k[s->n].off = s->used;
    s->k[s->n].len = klen;
    s->used += klen;
    s->n++;
}

/* Redis' filters, in its order: pattern; type (a read lookup, which counts
 * a hit or miss and may expire the key, whose type is then "none"); then a
 * key still present but expired is deleted and left out. */
static bool scan_keep(struct client *c, const struct scan_opts *o, const struct resp_arg *key)
{
    struct kv_entry *e;
    if (o->pat && !glob_match(o->pat->ptr, o->pat->len, key->ptr, key->len, false))
        return false;
    if (o->type) {
        const char *name;
        e = db_read_notouch(c, key);
        name = e ? kv_type_name(kv_entry_val(e)->type) : "none";
        if (strlen(name) != o->type_len || strncasecmp(name, o->type, o->type_len) != 0)
            return false;
    }
    e = kv_peek(c->srv->ks, c->db, key->ptr, key->len);
    if (e && kv_is_expired(e, c->srv->now_ms)) {
        kv_find(c->srv->ks, c->db, key->ptr, key->len, c->srv->now_ms);
        return false;
    }
    return true;
}

static void scan_cmd(struct client *c)
{
    struct scan_opts o;
    struct scan_keys s = { 0 };
    uint64_t cursor, maxiter;
    size_t kept = 0;

    if (!scan_cursor_or_reply(c, &c->argv[1], &cursor) || !scan_opts_or_reply(c, 2, true, &o))
        return;
    /* At most 10 * COUNT table steps (Redis computes it in a wrapping long),
     * so a sparse table cannot stall the server. */
    maxiter = (uint64_t)o.count * 10;
    do {
        cursor = kv_scan(c->srv->ks, c->db, cursor, scan_collect, &s);
    } while (cursor && maxiter-- && s.n < (uint64_t)o.count);

    for (size_t i = 0; i < s.n; i++) {
        struct resp_arg key = { s.bytes + s.k[i].off, s.k[i].len };
        if (scan_keep(c, &o, &key))
            s.k[kept++] = s.k[i];
    }
    reply_array(&c->out, 2);
    reply_bulk_ll(&c->out, (long long)cursor);
    reply_array(&c->out, (long long)kept);
    for (size_t i = 0; i < kept; i++)
        reply_bulk(&c->out, s.bytes + s.k[i].off, s.k[i].len);
    free(s.bytes);
    free(s.k);
}

/* ---- RENAME / RENAMENX / MOVE / COPY ------------------------------------- */

/* RENAME (nx false) and RENAMENX: the value and its TTL move to the new
 * name; an existing destination is replaced silently (RENAME). */
static void rename_generic(struct client *c, bool nx)
{
    const struct resp_arg *src = &c->argv[1], *dst = &c->argv[2];
    struct kv_space *ks = c->srv->ks;
    struct kv_obj *val;
    int64_t when;
    bool dst_exists;

    if (!db_write(c, src)) {
        reply_err(&c->out, RE_NO_SUCH_KEY);
        return;
    }
    if (same_bytes(src, dst)) {
        if (nx)
            reply_int(&c->out, 0);
        else
            reply_ok(&c->out);
        return;
    }
    dst_exists = db_write(c, dst) != NULL;
    if (dst_exists && nx) {
        reply_int(&c->out, 0);
        return;
    }
    val = kv_take(ks, c->db, src->ptr, src->len, &when);
    if (dst_exists)
        kv_delete(ks, c->db, dst->ptr, dst->len);
    add_key(c, c->db, dst, val, when, true);
    signal_pair(c, src, c->db, "rename_from", dst, c->db, "rename_to");
    cmd_dirty(c, 1);
    if (nx)
        reply_int(&c->out, 1);
    else
        reply_ok(&c->out);
}

static void rename_cmd(struct client *c) { rename_generic(c, false); }
static void renamenx_cmd(struct client *c) { rename_generic(c, true); }

static void move_cmd(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv_space *ks = c->srv->ks;
    struct kv_obj *val;
    int64_t when;
    int dst;

    if (!arg_db_or_reply(c, &c->argv[2], NULL, &dst))
        return;
    if (dst == c->db) {
        reply_err(&c->out, RE_SAME_OBJECT);
        return;
    }
    if (!db_write(c, key) || kv_find(ks, dst, key->ptr, key->len, c->srv->now_ms)) {
        reply_int(&c->out, 0);
        return;
    }
    val = kv_take(ks, c->db, key->ptr, key->len, &when);
    add_key(c, dst, key, val, when, true);
    signal_pair(c, key, c->db, "move_from", key, dst, "move_to");
    cmd_dirty(c, 1);
    reply_int(&c->out, 1);
}

/* COPY source destination [DB destination-db] [REPLACE]: options are
 * checked left to right, each error reported as soon as it is met. */
static void copy_cmd(struct client *c)
{
    const struct resp_arg *src = &c->argv[1], *dst = &c->argv[2];
    struct kv_space *ks = c->srv->ks;
    struct kv_entry *e;
    struct kv_obj *copy;
    bool replace = false, dst_exists;
    int db = c->db;

    for (int j = 3; j < c->argc; j++) {
        if (arg_opt_is(&c->argv[j], "replace")) {
            replace = true;
        } else if (arg_opt_is(&c->argv[j], "db") && j + 1 < c->argc) {
            if (!arg_db_or_reply(c, &c->argv[++j], NULL, &db))
                return;
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return;
        }
    }
    if (db == c->db && same_bytes(src, dst)) {
        reply_err(&c->out, RE_SAME_OBJECT);
        return;
    }
    if (!db_read(c, src)) {
        reply_int(&c->out, 0);
        return;
    }
    dst_exists = kv_find(ks, db, dst->ptr, dst->len, c->srv->now_ms) != NULL;
    if (dst_exists && !replace) {
        reply_int(&c->out, 0);
        return;
    }
    /* Looked up again: expiring the destination was a keyspace change. */
    e = kv_peek(ks, c->db, src->ptr, src->len);
    copy = kv_obj_dup(kv_entry_val(e));
    if (dst_exists)
        kv_delete(ks, db, dst->ptr, dst->len);
    add_key(c, db, dst, copy, kv_ttl_get(e), false);
    kv_changed(ks, db, dst->ptr, dst->len);
    kv_notify(ks, NOTIFY_GENERIC, "copy_to", db, dst->ptr, dst->len);
    cmd_dirty(c, 1);
    reply_int(&c->out, 1);
}

/* ---- EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT ------------------------------- */

enum { EXP_NX = 1, EXP_XX = 2, EXP_GT = 4, EXP_LT = 8 };

static bool expire_flags_or_reply(struct client *c, int *flags)
{
    *flags = 0;
    for (int j = 3; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j];
        if (arg_opt_is(a, "nx"))
            *flags |= EXP_NX;
        else if (arg_opt_is(a, "xx"))
            *flags |= EXP_XX;
        else if (arg_opt_is(a, "gt"))
            *flags |= EXP_GT;
        else if (arg_opt_is(a, "lt"))
            *flags |= EXP_LT;
        else {
            reply_errorf(&c->out, "ERR Unsupported option %.*s", (int)cstr_len(a), a->ptr);
            return false;
        }
    }
    if ((*flags & EXP_NX) && (*flags & (EXP_XX | EXP_GT | EXP_LT))) {
        reply_error(&c->out, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return false;
    }
    if ((*flags & EXP_GT) && (*flags & EXP_LT)) {
        reply_error(&c->out, "ERR GT and LT options at the same time are not compatible");
        return false;
    }
    return true;
}

/* Whether NX/XX/GT/LT let the new deadline replace `cur` (-1: none, which
 * counts as an infinite TTL for GT and LT). */
static bool expire_allowed(int flags, int64_t cur, long long when)
{
    if ((flags & EXP_NX) && cur != -1)
        return false;
    if ((flags & EXP_XX) && cur == -1)
        return false;
    if ((flags & EXP_GT) && (cur == -1 || when <= cur))
        return false;
    if ((flags & EXP_LT) && cur != -1 && when >= cur)
        return false;
    return true;
}

/* The effect of a successful set: PEXPIREAT key <when> and the options as
 * the client wrote them. */
static void effect_pexpireat(struct client *c, long long when)
{
    struct resp_arg small[8], *argv = small;
    char buf[NF_LL_BUFSIZE];
    if (c->argc > 8)
        argv = kv_xmalloc(sizeof(*argv) * (size_t)c->argc);
    argv[0] = (struct resp_arg){ "PEXPIREAT", 9 };
    argv[1] = c->argv[1];
    argv[2] = (struct resp_arg){ buf, (size_t)nf_ll2str(buf, sizeof(buf), when) };
    for (int j = 3; j < c->argc; j++)
        argv[j] = c->argv[j];
    cmd_effect(c, c->argc, argv);
    if (argv != small)
        free(argv);
}

/* relative: the time counts from now (EXPIRE, PEXPIRE); seconds: the unit
 * (EXPIRE, EXPIREAT). A time already past deletes the key. */
static void expire_generic(struct client *c, bool relative, bool seconds)
{
    const struct resp_arg *key = &c->argv[1];
    long long base = relative ? c->srv->now_ms : 0, when;
    struct kv_entry *e;
    int flags;

    if (!expire_flags_or_reply(c, &flags) || !arg_ll_or_reply(c, &c->argv[2], &when))
        return;
    if ((seconds && (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)) ||
        (seconds ? when * 1000 : when) > LLONG_MAX - base) {
        reply_errorf(&c->out, "ERR invalid expire time in '%s' command", c->cmd->name);
        return;
    }
    when = (seconds ? when * 1000 : when) + base;

    if (!(e = db_write(c, key)) || !expire_allowed(flags, kv_ttl_get(e), when)) {
        reply_int(&c->out, 0);
        return;
    }
    if (!db_expire_at(c, e, key, when)) {   /* deleted ("del" before the reply) */
        struct resp_arg del[2] = { { "DEL", 3 }, *key };
        cmd_effect(c, 2, del);
        reply_int(&c->out, 1);
    } else {
        reply_int(&c->out, 1);              /* "expire" after it, as Redis */
        db_touched(c, key, NOTIFY_GENERIC, "expire");
        if (relative || seconds)
            effect_pexpireat(c, when);
    }
}

static void expire_cmd(struct client *c) { expire_generic(c, true, true); }
static void pexpire_cmd(struct client *c) { expire_generic(c, true, false); }
static void expireat_cmd(struct client *c) { expire_generic(c, false, true); }
static void pexpireat_cmd(struct client *c) { expire_generic(c, false, false); }

/* ---- TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST ------------------------ */

/* -2: no key; -1: no TTL; else the remaining (or, abs, the absolute) time,
 * in ms or in seconds rounded half up. */
static void ttl_generic(struct client *c, bool ms, bool abs)
{
    struct kv_entry *e = db_read_notouch(c, &c->argv[1]);
    int64_t when;
    long long t;
    if (!e) {
        reply_int(&c->out, -2);
        return;
    }
    if ((when = kv_ttl_get(e)) == -1) {
        reply_int(&c->out, -1);
        return;
    }
    t = abs ? when : when - c->srv->now_ms;
    if (t < 0)
        t = 0;
    /* Unsigned: (LLONG_MAX + 500) / 1000 must not overflow. */
    reply_int(&c->out, ms ? t : (long long)(((unsigned long long)t + 500) / 1000));
}

static void ttl_cmd(struct client *c) { ttl_generic(c, false, false); }
static void pttl_cmd(struct client *c) { ttl_generic(c, true, false); }
static void expiretime_cmd(struct client *c) { ttl_generic(c, false, true); }
static void pexpiretime_cmd(struct client *c) { ttl_generic(c, true, true); }

static void persist_cmd(struct client *c)
{
    struct kv_entry *e = db_write(c, &c->argv[1]);
    if (!e || !kv_ttl_clear(c->srv->ks, e)) {
        reply_int(&c->out, 0);
        return;
    }
    db_touched(c, &c->argv[1], NOTIFY_GENERIC, "persist");
    reply_int(&c->out, 1);
}

/* ---- table ----------------------------------------------------------------- */

#define KW (CMD_WRITE)
#define KWF (CMD_WRITE | CMD_FAST)
#define KR (CMD_READONLY)
#define KRF (CMD_READONLY | CMD_FAST)
#define A_WS (ACL_KEYSPACE | ACL_WRITE | ACL_SLOW)
#define A_WF (ACL_KEYSPACE | ACL_WRITE | ACL_FAST)
#define A_RS (ACL_KEYSPACE | ACL_READ | ACL_SLOW)
#define A_RF (ACL_KEYSPACE | ACL_READ | ACL_FAST)

static const struct cmd_def keys_cmds[] = {
    { "del", del_cmd, -2, KW, A_WS, 1, -1, 1, "Delete a key", NULL },
    { "unlink", del_cmd, -2, KWF, A_WF, 1, -1, 1,
      "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", NULL },
    { "exists", exists_cmd, -2, KRF, A_RF, 1, -1, 1, "Determine if a key exists", NULL },
    { "touch", touch_cmd, -2, KRF, A_RF, 1, -1, 1,
      "Alters the last access time of a key(s). Returns the number of existing keys specified.", NULL },
    { "type", type_cmd, 2, KRF, A_RF, 1, 1, 1, "Determine the type stored at key", NULL },
    { "keys", keys_cmd, 2, KR, A_RS | ACL_DANGEROUS, 0, 0, 0, "Find all keys matching the given pattern", NULL },
    { "scan", scan_cmd, -2, KR, A_RS, 0, 0, 0, "Incrementally iterate the keys space", NULL },
    { "randomkey", randomkey_cmd, 1, KR, A_RS, 0, 0, 0, "Return a random key from the keyspace", NULL },
    { "rename", rename_cmd, 3, KW, A_WS, 1, 2, 1, "Rename a key", NULL },
    { "renamenx", renamenx_cmd, 3, KWF, A_WF, 1, 2, 1, "Rename a key, only if the new key does not exist", NULL },
    { "copy", copy_cmd, -3, KW | CMD_DENYOOM, A_WS, 1, 2, 1, "Copy a key", NULL },
    { "move", move_cmd, 3, KWF, A_WF, 1, 1, 1, "Move a key to another database", NULL },
    { "expire", expire_cmd, -3, KWF, A_WF, 1, 1, 1, "Set a key's time to live in seconds", NULL },
    { "pexpire", pexpire_cmd, -3, KWF, A_WF, 1, 1, 1, "Set a key's time to live in milliseconds", NULL },
    { "expireat", expireat_cmd, -3, KWF, A_WF, 1, 1, 1, "Set the expiration for a key as a UNIX timestamp", NULL },
    { "pexpireat", pexpireat_cmd, -3, KWF, A_WF, 1, 1, 1,
      "Set the expiration for a key as a UNIX timestamp specified in milliseconds", NULL },
    { "ttl", ttl_cmd, 2, KRF, A_RF, 1, 1, 1, "Get the time to live for a key in seconds", NULL },
    { "pttl", pttl_cmd, 2, KRF, A_RF, 1, 1, 1, "Get the time to live for a key in milliseconds", NULL },
    { "expiretime", expiretime_cmd, 2, KRF, A_RF, 1, 1, 1, "Get the expiration Unix timestamp for a key", NULL },
    { "pexpiretime", pexpiretime_cmd, 2, KRF, A_RF, 1, 1, 1,
      "Get the expiration Unix timestamp for a key in milliseconds", NULL },
    { "persist", persist_cmd, 2, KWF, A_WF, 1, 1, 1, "Remove the expiration from a key", NULL },
};

const struct cmd_group cmd_group_keys = CMD_GROUP("generic", keys_cmds);
