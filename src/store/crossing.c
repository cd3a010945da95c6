/* crossing.c - entry bodies and their derivation: crossing, correction, list and redaction
 * bodies as compact JSON, and store_derive(), the one function that turns a body into rows.
 *
 * A crossing body is one flat object with the keys of `fields` below, written in that order
 * (docs/journal.md shows one). A correction body is
 *   {"target":{"origin":HEX,"seq":N},"set":{...some crossing keys...},"void":BOOL,
 *    "reason":TEXT,"officer":TEXT}.
 * Unknown keys are ignored when reading, so later versions may add fields. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

typedef enum field_type {
    F_ALPHA,
    F_DOCNUM,
    F_NAME,
    F_DATE,
    F_SEX,
    F_DIR,
    F_TIME,
    F_CODE,
    F_TEXT,
    F_DECISION
} field_type;

typedef struct field {
    const char *key;
    size_t offset;
    size_t size; /* buffer size for text fields */
    field_type type;
    size_t min_len;
    unsigned mask;
} field;

#define TEXT_FIELD(k, m, t, min, bit)                                                              \
    {                                                                                              \
        k, offsetof(tims_crossing, m), sizeof(((tims_crossing *)0)->m), t, min, bit                \
    }

static const field fields[] = {
    TEXT_FIELD("state", issuing_state, F_ALPHA, 1, TIMS_CF_ISSUING_STATE),
    TEXT_FIELD("number", doc_number, F_DOCNUM, 1, TIMS_CF_DOC_NUMBER),
    TEXT_FIELD("code", doc_code, F_ALPHA, 1, TIMS_CF_DOC_CODE),
    TEXT_FIELD("surname", surname, F_NAME, 1, TIMS_CF_SURNAME),
    TEXT_FIELD("given", given_names, F_NAME, 0, TIMS_CF_GIVEN_NAMES),
    TEXT_FIELD("nationality", nationality, F_ALPHA, 1, TIMS_CF_NATIONALITY),
    TEXT_FIELD("birth", birth_date, F_DATE, 10, TIMS_CF_BIRTH_DATE),
    TEXT_FIELD("sex", sex, F_SEX, 1, TIMS_CF_SEX),
    {"dir", offsetof(tims_crossing, direction), 0, F_DIR, 0, TIMS_CF_DIRECTION},
    {"time", offsetof(tims_crossing, time_us), 0, F_TIME, 0, TIMS_CF_TIME},
    TEXT_FIELD("bcp", bcp, F_CODE, 1, TIMS_CF_BCP),
    TEXT_FIELD("officer", officer, F_TEXT, 1, TIMS_CF_OFFICER),
    TEXT_FIELD("vehicle", vehicle, F_TEXT, 0, TIMS_CF_VEHICLE),
    TEXT_FIELD("decision", decision, F_DECISION, 1, TIMS_CF_DECISION),
};

/* check_text - is s a valid value for a text field of type t? Returns a reason or NULL. */
static const char *check_text(const field *f, const char *s)
{
    size_t n = strlen(s);
    if (n < f->min_len)
        return f->min_len == 1 ? "must not be empty" : "is too short";
    if (n >= f->size)
        return "is too long";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = 1;
        switch (f->type) {
        case F_ALPHA:
            ok = c >= 'A' && c <= 'Z';
            break;
        case F_DOCNUM:
            ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            break;
        case F_DATE:
            ok = (i == 4 || i == 7) ? c == '-' : ((c >= '0' && c <= '9') || c == 'X');
            break;
        case F_CODE:
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
            break;
        default:
            ok = c >= 0x20 && c != 0x7f;
            break;
        }
        if (!ok)
            return f->type == F_DATE ? "is not a date YYYY-MM-DD (X for an unknown digit)"
                                     : "holds a character that is not allowed";
    }
    if (f->type == F_DATE && n != 10)
        return "is not a date YYYY-MM-DD";
    if (f->type == F_ALPHA && n > 3)
        return "is longer than 3 letters";
    if (f->type == F_SEX && strcmp(s, "M") && strcmp(s, "F") && strcmp(s, "X"))
        return "is not M, F or X";
    if (f->type == F_DECISION && strcmp(s, "admitted") && strcmp(s, "refused") &&
        strcmp(s, "referred"))
        return "is not admitted, refused or referred";
    return NULL;
}

