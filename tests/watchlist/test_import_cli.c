/* test_import_cli.c - `tims list import|show|diff|ls` run as the real binary, and the lists a
 * data folder holds (tims_wl_install, tims_wl_load_dir): atomic replacement, manifests with
 * BLAKE2b-256, tamper detection, and a diff of two OFAC releases checked against the files. */
#define _GNU_SOURCE /* vasprintf */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "testutil.h"
#include "tims/watchlist.h"

static const char *fixtures; /* tests/data */

typedef tu_dir_fixture fixture;

static char *fmt(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *s = NULL;
    assert_true(vasprintf(&s, format, ap) >= 0);
    va_end(ap);
    return s;
}

/* Run tims; returns the exit code, with stdout and stderr in out and err (caller frees). */
static int run(tims_buf *out, tims_buf *err, ...)
{
    const char *args[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *a = va_arg(ap, const char *); a && n < 15; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return tu_run(args, NULL, out, err);
}

static json_t *load_json(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("%s: %s", path, e.text);
    return j;
}

static void blake2b_hex(const char *path, char out[65])
{
    size_t len;
    char *bytes = tu_read_file(path, &len);
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)bytes, len, NULL, 0);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", h[i]);
    tims_free(bytes);
}

static int no_temporary_folders(const char *lists)
{
    DIR *d = opendir(lists);
    assert_non_null(d);
    struct dirent *e;
    int clean = 1;
    while ((e = readdir(d)) != NULL)
        clean &= strncmp(e->d_name, ".tmp-", 5) != 0 && strncmp(e->d_name, ".old-", 5) != 0;
    closedir(d);
    return clean;
}

/* ---- import --------------------------------------------------------------------------------- */

static void import_stores_the_files_and_a_manifest_with_their_blake2b(void **state)
{
    fixture *f = *state;
    char *src = tu_data_path("lists/ofac-sdn-2021-07");
    char *arg = fmt("ofac-csv:%s", src);
    tims_buf out = {0}, err = {0};
    assert_int_equal(run(&out, &err, "list", "import", "--data", f->dir, arg, NULL), EX_OK);
    assert_non_null(strstr(out.data, "8976 entries"));
    char *manifest = fmt("%s/lists/ofac-sdn/manifest.json", f->dir);
    json_t *m = load_json(manifest);
    assert_string_equal(json_string_value(json_object_get(m, "format")), "ofac-csv");
    assert_string_equal(json_string_value(json_object_get(m, "source")), "ofac-sdn");
    assert_int_equal(json_integer_value(json_object_get(m, "entries")), 8976);
    json_t *files = json_object_get(m, "files");
    assert_int_equal(json_array_size(files), 4);
    size_t i;
    json_t *file;
    json_array_foreach(files, i, file)
    {
        const char *name = json_string_value(json_object_get(file, "name"));
        char *orig = fmt("%s/%s", src, name), *copy = fmt("%s/lists/ofac-sdn/%s", f->dir, name);
        char want[65];
        blake2b_hex(orig, want);
        assert_string_equal(json_string_value(json_object_get(file, "blake2b_256")), want);
        size_t a, b;
        char *x = tu_read_file(orig, &a), *y = tu_read_file(copy, &b);
        assert_int_equal(a, b);
        assert_memory_equal(x, y, a);
        assert_int_equal(json_integer_value(json_object_get(file, "bytes")), (json_int_t)a);
        tims_free(x);
        tims_free(y);
        free(orig);
        free(copy);
    }
    json_decref(m);
    char *lists = fmt("%s/lists", f->dir);
    assert_true(no_temporary_folders(lists));
    free(lists);
    free(manifest);
    free(arg);
    tims_free(src);
    tims_buf_free(&out);
    tims_buf_free(&err);
}

