/* cmd_list.c - `tims list`: import a watchlist into a node's data folder, show what a list file
 * holds, and compare two releases of a list.
 *
 *   tims list import --data DIR FORMAT:PATH [--name NAME] [--allow-truncated]
 *   tims list show FORMAT:PATH [--json] [--id ID]
 *   tims list diff FORMAT:OLD FORMAT:NEW [--json]
 *   tims list ls --data DIR [--json]
 *
 * The library does the work (tims_wl_import, tims_wl_install, tims_wl_diff_lists,
 * tims_wl_load_dir); this file reads the arguments, the clock, and prints. show and diff read
 * a CSV file whose last row is cut off (printing the warning); import refuses it unless
 * --allow-truncated is given. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tims/watchlist.h"

extern const cli_command cli_cmd_list;

typedef struct list_args {
    const char *data;
    const char *name;
    const char *id;
    int json;
    int allow_truncated;
    const char *pos[3];
    int npos;
} list_args;

static int parse_args(int argc, char **argv, list_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (strcmp(s, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(s, "--allow-truncated") == 0) {
            a->allow_truncated = 1;
        } else if (strcmp(s, "--data") == 0 || strcmp(s, "--name") == 0 || strcmp(s, "--id") == 0) {
            if (!more)
                return cli_usage_error(&cli_cmd_list, "%s needs a value", s);
            const char **slot = s[2] == 'd' ? &a->data : s[2] == 'n' ? &a->name : &a->id;
            *slot = argv[++i];
        } else if (s[0] == '-' && s[1] != '\0') {
            return cli_usage_error(&cli_cmd_list, "unknown option '%s'", s);
        } else {
            if (a->npos == 3)
                return cli_usage_error(&cli_cmd_list, "too many arguments");
            a->pos[a->npos++] = s;
        }
    }
    return EX_OK;
}

/* "FORMAT:PATH" -> format (copied into fmt) and path. */
static int split_source(const char *arg, char fmt[16], const char **path)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg || (size_t)(colon - arg) >= 16 || colon[1] == '\0')
        return cli_usage_error(&cli_cmd_list,
                               "'%s' is not FORMAT:PATH (e.g. "
                               "ofac-csv:lists/sdn-2021-07, un-xml:consolidated.xml)",
                               arg);
    memcpy(fmt, arg, (size_t)(colon - arg));
    fmt[colon - arg] = '\0';
    *path = colon + 1;
    return EX_OK;
}

static int import_failed(const char *what, tims_err err, const tims_diag *d)
{
    return cli_error(cli_exit_code(err), "%s: %s", what, d->text[0] ? d->text : tims_strerror(err));
}

static int load(const char *arg, tims_wl_list **out)
{
    char fmt[16];
    const char *path = NULL;
    int rc = split_source(arg, fmt, &path);
    if (rc != EX_OK)
        return rc;
    tims_diag d;
    tims_err err = tims_wl_import(fmt, path, out, &d);
    if (err != TIMS_OK)
        return import_failed("cannot import the list", err, &d);
    if ((*out)->warning)
        fprintf(stderr, "tims list: warning: %s\n", (*out)->warning);
    return EX_OK;
}

static json_t *warning_json(const char *warning)
{
    return warning ? json_string(warning) : json_null();
}

/* ---- JSON of an entry ------------------------------------------------------------------- */

