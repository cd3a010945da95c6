/* test_mrz_vectors.c - every record of $TIMS_TEST_DATA/mrz/vectors.jsonl gives the expected
 * verdict, format, field values and exactly the expected set of errors.
 *
 * The file's field names are camelCase and its dates raw YYMMDD; its errors are sentences
 * such as `check digit birthDate: got Z, expected 7`. Both are mapped to ours here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"
#include "tims/mrz.h"

static const tims_mrz_options today = {{2025, 6, 1}, 0};

static const char *our_field(const char *name)
{
    static const char *const map[][2] = {
        {"documentCode", "document_code"},
        {"issuingState", "issuing_state"},
        {"lastName", "surname"},
        {"firstName", "given_names"},
        {"documentNumber", "document_number"},
        {"nationality", "nationality"},
        {"birthDate", "birth_date"},
        {"expirationDate", "expiry_date"},
        {"sex", "sex"},
        {"personalNumber", "optional_data"},
        {"optional", "optional_data"},
        {"optional1", "optional_data"},
        {"optional2", "optional_data_2"},
        {"composite", "composite"},
    };
    for (size_t i = 0; i < TIMS_ARRAY_LEN(map); i++) {
        if (strcmp(map[i][0], name) == 0)
            return map[i][1];
    }
    fail_msg("vector field %s has no counterpart", name);
    return NULL;
}

/* the string field of ours a vector field is compared with (dates: the raw YYMMDD) */
static const char *our_value(const tims_mrz *m, const char *name)
{
    const char *f = our_field(name);
    if (strcmp(f, "document_code") == 0)
        return m->document_code;
    if (strcmp(f, "issuing_state") == 0)
        return m->issuing_state;
    if (strcmp(f, "surname") == 0)
        return m->surname;
    if (strcmp(f, "given_names") == 0)
        return m->given_names;
    if (strcmp(f, "document_number") == 0)
        return m->document_number;
    if (strcmp(f, "nationality") == 0)
        return m->nationality;
    if (strcmp(f, "birth_date") == 0)
        return m->birth_date_raw;
    if (strcmp(f, "expiry_date") == 0)
        return m->expiry_date_raw;
    if (strcmp(f, "sex") == 0)
        return m->sex;
    if (strcmp(f, "optional_data") == 0)
        return m->optional_data;
    if (strcmp(f, "optional_data_2") == 0)
        return m->optional_data_2;
    fail_msg("no string field %s", f);
    return NULL;
}

static bool our_flag(const tims_mrz *m, const char *name)
{
    if (strcmp(name, "nameHasNoPrimaryIdentifier") == 0)
        return m->no_primary_identifier;
    if (strcmp(name, "nameMayBeTruncated") == 0)
        return m->name_truncated;
    if (strcmp(name, "documentNumberExtended") == 0)
        return m->document_number_extended;
    fail_msg("no flag %s", name);
    return false;
}

typedef struct expected_error {
    char field[32];
    tims_mrz_code code;
    char got[8];
    int expected;
} expected_error;

static expected_error map_error(const char *s)
{
    expected_error e = {.expected = -1};
    char name[64], got[8];
    int n = 0, exp;
    if (sscanf(s, "check digit %63[A-Za-z]: got %7[^,], expected %d", name, got, &exp) == 3) {
        snprintf(e.field, sizeof e.field, "%s", our_field(name));
        e.code = TIMS_MRZ_E_CHECK_DIGIT;
        snprintf(e.got, sizeof e.got, "%s", got);
        e.expected = exp;
    } else if (sscanf(s, "field %63[A-Za-z] invalid", name) == 1) {
        snprintf(e.field, sizeof e.field, "%s", our_field(name));
        e.code = TIMS_MRZ_E_INVALID;
    } else if (strstr(s, " has characters outside ") && sscanf(s, "line %d", &n) == 1) {
        snprintf(e.field, sizeof e.field, "line_%d", n);
        e.code = TIMS_MRZ_E_CHARSET;
    } else if (strstr(s, " has length ") && sscanf(s, "line %d", &n) == 1) {
        snprintf(e.field, sizeof e.field, "line_%d", n);
        e.code = TIMS_MRZ_E_LENGTH;
    } else if (strncmp(s, "unrecognised shape:", 19) == 0) {
        snprintf(e.field, sizeof e.field, "mrz");
        e.code = TIMS_MRZ_E_SHAPE;
    } else {
        fail_msg("vector error '%s' has no mapping", s);
    }
    return e;
}

