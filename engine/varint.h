/*
 * varint: unsigned integers in 7-bit groups, low group first, the high bit
 * of each byte saying "more follows" (at most 10 bytes for 64 bits). One
 * definition for every byte format that needs lengths: the compact pack,
 * stream nodes and the journal's argument blobs.
 */
#ifndef TASKKV_ENGINE_VARINT_H
#define TASKKV_ENGINE_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX 10

/* Writes v at out (room for VARINT_MAX bytes); returns the bytes written. */
static inline size_t varint_put(unsigned char *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (unsigned char)v;
    return n;
}

/* Reads one varint from trusted bytes (written by varint_put); returns the
 * bytes read. */
static inline size_t varint_get(const unsigned char *in, uint64_t *v)
{
    uint64_t r = 0;
    size_t n = 0;
    unsigned shift = 0;
    for (;;) {
        unsigned char b = in[n++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *v = r;
    return n;
}

/* Reads one varint from untrusted bytes [*p, end), advancing *p; false when
 * it runs past end (then *p == end) or past 64 bits (then *p < end). */
static inline bool varint_get_checked(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        unsigned char b;
        if (*p >= end)
            return false;
        b = **p;
        if (shift == 63 && b > 1)
            return false;   /* *p stays on the offending byte */
        (*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

#endif
