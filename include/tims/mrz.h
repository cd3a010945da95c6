/* mrz.h - reading ICAO 9303 machine-readable zones (MRZ).
 *
 * tims_mrz_parse() turns the text a scanner sends for one document into a tims_mrz record:
 * the format (TD1, TD2, TD3, MRV-A, MRV-B, the pre-2021 French identity card), every field,
 * and every failed check as an error a border officer can read. tims_mrz_next_record() finds
 * the records in a longer text (records are separated by blank lines), and tims_mrz_repair()
 * tries the usual OCR confusions (O/0, I/1, B/8, S/5, Z/2, G/6) when checks fail.
 *
 * Nothing here allocates, prints, exits or reads the clock: records have fixed-size fields,
 * the caller owns them (they are large: keep one and reuse it), and today's date comes in
 * through tims_mrz_options. Every string in a record is NUL-terminated valid UTF-8: bytes
 * that are not UTF-8 and control characters are replaced by U+FFFD when a line is read.
 * docs/mrz.md describes the formats, checks, error codes and the repair. */
#ifndef TIMS_MRZ_H
#define TIMS_MRZ_H

#include <stdbool.h>
#include <stddef.h>

#include "tims/common.h"

typedef enum tims_mrz_format {
    TIMS_MRZ_UNKNOWN = 0,
    TIMS_MRZ_TD1,      /* identity card, 3 lines of 30 */
    TIMS_MRZ_TD2,      /* identity card / travel document, 2 lines of 36 */
    TIMS_MRZ_TD3,      /* passport, 2 lines of 44 */
    TIMS_MRZ_MRVA,     /* visa, 2 lines of 44 */
    TIMS_MRZ_MRVB,     /* visa, 2 lines of 36 */
    TIMS_MRZ_FRENCH_ID /* French national identity card before 2021, 2 lines of 36 */
} tims_mrz_format;

/* What kind of check failed. */
typedef enum tims_mrz_code {
    TIMS_MRZ_E_SHAPE = 1,  /* the lines fit no format (field "mrz") */
    TIMS_MRZ_E_LENGTH,     /* a TD1 line is not 30 characters (field "line_N") */
    TIMS_MRZ_E_CHARSET,    /* a line has characters outside A-Z, 0-9, < (field "line_N") */
    TIMS_MRZ_E_INVALID,    /* a field's value is not allowed: unknown state, no such date ... */
    TIMS_MRZ_E_CHECK_DIGIT /* a check digit does not match (field, or "composite") */
} tims_mrz_code;

/* Parse flags (tims_mrz_options.flags). */
#define TIMS_MRZ_ACCEPT_SEX_X 0x1u /* accept sex 'X' (Doc 9303 8th ed. lists only F, M, <) */

typedef struct tims_mrz_date {
    int year, month, day;
} tims_mrz_date;

typedef struct tims_mrz_options {
    tims_mrz_date today; /* decides the century of birth dates; must be a real date */
    unsigned flags;      /* TIMS_MRZ_ACCEPT_SEX_X */
} tims_mrz_options;

/* A piece of the caller's text (not NUL-terminated). */
typedef struct tims_mrz_span {
    const char *ptr;
    size_t len;
} tims_mrz_span;

#define TIMS_MRZ_MAX_LINES   4  /* lines kept in a record (more are counted, not kept) */
#define TIMS_MRZ_LINE_CHARS  64 /* characters kept of each line (more are counted) */
#define TIMS_MRZ_MAX_ERRORS  24 /* more than any record can have; see nerrors_dropped */
#define TIMS_MRZ_TEXT(chars) ((chars)*4 + 1) /* bytes for that many UTF-8 characters */

typedef struct tims_mrz_error {
    const char *field; /* static: "birth_date", "composite", "line_2", "mrz" ... */
    tims_mrz_code code;
    int line, position; /* 1-based place of the failing character or check digit; 0 if none */
    char got[5];        /* TIMS_MRZ_E_CHECK_DIGIT: the check digit as written */
    int expected;       /* TIMS_MRZ_E_CHECK_DIGIT: the digit the data gives; -1 otherwise */
    char message[256];  /* one sentence for an officer, e.g. "line 2, position 20: check
                           digit of the date of birth is 3, but 740812 gives 2" */
} tims_mrz_error;

