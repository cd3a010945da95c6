/* list_text.c - text helpers of the importers: reading files whole, checking UTF-8, dates as
 * lists write them, country names, document labels, and telling a person from a company by
 * name when a list does not say. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "tims/country.h"
#include "watchlist/list_int.h"

#define MAX_LIST_FILE (1024L * 1024L * 1024L) /* 1 GiB: far beyond any real list */

tims_err tims__read_file(const char *path, tims_buf *out, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tims_diag_set(diag, errno == ENOENT ? TIMS_ENOENT : TIMS_EIO, "cannot open %s: %s",
                             path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        err = tims_diag_set(diag, TIMS_EIO, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        err =
            tims_diag_set(diag, TIMS_EINVAL, "%s is not a regular file; give the list file", path);
        goto done;
    }
    if (st.st_size > MAX_LIST_FILE) {
        err = tims_diag_set(diag, TIMS_ERANGE, "%s is larger than 1 GiB; that is not a list", path);
        goto done;
    }
    if ((err = tims_buf_reserve(out, (size_t)st.st_size)) != TIMS_OK)
        goto done;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((err = tims_buf_append(out, chunk, n)) != TIMS_OK)
            goto done;
    }
    if (ferror(f)) {
        err = tims_diag_set(diag, TIMS_EIO, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (out->len == 0)
        err = tims_diag_set(diag, TIMS_EDATA,
                            "%s is empty; a list file holds at least one "
                            "record",
                            path);
done:
    fclose(f);
    return err;
}

tims_err tims__check_utf8(const char *file, const char *s, size_t len, tims_diag *diag)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        size_t need;
        unsigned min, cp;
        if (c == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        if (c == 0)
            return tims_diag_set(diag, TIMS_EDATA,
                                 "%s line %u, byte %zu: a NUL byte; a list "
                                 "file is text, check the file is not damaged",
                                 file, line, i - line_start + 1);
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, min = 0x80, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, min = 0x10000, cp = c & 0x07;
        else
            goto bad;
        if (len - i <= need)
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += need + 1;
        continue;
    bad:
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s line %u, byte %zu: invalid UTF-8 (0x%02X); save the file as "
                             "UTF-8",
                             file, line, i - line_start + 1, c);
    }
    return TIMS_OK;
}

const char *tims__basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash && slash[1] == '\0') {
        /* "dir/" -> "dir" would need a copy; callers pass files, so keep the whole path */
        return path;
    }
    return slash ? slash + 1 : path;
}

/* ---- dates ------------------------------------------------------------------------------ */

static const char *const month_names[] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};

static int month_from_word(const char *w, size_t n)
{
    if (n > 0 && w[n - 1] == '.')
        n--;
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++) {
        size_t full = strlen(month_names[m]);
        if (n <= full && strncmp(month_names[m], w, n) == 0 &&
            (n == 3 || n == full || (m == 8 && n == 4))) /* "sept" */
            return m + 1;
    }
    return 0;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

static int plausible(int year, int month, int day)
{
    if (year < 1800 || year > 2100 || month < 0 || month > 12 || day < 0)
        return 0;
    if (day > 0 && (month == 0 || day > days_in_month(year, month)))
        return 0;
    return 1;
}

/* One date without range or "circa": s is lower case, trimmed. */
static int parse_single(const char *s, size_t n, tims_wl_date *d)
{
    int year = 0, month = 0, day = 0;
    if (n == 4 && all_digits(s, 4)) {
        year = number(s, 4);
    } else if ((n == 7 || n == 10) && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) &&
               (n == 7 || (s[7] == '-' && all_digits(s + 8, 2)))) {
        year = number(s, 4);
        month = number(s + 5, 2);
        day = n == 10 ? number(s + 8, 2) : 0;
        if (month == 0)
            return 0;
    } else {
        /* words: [DD] MONTH YYYY */
        const char *w[3];
        size_t wl[3], nw = 0;
        for (size_t i = 0; i < n;) {
            while (i < n && s[i] == ' ')
                i++;
            if (i >= n)
                break;
            if (nw == 3)
                return 0;
            w[nw] = s + i;
            while (i < n && s[i] != ' ')
                i++;
            wl[nw] = (size_t)(s + i - w[nw]);
            nw++;
        }
        if (nw < 2 || wl[nw - 1] != 4 || !all_digits(w[nw - 1], 4))
            return 0;
        year = number(w[nw - 1], 4);
        if (!(month = month_from_word(w[nw - 2], wl[nw - 2])))
            return 0;
        if (nw == 3) {
            if (wl[0] > 2 || !all_digits(w[0], wl[0]))
                return 0;
            day = number(w[0], wl[0]);
            if (day == 0)
                return 0;
        }
    }
    if (!plausible(year, month, day))
        return 0;
    d->year_from = d->year_to = (int16_t)year;
    d->month = (uint8_t)month;
    d->day = (uint8_t)day;
    return 1;
}

