/* sqlite_vfs.c - the store's SQLite VFS: SQLite's own unix VFS, except that a transaction's
 * appends to the write-ahead log reach the kernel in one write.
 *
 * SQLite writes each log frame as two writes, its 24-byte header and then the page, so one
 * crossing (four pages) was eight pwrite calls before its fdatasync. On the project's virtual
 * machine eight such writes and an fdatasync took about 190 µs, one write of the same bytes and
 * an fdatasync about 155 µs. This VFS gathers each write that continues the one before in a
 * buffer and hands the buffer to the unix VFS as one write when the transaction's commit frame
 * is complete: a frame whose header has a non-zero "database size after commit" field (SQLite's
 * documented WAL format). SQLite makes a commit visible to other connections only after its
 * last frame is written, so readers never miss a buffered byte, and an error writing the buffer
 * fails the commit as the unix VFS's own error would. Anything else on the log first writes out
 * the buffer: a write elsewhere (SQLite rewriting a frame in place), a read, a sync, a
 * truncate, asking its size, a file control, closing it.
 *
 * SQLite writes the log only while it holds the log's write lock, which it takes and releases
 * through the database file (xShmLock, lock 0); that file is wrapped only to watch for the
 * release. Whatever is still buffered then belongs to a transaction that was rolled back (pages
 * spilled before a commit that never came) and is dropped, so it can never land later on frames
 * another connection has committed since. After a failed write the log refuses every write and
 * sync, and every read of the bytes that were lost, until that release, so the transaction it
 * belonged to can neither commit nor read back what it lost. A database without power-safe
 * overwrite (SQLite then pads commits to a sector and splits frames) gets no gathering, and
 * locking_mode=exclusive (which takes no shared-memory locks, so no release is seen) is
 * refused. Every other file is the unix VFS's, untouched. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

#define WAL_FRAME_HEADER_SIZE 24
#define WAL_WRITE_LOCK        0 /* the xShmLock slot of the log's write lock (SQLite's wal.c) */

/* The unix VFS writes at most this much in one call (SQLite 3.40's seekAndWriteFd masks the
 * length with 0x1ffff, as its own writes are at most a page), so a bigger transaction is
 * written in pieces of up to this size. */
#define WAL_BUFFER_MAX 0x1ffff

typedef struct db_file db_file;

typedef struct wal_file {
    sqlite3_file base;  /* pMethods = &wal_methods */
    sqlite3_file *real; /* the unix VFS's file, in the same allocation, after this record */
    db_file *db;        /* the database file of the same connection, if it is ours */
    int buffered;       /* 0: every write goes straight through (no power-safe overwrite) */
    unsigned char *buf;
    size_t len;
    sqlite3_int64 start; /* file offset of buf[0] */
    sqlite3_int64 next;  /* where the last write ended (-1: no write yet, or it failed) */
    int commit_next;     /* the last write was a commit frame's header: its page comes next */
    int failed;          /* a write failed: refuse writes and syncs until the write lock goes */
    sqlite3_int64 lost_from, lost_to; /* the bytes a failed write did not write */
} wal_file;

struct db_file {
    sqlite3_file base;  /* pMethods = &db_methods */
    sqlite3_file *real; /* the unix VFS's file, after this record */
    wal_file *wal;      /* this connection's log while it is open */
};

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs tims_vfs;
static int registered = SQLITE_ERROR;
static pthread_once_t register_once = PTHREAD_ONCE_INIT;

static atomic_ullong wal_writes_seen;  /* writes SQLite asked of a log */
static atomic_ullong wal_writes_made;  /* writes handed to the unix VFS */
static atomic_int wal_fail_next_flush; /* tests: an SQLite error code for the next buffer */

/* ---- the log ---------------------------------------------------------------------------- */

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((wal_file *)f)->real;
}

/* write_failed - the write of [off, off + n) failed with rc: remember it until the release. */
static int write_failed(wal_file *w, int rc, sqlite3_int64 off, int n)
{
    if (!w->failed) {
        w->failed = rc;
        w->lost_from = off;
        w->lost_to = off + n;
    } else {
        w->lost_from = off < w->lost_from ? off : w->lost_from;
        w->lost_to = off + n > w->lost_to ? off + n : w->lost_to;
    }
    w->next = -1;
    return rc;
}

