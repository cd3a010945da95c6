/* test_store.c - the SQLite store: recording and correcting crossings, history, redaction,
 * tampering found by verify (journal and derived tables edited behind its back with sqlite3),
 * reindex, full disk, read-only storage, group commit, schema versions, import and
 * equivocation, and the verify/reindex commands. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "testutil.h"
#include "tims/store.h"

typedef struct fixture {
    char *dir;
    tims_store *s;
    tims_keypair kp;
} fixture;

static void seed_key(uint8_t first, tims_keypair *kp)
{
    uint8_t seed[TIMS_SEED_LEN];
    for (int i = 0; i < TIMS_SEED_LEN; i++)
        seed[i] = (uint8_t)(first + i);
    assert_int_equal(tims_keypair_from_seed(seed, kp), TIMS_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tempdir();
    tims_diag d;
    if (tims_store_create(f->dir, &f->s, &d) != TIMS_OK) {
        fprintf(stderr, "%s\n", d.text);
        return -1;
    }
    seed_key(7, &f->kp);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tims_store_close(f->s);
    tu_rmtree(f->dir);
    tims_free(f->dir);
    free(f);
    return 0;
}

static void sample(int i, tims_crossing *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->issuing_state, sizeof c->issuing_state, "%s", (i % 500) % 3 == 2 ? "D" : "UTO");
    snprintf(c->doc_number, sizeof c->doc_number, "X%07d", i % 500);
    snprintf(c->doc_code, sizeof c->doc_code, "P");
    snprintf(c->surname, sizeof c->surname, "SURNAME%d", i % 500);
    snprintf(c->given_names, sizeof c->given_names, "ANNA MARIA");
    snprintf(c->nationality, sizeof c->nationality, "UTO");
    char birth[32];
    snprintf(birth, sizeof birth, "1974-08-%02d", 1 + i % 28);
    memcpy(c->birth_date, birth, 11);
    snprintf(c->sex, sizeof c->sex, "%s", i % 2 ? "F" : "M");
    c->direction = i % 2 ? TIMS_DIR_EXIT : TIMS_DIR_ENTRY;
    c->time_us = INT64_C(1700000000000000) + (int64_t)i * 1000000;
    snprintf(c->bcp, sizeof c->bcp, "BCP-%d", i % 4);
    snprintf(c->officer, sizeof c->officer, "o-%d", i % 10);
    snprintf(c->vehicle, sizeof c->vehicle, "%s", i % 5 ? "" : "AB-123");
    snprintf(c->decision, sizeof c->decision, "admitted");
}

/* expect_head_seq - the newest seq of pk's chain in s is want. */
static void expect_head_seq(tims_store *s, const uint8_t *pk, uint64_t want)
{
    uint64_t seq;
    uint8_t hash[TIMS_HASH_LEN];
    tims_diag d;
    assert_int_equal(tims_store_head(s, pk, &seq, hash, &d), TIMS_OK);
    assert_int_equal(seq, want);
}

static void record(fixture *f, int from, int to)
{
    for (int i = from; i < to; i++) {
        tims_crossing c;
        tims_diag d;
        sample(i, &c);
        tims_entry_ref ref;
        tims_err err = tims_store_record_crossing(f->s, &f->kp, c.time_us + 5, &c, &ref, &d);
        if (err != TIMS_OK)
            fail_msg("%s", d.text);
        assert_int_equal(ref.seq, (uint64_t)i + 1);
    }
}

/* sql - run SQL on the store's database file directly, as an attacker or a broken disk might. */
static void sql(fixture *f, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, TIMS_STORE_DB_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sql %s: %s", text, err);
    sqlite3_close(db);
}

static void reopen(fixture *f)
{
    tims_diag d;
    tims_store_close(f->s);
    if (tims_store_open(f->dir, 0, &f->s, &d) != TIMS_OK)
        fail_msg("%s", d.text);
}

static void expect_verify_fail(fixture *f, unsigned flags, tims_verify_problem p, uint64_t seq)
{
    tims_verify_report r;
    tims_diag d;
    reopen(f);
    assert_int_equal(tims_store_verify(f->s, flags, &r, &d), TIMS_ETAMPER);
    if (r.fail.problem != p || r.fail.seq != seq)
        fail_msg("expected problem %d at seq %llu, got: %s", (int)p, (unsigned long long)seq,
                 d.text);
    assert_memory_equal(r.fail.origin, f->kp.pk, TIMS_PUBKEY_LEN);
    char hex[65];
    tims_hex(f->kp.pk, TIMS_PUBKEY_LEN, hex);
    assert_non_null(strstr(d.text, hex));
}

static void expect_verify_ok(fixture *f, unsigned flags)
{
    tims_verify_report r;
    tims_diag d;
    if (tims_store_verify(f->s, flags, &r, &d) != TIMS_OK)
        fail_msg("%s", d.text);
    assert_int_equal(r.fail.problem, TIMS_VP_NONE);
}

/* ---- recording ----------------------------------------------------------------------- */

