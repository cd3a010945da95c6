/* similarity.c - tims_name_similarity(): how alike two parsed names are, in [0, 1].
 *
 * Tokens are paired one to one, in any order, so that the weighted loss is least:
 *   a pair of similarity s loses (1 - s) * (weight of both sides),
 *   a query token left alone loses LAMBDA_QUERY * its weight,
 *   a candidate token left alone loses LAMBDA_CANDIDATE * its weight (a patronymic: nothing),
 * and score = 1 - loss / (total weight of both names). A pair may also join two or three
 * adjacent tokens of one side against one token of the other (Mohammad Reza / Mohammadreza,
 * Abd al Rahman / Abdulrahman, Chou En-lai / Zhou Enlai). The assignment is exact: a dynamic
 * programme over one side's tokens in order and the set of the other side's tokens used,
 * visiting reachable states only; when both sides have more than eight tokens, the Hungarian
 * method, without merging.
 *
 * Token similarity is Jaro-Winkler on the romanisation keys (keys.c), corrected where it is
 * known to mislead on names:
 *  - digits and letters without a table match only exactly; an initial matches a token it
 *    begins; the last token of a full MRZ field matches a token it begins;
 *  - a token that is the other plus an ending is another name (Petrov/Petrova, Abbas/Abbasi);
 *  - with the same consonants, vowels that romanisations swap (o/u, e/i, a/e) raise it to
 *    VARIANT_SIM, a vowel that makes another name (i for a: Jalili/Jalali) caps it;
 *  - with different consonants, a phonetic edit distance caps it (Khaled/Khalil, Çela/Çeka)
 *    or, when only kindred letters differ (g/k, d/j), raises it (Gaddafi/Kadhafi);
 *  - a token written in Arabic or Hebrew letters, or Hangul, is compared on consonant
 *    skeletons, since those scripts leave vowels out or spell them their own way;
 *  - a given name and its pet form (diminutives.c: Ted / Theodore) are at least DIMINUTIVE_SIM.
 * The weights come from the caller's rarity callback; particles and honorifics (weak tokens),
 * initials and patronymics weigh less. Nothing here allocates; the work space is the stack
 * (about 100 KB at most). docs/screening.md, "Names", says how the constants were chosen. */
#include <float.h>
#include <string.h>

#include "names/names_int.h"

/* The constants, chosen on the data in $TIMS_TEST_DATA/names (docs/screening.md, "Names"). */
#define WEAK_WEIGHT 0.1       /* a particle or honorific weighs this much of a token */
#define INITIAL_WEIGHT 0.5    /* so does an initial */
#define PATRONYMIC_WEIGHT 0.3 /* and a patronymic (passports leave it out) */
#define TRANSPOSED_SIM 0.92   /* two neighbouring letters swapped: a typo (Lakhal / Lakahl) */
#define INITIAL_SIM 0.9       /* "J" against "John" */
#define DIMINUTIVE_SIM 0.9    /* a pet form against its given name (Ted / Theodore): as strong
                               * as an initial, below any spelling variant; Ted Doe / Theodore
                               * Doe scores 0.95, Ted Doe / Theodore Roe stays under 0.85 */
#define PREFIX_SIM 0.95       /* a token cut by the MRZ field against the full token */
#define KEY_EQUAL_SIM 0.97    /* same key, different spelling (Mahmoud / Mahmud) */
#define VARIANT_SIM 0.95      /* same consonants, vowels that romanisations swap (Kazem/Kazim) */
#define VARIANT_MIN_JW 0.75   /* ... when Jaro-Winkler already sees them as close */
#define VOWEL_CLASH_CAP 0.76  /* same consonants, a vowel that makes another name (Jalili/Jalali) */
#define CLASH_STEP 0.1        /* ... less for each further such vowel */
#define EXTENSION_CAP 0.7     /* one token is the other plus an ending: Petrov / Petrova */
#define EDIT_SCALE 1.0        /* similarity = 1 - EDIT_SCALE * phonetic distance / length */
#define CONSONANT_SWAP 1.2    /* a consonant changed: another name (Khaled / Khalil) */
#define CONSONANT_INDEL 0.8   /* a consonant added or dropped: as often a typo (Serei / Sergei) */
#define CHEAP_SWAP 0.25       /* a consonant swapped for a kindred one (k/g, d/j, s/z) */
#define VOWEL_SWAP 0.15       /* a vowel for one that stands for it (o/u, e/i) */
#define VOWEL_CLASH 0.8       /* a vowel for one that makes another name (i/a) */
#define VOWEL_INDEL 0.6       /* a vowel added or dropped inside a token */
#define H_INDEL 0.3           /* an h after a consonant added or dropped (sh/s, kh/k) */
#define TRANSPOSITION 0.6     /* two neighbours swapped: a typo */
#define SKELETON_SCALE 0.97   /* consonant skeletons agree: Arabic script vs a Latin spelling */
#define PRUNE_SIM 0.7         /* below this Jaro-Winkler, consonant-differing tokens stop there */
#define MIN_PAIR_SIM 0.7      /* below this two tokens are not paired: leaving both alone
                               * loses less (LAMBDA_QUERY + LAMBDA_CANDIDATE < 2 * 0.3) */
