/* list_dir.c - lists kept in a node's data folder: DIR/lists/NAME/ holds a byte-for-byte copy
 * of the imported file(s) and manifest.json (format, source, release, counts, and the
 * BLAKE2b-256 of every file).
 *
 * tims_wl_install() builds the new folder beside the old one (DIR/lists/.tmp-NAME-XXXXXX),
 * copies and fsyncs the files, imports the copy (so what is stored is exactly what was
 * checked), writes and fsyncs the manifest and the folder, and only then swaps it in with one
 * rename (renameat2 RENAME_EXCHANGE where the file system has it). Any failure removes the
 * temporary folder and leaves the old list untouched. tims_wl_load_dir() checks every file
 * against the manifest before importing it.
 *
 * A stored list is never silently incomplete: the copy is imported strictly unless the caller
 * allows a truncated file, and then the manifest says how many rows were dropped and why; a
 * list is loaded strictly unless its manifest says so, and must drop exactly that many. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "watchlist/list_int.h"

#define MANIFEST  "manifest.json"
#define MAX_FILES 4

typedef struct stored_file {
    char name[64];
    uint64_t bytes;
    char hash[crypto_generichash_BYTES * 2 + 1];
} stored_file;

static const char *stored_name(const char *format)
{
    if (strcmp(format, "un-xml") == 0)
        return "list.xml";
    if (strcmp(format, "dpl-tsv") == 0)
        return "list.tsv";
    return "list.csv";
}

static int known_format(const char *format)
{
    static const char *const formats[] = {"ofac-csv", "un-xml", "csl-csv", "dpl-tsv", "tims-csv"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(formats); i++) {
        if (strcmp(format, formats[i]) == 0)
            return 1;
    }
    return 0;
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

static tims_err errno_err(int e)
{
    switch (e) {
    case ENOENT:
        return TIMS_ENOENT;
    case EACCES:
    case EPERM:
    case EROFS:
        return TIMS_EACCES;
    case ENOSPC:
    case EDQUOT:
        return TIMS_ENOSPC;
    case EEXIST:
    case ENOTEMPTY:
        return TIMS_EEXIST;
    default:
        return TIMS_EIO;
    }
}

static tims_err io_fail(tims_diag *diag, const char *what, const char *path)
{
    int e = errno;
    return tims_diag_set(diag, errno_err(e), "cannot %s %s: %s", what, path, strerror(e));
}

static tims_err fsync_path(const char *path, tims_diag *diag)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(diag, "open", path);
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0) {
        errno = e;
        return io_fail(diag, "sync", path);
    }
    return TIMS_OK;
}

static void to_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Hash (and with to >= 0, copy into to) the file at from; fills f->bytes and f->hash. */
static tims_err hash_copy(const char *from, int to, stored_file *f, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return io_fail(diag, "open", from);
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = tims_diag_set(diag, TIMS_EINVAL, "%s is not a regular file", from);
        goto done;
    }
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, crypto_generichash_BYTES);
    unsigned char chunk[65536];
    f->bytes = 0;
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = io_fail(diag, "read", from);
            goto done;
        }
        if (n == 0)
            break;
        crypto_generichash_update(&state, chunk, (unsigned long long)n);
        f->bytes += (uint64_t)n;
        for (ssize_t off = 0; to >= 0 && off < n;) {
            ssize_t w = write(to, chunk + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                err = io_fail(diag, "write a copy of", from);
                goto done;
            }
            off += w;
        }
    }
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash_final(&state, hash, sizeof hash);
    to_hex(hash, sizeof hash, f->hash);
done:
    close(in);
    return err;
}

static tims_err copy_file(const char *from, const char *dir, const char *name, stored_file *f,
                          tims_diag *diag)
{
    tims_buf to = {0};
    tims_err err = tims_buf_printf(&to, "%s/%s", dir, name);
    if (err != TIMS_OK)
        return err;
    snprintf(f->name, sizeof f->name, "%s", name);
    int fd = open(to.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        err = io_fail(diag, "create", to.data);
        goto done;
    }
    if ((err = hash_copy(from, fd, f, diag)) == TIMS_OK && fsync(fd) != 0)
        err = io_fail(diag, "sync", to.data);
    if (close(fd) != 0 && err == TIMS_OK)
        err = io_fail(diag, "close", to.data);
done:
    tims_buf_free(&to);
    return err;
}

