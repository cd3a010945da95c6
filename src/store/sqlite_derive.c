/* sqlite_derive.c - writing an entry and the rows derived from it: crossings (the current view
 * with corrections applied), travellers, corrections, list events, redactions. The same code
 * runs on write (live) and when reindex or verify rebuild the tables from the journal. */
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

/* ---- derived rows -------------------------------------------------------------------- */

static int write_crossing(tims_store *s, int sc, int64_t entry, const tims_crossing *c, int ncorr,
                          int void_it)
{
    sqlite3_stmt *st;
    int rc = store_derived_stmt(s, sc, ST_INS_CROSSING, &st);
    if (rc != SQLITE_OK)
        return rc;
    const char *text[] = {c->issuing_state, c->doc_number,  c->doc_code,   c->surname,
                          c->given_names,   c->nationality, c->birth_date, c->sex};
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
    return store_step_done(st);
}

/* put_head - record journal id `id` (with its hash) as its origin's newest entry. */
int store_put_head(tims_store *s, int sc, int64_t id, const uint8_t hash[TIMS_HASH_LEN])
{
    sqlite3_stmt *st;
    int rc = store_derived_stmt(s, sc, ST_PUT_HEAD, &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, STORE_ID_ORIGIN(id));
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_blob(st, 3, hash, TIMS_HASH_LEN, SQLITE_STATIC);
    return store_step_done(st);
}

/* read_body - kind, time and body of journal entry id (writer connection); *found 0 when
 * absent; body->len 0 and *redacted 1 when its body is removed. */
int store_read_body(tims_store *s, int64_t id, int *found, int *kind, int64_t *time, int *redacted,
                    tims_buf *body)
{
    int rc =
        store_prep(s->db, &s->get_body, "SELECT kind, time, body FROM main.journal WHERE id = ?1");
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
    store_finish(s->get_body);
    return rc;
}

/* recompute_view - the crossings row of entry `target`: its body with every correction of it
 * applied in (time, entry) order; removed when the crossing is absent or redacted. */
static int recompute_view(tims_store *s, int sc, int64_t target)
{
    sqlite3_stmt *st;
    tims_buf body = {0};
    int64_t *ids = NULL;
    size_t nids = 0, cap = 0;
    int found, kind, redacted, rc;
    int64_t time;

    store_derived d, cd;
    if ((rc = store_read_body(s, target, &found, &kind, &time, &redacted, &body)) != SQLITE_OK)
        goto done;
    if (!found || redacted || kind != TIMS_KIND_CROSSING ||
        store_derive(kind, body.data, body.len, &d, NULL) != TIMS_OK) {
        if ((rc = store_derived_stmt(s, sc, ST_DEL_CROSSING, &st)) != SQLITE_OK)
            goto done;
        sqlite3_bind_int64(st, 1, target);
        rc = store_step_done(st);
        goto done;
    }

    if ((rc = store_derived_stmt(s, sc, ST_CORRECTIONS_OF, &st)) != SQLITE_OK)
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
    store_finish(st);
    if (rc != SQLITE_DONE)
        goto done;
    int ncorr = 0, void_it = 0;
    for (size_t i = 0; i < nids; i++) {
        if ((rc = store_read_body(s, ids[i], &found, &kind, &time, &redacted, &body)) != SQLITE_OK)
            goto done;
        if (!found || redacted || kind != TIMS_KIND_CORRECTION ||
            store_derive(kind, body.data, body.len, &cd, NULL) != TIMS_OK)
            continue;
        store_apply_correction(&d.crossing, &cd);
        void_it |= cd.void_it;
        ncorr++;
        store_derived_clear(&cd);
    }
    rc = write_crossing(s, sc, target, &d.crossing, ncorr, void_it);
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
        if ((rc = store_derived_stmt(s, sc, ST_GET_CORRECTION_TARGET, &st)) != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(st, 1, tid);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            x = sqlite3_column_int64(st, 0);
            have = 1;
        }
        store_finish(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return rc;
        if ((rc = store_derived_stmt(s, sc, ST_DEL_CORRECTION, &st)) != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(st, 1, tid);
        if ((rc = store_step_done(st)) != SQLITE_OK || !have)
            return rc;
        return recompute_view(s, sc, x);
    }
    case TIMS_KIND_LIST_RELEASE:
    case TIMS_KIND_LIST_PUT:
    case TIMS_KIND_LIST_DEL:
        if ((rc = store_derived_stmt(s, sc, ST_DEL_LIST, &st)) != SQLITE_OK)
            return rc;
        sqlite3_bind_int64(st, 1, tid);
        return store_step_done(st);
    default:
        return SQLITE_OK;
    }
}

/* apply_derived - write the rows derived from entry id into schema sc. live: this is a new
 * entry being written (a redaction then also removes its targets' bodies); otherwise a
 * rebuild from the journal, which never changes the journal. */
