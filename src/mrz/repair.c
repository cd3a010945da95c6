/* repair.c - undoing OCR confusions (O/0, I/1, B/8, S/5, Z/2, G/6) when MRZ checks fail.
 *
 * Two steps. First the forced changes: a confusable letter where only digits may stand
 * (dates, check digits) becomes its digit, and a confusable digit where only letters may stand
 * (codes, states, names) becomes its letter: the character was wrong where it stood. Then, if
 * check digits still fail, the confusable characters of the letter-or-digit fields that those
 * check digits guard (document number, personal number; optional data when only the composite
 * fails) are tried both ways, every combination, and the check digits decide. A repair is
 * offered only when exactly one combination makes every check pass. The search is bounded:
 * at most TIMS_MRZ_REPAIR_MAX_FORCED forced changes and TIMS_MRZ_REPAIR_MAX_OPTIONAL positions
 * tried both ways (4095 combinations, each a parse without messages, about a millisecond). */
#include <stdio.h>
#include <string.h>

#include "mrz/mrz_int.h"

static char partner(char c)
{
    static const char pairs[6][2] = {{'O', '0'}, {'I', '1'}, {'B', '8'},
                                     {'S', '5'}, {'Z', '2'}, {'G', '6'}};
    for (size_t i = 0; i < 6; i++) {
        if (c == pairs[i][0])
            return pairs[i][1];
        if (c == pairs[i][1])
            return pairs[i][0];
    }
    return 0;
}

typedef char mrz_lines[3][MRZ_MAX_WIDTH + 1];

static void parse_lines(mrz_lines lines, size_t nl, const tims_mrz_options *opts, bool messages,
                        tims_mrz *out)
{
    tims_mrz_span spans[3];
    for (size_t l = 0; l < nl; l++)
        spans[l] = (tims_mrz_span){lines[l], strlen(lines[l])};
    (void)mrz_parse_core(spans, nl, nl, opts, messages, out);
}

static bool add_change(tims_mrz_repair_result *rep, size_t l, size_t p, char from, char to)
{
    if (rep->nchanges == TIMS_MRZ_REPAIR_MAX_CHANGES)
        return false;
    rep->changes[rep->nchanges++] = (tims_mrz_change){(int)l + 1, (int)p + 1, from, to};
    return true;
}

static tims_err unique(tims_mrz_repair_result *rep, mrz_lines lines, size_t nl,
                       const tims_mrz_options *opts, tims_mrz *out)
{
    rep->status = TIMS_MRZ_REPAIR_UNIQUE;
    rep->nlines = nl;
    for (size_t l = 0; l < nl; l++)
        memcpy(rep->lines[l], lines[l], sizeof rep->lines[l]);
    parse_lines(lines, nl, opts, true, out);
    return TIMS_OK;
}

static bool is_check_guarded(const tims_mrz_error *e, bool want[4])
{
    if (e->code != TIMS_MRZ_E_CHECK_DIGIT)
        return false;
    if (strcmp(e->field, "document_number") == 0)
        return want[MRZ_G_NUMBER] = true;
    if (strcmp(e->field, "optional_data") == 0)
        return want[MRZ_G_OPTIONAL] = true;
    if (strcmp(e->field, "composite") == 0)
        return want[MRZ_G_COMPOSITE] = true;
    return false;
}

