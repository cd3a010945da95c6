/* import_csv.c - the CSV (and TSV) record reader the list importers share.
 *
 * RFC 4180 as the real lists write it: a delimiter, fields optionally in double quotes, ""
 * for a quote inside quotes, line breaks inside quoted fields, CRLF or LF line ends, and a last
 * line with or without its line end. What it refuses, with file and line: a quoted field that
 * never closes (a truncated file), text between a closing quote and the delimiter, and a quote
 * inside an unquoted field. Blank lines are skipped.
 *
 * A truncated file shows only in its last record: CSV has no end mark, so a file cut between
 * records looks whole. The tail mode (enum wl_tail) says what to do with a last record cut off
 * by the end of the data: refuse it with a message that says so, or drop it and note where.
 * An unclosed quoted field that holds a line break is always an error: a stray quote earlier
 * in the file looks just like it, and would otherwise swallow every row after it. */
#include <string.h>

#include "watchlist/list_int.h"

void tims__csv_init(wl_csv *c, const char *file, const char *data, size_t len, char delim)
{
    memset(c, 0, sizeof *c);
    c->file = file;
    c->p = data;
    c->end = data + len;
    c->delim = delim;
    c->line = 1;
}

void tims__csv_free(wl_csv *c)
{
    tims_buf_free(&c->buf);
    tims_free(c->offsets.items);
    memset(c, 0, sizeof *c);
}

static tims_err start_field(wl_csv *c)
{
    if (c->offsets.count == c->offsets.cap) {
        size_t cap = c->offsets.cap ? c->offsets.cap * 2 : 32;
        size_t *items = tims_realloc(c->offsets.items, cap * sizeof *items);
        if (!items)
            return TIMS_ENOMEM;
        c->offsets.items = items;
        c->offsets.cap = cap;
    }
    ((size_t *)c->offsets.items)[c->offsets.count++] = c->buf.len;
    return TIMS_OK;
}

/* At a line end (or the end of data)? Consumes it and returns 1. */
static int eat_line_end(wl_csv *c)
{
    if (c->p >= c->end)
        return 1;
    if (*c->p == '\n') {
        c->p++;
        c->line++;
        return 1;
    }
    if (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')) {
        c->p += c->p + 1 == c->end ? 1 : 2;
        c->line++;
        return 1;
    }
    return 0;
}

int tims__csv_tail(unsigned flags)
{
    return flags & TIMS_WL_IMPORT_STRICT ? WL_TAIL_REFUSE : WL_TAIL_DROP;
}

/* The last record is cut off by the end of the data: refuse it or drop it (see wl_tail). */
static int cut_off(wl_csv *c, size_t field_no, int in_quote, tims_diag *diag)
{
    if (c->tail == WL_TAIL_REFUSE) {
        if (in_quote)
            return tims_diag_set(diag, TIMS_EDATA,
                                 "%s line %u: the last row is cut off inside quoted field %zu "
                                 "(the file ends there, so it looks truncated); get a "
                                 "complete copy of the file",
                                 c->file, c->rec_line, field_no);
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s line %u: the last row is cut off after %zu of %zu fields, "
                             "with no line end (the file looks truncated); get a complete "
                             "copy of the file",
                             c->file, c->rec_line, field_no, c->want);
    }
    c->cut_line = c->rec_line;
    c->cut_field = field_no;
    c->cut_in_quote = in_quote;
    c->p = c->end;
    c->nfields = 0;
    return 0;
}

int tims__csv_next(wl_csv *c, tims_diag *diag)
{
    while (c->p < c->end &&
           (*c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')))
        eat_line_end(c); /* blank lines */
    if (c->p >= c->end)
        return 0;
    c->rec_line = c->line;
    tims_buf_reset(&c->buf);
    c->offsets.count = 0;
    c->nfields = 0;
    for (;;) {
        size_t field_no = c->offsets.count + 1;
        if (start_field(c) != TIMS_OK)
            return TIMS_ENOMEM;
        if (c->p < c->end && *c->p == '"') {
            unsigned open_line = c->line;
            const char *run = ++c->p, *open = c->p;
            for (;;) {
                if (c->p >= c->end && c->tail != WL_TAIL_PLAIN &&
                    !memchr(open, '\n', (size_t)(c->end - open)))
                    return cut_off(c, field_no, 1, diag);
                if (c->p >= c->end)
                    return tims_diag_set(diag, TIMS_EDATA,
                                         "%s line %u, field %zu: the quoted field never closes "
                                         "(the file ends inside it: is it truncated?)",
                                         c->file, open_line, field_no);
                if (*c->p == '"') {
                    if (tims_buf_append(&c->buf, run, (size_t)(c->p - run)) != TIMS_OK)
                        return TIMS_ENOMEM;
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        run = c->p + 1; /* keep one quote */
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (*c->p == '\n')
                    c->line++;
                c->p++;
            }
            if (c->p < c->end && *c->p != c->delim && *c->p != '\n' &&
                !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')))
                return tims_diag_set(diag, TIMS_EDATA,
                                     "%s line %u, field %zu: text after the closing quote; "
                                     "write a quote inside a quoted field as \"\"",
                                     c->file, c->line, field_no);
        } else {
            const char *run = c->p;
            while (c->p < c->end && *c->p != c->delim && *c->p != '\n' &&
                   !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n'))) {
                if (*c->p == '"')
                    return tims_diag_set(diag, TIMS_EDATA,
                                         "%s line %u, field %zu: a quote inside an unquoted "
                                         "field; quote the whole field and double the quote",
                                         c->file, c->line, field_no);
                c->p++;
            }
            if (tims_buf_append(&c->buf, run, (size_t)(c->p - run)) != TIMS_OK)
                return TIMS_ENOMEM;
        }
        if (tims_buf_putc(&c->buf, '\0') != TIMS_OK)
            return TIMS_ENOMEM;
        if (c->p < c->end && *c->p == c->delim) {
            c->p++;
            continue;
        }
        int no_line_end = c->p >= c->end;
        eat_line_end(c);
        if (no_line_end && c->tail != WL_TAIL_PLAIN && field_no < c->want)
            return cut_off(c, field_no, 0, diag);
        break;
    }
    c->nfields = c->offsets.count;
    return 1;
}

const char *tims__csv_field(const wl_csv *c, size_t i)
{
    return i < c->nfields ? c->buf.data + ((const size_t *)c->offsets.items)[i] : "";
}

tims_err tims__csv_expect(const wl_csv *c, size_t n, tims_diag *diag)
{
    if (c->nfields == n)
        return TIMS_OK;
    return tims_diag_set(diag, TIMS_EDATA,
                         "%s line %u: expected %zu fields, found %zu; check the delimiters and "
                         "quotes of this record",
                         c->file, c->rec_line, n, c->nfields);
}
