/* bench_screen.c - screening speed on the shipped lists: index build time, then name + date of
 * birth queries for the 50,000 people of names/people/negatives-us.csv on one thread
 * (queries per second, p50/p99/max latency), then perturbed copies of listed persons run
 * through the index and through the brute-force scan side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "tims/country.h"
#include "tims/names.h"

enum { LIMIT = 10, SIDE_QUERIES = 600 };

typedef struct person_row {
    char *name;
    tims_wl_date dob;
} person_row;

/* The people file: full_name is column 0 and date_of_birth column 5 (no quoted commas). */
static person_row *read_people(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_screen: cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 1024, n = 0;
    person_row *rows = malloc(cap * sizeof *rows);
    char line[1024];
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (header) {
            header = 0;
            continue;
        }
        char *field[8] = {0};
        size_t nf = 0;
        char *p = line;
        while (nf < 8) {
            field[nf++] = p;
            p = strchr(p, ',');
            if (!p)
                break;
            *p++ = '\0';
        }
        if (nf < 6)
            continue;
        if (n == cap)
            rows = realloc(rows, (cap *= 2) * sizeof *rows);
        rows[n].name = strdup(field[0]);
        if (tims_wl_date_parse(field[5], &rows[n].dob, NULL) != TIMS_OK)
            memset(&rows[n].dob, 0, sizeof rows[n].dob);
        n++;
    }
    fclose(f);
    *count = n;
    return rows;
}

int main(void)
{
    tims_wl_list *lists[4];
    if (bench_load_lists(lists) != 0)
        return 1;
    const char *cfg = "lists=ofac-sdn+ofac-nonsdn+un+csl";
    double t0 = bench_now();
    tims_wl_index *idx = NULL;
    tims_diag d;
    if (tims_wl_index_build((const tims_wl_list *const *)lists, 4, &idx, &d) != TIMS_OK) {
        fprintf(stderr, "bench_screen: %s\n", d.text);
        return 1;
    }
    double build = bench_now() - t0;
    tims_wl_index_stats st;
    tims_wl_index_stats_get(idx, &st);
    printf("screen.build_s %.3f s  %s entries=%zu names=%zu tokens=%zu keys=%zu\n", build, cfg,
           st.entries, st.names, st.tokens, st.keys);
    printf("screen.index_bytes %zu B  %s\n", st.bytes, cfg);

    /* name + date of birth queries from negatives-us.csv */
    char path[4096];
    snprintf(path, sizeof path, "%s/names/people/negatives-us.csv", getenv("TIMS_TEST_DATA"));
    size_t np = 0;
    person_row *people = read_people(path, &np);
    if (!people)
        return 1;
    double *lat = malloc(np * sizeof *lat), *wall = malloc(np * sizeof *wall), total_wall = 0;
    tims_wl_hit hits[LIMIT];
    size_t flagged = 0;
    double total = 0;
    for (size_t i = 0; i < np; i++) {
        tims_wl_query q;
        memset(&q, 0, sizeof q);
        q.name = people[i].name;
        q.dob = people[i].dob;
        size_t n = 0;
        double a = bench_cpu_now(), aw = bench_now();
        tims_wl_screen(idx, &q, hits, LIMIT, &n, NULL);
        lat[i] = bench_cpu_now() - a;
        wall[i] = bench_now() - aw;
        total += lat[i];
        total_wall += wall[i];
        flagged += n > 0;
    }
    /* one core: the querying thread's CPU time (the machine is shared); wall time beside it */
    bench_sort(lat, np);
    bench_sort(wall, np);
    printf("screen.q_per_s %.0f q/s  %s queries=%zu name+dob threads=1 clock=thread-cpu\n",
           np / total, cfg, np);
    printf("screen.q_per_s_wall %.0f q/s  (wall clock, shared machine)\n", np / total_wall);
    printf("screen.p50_ms %.3f ms  queries=%zu clock=thread-cpu\n",
           bench_percentile(lat, np, 50) * 1e3, np);
    printf("screen.p99_ms %.3f ms  queries=%zu clock=thread-cpu\n",
           bench_percentile(lat, np, 99) * 1e3, np);
    printf("screen.p99_ms_wall %.3f ms  queries=%zu\n", bench_percentile(wall, np, 99) * 1e3, np);
    printf("screen.max_ms %.3f ms  queries=%zu clock=thread-cpu\n", lat[np - 1] * 1e3, np);
    printf("screen.flagged_rate %.4f  (%zu of %zu negatives-us people, name+dob)\n",
           (double)flagged / np, flagged, np);

    /* perturbed copies of listed persons: index and scan side by side */
    size_t persons = 0;
    for (int l = 0; l < 4; l++) {
        for (size_t e = 0; e < lists[l]->count; e++)
            persons += lists[l]->entries[e].type == TIMS_WL_PERSON &&
                       lists[l]->entries[e].name_count > 0;
    }
    tims_wl_query *queries = calloc(SIDE_QUERIES, sizeof *queries);
    const tims_wl_entry **targets = calloc(SIDE_QUERIES, sizeof *targets);
    char (*names)[256] = calloc(SIDE_QUERIES, sizeof *names);
    bench_rng rng = {42};
    size_t nq = 0;
    while (nq < SIDE_QUERIES) {
        size_t pick = bench_below(&rng, persons);
        const tims_wl_entry *e = NULL;
        for (int l = 0; l < 4 && !e; l++) {
            for (size_t k = 0; k < lists[l]->count && !e; k++) {
                const tims_wl_entry *x = &lists[l]->entries[k];
                if (x->type == TIMS_WL_PERSON && x->name_count > 0 && pick-- == 0)
                    e = x;
            }
        }
        char *folded = NULL;
        if (tims_name_fold(e->names[0].full, strlen(e->names[0].full), &folded, NULL) != TIMS_OK)
            continue;
        bench_perturb(&rng, folded, names[nq], sizeof names[nq]);
        tims_free(folded);
        queries[nq].name = names[nq];
        if (e->birth_count)
            queries[nq].dob = bench_perturb_date(&rng, &e->births[0]);
        targets[nq++] = e;
    }
    size_t found = 0;
    for (size_t i = 0; i < nq; i++) {
        size_t n = 0;
        tims_wl_screen(idx, &queries[i], hits, LIMIT, &n, NULL);
        for (size_t k = 0; k < n; k++)
            found += hits[k].entry == targets[i];
    }
    printf("screen.perturbed_recall %.4f  (%zu of %zu perturbed listed persons found) %s\n",
           (double)found / nq, found, nq, cfg);
    bench_side_by_side("screen", idx, queries, targets, nq, LIMIT, cfg);

    free(names);
    free(targets);
    free(queries);
    for (size_t i = 0; i < np; i++)
        free(people[i].name);
    free(people);
    free(lat);
    free(wall);
    tims_wl_index_free(idx);
    for (int l = 0; l < 4; l++)
        tims_wl_list_free(lists[l]);
    return 0;
}
