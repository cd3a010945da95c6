/* sqlite_write.c - appending: group commit (sequence under a lock, sign outside it, a leader
 * writes the signed queue in one transaction, then syncs the log while the next leader writes),
 * crossings, corrections, redactions, and import of other origins' entries with equivocation
 * detection. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "store/sqlite_int.h"

/* ---- group commit -------------------------------------------------------------------- */

/* A batch goes through two stages. A leader writes it into the log in one transaction with
 * synchronous=NORMAL, so COMMIT returns without an fsync, and hands leadership on; then it
 * makes the log durable with an fdatasync outside the write lock, while the next leader
 * already writes the next batch. Up to STORE_SYNC_SLOTS fdatasyncs run at once, each on its
 * own descriptor of the log, so a batch's sync does not wait for the one before it: the disk
 * completes overlapping flushes almost as fast as one (two threads reached 1.85 times the rate
 * of one on the development VM), and handing the sync on to a sleeping thread left the disk
 * idle for about 90 µs per batch there.
 *
 * A batch is durable once an fdatasync that started after it was written has returned without
 * error; batches are acknowledged in the order they were written, and after any failed
 * fdatasync nothing more is acknowledged and the store takes no more writes. The descriptors
 * must be separate: Linux reports a writeback error once per open file, so of two concurrent
 * fdatasyncs on one descriptor, the second could return success over lost pages. Other writes
 * (import, reindex, migrations) keep synchronous=FULL. */

/* store_open_sync_slots - open each sync slot's descriptor of the write-ahead log, once, when
 * the store opens for writing (under no lock: nothing else runs yet). They must all exist
 * before the first write: Linux reports a writeback error to every open file whose last
 * look predates it, but not to a file opened after someone was told, so a slot opened late
 * could miss the error and acknowledge lost pages. The folder is synced too, as SQLite does on
 * the first sync of a new log. SQLite deletes the log only when the last connection closes,
 * and this store keeps its own open. The log is never stat'ed: on kernels with fine-grained
 * timestamps, a stat makes the next write update the inode, which every fdatasync must then
 * write too. */
tims_err store_open_sync_slots(tims_store *s, tims_diag *diag)
{
    char path[4200];
    snprintf(path, sizeof path, "%s-wal", s->path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && store_exec(s->db, "BEGIN IMMEDIATE; COMMIT") == SQLITE_OK)
        fd = open(path, O_RDONLY | O_CLOEXEC); /* an empty write makes SQLite create the log */
    for (int i = 0; fd >= 0 && i < STORE_SYNC_SLOTS; i++)
        if ((s->wal_fd[i] = i ? open(path, O_RDONLY | O_CLOEXEC) : fd) < 0)
            fd = -1;
    if (fd >= 0) {
        char *slash = strrchr(path, '/');
        if (slash)
            *slash = 0;
        int dir = open(slash ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || fsync(dir) != 0)
            fd = -1;
        if (dir >= 0)
            close(dir);
    }
    if (fd >= 0)
        return TIMS_OK;
    int e = errno;
    return tims_diag_set(diag, e == EMFILE || e == ENFILE ? TIMS_ENOMEM : TIMS_EIO,
                         "cannot open the write-ahead log %s-wal (or sync its folder) to make "
                         "writes durable: %s; nothing was written",
                         s->path, strerror(e));
}

/* Waking callers. Every caller sleeps on one futex word of the store (wake_word) with its own
 * bit; a waker bumps the word under q_mu and, once q_mu is released, wakes every caller it
 * gathered with one FUTEX_WAKE_BITSET call. One call for a whole batch matters on virtual
 * machines, where waking a thread on an idle CPU costs the waker about 10 µs each. A caller
 * that was about to sleep when the word moved does not sleep, and looks again; two callers may
 * share a bit, which only costs one of them a needless look. The waker skips the call when no
 * caller sleeps: a caller counts itself in `sleeping` under q_mu before it reads the word, so
 * a waker that took q_mu after it sees the count. */
typedef struct wakeups {
    uint32_t bits;
} wakeups;

/* wake_later - wake w's caller once q_mu is released (under q_mu). */
static void wake_later(tims_store *s, wakeups *wk, const waiter *w)
{
    atomic_fetch_add_explicit(&s->wake_word, 1, memory_order_relaxed);
    wk->bits |= w->bit;
}

/* wake_now - wake what wake_later gathered (without q_mu). */
static void wake_now(tims_store *s, wakeups *wk)
{
    if (wk->bits && atomic_load_explicit(&s->sleeping, memory_order_relaxed))
        syscall(SYS_futex, &s->wake_word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, wk->bits);
    wk->bits = 0;
}

