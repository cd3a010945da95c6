/* test_node_cli.c - the node commands through the real binary: init, cross, history, stay,
 * correct, log (and the journal's verify when the build has it).
 *
 * The traveller is the ICAO Doc 9303 TD3 specimen (UTO, L898902C3) from
 * $TIMS_TEST_DATA/mrz/vectors.jsonl; its passport expired on 2012-04-15, so crossings are
 * back-filled with --at in 2011 unless a test wants the expired document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

static char *specimen;     /* the TD3 specimen, two lines */
static char *specimen_bad; /* the same with a broken check digit */

typedef struct fixture {
    char *tmp;
    char *dir; /* tmp/node */
} fixture;

static char *mrz_of_first_td3(void)
{
    char *path = tu_data_path("mrz/vectors.jsonl");
    char *text = tu_read_file(path, NULL);
    char *nl = strchr(text, '\n');
    json_error_t jerr;
    json_t *rec = json_loadb(text, nl ? (size_t)(nl - text) : strlen(text), 0, &jerr);
    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(rec, "format")), "TD3");
    json_t *lines = json_object_get(rec, "mrz");
    tims_buf b = {0};
    for (size_t i = 0; i < json_array_size(lines); i++)
        assert_int_equal(tims_buf_printf(&b, "%s\n", json_string_value(json_array_get(lines, i))), TIMS_OK);
    json_decref(rec);
    tims_free(text);
    tims_free(path);
    return tims_buf_steal(&b);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->tmp = tu_tempdir();
    tims_buf b = {0};
    tims_buf_printf(&b, "%s/node", f->tmp);
    f->dir = tims_buf_steal(&b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->tmp);
    tims_free(f->tmp);
    tims_free(f->dir);
    free(f);
    return 0;
}

static void init_node(fixture *f, const char *country)
{
    tims_buf err = {0};
    const char *args[] = {"init", "--data", f->dir, "--name", "bcp-test", country ? "--country" : NULL, country, NULL};
    int rc = tu_run(args, NULL, NULL, &err);
    if (rc != 0)
        fail_msg("tims init failed (%d): %s", rc, err.data ? err.data : "");
    tims_buf_free(&err);
}

/* cross - run tims cross --json and return the parsed result (NULL when it failed: rc says). */
static json_t *cross(fixture *f, const char *direction, const char *at, const char *mrz, int *rc_out)
{
    tims_buf out = {0}, err = {0};
    const char *args[] = {"cross", "--data", f->dir, "--direction", direction, "--json", "--officer", "o-17",
                          at ? "--at" : NULL, at, NULL};
    int rc = tu_run(args, mrz, &out, &err);
    if (rc_out)
        *rc_out = rc;
    json_t *j = NULL;
    if (rc == 0) {
        json_error_t jerr;
        j = json_loads(out.data, 0, &jerr);
        if (!j)
            fail_msg("cross printed no JSON: %s", out.data);
    } else if (!rc_out) {
        fail_msg("tims cross failed (%d): %s", rc, err.data ? err.data : "");
    }
    tims_buf_free(&out);
    tims_buf_free(&err);
    return j;
}

static int has_reason(json_t *res, const char *code)
{
    json_t *reasons = json_object_get(res, "reasons");
    for (size_t i = 0; i < json_array_size(reasons); i++) {
        if (strcmp(json_string_value(json_object_get(json_array_get(reasons, i), "code")), code) == 0)
            return 1;
    }
    return 0;
}

static size_t log_count(fixture *f, const char *kind)
{
    tims_buf out = {0};
    const char *args[] = {"log", "--data", f->dir, "--json", kind ? "--kind" : NULL, kind, NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), 0);
    json_error_t jerr;
    json_t *j = json_loads(out.data, 0, &jerr);
    if (!j)
        fail_msg("log printed no JSON: %s", out.data);
    size_t n = json_array_size(j);
    json_decref(j);
    tims_buf_free(&out);
    return n;
}

