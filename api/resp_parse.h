/*
 * resp_parse: an incremental RESP request parser with no I/O.
 *
 * The caller owns the input buffer. It calls resp_parse() with the bytes of
 * the current (possibly partial) request starting at buf[0]. The parser
 * remembers how far it got, so a request arriving a byte at a time costs
 * O(total) work; between calls that return RESP_NEED_MORE the caller may move
 * the buffer (e.g. compact it) as long as the bytes from buf[0] on are kept
 * and only appended to.
 *
 * On RESP_OK, `cmd` holds argc and argv pointing either into buf (multibulk
 * arguments, zero-copy) or into the parser's own scratch (inline arguments
 * after unquoting). They stay valid until the next resp_parse/resp_reset call
 * or until buf changes. cmd->consumed bytes of buf were used; the next
 * request starts at buf + consumed. An empty request (an empty inline line,
 * "*0\r\n", "*-1\r\n") gives RESP_OK with argc == 0.
 *
 * On RESP_ERROR the parser is sticky (keeps returning RESP_ERROR) and
 * resp_error() gives Redis' text without the leading '-' and "ERR ", e.g.
 * "Protocol error: invalid bulk length". The connection is to be closed
 * after replying "-ERR <text>".
 */
#ifndef TASKKV_API_RESP_PARSE_H
#define TASKKV_API_RESP_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum resp_status { RESP_OK, RESP_NEED_MORE, RESP_ERROR };

struct resp_limits {
    size_t max_inline;        /* PROTO_INLINE_MAX_SIZE: 64 KiB; also caps the
                                 "*<n>" and "$<n>" lines while unterminated */
    long long max_bulk;       /* proto-max-bulk-len: 512 MiB by default */
    long long max_multibulk;  /* the largest element count "*<n>" of a multibulk
                                 request. Redis 7.0: INT_MAX (1024*1024 before
                                 6.2.6); values above INT_MAX act as INT_MAX. */
};

struct resp_arg {
    const char *ptr;
    size_t len;
};

struct resp_cmd {
    int argc;
    struct resp_arg *argv;   /* owned by the parser; grows as needed */
    size_t consumed;
};

struct resp_parser;

/* limits == NULL gives the defaults above (64 KiB, 512 MiB, INT_MAX); the
 * limits are copied. Returns NULL when out of memory. */
struct resp_parser *resp_parser_create(const struct resp_limits *limits);
void resp_parser_destroy(struct resp_parser *p);   /* NULL is a no-op */
void resp_parser_set_limits(struct resp_parser *p, const struct resp_limits *limits);

/* Redis' authRequired(): a password is configured and the client has not
 * authenticated yet. While set, a multibulk count over 10 or a bulk length
 * over 16384 is a protocol error, as in Redis 7.0. Off after create; set it
 * per connection and clear it after a successful AUTH/HELLO. */
void resp_parser_set_auth_required(struct resp_parser *p, int required);

/* Forgets any partial request and a sticky error. */
void resp_reset(struct resp_parser *p);

enum resp_status resp_parse(struct resp_parser *p, const char *buf, size_t len, struct resp_cmd *cmd);

/* After RESP_NEED_MORE: how many more bytes the current request surely needs
 * (at least 1), so the caller can size its buffer for a large bulk. */
size_t resp_want(const struct resp_parser *p);

/* The sticky error's text, or NULL. */
const char *resp_error(const struct resp_parser *p);

#endif
