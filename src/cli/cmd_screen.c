/* cmd_screen.c - `tims screen`: screen one traveller, or a CSV file of people, against lists.
 *
 * Lists come from --list FORMAT:PATH (any number) and --data DIR (every list imported into that
 * node folder). One query is described by --name and its companions; --batch reads a CSV with
 * a header naming at least full_name (and optionally date_of_birth, nationality, gender,
 * document) and prints one result per row. With --json, each result is one JSON line. */
#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "tims/country.h"
#include "tims/watchlist.h"

enum { MAX_LISTS = 64, DEFAULT_LIMIT = 10, MAX_LIMIT = 1000 };

extern const cli_command cli_cmd_screen;

typedef struct options {
    const char *list_specs[MAX_LISTS];
    size_t list_spec_count;
    const char *data_dir;
    const char *name, *dob, *nationality, *sex, *doc, *batch;
    double threshold;
    long limit;
    int json;
} options;

/* ---- lists ------------------------------------------------------------------------------- */

typedef struct loaded {
    tims_wl_list *owned[MAX_LISTS];   /* from --list */
    size_t owned_count;
    tims_wl_list **dir_lists;         /* from --data */
    size_t dir_count;
    const tims_wl_list *all[2 * MAX_LISTS];
    size_t count;
} loaded;

static void loaded_free(loaded *l)
{
    for (size_t i = 0; i < l->owned_count; i++)
        tims_wl_list_free(l->owned[i]);
    if (l->dir_lists)
        tims_wl_lists_free(l->dir_lists, l->dir_count);
}

static int load_lists(const options *o, loaded *l)
{
    tims_diag diag;
    for (size_t i = 0; i < o->list_spec_count; i++) {
        const char *spec = o->list_specs[i], *colon = strchr(spec, ':');
        if (!colon || colon == spec || !colon[1])
            return cli_usage_error(&cli_cmd_screen, "--list '%s' is not FORMAT:PATH (e.g. "
                                   "ofac-csv:lists/sdn/)", spec);
        char format[32];
        size_t flen = (size_t)(colon - spec);
        if (flen >= sizeof format)
            return cli_usage_error(&cli_cmd_screen, "--list '%s': no format has so long a "
                                   "name", spec);
        memcpy(format, spec, flen);
        format[flen] = '\0';
        tims_err err = tims_wl_import(format, colon + 1, &l->owned[l->owned_count], &diag);
        if (err != TIMS_OK)
            return cli_error(cli_exit_code(err), "%s", diag.text);
        if (l->owned[l->owned_count]->warning)
            fprintf(stderr, "tims screen: warning: %s\n", l->owned[l->owned_count]->warning);
        l->all[l->count++] = l->owned[l->owned_count++];
    }
    if (o->data_dir) {
        tims_err err = tims_wl_load_dir(o->data_dir, &l->dir_lists, &l->dir_count, &diag);
        if (err != TIMS_OK)
            return cli_error(cli_exit_code(err), "%s", diag.text);
        if (l->dir_count > MAX_LISTS)
            return cli_error(EX_DATAERR, "%s holds %zu lists; tims screen takes at most %d",
                             o->data_dir, l->dir_count, MAX_LISTS);
        for (size_t i = 0; i < l->dir_count; i++)
            l->all[l->count++] = l->dir_lists[i];
    }
    if (l->count == 0)
        return cli_error(EX_NOINPUT, "no lists to screen against: %s holds none; import one "
                         "with 'tims list import' or give --list FORMAT:PATH", o->data_dir);
    return EX_OK;
}

/* ---- query fields ------------------------------------------------------------------------ */

/* An alpha-3 code for a code (alpha-3 or alpha-2) or an English country name; NULL if unknown. */
static const char *country_code(const char *text)
{
    size_t len = strlen(text);
    const tims_country *c = NULL;
    if (len == 3 || len == 1)
        c = tims_country_by_code(text);
    if (!c && len == 2)
        c = tims_country_by_alpha2(text);
    if (c)
        return c->alpha3;
    if (len == 3) { /* lower-case codes as some files write them */
        char up[4] = {(char)(text[0] & ~0x20), (char)(text[1] & ~0x20), (char)(text[2] & ~0x20), 0};
        if ((c = tims_country_by_code(up)) != NULL)
            return c->alpha3;
    }
    if (len == 2) {
        char up[3] = {(char)(text[0] & ~0x20), (char)(text[1] & ~0x20), 0};
        if ((c = tims_country_by_alpha2(up)) != NULL)
            return c->alpha3;
    }
    return tims_country_code_from_name(text, len);
}

