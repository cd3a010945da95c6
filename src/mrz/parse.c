/* parse.c - the MRZ parser: reading lines, telling the format, fields, dates, check digits.
 *
 * Lines are first read into cells, one per character (UTF-8; anything unreadable or a control
 * character becomes U+FFFD), so positions count characters as Doc 9303 does even when a
 * scanner sends an accented letter. Each format is a table of the 1-based positions printed
 * in Doc 9303 parts 4-7 (and the French card's own layout); one routine walks any table, so
 * every format gets the same checks. Nothing is allocated: the caller's tims_mrz receives
 * everything, and the cell offsets live on the stack. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mrz/mrz_int.h"
#include "tims/country.h"

/* ---- layouts ---------------------------------------------------------------------------- */

typedef struct seg {
    uint8_t line, start, len; /* 0-based line and start; len 0: the format has no such field */
} seg;

/* The tables below read like Doc 9303's; clang-format would put one field per line. */
/* clang-format off */
#define P(l, from, to) {(uint8_t)((l) - 1), (uint8_t)((from) - 1), (uint8_t)((to) - (from) + 1)}
#define NOSEG {0, 0, 0}

enum code_rule { RULE_PASSPORT, RULE_CARD, RULE_VISA, RULE_FRENCH };

typedef struct layout {
    tims_mrz_format format;
    enum code_rule rule;
    uint8_t nlines, width;
    seg code, state, name, given, number, number_cd, nationality, birth, birth_cd, sex;
    seg expiry, expiry_cd, optional, optional_cd, optional2, composite_cd;
    seg composite[4];
    const char *optional_label;
} layout;

static const layout td1 = {
    .format = TIMS_MRZ_TD1, .rule = RULE_CARD, .nlines = 3, .width = 30,
    .code = P(1, 1, 2), .state = P(1, 3, 5), .number = P(1, 6, 14), .number_cd = P(1, 15, 15),
    .optional = P(1, 16, 30), .birth = P(2, 1, 6), .birth_cd = P(2, 7, 7), .sex = P(2, 8, 8),
    .expiry = P(2, 9, 14), .expiry_cd = P(2, 15, 15), .nationality = P(2, 16, 18),
    .optional2 = P(2, 19, 29), .composite_cd = P(2, 30, 30), .name = P(3, 1, 30),
    .given = NOSEG, .optional_cd = NOSEG,
    .composite = {P(1, 6, 30), P(2, 1, 7), P(2, 9, 15), P(2, 19, 29)},
    .optional_label = "optional data",
};

static const layout td2 = {
    .format = TIMS_MRZ_TD2, .rule = RULE_CARD, .nlines = 2, .width = 36,
    .code = P(1, 1, 2), .state = P(1, 3, 5), .name = P(1, 6, 36), .given = NOSEG,
    .number = P(2, 1, 9), .number_cd = P(2, 10, 10), .nationality = P(2, 11, 13),
    .birth = P(2, 14, 19), .birth_cd = P(2, 20, 20), .sex = P(2, 21, 21),
    .expiry = P(2, 22, 27), .expiry_cd = P(2, 28, 28), .optional = P(2, 29, 35),
    .optional_cd = NOSEG, .optional2 = NOSEG, .composite_cd = P(2, 36, 36),
    .composite = {P(2, 1, 10), P(2, 14, 20), P(2, 22, 35), NOSEG},
    .optional_label = "optional data",
};

static const layout td3 = {
    .format = TIMS_MRZ_TD3, .rule = RULE_PASSPORT, .nlines = 2, .width = 44,
    .code = P(1, 1, 2), .state = P(1, 3, 5), .name = P(1, 6, 44), .given = NOSEG,
    .number = P(2, 1, 9), .number_cd = P(2, 10, 10), .nationality = P(2, 11, 13),
    .birth = P(2, 14, 19), .birth_cd = P(2, 20, 20), .sex = P(2, 21, 21),
    .expiry = P(2, 22, 27), .expiry_cd = P(2, 28, 28), .optional = P(2, 29, 42),
    .optional_cd = P(2, 43, 43), .optional2 = NOSEG, .composite_cd = P(2, 44, 44),
    .composite = {P(2, 1, 10), P(2, 14, 20), P(2, 22, 43), NOSEG},
    .optional_label = "personal number",
};

static const layout mrva = {
    .format = TIMS_MRZ_MRVA, .rule = RULE_VISA, .nlines = 2, .width = 44,
    .code = P(1, 1, 2), .state = P(1, 3, 5), .name = P(1, 6, 44), .given = NOSEG,
    .number = P(2, 1, 9), .number_cd = P(2, 10, 10), .nationality = P(2, 11, 13),
    .birth = P(2, 14, 19), .birth_cd = P(2, 20, 20), .sex = P(2, 21, 21),
    .expiry = P(2, 22, 27), .expiry_cd = P(2, 28, 28), .optional = P(2, 29, 44),
    .optional_cd = NOSEG, .optional2 = NOSEG, .composite_cd = NOSEG,
    .composite = {NOSEG, NOSEG, NOSEG, NOSEG},
    .optional_label = "optional data",
};

