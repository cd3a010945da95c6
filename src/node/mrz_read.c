/* mrz_read.c - the node's view of an MRZ: the fields a crossing records, from tims_mrz_parse.
 *
 * An MRZ with any error is refused whole, and the diag lists every error the parser found
 * (its messages name line, position, what was expected). No OCR repair here: a repaired
 * MRZ is a guess, and the officer rescans or corrects it (tims mrz --repair shows the guess). */
#include <string.h>

#include "node/node_int.h"
#include "tims/mrz.h"

static void copy_field(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

tims_err node_mrz_read(const char *text, size_t len, int32_t today, node_mrz *out, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    tims_mrz *m = tims_calloc(1, sizeof *m); /* large: keep it off the stack */
    if (!m)
        return TIMS_ENOMEM;
    tims_mrz_options opts = {.flags = TIMS_MRZ_ACCEPT_SEX_X};
    tims_stay_date_from_day(today, &opts.today.year, &opts.today.month, &opts.today.day);
    err = tims_mrz_parse(text ? text : "", text ? len : 0, &opts, m);
    if (err == TIMS_EDATA || (err == TIMS_OK && !m->valid)) {
        tims_buf msg = {0};
        tims_buf_printf(&msg, "the MRZ is not valid (%s, %zu error%s): ", tims_mrz_format_name(m->format),
                        m->nerrors, m->nerrors == 1 ? "" : "s");
        for (size_t i = 0; i < m->nerrors; i++)
            tims_buf_printf(&msg, "%s%s", i ? "; " : "", m->errors[i].message);
        if (m->nerrors == 0)
            tims_buf_puts(&msg, "no record found; scan the document again");
        err = tims_diag_set(diag, TIMS_EDATA, "%s", msg.data ? msg.data : "the MRZ is not valid");
        tims_buf_free(&msg);
        goto done;
    }
    if (err != TIMS_OK) {
        err = tims_diag_set(diag, err, "the MRZ cannot be read: %s", tims_strerror(err));
        goto done;
    }
    memset(out, 0, sizeof *out);
    copy_field(out->doc_code, sizeof out->doc_code, m->document_code);
    copy_field(out->issuing_state, sizeof out->issuing_state, m->issuing_state);
    copy_field(out->doc_number, sizeof out->doc_number, m->document_number);
    copy_field(out->surname, sizeof out->surname, m->surname);
    copy_field(out->given_names, sizeof out->given_names, m->given_names);
    copy_field(out->nationality, sizeof out->nationality, m->nationality);
    copy_field(out->birth_date, sizeof out->birth_date, m->birth_date);
    copy_field(out->sex, sizeof out->sex, strcmp(m->sex, "M") == 0 || strcmp(m->sex, "F") == 0 ? m->sex : "X");
    out->expiry_day = TIMS_STAY_UNKNOWN;
    if (m->expiry_date[0] && tims_stay_day_parse(m->expiry_date, &out->expiry_day) != TIMS_OK)
        out->expiry_day = TIMS_STAY_UNKNOWN;
    if (!out->issuing_state[0] || !out->doc_number[0])
        err = tims_diag_set(diag, TIMS_EDATA, "the MRZ has no issuing state or document number; a crossing needs both");
done:
    tims_free(m);
    return err;
}
