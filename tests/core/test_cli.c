/* test_cli.c - the `tims` command itself: dispatch, help, version, exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "testutil.h"

static void help_lists_commands(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"help", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "usage: tims <command>"));
    assert_non_null(strstr(out.data, "version"));
    tims_buf_free(&out);
}

static void command_help_prints_its_usage(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"version", "--help", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "usage: tims version"));
    tims_buf_free(&out);
}

static void version_names_the_program(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"version", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_memory_equal(out.data, "tims ", 5);
    tims_buf_free(&out);
}

static void unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    tims_buf err = {0};
    const char *args[] = {"frobnicate", NULL};
    assert_int_equal(tu_run(args, NULL, NULL, &err), EX_USAGE);
    assert_non_null(strstr(err.data, "'frobnicate' is not a tims command"));
    tims_buf_free(&err);
}

static void no_command_is_a_usage_error(void **state)
{
    (void)state;
    const char *args[] = {NULL};
    assert_int_equal(tu_run(args, NULL, NULL, NULL), EX_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_lists_commands),
        cmocka_unit_test(command_help_prints_its_usage),
        cmocka_unit_test(version_names_the_program),
        cmocka_unit_test(unknown_command_is_a_usage_error),
        cmocka_unit_test(no_command_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
