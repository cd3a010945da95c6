/* cmd_mrz.c - `tims mrz`: read machine-readable zones from a file or standard input and
 * print every field and every failed check, readable or as JSON (one object per record).
 *
 * Input is read as it arrives, so a scanner piped in gets an answer per record; a record
 * still unfinished after 1 MiB is not MRZ text and stops the run. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_mrz.h"
#include "tims/country.h"

#define MAX_PENDING (1u << 20)

extern const cli_command cli_cmd_mrz;

typedef struct mrz_args {
    bool json, repair;
    const char *path;
    tims_mrz_options opts;
} mrz_args;

/* ---- readable form ---------------------------------------------------------------------- */

static const char *format_words(tims_mrz_format f)
{
    switch (f) {
    case TIMS_MRZ_TD1:
        return "TD1 identity card";
    case TIMS_MRZ_TD2:
        return "TD2 identity card";
    case TIMS_MRZ_TD3:
        return "TD3 passport";
    case TIMS_MRZ_MRVA:
        return "MRV-A visa";
    case TIMS_MRZ_MRVB:
        return "MRV-B visa";
    case TIMS_MRZ_FRENCH_ID:
        return "French identity card (before 2021)";
    case TIMS_MRZ_UNKNOWN:
        break;
    }
    return "unrecognised MRZ";
}

static void row(FILE *out, const char *label, const char *value, const char *note)
{
    fprintf(out, "  %-17s %s%s%s\n", label, value[0] ? value : "-", note && note[0] ? "  " : "",
            note ? note : "");
}

static void state_row(FILE *out, const char *label, const char *code)
{
    const tims_country *c = tims_country_by_code(code);
    row(out, label, code, c ? c->name : NULL);
}

static void lines_rows(FILE *out, const char *label, const tims_mrz *m)
{
    size_t n = m->nlines < TIMS_MRZ_MAX_LINES ? m->nlines : TIMS_MRZ_MAX_LINES;
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-17s %s\n", i == 0 ? label : "", m->lines[i]);
    if (m->nlines > n)
        fprintf(out, "  %-17s (%zu more lines)\n", "", m->nlines - n);
}

static void error_rows(FILE *out, const char *label, const tims_mrz *m)
{
    for (size_t i = 0; i < m->nerrors; i++)
        fprintf(out, "  %-17s %s\n", i == 0 ? label : "", m->errors[i].message);
}

void cli_mrz_print(FILE *out, const tims_mrz *shown, const tims_mrz *original,
                   const tims_mrz_repair_result *rep)
{
    const tims_mrz *m = shown;
    bool repaired = rep && rep->status == TIMS_MRZ_REPAIR_UNIQUE;
    if (m->valid)
        fprintf(out, "%s: valid%s\n", format_words(m->format), repaired ? " after repair" : "");
    else
        fprintf(out, "%s: NOT VALID (%zu error%s)\n", format_words(m->format), m->nerrors,
                m->nerrors == 1 ? "" : "s");
    if (m->has_fields) {
        row(out, "document code", m->document_code, NULL);
        state_row(out, "issuing state", m->issuing_state);
        row(out, "surname", m->surname,
            m->no_primary_identifier ? "(no primary identifier)" : NULL);
        row(out, "given names", m->given_names,
            m->name_truncated ? "(name field full: may be truncated)" : NULL);
        row(out, "document number", m->document_number,
            m->document_number_extended ? "(long number, continued in the optional data)" : NULL);
        state_row(out, "nationality", m->nationality);
        row(out, "date of birth", m->birth_date[0] ? m->birth_date : m->birth_date_raw, NULL);
        row(out, "sex", m->sex, NULL);
        if (m->format != TIMS_MRZ_FRENCH_ID)
            row(out, "date of expiry", m->expiry_date[0] ? m->expiry_date : m->expiry_date_raw,
                NULL);
        row(out, m->format == TIMS_MRZ_TD3 ? "personal number" : "optional data", m->optional_data,
            NULL);
        if (m->format == TIMS_MRZ_TD1)
            row(out, "optional data 2", m->optional_data_2, NULL);
    }
    lines_rows(out, "lines", original);
    error_rows(out, "error", m);
    if (!rep || rep->status == TIMS_MRZ_REPAIR_NOT_NEEDED)
        return;
    if (repaired) {
        fprintf(out, "  %-17s unique: %zu character%s changed\n", "repair", rep->nchanges,
                rep->nchanges == 1 ? "" : "s");
        for (size_t i = 0; i < rep->nchanges; i++)
            fprintf(out, "  %-17s line %d, position %d: %c -> %c\n", "", rep->changes[i].line,
                    rep->changes[i].position, rep->changes[i].from, rep->changes[i].to);
        lines_rows(out, "repaired lines", shown);
        error_rows(out, "original error", original);
    } else {
        fprintf(out, "  %-17s %s: %s\n", "repair", tims_mrz_repair_status_name(rep->status),
                rep->reason);
    }
}

/* ---- JSON ------------------------------------------------------------------------------- */

static json_t *str_or_null(bool present, const char *s)
{
    return present ? json_string(s) : json_null();
}

