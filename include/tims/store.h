/* store.h - the one storage interface: the journal plus the tables derived from it.
 *
 * A store lives in a node's data folder (one SQLite file, TIMS_STORE_DB_FILE, in WAL mode; a
 * PostgreSQL backend can be added behind the same functions). It holds every origin's journal
 * and the derived tables (crossings with a travellers view, corrections, lists, redactions,
 * chain heads) computed from the journal alone: writing an entry and its derived rows is one
 * transaction, and a function returns success only after that transaction is durable.
 * tims_store_reindex() rebuilds every derived table from the journal; tims_store_verify()
 * checks chains, signatures and that the derived tables are exactly what the journal implies.
 *
 * Threads: one tims_store may be used by many threads at once. Concurrent appends are batched
 * into one transaction and one fsync (group commit); each caller still returns only after its
 * own entry is durable, and each origin's seqs stay gapless and in call order.
 *
 * Ownership: a tims_store is freed with tims_store_close (safe on NULL, after all threads are
 * done with it). Arrays returned through `**out` parameters are owned by the caller and freed
 * with tims_free. Entries passed to callbacks are borrowed for the duration of the call.
 * Nothing here prints, exits, or reads the clock: times are arguments. */
#ifndef TIMS_STORE_H
#define TIMS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"
#include "tims/journal.h"

#define TIMS_STORE_DB_FILE        "tims.db" /* the database file inside the data folder */
#define TIMS_STORE_SCHEMA_VERSION 2         /* the newest schema this build knows */

typedef struct tims_store tims_store;

typedef enum tims_store_backend {
    TIMS_STORE_SQLITE = 1
    /* TIMS_STORE_POSTGRES later */
} tims_store_backend;

/* Flags for tims_store_open. */
#define TIMS_STORE_READONLY 1u /* open without write access (verify, reports) */

/* tims_store_create - create a new, empty store in dir (the folder is created if missing,
 * mode 0700). TIMS_EEXIST when a database is already there (nothing changed). */
tims_err tims_store_create(const char *dir, tims_store **out, tims_diag *diag);

/* tims_store_open - open the store in dir, migrating an older schema forward.
 * TIMS_ENOENT: no database in dir (run `tims init`); TIMS_ESCHEMA: the database is newer than
 * this build (nothing changed); TIMS_EACCES: read-only folder or file and not READONLY. */
tims_err tims_store_open(const char *dir, unsigned flags, tims_store **out, tims_diag *diag);

/* tims_store_close - finish and free; safe on NULL. */
void tims_store_close(tims_store *s);

/* tims_store_backend_of - which backend serves s. */
tims_store_backend tims_store_backend_of(const tims_store *s);

/* tims_store_schema_version - the schema version of the open database. */
int tims_store_schema_version(const tims_store *s);

/* ---- writing ------------------------------------------------------------------------- */

/* tims_store_append - sign a new entry of kp's chain (next seq after the stored head) with
 * the given time, kind and body (compact JSON, stored byte for byte), write it and its derived
 * rows in one transaction, and return once that transaction is durable. out (may be NULL)
 * receives origin, seq and hash. Errors: TIMS_EDATA for a body the kind's derivation rejects
 * (diag says which field), TIMS_ENOSPC (disk or database full), TIMS_EACCES (read-only),
 * TIMS_ETAMPER (the origin is blocked after equivocation), TIMS_EIO. On any error nothing was
 * written and the seq is not used. Thread-safe; concurrent calls share one fsync. */
tims_err tims_store_append(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           tims_entry_kind kind, const void *body, size_t body_len,
                           tims_entry_ref *out, tims_diag *diag);

/* One entry to append: time, kind and body (borrowed for the call). */
typedef struct tims_append_item {
    int64_t time_us;
    tims_entry_kind kind;
    const void *body;
    size_t body_len;
} tims_append_item;

/* tims_store_append_many - append n entries of kp's chain in order, in one transaction (all or
 * none); out (may be NULL) receives n references. Same errors as tims_store_append; the diag
 * names the item (1-based) whose body was rejected. */
tims_err tims_store_append_many(tims_store *s, const tims_keypair *kp,
                                const tims_append_item *items, size_t n, tims_entry_ref *out,
                                tims_diag *diag);

/* tims_store_limit_pages - cap the database at max_pages pages (SQLite max_page_count) for
 * this open store: writing beyond fails with TIMS_ENOSPC and writes nothing. Operators can
 * keep a disk from filling; tests use it to simulate a full disk. */
tims_err tims_store_limit_pages(tims_store *s, uint64_t max_pages);

