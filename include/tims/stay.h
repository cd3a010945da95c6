/* stay.h - stay rules: how long a traveller may stay, and whether they overstayed.
 *
 * Rules are data: a small text file (docs/stay-rules.md documents it; data/stay-rules.ini
 * ships the defaults) maps nationalities or groups to a policy: unlimited (nationals),
 * short stay (90 days in any 180), visa holders, residents. The short-stay calculation follows
 * the European Commission's calculator: a moving 180-day window ending on each day of stay,
 * the entry day and the exit day both count, never more than 90 days in any window.
 *
 * Days are counted as days since 1970-01-01 (UTC); the caller turns timestamps into days.
 * Nothing here prints, exits, or reads the clock or environment: "today" is an argument.
 * A tims_stay_rules owns its memory; tims_stay_rules_free() is safe on NULL. */
#ifndef TIMS_STAY_H
#define TIMS_STAY_H

#include <stddef.h>
#include <stdint.h>

#include "tims/common.h"

typedef enum tims_stay_kind {
    TIMS_STAY_UNLIMITED,   /* nationals, residents: no limit */
    TIMS_STAY_SHORT,       /* max_days in any window_days (90/180) */
    TIMS_STAY_REFUSE       /* no stay allowed without a visa: every entry is referred */
} tims_stay_kind;

/* How long after an overstay a short-stay policy refers the traveller's entries, unless the
 * file says otherwise: five years, as long as the EES keeps an overstayer's record. */
#define TIMS_STAY_PAST_OVERSTAY_DAYS 1825

typedef struct tims_stay_policy {
    const char *name;      /* the rule's name from the file, e.g. "visa-free" */
    tims_stay_kind kind;
    int max_days;          /* 90 */
    int window_days;       /* 180 */
    int past_overstay_days; /* refer an entry when an overstay ended this recently (0: never) */
} tims_stay_policy;

typedef struct tims_stay_rules tims_stay_rules;

/* tims_stay_rules_parse - parse a rules file's text; on error TIMS_EDATA with the line and
 * what is wrong in diag, *out untouched. tims_stay_rules_default() gives the built-in rules
 * (the same as the shipped file). Caller frees with tims_stay_rules_free. */
tims_err tims_stay_rules_parse(const char *text, size_t len, tims_stay_rules **out,
                               tims_diag *diag);
tims_err tims_stay_rules_default(tims_stay_rules **out);
void tims_stay_rules_free(tims_stay_rules *rules);

/* tims_stay_rules_default_text - the text of the built-in rules, byte for byte the shipped
 * data/stay-rules.ini (a test holds them equal); static storage. */
const char *tims_stay_rules_default_text(void);

/* tims_stay_rules_set_home - the node's own country (alpha-3 as in the MRZ), which `@home` in
 * the rules stands for. TIMS_EINVAL for an unknown code. Without it, @home matches nobody. */
tims_err tims_stay_rules_set_home(tims_stay_rules *rules, const char *country);

/* tims_stay_policy_for - the policy for a traveller of this nationality (alpha-3 as in the
 * MRZ, e.g. "UTO", "D") holding a document with this code (MRZ document code, e.g. "P", "V");
 * never NULL: the rules always have a default. Borrowed until the rules are freed. */
const tims_stay_policy *tims_stay_policy_for(const tims_stay_rules *rules,
                                             const char *nationality, const char *doc_code);

/* tims_stay_policy_match - as tims_stay_policy_for, also knowing the document's issuing state
 * (for rules such as `issuer @home document A = resident`); any argument may be NULL, which
 * only `*` conditions match. */
const tims_stay_policy *tims_stay_policy_match(const tims_stay_rules *rules,
                                               const char *nationality, const char *issuer,
                                               const char *doc_code);

/* One visit: the day of entry and the day of exit. entry_day = TIMS_STAY_UNKNOWN for an exit
 * with no recorded entry; exit_day = TIMS_STAY_UNKNOWN while the traveller is still inside. */
#define TIMS_STAY_UNKNOWN INT32_MIN
typedef struct tims_stay_visit {
    int32_t entry_day;
    int32_t exit_day;
} tims_stay_visit;

typedef struct tims_stay_result {
    int days_used;          /* days of stay in the window ending on `on_day` */
    int days_left;          /* days that may still be spent, counting from on_day */
    int32_t latest_exit_day;/* the last day the traveller may stay if inside (or entering) on
                               on_day; TIMS_STAY_UNKNOWN for unlimited policies */
    int overstay;           /* 1 when any window up to on_day held more than max_days */
    int32_t overstay_since; /* first day of overstay, or TIMS_STAY_UNKNOWN */
    int32_t overstay_last;  /* last day of overstay up to on_day, or TIMS_STAY_UNKNOWN */
    int unknown_entries;    /* visits with an exit but no recorded entry (each counts 1 day) */
    int missing_exits;      /* open visits followed by a later visit (each counts 1 day) */
} tims_stay_result;

/* tims_stay_evaluate - apply policy to visits (sorted by entry, oldest first) as seen on
 * on_day. A visit still open counts up to on_day. Returns TIMS_EINVAL for visits that are out
 * of order or end before they begin (diag says which).
 *
 * Precisely (docs/stay-rules.md): the days of stay are every day from entry to exit, both
 * included, cut at on_day; an exit without an entry counts its exit day only, and an open
 * visit that is not the last counts its entry day only (both are counted in the result so the
 * caller can flag them). days_used counts the window ending on on_day. latest_exit_day is the
 * last day d such that staying every day from on_day to d keeps every window ending in
 * [on_day, d] within max_days (on_day - 1 when on_day itself would break it), and
 * days_left = latest_exit_day - on_day + 1 (0 when none): the calculator's "the stay may be
 * authorised for up to N days" on a planned entry on on_day. For unlimited policies
 * days_left is -1 and latest_exit_day TIMS_STAY_UNKNOWN; refuse policies allow 0 days. */
tims_err tims_stay_evaluate(const tims_stay_policy *policy, const tims_stay_visit *visits,
                            size_t count, int32_t on_day, tims_stay_result *out,
                            tims_diag *diag);

/* Day numbers <-> calendar dates (proleptic Gregorian). tims_stay_day_from_date returns
 * TIMS_EINVAL for an impossible date. */
tims_err tims_stay_day_from_date(int year, int month, int day, int32_t *out);
void tims_stay_date_from_day(int32_t day, int *year, int *month, int *dayofmonth);

/* tims_stay_day_parse - "YYYY-MM-DD" (exactly that, nothing after) to a day number;
 * TIMS_EINVAL for anything else. tims_stay_day_format writes "YYYY-MM-DD" into out[11]. */
tims_err tims_stay_day_parse(const char *text, int32_t *out);
void tims_stay_day_format(int32_t day, char out[11]);

#endif
