/* node.c - the node folder: creating it (init), opening it, ids, times and document keys.
 *
 * tims_node_init() writes the key, the store and the rules first and tims.ini last, so a
 * folder with a tims.ini is a complete node; a failed init removes what it created. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "node/node_int.h"
#include "tims/country.h"

static const char *const node_files[] = {TIMS_NODE_CONFIG_FILE, TIMS_NODE_KEY_FILE,
                                         TIMS_STORE_DB_FILE, TIMS_NODE_RULES_FILE};

tims_err node_path(const char *dir, const char *file, char *out, size_t size, tims_diag *diag)
{
    int n = file[0] == '/' ? snprintf(out, size, "%s", file) : snprintf(out, size, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= size)
        return tims_diag_set(diag, TIMS_ERANGE, "the path %s/%s is too long", dir, file);
    return TIMS_OK;
}

tims_err node_read_file(const char *path, tims_buf *out, tims_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return tims_diag_set(diag, errno == ENOENT ? TIMS_ENOENT : TIMS_EIO, "cannot open %s: %s",
                             path, strerror(errno));
    tims_err err = TIMS_OK;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((err = tims_buf_append(out, chunk, n)) != TIMS_OK)
            break;
        if (out->len > (16u << 20)) {
            err = tims_diag_set(diag, TIMS_ERANGE, "%s is larger than 16 MiB; is it the right file?", path);
            break;
        }
    }
    if (err == TIMS_OK && ferror(f))
        err = tims_diag_set(diag, TIMS_EIO, "cannot read %s: %s", path, strerror(errno));
    if (err == TIMS_OK && !out->data)
        err = tims_buf_reserve(out, 0);
    fclose(f);
    return err;
}

/* write_new_file - create path (O_EXCL) with text, flushed to disk. */
static tims_err write_new_file(const char *path, const char *text, size_t len, tims_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return tims_diag_set(diag, errno == EEXIST ? TIMS_EEXIST : errno == EACCES ? TIMS_EACCES : TIMS_EIO,
                             "cannot create %s: %s", path, strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return tims_diag_set(diag, e == ENOSPC ? TIMS_ENOSPC : TIMS_EIO, "cannot write %s: %s",
                                 path, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return tims_diag_set(diag, TIMS_EIO, "cannot flush %s: %s", path, strerror(errno));
    }
    return TIMS_OK;
}

static tims_err make_dirs(const char *dir, tims_diag *diag)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return tims_diag_set(diag, TIMS_ERANGE, "the folder name %s is too long", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return tims_diag_set(diag, errno == EACCES ? TIMS_EACCES : TIMS_EIO, "cannot create %s: %s",
                                 path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return tims_diag_set(diag, errno == EACCES ? TIMS_EACCES : TIMS_EIO, "cannot create %s: %s",
                             path, strerror(errno));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return tims_diag_set(diag, TIMS_EEXIST, "%s exists and is not a folder; choose another --data", dir);
    return TIMS_OK;
}

static void remove_node_files(const char *dir)
{
    static const char *const extra[] = {TIMS_STORE_DB_FILE "-wal", TIMS_STORE_DB_FILE "-shm",
                                        TIMS_STORE_DB_FILE "-journal"};
    char path[4096];
    for (size_t i = 0; i < TIMS_ARRAY_LEN(node_files); i++) {
        if (node_path(dir, node_files[i], path, sizeof path, NULL) == TIMS_OK)
            unlink(path);
    }
    for (size_t i = 0; i < TIMS_ARRAY_LEN(extra); i++) {
        if (node_path(dir, extra[i], path, sizeof path, NULL) == TIMS_OK)
            unlink(path);
    }
}

static tims_err register_body(const tims_node_config *cfg, const uint8_t pk[TIMS_PUBKEY_LEN],
                              char **out)
{
    char key[2 * TIMS_PUBKEY_LEN + 1];
    tims_hex(pk, TIMS_PUBKEY_LEN, key);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", cfg->name, "role",
                          cfg->role == TIMS_ROLE_HUB ? "hub" : "bcp", "country", cfg->country,
                          "bcp", cfg->bcp, "key", key);
    if (!o)
        return TIMS_ENOMEM;
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return TIMS_ENOMEM;
    *out = tims_strdup(text);
    free(text);
    return *out ? TIMS_OK : TIMS_ENOMEM;
}

tims_err tims_node_init(const char *dir, const tims_node_config *cfg, int64_t now_us,
                        tims_diag *diag)
{
    tims_err err = TIMS_OK;
    char path[4096];
    tims_keypair kp;
    tims_store *store = NULL;
    tims_buf ini = {0};
    char *body = NULL;
    int created = 0;
    memset(&kp, 0, sizeof kp);

    if (!dir || !*dir || !cfg)
        return tims_diag_set(diag, TIMS_EINVAL, "tims init needs a folder (--data) and settings");
    /* The settings must read back as they are written. */
    if ((err = tims_node_config_format(cfg, &ini)) != TIMS_OK)
        goto fail;
    tims_node_config check;
    if ((err = tims_node_config_parse(ini.data, ini.len, &check, diag)) != TIMS_OK) {
        err = TIMS_EINVAL;
        goto fail;
    }
    for (size_t i = 0; i < TIMS_ARRAY_LEN(node_files); i++) {
        struct stat st;
        if ((err = node_path(dir, node_files[i], path, sizeof path, diag)) != TIMS_OK)
            goto fail;
        if (lstat(path, &st) == 0) {
            err = tims_diag_set(diag, TIMS_EEXIST,
                                "%s already holds a tims node (%s exists); nothing was changed: "
                                "choose another --data folder",
                                dir, node_files[i]);
            goto fail;
        }
    }
    if ((err = make_dirs(dir, diag)) != TIMS_OK)
        goto fail;
    created = 1;
    if ((err = tims_keypair_generate(&kp)) != TIMS_OK)
        goto fail;
    if ((err = node_path(dir, TIMS_NODE_KEY_FILE, path, sizeof path, diag)) != TIMS_OK ||
        (err = tims_keypair_save(path, &kp, diag)) != TIMS_OK)
        goto fail;
    if ((err = tims_store_create(dir, &store, diag)) != TIMS_OK)
        goto fail;
    if (strcmp(cfg->stay_rules, TIMS_NODE_RULES_FILE) == 0) {
        const char *rules = tims_stay_rules_default_text();
        if ((err = node_path(dir, TIMS_NODE_RULES_FILE, path, sizeof path, diag)) != TIMS_OK ||
            (err = write_new_file(path, rules, strlen(rules), diag)) != TIMS_OK)
            goto fail;
    }
    if ((err = register_body(cfg, kp.pk, &body)) != TIMS_OK)
        goto fail;
    if ((err = tims_store_append(store, &kp, now_us, TIMS_KIND_NODE_REGISTER, body, strlen(body),
                                 NULL, diag)) != TIMS_OK)
        goto fail;
    if ((err = node_path(dir, TIMS_NODE_CONFIG_FILE, path, sizeof path, diag)) != TIMS_OK ||
        (err = write_new_file(path, ini.data, ini.len, diag)) != TIMS_OK)
        goto fail;
    tims_store_close(store);
    tims_keypair_wipe(&kp);
    tims_buf_free(&ini);
    tims_free(body);
    return TIMS_OK;
fail:
    tims_store_close(store);
    tims_keypair_wipe(&kp);
    tims_buf_free(&ini);
    tims_free(body);
    if (created && err != TIMS_EEXIST)
        remove_node_files(dir);
    return err;
}

/* ---- opening ------------------------------------------------------------------------- */

tims_err tims_node_open(const char *dir, unsigned flags, tims_node **out, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    char path[4096];
    tims_buf text = {0};
    tims_node *n = tims_calloc(1, sizeof *n);
    if (!n)
        return TIMS_ENOMEM;
    if (!dir || !*dir) {
        err = tims_diag_set(diag, TIMS_EINVAL, "no node folder given; pass --data DIR");
        goto fail;
    }
    if (!(n->dir = tims_strdup(dir))) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    if ((err = node_path(dir, TIMS_NODE_CONFIG_FILE, path, sizeof path, diag)) != TIMS_OK)
        goto fail;
    if ((err = node_read_file(path, &text, diag)) != TIMS_OK) {
        if (err == TIMS_ENOENT)
            tims_diag_set(diag, err, "%s is not a tims node (no %s); create one with 'tims init --data %s --name NAME'",
                          dir, TIMS_NODE_CONFIG_FILE, dir);
        goto fail;
    }
    if ((err = tims_node_config_parse(text.data, text.len, &n->cfg, diag)) != TIMS_OK)
        goto fail;
    if (!(flags & TIMS_STORE_READONLY)) {
        if ((err = node_path(dir, TIMS_NODE_KEY_FILE, path, sizeof path, diag)) != TIMS_OK ||
            (err = tims_keypair_load(path, &n->kp, diag)) != TIMS_OK)
            goto fail;
        n->has_key = 1;
    }
    if ((err = tims_store_open(dir, flags, &n->store, diag)) != TIMS_OK)
        goto fail;
    if (n->cfg.stay_rules[0]) {
        tims_buf_reset(&text);
        if ((err = node_path(dir, n->cfg.stay_rules, path, sizeof path, diag)) != TIMS_OK ||
            (err = node_read_file(path, &text, diag)) != TIMS_OK)
            goto fail;
        if ((err = tims_stay_rules_parse(text.data, text.len, &n->rules, diag)) != TIMS_OK) {
            char inner[sizeof diag->text];
            snprintf(inner, sizeof inner, "%s", diag ? diag->text : "");
            err = tims_diag_set(diag, TIMS_ECONFIG, "%s: %s", path, inner);
            goto fail;
        }
    } else if ((err = tims_stay_rules_default(&n->rules)) != TIMS_OK) {
        goto fail;
    }
    if (n->cfg.country[0] && (err = tims_stay_rules_set_home(n->rules, n->cfg.country)) != TIMS_OK)
        goto fail;
    if ((err = node_screen_open(n, diag)) != TIMS_OK)
        goto fail;
    tims_buf_free(&text);
    *out = n;
    return TIMS_OK;
fail:
    tims_buf_free(&text);
    tims_node_close(n);
    return err;
}

void tims_node_close(tims_node *n)
{
    if (!n)
        return;
    node_screen_close(n);
    tims_store_close(n->store);
    tims_stay_rules_free(n->rules);
    tims_keypair_wipe(&n->kp);
    tims_free(n->dir);
    tims_free(n);
}

const tims_node_config *tims_node_config_of(const tims_node *n)
{
    return &n->cfg;
}

tims_store *tims_node_store(tims_node *n)
{
    return n->store;
}

const tims_stay_rules *tims_node_rules(const tims_node *n)
{
    return n->rules;
}

const uint8_t *tims_node_origin(const tims_node *n)
{
    return n->kp.pk;
}

/* ---- ids --------------------------------------------------------------------------------- */

#define ID_PREFIX_HEX 16

void tims_node_format_id(const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t seq,
                         char out[TIMS_NODE_ID_LEN])
{
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    tims_hex(origin, TIMS_PUBKEY_LEN, hex);
    snprintf(out, TIMS_NODE_ID_LEN, "%.*s:%llu", ID_PREFIX_HEX, hex, (unsigned long long)seq);
}

tims_err tims_node_resolve_id(tims_node *n, const char *id, tims_entry_ref *out, tims_diag *diag)
{
    const char *colon = id ? strchr(id, ':') : NULL;
    size_t plen = colon ? (size_t)(colon - id) : 0;
    int ok = colon && plen >= 8 && plen <= 2 * TIMS_PUBKEY_LEN && colon[1] >= '1' && colon[1] <= '9';
    for (size_t i = 0; ok && i < plen; i++)
        ok = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
    uint64_t seq = 0;
    for (const char *p = colon ? colon + 1 : ""; ok && *p; p++) {
        if (*p < '0' || *p > '9' || seq > UINT64_MAX / 10 - 10)
            ok = 0;
        else
            seq = seq * 10 + (uint64_t)(*p - '0');
    }
    if (!ok)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "'%s' is not an entry id; ids look like 3f2a9c01d4e5b6a7:42 (as cross and log print them)",
                             id ? id : "");
    tims_origin_head *heads = NULL;
    size_t count = 0;
    tims_err err = tims_store_origins(n->store, &heads, &count, diag);
    if (err != TIMS_OK)
        return err;
    int found = 0, beyond = 0;
    for (size_t i = 0; i < count; i++) {
        char hex[2 * TIMS_PUBKEY_LEN + 1];
        tims_hex(heads[i].origin, TIMS_PUBKEY_LEN, hex);
        if (strncmp(hex, id, plen) == 0) {
            found++;
            memset(out, 0, sizeof *out);
            memcpy(out->origin, heads[i].origin, TIMS_PUBKEY_LEN);
            out->seq = seq;
            beyond = seq > heads[i].seq;
        }
    }
    tims_free(heads);
    if (found == 1 && !beyond)
        return TIMS_OK;
    if (found > 1)
        return tims_diag_set(diag, TIMS_EINVAL, "the id %s fits several origins; give more hex digits", id);
    return tims_diag_set(diag, TIMS_ENOENT, "no entry %s in this node's journal; check the id with 'tims log'", id);
}

