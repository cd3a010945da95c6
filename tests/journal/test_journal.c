/* test_journal.c - journal entries: the documented byte layout, signing, chain verification
 * and each kind of tampering, redaction, and node key files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "tims/journal.h"

/* The worked example of docs/journal.md: seed 00 01 .. 1f, time 1700000000000000, a crossing.
 * The hash was also recomputed independently with Python's hashlib.blake2b. */
static const char EX_BODY[] =
    "{\"state\":\"UTO\",\"number\":\"L898902C3\",\"code\":\"P\",\"surname\":\"ERIKSSON\","
    "\"given\":\"ANNA MARIA\",\"nationality\":\"UTO\",\"birth\":\"1974-08-12\",\"sex\":\"F\","
    "\"dir\":\"entry\",\"time\":1700000000000000,\"bcp\":\"UTO-NORTH-1\",\"officer\":\"o-1042\","
    "\"vehicle\":\"\",\"decision\":\"admitted\"}";
static const char EX_PK[] = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
static const char EX_BODY_HASH[] =
    "25e5d331c5154dcda28eabed4a1d299b4b2a2dbd0ccbcd4be42e89538e466e7d";
static const char EX_HASH[] = "a8f76ddc704d75d7c23794bde7e14693ab71100b2ef4f2fe60b09018365f5502";
static const char EX_SIG[] = "aaf1ff76e3caf069f5d1f6c568b09e1c48957fd5b3525835f27e65c0b8811313"
                             "fdc9ceb831ed596184c0f9b1ac4ba0e32b777bc12d44fa09aba1498aea42c101";

static void seed_key(uint8_t first, tims_keypair *kp)
{
    uint8_t seed[TIMS_SEED_LEN];
    for (int i = 0; i < TIMS_SEED_LEN; i++)
        seed[i] = (uint8_t)(first + i);
    assert_int_equal(tims_keypair_from_seed(seed, kp), TIMS_OK);
}

static void assert_hex(const uint8_t *bytes, size_t len, const char *expected)
{
    char hex[2 * 64 + 1];
    tims_hex(bytes, len, hex);
    assert_string_equal(hex, expected);
}

static void worked_example_of_the_docs_holds(void **state)
{
    (void)state;
    tims_keypair kp;
    seed_key(0, &kp);
    tims_entry e;
    assert_int_equal(tims_entry_make(&kp, 0, NULL, INT64_C(1700000000000000), TIMS_KIND_CROSSING,
                                     EX_BODY, strlen(EX_BODY), &e, NULL),
                     TIMS_OK);
    assert_int_equal(strlen(EX_BODY), 252);
    assert_hex(kp.pk, 32, EX_PK);
    assert_int_equal(e.seq, 1);
    assert_hex(e.body_hash, 32, EX_BODY_HASH);
    assert_hex(e.hash, 32, EX_HASH);
    assert_hex(e.sig, 64, EX_SIG);
    assert_int_equal(tims_entry_check_sig(&e), TIMS_OK);
    tims_entry_clear(&e);
}

static void kind_names_round_trip(void **state)
{
    (void)state;
    for (int k = TIMS_KIND_CROSSING; k <= TIMS_KIND_REDACTION; k++) {
        tims_entry_kind back;
        assert_non_null(tims_entry_kind_name(k));
        assert_int_equal(tims_entry_kind_parse(tims_entry_kind_name(k), &back), TIMS_OK);
        assert_int_equal(back, k);
    }
    tims_entry_kind back;
    assert_null(tims_entry_kind_name(0));
    assert_null(tims_entry_kind_name(10));
    assert_int_equal(tims_entry_kind_parse("crossings", &back), TIMS_EINVAL);
}

static void hex_rejects_wrong_length_and_digits(void **state)
{
    (void)state;
    uint8_t b[2];
    assert_int_equal(tims_unhex("0aFf", b, 2), TIMS_OK);
    assert_int_equal(b[0], 0x0a);
    assert_int_equal(b[1], 0xff);
    assert_int_equal(tims_unhex("0af", b, 2), TIMS_EINVAL);
    assert_int_equal(tims_unhex("0ag0", b, 2), TIMS_EINVAL);
    assert_int_equal(tims_unhex(NULL, b, 2), TIMS_EINVAL);
}

