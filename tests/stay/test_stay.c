/* test_stay.c - stay rules: the rules file, day numbers, and the 90/180 calculation.
 *
 * The worked examples are those published for the European Commission's short-stay calculator
 * by the Swiss State Secretariat for Migration (SEM, "Aufenthaltsrechner", examples 1, 2, 4
 * and 5, 2014); the EC user manual's own screenshots could not be reproduced exactly, so its
 * stated principles (entry and exit days count; a moving 180-day window looking back from each
 * day of stay; 90 days of absence allow a new 90-day stay) are tested as such. Every expected
 * figure below was also recounted by hand, as the comments show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tims/stay.h"

static int32_t D(const char *text)
{
    int32_t day;
    if (tims_stay_day_parse(text, &day) != TIMS_OK)
        fail_msg("bad date in test: %s", text);
    return day;
}

static const tims_stay_policy short_stay = {"short-stay", TIMS_STAY_SHORT, 90, 180,
                                            TIMS_STAY_PAST_OVERSTAY_DAYS};

static tims_stay_result eval(const tims_stay_visit *v, size_t n, const char *on)
{
    tims_stay_result r;
    tims_diag diag = {{0}};
    tims_err err = tims_stay_evaluate(&short_stay, v, n, D(on), &r, &diag);
    if (err != TIMS_OK)
        fail_msg("evaluate failed: %s", diag.text);
    return r;
}

static void assert_day(int32_t got, const char *want)
{
    char text[11];
    tims_stay_day_format(got, text);
    assert_string_equal(text, want);
}

/* ---- day numbers ---- */

static void day_numbers_count_from_1970_and_know_leap_years(void **state)
{
    (void)state;
    assert_int_equal(D("1970-01-01"), 0);
    assert_int_equal(D("1970-01-02"), 1);
    assert_int_equal(D("1969-12-31"), -1);
    assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);  /* 2000 is a leap year */
    assert_int_equal(D("2024-03-01") - D("2024-02-28"), 2);
    assert_int_equal(D("2023-03-01") - D("2023-02-28"), 1);
    int32_t day;
    assert_int_equal(tims_stay_day_parse("2023-02-29", &day), TIMS_EINVAL);
    assert_int_equal(tims_stay_day_parse("1900-02-29", &day), TIMS_EINVAL);
    assert_int_equal(tims_stay_day_parse("2024-13-01", &day), TIMS_EINVAL);
    assert_int_equal(tims_stay_day_parse("2024-1-01", &day), TIMS_EINVAL);
    assert_int_equal(tims_stay_day_parse("2024-01-01x", &day), TIMS_EINVAL);
    assert_int_equal(tims_stay_day_parse("", &day), TIMS_EINVAL);
}

static void day_numbers_round_trip_over_four_centuries(void **state)
{
    (void)state;
    int32_t first = D("1800-01-01"), last = D("2200-12-31");
    int py = 1799, pm = 12, pd = 31;
    for (int32_t d = first; d <= last; d++) {
        int y, m, dd;
        tims_stay_date_from_day(d, &y, &m, &dd);
        int32_t back;
        assert_int_equal(tims_stay_day_from_date(y, m, dd, &back), TIMS_OK);
        assert_int_equal(back, d);
        /* each day follows the one before it in the calendar */
        int next = (y == py && m == pm && dd == pd + 1) || (y == py && m == pm + 1 && dd == 1) ||
                   (y == py + 1 && m == 1 && dd == 1 && pm == 12 && pd == 31);
        assert_true(next);
        py = y, pm = m, pd = dd;
    }
}

/* ---- the rules file ---- */

static void built_in_rules_are_the_shipped_file(void **state)
{
    (void)state;
    size_t len;
    char *file = tu_read_file(STAY_RULES_FILE, &len);
    assert_string_equal(file, tims_stay_rules_default_text());
    tims_free(file);
}