#define MIN_MERGE_SIM 0.85    /* a merged pair must be at least this similar */
#define LAMBDA_QUERY 0.35     /* loss of a query token the candidate lacks, per unit weight */
#define LAMBDA_CANDIDATE 0.25 /* loss of a candidate token the query lacks, per unit weight */
#define OPTIONAL_MISS 1e-6    /* a patronymic left alone: (almost) nothing; pairing it wins ties */
#define SINGLE_PAIR_CAP 0.85  /* the most one paired name part gives when others are left */

enum {
    MERGE_MAX = 3,        /* tokens of one side joined against one token of the other */
    DP_MAX_STATES = 4096, /* (rows + 1) * 2^columns */
    MERGED_MAX = MERGE_MAX * TIMS__KEY_MAX,
};

static const unsigned exact_only = TIMS_NAME_TOKEN_DIGITS | TIMS_NAME_TOKEN_OPAQUE;
static const unsigned loose_script = TIMS_NAME_TOKEN_ABJAD | TIMS_NAME_TOKEN_HANGUL;

/* One side of a comparison: a token, or adjacent tokens joined. */
typedef struct view {
    const char *text, *key, *skel;
    size_t len, key_len, skel_len;
    unsigned flags;
} view;

typedef struct merged {
    view v;
    char text[MERGE_MAX * TIMS_NAME_MAX_TOKEN_LEN + 1];
    char key[MERGED_MAX + 1];
    char skel[MERGED_MAX + 1];
} merged;

static view token_view(const tims_name_token *t)
{
    view v = {t->text, t->key, t->skel, t->len, t->key_len, t->skel_len, t->flags};
    return v;
}

/* Joins tokens [first, first + count) of name into m; 0 when they may not be joined. */
static int join(const tims_name *name, size_t first, size_t count, merged *m)
{
    size_t tl = 0, kl = 0;
    unsigned flags = 0;
    for (size_t i = first; i < first + count; i++) {
        const tims_name_token *t = &name->tokens[i];
        if (t->flags & exact_only)
            return 0;
        flags |= t->flags;
        memcpy(m->text + tl, t->text, t->len);
        tl += t->len;
        for (size_t k = 0; k < t->key_len; k++) {
            if (kl == 0 || m->key[kl - 1] != t->key[k])
                m->key[kl++] = t->key[k];
        }
    }
    m->text[tl] = '\0';
    m->key[kl] = '\0';
    m->v.text = m->text;
    m->v.len = tl;
    m->v.key = m->key;
    m->v.key_len = kl;
    m->v.flags = flags & ~(unsigned)TIMS_NAME_TOKEN_PREFIX;
    if (name->tokens[first + count - 1].flags & TIMS_NAME_TOKEN_PREFIX)
        m->v.flags |= TIMS_NAME_TOKEN_PREFIX;
    m->v.skel_len = tims__name_skeleton(m->text, tl, m->skel);
    m->v.skel = m->skel;
    return 1;
}

static int starts_with(const char *s, size_t slen, const char *prefix, size_t plen)
{
    return plen <= slen && memcmp(s, prefix, plen) == 0;
}

/* ---- Latin tokens: consonant frames and vowel groups ---------------------------------- */

/* A key split into its consonants and the vowel groups around them: group i comes before
 * consonant i, group n after the last. An 'h' after a consonant (a digraph: sh, ch, zh), a
 * final 'h' after a vowel (-ah, -eh) and a 'j' after l or n (Serbian lj, nj) are not
 * consonants of their own. */
typedef struct frame {
    char cons[TIMS__KEY_MAX + 1];
    uint8_t gstart[TIMS__KEY_MAX + 2];
    uint8_t glen[TIMS__KEY_MAX + 2];
    size_t n;
} frame;

static int key_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static void make_frame(const char *key, size_t len, frame *f)
{
    f->n = 0;
    f->gstart[0] = 0;
    f->glen[0] = 0;
    for (size_t i = 0; i < len && i < TIMS__KEY_MAX; i++) {
        char c = key[i];
        if (key_vowel(c) || (c == 'w' && i > 0 && key_vowel(key[i - 1]))) {
            if (f->glen[f->n] == 0)
                f->gstart[f->n] = (uint8_t)i;
            f->glen[f->n]++;
            continue;
        }
        char prev = i > 0 ? key[i - 1] : 0;
        if (c == 'h' && i > 0 && (!key_vowel(prev) || i + 1 == len))
            continue;
        if (c == 'j' && (prev == 'l' || prev == 'n'))
            continue;
        f->cons[f->n++] = c;
        f->gstart[f->n] = (uint8_t)(i + 1);
        f->glen[f->n] = 0;
    }
}