static json_t *strings(const char *const *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

static json_t *entry_json(const tims_wl_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "type", json_string(tims_wl_type_name(e->type)));
    json_object_set_new(o, "category", json_string(tims_wl_category_name(e->category)));
    if (e->sublist)
        json_object_set_new(o, "sublist", json_string(e->sublist));
    char g[2] = {e->gender, 0};
    json_object_set_new(o, "gender", e->gender ? json_string(g) : json_null());
    json_t *names = json_array();
    for (size_t i = 0; i < e->name_count; i++) {
        const tims_wl_name *n = &e->names[i];
        json_t *x = json_pack("{s:s, s:s, s:b}", "full", n->full, "kind",
                              tims_wl_name_kind_name(n->kind), "weak", n->weak);
        if (n->listed)
            json_object_set_new(x, "listed", json_string(n->listed));
        json_array_append_new(names, x);
    }
    json_object_set_new(o, "names", names);
    json_t *births = json_array();
    for (size_t i = 0; i < e->birth_count; i++) {
        char buf[32];
        json_array_append_new(births, json_string(tims_wl_date_format(&e->births[i], buf)));
    }
    json_object_set_new(o, "births", births);
    json_object_set_new(o, "birth_places", strings(e->birth_places, e->birth_place_count));
    json_t *nats = json_array();
    for (size_t i = 0; i < e->nationality_count; i++)
        json_array_append_new(nats, json_string(e->nationalities[i]));
    json_object_set_new(o, "nationalities", nats);
    json_t *docs = json_array();
    for (size_t i = 0; i < e->document_count; i++) {
        const tims_wl_document *d = &e->documents[i];
        json_array_append_new(docs, json_pack("{s:s, s:s, s:s}", "type", d->type, "number",
                                              d->number, "country", d->country));
    }
    json_object_set_new(o, "documents", docs);
    json_object_set_new(o, "programs", strings(e->programs, e->program_count));
    json_t *addrs = json_array();
    for (size_t i = 0; i < e->address_count; i++)
        json_array_append_new(addrs, json_pack("{s:s, s:s}", "text", e->addresses[i].text,
                                               "country", e->addresses[i].country));
    json_object_set_new(o, "addresses", addrs);
    json_object_set_new(o, "remarks", e->remarks ? json_string(e->remarks) : json_null());
    return o;
}

static int print_json(json_t *o)
{
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return cli_error(EX_SOFTWARE, "cannot write JSON (out of memory)");
    puts(text);
    free(text);
    return EX_OK;
}

static void print_entry(const tims_wl_entry *e)
{
    printf("id            %s\n", e->id);
    printf("type          %s (%s)%s%s\n", tims_wl_type_name(e->type),
           tims_wl_category_name(e->category), e->sublist ? ", list " : "",
           e->sublist ? e->sublist : "");
    for (size_t i = 0; i < e->name_count; i++) {
        const tims_wl_name *n = &e->names[i];
        printf("%-13s %s%s%s%s%s\n", i == 0 ? "names" : "", n->full,
               n->kind == TIMS_WL_PRIMARY ? "" : "  [",
               n->kind == TIMS_WL_PRIMARY ? "" : tims_wl_name_kind_name(n->kind),
               n->weak ? ", weak" : "", n->kind == TIMS_WL_PRIMARY ? "" : "]");
    }
    if (e->gender)
        printf("gender        %c\n", e->gender);
    for (size_t i = 0; i < e->birth_count; i++) {
        char buf[32];
        printf("%-13s %s\n", i == 0 ? "born" : "", tims_wl_date_format(&e->births[i], buf));
    }
    for (size_t i = 0; i < e->birth_place_count; i++)
        printf("%-13s %s\n", i == 0 ? "birth place" : "", e->birth_places[i]);
    for (size_t i = 0; i < e->nationality_count; i++)
        printf("%-13s %s\n", i == 0 ? "nationality" : "", e->nationalities[i]);
    for (size_t i = 0; i < e->document_count; i++) {
        const tims_wl_document *d = &e->documents[i];
        printf("%-13s %s %s%s%s%s\n", i == 0 ? "documents" : "", d->type[0] ? d->type : "document",
               d->number, d->country[0] ? " (" : "", d->country, d->country[0] ? ")" : "");
    }
    for (size_t i = 0; i < e->program_count; i++)
        printf("%-13s %s\n", i == 0 ? "programs" : "", e->programs[i]);
    for (size_t i = 0; i < e->address_count; i++)
        printf("%-13s %s\n", i == 0 ? "addresses" : "", e->addresses[i].text);
    if (e->remarks)
        printf("remarks       %s\n", e->remarks);
}

/* ---- show --------------------------------------------------------------------------------- */

typedef struct summary {
    size_t by_type[5];
    size_t names[4], weak, births, exact, year_only, month_only, ranges, approx, with_birth;
    size_t places, nationalities, documents, documents_with_country, male, female, addresses;
} summary;

