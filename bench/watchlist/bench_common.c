/* bench_common.c - see bench_common.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long bench_status_kb(const char *field)
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

int bench_load_lists(tims_wl_list *lists[4])
{
    static const char *const specs[4][2] = {
        {"ofac-csv", "lists/ofac-sdn-2021-07"},
        {"ofac-csv", "lists/ofac-nonsdn-2025-12"},
        {"un-xml", "lists/un-sc-2026-02/UN_consolidated.xml"},
        {"csl-csv", "lists/us-csl-2023-11/csl.csv"}, /* its cut-off last record is dropped */
    };
    const char *root = getenv("TIMS_TEST_DATA");
    if (!root) {
        fprintf(stderr, "bench: TIMS_TEST_DATA is not set (make bench sets it)\n");
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char path[4096];
        tims_diag d;
        snprintf(path, sizeof path, "%s/%s", root, specs[i][1]);
        if (tims_wl_import(specs[i][0], path, &lists[i], &d) != TIMS_OK) {
            fprintf(stderr, "bench: %s\n", d.text);
            return -1;
        }
    }
    return 0;
}

uint64_t bench_next(bench_rng *r)
{
    uint64_t x = r->s ? r->s : 0x9e3779b97f4a7c15ULL;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

size_t bench_below(bench_rng *r, size_t n)
{
    return n ? (size_t)(bench_next(r) % n) : 0;
}

enum { MAXT = 16, MAXL = 64 };

static size_t split(const char *name, char tok[MAXT][MAXL])
{
    size_t n = 0, len = 0;
    for (const char *p = name;; p++) {
        if (*p == ' ' || *p == '\0') {
            if (len) {
                tok[n][len] = '\0';
                if (++n == MAXT)
                    return n;
                len = 0;
            }
            if (!*p)
                return n;
        } else if (len + 1 < MAXL) {
            tok[n][len++] = *p;
        }
    }
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static void typo(bench_rng *r, char *t)
{
    size_t len = strlen(t);
    if (len < 2)
        return;
    size_t i = bench_below(r, len);
    char c = (char)('a' + bench_below(r, 26));
    switch (bench_below(r, 6)) {
    case 0: /* insert */
        if (len + 2 < MAXL) {
            memmove(t + i + 1, t + i, len - i + 1);
            t[i] = c;
        }
        break;
    case 1: /* delete */
        if (len > 3)
            memmove(t + i, t + i + 1, len - i);
        break;
    case 2: /* substitute */
        t[i] = c;
        break;
    case 3: /* swap neighbours */
        if (i + 1 < len) {
            char x = t[i];
            t[i] = t[i + 1];
            t[i + 1] = x;
        }
        break;
    case 4: /* double a letter, or undouble one */
        for (size_t k = 1; k < len; k++) {
            if (t[k] == t[k - 1]) {
                memmove(t + k, t + k + 1, len - k);
                return;
            }
        }
        if (len + 2 < MAXL) {
            memmove(t + i + 1, t + i, len - i + 1);
            t[i] = t[i + 1];
        }
        break;
    default: /* another vowel: transliteration-like (mohammed / muhammad) */
        for (size_t k = 0; k < len; k++) {
            size_t at = (i + k) % len;
            if (is_vowel(t[at])) {
                static const char v[] = "aeiou";
                t[at] = v[(strchr(v, t[at]) - v + 1 + bench_below(r, 4)) % 5];
                return;
            }
        }
    }
}

void bench_perturb(bench_rng *r, const char *name, char *out, size_t cap)
{
    char tok[MAXT][MAXL];
    size_t n = split(name, tok);
    int surname_first = 0;
    size_t k = bench_below(r, 10);
    if (k < 4) { /* a typo in a token of 4 letters or more */
        for (int tries = 0; tries < 8; tries++) {
            size_t i = bench_below(r, n);
            if (strlen(tok[i]) >= 4) {
                typo(r, tok[i]);
                break;
            }
        }
    } else if (k < 6) { /* a vowel another romanisation writes differently */
        for (int tries = 0; tries < 8; tries++) {
            size_t i = bench_below(r, n), len = strlen(tok[i]);
            size_t at = len;
            for (size_t j = 1; j < len && at == len; j++) {
                if (strchr("oueai", tok[i][j]))
                    at = j;
            }
            if (len >= 4 && at < len) {
                char *c = &tok[i][at];
                *c = *c == 'o' ? 'u' : *c == 'u' ? 'o' : *c == 'e' ? 'a' : *c == 'a' ? 'e' : 'y';
                break;
            }
        }
    } else if (k < 8) { /* written surname first, or the tokens rotated */
        if (bench_below(r, 2) || n < 2) {
            surname_first = 1;
        } else {
            char first[MAXL];
            memcpy(first, tok[0], MAXL);
            memmove(tok[0], tok[1], (n - 1) * sizeof tok[0]);
            memcpy(tok[n - 1], first, MAXL);
        }
    } else if (k < 9) { /* a middle name left out (or, with two names, the order changed) */
        if (n >= 3) {
            size_t i = 1 + bench_below(r, n - 2);
            memmove(tok[i], tok[i + 1], (n - i - 1) * sizeof tok[0]);
            n--;
        } else {
            surname_first = 1;
        }
    } /* else the name as listed: only the date of birth differs */
    size_t used = 0;
    out[0] = '\0';
    if (surname_first && n >= 2) {
        used += (size_t)snprintf(out, cap, "%s,", tok[n - 1]);
        n--;
    }
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? " " : "", tok[i]);
}

tims_wl_date bench_perturb_date(bench_rng *r, const tims_wl_date *d)
{
    tims_wl_date q = *d;
    q.year_to = q.year_from;
    q.approx = 0;
    size_t k = bench_below(r, 10);
    if (k < 5)
        return q;
    if (k < 7) {
        q.month = q.day = 0;
    } else if (k < 9) {
        q.year_from = q.year_to = (int16_t)(q.year_from + (bench_below(r, 2) ? 1 : -1));
    } else {
        memset(&q, 0, sizeof q);
    }
    return q;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
}

double bench_percentile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

void bench_side_by_side(const char *prefix, const tims_wl_index *idx,
                        const tims_wl_query *queries, const tims_wl_entry *const *targets,
                        size_t n, size_t limit, const char *config)
{
    tims_wl_hit *a = calloc(limit, sizeof *a), *b = calloc(limit, sizeof *b);
    size_t scan_hits = 0, lost = 0, scan_targets = 0, lost_targets = 0, idx_extra = 0;
    double t_index = 0, t_scan = 0;
    for (size_t i = 0; i < n; i++) {
        size_t na = 0, nb = 0;
        double t0 = bench_now();
        tims_wl_screen(idx, &queries[i], a, limit, &na, NULL);
        double t1 = bench_now();
        tims_wl_screen_scan(idx, &queries[i], b, limit, &nb, NULL);
        double t2 = bench_now();
        t_index += t1 - t0;
        t_scan += t2 - t1;
        int target_in_scan = 0, target_in_index = 0;
        for (size_t k = 0; k < nb; k++) {
            int found = 0;
            for (size_t j = 0; j < na && !found; j++)
                found = a[j].entry == b[k].entry;
            scan_hits++;
            lost += !found;
            if (targets && b[k].entry == targets[i])
                target_in_scan = 1;
        }
        for (size_t j = 0; j < na; j++) {
            int found = 0;
            for (size_t k = 0; k < nb && !found; k++)
                found = a[j].entry == b[k].entry;
            idx_extra += !found; /* only when the scan's limit cut it off */
            if (targets && a[j].entry == targets[i])
                target_in_index = 1;
        }
        scan_targets += target_in_scan;
        lost_targets += target_in_scan && !target_in_index;
    }
    printf("%s.scan_q_per_s %.1f q/s  queries=%zu %s\n", prefix, n / t_scan, n, config);
    printf("%s.index_q_per_s_same_queries %.0f q/s  queries=%zu %s\n", prefix, n / t_index, n,
           config);
    printf("%s.scan_speed_ratio %.0f x  (index faster than the scan, same queries)\n", prefix,
           t_scan / t_index);
    printf("%s.index_recall_loss %.4f  (%zu of the scan's %zu hits not found by the index)\n",
           prefix, scan_hits ? (double)lost / scan_hits : 0.0, lost, scan_hits);
    if (targets)
        printf("%s.index_target_loss %.4f  (%zu of %zu targets the scan found)\n", prefix,
               scan_targets ? (double)lost_targets / scan_targets : 0.0, lost_targets,
               scan_targets);
    (void)idx_extra;
    free(a);
    free(b);
}
