/* screen.c - answering a screening query: candidates from the index, scores, explanations.
 *
 * A query name is parsed; each of its tokens looks up its keys (index_keys.c) and keeps the
 * listed tokens they lead to that pass the similarity filters below: its variants. Only the
 * posting lists of the query's rarest tokens are walked, enough of them that a name holding
 * none could not reach the threshold however well it matched the rest (prefix filtering), so
 * the lists of very common tokens are left alone when a rarer token exists. Three cheap checks
 * (the tokens a name holds, its entry's fields, its own tokens) keep the scorer for the names
 * that can still make a hit, and once `limit` hits are held a name must beat the last one. The
 * scorer pairs tokens with tims_name_similarity (the index's rarity weights) and scores the
 * pairs from the query's side; the date of birth, nationality, sex and entry type then adjust
 * the score by the fixed amounts below (docs/screening.md explains the formula and the numbers
 * with data). The anchor rule: a token pair counts only when the two tokens share an index key
 * (text, one deletion, sound), so a name the index cannot reach scores as one that holds none
 * of the query's tokens, and a hit needs at least one such pair between strong tokens. A
 * document key is an exact lookup and a hit on its own. tims_wl_screen_scan runs the same
 * scorer over every name: the baseline the index is measured against.
 *
 * Queries share nothing but the index, read-only, and its pool of per-name byte masks (taken
 * and given back under a mutex), so any number may run at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tims/country.h"
#include "watchlist/screen_int.h"

/* A listed token is a variant of a query token when they share a text or deletion key (at most
 * two edits apart), or a sound key and a Jaro-Winkler similarity of at least VARIANT_MIN (or
 * VARIANT_SKEL_MIN with the same names/ skeleton). An edit variant counts as at least EDIT_SIM
 * alike when bounding a candidate: Jaro-Winkler undervalues short tokens one letter apart
 * (tebaja / tabaja: 0.78); when the query token is itself listed, its edit variants are not
 * measured but taken as EDIT_SIM_LISTED alike (for speed; the scorer counts no pair as more
 * alike than its variant). */
#define VARIANT_MIN 0.80
#define VARIANT_SKEL_MIN 0.75 /* with names/' consonant skeleton equal (Hamid / Hamed) ... */
#define VARIANT_SKEL_SIM 0.95 /* ... names/ rates them this alike */
#define EDIT_SIM 0.90
#define EDIT_SIM_LISTED 0.97 /* an edit variant of a listed query token: at most this alike */

/* The screening name score, from the pairs tims_name_similarity chose (docs/screening.md):
 *   1 - (sum over query tokens of w * (1 - s), or w * QUERY_ALONE when unpaired) / W(query)
 *     - LISTED_EXTRA * (weight of listed tokens left unpaired) / W(listed name)
 * where a patronymic left unpaired counts on neither side.
 * The query is what must be found; a listed name may carry more (patronymics, tribal names)
 * at a small cost, as OFAC's own search scores "HUSSEIN" against "ABBAS, Abdul Hussein". */
#define QUERY_ALONE 0.5     /* a query token the listed name lacks loses half its weight */
#define MERGE_CHECK 0.88    /* joined tokens must be this close to the token they pair with */
#define TYPO_SIM 0.88       /* two tokens one typing error apart (the longer of 4 letters or
                             * more) are at least this alike: names/ reads some single-letter
                             * differences as another name (Khaled / Khalil), screening must
                             * not let one slip of the keyboard hide a listed person */
#define LISTED_EXTRA 0.12   /* all of a listed name unpaired would cost this much */
#define WEAK_FACTOR 0.1        /* particles and honorifics weigh a tenth (as in names/) */
#define INITIAL_FACTOR 0.5     /* initials half */
#define PATRONYMIC_FACTOR 0.3  /* patronymics 0.3, and one left unpaired costs nothing:
                                * passports in Latin letters leave it out */
/* Candidates pass three checks before the scorer runs. The scorer's anchor rule (a token pair
 * counts only when the listed token is a variant of the query token, and at most at the
 * variant's similarity; score_name) makes each an estimate from above of the score itself:
 *  1. the query tokens the name holds variants of (a bit mask from the posting lists): a token
 *     it holds none of is taken as unpaired (QUERY_ALONE), which is also what decides which
 *     posting lists must be walked at all;
 *  2. the entry's listed birth years, type and the query's fields: the best adjustment the
 *     entry could still get (a name that would need more than 1.0 is dropped);
 *  3. the name's own tokens: the best variant of each query token it holds (QUERY_ALONE for a
 *     token it holds none of), and its tokens that are no query token's variant.
 * That they lose nothing is measured against tims_wl_screen_scan (bench_screen*). */
#define DENSE_MIN 800 /* from this many postings on, a dense per-name mask beats a heap merge */
#define WALK_FACTOR 8 /* walk another token's lists when no longer than this many times the
                       * chosen tokens' */

/* Adjustments to the name score (see docs/screening.md). */
#define ADJ_DOB_SAME_DAY 0.04
#define ADJ_DOB_SAME_YEAR 0.02
#define ADJ_DOB_ONE_YEAR 0.00
#define ADJ_DOB_FEW_YEARS (-0.06) /* 2 to 4 years from every listed date */
#define ADJ_DOB_MANY_YEARS (-0.12) /* 5 years or more */
#define DOB_MANY_YEARS 5
#define ADJ_NAT_AGREES 0.02
#define ADJ_NAT_DISAGREES (-0.04)
#define ADJ_SEX_DISAGREES (-0.06)
#define ADJ_TYPE_DISAGREES (-0.15) /* the query has a birth date or sex; the entry is no person */

enum { MAX_Q = TIMS_NAME_MAX_TOKENS, NO_NAME = -1 };

typedef struct variant {
    uint32_t tok;
    uint8_t q;
    uint8_t edit; /* reached by a text or deletion key */
    float sim;
} variant;

/* A hit while searching; turned into a tims_wl_hit (with sentences) at the end. */
typedef struct ihit {
    double score;
    double name_score;
    uint32_t entry;   /* global entry number */
    uint32_t name;    /* name id, UINT32_MAX for a document-only hit */
    uint8_t document;
    int dob_date;     /* entry->births index compared, -1 */
    int dob_years;    /* years apart */
    tims_wl_check dob, nat, sex, type;
    tims_name_match match;
} ihit;

typedef struct qctx {
    const tims_wl_index *idx;
    const tims_wl_query *q;
    tims_name name;
    double weight[MAX_Q];  /* rarity weight of each query token */
    double eff[MAX_Q];     /* the same with the weak and initial factors: what the score uses */
    double total_weight;   /* sum of eff */
    double threshold;
    double min_name;      /* the lowest name score that can still become a hit */
    variant *vars;        /* grouped by query token: vars[var_begin[i] .. var_begin[i + 1]) */
    size_t var_begin[MAX_Q + 1];
    size_t volume[MAX_Q]; /* postings behind each token's variants */
    uint32_t *vtok;       /* distinct variant tokens, ascending */
    float *vsim;          /* vsim[r * name.count + i]: similarity of vtok[r] to query token i */
    size_t vrows;
    uint32_t *vhash;      /* open addressing over vtok: row + 1, 0 = empty */
    size_t vhash_mask;
    double max_sim[MAX_Q]; /* the best similarity among each token's variants */
    uint32_t doc_entries[64];
    size_t doc_count;
    ihit *top;            /* the best hits so far, one per entry, best first */
    size_t top_count, top_cap;
} qctx;

/* ---- weights ----------------------------------------------------------------------------- */

