/* main.c - the `tims` command: finds the subcommand in one table and runs it.
 *
 * `tims help` lists the commands; `tims help NAME` and `tims NAME --help` print one command's
 * usage. Exit codes follow sysexits.h (64 usage, 65 data, 66 no input, 74 I/O, 78 config). */
#include <string.h>

#include "cli/cli.h"

extern const cli_command cli_cmd_version;
extern const cli_command cli_cmd_mrz;
extern const cli_command cli_cmd_demo;
extern const cli_command cli_cmd_list;
extern const cli_command cli_cmd_screen;
extern const cli_command cli_cmd_names;
extern const cli_command cli_cmd_init;
extern const cli_command cli_cmd_cross;
extern const cli_command cli_cmd_history;
extern const cli_command cli_cmd_stay;
extern const cli_command cli_cmd_correct;
extern const cli_command cli_cmd_log;
extern const cli_command cli_cmd_verify;
extern const cli_command cli_cmd_reindex;

static const cli_command *const commands[] = {
    &cli_cmd_version,
    &cli_cmd_mrz,
    &cli_cmd_demo,
    &cli_cmd_list,
    &cli_cmd_screen,
    &cli_cmd_names,
    &cli_cmd_init,
    &cli_cmd_cross,
    &cli_cmd_history,
    &cli_cmd_stay,
    &cli_cmd_correct,
    &cli_cmd_log,
    &cli_cmd_verify,
    &cli_cmd_reindex,
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < TIMS_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    }
    return NULL;
}

static void print_overview(FILE *out)
{
    fputs("usage: tims <command> [options]\n\n"
          "tims records entries and exits at border crossing points and screens travellers\n"
          "against watchlists.\n\ncommands:\n", out);
    for (size_t i = 0; i < TIMS_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nRun 'tims help <command>' or 'tims <command> --help' for a command's options.\n", out);
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return EX_OK;
    }
    const cli_command *cmd = find_command(argv[1]);
    if (!cmd)
        return cli_error(EX_USAGE, "no command '%s'; run 'tims help' for the list", argv[1]);
    fputs(cmd->usage, stdout);
    return EX_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return EX_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(name, "--version") == 0)
        name = "version";
    const cli_command *cmd = find_command(name);
    if (!cmd) {
        cli_error(EX_USAGE, "'%s' is not a tims command; run 'tims help' for the list", name);
        return EX_USAGE;
    }
    cli_set_command(cmd->name);
    if (cli_wants_help(argc - 1, argv + 1)) {
        fputs(cmd->usage, stdout);
        return EX_OK;
    }
    return cmd->run(argc - 1, argv + 1);
}
