/* sqlite_read.c - reads on the reader connection: heads, entries, origins, crossing history,
 * corrections of a crossing. They never wait for a writer's fsync. */
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

/* ---- reading ------------------------------------------------------------------------- */

/* r_origin_id / r_origin_pk - origin lookups on the reader connection (under r_mu). */
int store_r_origin_id(tims_store *s, const uint8_t pk[TIMS_PUBKEY_LEN], int64_t *id)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->rdb, "SELECT id FROM main.origins WHERE pk = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(st, 1, pk, TIMS_PUBKEY_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_r_origin_pk(tims_store *s, int64_t id, uint8_t pk[TIMS_PUBKEY_LEN])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->rdb, "SELECT pk FROM main.origins WHERE id = ?1", -1, &st, NULL);
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
    int rc = store_r_origin_id(s, origin, &id);
    if (rc == SQLITE_OK && id)
        rc = store_db_head(s->rdb, id, seq, hash);
    pthread_mutex_unlock(&s->r_mu);
    return rc == SQLITE_OK ? TIMS_OK : store_sql_fail(s, s->rdb, rc, diag, "reading a chain head");
}

/* row_to_entry - fill e from a row (id, time, kind, body, body_hash, hash, sig); the body is
 * borrowed from the statement until its next step. Returns 0 when a column is malformed. */
int store_row_to_entry(sqlite3_stmt *st, tims_entry *e)
{
    e->seq = STORE_ID_SEQ(sqlite3_column_int64(st, 0));
    e->time_us = sqlite3_column_int64(st, 1);
    e->kind = sqlite3_column_int(st, 2);
    e->redacted = sqlite3_column_type(st, 3) == SQLITE_NULL;
    e->body = e->redacted ? NULL : (uint8_t *)sqlite3_column_blob(st, 3);
    e->body_len = e->redacted ? 0 : (size_t)sqlite3_column_bytes(st, 3);
    if (!e->redacted && !e->body)
        e->body = (uint8_t *)"";
    if (sqlite3_column_bytes(st, 4) != TIMS_HASH_LEN ||
        sqlite3_column_bytes(st, 5) != TIMS_HASH_LEN || sqlite3_column_bytes(st, 6) != TIMS_SIG_LEN)
        return 0;
    memcpy(e->body_hash, sqlite3_column_blob(st, 4), TIMS_HASH_LEN);
    memcpy(e->hash, sqlite3_column_blob(st, 5), TIMS_HASH_LEN);
    memcpy(e->sig, sqlite3_column_blob(st, 6), TIMS_SIG_LEN);
    return 1;
}

tims_err tims_store_get_entry(tims_store *s, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t seq,
                              tims_entry *out, tims_diag *diag)
{
    memset(out, 0, sizeof *out);
    tims_err err = TIMS_OK;
    int64_t oid;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->r_mu);
    int rc = store_r_origin_id(s, origin, &oid);
    if (rc != SQLITE_OK)
        goto sqlfail;
    if (!oid || seq < 1 || seq > STORE_SEQ_MAX) {
        err = tims_diag_set(diag, TIMS_ENOENT, "no entry with seq %llu of that origin",
                            (unsigned long long)seq);
        goto done;
    }
    rc = sqlite3_prepare_v2(s->rdb,
                            "SELECT " ENTRY_COLS " FROM main.journal WHERE id IN (?1, ?2)"
                            " ORDER BY id",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_int64(st, 1, STORE_ID(oid, seq - 1));
    sqlite3_bind_int64(st, 2, STORE_ID(oid, seq));
    tims_entry e;
    memset(&e, 0, sizeof e);
    int got = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        if (!store_row_to_entry(st, &e)) {
            err = tims_diag_set(diag, TIMS_ETAMPER,
                                "entry seq %llu is malformed in the "
                                "database; run tims verify",
                                (unsigned long long)e.seq);
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
        if (!e.redacted && !(e.body = store_memdup(e.body, e.body_len))) {
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
    err = store_sql_fail(s, s->rdb, rc, diag, "reading an entry");
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
        if ((rc = store_r_origin_id(s, origin, &oid)) != SQLITE_OK)
            goto sqlfail;
        if (!oid)
            goto done;
        lo = STORE_ID(oid, after_seq < STORE_SEQ_MAX ? after_seq : STORE_SEQ_MAX);
        hi = STORE_ID(oid, STORE_SEQ_MAX);
    }
    rc = sqlite3_prepare_v2(s->rdb,
                            "SELECT " ENTRY_COLS " FROM main.journal WHERE id > ?1 AND"
                            " id <= ?2 ORDER BY id",
                            -1, &st, NULL);
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
            if ((rc = store_r_origin_pk(s, cur, e.origin)) != SQLITE_OK)
                goto sqlfail;
            memset(prev, 0, sizeof prev);
            if (STORE_ID_SEQ(id) > 1) {
                sqlite3_stmt *p2;
                rc = sqlite3_prepare_v2(s->rdb, "SELECT hash FROM main.journal WHERE id = ?1", -1,
                                        &p2, NULL);
                if (rc == SQLITE_OK) {
                    sqlite3_bind_int64(p2, 1, id - 1);
                    memset(prev, 0, sizeof prev);
                    if (sqlite3_step(p2) == SQLITE_ROW &&
                        sqlite3_column_bytes(p2, 0) == TIMS_HASH_LEN)
                        memcpy(prev, sqlite3_column_blob(p2, 0), TIMS_HASH_LEN);
                    sqlite3_finalize(p2);
                }
            }
            if (rc != SQLITE_OK)
                goto sqlfail;
        } else {
            memcpy(prev, e.hash, TIMS_HASH_LEN);
        }
        if (!store_row_to_entry(st, &e)) {
            err = tims_diag_set(diag, TIMS_ETAMPER,
                                "entry seq %llu is malformed in the "
                                "database; run tims verify",
                                (unsigned long long)e.seq);
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
    err = store_sql_fail(s, s->rdb, rc, diag, "reading the journal");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->r_mu);
    return err;
}

