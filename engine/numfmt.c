/*
 * numfmt: Redis 7.0's number parsing and formatting (see engine/numfmt.h).
 *
 * Why by hand and not just strtoll/printf: Redis' integer syntax is stricter
 * than strtoll's (no sign '+', no leading zeros or spaces), and every reply
 * that shows a float has its own fixed recipe; clients and tests compare
 * those bytes. The float parsers do defer to strtod/strtold, as Redis does,
 * so exotic inputs (hex floats, "infinity") behave identically.
 *
 * Binary safety: strtod needs a NUL-terminated string, so the float parsers
 * copy the input; short inputs go through a stack buffer, long ones (legal:
 * "0.000...1" may be any length for nf_str2d) through the heap.
 */
#include "engine/numfmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"

#define STACK_COPY 128

/* ------------------------------------------------------------- integers */

bool nf_str2ll(const char *s, size_t len, long long *out)
{
    if (len == 0)
        return false;
    if (len == 1 && s[0] == '0') {
        if (out)
            *out = 0;
        return true;
    }
    size_t i = 0;
    bool negative = s[0] == '-';
    if (negative)
        i++;
    /* The first digit is 1-9: this rules out "-", "-0", "01" and "+1". */
    if (i == len || s[i] < '1' || s[i] > '9')
        return false;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (v > limit)
        return false;
    if (out)
        *out = negative ? (long long)(0 - v) : (long long)v;
    return true;
}

/* Writes "" into buf when it has room for that much. Returns 0. */
static int no_room(char *buf, size_t cap)
{
    if (cap > 0)
        buf[0] = '\0';
    return 0;
}

/* Copies len bytes and a NUL into buf if they fit in cap; else returns 0. */
static int emit(char *buf, size_t cap, const char *text, size_t len)
{
    if (len + 1 > cap)
        return no_room(buf, cap);
    memcpy(buf, text, len);
    buf[len] = '\0';
    return (int)len;
}

int nf_ll2str(char *buf, size_t cap, long long v)
{
    char tmp[NF_LL_BUFSIZE];
    char *p = tmp + sizeof(tmp);
    /* Negate in unsigned arithmetic so LLONG_MIN works. */
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return emit(buf, cap, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* ---------------------------------------------------------- float parsing */

/* A NUL-terminated copy of (s, len): in `stack` when it fits, else on the
 * heap. Release with drop_cstr. */
static char *to_cstr(const char *s, size_t len, char *stack, size_t stack_cap)
{
    char *c = len < stack_cap ? stack : kv_xmalloc(len + 1);
    memcpy(c, s, len);
    c[len] = '\0';
    return c;
}

static void drop_cstr(char *c, const char *stack)
{
    if (c != stack)
        free(c);
}

/* The acceptance test string2d and string2ld share, after strto(l)d parsed
 * c (len bytes, NUL-terminated) up to end with errno set by it: no leading
 * space, everything consumed (which also rejects embedded NULs), not an
 * overflow to +-inf, not an underflow to zero, not NaN. */
static bool float_ok(const char *c, size_t len, const char *end, int err,
                     bool overflowed, bool zero, bool nan)
{
    if (len == 0 || isspace((unsigned char)c[0]))
        return false;
    if ((size_t)(end - c) != len)
        return false;
    if (err == ERANGE && (overflowed || zero))
        return false;
    if (err == EINVAL)
        return false;
    return !nan;
}

bool nf_str2ld(const char *s, size_t len, long double *out)
{
    if (len == 0 || len >= NF_LD_BUFSIZE)
        return false;
    char stack[STACK_COPY];
    char *c = to_cstr(s, len, stack, sizeof(stack));
    char *end;
    errno = 0;
    long double v = strtold(c, &end);
    bool ok = float_ok(c, len, end, errno, v == HUGE_VALL || v == -HUGE_VALL,
                       v == 0, isnan(v));
    drop_cstr(c, stack);
    if (ok && out)
        *out = v;
    return ok;
}

bool nf_str2d(const char *s, size_t len, double *out)
{
    if (len == 0)
        return false;
    char stack[STACK_COPY];
    char *c = to_cstr(s, len, stack, sizeof(stack));
    char *end;
    errno = 0;
    double v = strtod(c, &end);
    bool ok = float_ok(c, len, end, errno, v == HUGE_VAL || v == -HUGE_VAL,
                       v == 0, isnan(v));
    drop_cstr(c, stack);
    if (ok && out)
        *out = v;
    return ok;
}

/* -------------------------------------------------------- float formatting */

/* "inf", "-inf" or "nan" for a non-finite value; returns -1 when v is
 * finite so the caller formats it. */
static int special(char *buf, size_t cap, double v)
{
    if (isnan(v))
        return emit(buf, cap, "nan", 3);
    if (isinf(v))
        return v > 0 ? emit(buf, cap, "inf", 3) : emit(buf, cap, "-inf", 4);
    return -1;
}

/* Drops trailing zeros after a '.', then a bare '.'; "-0" becomes "0". */
static size_t trim_fixed(char *buf, size_t len)
{
    if (memchr(buf, '.', len)) {
        while (buf[len - 1] == '0')
            len--;
        if (buf[len - 1] == '.')
            len--;
    }
    if (len == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        len = 1;
    }
    buf[len] = '\0';
    return len;
}

int nf_ld2str_human(char *buf, size_t cap, long double v)
{
    if (isnan(v) || isinf(v))
        return special(buf, cap, (double)v);
    int n = snprintf(buf, cap, "%.17Lf", v);
    if (n < 0 || (size_t)n + 1 > cap)
        return no_room(buf, cap);
    return (int)trim_fixed(buf, (size_t)n);
}

int nf_d2str(char *buf, size_t cap, double v)
{
    int n = special(buf, cap, v);
    if (n >= 0)
        return n;
    n = snprintf(buf, cap, "%.17g", v);
    if (n < 0 || (size_t)n + 1 > cap)
        return no_room(buf, cap);
    return n;
}

int nf_d2str_listpack(char *buf, size_t cap, double v)
{
    /* Written so NaN fails the range test before any cast. */
    if (v >= -0x1p62 && v <= 0x1p62) {
        long long ll = (long long)v;
        if ((double)ll == v)
            return nf_ll2str(buf, cap, ll);
    }
    return nf_d2str(buf, cap, v);
}
