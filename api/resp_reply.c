/*
 * resp_reply: the reply reader (see resp_reply.h).
 *
 * Every item starts with a type byte and ends its header line with CRLF;
 * bulk-like items (bulk, verbatim) carry a length and then that many bytes
 * and a CRLF. Lengths are parsed strictly; anything else fails the read.
 */
#include "api/resp_reply.h"

#include <stdlib.h>
#include <string.h>

void rr_init(struct rr_reader *r, const char *p, size_t len)
{
    r->p = p;
    r->end = p + len;
}

static bool fail(struct rr_reader *r)
{
    r->p = r->end;
    return false;
}

/* The header line after the type byte: [*line, *line + *len) up to CRLF. */
static bool read_line(struct rr_reader *r, const char **line, size_t *len)
{
    const char *start = r->p, *q;
    for (q = start; q + 1 < r->end; q++)
        if (q[0] == '\r' && q[1] == '\n') {
            *line = start;
            *len = (size_t)(q - start);
            r->p = q + 2;
            return true;
        }
    return false;
}

static bool parse_ll(const char *p, size_t len, long long *out)
{
    long long v = 0;
    bool neg = len > 0 && p[0] == '-';
    size_t i = neg ? 1 : 0;
    if (i == len || len > 20)
        return false;
    for (; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        /* replies never hold numbers past LLONG: accumulate negatively to reach LLONG_MIN */
        v = v * 10 - (p[i] - '0');
    }
    *out = neg ? v : -v;
    return true;
}

/* $len / =len payloads: the bytes and their CRLF. */
static bool read_payload(struct rr_reader *r, long long len, const char **ptr)
{
    if (len < 0 || r->end - r->p < len + 2)
        return false;
    *ptr = r->p;
    r->p += len + 2;
    return true;
}

bool rr_next(struct rr_reader *r, struct rr_item *it)
{
    const char *line;
    size_t len;
    char type, num[64];
    if (r->p >= r->end)
        return false;
    type = *r->p++;
    if (!read_line(r, &line, &len))
        return fail(r);
    memset(it, 0, sizeof(*it));
    switch (type) {
    case '+':
    case '-':
    case '(':
        it->type = type == '+' ? RR_SIMPLE : type == '-' ? RR_ERROR : RR_BIGNUM;
        it->ptr = line;
        it->len = len;
        return true;
    case ':':
        it->type = RR_INT;
        return parse_ll(line, len, &it->n) || fail(r);
    case '_':
        it->type = RR_NULL;
        return true;
    case '#':
        it->type = RR_BOOL;
        it->n = len == 1 && line[0] == 't';
        return true;
    case ',':
        if (len >= sizeof(num))
            return fail(r);
        memcpy(num, line, len);
        num[len] = '\0';
        it->type = RR_DOUBLE;
        it->ptr = line;
        it->len = len;
        it->d = strtod(num, NULL);
        return true;
    case '$':
    case '=':
        if (!parse_ll(line, len, &it->n))
            return fail(r);
        if (type == '$' && it->n == -1) {
            it->type = RR_NULL_BULK;
            return true;
        }
        if (!read_payload(r, it->n, &it->ptr))
            return fail(r);
        it->type = RR_BULK;
        it->len = (size_t)it->n;
        if (type == '=') {
            if (it->len < 4)
                return fail(r);
            it->type = RR_VERBATIM;
            it->fmt = it->ptr;
            it->ptr += 4;
            it->len -= 4;
        }
        return true;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|':
        if (!parse_ll(line, len, &it->n))
            return fail(r);
        if (it->n < 0) {
            if (type != '*')
                return fail(r);
            it->type = RR_NULL_ARRAY;
            return true;
        }
        it->type = type == '*' ? RR_ARRAY : type == '~' ? RR_SET : type == '>' ? RR_PUSH
                 : type == '%' ? RR_MAP : RR_ATTR;
        return true;
    default:
        return fail(r);
    }
}

bool rr_skip(struct rr_reader *r)
{
    struct rr_item it;
    long long items;
    if (!rr_next(r, &it))
        return false;
    switch (it.type) {
    case RR_ARRAY:
    case RR_SET:
    case RR_PUSH:
        items = it.n;
        break;
    case RR_MAP:
        items = it.n * 2;
        break;
    case RR_ATTR:
        items = it.n * 2 + 1;   /* the pairs, then the annotated reply */
        break;
    default:
        return true;
    }
    for (long long i = 0; i < items; i++)
        if (!rr_skip(r))
            return false;
    return true;
}
