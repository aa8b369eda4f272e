/*
 * cmd_debug: DEBUG and its subcommands - RELOAD, DIGEST, DIGEST-VALUE,
 * OBJECT, PROTOCOL, SET-ACTIVE-EXPIRE, QUICKLIST-PACKED-THRESHOLD, SLEEP,
 * LOG, HELP, and taskkv's DISK-FAULT.
 *
 * DEBUG is a protected command (CMD_PROTECTED): the dispatcher refuses it
 * unless enable-debug-command allows it, before queueing in MULTI, as Redis
 * 7.0 does (api/command.c). Subcommands come from one table with their
 * arity; a name that is not there, or a wrong argument count, gets Redis'
 * "unknown subcommand or wrong number of arguments" error. Redis' other
 * subcommands (POPULATE, JMAP, CRASH-AND-RECOVER ...) are unknown here.
 *
 * DEBUG OBJECT prints Redis' line. Where taskkv's layout differs the fields
 * mean the closest thing taskkv has: serializedlength is the length of the
 * value's snapshot encoding (engine/codec.h; a string's bytes), not of an
 * RDB; ql_uncompressed_size sums taskkv's node packs; ql_compressed is 0
 * (nodes are never compressed); ql_listpack_max is the list's own fill
 * (list-max-listpack-size when it was created, -2 for SORT ... STORE).
 */
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/log.h"
#include "api/maxmemory.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/server.h"
#include "engine/codec.h"
#include "engine/digest.h"
#include "engine/faultvfs.h"
#include "engine/kv.h"
#include "engine/t_list.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An argument as a NUL-terminated string cut at its first NUL, as Redis'
 * C-string parsers (atoi, strtod) see it. */
static void arg_cstr(const struct resp_arg *a, char *buf, size_t size)
{
    size_t n = a->len < size - 1 ? a->len : size - 1;
    memcpy(buf, a->ptr, n);
    buf[n] = '\0';
}

/* ---- RELOAD, DIGEST, DIGEST-VALUE ------------------------------------------ */