static double weight_cb(const char *token, size_t len, void *ctx)
{
    const qctx *c = ctx;
    const tims_wl_index *idx = c->idx;
    for (size_t i = 0; i < c->name.count; i++) {
        if (token == c->name.tokens[i].text)
            return c->weight[i];
    }
    uintptr_t at = (uintptr_t)token, pool = (uintptr_t)idx->pool;
    if (at > pool && at < pool + idx->pool_len) {
        uint32_t t;
        memcpy(&t, token - sizeof t, sizeof t); /* the pool stores each id before its text */
        return idx->tok_weight[t];
    }
    return tims_wl_token_weight(token, len, (void *)idx);
}

/* ---- variants ---------------------------------------------------------------------------- */

static int cmp_variant(const void *a, const void *b)
{
    const variant *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Is token i of name a patronymic that may go unpaired at no cost? Only beside at least two
 * other real name parts: "Rusakevich" in "Rusakevich Mohammad" is a surname. */
static int optional_patronymic(const tims_name *name, size_t i)
{
    if (!(name->tokens[i].flags & TIMS_NAME_TOKEN_PATRONYMIC))
        return 0;
    size_t core = 0;
    for (size_t k = 0; k < name->count; k++)
        core += k != i && !name->tokens[k].weak && name->tokens[k].len > 1 &&
                !(name->tokens[k].flags & TIMS_NAME_TOKEN_PATRONYMIC);
    return core >= 2;
}

/* How much of its rarity weight token i of name counts: weak, initial and patronymic tokens
 * less (weak ones not when the whole name is weak tokens). */
static double token_factor(const tims_name *name, size_t i)
{
    int all_weak = 1;
    for (size_t k = 0; k < name->count; k++)
        all_weak &= name->tokens[k].weak;
    double f = 1.0;
    if (name->tokens[i].weak && !all_weak)
        f *= WEAK_FACTOR;
    if (name->tokens[i].len == 1)
        f *= INITIAL_FACTOR;
    if (optional_patronymic(name, i))
        f *= PATRONYMIC_FACTOR;
    return f;
}

/* How alike a query token and a listed token are, as far as the index needs to know: the
 * better of Jaro-Winkler on the texts and on the romanisation keys. */
static double variant_similarity(const tims_name_token *q, const tims_wl_index *idx, uint32_t t)
{
    tims_name_token l = wls_token(idx, t, 0);
    double sim = tims_jaro_winkler(q->text, q->len, l.text, l.len);
    if (q->key && q->key_len && l.key_len) {
        double k = tims_jaro_winkler(q->key, q->key_len, l.key, l.key_len);
        if (k > sim)
            sim = k;
    }
    return sim;
}

/* Are a and b one substitution, insertion, deletion or swap of neighbours apart? */
static int one_edit_apart(const char *a, size_t la, const char *b, size_t lb)
{
    if (la < lb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    if (la - lb > 1 || la < 4)
        return 0;
    size_t i = 0;
    while (i < lb && a[i] == b[i])
        i++;
    if (i == lb)
        return la == lb + 1; /* one letter added at the end (equal tokens are no typo) */
    if (la == lb + 1)
        return memcmp(a + i + 1, b + i, lb - i) == 0;
    if (memcmp(a + i + 1, b + i + 1, lb - i - 1) == 0)
        return 1; /* substitution */
    return i + 1 < lb && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           memcmp(a + i + 2, b + i + 2, lb - i - 2) == 0;
}

/* Do the query token and listed token t have the same names/ consonant skeleton? */
static int same_skeleton(const tims_name_token *q, const tims_wl_index *idx, uint32_t t)
{
    tims_name_token l = wls_token(idx, t, 0);
    return q->skel && q->skel_len >= 3 && q->skel_len == l.skel_len &&
           memcmp(q->skel, l.skel, q->skel_len) == 0;
}

/* The highest Jaro-Winkler two strings of these lengths can reach. */
static double jw_ceiling(size_t a, size_t b)
{
    if (a == 0 || b == 0)
        return 0;
    double r = a < b ? (double)a / (double)b : (double)b / (double)a;
    double jaro = (2.0 + r) / 3.0;
    return jaro + 0.4 * (1.0 - jaro);
}

/* Keep one variant per token (its edit flag the OR of its copies); returns how many remain. */
static size_t dedupe_variants(variant *v, size_t n)
{
    enum { SMALL = 256 };
    uint32_t small[2 * SMALL], *slot = small;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > 2 * SMALL && !(slot = tims_malloc(cap * sizeof *slot))) {
        /* no memory for the table: sort instead */
        qsort(v, n, sizeof *v, cmp_variant);
        size_t w = 0;
        for (size_t r = 0; r < n; r++) {
            if (w > 0 && v[w - 1].tok == v[r].tok)
                v[w - 1].edit |= v[r].edit;
            else
                v[w++] = v[r];
        }
        return w;
    }
    memset(slot, 0, cap * sizeof *slot);
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        size_t h = (v[r].tok * 0x9e3779b1u) & (cap - 1);
        while (slot[h] && v[slot[h] - 1].tok != v[r].tok)
            h = (h + 1) & (cap - 1);
        if (slot[h]) {
            v[slot[h] - 1].edit |= v[r].edit;
        } else {
            v[w] = v[r];
            slot[h] = (uint32_t)++w;
        }
    }
    if (slot != small)
        tims_free(slot);
    return w;
}

/* push_variant - append v to c->vars, doubling its capacity when full. */
static tims_err push_variant(qctx *c, size_t *n, size_t *cap, variant v)
{
    if (*n == *cap) {
        variant *bigger = tims_realloc(c->vars, *cap * 2 * sizeof *bigger);
        if (!bigger)
            return TIMS_ENOMEM;
        c->vars = bigger;
        *cap *= 2;
    }
    c->vars[(*n)++] = v;
    return TIMS_OK;
}

