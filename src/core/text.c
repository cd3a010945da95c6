/* text.c - tims_buf, the growable byte buffer used wherever output is assembled. */
#include <stdio.h>
#include <string.h>

#include "tims/common.h"

tims_err tims_buf_reserve(tims_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return TIMS_ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return TIMS_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = tims_realloc(b->data, cap);
    if (!data)
        return TIMS_ENOMEM;
    b->data = data;
    b->cap = cap;
    return TIMS_OK;
}

tims_err tims_buf_append(tims_buf *b, const void *bytes, size_t len)
{
    if (tims_buf_reserve(b, len) != TIMS_OK)
        return TIMS_ENOMEM;
    if (len)
        memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len] = '\0';
    return TIMS_OK;
}

tims_err tims_buf_puts(tims_buf *b, const char *s)
{
    return tims_buf_append(b, s, strlen(s));
}

tims_err tims_buf_putc(tims_buf *b, char c)
{
    return tims_buf_append(b, &c, 1);
}

tims_err tims_buf_printf(tims_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return TIMS_EINVAL;
    if (tims_buf_reserve(b, (size_t)n) != TIMS_OK)
        return TIMS_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return TIMS_OK;
}

void tims_buf_reset(tims_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void tims_buf_free(tims_buf *b)
{
    tims_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *tims_buf_steal(tims_buf *b)
{
    char *out = b->data ? b->data : tims_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return out;
}
