/* node.h - a tims node: its folder, settings, key and store, and what it does with crossings.
 *
 * The node layer is what the CLI (and later the HTTP service) calls. Data flows one way:
 * input -> parse (MRZ) -> screen -> decide (stay rules, document, history) -> journal ->
 * indexes. A node folder holds tims.ini (settings, docs/node.md), node.key (the secret key,
 * mode 0600), tims.db (the store) and stay-rules.ini.
 *
 * Ownership: tims_node_open() returns a node the caller closes with tims_node_close() (safe on
 * NULL); pointers it hands out (config, store) are borrowed until then. Results own their
 * memory and are released with their _clear function (safe on a zeroed result).
 * Nothing here prints, exits, or reads the clock or environment: `now_us` is an argument. */
#ifndef TIMS_NODE_H
#define TIMS_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"
#include "tims/journal.h"
#include "tims/stay.h"
#include "tims/store.h"

#define TIMS_NODE_CONFIG_FILE "tims.ini"
#define TIMS_NODE_RULES_FILE "stay-rules.ini"

typedef enum tims_node_role {
    TIMS_ROLE_BCP = 1,
    TIMS_ROLE_HUB = 2
} tims_node_role;

/* The settings in tims.ini. */
typedef struct tims_node_config {
    char name[32];           /* the node's name: letters, digits, '-', '_', '.' */
    tims_node_role role;
    char country[4];         /* the node's country (MRZ code), "" when not set: no nationals */
    char bcp[32];            /* the crossing point code written into crossings (default: name) */
    char stay_rules[256];    /* the stay rules file, relative to the folder; "" = built-in */
    int utc_offset_minutes;  /* the local calendar day for stay counting = UTC + this */
    double threshold;        /* screening score threshold, 0..1 */
    int max_skew_seconds;    /* how far in the future a crossing time may lie (clock skew) */
} tims_node_config;

/* tims_node_config_defaults - the defaults for a new node called name (role bcp). */
void tims_node_config_defaults(tims_node_config *cfg, const char *name);

/* tims_node_config_parse - read tims.ini text; TIMS_ECONFIG with the line in diag. */
tims_err tims_node_config_parse(const char *text, size_t len, tims_node_config *out,
                                tims_diag *diag);

/* tims_node_config_format - the commented tims.ini text for cfg, appended to out. */
tims_err tims_node_config_format(const tims_node_config *cfg, tims_buf *out);

typedef struct tims_node tims_node;

/* tims_node_init - create a node in dir (created if missing, mode 0700): key pair, store,
 * stay-rules.ini, tims.ini, and a node_register entry for itself. TIMS_EEXIST when dir
 * already holds a node (any of its files): nothing is changed. On another failure the files
 * this call created are removed again. */
tims_err tims_node_init(const char *dir, const tims_node_config *cfg, int64_t now_us,
                        tims_diag *diag);

/* tims_node_open - open the node in dir (TIMS_STORE_READONLY opens the store read-only and
 * skips the key). TIMS_ENOENT when dir is not a node (diag says to run tims init). */
tims_err tims_node_open(const char *dir, unsigned flags, tims_node **out, tims_diag *diag);
void tims_node_close(tims_node *node);

const tims_node_config *tims_node_config_of(const tims_node *node);
tims_store *tims_node_store(tims_node *node);
const tims_stay_rules *tims_node_rules(const tims_node *node);
/* tims_node_origin - the node's public key (its journal origin). */
const uint8_t *tims_node_origin(const tims_node *node);

/* ---- ids and times ------------------------------------------------------------------- */

/* An entry id as shown to people: the first 16 hex digits of the origin, ':', the seq. */
#define TIMS_NODE_ID_LEN 40
void tims_node_format_id(const uint8_t origin[TIMS_PUBKEY_LEN], uint64_t seq,
                         char out[TIMS_NODE_ID_LEN]);
