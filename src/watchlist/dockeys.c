/* dockeys.c - the exact-lookup table of document keys (issuing state + normalised number).
 *
 * Lost and stolen documents come by the tens of millions, so a key costs a few bytes: one
 * open-addressing table of 64-bit keys and 32-bit references. A number of up to 9 characters
 * (every ICAO 9303 document number) is packed into the key itself, bijectively: the state as
 * three base-27 letters and the number in bijective base 37, so two different documents never
 * share a key and no verification is needed. Longer numbers go to a second, small table keyed
 * by a 63-bit hash, whose slots also point at the full key text, compared on every lookup. */
#include <stdio.h>
#include <string.h>

#include "watchlist/screen_int.h"

enum { PACK_MAX_DIGITS = 9 };
#define HASHED_BIT (UINT64_C(1) << 63)

typedef struct slot_table {
    uint64_t *keys; /* 0 = empty slot */
    uint32_t *refs;
    uint32_t *text; /* hashed table only: offset of the key text in the arena */
    size_t cap;     /* power of two */
    size_t count;
} slot_table;

struct tims_wl_doctable {
    slot_table packed;
    slot_table hashed;
    tims_buf arena; /* NUL-separated key texts of the hashed table ("STATE:NUMBER") */
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

size_t tims_wl_doc_normalise(const char *number, char *out, size_t cap)
{
    size_t n = 0;
    if (!number || cap == 0)
        return 0;
    for (const char *p = number; *p; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            continue;
        if (n + 1 >= cap)
            return 0; /* too long to be a document number */
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

/* A state code as up to three letters; "" is an unknown issuer. Anything else is refused. */
static int state_code(const char *state, unsigned *code)
{
    unsigned v = 0;
    size_t i = 0;
    for (; state && state[i] && i < 3; i++) {
        char c = state[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c == '<') { /* MRZ filler: "D<<" is "D" */
            v = v * 27;
            continue;
        }
        if (c < 'A' || c > 'Z')
            return -1;
        v = v * 27 + (unsigned)(c - 'A' + 1);
    }
    if (state && state[i])
        return -1;
    for (; i < 3; i++)
        v = v * 27;
    *code = v;
    return 0;
}

static unsigned digit_code(char c)
{
    return c <= '9' ? (unsigned)(c - '0') + 1 : (unsigned)(c - 'A') + 11;
}

/* The key of (state, normalised number): packed when short, otherwise hashed with the top bit. */
static uint64_t make_key(unsigned state, const char *num, size_t len)
{
    if (len <= PACK_MAX_DIGITS) {
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++)
            v = v * 37 + digit_code(num[i]);
        return ((uint64_t)state << 47) | v;
    }
    uint64_t h = mix64(UINT64_C(0x9e3779b97f4a7c15) ^ state);
    for (size_t i = 0; i < len; i++)
        h = mix64(h ^ (uint64_t)(unsigned char)num[i] ^ ((uint64_t)i << 56));
    return HASHED_BIT | (h >> 1);
}

static tims_err table_init(slot_table *t, size_t cap, int with_text)
{
    t->keys = tims_calloc(cap, sizeof *t->keys);
    t->refs = tims_malloc(cap * sizeof *t->refs);
    t->text = with_text ? tims_malloc(cap * sizeof *t->text) : NULL;
    t->cap = cap;
    t->count = 0;
    if (!t->keys || !t->refs || (with_text && !t->text))
        return TIMS_ENOMEM;
    return TIMS_OK;
}

static void table_free(slot_table *t)
{
    tims_free(t->keys);
    tims_free(t->refs);
    tims_free(t->text);
    memset(t, 0, sizeof *t);
}

static size_t cap_for(size_t n)
{
    size_t cap = 16;
    while (cap < n + n / 3 + 1) /* load factor at most 3/4 */
        cap *= 2;
    return cap;
}

static void table_put(slot_table *t, uint64_t key, uint32_t ref, uint32_t text)
{
    size_t mask = t->cap - 1, i = mix64(key) & mask;
    while (t->keys[i])
        i = (i + 1) & mask;
    t->keys[i] = key;
    t->refs[i] = ref;
    if (t->text)
        t->text[i] = text;
    t->count++;
}

static tims_err table_grow(slot_table *t)
{
    slot_table bigger;
    tims_err err = table_init(&bigger, t->cap * 2, t->text != NULL);
    if (err != TIMS_OK) {
        table_free(&bigger);
        return err;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->keys[i])
            table_put(&bigger, t->keys[i], t->refs[i], t->text ? t->text[i] : 0);
    }
    table_free(t);
    *t = bigger;
    return TIMS_OK;
}

tims_err tims_wl_doctable_new(size_t expected, tims_wl_doctable **out)
{
    tims_wl_doctable *t = tims_calloc(1, sizeof *t);
    if (!t)
        return TIMS_ENOMEM;
    if (table_init(&t->packed, cap_for(expected), 0) != TIMS_OK ||
        table_init(&t->hashed, 16, 1) != TIMS_OK) {
        tims_wl_doctable_free(t);
        return TIMS_ENOMEM;
    }
    *out = t;
    return TIMS_OK;
}

void tims_wl_doctable_free(tims_wl_doctable *t)
{
    if (!t)
        return;
    table_free(&t->packed);
    table_free(&t->hashed);
    tims_buf_free(&t->arena);
    tims_free(t);
}

tims_err tims_wl_doctable_add(tims_wl_doctable *t, const char *state, const char *number,
                              uint32_t ref)
{
    char num[TIMS_WL_DOC_MAX + 1];
    unsigned code;
    size_t len = tims_wl_doc_normalise(number, num, sizeof num);
    if (len == 0 || state_code(state, &code) != 0)
        return TIMS_EINVAL;
    uint64_t key = make_key(code, num, len);
    slot_table *st = (key & HASHED_BIT) ? &t->hashed : &t->packed;
    if (st->count + 1 > st->cap - st->cap / 4) {
        tims_err err = table_grow(st);
        if (err != TIMS_OK)
            return err;
    }
    uint32_t text = 0;
    if (key & HASHED_BIT) {
        if (t->arena.len > UINT32_MAX - 64)
            return TIMS_ERANGE;
        text = (uint32_t)t->arena.len;
        tims_err err = tims_buf_printf(&t->arena, "%u:%s", code, num);
        if (err == TIMS_OK)
            err = tims_buf_putc(&t->arena, '\0');
        if (err != TIMS_OK)
            return err;
    }
    table_put(st, key, ref, text);
    return TIMS_OK;
}

size_t tims_wl_doctable_find(const tims_wl_doctable *t, const char *state, const char *number,
                             uint32_t *refs, size_t cap)
{
    char num[TIMS_WL_DOC_MAX + 1];
    char want[TIMS_WL_DOC_MAX + 16];
    unsigned code;
    size_t len = tims_wl_doc_normalise(number, num, sizeof num);
    if (len == 0 || state_code(state, &code) != 0)
        return 0;
    uint64_t key = make_key(code, num, len);
    const slot_table *st = (key & HASHED_BIT) ? &t->hashed : &t->packed;
    if (key & HASHED_BIT)
        snprintf(want, sizeof want, "%u:%s", code, num);
    size_t found = 0, mask = st->cap - 1, i = mix64(key) & mask;
    while (st->keys[i]) {
        if (st->keys[i] == key &&
            (!st->text || strcmp(t->arena.data + st->text[i], want) == 0)) {
            if (found < cap)
                refs[found] = st->refs[i];
            found++;
        }
        i = (i + 1) & mask;
    }
    return found;
}

size_t tims_wl_doctable_count(const tims_wl_doctable *t)
{
    return t->packed.count + t->hashed.count;
}

size_t tims_wl_doctable_bytes(const tims_wl_doctable *t)
{
    size_t slot = sizeof(uint64_t) + sizeof(uint32_t);
    return sizeof *t + t->packed.cap * slot + t->hashed.cap * (slot + sizeof(uint32_t)) +
           t->arena.cap;
}
