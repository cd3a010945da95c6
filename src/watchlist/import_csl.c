/* import_csl.c - the US Consolidated Screening List, CSV (format "csl-csv").
 *
 * One header row names the columns (found by name, so their order may change); a second copy
 * of the header row, as the trade.gov download sometimes has, is skipped. Each row becomes one
 * entry: rows are not merged, because the same number in two sub-lists (SSI and NS-MBS, say)
 * are two listings. The id is "<sub-list>:<_id>" ("SDN:9647", "EL:dcc742..."), unique across
 * the file. Multi-valued columns are ';'-separated; countries are ISO alpha-2; ids are
 * "Type, Number, CC" items, of which identity documents and Gender are kept. A row whose type
 * is empty (the BIS lists) is told person or entity from its name. */
#include <string.h>

#include "tims/country.h"
#include "watchlist/list_int.h"

enum col {
    C_ID,
    C_SOURCE,
    C_TYPE,
    C_NAME,
    C_PROGRAMS,
    C_ALT_NAMES,
    C_DOB,
    C_NATIONALITIES,
    C_CITIZENSHIPS,
    C_POB,
    C_IDS,
    C_ADDRESSES,
    C_REMARKS,
    C_COUNT
};

static const char *const col_names[C_COUNT] = {
    "_id",       "source",         "type",          "name",         "programs",
    "alt_names", "dates_of_birth", "nationalities", "citizenships", "places_of_birth",
    "ids",       "addresses",      "remarks",
};

enum { REQUIRED = C_PROGRAMS }; /* the columns before this one must be present */

/* Calls fn for each trimmed, non-empty piece of s split on sep. */
typedef tims_err (*piece_fn)(wl_builder *b, const char *s, size_t n, void *ctx);

static tims_err each_piece(wl_builder *b, const char *s, char sep, piece_fn fn, void *ctx)
{
    while (*s) {
        const char *end = strchr(s, sep);
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *p = s;
        size_t len = n;
        while (len > 0 && *p == ' ')
            p++, len--;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len > 0) {
            tims_err err = fn(b, p, len, ctx);
            if (err != TIMS_OK)
                return err;
        }
        s += n;
        if (*s)
            s++;
    }
    return TIMS_OK;
}

static const char *alpha3_of(const char *s, size_t n)
{
    if (n == 2) {
        char a2[3] = {s[0], s[1], 0};
        const tims_country *c = tims_country_by_alpha2(a2);
        if (c)
            return c->alpha3;
    }
    return tims__country(s, n);
}

static tims_err put_alias(wl_builder *b, const char *s, size_t n, void *ctx)
{
    return tims__b_name(b, s, n, TIMS_WL_ALIAS, 0, *(int *)ctx);
}

static tims_err put_birth(wl_builder *b, const char *s, size_t n, void *ctx)
{
    (void)ctx;
    tims_wl_date d;
    return tims__parse_date(s, n, &d) ? tims__b_birth(b, &d) : TIMS_OK;
}

static tims_err put_nationality(wl_builder *b, const char *s, size_t n, void *ctx)
{
    (void)ctx;
    return tims__b_nationality(b, alpha3_of(s, n));
}

static tims_err put_place(wl_builder *b, const char *s, size_t n, void *ctx)
{
    (void)ctx;
    return tims__b_place(b, s, n);
}

static tims_err put_program(wl_builder *b, const char *s, size_t n, void *ctx)
{
    (void)ctx;
    return tims__b_program(b, s, n);
}

/* "..., Medellin, CO": the country is the last comma part when it is an alpha-2 code */
static tims_err put_address(wl_builder *b, const char *s, size_t n, void *ctx)
{
    (void)ctx;
    const char *country = NULL;
    if (n >= 2 && (n == 2 || (n >= 4 && s[n - 3] == ' ' && s[n - 4] == ',')))
        country = alpha3_of(s + n - 2, 2);
    return tims__b_address(b, s, n, country);
}

