/* bench_screen_1m.c - screening at national scale: 1,000,000 synthetic listed persons drawn
 * from the token and date distributions of the shipped lists (first, middle and last tokens of
 * listed persons' names, their name lengths, birth years, nationalities and sexes), a quarter
 * of them with an alias spelt another way. Prints the index build time and memory, then
 * perturbed copies of listed persons as queries on one thread (queries per second, p50/p99,
 * recall of the copied person), then a sample of them through the brute-force scan beside the
 * index. Deterministic: the same lists give the same persons and queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "tims/names.h"

enum { PERSONS = 1000000, QUERIES = 20000, SIDE_QUERIES = 100, LIMIT = 10, MAXTOK = 8 };

/* A pool of strings drawn with their frequency: each occurrence is kept once. */
typedef struct pool {
    char **items;
    size_t n, cap;
} pool;

static void pool_add(pool *p, const char *s, size_t len)
{
    if (p->n == p->cap)
        p->items = realloc(p->items, (p->cap = p->cap ? p->cap * 2 : 1024) * sizeof *p->items);
    p->items[p->n++] = strndup(s, len);
}

static const char *pool_draw(const pool *p, bench_rng *r)
{
    return p->items[bench_below(r, p->n)];
}

typedef struct model {
    pool first, middle, last;
    size_t *lengths; /* token counts of listed names, one per name */
    size_t nlengths;
    tims_wl_date *dates; /* listed birth dates, one per date */
    size_t ndates;
    char (*nats)[4];
    size_t nnats;
    char *genders;
    size_t ngenders;
} model;

static void learn(model *m, tims_wl_list *lists[4])
{
    size_t cap = 0;
    for (int l = 0; l < 4; l++)
        cap += lists[l]->count;
    m->lengths = malloc(cap * sizeof *m->lengths);
    m->dates = malloc(cap * 4 * sizeof *m->dates);
    m->nats = malloc(cap * 4 * sizeof *m->nats);
    m->genders = malloc(cap);
    for (int l = 0; l < 4; l++) {
        for (size_t e = 0; e < lists[l]->count; e++) {
            const tims_wl_entry *x = &lists[l]->entries[e];
            if (x->type != TIMS_WL_PERSON || x->name_count == 0)
                continue;
            char *folded = NULL;
            if (tims_name_fold(x->names[0].full, strlen(x->names[0].full), &folded, NULL) !=
                TIMS_OK)
                continue;
            const char *tok[MAXTOK];
            size_t len[MAXTOK], n = 0;
            for (char *p = folded; *p && n < MAXTOK;) {
                size_t k = strcspn(p, " ");
                tok[n] = p;
                len[n++] = k;
                p += k;
                p += *p == ' ';
            }
            if (n >= 2) {
                m->lengths[m->nlengths++] = n;
                pool_add(&m->first, tok[0], len[0]);
                pool_add(&m->last, tok[n - 1], len[n - 1]);
                for (size_t i = 1; i + 1 < n; i++)
                    pool_add(&m->middle, tok[i], len[i]);
            }
            tims_free(folded);
            for (size_t k = 0; k < x->birth_count && k < 4; k++) {
                if (x->births[k].year_from >= 1900 && x->births[k].year_to == x->births[k].year_from)
                    m->dates[m->ndates++] = x->births[k];
            }
            for (size_t k = 0; k < x->nationality_count && k < 4; k++)
                memcpy(m->nats[m->nnats++], x->nationalities[k], 4);
            m->genders[m->ngenders++] = x->gender;
        }
    }
}

/* The synthetic list: plain arrays, freed by free_synthetic (not tims_wl_list_free). */
typedef struct synthetic {
    tims_wl_list list;
    tims_wl_entry *entries;
    tims_wl_name *names;
    tims_wl_date *dates;
    char (*nats)[4];
    char *text;
} synthetic;

