/* alloc.c - the one allocation wrapper, with failure injection for tests.
 *
 * The fail-after counter is process-wide and not thread-safe by design: it is a test tool,
 * set before the code under test runs. */
#include <stdlib.h>
#include <string.h>

#include "tims/common.h"

static long allocs_until_failure = -1;

void tims_alloc_fail_after(long n)
{
    allocs_until_failure = n;
}

static int injected_failure(void)
{
    if (allocs_until_failure < 0)
        return 0;
    if (allocs_until_failure == 0)
        return 1;
    allocs_until_failure--;
    return 0;
}

void *tims_malloc(size_t size)
{
    return injected_failure() ? NULL : malloc(size ? size : 1);
}

void *tims_calloc(size_t count, size_t size)
{
    return injected_failure() ? NULL : calloc(count ? count : 1, size ? size : 1);
}

void *tims_realloc(void *ptr, size_t size)
{
    return injected_failure() ? NULL : realloc(ptr, size ? size : 1);
}

char *tims_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = tims_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *tims_strdup(const char *s)
{
    return tims_strndup(s, strlen(s));
}

void tims_free(void *ptr)
{
    free(ptr);
}
