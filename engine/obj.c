/*
 * obj: value objects and the string encodings (see obj.h for the layout).
 *
 * Allocation: EMBSTR puts header and bytes in one malloc (the bytes start at
 * `v`, so a short string costs 16 bytes in all); RAW keeps its bytes
 * in a second allocation whose capacity is read back with malloc_usable_size,
 * so appends grow geometrically without storing a capacity field.
 */
#include "engine/obj.h"
#include "engine/numfmt.h"
#include "engine/alloc.h"

#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static struct kv_obj *obj_alloc(size_t span)
{
    struct kv_obj *o = kv_xmalloc(span);
    o->type = KV_STRING;
    o->lru = 0;
    o->len = 0;
    return o;
}

static char *emb_bytes(struct kv_obj *o)
{
    return (char *)o + offsetof(struct kv_obj, v);
}

static struct kv_obj *embstr_new(const char *p, size_t len)
{
    struct kv_obj *o;
    char *data;
    o = obj_alloc(len + 1 > 8 ? 8 + len + 1 : sizeof(*o));
    o->enc = KV_ENC_EMBSTR;
    o->len = (uint32_t)len;
    data = emb_bytes(o);
    if (len)
        memcpy(data, p, len);
    data[len] = '\0';
    return o;
}

struct kv_obj *kv_str_new_raw(const char *p, size_t len)
{
    struct kv_obj *o = obj_alloc(sizeof(*o));
    char *data = kv_xmalloc(len + 1);
    o->enc = KV_ENC_RAW;
    o->len = len;
    o->v.ptr = data;
    if (len)
        memcpy(data, p, len);
    data[len] = '\0';
    return o;
}

struct kv_obj *kv_str_new(const char *p, size_t len)
{
    return len <= KV_EMBSTR_MAX ? embstr_new(p, len) : kv_str_new_raw(p, len);
}

struct kv_obj *kv_str_from_ll(long long v)
{
    struct kv_obj *o = obj_alloc(sizeof(*o));
    o->enc = KV_ENC_INT;
    o->v.i = v;
    return o;
}

struct kv_obj *kv_str_new_encoded(const char *p, size_t len)
{
    long long v;
    if (len <= 20 && nf_str2ll(p, len, &v))
        return kv_str_from_ll(v);
    return kv_str_new(p, len);
}

static const struct kv_type_ops *ops_of(int type)
{
    switch (type) {
    case KV_LIST: return &tlist_ops;
    case KV_SET: return &tset_ops;
    case KV_ZSET: return &tzset_ops;
    case KV_HASH: return &thash_ops;
    case KV_STREAM: return &tstream_ops;
    default: return NULL;
    }
}

struct kv_obj *kv_obj_wrap(int type, void *p)
{
    struct kv_obj *o = obj_alloc(sizeof(*o));
    o->type = (uint32_t)type & 15;
    o->enc = (uint32_t)ops_of(type)->encoding(p) & 15;
    o->v.ptr = p;
    return o;
}

int kv_obj_encoding(const struct kv_obj *o)
{
    const struct kv_type_ops *ops = ops_of(o->type);
    return ops ? ops->encoding(o->v.ptr) : o->enc;
}

void kv_obj_release(struct kv_obj *o)
{
    const struct kv_type_ops *ops = ops_of(o->type);
    if (ops)
        ops->destroy(o->v.ptr);
    else if (o->enc == KV_ENC_RAW)
        free(o->v.ptr);
}

void kv_obj_free(struct kv_obj *o)
{
    if (!o)
        return;
    kv_obj_release(o);
    free(o);
}

void kv_obj_move(struct kv_obj *dst, const struct kv_obj *src)
{
    memcpy(dst, src, kv_obj_span(src));
}

struct kv_obj *kv_obj_dup(const struct kv_obj *o)
{
    const struct kv_type_ops *ops = ops_of(o->type);
    if (ops) {
        struct kv_obj *d = kv_obj_wrap(o->type, ops->dup(o->v.ptr));
        d->lru = o->lru;
        return d;
    }
    switch (o->enc) {
    case KV_ENC_INT: return kv_str_from_ll(o->v.i);
    case KV_ENC_EMBSTR: return embstr_new(emb_bytes((struct kv_obj *)o), o->len);
    default: return kv_str_new_raw(o->v.ptr, o->len);
    }
}

const char *kv_str_bytes(const struct kv_obj *o, char *buf, size_t *len)
{
    if (o->enc == KV_ENC_INT) {
        *len = (size_t)nf_ll2str(buf, KV_LLSTR_SIZE, o->v.i);
        return buf;
    }
    *len = o->len;
    return o->enc == KV_ENC_EMBSTR ? emb_bytes((struct kv_obj *)o) : o->v.ptr;
}

size_t kv_str_len(const struct kv_obj *o)
{
    char buf[KV_LLSTR_SIZE];
    size_t len;
    if (o->enc != KV_ENC_INT)
        return o->len;
    kv_str_bytes(o, buf, &len);
    return len;
}

bool kv_str_to_ll(const struct kv_obj *o, long long *out)
{
    if (o->enc == KV_ENC_INT) {
        *out = o->v.i;
        return true;
    }
    return nf_str2ll(o->enc == KV_ENC_EMBSTR ? emb_bytes((struct kv_obj *)o) : o->v.ptr, o->len, out);
}

static void raw_reserve(struct kv_obj *o, size_t len)
{
    size_t cap = malloc_usable_size(o->v.ptr);
    size_t want;
    if (len + 1 <= cap)
        return;
    want = len + 1;
    if (want < 1024 * 1024)
        want *= 2;             /* grow geometrically below 1 MiB, */
    else
        want += 1024 * 1024;   /* then by 1 MiB steps, as Redis does */
    o->v.ptr = kv_xrealloc(o->v.ptr, want);
}

char *kv_str_grow(struct kv_obj *o, size_t len)
{
    char *data;
    if (len > o->len) {
        raw_reserve(o, len);
        data = o->v.ptr;
        memset(data + o->len, 0, len - o->len + 1);
        o->len = len;
    }
    return o->v.ptr;
}

void kv_str_append(struct kv_obj *o, const char *p, size_t len)
{
    char *data;
    raw_reserve(o, o->len + len);
    data = o->v.ptr;
    memcpy(data + o->len, p, len);
    o->len += len;
    data[o->len] = '\0';
}

const char *kv_type_name(int type)
{
    static const char *const names[] = {
        [KV_STRING] = "string", [KV_LIST] = "list", [KV_SET] = "set",
        [KV_ZSET] = "zset", [KV_HASH] = "hash", [KV_STREAM] = "stream",
    };
    return type >= 0 && type <= KV_STREAM ? names[type] : "unknown";
}

const char *kv_enc_name(int enc)
{
    static const char *const names[] = {
        [KV_ENC_RAW] = "raw", [KV_ENC_INT] = "int", [KV_ENC_EMBSTR] = "embstr",
        [KV_ENC_HASHTABLE] = "hashtable", [KV_ENC_INTSET] = "intset",
        [KV_ENC_LISTPACK] = "listpack", [KV_ENC_QUICKLIST] = "quicklist",
        [KV_ENC_SKIPLIST] = "skiplist", [KV_ENC_STREAM] = "stream",
    };
    return enc >= 0 && enc <= KV_ENC_STREAM ? names[enc] : "unknown";
}

int kv_obj_refcount(const struct kv_obj *o, bool shared_ints)
{
    if (shared_ints && o->type == KV_STRING && o->enc == KV_ENC_INT && o->v.i >= 0 && o->v.i < 10000)
        return INT_MAX;
    return 1;
}
