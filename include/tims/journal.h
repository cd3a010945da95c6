/* journal.h - the signed journal: entries, their hashes and signatures, node keys, verification.
 *
 * Every fact enters tims as a journal entry (docs/journal.md has the exact byte layout):
 *   hash = BLAKE2b-256("tims/entry/v1" | origin | seq | time | kind | prev | body_hash)
 *   sig  = Ed25519(origin's secret key, hash)
 * Entries of one origin form a chain: seq 1, 2, 3 ... and prev = hash of seq-1 (zeros for 1),
 * so the signature on the newest entry vouches for every entry before it.
 *
 * Ownership: a tims_entry owns its body (tims_entry_clear frees it; safe on a zeroed entry).
 * A redacted entry has body NULL, body_len 0, redacted 1 and keeps body_hash, so its chain
 * still verifies. Key pairs are plain values; tims_keypair_wipe() clears a secret from memory.
 * Nothing here prints, exits, or reads the clock: time is always an argument. */
#ifndef TIMS_JOURNAL_H
#define TIMS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"

#define TIMS_PUBKEY_LEN  32
#define TIMS_SECKEY_LEN  64 /* libsodium layout: 32-byte seed followed by the public key */
#define TIMS_SEED_LEN    32
#define TIMS_HASH_LEN    32
#define TIMS_SIG_LEN     64
#define TIMS_HASH_DOMAIN "tims/entry/v1" /* 13 bytes, no terminating NUL in the hash input */

/* The largest body an entry may have (bytes); larger bodies are refused with TIMS_ERANGE. */
#define TIMS_BODY_MAX (1u << 20)

/* The conventional name of the node's secret key file inside its data folder. */
#define TIMS_NODE_KEY_FILE "node.key"

/* Entry kinds; the number is the 1-byte code in the hash input and must never change. */
typedef enum tims_entry_kind {
    TIMS_KIND_CROSSING = 1,
    TIMS_KIND_CORRECTION = 2,
    TIMS_KIND_LIST_RELEASE = 3,
    TIMS_KIND_LIST_PUT = 4,
    TIMS_KIND_LIST_DEL = 5,
    TIMS_KIND_NODE_REGISTER = 6,
    TIMS_KIND_USER = 7,
    TIMS_KIND_AUDIT = 8,
    TIMS_KIND_REDACTION = 9 /* removes the bodies of named entries (retention) */
} tims_entry_kind;

/* tims_entry_kind_name - "crossing", "correction", ... or NULL for an unknown code. */
const char *tims_entry_kind_name(int kind);
/* tims_entry_kind_parse - the code for a name; TIMS_EINVAL for an unknown name. */
tims_err tims_entry_kind_parse(const char *name, tims_entry_kind *out);

typedef struct tims_entry {
    uint8_t origin[TIMS_PUBKEY_LEN];
    uint64_t seq;    /* 1, 2, 3 ... per origin */
    int64_t time_us; /* UTC microseconds, the writer's clock */
    int kind;        /* a tims_entry_kind code */
    uint8_t *body;   /* owned; compact JSON exactly as written, followed by a NUL byte that
                        body_len does not count (when the library made the copy); NULL
                        when redacted */
    size_t body_len;
    int redacted; /* 1: body removed, body_hash kept */
    uint8_t body_hash[TIMS_HASH_LEN];
    uint8_t prev[TIMS_HASH_LEN];
    uint8_t hash[TIMS_HASH_LEN];
    uint8_t sig[TIMS_SIG_LEN];
} tims_entry;

/* A reference to one entry: who wrote it and where in their chain. */
typedef struct tims_entry_ref {
    uint8_t origin[TIMS_PUBKEY_LEN];
    uint64_t seq;
    uint8_t hash[TIMS_HASH_LEN]; /* filled by functions that report a written entry */
} tims_entry_ref;

/* tims_entry_clear - free the body and zero the entry; safe on a zeroed entry. */
void tims_entry_clear(tims_entry *e);

/* tims_entry_copy - deep copy (body included) into dst, which the caller clears. */
tims_err tims_entry_copy(tims_entry *dst, const tims_entry *src);

/* ---- keys ---------------------------------------------------------------------------- */

typedef struct tims_keypair {
    uint8_t pk[TIMS_PUBKEY_LEN];
    uint8_t sk[TIMS_SECKEY_LEN];
} tims_keypair;

/* tims_keypair_generate - a fresh random key pair (TIMS_ECRYPTO if libsodium fails to start). */
tims_err tims_keypair_generate(tims_keypair *out);
/* tims_keypair_from_seed - the key pair for a 32-byte seed (deterministic; tests, docs). */
tims_err tims_keypair_from_seed(const uint8_t seed[TIMS_SEED_LEN], tims_keypair *out);
/* tims_keypair_wipe - overwrite the secret key with zeros. */
void tims_keypair_wipe(tims_keypair *kp);

/* tims_keypair_save - write the secret key file at path: created with O_EXCL and mode 0600,
 * data flushed with fsync. TIMS_EEXIST when the file exists (nothing is overwritten),
 * TIMS_EACCES / TIMS_EIO otherwise; diag names the path. File format: docs/journal.md. */
tims_err tims_keypair_save(const char *path, const tims_keypair *kp, tims_diag *diag);

/* tims_keypair_load - read a secret key file written by tims_keypair_save. Refuses a file that
 * group or others may read or write (TIMS_EACCES, diag says to chmod 600), a malformed file
 * (TIMS_EDATA), a missing one (TIMS_ENOENT), and a key whose public half does not match its
 * seed (TIMS_ECRYPTO). */
tims_err tims_keypair_load(const char *path, tims_keypair *out, tims_diag *diag);