static json_t *run_json(const char *const *args, int want_rc)
{
    tims_buf out = {0}, err = {0};
    int rc = tu_run(args, NULL, &out, &err);
    if (rc != want_rc)
        fail_msg("%s exited %d, expected %d: %s", args[0], rc, want_rc, err.data ? err.data : "");
    json_error_t jerr;
    json_t *j = rc == 0 ? json_loads(out.data, 0, &jerr) : NULL;
    if (rc == 0 && !j)
        fail_msg("%s printed no JSON: %s", args[0], out.data);
    tims_buf_free(&out);
    tims_buf_free(&err);
    return j;
}

/* ---- init ---- */

static void init_creates_the_node_and_refuses_to_overwrite_it(void **state)
{
    fixture *f = *state;
    init_node(f, "UTO");
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/node.key", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/tims.ini", f->dir);
    char *ini = tu_read_file(path, NULL);
    assert_non_null(strstr(ini, "name = bcp-test"));
    assert_non_null(strstr(ini, "country = UTO"));
    snprintf(path, sizeof path, "%s/stay-rules.ini", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(log_count(f, "node_register"), 1);

    tims_buf err = {0};
    const char *again[] = {"init", "--data", f->dir, "--name", "other", NULL};
    assert_int_equal(tu_run(again, NULL, NULL, &err), 73);
    assert_non_null(strstr(err.data, "already holds a tims node"));
    snprintf(path, sizeof path, "%s/tims.ini", f->dir);
    char *after = tu_read_file(path, NULL);
    assert_string_equal(after, ini); /* untouched */
    assert_int_equal(log_count(f, NULL), 1);
    tims_free(after);
    tims_free(ini);
    tims_buf_free(&err);
}

static void init_without_name_or_with_a_bad_country_is_a_usage_error(void **state)
{
    fixture *f = *state;
    const char *noname[] = {"init", "--data", f->dir, NULL};
    assert_int_equal(tu_run(noname, NULL, NULL, NULL), 64);
    const char *badc[] = {"init", "--data", f->dir, "--name", "x", "--country", "Narnia", NULL};
    assert_int_equal(tu_run(badc, NULL, NULL, NULL), 64);
    const char *badrole[] = {"init", "--data", f->dir, "--name", "x", "--role", "king", NULL};
    assert_int_equal(tu_run(badrole, NULL, NULL, NULL), 64);
    const char *badname[] = {"init", "--data", f->dir, "--name", "north gate", NULL};
    assert_int_equal(tu_run(badname, NULL, NULL, NULL), 64);
    struct stat st;
    assert_int_not_equal(stat(f->dir, &st), 0); /* nothing was created */
}

static void commands_on_a_folder_that_is_no_node_say_so(void **state)
{
    fixture *f = *state;
    tims_buf err = {0};
    const char *args[] = {"log", "--data", f->dir, NULL};
    assert_int_equal(tu_run(args, NULL, NULL, &err), 66);
    assert_non_null(strstr(err.data, "tims init"));
    tims_buf_free(&err);
}

/* ---- cross, history, stay ---- */