/* compare one vector; returns the number of differences (each printed) */
static int check_vector(size_t lineno, json_t *v)
{
    static tims_mrz m;
    int diffs = 0;
    json_t *mrz = json_object_get(v, "mrz");
    tims_mrz_span lines[8];
    size_t n = json_array_size(mrz);
    assert_true(n > 0 && n <= 8);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(mrz, i));
        lines[i] = (tims_mrz_span){s, strlen(s)};
    }
    tims_err err = tims_mrz_parse_lines(lines, n, &today, &m);
    bool valid = json_is_true(json_object_get(v, "valid"));
#define DIFF(...)                                                                                  \
    do {                                                                                           \
        print_message("vector on line %zu (%s): ", lineno,                                         \
                      json_string_value(json_object_get(v, "origin")));                            \
        print_message(__VA_ARGS__);                                                                \
        print_message("\n");                                                                       \
        diffs++;                                                                                   \
    } while (0)
    if (m.valid != valid || (err == TIMS_OK) != valid)
        DIFF("valid is %d (returned %d), expected %d", m.valid, err, valid);
    const char *format = json_string_value(json_object_get(v, "format"));
    if (strcmp(tims_mrz_format_name(m.format), format) != 0)
        DIFF("format %s, expected %s", tims_mrz_format_name(m.format), format);

    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(v, "fields"), key, value)
    {
        if (json_is_boolean(value)) {
            if (our_flag(&m, key) != json_is_true(value))
                DIFF("%s is %d, expected %d", key, our_flag(&m, key), json_is_true(value));
        } else if (strcmp(our_value(&m, key), json_string_value(value)) != 0) {
            DIFF("%s is \"%s\", expected \"%s\"", key, our_value(&m, key),
                 json_string_value(value));
        }
    }
    if (json_object_size(json_object_get(v, "fields")) == 0 && m.has_fields)
        DIFF("has fields, expected none");

    /* the sets of (field, code) must be equal, and check digits must agree on got/expected */
    json_t *errors = json_object_get(v, "errors");
    bool matched[TIMS_MRZ_MAX_ERRORS] = {false};
    size_t i;
    json_array_foreach(errors, i, value)
    {
        expected_error e = map_error(json_string_value(value));
        size_t j = 0;
        while (j < m.nerrors &&
               !(strcmp(m.errors[j].field, e.field) == 0 && m.errors[j].code == e.code))
            j++;
        if (j == m.nerrors) {
            DIFF("missing error %s/%s (%s)", e.field, tims_mrz_code_name(e.code),
                 json_string_value(value));
            continue;
        }
        matched[j] = true;
        if (e.code == TIMS_MRZ_E_CHECK_DIGIT &&
            (strcmp(m.errors[j].got, e.got) != 0 || m.errors[j].expected != e.expected))
            DIFF("check digit %s: got %s, expected %d; the vector says %s", e.field,
                 m.errors[j].got, m.errors[j].expected, json_string_value(value));
        if (m.errors[j].message[0] == '\0')
            DIFF("error %s/%s has no message", e.field, tims_mrz_code_name(e.code));
    }
    for (size_t j = 0; j < m.nerrors; j++) {
        if (!matched[j])
            DIFF("unexpected error %s/%s: %s", m.errors[j].field,
                 tims_mrz_code_name(m.errors[j].code), m.errors[j].message);
    }
    return diffs;
#undef DIFF
}

static void every_vector_gives_the_expected_verdict_fields_and_errors(void **state)
{
    (void)state;
    char *path = tu_data_path("mrz/vectors.jsonl");
    size_t len;
    char *text = tu_read_file(path, &len);
    size_t records = 0, lineno = 0;
    int diffs = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (*line) {
            json_error_t jerr;
            json_t *v = json_loads(line, 0, &jerr);
            if (!v)
                fail_msg("%s:%zu: %s", path, lineno, jerr.text);
            diffs += check_vector(lineno, v);
            json_decref(v);
            records++;
        }
        line = nl ? nl + 1 : NULL;
    }
    tims_free(text);
    tims_free(path);
    assert_int_equal(records, 47);
    assert_int_equal(diffs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_vector_gives_the_expected_verdict_fields_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
