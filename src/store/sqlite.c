/* sqlite.c - the SQLite store: one database file per data folder, WAL, synchronous=FULL.
 * This file opens, creates, migrates and closes it, and holds the shared helpers; the other
 * sqlite_*.c files are listed in sqlite_int.h.
 *
 * Tables (docs/journal.md): origins and journal hold the entries; crossings, travellers,
 * corrections, list_events and redactions are derived from entry bodies by store_derive() and
 * store_apply_derived(), both on write and by reindex/verify (which rebuild into temp tables of the
 * same shape and compare). Journal row ids are origin id << 40 | seq, so one scan of the
 * journal in id order reads every chain in seq order.
 *
 * Writers: appends are sequenced under seq_mu (seq, prev, hash) and queued in seq order; each
 * caller signs its own entries outside the lock; whichever caller is the leader takes the signed
 * front of the queue, writes it in one transaction, hands leadership on, and then syncs the log
 * in one of two sync slots while the next leader writes (sqlite_write.c). Lock order: seq_mu,
 * then w_mu, then q_mu. Reads use a second connection under r_mu so they never wait for an
 * fsync. Checkpoints stay inline (SQLite's auto-checkpoint, at STORE_CHECKPOINT_FRAMES): a
 * background checkpointer was measured slower, because it rarely completes while writes
 * continue, so the log never restarts, keeps growing, and every fdatasync must also write the
 * file's size; one that copied in the background and finished inline gained nothing. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite_int.h"

uint8_t *store_memdup(const void *p, size_t n)
{
    uint8_t *d = tims_malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, p, n);
        d[n] = 0;
    }
    return d;
}

/* ---- errors -------------------------------------------------------------------------- */