static void default_rules_choose_policies_by_nationality_issuer_and_document(void **state)
{
    (void)state;
    tims_stay_rules *r = NULL;
    assert_int_equal(tims_stay_rules_default(&r), TIMS_OK);
    /* without a home country, nobody is a national */
    assert_string_equal(tims_stay_policy_for(r, "UTO", "P")->name, "short-stay");
    assert_int_equal(tims_stay_rules_set_home(r, "UTO"), TIMS_OK);
    assert_string_equal(tims_stay_policy_for(r, "UTO", "P")->name, "nationals");
    assert_int_equal(tims_stay_policy_for(r, "UTO", "P")->kind, TIMS_STAY_UNLIMITED);
    const tims_stay_policy *p = tims_stay_policy_for(r, "GBR", "P");
    assert_string_equal(p->name, "short-stay");
    assert_int_equal(p->kind, TIMS_STAY_SHORT);
    assert_int_equal(p->max_days, 90);
    assert_int_equal(p->window_days, 180);
    assert_int_equal(p->past_overstay_days, 1825);
    assert_string_equal(tims_stay_policy_for(r, "GBR", "V")->name, "visa-holder");
    assert_string_equal(tims_stay_policy_match(r, "GBR", "UTO", "AR")->name, "resident");
    assert_string_equal(tims_stay_policy_match(r, "GBR", "D", "AR")->name, "short-stay");
    assert_int_equal(tims_stay_rules_set_home(r, "QQQ"), TIMS_EINVAL);
    tims_stay_rules_free(r);
}

static const char *custom_rules =
    "[policy free]\nkind = unlimited\n"
    "[policy thirty]\nkind = short\nmax_days = 30\nwindow_days = 60\npast_overstay_days = 365\n"
    "[policy no]\nkind = refuse\n"
    "[group eu]\nmembers = AUT BEL, D\nmembers = FRA\n"
    "[group banned]\nmembers = XXA\n"
    "[match]\n"
    "nationality @eu = free   # a comment\n"
    "nationality @banned document V = thirty\n"
    "nationality @banned = no\n"
    "default = thirty\n";

static void custom_rules_use_groups_and_the_first_matching_line(void **state)
{
    (void)state;
    tims_stay_rules *r = NULL;
    tims_diag diag = {{0}};
    assert_int_equal(tims_stay_rules_parse(custom_rules, strlen(custom_rules), &r, &diag), TIMS_OK);
    assert_string_equal(tims_stay_policy_for(r, "D", "ID")->name, "free");
    assert_string_equal(tims_stay_policy_for(r, "FRA", "P")->name, "free");
    assert_string_equal(tims_stay_policy_for(r, "XXA", "VC")->name, "thirty");
    assert_string_equal(tims_stay_policy_for(r, "XXA", "P")->name, "no");
    assert_int_equal(tims_stay_policy_for(r, "XXA", "P")->kind, TIMS_STAY_REFUSE);
    assert_string_equal(tims_stay_policy_for(r, "USA", "P")->name, "thirty");
    assert_int_equal(tims_stay_policy_for(r, "USA", "P")->past_overstay_days, 365);
    assert_string_equal(tims_stay_policy_for(r, NULL, NULL)->name, "thirty");
    tims_stay_rules_free(r);
}

static void expect_rules_error(const char *text, const char *needle)
{
    tims_stay_rules *r = (tims_stay_rules *)&r; /* must stay untouched */
    tims_stay_rules *before = r;
    tims_diag diag = {{0}};
    assert_int_equal(tims_stay_rules_parse(text, strlen(text), &r, &diag), TIMS_EDATA);
    assert_ptr_equal(r, before);
    if (!strstr(diag.text, needle))
        fail_msg("expected '%s' in: %s", needle, diag.text);
}

static void broken_rules_are_refused_with_the_line_and_the_fix(void **state)
{
    (void)state;
    expect_rules_error("[policy a]\nkind = short\n[match]\ndefault = a\n", "line 3: a short policy above needs max_days");
    expect_rules_error("[policy a]\nkind = forever\n", "line 2: kind must be");
    expect_rules_error("[policy a]\nkind = unlimited\n[match]\nnationality GBR = b\ndefault = a\n",
                       "line 4: no such policy");
    expect_rules_error("[policy a]\nkind = unlimited\n[match]\nnationality QQQ = a\ndefault = a\n",
                       "line 4: not a country code");
    expect_rules_error("[policy a]\nkind = unlimited\n[match]\nnationality @nope = a\ndefault = a\n",
                       "line 4: no such group");
    expect_rules_error("[policy a]\nkind = unlimited\n[match]\ndefault = a\nnationality GBR = a\n",
                       "line 5: a rule after default is never reached");
    expect_rules_error("[policy a]\nkind = unlimited\n[match]\nnationality GBR = a\n", "no 'default = POLICY'");
    expect_rules_error("kind = short\n", "line 1: a setting outside any section");
    expect_rules_error("[policy a]\nkind = short\nmax_days = 200\nwindow_days = 180\n[match]\ndefault = a\n",
                       "longer than its window_days");
    expect_rules_error("[policy a]\nkind = short\nmax_days = 9x\n", "line 3: expected a whole number from 1");
    expect_rules_error("[policy a]\nkind = short\npast_overstay_days = -1\n",
                       "line 3: expected a whole number from 0");
    expect_rules_error("[policy a]\nkind = short\nrefer_days = 5\n", "line 3: a policy knows only");
    expect_rules_error("[group g]\nmembers = GBR Narnia\n", "line 2: 'Narnia' is not a nationality code");
    expect_rules_error("[policy a]\nkind = unlimited\n[match]\ndocument passport = a\ndefault = a\n",
                       "line 4: a document code is one or two capital letters");
    expect_rules_error("[policy a b]\n", "line 1: a name may hold only");
    expect_rules_error("[rules]\n", "line 1: expected [policy NAME]");
    expect_rules_error("[policy a]\nkind = unlimited\n[policy a]\n", "defined twice");
}

