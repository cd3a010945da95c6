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
 * truncate, asking its size, a file control, closing it. Every other file is the unix VFS's. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

#define WAL_FRAME_HEADER_SIZE 24

/* The unix VFS writes at most this much in one call (SQLite 3.40's seekAndWriteFd masks the
 * length with 0x1ffff, as its own writes are at most a page), so a bigger transaction is
 * written in pieces of up to this size. */
#define WAL_BUFFER_MAX 0x1ffff

typedef struct wal_file {
    sqlite3_file base; /* pMethods = &wal_methods */
    sqlite3_file *real; /* the unix VFS's file, in the same allocation, after this record */
    unsigned char *buf;
    size_t len, cap;
    sqlite3_int64 start; /* file offset of buf[0] */
    sqlite3_int64 next;  /* where the last write ended (-1: no write yet, or it failed) */
    int commit_next;     /* the last write was a commit frame's header: its page comes next */
} wal_file;

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs tims_vfs;
static int registered = SQLITE_ERROR;
static pthread_once_t register_once = PTHREAD_ONCE_INIT;

static atomic_ullong wal_writes_seen;  /* writes SQLite asked of a log */
static atomic_ullong wal_writes_made;  /* writes handed to the unix VFS */
static atomic_int wal_fail_next_flush; /* tests: an SQLite error code for the next buffer */

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((wal_file *)f)->real;
}

/* wal_flush - hand the buffer to the unix VFS as one write; emptied whatever the outcome (after
 * a failed write SQLite rolls the transaction back, and the frames are never made visible). */
static int wal_flush(wal_file *w)
{
    if (w->len == 0)
        return SQLITE_OK;
    size_t len = w->len;
    w->len = 0;
    atomic_fetch_add_explicit(&wal_writes_made, 1, memory_order_relaxed);
    int rc = atomic_exchange(&wal_fail_next_flush, 0);
    if (rc == SQLITE_OK)
        rc = w->real->pMethods->xWrite(w->real, w->buf, (int)len, w->start);
    if (rc != SQLITE_OK)
        w->next = -1;
    return rc;
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
    if (w->len && off != w->start + (sqlite3_int64)w->len && (rc = wal_flush(w)) != SQLITE_OK)
        return rc;
    int completes_commit = w->commit_next;
    w->commit_next =
        n == WAL_FRAME_HEADER_SIZE && get_u32be((const unsigned char *)data + 4) != 0;
    if (off != w->next || n <= 0 || n > WAL_BUFFER_MAX) { /* not an append: straight through */
        atomic_fetch_add_explicit(&wal_writes_made, 1, memory_order_relaxed);
        rc = w->real->pMethods->xWrite(w->real, data, n, off);
        w->next = rc == SQLITE_OK ? off + n : -1;
        return rc;
    }
    if (w->len + (size_t)n > WAL_BUFFER_MAX && (rc = wal_flush(w)) != SQLITE_OK)
        return rc;
    if (w->len + (size_t)n > w->cap) {
        size_t cap = WAL_BUFFER_MAX; /* one allocation, the first time it buffers */
        unsigned char *grown = realloc(w->buf, cap);
        if (!grown) { /* the transaction fails; what it buffered is dropped with it */
            w->len = 0;
            w->next = -1;
            return SQLITE_IOERR_NOMEM;
        }
        w->buf = grown;
        w->cap = cap;
    }
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
    int rc = wal_flush(w);
    int closed = w->real->pMethods->xClose(w->real);
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
    return rc != SQLITE_OK ? rc : closed;
}

static int wal_read(sqlite3_file *f, void *data, int n, sqlite3_int64 off)
{
    int rc = wal_flush((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xRead(real_of(f), data, n, off);
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = wal_flush((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
    int rc = wal_flush((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = wal_flush((wal_file *)f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg)
{
    int rc = wal_flush((wal_file *)f);
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

/* The record, rounded up so that the unix VFS's file after it is aligned for anything. */
#define WAL_FILE_SIZE ((sizeof(wal_file) + 15) & ~(size_t)15)

static int tims_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL)) /* the unix VFS's file, as it is */
        return unix_vfs->xOpen(unix_vfs, name, f, flags, out);
    wal_file *w = (wal_file *)f;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)((char *)f + WAL_FILE_SIZE);
    w->next = -1;
    int rc = unix_vfs->xOpen(unix_vfs, name, w->real, flags, out);
    if (rc == SQLITE_OK)
        w->base.pMethods = &wal_methods;
    return rc;
}

static void register_vfs(void)
{
    if (!(unix_vfs = sqlite3_vfs_find("unix")))
        return;
    tims_vfs = *unix_vfs; /* its other methods use nothing but the fields copied here */
    tims_vfs.pNext = NULL;
    tims_vfs.zName = STORE_VFS_NAME;
    tims_vfs.xOpen = tims_open;
    int size = (int)WAL_FILE_SIZE + unix_vfs->szOsFile;
    tims_vfs.szOsFile = size > unix_vfs->szOsFile ? size : unix_vfs->szOsFile;
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

void store_vfs_test_fail_next_flush(int sqlite_rc)
{
    atomic_store(&wal_fail_next_flush, sqlite_rc);
}
