/*
 * cmd_zset: what the two sorted-set command files share. api/cmd_zset.c has
 * the command table and every single-key command; api/cmd_zset_ops.c the
 * set algebra (ZUNION ZINTER ZDIFF ZINTERCARD and their *STORE forms).
 * Internal to those two files.
 */
#ifndef TASKKV_API_CMD_ZSET_H
#define TASKKV_API_CMD_ZSET_H

#include <stdbool.h>

#include "api/resp_parse.h"
#include "engine/t_zset.h"

struct client;

/* zset-max-listpack-entries / -value, read at call time. */
struct tzset_limits zcmd_limits(const struct client *c);

/* Element replies: the header for n elements, then each element - a bulk
 * member, with WITHSCORES a score too: flat (member, score) in RESP2, one
 * [member, score] array per element in RESP3. */
void zcmd_reply_header(struct client *c, long long n, bool withscores);
void zcmd_reply_elem(struct client *c, const struct tzset_elem *e, bool withscores);

/* The end of every *STORE command: a non-empty result (built with tzset_acc,
 * taken over) replaces dst whatever it held, raising `event`; an empty one
 * deletes dst (raising "del" if it existed). Replies the result's size. */
void zcmd_store(struct client *c, const struct resp_arg *dst, struct tzset *result, const char *event);

/* Handlers of api/cmd_zset_ops.c. */
void zunionstore_cmd(struct client *c);
void zinterstore_cmd(struct client *c);
void zdiffstore_cmd(struct client *c);
void zunion_cmd(struct client *c);
void zinter_cmd(struct client *c);
void zdiff_cmd(struct client *c);
void zintercard_cmd(struct client *c);

#endif
