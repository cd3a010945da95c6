/* test_mrz_cli.c - `tims mrz` and `tims demo` through the real binary: exit codes, the JSON
 * shape, files, several records, the repair, and the options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

#define TD3                                                                                        \
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"                                               \
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
#define TD3_BAD_BIRTH_CD                                                                           \
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"                                               \
    "L898902C36UTO7408123F1204159ZE184226B<<<<<10\n"
#define TD3_OCR                                                                                    \
    "P<UT0ERIK55ON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"                                               \
    "L898902C36UTO740BIZZF12041S9ZE184226B<<<<<1O\n"
#define TD1                                                                                        \
    "I<UTOD231458907<<<<<<<<<<<<<<<\r\n7408122F1204159UTO<<<<<<<<<<<6\r\n"                         \
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<\r\n"

/* run tims with args and input; parse each stdout line as JSON into out[] */
static int run_json(const char *const *args, const char *input, json_t **out, size_t max, size_t *n)
{
    tims_buf o = {0};
    int code = tu_run(args, input, &o, NULL);
    *n = 0;
    for (char *line = o.data; line && *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        json_error_t jerr;
        assert_true(*n < max);
        out[*n] = json_loads(line, 0, &jerr);
        if (!out[*n])
            fail_msg("not JSON (%s): %s", jerr.text, line);
        (*n)++;
        line = nl + 1;
    }
    tims_buf_free(&o);
    return code;
}

static void free_all(json_t **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(v[i]);
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("%s is not a string", key);
    return json_string_value(v);
}

static void valid_record_exits_zero_and_reads_as_text(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"mrz", "--today", "2025-06-01", NULL};
    assert_int_equal(tu_run(args, TD3, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "TD3 passport: valid"));
    assert_non_null(strstr(out.data, "ERIKSSON"));
    assert_non_null(strstr(out.data, "1974-08-12"));
    tims_buf_free(&out);
}

static void invalid_record_exits_65_and_says_why(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"mrz", NULL};
    assert_int_equal(tu_run(args, TD3_BAD_BIRTH_CD, &out, NULL), EX_DATAERR);
    assert_non_null(strstr(out.data, "NOT VALID"));
    assert_non_null(strstr(out.data, "check digit of the date of birth is 3, but 740812 gives 2"));
    tims_buf_free(&out);
}

static void json_has_every_field_and_error_details(void **state)
{
    (void)state;
    json_t *v[4];
    size_t n;
    const char *args[] = {"mrz", "--json", "--today", "2025-06-01", NULL};
    assert_int_equal(run_json(args, TD3_BAD_BIRTH_CD, v, 4, &n), EX_DATAERR);
    assert_int_equal(n, 1);
    json_t *o = v[0];
    assert_string_equal(str(o, "format"), "TD3");
    assert_true(json_is_false(json_object_get(o, "valid")));
    static const char *const keys[] = {
        "document_code", "issuing_state", "surname",     "given_names", "document_number",
        "nationality",   "birth_date",    "expiry_date", "sex",         "optional_data"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(keys); i++)
        str(o, keys[i]);
    assert_string_equal(str(o, "birth_date"), "1974-08-12");
    assert_string_equal(str(o, "expiry_date"), "2012-04-15");
    assert_string_equal(str(o, "given_names"), "ANNA MARIA");
    assert_true(json_is_null(json_object_get(o, "optional_data_2")));
    assert_true(json_is_boolean(json_object_get(o, "name_truncated")));
    assert_true(json_is_boolean(json_object_get(o, "no_primary_identifier")));
    assert_true(json_is_boolean(json_object_get(o, "document_number_extended")));
    assert_int_equal(json_array_size(json_object_get(o, "lines")), 2);
    assert_null(json_object_get(o, "repair"));
    json_t *errors = json_object_get(o, "errors");
    assert_int_equal(json_array_size(errors), 2);
    json_t *e = json_array_get(errors, 0);
    assert_string_equal(str(e, "field"), "birth_date");
    assert_string_equal(str(e, "code"), "check_digit");
    assert_string_equal(str(e, "got"), "3");
    assert_int_equal(json_integer_value(json_object_get(e, "expected")), 2);
    assert_int_equal(json_integer_value(json_object_get(e, "line")), 2);
    assert_int_equal(json_integer_value(json_object_get(e, "position")), 20);
    assert_non_null(strstr(str(e, "message"), "740812 gives 2"));
    free_all(v, n);
}