/* Vowels that stand for one another across romanisations. Arabic has a, i, u: a is written
 * a or e, u as u or o, i as i or e; Slavic unstressed o is written a, Ё is e/yo, the article
 * of Abd al- is written -al-, -el-, -ul-, -ol-. So a, e, o, u all stand for one another, and
 * i for e only: Jalili/Jalali, Khatib/Khattab, Hadid/Haddad are different names. */
static int vowels_agree(char x, char y)
{
    return x == y || (x != 'i' && y != 'i') || x == 'e' || y == 'e';
}

static int groups_agree_same_length(const char *x, const char *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!vowels_agree(x[i], y[i]))
            return 0;
    }
    return 1;
}

static int groups_agree(const char *x, size_t xl, const char *y, size_t yl, int final)
{
    if (xl == yl)
        return (final && xl == 1) || groups_agree_same_length(x, y, xl);
    if (xl < yl) {
        const char *t = x;
        x = y, y = t;
        size_t tl = xl;
        xl = yl, yl = tl;
    }
    if (xl - yl != 1 || (final && yl == 0)) /* a vowel added at the end makes another name */
        return 0;
    char shorter[TIMS__KEY_MAX];
    for (size_t skip = 0; skip < xl; skip++) {
        size_t k = 0;
        for (size_t i = 0; i < xl; i++) {
            if (i != skip)
                shorter[k++] = x[i];
        }
        if (groups_agree_same_length(shorter, y, yl))
            return 1;
    }
    return 0;
}

/* Consonants that romanisations swap for one another: c/k, k/q/g (qaf, ghain: Qassem/Ghassem,
 * Gaddafi/Kadhafi), g/h (Ukrainian H for Г), d/j/z (Serbian Đ: Dokovic/Djokovic; Ž: Z or ZH),
 * c/s/z, j/c (pinyin ZH/J, Wade-Giles CH), b/p, t/d, f/v/w. c and q do not: Thaçi is not Thaqi. */
static unsigned consonant_classes(char c)
{
    switch (c) {
    case 'k': return 1u | 2u;
    case 'c': return 1u | 16u | 256u;
    case 'q': return 2u;
    case 'g': return 2u | 8u;
    case 'h': return 8u;
    case 'd': return 4u | 64u;
    case 'j': return 4u | 256u;
    case 'z': return 4u | 16u;
    case 's': return 16u;
    case 'b': case 'p': return 32u;
    case 't': return 64u;
    case 'f': case 'v': case 'w': return 128u;
    default: return 0u;
    }
}

/* Costs of the phonetic edit distance below. */
static double substitution(char x, char y, int final)
{
    if (x == y)
        return 0.0;
    int vx = key_vowel(x), vy = key_vowel(y);
    if (vx && vy)
        return final ? VOWEL_SWAP : vowels_agree(x, y) ? VOWEL_SWAP : VOWEL_CLASH;
    if (!vx && !vy)
        return consonant_classes(x) & consonant_classes(y) ? CHEAP_SWAP : CONSONANT_SWAP;
    return CONSONANT_SWAP;
}

static double indel(const char *s, size_t i, size_t len)
{
    char c = s[i];
    if (key_vowel(c))
        return i + 1 == len ? 1.0 : VOWEL_INDEL; /* a vowel added at the end: another name */
    if (c == 'h' && i > 0 && !key_vowel(s[i - 1]))
        return H_INDEL; /* sh/s, ch/c, kh/k */
    if (c == 'j' && i > 0 && (s[i - 1] == 'l' || s[i - 1] == 'n'))
        return H_INDEL; /* Serbian lj/l, nj/n */
    return CONSONANT_INDEL;
}

/* A weighted Damerau-Levenshtein distance (optimal string alignment) where vowels that stand
 * for one another and kindred consonants cost little, so what remains is the difference a
 * reader hears: a consonant changed, added or dropped. Three rolling rows on the stack. */
static double phonetic_distance(const char *a, size_t an, const char *b, size_t bn)
{
    double ia[TIMS__KEY_MAX], ib[TIMS__KEY_MAX];
    double rows[3][TIMS__KEY_MAX + 1];
    if (an > TIMS__KEY_MAX)
        an = TIMS__KEY_MAX;
    if (bn > TIMS__KEY_MAX)
        bn = TIMS__KEY_MAX;
    for (size_t i = 0; i < an; i++)
        ia[i] = indel(a, i, an);
    for (size_t j = 0; j < bn; j++)
        ib[j] = indel(b, j, bn);
    double *before = rows[0], *prev = rows[1], *cur = rows[2];
    prev[0] = 0.0;
    for (size_t j = 1; j <= bn; j++)
        prev[j] = prev[j - 1] + ib[j - 1];
    for (size_t i = 1; i <= an; i++) {
        cur[0] = prev[0] + ia[i - 1];
        for (size_t j = 1; j <= bn; j++) {
            double best = prev[j - 1] + substitution(a[i - 1], b[j - 1], i == an && j == bn);
            double del = prev[j] + ia[i - 1];
            double ins = cur[j - 1] + ib[j - 1];
            if (del < best)
                best = del;
            if (ins < best)
                best = ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + TRANSPOSITION < best)
                best = before[j - 2] + TRANSPOSITION;
            cur[j] = best;
        }
        double *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    return prev[bn];
}

