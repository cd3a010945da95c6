/* translit.c - from Unicode letters to Latin: the transliteration tables and the loop that
 * applies them.
 *
 * Input is a run of code points, already decomposed (NFKD) and case folded except for the
 * scripts whose tables want the precomposed letter (see tims__translit_keep_precomposed).
 * Output is the ASCII stream described in names_int.h. Each table below names the ICAO 9303
 * Part 3 (8th ed., 2021) section it follows, or says where ICAO gives none. Values are the
 * readable Latin letters a person writes, not the 'X'-escaped MRZ forms of Table C. */
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "names/names_int.h"

/* ---- the output stream ---------------------------------------------------------------- */

typedef struct emitter {
    char *out;
    size_t cap;
    size_t len;
    int full;
    unsigned word_marks; /* markers already written in the current word (bit per marker) */
    size_t cons_at;      /* where the last Arabic consonant starts (for shadda) */
    size_t cons_len;
    size_t haraka_len;   /* bytes of the short vowel written right after that consonant */
} emitter;

static void put(emitter *e, const char *s, size_t n)
{
    if (e->full)
        return;
    if (n > e->cap - e->len) {
        e->full = 1;
        return;
    }
    memcpy(e->out + e->len, s, n);
    e->len += n;
}

static void puts_(emitter *e, const char *s)
{
    put(e, s, strlen(s));
}

static void sep(emitter *e, char c)
{
    put(e, &c, 1);
    e->word_marks = 0;
}

static void mark(emitter *e, char m)
{
    unsigned bit = 1u << (unsigned)m;
    if (e->word_marks & bit)
        return;
    put(e, &m, 1);
    e->word_marks |= bit;
}

/* True when nothing of the current word has been written yet. */
static int word_start(const emitter *e)
{
    size_t i = e->len;
    while (i > 0 && e->out[i - 1] >= TIMS__MARK_ABJAD && e->out[i - 1] <= TIMS__MARK_OPAQUE)
        i--;
    if (i == 0)
        return 1;
    char c = e->out[i - 1];
    return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'));
}

/* ---- Cyrillic: ICAO 9303 Part 3, s.6, Table B "Transliteration of Cyrillic characters" --- */

/* U+0430..U+045F, lower case; upper case is mapped onto these. Russian column for the letters
 * shared by several languages; the letters of one language only take that language's value. */
static const char *const cyrillic[0x30] = {
    "a", "b", "v", "g", "d", "e", "zh", "z",     /* а б в г д е ж з */
    "i", "i", "k", "l", "m", "n", "o", "p",      /* и й к л м н о п */
    "r", "s", "t", "u", "f", "kh", "ts", "ch",   /* р с т у ф х ц ч */
    "sh", "shch", "ie", "y", "", "e", "iu", "ia", /* ш щ ъ ы ь э ю я */
    "e", "e", "d", "g", "ie", "dz", "i", "i",    /* ѐ ё ђ ѓ є ѕ і ї */
    "j", "lj", "nj", "c", "k", "i", "u", "dz",   /* ј љ њ ћ ќ ѝ ў џ */
};

/* The language-specific exceptions of Table B, applied when a name holds a letter that only
 * that language uses (Ukrainian є ї ґ, Belarusian ў, Serbian ђ ћ, Macedonian ѓ ќ ѕ). */
typedef struct cyr_exception {
    uint32_t cp; /* lower case */
    const char *latin;
} cyr_exception;

static const cyr_exception ukrainian[] = {
    {0x433, "h"}, {0x438, "y"}, {0x439, "i"}, {0x454, "ie"}, {0x457, "i"}, {0, NULL},
};
static const cyr_exception belarusian[] = {
    {0x433, "h"}, {0x451, "io"}, {0x45E, "u"}, {0, NULL},
};
static const cyr_exception serbian[] = {
    {0x436, "z"}, {0x445, "h"}, {0x446, "c"}, {0x447, "c"}, {0x448, "s"},
    {0x452, "d"}, {0x45B, "c"}, {0x45F, "dz"}, {0, NULL},
};
static const cyr_exception macedonian[] = {
    {0x453, "gj"}, {0x45C, "kj"}, {0x445, "h"}, {0x446, "c"}, {0x45F, "dj"}, {0, NULL},
};