tims_err store_sql_fail(tims_store *s, sqlite3 *db, int rc, tims_diag *diag, const char *doing)
{
    int code = rc & 0xff;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const char *path = s && s->path ? s->path : "the database";
    int sys = db ? sqlite3_system_errno(db) : 0;
    if (code == SQLITE_FULL || (code == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
        return tims_diag_set(diag, TIMS_ENOSPC,
                             "database %s is full (%s) while %s: free disk space or raise the "
                             "size limit, then retry; nothing was written",
                             path, msg, doing);
    if (code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_AUTH ||
        (code == SQLITE_IOERR && (sys == EACCES || sys == EROFS || sys == EPERM)))
        return tims_diag_set(diag, TIMS_EACCES,
                             "database %s is read-only (%s) while %s: the data folder and the "
                             "file must be writable by this user; nothing was written",
                             path, msg, doing);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return tims_diag_set(diag, TIMS_EBUSY,
                             "database %s is locked by another process (%s) "
                             "while %s; retry later",
                             path, msg, doing);
    if (code == SQLITE_NOMEM)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory while %s", doing);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return tims_diag_set(diag, TIMS_EDATA,
                             "database %s is damaged or not a tims database "
                             "(%s) while %s",
                             path, msg, doing);
    if (code == SQLITE_CONSTRAINT)
        return tims_diag_set(diag, TIMS_EBUSY,
                             "database %s changed under this process (%s) "
                             "while %s: another writer? retry",
                             path, msg, doing);
    return tims_diag_set(diag, TIMS_EIO, "database %s: %s while %s", path, msg, doing);
}

int store_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* ---- schema and migrations ----------------------------------------------------------- */

/* The derived tables, in pieces; '@' stands for the schema (main, or temp when verify rebuilds
 * them). A change to a table is a new migration step, never an edit of these. */
#define CROSSINGS_SQL                                                                              \
    "CREATE TABLE @.crossings ("                                                                   \
    " entry INTEGER PRIMARY KEY, state TEXT NOT NULL, number TEXT NOT NULL, code TEXT NOT NULL,"   \
    " surname TEXT NOT NULL, given TEXT NOT NULL, nationality TEXT NOT NULL,"                      \
    " birth TEXT NOT NULL, sex TEXT NOT NULL, dir INTEGER NOT NULL, time INTEGER NOT NULL,"        \
    " bcp TEXT NOT NULL, officer TEXT NOT NULL, vehicle TEXT NOT NULL, decision TEXT NOT NULL,"    \
    " corrections INTEGER NOT NULL, void INTEGER NOT NULL);"                                       \
    "CREATE INDEX @.crossings_doc ON crossings(state, number, time);"
#define TRAVELLERS_V1_SQL                                                                          \
    "CREATE TABLE @.travellers ("                                                                  \
    " state TEXT NOT NULL, number TEXT NOT NULL, surname TEXT NOT NULL, given TEXT NOT NULL,"      \
    " nationality TEXT NOT NULL, birth TEXT NOT NULL, sex TEXT NOT NULL,"                          \
    " last_entry INTEGER NOT NULL, last_time INTEGER NOT NULL, crossings INTEGER NOT NULL,"        \
    " PRIMARY KEY (state, number)) WITHOUT ROWID;"
#define CORRECTIONS_SQL                                                                            \
    "CREATE TABLE @.corrections ("                                                                 \
    " entry INTEGER PRIMARY KEY, target INTEGER NOT NULL, time INTEGER NOT NULL,"                  \
    " void INTEGER NOT NULL, fields INTEGER NOT NULL, reason TEXT NOT NULL,"                       \
    " officer TEXT NOT NULL);"                                                                     \
    "CREATE INDEX @.corrections_target ON corrections(target, time, entry);"
#define LIST_EVENTS_SQL                                                                            \
    "CREATE TABLE @.list_events ("                                                                 \
    " entry INTEGER PRIMARY KEY, list TEXT NOT NULL, op TEXT NOT NULL, item TEXT NOT NULL,"        \
    " time INTEGER NOT NULL);"                                                                     \
    "CREATE INDEX @.list_events_item ON list_events(list, item, time, entry);"
#define REDACTIONS_SQL                                                                             \
    "CREATE TABLE @.redactions ("                                                                  \
    " target INTEGER NOT NULL, redaction INTEGER NOT NULL, reason TEXT NOT NULL,"                  \
    " PRIMARY KEY (target, redaction)) WITHOUT ROWID;"
/* heads: per origin, the journal id and hash of its newest entry (since version 2) */
#define HEADS_SQL                                                                                  \
    "CREATE TABLE @.heads (origin INTEGER PRIMARY KEY, head INTEGER NOT NULL,"                     \
    " hash BLOB NOT NULL);"

/* travellers, a table in version 1, is a view since version 2: keeping it as a table cost a
 * random page write per crossing, and nothing reads it on the write path. */
#define TRAVELLERS_VIEW_SQL                                                                        \
    "CREATE VIEW main.travellers AS SELECT state, number, surname, given, nationality, birth,"     \
    " sex, entry AS last_entry, time AS last_time, crossings FROM (SELECT *,"                      \
    " row_number() OVER (PARTITION BY state, number ORDER BY time DESC, entry DESC) AS rank,"      \
    " count(*) OVER (PARTITION BY state, number) AS crossings FROM main.crossings"                 \
    " WHERE void = 0) WHERE rank = 1;"

const char store_derived_schema[] =
    CROSSINGS_SQL CORRECTIONS_SQL LIST_EVENTS_SQL REDACTIONS_SQL HEADS_SQL;

/* store_heads_fill - the heads table of schema @ from the journal (SQLite takes the bare hash
 * column from the row where max(id) is found). */
const char store_heads_fill[] =
    "INSERT INTO @.heads SELECT id >> " STORE_SEQ_BITS_SQL
    ", max(id), hash FROM main.journal GROUP BY id >> " STORE_SEQ_BITS_SQL ";";

const char *const store_derived_tables[] = {"crossings", "corrections", "list_events", "redactions",
                                            "heads"};
/* The column that names an entry in each derived table (for verify's report). */
const char *const store_derived_entry_col[] = {"entry", "entry", "entry", "target", "head"};

static const char journal_schema[] =
    "CREATE TABLE origins (id INTEGER PRIMARY KEY, pk BLOB NOT NULL UNIQUE,"
    " blocked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE journal (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    " kind INTEGER NOT NULL, body BLOB, body_hash BLOB NOT NULL, hash BLOB NOT NULL,"
    " sig BLOB NOT NULL);"
    "CREATE TABLE equivocations (origin INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " time INTEGER NOT NULL, kind INTEGER NOT NULL, body BLOB, body_hash BLOB NOT NULL,"
    " prev BLOB NOT NULL, hash BLOB NOT NULL, sig BLOB NOT NULL,"
    " PRIMARY KEY (origin, seq, hash)) WITHOUT ROWID;";

/* with_schema - a copy of tmpl with every '@' replaced by schema; caller frees. */
char *store_with_schema(const char *tmpl, const char *schema)
{
    tims_buf b = {0};
    for (const char *p = tmpl; *p; p++) {
        if ((*p == '@' ? tims_buf_puts(&b, schema) : tims_buf_putc(&b, *p)) != TIMS_OK) {
            tims_buf_free(&b);
            return NULL;
        }
    }
    return tims_buf_steal(&b);
}

int store_exec_schema(sqlite3 *db, const char *tmpl, const char *schema)
{
    char *sql = store_with_schema(tmpl, schema);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = store_exec(db, sql);
    tims_free(sql);
    return rc;
}

/* Migration steps: steps[v] takes a database from version v to v+1. Append, never edit. */
static int migrate_0_to_1(sqlite3 *db)
{
    int rc = store_exec(db, journal_schema);
    return rc == SQLITE_OK
               ? store_exec_schema(
                     db,
                     CROSSINGS_SQL TRAVELLERS_V1_SQL CORRECTIONS_SQL LIST_EVENTS_SQL REDACTIONS_SQL,
                     "main")
               : rc;
}

static int migrate_1_to_2(sqlite3 *db)
{
    int rc = store_exec(db, "DROP TABLE main.travellers;" TRAVELLERS_VIEW_SQL);
    if (rc == SQLITE_OK)
        rc = store_exec_schema(db, HEADS_SQL, "main");
    return rc == SQLITE_OK ? store_exec_schema(db, store_heads_fill, "main") : rc;
}

static int (*const migrations[])(sqlite3 *db) = {migrate_0_to_1, migrate_1_to_2};

_Static_assert(TIMS_ARRAY_LEN(migrations) == TIMS_STORE_SCHEMA_VERSION,
               "one migration step per schema version");

static int user_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static tims_err migrate(tims_store *s, tims_diag *diag)
{
    int v = 0, rc = user_version(s->db, &v);
    if (rc != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "reading the schema version");
    if (v > TIMS_STORE_SCHEMA_VERSION || v < 0)
        return tims_diag_set(diag, TIMS_ESCHEMA,
                             "database %s has schema version %d, newer than this build of tims "
                             "knows (%d): use a newer tims; nothing was changed",
                             s->path, v, TIMS_STORE_SCHEMA_VERSION);
    if (v < TIMS_STORE_SCHEMA_VERSION && (s->flags & TIMS_STORE_READONLY))
        return tims_diag_set(diag, TIMS_ESCHEMA,
                             "database %s has schema version %d and needs migrating to %d: open "
                             "it once for writing (e.g. tims reindex)",
                             s->path, v, TIMS_STORE_SCHEMA_VERSION);
    while (v < TIMS_STORE_SCHEMA_VERSION) {
        char sql[64];
        if ((rc = store_exec(s->db, "BEGIN IMMEDIATE")) != SQLITE_OK)
            return store_sql_fail(s, s->db, rc, diag, "starting a schema migration");
        /* Re-read inside the transaction: another process may have migrated meanwhile. */
        if ((rc = user_version(s->db, &v)) != SQLITE_OK || v >= TIMS_STORE_SCHEMA_VERSION) {
            store_exec(s->db, "ROLLBACK");
            if (rc != SQLITE_OK)
                return store_sql_fail(s, s->db, rc, diag, "reading the schema version");
            break;
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if ((rc = migrations[v](s->db)) != SQLITE_OK ||
            (rc = store_exec(s->db, sql)) != SQLITE_OK ||
            (rc = store_exec(s->db, "COMMIT")) != SQLITE_OK) {
            tims_err err = store_sql_fail(s, s->db, rc, diag, "migrating the schema");
            store_exec(s->db, "ROLLBACK");
            return err;
        }
        v++;
    }
    s->schema_version = v;
    return TIMS_OK;
}

/* ---- statements ---------------------------------------------------------------------- */

static const char *const derived_sql[ST_COUNT] = {
    [ST_INS_CROSSING] = "INSERT OR REPLACE INTO @.crossings VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
                        "?10,?11,?12,?13,?14,?15,?16,?17)",
    [ST_DEL_CROSSING] = "DELETE FROM @.crossings WHERE entry = ?1",
    [ST_HAS_CORRECTIONS] = "SELECT 1 FROM @.corrections WHERE target = ?1 LIMIT 1",
    [ST_CORRECTIONS_OF] = "SELECT entry FROM @.corrections WHERE target = ?1 ORDER BY time, entry",
    [ST_INS_CORRECTION] = "INSERT OR REPLACE INTO @.corrections VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [ST_GET_CORRECTION_TARGET] = "SELECT target FROM @.corrections WHERE entry = ?1",
    [ST_DEL_CORRECTION] = "DELETE FROM @.corrections WHERE entry = ?1",
    [ST_INS_LIST] = "INSERT OR REPLACE INTO @.list_events VALUES(?1,?2,?3,?4,?5)",
    [ST_DEL_LIST] = "DELETE FROM @.list_events WHERE entry = ?1",
    [ST_INS_REDACTION] = "INSERT OR IGNORE INTO @.redactions VALUES(?1,?2,?3)",
    [ST_PUT_HEAD] = "INSERT OR REPLACE INTO @.heads VALUES(?1,?2,?3)",
};

/* derived_stmt - the statement `which` for schema sc, prepared on first use. */
int store_derived_stmt(tims_store *s, int sc, int which, sqlite3_stmt **out)
{
    if (!s->st[sc][which]) {
        char *sql = store_with_schema(derived_sql[which], sc == SCHEMA_MAIN ? "main" : "temp");
        if (!sql)
            return SQLITE_NOMEM;
        int rc =
            sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[sc][which], NULL);
        tims_free(sql);
        if (rc != SQLITE_OK)
            return rc;
    }
    *out = s->st[sc][which];
    return SQLITE_OK;
}

int store_prep(sqlite3 *db, sqlite3_stmt **slot, const char *sql)
{
    if (*slot)
        return SQLITE_OK;
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
}

void store_finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* step_done - run a statement that returns no rows; returns SQLITE_OK or the error. */
int store_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    store_finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void store_finalize_temp(tims_store *s)
{
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->st[SCHEMA_TEMP][i]);
        s->st[SCHEMA_TEMP][i] = NULL;
    }
}