static double edit_similarity(double distance, size_t length)
{
    if (length == 0)
        return 1.0;
    double sim = 1.0 - EDIT_SCALE * distance / (double)length;
    return sim > 0.0 ? sim : 0.0;
}

/* The Slavic adjective ending -ий / -ій (ICAO -ii, older -iy, -y, Ukrainian -yy) may be
 * missing in the other language's form of the name: Yevhen / Evgeniy, Andrii / Andrei. */
static int slavic_ending(const view *v)
{
    static const char *const endings[] = {"ii", "iy", "yy", "ij", "yj"};
    if (v->len < 5)
        return 0;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(endings); i++) {
        if (memcmp(v->text + v->len - 2, endings[i], 2) == 0)
            return 1;
    }
    return 0;
}

/* True when a and b differ only by two neighbouring letters swapped. */
static int one_transposition(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn || an < 2)
        return 0;
    size_t i = 0;
    while (i < an && a[i] == b[i])
        i++;
    return i + 1 < an && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           memcmp(a + i + 2, b + i + 2, an - i - 2) == 0;
}

static double latin_similarity(const view *a, const view *b)
{
    if (one_transposition(a->text, a->len, b->text, b->len) ||
        one_transposition(a->key, a->key_len, b->key, b->key_len))
        return TRANSPOSED_SIM;
    const view *shorter = a->key_len < b->key_len ? a : b;
    const view *longer = shorter == a ? b : a;
    int extension = shorter->key_len >= 2 && longer->key_len > shorter->key_len &&
                    starts_with(longer->key, longer->key_len, shorter->key, shorter->key_len);
    if (extension && longer->key_len == shorter->key_len + 1) {
        char tail = longer->key[shorter->key_len];
        if (tail == 'h' || (tail == 'i' && slavic_ending(longer)))
            return VARIANT_SIM; /* Abdullah / Abdulla; Evgeniy / Yevhen */
    }
    double s = tims__jw(a->key, a->key_len, b->key, b->key_len);
    int plain = a->len == a->key_len && b->len == b->key_len &&
                memcmp(a->text, a->key, a->len) == 0 && memcmp(b->text, b->key, b->len) == 0;
    if (!plain) {
        double raw = tims__jw(a->text, a->len, b->text, b->len);
        if (raw > s)
            s = raw;
    }
    if (extension) /* Petrov / Petrova, Abbas / Abbasi, Mohammadi / Mohammadian */
        return s < EXTENSION_CAP ? s : EXTENSION_CAP;
    frame fa, fb;
    make_frame(a->key, a->key_len, &fa);
    make_frame(b->key, b->key_len, &fb);
    if (fa.n == fb.n && memcmp(fa.cons, fb.cons, fa.n) == 0) {
        size_t clashes = 0;
        for (size_t g = 0; g <= fa.n; g++) {
            clashes += !groups_agree(a->key + fa.gstart[g], fa.glen[g], b->key + fb.gstart[g],
                                     fb.glen[g], g == fa.n);
        }
        if (clashes == 0 && s >= VARIANT_MIN_JW) /* not Ali / Ola: one consonant is too little */
            return s > VARIANT_SIM ? s : VARIANT_SIM;
        double cap = VOWEL_CLASH_CAP - CLASH_STEP * (double)(clashes - 1);
        return s < cap ? s : cap;
    }
    if (s < PRUNE_SIM)
        return s; /* too far apart for the distance to matter (it only lowers, or raises
                     tokens that differ in a kindred letter or two, which JW rates high) */
    /* The consonants differ. The phonetic edit distance, on the keys or on the letters as
     * written (a typo such as Lakhal / Lakahl is plainer there), over the key's length, says
     * how much: it caps Jaro-Winkler, or raises it when only kindred letters differ. */
    double d = phonetic_distance(a->key, a->key_len, b->key, b->key_len);
    if (!plain && d >= 1.0) {
        double d_raw = phonetic_distance(a->text, a->len, b->text, b->len);
        if (d_raw < d)
            d = d_raw;
    }
    double e = edit_similarity(d, (a->key_len + b->key_len + 1) / 2);
    if (d <= 2 * CHEAP_SWAP) /* only kindred letters differ */
        return e > s ? e : s;
    return s < e ? s : e;
}