static void failed_import_leaves_the_stored_list_unchanged(void **state)
{
    fixture *f = *state;
    char *src = tu_data_path("lists/un-sc-2026-02/UN_consolidated.xml");
    char *arg = fmt("un-xml:%s", src);
    assert_int_equal(run(NULL, NULL, "list", "import", "--data", f->dir, arg, NULL), EX_OK);
    char *manifest = fmt("%s/lists/un/manifest.json", f->dir);
    size_t len;
    char *before = tu_read_file(manifest, &len);

    /* the same list cut in half, under the same name */
    size_t all;
    char *text = tu_read_file(src, &all);
    char *bad = fmt("%s/half.xml", f->dir);
    FILE *out = fopen(bad, "wb");
    fwrite(text, 1, all / 2, out);
    fclose(out);
    char *bad_arg = fmt("un-xml:%s", bad);
    tims_buf err = {0};
    assert_int_equal(
        run(NULL, &err, "list", "import", "--data", f->dir, "--name", "un", bad_arg, NULL),
        EX_DATAERR);
    assert_non_null(strstr(err.data, bad)); /* names the operator's file, not the copy */
    assert_non_null(strstr(err.data, "truncated"));
    size_t len2;
    char *after = tu_read_file(manifest, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(before, after, len);
    char *lists = fmt("%s/lists", f->dir);
    assert_true(no_temporary_folders(lists));

    /* a valid replacement takes the place of the old one */
    char *small = fmt("%s/small.xml", f->dir);
    out = fopen(small, "wb");
    fputs("<CONSOLIDATED_LIST dateGenerated=\"2026-03-01\"><INDIVIDUALS><INDIVIDUAL><DATAID>1"
          "</DATAID><FIRST_NAME>A</FIRST_NAME><SECOND_NAME>B</SECOND_NAME></INDIVIDUAL>"
          "</INDIVIDUALS></CONSOLIDATED_LIST>",
          out);
    fclose(out);
    char *small_arg = fmt("un-xml:%s", small);
    assert_int_equal(
        run(NULL, NULL, "list", "import", "--data", f->dir, "--name", "un", small_arg, NULL),
        EX_OK);
    json_t *m = load_json(manifest);
    assert_int_equal(json_integer_value(json_object_get(m, "entries")), 1);
    assert_string_equal(json_string_value(json_object_get(m, "release")), "2026-03-01");
    json_decref(m);
    assert_true(no_temporary_folders(lists));
    free(small);
    free(small_arg);
    free(lists);
    tims_free(before);
    tims_free(after);
    tims_free(text);
    free(bad);
    free(bad_arg);
    free(manifest);
    free(arg);
    tims_free(src);
    tims_buf_free(&err);
}

static void import_needs_an_existing_data_folder_and_a_valid_name(void **state)
{
    fixture *f = *state;
    char *src = tu_data_path("lists/us-bis-dpl-2022-09/dpl.txt");
    char *arg = fmt("dpl-tsv:%s", src);
    char *missing = fmt("%s/nope", f->dir);
    tims_buf err = {0};
    assert_int_equal(run(NULL, &err, "list", "import", "--data", missing, arg, NULL), EX_NOINPUT);
    assert_non_null(strstr(err.data, "does not exist"));
    struct stat st;
    assert_int_not_equal(stat(missing, &st), 0); /* nothing created */
    assert_int_equal(
        run(NULL, NULL, "list", "import", "--data", f->dir, "--name", "../x", arg, NULL), EX_USAGE);
    assert_int_equal(run(NULL, NULL, "list", "import", arg, NULL), EX_USAGE);
    assert_int_equal(run(NULL, NULL, "list", "import", "--data", f->dir, "dpl.txt", NULL),
                     EX_USAGE);
    assert_int_equal(run(NULL, NULL, "list", "import", "--data", f->dir, "xml:dpl.txt", NULL),
                     EX_USAGE);
    assert_int_equal(run(NULL, NULL, "list", "frobnicate", NULL), EX_USAGE);
    char *nofile = fmt("dpl-tsv:%s/none.txt", f->dir);
    assert_int_equal(run(NULL, NULL, "list", "import", "--data", f->dir, nofile, NULL), EX_NOINPUT);
    free(nofile);
    free(missing);
    free(arg);
    tims_free(src);
    tims_buf_free(&err);
}

static void import_refuses_a_truncated_file_unless_allow_truncated_is_given(void **state)
{
    fixture *f = *state;
    char *src = tu_data_path("lists/us-csl-2023-11/csl.csv");
    char *arg = fmt("csl-csv:%s", src);
    char *lists = fmt("%s/lists", f->dir), *stored = fmt("%s/lists/csl", f->dir);
    tims_buf out = {0}, err = {0};
    assert_int_equal(run(NULL, &err, "list", "import", "--data", f->dir, arg, NULL), EX_DATAERR);
    assert_non_null(strstr(err.data, "nothing imported"));
    assert_non_null(strstr(err.data, "line 4233"));
    assert_non_null(strstr(err.data, "--allow-truncated"));
    struct stat st;
    assert_int_not_equal(stat(stored, &st), 0);
    assert_true(no_temporary_folders(lists));
    tims_buf_reset(&err); /* the same with --name, where no probe ran before the store */
    assert_int_equal(
        run(NULL, &err, "list", "import", "--data", f->dir, "--name", "csl", arg, NULL),
        EX_DATAERR);
    assert_non_null(strstr(err.data, "--allow-truncated"));
    assert_int_not_equal(stat(stored, &st), 0);

    tims_buf_reset(&err);
    assert_int_equal(
        run(&out, &err, "list", "import", "--data", f->dir, arg, "--allow-truncated", NULL), EX_OK);
    assert_non_null(strstr(out.data, "4226 entries"));
    assert_non_null(strstr(err.data, "warning"));
    assert_non_null(strstr(err.data, "1 dropped"));
    char *manifest = fmt("%s/manifest.json", stored);
    json_t *m = load_json(manifest);
    assert_int_equal(json_integer_value(json_object_get(m, "entries")), 4226);
    assert_int_equal(json_integer_value(json_object_get(m, "rows")), 4226);
    assert_int_equal(json_integer_value(json_object_get(m, "dropped_rows")), 1);
    const char *warning = json_string_value(json_object_get(m, "warning"));
    assert_non_null(warning);
    assert_non_null(strstr(warning, src)); /* the operator's file, not the copy */
    assert_non_null(strstr(warning, "line 4233"));
    json_decref(m);

    /* the stored list loads with its warning; ls says a row was dropped */
    tims_wl_list **loaded = NULL;
    size_t n = 0;
    tims_diag d;
    assert_int_equal(tims_wl_load_dir(f->dir, &loaded, &n, &d), TIMS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(loaded[0]->count, 4226);
    assert_int_equal(loaded[0]->dropped_rows, 1);
    assert_non_null(loaded[0]->warning);
    tims_wl_lists_free(loaded, n);
    tims_buf_reset(&out);
    assert_int_equal(run(&out, NULL, "list", "ls", "--data", f->dir, NULL), EX_OK);
    assert_non_null(strstr(out.data, "1 row dropped"));

    /* a manifest edited to hide the dropped row makes the list fail to load, loudly */
    size_t len;
    char *text = tu_read_file(manifest, &len);
    char *at = strstr(text, "\"dropped_rows\": 1");
    assert_non_null(at);
    at[strlen("\"dropped_rows\": ")] = '0';
    FILE *o = fopen(manifest, "wb");
    fwrite(text, 1, len, o);
    fclose(o);
    assert_int_equal(tims_wl_load_dir(f->dir, &loaded, &n, &d), TIMS_EDATA);
    assert_non_null(strstr(d.text, "truncated"));
    assert_null(loaded);
    tims_free(text);
    free(manifest);
    free(lists);
    free(stored);
    free(arg);
    tims_free(src);
    tims_buf_free(&out);
    tims_buf_free(&err);
}

static void install_is_strict_unless_the_caller_allows_a_truncated_file(void **state)
{
    fixture *f = *state;
    char *cut = fmt("%s/cut.csv", f->dir);
    FILE *o = fopen(cut, "wb");
    fputs("id,category,name\nA,wanted,Ann ONE\nB,wan", o); /* the last row is short */
    fclose(o);
    tims_wl_list *l = NULL;
    tims_diag d;
    assert_int_equal(tims_wl_install(f->dir, "national", "tims-csv", cut, 0, 0, &l, &d),
                     TIMS_EDATA);
    assert_null(l);
    assert_non_null(strstr(d.text, cut)); /* names the operator's file */
    assert_non_null(strstr(d.text, "line 3: the last row is cut off after 2 of 3 fields"));
    assert_int_equal(
        tims_wl_install(f->dir, "national", "tims-csv", cut, TIMS_WL_IMPORT_STRICT, 0, &l, &d),
        TIMS_EDATA);
    assert_int_equal(tims_wl_install(f->dir, "national", "tims-csv", cut,
                                     TIMS_WL_IMPORT_STRICT | TIMS_WL_IMPORT_ALLOW_TRUNCATED, 0, &l,
                                     &d),
                     TIMS_EINVAL);
    assert_int_equal(tims_wl_install(f->dir, "national", "tims-csv", cut,
                                     TIMS_WL_IMPORT_ALLOW_TRUNCATED, 0, &l, &d),
                     TIMS_OK);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->dropped_rows, 1);
    assert_non_null(strstr(l->warning, cut));
    tims_wl_list_free(l);
    free(cut);
}

/* ---- a data folder's lists ------------------------------------------------------------------ */

static void load_dir_returns_every_stored_list_in_name_order(void **state)
{
    fixture *f = *state;
    tims_wl_list **lists = NULL;
    size_t n = 99;
    tims_diag d;
    assert_int_equal(tims_wl_load_dir(f->dir, &lists, &n, &d), TIMS_OK); /* no lists yet */
    assert_int_equal(n, 0);
    char *dpl = tu_data_path("lists/us-bis-dpl-2022-09/dpl.txt");
    char *wanted = fmt("%s/tims-wanted.csv", fixtures);
    tims_wl_list *l = NULL;
    assert_int_equal(tims_wl_install(f->dir, "national", "tims-csv", wanted, 0, 0, &l, &d),
                     TIMS_OK);
    assert_int_equal(l->count, 4);
    tims_wl_list_free(l);
    assert_int_equal(tims_wl_install(f->dir, "dpl", "dpl-tsv", dpl, 0, 0, NULL, &d), TIMS_OK);
    assert_int_equal(tims_wl_load_dir(f->dir, &lists, &n, &d), TIMS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(lists[0]->name, "dpl");
    assert_int_equal(lists[0]->rows, 581);
    assert_string_equal(lists[1]->name, "national");
    assert_string_equal(lists[1]->source, "xx-national");
    assert_non_null(tims_wl_find(lists[1], "W-2026-0001"));
    tims_wl_lists_free(lists, n);
    char *missing = fmt("%s/nope", f->dir);
    assert_int_equal(tims_wl_load_dir(missing, &lists, &n, &d), TIMS_ENOENT);
    tims_buf out = {0};
    assert_int_equal(run(&out, NULL, "list", "ls", "--data", f->dir, NULL), EX_OK);
    assert_non_null(strstr(out.data, "dpl "));
    assert_non_null(strstr(out.data, "national "));
    tims_buf_free(&out);
    free(missing);
    free(wanted);
    tims_free(dpl);
}

static void load_dir_refuses_a_changed_or_added_file(void **state)
{
    fixture *f = *state;
    char *wanted = fmt("%s/tims-wanted.csv", fixtures);
    tims_diag d;
    assert_int_equal(tims_wl_install(f->dir, "national", "tims-csv", wanted, 0, 0, NULL, &d),
                     TIMS_OK);
    char *stored = fmt("%s/lists/national/list.csv", f->dir);
    FILE *out = fopen(stored, "ab");
    fputs("W-2026-0009,wanted,person,Extra PERSON,,,,,,,,\n", out);
    fclose(out);
    tims_wl_list **lists = NULL;
    size_t n = 0;
    assert_int_equal(tims_wl_load_dir(f->dir, &lists, &n, &d), TIMS_ETAMPER);
    assert_non_null(strstr(d.text, "does not match its manifest"));
    assert_null(lists);
    tims_buf err = {0};
    assert_int_equal(run(NULL, &err, "list", "ls", "--data", f->dir, NULL), EX_DATAERR);
    assert_non_null(strstr(err.data, "list.csv"));

    /* re-importing repairs it; a stray file is refused too */
    assert_int_equal(tims_wl_install(f->dir, "national", "tims-csv", wanted, 0, 0, NULL, &d),
                     TIMS_OK);
    assert_int_equal(tims_wl_load_dir(f->dir, &lists, &n, &d), TIMS_OK);
    tims_wl_lists_free(lists, n);
    char *stray = fmt("%s/lists/national/alt.csv", f->dir);
    out = fopen(stray, "wb");
    fclose(out);
    assert_int_equal(tims_wl_load_dir(f->dir, &lists, &n, &d), TIMS_ETAMPER);
    assert_non_null(strstr(d.text, "not in the manifest"));
    free(stray);
    free(stored);
    free(wanted);
    tims_buf_free(&err);
}

/* ---- show ------------------------------------------------------------------------------------ */

static void show_summarises_a_list_as_json(void **state)
{
    (void)state;
    char *src = tu_data_path("lists/un-sc-2026-02/UN_consolidated.xml");
    char *arg = fmt("un-xml:%s", src);
    tims_buf out = {0};
    assert_int_equal(run(&out, NULL, "list", "show", "--json", arg, NULL), EX_OK);
    json_error_t e;
    json_t *j = json_loads(out.data, 0, &e);
    assert_non_null(j);
    json_t *types = json_object_get(j, "types");
    assert_int_equal(json_integer_value(json_object_get(types, "person")), 730);
    assert_int_equal(json_integer_value(json_object_get(types, "entity")), 273);
    assert_string_equal(json_string_value(json_object_get(j, "release")),
                        "2026-02-27T00:00:09.554Z");
    json_t *births = json_object_get(j, "births");
    assert_true(json_integer_value(json_object_get(births, "ranges")) > 0);
    json_decref(j);
    tims_buf_free(&out);
    free(arg);
    tims_free(src);
}

static void show_prints_one_entry_in_full(void **state)
{
    (void)state;
    char *src = tu_data_path("lists/un-sc-2026-02/UN_consolidated.xml");
    char *arg = fmt("un-xml:%s", src);
    tims_buf out = {0}, err = {0};
    assert_int_equal(run(&out, NULL, "list", "show", arg, "--id", "TAi.144", NULL), EX_OK);
    assert_non_null(strstr(out.data, "SIRAJUDDIN JALLALOUDINE HAQQANI"));
    assert_non_null(strstr(out.data, "1977..1978"));
    assert_non_null(strstr(out.data, "Khalifa  [alias, weak]"));
    tims_buf_reset(&out);
    assert_int_equal(run(&out, NULL, "list", "show", "--json", "--id", "QDi.006", arg, NULL),
                     EX_OK);
    json_t *j = json_loads(out.data, 0, NULL);
    assert_non_null(j);
    json_t *doc = json_array_get(json_object_get(j, "documents"), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "number")), "1084010");
    assert_string_equal(json_string_value(json_object_get(doc, "country")), "EGY");
    json_decref(j);
    assert_int_equal(run(NULL, &err, "list", "show", arg, "--id", "XXi.999", NULL), EX_DATAERR);
    assert_non_null(strstr(err.data, "XXi.999"));
    tims_buf_free(&out);
    tims_buf_free(&err);
    free(arg);
    tims_free(src);
}

