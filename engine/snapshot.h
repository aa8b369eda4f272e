/*
 * snapshot: the whole keyspace as one sqlite database file, and back.
 *
 * Schema (docs/PERSISTENCE.md is the user's reference):
 *
 *   CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value);
 *   CREATE TABLE keys (db INTEGER NOT NULL, key BLOB NOT NULL,
 *                      type TEXT NOT NULL, expire_ms INTEGER,
 *                      value BLOB NOT NULL, checksum INTEGER);
 *
 * One row per key: its database number, its name, its type as TYPE names
 * it, its deadline in Unix milliseconds (NULL: no TTL), its value in the
 * codec's format (engine/codec.h: strings raw) and a 64-bit checksum of the
 * row (NULL for rows written by hand). Keys and string values are stored
 * as TEXT when they are valid UTF-8 without NUL bytes, as BLOBs otherwise,
 * so the sqlite3 shell shows them as text and `WHERE key = 'name'` works
 * for ordinary names. The table has no index: rows go in and come out in
 * one sequential pass. meta holds format_version, codec_version,
 * taskkv_version, created_ms, journal_seq, databases, keys and keys_db<N>
 * (see snapshot.c); the file's application_id is SNAPSHOT_APP_ID and its
 * user_version the format version, so a taskkv snapshot can be told from
 * another sqlite file.
 *
 * Writing: a new file `tmp_path` gets every key in one transaction (no
 * rollback journal: the file is not in place until it is complete), is
 * fsynced, renamed over `path`, and the directory fsynced; on any failure
 * the temporary file is removed and `path` is untouched.
 *
 * Reading never writes: the file is opened read-only. A missing file is
 * not an error (SNAPSHOT_MISSING: the caller starts empty); anything else
 * that keeps the whole dataset from loading - unreadable, not sqlite, not a
 * taskkv snapshot, a newer format, corrupt pages, a value the codec
 * rejects, a row count or checksum that does not match meta - is
 * SNAPSHOT_ERROR with a message that names the file.
 */
#ifndef TASKKV_ENGINE_SNAPSHOT_H
#define TASKKV_ENGINE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/codec.h"

struct kv_space;

#define SNAPSHOT_FORMAT_VERSION 1
/* PRAGMA application_id of every snapshot: "TKKV". */
#define SNAPSHOT_APP_ID 0x544B4B56

/* What the writer records besides the keys. */
struct snapshot_meta {
    const char *taskkv_version;
    uint64_t journal_seq;     /* the journal's last entry the snapshot holds (0: none) */
};

/* What a read found. */
struct snapshot_info {
    int format_version;
    char taskkv_version[32];
    int64_t created_ms;
    uint64_t journal_seq;
    uint64_t keys_loaded;
    uint64_t keys_expired;    /* rows skipped because their deadline had passed */
};

enum { SNAPSHOT_OK = 0, SNAPSHOT_MISSING = 1, SNAPSHOT_ERROR = -1 };

/* Writes every key of every database that is live at now_ms. Returns
 * SNAPSHOT_OK (and the number of keys in *keys if not NULL) or
 * SNAPSHOT_ERROR with a message in err naming the file. */
int snapshot_write(struct kv_space *ks, const char *path, const char *tmp_path, const struct snapshot_meta *meta,
                   int64_t now_ms, uint64_t *keys, char *err, size_t errcap);

/* Flags for snapshot_read. */
#define SNAPSHOT_MERGE 1u   /* a key that exists already is replaced (else: error) */

/* Adds every key of the snapshot at `path` to ks, skipping keys whose
 * deadline passed before now_ms; values are re-created under `lim`. No
 * keyspace event is raised. Returns SNAPSHOT_OK, SNAPSHOT_MISSING (no such
 * file; ks untouched) or SNAPSHOT_ERROR (err names the file; ks may hold
 * part of the data). `info` may be NULL. */
int snapshot_read(struct kv_space *ks, const char *path, const struct codec_limits *lim, int64_t now_ms,
                  unsigned flags, struct snapshot_info *info, char *err, size_t errcap);

/* The same in steps, for loading while the server already serves clients
 * (start-up answers -LOADING meanwhile). begin checks the header and meta
 * (SNAPSHOT_MISSING / SNAPSHOT_ERROR as snapshot_read) and prepares the
 * scan; each step adds up to max_rows rows to ks (now_ms and flags as
 * given to begin): 1 while rows remain, 0 when the file is loaded and
 * passed every check, -1 on damage (err). end frees the reader. */
struct snapshot_reader;
int snapshot_read_begin(struct kv_space *ks, const char *path, const struct codec_limits *lim, int64_t now_ms,
                        unsigned flags, struct snapshot_reader **out, char *err, size_t errcap);
int snapshot_read_step(struct snapshot_reader *r, struct kv_space *ks, uint64_t max_rows, char *err, size_t errcap);
/* What was read so far (journal_seq and the meta figures from begin). */
const struct snapshot_info *snapshot_reader_info(const struct snapshot_reader *r);
/* Rows read so far, the rows meta announces (0: unknown), the file size. */
void snapshot_reader_progress(const struct snapshot_reader *r, uint64_t *rows_done, uint64_t *rows_total,
                              uint64_t *file_bytes);
void snapshot_read_end(struct snapshot_reader *r);

#endif
