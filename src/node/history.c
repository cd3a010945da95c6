/* history.c - what a node tells about a traveller and its journal: history, stay, log, and
 * corrections of recorded crossings.
 *
 * A traveller is their document key (issuing state, number). Their visits are made by pairing
 * crossings in time order: an entry opens a visit, the next exit closes it; an exit with no
 * open visit is a visit with an unknown entry (node_visits). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_int.h"

tims_err node_visits(const tims_node *n, const tims_crossing *c, size_t count,
                     tims_stay_visit **out, size_t *visit_count, int *inside)
{
    tims_stay_visit *v = count ? tims_calloc(count, sizeof *v) : NULL;
    if (count && !v)
        return TIMS_ENOMEM;
    size_t nv = 0;
    long open = -1;
    for (size_t i = 0; i < count; i++) {
        int32_t day = tims_node_day_of(n, c[i].time_us);
        if (c[i].direction == TIMS_DIR_ENTRY) {
            v[nv].entry_day = day;
            v[nv].exit_day = TIMS_STAY_UNKNOWN;
            open = (long)nv++;
        } else if (open >= 0) {
            v[open].exit_day = day;
            open = -1;
        } else {
            v[nv].entry_day = TIMS_STAY_UNKNOWN;
            v[nv].exit_day = day;
            nv++;
        }
    }
    *out = v;
    *visit_count = nv;
    *inside = open >= 0;
    return TIMS_OK;
}

tims_err tims_node_stay_json(const char *policy, int limited, const tims_stay_result *r,
                             tims_buf *out)
{
    char latest[11] = "", since[11] = "";
    if (limited && r->latest_exit_day != TIMS_STAY_UNKNOWN)
        tims_stay_day_format(r->latest_exit_day, latest);
    if (r->overstay_since != TIMS_STAY_UNKNOWN)
        tims_stay_day_format(r->overstay_since, since);
    tims_err err = tims_buf_puts(out, "{\"policy\":");
    if (err == TIMS_OK)
        err = node_json_string(out, policy);
    if (err != TIMS_OK)
        return err;
    if (!limited)
        return tims_buf_printf(out, ",\"limited\":false,\"days_used\":%d}", r->days_used);
    /* no legal day left: there is no latest legal exit to show (overstay_since says more) */
    char latest_json[16] = "null";
    if (r->days_left > 0)
        snprintf(latest_json, sizeof latest_json, "\"%s\"", latest);
    err = tims_buf_printf(out, ",\"limited\":true,\"days_used\":%d,\"days_left\":%d,\"latest_exit\":%s,"
                               "\"overstay\":%s",
                          r->days_used, r->days_left, latest_json, r->overstay ? "true" : "false");
    if (err == TIMS_OK && r->overstay)
        err = tims_buf_printf(out, ",\"overstay_since\":\"%s\"", since);
    if (err == TIMS_OK && r->unknown_entries)
        err = tims_buf_printf(out, ",\"exits_without_entry\":%d", r->unknown_entries);
    if (err == TIMS_OK && r->missing_exits)
        err = tims_buf_printf(out, ",\"entries_without_exit\":%d", r->missing_exits);
    if (err == TIMS_OK)
        err = tims_buf_putc(out, '}');
    return err;
}

tims_err tims_node_stay_of(tims_node *n, const char *state, const char *number, int32_t on_day,
                           tims_node_stay *out, tims_diag *diag)
{
    tims_crossing *c = NULL;
    size_t count = 0, kept = 0, nv = 0;
    tims_stay_visit *v = NULL;
    tims_err err = tims_store_history(n->store, state, number, &c, &count, diag);
    if (err != TIMS_OK)
        return err;
    while (kept < count && tims_node_day_of(n, c[kept].time_us) <= on_day)
        kept++;
    if (kept == 0) {
        err = tims_diag_set(diag, TIMS_ENOENT, "no crossing of %s:%s is recorded up to that day",
                            state, number);
        goto done;
    }
    memset(out, 0, sizeof *out);
    const tims_crossing *last = &c[kept - 1];
    const tims_stay_policy *pol = tims_stay_policy_match(n->rules, last->nationality,
                                                         last->issuing_state, last->doc_code);
    snprintf(out->policy, sizeof out->policy, "%s", pol->name);
    out->limited = pol->kind != TIMS_STAY_UNLIMITED;
    out->crossings = (int)kept;
    if ((err = node_visits(n, c, kept, &v, &nv, &out->inside)) != TIMS_OK)
        goto done;
    err = tims_stay_evaluate(pol, v, nv, on_day, &out->result, diag);
done:
    tims_free(c);
    tims_free(v);
    return err;
}

