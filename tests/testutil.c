/* testutil.c - see testutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

char *tu_data_path(const char *rel)
{
    const char *root = getenv("TIMS_TEST_DATA");
    if (!root)
        fail_msg("TIMS_TEST_DATA is not set: run the tests through meson (make check)");
    tims_buf b = {0};
    assert_int_equal(tims_buf_printf(&b, "%s/%s", root, rel), TIMS_OK);
    return tims_buf_steal(&b);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    tims_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(tims_buf_append(&b, chunk, n), TIMS_OK);
    fclose(f);
    if (len)
        *len = b.len;
    return tims_buf_steal(&b);
}

static void drain(int fd, tims_buf *into, int *open_flag)
{
    char chunk[8192];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
        if (into)
            assert_int_equal(tims_buf_append(into, chunk, (size_t)n), TIMS_OK);
    } else if (n == 0 || errno != EINTR) {
        *open_flag = 0;
    }
}

int tu_run(const char *const *args, const char *stdin_text, tims_buf *out, tims_buf *err)
{
    const char *bin = getenv("TIMS_BIN");
    if (!bin)
        fail_msg("TIMS_BIN is not set: run the tests through meson (make check)");
    size_t argc = 0;
    while (args[argc])
        argc++;
    char **argv = calloc(argc + 2, sizeof *argv);
    assert_non_null(argv);
    argv[0] = (char *)bin;
    for (size_t i = 0; i < argc; i++)
        argv[i + 1] = (char *)args[i];

    int in[2], o[2], e[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(o), 0);
    assert_int_equal(pipe(e), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(o[1], 1);
        dup2(e[1], 2);
        close(in[0]); close(in[1]); close(o[0]); close(o[1]); close(e[0]); close(e[1]);
        execv(bin, argv);
        _exit(127);
    }
    free(argv);
    close(in[0]);
    close(o[1]);
    close(e[1]);
    signal(SIGPIPE, SIG_IGN);
    const char *text = stdin_text ? stdin_text : "";
    size_t left = strlen(text);
    int in_open = 1, out_open = 1, err_open = 1;
    if (left == 0) {
        close(in[1]);
        in_open = 0;
    }
    while (out_open || err_open || in_open) {
        struct pollfd p[3] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        p[0].fd = out_open ? o[0] : -1;
        p[1].fd = err_open ? e[0] : -1;
        p[2].fd = in_open ? in[1] : -1;
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            fail_msg("poll: %s", strerror(errno));
        }
        if (p[0].revents)
            drain(o[0], out, &out_open);
        if (p[1].revents)
            drain(e[0], err, &err_open);
        if (in_open && p[2].revents) {
            ssize_t n = write(in[1], text, left);
            if (n > 0) {
                text += n;
                left -= (size_t)n;
            }
            if (n < 0 || left == 0) {
                close(in[1]);
                in_open = 0;
            }
        }
    }
    close(o[0]);
    close(e[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

char *tu_tempdir(void)
{
    const char *tmp = getenv("TMPDIR");
    tims_buf b = {0};
    assert_int_equal(tims_buf_printf(&b, "%s/tims-test-XXXXXX", tmp ? tmp : "/tmp"), TIMS_OK);
    if (!mkdtemp(b.data))
        fail_msg("mkdtemp: %s", strerror(errno));
    return tims_buf_steal(&b);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int tu_dir_setup(void **state)
{
    tu_dir_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = tu_tempdir();
    *state = f;
    return 0;
}

int tu_dir_teardown(void **state)
{
    tu_dir_fixture *f = *state;
    tu_rmtree(f->dir);
    tims_free(f->dir);
    free(f);
    return 0;
}
