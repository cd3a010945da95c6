/* verify.c - checking chains of entries: links, body hashes, entry hashes, signatures.
 *
 * A tims_chain walks one origin's entries in seq order without allocating. In chain mode only
 * the last signature of a run is checked: each hash covers prev, so that signature vouches for
 * every entry before it. With TIMS_VERIFY_STRICT every signature is checked. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "tims/journal.h"

const char *tims_verify_problem_text(tims_verify_problem p)
{
    switch (p) {
    case TIMS_VP_NONE:
        return "all holds";
    case TIMS_VP_SEQ_GAP:
        return "seq out of order (an entry missing, inserted or moved)";
    case TIMS_VP_PREV:
        return "prev does not link to the previous entry";
    case TIMS_VP_BODY_HASH:
        return "body changed (it does not hash to body_hash)";
    case TIMS_VP_HASH:
        return "hash does not match the entry's fields";
    case TIMS_VP_SIG:
        return "signature does not fit";
    case TIMS_VP_KIND:
        return "unknown kind";
    case TIMS_VP_REDACTION:
        return "body missing without a redaction entry";
    case TIMS_VP_DERIVED:
        return "derived tables differ from the journal";
    case TIMS_VP_EQUIVOCATION:
        return "two different entries with the same origin and seq";
    }
    return "unknown problem";
}

static tims_err fail_at(tims_verify_fail *fail, tims_verify_problem p, const uint8_t *origin,
                        uint64_t seq, const char *detail)
{
    if (fail) {
        fail->problem = p;
        memcpy(fail->origin, origin, TIMS_PUBKEY_LEN);
        fail->seq = seq;
        snprintf(fail->detail, sizeof fail->detail, "%.*s", (int)sizeof fail->detail - 1, detail);
    }
    return TIMS_ETAMPER;
}

void tims_chain_begin(tims_chain *c, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t after_seq,
                      const uint8_t after_hash[TIMS_HASH_LEN], unsigned flags)
{
    memset(c, 0, sizeof *c);
    memcpy(c->origin, origin, TIMS_PUBKEY_LEN);
    c->last_seq = after_seq;
    if (after_hash)
        memcpy(c->last_hash, after_hash, TIMS_HASH_LEN);
    c->last_sig_checked = 1; /* nothing new to vouch for yet */
    c->flags = flags;
}

tims_err tims_chain_step(tims_chain *c, const tims_entry *e, tims_verify_fail *fail)
{
    char why[160];
    if (c->count == 0 && c->last_seq == 0 && sodium_is_zero(c->origin, TIMS_PUBKEY_LEN))
        memcpy(c->origin, e->origin, TIMS_PUBKEY_LEN); /* zero-initialised: learn the origin */
    if (memcmp(c->origin, e->origin, TIMS_PUBKEY_LEN) != 0)
        return fail_at(fail, TIMS_VP_SEQ_GAP, e->origin, e->seq,
                       "entry belongs to another origin than the run it is in");
    if (e->seq != c->last_seq + 1) {
        snprintf(why, sizeof why, "expected seq %llu after seq %llu, found seq %llu",
                 (unsigned long long)(c->last_seq + 1), (unsigned long long)c->last_seq,
                 (unsigned long long)e->seq);
        return fail_at(fail, TIMS_VP_SEQ_GAP, e->origin, c->last_seq + 1, why);
    }
    if (memcmp(e->prev, c->last_hash, TIMS_HASH_LEN) != 0)
        return fail_at(fail, TIMS_VP_PREV, e->origin, e->seq,
                       "prev is not the hash of the previous entry");
    if (!tims_entry_kind_name(e->kind)) {
        snprintf(why, sizeof why, "kind code %d is not known", e->kind);
        return fail_at(fail, TIMS_VP_KIND, e->origin, e->seq, why);
    }
    uint8_t h[TIMS_HASH_LEN];
    if (!e->redacted) {
        tims_body_hash(e->body, e->body_len, h);
        if (memcmp(h, e->body_hash, TIMS_HASH_LEN) != 0)
            return fail_at(fail, TIMS_VP_BODY_HASH, e->origin, e->seq,
                           "the body does not hash to the stored body_hash: it was changed");
    }
    tims_entry_compute_hash(e, h);
    if (memcmp(h, e->hash, TIMS_HASH_LEN) != 0)
        return fail_at(fail, TIMS_VP_HASH, e->origin, e->seq,
                       "the stored hash is not the hash of the entry's fields");
    c->last_seq = e->seq;
    memcpy(c->last_hash, e->hash, TIMS_HASH_LEN);
    memcpy(c->last_sig, e->sig, TIMS_SIG_LEN);
    c->count++;
    c->last_sig_checked = 0;
    if (c->flags & TIMS_VERIFY_STRICT) {
        if (tims_entry_check_sig(e) != TIMS_OK)
            return fail_at(fail, TIMS_VP_SIG, e->origin, e->seq,
                           "the signature is not the origin's signature of this entry's hash");
        c->last_sig_checked = 1;
    }
    return TIMS_OK;
}

tims_err tims_chain_finish(tims_chain *c, tims_verify_fail *fail)
{
    if (c->count == 0 || c->last_sig_checked)
        return TIMS_OK;
    if (crypto_sign_verify_detached(c->last_sig, c->last_hash, TIMS_HASH_LEN, c->origin) != 0)
        return fail_at(fail, TIMS_VP_SIG, c->origin, c->last_seq,
                       "the signature of the last entry does not fit: the chain was re-hashed "
                       "or signed by another key");
    c->last_sig_checked = 1;
    return TIMS_OK;
}

tims_err tims_journal_verify_run(const tims_entry *entries, size_t n, uint64_t after_seq,
                                 const uint8_t after_hash[TIMS_HASH_LEN], unsigned flags,
                                 tims_verify_fail *fail)
{
    if (fail)
        memset(fail, 0, sizeof *fail);
    if (n == 0)
        return TIMS_OK;
    if (sodium_init() < 0)
        return TIMS_ECRYPTO;
    tims_chain c;
    tims_chain_begin(&c, entries[0].origin, after_seq, after_hash, flags);
    for (size_t i = 0; i < n; i++) {
        tims_err err = tims_chain_step(&c, &entries[i], fail);
        if (err != TIMS_OK)
            return err;
    }
    return tims_chain_finish(&c, fail);
}