/* sleep_on - sleep until woken (under q_mu, which it releases and takes again). */
static void sleep_on(tims_store *s, const waiter *w)
{
    uint32_t seen = atomic_load_explicit(&s->wake_word, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sleeping, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->q_mu);
    syscall(SYS_futex, &s->wake_word, FUTEX_WAIT_BITSET_PRIVATE, seen, NULL, NULL, w->bit);
    pthread_mutex_lock(&s->q_mu);
    atomic_fetch_sub_explicit(&s->sleeping, 1, memory_order_relaxed);
}

/* waiter_take - a waiter for one append call, from the pool (under q_mu); NULL: no memory. */
static waiter *waiter_take(tims_store *s)
{
    waiter *w = s->free_waiters;
    if (w) {
        s->free_waiters = w->next_free;
        return w;
    }
    if (!(w = tims_calloc(1, sizeof *w)))
        return NULL;
    w->bit = 1u << (s->nwaiters++ % 32);
    w->next_all = s->all_waiters;
    s->all_waiters = w;
    return w;
}

void store_free_waiters(tims_store *s)
{
    for (waiter *w = s->all_waiters, *next; w; w = next) {
        next = w->next_all;
        tims_free(w);
    }
    s->all_waiters = s->free_waiters = NULL;
}

/* finish - mark the entries of list (linked by next) done with err, giving failed ones the
 * sentence in why, and gather their callers to wake (under q_mu). */
static void finish(tims_store *s, pending *list, tims_err err, const tims_diag *why, wakeups *wk)
{
    for (pending *p = list, *next; p; p = next) {
        next = p->next;
        p->err = err;
        if (err != TIMS_OK)
            p->diag = *why;
        p->done = 1;
        wake_later(s, wk, p->wake);
    }
}

/* append_list - move list (linked by next) to the end of *head / *tail (under q_mu). */
static void append_list(pending **head, pending **tail, pending *list)
{
    if (!list)
        return;
    pending *end = list;
    while (end->next)
        end = end->next;
    if (*tail)
        (*tail)->next = list;
    else
        *head = list;
    *tail = end;
}

/* wake_next_leader - when the next batch may be written, gather the owner of the queue's front
 * to wake (under q_mu). */
static void wake_next_leader(tims_store *s, wakeups *wk)
{
    if (s->unsynced == 0 && s->q_head && s->q_head->sig_ready)
        wake_later(s, wk, s->q_head->wake);
}

/* fail_unacknowledged - after a failed fdatasync, fail every written entry not yet
 * acknowledged and every queued one (under q_mu). */
static void fail_unacknowledged(tims_store *s, wakeups *wk)
{
    tims_diag why;
    tims_diag_set(&why, s->broken, "%s", s->broken_why);
    finish(s, s->w_head, s->broken, &why, wk);
    finish(s, s->q_head, s->broken, &why, wk);
    s->w_head = s->w_tail = s->q_head = s->q_tail = NULL;
}

/* make_durable - make batch `number` (just written by this caller's thread) durable in a free
 * sync slot and acknowledge every batch up to it, unless the store broke (called without
 * q_mu). */
static void make_durable(tims_store *s, uint64_t number, waiter *mine)
{
    wakeups wk = {0};
    int slot = -1;
    pthread_mutex_lock(&s->q_mu);
    while (s->broken == TIMS_OK) {
        for (int i = 0; i < STORE_SYNC_SLOTS && slot < 0; i++)
            if (!s->slot_busy[i])
                slot = i;
        if (slot >= 0)
            break;
        s->slot_waiter = mine; /* at most one batch waits for its sync (unsynced) */
        sleep_on(s, mine);
    }
    s->unsynced--;
    wake_next_leader(s, &wk); /* the next batch is written while this one syncs */
    if (slot < 0) {           /* the store broke while this batch waited for a slot */
        fail_unacknowledged(s, &wk);
        pthread_mutex_unlock(&s->q_mu);
        wake_now(s, &wk);
        return;
    }
    s->slot_busy[slot] = 1;
    int injected = s->test_sync_errno;
    store_sync_hook hook = s->test_sync_hook;
    void *hook_arg = s->test_sync_arg;
    pthread_mutex_unlock(&s->q_mu);
    wake_now(s, &wk);

    int e = injected;
    if (hook)
        e = hook(hook_arg, slot, number);
    else if (!e && fdatasync(s->wal_fd[slot]) != 0)
        e = errno ? errno : EIO;

    pthread_mutex_lock(&s->q_mu);
    s->slot_busy[slot] = 0;
    if (s->slot_waiter) {
        wake_later(s, &wk, s->slot_waiter);
        s->slot_waiter = NULL;
    }
    if (e && s->broken == TIMS_OK) {
        s->broken = e == ENOSPC || e == EDQUOT ? TIMS_ENOSPC : TIMS_EIO;
        snprintf(s->broken_why, sizeof s->broken_why,
                 "the write-ahead log of %.60s could not be made durable (%s): nothing since "
                 "is acknowledged and the store takes no more writes; check the disk, then "
                 "restart",
                 s->path, strerror(e));
    }
    if (s->broken != TIMS_OK) {
        fail_unacknowledged(s, &wk);
    } else {
        pending *acked = s->w_head, *end = NULL;
        while (s->w_head && s->w_head->batch <= number)
            s->w_head = (end = s->w_head)->next;
        if (end) {
            end->next = NULL;
            if (!s->w_head)
                s->w_tail = NULL;
            finish(s, acked, TIMS_OK, NULL, &wk);
        }
    }
    pthread_mutex_unlock(&s->q_mu);
    wake_now(s, &wk);
}