/* One record. String fields hold the value as written, without '<' fillers, even when the
 * field is invalid (an error says so); they are "" when the format has no such field or the
 * record's shape is wrong (has_fields false). */
typedef struct tims_mrz {
    tims_mrz_format format;
    bool valid;      /* no errors at all */
    bool has_fields; /* false for an unknown shape or a TD1 line of the wrong length */

    char document_code[TIMS_MRZ_TEXT(2)];    /* "P", "I", "ID", "VB" */
    char issuing_state[TIMS_MRZ_TEXT(3)];    /* "UTO", "D" */
    char surname[TIMS_MRZ_TEXT(39)];         /* primary identifier, words space-separated */
    char given_names[TIMS_MRZ_TEXT(39)];     /* secondary identifier, space-separated */
    char document_number[TIMS_MRZ_TEXT(24)]; /* with the TD1 extension when there is one */
    char nationality[TIMS_MRZ_TEXT(3)];      /* "FRA" for the French identity card */
    char birth_date[11]; /* ISO "1974-08-12", unknown parts "1974-XX-XX"; "" if invalid */
    char birth_date_raw[TIMS_MRZ_TEXT(6)]; /* YYMMDD as written: "740812", "74<<<<" */
    char expiry_date[11]; /* ISO, always 20YY; "" if invalid or absent (French card) */
    char expiry_date_raw[TIMS_MRZ_TEXT(6)];
    char sex[TIMS_MRZ_TEXT(1)];              /* "M", "F", "<" (or "X", or what was written) */
    char optional_data[TIMS_MRZ_TEXT(16)];   /* TD3 personal number, TD1 line 1, French
                                                administrative code, visas' optional data */
    char optional_data_2[TIMS_MRZ_TEXT(11)]; /* TD1 line 2 optional data */
    bool name_truncated;                     /* the name field is full: the name may be cut short */
    bool no_primary_identifier;              /* the surname part of the name field is empty */
    bool document_number_extended; /* TD1, TD2: longer than 9, continued in the optional data */

    size_t nlines; /* lines in the record (may exceed TIMS_MRZ_MAX_LINES) */
    size_t line_length[TIMS_MRZ_MAX_LINES]; /* in characters, after trimming */
    char lines[TIMS_MRZ_MAX_LINES][TIMS_MRZ_TEXT(TIMS_MRZ_LINE_CHARS)]; /* as read, trimmed */

    size_t nerrors;
    size_t nerrors_dropped; /* errors beyond TIMS_MRZ_MAX_ERRORS (never expected) */
    tims_mrz_error errors[TIMS_MRZ_MAX_ERRORS];
} tims_mrz;

/* tims_mrz_parse - parse the text of one record: its lines separated by LF or CR LF, each
 * trimmed of surrounding spaces and tabs; blank lines before and after it are ignored.
 * Fills *out completely. Returns TIMS_OK for a valid record, TIMS_EDATA for a record with
 * errors (out->errors says which), TIMS_EINVAL for a NULL argument or an impossible
 * opts->today (then *out says nothing). */
tims_err tims_mrz_parse(const char *text, size_t len, const tims_mrz_options *opts, tims_mrz *out);

/* tims_mrz_parse_lines - the same for lines already split (each still trimmed); blank lines
 * count as lines here. */
tims_err tims_mrz_parse_lines(const tims_mrz_span *lines, size_t nlines,
                              const tims_mrz_options *opts, tims_mrz *out);

/* tims_mrz_next_record - find the next record in text starting at *pos: skip blank lines,
 * then take lines up to the next blank line. A record ends at a blank line, or at the end of
 * the text when at_end is true (false means more text may follow, as when reading a pipe).
 * Returns true and sets *record and *pos (past the record) when a whole record was found;
 * false when there is none yet (*pos then points at the start of the unfinished record, or
 * at len when only blank lines remain). */
