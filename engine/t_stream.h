/*
 * t_stream: the stream type's data structure (XADD, XRANGE, XREAD ... live in
 * api/cmd_stream.c). A stream is a sequence of entries ordered by strictly
 * increasing 128-bit IDs (ms-seq, two unsigned 64-bit halves), each entry
 * holding one or more field/value pairs of byte strings (fields may repeat
 * inside an entry and keep their order).
 *
 * Entries are only ever appended (a new ID must be greater than the last one
 * the stream ever generated); they leave by XDEL (any entry) or by trimming
 * (the oldest ones). An emptied stream stays a valid, empty stream: the
 * command layer keeps the key, as Redis does.
 *
 * Layout (engine/t_stream.c has the details): a sorted array of nodes, each
 * holding up to stream-node-max-entries entries in one engine/pack, with IDs
 * delta-encoded against the node's first ID and the field names of entries
 * that repeat the node's first entry's names left out. Node boundaries are
 * chosen exactly as Redis 7.0 chooses its listpack nodes: taskkv keeps, per
 * node, the byte size Redis' listpack would have and the live / deleted
 * counters Redis keeps, so that approximate trimming (MAXLEN ~ / MINID ~,
 * which only drops whole nodes) removes the same entries and returns the
 * same counts as Redis.
 *
 * Besides the entries the stream keeps what Redis 7.0 keeps for XINFO and
 * consumer groups: the last generated ID, the number of entries ever added,
 * the greatest ID XDEL removed and the recorded first entry's ID.
 *
 * Ownership: the stream owns its nodes. Bytes handed out by an iterator
 * point into the stream and stay valid until the stream changes. Nothing
 * here reads the clock (XADD's `*` gets now_ms) or replies.
 */
#ifndef TASKKV_ENGINE_T_STREAM_H
#define TASKKV_ENGINE_T_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/event.h"
#include "engine/obj.h"

struct tstream;

struct tstream_id {
    uint64_t ms, seq;
};

/* "18446744073709551615-18446744073709551615" plus NUL. */
#define TSTREAM_ID_STRSIZE 42

/* Node limits (stream-node-max-bytes / -entries), passed in on each append;
 * 0 means "no limit" for either, as in Redis (bytes are then capped at
 * 1 GiB, Redis' listpack ceiling). */
struct tstream_limits {
    long long node_max_bytes;
    long long node_max_entries;
};

/* ---- IDs ------------------------------------------------------------------ */

int tstream_id_cmp(const struct tstream_id *a, const struct tstream_id *b);
/* The next / previous ID (seq first, carrying into ms); false, leaving the
 * ID unchanged, past the ends (max-max, 0-0). */
bool tstream_id_incr(struct tstream_id *id);
bool tstream_id_decr(struct tstream_id *id);
/* Writes "ms-seq" and a NUL into buf (TSTREAM_ID_STRSIZE bytes); returns the
 * length. */
size_t tstream_id_format(char *buf, const struct tstream_id *id);

/* How an ID argument may be written (Redis' stream ID syntax). */
enum tstream_id_syntax {
    TSTREAM_ID_STRICT,     /* "ms[-seq]" only (XADD, XDEL, MINID, XREAD, "(" bounds) */
    TSTREAM_ID_RANGE,      /* also "-" (0-0) and "+" (max-max): XRANGE bounds */
};

/* Parses an ID argument the way Redis 7.0 does: the bytes are read as a C
 * string (cut at the first NUL) of at most 127 bytes; ms and seq are split at
 * the first '-' and each is a decimal unsigned 64-bit number in strtoull's
 * syntax when not a canonical integer (leading blanks, a sign - a '-' one
 * wraps around -, leading zeros). A missing "-seq" gives `missing_seq`. With
 * `seq_star` non-NULL, "ms-*" is accepted and sets *seq_star (the sequence is
 * to be generated); otherwise *seq_star is untouched. False when invalid. */