/* ---- origins ------------------------------------------------------------------------- */

origin_slot *store_find_slot(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN])
{
    for (size_t i = 0; i < s->norigins; i++) {
        if (memcmp(s->origins[i].pk, pk, TIMS_PUBKEY_LEN) == 0)
            return &s->origins[i];
    }
    return NULL;
}

origin_slot *store_add_slot(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN])
{
    if (s->norigins == s->corigins) {
        size_t cap = s->corigins ? 2 * s->corigins : 8;
        origin_slot *o = tims_realloc(s->origins, cap * sizeof *o);
        if (!o)
            return NULL;
        s->origins = o;
        s->corigins = cap;
    }
    origin_slot *o = &s->origins[s->norigins++];
    memset(o, 0, sizeof *o);
    memcpy(o->pk, pk, TIMS_PUBKEY_LEN);
    return o;
}

/* db_head - the last stored seq and hash of origin id on connection db. */
int store_db_head(sqlite3 *db, int64_t id, uint64_t *seq, uint8_t hash[TIMS_HASH_LEN])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, hash FROM main.journal WHERE id BETWEEN ?1 AND ?2"
                                " ORDER BY id DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, STORE_ID(id, 0));
    sqlite3_bind_int64(st, 2, STORE_ID(id, STORE_SEQ_MAX));
    *seq = 0;
    memset(hash, 0, TIMS_HASH_LEN);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = STORE_ID_SEQ(sqlite3_column_int64(st, 0));
        if (sqlite3_column_bytes(st, 1) == TIMS_HASH_LEN)
            memcpy(hash, sqlite3_column_blob(st, 1), TIMS_HASH_LEN);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* load_origins - rebuild the origin cache from the database (writer connection). */
