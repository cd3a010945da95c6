/* test_import.c - importing the real list files of $TIMS_TEST_DATA/lists and the tims-csv
 * examples of tests/data: counts against SOURCES.md (or derived here from the files), and
 * entries looked up by hand in the files. argv[1] is the tests/data folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tims/watchlist.h"

static const char *fixtures; /* tests/data */

static tims_wl_list *import_ok(const char *format, const char *rel)
{
    char *path = tu_data_path(rel);
    tims_wl_list *l = NULL;
    tims_diag d = {{0}};
    tims_err err = tims_wl_import(format, path, &l, &d);
    if (err != TIMS_OK)
        fail_msg("import %s %s: %s (%s)", format, path, tims_strerror(err), d.text);
    tims_free(path);
    return l;
}

static tims_wl_list *import_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fixtures, name);
    tims_wl_list *l = NULL;
    tims_diag d = {{0}};
    tims_err err = tims_wl_import("tims-csv", path, &l, &d);
    if (err != TIMS_OK)
        fail_msg("import %s: %s (%s)", path, tims_strerror(err), d.text);
    return l;
}

static size_t count_type(const tims_wl_list *l, int type)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++)
        n += l->entries[i].type == type;
    return n;
}

static const tims_wl_entry *entry(const tims_wl_list *l, const char *id)
{
    const tims_wl_entry *e = tims_wl_find(l, id);
    if (!e)
        fail_msg("no entry %s", id);
    return e;
}

static const tims_wl_name *name(const tims_wl_entry *e, const char *full)
{
    for (size_t i = 0; i < e->name_count; i++) {
        if (strcmp(e->names[i].full, full) == 0)
            return &e->names[i];
    }
    fail_msg("entry %s has no name '%s'", e->id, full);
    return NULL;
}

static int has_birth(const tims_wl_entry *e, int from, int to, int month, int day, int approx)
{
    for (size_t i = 0; i < e->birth_count; i++) {
        const tims_wl_date *d = &e->births[i];
        if (d->year_from == from && d->year_to == to && d->month == month && d->day == day &&
            d->approx == approx)
            return 1;
    }
    return 0;
}

static int has_document(const tims_wl_entry *e, const char *type, const char *number,
                        const char *country)
{
    for (size_t i = 0; i < e->document_count; i++) {
        const tims_wl_document *d = &e->documents[i];
        if (strcmp(d->type, type) == 0 && strcmp(d->number, number) == 0 &&
            strcmp(d->country, country) == 0)
            return 1;
    }
    return 0;
}

static int has_nationality(const tims_wl_entry *e, const char *code)
{
    for (size_t i = 0; i < e->nationality_count; i++) {
        if (strcmp(e->nationalities[i], code) == 0)
            return 1;
    }
    return 0;
}

/* Lines of a file that start with a digit: the records of an OFAC CSV file. */
static size_t ofac_records(const char *rel)
{
    char *path = tu_data_path(rel);
    size_t len, n = 0;
    char *text = tu_read_file(path, &len);
    for (size_t i = 0; i < len; i++) {
        if ((i == 0 || text[i - 1] == '\n') && text[i] >= '0' && text[i] <= '9')
            n++;
    }
    tims_free(text);
    tims_free(path);
    return n;
}

/* ---- OFAC ------------------------------------------------------------------------------- */

static void ofac_sdn_2021_has_8976_entries_of_which_4620_individuals(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("ofac-csv", "lists/ofac-sdn-2021-07");
    assert_string_equal(l->source, "ofac-sdn");
    assert_string_equal(l->format, "ofac-csv");
    assert_int_equal(l->count, 8976);
    assert_int_equal(l->count, ofac_records("lists/ofac-sdn-2021-07/sdn.csv"));
    assert_int_equal(count_type(l, TIMS_WL_PERSON), 4620);
    /* every alias row of alt.csv (11,910) lands on its entry as an alias or former name */
    size_t strong = 0;
    for (size_t i = 0; i < l->count; i++) {
        for (size_t k = 0; k < l->entries[i].name_count; k++) {
            const tims_wl_name *n = &l->entries[i].names[k];
            strong += (n->kind == TIMS_WL_ALIAS || n->kind == TIMS_WL_FORMER) && !n->weak;
        }
    }
    assert_true(strong <= 11910);
    assert_true(strong > 11910 - 200); /* repeats within an entry collapse */
    tims_wl_list_free(l);
}