static void recorded_crossings_show_in_history_oldest_first(void **state)
{
    fixture *f = *state;
    record(f, 0, 1001); /* i and i+500 share a document */
    tims_crossing *h;
    size_t n;
    tims_diag d;
    assert_int_equal(tims_store_history(f->s, "UTO", "X0000007", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 2);
    assert_true(h[0].time_us < h[1].time_us);
    assert_int_equal(h[0].entry.seq, 8);
    assert_int_equal(h[1].entry.seq, 508);
    assert_memory_equal(h[0].entry.origin, f->kp.pk, TIMS_PUBKEY_LEN);
    assert_string_equal(h[0].surname, "SURNAME7");
    assert_int_equal(h[0].direction, TIMS_DIR_EXIT);
    tims_free(h);
    assert_int_equal(tims_store_history(f->s, "UTO", "NOSUCH", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 0);
    assert_null(h);
    expect_head_seq(f->s, f->kp.pk, 1001);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

static void invalid_crossing_body_is_refused_and_uses_no_seq(void **state)
{
    fixture *f = *state;
    tims_diag d;
    const char *bad = "{\"state\":\"UTO\",\"number\":\"x 1\"}";
    assert_int_equal(
        tims_store_append(f->s, &f->kp, 1, TIMS_KIND_CROSSING, bad, strlen(bad), NULL, &d),
        TIMS_EDATA);
    assert_non_null(strstr(d.text, "number"));
    assert_int_equal(tims_store_append(f->s, &f->kp, 1, TIMS_KIND_AUDIT, "[1]", 3, NULL, &d),
                     TIMS_EDATA);
    char *big = calloc(1, TIMS_BODY_MAX + 2);
    memset(big, ' ', TIMS_BODY_MAX + 1);
    big[0] = '{';
    big[TIMS_BODY_MAX] = '}';
    assert_int_equal(
        tims_store_append(f->s, &f->kp, 1, TIMS_KIND_AUDIT, big, TIMS_BODY_MAX + 1, NULL, &d),
        TIMS_ERANGE);
    free(big);
    record(f, 0, 1); /* gets seq 1 */
}

static void stored_entry_reads_back_exactly(void **state)
{
    fixture *f = *state;
    record(f, 0, 3);
    tims_entry e, prev;
    tims_diag d;
    assert_int_equal(tims_store_get_entry(f->s, f->kp.pk, 2, &prev, &d), TIMS_OK);
    assert_int_equal(tims_store_get_entry(f->s, f->kp.pk, 3, &e, &d), TIMS_OK);
    assert_memory_equal(e.prev, prev.hash, TIMS_HASH_LEN);
    tims_crossing c, want;
    sample(2, &want);
    assert_int_equal(tims_crossing_from_body(e.body, e.body_len, &c, &d), TIMS_OK);
    assert_string_equal(c.doc_number, want.doc_number);
    tims_verify_fail vf;
    tims_entry run[2] = {prev, e};
    assert_int_equal(tims_journal_verify_run(run, 2, 1, NULL, TIMS_VERIFY_STRICT, &vf),
                     TIMS_ETAMPER); /* a wrong trusted head is noticed */
    tims_entry first;
    assert_int_equal(tims_store_get_entry(f->s, f->kp.pk, 1, &first, &d), TIMS_OK);
    assert_int_equal(tims_journal_verify_run(run, 2, 1, first.hash, TIMS_VERIFY_STRICT, &vf),
                     TIMS_OK);
    assert_int_equal(tims_store_get_entry(f->s, f->kp.pk, 4, &e, &d), TIMS_ENOENT);
    tims_entry_clear(&first);
    tims_entry_clear(&prev);
    tims_entry_clear(&run[1]);
}

static void correction_changes_the_current_view_and_keeps_the_original(void **state)
{
    fixture *f = *state;
    record(f, 0, 10);
    tims_entry_ref target = {{0}, 4, {0}};
    memcpy(target.origin, f->kp.pk, TIMS_PUBKEY_LEN);
    tims_crossing v;
    memset(&v, 0, sizeof v);
    snprintf(v.doc_number, sizeof v.doc_number, "NEW123");
    snprintf(v.surname, sizeof v.surname, "ERIKSSON");
    tims_diag d;
    tims_entry_ref ref;
    assert_int_equal(tims_store_record_correction(f->s, &f->kp, 99, &target, &v,
                                                  TIMS_CF_DOC_NUMBER | TIMS_CF_SURNAME, 0,
                                                  "typo in the number", "s-1", &ref, &d),
                     TIMS_OK);
    tims_crossing *h;
    size_t n;
    assert_int_equal(tims_store_history(f->s, "UTO", "NEW123", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].surname, "ERIKSSON");
    assert_int_equal(h[0].corrections, 1);
    assert_int_equal(h[0].entry.seq, 4);
    tims_free(h);
    assert_int_equal(tims_store_history(f->s, "UTO", "X0000003", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 0);
    /* the original entry is unchanged */
    tims_entry e;
    assert_int_equal(tims_store_get_entry(f->s, f->kp.pk, 4, &e, &d), TIMS_OK);
    assert_non_null(strstr((char *)e.body, "X0000003"));
    tims_entry_clear(&e);
    tims_entry *cs;
    size_t nc;
    assert_int_equal(tims_store_corrections_of(f->s, &target, &cs, &nc, &d), TIMS_OK);
    assert_int_equal(nc, 1);
    assert_int_equal(cs[0].seq, ref.seq);
    assert_non_null(strstr((char *)cs[0].body, "typo in the number"));
    tims_entry_clear(&cs[0]);
    tims_free(cs);
    /* annulling removes it from the view */
    assert_int_equal(tims_store_record_correction(f->s, &f->kp, 100, &target, NULL, 0, 1,
                                                  "recorded twice", "s-1", NULL, &d),
                     TIMS_OK);
    assert_int_equal(tims_store_history(f->s, "UTO", "NEW123", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 0);
    tims_crossing c;
    assert_int_equal(tims_store_get_crossing(f->s, &target, &c, &d), TIMS_ENOENT);
    /* a correction of something that is not a crossing, or of nothing, is refused */
    target.seq = ref.seq;
    assert_int_equal(
        tims_store_record_correction(f->s, &f->kp, 101, &target, NULL, 0, 1, "x", "s-1", NULL, &d),
        TIMS_EINVAL);
    target.seq = 999;
    assert_int_equal(
        tims_store_record_correction(f->s, &f->kp, 101, &target, NULL, 0, 1, "x", "s-1", NULL, &d),
        TIMS_ENOENT);
    expect_verify_ok(f, 0);
}

static void redaction_removes_personal_data_and_the_chain_still_verifies(void **state)
{
    fixture *f = *state;
    record(f, 0, 20);
    tims_entry_ref t[2];
    memset(t, 0, sizeof t);
    memcpy(t[0].origin, f->kp.pk, TIMS_PUBKEY_LEN);
    memcpy(t[1].origin, f->kp.pk, TIMS_PUBKEY_LEN);
    t[0].seq = 3;
    t[1].seq = 5;
    tims_diag d;
    tims_entry_ref r;
    if (tims_store_redact(f->s, &f->kp, 500, t, 2, "retention", &r, &d) != TIMS_OK)
        fail_msg("%s", d.text);
    tims_entry e;
    assert_int_equal(tims_store_get_entry(f->s, f->kp.pk, 3, &e, &d), TIMS_OK);
    assert_true(e.redacted);
    assert_null(e.body);
    tims_entry_clear(&e);
    tims_crossing *h;
    size_t n;
    assert_int_equal(tims_store_history(f->s, "D", "X0000002", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(tims_store_history(f->s, "UTO", "X0000003", &h, &n, &d), TIMS_OK);
    assert_int_equal(n, 1);
    tims_free(h);
    tims_verify_report rep;
    assert_int_equal(tims_store_verify(f->s, TIMS_VERIFY_STRICT, &rep, &d), TIMS_OK);
    assert_int_equal(rep.redacted, 2);
    /* a redaction cannot be redacted, by either door */
    t[0].seq = r.seq;
    assert_int_equal(tims_store_redact(f->s, &f->kp, 501, t, 1, "x", NULL, &d), TIMS_EINVAL);
    char body[200], hex[65];
    tims_hex(f->kp.pk, TIMS_PUBKEY_LEN, hex);
    snprintf(body, sizeof body,
             "{\"targets\":[{\"origin\":\"%s\",\"seq\":%llu}],"
             "\"reason\":\"x\"}",
             hex, (unsigned long long)r.seq);
    assert_int_equal(
        tims_store_append(f->s, &f->kp, 502, TIMS_KIND_REDACTION, body, strlen(body), NULL, &d),
        TIMS_EINVAL);
    assert_non_null(strstr(d.text, "cannot itself be redacted"));
    /* a body removed without a redaction entry is tampering */
    sql(f, "UPDATE journal SET body = NULL WHERE id = (1 << 40) | 9");
    expect_verify_fail(f, 0, TIMS_VP_REDACTION, 9);
}

static void failed_allocation_writes_nothing_and_keeps_seqs_gapless(void **state)
{
    fixture *f = *state;
    record(f, 0, 2);
    tims_crossing c;
    tims_diag d;
    sample(2, &c);
    tims_err err = TIMS_ENOMEM;
    int failures = 0;
    for (long n = 0; err == TIMS_ENOMEM && n < 200; n++) {
        tims_alloc_fail_after(n);
        err = tims_store_record_crossing(f->s, &f->kp, 1, &c, NULL, &d);
        tims_alloc_fail_after(-1);
        if (err == TIMS_ENOMEM) {
            failures++;
            expect_head_seq(f->s, f->kp.pk, 2);
        }
    }
    assert_int_equal(err, TIMS_OK);
    assert_true(failures > 0);
    record(f, 3, 4); /* seq 4 follows without a gap */
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

/* ---- tampering ----------------------------------------------------------------------- */

static void changed_body_byte_in_the_file_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    sql(f, "UPDATE journal SET body = CAST(replace(CAST(body AS TEXT), 'SURNAME11',"
           " 'SURNAME12') AS BLOB) WHERE id = (1 << 40) | 12");
    expect_verify_fail(f, 0, TIMS_VP_BODY_HASH, 12);
}

static void deleted_entry_in_the_file_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    sql(f, "DELETE FROM journal WHERE id = (1 << 40) | 17");
    expect_verify_fail(f, 0, TIMS_VP_SEQ_GAP, 17);
}

static void dropped_newest_entry_is_found_through_the_derived_tables(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    /* dropping the newest entry leaves a valid shorter chain (peers holding the head would
     * notice); locally the recorded chain head still names the dropped entry */
    sql(f, "DELETE FROM journal WHERE id = (1 << 40) | 30; DELETE FROM crossings WHERE"
           " entry = (1 << 40) | 30");
    reopen(f);
    tims_verify_report r;
    tims_diag d;
    assert_int_equal(tims_store_verify(f->s, TIMS_VERIFY_CHAINS_ONLY, &r, &d), TIMS_OK);
    assert_int_equal(tims_store_verify(f->s, 0, &r, &d), TIMS_ETAMPER);
    assert_int_equal(r.fail.problem, TIMS_VP_DERIVED);
    assert_int_equal(r.fail.seq, 30);
    assert_non_null(strstr(r.fail.detail, "removed from its end"));
}

static void edited_chain_head_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 12);
    sql(f, "UPDATE heads SET head = head - 2");
    expect_verify_fail(f, 0, TIMS_VP_DERIVED, 11);
    sql(f, "UPDATE heads SET head = head + 2, hash = zeroblob(32)");
    expect_verify_fail(f, 0, TIMS_VP_DERIVED, 12);
    sql(f, "DELETE FROM heads");
    expect_verify_fail(f, 0, TIMS_VP_DERIVED, 12);
}

static void inserted_entry_in_the_file_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    /* shift entries 10.. up by one and put a copy of entry 3 at 10 */
    sql(f, "CREATE TABLE t AS SELECT * FROM journal WHERE id >= (1 << 40) | 10;"
           "DELETE FROM journal WHERE id >= (1 << 40) | 10;"
           "INSERT INTO journal SELECT id + 1, time, kind, body, body_hash, hash, sig FROM t;"
           "INSERT INTO journal SELECT (1 << 40) | 10, time, kind, body, body_hash, hash, sig"
           " FROM journal WHERE id = (1 << 40) | 3; DROP TABLE t;");
    expect_verify_fail(f, 0, TIMS_VP_HASH, 10);
}

static void reordered_entries_in_the_file_are_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    sql(f, "UPDATE journal SET id = -1 WHERE id = (1 << 40) | 20;"
           "UPDATE journal SET id = (1 << 40) | 20 WHERE id = (1 << 40) | 21;"
           "UPDATE journal SET id = (1 << 40) | 21 WHERE id = -1;");
    expect_verify_fail(f, 0, TIMS_VP_HASH, 20);
}

/* rehash - change entry k's body and recompute body_hash and hash of k..n (no key needed). */
static void rehash_from(fixture *f, uint64_t k, uint64_t n, const tims_keypair *resign)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, TIMS_STORE_DB_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    uint8_t prev[TIMS_HASH_LEN];
    sqlite3_stmt *get, *put;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT time, kind, body, hash FROM journal WHERE"
                                        " id = ?1",
                                        -1, &get, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE journal SET body = ?2, body_hash = ?3,"
                                        " hash = ?4, sig = ?5 WHERE id = ?1",
                                        -1, &put, NULL),
                     SQLITE_OK);
    for (uint64_t seq = k - 1; seq <= n; seq++) {
        sqlite3_bind_int64(get, 1, (INT64_C(1) << 40) | (int64_t)seq);
        assert_int_equal(sqlite3_step(get), SQLITE_ROW);
        if (seq == k - 1) {
            memcpy(prev, sqlite3_column_blob(get, 3), TIMS_HASH_LEN);
            sqlite3_reset(get);
            continue;
        }
        tims_entry e;
        memset(&e, 0, sizeof e);
        memcpy(e.origin, f->kp.pk, TIMS_PUBKEY_LEN);
        e.seq = seq;
        e.time_us = sqlite3_column_int64(get, 0);
        e.kind = sqlite3_column_int(get, 1);
        e.body_len = (size_t)sqlite3_column_bytes(get, 2);
        e.body = malloc(e.body_len);
        memcpy(e.body, sqlite3_column_blob(get, 2), e.body_len);
        sqlite3_reset(get);
        if (seq == k)
            e.body[e.body_len - 3] = e.body[e.body_len - 3] == 'd' ? 'e' : 'd';
        memcpy(e.prev, prev, TIMS_HASH_LEN);
        tims_body_hash(e.body, e.body_len, e.body_hash);
        tims_entry_compute_hash(&e, e.hash);
        if (resign)
            tims_entry_sign(&e, resign);
        else
            memset(e.sig, 0, 0);
        memcpy(prev, e.hash, TIMS_HASH_LEN);
        sqlite3_bind_int64(put, 1, (INT64_C(1) << 40) | (int64_t)seq);
        sqlite3_bind_blob(put, 2, e.body, (int)e.body_len, SQLITE_TRANSIENT);
        sqlite3_bind_blob(put, 3, e.body_hash, TIMS_HASH_LEN, SQLITE_TRANSIENT);
        sqlite3_bind_blob(put, 4, e.hash, TIMS_HASH_LEN, SQLITE_TRANSIENT);
        if (resign)
            sqlite3_bind_blob(put, 5, e.sig, TIMS_SIG_LEN, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(put, 5);
        if (!resign) {
            /* keep the old signature */
            sqlite3_finalize(put);
            assert_int_equal(sqlite3_prepare_v2(db,
                                                "UPDATE journal SET body = ?2, body_hash ="
                                                " ?3, hash = ?4 WHERE id = ?1 AND ?5 IS NULL",
                                                -1, &put, NULL),
                             SQLITE_OK);
            sqlite3_bind_int64(put, 1, (INT64_C(1) << 40) | (int64_t)seq);
            sqlite3_bind_blob(put, 2, e.body, (int)e.body_len, SQLITE_TRANSIENT);
            sqlite3_bind_blob(put, 3, e.body_hash, TIMS_HASH_LEN, SQLITE_TRANSIENT);
            sqlite3_bind_blob(put, 4, e.hash, TIMS_HASH_LEN, SQLITE_TRANSIENT);
            sqlite3_bind_null(put, 5);
        }
        assert_int_equal(sqlite3_step(put), SQLITE_DONE);
        sqlite3_reset(put);
        free(e.body);
    }
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    sqlite3_close(db);
}

