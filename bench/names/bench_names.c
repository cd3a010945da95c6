/* bench_names.c - how fast names are parsed and compared.
 *
 * Reads the name pairs of $TIMS_TEST_DATA/names/un-perturbed-pairs.tsv (UN-listed people, mostly
 * ASCII, 2 to 6 tokens) and transliteration-pairs.tsv (several scripts and diacritics), then
 * times tims_name_parse, tims_name_similarity and tims_jaro_winkler over them. Prints one line
 * per figure: name, value, unit, configuration. The similarity figure is also given as a
 * multiple of one Jaro-Winkler call measured in the same run (steadier on a shared machine).
 * Each figure is the best of REPEATS runs, so that other work on the machine counts less. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tims/names.h"

enum { MAX_NAMES = 2048, REPEATS = 7 };

typedef struct corpus {
    char *text[MAX_NAMES];
    size_t count;
    size_t non_ascii;
} corpus;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Adds the two name columns (a, b: 0-based) of every data row of a TSV file. */
static int load(corpus *c, const char *root, const char *file, int a, int b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/names/%s", root, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_names: cannot open %s\n", path);
        return -1;
    }
    char line[8192];
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        line[strcspn(line, "\r\n")] = '\0';
        char *field[16];
        int n = 0;
        for (char *p = line; n < 16;) {
            field[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        int cols[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            if (cols[k] >= n || c->count >= MAX_NAMES)
                continue;
            c->text[c->count] = strdup(field[cols[k]]);
            for (const char *p = field[cols[k]]; *p; p++) {
                if ((unsigned char)*p >= 0x80) {
                    c->non_ascii++;
                    break;
                }
            }
            c->count++;
        }
    }
    fclose(f);
    return 0;
}

static volatile double sink;

int main(void)
{
    const char *root = getenv("TIMS_TEST_DATA");
    if (!root) {
        fprintf(stderr, "bench_names: set TIMS_TEST_DATA (scripts/run-benchmarks does)\n");
        return 1;
    }
    corpus c = {0};
    if (load(&c, root, "un-perturbed-pairs.tsv", 1, 2) != 0 ||
        load(&c, root, "transliteration-pairs.tsv", 0, 1) != 0)
        return 1;

    /* parse */
    static tims_name names[MAX_NAMES];
    size_t rounds = 40;
    double parse_ns = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = now();
        for (size_t r = 0; r < rounds; r++) {
            for (size_t i = 0; i < c.count; i++) {
                tims_name n;
                if (tims_name_parse(c.text[i], strlen(c.text[i]), TIMS_NAME_LAST_FIRST, &n,
                                    NULL) != TIMS_OK)
                    return 1;
                sink += (double)n.count;
                tims_name_free(&n);
            }
        }
        double ns = (now() - t0) * 1e9 / (double)(rounds * c.count);
        parse_ns = ns < parse_ns ? ns : parse_ns;
    }
    printf("names.parse_ns %.0f ns/name  names=%zu non_ascii=%zu\n", parse_ns, c.count,
           c.non_ascii);

    /* similarity: every name against its row partner, and a fixed 3x3 pair */
    size_t tokens = 0;
    for (size_t i = 0; i < c.count; i++) {
        tims_name_parse(c.text[i], strlen(c.text[i]), TIMS_NAME_LAST_FIRST, &names[i], NULL);
        tokens += names[i].count;
    }
    rounds = 40;
    size_t pairs = c.count / 2;
    double sim_ns = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = now();
        for (size_t r = 0; r < rounds; r++) {
            for (size_t i = 0; i + 1 < c.count; i += 2)
                sink += tims_name_similarity(&names[i], &names[i + 1], NULL, NULL, NULL);
        }
        double ns = (now() - t0) * 1e9 / (double)(rounds * pairs);
        sim_ns = ns < sim_ns ? ns : sim_ns;
    }

    tims_name q, k;
    const char *qa = "Mohammad Reza Hosseini", *ka = "Mohammadreza Hoseini Seyed";
    tims_name_parse(qa, strlen(qa), 0, &q, NULL);
    tims_name_parse(ka, strlen(ka), 0, &k, NULL);
    size_t reps = 40000;
    const char *w1 = "khodorkovsky", *w2 = "khodorkovskii";
    double sim3_ns = 1e30, jw_ns = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = now();
        for (size_t r = 0; r < reps; r++)
            sink += tims_name_similarity(&q, &k, NULL, NULL, NULL);
        double ns = (now() - t0) * 1e9 / (double)reps;
        sim3_ns = ns < sim3_ns ? ns : sim3_ns;
        t0 = now();
        for (size_t r = 0; r < reps * 5; r++)
            sink += tims_jaro_winkler(w1, strlen(w1) - (r & 1), w2, strlen(w2));
        ns = (now() - t0) * 1e9 / (double)(reps * 5);
        jw_ns = ns < jw_ns ? ns : jw_ns;
    }

    printf("names.similarity_ns %.0f ns/pair  pairs=%zu avg_tokens=%.1f\n", sim_ns, pairs,
           (double)tokens / (double)c.count);
    printf("names.similarity_3x3_ns %.0f ns/pair  query=\"%s\" candidate=\"%s\"\n", sim3_ns, qa,
           ka);
    printf("names.jaro_winkler_ns %.1f ns/call  12-13 letters\n", jw_ns);
    printf("names.similarity_vs_jw %.1f x  (pair from the data / one Jaro-Winkler call)\n",
           sim_ns / jw_ns);
    printf("names.candidates_per_s %.0f pairs/s  threads=1\n", 1e9 / sim_ns);

    for (size_t i = 0; i < c.count; i++) {
        tims_name_free(&names[i]);
        free(c.text[i]);
    }
    tims_name_free(&q);
    tims_name_free(&k);
    return 0;
}