/* Letters of Central Asian alphabets outside Table B, with the values their passports use
 * (not ICAO). Lower case; upper case is the code point before. */
static const cyr_exception cyrillic_extra[] = {
    {0x491, "g"}, {0x493, "gh"}, {0x497, "zh"}, {0x49B, "q"}, {0x4A3, "ng"}, {0x4AF, "u"},
    {0x4B1, "u"}, {0x4B3, "h"}, {0x4B7, "j"}, {0x4BB, "h"}, {0x4D9, "a"}, {0x4E3, "i"},
    {0x4E9, "o"}, {0x4EF, "u"}, {0, NULL},
};

static uint32_t cyrillic_lower(uint32_t c)
{
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c >= 0x490 && c <= 0x4FF && c != 0x4C0 && (c & 1) == 0)
        return c + 1;
    return c;
}

int tims__cyrillic_variant(const uint32_t *cp, size_t n)
{
    int v = TIMS__CYR_DEFAULT;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cyrillic_lower(cp[i]);
        switch (c) {
        case 0x454: case 0x457: case 0x491: return TIMS__CYR_UKRAINIAN;
        case 0x45E: return TIMS__CYR_BELARUSIAN;
        case 0x453: case 0x45C: case 0x455: return TIMS__CYR_MACEDONIAN;
        case 0x452: case 0x45B: v = TIMS__CYR_SERBIAN; break;
        case 0x458: case 0x459: case 0x45A: case 0x45F:
            if (v == TIMS__CYR_DEFAULT)
                v = TIMS__CYR_SERBIAN;
            break;
        default: break;
        }
    }
    return v;
}

static const char *lookup(const cyr_exception *t, uint32_t c)
{
    for (; t->latin; t++) {
        if (t->cp == c)
            return t->latin;
    }
    return NULL;
}

static const char *cyrillic_latin(uint32_t c, int variant)
{
    c = cyrillic_lower(c);
    const cyr_exception *ex = variant == TIMS__CYR_UKRAINIAN    ? ukrainian
                              : variant == TIMS__CYR_BELARUSIAN ? belarusian
                              : variant == TIMS__CYR_SERBIAN    ? serbian
                              : variant == TIMS__CYR_MACEDONIAN ? macedonian
                                                                : NULL;
    const char *s = ex ? lookup(ex, c) : NULL;
    if (s)
        return s;
    if (c >= 0x430 && c <= 0x45F)
        return cyrillic[c - 0x430];
    return lookup(cyrillic_extra, c);
}

/* ---- Greek: ICAO 9303 Part 3 s.6 has no Greek table. This follows ELOT 743 (ISO 843
 * transcription), the system of Greek passports: η -> i, υ -> y, ου -> ou, αυ/ευ -> av/ev
 * (af/ef before a voiceless consonant), μπ/ντ/γκ -> b/d/g at word start, mb/nd/ng inside. */

static const char *const greek[0x19] = {
    "a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", /* α..ν */
    "x", "o", "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o",     /* ξ..ω */
};

static int greek_letter(uint32_t c)
{
    return c >= 0x3B1 && c <= 0x3C9;
}

static int greek_voiceless(uint32_t c)
{
    switch (c) {
    case 0x3B8: case 0x3BA: case 0x3BE: case 0x3C0: case 0x3C2: case 0x3C3:
    case 0x3C4: case 0x3C6: case 0x3C7: case 0x3C8: return 1;
    default: return 0;
    }
}

static int is_mark(uint32_t c)
{
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC || k == UTF8PROC_CATEGORY_ME;
}

/* The next letter after cp[i], skipping marks; 0 at the end. */
static uint32_t next_letter(const uint32_t *cp, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (!is_mark(cp[i]))
            return cp[i];
    }
    return 0;
}

