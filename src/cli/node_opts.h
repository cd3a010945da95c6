/* node_opts.h - option parsing shared by the node commands (init, cross, history, stay,
 * correct, log): `--name VALUE`, `--name=VALUE` and flags; other words are positional. */
#ifndef TIMS_CLI_NODE_OPTS_H
#define TIMS_CLI_NODE_OPTS_H

#include <string.h>

#include "cli/cli.h"

typedef struct node_opt {
    const char *name;    /* "--data" */
    const char **value;  /* for options with a value; NULL for flags */
    int *flag;           /* for flags */
} node_opt;

/* node_parse_opts - fill the options; positional words go to pos (at most max_pos).
 * Returns EX_OK or prints a usage error and returns EX_USAGE. */
static inline int node_parse_opts(const cli_command *cmd, int argc, char **argv, const node_opt *opts,
                                  size_t nopts, const char **pos, size_t max_pos, size_t *npos)
{
    size_t np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
            if (strcmp(a, "--") == 0)
                continue;
            if (np == max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[np++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const node_opt *o = NULL;
        for (size_t k = 0; k < nopts; k++) {
            if (strlen(opts[k].name) == len && strncmp(opts[k].name, a, len) == 0)
                o = &opts[k];
        }
        if (!o)
            return cli_usage_error(cmd, "unknown option '%.*s'", (int)len, a);
        if (o->flag) {
            if (eq)
                return cli_usage_error(cmd, "%s takes no value", o->name);
            *o->flag = 1;
            continue;
        }
        if (*o->value)
            return cli_usage_error(cmd, "%s is given twice", o->name);
        if (eq) {
            *o->value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "%s needs a value", o->name);
            *o->value = argv[++i];
        }
    }
    if (npos)
        *npos = np;
    return EX_OK;
}

#endif
