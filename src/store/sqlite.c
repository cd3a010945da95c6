/* sqlite.c - the SQLite store: one database file per data folder, WAL, synchronous=FULL.
 *
 * Tables (docs/journal.md): origins and journal hold the entries; crossings, travellers,
 * corrections, list_events and redactions are derived from entry bodies by store_derive() and
 * apply_derived(), both on write and by reindex/verify (which rebuild into temp tables of the
 * same shape and compare). Journal row ids are origin id << 40 | seq, so one scan of the
 * journal in id order reads every chain in seq order.
 *
 * Writers: appends are sequenced under seq_mu (seq, prev, hash) and queued in seq order; each
 * caller signs its own entries outside the lock; whichever caller is the leader takes the whole
 * queue, writes it in one transaction and one fsync, and wakes the callers. Lock order: seq_mu,
 * then w_mu, then q_mu. Reads use a second connection under r_mu so they never wait for an
 * fsync. Checkpoints stay inline (SQLite's auto-checkpoint at 1000 frames): a background
 * checkpointer was measured slower, because it rarely completes while writes continue, so the
 * log never restarts, keeps growing, and every fdatasync must also write the file's size. */
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

#include "store/store_int.h"

typedef struct origin_slot {
    uint8_t pk[TIMS_PUBKEY_LEN];
    int64_t id;                 /* 0: not yet in the origins table */
    uint64_t seq;               /* last seq sequenced (durable or queued) */
    uint8_t hash[TIMS_HASH_LEN];
    int blocked;
} origin_slot;

typedef struct pending {
    tims_entry e;
    store_derived d;
    tims_err err;
    int done;
    int sig_ready;       /* the owner has signed it: the leader may write it */
    pthread_cond_t *wake; /* the owner waits here (one per append call, not per entry) */
    tims_diag diag;
    struct pending *next;
} pending;

/* Statements on the writer connection that exist once per schema (main, temp). */
enum {
    ST_INS_CROSSING, ST_UPSERT_TRAVELLER, ST_DEL_TRAVELLER, ST_RECALC_TRAVELLER,
    ST_GET_CROSSING_KEY, ST_DEL_CROSSING, ST_HAS_CORRECTIONS, ST_CORRECTIONS_OF,
    ST_INS_CORRECTION, ST_GET_CORRECTION_TARGET, ST_DEL_CORRECTION, ST_INS_LIST, ST_DEL_LIST,
    ST_INS_REDACTION, ST_COUNT
};

struct tims_store {
    tims_store_backend backend;
    unsigned flags;
    char *path;                  /* the database file */
    sqlite3 *db;                 /* writer connection (under w_mu) */
    sqlite3 *rdb;                /* reader connection (under r_mu) */
    int schema_version;
    pthread_mutex_t seq_mu, w_mu, q_mu, r_mu;
    pthread_cond_t sig_cv;       /* a queued entry was signed (only the leader waits) */
    pending *q_head, *q_tail;
    int leader_active;
    origin_slot *origins;
    size_t norigins, corigins;
    sqlite3_stmt *st[2][ST_COUNT]; /* [0] main, [1] temp */
    sqlite3_stmt *ins_journal, *get_body, *redacted_by, *null_body, *ins_origin, *sel_origin;
    sqlite3_stmt *r_history, *r_crossing;
    int bulk_sign_last_only;     /* bench only: see store_int.h */
    uint64_t commits, committed; /* group commit counters (under w_mu) */
};

static uint8_t *memdup_bytes(const void *p, size_t n)
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

static tims_err sql_fail(tims_store *s, sqlite3 *db, int rc, tims_diag *diag, const char *doing)
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
        return tims_diag_set(diag, TIMS_EBUSY, "database %s is locked by another process (%s) "
                             "while %s; retry later", path, msg, doing);
    if (code == SQLITE_NOMEM)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory while %s", doing);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return tims_diag_set(diag, TIMS_EDATA, "database %s is damaged or not a tims database "
                             "(%s) while %s", path, msg, doing);
    if (code == SQLITE_CONSTRAINT)
        return tims_diag_set(diag, TIMS_EBUSY, "database %s changed under this process (%s) "
                             "while %s: another writer? retry", path, msg, doing);
    return tims_diag_set(diag, TIMS_EIO, "database %s: %s while %s", path, msg, doing);
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* ---- schema and migrations ----------------------------------------------------------- */

/* The derived tables; '@' stands for the schema (main, or temp when verify rebuilds them). */
static const char derived_schema[] =
    "CREATE TABLE @.crossings ("
    " entry INTEGER PRIMARY KEY, state TEXT NOT NULL, number TEXT NOT NULL, code TEXT NOT NULL,"
    " surname TEXT NOT NULL, given TEXT NOT NULL, nationality TEXT NOT NULL,"
    " birth TEXT NOT NULL, sex TEXT NOT NULL, dir INTEGER NOT NULL, time INTEGER NOT NULL,"
    " bcp TEXT NOT NULL, officer TEXT NOT NULL, vehicle TEXT NOT NULL, decision TEXT NOT NULL,"
    " corrections INTEGER NOT NULL, void INTEGER NOT NULL);"
    "CREATE INDEX @.crossings_doc ON crossings(state, number, time);"
    "CREATE TABLE @.travellers ("
    " state TEXT NOT NULL, number TEXT NOT NULL, surname TEXT NOT NULL, given TEXT NOT NULL,"
    " nationality TEXT NOT NULL, birth TEXT NOT NULL, sex TEXT NOT NULL,"
    " last_entry INTEGER NOT NULL, last_time INTEGER NOT NULL, crossings INTEGER NOT NULL,"
    " PRIMARY KEY (state, number)) WITHOUT ROWID;"
    "CREATE TABLE @.corrections ("
    " entry INTEGER PRIMARY KEY, target INTEGER NOT NULL, time INTEGER NOT NULL,"
    " void INTEGER NOT NULL, fields INTEGER NOT NULL, reason TEXT NOT NULL,"
    " officer TEXT NOT NULL);"
    "CREATE INDEX @.corrections_target ON corrections(target, time, entry);"
    "CREATE TABLE @.list_events ("
    " entry INTEGER PRIMARY KEY, list TEXT NOT NULL, op TEXT NOT NULL, item TEXT NOT NULL,"
    " time INTEGER NOT NULL);"
    "CREATE INDEX @.list_events_item ON list_events(list, item, time, entry);"
    "CREATE TABLE @.redactions ("
    " target INTEGER NOT NULL, redaction INTEGER NOT NULL, reason TEXT NOT NULL,"
    " PRIMARY KEY (target, redaction)) WITHOUT ROWID;";

static const char *const derived_tables[] = {"crossings", "travellers", "corrections",
                                             "list_events", "redactions"};
/* The column that names an entry in each derived table (for verify's report). */
static const char *const derived_entry_col[] = {"entry", "last_entry", "entry", "entry",
                                                "target"};

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
static char *with_schema(const char *tmpl, const char *schema)
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

static int exec_schema(sqlite3 *db, const char *tmpl, const char *schema)
{
    char *sql = with_schema(tmpl, schema);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = exec(db, sql);
    tims_free(sql);
    return rc;
}

/* Migration steps: steps[v] takes a database from version v to v+1. Append, never edit. */
static int migrate_0_to_1(sqlite3 *db)
{
    int rc = exec(db, journal_schema);
    return rc == SQLITE_OK ? exec_schema(db, derived_schema, "main") : rc;
}

static int (*const migrations[])(sqlite3 *db) = {migrate_0_to_1};

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
        return sql_fail(s, s->db, rc, diag, "reading the schema version");
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
        if ((rc = exec(s->db, "BEGIN IMMEDIATE")) != SQLITE_OK)
            return sql_fail(s, s->db, rc, diag, "starting a schema migration");
        /* Re-read inside the transaction: another process may have migrated meanwhile. */
        if ((rc = user_version(s->db, &v)) != SQLITE_OK || v >= TIMS_STORE_SCHEMA_VERSION) {
            exec(s->db, "ROLLBACK");
            if (rc != SQLITE_OK)
                return sql_fail(s, s->db, rc, diag, "reading the schema version");
            break;
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if ((rc = migrations[v](s->db)) != SQLITE_OK || (rc = exec(s->db, sql)) != SQLITE_OK ||
            (rc = exec(s->db, "COMMIT")) != SQLITE_OK) {
            tims_err err = sql_fail(s, s->db, rc, diag, "migrating the schema");
            exec(s->db, "ROLLBACK");
            return err;
        }
        v++;
    }
    s->schema_version = v;
    return TIMS_OK;
}

/* ---- statements ---------------------------------------------------------------------- */

#define NEWER "(excluded.last_time > last_time OR (excluded.last_time = last_time AND " \
              "excluded.last_entry > last_entry))"

static const char *const derived_sql[ST_COUNT] = {
    [ST_INS_CROSSING] = "INSERT OR REPLACE INTO @.crossings VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
                        "?10,?11,?12,?13,?14,?15,?16,?17)",
    [ST_UPSERT_TRAVELLER] =
        "INSERT INTO @.travellers VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,1) "
        "ON CONFLICT(state, number) DO UPDATE SET crossings = crossings + 1,"
        " surname = iif(" NEWER ", excluded.surname, surname),"
        " given = iif(" NEWER ", excluded.given, given),"
        " nationality = iif(" NEWER ", excluded.nationality, nationality),"
        " birth = iif(" NEWER ", excluded.birth, birth),"
        " sex = iif(" NEWER ", excluded.sex, sex),"
        " last_entry = iif(" NEWER ", excluded.last_entry, last_entry),"
        " last_time = iif(" NEWER ", excluded.last_time, last_time)",
    [ST_DEL_TRAVELLER] = "DELETE FROM @.travellers WHERE state = ?1 AND number = ?2",
    [ST_RECALC_TRAVELLER] =
        "INSERT INTO @.travellers SELECT state, number, surname, given, nationality, birth, sex,"
        " entry, time, (SELECT count(*) FROM @.crossings WHERE state = ?1 AND number = ?2"
        " AND void = 0) FROM @.crossings WHERE state = ?1 AND number = ?2 AND void = 0"
        " ORDER BY time DESC, entry DESC LIMIT 1",
    [ST_GET_CROSSING_KEY] = "SELECT state, number FROM @.crossings WHERE entry = ?1",
    [ST_DEL_CROSSING] = "DELETE FROM @.crossings WHERE entry = ?1",
    [ST_HAS_CORRECTIONS] = "SELECT 1 FROM @.corrections WHERE target = ?1 LIMIT 1",
    [ST_CORRECTIONS_OF] = "SELECT entry FROM @.corrections WHERE target = ?1 ORDER BY time, entry",
    [ST_INS_CORRECTION] = "INSERT OR REPLACE INTO @.corrections VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [ST_GET_CORRECTION_TARGET] = "SELECT target FROM @.corrections WHERE entry = ?1",
    [ST_DEL_CORRECTION] = "DELETE FROM @.corrections WHERE entry = ?1",
    [ST_INS_LIST] = "INSERT OR REPLACE INTO @.list_events VALUES(?1,?2,?3,?4,?5)",
    [ST_DEL_LIST] = "DELETE FROM @.list_events WHERE entry = ?1",
    [ST_INS_REDACTION] = "INSERT OR IGNORE INTO @.redactions VALUES(?1,?2,?3)",
};

