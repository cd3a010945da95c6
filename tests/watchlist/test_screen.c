/* test_screen.c - the screening index on small lists made here: what it finds, what it does not,
 * how the fields adjust the score, document keys, explanations, and agreement with the scan. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tims/watchlist.h"

/* ---- a hand-made list -------------------------------------------------------------------- */

typedef struct person {
    const char *id;
    uint8_t type;
    const char *names[4];
    tims_wl_date dob;
    const char *nationality;
    char gender;
    const char *doc_country, *doc_number;
} person;

static const person people[] = {
    {"1", TIMS_WL_PERSON, {"Vladimir Vladimirovich PUTIN", "Vladimir PUTIN"}, {1952, 1952, 10, 7, 0}, "RUS", 'M', "RUS", "123456789"},
    {"2", TIMS_WL_PERSON, {"Abdullah ANSHORI"}, {1958, 1958, 0, 0, 0}, "IDN", 'M', NULL, NULL},
    {"3", TIMS_WL_PERSON, {"Mohammed Omar GHULAM NABI", "Mullah OMAR"}, {1966, 1966, 0, 0, 0}, "AFG", 'M', NULL, NULL},
    {"4", TIMS_WL_PERSON, {"Usama BIN LADIN", "Osama bin LADEN"}, {1957, 1957, 3, 10, 0}, "SAU", 'M', "SAU", "C527548"},
    {"5", TIMS_WL_PERSON, {"Hala Saddam HUSSEIN AL-TIKRITI"}, {1972, 1972, 0, 0, 0}, "IRQ", 'F', NULL, NULL},
    {"6", TIMS_WL_ENTITY, {"KIM IL SUNG MILITARY UNIVERSITY"}, {0, 0, 0, 0, 0}, NULL, 0, NULL, NULL},
    {"7", TIMS_WL_PERSON, {"Mohamed LAKHAL"}, {1971, 1973, 0, 0, 0}, "DZA", 'M', NULL, NULL},
    {"8", TIMS_WL_PERSON, {"Joaquin GUZMAN LOERA", "El Chapo"}, {1954, 1954, 12, 25, 0}, "MEX", 'M', "MEX", "A-0001"},
    {"9", TIMS_WL_PERSON, {"Mohammed ALI", "Muhammad Ali HASSAN"}, {1980, 1980, 1, 1, 0}, "SYR", 'M', NULL, NULL},
    {"10", TIMS_WL_DOCUMENT, {NULL}, {0, 0, 0, 0, 0}, NULL, 0, "UTO", "L898902C3"},
    {"11", TIMS_WL_PERSON, {"Jean-Pierre BEMBA GOMBO"}, {1962, 1962, 11, 4, 0}, "COD", 'M', NULL, NULL},
    {"12", TIMS_WL_PERSON, {"Ali HASSAN"}, {1975, 1975, 0, 0, 0}, "IRQ", 'M', NULL, NULL},
};

enum { N_PEOPLE = sizeof people / sizeof *people };

typedef struct fixture {
    tims_wl_entry entries[N_PEOPLE];
    tims_wl_name names[N_PEOPLE][4];
    tims_wl_date dobs[N_PEOPLE];
    char nats[N_PEOPLE][4];
    tims_wl_document docs[N_PEOPLE];
    tims_wl_list list;
    tims_wl_index *idx;
} fixture;

