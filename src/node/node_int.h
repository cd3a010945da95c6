/* node_int.h - what the files of src/node share: the node record and small helpers. */
#ifndef TIMS_NODE_INT_H
#define TIMS_NODE_INT_H

#include "tims/node.h"

struct node_screen; /* the screening state (screen.c) */

struct tims_node {
    char *dir;
    tims_node_config cfg;
    tims_keypair kp;
    int has_key;
    tims_store *store;
    tims_stay_rules *rules;
    struct node_screen *screen;
};

/* node_path - dir/file (or file when it is absolute) into out. */
tims_err node_path(const char *dir, const char *file, char *out, size_t size, tims_diag *diag);
/* node_read_file - a whole file into out (appended). */
tims_err node_read_file(const char *path, tims_buf *out, tims_diag *diag);

/* The screening seam (screen.c): open the node's lists, screen one traveller. */
typedef struct node_person {
    const char *surname;
    const char *given_names;
    const char *birth_date;   /* YYYY-MM-DD, may hold XX */
    const char *nationality;
    const char *sex;
    const char *issuing_state;
    const char *doc_number;
} node_person;

tims_err node_screen_open(tims_node *n, tims_diag *diag);
void node_screen_close(tims_node *n);
/* node_screen - the "screening" object as JSON text (*json owned by the caller); *hit is 1
 * for a hit, 0 for none (or no lists), -1 when lists exist but could not be searched. */
tims_err node_screen(tims_node *n, const node_person *p, char **json, int *hit, tims_diag *diag);

/* The fields of an MRZ that a crossing needs (mrz_read.c adapts the MRZ parser). */
typedef struct node_mrz {
    char doc_code[4];
    char issuing_state[4];
    char doc_number[24];
    char surname[128];
    char given_names[128];
    char nationality[4];
    char birth_date[11];     /* YYYY-MM-DD, XX for unknown parts */
    char sex[2];             /* M, F or X */
    int32_t expiry_day;      /* TIMS_STAY_UNKNOWN when the MRZ has none */
} node_mrz;

/* node_mrz_read - parse and check the MRZ text (today decides birth centuries);
 * TIMS_EDATA listing every error in diag. */
tims_err node_mrz_read(const char *text, size_t len, int32_t today, node_mrz *out, tims_diag *diag);

/* node_visits - pair crossings (oldest first) into visits; *out owned by the caller;
 * *inside = 1 when the last visit is still open. */
tims_err node_visits(const tims_node *n, const tims_crossing *c, size_t count,
                     tims_stay_visit **out, size_t *visit_count, int *inside);

/* node_json_string - s as a JSON string (quoted, escaped), appended to out. */
tims_err node_json_string(tims_buf *out, const char *s);

/* node_country_ok - 1 for a code the country table knows. */
int node_country_ok(const char *code);

/* Decisions a crossing records, in the store's words: a cleared crossing is recorded as
 * "admitted", a referred one as "referred"; an officer's correction may set "refused". */
#define NODE_DECISION_CLEARED "admitted"
#define NODE_DECISION_REFERRED "referred"
#define NODE_DECISIONS_TEXT "admitted, refused or referred"
int node_decision_valid(const char *s);

#endif