static double token_similarity(const view *a, const view *b)
{
    if ((a->flags | b->flags) & exact_only)
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 ? 1.0 : 0.0;
    if (a->len == b->len && memcmp(a->text, b->text, a->len) == 0)
        return 1.0;
    unsigned script = (a->flags | b->flags) & loose_script;
    if (!script && (a->len == 1 || b->len == 1))
        return a->text[0] == b->text[0] ? INITIAL_SIM : 0.0;
    if ((a->flags & TIMS_NAME_TOKEN_PREFIX) && a->len >= 2 &&
        starts_with(b->text, b->len, a->text, a->len))
        return PREFIX_SIM;
    if ((b->flags & TIMS_NAME_TOKEN_PREFIX) && b->len >= 2 &&
        starts_with(a->text, a->len, b->text, b->len))
        return PREFIX_SIM;
    if (script) {
        double s = 0.0;
        if (a->skel_len > 0 && b->skel_len > 0)
            s = SKELETON_SCALE * tims__jw(a->skel, a->skel_len, b->skel, b->skel_len);
        double k = tims__jw(a->key, a->key_len, b->key, b->key_len);
        return k > s ? k : s;
    }
    if (a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0)
        return KEY_EQUAL_SIM;
    return latin_similarity(a, b);
}

/* ---- the assignment ------------------------------------------------------------------- */

/* One side of the problem, in the orientation the solver uses (rows or columns). */
typedef struct side {
    const tims_name *name;
    double w[TIMS_NAME_MAX_TOKENS];
    double miss[TIMS_NAME_MAX_TOKENS]; /* loss when the token stays alone */
    uint8_t optional[TIMS_NAME_MAX_TOKENS]; /* a patronymic: alone, it does not count */
    double lambda;
    size_t n;
    int all_weak; /* every token is weak: they count as strong */
} side;

/* What may be paired: each edge joins row tokens [i, i + rk) with column tokens [j, j + ck)
 * (one of rk, ck is 1) and says what that pairing loses. Edges are listed row by row. */
typedef struct edge {
    uint32_t bits; /* the columns it uses */
    float loss;    /* (1 - sim) * (weight of its row tokens + weight of its column tokens) */
    float sim;
    uint8_t j, rk, ck;
} edge;

enum { EDGE_MAX = TIMS_NAME_MAX_TOKENS * TIMS_NAME_MAX_TOKENS * (2 * MERGE_MAX - 1) };

typedef struct table {
    double one[TIMS_NAME_MAX_TOKENS][TIMS_NAME_MAX_TOKENS]; /* -1: may not be paired */
    edge edges[EDGE_MAX];
    uint16_t first[TIMS_NAME_MAX_TOKENS + 1]; /* row i's edges: [first[i], first[i + 1]) */
} table;

static int may_pair(const tims_name_token *a, const tims_name_token *b)
{
    return a->weak == b->weak;
}

/* Which letters a string has once, twice, or more often (bit 26: anything else). */
typedef struct letters {
    uint32_t once, twice, more;
} letters;

static void count_letters(const char *s, size_t n, letters *h)
{
    h->once = h->twice = h->more = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i] - 'a';
        uint32_t bit = (uint32_t)1 << (c < 26 ? c : 26);
        h->more |= h->twice & bit;
        h->twice |= h->once & bit;
        h->once |= bit;
    }
}

static unsigned bits_set(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
}

/* The most Jaro-Winkler could give two strings with these letters (no transposition, every
 * shared letter within reach, the prefix they share). */
static double jw_upper_bound(const char *a, size_t an, const letters *ha, const char *b,
                             size_t bn, const letters *hb)
{
    if (an == 0 || bn == 0 || (ha->more & hb->more))
        return 1.0;
    unsigned m = bits_set(ha->once & hb->once) + bits_set(ha->twice & hb->twice);
    double jaro = ((double)m / (double)an + (double)m / (double)bn + 1.0) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < an && prefix < bn && a[prefix] == b[prefix])
        prefix++;
    return jaro + 0.1 * (double)prefix * (1.0 - jaro);
}

/* True when two Latin tokens cannot reach MIN_PAIR_SIM: Jaro-Winkler on neither the keys nor
 * the letters can (and the rules above only raise tokens Jaro-Winkler already rates high). */
static int hopeless(const tims_name_token *a, const letters *ka, const letters *ta,
                    const tims_name_token *b, const letters *kb, const letters *tb)
{
    if ((a->flags | b->flags) & (loose_script | exact_only) || a->len == 1 || b->len == 1)
        return 0;
    return jw_upper_bound(a->key, a->key_len, ka, b->key, b->key_len, kb) < MIN_PAIR_SIM &&
           jw_upper_bound(a->text, a->len, ta, b->text, b->len, tb) < MIN_PAIR_SIM;
}

static double merged_similarity(const tims_name *run_name, size_t first, size_t count,
                                const tims_name_token *single)
{
    size_t klen = 0;
    for (size_t i = first; i < first + count; i++)
        klen += run_name->tokens[i].key_len;
    if (single->flags & exact_only)
        return -1.0;
    /* Joined tokens spell the same name: same first letter, about the same length. */
    if (!((single->flags | run_name->tokens[first].flags) & loose_script) &&
        (single->key_len == 0 || run_name->tokens[first].key[0] != single->key[0] ||
         4 * klen < 3 * single->key_len || 4 * single->key_len < 3 * klen))
        return -1.0;
    if ((single->flags | run_name->tokens[first].flags) & loose_script) {
        /* compared on skeletons: a token with no consonant would join for free */
        for (size_t i = first; i < first + count; i++) {
            if (run_name->tokens[i].skel_len == 0)
                return -1.0;
        }
    }
    merged m;
    if (!join(run_name, first, count, &m))
        return -1.0;
    view s = token_view(single);
    double sim = token_similarity(&m.v, &s);
    return sim >= MIN_MERGE_SIM ? sim : -1.0;
}

