/* list.c - the list model: the builder every importer fills one entry at a time, the finished
 * list (ids unique, sorted index for lookups), tims_wl_import's dispatch by format, and the
 * words for the model's enums.
 *
 * An importer calls tims__b_begin(), adds names, dates, documents ... and tims__b_commit() for
 * each entry; repeats within an entry are dropped as they arrive. Nothing becomes a list until
 * tims__b_finish() has checked the whole set, so a failed import never yields a partial list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watchlist/list_int.h"

/* ---- small growable arrays (scratch space, tims_realloc) ------------------------------- */

static tims_err vec_push(wl_vec *v, const void *item, size_t size)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *items = tims_realloc(v->items, cap * size);
        if (!items)
            return TIMS_ENOMEM;
        v->items = items;
        v->cap = cap;
    }
    memcpy((char *)v->items + v->count * size, item, size);
    v->count++;
    return TIMS_OK;
}

static void vec_free(wl_vec *v)
{
    tims_free(v->items);
    memset(v, 0, sizeof *v);
}

/* ---- builder ---------------------------------------------------------------------------- */

tims_err tims__b_init(wl_builder *b)
{
    memset(b, 0, sizeof *b);
    b->arena = tims__arena_new();
    return b->arena ? TIMS_OK : TIMS_ENOMEM;
}

void tims__b_free(wl_builder *b)
{
    tims__arena_free(b->arena);
    vec_free(&b->entries);
    vec_free(&b->lines);
    vec_free(&b->names);
    vec_free(&b->births);
    vec_free(&b->places);
    vec_free(&b->nats);
    vec_free(&b->docs);
    vec_free(&b->programs);
    vec_free(&b->addresses);
    tims_buf_free(&b->scratch);
    tims_buf_free(&b->cuts);
    memset(b, 0, sizeof *b);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Copy s into b->scratch with whitespace runs collapsed and the ends trimmed. */
static tims_err normalise(wl_builder *b, const char *s, size_t len)
{
    tims_buf_reset(&b->scratch);
    if (tims_buf_reserve(&b->scratch, len) != TIMS_OK)
        return TIMS_ENOMEM;
    char *out = b->scratch.data;
    size_t n = 0;
    int space = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_space(s[i])) {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = 0;
        out[n++] = s[i];
    }
    out[n] = '\0';
    b->scratch.len = n;
    return TIMS_OK;
}

static char *arena_norm(wl_builder *b, const char *s, size_t len)
{
    if (normalise(b, s, len) != TIMS_OK)
        return NULL;
    return tims__arena_strndup(b->arena, b->scratch.data, b->scratch.len);
}

tims_err tims__b_begin(wl_builder *b, const char *id, size_t id_len, int type, int category,
                       unsigned line)
{
    memset(&b->cur, 0, sizeof b->cur);
    b->names.count = b->births.count = b->places.count = b->nats.count = 0;
    b->docs.count = b->programs.count = b->addresses.count = 0;
    b->cur.id = arena_norm(b, id, id_len);
    if (!b->cur.id)
        return TIMS_ENOMEM;
    b->cur.type = (uint8_t)type;
    b->cur.category = (uint8_t)category;
    b->cur_line = line;
    b->open = 1;
    return TIMS_OK;
}

