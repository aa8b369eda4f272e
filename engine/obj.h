/*
 * obj: the value objects stored in the keyspace.
 *
 * Every value is a `struct kv_obj` with a type and an encoding. This file has
 * the common header and the string representations; the collection types add
 * their own encodings in their t_<type>.c files.
 *
 * Strings come in the three encodings Redis reports through OBJECT ENCODING:
 *   KV_ENC_INT     the value is a long long in `v.i` (no bytes stored);
 *   KV_ENC_EMBSTR  up to KV_EMBSTR_MAX bytes stored inline, starting at
 *                  `v` and running past the end of the struct (so an
 *                  EMBSTR object is 8 + max(8, len + 1) bytes): inside a
 *                  keyspace entry this makes key and value one allocation;
 *   KV_ENC_RAW     a separate, growable buffer in `v.ptr` (APPEND, SETRANGE
 *                  and SETBIT work on it in place).
 * A string is at most KV_STR_MAX bytes (`len` is 32 bits).
 * Every string buffer keeps a trailing NUL that is not part of the value, so
 * numeric parsers may look one byte past the end; values themselves are
 * binary-safe and `len` is authoritative.
 */
#ifndef TASKKV_ENGINE_OBJ_H
#define TASKKV_ENGINE_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kv_type { KV_STRING, KV_LIST, KV_SET, KV_ZSET, KV_HASH, KV_STREAM };

enum kv_enc {
    KV_ENC_RAW, KV_ENC_INT, KV_ENC_EMBSTR,
    KV_ENC_HASHTABLE, KV_ENC_INTSET, KV_ENC_LISTPACK, KV_ENC_QUICKLIST, KV_ENC_SKIPLIST,
    KV_ENC_STREAM,
};

#define KV_EMBSTR_MAX 44
#define KV_STR_MAX 4294967294ULL
/* Longest decimal form of a long long, plus sign and NUL. */
#define KV_LLSTR_SIZE 24

/* 16 bytes; an EMBSTR's bytes start at `v` and may run past the struct. */
struct kv_obj {
    uint32_t type : 4;
    uint32_t enc : 4;
    uint32_t lru : 24;   /* LRU clock or LFU (time << 8 | counter), Redis' 24 bits */
    uint32_t len;        /* string bytes (EMBSTR, RAW) */
    union {
        long long i;
        void *ptr;
        char emb[8];
    } v;
};

/* Bytes an object occupies where it is stored: 16, or more for EMBSTR. */
static inline size_t kv_obj_span(const struct kv_obj *o)
{
    return o->enc == KV_ENC_EMBSTR && o->len >= 8 ? 8 + (size_t)o->len + 1 : 16;
}

/* A string with Redis' createStringObject choice: EMBSTR up to 44 bytes,
 * RAW above. The bytes are copied. Never returns NULL (aborts on OOM). */
struct kv_obj *kv_str_new(const char *p, size_t len);
/* As kv_str_new, but INT when the bytes are a canonical long long of at most
 * 20 characters (Redis' tryObjectEncoding): what SET stores. */
struct kv_obj *kv_str_new_encoded(const char *p, size_t len);
/* Always RAW, with room for `len` bytes; `p` may be NULL for zero bytes. */
struct kv_obj *kv_str_new_raw(const char *p, size_t len);
struct kv_obj *kv_str_from_ll(long long v);

/* The collection types (engine/t_<type>.c) each export one table of the
 * operations the generic object code needs; the value's `v.ptr` is the
 * type's own opaque structure, which knows its layout. */
struct kv_type_ops {
    void (*destroy)(void *p);
    void *(*dup)(const void *p);
    /* The encoding Redis 7.0 would report (KV_ENC_*), for OBJECT ENCODING. */
    int (*encoding)(const void *p);
};
extern const struct kv_type_ops tlist_ops, thash_ops, tset_ops, tzset_ops, tstream_ops;

/* Wraps a collection structure (taken over) in a value object. */
struct kv_obj *kv_obj_wrap(int type, void *p);
/* The encoding OBJECT ENCODING reports: o->enc for strings, the type's
 * answer for collections. */
int kv_obj_encoding(const struct kv_obj *o);

/* Frees any object; NULL is a no-op. */
void kv_obj_free(struct kv_obj *o);
/* Frees what the object owns outside itself (a RAW buffer, a collection),
 * not the object's own bytes: for objects stored inside another block. */
void kv_obj_release(struct kv_obj *o);
/* Copies an object's kv_obj_span(src) bytes into `dst` (ownership of what
 * it points to moves with them). */
void kv_obj_move(struct kv_obj *dst, const struct kv_obj *src);
/* A deep copy (COPY command). */
struct kv_obj *kv_obj_dup(const struct kv_obj *o);

/* The string's bytes. For INT the digits are written into `buf` (size
 * KV_LLSTR_SIZE) and `buf` is returned; otherwise the object's own bytes,
 * valid until the object changes. */
const char *kv_str_bytes(const struct kv_obj *o, char *buf, size_t *len);
size_t kv_str_len(const struct kv_obj *o);
/* True and *out set when the string is a canonical integer (any encoding). */
bool kv_str_to_ll(const struct kv_obj *o, long long *out);

/* RAW only: makes the value at least `len` bytes long, zero-filling new
 * bytes, and returns the buffer. */
char *kv_str_grow(struct kv_obj *o, size_t len);
/* RAW only: appends bytes. */
void kv_str_append(struct kv_obj *o, const char *p, size_t len);

const char *kv_type_name(int type);
const char *kv_enc_name(int enc);

/* The reference count Redis 7.0 would report (OBJECT REFCOUNT, DEBUG
 * OBJECT): INT_MAX for the integers 0..9999 when Redis shares them
 * (`shared_ints`: the current maxmemory settings allow it; Redis decides
 * when it makes the value), else 1. */
int kv_obj_refcount(const struct kv_obj *o, bool shared_ints);

#endif