static void add_edge(table *t, size_t *n, double sim, double weight, size_t j, size_t rk,
                     size_t ck)
{
    edge *e = &t->edges[(*n)++];
    e->bits = (((uint32_t)1 << ck) - 1) << j;
    e->loss = (float)((1.0 - sim) * weight);
    e->sim = (float)sim;
    e->j = (uint8_t)j;
    e->rk = (uint8_t)rk;
    e->ck = (uint8_t)ck;
}

/* The token's place in the table of given names and pet forms, or -1. */
static int diminutive_of(const tims_name_token *t)
{
    if (t->weak || t->len < 2 || (t->flags & (loose_script | exact_only)))
        return -1;
    return tims__diminutive_index(t->key, t->key_len);
}

static void fill_table(const side *r, const side *c, int merges, table *t)
{
    letters rk[TIMS_NAME_MAX_TOKENS], rt[TIMS_NAME_MAX_TOKENS];
    letters ck[TIMS_NAME_MAX_TOKENS], ct[TIMS_NAME_MAX_TOKENS];
    int rd[TIMS_NAME_MAX_TOKENS], cd[TIMS_NAME_MAX_TOKENS];
    for (size_t i = 0; i < r->n; i++) {
        const tims_name_token *tok = &r->name->tokens[i];
        count_letters(tok->key, tok->key_len, &rk[i]);
        count_letters(tok->text, tok->len, &rt[i]);
        rd[i] = diminutive_of(tok);
    }
    for (size_t j = 0; j < c->n; j++) {
        const tims_name_token *tok = &c->name->tokens[j];
        count_letters(tok->key, tok->key_len, &ck[j]);
        count_letters(tok->text, tok->len, &ct[j]);
        cd[j] = diminutive_of(tok);
    }
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        t->first[i] = (uint16_t)n;
        const tims_name_token *a = &r->name->tokens[i];
        view va = token_view(a);
        for (size_t j = 0; j < c->n; j++) {
            const tims_name_token *b = &c->name->tokens[j];
            double s = -1.0;
            if (may_pair(a, b) && !hopeless(a, &rk[i], &rt[i], b, &ck[j], &ct[j])) {
                view vb = token_view(b);
                s = token_similarity(&va, &vb);
            }
            if (s < DIMINUTIVE_SIM && tims__diminutives_linked(rd[i], cd[j]))
                s = DIMINUTIVE_SIM; /* Ted / Theodore, Sasha / Aleksandr */
            if (s < MIN_PAIR_SIM)
                s = -1.0;
            t->one[i][j] = s;
            if (s >= 0.0)
                add_edge(t, &n, s, r->w[i] + c->w[j], j, 1, 1);
            if (!merges)
                continue;
            double rw = r->w[i], cw = c->w[j];
            for (size_t k = 2; k <= MERGE_MAX; k++) {
                if (i + k <= r->n && !b->weak) {
                    rw += r->w[i + k - 1];
                    double m = merged_similarity(r->name, i, k, b);
                    if (m >= 0.0)
                        add_edge(t, &n, m, rw + c->w[j], j, k, 1);
                }
                if (j + k <= c->n && !a->weak) {
                    cw += c->w[j + k - 1];
                    double m = merged_similarity(c->name, j, k, a);
                    if (m >= 0.0)
                        add_edge(t, &n, m, r->w[i] + cw, j, 1, k);
                }
            }
        }
    }
    t->first[r->n] = (uint16_t)n;
}

typedef struct result {
    double loss;
    size_t npairs;
    struct {
        uint8_t r0, rk, c0, ck;
        double sim;
    } pairs[TIMS_NAME_MAX_TOKENS];
} result;

static void add_pair(result *res, size_t r0, size_t rk, size_t c0, size_t ck, double sim)
{
    if (res->npairs >= TIMS_NAME_MAX_TOKENS)
        return;
    res->pairs[res->npairs].r0 = (uint8_t)r0;
    res->pairs[res->npairs].rk = (uint8_t)rk;
    res->pairs[res->npairs].c0 = (uint8_t)c0;
    res->pairs[res->npairs].ck = (uint8_t)ck;
    res->pairs[res->npairs].sim = sim;
    res->npairs++;
}

/* dp[i][mask]: the least loss with rows [0, i) decided and columns mask used; step[] holds the
 * edge taken to get there (its index + 1), or 0 for "row i - 1 left alone". Only reachable
 * states are visited: each row keeps the list of masks reached so far. */
typedef struct programme {
    float dp[DP_MAX_STATES];
    uint16_t step[DP_MAX_STATES];
    uint16_t reached[DP_MAX_STATES]; /* row i's masks at [i * width, i * width + count[i]) */
    size_t count[TIMS_NAME_MAX_TOKENS + 1];
    size_t width;
} programme;