enum { SCHEMA_MAIN = 0, SCHEMA_TEMP = 1 };

/* derived_stmt - the statement `which` for schema sc, prepared on first use. */
static int derived_stmt(tims_store *s, int sc, int which, sqlite3_stmt **out)
{
    if (!s->st[sc][which]) {
        char *sql = with_schema(derived_sql[which], sc == SCHEMA_MAIN ? "main" : "temp");
        if (!sql)
            return SQLITE_NOMEM;
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->st[sc][which], NULL);
        tims_free(sql);
        if (rc != SQLITE_OK)
            return rc;
    }
    *out = s->st[sc][which];
    return SQLITE_OK;
}

static int prep(sqlite3 *db, sqlite3_stmt **slot, const char *sql)
{
    if (*slot)
        return SQLITE_OK;
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
}

static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* step_done - run a statement that returns no rows; returns SQLITE_OK or the error. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void finalize_temp(tims_store *s)
{
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->st[SCHEMA_TEMP][i]);
        s->st[SCHEMA_TEMP][i] = NULL;
    }
}

/* ---- origins ------------------------------------------------------------------------- */

static origin_slot *find_slot(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN])
{
    for (size_t i = 0; i < s->norigins; i++) {
        if (memcmp(s->origins[i].pk, pk, TIMS_PUBKEY_LEN) == 0)
            return &s->origins[i];
    }
    return NULL;
}

static origin_slot *add_slot(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN])
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
static int db_head(sqlite3 *db, int64_t id, uint64_t *seq, uint8_t hash[TIMS_HASH_LEN])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT id, hash FROM main.journal WHERE id BETWEEN ?1 AND ?2"
                                " ORDER BY id DESC LIMIT 1", -1, &st, NULL);
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
static tims_err load_origins(tims_store *s, tims_diag *diag)
{
    sqlite3_stmt *st;
    s->norigins = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, pk, blocked FROM main.origins ORDER BY id", -1,
                                &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != TIMS_PUBKEY_LEN)
            continue; /* a damaged row: verify reports it */
        origin_slot *o = add_slot(s, sqlite3_column_blob(st, 1));
        if (!o) {
            sqlite3_finalize(st);
            return tims_diag_set(diag, TIMS_ENOMEM, "out of memory loading origins");
        }
        o->id = sqlite3_column_int64(st, 0);
        o->blocked = sqlite3_column_int(st, 2);
        rc = db_head(s->db, o->id, &o->seq, o->hash);
        if (rc != SQLITE_OK)
            break;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "loading the origins");
    return TIMS_OK;
}

/* origin_id - the id of origin pk in the database (writer connection), inserting it when
 * create is set (inside the caller's transaction); 0 when absent and not created. It does not
 * use the origin cache, so the leader may call it without seq_mu. */
static int origin_id(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN], int create, int64_t *id)
{
    int rc = prep(s->db, &s->sel_origin, "SELECT id FROM main.origins WHERE pk = ?1");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(s->sel_origin, 1, pk, TIMS_PUBKEY_LEN, SQLITE_STATIC);
    rc = sqlite3_step(s->sel_origin);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s->sel_origin, 0) : 0;
    finish(s->sel_origin);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    if (*id || !create)
        return SQLITE_OK;
    if ((rc = prep(s->db, &s->ins_origin, "INSERT INTO main.origins(pk) VALUES(?1)")) != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(s->ins_origin, 1, pk, TIMS_PUBKEY_LEN, SQLITE_STATIC);
    if ((rc = step_done(s->ins_origin)) != SQLITE_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    if (*id >= (INT64_C(1) << (63 - STORE_SEQ_BITS)))
        return SQLITE_FULL;
    return SQLITE_OK;
}

/* The page size of new databases (1024 was measured slower and larger for crossings). */
#define STORE_PAGE_SIZE "4096"

/* ---- open, create, close ------------------------------------------------------------- */

static tims_err open_conn(tims_store *s, int readonly, int create, sqlite3 **out,
                          tims_diag *diag)
{
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(s->path, &db, flags, NULL);
    tims_err err = TIMS_OK;
    if (rc != SQLITE_OK) {
        int sys = db ? sqlite3_system_errno(db) : 0;
        if ((rc & 0xff) == SQLITE_CANTOPEN && (sys == EACCES || sys == EROFS || sys == EPERM))
            err = tims_diag_set(diag, TIMS_EACCES, "cannot open database %s: %s; the data "
                                "folder and file must be accessible by this user", s->path,
                                strerror(sys));
        else
            err = sql_fail(s, db, rc, diag, "opening the database");
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
    if (create && (rc = exec(db, "PRAGMA page_size=" STORE_PAGE_SIZE)) != SQLITE_OK) {
        err = sql_fail(s, db, rc, diag, "setting the page size");
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
            err = sql_fail(s, db, rc, diag, "switching to write-ahead logging");
            goto fail;
        }
    }
    /* 64 MiB of page cache per connection keeps the document index hot at millions of rows. */
    if ((rc = exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"
                       " PRAGMA cache_size=-65536;"
                       " PRAGMA mmap_size=1073741824;")) != SQLITE_OK) {
        err = sql_fail(s, db, rc, diag, "setting durability");
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
    pthread_cond_init(&s->sig_cv, NULL);
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
    if ((err = migrate(s, diag)) != TIMS_OK)
        return err;
    if ((err = open_conn(s, 1, 0, &s->rdb, diag)) != TIMS_OK)
        return err;
    return load_origins(s, diag);
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
        err = tims_diag_set(diag, TIMS_EEXIST, "data folder %s holds a database already (%s); "
                            "nothing was changed", dir, s->path);
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
        err = errno == ENOENT
                  ? tims_diag_set(diag, TIMS_ENOENT, "no tims database in %s (expected %s): "
                                  "run 'tims init --data %s' first", dir, s->path, dir)
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
    sqlite3_stmt *all[] = {s->ins_journal, s->get_body, s->redacted_by, s->null_body,
                           s->ins_origin, s->sel_origin, s->r_history, s->r_crossing};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(all); i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(s->rdb);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->seq_mu);
    pthread_mutex_destroy(&s->w_mu);
    pthread_mutex_destroy(&s->q_mu);
    pthread_mutex_destroy(&s->r_mu);
    pthread_cond_destroy(&s->sig_cv);
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
    int rc = exec(s->db, sql);
    pthread_mutex_unlock(&s->w_mu);
    return rc == SQLITE_OK ? TIMS_OK : sql_fail(s, s->db, rc, NULL, "setting the size limit");
}

/* ---- derived rows -------------------------------------------------------------------- */

static int write_crossing(tims_store *s, int sc, int64_t entry, const tims_crossing *c,
                          int ncorr, int void_it)
{
    sqlite3_stmt *st;
    int rc = derived_stmt(s, sc, ST_INS_CROSSING, &st);
    if (rc != SQLITE_OK)
        return rc;
    const char *text[] = {c->issuing_state, c->doc_number, c->doc_code, c->surname,
                          c->given_names, c->nationality, c->birth_date, c->sex};
    sqlite3_bind_int64(st, 1, entry);
    for (int i = 0; i < 8; i++)
        sqlite3_bind_text(st, 2 + i, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, (int)c->direction);
    sqlite3_bind_int64(st, 11, c->time_us);
    sqlite3_bind_text(st, 12, c->bcp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, c->officer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, c->vehicle, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, c->decision, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 16, ncorr);
    sqlite3_bind_int(st, 17, void_it);
    return step_done(st);
}

static int upsert_traveller(tims_store *s, int sc, int64_t entry, const tims_crossing *c)
{
    sqlite3_stmt *st;
    int rc = derived_stmt(s, sc, ST_UPSERT_TRAVELLER, &st);
    if (rc != SQLITE_OK)
        return rc;
    const char *text[] = {c->issuing_state, c->doc_number, c->surname, c->given_names,
                          c->nationality, c->birth_date, c->sex};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(st, 1 + i, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, entry);
    sqlite3_bind_int64(st, 9, c->time_us);
    return step_done(st);
}