/* ---- times ------------------------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

tims_err tims_node_parse_time(const char *text, int64_t *out_us, tims_diag *diag)
{
    const char *s = text ? text : "";
    int y, mo, d, h, mi, sec = 0, frac = 0;
    int32_t day;
    if (strlen(s) < 17 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi))
        goto bad;
    s += 16;
    if (*s == ':') {
        if (!digits(s + 1, 2, &sec))
            goto bad;
        s += 3;
        if (*s == '.' || *s == ',') {
            s++;
            int n = 0;
            while (*s >= '0' && *s <= '9') {
                if (n < 6)
                    frac = frac * 10 + (*s - '0');
                n++, s++;
            }
            if (n == 0)
                goto bad;
            for (; n < 6; n++)
                frac *= 10;
        }
    }
    int offset_min = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om;
        if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om) || oh > 14 || om > 59)
            goto bad;
        offset_min = (oh * 60 + om) * (*s == '-' ? -1 : 1);
        s += 6;
    } else {
        goto bad;
    }
    if (*s || h > 23 || mi > 59 || sec > 59 || tims_stay_day_from_date(y, mo, d, &day) != TIMS_OK)
        goto bad;
    *out_us = (((int64_t)day * 86400 + h * 3600 + mi * 60 + sec) - (int64_t)offset_min * 60) * 1000000 + frac;
    return TIMS_OK;
bad:
    return tims_diag_set(diag, TIMS_EINVAL,
                         "'%s' is not an ISO-8601 time with a zone; write e.g. 2026-03-01T14:05:00Z or 2026-03-01T16:05:00+02:00",
                         text ? text : "");
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void tims_node_format_time(int64_t us, char out[32])
{
    int64_t secs = floor_div(us, 1000000);
    int micro = (int)(us - secs * 1000000);
    int64_t days = floor_div(secs, 86400);
    int rem = (int)(secs - days * 86400);
    int y, m, d;
    tims_stay_date_from_day((int32_t)days, &y, &m, &d);
    unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
    unsigned uh = (unsigned)rem / 3600u % 100u, umi = (unsigned)rem / 60u % 60u, us_ = (unsigned)rem % 60u;
    if (micro)
        snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", uy, um, ud, uh, umi, us_,
                 (unsigned)micro % 1000000u);
    else
        snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", uy, um, ud, uh, umi, us_);
}

int32_t tims_node_day_of(const tims_node *n, int64_t us)
{
    int64_t local = us + (int64_t)n->cfg.utc_offset_minutes * 60 * 1000000;
    return (int32_t)floor_div(local, 86400LL * 1000000);
}

tims_err tims_node_parse_doc(const char *text, char state[4], char number[24], tims_diag *diag)
{
    const char *colon = text ? strchr(text, ':') : NULL;
    size_t slen = colon ? (size_t)(colon - text) : 0;
    size_t nlen = colon ? strlen(colon + 1) : 0;
    int ok = colon && slen >= 1 && slen <= 3 && nlen >= 1 && nlen < 24;
    for (size_t i = 0; ok && i < slen; i++)
        ok = text[i] >= 'A' && text[i] <= 'Z';
    for (size_t i = 0; ok && i < nlen; i++) {
        char c = colon[1 + i];
        ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    if (!ok)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "'%s' is not a document key; write ISSUING-STATE:NUMBER as in the MRZ, e.g. UTO:L898902C3",
                             text ? text : "");
    memcpy(state, text, slen);
    state[slen] = '\0';
    memcpy(number, colon + 1, nlen);
    number[nlen] = '\0';
    return TIMS_OK;
}

/* ---- small shared helpers ---------------------------------------------------------------- */

tims_err node_json_string(tims_buf *out, const char *s)
{
    tims_err err = tims_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; err == TIMS_OK && *p; p++) {
        if (*p == '"' || *p == '\\')
            err = tims_buf_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            err = tims_buf_printf(out, "\\u%04x", *p);
        else
            err = tims_buf_putc(out, (char)*p);
    }
    if (err == TIMS_OK)
        err = tims_buf_putc(out, '"');
    return err;
}

int node_country_ok(const char *code)
{
    return tims_country_by_code(code) != NULL;
}

int node_decision_valid(const char *s)
{
    return strcmp(s, NODE_DECISION_CLEARED) == 0 || strcmp(s, NODE_DECISION_REFERRED) == 0 ||
           strcmp(s, "refused") == 0;
}