static int write_through(wal_file *w, const void *data, int n, sqlite3_int64 off)
{
    atomic_fetch_add_explicit(&wal_writes_made, 1, memory_order_relaxed);
    int rc = w->real->pMethods->xWrite(w->real, data, n, off);
    if (rc != SQLITE_OK)
        return write_failed(w, rc, off, n);
    w->next = off + n;
    return SQLITE_OK;
}

/* wal_flush - hand the buffer to the unix VFS as one write; emptied whatever the outcome. */
static int wal_flush(wal_file *w)
{
    if (w->len == 0)
        return SQLITE_OK;
    size_t len = w->len;
    w->len = 0;
    int injected = atomic_load_explicit(&wal_fail_next_flush, memory_order_relaxed);
    if (injected && atomic_exchange(&wal_fail_next_flush, 0) == injected) {
        atomic_fetch_add_explicit(&wal_writes_made, 1, memory_order_relaxed);
        return write_failed(w, injected, w->start, (int)len);
    }
    return write_through(w, w->buf, (int)len, w->start);
}

/* flush_before - write the buffer out before another operation on the log. SQLite undoes only
 * the statement after SQLITE_FULL, and could go on with frames it believes written, so a
 * failure here is reported as an I/O error, after which SQLite rolls the transaction back. */
static int flush_before(wal_file *w)
{
    int rc = wal_flush(w);
    return rc == SQLITE_OK ? rc : SQLITE_IOERR_WRITE;
}

/* wal_release - the connection gave up the log's write lock: what is still buffered was never
 * committed (its transaction was rolled back), and a failed write no longer matters. */
static void wal_release(wal_file *w)
{
    if (w->len || w->failed)
        w->next = -1;
    w->len = 0;
    w->commit_next = 0;
    w->failed = SQLITE_OK;
}

