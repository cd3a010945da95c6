/* bench_mrz.c - how fast MRZ records are parsed, split from a stream, and repaired, on one
 * core. Prints one line per figure:
 *   mrz.parse_per_s           the five ICAO specimens (valid records)
 *   mrz.parse_errors_per_s    two passports with errors (each error's message is written)
 *   mrz.parse_vectors_per_s   the 47 records of $TIMS_TEST_DATA/mrz/vectors.jsonl
 *   mrz.split_parse_per_s     records found in one text (blank-line separated) and parsed
 *   mrz.repair_per_s          a unique repair by forced changes (the OCR-noise passport)
 *   mrz.repair_search_per_s   a repair that tries letter/digit combinations (ambiguous) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tims/mrz.h"

static const tims_mrz_options today = {{2025, 6, 1}, 0};
static tims_mrz rec, fixed;
static volatile size_t sink;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct item {
    const char *text;
    size_t len;
} item;

/* parse the items round-robin for about a second; returns records per second */
static double parse_rate(const item *items, size_t n, size_t *valid)
{
    size_t done = 0, ok = 0;
    double start = now_s(), t;
    do {
        for (size_t k = 0; k < 1000; k++) {
            const item *it = &items[done % n];
            if (tims_mrz_parse(it->text, it->len, &today, &rec) == TIMS_OK && done < n)
                ok++;
            sink += rec.nerrors;
            done++;
        }
        t = now_s() - start;
    } while (t < 1.0);
    *valid = ok;
    return (double)done / t;
}

static double repair_rate(const char *text, const char **status)
{
    tims_mrz_repair_result rep;
    size_t done = 0;
    tims_mrz_parse(text, strlen(text), &today, &rec);
    double start = now_s(), t;
    do {
        for (size_t k = 0; k < 20; k++) {
            tims_mrz_repair(&rec, &today, &rep, &fixed);
            sink += rep.nchanges;
            done++;
        }
        t = now_s() - start;
    } while (t < 1.0);
    *status = tims_mrz_repair_status_name(rep.status);
    return (double)done / t;
}

int main(void)
{
    size_t n;
    const tims_mrz_specimen *sp = tims_mrz_specimens(&n);
    item items[8];
    for (size_t i = 0; i < n; i++)
        items[i] = (item){sp[i].text, strlen(sp[i].text)};
    const char *bad[] = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                         "L898902C36UTO7408123F1204159ZE184226B<<<<<10",
                         "P<UT0ERIK55ON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                         "L898902C36UTO740BIZZF12041S9ZE184226B<<<<<1O"};
    size_t valid;
    double r = parse_rate(items, n, &valid);
    printf("mrz.parse_per_s %.0f rec/s  formats=TD1,TD2,TD3,MRVA,MRVB records=%zu valid=%zu "
           "threads=1\n",
           r, n, valid);
    item with_errors[2] = {{bad[0], strlen(bad[0])}, {bad[1], strlen(bad[1])}};
    r = parse_rate(with_errors, 2, &valid);
    printf("mrz.parse_errors_per_s %.0f rec/s  records=2 TD3 with 2 and 8 errors (messages "
           "written) threads=1\n",
           r);

    /* the vectors, if the test data is there */
    const char *root = getenv("TIMS_TEST_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/mrz/vectors.jsonl", root ? root : "../shared/data");
    FILE *f = fopen(path, "r");
    if (f) {
        static char texts[64][256];
        static item vitems[64];
        size_t nv = 0;
        char line[4096];
        while (nv < 64 && fgets(line, sizeof line, f)) {
            json_t *v = json_loads(line, 0, NULL);
            json_t *mrz = json_object_get(v, "mrz");
            size_t used = 0;
            for (size_t i = 0; i < json_array_size(mrz) && used < 200; i++)
                used += (size_t)snprintf(texts[nv] + used, sizeof texts[nv] - used, "%s%s",
                                         i ? "\n" : "", json_string_value(json_array_get(mrz, i)));
            vitems[nv] = (item){texts[nv], used};
            nv++;
            json_decref(v);
        }
        fclose(f);
        r = parse_rate(vitems, nv, &valid);
        printf("mrz.parse_vectors_per_s %.0f rec/s  records=%zu valid=%zu threads=1\n", r, nv,
               valid);
    } else {
        printf("mrz.parse_vectors_per_s skipped  (no %s)\n", path);
    }

    /* a stream of 1000 records separated by blank lines (CR LF, as scanners send) */
    static char stream[1000 * 100];
    size_t len = 0;
    for (size_t i = 0; i < 1000; i++)
        len += (size_t)snprintf(stream + len, sizeof stream - len, "%s\r\n\r\n",
                                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n"
                                "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    size_t done = 0;
    double start = now_s(), t;
    do {
        size_t pos = 0;
        tims_mrz_span span;
        while (tims_mrz_next_record(stream, len, true, &pos, &span)) {
            tims_mrz_parse(span.ptr, span.len, &today, &rec);
            sink += rec.valid;
            done++;
        }
        t = now_s() - start;
    } while (t < 1.0);
    printf("mrz.split_parse_per_s %.0f rec/s  stream=1000 TD3 records CRLF threads=1\n",
           (double)done / t);

    const char *status;
    r = repair_rate(bad[1], &status);
    printf("mrz.repair_per_s %.0f rec/s  input=TD3 OCR noise (9 forced changes) status=%s "
           "threads=1\n",
           r, status);
    r = repair_rate("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                    "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10",
                    &status);
    printf("mrz.repair_search_per_s %.0f rec/s  input=TD3 document number O for 0 (4 positions "
           "tried both ways) status=%s threads=1\n",
           r, status);
    return 0;
}