/* recalc_traveller - the travellers row of one document key, from the current crossings. */
static int recalc_traveller(tims_store *s, int sc, const char *state, const char *number)
{
    sqlite3_stmt *del, *ins;
    int rc = derived_stmt(s, sc, ST_DEL_TRAVELLER, &del);
    if (rc == SQLITE_OK)
        rc = derived_stmt(s, sc, ST_RECALC_TRAVELLER, &ins);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(del, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(del, 2, number, -1, SQLITE_STATIC);
    if ((rc = step_done(del)) != SQLITE_OK)
        return rc;
    sqlite3_bind_text(ins, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, number, -1, SQLITE_STATIC);
    return step_done(ins);
}

/* read_body - kind, time and body of journal entry id (writer connection); *found 0 when
 * absent; body->len 0 and *redacted 1 when its body is removed. */
static int read_body(tims_store *s, int64_t id, int *found, int *kind, int64_t *time,
                     int *redacted, tims_buf *body)
{
    int rc = prep(s->db, &s->get_body, "SELECT kind, time, body FROM main.journal WHERE id = ?1");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(s->get_body, 1, id);
    tims_buf_reset(body);
    *found = 0;
    rc = sqlite3_step(s->get_body);
    if (rc == SQLITE_ROW) {
        *found = 1;
        *kind = sqlite3_column_int(s->get_body, 0);
        *time = sqlite3_column_int64(s->get_body, 1);
        *redacted = sqlite3_column_type(s->get_body, 2) == SQLITE_NULL;
        const void *b = sqlite3_column_blob(s->get_body, 2);
        int n = sqlite3_column_bytes(s->get_body, 2);
        rc = tims_buf_append(body, b ? b : "", (size_t)n) == TIMS_OK ? SQLITE_OK : SQLITE_NOMEM;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    finish(s->get_body);
    return rc;
}

/* recompute_view - the crossings row of entry `target`: its body with every correction of it
 * applied in (time, entry) order; removed when the crossing is absent or redacted. The
 * travellers rows of the old and new document keys follow. */
static int recompute_view(tims_store *s, int sc, int64_t target)
{
    sqlite3_stmt *st;
    tims_buf body = {0};
    int64_t *ids = NULL;
    size_t nids = 0, cap = 0;
    char old_state[4] = "", old_number[24] = "";
    int had_old = 0, found, kind, redacted, rc;
    int64_t time;

    if ((rc = derived_stmt(s, sc, ST_GET_CROSSING_KEY, &st)) != SQLITE_OK)
        goto done;
    sqlite3_bind_int64(st, 1, target);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        had_old = 1;
        snprintf(old_state, sizeof old_state, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(old_number, sizeof old_number, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    finish(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto done;

    store_derived d, cd;
    if ((rc = read_body(s, target, &found, &kind, &time, &redacted, &body)) != SQLITE_OK)
        goto done;
    if (!found || redacted || kind != TIMS_KIND_CROSSING ||
        store_derive(kind, body.data, body.len, &d, NULL) != TIMS_OK) {
        if ((rc = derived_stmt(s, sc, ST_DEL_CROSSING, &st)) != SQLITE_OK)
            goto done;
        sqlite3_bind_int64(st, 1, target);
        if ((rc = step_done(st)) == SQLITE_OK && had_old)
            rc = recalc_traveller(s, sc, old_state, old_number);
        goto done;
    }

    if ((rc = derived_stmt(s, sc, ST_CORRECTIONS_OF, &st)) != SQLITE_OK)
        goto done;
    sqlite3_bind_int64(st, 1, target);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (nids == cap) {
            cap = cap ? 2 * cap : 8;
            int64_t *n = tims_realloc(ids, cap * sizeof *n);
            if (!n) {
                rc = SQLITE_NOMEM;
                break;
            }
            ids = n;
        }
        ids[nids++] = sqlite3_column_int64(st, 0);
    }
    finish(st);
    if (rc != SQLITE_DONE)
        goto done;
    int ncorr = 0, void_it = 0;
    for (size_t i = 0; i < nids; i++) {
        if ((rc = read_body(s, ids[i], &found, &kind, &time, &redacted, &body)) != SQLITE_OK)
            goto done;
        if (!found || redacted || kind != TIMS_KIND_CORRECTION ||
            store_derive(kind, body.data, body.len, &cd, NULL) != TIMS_OK)
            continue;
        store_apply_correction(&d.crossing, &cd);
        void_it |= cd.void_it;
        ncorr++;
        store_derived_clear(&cd);
    }
    if ((rc = write_crossing(s, sc, target, &d.crossing, ncorr, void_it)) != SQLITE_OK)
        goto done;
    if (had_old && (strcmp(old_state, d.crossing.issuing_state) != 0 ||
                    strcmp(old_number, d.crossing.doc_number) != 0))
        if ((rc = recalc_traveller(s, sc, old_state, old_number)) != SQLITE_OK)
            goto done;
    rc = recalc_traveller(s, sc, d.crossing.issuing_state, d.crossing.doc_number);
done:
    tims_free(ids);
    tims_buf_free(&body);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* unapply - remove the derived rows of entry tid (being redacted), by its kind. */
static int unapply(tims_store *s, int sc, int64_t tid, int kind)
{
    sqlite3_stmt *st;
    int rc = SQLITE_OK;
    switch (kind) {
    case TIMS_KIND_CROSSING:
        return recompute_view(s, sc, tid); /* its body is gone: the row goes */
    case TIMS_KIND_CORRECTION: {
        int64_t x = 0;
        int have = 0;
        if ((rc = derived_stmt(s, sc, ST_GET_CORRECTION_TARGET, &st)) != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(st, 1, tid);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            x = sqlite3_column_int64(st, 0);
            have = 1;
        }
        finish(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return rc;
        if ((rc = derived_stmt(s, sc, ST_DEL_CORRECTION, &st)) != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(st, 1, tid);
        if ((rc = step_done(st)) != SQLITE_OK || !have)
            return rc;
        return recompute_view(s, sc, x);
    }
    case TIMS_KIND_LIST_RELEASE:
    case TIMS_KIND_LIST_PUT:
    case TIMS_KIND_LIST_DEL:
        if ((rc = derived_stmt(s, sc, ST_DEL_LIST, &st)) != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(st, 1, tid);
        return step_done(st);
    default:
        return SQLITE_OK;
    }
}

/* apply_derived - write the rows derived from entry id into schema sc. live: this is a new
 * entry being written (a redaction then also removes its targets' bodies); otherwise a
 * rebuild from the journal, which never changes the journal. */
static tims_err apply_derived(tims_store *s, int sc, int64_t id, int64_t time,
                              const store_derived *d, int live, tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = SQLITE_OK;
    switch (d->kind) {
    case TIMS_KIND_CROSSING: {
        int pending_corr = 0;
        if ((rc = derived_stmt(s, sc, ST_HAS_CORRECTIONS, &st)) != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        pending_corr = rc == SQLITE_ROW;
        finish(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            break;
        if (pending_corr)
            rc = recompute_view(s, sc, id);
        else if ((rc = write_crossing(s, sc, id, &d->crossing, 0, 0)) == SQLITE_OK)
            rc = upsert_traveller(s, sc, id, &d->crossing);
        break;
    }
    case TIMS_KIND_CORRECTION: {
        int64_t oid;
        if ((rc = origin_id(s, d->target.origin, live, &oid)) != SQLITE_OK)
            break;
        int64_t target = oid ? STORE_ID(oid, d->target.seq) : -1;
        if ((rc = derived_stmt(s, sc, ST_INS_CORRECTION, &st)) != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, target);
        sqlite3_bind_int64(st, 3, time);
        sqlite3_bind_int(st, 4, d->void_it);
        sqlite3_bind_int(st, 5, (int)d->mask);
        sqlite3_bind_text(st, 6, d->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, d->officer, -1, SQLITE_STATIC);
        if ((rc = step_done(st)) == SQLITE_OK && target > 0)
            rc = recompute_view(s, sc, target);
        break;
    }
    case TIMS_KIND_LIST_RELEASE:
    case TIMS_KIND_LIST_PUT:
    case TIMS_KIND_LIST_DEL: {
        static const char *const ops[] = {"release", "put", "del"};
        if ((rc = derived_stmt(s, sc, ST_INS_LIST, &st)) != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, d->list, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ops[d->kind - TIMS_KIND_LIST_RELEASE], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d->item, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, time);
        rc = step_done(st);
        break;
    }
    case TIMS_KIND_REDACTION: {
        tims_buf body = {0};
        for (size_t i = 0; rc == SQLITE_OK && i < d->ntargets; i++) {
            int64_t oid;
            if ((rc = origin_id(s, d->targets[i].origin, live, &oid)) != SQLITE_OK)
                break;
            int64_t tid = oid ? STORE_ID(oid, d->targets[i].seq) : -1;
            if ((rc = derived_stmt(s, sc, ST_INS_REDACTION, &st)) != SQLITE_OK)
                break;
            sqlite3_bind_int64(st, 1, tid);
            sqlite3_bind_int64(st, 2, id);
            sqlite3_bind_text(st, 3, d->reason, -1, SQLITE_STATIC);
            if ((rc = step_done(st)) != SQLITE_OK || !live || tid < 0)
                continue;
            int found, kind, redacted;
            int64_t t;
            if ((rc = read_body(s, tid, &found, &kind, &t, &redacted, &body)) != SQLITE_OK)
                break;
            if (!found || redacted)
                continue; /* not here yet: its body is dropped when it arrives */
            if (kind == TIMS_KIND_REDACTION) {
                tims_buf_free(&body);
                return tims_diag_set(diag, TIMS_EDATA, "a redaction entry cannot itself be "
                                     "redacted (seq %llu)",
                                     (unsigned long long)d->targets[i].seq);
            }
            if ((rc = prep(s->db, &s->null_body,
                           "UPDATE main.journal SET body = NULL WHERE id = ?1")) != SQLITE_OK)
                break;
            sqlite3_bind_int64(s->null_body, 1, tid);
            if ((rc = step_done(s->null_body)) == SQLITE_OK)
                rc = unapply(s, sc, tid, kind);
        }
        tims_buf_free(&body);
        break;
    }
    default:
        break;
    }
    if (rc != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "writing the derived tables");
    return TIMS_OK;
}

/* is_redacted_target - 1 when entry id is named by a stored redaction entry. */
static int is_redacted_target(tims_store *s, int64_t id, int *out)
{
    int rc = prep(s->db, &s->redacted_by,
                  "SELECT 1 FROM main.redactions WHERE target = ?1 LIMIT 1");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(s->redacted_by, 1, id);
    rc = sqlite3_step(s->redacted_by);
    *out = rc == SQLITE_ROW;
    finish(s->redacted_by);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* write_entry - insert entry e of origin oid and its derived rows (inside a transaction). */
static tims_err write_entry(tims_store *s, int64_t oid, const tims_entry *e,
                            const store_derived *d, tims_diag *diag)
{
    int64_t id = STORE_ID(oid, e->seq);
    int redacted = e->redacted, rc;
    if (!redacted && (rc = is_redacted_target(s, id, &redacted)) != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "checking redactions");
    if ((rc = prep(s->db, &s->ins_journal, "INSERT INTO main.journal(id, time, kind, body, "
                   "body_hash, hash, sig) VALUES(?1,?2,?3,?4,?5,?6,?7)")) != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "preparing to write the journal");
    sqlite3_stmt *st = s->ins_journal;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, e->time_us);
    sqlite3_bind_int(st, 3, e->kind);
    if (redacted)
        sqlite3_bind_null(st, 4);
    else
        sqlite3_bind_blob(st, 4, e->body ? (const void *)e->body : "", (int)e->body_len,
                          SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, e->body_hash, TIMS_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, e->hash, TIMS_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e->sig, TIMS_SIG_LEN, SQLITE_STATIC);
    if ((rc = step_done(st)) != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "writing the journal");
    if (redacted)
        return TIMS_OK;
    return apply_derived(s, SCHEMA_MAIN, id, e->time_us, d, 1, diag);
}

/* ---- group commit -------------------------------------------------------------------- */

/* run_batch - the leader writes a batch in one transaction; marks every pending done. */
static void run_batch(tims_store *s, pending *batch)
{
    tims_err err = TIMS_OK;
    tims_diag diag = {{0}};
    pthread_mutex_lock(&s->q_mu);
    for (pending *p = batch; p; p = p->next)
        while (!p->sig_ready)
            pthread_cond_wait(&s->sig_cv, &s->q_mu);
    pthread_mutex_unlock(&s->q_mu);
    pthread_mutex_lock(&s->w_mu);
    int rc = exec(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        err = sql_fail(s, s->db, rc, &diag, "starting a transaction");
    for (pending *p = batch; p && err == TIMS_OK; p = p->next) {
        int64_t oid;
        if ((rc = origin_id(s, p->e.origin, 1, &oid)) != SQLITE_OK) {
            err = sql_fail(s, s->db, rc, &diag, "registering the origin");
            break;
        }
        err = write_entry(s, oid, &p->e, &p->d, &diag);
    }
    if (err == TIMS_OK && (rc = exec(s->db, "COMMIT")) != SQLITE_OK)
        err = sql_fail(s, s->db, rc, &diag, "committing");
    if (err != TIMS_OK) {
        exec(s->db, "ROLLBACK");
    } else {
        s->commits++;
        for (pending *p = batch; p; p = p->next)
            s->committed++;
    }
    pthread_mutex_unlock(&s->w_mu);

    if (err != TIMS_OK) {
        /* Seqs after the failed batch were handed out from the cache: fail every queued entry
         * and reload the heads, so no chain gets a gap. */
        pthread_mutex_lock(&s->seq_mu);
        pthread_mutex_lock(&s->w_mu);
        tims_diag ld;
        load_origins(s, &ld);
        pthread_mutex_unlock(&s->w_mu);
        pthread_mutex_lock(&s->q_mu);
        for (pending *p = s->q_head, *next; p; p = next) {
            next = p->next;
            p->err = err;
            tims_diag_set(&p->diag, err, "not written: an entry before it failed (%s)",
                          diag.text);
            p->done = 1;
            pthread_cond_signal(p->wake);
        }
        s->q_head = s->q_tail = NULL;
        pthread_mutex_unlock(&s->q_mu);
        pthread_mutex_unlock(&s->seq_mu);
    }
    pthread_mutex_lock(&s->q_mu);
    for (pending *p = batch, *next; p; p = next) {
        next = p->next;
        p->err = err;
        if (err != TIMS_OK)
            p->diag = diag;
        p->done = 1;
        pthread_cond_signal(p->wake); /* wakes only the callers of this batch */
    }
    pthread_mutex_unlock(&s->q_mu);
}

/* wait_durable - return when `last` is done, leading batches while no one else does. A leader
 * that finishes wakes the owner of the next queued entry, who leads the next batch. */
static void wait_durable(tims_store *s, pending *last)
{
    pthread_mutex_lock(&s->q_mu);
    while (!last->done) {
        if (s->leader_active || !s->q_head) {
            pthread_cond_wait(last->wake, &s->q_mu);
            continue;
        }
        s->leader_active = 1;
        pending *batch = s->q_head;
        s->q_head = s->q_tail = NULL;
        pthread_mutex_unlock(&s->q_mu);
        run_batch(s, batch);
        pthread_mutex_lock(&s->q_mu);
        s->leader_active = 0;
        if (s->q_head)
            pthread_cond_signal(s->q_head->wake);
    }
    pthread_mutex_unlock(&s->q_mu);
}

tims_err tims_store_append_many(tims_store *s, const tims_keypair *kp,
                                const tims_append_item *items, size_t n, tims_entry_ref *out,
                                tims_diag *diag)
{
    tims_err err = TIMS_OK;
    if (n == 0)
        return TIMS_OK;
    if (s->flags & TIMS_STORE_READONLY)
        return tims_diag_set(diag, TIMS_EACCES, "database %s is open read-only; nothing was "
                             "written", s->path);
    pending *ps = tims_calloc(n, sizeof *ps);
    if (!ps)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory for %zu entries", n);
    pthread_cond_t wake;
    pthread_cond_init(&wake, NULL);
    for (size_t i = 0; i < n; i++) {
        const tims_append_item *it = &items[i];
        if (!tims_entry_kind_name((int)it->kind)) {
            err = tims_diag_set(diag, TIMS_EINVAL, "entry kind %d is not known", (int)it->kind);
            goto done;
        }
        if ((err = store_derive((int)it->kind, it->body, it->body_len, &ps[i].d, diag)) !=
            TIMS_OK) {
            if (n > 1 && diag) {
                char inner[sizeof diag->text];
                memcpy(inner, diag->text, sizeof inner);
                tims_diag_set(diag, err, "entry %zu of %zu: %s", i + 1, n, inner);
            }
            goto done;
        }
        /* A redaction of a redaction would fail the whole group commit: refuse it here. */
        for (size_t t = 0; t < ps[i].d.ntargets; t++) {
            tims_entry te;
            if (tims_store_get_entry(s, ps[i].d.targets[t].origin, ps[i].d.targets[t].seq, &te,
                                     NULL) != TIMS_OK)
                continue;
            int kind = te.kind;
            tims_entry_clear(&te);
            if (kind == TIMS_KIND_REDACTION) {
                err = tims_diag_set(diag, TIMS_EINVAL, "entry %zu: a redaction entry (seq %llu) "
                                    "cannot itself be redacted", i + 1,
                                    (unsigned long long)ps[i].d.targets[t].seq);
                goto done;
            }
        }
    }

    /* Outside any lock: copy bodies and hash them. */
    for (size_t i = 0; i < n; i++) {
        tims_entry *e = &ps[i].e;
        if (!(e->body = memdup_bytes(items[i].body, items[i].body_len))) {
            err = tims_diag_set(diag, TIMS_ENOMEM, "out of memory for an entry body");
            goto done;
        }
        e->body_len = items[i].body_len;
        memcpy(e->origin, kp->pk, TIMS_PUBKEY_LEN);
        e->time_us = items[i].time_us;
        e->kind = (int)items[i].kind;
        tims_body_hash(e->body, e->body_len, e->body_hash);
    }

    /* Under seq_mu: take the next seqs, link and hash, and queue in that order. */
    pthread_mutex_lock(&s->seq_mu);
    origin_slot *o = find_slot(s, kp->pk);
    if (!o && !(o = add_slot(s, kp->pk)))
        err = tims_diag_set(diag, TIMS_ENOMEM, "out of memory for an origin");
    else if (o->blocked)
        err = tims_diag_set(diag, TIMS_ETAMPER, "origin is blocked after equivocation (two "
                            "different entries with the same seq); an operator must decide");
    else if (o->seq + n > STORE_SEQ_MAX)
        err = tims_diag_set(diag, TIMS_ERANGE, "the origin's chain is full");
    if (err == TIMS_OK) {
        for (size_t i = 0; i < n; i++) {
            tims_entry *e = &ps[i].e;
            e->seq = (i ? ps[i - 1].e.seq : o->seq) + 1;
            memcpy(e->prev, i ? ps[i - 1].e.hash : o->hash, TIMS_HASH_LEN);
            tims_entry_compute_hash(e, e->hash);
            ps[i].next = i + 1 < n ? &ps[i + 1] : NULL;
            ps[i].wake = &wake;
        }
        o->seq = ps[n - 1].e.seq;
        memcpy(o->hash, ps[n - 1].e.hash, TIMS_HASH_LEN);
        pthread_mutex_lock(&s->q_mu);
        if (s->q_tail)
            s->q_tail->next = &ps[0];
        else
            s->q_head = &ps[0];
        s->q_tail = &ps[n - 1];
        pthread_mutex_unlock(&s->q_mu);
    }
    pthread_mutex_unlock(&s->seq_mu);
    if (err != TIMS_OK)
        goto done;

    /* Sign in parallel with other writers; the leader waits for sig_ready before writing. */
    for (size_t i = 0; i < n; i++) {
        if (!s->bulk_sign_last_only || i + 1 == n)
            crypto_sign_detached(ps[i].e.sig, NULL, ps[i].e.hash, TIMS_HASH_LEN, kp->sk);
    }
    pthread_mutex_lock(&s->q_mu);
    for (size_t i = 0; i < n; i++)
        ps[i].sig_ready = 1;
    pthread_cond_broadcast(&s->sig_cv);
    pthread_mutex_unlock(&s->q_mu);

    wait_durable(s, &ps[n - 1]);
    err = ps[n - 1].err;
    if (err != TIMS_OK) {
        if (diag)
            *diag = ps[n - 1].diag;
        goto done;
    }
    for (size_t i = 0; out && i < n; i++) {
        memcpy(out[i].origin, ps[i].e.origin, TIMS_PUBKEY_LEN);
        out[i].seq = ps[i].e.seq;
        memcpy(out[i].hash, ps[i].e.hash, TIMS_HASH_LEN);
    }
done:
    for (size_t i = 0; i < n; i++) {
        tims_entry_clear(&ps[i].e);
        store_derived_clear(&ps[i].d);
    }
    tims_free(ps);
    pthread_cond_destroy(&wake);
    return err;
}

tims_err tims_store_append(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           tims_entry_kind kind, const void *body, size_t body_len,
                           tims_entry_ref *out, tims_diag *diag)
{
    tims_append_item it = {time_us, kind, body, body_len};
    return tims_store_append_many(s, kp, &it, 1, out, diag);
}

void tims_store_stats(tims_store *s, uint64_t *commits, uint64_t *entries)
{
    pthread_mutex_lock(&s->w_mu);
    *commits = s->commits;
    *entries = s->committed;
    pthread_mutex_unlock(&s->w_mu);
}

void store_set_cache_mib(tims_store *s, int mib)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", -1024 * mib);
    pthread_mutex_lock(&s->w_mu);
    exec(s->db, sql);
    pthread_mutex_unlock(&s->w_mu);
}

void store_bench_sign_last_only(tims_store *s, int on)
{
    s->bulk_sign_last_only = on;
}

/* ---- reading ------------------------------------------------------------------------- */

/* r_origin_id / r_origin_pk - origin lookups on the reader connection (under r_mu). */
static int r_origin_id(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN], int64_t *id)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->rdb, "SELECT id FROM main.origins WHERE pk = ?1", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(st, 1, pk, TIMS_PUBKEY_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int r_origin_pk(tims_store *s, int64_t id, uint8_t pk[TIMS_PUBKEY_LEN])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->rdb, "SELECT pk FROM main.origins WHERE id = ?1", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    memset(pk, 0, TIMS_PUBKEY_LEN);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == TIMS_PUBKEY_LEN)
        memcpy(pk, sqlite3_column_blob(st, 0), TIMS_PUBKEY_LEN);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

tims_err tims_store_head(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t *seq,
                         uint8_t hash[TIMS_HASH_LEN], tims_diag *diag)
{
    int64_t id;
    *seq = 0;
    memset(hash, 0, TIMS_HASH_LEN);
    pthread_mutex_lock(&s->r_mu);
    int rc = r_origin_id(s, origin, &id);
    if (rc == SQLITE_OK && id)
        rc = db_head(s->rdb, id, seq, hash);
    pthread_mutex_unlock(&s->r_mu);
    return rc == SQLITE_OK ? TIMS_OK : sql_fail(s, s->rdb, rc, diag, "reading a chain head");
}

/* row_to_entry - fill e from a row (id, time, kind, body, body_hash, hash, sig); the body is
 * borrowed from the statement until its next step. Returns 0 when a column is malformed. */
static int row_to_entry(sqlite3_stmt *st, tims_entry *e)
{
    e->seq = STORE_ID_SEQ(sqlite3_column_int64(st, 0));
    e->time_us = sqlite3_column_int64(st, 1);
    e->kind = sqlite3_column_int(st, 2);
    e->redacted = sqlite3_column_type(st, 3) == SQLITE_NULL;
    e->body = e->redacted ? NULL : (uint8_t *)sqlite3_column_blob(st, 3);
    e->body_len = e->redacted ? 0 : (size_t)sqlite3_column_bytes(st, 3);
    if (!e->redacted && !e->body)
        e->body = (uint8_t *)"";
    if (sqlite3_column_bytes(st, 4) != TIMS_HASH_LEN || sqlite3_column_bytes(st, 5) != TIMS_HASH_LEN ||
        sqlite3_column_bytes(st, 6) != TIMS_SIG_LEN)
        return 0;
    memcpy(e->body_hash, sqlite3_column_blob(st, 4), TIMS_HASH_LEN);
    memcpy(e->hash, sqlite3_column_blob(st, 5), TIMS_HASH_LEN);
    memcpy(e->sig, sqlite3_column_blob(st, 6), TIMS_SIG_LEN);
    return 1;
}

#define ENTRY_COLS "id, time, kind, body, body_hash, hash, sig"

tims_err tims_store_get_entry(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN],
                              uint64_t seq, tims_entry *out, tims_diag *diag)
{
    memset(out, 0, sizeof *out);
    tims_err err = TIMS_OK;
    int64_t oid;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->r_mu);
    int rc = r_origin_id(s, origin, &oid);
    if (rc != SQLITE_OK)
        goto sqlfail;
    if (!oid || seq < 1 || seq > STORE_SEQ_MAX) {
        err = tims_diag_set(diag, TIMS_ENOENT, "no entry with seq %llu of that origin",
                            (unsigned long long)seq);
        goto done;
    }
    rc = sqlite3_prepare_v2(s->rdb, "SELECT " ENTRY_COLS " FROM main.journal WHERE id IN (?1, ?2)"
                            " ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_int64(st, 1, STORE_ID(oid, seq - 1));
    sqlite3_bind_int64(st, 2, STORE_ID(oid, seq));
    tims_entry e;
    memset(&e, 0, sizeof e);
    int got = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        if (!row_to_entry(st, &e)) {
            err = tims_diag_set(diag, TIMS_ETAMPER, "entry seq %llu is malformed in the "
                                "database; run tims verify", (unsigned long long)e.seq);
            goto done;
        }
        if (e.seq == seq - 1) {
            memcpy(out->prev, e.hash, TIMS_HASH_LEN);
            continue;
        }
        got = 1;
        memcpy(out->origin, origin, TIMS_PUBKEY_LEN);
        uint8_t prev[TIMS_HASH_LEN];
        memcpy(prev, out->prev, TIMS_HASH_LEN);
        if (!e.redacted && !(e.body = memdup_bytes(e.body, e.body_len))) {
            err = TIMS_ENOMEM;
            goto done;
        }
        memcpy(e.origin, origin, TIMS_PUBKEY_LEN);
        memcpy(e.prev, prev, TIMS_HASH_LEN);
        *out = e;
    }
    if (rc != SQLITE_DONE)
        goto sqlfail;
    if (!got)
        err = tims_diag_set(diag, TIMS_ENOENT, "no entry with seq %llu of that origin",
                            (unsigned long long)seq);
    goto done;
sqlfail:
    err = sql_fail(s, s->rdb, rc, diag, "reading an entry");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->r_mu);
    if (err != TIMS_OK)
        tims_entry_clear(out);
    return err;
}

tims_err tims_store_each_entry(tims_store *s, const uint8_t *origin, uint64_t after_seq,
                               uint64_t limit, tims_entry_fn fn, void *ctx, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    sqlite3_stmt *st = NULL;
    int64_t lo = 0, hi = INT64_MAX, cur = -1;
    uint64_t count = 0;
    pthread_mutex_lock(&s->r_mu);
    int rc = SQLITE_OK;
    if (origin) {
        int64_t oid;
        if ((rc = r_origin_id(s, origin, &oid)) != SQLITE_OK)
            goto sqlfail;
        if (!oid)
            goto done;
        lo = STORE_ID(oid, after_seq < STORE_SEQ_MAX ? after_seq : STORE_SEQ_MAX);
        hi = STORE_ID(oid, STORE_SEQ_MAX);
    }
    rc = sqlite3_prepare_v2(s->rdb, "SELECT " ENTRY_COLS " FROM main.journal WHERE id > ?1 AND"
                            " id <= ?2 ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    tims_entry e;
    memset(&e, 0, sizeof e);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (!origin && STORE_ID_SEQ(id) <= after_seq)
            continue;
        uint8_t prev[TIMS_HASH_LEN];
        if (STORE_ID_ORIGIN(id) != cur || STORE_ID_SEQ(id) != e.seq + 1) {
            cur = STORE_ID_ORIGIN(id);
            if ((rc = r_origin_pk(s, cur, e.origin)) != SQLITE_OK)
                goto sqlfail;
            memset(prev, 0, sizeof prev);
            if (STORE_ID_SEQ(id) > 1) {
                sqlite3_stmt *p2;
                rc = sqlite3_prepare_v2(s->rdb, "SELECT hash FROM main.journal WHERE id = ?1",
                                        -1, &p2, NULL);
                if (rc == SQLITE_OK) {
                    sqlite3_bind_int64(p2, 1, id - 1);
                    memset(prev, 0, sizeof prev);
                    if (sqlite3_step(p2) == SQLITE_ROW && sqlite3_column_bytes(p2, 0) == TIMS_HASH_LEN)
                        memcpy(prev, sqlite3_column_blob(p2, 0), TIMS_HASH_LEN);
                    sqlite3_finalize(p2);
                }
            }
            if (rc != SQLITE_OK)
                goto sqlfail;
        } else {
            memcpy(prev, e.hash, TIMS_HASH_LEN);
        }
        if (!row_to_entry(st, &e)) {
            err = tims_diag_set(diag, TIMS_ETAMPER, "entry seq %llu is malformed in the "
                                "database; run tims verify", (unsigned long long)e.seq);
            goto done;
        }
        memcpy(e.prev, prev, TIMS_HASH_LEN);
        int stop = fn(&e, ctx);
        if (stop) {
            err = stop < 0 && stop >= TIMS_EINTERNAL ? (tims_err)stop : TIMS_OK;
            goto done;
        }
        if (limit && ++count >= limit)
            goto done;
    }
    if (rc == SQLITE_DONE)
        goto done;
sqlfail:
    err = sql_fail(s, s->rdb, rc, diag, "reading the journal");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->r_mu);
    return err;
}

tims_err tims_store_origins(tims_store *s, tims_origin_head **out, size_t *count,
                            tims_diag *diag)
{
    *out = NULL;
    *count = 0;
    tims_err err = TIMS_OK;
    size_t n = 0, cap = 0;
    tims_origin_head *arr = NULL;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->r_mu);
    int rc = sqlite3_prepare_v2(s->rdb, "SELECT id, pk, blocked FROM main.origins ORDER BY id",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != TIMS_PUBKEY_LEN) {
            rc = SQLITE_OK;
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            tims_origin_head *a = tims_realloc(arr, cap * sizeof *a);
            if (!a) {
                err = TIMS_ENOMEM;
                goto done;
            }
            arr = a;
        }
        tims_origin_head *h = &arr[n++];
        memcpy(h->origin, sqlite3_column_blob(st, 1), TIMS_PUBKEY_LEN);
        h->blocked = sqlite3_column_int(st, 2);
        rc = db_head(s->rdb, sqlite3_column_int64(st, 0), &h->seq, h->hash);
    }
    if (rc != SQLITE_DONE)
        err = sql_fail(s, s->rdb, rc, diag, "listing origins");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->r_mu);
    if (err != TIMS_OK) {
        tims_free(arr);
        return err;
    }
    *out = arr;
    *count = n;
    return TIMS_OK;
}

int tims_store_origin_blocked(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN])
{
    int blocked = 0;
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->r_mu);
    if (sqlite3_prepare_v2(s->rdb, "SELECT blocked FROM main.origins WHERE pk = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, origin, TIMS_PUBKEY_LEN, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            blocked = sqlite3_column_int(st, 0) != 0;
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->r_mu);
    return blocked;
}

#define CROSSING_COLS "entry, state, number, code, surname, given, nationality, birth, sex," \
                      " dir, time, bcp, officer, vehicle, decision, corrections"

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? t : "");
}