/* 'M', 'F', 0 for empty; -1 when it is something else. */
static int sex_code(const char *text)
{
    if (!text[0])
        return 0;
    if (strcasecmp(text, "m") == 0 || strcasecmp(text, "male") == 0)
        return 'M';
    if (strcasecmp(text, "f") == 0 || strcasecmp(text, "female") == 0)
        return 'F';
    return -1;
}

/* "STATE:NUMBER" into the query; 0 on success. */
static int parse_doc(const char *text, tims_wl_query *q)
{
    const char *colon = strchr(text, ':');
    if (!colon || colon == text || colon - text > 3 || !colon[1])
        return -1;
    char state[4] = {0};
    memcpy(state, text, (size_t)(colon - text));
    for (int i = 0; state[i]; i++) {
        if (state[i] >= 'a' && state[i] <= 'z')
            state[i] = (char)(state[i] - 'a' + 'A');
        if (state[i] < 'A' || state[i] > 'Z')
            return -1;
    }
    char norm[TIMS_WL_DOC_MAX + 1];
    if (!tims_wl_doc_normalise(colon + 1, norm, sizeof norm))
        return -1;
    memcpy(q->doc_country, state, sizeof state);
    q->doc_number = colon + 1;
    return 0;
}

/* ---- output ------------------------------------------------------------------------------ */

/* A list as hits name it: its folder name when it came from --data, else its source. */
static const char *list_label(const tims_wl_list *l)
{
    if (l->name && l->name[0])
        return l->name;
    return l->source && l->source[0] ? l->source : l->format;
}

static json_t *hit_json(const tims_wl_hit *h)
{
    json_t *reasons = json_array();
    for (size_t r = 0; r < h->reason_count; r++)
        json_array_append_new(reasons, json_string(h->reasons[r]));
    json_t *o = json_object();
    json_object_set_new(o, "score", json_real((double)(long)(h->score * 1000 + 0.5) / 1000));
    json_object_set_new(o, "list", json_string(list_label(h->list)));
    json_object_set_new(o, "entry_id", json_string(h->entry->id ? h->entry->id : ""));
    json_object_set_new(o, "name", h->entry->name_count ? json_string(h->entry->names[0].full)
                                                        : json_null());
    json_object_set_new(o, "matched_name", h->matched_name ? json_string(h->matched_name)
                                                           : json_null());
    json_object_set_new(o, "document_hit", json_boolean(h->document_hit));
    json_object_set_new(o, "reasons", reasons);
    return o;
}

static int print_json(json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return cli_error(EX_OSERR, "no memory to write the result");
    puts(text);
    free(text);
    return EX_OK;
}

static void print_text(const tims_wl_hit *hits, size_t n, double threshold, const char *label)
{
    if (label)
        printf("%s: ", label);
    printf("%zu hit%s at threshold %.2f\n", n, n == 1 ? "" : "s", threshold);
    for (size_t i = 0; i < n; i++) {
        const tims_wl_hit *h = &hits[i];
        printf("%2zu. %.3f  %s %s  %s\n", i + 1, h->score, list_label(h->list),
               h->entry->id ? h->entry->id : "?",
               h->entry->name_count ? h->entry->names[0].full : "(no name)");
        for (size_t r = 0; r < h->reason_count; r++)
            printf("      - %s\n", h->reasons[r]);
    }
}

/* ---- one query --------------------------------------------------------------------------- */

static int run_one(const tims_wl_index *idx, const options *o, tims_wl_hit *hits)
{
    tims_wl_query q;
    memset(&q, 0, sizeof q);
    tims_diag diag;
    q.name = o->name;
    q.threshold = o->threshold;
    if (o->dob && tims_wl_date_parse(o->dob, &q.dob, &diag) != TIMS_OK)
        return cli_usage_error(&cli_cmd_screen, "--dob: %s", diag.text);
    if (o->nationality) {
        const char *code = country_code(o->nationality);
        if (!code || strlen(code) > 3)
            return cli_usage_error(&cli_cmd_screen, "--nationality '%s' is not a country code "
                                   "or name tims knows", o->nationality);
        strcpy(q.nationality, code);
    }
    if (o->sex) {
        int s = sex_code(o->sex);
        if (s <= 0)
            return cli_usage_error(&cli_cmd_screen, "--sex '%s' is not M or F", o->sex);
        q.sex = (char)s;
    }
    if (o->doc && parse_doc(o->doc, &q) != 0)
        return cli_usage_error(&cli_cmd_screen, "--doc '%s' is not STATE:NUMBER (e.g. "
                               "UTO:L898902C3)", o->doc);
    size_t n = 0;
    tims_err err = tims_wl_screen(idx, &q, hits, (size_t)o->limit, &n, &diag);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "%s", diag.text);
    double threshold = o->threshold > 0 ? o->threshold : TIMS_WL_DEFAULT_THRESHOLD;
    if (!o->json) {
        print_text(hits, n, threshold, NULL);
        return EX_OK;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, hit_json(&hits[i]));
    json_t *out = json_object();
    json_object_set_new(out, "threshold", json_real(threshold));
    json_object_set_new(out, "hits", arr);
    return print_json(out);
}