/* ---- diff: computed again here from the CSV lines ------------------------------------------- */

typedef struct ofac_rec {
    unsigned long ent;
    char *line;      /* the sdn.csv line, trailing blanks and CR removed */
    char *name;      /* SDN_Name */
    tims_buf others; /* its alt.csv and add.csv rows without their row numbers, sorted */
} ofac_rec;

typedef struct ofac_set {
    ofac_rec *recs;
    size_t count;
} ofac_set;

/* Field i of a CSV line (quotes removed, blanks trimmed) into out. */
static void csv_field(const char *line, int want, char *out, size_t size)
{
    int field = 0, quoted = 0;
    size_t n = 0;
    for (const char *p = line; *p; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"')
                p++;
            else if (*p == '"') {
                quoted = 0;
                continue;
            }
        } else if (*p == '"') {
            quoted = 1;
            continue;
        } else if (*p == ',') {
            field++;
            continue;
        }
        if (field == want && n + 1 < size)
            out[n++] = *p;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static int compare_rec(const void *a, const void *b)
{
    unsigned long x = ((const ofac_rec *)a)->ent, y = ((const ofac_rec *)b)->ent;
    return x < y ? -1 : x > y;
}

static ofac_rec *find_rec(const ofac_set *s, unsigned long ent)
{
    ofac_rec key = {.ent = ent};
    return bsearch(&key, s->recs, s->count, sizeof key, compare_rec);
}

static char **lines_of(const char *rel, size_t *count)
{
    char *path = tu_data_path(rel);
    size_t len;
    char *text = tu_read_file(path, &len);
    char **lines = NULL;
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t k = strlen(l);
        while (k > 0 && (l[k - 1] == '\r' || l[k - 1] == ' '))
            l[--k] = '\0';
        if (!(l[0] >= '0' && l[0] <= '9'))
            continue; /* the 0x1A line */
        lines = realloc(lines, (n + 1) * sizeof *lines);
        lines[n++] = strdup(l);
    }
    tims_free(text);
    tims_free(path);
    *count = n;
    return lines;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_set(const char *folder, ofac_set *s)
{
    char rel[256];
    snprintf(rel, sizeof rel, "%s/sdn.csv", folder);
    size_t n;
    char **lines = lines_of(rel, &n);
    s->recs = calloc(n, sizeof *s->recs);
    s->count = n;
    for (size_t i = 0; i < n; i++) {
        s->recs[i].ent = strtoul(lines[i], NULL, 10);
        s->recs[i].line = lines[i];
        char name[512];
        csv_field(lines[i], 1, name, sizeof name);
        s->recs[i].name = strdup(name);
    }
    free(lines);
    qsort(s->recs, s->count, sizeof *s->recs, compare_rec);
    static const char *const aux[] = {"alt.csv", "add.csv"};
    for (int a = 0; a < 2; a++) {
        snprintf(rel, sizeof rel, "%s/%s", folder, aux[a]);
        char **rows = lines_of(rel, &n);
        for (size_t i = 0; i < n; i++) {
            /* drop the row number (field 1) and trim every field */
            char norm[2048] = "", field[1024];
            for (int k = 2; k < (a == 0 ? 5 : 6); k++) {
                csv_field(rows[i], k, field, sizeof field);
                strncat(norm, field, sizeof norm - strlen(norm) - 2);
                strcat(norm, "|");
            }
            free(rows[i]);
            rows[i] = strdup(norm);
            /* keep the entry number in front for grouping */
        }
        char **ents = lines_of(rel, &n);
        char **keyed = calloc(n, sizeof *keyed);
        for (size_t i = 0; i < n; i++) {
            keyed[i] = fmt("%010lu %s%s", strtoul(ents[i], NULL, 10), aux[a], rows[i]);
            free(ents[i]);
            free(rows[i]);
        }
        free(ents);
        free(rows);
        qsort(keyed, n, sizeof *keyed, compare_str);
        for (size_t i = 0; i < n; i++) {
            ofac_rec *r = find_rec(s, strtoul(keyed[i], NULL, 10));
            assert_non_null(r);
            assert_int_equal(tims_buf_puts(&r->others, keyed[i] + 11), TIMS_OK);
            assert_int_equal(tims_buf_putc(&r->others, '\n'), TIMS_OK);
            free(keyed[i]);
        }
        free(keyed);
    }
}

static void free_set(ofac_set *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->recs[i].line);
        free(s->recs[i].name);
        tims_buf_free(&s->recs[i].others);
    }
    free(s->recs);
}