static void row_to_crossing(sqlite3_stmt *st, tims_crossing *c)
{
    memset(c, 0, sizeof *c);
    int64_t entry = sqlite3_column_int64(st, 0);
    c->entry.seq = STORE_ID_SEQ(entry);
    copy_col(st, 1, c->issuing_state, sizeof c->issuing_state);
    copy_col(st, 2, c->doc_number, sizeof c->doc_number);
    copy_col(st, 3, c->doc_code, sizeof c->doc_code);
    copy_col(st, 4, c->surname, sizeof c->surname);
    copy_col(st, 5, c->given_names, sizeof c->given_names);
    copy_col(st, 6, c->nationality, sizeof c->nationality);
    copy_col(st, 7, c->birth_date, sizeof c->birth_date);
    copy_col(st, 8, c->sex, sizeof c->sex);
    c->direction = (tims_direction)sqlite3_column_int(st, 9);
    c->time_us = sqlite3_column_int64(st, 10);
    copy_col(st, 11, c->bcp, sizeof c->bcp);
    copy_col(st, 12, c->officer, sizeof c->officer);
    copy_col(st, 13, c->vehicle, sizeof c->vehicle);
    copy_col(st, 14, c->decision, sizeof c->decision);
    c->corrections = sqlite3_column_int(st, 15);
}