/* ---- batch ------------------------------------------------------------------------------- */

enum { MAX_FIELDS = 64 };

/* A CSV reader over a whole file held in memory (RFC 4180: quotes, doubled quotes, CRLF). */
typedef struct csv {
    char *p, *end;
    size_t line;   /* line of the record being read */
    size_t next_line;
    char *fields[MAX_FIELDS];
    size_t count;
} csv;

/* Read one record, unquoting in place. Returns 1 for a record, 0 at the end, -1 on an error
 * (with the reason in why). */
static int csv_next(csv *c, const char **why)
{
    if (c->p >= c->end)
        return 0;
    c->line = c->next_line;
    c->count = 0;
    char *out = c->p;
    for (;;) {
        if (c->count == MAX_FIELDS) {
            *why = "more than 64 fields";
            return -1;
        }
        c->fields[c->count++] = out;
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    *why = "a quoted field is not closed";
                    return -1;
                }
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        *out++ = '"';
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (*c->p == '\n')
                    c->next_line++;
                *out++ = *c->p++;
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                *why = "text follows a closing quote (write a quote inside a quoted field "
                       "as \"\")";
                return -1;
            }
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"') {
                    *why = "a quote inside an unquoted field (quote the whole field)";
                    return -1;
                }
                if (*c->p == '\0') {
                    *why = "a NUL byte";
                    return -1;
                }
                *out++ = *c->p++;
            }
        }
        char sep = c->p < c->end ? *c->p : '\n';
        if (sep == ',') {
            *out++ = '\0';
            c->p++;
            continue;
        }
        if (sep == '\r') {
            if (c->p + 1 < c->end && c->p[1] == '\n')
                c->p++;
            else if (c->p + 1 < c->end) {
                *why = "a carriage return that does not end a line";
                return -1;
            }
        }
        *out = '\0'; /* safe: the record is never longer than its text */
        c->p++;
        c->next_line++;
        return 1;
    }
}

static int column(const csv *c, const char *name)
{
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->fields[i], name) == 0)
            return (int)i;
    }
    return -1;
}

