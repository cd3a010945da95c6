/* test_core.c - the shared core: error words, diagnostics, allocation failure, tims_buf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tims/common.h"
#include "tims/country.h"

static void every_error_code_has_distinct_words(void **state)
{
    (void)state;
    for (int a = TIMS_EINTERNAL; a <= TIMS_OK; a++) {
        assert_string_not_equal(tims_strerror((tims_err)a), "unknown error");
        for (int b = a + 1; b <= TIMS_OK; b++)
            assert_string_not_equal(tims_strerror((tims_err)a), tims_strerror((tims_err)b));
    }
    assert_string_equal(tims_strerror((tims_err)-999), "unknown error");
}

static void diag_formats_and_returns_the_error(void **state)
{
    (void)state;
    tims_diag d;
    assert_int_equal(tims_diag_set(&d, TIMS_EDATA, "line %d: %s", 2, "bad"), TIMS_EDATA);
    assert_string_equal(d.text, "line 2: bad");
    assert_int_equal(tims_diag_set(NULL, TIMS_EIO, "ignored"), TIMS_EIO);
    tims_diag_clear(&d);
    assert_string_equal(d.text, "");
}

static void buf_grows_and_stays_terminated(void **state)
{
    (void)state;
    tims_buf b = {0};
    for (int i = 0; i < 1000; i++)
        assert_int_equal(tims_buf_printf(&b, "%03d,", i), TIMS_OK);
    assert_int_equal(b.len, 4000);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data + 3996, "999,", 4);
    tims_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(tims_buf_puts(&b, "abc"), TIMS_OK);
    char *s = tims_buf_steal(&b);
    assert_string_equal(s, "abc");
    assert_null(b.data);
    tims_free(s);
    tims_buf_free(&b);
}

static void failed_allocation_leaves_buf_unchanged(void **state)
{
    (void)state;
    tims_buf b = {0};
    assert_int_equal(tims_buf_puts(&b, "kept"), TIMS_OK);
    tims_alloc_fail_after(0);
    assert_int_equal(tims_buf_reserve(&b, 4096), TIMS_ENOMEM);
    assert_null(tims_strdup("x"));
    tims_alloc_fail_after(-1);
    assert_string_equal(b.data, "kept");
    assert_int_equal(b.len, 4);
    tims_buf_free(&b);
}

static void fail_after_counts_successful_allocations(void **state)
{
    (void)state;
    tims_alloc_fail_after(2);
    void *a = tims_malloc(8), *b = tims_malloc(8), *c = tims_malloc(8);
    tims_alloc_fail_after(-1);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    tims_free(a);
    tims_free(b);
}

static void country_codes_include_icao_specials(void **state)
{
    (void)state;
    assert_string_equal(tims_country_by_code("GBR")->name, "United Kingdom");
    assert_non_null(tims_country_by_code("D"));
    assert_non_null(tims_country_by_code("UTO"));
    assert_non_null(tims_country_by_code("XXA"));
    assert_null(tims_country_by_code("ASU"));
    assert_null(tims_country_by_code("UT0"));
    assert_string_equal(tims_country_by_alpha2("DE")->alpha3, "DEU");
}

static void country_names_as_lists_write_them(void **state)
{
    (void)state;
    const char *n = "Korea, North";
    assert_string_equal(tims_country_code_from_name(n, strlen(n)), "PRK");
    n = "IRAN";
    assert_string_equal(tims_country_code_from_name(n, strlen(n)), "IRN");
    n = "Russian Federation";
    assert_string_equal(tims_country_code_from_name(n, strlen(n)), "RUS");
    n = "Atlantis";
    assert_null(tims_country_code_from_name(n, strlen(n)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_error_code_has_distinct_words),
        cmocka_unit_test(diag_formats_and_returns_the_error),
        cmocka_unit_test(buf_grows_and_stays_terminated),
        cmocka_unit_test(failed_allocation_leaves_buf_unchanged),
        cmocka_unit_test(fail_after_counts_successful_allocations),
        cmocka_unit_test(country_codes_include_icao_specials),
        cmocka_unit_test(country_names_as_lists_write_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