/* tims_node_resolve_id - the entry an id names, among the origins in the store; TIMS_EINVAL
 * for a malformed id, TIMS_ENOENT when no origin or entry fits. */
tims_err tims_node_resolve_id(tims_node *node, const char *id, tims_entry_ref *out,
                              tims_diag *diag);

/* tims_node_parse_time - ISO-8601 with a zone: YYYY-MM-DDTHH:MM[:SS[.ffffff]](Z|+HH:MM|-HH:MM)
 * into UTC microseconds; TIMS_EINVAL with diag otherwise. */
tims_err tims_node_parse_time(const char *text, int64_t *out_us, tims_diag *diag);
/* tims_node_format_time - "YYYY-MM-DDTHH:MM:SSZ" (seconds; microseconds when not zero). */
void tims_node_format_time(int64_t us, char out[32]);
/* tims_node_day_of - the local calendar day (stay day number) of a UTC time. */
int32_t tims_node_day_of(const tims_node *node, int64_t us);

/* tims_node_parse_doc - "STATE:NUMBER" (e.g. "UTO:L898902C3") into its parts. */
tims_err tims_node_parse_doc(const char *text, char state[4], char number[24], tims_diag *diag);

/* ---- crossings ----------------------------------------------------------------------- */

/* Why a crossing is referred to an officer (bit flags; tims_node_reason_code names them). */
typedef enum tims_node_reason {
    TIMS_REASON_WATCHLIST = 1u << 0,          /* a watchlist hit */
    TIMS_REASON_OVERSTAY = 1u << 1,           /* exit (or check) after an overstay */
    TIMS_REASON_ENTRY_OVERSTAY = 1u << 2,     /* the entry day itself would be an overstay */
    TIMS_REASON_PAST_OVERSTAY = 1u << 3,      /* an entry by someone who overstayed before */
    TIMS_REASON_NO_STAY_ALLOWED = 1u << 4,    /* a refuse policy (visa required) */
    TIMS_REASON_DOC_EXPIRED = 1u << 5,        /* the document expired before the crossing */
    TIMS_REASON_EXIT_WITHOUT_ENTRY = 1u << 6, /* no recorded entry before this exit */
    TIMS_REASON_ENTRY_WITHOUT_EXIT = 1u << 7, /* an entry while recorded inside */
    TIMS_REASON_SCREENING_FAILED = 1u << 8    /* lists are loaded but screening failed */
} tims_node_reason;

/* tims_node_reason_code - "watchlist_hit", "overstay", ... (static). */
const char *tims_node_reason_code(tims_node_reason r);

typedef struct tims_cross_request {
    const char *mrz;          /* the MRZ text as the scanner typed it (lines, any line ends) */
    size_t mrz_len;
    tims_direction direction;
    const char *officer;      /* NULL or "": recorded as "unknown" */
    const char *vehicle;      /* may be NULL or "" */
    int64_t at_us;            /* when the traveller crossed; 0 = now_us */
} tims_cross_request;

typedef struct tims_cross_result {
    char id[TIMS_NODE_ID_LEN];
    tims_entry_ref entry;
    int refer;                /* 0: cleared, 1: refer */
    unsigned reasons;         /* tims_node_reason bits */
    tims_node_reason reason_list[9]; /* the reasons in the order they were found */
    char reason_text[9][160];        /* one sentence for each */
    size_t reason_count;
    tims_crossing crossing;   /* as recorded */
    char doc_expiry[11];      /* the document's expiry date, "YYYY-MM-DD" ("" when unknown) */
    char policy[64];          /* the stay policy applied */
    int stay_limited;         /* 0 for unlimited policies */
    tims_stay_result stay;    /* as of the crossing day, this crossing included */
    char *screening_json;     /* owned: the "screening" object as JSON text */
} tims_cross_result;

void tims_cross_result_clear(tims_cross_result *r);

