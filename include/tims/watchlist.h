/* watchlist.h - watchlists: the list model, importers of the real list formats, and screening.
 *
 * A tims_wl_list holds the entries of one list release (OFAC SDN, UN, CSL, a national list ...)
 * in one model, whatever the file format it came from. Importers parse a file set completely
 * before returning: either a whole valid list or an error naming file, line and field, never
 * a partial list. The one exception: tims_wl_import reads a CSV whose last row is cut off by
 * the end of the file without that row, and says so (dropped_rows, warning); the node's store
 * (tims_wl_install) refuses such a file unless its caller allows it. A list owns all its
 * memory (strings live in its arena); tims_wl_list_free() releases everything, safe on NULL.
 *
 * Lists a node uses live in its data folder (DIR/lists/NAME/, with a manifest of hashes):
 * tims_wl_install() stores one atomically, tims_wl_load_dir() loads them all, checked.
 * tims_wl_diff_lists() compares two releases. docs/lists.md describes the formats.
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
    const char *listed;    /* the form the list writes ("LAST, First") when it differs from
                              full, else NULL */
} tims_wl_name;

/* A date of birth: exact, month-only, year-only, or a range of years. */
typedef struct tims_wl_date {
    int16_t year_from;     /* 0 = unknown */
    int16_t year_to;       /* == year_from for a single year */
    uint8_t month;         /* 0 = unknown */
    uint8_t day;           /* 0 = unknown */
    uint8_t approx;        /* the list says "circa" / APPROXIMATELY */
} tims_wl_date;

typedef struct tims_wl_document {
    const char *type;      /* "passport", "national id", ... as the list says; may be "" */
    const char *number;    /* as written */
    char country[4];       /* ISO 3166-1 alpha-3 of the issuer, "" when unknown */
} tims_wl_document;

/* An address as the list writes it, one line; kept for display and diffs, not for matching. */
typedef struct tims_wl_address {
    const char *text;      /* "street, city, state postcode, country" (parts present only) */
    char country[4];       /* alpha-3, "" when unknown */
} tims_wl_address;

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
    const char *sublist;             /* combined lists (CSL): the list the row comes from,
                                        e.g. "SDN", "EL", "DPL"; NULL otherwise */
    tims_wl_address *addresses;
    size_t address_count;
} tims_wl_entry;

typedef struct tims_wl_arena tims_wl_arena; /* private */

typedef struct tims_wl_list {
    const char *source;    /* "ofac-sdn", "ofac-nonsdn", "un", "csl", "dpl", or a national name */
    const char *format;    /* the importer used: "ofac-csv", "un-xml", "csl-csv", "dpl-tsv", "tims-csv" */
    const char *release;   /* the release date or generation stamp the file carries, or "" */
    tims_wl_entry *entries;
    size_t count;
    tims_wl_arena *arena;  /* owns every string and array above */
    const char *name;      /* the folder name under DIR/lists when loaded by tims_wl_load_dir,
                              else NULL */
    size_t rows;           /* records read from the source (rows or XML records); differs from
                              count where rows merge (DPL: one entry per person and order) */
    size_t dropped_rows;   /* records dropped because the file ends inside them (a truncated
                              CSV/TSV file read without TIMS_WL_IMPORT_STRICT); 0 normally */
    const char *warning;   /* one sentence saying what was dropped and where, or NULL */
} tims_wl_list;

/* Flags for tims_wl_import_ex and tims_wl_install. */
enum {
    TIMS_WL_IMPORT_STRICT = 1u << 0,         /* a truncated last record is an error */
    TIMS_WL_IMPORT_ALLOW_TRUNCATED = 1u << 1 /* it is dropped, with list->warning set */
};

/* tims_wl_import - read a list in the named format from path (a folder for ofac-csv, a file
 * for the others) into *out, which the caller frees with tims_wl_list_free.
 * Formats: "ofac-csv", "un-xml", "csl-csv", "dpl-tsv", "tims-csv".
 * On any malformed input returns TIMS_EDATA (or TIMS_ENOENT / TIMS_EIO) with diag naming the
 * file, line and field, and *out untouched. One defect is let through, for reading a file as
 * it is (show, diff, screening): a CSV/TSV file whose last record is cut off by the end of
 * the file (inside a quoted field, or short of fields with no line end after it). That record
 * is dropped, list->dropped_rows counts it and list->warning says so. Truncated XML is still
 * an error. Same as tims_wl_import_ex(format, path, 0, out, diag). */
tims_err tims_wl_import(const char *format, const char *path, tims_wl_list **out,
                        tims_diag *diag);
