/* cmd_history.c - `tims history`: a traveller's crossings, oldest first, corrections shown. */
#include <string.h>

#include "cli/cli.h"
#include "cli/node_opts.h"
#include "tims/node.h"

extern const cli_command cli_cmd_history;

static void print_item(const tims_history_item *it)
{
    const tims_crossing *c = &it->current;
    char when[32];
    tims_node_format_time(c->time_us, when);
    printf("%s  %-5s  %s  %s  %s:%s  %s, %s  %s%s%s\n", when, c->direction == TIMS_DIR_EXIT ? "exit" : "entry",
           c->bcp, it->id, c->issuing_state, c->doc_number, c->surname, c->given_names, c->decision,
           c->officer[0] ? "  officer " : "", c->officer);
    if (c->corrections == 0)
        return;
    const tims_crossing *o = &it->original;
    printf("    corrected %d time%s; originally:", c->corrections, c->corrections == 1 ? "" : "s");
#define SHOW(field)                                                                             \
    if (strcmp(o->field, c->field) != 0)                                                        \
        printf(" " #field "=%s", o->field);
    SHOW(issuing_state)
    SHOW(doc_number)
    SHOW(doc_code)
    SHOW(surname)
    SHOW(given_names)
    SHOW(nationality)
    SHOW(birth_date)
    SHOW(sex)
    SHOW(bcp)
    SHOW(officer)
    SHOW(vehicle)
    SHOW(decision)
#undef SHOW
    if (o->direction != c->direction)
        printf(" direction=%s", o->direction == TIMS_DIR_EXIT ? "exit" : "entry");
    if (o->time_us != c->time_us) {
        tims_node_format_time(o->time_us, when);
        printf(" time=%s", when);
    }
    putchar('\n');
    if (it->corrections_json)
        printf("    corrections: %s\n", it->corrections_json);
}

static int run(int argc, char **argv)
{
    const char *data = NULL, *doc = NULL;
    int json = 0;
    const node_opt opts[] = {{"--data", &data, NULL}, {"--doc", &doc, NULL}, {"--json", NULL, &json}};
    int rc = node_parse_opts(&cli_cmd_history, argc, argv, opts, TIMS_ARRAY_LEN(opts), NULL, 0, NULL);
    if (rc != EX_OK)
        return rc;
    if (!data || !*data)
        return cli_usage_error(&cli_cmd_history, "--data DIR is required");
    char state[4], number[24];
    tims_diag diag = {{0}};
    if (!doc)
        return cli_usage_error(&cli_cmd_history, "--doc STATE:NUMBER is required");
    if (tims_node_parse_doc(doc, state, number, &diag) != TIMS_OK)
        return cli_usage_error(&cli_cmd_history, "--doc: %s", diag.text);
    tims_node *node = NULL;
    tims_history_item *items = NULL;
    size_t count = 0;
    tims_buf out = {0};
    tims_err err;
    if ((err = tims_node_open(data, TIMS_STORE_READONLY, &node, &diag)) != TIMS_OK ||
        (err = tims_node_history(node, state, number, &items, &count, &diag)) != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text[0] ? diag.text : tims_strerror(err));
        goto done;
    }
    if (json) {
        if ((err = tims_node_history_json(items, count, &out)) != TIMS_OK) {
            rc = cli_error(cli_exit_code(err), "%s", tims_strerror(err));
            goto done;
        }
        puts(out.data);
    } else if (count == 0) {
        printf("no crossings of %s:%s\n", state, number);
    } else {
        for (size_t i = 0; i < count; i++)
            print_item(&items[i]);
    }
    rc = fflush(stdout) == 0 ? EX_OK : cli_error(EX_IOERR, "cannot write the history");
done:
    tims_buf_free(&out);
    tims_node_history_free(items, count);
    tims_node_close(node);
    return rc;
}

const cli_command cli_cmd_history = {
    .name = "history",
    .run = run,
    .summary = "show a traveller's crossings, oldest first, with corrections",
    .usage = "usage: tims history --data DIR --doc STATE:NUMBER [--json]\n"
             "\n"
             "Lists every crossing of the document (issuing state and number as in the MRZ, e.g.\n"
             "UTO:L898902C3), oldest first, as corrected; a corrected crossing also shows the values\n"
             "it was originally recorded with. Annulled crossings are left out.\n",
};