static void ofac_individual_names_read_first_last_with_weak_akas_from_remarks(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("ofac-csv", "lists/ofac-sdn-2021-07");
    /* 6925,"GHAILANI, Ahmed Khalfan",...,"DOB 14 Mar 1974; ... citizen Tanzania;
     * a.k.a. 'AHMED, A.'; ... a.k.a. ''FOOPIE''; ..." */
    const tims_wl_entry *e = entry(l, "6925");
    assert_int_equal(e->type, TIMS_WL_PERSON);
    assert_string_equal(e->names[0].full, "Ahmed Khalfan GHAILANI");
    assert_string_equal(e->names[0].listed, "GHAILANI, Ahmed Khalfan");
    assert_int_equal(e->names[0].kind, TIMS_WL_PRIMARY);
    assert_true(name(e, "FOOPIE")->weak);
    assert_true(name(e, "A. AHMED")->weak);
    assert_false(name(e, "Ahmed GHAILANI")->weak); /* from alt.csv */
    assert_true(has_birth(e, 1974, 1974, 3, 14, 0));
    assert_true(has_birth(e, 1970, 1970, 8, 1, 0));
    assert_int_equal(e->birth_count, 4);
    assert_string_equal(e->birth_places[0], "Zanzibar, Tanzania");
    assert_true(has_nationality(e, "TZA"));
    assert_string_equal(e->programs[0], "SDGT");
    tims_wl_list_free(l);
}

static void ofac_remarks_give_passports_ids_ranges_and_years(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("ofac-csv", "lists/ofac-sdn-2021-07");
    /* 11313 ROBOW: "DOB 1969; alt. DOB 10 Oct 1969; ... Passport 0310857 (Eritrea) issued 21 Aug
     * 2006 expires 20 Aug 2008; National ID No. 1372584 (Kenya); (Following data ...; ...)" */
    const tims_wl_entry *e = entry(l, "11313");
    assert_true(has_birth(e, 1969, 1969, 0, 0, 0)); /* year only */
    assert_true(has_birth(e, 1969, 1969, 10, 10, 0));
    assert_true(has_document(e, "passport", "0310857", "ERI"));
    assert_true(has_document(e, "national id", "1372584", "KEN"));
    assert_int_equal(e->document_count, 2); /* the parenthesised note is not split on ';' */
    assert_int_equal(e->birth_place_count, 2);
    /* 15496 NISHIGUCHI: "DOB 1929 to 1930" */
    assert_true(has_birth(entry(l, "15496"), 1929, 1930, 0, 0, 0));
    /* 12300 CIFUENTES VILLA: "Cedula No. 7548733 (Colombia)" */
    assert_true(has_document(entry(l, "12300"), "cedula", "7548733", "COL"));
    tims_wl_list_free(l);
}

static void ofac_comments_continue_the_remarks_of_their_entry(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("ofac-csv", "lists/ofac-sdn-2021-07");
    /* sdn.csv cuts 28263's remarks at "a.k.a. 'snowsjo"; sdn_comments.csv goes on "hn'; ..." */
    const tims_wl_entry *e = entry(l, "28263");
    assert_true(name(e, "snowsjohn")->weak);
    assert_non_null(strstr(e->remarks, "a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP"));
    assert_int_equal(e->gender, 'M');
    assert_true(has_document(e, "identification number", "321284198607120616", "CHN"));
    assert_string_equal(e->names[0].full, "Yinyin TIAN");
    tims_wl_list_free(l);
}

static void ofac_2019_set_without_comments_file_imports(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("ofac-csv", "lists/ofac-sdn-2019-01");
    assert_int_equal(l->count, 7379);
    assert_int_equal(l->count, ofac_records("lists/ofac-sdn-2019-01/sdn.csv"));
    tims_wl_list_free(l);
}

static void ofac_non_sdn_set_is_detected_by_its_file_names(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("ofac-csv", "lists/ofac-nonsdn-2025-12");
    assert_string_equal(l->source, "ofac-nonsdn");
    assert_int_equal(l->count, 442);
    assert_int_equal(l->count, ofac_records("lists/ofac-nonsdn-2025-12/cons_prim.csv"));
    /* 9639,"HANIYA, Ismail Abdul Salah","individual","NS-PLC",...,"DOB 1962; POB Shati." */
    const tims_wl_entry *e = entry(l, "9639");
    assert_string_equal(e->names[0].full, "Ismail Abdul Salah HANIYA");
    assert_true(has_birth(e, 1962, 1962, 0, 0, 0));
    assert_string_equal(e->birth_places[0], "Shati");
    name(e, "Ismaeel HANIYYA"); /* cons_alt.csv */
    tims_wl_list_free(l);
}