static const char *find_word(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= n; i++) {
        if (memcmp(s + i, word, wl) == 0)
            return s + i;
    }
    return NULL;
}

int tims__parse_date(const char *text, size_t len, tims_wl_date *d)
{
    char s[80];
    size_t n = 0;
    while (len > 0 && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '.' ||
                       text[len - 1] == ','))
        len--;
    if (len == 0 || len >= sizeof s)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        s[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    s[n] = '\0';
    tims_wl_date out = {0};
    const char *p = s;
    static const char *const approx_words[] = {"circa ", "approximately ", "approx. ", "about ",
                                               "c. ",    "ca. ",           "~"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(approx_words); i++) {
        size_t wl = strlen(approx_words[i]);
        if (strncmp(p, approx_words[i], wl) == 0) {
            out.approx = 1;
            p += wl;
            break;
        }
    }
    n = strlen(p);
    const char *sep = find_word(p, n, " to ");
    size_t sep_len = 4;
    if (!sep && (sep = find_word(p, n, ".."))) /* tims-csv: 1965..1969 */
        sep_len = 2;
    if (!sep && n == 9 && all_digits(p, 4) && p[4] == '-' && all_digits(p + 5, 4)) {
        sep = p + 4; /* "1979-1982" */
        sep_len = 1;
    }
    if (sep) {
        tims_wl_date a = {0}, b = {0};
        if (!parse_single(p, (size_t)(sep - p), &a) ||
            !parse_single(sep + sep_len, n - (size_t)(sep - p) - sep_len, &b) ||
            a.year_from > b.year_from)
            return 0;
        out.year_from = a.year_from;
        out.year_to = b.year_from;
        if (a.year_from == b.year_from && a.month == b.month) {
            out.month = a.month;
            out.day = a.day == b.day ? a.day : 0;
        }
    } else {
        uint8_t approx = out.approx;
        if (!parse_single(p, n, &out))
            return 0;
        out.approx = approx;
    }
    *d = out;
    return 1;
}

/* ---- countries -------------------------------------------------------------------------- */

const char *tims__country(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '.'))
        len--;
    if (len == 0)
        return NULL;
    const char *code = tims_country_code_from_name(s, len);
    if (code)
        return code;
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    if (!ascii && len < 128) {
        /* "Türkiye", "Côte d'Ivoire": try again without the accents */
        utf8proc_uint8_t *folded = NULL;
        utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                          &folded, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
        if (n > 0)
            code = tims_country_code_from_name((const char *)folded, (size_t)n);
        free(folded);
        if (code)
            return code;
    }
    if (len == 3) {
        char c3[4] = {s[0], s[1], s[2], 0};
        const tims_country *c = tims_country_by_code(c3);
        if (c && c->alpha2[0])
            return c->alpha3;
    }
    return NULL;
}

/* ---- document labels -------------------------------------------------------------------- */

static const struct {
    const char *label;
    const char *type;
} doc_labels[] = {
    /* longer labels first where one starts another */
    {"Diplomatic Passport", "diplomatic passport"},
    {"Passport Booklet:", "passport"},
    {"Passport Booklet", "passport"},
    {"Passport No.:", "passport"},
    {"Passport No.", "passport"},
    {"Passport", "passport"},
    {"Travel Document Number", "travel document"},
    {"National Foreign ID Number", "national id"},
    {"National ID No.", "national id"},
    {"National ID No", "national id"},
    {"National ID", "national id"},
    {"National Identification Number", "national id"},
    {"Personal ID Card", "national id"},
    {"Tazkira National ID Card", "national id"},
    {"Turkish Identification Number", "national id"},
    {"Citizen's Card Number", "national id"},
    {"Kenyan ID No.", "national id"},
    {"Numero de Identidad", "national id"},
    {"Identification Number IMO", "imo"},
    {"Identification Number", "identification number"},
    {"Cedula No.", "cedula"},
    {"D.N.I.", "dni"},
    {"C.U.R.P. #", "curp"},
    {"C.U.R.P.", "curp"},
    {"C.U.I.", "national id"},
    {"LE Number", "national id"},
    {"SSN", "ssn"},
    {"Driver's License No.", "driving licence"},
    {"Electoral Registry No.", "voter id"},
    {"Credencial electoral", "voter id"},
    {"I.F.E.", "voter id"},
    {"Residency Number", "residence permit"},
    {"Birth Certificate Number", "birth certificate"},
    {"Cartilla de Servicio Militar Nacional", "military id"},
    {"VisaNumberID", "visa"},
    {"Pilot License Number", "pilot licence"},
    {"Immigration No.", "immigration number"},
    {"Vessel Registration Identification IMO", "imo"},
};

