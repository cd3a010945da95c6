/* test_screen_cli.c - `tims screen` as users and scripts run it: one query, a CSV batch, lists
 * from a node's data folder, JSON output, and the exit codes of bad input. The list is a small
 * tims-csv file written by the test itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

static const char list_csv[] =
    "# source: testlist\n"
    "id,category,type,name,aliases,birth_dates,nationalities,gender,documents\n"
    "W-1,wanted,person,Vladimir Vladimirovich PUTIN,Vladimir PUTIN,1952-10-07,RUS,M,"
    "passport=RUS:123456789\n"
    "W-2,wanted,person,Abdullah ANSHORI,,1958,IDN,M,\n"
    "W-3,entry_ban,person,Joaquin GUZMAN LOERA,El Chapo,1954-12-25,MEX,M,\n"
    "L-1,lost_stolen,,,,,,,passport=UTO:L898902C3\n";

typedef struct fixture {
    char *dir;
    char *list; /* "tims-csv:DIR/list.csv" */
    char *path;
} fixture;

static char *write_file(const char *dir, const char *name, const char *text)
{
    tims_buf path = {0};
    assert_int_equal(tims_buf_printf(&path, "%s/%s", dir, name), TIMS_OK);
    FILE *f = fopen(path.data, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return tims_buf_steal(&path);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tempdir();
    f->path = write_file(f->dir, "list.csv", list_csv);
    tims_buf spec = {0};
    tims_buf_printf(&spec, "tims-csv:%s", f->path);
    f->list = tims_buf_steal(&spec);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    tims_free(f->dir);
    tims_free(f->list);
    tims_free(f->path);
    free(f);
    return 0;
}

static json_t *parse_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, text);
    return j;
}

static void one_query_prints_hits_with_their_reasons_as_json(void **state)
{
    fixture *f = *state;
    tims_buf out = {0};
    const char *args[] = {"screen", "--list", f->list, "--name", "PUTIN, Wladimir",
                          "--dob", "1952-10-07", "--nationality", "RUS", "--sex", "M",
                          "--json", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    json_t *j = parse_json(out.data);
    json_t *hits = json_object_get(j, "hits");
    assert_int_equal(json_array_size(hits), 1);
    json_t *h = json_array_get(hits, 0);
    assert_string_equal(json_string_value(json_object_get(h, "list")), "testlist");
    assert_string_equal(json_string_value(json_object_get(h, "entry_id")), "W-1");
    assert_string_equal(json_string_value(json_object_get(h, "name")),
                        "Vladimir Vladimirovich PUTIN");
    const char *matched = json_string_value(json_object_get(h, "matched_name"));
    assert_non_null(matched); /* either name: the patronymic the query lacks costs nothing */
    assert_true(strcmp(matched, "Vladimir PUTIN") == 0 ||
                strcmp(matched, "Vladimir Vladimirovich PUTIN") == 0);
    double score = json_real_value(json_object_get(h, "score"));
    assert_true(score >= 0.88 && score <= 1.0);
    json_t *reasons = json_object_get(h, "reasons");
    assert_true(json_array_size(reasons) >= 4);
    int dob = 0, threshold = 0;
    for (size_t i = 0; i < json_array_size(reasons); i++) {
        const char *r = json_string_value(json_array_get(reasons, i));
        dob |= strstr(r, "date of birth 1952-10-07 is the listed date") != NULL;
        threshold |= strstr(r, "threshold 0.88") != NULL;
    }
    assert_true(dob && threshold);
    json_decref(j);
    tims_buf_free(&out);
}

static void text_output_names_the_entry_and_the_reasons(void **state)
{
    fixture *f = *state;
    tims_buf out = {0};
    const char *args[] = {"screen", "--list", f->list, "--name", "Abdulah Anshori", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "1 hit at threshold 0.88"));
    assert_non_null(strstr(out.data, "W-2  Abdullah ANSHORI"));
    assert_non_null(strstr(out.data, "abdulah~abdullah"));
    tims_buf_free(&out);
}

