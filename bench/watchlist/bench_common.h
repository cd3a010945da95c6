/* bench_common.h - what the screening benchmarks share: the clock, memory figures, the shipped
 * lists, a deterministic random generator, query perturbations, and index-versus-scan runs. */
#ifndef TIMS_BENCH_COMMON_H
#define TIMS_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "tims/watchlist.h"

double bench_now(void);                 /* monotonic seconds */
double bench_cpu_now(void);             /* this thread's CPU seconds: fair on a shared machine */
long bench_status_kb(const char *field); /* "VmRSS", "VmHWM" from /proc/self/status */

/* The four lists of the quality figures (OFAC SDN 2021-07, non-SDN 2025-12, UN 2026-02,
 * CSL 2023-11), from $TIMS_TEST_DATA. Returns 0, or -1 after printing why. */
int bench_load_lists(tims_wl_list *lists[4]);

/* xorshift64*: deterministic across runs and machines. */
typedef struct bench_rng {
    uint64_t s;
} bench_rng;
uint64_t bench_next(bench_rng *r);
size_t bench_below(bench_rng *r, size_t n); /* uniform in [0, n) */

/* A copy of name (plain ASCII tokens separated by spaces) into out (cap bytes) with one change:
 * a one-letter typo in a token of 4 letters or more (40%: insertion, deletion, substitution,
 * swap of neighbours, a doubled or undoubled letter, another vowel), a vowel written as
 * another romanisation writes it (20%: o/u, e/a, i/y), the order changed ("LAST, First" or
 * the tokens rotated, 20%), a middle name left out (10%), or none (10%). */
void bench_perturb(bench_rng *r, const char *name, char *out, size_t cap);

/* A birth date near d: the same (50%), the year only (20%), one year off (20%), none (10%). */
tims_wl_date bench_perturb_date(bench_rng *r, const tims_wl_date *d);

/* Percentile p (0..100) of n sorted values. */
double bench_percentile(const double *sorted, size_t n, double p);
void bench_sort(double *v, size_t n);

/* Run queries through the index and the scan and compare: prints
 *   PREFIX.scan_speed_ratio, PREFIX.index_recall_loss (hits the scan found that the index
 *   did not, over all the scan's hits) and PREFIX.index_target_loss (targets the scan found
 *   and the index did not). targets[i] is the entry each query was made from (or NULL). */
void bench_side_by_side(const char *prefix, const tims_wl_index *idx,
                        const tims_wl_query *queries, const tims_wl_entry *const *targets,
                        size_t n, size_t limit, const char *config);

#endif