static void unknown_shape_has_null_fields(void **state)
{
    (void)state;
    json_t *v[2];
    size_t n;
    const char *args[] = {"mrz", "--json", NULL};
    assert_int_equal(run_json(args, "HELLO\nWORLD\n", v, 2, &n), EX_DATAERR);
    assert_int_equal(n, 1);
    assert_string_equal(str(v[0], "format"), "UNKNOWN");
    assert_true(json_is_null(json_object_get(v[0], "surname")));
    assert_string_equal(str(json_array_get(json_object_get(v[0], "errors"), 0), "code"), "shape");
    free_all(v, n);
}

static void file_argument_with_several_records_gives_one_line_each(void **state)
{
    (void)state;
    char *dir = tu_tempdir();
    tims_buf path = {0};
    assert_int_equal(tims_buf_printf(&path, "%s/scans.txt", dir), TIMS_OK);
    FILE *f = fopen(path.data, "wb");
    assert_non_null(f);
    fputs("  " TD1 "\r\n\r\n" TD3 "\n   \n" TD3_BAD_BIRTH_CD, f);
    fclose(f);
    json_t *v[4];
    size_t n;
    const char *args[] = {"mrz", "--json", path.data, NULL};
    assert_int_equal(run_json(args, NULL, v, 4, &n), EX_DATAERR);
    assert_int_equal(n, 3);
    assert_string_equal(str(v[0], "format"), "TD1");
    assert_true(json_is_true(json_object_get(v[0], "valid")));
    assert_string_equal(str(v[1], "format"), "TD3");
    assert_true(json_is_true(json_object_get(v[1], "valid")));
    assert_true(json_is_false(json_object_get(v[2], "valid")));
    free_all(v, n);

    const char *valid_only[] = {"mrz", "--json", "-", NULL};
    assert_int_equal(run_json(valid_only, TD1 "\n" TD3, v, 4, &n), EX_OK);
    assert_int_equal(n, 2);
    free_all(v, n);
    tu_rmtree(dir);
    tims_free(dir);
    tims_buf_free(&path);
}

static void missing_file_exits_66(void **state)
{
    (void)state;
    tims_buf err = {0};
    const char *args[] = {"mrz", "/nonexistent/tims/scans.txt", NULL};
    assert_int_equal(tu_run(args, NULL, NULL, &err), EX_NOINPUT);
    assert_non_null(strstr(err.data, "/nonexistent/tims/scans.txt"));
    tims_buf_free(&err);
}

static void bad_usage_exits_64(void **state)
{
    (void)state;
    const char *unknown[] = {"mrz", "--frobnicate", NULL};
    assert_int_equal(tu_run(unknown, TD3, NULL, NULL), EX_USAGE);
    const char *two_files[] = {"mrz", "a.txt", "b.txt", NULL};
    assert_int_equal(tu_run(two_files, TD3, NULL, NULL), EX_USAGE);
    const char *bad_today[] = {"mrz", "--today", "2025-02-30", NULL};
    assert_int_equal(tu_run(bad_today, TD3, NULL, NULL), EX_USAGE);
    const char *signed_today[] = {"mrz", "--today", "+025-06-01", NULL};
    assert_int_equal(tu_run(signed_today, TD3, NULL, NULL), EX_USAGE);
    const char *no_today[] = {"mrz", "--today", NULL};
    assert_int_equal(tu_run(no_today, TD3, NULL, NULL), EX_USAGE);
}

static void no_record_at_all_is_a_data_error(void **state)
{
    (void)state;
    tims_buf err = {0};
    const char *args[] = {"mrz", NULL};
    assert_int_equal(tu_run(args, "\n  \n", NULL, &err), EX_DATAERR);
    assert_non_null(strstr(err.data, "no MRZ record"));
    tims_buf_free(&err);
}

