/* list_diff.c - what changed between two releases of a list: entries added, removed, and
 * changed, with the fields that differ. Entries match by id; the arrays of an entry compare as
 * sets, since a list may reorder aliases or dates without changing anything. */
#include <string.h>

#include "watchlist/list_int.h"

static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int name_eq(const void *x, const void *y)
{
    const tims_wl_name *a = x, *b = y;
    return a->kind == b->kind && a->weak == b->weak && strcmp(a->full, b->full) == 0;
}

static int date_eq(const void *x, const void *y)
{
    const tims_wl_date *a = x, *b = y;
    return a->year_from == b->year_from && a->year_to == b->year_to && a->month == b->month &&
           a->day == b->day && a->approx == b->approx;
}

static int str_eq(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y) == 0;
}

static int code_eq(const void *x, const void *y)
{
    return strcmp(x, y) == 0;
}

static int doc_eq(const void *x, const void *y)
{
    const tims_wl_document *a = x, *b = y;
    return strcmp(a->number, b->number) == 0 && strcmp(a->country, b->country) == 0 &&
           strcmp(a->type, b->type) == 0;
}

static int addr_eq(const void *x, const void *y)
{
    const tims_wl_address *a = x, *b = y;
    return strcmp(a->text, b->text) == 0 && strcmp(a->country, b->country) == 0;
}

/* Equal as sets: every item of each has an equal item in the other. */
static int same_set(const void *a, size_t na, const void *b, size_t nb, size_t size,
                    int (*eq)(const void *, const void *))
{
    for (int pass = 0; pass < 2; pass++) {
        const char *x = pass ? b : a, *y = pass ? a : b;
        size_t nx = pass ? nb : na, ny = pass ? na : nb;
        for (size_t i = 0; i < nx; i++) {
            size_t k = 0;
            while (k < ny && !eq(x + i * size, y + k * size))
                k++;
            if (k == ny)
                return 0;
        }
    }
    return 1;
}

static unsigned differences(const tims_wl_entry *a, const tims_wl_entry *b)
{
    unsigned f = 0;
    if (a->type != b->type)
        f |= TIMS_WL_F_TYPE;
    if (a->category != b->category)
        f |= TIMS_WL_F_CATEGORY;
    if (a->gender != b->gender)
        f |= TIMS_WL_F_GENDER;
    if (!same_set(a->names, a->name_count, b->names, b->name_count, sizeof *a->names, name_eq) ||
        (a->name_count && b->name_count && strcmp(a->names[0].full, b->names[0].full) != 0))
        f |= TIMS_WL_F_NAMES;
    if (!same_set(a->births, a->birth_count, b->births, b->birth_count, sizeof *a->births, date_eq))
        f |= TIMS_WL_F_BIRTHS;
    if (!same_set(a->birth_places, a->birth_place_count, b->birth_places, b->birth_place_count,
                  sizeof *a->birth_places, str_eq))
        f |= TIMS_WL_F_BIRTH_PLACES;
    if (!same_set(a->nationalities, a->nationality_count, b->nationalities, b->nationality_count,
                  sizeof *a->nationalities, code_eq))
        f |= TIMS_WL_F_NATIONALITIES;
    if (!same_set(a->documents, a->document_count, b->documents, b->document_count,
                  sizeof *a->documents, doc_eq))
        f |= TIMS_WL_F_DOCUMENTS;
    if (!same_set(a->programs, a->program_count, b->programs, b->program_count, sizeof *a->programs,
                  str_eq))
        f |= TIMS_WL_F_PROGRAMS;
    if (!same_set(a->addresses, a->address_count, b->addresses, b->address_count,
                  sizeof *a->addresses, addr_eq))
        f |= TIMS_WL_F_ADDRESSES;
    if (!same_str(a->remarks, b->remarks))
        f |= TIMS_WL_F_REMARKS;
    return f;
}

const char *tims_wl_field_name(unsigned bit)
{
    static const char *const names[TIMS_WL_F_COUNT] = {
        "type",   "category",  "names",    "births",    "birth_places", "nationalities",
        "gender", "documents", "programs", "addresses", "remarks",
    };
    for (unsigned i = 0; i < TIMS_WL_F_COUNT; i++) {
        if (bit == 1u << i)
            return names[i];
    }
    return "?";
}

void tims_wl_diff_free(tims_wl_diff *diff)
{
    if (!diff)
        return;
    tims_free(diff->added);
    tims_free(diff->removed);
    tims_free(diff->changed);
    tims_free(diff);
}

tims_err tims_wl_diff_lists(const tims_wl_list *old_list, const tims_wl_list *new_list,
                            tims_wl_diff **out)
{
    if (!old_list || !new_list || !out)
        return TIMS_EINVAL;
    const size_t *ia = old_list->arena->by_id, *ib = new_list->arena->by_id;
    size_t na = old_list->count, nb = new_list->count;
    tims_wl_diff *d = tims_calloc(1, sizeof *d);
    if (!d)
        return TIMS_ENOMEM;
    d->added = tims_calloc(nb + 1, sizeof *d->added);
    d->removed = tims_calloc(na + 1, sizeof *d->removed);
    d->changed = tims_calloc((na < nb ? na : nb) + 1, sizeof *d->changed);
    if (!d->added || !d->removed || !d->changed) {
        tims_wl_diff_free(d);
        return TIMS_ENOMEM;
    }
    size_t i = 0, k = 0;
    while (i < na || k < nb) {
        const tims_wl_entry *a = i < na ? &old_list->entries[ia[i]] : NULL;
        const tims_wl_entry *b = k < nb ? &new_list->entries[ib[k]] : NULL;
        int c = !a ? 1 : !b ? -1 : strcmp(a->id, b->id);
        if (c < 0) {
            d->removed[d->removed_count++] = a;
            i++;
        } else if (c > 0) {
            d->added[d->added_count++] = b;
            k++;
        } else {
            unsigned f = differences(a, b);
            if (f)
                d->changed[d->changed_count++] = (tims_wl_change){a, b, f};
            else
                d->unchanged_count++;
            i++;
            k++;
        }
    }
    *out = d;
    return TIMS_OK;
}