static tims_err collect_variants(qctx *c)
{
    const tims_wl_index *idx = c->idx;
    size_t cap = 64, n = 0;
    c->vars = tims_malloc(cap * sizeof *c->vars);
    if (!c->vars)
        return TIMS_ENOMEM;
    uint64_t keys[WLS_MAX_KEYS];
    for (size_t i = 0; i < c->name.count; i++) {
        const tims_name_token *qt = &c->name.tokens[i];
        size_t start = n;
        c->var_begin[i] = n;
        size_t edit_keys;
        size_t k = wls_token_keys(qt, keys, &edit_keys);
        for (size_t j = 0; j < k; j++) {
            size_t lo, hi;
            wls_key_range(idx, keys[j], &lo, &hi);
            for (size_t r = lo; r < hi; r++) {
                if (push_variant(c, &n, &cap,
                                 (variant){idx->key_tok[r], (uint8_t)i, j < edit_keys, 0}))
                    return TIMS_ENOMEM;
            }
        }
        /* a token no list holds may be a misspelling: one hop further, to the spellings that
         * sound like its one-edit neighbours ("omhammed" is one swap from "mohammed", whose
         * skeleton brings "muhammad") */
        uint32_t exact = wls_token_find(idx, qt->text, qt->len);
        size_t first_hop = exact == UINT32_MAX ? n : start;
        for (size_t v = start; v < first_hop; v++) {
            if (!c->vars[v].edit)
                continue;
            tims_name_token vt = wls_token(idx, c->vars[v].tok, 0);
            if (!one_edit_apart(qt->text, qt->len, vt.text, vt.len))
                continue; /* only from true one-edit neighbours */
            uint64_t vkeys[WLS_MAX_KEYS];
            size_t vk = wls_sound_keys(&vt, vkeys, 0);
            for (size_t j = 0; j < vk; j++) {
                size_t lo, hi;
                wls_key_range(idx, vkeys[j], &lo, &hi);
                for (size_t r = lo; r < hi; r++) {
                    if (push_variant(c, &n, &cap, (variant){idx->key_tok[r], (uint8_t)i, 0, 0}))
                        return TIMS_ENOMEM;
                }
            }
        }
        n = start + dedupe_variants(c->vars + start, n - start);
        size_t w = start;
        double best_sim = 0;
        uint32_t best_tok = UINT32_MAX;
        c->weight[i] = idx->unknown_weight;
        c->volume[i] = 0;
        for (size_t r = start; r < n; r++) {
            uint32_t t = c->vars[r].tok;
            if (((idx->tok_flags[t] & WLS_FLAG_WEAK) != 0) != (qt->weak != 0) &&
                !(c->vars[r].edit && one_edit_apart(qt->text, qt->len, wls_token_text(idx, t),
                                                    idx->tok_len[t])))
                continue; /* a particle pairs only with a particle, or with its misspelling */
            double sim;
            if (t == exact) {
                sim = 1.0;
            } else if (c->vars[r].edit && exact != UINT32_MAX) {
                sim = EDIT_SIM_LISTED; /* the query token is listed: no need to measure */
            } else if (c->vars[r].edit) {
                sim = variant_similarity(qt, idx, t);
                if (sim < EDIT_SIM)
                    sim = EDIT_SIM;
            } else {
                if (jw_ceiling(qt->len, idx->tok_len[t]) < VARIANT_SKEL_MIN)
                    continue;
                sim = variant_similarity(qt, idx, t);
                if (sim >= VARIANT_SKEL_MIN && same_skeleton(qt, idx, t))
                    sim = sim > VARIANT_SKEL_SIM ? sim : VARIANT_SKEL_SIM;
                else if (sim < VARIANT_MIN)
                    continue;
            }
            if (sim > best_sim || (sim == best_sim && idx->tok_weight[t] > c->weight[i])) {
                best_sim = sim;
                best_tok = t;
            }
            c->vars[w] = c->vars[r];
            c->vars[w].sim = (float)sim;
            c->volume[i] += idx->post_off[t + 1] - idx->post_off[t];
            w++;
        }
        n = w;
        /* a token weighs as itself when listed, else as the listed spelling it is closest to */
        if (best_tok != UINT32_MAX)
            c->weight[i] = idx->tok_weight[best_tok];
        c->max_sim[i] = best_sim;
        c->eff[i] = c->weight[i] * token_factor(&c->name, i);
        c->total_weight += c->eff[i];
    }
    c->var_begin[c->name.count] = n;

    /* the distinct variant tokens and their similarity to every query token */
    uint32_t *toks = tims_malloc((n ? n : 1) * sizeof *toks);
    if (!toks)
        return TIMS_ENOMEM;
    for (size_t r = 0; r < n; r++)
        toks[r] = c->vars[r].tok;
    qsort(toks, n, sizeof *toks, cmp_u32);
    size_t rows = 0;
    for (size_t r = 0; r < n; r++) {
        if (rows == 0 || toks[rows - 1] != toks[r])
            toks[rows++] = toks[r];
    }
    c->vtok = toks;
    c->vrows = rows;
    c->vsim = tims_calloc((rows ? rows : 1) * (c->name.count ? c->name.count : 1), sizeof *c->vsim);
    if (!c->vsim)
        return TIMS_ENOMEM;
    for (size_t r = 0; r < n; r++) {
        uint32_t *at = bsearch(&c->vars[r].tok, toks, rows, sizeof *toks, cmp_u32);
        c->vsim[(size_t)(at - toks) * c->name.count + c->vars[r].q] = c->vars[r].sim;
    }
    size_t hcap = 16;
    while (hcap < 2 * rows)
        hcap *= 2;
    if (!(c->vhash = tims_calloc(hcap, sizeof *c->vhash)))
        return TIMS_ENOMEM;
    c->vhash_mask = hcap - 1;
    for (size_t r = 0; r < rows; r++) {
        size_t h = (toks[r] * 0x9e3779b1u) & c->vhash_mask;
        while (c->vhash[h])
            h = (h + 1) & c->vhash_mask;
        c->vhash[h] = (uint32_t)r + 1;
    }
    return TIMS_OK;
}

/* The similarities of listed token t to each query token, or NULL when it is no variant. */
static const float *variant_row(const qctx *c, uint32_t t)
{
    size_t h = (t * 0x9e3779b1u) & c->vhash_mask;
    while (c->vhash[h]) {
        uint32_t r = c->vhash[h] - 1;
        if (c->vtok[r] == t)
            return c->vsim + (size_t)r * c->name.count;
        h = (h + 1) & c->vhash_mask;
    }
    return NULL;
}

/* ---- fields ------------------------------------------------------------------------------ */

static int same_country(const char *a, const char *b)
{
    if (!a[0] || !b[0])
        return 0;
    if (strcasecmp(a, b) == 0)
        return 1;
    const tims_country *x = tims_country_by_code(a), *y = tims_country_by_code(b);
    return x && y && x->alpha2[0] && strcmp(x->alpha2, y->alpha2) == 0;
}

static void compare_dob(const tims_wl_date *q, const tims_wl_entry *e, ihit *h)
{
    h->dob = (tims_wl_check){TIMS_WL_NOT_COMPARED, 0};
    h->dob_date = -1;
    h->dob_years = 0;
    if (q->year_from == 0)
        return;
    int best_rank = 1 << 30;
    for (size_t k = 0; k < e->birth_count; k++) {
        const tims_wl_date *d = &e->births[k];
        if (d->year_from == 0)
            continue;
        int from = d->year_from, to = d->year_to > d->year_from ? d->year_to : d->year_from;
        int qy = q->year_from, rank, years = 0;
        uint8_t verdict;
        if (qy >= from && qy <= to) {
            int same_day = from == to && q->month && q->day && q->month == d->month &&
                           q->day == d->day;
            verdict = same_day ? TIMS_WL_AGREES : TIMS_WL_CLOSE;
            rank = same_day ? 0 : 1;
        } else {
            years = qy < from ? from - qy : qy - to;
            if (d->approx)
                years--; /* "circa 1965": a year either side is still the listed date */
            verdict = years == 0 ? TIMS_WL_CLOSE : years == 1 ? TIMS_WL_NEAR : TIMS_WL_DISAGREES;
            rank = 1 + years;
        }
        if (rank < best_rank) {
            best_rank = rank;
            h->dob_date = (int)k;
            h->dob_years = years;
            h->dob.verdict = verdict;
        }
    }
    switch (h->dob.verdict) {
    case TIMS_WL_AGREES: h->dob.adjust = (float)ADJ_DOB_SAME_DAY; break;
    case TIMS_WL_CLOSE: h->dob.adjust = (float)ADJ_DOB_SAME_YEAR; break;
    case TIMS_WL_NEAR: h->dob.adjust = (float)ADJ_DOB_ONE_YEAR; break;
    case TIMS_WL_DISAGREES:
        h->dob.adjust = (float)(h->dob_years >= DOB_MANY_YEARS ? ADJ_DOB_MANY_YEARS
                                                               : ADJ_DOB_FEW_YEARS);
        break;
    default: break;
    }
}

