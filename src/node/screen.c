/* screen.c - the screening seam of the node: where a traveller meets the watchlists.
 *
 * The lists live in the node folder (DIR/lists, `tims list import`); they are loaded, checked
 * against their manifests and indexed on the first crossing that needs them, then kept while
 * the node is open. A node with no lists says so honestly in every crossing:
 * {"status": "no lists loaded"}; one whose lists cannot be loaded says "failed" and why, and
 * the crossing is referred (a crossing is never reported as screened when it was not). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_int.h"
#include "tims/watchlist.h"

#define MAX_HITS 16

struct node_screen {
    pthread_mutex_t lock;    /* guards the lazy load; the index is read-only afterwards */
    int loaded;              /* the lists were looked for */
    tims_err load_err;       /* TIMS_OK, or why they could not be used */
    char load_error[512];
    tims_wl_list **lists;
    size_t count;
    tims_wl_index *index;
    size_t entries;
};

tims_err node_screen_open(tims_node *n, tims_diag *diag)
{
    (void)diag;
    n->screen = tims_calloc(1, sizeof *n->screen);
    if (!n->screen)
        return TIMS_ENOMEM;
    pthread_mutex_init(&n->screen->lock, NULL);
    return TIMS_OK;
}

void node_screen_close(tims_node *n)
{
    if (!n->screen)
        return;
    tims_wl_index_free(n->screen->index);
    tims_wl_lists_free(n->screen->lists, n->screen->count);
    pthread_mutex_destroy(&n->screen->lock);
    tims_free(n->screen);
    n->screen = NULL;
}

static void load(tims_node *n)
{
    struct node_screen *s = n->screen;
    tims_diag d = {{0}};
    s->loaded = 1;
    s->load_err = tims_wl_load_dir(n->dir, &s->lists, &s->count, &d);
    if (s->load_err == TIMS_OK && s->count > 0)
        s->load_err = tims_wl_index_build((const tims_wl_list *const *)s->lists, s->count, &s->index, &d);
    if (s->load_err != TIMS_OK)
        snprintf(s->load_error, sizeof s->load_error, "%s", d.text[0] ? d.text : tims_strerror(s->load_err));
    for (size_t i = 0; i < s->count; i++)
        s->entries += s->lists[i]->count;
}

static tims_err put_str(tims_buf *b, const char *key, const char *value)
{
    tims_err err = tims_buf_printf(b, ",\"%s\":", key);
    return err == TIMS_OK ? node_json_string(b, value ? value : "") : err;
}

static tims_err hit_json(tims_buf *b, const tims_wl_hit *h, int first)
{
    tims_err err = tims_buf_printf(b, "%s{\"score\":%.3f,\"name_score\":%.3f,\"document_hit\":%s", first ? "" : ",",
                                   h->score, h->name_score, h->document_hit ? "true" : "false");
    if (err == TIMS_OK)
        err = put_str(b, "list", h->list->name ? h->list->name : h->list->source);
    if (err == TIMS_OK)
        err = put_str(b, "entry", h->entry->id);
    if (err == TIMS_OK)
        err = put_str(b, "listed_name", h->entry->name_count ? h->entry->names[0].full : "");
    if (err == TIMS_OK)
        err = put_str(b, "matched_name", h->matched_name);
    if (err == TIMS_OK)
        err = put_str(b, "category", tims_wl_category_name(h->entry->category));
    if (err == TIMS_OK)
        err = tims_buf_puts(b, ",\"reasons\":[");
    for (size_t i = 0; err == TIMS_OK && i < h->reason_count; i++) {
        if (i)
            err = tims_buf_putc(b, ',');
        if (err == TIMS_OK)
            err = node_json_string(b, h->reasons[i]);
    }
    if (err == TIMS_OK)
        err = tims_buf_puts(b, "]}");
    return err;
}