static const char *dir_name(tims_direction d)
{
    return d == TIMS_DIR_ENTRY ? "entry" : d == TIMS_DIR_EXIT ? "exit" : NULL;
}

/* put_fields - add the fields in mask from c to obj, in the fixed order. */
static tims_err put_fields(json_t *obj, const tims_crossing *c, unsigned mask, const char *what,
                           tims_diag *diag)
{
    for (size_t i = 0; i < TIMS_ARRAY_LEN(fields); i++) {
        const field *f = &fields[i];
        if (!(mask & f->mask))
            continue;
        const char *p = (const char *)c + f->offset;
        json_t *v = NULL;
        if (f->type == F_DIR) {
            const char *d = dir_name(c->direction);
            if (!d)
                return tims_diag_set(diag, TIMS_EINVAL,
                                     "%s: direction %d is neither entry nor "
                                     "exit",
                                     what, (int)c->direction);
            v = json_string(d);
        } else if (f->type == F_TIME) {
            v = json_integer((json_int_t)c->time_us);
        } else {
            if (!memchr(p, '\0', f->size))
                return tims_diag_set(diag, TIMS_EINVAL, "%s: field %s is not terminated", what,
                                     f->key);
            const char *why = check_text(f, p);
            if (why)
                return tims_diag_set(diag, TIMS_EINVAL, "%s: field %s (\"%.40s\") %s", what, f->key,
                                     p, why);
            v = json_string(p);
            if (!v)
                return tims_diag_set(diag, TIMS_EINVAL, "%s: field %s is not valid UTF-8", what,
                                     f->key);
        }
        if (!v || json_object_set_new(obj, f->key, v) != 0)
            return TIMS_ENOMEM;
    }
    return TIMS_OK;
}

static tims_err dump_to(json_t *obj, tims_buf *out)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return TIMS_ENOMEM;
    tims_err err = tims_buf_puts(out, text);
    free(text);
    return err;
}

/* fast_body - the body jansson would write, for the common case of printable ASCII fields that
 * pass every check; 0 (out unchanged) otherwise, and the jansson path below decides. */
static int fast_body(const tims_crossing *c, tims_buf *out)
{
    char tmp[2048]; /* the longest fields, every byte escaped, fit */
    size_t n = 0;
    const char *d = dir_name(c->direction);
    if (!d)
        return 0;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(fields); i++) {
        const field *f = &fields[i];
        const char *p = (const char *)c + f->offset;
        tmp[n++] = i ? ',' : '{';
        tmp[n++] = '"';
        size_t klen = strlen(f->key);
        memcpy(tmp + n, f->key, klen);
        n += klen;
        tmp[n++] = '"';
        tmp[n++] = ':';
        if (f->type == F_TIME) {
            int w = snprintf(tmp + n, 24, "%lld", (long long)c->time_us);
            n += (size_t)w;
            continue;
        }
        if (f->type == F_DIR) {
            p = d;
        } else if (!memchr(p, '\0', f->size) || check_text(f, p)) {
            return 0;
        }
        tmp[n++] = '"';
        for (; *p; p++) {
            if ((unsigned char)*p >= 0x80)
                return 0; /* UTF-8: jansson checks it */
            if (*p == '"' || *p == '\\')
                tmp[n++] = '\\';
            tmp[n++] = *p;
        }
        tmp[n++] = '"';
    }
    tmp[n++] = '}';
    return tims_buf_append(out, tmp, n) == TIMS_OK;
}