static void make_list(fixture *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < N_PEOPLE; i++) {
        const person *p = &people[i];
        tims_wl_entry *e = &f->entries[i];
        e->id = p->id;
        e->type = p->type;
        e->category = p->type == TIMS_WL_DOCUMENT ? TIMS_WL_LOST_STOLEN : TIMS_WL_SANCTION;
        e->gender = p->gender;
        e->names = f->names[i];
        for (size_t k = 0; k < 4 && p->names[k]; k++) {
            f->names[i][k].full = p->names[k];
            f->names[i][k].kind = k == 0 ? TIMS_WL_PRIMARY : TIMS_WL_ALIAS;
            e->name_count++;
        }
        if (p->dob.year_from) {
            f->dobs[i] = p->dob;
            e->births = &f->dobs[i];
            e->birth_count = 1;
        }
        if (p->nationality) {
            memcpy(f->nats[i], p->nationality, 4);
            e->nationalities = &f->nats[i];
            e->nationality_count = 1;
        }
        if (p->doc_number) {
            f->docs[i].type = "passport";
            f->docs[i].number = p->doc_number;
            memcpy(f->docs[i].country, p->doc_country, 4);
            e->documents = &f->docs[i];
            e->document_count = 1;
        }
    }
    f->list.source = "test";
    f->list.format = "tims-csv";
    f->list.release = "";
    f->list.entries = f->entries;
    f->list.count = N_PEOPLE;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    make_list(f);
    const tims_wl_list *lists[] = {&f->list};
    tims_diag d;
    if (tims_wl_index_build(lists, 1, &f->idx, &d) != TIMS_OK) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tims_wl_index_free(f->idx);
    free(f);
    return 0;
}

/* Screen and return the number of hits (into hits[0..16)). */
static size_t screen(const fixture *f, const tims_wl_query *q, tims_wl_hit *hits)
{
    size_t n = 99;
    tims_diag d;
    tims_err err = tims_wl_screen(f->idx, q, hits, 16, &n, &d);
    if (err != TIMS_OK)
        fail_msg("screen failed: %s", d.text);
    return n;
}

static tims_wl_query name_query(const char *name)
{
    tims_wl_query q;
    memset(&q, 0, sizeof q);
    q.name = name;
    return q;
}

/* The position of entry id among the hits, or -1. */
static int rank_of(const tims_wl_hit *hits, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(hits[i].entry->id, id) == 0)
            return (int)i;
    }
    return -1;
}

static tims_wl_hit hits[16];

/* ---- finding ----------------------------------------------------------------------------- */

static void finds_an_entry_by_its_exact_name_and_by_an_alias(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Vladimir Vladimirovich Putin");
    size_t n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "1"), 0);
    assert_true(hits[0].score >= TIMS_WL_DEFAULT_THRESHOLD);
    q = name_query("Osama bin Laden");
    n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "4"), 0);
    assert_string_equal(hits[0].matched_name, "Osama bin LADEN");
}

/* The index must bring every one-letter typo to the scorer; the scorer then decides (names/
 * reads some vowel changes as another name: Anshori / Anshiri). */
static void the_index_finds_one_letter_typos_of_every_kind(void **state)
{
    fixture *f = *state;
    const char *typos[] = {"Abdulah Anshori", "Abdullah Anshhori", "Abdullah Anshiri",
                           "Abdullah Ansohri", "Abdullah Anshor", "Mohamde Lakhal",
                           "Mohamed Lakhla", "Jean-Pierre Bemba Gmobo", "Joaquin Guzmna Loera"};
    const char *ids[] = {"2", "2", "2", "2", "2", "7", "7", "11", "8"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(typos); i++) {
        tims_wl_query q = name_query(typos[i]);
        q.threshold = 0.5;
        size_t n = screen(f, &q, hits);
        if (rank_of(hits, n, ids[i]) != 0)
            fail_msg("'%s' should bring entry %s first", typos[i], ids[i]);
    }
}

static void common_typos_stay_hits(void **state)
{
    fixture *f = *state;
    const char *typos[] = {"Abdulah Anshori", "Abdullah Anshhori", "Mohamed Lakahl",
                           "Jean-Pierre Bemba Gmobo", "Joaquin Guzman Lorea"};
    const char *ids[] = {"2", "2", "7", "11", "8"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(typos); i++) {
        tims_wl_query q = name_query(typos[i]);
        size_t n = screen(f, &q, hits);
        if (rank_of(hits, n, ids[i]) != 0)
            fail_msg("'%s' should find entry %s first", typos[i], ids[i]);
    }
}