static void rehashed_chain_in_the_file_fails_on_the_signature(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    rehash_from(f, 12, 30, NULL);
    expect_verify_fail(f, TIMS_VERIFY_CHAINS_ONLY, TIMS_VP_SIG, 30);
    expect_verify_fail(f, TIMS_VERIFY_STRICT | TIMS_VERIFY_CHAINS_ONLY, TIMS_VP_SIG, 12);
}

static void chain_resigned_with_another_key_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    tims_keypair other;
    seed_key(42, &other);
    rehash_from(f, 12, 30, &other);
    expect_verify_fail(f, TIMS_VERIFY_CHAINS_ONLY, TIMS_VP_SIG, 30);
    expect_verify_fail(f, TIMS_VERIFY_STRICT | TIMS_VERIFY_CHAINS_ONLY, TIMS_VP_SIG, 12);
}

static void crossing_deleted_from_the_derived_table_only_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    sql(f, "DELETE FROM crossings WHERE entry = (1 << 40) | 14");
    expect_verify_fail(f, 0, TIMS_VP_DERIVED, 14);
}

static void crossing_edited_in_the_derived_table_only_is_found(void **state)
{
    fixture *f = *state;
    record(f, 0, 30);
    sql(f, "UPDATE crossings SET decision = 'refused' WHERE entry = (1 << 40) | 22");
    expect_verify_fail(f, 0, TIMS_VP_DERIVED, 22);
}