/* tims_wl_import_ex - tims_wl_import with flags: TIMS_WL_IMPORT_STRICT makes a cut-off last
 * record an error too; TIMS_WL_IMPORT_ALLOW_TRUNCATED is the default. Both, or any other bit,
 * give TIMS_EINVAL. */
tims_err tims_wl_import_ex(const char *format, const char *path, unsigned flags,
                           tims_wl_list **out, tims_diag *diag);
void tims_wl_list_free(tims_wl_list *list);

/* tims_wl_find - the entry with this id, or NULL; borrowed from list (O(log n)). */
const tims_wl_entry *tims_wl_find(const tims_wl_list *list, const char *id);

/* Words for the enums ("person", "entity", "vessel", "aircraft", "document"; "sanction",
 * "wanted", "entry_ban", "lost_stolen"; "primary", "alias", "former", "original").
 * Static strings; "?" for a value out of range. */
const char *tims_wl_type_name(int type);
const char *tims_wl_category_name(int category);
const char *tims_wl_name_kind_name(int kind);

/* tims_wl_date_format - write d as text into buf: "1970-06-05", "1970-06", "1970",
 * "1965..1969", with a leading "~" when approximate. Returns buf. */
char *tims_wl_date_format(const tims_wl_date *d, char buf[32]);

/* ---- comparing two releases ------------------------------------------------------------ */

/* Fields of an entry, as bits, for tims_wl_diff. */
enum {
    TIMS_WL_F_TYPE = 1u << 0,
    TIMS_WL_F_CATEGORY = 1u << 1,
    TIMS_WL_F_NAMES = 1u << 2,
    TIMS_WL_F_BIRTHS = 1u << 3,
    TIMS_WL_F_BIRTH_PLACES = 1u << 4,
    TIMS_WL_F_NATIONALITIES = 1u << 5,
    TIMS_WL_F_GENDER = 1u << 6,
    TIMS_WL_F_DOCUMENTS = 1u << 7,
    TIMS_WL_F_PROGRAMS = 1u << 8,
    TIMS_WL_F_ADDRESSES = 1u << 9,
    TIMS_WL_F_REMARKS = 1u << 10,
    TIMS_WL_F_COUNT = 11
};

/* tims_wl_field_name - "type", "category", "names", "births", "birth_places", "nationalities",
 * "gender", "documents", "programs", "addresses", "remarks" for one bit; "?" otherwise. */
const char *tims_wl_field_name(unsigned bit);

typedef struct tims_wl_change {
    const tims_wl_entry *old_entry;
    const tims_wl_entry *new_entry;
    unsigned fields;                 /* TIMS_WL_F_* bits that differ */
} tims_wl_change;

/* The difference between two releases of a list, matched by entry id. Every pointer is
 * borrowed from the two lists, which must outlive the diff. Arrays are sorted by id. Lists
 * compare as sets: an alias or date that only moved is not a change. */
typedef struct tims_wl_diff {
    const tims_wl_entry **added;     /* in new only */
    size_t added_count;
    const tims_wl_entry **removed;   /* in old only */
    size_t removed_count;
    tims_wl_change *changed;         /* in both, with different fields */
    size_t changed_count;
    size_t unchanged_count;
} tims_wl_diff;

/* tims_wl_diff_lists - compare two releases; *out is freed with tims_wl_diff_free. */
tims_err tims_wl_diff_lists(const tims_wl_list *old_list, const tims_wl_list *new_list,
                            tims_wl_diff **out);
void tims_wl_diff_free(tims_wl_diff *diff);

/* ---- lists stored in a node's data folder ---------------------------------------------- */
/* `tims list import` keeps each list in DIR/lists/NAME/: a byte-for-byte copy of the source
 * file(s) and manifest.json (format, source, release, entry count, and the BLAKE2b-256 of each
 * file). A list is replaced atomically: the new folder is built and synced beside the old one
 * and swapped in only when complete, so a failed import leaves the old list as it was. */

/* tims_wl_install - import path (format as for tims_wl_import) into DIR/lists/name, replacing
 * a list of that name. The copy is what gets validated, so what is stored is what was checked.
 * A stored list is never silently incomplete: a file with a cut-off last record is refused
 * (TIMS_EDATA) unless flags has TIMS_WL_IMPORT_ALLOW_TRUNCATED, and then the manifest records
 * dropped_rows and the warning. flags 0 (or TIMS_WL_IMPORT_STRICT) is strict; any other bit is
 * TIMS_EINVAL. imported_at_us (UTC microseconds, from the caller's clock) goes into the
 * manifest. name must match [a-z0-9][a-z0-9._-]{0,63}. DIR must exist (TIMS_ENOENT otherwise).
 * On success, *out (if out is not NULL) receives the imported list, which the caller frees. */
