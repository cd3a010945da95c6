/* import_tims.c - the national list format "tims-csv": wanted persons, entry bans and lost or
 * stolen documents, as a country's own systems can export them (docs/lists.md has the spec).
 *
 * Strict where the sanctions importers are lenient, because the producer is under our control:
 * a header row is required and must name known columns; category, type, gender, dates, country
 * codes and document numbers must be well-formed, and any bad value fails the import with file,
 * line and column. Before the header, lines starting with '#' are comments, and
 * "# source: NAME" / "# release: DATE" set the list's source and release. */
#include <stdio.h>
#include <string.h>

#include "tims/country.h"
#include "watchlist/list_int.h"

enum col {
    T_ID,
    T_CATEGORY,
    T_TYPE,
    T_NAME,
    T_ALIASES,
    T_BIRTH_DATES,
    T_BIRTH_PLACES,
    T_NATIONALITIES,
    T_GENDER,
    T_DOCUMENTS,
    T_PROGRAMS,
    T_REMARKS,
    T_COUNT
};

static const char *const col_names[T_COUNT] = {
    "id",           "category",      "type",   "name",      "aliases",  "birth_dates",
    "birth_places", "nationalities", "gender", "documents", "programs", "remarks",
};

typedef struct tims_csv {
    const char *file;
    wl_csv csv;
    int cols[T_COUNT];
    tims_buf source, release, id;
    wl_builder b;
} tims_csv;

static tims_err bad(tims_csv *t, const char *column, const char *fmt, const char *value,
                    tims_diag *diag)
{
    char what[200];
    snprintf(what, sizeof what, fmt, value);
    return tims_diag_set(diag, TIMS_EDATA, "%s line %u, column %s: %s", t->file, t->csv.rec_line,
                         column, what);
}

/* The alpha-3 code for an ICAO / ISO code ("D" -> "DEU", "XXA" stays), or NULL. */
static const char *state_code(const char *s, size_t n)
{
    char code[4] = {0};
    if (n == 0 || n > 3)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 'A' || s[i] > 'Z')
            return NULL;
        code[i] = s[i];
    }
    const tims_country *c = tims_country_by_code(code);
    if (!c)
        return NULL;
    if (c->alpha2[0]) {
        const tims_country *iso = tims_country_by_alpha2(c->alpha2);
        if (iso)
            return iso->alpha3;
    }
    return c->alpha3;
}

/* Split on ';' and call fn for each trimmed piece; empty pieces are errors. */
typedef tims_err (*item_fn)(tims_csv *t, const char *s, size_t n, tims_diag *diag);

static tims_err each(tims_csv *t, int col, item_fn fn, tims_diag *diag)
{
    if (t->cols[col] < 0)
        return TIMS_OK;
    const char *s = tims__csv_field(&t->csv, (size_t)t->cols[col]);
    if (!*s)
        return TIMS_OK;
    for (;;) {
        const char *end = strchr(s, ';');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *p = s;
        size_t len = n;
        while (len > 0 && *p == ' ')
            p++, len--;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == 0)
            return bad(t, col_names[col], "an empty item between ';' separators%s", "", diag);
        tims_err err = fn(t, p, len, diag);
        if (err != TIMS_OK)
            return err;
        if (!end)
            return TIMS_OK;
        s = end + 1;
    }
}

static tims_err alias(tims_csv *t, const char *s, size_t n, tims_diag *diag)
{
    (void)diag;
    int kind = TIMS_WL_ALIAS, weak = 0;
    if (n > 5 && memcmp(s, "weak:", 5) == 0)
        weak = 1, s += 5, n -= 5;
    else if (n > 4 && memcmp(s, "fka:", 4) == 0)
        kind = TIMS_WL_FORMER, s += 4, n -= 4;
    else if (n > 5 && memcmp(s, "orig:", 5) == 0)
        kind = TIMS_WL_ORIGINAL, s += 5, n -= 5;
    return tims__b_name(&t->b, s, n, kind, weak, 0);
}

