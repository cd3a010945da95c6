/* bench_journal.c - how fast the journal and the SQLite store are on this disk.
 *
 * Prints, one line each: the raw 4 KiB write + fdatasync rate of the disk (one thread, and two
 * at once); durable crossings per second with one commit each, and its ratio to the raw rate
 * (against the best raw run around one 4-second run, and in interleaved rounds), next to the
 * least a signed durable commit costs on this disk;
 * durable crossings per second with 16 writers sharing commits (into a new store, and into
 * one that already holds a million crossings); chain and strict verification speed; and, with
 * TIMS_BENCH_CROSSINGS (default 10,000,000) crossings in the store, the build time, history
 * lookup latency (p50, p99) and bytes stored per crossing. Everything runs in a temporary
 * folder under $TMPDIR (or /tmp), removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "tims/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const tims_diag *d)
{
    fprintf(stderr, "bench_journal: %s: %s\n", what, d ? d->text : strerror(errno));
    exit(1);
}

static char base[512];

static void rmrf(const char *path)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_journal: could not remove %s\n", path);
}

static void make_crossing(uint64_t i, uint64_t docs, tims_crossing *c)
{
    static const char *const states[] = {"UTO", "D", "FRA", "ITA", "POL", "NLD"};
    uint64_t doc = (i * 2654435761u) % docs;
    memset(c, 0, sizeof *c);
    snprintf(c->issuing_state, sizeof c->issuing_state, "%s", states[doc % 6]);
    snprintf(c->doc_number, sizeof c->doc_number, "P%08llu", (unsigned long long)doc);
    snprintf(c->doc_code, sizeof c->doc_code, "P");
    snprintf(c->surname, sizeof c->surname, "SURNAME%llu", (unsigned long long)(doc % 100000));
    snprintf(c->given_names, sizeof c->given_names, "GIVEN NAMES");
    snprintf(c->nationality, sizeof c->nationality, "%s", states[doc % 6]);
    memcpy(c->birth_date, "1980-05-17", 11);
    c->sex[0] = doc % 2 ? 'F' : 'M';
    c->direction = i % 2 ? TIMS_DIR_EXIT : TIMS_DIR_ENTRY;
    c->time_us = INT64_C(1700000000000000) + (int64_t)i * 1000;
    snprintf(c->bcp, sizeof c->bcp, "BCP-%llu", (unsigned long long)(i % 7));
    snprintf(c->officer, sizeof c->officer, "o-%llu", (unsigned long long)(i % 300));
    snprintf(c->vehicle, sizeof c->vehicle, "%s", i % 3 ? "" : "AB-1234");
    snprintf(c->decision, sizeof c->decision, "admitted");
}

/* raw_file - create path for the raw rates, with `blocks` 4 KiB blocks written and synced
 * (0: empty); returns the open descriptor. */
static int raw_file(const char *path, int blocks)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        die("raw file", NULL);
    char block[4096];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < blocks; i++)
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            die("raw write", NULL);
    if (blocks && fsync(fd) != 0)
        die("raw fsync", NULL);
    return fd;
}

/* raw_fdatasync_rate - 4 KiB written + fdatasync, for about `seconds`: appending to a growing
 * file (overwrite 0), or overwriting a preallocated 4 MiB region in a ring (overwrite 1), which
 * is what SQLite's write-ahead log does once it is reused after a checkpoint. */
static double raw_fdatasync_rate(double seconds, int overwrite)
{
    char path[600];
    snprintf(path, sizeof path, "%s/raw", base);
    enum { RING = 1024 };
    int fd = raw_file(path, overwrite ? RING : 0);
    char block[4096];
    memset(block, 'x', sizeof block);
    long n = 0;
    double t0 = now_s(), t;
    do {
        off_t at = overwrite ? (off_t)(n % RING) * 4096 : (off_t)n * 4096;
        if (pwrite(fd, block, sizeof block, at) != (ssize_t)sizeof block || fdatasync(fd) != 0)
            die("raw write", NULL);
        n++;
    } while ((t = now_s()) - t0 < seconds);
    close(fd);
    unlink(path);
    return (double)n / (t - t0);
}