/* "Passport, U00242309, TR" / "Gender, Male" */
static tims_err put_id(wl_builder *b, const char *s, size_t n, void *ctx)
{
    (void)ctx;
    const char *comma = memchr(s, ',', n);
    if (!comma)
        return TIMS_OK;
    size_t tl = (size_t)(comma - s);
    const char *rest = comma + 1;
    size_t rl = n - tl - 1;
    while (rl > 0 && *rest == ' ')
        rest++, rl--;
    if (tl == 6 && memcmp(s, "Gender", 6) == 0) {
        if (rl == 4 && memcmp(rest, "Male", 4) == 0)
            b->cur.gender = 'M';
        else if (rl == 6 && memcmp(rest, "Female", 6) == 0)
            b->cur.gender = 'F';
        return TIMS_OK;
    }
    size_t label_len;
    const char *type = tims__document_label(s, tl, &label_len);
    if (!type || label_len != tl)
        return TIMS_OK;
    const char *country = NULL;
    if (rl >= 4 && rest[rl - 3] == ' ' && rest[rl - 4] == ',') {
        country = alpha3_of(rest + rl - 2, 2);
        if (country)
            rl -= 4;
    }
    return tims__b_document(b, type, rest, rl, country);
}

/* "Specially Designated Nationals (SDN) - Treasury Department" -> "SDN";
 * "... (NS-MBS List) - ..." -> "NS-MBS"; no parentheses: the whole source. */
static void sublist_code(const char *source, const char **code, size_t *len)
{
    const char *open = strchr(source, '(');
    const char *close = open ? strchr(open, ')') : NULL;
    if (!open || !close || close == open + 1) {
        *code = source;
        *len = strlen(source);
        return;
    }
    *code = open + 1;
    *len = (size_t)(close - open - 1);
    if (*len > 5 && memcmp(*code + *len - 5, " List", 5) == 0)
        *len -= 5;
}

static tims_err row(wl_builder *b, const wl_csv *c, const int *cols, tims_buf *id, tims_diag *diag)
{
    const char *field[C_COUNT];
    for (int i = 0; i < C_COUNT; i++)
        field[i] = cols[i] >= 0 ? tims__csv_field(c, (size_t)cols[i]) : "";
    if (!field[C_ID][0] || !field[C_NAME][0] || !field[C_SOURCE][0])
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s line %u, field %s: empty; every row needs "
                             "_id, source and name",
                             c->file, c->rec_line,
                             !field[C_ID][0]     ? "_id"
                             : !field[C_NAME][0] ? "name"
                                                 : "source");
    int type;
    const char *t = field[C_TYPE];
    if (!t[0])
        type = tims__guess_type(field[C_NAME], strlen(field[C_NAME]));
    else if (strcmp(t, "Individual") == 0)
        type = TIMS_WL_PERSON;
    else if (strcmp(t, "Entity") == 0)
        type = TIMS_WL_ENTITY;
    else if (strcmp(t, "Vessel") == 0)
        type = TIMS_WL_VESSEL;
    else if (strcmp(t, "Aircraft") == 0)
        type = TIMS_WL_AIRCRAFT;
    else
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s line %u, field type: expected Individual, "
                             "Entity, Vessel, Aircraft or empty, found '%.40s'",
                             c->file, c->rec_line, t);
    int person = type == TIMS_WL_PERSON;
    const char *code;
    size_t code_len;
    sublist_code(field[C_SOURCE], &code, &code_len);
    tims_buf_reset(id);
    tims_err err;
    if ((err = tims_buf_append(id, code, code_len)) != TIMS_OK ||
        (err = tims_buf_printf(id, ":%s", field[C_ID])) != TIMS_OK)
        return err;
    if ((err = tims__b_begin(b, id->data, id->len, type, TIMS_WL_SANCTION, c->rec_line)) !=
            TIMS_OK ||
        (err = tims__b_sublist(b, code, code_len)) != TIMS_OK ||
        (err = tims__b_name(b, field[C_NAME], strlen(field[C_NAME]), TIMS_WL_PRIMARY, 0, person)) !=
            TIMS_OK ||
        (err = each_piece(b, field[C_ALT_NAMES], ';', put_alias, &person)) != TIMS_OK ||
        (err = each_piece(b, field[C_DOB], ';', put_birth, NULL)) != TIMS_OK ||
        (err = each_piece(b, field[C_NATIONALITIES], ';', put_nationality, NULL)) != TIMS_OK ||
        (err = each_piece(b, field[C_CITIZENSHIPS], ';', put_nationality, NULL)) != TIMS_OK ||
        (err = each_piece(b, field[C_POB], ';', put_place, NULL)) != TIMS_OK ||
        (err = each_piece(b, field[C_IDS], ';', put_id, NULL)) != TIMS_OK ||
        (err = each_piece(b, field[C_ADDRESSES], ';', put_address, NULL)) != TIMS_OK ||
        (err = each_piece(b, field[C_PROGRAMS], ';', put_program, NULL)) != TIMS_OK)
        return err;
    if (field[C_REMARKS][0] &&
        (err = tims__b_remarks(b, field[C_REMARKS], strlen(field[C_REMARKS]))) != TIMS_OK)
        return err;
    return tims__b_commit(b);
}