/* ---- hex ----------------------------------------------------------------------------- */

/* tims_hex - write 2*len lowercase hex digits and a NUL into out (size >= 2*len+1). */
void tims_hex(const uint8_t *bytes, size_t len, char *out);
/* tims_unhex - parse exactly 2*len hex digits of text (NUL-terminated) into out;
 * TIMS_EINVAL when text is not exactly that. */
tims_err tims_unhex(const char *text, uint8_t *out, size_t len);

/* ---- hashing and signing ------------------------------------------------------------- */

/* tims_body_hash - BLAKE2b-256 of the body bytes. */
void tims_body_hash(const uint8_t *body, size_t len, uint8_t out[TIMS_HASH_LEN]);

/* tims_entry_compute_hash - the entry hash from origin, seq, time, kind, prev, body_hash
 * (the body itself is not read; body_hash must already be set). */
void tims_entry_compute_hash(const tims_entry *e, uint8_t out[TIMS_HASH_LEN]);

/* tims_entry_make - build and sign a new entry of the chain of kp.pk: seq and prev come
 * from the previous entry's (seq, hash), prev_seq 0 / prev_hash NULL for the first entry.
 * The body is copied. On error *out is zeroed. */
tims_err tims_entry_make(const tims_keypair *kp, uint64_t prev_seq,
                         const uint8_t prev_hash[TIMS_HASH_LEN], int64_t time_us,
                         tims_entry_kind kind, const void *body, size_t body_len, tims_entry *out,
                         tims_diag *diag);

/* tims_entry_sign - set body_hash (unless redacted), hash and sig of e from its other fields. */
void tims_entry_sign(tims_entry *e, const tims_keypair *kp);

/* tims_entry_check_sig - TIMS_OK when sig is a valid signature of hash by origin. */
tims_err tims_entry_check_sig(const tims_entry *e);

/* tims_entry_redact - drop the body of e (keeping body_hash): the entry still verifies. */
void tims_entry_redact(tims_entry *e);

/* ---- verification -------------------------------------------------------------------- */

/* What was wrong with an entry, for the first entry that did not verify. */
typedef enum tims_verify_problem {
    TIMS_VP_NONE = 0,
    TIMS_VP_SEQ_GAP,     /* seq is not previous seq + 1 (an entry missing or inserted) */
    TIMS_VP_PREV,        /* prev is not the hash of the previous entry */
    TIMS_VP_BODY_HASH,   /* body does not hash to body_hash (body changed) */
    TIMS_VP_HASH,        /* the stored hash is not the hash of the entry's fields */
    TIMS_VP_SIG,         /* the signature does not fit hash and origin */
    TIMS_VP_KIND,        /* unknown kind code */
    TIMS_VP_REDACTION,   /* body missing with no redaction entry naming it */
    TIMS_VP_DERIVED,     /* derived tables differ from what the journal implies */
    TIMS_VP_EQUIVOCATION /* two different entries with the same origin and seq */
} tims_verify_problem;

/* tims_verify_problem_text - a short phrase for a problem, e.g. "body changed". */
const char *tims_verify_problem_text(tims_verify_problem p);

typedef struct tims_verify_fail {
    tims_verify_problem problem; /* TIMS_VP_NONE while all holds */
    uint8_t origin[TIMS_PUBKEY_LEN];
    uint64_t seq;
    char detail[256]; /* one sentence for a person */
} tims_verify_fail;

#define TIMS_VERIFY_STRICT      1u /* check every signature, not only the last of each run */
#define TIMS_VERIFY_CHAINS_ONLY 2u /* tims_store_verify: skip the derived-table comparison */

/* A streaming chain checker: feed the entries of one origin in seq order, then finish.
 * Zero-initialise it (or call tims_chain_begin) for a run starting at seq 1, or start after a
 * known trusted (seq, hash). It holds no allocations. */
typedef struct tims_chain {
    uint8_t origin[TIMS_PUBKEY_LEN];
    uint64_t last_seq; /* 0: nothing seen yet */
    uint8_t last_hash[TIMS_HASH_LEN];
    uint8_t last_sig[TIMS_SIG_LEN];
    int last_sig_checked;
    unsigned flags;
    uint64_t count;
} tims_chain;

/* tims_chain_begin - start a chain of origin after (after_seq, after_hash); after_seq 0 and
 * after_hash NULL for a chain from its first entry. */
void tims_chain_begin(tims_chain *c, const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t after_seq,
                      const uint8_t after_hash[TIMS_HASH_LEN], unsigned flags);

/* tims_chain_step - check one entry (origin must match, seq must follow, prev must link,
 * body must hash to body_hash unless redacted, hash must be the hash of the fields; with
 * TIMS_VERIFY_STRICT the signature too). e->prev is not trusted: the link is checked against
 * the previous entry's hash. Returns TIMS_OK or TIMS_ETAMPER with *fail filled. */
tims_err tims_chain_step(tims_chain *c, const tims_entry *e, tims_verify_fail *fail);

/* tims_chain_finish - check the signature of the last entry stepped (unless already checked);
 * TIMS_OK for an empty run. */
tims_err tims_chain_finish(tims_chain *c, tims_verify_fail *fail);

/* tims_journal_verify_run - verify n entries of one origin in order: a run that starts after
 * (after_seq, after_hash) (0 and NULL: from seq 1). TIMS_ETAMPER with *fail on the first bad. */
tims_err tims_journal_verify_run(const tims_entry *entries, size_t n, uint64_t after_seq,
                                 const uint8_t after_hash[TIMS_HASH_LEN], unsigned flags,
                                 tims_verify_fail *fail);

#endif
