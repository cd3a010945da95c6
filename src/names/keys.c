/* keys.c - the comparison keys of a token, and the list of weak tokens.
 *
 * A name reaches us through many romanisations: ICAO 9303 (Iurii, Sergei, Tsareva), older
 * Russian passports (Yuriy, Sergey, Tsaryova), French (Djavad, Oussama) and German
 * (Schtscherbakow) habits, Persian and Arabic variants (Mahmoud/Mahmud, Gholam/Qolam). The key
 * folds the spellings that stand for the same sound in these systems, so that Jaro-Winkler on
 * keys measures real differences. The skeleton keeps only consonants: it is what an Arabic or
 * Hebrew spelling, which does not write short vowels, can be compared on. Both are pure
 * functions of the token text; neither allocates. */
#include <stdlib.h>
#include <string.h>

#include "names/names_int.h"

static int vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* One rewrite: `from` at the current place becomes `to`. */
typedef struct rewrite {
    const char *from;
    const char *to;
    uint8_t from_len;
    uint8_t where; /* ANY, or a condition on the place */
} rewrite;

enum { ANY, NOT_BEFORE_E, START_OR_AFTER_VOWEL, AFTER_CONSONANT, AT_END, INNER_H, BETWEEN_VOWELS };

#define RW(f, t, w) {f, t, sizeof(f) - 1, w}
/* Grouped by first letter; within a letter the first that applies wins (longest first where
 * they overlap). Each line says which romanisations it reconciles. */