tims_err tims_store_history(tims_store *s, const char *issuing_state, const char *doc_number,
                            tims_crossing **out, size_t *count, tims_diag *diag)
{
    *out = NULL;
    *count = 0;
    if (!issuing_state || !doc_number)
        return tims_diag_set(diag, TIMS_EINVAL, "history needs an issuing state and a number");
    tims_err err = TIMS_OK;
    tims_crossing *arr = NULL;
    size_t n = 0, cap = 0;
    int64_t last_origin = -1;
    uint8_t pk[TIMS_PUBKEY_LEN];
    pthread_mutex_lock(&s->r_mu);
    int rc = prep(s->rdb, &s->r_history, "SELECT " CROSSING_COLS " FROM main.crossings"
                  " WHERE state = ?1 AND number = ?2 AND void = 0 ORDER BY time, entry");
    if (rc != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_text(s->r_history, 1, issuing_state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->r_history, 2, doc_number, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s->r_history)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            tims_crossing *a = tims_realloc(arr, cap * sizeof *a);
            if (!a) {
                err = tims_diag_set(diag, TIMS_ENOMEM, "out of memory reading a history");
                goto done;
            }
            arr = a;
        }
        row_to_crossing(s->r_history, &arr[n]);
        int64_t oid = STORE_ID_ORIGIN(sqlite3_column_int64(s->r_history, 0));
        if (oid != last_origin) {
            if ((rc = r_origin_pk(s, oid, pk)) != SQLITE_OK)
                goto sqlfail;
            last_origin = oid;
        }
        memcpy(arr[n].entry.origin, pk, TIMS_PUBKEY_LEN);
        n++;
    }
    if (rc == SQLITE_DONE)
        goto done;
