/* store_stub.c - placeholder so the node layer can link while the SQLite store is built. */
#include "tims/store.h"

tims_err tims_store_create(const char *dir, tims_store **out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_open(const char *dir, unsigned flags, tims_store **out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

void tims_store_close(tims_store *s)
{

}

tims_store_backend tims_store_backend_of(const tims_store *s)
{
    return TIMS_STORE_SQLITE;
}

int tims_store_schema_version(const tims_store *s)
{
    return 0;
}

tims_err tims_store_append(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           tims_entry_kind kind, const void *body, size_t body_len,
                           tims_entry_ref *out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_import(tims_store *s, const tims_entry *entries, size_t n,
                           tims_verify_fail *fail, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

int tims_store_origin_blocked(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN])
{
    return 0;
}

tims_err tims_store_redact(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           const tims_entry_ref *targets, size_t n, const char *reason,
                           tims_entry_ref *out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_head(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t *seq,
                         uint8_t hash[TIMS_HASH_LEN], tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_get_entry(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN],
                              uint64_t seq, tims_entry *out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_each_entry(tims_store *s, const uint8_t *origin, uint64_t after_seq,
                               uint64_t limit, tims_entry_fn fn, void *ctx, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_origins(tims_store *s, tims_origin_head **out, size_t *count,
                            tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_crossing_to_body(const tims_crossing *c, tims_buf *out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_crossing_from_body(const void *body, size_t len, tims_crossing *out,
                                 tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_correction_to_body(const tims_entry_ref *target, const tims_crossing *values,
                                 unsigned mask, int void_it, const char *reason,
                                 const char *officer, tims_buf *out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_record_crossing(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                    const tims_crossing *c, tims_entry_ref *out,
                                    tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_record_correction(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                      const tims_entry_ref *target, const tims_crossing *values,
                                      unsigned mask, int void_it, const char *reason,
                                      const char *officer, tims_entry_ref *out,
                                      tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_history(tims_store *s, const char *issuing_state, const char *doc_number,
                            tims_crossing **out, size_t *count, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_get_crossing(tims_store *s, const tims_entry_ref *entry,
                                 tims_crossing *out, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_verify(tims_store *s, unsigned flags, tims_verify_report *rep,
                           tims_diag *diag)
{
    return TIMS_EINTERNAL;
}

tims_err tims_store_reindex(tims_store *s, uint64_t *entries, tims_diag *diag)
{
    return TIMS_EINTERNAL;
}