tims_err store_apply_derived(tims_store *s, int sc, int64_t id, int64_t time,
                             const store_derived *d, int live, tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = SQLITE_OK;
    switch (d->kind) {
    case TIMS_KIND_CROSSING: {
        int pending_corr = 0;
        if (live && id > s->max_target) { /* no stored correction can name it */
            rc = write_crossing(s, sc, id, &d->crossing, 0, 0);
            break;
        }
        if ((rc = store_derived_stmt(s, sc, ST_HAS_CORRECTIONS, &st)) != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        pending_corr = rc == SQLITE_ROW;
        store_finish(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            break;
        if (pending_corr)
            rc = recompute_view(s, sc, id);
        else
            rc = write_crossing(s, sc, id, &d->crossing, 0, 0);
        break;
    }
    case TIMS_KIND_CORRECTION: {
        int64_t oid;
        if ((rc = store_origin_id(s, d->target.origin, live, &oid)) != SQLITE_OK)
            break;
        int64_t target = oid ? STORE_ID(oid, d->target.seq) : -1;
        if (live && target > s->max_target)
            s->max_target = target;
        if ((rc = store_derived_stmt(s, sc, ST_INS_CORRECTION, &st)) != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, target);
        sqlite3_bind_int64(st, 3, time);
        sqlite3_bind_int(st, 4, d->void_it);
        sqlite3_bind_int(st, 5, (int)d->mask);
        sqlite3_bind_text(st, 6, d->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, d->officer, -1, SQLITE_STATIC);
        if ((rc = store_step_done(st)) == SQLITE_OK && target > 0)
            rc = recompute_view(s, sc, target);
        break;
    }
    case TIMS_KIND_LIST_RELEASE:
    case TIMS_KIND_LIST_PUT:
    case TIMS_KIND_LIST_DEL: {
        static const char *const ops[] = {"release", "put", "del"};
        if ((rc = store_derived_stmt(s, sc, ST_INS_LIST, &st)) != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, d->list, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ops[d->kind - TIMS_KIND_LIST_RELEASE], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d->item, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, time);
        rc = store_step_done(st);
        break;
    }
    case TIMS_KIND_REDACTION: {
        tims_buf body = {0};
        for (size_t i = 0; rc == SQLITE_OK && i < d->ntargets; i++) {
            int64_t oid;
            if ((rc = store_origin_id(s, d->targets[i].origin, live, &oid)) != SQLITE_OK)
                break;
            int64_t tid = oid ? STORE_ID(oid, d->targets[i].seq) : -1;
            if (live && tid > s->max_target)
                s->max_target = tid;
            if ((rc = store_derived_stmt(s, sc, ST_INS_REDACTION, &st)) != SQLITE_OK)
                break;
            sqlite3_bind_int64(st, 1, tid);
            sqlite3_bind_int64(st, 2, id);
            sqlite3_bind_text(st, 3, d->reason, -1, SQLITE_STATIC);
            if ((rc = store_step_done(st)) != SQLITE_OK || !live || tid < 0)
                continue;
            int found, kind, redacted;
            int64_t t;
            if ((rc = store_read_body(s, tid, &found, &kind, &t, &redacted, &body)) != SQLITE_OK)
                break;
            if (!found || redacted)
                continue; /* not here yet: its body is dropped when it arrives */
            if (kind == TIMS_KIND_REDACTION) {
                tims_buf_free(&body);
                return tims_diag_set(diag, TIMS_EDATA,
                                     "a redaction entry cannot itself be "
                                     "redacted (seq %llu)",
                                     (unsigned long long)d->targets[i].seq);
            }
            if ((rc = store_prep(s->db, &s->null_body,
                                 "UPDATE main.journal SET body = NULL WHERE id = ?1")) != SQLITE_OK)
                break;
            sqlite3_bind_int64(s->null_body, 1, tid);
            if ((rc = store_step_done(s->null_body)) == SQLITE_OK)
                rc = unapply(s, sc, tid, kind);
        }
        tims_buf_free(&body);
        break;
    }
    default:
        break;
    }
    if (rc != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "writing the derived tables");
    return TIMS_OK;
}

/* is_redacted_target - 1 when entry id is named by a stored redaction entry. */
int store_is_redacted_target(tims_store *s, int64_t id, int *out)
{
    int rc = store_prep(s->db, &s->redacted_by,
                        "SELECT 1 FROM main.redactions WHERE target = ?1 LIMIT 1");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(s->redacted_by, 1, id);
    rc = sqlite3_step(s->redacted_by);
    *out = rc == SQLITE_ROW;
    store_finish(s->redacted_by);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* write_entry - insert entry e of origin oid and its derived rows (inside a transaction). */
tims_err store_write_entry(tims_store *s, int64_t oid, const tims_entry *e, const store_derived *d,
                           tims_diag *diag)
{
    int64_t id = STORE_ID(oid, e->seq);
    int redacted = e->redacted, rc;
    /* Only an entry that a stored redaction may name needs the lookup (the writer process is
     * the only one that writes this database, so max_target is exact or too high). */
    if (!redacted && id <= s->max_target &&
        (rc = store_is_redacted_target(s, id, &redacted)) != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "checking redactions");
    if ((rc = store_prep(s->db, &s->ins_journal,
                         "INSERT INTO main.journal(id, time, kind, body, "
                         "body_hash, hash, sig) VALUES(?1,?2,?3,?4,?5,?6,?7)")) != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "preparing to write the journal");
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
    if ((rc = store_step_done(st)) != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "writing the journal");
    if (redacted)
        return TIMS_OK;
    return store_apply_derived(s, SCHEMA_MAIN, id, e->time_us, d, 1, diag);
}