static void compare_fields(const qctx *c, const tims_wl_entry *e, ihit *h)
{
    const tims_wl_query *q = c->q;
    compare_dob(&q->dob, e, h);
    h->nat = (tims_wl_check){TIMS_WL_NOT_COMPARED, 0};
    if (q->nationality[0] && e->nationality_count) {
        h->nat = (tims_wl_check){TIMS_WL_DISAGREES, (float)ADJ_NAT_DISAGREES};
        for (size_t k = 0; k < e->nationality_count; k++) {
            if (same_country(q->nationality, e->nationalities[k]))
                h->nat = (tims_wl_check){TIMS_WL_AGREES, (float)ADJ_NAT_AGREES};
        }
    }
    h->sex = (tims_wl_check){TIMS_WL_NOT_COMPARED, 0};
    if (q->sex && (e->gender == 'M' || e->gender == 'F'))
        h->sex = q->sex == e->gender ? (tims_wl_check){TIMS_WL_AGREES, 0}
                                     : (tims_wl_check){TIMS_WL_DISAGREES,
                                                       (float)ADJ_SEX_DISAGREES};
    h->type = (tims_wl_check){TIMS_WL_NOT_COMPARED, 0};
    if (q->dob.year_from || q->sex) {
        if (e->type == TIMS_WL_PERSON)
            h->type = (tims_wl_check){TIMS_WL_AGREES, 0};
        else if (e->type != TIMS_WL_DOCUMENT)
            h->type = (tims_wl_check){TIMS_WL_DISAGREES, (float)ADJ_TYPE_DISAGREES};
    }
}

/* ---- scoring ----------------------------------------------------------------------------- */

static const tims_wl_entry *entry_of(const qctx *c, uint32_t global)
{
    size_t l, e;
    wls_entry_at(c->idx, global, &l, &e);
    return &c->idx->lists[l]->entries[e];
}

static int wanted_type(const qctx *c, const tims_wl_entry *e)
{
    return c->q->types == TIMS_WL_TYPES_ALL || (c->q->types & (1u << e->type));
}

static void candidate_name(const tims_wl_index *idx, uint32_t name, tims_name *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = idx->name_off[name]; i < idx->name_off[name + 1]; i++) {
        uint32_t raw = idx->name_toks[i];
        out->tokens[out->count++] = wls_token(idx, raw & WLS_TOKEN_MASK, (raw & WLS_WEAK_BIT) != 0);
    }
}

/* The text of tokens [first, first + count) of name joined, into out (cap bytes); its length. */
static size_t joined(const tims_name *name, const uint8_t *which, size_t count, char *out,
                     size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k < count; k++) {
        const tims_name_token *t = &name->tokens[which[k]];
        if (n + t->len >= cap)
            break;
        memcpy(out + n, t->text, t->len);
        n += t->len;
    }
    out[n] = '\0';
    return n;
}

/* names/ may pair several tokens of one side, joined, with one token of the other (Abd al
 * Rahman / Abdulrahman). Screening keeps such a pair only when the joined text itself is close
 * to the other token (MERGE_CHECK); otherwise ("ho kyu kim" against the vowelless "hkima") only
 * the best single token of the run stays paired, at its own similarity. */
static void drop_loose_merges(const qctx *c, const tims_name *cand, tims_name_match *m)
{
    for (int side = 0; side < 2; side++) {
        size_t n_other = side == 0 ? cand->count : c->name.count;
        for (size_t o = 0; o < n_other; o++) {
            uint8_t run[TIMS_NAME_MAX_TOKENS];
            size_t at[TIMS_NAME_MAX_TOKENS], k = 0;
            for (size_t p = 0; p < m->pair_count; p++) {
                const tims_token_pair *tp = &m->pairs[p];
                if ((side == 0 ? tp->candidate : tp->query) == o) {
                    run[k] = side == 0 ? tp->query : tp->candidate;
                    at[k++] = p;
                }
            }
            if (k < 2)
                continue;
            const tims_name *many = side == 0 ? &c->name : cand;
            const tims_name_token *one = side == 0 ? &cand->tokens[o] : &c->name.tokens[o];
            char buf[TIMS_NAME_MAX_TOKENS * 8 + 1];
            size_t len = joined(many, run, k, buf, sizeof buf);
            if (tims_jaro_winkler(buf, len, one->text, one->len) >= MERGE_CHECK)
                continue;
            size_t best = 0;
            double best_sim = -1;
            for (size_t r = 0; r < k; r++) {
                const tims_name_token *t = &many->tokens[run[r]];
                double sim = tims_jaro_winkler(t->text, t->len, one->text, one->len);
                if (sim > best_sim) {
                    best_sim = sim;
                    best = r;
                }
            }
            for (size_t r = 0; r < k; r++)
                m->pairs[at[r]].similarity = r == best ? (float)best_sim : -1.0f;
        }
    }
    size_t w = 0; /* drop the pairs marked -1 */
    for (size_t p = 0; p < m->pair_count; p++) {
        if (m->pairs[p].similarity >= 0)
            m->pairs[w++] = m->pairs[p];
    }
    m->pair_count = w;
}

static int typo_pair(const tims_name_token *q, const tims_name_token *l)
{
    return one_edit_apart(q->text, q->len, l->text, l->len);
}

/* How alike query token q and token j of listed name `name` may count: the similarity the
 * index gave the listed token as a variant of q, or 0 when they share no key (see
 * collect_variants); the scan reads the same table, so index and scan agree by construction. */
static float anchor_sim(const qctx *c, uint32_t name, size_t q, size_t j)
{
    uint32_t t = c->idx->name_toks[c->idx->name_off[name] + j] & WLS_TOKEN_MASK;
    const float *row = variant_row(c, t);
    return row ? row[q] : 0.0f;
}