/* ---- reindex ------------------------------------------------------------------------- */

static char *dump_derived(fixture *f)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, TIMS_STORE_DB_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    const char *q[] = {"SELECT * FROM crossings ORDER BY entry",
                       "SELECT * FROM travellers ORDER BY state, number",
                       "SELECT * FROM corrections ORDER BY entry",
                       "SELECT * FROM list_events ORDER BY entry",
                       "SELECT * FROM redactions ORDER BY target, redaction",
                       "SELECT * FROM heads ORDER BY origin"};
    tims_buf b = {0};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(q); i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, q[i], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++)
                tims_buf_printf(&b, "%s|", (const char *)sqlite3_column_text(st, c));
            tims_buf_putc(&b, '\n');
        }
        sqlite3_finalize(st);
        tims_buf_puts(&b, "--\n");
    }
    sqlite3_close(db);
    return tims_buf_steal(&b);
}

static void reindex_reproduces_every_derived_table_exactly(void **state)
{
    fixture *f = *state;
    tims_diag d;
    /* thousands of entries in a few big transactions, of every derived kind */
    enum { COUNT = 3000 };
    tims_append_item *items = calloc(COUNT, sizeof *items);
    char(*bodies)[400] = calloc(COUNT, sizeof *bodies);
    for (int i = 0; i < COUNT; i++) {
        tims_crossing c;
        sample(i, &c);
        tims_buf b = {0};
        if (i % 97 == 5) {
            snprintf(bodies[i], sizeof bodies[i], "{\"list\":\"national\",\"id\":\"n%d\"}", i);
            items[i].kind = i % 2 ? TIMS_KIND_LIST_PUT : TIMS_KIND_LIST_DEL;
        } else if (i % 211 == 7) {
            snprintf(bodies[i], sizeof bodies[i], "{\"list\":\"ofac\",\"version\":\"v%d\"}", i);
            items[i].kind = TIMS_KIND_LIST_RELEASE;
        } else {
            assert_int_equal(tims_crossing_to_body(&c, &b, &d), TIMS_OK);
            snprintf(bodies[i], sizeof bodies[i], "%s", b.data);
            items[i].kind = TIMS_KIND_CROSSING;
        }
        tims_buf_free(&b);
        items[i].body = bodies[i];
        items[i].body_len = strlen(bodies[i]);
        items[i].time_us = c.time_us;
    }
    for (int i = 0; i < COUNT; i += 1000)
        if (tims_store_append_many(f->s, &f->kp, items + i, 1000, NULL, &d) != TIMS_OK)
            fail_msg("%s", d.text);
    free(items);
    free(bodies);
    /* corrections (one arriving from another origin), a void, a redaction */
    tims_keypair sup;
    seed_key(50, &sup);
    for (int i = 0; i < 40; i++) {
        tims_entry_ref t = {{0}, (uint64_t)(1 + i * 61), {0}};
        memcpy(t.origin, f->kp.pk, TIMS_PUBKEY_LEN);
        tims_crossing v;
        memset(&v, 0, sizeof v);
        snprintf(v.doc_number, sizeof v.doc_number, "C%d", i % 7);
        snprintf(v.given_names, sizeof v.given_names, "CORRECTED %d", i);
        tims_err err = tims_store_record_correction(f->s, i % 2 ? &sup : &f->kp, 10 + i, &t, &v,
                                                    TIMS_CF_DOC_NUMBER | TIMS_CF_GIVEN_NAMES,
                                                    i % 9 == 0, "reason", "s-1", NULL, &d);
        if (err != TIMS_OK && err != TIMS_EINVAL)
            fail_msg("%s", d.text);
    }
    tims_entry_ref red[3];
    memset(red, 0, sizeof red);
    for (int i = 0; i < 3; i++) {
        memcpy(red[i].origin, f->kp.pk, TIMS_PUBKEY_LEN);
        red[i].seq = (uint64_t)(2 + i * 61); /* corrected crossings' neighbours */
    }
    red[2].seq = 62; /* a corrected crossing */
    assert_int_equal(tims_store_redact(f->s, &f->kp, 9999, red, 3, "retention", NULL, &d), TIMS_OK);
    char *before = dump_derived(f);
    assert_true(strlen(before) > 100000);
    uint64_t n;
    sql(f, "DELETE FROM crossings; DELETE FROM corrections; DELETE FROM list_events;"
           " DELETE FROM redactions; DELETE FROM heads;");
    reopen(f);
    if (tims_store_reindex(f->s, &n, &d) != TIMS_OK)
        fail_msg("%s", d.text);
    assert_true(n > COUNT);
    char *after = dump_derived(f);
    assert_string_equal(before, after);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
    tims_free(before);
    tims_free(after);
}

/* ---- errors -------------------------------------------------------------------------- */

static void full_database_gives_enospc_and_acknowledges_nothing(void **state)
{
    fixture *f = *state;
    record(f, 0, 10);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, TIMS_STORE_DB_FILE);
    struct stat st;
    stat(path, &st);
    /* the WAL holds recent pages: checkpoint so the page count is that of the file */
    reopen(f);
    assert_int_equal(tims_store_limit_pages(f->s, 40), TIMS_OK);
    tims_diag d;
    tims_err err = TIMS_OK;
    int ok = 10;
    for (int i = 10; i < 100000 && err == TIMS_OK; i++) {
        tims_crossing c;
        sample(i, &c);
        err = tims_store_record_crossing(f->s, &f->kp, 1, &c, NULL, &d);
        if (err == TIMS_OK)
            ok++;
    }
    assert_int_equal(err, TIMS_ENOSPC);
    assert_non_null(strstr(d.text, "is full"));
    assert_non_null(strstr(d.text, "nothing was written"));
    expect_head_seq(f->s, f->kp.pk, (uint64_t)ok);
    reopen(f); /* no limit any more: the chain continues without a gap */
    record(f, ok, ok + 1);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

/* The disk fills up just as a commit's log frames are written (the store's VFS writes them
 * as one): nothing is acknowledged, and once there is room the chain goes on without a gap. */