static void ofac_folder_without_sdn_csv_is_a_clear_error(void **state)
{
    (void)state;
    char *path = tu_data_path("lists/ofac-sdn-2025-12-aliases-addresses");
    tims_wl_list *l = NULL;
    tims_diag d;
    assert_int_equal(tims_wl_import("ofac-csv", path, &l, &d), TIMS_EDATA);
    assert_null(l);
    assert_non_null(strstr(d.text, "has no sdn.csv"));
    assert_non_null(strstr(d.text, path));
    tims_free(path);
}

/* ---- UN --------------------------------------------------------------------------------- */

static void un_list_has_730_individuals_and_273_entities(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("un-xml", "lists/un-sc-2026-02/UN_consolidated.xml");
    assert_string_equal(l->source, "un");
    assert_string_equal(l->release, "2026-02-27T00:00:09.554Z");
    assert_int_equal(count_type(l, TIMS_WL_PERSON), 730);
    assert_int_equal(count_type(l, TIMS_WL_ENTITY), 273);
    assert_int_equal(l->count, 1003);
    tims_wl_list_free(l);
}

static void un_entries_keep_ranges_original_script_and_low_quality_aliases(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("un-xml", "lists/un-sc-2026-02/UN_consolidated.xml");
    /* TAi.144 SIRAJUDDIN JALLALOUDINE HAQQANI: BETWEEN 1977 and 1978; alias "Khalifa" Low */
    const tims_wl_entry *e = entry(l, "TAi.144");
    assert_string_equal(e->names[0].full, "SIRAJUDDIN JALLALOUDINE HAQQANI");
    assert_true(has_birth(e, 1977, 1978, 0, 0, 0));
    assert_true(name(e, "Khalifa")->weak);
    assert_false(name(e, "Siraj Haqqani")->weak);
    const tims_wl_name *orig = name(e, "سراج الدين جلال الدين حقانى");
    assert_int_equal(orig->kind, TIMS_WL_ORIGINAL);
    assert_true(has_nationality(e, "AFG"));
    assert_string_equal(e->programs[0], "Taliban");
    /* QDi.006: DATE 1951-06-19, Passport 1084010 issued by Egypt */
    e = entry(l, "QDi.006");
    assert_true(has_birth(e, 1951, 1951, 6, 19, 0));
    assert_true(has_document(e, "passport", "1084010", "EGY"));
    /* TAi.040: APPROXIMATELY 1942 and 1948 */
    e = entry(l, "TAi.040");
    assert_true(has_birth(e, 1942, 1942, 0, 0, 1));
    assert_true(has_birth(e, 1948, 1948, 0, 0, 1));
    tims_wl_list_free(l);
}

/* ---- CSL and DPL -------------------------------------------------------------------------- */

/* The CSL copy in the test data ends in the middle of a quoted field: write its complete
 * records (everything before the last line that starts a record) to a temporary file. */
