/*
 * dump: a value as one self-contained, checksummed byte string - the DUMP
 * command's payload - and back (RESTORE). No keys, no TTLs, no sockets:
 * just the value, framed.
 *
 * Layout (DUMP_VERSION 1; docs/DUMP-FORMAT.md is the reference):
 *
 *   [u8 type] [u8 hint] [value] [u8 version = 1] ["tk"] [u64 CRC-64/XZ, LE]
 *
 *   type     '$' string, 'l' list, 's' set, 'z' sorted set, 'h' hash,
 *            'x' stream;
 *   hint     1 for a hash or sorted set that was a listpack (it stays one
 *            when restored unless it has more entries than the limit, as
 *            Redis keeps a loaded listpack), else 0;
 *   value    the value in the snapshot codec's format (engine/codec.h,
 *            CODEC_VERSION 1): a string's bytes as they are, a
 *            collection's header, count and elements;
 *   version  of this framing (and of the codec format inside it);
 *   "tk"     the bytes 0x74 0x6b;
 *   CRC      engine/crc64.h over every byte before it.
 *
 * Redis' payload ends with a 2-byte RDB version (little-endian, at most a
 * few dozen) and an 8-byte CRC-64/Jones: its "version" sits where this
 * framing has "tk", which read as a little-endian number is 27508, so Redis
 * refuses a taskkv payload by its version check, and taskkv refuses a Redis
 * payload because the high byte of Redis' version is 0, not 'k' - neither
 * depends on a checksum collision.
 *
 * Decoding never trusts the bytes: the frame is checked (length, version,
 * tag, checksum), then the value goes through codec_decode without
 * CODEC_TRUSTED (every length, count, order, duplicate and score checked),
 * so a damaged or hand-made payload is refused, never half-built.
 */
#ifndef TASKKV_ENGINE_DUMP_H
#define TASKKV_ENGINE_DUMP_H

#include <stddef.h>

#include "engine/codec.h"
#include "engine/obj.h"

#define DUMP_VERSION 1
/* type + hint + version + tag + CRC: the shortest payload (an empty string). */
#define DUMP_MIN_LEN 13
#define DUMP_HINT_NONE 0
#define DUMP_HINT_COMPACT 1

enum dump_status {
    DUMP_OK,
    DUMP_BAD_FRAME,   /* too short, not taskkv's tag or version, checksum wrong */
    DUMP_BAD_DATA,    /* framed correctly, but the value does not decode */
};

/* Replaces b's contents with o's payload. Returns 0, or -1 with *err set (a
 * static message) for a value the codec cannot encode. */
int dump_encode(const struct kv_obj *o, struct codec_buf *b, const char **err);

/* Checks the frame only: DUMP_OK or DUMP_BAD_FRAME. */
enum dump_status dump_check(const void *p, size_t len);

/* Re-creates the value of a payload under `lim` (the encodings are chosen
 * as codec_decode does). Returns a standalone object (as kv_add takes), or
 * NULL with *status set to DUMP_BAD_FRAME or DUMP_BAD_DATA and a message in
 * err (size errcap). */
struct kv_obj *dump_decode(const void *p, size_t len, const struct codec_limits *lim, enum dump_status *status,
                           char *err, size_t errcap);

#endif