/* Remove a folder of plain files (what this file creates); best effort. */
static void remove_folder(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        tims_buf p = {0};
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            tims_buf_reset(&p);
            if (tims_buf_printf(&p, "%s/%s", path, e->d_name) == TIMS_OK)
                unlink(p.data);
        }
        tims_buf_free(&p);
        closedir(d);
    }
    rmdir(path);
}

/* text with every copy replaced by original, in list's arena; NULL when out of memory. */
static const char *retarget_text(tims_wl_list *list, const char *text, const char *copy,
                                 const char *original)
{
    tims_buf b = {0};
    size_t n = strlen(copy);
    const char *s = text, *at, *result = NULL;
    while ((at = strstr(s, copy)) != NULL) {
        if (tims_buf_append(&b, s, (size_t)(at - s)) != TIMS_OK ||
            tims_buf_puts(&b, original) != TIMS_OK)
            goto done;
        s = at + n;
    }
    if (tims_buf_puts(&b, s) == TIMS_OK)
        result = tims__arena_strndup(list->arena, b.data, b.len);
done:
    tims_buf_free(&b);
    return result;
}

/* Messages about the copy should name the file the operator gave. */
static void retarget_diag(tims_diag *diag, const char *copy, const char *original)
{
    if (!diag)
        return;
    char *at = strstr(diag->text, copy);
    if (!at)
        return;
    char text[sizeof diag->text];
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - diag->text), diag->text, original,
             at + strlen(copy));
    memcpy(diag->text, text, sizeof text);
}

static tims_err write_manifest(const char *tmp, const char *name, const tims_wl_list *list,
                               const char *from, int64_t at_us, const stored_file *files,
                               size_t nfiles, tims_diag *diag)
{
    char when[32] = "";
    time_t secs = (time_t)(at_us / 1000000);
    struct tm tm;
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *arr = json_array();
    json_t *m =
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s?, s:s, s:s, s:o}", "tims_list", 1,
                  "name", name, "format", list->format, "source", list->source, "release",
                  list->release, "entries", (json_int_t)list->count, "rows", (json_int_t)list->rows,
                  "dropped_rows", (json_int_t)list->dropped_rows, "warning", list->warning,
                  "imported_at", when, "from", from, "files", arr);
    if (!m)
        return TIMS_ENOMEM;
    for (size_t i = 0; i < nfiles; i++) {
        json_t *f = json_pack("{s:s, s:I, s:s}", "name", files[i].name, "bytes",
                              (json_int_t)files[i].bytes, "blake2b_256", files[i].hash);
        if (!f || json_array_append_new(arr, f) != 0) {
            json_decref(m);
            return TIMS_ENOMEM;
        }
    }
    char *text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(m);
    if (!text)
        return TIMS_ENOMEM;
    tims_buf path = {0};
    tims_err err = tims_buf_printf(&path, "%s/%s", tmp, MANIFEST);
    int fd = err == TIMS_OK ? open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640) : -1;
    if (err == TIMS_OK && fd < 0)
        err = io_fail(diag, "create", path.data);
    size_t len = strlen(text), off = 0;
    while (err == TIMS_OK && off <= len) {
        ssize_t w = off < len ? write(fd, text + off, len - off) : write(fd, "\n", 1);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            err = io_fail(diag, "write", path.data);
        else
            off += off < len ? (size_t)w : 1;
    }
    if (err == TIMS_OK && fsync(fd) != 0)
        err = io_fail(diag, "sync", path.data);
    if (fd >= 0 && close(fd) != 0 && err == TIMS_OK)
        err = io_fail(diag, "close", path.data);
    free(text);
    tims_buf_free(&path);
    return err;
}

/* Put tmp in place of final; the previous folder (if any) is removed afterwards. */
static tims_err swap_in(const char *lists, const char *tmp, const char *final, tims_diag *diag)
{
    struct stat st;
    if (stat(final, &st) != 0) {
        if (errno != ENOENT)
            return io_fail(diag, "examine", final);
        if (rename(tmp, final) != 0)
            return io_fail(diag, "move the new list into", final);
        return TIMS_OK;
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
        remove_folder(tmp); /* now the old list */
        return TIMS_OK;
    }
    if (errno != EINVAL && errno != ENOSYS)
        return io_fail(diag, "swap in the new list at", final);
    /* no RENAME_EXCHANGE on this file system: move the old aside, then the new in */
    tims_buf old = {0};
    tims_err err = tims_buf_printf(&old, "%s/.old-XXXXXX", lists);
    if (err != TIMS_OK)
        return err;
    if (!mkdtemp(old.data) || rmdir(old.data) != 0 || rename(final, old.data) != 0) {
        err = io_fail(diag, "move aside the old list at", final);
    } else if (rename(tmp, final) != 0) {
        err = io_fail(diag, "move the new list into", final);
        rename(old.data, final); /* put the old one back */
    } else {
        remove_folder(old.data);
    }
    tims_buf_free(&old);
    return err;
}

