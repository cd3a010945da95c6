/* import_dpl.c - the BIS Denied Persons List, tab-separated with a header (format "dpl-tsv").
 *
 * The file has one row per person (or company) and address, so one order against a person with
 * three addresses is three rows. Rows with the same name and Effective_Date merge into one
 * entry with several addresses; the id is "NAME (YYYY-MM-DD)" from those two, stable from one
 * release to the next. The list does not say person or company: the name decides
 * (tims__guess_type). list->rows keeps the number of rows read. */
#include <stdlib.h>
#include <string.h>

#include "tims/country.h"
#include "watchlist/list_int.h"

static const char *const dpl_columns[] = {
    "Name",           "Street_Address",  "City",           "State",       "Country", "Postal_Code",
    "Effective_Date", "Expiration_Date", "Standard_Order", "Last_Update", "Action",  "FR_Citation",
};
enum {
    D_NAME,
    D_STREET,
    D_CITY,
    D_STATE,
    D_COUNTRY,
    D_POSTAL,
    D_EFFECTIVE,
    D_EXPIRES,
    D_STANDARD,
    D_UPDATED,
    D_ACTION,
    D_FR,
    D_COUNT
};

typedef struct dpl_row {
    char *key; /* normalised name, NUL, ISO effective date: sorts rows of one entry together */
    size_t name_len;
    char *fields[D_COUNT];
    unsigned line;
    size_t order;
} dpl_row;

static int compare_rows(const void *x, const void *y)
{
    const dpl_row *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    if (c == 0)
        c = strcmp(a->key + a->name_len + 1, b->key + b->name_len + 1);
    return c ? c : (a->order < b->order ? -1 : a->order > b->order);
}

/* Same name and effective date: rows of one entry. */
static int same_entry(const dpl_row *a, const dpl_row *b)
{
    return a->name_len == b->name_len && memcmp(a->key, b->key, a->name_len + 11) == 0;
}

/* "06/19/2003" -> "2003-06-19"; returns 0 when it is not such a date. */
static int us_date(const char *s, char iso[11])
{
    if (strlen(s) != 10 || s[2] != '/' || s[5] != '/')
        return 0;
    char text[11] = {s[6], s[7], s[8], s[9], '-', s[0], s[1], '-', s[3], s[4], 0};
    tims_wl_date d;
    if (!tims__parse_date(text, 10, &d) || d.day == 0)
        return 0;
    memcpy(iso, text, 11);
    return 1;
}

static const char *find(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= n; i++) {
        if (memcmp(s + i, word, wl) == 0)
            return s + i;
    }
    return NULL;
}

/* The name, with the aliases some rows carry inside it split off: "FUYI SUN A/K/A FRANK SUN",
 * "SIBERIAN AIRLINES D/B/A S7 AIRLINES", "PEARL (A.K.A. NEI-CHIEN CHU) LI". */
static tims_err names(wl_builder *b, const char *s, size_t n, tims_buf *t)
{
    static const char *const joins[] = {" A/K/A ", " D/B/A ", " F/K/A "};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(joins); i++) {
        const char *at = find(s, n, joins[i]);
        if (at) {
            size_t wl = strlen(joins[i]);
            tims_err err = tims__b_name(b, s, (size_t)(at - s), TIMS_WL_PRIMARY, 0, 0);
            if (err != TIMS_OK)
                return err;
            return tims__b_name(b, at + wl, n - (size_t)(at - s) - wl,
                                i == 2 ? TIMS_WL_FORMER : TIMS_WL_ALIAS, 0, 0);
        }
    }
    const char *open = find(s, n, "(A.K.A. ");
    const char *close = open ? memchr(open, ')', n - (size_t)(open - s)) : NULL;
    if (open && close) {
        tims_buf_reset(t);
        tims_err err;
        if ((err = tims_buf_append(t, s, (size_t)(open - s))) != TIMS_OK ||
            (err = tims_buf_append(t, close + 1, n - (size_t)(close + 1 - s))) != TIMS_OK ||
            (err = tims__b_name(b, t->data, t->len, TIMS_WL_PRIMARY, 0, 0)) != TIMS_OK)
            return err;
        return tims__b_name(b, open + 8, (size_t)(close - open - 8), TIMS_WL_ALIAS, 0, 0);
    }
    return tims__b_name(b, s, n, TIMS_WL_PRIMARY, 0, 0);
}

static tims_err entry(wl_builder *b, dpl_row *rows, size_t n, tims_buf *t)
{
    dpl_row *r = &rows[0];
    tims_err err;
    tims_buf_reset(t);
    if ((err = tims_buf_printf(t, "%s (%s)", r->key, r->key + r->name_len + 1)) != TIMS_OK)
        return err;
    int type = tims__guess_type(r->key, r->name_len);
    if ((err = tims__b_begin(b, t->data, t->len, type, TIMS_WL_SANCTION, r->line)) != TIMS_OK ||
        (err = names(b, r->key, r->name_len, t)) != TIMS_OK)
        return err;
    for (size_t i = 0; i < n; i++) {
        char **f = rows[i].fields;
        tims_buf_reset(t);
        static const int parts[] = {D_STREET, D_CITY, D_STATE, D_POSTAL, D_COUNTRY};
        for (size_t k = 0; k < TIMS_ARRAY_LEN(parts); k++) {
            if (!f[parts[k]][0])
                continue;
            if ((t->len && (err = tims_buf_puts(t, ", ")) != TIMS_OK) ||
                (err = tims_buf_puts(t, f[parts[k]])) != TIMS_OK)
                return err;
        }
        const tims_country *c = tims_country_by_alpha2(f[D_COUNTRY]);
        if (t->len && (err = tims__b_address(b, t->data, t->len, c ? c->alpha3 : NULL)) != TIMS_OK)
            return err;
    }
    char **f = r->fields;
    tims_buf_reset(t);
    if ((err = tims_buf_printf(t,
                               "Effective_Date %s; Expiration_Date %s; Standard_Order %s; "
                               "Last_Update %s; Action %s; FR_Citation %s",
                               f[D_EFFECTIVE], f[D_EXPIRES], f[D_STANDARD], f[D_UPDATED],
                               f[D_ACTION], f[D_FR])) != TIMS_OK ||
        (err = tims__b_remarks(b, t->data, t->len)) != TIMS_OK)
        return err;
    return tims__b_commit(b);
}

