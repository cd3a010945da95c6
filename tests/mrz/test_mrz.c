/* test_mrz.c - the mrz module: each check and error code, dates and their century, names,
 * the TD1 long document number, the French card, the record splitter, and the repair.
 *
 * Records that need check digits are built here with cd() below, an independent 7-3-1
 * implementation, so that a test never trusts the code under test for its own input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tims/mrz.h"

static const tims_mrz_options june_2025 = {{2025, 6, 1}, 0};
static tims_mrz m, fixed; /* large: not on the stack */

#define TD3_L1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_L2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#define TD3    TD3_L1 "\n" TD3_L2
#define TD1                                                                                        \
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"                             \
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"

/* ---- helpers ---------------------------------------------------------------------------- */

static char cd(const char *s, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v = c == '<' ? 0 : c <= '9' ? c - '0' : c - 'A' + 10;
        sum += v * (i % 3 == 0 ? 7 : i % 3 == 1 ? 3 : 1);
    }
    return (char)('0' + sum % 10);
}

/* a TD3 second line with every check digit computed: number(9) nat(3) birth(6) sex(1)
 * expiry(6) personal(14) */
static void td3_line2(char out[45], const char *number, const char *nat, const char *birth,
                      char sex, const char *expiry, const char *personal)
{
    snprintf(out, 45, "%.9s%c%.3s%.6s%c%c%.6s%c%.14s%c", number, cd(number, 9), nat, birth,
             cd(birth, 6), sex, expiry, cd(expiry, 6), personal, cd(personal, 14));
    char comp[40];
    snprintf(comp, sizeof comp, "%.10s%.7s%.22s", out, out + 13, out + 21);
    out[43] = cd(comp, 39);
    out[44] = '\0';
}

static tims_err parse(const char *text, const tims_mrz_options *opts)
{
    return tims_mrz_parse(text, strlen(text), opts, &m);
}

static tims_err parse2(const char *l1, const char *l2, const tims_mrz_options *opts)
{
    char text[128];
    snprintf(text, sizeof text, "%s\n%s", l1, l2);
    return parse(text, opts);
}

static const tims_mrz_error *find_error(const tims_mrz *r, const char *field, tims_mrz_code code)
{
    for (size_t i = 0; i < r->nerrors; i++) {
        if (strcmp(r->errors[i].field, field) == 0 && r->errors[i].code == code)
            return &r->errors[i];
    }
    return NULL;
}

static void assert_only_error(const char *field, tims_mrz_code code)
{
    if (m.nerrors != 1 || !find_error(&m, field, code)) {
        for (size_t i = 0; i < m.nerrors; i++)
            print_message("error: %s/%s: %s\n", m.errors[i].field,
                          tims_mrz_code_name(m.errors[i].code), m.errors[i].message);
        fail_msg("expected exactly the error %s/%s", field, tims_mrz_code_name(code));
    }
}

static tims_mrz_options on(int y, int mo, int d)
{
    return (tims_mrz_options){{y, mo, d}, 0};
}

#define AT(y, mo, d) (&(tims_mrz_options){{(y), (mo), (d)}, 0})

/* ---- check digits ----------------------------------------------------------------------- */

static void check_digit_follows_7_3_1_with_letters_from_10(void **state)
{
    (void)state;
    assert_int_equal(tims_mrz_check_digit("L898902C3", 9), 6);
    assert_int_equal(tims_mrz_check_digit("740812", 6), 2);
    assert_int_equal(tims_mrz_check_digit("120415", 6), 9);
    assert_int_equal(tims_mrz_check_digit("ZE184226B<<<<<", 14), 1);
    assert_int_equal(tims_mrz_check_digit("<<<<", 4), 0);
    assert_int_equal(tims_mrz_check_digit("", 0), 0);
    assert_int_equal(tims_mrz_check_digit("l898902C3", 9), -1);
    assert_int_equal(tims_mrz_check_digit(NULL, 3), -1);
}

static void td3_specimen_is_read_field_by_field(void **state)
{
    (void)state;
    assert_int_equal(parse(TD3, &june_2025), TIMS_OK);
    assert_true(m.valid);
    assert_int_equal(m.format, TIMS_MRZ_TD3);
    assert_string_equal(m.document_code, "P");
    assert_string_equal(m.issuing_state, "UTO");
    assert_string_equal(m.surname, "ERIKSSON");
    assert_string_equal(m.given_names, "ANNA MARIA");
    assert_string_equal(m.document_number, "L898902C3");
    assert_string_equal(m.nationality, "UTO");
    assert_string_equal(m.birth_date, "1974-08-12");
    assert_string_equal(m.expiry_date, "2012-04-15");
    assert_string_equal(m.sex, "F");
    assert_string_equal(m.optional_data, "ZE184226B");
    assert_int_equal(m.nlines, 2);
    assert_string_equal(m.lines[0], TD3_L1);
    assert_string_equal(m.lines[1], TD3_L2);
    assert_false(m.name_truncated);
    assert_false(m.no_primary_identifier);
}

static void wrong_birth_date_check_digit_names_both_digits(void **state)
{
    (void)state;
    assert_int_equal(parse2(TD3_L1, "L898902C36UTO7408123F1204159ZE184226B<<<<<10", &june_2025),
                     TIMS_EDATA);
    const tims_mrz_error *e = find_error(&m, "birth_date", TIMS_MRZ_E_CHECK_DIGIT);
    assert_non_null(e);
    assert_string_equal(e->got, "3");
    assert_int_equal(e->expected, 2);
    assert_int_equal(e->line, 2);
    assert_int_equal(e->position, 20);
    assert_string_equal(e->message, "line 2, position 20: check digit of the date of birth is "
                                    "3, but 740812 gives 2");
    /* the composite covers the birth date's check digit too */
    assert_non_null(find_error(&m, "composite", TIMS_MRZ_E_CHECK_DIGIT));
}