tims_err tims_wl_install(const char *dir, const char *name, const char *format, const char *path,
                         unsigned flags, int64_t imported_at_us, tims_wl_list **out,
                         tims_diag *diag)
{
    tims_diag_clear(diag);
    if (!dir || !name || !format || !path)
        return tims_diag_set(diag, TIMS_EINVAL, "tims_wl_install needs dir, name, format, path");
    const unsigned both = TIMS_WL_IMPORT_STRICT | TIMS_WL_IMPORT_ALLOW_TRUNCATED;
    if ((flags & ~both) || (flags & both) == both)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "tims_wl_install: flags 0x%x are not TIMS_WL_IMPORT_STRICT or "
                             "TIMS_WL_IMPORT_ALLOW_TRUNCATED",
                             flags);
    unsigned import_flags = flags & TIMS_WL_IMPORT_ALLOW_TRUNCATED ? TIMS_WL_IMPORT_ALLOW_TRUNCATED
                                                                   : TIMS_WL_IMPORT_STRICT;
    if (!valid_name(name))
        return tims_diag_set(diag, TIMS_EINVAL,
                             "'%.70s' is not a list name: use 1 to 64 "
                             "lower-case letters, digits and . _ - (starting with a letter or "
                             "digit)",
                             name);
    if (!known_format(format))
        return tims_diag_set(diag, TIMS_EINVAL,
                             "unknown list format '%.40s'; use ofac-csv, "
                             "un-xml, csl-csv, dpl-tsv or tims-csv",
                             format);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tims_diag_set(diag, TIMS_ENOENT,
                             "the data folder %s does not exist (or is not a "
                             "folder); create it first",
                             dir);
    if (sodium_init() < 0)
        return tims_diag_set(diag, TIMS_ECRYPTO, "libsodium could not start");

    tims_err err = TIMS_OK;
    tims_buf lists = {0}, tmp = {0}, final = {0}, src = {0}, copy = {0};
    tims_wl_list *list = NULL;
    stored_file files[MAX_FILES];
    size_t nfiles = 0;
    int made_tmp = 0;
    if ((err = tims_buf_printf(&lists, "%s/lists", dir)) != TIMS_OK ||
        (err = tims_buf_printf(&final, "%s/%s", lists.data, name)) != TIMS_OK ||
        (err = tims_buf_printf(&tmp, "%s/.tmp-%s-XXXXXX", lists.data, name)) != TIMS_OK)
        goto done;
    if (mkdir(lists.data, 0750) == 0) {
        if ((err = fsync_path(dir, diag)) != TIMS_OK)
            goto done;
    } else if (errno != EEXIST) {
        err = io_fail(diag, "create", lists.data);
        goto done;
    }
    if (!mkdtemp(tmp.data)) {
        err = io_fail(diag, "create a folder in", lists.data);
        goto done;
    }
    made_tmp = 1;

    const char *import_path;
    if (strcmp(format, "ofac-csv") == 0) {
        const char *names[4];
        int n = tims__ofac_files(path, names, diag);
        if (n < 0) {
            err = (tims_err)n;
            goto done;
        }
        for (int i = 0; i < 4; i++) {
            if (!names[i])
                continue;
            tims_buf_reset(&src);
            if ((err = tims_buf_printf(&src, "%s/%s", path, names[i])) != TIMS_OK ||
                (err = copy_file(src.data, tmp.data, names[i], &files[nfiles], diag)) != TIMS_OK)
                goto done;
            nfiles++;
        }
        import_path = tmp.data;
    } else {
        const char *stored = stored_name(format);
        if ((err = copy_file(path, tmp.data, stored, &files[0], diag)) != TIMS_OK)
            goto done;
        nfiles = 1;
        if ((err = tims_buf_printf(&copy, "%s/%s", tmp.data, stored)) != TIMS_OK)
            goto done;
        import_path = copy.data;
    }
    if ((err = tims_wl_import_ex(format, import_path, import_flags, &list, diag)) != TIMS_OK) {
        retarget_diag(diag, import_path, path);
        goto done;
    }
    if (list->warning && !(list->warning = retarget_text(list, list->warning, import_path, path))) {
        err = TIMS_ENOMEM;
        goto done;
    }
    if ((err = write_manifest(tmp.data, name, list, path, imported_at_us, files, nfiles, diag)) !=
            TIMS_OK ||
        (err = fsync_path(tmp.data, diag)) != TIMS_OK ||
        (err = swap_in(lists.data, tmp.data, final.data, diag)) != TIMS_OK)
        goto done;
    made_tmp = 0;
    if ((err = fsync_path(lists.data, diag)) != TIMS_OK)
        goto done;
