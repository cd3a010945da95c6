/* import_un.c - the UN Security Council consolidated list, XML (format "un-xml"), read as a
 * stream with expat.
 *
 * CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY become persons and entities.
 * The id is REFERENCE_NUMBER ("QDi.001", the UN's permanent reference), or DATAID when that is
 * missing; FIRST_NAME..FOURTH_NAME join into the primary name; NAME_ORIGINAL_SCRIPT is an
 * original-script name; aliases of QUALITY "Low" are weak; dates of birth come EXACT (DATE or
 * YEAR), APPROXIMATELY (YEAR) or BETWEEN (FROM_YEAR..TO_YEAR), and a NOTE-only date ("Nov.
 * 1973") is read when it is a date; the release is the root's dateGenerated.
 * A DOCTYPE is refused (no entity expansion from a hostile file). Truncated XML is always an
 * error, whatever the flags: the document has a defined end, and a cut could fall anywhere,
 * leaving out a whole section (all the entities), not just one record. */
#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "watchlist/list_int.h"

/* clang-format off */
enum slot {
    /* record level */
    R_DATAID, R_FIRST, R_SECOND, R_THIRD, R_FOURTH, R_REF, R_GENDER, R_ORIG, R_COMMENTS,
    R_LISTTYPE,
    /* inside a group */
    G_QUALITY, G_ALIAS_NAME, G_TYPE_OF_DATE, G_DATE, G_YEAR, G_FROM_YEAR, G_TO_YEAR, G_NOTE,
    G_TYPE_OF_DOCUMENT, G_NUMBER, G_ISSUING_COUNTRY, G_COUNTRY_OF_ISSUE, G_STREET, G_CITY,
    G_STATE_PROVINCE, G_ZIP_CODE, G_COUNTRY, G_VALUE,
    SLOT_COUNT
};
/* clang-format on */

/* clang-format off */
static const char *const slot_names[SLOT_COUNT] = {
    "DATAID", "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME", "REFERENCE_NUMBER",
    "GENDER", "NAME_ORIGINAL_SCRIPT", "COMMENTS1", "UN_LIST_TYPE", "QUALITY", "ALIAS_NAME",
    "TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "NOTE", "TYPE_OF_DOCUMENT", "NUMBER",
    "ISSUING_COUNTRY", "COUNTRY_OF_ISSUE", "STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE",
    "COUNTRY", "VALUE",
};
/* clang-format on */

enum group {
    GR_NONE,
    GR_NATIONALITY,
    GR_ALIAS,
    GR_BIRTH_DATE,
    GR_BIRTH_PLACE,
    GR_DOCUMENT,
    GR_ADDRESS,
    GR_OTHER
};

typedef struct un_parser {
    XML_Parser xml;
    const char *file;
    wl_builder *b;
    tims_diag *diag;
    tims_err err;
    int depth;
    int root_ok;
    int record; /* TIMS_WL_PERSON / TIMS_WL_ENTITY while inside one, else -1 */
    unsigned record_line;
    enum group group;
    unsigned group_line;
    int slot; /* the slot the current leaf fills, or -1 */
    tims_buf slots[SLOT_COUNT];
    tims_buf release;
    size_t rows;
} un_parser;

static int fail(un_parser *u, tims_err err)
{
    if (u->err == TIMS_OK)
        u->err = err;
    XML_StopParser(u->xml, XML_FALSE);
    return 0;
}

/* Fill diag for a bad record or group; the caller stops the parser with the error. */
static tims_err data_error(un_parser *u, unsigned line, const char *what)
{
    return tims_diag_set(u->diag, TIMS_EDATA, "%s line %u: %s", u->file, line, what);
}

static void reset_slots(un_parser *u, int from, int to)
{
    for (int i = from; i < to; i++)
        tims_buf_reset(&u->slots[i]);
}