static void finds_reordered_names_and_names_with_parts_missing(void **state)
{
    fixture *f = *state;
    const char *queries[] = {"PUTIN, Vladimir", "Putin Vladimir Vladimirovich",
                             "Hussein al-Tikriti, Hala", "Bemba Gombo Jean-Pierre",
                             "Guzman Loera Joaquin"};
    const char *ids[] = {"1", "1", "5", "11", "8"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(queries); i++) {
        tims_wl_query q = name_query(queries[i]);
        size_t n = screen(f, &q, hits);
        if (rank_of(hits, n, ids[i]) != 0)
            fail_msg("'%s' should find entry %s first", queries[i], ids[i]);
    }
}

static void finds_transliteration_variants(void **state)
{
    fixture *f = *state;
    const char *queries[] = {"Muhammad Umar Ghulam Nabi", "Usama bin Ladin", "Wladimir Putin"};
    const char *ids[] = {"3", "4", "1"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(queries); i++) {
        tims_wl_query q = name_query(queries[i]);
        size_t n = screen(f, &q, hits);
        if (rank_of(hits, n, ids[i]) != 0)
            fail_msg("'%s' should find entry %s first", queries[i], ids[i]);
    }
}

static void unrelated_names_give_no_hit(void **state)
{
    fixture *f = *state;
    const char *queries[] = {"Kathryn Barr", "Ingeborg Abrahamsen", "John Smith",
                             "Vladimir Bilyi", "Juan Guzman Perez"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(queries); i++) {
        tims_wl_query q = name_query(queries[i]);
        size_t n = screen(f, &q, hits);
        if (n != 0)
            fail_msg("'%s' should give no hit, gave %s at %.3f", queries[i],
                     hits[0].entry->id, hits[0].score);
    }
}

/* ---- fields ------------------------------------------------------------------------------ */

static double score_of(const fixture *f, const tims_wl_query *q, const char *id)
{
    tims_wl_query all = *q;
    all.threshold = 0.01;
    size_t n = screen(f, &all, hits);
    int r = rank_of(hits, n, id);
    return r < 0 ? 0 : hits[r].score;
}

static void dates_of_birth_adjust_the_score_by_distance(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Abdulah Anshori"); /* listed 1958 */
    double none = score_of(f, &q, "2");
    q.dob = (tims_wl_date){1958, 1958, 0, 0, 0};
    double same_year = score_of(f, &q, "2");
    q.dob = (tims_wl_date){1959, 1959, 4, 2, 0};
    double one_off = score_of(f, &q, "2");
    q.dob = (tims_wl_date){1961, 1961, 0, 0, 0};
    double few_off = score_of(f, &q, "2");
    q.dob = (tims_wl_date){1990, 1990, 0, 0, 0};
    double far_off = score_of(f, &q, "2");
    assert_true(same_year > none);
    assert_true(one_off == none);
    assert_true(few_off < one_off);
    assert_true(far_off < few_off);
    /* an exact day beats the year alone */
    q = name_query("Joaquin Guzman Loera");
    q.dob = (tims_wl_date){1954, 1954, 12, 25, 0};
    double day = score_of(f, &q, "8");
    q.dob = (tims_wl_date){1954, 1954, 6, 1, 0};
    assert_true(day > score_of(f, &q, "8") || day == 1.0);
}

