/* list_int.h - what the list model's files share inside src/watchlist: the arena, the entry
 * builder every importer fills, the CSV reader, and the text helpers (dates, countries, UTF-8).
 *
 * Names here start with tims__ (two underscores): internal to libtims, not an API.
 * Ownership: a builder owns its arena until tims__b_finish() hands it to the finished list;
 * tims__b_free() releases a builder that was not finished (safe on a zeroed builder). */
#ifndef TIMS_WATCHLIST_LIST_INT_H
#define TIMS_WATCHLIST_LIST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"
#include "tims/watchlist.h"

/* ---- arena: strings and arrays of one list, freed all at once --------------------------- */

struct tims_wl_arena {
    struct arena_block *blocks;
    size_t *by_id; /* entry indexes sorted by id (tims_wl_find), in the arena */
};

tims_wl_arena *tims__arena_new(void);
void tims__arena_free(tims_wl_arena *a);
/* Zeroed, 8-byte aligned memory that lives as long as the arena; NULL on failure. */
void *tims__arena_alloc(tims_wl_arena *a, size_t size);
char *tims__arena_strndup(tims_wl_arena *a, const char *s, size_t len);

typedef struct wl_csv wl_csv; /* the CSV reader, below */

/* ---- builder: one entry at a time, copied into the arena on commit ----------------------- */

typedef struct wl_vec {
    void *items;
    size_t count, cap;
} wl_vec;

typedef struct wl_builder {
    tims_wl_arena *arena;
    wl_vec entries; /* tims_wl_entry */
    wl_vec lines;   /* unsigned: the source line of each entry, for messages */
    int open;       /* an entry is being built */
    tims_wl_entry cur;
    unsigned cur_line;
    wl_vec names, births, places, nats, docs, programs, addresses;
    tims_buf scratch; /* for normalising text before it is copied */
    tims_buf cuts;    /* what tims__b_note_cut recorded: "FILE line N: ..." clauses */
    size_t dropped;   /* records dropped because the file ended inside them */
} wl_builder;

tims_err tims__b_init(wl_builder *b);
void tims__b_free(wl_builder *b);
/* Start an entry; id is copied (whitespace trimmed). line is kept for messages. */
tims_err tims__b_begin(wl_builder *b, const char *id, size_t id_len, int type, int category,
                       unsigned line);
/* Add a name: whitespace runs collapse to one space; empty names and repeats are ignored.
 * For persons written "LAST, First" with flip set, full becomes "First LAST" and listed keeps
 * the original. A PRIMARY name always becomes names[0], whenever it is added. */
tims_err tims__b_name(wl_builder *b, const char *s, size_t len, int kind, int weak, int flip);
/* Set or replace the id of the entry being built (formats that give it late). */
tims_err tims__b_set_id(wl_builder *b, const char *id, size_t len);
tims_err tims__b_birth(wl_builder *b, const tims_wl_date *d);
tims_err tims__b_place(wl_builder *b, const char *s, size_t len);
tims_err tims__b_nationality(wl_builder *b, const char *alpha3);
tims_err tims__b_document(wl_builder *b, const char *type, const char *number, size_t len,
                          const char *alpha3);
tims_err tims__b_program(wl_builder *b, const char *s, size_t len);
tims_err tims__b_address(wl_builder *b, const char *s, size_t len, const char *alpha3);
tims_err tims__b_remarks(wl_builder *b, const char *s, size_t len);
tims_err tims__b_sublist(wl_builder *b, const char *s, size_t len);
/* Copy the entry into the arena. */
tims_err tims__b_commit(wl_builder *b);
/* Record that c's last record was cut off by the end of its file and dropped (nothing when
 * c->cut_line is 0); tims__b_finish turns the notes into list->warning and dropped_rows. */
tims_err tims__b_note_cut(wl_builder *b, const wl_csv *c);
/* Check ids are unique (file names the input for the message), then build the list. On
 * success the builder is emptied and its arena belongs to *out. */
tims_err tims__b_finish(wl_builder *b, const char *file, const char *source, const char *format,
                        const char *release, size_t rows, tims_wl_list **out, tims_diag *diag);

/* ---- files and text -------------------------------------------------------------------- */

/* Read a whole file. Empty files, missing files and unreadable ones are errors with a
 * sentence in diag. */
tims_err tims__read_file(const char *path, tims_buf *out, tims_diag *diag);
/* Check UTF-8 (no overlongs, surrogates or NUL bytes); on failure name file, line, column. */
tims_err tims__check_utf8(const char *file, const char *s, size_t len, tims_diag *diag);
/* The last path component (borrowed). */
const char *tims__basename(const char *path);