static void entry_then_exit_is_in_history_and_counts_the_stay(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_t *in = cross(f, "entry", "2011-06-01T10:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(in, "decision")), "cleared");
    assert_int_equal(json_array_size(json_object_get(in, "reasons")), 0);
    const char *id = json_string_value(json_object_get(in, "id"));
    assert_non_null(id);
    assert_non_null(strchr(id, ':'));
    json_t *stay = json_object_get(in, "stay");
    assert_string_equal(json_string_value(json_object_get(stay, "policy")), "short-stay");
    assert_int_equal(json_integer_value(json_object_get(stay, "days_used")), 1);
    assert_int_equal(json_integer_value(json_object_get(stay, "days_left")), 90);
    assert_string_equal(json_string_value(json_object_get(stay, "latest_exit")), "2011-08-29");
    json_t *screening = json_object_get(in, "screening");
    assert_string_equal(json_string_value(json_object_get(screening, "status")), "no lists loaded");

    json_t *out = cross(f, "exit", "2011-06-10T18:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(out, "decision")), "cleared");
    assert_string_not_equal(json_string_value(json_object_get(out, "id")), id);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "stay"), "days_used")), 10);

    const char *hist[] = {"history", "--data", f->dir, "--doc", "UTO:L898902C3", "--json", NULL};
    json_t *h = run_json(hist, 0);
    assert_int_equal(json_array_size(h), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "direction")), "entry");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "direction")), "exit");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "id")), id);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "surname")), "ERIKSSON");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "given_names")), "ANNA MARIA");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "officer")), "o-17");

    /* 10 days used on the day of exit; on 2011-07-01 the same 10; the traveller is outside */
    const char *st[] = {"stay", "--data", f->dir, "--doc", "UTO:L898902C3", "--on", "2011-07-01", "--json", NULL};
    json_t *s = run_json(st, 0);
    assert_false(json_is_true(json_object_get(s, "inside")));
    json_t *so = json_object_get(s, "stay");
    assert_int_equal(json_integer_value(json_object_get(so, "days_used")), 10);
    assert_false(json_is_true(json_object_get(so, "overstay")));
    /* entering again on 2011-07-01 would allow 80 days: until 2011-09-18 */
    assert_int_equal(json_integer_value(json_object_get(so, "days_left")), 80);
    assert_string_equal(json_string_value(json_object_get(so, "latest_exit")), "2011-09-18");
    const char *before[] = {"stay", "--data", f->dir, "--doc", "UTO:L898902C3", "--on", "2011-06-05", "--json", NULL};
    json_t *b = run_json(before, 0);
    assert_true(json_is_true(json_object_get(b, "inside")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "stay"), "days_used")), 5);
    json_decref(b);
    json_decref(s);
    json_decref(h);
    json_decref(out);
    json_decref(in);
}