static void a_near_match_with_a_conflicting_birth_date_is_no_hit(void **state)
{
    fixture *f = *state;
    /* find a name-only near match: a hit, but less than 0.06 above the threshold */
    const char *candidates[] = {"Abdellah Anshiri", "Abdallah Anshiri", "Obaidullah Anshori",
                                "Abdula Anshary", "Abdullah Anshor"};
    int tried = 0;
    for (size_t i = 0; i < TIMS_ARRAY_LEN(candidates); i++) {
        tims_wl_query q = name_query(candidates[i]);
        double s = score_of(f, &q, "2");
        if (s < TIMS_WL_DEFAULT_THRESHOLD || s >= TIMS_WL_DEFAULT_THRESHOLD + 0.06)
            continue;
        tried++;
        q.dob = (tims_wl_date){1958 + 3, 1958 + 3, 0, 0, 0};
        size_t n = screen(f, &q, hits);
        assert_int_equal(rank_of(hits, n, "2"), -1);
        q.dob = (tims_wl_date){1958 + 1, 1958 + 1, 0, 0, 0};
        n = screen(f, &q, hits);
        assert_true(rank_of(hits, n, "2") >= 0);
    }
    print_message("near matches tried: %d\n", tried);
    assert_true(tried > 0); /* the list above must hold some: else this test tests nothing */
    /* an exact name with a conflicting date stays a hit: lists' dates are often wrong */
    tims_wl_query q = name_query("Abdullah Anshori");
    q.dob = (tims_wl_date){1961, 1961, 0, 0, 0};
    size_t n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "2"), 0);
}

static void a_listed_range_of_years_counts_as_agreeing(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Mohamed Lakhal"); /* listed 1971..1973 */
    double none = score_of(f, &q, "7");
    q.dob = (tims_wl_date){1972, 1972, 5, 5, 0};
    assert_true(score_of(f, &q, "7") > none || none == 1.0);
    size_t n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "7"), 0);
    assert_int_equal(hits[0].dob.verdict, TIMS_WL_CLOSE);
}

static void nationality_and_sex_adjust_the_score(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Abdulah Anshori");
    double none = score_of(f, &q, "2");
    memcpy(q.nationality, "IDN", 4);
    double agrees = score_of(f, &q, "2");
    memcpy(q.nationality, "NLD", 4);
    double disagrees = score_of(f, &q, "2");
    assert_true(agrees > none);
    assert_true(disagrees < none);
    q.nationality[0] = '\0';
    q.sex = 'F';
    assert_true(score_of(f, &q, "2") < none);
    q.sex = 'M';
    assert_true(score_of(f, &q, "2") == none);
}

static void a_person_query_counts_against_an_entity(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Kim Il Sung");
    size_t n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "6"), 0); /* a name alone: OFAC gives it 100 */
    q.dob = (tims_wl_date){1960, 1960, 0, 0, 0};
    n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "6"), -1);
    q = name_query("Kim Il Sung");
    q.types = 1u << TIMS_WL_PERSON;
    n = screen(f, &q, hits);
    assert_int_equal(n, 0);
}

/* ---- documents --------------------------------------------------------------------------- */

static void a_document_number_with_its_state_is_a_hit_on_its_own(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query(NULL);
    q.doc_number = "L898902C3";
    memcpy(q.doc_country, "UTO", 4);
    size_t n = screen(f, &q, hits);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].entry->id, "10");
    assert_true(hits[0].document_hit);
    assert_true(hits[0].score == 1.0);
    assert_int_equal(hits[0].name_index, -1);
    /* with an unrelated name, the document still hits, and only that entry */
    q.name = "Erika Mustermann";
    n = screen(f, &q, hits);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].entry->id, "10");
    /* the document of a listed person, written with separators */
    q = name_query("Maria Example");
    q.doc_number = "a-0001";
    memcpy(q.doc_country, "MEX", 4);
    n = screen(f, &q, hits);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].entry->id, "8");
}

static void a_document_number_from_another_state_is_no_hit(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query(NULL);
    q.doc_number = "L898902C3";
    memcpy(q.doc_country, "GBR", 4);
    assert_int_equal(screen(f, &q, hits), 0);
    memcpy(q.doc_country, "UTO", 4);
    q.doc_number = "L898902C4";
    assert_int_equal(screen(f, &q, hits), 0);
}

static void name_and_document_of_one_entry_make_one_hit(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Vladimir Putin");
    q.doc_number = "123456789";
    memcpy(q.doc_country, "RUS", 4);
    size_t n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "1"), 0);
    assert_true(hits[0].document_hit);
    assert_true(hits[0].name_index >= 0);
    int ones = 0;
    for (size_t i = 0; i < n; i++)
        ones += strcmp(hits[i].entry->id, "1") == 0;
    assert_int_equal(ones, 1);
}

