/* error.c - the words for tims_err codes, and tims_diag, the one-sentence error detail. */
#include <stdio.h>
#include <string.h>

#include "tims/common.h"

const char *tims_strerror(tims_err err)
{
    switch (err) {
    case TIMS_OK: return "success";
    case TIMS_ENOMEM: return "out of memory";
    case TIMS_EINVAL: return "invalid argument";
    case TIMS_EDATA: return "invalid data";
    case TIMS_ENOENT: return "not found";
    case TIMS_EEXIST: return "already exists";
    case TIMS_EIO: return "input/output error";
    case TIMS_ENOSPC: return "no space left (disk or database full)";
    case TIMS_EACCES: return "permission denied or read-only storage";
    case TIMS_ECONFIG: return "configuration error";
    case TIMS_ECRYPTO: return "cryptographic operation failed";
    case TIMS_ETAMPER: return "stored data does not verify";
    case TIMS_ESCHEMA: return "unknown database schema version";
    case TIMS_EBUSY: return "resource busy (locked by another process)";
    case TIMS_ERANGE: return "value out of supported range";
    case TIMS_EINTERNAL: return "internal error";
    }
    return "unknown error";
}

tims_err tims_diag_set(tims_diag *d, tims_err err, const char *fmt, ...)
{
    if (d) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->text, sizeof d->text, fmt, ap);
        va_end(ap);
    }
    return err;
}

void tims_diag_clear(tims_diag *d)
{
    if (d)
        d->text[0] = '\0';
}
