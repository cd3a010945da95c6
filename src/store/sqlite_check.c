/* sqlite_check.c - reindex (rebuild the derived tables from the journal) and verify (chains,
 * signatures, redactions, equivocations, and derived tables rebuilt into temp tables and
 * compared row for row). */
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

/* ---- reindex and verify -------------------------------------------------------------- */

tims_err store_set_fail(tims_verify_fail *f, tims_verify_problem p, const uint8_t *origin,
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
        return store_sql_fail(s, s->db, rc, diag, "reading the journal");
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
            err = tims_diag_set(diag, TIMS_EDATA,
                                "origin %s seq %llu: the body cannot be "
                                "derived: %s",
                                hex, (unsigned long long)STORE_ID_SEQ(id), dd.text);
            if (fail)
                store_set_fail(fail, TIMS_VP_DERIVED, pk, STORE_ID_SEQ(id), dd.text);
            break;
        }
        err = store_apply_derived(s, sc, id, sqlite3_column_int64(st, 1), &d, 0, diag);
        store_derived_clear(&d);
        if (err != TIMS_OK)
            break;
    }
    if (err == TIMS_OK && rc != SQLITE_DONE)
        err = store_sql_fail(s, s->db, rc, diag, "reading the journal");
    sqlite3_finalize(st);
    if (err == TIMS_OK &&
        (rc = store_exec_schema(s->db, store_heads_fill, sc == SCHEMA_MAIN ? "main" : "temp")) !=
            SQLITE_OK)
        err = store_sql_fail(s, s->db, rc, diag, "recording the chain heads");
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
    store_bulk_cache(s, 1); /* the next batch of group commit takes the small one back */
    int rc = store_exec(s->db, "BEGIN IMMEDIATE");
    for (size_t i = 0; rc == SQLITE_OK && i < TIMS_ARRAY_LEN(store_derived_tables); i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "DELETE FROM main.%s", store_derived_tables[i]);
        rc = store_exec(s->db, sql);
    }
    if (rc != SQLITE_OK)
        err = store_sql_fail(s, s->db, rc, diag, "clearing the derived tables");
    if (err == TIMS_OK)
        err = rebuild(s, SCHEMA_MAIN, entries, NULL, diag);
    if (err == TIMS_OK && (rc = store_exec(s->db, "COMMIT")) != SQLITE_OK)
        err = store_sql_fail(s, s->db, rc, diag, "committing the rebuilt tables");
    if (err != TIMS_OK)
        store_exec(s->db, "ROLLBACK");
    tims_diag ld;
    tims_err lerr = store_load_origins(s, &ld); /* the origins and max_target again */
    if (lerr != TIMS_OK && err == TIMS_OK)
        err = tims_diag_set(diag, lerr, "%s", ld.text);
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
            store_finish(pk_st);
            if (!ok) {
                err = store_set_fail(&rep->fail, TIMS_VP_HASH, NULL, STORE_ID_SEQ(id),
                                     "entries of an origin that is missing from the origins table");
                goto done;
            }
            tims_chain_begin(&c, e.origin, 0, NULL, flags & TIMS_VERIFY_STRICT);
            rep->origins++;
        }
        if (!store_row_to_entry(st, &e)) {
            err = store_set_fail(&rep->fail, TIMS_VP_HASH, e.origin, e.seq,
                                 "body_hash, hash or sig has the wrong length");
            goto done;
        }
        memcpy(e.prev, c.last_hash, TIMS_HASH_LEN); /* prev is implied by the previous row */
        if ((err = tims_chain_step(&c, &e, &rep->fail)) != TIMS_OK)
            goto done;
        if (e.redacted) {
            int named;
            if ((rc = store_is_redacted_target(s, id, &named)) != SQLITE_OK)
                goto sqlfail;
            if (!named) {
                err = store_set_fail(&rep->fail, TIMS_VP_REDACTION, e.origin, e.seq,
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
    err = store_sql_fail(s, s->db, rc, diag, "reading the journal");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(pk_st);
    return err;
}

static tims_err verify_equivocations(tims_store *s, tims_verify_report *rep, tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT o.pk, e.seq FROM main.equivocations e"
                                " JOIN main.origins o ON o.id = e.origin ORDER BY e.origin, e.seq"
                                " LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "reading equivocations");
    tims_err err = TIMS_OK;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        err = store_set_fail(&rep->fail, TIMS_VP_EQUIVOCATION, sqlite3_column_blob(st, 0),
                             (uint64_t)sqlite3_column_int64(st, 1),
                             "the origin signed two different entries with this seq (forked or "
                             "stolen key); it is blocked until an operator decides");
    else if (rc != SQLITE_DONE)
        err = store_sql_fail(s, s->db, rc, diag, "reading equivocations");
    sqlite3_finalize(st);
    return err;
}

/* check_heads - each origin's recorded head against the newest entry of its chain in the
 * journal (rebuilt into temp.heads): entries dropped from the end of a chain, with their
 * derived rows, leave a valid shorter chain that only the recorded head (or a peer) betrays. */
static tims_err check_heads(tims_store *s, tims_verify_report *rep, tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db,
        "SELECT m.origin, m.head, t.head, m.hash IS NOT t.hash FROM main.heads m"
        " LEFT JOIN temp.heads t USING (origin) WHERE t.head IS NOT m.head OR m.hash IS NOT t.hash"
        " UNION ALL SELECT t.origin, NULL, t.head, 0 FROM temp.heads t"
        " WHERE t.origin NOT IN (SELECT origin FROM main.heads) ORDER BY 1 LIMIT 1",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_sql_fail(s, s->db, rc, diag, "comparing the chain heads");
    tims_err err = TIMS_OK;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t origin = sqlite3_column_int64(st, 0);
        int has_rec = sqlite3_column_type(st, 1) != SQLITE_NULL;
        int has_end = sqlite3_column_type(st, 2) != SQLITE_NULL;
        uint64_t rec = STORE_ID_SEQ(sqlite3_column_int64(st, 1));
        uint64_t end = STORE_ID_SEQ(sqlite3_column_int64(st, 2));
        char detail[200];
        uint64_t seq;
        if (!has_rec) {
            seq = end;
            snprintf(detail, sizeof detail,
                     "no chain head is recorded for this origin, whose chain ends here");
        } else if (!has_end || end < rec) {
            seq = rec;
            snprintf(detail, sizeof detail,
                     "the recorded chain head is this entry, but the chain ends at seq %llu: "
                     "entries were removed from its end",
                     (unsigned long long)(has_end ? end : 0));
        } else if (end > rec) {
            seq = rec + 1;
            snprintf(detail, sizeof detail,
                     "the chain goes on past the recorded head (seq %llu) to seq %llu",
                     (unsigned long long)rec, (unsigned long long)end);
        } else {
            seq = rec;
            snprintf(detail, sizeof detail, "the recorded chain head has another hash");
        }
        uint8_t pk[TIMS_PUBKEY_LEN];
        pthread_mutex_lock(&s->r_mu);
        store_r_origin_pk(s, origin, pk);
        pthread_mutex_unlock(&s->r_mu);
        err = store_set_fail(&rep->fail, TIMS_VP_DERIVED, pk, seq, detail);
    } else if (rc != SQLITE_DONE) {
        err = store_sql_fail(s, s->db, rc, diag, "comparing the chain heads");
    }
    sqlite3_finalize(st);
    return err;
}

/* verify_derived - rebuild the derived tables into temp tables and compare row for row. */
static tims_err verify_derived(tims_store *s, tims_verify_report *rep, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    int rc = store_exec_schema(s->db, store_derived_schema, "temp");
    if (rc != SQLITE_OK) {
        err = store_sql_fail(s, s->db, rc, diag, "creating scratch tables");
        goto done;
    }
    if ((err = rebuild(s, SCHEMA_TEMP, NULL, &rep->fail, diag)) != TIMS_OK) {
        if (rep->fail.problem != TIMS_VP_NONE)
            err = TIMS_ETAMPER;
        goto done;
    }
    if ((err = check_heads(s, rep, diag)) != TIMS_OK)
        goto done;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(store_derived_tables); i++) {
        char sql[512];
        const char *t = store_derived_tables[i], *col = store_derived_entry_col[i];
        if (strcmp(t, "heads") == 0)
            continue; /* compared above */
        snprintf(sql, sizeof sql,
                 "SELECT x, w FROM (SELECT %s AS x, 'changed or added' AS w FROM (SELECT * FROM"
                 " main.%s EXCEPT SELECT * FROM temp.%s) UNION ALL SELECT %s, 'missing or"
                 " changed' FROM (SELECT * FROM temp.%s EXCEPT SELECT * FROM main.%s))"
                 " ORDER BY x LIMIT 1",
                 col, t, t, col, t, t);
        sqlite3_stmt *st;
        if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK) {
            err = store_sql_fail(s, s->db, rc, diag, "comparing the derived tables");
            goto done;
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            int64_t x = sqlite3_column_int64(st, 0);
            char detail[200];
            snprintf(detail, sizeof detail,
                     "table %s: the row of this entry is %s compared "
                     "with what the journal implies",
                     t, (const char *)sqlite3_column_text(st, 1));
            uint8_t pk[TIMS_PUBKEY_LEN];
            pthread_mutex_lock(&s->r_mu);
            store_r_origin_pk(s, STORE_ID_ORIGIN(x), pk);
            pthread_mutex_unlock(&s->r_mu);
            err = store_set_fail(&rep->fail, TIMS_VP_DERIVED, pk, STORE_ID_SEQ(x), detail);
        } else if (rc != SQLITE_DONE) {
            err = store_sql_fail(s, s->db, rc, diag, "comparing the derived tables");
        }
        sqlite3_finalize(st);
        if (err != TIMS_OK)
            goto done;
    }
    rep->derived_ok = 1;
done:
    store_finalize_temp(s);
    for (size_t i = 0; i < TIMS_ARRAY_LEN(store_derived_tables); i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", store_derived_tables[i]);
        store_exec(s->db, sql);
    }
    return err;
}

tims_err tims_store_verify(tims_store *s, unsigned flags, tims_verify_report *rep, tims_diag *diag)
{
    memset(rep, 0, sizeof *rep);
    pthread_mutex_lock(&s->seq_mu);
    pthread_mutex_lock(&s->w_mu);
    store_bulk_cache(s, 1);
    /* One read transaction: the journal and the derived tables are seen at one instant. */
    int rc = store_exec(s->db, "BEGIN");
    tims_err err =
        rc == SQLITE_OK ? TIMS_OK : store_sql_fail(s, s->db, rc, diag, "starting to read");
    if (err == TIMS_OK)
        err = verify_chains(s, flags, rep, diag);
    if (err == TIMS_OK)
        err = verify_equivocations(s, rep, diag);
    if (err == TIMS_OK && !(flags & TIMS_VERIFY_CHAINS_ONLY))
        err = verify_derived(s, rep, diag);
    store_exec(s->db, "ROLLBACK");
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