static tims_err birth(tims_csv *t, const char *s, size_t n, tims_diag *diag)
{
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)(n < 60 ? n : 60), s);
    /* only the forms the spec names: [~]YYYY[-MM[-DD]] or [~]YYYY..YYYY */
    static const char *const shapes[] = {"9999", "9999-99", "9999-99-99", "9999..9999"};
    const char *p = text[0] == '~' ? text + 1 : text;
    int shape = 0;
    for (size_t k = 0; k < TIMS_ARRAY_LEN(shapes) && !shape; k++) {
        const char *q = shapes[k];
        size_t i = 0;
        while (q[i] && p[i] && (q[i] == '9' ? (p[i] >= '0' && p[i] <= '9') : p[i] == q[i]))
            i++;
        shape = !q[i] && !p[i];
    }
    tims_wl_date d;
    if (!shape || !tims__parse_date(text, strlen(text), &d))
        return bad(t, "birth_dates",
                   "'%s' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY..YYYY, with a "
                   "leading ~ when approximate",
                   text, diag);
    return tims__b_birth(&t->b, &d);
}

static tims_err place(tims_csv *t, const char *s, size_t n, tims_diag *diag)
{
    (void)diag;
    return tims__b_place(&t->b, s, n);
}

static tims_err program(tims_csv *t, const char *s, size_t n, tims_diag *diag)
{
    (void)diag;
    return tims__b_program(&t->b, s, n);
}

static tims_err nationality(tims_csv *t, const char *s, size_t n, tims_diag *diag)
{
    const char *code = state_code(s, n);
    if (!code) {
        char v[8];
        snprintf(v, sizeof v, "%.*s", (int)(n < 7 ? n : 7), s);
        return bad(t, "nationalities", "'%s' is not an ICAO 9303 / ISO 3166 alpha-3 code", v, diag);
    }
    return tims__b_nationality(&t->b, code);
}

/* [TYPE=]STATE:NUMBER */
static tims_err document(tims_csv *t, const char *s, size_t n, tims_diag *diag)
{
    char item[96];
    snprintf(item, sizeof item, "%.*s", (int)(n < 90 ? n : 90), s);
    char type[32] = "";
    const char *eq = memchr(s, '=', n);
    if (eq) {
        size_t tl = (size_t)(eq - s);
        if (tl == 0 || tl >= sizeof type)
            return bad(t, "documents",
                       "'%s': the document type before '=' is empty or too "
                       "long",
                       item, diag);
        for (size_t i = 0; i < tl; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || c == ' ' || c == '_'))
                return bad(t, "documents",
                           "'%s': a document type is lower-case words "
                           "(passport, national id ...)",
                           item, diag);
            type[i] = c;
        }
        type[tl] = '\0';
        n -= tl + 1;
        s = eq + 1;
    }
    const char *colon = memchr(s, ':', n);
    const char *state = colon ? state_code(s, (size_t)(colon - s)) : NULL;
    if (!state)
        return bad(t, "documents",
                   "'%s': expected STATE:NUMBER with STATE an alpha-3 code "
                   "(e.g. ROU:051234567)",
                   item, diag);
    const char *num = colon + 1;
    size_t nl = n - (size_t)(num - s);
    char number[48];
    if (nl == 0 || nl >= sizeof number)
        return bad(t, "documents",
                   "'%s': the document number is empty or longer than 47 "
                   "characters",
                   item, diag);
    for (size_t i = 0; i < nl; i++) {
        char c = num[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/'))
            return bad(t, "documents",
                       "'%s': a document number has only letters, digits, '-' "
                       "and '/'",
                       item, diag);
        number[i] = c;
    }
    number[nl] = '\0';
    return tims__b_document(&t->b, type[0] ? type : "", number, nl, state);
}

static const char *field(tims_csv *t, int col)
{
    return t->cols[col] >= 0 ? tims__csv_field(&t->csv, (size_t)t->cols[col]) : "";
}

