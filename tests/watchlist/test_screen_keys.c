/* test_screen_keys.c - the building blocks of screening: token keys and the document table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tims/watchlist.h"
#include "watchlist/screen_int.h"

static int share_key(const char *a, const char *b)
{
    uint64_t ka[WLS_MAX_KEYS], kb[WLS_MAX_KEYS];
    tims_name_token ta = {.text = a, .len = (uint16_t)strlen(a)};
    tims_name_token tb = {.text = b, .len = (uint16_t)strlen(b)};
    size_t ea, eb;
    size_t na = wls_token_keys(&ta, ka, &ea), nb = wls_token_keys(&tb, kb, &eb);
    for (size_t i = 0; i < na; i++) {
        for (size_t j = 0; j < nb; j++) {
            if (ka[i] == kb[j])
                return 1;
        }
    }
    return 0;
}

static void one_edit_apart_tokens_share_a_key(void **state)
{
    (void)state;
    assert_true(share_key("abdullah", "abdulah"));   /* deletion */
    assert_true(share_key("mahmood", "mahmoood"));   /* insertion */
    assert_true(share_key("gasmi", "gassmi"));       /* doubled letter */
    assert_true(share_key("lakhal", "lakahl"));      /* swapped neighbours */
    assert_true(share_key("syawal", "syawil"));      /* substitution */
    assert_true(share_key("putin", "putin"));
}

static void transliteration_variants_share_the_skeleton(void **state)
{
    (void)state;
    char a[64], b[64];
    assert_int_equal(wls_skeleton("mohammed", 8, a), 4);
    assert_string_equal(a, "mhmt");
    wls_skeleton("muhammad", 8, b);
    assert_string_equal(a, b);
    assert_true(share_key("hussein", "husain"));
    assert_true(share_key("usama", "osama"));
    assert_true(share_key("qadhafi", "kadafi"));
    assert_true(share_key("yusuf", "jusuf"));
    assert_true(share_key("vladimir", "wladimir"));
    assert_true(share_key("mohammed", "muhammad"));
}

static void unrelated_tokens_share_no_key(void **state)
{
    (void)state;
    assert_false(share_key("putin", "smith"));
    assert_false(share_key("john", "juan")); /* two edits apart; skeletons jhn / jn */
    assert_false(share_key("garcia", "martinez"));
    assert_int_equal(wls_skeleton("al", 2, (char[8]){0}), 0); /* too short for a skeleton */
}

static void doctable_finds_exactly_the_added_keys(void **state)
{
    (void)state;
    tims_wl_doctable *t = NULL;
    assert_int_equal(tims_wl_doctable_new(4, &t), TIMS_OK);
    assert_int_equal(tims_wl_doctable_add(t, "UTO", "L898902C3", 7), TIMS_OK);
    assert_int_equal(tims_wl_doctable_add(t, "D", "C01X00T47", 8), TIMS_OK);
    assert_int_equal(tims_wl_doctable_add(t, "", "AB 269-600", 9), TIMS_OK);
    /* a long number goes to the hashed table and is verified by its text */
    assert_int_equal(tims_wl_doctable_add(t, "FRA", "1234567890ABCDEFG", 10), TIMS_OK);
    uint32_t refs[4];
    assert_int_equal(tims_wl_doctable_find(t, "UTO", "l898902c3", refs, 4), 1);
    assert_int_equal(refs[0], 7);
    assert_int_equal(tims_wl_doctable_find(t, "D<<", "C01X00T47", refs, 4), 1);
    assert_int_equal(refs[0], 8);
    assert_int_equal(tims_wl_doctable_find(t, "", "AB269600", refs, 4), 1);
    assert_int_equal(refs[0], 9);
    assert_int_equal(tims_wl_doctable_find(t, "FRA", "1234567890-abcdefg", refs, 4), 1);
    assert_int_equal(refs[0], 10);
    /* same number, other state; other number, same state */
    assert_int_equal(tims_wl_doctable_find(t, "GBR", "L898902C3", refs, 4), 0);
    assert_int_equal(tims_wl_doctable_find(t, "UTO", "L898902C4", refs, 4), 0);
    assert_int_equal(tims_wl_doctable_find(t, "FRA", "1234567890ABCDEFH", refs, 4), 0);
    assert_int_equal(tims_wl_doctable_count(t), 4);
    tims_wl_doctable_free(t);
}

