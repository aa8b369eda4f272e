/*
 * t_string: bit and range arithmetic for the string commands (see
 * t_string.h for the contracts).
 *
 * Design notes:
 *   - Counting and searching work on whole bytes, eight bytes at a time when
 *     the range is long; partial first and last bytes of a bit range are
 *     handled with masks, so every range function is "edges + bulk".
 *   - Range resolution (negative indexes, clamping) is done once, in signed
 *     64-bit arithmetic: a string never exceeds proto-max-bulk-len bytes, so
 *     its length in bits always fits in a long long.
 *   - BITFIELD's overflow checks reproduce Redis' arithmetic exactly,
 *     including the cases where its intermediate values wrap; every such
 *     computation is done on uint64_t so it is defined behaviour here.
 *   - The LCS table is the plain (alen+1) x (blen+1) dynamic-programming
 *     table; it is allocated with malloc (not the aborting allocator) because
 *     its size comes from user data and a failure must become an error reply.
 */
#include "engine/t_string.h"

#include <stdlib.h>
#include <string.h>

/* ---- whole-byte primitives ------------------------------------------------ */

static uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

uint64_t bits_count(const unsigned char *p, size_t len)
{
    uint64_t n = 0;
    size_t i = 0;
    for (; i + 32 <= len; i += 32)
        n += (uint64_t)__builtin_popcountll(load64(p + i)) + (uint64_t)__builtin_popcountll(load64(p + i + 8)) +
             (uint64_t)__builtin_popcountll(load64(p + i + 16)) + (uint64_t)__builtin_popcountll(load64(p + i + 24));
    for (; i + 8 <= len; i += 8)
        n += (uint64_t)__builtin_popcountll(load64(p + i));
    for (; i < len; i++)
        n += (uint64_t)__builtin_popcount(p[i]);
    return n;
}

/* Index (0 = most significant) of the first set bit of a non-zero byte. */
static int first_set(unsigned char v) { return __builtin_clz((unsigned)v) - 24; }

int64_t bits_pos(const unsigned char *p, size_t len, int bit)
{
    const uint64_t skip = bit ? 0 : UINT64_MAX;   /* words holding no wanted bit */
    const unsigned char skip8 = bit ? 0x00 : 0xFF;
    size_t i = 0;
    while (i + 8 <= len && load64(p + i) == skip)
        i += 8;
    for (; i < len; i++)
        if (p[i] != skip8)
            return (int64_t)i * 8 + first_set(bit ? p[i] : (unsigned char)~p[i]);
    return bit ? -1 : (int64_t)len * 8;
}

int bits_get(const unsigned char *p, size_t len, uint64_t offset)
{
    uint64_t byte = offset >> 3;
    if (byte >= len)
        return 0;
    return (p[byte] >> (7 - (offset & 7))) & 1;
}

int bits_set(unsigned char *p, uint64_t offset, int on)
{
    uint64_t byte = offset >> 3;
    unsigned char mask = (unsigned char)(1u << (7 - (offset & 7)));
    int old = (p[byte] & mask) != 0;
    if (on)
        p[byte] |= mask;
    else
        p[byte] &= (unsigned char)~mask;
    return old;
}

/* dst[0..n) = dst op s[0..n), a word at a time. */
static void combine(enum bits_op op, unsigned char *dst, const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a = load64(dst + i), b = load64(s + i);
        a = op == BITS_AND ? a & b : op == BITS_OR ? a | b : a ^ b;
        memcpy(dst + i, &a, sizeof(a));
    }
    for (; i < n; i++)
        dst[i] = op == BITS_AND ? dst[i] & s[i] : op == BITS_OR ? dst[i] | s[i] : dst[i] ^ s[i];
}

void bits_op(enum bits_op op, unsigned char *dst, size_t dlen, const unsigned char *const *src,
             const size_t *len, size_t n)
{
    /* start from the first source, zero-padded; fold the others in one by
     * one (a shorter source is zeros past its end: only AND is affected) */
    size_t n0 = len[0] < dlen ? len[0] : dlen;
    if (n0)
        memcpy(dst, src[0], n0);
    memset(dst + n0, 0, dlen - n0);
    if (op == BITS_NOT) {
        size_t i = 0;
        for (; i + 8 <= dlen; i += 8) {
            uint64_t w = ~load64(dst + i);
            memcpy(dst + i, &w, sizeof(w));
        }
        for (; i < dlen; i++)
            dst[i] = (unsigned char)~dst[i];
        return;
    }
    for (size_t k = 1; k < n; k++) {
        size_t nk = len[k] < dlen ? len[k] : dlen;
        if (nk)
            combine(op, dst, src[k], nk);
        if (op == BITS_AND)
            memset(dst + nk, 0, dlen - nk);
    }
}

/* ---- Redis range semantics -------------------------------------------------- */

/* Negative indexes count from the end; both ends are clamped to
 * [0, total-1]. False when nothing is left. */
