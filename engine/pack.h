/*
 * pack: a compact, contiguous sequence of byte strings - the one "small
 * collection" layout under small lists (each quicklist node), small hashes
 * (field, value, field, value ...) and small sorted sets (member, score ...).
 *
 * Layout (one allocation, no pointers inside, so it can be copied or
 * persisted as bytes):
 *
 *   [u64 total bytes][u32 count][entry]...
 *   entry = [len: LEB128 varint][len bytes][back: the varint's + bytes' size,
 *            as a varint written so it reads backwards from the entry's end]
 *
 * Forward and backward walks are O(1) per step. Positions are byte offsets
 * from the pack's start (not pointers), so they survive the reallocation an
 * insert or delete may do; an offset stays valid until the next change at or
 * before it. PK_END is "no entry" (past the last / before the first).
 *
 * Entries carry no terminating NUL and may hold any bytes. Values are kept as
 * text (numbers as their decimal form): the callers' thresholds keep packs
 * small, so compactness matters more than parse speed here.
 *
 * Ownership: a pack is a plain heap block (`unsigned char *`); functions that
 * may move it take `unsigned char **`. pk_destroy(NULL) is a no-op.
 */
#ifndef TASKKV_ENGINE_PACK_H
#define TASKKV_ENGINE_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PK_END ((size_t)-1)
/* pk_bytes() of an empty pack. */
#define PK_HEADER_BYTES 12

/* Bytes a LEB128 varint of v takes, and the bytes an entry holding `len`
 * bytes takes in a pack (what inserting it adds to pk_bytes): inline, for
 * the callers that decide whether an entry fits before inserting it. */
static inline size_t pk_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline size_t pk_entry_size(size_t len)
{
    size_t body = pk_varint_len(len) + len;
    return body + pk_varint_len(body);
}

unsigned char *pk_create(void);
void pk_destroy(unsigned char *p);
unsigned char *pk_dup(const unsigned char *p);

/* Bytes the pack occupies (header included), and its number of entries. */
size_t pk_bytes(const unsigned char *p);
uint32_t pk_count(const unsigned char *p);

/* Walking: offsets of the first / last entry, the one after / before `off`;
 * PK_END when there is none. */
size_t pk_first(const unsigned char *p);
size_t pk_last(const unsigned char *p);
size_t pk_next(const unsigned char *p, size_t off);
size_t pk_prev(const unsigned char *p, size_t off);
/* The entry at index i (0-based; negative counts from the end, -1 last), or
 * PK_END when out of range. Walks from the nearer end. */
size_t pk_seek(const unsigned char *p, long long i);

/* The entry's bytes (not NUL-terminated) and length; valid until the pack
 * changes. */
const char *pk_get(const unsigned char *p, size_t off, size_t *len);
bool pk_eq(const unsigned char *p, size_t off, const char *s, size_t len);
/* As pk_get, parsed with nf_str2ll; false if not a canonical integer. */
bool pk_get_ll(const unsigned char *p, size_t off, long long *out);

/* Inserts before the entry at `off` (PK_END appends); returns the new
 * entry's offset. */
size_t pk_insert(unsigned char **pp, size_t off, const char *s, size_t len);
size_t pk_append(unsigned char **pp, const char *s, size_t len);
size_t pk_prepend(unsigned char **pp, const char *s, size_t len);
/* Replaces the entry at `off`; returns its (same) offset. */
size_t pk_replace(unsigned char **pp, size_t off, const char *s, size_t len);
/* Deletes up to n entries starting at `off`; returns the offset of the entry
 * that followed them, or PK_END. */
size_t pk_delete(unsigned char **pp, size_t off, uint32_t n);
/* Deletes n entries starting at index `start` (negative from the end),
 * clipped to the pack. */
void pk_delete_range(unsigned char **pp, long long start, uint32_t n);

/* First entry at or after `off` equal to s, comparing only every (skip+1)th
 * entry (skip = 1 looks at the fields of field/value pairs); PK_END if none. */
size_t pk_find(const unsigned char *p, size_t off, const char *s, size_t len, uint32_t skip);

/* A pack of the n entries s[i] (len[i] bytes each), in order, made with one
 * allocation: the pack appending them one by one would build (the snapshot
 * loader's bulk path). */
unsigned char *pk_build(const char *const *s, const size_t *len, size_t n);
/* Appends all of `src`'s entries to *pp (quicklist merges). */
void pk_merge(unsigned char **pp, const unsigned char *src);
/* Moves the entries from `off` (an entry's offset, not PK_END) to the end
 * into a new pack, which it returns; *pp keeps the entries before `off`
 * (quicklist node splits). The result is the pack appending those entries
 * one by one would build, made with one copy of the bytes. */
unsigned char *pk_split(unsigned char **pp, size_t off);

#endif
