/* test_import_errors.c - malformed list files give an error that names file, line and field,
 * and no list; failing allocations give TIMS_ENOMEM and no leak. The fixtures are written
 * here into a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testutil.h"
#include "tims/watchlist.h"

static const char OFAC_SDN[] =
    "100,\"DOE, John\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"DOB 1970; Passport X1 (Iran); a.k.a. 'JD'.\"\r\n"
    "200,\"ACME, LTD.\",-0- ,\"SDGT] [IFSR\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
    "\x1A";
static const char OFAC_ALT[] = "100,1,\"aka\",\"DOE, Johnny\",-0- \r\n"
                               "100,2,\"fka\",\"DOE, Jack\",\"weak\"\r\n\x1A";
static const char OFAC_ADD[] = "200,7,\"1 Main St\",\"Tehran\",\"Iran\",-0- \r\n\x1A";

static const char UN_SMALL[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CONSOLIDATED_LIST dateGenerated=\"2026-01-01T00:00:00Z\">\n"
    "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ANNA</FIRST_NAME>"
    "<SECOND_NAME>EXAMPLE</SECOND_NAME><REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER>"
    "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Ana</ALIAS_NAME></INDIVIDUAL_ALIAS>"
    "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR>"
    "<TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS>\n"
    "<ENTITIES><ENTITY><DATAID>2</DATAID><FIRST_NAME>ACME</FIRST_NAME>"
    "<REFERENCE_NUMBER>XXe.001</REFERENCE_NUMBER></ENTITY></ENTITIES>\n"
    "</CONSOLIDATED_LIST>\n";

static const char TIMS_SMALL[] = "id,category,name,birth_dates,documents\n"
                                 "W1,wanted,Anna EXAMPLE,1970-01-02,passport=ROU:X1\n"
                                 ",lost_stolen,,,UTO:L898902C3\n";

static const char DPL_HEADER[] =
    "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t"
    "\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t"
    "\"FR_Citation\"\n";
static const char DPL_ROW[] = "\"JOHN DOE\"\t\"1 MAIN ST\"\t\"TOWN\"\t\"TX\"\t\"US\"\t\"1\"\t"
                              "\"06/19/2003\"\t\"\"\t\"Y\"\t\"2007-01-31\"\t\"\"\t\"68 F.R. 1\"\n";

static const char CSL_SMALL[] =
    "_id,source,type,name,alt_names,dates_of_birth,nationalities,ids\n"
    "\"1\",\"Specially Designated Nationals (SDN) - Treasury Department\",\"Individual\","
    "\"DOE, John\",\"DOE, Johnny; JD\",\"1970-01-02; circa 1971\",\"IR\",\"Passport, X1, IR\"\n";

typedef tu_dir_fixture fixture;

static char *path_in(const fixture *f, const char *name)
{
    char *p = malloc(strlen(f->dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", f->dir, name);
    return p;
}

static void write_bytes(const fixture *f, const char *name, const void *bytes, size_t len)
{
    char *p = path_in(f, name);
    FILE *out = fopen(p, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(bytes, 1, len, out), len);
    fclose(out);
    free(p);
}

static void write_text(const fixture *f, const char *name, const char *text)
{
    write_bytes(f, name, text, strlen(text));
}

/* Import and expect err, with every fragment in the message and no list. */
static void expect_error(const char *format, const char *path, tims_err want, ...)
{
    tims_wl_list *l = NULL;
    tims_diag d = {{0}};
    tims_err err = tims_wl_import(format, path, &l, &d);
    if (err != want)
        fail_msg("expected %s, got %s: %s", tims_strerror(want), tims_strerror(err), d.text);
    assert_null(l);
    va_list ap;
    va_start(ap, want);
    for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *)) {
        if (!strstr(d.text, frag))
            fail_msg("message '%s' lacks '%s'", d.text, frag);
    }
    va_end(ap);
}

static void ofac_set(const fixture *f, const char *sdn)
{
    write_text(f, "sdn.csv", sdn);
    write_text(f, "alt.csv", OFAC_ALT);
    write_text(f, "add.csv", OFAC_ADD);
}