/* write_batch - the leader writes a batch into the log in one transaction (not yet durable). */
static tims_err write_batch(tims_store *s, pending *batch, tims_diag *diag)
{
    tims_err err = TIMS_OK;
    size_t entries = 0;
    for (pending *p = batch; p && entries < STORE_BULK_ENTRIES; p = p->next)
        entries++;
    pthread_mutex_lock(&s->w_mu);
    store_bulk_cache(s, entries >= STORE_BULK_ENTRIES);
    int rc = store_prep(s->db, &s->sync_off, "PRAGMA synchronous=NORMAL");
    if (rc == SQLITE_OK)
        rc = store_step_done(s->sync_off);
    if (rc == SQLITE_OK)
        rc = store_prep(s->db, &s->begin, "BEGIN IMMEDIATE");
    if (rc == SQLITE_OK)
        rc = store_step_done(s->begin);
    if (rc != SQLITE_OK)
        err = store_sql_fail(s, s->db, rc, diag, "starting a transaction");
    int64_t oid = 0;
    for (pending *p = batch, *prev = NULL; p && err == TIMS_OK; prev = p, p = p->next) {
        if ((!prev || memcmp(prev->e.origin, p->e.origin, TIMS_PUBKEY_LEN) != 0) &&
            (rc = store_origin_id(s, p->e.origin, 1, &oid)) != SQLITE_OK) {
            err = store_sql_fail(s, s->db, rc, diag, "registering the origin");
            break;
        }
        err = store_write_entry(s, oid, &p->e, &p->d, diag);
        if (err == TIMS_OK &&
            (!p->next || memcmp(p->next->e.origin, p->e.origin, TIMS_PUBKEY_LEN) != 0) &&
            (rc = store_put_head(s, SCHEMA_MAIN, STORE_ID(oid, p->e.seq), p->e.hash)) != SQLITE_OK)
            err = store_sql_fail(s, s->db, rc, diag, "recording the chain head");
    }
    if (err == TIMS_OK && ((rc = store_prep(s->db, &s->commit, "COMMIT")) != SQLITE_OK ||
                           (rc = store_step_done(s->commit)) != SQLITE_OK))
        err = store_sql_fail(s, s->db, rc, diag, "committing");
    if (err != TIMS_OK) {
        store_exec(s->db, "ROLLBACK");
    } else {
        s->commits++;
        for (pending *p = batch; p; p = p->next)
            s->committed++;
    }
    if (store_prep(s->db, &s->sync_on, "PRAGMA synchronous=FULL") != SQLITE_OK ||
        store_step_done(s->sync_on) != SQLITE_OK)
        store_exec(s->db, "PRAGMA synchronous=FULL");
    pthread_mutex_unlock(&s->w_mu);
    return err;
}

/* fail_queue - fail every queued entry: their seqs were handed out after a failed batch, so
 * the heads are reloaded from the database and no chain gets a gap. */
static void fail_queue(tims_store *s, tims_err err, const tims_diag *why)
{
    pthread_mutex_lock(&s->seq_mu);
    pthread_mutex_lock(&s->w_mu);
    tims_diag ld;
    tims_err lerr = store_load_origins(s, &ld);
    pthread_mutex_unlock(&s->w_mu);
    tims_diag after;
    tims_diag_set(&after, err, "not written: an entry before it failed (%s)", why->text);
    wakeups wk = {0};
    pthread_mutex_lock(&s->q_mu);
    if (lerr != TIMS_OK && s->broken == TIMS_OK) {
        /* the chain heads in memory can no longer be trusted: no writes until a restart */
        s->broken = lerr;
        snprintf(s->broken_why, sizeof s->broken_why,
                 "after a failed write the chain heads could not be read back (%.120s): the "
                 "store takes no more writes; restart it",
                 ld.text);
    }
    finish(s, s->q_head, err, &after, &wk);
    s->q_head = s->q_tail = NULL;
    pthread_mutex_unlock(&s->q_mu);
    wake_now(s, &wk);
    pthread_mutex_unlock(&s->seq_mu);
}