/* Writes Greek starting at cp[i]; returns how many code points it consumed. */
static size_t greek_emit(emitter *e, const uint32_t *cp, size_t n, size_t i)
{
    uint32_t c = cp[i];
    uint32_t nx = i + 1 < n ? cp[i + 1] : 0;
    int diaeresis = i + 2 < n && cp[i + 2] == 0x308; /* ϊ ϋ break a digraph */
    int start = word_start(e);
    if (nx == 0x3C5 && !diaeresis) { /* υ after a vowel */
        if (c == 0x3BF) {
            puts_(e, "ou");
            return 2;
        }
        if (c == 0x3B1 || c == 0x3B5 || c == 0x3B7) {
            uint32_t after = next_letter(cp, n, i + 1);
            puts_(e, greek[c - 0x3B1]);
            puts_(e, after == 0 || greek_voiceless(after) ? "f" : "v");
            return 2;
        }
    }
    if (c == 0x3BC && nx == 0x3C0) { /* μπ */
        puts_(e, start ? "b" : "mb");
        return 2;
    }
    if (c == 0x3BD && nx == 0x3C4) { /* ντ */
        puts_(e, start ? "d" : "nd");
        return 2;
    }
    /* γγ γκ γξ γχ */
    if (c == 0x3B3 && (nx == 0x3B3 || nx == 0x3BA || nx == 0x3BE || nx == 0x3C7)) {
        puts_(e, nx == 0x3B3 ? "ng" : nx == 0x3BA ? (start ? "g" : "ng")
                 : nx == 0x3BE ? "nx" : "nch");
        return 2;
    }
    puts_(e, greek[c - 0x3B1]);
    return 1;
}

/* ---- Arabic script: after ICAO 9303 Part 3 s.6, Table C "Transliteration of Arabic
 * characters", with the readable letter in place of each 'X' escape (XKH -> kh, XSH -> sh,
 * XTH -> th, XDH -> dh, XGH -> gh, XH -> h, XSS -> s, XDZ -> d, XTT -> t, XZZ -> z, XTA/XAH -> a,
 * XAA/XAE -> a, XAY -> a). Short vowels are not written in Arabic, so ع, ا, و and ي give the
 * vowels a reader would write (و -> w at word start, u inside; ي -> y / i), and the similarity
 * compares consonant skeletons for such tokens. Persian and Urdu letters follow the same idea
 * (not in Table C). Harakat, when present, give their vowels; shadda doubles. */

static const char *const arabic[0x2A] = {
    /* U+0621..U+064A */
    "", "a", "a", "w", "i", "i", "a", "b", "a", "t", "th", "j", "h", "kh", "d", "dh",
    /* ء آ أ ؤ إ ئ ا ب ة ت ث ج ح خ د ذ */
    "r", "z", "s", "sh", "s", "d", "t", "z", "", "gh", "", "", "", "", "", "",
    /* ر ز س ش ص ض ط ظ ع غ (U+063B..U+063F unused) ـ */
    "f", "q", "k", "l", "m", "n", "h", "u", "a", "i",
    /* ف ق ك ل م ن ه و ى ي */
};

static const cyr_exception arabic_extra[] = {
    {0x671, "a"}, {0x672, "a"}, {0x673, "a"}, {0x679, "t"}, {0x67E, "p"}, {0x686, "ch"},
    {0x688, "d"}, {0x691, "r"}, {0x695, "r"}, {0x698, "zh"}, {0x6A4, "v"}, {0x6A9, "k"},
    {0x6AF, "g"}, {0x6B5, "l"}, {0x6BA, "n"}, {0x6BE, "h"}, {0x6C0, "e"}, {0x6C1, "h"},
    {0x6C6, "o"}, {0x6CC, "i"}, {0x6CE, "e"}, {0x6D2, "e"}, {0x6D3, "e"}, {0x6D5, "e"},
    {0, NULL},
};

static int arabic_letter(uint32_t c)
{
    return (c >= 0x621 && c <= 0x64A && c != 0x640 && !(c >= 0x63B && c <= 0x63F)) ||
           lookup(arabic_extra, c) != NULL;
}