done:
    if (made_tmp)
        remove_folder(tmp.data);
    if (err == TIMS_OK && out)
        *out = list;
    else
        tims_wl_list_free(list);
    tims_buf_free(&lists);
    tims_buf_free(&tmp);
    tims_buf_free(&final);
    tims_buf_free(&src);
    tims_buf_free(&copy);
    return err;
}

/* ---- loading ---------------------------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Check one stored list's files against its manifest and import it. */
static tims_err load_one(const char *lists, const char *name, tims_wl_list **out, tims_diag *diag)
{
    tims_buf folder = {0}, path = {0}, text = {0};
    json_t *m = NULL;
    tims_wl_list *list = NULL;
    tims_err err = tims_buf_printf(&folder, "%s/%s", lists, name);
    if (err != TIMS_OK || (err = tims_buf_printf(&path, "%s/" MANIFEST, folder.data)) != TIMS_OK)
        goto done;
    if ((err = tims__read_file(path.data, &text, diag)) != TIMS_OK) {
        if (err == TIMS_ENOENT)
            err = tims_diag_set(diag, TIMS_ETAMPER,
                                "%s has no %s; remove the folder or import "
                                "the list again",
                                folder.data, MANIFEST);
        goto done;
    }
    json_error_t jerr;
    m = json_loadb(text.data, text.len, 0, &jerr);
    const char *format = NULL;
    json_t *files = NULL;
    json_int_t dropped = 0; /* absent in manifests written before it was recorded */
    if (!m ||
        json_unpack(m, "{s:s, s:o, s?I}", "format", &format, "files", &files, "dropped_rows",
                    &dropped) != 0 ||
        !known_format(format) || !json_is_array(files) || json_array_size(files) == 0 ||
        json_array_size(files) > MAX_FILES || dropped < 0) {
        err = tims_diag_set(diag, TIMS_ETAMPER,
                            "%s is not a valid manifest; import the list "
                            "again",
                            path.data);
        goto done;
    }
    size_t i;
    json_t *f;
    const char *first = NULL;
    json_array_foreach(files, i, f)
    {
        const char *fname = NULL, *hash = NULL;
        json_int_t bytes = -1;
        if (json_unpack(f, "{s:s, s:I, s:s}", "name", &fname, "bytes", &bytes, "blake2b_256",
                        &hash) != 0 ||
            strchr(fname, '/') || fname[0] == '.' || fname[0] == '\0') {
            err = tims_diag_set(diag, TIMS_ETAMPER,
                                "%s: file %zu is not described properly; "
                                "import the list again",
                                path.data, i + 1);
            goto done;
        }
        if (!first)
            first = fname;
        tims_buf_reset(&path);
        stored_file got;
        if ((err = tims_buf_printf(&path, "%s/%s", folder.data, fname)) != TIMS_OK ||
            (err = hash_copy(path.data, -1, &got, diag)) != TIMS_OK) {
            if (err == TIMS_ENOENT)
                err = tims_diag_set(diag, TIMS_ETAMPER, "%s is missing; import the list again",
                                    path.data);
            goto done;
        }
        if (got.bytes != (uint64_t)bytes || strcmp(got.hash, hash) != 0) {
            err = tims_diag_set(diag, TIMS_ETAMPER,
                                "%s does not match its manifest (%s "
                                "differs): it changed after the import; import the list again",
                                path.data, got.bytes != (uint64_t)bytes ? "size" : "BLAKE2b");
            goto done;
        }
    }
    /* no file may sit in the folder unlisted (the OFAC importer picks files up by name) */
    DIR *d = opendir(folder.data);
    if (!d) {
        err = io_fail(diag, "open", folder.data);
        goto done;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, MANIFEST) == 0)
            continue;
        int listed = 0;
        json_array_foreach(files, i, f)
        {
            listed |= strcmp(json_string_value(json_object_get(f, "name")), e->d_name) == 0;
        }
        if (!listed) {
            err = tims_diag_set(diag, TIMS_ETAMPER,
                                "%s/%s is not in the manifest; remove it or "
                                "import the list again",
                                folder.data, e->d_name);
            break;
        }
    }
    closedir(d);
    if (err != TIMS_OK)
        goto done;
    tims_buf_reset(&path);
    if (strcmp(format, "ofac-csv") == 0)
        err = tims_buf_puts(&path, folder.data);
    else
        err = tims_buf_printf(&path, "%s/%s", folder.data, first);
    unsigned flags = dropped ? TIMS_WL_IMPORT_ALLOW_TRUNCATED : TIMS_WL_IMPORT_STRICT;
    if (err != TIMS_OK ||
        (err = tims_wl_import_ex(format, path.data, flags, &list, diag)) != TIMS_OK)
        goto done;
    if (list->dropped_rows != (size_t)dropped) {
        err = tims_diag_set(diag, TIMS_ETAMPER,
                            "%s: the manifest says %lld rows were dropped at import, reading "
                            "the files drops %zu; import the list again",
                            folder.data, (long long)dropped, list->dropped_rows);
        goto done;
    }
    if (!(list->name = tims__arena_strndup(list->arena, name, strlen(name)))) {
        err = TIMS_ENOMEM;
        goto done;
    }
    *out = list;
    list = NULL;