/* lead - write the batch taken from the queue, then make it durable (called without q_mu). */
static void lead(tims_store *s, pending *batch, waiter *mine)
{
    tims_diag diag = {{0}};
    tims_err err = write_batch(s, batch, &diag);
    if (err != TIMS_OK)
        fail_queue(s, err, &diag);
    wakeups wk = {0};
    uint64_t number = 0;
    pthread_mutex_lock(&s->q_mu);
    s->leader_active = 0;
    if (err != TIMS_OK) {
        finish(s, batch, err, &diag, &wk);
    } else {
        number = ++s->written;
        for (pending *p = batch; p; p = p->next)
            p->batch = number;
        append_list(&s->w_head, &s->w_tail, batch);
        s->unsynced++;
    }
    wake_next_leader(s, &wk);
    pthread_mutex_unlock(&s->q_mu);
    wake_now(s, &wk);
    if (err == TIMS_OK)
        make_durable(s, number, mine);
}

/* wait_durable - mark the caller's n entries signed, and return when the last is durable (or
 * failed), leading batches while no one else does. A leader takes the signed front of the
 * queue: an entry still being signed, and all after it, wait for the next batch. A batch is
 * written only when every batch before it has reached its sync, so one batch is written while
 * the one before is synced, and the next gathers what arrives meanwhile. */
static void wait_durable(tims_store *s, pending *ps, size_t n)
{
    pending *last = &ps[n - 1];
    waiter *mine = last->wake;
    wakeups wk = {0};
    pthread_mutex_lock(&s->q_mu);
    for (size_t i = 0; i < n; i++)
        ps[i].sig_ready = 1;
    while (!last->done) {
        if (s->broken != TIMS_OK && s->q_head) {
            tims_diag why;
            tims_diag_set(&why, s->broken, "%s", s->broken_why);
            finish(s, s->q_head, s->broken, &why, &wk);
            s->q_head = s->q_tail = NULL;
            continue;
        }
        if (s->leader_active || s->unsynced || !s->q_head || !s->q_head->sig_ready) {
            if (wk.bits) {
                pthread_mutex_unlock(&s->q_mu);
                wake_now(s, &wk);
                pthread_mutex_lock(&s->q_mu);
                continue;
            }
            sleep_on(s, mine);
            continue;
        }
        s->leader_active = 1;
        pending *batch = s->q_head, *end = batch;
        while (end->next && end->next->sig_ready)
            end = end->next;
        s->q_head = end->next;
        if (!s->q_head)
            s->q_tail = NULL;
        end->next = NULL;
        pthread_mutex_unlock(&s->q_mu);
        lead(s, batch, mine);
        pthread_mutex_lock(&s->q_mu);
    }
    mine->next_free = s->free_waiters; /* back to the pool */
    s->free_waiters = mine;
    pthread_mutex_unlock(&s->q_mu);
    wake_now(s, &wk);
}

/* append_items - tims_store_append_many; pre, when given, holds each item's derived rows
 * already (store_derive_crossing), so the bodies are not parsed again. */
