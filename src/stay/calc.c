/* calc.c - the short-stay calculation: days of stay, the moving window, overstay, latest exit.
 *
 * The visits become a bitmap of days of stay from the first visit to on_day (cut there: the
 * result is what was known on on_day). A prefix sum over the bitmap answers "days of stay in
 * the window ending on d" in O(1), so checking every window ending on a day of stay is linear
 * in the days covered. The latest legal exit is found by extending a continuous stay from
 * on_day one day at a time; it cannot pass on_day + max_days, so the loop is short.
 * Days after on_day are never marked from the visits, so the bitmap beyond on_day is all
 * zeros until the loop marks it. */
#include <string.h>

#include "tims/stay.h"

/* Visits may span at most this many days back from on_day (a century): beyond that the input
 * is not a travel history and is refused instead of allocating for it. */
#define MAX_SPAN_DAYS 36600

static int32_t sort_day(const tims_stay_visit *v)
{
    return v->entry_day != TIMS_STAY_UNKNOWN ? v->entry_day : v->exit_day;
}

static tims_err check_visits(const tims_stay_visit *visits, size_t count, tims_diag *diag)
{
    for (size_t i = 0; i < count; i++) {
        const tims_stay_visit *v = &visits[i];
        if (v->entry_day == TIMS_STAY_UNKNOWN && v->exit_day == TIMS_STAY_UNKNOWN)
            return tims_diag_set(diag, TIMS_EINVAL,
                                 "visit %zu has neither an entry nor an exit day; give at least one",
                                 i + 1);
        if (v->entry_day != TIMS_STAY_UNKNOWN && v->exit_day != TIMS_STAY_UNKNOWN &&
            v->exit_day < v->entry_day)
            return tims_diag_set(diag, TIMS_EINVAL,
                                 "visit %zu ends (day %ld) before it begins (day %ld); swap or fix the dates",
                                 i + 1, (long)v->exit_day, (long)v->entry_day);
        if (i > 0 && sort_day(v) < sort_day(&visits[i - 1]))
            return tims_diag_set(diag, TIMS_EINVAL,
                                 "visit %zu begins before visit %zu; sort the visits oldest first",
                                 i + 1, i);
    }
    return TIMS_OK;
}

/* used(prefix, lo, d) - days of stay in the window of `window` days ending on day index d. */
static int window_count(const int32_t *prefix, int64_t d, int window)
{
    int64_t from = d - window + 1;
    if (from < 0)
        from = 0;
    return (int)(prefix[d + 1] - prefix[from]);
}

tims_err tims_stay_evaluate(const tims_stay_policy *policy, const tims_stay_visit *visits,
                            size_t count, int32_t on_day, tims_stay_result *out, tims_diag *diag)
{
    if (!policy || !out || (count > 0 && !visits) || on_day == TIMS_STAY_UNKNOWN)
        return tims_diag_set(diag, TIMS_EINVAL, "tims_stay_evaluate needs a policy, a result and a day");
    tims_err err = check_visits(visits, count, diag);
    if (err != TIMS_OK)
        return err;
    int max = policy->kind == TIMS_STAY_REFUSE ? 0 : policy->max_days;
    int window = policy->window_days > 0 ? policy->window_days : 180; /* days_used for others */
    if (policy->kind == TIMS_STAY_SHORT && (max < 0 || policy->window_days < 1))
        return tims_diag_set(diag, TIMS_EINVAL, "policy %s has no valid max_days/window_days",
                             policy->name ? policy->name : "?");

    /* The bitmap covers [lo, hi]: from the first counted day (or a window before on_day) to
     * on_day + max + 1, room for the continuous stay simulated below. */
    int64_t lo = (int64_t)on_day - window;
    for (size_t i = 0; i < count; i++) {
        int64_t first = sort_day(&visits[i]);
        if (first < lo && first <= on_day)
            lo = first;
    }
    int64_t hi = (int64_t)on_day + (max > 0 ? max : 0) + 1;
    if (on_day - lo > MAX_SPAN_DAYS)
        return tims_diag_set(diag, TIMS_ERANGE,
                             "the visits reach %lld days before the day asked; at most %d are supported",
                             (long long)(on_day - lo), MAX_SPAN_DAYS);
    size_t span = (size_t)(hi - lo + 1);
    uint8_t *stay = tims_calloc(span, 1);
    int32_t *prefix = tims_calloc(span + 1, sizeof *prefix);
    if (!stay || !prefix) {
        err = TIMS_ENOMEM;
        goto done;
    }

    memset(out, 0, sizeof *out);
    out->latest_exit_day = TIMS_STAY_UNKNOWN;
    out->overstay_since = TIMS_STAY_UNKNOWN;
    out->overstay_last = TIMS_STAY_UNKNOWN;
    for (size_t i = 0; i < count; i++) {
        const tims_stay_visit *v = &visits[i];
        int64_t from, to;
        if (v->entry_day == TIMS_STAY_UNKNOWN) {
            from = to = v->exit_day; /* the entry is unknown: count the exit day only */
            out->unknown_entries++;
        } else if (v->exit_day == TIMS_STAY_UNKNOWN) {
            from = v->entry_day;
            to = i + 1 < count ? v->entry_day : on_day; /* a later visit: the exit is missing */
            if (i + 1 < count)
                out->missing_exits++;
        } else {
            from = v->entry_day;
            to = v->exit_day;
        }
        if (to > on_day)
            to = on_day;
        for (int64_t d = from; d <= to; d++)
            stay[d - lo] = 1;
    }

    int64_t on = on_day - lo;
    for (size_t i = 0; i < span; i++)
        prefix[i + 1] = prefix[i] + stay[i];
    out->days_used = window_count(prefix, on, window);
    if (policy->kind == TIMS_STAY_UNLIMITED) {
        out->days_left = -1;
        goto done;
    }

    for (int64_t d = 0; d <= on; d++) {
        if (stay[d] && window_count(prefix, d, window) > max) {
            if (!out->overstay)
                out->overstay_since = (int32_t)(d + lo);
            out->overstay = 1;
            out->overstay_last = (int32_t)(d + lo);
        }
    }

    /* Stay continuously from on_day. Adding day d changes only the prefix sums after it, and
     * the window ending on d reads no sum beyond prefix[d + 1]: refresh that one as we go. */
    int64_t last_ok = on - 1;
    for (int64_t d = on; d < (int64_t)span - 1; d++) {
        stay[d] = 1;
        prefix[d + 1] = prefix[d] + 1;
        if (window_count(prefix, d, window) > max)
            break;
        last_ok = d;
    }
    out->latest_exit_day = (int32_t)(last_ok + lo);
    out->days_left = (int)(last_ok - on + 1);
done:
    tims_free(stay);
    tims_free(prefix);
    return err;
}
