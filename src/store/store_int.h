/* store_int.h - what the store's files share: derived rows computed from an entry body.
 *
 * store_derive() is the single place that turns an entry (kind + body) into the rows of the
 * derived tables; it is used when an entry is written and again by reindex and verify, so the
 * derived tables are always a function of the journal alone. It reads nothing but its
 * arguments. A store_derived owns its redaction target array (store_derived_clear frees it). */
#ifndef TIMS_STORE_INT_H
#define TIMS_STORE_INT_H

#include "tims/store.h"

typedef struct store_derived {
    int kind;               /* the entry kind this was derived from */
    tims_crossing crossing; /* crossing: its fields; correction: the values it sets */
    /* correction */
    tims_entry_ref target; /* hash not used */
    unsigned mask;         /* TIMS_CF_* fields set */
    int void_it;
    char reason[256];
    char officer[64];
    /* list_release, list_put, list_del */
    char list[64];
    char item[128]; /* list_put / list_del: the item id; list_release: version */
    /* redaction */
    tims_entry_ref *targets;
    size_t ntargets;
} store_derived;

/* store_derive - parse and check a body of the given kind; kinds without derived rows only
 * need to be a JSON object. TIMS_EDATA with the field named in diag when it is not valid. */
tims_err store_derive(int kind, const void *body, size_t len, store_derived *out, tims_diag *diag);
void store_derived_clear(store_derived *d);

/* store_derive_crossing - what store_derive returns for the body tims_crossing_to_body wrote
 * from c (call it only after that succeeded), without parsing the body again. */
void store_derive_crossing(const tims_crossing *c, store_derived *out);

/* store_apply_correction - apply the values of a correction (d->mask) to c; void is separate. */
void store_apply_correction(tims_crossing *c, const store_derived *d);

/* Entry ids in the SQLite journal table: origin id (origins table) in the high bits, seq low. */
#define STORE_SEQ_BITS           40
#define STORE_SEQ_BITS_SQL       "40" /* the same, for SQL text */
#define STORE_SEQ_MAX            ((UINT64_C(1) << STORE_SEQ_BITS) - 1)
#define STORE_ID(origin_id, seq) (((int64_t)(origin_id) << STORE_SEQ_BITS) | (int64_t)(seq))
#define STORE_ID_ORIGIN(id)      ((int64_t)(id) >> STORE_SEQ_BITS)
#define STORE_ID_SEQ(id)         ((uint64_t)(id)&STORE_SEQ_MAX)

/* store_bench_sign_last_only - benchmarks only: tims_store_append_many then signs just the
 * last entry of each call (hashes and chain links are still exact), so a store of millions of
 * entries can be built quickly. Such a store passes chain verification, not strict. */
void store_bench_sign_last_only(tims_store *s, int on);

/* store_test_fail_sync - tests only: the next fdatasync of the log reports error errnum
 * instead of syncing (0 turns it off), as a failing disk would. */
void store_test_fail_sync(tims_store *s, int errnum);

/* store_test_sync_hook - tests only: each sync of a batch calls fn(arg, slot, batch) instead of
 * fdatasync and takes its return as the errno (0: success); NULL turns it off. */
typedef int (*store_sync_hook)(void *arg, int slot, uint64_t batch);
void store_test_sync_hook(tims_store *s, store_sync_hook fn, void *arg);

/* store_set_cache_mib - the writer connection's page cache for bulk work (reindex, import,
 * verify, big batches), in MiB; group commit keeps its own small one. */
void store_set_cache_mib(tims_store *s, int mib);

#endif
