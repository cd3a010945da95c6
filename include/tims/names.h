/* names.h - personal and entity names, made comparable across scripts and spellings.
 *
 * tims_name_parse() takes a name in UTF-8 as it comes (a list entry, an officer's typing, an
 * MRZ name field) and produces its tokens: NFKD, marks stripped, case folded (utf8proc),
 * transliterated to Latin after ICAO 9303 Part 3 (Cyrillic, Greek, Arabic, and the Latin
 * specials ß æ ø đ ł þ ...), punctuation dropped. Particles and honorifics (al, el, bin, ibn,
 * abu, de, van, von, haji ...) are kept as weak tokens. English number words become digits
 * (Fourty-four -> 44). Token text is lower-case ASCII [a-z0-9].
 *
 * tims_name_similarity() scores two parsed names in [0, 1]: the best one-to-one assignment of
 * tokens (order does not matter; two or three adjacent tokens of one side may stand for one of
 * the other: Mohammad Reza / Mohammadreza) by Jaro-Winkler on romanisation keys, corrected for
 * what Jaro-Winkler gets wrong on names, weighted by how rare each token is (a callback gives
 * the weight; NULL means all tokens weigh the same) and by weakness; a given name and its pet
 * form (Ted / Theodore) count as near the same. docs/names.md has the
 * rules, docs/screening.md ("Names") the quality measured on the test data.
 *
 * Ownership: a tims_name owns its memory (one buffer, allocated by tims_name_parse: every
 * text, key and skel pointer points into it); tims_name_free() releases it and is safe on a
 * zeroed or already freed name. tims_name_similarity() never allocates and is thread-safe.
 * Nothing here prints, exits, or reads the clock or environment. */
#ifndef TIMS_NAMES_H
#define TIMS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"

enum {
    TIMS_NAME_MAX_TOKENS = 16,    /* tokens beyond this are dropped (and flagged) */
    TIMS_NAME_MAX_TOKEN_LEN = 64, /* letters beyond this in one token are dropped (and flagged) */
};

/* Flags for tims_name_parse. */
enum {
    TIMS_NAME_LAST_FIRST = 1 << 0, /* "LAST, First Middle" -> First Middle LAST */
    TIMS_NAME_MRZ = 1 << 1,        /* MRZ name field: '<' separates, "<<" splits surname */
};

/* Flags of a token (tims_name_token.flags): where its letters came from. */
enum {
    TIMS_NAME_TOKEN_ABJAD = 1 << 0,  /* from Arabic or Hebrew script: short vowels unwritten */
    TIMS_NAME_TOKEN_HANGUL = 1 << 1, /* a Hangul syllable, romanised (Revised Romanization) */
    TIMS_NAME_TOKEN_OPAQUE = 1 << 2, /* letters with no table (Han, kana ...): "u<hex>", exact */
    TIMS_NAME_TOKEN_DIGITS = 1 << 3, /* holds a digit: compared exactly */
    TIMS_NAME_TOKEN_PREFIX = 1 << 4, /* may be cut short (last token of a full MRZ field) */
    TIMS_NAME_TOKEN_PATRONYMIC = 1 << 5, /* Slavic patronymic (-ovich, -evna ...): often left out */
};

typedef struct tims_name_token {
    const char *text; /* lower-case ASCII, NUL-terminated, inside the name's own buffer */
    uint16_t len;
    uint8_t weak;     /* particle or honorific: counts less, never matches on its own */
    uint8_t flags;    /* TIMS_NAME_TOKEN_* */
    /* Comparison keys, NUL-terminated, in the same buffer (for indexes and similarity):
     * key folds spelling variants of romanisation (kh/h, dj/j, y/i, ou/u, doubled letters ...);
     * skel is the consonant skeleton (vowels, y, w, v dropped; k/q/c/g and b/p merged). */
    const char *key;
    const char *skel;
    uint16_t key_len;
    uint16_t skel_len;
} tims_name_token;

typedef struct tims_name {
    tims_name_token tokens[TIMS_NAME_MAX_TOKENS];
    size_t count;
    uint8_t truncated; /* tokens or letters beyond the limits were dropped, or an MRZ name
                        * filled its field */
    char *buf;         /* owns the token text */
} tims_name;

/* tims_name_parse - parse len bytes of UTF-8 into out (which the caller provides and later
 * frees with tims_name_free; out is overwritten, not freed). Invalid UTF-8 gives TIMS_EDATA
 * with a sentence in diag, out of memory TIMS_ENOMEM; either leaves out empty. A name with no
 * letters at all parses to zero tokens (not an error). With TIMS_NAME_MRZ, pass the whole name
 * field with its '<' fillers: a field that ends in a letter is taken as cut short. */
tims_err tims_name_parse(const char *utf8, size_t len, unsigned flags, tims_name *out,
                         tims_diag *diag);
void tims_name_free(tims_name *name);

/* tims_name_fold - the normalised, transliterated form of a name as one string of tokens
 * joined by single spaces (as tims_name_parse would give them), for display and keys.
 * Caller frees with tims_free. */
tims_err tims_name_fold(const char *utf8, size_t len, char **out, tims_diag *diag);

/* tims_jaro_winkler - the plain Jaro-Winkler similarity of two byte strings, with the usual
 * prefix scale 0.1 over at most 4 characters; 1.0 for two empty strings, 0.0 for one. Strings
 * longer than 256 bytes are compared on their first 256. */
double tims_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/* How rare a token is, from the lists loaded: higher is rarer. NULL callback: weight 1.
 * Called with a token's text; values are kept within [0.01, 100]. */
typedef double (*tims_token_weight_fn)(const char *token, size_t len, void *ctx);

/* One pair of the best assignment, for explanations. Indexes into the two names' tokens; a
 * token paired with two or three joined tokens of the other name gives one pair for each. */
typedef struct tims_token_pair {
    uint8_t query;
    uint8_t candidate;
    float similarity;
} tims_token_pair;

typedef struct tims_name_match {
    double score;
    tims_token_pair pairs[TIMS_NAME_MAX_TOKENS];
    size_t pair_count;
} tims_name_match;

/* tims_name_similarity - score query against candidate in [0, 1]; when explain is not NULL,
 * fill it with the score and the token pairs that produced it. */
double tims_name_similarity(const tims_name *query, const tims_name *candidate,
                            tims_token_weight_fn weight, void *weight_ctx,
                            tims_name_match *explain);

/* The name-only verdict threshold used by `tims names compare` and as the base of screening:
 * chosen on $TIMS_TEST_DATA/names (docs/screening.md, "Names"). */
#define TIMS_NAME_MATCH_THRESHOLD 0.91

#endif