const char *tims__document_label(const char *s, size_t len, size_t *label_len)
{
    for (size_t i = 0; i < TIMS_ARRAY_LEN(doc_labels); i++) {
        size_t n = strlen(doc_labels[i].label);
        if (n <= len && strncmp(s, doc_labels[i].label, n) == 0 && (n == len || s[n] == ' ')) {
            *label_len = n;
            return doc_labels[i].type;
        }
    }
    return NULL;
}

/* ---- person or entity? ------------------------------------------------------------------ */

/* clang-format off */
static const char *const org_words[] = {
    "academy", "ag", "agency", "air", "aircraft", "airline", "airlines", "airways", "army",
    "association", "aviation", "bank", "bhd", "brigade", "bureau", "bv", "cargo", "center",
    "centre", "chemical", "chemicals", "cjsc", "co", "college", "commercial", "committee",
    "companies", "company", "construction", "corp", "corporation", "corps", "council",
    "department", "design", "development", "distribution", "electric", "electronic", "electronics",
    "energy", "engineering", "enterprise", "enterprises", "equipment", "establishment", "export",
    "exports", "factory", "fze", "fzc", "fzco", "forces", "foundation", "freight", "front", "gas",
    "gmbh", "global", "group", "holding", "holdings", "hospital", "impex", "import", "imports",
    "inc", "industrial", "industries", "industry", "institute", "instrument", "instruments",
    "international", "jsc", "kg", "lab", "laboratories", "laboratory", "limited", "llc", "llp",
    "logistics", "ltd", "machinery", "manufacturing", "marine", "medical", "metal", "metals",
    "ministry", "movement", "network", "nv", "office", "oil", "ojsc", "ooo", "organisation",
    "organization", "partners", "party", "petroleum", "pharma", "plant", "plc", "pte", "pty",
    "pvt", "research", "s.a", "s.a.", "sa", "sarl", "school", "services", "shipping", "society",
    "solutions", "spa", "srl", "station", "steel", "supplies", "supply", "systems", "tech",
    "technical", "technologies", "technology", "trade", "traders", "trading", "union",
    "university", "worldwide", "zao", "cia", "comercial", "comercio", "commercio", "exportadora",
    "handels", "importadora", "kft", "ltda", "s.a.s.", "s.l", "s.l.", "s.p.a.", "s.r.l.", "s.r.o.",
    "sas", "sl", "sro", "technik", "vertrieb", "vertriebs", "associates", "automation", "computer",
    "computers", "drones", "electrical", "engineers", "equip", "exporters", "gida", "hardware",
    "havacilik", "importers", "insaat", "intelligent", "kiosk", "labs", "lojistik", "medikal",
    "oao", "oy", "photonics", "power", "precision", "products", "saglik", "service", "shop",
    "stores", "telecom", "teksti", "ticaret", "zone",
};
/* clang-format on */

int tims__guess_type(const char *name, size_t len)
{
    char word[32];
    int lower = 0, words = 0;
    for (size_t i = 0; i < len; i++)
        lower |= name[i] >= 'a' && name[i] <= 'z';
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)name[i];
        if ((c >= '0' && c <= '9') || c == '&' || c == '@')
            return TIMS_WL_ENTITY;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.')) {
            i++;
            continue;
        }
        size_t n = 0, caps = 0;
        while (i < len) {
            c = (unsigned char)name[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.'))
                break;
            caps += c >= 'A' && c <= 'Z';
            if (n < sizeof word - 1)
                word[n++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
            i++;
        }
        words++;
        if (lower && caps >= 2 && caps == n)
            return TIMS_WL_ENTITY; /* an acronym in a mixed-case name: "CNG Labs", "Kassem IT" */
        while (n > 0 && word[n - 1] == '.' && !(n >= 3 && word[n - 3] == '.'))
            n--; /* "Co." -> "co", but keep "s.a." */
        word[n] = '\0';
        for (size_t k = 0; k < TIMS_ARRAY_LEN(org_words); k++) {
            if (strcmp(word, org_words[k]) == 0)
                return TIMS_WL_ENTITY;
        }
    }
    return words == 1 ? TIMS_WL_ENTITY : TIMS_WL_PERSON; /* "PKGS", "Marinatec" */
}