static bool resolve_range(long long total, long long start, long long end, long long *lo, long long *hi)
{
    if (start < 0)
        start += total;
    if (end < 0)
        end += total;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= total)
        end = total - 1;
    if (start > end)
        return false;
    *lo = start;
    *hi = end;
    return true;
}

size_t kv_str_range(size_t len, long long start, long long end, size_t *from)
{
    long long lo, hi;
    *from = 0;
    if (start < 0 && end < 0 && start > end)
        return 0;
    if (!resolve_range((long long)len, start, end, &lo, &hi))
        return 0;
    *from = (size_t)lo;
    return (size_t)(hi - lo + 1);
}

/* The bits of byte `b` that fall inside [sbit, ebit]. */
static unsigned char range_mask(uint64_t b, uint64_t sbit, uint64_t ebit)
{
    unsigned char m = 0xFF;
    if (b == sbit >> 3)
        m &= (unsigned char)(0xFFu >> (sbit & 7));
    if (b == ebit >> 3)
        m &= (unsigned char)(0xFFu << (7 - (ebit & 7)));
    return m;
}

static uint64_t count_bits(const unsigned char *p, uint64_t sbit, uint64_t ebit)
{
    uint64_t fb = sbit >> 3, lb = ebit >> 3;
    uint64_t n = bits_count(p + fb, (size_t)(lb - fb + 1));
    /* take back the bits of the edge bytes that lie outside the range */
    n -= (uint64_t)__builtin_popcount(p[fb] & (unsigned char)~range_mask(fb, sbit, ebit));
    if (lb != fb)
        n -= (uint64_t)__builtin_popcount(p[lb] & (unsigned char)~range_mask(lb, sbit, ebit));
    return n;
}

static int64_t first_in_byte(unsigned char v, unsigned char mask, int bit)
{
    unsigned char hits = (unsigned char)((bit ? v : ~v) & mask);
    return hits ? first_set(hits) : -1;
}

/* First bit equal to `bit` in [sbit, ebit], or -1. */
static int64_t find_bit(const unsigned char *p, uint64_t sbit, uint64_t ebit, int bit)
{
    uint64_t fb = sbit >> 3, lb = ebit >> 3;
    int64_t pos = first_in_byte(p[fb], range_mask(fb, sbit, ebit), bit);
    if (pos >= 0)
        return (int64_t)fb * 8 + pos;
    if (lb == fb)
        return -1;
    if (lb > fb + 1) {
        size_t mid = (size_t)(lb - fb - 1);
        pos = bits_pos(p + fb + 1, mid, bit);
        if (pos >= 0 && pos < (int64_t)mid * 8)
            return (int64_t)(fb + 1) * 8 + pos;
    }
    pos = first_in_byte(p[lb], range_mask(lb, sbit, ebit), bit);
    return pos >= 0 ? (int64_t)lb * 8 + pos : -1;
}

uint64_t kv_str_bitcount(const unsigned char *p, size_t len, long long start, long long end, bool bit_unit)
{
    long long total = bit_unit ? (long long)len * 8 : (long long)len;
    long long lo, hi;
    if (start < 0 && end < 0 && start > end)
        return 0;
    if (!resolve_range(total, start, end, &lo, &hi))
        return 0;
    if (bit_unit)
        return count_bits(p, (uint64_t)lo, (uint64_t)hi);
    return bits_count(p + lo, (size_t)(hi - lo + 1));
}

int64_t kv_str_bitpos(const unsigned char *p, size_t len, int bit, long long start, long long end, bool end_given,
                      bool bit_unit)
{
    long long total = bit_unit ? (long long)len * 8 : (long long)len;
    long long lo, hi;
    uint64_t sbit, ebit;
    int64_t pos;
    if (!end_given)
        end = total - 1;
    if (!resolve_range(total, start, end, &lo, &hi))
        return -1;
    sbit = bit_unit ? (uint64_t)lo : (uint64_t)lo * 8;
    ebit = bit_unit ? (uint64_t)hi : (uint64_t)hi * 8 + 7;
    pos = find_bit(p, sbit, ebit, bit);
    if (pos >= 0)
        return pos;
    /* Looking for a clear bit with an open end: the string continues with
     * zeros, so the answer is the first bit past the range. */
    return bit == 0 && !end_given ? (int64_t)ebit + 1 : -1;
}

/* ---- BITFIELD integers ------------------------------------------------------ */

uint64_t bits_field_get(const unsigned char *p, size_t len, uint64_t offset, int bits)
{
    uint64_t v = 0;
    for (int i = 0; i < bits; i++)
        v = (v << 1) | (uint64_t)bits_get(p, len, offset + (uint64_t)i);
    return v;
}

int64_t bits_field_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits)
{
    uint64_t v = bits_field_get(p, len, offset, bits);
    if (bits < 64 && (v >> (bits - 1)) & 1)
        v |= UINT64_MAX << bits;   /* sign-extend */
    return (int64_t)v;
}

