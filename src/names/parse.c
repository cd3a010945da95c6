/* parse.c - tims_name_parse(): from a UTF-8 name to its tokens and their keys.
 *
 * An all-ASCII name (the common case: lists and MRZ) goes straight to the tokeniser. Anything
 * else is decoded (strictly: overlong forms, surrogates and stray bytes are errors), decomposed
 * and case folded one code point at a time by utf8proc into a stack array, and transliterated
 * (translit.c) into an ASCII stream that the same tokeniser reads; English number words then
 * become digits. Tokens, keys and skeletons
 * are built on the stack; the only heap allocation is the one buffer the name keeps. */
#include <string.h>
#include <utf8proc.h>

#include "names/names_int.h"

enum {
    CP_MAX = 512,      /* code points of one name looked at; the rest is dropped (flagged) */
    STREAM_MAX = 2048, /* bytes of transliterated text */
};

/* ---- tokeniser ------------------------------------------------------------------------ */

typedef struct builder {
    char text[TIMS_NAME_MAX_TOKENS][TIMS_NAME_MAX_TOKEN_LEN + 1];
    uint16_t len[TIMS_NAME_MAX_TOKENS];
    uint8_t flags[TIMS_NAME_MAX_TOKENS];
    size_t count;
    int open;        /* a token is being written */
    uint8_t pending; /* token flags seen before its first letter */
    size_t comma_at; /* token count at the first comma, or SIZE_MAX */
    size_t split_at; /* MRZ: token count at the first "<<", or SIZE_MAX */
    char prev;
    int truncated;
    int done; /* TIMS_NAME_MAX_TOKENS tokens are complete and another one began */
} builder;

static void close_token(builder *b)
{
    if (b->open) {
        b->count++;
        b->open = 0;
    }
    b->pending = 0;
}

static void feed(builder *b, char c, unsigned flags, int markers)
{
    if (b->done)
        return;
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    int digit = c >= '0' && c <= '9';
    if (alpha || digit) {
        if (!b->open) {
            if (b->count == TIMS_NAME_MAX_TOKENS) {
                b->truncated = 1;
                b->done = 1;
                return;
            }
            b->open = 1;
            b->len[b->count] = 0;
            b->flags[b->count] = b->pending;
            b->pending = 0;
        }
        size_t t = b->count;
        if (b->len[t] < TIMS_NAME_MAX_TOKEN_LEN) {
            b->text[t][b->len[t]++] = alpha ? (char)(c | 0x20) : c;
            if (digit)
                b->flags[t] |= TIMS_NAME_TOKEN_DIGITS;
        } else {
            b->truncated = 1;
        }
    } else if (c == '\'' || c == '`') {
        /* apostrophes join: O'Brien, Sa'id, Ma'ruf */
    } else if (markers && c >= TIMS__MARK_ABJAD && c <= TIMS__MARK_OPAQUE) {
        uint8_t f = c == TIMS__MARK_ABJAD    ? TIMS_NAME_TOKEN_ABJAD
                    : c == TIMS__MARK_HANGUL ? TIMS_NAME_TOKEN_HANGUL
                                             : TIMS_NAME_TOKEN_OPAQUE;
        if (b->open)
            b->flags[b->count] |= f;
        else
            b->pending |= f;
        return; /* a marker is not a character: keep prev */
    } else {
        close_token(b);
        if (c == ',' && b->comma_at == SIZE_MAX)
            b->comma_at = b->count;
        if (c == '<' && (flags & TIMS_NAME_MRZ) && b->prev == '<' && b->split_at == SIZE_MAX)
            b->split_at = b->count;
    }
    b->prev = c;
}

/* ---- UTF-8 ---------------------------------------------------------------------------- */