/* Writes one Arabic-script code point; returns how many it consumed. */
static size_t arabic_emit(emitter *e, const uint32_t *cp, size_t n, size_t i)
{
    uint32_t c = cp[i];
    int start = word_start(e);
    if (c >= 0x660 && c <= 0x669) {
        char d = (char)('0' + (c - 0x660));
        put(e, &d, 1);
        return 1;
    }
    if (c >= 0x6F0 && c <= 0x6F9) {
        char d = (char)('0' + (c - 0x6F0));
        put(e, &d, 1);
        return 1;
    }
    switch (c) {
    case 0x60C: sep(e, ','); return 1;
    case 0x640: return 1;                      /* tatweel */
    case 0x64E: case 0x670: puts_(e, "a"); e->haraka_len = 1; return 1;
    case 0x64F: puts_(e, "u"); e->haraka_len = 1; return 1;
    case 0x650: puts_(e, "i"); e->haraka_len = 1; return 1;
    case 0x651: {                              /* shadda: double the consonant */
        if (e->cons_len == 0 || e->cons_at + e->cons_len + e->haraka_len != e->len)
            return 1;
        char vowel[4] = {0};
        size_t hl = e->haraka_len;
        memcpy(vowel, e->out + e->len - hl, hl);
        e->len -= hl;
        char cons[4];
        memcpy(cons, e->out + e->cons_at, e->cons_len);
        put(e, cons, e->cons_len);
        put(e, vowel, hl);
        return 1;
    }
    default: break;
    }
    if (!arabic_letter(c)) {
        if (is_mark(c))
            return 1; /* sukun, tanween, hamza above/below ... */
        sep(e, ' ');
        return 1;
    }
    mark(e, TIMS__MARK_ABJAD);
    /* The article al- written joined: ال + at least two more letters -> "al" as its own word. */
    if (start && c == 0x627 && i + 3 < n && cp[i + 1] == 0x644 && arabic_letter(cp[i + 2]) &&
        arabic_letter(cp[i + 3])) {
        puts_(e, "al");
        sep(e, ' ');
        mark(e, TIMS__MARK_ABJAD);
        return 2;
    }
    const char *s;
    switch (c) {
    case 0x639: s = start ? "a" : ""; break;            /* ع */
    case 0x648: s = start ? "w" : "u"; break;           /* و */
    case 0x64A: case 0x6CC: s = start ? "y" : "i"; break; /* ي ی */
    default: s = c <= 0x64A ? arabic[c - 0x621] : lookup(arabic_extra, c); break;
    }
    e->cons_at = e->len;
    puts_(e, s);
    e->cons_len = e->len - e->cons_at;
    e->haraka_len = 0;
    return 1;
}

/* ---- Hebrew: ICAO 9303 Part 3 s.6 has no Hebrew table; these are the consonant values of
 * Israeli passports' common usage (ב -> b/v, כ -> k/kh, פ -> p/f at word start / inside).
 * Niqqud, when present, gives its vowel. */

static const char *const hebrew[0x1B] = {
    /* U+05D0..U+05EA: א ב ג ד ה ו ז ח ט י ך כ ל ם מ ן נ ס ע ף פ ץ צ ק ר ש ת */
    "", "v", "g", "d", "h", "v", "z", "h", "t", "i", "kh", "kh", "l", "m",
    "m", "n", "n", "s", "", "f", "f", "ts", "ts", "k", "r", "sh", "t",
};

static size_t hebrew_emit(emitter *e, uint32_t c, uint32_t next)
{
    int start = word_start(e);
    const char *s = NULL;
    switch (c) {
    case 0x5B4: s = "i"; break;
    case 0x5B5: case 0x5B6: s = "e"; break;
    case 0x5B7: case 0x5B8: s = "a"; break;
    case 0x5B9: case 0x5BA: s = "o"; break;
    case 0x5BB: s = "u"; break;
    case 0x5BE: sep(e, ' '); return 1;
    case 0x5F3: sep(e, '\''); return 1;
    default: break;
    }
    if (s) {
        puts_(e, s);
        return 1;
    }
    if (c < 0x5D0 || c > 0x5EA) {
        if (!is_mark(c))
            sep(e, ' ');
        return 1;
    }
    mark(e, TIMS__MARK_ABJAD);
    int last = !(next >= 0x5D0 && next <= 0x5EA);
    switch (c) {
    case 0x5D0: case 0x5E2: s = start ? "a" : ""; break; /* א ע */
    case 0x5D1: s = start ? "b" : "v"; break;           /* ב */
    case 0x5D4: s = last && !start ? "a" : "h"; break;  /* ה: final he is a vowel */
    case 0x5D9: s = start ? "y" : "i"; break;           /* י */
    case 0x5DB: s = start ? "k" : "kh"; break;          /* כ */
    case 0x5E4: s = start ? "p" : "f"; break;           /* פ */
    default: s = hebrew[c - 0x5D0]; break;
    }
    puts_(e, s);
    return 1;
}

