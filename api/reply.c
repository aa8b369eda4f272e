/*
 * reply: RESP writers and the per-client output buffer (see reply.h).
 *
 * Invariant: bytes in `buf` precede bytes in the block list. Once a block
 * exists every new byte goes to the tail block, until the whole output has
 * been written and the list is freed. A deferred length is an empty block of
 * its own, filled in by reply_set_*; nothing is written to a socket while a
 * handler runs, so a slot is always filled before it can be sent.
 */
#include "api/reply.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BLOCK_SIZE (16 * 1024)
#define SLOT_SIZE 32

struct rblock {
    struct rblock *next;
    size_t size, used, sent;
    char data[];
};

static const char *const err_texts[RE_COUNT] = {
    [RE_SYNTAX] = "ERR syntax error",
    [RE_WRONGTYPE] = "WRONGTYPE Operation against a key holding the wrong kind of value",
    [RE_NOT_INT] = "ERR value is not an integer or out of range",
    [RE_NOT_FLOAT] = "ERR value is not a valid float",
    [RE_NO_SUCH_KEY] = "ERR no such key",
    [RE_DB_INDEX] = "ERR DB index is out of range",
    [RE_NOAUTH] = "NOAUTH Authentication required.",
    [RE_WRONGPASS] = "WRONGPASS invalid username-password pair or user is disabled.",
    [RE_OVERFLOW] = "ERR increment or decrement would overflow",
    [RE_INDEX_RANGE] = "ERR index out of range",
    [RE_BIT_OFFSET] = "ERR bit offset is not an integer or out of range",
    [RE_BIT_VALUE] = "ERR bit is not an integer or out of range",
    [RE_STRING_TOO_BIG] = "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
    [RE_SAME_OBJECT] = "ERR source and destination objects are the same",
    [RE_MAX_CLIENTS] = "ERR max number of clients reached",
    [RE_NOT_INT_OR_RANGE_TIMEOUT] = "ERR timeout is not a float or out of range",
    [RE_NEGATIVE_TIMEOUT] = "ERR timeout is negative",
    [RE_NOT_POSITIVE] = "ERR value is out of range, must be positive",
    [RE_OUT_OF_RANGE] = "ERR value is out of range",
    [RE_RANDOM_COUNT] =
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    [RE_NUMKEYS] = "ERR numkeys should be greater than 0",
    [RE_NUMKEYS_ARGS] = "ERR Number of keys can't be greater than number of args",
    [RE_COUNT_POSITIVE] = "ERR count should be greater than 0",
    [RE_LIMIT_NEGATIVE] = "ERR LIMIT can't be negative",
    [RE_INCR_NAN] = "ERR increment would produce NaN or Infinity",
};

void reply_init(struct reply *r)
{
    r->proto = 2;
    r->pos = r->sent = 0;
    r->head = r->tail = NULL;
    r->list_bytes = 0;
    r->errors = 0;
    r->mute = r->pushing = 0;
    r->on_error = NULL;
    r->on_error_ctx = NULL;
}

void reply_clear(struct reply *r)
{
    struct rblock *b = r->head, *next;
    for (; b; b = next) {
        next = b->next;
        free(b);
    }
    r->head = r->tail = NULL;
    r->list_bytes = 0;
    r->pos = r->sent = 0;
}

void reply_deinit(struct reply *r) { reply_clear(r); }

size_t reply_pending(const struct reply *r)
{
    size_t n = r->pos - r->sent;
    for (const struct rblock *b = r->head; b; b = b->next)
        n += b->used - b->sent;
    return n;
}

static struct rblock *block_new(struct reply *r, size_t size)
{
    struct rblock *b = kv_xmalloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = size;
    b->used = b->sent = 0;
    if (r->tail)
        r->tail->next = b;
    else
        r->head = b;
    r->tail = b;
    return b;
}

void reply_raw(struct reply *r, const char *p, size_t len)
{
    struct rblock *b;
    size_t n;
    if (r->mute && !r->pushing)
        return;
    if (!r->head) {
        n = REPLY_BUF_SIZE - r->pos;
        if (n > len)
            n = len;
        memcpy(r->buf + r->pos, p, n);
        r->pos += n;
        p += n;
        len -= n;
        if (!len)
            return;
    }
    b = r->tail;
    if (b && b->size - b->used > 0) {
        n = b->size - b->used;
        if (n > len)
            n = len;
        memcpy(b->data + b->used, p, n);
        b->used += n;
        r->list_bytes += n;
        p += n;
        len -= n;
    }
    if (len) {
        b = block_new(r, len > BLOCK_SIZE ? len : BLOCK_SIZE);
        memcpy(b->data, p, len);
        b->used = len;
        r->list_bytes += len;
    }
}