/* Decodes one code point at s[*i]; returns 0 and leaves *i on the bad byte if invalid. */
static int decode(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
    size_t at = *i;
    unsigned c = s[at];
    size_t need;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        *i = at + 1;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07;
    } else {
        return 0;
    }
    if (n - at - 1 < need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        unsigned cc = s[at + k];
        if ((cc & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (cc & 0x3F);
    }
    if ((need == 2 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (need == 3 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *cp = v;
    *i = at + 1 + need;
    return 1;
}

static int all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    }
    return 1;
}

/* Decodes, decomposes and case folds utf8 into cps; validates all of it even past CP_MAX. */
static tims_err to_code_points(const char *utf8, size_t len, uint32_t *cps, size_t *ncp,
                               int *cut, tims_diag *diag)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t i = 0, n = 0;
    while (i < len) {
        uint32_t cp;
        size_t at = i;
        if (!decode(s, len, &i, &cp))
            return tims_diag_set(diag, TIMS_EDATA,
                                 "the name is not valid UTF-8 at byte %zu (0x%02x); give names "
                                 "in UTF-8", at + 1, s[at]);
        if (n >= CP_MAX) {
            *cut = 1;
            continue;
        }
        if (cp < 0x80 || tims__translit_keep_precomposed(cp)) {
            cps[n++] = cp;
            continue;
        }
        utf8proc_int32_t d[32];
        int boundclass = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(
            (utf8proc_int32_t)cp, d, (utf8proc_ssize_t)TIMS_ARRAY_LEN(d),
            UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE,
            &boundclass);
        if (k < 0 || k > (utf8proc_ssize_t)TIMS_ARRAY_LEN(d))
            continue; /* unassigned or absurdly long decomposition: ignore the character */
        for (utf8proc_ssize_t j = 0; j < k; j++) {
            if (n >= CP_MAX) {
                *cut = 1;
                break;
            }
            cps[n++] = (uint32_t)d[j];
        }
    }
    *ncp = n;
    return TIMS_OK;
}

/* ---- assembling the name -------------------------------------------------------------- */

/* ---- number words --------------------------------------------------------------------- */

/* English number words fold into digits, so that "Brigade Fourty-four" is "Brigade 44": a
 * units or teens word alone, a tens word alone, or a tens word followed (joined, hyphenated or
 * spaced) by a units word. "fourty" is the common misspelling of forty. Any whole token that
 * is one of these words folds, also in a name such as "Capital One" (then "capital 1", which
 * still matches itself). "ten" stays a word: it is the Dutch particle (Corrie ten Boom). */
static int units_value(const char *w, size_t n)
{
    static const char *const units[] = {"one", "two", "three", "four", "five", "six", "seven",
                                        "eight", "nine"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(units); i++) {
        if (strlen(units[i]) == n && memcmp(units[i], w, n) == 0)
            return (int)i + 1;
    }
    return 0;
}

static int teens_value(const char *w, size_t n)
{
    static const char *const teens[] = {"eleven", "twelve", "thirteen", "fourteen", "fifteen",
                                        "sixteen", "seventeen", "eighteen", "nineteen"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(teens); i++) {
        if (strlen(teens[i]) == n && memcmp(teens[i], w, n) == 0)
            return (int)i + 11;
    }
    return 0;
}

/* The tens word w begins with (its length in *n), or 0. */
static int tens_prefix(const char *w, size_t len, size_t *n)
{
    static const struct {
        const char *word;
        int value;
    } tens[] = {{"twenty", 20}, {"thirty", 30}, {"forty", 40}, {"fourty", 40}, {"fifty", 50},
                {"sixty", 60},  {"seventy", 70}, {"eighty", 80}, {"ninety", 90}};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(tens); i++) {
        size_t k = strlen(tens[i].word);
        if (k <= len && memcmp(tens[i].word, w, k) == 0) {
            *n = k;
            return tens[i].value;
        }
    }
    return 0;
}