/* ---- OFAC ------------------------------------------------------------------------------- */

static void ofac_minimal_set_imports(void **state)
{
    fixture *f = *state;
    ofac_set(f, OFAC_SDN);
    tims_wl_list *l = NULL;
    tims_diag d;
    assert_int_equal(tims_wl_import("ofac-csv", f->dir, &l, &d), TIMS_OK);
    assert_int_equal(l->count, 2);
    const tims_wl_entry *e = tims_wl_find(l, "100");
    assert_string_equal(e->names[0].full, "John DOE");
    assert_string_equal(e->documents[0].country, "IRN");
    assert_int_equal(e->name_count, 4); /* John DOE, JD (weak), Johnny DOE, Jack DOE */
    assert_string_equal(e->names[3].full, "Jack DOE");
    assert_int_equal(e->names[3].kind, TIMS_WL_FORMER);
    assert_true(e->names[3].weak); /* alt_remarks "weak" */
    assert_false(e->names[2].weak);
    e = tims_wl_find(l, "200");
    assert_string_equal(e->names[0].full, "ACME, LTD."); /* entities are not reordered */
    assert_int_equal(e->program_count, 2);
    assert_string_equal(e->addresses[0].text, "1 Main St, Tehran, Iran");
    tims_wl_list_free(l);
}

static void ofac_wrong_column_count_names_file_and_line(void **state)
{
    fixture *f = *state;
    ofac_set(f,
             "100,\"DOE, John\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
             "200,\"ACME\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1A");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "sdn.csv line 2: expected 12 fields, found 11",
                 NULL);
}

static void ofac_0x1a_inside_the_file_is_an_error(void **state)
{
    fixture *f = *state;
    char sdn[sizeof OFAC_SDN + 1];
    memcpy(sdn, OFAC_SDN, sizeof OFAC_SDN);
    char *second = strstr(sdn, "\n200") + 1;
    second[0] = 0x1A; /* "200" becomes "\x1A" "00" on line 2 */
    ofac_set(f, sdn);
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "sdn.csv line 2", "0x1A", NULL);
}

static void ofac_accepts_one_trailing_0x1a_only(void **state)
{
    fixture *f = *state;
    char sdn[sizeof OFAC_SDN + 1];
    memcpy(sdn, OFAC_SDN, sizeof OFAC_SDN);
    strcat(sdn, "\x1A"); /* two at the end */
    ofac_set(f, sdn);
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "sdn.csv line 3", "0x1A", NULL);
}

static void ofac_invalid_utf8_names_line_and_byte(void **state)
{
    fixture *f = *state;
    ofac_set(f, OFAC_SDN);
    write_text(f, "alt.csv", "100,1,\"aka\",\"DOE, J\xE9r\xF4me\",-0- \r\n\x1A");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "alt.csv line 1, byte 20: invalid UTF-8", NULL);
}

static void ofac_empty_primary_file_is_an_error(void **state)
{
    fixture *f = *state;
    ofac_set(f, "");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "sdn.csv is empty", NULL);
}

static void ofac_missing_folder_is_no_input(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "no-such-folder");
    expect_error("ofac-csv", p, TIMS_ENOENT, "no-such-folder", NULL);
    free(p);
}

static void ofac_alias_of_an_unknown_entry_is_an_error(void **state)
{
    fixture *f = *state;
    ofac_set(f, OFAC_SDN);
    write_text(f, "alt.csv", "999,1,\"aka\",\"NOBODY\",-0- \r\n\x1A");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "alt.csv line 1: entry 999 is not in sdn.csv",
                 NULL);
}