/* Two threads, each overwriting its own preallocated ring with 4 KiB writes + fdatasync through
 * its own descriptor of one file: what the store's two concurrent log syncs can reach. */
typedef struct raw_syncer {
    const char *path;
    int index;
    double until;
    long done;
} raw_syncer;

static void *raw_sync_loop(void *p)
{
    raw_syncer *r = p;
    int fd = open(r->path, O_WRONLY);
    if (fd < 0)
        die("raw file", NULL);
    char block[4096];
    memset(block, 'y', sizeof block);
    enum { RING = 512 };
    while (now_s() < r->until) {
        off_t at = ((off_t)r->index * RING + r->done % RING) * 4096;
        if (pwrite(fd, block, sizeof block, at) != (ssize_t)sizeof block || fdatasync(fd) != 0)
            die("raw write", NULL);
        r->done++;
    }
    close(fd);
    return NULL;
}

static double raw_fdatasync_rate_2threads(double seconds)
{
    char path[600];
    snprintf(path, sizeof path, "%s/raw2", base);
    close(raw_file(path, 1024));
    pthread_t t[2];
    raw_syncer r[2];
    double t0 = now_s();
    for (int i = 0; i < 2; i++) {
        r[i] = (raw_syncer){path, i, t0 + seconds, 0};
        pthread_create(&t[i], NULL, raw_sync_loop, &r[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    double wall = now_s() - t0;
    unlink(path);
    return (double)(r[0].done + r[1].done) / wall;
}

static tims_store *fresh_store(const char *name)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", base, name);
    tims_store *s;
    tims_diag d;
    if (tims_store_create(dir, &s, &d) != TIMS_OK)
        die("create", &d);
    return s;
}

typedef struct writer {
    tims_store *s;
    const tims_keypair *kp;
    uint64_t first;
    double until;
    long done;
} writer;

static void *write_loop(void *p)
{
    writer *w = p;
    tims_diag d;
    for (uint64_t i = w->first; now_s() < w->until; i++) {
        tims_crossing c;
        make_crossing(i, 1000000, &c);
        if (tims_store_record_crossing(w->s, w->kp, c.time_us, &c, NULL, &d) != TIMS_OK)
            die("record", &d);
        w->done++;
    }
    return NULL;
}

static void build(tims_store *s, const tims_keypair *kp, uint64_t n, uint64_t docs, size_t batch,
                  int sign_all);
static int cmp_double(const void *a, const void *b);

/* durable_rate - crossings per second from `threads` writers, each waiting for its own to be
 * durable, into a new store that first gets `before` crossings (in bulk, not timed). */
static double durable_rate(int threads, double seconds, const tims_keypair *kp, uint64_t before)
{
    char name[32];
    snprintf(name, sizeof name, "w%d-%llu", threads, (unsigned long long)before);
    tims_store *s = fresh_store(name);
    if (before)
        build(s, kp, before, before / 5 ? before / 5 : 1, 250000, 0);
    pthread_t t[64];
    writer w[64];
    struct rusage ru0;
    uint64_t commits0, entries0;
    tims_store_stats(s, &commits0, &entries0); /* the bulk build before is not counted */
    getrusage(RUSAGE_SELF, &ru0);
    double cpu_before = (double)ru0.ru_utime.tv_sec + ru0.ru_utime.tv_usec / 1e6 +
                        (double)ru0.ru_stime.tv_sec + ru0.ru_stime.tv_usec / 1e6;
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        w[i] = (writer){s, kp, (uint64_t)i * 100000000u, t0 + seconds, 0};
        pthread_create(&t[i], NULL, write_loop, &w[i]);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += w[i].done;
    }
    double wall = now_s() - t0;
    double rate = (double)total / wall;
    uint64_t commits, entries;
    tims_store_stats(s, &commits, &entries);
    commits -= commits0;
    entries -= entries0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("store.entries_per_commit %.1f entries  threads=%d commits=%llu\n",
           commits ? (double)entries / (double)commits : 0.0, threads, (unsigned long long)commits);
    printf("store.cpu_us_per_crossing %.1f us  threads=%d (process CPU over the run; the "
           "machine is shared)\n",
           (cpu - cpu_before) * 1e6 / (double)total, threads);
    tims_verify_report r;
    tims_diag d;
    if (tims_store_verify(s, TIMS_VERIFY_CHAINS_ONLY, &r, &d) != TIMS_OK ||
        r.entries != (uint64_t)total + before)
        die("verify after writing", &d);
    tims_store_close(s);
    return rate;
}

/* Interleaved rounds: `rounds` times, `raw_s` seconds of the raw rate (4 KiB + fdatasync into
 * a preallocated ring on the same disk) and then `work_s` seconds of some durable work, so that
 * the shared VM's drifting speed touches both alike. work(arg, seconds) runs for about that
 * long and returns how many it made durable; it runs once first to warm up, not counted. */
typedef long (*timed_work)(void *arg, double seconds);

typedef struct interleaved {
    double raw_per_s, work_per_s; /* over all rounds */
    double lo, hi;                /* the lowest and highest ratio of one round */
} interleaved;

static interleaved interleave(int rounds, double raw_s, double work_s, timed_work work, void *arg)
{
    work(arg, 0.5);
    double raw_n = 0, raw_t = 0, work_n = 0, work_t = 0;
    interleaved out = {0, 0, 1e9, 0};
    for (int r = 0; r < rounds; r++) {
        double raw = raw_fdatasync_rate(raw_s, 1);
        raw_n += raw * raw_s;
        raw_t += raw_s;
        double t0 = now_s();
        long n = work(arg, work_s);
        double dt = now_s() - t0, ratio = (double)n / dt / raw;
        work_n += (double)n;
        work_t += dt;
        out.lo = ratio < out.lo ? ratio : out.lo;
        out.hi = ratio > out.hi ? ratio : out.hi;
    }
    out.raw_per_s = raw_n / raw_t;
    out.work_per_s = work_n / work_t;
    return out;
}

static long store_work(void *arg, double seconds)
{
    writer *w = arg;
    w->done = 0;
    w->until = now_s() + seconds;
    write_loop(w);
    return w->done;
}

/* one_commit_interleaved - one writer, one durable commit per crossing, into one store, in
 * interleaved rounds against the raw rate; prints both rates and their ratio. */
static void one_commit_interleaved(const tims_keypair *kp, int rounds, double raw_s, double store_s)
{
    writer w = {fresh_store("interleaved"), kp, 0, 0, 0};
    interleaved r = interleave(rounds, raw_s, store_s, store_work, &w);
    tims_store_close(w.s);
    printf("store.durable_interleaved_per_s %.0f crossings/s  threads=1 commit=each "
           "rounds=%dx%.1fs\n",
           r.work_per_s, rounds, store_s);
    printf("disk.fdatasync_interleaved_per_s %.0f writes/s  block=4KiB preallocated, "
           "rounds=%dx%.1fs, each just before a round of the store\n",
           r.raw_per_s, rounds, raw_s);
    printf("store.durable_vs_fdatasync %.2f ratio  interleaved rounds (per round %.2f-%.2f) "
           "target>=0.8\n",
           r.work_per_s / r.raw_per_s, r.lo, r.hi);
}

/* The floor: each commit signs a 700-byte row with Ed25519 and inserts it alone into an SQLite
 * table without an index (synchronous=FULL, the store's VFS). */
typedef struct signed_rows {
    sqlite3_stmt *insert;
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char body[700];
    long made;
} signed_rows;

static long signed_row_work(void *arg, double seconds)
{
    signed_rows *f = arg;
    unsigned char sig[crypto_sign_BYTES];
    long n = 0;
    double until = now_s() + seconds;
    do {
        f->body[f->made++ % sizeof f->body]++;
        crypto_sign_detached(sig, NULL, f->body, sizeof f->body, f->sk);
        sqlite3_bind_blob(f->insert, 1, f->body, sizeof f->body, SQLITE_STATIC);
        sqlite3_bind_blob(f->insert, 2, sig, sizeof sig, SQLITE_STATIC);
        if (sqlite3_step(f->insert) != SQLITE_DONE || sqlite3_reset(f->insert) != SQLITE_OK)
            die("floor insert", NULL);
        n++;
    } while (now_s() < until);
    return n;
}

/* signed_row_floor - the least a signed durable commit costs on this disk, for comparison
 * with the store's, in interleaved rounds against the raw rate. */
static void signed_row_floor(int rounds, double raw_s, double store_s)
{
    char path[600];
    snprintf(path, sizeof path, "%s/floor.db", base);
    static signed_rows f;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    if (sodium_init() < 0)
        die("libsodium", NULL);
    crypto_sign_keypair(pk, f.sk);
    memset(f.body, 'a', sizeof f.body);
    sqlite3 *db = NULL;
    if (store_vfs_register() != SQLITE_OK ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, STORE_VFS_NAME) ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " CREATE TABLE j(id INTEGER PRIMARY KEY, body BLOB, sig BLOB)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO j(body, sig) VALUES (?, ?)", -1, &f.insert, NULL))
        die("floor database", NULL);
    interleaved r = interleave(rounds, raw_s, store_s, signed_row_work, &f);
    sqlite3_finalize(f.insert);
    sqlite3_close(db);
    printf("floor.signed_row_vs_fdatasync %.2f ratio  %.0f commits/s against %.0f writes/s: a "
           "signed 700-byte row per commit, no index, nothing else (the least any signed "
           "commit costs here) rounds=%dx%.1fs\n",
           r.work_per_s / r.raw_per_s, r.work_per_s, r.raw_per_s, rounds, store_s);
}