static void doctable_keeps_every_ref_of_a_repeated_key(void **state)
{
    (void)state;
    tims_wl_doctable *t = NULL;
    assert_int_equal(tims_wl_doctable_new(0, &t), TIMS_OK);
    assert_int_equal(tims_wl_doctable_add(t, "UTO", "X1", 1), TIMS_OK);
    assert_int_equal(tims_wl_doctable_add(t, "UTO", "X1", 2), TIMS_OK);
    uint32_t refs[1];
    assert_int_equal(tims_wl_doctable_find(t, "UTO", "X1", refs, 1), 2); /* counts past cap */
    tims_wl_doctable_free(t);
}

static void doctable_refuses_keys_it_cannot_hold(void **state)
{
    (void)state;
    tims_wl_doctable *t = NULL;
    assert_int_equal(tims_wl_doctable_new(0, &t), TIMS_OK);
    assert_int_equal(tims_wl_doctable_add(t, "UTO", " - ", 1), TIMS_EINVAL);
    assert_int_equal(tims_wl_doctable_add(t, "UT1", "X1", 1), TIMS_EINVAL);
    assert_int_equal(tims_wl_doctable_add(t, "UTOO", "X1", 1), TIMS_EINVAL);
    char longnum[64];
    memset(longnum, '7', 50);
    longnum[50] = '\0';
    assert_int_equal(tims_wl_doctable_add(t, "UTO", longnum, 1), TIMS_EINVAL);
    assert_int_equal(tims_wl_doctable_count(t), 0);
    tims_wl_doctable_free(t);
}

static void doctable_grows_and_keeps_every_key(void **state)
{
    (void)state;
    tims_wl_doctable *t = NULL;
    assert_int_equal(tims_wl_doctable_new(0, &t), TIMS_OK);
    char num[32];
    for (uint32_t i = 0; i < 20000; i++) {
        snprintf(num, sizeof num, i % 7 ? "N%07u" : "LONGNUMBER%08u", i);
        assert_int_equal(tims_wl_doctable_add(t, i % 2 ? "UTO" : "D", num, i), TIMS_OK);
    }
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t ref;
        snprintf(num, sizeof num, i % 7 ? "N%07u" : "LONGNUMBER%08u", i);
        assert_int_equal(tims_wl_doctable_find(t, i % 2 ? "UTO" : "D", num, &ref, 1), 1);
        assert_int_equal(ref, i);
        assert_int_equal(tims_wl_doctable_find(t, i % 2 ? "D" : "UTO", num, &ref, 1), 0);
    }
    assert_true(tims_wl_doctable_bytes(t) / 20000 <= 32);
    tims_wl_doctable_free(t);
}

static void doctable_fails_cleanly_without_memory(void **state)
{
    (void)state;
    tims_wl_doctable *t = NULL;
    tims_alloc_fail_after(0);
    assert_int_equal(tims_wl_doctable_new(10, &t), TIMS_ENOMEM);
    tims_alloc_fail_after(-1);
    assert_int_equal(tims_wl_doctable_new(0, &t), TIMS_OK);
    char num[16];
    tims_err err = TIMS_OK;
    tims_alloc_fail_after(0);
    for (uint32_t i = 0; i < 100 && err == TIMS_OK; i++) {
        snprintf(num, sizeof num, "N%u", i);
        err = tims_wl_doctable_add(t, "UTO", num, i);
    }
    tims_alloc_fail_after(-1);
    assert_int_equal(err, TIMS_ENOMEM);
    uint32_t ref;
    assert_int_equal(tims_wl_doctable_find(t, "UTO", "N0", &ref, 1), 1); /* kept what it had */
    tims_wl_doctable_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_edit_apart_tokens_share_a_key),
        cmocka_unit_test(transliteration_variants_share_the_skeleton),
        cmocka_unit_test(unrelated_tokens_share_no_key),
        cmocka_unit_test(doctable_finds_exactly_the_added_keys),
        cmocka_unit_test(doctable_keeps_every_ref_of_a_repeated_key),
        cmocka_unit_test(doctable_refuses_keys_it_cannot_hold),
        cmocka_unit_test(doctable_grows_and_keeps_every_key),
        cmocka_unit_test(doctable_fails_cleanly_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