static void ofac_unknown_type_and_bad_numbers_name_the_field(void **state)
{
    fixture *f = *state;
    ofac_set(f, "100,\"X\",\"person\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "line 1, field SDN_Type", "'person'", NULL);
    ofac_set(f, "1x0,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "line 1, field ent_num", NULL);
}

static void ofac_unterminated_quote_is_a_truncated_file(void **state)
{
    fixture *f = *state;
    ofac_set(f, "100,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1970; POB\r\n");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "sdn.csv line 1, field 12", "never closes", NULL);
}

static void ofac_repeated_entry_number_names_both_lines(void **state)
{
    fixture *f = *state;
    ofac_set(f, "100,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                "200,\"Y\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                "100,\"Z\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    write_text(f, "alt.csv", "\x1A");
    write_text(f, "add.csv", "\x1A");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "'100' is used twice", "lines 1 and 3", NULL);
}

/* ---- UN --------------------------------------------------------------------------------- */

static void un_truncated_xml_names_the_last_line(void **state)
{
    fixture *f = *state;
    char *src = tu_data_path("lists/un-sc-2026-02/UN_consolidated.xml");
    size_t len;
    char *text = tu_read_file(src, &len);
    size_t half = len / 2;
    unsigned lines = 1;
    for (size_t i = 0; i < half; i++)
        lines += text[i] == '\n';
    write_bytes(f, "un.xml", text, half);
    char *p = path_in(f, "un.xml");
    char want[64];
    snprintf(want, sizeof want, "un.xml line %u,", lines);
    expect_error("un-xml", p, TIMS_EDATA, want, "truncated", NULL);
    free(p);
    tims_free(text);
    tims_free(src);
}

static void un_doctype_and_entities_are_refused(void **state)
{
    fixture *f = *state;
    write_text(f, "un.xml",
               "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaa\">"
               "<!ENTITY b \"&a;&a;&a;&a;\">]>\n<CONSOLIDATED_LIST>&b;"
               "</CONSOLIDATED_LIST>\n");
    char *p = path_in(f, "un.xml");
    expect_error("un-xml", p, TIMS_EDATA, "line 2", "DOCTYPE", NULL);
    free(p);
}

static void un_wrong_root_empty_file_and_bad_year_are_errors(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "un.xml");
    write_text(f, "un.xml", "<?xml version=\"1.0\"?>\n<sdnList></sdnList>\n");
    expect_error("un-xml", p, TIMS_EDATA, "line 2", "CONSOLIDATED_LIST", NULL);
    write_text(f, "un.xml", "");
    expect_error("un-xml", p, TIMS_EDATA, "is empty", NULL);
    write_text(f, "un.xml",
               "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>\n<DATAID>1</DATAID>"
               "<FIRST_NAME>A</FIRST_NAME>\n<INDIVIDUAL_DATE_OF_BIRTH>"
               "<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>19x0</YEAR>"
               "</INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS>"
               "</CONSOLIDATED_LIST>");
    expect_error("un-xml", p, TIMS_EDATA, "line 3", "YEAR", NULL);
    write_text(f, "un.xml",
               "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
               "<FIRST_NAME>\xC3\x28</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>"
               "</CONSOLIDATED_LIST>");
    expect_error("un-xml", p, TIMS_EDATA, "line 1", NULL);
    free(p);
}

/* ---- tims-csv, DPL, CSL ----------------------------------------------------------------- */

static void tims_csv_bad_values_name_line_and_column(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "list.csv");
    static const struct {
        const char *text;
        const char *fragment;
    } cases[] = {
        {"id,category,name\nA1,arrest,X\n", "line 2, column category"},
        {"id,category,name,birth_dates\nA1,wanted,X,1970-13-01\n", "line 2, column birth_dates"},
        {"id,category,name,birth_dates\nA1,wanted,X,05 Jun 1970\n", "'05 Jun 1970' is not a date"},
        {"id,category,name,nationalities\nA1,wanted,X,ROM\n", "'ROM' is not an ICAO"},
        {"id,category,documents\n,lost_stolen,ROU 123\n", "line 2, column documents"},
        {"id,category,documents\n,lost_stolen,ROU:12 3\n", "only letters, digits"},
        {"id,category,documents\nL1,lost_stolen,\n", "line 2, column documents: empty"},
        {"id,category,name\nA1,wanted,\n", "line 2, column name: empty"},
        {"id,category,name,gender\nA1,wanted,X,male\n", "column gender"},
        {"id,category,name\nA1,wanted,X\nA1,entry_ban,Y\n",
         "used twice (records at lines 2 and 3)"},
        {"id,category,name\nA1,wanted\n", "line 2: expected 3 fields, found 2"},
        {"A1,wanted,X\n", "'A1' is not a tims-csv column"},
        {"id,name\nA1,X\n", "needs the columns id and category"},
        {"# source: x\n# comment\nid,category,nom\n", "line 3, column 3: 'nom'"},
        {"id,category,name\nA 1,wanted,X\n", "column id"},
        {"id,category,type,name\nA1,wanted,document,X\n", "column type"},
        {"id,category,name\nA1,wanted,\xFF\n", "line 2, byte 11: invalid UTF-8"},
    };
    for (size_t i = 0; i < TIMS_ARRAY_LEN(cases); i++) {
        write_text(f, "list.csv", cases[i].text);
        expect_error("tims-csv", p, TIMS_EDATA, cases[i].fragment, NULL);
    }
    free(p);
}