sqlfail:
    err = sql_fail(s, s->rdb, rc, diag, "reading a crossing history");
done:
    if (s->r_history)
        finish(s->r_history);
    pthread_mutex_unlock(&s->r_mu);
    if (err != TIMS_OK) {
        tims_free(arr);
        return err;
    }
    *out = arr;
    *count = n;
    return TIMS_OK;
}

tims_err tims_store_get_crossing(tims_store *s, const tims_entry_ref *entry, tims_crossing *out,
                                 tims_diag *diag)
{
    tims_err err = TIMS_OK;
    int64_t oid;
    pthread_mutex_lock(&s->r_mu);
    int rc = r_origin_id(s, entry->origin, &oid);
    if (rc != SQLITE_OK)
        goto sqlfail;
    if ((rc = prep(s->rdb, &s->r_crossing, "SELECT " CROSSING_COLS " FROM main.crossings"
                   " WHERE entry = ?1 AND void = 0")) != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_int64(s->r_crossing, 1, oid ? STORE_ID(oid, entry->seq) : -1);
    rc = sqlite3_step(s->r_crossing);
    if (rc == SQLITE_ROW) {
        row_to_crossing(s->r_crossing, out);
        memcpy(out->entry.origin, entry->origin, TIMS_PUBKEY_LEN);
    } else if (rc == SQLITE_DONE) {
        err = tims_diag_set(diag, TIMS_ENOENT, "no current crossing at seq %llu of that origin "
                            "(absent, annulled or redacted)", (unsigned long long)entry->seq);
    } else {
        goto sqlfail;
    }
    goto done;
sqlfail:
    err = sql_fail(s, s->rdb, rc, diag, "reading a crossing");
done:
    if (s->r_crossing)
        finish(s->r_crossing);
    pthread_mutex_unlock(&s->r_mu);
    return err;
}

/* ---- crossings, corrections, redactions ---------------------------------------------- */

tims_err tims_store_record_crossing(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                    const tims_crossing *c, tims_entry_ref *out,
                                    tims_diag *diag)
{
    tims_buf body = {0};
    tims_err err = tims_crossing_to_body(c, &body, diag);
    if (err == TIMS_OK)
        err = tims_store_append(s, kp, time_us, TIMS_KIND_CROSSING, body.data, body.len, out,
                                diag);
    tims_buf_free(&body);
    return err;
}

tims_err tims_store_record_correction(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                      const tims_entry_ref *target, const tims_crossing *values,
                                      unsigned mask, int void_it, const char *reason,
                                      const char *officer, tims_entry_ref *out,
                                      tims_diag *diag)
{
    tims_entry e;
    tims_buf body = {0};
    tims_err err = tims_store_get_entry(s, target->origin, target->seq, &e, NULL);
    if (err == TIMS_ENOENT)
        return tims_diag_set(diag, TIMS_ENOENT, "correction: no entry seq %llu of that origin "
                             "to correct", (unsigned long long)target->seq);
    if (err != TIMS_OK)
        return tims_diag_set(diag, err, "correction: cannot read the entry to correct");
    int kind = e.kind, redacted = e.redacted;
    tims_entry_clear(&e);
    if (kind != TIMS_KIND_CROSSING)
        return tims_diag_set(diag, TIMS_EINVAL, "correction: entry seq %llu is a %s, not a "
                             "crossing", (unsigned long long)target->seq,
                             tims_entry_kind_name(kind));
    if (redacted)
        return tims_diag_set(diag, TIMS_EINVAL, "correction: crossing seq %llu is redacted",
                             (unsigned long long)target->seq);
    err = tims_correction_to_body(target, values, mask, void_it, reason, officer, &body, diag);
    if (err == TIMS_OK)
        err = tims_store_append(s, kp, time_us, TIMS_KIND_CORRECTION, body.data, body.len, out,
                                diag);
    tims_buf_free(&body);
    return err;
}

tims_err tims_store_redact(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           const tims_entry_ref *targets, size_t n, const char *reason,
                           tims_entry_ref *out, tims_diag *diag)
{
    if (n == 0 || !targets)
        return tims_diag_set(diag, TIMS_EINVAL, "redaction: no entries named");
    if (!reason || !*reason || strlen(reason) > 255)
        return tims_diag_set(diag, TIMS_EINVAL, "redaction: a reason of 1 to 255 bytes is "
                             "required");
    tims_buf body = {0};
    tims_err err = TIMS_OK;
    for (size_t i = 0; i < n; i++) {
        tims_entry e;
        err = tims_store_get_entry(s, targets[i].origin, targets[i].seq, &e, NULL);
        if (err != TIMS_OK) {
            err = tims_diag_set(diag, err == TIMS_ENOENT ? TIMS_ENOENT : err,
                                "redaction: entry %zu (seq %llu) is not in the store", i + 1,
                                (unsigned long long)targets[i].seq);
            goto done;
        }
        int kind = e.kind;
        tims_entry_clear(&e);
        if (kind == TIMS_KIND_REDACTION) {
            err = tims_diag_set(diag, TIMS_EINVAL, "redaction: entry %zu (seq %llu) is a "
                                "redaction, which cannot be redacted", i + 1,
                                (unsigned long long)targets[i].seq);
            goto done;
        }
    }
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    if ((err = tims_buf_puts(&body, "{\"targets\":[")) != TIMS_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        tims_hex(targets[i].origin, TIMS_PUBKEY_LEN, hex);
        if ((err = tims_buf_printf(&body, "%s{\"origin\":\"%s\",\"seq\":%llu}", i ? "," : "",
                                   hex, (unsigned long long)targets[i].seq)) != TIMS_OK)
            goto done;
    }
    if ((err = tims_buf_puts(&body, "],\"reason\":")) != TIMS_OK)
        goto done;
    json_t *r = json_string(reason);
    char *rtext = r ? json_dumps(r, JSON_ENCODE_ANY) : NULL;
    json_decref(r);
    if (!rtext) {
        err = tims_diag_set(diag, TIMS_EINVAL, "redaction: the reason is not valid UTF-8");
        goto done;
    }
    err = tims_buf_puts(&body, rtext);
    free(rtext);
    if (err == TIMS_OK && (err = tims_buf_putc(&body, '}')) == TIMS_OK)
        err = tims_store_append(s, kp, time_us, TIMS_KIND_REDACTION, body.data, body.len, out,
                                diag);
done:
    tims_buf_free(&body);
    return err;
}

/* ---- reindex and verify -------------------------------------------------------------- */

static tims_err set_fail(tims_verify_fail *f, tims_verify_problem p, const uint8_t *origin,
                         uint64_t seq, const char *detail)
{
    f->problem = p;
    if (origin)
        memcpy(f->origin, origin, TIMS_PUBKEY_LEN);
    else
        memset(f->origin, 0, TIMS_PUBKEY_LEN);
    f->seq = seq;
    snprintf(f->detail, sizeof f->detail, "%.*s", (int)sizeof f->detail - 1, detail);
    return TIMS_ETAMPER;
}

/* rebuild - derive every journal entry's rows into schema sc (tables must be empty). */
static tims_err rebuild(tims_store *s, int sc, uint64_t *count, tims_verify_fail *fail,
                        tims_diag *diag)
{
    sqlite3_stmt *st;
    tims_err err = TIMS_OK;
    uint64_t n = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, time, kind, body FROM main.journal ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "reading the journal");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        if (sqlite3_column_type(st, 3) == SQLITE_NULL)
            continue;
        int64_t id = sqlite3_column_int64(st, 0);
        store_derived d;
        tims_diag dd;
        const void *body = sqlite3_column_blob(st, 3);
        err = store_derive(sqlite3_column_int(st, 2), body ? body : "",
                           (size_t)sqlite3_column_bytes(st, 3), &d, &dd);
        if (err != TIMS_OK) {
            uint8_t pk[TIMS_PUBKEY_LEN] = {0};
            sqlite3_stmt *p;
            if (sqlite3_prepare_v2(s->db, "SELECT pk FROM main.origins WHERE id = ?1", -1, &p,
                                   NULL) == SQLITE_OK) {
                sqlite3_bind_int64(p, 1, STORE_ID_ORIGIN(id));
                if (sqlite3_step(p) == SQLITE_ROW && sqlite3_column_bytes(p, 0) == TIMS_PUBKEY_LEN)
                    memcpy(pk, sqlite3_column_blob(p, 0), TIMS_PUBKEY_LEN);
                sqlite3_finalize(p);
            }
            char hex[2 * TIMS_PUBKEY_LEN + 1];
            tims_hex(pk, TIMS_PUBKEY_LEN, hex);
            err = tims_diag_set(diag, TIMS_EDATA, "origin %s seq %llu: the body cannot be "
                                "derived: %s", hex, (unsigned long long)STORE_ID_SEQ(id),
                                dd.text);
            if (fail)
                set_fail(fail, TIMS_VP_DERIVED, pk, STORE_ID_SEQ(id), dd.text);
            break;
        }
        err = apply_derived(s, sc, id, sqlite3_column_int64(st, 1), &d, 0, diag);
        store_derived_clear(&d);
        if (err != TIMS_OK)
            break;
    }
    if (err == TIMS_OK && rc != SQLITE_DONE)
        err = sql_fail(s, s->db, rc, diag, "reading the journal");
    sqlite3_finalize(st);
    if (count)
        *count = n;
    return err;
}

