/* test_sqlite_vfs.c - the store's SQLite VFS (src/store/sqlite_vfs.c), driven with plain SQL:
 * a transaction's log appends reach the file as one write; another connection sees each
 * commit whole; a transaction that spills pages into the log before its commit (and so
 * rewrites frames in place) leaves a log that SQLite recovers exactly; pages spilled by a
 * transaction that rolls back never land on frames committed since; a failed write fails the
 * commit (and any commit of its transaction) and changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "testutil.h"

static sqlite3 *open_db(const char *path, const char *vfs)
{
    sqlite3 *db = NULL;
    assert_int_equal(store_vfs_register(), SQLITE_OK);
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    if (rc != SQLITE_OK)
        fail_msg("open %s: %s", path, sqlite3_errmsg(db));
    sqlite3_extended_result_codes(db, 1);
    return db;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static sqlite3_int64 one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    sqlite3_int64 v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void expect_intact(sqlite3 *db)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
}

/* A writer on the store's VFS in write-ahead-log mode, syncing as the store does. */
static sqlite3 *writer(const char *dir, char *path, size_t size)
{
    snprintf(path, size, "%s/t.db", dir);
    sqlite3 *db = open_db(path, STORE_VFS_NAME);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
             " CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB NOT NULL);"
             " CREATE INDEX t_v ON t(v);");
    return db;
}

/* copy_file - src to dst, byte for byte (a missing src leaves no dst). */
static void copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    remove(dst);
    if (!in)
        return;
    FILE *out = fopen(dst, "wb");
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* snapshot - the database and its log as they are on disk now, copied to dir/copy.db, and
 * opened: SQLite rebuilds its log index from the log file alone, as after a crash. */
static sqlite3 *snapshot(const char *dir)
{
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/t.db", dir);
    snprintf(to, sizeof to, "%s/copy.db", dir);
    copy_file(from, to);
    snprintf(from, sizeof from, "%s/t.db-wal", dir);
    snprintf(to, sizeof to, "%s/copy.db-wal", dir);
    copy_file(from, to);
    snprintf(to, sizeof to, "%s/copy.db-shm", dir);
    remove(to);
    snprintf(to, sizeof to, "%s/copy.db", dir);
    return open_db(to, NULL);
}

/* expect_recovered - the files as they are now, recovered by SQLite alone (snapshot), answer
 * `sql` with `expected` and pass its integrity check. */
static void expect_recovered(const char *dir, const char *sql, sqlite3_int64 expected)
{
    sqlite3 *copy = snapshot(dir);
    assert_int_equal(one_int(copy, sql), expected);
    expect_intact(copy);
    sqlite3_close(copy);
}

/* A tiny page cache, so that SQLite writes pages into the log before the commit, and no
 * checkpoint after it, so that a snapshot sees the log exactly as the commit left it. */
#define SPILL_EARLY "PRAGMA cache_size=10; PRAGMA cache_spill=10; PRAGMA wal_autocheckpoint=0"

static void appends_of_a_transaction_reach_the_file_as_one_write(void **state)
{
    tu_dir_fixture *f = *state;
    char path[600];
    sqlite3 *db = writer(f->dir, path, sizeof path);
    exec(db, "INSERT INTO t VALUES (1, randomblob(100))");
    uint64_t seen0, made0, seen, made;
    store_vfs_stats(&seen0, &made0);
    exec(db, "INSERT INTO t VALUES (2, randomblob(100))");
    store_vfs_stats(&seen, &made);
    /* a table page and an index page: a header and a page each */
    assert_true(seen - seen0 >= 4);
    assert_int_equal(made - made0, 1);
    sqlite3_close(db);
}