static void score_name(const qctx *c, uint32_t name, ihit *h)
{
    const tims_wl_index *idx = c->idx;
    tims_name cand;
    candidate_name(idx, name, &cand);
    h->name = name;
    h->name_score = 0;
    if (tims_name_similarity(&c->name, &cand, weight_cb, (void *)c, &h->match) <= 0)
        return; /* no strong token paired */
    double qsim[MAX_Q];
    for (size_t i = 0; i < c->name.count; i++)
        qsim[i] = -1;
    uint32_t paired = 0;
    int anchored = 0;
    drop_loose_merges(c, &cand, &h->match);
    /* the anchor rule: a pair counts only between tokens that share an index key (the listed
     * token is a variant of the query token), at most as alike as the index estimated; the
     * index's bounds are then bounds of this score */
    size_t kept = 0;
    for (size_t p = 0; p < h->match.pair_count; p++) {
        tims_token_pair tp = h->match.pairs[p];
        if (tp.query >= c->name.count || tp.candidate >= cand.count)
            continue;
        float keyed = anchor_sim(c, name, tp.query, tp.candidate);
        if (keyed <= 0)
            continue;
        if (tp.similarity > keyed)
            tp.similarity = keyed;
        h->match.pairs[kept++] = tp;
    }
    h->match.pair_count = kept;
    uint32_t same = 0; /* query tokens paired with (among others) the very same listed token */
    for (size_t p = 0; p < h->match.pair_count; p++) {
        const tims_token_pair *tp = &h->match.pairs[p];
        if (tp->query >= c->name.count || tp->candidate >= cand.count)
            continue;
        const tims_name_token *qt = &c->name.tokens[tp->query], *lt = &cand.tokens[tp->candidate];
        if (qt->len == lt->len && memcmp(qt->text, lt->text, qt->len) == 0)
            same |= 1u << tp->query;
    }
    for (size_t p = 0; p < h->match.pair_count; p++) {
        const tims_token_pair *tp = &h->match.pairs[p];
        if (tp->query >= c->name.count || tp->candidate >= cand.count)
            continue;
        const tims_name_token *qt = &c->name.tokens[tp->query], *lt = &cand.tokens[tp->candidate];
        double sim = tp->similarity;
        if (same & (1u << tp->query)) {
            /* joined with its neighbours for the assignment ("abdulrahman" ~ "abdulrahman h"),
             * but the token itself is there: it counts whole, the neighbours as unpaired */
            if (qt->len != lt->len || memcmp(qt->text, lt->text, qt->len) != 0)
                continue;
            sim = 1.0;
        }
        if (sim < TYPO_SIM && typo_pair(qt, lt))
            sim = TYPO_SIM;
        if (lt->len == 1 && qt->len > 1)
            sim *= INITIAL_FACTOR; /* a listed initial says little about a whole name */
        if (sim > qsim[tp->query])
            qsim[tp->query] = sim;
        paired |= 1u << tp->candidate;
        anchored |= !qt->weak && !lt->weak;
    }
    /* tokens names/ left alone that are one typing error apart ("heji" and the honorific
     * "haji", which names/ never pairs across weakness) pair here */
    for (size_t i = 0; i < c->name.count; i++) {
        if (qsim[i] >= 0)
            continue;
        for (size_t j = 0; j < cand.count; j++) {
            if (!(paired & (1u << j)) && typo_pair(&c->name.tokens[i], &cand.tokens[j]) &&
                anchor_sim(c, name, i, j) > 0) {
                qsim[i] = TYPO_SIM;
                paired |= 1u << j;
                anchored |= !c->name.tokens[i].weak && !cand.tokens[j].weak;
                break;
            }
        }
    }
    if (!anchored)
        return; /* no strong token of either side agrees by spelling, one edit or sound */
    double loss = 0, total = c->total_weight;
    for (size_t i = 0; i < c->name.count; i++) {
        if (qsim[i] >= 0)
            loss += c->eff[i] * (1.0 - qsim[i]);
        else if (optional_patronymic(&c->name, i))
            total -= c->eff[i]; /* left out: no evidence either way */
        else
            loss += c->eff[i] * QUERY_ALONE;
    }
    double listed = 0, extra = 0;
    for (size_t j = 0; j < cand.count; j++) {
        uint32_t t = idx->name_toks[idx->name_off[name] + j] & WLS_TOKEN_MASK;
        double w = idx->tok_weight[t] * token_factor(&cand, j);
        int alone = !(paired & (1u << j));
        if (alone && optional_patronymic(&cand, j))
            continue;
        listed += w;
        if (alone)
            extra += w;
    }
    double s = 1.0 - (total > 0 ? loss / total : 1.0) -
               (listed > 0 ? LISTED_EXTRA * extra / listed : 0);
    h->name_score = s > 0 ? s : 0;
}

static int is_doc_entry(const qctx *c, uint32_t entry)
{
    for (size_t i = 0; i < c->doc_count; i++) {
        if (c->doc_entries[i] == entry)
            return 1;
    }
    return 0;
}

