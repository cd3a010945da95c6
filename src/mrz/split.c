/* split.c - finding the records in a text: runs of non-blank lines separated by blank lines.
 *
 * A scanner (or a person pasting) sends lines ended by LF or CR LF; a line holding only
 * spaces, tabs or CR is blank. The splitter can work on a text that is still arriving: it
 * returns a record only once a blank line (or the end, when the caller says so) closes it. */
#include <string.h>

#include "tims/mrz.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* the end of the line starting at p (the index of its LF, or len), and whether it is blank */
static size_t line_end(const char *text, size_t len, size_t p, bool *blank)
{
    size_t q = p;
    *blank = true;
    while (q < len && text[q] != '\n') {
        if (!is_space(text[q]))
            *blank = false;
        q++;
    }
    return q;
}

bool tims_mrz_next_record(const char *text, size_t len, bool at_end, size_t *pos,
                          tims_mrz_span *record)
{
    if (!pos || !record || (!text && len))
        return false;
    size_t p = *pos < len ? *pos : len;
    bool blank;
    /* skip blank lines; an unfinished one might still turn out not to be blank */
    for (;;) {
        size_t e = line_end(text, len, p, &blank);
        if (!blank)
            break;
        if (e == len) {
            *pos = at_end ? len : p;
            return false;
        }
        p = e + 1;
    }
    size_t start = p;
    for (;;) {
        size_t e = line_end(text, len, p, &blank);
        if (blank) { /* p starts a blank line: the record ended just before it */
            if (e == len && !at_end)
                break; /* spaces so far, but the line is not finished */
            record->ptr = text + start;
            record->len = p - 1 - start;
            *pos = e < len ? e + 1 : len;
            return true;
        }
        if (e == len) {
            if (!at_end)
                break;
            record->ptr = text + start;
            record->len = len - start;
            *pos = len;
            return true;
        }
        p = e + 1;
    }
    *pos = start;
    return false;
}