/* ---- history ------------------------------------------------------------------------- */

void tims_node_history_free(tims_history_item *items, size_t count)
{
    for (size_t i = 0; items && i < count; i++)
        tims_free(items[i].corrections_json);
    tims_free(items);
}

/* corrections_json - the correction entries naming crossing `target` as a JSON array
 * (*out owned by the caller; NULL when there are none). */
static tims_err corrections_json(tims_node *n, const tims_entry_ref *target, char **out, tims_diag *diag)
{
    tims_entry *entries = NULL;
    size_t count = 0;
    tims_buf b = {0};
    *out = NULL;
    tims_err err = tims_store_corrections_of(n->store, target, &entries, &count, diag);
    for (size_t i = 0; err == TIMS_OK && i < count; i++) {
        const tims_entry *e = &entries[i];
        json_error_t jerr;
        json_t *body = e->body ? json_loadb((const char *)e->body, e->body_len, 0, &jerr) : NULL;
        char id[TIMS_NODE_ID_LEN], when[32];
        tims_node_format_id(e->origin, e->seq, id);
        tims_node_format_time(e->time_us, when);
        json_t *view = json_pack("{s:s, s:s, s:O?, s:O?, s:O?, s:O?}", "id", id, "time", when, "officer",
                                 json_object_get(body, "officer"), "reason", json_object_get(body, "reason"),
                                 "set", json_object_get(body, "set"), "void", json_object_get(body, "void"));
        char *text = view ? json_dumps(view, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        err = text ? tims_buf_printf(&b, "%s%s", i ? "," : "[", text) : TIMS_ENOMEM;
        free(text);
        json_decref(view);
        json_decref(body);
    }
    if (err == TIMS_OK && count)
        err = tims_buf_putc(&b, ']');
    if (err == TIMS_OK && count && !(*out = tims_buf_steal(&b)))
        err = TIMS_ENOMEM;
    for (size_t i = 0; i < count; i++)
        tims_entry_clear(&entries[i]);
    tims_free(entries);
    tims_buf_free(&b);
    return err;
}

tims_err tims_node_history(tims_node *n, const char *state, const char *number,
                           tims_history_item **out, size_t *count, tims_diag *diag)
{
    tims_crossing *c = NULL;
    size_t nc = 0;
    tims_history_item *items = NULL;
    tims_entry e;
    memset(&e, 0, sizeof e);
    tims_err err = tims_store_history(n->store, state, number, &c, &nc, diag);
    if (err != TIMS_OK)
        return err;
    if (nc && !(items = tims_calloc(nc, sizeof *items))) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < nc; i++) {
        items[i].current = c[i];
        tims_node_format_id(c[i].entry.origin, c[i].entry.seq, items[i].id);
        if (c[i].corrections == 0)
            continue;
        items[i].original = c[i];
        if ((err = tims_store_get_entry(n->store, c[i].entry.origin, c[i].entry.seq, &e, diag)) != TIMS_OK)
            goto fail;
        if (e.body && (err = tims_crossing_from_body(e.body, e.body_len, &items[i].original, diag)) != TIMS_OK)
            goto fail;
        tims_entry_clear(&e);
        if ((err = corrections_json(n, &c[i].entry, &items[i].corrections_json, diag)) != TIMS_OK)
            goto fail;
    }
    tims_free(c);
    *out = items;
    *count = nc;
    return TIMS_OK;
fail:
    tims_entry_clear(&e);
    tims_free(c);
    tims_node_history_free(items, nc);
    return err;
}

static const char *direction_name(tims_direction d)
{
    return d == TIMS_DIR_EXIT ? "exit" : "entry";
}

static tims_err crossing_fields_json(const tims_crossing *c, tims_buf *out)
{
    char when[32];
    tims_node_format_time(c->time_us, when);
    tims_err err = tims_buf_printf(out, "\"direction\":\"%s\",\"time\":\"%s\"", direction_name(c->direction), when);
    const struct {
        const char *key, *value;
    } f[] = {{"issuing_state", c->issuing_state}, {"doc_number", c->doc_number}, {"doc_code", c->doc_code},
             {"surname", c->surname}, {"given_names", c->given_names}, {"nationality", c->nationality},
             {"birth_date", c->birth_date}, {"sex", c->sex}, {"bcp", c->bcp}, {"officer", c->officer},
             {"vehicle", c->vehicle}, {"decision", c->decision}};
    for (size_t i = 0; err == TIMS_OK && i < TIMS_ARRAY_LEN(f); i++) {
        err = tims_buf_printf(out, ",\"%s\":", f[i].key);
        if (err == TIMS_OK)
            err = node_json_string(out, f[i].value);
    }
    return err;
}

