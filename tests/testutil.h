/* testutil.h - helpers shared by the test programs: test data paths, running the tims binary,
 * temporary folders. Tests may read the environment; the library may not. */
#ifndef TIMS_TESTUTIL_H
#define TIMS_TESTUTIL_H

#include "tims/common.h"

/* tu_data_path - "$TIMS_TEST_DATA/rel" (../shared/data); caller frees with tims_free.
 * Fails the test when TIMS_TEST_DATA is not set. */
char *tu_data_path(const char *rel);

/* tu_read_file - the whole file into a NUL-terminated string; caller frees; fails the test
 * when the file cannot be read. */
char *tu_read_file(const char *path, size_t *len);

/* tu_run - run $TIMS_BIN with args (NULL-terminated, without the program name), feeding
 * stdin_text (NULL: empty) and capturing stdout/stderr into out/err (either may be NULL).
 * Returns the exit status, or 128+signal when killed. */
int tu_run(const char *const *args, const char *stdin_text, tims_buf *out, tims_buf *err);

/* tu_tempdir - a fresh empty folder under $TMPDIR or /tmp; caller frees the path and
 * removes the tree with tu_rmtree. */
char *tu_tempdir(void);
void tu_rmtree(const char *path);

/* A cmocka fixture that is just a fresh temporary folder: tu_dir_setup makes it (state points
 * at a tu_dir_fixture), tu_dir_teardown removes the tree and frees it. */
typedef struct tu_dir_fixture {
    char *dir;
} tu_dir_fixture;
int tu_dir_setup(void **state);
int tu_dir_teardown(void **state);

#endif