ssize_t reply_write(struct reply *r, int fd)
{
    struct iovec iov[64];
    int n = 0;
    ssize_t w, total;
    if (r->pos > r->sent)
        iov[n++] = (struct iovec){ r->buf + r->sent, r->pos - r->sent };
    for (struct rblock *b = r->head; b && n < 64; b = b->next)
        if (b->used > b->sent)
            iov[n++] = (struct iovec){ b->data + b->sent, b->used - b->sent };
    if (!n)
        return 0;
    do {
        /* one buffer (the common case): write(2) is the cheaper call */
        w = n == 1 ? write(fd, iov[0].iov_base, iov[0].iov_len) : writev(fd, iov, n);
    } while (w < 0 && errno == EINTR);
    if (w < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    total = w;
    if (r->pos > r->sent) {
        size_t k = r->pos - r->sent;
        if ((size_t)w < k) {
            r->sent += (size_t)w;
            return total;
        }
        w -= (ssize_t)k;
        r->sent = r->pos;
    }
    while (r->head) {
        struct rblock *b = r->head;
        size_t k = b->used - b->sent;
        if ((size_t)w < k) {
            b->sent += (size_t)w;
            break;
        }
        w -= (ssize_t)k;
        r->list_bytes -= b->used;
        r->head = b->next;
        free(b);
    }
    if (!r->head) {
        r->tail = NULL;
        r->list_bytes = 0;
    }
    if (r->sent == r->pos && !r->head)
        r->pos = r->sent = 0;
    return total;
}

char *reply_detach(struct reply *r, size_t *len)
{
    size_t n = reply_pending(r), off = 0;
    char *out = kv_xmalloc(n + 1);
    memcpy(out, r->buf + r->sent, r->pos - r->sent);
    off = r->pos - r->sent;
    for (struct rblock *b = r->head; b; b = b->next) {
        memcpy(out + off, b->data + b->sent, b->used - b->sent);
        off += b->used - b->sent;
    }
    out[off] = '\0';
    *len = off;
    reply_clear(r);
    return out;
}

/* ---- writers ------------------------------------------------------------ */

static void prefixed_ll(struct reply *r, char prefix, long long v)
{
    char buf[32];
    buf[0] = prefix;
    int len = 1 + nf_ll2str(buf + 1, sizeof(buf) - 3, v);
    buf[len++] = '\r';
    buf[len++] = '\n';
    reply_raw(r, buf, (size_t)len);
}

void reply_simple(struct reply *r, const char *s)
{
    reply_raw(r, "+", 1);
    reply_raw(r, s, strlen(s));
    reply_raw(r, "\r\n", 2);
}

void reply_lines(struct reply *r, const char *const *lines, size_t n)
{
    reply_array(r, (long long)n);
    for (size_t i = 0; i < n; i++)
        reply_simple(r, lines[i]);
}

void reply_ok(struct reply *r) { reply_raw(r, "+OK\r\n", 5); }

const char *reply_err_text(enum reply_err code) { return err_texts[code]; }

void reply_err(struct reply *r, enum reply_err code) { reply_error(r, err_texts[code]); }

void reply_error(struct reply *r, const char *msg)
{
    size_t len = strlen(msg);
    r->errors++;
    if (r->on_error) {
        const char *sp = memchr(msg, ' ', len);
        r->on_error(r->on_error_ctx, msg, sp ? (size_t)(sp - msg) : len);
    }
    reply_raw(r, "-", 1);
    if (!memchr(msg, '\r', len) && !memchr(msg, '\n', len)) {
        reply_raw(r, msg, len);
    } else {
        char *copy = kv_xstrndup(msg, len);
        for (size_t i = 0; i < len; i++)
            if (copy[i] == '\r' || copy[i] == '\n')
                copy[i] = ' ';
        reply_raw(r, copy, len);
        free(copy);
    }
    reply_raw(r, "\r\n", 2);
}

void reply_errorf(struct reply *r, const char *fmt, ...)
{
    char small[512], *msg = small;
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(small)) {
        msg = kv_xmalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    reply_error(r, msg);
    if (msg != small)
        free(msg);
}

void reply_int(struct reply *r, long long v)
{
    if (v == 0)
        reply_raw(r, ":0\r\n", 4);
    else if (v == 1)
        reply_raw(r, ":1\r\n", 4);
    else
        prefixed_ll(r, ':', v);
}

void reply_bulk(struct reply *r, const char *p, size_t len)
{
    prefixed_ll(r, '$', (long long)len);
    reply_raw(r, p, len);
    reply_raw(r, "\r\n", 2);
}

void reply_bulk_cstr(struct reply *r, const char *s) { reply_bulk(r, s, strlen(s)); }

void reply_bulk_ll(struct reply *r, long long v)
{
    char buf[32];
    int len = nf_ll2str(buf, sizeof(buf), v);
    reply_bulk(r, buf, (size_t)len);
}

void reply_null(struct reply *r)
{
    if (r->proto >= 3)
        reply_raw(r, "_\r\n", 3);
    else
        reply_raw(r, "$-1\r\n", 5);
}

void reply_null_array(struct reply *r)
{
    if (r->proto >= 3)
        reply_raw(r, "_\r\n", 3);
    else
        reply_raw(r, "*-1\r\n", 5);
}

void reply_array(struct reply *r, long long n) { prefixed_ll(r, '*', n); }

void reply_map(struct reply *r, long long n)
{
    if (r->proto >= 3)
        prefixed_ll(r, '%', n);
    else
        prefixed_ll(r, '*', n * 2);
}

void reply_set(struct reply *r, long long n) { prefixed_ll(r, r->proto >= 3 ? '~' : '*', n); }
void reply_push(struct reply *r, long long n) { prefixed_ll(r, r->proto >= 3 ? '>' : '*', n); }

void reply_attr(struct reply *r, long long n)
{
    if (r->proto >= 3)
        prefixed_ll(r, '|', n);
}

void reply_double(struct reply *r, double d)
{
    char buf[64];
    int len = nf_d2str(buf, sizeof(buf), d);
    if (r->proto >= 3) {
        reply_raw(r, ",", 1);
        reply_raw(r, buf, (size_t)len);
        reply_raw(r, "\r\n", 2);
    } else {
        reply_bulk(r, buf, (size_t)len);
    }
}

void reply_bool(struct reply *r, bool b)
{
    if (r->proto >= 3)
        reply_raw(r, b ? "#t\r\n" : "#f\r\n", 4);
    else
        reply_int(r, b);
}

void reply_bignum(struct reply *r, const char *digits, size_t len)
{
    if (r->proto < 3) {
        reply_bulk(r, digits, len);
        return;
    }
    reply_raw(r, "(", 1);
    reply_raw(r, digits, len);
    reply_raw(r, "\r\n", 2);
}

void reply_verbatim(struct reply *r, const char *p, size_t len, const char *ext)
{
    if (r->proto < 3) {
        reply_bulk(r, p, len);
        return;
    }
    prefixed_ll(r, '=', (long long)len + 4);
    reply_raw(r, ext, 3);
    reply_raw(r, ":", 1);
    reply_raw(r, p, len);
    reply_raw(r, "\r\n", 2);
}

void *reply_defer(struct reply *r)
{
    struct rblock *slot;
    if (r->mute && !r->pushing)
        return NULL;
    slot = block_new(r, SLOT_SIZE);
    slot->used = slot->size;   /* full: later writes start a new block */
    slot->sent = slot->size;   /* nothing to send until set */
    return slot;
}

static void set_slot(struct reply *r, void *slot, char prefix, long long n)
{
    struct rblock *b = slot;
    int len;
    if (!b)
        return;
    b->data[0] = prefix;
    len = 1 + nf_ll2str(b->data + 1, SLOT_SIZE - 3, n);
    b->data[len++] = '\r';
    b->data[len++] = '\n';
    b->used = (size_t)len;
    b->sent = 0;
    r->list_bytes += (size_t)len;
}

void reply_set_array(struct reply *r, void *slot, long long n) { set_slot(r, slot, '*', n); }

void reply_set_map(struct reply *r, void *slot, long long n)
{
    if (r->proto >= 3)
        set_slot(r, slot, '%', n);
    else
        set_slot(r, slot, '*', n * 2);
}

void reply_set_set(struct reply *r, void *slot, long long n)
{
    set_slot(r, slot, r->proto >= 3 ? '~' : '*', n);
}