/* ---- worked examples of the EC short-stay calculator (SEM examples) ---- */

/* SEM example 1 ("legal stay", control and planning): entry stamp 15.08.2014, checked inside
 * on 30.09.2014: 47 days used (17 in August + 30 in September). Planning a return on
 * 01.01.2015 after leaving on 30.09.2014: a stay of up to 90 days, until 31.03.2015. */
static void ec_example_1_open_stay_then_planned_return(void **state)
{
    (void)state;
    tims_stay_visit inside[] = {{D("2014-08-15"), TIMS_STAY_UNKNOWN}};
    tims_stay_result r = eval(inside, 1, "2014-09-30");
    assert_int_equal(r.days_used, 47);
    assert_false(r.overstay);

    tims_stay_visit back[] = {{D("2014-08-15"), D("2014-09-30")}, {D("2015-01-01"), TIMS_STAY_UNKNOWN}};
    r = eval(back, 2, "2015-01-01");
    assert_int_equal(r.days_used, 48); /* the window from 06.07.2014 still holds the 47 */
    assert_int_equal(r.days_left, 90);
    assert_day(r.latest_exit_day, "2015-03-31");
    assert_false(r.overstay);
}

/* SEM example 2 ("legal stay", control on departure 30.11.2014): stays 15.08.-30.09.2014
 * (47 days) and 01.11.-30.11.2014 (30 days): 77 days, legal; she could have stayed without
 * interruption until 13.12.2014 (window 17.06.-13.12.2014: 47 + 30 + 13 = 90). */
static void ec_example_2_two_stays_legal_with_latest_exit(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2014-08-15"), D("2014-09-30")}, {D("2014-11-01"), D("2014-11-30")}};
    tims_stay_result r = eval(v, 2, "2014-11-30");
    assert_int_equal(r.days_used, 77);
    assert_false(r.overstay);
    assert_int_equal(r.overstay_since, TIMS_STAY_UNKNOWN);
    assert_day(r.latest_exit_day, "2014-12-13");
    assert_int_equal(r.days_left, 14); /* 30.11 (today) to 13.12, both included */
}

/* SEM example 4 (multiple-entry visa, exit check 30.01.2014): stays 01.06.-13.07.2013,
 * 15.08.-30.09.2013, 01.01.-30.01.2014. The June/July stay lies outside the window
 * (04.08.2013-30.01.2014): 47 + 30 = 77 days, legal; could have stayed until 31.03.2014. */
static void ec_example_4_old_stay_drops_out_of_the_window(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2013-06-01"), D("2013-07-13")},
                           {D("2013-08-15"), D("2013-09-30")},
                           {D("2014-01-01"), D("2014-01-30")}};
    tims_stay_result r = eval(v, 3, "2014-01-30");
    assert_int_equal(r.days_used, 77);
    assert_false(r.overstay);
    assert_day(r.latest_exit_day, "2014-03-31");
}

/* SEM example 5 ("shorter overstay", exit 09.06.2014): stays 01.09.-30.09.2013,
 * 21.02.-20.04.2014 (59 days), 01.05.-09.06.2014 (40 days): 99 days in the window
 * 12.12.2013-09.06.2014, 9 days over; the overstay began on 01.06.2014 (59 + 32 = 91).
 * A return on 30.08.2014 allows up to 50 days (until 18.10.2014). */