#define N 6

/* make_chain - N entries of the key with seed 1. */
static void make_chain(tims_entry *es, tims_keypair *kp)
{
    seed_key(1, kp);
    for (int i = 0; i < N; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        assert_int_equal(tims_entry_make(kp, (uint64_t)i, i ? es[i - 1].hash : NULL, 1000 + i,
                                         TIMS_KIND_AUDIT, body, strlen(body), &es[i], NULL),
                         TIMS_OK);
    }
}

static void free_chain(tims_entry *es, int n)
{
    for (int i = 0; i < n; i++)
        tims_entry_clear(&es[i]);
}

static void expect_fail(const tims_entry *es, size_t n, unsigned flags, tims_verify_problem p,
                        uint64_t seq)
{
    tims_verify_fail f;
    assert_int_equal(tims_journal_verify_run(es, n, 0, NULL, flags, &f), TIMS_ETAMPER);
    assert_int_equal(f.problem, p);
    assert_int_equal(f.seq, seq);
    assert_memory_equal(f.origin, es[0].origin, TIMS_PUBKEY_LEN);
    assert_true(strlen(f.detail) > 10);
}

static void intact_chain_verifies_in_both_modes(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    tims_verify_fail f;
    assert_int_equal(tims_journal_verify_run(es, N, 0, NULL, 0, &f), TIMS_OK);
    assert_int_equal(tims_journal_verify_run(es, N, 0, NULL, TIMS_VERIFY_STRICT, &f), TIMS_OK);
    /* a run that starts in the middle, after a trusted head */
    assert_int_equal(tims_journal_verify_run(es + 3, N - 3, 3, es[2].hash, 0, &f), TIMS_OK);
    free_chain(es, N);
}

static void changed_body_byte_is_found(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    es[2].body[5] ^= 1;
    expect_fail(es, N, 0, TIMS_VP_BODY_HASH, 3);
    free_chain(es, N);
}

static void deleted_entry_is_found(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    tims_entry gap[N - 1];
    for (int i = 0, j = 0; i < N; i++)
        if (i != 3)
            gap[j++] = es[i];
    expect_fail(gap, N - 1, 0, TIMS_VP_SEQ_GAP, 4);
    free_chain(es, N);
}

static void reordered_entries_are_found(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    tims_entry t = es[1];
    es[1] = es[2];
    es[2] = t;
    expect_fail(es, N, 0, TIMS_VP_SEQ_GAP, 2);
    free_chain(es, N);
}

static void inserted_entry_is_found(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    /* a forged entry with the right seq and prev, then the rest renumbered after it */
    tims_entry forged, run[N + 1];
    assert_int_equal(
        tims_entry_make(&kp, 2, es[1].hash, 5, TIMS_KIND_AUDIT, "{}", 2, &forged, NULL), TIMS_OK);
    run[0] = es[0];
    run[1] = es[1];
    run[2] = forged;
    for (int i = 2; i < N; i++) {
        run[i + 1] = es[i];
        run[i + 1].seq++;
    }
    /* the entry after the insertion no longer links */
    expect_fail(run, N + 1, 0, TIMS_VP_PREV, 4);
    tims_entry_clear(&forged);
    free_chain(es, N);
}

static void rehashed_chain_fails_on_the_signature(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    /* change entry 3's body and recompute every hash after it without the key */
    es[2].body[5] ^= 1;
    for (int i = 2; i < N; i++) {
        memcpy(es[i].prev, es[i - 1].hash, TIMS_HASH_LEN);
        tims_body_hash(es[i].body, es[i].body_len, es[i].body_hash);
        tims_entry_compute_hash(&es[i], es[i].hash);
    }
    expect_fail(es, N, 0, TIMS_VP_SIG, N);                  /* chain mode: the last signature */
    expect_fail(es, N, TIMS_VERIFY_STRICT, TIMS_VP_SIG, 3); /* strict: the first changed */
    free_chain(es, N);
}