static const layout mrvb = {
    .format = TIMS_MRZ_MRVB, .rule = RULE_VISA, .nlines = 2, .width = 36,
    .code = P(1, 1, 2), .state = P(1, 3, 5), .name = P(1, 6, 36), .given = NOSEG,
    .number = P(2, 1, 9), .number_cd = P(2, 10, 10), .nationality = P(2, 11, 13),
    .birth = P(2, 14, 19), .birth_cd = P(2, 20, 20), .sex = P(2, 21, 21),
    .expiry = P(2, 22, 27), .expiry_cd = P(2, 28, 28), .optional = P(2, 29, 36),
    .optional_cd = NOSEG, .optional2 = NOSEG, .composite_cd = NOSEG,
    .composite = {NOSEG, NOSEG, NOSEG, NOSEG},
    .optional_label = "optional data",
};

/* The French card: surname and given names in separate fields, no expiry, nationality FRA. */
static const layout french = {
    .format = TIMS_MRZ_FRENCH_ID, .rule = RULE_FRENCH, .nlines = 2, .width = 36,
    .code = P(1, 1, 2), .state = P(1, 3, 5), .name = P(1, 6, 30), .optional = P(1, 31, 36),
    .number = P(2, 1, 12), .number_cd = P(2, 13, 13), .given = P(2, 14, 27),
    .birth = P(2, 28, 33), .birth_cd = P(2, 34, 34), .sex = P(2, 35, 35),
    .composite_cd = P(2, 36, 36), .nationality = NOSEG, .expiry = NOSEG, .expiry_cd = NOSEG,
    .optional_cd = NOSEG, .optional2 = NOSEG,
    .composite = {P(1, 1, 36), P(2, 1, 35), NOSEG, NOSEG},
    .optional_label = "administrative code",
};

/* clang-format on */

static const layout *layout_for(tims_mrz_format format)
{
    switch (format) {
    case TIMS_MRZ_TD1:
        return &td1;
    case TIMS_MRZ_TD2:
        return &td2;
    case TIMS_MRZ_TD3:
        return &td3;
    case TIMS_MRZ_MRVA:
        return &mrva;
    case TIMS_MRZ_MRVB:
        return &mrvb;
    case TIMS_MRZ_FRENCH_ID:
        return &french;
    case TIMS_MRZ_UNKNOWN:
        break;
    }
    return NULL;
}

static bool has(seg s)
{
    return s.len > 0;
}

/* ---- names for output ------------------------------------------------------------------- */

const char *tims_mrz_format_name(tims_mrz_format format)
{
    switch (format) {
    case TIMS_MRZ_TD1:
        return "TD1";
    case TIMS_MRZ_TD2:
        return "TD2";
    case TIMS_MRZ_TD3:
        return "TD3";
    case TIMS_MRZ_MRVA:
        return "MRVA";
    case TIMS_MRZ_MRVB:
        return "MRVB";
    case TIMS_MRZ_FRENCH_ID:
        return "FRENCH_NATIONAL_ID";
    case TIMS_MRZ_UNKNOWN:
        break;
    }
    return "UNKNOWN";
}

const char *tims_mrz_code_name(tims_mrz_code code)
{
    switch (code) {
    case TIMS_MRZ_E_SHAPE:
        return "shape";
    case TIMS_MRZ_E_LENGTH:
        return "length";
    case TIMS_MRZ_E_CHARSET:
        return "charset";
    case TIMS_MRZ_E_INVALID:
        return "invalid";
    case TIMS_MRZ_E_CHECK_DIGIT:
        return "check_digit";
    }
    return "unknown";
}

/* ---- reading lines into cells ----------------------------------------------------------- */

typedef struct line_cells {
    bool ascii;                            /* every cell is one byte: off[] is not used */
    uint16_t off[TIMS_MRZ_LINE_CHARS + 1]; /* byte offset of each kept cell in m->lines[i] */
} line_cells;

typedef struct work {
    tims_mrz *m;
    const tims_mrz_options *opts;
    bool messages;
    line_cells ln[TIMS_MRZ_MAX_LINES];
} work;

#define REPLACEMENT 0xFFFDu

/* decode one UTF-8 character; returns the bytes used (>= 1); REPLACEMENT for a bad one. */
static size_t decode_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned b0 = s[0];
    size_t need;
    uint32_t c, min;
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1, c = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2, c = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3, c = b0 & 0x07, min = 0x10000;
    } else {
        *cp = REPLACEMENT;
        return 1;
    }
    if (n < need + 1) {
        *cp = REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = REPLACEMENT;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = REPLACEMENT;
        return 1;
    }
    *cp = c;
    return need + 1;
}