static void nationals_have_no_limit(void **state)
{
    fixture *f = *state;
    init_node(f, "UTO");
    json_t *in = cross(f, "entry", "2011-01-01T10:00:00Z", specimen, NULL);
    json_t *stay = json_object_get(in, "stay");
    assert_string_equal(json_string_value(json_object_get(stay, "policy")), "nationals");
    assert_false(json_is_true(json_object_get(stay, "limited")));
    json_decref(in);
    /* a year later, still no overstay */
    json_t *out = cross(f, "exit", "2012-01-01T10:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(out, "decision")), "cleared");
    json_decref(out);
}

static void an_expired_document_is_referred(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_t *r = cross(f, "entry", "2012-04-16T08:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "document_expired"));
    json_decref(r);
    /* and on the last valid day it is not */
    json_t *ok = cross(f, "exit", "2012-04-15T08:00:00Z", specimen, NULL);
    assert_false(has_reason(ok, "document_expired"));
    json_decref(ok);
}

static void an_exit_without_an_entry_is_recorded_and_referred(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_t *r = cross(f, "exit", "2011-03-01T08:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "exit_without_entry"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "stay"), "days_used")), 1);
    json_decref(r);
    assert_int_equal(log_count(f, "crossing"), 1);
}

static void an_exit_after_an_overstay_is_recorded_and_flagged(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_decref(cross(f, "entry", "2011-01-01T08:00:00Z", specimen, NULL));
    /* 01.01.-01.04.2011 is 91 days */
    json_t *r = cross(f, "exit", "2011-04-01T08:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "overstay"));
    json_t *stay = json_object_get(r, "stay");
    assert_true(json_is_true(json_object_get(stay, "overstay")));
    assert_string_equal(json_string_value(json_object_get(stay, "overstay_since")), "2011-04-01");
    assert_int_equal(json_integer_value(json_object_get(stay, "days_used")), 91);
    json_decref(r);
    assert_int_equal(log_count(f, "crossing"), 2);
}

static void an_entry_that_would_already_be_an_overstay_is_referred(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_decref(cross(f, "entry", "2011-01-01T08:00:00Z", specimen, NULL));
    json_decref(cross(f, "exit", "2011-03-31T08:00:00Z", specimen, NULL)); /* 90 days */
    json_t *r = cross(f, "entry", "2011-04-20T08:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "entry_would_overstay"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "stay"), "days_left")), 0);
    json_decref(r);
}

static void a_past_overstay_refers_entries_for_five_years_but_not_a_legal_exit(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_decref(cross(f, "entry", "2011-01-01T08:00:00Z", specimen, NULL));
    json_t *r = cross(f, "exit", "2011-04-10T08:00:00Z", specimen, NULL); /* 100 days */
    assert_true(has_reason(r, "overstay"));
    json_decref(r);
    /* back after more than 180 days: the entry is referred for the past overstay */
    r = cross(f, "entry", "2011-11-01T08:00:00Z", specimen, NULL);
    assert_true(has_reason(r, "past_overstay"));
    assert_false(has_reason(r, "entry_would_overstay"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "stay"), "days_left")), 90);
    json_decref(r);
    /* a legal 10-day visit: its exit is cleared */
    r = cross(f, "exit", "2011-11-10T08:00:00Z", specimen, NULL);
    assert_false(has_reason(r, "overstay"));
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "cleared");
    json_decref(r);
    /* the overstay's last day was 2011-04-10: entries are referred for 1825 days after it */
    r = cross(f, "entry", "2016-04-08T08:00:00Z", specimen, NULL);
    assert_true(has_reason(r, "past_overstay"));
    json_decref(r);
    json_decref(cross(f, "exit", "2016-04-08T18:00:00Z", specimen, NULL));
    r = cross(f, "entry", "2016-04-09T08:00:00Z", specimen, NULL);
    assert_false(has_reason(r, "past_overstay"));
    json_decref(r);
}

static void an_invalid_mrz_exits_65_and_writes_nothing(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    size_t before = log_count(f, NULL);
    tims_buf err = {0};
    const char *args[] = {"cross", "--data", f->dir, "--direction", "entry", NULL};
    assert_int_equal(tu_run(args, specimen_bad, NULL, &err), 65);
    assert_non_null(strstr(err.data, "check digit"));
    tims_buf_reset(&err);
    assert_int_equal(tu_run(args, "hello\n", NULL, &err), 65);
    assert_int_equal(tu_run(args, "", NULL, NULL), 65);
    assert_int_equal(log_count(f, NULL), before);
    tims_buf_free(&err);
}

static void bad_times_and_options_write_nothing(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    size_t before = log_count(f, NULL);
    int rc;
    assert_null(cross(f, "entry", "2099-01-01T00:00:00Z", specimen, &rc));
    assert_int_equal(rc, 65); /* the future */
    assert_null(cross(f, "entry", "2011-13-01T00:00:00Z", specimen, &rc));
    assert_int_equal(rc, 64);
    assert_null(cross(f, "entry", "2011-06-01T10:00:00", specimen, &rc)); /* no zone */
    assert_int_equal(rc, 64);
    assert_null(cross(f, "sideways", NULL, specimen, &rc));
    assert_int_equal(rc, 64);
    const char *unknown[] = {"cross", "--data", f->dir, "--direction", "entry", "--colour", "red", NULL};
    assert_int_equal(tu_run(unknown, specimen, NULL, NULL), 64);
    assert_int_equal(log_count(f, NULL), before);
}

static void cross_without_at_records_now(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_t *r = cross(f, "entry", NULL, specimen, NULL);
    /* today the specimen is long expired */
    assert_true(has_reason(r, "document_expired"));
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    json_decref(r);
}

/* ---- screening ---- */

static char cd(const char *s, size_t n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        sum += (c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 0) * w[i % 3];
    }
    return (char)('0' + sum % 10);
}

/* td3 - a valid TD3 MRZ (check digits computed) for the given fields. */
static void td3(char out[100], const char *state, const char *name_field, const char *doc9, const char *nat,
                const char *dob, char sex, const char *exp)
{
    char l1[45], l2[45], comp[40];
    memset(l1, '<', 44);
    l1[44] = '\0';
    memcpy(l1, "P<", 2);
    memcpy(l1 + 2, state, 3);
    memcpy(l1 + 5, name_field, strlen(name_field));
    snprintf(l2, sizeof l2, "%.9s%c%.3s%.6s%c%c%.6s%c<<<<<<<<<<<<<<%c", doc9, cd(doc9, 9), nat, dob, cd(dob, 6), sex,
             exp, cd(exp, 6), cd("<<<<<<<<<<<<<<", 14));
    snprintf(comp, sizeof comp, "%.10s%.7s%.15s", l2, l2 + 13, l2 + 21);
    char full[45];
    snprintf(full, sizeof full, "%.43s%c", l2, cd(comp, strlen(comp)));
    snprintf(out, 100, "%s\n%s\n", l1, full);
}

static void import_list(fixture *f, const char *file)
{
    tims_buf err = {0};
    char spec[1024];
    snprintf(spec, sizeof spec, "tims-csv:%s/%s", TESTS_DATA_DIR, file);
    const char *args[] = {"list", "import", "--data", f->dir, spec, NULL};
    int rc = tu_run(args, NULL, NULL, &err);
    if (rc != 0)
        fail_msg("tims list import failed (%d): %s", rc, err.data ? err.data : "");
    tims_buf_free(&err);
}

static json_t *first_hit(json_t *res)
{
    json_t *screening = json_object_get(res, "screening");
    assert_string_equal(json_string_value(json_object_get(screening, "status")), "screened");
    return json_array_get(json_object_get(screening, "hits"), 0);
}

static void a_document_on_a_lost_and_stolen_list_is_referred(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    import_list(f, "tims-lost-stolen.csv"); /* holds UTO:L898902C3, the specimen's number */
    json_t *r = cross(f, "entry", "2011-06-01T10:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "watchlist_hit"));
    json_t *hit = first_hit(r);
    assert_non_null(hit);
    assert_true(json_is_true(json_object_get(hit, "document_hit")));
    assert_string_equal(json_string_value(json_object_get(hit, "category")), "lost_stolen");
    json_decref(r);
    /* the reason is in the journal too */
    tims_buf out = {0};
    const char *logargs[] = {"log", "--data", f->dir, "--kind", "crossing", NULL};
    assert_int_equal(tu_run(logargs, NULL, &out, NULL), 0);
    assert_non_null(strstr(out.data, "\"reasons\":[\"watchlist_hit\"]"));
    tims_buf_free(&out);
}

static void a_listed_name_is_referred_and_an_unlisted_one_cleared(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    import_list(f, "tims-wanted.csv"); /* Ion POPESCU, born 1971-05-14, ROU */
    char mrz[100];
    td3(mrz, "ROU", "POPESCU<<ION", "AB1234567", "ROU", "710514", 'M', "300101");
    json_t *r = cross(f, "entry", "2025-06-01T10:00:00Z", mrz, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "watchlist_hit"));
    json_t *hit = first_hit(r);
    assert_string_equal(json_string_value(json_object_get(hit, "category")), "wanted");
    assert_false(json_is_true(json_object_get(hit, "document_hit")));
    assert_true(json_array_size(json_object_get(hit, "reasons")) > 0);
    json_decref(r);
    td3(mrz, "ROU", "IONESCU<<MARIA", "AB7654321", "ROU", "850203", 'F', "300101");
    r = cross(f, "entry", "2025-06-01T11:00:00Z", mrz, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "cleared");
    assert_null(first_hit(r));
    json_decref(r);
}

static void lists_that_fail_their_check_refer_every_crossing(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    import_list(f, "tims-wanted.csv");
    /* change the stored copy behind the manifest's back */
    char path[1024];
    snprintf(path, sizeof path, "%s/lists/xx-national/list.csv", f->dir);
    FILE *fp = fopen(path, "a");
    if (!fp)
        fail_msg("the stored list is not at %s", path);
    fputs("X-1,wanted,person,Someone ELSE,,,,,,,,\n", fp);
    fclose(fp);
    json_t *r = cross(f, "entry", "2011-06-01T10:00:00Z", specimen, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "refer");
    assert_true(has_reason(r, "screening_failed"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "screening"), "status")), "failed");
    json_decref(r);
}