static void a_failed_log_write_acknowledges_nothing_and_the_next_crossing_is_recorded(void **state)
{
    fixture *f = *state;
    record(f, 0, 3);
    store_vfs_test_fail_next_flush(SQLITE_FULL);
    tims_crossing c;
    sample(3, &c);
    tims_diag d;
    assert_int_equal(tims_store_record_crossing(f->s, &f->kp, 1, &c, NULL, &d), TIMS_ENOSPC);
    assert_non_null(strstr(d.text, "is full"));
    assert_non_null(strstr(d.text, "nothing was written"));
    expect_head_seq(f->s, f->kp.pk, 3);
    record(f, 3, 6);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
    reopen(f);
    expect_head_seq(f->s, f->kp.pk, 6);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

static void failed_sync_acknowledges_nothing_and_stops_writes(void **state)
{
    fixture *f = *state;
    record(f, 0, 5);
    store_test_fail_sync(f->s, EIO);
    tims_crossing c;
    sample(5, &c);
    tims_diag d;
    assert_int_equal(tims_store_record_crossing(f->s, &f->kp, 1, &c, NULL, &d), TIMS_EIO);
    assert_non_null(strstr(d.text, "could not be made durable"));
    assert_non_null(strstr(d.text, "restart"));
    /* the disk may look healthy again, but what it lost is unknown: no more writes */
    store_test_fail_sync(f->s, 0);
    sample(6, &c);
    assert_int_equal(tims_store_record_crossing(f->s, &f->kp, 1, &c, NULL, &d), TIMS_EIO);
    assert_non_null(strstr(d.text, "takes no more writes"));
    /* a restart reads what the disk holds; the chain goes on from there without a gap */
    reopen(f);
    record(f, 6, 8);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

static void read_only_store_refuses_writes(void **state)
{
    fixture *f = *state;
    record(f, 0, 3);
    tims_store *ro;
    tims_diag d;
    assert_int_equal(tims_store_open(f->dir, TIMS_STORE_READONLY, &ro, &d), TIMS_OK);
    tims_crossing c;
    sample(5, &c);
    assert_int_equal(tims_store_record_crossing(ro, &f->kp, 1, &c, NULL, &d), TIMS_EACCES);
    assert_non_null(strstr(d.text, "read-only"));
    tims_store_close(ro);
}

static void unwritable_data_folder_gives_eacces_for_an_unprivileged_user(void **state)
{
    fixture *f = *state;
    record(f, 0, 3);
    tims_store_close(f->s);
    f->s = NULL;
    /* root owns folder and file; the child drops to nobody and can read but not write */
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, TIMS_STORE_DB_FILE);
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(chmod(path, 0644), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(3);
        tims_store *s = NULL;
        tims_diag d;
        tims_err err = tims_store_open(f->dir, 0, &s, &d);
        int code = err == TIMS_EACCES && strstr(d.text, "writable") ? 0 : 1;
        if (code)
            fprintf(stderr, "child: %d %s\n", err, d.text);
        tims_store_close(s);
        _exit(code);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    reopen(f);
    expect_head_seq(f->s, f->kp.pk, 3);
}

/* ---- group commit -------------------------------------------------------------------- */

typedef struct writer_arg {
    fixture *f;
    const tims_keypair *kp;
    int base, count;
    int failures;
} writer_arg;

static void *writer(void *p)
{
    writer_arg *a = p;
    for (int i = 0; i < a->count; i++) {
        tims_crossing c;
        tims_diag d;
        sample(a->base + i, &c);
        if (tims_store_record_crossing(a->f->s, a->kp, c.time_us, &c, NULL, &d) != TIMS_OK) {
            if (!a->failures)
                fprintf(stderr, "writer %d: %s\n", a->base, d.text);
            a->failures++;
        }
    }
    return NULL;
}

static void concurrent_writers_share_commits_and_keep_seqs_gapless(void **state)
{
    fixture *f = *state;
    enum { THREADS = 8, EACH = 150 };
    pthread_t t[THREADS];
    writer_arg a[THREADS];
    tims_keypair other;
    seed_key(77, &other);
    for (int i = 0; i < THREADS; i++) {
        a[i] = (writer_arg){f, i % 4 == 3 ? &other : &f->kp, i * EACH, EACH, 0};
        pthread_create(&t[i], NULL, writer, &a[i]);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        failures += a[i].failures;
    }
    assert_int_equal(failures, 0);
    tims_diag d;
    expect_head_seq(f->s, f->kp.pk, 6 * EACH);
    expect_head_seq(f->s, other.pk, 2 * EACH);
    reopen(f);
    tims_verify_report r;
    assert_int_equal(tims_store_verify(f->s, TIMS_VERIFY_STRICT, &r, &d), TIMS_OK);
    assert_int_equal(r.entries, THREADS * EACH);
    assert_int_equal(r.origins, 2);
}

/* Writers that keep recording until told to stop, noting what was acknowledged. */
typedef struct failing_writer {
    fixture *f;
    int base;
    atomic_int *stop;
    atomic_int acked, failed, acked_after_failure; /* read by the main thread meanwhile */
    tims_entry_ref refs[4000];
} failing_writer;

static void *write_until_stopped(void *p)
{
    failing_writer *w = p;
    for (int i = 0; !*w->stop && w->acked + w->failed < (int)TIMS_ARRAY_LEN(w->refs); i++) {
        tims_crossing c;
        tims_diag d;
        sample(w->base + i, &c);
        if (tims_store_record_crossing(w->f->s, &w->f->kp, c.time_us, &c, &w->refs[w->acked], &d) ==
            TIMS_OK) {
            w->acked_after_failure += w->failed > 0;
            w->acked++;
        } else {
            w->failed++;
        }
    }
    return NULL;
}

static void sync_failure_under_concurrent_writers_stops_every_acknowledgement(void **state)
{
    fixture *f = *state;
    enum { THREADS = 8 };
    atomic_int stop = 0;
    pthread_t t[THREADS];
    failing_writer *w = calloc(THREADS, sizeof *w);
    assert_non_null(w);
    for (int i = 0; i < THREADS; i++) {
        w[i].f = f;
        w[i].base = i * 10000;
        w[i].stop = &stop;
        pthread_create(&t[i], NULL, write_until_stopped, &w[i]);
    }
    for (int acked = 0; acked < 300;) { /* let the batches and syncs overlap first */
        usleep(1000);
        acked = 0;
        for (int i = 0; i < THREADS; i++)
            acked += w[i].acked;
    }
    store_test_fail_sync(f->s, EIO);
    for (int failed = 0; !failed;) {
        usleep(1000);
        for (int i = 0; i < THREADS; i++)
            failed += w[i].failed;
    }
    store_test_fail_sync(f->s, 0); /* the disk looks healthy again: still no acknowledgement */
    usleep(20000);
    stop = 1;
    int acked = 0, failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        acked += w[i].acked;
        failed += w[i].failed;
        assert_int_equal(w[i].acked_after_failure, 0); /* a failed sync is final */
    }
    assert_true(failed >= THREADS); /* every writer was told */
    /* after a restart every acknowledged crossing is there and the chain is whole */
    reopen(f);
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < w[i].acked; k++) {
            tims_entry e;
            tims_diag d;
            assert_int_equal(
                tims_store_get_entry(f->s, w[i].refs[k].origin, w[i].refs[k].seq, &e, &d), TIMS_OK);
            assert_memory_equal(e.hash, w[i].refs[k].hash, TIMS_HASH_LEN);
            tims_entry_clear(&e);
        }
    tims_verify_report r;
    tims_diag d;
    assert_int_equal(tims_store_verify(f->s, TIMS_VERIFY_STRICT, &r, &d), TIMS_OK);
    assert_true(r.entries >= (uint64_t)acked);
    free(w);
}

/* A sync hook that holds the sync of batch `hold` until released (then answers hold_errno)
 * and answers fail_errno for batch `fail`: two syncs in flight, finishing in a chosen order. */