/* Characters that must not reach a terminal or a JSON consumer as they are. */
static bool unsafe(uint32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x200E || c == 0x200F ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

static size_t encode_utf8(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static bool is_trim(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* read_line - trim and decode one line; store at most TIMS_MRZ_LINE_CHARS cells into dst
 * (when dst is not NULL); returns the line's length in characters. */
static size_t read_line(tims_mrz_span span, char *dst, line_cells *lc)
{
    const unsigned char *p = (const unsigned char *)span.ptr;
    size_t n = span.ptr ? span.len : 0;
    for (;;) {
        if (n && is_trim((char)p[0])) {
            p++, n--;
        } else if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
            p += 3, n -= 3; /* a byte-order mark from a Windows editor */
        } else {
            break;
        }
    }
    while (n && is_trim((char)p[n - 1]))
        n--;
    size_t plain = 0;
    while (plain < n && p[plain] >= 0x20 && p[plain] < 0x7F)
        plain++;
    if (plain == n) { /* the usual case: printable ASCII, one byte per character */
        if (dst) {
            size_t kept = n < TIMS_MRZ_LINE_CHARS ? n : TIMS_MRZ_LINE_CHARS;
            memcpy(dst, p, kept);
            dst[kept] = '\0';
            lc->ascii = true;
        }
        return n;
    }
    size_t cells = 0, out = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += decode_utf8(p + i, n - i, &c);
        if (dst && cells < TIMS_MRZ_LINE_CHARS) {
            if (unsafe(c))
                c = REPLACEMENT;
            lc->off[cells] = (uint16_t)out;
            out += encode_utf8(c, dst + out);
        }
        cells++;
    }
    if (dst) {
        lc->ascii = false;
        lc->off[cells < TIMS_MRZ_LINE_CHARS ? cells : TIMS_MRZ_LINE_CHARS] = (uint16_t)out;
        dst[out] = '\0';
    }
    return cells;
}

/* The character at a position as one byte, or 0 when it is not ASCII. */
static unsigned char cell(const work *w, int line, size_t i)
{
    const line_cells *lc = &w->ln[line];
    if (lc->ascii)
        return (unsigned char)w->m->lines[line][i];
    uint16_t a = lc->off[i];
    return lc->off[i + 1] - a == 1 ? (unsigned char)w->m->lines[line][a] : 0;
}

/* byte offset of a cell */
static size_t cell_at(const work *w, int line, size_t i)
{
    return w->ln[line].ascii ? i : w->ln[line].off[i];
}

static bool is_upper(unsigned c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static bool is_mrz(unsigned c)
{
    return is_upper(c) || is_digit(c) || c == '<';
}

/* value + 1 of a character in a check digit (0-9, A=10 .. Z=35, '<' = 0); 0: not allowed */
/* clang-format off */
static const uint8_t values[256] = {
    ['<'] = 1,
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
    ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17,
    ['H'] = 18, ['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24,
    ['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29, ['T'] = 30, ['U'] = 31,
    ['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36,
};
/* clang-format on */

static int char_value(unsigned c)
{
    return (int)values[c & 0xFF] - 1;
}

int tims_mrz_check_digit(const char *chars, size_t len)
{
    static const int weight[3] = {7, 3, 1};
    int sum = 0;
    if (!chars)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int v = char_value((unsigned char)chars[i]);
        if (v < 0)
            return -1;
        sum += v * weight[i % 3];
    }
    return sum % 10;
}

/* ---- messages --------------------------------------------------------------------------- */

/* cut a possibly truncated UTF-8 string back to its last whole character */
static void utf8_clip(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned lead = (unsigned char)s[i - 1];
    size_t want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

static tims_mrz_error *add_error(work *w, const char *field, tims_mrz_code code, int line,
                                 int position, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static tims_mrz_error *add_error(work *w, const char *field, tims_mrz_code code, int line,
                                 int position, const char *fmt, ...)
{
    tims_mrz *m = w->m;
    if (m->nerrors == TIMS_MRZ_MAX_ERRORS) {
        m->nerrors_dropped++;
        return NULL;
    }
    tims_mrz_error *e = &m->errors[m->nerrors++];
    e->field = field;
    e->code = code;
    e->line = line;
    e->position = position;
    e->got[0] = '\0';
    e->expected = -1;
    e->message[0] = '\0';
    if (w->messages) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
        if (n >= (int)sizeof e->message)
            utf8_clip(e->message);
    }
    return e;
}

/* the bytes of one cell */
static void cell_text(const work *w, int line, size_t i, char out[5])
{
    size_t a = cell_at(w, line, i), n = cell_at(w, line, i + 1) - a;
    memcpy(out, w->m->lines[line] + a, n);
    out[n] = '\0';
}

/* describe a bad character for a message: 'p', 'É', or words for U+FFFD */
static void describe_cell(const work *w, int line, size_t i, char *out, size_t cap)
{
    char c[5];
    cell_text(w, line, i, c);
    if (strcmp(c, "\xEF\xBF\xBD") == 0)
        snprintf(out, cap, "an unreadable or control character");
    else if (strcmp(c, " ") == 0)
        snprintf(out, cap, "a space");
    else
        snprintf(out, cap, "'%s'", c);
}

/* ---- fields ----------------------------------------------------------------------------- */

enum copy_mode {
    COPY_RAW,   /* as written */
    COPY_TRAIL, /* without trailing '<' */
    COPY_TRIM,  /* without leading and trailing '<' */
    COPY_WORDS  /* runs of '<' become one space; none at either end */
};

static void copy_bytes(const char *src, size_t n, char *dst, size_t cap, enum copy_mode mode)
{
    size_t a = 0, b = n, out = 0;
    if (mode != COPY_RAW) {
        while (b > a && src[b - 1] == '<')
            b--;
        if (mode != COPY_TRAIL) {
            while (a < b && src[a] == '<')
                a++;
        }
    }
    for (size_t i = a; i < b && out + 1 < cap; i++) {
        if (mode == COPY_WORDS && src[i] == '<') {
            if (src[i - 1] != '<')
                dst[out++] = ' ';
        } else {
            dst[out++] = src[i];
        }
    }
    dst[out] = '\0';
}

static const char *seg_bytes(const work *w, seg s, size_t *n)
{
    size_t a = cell_at(w, s.line, s.start);
    *n = cell_at(w, s.line, s.start + s.len) - a;
    return w->m->lines[s.line] + a;
}

static void copy_seg(const work *w, seg s, char *dst, size_t cap, enum copy_mode mode)
{
    size_t n;
    const char *b = seg_bytes(w, s, &n);
    copy_bytes(b, n, dst, cap, mode);
}

/* index of the first cell of s that is not allowed (letters_only: A-Z and <), or -1 */
static int first_bad(const work *w, seg s, bool letters_only)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned c = cell(w, s.line, s.start + i);
        if (letters_only ? !(is_upper(c) || c == '<') : !is_mrz(c))
            return (int)i;
    }
    return -1;
}

static bool all_fillers(const work *w, seg s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (cell(w, s.line, s.start + i) != '<')
            return false;
    }
    return true;
}

/* weighted sum over segments, or -1 when a character is not an MRZ character */
static int segs_check(const work *w, const seg *segs, size_t nsegs)
{
    static const int weight[3] = {7, 3, 1};
    int sum = 0;
    size_t k = 0;
    for (size_t s = 0; s < nsegs; s++) {
        if (!has(segs[s]))
            continue;
        for (size_t i = 0; i < segs[s].len; i++) {
            int v = char_value(cell(w, segs[s].line, segs[s].start + i));
            if (v < 0)
                return -1;
            sum += v * weight[k++ % 3];
        }
    }
    return sum % 10;
}

enum check_kind {
    CHECK_FIELD,    /* a field's own check digit */
    CHECK_OPTIONAL, /* the same, but an all-filler field may carry '<' or '0' */
    CHECK_COMPOSITE /* the composite check digit */
};

/* compare the check digit at cd with the one segs give */
static void check_digit(work *w, const char *field, const char *label, const seg *segs,
                        size_t nsegs, seg cd, enum check_kind kind)
{
    int expected = segs_check(w, segs, nsegs);
    if (expected < 0)
        return; /* characters outside the MRZ set: the field's own error says so */
    unsigned got = cell(w, cd.line, cd.start);
    bool empty = kind == CHECK_OPTIONAL && all_fillers(w, segs[0]);
    if (empty ? (got == '<' || got == '0') : got == (unsigned)('0' + expected))
        return;
    char shown[TIMS_MRZ_TEXT(24)] = "", got_text[5];
    for (size_t i = 0, used = 0; i < nsegs && kind == CHECK_FIELD; i++) {
        size_t n;
        const char *b = seg_bytes(w, segs[i], &n);
        if (used + n < sizeof shown) {
            memcpy(shown + used, b, n);
            shown[used += n] = '\0';
        }
    }
    cell_text(w, cd.line, cd.start, got_text);
    tims_mrz_error *e;
    if (empty)
        e = add_error(w, field, TIMS_MRZ_E_CHECK_DIGIT, cd.line + 1, cd.start + 1,
                      "line %d, position %d: check digit of the %s is %s, but an empty field "
                      "needs < or 0",
                      cd.line + 1, cd.start + 1, label, got_text);
    else if (kind == CHECK_COMPOSITE)
        e = add_error(w, field, TIMS_MRZ_E_CHECK_DIGIT, cd.line + 1, cd.start + 1,
                      "line %d, position %d: the composite check digit is %s, but the "
                      "characters it covers give %d",
                      cd.line + 1, cd.start + 1, got_text, expected);
    else
        e = add_error(w, field, TIMS_MRZ_E_CHECK_DIGIT, cd.line + 1, cd.start + 1,
                      "line %d, position %d: check digit of the %s is %s, but %s gives %d",
                      cd.line + 1, cd.start + 1, label, got_text, shown, expected);
    if (e) {
        memcpy(e->got, got_text, sizeof e->got);
        e->expected = empty ? 0 : expected;
    }
}

static void check_seg_digit(work *w, const char *field, const char *label, seg value, seg cd,
                            enum check_kind kind)
{
    check_digit(w, field, label, &value, 1, cd, kind);
}

static void document_code(work *w, const layout *L)
{
    tims_mrz *m = w->m;
    copy_seg(w, L->code, m->document_code, sizeof m->document_code, COPY_TRAIL);
    unsigned c0 = cell(w, L->code.line, L->code.start);
    unsigned c1 = cell(w, L->code.line, L->code.start + 1);
    bool second = is_upper(c1) || c1 == '<';
    const char *rule = NULL;
    switch (L->rule) {
    case RULE_PASSPORT:
        if (c0 != 'P' || !second)
            rule = "is not a passport code: a passport (TD3) code is P followed by a letter "
                   "or <";
        break;
    case RULE_CARD:
        if ((c0 != 'A' && c0 != 'C' && c0 != 'I') || !second || c1 == 'V')
            rule = "is not an identity document code: it must be A, C or I followed by a "
                   "letter other than V, or by <";
        break;
    case RULE_VISA:
        if (c0 != 'V' || !second)
            rule = "is not a visa code: it must be V followed by a letter or <";
        break;
    case RULE_FRENCH:
        break; /* "ID", or the format would not have been chosen */
    }
    if (rule)
        add_error(w, "document_code", TIMS_MRZ_E_INVALID, L->code.line + 1, L->code.start + 1,
                  "line %d, position %d: document code \"%s\" %s", L->code.line + 1,
                  L->code.start + 1, m->document_code, rule);
}

static void state_code(work *w, seg s, char *dst, size_t cap, const char *field, const char *label)
{
    copy_seg(w, s, dst, cap, COPY_TRAIL);
    if (tims_country_by_code(dst))
        return;
    if (dst[0] == '\0')
        add_error(w, field, TIMS_MRZ_E_INVALID, s.line + 1, s.start + 1,
                  "line %d, position %d: the %s is empty", s.line + 1, s.start + 1, label);
    else
        add_error(w, field, TIMS_MRZ_E_INVALID, s.line + 1, s.start + 1,
                  "line %d, position %d: %s \"%s\" is not a known country or organisation "
                  "code (Doc 9303 Part 3)",
                  s.line + 1, s.start + 1, label, dst);
}

static void bad_name(work *w, seg s, int bad, const char *field, const char *label,
                     const char *value)
{
    char what[48];
    describe_cell(w, s.line, s.start + (size_t)bad, what, sizeof what);
    add_error(w, field, TIMS_MRZ_E_INVALID, s.line + 1, s.start + bad + 1,
              "line %d, position %d: the name field holds %s, but names use only A-Z and <, "
              "so the %s \"%s\" cannot be trusted",
              s.line + 1, s.start + bad + 1, what, label, value);
}

/* The one name field of ICAO formats: primary << secondary. */
static void names(work *w, const layout *L)
{
    tims_mrz *m = w->m;
    seg s = L->name;
    size_t n;
    const char *b = seg_bytes(w, s, &n);
    const char *split = NULL;
    for (size_t i = 0; i + 1 < n; i++) {
        if (b[i] == '<' && b[i + 1] == '<') {
            split = b + i;
            break;
        }
    }
    if (split) {
        copy_bytes(b, (size_t)(split - b), m->surname, sizeof m->surname, COPY_WORDS);
        copy_bytes(split + 2, n - (size_t)(split - b) - 2, m->given_names, sizeof m->given_names,
                   COPY_WORDS);
    } else {
        copy_bytes(b, n, m->surname, sizeof m->surname, COPY_WORDS);
    }
    m->name_truncated = cell(w, s.line, s.start + s.len - 1u) != '<';
    m->no_primary_identifier = m->surname[0] == '\0';
    int bad = first_bad(w, s, true);
    if (bad >= 0) {
        bad_name(w, s, bad, "surname", "surname", m->surname);
        bad_name(w, s, bad, "given_names", "given names", m->given_names);
    }
}

/* The French card: surname and given names each have their own field. */
static void french_names(work *w, const layout *L)
{
    tims_mrz *m = w->m;
    copy_seg(w, L->name, m->surname, sizeof m->surname, COPY_WORDS);
    copy_seg(w, L->given, m->given_names, sizeof m->given_names, COPY_WORDS);
    m->name_truncated = cell(w, L->name.line, L->name.start + L->name.len - 1u) != '<' ||
                        cell(w, L->given.line, L->given.start + L->given.len - 1u) != '<';
    m->no_primary_identifier = m->surname[0] == '\0';
    int bad = first_bad(w, L->name, true);
    if (bad >= 0)
        bad_name(w, L->name, bad, "surname", "surname", m->surname);
    bad = first_bad(w, L->given, true);
    if (bad >= 0)
        bad_name(w, L->given, bad, "given_names", "given names", m->given_names);
}

/* a letter-or-digit field must hold only MRZ characters */
static void plain_field(work *w, seg s, const char *value, const char *field, const char *label)
{
    int bad = first_bad(w, s, false);
    if (bad < 0)
        return;
    char what[48];
    describe_cell(w, s.line, s.start + (size_t)bad, what, sizeof what);
    add_error(w, field, TIMS_MRZ_E_INVALID, s.line + 1, s.start + bad + 1,
              "line %d, position %d: the %s \"%s\" holds %s; only A-Z, 0-9 and < are allowed",
              s.line + 1, s.start + bad + 1, label, value, what);
}

static void document_number(work *w, const layout *L)
{
    tims_mrz *m = w->m;
    seg num = L->number, cd = L->number_cd;
    seg parts[2] = {num, NOSEG};
    /* TD1 and TD2: a '<' instead of the check digit means the number goes on in the optional
     * data, up to the first '<'; its last character there is the check digit (Part 5, 4.2.4;
     * Part 6, 4.2.4). */
    seg opt = L->optional;
    if ((L->format == TIMS_MRZ_TD1 || L->format == TIMS_MRZ_TD2) &&
        cell(w, cd.line, cd.start) == '<' && cell(w, opt.line, opt.start) != '<') {
        size_t n = 0;
        while (n < opt.len && cell(w, opt.line, opt.start + n) != '<')
            n++;
        m->document_number_extended = true;
        parts[1] = (seg){opt.line, opt.start, (uint8_t)(n - 1)};
        cd = (seg){opt.line, (uint8_t)(opt.start + n - 1), 1};
        seg rest = {opt.line, (uint8_t)(opt.start + n), (uint8_t)(opt.len - n)};
        copy_seg(w, rest, m->optional_data, sizeof m->optional_data, COPY_TRIM);
    }
    size_t n1, n2 = 0;
    const char *b1 = seg_bytes(w, parts[0], &n1);
    const char *b2 = has(parts[1]) ? seg_bytes(w, parts[1], &n2) : "";
    char joined[TIMS_MRZ_TEXT(24)];
    memcpy(joined, b1, n1);
    memcpy(joined + n1, b2, n2);
    joined[n1 + n2] = '\0';
    copy_bytes(joined, n1 + n2, m->document_number, sizeof m->document_number,
               m->document_number_extended ? COPY_RAW : COPY_TRAIL);
    int bad0 = first_bad(w, parts[0], false);
    int bad1 = has(parts[1]) ? first_bad(w, parts[1], false) : -1;
    if (bad0 >= 0 || bad1 >= 0) {
        seg s = bad0 >= 0 ? parts[0] : parts[1];
        int bad = bad0 >= 0 ? bad0 : bad1;
        char what[48];
        describe_cell(w, s.line, s.start + (size_t)bad, what, sizeof what);
        add_error(w, "document_number", TIMS_MRZ_E_INVALID, s.line + 1, s.start + bad + 1,
                  "line %d, position %d: the document number \"%s\" holds %s; only A-Z, 0-9 "
                  "and < are allowed",
                  s.line + 1, s.start + bad + 1, m->document_number, what);
    } else if (m->document_number[0] == '\0') {
        add_error(w, "document_number", TIMS_MRZ_E_INVALID, num.line + 1, num.start + 1,
                  "line %d, position %d: the document number is empty", num.line + 1,
                  num.start + 1);
    }
    check_digit(w, "document_number", "document number", parts, has(parts[1]) ? 2 : 1, cd,
                CHECK_FIELD);
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static bool real_date(tims_mrz_date d)
{
    return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= days_in_month(d.year, d.month);
}

bool mrz_options_ok(const tims_mrz_options *opts)
{
    return opts && real_date(opts->today);
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

enum { DATE_OK, DATE_FORM, DATE_NO_SUCH };

/* read YYMMDD; birth dates may leave the day, the month and day, or all unknown ('<') and
 * take the latest century that is not after today; expiry dates are 20YY. */
static int read_date(const work *w, seg s, bool birth, char iso[11])
{
    int digits = 0;
    unsigned c[6];
    for (size_t i = 0; i < 6; i++)
        c[i] = cell(w, s.line, s.start + i);
    while (digits < 6 && is_digit(c[digits]))
        digits++;
    for (int i = digits; i < 6; i++) {
        if (c[i] != '<')
            return DATE_FORM;
    }
    if (digits != 6 && !(birth && (digits == 4 || digits == 2 || digits == 0)))
        return DATE_FORM;
    memcpy(iso, "XXXX-XX-XX", 11);
    if (digits == 0)
        return DATE_OK;
    int yy = (int)(c[0] - '0') * 10 + (int)(c[1] - '0');
    int mm = digits >= 4 ? (int)(c[2] - '0') * 10 + (int)(c[3] - '0') : 0;
    int dd = digits == 6 ? (int)(c[4] - '0') * 10 + (int)(c[5] - '0') : 0;
    int y = 2000 + yy;
    if (birth) {
        tims_mrz_date t = w->opts->today;
        y = t.year / 100 * 100 + yy;
        long have = (long)y * 10000 + mm * 100 + dd;
        long now =
            (long)t.year * 10000 + (digits >= 4 ? t.month * 100 : 0) + (digits == 6 ? t.day : 0);
        if (have > now)
            y -= 100;
    }
    if (digits >= 4 && (mm < 1 || mm > 12))
        return DATE_NO_SUCH;
    if (digits == 6 && (dd < 1 || dd > days_in_month(y, mm)))
        return DATE_NO_SUCH;
    put2(iso, y / 100);
    put2(iso + 2, y % 100);
    if (digits >= 4)
        put2(iso + 5, mm);
    if (digits == 6)
        put2(iso + 8, dd);
    return DATE_OK;
}

static void date_field(work *w, seg s, seg cd, bool birth, char *iso, char *raw, size_t rawcap)
{
    const char *field = birth ? "birth_date" : "expiry_date";
    const char *label = birth ? "date of birth" : "date of expiry";
    copy_seg(w, s, raw, rawcap, COPY_RAW);
    char out[11];
    int r = read_date(w, s, birth, out);
    if (r == DATE_OK)
        memcpy(iso, out, sizeof out);
    else if (r == DATE_FORM)
        add_error(w, field, TIMS_MRZ_E_INVALID, s.line + 1, s.start + 1,
                  "line %d, position %d: %s \"%s\" is not a date: it must be YYMMDD in digits%s",
                  s.line + 1, s.start + 1, label, raw,
                  birth ? ", with << for an unknown day or month" : "");
    else
        add_error(w, field, TIMS_MRZ_E_INVALID, s.line + 1, s.start + 1,
                  "line %d, position %d: %s %s is not a real calendar date", s.line + 1,
                  s.start + 1, label, raw);
    check_seg_digit(w, field, label, s, cd, CHECK_FIELD);
}

static void sex_field(work *w, seg s)
{
    tims_mrz *m = w->m;
    cell_text(w, s.line, s.start, m->sex);
    unsigned c = cell(w, s.line, s.start);
    if (c == 'M' || c == 'F' || c == '<')
        return;
    if (c == 'X' && (w->opts->flags & TIMS_MRZ_ACCEPT_SEX_X))
        return;
    if (c == 'X')
        add_error(w, "sex", TIMS_MRZ_E_INVALID, s.line + 1, s.start + 1,
                  "line %d, position %d: sex \"X\" is not accepted: Doc 9303 (8th edition) "
                  "allows M, F or < (unspecified); accepting X is a reader setting",
                  s.line + 1, s.start + 1);
    else
        add_error(w, "sex", TIMS_MRZ_E_INVALID, s.line + 1, s.start + 1,
                  "line %d, position %d: sex \"%s\" is not M, F or < (unspecified)", s.line + 1,
                  s.start + 1, m->sex);
}

static void charset(work *w, const layout *L)
{
    for (int l = 0; l < L->nlines; l++) {
        size_t count = 0;
        int first = -1;
        for (size_t i = 0; i < L->width; i++) {
            if (!is_mrz(cell(w, l, i))) {
                if (first < 0)
                    first = (int)i;
                count++;
            }
        }
        if (count == 0)
            continue;
        static const char *const fields[3] = {"line_1", "line_2", "line_3"};
        char what[48];
        describe_cell(w, l, (size_t)first, what, sizeof what);
        add_error(w, fields[l], TIMS_MRZ_E_CHARSET, l + 1, first + 1,
                  "line %d has %zu character%s outside A-Z, 0-9 and <; the first, %s, is at "
                  "position %d",
                  l + 1, count, count == 1 ? "" : "s", what, first + 1);
    }
}

static void parse_fields(work *w, const layout *L)
{
    tims_mrz *m = w->m;
    m->has_fields = true;
    charset(w, L);
    document_code(w, L);
    state_code(w, L->state, m->issuing_state, sizeof m->issuing_state, "issuing_state",
               "issuing state");
    if (L->format == TIMS_MRZ_FRENCH_ID)
        french_names(w, L);
    else
        names(w, L);
    document_number(w, L);
    if (has(L->nationality))
        state_code(w, L->nationality, m->nationality, sizeof m->nationality, "nationality",
                   "nationality");
    else
        memcpy(m->nationality, "FRA", 4); /* the French card is issued to French nationals */
    date_field(w, L->birth, L->birth_cd, true, m->birth_date, m->birth_date_raw,
               sizeof m->birth_date_raw);
    sex_field(w, L->sex);
    if (has(L->expiry))
        date_field(w, L->expiry, L->expiry_cd, false, m->expiry_date, m->expiry_date_raw,
                   sizeof m->expiry_date_raw);
    if (!m->document_number_extended) {
        copy_seg(w, L->optional, m->optional_data, sizeof m->optional_data, COPY_TRIM);
        plain_field(w, L->optional, m->optional_data, "optional_data", L->optional_label);
    } else {
        seg rest = L->optional;
        size_t skip = 0;
        while (skip < rest.len && cell(w, rest.line, rest.start + skip) != '<')
            skip++;
        rest.start = (uint8_t)(rest.start + skip);
        rest.len = (uint8_t)(rest.len - skip);
        plain_field(w, rest, m->optional_data, "optional_data", L->optional_label);
    }
    if (has(L->optional_cd))
        check_seg_digit(w, "optional_data", L->optional_label, L->optional, L->optional_cd,
                        CHECK_OPTIONAL);
    if (has(L->optional2)) {
        copy_seg(w, L->optional2, m->optional_data_2, sizeof m->optional_data_2, COPY_TRIM);
        plain_field(w, L->optional2, m->optional_data_2, "optional_data_2", "optional data");
    }
    if (has(L->composite_cd))
        check_digit(w, "composite", "composite", L->composite, TIMS_ARRAY_LEN(L->composite),
                    L->composite_cd, CHECK_COMPOSITE);
}

/* ---- shape ------------------------------------------------------------------------------ */

static const layout *detect(const work *w)
{
    const tims_mrz *m = w->m;
    if (m->nlines == 3)
        return &td1;
    if (m->nlines != 2 || m->line_length[0] != m->line_length[1])
        return NULL;
    unsigned c0 = cell(w, 0, 0);
    if (m->line_length[0] == 44)
        return c0 == 'V' ? &mrva : &td3;
    if (m->line_length[0] == 36) {
        if (c0 == 'V')
            return &mrvb;
        return strncmp(m->lines[0], "IDFRA", 5) == 0 ? &french : &td2;
    }
    return NULL;
}

static void shape_error(work *w)
{
    const tims_mrz *m = w->m;
    char lengths[96];
    size_t used = 0;
    size_t shown = m->nlines < TIMS_MRZ_MAX_LINES ? m->nlines : TIMS_MRZ_MAX_LINES;
    lengths[0] = '\0';
    for (size_t i = 0; i < shown && used < sizeof lengths; i++)
        used += (size_t)snprintf(lengths + used, sizeof lengths - used, "%s%zu", i ? "/" : "",
                                 m->line_length[i]);
    if (m->nlines > shown && used < sizeof lengths)
        snprintf(lengths + used, sizeof lengths - used, "/...");
    if (m->nlines == 0)
        add_error(w, "mrz", TIMS_MRZ_E_SHAPE, 0, 0,
                  "unrecognised shape: no MRZ lines; expected 2 lines of 44 characters "
                  "(passport, visa A), 2 of 36 (TD2 card, visa B) or 3 of 30 (TD1 card)");
    else
        add_error(w, "mrz", TIMS_MRZ_E_SHAPE, 0, 0,
                  "unrecognised shape: %zu line%s of %s characters; expected 2 lines of 44 "
                  "(passport, visa A), 2 of 36 (TD2 card, visa B) or 3 of 30 (TD1 card)",
                  m->nlines, m->nlines == 1 ? "" : "s", lengths);
}

static void clear(tims_mrz *m, size_t ntotal)
{
    m->format = TIMS_MRZ_UNKNOWN;
    m->valid = false;
    m->has_fields = false;
    m->document_code[0] = m->issuing_state[0] = m->surname[0] = m->given_names[0] = '\0';
    m->document_number[0] = m->nationality[0] = m->birth_date[0] = '\0';
    m->birth_date_raw[0] = m->expiry_date[0] = m->expiry_date_raw[0] = m->sex[0] = '\0';
    m->optional_data[0] = m->optional_data_2[0] = '\0';
    m->name_truncated = m->no_primary_identifier = m->document_number_extended = false;
    m->nlines = ntotal;
    for (size_t i = 0; i < TIMS_MRZ_MAX_LINES; i++) {
        m->line_length[i] = 0;
        m->lines[i][0] = '\0';
    }
    m->nerrors = m->nerrors_dropped = 0;
}

tims_err mrz_parse_core(const tims_mrz_span *first, size_t nfirst, size_t ntotal,
                        const tims_mrz_options *opts, bool messages, tims_mrz *m)
{
    if (!m || !mrz_options_ok(opts) || (nfirst && !first) || nfirst > TIMS_MRZ_MAX_LINES ||
        nfirst > ntotal)
        return TIMS_EINVAL;
    work w; /* not zeroed: read_line fills what is read */
    w.m = m;
    w.opts = opts;
    w.messages = messages;
    clear(m, ntotal);
    for (size_t i = 0; i < nfirst; i++)
        m->line_length[i] = read_line(first[i], m->lines[i], &w.ln[i]);

    const layout *L = detect(&w);
    if (!L) {
        shape_error(&w);
    } else {
        m->format = L->format;
        bool lengths_ok = true;
        for (int l = 0; l < L->nlines; l++) {
            if (m->line_length[l] != L->width) {
                lengths_ok = false;
                static const char *const fields[3] = {"line_1", "line_2", "line_3"};
                add_error(&w, fields[l], TIMS_MRZ_E_LENGTH, l + 1, 0,
                          "line %d has %zu characters, expected %u (a TD1 card has 3 lines "
                          "of 30)",
                          l + 1, m->line_length[l], (unsigned)L->width);
            }
        }
        if (lengths_ok)
            parse_fields(&w, L);
    }
    m->valid = m->nerrors == 0 && m->nerrors_dropped == 0;
    return m->valid ? TIMS_OK : TIMS_EDATA;
}

tims_err tims_mrz_parse_lines(const tims_mrz_span *lines, size_t nlines,
                              const tims_mrz_options *opts, tims_mrz *out)
{
    if (nlines && !lines)
        return TIMS_EINVAL;
    size_t nfirst = nlines < TIMS_MRZ_MAX_LINES ? nlines : TIMS_MRZ_MAX_LINES;
    return mrz_parse_core(lines, nfirst, nlines, opts, true, out);
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_trim(p[i]))
            return false;
    }
    return true;
}

tims_err tims_mrz_parse(const char *text, size_t len, const tims_mrz_options *opts, tims_mrz *out)
{
    if (!text && len)
        return TIMS_EINVAL;
    tims_mrz_span first[TIMS_MRZ_MAX_LINES];
    size_t seen = 0, committed = 0;
    bool started = false;
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t end = nl ? (size_t)(nl - text) : len;
        tims_mrz_span line = {text + p, end - p};
        bool is_blank = blank(line.ptr, line.len);
        if (!is_blank)
            started = true;
        if (started) {
            if (seen < TIMS_MRZ_MAX_LINES)
                first[seen] = line;
            seen++;
            if (!is_blank)
                committed = seen;
        }
        p = end + 1;
    }
    size_t nfirst = committed < TIMS_MRZ_MAX_LINES ? committed : TIMS_MRZ_MAX_LINES;
    return mrz_parse_core(first, nfirst, committed, opts, true, out);
}

/* ---- positions for the repair ----------------------------------------------------------- */

static void mark(uint8_t kind[3][MRZ_MAX_WIDTH], uint8_t group[3][MRZ_MAX_WIDTH], seg s, uint8_t k,
                 uint8_t g)
{
    if (!has(s))
        return;
    for (size_t i = 0; i < s.len; i++) {
        kind[s.line][s.start + i] = k;
        group[s.line][s.start + i] = g;
    }
}

void mrz_position_kinds(const tims_mrz *m, uint8_t kind[3][MRZ_MAX_WIDTH],
                        uint8_t group[3][MRZ_MAX_WIDTH])
{
    memset(kind, 0, 3 * MRZ_MAX_WIDTH);
    memset(group, 0, 3 * MRZ_MAX_WIDTH);
    const layout *L = layout_for(m->format);
    if (!L || !m->has_fields)
        return;
    const seg letters[] = {L->code, L->state, L->nationality, L->name, L->given};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(letters); i++)
        mark(kind, group, letters[i], MRZ_K_LETTER, MRZ_G_NONE);
    const seg digits[] = {L->number_cd, L->birth,       L->birth_cd,    L->expiry,
                          L->expiry_cd, L->optional_cd, L->composite_cd};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(digits); i++)
        mark(kind, group, digits[i], MRZ_K_DIGIT, MRZ_G_NONE);
    mark(kind, group, L->number, MRZ_K_MIXED, MRZ_G_NUMBER);
    if (has(L->optional_cd))
        mark(kind, group, L->optional, MRZ_K_MIXED, MRZ_G_OPTIONAL);
    else if (has(L->composite_cd))
        mark(kind, group, L->optional, MRZ_K_MIXED, MRZ_G_COMPOSITE);
    mark(kind, group, L->optional2, MRZ_K_MIXED, MRZ_G_COMPOSITE);
    if (m->document_number_extended) {
        const seg opt = L->optional;
        const char *line = m->lines[opt.line];
        size_t n = 0;
        while (n < opt.len && line[opt.start + n] != '<')
            n++;
        kind[L->number_cd.line][L->number_cd.start] = MRZ_K_NONE;
        mark(kind, group, (seg){opt.line, opt.start, (uint8_t)(n - 1)}, MRZ_K_MIXED, MRZ_G_NUMBER);
        mark(kind, group, (seg){opt.line, (uint8_t)(opt.start + n - 1), 1}, MRZ_K_DIGIT,
             MRZ_G_NONE);
    }
}