tims_err store_load_origins(tims_store *s, tims_diag *diag)
{
    sqlite3_stmt *st;
    s->norigins = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, pk, blocked FROM main.origins ORDER BY id", -1,
                                &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != TIMS_PUBKEY_LEN)
            continue; /* a damaged row: verify reports it */
        origin_slot *o = store_add_slot(s, sqlite3_column_blob(st, 1));
        if (!o) {
            sqlite3_finalize(st);
            return tims_diag_set(diag, TIMS_ENOMEM, "out of memory loading origins");
        }
        o->id = sqlite3_column_int64(st, 0);
        o->blocked = sqlite3_column_int(st, 2);
        rc = store_db_head(s->db, o->id, &o->seq, o->hash);
        if (rc != SQLITE_OK)
            break;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "loading the origins");
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT max(coalesce((SELECT max(target) FROM main.corrections), -1),"
                            " coalesce((SELECT max(target) FROM main.redactions), -1))",
                            -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->max_target = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "loading the correction targets");
    return TIMS_OK;
}

/* origin_id - the id of origin pk in the database (writer connection), inserting it when
 * create is set (inside the caller's transaction); 0 when absent and not created. It does not
 * use the origin cache, so the leader may call it without seq_mu. */
int store_origin_id(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN], int create, int64_t *id)
{
    int rc = store_prep(s->db, &s->sel_origin, "SELECT id FROM main.origins WHERE pk = ?1");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(s->sel_origin, 1, pk, TIMS_PUBKEY_LEN, SQLITE_STATIC);
    rc = sqlite3_step(s->sel_origin);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s->sel_origin, 0) : 0;
    store_finish(s->sel_origin);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    if (*id || !create)
        return SQLITE_OK;
    if ((rc = store_prep(s->db, &s->ins_origin, "INSERT INTO main.origins(pk) VALUES(?1)")) !=
        SQLITE_OK)
        return rc;
    sqlite3_bind_blob(s->ins_origin, 1, pk, TIMS_PUBKEY_LEN, SQLITE_STATIC);
    if ((rc = store_step_done(s->ins_origin)) != SQLITE_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    if (*id >= (INT64_C(1) << (63 - STORE_SEQ_BITS)))
        return SQLITE_FULL;
    return SQLITE_OK;
}

