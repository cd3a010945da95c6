/* cmd_cross.c - `tims cross`: record one entry or exit from an MRZ, and say what to do. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/node_opts.h"
#include "tims/node.h"

extern const cli_command cli_cmd_cross;

static void print_text(const tims_cross_result *r)
{
    const tims_crossing *c = &r->crossing;
    printf("%s  %s  %s %s:%s %s, %s\n", r->refer ? "REFER" : "cleared", r->id,
           c->direction == TIMS_DIR_EXIT ? "exit" : "entry", c->issuing_state, c->doc_number, c->surname,
           c->given_names);
    for (size_t i = 0; i < r->reason_count; i++)
        printf("  reason: %s: %s\n", tims_node_reason_code(r->reason_list[i]), r->reason_text[i]);
    if (r->stay_limited) {
        char latest[11] = "";
        if (r->stay.latest_exit_day != TIMS_STAY_UNKNOWN)
            tims_stay_day_format(r->stay.latest_exit_day, latest);
        printf("  stay: %s, %d days used, %d left, latest exit %s%s\n", r->policy, r->stay.days_used,
               r->stay.days_left, latest, r->stay.overstay ? ", OVERSTAY" : "");
    } else {
        printf("  stay: %s, no limit\n", r->policy);
    }
    printf("  screening: %s\n", r->screening_json ? r->screening_json : "none");
}

static int run(int argc, char **argv)
{
    const char *data = NULL, *direction = NULL, *mrz_file = NULL, *officer = NULL, *vehicle = NULL, *at = NULL;
    int json = 0;
    const node_opt opts[] = {{"--data", &data, NULL},         {"--direction", &direction, NULL},
                             {"--mrz-file", &mrz_file, NULL}, {"--officer", &officer, NULL},
                             {"--vehicle", &vehicle, NULL},   {"--at", &at, NULL},
                             {"--json", NULL, &json}};
    int rc = node_parse_opts(&cli_cmd_cross, argc, argv, opts, TIMS_ARRAY_LEN(opts), NULL, 0, NULL);
    if (rc != EX_OK)
        return rc;
    if (!data || !*data)
        return cli_usage_error(&cli_cmd_cross, "--data DIR is required");
    if (!direction || (strcmp(direction, "entry") != 0 && strcmp(direction, "exit") != 0))
        return cli_usage_error(&cli_cmd_cross, "--direction must be entry or exit");
    tims_diag diag = {{0}};
    tims_cross_request req = {0};
    req.direction = strcmp(direction, "entry") == 0 ? TIMS_DIR_ENTRY : TIMS_DIR_EXIT;
    req.officer = officer ? officer : getenv("USER"); /* the node records "unknown" without one */
    req.vehicle = vehicle;
    if (at && tims_node_parse_time(at, &req.at_us, &diag) != TIMS_OK)
        return cli_usage_error(&cli_cmd_cross, "--at: %s", diag.text);

    tims_buf mrz = {0};
    tims_node *node = NULL;
    tims_cross_result result = {0};
    tims_buf out = {0};
    tims_err err = cli_read_input(mrz_file, &mrz, &diag);
    if (err != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text);
        goto done;
    }
    req.mrz = mrz.data;
    req.mrz_len = mrz.len;
    if ((err = tims_node_open(data, 0, &node, &diag)) != TIMS_OK ||
        (err = tims_node_cross(node, &req, cli_now_us(), &result, &diag)) != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text[0] ? diag.text : tims_strerror(err));
        goto done;
    }
    if (json) {
        if ((err = tims_cross_result_json(&result, &out)) != TIMS_OK) {
            rc = cli_error(cli_exit_code(err), "the crossing %s was recorded but cannot be shown: %s", result.id,
                           tims_strerror(err));
            goto done;
        }
        puts(out.data);
    } else {
        print_text(&result);
    }
    rc = fflush(stdout) == 0 ? EX_OK : cli_error(EX_IOERR, "cannot write the result (crossing %s recorded)", result.id);
done:
    tims_buf_free(&out);
    tims_cross_result_clear(&result);
    tims_node_close(node);
    tims_buf_free(&mrz);
    return rc;
}

const cli_command cli_cmd_cross = {
    .name = "cross",
    .run = run,
    .summary = "record an entry or exit from an MRZ: screen, check the stay, journal",
    .usage = "usage: tims cross --data DIR --direction entry|exit [--mrz-file F] [--officer ID]\n"
             "                  [--vehicle PLATE] [--at ISO-8601] [--json]\n"
             "\n"
             "Reads the MRZ (standard input unless --mrz-file), validates it, screens the traveller,\n"
             "applies the stay rules to their history and this crossing, decides (cleared or refer,\n"
             "with reasons) and records the crossing in the journal.\n"
             "\n"
             "  --officer ID  the officer recording it (default: $USER)\n"
             "  --at TIME   when the crossing happened (back-filling from paper registers), ISO-8601\n"
             "              with a zone, e.g. 2026-03-01T14:05:00Z; not in the future\n"
             "  --json      print {\"id\", \"decision\", \"reasons\", \"screening\", \"stay\", ...}\n"
             "\n"
             "Exit status: 0 recorded (cleared or refer), 65 invalid MRZ or time (nothing written),\n"
             "64 bad options.\n",
};