/* history_after_write - history lookup latency in a store of 100,000 crossings, with no write
 * between lookups and right after a durable write each (what a node's crossing path does:
 * SQLite resets a connection's cache when it sees the log changed). */
static void history_after_write(const tims_keypair *kp)
{
    enum { CROSSINGS = 100000, DOCS = 20000, LOOKUPS = 3000 };
    tims_store *s = fresh_store("after-write");
    build(s, kp, CROSSINGS, DOCS, 25000, 0);
    double *lat[2];
    for (int after = 0; after < 2; after++) {
        lat[after] = malloc(LOOKUPS * sizeof *lat[after]);
        if (!lat[after])
            die("memory", NULL);
        for (int i = 0; i < LOOKUPS; i++) {
            tims_crossing c;
            tims_diag d;
            if (after) {
                make_crossing(CROSSINGS + (uint64_t)after * LOOKUPS + (uint64_t)i, DOCS, &c);
                if (tims_store_record_crossing(s, kp, c.time_us, &c, NULL, &d) != TIMS_OK)
                    die("record", &d);
            }
            make_crossing((uint64_t)rand() % CROSSINGS, DOCS, &c);
            tims_crossing *h;
            size_t n;
            double a = now_s();
            if (tims_store_history(s, c.issuing_state, c.doc_number, &h, &n, &d) != TIMS_OK)
                die("history", &d);
            lat[after][i] = now_s() - a;
            tims_free(h);
        }
        qsort(lat[after], LOOKUPS, sizeof *lat[after], cmp_double);
    }
    printf("store.history_no_write_between_us p50 %.1f p99 %.1f us  crossings=%d lookups=%d\n",
           lat[0][LOOKUPS / 2] * 1e6, lat[0][LOOKUPS * 99 / 100] * 1e6, CROSSINGS, LOOKUPS);
    printf("store.history_after_write_us p50 %.1f p99 %.1f us  crossings=%d lookups=%d, each "
           "right after a durable write\n",
           lat[1][LOOKUPS / 2] * 1e6, lat[1][LOOKUPS * 99 / 100] * 1e6, CROSSINGS, LOOKUPS);
    free(lat[0]);
    free(lat[1]);
    tims_store_close(s);
}

