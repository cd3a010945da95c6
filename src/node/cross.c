/* cross.c - recording one crossing: parse, screen, decide, journal.
 *
 * The decision is "cleared" when nothing needs an officer's eye and "referred" otherwise,
 * with one reason per finding (node.h lists them). tims never refuses on its own: refusal is
 * an officer's act. Nothing is written unless the MRZ, the time and the options are valid. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_int.h"

static const struct {
    tims_node_reason bit;
    const char *code;
} reason_codes[] = {
    {TIMS_REASON_WATCHLIST, "watchlist_hit"},
    {TIMS_REASON_OVERSTAY, "overstay"},
    {TIMS_REASON_ENTRY_OVERSTAY, "entry_would_overstay"},
    {TIMS_REASON_PAST_OVERSTAY, "past_overstay"},
    {TIMS_REASON_NO_STAY_ALLOWED, "no_stay_allowed"},
    {TIMS_REASON_DOC_EXPIRED, "document_expired"},
    {TIMS_REASON_EXIT_WITHOUT_ENTRY, "exit_without_entry"},
    {TIMS_REASON_ENTRY_WITHOUT_EXIT, "entry_without_exit"},
    {TIMS_REASON_SCREENING_FAILED, "screening_failed"},
};

const char *tims_node_reason_code(tims_node_reason r)
{
    for (size_t i = 0; i < TIMS_ARRAY_LEN(reason_codes); i++) {
        if (reason_codes[i].bit == r)
            return reason_codes[i].code;
    }
    return "unknown";
}

void tims_cross_result_clear(tims_cross_result *r)
{
    if (!r)
        return;
    tims_free(r->screening_json);
    memset(r, 0, sizeof *r);
}

static void add_reason(tims_cross_result *r, tims_node_reason bit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(tims_cross_result *r, tims_node_reason bit, const char *fmt, ...)
{
    if (r->reasons & bit || r->reason_count == TIMS_ARRAY_LEN(r->reason_text))
        return;
    r->reasons |= bit;
    r->reason_list[r->reason_count] = bit;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason_text[r->reason_count++], sizeof r->reason_text[0], fmt, ap);
    va_end(ap);
}

static tims_err copy_text(char *dst, size_t size, const char *src, const char *what, tims_diag *diag)
{
    src = src ? src : "";
    if (strlen(src) >= size)
        return tims_diag_set(diag, TIMS_EINVAL, "the %s '%.40s...' is longer than %zu bytes", what, src, size - 1);
    for (const char *p = src; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return tims_diag_set(diag, TIMS_EINVAL, "the %s holds a control character; use plain text", what);
    }
    snprintf(dst, size, "%s", src);
    return TIMS_OK;
}

/* decide - the stay and document findings for crossing c (already in history order). */
static tims_err decide(tims_node *n, const tims_crossing *c, const node_mrz *m, tims_cross_result *r,
                       tims_diag *diag)
{
    tims_crossing *hist = NULL, *all = NULL;
    size_t count = 0, kept = 0, nv = 0;
    tims_stay_visit *v = NULL;
    int inside_before = 0, inside = 0;
    tims_err err = tims_store_history(n->store, c->issuing_state, c->doc_number, &hist, &count, diag);
    if (err != TIMS_OK)
        return err;
    while (kept < count && hist[kept].time_us <= c->time_us)
        kept++;
    if (!(all = tims_calloc(kept + 1, sizeof *all))) {
        err = TIMS_ENOMEM;
        goto done;
    }
    if (kept)
        memcpy(all, hist, kept * sizeof *all);
    all[kept] = *c;

    int32_t on_day = tims_node_day_of(n, c->time_us);
    const tims_stay_policy *pol = tims_stay_policy_match(n->rules, c->nationality, c->issuing_state, c->doc_code);
    snprintf(r->policy, sizeof r->policy, "%s", pol->name);
    r->stay_limited = pol->kind != TIMS_STAY_UNLIMITED;
    if (kept && (err = node_visits(n, all, kept, &v, &nv, &inside_before)) != TIMS_OK)
        goto done;
    tims_free(v);
    v = NULL;
    if ((err = node_visits(n, all, kept + 1, &v, &nv, &inside)) != TIMS_OK)
        goto done;
    if ((err = tims_stay_evaluate(pol, v, nv, on_day, &r->stay, diag)) != TIMS_OK)
        goto done;

    if (m->expiry_day != TIMS_STAY_UNKNOWN && m->expiry_day < on_day)
        add_reason(r, TIMS_REASON_DOC_EXPIRED, "the document expired on %s, before the crossing", r->doc_expiry);
    if (c->direction == TIMS_DIR_ENTRY) {
        if (inside_before)
            add_reason(r, TIMS_REASON_ENTRY_WITHOUT_EXIT,
                       "an entry is already recorded with no exit after it; the exit is missing");
        if (pol->kind == TIMS_STAY_REFUSE) {
            add_reason(r, TIMS_REASON_NO_STAY_ALLOWED,
                       "the stay rules allow no stay to this traveller without a visa (policy %s)", pol->name);
        } else if (pol->kind == TIMS_STAY_SHORT && r->stay.days_left == 0) {
            add_reason(r, TIMS_REASON_ENTRY_OVERSTAY,
                       "the entry day would already exceed %d days in %d (%d days in the window)",
                       pol->max_days, pol->window_days, r->stay.days_used);
        } else if (pol->kind == TIMS_STAY_SHORT && r->stay.overstay &&
                   (int64_t)r->stay.overstay_last >= (int64_t)on_day - pol->past_overstay_days) {
            char since[11], last[11];
            tims_stay_day_format(r->stay.overstay_since, since);
            tims_stay_day_format(r->stay.overstay_last, last);
            add_reason(r, TIMS_REASON_PAST_OVERSTAY,
                       "the traveller overstayed before (from %s to %s; entries are referred for %d "
                       "days after)", since, last, pol->past_overstay_days);
        }
    } else {
        if (!inside_before)
            add_reason(r, TIMS_REASON_EXIT_WITHOUT_ENTRY,
                       "no entry is recorded before this exit; only the exit day is counted");
        /* an overstay during this visit; an older one was flagged when this visit began */
        const tims_stay_visit *last = &v[nv - 1];
        int32_t visit_start = last->entry_day != TIMS_STAY_UNKNOWN ? last->entry_day : last->exit_day;
        if (pol->kind == TIMS_STAY_SHORT && r->stay.overstay && r->stay.overstay_last >= visit_start) {
            char day[11];
            if (r->stay.overstay_since >= visit_start) {
                tims_stay_day_format(r->stay.overstay_since, day);
                add_reason(r, TIMS_REASON_OVERSTAY, "overstay since %s: %d days in the window, %d allowed", day,
                           r->stay.days_used, pol->max_days);
            } else {
                tims_stay_day_format(r->stay.overstay_last, day);
                add_reason(r, TIMS_REASON_OVERSTAY, "this visit overstayed (the last day over the limit: %s): "
                           "%d days in the window, %d allowed", day, r->stay.days_used, pol->max_days);
            }
        }
    }
done:
    tims_free(hist);
    tims_free(all);
    tims_free(v);
    return err;
}