tims_err tims_mrz_repair(const tims_mrz *rec, const tims_mrz_options *opts,
                         tims_mrz_repair_result *rep, tims_mrz *out)
{
    if (!rec || !rep || !out || !mrz_options_ok(opts))
        return TIMS_EINVAL;
    memset(rep, 0, sizeof *rep);
    rep->status = TIMS_MRZ_REPAIR_NONE;
    if (rec->valid) {
        rep->status = TIMS_MRZ_REPAIR_NOT_NEEDED;
        return TIMS_OK;
    }
    if (!rec->has_fields || rec->nlines < 2 || rec->nlines > 3) {
        snprintf(rep->reason, sizeof rep->reason,
                 "the lines do not have the shape of an MRZ, so nothing can be repaired; scan "
                 "the document again");
        return TIMS_OK;
    }
    size_t nl = rec->nlines;
    mrz_lines lines;
    for (size_t l = 0; l < nl; l++) {
        size_t len = strlen(rec->lines[l]);
        if (len != rec->line_length[l] || len > MRZ_MAX_WIDTH) {
            snprintf(rep->reason, sizeof rep->reason,
                     "line %zu has characters that no OCR confusion explains (not ASCII); "
                     "scan the document again",
                     l + 1);
            return TIMS_OK;
        }
        memcpy(lines[l], rec->lines[l], len + 1);
    }

    /* step 1: characters of the wrong kind for their position */
    uint8_t kind[3][MRZ_MAX_WIDTH], group[3][MRZ_MAX_WIDTH];
    mrz_position_kinds(rec, kind, group);
    for (size_t l = 0; l < nl; l++) {
        for (size_t p = 0; lines[l][p]; p++) {
            char c = lines[l][p], to = 0;
            if (kind[l][p] == MRZ_K_DIGIT && c >= 'A' && c <= 'Z')
                to = partner(c);
            else if (kind[l][p] == MRZ_K_LETTER && c >= '0' && c <= '9')
                to = partner(c);
            if (!to)
                continue;
            if (rep->nchanges == TIMS_MRZ_REPAIR_MAX_FORCED) {
                snprintf(rep->reason, sizeof rep->reason,
                         "more than %d characters stand where their kind is not allowed; that "
                         "is not a misreading to repair: scan the document again",
                         TIMS_MRZ_REPAIR_MAX_FORCED);
                return TIMS_OK;
            }
            add_change(rep, l, p, c, to);
            lines[l][p] = to;
        }
    }
    parse_lines(lines, nl, opts, false, out);
    rep->tried++;
    if (out->valid) {
        rep->solutions = 1;
        return unique(rep, lines, nl, opts, out);
    }

    /* step 2: only check digits over letter-or-digit fields may still fail */
    bool want[4] = {false, false, false, false};
    for (size_t i = 0; i < out->nerrors; i++) {
        if (!is_check_guarded(&out->errors[i], want)) {
            parse_lines(lines, nl, opts, true, out);
            snprintf(rep->reason, sizeof rep->reason, "no OCR confusion explains: %s",
                     out->errors[i].message);
            return TIMS_OK;
        }
    }
    if (want[MRZ_G_NUMBER] || want[MRZ_G_OPTIONAL])
        want[MRZ_G_COMPOSITE] = false; /* fix the fields first; one change rarely hides */
    mrz_position_kinds(out, kind, group);
    size_t at_line[TIMS_MRZ_REPAIR_MAX_OPTIONAL], at_pos[TIMS_MRZ_REPAIR_MAX_OPTIONAL];
    size_t k = 0;
    for (size_t l = 0; l < nl; l++) {
        for (size_t p = 0; lines[l][p]; p++) {
            if (kind[l][p] != MRZ_K_MIXED || !want[group[l][p]] || !partner(lines[l][p]))
                continue;
            if (k == TIMS_MRZ_REPAIR_MAX_OPTIONAL) {
                snprintf(rep->reason, sizeof rep->reason,
                         "more than %d characters could be misread in the fields whose check "
                         "digits fail; too many to tell which: read the document by eye",
                         TIMS_MRZ_REPAIR_MAX_OPTIONAL);
                return TIMS_OK;
            }
            at_line[k] = l;
            at_pos[k++] = p;
        }
    }
    if (k == 0) {
        parse_lines(lines, nl, opts, true, out);
        snprintf(rep->reason, sizeof rep->reason,
                 "no character the check digit guards could be misread (O/0, I/1, B/8, S/5, "
                 "Z/2, G/6): %s",
                 out->errors[0].message);
        return TIMS_OK;
    }
    unsigned first = 0, second = 0;
    for (unsigned mask = 1; mask < (1u << k); mask++) {
        mrz_lines cand;
        memcpy(cand, lines, sizeof cand);
        for (size_t i = 0; i < k; i++) {
            if (mask & (1u << i))
                cand[at_line[i]][at_pos[i]] = partner(cand[at_line[i]][at_pos[i]]);
        }
        parse_lines(cand, nl, opts, false, out);
        rep->tried++;
        if (out->valid) {
            if (rep->solutions++ == 0)
                first = mask;
            else if (rep->solutions == 2)
                second = mask;
        }
    }
    if (rep->solutions == 0) {
        snprintf(rep->reason, sizeof rep->reason,
                 "none of the %u combinations of the usual OCR confusions makes every check "
                 "pass; read the document by eye",
                 rep->tried);
        return TIMS_OK;
    }
    for (size_t i = 0; i < k; i++) {
        if (first & (1u << i)) {
            char c = lines[at_line[i]][at_pos[i]];
            add_change(rep, at_line[i], at_pos[i], c, partner(c));
            lines[at_line[i]][at_pos[i]] = partner(c);
        }
    }
    if (rep->solutions > 1) {
        size_t diff = 0;
        while (diff < k && !((first ^ second) & (1u << diff)))
            diff++;
        rep->status = TIMS_MRZ_REPAIR_AMBIGUOUS;
        snprintf(rep->reason, sizeof rep->reason,
                 "%u different repairs make every check pass (they differ at line %zu, "
                 "position %zu); none is chosen: read the document by eye",
                 rep->solutions, at_line[diff] + 1, at_pos[diff] + 1);
        return TIMS_OK;
    }
    return unique(rep, lines, nl, opts, out);
}

const char *tims_mrz_repair_status_name(tims_mrz_repair_status status)
{
    switch (status) {
    case TIMS_MRZ_REPAIR_NOT_NEEDED:
        return "not_needed";
    case TIMS_MRZ_REPAIR_UNIQUE:
        return "unique";
    case TIMS_MRZ_REPAIR_NONE:
        return "none";
    case TIMS_MRZ_REPAIR_AMBIGUOUS:
        return "ambiguous";
    }
    return "unknown";
}