static const rewrite rules_a[] = {
    RW("ae", "a", NOT_BEFORE_E), /* Ä written AE; Persian AE (Esmaeil) */
    RW("aj", "ai", AT_END),              /* Nikolaj / Nikolai */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_c[] = {
    RW("ck", "k", ANY),
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_d[] = {
    RW("dzh", "j", ANY),    /* Дж / ج: DZH, DJ, J */
    RW("dj", "j", ANY),
    RW("dh", "d", ANY),     /* ذ: DH or D */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_e[] = {
    RW("ee", "i", ANY),     /* English EE for I (Saeed) */
    RW("ei", "i", ANY),     /* Й after E: Sergei/Sergey, Andrei/Andrii; Persian -ei (Rezaei) */
    RW("ey", "i", ANY),
    RW("ej", "i", AT_END),               /* Й written J (German, Czech): Sergej, Andrej */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_g[] = {
    RW("gh", "k", ANY),     /* غ / ق: Persian GH and Q for one sound (Gholam/Qolam) */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_h[] = {
    RW("h", "g", INNER_H),  /* Г: Ukrainian/Belarusian H, Russian G (Oleh, Ihar, Yevhen) */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_i[] = {
    RW("ie", "e", START_OR_AFTER_VOWEL), /* Е after a vowel or at start: YE (Yevgeniy) / E */
    RW("ie", "i", AT_END),               /* Persian -ie / -ei (Mirzaie, Mirzaei) */
    RW("ij", "i", AT_END),
    RW("io", "e", AFTER_CONSONANT),      /* Ё: ICAO E, older YO/IO (Fyodor, Semyon) */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_j[] = {
    RW("j", "i", BETWEEN_VOWELS), /* J for Й between vowels: Stojanov / Stoyanov */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_k[] = {
    RW("kh", "h", ANY),     /* Х / خ: KH or H */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_o[] = {
    RW("ou", "u", ANY),     /* French OU for U (Mahmoud, Farouk, Youssef) */
    RW("oo", "u", ANY),
    RW("oe", "o", ANY),     /* Ö, Ø written OE */
    RW("oj", "oi", AT_END),
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_p[] = {
    RW("ph", "f", ANY),
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_s[] = {
    RW("shtch", "sh", ANY), /* Щ: French SHTCH, ICAO SHCH, German SCH (and Ш SH) */
    RW("shch", "sh", ANY),
    RW("sch", "sh", ANY),
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_t[] = {
    RW("tsch", "ch", ANY),  /* Ч: German TSCH, French TCH, ICAO CH */
    RW("tch", "ch", ANY),
    RW("th", "t", ANY),
    RW("ts", "c", ANY),     /* Ц: ICAO TS, Serbian/Polish C, Wade-Giles TS for pinyin C */
    RW("tz", "c", ANY),
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_u[] = {
    RW("ue", "u", ANY),     /* Ü written UE */
    RW("uj", "ui", AT_END),
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_x[] = {
    RW("xkh", "h", ANY),    /* ICAO 9303 Part 3 Table C escapes in MRZ names: XKH = kh, ... */
    RW("xsh", "sh", ANY),
    RW("xth", "t", ANY),
    RW("xdh", "d", ANY),
    RW("xgh", "k", ANY),
    RW("xss", "s", ANY),
    RW("xdz", "d", ANY),
    RW("xtt", "t", ANY),
    RW("xzz", "z", ANY),
    RW("x", "ks", ANY),     /* Alexander / Aleksandr */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_y[] = {
    RW("ye", "e", START_OR_AFTER_VOWEL),
    RW("yo", "e", AFTER_CONSONANT),
    RW("y", "i", ANY),      /* Й, Ы, Я/Ю first letter: ICAO I / IA / IU, older Y / YA / YU */
    {NULL, NULL, 0, ANY},
};
static const rewrite rules_z[] = {
    RW("zh", "j", ANY),     /* Ж: ICAO ZH, French J */
    {NULL, NULL, 0, ANY},
};
static const rewrite *const rules_by_letter[26] = {
    ['a' - 'a'] = rules_a,
    ['c' - 'a'] = rules_c,
    ['d' - 'a'] = rules_d,
    ['e' - 'a'] = rules_e,
    ['g' - 'a'] = rules_g,
    ['h' - 'a'] = rules_h,
    ['i' - 'a'] = rules_i,
    ['j' - 'a'] = rules_j,
    ['k' - 'a'] = rules_k,
    ['o' - 'a'] = rules_o,
    ['p' - 'a'] = rules_p,
    ['s' - 'a'] = rules_s,
    ['t' - 'a'] = rules_t,
    ['u' - 'a'] = rules_u,
    ['x' - 'a'] = rules_x,
    ['y' - 'a'] = rules_y,
    ['z' - 'a'] = rules_z,
};

static int rewrite_applies(const rewrite *r, const char *t, size_t n, size_t i)
{
    if (n - i < r->from_len || memcmp(t + i, r->from, r->from_len) != 0)
        return 0;
    size_t end = i + r->from_len;
    switch (r->where) {
    case NOT_BEFORE_E: return end >= n || t[end] != 'e';
    case START_OR_AFTER_VOWEL: return (i == 0 || vowel(t[i - 1])) && end < n;
    case AFTER_CONSONANT: return i > 0 && !vowel(t[i - 1]);
    case AT_END: return end == n;
    case BETWEEN_VOWELS: return i > 0 && end < n && vowel(t[i - 1]) && vowel(t[end]);
    case INNER_H: return i > 0 && end < n && !strchr("kscztdgpx", t[i - 1]);
    default: return 1;
    }
}

size_t tims__name_key(const char *text, size_t len, char *out)
{
    size_t o = 0;
    size_t i = 0;
    if (len > TIMS_NAME_MAX_TOKEN_LEN)
        len = TIMS_NAME_MAX_TOKEN_LEN;
    while (i < len) {
        const rewrite *hit = NULL;
        const rewrite *r = text[i] >= 'a' && text[i] <= 'z' ? rules_by_letter[text[i] - 'a'] : NULL;
        for (; r && r->from; r++) {
            if (rewrite_applies(r, text, len, i)) {
                hit = r;
                break;
            }
        }
        const char *to = hit ? hit->to : text + i;
        size_t to_len = hit ? (hit->to[1] ? strlen(hit->to) : 1) : 1;
        for (size_t k = 0; k < to_len; k++) {
            if (o == 0 || out[o - 1] != to[k]) /* doubled letters count once */
                out[o++] = to[k];
        }
        i += hit ? hit->from_len : 1;
    }
    out[o] = '\0';
    return o;
}

/* Letters after which an 'h' only marks a digraph (kh, sh, ch, zh, th, dh, gh, ph). */
static int digraph_head(char c)
{
    return c == 'k' || c == 's' || c == 'c' || c == 'z' || c == 't' || c == 'd' || c == 'g' ||
           c == 'p';
}

size_t tims__name_skeleton(const char *text, size_t len, char *out)
{
    size_t o = 0;
    if (len > 3 * TIMS_NAME_MAX_TOKEN_LEN)
        len = 3 * TIMS_NAME_MAX_TOKEN_LEN;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (vowel(c) || c == 'w' || c == 'v' || c == '\'')
            continue;
        if (c == 'h' && ((i > 0 && digraph_head(text[i - 1])) || i + 1 == len))
            continue;
        if (c == 'q' || c == 'c' || c == 'g')
            c = 'k';
        else if (c == 'p')
            c = 'b';
        if (o > 0 && out[o - 1] == c)
            continue;
        if (o >= TIMS__KEY_MAX)
            break;
        out[o++] = c;
        if (text[i] == 'x' && o < TIMS__KEY_MAX) /* x = ks */
            out[o - 1] = 'k', out[o++] = 's';
    }
    out[o] = '\0';
    return o;
}

/* Russian, Ukrainian and Belarusian passports in Latin letters leave the patronymic out, and
 * lists keep it: it is matched like any token but weighs less. */
int tims__is_patronymic(const char *text, size_t len)
{
    static const char *const endings[] = {"ovich", "evich", "ovych", "evych", "ovna", "evna",
                                          "ivna", "ichna", "ovitch", "evitch"};
    if (len < 7)
        return 0;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(endings); i++) {
        size_t n = strlen(endings[i]);
        if (memcmp(text + len - n, endings[i], n) == 0)
            return 1;
    }
    return 0;
}

/* Particles, honorifics and legal forms. Sorted (bsearch). They stay tokens, so that "Al
 * Shehri" and "Alshehri" can still be merged and compared, but they weigh little and never
 * match on their own. Not weak: abd/abdel/abdul (half of a compound given name: Abd al-Aziz is
 * not Aziz), khan, mirza, agha (family names as often as titles). */
static const char *const weak_tokens[] = {
    "abo", "abou", "abu", "ad", "adh", "ag", "al", "alhaj", "alhaji", "an", "and", "ap", "ar",
    "as", "ash", "at", "az", "ben", "bin", "bint", "binti", "bt", "bte", "bv", "cjsc", "closed",
    "co", "company", "corp", "corporation", "da", "das", "de", "degli", "dei", "del", "della",
    "delle", "dello", "den", "der", "des", "di", "dos", "dr", "du", "el", "gmbh", "hadji", "haj",
    "haji", "hajj", "hajji", "ibn", "ibnu", "imam", "inc", "joint", "jr", "jsc", "kizi", "kyzy",
    "la", "las", "le", "les", "limited", "llc", "llp", "los", "ltd", "maulana", "maulavi",
    "maulvi", "mawlana", "mawlawi", "miss", "mlle", "mme", "molla", "mollah", "mr", "mrs", "ms",
    "mufti", "mulla", "mullah", "nv", "oao", "of", "ogli", "ogly", "ojsc", "ooo", "open", "pao",
    "pjsc", "plc", "prof", "public", "qizi", "sa", "sayed", "sayyed", "sayyid", "seyed", "seyyed",
    "shaikh", "shaykh", "sheik", "sheikh", "sheykh", "sir", "sp", "spa", "sr", "srl", "stock",
    "syed", "ten", "ter", "the", "ud", "ul", "uly", "um", "umm", "van", "ver", "von", "y", "zao",
    "zu",
};

static int cmp_weak(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int tims__is_weak_token(const char *text, size_t len)
{
    char k[16];
    if (len == 0 || len >= sizeof k)
        return 0;
    memcpy(k, text, len);
    k[len] = '\0';
    return bsearch(k, weak_tokens, TIMS_ARRAY_LEN(weak_tokens), sizeof weak_tokens[0],
                   cmp_weak) != NULL;
}