/* journal_crossing - the store's crossing body plus what the node found ("reasons", "policy":
 * keys the store's derivation ignores), appended as one crossing entry. */
static tims_err journal_crossing(tims_node *n, tims_cross_result *r, int64_t now_us, tims_diag *diag)
{
    tims_buf body = {0};
    json_t *obj = NULL, *reasons = NULL;
    char *text = NULL;
    tims_err err = tims_crossing_to_body(&r->crossing, &body, diag);
    if (err != TIMS_OK)
        goto done;
    json_error_t jerr;
    if (!(obj = json_loadb(body.data, body.len, 0, &jerr)) || !(reasons = json_array())) {
        err = TIMS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < r->reason_count; i++) {
        if (json_array_append_new(reasons, json_string(tims_node_reason_code(r->reason_list[i]))) != 0) {
            err = TIMS_ENOMEM;
            goto done;
        }
    }
    if (json_object_set_new(obj, "reasons", reasons) != 0 ||
        json_object_set_new(obj, "policy", json_string(r->policy)) != 0) {
        reasons = NULL;
        err = TIMS_ENOMEM;
        goto done;
    }
    reasons = NULL;
    if (!(text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
        err = TIMS_ENOMEM;
        goto done;
    }
    err = tims_store_append(n->store, &n->kp, now_us, TIMS_KIND_CROSSING, text, strlen(text), &r->entry, diag);
done:
    free(text);
    json_decref(reasons);
    json_decref(obj);
    tims_buf_free(&body);
    return err;
}

tims_err tims_node_cross(tims_node *n, const tims_cross_request *req, int64_t now_us,
                         tims_cross_result *out, tims_diag *diag)
{
    tims_err err;
    node_mrz m;
    tims_cross_result *r = out;
    memset(r, 0, sizeof *r);
    if (!n->has_key)
        return tims_diag_set(diag, TIMS_EACCES, "the node was opened read-only");
    if (req->direction != TIMS_DIR_ENTRY && req->direction != TIMS_DIR_EXIT)
        return tims_diag_set(diag, TIMS_EINVAL, "the direction must be entry or exit");
    int64_t at = req->at_us ? req->at_us : now_us;
    if (at > now_us + (int64_t)n->cfg.max_skew_seconds * 1000000) {
        char when[32], now_text[32];
        tims_node_format_time(at, when);
        tims_node_format_time(now_us, now_text);
        return tims_diag_set(diag, TIMS_EDATA,
                             "the crossing time %s lies in the future (now is %s, %d s of clock skew allowed); "
                             "check --at and the clock",
                             when, now_text, n->cfg.max_skew_seconds);
    }
    if (at < 0)
        return tims_diag_set(diag, TIMS_EDATA, "the crossing time lies before 1970; check --at");

    tims_crossing *c = &r->crossing;
    if ((err = node_mrz_read(req->mrz, req->mrz_len, tims_node_day_of(n, at), &m, diag)) != TIMS_OK)
        goto fail;
    if ((err = copy_text(c->officer, sizeof c->officer, req->officer && *req->officer ? req->officer : "unknown",
                         "officer id", diag)) != TIMS_OK ||
        (err = copy_text(c->vehicle, sizeof c->vehicle, req->vehicle, "vehicle", diag)) != TIMS_OK)
        goto fail;
    snprintf(c->issuing_state, sizeof c->issuing_state, "%s", m.issuing_state);
    snprintf(c->doc_number, sizeof c->doc_number, "%s", m.doc_number);
    snprintf(c->doc_code, sizeof c->doc_code, "%s", m.doc_code);
    snprintf(c->surname, sizeof c->surname, "%s", m.surname);
    snprintf(c->given_names, sizeof c->given_names, "%s", m.given_names);
    snprintf(c->nationality, sizeof c->nationality, "%s", m.nationality);
    snprintf(c->birth_date, sizeof c->birth_date, "%s", m.birth_date);
    snprintf(c->sex, sizeof c->sex, "%s", m.sex);
    snprintf(c->bcp, sizeof c->bcp, "%s", n->cfg.bcp);
    c->direction = req->direction;
    c->time_us = at;
    if (m.expiry_day != TIMS_STAY_UNKNOWN)
        tims_stay_day_format(m.expiry_day, r->doc_expiry);

    node_person who = {c->surname, c->given_names, c->birth_date, c->nationality, c->sex,
                       c->issuing_state, c->doc_number};
    int hit = 0;
    if ((err = node_screen(n, &who, &r->screening_json, &hit, diag)) != TIMS_OK)
        goto fail;
    if (hit > 0)
        add_reason(r, TIMS_REASON_WATCHLIST, "the traveller matches a watchlist entry; see screening");
    else if (hit < 0)
        add_reason(r, TIMS_REASON_SCREENING_FAILED, "the watchlists could not be searched; see screening");
    if ((err = decide(n, c, &m, r, diag)) != TIMS_OK)
        goto fail;
    r->refer = r->reasons != 0;
    snprintf(c->decision, sizeof c->decision, "%s", r->refer ? NODE_DECISION_REFERRED : NODE_DECISION_CLEARED);

    if ((err = journal_crossing(n, r, now_us, diag)) != TIMS_OK)
        goto fail;
    tims_node_format_id(r->entry.origin, r->entry.seq, r->id);
    c->entry = r->entry;
    return TIMS_OK;
fail:
    tims_cross_result_clear(r);
    return err;
}

tims_err tims_cross_result_json(const tims_cross_result *r, tims_buf *out)
{
    const tims_crossing *c = &r->crossing;
    char when[32];
    tims_node_format_time(c->time_us, when);
    tims_err err = tims_buf_printf(out, "{\"id\":\"%s\",\"decision\":\"%s\",\"reasons\":[", r->id,
                                   r->refer ? "refer" : "cleared");
    for (size_t i = 0; err == TIMS_OK && i < r->reason_count; i++) {
        err = tims_buf_printf(out, "%s{\"code\":\"%s\",\"text\":", i ? "," : "",
                              tims_node_reason_code(r->reason_list[i]));
        if (err == TIMS_OK)
            err = node_json_string(out, r->reason_text[i]);
        if (err == TIMS_OK)
            err = tims_buf_putc(out, '}');
    }
    if (err == TIMS_OK)
        err = tims_buf_printf(out, "],\"screening\":%s,\"stay\":", r->screening_json ? r->screening_json : "null");
    if (err == TIMS_OK)
        err = tims_node_stay_json(r->policy, r->stay_limited, &r->stay, out);
    if (err == TIMS_OK)
        err = tims_buf_printf(out, ",\"direction\":\"%s\",\"time\":\"%s\",\"bcp\":",
                              c->direction == TIMS_DIR_EXIT ? "exit" : "entry", when);
    if (err == TIMS_OK)
        err = node_json_string(out, c->bcp);
    if (err == TIMS_OK)
        err = tims_buf_puts(out, ",\"traveller\":{\"document\":");
    if (err == TIMS_OK)
        err = tims_buf_printf(out, "\"%s:%s\",\"doc_code\":\"%s\",\"expiry\":\"%s\",\"surname\":", c->issuing_state,
                              c->doc_number, c->doc_code, r->doc_expiry);
    if (err == TIMS_OK)
        err = node_json_string(out, c->surname);
    if (err == TIMS_OK)
        err = tims_buf_puts(out, ",\"given_names\":");
    if (err == TIMS_OK)
        err = node_json_string(out, c->given_names);
    if (err == TIMS_OK)
        err = tims_buf_printf(out, ",\"nationality\":\"%s\",\"birth_date\":\"%s\",\"sex\":\"%s\"}}", c->nationality,
                              c->birth_date, c->sex);
    return err;
}
