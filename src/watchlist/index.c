/* index.c - building the screening index over one or more lists (see screen_int.h).
 *
 * Every name of every entry is parsed once (tims_name_parse); its tokens go into one
 * dictionary, the name becomes a run of token ids, and each distinct token gets a posting list
 * of the names that hold it and the keys of index_keys.c. A name that repeats an earlier name
 * of the same entry (same tokens in any order) is left out: it could only give the same hit.
 * Rarity weights are IDF over entries: ln(1 + N / df). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "watchlist/screen_int.h"

typedef struct u32vec {
    uint32_t *v;
    size_t n, cap;
} u32vec;

static tims_err u32_push(u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        uint32_t *v = tims_realloc(a->v, cap * sizeof *v);
        if (!v)
            return TIMS_ENOMEM;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return TIMS_OK;
}

/* The dictionary while building: open addressing on the exact key, token ids as values. */
typedef struct dict {
    uint32_t *slots; /* token id + 1; 0 = empty */
    size_t cap;
    tims_buf pool;
    u32vec off;
    u32vec len;
    u32vec key_len;
    u32vec skel_len;
    u32vec flags;
    u32vec df;
    u32vec last_entry; /* last entry that counted towards df, + 1 */
} dict;

static void dict_free(dict *d)
{
    tims_free(d->slots);
    tims_buf_free(&d->pool);
    tims_free(d->off.v);
    tims_free(d->len.v);
    tims_free(d->key_len.v);
    tims_free(d->skel_len.v);
    tims_free(d->flags.v);
    tims_free(d->df.v);
    tims_free(d->last_entry.v);
}

static int dict_same(const dict *d, uint32_t id, const char *s, size_t len)
{
    return d->len.v[id] == len && memcmp(d->pool.data + d->off.v[id], s, len) == 0;
}

