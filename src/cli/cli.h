/* cli.h - what the subcommands of `tims` share: the command record, exit codes, messages.
 *
 * The CLI is the only layer (with http/, later) that prints, exits, and reads the clock and
 * the environment. Each subcommand lives in its own cmd_<name>.c and exports one cli_command;
 * main.c lists them all. A command returns its exit code (sysexits.h) and never calls exit(). */
#ifndef TIMS_CLI_H
#define TIMS_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include "tims/common.h"

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;               /* one line for `tims help` */
    const char *usage;                 /* the whole text for `tims NAME --help` */
} cli_command;

/* cli_exit_code - the sysexits.h code for a library error (the one place this mapping lives). */
int cli_exit_code(tims_err err);

/* cli_error - print "tims NAME: message" to stderr and return code (for `return cli_error(...)`). */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_usage_error - print the problem and a pointer to --help; returns EX_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_set_command - name the running command for messages (main.c calls it). */
void cli_set_command(const char *name);

/* cli_read_input - read a whole file, or standard input for NULL or "-", into out.
 * Returns TIMS_OK, or an error with a sentence in diag. */
tims_err cli_read_input(const char *path, tims_buf *out, tims_diag *diag);

/* The clock, read here and passed down to the library as arguments. */
int64_t cli_now_us(void);                          /* UTC microseconds since 1970 */
void cli_today(int *year, int *month, int *day);   /* today's UTC date */

/* cli_wants_help - true when argv has -h or --help. */
int cli_wants_help(int argc, char **argv);

#endif
