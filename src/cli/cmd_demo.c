/* cmd_demo.c - `tims demo` (what `make run` runs): reads the ICAO Doc 9303 specimen MRZs
 * built into the binary and prints what tims finds in them. Later it will start the web
 * service with demonstration data. */
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_mrz.h"

extern const cli_command cli_cmd_demo;

static int run(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage_error(&cli_cmd_demo, "takes no arguments");
    tims_mrz_options opts = {0};
    cli_today(&opts.today.year, &opts.today.month, &opts.today.day);
    size_t n;
    const tims_mrz_specimen *specimens = tims_mrz_specimens(&n);
    static tims_mrz m;
    int code = EX_OK;
    printf("tims demo: the specimen machine-readable zones of ICAO Doc 9303, as tims reads "
           "them\n");
    for (size_t i = 0; i < n; i++) {
        printf("\n== %s\n", specimens[i].name);
        if (tims_mrz_parse(specimens[i].text, strlen(specimens[i].text), &opts, &m) != TIMS_OK)
            code = EX_SOFTWARE; /* a specimen that does not pass is a bug in tims */
        cli_mrz_print(stdout, &m, &m, NULL);
    }
    return code;
}

const cli_command cli_cmd_demo = {
    .name = "demo",
    .run = run,
    .summary = "show what tims reads in the ICAO specimen passports, cards and visas",
    .usage = "usage: tims demo\n"
             "\n"
             "Reads the specimen machine-readable zones of ICAO Doc 9303 (TD1, TD2, TD3, MRV-A,\n"
             "MRV-B), built into tims, and prints every field and check. Exits 0 when all pass.\n",
};
