/* import_ofac.c - the OFAC legacy CSV set (format "ofac-csv"): a folder holding sdn.csv,
 * alt.csv, add.csv and sdn_comments.csv (the SDN list), or cons_prim.csv, cons_alt.csv,
 * cons_add.csv and cons_comments.csv (the consolidated non-SDN list).
 *
 * The files have no header row; "-0- " is null; each may end with one 0x1A byte (DOS end of
 * file), which is dropped; a 0x1A anywhere else is an error. Only the primary file is required.
 * The Remarks field carries most of what matters for a border (dates and places of birth,
 * nationality, gender, passports and ID cards, a.k.a.s) as free text; it is cut at about 1,000
 * characters and continues in the comments file, which is joined back before parsing. The
 * a.k.a.s in Remarks are OFAC's weak aliases. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "watchlist/list_int.h"

enum { F_PRIMARY, F_ALT, F_ADD, F_COMMENTS };

static const char *const sdn_files[4] = {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"};
static const char *const cons_files[4] = {"cons_prim.csv", "cons_alt.csv", "cons_add.csv",
                                          "cons_comments.csv"};
static const size_t field_counts[4] = {12, 5, 6, 2};

static int file_exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    return (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path &&
           stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int tims__ofac_files(const char *dir, const char *names[4], tims_diag *diag)
{
    struct stat st;
    if (strlen(dir) > 4000)
        return tims_diag_set(diag, TIMS_ERANGE, "the folder name %.60s... is too long", dir);
    if (stat(dir, &st) != 0)
        return tims_diag_set(diag, errno == ENOENT ? TIMS_ENOENT : TIMS_EIO,
                             "cannot open the OFAC folder %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return tims_diag_set(diag, TIMS_EINVAL,
                             "%s is not a folder; ofac-csv reads the folder that holds sdn.csv, "
                             "alt.csv, add.csv and sdn_comments.csv",
                             dir);
    int sdn = file_exists(dir, sdn_files[F_PRIMARY]);
    int cons = file_exists(dir, cons_files[F_PRIMARY]);
    if (sdn && cons)
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s holds both the SDN set (sdn.csv) and the non-SDN set "
                             "(cons_prim.csv); import each from its own folder",
                             dir);
    if (!sdn && !cons) {
        int parts = file_exists(dir, "alt.csv") || file_exists(dir, "add.csv") ||
                    file_exists(dir, "sdn_comments.csv");
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s has no sdn.csv (nor cons_prim.csv)%s; the entries are in that "
                             "file, so add it to the folder",
                             dir,
                             parts ? ": alt.csv, add.csv and sdn_comments.csv only add aliases, "
                                     "addresses and remarks to its entries"
                                   : "");
    }
    const char *const *set = sdn ? sdn_files : cons_files;
    int n = 0;
    for (int i = 0; i < 4; i++) {
        names[i] = file_exists(dir, set[i]) ? set[i] : NULL;
        n += names[i] != NULL;
    }
    return n;
}

/* ---- one file --------------------------------------------------------------------------- */

typedef struct ofac_file {
    char *path; /* for messages: dir/name */
    tims_buf data;
    wl_csv csv;
} ofac_file;

/* Read, drop one trailing 0x1A, refuse any other, check UTF-8. A file that ends with the
 * 0x1A was written to its end, so only a file without one may have a cut-off last record. */
static tims_err load(ofac_file *f, const char *dir, const char *name, size_t fields, unsigned flags,
                     tims_diag *diag)
{
    tims_buf path = {0};
    tims_err err = tims_buf_printf(&path, "%s/%s", dir, name);
    if (err != TIMS_OK)
        return err;
    f->path = tims_buf_steal(&path);
    if (!f->path)
        return TIMS_ENOMEM;
    if ((err = tims__read_file(f->path, &f->data, diag)) != TIMS_OK)
        return err;
    int end_mark = f->data.data[f->data.len - 1] == 0x1A;
    if (end_mark)
        f->data.data[--f->data.len] = '\0';
    const char *sub = memchr(f->data.data, 0x1A, f->data.len);
    if (sub) {
        unsigned line = 1;
        for (const char *q = f->data.data; q < sub; q++)
            line += *q == '\n';
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s line %u: a 0x1A (end-of-file) byte before the end of the "
                             "file; only the very last byte may be 0x1A, so the file was "
                             "damaged or joined",
                             f->path, line);
    }
    if ((err = tims__check_utf8(f->path, f->data.data, f->data.len, diag)) != TIMS_OK)
        return err;
    tims__csv_init(&f->csv, f->path, f->data.data, f->data.len, ',');
    if (!end_mark) {
        f->csv.tail = tims__csv_tail(flags);
        f->csv.want = fields;
    }
    return TIMS_OK;
}