static int batch_error(const options *o, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int batch_error(const options *o, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tims screen: %s line %zu: ", o->batch, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EX_DATAERR;
}

static int run_batch(const tims_wl_index *idx, const options *o, tims_wl_hit *hits)
{
    tims_buf text = {0};
    tims_diag diag;
    tims_err err = cli_read_input(o->batch, &text, &diag);
    if (err != TIMS_OK)
        return cli_error(cli_exit_code(err), "%s", diag.text);
    int rc = EX_OK;
    csv c = {.p = text.data, .end = text.data + text.len, .next_line = 1};
    const char *why = NULL;
    int r = csv_next(&c, &why);
    if (r <= 0) {
        rc = r < 0 ? batch_error(o, c.line, "%s", why)
                   : batch_error(o, 1, "the file is empty; expected a header with full_name");
        goto done;
    }
    if (c.count && strncmp(c.fields[0], "\xef\xbb\xbf", 3) == 0)
        c.fields[0] += 3; /* a UTF-8 byte order mark */
    int col_name = column(&c, "full_name"), col_dob = column(&c, "date_of_birth"),
        col_nat = column(&c, "nationality"), col_sex = column(&c, "gender"),
        col_doc = column(&c, "document");
    size_t width = c.count;
    if (col_name < 0) {
        rc = batch_error(o, 1, "the header has no full_name column");
        goto done;
    }
    const char *warned[32];
    size_t warned_count = 0;
    for (size_t row = 1;; row++) {
        r = csv_next(&c, &why);
        if (r == 0)
            break;
        if (r < 0) {
            rc = batch_error(o, c.line, "%s", why);
            goto done;
        }
        if (c.count == 1 && c.fields[0][0] == '\0') { /* a blank line */
            row--;
            continue;
        }
        if (c.count != width) {
            rc = batch_error(o, c.line, "%zu fields where the header has %zu", c.count, width);
            goto done;
        }
        tims_wl_query q;
        memset(&q, 0, sizeof q);
        q.name = c.fields[col_name];
        q.threshold = o->threshold;
        if (col_dob >= 0 && c.fields[col_dob][0] &&
            tims_wl_date_parse(c.fields[col_dob], &q.dob, &diag) != TIMS_OK) {
            rc = batch_error(o, c.line, "date_of_birth: %s", diag.text);
            goto done;
        }
        if (col_nat >= 0 && c.fields[col_nat][0]) {
            const char *code = country_code(c.fields[col_nat]);
            if (code && strlen(code) <= 3) {
                strcpy(q.nationality, code);
            } else {
                int seen = 0;
                for (size_t w = 0; w < warned_count; w++)
                    seen |= strcmp(warned[w], c.fields[col_nat]) == 0;
                if (!seen) {
                    fprintf(stderr, "tims screen: %s line %zu: nationality '%s' is not a "
                            "country tims knows; rows with it are screened without it\n",
                            o->batch, c.line, c.fields[col_nat]);
                    if (warned_count < TIMS_ARRAY_LEN(warned))
                        warned[warned_count++] = c.fields[col_nat];
                }
            }
        }
        if (col_sex >= 0) {
            int s = sex_code(c.fields[col_sex]);
            if (s < 0) {
                int seen = 0;
                for (size_t w = 0; w < warned_count; w++)
                    seen |= strcmp(warned[w], c.fields[col_sex]) == 0;
                if (!seen) {
                    fprintf(stderr, "tims screen: %s line %zu: gender '%s' is not male, female, "
                            "M or F; rows with it are screened without it\n", o->batch, c.line,
                            c.fields[col_sex]);
                    if (warned_count < TIMS_ARRAY_LEN(warned))
                        warned[warned_count++] = c.fields[col_sex];
                }
                s = 0;
            }
            q.sex = (char)s;
        }
        if (col_doc >= 0 && c.fields[col_doc][0] && parse_doc(c.fields[col_doc], &q) != 0) {
            rc = batch_error(o, c.line, "document '%s' is not STATE:NUMBER", c.fields[col_doc]);
            goto done;
        }
        size_t n = 0;
        err = tims_wl_screen(idx, &q, hits, (size_t)o->limit, &n, &diag);
        if (err == TIMS_EINVAL || err == TIMS_EDATA) {
            n = 0; /* a row without a usable name has no hits; say so once per row */
            fprintf(stderr, "tims screen: %s line %zu: %s\n", o->batch, c.line, diag.text);
        } else if (err != TIMS_OK) {
            rc = cli_error(cli_exit_code(err), "%s", diag.text);
            goto done;
        }
        if (o->json) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, hit_json(&hits[i]));
            json_t *out = json_object();
            json_object_set_new(out, "row", json_integer((json_int_t)row));
            json_object_set_new(out, "hits", arr);
            if ((rc = print_json(out)) != EX_OK)
                goto done;
        } else {
            char label[48];
            snprintf(label, sizeof label, "row %zu", row);
            print_text(hits, n, o->threshold > 0 ? o->threshold : TIMS_WL_DEFAULT_THRESHOLD,
                       label);
        }
    }
done:
    tims_buf_free(&text);
    return rc;
}