tims_err tims_store_origins(tims_store *s, tims_origin_head **out, size_t *count, tims_diag *diag)
{
    *out = NULL;
    *count = 0;
    tims_err err = TIMS_OK;
    size_t n = 0, cap = 0;
    tims_origin_head *arr = NULL;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->r_mu);
    int rc = sqlite3_prepare_v2(s->rdb, "SELECT id, pk, blocked FROM main.origins ORDER BY id", -1,
                                &st, NULL);
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
        rc = store_db_head(s->rdb, sqlite3_column_int64(st, 0), &h->seq, h->hash);
    }
    if (rc != SQLITE_DONE)
        err = store_sql_fail(s, s->rdb, rc, diag, "listing origins");
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

#define CROSSING_COLS                                                                              \
    "entry, state, number, code, surname, given, nationality, birth, sex,"                         \
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
    int rc = store_prep(s->rdb, &s->r_history,
                        "SELECT " CROSSING_COLS " FROM main.crossings"
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
            if ((rc = store_r_origin_pk(s, oid, pk)) != SQLITE_OK)
                goto sqlfail;
            last_origin = oid;
        }
        memcpy(arr[n].entry.origin, pk, TIMS_PUBKEY_LEN);
        n++;
    }
    if (rc == SQLITE_DONE)
        goto done;
sqlfail:
    err = store_sql_fail(s, s->rdb, rc, diag, "reading a crossing history");
done:
    if (s->r_history)
        store_finish(s->r_history);
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
    int rc = store_r_origin_id(s, entry->origin, &oid);
    if (rc != SQLITE_OK)
        goto sqlfail;
    if ((rc = store_prep(s->rdb, &s->r_crossing,
                         "SELECT " CROSSING_COLS " FROM main.crossings"
                         " WHERE entry = ?1 AND void = 0")) != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_int64(s->r_crossing, 1, oid ? STORE_ID(oid, entry->seq) : -1);
    rc = sqlite3_step(s->r_crossing);
    if (rc == SQLITE_ROW) {
        row_to_crossing(s->r_crossing, out);
        memcpy(out->entry.origin, entry->origin, TIMS_PUBKEY_LEN);
    } else if (rc == SQLITE_DONE) {
        err = tims_diag_set(diag, TIMS_ENOENT,
                            "no current crossing at seq %llu of that origin "
                            "(absent, annulled or redacted)",
                            (unsigned long long)entry->seq);
    } else {
        goto sqlfail;
    }
    goto done;
sqlfail:
    err = store_sql_fail(s, s->rdb, rc, diag, "reading a crossing");
done:
    if (s->r_crossing)
        store_finish(s->r_crossing);
    pthread_mutex_unlock(&s->r_mu);
    return err;
}

tims_err tims_store_corrections_of(tims_store *s, const tims_entry_ref *target, tims_entry **out,
                                   size_t *count, tims_diag *diag)
{
    *out = NULL;
    *count = 0;
    tims_err err = TIMS_OK;
    int64_t oid, *ids = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->r_mu);
    int rc = store_r_origin_id(s, target->origin, &oid);
    if (rc == SQLITE_OK && oid)
        rc = sqlite3_prepare_v2(s->rdb,
                                "SELECT entry FROM main.corrections WHERE target = ?1"
                                " ORDER BY time, entry",
                                -1, &st, NULL);
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
        err = store_sql_fail(s, s->rdb, rc, diag, "reading corrections");
    if (err == TIMS_OK && n && !(arr = tims_calloc(n, sizeof *arr)))
        err = TIMS_ENOMEM;
    for (size_t i = 0; err == TIMS_OK && i < n; i++) {
        uint8_t pk[TIMS_PUBKEY_LEN];
        if ((rc = store_r_origin_pk(s, STORE_ID_ORIGIN(ids[i]), pk)) != SQLITE_OK) {
            err = store_sql_fail(s, s->rdb, rc, diag, "reading corrections");
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