static void dpl_and_csl_check_headers_and_values(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "list.txt");
    write_text(f, "list.txt", "Name\tStreet\n");
    expect_error("dpl-tsv", p, TIMS_EDATA, "line 1", "Denied Persons List", NULL);
    char text[2048];
    snprintf(text, sizeof text, "%s%s", DPL_HEADER,
             "\"X\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t"
             "\"2003-06-19\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\n");
    write_text(f, "list.txt", text);
    expect_error("dpl-tsv", p, TIMS_EDATA, "line 2, field Effective_Date", NULL);
    snprintf(text, sizeof text, "%s\"X\"\t\"Y\"\n", DPL_HEADER);
    write_text(f, "list.txt", text);
    expect_error("dpl-tsv", p, TIMS_EDATA, "line 2: expected 12 fields, found 2", NULL);
    write_text(f, "list.txt", "name,source\n\"a\",\"b\"\n");
    expect_error("csl-csv", p, TIMS_EDATA, "no column '_id'", NULL);
    write_text(f, "list.txt", "_id,source,type,name\n\"1\",\"X (SDN)\",\"Person\",\"A\"\n");
    expect_error("csl-csv", p, TIMS_EDATA, "line 2, field type", NULL);
    write_text(f, "list.txt", "_id,source,type,name\n\"1\",\"X (SDN)\",\"\",\"A\"x\n");
    expect_error("csl-csv", p, TIMS_EDATA, "line 2, field 4: text after the closing quote", NULL);
    expect_error("csl-xml", p, TIMS_EINVAL, "unknown list format", NULL);
    free(p);
}

static void a_folder_given_as_a_list_file_is_a_usage_error(void **state)
{
    fixture *f = *state;
    expect_error("un-xml", f->dir, TIMS_EINVAL, "not a regular file", NULL);
    expect_error("tims-csv", f->dir, TIMS_EINVAL, "not a regular file", NULL);
    char *p = path_in(f, "x.csv");
    write_text(f, "x.csv", "x");
    expect_error("ofac-csv", p, TIMS_EINVAL, "is not a folder", NULL);
    free(p);
}

/* ---- a file cut off at its end ---------------------------------------------------------- */

/* Import leniently and strictly: the lenient list has `entries` entries and one dropped row,
 * its warning holds every fragment; the strict import fails naming the same line. */
static void expect_cut(const char *format, const char *path, size_t entries, const char *line, ...)
{
    tims_wl_list *l = NULL;
    tims_diag d = {{0}};
    tims_err err = tims_wl_import(format, path, &l, &d);
    if (err != TIMS_OK)
        fail_msg("%s %s: %s", format, path, d.text);
    assert_int_equal(l->count, entries);
    assert_int_equal(l->dropped_rows, 1);
    assert_non_null(l->warning);
    if (!strstr(l->warning, line) || !strstr(l->warning, "truncated"))
        fail_msg("warning '%s' lacks '%s' or 'truncated'", l->warning, line);
    va_list ap;
    va_start(ap, line);
    for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *)) {
        if (!strstr(l->warning, frag))
            fail_msg("warning '%s' lacks '%s'", l->warning, frag);
    }
    va_end(ap);
    tims_wl_list_free(l);
    l = NULL;
    assert_int_equal(tims_wl_import_ex(format, path, TIMS_WL_IMPORT_STRICT, &l, &d), TIMS_EDATA);
    assert_null(l);
    if (!strstr(d.text, line) || !strstr(d.text, "truncated"))
        fail_msg("strict error '%s' lacks '%s' or 'truncated'", d.text, line);
}