static void another_connection_sees_every_commit_whole(void **state)
{
    tu_dir_fixture *f = *state;
    char path[600];
    sqlite3 *db = writer(f->dir, path, sizeof path);
    sqlite3 *reader = open_db(path, STORE_VFS_NAME);
    sqlite3 *plain = open_db(path, NULL); /* SQLite's own VFS reads the same files */
    sqlite3_int64 sum = 0;
    for (int i = 1; i <= 300; i++) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "BEGIN; INSERT INTO t VALUES (%d, randomblob(%d)); INSERT INTO t VALUES (%d, "
                 "randomblob(700)); COMMIT;",
                 i, 200 + i * 7, 100000 + i);
        exec(db, sql);
        sum += i + 100000 + i;
        assert_int_equal(one_int(reader, "SELECT count(*) FROM t"), 2 * i);
        assert_int_equal(one_int(plain, "SELECT sum(k) FROM t"), sum);
        assert_int_equal(one_int(reader, "SELECT sum(length(v)) FROM t WHERE k < 100000"),
                         (sqlite3_int64)i * 200 + 7 * (sqlite3_int64)i * (i + 1) / 2);
    }
    /* a commit of one page as a connection's first write: its frame header goes straight to
     * the file, its page is gathered, and still the commit is whole at once */
    exec(db, "CREATE TABLE u(x); INSERT INTO u VALUES (1)");
    sqlite3 *second = open_db(path, STORE_VFS_NAME);
    exec(second, "PRAGMA synchronous=NORMAL; UPDATE u SET x = 42"); /* no sync at commit */
    assert_int_equal(one_int(reader, "SELECT x FROM u"), 42);
    sqlite3_close(second);
    expect_intact(reader);
    expect_recovered(f->dir, "SELECT sum(k) FROM t", sum);
    sqlite3_close(plain);
    sqlite3_close(reader);
    sqlite3_close(db);
}

/* With a tiny page cache SQLite writes pages into the log before the commit, then overwrites
 * those frames in place and rewrites their checksums when the commit comes. */
static void a_transaction_that_spills_into_the_log_is_recovered_exactly(void **state)
{
    tu_dir_fixture *f = *state;
    char path[600];
    sqlite3 *db = writer(f->dir, path, sizeof path);
    sqlite3 *reader = open_db(path, NULL);
    exec(db, "INSERT INTO t VALUES (0, zeroblob(10))"); /* the log exists */
    exec(db, SPILL_EARLY);
    uint64_t seen0, made0, seen, made;
    store_vfs_stats(&seen0, &made0);
    exec(db, "BEGIN");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
             " INSERT INTO t SELECT i, randomblob(300) FROM n");
    for (int round = 0; round < 3; round++)
        exec(db, "UPDATE t SET v = randomblob(310) WHERE k % 3 = 0");
    exec(db, "COMMIT");
    store_vfs_stats(&seen, &made);
    assert_true(made > made0 && made - made0 < seen - seen0); /* it did gather writes */
    assert_int_equal(one_int(reader, "SELECT count(*) FROM t"), 3001);
    assert_int_equal(one_int(reader, "SELECT sum(length(v)) FROM t WHERE k % 3 = 0"),
                     1001 * 310); /* k = 0 too */
    expect_intact(reader);
    expect_recovered(f->dir, "SELECT count(*) FROM t", 3001);
    expect_recovered(f->dir, "SELECT sum(length(v)) FROM t", 1001 * 310 + 2000 * 300);
    sqlite3_close(reader);
    sqlite3_close(db);
}

/* Pages a transaction spilled into the log are buffered; when it rolls back instead of
 * committing they must be dropped, not written later over what another writer committed at
 * the same place in the log. */
