/* cmd_names.c - `tims names`: look at how tims reads and compares names.
 *
 *   tims names compare A B [--json] [--mrz]   score two names, give the verdict
 *   tims names compare --tsv FILE             score the name_a/name_b columns of a TSV file
 *   tims names parse NAME [--json] [--mrz]    show the tokens and keys of one name */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tims/names.h"

extern const cli_command cli_cmd_names;

typedef struct options {
    int json;
    unsigned flags;
    const char *tsv;
    const char *args[2];
    int nargs;
} options;

static int parse_options(int argc, char **argv, int first, options *o)
{
    memset(o, 0, sizeof *o);
    o->flags = TIMS_NAME_LAST_FIRST;
    int only_args = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = 1;
        } else if (!only_args && strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (!only_args && strcmp(a, "--mrz") == 0) {
            o->flags = TIMS_NAME_MRZ;
        } else if (!only_args && strcmp(a, "--tsv") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(&cli_cmd_names, "--tsv needs a file name (or - for "
                                                       "standard input)");
            o->tsv = argv[++i];
        } else if (!only_args && a[0] == '-' && a[1] == '-') {
            return cli_usage_error(&cli_cmd_names, "unknown option '%s'", a);
        } else {
            if (o->nargs == 2)
                return cli_usage_error(&cli_cmd_names, "too many names: '%s'", a);
            o->args[o->nargs++] = a;
        }
    }
    return EX_OK;
}

static int parse_arg(const char *text, unsigned flags, tims_name *out)
{
    tims_diag d;
    tims_err err = tims_name_parse(text, strlen(text), flags, out, &d);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "'%s': %s", text, d.text);
    return EX_OK;
}

static void print_tokens(const tims_name *n)
{
    for (size_t i = 0; i < n->count; i++)
        printf("%s%s%s", i ? " " : "", n->tokens[i].text, n->tokens[i].weak ? "*" : "");
    putchar('\n');
}

static json_t *tokens_json(const tims_name *n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n->count; i++)
        json_array_append_new(a, json_string(n->tokens[i].text));
    return a;
}

static int print_json(json_t *j)
{
    if (!j)
        return cli_error(EX_OSERR, "out of memory");
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return cli_error(EX_OSERR, "out of memory");
    puts(s);
    free(s);
    return EX_OK;
}

static int compare_two(const options *o)
{
    tims_name a, b;
    int rc = parse_arg(o->args[0], o->flags, &a);
    if (rc != EX_OK)
        return rc;
    rc = parse_arg(o->args[1], o->flags, &b);
    if (rc != EX_OK) {
        tims_name_free(&a);
        return rc;
    }
    tims_name_match m;
    double score = tims_name_similarity(&a, &b, NULL, NULL, &m);
    int match = score >= TIMS_NAME_MATCH_THRESHOLD;
    if (o->json) {
        json_t *pairs = json_array();
        for (size_t i = 0; i < m.pair_count; i++)
            json_array_append_new(
                pairs, json_pack("{s:s, s:s, s:f}", "query", a.tokens[m.pairs[i].query].text,
                                 "candidate", b.tokens[m.pairs[i].candidate].text,
                                 "similarity", (double)m.pairs[i].similarity));
        rc = print_json(json_pack("{s:o, s:o, s:f, s:f, s:b, s:o}", "query", tokens_json(&a),
                                  "candidate", tokens_json(&b), "score", score, "threshold",
                                  TIMS_NAME_MATCH_THRESHOLD, "match", match, "pairs", pairs));
    } else {
        printf("score      %.4f\nmatch      %s (threshold %.2f)\nquery      ", score,
               match ? "yes" : "no", TIMS_NAME_MATCH_THRESHOLD);
        print_tokens(&a);
        printf("candidate  ");
        print_tokens(&b);
        printf("pairs     ");
        for (size_t i = 0; i < m.pair_count; i++)
            printf(" %s=%s %.3f", a.tokens[m.pairs[i].query].text,
                   b.tokens[m.pairs[i].candidate].text, (double)m.pairs[i].similarity);
        putchar('\n');
    }
    tims_name_free(&a);
    tims_name_free(&b);
    return rc;
}

/* ---- TSV ------------------------------------------------------------------------------ */