tims_err tims_store_reindex(tims_store *s, uint64_t *entries, tims_diag *diag)
{
    if (entries)
        *entries = 0;
    if (s->flags & TIMS_STORE_READONLY)
        return tims_diag_set(diag, TIMS_EACCES, "database %s is open read-only", s->path);
    tims_err err = TIMS_OK;
    pthread_mutex_lock(&s->seq_mu);
    pthread_mutex_lock(&s->w_mu);
    int rc = exec(s->db, "BEGIN IMMEDIATE");
    for (size_t i = 0; rc == SQLITE_OK && i < TIMS_ARRAY_LEN(derived_tables); i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "DELETE FROM main.%s", derived_tables[i]);
        rc = exec(s->db, sql);
    }
    if (rc != SQLITE_OK)
        err = sql_fail(s, s->db, rc, diag, "clearing the derived tables");
    if (err == TIMS_OK)
        err = rebuild(s, SCHEMA_MAIN, entries, NULL, diag);
    if (err == TIMS_OK && (rc = exec(s->db, "COMMIT")) != SQLITE_OK)
        err = sql_fail(s, s->db, rc, diag, "committing the rebuilt tables");
    if (err != TIMS_OK)
        exec(s->db, "ROLLBACK");
    pthread_mutex_unlock(&s->w_mu);
    pthread_mutex_unlock(&s->seq_mu);
    return err;
}

/* verify_chains - one ordered scan of the journal: every chain, the redaction rule. */
static tims_err verify_chains(tims_store *s, unsigned flags, tims_verify_report *rep,
                              tims_diag *diag)
{
    sqlite3_stmt *st = NULL, *pk_st = NULL;
    tims_err err = TIMS_OK;
    int64_t cur = -1;
    tims_chain c;
    tims_entry e;
    memset(&e, 0, sizeof e);
    memset(&c, 0, sizeof c);
    int rc = sqlite3_prepare_v2(s->db, "SELECT " ENTRY_COLS " FROM main.journal ORDER BY id", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "SELECT pk FROM main.origins WHERE id = ?1", -1, &pk_st,
                                NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (STORE_ID_ORIGIN(id) != cur) {
            if (cur >= 0 && (err = tims_chain_finish(&c, &rep->fail)) != TIMS_OK)
                goto done;
            cur = STORE_ID_ORIGIN(id);
            sqlite3_bind_int64(pk_st, 1, cur);
            int ok = sqlite3_step(pk_st) == SQLITE_ROW &&
                     sqlite3_column_bytes(pk_st, 0) == TIMS_PUBKEY_LEN;
            if (ok)
                memcpy(e.origin, sqlite3_column_blob(pk_st, 0), TIMS_PUBKEY_LEN);
            finish(pk_st);
            if (!ok) {
                err = set_fail(&rep->fail, TIMS_VP_HASH, NULL, STORE_ID_SEQ(id),
                               "entries of an origin that is missing from the origins table");
                goto done;
            }
            tims_chain_begin(&c, e.origin, 0, NULL, flags & TIMS_VERIFY_STRICT);
            rep->origins++;
        }
        if (!row_to_entry(st, &e)) {
            err = set_fail(&rep->fail, TIMS_VP_HASH, e.origin, e.seq,
                           "body_hash, hash or sig has the wrong length");
            goto done;
        }
        memcpy(e.prev, c.last_hash, TIMS_HASH_LEN); /* prev is implied by the previous row */
        if ((err = tims_chain_step(&c, &e, &rep->fail)) != TIMS_OK)
            goto done;
        if (e.redacted) {
            int named;
            if ((rc = is_redacted_target(s, id, &named)) != SQLITE_OK)
                goto sqlfail;
            if (!named) {
                err = set_fail(&rep->fail, TIMS_VP_REDACTION, e.origin, e.seq,
                               "the body is missing but no redaction entry names this entry");
                goto done;
            }
            rep->redacted++;
        }
        rep->entries++;
    }
    if (rc != SQLITE_DONE)
        goto sqlfail;
    if (cur >= 0 && (err = tims_chain_finish(&c, &rep->fail)) != TIMS_OK)
        goto done;
    rep->signatures = (flags & TIMS_VERIFY_STRICT) ? rep->entries : rep->origins;
    goto done;
sqlfail:
    err = sql_fail(s, s->db, rc, diag, "reading the journal");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(pk_st);
    return err;
}

static tims_err verify_equivocations(tims_store *s, tims_verify_report *rep, tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT o.pk, e.seq FROM main.equivocations e"
                                " JOIN main.origins o ON o.id = e.origin ORDER BY e.origin, e.seq"
                                " LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(s, s->db, rc, diag, "reading equivocations");
    tims_err err = TIMS_OK;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        err = set_fail(&rep->fail, TIMS_VP_EQUIVOCATION, sqlite3_column_blob(st, 0),
                       (uint64_t)sqlite3_column_int64(st, 1),
                       "the origin signed two different entries with this seq (forked or "
                       "stolen key); it is blocked until an operator decides");
    else if (rc != SQLITE_DONE)
        err = sql_fail(s, s->db, rc, diag, "reading equivocations");
    sqlite3_finalize(st);
    return err;
}

/* verify_derived - rebuild the derived tables into temp tables and compare row for row. */
static tims_err verify_derived(tims_store *s, tims_verify_report *rep, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    int rc = exec_schema(s->db, derived_schema, "temp");
    if (rc != SQLITE_OK) {
        err = sql_fail(s, s->db, rc, diag, "creating scratch tables");
        goto done;
    }
    if ((err = rebuild(s, SCHEMA_TEMP, NULL, &rep->fail, diag)) != TIMS_OK) {
        if (rep->fail.problem != TIMS_VP_NONE)
            err = TIMS_ETAMPER;
        goto done;
    }
    for (size_t i = 0; i < TIMS_ARRAY_LEN(derived_tables); i++) {
        char sql[512];
        const char *t = derived_tables[i], *col = derived_entry_col[i];
        snprintf(sql, sizeof sql,
                 "SELECT x, w FROM (SELECT %s AS x, 'changed or added' AS w FROM (SELECT * FROM"
                 " main.%s EXCEPT SELECT * FROM temp.%s) UNION ALL SELECT %s, 'missing or"
                 " changed' FROM (SELECT * FROM temp.%s EXCEPT SELECT * FROM main.%s))"
                 " ORDER BY x LIMIT 1", col, t, t, col, t, t);
        sqlite3_stmt *st;
        if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK) {
            err = sql_fail(s, s->db, rc, diag, "comparing the derived tables");
            goto done;
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            int64_t x = sqlite3_column_int64(st, 0);
            char detail[200];
            snprintf(detail, sizeof detail, "table %s: the row of this entry is %s compared "
                     "with what the journal implies", t, (const char *)sqlite3_column_text(st, 1));
            uint8_t pk[TIMS_PUBKEY_LEN];
            pthread_mutex_lock(&s->r_mu);
            r_origin_pk(s, STORE_ID_ORIGIN(x), pk);
            pthread_mutex_unlock(&s->r_mu);
            err = set_fail(&rep->fail, TIMS_VP_DERIVED, pk, STORE_ID_SEQ(x), detail);
        } else if (rc != SQLITE_DONE) {
            err = sql_fail(s, s->db, rc, diag, "comparing the derived tables");
        }
        sqlite3_finalize(st);
        if (err != TIMS_OK)
            goto done;
    }
    rep->derived_ok = 1;
done:
    finalize_temp(s);
    for (size_t i = 0; i < TIMS_ARRAY_LEN(derived_tables); i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", derived_tables[i]);
        exec(s->db, sql);
    }
    return err;
}