/* Page cache of a connection, in KiB: the reader's, and the writer's for bulk work (reindex,
 * import, verify, migrations, batches of STORE_BULK_ENTRIES or more). */
#define STORE_CACHE_KIB     65536
#define STORE_CACHE_KIB_SQL "65536"
/* The writer's page cache for group commit. SQLite 3.40 scans the cache's whole hash table at
 * the end of every transaction in which a B-tree page split renumbered pages (it parks a page
 * at the pending-byte page number, 262145, and the truncate to the database size then cannot
 * stay local), so the scan grows with the cache: on a store of a million crossings 16 writers
 * reached 16,900/s with 64 MiB and 19,000-20,200/s with 8 MiB. Pages the writer needs again
 * come back from the memory map or the OS page cache. */
#define STORE_WRITER_CACHE_KIB 8192

/* store_bulk_cache - give the writer connection the big cache (bulk 1) or the group-commit one
 * (bulk 0); under w_mu. */
void store_bulk_cache(tims_store *s, int bulk)
{
    int kib = bulk ? s->bulk_cache_kib : STORE_WRITER_CACHE_KIB;
    if (kib == s->cache_kib)
        return;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA main.cache_size = %d", -kib);
    if (store_exec(s->db, sql) == SQLITE_OK)
        s->cache_kib = kib;
}

/* Frames in the write-ahead log (of 4 KiB pages) at which a commit checkpoints it: SQLite's
 * own default, chosen by measurement. 10,000 gave 16 writers 5-7% before the writer's cache
 * was made small and nothing after, and it made reads right after writes (the history lookup
 * of every `tims cross`) 10-30% slower: more pages then live in the log, read with pread
 * instead of through the memory map. */
#define STORE_CHECKPOINT_FRAMES 1000

/* The page size of new databases (1024 was measured slower and larger for crossings). */
#define STORE_PAGE_SIZE "4096"

/* ---- open, create, close ------------------------------------------------------------- */