void store_derive_crossing(const tims_crossing *c, store_derived *out)
{
    memset(out, 0, sizeof *out);
    out->kind = TIMS_KIND_CROSSING;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(fields); i++) {
        const field *f = &fields[i];
        if (f->type == F_DIR)
            out->crossing.direction = c->direction;
        else if (f->type == F_TIME)
            out->crossing.time_us = c->time_us;
        else
            memcpy((char *)&out->crossing + f->offset, (const char *)c + f->offset,
                   strlen((const char *)c + f->offset) + 1);
    }
}

tims_err tims_crossing_to_body(const tims_crossing *c, tims_buf *out, tims_diag *diag)
{
    if (fast_body(c, out))
        return TIMS_OK;
    json_t *obj = json_object();
    if (!obj)
        return TIMS_ENOMEM;
    tims_err err = put_fields(obj, c, ~0u, "crossing", diag);
    if (err == TIMS_OK)
        err = dump_to(obj, out);
    json_decref(obj);
    return err;
}

/* get_fields - read the fields present in obj into c; with `all`, every field is required.
 * *mask receives the fields found. */
static tims_err get_fields(json_t *obj, tims_crossing *c, int all, unsigned *mask, const char *what,
                           tims_diag *diag)
{
    *mask = 0;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(fields); i++) {
        const field *f = &fields[i];
        json_t *v = json_object_get(obj, f->key);
        if (!v) {
            if (all)
                return tims_diag_set(diag, TIMS_EDATA, "%s body: field \"%s\" is missing", what,
                                     f->key);
            continue;
        }
        char *p = (char *)c + f->offset;
        if (f->type == F_TIME) {
            if (!json_is_integer(v))
                return tims_diag_set(diag, TIMS_EDATA,
                                     "%s body: field \"time\" is not an "
                                     "integer of microseconds",
                                     what);
            c->time_us = (int64_t)json_integer_value(v);
        } else if (!json_is_string(v)) {
            return tims_diag_set(diag, TIMS_EDATA, "%s body: field \"%s\" is not a string", what,
                                 f->key);
        } else if (f->type == F_DIR) {
            const char *s = json_string_value(v);
            if (strcmp(s, "entry") == 0)
                c->direction = TIMS_DIR_ENTRY;
            else if (strcmp(s, "exit") == 0)
                c->direction = TIMS_DIR_EXIT;
            else
                return tims_diag_set(diag, TIMS_EDATA,
                                     "%s body: field \"dir\" is \"%.20s\", "
                                     "expected \"entry\" or \"exit\"",
                                     what, s);
        } else {
            const char *s = json_string_value(v);
            const char *why =
                strlen(s) != json_string_length(v) ? "holds a NUL character" : check_text(f, s);
            if (why)
                return tims_diag_set(diag, TIMS_EDATA, "%s body: field \"%s\" (\"%.40s\") %s", what,
                                     f->key, s, why);
            memcpy(p, s, strlen(s) + 1);
        }
        *mask |= f->mask;
    }
    return TIMS_OK;
}

static tims_err load_object(const void *body, size_t len, json_t **out, const char *what,
                            tims_diag *diag)
{
    json_error_t jerr;
    *out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return tims_diag_set(diag, TIMS_EDATA, "%s body is not valid JSON (position %d: %s)", what,
                             jerr.position, jerr.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return tims_diag_set(diag, TIMS_EDATA, "%s body is not a JSON object", what);
    }
    return TIMS_OK;
}

tims_err tims_crossing_from_body(const void *body, size_t len, tims_crossing *out, tims_diag *diag)
{
    json_t *obj;
    memset(out, 0, sizeof *out);
    tims_err err = load_object(body, len, &obj, "crossing", diag);
    if (err != TIMS_OK)
        return err;
    unsigned mask;
    err = get_fields(obj, out, 1, &mask, "crossing", diag);
    json_decref(obj);
    return err;
}

static json_t *ref_json(const tims_entry_ref *r)
{
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    tims_hex(r->origin, TIMS_PUBKEY_LEN, hex);
    return json_pack("{s:s,s:I}", "origin", hex, "seq", (json_int_t)r->seq);
}

