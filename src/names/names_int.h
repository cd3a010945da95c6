/* names_int.h - what the files of the names module share and nobody else sees.
 *
 * The pipeline of tims_name_parse() is: UTF-8 -> code points (decomposed, case folded, except
 * for the scripts whose tables want the precomposed letter) -> an ASCII "stream" written by
 * tims__translit() -> tokens. The stream holds [a-z0-9], ' ' between words, ',' for a comma,
 * '\'' for an apostrophe (joins), and marker bytes that flag the word being written. */
#ifndef TIMS_NAMES_INT_H
#define TIMS_NAMES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tims/names.h"

/* Marker bytes in the stream: they flag the word they appear in. */
enum {
    TIMS__MARK_ABJAD = '\x01',  /* letters from Arabic or Hebrew: vowels were not written */
    TIMS__MARK_HANGUL = '\x02', /* a Hangul syllable, romanised */
    TIMS__MARK_OPAQUE = '\x03', /* a letter with no table (Han, kana ...): u<hex>, exact only */
};

/* Scripts seen in a name, as detected before transliteration (language-specific exceptions
 * of ICAO 9303 Part 3 s.6 Table B depend on them). */
enum {
    TIMS__CYR_DEFAULT = 0, /* Russian values (also used for Bulgarian, which has no own letter) */
    TIMS__CYR_UKRAINIAN,
    TIMS__CYR_BELARUSIAN,
    TIMS__CYR_SERBIAN,
    TIMS__CYR_MACEDONIAN,
};

/* tims__translit_keep_precomposed - true for code points that go to the tables as they are
 * (Cyrillic, Arabic, Hebrew, Hangul syllables): decomposing them would lose a distinction
 * the tables make (Й vs И in Ukrainian, آ vs ا, Hangul jamo). */
int tims__translit_keep_precomposed(uint32_t cp);

/* tims__cyrillic_variant - the Cyrillic language a name's letters point to (TIMS__CYR_*). */
int tims__cyrillic_variant(const uint32_t *cp, size_t n);

/* tims__translit - write the ASCII stream for n code points into out (at most cap bytes).
 * Returns the number of bytes written; sets *full when out was too small (the rest is lost). */
size_t tims__translit(const uint32_t *cp, size_t n, int cyr_variant, char *out, size_t cap,
                      int *full);

/* Token keys, computed once at parse time (see keys.c). out must hold TIMS__KEY_MAX + 1. */
enum { TIMS__KEY_MAX = 2 * TIMS_NAME_MAX_TOKEN_LEN };
size_t tims__name_key(const char *text, size_t len, char *out);
size_t tims__name_skeleton(const char *text, size_t len, char *out);

/* tims__is_patronymic - true for Slavic patronymics (Vladimirovich, Viktorovna, Ivanivna). */
int tims__is_patronymic(const char *text, size_t len);

/* tims__is_weak_token - true for particles, honorifics and legal forms (al, bin, van, dr, llc). */
int tims__is_weak_token(const char *text, size_t len);

/* Diminutives (diminutives.c): tims__diminutive_index gives a key's place in the table of
 * given names and their pet forms, or -1; tims__diminutives_linked says whether two places are
 * the same given name (Ted / Theodore, Sasha / Aleksandr). Thread-safe; built on first use. */
int tims__diminutive_index(const char *key, size_t len);
int tims__diminutives_linked(int a, int b);
size_t tims__diminutive_count(void);

/* tims__jw - Jaro-Winkler of two strings of at most 64 bytes (the hot path). */
double tims__jw(const char *a, size_t alen, const char *b, size_t blen);

#endif