static int in_ids(json_t *arr, const char *id, json_t **item)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0) {
            if (item)
                *item = x;
            return 1;
        }
    }
    return 0;
}

static int has_field(json_t *item, const char *field)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(item, "fields"), i, x)
    {
        if (strcmp(json_string_value(x), field) == 0)
            return 1;
    }
    return 0;
}

static void diff_of_two_ofac_releases_matches_the_files(void **state)
{
    (void)state;
    char *old_path = tu_data_path("lists/ofac-sdn-2019-01");
    char *new_path = tu_data_path("lists/ofac-sdn-2021-07");
    char *a = fmt("ofac-csv:%s", old_path), *b = fmt("ofac-csv:%s", new_path);
    tims_buf out = {0};
    assert_int_equal(run(&out, NULL, "list", "diff", "--json", a, b, NULL), EX_OK);
    json_t *j = json_loads(out.data, 0, NULL);
    assert_non_null(j);
    json_t *added = json_object_get(j, "added_entries"),
           *removed = json_object_get(j, "removed_entries"),
           *changed = json_object_get(j, "changed_entries");

    ofac_set olds = {0}, news = {0};
    load_set("lists/ofac-sdn-2019-01", &olds);
    load_set("lists/ofac-sdn-2021-07", &news);
    size_t n_added = 0, n_removed = 0, n_common = 0, renamed = 0, same = 0;
    char id[32];
    for (size_t i = 0; i < news.count; i++) {
        snprintf(id, sizeof id, "%lu", news.recs[i].ent);
        ofac_rec *o = find_rec(&olds, news.recs[i].ent);
        if (!o) {
            n_added++;
            assert_true(in_ids(added, id, NULL));
            continue;
        }
        n_common++;
        json_t *item = NULL;
        int is_changed = in_ids(changed, id, &item);
        if (strcmp(o->name, news.recs[i].name) != 0) {
            renamed++;
            assert_true(is_changed);
            assert_true(has_field(item, "names"));
        }
        const char *ob = o->others.data ? o->others.data : "";
        const char *nb = news.recs[i].others.data ? news.recs[i].others.data : "";
        /* the five entries continued in 2021's sdn_comments.csv can differ by their remarks */
        int commented = news.recs[i].ent == 12300 || news.recs[i].ent == 28263 ||
                        news.recs[i].ent == 28264 || news.recs[i].ent == 29703 ||
                        news.recs[i].ent == 30518;
        if (!commented && strcmp(o->line, news.recs[i].line) == 0 && strcmp(ob, nb) == 0) {
            same++;
            assert_false(is_changed);
        }
    }
    for (size_t i = 0; i < olds.count; i++) {
        snprintf(id, sizeof id, "%lu", olds.recs[i].ent);
        if (!find_rec(&news, olds.recs[i].ent)) {
            n_removed++;
            assert_true(in_ids(removed, id, NULL));
        }
    }
    assert_int_equal(json_array_size(added), n_added);
    assert_int_equal(json_array_size(removed), n_removed);
    assert_int_equal(json_integer_value(json_object_get(j, "changed")) +
                         json_integer_value(json_object_get(j, "unchanged")),
                     n_common);
    assert_true(n_added > 0 && n_removed > 0 && renamed > 0 && same > 0);
    assert_true(json_array_size(changed) <= n_common - same);

    json_decref(j);
    free_set(&olds);
    free_set(&news);
    tims_buf_free(&out);
    free(a);
    free(b);
    tims_free(old_path);
    tims_free(new_path);
}

