/*
 * t_string: pure data manipulation behind the string and bitmap commands -
 * bit counting and searching over byte or bit ranges, BITOP, BITFIELD's
 * integer fields, GETRANGE's index arithmetic and the LCS table.
 *
 * Nothing here touches the keyspace, allocates a value object or replies:
 * every function works on caller-owned byte arrays, so the commands in
 * api/cmd_string.c stay thin and the edge cases are unit-tested in
 * tests/unit/engine/check_t_string.c.
 *
 * Bit numbering is Redis': bit 0 is the most significant bit of byte 0, bit 8
 * the most significant bit of byte 1, and so on. Ranges given as (start, end)
 * follow Redis' rules: inclusive, negative values count from the end, and
 * out-of-range values are clamped.
 */
#ifndef TASKKV_ENGINE_T_STRING_H
#define TASKKV_ENGINE_T_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- whole-byte primitives ------------------------------------------------ */

/* Number of set bits in p[0..len). */
uint64_t bits_count(const unsigned char *p, size_t len);

/* Position of the first bit equal to `bit` (0 or 1) in p[0..len). When there
 * is none: -1 when looking for 1; len*8 when looking for 0 (the string is seen
 * as padded with zeros on the right), as Redis' redisBitpos. */
int64_t bits_pos(const unsigned char *p, size_t len, int bit);

/* The bit at `offset`, 0 beyond the end. */
int bits_get(const unsigned char *p, size_t len, uint64_t offset);
/* Sets the bit at `offset` (must be inside p) to `on`; returns the old bit. */
int bits_set(unsigned char *p, uint64_t offset, int on);

enum bits_op { BITS_AND, BITS_OR, BITS_XOR, BITS_NOT };

/* BITOP: dst[0..dlen) = op over the n sources, each zero-padded to dlen (a
 * source of length 0 is an all-zero string, so AND with a missing key gives
 * zeros). NOT uses src[0] only. dst must not overlap any source. */
void bits_op(enum bits_op op, unsigned char *dst, size_t dlen, const unsigned char *const *src,
             const size_t *len, size_t n);

/* ---- Redis range semantics -------------------------------------------------- */

/* GETRANGE/SUBSTR over a string of `len` bytes: returns how many bytes to
 * reply and sets *from to the first one (0 bytes when the range is empty). */
size_t kv_str_range(size_t len, long long start, long long end, size_t *from);

/* BITCOUNT key start end [BYTE|BIT]: set bits of p[0..len) between start and
 * end, counted in bytes (bit_unit false) or bits. The whole string is
 * (0, -1, false). */
uint64_t kv_str_bitcount(const unsigned char *p, size_t len, long long start, long long end, bool bit_unit);

/* BITPOS key bit [start [end [BYTE|BIT]]]: the first bit equal to `bit` in the
 * range, as an absolute bit position; -1 when there is none, except that
 * when looking for 0 without an explicit end the bit right after the range
 * is returned (the string is zero-padded on the right). The whole string is
 * (0, any, end_given false, false). */
int64_t kv_str_bitpos(const unsigned char *p, size_t len, int bit, long long start, long long end, bool end_given,
                      bool bit_unit);

/* ---- BITFIELD integers ------------------------------------------------------ */

enum bits_overflow { BITS_WRAP, BITS_SAT, BITS_FAIL };

/* An unsigned field of `bits` (1..64) bits at bit `offset`, zero-padded past
 * len. */
uint64_t bits_field_get(const unsigned char *p, size_t len, uint64_t offset, int bits);
/* The same field read as two's complement (sign-extended). */
int64_t bits_field_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits);
/* Writes the low `bits` bits of v at `offset`; the field must lie inside p. */
void bits_field_set(unsigned char *p, uint64_t offset, int bits, uint64_t v);

/* Overflow checks of value + incr for a field of `bits` bits (unsigned:
 * 1..63, signed: 1..64). Return 0 when the sum fits, 1 on overflow, -1 on
 * underflow; when it does not fit, *out gets the value to store under
 * `mode` (wrapped, or saturated to the limit crossed; untouched for FAIL).
 * The unsigned value may be any uint64_t (a negative SET argument arrives
 * as a huge value and counts as an overflow). */
int bits_field_overflow_u(uint64_t value, int64_t incr, int bits, enum bits_overflow mode, uint64_t *out);
int bits_field_overflow_s(int64_t value, int64_t incr, int bits, enum bits_overflow mode, int64_t *out);

/* ---- LCS ------------------------------------------------------------------- */

/* One common stretch, inclusive byte indexes into a and b. */
struct kv_lcs_match {
    uint32_t a_start, a_end;
    uint32_t b_start, b_end;
};

typedef void (*kv_lcs_match_fn)(void *ctx, const struct kv_lcs_match *m);

/* Bytes of the table kv_str_lcs needs for these lengths (the caller applies
 * its memory limit with it); 0 if the size overflows. */
uint64_t kv_str_lcs_table_bytes(size_t alen, size_t blen);

/* Longest common subsequence of a and b (each shorter than UINT32_MAX - 1).
 * Returns its length, or -1 when the table cannot be allocated. With `walk`
 * the sequence is also recovered from the end: its bytes are written to out
 * (room for min(alen, blen) bytes) when out is not NULL, and fn (if not
 * NULL) gets each matching stretch, last stretch first, as Redis' LCS IDX
 * lists them. */
long long kv_str_lcs(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, bool walk,
                     unsigned char *out, kv_lcs_match_fn fn, void *ctx);

#endif