/* ---- corrections and the log ---- */

static void a_correction_shows_the_corrected_value_and_the_original(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_t *in = cross(f, "entry", "2011-06-01T10:00:00Z", specimen, NULL);
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(in, "id")));
    json_decref(in);

    tims_buf out = {0}, err = {0};
    const char *corr[] = {"correct", "--data", f->dir, "--id", id, "--reason", "typed from the paper register",
                          "--officer", "sup-2", "vehicle=AB-123-CD", "time=2011-06-01T09:00:00Z", NULL};
    int rc = tu_run(corr, NULL, &out, &err);
    if (rc != 0)
        fail_msg("correct failed (%d): %s", rc, err.data ? err.data : "");
    assert_non_null(strstr(out.data, "recorded"));

    const char *hist[] = {"history", "--data", f->dir, "--doc", "UTO:L898902C3", "--json", NULL};
    json_t *h = run_json(hist, 0);
    assert_int_equal(json_array_size(h), 1);
    json_t *item = json_array_get(h, 0);
    assert_string_equal(json_string_value(json_object_get(item, "vehicle")), "AB-123-CD");
    assert_string_equal(json_string_value(json_object_get(item, "time")), "2011-06-01T09:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(item, "corrections")), 1);
    json_t *orig = json_object_get(item, "original");
    assert_string_equal(json_string_value(json_object_get(orig, "vehicle")), "");
    assert_string_equal(json_string_value(json_object_get(orig, "time")), "2011-06-01T10:00:00Z");
    assert_null(json_object_get(orig, "surname")); /* unchanged fields are not repeated */
    json_t *ce = json_object_get(item, "correction_entries");
    assert_int_equal(json_array_size(ce), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ce, 0), "reason")),
                        "typed from the paper register");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ce, 0), "officer")), "sup-2");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(ce, 0), "set"), "vehicle")),
                        "AB-123-CD");
    json_decref(h);

    /* the text form shows both too */
    tims_buf_reset(&out);
    const char *histtext[] = {"history", "--data", f->dir, "--doc", "UTO:L898902C3", NULL};
    assert_int_equal(tu_run(histtext, NULL, &out, NULL), 0);
    assert_non_null(strstr(out.data, "corrected 1 time"));
    assert_non_null(strstr(out.data, "vehicle="));
    assert_int_equal(log_count(f, "correction"), 1);
    tims_buf_free(&out);
    tims_buf_free(&err);
}