static void each_check_digit_of_td3_is_checked(void **state)
{
    (void)state;
    /* position (0-based in line 2) of each check digit and the field it guards */
    static const struct {
        int pos;
        const char *field;
    } digits[] = {{9, "document_number"},
                  {19, "birth_date"},
                  {27, "expiry_date"},
                  {42, "optional_data"},
                  {43, "composite"}};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(digits); i++) {
        char l2[45];
        memcpy(l2, TD3_L2, sizeof l2);
        l2[digits[i].pos] = l2[digits[i].pos] == '9' ? '8' : (char)(l2[digits[i].pos] + 1);
        assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_EDATA);
        assert_non_null(find_error(&m, digits[i].field, TIMS_MRZ_E_CHECK_DIGIT));
    }
}

static void empty_personal_number_takes_filler_or_zero_check_digit(void **state)
{
    (void)state;
    char l2[45];
    td3_line2(l2, "L898902C3", "UTO", "740812", 'F', "120415", "<<<<<<<<<<<<<<");
    assert_int_equal(l2[42], '0');
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_OK);
    assert_string_equal(m.optional_data, "");

    l2[42] = '<'; /* the composite covers position 43: recompute it */
    char comp[40];
    snprintf(comp, sizeof comp, "%.10s%.7s%.22s", l2, l2 + 13, l2 + 21);
    l2[43] = cd(comp, 39);
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_OK);

    l2[42] = '5';
    snprintf(comp, sizeof comp, "%.10s%.7s%.22s", l2, l2 + 13, l2 + 21);
    l2[43] = cd(comp, 39);
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("optional_data", TIMS_MRZ_E_CHECK_DIGIT);
    assert_int_equal(m.errors[0].expected, 0);
    assert_non_null(strstr(m.errors[0].message, "an empty field needs < or 0"));
}

static void non_digit_check_digit_is_still_compared(void **state)
{
    (void)state;
    assert_int_equal(parse2(TD3_L1, "L898902C3<UTO7408122F1204159ZE184226B<<<<<10", &june_2025),
                     TIMS_EDATA);
    const tims_mrz_error *e = find_error(&m, "document_number", TIMS_MRZ_E_CHECK_DIGIT);
    assert_non_null(e);
    assert_string_equal(e->got, "<");
    assert_int_equal(e->expected, 6);
}

/* ---- TD1 -------------------------------------------------------------------------------- */

static void td1_long_document_number_continues_in_the_optional_data(void **state)
{
    (void)state;
    /* Doc 9303 Part 5: D23145890734, check digit 9, after a '<' in position 15 */
    char l1[31], l2[31];
    snprintf(l1, sizeof l1, "I<UTOD23145890<734%c<<<<<<<<<<<", cd("D23145890734", 12));
    memcpy(l2, "3407127M9507122UTO<<<<<<<<<<<?", 31);
    char comp[60];
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", l1 + 5, l2, l2 + 8, l2 + 18);
    l2[29] = cd(comp, 50);
    char text[128];
    snprintf(text, sizeof text, "%s\n%s\nSTEVENSON<<PETER<JOHN<<<<<<<<<", l1, l2);
    assert_int_equal(parse(text, &june_2025), TIMS_OK);
    assert_true(m.document_number_extended);
    assert_string_equal(m.document_number, "D23145890734");
    assert_string_equal(m.optional_data, "");
    assert_string_equal(m.birth_date, "1934-07-12");
    assert_string_equal(m.sex, "M");
}

/* ---- TD2 -------------------------------------------------------------------------------- */

/* a TD2 second line: number(9) then '<' (or its check digit), nationality, birth, sex, expiry,
 * optional data(7), every check digit computed, the composite over 1-10, 14-20 and 22-35 */
static void td2_line2(char out[37], const char *number10, const char *optional7)
{
    snprintf(out, 37, "%.10sUTO740812%cF120415%c%.7s?", number10, cd("740812", 6), cd("120415", 6),
             optional7);
    char comp[40];
    snprintf(comp, sizeof comp, "%.10s%.7s%.14s", out, out + 13, out + 21);
    out[35] = cd(comp, 31);
}

static void td2_long_document_number_continues_in_the_optional_data(void **state)
{
    (void)state;
    /* Doc 9303 Part 6: more than 9 characters: a '<' in position 10, then the rest, its check
     * digit and a filler at the start of the optional data */
    char opt[8], l2[37], text[80];
    snprintf(opt, sizeof opt, "734%c<AB", cd("D23145890734", 12));
    td2_line2(l2, "D23145890<", opt);
    snprintf(text, sizeof text, "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n%s", l2);
    assert_int_equal(parse(text, &june_2025), TIMS_OK);
    assert_int_equal(m.format, TIMS_MRZ_TD2);
    assert_true(m.document_number_extended);
    assert_string_equal(m.document_number, "D23145890734");
    assert_string_equal(m.optional_data, "AB");
    assert_string_equal(m.birth_date, "1974-08-12");

    /* a wrong check digit of the long number is named as the document number's */
    snprintf(opt, sizeof opt, "734%c<<<", cd("D23145890734", 12) == '0' ? '1' : '0');
    td2_line2(l2, "D23145890<", opt);
    snprintf(text, sizeof text, "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n%s", l2);
    assert_int_not_equal(parse(text, &june_2025), TIMS_OK);
    assert_only_error("document_number", TIMS_MRZ_E_CHECK_DIGIT);
}

