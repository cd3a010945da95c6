/* cmd_correct.c - `tims correct`: journal a correction of a recorded crossing. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/node_opts.h"
#include "tims/node.h"

extern const cli_command cli_cmd_correct;

#define MAX_FIELDS 16

static int run(int argc, char **argv)
{
    const char *data = NULL, *id = NULL, *reason = NULL, *officer = NULL;
    int void_it = 0;
    const char *pos[MAX_FIELDS];
    size_t npos = 0;
    const node_opt opts[] = {{"--data", &data, NULL}, {"--id", &id, NULL}, {"--reason", &reason, NULL},
                             {"--officer", &officer, NULL}, {"--void", NULL, &void_it}};
    int rc = node_parse_opts(&cli_cmd_correct, argc, argv, opts, TIMS_ARRAY_LEN(opts), pos, MAX_FIELDS, &npos);
    if (rc != EX_OK)
        return rc;
    if (!data || !*data)
        return cli_usage_error(&cli_cmd_correct, "--data DIR is required");
    if (!id)
        return cli_usage_error(&cli_cmd_correct, "--id ID is required (the id cross or log printed)");
    if (!reason || !*reason)
        return cli_usage_error(&cli_cmd_correct, "--reason TEXT is required");
    if (!officer) {
        officer = getenv("USER");
        if (!officer || !*officer)
            return cli_usage_error(&cli_cmd_correct, "--officer ID is required (USER is not set)");
    }
    tims_correction_field fields[MAX_FIELDS];
    char names[MAX_FIELDS][32];
    for (size_t i = 0; i < npos; i++) {
        const char *eq = strchr(pos[i], '=');
        if (!eq || eq == pos[i] || (size_t)(eq - pos[i]) >= sizeof names[i])
            return cli_usage_error(&cli_cmd_correct, "'%s' is not FIELD=VALUE", pos[i]);
        memcpy(names[i], pos[i], (size_t)(eq - pos[i]));
        names[i][eq - pos[i]] = '\0';
        fields[i].name = names[i];
        fields[i].value = eq + 1;
    }
    tims_diag diag = {{0}};
    tims_node *node = NULL;
    tims_entry_ref ref;
    tims_err err;
    if ((err = tims_node_open(data, 0, &node, &diag)) != TIMS_OK ||
        (err = tims_node_correct(node, id, reason, officer, fields, npos, void_it, cli_now_us(), &ref, &diag)) !=
            TIMS_OK) {
        rc = cli_error(cli_exit_code(err) == EX_USAGE ? EX_DATAERR : cli_exit_code(err), "%s",
                       diag.text[0] ? diag.text : tims_strerror(err));
        goto done;
    }
    char cid[TIMS_NODE_ID_LEN];
    tims_node_format_id(ref.origin, ref.seq, cid);
    printf("correction %s of %s recorded\n", cid, id);
    rc = fflush(stdout) == 0 ? EX_OK : cli_error(EX_IOERR, "cannot write the result");
done:
    tims_node_close(node);
    return rc;
}

const cli_command cli_cmd_correct = {
    .name = "correct",
    .run = run,
    .summary = "correct a recorded crossing (a correction entry that names it)",
    .usage = "usage: tims correct --data DIR --id ID --reason TEXT [--officer ID] [--void] [FIELD=VALUE ...]\n"
             "\n"
             "Nothing in the journal is changed: a correction entry names the crossing and the new\n"
             "values; history shows both. --void annuls the crossing. --officer defaults to $USER.\n"
             "Fields: issuing_state doc_number doc_code surname given_names nationality birth_date\n"
             "(YYYY-MM-DD) sex (M/F/X) direction (entry/exit) time (ISO-8601) bcp officer vehicle\n"
             "decision (cleared/referred).\n"
             "\n"
             "Exit status: 0 recorded, 65 unknown field or bad value (nothing written), 66 no such\n"
             "crossing, 64 bad options.\n",
};
