/* db: see db.h. */
#include "api/db.h"
#include "api/client.h"
#include "api/command.h"
#include "api/reply.h"
#include "api/server.h"

static struct kv_entry *read_generic(struct client *c, const struct resp_arg *key, bool touch)
{
    struct server *srv = c->srv;
    struct kv_entry *e = touch ? kv_find(srv->ks, c->db, key->ptr, key->len, srv->now_ms)
                               : kv_find_notouch(srv->ks, c->db, key->ptr, key->len, srv->now_ms);
    if (e) {
        srv->stats.keyspace_hits++;
    } else {
        srv->stats.keyspace_misses++;
        kv_notify(srv->ks, NOTIFY_KEY_MISS, "keymiss", c->db, key->ptr, key->len);
    }
    return e;
}

struct kv_entry *db_read(struct client *c, const struct resp_arg *key) { return read_generic(c, key, true); }

struct kv_entry *db_read_notouch(struct client *c, const struct resp_arg *key)
{
    return read_generic(c, key, false);
}

struct kv_entry *db_write(struct client *c, const struct resp_arg *key)
{
    return kv_find(c->srv->ks, c->db, key->ptr, key->len, c->srv->now_ms);
}

struct kv_entry *db_peek(struct client *c, const struct resp_arg *key)
{
    return kv_peek(c->srv->ks, c->db, key->ptr, key->len);
}

static bool typed_or_reply(struct client *c, struct kv_entry *e, int type, struct kv_entry **out)
{
    if (e && kv_entry_val(e)->type != type) {
        reply_err(&c->out, RE_WRONGTYPE);
        return false;
    }
    *out = e;
    return true;
}

bool db_read_typed_or_reply(struct client *c, const struct resp_arg *key, int type, struct kv_entry **out)
{
    return typed_or_reply(c, db_read(c, key), type, out);
}

bool db_write_typed_or_reply(struct client *c, const struct resp_arg *key, int type, struct kv_entry **out)
{
    return typed_or_reply(c, db_write(c, key), type, out);
}

void db_touched(struct client *c, const struct resp_arg *key, int cls, const char *event)
{
    kv_changed(c->srv->ks, c->db, key->ptr, key->len);
    if (event)
        kv_notify(c->srv->ks, cls, event, c->db, key->ptr, key->len);
    cmd_dirty(c, 1);
}

bool db_delete(struct client *c, const struct resp_arg *key)
{
    if (!kv_delete(c->srv->ks, c->db, key->ptr, key->len))
        return false;
    db_touched(c, key, NOTIFY_GENERIC, "del");
    return true;
}

bool db_expire_at(struct client *c, struct kv_entry *e, const struct resp_arg *key, long long when_ms)
{
    if (when_ms <= c->srv->now_ms) {
        db_delete(c, key);
        return false;
    }
    kv_ttl_set(c->srv->ks, c->db, e, when_ms);
    return true;
}