/* The value of a whole token that is a number word (twentyone and twenty-one alike), or 0. */
static int word_value(const char *w, size_t len, int *is_tens)
{
    size_t k = 0;
    int tens = tens_prefix(w, len, &k);
    *is_tens = tens && k == len;
    if (tens && k == len)
        return tens;
    if (tens) {
        int u = units_value(w + k, len - k);
        return u ? tens + u : 0;
    }
    int v = units_value(w, len);
    return v ? v : teens_value(w, len);
}

/* Letters typed in Latin script, not a particle, not possibly cut short (MRZ): FOUR at the
 * end of a full field may be FOURTEEN. */
static int plain_word(const builder *b, size_t i)
{
    return b->flags[i] == 0 && !tims__is_weak_token(b->text[i], b->len[i]);
}

static void fold_numbers(builder *b)
{
    for (size_t i = 0; i < b->count; i++) {
        int is_tens = 0;
        int v = plain_word(b, i) ? word_value(b->text[i], b->len[i], &is_tens) : 0;
        if (!v)
            continue;
        size_t next = i + 1;
        if (is_tens && next < b->count && plain_word(b, next) && b->comma_at != next &&
            b->split_at != next) {
            int u = units_value(b->text[next], b->len[next]);
            if (u) { /* forty four: two tokens become one */
                v += u;
                memmove(&b->text[next], &b->text[next + 1],
                        (b->count - next - 1) * sizeof b->text[0]);
                memmove(&b->len[next], &b->len[next + 1], (b->count - next - 1) * sizeof b->len[0]);
                memmove(&b->flags[next], &b->flags[next + 1],
                        (b->count - next - 1) * sizeof b->flags[0]);
                b->count--;
                if (b->comma_at != SIZE_MAX && b->comma_at > next)
                    b->comma_at--;
                if (b->split_at != SIZE_MAX && b->split_at > next)
                    b->split_at--;
            }
        }
        b->len[i] = (uint16_t)(v >= 10 ? 2 : 1);
        b->text[i][0] = (char)(v >= 10 ? '0' + v / 10 : '0' + v);
        if (v >= 10)
            b->text[i][1] = (char)('0' + v % 10);
        b->text[i][b->len[i]] = '\0';
        b->flags[i] |= TIMS_NAME_TOKEN_DIGITS;
    }
}

static void rotate(size_t *order, size_t count, size_t first)
{
    for (size_t i = 0; i < count; i++)
        order[i] = (first + i) % count;
}

static tims_err build_name(builder *b, unsigned flags, tims_name *out)
{
    size_t order[TIMS_NAME_MAX_TOKENS];
    fold_numbers(b);
    size_t count = b->count;
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    if ((flags & TIMS_NAME_MRZ) && b->split_at != SIZE_MAX && b->split_at > 0 &&
        b->split_at < count)
        rotate(order, count, b->split_at); /* SURNAME<<GIVEN -> GIVEN SURNAME */
    else if ((flags & TIMS_NAME_LAST_FIRST) && b->comma_at != SIZE_MAX && b->comma_at > 0 &&
             b->comma_at < count)
        rotate(order, count, b->comma_at); /* LAST, First -> First LAST */

    char keys[TIMS_NAME_MAX_TOKENS][TIMS__KEY_MAX + 1];
    char skels[TIMS_NAME_MAX_TOKENS][TIMS__KEY_MAX + 1];
    size_t key_len[TIMS_NAME_MAX_TOKENS], skel_len[TIMS_NAME_MAX_TOKENS];
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        key_len[i] = tims__name_key(b->text[i], b->len[i], keys[i]);
        skel_len[i] = tims__name_skeleton(b->text[i], b->len[i], skels[i]);
        total += b->len[i] + key_len[i] + skel_len[i] + 3;
    }
    if (count == 0)
        return TIMS_OK;
    char *buf = tims_malloc(total);
    if (!buf)
        return TIMS_ENOMEM;
    char *p = buf;
    for (size_t k = 0; k < count; k++) {
        size_t i = order[k];
        tims_name_token *t = &out->tokens[k];
        memcpy(p, b->text[i], b->len[i]);
        p[b->len[i]] = '\0';
        t->text = p;
        t->len = b->len[i];
        p += b->len[i] + 1;
        memcpy(p, keys[i], key_len[i] + 1);
        t->key = p;
        t->key_len = (uint16_t)key_len[i];
        p += key_len[i] + 1;
        memcpy(p, skels[i], skel_len[i] + 1);
        t->skel = p;
        t->skel_len = (uint16_t)skel_len[i];
        p += skel_len[i] + 1;
        t->flags = b->flags[i];
        if (tims__is_patronymic(t->text, t->len))
            t->flags |= TIMS_NAME_TOKEN_PATRONYMIC;
        t->weak = (uint8_t)tims__is_weak_token(t->text, t->len);
    }
    out->buf = buf;
    out->count = count;
    return TIMS_OK;
}