static void csv_cut_inside_a_quoted_field_drops_the_last_row_unless_strict(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "csl.csv");
    char text[1024];
    snprintf(text, sizeof text, "%s%s", CSL_SMALL,
             "\"2\",\"Entity List (EL) - Bureau of Industry and Security\",\"\",\"ACME CO\","
             "\"ACME; AC");
    write_text(f, "csl.csv", text);
    expect_cut("csl-csv", p, 1, "csl.csv line 3: the last row is cut off inside quoted field 5",
               "1 complete row imported, 1 dropped", NULL);
    /* the same with CRLF line ends and a cut right after the opening quote */
    write_text(f, "csl.csv",
               "_id,source,type,name\r\n\"1\",\"X (SDN)\",\"\",\"A\"\r\n"
               "\"2\",\"X (SDN)\",\"\",\"B\"\r\n\"3\",\"");
    expect_cut("csl-csv", p, 2, "line 4: the last row is cut off inside quoted field 2", NULL);
    free(p);
}

static void csv_cut_mid_row_without_a_line_end_drops_the_last_row_unless_strict(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "list.csv");
    char text[1024];
    snprintf(text, sizeof text, "%s%s", TIMS_SMALL, "W2,wanted,Bob");
    write_text(f, "list.csv", text);
    expect_cut("tims-csv", p, 2, "list.csv line 4: the last row is cut off after 3 of 5 fields",
               "2 complete rows imported, 1 dropped", NULL);
    snprintf(text, sizeof text, "%s%s%s", DPL_HEADER, DPL_ROW, "\"JANE DOE\"\t\"2 MAIN ST\"");
    write_text(f, "list.csv", text);
    expect_cut("dpl-tsv", p, 1, "line 3: the last row is cut off after 2 of 12 fields", NULL);
    free(p);
}

static void csv_short_row_in_the_middle_or_with_a_line_end_is_still_an_error(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "list.csv");
    char text[1024];
    /* a short row followed by more rows */
    snprintf(text, sizeof text, "%s%s%s", "id,category,name,birth_dates,documents\n",
             "W2,wanted,Bob\n", "W1,wanted,Anna EXAMPLE,1970-01-02,passport=ROU:X1\n");
    write_text(f, "list.csv", text);
    expect_error("tims-csv", p, TIMS_EDATA, "line 2: expected 5 fields, found 3", NULL);
    snprintf(text, sizeof text, "%s%s", TIMS_SMALL, "W2,wanted,Bob\nW3,wanted,Carl,,");
    write_text(f, "list.csv", text);
    expect_error("tims-csv", p, TIMS_EDATA, "line 4: expected 5 fields, found 3", NULL);
    /* the last row short, but with its line end: not cut off by the end of the file */
    snprintf(text, sizeof text, "%s%s", TIMS_SMALL, "W2,wanted,Bob\n");
    write_text(f, "list.csv", text);
    expect_error("tims-csv", p, TIMS_EDATA, "line 4: expected 5 fields, found 3", NULL);
    /* too many fields at the end is not a cut */
    snprintf(text, sizeof text, "%s%s", TIMS_SMALL, "W2,wanted,Bob,,,x");
    write_text(f, "list.csv", text);
    expect_error("tims-csv", p, TIMS_EDATA, "line 4: expected 5 fields, found 6", NULL);
    /* bad UTF-8 in an otherwise cut-off last row is bad UTF-8 */
    snprintf(text, sizeof text, "%s%s", TIMS_SMALL, "W2,wanted,B\xFFob");
    write_text(f, "list.csv", text);
    expect_error("tims-csv", p, TIMS_EDATA, "invalid UTF-8", NULL);
    free(p);
}