static tims_err ref_from_json(json_t *v, tims_entry_ref *r, const char *what, tims_diag *diag)
{
    const char *hex = NULL;
    json_int_t seq = 0;
    memset(r, 0, sizeof *r);
    if (!json_is_object(v) || json_unpack(v, "{s:s,s:I}", "origin", &hex, "seq", &seq) != 0 ||
        tims_unhex(hex, r->origin, TIMS_PUBKEY_LEN) != TIMS_OK || seq < 1 ||
        (uint64_t)seq > STORE_SEQ_MAX)
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s body: the entry named is not "
                             "{\"origin\":64 hex digits,\"seq\":a number from 1}",
                             what);
    r->seq = (uint64_t)seq;
    return TIMS_OK;
}

static tims_err check_words(const char *s, size_t size, const char *what, const char *key,
                            tims_diag *diag)
{
    if (!s || !*s)
        return tims_diag_set(diag, TIMS_EINVAL, "%s: %s is required", what, key);
    if (strlen(s) >= size)
        return tims_diag_set(diag, TIMS_EINVAL, "%s: %s is longer than %zu bytes", what, key,
                             size - 1);
    return TIMS_OK;
}

tims_err tims_correction_to_body(const tims_entry_ref *target, const tims_crossing *values,
                                 unsigned mask, int void_it, const char *reason,
                                 const char *officer, tims_buf *out, tims_diag *diag)
{
    tims_err err;
    if (!target || target->seq < 1)
        return tims_diag_set(diag, TIMS_EINVAL, "correction: the target entry is missing");
    if (mask & ~((TIMS_CF_DECISION << 1) - 1))
        return tims_diag_set(diag, TIMS_EINVAL, "correction: unknown field bits 0x%x", mask);
    if (!mask && !void_it)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "correction: it neither sets a field nor "
                             "annuls the crossing");
    if (mask && !values)
        return tims_diag_set(diag, TIMS_EINVAL, "correction: fields to set but no values");
    if ((err = check_words(reason, 256, "correction", "a reason", diag)) != TIMS_OK ||
        (err = check_words(officer, 64, "correction", "the officer", diag)) != TIMS_OK)
        return err;
    json_t *obj = json_object(), *set = json_object();
    json_t *ref = ref_json(target);
    if (!obj || !set || !ref) {
        err = TIMS_ENOMEM;
        goto done;
    }
    if ((err = put_fields(set, values, mask, "correction", diag)) != TIMS_OK)
        goto done;
    json_t *r = json_string(reason), *o = json_string(officer);
    if (!r || !o) {
        json_decref(r);
        json_decref(o);
        err = tims_diag_set(diag, TIMS_EINVAL, "correction: reason or officer is not UTF-8");
        goto done;
    }
    json_object_set_new(obj, "target", ref);
    json_object_set_new(obj, "set", set);
    json_object_set_new(obj, "void", json_boolean(void_it));
    json_object_set_new(obj, "reason", r);
    json_object_set_new(obj, "officer", o);
    ref = set = NULL;
    err = dump_to(obj, out);
done:
    json_decref(ref);
    json_decref(set);
    json_decref(obj);
    return err;
}

void store_apply_correction(tims_crossing *c, const store_derived *d)
{
    for (size_t i = 0; i < TIMS_ARRAY_LEN(fields); i++) {
        const field *f = &fields[i];
        if (!(d->mask & f->mask))
            continue;
        if (f->type == F_DIR)
            c->direction = d->crossing.direction;
        else if (f->type == F_TIME)
            c->time_us = d->crossing.time_us;
        else
            memcpy((char *)c + f->offset, (const char *)&d->crossing + f->offset, f->size);
    }
}

static tims_err get_string(json_t *obj, const char *key, char *dst, size_t size, int required,
                           const char *what, tims_diag *diag)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        dst[0] = '\0';
        return required ? tims_diag_set(diag, TIMS_EDATA, "%s body: \"%s\" is missing", what, key)
                        : TIMS_OK;
    }
    if (!json_is_string(v) || json_string_length(v) >= size ||
        strlen(json_string_value(v)) != json_string_length(v) ||
        (required && json_string_length(v) == 0))
        return tims_diag_set(diag, TIMS_EDATA,
                             "%s body: \"%s\" is not a text of 1 to %zu "
                             "bytes",
                             what, key, size - 1);
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return TIMS_OK;
}