typedef struct sync_script {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t hold, fail;
    int hold_errno, fail_errno;
    int held, released;
} sync_script;

static int scripted_sync(void *arg, int slot, uint64_t batch)
{
    sync_script *sc = arg;
    (void)slot;
    int e = 0;
    pthread_mutex_lock(&sc->mu);
    if (batch == sc->hold) {
        sc->held = 1;
        pthread_cond_broadcast(&sc->cv);
        while (!sc->released)
            pthread_cond_wait(&sc->cv, &sc->mu);
        e = sc->hold_errno;
    } else if (batch == sc->fail) {
        e = sc->fail_errno;
    }
    pthread_mutex_unlock(&sc->mu);
    return e;
}

typedef struct one_crossing {
    fixture *f;
    int i;
    tims_err err;
} one_crossing;

static void *record_one(void *p)
{
    one_crossing *o = p;
    tims_crossing c;
    tims_diag d;
    sample(o->i, &c);
    o->err = tims_store_record_crossing(o->f->s, &o->f->kp, c.time_us, &c, NULL, &d);
    return NULL;
}

/* expect_no_more_writes - after a failed sync the store refuses the next crossing. */
static void expect_no_more_writes(fixture *f)
{
    tims_crossing c;
    tims_diag d;
    sample(2, &c);
    assert_int_equal(tims_store_record_crossing(f->s, &f->kp, 1, &c, NULL, &d), TIMS_EIO);
    assert_non_null(strstr(d.text, "takes no more writes"));
}

/* Batch 1 (a thread's crossing) is in its sync when batch 2 (this thread's) is written and
 * synced in the other slot; the script decides which sync fails and in which order. */
static void run_two_syncs(fixture *f, sync_script *sc, tims_err *first, tims_err *second)
{
    reopen(f); /* batches count from 1 again */
    pthread_mutex_init(&sc->mu, NULL);
    pthread_cond_init(&sc->cv, NULL);
    store_test_sync_hook(f->s, scripted_sync, sc);
    one_crossing a = {f, 0, TIMS_OK}, b = {f, 1, TIMS_OK};
    pthread_t t;
    pthread_create(&t, NULL, record_one, &a);
    pthread_mutex_lock(&sc->mu);
    while (!sc->held)
        pthread_cond_wait(&sc->cv, &sc->mu);
    pthread_mutex_unlock(&sc->mu);
    record_one(&b); /* batch 2, synced in the second slot while batch 1 is held */
    *second = b.err;
    pthread_mutex_lock(&sc->mu);
    sc->released = 1;
    pthread_cond_broadcast(&sc->cv);
    pthread_mutex_unlock(&sc->mu);
    pthread_join(t, NULL);
    *first = a.err;
    store_test_sync_hook(f->s, NULL, NULL);
    pthread_cond_destroy(&sc->cv);
    pthread_mutex_destroy(&sc->mu);
}