/* ---- explanations and order -------------------------------------------------------------- */

static int has_reason(const tims_wl_hit *h, const char *part)
{
    for (size_t r = 0; r < h->reason_count; r++) {
        if (strstr(h->reasons[r], part))
            return 1;
    }
    return 0;
}

static void every_hit_explains_itself(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Osama bin Ladin");
    q.dob = (tims_wl_date){1957, 1957, 3, 10, 0};
    memcpy(q.nationality, "SAU", 4);
    q.sex = 'M';
    size_t n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "4"), 0);
    const tims_wl_hit *h = &hits[0];
    for (size_t r = 0; r < h->reason_count; r++)
        print_message("  %s\n", h->reasons[r]);
    assert_string_equal(h->list->source, "test");
    assert_non_null(h->matched_name);
    assert_true(h->match.pair_count >= 2);
    assert_true(has_reason(h, h->matched_name));
    assert_true(has_reason(h, "osama~"));
    assert_true(has_reason(h, "date of birth 1957-03-10 is the listed date"));
    assert_true(has_reason(h, "nationality SAU agrees"));
    assert_true(has_reason(h, "sex M agrees"));
    assert_true(has_reason(h, "threshold 0.88"));
    assert_int_equal(h->dob.verdict, TIMS_WL_AGREES);
    assert_int_equal(h->nationality.verdict, TIMS_WL_AGREES);
    assert_true(h->threshold == TIMS_WL_DEFAULT_THRESHOLD);

    q.dob = (tims_wl_date){1940, 1940, 0, 0, 0};
    q.nationality[0] = '\0';
    q.sex = 0;
    q.name = "Usama bin Ladin";
    n = screen(f, &q, hits);
    assert_int_equal(rank_of(hits, n, "4"), 0);
    assert_true(has_reason(&hits[0], "disagrees with every listed date"));
    assert_true(has_reason(&hits[0], "17 years apart"));
}

static void hits_come_best_first_one_per_entry_and_within_the_limit(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Mohammed Ali Hassan");
    q.threshold = 0.5;
    size_t n = screen(f, &q, hits);
    assert_true(n >= 2);
    for (size_t i = 1; i < n; i++) {
        assert_true(hits[i - 1].score >= hits[i].score);
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(hits[i].entry, hits[j].entry);
    }
    tims_wl_hit two[2];
    size_t m = 0;
    assert_int_equal(tims_wl_screen(f->idx, &q, two, 2, &m, NULL), TIMS_OK);
    assert_int_equal(m, 2);
    assert_ptr_equal(two[0].entry, hits[0].entry);
    assert_ptr_equal(two[1].entry, hits[1].entry);
    assert_int_equal(tims_wl_screen(f->idx, &q, two, 0, &m, NULL), TIMS_OK);
    assert_int_equal(m, 0);
}

static void rare_tokens_weigh_more_than_common_ones(void **state)
{
    fixture *f = *state;
    double mohammed = tims_wl_token_weight("mohammed", 8, f->idx);
    double anshori = tims_wl_token_weight("anshori", 7, f->idx);
    double unknown = tims_wl_token_weight("zzyzx", 5, f->idx);
    assert_true(anshori > mohammed);
    assert_true(unknown > anshori);
}

/* ---- index against scan ------------------------------------------------------------------ */