tims_err tims_store_verify(tims_store *s, unsigned flags, tims_verify_report *rep,
                           tims_diag *diag)
{
    memset(rep, 0, sizeof *rep);
    pthread_mutex_lock(&s->seq_mu);
    pthread_mutex_lock(&s->w_mu);
    /* One read transaction: the journal and the derived tables are seen at one instant. */
    int rc = exec(s->db, "BEGIN");
    tims_err err = rc == SQLITE_OK ? TIMS_OK : sql_fail(s, s->db, rc, diag, "starting to read");
    if (err == TIMS_OK)
        err = verify_chains(s, flags, rep, diag);
    if (err == TIMS_OK)
        err = verify_equivocations(s, rep, diag);
    if (err == TIMS_OK && !(flags & TIMS_VERIFY_CHAINS_ONLY))
        err = verify_derived(s, rep, diag);
    exec(s->db, "ROLLBACK");
    pthread_mutex_unlock(&s->w_mu);
    pthread_mutex_unlock(&s->seq_mu);
    if (err == TIMS_ETAMPER && diag) {
        char hex[2 * TIMS_PUBKEY_LEN + 1];
        tims_hex(rep->fail.origin, TIMS_PUBKEY_LEN, hex);
        tims_diag_set(diag, TIMS_ETAMPER, "origin %s seq %llu: %s: %s", hex,
                      (unsigned long long)rep->fail.seq,
                      tims_verify_problem_text(rep->fail.problem), rep->fail.detail);
    }
    return err;
}

/* ---- import and equivocation --------------------------------------------------------- */

/* record_equivocation - keep a validly signed rival entry as evidence and block its origin. */
static tims_err record_equivocation(tims_store *s, int64_t oid, const tims_entry *e,
                                    tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = exec(s->db, "BEGIN IMMEDIATE");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO main.equivocations VALUES(?1,?2,?3,"
                                "?4,?5,?6,?7,?8,?9)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, oid);
        sqlite3_bind_int64(st, 2, (int64_t)e->seq);
        sqlite3_bind_int64(st, 3, e->time_us);
        sqlite3_bind_int(st, 4, e->kind);
        if (e->redacted)
            sqlite3_bind_null(st, 5);
        else
            sqlite3_bind_blob(st, 5, e->body ? (const void *)e->body : "", (int)e->body_len,
                              SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, e->body_hash, TIMS_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 7, e->prev, TIMS_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 8, e->hash, TIMS_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 9, e->sig, TIMS_SIG_LEN, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_OK) {
        char sql[80];
        snprintf(sql, sizeof sql, "UPDATE main.origins SET blocked = 1 WHERE id = %lld",
                 (long long)oid);
        rc = exec(s->db, sql);
    }
    if (rc == SQLITE_OK)
        rc = exec(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        tims_err err = sql_fail(s, s->db, rc, diag, "recording equivocation evidence");
        exec(s->db, "ROLLBACK");
        return err;
    }
    return TIMS_OK;
}

static int stored_hash(tims_store *s, int64_t id, uint8_t hash[TIMS_HASH_LEN], int *found)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT hash FROM main.journal WHERE id = ?1", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == TIMS_HASH_LEN;
    if (*found)
        memcpy(hash, sqlite3_column_blob(st, 0), TIMS_HASH_LEN);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

tims_err tims_store_import(tims_store *s, const tims_entry *entries, size_t n,
                           tims_verify_fail *fail, tims_diag *diag)
{
    tims_verify_fail local;
    if (!fail)
        fail = &local;
    memset(fail, 0, sizeof *fail);
    if (s->flags & TIMS_STORE_READONLY)
        return tims_diag_set(diag, TIMS_EACCES, "database %s is open read-only; nothing was "
                             "written", s->path);
    if (n == 0)
        return TIMS_OK;
    tims_err err = TIMS_OK;
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    store_derived *ds = tims_calloc(n, sizeof *ds);
    if (!ds)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory for %zu entries", n);
    for (size_t i = 0; i < n; i++) {
        const tims_entry *e = &entries[i];
        tims_diag dd;
        if (e->redacted || !tims_entry_kind_name(e->kind))
            continue; /* an unknown kind fails the chain check below */
        if (store_derive(e->kind, e->body ? (const void *)e->body : "", e->body_len, &ds[i],
                         &dd) != TIMS_OK) {
            tims_hex(e->origin, TIMS_PUBKEY_LEN, hex);
            err = tims_diag_set(diag, TIMS_EDATA, "origin %s seq %llu: %s; nothing was imported",
                                hex, (unsigned long long)e->seq, dd.text);
            goto out;
        }
    }
    pthread_mutex_lock(&s->seq_mu);
    pthread_mutex_lock(&s->w_mu);
    const tims_entry *rival = NULL;
    int64_t rival_oid = 0;
    int rc = exec(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        err = sql_fail(s, s->db, rc, diag, "starting an import");
        goto unlock;
    }
    for (size_t i = 0; i < n && err == TIMS_OK;) {
        size_t j = i;
        while (j < n && memcmp(entries[j].origin, entries[i].origin, TIMS_PUBKEY_LEN) == 0)
            j++;
        int64_t oid;
        uint64_t head;
        uint8_t head_hash[TIMS_HASH_LEN];
        origin_slot *o = find_slot(s, entries[i].origin);
        if (o && o->blocked) {
            err = set_fail(fail, TIMS_VP_EQUIVOCATION, entries[i].origin, entries[i].seq,
                           "the origin is blocked after equivocation");
            break;
        }
        if ((rc = origin_id(s, entries[i].origin, 1, &oid)) != SQLITE_OK ||
            (rc = db_head(s->db, oid, &head, head_hash)) != SQLITE_OK) {
            err = sql_fail(s, s->db, rc, diag, "reading a chain head");
            break;
        }
        tims_chain c;
        tims_chain_begin(&c, entries[i].origin, head, head ? head_hash : NULL,
                         TIMS_VERIFY_STRICT);
        for (size_t k = i; k < j && err == TIMS_OK; k++) {
            const tims_entry *e = &entries[k];
            if (e->seq >= 1 && e->seq <= head) {
                uint8_t h[TIMS_HASH_LEN];
                int found;
                if ((rc = stored_hash(s, STORE_ID(oid, e->seq), h, &found)) != SQLITE_OK) {
                    err = sql_fail(s, s->db, rc, diag, "reading a stored entry");
                    break;
                }
                if (found && memcmp(h, e->hash, TIMS_HASH_LEN) == 0) {
                    tims_chain_begin(&c, e->origin, e->seq, e->hash, TIMS_VERIFY_STRICT);
                    continue; /* a repeat: harmless */
                }
                tims_chain own;
                tims_chain_begin(&own, e->origin, e->seq - 1, e->prev, TIMS_VERIFY_STRICT);
                if ((err = tims_chain_step(&own, e, fail)) != TIMS_OK)
                    break;
                rival = e;
                rival_oid = oid;
                err = set_fail(fail, TIMS_VP_EQUIVOCATION, e->origin, e->seq,
                               "a validly signed entry differs from the stored entry with this "
                               "seq: the origin's key is forked or stolen; it is now blocked");
                break;
            }
            if ((err = tims_chain_step(&c, e, fail)) != TIMS_OK)
                break;
            err = write_entry(s, oid, e, &ds[k], diag);
        }
        i = j;
    }
    if (err == TIMS_OK && (rc = exec(s->db, "COMMIT")) != SQLITE_OK)
        err = sql_fail(s, s->db, rc, diag, "committing an import");
    if (err != TIMS_OK)
        exec(s->db, "ROLLBACK");
    if (rival) {
        tims_diag ed;
        if (record_equivocation(s, rival_oid, rival, &ed) != TIMS_OK)
            snprintf(fail->detail, sizeof fail->detail, "equivocation found but its evidence "
                     "could not be stored: %.150s", ed.text);
    }
    tims_diag ld;
    load_origins(s, &ld);
unlock:
    pthread_mutex_unlock(&s->w_mu);
    pthread_mutex_unlock(&s->seq_mu);
    if (err == TIMS_ETAMPER && diag) {
        tims_hex(fail->origin, TIMS_PUBKEY_LEN, hex);
        tims_diag_set(diag, TIMS_ETAMPER, "origin %s seq %llu: %s: %s; nothing was imported", hex,
                      (unsigned long long)fail->seq, tims_verify_problem_text(fail->problem),
                      fail->detail);
    }
out:
    for (size_t i = 0; i < n; i++)
        store_derived_clear(&ds[i]);
    tims_free(ds);
    return err;
}

tims_err tims_store_corrections_of(tims_store *s, const tims_entry_ref *target,
                                   tims_entry **out, size_t *count, tims_diag *diag)
{
    *out = NULL;
    *count = 0;
    tims_err err = TIMS_OK;
    int64_t oid, *ids = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->r_mu);
    int rc = r_origin_id(s, target->origin, &oid);
    if (rc == SQLITE_OK && oid)
        rc = sqlite3_prepare_v2(s->rdb, "SELECT entry FROM main.corrections WHERE target = ?1"
                                " ORDER BY time, entry", -1, &st, NULL);
    if (rc == SQLITE_OK && st) {
        sqlite3_bind_int64(st, 1, STORE_ID(oid, target->seq));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (n == cap) {
                cap = cap ? 2 * cap : 4;
                int64_t *a = tims_realloc(ids, cap * sizeof *a);
                if (!a) {
                    err = TIMS_ENOMEM;
                    break;
                }
                ids = a;
            }
            ids[n++] = sqlite3_column_int64(st, 0);
        }
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    tims_entry *arr = NULL;
    size_t got = 0;
    if (err == TIMS_OK && rc != SQLITE_OK)
        err = sql_fail(s, s->rdb, rc, diag, "reading corrections");
    if (err == TIMS_OK && n && !(arr = tims_calloc(n, sizeof *arr)))
        err = TIMS_ENOMEM;
    for (size_t i = 0; err == TIMS_OK && i < n; i++) {
        uint8_t pk[TIMS_PUBKEY_LEN];
        if ((rc = r_origin_pk(s, STORE_ID_ORIGIN(ids[i]), pk)) != SQLITE_OK) {
            err = sql_fail(s, s->rdb, rc, diag, "reading corrections");
            break;
        }
        err = tims_store_get_entry(s, pk, STORE_ID_SEQ(ids[i]), &arr[got], diag);
        if (err == TIMS_OK && arr[got].redacted)
            tims_entry_clear(&arr[got]);
        else if (err == TIMS_OK)
            got++;
    }
    pthread_mutex_unlock(&s->r_mu);
    tims_free(ids);
    if (err != TIMS_OK || got == 0) {
        for (size_t i = 0; i < got; i++)
            tims_entry_clear(&arr[i]);
        tims_free(arr);
        return err;
    }
    *out = arr;
    *count = got;
    return TIMS_OK;
}