static void csv_unclosed_quote_over_several_lines_is_still_an_error(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "csl.csv");
    /* a stray quote on line 2 would swallow the rows after it: refused, not dropped */
    write_text(f, "csl.csv",
               "_id,source,type,name\n\"1\",\"X (SDN)\",\"\",\"A\n"
               "2,X (SDN),,B\n3,X (SDN),,C\n");
    expect_error("csl-csv", p, TIMS_EDATA, "line 2, field 4", "never closes", NULL);
    free(p);
}

static void ofac_cut_file_drops_its_last_row_but_not_before_a_0x1a(void **state)
{
    fixture *f = *state;
    /* sdn.csv without its 0x1A, cut inside the remarks of entry 200 */
    ofac_set(f, "100,\"DOE, John\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
                "\"DOB 1970\"\r\n"
                "200,\"ACME, LTD.\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Webs");
    write_text(f, "add.csv", "\x1A");
    expect_cut("ofac-csv", f->dir, 1,
               "sdn.csv line 2: the last row is cut off inside quoted field 12", NULL);
    /* alt.csv cut mid-row: the rule holds per file */
    ofac_set(f, OFAC_SDN);
    write_text(f, "alt.csv", "100,1,\"aka\",\"DOE, Johnny\",-0- \r\n100,2,\"fka\"");
    expect_cut("ofac-csv", f->dir, 2, "alt.csv line 2: the last row is cut off after 3 of 5 fields",
               "2 complete rows imported, 1 dropped", NULL);
    /* a file that ends with its 0x1A was written to the end: a short row there is an error */
    write_text(f, "alt.csv", "100,1,\"aka\",\"DOE, Johnny\",-0- \r\n100,2,\"fka\"\x1A");
    expect_error("ofac-csv", f->dir, TIMS_EDATA, "alt.csv line 2: expected 5 fields, found 3",
                 NULL);
}

static void import_flags_must_be_one_of_strict_or_allow_truncated(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "list.csv");
    write_text(f, "list.csv", TIMS_SMALL);
    tims_wl_list *l = NULL;
    tims_diag d;
    assert_int_equal(tims_wl_import_ex("tims-csv", p,
                                       TIMS_WL_IMPORT_STRICT | TIMS_WL_IMPORT_ALLOW_TRUNCATED, &l,
                                       &d),
                     TIMS_EINVAL);
    assert_int_equal(tims_wl_import_ex("tims-csv", p, 1u << 7, &l, &d), TIMS_EINVAL);
    assert_null(l);
    assert_int_equal(tims_wl_import_ex("tims-csv", p, TIMS_WL_IMPORT_ALLOW_TRUNCATED, &l, &d),
                     TIMS_OK);
    assert_int_equal(l->dropped_rows, 0);
    assert_null(l->warning);
    tims_wl_list_free(l);
    free(p);
}

/* ---- allocation failure ----------------------------------------------------------------- */

/* Fail the n-th allocation for n = 0, 1, 2 ... until the import succeeds: every failure must
 * be TIMS_ENOMEM with no list (ASan reports any leak). */
static void sweep(const char *format, const char *path)
{
    for (long n = 0; n < 100000; n++) {
        tims_wl_list *l = NULL;
        tims_diag d;
        tims_alloc_fail_after(n);
        tims_err err = tims_wl_import(format, path, &l, &d);
        tims_alloc_fail_after(-1);
        if (err == TIMS_OK) {
            assert_non_null(l);
            assert_true(n > 3);
            tims_wl_list_free(l);
            return;
        }
        if (err != TIMS_ENOMEM)
            fail_msg("%s with allocation %ld failing: %s (%s)", format, n, tims_strerror(err),
                     d.text);
        assert_null(l);
    }
    fail_msg("%s never succeeded", format);
}

