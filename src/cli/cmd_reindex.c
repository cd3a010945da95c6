/* cmd_reindex.c - `tims reindex`: rebuild every derived table from the journal alone. */
#include <string.h>

#include "cli/cli.h"
#include "tims/store.h"

static const cli_command *self(void);

static int run(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            dir = argv[++i];
        else
            return cli_usage_error(self(), "unexpected argument '%s'", argv[i]);
    }
    if (!dir)
        return cli_usage_error(self(), "--data DIR is required");
    tims_diag diag = {{0}};
    tims_store *s = NULL;
    uint64_t n = 0;
    tims_err err = tims_store_open(dir, 0, &s, &diag);
    if (err == TIMS_OK)
        err = tims_store_reindex(s, &n, &diag);
    tims_store_close(s);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "%s", diag.text);
    printf("rebuilt the derived tables from %llu journal entries\n", (unsigned long long)n);
    return EX_OK;
}

const cli_command cli_cmd_reindex = {
    .name = "reindex",
    .run = run,
    .summary = "rebuild every derived table from the journal",
    .usage = "usage: tims reindex --data DIR\n"
             "\n"
             "Rebuilds the crossings, corrections, list, redaction and chain-head tables of the\n"
             "store in DIR from the journal alone, in one transaction (all or nothing); the\n"
             "travellers view follows the crossings.\n",
};

static const cli_command *self(void)
{
    return &cli_cmd_reindex;
}