/* tims_node_cross - record one crossing: parse and validate the MRZ (TIMS_EDATA listing every
 * MRZ error in diag, nothing written), check the time (TIMS_EDATA for a time beyond
 * now + max_skew), screen, apply the stay rules to the traveller's history up to the crossing
 * plus this crossing, decide, and journal it. Returns after the entry is durable. */
tims_err tims_node_cross(tims_node *node, const tims_cross_request *req, int64_t now_us,
                         tims_cross_result *out, tims_diag *diag);

/* tims_cross_result_json - {"id","decision","reasons","screening","stay",...} appended. */
tims_err tims_cross_result_json(const tims_cross_result *r, tims_buf *out);

/* ---- stay ---------------------------------------------------------------------------- */

typedef struct tims_node_stay {
    char policy[64];
    int limited;
    int crossings;            /* crossings in the traveller's history */
    int inside;               /* 1 when the last crossing up to on_day is an entry */
    tims_stay_result result;
} tims_node_stay;

/* tims_node_stay_of - the stay of the traveller with this document as seen on on_day,
 * from their crossings up to the end of that day. The policy follows the nationality and
 * document code of the latest crossing. TIMS_ENOENT when there is no crossing at all. */
tims_err tims_node_stay_of(tims_node *node, const char *state, const char *number,
                           int32_t on_day, tims_node_stay *out, tims_diag *diag);

/* tims_node_stay_json - the "stay" object for a result, appended to out. */
tims_err tims_node_stay_json(const char *policy, int limited, const tims_stay_result *r,
                             tims_buf *out);

/* ---- history, corrections, log ------------------------------------------------------- */

/* One crossing in a traveller's history: its current view, and the original as recorded when
 * corrections changed it, with the corrections themselves. */
typedef struct tims_history_item {
    tims_crossing current;
    tims_crossing original;   /* valid when current.corrections > 0 (a redacted original:
                                 equal to current) */
    char id[TIMS_NODE_ID_LEN];
    char *corrections_json;   /* owned: JSON array of {"id","time","officer","reason","set",
                                 "void"} naming this crossing, oldest first; NULL when none */
} tims_history_item;

/* tims_node_history - the traveller's crossings, oldest first, corrections applied;
 * *out owned by the caller (tims_node_history_free), NULL with *count 0 when none. */
tims_err tims_node_history(tims_node *node, const char *state, const char *number,
                           tims_history_item **out, size_t *count, tims_diag *diag);
void tims_node_history_free(tims_history_item *items, size_t count);

/* tims_node_history_json - the history as a JSON array, appended to out. */
tims_err tims_node_history_json(const tims_history_item *items, size_t count, tims_buf *out);

/* One `field=value` of a correction, as text; tims_node_correct validates it. */
typedef struct tims_correction_field {
    const char *name;         /* issuing_state, doc_number, doc_code, surname, given_names,
                                 nationality, birth_date, sex, direction, time, bcp, officer,
                                 vehicle, decision */
    const char *value;
} tims_correction_field;

/* tims_node_correct - journal a correction of the crossing named by id (void_it annuls it).
 * TIMS_EINVAL for an unknown field or a bad value (diag names it), TIMS_ENOENT for an id that
 * names no crossing; nothing is written then. */
tims_err tims_node_correct(tims_node *node, const char *id, const char *reason,
                           const char *officer, const tims_correction_field *fields,
                           size_t field_count, int void_it, int64_t now_us,
                           tims_entry_ref *out, tims_diag *diag);

/* tims_node_log - the journal entries of every origin (kind 0: all kinds), sorted by time
 * (then origin, seq), the last `limit` of them (0: all); *out owned by the caller: clear each
 * entry with tims_entry_clear, then tims_free the array. */
tims_err tims_node_log(tims_node *node, int kind, size_t limit, tims_entry **out,
                       size_t *count, tims_diag *diag);

/* tims_node_entry_json - one entry as a JSON object (id, origin, seq, time, kind, hash, body). */
tims_err tims_node_entry_json(const tims_entry *e, tims_buf *out);

#endif