static void show_and_diff_read_a_truncated_file_with_a_warning(void **state)
{
    fixture *f = *state;
    char *one = fmt("%s/one.csv", f->dir), *two = fmt("%s/two.csv", f->dir);
    FILE *o = fopen(one, "w");
    fputs("id,category,name\nA,wanted,Ann ONE\nB,wanted,Bob TWO\n", o);
    fclose(o);
    o = fopen(two, "w");
    fputs("id,category,name\nA,wanted,Ann ONE\nB,wanted,\"Bob T", o);
    fclose(o);
    char *a = fmt("tims-csv:%s", one), *b = fmt("tims-csv:%s", two);
    tims_buf out = {0}, err = {0};
    assert_int_equal(run(NULL, NULL, "list", "show", "--allow-truncated", b, NULL), EX_USAGE);
    assert_int_equal(run(&out, &err, "list", "show", b, NULL), EX_OK);
    assert_non_null(strstr(out.data, "entries       1:"));
    assert_non_null(strstr(err.data, "warning: "));
    assert_non_null(strstr(err.data, "two.csv line 3: the last row is cut off"));
    tims_buf_reset(&out);
    assert_int_equal(run(&out, NULL, "list", "show", "--json", b, NULL), EX_OK);
    json_error_t e;
    json_t *j = json_loads(out.data, 0, &e);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "dropped_rows")), 1);
    assert_non_null(strstr(json_string_value(json_object_get(j, "warning")), "two.csv line 3"));
    json_decref(j);
    tims_buf_reset(&out);
    tims_buf_reset(&err);
    assert_int_equal(run(&out, &err, "list", "diff", a, b, NULL), EX_OK);
    assert_non_null(strstr(out.data, "- B "));
    assert_non_null(strstr(err.data, "two.csv line 3"));
    tims_buf_reset(&out);
    assert_int_equal(run(&out, NULL, "list", "diff", "--json", a, b, NULL), EX_OK);
    j = json_loads(out.data, 0, &e);
    assert_non_null(j);
    assert_non_null(strstr(json_string_value(json_object_get(j, "warning")), "two.csv line 3"));
    json_decref(j);
    tims_buf_reset(&out); /* two whole files: the warning is null */
    assert_int_equal(run(&out, NULL, "list", "diff", "--json", a, a, NULL), EX_OK);
    j = json_loads(out.data, 0, &e);
    assert_true(json_is_null(json_object_get(j, "warning")));
    json_decref(j);
    tims_buf_free(&out);
    tims_buf_free(&err);
    free(one);
    free(two);
    free(a);
    free(b);
}