static void index_and_scan_give_the_same_hits(void **state)
{
    fixture *f = *state;
    const char *queries[] = {"Vladimir Putin", "Abdulah Anshori", "Mohammed", "Hassan Ali",
                             "Usama Ladin", "Kim Il Sung", "Mohamad Lakhal", "Omar",
                             "Jean Pierre Bemba", "Hala Hussein", "Guzman"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(queries); i++) {
        for (int low = 0; low < 2; low++) {
            tims_wl_query q = name_query(queries[i]);
            q.threshold = low ? 0.7 : 0; /* the default, then lower */
            tims_wl_hit a[16], b[16];
            size_t na = 0, nb = 0;
            assert_int_equal(tims_wl_screen(f->idx, &q, a, 16, &na, NULL), TIMS_OK);
            assert_int_equal(tims_wl_screen_scan(f->idx, &q, b, 16, &nb, NULL), TIMS_OK);
            /* every hit of the index is the scan's, with the same score */
            for (size_t k = 0; k < na; k++) {
                int r = rank_of(b, nb, a[k].entry->id);
                if (r < 0)
                    fail_msg("'%s': the index hit %s, the scan did not", queries[i],
                             a[k].entry->id);
                assert_true(a[k].score == b[r].score);
            }
            /* at the default threshold the index misses nothing the scan finds */
            if (!low && na != nb)
                fail_msg("'%s': index %zu hits, scan %zu", queries[i], na, nb);
        }
    }
}

/* The anchor rule: a token pair counts only when the two tokens share an index key (text,
 * one deletion or sound). "chue" and "cho" are alike by Jaro-Winkler but share no key; "chue"
 * and "chu" share one (chue less its e). */
static void token_pairs_count_only_through_a_shared_key_in_scan_and_index(void **state)
{
    (void)state;
    tims_wl_name names[2] = {{.full = "Cho LAKHDARI", .kind = TIMS_WL_PRIMARY},
                             {.full = "Chu BENMANSOUR", .kind = TIMS_WL_PRIMARY}};
    tims_wl_entry entries[2];
    memset(entries, 0, sizeof entries);
    for (size_t i = 0; i < 2; i++) {
        entries[i].id = i ? "B" : "A";
        entries[i].type = TIMS_WL_PERSON;
        entries[i].category = TIMS_WL_SANCTION;
        entries[i].names = &names[i];
        entries[i].name_count = 1;
    }
    tims_wl_list list = {.source = "test", .format = "tims-csv", .release = "",
                         .entries = entries, .count = 2};
    const tims_wl_list *lists[] = {&list};
    tims_wl_index *idx = NULL;
    assert_int_equal(tims_wl_index_build(lists, 1, &idx, NULL), TIMS_OK);
    /* names/ alone rates the two names close: without the rule "Cho Lakhdari" would be a hit */
    tims_name qa, qb;
    assert_int_equal(tims_name_parse("Chue Lakhdari", 13, 0, &qa, NULL), TIMS_OK);
    assert_int_equal(tims_name_parse("Cho Lakhdari", 12, 0, &qb, NULL), TIMS_OK);
    double close = tims_name_similarity(&qa, &qb, NULL, NULL, NULL);
    tims_name_free(&qa);
    tims_name_free(&qb);
    assert_true(close >= TIMS_NAME_MATCH_THRESHOLD);
    const char *query[2] = {"Chue Lakhdari", "Chue Benmansour"};
    for (size_t i = 0; i < 2; i++) {
        for (int scan = 0; scan < 2; scan++) {
            tims_wl_query q = name_query(query[i]);
            tims_wl_hit h[4];
            size_t n = 99;
            tims_err err = scan ? tims_wl_screen_scan(idx, &q, h, 4, &n, NULL)
                                : tims_wl_screen(idx, &q, h, 4, &n, NULL);
            assert_int_equal(err, TIMS_OK);
            if (i == 0) {
                assert_int_equal(n, 0); /* chue~cho share no key: chue is unpaired */
                q.threshold = 0.5;
                err = scan ? tims_wl_screen_scan(idx, &q, h, 4, &n, NULL)
                           : tims_wl_screen(idx, &q, h, 4, &n, NULL);
                assert_int_equal(err, TIMS_OK);
                int r = rank_of(h, n, "A"); /* found, but chue counts as unpaired */
                assert_true(r >= 0);
                assert_true(h[r].name_score < 0.8);
                assert_non_null(strstr(h[r].reasons[0], "lakhdari~lakhdari"));
                assert_null(strstr(h[r].reasons[0], "chue~cho"));
            } else {
                assert_int_equal(n, 1);
                assert_string_equal(h[0].entry->id, "B");
                assert_non_null(strstr(h[0].reasons[0], "chue~chu"));
            }
        }
    }
    tims_wl_index_free(idx);
}