static void unload(ofac_file *f)
{
    tims_free(f->path);
    tims_buf_free(&f->data);
    tims__csv_free(&f->csv);
}

/* The value of a field with "-0-" (null) and surrounding blanks removed. */
static const char *value(const char *s, size_t *len)
{
    size_t n = strlen(s);
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 3 && memcmp(s, "-0-", 3) == 0)
        n = 0;
    *len = n;
    return s;
}

static tims_err ent_num(const ofac_file *f, const char *field, const char *what, uint32_t *out,
                        tims_diag *diag)
{
    size_t n;
    const char *s = value(field, &n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > UINT32_MAX / 10)
            goto bad;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (n == 0 || v == 0 || v > UINT32_MAX)
        goto bad;
    *out = (uint32_t)v;
    return TIMS_OK;
bad:
    return tims_diag_set(diag, TIMS_EDATA,
                         "%s line %u, field %s: expected a positive entry number, found '%.40s'",
                         f->path, f->csv.rec_line, what, field);
}

/* ---- aliases, addresses and comments, grouped by entry --------------------------------- */

typedef struct aux_row {
    uint32_t ent;
    unsigned line;
    unsigned order;
    int used;
    const char *a, *b, *c; /* alt: type, name, remarks; add: text, country, -; comments: text */
} aux_row;

typedef struct aux_set {
    aux_row *rows;
    size_t count, cap;
} aux_set;

static int compare_aux(const void *x, const void *y)
{
    const aux_row *a = x, *b = y;
    if (a->ent != b->ent)
        return a->ent < b->ent ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static tims_err aux_push(aux_set *s, const aux_row *r)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        aux_row *rows = tims_realloc(s->rows, cap * sizeof *rows);
        if (!rows)
            return TIMS_ENOMEM;
        s->rows = rows;
        s->cap = cap;
    }
    s->rows[s->count++] = *r;
    return TIMS_OK;
}

/* The rows of one entry: [*first, *first + return value). */
static size_t aux_find(const aux_set *s, uint32_t ent, size_t *first)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->rows[mid].ent < ent)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < s->count && s->rows[end].ent == ent)
        end++;
    *first = lo;
    return end - lo;
}

static const char *keep(tims_wl_arena *a, const char *s, size_t len)
{
    return tims__arena_strndup(a, s, len);
}

/* Read an auxiliary file into s; strings go to the scratch arena. */
static tims_err read_aux(ofac_file *f, int kind, aux_set *s, tims_wl_arena *scratch,
                         tims_diag *diag)
{
    int r;
    while ((r = tims__csv_next(&f->csv, diag)) == 1) {
        tims_err err = tims__csv_expect(&f->csv, field_counts[kind], diag);
        if (err != TIMS_OK)
            return err;
        aux_row row = {.line = f->csv.rec_line, .order = (unsigned)s->count};
        if ((err = ent_num(f, tims__csv_field(&f->csv, 0), "ent_num", &row.ent, diag)) != TIMS_OK)
            return err;
        size_t n;
        const char *v;
        if (kind == F_ALT) {
            v = value(tims__csv_field(&f->csv, 2), &n);
            row.a = keep(scratch, v, n);
            v = value(tims__csv_field(&f->csv, 3), &n);
            row.b = keep(scratch, v, n);
            v = value(tims__csv_field(&f->csv, 4), &n);
            row.c = keep(scratch, v, n);
            if (!row.a || !row.b || !row.c)
                return TIMS_ENOMEM;
            if (strcmp(row.a, "aka") != 0 && strcmp(row.a, "fka") != 0 && strcmp(row.a, "nka") != 0)
                return tims_diag_set(diag, TIMS_EDATA,
                                     "%s line %u, field alt_type: expected aka, fka or nka, "
                                     "found '%.40s'",
                                     f->path, row.line, row.a);
            if (!row.b[0])
                return tims_diag_set(diag, TIMS_EDATA,
                                     "%s line %u, field alt_name: the alias is empty", f->path,
                                     row.line);
        } else if (kind == F_ADD) {
            tims_buf text = {0};
            for (size_t i = 2; i <= 4; i++) {
                v = value(tims__csv_field(&f->csv, i), &n);
                if (n == 0)
                    continue;
                if ((text.len && tims_buf_puts(&text, ", ") != TIMS_OK) ||
                    tims_buf_append(&text, v, n) != TIMS_OK) {
                    tims_buf_free(&text);
                    return TIMS_ENOMEM;
                }
            }
            row.a = keep(scratch, text.data ? text.data : "", text.len);
            tims_buf_free(&text);
            v = value(tims__csv_field(&f->csv, 4), &n);
            row.b = tims__country(v, n);
            if (!row.a)
                return TIMS_ENOMEM;
        } else {
            /* a continuation: kept exactly, spaces included, for joining */
            v = tims__csv_field(&f->csv, 1);
            row.a = keep(scratch, v, strlen(v));
            if (!row.a)
                return TIMS_ENOMEM;
        }
        if ((err = aux_push(s, &row)) != TIMS_OK)
            return err;
    }
    if (r < 0)
        return (tims_err)r;
    if (s->count)
        qsort(s->rows, s->count, sizeof *s->rows, compare_aux);
    return TIMS_OK;
}