static tims_err append_items(tims_store *s, const tims_keypair *kp, const tims_append_item *items,
                             size_t n, const store_derived *pre, tims_entry_ref *out,
                             tims_diag *diag)
{
    tims_err err = TIMS_OK;
    if (n == 0)
        return TIMS_OK;
    if (s->flags & TIMS_STORE_READONLY)
        return tims_diag_set(diag, TIMS_EACCES,
                             "database %s is open read-only; nothing was "
                             "written",
                             s->path);
    pending *ps = tims_calloc(n, sizeof *ps);
    if (!ps)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory for %zu entries", n);
    for (size_t i = 0; i < n; i++) {
        const tims_append_item *it = &items[i];
        if (it->body_len > TIMS_BODY_MAX || (!it->body && it->body_len)) {
            err = tims_diag_set(diag, TIMS_ERANGE, "entry %zu: a body of %zu bytes (at most %u)",
                                i + 1, it->body_len, TIMS_BODY_MAX);
            goto done;
        }
        if (!tims_entry_kind_name((int)it->kind)) {
            err = tims_diag_set(diag, TIMS_EINVAL, "entry kind %d is not known", (int)it->kind);
            goto done;
        }
        if (pre)
            ps[i].d = pre[i];
        else if ((err = store_derive((int)it->kind, it->body, it->body_len, &ps[i].d, diag)) !=
                 TIMS_OK) {
            if (n > 1 && diag) {
                char inner[sizeof diag->text];
                memcpy(inner, diag->text, sizeof inner);
                tims_diag_set(diag, err, "entry %zu of %zu: %s", i + 1, n, inner);
            }
            goto done;
        }
        /* A redaction of a redaction would fail the whole group commit: refuse it here. */
        for (size_t t = 0; t < ps[i].d.ntargets; t++) {
            tims_entry te;
            if (tims_store_get_entry(s, ps[i].d.targets[t].origin, ps[i].d.targets[t].seq, &te,
                                     NULL) != TIMS_OK)
                continue;
            int kind = te.kind;
            tims_entry_clear(&te);
            if (kind == TIMS_KIND_REDACTION) {
                err = tims_diag_set(diag, TIMS_EINVAL,
                                    "entry %zu: a redaction entry (seq %llu) "
                                    "cannot itself be redacted",
                                    i + 1, (unsigned long long)ps[i].d.targets[t].seq);
                goto done;
            }
        }
    }

    /* Outside any lock: copy bodies and hash them. */
    for (size_t i = 0; i < n; i++) {
        tims_entry *e = &ps[i].e;
        if (!(e->body = store_memdup(items[i].body, items[i].body_len))) {
            err = tims_diag_set(diag, TIMS_ENOMEM, "out of memory for an entry body");
            goto done;
        }
        e->body_len = items[i].body_len;
        memcpy(e->origin, kp->pk, TIMS_PUBKEY_LEN);
        e->time_us = items[i].time_us;
        e->kind = (int)items[i].kind;
        tims_body_hash(e->body, e->body_len, e->body_hash);
    }

    /* Under seq_mu: take the next seqs, link and hash, and queue in that order. */
    pthread_mutex_lock(&s->seq_mu);
    origin_slot *o = NULL;
    if (!(o = store_find_slot(s, kp->pk)) && !(o = store_add_slot(s, kp->pk)))
        err = tims_diag_set(diag, TIMS_ENOMEM, "out of memory for an origin");
    else if (o->blocked)
        err = tims_diag_set(diag, TIMS_ETAMPER,
                            "origin is blocked after equivocation (two "
                            "different entries with the same seq); an operator must decide");
    else if (o->seq + n > STORE_SEQ_MAX)
        err = tims_diag_set(diag, TIMS_ERANGE, "the origin's chain is full");
    if (err == TIMS_OK) {
        for (size_t i = 0; i < n; i++) {
            tims_entry *e = &ps[i].e;
            e->seq = (i ? ps[i - 1].e.seq : o->seq) + 1;
            memcpy(e->prev, i ? ps[i - 1].e.hash : o->hash, TIMS_HASH_LEN);
            tims_entry_compute_hash(e, e->hash);
            ps[i].next = i + 1 < n ? &ps[i + 1] : NULL;
        }
        /* the error that stopped writes after a failed fdatasync, if one did */
        pthread_mutex_lock(&s->q_mu);
        waiter *w = NULL;
        if ((err = s->broken) != TIMS_OK)
            tims_diag_set(diag, err, "%s", s->broken_why);
        else if (!(w = waiter_take(s)))
            err = tims_diag_set(diag, TIMS_ENOMEM, "out of memory for a waiter");
        if (w) {
            for (size_t i = 0; i < n; i++)
                ps[i].wake = w;
            append_list(&s->q_head, &s->q_tail, &ps[0]);
        }
        pthread_mutex_unlock(&s->q_mu);
        if (w) {
            o->seq = ps[n - 1].e.seq;
            memcpy(o->hash, ps[n - 1].e.hash, TIMS_HASH_LEN);
        }
    }
    pthread_mutex_unlock(&s->seq_mu);
    if (err != TIMS_OK)
        goto done;

    /* Sign in parallel with other writers; a leader takes only signed entries. */
    for (size_t i = 0; i < n; i++) {
        if (!s->bulk_sign_last_only || i + 1 == n)
            crypto_sign_detached(ps[i].e.sig, NULL, ps[i].e.hash, TIMS_HASH_LEN, kp->sk);
    }
    wait_durable(s, ps, n);
    err = ps[n - 1].err;
    if (err != TIMS_OK) {
        if (diag)
            *diag = ps[n - 1].diag;
        goto done;
    }
    for (size_t i = 0; out && i < n; i++) {
        memcpy(out[i].origin, ps[i].e.origin, TIMS_PUBKEY_LEN);
        out[i].seq = ps[i].e.seq;
        memcpy(out[i].hash, ps[i].e.hash, TIMS_HASH_LEN);
    }
done:
    for (size_t i = 0; i < n; i++) {
        tims_entry_clear(&ps[i].e);
        store_derived_clear(&ps[i].d);
    }
    tims_free(ps);
    return err;
}

tims_err tims_store_append_many(tims_store *s, const tims_keypair *kp,
                                const tims_append_item *items, size_t n, tims_entry_ref *out,
                                tims_diag *diag)
{
    return append_items(s, kp, items, n, NULL, out, diag);
}

tims_err tims_store_append(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           tims_entry_kind kind, const void *body, size_t body_len,
                           tims_entry_ref *out, tims_diag *diag)
{
    tims_append_item it = {time_us, kind, body, body_len};
    return tims_store_append_many(s, kp, &it, 1, out, diag);
}

