/* country.h - country codes as travel documents and watchlists write them.
 *
 * The table holds ISO 3166-1 alpha-3 codes and the ICAO 9303 Part 3 codes that are not
 * countries (D for Germany, XXA stateless, UNO, EUE, UTO for the specimen state ...).
 * Everything returned is static and never freed. */
#ifndef TIMS_COUNTRY_H
#define TIMS_COUNTRY_H

#include <stddef.h>

#include "tims/common.h"

typedef struct tims_country {
    const char *alpha3; /* the MRZ code without '<' fillers: "UTO", "D", "GBR" */
    const char *alpha2; /* ISO 3166-1 alpha-2, or "" for ICAO-only codes */
    const char *name;   /* English short name */
} tims_country;

/* tims_country_by_code - the entry for an MRZ/ISO alpha-3 code ("D" for Germany), or NULL. */
const tims_country *tims_country_by_code(const char *code);

/* tims_country_by_alpha2 - the country for an ISO alpha-2 code ("DE"), or NULL. */
const tims_country *tims_country_by_alpha2(const char *alpha2);

/* tims_country_code_from_name - the alpha-3 code for an English country name as lists write
 * it ("Iran", "Korea, North", "Russian Federation"); case and punctuation do not matter.
 * Returns NULL when the name is unknown. */
const char *tims_country_code_from_name(const char *name, size_t len);

#endif
