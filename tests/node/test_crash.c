/* test_crash.c - crossings survive a process killed at any moment.
 *
 * A writer (crash_writer, through the node library) records crossings in a loop and prints
 * each id once it is durable; it is killed with SIGKILL after a random delay, 24 times. After
 * every round, `tims verify --strict` must pass and every acknowledged crossing must be in the journal
 * (`tims log --json --kind crossing`). Nothing here asserts timings. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

#define ROUNDS 24

static const char *writer_path;

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* run_round - start the writer, kill it after delay_ms, return what it acknowledged. */
static void run_round(const char *dir, long first, int delay_ms, tims_buf *acked)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char first_text[32];
        snprintf(first_text, sizeof first_text, "%ld", first);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(writer_path, writer_path, dir, first_text, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    struct timespec d = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
    kill(pid, SIGKILL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* killed, or died on its own with an error: the latter is a failure */
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        fail_msg("the writer ended by itself (status %d) instead of being killed", status);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        assert_int_equal(tims_buf_append(acked, chunk, (size_t)n), TIMS_OK);
    close(fds[0]);
}

static void acknowledged_crossings_survive_sigkill_and_the_journal_verifies(void **state)
{
    (void)state;
    char *dir = tu_tempdir();
    tims_buf node_dir = {0};
    assert_int_equal(tims_buf_printf(&node_dir, "%s/node", dir), TIMS_OK);
    const char *init[] = {"init", "--data", node_dir.data, "--name", "crash", NULL};
    assert_int_equal(tu_run(init, NULL, NULL, NULL), 0);

    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    tims_buf all_acked = {0};
    size_t total = 0;
    for (int round = 0; round < ROUNDS; round++) {
        tims_buf acked = {0};
        run_round(node_dir.data, (long)round * 1000000L, 20 + rand() % 400, &acked);
        if (acked.data)
            assert_int_equal(tims_buf_puts(&all_acked, acked.data), TIMS_OK);

        tims_buf err = {0};
        const char *verify[] = {"verify", "--data", node_dir.data, "--strict", NULL};
        int rc = tu_run(verify, NULL, NULL, &err);
        if (rc != 0)
            fail_msg("round %d: tims verify failed (%d): %s", round, rc, err.data ? err.data : "");
        tims_buf_free(&err);

        tims_buf log = {0};
        const char *logargs[] = {"log", "--data", node_dir.data, "--json", "--kind", "crossing", NULL};
        assert_int_equal(tu_run(logargs, NULL, &log, NULL), 0);
        json_error_t jerr;
        json_t *entries = json_loads(log.data, 0, &jerr);
        if (!entries)
            fail_msg("round %d: tims log printed no JSON: %s", round, jerr.text);
        size_t n = json_array_size(entries);
        const char **ids = calloc(n ? n : 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = json_string_value(json_object_get(json_array_get(entries, i), "id"));
        qsort(ids, n, sizeof *ids, compare_ids);
        /* every acknowledged id so far (lines "ID DOC"; a torn last line has no newline) */
        char *p = all_acked.data;
        while (p && *p) {
            char *nl = strchr(p, '\n');
            if (!nl)
                break;
            char *space = memchr(p, ' ', (size_t)(nl - p));
            assert_non_null(space);
            *space = '\0';
            const char *key = p;
            if (!bsearch(&key, ids, n, sizeof *ids, compare_ids))
                fail_msg("round %d: acknowledged crossing %s is missing from the journal", round, p);
            *space = ' ';
            total++;
            p = nl + 1;
        }
        free(ids);
        json_decref(entries);
        tims_buf_free(&log);
        tims_buf_free(&acked);
    }
    /* the test only means something if crossings were acknowledged at all */
    assert_true(total > 0);
    print_message("checked %zu acknowledgements over %d rounds\n", total, ROUNDS);
    tims_buf_free(&all_acked);
    tims_buf_free(&node_dir);
    tu_rmtree(dir);
    tims_free(dir);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_crash PATH-OF-crash_writer\n");
        return 2;
    }
    writer_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acknowledged_crossings_survive_sigkill_and_the_journal_verifies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