/* body_of - the crossing body as tims_crossing_to_body writes it (checked once below). */
static size_t body_of(const tims_crossing *c, char *out, size_t size)
{
    int n = snprintf(out, size,
                     "{\"state\":\"%s\",\"number\":\"%s\",\"code\":\"%s\",\"surname\":\"%s\","
                     "\"given\":\"%s\",\"nationality\":\"%s\",\"birth\":\"%s\",\"sex\":\"%s\","
                     "\"dir\":\"%s\",\"time\":%lld,\"bcp\":\"%s\",\"officer\":\"%s\","
                     "\"vehicle\":\"%s\",\"decision\":\"%s\"}",
                     c->issuing_state, c->doc_number, c->doc_code, c->surname, c->given_names,
                     c->nationality, c->birth_date, c->sex,
                     c->direction == TIMS_DIR_ENTRY ? "entry" : "exit", (long long)c->time_us,
                     c->bcp, c->officer, c->vehicle, c->decision);
    return (size_t)n;
}

/* build - n crossings in transactions of `batch`; sign_all 0 signs only each batch's last. */
static void build(tims_store *s, const tims_keypair *kp, uint64_t n, uint64_t docs, size_t batch,
                  int sign_all)
{
    tims_append_item *items = malloc(batch * sizeof *items);
    char(*bodies)[1024] = malloc(batch * sizeof *bodies);
    tims_diag d;
    store_bench_sign_last_only(s, !sign_all);
    for (uint64_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < batch && i < n; k++, i++) {
            tims_crossing c;
            make_crossing(i, docs, &c);
            items[k].time_us = c.time_us;
            items[k].kind = TIMS_KIND_CROSSING;
            items[k].body = bodies[k];
            items[k].body_len = body_of(&c, bodies[k], sizeof bodies[k]);
        }
        if (tims_store_append_many(s, kp, items, k, NULL, &d) != TIMS_OK)
            die("build", &d);
    }
    store_bench_sign_last_only(s, 0);
    free(items);
    free(bodies);
}