static tims_err check_used(const aux_set *s, const ofac_file *f, const char *primary,
                           tims_diag *diag)
{
    for (size_t i = 0; i < s->count; i++) {
        if (!s->rows[i].used)
            return tims_diag_set(diag, TIMS_EDATA,
                                 "%s line %u: entry %u is not in %s; the files are from "
                                 "different releases, download the set again",
                                 f->path, s->rows[i].line, s->rows[i].ent, primary);
    }
    return TIMS_OK;
}

/* ---- the primary file ------------------------------------------------------------------- */

static tims_err programs(wl_builder *b, const char *s, size_t n)
{
    /* "SDGT] [IFSR": programmes between brackets */
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == '[' || s[i] == ']' || s[i] == ' '))
            i++;
        size_t start = i;
        while (i < n && s[i] != ']' && s[i] != '[')
            i++;
        size_t end = i;
        while (end > start && s[end - 1] == ' ')
            end--;
        if (end > start) {
            tims_err err = tims__b_program(b, s + start, end - start);
            if (err != TIMS_OK)
                return err;
        }
    }
    return TIMS_OK;
}

static tims_err primary_row(wl_builder *b, ofac_file *f, aux_set sets[4], tims_buf *remarks,
                            tims_diag *diag)
{
    wl_csv *c = &f->csv;
    tims_err err = tims__csv_expect(c, field_counts[F_PRIMARY], diag);
    if (err != TIMS_OK)
        return err;
    uint32_t ent = 0;
    if ((err = ent_num(f, tims__csv_field(c, 0), "ent_num", &ent, diag)) != TIMS_OK)
        return err;
    size_t n;
    const char *v = value(tims__csv_field(c, 2), &n);
    int type;
    if (n == 0)
        type = TIMS_WL_ENTITY;
    else if (n == 10 && memcmp(v, "individual", 10) == 0)
        type = TIMS_WL_PERSON;
    else if (n == 6 && memcmp(v, "vessel", 6) == 0)
        type = TIMS_WL_VESSEL;
    else if (n == 8 && memcmp(v, "aircraft", 8) == 0)
        type = TIMS_WL_AIRCRAFT;
    else
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s line %u, field SDN_Type: expected individual, vessel, "
                             "aircraft or -0-, found '%.40s'",
                             f->path, c->rec_line, v);
    int person = type == TIMS_WL_PERSON;
    const char *id = tims__csv_field(c, 0);
    if ((err = tims__b_begin(b, id, strlen(id), type, TIMS_WL_SANCTION, c->rec_line)) != TIMS_OK)
        return err;
    v = value(tims__csv_field(c, 1), &n);
    if (n == 0)
        return tims_diag_set(diag, TIMS_EDATA, "%s line %u, field SDN_Name: the name is empty",
                             f->path, c->rec_line);
    if ((err = tims__b_name(b, v, n, TIMS_WL_PRIMARY, 0, person)) != TIMS_OK)
        return err;
    v = value(tims__csv_field(c, 3), &n);
    if ((err = programs(b, v, n)) != TIMS_OK)
        return err;

    /* Remarks, continued by the comments file */
    tims_buf_reset(remarks);
    v = value(tims__csv_field(c, 11), &n);
    if (n && (err = tims_buf_append(remarks, tims__csv_field(c, 11),
                                    strlen(tims__csv_field(c, 11)))) != TIMS_OK)
        return err;
    size_t first, k = aux_find(&sets[F_COMMENTS], ent, &first);
    for (size_t i = first; i < first + k; i++) {
        sets[F_COMMENTS].rows[i].used = 1;
        if ((err = tims_buf_puts(remarks, sets[F_COMMENTS].rows[i].a)) != TIMS_OK)
            return err;
    }
    v = remarks->data ? value(remarks->data, &n) : "";
    if (!remarks->data)
        n = 0;
    if (n) {
        if ((err = tims__b_remarks(b, v, n)) != TIMS_OK)
            return err;
        if ((err = tims__ofac_remarks(b, v, n, person)) != TIMS_OK)
            return err;
    }

    k = aux_find(&sets[F_ALT], ent, &first);
    for (size_t i = first; i < first + k; i++) {
        aux_row *r = &sets[F_ALT].rows[i];
        r->used = 1;
        int kind = strcmp(r->a, "aka") == 0 ? TIMS_WL_ALIAS : TIMS_WL_FORMER;
        int weak = strcmp(r->c, "weak") == 0;
        if ((err = tims__b_name(b, r->b, strlen(r->b), kind, weak, person)) != TIMS_OK)
            return err;
    }
    k = aux_find(&sets[F_ADD], ent, &first);
    for (size_t i = first; i < first + k; i++) {
        aux_row *r = &sets[F_ADD].rows[i];
        r->used = 1;
        if ((err = tims__b_address(b, r->a, strlen(r->a), r->b)) != TIMS_OK)
            return err;
    }
    return tims__b_commit(b);
}