/* A slot's text with the ends trimmed; *n gets its length. */
static const char *slot(un_parser *u, int i, size_t *n)
{
    const char *s = u->slots[i].data ? u->slots[i].data : "";
    size_t len = u->slots[i].len;
    while (len > 0 && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'))
        s++, len--;
    while (len > 0 &&
           (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    *n = len;
    return s;
}

static int slot_is(un_parser *u, int i, const char *word)
{
    size_t n;
    const char *s = slot(u, i, &n);
    return n == strlen(word) && strncmp(s, word, n) == 0;
}

static enum group group_of(int record, const char *name)
{
    const char *rest;
    if (strcmp(name, "NATIONALITY") == 0)
        return GR_NATIONALITY;
    if (record == TIMS_WL_PERSON && strncmp(name, "INDIVIDUAL_", 11) == 0)
        rest = name + 11;
    else if (record == TIMS_WL_ENTITY && strncmp(name, "ENTITY_", 7) == 0)
        rest = name + 7;
    else
        return GR_OTHER;
    if (strcmp(rest, "ALIAS") == 0)
        return GR_ALIAS;
    if (strcmp(rest, "DATE_OF_BIRTH") == 0)
        return GR_BIRTH_DATE;
    if (strcmp(rest, "PLACE_OF_BIRTH") == 0)
        return GR_BIRTH_PLACE;
    if (strcmp(rest, "DOCUMENT") == 0)
        return GR_DOCUMENT;
    if (strcmp(rest, "ADDRESS") == 0)
        return GR_ADDRESS;
    return GR_OTHER;
}

static int find_slot(const char *name, int from, int to)
{
    for (int i = from; i < to; i++) {
        if (strcmp(slot_names[i], name) == 0)
            return i;
    }
    return -1;
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    un_parser *u = data;
    u->depth++;
    u->slot = -1;
    unsigned line = (unsigned)XML_GetCurrentLineNumber(u->xml);
    if (u->depth == 1) {
        if (strcmp(name, "CONSOLIDATED_LIST") != 0) {
            tims_diag_set(u->diag, TIMS_EDATA,
                          "%s line %u: the root element is <%s>, not "
                          "<CONSOLIDATED_LIST>; is this the UN consolidated list?",
                          u->file, line, name);
            fail(u, TIMS_EDATA);
            return;
        }
        u->root_ok = 1;
        for (size_t i = 0; attrs[i]; i += 2) {
            if (strcmp(attrs[i], "dateGenerated") == 0 &&
                tims_buf_puts(&u->release, attrs[i + 1]) != TIMS_OK)
                fail(u, TIMS_ENOMEM);
        }
    } else if (u->depth == 3 && u->record < 0) {
        if (strcmp(name, "INDIVIDUAL") == 0 || strcmp(name, "ENTITY") == 0) {
            u->record = name[0] == 'I' ? TIMS_WL_PERSON : TIMS_WL_ENTITY;
            u->record_line = line;
            u->rows++;
            reset_slots(u, 0, SLOT_COUNT);
            if (tims__b_begin(u->b, "", 0, u->record, TIMS_WL_SANCTION, line) != TIMS_OK)
                fail(u, TIMS_ENOMEM);
        }
    } else if (u->depth == 4 && u->record >= 0) {
        u->slot = find_slot(name, R_DATAID, G_QUALITY);
        if (u->slot < 0) {
            u->group = group_of(u->record, name);
            u->group_line = line;
            reset_slots(u, G_QUALITY, SLOT_COUNT);
        }
    } else if (u->depth == 5 && u->record >= 0 && u->group != GR_NONE) {
        u->slot = find_slot(name, G_QUALITY, SLOT_COUNT);
    }
    if (u->slot >= 0)
        tims_buf_reset(&u->slots[u->slot]);
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    un_parser *u = data;
    if (u->slot >= 0 && tims_buf_append(&u->slots[u->slot], s, (size_t)len) != TIMS_OK)
        fail(u, TIMS_ENOMEM);
}

/* A 4-digit year slot, or 0 when empty; -1 when it is not a year. */
static int year_slot(un_parser *u, int i)
{
    size_t n;
    const char *s = slot(u, i, &n);
    if (n == 0)
        return 0;
    tims_wl_date d;
    if (n != 4 || !tims__parse_date(s, n, &d))
        return -1;
    return d.year_from;
}

static tims_err birth_date(un_parser *u)
{
    tims_wl_date d = {0};
    size_t n;
    const char *s = slot(u, G_DATE, &n);
    int approx = slot_is(u, G_TYPE_OF_DATE, "APPROXIMATELY");
    int year = year_slot(u, G_YEAR), from = year_slot(u, G_FROM_YEAR), to = year_slot(u, G_TO_YEAR);
    if (n > 0) {
        if (!tims__parse_date(s, n, &d) || d.year_from != d.year_to)
            return data_error(u, u->group_line, "the DATE of birth is not a date (YYYY-MM-DD)");
    } else if (year != 0) {
        if (year < 0)
            return data_error(u, u->group_line, "the YEAR of birth is not a year");
        d.year_from = d.year_to = (int16_t)year;
    } else if (from != 0 || to != 0) {
        if (from <= 0 || to <= 0 || from > to)
            return data_error(u, u->group_line,
                              "FROM_YEAR and TO_YEAR of a date of birth are "
                              "not two years in order");
        d.year_from = (int16_t)from;
        d.year_to = (int16_t)to;
    } else {
        s = slot(u, G_NOTE, &n); /* "Nov. 1973": a date only in the note */
        if (n == 0 || !tims__parse_date(s, n, &d))
            return TIMS_OK;
    }
    if (approx)
        d.approx = 1;
    return tims__b_birth(u->b, &d);
}

/* Join the non-empty slots with ", " into out. */
static tims_err join(un_parser *u, const int *slots, size_t count, tims_buf *out)
{
    tims_buf_reset(out);
    for (size_t i = 0; i < count; i++) {
        size_t n;
        const char *s = slot(u, slots[i], &n);
        if (n == 0)
            continue;
        if ((out->len && tims_buf_puts(out, ", ") != TIMS_OK) ||
            tims_buf_append(out, s, n) != TIMS_OK)
            return TIMS_ENOMEM;
    }
    return TIMS_OK;
}

static tims_err document(un_parser *u)
{
    size_t n, tn, cn;
    const char *number = slot(u, G_NUMBER, &n);
    if (n == 0)
        return TIMS_OK;
    const char *t = slot(u, G_TYPE_OF_DOCUMENT, &tn);
    char type[64];
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; i < tn && k < sizeof type - 1; i++) {
        char c = t[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = k > 0;
            continue;
        }
        if (space && k < sizeof type - 1)
            type[k++] = ' ';
        space = 0;
        if (k < sizeof type - 1)
            type[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    type[k] = '\0';
    const char *stored = type;
    if (strcmp(type, "passport") == 0 || strncmp(type, "num\xC3\xA9ro de passeport", 21) == 0 ||
        strncmp(type, "n\xC3\xBAmero de pasaporte", 20) == 0)
        stored = "passport";
    else if (strcmp(type, "national identification number") == 0)
        stored = "national id";
    const char *c = slot(u, G_ISSUING_COUNTRY, &cn);
    if (cn == 0)
        c = slot(u, G_COUNTRY_OF_ISSUE, &cn);
    return tims__b_document(u->b, stored, number, n, tims__country(c, cn));
}

static tims_err end_group(un_parser *u)
{
    wl_builder *b = u->b;
    size_t n;
    const char *s;
    tims_buf text = {0};
    tims_err err = TIMS_OK;
    switch (u->group) {
    case GR_NATIONALITY:
        s = slot(u, G_VALUE, &n);
        err = tims__b_nationality(b, tims__country(s, n));
        break;
    case GR_ALIAS: {
        s = slot(u, G_ALIAS_NAME, &n);
        int former = slot_is(u, G_QUALITY, "f.k.a.");
        int weak = slot_is(u, G_QUALITY, "Low");
        err = tims__b_name(b, s, n, former ? TIMS_WL_FORMER : TIMS_WL_ALIAS, weak, 0);
        break;
    }
    case GR_BIRTH_DATE:
        err = birth_date(u);
        break;
    case GR_BIRTH_PLACE: {
        static const int parts[] = {G_STREET, G_CITY, G_STATE_PROVINCE, G_COUNTRY};
        if ((err = join(u, parts, TIMS_ARRAY_LEN(parts), &text)) == TIMS_OK && text.len)
            err = tims__b_place(b, text.data, text.len);
        break;
    }
    case GR_DOCUMENT:
        err = document(u);
        break;
    case GR_ADDRESS: {
        static const int parts[] = {G_STREET, G_CITY, G_STATE_PROVINCE, G_ZIP_CODE, G_COUNTRY};
        if ((err = join(u, parts, TIMS_ARRAY_LEN(parts), &text)) == TIMS_OK && text.len) {
            s = slot(u, G_COUNTRY, &n);
            err = tims__b_address(b, text.data, text.len, tims__country(s, n));
        }
        break;
    }
    default:
        break;
    }
    tims_buf_free(&text);
    return err;
}

static tims_err end_record(un_parser *u)
{
    wl_builder *b = u->b;
    size_t n;
    const char *s = slot(u, R_REF, &n);
    if (n == 0)
        s = slot(u, R_DATAID, &n);
    if (n == 0)
        return data_error(u, u->record_line, "the record has neither REFERENCE_NUMBER nor DATAID");
    tims_err err = tims__b_set_id(b, s, n);
    tims_buf name = {0};
    static const int parts[] = {R_FIRST, R_SECOND, R_THIRD, R_FOURTH};
    for (size_t i = 0; err == TIMS_OK && i < TIMS_ARRAY_LEN(parts); i++) {
        s = slot(u, parts[i], &n);
        if (n && ((name.len && tims_buf_putc(&name, ' ') != TIMS_OK) ||
                  tims_buf_append(&name, s, n) != TIMS_OK))
            err = TIMS_ENOMEM;
    }
    if (err == TIMS_OK && name.len == 0) {
        tims_buf_free(&name);
        return data_error(u, u->record_line, "the record has no FIRST_NAME (no name at all)");
    }
    if (err == TIMS_OK)
        err = tims__b_name(b, name.data, name.len, TIMS_WL_PRIMARY, 0, 0);
    tims_buf_free(&name);
    if (err != TIMS_OK)
        return err;
    s = slot(u, R_ORIG, &n);
    if ((err = tims__b_name(b, s, n, TIMS_WL_ORIGINAL, 0, 0)) != TIMS_OK)
        return err;
    if (slot_is(u, R_GENDER, "Male"))
        b->cur.gender = 'M';
    else if (slot_is(u, R_GENDER, "Female"))
        b->cur.gender = 'F';
    s = slot(u, R_LISTTYPE, &n);
    if ((err = tims__b_program(b, s, n)) != TIMS_OK)
        return err;
    s = slot(u, R_COMMENTS, &n);
    if (n && (err = tims__b_remarks(b, s, n)) != TIMS_OK)
        return err;
    return tims__b_commit(b);
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    un_parser *u = data;
    (void)name;
    tims_err err = TIMS_OK;
    if (u->depth == 3 && u->record >= 0) {
        err = end_record(u);
        u->record = -1;
    } else if (u->depth == 4 && u->record >= 0 && u->group != GR_NONE) {
        err = end_group(u);
        u->group = GR_NONE;
    }
    u->slot = -1;
    u->depth--;
    if (err != TIMS_OK)
        fail(u, err);
}

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    un_parser *u = data;
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    fail(u, data_error(u, (unsigned)XML_GetCurrentLineNumber(u->xml),
                       "a DOCTYPE declaration; the UN list has none, and tims does not expand "
                       "entities from list files"));
}

static void *xml_malloc(size_t size)
{
    return tims_malloc(size);
}

static void *xml_realloc(void *p, size_t size)
{
    return tims_realloc(p, size);
}

static void xml_free(void *p)
{
    tims_free(p);
}

tims_err tims__import_un(const char *path, unsigned flags, tims_wl_list **out, tims_diag *diag)
{
    (void)flags;
    static const XML_Memory_Handling_Suite mem = {xml_malloc, xml_realloc, xml_free};
    un_parser u = {.file = path, .diag = diag, .record = -1, .slot = -1};
    wl_builder b = {0};
    tims_err err = TIMS_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tims_diag_set(diag, errno == ENOENT ? TIMS_ENOENT : TIMS_EIO, "cannot open %s: %s",
                             path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        err = tims_diag_set(diag, TIMS_EINVAL,
                            "%s is not a regular file; un-xml reads the "
                            "list's XML file",
                            path);
        goto fail;
    }
    if (st.st_size == 0) {
        err = tims_diag_set(diag, TIMS_EDATA, "%s is empty; expected the UN list's XML", path);
        goto fail;
    }
    if ((err = tims__b_init(&b)) != TIMS_OK)
        goto fail;
    u.b = &b;
    u.xml = XML_ParserCreate_MM("UTF-8", &mem, NULL);
    if (!u.xml) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    XML_SetUserData(u.xml, &u);
    XML_SetElementHandler(u.xml, on_start, on_end);
    XML_SetCharacterDataHandler(u.xml, on_text);
    XML_SetStartDoctypeDeclHandler(u.xml, on_doctype);
    char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (ferror(f)) {
            err = tims_diag_set(diag, TIMS_EIO, "cannot read %s: %s", path, strerror(errno));
            goto fail;
        }
        int last = n < sizeof chunk && feof(f);
        if (XML_Parse(u.xml, chunk, (int)n, last) == XML_STATUS_ERROR) {
            if (u.err != TIMS_OK) {
                err = u.err;
            } else if (XML_GetErrorCode(u.xml) == XML_ERROR_NO_MEMORY) {
                err = TIMS_ENOMEM;
            } else {
                enum XML_Error code = XML_GetErrorCode(u.xml);
                int truncated = code == XML_ERROR_NO_ELEMENTS || code == XML_ERROR_UNCLOSED_TOKEN ||
                                code == XML_ERROR_PARTIAL_CHAR ||
                                code == XML_ERROR_UNCLOSED_CDATA_SECTION;
                err = tims_diag_set(diag, TIMS_EDATA, "%s line %lu, column %lu: %s%s", path,
                                    (unsigned long)XML_GetCurrentLineNumber(u.xml),
                                    (unsigned long)XML_GetCurrentColumnNumber(u.xml) + 1,
                                    XML_ErrorString(code),
                                    truncated ? " (the file ends too early: is it truncated?)"
                                              : "; the file is not well-formed XML");
            }
            goto fail;
        }
        if (last)
            break;
    }
    if (!u.root_ok) {
        err = tims_diag_set(diag, TIMS_EDATA, "%s holds no <CONSOLIDATED_LIST>", path);
        goto fail;
    }
    if (u.rows == 0) {
        err = tims_diag_set(diag, TIMS_EDATA, "%s holds no INDIVIDUAL or ENTITY records", path);
        goto fail;
    }
    err = tims__b_finish(&b, path, "un", "un-xml", u.release.data ? u.release.data : "", u.rows,
                         out, diag);
fail:
    if (u.xml)
        XML_ParserFree(u.xml);
    for (int i = 0; i < SLOT_COUNT; i++)
        tims_buf_free(&u.slots[i]);
    tims_buf_free(&u.release);
    tims__b_free(&b);
    fclose(f);
    return err;
}
