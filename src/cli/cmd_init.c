/* cmd_init.c - `tims init`: create a node folder (key pair, database, tims.ini, stay rules). */
#include <ctype.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/node_opts.h"
#include "tims/country.h"
#include "tims/node.h"

extern const cli_command cli_cmd_init;

static int run(int argc, char **argv)
{
    const char *data = NULL, *name = NULL, *role = NULL, *country = NULL;
    const node_opt opts[] = {{"--data", &data, NULL}, {"--name", &name, NULL}, {"--role", &role, NULL},
                             {"--country", &country, NULL}};
    int rc = node_parse_opts(&cli_cmd_init, argc, argv, opts, TIMS_ARRAY_LEN(opts), NULL, 0, NULL);
    if (rc != EX_OK)
        return rc;
    if (!data || !*data)
        return cli_usage_error(&cli_cmd_init, "--data DIR is required");
    if (!name || !*name)
        return cli_usage_error(&cli_cmd_init, "--name NAME is required");
    tims_node_config cfg;
    tims_node_config_defaults(&cfg, name);
    if (strlen(name) >= sizeof cfg.name || strlen(name) >= sizeof cfg.bcp)
        return cli_usage_error(&cli_cmd_init, "--name is longer than %zu characters", sizeof cfg.bcp - 1);
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return cli_usage_error(&cli_cmd_init, "--name '%s' may hold only letters, digits, '-', '_' and '.'", name);
    }
    if (role) {
        if (strcmp(role, "bcp") == 0)
            cfg.role = TIMS_ROLE_BCP;
        else if (strcmp(role, "hub") == 0)
            cfg.role = TIMS_ROLE_HUB;
        else
            return cli_usage_error(&cli_cmd_init, "--role must be bcp or hub, not '%s'", role);
    }
    if (country) {
        if (strlen(country) > 3 || !tims_country_by_code(country))
            return cli_usage_error(&cli_cmd_init, "--country '%s' is not a country code as the MRZ writes it (e.g. UTO, D, GBR)",
                                   country);
        strcpy(cfg.country, country);
    }
    tims_diag diag = {{0}};
    tims_err err = tims_node_init(data, &cfg, cli_now_us(), &diag);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "%s",
                         diag.text[0] ? diag.text : tims_strerror(err));
    printf("created node %s (%s) in %s\n", cfg.name, cfg.role == TIMS_ROLE_HUB ? "hub" : "bcp", data);
    return EX_OK;
}

const cli_command cli_cmd_init = {
    .name = "init",
    .run = run,
    .summary = "create a node: key pair, database, tims.ini and stay rules",
    .usage = "usage: tims init --data DIR --name NAME [--role bcp|hub] [--country CODE]\n"
             "\n"
             "Creates the node folder DIR (if needed) with its secret key (node.key, mode 0600),\n"
             "its database, a commented tims.ini and the default stay rules (stay-rules.ini), and\n"
             "records the node's registration in its journal.\n"
             "\n"
             "  --data DIR       the node folder\n"
             "  --name NAME      the node's name (letters, digits, '-', '_', '.'), also its BCP code\n"
             "  --role ROLE      bcp (default) or hub\n"
             "  --country CODE   the node's country as the MRZ writes it: its nationals stay without limit\n"
             "\n"
             "Refuses to touch a folder that already holds a node (exit 73).\n",
};