static void today_decides_the_birth_century(void **state)
{
    (void)state;
    json_t *v[2];
    size_t n;
    const char *in_2025[] = {"mrz", "--json", "--today", "2025-06-01", NULL};
    run_json(in_2025, TD3, v, 2, &n);
    assert_string_equal(str(v[0], "birth_date"), "1974-08-12");
    free_all(v, n);
    const char *in_2080[] = {"mrz", "--json", "--today", "2080-01-01", NULL};
    run_json(in_2080, TD3, v, 2, &n);
    assert_string_equal(str(v[0], "birth_date"), "2074-08-12");
    free_all(v, n);
}

static void repair_shows_original_changes_and_repaired_lines(void **state)
{
    (void)state;
    json_t *v[2];
    size_t n;
    const char *args[] = {"mrz", "--json", "--repair", NULL};
    assert_int_equal(run_json(args, TD3_OCR, v, 2, &n), EX_OK);
    json_t *o = v[0];
    assert_true(json_is_true(json_object_get(o, "valid")));
    assert_true(json_is_true(json_object_get(o, "repaired")));
    assert_string_equal(str(o, "surname"), "ERIKSSON");
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "lines"), 0)),
                        "P<UT0ERIK55ON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
    json_t *r = json_object_get(o, "repair");
    assert_string_equal(str(r, "status"), "unique");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "lines"), 1)),
                        "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    json_t *c = json_array_get(json_object_get(r, "changes"), 3);
    assert_int_equal(json_integer_value(json_object_get(c, "line")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "position")), 17);
    assert_string_equal(str(c, "from"), "B");
    assert_string_equal(str(c, "to"), "8");
    assert_true(json_array_size(json_object_get(r, "original_errors")) > 0);
    free_all(v, n);

    /* without --repair the same input is not valid */
    const char *plain[] = {"mrz", "--json", NULL};
    assert_int_equal(run_json(plain, TD3_OCR, v, 2, &n), EX_DATAERR);
    assert_null(json_object_get(v[0], "repair"));
    free_all(v, n);

    /* no repair possible: status none, exit 65 */
    assert_int_equal(run_json(args, TD3_BAD_BIRTH_CD, v, 2, &n), EX_DATAERR);
    assert_string_equal(str(json_object_get(v[0], "repair"), "status"), "none");
    assert_true(json_is_false(json_object_get(v[0], "repaired")));
    free_all(v, n);
}

static void accept_sex_x_option_accepts_x(void **state)
{
    (void)state;
    const char *x = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                    "L898902C36UTO7408122X1204159ZE184226B<<<<<10\n";
    const char *plain[] = {"mrz", NULL};
    assert_int_equal(tu_run(plain, x, NULL, NULL), EX_DATAERR);
    const char *accept[] = {"mrz", "--accept-sex-x", NULL};
    assert_int_equal(tu_run(accept, x, NULL, NULL), EX_OK);
}

static void demo_reads_every_specimen(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"demo", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    static const char *const kinds[] = {"TD1 identity card: valid", "TD2 identity card: valid",
                                        "TD3 passport: valid", "MRV-A visa: valid",
                                        "MRV-B visa: valid"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(kinds); i++)
        assert_non_null(strstr(out.data, kinds[i]));
    assert_null(strstr(out.data, "NOT VALID"));
    tims_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_record_exits_zero_and_reads_as_text),
        cmocka_unit_test(invalid_record_exits_65_and_says_why),
        cmocka_unit_test(json_has_every_field_and_error_details),
        cmocka_unit_test(unknown_shape_has_null_fields),
        cmocka_unit_test(file_argument_with_several_records_gives_one_line_each),
        cmocka_unit_test(missing_file_exits_66),
        cmocka_unit_test(bad_usage_exits_64),
        cmocka_unit_test(no_record_at_all_is_a_data_error),
        cmocka_unit_test(today_decides_the_birth_century),
        cmocka_unit_test(repair_shows_original_changes_and_repaired_lines),
        cmocka_unit_test(accept_sex_x_option_accepts_x),
        cmocka_unit_test(demo_reads_every_specimen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