tims_err tims__import_dpl(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag)
{
    tims_buf data = {0}, text = {0};
    wl_csv csv;
    wl_builder b = {0};
    dpl_row *rows = NULL;
    size_t count = 0, cap = 0;
    tims_wl_arena *scratch = NULL;
    memset(&csv, 0, sizeof csv);
    tims_err err = tims__read_file(path, &data, diag);
    if (err != TIMS_OK)
        goto fail;
    if ((err = tims__check_utf8(path, data.data, data.len, diag)) != TIMS_OK)
        goto fail;
    if ((err = tims__b_init(&b)) != TIMS_OK || !(scratch = tims__arena_new())) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    tims__csv_init(&csv, path, data.data, data.len, '\t');
    int r = tims__csv_next(&csv, diag);
    if (r < 0) {
        err = (tims_err)r;
        goto fail;
    }
    if (r == 0 || csv.nfields != D_COUNT) {
        err = tims_diag_set(diag, TIMS_EDATA,
                            "%s line 1: expected the header of the Denied "
                            "Persons List (%d tab-separated columns, Name first)",
                            path, D_COUNT);
        goto fail;
    }
    for (size_t i = 0; i < D_COUNT; i++) {
        if (strcmp(tims__csv_field(&csv, i), dpl_columns[i]) != 0) {
            err = tims_diag_set(diag, TIMS_EDATA,
                                "%s line 1, column %zu: expected '%s', found "
                                "'%.40s'",
                                path, i + 1, dpl_columns[i], tims__csv_field(&csv, i));
            goto fail;
        }
    }
    csv.tail = tims__csv_tail(flags);
    csv.want = D_COUNT;
    while ((r = tims__csv_next(&csv, diag)) == 1) {
        if ((err = tims__csv_expect(&csv, D_COUNT, diag)) != TIMS_OK)
            goto fail;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 512;
            dpl_row *grown = tims_realloc(rows, ncap * sizeof *grown);
            if (!grown) {
                err = TIMS_ENOMEM;
                goto fail;
            }
            rows = grown;
            cap = ncap;
        }
        dpl_row *row = &rows[count];
        memset(row, 0, sizeof *row);
        row->line = csv.rec_line;
        row->order = count;
        for (size_t i = 0; i < D_COUNT; i++) {
            const char *v = tims__csv_field(&csv, i);
            if (!(row->fields[i] = tims__arena_strndup(scratch, v, strlen(v)))) {
                err = TIMS_ENOMEM;
                goto fail;
            }
        }
        /* key: the name with blanks collapsed, then the ISO effective date */
        char iso[11];
        if (!us_date(row->fields[D_EFFECTIVE], iso)) {
            err = tims_diag_set(diag, TIMS_EDATA,
                                "%s line %u, field Effective_Date: expected "
                                "MM/DD/YYYY, found '%.40s'",
                                path, row->line, row->fields[D_EFFECTIVE]);
            goto fail;
        }
        const char *name = row->fields[D_NAME];
        tims_buf_reset(&text);
        int space = 0;
        for (const char *p = name; *p; p++) {
            if (*p == ' ' || *p == '\t') {
                space = text.len > 0;
                continue;
            }
            if ((space && (err = tims_buf_putc(&text, ' ')) != TIMS_OK) ||
                (err = tims_buf_putc(&text, *p)) != TIMS_OK)
                goto fail;
            space = 0;
        }
        if (text.len == 0) {
            err = tims_diag_set(diag, TIMS_EDATA, "%s line %u, field Name: empty", path, row->line);
            goto fail;
        }
        row->name_len = text.len;
        if ((err = tims_buf_putc(&text, '\0')) != TIMS_OK ||
            (err = tims_buf_append(&text, iso, 10)) != TIMS_OK)
            goto fail;
        if (!(row->key = tims__arena_strndup(scratch, text.data, text.len))) {
            err = TIMS_ENOMEM;
            goto fail;
        }
        count++;
    }
    if (r < 0) {
        err = (tims_err)r;
        goto fail;
    }
    if (count == 0) {
        err = tims_diag_set(diag, TIMS_EDATA, "%s has a header but no rows", path);
        goto fail;
    }
    if ((err = tims__b_note_cut(&b, &csv)) != TIMS_OK)
        goto fail;
    qsort(rows, count, sizeof *rows, compare_rows);
    for (size_t i = 0; i < count;) {
        size_t j = i + 1;
        while (j < count && same_entry(&rows[i], &rows[j]))
            j++;
        if ((err = entry(&b, rows + i, j - i, &text)) != TIMS_OK)
            goto fail;
        i = j;
    }
    err = tims__b_finish(&b, path, "dpl", "dpl-tsv", "", count, out, diag);
fail:
    tims_free(rows);
    tims__arena_free(scratch);
    tims__csv_free(&csv);
    tims_buf_free(&data);
    tims_buf_free(&text);
    tims__b_free(&b);
    return err;
}