static int same_as_header(const wl_csv *c, const wl_csv *h, size_t nh)
{
    if (c->nfields != nh)
        return 0;
    for (size_t i = 0; i < nh; i++) {
        if (strcmp(tims__csv_field(c, i), tims__csv_field(h, i)) != 0)
            return 0;
    }
    return 1;
}

tims_err tims__import_csl(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag)
{
    tims_buf data = {0}, id = {0};
    wl_csv csv, header;
    wl_builder b = {0};
    memset(&csv, 0, sizeof csv);
    memset(&header, 0, sizeof header);
    tims_err err = tims__read_file(path, &data, diag);
    if (err != TIMS_OK)
        goto fail;
    if ((err = tims__check_utf8(path, data.data, data.len, diag)) != TIMS_OK)
        goto fail;
    if ((err = tims__b_init(&b)) != TIMS_OK)
        goto fail;
    tims__csv_init(&header, path, data.data, data.len, ',');
    int r = tims__csv_next(&header, diag);
    if (r <= 0) {
        err = r < 0 ? (tims_err)r : tims_diag_set(diag, TIMS_EDATA, "%s has no header", path);
        goto fail;
    }
    int cols[C_COUNT];
    for (int i = 0; i < C_COUNT; i++) {
        cols[i] = -1;
        for (size_t k = 0; k < header.nfields; k++) {
            if (strcmp(tims__csv_field(&header, k), col_names[i]) == 0)
                cols[i] = (int)k;
        }
        if (i < REQUIRED && cols[i] < 0) {
            err = tims_diag_set(diag, TIMS_EDATA,
                                "%s line 1: no column '%s' in the header; "
                                "is this the Consolidated Screening List CSV?",
                                path, col_names[i]);
            goto fail;
        }
    }
    size_t nh = header.nfields, rows = 0;
    tims__csv_init(&csv, path, header.p, (size_t)(header.end - header.p), ',');
    csv.line = header.line;
    csv.tail = tims__csv_tail(flags);
    csv.want = nh;
    while ((r = tims__csv_next(&csv, diag)) == 1) {
        if (same_as_header(&csv, &header, nh))
            continue;
        if ((err = tims__csv_expect(&csv, nh, diag)) != TIMS_OK)
            goto fail;
        rows++;
        if ((err = row(&b, &csv, cols, &id, diag)) != TIMS_OK)
            goto fail;
    }
    if (r < 0) {
        err = (tims_err)r;
        goto fail;
    }
    if (rows == 0) {
        err = tims_diag_set(diag, TIMS_EDATA, "%s has a header but no rows", path);
        goto fail;
    }
    if ((err = tims__b_note_cut(&b, &csv)) != TIMS_OK)
        goto fail;
    err = tims__b_finish(&b, path, "csl", "csl-csv", "", rows, out, diag);
fail:
    tims__csv_free(&csv);
    tims__csv_free(&header);
    tims_buf_free(&data);
    tims_buf_free(&id);
    tims__b_free(&b);
    return err;
}