/* The fields in which the original differs from the current view. */
static tims_err differences_json(const tims_crossing *orig, const tims_crossing *cur, tims_buf *out)
{
    tims_err err = tims_buf_putc(out, '{');
    int first = 1;
#define DIFF_STR(field)                                                                          \
    if (err == TIMS_OK && strcmp(orig->field, cur->field) != 0) {                                \
        err = tims_buf_printf(out, "%s\"" #field "\":", first ? "" : ",");                      \
        if (err == TIMS_OK)                                                                      \
            err = node_json_string(out, orig->field);                                            \
        first = 0;                                                                               \
    }
    DIFF_STR(issuing_state)
    DIFF_STR(doc_number)
    DIFF_STR(doc_code)
    DIFF_STR(surname)
    DIFF_STR(given_names)
    DIFF_STR(nationality)
    DIFF_STR(birth_date)
    DIFF_STR(sex)
    DIFF_STR(bcp)
    DIFF_STR(officer)
    DIFF_STR(vehicle)
    DIFF_STR(decision)
#undef DIFF_STR
    if (err == TIMS_OK && orig->direction != cur->direction) {
        err = tims_buf_printf(out, "%s\"direction\":\"%s\"", first ? "" : ",", direction_name(orig->direction));
        first = 0;
    }
    if (err == TIMS_OK && orig->time_us != cur->time_us) {
        char when[32];
        tims_node_format_time(orig->time_us, when);
        err = tims_buf_printf(out, "%s\"time\":\"%s\"", first ? "" : ",", when);
    }
    if (err == TIMS_OK)
        err = tims_buf_putc(out, '}');
    return err;
}

tims_err tims_node_history_json(const tims_history_item *items, size_t count, tims_buf *out)
{
    tims_err err = tims_buf_putc(out, '[');
    for (size_t i = 0; err == TIMS_OK && i < count; i++) {
        err = tims_buf_printf(out, "%s{\"id\":\"%s\",", i ? "," : "", items[i].id);
        if (err == TIMS_OK)
            err = crossing_fields_json(&items[i].current, out);
        if (err == TIMS_OK)
            err = tims_buf_printf(out, ",\"corrections\":%d", items[i].current.corrections);
        if (err == TIMS_OK && items[i].current.corrections > 0) {
            err = tims_buf_puts(out, ",\"original\":");
            if (err == TIMS_OK)
                err = differences_json(&items[i].original, &items[i].current, out);
            if (err == TIMS_OK && items[i].corrections_json)
                err = tims_buf_printf(out, ",\"correction_entries\":%s", items[i].corrections_json);
        }
        if (err == TIMS_OK)
            err = tims_buf_putc(out, '}');
    }
    if (err == TIMS_OK)
        err = tims_buf_putc(out, ']');
    return err;
}

/* ---- corrections --------------------------------------------------------------------- */

static int is_upper_alnum(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    }
    return 1;
}

static int is_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == ' ' || s[i] == '-' || s[i] == '\''))
            return 0;
    }
    return 1;
}

static int is_birth_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    if (strchr(s, 'X')) { /* partly unknown dates (MRZ "XX") are kept as written */
        for (int i = 0; i < 10; i++) {
            if (i != 4 && i != 7 && s[i] != 'X' && (s[i] < '0' || s[i] > '9'))
                return 0;
        }
        return 1;
    }
    int32_t day;
    return tims_stay_day_parse(s, &day) == TIMS_OK;
}