static void verify_rate(tims_store *s, unsigned flags, const char *name, const char *config)
{
    tims_verify_report r;
    tims_diag d;
    double t0 = now_s();
    if (tims_store_verify(s, flags | TIMS_VERIFY_CHAINS_ONLY, &r, &d) != TIMS_OK)
        die("verify", &d);
    double dt = now_s() - t0;
    printf("%s %.0f entries/s  entries=%llu %s threads=1\n", name, (double)r.entries / dt,
           (unsigned long long)r.entries, config);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/tims-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base))
        die("temporary folder", NULL);
    const char *env = getenv("TIMS_BENCH_CROSSINGS");
    uint64_t big = env ? strtoull(env, NULL, 10) : 10000000u;
    tims_keypair kp;
    uint8_t seed[TIMS_SEED_LEN] = {1, 2, 3};
    tims_keypair_from_seed(seed, &kp);

    /* the bench's body writer must match the library's */
    tims_crossing c;
    make_crossing(12345, 1000, &c);
    char mine[1024];
    tims_buf lib = {0};
    tims_diag d;
    body_of(&c, mine, sizeof mine);
    if (tims_crossing_to_body(&c, &lib, &d) != TIMS_OK || strcmp(lib.data, mine) != 0)
        die("body format differs from tims_crossing_to_body", &d);
    tims_buf_free(&lib);
    tims_store *s;
    double t0;

    const char *only_big = getenv("TIMS_BENCH_ONLY_BIG"); /* for profiling the build */
    if (only_big && *only_big == '1')
        goto big_store;
    const char *only_group = getenv("TIMS_BENCH_ONLY_GROUP"); /* for profiling */
    if (only_group && (*only_group == '1' || *only_group == '2')) {
        int threads = *only_group == '1' ? 16 : 1;
        printf("store.durable_crossings_per_s %.0f crossings/s  threads=%d\n",
               durable_rate(threads, 5.0, &kp, 0), threads);
        rmrf(base);
        return 0;
    }
    double raw_append = raw_fdatasync_rate(2.0, 0);
    printf("disk.fdatasync_append_per_s %.0f writes/s  block=4KiB file=growing dir=%s\n",
           raw_append, base);
    double raw = raw_fdatasync_rate(2.0, 1);
    printf("disk.fdatasync_per_s %.0f writes/s  block=4KiB file=preallocated ring of 4MiB\n", raw);
    double one = durable_rate(1, 4.0, &kp, 0);
    printf("store.durable_crossings_per_s %.0f crossings/s  threads=1 commit=each\n", one);
    double raw_after = raw_fdatasync_rate(2.0, 1);
    printf("disk.fdatasync_per_s %.0f writes/s  block=4KiB file=preallocated (again, after)\n",
           raw_after);
    double best = raw > raw_after ? raw : raw_after;
    best = best > raw_append ? best : raw_append;
    printf("store.durable_vs_best_fdatasync %.2f ratio  the run above against the best raw "
           "rate around it\n",
           one / best);
    one_commit_interleaved(&kp, 8, 0.5, 1.0);
    signed_row_floor(8, 0.5, 1.0);
    history_after_write(&kp);
    printf("disk.fdatasync_2threads_per_s %.0f writes/s  block=4KiB two threads, own "
           "descriptors of one preallocated file (the store runs up to two log syncs at once)\n",
           raw_fdatasync_rate_2threads(2.0));
    double many = durable_rate(16, 5.0, &kp, 0);
    printf("store.group_commit_crossings_per_s %.0f crossings/s  threads=16 target>=20000\n", many);
    printf("store.group_commit_full_store_per_s %.0f crossings/s  threads=16 store holds "
           "1,000,000 crossings before (a node with history)\n",
           durable_rate(16, 5.0, &kp, 1000000));

    /* a fully signed store for strict verification */
    s = fresh_store("signed");
    t0 = now_s();
    build(s, &kp, 50000, 10000, 10000, 1);
    printf("store.build_signed_per_s %.0f crossings/s  crossings=50000 batch=10000\n",
           50000 / (now_s() - t0));
    verify_rate(s, 0, "verify.chain_entries_per_s", "store=signed");
    verify_rate(s, TIMS_VERIFY_STRICT, "verify.strict_entries_per_s", "store=signed");
    tims_store_close(s);

