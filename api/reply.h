/*
 * reply: every RESP byte the server writes.
 *
 * A `struct reply` is one client's output: a fixed 16 KiB buffer first, then
 * a list of heap blocks once that is full or once a deferred length has been
 * reserved. Writers never fail; the caller enforces output limits by looking
 * at reply_pending().
 *
 * The writers adapt to the protocol the client chose with HELLO: maps, sets,
 * doubles, booleans, big numbers, verbatim strings, nulls and pushes are
 * native in RESP3 and degrade to Redis' RESP2 equivalents otherwise.
 *
 * Error replies come from one table (enum reply_err) so texts never drift
 * between handlers; free-form errors must start with their code ("ERR ...",
 * "WRONGTYPE ...").
 */
#ifndef TASKKV_API_REPLY_H
#define TASKKV_API_REPLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REPLY_BUF_SIZE (16 * 1024)

struct rblock;

struct reply {
    int proto;                 /* 2 or 3 */
    size_t pos;                /* bytes used in buf */
    size_t sent;               /* bytes of buf (or of head) already written */
    struct rblock *head, *tail;
    size_t list_bytes;         /* bytes held in blocks */
    uint64_t errors;           /* error replies written (stats) */
    /* CLIENT REPLY OFF / SKIP: while `mute` is set writes are dropped,
     * except pushes (`pushing` > 0: pub/sub messages and confirmations,
     * which Redis 7.0 delivers to a silenced client). Errors still count. */
    unsigned char mute;
    unsigned char pushing;
    /* Told of each error reply's code (its first word), for INFO errorstats. */
    void (*on_error)(void *ctx, const char *code, size_t len);
    void *on_error_ctx;
    char buf[REPLY_BUF_SIZE];
};

enum reply_err {
    RE_SYNTAX,
    RE_WRONGTYPE,
    RE_NOT_INT,
    RE_NOT_FLOAT,
    RE_NO_SUCH_KEY,
    RE_DB_INDEX,
    RE_NOAUTH,
    RE_WRONGPASS,
    RE_OVERFLOW,
    RE_INDEX_RANGE,
    RE_BIT_OFFSET,
    RE_BIT_VALUE,
    RE_STRING_TOO_BIG,
    RE_SAME_OBJECT,
    RE_MAX_CLIENTS,
    RE_NOT_INT_OR_RANGE_TIMEOUT,
    RE_NEGATIVE_TIMEOUT,
    RE_NOT_POSITIVE,        /* a pop's count, below 0 or not a number */
    RE_OUT_OF_RANGE,
    RE_RANDOM_COUNT,        /* SRANDMEMBER HRANDFIELD ZRANDMEMBER: count is LLONG_MIN */
    RE_NUMKEYS,
    RE_NUMKEYS_ARGS,
    RE_COUNT_POSITIVE,      /* *MPOP's COUNT */
    RE_LIMIT_NEGATIVE,      /* *INTERCARD's LIMIT */
    RE_INCR_NAN,
    RE_COUNT
};

void reply_init(struct reply *r);
void reply_deinit(struct reply *r);
/* Drops everything not yet written. */
void reply_clear(struct reply *r);

/* Bytes not yet written to the socket. */
size_t reply_pending(const struct reply *r);
/* Writes as much as the socket takes. Returns bytes written, 0 if it would
 * block, -1 on a socket error (errno set). */
ssize_t reply_write(struct reply *r, int fd);

/* Moves all pending output into one malloc'd, NUL-terminated string the
 * caller frees (fake clients: tests, scripts, replay); *len gets its size. */
char *reply_detach(struct reply *r, size_t *len);

void reply_raw(struct reply *r, const char *p, size_t len);
void reply_simple(struct reply *r, const char *s);   /* +s */
/* An array of simple strings: the HELP replies of container commands. */
void reply_lines(struct reply *r, const char *const *lines, size_t n);
void reply_ok(struct reply *r);
void reply_err(struct reply *r, enum reply_err code);
/* msg must start with an error code ("ERR ..."); CR/LF become spaces. */
void reply_error(struct reply *r, const char *msg);
void reply_errorf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text of a table error without the leading '-' (for errors counted or kept). */
const char *reply_err_text(enum reply_err code);

void reply_int(struct reply *r, long long v);
void reply_bulk(struct reply *r, const char *p, size_t len);
void reply_bulk_cstr(struct reply *r, const char *s);
void reply_bulk_ll(struct reply *r, long long v);
void reply_null(struct reply *r);          /* RESP2 $-1, RESP3 _ */
void reply_null_array(struct reply *r);    /* RESP2 *-1, RESP3 _ */
void reply_array(struct reply *r, long long n);
void reply_map(struct reply *r, long long n);     /* n pairs; RESP2 *2n */
void reply_set(struct reply *r, long long n);     /* RESP2 *n */
void reply_push(struct reply *r, long long n);    /* RESP2 *n */
/* Brackets a whole push (header and elements) so it passes a muted reply. */
static inline void reply_push_begin(struct reply *r) { r->pushing++; }
static inline void reply_push_end(struct reply *r) { r->pushing--; }
void reply_attr(struct reply *r, long long n);    /* RESP3 only; ignored under RESP2 */
void reply_double(struct reply *r, double d);     /* RESP2 bulk, RESP3 , */
void reply_bool(struct reply *r, bool b);         /* RESP2 :1/:0, RESP3 #t/#f */
void reply_bignum(struct reply *r, const char *digits, size_t len); /* RESP2 bulk */
void reply_verbatim(struct reply *r, const char *p, size_t len, const char *ext); /* RESP2 bulk */

/* Deferred lengths for replies of unknown size: reserve, write the
 * elements, then set the length. A muted reply gives a NULL slot, which
 * the setters ignore. */
void *reply_defer(struct reply *r);
void reply_set_array(struct reply *r, void *slot, long long n);
void reply_set_map(struct reply *r, void *slot, long long n);
void reply_set_set(struct reply *r, void *slot, long long n);

#endif