tims_err tims__import_ofac(const char *dir, unsigned flags, tims_wl_list **out, tims_diag *diag)
{
    const char *names[4];
    int present = tims__ofac_files(dir, names, diag);
    if (present < 0)
        return (tims_err)present;
    ofac_file files[4];
    aux_set sets[4];
    memset(files, 0, sizeof files);
    memset(sets, 0, sizeof sets);
    wl_builder b = {0};
    tims_buf remarks = {0};
    tims_wl_arena *scratch = tims__arena_new();
    tims_err err = scratch ? tims__b_init(&b) : TIMS_ENOMEM;
    if (err != TIMS_OK)
        goto fail;
    for (int i = 0; i < 4; i++) {
        if (names[i] &&
            (err = load(&files[i], dir, names[i], field_counts[i], flags, diag)) != TIMS_OK)
            goto fail;
    }
    for (int i = F_ALT; i <= F_COMMENTS; i++) {
        if (names[i] && (err = read_aux(&files[i], i, &sets[i], scratch, diag)) != TIMS_OK)
            goto fail;
    }
    size_t rows = 0;
    int r;
    while ((r = tims__csv_next(&files[F_PRIMARY].csv, diag)) == 1) {
        rows++;
        if ((err = primary_row(&b, &files[F_PRIMARY], sets, &remarks, diag)) != TIMS_OK)
            goto fail;
    }
    if (r < 0) {
        err = (tims_err)r;
        goto fail;
    }
    if (rows == 0) {
        err = tims_diag_set(diag, TIMS_EDATA, "%s holds no entries", files[F_PRIMARY].path);
        goto fail;
    }
    for (int i = F_ALT; i <= F_COMMENTS; i++) {
        if (names[i] && (err = check_used(&sets[i], &files[i], names[F_PRIMARY], diag)) != TIMS_OK)
            goto fail;
    }
    for (int i = 0; i < 4; i++) {
        if ((err = tims__b_note_cut(&b, &files[i].csv)) != TIMS_OK)
            goto fail;
    }
    const char *source = strcmp(names[F_PRIMARY], "sdn.csv") == 0 ? "ofac-sdn" : "ofac-nonsdn";
    err = tims__b_finish(&b, files[F_PRIMARY].path, source, "ofac-csv", "", rows, out, diag);
fail:
    for (int i = 0; i < 4; i++) {
        unload(&files[i]);
        tims_free(sets[i].rows);
    }
    tims_buf_free(&remarks);
    tims__arena_free(scratch);
    tims__b_free(&b);
    return err;
}