/* tims_store_stats - appended entries and the transactions (fsyncs) they took since open. */
void tims_store_stats(tims_store *s, uint64_t *commits, uint64_t *entries);

/* tims_store_import - write entries signed by other origins (sync, import): each run of one
 * origin must continue its stored chain (or repeat stored entries exactly, which is harmless)
 * and verify with every signature checked; the whole batch is one transaction. An entry that
 * differs from a stored entry with the same origin and seq is equivocation: both are kept as
 * evidence in the equivocations table, the origin is blocked, and TIMS_ETAMPER is returned
 * (only the evidence is written). Other errors change nothing. */
tims_err tims_store_import(tims_store *s, const tims_entry *entries, size_t n,
                           tims_verify_fail *fail, tims_diag *diag);

/* tims_store_origin_blocked - 1 when origin is blocked after equivocation, 0 when not. */
int tims_store_origin_blocked(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN]);

/* tims_store_redact - append a redaction entry by kp naming targets (with reason, e.g.
 * "retention"), and in the same transaction remove the targets' bodies (body_hash stays) and
 * their derived rows. Redaction entries themselves cannot be redacted (TIMS_EINVAL). */
tims_err tims_store_redact(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           const tims_entry_ref *targets, size_t n, const char *reason,
                           tims_entry_ref *out, tims_diag *diag);

/* ---- reading the journal ------------------------------------------------------------- */

/* tims_store_head - the last seq (0 when none) and its hash (zeros when none) of origin. */
tims_err tims_store_head(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t *seq,
                         uint8_t hash[TIMS_HASH_LEN], tims_diag *diag);

/* tims_store_get_entry - one entry; TIMS_ENOENT when absent. The caller clears *out. */
tims_err tims_store_get_entry(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t seq,
                              tims_entry *out, tims_diag *diag);

/* tims_store_each_entry - call fn for the entries of origin (NULL: every origin, origin by
 * origin) with seq > after_seq, in seq order, at most limit (0: no limit). The entry is
 * borrowed for the call; fn returns non-zero to stop (that value is returned as the error
 * code when it is a tims_err, TIMS_OK otherwise). */
typedef int (*tims_entry_fn)(const tims_entry *e, void *ctx);
tims_err tims_store_each_entry(tims_store *s, const uint8_t *origin, uint64_t after_seq,
                               uint64_t limit, tims_entry_fn fn, void *ctx, tims_diag *diag);

/* tims_store_origins - every origin held, with its head; *out owned by the caller. */
typedef struct tims_origin_head {
    uint8_t origin[TIMS_PUBKEY_LEN];
    uint64_t seq;
    uint8_t hash[TIMS_HASH_LEN];
    int blocked;
} tims_origin_head;
tims_err tims_store_origins(tims_store *s, tims_origin_head **out, size_t *count, tims_diag *diag);

/* ---- crossings: the body format and the derived view --------------------------------- */

typedef enum tims_direction { TIMS_DIR_ENTRY = 1, TIMS_DIR_EXIT = 2 } tims_direction;

/* One crossing. Text fields are NUL-terminated UTF-8; dates are "YYYY-MM-DD" (birth_date may
 * keep unknown parts as "XX", as MRZs do). The document key is (issuing_state, doc_number). */
typedef struct tims_crossing {
    char issuing_state[4]; /* ICAO 9303 code as in the MRZ: "UTO", "D" */
    char doc_number[24];   /* as in the MRZ, without filler '<' */
    char doc_code[4];      /* MRZ document code: "P", "PP", "I", "ID", "V" ... */
    char surname[128];
    char given_names[128];
    char nationality[4];
    char birth_date[11];
    char sex[2]; /* "M", "F", "X" */
    tims_direction direction;
    int64_t time_us; /* when the traveller crossed (UTC microseconds) */
    char bcp[32];    /* border crossing point code */
    char officer[64];
    char vehicle[32];  /* plate or transport number; may be "" */
    char decision[16]; /* "admitted", "refused", "referred" */
    /* Filled by the store when reading the derived view (ignored when writing): */
    tims_entry_ref entry; /* the crossing entry (hash not filled) */
    int corrections;      /* how many corrections were applied */
} tims_crossing;

/* tims_crossing_to_body - the compact JSON body of a crossing entry (fixed key order) into
 * out (appended). TIMS_EINVAL with diag for a field that is missing or malformed. */
tims_err tims_crossing_to_body(const tims_crossing *c, tims_buf *out, tims_diag *diag);

/* tims_crossing_from_body - parse a crossing body (as derivation does); TIMS_EDATA with the
 * field named in diag when it is not a valid crossing. */