/* ---- arguments --------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, options *o)
{
    o->limit = DEFAULT_LIMIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
            continue;
        }
        static const char *const valued[] = {"--list", "--data", "--name", "--dob",
                                             "--nationality", "--sex", "--doc", "--batch",
                                             "--threshold", "--limit"};
        int known = 0;
        for (size_t k = 0; k < TIMS_ARRAY_LEN(valued); k++)
            known |= strcmp(a, valued[k]) == 0;
        if (!known)
            return cli_usage_error(&cli_cmd_screen, "unknown option '%s'", a);
        if (i + 1 >= argc)
            return cli_usage_error(&cli_cmd_screen, "%s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--list") == 0) {
            if (o->list_spec_count == MAX_LISTS)
                return cli_usage_error(&cli_cmd_screen, "at most %d --list options", MAX_LISTS);
            o->list_specs[o->list_spec_count++] = v;
        } else if (strcmp(a, "--data") == 0) {
            o->data_dir = v;
        } else if (strcmp(a, "--name") == 0) {
            o->name = v;
        } else if (strcmp(a, "--dob") == 0) {
            o->dob = v;
        } else if (strcmp(a, "--nationality") == 0) {
            o->nationality = v;
        } else if (strcmp(a, "--sex") == 0) {
            o->sex = v;
        } else if (strcmp(a, "--doc") == 0) {
            o->doc = v;
        } else if (strcmp(a, "--batch") == 0) {
            o->batch = v;
        } else if (strcmp(a, "--threshold") == 0) {
            char *end;
            errno = 0;
            o->threshold = strtod(v, &end);
            if (errno || *end || !(o->threshold > 0 && o->threshold <= 1))
                return cli_usage_error(&cli_cmd_screen, "--threshold '%s' is not a number "
                                       "above 0 and at most 1", v);
        } else {
            char *end;
            errno = 0;
            o->limit = strtol(v, &end, 10);
            if (errno || *end || o->limit < 1 || o->limit > MAX_LIMIT)
                return cli_usage_error(&cli_cmd_screen, "--limit '%s' is not a whole number "
                                       "from 1 to %d", v, MAX_LIMIT);
        }
    }
    if (o->list_spec_count == 0 && !o->data_dir)
        return cli_usage_error(&cli_cmd_screen, "give at least one --list FORMAT:PATH or "
                               "--data DIR");
    if (o->batch && (o->name || o->dob || o->nationality || o->sex || o->doc))
        return cli_usage_error(&cli_cmd_screen, "--batch reads the people from the file; "
                               "leave out --name, --dob, --nationality, --sex and --doc");
    if (!o->batch && !o->name && !o->doc)
        return cli_usage_error(&cli_cmd_screen, "give --name NAME, --doc STATE:NUMBER or "
                               "--batch FILE");
    return EX_OK;
}

static int run(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    int rc = parse_args(argc, argv, &o);
    if (rc != EX_OK)
        return rc;
    loaded l;
    memset(&l, 0, sizeof l);
    tims_wl_index *idx = NULL;
    tims_wl_hit *hits = NULL;
    if ((rc = load_lists(&o, &l)) != EX_OK)
        goto done;
    tims_diag diag;
    tims_err err = tims_wl_index_build(l.all, l.count, &idx, &diag);
    if (err != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "%s", diag.text);
        goto done;
    }
    hits = tims_calloc((size_t)o.limit, sizeof *hits);
    if (!hits) {
        rc = cli_error(EX_OSERR, "no memory for %ld hits", o.limit);
        goto done;
    }
    rc = o.batch ? run_batch(idx, &o, hits) : run_one(idx, &o, hits);
done:
    tims_free(hits);
    tims_wl_index_free(idx);
    loaded_free(&l);
    return rc;
}

const cli_command cli_cmd_screen = {
    .name = "screen",
    .run = run,
    .summary = "screen a traveller (or a CSV of people) against watchlists",
    .usage =
        "usage: tims screen --list FORMAT:PATH [--list ...] [--data DIR]\n"
        "                   --name NAME [--dob YYYY[-MM[-DD]]] [--nationality ISO3]\n"
        "                   [--sex M|F] [--doc STATE:NUMBER] [--threshold T] [--limit K] [--json]\n"
        "       tims screen --list ... --batch PEOPLE.csv [--threshold T] [--limit K] [--json]\n"
        "\n"
        "Screens a person against the lists: by name (typos, transliterations, reordered or\n"
        "missing name parts are found), adjusted by date of birth, nationality and sex, and by\n"
        "document number with its issuing state (an exact match is a hit on its own). Every hit\n"
        "says why: the name or alias matched, the token pairs, the fields that agreed or not,\n"
        "the score and the threshold.\n"
        "\n"
        "  --list FORMAT:PATH  a list file (ofac-csv takes a folder): ofac-csv, un-xml, csl-csv,\n"
        "                      dpl-tsv, tims-csv; repeat for more lists\n"
        "  --data DIR          every list imported into the node folder DIR\n"
        "  --name NAME         the name as written (any script; \"LAST, First\" is fine)\n"
        "  --dob DATE          date of birth: YYYY, YYYY-MM or YYYY-MM-DD\n"
        "  --nationality C     alpha-3 code (or alpha-2, or an English country name)\n"
        "  --sex M|F\n"
        "  --doc STATE:NUMBER  document number and issuing state, e.g. UTO:L898902C3\n"
        "  --batch FILE        CSV with a header: full_name and optionally date_of_birth,\n"
        "                      nationality (name or code), gender (male/female/M/F), document\n"
        "                      (STATE:NUMBER); one result per row, rows numbered from 1\n"
        "  --threshold T       report hits scoring at least T (0 < T <= 1; default 0.88)\n"
        "  --limit K           at most K hits per query, best first (default 10)\n"
        "  --json              one JSON object per query: {\"row\", \"hits\": [{\"score\",\n"
        "                      \"list\", \"entry_id\", \"name\", \"matched_name\", \"reasons\"}]}\n"
        "\n"
        "Exit status: 0 when screened (with or without hits), 64 usage, 65 bad input data\n"
        "(a malformed CSV names its line), 66 a list or file that does not exist.\n",
};
