/* mrz_int.h - what the files of the mrz module share and nobody else sees.
 *
 * parse.c owns the format layouts and the parser; repair.c asks it which positions may hold
 * digits only, letters only, or either, and re-parses candidates without writing messages. */
#ifndef TIMS_MRZ_INT_H
#define TIMS_MRZ_INT_H

#include <stdint.h>

#include "tims/mrz.h"

/* What a position may hold, for the repair. */
enum {
    MRZ_K_NONE = 0, /* fixed or free: never changed (sex, fillers, MRV optional data) */
    MRZ_K_LETTER,   /* A-Z or <: codes, states, names */
    MRZ_K_DIGIT,    /* 0-9 or <: dates, check digits */
    MRZ_K_MIXED     /* A-Z, 0-9 or <: document numbers, optional data */
};

/* Which check digit guards a letter-or-digit position. */
enum {
    MRZ_G_NONE = 0,
    MRZ_G_NUMBER,   /* the document number's own check digit */
    MRZ_G_OPTIONAL, /* the TD3 personal number's own check digit */
    MRZ_G_COMPOSITE /* only the composite check digit */
};

#define MRZ_MAX_WIDTH 44

/* mrz_position_kinds - fill kind[l][p] and group[l][p] (0-based) for a record whose
 * has_fields is true; positions beyond the format's lines stay MRZ_K_NONE. */
void mrz_position_kinds(const tims_mrz *m, uint8_t kind[3][MRZ_MAX_WIDTH],
                        uint8_t group[3][MRZ_MAX_WIDTH]);

/* mrz_parse_core - the parser behind tims_mrz_parse*: first[0..nfirst) are the first lines
 * (nfirst <= TIMS_MRZ_MAX_LINES) of ntotal; messages false leaves every message "" (faster,
 * for the repair's candidates). */
tims_err mrz_parse_core(const tims_mrz_span *first, size_t nfirst, size_t ntotal,
                        const tims_mrz_options *opts, bool messages, tims_mrz *m);

/* mrz_options_ok - opts is not NULL and today is a real date. */
bool mrz_options_ok(const tims_mrz_options *opts);

#endif
