/*
 * digest: SHA-1 and the dataset digests (see digest.h).
 */
#include "engine/digest.h"
#include "engine/kv.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_stream.h"
#include "engine/t_zset.h"

#include <string.h>

/* ---- SHA-1 ---------------------------------------------------------------- */

static inline uint32_t rol32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const unsigned char *b)
{
    uint32_t w[80], a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 | (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    for (int i = 0; i < 80; i++) {
        uint32_t f, k, t;
        if (i < 20) {
            f = (bb & c) | (~bb & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = bb ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (bb & c) | (bb & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = bb ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(bb, 30);
        bb = a;
        a = t;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
    c->h[0] = 0x67452301u;
    c->h[1] = 0xEFCDAB89u;
    c->h[2] = 0x98BADCFEu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xC3D2E1F0u;
    c->bytes = 0;
    c->used = 0;
}

void sha1_update(struct sha1_ctx *c, const void *p, size_t len)
{
    const unsigned char *s = p;
    c->bytes += len;
    if (c->used) {
        size_t take = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->block + c->used, s, take);
        c->used += take;
        s += take;
        len -= take;
        if (c->used < 64)
            return;
        sha1_block(c->h, c->block);
        c->used = 0;
    }
    for (; len >= 64; s += 64, len -= 64)
        sha1_block(c->h, s);
    if (len) {
        memcpy(c->block, s, len);
        c->used = len;
    }
}

void sha1_final(struct sha1_ctx *c, unsigned char out[DIGEST_LEN])
{
    uint64_t bits = c->bytes * 8;
    unsigned char pad[72];
    size_t padlen = (c->used < 56 ? 56 - c->used : 120 - c->used);
    memset(pad, 0, sizeof(pad));
    pad[0] = 0x80;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(c, pad, padlen + 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
}

void sha1(const void *p, size_t len, unsigned char out[DIGEST_LEN])
{
    struct sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, p, len);
    sha1_final(&c, out);
}

void digest_hex(const unsigned char d[DIGEST_LEN], char out[DIGEST_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < DIGEST_LEN; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[DIGEST_HEX_LEN] = '\0';
}

/* ---- values ----------------------------------------------------------------- */

/* A length-prefixed string, so ("ab","c") and ("a","bc") differ. */
static void add_str(struct sha1_ctx *c, const char *p, size_t len)
{
    unsigned char n[8];
    for (int i = 0; i < 8; i++)
        n[i] = (unsigned char)((uint64_t)len >> (8 * i));
    sha1_update(c, n, 8);
    sha1_update(c, p, len);
}

static void xor_into(unsigned char acc[DIGEST_LEN], const unsigned char d[DIGEST_LEN])
{
    for (int i = 0; i < DIGEST_LEN; i++)
        acc[i] ^= d[i];
}

/* XOR of the digests of one element made of one or two strings and an
 * optional score: the unordered types. */
static void xor_elem(unsigned char acc[DIGEST_LEN], const char *a, size_t alen, const char *b, size_t blen,
                     const double *score)
{
    struct sha1_ctx c;
    unsigned char d[DIGEST_LEN];
    sha1_init(&c);
    add_str(&c, a, alen);
    if (b)
        add_str(&c, b, blen);
    if (score) {
        unsigned char s[8];
        uint64_t bits;
        memcpy(&bits, score, 8);
        for (int i = 0; i < 8; i++)
            s[i] = (unsigned char)(bits >> (8 * i));
        sha1_update(&c, s, 8);
    }
    sha1_final(&c, d);
    xor_into(acc, d);
}

int digest_value(const struct kv_obj *o, unsigned char out[DIGEST_LEN])
{
    struct sha1_ctx c;
    unsigned char acc[DIGEST_LEN] = { 0 };
    unsigned char type = (unsigned char)o->type;
    uint64_t count = 0;
    sha1_init(&c);
    sha1_update(&c, &type, 1);
    switch (o->type) {
    case KV_STRING: {
        char buf[KV_LLSTR_SIZE];
        size_t len;
        const char *p = kv_str_bytes(o, buf, &len);
        add_str(&c, p, len);
        break;
    }
    case KV_LIST: {
        struct tlist_iter it;
        const char *s;
        size_t len;
        tlist_iter_init(&it, o->v.ptr, 0, true);
        while (tlist_iter_next(&it, &s, &len)) {
            add_str(&c, s, len);
            count++;
        }
        break;
    }
    case KV_SET: {
        struct tset_iter it;
        const char *s;
        size_t len;
        tset_iter_init(&it, o->v.ptr);
        while (tset_iter_next(&it, &s, &len)) {
            xor_elem(acc, s, len, NULL, 0, NULL);
            count++;
        }
        tset_iter_deinit(&it);
        break;
    }
    case KV_HASH: {
        struct thash_iter it;
        const char *f, *v;
        size_t flen, vlen;
        thash_iter_init(&it, o->v.ptr);
        while (thash_iter_next(&it, &f, &flen, &v, &vlen)) {
            xor_elem(acc, f, flen, v, vlen, NULL);
            count++;
        }
        thash_iter_deinit(&it);
        break;
    }
    case KV_ZSET: {
        struct tzset_iter it;
        struct tzset_elem e;
        tzset_iter_rank(o->v.ptr, &it, 0, false);
        while (tzset_iter_next(&it, &e)) {
            xor_elem(acc, e.m, e.len, NULL, 0, &e.score);
            count++;
        }
        break;
    }
    case KV_STREAM: {
        /* entries in order (ID, pairs), then the stream's own IDs and
         * counter; node boundaries are layout, not content */
        const struct tstream *s = o->v.ptr;
        struct tstream_iter it;
        struct tstream_id id, ids[3], zero = { 0, 0 }, max = { UINT64_MAX, UINT64_MAX };
        size_t npairs;
        char buf[TSTREAM_ID_STRSIZE + 24];
        tstream_iter_init(&it, s, &zero, &max, false);
        while (tstream_iter_next(&it, &id, &npairs)) {
            const char *f, *v;
            size_t flen, vlen;
            add_str(&c, buf, tstream_id_format(buf, &id));
            while (tstream_iter_pair(&it, &f, &flen, &v, &vlen)) {
                add_str(&c, f, flen);
                add_str(&c, v, vlen);
            }
            count++;
        }
        ids[0] = tstream_last_id(s);
        ids[1] = tstream_max_deleted_id(s);
        ids[2].ms = tstream_entries_added(s);
        ids[2].seq = 0;
        for (int i = 0; i < 3; i++)
            add_str(&c, buf, tstream_id_format(buf, &ids[i]));
        break;
    }
    default:
        return -1;
    }
    {
        unsigned char n[8];
        for (int i = 0; i < 8; i++)
            n[i] = (unsigned char)(count >> (8 * i));
        sha1_update(&c, n, 8);
        sha1_update(&c, acc, DIGEST_LEN);
    }
    sha1_final(&c, out);
    return 0;
}

/* ---- the dataset ------------------------------------------------------------ */

struct ks_walk {
    int db;
    int64_t now_ms;
    unsigned char acc[DIGEST_LEN];
};

static void digest_entry(struct kv_entry *e, void *arg)
{
    struct ks_walk *w = arg;
    struct sha1_ctx c;
    unsigned char vd[DIGEST_LEN], kd[DIGEST_LEN], dbb[4], ttl[9];
    int64_t when = kv_ttl_get(e);
    size_t klen;
    const char *key = kv_entry_key(e, &klen);
    if (kv_is_expired(e, w->now_ms))
        return;
    if (digest_value(kv_entry_val(e), vd) != 0) {
        /* a type without a digest yet: its type still counts */
        memset(vd, 0xff, sizeof(vd));
        vd[0] = (unsigned char)kv_entry_val(e)->type;
    }
    for (int i = 0; i < 4; i++)
        dbb[i] = (unsigned char)((uint32_t)w->db >> (8 * i));
    ttl[0] = when >= 0;
    for (int i = 0; i < 8; i++)
        ttl[1 + i] = (unsigned char)((uint64_t)when >> (8 * i));
    sha1_init(&c);
    sha1_update(&c, dbb, 4);
    add_str(&c, key, klen);
    sha1_update(&c, vd, DIGEST_LEN);
    sha1_update(&c, ttl, when >= 0 ? 9 : 1);
    sha1_final(&c, kd);
    xor_into(w->acc, kd);
}

void digest_keyspace(struct kv_space *ks, int64_t now_ms, unsigned char out[DIGEST_LEN])
{
    struct ks_walk w;
    memset(&w, 0, sizeof(w));
    w.now_ms = now_ms;
    for (int db = 0; db < kv_ndb(ks); db++) {
        w.db = db;
        kv_foreach(ks, db, digest_entry, &w);
    }
    memcpy(out, w.acc, DIGEST_LEN);
}