static tims_err row(tims_csv *t, tims_diag *diag)
{
    wl_builder *b = &t->b;
    const char *cat = field(t, T_CATEGORY);
    int category;
    if (strcmp(cat, "wanted") == 0)
        category = TIMS_WL_WANTED;
    else if (strcmp(cat, "entry_ban") == 0)
        category = TIMS_WL_ENTRY_BAN;
    else if (strcmp(cat, "lost_stolen") == 0)
        category = TIMS_WL_LOST_STOLEN;
    else
        return bad(t, "category", "'%.40s' is not wanted, entry_ban or lost_stolen", cat, diag);
    const char *ty = field(t, T_TYPE);
    int type = category == TIMS_WL_LOST_STOLEN ? TIMS_WL_DOCUMENT : TIMS_WL_PERSON;
    if (ty[0]) {
        for (type = TIMS_WL_PERSON; type <= TIMS_WL_DOCUMENT; type++) {
            if (strcmp(ty, tims_wl_type_name(type)) == 0)
                break;
        }
        if (type > TIMS_WL_DOCUMENT)
            return bad(t, "type", "'%.40s' is not person, entity, vessel, aircraft or document", ty,
                       diag);
    }
    if ((category == TIMS_WL_LOST_STOLEN) != (type == TIMS_WL_DOCUMENT))
        return bad(t, "type", "%s: lost_stolen rows (and only they) have type document",
                   ty[0] ? ty : "(empty)", diag);
    const char *id = field(t, T_ID);
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':' || c == '/') ||
            p - id >= 64)
            return bad(t, "id", "'%.70s' is not an id: up to 64 letters, digits and - _ . : /", id,
                       diag);
    }
    tims_err err = tims__b_begin(b, id, strlen(id), type, category, t->csv.rec_line);
    if (err != TIMS_OK)
        return err;
    const char *name = field(t, T_NAME);
    if (name[0] && (err = tims__b_name(b, name, strlen(name), TIMS_WL_PRIMARY, 0, 0)) != TIMS_OK)
        return err;
    if (b->names.count == 0 && type != TIMS_WL_DOCUMENT)
        return bad(t, "name", "empty%s; only lost_stolen rows may go without a name", "", diag);
    if ((err = each(t, T_ALIASES, alias, diag)) != TIMS_OK ||
        (err = each(t, T_BIRTH_DATES, birth, diag)) != TIMS_OK ||
        (err = each(t, T_BIRTH_PLACES, place, diag)) != TIMS_OK ||
        (err = each(t, T_NATIONALITIES, nationality, diag)) != TIMS_OK ||
        (err = each(t, T_DOCUMENTS, document, diag)) != TIMS_OK ||
        (err = each(t, T_PROGRAMS, program, diag)) != TIMS_OK)
        return err;
    if (type == TIMS_WL_DOCUMENT && b->docs.count == 0)
        return bad(t, "documents",
                   "empty%s; a lost_stolen row names its document as "
                   "STATE:NUMBER",
                   "", diag);
    if (!id[0]) {
        /* a lost/stolen document with one document is keyed by it */
        const tims_wl_document *d = b->docs.items;
        if (type != TIMS_WL_DOCUMENT || b->docs.count != 1)
            return bad(t, "id",
                       "empty%s; only a lost_stolen row with one document may leave "
                       "the id to be STATE:NUMBER",
                       "", diag);
        tims_buf_reset(&t->id);
        if ((err = tims_buf_printf(&t->id, "%s:%s", d[0].country, d[0].number)) != TIMS_OK ||
            (err = tims__b_set_id(b, t->id.data, t->id.len)) != TIMS_OK)
            return err;
    }
    const char *g = field(t, T_GENDER);
    if (strcmp(g, "M") == 0 || strcmp(g, "F") == 0)
        b->cur.gender = g[0];
    else if (g[0] && strcmp(g, "X") != 0)
        return bad(t, "gender", "'%.10s' is not M, F, X or empty", g, diag);
    const char *remarks = field(t, T_REMARKS);
    if (remarks[0] && (err = tims__b_remarks(b, remarks, strlen(remarks))) != TIMS_OK)
        return err;
    return tims__b_commit(b);
}