void tims_store_stats(tims_store *s, uint64_t *commits, uint64_t *entries)
{
    pthread_mutex_lock(&s->w_mu);
    *commits = s->commits;
    *entries = s->committed;
    pthread_mutex_unlock(&s->w_mu);
}

void store_set_cache_mib(tims_store *s, int mib)
{
    pthread_mutex_lock(&s->w_mu);
    s->bulk_cache_kib = 1024 * mib;
    pthread_mutex_unlock(&s->w_mu);
}

void store_test_sync_hook(tims_store *s, store_sync_hook fn, void *arg)
{
    pthread_mutex_lock(&s->q_mu);
    s->test_sync_hook = fn;
    s->test_sync_arg = arg;
    pthread_mutex_unlock(&s->q_mu);
}

void store_test_fail_sync(tims_store *s, int errnum)
{
    pthread_mutex_lock(&s->q_mu);
    s->test_sync_errno = errnum;
    pthread_mutex_unlock(&s->q_mu);
}

void store_bench_sign_last_only(tims_store *s, int on)
{
    s->bulk_sign_last_only = on;
}

/* ---- crossings, corrections, redactions ---------------------------------------------- */

tims_err tims_store_record_crossing(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                    const tims_crossing *c, tims_entry_ref *out, tims_diag *diag)
{
    tims_buf body = {0};
    tims_err err = tims_crossing_to_body(c, &body, diag);
    if (err == TIMS_OK) {
        store_derived d;
        store_derive_crossing(c, &d);
        tims_append_item it = {time_us, TIMS_KIND_CROSSING, body.data, body.len};
        err = append_items(s, kp, &it, 1, &d, out, diag);
    }
    tims_buf_free(&body);
    return err;
}

tims_err tims_store_record_correction(tims_store *s, const tims_keypair *kp, int64_t time_us,
                                      const tims_entry_ref *target, const tims_crossing *values,
                                      unsigned mask, int void_it, const char *reason,
                                      const char *officer, tims_entry_ref *out, tims_diag *diag)
{
    tims_entry e;
    tims_buf body = {0};
    tims_err err = tims_store_get_entry(s, target->origin, target->seq, &e, NULL);
    if (err == TIMS_ENOENT)
        return tims_diag_set(diag, TIMS_ENOENT,
                             "correction: no entry seq %llu of that origin "
                             "to correct",
                             (unsigned long long)target->seq);
    if (err != TIMS_OK)
        return tims_diag_set(diag, err, "correction: cannot read the entry to correct");
    int kind = e.kind, redacted = e.redacted;
    tims_entry_clear(&e);
    if (kind != TIMS_KIND_CROSSING)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "correction: entry seq %llu is a %s, not a "
                             "crossing",
                             (unsigned long long)target->seq, tims_entry_kind_name(kind));
    if (redacted)
        return tims_diag_set(diag, TIMS_EINVAL, "correction: crossing seq %llu is redacted",
                             (unsigned long long)target->seq);
    err = tims_correction_to_body(target, values, mask, void_it, reason, officer, &body, diag);
    if (err == TIMS_OK)
        err =
            tims_store_append(s, kp, time_us, TIMS_KIND_CORRECTION, body.data, body.len, out, diag);
    tims_buf_free(&body);
    return err;
}

tims_err tims_store_redact(tims_store *s, const tims_keypair *kp, int64_t time_us,
                           const tims_entry_ref *targets, size_t n, const char *reason,
                           tims_entry_ref *out, tims_diag *diag)
{
    if (n == 0 || !targets)
        return tims_diag_set(diag, TIMS_EINVAL, "redaction: no entries named");
    if (!reason || !*reason || strlen(reason) > 255)
        return tims_diag_set(diag, TIMS_EINVAL,
                             "redaction: a reason of 1 to 255 bytes is "
                             "required");
    tims_buf body = {0};
    tims_err err = TIMS_OK;
    for (size_t i = 0; i < n; i++) {
        tims_entry e;
        err = tims_store_get_entry(s, targets[i].origin, targets[i].seq, &e, NULL);
        if (err != TIMS_OK) {
            err = tims_diag_set(diag, err == TIMS_ENOENT ? TIMS_ENOENT : err,
                                "redaction: entry %zu (seq %llu) is not in the store", i + 1,
                                (unsigned long long)targets[i].seq);
            goto done;
        }
        int kind = e.kind;
        tims_entry_clear(&e);
        if (kind == TIMS_KIND_REDACTION) {
            err = tims_diag_set(diag, TIMS_EINVAL,
                                "redaction: entry %zu (seq %llu) is a "
                                "redaction, which cannot be redacted",
                                i + 1, (unsigned long long)targets[i].seq);
            goto done;
        }
    }
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    if ((err = tims_buf_puts(&body, "{\"targets\":[")) != TIMS_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        tims_hex(targets[i].origin, TIMS_PUBKEY_LEN, hex);
        if ((err = tims_buf_printf(&body, "%s{\"origin\":\"%s\",\"seq\":%llu}", i ? "," : "", hex,
                                   (unsigned long long)targets[i].seq)) != TIMS_OK)
            goto done;
    }
    if ((err = tims_buf_puts(&body, "],\"reason\":")) != TIMS_OK)
        goto done;
    json_t *r = json_string(reason);
    char *rtext = r ? json_dumps(r, JSON_ENCODE_ANY) : NULL;
    json_decref(r);
    if (!rtext) {
        err = tims_diag_set(diag, TIMS_EINVAL, "redaction: the reason is not valid UTF-8");
        goto done;
    }
    err = tims_buf_puts(&body, rtext);
    free(rtext);
    if (err == TIMS_OK && (err = tims_buf_putc(&body, '}')) == TIMS_OK)
        err =
            tims_store_append(s, kp, time_us, TIMS_KIND_REDACTION, body.data, body.len, out, diag);
done:
    tims_buf_free(&body);
    return err;
}

