/* bench_doctable.c - lost/stolen document keys: load 10,000,000 synthetic keys into the exact
 * lookup table, then time lookups (half of them present) and report the memory per key.
 * Keys are deterministic: issuing states from a fixed set, 9-character numbers as ICAO 9303
 * documents have, and every 25th number longer (14 characters) to exercise the hashed side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tims/watchlist.h"

enum { KEYS = 10000000, LOOKUPS = 4000000 };

static const char *const states[] = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "D",   "GRC",
    "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE", "GBR", "USA", "CAN", "RUS", "UKR", "TUR", "IRN", "IRQ", "SYR",
    "AFG", "PAK", "IND", "CHN", "NGA", "EGY", "MAR", "DZA", "TUN", "LBY", "ALB", "SRB",
    "BIH", "MKD", "MNE", "XXA", "UNO", "BRA", "ARG", "COL", "MEX", "VEN", "JPN", "KOR"};

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Key i, derived from i alone so that lookups can rebuild it. */
static void make_key(uint64_t i, const char **state, char *num)
{
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t h = i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    h ^= h >> 29;
    *state = states[h % (sizeof states / sizeof *states)];
    size_t len = i % 25 == 0 ? 14 : 9;
    for (size_t k = 0; k < len; k++) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        num[k] = alnum[(h >> 33) % 36];
    }
    num[len] = '\0';
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = atol(line + n + 1);
    }
    if (f)
        fclose(f);
    return v;
}

int main(void)
{
    long rss0 = status_kb("VmRSS");
    tims_wl_doctable *t = NULL;
    if (tims_wl_doctable_new(KEYS, &t) != TIMS_OK) {
        fprintf(stderr, "bench_doctable: no memory for %d keys\n", KEYS);
        return 1;
    }
    char num[32];
    const char *state;
    double t0 = now_s();
    for (uint64_t i = 0; i < KEYS; i++) {
        make_key(i, &state, num);
        if (tims_wl_doctable_add(t, state, num, (uint32_t)i) != TIMS_OK) {
            fprintf(stderr, "bench_doctable: adding key %llu failed\n", (unsigned long long)i);
            return 1;
        }
    }
    double load = now_s() - t0;
    long rss1 = status_kb("VmRSS");

    /* lookups: even draws are keys that were added, odd ones the same number in key space
     * beyond what was added (absent) */
    size_t found = 0, wrong = 0;
    t0 = now_s();
    for (uint64_t k = 0; k < LOOKUPS; k++) {
        uint64_t r = rng();
        uint64_t i = (k & 1) ? KEYS + r % KEYS : r % KEYS;
        make_key(i, &state, num);
        uint32_t ref;
        size_t n = tims_wl_doctable_find(t, state, num, &ref, 1);
        found += n > 0;
        wrong += (k & 1) == 0 && (n == 0 || ref != (uint32_t)i);
    }
    double look = now_s() - t0;

    /* the cost of making the keys alone, to take it out of the lookup time */
    t0 = now_s();
    size_t sink = 0;
    for (uint64_t k = 0; k < LOOKUPS; k++) {
        uint64_t r = rng();
        make_key((k & 1) ? KEYS + r % KEYS : r % KEYS, &state, num);
        sink += (size_t)num[3];
    }
    double gen = now_s() - t0;
    double net = look - gen > look / 10 ? look - gen : look / 10;

    size_t bytes = tims_wl_doctable_bytes(t);
    printf("docs.keys %d keys  states=%zu long_numbers=4%%\n", KEYS, sizeof states / sizeof *states);
    printf("docs.load_s %.2f s  keys=%d\n", load, KEYS);
    printf("docs.bytes_per_key %.1f B/key  table_bytes=%zu\n", (double)bytes / KEYS, bytes);
    printf("docs.rss_per_key %.1f B/key  rss_delta_kb=%ld\n", (rss1 - rss0) * 1024.0 / KEYS,
           rss1 - rss0);
    printf("docs.lookups_per_s %.0f lookups/s  lookups=%d present=50%% threads=1 "
           "(key generation taken out; %.0f lookups/s with it)\n",
           LOOKUPS / net, LOOKUPS, LOOKUPS / look);
    printf("docs.lookup_found %zu of %d  wrong=%zu (sink %zu)\n", found, LOOKUPS, wrong,
           sink % 2);
    tims_wl_doctable_free(t);
    return wrong == 0 && found == LOOKUPS / 2 ? 0 : 1;
}