/* mrz_dob - an MRZ birth date ("1974-08-12", "1974-XX-XX") as a query date. */
static void mrz_dob(const char *text, tims_wl_date *out)
{
    memset(out, 0, sizeof *out);
    char buf[11];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    if (strlen(buf) != 10 || buf[0] == 'X')
        return;
    if (buf[5] == 'X')
        buf[4] = '\0';
    else if (buf[8] == 'X')
        buf[7] = '\0';
    if (tims_wl_date_parse(buf, out, NULL) != TIMS_OK)
        memset(out, 0, sizeof *out);
}

tims_err node_screen(tims_node *n, const node_person *p, char **json, int *hit, tims_diag *diag)
{
    struct node_screen *s = n->screen;
    tims_buf b = {0};
    tims_err err = TIMS_OK;
    tims_wl_hit *hits = NULL;
    *hit = 0;
    *json = NULL;
    pthread_mutex_lock(&s->lock);
    if (!s->loaded)
        load(n);
    pthread_mutex_unlock(&s->lock);
    if (s->load_err != TIMS_OK) {
        *hit = -1; /* the caller refers: screening failed */
        err = tims_buf_puts(&b, "{\"status\":\"failed\"");
        if (err == TIMS_OK)
            err = put_str(&b, "error", s->load_error);
        if (err == TIMS_OK)
            err = tims_buf_putc(&b, '}');
        goto done;
    }
    if (s->count == 0) {
        err = tims_buf_puts(&b, "{\"status\":\"no lists loaded\"}");
        goto done;
    }
    char name[300];
    snprintf(name, sizeof name, "%s%s%s", p->given_names, p->given_names[0] ? " " : "", p->surname);
    tims_wl_query q;
    memset(&q, 0, sizeof q);
    q.name = name;
    mrz_dob(p->birth_date, &q.dob);
    snprintf(q.nationality, sizeof q.nationality, "%s", p->nationality);
    q.sex = p->sex[0] == 'M' || p->sex[0] == 'F' ? p->sex[0] : 0;
    q.doc_number = p->doc_number;
    snprintf(q.doc_country, sizeof q.doc_country, "%s", p->issuing_state);
    q.threshold = n->cfg.threshold;
    size_t count = 0;
    if (!(hits = tims_calloc(MAX_HITS, sizeof *hits))) {
        err = TIMS_ENOMEM;
        goto done;
    }
    tims_diag d = {{0}};
    tims_err serr = tims_wl_screen(s->index, &q, hits, MAX_HITS, &count, &d);
    if (serr != TIMS_OK) {
        *hit = -1;
        err = tims_buf_puts(&b, "{\"status\":\"failed\"");
        if (err == TIMS_OK)
            err = put_str(&b, "error", d.text[0] ? d.text : tims_strerror(serr));
        if (err == TIMS_OK)
            err = tims_buf_putc(&b, '}');
        goto done;
    }
    *hit = count > 0;
    err = tims_buf_printf(&b, "{\"status\":\"screened\",\"threshold\":%.2f,\"lists\":[", q.threshold);
    for (size_t i = 0; err == TIMS_OK && i < s->count; i++) {
        const tims_wl_list *l = s->lists[i];
        err = tims_buf_printf(&b, "%s{\"name\":", i ? "," : "");
        if (err == TIMS_OK)
            err = node_json_string(&b, l->name ? l->name : l->source);
        if (err == TIMS_OK)
            err = put_str(&b, "release", l->release);
        if (err == TIMS_OK)
            err = tims_buf_printf(&b, ",\"entries\":%zu}", l->count);
    }
    if (err == TIMS_OK)
        err = tims_buf_puts(&b, "],\"hits\":[");
    for (size_t i = 0; err == TIMS_OK && i < count; i++)
        err = hit_json(&b, &hits[i], i == 0);
    if (err == TIMS_OK)
        err = tims_buf_puts(&b, "]}");
done:
    tims_free(hits);
    if (err == TIMS_OK && !(*json = tims_buf_steal(&b)))
        err = TIMS_ENOMEM;
    tims_buf_free(&b);
    (void)diag;
    return err;
}