bool tstream_id_parse(const char *p, size_t len, enum tstream_id_syntax syntax, uint64_t missing_seq,
                      struct tstream_id *out, bool *seq_star);

/* ---- the stream ----------------------------------------------------------- */

/* A new empty stream. Never returns NULL. */
struct tstream *tstream_create(void);
/* Frees the stream; NULL is a no-op. */
void tstream_destroy(struct tstream *s);
/* A deep copy, node boundaries and counters included. */
struct tstream *tstream_dup(const struct tstream *s);

/* Live entries. */
uint64_t tstream_length(const struct tstream *s);
/* The last generated ID (0-0 for a stream that never had an entry); it does
 * not go back when entries are deleted. */
struct tstream_id tstream_last_id(const struct tstream *s);
/* Redis' "recorded-first-entry-id": the first live entry's ID, 0-0 when the
 * stream is empty. */
struct tstream_id tstream_first_id(const struct tstream *s);
/* The greatest ID XDEL removed (0-0 if none). */
struct tstream_id tstream_max_deleted_id(const struct tstream *s);
/* Entries ever appended. */
uint64_t tstream_entries_added(const struct tstream *s);
/* The ID of the last live entry; false when the stream is empty. */
bool tstream_last_entry_id(const struct tstream *s, struct tstream_id *out);
/* Number of nodes (Redis' radix-tree-keys). */
size_t tstream_nodes(const struct tstream *s);

/* ---- appending -------------------------------------------------------------- */

/* How XADD names the new entry's ID. */
enum tstream_id_mode {
    TSTREAM_ID_AUTO,       /* `*`: now_ms, or last + 1 when the clock is behind */
    TSTREAM_ID_MS,         /* `ms-*`: the given ms; seq 0, or last seq + 1 on the same ms */
    TSTREAM_ID_EXPLICIT,   /* `ms-seq` */
};

enum tstream_add_result {
    TSTREAM_ADDED,
    TSTREAM_ID_TOO_SMALL,  /* not greater than the last ID */
    TSTREAM_NO_SEQ_LEFT,   /* ms-* on the last ID's ms, whose seq is the maximum */
    TSTREAM_EXHAUSTED,     /* the last ID is max-max: nothing can follow */
    TSTREAM_TOO_LARGE,     /* fields and values together exceed 1 GiB */
};

/* Appends an entry of `npairs` field/value pairs (fv[0] field, fv[1] value,
 * ...; npairs >= 1; the bytes are copied and may not point into the stream).
 * `given` is read for TSTREAM_ID_MS (its ms) and TSTREAM_ID_EXPLICIT. On
 * TSTREAM_ADDED *out is the new ID; otherwise nothing changed. */
enum tstream_add_result tstream_add(struct tstream *s, enum tstream_id_mode mode, const struct tstream_id *given,
                                    int64_t now_ms, const struct kv_arg *fv, size_t npairs,
                                    const struct tstream_limits *lim, struct tstream_id *out);

/* ---- removing ----------------------------------------------------------- */

/* Deletes the live entry with this ID (XDEL); returns whether there was one.
 * Keeps the max deleted ID and the recorded first ID up to date. */
bool tstream_delete(struct tstream *s, const struct tstream_id *id);

enum tstream_trim_strategy { TSTREAM_TRIM_MAXLEN, TSTREAM_TRIM_MINID };

struct tstream_trim {
    enum tstream_trim_strategy strategy;
    bool approx;               /* `~`: only whole nodes go */
    uint64_t maxlen;           /* MAXLEN: keep at most this many entries */
    struct tstream_id minid;   /* MINID: drop entries below this ID */
    long long limit;           /* stop before a node that would take the count past it; 0 = none */
};

/* Trims as Redis 7.0's XTRIM / XADD trimming does: whole nodes from the
 * oldest while they are entirely surplus (and within `limit`), then, unless
 * approximate, the surplus entries of the next node. Returns the number of
 * entries deleted. */