/* A name whose only pairs sharing a key are particles has no anchor and is no hit, however low
 * the threshold: names/ pairs tsang~chang and chue~cho, which share no key. */
static void a_name_agreeing_by_key_only_in_particles_is_no_hit(void **state)
{
    (void)state;
    tims_wl_name name = {.full = "Cho BIN CHANG", .kind = TIMS_WL_PRIMARY};
    tims_wl_entry entry;
    memset(&entry, 0, sizeof entry);
    entry.id = "C";
    entry.type = TIMS_WL_PERSON;
    entry.category = TIMS_WL_SANCTION;
    entry.names = &name;
    entry.name_count = 1;
    tims_wl_list list = {.source = "test", .format = "tims-csv", .release = "",
                         .entries = &entry, .count = 1};
    const tims_wl_list *lists[] = {&list};
    tims_wl_index *idx = NULL;
    assert_int_equal(tims_wl_index_build(lists, 1, &idx, NULL), TIMS_OK);
    for (int low = 0; low < 2; low++) {
        tims_wl_query q = name_query(low ? "Chue bin Tsang" : "Cho bin Chang");
        q.threshold = 0.01;
        tims_wl_hit a[4], b[4];
        size_t na = 99, nb = 99;
        assert_int_equal(tims_wl_screen(idx, &q, a, 4, &na, NULL), TIMS_OK);
        assert_int_equal(tims_wl_screen_scan(idx, &q, b, 4, &nb, NULL), TIMS_OK);
        assert_int_equal(na, low ? 0 : 1); /* the name itself is found, of course */
        assert_int_equal(nb, low ? 0 : 1);
    }
    tims_wl_index_free(idx);
}

/* ---- errors ------------------------------------------------------------------------------ */

static void a_query_without_name_or_document_is_refused(void **state)
{
    fixture *f = *state;
    tims_diag d;
    size_t n = 7;
    tims_wl_query q = name_query("  -- ");
    assert_int_equal(tims_wl_screen(f->idx, &q, hits, 16, &n, &d), TIMS_EINVAL);
    assert_int_equal(n, 0);
    assert_non_null(strstr(d.text, "document"));
    q = name_query("\xff\xfe bad");
    assert_int_equal(tims_wl_screen(f->idx, &q, hits, 16, &n, &d), TIMS_EDATA);
    q = name_query("Putin");
    q.threshold = 1.5;
    assert_int_equal(tims_wl_screen(f->idx, &q, hits, 16, &n, &d), TIMS_EINVAL);
}

static void building_fails_cleanly_without_memory(void **state)
{
    fixture *f = *state;
    const tims_wl_list *lists[] = {&f->list};
    int failures = 0;
    for (long k = 0;; k++) {
        tims_wl_index *idx = NULL;
        tims_diag d;
        tims_alloc_fail_after(k);
        tims_err err = tims_wl_index_build(lists, 1, &idx, &d);
        tims_alloc_fail_after(-1);
        if (err == TIMS_OK) {
            tims_wl_index_free(idx);
            break;
        }
        assert_int_equal(err, TIMS_ENOMEM);
        assert_null(idx);
        failures++;
    }
    assert_true(failures > 10);
}

static void screening_fails_cleanly_without_memory(void **state)
{
    fixture *f = *state;
    tims_wl_query q = name_query("Vladimir Putin");
    for (long k = 0;; k++) {
        size_t n = 5;
        tims_alloc_fail_after(k);
        tims_err err = tims_wl_screen(f->idx, &q, hits, 16, &n, NULL);
        tims_alloc_fail_after(-1);
        if (err == TIMS_OK) {
            assert_true(n >= 1);
            break;
        }
        assert_int_equal(err, TIMS_ENOMEM);
        assert_int_equal(n, 0);
    }
}