static void a_failed_sync_fails_the_batch_still_syncing_before_it(void **state)
{
    fixture *f = *state;
    sync_script sc = {.hold = 1, .hold_errno = 0, .fail = 2, .fail_errno = EIO};
    tims_err first, second;
    run_two_syncs(f, &sc, &first, &second);
    assert_int_equal(second, TIMS_EIO);
    /* batch 1's own sync then succeeds, but nothing is acknowledged after a failed one */
    assert_int_equal(first, TIMS_EIO);
    expect_no_more_writes(f);
    reopen(f);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

static void a_later_sync_that_succeeds_first_acknowledges_the_batch_before_it(void **state)
{
    fixture *f = *state;
    sync_script sc = {.hold = 1, .hold_errno = EIO, .fail = 0};
    tims_err first, second;
    run_two_syncs(f, &sc, &first, &second);
    /* batch 2's sync started after batch 1 was written, so it made both durable */
    assert_int_equal(second, TIMS_OK);
    assert_int_equal(first, TIMS_OK);
    /* batch 1's own sync then failed: the store takes no more writes */
    expect_no_more_writes(f);
    reopen(f);
    expect_head_seq(f->s, f->kp.pk, 2);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
}

/* ---- schema -------------------------------------------------------------------------- */

static void empty_version_0_database_is_migrated(void **state)
{
    (void)state;
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, TIMS_STORE_DB_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE unrelated(x); DROP TABLE unrelated;", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    tims_store *s;
    tims_diag d;
    assert_int_equal(tims_store_open(dir, TIMS_STORE_READONLY, &s, &d), TIMS_ESCHEMA);
    assert_non_null(strstr(d.text, "needs migrating"));
    assert_int_equal(tims_store_open(dir, 0, &s, &d), TIMS_OK);
    assert_int_equal(tims_store_schema_version(s), TIMS_STORE_SCHEMA_VERSION);
    assert_int_equal(tims_store_backend_of(s), TIMS_STORE_SQLITE);
    tims_store_close(s);
    tu_rmtree(dir);
    tims_free(dir);
}

static char *dump_derived(fixture *f);

/* version 1 kept travellers as a table and had no heads: a populated version 1 database is
 * migrated with every row the same and verifies */
static void version_1_database_is_migrated_with_its_data(void **state)
{
    fixture *f = *state;
    record(f, 0, 40);
    tims_entry_ref target = {.seq = 7};
    memcpy(target.origin, f->kp.pk, TIMS_PUBKEY_LEN);
    tims_crossing v;
    memset(&v, 0, sizeof v);
    snprintf(v.doc_number, sizeof v.doc_number, "X1234567");
    tims_diag d;
    assert_int_equal(tims_store_record_correction(f->s, &f->kp, 5, &target, &v, TIMS_CF_DOC_NUMBER,
                                                  0, "typo", "o-1", NULL, &d),
                     TIMS_OK);
    char *before = dump_derived(f);
    tims_store_close(f->s);
    f->s = NULL;
    sql(f, "DROP TABLE heads; DROP VIEW travellers;"
           "CREATE TABLE travellers (state TEXT NOT NULL, number TEXT NOT NULL,"
           " surname TEXT NOT NULL, given TEXT NOT NULL, nationality TEXT NOT NULL,"
           " birth TEXT NOT NULL, sex TEXT NOT NULL, last_entry INTEGER NOT NULL,"
           " last_time INTEGER NOT NULL, crossings INTEGER NOT NULL,"
           " PRIMARY KEY (state, number)) WITHOUT ROWID;"
           "INSERT INTO travellers SELECT c.state, c.number, c.surname, c.given, c.nationality,"
           " c.birth, c.sex, c.entry, c.time, (SELECT count(*) FROM crossings x WHERE"
           " x.state = c.state AND x.number = c.number AND x.void = 0) FROM crossings c"
           " WHERE c.void = 0 AND NOT EXISTS (SELECT 1 FROM crossings y WHERE y.state = c.state"
           " AND y.number = c.number AND y.void = 0 AND (y.time > c.time OR (y.time = c.time"
           " AND y.entry > c.entry)));"
           "PRAGMA user_version = 1;");
    reopen(f);
    assert_int_equal(tims_store_schema_version(f->s), TIMS_STORE_SCHEMA_VERSION);
    char *after = dump_derived(f);
    assert_string_equal(before, after);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
    record(f, 41, 43); /* seq 41 is the correction: the chain goes on from 42 */
    expect_verify_ok(f, 0);
    tims_free(before);
    tims_free(after);
}

static void newer_schema_is_refused_and_left_alone(void **state)
{
    fixture *f = *state;
    tims_store_close(f->s);
    f->s = NULL;
    sql(f, "PRAGMA user_version = 99");
    tims_diag d;
    assert_int_equal(tims_store_open(f->dir, 0, &f->s, &d), TIMS_ESCHEMA);
    assert_non_null(strstr(d.text, "version 99"));
    assert_null(f->s);
    tims_buf out = {0}, err = {0};
    const char *args[] = {"verify", "--data", f->dir, NULL};
    assert_int_equal(tu_run(args, NULL, &out, &err), EX_CONFIG);
    tims_buf_free(&out);
    tims_buf_free(&err);
    char current[64];
    snprintf(current, sizeof current, "PRAGMA user_version = %d", TIMS_STORE_SCHEMA_VERSION);
    sql(f, current);
    reopen(f);
}

static void create_refuses_an_existing_store_and_open_a_missing_one(void **state)
{
    fixture *f = *state;
    tims_store *s;
    tims_diag d;
    assert_int_equal(tims_store_create(f->dir, &s, &d), TIMS_EEXIST);
    char *dir = tu_tempdir();
    assert_int_equal(tims_store_open(dir, 0, &s, &d), TIMS_ENOENT);
    assert_non_null(strstr(d.text, "tims init"));
    tu_rmtree(dir);
    tims_free(dir);
}

/* ---- import and equivocation --------------------------------------------------------- */

static int collect(const tims_entry *e, void *ctx)
{
    tims_entry *out = ctx;
    size_t i = e->seq - 1;
    assert_int_equal(tims_entry_copy(&out[i], e), TIMS_OK);
    return 0;
}

/* a correction and a redaction from a third origin arrive before the entries they name: each
 * applies when its target arrives, exactly as reindex derives it */
static void correction_and_redaction_that_arrive_first_apply_on_arrival(void **state)
{
    fixture *f = *state;
    char *dir2 = tu_tempdir();
    tims_store *s2;
    tims_diag d;
    tims_keypair k2, k3;
    seed_key(90, &k2);
    seed_key(120, &k3);
    assert_int_equal(tims_store_create(dir2, &s2, &d), TIMS_OK);
    for (int i = 0; i < 3; i++) {
        tims_crossing c;
        sample(i, &c);
        assert_int_equal(tims_store_record_crossing(s2, &k2, 1, &c, NULL, &d), TIMS_OK);
    }
    tims_entry_ref third = {.seq = 3}, second = {.seq = 2};
    memcpy(third.origin, k2.pk, TIMS_PUBKEY_LEN);
    memcpy(second.origin, k2.pk, TIMS_PUBKEY_LEN);
    tims_crossing v;
    memset(&v, 0, sizeof v);
    snprintf(v.surname, sizeof v.surname, "CORRECTED");
    assert_int_equal(tims_store_record_correction(s2, &k3, 2, &third, &v, TIMS_CF_SURNAME, 0,
                                                  "typo", "o-2", NULL, &d),
                     TIMS_OK);
    assert_int_equal(tims_store_redact(s2, &k3, 3, &second, 1, "retention", NULL, &d), TIMS_OK);
    tims_entry theirs[3], fixes[2];
    memset(theirs, 0, sizeof theirs);
    memset(fixes, 0, sizeof fixes);
    assert_int_equal(tims_store_each_entry(s2, k2.pk, 0, 0, collect, theirs, &d), TIMS_OK);
    assert_int_equal(tims_store_each_entry(s2, k3.pk, 0, 0, collect, fixes, &d), TIMS_OK);
    tims_store_close(s2);
    tims_verify_fail vf;
    record(f, 0, 2); /* this store's own entries come before and after */
    if (tims_store_import(f->s, fixes, 2, &vf, &d) != TIMS_OK)
        fail_msg("%s", d.text);
    if (tims_store_import(f->s, theirs, 3, &vf, &d) != TIMS_OK)
        fail_msg("%s", d.text);
    record(f, 2, 4);
    tims_crossing c, *h;
    size_t n;
    sample(2, &c);
    assert_int_equal(tims_store_history(f->s, c.issuing_state, c.doc_number, &h, &n, &d), TIMS_OK);
    int corrected = 0;
    for (size_t i = 0; i < n; i++)
        corrected += strcmp(h[i].surname, "CORRECTED") == 0;
    assert_int_equal(corrected, 1); /* theirs, not this store's own crossing of that document */
    tims_free(h);
    tims_entry e;
    assert_int_equal(tims_store_get_entry(f->s, k2.pk, 2, &e, &d), TIMS_OK);
    assert_true(e.redacted);
    tims_entry_clear(&e);
    expect_verify_ok(f, TIMS_VERIFY_STRICT);
    for (int i = 0; i < 3; i++)
        tims_entry_clear(&theirs[i]);
    for (int i = 0; i < 2; i++)
        tims_entry_clear(&fixes[i]);
    tu_rmtree(dir2);
    tims_free(dir2);
}

static void imported_chain_is_stored_and_repeats_are_harmless(void **state)
{
    fixture *f = *state;
    /* another node's store */
    char *dir2 = tu_tempdir();
    tims_store *s2;
    tims_diag d;
    tims_keypair k2;
    seed_key(90, &k2);
    assert_int_equal(tims_store_create(dir2, &s2, &d), TIMS_OK);
    for (int i = 0; i < 5; i++) {
        tims_crossing c;
        sample(i, &c);
        assert_int_equal(tims_store_record_crossing(s2, &k2, 1, &c, NULL, &d), TIMS_OK);
    }
    tims_entry es[5];
    memset(es, 0, sizeof es);
    assert_int_equal(tims_store_each_entry(s2, k2.pk, 0, 0, collect, es, &d), TIMS_OK);
    tims_verify_fail vf;
    if (tims_store_import(f->s, es, 3, &vf, &d) != TIMS_OK)
        fail_msg("%s", d.text);
    assert_int_equal(tims_store_import(f->s, es, 5, &vf, &d), TIMS_OK); /* 1-3 repeated */
    uint64_t seq;
    uint8_t hash[TIMS_HASH_LEN];
    assert_int_equal(tims_store_head(f->s, k2.pk, &seq, hash, &d), TIMS_OK);
    assert_int_equal(seq, 5);
    assert_memory_equal(hash, es[4].hash, TIMS_HASH_LEN);
    /* a broken batch changes nothing */
    tims_entry bad;
    assert_int_equal(tims_entry_copy(&bad, &es[4]), TIMS_OK);
    bad.seq = 7;
    assert_int_equal(tims_store_import(f->s, &bad, 1, &vf, &d), TIMS_ETAMPER);
    assert_int_equal(vf.problem, TIMS_VP_SEQ_GAP);
    tims_entry_clear(&bad);
    /* a second, validly signed entry with seq 4: equivocation */
    tims_entry rival;
    assert_int_equal(
        tims_entry_make(&k2, 3, es[2].hash, 2, TIMS_KIND_AUDIT, "{\"x\":1}", 7, &rival, &d),
        TIMS_OK);
    assert_int_equal(tims_store_import(f->s, &rival, 1, &vf, &d), TIMS_ETAMPER);
    assert_int_equal(vf.problem, TIMS_VP_EQUIVOCATION);
    assert_int_equal(vf.seq, 4);
    assert_true(tims_store_origin_blocked(f->s, k2.pk));
    assert_false(tims_store_origin_blocked(f->s, f->kp.pk));
    /* nothing more from that origin, not even valid continuations */
    assert_int_equal(tims_store_append(f->s, &k2, 3, TIMS_KIND_AUDIT, "{}", 2, NULL, &d),
                     TIMS_ETAMPER);
    tims_verify_report r;
    assert_int_equal(tims_store_verify(f->s, 0, &r, &d), TIMS_ETAMPER);
    assert_int_equal(r.fail.problem, TIMS_VP_EQUIVOCATION);
    assert_memory_equal(r.fail.origin, k2.pk, TIMS_PUBKEY_LEN);
    tims_entry_clear(&rival);
    for (int i = 0; i < 5; i++)
        tims_entry_clear(&es[i]);
    tims_store_close(s2);
    tu_rmtree(dir2);
    tims_free(dir2);
}

/* ---- the commands -------------------------------------------------------------------- */

static void verify_command_names_origin_and_seq_and_exits_65(void **state)
{
    fixture *f = *state;
    record(f, 0, 12);
    tims_store_close(f->s);
    f->s = NULL;
    tims_buf out = {0}, err = {0};
    const char *args[] = {"verify", "--data", f->dir, "--strict", NULL};
    assert_int_equal(tu_run(args, NULL, &out, &err), EX_OK);
    assert_non_null(strstr(out.data, "verified 12 entries of 1 origins"));
    sql(f, "UPDATE journal SET time = time + 1 WHERE id = (1 << 40) | 6");
    tims_buf_reset(&out);
    tims_buf_reset(&err);
    assert_int_equal(tu_run(args, NULL, &out, &err), EX_DATAERR);
    char hex[65];
    tims_hex(f->kp.pk, TIMS_PUBKEY_LEN, hex);
    assert_non_null(strstr(err.data, hex));
    assert_non_null(strstr(err.data, "seq 6"));
    const char *jargs[] = {"verify", "--data", f->dir, "--json", NULL};
    tims_buf_reset(&out);
    assert_int_equal(tu_run(jargs, NULL, &out, &err), EX_DATAERR);
    assert_non_null(strstr(out.data, "\"ok\":false"));
    assert_non_null(strstr(out.data, "\"seq\":6"));
    tims_buf_free(&out);
    tims_buf_free(&err);
    reopen(f);
}

static void reindex_command_repairs_derived_tables(void **state)
{
    fixture *f = *state;
    record(f, 0, 12);
    tims_store_close(f->s);
    f->s = NULL;
    sql(f, "DELETE FROM crossings WHERE entry = (1 << 40) | 4");
    tims_buf out = {0}, err = {0};
    const char *v[] = {"verify", "--data", f->dir, NULL};
    assert_int_equal(tu_run(v, NULL, &out, &err), EX_DATAERR);
    assert_non_null(strstr(err.data, "crossings"));
    const char *r[] = {"reindex", "--data", f->dir, NULL};
    assert_int_equal(tu_run(r, NULL, &out, &err), EX_OK);
    assert_non_null(strstr(out.data, "from 12 journal entries"));
    assert_int_equal(tu_run(v, NULL, &out, &err), EX_OK);
    const char *u[] = {"verify", NULL};
    assert_int_equal(tu_run(u, NULL, &out, &err), EX_USAGE);
    tims_buf_free(&out);
    tims_buf_free(&err);
    reopen(f);
}

static void crossing_body_is_exact_compact_json_and_reads_back(void **state)
{
    (void)state;
    tims_crossing c, back;
    tims_diag d;
    sample(1, &c);
    snprintf(c.surname, sizeof c.surname, "O\"BRIEN\\X");
    tims_buf b = {0};
    assert_int_equal(tims_crossing_to_body(&c, &b, &d), TIMS_OK);
    assert_string_equal(b.data, "{\"state\":\"UTO\",\"number\":\"X0000001\",\"code\":\"P\","
                                "\"surname\":\"O\\\"BRIEN\\\\X\",\"given\":\"ANNA MARIA\","
                                "\"nationality\":\"UTO\",\"birth\":\"1974-08-02\",\"sex\":\"F\","
                                "\"dir\":\"exit\",\"time\":1700000001000000,\"bcp\":\"BCP-1\","
                                "\"officer\":\"o-1\",\"vehicle\":\"\",\"decision\":\"admitted\"}");
    assert_int_equal(tims_crossing_from_body(b.data, b.len, &back, &d), TIMS_OK);
    assert_string_equal(back.surname, c.surname);
    tims_buf_reset(&b);
    snprintf(c.surname, sizeof c.surname, "M\xC3\x9CLLER"); /* UTF-8 */
    assert_int_equal(tims_crossing_to_body(&c, &b, &d), TIMS_OK);
    assert_non_null(strstr(b.data, "\"surname\":\"M\xC3\x9CLLER\","));
    tims_buf_reset(&b);
    snprintf(c.surname, sizeof c.surname, "M\xC3"); /* not UTF-8 */
    assert_int_equal(tims_crossing_to_body(&c, &b, &d), TIMS_EINVAL);
    snprintf(c.surname, sizeof c.surname, "OK");
    c.direction = (tims_direction)7;
    assert_int_equal(tims_crossing_to_body(&c, &b, &d), TIMS_EINVAL);
    tims_buf_free(&b);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(recorded_crossings_show_in_history_oldest_first),
        T(invalid_crossing_body_is_refused_and_uses_no_seq),
        T(stored_entry_reads_back_exactly),
        T(correction_changes_the_current_view_and_keeps_the_original),
        T(redaction_removes_personal_data_and_the_chain_still_verifies),
        T(failed_allocation_writes_nothing_and_keeps_seqs_gapless),
        T(changed_body_byte_in_the_file_is_found),
        T(deleted_entry_in_the_file_is_found),
        T(dropped_newest_entry_is_found_through_the_derived_tables),
        T(edited_chain_head_is_found),
        T(inserted_entry_in_the_file_is_found),
        T(reordered_entries_in_the_file_are_found),
        T(rehashed_chain_in_the_file_fails_on_the_signature),
        T(chain_resigned_with_another_key_is_found),
        T(crossing_deleted_from_the_derived_table_only_is_found),
        T(crossing_edited_in_the_derived_table_only_is_found),
        T(reindex_reproduces_every_derived_table_exactly),
        T(full_database_gives_enospc_and_acknowledges_nothing),
        T(a_failed_log_write_acknowledges_nothing_and_the_next_crossing_is_recorded),
        T(failed_sync_acknowledges_nothing_and_stops_writes),
        T(read_only_store_refuses_writes),
        T(unwritable_data_folder_gives_eacces_for_an_unprivileged_user),
        T(concurrent_writers_share_commits_and_keep_seqs_gapless),
        T(sync_failure_under_concurrent_writers_stops_every_acknowledgement),
        T(a_failed_sync_fails_the_batch_still_syncing_before_it),
        T(a_later_sync_that_succeeds_first_acknowledges_the_batch_before_it),
        cmocka_unit_test(empty_version_0_database_is_migrated),
        cmocka_unit_test(crossing_body_is_exact_compact_json_and_reads_back),
        T(version_1_database_is_migrated_with_its_data),
        T(newer_schema_is_refused_and_left_alone),
        T(create_refuses_an_existing_store_and_open_a_missing_one),
        T(imported_chain_is_stored_and_repeats_are_harmless),
        T(correction_and_redaction_that_arrive_first_apply_on_arrival),
        T(verify_command_names_origin_and_seq_and_exits_65),
        T(reindex_command_repairs_derived_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
