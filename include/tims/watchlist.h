/* watchlist.h - watchlists: the list model, importers of the real list formats, and screening.
 *
 * A tims_wl_list holds the entries of one list release (OFAC SDN, UN, CSL, a national list ...)
 * in one model, whatever the file format it came from. Importers parse a file set completely
 * before returning: either a whole valid list or an error naming file, line and field, never
 * a partial list. A list owns all its memory (strings live in its arena); tims_wl_list_free()
 * releases everything and is safe on NULL.
 *
 * Screening (tims_wl_index) is built over one or more lists and answers queries by name, date
 * of birth, nationality, sex and document; see the second half of this header.
 * Nothing here prints, exits, or reads the clock or environment. */
#ifndef TIMS_WATCHLIST_H
#define TIMS_WATCHLIST_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"

/* ---- list model ------------------------------------------------------------------------- */

typedef enum tims_wl_type {
    TIMS_WL_PERSON,
    TIMS_WL_ENTITY,
    TIMS_WL_VESSEL,
    TIMS_WL_AIRCRAFT,
    TIMS_WL_DOCUMENT /* a lost or stolen document: no person, only document keys */
} tims_wl_type;

/* Why an entry is listed; national lists say it per entry, sanctions lists are all SANCTION. */
typedef enum tims_wl_category {
    TIMS_WL_SANCTION,
    TIMS_WL_WANTED,
    TIMS_WL_ENTRY_BAN,
    TIMS_WL_LOST_STOLEN
} tims_wl_category;

typedef enum tims_wl_name_kind {
    TIMS_WL_PRIMARY,     /* the listed name */
    TIMS_WL_ALIAS,       /* a.k.a. */
    TIMS_WL_FORMER,      /* f.k.a. / n.k.a. */
    TIMS_WL_ORIGINAL     /* the name in its original script */
} tims_wl_name_kind;

typedef struct tims_wl_name {
    const char *full;      /* as the list writes it, UTF-8, in "First Last" order when known */
    uint8_t kind;          /* tims_wl_name_kind */
    uint8_t weak;          /* a weak / low-quality alias (OFAC "weak", UN "Low") */
} tims_wl_name;

/* A date of birth: exact, month-only, year-only, or a range of years. */
typedef struct tims_wl_date {
    int16_t year_from;     /* 0 = unknown */
    int16_t year_to;       /* == year_from for a single year */
    uint8_t month;         /* 0 = unknown */
    uint8_t day;           /* 0 = unknown */
} tims_wl_date;

typedef struct tims_wl_document {
    const char *type;      /* "passport", "national id", ... as the list says; may be "" */
    const char *number;    /* as written */
    char country[4];       /* ISO 3166-1 alpha-3 of the issuer, "" when unknown */
} tims_wl_document;

typedef struct tims_wl_entry {
    const char *id;                  /* unique within its list: the source's own id */
    uint8_t type;                    /* tims_wl_type */
    uint8_t category;                /* tims_wl_category */
    char gender;                     /* 'M', 'F' or 0 */
    tims_wl_name *names;             /* names[0] is the primary name */
    size_t name_count;
    tims_wl_date *births;
    size_t birth_count;
    const char **birth_places;
    size_t birth_place_count;
    char (*nationalities)[4];        /* alpha-3 codes (nationality and citizenship) */
    size_t nationality_count;
    tims_wl_document *documents;
    size_t document_count;
    const char **programs;           /* sanction programmes, e.g. "SDGT" */
    size_t program_count;
    const char *remarks;             /* free text kept for display; may be NULL */
} tims_wl_entry;

typedef struct tims_wl_arena tims_wl_arena; /* private */

typedef struct tims_wl_list {
    const char *source;    /* "ofac-sdn", "ofac-nonsdn", "un", "csl", "dpl", or a national name */
    const char *format;    /* the importer used: "ofac-csv", "un-xml", "csl-csv", "dpl-tsv", "tims-csv" */
    const char *release;   /* the release date or generation stamp the file carries, or "" */
    tims_wl_entry *entries;
    size_t count;
    tims_wl_arena *arena;  /* owns every string and array above */
} tims_wl_list;

/* tims_wl_import - read a list in the named format from path (a folder for ofac-csv, a file
 * for the others) into *out, which the caller frees with tims_wl_list_free.
 * Formats: "ofac-csv", "un-xml", "csl-csv", "dpl-tsv", "tims-csv".
 * On any malformed input returns TIMS_EDATA (or TIMS_ENOENT / TIMS_EIO) with diag naming the
 * file, line and field, and *out untouched. */
tims_err tims_wl_import(const char *format, const char *path, tims_wl_list **out,
                        tims_diag *diag);
void tims_wl_list_free(tims_wl_list *list);

/* ---- screening -------------------------------------------------------------------------- */
/* (the index, queries and hits: owned by the screening code in src/watchlist/) */

#endif