/* ---- Hangul: no ICAO table; Revised Romanization of Korean (2000), syllable by syllable
 * from its jamo, without the sound-change rules between syllables. Each syllable becomes a
 * token: Korean names are syllables, and their Latin forms split them (Kim Jong Un) or join
 * them (Jongun), which the similarity's merging covers. */

static const char *const hangul_lead[19] = {
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
    "p", "h",
};
static const char *const hangul_vowel[21] = {
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
    "we", "wi", "yu", "eu", "ui", "i",
};
static const char *const hangul_tail[28] = {
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "l", "l", "l", "l", "p", "l", "m", "p",
    "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
};

/* Korean names begin with the surname, and passports spell the common surnames their own
 * way, far from Revised Romanization for some (이 Lee, not I; 박 Park, not Bak): the spellings
 * the Korean passport office lists as customary, for a Hangul word's first syllable. */
static const cyr_exception korean_surnames[] = {
    {0xAC15, "kang"}, {0xACE0, "ko"},   {0xACFD, "kwak"}, {0xAD6C, "koo"},  {0xAD8C, "kwon"},
    {0xAE40, "kim"},  {0xB178, "roh"},  {0xB958, "ryu"},  {0xBB38, "moon"}, {0xBC15, "park"},
    {0xBC30, "bae"},  {0xBC31, "baek"}, {0xC11C, "seo"},  {0xC131, "sung"}, {0xC190, "son"},
    {0xC2E0, "shin"}, {0xC2EC, "shim"}, {0xC548, "ahn"},  {0xC5C4, "um"},   {0xC624, "oh"},
    {0xC6B0, "woo"},  {0xC720, "yoo"},  {0xC724, "yoon"}, {0xC774, "lee"},  {0xC784, "lim"},
    {0xC7A5, "jang"}, {0xC804, "jeon"}, {0xC815, "jung"}, {0xC870, "cho"},  {0xC8FC, "joo"},
    {0xCD5C, "choi"}, {0xD5C8, "huh"},  {0xD669, "hwang"},
    {0, NULL},
};

static void hangul_emit(emitter *e, uint32_t c, int first)
{
    uint32_t s = c - 0xAC00;
    sep(e, ' ');
    mark(e, TIMS__MARK_HANGUL);
    const char *surname = first ? lookup(korean_surnames, c) : NULL;
    if (surname) {
        puts_(e, surname);
    } else {
        puts_(e, hangul_lead[s / 588]);
        puts_(e, hangul_vowel[(s % 588) / 28]);
        puts_(e, hangul_tail[s % 28]);
    }
    sep(e, ' ');
}

/* ---- Latin letters that NFKD leaves alone: ICAO 9303 Part 3 s.6, Table A "Transliteration
 * of multinational Latin-based characters" (Æ -> AE, Ð -> D, Ø -> OE, Þ -> TH, ß -> SS,
 * Đ -> D, Ħ -> H, ı -> I, Ł -> L, Ŋ -> N, Œ -> OE, Ŧ -> T), and a few letters of African and
 * Turkic alphabets Table A does not list. Lower case (input is case folded); sorted. */

static const cyr_exception latin_special[] = {
    {0x00DF, "ss"}, {0x00E6, "ae"}, {0x00F0, "d"},  {0x00F8, "oe"}, {0x00FE, "th"},
    {0x0111, "d"},  {0x0127, "h"},  {0x0131, "i"},  {0x0138, "k"},  {0x0142, "l"},
    {0x014B, "n"},  {0x0153, "oe"}, {0x0167, "t"},  {0x0180, "b"},  {0x0192, "f"},
    {0x0199, "k"},  {0x01B4, "y"},  {0x01B6, "z"},  {0x01DD, "e"},  {0x01E5, "g"},
    {0x0253, "b"},  {0x0254, "o"},  {0x0256, "d"},  {0x0257, "d"},  {0x0259, "a"},
    {0x025B, "e"},  {0x0263, "g"},  {0x0268, "i"},  {0x0269, "i"},  {0x0272, "n"},
    {0x0283, "sh"}, {0x028B, "v"},  {0x0292, "zh"},
};

