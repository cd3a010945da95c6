/* sqlite_int.h - what the SQLite store's files share: the store record, the queue of pending
 * appends, the prepared-statement slots, and helpers (all named store_*).
 *
 * sqlite.c opens, creates, migrates and closes; sqlite_derive.c writes entries and the rows
 * derived from them; sqlite_write.c is group commit, appends, redaction and import;
 * sqlite_read.c answers reads on the reader connection; sqlite_check.c is verify and reindex. */
#ifndef TIMS_SQLITE_INT_H
#define TIMS_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "store/store_int.h"

typedef struct origin_slot {
    uint8_t pk[TIMS_PUBKEY_LEN];
    int64_t id;   /* 0: not yet in the origins table */
    uint64_t seq; /* last seq sequenced (durable or queued) */
    uint8_t hash[TIMS_HASH_LEN];
    int blocked;
} origin_slot;

/* A caller's wake-up: its bit of the store's wake_word (sqlite_write.c), pooled and reused. */
typedef struct waiter {
    uint32_t bit;
    struct waiter *next_free; /* (under q_mu) */
    struct waiter *next_all;  /* every waiter, for close */
} waiter;

/* The store's VFS (sqlite_vfs.c): the unix VFS, with a transaction's appends to the log
 * written as one. store_vfs_register registers it once (an SQLite result code). */
#define STORE_VFS_NAME "tims-unix"
int store_vfs_register(void);

/* store_vfs_stats - writes SQLite asked of logs, and writes handed to the unix VFS, by every
 * store of the process so far. */
void store_vfs_stats(uint64_t *writes_seen, uint64_t *writes_made);

/* store_vfs_test_fail_next_flush - tests only: the next buffered write of a log fails with
 * SQLite result code rc instead of being written (SQLITE_OK turns it off); returns the code
 * that was still pending (SQLITE_OK: the last one was used). */
int store_vfs_test_fail_next_flush(int rc);

/* A batch of this many entries or more is written with the bulk page cache (sqlite.c). */
#define STORE_BULK_ENTRIES 2048

/* How many fdatasyncs of the log may run at once (sqlite_write.c). */
#define STORE_SYNC_SLOTS 2

typedef struct pending {
    tims_entry e;
    uint64_t batch; /* the number of the batch it was written in */
    store_derived d;
    tims_err err;
    int done;
    int sig_ready; /* the owner has signed it: the leader may write it */
    waiter *wake;  /* the owner waits here (one per append call, not per entry) */
    tims_diag diag;
    struct pending *next;
} pending;

/* Statements on the writer connection that exist once per schema (main, temp). */
enum {
    ST_INS_CROSSING,
    ST_DEL_CROSSING,
    ST_HAS_CORRECTIONS,
    ST_CORRECTIONS_OF,
    ST_INS_CORRECTION,
    ST_GET_CORRECTION_TARGET,
    ST_DEL_CORRECTION,
    ST_INS_LIST,
    ST_DEL_LIST,
    ST_INS_REDACTION,
    ST_PUT_HEAD,
    ST_COUNT
};