static void dates_parse_strictly(void **state)
{
    (void)state;
    tims_wl_date d;
    tims_diag diag;
    assert_int_equal(tims_wl_date_parse("1952-10-07", &d, &diag), TIMS_OK);
    assert_int_equal(d.year_from, 1952);
    assert_int_equal(d.month, 10);
    assert_int_equal(d.day, 7);
    assert_int_equal(tims_wl_date_parse("1969-7-16", &d, &diag), TIMS_OK);
    assert_int_equal(d.month, 7);
    assert_int_equal(tims_wl_date_parse("1972", &d, &diag), TIMS_OK);
    assert_int_equal(d.month, 0);
    const char *bad[] = {"", "72", "1974-01-32", "1974-13", "1974-02-30", "1974-1-1x",
                         "19740101", "1974-", "abcd"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(bad); i++) {
        if (tims_wl_date_parse(bad[i], &d, &diag) != TIMS_EDATA)
            fail_msg("'%s' should be refused", bad[i]);
    }
    assert_non_null(strstr(diag.text, "abcd"));
}

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct worker {
    const fixture *f;
    int ok;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    static const char *const queries[] = {"Vladimir Putin", "Abdulah Anshori", "Osama bin Laden"};
    static const char *const ids[] = {"1", "2", "4"};
    w->ok = 1;
    for (int i = 0; i < 300; i++) {
        tims_wl_query q;
        memset(&q, 0, sizeof q);
        q.name = queries[i % 3];
        tims_wl_hit h[4];
        size_t n = 0;
        if (tims_wl_screen(w->f->idx, &q, h, 4, &n, NULL) != TIMS_OK || n == 0 ||
            strcmp(h[0].entry->id, ids[i % 3]) != 0)
            w->ok = 0;
    }
    return NULL;
}

static void many_threads_can_query_one_index_at_once(void **state)
{
    fixture *f = *state;
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].f = f;
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(w[i].ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_an_entry_by_its_exact_name_and_by_an_alias),
        cmocka_unit_test(the_index_finds_one_letter_typos_of_every_kind),
        cmocka_unit_test(common_typos_stay_hits),
        cmocka_unit_test(finds_reordered_names_and_names_with_parts_missing),
        cmocka_unit_test(finds_transliteration_variants),
        cmocka_unit_test(unrelated_names_give_no_hit),
        cmocka_unit_test(dates_of_birth_adjust_the_score_by_distance),
        cmocka_unit_test(a_near_match_with_a_conflicting_birth_date_is_no_hit),
        cmocka_unit_test(a_listed_range_of_years_counts_as_agreeing),
        cmocka_unit_test(nationality_and_sex_adjust_the_score),
        cmocka_unit_test(a_person_query_counts_against_an_entity),
        cmocka_unit_test(a_document_number_with_its_state_is_a_hit_on_its_own),
        cmocka_unit_test(a_document_number_from_another_state_is_no_hit),
        cmocka_unit_test(name_and_document_of_one_entry_make_one_hit),
        cmocka_unit_test(every_hit_explains_itself),
        cmocka_unit_test(hits_come_best_first_one_per_entry_and_within_the_limit),
        cmocka_unit_test(rare_tokens_weigh_more_than_common_ones),
        cmocka_unit_test(index_and_scan_give_the_same_hits),
        cmocka_unit_test(token_pairs_count_only_through_a_shared_key_in_scan_and_index),
        cmocka_unit_test(a_name_agreeing_by_key_only_in_particles_is_no_hit),
        cmocka_unit_test(a_query_without_name_or_document_is_refused),
        cmocka_unit_test(building_fails_cleanly_without_memory),
        cmocka_unit_test(screening_fails_cleanly_without_memory),
        cmocka_unit_test(dates_parse_strictly),
        cmocka_unit_test(many_threads_can_query_one_index_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