uint64_t tstream_trim(struct tstream *s, const struct tstream_trim *t);

/* ---- reading -------------------------------------------------------------- */

/* Walks the live entries with start <= ID <= end, ascending, or descending
 * with `rev`. The stream must not change while an iterator is live. */
struct tstream_iter {
    const struct tstream *s;
    struct tstream_id start, end;
    bool rev, done;
    size_t node;                 /* index of the node being walked */
    size_t off;                  /* its current entry (a pack offset), or PK_END before the first */
    /* the current entry's pairs */
    const unsigned char *mp;     /* the node's master field names (same-fields entries) */
    const unsigned char *p;      /* the entry's next pair */
    size_t left;                 /* pairs not yet read */
    bool same;
};

void tstream_iter_init(struct tstream_iter *it, const struct tstream *s, const struct tstream_id *start,
                       const struct tstream_id *end, bool rev);
/* The next entry: its ID and number of pairs; false at the end. */
bool tstream_iter_next(struct tstream_iter *it, struct tstream_id *id, size_t *npairs);
/* The current entry's next pair, in the order they were added; false after
 * the last. */
bool tstream_iter_pair(struct tstream_iter *it, const char **f, size_t *flen, const char **v, size_t *vlen);

/* ---- persistence (for engine/codec) ------------------------------------------ */

/* What a snapshot must keep of a node besides its live entries so that a
 * reload has Redis' node boundaries and tombstone counts (approximate
 * trimming depends on them, as it does in Redis after an RDB reload): the
 * node's base and last-added IDs, its counters, its emulated listpack size
 * and the field names of its first entry (which may have been deleted). */
struct tstream_node_info {
    struct tstream_id master, last;
    uint32_t live, deleted;
    uint64_t rbytes;
    size_t nnames;
};

/* Node i's state (i < tstream_nodes(s)); name k (k < nnames) with
 * tstream_node_name. Bytes point into the stream until it changes. */
void tstream_node_info(const struct tstream *s, size_t i, struct tstream_node_info *out);
void tstream_node_name(const struct tstream *s, size_t i, size_t k, const char **p, size_t *len);
/* Walks node i's live entries in ascending order (tstream_iter_next and
 * tstream_iter_pair as usual). */
void tstream_iter_init_node(struct tstream_iter *it, const struct tstream *s, size_t i);

/* Rebuilding a saved stream into a new empty one: for each node,
 * tstream_load_node (names: info->nnames field names) then its live entries
 * with tstream_load_entry, in order; then tstream_load_finish with the
 * stream's own IDs and counter. Each step checks what it is given (IDs in
 * order and within the node, counts, sizes); false means the input is
 * damaged and the stream must be destroyed. */
bool tstream_load_node(struct tstream *s, const struct tstream_node_info *info, const struct kv_arg *names);
bool tstream_load_entry(struct tstream *s, const struct tstream_id *id, const struct kv_arg *fv, size_t npairs);
bool tstream_load_finish(struct tstream *s, const struct tstream_id *last_id, uint64_t entries_added,
                         const struct tstream_id *max_deleted);

/* Bytes held by the stream (structure, node array, nodes and packs, without
 * allocator rounding), for memory reports and tests. */
size_t tstream_mem_usage(const struct tstream *s);
/* MEMORY USAGE's estimate: allocated bytes (size classes included) of the
 * stream: its node array and nodes, sampling up to `samples` nodes (SIZE_MAX: all) and scaling
 * their average to the whole. */
size_t tstream_mem_estimate(const struct tstream *s, size_t samples);

/* Checks the invariants (IDs strictly increasing across nodes and below the
 * last ID, per-node counters and emulated sizes consistent, length equal to
 * the live entries); false on the first violation. For tests. */
bool tstream_verify(const struct tstream *s);

/* The type's operations for the generic object code (engine/obj.h). */
extern const struct kv_type_ops tstream_ops;

#endif
