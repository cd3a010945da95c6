/* jaro.c - Jaro-Winkler similarity (Winkler 1990): the share of characters two strings have
 * in common within a window, corrected for transpositions, raised for a common prefix of up to
 * four characters by a scale of 0.1. Plain bytes; no allocation. */
#include <string.h>

#include "names/names_int.h"

enum { JW_MAX = 256 }; /* longer strings are compared on their first JW_MAX bytes */

static double jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    uint64_t amatch[JW_MAX / 64] = {0};
    uint64_t bmatch[JW_MAX / 64] = {0};
    if (alen == 0 && blen == 0)
        return 1.0;
    if (alen == 0 || blen == 0)
        return 0.0;
    size_t longer = alen > blen ? alen : blen;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    size_t m = 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < blen ? i + window + 1 : blen;
        for (size_t j = lo; j < hi; j++) {
            if (!(bmatch[j >> 6] & (1ull << (j & 63))) && a[i] == b[j]) {
                amatch[i >> 6] |= 1ull << (i & 63);
                bmatch[j >> 6] |= 1ull << (j & 63);
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    size_t half_transpositions = 0;
    size_t k = 0;
    for (size_t i = 0; i < alen; i++) {
        if (!(amatch[i >> 6] & (1ull << (i & 63))))
            continue;
        while (!(bmatch[k >> 6] & (1ull << (k & 63))))
            k++;
        if (a[i] != b[k])
            half_transpositions++;
        k++;
    }
    double dm = (double)m;
    double jaro = (dm / (double)alen + dm / (double)blen +
                   (dm - (double)(half_transpositions / 2)) / dm) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
        prefix++;
    return jaro + 0.1 * (double)prefix * (1.0 - jaro);
}

double tims_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > JW_MAX)
        alen = JW_MAX;
    if (blen > JW_MAX)
        blen = JW_MAX;
    return jaro_winkler(a, alen, b, blen);
}

/* The hot path: both strings fit in one 64-bit word of match flags. */
double tims__jw(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1.0;
    if (alen > 64 || blen > 64 || alen == 0 || blen == 0)
        return tims_jaro_winkler(a, alen, b, blen);
    size_t longer = alen > blen ? alen : blen;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    uint64_t bmatch = 0, amatch = 0;
    size_t m = 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < blen ? i + window + 1 : blen;
        char c = a[i];
        for (size_t j = lo; j < hi; j++) {
            if (b[j] == c && !(bmatch >> j & 1)) {
                bmatch |= 1ull << j;
                amatch |= 1ull << i;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    size_t half = 0;
    uint64_t bm = bmatch;
    for (uint64_t am = amatch; am; am &= am - 1) {
        size_t i = (size_t)__builtin_ctzll(am);
        size_t k = (size_t)__builtin_ctzll(bm);
        bm &= bm - 1;
        half += a[i] != b[k];
    }
    double dm = (double)m;
    double jaro = (dm / (double)alen + dm / (double)blen + (dm - (double)(half / 2)) / dm) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
        prefix++;
    return jaro + 0.1 * (double)prefix * (1.0 - jaro);
}