tims_err tims_crossing_from_body(const void *body, size_t len, tims_crossing *out, tims_diag *diag);

/* Fields a correction may set (bit mask). */
enum {
    TIMS_CF_ISSUING_STATE = 1u << 0,
    TIMS_CF_DOC_NUMBER = 1u << 1,
    TIMS_CF_DOC_CODE = 1u << 2,
    TIMS_CF_SURNAME = 1u << 3,
    TIMS_CF_GIVEN_NAMES = 1u << 4,
    TIMS_CF_NATIONALITY = 1u << 5,
    TIMS_CF_BIRTH_DATE = 1u << 6,
    TIMS_CF_SEX = 1u << 7,
    TIMS_CF_DIRECTION = 1u << 8,
    TIMS_CF_TIME = 1u << 9,
    TIMS_CF_BCP = 1u << 10,
    TIMS_CF_OFFICER = 1u << 11,
    TIMS_CF_VEHICLE = 1u << 12,
    TIMS_CF_DECISION = 1u << 13
};

/* tims_correction_to_body - the body of a correction of the crossing `target`: the fields in
 * mask take their values from `values`; void_it = 1 annuls the crossing (it leaves the current
 * view); reason and officer are required. Appended to out. */
tims_err tims_correction_to_body(const tims_entry_ref *target, const tims_crossing *values,
                                 unsigned mask, int void_it, const char *reason,
                                 const char *officer, tims_buf *out, tims_diag *diag);

/* tims_store_record_crossing - tims_crossing_to_body + tims_store_append (kind crossing). */
tims_err tims_store_record_crossing(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                    const tims_crossing *c, tims_entry_ref *out, tims_diag *diag);

/* tims_store_record_correction - tims_correction_to_body + tims_store_append (correction).
 * TIMS_ENOENT when the target crossing is not in the store. */
tims_err tims_store_record_correction(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                      const tims_entry_ref *target, const tims_crossing *values,
                                      unsigned mask, int void_it, const char *reason,
                                      const char *officer, tims_entry_ref *out, tims_diag *diag);

/* tims_store_history - the current view (corrections applied, annulled crossings left out) of
 * every crossing with this document key, oldest first (by crossing time, then origin, seq).
 * *out is owned by the caller (tims_free); *count 0 and *out NULL when there are none. */
tims_err tims_store_history(tims_store *s, const char *issuing_state, const char *doc_number,
                            tims_crossing **out, size_t *count, tims_diag *diag);

/* tims_store_get_crossing - the current view of one crossing by its entry; TIMS_ENOENT when
 * absent, annulled or redacted. */
tims_err tims_store_get_crossing(tims_store *s, const tims_entry_ref *entry, tims_crossing *out,
                                 tims_diag *diag);

/* tims_store_corrections_of - the correction entries naming the crossing `target`, in the
 * order they apply (correction time, then entry), found through the corrections index (no
 * journal scan). *out is owned by the caller: tims_entry_clear each, then tims_free the array;
 * *count 0 and *out NULL when there are none. Redacted corrections are left out. */
tims_err tims_store_corrections_of(tims_store *s, const tims_entry_ref *target, tims_entry **out,
                                   size_t *count, tims_diag *diag);

/* ---- checking and rebuilding --------------------------------------------------------- */

typedef struct tims_verify_report {
    uint64_t entries;      /* entries checked */
    uint64_t origins;      /* chains checked */
    uint64_t signatures;   /* signatures checked */
    uint64_t redacted;     /* entries whose body is redacted */
    int derived_ok;        /* 1 when the derived tables are exactly what the journal implies */
    tims_verify_fail fail; /* the first problem found (problem TIMS_VP_NONE when all holds) */
} tims_verify_report;

/* tims_store_verify - recompute every chain (links, body hashes, hashes), check the last
 * signature of each origin (every signature with TIMS_VERIFY_STRICT), check that every
 * body-less entry is named by a redaction entry, and that the derived tables are exactly what
 * the journal implies. TIMS_OK when all holds; TIMS_ETAMPER with rep->fail naming the first
 * bad origin and seq otherwise; other errors when the store cannot be read. Appends through
 * this tims_store wait while it runs (it reads one consistent snapshot); a busy node runs
 * `tims verify` as a separate process, which does not block its writers. */
tims_err tims_store_verify(tims_store *s, unsigned flags, tims_verify_report *rep, tims_diag *diag);

/* tims_store_reindex - rebuild every derived table from the journal alone, in one
 * transaction; *entries (may be NULL) receives how many entries were read. */
tims_err tims_store_reindex(tims_store *s, uint64_t *entries, tims_diag *diag);

#endif