static void ec_example_5_short_overstay_and_the_next_possible_stay(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2013-09-01"), D("2013-09-30")},
                           {D("2014-02-21"), D("2014-04-20")},
                           {D("2014-05-01"), D("2014-06-09")}};
    tims_stay_result r = eval(v, 3, "2014-06-09");
    assert_int_equal(r.days_used, 99);
    assert_true(r.overstay);
    assert_day(r.overstay_since, "2014-06-01");
    assert_day(r.overstay_last, "2014-06-09");
    assert_int_equal(r.days_used - 90, 9);
    assert_int_equal(r.days_left, 0);
    assert_true(r.latest_exit_day < D("2014-06-09"));

    tims_stay_visit back[] = {{D("2013-09-01"), D("2013-09-30")},
                              {D("2014-02-21"), D("2014-04-20")},
                              {D("2014-05-01"), D("2014-06-09")},
                              {D("2014-08-30"), TIMS_STAY_UNKNOWN}};
    r = eval(back, 4, "2014-08-30");
    assert_true(r.overstay); /* the June overstay stays on record */
    assert_day(r.overstay_last, "2014-06-09"); /* and the new stay is not one */
    assert_int_equal(r.days_left, 50);
    assert_day(r.latest_exit_day, "2014-10-18");
}

/* EC manual: "an absence for an uninterrupted period of 90 days allows for a new stay for up
 * to 90 days". 90 days inside (01.01.-31.03.2025), 90 days away (01.04.-29.06.2025). */
static void ec_manual_ninety_days_away_allow_a_new_ninety_day_stay(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2025-01-01"), D("2025-03-31")}, {D("2025-06-30"), TIMS_STAY_UNKNOWN}};
    tims_stay_result r = eval(v, 2, "2025-06-30");
    assert_false(r.overstay);
    assert_int_equal(r.days_left, 90);
    /* one day less away is not enough for a full 90 */
    tims_stay_visit w[] = {{D("2025-01-01"), D("2025-03-31")}, {D("2025-06-29"), TIMS_STAY_UNKNOWN}};
    r = eval(w, 2, "2025-06-29");
    assert_true(r.days_left < 90);
}

/* ---- edge cases ---- */

static void same_day_entry_and_exit_counts_one_day(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2025-05-05"), D("2025-05-05")}};
    assert_int_equal(eval(v, 1, "2025-05-05").days_used, 1);
    assert_int_equal(eval(v, 1, "2025-06-01").days_used, 1);
    /* leaving and coming back the same day is still one day */
    tims_stay_visit w[] = {{D("2025-05-01"), D("2025-05-05")}, {D("2025-05-05"), D("2025-05-06")}};
    assert_int_equal(eval(w, 2, "2025-05-06").days_used, 6);
}

static void exactly_ninety_days_is_legal_and_ninety_one_is_an_overstay(void **state)
{
    (void)state;
    /* 01.01.2025 + 89 days = 31.03.2025 (2025 is not a leap year): 90 days */
    tims_stay_visit ninety[] = {{D("2025-01-01"), D("2025-03-31")}};
    tims_stay_result r = eval(ninety, 1, "2025-03-31");
    assert_int_equal(r.days_used, 90);
    assert_false(r.overstay);
    assert_int_equal(r.days_left, 1); /* today, the last legal day */
    assert_day(r.latest_exit_day, "2025-03-31");
    tims_stay_visit ninety_one[] = {{D("2025-01-01"), D("2025-04-01")}};
    r = eval(ninety_one, 1, "2025-04-01");
    assert_int_equal(r.days_used, 91);
    assert_true(r.overstay);
    assert_day(r.overstay_since, "2025-04-01");
}

