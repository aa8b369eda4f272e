/*
 * faultvfs: a pass-through sqlite VFS that fails writes and syncs on
 * demand (faultvfs.h).
 */
#include "engine/faultvfs.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct ffile {
    sqlite3_file base;
    sqlite3_file *real;   /* the wrapped VFS's file, allocated right after */
};

static sqlite3_vfs *g_real;
static sqlite3_vfs g_vfs;
static atomic_int g_mode;   /* read by the background fsync thread too (engine/bgsync) */

#define REAL(f) (((struct ffile *)(f))->real)

/* FULL and IOERR fail writes; SLOW only delays syncs. */
static bool failing(void)
{
    int m = atomic_load(&g_mode);
    return m == FAULTVFS_FULL || m == FAULTVFS_IOERR;
}

void faultvfs_slow_sync(void)
{
    if (atomic_load(&g_mode) == FAULTVFS_SLOW) {
        struct timespec ts = { FAULTVFS_SLOW_MS / 1000, (FAULTVFS_SLOW_MS % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

static int fail_code(int io)
{
    return g_mode == FAULTVFS_FULL ? SQLITE_FULL : io;
}

static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    f->pMethods = NULL;
    return rc;
}
static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    if (failing())
        return fail_code(SQLITE_IOERR_WRITE);
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (failing())
        return fail_code(SQLITE_IOERR_TRUNCATE);
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
    if (failing())
        return fail_code(SQLITE_IOERR_FSYNC);
    faultvfs_slow_sync();
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_check(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int f_fcntl(sqlite3_file *f, int op, void *arg)
{
    if (g_mode && op == SQLITE_FCNTL_SIZE_HINT)
        return fail_code(SQLITE_IOERR_WRITE);
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shmmap(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}
static int f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shmunmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), off, p); }

/* One methods table per version the real files use (unix: 3; 1 for some). */
static const sqlite3_io_methods g_methods[4] = {
    { 1, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check, f_fcntl, f_sector,
      f_devchar, NULL, NULL, NULL, NULL, NULL, NULL },
    { 1, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check, f_fcntl, f_sector,
      f_devchar, NULL, NULL, NULL, NULL, NULL, NULL },
    { 2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check, f_fcntl, f_sector,
      f_devchar, f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, NULL, NULL },
    { 3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check, f_fcntl, f_sector,
      f_devchar, f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, f_fetch, f_unfetch },
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    struct ffile *ff = (struct ffile *)f;
    int rc;
    ff->real = (sqlite3_file *)((char *)f + sizeof(struct ffile));
    ff->real->pMethods = NULL;
    rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
    if (ff->real->pMethods) {
        int v = ff->real->pMethods->iVersion;
        f->pMethods = &g_methods[v < 1 ? 1 : v > 3 ? 3 : v];
    } else {
        f->pMethods = NULL;
    }
    return rc;
}
static int v_delete(sqlite3_vfs *vfs, const char *name, int sync) { return g_real->xDelete(g_real, name, sync); }
static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    return g_real->xAccess(g_real, name, flags, out);
}
static int v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    return g_real->xFullPathname(g_real, name, n, out);
}
static void *v_dlopen(sqlite3_vfs *vfs, const char *name) { return g_real->xDlOpen(g_real, name); }
static void v_dlerror(sqlite3_vfs *vfs, int n, char *msg) { g_real->xDlError(g_real, n, msg); }
static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void) { return g_real->xDlSym(g_real, h, sym); }
static void v_dlclose(sqlite3_vfs *vfs, void *h) { g_real->xDlClose(g_real, h); }
static int v_random(sqlite3_vfs *vfs, int n, char *out) { return g_real->xRandomness(g_real, n, out); }
static int v_sleep(sqlite3_vfs *vfs, int us) { return g_real->xSleep(g_real, us); }
static int v_time(sqlite3_vfs *vfs, double *out) { return g_real->xCurrentTime(g_real, out); }
static int v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
    if (g_mode)
        return faultvfs_errno();
    return g_real->xGetLastError ? g_real->xGetLastError(g_real, n, out) : 0;
}
static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    if (g_real->iVersion >= 2 && g_real->xCurrentTimeInt64)
        return g_real->xCurrentTimeInt64(g_real, out);
    double d;
    int rc = g_real->xCurrentTime(g_real, &d);
    *out = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

bool faultvfs_install(void)
{
    sqlite3_vfs *dflt;
    if (g_real)
        return true;
    if (sqlite3_initialize() != SQLITE_OK || !(dflt = sqlite3_vfs_find(NULL)))
        return false;
    g_real = dflt;
    memset(&g_vfs, 0, sizeof(g_vfs));
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = (int)sizeof(struct ffile) + dflt->szOsFile;
    g_vfs.mxPathname = dflt->mxPathname;
    g_vfs.zName = "taskkv-faultvfs";
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.xAccess = v_access;
    g_vfs.xFullPathname = v_fullpath;
    g_vfs.xDlOpen = v_dlopen;
    g_vfs.xDlError = v_dlerror;
    g_vfs.xDlSym = v_dlsym;
    g_vfs.xDlClose = v_dlclose;
    g_vfs.xRandomness = v_random;
    g_vfs.xSleep = v_sleep;
    g_vfs.xCurrentTime = v_time;
    g_vfs.xGetLastError = v_lasterr;
    g_vfs.xCurrentTimeInt64 = v_time64;
    if (sqlite3_vfs_register(&g_vfs, 1) != SQLITE_OK) {
        g_real = NULL;
        return false;
    }
    return true;
}

void faultvfs_arm(enum faultvfs_mode mode) { atomic_store(&g_mode, (int)mode); }

enum faultvfs_mode faultvfs_mode(void) { return (enum faultvfs_mode)atomic_load(&g_mode); }

int faultvfs_errno(void)
{
    int m = atomic_load(&g_mode);
    return m == FAULTVFS_FULL ? ENOSPC : m == FAULTVFS_IOERR ? EIO : 0;
}

int faultvfs_parse(const char *name)
{
    if (!strcasecmp(name, "off"))
        return FAULTVFS_OFF;
    if (!strcasecmp(name, "full"))
        return FAULTVFS_FULL;
    if (!strcasecmp(name, "ioerr"))
        return FAULTVFS_IOERR;
    if (!strcasecmp(name, "slow"))
        return FAULTVFS_SLOW;
    return -1;
}

const char *faultvfs_name(enum faultvfs_mode mode)
{
    return mode == FAULTVFS_FULL ? "full" : mode == FAULTVFS_IOERR ? "ioerr" : mode == FAULTVFS_SLOW ? "slow" : "off";
}
