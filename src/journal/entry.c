/* entry.c - journal entries: kind codes, the hash encoding, signing, hex, redaction.
 *
 * The hash input is fixed (docs/journal.md): "tims/entry/v1" (13 bytes) | origin (32) |
 * seq (8, big-endian) | time (8, big-endian two's complement) | kind (1) | prev (32) |
 * body_hash (32) = 126 bytes, hashed with unkeyed BLAKE2b-256; sig is Ed25519 over the hash. */
#include <sodium.h>
#include <string.h>

#include "tims/journal.h"

static const char *const kind_names[] = {
    NULL,       "crossing",      "correction", "list_release", "list_put",
    "list_del", "node_register", "user",       "audit",        "redaction",
};

const char *tims_entry_kind_name(int kind)
{
    if (kind <= 0 || (size_t)kind >= TIMS_ARRAY_LEN(kind_names))
        return NULL;
    return kind_names[kind];
}

tims_err tims_entry_kind_parse(const char *name, tims_entry_kind *out)
{
    for (size_t i = 1; name && i < TIMS_ARRAY_LEN(kind_names); i++) {
        if (strcmp(kind_names[i], name) == 0) {
            *out = (tims_entry_kind)i;
            return TIMS_OK;
        }
    }
    return TIMS_EINVAL;
}

void tims_entry_clear(tims_entry *e)
{
    if (!e)
        return;
    tims_free(e->body);
    memset(e, 0, sizeof *e);
}

tims_err tims_entry_copy(tims_entry *dst, const tims_entry *src)
{
    *dst = *src;
    dst->body = NULL;
    if (src->body) {
        dst->body = tims_malloc(src->body_len + 1);
        if (!dst->body)
            return TIMS_ENOMEM;
        memcpy(dst->body, src->body, src->body_len);
        dst->body[src->body_len] = 0;
    }
    return TIMS_OK;
}

void tims_hex(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

tims_err tims_unhex(const char *text, uint8_t *out, size_t len)
{
    if (!text || strlen(text) != 2 * len)
        return TIMS_EINVAL;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return TIMS_EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return TIMS_OK;
}

void tims_body_hash(const uint8_t *body, size_t len, uint8_t out[TIMS_HASH_LEN])
{
    crypto_generichash(out, TIMS_HASH_LEN, body, len, NULL, 0);
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

#define HASH_INPUT_LEN (13 + TIMS_PUBKEY_LEN + 8 + 8 + 1 + TIMS_HASH_LEN + TIMS_HASH_LEN)

void tims_entry_compute_hash(const tims_entry *e, uint8_t out[TIMS_HASH_LEN])
{
    uint8_t in[HASH_INPUT_LEN];
    uint8_t *p = in;
    memcpy(p, TIMS_HASH_DOMAIN, 13);
    p += 13;
    memcpy(p, e->origin, TIMS_PUBKEY_LEN);
    p += TIMS_PUBKEY_LEN;
    put_be64(p, e->seq);
    p += 8;
    put_be64(p, (uint64_t)e->time_us);
    p += 8;
    *p++ = (uint8_t)e->kind;
    memcpy(p, e->prev, TIMS_HASH_LEN);
    p += TIMS_HASH_LEN;
    memcpy(p, e->body_hash, TIMS_HASH_LEN);
    p += TIMS_HASH_LEN;
    crypto_generichash(out, TIMS_HASH_LEN, in, (size_t)(p - in), NULL, 0);
}

void tims_entry_sign(tims_entry *e, const tims_keypair *kp)
{
    if (!e->redacted)
        tims_body_hash(e->body, e->body_len, e->body_hash);
    tims_entry_compute_hash(e, e->hash);
    crypto_sign_detached(e->sig, NULL, e->hash, TIMS_HASH_LEN, kp->sk);
}

tims_err tims_entry_check_sig(const tims_entry *e)
{
    return crypto_sign_verify_detached(e->sig, e->hash, TIMS_HASH_LEN, e->origin) == 0
               ? TIMS_OK
               : TIMS_ETAMPER;
}

tims_err tims_entry_make(const tims_keypair *kp, uint64_t prev_seq,
                         const uint8_t prev_hash[TIMS_HASH_LEN], int64_t time_us,
                         tims_entry_kind kind, const void *body, size_t body_len, tims_entry *out,
                         tims_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!tims_entry_kind_name((int)kind))
        return tims_diag_set(diag, TIMS_EINVAL, "entry kind %d is not a known kind", (int)kind);
    if (!body && body_len)
        return tims_diag_set(diag, TIMS_EINVAL, "entry body is NULL but its length is %zu",
                             body_len);
    if (body_len > TIMS_BODY_MAX)
        return tims_diag_set(diag, TIMS_ERANGE, "entry body of %zu bytes is larger than %u",
                             body_len, TIMS_BODY_MAX);
    if (prev_seq == UINT64_MAX)
        return tims_diag_set(diag, TIMS_ERANGE, "the chain is at the last possible seq");
    if ((prev_seq == 0) != (prev_hash == NULL))
        return tims_diag_set(diag, TIMS_EINVAL,
                             "the previous hash must be given exactly when prev_seq > 0");
    if (sodium_init() < 0)
        return tims_diag_set(diag, TIMS_ECRYPTO, "libsodium could not be initialised");
    out->body = tims_malloc(body_len + 1);
    if (!out->body)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory for an entry body of %zu bytes",
                             body_len);
    if (body_len)
        memcpy(out->body, body, body_len);
    out->body[body_len] = 0;
    out->body_len = body_len;
    memcpy(out->origin, kp->pk, TIMS_PUBKEY_LEN);
    out->seq = prev_seq + 1;
    out->time_us = time_us;
    out->kind = (int)kind;
    if (prev_hash)
        memcpy(out->prev, prev_hash, TIMS_HASH_LEN);
    tims_entry_sign(out, kp);
    return TIMS_OK;
}

void tims_entry_redact(tims_entry *e)
{
    tims_free(e->body);
    e->body = NULL;
    e->body_len = 0;
    e->redacted = 1;
}
