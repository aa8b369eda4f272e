/*
 * coll: the workers the collection command files (api/cmd_list.c,
 * cmd_hash.c, cmd_set.c, cmd_zset.c) share, so each shape of command is
 * written once with thin per-type wrappers:
 *   - change outputs: a key's event with its dirty count, and the "del" of a
 *     collection a command emptied;
 *   - Redis' index-range clipping (LRANGE, LTRIM, ZRANGE, ZREMRANGEBYRANK);
 *   - the blocking and multi-key pops (BLPOP BRPOP BZPOPMIN BZPOPMAX, LMPOP
 *     ZMPOP BLMPOP BZMPOP): argument parsing, the search for the first key
 *     with data, waiting (api/block.h); the type serves through a callback;
 *   - the collection scans (SSCAN HSCAN ZSCAN): cursor, options, the 10 *
 *     COUNT step bound, MATCH and the reply; the type supplies one step.
 * Behaviour is Redis 7.0.15's; each worker keeps the validation order the
 * per-type handlers had (see the comments of the command files).
 */
#ifndef TASKKV_API_COLL_H
#define TASKKV_API_COLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/resp_parse.h"

struct client;

/* A collection key changed: key-changed hooks, its keyspace event (class
 * cls, Redis' name) and `dirty` changes counted (0 counts nothing but still
 * notifies, as LTRIM does). */
void coll_touched(struct client *c, const struct resp_arg *key, int cls, const char *event, long long dirty);

/* Deletes a collection its command emptied, raising "del" after the
 * command's own event (no dirty count: the command's change is what Redis
 * counts). */
void coll_delete_emptied(struct client *c, const struct resp_arg *key);

/* Redis' clipping of a [start, end] index range (negative from the end)
 * over len elements: false when empty, else [*first, *last] within
 * 0..len-1. */
bool coll_clip_range(long long start, long long end, long long len, long long *first, long long *last);

/* ---- blocking and multi-key pops ------------------------------------------ */

/* Serves a pop from `val`, the non-empty value of the key (of the type the
 * worker was given): replies everything (header, key, elements), raises the
 * events and records the effect. `end` is 0 or 1 (which end, as the type
 * defines it); count < 0 for the one-element blocking pops (BLPOP ...),
 * else the COUNT of an *MPOP (1 when not given). */
typedef void (*coll_serve_fn)(struct client *c, const struct resp_arg *key, void *val, int end, long long count);

/* The first of keys[0..n) holding a value of `type`: its index, *val its
 * value; -1 when none (missing keys, and keys of another type while a
 * blocked client retries); -2 after replying WRONGTYPE. Values of `type`
 * are never empty (emptied collections leave the keyspace). */
int coll_first_ready_or_reply(struct client *c, const struct resp_arg *keys, int n, int type, void **val);

/* Parks the client on keys[0..n) until `deadline` (its timeout reply is a
 * null array). */
void coll_wait(struct client *c, const struct resp_arg *keys, int n, int64_t deadline);

/* BLPOP BRPOP BZPOPMIN BZPOPMAX: key [key ...] timeout. Serves the first
 * key with data (count -1), else waits. */
void coll_bpop(struct client *c, int type, int end, coll_serve_fn serve);

/* LMPOP ZMPOP: numkeys key [key ...] END0|END1 [COUNT count], and, with
 * `blocking`, BLMPOP BZMPOP with a timeout before numkeys. Errors in Redis'
 * order: numkeys, the end word, COUNT, the timeout, then WRONGTYPE. Serves
 * the first key with data, else replies a null array or waits. */
void coll_mpop(struct client *c, bool blocking, int type, const char *end0, const char *end1, coll_serve_fn serve);

/* ---- SSCAN HSCAN ZSCAN --------------------------------------------------------- */

/* Strings gathered by scan steps, copied into one arena. */
struct coll_strs {
    char *bytes;
    size_t used, cap;
    size_t *lens;
    size_t n, ncap;
};

void coll_strs_push(struct coll_strs *s, const char *p, size_t len);

/* One scan step over a collection value: pushes the strings of the elements
 * under `cursor` (a member; a member and its score; a field and its value)
 * and returns the next cursor (0 when done; a compact encoding reports
 * everything at once and returns 0). */
typedef uint64_t (*coll_scan_fn)(void *val, uint64_t cursor, struct coll_strs *out);

/* key cursor [MATCH pattern] [COUNT count] over a value of `type` whose
 * elements are `group` strings each; MATCH tests an element's first string.
 * Steps until COUNT strings are gathered, at most 10 * COUNT steps. */
void coll_scan(struct client *c, int type, size_t group, coll_scan_fn step);

#endif
