/*
 * dump: the DUMP payload's framing around the snapshot codec (see dump.h).
 *
 * One table maps value types to their type byte; the value itself is
 * codec_encode's output appended right after that byte, so a payload costs
 * one buffer, one pass over the value and one CRC pass.
 */
#include "engine/dump.h"
#include "engine/alloc.h"
#include "engine/crc64.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const unsigned char tag[2] = { 't', 'k' };
#define HEADER 2     /* type + encoding hint */
#define TRAILER 11   /* version + tag + CRC */

static const struct {
    int type;
    unsigned char byte;
} type_bytes[] = {
    { KV_STRING, '$' }, { KV_LIST, 'l' }, { KV_SET, 's' }, { KV_ZSET, 'z' }, { KV_HASH, 'h' }, { KV_STREAM, 'x' },
};
#define NTYPES (sizeof(type_bytes) / sizeof(type_bytes[0]))

static int type_byte(int type)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (type_bytes[i].type == type)
            return type_bytes[i].byte;
    return -1;
}

static int type_of_byte(unsigned char b)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (type_bytes[i].byte == b)
            return type_bytes[i].type;
    return -1;
}

static void append(struct codec_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len < n)
            cap *= 2;
        b->p = kv_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static uint64_t get_le64(const unsigned char *in)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

/* Hashes and sorted sets in a listpack say so: Redis keeps a listpack it
 * loads as a listpack unless it has too many entries, whatever the lengths
 * of its elements, while it re-chooses the encoding of one loaded from a
 * hash table or skiplist from both limits. */
static unsigned char hint_of(const struct kv_obj *o)
{
    bool compact = (o->type == KV_HASH || o->type == KV_ZSET) && kv_obj_encoding(o) == KV_ENC_LISTPACK;
    return compact ? DUMP_HINT_COMPACT : DUMP_HINT_NONE;
}

int dump_encode(const struct kv_obj *o, struct codec_buf *b, const char **err)
{
    int tb = type_byte(o->type);
    unsigned char trailer[TRAILER] = { DUMP_VERSION, tag[0], tag[1] };
    uint64_t crc;
    b->len = 0;
    if (tb < 0) {
        *err = "unknown value type";
        return -1;
    }
    append(b, (unsigned char[HEADER]){ (unsigned char)tb, hint_of(o) }, HEADER);
    if (codec_encode_append(o, b, err) != 0)
        return -1;
    append(b, trailer, 3);
    crc = crc64(0, b->p, b->len);
    for (int i = 0; i < 8; i++)
        trailer[3 + i] = (unsigned char)(crc >> (8 * i));
    append(b, trailer + 3, 8);
    return 0;
}

enum dump_status dump_check(const void *p, size_t len)
{
    const unsigned char *s = p;
    if (len < DUMP_MIN_LEN)
        return DUMP_BAD_FRAME;
    s += len - TRAILER;
    if (s[0] != DUMP_VERSION || s[1] != tag[0] || s[2] != tag[1])
        return DUMP_BAD_FRAME;
    return crc64(0, p, len - 8) == get_le64(s + 3) ? DUMP_OK : DUMP_BAD_FRAME;
}

struct kv_obj *dump_decode(const void *p, size_t len, const struct codec_limits *lim, enum dump_status *status,
                           char *err, size_t errcap)
{
    const unsigned char *s = p;
    struct codec_limits keep = *lim;
    struct kv_obj *o;
    int type;
    if ((*status = dump_check(p, len)) != DUMP_OK) {
        snprintf(err, errcap, "not a taskkv DUMP payload of version %d, or its checksum is wrong", DUMP_VERSION);
        return NULL;
    }
    if ((type = type_of_byte(s[0])) < 0) {
        *status = DUMP_BAD_DATA;
        snprintf(err, errcap, "unknown type byte 0x%02x", s[0]);
        return NULL;
    }
    if (s[1] == DUMP_HINT_COMPACT && (type == KV_HASH || type == KV_ZSET)) {
        keep.hash_max_value = LLONG_MAX;   /* only the entry count converts */
        keep.zset_max_value = LLONG_MAX;
    } else if (s[1] != DUMP_HINT_NONE) {
        *status = DUMP_BAD_DATA;
        snprintf(err, errcap, "bad encoding hint 0x%02x for a %s", s[1], codec_type_name(type));
        return NULL;
    }
    o = codec_decode(type, s + HEADER, len - HEADER - TRAILER, &keep, 0, err, errcap);
    if (!o)
        *status = DUMP_BAD_DATA;
    return o;
}