static void reach(programme *p, size_t row, size_t mask, float value, uint16_t step)
{
    size_t at = row * p->width + mask;
    if (p->dp[at] == FLT_MAX) { /* not reached before */
        p->dp[at] = value;
        p->step[at] = step;
        p->reached[row * p->width + p->count[row]++] = (uint16_t)mask;
    } else if (value < p->dp[at]) {
        p->dp[at] = value;
        p->step[at] = step;
    }
}

static void solve_dp(const side *r, const side *c, const table *t, result *res)
{
    programme p;
    p.width = (size_t)1 << c->n;
    for (size_t at = 0; at < (r->n + 1) * p.width; at++)
        p.dp[at] = FLT_MAX;
    memset(p.count, 0, sizeof p.count);
    reach(&p, 0, 0, 0.0f, 0);
    for (size_t i = 0; i < r->n; i++) {
        const edge *e0 = t->edges + t->first[i], *e1 = t->edges + t->first[i + 1];
        for (size_t k = 0; k < p.count[i]; k++) {
            size_t mask = p.reached[i * p.width + k];
            float here = p.dp[i * p.width + mask];
            reach(&p, i + 1, mask, here + (float)r->miss[i], 0);
            for (const edge *e = e0; e < e1; e++) {
                if (mask & e->bits || i + e->rk > r->n)
                    continue;
                reach(&p, i + e->rk, mask | e->bits, here + e->loss,
                      (uint16_t)(e - t->edges + 1));
            }
        }
    }
    /* Columns left over pay their own loss. */
    double best = DBL_MAX;
    size_t best_mask = 0;
    size_t all = p.width - 1;
    for (size_t k = 0; k < p.count[r->n]; k++) {
        size_t mask = p.reached[r->n * p.width + k];
        double v = p.dp[r->n * p.width + mask];
        for (size_t left = all & ~mask; left; left &= left - 1)
            v += c->miss[__builtin_ctzll(left)];
        if (v < best) {
            best = v;
            best_mask = mask;
        }
    }
    res->loss = best;
    res->npairs = 0;
    size_t i = r->n, mask = best_mask;
    while (i > 0) {
        uint16_t s = p.step[i * p.width + mask];
        if (s == 0) {
            i--;
            continue;
        }
        const edge *e = &t->edges[s - 1];
        i -= e->rk;
        mask &= ~(size_t)e->bits;
        add_pair(res, i, e->rk, e->j, e->ck, e->sim);
    }
}

/* Hungarian method (Kuhn-Munkres with potentials) on the square matrix of rows + columns:
 * row i with column j pairs them, row i with a dummy column leaves it alone, and so on. */
enum { HMAX = 2 * TIMS_NAME_MAX_TOKENS };