/* ---- Remarks ---------------------------------------------------------------------------- */

static int starts(const char *s, size_t n, const char *word, size_t *wl)
{
    *wl = strlen(word);
    return n >= *wl && memcmp(s, word, *wl) == 0;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* "Passport A123 (Tanzania) issued 2010 expires 2020" -> number "A123", country TZA */
static tims_err document(wl_builder *b, const char *type, const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if ((n - i >= 8 && memcmp(s + i, " issued ", 8) == 0) ||
            (n - i >= 8 && memcmp(s + i, " expires", 8) == 0) ||
            (n - i >= 7 && memcmp(s + i, " issued", 7) == 0 && i + 7 == n)) {
            n = i;
            break;
        }
    }
    trim(&s, &n);
    while (n > 0 && (s[n - 1] == ',' || s[n - 1] == '.'))
        n--;
    const char *country = NULL;
    if (n > 0 && s[n - 1] == ')') {
        size_t open = n - 1;
        while (open > 0 && s[open] != '(')
            open--;
        if (s[open] == '(') {
            country = tims__country(s + open + 1, n - 1 - open - 1);
            if (country) {
                n = open;
                trim(&s, &n);
            }
        }
    }
    if (n > 0 && s[0] == ':') /* "Passport No.: 123" */
        s++, n--;
    trim(&s, &n);
    if (n == 0)
        return TIMS_OK;
    return tims__b_document(b, type, s, n, country);
}

static tims_err remark(wl_builder *b, const char *s, size_t n, int person)
{
    size_t wl;
    trim(&s, &n);
    if (starts(s, n, "alt. ", &wl) || starts(s, n, "Alt. ", &wl)) {
        s += wl;
        n -= wl;
    }
    if (starts(s, n, "DOB ", &wl)) {
        tims_wl_date d;
        if (tims__parse_date(s + wl, n - wl, &d))
            return tims__b_birth(b, &d);
        return TIMS_OK;
    }
    if (starts(s, n, "POB ", &wl))
        return tims__b_place(b, s + wl, n - wl);
    if (starts(s, n, "nationality ", &wl) || starts(s, n, "citizen ", &wl))
        return tims__b_nationality(b, tims__country(s + wl, n - wl));
    if (starts(s, n, "Gender ", &wl)) {
        if (n - wl == 4 && memcmp(s + wl, "Male", 4) == 0)
            b->cur.gender = 'M';
        else if (n - wl == 6 && memcmp(s + wl, "Female", 6) == 0)
            b->cur.gender = 'F';
        return TIMS_OK;
    }
    int former = starts(s, n, "f.k.a. ", &wl) || starts(s, n, "n.k.a. ", &wl);
    if (former || starts(s, n, "a.k.a. ", &wl)) {
        const char *name = s + wl;
        size_t len = n - wl;
        trim(&name, &len);
        for (int strip = 0; strip < 2; strip++) {
            if (len >= 2 && name[0] == '\'' && name[len - 1] == '\'') {
                name++;
                len -= 2;
            }
        }
        return tims__b_name(b, name, len, former ? TIMS_WL_FORMER : TIMS_WL_ALIAS, 1, person);
    }
    const char *type = tims__document_label(s, n, &wl);
    if (type)
        return document(b, type, s + wl, n - wl);
    return TIMS_OK;
}

tims_err tims__ofac_remarks(wl_builder *b, const char *s, size_t len, int person)
{
    /* Split on ';' outside parentheses, unless the parentheses do not balance (cut text) */
    int depth = 0, balanced = 1;
    for (size_t i = 0; i < len; i++) {
        depth += (s[i] == '(') - (s[i] == ')');
        if (depth < 0)
            balanced = 0;
    }
    if (depth != 0)
        balanced = 0;
    while (len > 0 && s[len - 1] == ' ')
        len--;
    if (len > 0 && s[len - 1] == '.')
        len--; /* the closing full stop of the remarks */
    depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && balanced)
            depth += (s[i] == '(') - (s[i] == ')');
        if (i == len || (s[i] == ';' && depth == 0)) {
            tims_err err = remark(b, s + start, i - start, person);
            if (err != TIMS_OK)
                return err;
            start = i + 1;
        }
    }
    return TIMS_OK;
}
