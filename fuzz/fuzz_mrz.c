/* fuzz_mrz.c - libFuzzer target for the mrz module: the record splitter (on a text arriving in
 * two pieces, then whole), the parser (records and raw lines), and the repair.
 *
 * The first byte chooses the options (sex X accepted or not; today in 2025 or 1999) and
 * where the text is cut; the rest is the text. Besides the sanitizers, it checks what the
 * header promises: every string is terminated valid UTF-8, valid means no errors, the repair
 * leaves the record alone and a unique repair passes every check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tims/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tims_mrz rec, copy, fixed;

static void check_utf8(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        abort(); /* not terminated */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len == 0 || i + len > n)
            abort();
        for (size_t k = 1; k < len; k++) {
            if (((unsigned char)s[i + k] & 0xC0) != 0x80)
                abort();
        }
        i += len;
    }
}

#define CHECK_FIELD(m, f) check_utf8((m)->f, sizeof(m)->f)

static void check_record(const tims_mrz *m, tims_err err)
{
    if (m->valid != (m->nerrors == 0) || (err == TIMS_OK) != m->valid)
        abort();
    if (m->nerrors > TIMS_MRZ_MAX_ERRORS || m->nerrors_dropped != 0)
        abort();
    CHECK_FIELD(m, document_code);
    CHECK_FIELD(m, issuing_state);
    CHECK_FIELD(m, surname);
    CHECK_FIELD(m, given_names);
    CHECK_FIELD(m, document_number);
    CHECK_FIELD(m, nationality);
    CHECK_FIELD(m, birth_date);
    CHECK_FIELD(m, birth_date_raw);
    CHECK_FIELD(m, expiry_date);
    CHECK_FIELD(m, expiry_date_raw);
    CHECK_FIELD(m, sex);
    CHECK_FIELD(m, optional_data);
    CHECK_FIELD(m, optional_data_2);
    for (size_t i = 0; i < TIMS_MRZ_MAX_LINES; i++)
        CHECK_FIELD(m, lines[i]);
    for (size_t i = 0; i < m->nerrors; i++) {
        CHECK_FIELD(m, errors[i].message);
        CHECK_FIELD(m, errors[i].got);
        if (!m->errors[i].field || m->errors[i].message[0] == '\0')
            abort();
    }
}

static void parse_and_repair(const char *text, size_t len, const tims_mrz_options *opts)
{
    tims_err err = tims_mrz_parse(text, len, opts, &rec);
    check_record(&rec, err);
    memcpy(&copy, &rec, sizeof rec);
    tims_mrz_repair_result rep;
    if (tims_mrz_repair(&rec, opts, &rep, &fixed) != TIMS_OK)
        abort();
    if (memcmp(&copy, &rec, sizeof rec) != 0)
        abort(); /* the repair must not touch the record */
    if (rep.status == TIMS_MRZ_REPAIR_UNIQUE) {
        check_record(&fixed, fixed.valid ? TIMS_OK : TIMS_EDATA);
        if (!fixed.valid || rep.nchanges == 0 || rep.nchanges > TIMS_MRZ_REPAIR_MAX_CHANGES)
            abort();
    }
    if (rep.tried > 4096)
        abort();
    check_utf8(rep.reason, sizeof rep.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    uint8_t ctl = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    tims_mrz_options opts = {{2025, 6, 1}, (ctl & 1) ? TIMS_MRZ_ACCEPT_SEX_X : 0u};
    if (ctl & 2)
        opts.today = (tims_mrz_date){1999, 12, 31};

    /* the splitter on a text that arrives in two pieces must find what it finds whole */
    size_t cut = len ? (ctl >> 2) % (len + 1) : 0;
    size_t pos = 0, found_parts = 0, found_whole = 0;
    tims_mrz_span span;
    while (tims_mrz_next_record(text, cut, false, &pos, &span)) {
        if (span.ptr < text || span.ptr + span.len > text + cut)
            abort();
        found_parts++;
    }
    if (pos > cut)
        abort();
    while (tims_mrz_next_record(text, len, true, &pos, &span))
        found_parts++;
    pos = 0;
    while (tims_mrz_next_record(text, len, true, &pos, &span)) {
        if (span.ptr < text || span.ptr + span.len > text + len || span.len == 0)
            abort();
        found_whole++;
        parse_and_repair(span.ptr, span.len, &opts);
    }
    if (found_parts != found_whole || pos != len)
        abort();

    /* the raw text as lines, blank ones included */
    tims_mrz_span lines[8];
    size_t n = 0;
    for (size_t p = 0; p <= len && n < 8;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t end = nl ? (size_t)(nl - text) : len;
        lines[n++] = (tims_mrz_span){text + p, end - p};
        p = end + 1;
    }
    check_record(&rec, tims_mrz_parse_lines(lines, n, &opts, &rec));
    return 0;
}