/* Parse a date as lists write it: "05 Jun 1970", "Jun 1970", "June 1970", "Nov. 1973", "1970",
 * "1970-06-05", "1970-06", "circa 1970", "1965 to 1969", "1979-1982", "01 Jan 1961 to 31 Dec
 * 1962". Returns 1 and fills d, or 0 when the text is not a date. */
int tims__parse_date(const char *s, size_t len, tims_wl_date *d);

/* The alpha-3 code for a country name, as written by lists (with the extra spellings lists use
 * beyond tims_country_code_from_name); NULL when unknown. */
const char *tims__country(const char *s, size_t len);

/* A document label ("Passport", "Cedula No.", "National ID No.") to the document type stored,
 * or NULL when the label is not an identity or vessel document. *label_len gets the length of
 * the label matched at the start of s (followed by a space or end). */
const char *tims__document_label(const char *s, size_t len, size_t *label_len);

/* Guess person or entity from a name alone, for lists that do not say: entity when the name
 * has a company or organisation word, digits, '&', an acronym inside a mixed-case name, or is
 * one word; person otherwise. A heuristic: it errs towards person, which screening sees. */
int tims__guess_type(const char *name, size_t len);

/* Parse OFAC-style free-text remarks ("DOB 05 Jun 1970; POB ...; Passport ...; a.k.a. 'X'.")
 * into the current entry. person says whether a.k.a. names are "LAST, First". */
tims_err tims__ofac_remarks(wl_builder *b, const char *s, size_t len, int person);

/* ---- CSV reader ------------------------------------------------------------------------- */

/* What the reader does with a last record that the end of the data cuts off: the data ends
 * inside a quoted field that holds no line break, or (once want is set) mid-record, with
 * fewer than want fields and no line end. */
enum wl_tail {
    WL_TAIL_PLAIN,  /* no such check (a header, or data with its own end mark): the quote
                       error, or the short record returned as it is */
    WL_TAIL_REFUSE, /* an error saying the file looks truncated */
    WL_TAIL_DROP    /* the record is dropped and the data ends; cut_* say what was dropped */
};

struct wl_csv {
    const char *file; /* name for messages */
    const char *p, *end;
    char delim;
    unsigned line;     /* where the next record starts */
    unsigned rec_line; /* where the current record starts */
    tims_buf buf;      /* field bytes, each NUL-terminated */
    wl_vec offsets;    /* size_t: start of each field in buf */
    size_t nfields;
    int tail;          /* enum wl_tail; PLAIN after tims__csv_init */
    size_t want;       /* the fields of a complete record, 0 when not known */
    unsigned cut_line; /* WL_TAIL_DROP: the line where the dropped record starts, else 0 */
    size_t cut_field;  /* the field the end of the data fell in (1-based) */
    int cut_in_quote;  /* ... inside its quotes (else: after cut_field fields) */
};

void tims__csv_init(wl_csv *c, const char *file, const char *data, size_t len, char delim);
void tims__csv_free(wl_csv *c);
/* Read the next record: 1 when there is one, 0 at the end, or a negative tims_err with diag
 * filled (unterminated quote, text after a closing quote, a cut-off last record under
 * WL_TAIL_REFUSE). Blank lines are skipped. */
int tims__csv_next(wl_csv *c, tims_diag *diag);
const char *tims__csv_field(const wl_csv *c, size_t i);
/* The tail mode import flags ask for: WL_TAIL_REFUSE under TIMS_WL_IMPORT_STRICT, else DROP. */
int tims__csv_tail(unsigned flags);
/* Fail unless the record has exactly n fields. */
tims_err tims__csv_expect(const wl_csv *c, size_t n, tims_diag *diag);

/* ---- importers --------------------------------------------------------------------------- */

/* flags: TIMS_WL_IMPORT_STRICT or 0, as tims_wl_import_ex takes them. The CSV importers read
 * their records with tims__csv_tail(flags); the UN importer has no use for them. */
tims_err tims__import_ofac(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag);
tims_err tims__import_un(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag);
tims_err tims__import_csl(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag);
tims_err tims__import_dpl(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag);
tims_err tims__import_tims(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag);

/* The files an ofac-csv folder holds: fills names (up to 4) with the files present, in the
 * order primary, alt, add, comments; returns how many, or a negative error (no primary). */
int tims__ofac_files(const char *dir, const char *names[4], tims_diag *diag);

#endif