static void summarise(const tims_wl_list *l, summary *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < l->count; i++) {
        const tims_wl_entry *e = &l->entries[i];
        if (e->type < 5)
            s->by_type[e->type]++;
        for (size_t k = 0; k < e->name_count; k++) {
            if (e->names[k].kind < 4)
                s->names[e->names[k].kind]++;
            s->weak += e->names[k].weak;
        }
        s->with_birth += e->birth_count > 0;
        for (size_t k = 0; k < e->birth_count; k++) {
            const tims_wl_date *d = &e->births[k];
            s->births++;
            s->approx += d->approx;
            if (d->year_to != d->year_from)
                s->ranges++;
            else if (d->day)
                s->exact++;
            else if (d->month)
                s->month_only++;
            else
                s->year_only++;
        }
        s->places += e->birth_place_count;
        s->nationalities += e->nationality_count;
        s->documents += e->document_count;
        for (size_t k = 0; k < e->document_count; k++)
            s->documents_with_country += e->documents[k].country[0] != '\0';
        s->male += e->gender == 'M';
        s->female += e->gender == 'F';
        s->addresses += e->address_count;
    }
}

static json_t *summary_json(const tims_wl_list *l)
{
    summary s;
    summarise(l, &s);
    json_t *types = json_object();
    for (int t = 0; t < 5; t++)
        json_object_set_new(types, tims_wl_type_name(t), json_integer((json_int_t)s.by_type[t]));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:I, s:I}", "source", l->source, "format", l->format, "release",
                  l->release, "rows", (json_int_t)l->rows, "entries", (json_int_t)l->count);
    if (l->name)
        json_object_set_new(o, "name", json_string(l->name));
    json_object_set_new(o, "dropped_rows", json_integer((json_int_t)l->dropped_rows));
    json_object_set_new(o, "warning", warning_json(l->warning));
    json_object_set_new(o, "types", types);
    json_object_set_new(o, "names",
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "primary", (json_int_t)s.names[0],
                                  "alias", (json_int_t)s.names[1], "former", (json_int_t)s.names[2],
                                  "original", (json_int_t)s.names[3], "weak", (json_int_t)s.weak));
    json_object_set_new(o, "births",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "dates",
                                  (json_int_t)s.births, "exact", (json_int_t)s.exact, "month",
                                  (json_int_t)s.month_only, "year", (json_int_t)s.year_only,
                                  "ranges", (json_int_t)s.ranges, "approximate",
                                  (json_int_t)s.approx, "entries", (json_int_t)s.with_birth));
    json_object_set_new(o, "birth_places", json_integer((json_int_t)s.places));
    json_object_set_new(o, "nationalities", json_integer((json_int_t)s.nationalities));
    json_object_set_new(o, "documents",
                        json_pack("{s:I, s:I}", "total", (json_int_t)s.documents, "with_country",
                                  (json_int_t)s.documents_with_country));
    json_object_set_new(
        o, "genders",
        json_pack("{s:I, s:I}", "male", (json_int_t)s.male, "female", (json_int_t)s.female));
    json_object_set_new(o, "addresses", json_integer((json_int_t)s.addresses));
    return o;
}

static void print_summary(const tims_wl_list *l)
{
    summary s;
    summarise(l, &s);
    if (l->name)
        printf("name          %s\n", l->name);
    printf("source        %s\nformat        %s\nrelease       %s\n", l->source, l->format,
           l->release[0] ? l->release : "(not given by the file)");
    printf("rows          %zu\n", l->rows);
    printf("entries       %zu: %zu person, %zu entity, %zu vessel, %zu aircraft, %zu document\n",
           l->count, s.by_type[0], s.by_type[1], s.by_type[2], s.by_type[3], s.by_type[4]);
    printf("names         %zu primary, %zu alias, %zu former, %zu original script; %zu weak\n",
           s.names[0], s.names[1], s.names[2], s.names[3], s.weak);
    printf("births        %zu dates on %zu entries: %zu exact, %zu month, %zu year, %zu ranges; "
           "%zu approximate\n",
           s.births, s.with_birth, s.exact, s.month_only, s.year_only, s.ranges, s.approx);
    printf("birth places  %zu\nnationalities %zu\n", s.places, s.nationalities);
    printf("documents     %zu (%zu with issuing country)\n", s.documents, s.documents_with_country);
    printf("genders       %zu male, %zu female\naddresses     %zu\n", s.male, s.female,
           s.addresses);
}