static void corrections_take_only_known_fields_and_valid_values(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_t *in = cross(f, "entry", "2011-06-01T10:00:00Z", specimen, NULL);
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(in, "id")));
    json_decref(in);
    size_t before = log_count(f, NULL);
    tims_buf err = {0};
    const char *unknown[] = {"correct", "--data", f->dir, "--id", id, "--reason", "r", "--officer", "s", "colour=red", NULL};
    assert_int_equal(tu_run(unknown, NULL, NULL, &err), 65);
    assert_non_null(strstr(err.data, "'colour' is not a field"));
    const char *badsex[] = {"correct", "--data", f->dir, "--id", id, "--reason", "r", "--officer", "s", "sex=Q", NULL};
    assert_int_equal(tu_run(badsex, NULL, NULL, NULL), 65);
    const char *baddate[] = {"correct", "--data", f->dir, "--id", id, "--reason", "r", "--officer", "s",
                             "birth_date=1974-02-30", NULL};
    assert_int_equal(tu_run(baddate, NULL, NULL, NULL), 65);
    const char *noreason[] = {"correct", "--data", f->dir, "--id", id, "--officer", "s", "sex=M", NULL};
    assert_int_equal(tu_run(noreason, NULL, NULL, NULL), 64);
    const char *noid[] = {"correct", "--data", f->dir, "--id", "0123456789abcdef:99", "--reason", "r", "--officer",
                          "s", "sex=M", NULL};
    assert_int_equal(tu_run(noid, NULL, NULL, NULL), 66);
    const char *badid[] = {"correct", "--data", f->dir, "--id", "nonsense", "--reason", "r", "--officer", "s",
                           "sex=M", NULL};
    assert_int_equal(tu_run(badid, NULL, NULL, NULL), 65);
    assert_int_equal(log_count(f, NULL), before);
    tims_buf_free(&err);
}