tims_err tims__b_name(wl_builder *b, const char *s, size_t len, int kind, int weak, int flip)
{
    if (normalise(b, s, len) != TIMS_OK)
        return TIMS_ENOMEM;
    if (b->scratch.len == 0)
        return TIMS_OK;
    const char *text = b->scratch.data;
    const char *comma = strchr(text, ',');
    tims_wl_name name = {.kind = (uint8_t)kind, .weak = (uint8_t)(weak != 0)};
    if (flip && comma && !strchr(comma + 1, ',') && comma > text && comma[1] == ' ' &&
        comma[2] != '\0') {
        /* "LAST, First" -> "First LAST" */
        size_t last_len = (size_t)(comma - text), first_len = strlen(comma + 2);
        char *full = tims__arena_alloc(b->arena, first_len + 1 + last_len + 1);
        if (!full)
            return TIMS_ENOMEM;
        memcpy(full, comma + 2, first_len);
        full[first_len] = ' ';
        memcpy(full + first_len + 1, text, last_len);
        name.full = full;
        if (!(name.listed = tims__arena_strndup(b->arena, text, b->scratch.len)))
            return TIMS_ENOMEM;
    } else if (!(name.full = tims__arena_strndup(b->arena, text, b->scratch.len))) {
        return TIMS_ENOMEM;
    }
    tims_wl_name *have = b->names.items;
    if (kind == TIMS_WL_PRIMARY) {
        /* the primary name goes first, whenever it arrives; drop repeats of it */
        size_t keep = 0;
        for (size_t i = 0; i < b->names.count; i++) {
            if (strcmp(have[i].full, name.full) != 0)
                have[keep++] = have[i];
        }
        b->names.count = keep;
        if (vec_push(&b->names, &name, sizeof name) != TIMS_OK)
            return TIMS_ENOMEM;
        have = b->names.items;
        memmove(have + 1, have, (b->names.count - 1) * sizeof *have);
        have[0] = name;
        return TIMS_OK;
    }
    for (size_t i = 0; i < b->names.count; i++) {
        if (strcmp(have[i].full, name.full) != 0)
            continue;
        if (have[i].kind == name.kind || have[i].kind == TIMS_WL_PRIMARY) {
            if (have[i].kind == name.kind && !name.weak)
                have[i].weak = 0; /* a strong spelling wins over a weak repeat */
            return TIMS_OK;
        }
    }
    return vec_push(&b->names, &name, sizeof name);
}

tims_err tims__b_set_id(wl_builder *b, const char *id, size_t len)
{
    char *copy = arena_norm(b, id, len);
    if (!copy)
        return TIMS_ENOMEM;
    b->cur.id = copy;
    return TIMS_OK;
}

tims_err tims__b_birth(wl_builder *b, const tims_wl_date *d)
{
    const tims_wl_date *have = b->births.items;
    for (size_t i = 0; i < b->births.count; i++) {
        if (have[i].year_from == d->year_from && have[i].year_to == d->year_to &&
            have[i].month == d->month && have[i].day == d->day && have[i].approx == d->approx)
            return TIMS_OK;
    }
    return vec_push(&b->births, d, sizeof *d);
}

static tims_err push_unique_string(wl_builder *b, wl_vec *v, const char *s, size_t len)
{
    if (normalise(b, s, len) != TIMS_OK)
        return TIMS_ENOMEM;
    if (b->scratch.len == 0)
        return TIMS_OK;
    const char **have = v->items;
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(have[i], b->scratch.data) == 0)
            return TIMS_OK;
    }
    const char *copy = tims__arena_strndup(b->arena, b->scratch.data, b->scratch.len);
    if (!copy)
        return TIMS_ENOMEM;
    return vec_push(v, &copy, sizeof copy);
}

tims_err tims__b_place(wl_builder *b, const char *s, size_t len)
{
    return push_unique_string(b, &b->places, s, len);
}

tims_err tims__b_program(wl_builder *b, const char *s, size_t len)
{
    return push_unique_string(b, &b->programs, s, len);
}

tims_err tims__b_nationality(wl_builder *b, const char *alpha3)
{
    if (!alpha3 || !alpha3[0] || strlen(alpha3) > 3)
        return TIMS_OK;
    char code[4] = {0};
    memcpy(code, alpha3, strlen(alpha3));
    char(*have)[4] = b->nats.items;
    for (size_t i = 0; i < b->nats.count; i++) {
        if (strcmp(have[i], code) == 0)
            return TIMS_OK;
    }
    return vec_push(&b->nats, code, sizeof code);
}