struct tims_store {
    tims_store_backend backend;
    unsigned flags;
    char *path;   /* the database file */
    sqlite3 *db;  /* writer connection (under w_mu) */
    sqlite3 *rdb; /* reader connection (under r_mu) */
    int schema_version;
    pthread_mutex_t seq_mu, w_mu, q_mu, r_mu;
    pending *q_head, *q_tail;
    waiter *free_waiters, *all_waiters; /* (under q_mu) */
    uint32_t nwaiters;                  /* waiters made so far (under q_mu) */
    _Atomic uint32_t wake_word;         /* callers sleep on it, each with its own bit */
    _Atomic uint32_t sleeping;          /* callers in sleep_on (counted under q_mu) */
    int leader_active;                  /* a leader is writing a batch (under q_mu) */
    uint64_t written;                   /* batches written to the log so far (under q_mu) */
    pending *w_head, *w_tail; /* written, not yet acknowledged, in batch order (under q_mu) */
    int unsynced;             /* written batches whose sync has not started (under q_mu) */
    int slot_busy[STORE_SYNC_SLOTS]; /* an fdatasync runs in this slot (under q_mu) */
    waiter *slot_waiter;             /* the leader waiting for a free slot, or NULL (under q_mu) */
    int wal_fd[STORE_SYNC_SLOTS];    /* each slot's descriptor of the log, or -1 */
    tims_err broken;                 /* the log could not be made durable: no more writes (q_mu) */
    char broken_why[320];            /* why (under q_mu) */
    int test_sync_errno;             /* store_test_fail_sync (under q_mu) */
    store_sync_hook test_sync_hook;  /* store_test_sync_hook (under q_mu) */
    void *test_sync_arg;
    origin_slot *origins;
    size_t norigins, corigins;
    sqlite3_stmt *st[2][ST_COUNT]; /* [0] main, [1] temp */
    sqlite3_stmt *ins_journal, *get_body, *redacted_by, *null_body, *ins_origin, *sel_origin;
    sqlite3_stmt *r_history, *r_crossing;
    sqlite3_stmt *begin, *commit;     /* group commit's transaction, prepared once */
    sqlite3_stmt *sync_off, *sync_on; /* synchronous=NORMAL / FULL around it */
    int bulk_sign_last_only;          /* bench only: see store_int.h */
    uint64_t commits, committed;      /* group commit counters (under w_mu) */
    int64_t max_target; /* highest entry id a stored correction or redaction names (w_mu) */
    int cache_kib, bulk_cache_kib; /* the writer's page cache now, and for bulk work (w_mu) */
};

enum { SCHEMA_MAIN = 0, SCHEMA_TEMP = 1 };

#define ENTRY_COLS "id, time, kind, body, body_hash, hash, sig"

/* The derived tables' schema ('@' stands for main or temp), names, and entry-naming columns. */
extern const char store_derived_schema[];
extern const char store_heads_fill[];
extern const char *const store_derived_tables[5];
extern const char *const store_derived_entry_col[5];

tims_err store_sql_fail(tims_store *s, sqlite3 *db, int rc, tims_diag *diag, const char *doing);
int store_exec(sqlite3 *db, const char *sql);
char *store_with_schema(const char *tmpl, const char *schema);
int store_exec_schema(sqlite3 *db, const char *tmpl, const char *schema);
int store_derived_stmt(tims_store *s, int sc, int which, sqlite3_stmt **out);
int store_prep(sqlite3 *db, sqlite3_stmt **slot, const char *sql);
void store_finish(sqlite3_stmt *st);
int store_step_done(sqlite3_stmt *st);
void store_finalize_temp(tims_store *s);
origin_slot *store_find_slot(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN]);
origin_slot *store_add_slot(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN]);
int store_db_head(sqlite3 *db, int64_t id, uint64_t *seq, uint8_t hash[TIMS_HASH_LEN]);
tims_err store_load_origins(tims_store *s, tims_diag *diag);
int store_origin_id(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN], int create, int64_t *id);
int store_read_body(tims_store *s, int64_t id, int *found, int *kind, int64_t *time, int *redacted,
                    tims_buf *body);
tims_err store_apply_derived(tims_store *s, int sc, int64_t id, int64_t time,
                             const store_derived *d, int live, tims_diag *diag);
int store_is_redacted_target(tims_store *s, int64_t id, int *out);
int store_put_head(tims_store *s, int sc, int64_t id, const uint8_t hash[TIMS_HASH_LEN]);
tims_err store_write_entry(tims_store *s, int64_t oid, const tims_entry *e, const store_derived *d,
                           tims_diag *diag);
uint8_t *store_memdup(const void *p, size_t n);
int store_r_origin_id(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN], int64_t *id);
int store_r_origin_pk(tims_store *s, int64_t id, uint8_t pk[TIMS_PUBKEY_LEN]);
int store_row_to_entry(sqlite3_stmt *st, tims_entry *e);
tims_err store_set_fail(tims_verify_fail *f, tims_verify_problem p, const uint8_t *origin,
                        uint64_t seq, const char *detail);

void store_free_waiters(tims_store *s);
void store_bulk_cache(tims_store *s, int bulk);
tims_err store_open_sync_slots(tims_store *s, tims_diag *diag);

#endif
