/* test_node.c - the node layer's own parts that need no journal: settings, times, ids,
 * document keys. (The commands are tested through the binary in test_node_cli.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tims/node.h"

static void settings_read_back_as_written(void **state)
{
    (void)state;
    tims_node_config cfg, back;
    tims_node_config_defaults(&cfg, "bcp-north");
    strcpy(cfg.country, "UTO");
    cfg.role = TIMS_ROLE_HUB;
    cfg.utc_offset_minutes = 120;
    cfg.threshold = 0.85;
    tims_buf text = {0};
    assert_int_equal(tims_node_config_format(&cfg, &text), TIMS_OK);
    assert_non_null(strstr(text.data, "# The node's country"));
    tims_diag diag = {{0}};
    assert_int_equal(tims_node_config_parse(text.data, text.len, &back, &diag), TIMS_OK);
    assert_string_equal(back.name, "bcp-north");
    assert_string_equal(back.bcp, "bcp-north");
    assert_string_equal(back.country, "UTO");
    assert_int_equal(back.role, TIMS_ROLE_HUB);
    assert_int_equal(back.utc_offset_minutes, 120);
    assert_true(back.threshold > 0.849 && back.threshold < 0.851);
    assert_string_equal(back.stay_rules, TIMS_NODE_RULES_FILE);
    assert_int_equal(back.max_skew_seconds, 300);
    tims_buf_free(&text);
}

static void expect_config_error(const char *text, const char *needle)
{
    tims_node_config cfg;
    tims_diag diag = {{0}};
    assert_int_equal(tims_node_config_parse(text, strlen(text), &cfg, &diag), TIMS_ECONFIG);
    if (!strstr(diag.text, needle))
        fail_msg("expected '%s' in: %s", needle, diag.text);
}

static void bad_settings_name_the_line_and_the_key(void **state)
{
    (void)state;
    expect_config_error("[node]\nname = a\nrole = centre\n", "line 3: role must be bcp or hub");
    expect_config_error("[node]\nname = a\ncountry = QQQ\n", "line 3: country must be");
    expect_config_error("[node]\nname = a\ncolour = red\n", "line 3: no setting 'colour' in [node]");
    expect_config_error("[node]\nname = a\n[screening]\nthreshold = 2\n", "line 4: threshold must be");
    expect_config_error("[nodes]\n", "line 1: unknown section [nodes]");
    expect_config_error("name = a\n", "line 1: expected KEY = VALUE inside a section");
    expect_config_error("[node]\nrole = bcp\n", "has no name");
    expect_config_error("[node]\nname = a b\n", "line 2: name must be");
    expect_config_error("[stay]\nutc_offset_minutes = 900\n", "line 2: utc_offset_minutes");
}

static void times_are_iso_8601_with_a_zone(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(tims_node_parse_time("1970-01-01T00:00:00Z", &us, NULL), TIMS_OK);
    assert_int_equal(us, 0);
    assert_int_equal(tims_node_parse_time("2024-02-29T12:30:15.5Z", &us, NULL), TIMS_OK);
    char text[32];
    tims_node_format_time(us, text);
    assert_string_equal(text, "2024-02-29T12:30:15.500000Z");
    int64_t plus2;
    assert_int_equal(tims_node_parse_time("2024-02-29T14:30:15.5+02:00", &plus2, NULL), TIMS_OK);
    assert_true(plus2 == us);
    assert_int_equal(tims_node_parse_time("2024-03-01T00:10:00+01:00", &us, NULL), TIMS_OK);
    tims_node_format_time(us, text);
    assert_string_equal(text, "2024-02-29T23:10:00Z");
    assert_int_equal(tims_node_parse_time("2024-02-29 12:30Z", &us, NULL), TIMS_OK);
    tims_diag diag = {{0}};
    assert_int_equal(tims_node_parse_time("2024-02-29T12:30:15", &us, &diag), TIMS_EINVAL); /* no zone */
    assert_non_null(strstr(diag.text, "with a zone"));
    assert_int_equal(tims_node_parse_time("2023-02-29T12:30:15Z", &us, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_time("2024-02-29T24:00:00Z", &us, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_time("2024-02-29T12:30:15Zjunk", &us, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_time("yesterday", &us, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_time("", &us, NULL), TIMS_EINVAL);
    tims_node_format_time(-1, text);
    assert_string_equal(text, "1969-12-31T23:59:59.999999Z");
}

static void document_keys_are_state_colon_number(void **state)
{
    (void)state;
    char st[4], num[24];
    assert_int_equal(tims_node_parse_doc("UTO:L898902C3", st, num, NULL), TIMS_OK);
    assert_string_equal(st, "UTO");
    assert_string_equal(num, "L898902C3");
    assert_int_equal(tims_node_parse_doc("D:C01X0006H", st, num, NULL), TIMS_OK);
    assert_string_equal(st, "D");
    assert_int_equal(tims_node_parse_doc("UTO", st, num, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_doc("UTOX:1", st, num, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_doc("uto:L898902C3", st, num, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_doc("UTO:L898<902", st, num, NULL), TIMS_EINVAL);
    assert_int_equal(tims_node_parse_doc("UTO:", st, num, NULL), TIMS_EINVAL);
}

static void ids_name_the_origin_prefix_and_the_seq(void **state)
{
    (void)state;
    uint8_t origin[TIMS_PUBKEY_LEN];
    for (size_t i = 0; i < sizeof origin; i++)
        origin[i] = (uint8_t)(0xa0 + i);
    char id[TIMS_NODE_ID_LEN];
    tims_node_format_id(origin, 42, id);
    assert_string_equal(id, "a0a1a2a3a4a5a6a7:42");
}

/* A crossing through the library when the n-th allocation fails: an error or a crossing, never
 * a crash, a leak, or a half-written journal. */
static void a_crossing_survives_allocation_failure_at_every_step(void **state)
{
    (void)state;
    char *tmp = tu_tempdir();
    tims_buf dir = {0};
    assert_int_equal(tims_buf_printf(&dir, "%s/node", tmp), TIMS_OK);
    tims_node_config cfg;
    tims_node_config_defaults(&cfg, "alloc");
    assert_int_equal(tims_node_init(dir.data, &cfg, 1700000000000000LL, NULL), TIMS_OK);
    tims_node *node = NULL;
    assert_int_equal(tims_node_open(dir.data, 0, &node, NULL), TIMS_OK);
    char *path = tu_data_path("mrz/vectors.jsonl");
    char *text = tu_read_file(path, NULL);
    /* the first record's two MRZ lines, taken from its JSON by hand */
    char *a = strstr(text, "[\"") + 2, *b = strstr(a, "\", \"") + 4;
    char mrz[100];
    snprintf(mrz, sizeof mrz, "%.44s\n%.44s\n", a, b);
    size_t recorded = 0;
    int ok_seen = 0;
    for (long n = 0; n < 400 && !ok_seen; n++) {
        tims_cross_request req = {.mrz = mrz, .mrz_len = strlen(mrz), .direction = TIMS_DIR_ENTRY,
                                  .at_us = 1300000000000000LL};
        tims_cross_result r;
        tims_alloc_fail_after(n);
        tims_err err = tims_node_cross(node, &req, 1700000000000000LL, &r, NULL);
        tims_alloc_fail_after(-1);
        if (err == TIMS_OK) {
            recorded++;
            ok_seen = 1;
            tims_cross_result_clear(&r);
        } else {
            assert_int_equal(err, TIMS_ENOMEM);
        }
    }
    assert_true(ok_seen);
    tims_entry *entries = NULL;
    size_t count = 0;
    assert_int_equal(tims_node_log(node, TIMS_KIND_CROSSING, 0, &entries, &count, NULL), TIMS_OK);
    assert_int_equal(count, recorded);
    for (size_t i = 0; i < count; i++)
        tims_entry_clear(&entries[i]);
    tims_free(entries);
    tims_verify_report rep;
    assert_int_equal(tims_store_verify(tims_node_store(node), TIMS_VERIFY_STRICT, &rep, NULL), TIMS_OK);
    tims_node_close(node);
    tims_free(text);
    tims_free(path);
    tims_buf_free(&dir);
    tu_rmtree(tmp);
    tims_free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_read_back_as_written),
        cmocka_unit_test(bad_settings_name_the_line_and_the_key),
        cmocka_unit_test(times_are_iso_8601_with_a_zone),
        cmocka_unit_test(document_keys_are_state_colon_number),
        cmocka_unit_test(ids_name_the_origin_prefix_and_the_seq),
        cmocka_unit_test(a_crossing_survives_allocation_failure_at_every_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
