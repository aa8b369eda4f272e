/*
 * scan: the cursor and option parsing shared by SCAN and the collection
 * scans (SSCAN, HSCAN, ZSCAN), with Redis 7.0's errors.
 */
#ifndef TASKKV_API_SCAN_H
#define TASKKV_API_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/resp_parse.h"

struct client;

struct scan_opts {
    long long count;               /* COUNT, default 10 */
    const struct resp_arg *pat;    /* MATCH; NULL: everything ("*" too) */
    const char *type;              /* TYPE (SCAN only); NULL: any type */
    size_t type_len;
};

/* The cursor as Redis reads it (strtoul: "" is 0, "-1" is 2^64-1);
 * "ERR invalid cursor" otherwise. */
bool scan_cursor_or_reply(struct client *c, const struct resp_arg *a, uint64_t *out);
/* Options from argv[i] on: MATCH, COUNT (>= 1), and TYPE when allow_type;
 * anything else is "ERR syntax error". */
bool scan_opts_or_reply(struct client *c, int i, bool allow_type, struct scan_opts *o);

#endif
