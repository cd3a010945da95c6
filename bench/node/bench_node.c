/* bench_node.c - what a crossing costs: the stay calculation alone, a whole tims_node_cross
 * (parse, screen seam, history, stay, durable journal write), and, as the baseline measured in
 * the same run, a bare durable tims_store_append of the same kind of body.
 *
 * Then, with the OFAC SDN (2021-07) and UN (2026-02) lists installed in the node, the same
 * crossings screened (the index is built on the first one, outside the timing).
 *
 * Prints: stay.eval_per_s, node.cross_per_s, store.append_per_s, node.cross_vs_append,
 * node.cross_screened_per_s. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tims/node.h"
#include "tims/watchlist.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static char check_digit(const char *s, size_t n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 0;
        sum += v * w[i % 3];
    }
    return (char)('0' + sum % 10);
}

static void make_mrz(unsigned long k, char *out, size_t size)
{
    char l1[45], l2[80], doc[16], comp[64];
    memset(l1, '<', 44);
    memcpy(l1, "P<UTOBENCH<<MARK", 16);
    l1[44] = '\0';
    snprintf(doc, sizeof doc, "B%08lu", k % 100000000UL);
    snprintf(l2, sizeof l2, "%s%cUTO800101%cM351231%c<<<<<<<<<<<<<<%c", doc, check_digit(doc, 9),
             check_digit("800101", 6), check_digit("351231", 6), check_digit("<<<<<<<<<<<<<<", 14));
    snprintf(comp, sizeof comp, "%.10s%.7s%.15s", l2, l2 + 13, l2 + 21);
    l2[43] = check_digit(comp, strlen(comp));
    l2[44] = '\0';
    snprintf(out, size, "%s\n%s\n", l1, l2);
}

static void bench_stay(void)
{
    tims_stay_policy pol = {"short-stay", TIMS_STAY_SHORT, 90, 180, TIMS_STAY_PAST_OVERSTAY_DAYS};
    tims_stay_visit v[50];
    int32_t day = 19000;
    for (int i = 0; i < 50; i++) {
        v[i].entry_day = day;
        v[i].exit_day = day + 3 + i % 7;
        day += 20;
    }
    tims_stay_result r;
    long n = 0;
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < 1000; i++, n++)
            tims_stay_evaluate(&pol, v, 50, day + (int32_t)(n % 30), &r, NULL);
        t = now_s() - t0;
    } while (t < 1.0);
    printf("stay.eval_per_s %.0f eval/s  visits=50 span_days=%d\n", n / t, 50 * 20);
}

int main(void)
{
    bench_stay();
    char tmpl[] = "/tmp/tims-bench-node-XXXXXX";
    if (!mkdtemp(tmpl))
        return 1;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/node", tmpl);
    tims_node_config cfg;
    tims_node_config_defaults(&cfg, "bench");
    tims_diag diag = {{0}};
    tims_node *node = NULL;
    if (tims_node_init(dir, &cfg, wall_us(), &diag) != TIMS_OK || tims_node_open(dir, 0, &node, &diag) != TIMS_OK) {
        fprintf(stderr, "bench_node: %s\n", diag.text);
        return 1;
    }
    /* crossings and bare appends alternate, so both meet the same WAL and disk state */
    tims_keypair kp;
    tims_keypair_generate(&kp);
    const char *body = "{\"state\":\"UTO\",\"number\":\"B00000001\",\"code\":\"P\",\"surname\":\"BENCH\",\"given\":\"MARK\","
                       "\"nationality\":\"UTO\",\"birth\":\"1980-01-01\",\"sex\":\"M\",\"dir\":\"entry\",\"time\":1,"
                       "\"bcp\":\"bench\",\"officer\":\"b\",\"vehicle\":\"\",\"decision\":\"admitted\"}";
    const int N = 2000;
    double cross_s = 0, append_s = 0;
    for (int k = 0; k < N; k++) {
        char mrz[128];
        make_mrz((unsigned long)k, mrz, sizeof mrz);
        tims_cross_request req = {.mrz = mrz, .mrz_len = strlen(mrz), .direction = TIMS_DIR_ENTRY, .officer = "b"};
        tims_cross_result r;
        double t0 = now_s();
        if (tims_node_cross(node, &req, wall_us(), &r, &diag) != TIMS_OK) {
            fprintf(stderr, "bench_node: %s\n", diag.text);
            return 1;
        }
        cross_s += now_s() - t0;
        tims_cross_result_clear(&r);
        t0 = now_s();
        if (tims_store_append(tims_node_store(node), &kp, wall_us(), TIMS_KIND_AUDIT, body, strlen(body), NULL,
                              &diag) != TIMS_OK) {
            fprintf(stderr, "bench_node: %s\n", diag.text);
            return 1;
        }
        append_s += now_s() - t0;
    }
    printf("node.cross_per_s %.0f crossings/s  n=%d distinct travellers, durable, one process, dir=%s\n", N / cross_s,
           N, tmpl);
    printf("store.append_per_s %.0f entries/s  n=%d baseline: bare durable append\n", N / append_s, N);
    printf("node.cross_vs_append %.2f ratio  (time per cross / time per bare append)\n", cross_s / append_s);
    tims_node_close(node);
    node = NULL;

    const char *data = getenv("TIMS_TEST_DATA");
    char ofac[512], un[512];
    snprintf(ofac, sizeof ofac, "%s/lists/ofac-sdn-2021-07", data ? data : "../shared/data");
    snprintf(un, sizeof un, "%s/lists/un-sc-2026-02/UN_consolidated.xml", data ? data : "../shared/data");
    if (tims_wl_install(dir, "ofac-sdn", "ofac-csv", ofac, 0, wall_us(), NULL, &diag) != TIMS_OK ||
        tims_wl_install(dir, "un", "un-xml", un, 0, wall_us(), NULL, &diag) != TIMS_OK ||
        tims_node_open(dir, 0, &node, &diag) != TIMS_OK) {
        fprintf(stderr, "bench_node: %s\n", diag.text);
        return 1;
    }
    double screened_s = 0;
    const int M = 1000;
    for (int k = 0; k <= M; k++) {
        char mrz[128];
        make_mrz((unsigned long)(N + k), mrz, sizeof mrz);
        tims_cross_request req = {.mrz = mrz, .mrz_len = strlen(mrz), .direction = TIMS_DIR_ENTRY, .officer = "b"};
        tims_cross_result r;
        double t0 = now_s();
        if (tims_node_cross(node, &req, wall_us(), &r, &diag) != TIMS_OK) {
            fprintf(stderr, "bench_node: %s\n", diag.text);
            return 1;
        }
        if (k > 0) /* the first crossing loads and indexes the lists */
            screened_s += now_s() - t0;
        tims_cross_result_clear(&r);
    }
    printf("node.cross_screened_per_s %.0f crossings/s  n=%d lists=ofac-sdn-2021-07+un-sc-2026-02, durable\n",
           M / screened_s, M);
    tims_node_close(node);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