static void entry_signed_with_another_key_is_found(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp, other;
    make_chain(es, &kp);
    seed_key(99, &other);
    tims_entry_sign(&es[N - 1], &other);
    expect_fail(es, N, 0, TIMS_VP_SIG, N);
    tims_entry_sign(&es[N - 1], &kp);
    tims_entry_sign(&es[1], &other);
    expect_fail(es, N, TIMS_VERIFY_STRICT, TIMS_VP_SIG, 2);
    free_chain(es, N);
}

static void redacted_entry_still_verifies(void **state)
{
    (void)state;
    tims_entry es[N];
    tims_keypair kp;
    make_chain(es, &kp);
    tims_entry_redact(&es[2]);
    assert_null(es[2].body);
    tims_verify_fail f;
    assert_int_equal(tims_journal_verify_run(es, N, 0, NULL, TIMS_VERIFY_STRICT, &f), TIMS_OK);
    /* a redacted entry whose body_hash is changed breaks the chain */
    es[2].body_hash[0] ^= 1;
    expect_fail(es, N, 0, TIMS_VP_HASH, 3);
    free_chain(es, N);
}

static void key_file_is_private_and_never_overwritten(void **state)
{
    (void)state;
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/node.key", dir);
    tims_keypair kp, back;
    tims_diag d;
    assert_int_equal(tims_keypair_generate(&kp), TIMS_OK);
    assert_int_equal(tims_keypair_save(path, &kp, &d), TIMS_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(tims_keypair_save(path, &kp, &d), TIMS_EEXIST);
    assert_non_null(strstr(d.text, "never overwritten"));
    assert_int_equal(tims_keypair_load(path, &back, &d), TIMS_OK);
    assert_memory_equal(back.pk, kp.pk, TIMS_PUBKEY_LEN);
    assert_memory_equal(back.sk, kp.sk, TIMS_SECKEY_LEN);
    tims_keypair_wipe(&back);
    tu_rmtree(dir);
    tims_free(dir);
}

static void key_file_readable_by_others_is_refused(void **state)
{
    (void)state;
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/node.key", dir);
    tims_keypair kp, back;
    tims_diag d;
    assert_int_equal(tims_keypair_generate(&kp), TIMS_OK);
    assert_int_equal(tims_keypair_save(path, &kp, &d), TIMS_OK);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(tims_keypair_load(path, &back, &d), TIMS_EACCES);
    assert_non_null(strstr(d.text, "chmod 600"));
    assert_non_null(strstr(d.text, path));
    tu_rmtree(dir);
    tims_free(dir);
}

static void damaged_or_missing_key_file_is_refused(void **state)
{
    (void)state;
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/node.key", dir);
    tims_keypair kp;
    tims_diag d;
    assert_int_equal(tims_keypair_load(path, &kp, &d), TIMS_ENOENT);
    FILE *f = fopen(path, "w");
    fputs("tims-ed25519-secret-v1\nnot hex\n", f);
    fclose(f);
    chmod(path, 0600);
    assert_int_equal(tims_keypair_load(path, &kp, &d), TIMS_EDATA);
    /* a seed whose stored public half is wrong */
    tims_keypair good;
    assert_int_equal(tims_keypair_generate(&good), TIMS_OK);
    good.sk[40] ^= 1;
    unlink(path);
    assert_int_equal(tims_keypair_save(path, &good, &d), TIMS_OK);
    assert_int_equal(tims_keypair_load(path, &kp, &d), TIMS_ECRYPTO);
    tu_rmtree(dir);
    tims_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example_of_the_docs_holds),
        cmocka_unit_test(kind_names_round_trip),
        cmocka_unit_test(hex_rejects_wrong_length_and_digits),
        cmocka_unit_test(intact_chain_verifies_in_both_modes),
        cmocka_unit_test(changed_body_byte_is_found),
        cmocka_unit_test(deleted_entry_is_found),
        cmocka_unit_test(reordered_entries_are_found),
        cmocka_unit_test(inserted_entry_is_found),
        cmocka_unit_test(rehashed_chain_fails_on_the_signature),
        cmocka_unit_test(entry_signed_with_another_key_is_found),
        cmocka_unit_test(redacted_entry_still_verifies),
        cmocka_unit_test(key_file_is_private_and_never_overwritten),
        cmocka_unit_test(key_file_readable_by_others_is_refused),
        cmocka_unit_test(damaged_or_missing_key_file_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
