/* keys.c - node key pairs: generate, derive from a seed, save to and load from a key file.
 *
 * A key file is text: the line "tims-ed25519-secret-v1", then the 64-byte libsodium secret key
 * (seed followed by public key) as 128 lowercase hex digits, each line ending in "\n". It is
 * created with O_EXCL and mode 0600; loading refuses a file that group or others may access. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tims/journal.h"

#define KEY_MAGIC    "tims-ed25519-secret-v1\n"
#define KEY_FILE_LEN (sizeof KEY_MAGIC - 1 + 2 * TIMS_SECKEY_LEN + 1)

tims_err tims_keypair_generate(tims_keypair *out)
{
    if (sodium_init() < 0)
        return TIMS_ECRYPTO;
    return crypto_sign_keypair(out->pk, out->sk) == 0 ? TIMS_OK : TIMS_ECRYPTO;
}

tims_err tims_keypair_from_seed(const uint8_t seed[TIMS_SEED_LEN], tims_keypair *out)
{
    if (sodium_init() < 0)
        return TIMS_ECRYPTO;
    return crypto_sign_seed_keypair(out->pk, out->sk, seed) == 0 ? TIMS_OK : TIMS_ECRYPTO;
}

void tims_keypair_wipe(tims_keypair *kp)
{
    if (kp)
        sodium_memzero(kp->sk, sizeof kp->sk);
}

static tims_err errno_err(int e)
{
    switch (e) {
    case EEXIST:
        return TIMS_EEXIST;
    case ENOENT:
        return TIMS_ENOENT;
    case EACCES:
    case EPERM:
    case EROFS:
        return TIMS_EACCES;
    case ENOSPC:
    case EDQUOT:
        return TIMS_ENOSPC;
    default:
        return TIMS_EIO;
    }
}

static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, sizeof dir, ".");
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

tims_err tims_keypair_save(const char *path, const tims_keypair *kp, tims_diag *diag)
{
    char text[KEY_FILE_LEN + 1];
    memcpy(text, KEY_MAGIC, sizeof KEY_MAGIC - 1);
    tims_hex(kp->sk, TIMS_SECKEY_LEN, text + sizeof KEY_MAGIC - 1);
    text[KEY_FILE_LEN - 1] = '\n';
    text[KEY_FILE_LEN] = '\0';

    tims_err err = TIMS_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = errno_err(errno);
        tims_diag_set(diag, err,
                      err == TIMS_EEXIST
                          ? "key file %s exists already (%s); it is never overwritten: move it "
                            "away first if you mean to replace the key"
                          : "cannot create key file %s: %s",
                      path, strerror(errno));
        goto done;
    }
    size_t off = 0;
    while (off < KEY_FILE_LEN) {
        ssize_t w = write(fd, text + off, KEY_FILE_LEN - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err = errno_err(errno);
            tims_diag_set(diag, err, "cannot write key file %s: %s", path, strerror(errno));
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        err = errno_err(errno);
        tims_diag_set(diag, err, "cannot flush key file %s to disk: %s", path, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    sync_parent(path); /* the new name itself must survive a crash */
    goto done;
fail:
    close(fd);
    unlink(path);
done:
    sodium_memzero(text, sizeof text);
    return err;
}

tims_err tims_keypair_load(const char *path, tims_keypair *out, tims_diag *diag)
{
    char text[KEY_FILE_LEN + 2];
    tims_err err = TIMS_OK;
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err = errno_err(errno);
        return tims_diag_set(diag, err, "cannot open key file %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        err = tims_diag_set(diag, errno_err(errno), "cannot stat key file %s: %s", path,
                            strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        err = tims_diag_set(diag, TIMS_EDATA, "key file %s is not a regular file", path);
        goto done;
    }
    if (st.st_mode & 077) {
        err = tims_diag_set(diag, TIMS_EACCES,
                            "key file %s has mode %03o: group or others may access the secret "
                            "key; run 'chmod 600 %s' (and consider the key exposed)",
                            path, (unsigned)(st.st_mode & 0777), path);
        goto done;
    }
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, text + got, sizeof text - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err =
                tims_diag_set(diag, TIMS_EIO, "cannot read key file %s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got == sizeof text - 1)
            break;
    }
    text[got] = '\0';
    if (got != KEY_FILE_LEN || memcmp(text, KEY_MAGIC, sizeof KEY_MAGIC - 1) != 0 ||
        text[KEY_FILE_LEN - 1] != '\n') {
        err = tims_diag_set(diag, TIMS_EDATA,
                            "key file %s is not a tims key file (expected the line "
                            "'tims-ed25519-secret-v1' and 128 hex digits)",
                            path);
        goto done;
    }
    text[KEY_FILE_LEN - 1] = '\0';
    if (tims_unhex(text + sizeof KEY_MAGIC - 1, out->sk, TIMS_SECKEY_LEN) != TIMS_OK) {
        err = tims_diag_set(diag, TIMS_EDATA, "key file %s: the key line is not 128 hex digits",
                            path);
        goto done;
    }
    tims_keypair check;
    if (tims_keypair_from_seed(out->sk, &check) != TIMS_OK ||
        memcmp(check.sk + TIMS_SEED_LEN, out->sk + TIMS_SEED_LEN, TIMS_PUBKEY_LEN) != 0) {
        tims_keypair_wipe(&check);
        err = tims_diag_set(diag, TIMS_ECRYPTO,
                            "key file %s: the public key does not belong to the seed; the file "
                            "is damaged",
                            path);
        goto done;
    }
    tims_keypair_wipe(&check);
    memcpy(out->pk, out->sk + TIMS_SEED_LEN, TIMS_PUBKEY_LEN);
done:
    close(fd);
    sodium_memzero(text, sizeof text);
    if (err != TIMS_OK)
        tims_keypair_wipe(out);
    return err;
}