static void a_rolled_back_spill_never_lands_on_frames_committed_since(void **state)
{
    tu_dir_fixture *f = *state;
    char path[600];
    sqlite3 *a = writer(f->dir, path, sizeof path);
    sqlite3 *b = open_db(path, STORE_VFS_NAME);
    exec(a, "INSERT INTO t VALUES (0, zeroblob(10)); CREATE TABLE w(k INTEGER PRIMARY KEY, v)");
    exec(a, SPILL_EARLY);
    exec(b, "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0");
    uint64_t seen0, made0, seen, made;
    store_vfs_stats(&seen0, &made0);
    /* an empty log: rolling back then reads nothing from it (which would write the gathered
     * pages out while a still holds the write lock, beyond the last commit, harmlessly) */
    exec(a, "PRAGMA wal_checkpoint(TRUNCATE)");
    exec(a, "BEGIN");
    /* appends to a table without an index: spilled pages are not read again, so they are
     * still gathered, unwritten, when the transaction rolls back */
    exec(a, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)"
            " INSERT INTO w SELECT i, randomblob(1000) FROM n");
    store_vfs_stats(&seen, &made);
    /* it spilled: only the new log's header went straight to the file, the frames are
     * gathered */
    assert_true(seen - seen0 > 2);
    assert_int_equal(made - made0, 1);
    exec(a, "ROLLBACK");
    for (int i = 1; i <= 5; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, randomblob(500))", 1000 + i);
        exec(b, sql);
    }
    assert_int_equal(one_int(a, "SELECT count(*) FROM t"), 6); /* a reads the log again */
    assert_int_equal(one_int(b, "SELECT sum(length(v)) FROM t"), 10 + 5 * 500);
    expect_intact(b);
    expect_recovered(f->dir, "SELECT sum(k) FROM t", 5015);
    sqlite3_close(b);
    sqlite3_close(a);
}

/* A write of the log fails in the middle of a big transaction (gathered spilled pages written
 * out because the buffer filled up, or before a read of the log): whatever SQLite then does
 * with the statement, the transaction never commits, what it lost is never read back as data,
 * and the next transaction is fine. */
static void fail_mid_transaction(const char *dir, const char *next_statement)
{
    char path[600];
    sqlite3 *db = writer(dir, path, sizeof path);
    sqlite3 *reader = open_db(path, NULL);
    exec(db, "INSERT INTO t VALUES (0, zeroblob(10))");
    exec(db, SPILL_EARLY);
    exec(db, "BEGIN");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
             " INSERT INTO t SELECT i, randomblob(300) FROM n");
    store_vfs_test_fail_next_flush(SQLITE_FULL);
    int failures = 0;
    if (sqlite3_exec(db, next_statement, NULL, NULL, NULL) != SQLITE_OK)
        failures++;
    if (!sqlite3_get_autocommit(db) &&
        sqlite3_exec(db, "UPDATE t SET v = randomblob(300) WHERE k % 7 = 0", NULL, NULL, NULL) !=
            SQLITE_OK)
        failures++;
    assert_int_equal(store_vfs_test_fail_next_flush(SQLITE_OK), SQLITE_OK); /* it was used */
    assert_true(failures > 0);
    if (!sqlite3_get_autocommit(db)) { /* still open: it must not commit */
        assert_int_not_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
        if (!sqlite3_get_autocommit(db))
            exec(db, "ROLLBACK");
    }
    assert_int_equal(one_int(reader, "SELECT count(*) FROM t"), 1);
    assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 1);
    exec(db, "INSERT INTO t VALUES (7, randomblob(100))");
    assert_int_equal(one_int(reader, "SELECT sum(k) FROM t"), 7);
    expect_intact(reader);
    expect_recovered(dir, "SELECT sum(k) FROM t", 7);
    sqlite3_close(reader);
    sqlite3_close(db);
}

static void a_transaction_whose_log_write_failed_cannot_commit(void **state)
{
    tu_dir_fixture *f = *state;
    fail_mid_transaction(f->dir, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                 "FROM n WHERE i < 2000) INSERT INTO t SELECT 1000 + i, "
                                 "randomblob(300) FROM n");
}

static void a_transaction_whose_log_write_failed_before_a_read_cannot_commit(void **state)
{
    tu_dir_fixture *f = *state;
    fail_mid_transaction(f->dir, "SELECT sum(length(v)) FROM t NOT INDEXED");
}

/* Without power-safe overwrite SQLite pads a synchronous commit to a sector boundary and may
 * split a frame around a sync; such a database's log is written as SQLite writes it. */
