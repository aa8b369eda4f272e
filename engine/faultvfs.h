/*
 * faultvfs: a fault-injecting sqlite VFS for testing what a failing disk
 * does to persistence (docs/PERSISTENCE.md, "A failing disk").
 *
 * faultvfs_install() registers, as sqlite's default VFS, a thin wrapper
 * around the VFS that was the default (unix): every call is passed through
 * unchanged until faultvfs_arm() arms a fault. While armed, every write,
 * truncate and sync of any sqlite file (the journal, its -wal file, a
 * snapshot being written) fails: FAULTVFS_FULL as a full disk
 * (SQLITE_FULL, errno ENOSPC), FAULTVFS_IOERR as an I/O error
 * (SQLITE_IOERR_WRITE / _FSYNC, errno EIO). Reads keep working.
 * FAULTVFS_SLOW fails nothing but makes every sync wait FAULTVFS_SLOW_MS.
 * The state is process-wide and inherited by a forked background save.
 */
#ifndef TASKKV_ENGINE_FAULTVFS_H
#define TASKKV_ENGINE_FAULTVFS_H

#include <stdbool.h>

enum faultvfs_mode { FAULTVFS_OFF = 0, FAULTVFS_FULL = 1, FAULTVFS_IOERR = 2, FAULTVFS_SLOW = 3 };

/* FAULTVFS_SLOW: writes work, every sync takes this long first (a slow
 * disk): sqlite's syncs and the background fsync (engine/bgsync). */
#define FAULTVFS_SLOW_MS 2000

/* Idempotent. False if sqlite has no default VFS to wrap. */
bool faultvfs_install(void);
void faultvfs_arm(enum faultvfs_mode mode);
enum faultvfs_mode faultvfs_mode(void);
/* The errno an armed fault stands for (ENOSPC, EIO), 0 when off. */
int faultvfs_errno(void);
/* Sleeps FAULTVFS_SLOW_MS when armed SLOW (any thread); else returns. */
void faultvfs_slow_sync(void);
/* "full", "ioerr", "slow", "off" <-> mode; -1 for an unknown name. */
int faultvfs_parse(const char *name);
const char *faultvfs_name(enum faultvfs_mode mode);

#endif