static void td2_short_document_number_keeps_its_optional_data(void **state)
{
    (void)state;
    char num[11], l2[37], text[80];
    snprintf(num, sizeof num, "D23145890%c", cd("D23145890", 9));
    td2_line2(l2, num, "734AB<<");
    snprintf(text, sizeof text, "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n%s", l2);
    assert_int_equal(parse(text, &june_2025), TIMS_OK);
    assert_false(m.document_number_extended);
    assert_string_equal(m.document_number, "D23145890");
    assert_string_equal(m.optional_data, "734AB");
}

static void td1_optional_data_of_both_lines_is_kept(void **state)
{
    (void)state;
    char l1[31] = "I<UTOD231458907ABC<<<<<<<<<<<<";
    char l2[31] = "7408122F1204159UTO<<<<<<<XY12?";
    char comp[60];
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", l1 + 5, l2, l2 + 8, l2 + 18);
    l2[29] = cd(comp, 50);
    char text[128];
    snprintf(text, sizeof text, "%s\n%s\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", l1, l2);
    assert_int_equal(parse(text, &june_2025), TIMS_OK);
    assert_string_equal(m.optional_data, "ABC");
    assert_string_equal(m.optional_data_2, "XY12");
    assert_false(m.document_number_extended);
}

static void td1_line_of_wrong_length_is_a_length_error_without_fields(void **state)
{
    (void)state;
    assert_int_equal(parse("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
                           "ERIKSSON<<ANNA<MARIA<<<<<<<<<",
                           &june_2025),
                     TIMS_EDATA);
    assert_int_equal(m.format, TIMS_MRZ_TD1);
    assert_false(m.has_fields);
    assert_only_error("line_3", TIMS_MRZ_E_LENGTH);
    assert_string_equal(m.surname, "");
    assert_non_null(strstr(m.errors[0].message, "29 characters, expected 30"));
}

static void td1_document_code_may_not_have_v_second(void **state)
{
    (void)state;
    assert_int_equal(parse("IVUTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
                           "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
                           &june_2025),
                     TIMS_EDATA);
    assert_only_error("document_code", TIMS_MRZ_E_INVALID);
}

/* ---- shapes and characters -------------------------------------------------------------- */

static void shapes_decide_the_format(void **state)
{
    (void)state;
    size_t n;
    const tims_mrz_specimen *s = tims_mrz_specimens(&n);
    const tims_mrz_format want[] = {TIMS_MRZ_TD1, TIMS_MRZ_TD2, TIMS_MRZ_TD3, TIMS_MRZ_MRVA,
                                    TIMS_MRZ_MRVB};
    assert_int_equal(n, TIMS_ARRAY_LEN(want));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(parse(s[i].text, &june_2025), TIMS_OK);
        assert_int_equal(m.format, want[i]);
    }
}

static void unknown_shapes_say_what_they_saw(void **state)
{
    (void)state;
    assert_int_equal(parse(TD3_L1, &june_2025), TIMS_EDATA);
    assert_int_equal(m.format, TIMS_MRZ_UNKNOWN);
    assert_only_error("mrz", TIMS_MRZ_E_SHAPE);
    assert_non_null(strstr(m.errors[0].message, "1 line of 44 characters"));

    assert_int_equal(parse("", &june_2025), TIMS_EDATA);
    assert_only_error("mrz", TIMS_MRZ_E_SHAPE);
    assert_int_equal(m.nlines, 0);

    /* six lines: the message lists the first four */
    assert_int_equal(parse("A\nBB\nCCC\nDDDD\nE\nF", &june_2025), TIMS_EDATA);
    assert_int_equal(m.nlines, 6);
    assert_non_null(strstr(m.errors[0].message, "6 lines of 1/2/3/4/... characters"));

    /* mixed widths */
    assert_int_equal(parse2(TD3_L1, "D231458907UTO7408122F1204159<<<<<<<6", &june_2025),
                     TIMS_EDATA);
    assert_only_error("mrz", TIMS_MRZ_E_SHAPE);
}

static void hostile_long_lines_are_counted_not_stored(void **state)
{
    (void)state;
    static char text[20000];
    memset(text, 'A', 9999);
    text[9999] = '\n';
    memset(text + 10000, 'B', 9999);
    text[19999] = '\0';
    assert_int_equal(parse(text, &june_2025), TIMS_EDATA);
    assert_int_equal(m.line_length[0], 9999);
    assert_int_equal(strlen(m.lines[0]), TIMS_MRZ_LINE_CHARS);
    assert_non_null(strstr(m.errors[0].message, "9999/9999"));
}

static void lower_case_is_an_error_not_upper_cased(void **state)
{
    (void)state;
    assert_int_equal(parse2("p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<", TD3_L2, &june_2025),
                     TIMS_EDATA);
    assert_int_equal(m.format, TIMS_MRZ_TD3);
    const tims_mrz_error *e = find_error(&m, "line_1", TIMS_MRZ_E_CHARSET);
    assert_non_null(e);
    assert_int_equal(e->position, 1);
    assert_string_equal(m.surname, "eriksson");
    assert_non_null(find_error(&m, "surname", TIMS_MRZ_E_INVALID));
    assert_non_null(find_error(&m, "issuing_state", TIMS_MRZ_E_INVALID));
}

