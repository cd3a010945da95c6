/* screen_int.h - the inside of the screening index, shared by index.c, index_keys.c and
 * screen.c (never by other modules).
 *
 * Everything is arrays of integers, not pointers: a name is a run of token ids, a token is an
 * offset into one string pool, postings are one array of name ids per token (CSR layout), and
 * the token keys are one sorted array of 64-bit hashes with the token each came from. */
#ifndef TIMS_WL_SCREEN_INT_H
#define TIMS_WL_SCREEN_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tims/names.h"
#include "tims/watchlist.h"

#define WLS_WEAK_BIT 0x80000000u /* in a name's token id: the token is weak in that name */
#define WLS_TOKEN_MASK 0x7fffffffu
#define WLS_FLAG_WEAK 0x80u     /* in tok_flags: tims_name_parse calls the token weak */

enum {
    WLS_MAX_KEYS = 80,         /* keys of one token: itself, its deletions, skeleton, key */
    WLS_MAX_TOKEN_LEN = 60,    /* longer tokens are indexed under their exact key only */
};

struct tims_wl_index {
    const tims_wl_list **lists; /* borrowed lists; the array is owned */
    size_t list_count;
    uint32_t *entry_base;       /* global number of each list's first entry; list_count + 1 */
    uint32_t entry_count;
    int16_t *entry_year_lo;     /* per global entry: earliest and latest listed birth year */
    int16_t *entry_year_hi;     /* (approximate dates widened by one), 0 when none */
    uint8_t *entry_type;        /* tims_wl_type, for checks that must not touch the entry */

    /* names: name i has tokens name_toks[name_off[i] .. name_off[i + 1]) */
    uint32_t name_count;
    uint32_t *name_entry;       /* global entry number */
    uint16_t *name_slot;        /* index into entry->names */
    uint32_t *name_off;
    uint32_t *name_toks;        /* token id | WLS_WEAK_BIT */
    struct wls_name_info *name_info; /* name_count + 1 records, for the hot path */

    /* token dictionary: text at pool + tok_off[t] (NUL-terminated, preceded by its id); the
     * romanisation key and consonant skeleton tims_name_parse gave it follow the text */
    uint32_t token_count;
    uint32_t *tok_off;
    uint16_t *tok_len;
    uint16_t *tok_key_len;
    uint16_t *tok_skel_len;
    uint8_t *tok_flags;         /* TIMS_NAME_TOKEN_* | WLS_FLAG_WEAK */
    char *pool;
    size_t pool_len;
    float *tok_weight;          /* ln(1 + N / df) */
    struct wls_token_info *tok_info; /* weight, length and flags together, for the hot path */
    uint32_t *post_off;         /* postings of token t: post[post_off[t] .. post_off[t + 1]) */
    uint32_t *post;             /* name ids, ascending */
    float unknown_weight;       /* the weight of a token no entry holds */

    /* keys: sorted hashes; key_tok[i] is the token key_hash[i] came from */
    size_t key_count;
    uint64_t *key_hash;
    uint32_t *key_tok;
    uint32_t *key_bucket;       /* first key of each bucket of the top key_bits bits */
    unsigned key_bits;

    tims_wl_doctable *docs;     /* document keys -> global entry number */

    /* per-name byte masks for queries, reused: a query takes one (or makes one) and gives it
     * back all zero; the only thing queries share, under the mutex */
    pthread_mutex_t scratch_lock;
    struct wls_scratch *scratch;
};

/* What the candidate checks read of a name, in one place: its entry, where its tokens start
 * (the next record's off is where they end), and its entry's birth-year span and type. */
typedef struct wls_name_info {
    uint32_t entry;
    uint32_t off;
    int16_t year_lo, year_hi;
    uint8_t type;
    uint8_t pad[3];
} wls_name_info;

/* What check 3 reads of a token, in one place (one cache line holds eight). */
typedef struct wls_token_info {
    float weight;
    uint16_t len;
    uint8_t flags;
    uint8_t pad;
} wls_token_info;

typedef struct wls_scratch {
    uint8_t *mask; /* name_count bytes, all zero between queries */
    struct wls_scratch *next;
} wls_scratch;

/* The keys of one token (as tims_name_parse gives it): the hashes of its text and of its
 * one-deletion neighbours (tokens of 3 letters or more) first, *edit_keys of them, then of its
 * consonant skeleton and of its romanisation key. Writes at most WLS_MAX_KEYS distinct keys
 * and returns how many. Two tokens sharing one of the first kind are at most two edits apart
 * (one, unless a letter was dropped from each). */
size_t wls_token_keys(const tims_name_token *tok, uint64_t *keys, size_t *edit_keys);

/* Only the sound keys of a token (skeleton, romanisation key, names/ skeleton), appended to
 * keys[0 .. n); returns the new count. */
size_t wls_sound_keys(const tims_name_token *tok, uint64_t *keys, size_t n);

/* The exact key of a token, as wls_token_keys gives it first. */
uint64_t wls_exact_key(const char *tok, size_t len);

/* The consonant skeleton of a token into out (at least len + 1 bytes); returns its length, 0
 * when the token is too short to have one. */
size_t wls_skeleton(const char *tok, size_t len, char *out);

/* The range [*lo, *hi) of key_hash equal to key. */
void wls_key_range(const struct tims_wl_index *idx, uint64_t key, size_t *lo, size_t *hi);

/* The token id of exactly this text, or UINT32_MAX. */
uint32_t wls_token_find(const struct tims_wl_index *idx, const char *tok, size_t len);

static inline const char *wls_token_text(const struct tims_wl_index *idx, uint32_t t)
{
    return idx->pool + idx->tok_off[t];
}

/* Token t as a tims_name_token (text, key and skeleton point into the pool). */
static inline tims_name_token wls_token(const struct tims_wl_index *idx, uint32_t t, int weak)
{
    tims_name_token tok;
    tok.text = idx->pool + idx->tok_off[t];
    tok.len = idx->tok_len[t];
    tok.weak = (uint8_t)weak;
    tok.flags = (uint8_t)(idx->tok_flags[t] & ~WLS_FLAG_WEAK);
    tok.key = tok.text + tok.len + 1;
    tok.key_len = idx->tok_key_len[t];
    tok.skel = tok.key + tok.key_len + 1;
    tok.skel_len = idx->tok_skel_len[t];
    return tok;
}

/* The entry behind a global entry number. */
void wls_entry_at(const struct tims_wl_index *idx, uint32_t global, size_t *list,
                 size_t *entry);

#endif
