/* arena.c - the memory of one list: a chain of blocks handed out in 8-byte aligned pieces and
 * freed all at once, so a list of 10,000 entries is a few hundred allocations, not 200,000. */
#include <string.h>

#include "watchlist/list_int.h"

#define BLOCK_SIZE (256u * 1024u)

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    _Alignas(8) unsigned char data[];
};

tims_wl_arena *tims__arena_new(void)
{
    return tims_calloc(1, sizeof(tims_wl_arena));
}

void tims__arena_free(tims_wl_arena *a)
{
    if (!a)
        return;
    struct arena_block *b = a->blocks;
    while (b) {
        struct arena_block *next = b->next;
        tims_free(b);
        b = next;
    }
    tims_free(a);
}

void *tims__arena_alloc(tims_wl_arena *a, size_t size)
{
    size = (size + 7u) & ~(size_t)7u;
    if (size == 0)
        size = 8;
    struct arena_block *b = a->blocks;
    if (!b || b->size - b->used < size) {
        if (size > SIZE_MAX - sizeof *b - BLOCK_SIZE)
            return NULL;
        size_t cap = size > BLOCK_SIZE / 4 ? size : BLOCK_SIZE;
        struct arena_block *nb = tims_malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = cap;
        if (b && cap != BLOCK_SIZE) {
            /* a big piece gets a block of its own behind the current one */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->blocks = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *tims__arena_strndup(tims_wl_arena *a, const char *s, size_t len)
{
    char *p = tims__arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