big_store:;
    char dir[600];
    snprintf(dir, sizeof dir, "%s/big", base);
    s = fresh_store("big");
    const char *cache = getenv("TIMS_BENCH_CACHE_MIB");
    if (cache)
        store_set_cache_mib(s, atoi(cache));
    uint64_t docs = big / 5 ? big / 5 : 1;
    const char *batch_env = getenv("TIMS_BENCH_BATCH");
    size_t batch = batch_env ? (size_t)strtoull(batch_env, NULL, 10) : 250000;
    t0 = now_s();
    build(s, &kp, big, docs, batch, 0);
    double build_s = now_s() - t0;
    printf("store.build_s %.1f s  crossings=%llu documents=%llu batch=%zu "
           "signatures=last-of-each-batch\n",
           build_s, (unsigned long long)big, (unsigned long long)docs, batch);
    verify_rate(s, 0, "verify.chain_entries_per_s", "store=big");

    enum { LOOKUPS = 20000 };
    double *lat = malloc(LOOKUPS * sizeof *lat);
    size_t found = 0;
    for (int i = 0; i < LOOKUPS; i++) {
        make_crossing((uint64_t)rand() % big, docs, &c);
        tims_crossing *h;
        size_t n;
        double a = now_s();
        if (tims_store_history(s, c.issuing_state, c.doc_number, &h, &n, &d) != TIMS_OK)
            die("history", &d);
        lat[i] = now_s() - a;
        found += n;
        tims_free(h);
    }
    qsort(lat, LOOKUPS, sizeof *lat, cmp_double);
    printf("store.history_p50_ms %.3f ms  crossings=%llu lookups=%d\n", lat[LOOKUPS / 2] * 1e3,
           (unsigned long long)big, LOOKUPS);
    printf("store.history_p99_ms %.3f ms  crossings=%llu lookups=%d found=%zu target<1\n",
           lat[LOOKUPS * 99 / 100] * 1e3, (unsigned long long)big, LOOKUPS, found);
    free(lat);
    tims_store_close(s); /* checkpoints the WAL into the file */
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, TIMS_STORE_DB_FILE);
    struct stat st;
    if (stat(path, &st) == 0)
        printf("store.bytes_per_crossing %.0f bytes  crossings=%llu file=%lld\n",
               (double)st.st_size / (double)big, (unsigned long long)big, (long long)st.st_size);
    rmrf(base);
    return 0;
}