static tims_err open_conn(tims_store *s, int readonly, int create, sqlite3 **out, tims_diag *diag)
{
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    sqlite3 *db = NULL;
    int rc = store_vfs_register();
    if (rc != SQLITE_OK)
        return tims_diag_set(diag, TIMS_EIO, "cannot register the store's SQLite VFS (%s)",
                             sqlite3_errstr(rc));
    rc = sqlite3_open_v2(s->path, &db, flags, STORE_VFS_NAME);
    tims_err err = TIMS_OK;
    if (rc != SQLITE_OK) {
        int sys = db ? sqlite3_system_errno(db) : 0;
        if ((rc & 0xff) == SQLITE_CANTOPEN && (sys == EACCES || sys == EROFS || sys == EPERM))
            err = tims_diag_set(diag, TIMS_EACCES,
                                "cannot open database %s: %s; the data "
                                "folder and file must be accessible by this user",
                                s->path, strerror(sys));
        else
            err = store_sql_fail(s, db, rc, diag, "opening the database");
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    if (!readonly && sqlite3_db_readonly(db, "main") == 1) {
        err = tims_diag_set(diag, TIMS_EACCES,
                            "database %s can only be opened read-only: the data folder and file "
                            "must be writable by this user (or open it read-only)",
                            s->path);
        goto fail;
    }
    if (create && (rc = store_exec(db, "PRAGMA page_size=" STORE_PAGE_SIZE)) != SQLITE_OK) {
        err = store_sql_fail(s, db, rc, diag, "setting the page size");
        goto fail;
    }
    if (!readonly) {
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *mode = (const char *)sqlite3_column_text(st, 0);
            rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_READONLY;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_OK) {
            err = store_sql_fail(s, db, rc, diag, "switching to write-ahead logging");
            goto fail;
        }
    }
    /* 64 MiB of page cache per connection keeps the document index hot at millions of rows
     * (the writer's is made smaller for group commit: store_bulk_cache). */
    if ((rc = store_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"
                             " PRAGMA cache_size=-" STORE_CACHE_KIB_SQL ";"
                             " PRAGMA mmap_size=1073741824;")) != SQLITE_OK ||
        (!readonly &&
         (rc = sqlite3_wal_autocheckpoint(db, STORE_CHECKPOINT_FRAMES)) != SQLITE_OK)) {
        err = store_sql_fail(s, db, rc, diag, "setting durability");
        goto fail;
    }
    *out = db;
    return TIMS_OK;
fail:
    sqlite3_close(db);
    return err;
}

static tims_err store_new(const char *dir, unsigned flags, tims_store **out, tims_diag *diag)
{
    tims_store *s = tims_calloc(1, sizeof *s);
    if (!s)
        return TIMS_ENOMEM;
    s->backend = TIMS_STORE_SQLITE;
    s->flags = flags;
    pthread_mutex_init(&s->seq_mu, NULL);
    pthread_mutex_init(&s->w_mu, NULL);
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE); /* callbacks may read again */
    pthread_mutex_init(&s->r_mu, &attr);
    pthread_mutexattr_destroy(&attr);
    for (int i = 0; i < STORE_SYNC_SLOTS; i++)
        s->wal_fd[i] = -1;
    tims_buf b = {0};
    if (tims_buf_printf(&b, "%s/%s", dir, TIMS_STORE_DB_FILE) != TIMS_OK) {
        tims_free(s);
        return TIMS_ENOMEM;
    }
    s->path = tims_buf_steal(&b);
    *out = s;
    if (!s->path) {
        tims_store_close(s);
        *out = NULL;
        return TIMS_ENOMEM;
    }
    (void)diag;
    return TIMS_OK;
}

static tims_err store_start(tims_store *s, int create, tims_diag *diag)
{
    tims_err err;
    int ro = (s->flags & TIMS_STORE_READONLY) != 0;
    if (sodium_init() < 0)
        return tims_diag_set(diag, TIMS_ECRYPTO, "libsodium could not be initialised");
    if ((err = open_conn(s, ro, create, &s->db, diag)) != TIMS_OK)
        return err;
    s->cache_kib = s->bulk_cache_kib = STORE_CACHE_KIB;
    if ((err = migrate(s, diag)) != TIMS_OK)
        return err;
    if (!ro) {
        store_bulk_cache(s, 0);
        if ((err = store_open_sync_slots(s, diag)) != TIMS_OK)
            return err;
    }
    if ((err = open_conn(s, 1, 0, &s->rdb, diag)) != TIMS_OK)
        return err;
    /* The reader answers small lookups, often right after a write; SQLite unmaps a
     * connection's whole memory map whenever it sees that the log changed, so the map cost
     * the reader about 50 µs per lookup after a write (105 µs p50 with it, 54 µs without) */
    int rc = store_exec(s->rdb, "PRAGMA mmap_size=0");
    if (rc != SQLITE_OK)
        return store_sql_fail(s, s->rdb, rc, diag, "setting up the reader");
    return store_load_origins(s, diag);
}