static void a_database_without_powersafe_overwrite_is_not_gathered(void **state)
{
    tu_dir_fixture *f = *state;
    char path[700];
    snprintf(path, sizeof path, "file:%s/t.db?psow=0", f->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                                     STORE_VFS_NAME),
                     SQLITE_OK);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
             " CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
    char plain[700];
    snprintf(plain, sizeof plain, "%s/t.db", f->dir);
    sqlite3 *reader = open_db(plain, NULL);
    uint64_t seen0, made0, seen, made;
    store_vfs_stats(&seen0, &made0);
    for (int i = 1; i <= 20; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, randomblob(%d))", i, 100 * i);
        exec(db, sql);
        assert_int_equal(one_int(reader, "SELECT count(*) FROM t"), i);
    }
    store_vfs_stats(&seen, &made);
    assert_int_equal(made - made0, seen - seen0);
    expect_intact(reader);
    sqlite3_close(reader);
    sqlite3_close(db);
}

static void exclusive_locking_is_refused(void **state)
{
    tu_dir_fixture *f = *state;
    char path[600];
    sqlite3 *db = writer(f->dir, path, sizeof path);
    char *err = NULL;
    assert_int_not_equal(sqlite3_exec(db, "PRAGMA locking_mode=exclusive", NULL, NULL, &err),
                         SQLITE_OK);
    assert_non_null(strstr(err, "not supported"));
    sqlite3_free(err);
    exec(db, "INSERT INTO t VALUES (1, x'00')"); /* still usable, normally locked */
    sqlite3 *other = open_db(path, NULL);
    assert_int_equal(one_int(other, "SELECT count(*) FROM t"), 1);
    sqlite3_close(other);
    sqlite3_close(db);
}

static void a_failed_write_fails_the_commit_and_changes_nothing(void **state)
{
    tu_dir_fixture *f = *state;
    char path[600];
    sqlite3 *db = writer(f->dir, path, sizeof path);
    sqlite3 *reader = open_db(path, STORE_VFS_NAME);
    exec(db, "INSERT INTO t VALUES (1, randomblob(100))");
    store_vfs_test_fail_next_flush(SQLITE_IOERR_WRITE);
    int rc = sqlite3_exec(db, "INSERT INTO t VALUES (2, randomblob(100))", NULL, NULL, NULL);
    assert_int_equal(rc, SQLITE_IOERR_WRITE);
    assert_int_equal(sqlite3_get_autocommit(db), 1); /* rolled back */
    assert_int_equal(one_int(reader, "SELECT count(*) FROM t"), 1);
    assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 1);
    exec(db, "INSERT INTO t VALUES (3, randomblob(100))"); /* the next commit is fine */
    assert_int_equal(one_int(reader, "SELECT sum(k) FROM t"), 4);
    expect_recovered(f->dir, "SELECT sum(k) FROM t", 4);
    sqlite3_close(reader);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(appends_of_a_transaction_reach_the_file_as_one_write,
                                        tu_dir_setup, tu_dir_teardown),
        cmocka_unit_test_setup_teardown(another_connection_sees_every_commit_whole, tu_dir_setup,
                                        tu_dir_teardown),
        cmocka_unit_test_setup_teardown(a_transaction_that_spills_into_the_log_is_recovered_exactly,
                                        tu_dir_setup, tu_dir_teardown),
        cmocka_unit_test_setup_teardown(a_rolled_back_spill_never_lands_on_frames_committed_since,
                                        tu_dir_setup, tu_dir_teardown),
        cmocka_unit_test_setup_teardown(a_transaction_whose_log_write_failed_cannot_commit,
                                        tu_dir_setup, tu_dir_teardown),
        cmocka_unit_test_setup_teardown(
            a_transaction_whose_log_write_failed_before_a_read_cannot_commit, tu_dir_setup,
            tu_dir_teardown),
        cmocka_unit_test_setup_teardown(a_database_without_powersafe_overwrite_is_not_gathered,
                                        tu_dir_setup, tu_dir_teardown),
        cmocka_unit_test_setup_teardown(exclusive_locking_is_refused, tu_dir_setup,
                                        tu_dir_teardown),
        cmocka_unit_test_setup_teardown(a_failed_write_fails_the_commit_and_changes_nothing,
                                        tu_dir_setup, tu_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