static uint32_t get_u32be(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int wal_write(sqlite3_file *f, const void *data, int n, sqlite3_int64 off)
{
    wal_file *w = (wal_file *)f;
    int rc;
    atomic_fetch_add_explicit(&wal_writes_seen, 1, memory_order_relaxed);
    if (w->failed)
        return w->failed;
    /* an append continues the last write, which while anything is buffered ends the buffer */
    int append = w->buffered && off == w->next && n > 0 && n <= WAL_BUFFER_MAX;
    if (w->len && (!append || w->len + (size_t)n > WAL_BUFFER_MAX) &&
        (rc = wal_flush(w)) != SQLITE_OK)
        return rc;
    int completes_commit = w->commit_next;
    w->commit_next = n == WAL_FRAME_HEADER_SIZE && get_u32be((const unsigned char *)data + 4) != 0;
    if (!append)
        return write_through(w, data, n, off);
    if (!w->buf && !(w->buf = malloc(WAL_BUFFER_MAX))) /* without a buffer, as the unix VFS */
        return write_through(w, data, n, off);
    if (w->len == 0)
        w->start = off;
    memcpy(w->buf + w->len, data, (size_t)n);
    w->len += (size_t)n;
    w->next = off + n;
    return completes_commit ? wal_flush(w) : SQLITE_OK;
}

static int wal_close(sqlite3_file *f)
{
    wal_file *w = (wal_file *)f;
    int rc = w->failed ? SQLITE_OK : wal_flush(w);
    if (w->db)
        w->db->wal = NULL;
    int closed = w->real->pMethods->xClose(w->real);
    free(w->buf);
    w->buf = NULL;
    w->len = 0;
    return rc != SQLITE_OK ? rc : closed;
}

static int wal_read(sqlite3_file *f, void *data, int n, sqlite3_int64 off)
{
    wal_file *w = (wal_file *)f;
    int rc = flush_before(w);
    if (rc == SQLITE_OK && w->failed && off < w->lost_to && off + n > w->lost_from)
        rc = SQLITE_IOERR_READ; /* those bytes were never written */
    return rc != SQLITE_OK ? rc : w->real->pMethods->xRead(w->real, data, n, off);
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = flush_before((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
    wal_file *w = (wal_file *)f;
    int rc = w->failed ? w->failed : flush_before(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xSync(w->real, flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = flush_before((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg)
{
    int rc = flush_before((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int wal_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int wal_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int wal_check_reserved_lock(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int wal_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int wal_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

/* A log has no shared memory or memory map of its own (SQLite asks those of the database
 * file); version 1 of the methods says so. */
static const sqlite3_io_methods wal_methods = {
    .iVersion = 1,
    .xClose = wal_close,
    .xRead = wal_read,
    .xWrite = wal_write,
    .xTruncate = wal_truncate,
    .xSync = wal_sync,
    .xFileSize = wal_file_size,
    .xLock = wal_lock,
    .xUnlock = wal_unlock,
    .xCheckReservedLock = wal_check_reserved_lock,
    .xFileControl = wal_file_control,
    .xSectorSize = wal_sector_size,
    .xDeviceCharacteristics = wal_device_characteristics,
};

/* ---- the database file: the unix VFS's, watched for the release of the log's write lock ---- */

static sqlite3_file *db_real(sqlite3_file *f)
{
    return ((db_file *)f)->real;
}

static int db_close(sqlite3_file *f)
{
    db_file *d = (db_file *)f;
    if (d->wal)
        d->wal->db = NULL;
    return d->real->pMethods->xClose(d->real);
}

static int db_read(sqlite3_file *f, void *data, int n, sqlite3_int64 off)
{
    return db_real(f)->pMethods->xRead(db_real(f), data, n, off);
}

static int db_write(sqlite3_file *f, const void *data, int n, sqlite3_int64 off)
{
    return db_real(f)->pMethods->xWrite(db_real(f), data, n, off);
}

static int db_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return db_real(f)->pMethods->xTruncate(db_real(f), size);
}

static int db_sync(sqlite3_file *f, int flags)
{
    return db_real(f)->pMethods->xSync(db_real(f), flags);
}

static int db_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return db_real(f)->pMethods->xFileSize(db_real(f), size);
}

static int db_lock(sqlite3_file *f, int level)
{
    return db_real(f)->pMethods->xLock(db_real(f), level);
}

static int db_unlock(sqlite3_file *f, int level)
{
    return db_real(f)->pMethods->xUnlock(db_real(f), level);
}

static int db_check_reserved_lock(sqlite3_file *f, int *out)
{
    return db_real(f)->pMethods->xCheckReservedLock(db_real(f), out);
}

static int db_file_control(sqlite3_file *f, int op, void *arg)
{
    if (op == SQLITE_FCNTL_PRAGMA) { /* arg: error message out, pragma name, value or NULL */
        char **pragma = arg;
        if (sqlite3_stricmp(pragma[1], "locking_mode") == 0 && pragma[2] &&
            sqlite3_stricmp(pragma[2], "exclusive") == 0) {
            pragma[0] = sqlite3_mprintf("locking_mode=exclusive is not supported by the "
                                        "%s VFS (it gathers log writes per write lock)",
                                        STORE_VFS_NAME);
            return SQLITE_ERROR;
        }
    }
    return db_real(f)->pMethods->xFileControl(db_real(f), op, arg);
}

static int db_sector_size(sqlite3_file *f)
{
    return db_real(f)->pMethods->xSectorSize(db_real(f));
}

static int db_device_characteristics(sqlite3_file *f)
{
    return db_real(f)->pMethods->xDeviceCharacteristics(db_real(f));
}

static int db_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
    return db_real(f)->pMethods->xShmMap(db_real(f), page, size, extend, out);
}

static int db_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    db_file *d = (db_file *)f;
    if (d->wal && offset == WAL_WRITE_LOCK && (flags & SQLITE_SHM_UNLOCK) &&
        (flags & SQLITE_SHM_EXCLUSIVE))
        wal_release(d->wal);
    return d->real->pMethods->xShmLock(d->real, offset, n, flags);
}

static void db_shm_barrier(sqlite3_file *f)
{
    db_real(f)->pMethods->xShmBarrier(db_real(f));
}

static int db_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return db_real(f)->pMethods->xShmUnmap(db_real(f), delete_flag);
}

static int db_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return db_real(f)->pMethods->xFetch(db_real(f), off, n, out);
}

static int db_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return db_real(f)->pMethods->xUnfetch(db_real(f), off, p);
}

static const sqlite3_io_methods db_methods = {
    .iVersion = 3,
    .xClose = db_close,
    .xRead = db_read,
    .xWrite = db_write,
    .xTruncate = db_truncate,
    .xSync = db_sync,
    .xFileSize = db_file_size,
    .xLock = db_lock,
    .xUnlock = db_unlock,
    .xCheckReservedLock = db_check_reserved_lock,
    .xFileControl = db_file_control,
    .xSectorSize = db_sector_size,
    .xDeviceCharacteristics = db_device_characteristics,
    .xShmMap = db_shm_map,
    .xShmLock = db_shm_lock,
    .xShmBarrier = db_shm_barrier,
    .xShmUnmap = db_shm_unmap,
    .xFetch = db_fetch,
    .xUnfetch = db_unfetch,
};

/* ---- the VFS ------------------------------------------------------------------------------ */

/* Records are rounded up to 8 bytes, SQLite's own alignment for files, so that the unix VFS's
 * file after them is aligned as it would be on its own. */
#define WAL_FILE_SIZE (((sizeof(wal_file) + 7) / 8) * 8)
#define DB_FILE_SIZE  (((sizeof(db_file) + 7) / 8) * 8)

static int tims_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    if (flags & SQLITE_OPEN_MAIN_DB) {
        db_file *d = (db_file *)f;
        memset(d, 0, sizeof *d);
        d->real = (sqlite3_file *)((char *)f + DB_FILE_SIZE);
        int rc = unix_vfs->xOpen(unix_vfs, name, d->real, flags, out);
        if (rc == SQLITE_OK) {
            if (d->real->pMethods->iVersion < 3) { /* no shared memory: nothing to watch */
                d->real->pMethods->xClose(d->real);
                return SQLITE_CANTOPEN;
            }
            d->base.pMethods = &db_methods;
        }
        return rc;
    }
    if (!(flags & SQLITE_OPEN_WAL)) /* the unix VFS's file, as it is */
        return unix_vfs->xOpen(unix_vfs, name, f, flags, out);
    wal_file *w = (wal_file *)f;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)((char *)f + WAL_FILE_SIZE);
    w->next = -1;
    int rc = unix_vfs->xOpen(unix_vfs, name, w->real, flags, out);
    if (rc != SQLITE_OK)
        return rc;
    w->base.pMethods = &wal_methods;
    sqlite3_file *main = sqlite3_database_file_object(name);
    if (main && main->pMethods == &db_methods) {
        w->db = (db_file *)main;
        w->db->wal = w;
        /* SQLite pads commits and splits frames when the database file (its choice, made in
         * sqlite3WalOpen) lacks power-safe overwrite */
        w->buffered =
            (main->pMethods->xDeviceCharacteristics(main) & SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
    }
    return SQLITE_OK;
}

static void register_vfs(void)
{
    if (!(unix_vfs = sqlite3_vfs_find("unix")))
        return;
    tims_vfs = *unix_vfs; /* its other methods use nothing but the fields copied here */
    tims_vfs.pNext = NULL;
    tims_vfs.zName = STORE_VFS_NAME;
    tims_vfs.xOpen = tims_open;
    size_t wrapper = WAL_FILE_SIZE > DB_FILE_SIZE ? WAL_FILE_SIZE : DB_FILE_SIZE;
    tims_vfs.szOsFile = (int)wrapper + unix_vfs->szOsFile;
    registered = sqlite3_vfs_register(&tims_vfs, 0);
}

int store_vfs_register(void)
{
    pthread_once(&register_once, register_vfs);
    return registered;
}

void store_vfs_stats(uint64_t *writes_seen, uint64_t *writes_made)
{
    *writes_seen = atomic_load(&wal_writes_seen);
    *writes_made = atomic_load(&wal_writes_made);
}

int store_vfs_test_fail_next_flush(int sqlite_rc)
{
    return atomic_exchange(&wal_fail_next_flush, sqlite_rc);
}