/* "# source: ro-wanted" before the header; other '#' lines are comments. */
static tims_err metadata(tims_csv *t, const char *line, size_t n, tims_diag *diag)
{
    const char *p = line + 1;
    size_t len = n - 1;
    while (len > 0 && *p == ' ')
        p++, len--;
    tims_buf *into = NULL;
    size_t kl = 0;
    if (len >= 7 && memcmp(p, "source:", 7) == 0)
        into = &t->source, kl = 7;
    else if (len >= 8 && memcmp(p, "release:", 8) == 0)
        into = &t->release, kl = 8;
    if (!into)
        return TIMS_OK;
    p += kl;
    len -= kl;
    while (len > 0 && *p == ' ')
        p++, len--;
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\r'))
        len--;
    if (len == 0 || len > 64)
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s: the '# %.*s' line needs a value of 1 to 64 "
                             "characters",
                             t->file, (int)kl - 1, p - kl);
    tims_buf_reset(into);
    return tims_buf_append(into, p, len);
}

tims_err tims__import_tims(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag)
{
    tims_csv t;
    memset(&t, 0, sizeof t);
    t.file = path;
    tims_buf data = {0};
    tims_err err = tims__read_file(path, &data, diag);
    if (err != TIMS_OK)
        goto fail;
    if ((err = tims__check_utf8(path, data.data, data.len, diag)) != TIMS_OK)
        goto fail;
    if ((err = tims__b_init(&t.b)) != TIMS_OK)
        goto fail;
    const char *p = data.data, *end = data.data + data.len;
    if (data.len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte-order mark, as spreadsheets write it */
    unsigned line = 1;
    while (p < end && (*p == '#' || *p == '\n' || *p == '\r')) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (*p == '#' && (err = metadata(&t, p, n, diag)) != TIMS_OK)
            goto fail;
        p = nl ? nl + 1 : end;
        line++;
    }
    tims__csv_init(&t.csv, path, p, (size_t)(end - p), ',');
    t.csv.line = line;
    int r = tims__csv_next(&t.csv, diag);
    if (r <= 0) {
        err = r < 0 ? (tims_err)r
                    : tims_diag_set(diag, TIMS_EDATA,
                                    "%s: no header row; the first line must "
                                    "name the columns (id,category,name,...)",
                                    path);
        goto fail;
    }
    for (int i = 0; i < T_COUNT; i++)
        t.cols[i] = -1;
    for (size_t k = 0; k < t.csv.nfields; k++) {
        const char *name = tims__csv_field(&t.csv, k);
        int found = -1;
        for (int i = 0; i < T_COUNT; i++) {
            if (strcmp(name, col_names[i]) == 0)
                found = i;
        }
        if (found < 0 || t.cols[found] >= 0) {
            err = tims_diag_set(diag, TIMS_EDATA,
                                "%s line %u, column %zu: '%.40s' is %s; the "
                                "columns are id, category, type, name, aliases, birth_dates, "
                                "birth_places, nationalities, gender, documents, programs, "
                                "remarks",
                                path, t.csv.rec_line, k + 1, name,
                                found < 0 ? "not a tims-csv column" : "named twice");
            goto fail;
        }
        t.cols[found] = (int)k;
    }
    if (t.cols[T_ID] < 0 || t.cols[T_CATEGORY] < 0) {
        err = tims_diag_set(diag, TIMS_EDATA,
                            "%s line %u: the header needs the columns id and "
                            "category",
                            path, t.csv.rec_line);
        goto fail;
    }
    size_t nh = t.csv.nfields, rows = 0;
    t.csv.tail = tims__csv_tail(flags);
    t.csv.want = nh;
    while ((r = tims__csv_next(&t.csv, diag)) == 1) {
        if ((err = tims__csv_expect(&t.csv, nh, diag)) != TIMS_OK)
            goto fail;
        rows++;
        if ((err = row(&t, diag)) != TIMS_OK)
            goto fail;
    }
    if (r < 0) {
        err = (tims_err)r;
        goto fail;
    }
    if ((err = tims__b_note_cut(&t.b, &t.csv)) != TIMS_OK)
        goto fail;
    err = tims__b_finish(&t.b, path, t.source.data ? t.source.data : "national", "tims-csv",
                         t.release.data ? t.release.data : "", rows, out, diag);
fail:
    tims__csv_free(&t.csv);
    tims_buf_free(&t.source);
    tims_buf_free(&t.release);
    tims_buf_free(&t.id);
    tims_buf_free(&data);
    tims__b_free(&t.b);
    return err;
}