tims_err tims_wl_install(const char *dir, const char *name, const char *format,
                         const char *path, unsigned flags, int64_t imported_at_us,
                         tims_wl_list **out, tims_diag *diag);

/* tims_wl_load_dir - load every list stored in DIR/lists, in name order, checking each file
 * against its manifest hash (TIMS_ETAMPER when a file changed). A list stored with
 * TIMS_WL_IMPORT_ALLOW_TRUNCATED loads with its dropped_rows and warning set; every other list
 * is read strictly. *lists is an array of *count
 * lists (each with ->name set), freed with tims_wl_lists_free. No DIR/lists folder gives zero
 * lists; a missing DIR gives TIMS_ENOENT. */
tims_err tims_wl_load_dir(const char *dir, tims_wl_list ***lists, size_t *count,
                          tims_diag *diag);
void tims_wl_lists_free(tims_wl_list **lists, size_t count);

/* ---- screening -------------------------------------------------------------------------- */
/* (the index, queries and hits: owned by the screening code in src/watchlist/) */
#include "tims/names.h"

/* tims_wl_index answers "is this traveller on a list?" without scanning the lists. It is built
 * once over one or more lists and only read afterwards, so any number of threads may query it
 * at the same time. It borrows the lists: they must outlive the index.
 *
 * Names are parsed with tims_name_parse; each token is indexed under its own text, its
 * deletion neighbourhood (every spelling one letter shorter, for tokens of 3 letters or more)
 * and sound keys (consonant skeletons, the romanisation key), so one-letter typos, doubled
 * letters, swapped neighbours and common transliteration variants still find the entry.
 * Candidates are scored from the token pairs tims_name_similarity chooses, with rarity weights
 * (IDF over the entries of the loaded lists); the date of birth, nationality, sex and entry
 * type adjust the score (docs/screening.md gives the formula, the numbers and why). A document
 * number with its issuing state is an exact key: a hit on its own. */

#define TIMS_WL_DEFAULT_THRESHOLD 0.88 /* the screening verdict threshold (score scale 0..1) */

enum {
    TIMS_WL_DOC_MAX = 40,      /* longest normalised document number */
    TIMS_WL_MAX_REASONS = 8,   /* explanation sentences per hit */
    TIMS_WL_REASON_LEN = 240,
};

typedef struct tims_wl_index tims_wl_index;

/* tims_wl_index_build - index n lists (borrowed; they must outlive the index). Entries of
 * every type are indexed; names with no letters are skipped. *out is freed with
 * tims_wl_index_free (safe on NULL). Fails only on memory (TIMS_ENOMEM) or on more than
 * 2^31 names or tokens (TIMS_ERANGE), with a sentence in diag. */
tims_err tims_wl_index_build(const tims_wl_list *const *lists, size_t n, tims_wl_index **out,
                             tims_diag *diag);
void tims_wl_index_free(tims_wl_index *idx);

/* Sizes of a built index, for logs and benchmarks. */
typedef struct tims_wl_index_stats {
    size_t lists, entries, names, tokens, keys, postings, documents;
    size_t bytes; /* memory the index itself holds (not the lists) */
} tims_wl_index_stats;
void tims_wl_index_stats_get(const tims_wl_index *idx, tims_wl_index_stats *out);

/* tims_wl_token_weight - the rarity weight of a token (lower-case ASCII, as tims_name_parse
 * gives them) over the index's lists: ln(1 + N / df), N entries, df entries whose names hold
 * the token. A token that no entry holds weighs as the rarest. Usable as a
 * tims_token_weight_fn with the index as ctx. */
double tims_wl_token_weight(const char *token, size_t len, void *idx);

/* Which entry types a query looks at: bits (1u << tims_wl_type); 0 means all. */
#define TIMS_WL_TYPES_ALL 0u

typedef struct tims_wl_query {
    const char *name;         /* UTF-8; NULL or "" for a document-only query */
    unsigned name_flags;      /* tims_name_parse flags, e.g. TIMS_NAME_MRZ for an MRZ name field */
    tims_wl_date dob;         /* year_from == 0: not given */
    char nationality[4];      /* alpha-3, "" when not given */
    char sex;                 /* 'M', 'F' or 0 */
    const char *doc_number;   /* NULL when not given; spaces, '-' and '<' do not matter */
    char doc_country[4];      /* issuing state, alpha-3 ("D" for Germany as in the MRZ) */
    double threshold;         /* 0: TIMS_WL_DEFAULT_THRESHOLD */
    unsigned types;           /* TIMS_WL_TYPES_ALL or a mask of (1u << tims_wl_type) */
} tims_wl_query;