void bits_field_set(unsigned char *p, uint64_t offset, int bits, uint64_t v)
{
    for (int i = 0; i < bits; i++)
        bits_set(p, offset + (uint64_t)i, (int)((v >> (bits - 1 - i)) & 1));
}

int bits_field_overflow_u(uint64_t value, int64_t incr, int bits, enum bits_overflow mode, uint64_t *out)
{
    uint64_t max = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    /* Room left above and below, as Redis computes them (meaningful only
     * once value <= max is known). */
    int64_t room_up = (int64_t)(max - value);
    int64_t room_down = (int64_t)(UINT64_C(0) - value);
    int dir = 0;
    if (value > max || (bits != 64 && incr > room_up) || (incr > 0 && incr > room_up))
        dir = 1;
    else if (incr < 0 && incr < room_down)
        dir = -1;
    if (!dir)
        return 0;
    if (mode == BITS_WRAP)
        *out = (value + (uint64_t)incr) & max;
    else if (mode == BITS_SAT)
        *out = dir > 0 ? max : 0;
    return dir;
}

int bits_field_overflow_s(int64_t value, int64_t incr, int bits, enum bits_overflow mode, int64_t *out)
{
    int64_t max = bits >= 64 ? INT64_MAX : (int64_t)((UINT64_C(1) << (bits - 1)) - 1);
    int64_t min = -max - 1;
    /* Wrapping differences, as Redis' (see the file comment). */
    int64_t room_up = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t room_down = (int64_t)((uint64_t)min - (uint64_t)value);
    int dir = 0;
    if (value > max || (bits != 64 && incr > room_up) || (value >= 0 && incr > 0 && incr > room_up))
        dir = 1;
    else if (value < min || (bits != 64 && incr < room_down) || (value < 0 && incr < 0 && incr < room_down))
        dir = -1;
    if (!dir)
        return 0;
    if (mode == BITS_WRAP) {
        uint64_t sum = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) {
            uint64_t high = UINT64_MAX << bits;
            if (sum & (UINT64_C(1) << (bits - 1)))
                sum |= high;
            else
                sum &= ~high;
        }
        *out = (int64_t)sum;
    } else if (mode == BITS_SAT) {
        *out = dir > 0 ? max : min;
    }
    return dir;
}

/* ---- LCS ------------------------------------------------------------------- */

uint64_t kv_str_lcs_table_bytes(size_t alen, size_t blen)
{
    uint64_t a1, b1, cells, bytes;
    if (__builtin_add_overflow((uint64_t)alen, 1, &a1) || __builtin_add_overflow((uint64_t)blen, 1, &b1) ||
        __builtin_mul_overflow(a1, b1, &cells) ||
        __builtin_mul_overflow(cells, (uint64_t)sizeof(uint32_t), &bytes))
        return 0;
    return bytes;
}

long long kv_str_lcs(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, bool walk,
                     unsigned char *out, kv_lcs_match_fn fn, void *ctx)
{
    uint64_t bytes = kv_str_lcs_table_bytes(alen, blen);
    size_t w = blen + 1;
    uint32_t *t;
    long long len;
    if (!bytes || bytes > SIZE_MAX || !(t = malloc((size_t)bytes)))
        return -1;
#define CELL(i, j) t[(size_t)(i) * w + (j)]
    for (size_t i = 0; i <= alen; i++)
        for (size_t j = 0; j <= blen; j++) {
            if (i == 0 || j == 0)
                CELL(i, j) = 0;
            else if (a[i - 1] == b[j - 1])
                CELL(i, j) = CELL(i - 1, j - 1) + 1;
            else
                CELL(i, j) = CELL(i - 1, j) > CELL(i, j - 1) ? CELL(i - 1, j) : CELL(i, j - 1);
        }
    len = CELL(alen, blen);

    /* Walk back from the bottom-right corner: a match extends the current
     * stretch leftwards; a step without a match (or reaching the first byte
     * of either string) closes it. */
    if (walk) {
        size_t i = alen, j = blen, idx = (size_t)len;
        struct kv_lcs_match m = { 0, 0, 0, 0 };
        bool open = false;
        while (i > 0 && j > 0) {
            bool close = false;
            if (a[i - 1] == b[j - 1]) {
                if (out)
                    out[idx - 1] = a[i - 1];
                if (!open) {
                    m.a_start = m.a_end = (uint32_t)(i - 1);
                    m.b_start = m.b_end = (uint32_t)(j - 1);
                    open = true;
                } else if (m.a_start == i && m.b_start == j) {
                    m.a_start--;
                    m.b_start--;
                } else {
                    close = true;
                }
                if (m.a_start == 0 || m.b_start == 0)
                    close = true;
                idx--;
                i--;
                j--;
            } else {
                if (CELL(i - 1, j) > CELL(i, j - 1))
                    i--;
                else
                    j--;
                close = open;
            }
            if (close) {
                if (fn)
                    fn(ctx, &m);
                open = false;
            }
        }
    }
#undef CELL
    free(t);
    return len;
}