tims_err tims__b_document(wl_builder *b, const char *type, const char *number, size_t len,
                          const char *alpha3)
{
    if (normalise(b, number, len) != TIMS_OK)
        return TIMS_ENOMEM;
    if (b->scratch.len == 0)
        return TIMS_OK;
    tims_wl_document doc = {.type = type ? type : ""};
    if (alpha3 && strlen(alpha3) <= 3)
        memcpy(doc.country, alpha3, strlen(alpha3));
    const tims_wl_document *have = b->docs.items;
    for (size_t i = 0; i < b->docs.count; i++) {
        if (strcmp(have[i].number, b->scratch.data) == 0 &&
            strcmp(have[i].country, doc.country) == 0 && strcmp(have[i].type, doc.type) == 0)
            return TIMS_OK;
    }
    if (!(doc.number = tims__arena_strndup(b->arena, b->scratch.data, b->scratch.len)))
        return TIMS_ENOMEM;
    if (type && !(doc.type = tims__arena_strndup(b->arena, type, strlen(type))))
        return TIMS_ENOMEM;
    return vec_push(&b->docs, &doc, sizeof doc);
}

tims_err tims__b_address(wl_builder *b, const char *s, size_t len, const char *alpha3)
{
    if (normalise(b, s, len) != TIMS_OK)
        return TIMS_ENOMEM;
    if (b->scratch.len == 0)
        return TIMS_OK;
    tims_wl_address addr = {0};
    if (alpha3 && strlen(alpha3) <= 3)
        memcpy(addr.country, alpha3, strlen(alpha3));
    const tims_wl_address *have = b->addresses.items;
    for (size_t i = 0; i < b->addresses.count; i++) {
        if (strcmp(have[i].text, b->scratch.data) == 0)
            return TIMS_OK;
    }
    if (!(addr.text = tims__arena_strndup(b->arena, b->scratch.data, b->scratch.len)))
        return TIMS_ENOMEM;
    return vec_push(&b->addresses, &addr, sizeof addr);
}

tims_err tims__b_remarks(wl_builder *b, const char *s, size_t len)
{
    char *text = arena_norm(b, s, len);
    if (!text)
        return TIMS_ENOMEM;
    b->cur.remarks = text[0] ? text : NULL;
    return TIMS_OK;
}

tims_err tims__b_sublist(wl_builder *b, const char *s, size_t len)
{
    char *text = arena_norm(b, s, len);
    if (!text)
        return TIMS_ENOMEM;
    b->cur.sublist = text[0] ? text : NULL;
    return TIMS_OK;
}

/* Copy one scratch array into the arena; *count gets its length. */
static tims_err settle(wl_builder *b, const wl_vec *v, size_t size, void **items, size_t *count)
{
    *count = v->count;
    *items = NULL;
    if (v->count == 0)
        return TIMS_OK;
    if (!(*items = tims__arena_alloc(b->arena, v->count * size)))
        return TIMS_ENOMEM;
    memcpy(*items, v->items, v->count * size);
    return TIMS_OK;
}