static void solve_hungarian(const side *r, const side *c, const table *t, result *res)
{
    size_t n = r->n + c->n;
    double cost[HMAX + 1][HMAX + 1];
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= n; j++) {
            size_t ri = i - 1, cj = j - 1;
            double v;
            if (ri < r->n && cj < c->n) {
                double s = t->one[ri][cj];
                v = s >= 0.0 ? (1.0 - s) * (r->w[ri] + c->w[cj]) : 1e9;
            } else if (ri < r->n) {
                v = r->miss[ri];
            } else if (cj < c->n) {
                v = c->miss[cj];
            } else {
                v = 0.0;
            }
            cost[i][j] = v;
        }
    }
    double u[HMAX + 1] = {0}, v[HMAX + 1] = {0}, minv[HMAX + 1];
    size_t p[HMAX + 1] = {0}, way[HMAX + 1] = {0};
    int used[HMAX + 1];
    for (size_t i = 1; i <= n; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= n; j++) {
            minv[j] = DBL_MAX;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            double delta = DBL_MAX;
            for (size_t j = 1; j <= n; j++) {
                if (used[j])
                    continue;
                double cur = cost[i0][j] - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (size_t j = 0; j <= n; j++) {
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    res->loss = 0.0;
    res->npairs = 0;
    for (size_t j = 1; j <= n; j++) {
        size_t ri = p[j] - 1, cj = j - 1;
        res->loss += cost[p[j]][j];
        if (ri < r->n && cj < c->n && t->one[ri][cj] >= 0.0)
            add_pair(res, ri, 1, cj, 1, t->one[ri][cj]);
    }
}

/* True when side s has a token outside used that is a full name part. */
static int leftover(const side *s, uint32_t used)
{
    for (size_t i = 0; i < s->n; i++) {
        const tims_name_token *t = &s->name->tokens[i];
        if (!(used & (1u << i)) && !t->weak && t->len > 1 &&
            !(t->flags & TIMS_NAME_TOKEN_PATRONYMIC))
            return 1;
    }
    return 0;
}

static double clamp_weight(double w)
{
    return w > 100.0 ? 100.0 : w > 0.01 ? w : 0.01; /* also maps NaN to 0.01 */
}

static void weigh(side *s, const tims_name *name, double lambda, tims_token_weight_fn weight,
                  void *ctx)
{
    int all_weak = 1;
    for (size_t i = 0; i < name->count; i++)
        all_weak &= name->tokens[i].weak;
    s->name = name;
    s->n = name->count < TIMS_NAME_MAX_TOKENS ? name->count : TIMS_NAME_MAX_TOKENS;
    s->lambda = lambda;
    s->all_weak = all_weak;
    for (size_t i = 0; i < s->n; i++) {
        const tims_name_token *t = &name->tokens[i];
        double w = weight ? clamp_weight(weight(t->text, t->len, ctx)) : 1.0;
        if (t->weak && !all_weak)
            w *= WEAK_WEIGHT;
        if (t->len == 1 && !(t->flags & (loose_script | exact_only)))
            w *= INITIAL_WEIGHT;
        if (t->flags & TIMS_NAME_TOKEN_PATRONYMIC)
            w *= PATRONYMIC_WEIGHT;
        s->w[i] = w;
        /* A patronymic one side lacks is no evidence: passports leave it out. */
        s->optional[i] = (t->flags & TIMS_NAME_TOKEN_PATRONYMIC) != 0;
        s->miss[i] = s->optional[i] ? OPTIONAL_MISS * w : lambda * w;
    }
}

double tims_name_similarity(const tims_name *query, const tims_name *candidate,
                            tims_token_weight_fn weight, void *weight_ctx,
                            tims_name_match *explain)
{
    if (explain)
        memset(explain, 0, sizeof *explain);
    if (!query || !candidate || query->count == 0 || candidate->count == 0)
        return 0.0;
    side q, c;
    weigh(&q, query, LAMBDA_QUERY, weight, weight_ctx);
    weigh(&c, candidate, LAMBDA_CANDIDATE, weight, weight_ctx);

    /* Rows are walked in order, columns are a set: put the smaller side in the set. */
    int swapped = (c.n + 1) << q.n < (q.n + 1) << c.n;
    const side *rows = swapped ? &c : &q;
    const side *cols = swapped ? &q : &c;
    int use_dp = ((rows->n + 1) << cols->n) <= DP_MAX_STATES;
    table t;
    fill_table(rows, cols, use_dp, &t);
    result res;
    if (use_dp)
        solve_dp(rows, cols, &t, &res);
    else
        solve_hungarian(rows, cols, &t, &res);

    /* The total weight: every token, except a patronymic left alone (it did not count). */
    uint32_t row_used = 0, col_used = 0;
    for (size_t p = 0; p < res.npairs; p++) {
        for (size_t k = 0; k < res.pairs[p].rk; k++)
            row_used |= 1u << (res.pairs[p].r0 + k);
        for (size_t k = 0; k < res.pairs[p].ck; k++)
            col_used |= 1u << (res.pairs[p].c0 + k);
    }
    double total = 0.0, loss = res.loss;
    for (size_t i = 0; i < rows->n; i++) {
        if (!rows->optional[i] || (row_used & (1u << i)))
            total += rows->w[i];
        else
            loss -= rows->miss[i];
    }
    for (size_t j = 0; j < cols->n; j++) {
        if (!cols->optional[j] || (col_used & (1u << j)))
            total += cols->w[j];
        else
            loss -= cols->miss[j];
    }
    /* Weak tokens never match on their own: some strong token must be paired. */
    int strong = 0;
    for (size_t p = 0; p < res.npairs && !strong; p++) {
        size_t r0 = res.pairs[p].r0;
        strong = res.pairs[p].rk > 1 || res.pairs[p].ck > 1 || !rows->name->tokens[r0].weak ||
                 rows->all_weak;
    }
    double score = strong && total > 0.0 ? 1.0 - loss / total : 0.0;
    if (score < 0.0)
        score = 0.0;
    if (score > 1.0 || loss < 1e-9)
        score = strong && total > 0.0 ? 1.0 : 0.0;
    /* One name part in common is not enough while either name has another part left over
     * (Nicolas / Nicolas Maduro): an initial, particle or patronymic does not count. */
    if (res.npairs == 1 && score > SINGLE_PAIR_CAP &&
        (leftover(rows, row_used) || leftover(cols, col_used)))
        score = SINGLE_PAIR_CAP;
    if (explain) {
        explain->score = score;
        for (size_t p = 0; p < res.npairs; p++) {
            for (size_t a = 0; a < res.pairs[p].rk; a++) {
                for (size_t b = 0; b < res.pairs[p].ck; b++) {
                    if (explain->pair_count >= TIMS_NAME_MAX_TOKENS)
                        break;
                    size_t ri = res.pairs[p].r0 + a, ci = res.pairs[p].c0 + b;
                    tims_token_pair *tp = &explain->pairs[explain->pair_count++];
                    tp->query = (uint8_t)(swapped ? ci : ri);
                    tp->candidate = (uint8_t)(swapped ? ri : ci);
                    tp->similarity = (float)res.pairs[p].sim;
                }
            }
        }
    }
    return score;
}