static void a_document_with_its_state_is_a_hit_without_a_name(void **state)
{
    fixture *f = *state;
    tims_buf out = {0};
    const char *args[] = {"screen", "--list", f->list, "--doc", "UTO:L898902C3", "--json", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    json_t *j = parse_json(out.data);
    json_t *h = json_array_get(json_object_get(j, "hits"), 0);
    assert_non_null(h);
    assert_true(json_is_true(json_object_get(h, "document_hit")));
    assert_true(json_is_null(json_object_get(h, "matched_name")));
    json_decref(j);
    tims_buf_free(&out);
}

static void a_batch_gives_one_json_line_per_row(void **state)
{
    fixture *f = *state;
    char *people = write_file(f->dir, "people.csv",
                              "full_name,first_name,gender,date_of_birth,nationality\r\n"
                              "Kathryn Barr,Kathryn,other,1966-07-06,United Arab Emirates\r\n"
                              "\"Putin, Vladimir\",Vladimir,male,1952,Russia\r\n"
                              "Joaquin Guzman,,M,1990,MEX\r\n");
    tims_buf out = {0};
    const char *args[] = {"screen", "--list", f->list, "--batch", people, "--json", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    char *save = NULL;
    int rows = 0;
    for (char *line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *j = parse_json(line);
        rows++;
        assert_int_equal(json_integer_value(json_object_get(j, "row")), rows);
        size_t n = json_array_size(json_object_get(j, "hits"));
        if (rows == 1)
            assert_int_equal(n, 0);
        if (rows == 2) {
            assert_int_equal(n, 1);
            json_t *h = json_array_get(json_object_get(j, "hits"), 0);
            assert_string_equal(json_string_value(json_object_get(h, "entry_id")), "W-1");
        }
        if (rows == 3) /* born 36 years off the listed date: a name alone is not enough */
            assert_int_equal(n, 0);
        json_decref(j);
    }
    assert_int_equal(rows, 3);
    tims_free(people);
    tims_buf_free(&out);
}

static void a_malformed_batch_names_its_line_and_exits_65(void **state)
{
    fixture *f = *state;
    static const char *const bad[][2] = {
        {"full_name,date_of_birth\nKathryn Barr,1966-07-06\n\"Unclosed,1970\n", "line 3"},
        {"full_name,date_of_birth\nKathryn Barr\n", "line 2"},
        {"full_name,date_of_birth\nKathryn Barr,19xx\n", "line 2"},
        {"name,date_of_birth\nKathryn Barr,1966\n", "full_name"},
        {"full_name,gender\nKathryn \"Kate\" Barr,female\n", "line 2"},
        {"", "empty"},
    };
    for (size_t i = 0; i < TIMS_ARRAY_LEN(bad); i++) {
        char *people = write_file(f->dir, "bad.csv", bad[i][0]);
        tims_buf err = {0};
        const char *args[] = {"screen", "--list", f->list, "--batch", people, "--json", NULL};
        int rc = tu_run(args, NULL, NULL, &err);
        if (rc != EX_DATAERR || !strstr(err.data, bad[i][1]))
            fail_msg("case %zu: exit %d, message: %s", i, rc, err.data ? err.data : "");
        tims_free(people);
        tims_buf_free(&err);
    }
}

static void lists_come_from_a_node_data_folder(void **state)
{
    fixture *f = *state;
    char *node = tu_tempdir();
    const char *imp[] = {"list", "import", "--data", node, f->list, "--name", "national", NULL};
    assert_int_equal(tu_run(imp, NULL, NULL, NULL), EX_OK);
    tims_buf out = {0};
    const char *args[] = {"screen", "--data", node, "--name", "Joaquin Guzman Loera", "--json",
                          NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    json_t *j = parse_json(out.data);
    json_t *h = json_array_get(json_object_get(j, "hits"), 0);
    assert_non_null(h);
    assert_string_equal(json_string_value(json_object_get(h, "list")), "national");
    assert_string_equal(json_string_value(json_object_get(h, "entry_id")), "W-3");
    json_decref(j);
    tims_buf_free(&out);
    /* an empty node folder has no lists to screen against */
    char *empty = tu_tempdir();
    tims_buf err = {0};
    const char *none[] = {"screen", "--data", empty, "--name", "X Y", NULL};
    assert_int_equal(tu_run(none, NULL, NULL, &err), EX_NOINPUT);
    assert_non_null(strstr(err.data, "no lists"));
    tims_buf_free(&err);
    tu_rmtree(empty);
    tims_free(empty);
    tu_rmtree(node);
    tims_free(node);
}

static void bad_arguments_are_usage_errors(void **state)
{
    fixture *f = *state;
    const char *cases[][8] = {
        {"screen", "--name", "X", NULL},
        {"screen", "--list", f->list, NULL},
        {"screen", "--list", "nocolon", "--name", "X", NULL},
        {"screen", "--list", f->list, "--name", "X", "--dob", "1974-13-01", NULL},
        {"screen", "--list", f->list, "--name", "X", "--sex", "Q", NULL},
        {"screen", "--list", f->list, "--doc", "L898902C3", NULL},
        {"screen", "--list", f->list, "--name", "X", "--threshold", "1.5", NULL},
        {"screen", "--list", f->list, "--name", "X", "--limit", "0", NULL},
    };
    for (size_t i = 0; i < TIMS_ARRAY_LEN(cases); i++) {
        tims_buf err = {0};
        int rc = tu_run(cases[i], NULL, NULL, &err);
        if (rc != EX_USAGE)
            fail_msg("case %zu: exit %d (%s)", i, rc, err.data ? err.data : "");
        tims_buf_free(&err);
    }
    tims_buf err = {0};
    const char *missing[] = {"screen", "--list", "un-xml:/nonexistent/un.xml", "--name", "X",
                             NULL};
    assert_int_equal(tu_run(missing, NULL, NULL, &err), EX_NOINPUT);
    tims_buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_query_prints_hits_with_their_reasons_as_json),
        cmocka_unit_test(text_output_names_the_entry_and_the_reasons),
        cmocka_unit_test(a_document_with_its_state_is_a_hit_without_a_name),
        cmocka_unit_test(a_batch_gives_one_json_line_per_row),
        cmocka_unit_test(a_malformed_batch_names_its_line_and_exits_65),
        cmocka_unit_test(lists_come_from_a_node_data_folder),
        cmocka_unit_test(bad_arguments_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