tims_err tims__b_commit(wl_builder *b)
{
    tims_wl_entry *e = &b->cur;
    void *p;
    if (settle(b, &b->names, sizeof(tims_wl_name), &p, &e->name_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->names = p;
    if (settle(b, &b->births, sizeof(tims_wl_date), &p, &e->birth_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->births = p;
    if (settle(b, &b->places, sizeof(char *), &p, &e->birth_place_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->birth_places = p;
    if (settle(b, &b->nats, 4, &p, &e->nationality_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->nationalities = p;
    if (settle(b, &b->docs, sizeof(tims_wl_document), &p, &e->document_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->documents = p;
    if (settle(b, &b->programs, sizeof(char *), &p, &e->program_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->programs = p;
    if (settle(b, &b->addresses, sizeof(tims_wl_address), &p, &e->address_count) != TIMS_OK)
        return TIMS_ENOMEM;
    e->addresses = p;
    if (vec_push(&b->entries, e, sizeof *e) != TIMS_OK)
        return TIMS_ENOMEM;
    if (vec_push(&b->lines, &b->cur_line, sizeof b->cur_line) != TIMS_OK) {
        b->entries.count--;
        return TIMS_ENOMEM;
    }
    b->open = 0;
    return TIMS_OK;
}

tims_err tims__b_note_cut(wl_builder *b, const wl_csv *c)
{
    if (!c->cut_line)
        return TIMS_OK;
    b->dropped++;
    if (b->cuts.len && tims_buf_puts(&b->cuts, "; ") != TIMS_OK)
        return TIMS_ENOMEM;
    if (c->cut_in_quote)
        return tims_buf_printf(&b->cuts,
                               "%s line %u: the last row is cut off inside quoted field %zu",
                               c->file, c->cut_line, c->cut_field);
    return tims_buf_printf(&b->cuts, "%s line %u: the last row is cut off after %zu of %zu fields",
                           c->file, c->cut_line, c->cut_field, c->want);
}

/* n with a comma between thousands: "4,226". */
static char *grouped(size_t n, char out[32])
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

/* The warning of a list whose files were cut off, in the arena; NULL when out of memory. */
static const char *cut_warning(wl_builder *b, size_t rows)
{
    char n[32];
    if (tims_buf_printf(&b->cuts,
                        " (the file%s truncated); %s complete row%s imported, %zu dropped",
                        b->dropped > 1 ? "s look" : " looks", grouped(rows, n),
                        rows == 1 ? "" : "s", b->dropped) != TIMS_OK)
        return NULL;
    return tims__arena_strndup(b->arena, b->cuts.data, b->cuts.len);
}

/* qsort has no context argument: the entries being sorted are passed through this. */
static _Thread_local const tims_wl_entry *sort_entries;

static int compare_by_id(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sort_entries[i].id, sort_entries[j].id);
    return c ? c : (i < j ? -1 : i > j);
}

tims_err tims__b_finish(wl_builder *b, const char *file, const char *source, const char *format,
                        const char *release, size_t rows, tims_wl_list **out, tims_diag *diag)
{
    size_t n = b->entries.count;
    tims_wl_list *list = tims__arena_alloc(b->arena, sizeof *list);
    tims_wl_entry *entries = tims__arena_alloc(b->arena, n * sizeof *entries);
    size_t *by_id = tims__arena_alloc(b->arena, n * sizeof *by_id);
    if (!list || !entries || !by_id)
        return TIMS_ENOMEM;
    if (n)
        memcpy(entries, b->entries.items, n * sizeof *entries);
    for (size_t i = 0; i < n; i++)
        by_id[i] = i;
    sort_entries = entries;
    qsort(by_id, n, sizeof *by_id, compare_by_id);
    sort_entries = NULL;
    const unsigned *lines = b->lines.items;
    for (size_t i = 1; i < n; i++) {
        const tims_wl_entry *x = &entries[by_id[i - 1]], *y = &entries[by_id[i]];
        if (strcmp(x->id, y->id) == 0)
            return tims_diag_set(diag, TIMS_EDATA,
                                 "%s: the id '%s' is used twice (records at lines %u and %u); "
                                 "every entry needs its own id",
                                 file, x->id, lines[by_id[i - 1]], lines[by_id[i]]);
    }
    list->source = tims__arena_strndup(b->arena, source, strlen(source));
    list->format = tims__arena_strndup(b->arena, format, strlen(format));
    list->release =
        tims__arena_strndup(b->arena, release ? release : "", release ? strlen(release) : 0);
    if (!list->source || !list->format || !list->release)
        return TIMS_ENOMEM;
    if (b->dropped && !(list->warning = cut_warning(b, rows)))
        return TIMS_ENOMEM;
    list->entries = entries;
    list->count = n;
    list->rows = rows;
    list->dropped_rows = b->dropped;
    list->arena = b->arena;
    b->arena->by_id = by_id;
    b->arena = NULL;
    tims__b_free(b);
    *out = list;
    return TIMS_OK;
}

/* ---- the public face --------------------------------------------------------------------- */

tims_err tims_wl_import(const char *format, const char *path, tims_wl_list **out, tims_diag *diag)
{
    return tims_wl_import_ex(format, path, 0, out, diag);
}

tims_err tims_wl_import_ex(const char *format, const char *path, unsigned flags, tims_wl_list **out,
                           tims_diag *diag)
{
    tims_diag_clear(diag);
    if (!format || !path || !out)
        return tims_diag_set(diag, TIMS_EINVAL, "tims_wl_import needs a format, a path and *out");
    const unsigned both = TIMS_WL_IMPORT_STRICT | TIMS_WL_IMPORT_ALLOW_TRUNCATED;
    if ((flags & ~both) || (flags & both) == both)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "tims_wl_import_ex: flags 0x%x are not TIMS_WL_IMPORT_STRICT or "
                             "TIMS_WL_IMPORT_ALLOW_TRUNCATED",
                             flags);
    static const struct {
        const char *name;
        tims_err (*import)(const char *, unsigned, tims_wl_list **, tims_diag *);
    } importers[] = {
        {"ofac-csv", tims__import_ofac}, {"un-xml", tims__import_un},
        {"csl-csv", tims__import_csl},   {"dpl-tsv", tims__import_dpl},
        {"tims-csv", tims__import_tims},
    };
    for (size_t i = 0; i < TIMS_ARRAY_LEN(importers); i++) {
        if (strcmp(format, importers[i].name) == 0) {
            tims_wl_list *list = NULL;
            tims_err err = importers[i].import(path, flags & TIMS_WL_IMPORT_STRICT, &list, diag);
            if (err == TIMS_OK)
                *out = list;
            else if (err == TIMS_ENOMEM && diag && !diag->text[0])
                tims_diag_set(diag, err, "out of memory while importing %s", path);
            return err;
        }
    }
    return tims_diag_set(diag, TIMS_EINVAL,
                         "unknown list format '%s'; use ofac-csv, un-xml, csl-csv, dpl-tsv or "
                         "tims-csv",
                         format);
}

void tims_wl_list_free(tims_wl_list *list)
{
    if (list)
        tims__arena_free(list->arena); /* the list itself lives in its arena */
}

const tims_wl_entry *tims_wl_find(const tims_wl_list *list, const char *id)
{
    if (!list || !id || !list->arena || !list->arena->by_id)
        return NULL;
    const size_t *by_id = list->arena->by_id;
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(list->entries[by_id[mid]].id, id);
        if (c == 0)
            return &list->entries[by_id[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *tims_wl_type_name(int type)
{
    static const char *const words[] = {"person", "entity", "vessel", "aircraft", "document"};
    return type >= 0 && (size_t)type < TIMS_ARRAY_LEN(words) ? words[type] : "?";
}

const char *tims_wl_category_name(int category)
{
    static const char *const words[] = {"sanction", "wanted", "entry_ban", "lost_stolen"};
    return category >= 0 && (size_t)category < TIMS_ARRAY_LEN(words) ? words[category] : "?";
}

const char *tims_wl_name_kind_name(int kind)
{
    static const char *const words[] = {"primary", "alias", "former", "original"};
    return kind >= 0 && (size_t)kind < TIMS_ARRAY_LEN(words) ? words[kind] : "?";
}

char *tims_wl_date_format(const tims_wl_date *d, char buf[32])
{
    const char *approx = d->approx ? "~" : "";
    if (d->year_from == 0)
        snprintf(buf, 32, "%s?", approx);
    else if (d->year_to != d->year_from)
        snprintf(buf, 32, "%s%04d..%04d", approx, d->year_from, d->year_to);
    else if (d->month && d->day)
        snprintf(buf, 32, "%s%04d-%02u-%02u", approx, d->year_from, (unsigned)d->month,
                 (unsigned)d->day);
    else if (d->month)
        snprintf(buf, 32, "%s%04d-%02u", approx, d->year_from, (unsigned)d->month);
    else
        snprintf(buf, 32, "%s%04d", approx, d->year_from);
    return buf;
}