static const char *latin_special_value(uint32_t c)
{
    size_t lo = 0, hi = TIMS_ARRAY_LEN(latin_special);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (latin_special[mid].cp == c)
            return latin_special[mid].latin;
        if (latin_special[mid].cp < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- everything else ------------------------------------------------------------------ */

static int is_apostrophe(uint32_t c)
{
    switch (c) {
    case 0x27: case 0x60: case 0xB4: case 0x2BB: case 0x2BC: case 0x2BD: case 0x2BE:
    case 0x2BF: case 0x2B9: case 0x2018: case 0x2019: case 0x201B: case 0x2032: return 1;
    default: return 0;
    }
}

static int is_comma(uint32_t c)
{
    return c == 0x2C || c == 0x3001 || c == 0xFF0C || c == 0xFE50;
}

/* Han, kana and the like: scripts written without spaces, one letter per token. */
static int is_ideographic(uint32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

static void opaque_emit(emitter *e, uint32_t c)
{
    char hex[12];
    int n = snprintf(hex, sizeof hex, "u%x", (unsigned)c);
    int alone = is_ideographic(c);
    if (alone)
        sep(e, ' ');
    mark(e, TIMS__MARK_OPAQUE);
    put(e, hex, (size_t)n);
    if (alone)
        sep(e, ' ');
}

int tims__translit_keep_precomposed(uint32_t cp)
{
    return (cp >= 0x400 && cp <= 0x52F) || (cp >= 0x590 && cp <= 0x6FF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || cp == 0xB4;
}

size_t tims__translit(const uint32_t *cp, size_t n, int cyr_variant, char *out, size_t cap,
                      int *full)
{
    emitter e = {.out = out, .cap = cap};
    size_t i = 0;
    while (i < n && !e.full) {
        uint32_t c = cp[i];
        if (c < 0x80) {
            if (is_comma(c))
                sep(&e, ',');
            else if (c == '\'' || c == '`')
                sep(&e, '\'');
            else if (c < 0x20 || c == 0x7F)
                sep(&e, ' ');
            else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
                char ch = (char)c;
                put(&e, &ch, 1);
            } else
                sep(&e, (char)c); /* '<' and the rest: the tokeniser decides */
            i++;
        } else if (c >= 0x400 && c <= 0x52F) {
            const char *s = cyrillic_latin(c, cyr_variant);
            if (s)
                puts_(&e, s);
            else
                opaque_emit(&e, c);
            i++;
        } else if (greek_letter(c)) {
            i += greek_emit(&e, cp, n, i);
        } else if (c >= 0x600 && c <= 0x6FF) {
            i += arabic_emit(&e, cp, n, i);
        } else if (c >= 0x590 && c <= 0x5FF) {
            i += hebrew_emit(&e, c, i + 1 < n ? cp[i + 1] : 0);
        } else if (c >= 0xAC00 && c <= 0xD7A3) {
            hangul_emit(&e, c, i == 0 || !(cp[i - 1] >= 0xAC00 && cp[i - 1] <= 0xD7A3));
            i++;
        } else if (is_apostrophe(c)) {
            sep(&e, '\'');
            i++;
        } else if (is_comma(c)) {
            sep(&e, ',');
            i++;
        } else {
            const char *s = latin_special_value(c);
            if (s) {
                puts_(&e, s);
            } else {
                utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
                if (k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC ||
                    k == UTF8PROC_CATEGORY_ME)
                    ; /* a mark: stripped */
                else if (k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL ||
                         k == UTF8PROC_CATEGORY_LT || k == UTF8PROC_CATEGORY_LM ||
                         k == UTF8PROC_CATEGORY_LO || k == UTF8PROC_CATEGORY_ND)
                    opaque_emit(&e, c);
                else
                    sep(&e, ' ');
            }
            i++;
        }
    }
    *full = e.full;
    return e.len;
}
