/*
 * journal: the append-only journal of applied writes, as an sqlite database
 * in WAL mode (docs/PERSISTENCE.md, "The journal").
 *
 *   CREATE TABLE journal (seq INTEGER PRIMARY KEY, db INTEGER NOT NULL,
 *                         args BLOB NOT NULL);
 *
 * One row per effect: the database it applies to (-1 for the MULTI and
 * EXEC that bracket a transaction's or a script's effects) and its
 * arguments as `varint argc, then per argument varint length + bytes`
 * (LEB128 varints as in the codec). seq grows by one per row.
 *
 * Group commit: journal_append() opens a transaction on the first row
 * and adds rows to it; journal_commit() commits them all at once, so many
 * writes share one durable commit. The durability of a commit follows the
 * fsync policy: JOURNAL_FSYNC_ALWAYS commits with synchronous=FULL (the WAL
 * is fsynced before journal_commit returns); EVERYSEC and NO commit with
 * synchronous=OFF, and journal_sync_begin() (called once a second for
 * EVERYSEC) fsyncs the -wal file on a background thread. The database is opened with locking_mode=EXCLUSIVE:
 * one process uses it, and no -shm file is made.
 *
 * A crash can leave WAL frames after the last complete commit: sqlite
 * ignores them (its frame checksums); journal_open reports how many bytes
 * of such a torn tail it found, so the caller can warn.
 */
#ifndef TASKKV_ENGINE_JOURNAL_H
#define TASKKV_ENGINE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/event.h"

struct journal;

enum journal_fsync { JOURNAL_FSYNC_EVERYSEC = 0, JOURNAL_FSYNC_ALWAYS = 1, JOURNAL_FSYNC_NO = 2 };

#define JOURNAL_APP_ID 0x544B4A4C   /* "TKJL" */

/* Opens (creating if needed) the journal at path. *torn_bytes (if not
 * NULL) receives the size of the WAL tail after the last complete commit
 * that is being dropped (0: none). NULL on failure, with err set. */
struct journal *journal_open(const char *path, enum journal_fsync policy, uint64_t *torn_bytes, char *err,
                             size_t errcap);
/* Commits what is pending, then closes. */
void journal_close(struct journal *j);
void journal_set_fsync(struct journal *j, enum journal_fsync policy);

/* The last seq appended (committed or not); 0 when empty. */
uint64_t journal_last_seq(const struct journal *j);
/* The next row gets a seq above `seq` (at least). */
void journal_advance_seq(struct journal *j, uint64_t seq);

/* Adds one row to the open transaction (opening it). Returns its seq, 0
 * on failure (err set). */
uint64_t journal_append(struct journal *j, int db, int argc, const struct kv_arg *argv, char *err, size_t errcap);
/* Rows appended and not yet committed. */
bool journal_pending(const struct journal *j);
/* Commits the open transaction (durably under ALWAYS). False on failure:
 * the transaction is rolled back but its rows are kept, in memory, with
 * their seqs; later appends add to them and every later journal_commit
 * retries them all in one transaction (a disk that was full or failing
 * may have recovered). */
bool journal_commit(struct journal *j, char *err, size_t errcap);
/* A commit (or an append) failed and its rows wait for a retry. */
bool journal_has_failed(const struct journal *j);
/* The errno of the last failure (ENOSPC for a full disk, EIO ...). */
int journal_last_errno(const struct journal *j);
/* fsyncs the WAL file now. False on failure. */
bool journal_sync(struct journal *j, char *err, size_t errcap);
/* EVERYSEC's once-a-second step, off the caller's thread (engine/bgsync):
 * 0 the fsync started in the background, 1 it was done here (no thread
 * could be started), -1 it failed at once (err set; an injected fault).
 * Not called while journal_sync_running(). */
int journal_sync_begin(struct journal *j, char *err, size_t errcap);
bool journal_sync_running(const struct journal *j);
/* The background fsync's result, once: 1 synced, -1 failed (err set,
 * journal_last_errno() its errno), 0 none finished since the last poll. */
int journal_sync_poll(struct journal *j, char *err, size_t errcap);
/* Deletes rows with seq <= upto (after a snapshot that holds them). */
bool journal_truncate(struct journal *j, uint64_t upto, char *err, size_t errcap);
/* Number of rows, and the size of the data (pages in use x page size:
 * rows deleted by a fold do not count), for INFO and automatic rewrites. */
uint64_t journal_rows(struct journal *j);
uint64_t journal_file_bytes(const struct journal *j);

/* Calls fn for every committed row with seq > after, in seq order; stops
 * when fn returns false. Returns the number of rows read, -1 on failure
 * (err set). */
typedef bool (*journal_row_fn)(void *ctx, uint64_t seq, int db, int argc, const struct kv_arg *argv);
long long journal_read(struct journal *j, uint64_t after, journal_row_fn fn, void *ctx, char *err, size_t errcap);

/* The size of the torn tail of a WAL file (bytes after the last valid
 * commit frame of the current generation); 0 if none or no WAL file. */
uint64_t journal_wal_torn_bytes(const char *wal_path);

/* Bytes sqlite holds in memory (the journal's and a snapshot's page caches
 * and statements): persistence buffers, which maxmemory does not count, as
 * Redis leaves out its AOF buffer. 0 when sqlite keeps no statistics. */
size_t journal_sqlite_memory(void);

#endif