static void failed_allocations_leave_no_list_and_no_leak(void **state)
{
    fixture *f = *state;
    ofac_set(f, OFAC_SDN);
    write_text(f, "sdn_comments.csv", "100,\"; Gender Male\"\r\n");
    sweep("ofac-csv", f->dir);
    char *p = path_in(f, "un.xml");
    write_text(f, "un.xml", UN_SMALL);
    sweep("un-xml", p);
    free(p);
    p = path_in(f, "list.csv");
    write_text(f, "list.csv", TIMS_SMALL);
    sweep("tims-csv", p);
    write_text(f, "list.csv", CSL_SMALL);
    sweep("csl-csv", p);
    char dpl[1024];
    snprintf(dpl, sizeof dpl, "%s%s%s", DPL_HEADER, DPL_ROW, DPL_ROW);
    write_text(f, "list.csv", dpl);
    sweep("dpl-tsv", p);
    char cut[1024];
    snprintf(cut, sizeof cut, "%s%s", CSL_SMALL, "\"2\",\"X (SDN)\",\"\",\"AC");
    write_text(f, "list.csv", cut); /* the warning is allocated too */
    sweep("csl-csv", p);
    free(p);
}

static void small_fixtures_parse_as_expected(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "un.xml");
    write_text(f, "un.xml", UN_SMALL);
    tims_wl_list *l = NULL;
    tims_diag d;
    assert_int_equal(tims_wl_import("un-xml", p, &l, &d), TIMS_OK);
    const tims_wl_entry *e = tims_wl_find(l, "XXi.001");
    assert_string_equal(e->names[0].full, "ANNA EXAMPLE");
    assert_true(e->names[1].weak);
    assert_int_equal(e->births[0].year_from, 1960);
    assert_int_equal(e->births[0].year_to, 1962);
    assert_int_equal(tims_wl_find(l, "XXe.001")->type, TIMS_WL_ENTITY);
    tims_wl_list_free(l);
    free(p);
    p = path_in(f, "csl.csv");
    write_text(f, "csl.csv", CSL_SMALL);
    assert_int_equal(tims_wl_import("csl-csv", p, &l, &d), TIMS_OK);
    e = tims_wl_find(l, "SDN:1");
    assert_string_equal(e->names[0].full, "John DOE");
    assert_string_equal(e->names[1].full, "Johnny DOE");
    assert_int_equal(e->birth_count, 2);
    assert_true(e->births[1].approx);
    assert_string_equal(e->nationalities[0], "IRN");
    assert_string_equal(e->documents[0].number, "X1");
    tims_wl_list_free(l);
    free(p);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, tu_dir_setup, tu_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(ofac_minimal_set_imports),
        T(ofac_wrong_column_count_names_file_and_line),
        T(ofac_0x1a_inside_the_file_is_an_error),
        T(ofac_accepts_one_trailing_0x1a_only),
        T(ofac_invalid_utf8_names_line_and_byte),
        T(ofac_empty_primary_file_is_an_error),
        T(ofac_missing_folder_is_no_input),
        T(ofac_alias_of_an_unknown_entry_is_an_error),
        T(ofac_unknown_type_and_bad_numbers_name_the_field),
        T(ofac_unterminated_quote_is_a_truncated_file),
        T(ofac_repeated_entry_number_names_both_lines),
        T(un_truncated_xml_names_the_last_line),
        T(un_doctype_and_entities_are_refused),
        T(un_wrong_root_empty_file_and_bad_year_are_errors),
        T(tims_csv_bad_values_name_line_and_column),
        T(dpl_and_csl_check_headers_and_values),
        T(a_folder_given_as_a_list_file_is_a_usage_error),
        T(csv_cut_inside_a_quoted_field_drops_the_last_row_unless_strict),
        T(csv_cut_mid_row_without_a_line_end_drops_the_last_row_unless_strict),
        T(csv_short_row_in_the_middle_or_with_a_line_end_is_still_an_error),
        T(csv_unclosed_quote_over_several_lines_is_still_an_error),
        T(ofac_cut_file_drops_its_last_row_but_not_before_a_0x1a),
        T(import_flags_must_be_one_of_strict_or_allow_truncated),
        T(failed_allocations_leave_no_list_and_no_leak),
        T(small_fixtures_parse_as_expected),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