static tims_err derive_correction(json_t *obj, store_derived *d, tims_diag *diag)
{
    tims_err err = ref_from_json(json_object_get(obj, "target"), &d->target, "correction", diag);
    if (err != TIMS_OK)
        return err;
    json_t *set = json_object_get(obj, "set");
    if (set && !json_is_object(set))
        return tims_diag_set(diag, TIMS_EDATA, "correction body: \"set\" is not an object");
    if (set && (err = get_fields(set, &d->crossing, 0, &d->mask, "correction", diag)) != TIMS_OK)
        return err;
    json_t *v = json_object_get(obj, "void");
    if (v && !json_is_boolean(v))
        return tims_diag_set(diag, TIMS_EDATA, "correction body: \"void\" is not true or false");
    d->void_it = v && json_is_true(v);
    if (!d->mask && !d->void_it)
        return tims_diag_set(diag, TIMS_EDATA,
                             "correction body: it neither sets a field nor "
                             "annuls the crossing");
    if ((err = get_string(obj, "reason", d->reason, sizeof d->reason, 1, "correction", diag)) !=
        TIMS_OK)
        return err;
    return get_string(obj, "officer", d->officer, sizeof d->officer, 1, "correction", diag);
}

static tims_err derive_redaction(json_t *obj, store_derived *d, tims_diag *diag)
{
    json_t *arr = json_object_get(obj, "targets");
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 100000)
        return tims_diag_set(diag, TIMS_EDATA,
                             "redaction body: \"targets\" is not a list of "
                             "1 to 100000 entries");
    d->targets = tims_calloc(json_array_size(arr), sizeof *d->targets);
    if (!d->targets)
        return TIMS_ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        tims_err err = ref_from_json(json_array_get(arr, i), &d->targets[i], "redaction", diag);
        if (err != TIMS_OK)
            return err;
        d->ntargets++;
    }
    return get_string(obj, "reason", d->reason, sizeof d->reason, 1, "redaction", diag);
}

tims_err store_derive(int kind, const void *body, size_t len, store_derived *out, tims_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    const char *what = tims_entry_kind_name(kind);
    if (!what)
        return tims_diag_set(diag, TIMS_EDATA, "entry kind %d is not known", kind);
    json_t *obj;
    tims_err err = load_object(body, len, &obj, what, diag);
    if (err != TIMS_OK)
        return err;
    unsigned mask;
    switch (kind) {
    case TIMS_KIND_CROSSING:
        err = get_fields(obj, &out->crossing, 1, &mask, what, diag);
        break;
    case TIMS_KIND_CORRECTION:
        err = derive_correction(obj, out, diag);
        break;
    case TIMS_KIND_LIST_RELEASE:
        if ((err = get_string(obj, "list", out->list, sizeof out->list, 1, what, diag)) == TIMS_OK)
            err = get_string(obj, "version", out->item, sizeof out->item, 1, what, diag);
        break;
    case TIMS_KIND_LIST_PUT:
    case TIMS_KIND_LIST_DEL:
        if ((err = get_string(obj, "list", out->list, sizeof out->list, 1, what, diag)) == TIMS_OK)
            err = get_string(obj, "id", out->item, sizeof out->item, 1, what, diag);
        break;
    case TIMS_KIND_REDACTION:
        err = derive_redaction(obj, out, diag);
        break;
    default:
        break; /* node_register, user, audit: journal only */
    }
    json_decref(obj);
    if (err != TIMS_OK)
        store_derived_clear(out);
    return err;
}

void store_derived_clear(store_derived *d)
{
    if (!d)
        return;
    tims_free(d->targets);
    d->targets = NULL;
    d->ntargets = 0;
}