tims_err tims_store_create(const char *dir, tims_store **out, tims_diag *diag)
{
    *out = NULL;
    if (!dir || !*dir)
        return tims_diag_set(diag, TIMS_EINVAL, "no data folder given");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return tims_diag_set(diag, errno == EACCES || errno == EROFS ? TIMS_EACCES : TIMS_EIO,
                             "cannot create data folder %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tims_diag_set(diag, TIMS_EINVAL, "data folder %s is not a folder", dir);
    tims_store *s;
    tims_err err = store_new(dir, 0, &s, diag);
    if (err != TIMS_OK)
        return err;
    if (stat(s->path, &st) == 0) {
        err = tims_diag_set(diag, TIMS_EEXIST,
                            "data folder %s holds a database already (%s); "
                            "nothing was changed",
                            dir, s->path);
        goto fail;
    }
    if ((err = store_start(s, 1, diag)) != TIMS_OK)
        goto fail;
    *out = s;
    return TIMS_OK;
fail:
    tims_store_close(s);
    return err;
}

tims_err tims_store_open(const char *dir, unsigned flags, tims_store **out, tims_diag *diag)
{
    *out = NULL;
    if (!dir || !*dir)
        return tims_diag_set(diag, TIMS_EINVAL, "no data folder given");
    tims_store *s;
    tims_err err = store_new(dir, flags, &s, diag);
    if (err != TIMS_OK)
        return err;
    struct stat st;
    if (stat(s->path, &st) != 0) {
        err = errno == ENOENT ? tims_diag_set(diag, TIMS_ENOENT,
                                              "no tims database in %s (expected %s): "
                                              "run 'tims init --data %s' first",
                                              dir, s->path, dir)
                              : tims_diag_set(diag, errno == EACCES ? TIMS_EACCES : TIMS_EIO,
                                              "cannot reach %s: %s", s->path, strerror(errno));
        goto fail;
    }
    if ((err = store_start(s, 0, diag)) != TIMS_OK)
        goto fail;
    *out = s;
    return TIMS_OK;
fail:
    tims_store_close(s);
    return err;
}

void tims_store_close(tims_store *s)
{
    if (!s)
        return;
    for (int sc = 0; sc < 2; sc++)
        for (int i = 0; i < ST_COUNT; i++)
            sqlite3_finalize(s->st[sc][i]);
    sqlite3_stmt *all[] = {s->ins_journal, s->get_body,   s->redacted_by, s->null_body,
                           s->ins_origin,  s->sel_origin, s->r_history,   s->r_crossing,
                           s->begin,       s->commit,     s->sync_off,    s->sync_on};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(all); i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(s->rdb);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->seq_mu);
    pthread_mutex_destroy(&s->w_mu);
    pthread_mutex_destroy(&s->q_mu);
    pthread_mutex_destroy(&s->r_mu);
    store_free_waiters(s);
    for (int i = 0; i < STORE_SYNC_SLOTS; i++)
        if (s->wal_fd[i] >= 0)
            close(s->wal_fd[i]);
    tims_free(s->origins);
    tims_free(s->path);
    tims_free(s);
}

tims_store_backend tims_store_backend_of(const tims_store *s)
{
    return s->backend;
}

int tims_store_schema_version(const tims_store *s)
{
    return s->schema_version;
}

tims_err tims_store_limit_pages(tims_store *s, uint64_t max_pages)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %llu", (unsigned long long)max_pages);
    pthread_mutex_lock(&s->w_mu);
    int rc = store_exec(s->db, sql);
    pthread_mutex_unlock(&s->w_mu);
    return rc == SQLITE_OK ? TIMS_OK : store_sql_fail(s, s->db, rc, NULL, "setting the size limit");
}
