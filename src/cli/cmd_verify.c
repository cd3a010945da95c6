/* cmd_verify.c - `tims verify`: check every chain, the signatures, and the derived tables.
 *
 * Exit 0 when everything holds; 65 (EX_DATAERR) naming the first bad origin (hex) and seq and
 * what is wrong with it; other sysexits codes when the store cannot be read. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tims/store.h"

static const cli_command *self(void);

static void print_json(const tims_verify_report *r, tims_err err)
{
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    json_t *o = json_pack("{s:b,s:I,s:I,s:I,s:I,s:b}", "ok", err == TIMS_OK, "entries",
                          (json_int_t)r->entries, "origins", (json_int_t)r->origins, "signatures",
                          (json_int_t)r->signatures, "redacted", (json_int_t)r->redacted,
                          "derived_ok", r->derived_ok);
    if (o && r->fail.problem != TIMS_VP_NONE) {
        tims_hex(r->fail.origin, TIMS_PUBKEY_LEN, hex);
        json_object_set_new(o, "origin", json_string(hex));
        json_object_set_new(o, "seq", json_integer((json_int_t)r->fail.seq));
        json_object_set_new(o, "problem", json_string(tims_verify_problem_text(r->fail.problem)));
        json_object_set_new(o, "detail", json_string(r->fail.detail));
    }
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (text)
        puts(text);
    free(text);
    json_decref(o);
}

static int run(int argc, char **argv)
{
    const char *dir = NULL;
    unsigned flags = 0;
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--strict") == 0)
            flags |= TIMS_VERIFY_STRICT;
        else if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else
            return cli_usage_error(self(), "unexpected argument '%s'", argv[i]);
    }
    if (!dir)
        return cli_usage_error(self(), "--data DIR is required");
    tims_diag diag = {{0}};
    tims_store *s = NULL;
    tims_err err = tims_store_open(dir, TIMS_STORE_READONLY, &s, &diag);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "%s", diag.text);
    tims_verify_report rep;
    err = tims_store_verify(s, flags, &rep, &diag);
    tims_store_close(s);
    if (as_json)
        print_json(&rep, err);
    if (err == TIMS_ETAMPER)
        return cli_error(EX_DATAERR, "%s", diag.text);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "%s", diag.text);
    if (!as_json)
        printf("verified %llu entries of %llu origins (%llu signatures checked, %llu redacted); "
               "the derived tables are exactly what the journal implies\n",
               (unsigned long long)rep.entries, (unsigned long long)rep.origins,
               (unsigned long long)rep.signatures, (unsigned long long)rep.redacted);
    return EX_OK;
}

const cli_command cli_cmd_verify = {
    .name = "verify",
    .run = run,
    .summary = "check the journal's chains and signatures and the derived tables",
    .usage = "usage: tims verify --data DIR [--strict] [--json]\n"
             "\n"
             "Recomputes every origin's hash chain in DIR's store, checks the signature of the\n"
             "last entry of each chain (--strict: of every entry), checks that every removed\n"
             "body is named by a redaction entry, and rebuilds the derived tables from the\n"
             "journal to check they are exactly what is stored.\n"
             "\n"
             "  --data DIR  the node's data folder\n"
             "  --strict    check every signature\n"
             "  --json      print the report as one JSON object on standard output\n"
             "\n"
             "Exit 0 when all holds; 65 naming the first bad origin (hex) and seq otherwise.\n",
};

static const cli_command *self(void)
{
    return &cli_cmd_verify;
}