static tims_err set_field(tims_crossing *c, unsigned *mask, const tims_correction_field *f,
                          tims_diag *diag)
{
    const char *v = f->value ? f->value : "";
    const char *expected = NULL;
    const char *name = f->name ? f->name : "";
#define SET_TEXT(field, bit, valid, what)                                                        \
    if (strcmp(name, #field) == 0) {                                                             \
        if (!(valid) || strlen(v) >= sizeof c->field) {                                          \
            expected = what;                                                                     \
        } else {                                                                                 \
            snprintf(c->field, sizeof c->field, "%s", v);                                        \
            *mask |= bit;                                                                        \
            return TIMS_OK;                                                                      \
        }                                                                                        \
    } else
    SET_TEXT(issuing_state, TIMS_CF_ISSUING_STATE, is_upper_alnum(v, 1, 3) && node_country_ok(v),
             "a country code as the MRZ writes it (e.g. UTO, D)")
    SET_TEXT(nationality, TIMS_CF_NATIONALITY, is_upper_alnum(v, 1, 3) && node_country_ok(v),
             "a country code as the MRZ writes it (e.g. UTO, D)")
    SET_TEXT(doc_number, TIMS_CF_DOC_NUMBER, is_upper_alnum(v, 1, 23), "1-23 capital letters and digits")
    SET_TEXT(doc_code, TIMS_CF_DOC_CODE, is_upper_alnum(v, 1, 2) && v[0] >= 'A',
             "the MRZ document code: one or two capital letters (P, ID, V ...)")
    SET_TEXT(surname, TIMS_CF_SURNAME, *v && is_name(v, 127), "capital Latin letters, spaces, '-' or '''")
    SET_TEXT(given_names, TIMS_CF_GIVEN_NAMES, is_name(v, 127), "capital Latin letters, spaces, '-' or '''")
    SET_TEXT(birth_date, TIMS_CF_BIRTH_DATE, is_birth_date(v), "YYYY-MM-DD (XX for unknown parts)")
    SET_TEXT(sex, TIMS_CF_SEX, strcmp(v, "M") == 0 || strcmp(v, "F") == 0 || strcmp(v, "X") == 0,
             "M, F or X")
    SET_TEXT(bcp, TIMS_CF_BCP, *v && strlen(v) < 32, "a crossing point code of 1-31 characters")
    SET_TEXT(officer, TIMS_CF_OFFICER, *v && strlen(v) < 64, "an officer id of 1-63 characters")
    SET_TEXT(vehicle, TIMS_CF_VEHICLE, strlen(v) < 32, "a plate or transport number of 0-31 characters")
    SET_TEXT(decision, TIMS_CF_DECISION, node_decision_valid(v), NODE_DECISIONS_TEXT)
    if (strcmp(name, "direction") == 0) {
        if (strcmp(v, "entry") == 0 || strcmp(v, "exit") == 0) {
            c->direction = strcmp(v, "entry") == 0 ? TIMS_DIR_ENTRY : TIMS_DIR_EXIT;
            *mask |= TIMS_CF_DIRECTION;
            return TIMS_OK;
        }
        expected = "entry or exit";
    } else if (strcmp(name, "time") == 0) {
        if (tims_node_parse_time(v, &c->time_us, NULL) == TIMS_OK) {
            *mask |= TIMS_CF_TIME;
            return TIMS_OK;
        }
        expected = "an ISO-8601 time with a zone, e.g. 2026-03-01T14:05:00Z";
    } else {
        return tims_diag_set(diag, TIMS_EINVAL,
                             "'%s' is not a field a correction may set; use issuing_state, doc_number, doc_code, "
                             "surname, given_names, nationality, birth_date, sex, direction, time, bcp, officer, "
                             "vehicle or decision",
                             name);
    }
#undef SET_TEXT
    return tims_diag_set(diag, TIMS_EINVAL, "%s=%s: the value must be %s", name, v, expected);
}

tims_err tims_node_correct(tims_node *n, const char *id, const char *reason, const char *officer,
                           const tims_correction_field *fields, size_t field_count, int void_it,
                           int64_t now_us, tims_entry_ref *out, tims_diag *diag)
{
    tims_entry_ref target;
    tims_crossing values;
    unsigned mask = 0;
    tims_err err;
    if (!n->has_key)
        return tims_diag_set(diag, TIMS_EACCES, "the node was opened read-only");
    if (!reason || !*reason)
        return tims_diag_set(diag, TIMS_EINVAL, "a correction needs a reason (--reason TEXT)");
    if (strlen(reason) > 255)
        return tims_diag_set(diag, TIMS_EINVAL, "the reason is longer than 255 bytes; keep it to a sentence or two");
    if (!officer || !*officer || strlen(officer) >= 64)
        return tims_diag_set(diag, TIMS_EINVAL, "a correction needs the officer who makes it (--officer ID, 1-63 characters)");
    if (field_count == 0 && !void_it)
        return tims_diag_set(diag, TIMS_EINVAL, "nothing to correct; give FIELD=VALUE pairs or --void");
    if ((err = tims_node_resolve_id(n, id, &target, diag)) != TIMS_OK)
        return err;
    if ((err = tims_store_get_crossing(n->store, &target, &values, diag)) != TIMS_OK) {
        if (err == TIMS_ENOENT)
            tims_diag_set(diag, err, "%s is not a crossing in the current view (another kind, annulled or redacted); "
                                     "check it with 'tims log'", id);
        return err;
    }
    for (size_t i = 0; i < field_count; i++) {
        unsigned before = mask;
        if ((err = set_field(&values, &mask, &fields[i], diag)) != TIMS_OK)
            return err;
        if (mask == before)
            return tims_diag_set(diag, TIMS_EINVAL, "%s is given twice; give each field once", fields[i].name);
    }
    return tims_store_record_correction(n->store, &n->kp, now_us, &target, &values, mask, void_it,
                                        reason, officer, out, diag);
}

/* ---- log ----------------------------------------------------------------------------- */

typedef struct log_ctx {
    int kind;
    tims_entry *items;
    size_t count, cap;
    tims_err err;
} log_ctx;

static int collect(const tims_entry *e, void *arg)
{
    log_ctx *ctx = arg;
    if (ctx->kind && e->kind != ctx->kind)
        return 0;
    if (ctx->count == ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap * 2 : 64;
        tims_entry *grown = tims_realloc(ctx->items, cap * sizeof *grown);
        if (!grown)
            return ctx->err = TIMS_ENOMEM;
        ctx->items = grown;
        ctx->cap = cap;
    }
    tims_err err = tims_entry_copy(&ctx->items[ctx->count], e);
    if (err != TIMS_OK)
        return ctx->err = err;
    ctx->count++;
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const tims_entry *x = a, *y = b;
    if (x->time_us != y->time_us)
        return x->time_us < y->time_us ? -1 : 1;
    int c = memcmp(x->origin, y->origin, TIMS_PUBKEY_LEN);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

tims_err tims_node_log(tims_node *n, int kind, size_t limit, tims_entry **out, size_t *count,
                       tims_diag *diag)
{
    log_ctx ctx = {.kind = kind};
    tims_err err = tims_store_each_entry(n->store, NULL, 0, 0, collect, &ctx, diag);
    if (err == TIMS_OK && ctx.err != TIMS_OK)
        err = ctx.err;
    if (err != TIMS_OK) {
        for (size_t i = 0; i < ctx.count; i++)
            tims_entry_clear(&ctx.items[i]);
        tims_free(ctx.items);
        return err;
    }
    if (ctx.count)
        qsort(ctx.items, ctx.count, sizeof *ctx.items, by_time);
    if (limit && ctx.count > limit) {
        size_t drop = ctx.count - limit;
        for (size_t i = 0; i < drop; i++)
            tims_entry_clear(&ctx.items[i]);
        memmove(ctx.items, ctx.items + drop, limit * sizeof *ctx.items);
        ctx.count = limit;
    }
    *out = ctx.items;
    *count = ctx.count;
    return TIMS_OK;
}

tims_err tims_node_entry_json(const tims_entry *e, tims_buf *out)
{
    char id[TIMS_NODE_ID_LEN], origin[2 * TIMS_PUBKEY_LEN + 1], hash[2 * TIMS_HASH_LEN + 1], when[32];
    tims_node_format_id(e->origin, e->seq, id);
    tims_hex(e->origin, TIMS_PUBKEY_LEN, origin);
    tims_hex(e->hash, TIMS_HASH_LEN, hash);
    tims_node_format_time(e->time_us, when);
    const char *kind = tims_entry_kind_name(e->kind);
    tims_err err = tims_buf_printf(out, "{\"id\":\"%s\",\"origin\":\"%s\",\"seq\":%llu,\"time\":\"%s\",\"kind\":\"%s\","
                                        "\"hash\":\"%s\",\"body\":",
                                   id, origin, (unsigned long long)e->seq, when, kind ? kind : "unknown", hash);
    if (err != TIMS_OK)
        return err;
    if (!e->body) {
        err = tims_buf_puts(out, "null,\"redacted\":true");
    } else {
        /* bodies are compact JSON as written; anything else is shown as a string */
        json_error_t jerr;
        json_t *j = json_loadb((const char *)e->body, e->body_len, JSON_DECODE_ANY, &jerr);
        if (j) {
            json_decref(j);
            err = tims_buf_append(out, e->body, e->body_len);
        } else {
            char *text = tims_strndup((const char *)e->body, e->body_len);
            err = text ? node_json_string(out, text) : TIMS_ENOMEM;
            tims_free(text);
        }
    }
    if (err == TIMS_OK)
        err = tims_buf_putc(out, '}');
    return err;
}