static void diff_text_marks_added_removed_and_changed(void **state)
{
    fixture *f = *state;
    char *one = fmt("%s/one.csv", f->dir), *two = fmt("%s/two.csv", f->dir);
    FILE *o = fopen(one, "w");
    fputs("id,category,name,birth_dates\nA,wanted,Ann ONE,1970\nB,wanted,Bob TWO,1971\n", o);
    fclose(o);
    o = fopen(two, "w");
    fputs("id,category,name,birth_dates\nB,wanted,Bob TWO,1972\nC,entry_ban,Cy THREE,\n", o);
    fclose(o);
    char *a = fmt("tims-csv:%s", one), *b = fmt("tims-csv:%s", two);
    tims_buf out = {0};
    assert_int_equal(run(&out, NULL, "list", "diff", a, b, NULL), EX_OK);
    assert_non_null(strstr(out.data, "added 1, removed 1, changed 1, unchanged 0"));
    assert_non_null(strstr(out.data, "+ C "));
    assert_non_null(strstr(out.data, "- A "));
    assert_non_null(strstr(out.data, "~ B            Bob TWO: births\n"));
    tims_buf_free(&out);
    free(one);
    free(two);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    fixtures = argc > 1 ? argv[1] : "tests/data";
    if (sodium_init() < 0)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, tu_dir_setup, tu_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(import_stores_the_files_and_a_manifest_with_their_blake2b),
        T(failed_import_leaves_the_stored_list_unchanged),
        T(import_needs_an_existing_data_folder_and_a_valid_name),
        T(import_refuses_a_truncated_file_unless_allow_truncated_is_given),
        T(install_is_strict_unless_the_caller_allows_a_truncated_file),
        T(load_dir_returns_every_stored_list_in_name_order),
        T(load_dir_refuses_a_changed_or_added_file),
        T(show_summarises_a_list_as_json),
        T(show_prints_one_entry_in_full),
        T(diff_of_two_ofac_releases_matches_the_files),
        T(diff_text_marks_added_removed_and_changed),
        T(show_and_diff_read_a_truncated_file_with_a_warning),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