done:
    tims_wl_list_free(list);
    json_decref(m);
    tims_buf_free(&folder);
    tims_buf_free(&path);
    tims_buf_free(&text);
    return err;
}

void tims_wl_lists_free(tims_wl_list **lists, size_t count)
{
    if (!lists)
        return;
    for (size_t i = 0; i < count; i++)
        tims_wl_list_free(lists[i]);
    tims_free(lists);
}

tims_err tims_wl_load_dir(const char *dir, tims_wl_list ***lists, size_t *count, tims_diag *diag)
{
    tims_diag_clear(diag);
    if (!dir || !lists || !count)
        return tims_diag_set(diag, TIMS_EINVAL, "tims_wl_load_dir needs dir, lists and count");
    *lists = NULL;
    *count = 0;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tims_diag_set(diag, TIMS_ENOENT,
                             "the data folder %s does not exist (or is not a "
                             "folder)",
                             dir);
    if (sodium_init() < 0)
        return tims_diag_set(diag, TIMS_ECRYPTO, "libsodium could not start");
    tims_buf path = {0};
    char **names = NULL;
    size_t n = 0, cap = 0;
    tims_wl_list **out = NULL;
    size_t loaded = 0;
    tims_err err = tims_buf_printf(&path, "%s/lists", dir);
    if (err != TIMS_OK)
        goto done;
    DIR *d = opendir(path.data);
    if (!d) {
        if (errno != ENOENT)
            err = io_fail(diag, "open", path.data);
        goto done; /* no lists folder: no lists */
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !valid_name(e->d_name))
            continue; /* ".tmp-*" folders of an import in progress, and anything foreign */
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **grown = tims_realloc(names, ncap * sizeof *grown);
            if (!grown) {
                err = TIMS_ENOMEM;
                break;
            }
            names = grown;
            cap = ncap;
        }
        if (!(names[n] = tims_strdup(e->d_name))) {
            err = TIMS_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (err != TIMS_OK || n == 0)
        goto done;
    qsort(names, n, sizeof *names, compare_names);
    if (!(out = tims_calloc(n, sizeof *out))) {
        err = TIMS_ENOMEM;
        goto done;
    }
    for (; loaded < n; loaded++) {
        if ((err = load_one(path.data, names[loaded], &out[loaded], diag)) != TIMS_OK)
            goto done;
    }
    *lists = out;
    *count = n;
    out = NULL;
done:
    tims_wl_lists_free(out, loaded);
    for (size_t i = 0; i < n; i++)
        tims_free(names[i]);
    tims_free(names);
    tims_buf_free(&path);
    return err;
}