static void a_voided_crossing_leaves_the_history_and_the_stay(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_decref(cross(f, "entry", "2011-01-01T08:00:00Z", specimen, NULL));
    json_t *wrong = cross(f, "exit", "2011-01-02T08:00:00Z", specimen, NULL);
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(wrong, "id")));
    json_decref(wrong);
    const char *corr[] = {"correct", "--data", f->dir, "--id", id, "--reason", "scanned twice, wrong direction",
                          "--officer", "sup-2", "--void", NULL};
    assert_int_equal(tu_run(corr, NULL, NULL, NULL), 0);
    const char *hist[] = {"history", "--data", f->dir, "--doc", "UTO:L898902C3", "--json", NULL};
    json_t *h = run_json(hist, 0);
    assert_int_equal(json_array_size(h), 1);
    json_decref(h);
    const char *st[] = {"stay", "--data", f->dir, "--doc", "UTO:L898902C3", "--on", "2011-01-10", "--json", NULL};
    json_t *s = run_json(st, 0);
    assert_true(json_is_true(json_object_get(s, "inside"))); /* the exit no longer counts */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "stay"), "days_used")), 10);
    json_decref(s);
}

static void stay_and_history_check_their_arguments(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    const char *bad_on[] = {"stay", "--data", f->dir, "--doc", "UTO:L898902C3", "--on", "2011-02-30", NULL};
    assert_int_equal(tu_run(bad_on, NULL, NULL, NULL), 64);
    const char *bad_doc[] = {"history", "--data", f->dir, "--doc", "L898902C3", NULL};
    assert_int_equal(tu_run(bad_doc, NULL, NULL, NULL), 64);
    const char *nobody[] = {"stay", "--data", f->dir, "--doc", "UTO:X1", NULL};
    assert_int_equal(tu_run(nobody, NULL, NULL, NULL), 66);
    tims_buf out = {0};
    const char *none[] = {"history", "--data", f->dir, "--doc", "UTO:X1", NULL};
    assert_int_equal(tu_run(none, NULL, &out, NULL), 0);
    assert_non_null(strstr(out.data, "no crossings"));
    tims_buf_free(&out);
    const char *nofile[] = {"cross", "--data", f->dir, "--direction", "entry", "--mrz-file", "/nonexistent/mrz", NULL};
    assert_int_equal(tu_run(nofile, NULL, NULL, NULL), 66);
}

static void log_lists_entries_newest_last_and_filters(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    json_decref(cross(f, "entry", "2011-06-01T10:00:00Z", specimen, NULL));
    json_decref(cross(f, "exit", "2011-06-02T10:00:00Z", specimen, NULL));
    assert_int_equal(log_count(f, NULL), 3);
    assert_int_equal(log_count(f, "crossing"), 2);
    const char *last[] = {"log", "--data", f->dir, "--json", "--limit", "1", NULL};
    json_t *j = run_json(last, 0);
    assert_int_equal(json_array_size(j), 1);
    json_t *e = json_array_get(j, 0);
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "crossing");
    assert_int_equal(json_integer_value(json_object_get(e, "seq")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "body"), "number")), "L898902C3");
    json_decref(j);
    const char *badkind[] = {"log", "--data", f->dir, "--kind", "gossip", NULL};
    assert_int_equal(tu_run(badkind, NULL, NULL, NULL), 64);
    const char *badlimit[] = {"log", "--data", f->dir, "--limit", "-3", NULL};
    assert_int_equal(tu_run(badlimit, NULL, NULL, NULL), 64);
}

