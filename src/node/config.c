/* config.c - tims.ini: the node's settings, read and written.
 *
 * The file is a small INI: [node], [stay], [screening], [cross] sections of KEY = VALUE lines,
 * '#' comments. Every key is known and checked; an unknown key or bad value is an error with
 * its line (a typo must not silently fall back to a default). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tims/country.h"
#include "tims/node.h"

void tims_node_config_defaults(tims_node_config *cfg, const char *name)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->name, sizeof cfg->name, "%s", name ? name : "");
    cfg->role = TIMS_ROLE_BCP;
    snprintf(cfg->bcp, sizeof cfg->bcp, "%s", name ? name : "");
    snprintf(cfg->stay_rules, sizeof cfg->stay_rules, "%s", TIMS_NODE_RULES_FILE);
    cfg->threshold = 0.90;
    cfg->max_skew_seconds = 300;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int valid_node_name(const char *s)
{
    if (!*s || strlen(s) >= 32)
        return 0;
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    }
    return 1;
}

static tims_err bad(tims_diag *diag, int line, const char *key, const char *expected)
{
    return tims_diag_set(diag, TIMS_ECONFIG, "%s, line %d: %s must be %s", TIMS_NODE_CONFIG_FILE,
                         line, key, expected);
}

static tims_err parse_int(const char *v, long lo, long hi, int *out)
{
    char *end = NULL;
    if (!*v)
        return TIMS_EINVAL;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return TIMS_EINVAL;
    *out = (int)n;
    return TIMS_OK;
}

static tims_err set_key(tims_node_config *cfg, const char *sec, const char *key, const char *v,
                        int line, tims_diag *diag)
{
    if (strcmp(sec, "node") == 0) {
        if (strcmp(key, "name") == 0) {
            if (!valid_node_name(v))
                return bad(diag, line, key, "1-31 letters, digits, '-', '_' or '.'");
            snprintf(cfg->name, sizeof cfg->name, "%s", v);
            return TIMS_OK;
        }
        if (strcmp(key, "role") == 0) {
            if (strcmp(v, "bcp") == 0)
                cfg->role = TIMS_ROLE_BCP;
            else if (strcmp(v, "hub") == 0)
                cfg->role = TIMS_ROLE_HUB;
            else
                return bad(diag, line, key, "bcp or hub");
            return TIMS_OK;
        }
        if (strcmp(key, "country") == 0) {
            if (*v && (strlen(v) > 3 || !tims_country_by_code(v)))
                return bad(diag, line, key, "a country code as the MRZ writes it (e.g. UTO, D) or empty");
            snprintf(cfg->country, sizeof cfg->country, "%s", v);
            return TIMS_OK;
        }
        if (strcmp(key, "bcp") == 0) {
            if (!valid_node_name(v))
                return bad(diag, line, key, "1-31 letters, digits, '-', '_' or '.'");
            snprintf(cfg->bcp, sizeof cfg->bcp, "%s", v);
            return TIMS_OK;
        }
    } else if (strcmp(sec, "stay") == 0) {
        if (strcmp(key, "rules") == 0) {
            if (strlen(v) >= sizeof cfg->stay_rules)
                return bad(diag, line, key, "a path shorter than 256 bytes");
            snprintf(cfg->stay_rules, sizeof cfg->stay_rules, "%s", v);
            return TIMS_OK;
        }
        if (strcmp(key, "utc_offset_minutes") == 0) {
            if (parse_int(v, -14 * 60, 14 * 60, &cfg->utc_offset_minutes) != TIMS_OK)
                return bad(diag, line, key, "whole minutes from -840 to 840");
            return TIMS_OK;
        }
    } else if (strcmp(sec, "screening") == 0) {
        if (strcmp(key, "threshold") == 0) {
            char *end = NULL;
            double t = strtod(v, &end);
            if (!*v || *end || !(t >= 0.0 && t <= 1.0))
                return bad(diag, line, key, "a number from 0 to 1");
            cfg->threshold = t;
            return TIMS_OK;
        }
    } else if (strcmp(sec, "cross") == 0) {
        if (strcmp(key, "max_skew_seconds") == 0) {
            if (parse_int(v, 0, 86400, &cfg->max_skew_seconds) != TIMS_OK)
                return bad(diag, line, key, "whole seconds from 0 to 86400");
            return TIMS_OK;
        }
    }
    return tims_diag_set(diag, TIMS_ECONFIG, "%s, line %d: no setting '%s' in [%s]; see docs/node.md",
                         TIMS_NODE_CONFIG_FILE, line, key, sec);
}

tims_err tims_node_config_parse(const char *text, size_t len, tims_node_config *out,
                                tims_diag *diag)
{
    tims_node_config cfg;
    tims_node_config_defaults(&cfg, "");
    cfg.bcp[0] = '\0';
    char *copy = tims_strndup(text, len);
    if (!copy)
        return TIMS_ENOMEM;
    tims_err err = TIMS_OK;
    char section[16] = "";
    int line_no = 0;
    char *line = copy;
    while (line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line_no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        line = nl ? nl + 1 : NULL;
        if (!*s)
            continue;
        if (*s == '[') {
            size_t n = strlen(s);
            if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof section) {
                err = tims_diag_set(diag, TIMS_ECONFIG, "%s, line %d: expected a section such as [node]",
                                    TIMS_NODE_CONFIG_FILE, line_no);
                goto done;
            }
            memcpy(section, s + 1, n - 2);
            section[n - 2] = '\0';
            if (strcmp(section, "node") && strcmp(section, "stay") && strcmp(section, "screening") &&
                strcmp(section, "cross")) {
                err = tims_diag_set(diag, TIMS_ECONFIG,
                                    "%s, line %d: unknown section [%s]; expected node, stay, screening or cross",
                                    TIMS_NODE_CONFIG_FILE, line_no, section);
                goto done;
            }
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !section[0]) {
            err = tims_diag_set(diag, TIMS_ECONFIG, "%s, line %d: expected KEY = VALUE inside a section",
                                TIMS_NODE_CONFIG_FILE, line_no);
            goto done;
        }
        *eq = '\0';
        if ((err = set_key(&cfg, section, trim(s), trim(eq + 1), line_no, diag)) != TIMS_OK)
            goto done;
    }
    if (!cfg.name[0]) {
        err = tims_diag_set(diag, TIMS_ECONFIG, "%s: [node] has no name; add name = ...",
                            TIMS_NODE_CONFIG_FILE);
        goto done;
    }
    if (!cfg.bcp[0])
        snprintf(cfg.bcp, sizeof cfg.bcp, "%s", cfg.name);
    *out = cfg;
done:
    tims_free(copy);
    return err;
}

tims_err tims_node_config_format(const tims_node_config *cfg, tims_buf *out)
{
    return tims_buf_printf(
        out,
        "# tims.ini - the settings of this tims node (docs/node.md). KEY = VALUE, '#' comments.\n"
        "\n"
        "[node]\n"
        "# The node's name, as other nodes and the logs see it.\n"
        "name = %s\n"
        "# bcp: a border crossing point; hub: the centre that holds every origin's journal.\n"
        "role = %s\n"
        "# The node's country (MRZ code): its nationals stay without limit (@home in the stay rules).\n"
        "country = %s\n"
        "# The crossing point code written into every crossing recorded here.\n"
        "bcp = %s\n"
        "\n"
        "[stay]\n"
        "# The stay rules file (docs/stay-rules.md), relative to this folder; empty: built-in rules.\n"
        "rules = %s\n"
        "# Stay days are local calendar days: UTC plus this many minutes (e.g. 120 for UTC+2).\n"
        "utc_offset_minutes = %d\n"
        "\n"
        "[screening]\n"
        "# Name matches scoring at or above this (0..1) are hits.\n"
        "threshold = %.2f\n"
        "\n"
        "[cross]\n"
        "# A crossing time (--at) may lie at most this far in the future (clock skew).\n"
        "max_skew_seconds = %d\n",
        cfg->name, cfg->role == TIMS_ROLE_HUB ? "hub" : "bcp", cfg->country, cfg->bcp,
        cfg->stay_rules, cfg->utc_offset_minutes, cfg->threshold, cfg->max_skew_seconds);
}