static int show(const list_args *a)
{
    if (a->npos != 1 || a->data || a->name)
        return cli_usage_error(&cli_cmd_list, "show takes one FORMAT:PATH (and --json, --id)");
    tims_wl_list *l = NULL;
    int rc = load(a->pos[0], &l);
    if (rc != EX_OK)
        return rc;
    if (a->id) {
        const tims_wl_entry *e = tims_wl_find(l, a->id);
        if (!e) {
            rc = cli_error(EX_DATAERR, "no entry with id '%s' in %s", a->id, a->pos[0]);
        } else if (a->json) {
            rc = print_json(entry_json(e));
        } else {
            print_entry(e);
        }
    } else if (a->json) {
        rc = print_json(summary_json(l));
    } else {
        print_summary(l);
    }
    tims_wl_list_free(l);
    return rc;
}

/* ---- diff --------------------------------------------------------------------------------- */

static const char *primary(const tims_wl_entry *e)
{
    return e->name_count ? e->names[0].full : "";
}

static int diff(const list_args *a)
{
    if (a->npos != 2 || a->data || a->name || a->id)
        return cli_usage_error(&cli_cmd_list, "diff takes FORMAT:OLD FORMAT:NEW (and --json)");
    tims_wl_list *old_list = NULL, *new_list = NULL;
    tims_wl_diff *d = NULL;
    int rc = load(a->pos[0], &old_list);
    if (rc == EX_OK)
        rc = load(a->pos[1], &new_list);
    if (rc != EX_OK)
        goto done;
    tims_err err = tims_wl_diff_lists(old_list, new_list, &d);
    if (err != TIMS_OK) {
        rc = cli_error(cli_exit_code(err), "cannot compare the lists: %s", tims_strerror(err));
        goto done;
    }
    if (a->json) {
        json_t *o = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I}", "old_entries", (json_int_t)old_list->count,
            "new_entries", (json_int_t)new_list->count, "added", (json_int_t)d->added_count,
            "removed", (json_int_t)d->removed_count, "changed", (json_int_t)d->changed_count,
            "unchanged", (json_int_t)d->unchanged_count);
        json_t *added = json_array(), *removed = json_array(), *changed = json_array();
        for (size_t i = 0; i < d->added_count; i++)
            json_array_append_new(added, json_pack("{s:s, s:s}", "id", d->added[i]->id, "name",
                                                   primary(d->added[i])));
        for (size_t i = 0; i < d->removed_count; i++)
            json_array_append_new(removed, json_pack("{s:s, s:s}", "id", d->removed[i]->id, "name",
                                                     primary(d->removed[i])));
        for (size_t i = 0; i < d->changed_count; i++) {
            json_t *fields = json_array();
            for (unsigned b = 0; b < TIMS_WL_F_COUNT; b++) {
                if (d->changed[i].fields & (1u << b))
                    json_array_append_new(fields, json_string(tims_wl_field_name(1u << b)));
            }
            json_array_append_new(
                changed, json_pack("{s:s, s:s, s:o}", "id", d->changed[i].new_entry->id, "name",
                                   primary(d->changed[i].new_entry), "fields", fields));
        }
        const char *ow = old_list->warning, *nw = new_list->warning;
        tims_buf both = {0};
        if (ow && nw && tims_buf_printf(&both, "%s; %s", ow, nw) != TIMS_OK)
            tims_buf_reset(&both);
        json_object_set_new(o, "warning", warning_json(both.len ? both.data : ow ? ow : nw));
        tims_buf_free(&both);
        json_object_set_new(o, "added_entries", added);
        json_object_set_new(o, "removed_entries", removed);
        json_object_set_new(o, "changed_entries", changed);
        rc = print_json(o);
        goto done;
    }
    printf("old %s (%s%s%zu entries), new %s (%s%s%zu entries)\n", a->pos[0], old_list->release,
           old_list->release[0] ? ", " : "", old_list->count, a->pos[1], new_list->release,
           new_list->release[0] ? ", " : "", new_list->count);
    printf("added %zu, removed %zu, changed %zu, unchanged %zu\n", d->added_count, d->removed_count,
           d->changed_count, d->unchanged_count);
    for (size_t i = 0; i < d->added_count; i++)
        printf("+ %-12s %s\n", d->added[i]->id, primary(d->added[i]));
    for (size_t i = 0; i < d->removed_count; i++)
        printf("- %-12s %s\n", d->removed[i]->id, primary(d->removed[i]));
    for (size_t i = 0; i < d->changed_count; i++) {
        printf("~ %-12s %s:", d->changed[i].new_entry->id, primary(d->changed[i].new_entry));
        for (unsigned b = 0; b < TIMS_WL_F_COUNT; b++) {
            if (d->changed[i].fields & (1u << b))
                printf(" %s", tims_wl_field_name(1u << b));
        }
        putchar('\n');
    }
