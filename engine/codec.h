/*
 * codec: every value object to a self-contained byte string and back - the
 * value column of a snapshot row (engine/snapshot.h) and the value inside a
 * DUMP payload (engine/dump.h). No sqlite here: the codec works on plain
 * bytes.
 *
 * Format version 1 (CODEC_VERSION; docs/PERSISTENCE.md is the reference):
 *
 *   string    the value's bytes, raw, nothing added (an integer-encoded
 *             string as its decimal text), so a string reads as text.
 *   others    [u8 version = 1][u8 type tag][varint count][elements]
 *             type tag: 'l' list, 's' set, 'h' hash, 'z' sorted set,
 *             'x' stream;
 *             varint: unsigned LEB128 (7 bits per byte, low group first);
 *             str:    varint length, then that many bytes;
 *             list:   count strs, head to tail;
 *             set:    count strs (members, integers as decimal text);
 *             hash:   count pairs of strs (field, value);
 *             zset:   count pairs (str member, str score), in (score,
 *                     member) order; the score as decimal text that reads
 *                     back exactly: integer digits, or "%.17g" form, "inf",
 *                     "-inf", "-0" (a small set's text is copied from its
 *                     listpack as it is, so loading builds the listpack
 *                     without formatting numbers).
 *             stream: count is the number of nodes; then id last-id,
 *                     varint entries-added, id max-deleted-id; per node:
 *                     id master, id last, varint live, varint deleted,
 *                     varint emulated-listpack-bytes, varint nnames, nnames
 *                     strs (the node's first entry's field names), then its
 *                     `live` entries: id, varint npairs, npairs pairs of strs
 *                     (id = varint ms, varint seq). Node boundaries and
 *                     counters are kept so approximate trimming behaves the
 *                     same after a reload (engine/t_stream.h).
 *   Nothing may follow the last element. A reader accepts zset elements in
 *   any order and any score text strtod reads exactly (not NaN).
 *
 * Encodings are not stored: decoding re-creates the value the way Redis
 * loads an RDB, under the caller's current limits (struct codec_limits): a
 * string gets INT / EMBSTR / RAW as SET would choose; a hash or sorted set
 * becomes a listpack when it fits the listpack limits, a set an intset when
 * every member is an integer and it fits set-max-intset-entries, a list a
 * quicklist filled to list-max-listpack-size. So saving and loading under
 * the same configuration keeps every OBJECT ENCODING (except the case where
 * Redis' reload also converts back: a collection that once outgrew its
 * compact form and has since shrunk).
 *
 * Decoding validates everything (lengths, counts, duplicate members or
 * fields, NaN scores, trailing bytes) and reports damage as an error
 * message; it never trusts the input.
 */
#ifndef TASKKV_ENGINE_CODEC_H
#define TASKKV_ENGINE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/obj.h"

#define CODEC_VERSION 1

/* The limits that pick encodings when a value is re-created (the server
 * passes its configuration; tests pick their own). */
struct codec_limits {
    int list_fill;                     /* list-max-listpack-size */
    long long hash_max_entries;        /* hash-max-listpack-entries */
    long long hash_max_value;          /* hash-max-listpack-value */
    long long set_max_intset;          /* set-max-intset-entries */
    long long zset_max_entries;        /* zset-max-listpack-entries */
    long long zset_max_value;          /* zset-max-listpack-value */
};

/* Redis 7.0's defaults for the limits above. */
extern const struct codec_limits codec_default_limits;

/* A growable output buffer; zero-initialise, free with codec_buf_free. */
struct codec_buf {
    unsigned char *p;
    size_t len, cap;
};
void codec_buf_free(struct codec_buf *b);

/* The type's name as TYPE reports it ("string", "list", ...) and back;
 * codec_type_from_name returns -1 for a name it does not know. */
const char *codec_type_name(int type);
int codec_type_from_name(const char *name, size_t len);

/* Whether values of this type can be encoded by this version. */
bool codec_can_encode(int type);

/* Replaces b's contents with o's encoding. Returns 0, or -1 with *err set
 * (a static message) for a type this version cannot encode. For a string
 * the caller may skip the copy: the encoding is kv_str_bytes(). */
int codec_encode(const struct kv_obj *o, struct codec_buf *b, const char **err);
/* As codec_encode, appending to what b holds (DUMP's framing). */
int codec_encode_append(const struct kv_obj *o, struct codec_buf *b, const char **err);

/* Flags for codec_decode. CODEC_TRUSTED: the bytes are known to be what
 * codec_encode wrote (the snapshot verified the row's checksum), so the
 * checks only hand-made input can fail - member order, duplicate fields or
 * members, score syntax - are skipped; bounds are always checked. */
#define CODEC_TRUSTED 1u

/* Re-creates a value of `type` from its encoding. Returns a standalone
 * object (as kv_add takes), or NULL with a message in err (size errcap)
 * describing the damage. */
struct kv_obj *codec_decode(int type, const void *p, size_t len, const struct codec_limits *lim, unsigned flags,
                            char *err, size_t errcap);

#endif
