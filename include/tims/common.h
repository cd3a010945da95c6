/* common.h - what every tims module shares: the error enum, error details, allocation, text buffers.
 *
 * Every library function that can fail returns a tims_err: TIMS_OK (zero) or a negative code.
 * tims_strerror() gives its words. Where a code alone cannot tell a person what to fix (which
 * file, line, field), the function also takes a tims_diag, which it fills with one sentence; a
 * NULL tims_diag is allowed everywhere. Only the CLI turns errors into exit codes (sysexits.h).
 *
 * Memory goes through tims_malloc() and friends so tests can make the n-th allocation fail
 * (tims_alloc_fail_after). Nothing here prints, exits, or reads the clock or environment. */
#ifndef TIMS_COMMON_H
#define TIMS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tims_err {
    TIMS_OK = 0,
    TIMS_ENOMEM = -1,   /* out of memory */
    TIMS_EINVAL = -2,   /* a caller passed a bad argument (usage) */
    TIMS_EDATA = -3,    /* input data is malformed or fails its checks */
    TIMS_ENOENT = -4,   /* a file, node, entry or record does not exist */
    TIMS_EEXIST = -5,   /* it exists already and will not be overwritten */
    TIMS_EIO = -6,      /* reading or writing failed */
    TIMS_ENOSPC = -7,   /* the disk or database is full */
    TIMS_EACCES = -8,   /* permission denied or read-only storage */
    TIMS_ECONFIG = -9,  /* configuration is missing or wrong */
    TIMS_ECRYPTO = -10, /* a key, hash or signature operation failed */
    TIMS_ETAMPER = -11, /* stored data does not verify: changed, missing or forged */
    TIMS_ESCHEMA = -12, /* the database has a schema this build does not know */
    TIMS_EBUSY = -13,   /* locked by another process */
    TIMS_ERANGE = -14,  /* a value or size beyond what is supported */
    TIMS_EINTERNAL = -15 /* a bug: an invariant did not hold */
} tims_err;

/* tims_strerror - the words for an error code; never NULL, static storage. */
const char *tims_strerror(tims_err err);

/* A place for one sentence that says what went wrong and what to fix. */
typedef struct tims_diag {
    char text[512];
} tims_diag;

/* tims_diag_set - write a formatted sentence into d (if d is not NULL); returns err so that a
 * caller can write `return tims_diag_set(d, TIMS_EDATA, "...", ...);`. */
tims_err tims_diag_set(tims_diag *d, tims_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tims_diag_clear(tims_diag *d);

/* Allocation. tims_free(NULL) is a no-op. After tims_alloc_fail_after(n), the n+1-th
 * allocation from then on fails (returns NULL); n < 0 turns failure injection off. */
void *tims_malloc(size_t size);
void *tims_calloc(size_t count, size_t size);
void *tims_realloc(void *ptr, size_t size);
char *tims_strdup(const char *s);
char *tims_strndup(const char *s, size_t n);
void tims_free(void *ptr);
void tims_alloc_fail_after(long n);

/* tims_buf - a growable byte buffer, always NUL-terminated when data is not NULL.
 * A zeroed tims_buf is empty and valid; tims_buf_free() releases it. On allocation failure
 * the append functions return TIMS_ENOMEM and leave the buffer as it was. */
typedef struct tims_buf {
    char *data;
    size_t len;
    size_t cap;
} tims_buf;

tims_err tims_buf_append(tims_buf *b, const void *bytes, size_t len);
tims_err tims_buf_puts(tims_buf *b, const char *s);
tims_err tims_buf_putc(tims_buf *b, char c);
tims_err tims_buf_printf(tims_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
tims_err tims_buf_reserve(tims_buf *b, size_t extra);
void tims_buf_reset(tims_buf *b); /* length 0, keeps memory */
void tims_buf_free(tims_buf *b);
/* tims_buf_steal - hand the bytes to the caller (free with tims_free); the buffer becomes empty.
 * Returns an empty string (owned by the caller) for an empty buffer, NULL on allocation failure. */
char *tims_buf_steal(tims_buf *b);

#define TIMS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
