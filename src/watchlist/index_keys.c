/* index_keys.c - the keys a name token is indexed under, so that spelling variants meet.
 *
 * Three kinds, hashed to 64 bits:
 *  - the token itself;
 *  - its deletion neighbourhood: the token with one letter removed, for tokens of 3 letters or
 *    more ("yyu" reaches "yu"). Two tokens one edit apart always share a key: a deletion or insertion maps one onto
 *    the other's neighbour, a substitution or a swap of neighbours gives both the same one
 *    ("lakhal"/"lakahl" both give "lakal"). Exact and deletion keys share one hash space.
 *  - a consonant skeleton in its own hash space: first letter kept (vowels as 'a', j/y as 'j'),
 *    later vowels, y, w and a consonant's trailing h dropped, letters that transliterations
 *    swap merged (c k q g, d t, s z x, b p, f v, ph), repeats collapsed: "mohammed",
 *    "muhammad" and "mohamed" all give "mhmt"; "usama" and "osama" give "asm";
 *  - the romanisation key and the consonant skeleton tims_name_parse gives the token (their
 *    own hash spaces). */
#include <string.h>

#include "watchlist/screen_int.h"

#define SEED_EXACT UINT64_C(0x243f6a8885a308d3)
#define SEED_SKELETON UINT64_C(0x13198a2e03707344)
#define SEED_ROMAN UINT64_C(0xa4093822299f31d0)
#define SEED_NAMES_SKELETON UINT64_C(0x082efa98ec4e6c89)

static uint64_t hash_bytes(const char *s, size_t len, uint64_t seed)
{
    uint64_t h = seed ^ (len * UINT64_C(0x9e3779b97f4a7c15));
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 32;
    h *= UINT64_C(0xd6e8feb86659fd93);
    h ^= h >> 32;
    return h;
}

uint64_t wls_exact_key(const char *tok, size_t len)
{
    return hash_bytes(tok, len, SEED_EXACT);
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static char consonant_class(char c)
{
    switch (c) {
    case 'c': case 'k': case 'q': case 'g': return 'k';
    case 'd': case 't': return 't';
    case 's': case 'z': case 'x': return 's';
    case 'b': case 'p': return 'b';
    case 'f': case 'v': return 'f';
    case 'y': return 'j';
    default: return c;
    }
}

size_t wls_skeleton(const char *tok, size_t len, char *out)
{
    if (len < 3)
        return 0;
    size_t n = 0;
    char first = tok[0];
    out[n++] = is_vowel(first) ? 'a' : consonant_class(first);
    for (size_t i = 1; i < len; i++) {
        char c = tok[i], prev = tok[i - 1];
        if (is_vowel(c) || c == 'y' || c == 'w')
            continue;
        if (c == 'h') {
            if (prev == 'p') {
                out[n - 1] = 'f';
                continue;
            }
            if (!is_vowel(prev))
                continue; /* kh sh ch th dh gh zh: the h only marks the sound */
        }
        char k = consonant_class(c);
        if (out[n - 1] == k)
            continue;
        out[n++] = k;
    }
    out[n] = '\0';
    return n >= 2 ? n : 0;
}

static size_t add_key(uint64_t *keys, size_t n, uint64_t k)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == k)
            return n;
    }
    keys[n] = k;
    return n + 1;
}

size_t wls_sound_keys(const tims_name_token *t, uint64_t *keys, size_t n)
{
    char buf[WLS_MAX_TOKEN_LEN + 1];
    if (t->len > WLS_MAX_TOKEN_LEN)
        return n;
    size_t sl = wls_skeleton(t->text, t->len, buf);
    if (sl)
        n = add_key(keys, n, hash_bytes(buf, sl, SEED_SKELETON));
    if (t->key && t->key_len >= 3) /* names/ folds romanisations (kh/h, dj/j, ou/u ...) */
        n = add_key(keys, n, hash_bytes(t->key, t->key_len, SEED_ROMAN));
    if (t->skel && t->skel_len >= 3) /* names/ compares vowel variants on this (Hamid / Hamed) */
        n = add_key(keys, n, hash_bytes(t->skel, t->skel_len, SEED_NAMES_SKELETON));
    return n;
}

size_t wls_token_keys(const tims_name_token *t, uint64_t *keys, size_t *edit_keys)
{
    const char *tok = t->text;
    size_t len = t->len, n = 0;
    keys[n++] = wls_exact_key(tok, len);
    *edit_keys = n;
    if (len > WLS_MAX_TOKEN_LEN)
        return n;
    char buf[WLS_MAX_TOKEN_LEN + 1];
    if (len >= 3) {
        for (size_t i = 0; i < len; i++) {
            if (i > 0 && tok[i] == tok[i - 1])
                continue; /* deleting either of a doubled letter gives the same text */
            memcpy(buf, tok, i);
            memcpy(buf + i, tok + i + 1, len - i - 1);
            n = add_key(keys, n, wls_exact_key(buf, len - 1));
        }
    }
    *edit_keys = n;
    return wls_sound_keys(t, keys, n);
}