enum { TSV_MAX_FIELDS = 64 };

/* Splits line (modified in place) at tabs; returns the number of fields. */
static size_t split_tabs(char *line, char **fields)
{
    size_t n = 0;
    fields[n++] = line;
    for (char *p = line; *p; p++) {
        if (*p == '\t') {
            *p = '\0';
            if (n == TSV_MAX_FIELDS)
                return n + 1; /* too many */
            fields[n++] = p + 1;
        }
    }
    return n;
}

static int compare_tsv(const char *path, unsigned flags)
{
    tims_buf in = {0};
    tims_diag d;
    tims_err err = cli_read_input(path, &in, &d);
    if (err != TIMS_OK) {
        tims_buf_free(&in);
        return cli_error(cli_exit_code(err), "%s", d.text);
    }
    const char *label = strcmp(path, "-") == 0 ? "standard input" : path;
    tims_buf out = {0};
    int rc = EX_OK;
    size_t col_a = SIZE_MAX, col_b = SIZE_MAX;
    int have_header = 0;
    size_t lineno = 0;
    char *p = in.data;
    char *end = in.data + in.len;
    while (p < end && rc == EX_OK) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        lineno++;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;
        *line_end = '\0';
        if (memchr(p, '\0', (size_t)(line_end - p)) != NULL) {
            rc = cli_error(EX_DATAERR, "%s line %zu: a NUL byte in the text; give a text file",
                           label, lineno);
            break;
        }
        if (p[0] == '#' || (p[0] == '\0' && !have_header)) {
            tims_buf_puts(&out, p);
            tims_buf_putc(&out, '\n');
            p = next;
            continue;
        }
        char *fields[TSV_MAX_FIELDS + 1];
        size_t nf = split_tabs(p, fields);
        if (nf > TSV_MAX_FIELDS) {
            rc = cli_error(EX_DATAERR, "%s line %zu: more than %d columns", label, lineno,
                           TSV_MAX_FIELDS);
            break;
        }
        if (!have_header) {
            for (size_t i = 0; i < nf; i++) {
                if (strcmp(fields[i], "name_a") == 0 && col_a == SIZE_MAX)
                    col_a = i;
                else if (strcmp(fields[i], "name_b") == 0 && col_b == SIZE_MAX)
                    col_b = i;
            }
            if (col_a == SIZE_MAX || col_b == SIZE_MAX) {
                rc = cli_error(EX_DATAERR,
                               "%s line %zu: the header row needs columns named name_a and "
                               "name_b (tab-separated)", label, lineno);
                break;
            }
            have_header = 1;
            for (size_t i = 0; i < nf; i++)
                tims_buf_printf(&out, "%s\t", fields[i]);
            tims_buf_puts(&out, "score\tmatch\n");
            p = next;
            continue;
        }
        if (nf == 1 && fields[0][0] == '\0') { /* an empty line */
            tims_buf_putc(&out, '\n');
            p = next;
            continue;
        }
        if (nf <= col_a || nf <= col_b) {
            rc = cli_error(EX_DATAERR, "%s line %zu: %zu columns, but name_%s is column %zu",
                           label, lineno, nf, nf <= col_a ? "a" : "b",
                           (nf <= col_a ? col_a : col_b) + 1);
            break;
        }
        tims_name a, b;
        const char *bad = NULL;
        if (tims_name_parse(fields[col_a], strlen(fields[col_a]), flags, &a, &d) != TIMS_OK) {
            bad = "name_a";
        } else if (tims_name_parse(fields[col_b], strlen(fields[col_b]), flags, &b, &d) !=
                   TIMS_OK) {
            tims_name_free(&a);
            bad = "name_b";
        }
        if (bad) {
            rc = cli_error(EX_DATAERR, "%s line %zu, column %s: %s", label, lineno, bad, d.text);
            break;
        }
        double score = tims_name_similarity(&a, &b, NULL, NULL, NULL);
        tims_name_free(&a);
        tims_name_free(&b);
        for (size_t i = 0; i < nf; i++)
            tims_buf_printf(&out, "%s\t", fields[i]);
        tims_buf_printf(&out, "%.4f\t%d\n", score, score >= TIMS_NAME_MATCH_THRESHOLD);
        p = next;
    }
    if (rc == EX_OK && !have_header)
        rc = cli_error(EX_DATAERR, "%s: no header row (with columns name_a and name_b)", label);
    if (rc == EX_OK && out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
        rc = cli_error(EX_IOERR, "cannot write the output");
    tims_buf_free(&out);
    tims_buf_free(&in);
    return rc;
}