static void generate(const model *m, synthetic *s)
{
    bench_rng r = {20260227};
    size_t text_cap = (size_t)PERSONS * 80, text_len = 0;
    s->entries = calloc(PERSONS, sizeof *s->entries);
    s->names = calloc((size_t)PERSONS * 2, sizeof *s->names);
    s->dates = calloc(PERSONS, sizeof *s->dates);
    s->nats = calloc(PERSONS, sizeof *s->nats);
    s->text = malloc(text_cap);
    size_t nn = 0;
    for (size_t i = 0; i < PERSONS; i++) {
        tims_wl_entry *e = &s->entries[i];
        char *id = s->text + text_len;
        text_len += (size_t)sprintf(id, "P%07zu", i) + 1;
        e->id = id;
        e->type = TIMS_WL_PERSON;
        e->category = TIMS_WL_SANCTION;
        size_t k = m->lengths[bench_below(&r, m->nlengths)];
        char *name = s->text + text_len;
        size_t used = (size_t)sprintf(name, "%s", pool_draw(&m->first, &r));
        for (size_t t = 1; t + 1 < k; t++)
            used += (size_t)sprintf(name + used, " %s", pool_draw(&m->middle, &r));
        used += (size_t)sprintf(name + used, " %s", pool_draw(&m->last, &r));
        text_len += used + 1;
        e->names = &s->names[nn];
        s->names[nn++] = (tims_wl_name){.full = name, .kind = TIMS_WL_PRIMARY};
        e->name_count = 1;
        if (bench_below(&r, 4) == 0) { /* an alias spelt another way */
            char *alias = s->text + text_len;
            bench_perturb(&r, name, alias, 200);
            text_len += strlen(alias) + 1;
            s->names[nn++] = (tims_wl_name){.full = alias, .kind = TIMS_WL_ALIAS};
            e->name_count = 2;
        }
        if (bench_below(&r, 10) < 8) {
            s->dates[i] = m->dates[bench_below(&r, m->ndates)];
            if (s->dates[i].month == 0 && bench_below(&r, 2)) {
                s->dates[i].month = (uint8_t)(1 + bench_below(&r, 12));
                s->dates[i].day = (uint8_t)(1 + bench_below(&r, 28));
            }
            e->births = &s->dates[i];
            e->birth_count = 1;
        }
        if (m->nnats && bench_below(&r, 10) < 7) {
            memcpy(s->nats[i], m->nats[bench_below(&r, m->nnats)], 4);
            e->nationalities = &s->nats[i];
            e->nationality_count = 1;
        }
        e->gender = m->genders[bench_below(&r, m->ngenders)];
        if (text_len + 1024 > text_cap) {
            fprintf(stderr, "bench_screen_1m: text buffer too small\n");
            exit(1);
        }
    }
    s->list.source = "synthetic";
    s->list.format = "synthetic";
    s->list.release = "";
    s->list.entries = s->entries;
    s->list.count = PERSONS;
}