static double final_score(const ihit *h)
{
    if (h->document)
        return 1.0;
    double s = h->name_score + h->dob.adjust + h->nat.adjust + h->sex.adjust + h->type.adjust;
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

/* Better first: higher score, then the unrounded sum, then list and entry order, then the
 * earlier name of the entry. */
static int better(const ihit *a, const ihit *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    double ra = a->name_score + a->dob.adjust + a->nat.adjust + a->sex.adjust;
    double rb = b->name_score + b->dob.adjust + b->nat.adjust + b->sex.adjust;
    if (ra != rb)
        return ra > rb;
    if (a->entry != b->entry)
        return a->entry < b->entry;
    return a->name < b->name;
}

/* Keep h among the best hits: one per entry (its best name), at most top_cap, best first. */
static void offer(qctx *c, const ihit *h)
{
    if (h->score < c->threshold || c->top_cap == 0)
        return;
    for (size_t k = 0; k < c->top_count; k++) {
        if (c->top[k].entry != h->entry)
            continue;
        if (!better(h, &c->top[k]))
            return;
        memmove(&c->top[k], &c->top[k + 1], (c->top_count - k - 1) * sizeof *c->top);
        c->top_count--;
        break;
    }
    if (c->top_count == c->top_cap && !better(h, &c->top[c->top_count - 1]))
        return;
    size_t i = c->top_count < c->top_cap ? c->top_count++ : c->top_count - 1;
    while (i > 0 && better(h, &c->top[i - 1])) {
        c->top[i] = c->top[i - 1];
        i--;
    }
    c->top[i] = *h;
}

/* The score a new hit must reach to be kept: the threshold, or the last kept hit's score once
 * top_cap hits are held (a name that cannot reach it can change nothing). */
static double score_floor(const qctx *c)
{
    if (c->top_cap > 0 && c->top_count == c->top_cap)
        return c->top[c->top_count - 1].score;
    return c->threshold;
}

/* Score name against the query and offer it. */
static tims_err consider_name(qctx *c, uint32_t name)
{
    uint32_t entry = c->idx->name_entry[name];
    const tims_wl_entry *e = entry_of(c, entry);
    if (!wanted_type(c, e))
        return TIMS_OK;
    ihit h;
    memset(&h, 0, sizeof h);
    h.entry = entry;
    score_name(c, name, &h);
    compare_fields(c, e, &h);
    h.document = (uint8_t)is_doc_entry(c, entry);
    h.score = final_score(&h);
    offer(c, &h);
    return TIMS_OK;
}

/* ---- candidates -------------------------------------------------------------------------- */

/* Check 1: the best name score a name could reach holding variants of the query tokens in mask,
 * among the tokens whose posting lists were walked (the others may pair perfectly). */
static double mask_bound(const qctx *c, uint32_t mask, uint32_t walked)
{
    double loss = 0;
    for (size_t i = 0; i < c->name.count; i++) {
        if (!(walked & (1u << i)))
            continue;
        if (mask & (1u << i))
            loss += c->eff[i] * (1.0 - c->max_sim[i]);
        else if (!optional_patronymic(&c->name, i))
            loss += c->eff[i] * QUERY_ALONE;
    }
    return 1.0 - loss / c->total_weight;
}

/* Check 2: the most the entry's fields could add, from the name's own record. */
static double best_adjust(const qctx *c, const wls_name_info *ni)
{
    const tims_wl_query *q = c->q;
    double adj = 0;
    if (q->dob.year_from && ni->year_lo) {
        int y = q->dob.year_from, lo = ni->year_lo, hi = ni->year_hi;
        int d = y < lo ? lo - y : y > hi ? y - hi : 0;
        adj += d == 0 ? ADJ_DOB_SAME_DAY : d == 1 ? ADJ_DOB_ONE_YEAR
             : d < DOB_MANY_YEARS ? ADJ_DOB_FEW_YEARS : ADJ_DOB_MANY_YEARS;
    }
    if (q->nationality[0])
        adj += ADJ_NAT_AGREES;
    if ((q->dob.year_from || q->sex) && ni->type != TIMS_WL_PERSON && ni->type != TIMS_WL_DOCUMENT)
        adj += ADJ_TYPE_DISAGREES;
    return adj;
}

/* Check 3: the name's score estimated from its own tokens: each query token takes its best
 * variant in the name or, holding none, loses QUERY_ALONE; the listed tokens no query token
 * has a variant in cost their share of LISTED_EXTRA. */
static double name_bound(const qctx *c, uint32_t name)
{
    const tims_wl_index *idx = c->idx;
    size_t nq = c->name.count;
    uint32_t from = idx->name_info[name].off, to = idx->name_info[name + 1].off;
    float best[MAX_Q] = {0};
    double listed = 0, extra = 0;
    int all_weak = 1;
    for (uint32_t k = from; k < to; k++)
        all_weak &= (idx->name_toks[k] & WLS_WEAK_BIT) != 0;
    for (uint32_t k = from; k < to; k++) {
        uint32_t raw = idx->name_toks[k], t = raw & WLS_TOKEN_MASK;
        const wls_token_info *info = &idx->tok_info[t];
        double tw = info->weight;
        if ((raw & WLS_WEAK_BIT) && !all_weak)
            tw *= WEAK_FACTOR;
        if (info->len == 1)
            tw *= INITIAL_FACTOR;
        int patronymic = (info->flags & TIMS_NAME_TOKEN_PATRONYMIC) != 0;
        if (patronymic)
            tw *= PATRONYMIC_FACTOR;
        const float *row = variant_row(c, t);
        if (!row) {
            if (!patronymic) {
                listed += tw;
                extra += tw;
            }
            continue;
        }
        listed += tw;
        for (size_t q = 0; q < nq; q++) {
            if (row[q] > best[q])
                best[q] = row[q];
        }
    }
    double loss = 0;
    for (size_t q = 0; q < nq; q++) {
        if (best[q] > 0)
            loss += c->eff[q] * (1.0 - best[q]);
        else if (!optional_patronymic(&c->name, q))
            loss += c->eff[q] * QUERY_ALONE;
    }
    return 1.0 - loss / c->total_weight - (listed > 0 ? LISTED_EXTRA * extra / listed : 0);
}

/* The three checks, then the scorer. */
static tims_err evaluate(qctx *c, uint32_t name, uint32_t mask, uint32_t walked)
{
    double b1 = mask_bound(c, mask, walked); /* first: it needs no memory */
    if (b1 < c->min_name && !c->doc_count)
        return TIMS_OK;
    const wls_name_info *ni = &c->idx->name_info[name];
    if (c->doc_count && is_doc_entry(c, ni->entry))
        return consider_name(c, name); /* a document hit is explained by its best name too */
    if (b1 < c->min_name)
        return TIMS_OK;
    if (c->q->types != TIMS_WL_TYPES_ALL && !(c->q->types & (1u << ni->type)))
        return TIMS_OK;
    double adj = best_adjust(c, ni), floor = score_floor(c);
    if (b1 + adj < floor)
        return TIMS_OK;
    if (name_bound(c, name) + adj < floor)
        return TIMS_OK;
    return consider_name(c, name);
}

typedef struct cursor {
    const uint32_t *at, *end;
    uint8_t q;
} cursor;

static void heap_down(cursor *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && *h[l].at < *h[m].at)
            m = l;
        if (l + 1 < n && *h[l + 1].at < *h[m].at)
            m = l + 1;
        if (m == i)
            return;
        cursor t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Few postings: merge the chosen tokens' lists in name order. */
static tims_err walk_sparse(qctx *c, uint32_t chosen)
{
    const tims_wl_index *idx = c->idx;
    size_t ncur = 0;
    for (size_t i = 0; i < c->name.count; i++) {
        if (chosen & (1u << i))
            ncur += c->var_begin[i + 1] - c->var_begin[i];
    }
    cursor *heap = tims_malloc((ncur ? ncur : 1) * sizeof *heap);
    if (!heap)
        return TIMS_ENOMEM;
    size_t hn = 0;
    for (size_t i = 0; i < c->name.count; i++) {
        if (!(chosen & (1u << i)))
            continue;
        for (size_t v = c->var_begin[i]; v < c->var_begin[i + 1]; v++) {
            uint32_t t = c->vars[v].tok;
            if (idx->post_off[t] < idx->post_off[t + 1])
                heap[hn++] = (cursor){idx->post + idx->post_off[t],
                                      idx->post + idx->post_off[t + 1], (uint8_t)i};
        }
    }
    for (size_t i = hn; i-- > 0;)
        heap_down(heap, hn, i);
    tims_err err = TIMS_OK;
    while (hn > 0 && err == TIMS_OK) {
        uint32_t name = *heap[0].at, mask = 0;
        while (hn > 0 && *heap[0].at == name) {
            mask |= 1u << heap[0].q;
            if (++heap[0].at == heap[0].end)
                heap[0] = heap[--hn];
            heap_down(heap, hn, 0);
        }
        err = evaluate(c, name, mask, chosen);
    }
    tims_free(heap);
    return err;
}

/* A zeroed byte per name, from the index's pool (or new); give it back zeroed. */
static wls_scratch *take_scratch(const tims_wl_index *cidx)
{
    tims_wl_index *idx = (tims_wl_index *)cidx; /* the pool is the one mutable part */
    pthread_mutex_lock(&idx->scratch_lock);
    wls_scratch *s = idx->scratch;
    if (s)
        idx->scratch = s->next;
    pthread_mutex_unlock(&idx->scratch_lock);
    if (s)
        return s;
    s = tims_malloc(sizeof *s);
    if (s && !(s->mask = tims_calloc(idx->name_count, 1))) {
        tims_free(s);
        s = NULL;
    }
    return s;
}

static void give_scratch(const tims_wl_index *cidx, wls_scratch *s)
{
    tims_wl_index *idx = (tims_wl_index *)cidx;
    pthread_mutex_lock(&idx->scratch_lock);
    s->next = idx->scratch;
    idx->scratch = s;
    pthread_mutex_unlock(&idx->scratch_lock);
}

/* Many postings: mark every name with the query tokens it holds, a byte per name (the first
 * eight tokens by postings; more are rare and taken as held, for the checks to settle). */
static tims_err walk_dense(qctx *c, uint32_t chosen, uint32_t walk, const uint8_t *order,
                           size_t no)
{
    const tims_wl_index *idx = c->idx;
    uint8_t bit_of[MAX_Q];
    uint32_t marked = 0;
    for (size_t k = 0; k < no && k < 8; k++) {
        bit_of[order[k]] = (uint8_t)k;
        marked |= 1u << order[k];
    }
    chosen &= marked; /* the chosen tokens are the first of order */
    wls_scratch *scratch = take_scratch(idx);
    size_t cap = 4096, n = 0;
    uint32_t *touched = tims_malloc(cap * sizeof *touched);
    tims_err err = TIMS_OK;
    if (!scratch || !touched) {
        err = TIMS_ENOMEM;
        goto done;
    }
    uint8_t *mask = scratch->mask;
    for (size_t i = 0; i < c->name.count; i++) {
        if (!(marked & (1u << i)))
            continue;
        uint8_t bit = (uint8_t)(1u << bit_of[i]);
        for (size_t v = c->var_begin[i]; v < c->var_begin[i + 1]; v++) {
            uint32_t t = c->vars[v].tok;
            for (uint32_t p = idx->post_off[t]; p < idx->post_off[t + 1]; p++) {
                uint32_t name = idx->post[p];
                if (!mask[name]) {
                    if (n == cap) {
                        uint32_t *bigger = tims_realloc(touched, cap * 2 * sizeof *bigger);
                        if (!bigger) {
                            err = TIMS_ENOMEM;
                            goto done;
                        }
                        touched = bigger;
                        cap *= 2;
                    }
                    touched[n++] = name;
                }
                mask[name] |= bit;
            }
        }
    }
    uint8_t chosen_bits = 0;
    for (size_t i = 0; i < c->name.count; i++) {
        if (chosen & (1u << i))
            chosen_bits |= (uint8_t)(1u << bit_of[i]);
    }
    /* names holding every marked token first: good hits early raise the floor of a full list */
    uint8_t all_bits = (uint8_t)((1u << (no < 8 ? no : 8)) - 1);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < n && err == TIMS_OK; k++) {
            if (k + 16 < n) /* the checks read the name's record: start fetching it early */
                __builtin_prefetch(&idx->name_info[touched[k + 16]]);
            uint8_t bits = mask[touched[k]];
            if (!(bits & chosen_bits) || (pass == 0) != (bits == all_bits))
                continue;
            uint32_t held = walk & ~marked; /* unmarked tokens: taken as held */
            for (size_t i = 0; i < c->name.count; i++) {
                if ((marked & (1u << i)) && (bits & (1u << bit_of[i])))
                    held |= 1u << i;
            }
            err = evaluate(c, touched[k], held, walk);
        }
    }
    for (size_t k = 0; k < n; k++)
        mask[touched[k]] = 0;