static void the_journal_verifies_after_a_series_of_crossings(void **state)
{
    fixture *f = *state;
    init_node(f, NULL);
    static const char *const times[] = {"2011-01-01T08:00:00Z", "2011-01-20T08:00:00Z", "2011-02-03T08:00:00Z",
                                        "2011-03-01T08:00:00Z", "2011-05-01T08:00:00Z", "2011-05-02T08:00:00Z"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(times); i++)
        json_decref(cross(f, i % 2 ? "exit" : "entry", times[i], specimen, NULL));
    tims_buf out = {0}, err = {0};
    const char *verify[] = {"verify", "--data", f->dir, "--strict", "--json", NULL};
    int rc = tu_run(verify, NULL, &out, &err);
    if (rc != 0)
        fail_msg("tims verify failed (%d): %s%s", rc, out.data ? out.data : "", err.data ? err.data : "");
    json_error_t jerr;
    json_t *rep = json_loads(out.data, 0, &jerr);
    if (!rep)
        fail_msg("verify printed no JSON: %s", out.data);
    json_t *entries = json_object_get(rep, "entries");
    if (entries)
        assert_int_equal(json_integer_value(entries), 1 + TIMS_ARRAY_LEN(times));
    json_decref(rep);
    tims_buf_free(&out);
    tims_buf_free(&err);
}

int main(void)
{
    specimen = mrz_of_first_td3();
    specimen_bad = tims_strdup(specimen);
    char *nl = strchr(specimen_bad, '\n');
    /* the document number's check digit (line 2, position 10): 6 -> 7 */
    assert_true(nl && nl[10] == '6');
    nl[10] = '7';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_creates_the_node_and_refuses_to_overwrite_it, setup, teardown),
        cmocka_unit_test_setup_teardown(init_without_name_or_with_a_bad_country_is_a_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(commands_on_a_folder_that_is_no_node_say_so, setup, teardown),
        cmocka_unit_test_setup_teardown(entry_then_exit_is_in_history_and_counts_the_stay, setup, teardown),
        cmocka_unit_test_setup_teardown(nationals_have_no_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(an_expired_document_is_referred, setup, teardown),
        cmocka_unit_test_setup_teardown(an_exit_without_an_entry_is_recorded_and_referred, setup, teardown),
        cmocka_unit_test_setup_teardown(an_exit_after_an_overstay_is_recorded_and_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(an_entry_that_would_already_be_an_overstay_is_referred, setup, teardown),
        cmocka_unit_test_setup_teardown(a_past_overstay_refers_entries_for_five_years_but_not_a_legal_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(an_invalid_mrz_exits_65_and_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_times_and_options_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(cross_without_at_records_now, setup, teardown),
        cmocka_unit_test_setup_teardown(a_document_on_a_lost_and_stolen_list_is_referred, setup, teardown),
        cmocka_unit_test_setup_teardown(a_listed_name_is_referred_and_an_unlisted_one_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(lists_that_fail_their_check_refer_every_crossing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_correction_shows_the_corrected_value_and_the_original, setup, teardown),
        cmocka_unit_test_setup_teardown(corrections_take_only_known_fields_and_valid_values, setup, teardown),
        cmocka_unit_test_setup_teardown(a_voided_crossing_leaves_the_history_and_the_stay, setup, teardown),
        cmocka_unit_test_setup_teardown(stay_and_history_check_their_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(log_lists_entries_newest_last_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(the_journal_verifies_after_a_series_of_crossings, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tims_free(specimen);
    tims_free(specimen_bad);
    return rc;
}