static json_t *errors_json(const tims_mrz *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->nerrors; i++) {
        const tims_mrz_error *e = &m->errors[i];
        json_t *o = json_object();
        json_object_set_new(o, "field", json_string(e->field));
        json_object_set_new(o, "code", json_string(tims_mrz_code_name(e->code)));
        json_object_set_new(o, "message", json_string(e->message));
        if (e->line > 0)
            json_object_set_new(o, "line", json_integer(e->line));
        if (e->position > 0)
            json_object_set_new(o, "position", json_integer(e->position));
        if (e->code == TIMS_MRZ_E_CHECK_DIGIT) {
            json_object_set_new(o, "got", json_string(e->got));
            json_object_set_new(o, "expected", json_integer(e->expected));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *lines_json(const tims_mrz *m)
{
    json_t *a = json_array();
    size_t n = m->nlines < TIMS_MRZ_MAX_LINES ? m->nlines : TIMS_MRZ_MAX_LINES;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(m->lines[i]));
    return a;
}

static json_t *record_json(const tims_mrz *shown, const tims_mrz *original,
                           const tims_mrz_repair_result *rep)
{
    const tims_mrz *m = shown;
    bool f = m->has_fields;
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(tims_mrz_format_name(m->format)));
    json_object_set_new(o, "valid", json_boolean(m->valid));
    if (rep)
        json_object_set_new(o, "repaired", json_boolean(rep->status == TIMS_MRZ_REPAIR_UNIQUE));
    json_object_set_new(o, "errors", errors_json(m));
    json_object_set_new(o, "document_code", str_or_null(f, m->document_code));
    json_object_set_new(o, "issuing_state", str_or_null(f, m->issuing_state));
    json_object_set_new(o, "surname", str_or_null(f, m->surname));
    json_object_set_new(o, "given_names", str_or_null(f, m->given_names));
    json_object_set_new(o, "document_number", str_or_null(f, m->document_number));
    json_object_set_new(o, "nationality", str_or_null(f, m->nationality));
    json_object_set_new(o, "birth_date", str_or_null(f && m->birth_date[0], m->birth_date));
    json_object_set_new(o, "expiry_date", str_or_null(f && m->expiry_date[0], m->expiry_date));
    json_object_set_new(o, "sex", str_or_null(f, m->sex));
    json_object_set_new(o, "optional_data", str_or_null(f, m->optional_data));
    json_object_set_new(o, "optional_data_2",
                        str_or_null(f && m->format == TIMS_MRZ_TD1, m->optional_data_2));
    json_object_set_new(o, "name_truncated", json_boolean(m->name_truncated));
    json_object_set_new(o, "no_primary_identifier", json_boolean(m->no_primary_identifier));
    json_object_set_new(o, "document_number_extended", json_boolean(m->document_number_extended));
    json_object_set_new(o, "lines", lines_json(original));
    if (rep) {
        json_t *r = json_object();
        json_object_set_new(r, "status", json_string(tims_mrz_repair_status_name(rep->status)));
        if (rep->reason[0])
            json_object_set_new(r, "reason", json_string(rep->reason));
        json_t *changes = json_array();
        if (rep->status == TIMS_MRZ_REPAIR_UNIQUE) {
            for (size_t i = 0; i < rep->nchanges; i++) {
                const tims_mrz_change *c = &rep->changes[i];
                char from[2] = {c->from, '\0'}, to[2] = {c->to, '\0'};
                json_array_append_new(changes,
                                      json_pack("{s:i,s:i,s:s,s:s}", "line", c->line, "position",
                                                c->position, "from", from, "to", to));
            }
            json_object_set_new(r, "lines", lines_json(shown));
            json_object_set_new(r, "original_errors", errors_json(original));
        }
        json_object_set_new(r, "changes", changes);
        json_object_set_new(o, "repair", r);
    }
    return o;
}

/* ---- the command ------------------------------------------------------------------------ */

static bool parse_today(const char *s, tims_mrz_date *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    }
    d->year = atoi(s);
    d->month = atoi(s + 5);
    d->day = atoi(s + 8);
    tims_mrz_options probe = {.today = *d}; /* the library says what a real date is */
    static tims_mrz scratch;
    return tims_mrz_parse("", 0, &probe, &scratch) != TIMS_EINVAL;
}

static int parse_args(int argc, char **argv, mrz_args *a)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--") == 0) {
            i++;
            break;
        }
        if (s[0] != '-' || strcmp(s, "-") == 0)
            break;
        if (strcmp(s, "--json") == 0) {
            a->json = true;
        } else if (strcmp(s, "--repair") == 0) {
            a->repair = true;
        } else if (strcmp(s, "--accept-sex-x") == 0) {
            a->opts.flags |= TIMS_MRZ_ACCEPT_SEX_X;
        } else if (strcmp(s, "--today") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(&cli_cmd_mrz, "--today needs a date, YYYY-MM-DD");
            if (!parse_today(argv[++i], &a->opts.today))
                return cli_usage_error(
                    &cli_cmd_mrz, "--today '%s' is not a real date written YYYY-MM-DD", argv[i]);
        } else {
            return cli_usage_error(&cli_cmd_mrz, "unknown option '%s'", s);
        }
    }
    if (i < argc)
        a->path = argv[i++];
    if (i < argc)
        return cli_usage_error(&cli_cmd_mrz, "takes one FILE at most, got '%s' too", argv[i]);
    return EX_OK;
}