/* ---- import and equivocation --------------------------------------------------------- */

/* record_equivocation - keep a validly signed rival entry as evidence and block its origin. */
static tims_err record_equivocation(tims_store *s, int64_t oid, const tims_entry *e,
                                    tims_diag *diag)
{
    sqlite3_stmt *st;
    int rc = store_exec(s->db, "BEGIN IMMEDIATE");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT OR IGNORE INTO main.equivocations VALUES(?1,?2,?3,"
                                "?4,?5,?6,?7,?8,?9)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, oid);
        sqlite3_bind_int64(st, 2, (int64_t)e->seq);
        sqlite3_bind_int64(st, 3, e->time_us);
        sqlite3_bind_int(st, 4, e->kind);
        if (e->redacted)
            sqlite3_bind_null(st, 5);
        else
            sqlite3_bind_blob(st, 5, e->body ? (const void *)e->body : "", (int)e->body_len,
                              SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, e->body_hash, TIMS_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 7, e->prev, TIMS_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 8, e->hash, TIMS_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 9, e->sig, TIMS_SIG_LEN, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_OK) {
        char sql[80];
        snprintf(sql, sizeof sql, "UPDATE main.origins SET blocked = 1 WHERE id = %lld",
                 (long long)oid);
        rc = store_exec(s->db, sql);
    }
    if (rc == SQLITE_OK)
        rc = store_exec(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        tims_err err = store_sql_fail(s, s->db, rc, diag, "recording equivocation evidence");
        store_exec(s->db, "ROLLBACK");
        return err;
    }
    return TIMS_OK;
}

static int stored_hash(tims_store *s, int64_t id, uint8_t hash[TIMS_HASH_LEN], int *found)
{
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(s->db, "SELECT hash FROM main.journal WHERE id = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == TIMS_HASH_LEN;
    if (*found)
        memcpy(hash, sqlite3_column_blob(st, 0), TIMS_HASH_LEN);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

tims_err tims_store_import(tims_store *s, const tims_entry *entries, size_t n,
                           tims_verify_fail *fail, tims_diag *diag)
{
    tims_verify_fail local;
    if (!fail)
        fail = &local;
    memset(fail, 0, sizeof *fail);
    if (s->flags & TIMS_STORE_READONLY)
        return tims_diag_set(diag, TIMS_EACCES,
                             "database %s is open read-only; nothing was "
                             "written",
                             s->path);
    if (n == 0)
        return TIMS_OK;
    tims_err err = TIMS_OK;
    char hex[2 * TIMS_PUBKEY_LEN + 1];
    store_derived *ds = tims_calloc(n, sizeof *ds);
    if (!ds)
        return tims_diag_set(diag, TIMS_ENOMEM, "out of memory for %zu entries", n);
    for (size_t i = 0; i < n; i++) {
        const tims_entry *e = &entries[i];
        tims_diag dd;
        if (e->body_len > TIMS_BODY_MAX || (!e->redacted && !e->body && e->body_len)) {
            tims_hex(e->origin, TIMS_PUBKEY_LEN, hex);
            err = tims_diag_set(diag, TIMS_ERANGE,
                                "origin %s seq %llu: a body of %zu bytes (at "
                                "most %u); nothing was imported",
                                hex, (unsigned long long)e->seq, e->body_len, TIMS_BODY_MAX);
            goto out;
        }
        if (e->redacted || !tims_entry_kind_name(e->kind))
            continue; /* an unknown kind fails the chain check below */
        if (store_derive(e->kind, e->body ? (const void *)e->body : "", e->body_len, &ds[i], &dd) !=
            TIMS_OK) {
            tims_hex(e->origin, TIMS_PUBKEY_LEN, hex);
            err = tims_diag_set(diag, TIMS_EDATA, "origin %s seq %llu: %s; nothing was imported",
                                hex, (unsigned long long)e->seq, dd.text);
            goto out;
        }
    }
    pthread_mutex_lock(&s->seq_mu);
    pthread_mutex_lock(&s->w_mu);
    store_bulk_cache(s, 1);
    const tims_entry *rival = NULL;
    int64_t rival_oid = 0;
    int rc = store_exec(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        err = store_sql_fail(s, s->db, rc, diag, "starting an import");
        goto unlock;
    }
    for (size_t i = 0; i < n && err == TIMS_OK;) {
        size_t j = i;
        while (j < n && memcmp(entries[j].origin, entries[i].origin, TIMS_PUBKEY_LEN) == 0)
            j++;
        int64_t oid;
        uint64_t head;
        uint8_t head_hash[TIMS_HASH_LEN];
        origin_slot *o = store_find_slot(s, entries[i].origin);
        if (o && o->blocked) {
            err = store_set_fail(fail, TIMS_VP_EQUIVOCATION, entries[i].origin, entries[i].seq,
                                 "the origin is blocked after equivocation");
            break;
        }
        if ((rc = store_origin_id(s, entries[i].origin, 1, &oid)) != SQLITE_OK ||
            (rc = store_db_head(s->db, oid, &head, head_hash)) != SQLITE_OK) {
            err = store_sql_fail(s, s->db, rc, diag, "reading a chain head");
            break;
        }
        tims_chain c;
        tims_chain_begin(&c, entries[i].origin, head, head ? head_hash : NULL, TIMS_VERIFY_STRICT);
        for (size_t k = i; k < j && err == TIMS_OK; k++) {
            const tims_entry *e = &entries[k];
            if (e->seq >= 1 && e->seq <= head) {
                uint8_t h[TIMS_HASH_LEN];
                int found;
                if ((rc = stored_hash(s, STORE_ID(oid, e->seq), h, &found)) != SQLITE_OK) {
                    err = store_sql_fail(s, s->db, rc, diag, "reading a stored entry");
                    break;
                }
                if (found && memcmp(h, e->hash, TIMS_HASH_LEN) == 0) {
                    tims_chain_begin(&c, e->origin, e->seq, e->hash, TIMS_VERIFY_STRICT);
                    continue; /* a repeat: harmless */
                }
                tims_chain own;
                tims_chain_begin(&own, e->origin, e->seq - 1, e->prev, TIMS_VERIFY_STRICT);
                if ((err = tims_chain_step(&own, e, fail)) != TIMS_OK)
                    break;
                rival = e;
                rival_oid = oid;
                err =
                    store_set_fail(fail, TIMS_VP_EQUIVOCATION, e->origin, e->seq,
                                   "a validly signed entry differs from the stored entry with this "
                                   "seq: the origin's key is forked or stolen; it is now blocked");
                break;
            }
            if ((err = tims_chain_step(&c, e, fail)) != TIMS_OK)
                break;
            err = store_write_entry(s, oid, e, &ds[k], diag);
        }
        if (err == TIMS_OK && c.last_seq > head &&
            (rc = store_put_head(s, SCHEMA_MAIN, STORE_ID(oid, c.last_seq), c.last_hash)) !=
                SQLITE_OK)
            err = store_sql_fail(s, s->db, rc, diag, "recording the chain head");
        i = j;
    }
    if (err == TIMS_OK && (rc = store_exec(s->db, "COMMIT")) != SQLITE_OK)
        err = store_sql_fail(s, s->db, rc, diag, "committing an import");
    if (err != TIMS_OK)
        store_exec(s->db, "ROLLBACK");
    if (rival) {
        tims_diag ed;
        if (record_equivocation(s, rival_oid, rival, &ed) != TIMS_OK)
            snprintf(fail->detail, sizeof fail->detail,
                     "equivocation found but its evidence "
                     "could not be stored: %.150s",
                     ed.text);
    }
    tims_diag ld;
    store_load_origins(s, &ld);
unlock:
    pthread_mutex_unlock(&s->w_mu);
    pthread_mutex_unlock(&s->seq_mu);
    if (err == TIMS_ETAMPER && diag) {
        tims_hex(fail->origin, TIMS_PUBKEY_LEN, hex);
        tims_diag_set(diag, TIMS_ETAMPER, "origin %s seq %llu: %s: %s; nothing was imported", hex,
                      (unsigned long long)fail->seq, tims_verify_problem_text(fail->problem),
                      fail->detail);
    }
out:
    for (size_t i = 0; i < n; i++)
        store_derived_clear(&ds[i]);
    tims_free(ds);
    return err;
}