static int compare(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, 2, &o);
    if (rc != EX_OK)
        return rc;
    if (o.tsv) {
        if (o.nargs > 0)
            return cli_usage_error(&cli_cmd_names, "give either --tsv FILE or two names");
        return compare_tsv(o.tsv, o.flags);
    }
    if (o.nargs != 2)
        return cli_usage_error(&cli_cmd_names, "compare needs two names (or --tsv FILE)");
    return compare_two(&o);
}

static const char *flag_names(unsigned f)
{
    static char s[64];
    s[0] = '\0';
    if (f & TIMS_NAME_TOKEN_ABJAD)
        strcat(s, " abjad");
    if (f & TIMS_NAME_TOKEN_HANGUL)
        strcat(s, " hangul");
    if (f & TIMS_NAME_TOKEN_OPAQUE)
        strcat(s, " opaque");
    if (f & TIMS_NAME_TOKEN_DIGITS)
        strcat(s, " digits");
    if (f & TIMS_NAME_TOKEN_PREFIX)
        strcat(s, " prefix");
    return s;
}

static int parse_cmd(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, 2, &o);
    if (rc != EX_OK)
        return rc;
    if (o.tsv || o.nargs != 1)
        return cli_usage_error(&cli_cmd_names, "parse needs one name");
    tims_name n;
    rc = parse_arg(o.args[0], o.flags, &n);
    if (rc != EX_OK)
        return rc;
    if (o.json) {
        json_t *toks = json_array();
        for (size_t i = 0; i < n.count; i++)
            json_array_append_new(toks, json_pack("{s:s, s:s, s:s, s:b}", "text",
                                                  n.tokens[i].text, "key", n.tokens[i].key,
                                                  "skeleton", n.tokens[i].skel, "weak",
                                                  n.tokens[i].weak));
        rc = print_json(json_pack("{s:o, s:b}", "tokens", toks, "truncated", n.truncated));
    } else {
        for (size_t i = 0; i < n.count; i++)
            printf("%-20s key %-20s skeleton %-12s%s%s\n", n.tokens[i].text, n.tokens[i].key,
                   n.tokens[i].skel, n.tokens[i].weak ? " weak" : "",
                   flag_names(n.tokens[i].flags));
        if (n.truncated)
            puts("(truncated)");
    }
    tims_name_free(&n);
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cli_cmd_names, "say what to do: compare or parse");
    if (strcmp(argv[1], "compare") == 0)
        return compare(argc, argv);
    if (strcmp(argv[1], "parse") == 0)
        return parse_cmd(argc, argv);
    return cli_usage_error(&cli_cmd_names, "no names subcommand '%s'", argv[1]);
}

const cli_command cli_cmd_names = {
    .name = "names",
    .run = run,
    .summary = "compare names as screening does; show how a name is read",
    .usage =
        "usage: tims names compare NAME_A NAME_B [--json] [--mrz]\n"
        "       tims names compare --tsv FILE [--mrz]\n"
        "       tims names parse NAME [--json] [--mrz]\n"
        "\n"
        "compare prints the name similarity of two names (0 to 1) and the verdict at the\n"
        "default threshold. Names are UTF-8 in any script; \"LAST, First\" is understood.\n"
        "With --tsv, FILE (or - for standard input) is tab-separated with a header row that\n"
        "names the columns name_a and name_b; lines starting with # are copied as they are;\n"
        "every row is printed back with two columns added: score and match (1 or 0).\n"
        "\n"
        "parse prints the tokens of one name with their keys; * or 'weak' marks a particle\n"
        "or honorific.\n"
        "\n"
        "  --json   print JSON\n"
        "  --mrz    the names are MRZ name fields (SURNAME<<GIVEN<NAMES<<<)\n"
        "\n"
        "Exit codes: 0 done, 64 bad usage, 65 bad input (not UTF-8, no header), 66 no file.\n",
};