bool tims_mrz_next_record(const char *text, size_t len, bool at_end, size_t *pos,
                          tims_mrz_span *record);

/* tims_mrz_check_digit - the ICAO 9303 7-3-1 check digit of len characters (A=10 .. Z=35,
 * '<' = 0), or -1 when one is not in A-Z, 0-9, '<'. */
int tims_mrz_check_digit(const char *chars, size_t len);

/* Names for output: static strings. */
const char *tims_mrz_format_name(tims_mrz_format format); /* "TD3", "FRENCH_NATIONAL_ID" */
const char *tims_mrz_code_name(tims_mrz_code code);       /* "check_digit", "invalid" ... */

/* --- Repair ------------------------------------------------------------------------------ */

typedef enum tims_mrz_repair_status {
    TIMS_MRZ_REPAIR_NOT_NEEDED = 0, /* the record was valid */
    TIMS_MRZ_REPAIR_UNIQUE,         /* exactly one repair makes every check pass */
    TIMS_MRZ_REPAIR_NONE,           /* no repair within the search does (reason says why) */
    TIMS_MRZ_REPAIR_AMBIGUOUS       /* several do: none is chosen */
} tims_mrz_repair_status;

#define TIMS_MRZ_REPAIR_MAX_FORCED   16 /* characters that must change (wrong kind) */
#define TIMS_MRZ_REPAIR_MAX_OPTIONAL 12 /* letter-or-digit positions tried both ways */
#define TIMS_MRZ_REPAIR_MAX_CHANGES  (TIMS_MRZ_REPAIR_MAX_FORCED + TIMS_MRZ_REPAIR_MAX_OPTIONAL)

typedef struct tims_mrz_change {
    int line, position; /* 1-based */
    char from, to;
} tims_mrz_change;

typedef struct tims_mrz_repair_result {
    tims_mrz_repair_status status;
    size_t nchanges; /* UNIQUE: the changes made; AMBIGUOUS: those of the first fit */
    tims_mrz_change changes[TIMS_MRZ_REPAIR_MAX_CHANGES];
    size_t nlines; /* UNIQUE: the repaired lines */
    char lines[3][45];
    unsigned tried;     /* combinations parsed */
    unsigned solutions; /* combinations that passed every check */
    char reason[400];   /* NONE / AMBIGUOUS: why, in words */
} tims_mrz_repair_result;

/* tims_mrz_repair - look for the one way to undo OCR confusions in rec (a record from
 * tims_mrz_parse with the same opts) so that every check passes. A letter where only digits
 * may stand (dates, check digits) becomes its digit, a digit where only letters may stand
 * (codes, states, names) its letter; then, if check digits still fail, the confusable
 * characters of the failing letter-or-digit fields (document number, optional data) are
 * tried both ways, at most TIMS_MRZ_REPAIR_MAX_OPTIONAL positions (4095 combinations).
 * Fills *rep; when the status is UNIQUE, *repaired holds the parsed repaired record
 * (otherwise its contents are unspecified). rec itself is never changed. Returns TIMS_OK,
 * or TIMS_EINVAL for NULL arguments or an impossible date in opts. */
tims_err tims_mrz_repair(const tims_mrz *rec, const tims_mrz_options *opts,
                         tims_mrz_repair_result *rep, tims_mrz *repaired);

const char *tims_mrz_repair_status_name(tims_mrz_repair_status status); /* "unique" ... */

/* --- Specimens ---------------------------------------------------------------------------- */

typedef struct tims_mrz_specimen {
    const char *name; /* "TD3 passport (Doc 9303 Part 4)" */
    const char *text; /* its lines, LF-separated */
} tims_mrz_specimen;

/* tims_mrz_specimens - the ICAO Doc 9303 specimen MRZs (TD1, TD2, TD3, MRV-A, MRV-B);
 * static, *n set to their number. */
const tims_mrz_specimen *tims_mrz_specimens(size_t *n);

#endif