static void debug_reload(struct client *c)
{
    struct server *srv = c->srv;
    bool merge = false, flush = true, save = true;
    if (persist_loading(srv)) {   /* the start-up load is still adding keys */
        reply_error(&c->out, PERSIST_LOADING_ERR);
        return;
    }
    for (int j = 2; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "merge"))
            merge = true;
        else if (arg_is(&c->argv[j], "noflush"))
            flush = false;
        else if (arg_is(&c->argv[j], "nosave"))
            save = false;
        else {
            reply_error(&c->out, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    if (save) {
        /* a child finishing later would put an older dataset in place */
        persist_kill_child(srv);
        if (!persist_save(srv)) {
            reply_error(&c->out, "ERR");
            return;
        }
    }
    if (flush)
        kv_flush_all(srv->ks);
    if (!persist_load(srv, merge)) {
        reply_error(&c->out, "ERR Error trying to load the RDB dump, check server logs.");
        return;
    }
    log_at(srv, LOG_WARNING, "DB reloaded by DEBUG RELOAD");
    reply_ok(&c->out);
}

static void reply_digest(struct client *c, const unsigned char d[DIGEST_LEN])
{
    char hex[DIGEST_HEX_LEN + 1];
    digest_hex(d, hex);
    reply_simple(&c->out, hex);
}

static void debug_digest(struct client *c)
{
    unsigned char d[DIGEST_LEN];
    digest_keyspace(c->srv->ks, c->srv->now_ms, d);
    reply_digest(c, d);
}

/* Like Redis, reads the table directly: a logically expired key that is
 * still there has its digest. */
static void debug_digest_value(struct client *c)
{
    reply_array(&c->out, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        unsigned char d[DIGEST_LEN] = { 0 };
        struct kv_entry *e = kv_peek(c->srv->ks, c->db, c->argv[j].ptr, c->argv[j].len);
        if (e && digest_value(kv_entry_val(e), d) != 0)
            memset(d, 0, sizeof(d));
        reply_digest(c, d);
    }
}

/* ---- OBJECT ------------------------------------------------------------------ */

static size_t serialized_length(const struct kv_obj *o)
{
    struct codec_buf b = { 0 };
    const char *err;
    size_t len;
    if (o->type == KV_STRING)
        return kv_str_len(o);
    len = codec_encode(o, &b, &err) == 0 ? b.len : 0;
    codec_buf_free(&b);
    return len;
}

/* " ql_nodes:... ql_uncompressed_size:..." for a list, else "". */
static void quicklist_fields(struct client *c, const struct kv_obj *o, char *buf, size_t size)
{
    const struct tlist *l = o->v.ptr;
    size_t nodes;
    buf[0] = '\0';
    if (o->type != KV_LIST)
        return;
    nodes = tlist_node_count(l);
    snprintf(buf, size, " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:0 ql_uncompressed_size:%zu",
             nodes, nodes ? (double)tlist_len(l) / (double)nodes : 0.0,
             tlist_fill(l), tlist_bytes(l));
}

/* Redis reads the table directly: no expiry, no access-time update. */
static void debug_object(struct client *c)
{
    struct kv_entry *e = kv_peek(c->srv->ks, c->db, c->argv[2].ptr, c->argv[2].len);
    const struct kv_obj *o;
    char extra[256], line[512];
    if (!e) {
        reply_err(&c->out, RE_NO_SUCH_KEY);
        return;
    }
    o = kv_entry_val(e);
    quicklist_fields(c, o, extra, sizeof(extra));
    snprintf(line, sizeof(line),
             "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%lld%s",
             (const void *)o, kv_obj_refcount(o, maxmem_shares_integers(c->srv)), kv_enc_name(kv_obj_encoding(o)),
             serialized_length(o), (unsigned)o->lru, kv_idle_seconds(c->srv->ks, o), extra);
    reply_simple(&c->out, line);
}

/* ---- PROTOCOL: one sample reply of each RESP type ----------------------------- */

static void proto_string(struct reply *r) { reply_bulk_cstr(r, "Hello World"); }
static void proto_integer(struct reply *r) { reply_int(r, 12345); }
static void proto_double(struct reply *r) { reply_double(r, 3.141); }
static void proto_null(struct reply *r) { reply_null(r); }
static void proto_true(struct reply *r) { reply_bool(r, true); }
static void proto_false(struct reply *r) { reply_bool(r, false); }

static void proto_bignum(struct reply *r)
{
    static const char digits[] = "1234567999999999999999999999999999999";
    reply_bignum(r, digits, sizeof(digits) - 1);
}

static void proto_array(struct reply *r)
{
    reply_array(r, 3);
    for (int j = 0; j < 3; j++)
        reply_int(r, j);
}

static void proto_set(struct reply *r)
{
    reply_set(r, 3);
    for (int j = 0; j < 3; j++)
        reply_int(r, j);
}

static void proto_map(struct reply *r)
{
    reply_map(r, 3);
    for (int j = 0; j < 3; j++) {
        reply_int(r, j);
        reply_bool(r, j == 1);
    }
}

/* RESP3: an attribute frame, then the reply; RESP2 shows the reply only. */
static void proto_attrib(struct reply *r)
{
    if (r->proto >= 3) {
        reply_attr(r, 1);
        reply_bulk_cstr(r, "key-popularity");
        reply_array(r, 2);
        reply_bulk_cstr(r, "key:123");
        reply_int(r, 90);
    }
    reply_bulk_cstr(r, "Some real reply following the attribute");
}

static void proto_push(struct reply *r)
{
    if (r->proto < 3) {
        reply_error(r, "ERR RESP2 is not supported by this command");
        return;
    }
    reply_push(r, 2);
    reply_bulk_cstr(r, "server-cpu-usage");
    reply_int(r, 42);
    reply_bulk_cstr(r, "Some real reply following the push reply");
}

static void proto_verbatim(struct reply *r)
{
    static const char text[] = "This is a verbatim\nstring";
    reply_verbatim(r, text, sizeof(text) - 1, "txt");
}

static const struct {
    const char *name;
    void (*fn)(struct reply *r);
} protocol_types[] = {
    { "string", proto_string }, { "integer", proto_integer }, { "double", proto_double },
    { "bignum", proto_bignum }, { "null", proto_null }, { "array", proto_array }, { "set", proto_set },
    { "map", proto_map }, { "attrib", proto_attrib }, { "push", proto_push }, { "verbatim", proto_verbatim },
    { "true", proto_true }, { "false", proto_false },
};

static void debug_protocol(struct client *c)
{
    for (size_t i = 0; i < sizeof(protocol_types) / sizeof(protocol_types[0]); i++)
        if (arg_opt_is(&c->argv[2], protocol_types[i].name)) {
            protocol_types[i].fn(&c->out);
            return;
        }
    reply_error(&c->out, "ERR Wrong protocol type name. Please use one of the following: "
                         "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
}

/* ---- switches ----------------------------------------------------------------- */

/* Any argument is taken as atoi() reads it: 0 (also for text) turns active
 * expiry off, anything else on. */
static void debug_set_active_expire(struct client *c)
{
    char buf[32];
    arg_cstr(&c->argv[2], buf, sizeof(buf));
    kv_set_active_expire(c->srv->ks, strtol(buf, NULL, 10) != 0);
    reply_ok(&c->out);
}

static void debug_quicklist_packed_threshold(struct client *c)
{
    char buf[160];
    unsigned long long bytes;
    arg_cstr(&c->argv[2], buf, sizeof(buf));
    if (!config_parse_memory(buf, &bytes) || !tlist_set_plain_threshold(bytes))
        reply_error(&c->out, "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    else
        reply_ok(&c->out);
}

static void debug_sleep(struct client *c)
{
    char buf[64];
    double secs;
    struct timespec ts;
    arg_cstr(&c->argv[2], buf, sizeof(buf));
    secs = strtod(buf, NULL);
    if (!isfinite(secs) || secs < 0)
        secs = 0;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    reply_ok(&c->out);
}

static void debug_log(struct client *c)
{
    log_at(c->srv, LOG_WARNING, "DEBUG LOG: %.*s", (int)c->argv[2].len, c->argv[2].ptr);
    reply_ok(&c->out);
}

static void debug_disk_fault(struct client *c)
{
    char name[16];
    int mode = -1;
    if (c->argv[2].len < sizeof(name)) {
        arg_cstr(&c->argv[2], name, sizeof(name));
        mode = faultvfs_parse(name);
    }
    if (mode < 0) {
        reply_error(&c->out, "ERR DEBUG DISK-FAULT takes FULL, IOERR, SLOW or OFF");
        return;
    }
    faultvfs_arm((enum faultvfs_mode)mode);
    log_at(c->srv, LOG_WARNING, "DEBUG DISK-FAULT: %s", mode == FAULTVFS_SLOW ? "every fsync takes 2 seconds"
           : mode ? faultvfs_name(mode) : "sqlite file writes work again");
    reply_ok(&c->out);
}

/* Redis' lines for the subcommands taskkv has, in Redis' order, then
 * taskkv's own. */
static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "DISK-FAULT <FULL|IOERR|SLOW|OFF>",
        "    Make every write and fsync of the snapshot and journal files fail as on a",
        "    full disk (FULL) or a failing one (IOERR), every fsync take 2 seconds",
        "    (SLOW), or work again (OFF).",
        "HELP",
        "    Prints this help.",
    };
    reply_lines(&c->out, lines, sizeof(lines) / sizeof(lines[0]));
}

/* ---- the subcommand table ---------------------------------------------------- */

static const struct {
    const char *name;
    int arity;                 /* argc with DEBUG itself; negative: at least */
    void (*fn)(struct client *c);
} debug_subs[] = {
    { "help", 2, debug_help },
    { "reload", -2, debug_reload },
    { "digest", 2, debug_digest },
    { "digest-value", -2, debug_digest_value },
    { "object", 3, debug_object },
    { "protocol", 3, debug_protocol },
    { "set-active-expire", 3, debug_set_active_expire },
    { "quicklist-packed-threshold", 3, debug_quicklist_packed_threshold },
    { "sleep", 3, debug_sleep },
    { "log", 3, debug_log },
    { "disk-fault", 3, debug_disk_fault },
};

static void debug_cmd(struct client *c)
{
    const struct resp_arg *sub = &c->argv[1];
    char name[129];
    for (size_t i = 0; i < sizeof(debug_subs) / sizeof(debug_subs[0]); i++) {
        int arity = debug_subs[i].arity;
        if (arg_opt_is(sub, debug_subs[i].name) && (arity > 0 ? c->argc == arity : c->argc >= -arity)) {
            debug_subs[i].fn(c);
            return;
        }
    }
    arg_cstr(sub, name, sizeof(name));
    reply_errorf(&c->out, "ERR unknown subcommand or wrong number of arguments for '%s'. Try DEBUG HELP.", name);
}

static const struct cmd_def debug_cmds[] = {
    { "debug", debug_cmd, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_PROTECTED,
      ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, 0, 0, 0, "A container for debugging commands.", NULL },
};

const struct cmd_group cmd_group_debug = CMD_GROUP("server", debug_cmds);