tims_err tims_name_parse(const char *utf8, size_t len, unsigned flags, tims_name *out,
                         tims_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!utf8 && len > 0)
        return tims_diag_set(diag, TIMS_EINVAL, "no name text given (NULL with length %zu)", len);
    builder b;
    b.count = 0;
    b.open = 0;
    b.pending = 0;
    b.comma_at = SIZE_MAX;
    b.split_at = SIZE_MAX;
    b.prev = 0;
    b.truncated = 0;
    b.done = 0;
    if (all_ascii(utf8, len)) {
        for (size_t i = 0; i < len && !b.done; i++)
            feed(&b, utf8[i], flags, 0);
    } else {
        uint32_t cps[CP_MAX];
        size_t ncp = 0;
        int cut = 0, full = 0;
        tims_err err = to_code_points(utf8, len, cps, &ncp, &cut, diag);
        if (err != TIMS_OK)
            return err;
        char stream[STREAM_MAX];
        size_t n = tims__translit(cps, ncp, tims__cyrillic_variant(cps, ncp), stream,
                                  sizeof stream, &full);
        for (size_t i = 0; i < n && !b.done; i++)
            feed(&b, stream[i], flags, 1);
        if (cut || full)
            b.truncated = 1;
    }
    close_token(&b);
    if ((flags & TIMS_NAME_MRZ) && len > 0 && utf8[len - 1] != '<' && b.count > 0) {
        /* the name filled its MRZ field: its last letters may be cut off */
        b.truncated = 1;
        b.flags[b.count - 1] |= TIMS_NAME_TOKEN_PREFIX;
    }
    tims_err err = build_name(&b, flags, out);
    if (err != TIMS_OK) {
        memset(out, 0, sizeof *out);
        return tims_diag_set(diag, err, "out of memory while parsing a name of %zu bytes", len);
    }
    out->truncated = (uint8_t)b.truncated;
    return TIMS_OK;
}

void tims_name_free(tims_name *name)
{
    if (!name)
        return;
    tims_free(name->buf);
    memset(name, 0, sizeof *name);
}

tims_err tims_name_fold(const char *utf8, size_t len, char **out, tims_diag *diag)
{
    *out = NULL;
    tims_name name;
    tims_err err = tims_name_parse(utf8, len, 0, &name, diag);
    if (err != TIMS_OK)
        return err;
    size_t total = 1;
    for (size_t i = 0; i < name.count; i++)
        total += name.tokens[i].len + 1;
    char *s = tims_malloc(total);
    if (!s) {
        tims_name_free(&name);
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory while folding a name");
    }
    char *p = s;
    for (size_t i = 0; i < name.count; i++) {
        if (i > 0)
            *p++ = ' ';
        memcpy(p, name.tokens[i].text, name.tokens[i].len);
        p += name.tokens[i].len;
    }
    *p = '\0';
    tims_name_free(&name);
    *out = s;
    return TIMS_OK;
}