done:
    if (err != TIMS_OK && scratch && touched) {
        for (size_t k = 0; k < n; k++)
            scratch->mask[touched[k]] = 0;
    }
    if (scratch)
        give_scratch(idx, scratch);
    tims_free(touched);
    return err;
}

static tims_err search_index(qctx *c)
{
    size_t nq = c->name.count;
    /* prefix: the non-weak tokens with the fewest postings, until a name holding none of their
     * variants could not reach the threshold however well it matched the rest */
    uint8_t order[MAX_Q];
    size_t no = 0;
    double unkeyed = 0; /* tokens no listed token resembles: every name loses them */
    uint32_t keyed = 0;
    for (size_t i = 0; i < nq; i++) {
        int patronymic = optional_patronymic(&c->name, i);
        if (c->var_begin[i + 1] == c->var_begin[i]) {
            if (!patronymic)
                unkeyed += c->eff[i];
        } else if (!c->name.tokens[i].weak && !patronymic) {
            order[no++] = (uint8_t)i;
            keyed |= 1u << i;
        }
    }
    for (size_t i = 1; i < no; i++) { /* insertion sort by volume */
        uint8_t x = order[i];
        size_t j = i;
        while (j > 0 && c->volume[order[j - 1]] > c->volume[x]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    double need = (1.0 - c->min_name) * c->total_weight / QUERY_ALONE - unkeyed, got = 0;
    uint32_t chosen = 0;
    size_t volume = 0;
    for (size_t k = 0; k < no && got <= need; k++) {
        chosen |= 1u << order[k];
        got += c->eff[order[k]];
        volume += c->volume[order[k]];
    }
    if (volume < DENSE_MIN)
        return walk_sparse(c, chosen);
    /* the other tokens' lists are walked too when they are not much longer than the chosen
     * ones; the longer ones are left to check 3, which reads the candidate's own tokens */
    uint32_t walk = chosen;
    size_t nwalk = 0;
    uint8_t walk_order[MAX_Q];
    for (size_t k = 0; k < no; k++) {
        uint32_t bit = 1u << order[k];
        if ((chosen & bit) || c->volume[order[k]] <= WALK_FACTOR * volume) {
            walk |= bit;
            walk_order[nwalk++] = order[k];
        }
    }
    (void)keyed;
    return walk_dense(c, chosen, walk, walk_order, nwalk);
}

/* ---- documents --------------------------------------------------------------------------- */

static void find_documents(qctx *c)
{
    const tims_wl_query *q = c->q;
    c->doc_count = 0;
    if (!q->doc_number || !q->doc_country[0])
        return;
    const char *states[2] = {q->doc_country, ""};
    for (int s = 0; s < 2; s++) {
        uint32_t refs[64];
        size_t n = tims_wl_doctable_find(c->idx->docs, states[s], q->doc_number, refs, 64);
        for (size_t i = 0; i < n && i < 64; i++) {
            if (!is_doc_entry(c, refs[i]) && c->doc_count < TIMS_ARRAY_LEN(c->doc_entries))
                c->doc_entries[c->doc_count++] = refs[i];
        }
    }
}

/* Entries found by document only (no name candidate offered them) become hits of their own. */
static void offer_document_hits(qctx *c)
{
    for (size_t i = 0; i < c->doc_count; i++) {
        int seen = 0;
        for (size_t k = 0; k < c->top_count; k++)
            seen |= c->top[k].entry == c->doc_entries[i];
        if (seen)
            continue;
        const tims_wl_entry *e = entry_of(c, c->doc_entries[i]);
        if (!wanted_type(c, e))
            continue;
        ihit h;
        memset(&h, 0, sizeof h);
        h.entry = c->doc_entries[i];
        h.name = UINT32_MAX;
        h.document = 1;
        compare_fields(c, e, &h);
        h.score = 1.0;
        offer(c, &h);
    }
}

/* ---- explanations ------------------------------------------------------------------------ */

static void add_reason(tims_wl_hit *hit, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_reason(tims_wl_hit *hit, const char *fmt, ...)
{
    if (hit->reason_count >= TIMS_WL_MAX_REASONS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hit->reasons[hit->reason_count++], TIMS_WL_REASON_LEN, fmt, ap);
    va_end(ap);
}

static const char *kind_word(int kind)
{
    switch (kind) {
    case TIMS_WL_PRIMARY: return "name";
    case TIMS_WL_ALIAS: return "alias";
    case TIMS_WL_FORMER: return "former name";
    case TIMS_WL_ORIGINAL: return "original-script name";
    default: return "name";
    }
}

static void explain_name(const qctx *c, const ihit *h, const tims_wl_entry *e, tims_wl_hit *hit)
{
    tims_name cand;
    candidate_name(c->idx, h->name, &cand);
    char pairs[160] = "";
    size_t used = 0;
    uint32_t matched = 0;
    for (size_t p = 0; p < h->match.pair_count && used < sizeof pairs; p++) {
        const tims_token_pair *tp = &h->match.pairs[p];
        if (tp->query >= c->name.count || tp->candidate >= cand.count)
            continue;
        matched |= 1u << tp->candidate;
        int n = snprintf(pairs + used, sizeof pairs - used, "%s%s~%s %.2f", used ? ", " : "",
                         c->name.tokens[tp->query].text, cand.tokens[tp->candidate].text,
                         tp->similarity);
        if (n > 0)
            used += (size_t)n;
    }
    char extra[96] = "";
    used = 0;
    for (size_t j = 0; j < cand.count && used < sizeof extra; j++) {
        if (matched & (1u << j))
            continue;
        int n = snprintf(extra + used, sizeof extra - used, "%s%s", used ? " " : "; listed only: ",
                         cand.tokens[j].text);
        if (n > 0)
            used += (size_t)n;
    }
    const tims_wl_name *nm = &e->names[c->idx->name_slot[h->name]];
    add_reason(hit, "%s '%s' scored %.3f against the query (%s%s)", kind_word(nm->kind),
               nm->full, h->name_score, pairs[0] ? pairs : "no token pairs", extra);
}

static void explain_fields(const qctx *c, const ihit *h, const tims_wl_entry *e, tims_wl_hit *hit)
{
    const tims_wl_query *q = c->q;
    char qd[32], ld[32];
    if (h->dob.verdict != TIMS_WL_NOT_COMPARED && h->dob_date >= 0) {
        tims_wl_date_format(&q->dob, qd);
        tims_wl_date_format(&e->births[h->dob_date], ld);
        const char *how = h->dob.verdict == TIMS_WL_AGREES  ? "is the listed date"
                          : h->dob.verdict == TIMS_WL_CLOSE ? "falls in the listed year"
                          : h->dob.verdict == TIMS_WL_NEAR  ? "is one year from the listed date"
                                                            : "disagrees with every listed date";
        if (h->dob.verdict == TIMS_WL_DISAGREES)
            add_reason(hit, "date of birth %s %s (nearest %s, %d years apart): %+.2f", qd, how,
                       ld, h->dob_years, h->dob.adjust);
        else
            add_reason(hit, "date of birth %s %s %s: %+.2f", qd, how, ld, h->dob.adjust);
    } else if (q->dob.year_from) {
        add_reason(hit, "date of birth not compared: the entry has none");
    }
    if (h->nat.verdict != TIMS_WL_NOT_COMPARED) {
        char listed[64] = "";
        size_t used = 0;
        for (size_t k = 0; k < e->nationality_count && used < sizeof listed; k++) {
            int n = snprintf(listed + used, sizeof listed - used, "%s%s", k ? " " : "",
                             e->nationalities[k]);
            if (n > 0)
                used += (size_t)n;
        }
        add_reason(hit, "nationality %s %s the listed %s: %+.2f", q->nationality,
                   h->nat.verdict == TIMS_WL_AGREES ? "agrees with" : "disagrees with", listed,
                   h->nat.adjust);
    }
    if (h->sex.verdict != TIMS_WL_NOT_COMPARED)
        add_reason(hit, "sex %c %s the listed %c: %+.2f", q->sex,
                   h->sex.verdict == TIMS_WL_AGREES ? "agrees with" : "disagrees with",
                   e->gender, h->sex.adjust);
    if (h->type.verdict == TIMS_WL_DISAGREES)
        add_reason(hit, "the query describes a person, the entry is not one: %+.2f",
                   h->type.adjust);
}

static void explain_document(const qctx *c, const tims_wl_entry *e, tims_wl_hit *hit)
{
    char want[TIMS_WL_DOC_MAX + 1], have[TIMS_WL_DOC_MAX + 1];
    tims_wl_doc_normalise(c->q->doc_number, want, sizeof want);
    for (size_t k = 0; k < e->document_count; k++) {
        const tims_wl_document *d = &e->documents[k];
        if (!tims_wl_doc_normalise(d->number, have, sizeof have) || strcmp(want, have) != 0)
            continue;
        if (d->country[0] && !same_country(d->country, c->q->doc_country))
            continue;
        add_reason(hit, "document %s issued by %s is the listed %s %s (%s): an exact match, a "
                   "hit on its own", want, c->q->doc_country, d->type && d->type[0] ? d->type
                   : "document", d->number, d->country[0] ? d->country : "issuer not listed");
        return;
    }
}

static void to_hit(const qctx *c, const ihit *h, tims_wl_hit *hit)
{
    memset(hit, 0, sizeof *hit);
    size_t l, k;
    wls_entry_at(c->idx, h->entry, &l, &k);
    const tims_wl_entry *e = &c->idx->lists[l]->entries[k];
    hit->score = h->score;
    hit->threshold = c->threshold;
    hit->name_score = h->name == UINT32_MAX ? 0 : h->name_score;
    hit->list = c->idx->lists[l];
    hit->entry = e;
    hit->list_index = l;
    hit->entry_index = k;
    hit->name_index = h->name == UINT32_MAX ? NO_NAME : c->idx->name_slot[h->name];
    hit->matched_name = h->name == UINT32_MAX ? NULL : e->names[hit->name_index].full;
    hit->document_hit = h->document;
    hit->match = h->match;
    hit->dob = h->dob;
    hit->nationality = h->nat;
    hit->sex = h->sex;
    hit->type = h->type;
    if (h->document)
        explain_document(c, e, hit);
    if (h->name != UINT32_MAX)
        explain_name(c, h, e, hit);
    explain_fields(c, h, e, hit);
    add_reason(hit, "score %.3f, threshold %.2f", hit->score, hit->threshold);
}

/* ---- the query --------------------------------------------------------------------------- */

static void qctx_free(qctx *c)
{
    tims_name_free(&c->name);
    tims_free(c->vars);
    tims_free(c->vtok);
    tims_free(c->vhash);
    tims_free(c->vsim);
    tims_free(c->top);
}

static tims_err run_query(const tims_wl_index *idx, const tims_wl_query *q, tims_wl_hit *hits,
                          size_t cap, size_t *count, int scan, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    qctx c;
    memset(&c, 0, sizeof c);
    c.idx = idx;
    c.q = q;
    *count = 0;
    tims_diag_clear(diag);
    c.threshold = q->threshold > 0 ? q->threshold : TIMS_WL_DEFAULT_THRESHOLD;
    if (c.threshold > 1.0)
        return tims_diag_set(diag, TIMS_EINVAL, "threshold %.3f is above 1; scores run from 0 "
                             "to 1", c.threshold);
    const char *name = q->name ? q->name : "";
    if ((err = tims_name_parse(name, strlen(name), q->name_flags, &c.name, diag)) != TIMS_OK)
        goto done;
    if (c.name.count == 0 && !(q->doc_number && q->doc_country[0])) {
        err = tims_diag_set(diag, TIMS_EINVAL, "the query has neither a name with letters nor "
                            "a document number with its issuing state");
        goto done;
    }
    double bonus = (q->dob.year_from ? ADJ_DOB_SAME_DAY : 0) +
                   (q->nationality[0] ? ADJ_NAT_AGREES : 0);
    c.min_name = c.threshold - bonus; /* below this no adjustment can lift a name */
    c.top_cap = cap;
    c.top = tims_malloc((cap ? cap : 1) * sizeof *c.top);
    if (!c.top || (err = collect_variants(&c)) != TIMS_OK) {
        err = TIMS_ENOMEM;
        goto done;
    }
    find_documents(&c);
    if (c.name.count > 0) {
        if (scan) {
            for (uint32_t nm = 0; nm < idx->name_count && err == TIMS_OK; nm++)
                err = consider_name(&c, nm);
        } else {
            err = search_index(&c);
        }
        if (err != TIMS_OK)
            goto done;
    }
    offer_document_hits(&c);
    for (size_t i = 0; i < c.top_count; i++)
        to_hit(&c, &c.top[i], &hits[i]);
    *count = c.top_count;
done:
    if (err == TIMS_ENOMEM)
        tims_diag_set(diag, err, "no memory to screen the query");
    qctx_free(&c);
    return err;
}

tims_err tims_wl_screen(const tims_wl_index *idx, const tims_wl_query *q, tims_wl_hit *hits,
                        size_t cap, size_t *count, tims_diag *diag)
{
    return run_query(idx, q, hits, cap, count, 0, diag);
}

tims_err tims_wl_screen_scan(const tims_wl_index *idx, const tims_wl_query *q,
                             tims_wl_hit *hits, size_t cap, size_t *count, tims_diag *diag)
{
    return run_query(idx, q, hits, cap, count, 1, diag);
}

/* ---- dates ------------------------------------------------------------------------------- */

static int read_number(const char **p, int min_digits, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (**p >= '0' && **p <= '9' && n < max_digits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n >= min_digits && !(**p >= '0' && **p <= '9');
}

tims_err tims_wl_date_parse(const char *text, tims_wl_date *out, tims_diag *diag)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int y = 0, m = 0, d = 0;
    memset(out, 0, sizeof *out);
    if (!read_number(&p, 4, 4, &y) || y < 1800 || y > 2200)
        goto bad;
    if (*p == '-') {
        p++;
        if (!read_number(&p, 1, 2, &m) || m < 1 || m > 12)
            goto bad;
        if (*p == '-') {
            p++;
            if (!read_number(&p, 1, 2, &d) || d < 1 || d > days[m - 1])
                goto bad;
        }
    }
    if (*p)
        goto bad;
    out->year_from = out->year_to = (int16_t)y;
    out->month = (uint8_t)m;
    out->day = (uint8_t)d;
    return TIMS_OK;
bad:
    return tims_diag_set(diag, TIMS_EDATA, "date '%s' is not YYYY, YYYY-MM or YYYY-MM-DD with "
                         "a year 1800-2200, a month 1-12 and a day that month has", text);
}
