/* cmd_stay.c - `tims stay`: days used and left, the latest legal exit, overstay. */
#include <string.h>

#include "cli/cli.h"
#include "cli/node_opts.h"
#include "tims/node.h"

extern const cli_command cli_cmd_stay;

static int run(int argc, char **argv)
{
    const char *data = NULL, *doc = NULL, *on = NULL;
    int json = 0;
    const node_opt opts[] = {{"--data", &data, NULL}, {"--doc", &doc, NULL}, {"--on", &on, NULL},
                             {"--json", NULL, &json}};
    int rc = node_parse_opts(&cli_cmd_stay, argc, argv, opts, TIMS_ARRAY_LEN(opts), NULL, 0, NULL);
    if (rc != EX_OK)
        return rc;
    if (!data || !*data)
        return cli_usage_error(&cli_cmd_stay, "--data DIR is required");
    char state[4], number[24];
    tims_diag diag = {{0}};
    if (!doc)
        return cli_usage_error(&cli_cmd_stay, "--doc STATE:NUMBER is required");
    if (tims_node_parse_doc(doc, state, number, &diag) != TIMS_OK)
        return cli_usage_error(&cli_cmd_stay, "--doc: %s", diag.text);
    int32_t day;
    if (on) {
        if (tims_stay_day_parse(on, &day) != TIMS_OK)
            return cli_usage_error(&cli_cmd_stay, "--on '%s' is not a date; write YYYY-MM-DD", on);
    }
    tims_node *node = NULL;
    tims_node_stay st;
    tims_buf out = {0};
    tims_err err;
    if ((err = tims_node_open(data, TIMS_STORE_READONLY, &node, &diag)) != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text[0] ? diag.text : tims_strerror(err));
        goto done;
    }
    if (!on)
        day = tims_node_day_of(node, cli_now_us());
    if ((err = tims_node_stay_of(node, state, number, day, &st, &diag)) != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text[0] ? diag.text : tims_strerror(err));
        goto done;
    }
    char on_text[11];
    tims_stay_day_format(day, on_text);
    if (json) {
        if ((err = tims_buf_printf(&out, "{\"document\":\"%s:%s\",\"on\":\"%s\",\"inside\":%s,\"crossings\":%d,\"stay\":",
                                   state, number, on_text, st.inside ? "true" : "false", st.crossings)) != TIMS_OK ||
            (err = tims_node_stay_json(st.policy, st.limited, &st.result, &out)) != TIMS_OK ||
            (err = tims_buf_putc(&out, '}')) != TIMS_OK) {
            rc = cli_error(cli_exit_code(err), "%s", tims_strerror(err));
            goto done;
        }
        puts(out.data);
    } else {
        printf("%s:%s on %s: %s, policy %s\n", state, number, on_text, st.inside ? "inside" : "outside", st.policy);
        if (!st.limited) {
            printf("  no limit (%d days in the last 180)\n", st.result.days_used);
        } else {
            char latest[11] = "-";
            if (st.result.latest_exit_day != TIMS_STAY_UNKNOWN && st.result.days_left > 0)
                tims_stay_day_format(st.result.latest_exit_day, latest);
            printf("  days used: %d\n  days left: %d\n  latest legal exit: %s\n", st.result.days_used,
                   st.result.days_left, latest);
            if (st.result.overstay) {
                char since[11];
                tims_stay_day_format(st.result.overstay_since, since);
                printf("  overstay: yes, since %s\n", since);
            } else {
                printf("  overstay: no\n");
            }
        }
    }
    rc = fflush(stdout) == 0 ? EX_OK : cli_error(EX_IOERR, "cannot write the result");
done:
    tims_buf_free(&out);
    tims_node_close(node);
    return rc;
}

const cli_command cli_cmd_stay = {
    .name = "stay",
    .run = run,
    .summary = "show a traveller's stay: days used and left, latest legal exit, overstay",
    .usage = "usage: tims stay --data DIR --doc STATE:NUMBER [--on YYYY-MM-DD] [--json]\n"
             "\n"
             "Applies the node's stay rules (docs/stay-rules.md) to the traveller's crossings up to\n"
             "the day asked (default: today): days of stay in the 180-day window ending that day, days\n"
             "left (that day included, staying on without a break), the latest legal exit, overstay.\n",
};