static void bad_bytes_and_control_characters_become_replacement_characters(void **state)
{
    (void)state;
    /* an invalid UTF-8 byte and an ESC in the name: still 44 characters, valid UTF-8 kept */
    assert_int_equal(parse2("P<UTOER\xFFKSSON<<ANNA<MAR\x1B"
                            "A<<<<<<<<<<<<<<<<<<<",
                            TD3_L2, &june_2025),
                     TIMS_EDATA);
    assert_int_equal(m.format, TIMS_MRZ_TD3);
    assert_int_equal(m.line_length[0], 44);
    assert_non_null(strstr(m.lines[0], "ER\xEF\xBF\xBDKSSON"));
    assert_null(strchr(m.lines[0], '\x1B'));
    const tims_mrz_error *e = find_error(&m, "line_1", TIMS_MRZ_E_CHARSET);
    assert_non_null(e);
    assert_non_null(strstr(e->message, "2 characters"));
    assert_non_null(strstr(e->message, "unreadable or control character"));
}

static void accented_letter_counts_as_one_character(void **state)
{
    (void)state;
    assert_int_equal(
        parse2("P<UTO\xC3\x89RIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3_L2, &june_2025),
        TIMS_EDATA);
    assert_int_equal(m.format, TIMS_MRZ_TD3);
    assert_string_equal(m.surname, "\xC3\x89RIKSSON");
    assert_non_null(find_error(&m, "surname", TIMS_MRZ_E_INVALID));
    assert_non_null(find_error(&m, "given_names", TIMS_MRZ_E_INVALID));
    assert_int_equal(m.nerrors, 3);
}

/* ---- fields ----------------------------------------------------------------------------- */

static void states_must_be_known_codes_without_fillers(void **state)
{
    (void)state;
    char l2[45];
    td3_line2(l2, "C01X0006H", "D<<", "640812", 'F', "171031", "<<<<<<<<<<<<<<");
    assert_int_equal(parse2("P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", l2, &june_2025),
                     TIMS_OK);
    assert_string_equal(m.issuing_state, "D");
    assert_string_equal(m.nationality, "D");

    td3_line2(l2, "C01X0006H", "XXA", "640812", 'F', "171031", "<<<<<<<<<<<<<<");
    assert_int_equal(parse2("P<UT0MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", l2, &june_2025),
                     TIMS_EDATA);
    assert_only_error("issuing_state", TIMS_MRZ_E_INVALID);
    assert_non_null(strstr(m.errors[0].message, "\"UT0\" is not a known"));
    assert_string_equal(m.nationality, "XXA");

    td3_line2(l2, "C01X0006H", "<<<", "640812", 'F', "171031", "<<<<<<<<<<<<<<");
    assert_int_equal(parse2("P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", l2, &june_2025),
                     TIMS_EDATA);
    assert_only_error("nationality", TIMS_MRZ_E_INVALID);
    assert_non_null(strstr(m.errors[0].message, "empty"));
}

static void names_split_into_primary_and_secondary_identifiers(void **state)
{
    (void)state;
    assert_int_equal(parse2("P<UTOSMITH<JONES<<SUSIE<MARGARET<<<<<<<<<<<<", TD3_L2, &june_2025),
                     TIMS_OK);
    assert_string_equal(m.surname, "SMITH JONES");
    assert_string_equal(m.given_names, "SUSIE MARGARET");
    assert_false(m.name_truncated);

    assert_int_equal(parse2("P<UTO<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<<<<<<", TD3_L2, &june_2025),
                     TIMS_OK);
    assert_true(m.no_primary_identifier);
    assert_string_equal(m.surname, "");
    assert_string_equal(m.given_names, "ANNA MARIA");

    assert_int_equal(parse2("P<UTOVANDERWAALSWIJKHOVENSTRA<<JOHANNESPETER", TD3_L2, &june_2025),
                     TIMS_OK);
    assert_true(m.name_truncated);
    assert_string_equal(m.given_names, "JOHANNESPETER");

    assert_int_equal(parse2("P<UTOONLYASURNAME<<<<<<<<<<<<<<<<<<<<<<<<<<<", TD3_L2, &june_2025),
                     TIMS_OK);
    assert_string_equal(m.surname, "ONLYASURNAME");
    assert_string_equal(m.given_names, "");
}

static void sex_x_is_refused_unless_the_reader_accepts_it(void **state)
{
    (void)state;
    char l2[45];
    td3_line2(l2, "L898902C3", "UTO", "740812", 'X', "120415", "ZE184226B<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("sex", TIMS_MRZ_E_INVALID);
    assert_string_equal(m.sex, "X");
    tims_mrz_options x = june_2025;
    x.flags = TIMS_MRZ_ACCEPT_SEX_X;
    assert_int_equal(parse2(TD3_L1, l2, &x), TIMS_OK);
    assert_string_equal(m.sex, "X");

    td3_line2(l2, "L898902C3", "UTO", "740812", '<', "120415", "ZE184226B<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_OK);
    assert_string_equal(m.sex, "<");
    td3_line2(l2, "L898902C3", "UTO", "740812", 'Q', "120415", "ZE184226B<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, &x), TIMS_EDATA);
    assert_only_error("sex", TIMS_MRZ_E_INVALID);
}

static void document_codes_follow_the_format(void **state)
{
    (void)state;
    assert_int_equal(parse2("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3_L2, &june_2025),
                     TIMS_EDATA);
    assert_only_error("document_code", TIMS_MRZ_E_INVALID);
    assert_int_equal(parse2("PDUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3_L2, &june_2025),
                     TIMS_OK);
    assert_string_equal(m.document_code, "PD");
    /* a TD2 card may not start with P */
    assert_int_equal(parse2("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                            "D231458907UTO7408122F1204159<<<<<<<6", &june_2025),
                     TIMS_EDATA);
    assert_int_equal(m.format, TIMS_MRZ_TD2);
    assert_only_error("document_code", TIMS_MRZ_E_INVALID);
}

static void document_number_of_only_fillers_is_invalid(void **state)
{
    (void)state;
    char l2[45];
    td3_line2(l2, "<<<<<<<<<", "UTO", "740812", 'F', "120415", "ZE184226B<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("document_number", TIMS_MRZ_E_INVALID);
}

/* ---- dates ------------------------------------------------------------------------------ */

static const char *birth_on(const char *yymmdd, tims_mrz_options opts)
{
    char l2[45];
    td3_line2(l2, "L898902C3", "UTO", yymmdd, 'F', "300101", "<<<<<<<<<<<<<<");
    parse2(TD3_L1, l2, &opts);
    return find_error(&m, "birth_date", TIMS_MRZ_E_INVALID) ? "invalid" : m.birth_date;
}

static void birth_century_is_the_latest_not_after_today(void **state)
{
    (void)state;
    assert_string_equal(birth_on("740812", on(2025, 6, 1)), "1974-08-12");
    assert_string_equal(birth_on("250601", on(2025, 6, 1)), "2025-06-01"); /* born today */
    assert_string_equal(birth_on("250602", on(2025, 6, 1)), "1925-06-02"); /* tomorrow */
    assert_string_equal(birth_on("101231", on(2025, 6, 1)), "2010-12-31");
    assert_string_equal(birth_on("101231", on(2010, 12, 30)), "1910-12-31");
    assert_string_equal(birth_on("050505", on(2105, 6, 1)), "2105-05-05"); /* next century */
    assert_string_equal(birth_on("990101", on(1999, 6, 1)), "1999-01-01");
    assert_string_equal(birth_on("000101", on(1999, 6, 1)), "1900-01-01");
}

static void unknown_birth_day_or_month_is_allowed(void **state)
{
    (void)state;
    assert_string_equal(birth_on("74<<<<", on(2025, 6, 1)), "1974-XX-XX");
    assert_string_equal(birth_on("7408<<", on(2025, 6, 1)), "1974-08-XX");
    assert_string_equal(birth_on("<<<<<<", on(2025, 6, 1)), "XXXX-XX-XX");
    assert_string_equal(birth_on("25<<<<", on(2025, 6, 1)), "2025-XX-XX");
    assert_string_equal(birth_on("2507<<", on(2025, 6, 1)), "1925-07-XX");
    assert_string_equal(birth_on("74<<12", on(2025, 6, 1)), "invalid");
    assert_string_equal(birth_on("7413<<", on(2025, 6, 1)), "invalid");
    assert_string_equal(birth_on("7<0812", on(2025, 6, 1)), "invalid");
}

static void dates_must_exist(void **state)
{
    (void)state;
    assert_string_equal(birth_on("740230", on(2025, 6, 1)), "invalid");
    assert_string_equal(birth_on("740431", on(2025, 6, 1)), "invalid");
    assert_string_equal(birth_on("740001", on(2025, 6, 1)), "invalid");
    assert_string_equal(birth_on("740100", on(2025, 6, 1)), "invalid");
    assert_string_equal(birth_on("000229", on(2025, 6, 1)), "2000-02-29"); /* 2000 leaps */
    assert_string_equal(birth_on("000229", on(1999, 6, 1)), "invalid");    /* 1900 does not */
    assert_string_equal(birth_on("680229", on(2025, 6, 1)), "1968-02-29");
    assert_string_equal(birth_on("690229", on(2025, 6, 1)), "invalid");
    parse2(TD3_L1, "L898902C36UTO7402304F1204159ZE184226B<<<<<16", &june_2025);
    assert_only_error("birth_date", TIMS_MRZ_E_INVALID);
    assert_non_null(strstr(m.errors[0].message, "740230 is not a real calendar date"));
}

static void expiry_is_always_in_this_century_and_never_unknown(void **state)
{
    (void)state;
    char l2[45];
    td3_line2(l2, "L898902C3", "UTO", "740812", 'F', "961210", "<<<<<<<<<<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, AT(1990, 1, 1)), TIMS_OK);
    assert_string_equal(m.expiry_date, "2096-12-10");
    td3_line2(l2, "L898902C3", "UTO", "740812", 'F', "12<<<<", "<<<<<<<<<<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("expiry_date", TIMS_MRZ_E_INVALID);
    assert_string_equal(m.expiry_date, "");
    assert_string_equal(m.expiry_date_raw, "12<<<<");
    td3_line2(l2, "L898902C3", "UTO", "740812", 'F', "230229", "<<<<<<<<<<<<<<");
    assert_int_equal(parse2(TD3_L1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("expiry_date", TIMS_MRZ_E_INVALID);
}

static void impossible_today_is_a_usage_error(void **state)
{
    (void)state;
    assert_int_equal(parse(TD3, AT(2025, 2, 29)), TIMS_EINVAL);
    assert_int_equal(parse(TD3, AT(2025, 13, 1)), TIMS_EINVAL);
    assert_int_equal(parse(TD3, AT(0, 1, 1)), TIMS_EINVAL);
    assert_int_equal(tims_mrz_parse(TD3, strlen(TD3), NULL, &m), TIMS_EINVAL);
    assert_int_equal(tims_mrz_parse(TD3, strlen(TD3), &june_2025, NULL), TIMS_EINVAL);
    assert_int_equal(tims_mrz_parse(NULL, 5, &june_2025, &m), TIMS_EINVAL);
    assert_int_equal(tims_mrz_parse_lines(NULL, 2, &june_2025, &m), TIMS_EINVAL);
}

/* ---- the French identity card ----------------------------------------------------------- */

/* line 1: ID FRA surname(25) administrative code(6); line 2: number(12) cd given(14)
 * birth(6) cd sex composite (over line 1 and line 2 positions 1-35) */
static void french_card(char l1[37], char l2[37], const char *birth, char sex)
{
    memcpy(l1, "IDFRAMARTIN<DUPONT<<<<<<<<<<<<750123", 37);
    snprintf(l2, 37, "880692310285%cJEANNE<<MARIE<%.6s%c%c?", cd("880692310285", 12), birth,
             cd(birth, 6), sex);
    char comp[80];
    snprintf(comp, sizeof comp, "%.36s%.35s", l1, l2);
    l2[35] = cd(comp, 71);
}

static void french_identity_card_is_read_with_its_own_layout(void **state)
{
    (void)state;
    char l1[37], l2[37];
    french_card(l1, l2, "650228", 'F');
    assert_int_equal(parse2(l1, l2, &june_2025), TIMS_OK);
    assert_int_equal(m.format, TIMS_MRZ_FRENCH_ID);
    assert_string_equal(tims_mrz_format_name(m.format), "FRENCH_NATIONAL_ID");
    assert_string_equal(m.document_code, "ID");
    assert_string_equal(m.issuing_state, "FRA");
    assert_string_equal(m.nationality, "FRA");
    assert_string_equal(m.surname, "MARTIN DUPONT");
    assert_string_equal(m.given_names, "JEANNE MARIE");
    assert_string_equal(m.document_number, "880692310285");
    assert_string_equal(m.birth_date, "1965-02-28");
    assert_string_equal(m.sex, "F");
    assert_string_equal(m.expiry_date, "");
    assert_string_equal(m.optional_data, "750123");
    assert_false(m.name_truncated);
}

static void french_identity_card_checks_number_birth_and_composite(void **state)
{
    (void)state;
    char l1[37], l2[37];
    french_card(l1, l2, "650228", 'F');
    l2[12] = l2[12] == '9' ? '0' : (char)(l2[12] + 1);
    assert_int_equal(parse2(l1, l2, &june_2025), TIMS_EDATA);
    assert_non_null(find_error(&m, "document_number", TIMS_MRZ_E_CHECK_DIGIT));
    assert_non_null(find_error(&m, "composite", TIMS_MRZ_E_CHECK_DIGIT));

    french_card(l1, l2, "650228", 'F');
    l1[20] = 'X'; /* the surname is covered by the composite only */
    assert_int_equal(parse2(l1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("composite", TIMS_MRZ_E_CHECK_DIGIT);

    french_card(l1, l2, "650230", 'F');
    assert_int_equal(parse2(l1, l2, &june_2025), TIMS_EDATA);
    assert_only_error("birth_date", TIMS_MRZ_E_INVALID);
}

/* ---- splitting input -------------------------------------------------------------------- */

static void crlf_and_surrounding_spaces_are_ignored(void **state)
{
    (void)state;
    const char *text = "  " TD3_L1 "  \r\n\t" TD3_L2 " \r\n";
    assert_int_equal(parse(text, &june_2025), TIMS_OK);
    assert_string_equal(m.lines[1], TD3_L2);
    assert_int_equal(parse("\xEF\xBB\xBF" TD3, &june_2025), TIMS_OK); /* byte-order mark */
    assert_int_equal(parse("\n\n  \n" TD3 "\n\n", &june_2025), TIMS_OK);
}

static void blank_lines_separate_records(void **state)
{
    (void)state;
    size_t n;
    const tims_mrz_specimen *s = tims_mrz_specimens(&n);
    char text[1024];
    snprintf(text, sizeof text, "\r\n%s\r\n \r\n\r\n%s\n\n%s", s[0].text, s[2].text, s[4].text);
    size_t pos = 0, count = 0, len = strlen(text);
    tims_mrz_span rec;
    const tims_mrz_format want[] = {TIMS_MRZ_TD1, TIMS_MRZ_TD3, TIMS_MRZ_MRVB};
    while (tims_mrz_next_record(text, len, true, &pos, &rec)) {
        assert_true(count < 3);
        assert_int_equal(tims_mrz_parse(rec.ptr, rec.len, &june_2025, &m), TIMS_OK);
        assert_int_equal(m.format, want[count]);
        count++;
    }
    assert_int_equal(count, 3);
    assert_int_equal(pos, len);
}

static void a_record_still_arriving_is_not_returned(void **state)
{
    (void)state;
    const char *text = TD3_L1 "\n" TD3_L2 "\n";
    size_t pos = 0;
    tims_mrz_span rec;
    assert_false(tims_mrz_next_record(text, strlen(text), false, &pos, &rec));
    assert_int_equal(pos, 0);
    const char *more = TD3_L1 "\n" TD3_L2 "\n  "; /* spaces: the blank line is unfinished */
    assert_false(tims_mrz_next_record(more, strlen(more), false, &pos, &rec));
    const char *done = TD3_L1 "\n" TD3_L2 "\n  \nP<";
    assert_true(tims_mrz_next_record(done, strlen(done), false, &pos, &rec));
    assert_int_equal(rec.len, strlen(TD3));
    assert_int_equal(pos, strlen(TD3) + 4);
    assert_false(tims_mrz_next_record(done, strlen(done), false, &pos, &rec));
    assert_int_equal(pos, strlen(TD3) + 4);
    assert_true(tims_mrz_next_record(done, strlen(done), true, &pos, &rec));
    assert_int_equal(rec.len, 2);
    /* only blank lines left */
    pos = 0;
    assert_false(tims_mrz_next_record("\n \r\n", 4, true, &pos, &rec));
    assert_int_equal(pos, 4);
    pos = 0;
    assert_false(tims_mrz_next_record(NULL, 0, true, &pos, &rec));
}

static void blank_lines_inside_a_parsed_record_count_as_lines(void **state)
{
    (void)state;
    tims_mrz_span two[2] = {{"", 0}, {"  ", 2}};
    assert_int_equal(tims_mrz_parse_lines(two, 2, &june_2025, &m), TIMS_EDATA);
    assert_int_equal(m.nlines, 2);
    assert_only_error("mrz", TIMS_MRZ_E_SHAPE);
    assert_non_null(strstr(m.errors[0].message, "2 lines of 0/0 characters"));
    assert_int_equal(parse(TD3_L1 "\n\n" TD3_L2, &june_2025), TIMS_EDATA);
    assert_int_equal(m.nlines, 3);
}

/* ---- repair ----------------------------------------------------------------------------- */

static void repair_is_not_needed_for_a_valid_record(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    parse(TD3, &june_2025);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_NOT_NEEDED);
    assert_int_equal(rep.nchanges, 0);
}

static void repair_undoes_ocr_confusions_when_the_result_is_unique(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    parse2("P<UT0ERIK55ON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
           "L898902C36UTO740BIZZF12041S9ZE184226B<<<<<1O", &june_2025);
    assert_false(m.valid);
    size_t errors_before = m.nerrors;
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_UNIQUE);
    assert_string_equal(tims_mrz_repair_status_name(rep.status), "unique");
    assert_int_equal(rep.nlines, 2);
    assert_string_equal(rep.lines[0], TD3_L1);
    assert_string_equal(rep.lines[1], TD3_L2);
    assert_int_equal(rep.nchanges, 9);
    assert_int_equal(rep.changes[0].line, 1);
    assert_int_equal(rep.changes[0].position, 5);
    assert_int_equal(rep.changes[0].from, '0');
    assert_int_equal(rep.changes[0].to, 'O');
    assert_true(fixed.valid);
    assert_string_equal(fixed.surname, "ERIKSSON");
    assert_string_equal(fixed.birth_date, "1974-08-12");
    /* the original record is left as it was */
    assert_false(m.valid);
    assert_int_equal(m.nerrors, errors_before);
    assert_string_equal(m.surname, "ERIK55ON");
}

static void repair_tries_both_ways_in_letter_or_digit_fields(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    /* document number "X7Z0ZZ<<<": O misread for 0 in position 4; no other confusable
     * character the check digit cannot tell apart (no G/6, and one flip shifts the sum) */
    char l2[45];
    td3_line2(l2, "X7Z0ZZ<<<", "UTO", "740812", 'F', "120415", "<<<<<<<<<<<<<<");
    l2[3] = 'O';
    parse2(TD3_L1, l2, &june_2025);
    assert_non_null(find_error(&m, "document_number", TIMS_MRZ_E_CHECK_DIGIT));
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    if (rep.status != TIMS_MRZ_REPAIR_UNIQUE)
        fail_msg("status %s: %s", tims_mrz_repair_status_name(rep.status), rep.reason);
    assert_int_equal(rep.nchanges, 1);
    assert_int_equal(rep.changes[0].line, 2);
    assert_int_equal(rep.changes[0].position, 4);
    assert_int_equal(rep.changes[0].from, 'O');
    assert_int_equal(rep.changes[0].to, '0');
    assert_string_equal(fixed.document_number, "X7Z0ZZ");
    assert_true(rep.tried > 1);
}

static void repair_says_when_several_repairs_fit(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    /* G and 6 weigh the same modulo 10 (16 vs 6): a number holding a 6 next to a misread O
     * fits the check digit with the 6 either way */
    char l2[45];
    td3_line2(l2, "X60XXX<<<", "UTO", "740812", 'F', "120415", "<<<<<<<<<<<<<<");
    l2[2] = 'O';
    parse2(TD3_L1, l2, &june_2025);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_AMBIGUOUS);
    assert_int_equal(rep.solutions, 2);
    assert_non_null(strstr(rep.reason, "2 different repairs"));
}

static void repair_finds_none_when_no_confusion_explains_the_error(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    parse2(TD3_L1, "L898902C36UTO7408123F1204159ZE184226B<<<<<10", &june_2025);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_NONE);
    assert_non_null(strstr(rep.reason, "date of birth"));

    parse2("P<ASUMXHMWD<<EBDALRXHYM<<<<<<<<<<<<<<<<<<<<<",
           "A2222222<0ASU7108215M04120411000146819<<<<44", &june_2025);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_NONE);
    assert_non_null(strstr(rep.reason, "ASU"));

    parse(TD3_L1, &june_2025); /* a shape error */
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_NONE);
}

static void repair_search_is_bounded_on_hostile_input(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    /* a name of digits: more forced changes than allowed */
    parse2("P<UTO0000000000000000000000000000000000000000", TD3_L2, &june_2025);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_NONE);
    assert_true(rep.tried == 0);

    /* a TD1 whose composite fails with 26 confusable characters in its optional data */
    char l1[31] = "I<UTOD231458907OOOOOOOOOOOOOOO";
    char l2[31] = "7408122F1204159UTO00000000000?";
    char comp[60];
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", l1 + 5, l2, l2 + 8, l2 + 18);
    l2[29] = (char)('0' + (cd(comp, 50) - '0' + 1) % 10); /* a wrong composite */
    char text[128];
    snprintf(text, sizeof text, "%s\n%s\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", l1, l2);
    parse(text, &june_2025);
    assert_only_error("composite", TIMS_MRZ_E_CHECK_DIGIT);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, &rep, &fixed), TIMS_OK);
    assert_int_equal(rep.status, TIMS_MRZ_REPAIR_NONE);
    assert_true(rep.tried <= 1);
    assert_non_null(strstr(rep.reason, "more than 12"));
}

static void repair_refuses_bad_arguments(void **state)
{
    (void)state;
    tims_mrz_repair_result rep;
    parse(TD3, &june_2025);
    assert_int_equal(tims_mrz_repair(NULL, &june_2025, &rep, &fixed), TIMS_EINVAL);
    assert_int_equal(tims_mrz_repair(&m, AT(2025, 2, 30), &rep, &fixed), TIMS_EINVAL);
    assert_int_equal(tims_mrz_repair(&m, &june_2025, NULL, &fixed), TIMS_EINVAL);
}

static void names_of_codes_and_formats_are_stable(void **state)
{
    (void)state;
    assert_string_equal(tims_mrz_code_name(TIMS_MRZ_E_SHAPE), "shape");
    assert_string_equal(tims_mrz_code_name(TIMS_MRZ_E_LENGTH), "length");
    assert_string_equal(tims_mrz_code_name(TIMS_MRZ_E_CHARSET), "charset");
    assert_string_equal(tims_mrz_code_name(TIMS_MRZ_E_INVALID), "invalid");
    assert_string_equal(tims_mrz_code_name(TIMS_MRZ_E_CHECK_DIGIT), "check_digit");
    assert_string_equal(tims_mrz_format_name(TIMS_MRZ_MRVA), "MRVA");
    assert_string_equal(tims_mrz_format_name(TIMS_MRZ_UNKNOWN), "UNKNOWN");
    assert_string_equal(tims_mrz_repair_status_name(TIMS_MRZ_REPAIR_AMBIGUOUS), "ambiguous");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_digit_follows_7_3_1_with_letters_from_10),
        cmocka_unit_test(td3_specimen_is_read_field_by_field),
        cmocka_unit_test(wrong_birth_date_check_digit_names_both_digits),
        cmocka_unit_test(each_check_digit_of_td3_is_checked),
        cmocka_unit_test(empty_personal_number_takes_filler_or_zero_check_digit),
        cmocka_unit_test(non_digit_check_digit_is_still_compared),
        cmocka_unit_test(td1_long_document_number_continues_in_the_optional_data),
        cmocka_unit_test(td2_long_document_number_continues_in_the_optional_data),
        cmocka_unit_test(td2_short_document_number_keeps_its_optional_data),
        cmocka_unit_test(td1_optional_data_of_both_lines_is_kept),
        cmocka_unit_test(td1_line_of_wrong_length_is_a_length_error_without_fields),
        cmocka_unit_test(td1_document_code_may_not_have_v_second),
        cmocka_unit_test(shapes_decide_the_format),
        cmocka_unit_test(unknown_shapes_say_what_they_saw),
        cmocka_unit_test(hostile_long_lines_are_counted_not_stored),
        cmocka_unit_test(lower_case_is_an_error_not_upper_cased),
        cmocka_unit_test(bad_bytes_and_control_characters_become_replacement_characters),
        cmocka_unit_test(accented_letter_counts_as_one_character),
        cmocka_unit_test(states_must_be_known_codes_without_fillers),
        cmocka_unit_test(names_split_into_primary_and_secondary_identifiers),
        cmocka_unit_test(sex_x_is_refused_unless_the_reader_accepts_it),
        cmocka_unit_test(document_codes_follow_the_format),
        cmocka_unit_test(document_number_of_only_fillers_is_invalid),
        cmocka_unit_test(birth_century_is_the_latest_not_after_today),
        cmocka_unit_test(unknown_birth_day_or_month_is_allowed),
        cmocka_unit_test(dates_must_exist),
        cmocka_unit_test(expiry_is_always_in_this_century_and_never_unknown),
        cmocka_unit_test(impossible_today_is_a_usage_error),
        cmocka_unit_test(french_identity_card_is_read_with_its_own_layout),
        cmocka_unit_test(french_identity_card_checks_number_birth_and_composite),
        cmocka_unit_test(crlf_and_surrounding_spaces_are_ignored),
        cmocka_unit_test(blank_lines_separate_records),
        cmocka_unit_test(a_record_still_arriving_is_not_returned),
        cmocka_unit_test(blank_lines_inside_a_parsed_record_count_as_lines),
        cmocka_unit_test(repair_is_not_needed_for_a_valid_record),
        cmocka_unit_test(repair_undoes_ocr_confusions_when_the_result_is_unique),
        cmocka_unit_test(repair_tries_both_ways_in_letter_or_digit_fields),
        cmocka_unit_test(repair_says_when_several_repairs_fit),
        cmocka_unit_test(repair_finds_none_when_no_confusion_explains_the_error),
        cmocka_unit_test(repair_search_is_bounded_on_hostile_input),
        cmocka_unit_test(repair_refuses_bad_arguments),
        cmocka_unit_test(names_of_codes_and_formats_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
