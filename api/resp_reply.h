/*
 * resp_reply: reads back a complete reply this server wrote, RESP2 or RESP3,
 * as a stream of items - the bytes a fake client collected in its output
 * (a script's redis.call, tests). The inverse of api/reply.c's writers; it
 * never writes RESP itself.
 *
 * Pull model with no I/O and no allocation: rr_next() returns one item at a
 * time, an aggregate as its header (type and count) followed by its
 * elements, so a consumer converts a nested reply with plain recursion
 * (one rr_next per element). Strings point into the caller's buffer and stay
 * valid as long as it does.
 *
 * The input is trusted to be well formed (it comes from reply.c); malformed
 * or truncated input makes rr_next return false instead of reading past the
 * end.
 */
#ifndef TASKKV_API_RESP_REPLY_H
#define TASKKV_API_RESP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

enum rr_type {
    RR_SIMPLE,       /* +text */
    RR_ERROR,        /* -text */
    RR_INT,          /* :n */
    RR_BULK,         /* $len text */
    RR_NULL_BULK,    /* RESP2 $-1 */
    RR_NULL_ARRAY,   /* RESP2 *-1 */
    RR_NULL,         /* RESP3 _ */
    RR_BOOL,         /* RESP3 #t / #f: n is 1 or 0 */
    RR_DOUBLE,       /* RESP3 ,text: d parsed, ptr/len the text */
    RR_BIGNUM,       /* RESP3 (digits */
    RR_VERBATIM,     /* RESP3 =len fmt:text: fmt the 3-byte format, ptr/len the text */
    RR_ARRAY,        /* *n: n elements follow */
    RR_SET,          /* ~n: n elements follow */
    RR_PUSH,         /* >n: n elements follow */
    RR_MAP,          /* %n: n key/value pairs (2n items) follow */
    RR_ATTR,         /* |n: n key/value pairs, then the reply they annotate */
};

struct rr_item {
    enum rr_type type;
    const char *ptr;     /* text of SIMPLE, ERROR, BULK, DOUBLE, BIGNUM, VERBATIM */
    size_t len;
    const char *fmt;     /* VERBATIM only */
    long long n;         /* INT value, BOOL, aggregate count */
    double d;            /* DOUBLE */
};

struct rr_reader {
    const char *p, *end;
};

void rr_init(struct rr_reader *r, const char *p, size_t len);
/* Reads the next item into *it. False at the end of the input or on bytes
 * that are not a well-formed reply (the reader then stays at the end). */
bool rr_next(struct rr_reader *r, struct rr_item *it);
/* Skips one whole value (an aggregate with all its elements). */
bool rr_skip(struct rr_reader *r);

#endif
