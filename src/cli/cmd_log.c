/* cmd_log.c - `tims log`: the journal, newest last. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/node_opts.h"
#include "tims/node.h"

extern const cli_command cli_cmd_log;

static int run(int argc, char **argv)
{
    const char *data = NULL, *kind_name = NULL, *limit_text = NULL;
    int json = 0;
    const node_opt opts[] = {{"--data", &data, NULL}, {"--kind", &kind_name, NULL}, {"--limit", &limit_text, NULL},
                             {"--json", NULL, &json}};
    int rc = node_parse_opts(&cli_cmd_log, argc, argv, opts, TIMS_ARRAY_LEN(opts), NULL, 0, NULL);
    if (rc != EX_OK)
        return rc;
    if (!data || !*data)
        return cli_usage_error(&cli_cmd_log, "--data DIR is required");
    tims_entry_kind kind = 0;
    if (kind_name && tims_entry_kind_parse(kind_name, &kind) != TIMS_OK)
        return cli_usage_error(&cli_cmd_log, "--kind '%s' is not an entry kind (crossing, correction, node_register ...)",
                               kind_name);
    size_t limit = 0;
    if (limit_text) {
        char *end = NULL;
        unsigned long long v = strtoull(limit_text, &end, 10);
        if (!*limit_text || *end || limit_text[0] == '-' || v == 0 || v > 100000000ULL)
            return cli_usage_error(&cli_cmd_log, "--limit must be a whole number from 1 to 100000000");
        limit = (size_t)v;
    }
    tims_diag diag = {{0}};
    tims_node *node = NULL;
    tims_entry *items = NULL;
    size_t count = 0;
    tims_buf out = {0};
    tims_err err;
    if ((err = tims_node_open(data, TIMS_STORE_READONLY, &node, &diag)) != TIMS_OK ||
        (err = tims_node_log(node, (int)kind, limit, &items, &count, &diag)) != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text[0] ? diag.text : tims_strerror(err));
        goto done;
    }
    if (json)
        fputs("[", stdout);
    for (size_t i = 0; i < count; i++) {
        const tims_entry *e = &items[i];
        tims_buf_reset(&out);
        if (json) {
            if ((err = tims_node_entry_json(e, &out)) != TIMS_OK)
                break;
            printf("%s%s", i ? ",\n" : "", out.data);
            continue;
        }
        char id[TIMS_NODE_ID_LEN], when[32];
        tims_node_format_id(e->origin, e->seq, id);
        tims_node_format_time(e->time_us, when);
        const char *k = tims_entry_kind_name(e->kind);
        printf("%s  %-24s %-13s %.*s\n", when, id, k ? k : "unknown", e->body ? (int)e->body_len : 10,
               e->body ? (const char *)e->body : "(redacted)");
    }
    if (json)
        puts("]");
    if (err != TIMS_OK)
        rc = cli_error(cli_exit_code(err), "%s", tims_strerror(err));
    else
        rc = fflush(stdout) == 0 ? EX_OK : cli_error(EX_IOERR, "cannot write the log");
done:
    for (size_t i = 0; i < count; i++)
        tims_entry_clear(&items[i]);
    tims_free(items);
    tims_buf_free(&out);
    tims_node_close(node);
    return rc;
}

const cli_command cli_cmd_log = {
    .name = "log",
    .run = run,
    .summary = "show the journal, newest last",
    .usage = "usage: tims log --data DIR [--json] [--kind KIND] [--limit N]\n"
             "\n"
             "Prints the journal entries of every origin the node holds, by time, newest last: id\n"
             "(origin prefix:seq), time, kind and body. --kind keeps one kind (crossing, correction,\n"
             "node_register ...); --limit N keeps the newest N.\n",
};