int main(void)
{
    tims_wl_list *lists[4];
    if (bench_load_lists(lists) != 0)
        return 1;
    model m;
    memset(&m, 0, sizeof m);
    learn(&m, lists);
    synthetic s;
    memset(&s, 0, sizeof s);
    double t0 = bench_now();
    generate(&m, &s);
    double gen = bench_now() - t0;
    long rss_before = bench_status_kb("VmRSS");

    const tims_wl_list *one[] = {&s.list};
    tims_wl_index *idx = NULL;
    tims_diag d;
    t0 = bench_now();
    if (tims_wl_index_build(one, 1, &idx, &d) != TIMS_OK) {
        fprintf(stderr, "bench_screen_1m: %s\n", d.text);
        return 1;
    }
    double build = bench_now() - t0;
    tims_wl_index_stats st;
    tims_wl_index_stats_get(idx, &st);
    char cfg[160];
    snprintf(cfg, sizeof cfg, "persons=%d names=%zu tokens=%zu threads=1", PERSONS, st.names,
             st.tokens);
    printf("screen1m.generate_s %.2f s  persons=%d (from %zu listed names)\n", gen, PERSONS,
           m.nlengths);
    printf("screen1m.build_s %.2f s  %s keys=%zu postings=%zu\n", build, cfg, st.keys,
           st.postings);
    printf("screen1m.index_bytes %zu B  (%.1f MB) %s\n", st.bytes, st.bytes / 1048576.0, cfg);

    /* perturbed copies of listed persons */
    bench_rng r = {7};
    tims_wl_query *queries = calloc(QUERIES, sizeof *queries);
    const tims_wl_entry **targets = calloc(QUERIES, sizeof *targets);
    char (*names)[256] = calloc(QUERIES, sizeof *names);
    for (size_t i = 0; i < QUERIES; i++) {
        const tims_wl_entry *e = &s.entries[bench_below(&r, PERSONS)];
        bench_perturb(&r, e->names[0].full, names[i], sizeof names[i]);
        queries[i].name = names[i];
        if (e->birth_count)
            queries[i].dob = bench_perturb_date(&r, &e->births[0]);
        targets[i] = e;
    }
    double *lat = malloc(QUERIES * sizeof *lat), total = 0;
    double *wall = malloc(QUERIES * sizeof *wall), total_wall = 0;
    tims_wl_hit *hits = calloc(LIMIT, sizeof *hits);
    size_t found = 0;
    for (size_t i = 0; i < QUERIES; i++) {
        size_t n = 0;
        double a = bench_cpu_now(), aw = bench_now();
        tims_wl_screen(idx, &queries[i], hits, LIMIT, &n, NULL);
        lat[i] = bench_cpu_now() - a;
        wall[i] = bench_now() - aw;
        total += lat[i];
        total_wall += wall[i];
        for (size_t k = 0; k < n; k++)
            found += hits[k].entry == targets[i];
    }
    /* one core: the querying thread's CPU time (the machine is shared); wall time beside it */
    bench_sort(lat, QUERIES);
    bench_sort(wall, QUERIES);
    printf("screen1m.q_per_s %.0f q/s  %s queries=%d clock=thread-cpu\n", QUERIES / total, cfg,
           QUERIES);
    printf("screen1m.q_per_s_wall %.0f q/s  (wall clock, shared machine)\n",
           QUERIES / total_wall);
    printf("screen1m.p50_ms %.3f ms  queries=%d clock=thread-cpu\n",
           bench_percentile(lat, QUERIES, 50) * 1e3, QUERIES);
    printf("screen1m.p99_ms %.3f ms  queries=%d clock=thread-cpu\n",
           bench_percentile(lat, QUERIES, 99) * 1e3, QUERIES);
    printf("screen1m.p99_ms_wall %.3f ms  queries=%d\n", bench_percentile(wall, QUERIES, 99) * 1e3,
           QUERIES);
    printf("screen1m.max_ms %.3f ms  queries=%d clock=thread-cpu\n", lat[QUERIES - 1] * 1e3,
           QUERIES);
    printf("screen1m.recall %.4f  (%zu of %d perturbed copies found among the first %d hits)\n",
           (double)found / QUERIES, found, QUERIES, LIMIT);
    long hwm = bench_status_kb("VmHWM"), rss = bench_status_kb("VmRSS");
    printf("screen1m.vm_hwm_mb %.0f MB  (peak resident memory of the whole run)\n", hwm / 1024.0);
    printf("screen1m.vm_rss_mb %.0f MB  (resident now; %.0f MB before the index was built)\n",
           rss / 1024.0, rss_before / 1024.0);

    bench_side_by_side("screen1m", idx, queries, targets, SIDE_QUERIES, LIMIT, cfg);

    free(hits);
    free(lat);
    free(wall);
    free(names);
    free(targets);
    free(queries);
    tims_wl_index_free(idx);
    free(s.entries);
    free(s.names);
    free(s.dates);
    free(s.nats);
    free(s.text);
    for (int l = 0; l < 4; l++)
        tims_wl_list_free(lists[l]);
    return 0;
}