/* parse, repair if asked, print; returns whether the record (as shown) is valid */
static bool handle_record(const mrz_args *a, tims_mrz_span rec)
{
    static tims_mrz original, fixed; /* large: kept off the stack, reused */
    static tims_mrz_repair_result rep;
    tims_mrz_parse(rec.ptr, rec.len, &a->opts, &original);
    const tims_mrz *shown = &original;
    if (a->repair) {
        tims_mrz_repair(&original, &a->opts, &rep, &fixed);
        if (rep.status == TIMS_MRZ_REPAIR_UNIQUE)
            shown = &fixed;
    }
    if (a->json) {
        json_t *o = record_json(shown, &original, a->repair ? &rep : NULL);
        json_dumpf(o, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        static bool first = true;
        if (!first)
            fputc('\n', stdout);
        first = false;
        cli_mrz_print(stdout, shown, &original, a->repair ? &rep : NULL);
    }
    fflush(stdout);
    return shown->valid;
}

static int run(int argc, char **argv)
{
    mrz_args a = {0};
    cli_today(&a.opts.today.year, &a.opts.today.month, &a.opts.today.day);
    int code = parse_args(argc, argv, &a);
    if (code != EX_OK)
        return code;
    bool from_stdin = !a.path || strcmp(a.path, "-") == 0;
    const char *name = from_stdin ? "standard input" : a.path;
    int fd = from_stdin ? STDIN_FILENO : open(a.path, O_RDONLY);
    if (fd < 0)
        return cli_error(EX_NOINPUT, "cannot open %s: %s", a.path, strerror(errno));

    tims_buf buf = {0};
    size_t pos = 0, records = 0, invalid = 0;
    bool at_end = false;
    code = EX_OK;
    while (!at_end) {
        char chunk[65536];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            code = cli_error(records ? EX_IOERR : EX_NOINPUT, "cannot read %s: %s", name,
                             strerror(errno));
            goto done;
        }
        at_end = n == 0;
        tims_err err = tims_buf_append(&buf, chunk, (size_t)n);
        if (err != TIMS_OK) {
            code = cli_error(cli_exit_code(err), "reading %s: %s", name, tims_strerror(err));
            goto done;
        }
        tims_mrz_span rec;
        while (tims_mrz_next_record(buf.data, buf.len, at_end, &pos, &rec)) {
            records++;
            if (!handle_record(&a, rec))
                invalid++;
        }
        memmove(buf.data, buf.data + pos, buf.len - pos);
        buf.len -= pos;
        buf.data[buf.len] = '\0';
        pos = 0;
        if (buf.len > MAX_PENDING) {
            code = cli_error(EX_DATAERR,
                             "record %zu of %s runs on for more than 1 MiB without a blank "
                             "line; this is not MRZ text",
                             records + 1, name);
            goto done;
        }
    }
    if (records == 0)
        code = cli_error(EX_DATAERR, "no MRZ record in %s", name);
    else if (invalid)
        code = EX_DATAERR;
done:
    tims_buf_free(&buf);
    if (!from_stdin)
        close(fd);
    return code;
}

const cli_command cli_cmd_mrz = {
    .name = "mrz",
    .run = run,
    .summary = "read passport, ID card and visa MRZs and check every field",
    .usage =
        "usage: tims mrz [--json] [--repair] [--accept-sex-x] [--today YYYY-MM-DD] [FILE]\n"
        "\n"
        "Reads the machine-readable zones (MRZ, ICAO Doc 9303) of passports (TD3), identity\n"
        "cards (TD1, TD2, the French card before 2021) and visas (MRV-A, MRV-B) from FILE, or\n"
        "from standard input when FILE is absent or '-', as a scanner sends them: lines ended\n"
        "by LF or CR LF, surrounding spaces ignored, records separated by a blank line.\n"
        "Prints every field and every failed check of each record.\n"
        "\n"
        "  --json           one JSON object per record per line\n"
        "  --repair         when checks fail, try the usual OCR confusions (O/0, I/1, B/8,\n"
        "                   S/5, Z/2, G/6) and show the one repair that passes every check;\n"
        "                   says so when there is none or several. A repaired record is shown\n"
        "                   with its changes, original lines and original errors, and counts\n"
        "                   as valid\n"
        "  --accept-sex-x   accept sex X (Doc 9303 8th edition allows only F, M and <)\n"
        "  --today DATE     the date that decides the century of birth dates (default: today,\n"
        "                   UTC)\n"
        "\n"
        "Exit status: 0 every record is valid; 65 a record is not valid, or there is none;\n"
        "64 bad usage; 66 FILE cannot be opened; 74 reading failed.\n"
        "See docs/mrz.md for the fields, the checks and the error codes.\n",
};