static tims_err dict_grow(dict *d)
{
    size_t cap = d->cap ? d->cap * 2 : 1024;
    uint32_t *slots = tims_calloc(cap, sizeof *slots);
    if (!slots)
        return TIMS_ENOMEM;
    for (size_t i = 0; i < d->cap; i++) {
        if (!d->slots[i])
            continue;
        uint32_t id = d->slots[i] - 1;
        size_t j = wls_exact_key(d->pool.data + d->off.v[id], d->len.v[id]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = d->slots[i];
    }
    tims_free(d->slots);
    d->slots = slots;
    d->cap = cap;
    return TIMS_OK;
}

/* The id of token tok (adding it, with its key and skeleton, when new), in *id. */
static tims_err dict_intern(dict *d, const tims_name_token *tok, uint32_t *id)
{
    const char *s = tok->text;
    size_t len = tok->len;
    size_t key_len = tok->key ? tok->key_len : 0, skel_len = tok->skel ? tok->skel_len : 0;
    tims_err err;
    if ((d->off.n + 1) * 2 > d->cap && (err = dict_grow(d)) != TIMS_OK)
        return err;
    size_t j = wls_exact_key(s, len) & (d->cap - 1);
    while (d->slots[j]) {
        if (dict_same(d, d->slots[j] - 1, s, len)) {
            *id = d->slots[j] - 1;
            return TIMS_OK;
        }
        j = (j + 1) & (d->cap - 1);
    }
    if (d->off.n >= WLS_TOKEN_MASK || d->pool.len > UINT32_MAX - len - key_len - skel_len - 8)
        return TIMS_ERANGE;
    uint32_t new_id = (uint32_t)d->off.n;
    if ((err = tims_buf_append(&d->pool, &new_id, sizeof new_id)) != TIMS_OK ||
        (err = u32_push(&d->off, (uint32_t)d->pool.len)) != TIMS_OK ||
        (err = tims_buf_append(&d->pool, s, len)) != TIMS_OK ||
        (err = tims_buf_putc(&d->pool, '\0')) != TIMS_OK ||
        (err = tims_buf_append(&d->pool, tok->key, key_len)) != TIMS_OK ||
        (err = tims_buf_putc(&d->pool, '\0')) != TIMS_OK ||
        (err = tims_buf_append(&d->pool, tok->skel, skel_len)) != TIMS_OK ||
        (err = tims_buf_putc(&d->pool, '\0')) != TIMS_OK ||
        (err = u32_push(&d->len, (uint32_t)len)) != TIMS_OK ||
        (err = u32_push(&d->key_len, (uint32_t)key_len)) != TIMS_OK ||
        (err = u32_push(&d->skel_len, (uint32_t)skel_len)) != TIMS_OK ||
        (err = u32_push(&d->flags, tok->flags | (tok->weak ? WLS_FLAG_WEAK : 0))) != TIMS_OK ||
        (err = u32_push(&d->df, 0)) != TIMS_OK ||
        (err = u32_push(&d->last_entry, 0)) != TIMS_OK)
        return err;
    d->slots[j] = new_id + 1;
    *id = new_id;
    return TIMS_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Names of the current entry so far, as sorted token-id runs, for leaving out repeats. */
typedef struct seen_names {
    u32vec toks;
    u32vec off;
} seen_names;

static int seen_before(const seen_names *s, const uint32_t *sorted, size_t n)
{
    for (size_t i = 0; i + 1 < s->off.n; i++) {
        size_t a = s->off.v[i], b = s->off.v[i + 1];
        if (b - a == n && memcmp(s->toks.v + a, sorted, n * sizeof *sorted) == 0)
            return 1;
    }
    return 0;
}

typedef struct builder {
    struct tims_wl_index *idx;
    dict d;
    u32vec name_entry, name_slot, name_off, name_toks;
    seen_names seen;
} builder;

static tims_err add_name(builder *b, const char *full, uint32_t global, size_t slot)
{
    tims_name nm;
    memset(&nm, 0, sizeof nm);
    if (!full || tims_name_parse(full, strlen(full), 0, &nm, NULL) != TIMS_OK)
        return TIMS_OK; /* an unreadable alias never stops a list from being screened */
    tims_err err = TIMS_OK;
    uint32_t ids[TIMS_NAME_MAX_TOKENS], sorted[TIMS_NAME_MAX_TOKENS];
    size_t n = 0;
    for (size_t i = 0; i < nm.count && i < TIMS_NAME_MAX_TOKENS; i++) {
        if (nm.tokens[i].len == 0)
            continue;
        if ((err = dict_intern(&b->d, &nm.tokens[i], &ids[n])) != TIMS_OK)
            goto done;
        sorted[n] = ids[n];
        if (nm.tokens[i].weak)
            ids[n] |= WLS_WEAK_BIT;
        n++;
    }
    if (n == 0 || slot > UINT16_MAX)
        goto done;
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    if (seen_before(&b->seen, sorted, n))
        goto done;
    if (b->name_entry.n >= UINT32_MAX - 1 || b->name_toks.n > UINT32_MAX - n) {
        err = TIMS_ERANGE;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if ((err = u32_push(&b->seen.toks, sorted[i])) != TIMS_OK)
            goto done;
    }
    if ((err = u32_push(&b->seen.off, (uint32_t)b->seen.toks.n)) != TIMS_OK ||
        (err = u32_push(&b->name_entry, global)) != TIMS_OK ||
        (err = u32_push(&b->name_slot, (uint32_t)slot)) != TIMS_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = ids[i] & WLS_TOKEN_MASK;
        if (b->d.last_entry.v[t] != global + 1) {
            b->d.last_entry.v[t] = global + 1;
            b->d.df.v[t]++;
        }
        if ((err = u32_push(&b->name_toks, ids[i])) != TIMS_OK)
            goto done;
    }
    err = u32_push(&b->name_off, (uint32_t)b->name_toks.n);
done:
    tims_name_free(&nm);
    return err;
}

typedef struct keypair {
    uint64_t hash;
    uint32_t tok;
} keypair;

static int cmp_keypair(const void *a, const void *b)
{
    const keypair *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static tims_err build_postings(struct tims_wl_index *idx)
{
    idx->post_off = tims_calloc((size_t)idx->token_count + 1, sizeof *idx->post_off);
    if (!idx->post_off)
        return TIMS_ENOMEM;
    /* count distinct tokens per name, then fill in name order (so each list is ascending) */
    for (uint32_t nm = 0; nm < idx->name_count; nm++) {
        for (uint32_t i = idx->name_off[nm]; i < idx->name_off[nm + 1]; i++) {
            uint32_t t = idx->name_toks[i] & WLS_TOKEN_MASK;
            int dup = 0;
            for (uint32_t j = idx->name_off[nm]; j < i; j++)
                dup |= (idx->name_toks[j] & WLS_TOKEN_MASK) == t;
            if (!dup)
                idx->post_off[t + 1]++;
        }
    }
    for (uint32_t t = 0; t < idx->token_count; t++)
        idx->post_off[t + 1] += idx->post_off[t];
    idx->post = tims_malloc((size_t)idx->post_off[idx->token_count] * sizeof *idx->post + 1);
    uint32_t *fill = tims_malloc((size_t)idx->token_count * sizeof *fill + 1);
    if (!idx->post || !fill) {
        tims_free(fill);
        return TIMS_ENOMEM;
    }
    memcpy(fill, idx->post_off, (size_t)idx->token_count * sizeof *fill);
    for (uint32_t nm = 0; nm < idx->name_count; nm++) {
        for (uint32_t i = idx->name_off[nm]; i < idx->name_off[nm + 1]; i++) {
            uint32_t t = idx->name_toks[i] & WLS_TOKEN_MASK;
            if (fill[t] > idx->post_off[t] && idx->post[fill[t] - 1] == nm)
                continue;
            idx->post[fill[t]++] = nm;
        }
    }
    tims_free(fill);
    return TIMS_OK;
}

static tims_err build_keys(struct tims_wl_index *idx)
{
    size_t cap = (size_t)idx->token_count * 4 + 16, n = 0;
    keypair *kp = tims_malloc(cap * sizeof *kp);
    if (!kp)
        return TIMS_ENOMEM;
    uint64_t keys[WLS_MAX_KEYS];
    for (uint32_t t = 0; t < idx->token_count; t++) {
        tims_name_token tok = wls_token(idx, t, 0);
        size_t edit;
        size_t k = wls_token_keys(&tok, keys, &edit);
        if (n + k > cap) {
            size_t ncap = cap * 2 + k;
            keypair *bigger = tims_realloc(kp, ncap * sizeof *kp);
            if (!bigger) {
                tims_free(kp);
                return TIMS_ENOMEM;
            }
            kp = bigger;
            cap = ncap;
        }
        for (size_t i = 0; i < k; i++)
            kp[n++] = (keypair){keys[i], t};
    }
    qsort(kp, n, sizeof *kp, cmp_keypair);
    unsigned bits = 8;
    while (bits < 24 && ((size_t)1 << bits) < n / 2)
        bits++;
    idx->key_bits = bits;
    idx->key_hash = tims_malloc(n * sizeof *idx->key_hash + 1);
    idx->key_tok = tims_malloc(n * sizeof *idx->key_tok + 1);
    idx->key_bucket = tims_malloc((((size_t)1 << bits) + 1) * sizeof *idx->key_bucket);
    if (!idx->key_hash || !idx->key_tok || !idx->key_bucket) {
        tims_free(kp);
        return TIMS_ENOMEM;
    }
    size_t b = 0;
    for (size_t i = 0; i < n; i++) {
        idx->key_hash[i] = kp[i].hash;
        idx->key_tok[i] = kp[i].tok;
        size_t top = (size_t)(kp[i].hash >> (64 - bits));
        while (b <= top)
            idx->key_bucket[b++] = (uint32_t)i;
    }
    while (b <= ((size_t)1 << bits))
        idx->key_bucket[b++] = (uint32_t)n;
    idx->key_count = n;
    tims_free(kp);
    return TIMS_OK;
}

void wls_key_range(const struct tims_wl_index *idx, uint64_t key, size_t *lo, size_t *hi)
{
    size_t b = (size_t)(key >> (64 - idx->key_bits));
    size_t l = idx->key_bucket[b], h = idx->key_bucket[b + 1];
    while (l < h) {
        size_t m = l + (h - l) / 2;
        if (idx->key_hash[m] < key)
            l = m + 1;
        else
            h = m;
    }
    size_t e = l;
    while (e < idx->key_count && idx->key_hash[e] == key)
        e++;
    *lo = l;
    *hi = e;
}

uint32_t wls_token_find(const struct tims_wl_index *idx, const char *tok, size_t len)
{
    size_t lo, hi;
    wls_key_range(idx, wls_exact_key(tok, len), &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        uint32_t t = idx->key_tok[i];
        if (idx->tok_len[t] == len && memcmp(wls_token_text(idx, t), tok, len) == 0)
            return t;
    }
    return UINT32_MAX;
}

double tims_wl_token_weight(const char *token, size_t len, void *ctx)
{
    const struct tims_wl_index *idx = ctx;
    uint32_t t = wls_token_find(idx, token, len);
    return t == UINT32_MAX ? idx->unknown_weight : idx->tok_weight[t];
}

void wls_entry_at(const struct tims_wl_index *idx, uint32_t global, size_t *list, size_t *entry)
{
    size_t lo = 0, hi = idx->list_count; /* the last list whose base is <= global */
    while (hi - lo > 1) {
        size_t m = lo + (hi - lo) / 2;
        if (idx->entry_base[m] <= global)
            lo = m;
        else
            hi = m;
    }
    *list = lo;
    *entry = global - idx->entry_base[lo];
}

static tims_err add_documents(struct tims_wl_index *idx, const tims_wl_entry *e, uint32_t global)
{
    for (size_t k = 0; k < e->document_count; k++) {
        const tims_wl_document *doc = &e->documents[k];
        tims_err err = tims_wl_doctable_add(idx->docs, doc->country, doc->number, global);
        if (err == TIMS_ENOMEM || err == TIMS_ERANGE)
            return err;
        /* TIMS_EINVAL: a number with no letters or digits cannot be looked up; skip it */
    }
    return TIMS_OK;
}

/* The span of an entry's listed birth years (approximate ones widened by a year), or 0, 0. */
static void entry_years(const tims_wl_entry *e, int16_t *lo, int16_t *hi)
{
    int a = 0, b = 0;
    for (size_t k = 0; k < e->birth_count; k++) {
        const tims_wl_date *d = &e->births[k];
        if (d->year_from <= 0)
            continue;
        int from = d->year_from - (d->approx ? 1 : 0);
        int to = (d->year_to > d->year_from ? d->year_to : d->year_from) + (d->approx ? 1 : 0);
        if (a == 0 || from < a)
            a = from;
        if (to > b)
            b = to;
    }
    *lo = (int16_t)a;
    *hi = (int16_t)b;
}

void tims_wl_index_free(tims_wl_index *idx)
{
    if (!idx)
        return;
    while (idx->scratch) {
        wls_scratch *next = idx->scratch->next;
        tims_free(idx->scratch->mask);
        tims_free(idx->scratch);
        idx->scratch = next;
    }
    pthread_mutex_destroy(&idx->scratch_lock);
    tims_free(idx->lists);
    tims_free(idx->entry_base);
    tims_free(idx->entry_year_lo);
    tims_free(idx->entry_year_hi);
    tims_free(idx->entry_type);
    tims_free(idx->name_entry);
    tims_free(idx->name_slot);
    tims_free(idx->name_off);
    tims_free(idx->name_info);
    tims_free(idx->name_toks);
    tims_free(idx->tok_off);
    tims_free(idx->tok_len);
    tims_free(idx->tok_key_len);
    tims_free(idx->tok_skel_len);
    tims_free(idx->tok_flags);
    tims_free(idx->pool);
    tims_free(idx->tok_weight);
    tims_free(idx->tok_info);
    tims_free(idx->post_off);
    tims_free(idx->post);
    tims_free(idx->key_hash);
    tims_free(idx->key_tok);
    tims_free(idx->key_bucket);
    tims_wl_doctable_free(idx->docs);
    tims_free(idx);
}

static uint16_t *narrow16(const u32vec *a)
{
    uint16_t *v = tims_malloc(a->n * sizeof *v + 1);
    if (v) {
        for (size_t i = 0; i < a->n; i++)
            v[i] = (uint16_t)a->v[i];
    }
    return v;
}

tims_err tims_wl_index_build(const tims_wl_list *const *lists, size_t n, tims_wl_index **out,
                             tims_diag *diag)
{
    tims_err err = TIMS_OK;
    builder b;
    memset(&b, 0, sizeof b);
    tims_diag_clear(diag);
    struct tims_wl_index *idx = tims_calloc(1, sizeof *idx);
    if (!idx)
        return tims_diag_set(diag, TIMS_ENOMEM, "no memory for the screening index");
    pthread_mutex_init(&idx->scratch_lock, NULL);
    b.idx = idx;
    size_t entries = 0, documents = 0;
    for (size_t l = 0; l < n; l++) {
        entries += lists[l]->count;
        for (size_t e = 0; e < lists[l]->count; e++)
            documents += lists[l]->entries[e].document_count;
    }
    if (entries >= UINT32_MAX) {
        err = tims_diag_set(diag, TIMS_ERANGE, "%zu entries are more than one index can hold "
                            "(at most %u); split the lists", entries, (unsigned)UINT32_MAX - 1);
        goto fail;
    }
    idx->lists = tims_calloc(n ? n : 1, sizeof *idx->lists);
    idx->entry_base = tims_calloc(n + 1, sizeof *idx->entry_base);
    idx->entry_year_lo = tims_calloc(entries ? entries : 1, sizeof *idx->entry_year_lo);
    idx->entry_year_hi = tims_calloc(entries ? entries : 1, sizeof *idx->entry_year_hi);
    idx->entry_type = tims_calloc(entries ? entries : 1, sizeof *idx->entry_type);
    if (!idx->lists || !idx->entry_base || !idx->entry_year_lo || !idx->entry_year_hi ||
        !idx->entry_type || tims_wl_doctable_new(documents, &idx->docs) != TIMS_OK ||
        u32_push(&b.name_off, 0) != TIMS_OK) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    idx->list_count = n;
    uint32_t global = 0;
    for (size_t l = 0; l < n; l++) {
        idx->lists[l] = lists[l];
        idx->entry_base[l] = global;
        for (size_t e = 0; e < lists[l]->count; e++, global++) {
            const tims_wl_entry *ent = &lists[l]->entries[e];
            entry_years(ent, &idx->entry_year_lo[global], &idx->entry_year_hi[global]);
            idx->entry_type[global] = ent->type;
            b.seen.toks.n = 0;
            b.seen.off.n = 0;
            if ((err = u32_push(&b.seen.off, 0)) != TIMS_OK)
                goto fail;
            for (size_t k = 0; k < ent->name_count; k++) {
                if ((err = add_name(&b, ent->names[k].full, global, k)) != TIMS_OK)
                    goto fail;
            }
            if ((err = add_documents(idx, ent, global)) != TIMS_OK)
                goto fail;
        }
    }
    idx->entry_base[n] = global;
    idx->entry_count = global;

    idx->name_count = (uint32_t)b.name_entry.n;
    idx->name_entry = b.name_entry.v;
    b.name_entry.v = NULL;
    idx->name_off = b.name_off.v;
    b.name_off.v = NULL;
    idx->name_toks = b.name_toks.v;
    b.name_toks.v = NULL;
    idx->name_slot = narrow16(&b.name_slot);
    idx->token_count = (uint32_t)b.d.off.n;
    idx->tok_off = b.d.off.v;
    b.d.off.v = NULL;
    idx->tok_len = narrow16(&b.d.len);
    idx->tok_key_len = narrow16(&b.d.key_len);
    idx->tok_skel_len = narrow16(&b.d.skel_len);
    idx->tok_flags = tims_malloc(b.d.flags.n + 1);
    for (size_t i = 0; idx->tok_flags && i < b.d.flags.n; i++)
        idx->tok_flags[i] = (uint8_t)b.d.flags.v[i];
    idx->pool_len = b.d.pool.len;
    idx->pool = b.d.pool.data ? tims_buf_steal(&b.d.pool) : tims_strdup("");
    idx->tok_weight = tims_malloc((size_t)idx->token_count * sizeof *idx->tok_weight + 1);
    if (!idx->name_slot || !idx->tok_len || !idx->tok_key_len || !idx->tok_skel_len ||
        !idx->tok_flags || !idx->pool || !idx->tok_weight) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    double N = idx->entry_count ? idx->entry_count : 1;
    for (uint32_t t = 0; t < idx->token_count; t++)
        idx->tok_weight[t] = (float)log(1.0 + N / (b.d.df.v[t] ? b.d.df.v[t] : 1));
    idx->unknown_weight = (float)log(1.0 + 2.0 * N);
    if (!(idx->tok_info = tims_calloc((size_t)idx->token_count + 1, sizeof *idx->tok_info))) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    for (uint32_t t = 0; t < idx->token_count; t++)
        idx->tok_info[t] = (wls_token_info){idx->tok_weight[t], idx->tok_len[t], idx->tok_flags[t], 0};
    if ((err = build_postings(idx)) != TIMS_OK || (err = build_keys(idx)) != TIMS_OK)
        goto fail;
    if (!(idx->name_info = tims_calloc((size_t)idx->name_count + 1, sizeof *idx->name_info))) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    for (uint32_t nm = 0; nm <= idx->name_count; nm++) {
        wls_name_info *ni = &idx->name_info[nm];
        ni->off = idx->name_off[nm];
        if (nm == idx->name_count)
            break;
        ni->entry = idx->name_entry[nm];
        ni->year_lo = idx->entry_year_lo[ni->entry];
        ni->year_hi = idx->entry_year_hi[ni->entry];
        ni->type = idx->entry_type[ni->entry];
    }

    dict_free(&b.d);
    tims_free(b.name_slot.v);
    tims_free(b.seen.toks.v);
    tims_free(b.seen.off.v);
    *out = idx;
    return TIMS_OK;
fail:
    dict_free(&b.d);
    tims_free(b.name_entry.v);
    tims_free(b.name_slot.v);
    tims_free(b.name_off.v);
    tims_free(b.name_toks.v);
    tims_free(b.seen.toks.v);
    tims_free(b.seen.off.v);
    tims_wl_index_free(idx);
    if (err == TIMS_ENOMEM)
        tims_diag_set(diag, err, "no memory to build the screening index over %zu entries",
                      entries);
    else if (err == TIMS_ERANGE && diag && !diag->text[0])
        tims_diag_set(diag, err, "the lists hold more names or tokens than one index can "
                      "(2^31); split them");
    return err;
}

void tims_wl_index_stats_get(const tims_wl_index *idx, tims_wl_index_stats *out)
{
    memset(out, 0, sizeof *out);
    out->lists = idx->list_count;
    out->entries = idx->entry_count;
    out->names = idx->name_count;
    out->tokens = idx->token_count;
    out->keys = idx->key_count;
    out->postings = idx->post_off[idx->token_count];
    out->documents = tims_wl_doctable_count(idx->docs);
    size_t nt = idx->name_off[idx->name_count];
    out->bytes = sizeof *idx + idx->list_count * (sizeof(void *) + 4) +
                 (size_t)idx->entry_count * (2 + 2 + 1) +
                 (size_t)idx->name_count * (4 + 2 + 4 + sizeof(wls_name_info)) + nt * 4 +
                 (size_t)idx->token_count * (4 + 2 + 2 + 2 + 1 + 4 + 4 + 8) + idx->pool_len +
                 (size_t)out->postings * 4 + idx->key_count * (8 + 4) +
                 (((size_t)1 << idx->key_bits) + 1) * 4 + tims_wl_doctable_bytes(idx->docs);
}