static void windows_across_the_leap_day_count_29_february(void **state)
{
    (void)state;
    /* 01.01.2024 to 30.03.2024 is 31 + 29 + 30 = 90 days thanks to 29.02 */
    tims_stay_visit v[] = {{D("2024-01-01"), D("2024-03-30")}};
    tims_stay_result r = eval(v, 1, "2024-03-30");
    assert_int_equal(r.days_used, 90);
    assert_false(r.overstay);
    tims_stay_visit w[] = {{D("2024-01-01"), D("2024-03-31")}};
    assert_true(eval(w, 1, "2024-03-31").overstay);
    /* entering on the leap day: the latest exit is 89 days later, 28.05.2024 */
    tims_stay_visit x[] = {{D("2024-02-29"), TIMS_STAY_UNKNOWN}};
    r = eval(x, 1, "2024-02-29");
    assert_day(r.latest_exit_day, "2024-05-28");
    assert_int_equal(r.days_left, 90);
    /* the window ending 27.08.2024 starts 01.03.2024: the leap day has just dropped out */
    tims_stay_visit y[] = {{D("2024-02-29"), D("2024-02-29")}, {D("2024-08-27"), D("2024-08-27")}};
    assert_int_equal(eval(y, 2, "2024-08-26").days_used, 1);
    assert_int_equal(eval(y, 2, "2024-08-27").days_used, 1);
}

static void an_open_visit_counts_up_to_the_day_asked(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2025-03-01"), TIMS_STAY_UNKNOWN}};
    tims_stay_result r = eval(v, 1, "2025-03-10");
    assert_int_equal(r.days_used, 10);
    assert_int_equal(r.days_left, 81);
    assert_day(r.latest_exit_day, "2025-05-29");
    /* asked before the visit, nothing is counted yet */
    assert_int_equal(eval(v, 1, "2025-02-01").days_used, 0);
    /* still inside 100 days later: an overstay since day 91, still going on */
    r = eval(v, 1, "2025-06-08");
    assert_true(r.overstay);
    assert_day(r.overstay_since, "2025-05-30");
    assert_day(r.overstay_last, "2025-06-08");
}

static void an_exit_without_an_entry_counts_only_the_exit_day_and_is_flagged(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{TIMS_STAY_UNKNOWN, D("2025-04-10")}};
    tims_stay_result r = eval(v, 1, "2025-04-10");
    assert_int_equal(r.days_used, 1);
    assert_int_equal(r.unknown_entries, 1);
    assert_false(r.overstay);
}

static void an_open_visit_before_a_later_visit_counts_its_entry_day_and_is_flagged(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2025-01-01"), TIMS_STAY_UNKNOWN}, {D("2025-03-01"), D("2025-03-05")}};
    tims_stay_result r = eval(v, 2, "2025-03-05");
    assert_int_equal(r.days_used, 6);
    assert_int_equal(r.missing_exits, 1);
}

static void days_left_and_latest_exit_for_a_traveller_inside(void **state)
{
    (void)state;
    /* 60 days used earlier (01.01.-01.03.2025), entered again 01.04.2025, asked 10.04.2025:
     * 70 days used; 20 more from 11.04 keep every window at 90: latest exit 30.04.2025,
     * days_left counts today too (21). */
    tims_stay_visit v[] = {{D("2025-01-01"), D("2025-03-01")}, {D("2025-04-01"), TIMS_STAY_UNKNOWN}};
    tims_stay_result r = eval(v, 2, "2025-04-10");
    assert_int_equal(r.days_used, 70);
    assert_day(r.latest_exit_day, "2025-04-30");
    assert_int_equal(r.days_left, 21);
}

static void an_entry_that_would_already_be_an_overstay_has_no_day_left(void **state)
{
    (void)state;
    tims_stay_visit v[] = {{D("2025-01-01"), D("2025-03-31")}, {D("2025-04-15"), TIMS_STAY_UNKNOWN}};
    tims_stay_result r = eval(v, 2, "2025-04-15");
    assert_true(r.overstay);
    assert_day(r.overstay_since, "2025-04-15");
    assert_int_equal(r.days_left, 0);
    assert_int_equal(r.latest_exit_day, D("2025-04-14"));
}

static void unlimited_and_refuse_policies(void **state)
{
    (void)state;
    tims_stay_policy free_pol = {"nationals", TIMS_STAY_UNLIMITED, 0, 0, 0};
    tims_stay_policy no_pol = {"visa-required", TIMS_STAY_REFUSE, 0, 0, 0};
    tims_stay_visit v[] = {{D("2024-01-01"), TIMS_STAY_UNKNOWN}};
    tims_stay_result r;
    assert_int_equal(tims_stay_evaluate(&free_pol, v, 1, D("2025-01-01"), &r, NULL), TIMS_OK);
    assert_false(r.overstay);
    assert_int_equal(r.days_left, -1);
    assert_int_equal(r.latest_exit_day, TIMS_STAY_UNKNOWN);
    assert_int_equal(r.days_used, 180);
    assert_int_equal(tims_stay_evaluate(&no_pol, v, 1, D("2024-01-01"), &r, NULL), TIMS_OK);
    assert_true(r.overstay);
    assert_int_equal(r.days_left, 0);
}

