/*
 * digest: SHA-1, and the dataset digests behind DEBUG DIGEST and DEBUG
 * DIGEST-VALUE - 20-byte fingerprints that tests compare before and after a
 * save/load round trip.
 *
 * A value's digest covers its type and contents, not its encoding: a hash
 * stored as a listpack and the same hash stored as a hashtable, or the
 * string "12" held as an integer and as bytes, have the same digest. For the
 * unordered types (set, hash, zset) the elements' own digests are combined
 * with XOR, so the order of iteration does not matter; a list's elements
 * are digested in order. Sorted-set scores enter as their exact 8 IEEE-754
 * bytes (so -0 and 0 differ).
 *
 * The dataset digest is the XOR over every live key of SHA-1(database
 * number, key, value digest, deadline if any): independent of the order in
 * which keys are stored, all zeros for an empty dataset (as in Redis). It
 * does not equal Redis' number, only has the same uses.
 */
#ifndef TASKKV_ENGINE_DIGEST_H
#define TASKKV_ENGINE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/obj.h"

struct kv_space;

#define DIGEST_LEN 20
#define DIGEST_HEX_LEN 40

/* SHA-1 (FIPS 180-4), incremental. */
struct sha1_ctx {
    uint32_t h[5];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
};
void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *p, size_t len);
void sha1_final(struct sha1_ctx *c, unsigned char out[DIGEST_LEN]);
/* One-shot SHA-1. */
void sha1(const void *p, size_t len, unsigned char out[DIGEST_LEN]);

/* 40 lower-case hex digits and a NUL into out (41 bytes). */
void digest_hex(const unsigned char d[DIGEST_LEN], char out[DIGEST_HEX_LEN + 1]);

/* The digest of one value (DEBUG DIGEST-VALUE). Returns -1 for a type it
 * does not know (never for the five classic types). */
int digest_value(const struct kv_obj *o, unsigned char out[DIGEST_LEN]);

/* The digest of every key live at now_ms in every database (DEBUG DIGEST). */
void digest_keyspace(struct kv_space *ks, int64_t now_ms, unsigned char out[DIGEST_LEN]);

#endif