done:
    tims_wl_diff_free(d);
    tims_wl_list_free(old_list);
    tims_wl_list_free(new_list);
    return rc;
}

/* ---- import, ls --------------------------------------------------------------------------- */

/* The default name under DIR/lists: the list's source, made a valid name. */
static void default_name(const char *source, char out[65])
{
    size_t n = 0;
    for (const char *p = source; *p && n < 64; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (n > 0 && (c == '.' || c == '_' || c == '-'));
        out[n] = ok ? c : (n > 0 ? '-' : 'l');
        n++;
    }
    out[n] = '\0';
    if (n == 0)
        strcpy(out, "list");
}

static int import(const list_args *a)
{
    if (!a->data)
        return cli_usage_error(&cli_cmd_list, "import needs --data DIR (the node's data folder)");
    if (a->npos != 1 || a->id || a->json)
        return cli_usage_error(&cli_cmd_list,
                               "import takes one FORMAT:PATH (and --name NAME, --allow-truncated)");
    char fmt[16], name[65];
    const char *path = NULL;
    int rc = split_source(a->pos[0], fmt, &path);
    if (rc != EX_OK)
        return rc;
    tims_diag d;
    tims_err err;
    int64_t start = cli_now_us();
    tims_wl_list *probe = NULL, *l = NULL;
    if (a->name) {
        snprintf(name, sizeof name, "%s", a->name);
    } else {
        if ((err = tims_wl_import(fmt, path, &probe, &d)) != TIMS_OK)
            return import_failed("nothing imported", err, &d);
        default_name(probe->source, name);
        start = cli_now_us();
    }
    unsigned flags = a->allow_truncated ? TIMS_WL_IMPORT_ALLOW_TRUNCATED : 0;
    err = tims_wl_install(a->data, name, fmt, path, flags, cli_now_us(), &l, &d);
    if (err == TIMS_EDATA && !a->allow_truncated) {
        /* is the cut-off last row all that is wrong? then say how to take the rest */
        tims_diag ignored;
        if (!probe && tims_wl_import(fmt, path, &probe, &ignored) != TIMS_OK)
            probe = NULL;
        if (probe && probe->dropped_rows) {
            rc = cli_error(EX_DATAERR,
                           "nothing imported: %s. The rows before it are complete: to store "
                           "them without the cut-off row, run again with --allow-truncated "
                           "(the manifest then records %zu dropped row%s)",
                           d.text, probe->dropped_rows, probe->dropped_rows == 1 ? "" : "s");
            tims_wl_list_free(probe);
            return rc;
        }
    }
    tims_wl_list_free(probe);
    if (err != TIMS_OK)
        return import_failed("nothing imported", err, &d);
    double secs = (double)(cli_now_us() - start) / 1e6;
    printf("imported %s into %s/lists/%s: %zu entries from %zu rows (source %s, release %s) in "
           "%.2f s\n",
           a->pos[0], a->data, name, l->count, l->rows, l->source,
           l->release[0] ? l->release : "not given", secs);
    if (l->warning)
        fprintf(stderr, "tims list: warning: %s\n", l->warning);
    tims_wl_list_free(l);
    return EX_OK;
}