/* How one field of the query compared with the entry. */
typedef enum tims_wl_verdict {
    TIMS_WL_NOT_COMPARED = 0, /* the query or the entry does not have it */
    TIMS_WL_AGREES,           /* date: the same day; others: equal */
    TIMS_WL_CLOSE,            /* date: same year (or inside the listed range) */
    TIMS_WL_NEAR,             /* date: one year apart */
    TIMS_WL_DISAGREES
} tims_wl_verdict;

typedef struct tims_wl_check {
    uint8_t verdict;          /* tims_wl_verdict */
    float adjust;             /* what it added to (or took from) the score */
} tims_wl_check;

/* One hit, with everything needed to explain it. Pointers are borrowed from the lists. */
typedef struct tims_wl_hit {
    double score;              /* final score, 0..1: name score plus the adjustments */
    double threshold;          /* the threshold in force */
    double name_score;         /* the name's score before the fields (docs/screening.md) */
    const tims_wl_list *list;
    const tims_wl_entry *entry;
    size_t list_index;         /* position of list in the array given to the build */
    size_t entry_index;        /* position of entry in list->entries */
    int name_index;            /* entry->names[name_index] matched; -1 for a document-only hit */
    const char *matched_name;  /* entry->names[name_index].full, or NULL */
    uint8_t document_hit;      /* the document number and issuing state matched a listed one */
    tims_name_match match;     /* the token pairs scored (query token, listed token indexes):
                                  those sharing an index key (docs/screening.md, the anchor
                                  rule), at the similarity counted; match.score is
                                  tims_name_similarity's own score */
    tims_wl_check dob, nationality, sex, type;
    size_t reason_count;
    char reasons[TIMS_WL_MAX_REASONS][TIMS_WL_REASON_LEN]; /* one sentence each */
} tims_wl_hit;

/* tims_wl_screen - screen one traveller: fill hits[0..cap) with the entries at or above the
 * threshold, best first (ties: list order, then entry order), one hit per entry, and set
 * *count to how many were written. The name and the document are looked up independently; an
 * entry found by both is one hit. A query whose name has no letters and no document gives
 * TIMS_EINVAL; bad UTF-8 gives TIMS_EDATA with a sentence in diag. Reentrant. */
tims_err tims_wl_screen(const tims_wl_index *idx, const tims_wl_query *q, tims_wl_hit *hits,
                        size_t cap, size_t *count, tims_diag *diag);

/* tims_wl_screen_scan - the same answer as tims_wl_screen, found by scoring every indexed
 * name with the same scorer (the same anchor rule) instead of using the index: the baseline
 * for recall and speed. */
tims_err tims_wl_screen_scan(const tims_wl_index *idx, const tims_wl_query *q,
                             tims_wl_hit *hits, size_t cap, size_t *count, tims_diag *diag);

/* tims_wl_date_parse - a query date "YYYY", "YYYY-MM" or "YYYY-MM-DD" (1 or 2 digit month and
 * day accepted). Out-of-range parts give TIMS_EDATA with a sentence in diag. */
tims_err tims_wl_date_parse(const char *text, tims_wl_date *out, tims_diag *diag);

/* ---- document keys ---- */
/* tims_wl_doctable: exact lookup of (issuing state, document number) keys, at about 23 bytes
 * per key (10 million keys: 226 MB). Numbers are normalised (ASCII letters and digits, upper case; everything
 * else dropped). ref is the caller's: an entry index, a row number. Not thread-safe while
 * adding; any number of concurrent finds once filled. */
typedef struct tims_wl_doctable tims_wl_doctable;

tims_err tims_wl_doctable_new(size_t expected, tims_wl_doctable **out);
void tims_wl_doctable_free(tims_wl_doctable *t);
/* state: alpha-3 (MRZ fillers '<' allowed) or "" when unknown. TIMS_EINVAL for an empty or
 * over-long number or a state that is not 0-3 letters; TIMS_ENOMEM when the table cannot grow. */
tims_err tims_wl_doctable_add(tims_wl_doctable *t, const char *state, const char *number,
                              uint32_t ref);
/* The refs of every key equal to (state, number): writes at most cap and returns how many
 * there are (0 for an invalid key). */
size_t tims_wl_doctable_find(const tims_wl_doctable *t, const char *state, const char *number,
                             uint32_t *refs, size_t cap);
size_t tims_wl_doctable_count(const tims_wl_doctable *t);
size_t tims_wl_doctable_bytes(const tims_wl_doctable *t); /* memory held */
/* tims_wl_doc_normalise - the normalised number into out (cap bytes with the NUL); returns its
 * length, 0 when empty or longer than cap - 1. */
size_t tims_wl_doc_normalise(const char *number, char *out, size_t cap);

#endif
