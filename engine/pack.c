/*
 * pack: the compact contiguous sequence (see pack.h for the layout).
 *
 * Varints are LEB128: 7 bits per byte, low bits first, the high bit set on
 * every byte but the last. The back-length after each entry is the same
 * number written in reverse byte order, so a backward walk reads it from the
 * entry's last byte: that byte holds the low 7 bits and has its high bit set
 * when more (higher) bytes precede it.
 *
 * Every change reallocates the block to its exact new size; small packs live
 * in the allocator's size classes, so most growths are in place.
 */
#include "engine/pack.h"
#include "engine/varint.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define HDR_BYTES PK_HEADER_BYTES     /* u64 total + u32 count */
#define VARINT_MAX 10

static size_t get_total(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return (size_t)v;
}

static void set_total(unsigned char *p, size_t n)
{
    uint64_t v = n;
    memcpy(p, &v, 8);
}

static void set_count(unsigned char *p, uint32_t n)
{
    memcpy(p + 8, &n, 4);
}

/* Writes the back-length (a reversed varint) at `out`; returns its size. */
static size_t backlen_put(unsigned char *out, uint64_t v)
{
    unsigned char tmp[VARINT_MAX];
    size_t n = varint_put(tmp, v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Reads the back-length whose last byte is at `last`; *nbytes gets its size. */
static uint64_t backlen_get(const unsigned char *last, size_t *nbytes)
{
    uint64_t r = 0;
    size_t n = 0;
    int shift = 0;
    for (;;) {
        unsigned char b = *(last - n);
        n++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *nbytes = n;
    return r;
}

static size_t entry_write(unsigned char *out, const char *s, size_t len)
{
    size_t n = varint_put(out, len);
    if (len)
        memcpy(out + n, s, len);
    n += len;
    return n + backlen_put(out + n, n);
}

/* Size of the encoded entry at `off`. */
static size_t entry_span(const unsigned char *p, size_t off)
{
    uint64_t len;
    size_t h = varint_get(p + off, &len);
    size_t body = h + (size_t)len;
    return body + pk_varint_len(body);
}

unsigned char *pk_create(void)
{
    unsigned char *p = kv_xmalloc(HDR_BYTES);
    set_total(p, HDR_BYTES);
    set_count(p, 0);
    return p;
}

void pk_destroy(unsigned char *p)
{
    free(p);
}

unsigned char *pk_dup(const unsigned char *p)
{
    size_t n = get_total(p);
    unsigned char *d = kv_xmalloc(n);
    memcpy(d, p, n);
    return d;
}

size_t pk_bytes(const unsigned char *p)
{
    return get_total(p);
}

uint32_t pk_count(const unsigned char *p)
{
    uint32_t n;
    memcpy(&n, p + 8, 4);
    return n;
}

size_t pk_first(const unsigned char *p)
{
    return get_total(p) > HDR_BYTES ? HDR_BYTES : PK_END;
}

size_t pk_last(const unsigned char *p)
{
    size_t total = get_total(p), nb;
    if (total == HDR_BYTES)
        return PK_END;
    uint64_t body = backlen_get(p + total - 1, &nb);
    return total - nb - (size_t)body;
}

size_t pk_next(const unsigned char *p, size_t off)
{
    size_t next = off + entry_span(p, off);
    return next < get_total(p) ? next : PK_END;
}

size_t pk_prev(const unsigned char *p, size_t off)
{
    size_t nb;
    uint64_t body;
    if (off <= HDR_BYTES)
        return PK_END;
    body = backlen_get(p + off - 1, &nb);
    return off - nb - (size_t)body;
}

size_t pk_seek(const unsigned char *p, long long i)
{
    long long n = pk_count(p);
    size_t off;
    if (i < 0)
        i += n;
    if (i < 0 || i >= n)
        return PK_END;
    if (i < n / 2) {
        off = pk_first(p);
        while (i-- > 0)
            off = pk_next(p, off);
    } else {
        off = pk_last(p);
        for (long long k = n - 1; k > i; k--)
            off = pk_prev(p, off);
    }
    return off;
}

const char *pk_get(const unsigned char *p, size_t off, size_t *len)
{
    uint64_t l;
    size_t h = varint_get(p + off, &l);
    *len = (size_t)l;
    return (const char *)p + off + h;
}

bool pk_eq(const unsigned char *p, size_t off, const char *s, size_t len)
{
    size_t l;
    const char *e = pk_get(p, off, &l);
    return l == len && (len == 0 || memcmp(e, s, len) == 0);
}

bool pk_get_ll(const unsigned char *p, size_t off, long long *out)
{
    size_t l;
    const char *e = pk_get(p, off, &l);
    return nf_str2ll(e, l, out);
}

/* Replaces `old_span` bytes at `off` by `new_span` bytes (contents left to
 * the caller), moving the tail; returns the (possibly moved) pack. */
static unsigned char *resize_at(unsigned char *p, size_t off, size_t old_span, size_t new_span)
{
    size_t total = get_total(p);
    size_t tail = total - off - old_span;
    size_t ntotal = total - old_span + new_span;
    if (new_span < old_span) {
        memmove(p + off + new_span, p + off + old_span, tail);
        p = kv_xrealloc(p, ntotal);
    } else if (new_span > old_span) {
        p = kv_xrealloc(p, ntotal);
        memmove(p + off + new_span, p + off + old_span, tail);
    }
    set_total(p, ntotal);
    return p;
}

size_t pk_insert(unsigned char **pp, size_t off, const char *s, size_t len)
{
    size_t span = pk_entry_size(len);
    if (off == PK_END)
        off = get_total(*pp);
    *pp = resize_at(*pp, off, 0, span);
    entry_write(*pp + off, s, len);
    set_count(*pp, pk_count(*pp) + 1);
    return off;
}

unsigned char *pk_build(const char *const *s, const size_t *len, size_t n)
{
    size_t total = HDR_BYTES, off = HDR_BYTES;
    unsigned char *p;
    assert(n <= UINT32_MAX);
    for (size_t i = 0; i < n; i++)
        total += pk_entry_size(len[i]);
    p = kv_xmalloc(total);
    for (size_t i = 0; i < n; i++)
        off += entry_write(p + off, s[i], len[i]);
    set_total(p, total);
    set_count(p, (uint32_t)n);
    return p;
}

size_t pk_append(unsigned char **pp, const char *s, size_t len)
{
    return pk_insert(pp, PK_END, s, len);
}

size_t pk_prepend(unsigned char **pp, const char *s, size_t len)
{
    return pk_insert(pp, HDR_BYTES, s, len);
}

size_t pk_replace(unsigned char **pp, size_t off, const char *s, size_t len)
{
    size_t old = entry_span(*pp, off);
    *pp = resize_at(*pp, off, old, pk_entry_size(len));
    entry_write(*pp + off, s, len);
    return off;
}

size_t pk_delete(unsigned char **pp, size_t off, uint32_t n)
{
    size_t end = off, total = get_total(*pp);
    uint32_t k = 0;
    while (k < n && end < total) {
        end += entry_span(*pp, end);
        k++;
    }
    *pp = resize_at(*pp, off, end - off, 0);
    set_count(*pp, pk_count(*pp) - k);
    return off < get_total(*pp) ? off : PK_END;
}

void pk_delete_range(unsigned char **pp, long long start, uint32_t n)
{
    long long count = pk_count(*pp);
    size_t off;
    if (start < 0)
        start += count;
    if (start < 0)
        start = 0;
    if (start >= count || n == 0)
        return;
    off = pk_seek(*pp, start);
    pk_delete(pp, off, n);
}

size_t pk_find(const unsigned char *p, size_t off, const char *s, size_t len, uint32_t skip)
{
    while (off != PK_END) {
        if (pk_eq(p, off, s, len))
            return off;
        off = pk_next(p, off);
        for (uint32_t i = 0; i < skip && off != PK_END; i++)
            off = pk_next(p, off);
    }
    return PK_END;
}

void pk_merge(unsigned char **pp, const unsigned char *src)
{
    size_t add = get_total(src) - HDR_BYTES;
    size_t total = get_total(*pp);
    if (add == 0)
        return;
    *pp = resize_at(*pp, total, 0, add);
    memcpy(*pp + total, src + HDR_BYTES, add);
    set_count(*pp, pk_count(*pp) + pk_count(src));
}

unsigned char *pk_split(unsigned char **pp, size_t off)
{
    size_t total = get_total(*pp), bytes = total - off;
    uint32_t moved = 0;
    unsigned char *b;
    for (size_t o = off; o < total; o += entry_span(*pp, o))
        moved++;
    b = kv_xmalloc(HDR_BYTES + bytes);
    memcpy(b + HDR_BYTES, *pp + off, bytes);
    set_total(b, HDR_BYTES + bytes);
    set_count(b, moved);
    *pp = resize_at(*pp, off, bytes, 0);
    set_count(*pp, pk_count(*pp) - moved);
    return b;
}