static int ls(const list_args *a)
{
    if (!a->data || a->npos != 0 || a->id || a->name)
        return cli_usage_error(&cli_cmd_list, "ls takes --data DIR (and --json)");
    tims_wl_list **lists = NULL;
    size_t n = 0;
    tims_diag d;
    tims_err err = tims_wl_load_dir(a->data, &lists, &n, &d);
    if (err != TIMS_OK)
        return import_failed("cannot load the lists", err, &d);
    int rc = EX_OK;
    if (a->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, summary_json(lists[i]));
        rc = print_json(arr);
    } else {
        for (size_t i = 0; i < n; i++) {
            const tims_wl_list *l = lists[i];
            printf("%-16s %-10s %-12s %7zu entries  release %s", l->name, l->format, l->source,
                   l->count, l->release[0] ? l->release : "-");
            if (l->dropped_rows)
                printf("  (truncated file: %zu row%s dropped)", l->dropped_rows,
                       l->dropped_rows == 1 ? "" : "s");
            putchar('\n');
        }
        if (n == 0)
            printf("no lists in %s/lists\n", a->data);
    }
    tims_wl_lists_free(lists, n);
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cli_cmd_list, "say import, show, diff or ls");
    list_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EX_OK)
        return rc;
    const char *sub = argv[1];
    if (a.allow_truncated && strcmp(sub, "import") != 0)
        return cli_usage_error(&cli_cmd_list, "--allow-truncated is an option of import only");
    if (strcmp(sub, "import") == 0)
        return import(&a);
    if (strcmp(sub, "show") == 0)
        return show(&a);
    if (strcmp(sub, "diff") == 0)
        return diff(&a);
    if (strcmp(sub, "ls") == 0)
        return ls(&a);
    return cli_usage_error(&cli_cmd_list,
                           "'%s' is not a list command: say import, show, diff "
                           "or ls",
                           sub);
}

const cli_command cli_cmd_list = {
    .name = "list",
    .run = run,
    .summary = "import, show and compare watchlists",
    .usage =
        "usage: tims list import --data DIR FORMAT:PATH [--name NAME] [--allow-truncated]\n"
        "       tims list show FORMAT:PATH [--json] [--id ID]\n"
        "       tims list diff FORMAT:OLD FORMAT:NEW [--json]\n"
        "       tims list ls --data DIR [--json]\n"
        "\n"
        "FORMAT is one of:\n"
        "  ofac-csv   a folder with OFAC's sdn.csv, alt.csv, add.csv, sdn_comments.csv\n"
        "             (or the non-SDN cons_prim.csv, cons_alt.csv, ...)\n"
        "  un-xml     the UN Security Council consolidated list (XML)\n"
        "  csl-csv    the US Consolidated Screening List (CSV)\n"
        "  dpl-tsv    the BIS Denied Persons List (tab-separated)\n"
        "  tims-csv   a national list: wanted, entry bans, lost/stolen documents (docs/lists.md)\n"
        "\n"
        "import  checks the whole list, then stores a copy and a manifest in DIR/lists/NAME\n"
        "        (NAME defaults to the list's source, e.g. ofac-sdn), replacing the old copy\n"
        "        only when everything is written. DIR must exist. A file whose last row is\n"
        "        cut off (a truncated CSV) is refused; --allow-truncated stores it without\n"
        "        that row, and the manifest records the dropped row.\n"
        "show    summarises a list file (counts by type, names, dates, documents), or prints\n"
        "        one entry in full with --id.\n"
        "diff    lists entries added, removed and changed (with the fields) between releases.\n"
        "show and diff read a truncated CSV without its cut-off last row, with a warning\n"
        "(on stderr, and as \"warning\" in --json).\n"
        "ls      lists what DIR holds, checking each file against its manifest.\n"
        "\n"
        "Exit codes: 0 done, 64 usage, 65 bad list data, 66 missing input, 74 I/O error.\n",
};