static void visits_out_of_order_or_backwards_are_refused(void **state)
{
    (void)state;
    tims_stay_result r;
    tims_diag diag = {{0}};
    tims_stay_visit back[] = {{D("2025-02-01"), D("2025-01-01")}};
    assert_int_equal(tims_stay_evaluate(&short_stay, back, 1, D("2025-03-01"), &r, &diag), TIMS_EINVAL);
    assert_non_null(strstr(diag.text, "visit 1 ends"));
    tims_stay_visit order[] = {{D("2025-02-01"), D("2025-02-02")}, {D("2025-01-01"), D("2025-01-02")}};
    assert_int_equal(tims_stay_evaluate(&short_stay, order, 2, D("2025-03-01"), &r, &diag), TIMS_EINVAL);
    assert_non_null(strstr(diag.text, "visit 2 begins before visit 1"));
    tims_stay_visit none[] = {{TIMS_STAY_UNKNOWN, TIMS_STAY_UNKNOWN}};
    assert_int_equal(tims_stay_evaluate(&short_stay, none, 1, D("2025-03-01"), &r, &diag), TIMS_EINVAL);
    tims_stay_visit ancient[] = {{D("1800-01-01"), TIMS_STAY_UNKNOWN}};
    assert_int_equal(tims_stay_evaluate(&short_stay, ancient, 1, D("2025-03-01"), &r, &diag), TIMS_ERANGE);
}

static void allocation_failure_is_reported_not_crashed(void **state)
{
    (void)state;
    for (long n = 0; n < 200; n++) {
        tims_stay_rules *r = NULL;
        tims_alloc_fail_after(n);
        tims_err err = tims_stay_rules_default(&r);
        tims_alloc_fail_after(-1);
        if (err == TIMS_OK) {
            tims_stay_rules_free(r);
            break;
        }
        assert_int_equal(err, TIMS_ENOMEM);
    }
    tims_stay_visit v[] = {{D("2025-01-01"), TIMS_STAY_UNKNOWN}};
    tims_stay_result res;
    tims_alloc_fail_after(0);
    assert_int_equal(tims_stay_evaluate(&short_stay, v, 1, D("2025-02-01"), &res, NULL), TIMS_ENOMEM);
    tims_alloc_fail_after(-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_numbers_count_from_1970_and_know_leap_years),
        cmocka_unit_test(day_numbers_round_trip_over_four_centuries),
        cmocka_unit_test(built_in_rules_are_the_shipped_file),
        cmocka_unit_test(default_rules_choose_policies_by_nationality_issuer_and_document),
        cmocka_unit_test(custom_rules_use_groups_and_the_first_matching_line),
        cmocka_unit_test(broken_rules_are_refused_with_the_line_and_the_fix),
        cmocka_unit_test(ec_example_1_open_stay_then_planned_return),
        cmocka_unit_test(ec_example_2_two_stays_legal_with_latest_exit),
        cmocka_unit_test(ec_example_4_old_stay_drops_out_of_the_window),
        cmocka_unit_test(ec_example_5_short_overstay_and_the_next_possible_stay),
        cmocka_unit_test(ec_manual_ninety_days_away_allow_a_new_ninety_day_stay),
        cmocka_unit_test(same_day_entry_and_exit_counts_one_day),
        cmocka_unit_test(exactly_ninety_days_is_legal_and_ninety_one_is_an_overstay),
        cmocka_unit_test(windows_across_the_leap_day_count_29_february),
        cmocka_unit_test(an_open_visit_counts_up_to_the_day_asked),
        cmocka_unit_test(an_exit_without_an_entry_counts_only_the_exit_day_and_is_flagged),
        cmocka_unit_test(an_open_visit_before_a_later_visit_counts_its_entry_day_and_is_flagged),
        cmocka_unit_test(days_left_and_latest_exit_for_a_traveller_inside),
        cmocka_unit_test(an_entry_that_would_already_be_an_overstay_has_no_day_left),
        cmocka_unit_test(unlimited_and_refuse_policies),
        cmocka_unit_test(visits_out_of_order_or_backwards_are_refused),
        cmocka_unit_test(allocation_failure_is_reported_not_crashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