static char *complete_csl(char **dir)
{
    char *src = tu_data_path("lists/us-csl-2023-11/csl.csv");
    size_t len;
    char *text = tu_read_file(src, &len);
    const char *last = NULL;
    for (const char *p = strstr(text, "\n\""); p; p = strstr(p + 1, "\n\""))
        last = p;
    assert_non_null(last);
    *dir = tu_tempdir();
    char *path = malloc(strlen(*dir) + 16);
    sprintf(path, "%s/csl.csv", *dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(text, 1, (size_t)(last - text) + 1, f);
    fclose(f);
    tims_free(text);
    tims_free(src);
    return path;
}

static void csl_truncated_file_imports_its_4226_complete_rows_with_a_warning(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("csl-csv", "lists/us-csl-2023-11/csl.csv");
    /* SOURCES.md: 4,227 rows, the last of them cut short */
    assert_int_equal(l->count, 4226);
    assert_int_equal(l->rows, 4226);
    assert_int_equal(l->dropped_rows, 1);
    assert_non_null(l->warning);
    assert_non_null(strstr(l->warning, "csl.csv line 4233: the last row is cut off inside"));
    assert_non_null(strstr(l->warning, "truncated"));
    assert_non_null(strstr(l->warning, "4,226 complete rows imported, 1 dropped"));
    /* 9647 is listed both on the SDN and on the PLC list: two entries */
    const tims_wl_entry *sdn = entry(l, "SDN:9647"), *plc = entry(l, "PLC:9647");
    assert_string_equal(sdn->sublist, "SDN");
    assert_string_equal(sdn->names[0].full, "Mahmoud Khaled ZAHHAR");
    assert_string_equal(plc->names[0].full, "Mahmoud Khaled ZAHHAR");
    assert_true(has_nationality(sdn, "PSE"));
    /* "26182", FSE: ids "Passport, U00242309, TR; Gender, Male" */
    const tims_wl_entry *e = entry(l, "FSE:26182");
    assert_true(has_document(e, "passport", "U00242309", "TUR"));
    assert_int_equal(e->gender, 'M');
    /* the cut-off row (SDN 11476, BERMUDEZ SUAZA) is not there */
    assert_null(tims_wl_find(l, "SDN:11476"));
    assert_non_null(entry(l, "SDN:11474"));
    tims_wl_list_free(l);
}

static void csl_strict_import_refuses_the_truncated_file_with_its_line(void **state)
{
    (void)state;
    char *path = tu_data_path("lists/us-csl-2023-11/csl.csv");
    tims_wl_list *l = NULL;
    tims_diag d;
    assert_int_equal(tims_wl_import_ex("csl-csv", path, TIMS_WL_IMPORT_STRICT, &l, &d), TIMS_EDATA);
    assert_null(l);
    assert_non_null(strstr(d.text, "line 4233"));
    assert_non_null(strstr(d.text, "truncated"));
    tims_free(path);
}

static void csl_truncated_file_gives_the_entries_of_its_complete_rows(void **state)
{
    (void)state;
    char *dir;
    char *path = complete_csl(&dir);
    tims_wl_list *whole = NULL, *cut = import_ok("csl-csv", "lists/us-csl-2023-11/csl.csv");
    tims_diag d;
    assert_int_equal(tims_wl_import_ex("csl-csv", path, TIMS_WL_IMPORT_STRICT, &whole, &d),
                     TIMS_OK);
    assert_int_equal(whole->dropped_rows, 0);
    assert_null(whole->warning);
    assert_int_equal(whole->count, cut->count);
    tims_wl_diff *diff = NULL;
    assert_int_equal(tims_wl_diff_lists(whole, cut, &diff), TIMS_OK);
    assert_int_equal(diff->added_count + diff->removed_count + diff->changed_count, 0);
    assert_int_equal(diff->unchanged_count, 4226);
    tims_wl_diff_free(diff);
    tims_wl_list_free(whole);
    tims_wl_list_free(cut);
    tu_rmtree(dir);
    free(path);
    tims_free(dir);
}

static void dpl_rows_of_one_person_and_order_merge(void **state)
{
    (void)state;
    tims_wl_list *l = import_ok("dpl-tsv", "lists/us-bis-dpl-2022-09/dpl.txt");
    assert_int_equal(l->rows, 581);
    /* distinct (Name with blanks collapsed, Effective_Date), counted here */
    char *path = tu_data_path("lists/us-bis-dpl-2022-09/dpl.txt");
    size_t len, keys = 0, cap = 0;
    char *text = tu_read_file(path, &len);
    char **seen = NULL;
    char *save = NULL;
    strtok_r(text, "\n", &save); /* header */
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cols[12] = {NULL};
        int n = 0;
        for (char *p = line; n < 12; n++) {
            cols[n] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        char key[512];
        size_t k = 0;
        for (const char *p = cols[0]; *p && k < 400; p++) {
            if (*p == '"' || (*p == ' ' && (k == 0 || key[k - 1] == ' ')))
                continue;
            key[k++] = *p;
        }
        while (k > 0 && key[k - 1] == ' ')
            k--;
        snprintf(key + k, sizeof key - k, "|%s", cols[6]);
        size_t i = 0;
        while (i < keys && strcmp(seen[i], key) != 0)
            i++;
        if (i == keys) {
            if (keys == cap)
                seen = realloc(seen, (cap = cap ? cap * 2 : 64) * sizeof *seen);
            seen[keys++] = strdup(key);
        }
    }
    assert_int_equal(l->count, keys);
    for (size_t i = 0; i < keys; i++)
        free(seen[i]);
    free(seen);
    tims_free(text);
    tims_free(path);
    /* " I. ASH", effective 06/19/2003 */
    const tims_wl_entry *e = entry(l, "I. ASH (2003-06-19)");
    assert_string_equal(e->names[0].full, "I. ASH");
    assert_int_equal(e->address_count, 1);
    assert_string_equal(e->addresses[0].country, "USA");
    /* "FUYI SUN A/K/A FRANK SUN" */
    e = entry(l, "FUYI SUN A/K/A FRANK SUN (2018-06-13)");
    assert_string_equal(e->names[0].full, "FUYI SUN");
    assert_int_equal(name(e, "FRANK SUN")->kind, TIMS_WL_ALIAS);
    tims_wl_list_free(l);
}

/* ---- tims-csv ------------------------------------------------------------------------------ */

static void tims_csv_example_of_wanted_persons_and_entry_bans(void **state)
{
    (void)state;
    tims_wl_list *l = import_fixture("tims-wanted.csv");
    assert_string_equal(l->source, "xx-national");
    assert_string_equal(l->release, "2026-03-01");
    assert_int_equal(l->count, 4);
    const tims_wl_entry *e = entry(l, "W-2026-0001");
    assert_int_equal(e->category, TIMS_WL_WANTED);
    assert_true(name(e, "Ionut")->weak);
    assert_int_equal(name(e, "Ion POPESCU-STAN")->kind, TIMS_WL_FORMER);
    assert_true(has_birth(e, 1971, 1971, 5, 14, 0));
    assert_true(has_birth(e, 1972, 1972, 0, 0, 1));
    assert_true(has_nationality(e, "MDA"));
    assert_true(has_document(e, "passport", "051234567", "ROU"));
    assert_true(has_document(e, "national id", "1710514221234", "ROU"));
    assert_int_equal(e->gender, 'M');
    assert_string_equal(e->remarks, "European arrest warrant 2025/123, \"armed\"");
    e = entry(l, "W-2026-0002");
    assert_int_equal(name(e, "Анна ИВАНОВА")->kind, TIMS_WL_ORIGINAL);
    assert_true(has_birth(e, 1980, 1980, 2, 0, 0));
    e = entry(l, "B-2026-0001");
    assert_int_equal(e->category, TIMS_WL_ENTRY_BAN);
    assert_true(has_birth(e, 1965, 1969, 0, 0, 0));
    assert_int_equal(entry(l, "B-2026-0002")->type, TIMS_WL_ENTITY);
    tims_wl_list_free(l);
}

static void tims_csv_lost_stolen_rows_are_keyed_by_state_and_number(void **state)
{
    (void)state;
    tims_wl_list *l = import_fixture("tims-lost-stolen.csv");
    assert_int_equal(l->count, 3);
    /* "D" (ICAO for Germany) is stored as the ISO code DEU */
    const tims_wl_entry *e = entry(l, "DEU:C01X00T47");
    assert_int_equal(e->type, TIMS_WL_DOCUMENT);
    assert_int_equal(e->category, TIMS_WL_LOST_STOLEN);
    assert_int_equal(e->name_count, 0);
    assert_true(has_document(e, "passport", "C01X00T47", "DEU"));
    assert_true(has_document(entry(l, "UTO:L898902C3"), "", "L898902C3", "UTO"));
    assert_string_equal(entry(l, "LS-0002")->names[0].full, "Erika MUSTERMANN");
    tims_wl_list_free(l);
}

int main(int argc, char **argv)
{
    fixtures = argc > 1 ? argv[1] : "tests/data";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ofac_sdn_2021_has_8976_entries_of_which_4620_individuals),
        cmocka_unit_test(ofac_individual_names_read_first_last_with_weak_akas_from_remarks),
        cmocka_unit_test(ofac_remarks_give_passports_ids_ranges_and_years),
        cmocka_unit_test(ofac_comments_continue_the_remarks_of_their_entry),
        cmocka_unit_test(ofac_2019_set_without_comments_file_imports),
        cmocka_unit_test(ofac_non_sdn_set_is_detected_by_its_file_names),
        cmocka_unit_test(ofac_folder_without_sdn_csv_is_a_clear_error),
        cmocka_unit_test(un_list_has_730_individuals_and_273_entities),
        cmocka_unit_test(un_entries_keep_ranges_original_script_and_low_quality_aliases),
        cmocka_unit_test(csl_truncated_file_imports_its_4226_complete_rows_with_a_warning),
        cmocka_unit_test(csl_strict_import_refuses_the_truncated_file_with_its_line),
        cmocka_unit_test(csl_truncated_file_gives_the_entries_of_its_complete_rows),
        cmocka_unit_test(dpl_rows_of_one_person_and_order_merge),
        cmocka_unit_test(tims_csv_example_of_wanted_persons_and_entry_bans),
        cmocka_unit_test(tims_csv_lost_stolen_rows_are_keyed_by_state_and_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
