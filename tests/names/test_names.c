/* test_names.c - the names module: normalisation of each script, tokens and flags, Jaro-Winkler,
 * the token assignment, and `tims names`. Data-set floors are in test_names_quality.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "testutil.h"
#include "names/names_int.h"
#include "tims/names.h"

/* ---- helpers -------------------------------------------------------------------------- */

static char *fold(const char *s)
{
    char *out = NULL;
    tims_diag d;
    assert_int_equal(tims_name_fold(s, strlen(s), &out, &d), TIMS_OK);
    return out;
}

static void assert_fold(const char *in, const char *want)
{
    char *got = fold(in);
    if (strcmp(got, want) != 0)
        fail_msg("fold(\"%s\") = \"%s\", want \"%s\"", in, got, want);
    tims_free(got);
}

static void parse(const char *s, unsigned flags, tims_name *n)
{
    tims_diag d;
    assert_int_equal(tims_name_parse(s, strlen(s), flags, n, &d), TIMS_OK);
}

static double similarity(const char *a, const char *b)
{
    tims_name x, y;
    parse(a, TIMS_NAME_LAST_FIRST, &x);
    parse(b, TIMS_NAME_LAST_FIRST, &y);
    double s = tims_name_similarity(&x, &y, NULL, NULL, NULL);
    tims_name_free(&x);
    tims_name_free(&y);
    return s;
}

static void assert_match(const char *a, const char *b)
{
    double s = similarity(a, b);
    if (s < TIMS_NAME_MATCH_THRESHOLD)
        fail_msg("\"%s\" / \"%s\" scored %.4f, below the threshold %.2f", a, b, s,
                 TIMS_NAME_MATCH_THRESHOLD);
}

static void assert_no_match(const char *a, const char *b)
{
    double s = similarity(a, b);
    if (s >= TIMS_NAME_MATCH_THRESHOLD)
        fail_msg("\"%s\" / \"%s\" scored %.4f, at or above the threshold %.2f", a, b, s,
                 TIMS_NAME_MATCH_THRESHOLD);
}

static double jw(const char *a, const char *b)
{
    return tims_jaro_winkler(a, strlen(a), b, strlen(b));
}

/* ---- Jaro-Winkler --------------------------------------------------------------------- */

static void jaro_winkler_reproduces_winklers_published_values(void **state)
{
    (void)state;
    assert_int_equal((int)(jw("MARTHA", "MARHTA") * 1000 + 0.5), 961);
    assert_int_equal((int)(jw("DWAYNE", "DUANE") * 1000 + 0.5), 840);
    assert_int_equal((int)(jw("DIXON", "DICKSONX") * 1000 + 0.5), 813);
}

static void jaro_winkler_handles_empty_and_equal_strings(void **state)
{
    (void)state;
    assert_true(jw("", "") == 1.0);
    assert_true(jw("", "abc") == 0.0);
    assert_true(jw("abc", "abc") == 1.0);
    assert_true(jw("abc", "xyz") == 0.0);
    assert_true(jw("ab", "ba") < jw("ab", "ab"));
    /* symmetric */
    assert_true(jw("DWAYNE", "DUANE") == jw("DUANE", "DWAYNE"));
}

/* ---- normalisation -------------------------------------------------------------------- */

static void cyrillic_follows_the_icao_table(void **state)
{
    (void)state;
    assert_fold("Ж Х Ц Ч Ш Щ Ы Ю Я Й Ъ Э Ё", "zh kh ts ch sh shch y iu ia i ie e e");
    assert_fold("Юрий Щербаков", "iurii shcherbakov");
    assert_fold("Мягкий", "miagkii"); /* Ь is dropped */
    assert_fold("ВЛАДИМИР ПУТИН", "vladimir putin");
}

static void cyrillic_names_take_their_languages_column(void **state)
{
    (void)state;
    assert_fold("Євген Олійник", "ievhen oliinyk"); /* Ukrainian: Г H, И Y, Є IE, Ї/Й I */
    assert_fold("Ўладзімір Ёсіф", "uladzimir iosif"); /* Belarusian: Ё IO, Ў U */
    assert_fold("Ђорђе Чолић", "dorde colic");         /* Serbian: Ђ D, Ч Ћ C */
    assert_fold("Ѓорѓи Ќосе", "gjorgji kjose");        /* Macedonian: Ѓ GJ, Ќ KJ */
}

static void greek_follows_elot_743(void **state)
{
    (void)state;
    assert_fold("Νικόλαος Παπαδόπουλος", "nikolaos papadopoulos");
    assert_fold("Ευάγγελος Μπάμπης", "evangelos bambis");
    assert_fold("Θεόδωρος Χρήστος Ευθύμιος", "theodoros christos efthymios");
    assert_fold("ΣΩΚΡΆΤΗΣ", "sokratis");
}

static void latin_specials_follow_icao_table_a(void **state)
{
    (void)state;
    assert_fold("ß æ ø đ ł þ œ ı ŋ ð", "ss ae oe d l th oe i n d");
    assert_fold("Straße Jürgen ÆSIR Øystein", "strasse jurgen aesir oeystein");
    assert_fold("Çelik Şükrü Wałęsa Dokić", "celik sukru walesa dokic");
}

static void arabic_script_gives_consonants_and_long_vowels(void **state)
{
    (void)state;
    assert_fold("محمد علي", "mhmd ali");
    assert_fold("مُحَمَّد", "muhammad"); /* harakat give vowels, shadda doubles */
    assert_fold("عبد الرحمن", "abd al rhmn");
    assert_fold("پژمان", "pzhman"); /* Persian letters */
    tims_name n;
    parse("محمد علي", 0, &n);
    assert_true(n.tokens[0].flags & TIMS_NAME_TOKEN_ABJAD);
    assert_string_equal(n.tokens[0].skel, "mhmd");
    tims_name_free(&n);
}

static void hebrew_and_hangul_are_romanised(void **state)
{
    (void)state;
    assert_fold("דוד", "dvd");
    assert_fold("김정은", "kim jeong eun");
    tims_name n;
    parse("김정은", 0, &n);
    assert_int_equal(n.count, 3);
    assert_true(n.tokens[1].flags & TIMS_NAME_TOKEN_HANGUL);
    tims_name_free(&n);
}

static void letters_without_a_table_match_only_themselves(void **state)
{
    (void)state;
    assert_fold("习近平", "u4e60 u8fd1 u5e73");
    assert_true(similarity("习近平", "习近平") == 1.0);
    assert_true(similarity("习近平", "Xi Jinping") == 0.0);
}

static void punctuation_splits_and_apostrophes_join(void **state)
{
    (void)state;
    assert_fold("O'Brien, Mary-Ann", "obrien mary ann");
    assert_fold("Sa’id al-Masri", "said al masri");
    assert_fold("  J.R.R.  Tolkien\t", "j r r tolkien");
    assert_fold("", "");
    assert_fold("--- ... ---", "");
}

static void invalid_utf8_is_a_data_error(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Jos\xC3",             /* cut short */
        "\xC3\x28",            /* not a continuation byte */
        "\xC0\xAF",            /* overlong */
        "\xED\xA0\x80",        /* a surrogate */
        "\xF4\x90\x80\x80",    /* beyond U+10FFFF */
        "Anna \xFF Maria",     /* never valid */
    };
    for (size_t i = 0; i < TIMS_ARRAY_LEN(bad); i++) {
        tims_name n;
        tims_diag d;
        assert_int_equal(tims_name_parse(bad[i], strlen(bad[i]), 0, &n, &d), TIMS_EDATA);
        assert_int_equal(n.count, 0);
        assert_null(n.buf);
        assert_non_null(strstr(d.text, "not valid UTF-8"));
        char *out = (char *)1;
        assert_int_equal(tims_name_fold(bad[i], strlen(bad[i]), &out, NULL), TIMS_EDATA);
        assert_null(out);
    }
}

static void last_first_is_reordered(void **state)
{
    (void)state;
    tims_name n;
    parse("PUTIN, Vladimir Vladimirovich", TIMS_NAME_LAST_FIRST, &n);
    assert_int_equal(n.count, 3);
    assert_string_equal(n.tokens[0].text, "vladimir");
    assert_string_equal(n.tokens[1].text, "vladimirovich");
    assert_string_equal(n.tokens[2].text, "putin");
    assert_true(n.tokens[1].flags & TIMS_NAME_TOKEN_PATRONYMIC);
    tims_name_free(&n);
    parse("PUTIN, Vladimir", 0, &n); /* without the flag: as written */
    assert_string_equal(n.tokens[0].text, "putin");
    tims_name_free(&n);
    parse("Vladimir Putin", TIMS_NAME_LAST_FIRST, &n); /* no comma: nothing to reorder */
    assert_string_equal(n.tokens[0].text, "vladimir");
    tims_name_free(&n);
}

static void mrz_names_are_read_like_any_other(void **state)
{
    (void)state;
    tims_name n;
    parse("ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<<", TIMS_NAME_MRZ, &n);
    assert_int_equal(n.count, 3);
    assert_string_equal(n.tokens[0].text, "anna");
    assert_string_equal(n.tokens[1].text, "maria");
    assert_string_equal(n.tokens[2].text, "eriksson");
    assert_int_equal(n.truncated, 0);
    assert_false(n.tokens[2].flags & TIMS_NAME_TOKEN_PREFIX);
    tims_name_free(&n);

    /* a name that filled its field: its last letters may be cut off */
    parse("ABDULRAHMANOVA<<MARIA<ALEKSANDROVNA<SVETL", TIMS_NAME_MRZ, &n);
    assert_int_equal(n.truncated, 1);
    assert_string_equal(n.tokens[n.count - 2].text, "svetl");
    assert_true(n.tokens[n.count - 2].flags & TIMS_NAME_TOKEN_PREFIX);
    tims_name full;
    parse("Maria Aleksandrovna Svetlana Abdulrahmanova", 0, &full);
    assert_true(tims_name_similarity(&n, &full, NULL, NULL, NULL) >= TIMS_NAME_MATCH_THRESHOLD);
    tims_name_free(&full);
    tims_name_free(&n);
}

static void particles_and_honorifics_are_weak_tokens(void **state)
{
    (void)state;
    tims_name n;
    parse("Seyyed Ali al-Husseini bin Laden van der Berg Dr", 0, &n);
    const char *weak[] = {"seyyed", "al", "bin", "van", "der", "dr"};
    const char *strong[] = {"ali", "husseini", "laden", "berg"};
    for (size_t i = 0; i < n.count; i++) {
        int expect = -1;
        for (size_t k = 0; k < TIMS_ARRAY_LEN(weak); k++)
            expect = strcmp(n.tokens[i].text, weak[k]) == 0 ? 1 : expect;
        for (size_t k = 0; k < TIMS_ARRAY_LEN(strong); k++)
            expect = strcmp(n.tokens[i].text, strong[k]) == 0 ? 0 : expect;
        assert_int_not_equal(expect, -1);
        assert_int_equal(n.tokens[i].weak, expect);
    }
    tims_name_free(&n);
    /* weak tokens never match on their own, but a name of weak tokens only still can */
    assert_true(similarity("Al Mohammed", "Al Hassan") < 0.5);
    assert_true(similarity("Van Der", "Van Der") == 1.0);
    /* a missing honorific costs little */
    assert_match("Esmail Khatib", "Seyyed Esmaeil Khatib");
}

/* Every word of the weak list is found (the list is searched by bisection: it must stay
 * sorted). The text is cut into names of at most 16 tokens. */
static void every_listed_particle_is_weak(void **state)
{
    (void)state;
    const char *all =
        "abo abou abu ad adh ag al alhaj alhaji an and ap ar as ash at az ben bin bint "
        "binti bt bte bv cjsc closed co company corp corporation da das de degli dei del "
        "della delle dello den der des di dos dr du el gmbh hadji haj haji hajj hajji "
        "ibn ibnu imam inc joint jr jsc kizi kyzy la las le les limited llc llp los ltd "
        "maulana maulavi maulvi mawlana mawlawi miss mlle mme molla mollah mr mrs ms "
        "mufti mulla mullah nv oao of ogli ogly ojsc ooo open pao pjsc plc prof public "
        "qizi sa sayed sayyed sayyid seyed seyyed shaikh shaykh sheik sheikh sheykh sir "
        "sp spa sr srl stock syed ten ter the ud ul uly um umm van ver von y zao zu ";
    char copy[2048];
    assert_true(strlen(all) < sizeof copy);
    strcpy(copy, all);
    size_t seen = 0;
    for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
        tims_name n;
        parse(w, 0, &n);
        assert_int_equal(n.count, 1);
        if (!n.tokens[0].weak)
            fail_msg("'%s' is not weak", w);
        tims_name_free(&n);
        seen++;
    }
    assert_int_equal(seen, 133);
}

static void more_than_sixteen_tokens_are_truncated(void **state)
{
    (void)state;
    tims_name n;
    parse("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12 m13 n14 o15 p16 q17 r18 s19 t20", 0, &n);
    assert_int_equal(n.count, TIMS_NAME_MAX_TOKENS);
    assert_int_equal(n.truncated, 1);
    assert_string_equal(n.tokens[15].text, "p16");
    tims_name_free(&n);
    char longword[200];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    parse(longword, 0, &n);
    assert_int_equal(n.count, 1);
    assert_int_equal(n.tokens[0].len, TIMS_NAME_MAX_TOKEN_LEN);
    assert_int_equal(n.truncated, 1);
    tims_name_free(&n);
    parse("Anna Maria", 0, &n);
    assert_int_equal(n.truncated, 0);
    tims_name_free(&n);
}

static void allocation_failure_returns_enomem_without_leaks(void **state)
{
    (void)state;
    const char *names[] = {"Vladimir Putin", "Юрий Щербаков", "محمد علي"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(names); i++) {
        tims_name n;
        tims_diag d;
        tims_alloc_fail_after(0);
        tims_err err = tims_name_parse(names[i], strlen(names[i]), 0, &n, &d);
        tims_alloc_fail_after(-1);
        assert_int_equal(err, TIMS_ENOMEM);
        assert_int_equal(n.count, 0);
        assert_null(n.buf);
        tims_name_free(&n); /* safe on the emptied name */
        for (long k = 0; k < 2; k++) {
            char *out = NULL;
            tims_alloc_fail_after(k);
            err = tims_name_fold(names[i], strlen(names[i]), &out, &d);
            tims_alloc_fail_after(-1);
            assert_int_equal(err, TIMS_ENOMEM);
            assert_null(out);
        }
    }
}

static void name_free_is_safe_twice(void **state)
{
    (void)state;
    tims_name n;
    parse("Anna", 0, &n);
    tims_name_free(&n);
    tims_name_free(&n);
    tims_name zero = {0};
    tims_name_free(&zero);
    tims_name_free(NULL);
}

/* ---- similarity ----------------------------------------------------------------------- */

static void same_name_in_any_order_scores_one(void **state)
{
    (void)state;
    assert_true(similarity("John Doe", "John Doe") == 1.0);
    assert_true(similarity("Doe John", "John Doe") == 1.0);
    assert_true(similarity("PUTIN, Vladimir", "Vladimir Putin") == 1.0);
    assert_true(similarity("", "John Doe") == 0.0);
    assert_true(similarity("John Doe", "") == 0.0);
}

static void different_people_with_look_alike_names_do_not_match(void **state)
{
    (void)state;
    assert_no_match("John Doe", "Juan Doe");
    assert_no_match("John Doe", "John Down");
    assert_no_match("Mahmoud Abbas", "Mahmoud Abbasi");
    assert_no_match("Aleksandr Petrov", "Aleksandra Petrova");
    assert_no_match("Saeed Jalili", "Saeid Jalali");
    assert_no_match("Zhang Wei", "Zhang Wen");
    assert_no_match("Hashim Thaçi", "Hashim Thaqi");
}

static void pet_forms_match_their_given_name(void **state)
{
    (void)state;
    assert_match("Ted Doe", "Theodore Doe");
    assert_match("Ted Doe", "Edward Doe");
    assert_match("Bill Smith", "William Smith");
    assert_match("Smith, Bob", "Robert Smith");
    assert_match("Teddy Doe", "Ted Doe"); /* two pet forms of the same name */
    assert_match("Sasha Ivanov", "Александр Иванов");
    assert_match("Lyosha Petrov", "Alexey Petrov"); /* the table is keyed: Aleksei, Alexey */
    assert_match("Volodya Kuznetsov", "Vladimir Kuznetsov");
    assert_match("Kate Jones", "Catherine Jones");
    assert_match("Peggy Lee", "Margaret Lee");
    /* a pet form counts less than the name itself */
    assert_true(similarity("Ted Doe", "Theodore Doe") < similarity("Teodore Doe", "Theodore Doe"));
}

static void pet_forms_alone_do_not_make_a_match(void **state)
{
    (void)state;
    assert_no_match("Ted Doe", "Theodore Roe");
    assert_no_match("Bill Smith", "William Jones");
    assert_no_match("Ted", "Theodore Doe");
    assert_no_match("Bob Smith", "William Smith"); /* pet forms of other names */
    assert_no_match("Ted Doe", "Thomas Doe");
    assert_no_match("John Doe", "Juan Doe");       /* other languages' forms are not pet forms */
    assert_true(tims__diminutive_count() > 150);
    assert_true(tims__diminutive_count() < 512); /* room left in the index */
    assert_int_equal(tims__diminutive_index("zz", 2), -1);
}

static void number_words_fold_into_digits(void **state)
{
    (void)state;
    assert_fold("Brigade Fourty-four", "brigade 44");
    assert_fold("Brigade Forty Four", "brigade 44");
    assert_fold("Twentyone Club", "21 club");
    assert_fold("Thirteen Ninety", "13 90");
    assert_fold("Capital One", "capital 1"); /* every whole number word folds */
    assert_fold("Corrie ten Boom", "corrie ten boom"); /* the Dutch particle stays */
    assert_fold("Fourteenth Street Fortyish", "fourteenth street fortyish");
    assert_fold("FORTY, Four", "40 4"); /* not across a comma */
    assert_match("Brigade Fourty-four", "Brigade 44");
    assert_no_match("Brigade Forty-four", "Brigade 45");
    assert_no_match("Snow Storm One", "Snow Storm 2");
}

static void hyphens_spaces_and_joined_compounds_match(void **state)
{
    (void)state;
    const char *forms[] = {"Abdul-Rahman Saleh", "Abdul Rahman Saleh", "Abdulrahman Saleh",
                           "Abd al-Rahman Saleh"};
    for (size_t i = 0; i < TIMS_ARRAY_LEN(forms); i++) {
        for (size_t j = 0; j < TIMS_ARRAY_LEN(forms); j++)
            assert_match(forms[i], forms[j]);
    }
    assert_match("Mohammad Reza Hosseini", "Mohammadreza Hoseini");
    assert_match("Abolfazl Moradi", "Abul Fazl Moradi");
    assert_match("Mahmoud Ahmadinejad", "Mahmud Ahmadi-Nejad");
}

static void transliteration_variants_match(void **state)
{
    (void)state;
    assert_match("Iurii Gagarin", "Yuriy Gagarin");
    assert_match("Владимир Путин", "Vladimir Putin");
    assert_match("محمد علي", "Mohamed Ali");
    assert_match("عبد الله", "Abdullah");
    assert_match("Νικόλαος", "Nikolaos");
    assert_match("Jürgen Müller", "Juergen Mueller");
    assert_match("XKHATIB", "Khatib");
}

static void initials_match_the_names_they_begin(void **state)
{
    (void)state;
    assert_match("J Smith", "John Smith");
    assert_no_match("P Smith", "John Smith");
    assert_true(similarity("J Smith", "John Smith") < similarity("John Smith", "John Smith"));
}

static void missing_candidate_tokens_cost_less_than_missing_query_tokens(void **state)
{
    (void)state;
    double extra_in_candidate = similarity("Nicolas Maduro", "Nicolas Maduro Moros");
    double extra_in_query = similarity("Nicolas Maduro Moros", "Nicolas Maduro");
    assert_true(extra_in_candidate > extra_in_query);
    assert_match("Nicolas Maduro", "Nicolas Maduro Moros");
    /* a patronymic the passport leaves out costs nothing */
    assert_true(similarity("Vladimir Putin", "PUTIN, Vladimir Vladimirovich") == 1.0);
}

static void one_name_part_is_not_enough(void **state)
{
    (void)state;
    assert_no_match("Nicolas", "Nicolas Maduro");
    assert_no_match("Maduro", "Nicolas Maduro Moros");
    assert_match("Maduro", "Maduro");
    assert_match("Usama bin Ladin", "BIN LADIN, Usama bin Muhammad bin Awad");
}

static double rarity(const char *token, size_t len, void *ctx)
{
    (void)ctx;
    return len == 4 && memcmp(token, "john", 4) == 0 ? 0.2 : 3.0;
}

static void rare_tokens_weigh_more(void **state)
{
    (void)state;
    tims_name a, b;
    parse("John Smith", 0, &a);
    parse("John Brown", 0, &b);
    double plain = tims_name_similarity(&a, &b, NULL, NULL, NULL);
    double weighted = tims_name_similarity(&a, &b, rarity, NULL, NULL);
    assert_true(weighted < plain); /* the common first name explains less */
    tims_name_free(&a);
    tims_name_free(&b);
}

static void explanation_names_the_pairs(void **state)
{
    (void)state;
    tims_name q, c;
    parse("Mohammad Reza Hosseini", 0, &q);
    parse("HOSEINI, Mohammadreza", TIMS_NAME_LAST_FIRST, &c);
    tims_name_match m;
    double s = tims_name_similarity(&q, &c, NULL, NULL, &m);
    assert_true(m.score == s);
    assert_int_equal(m.pair_count, 3);
    int seen_merge = 0, seen_surname = 0;
    for (size_t i = 0; i < m.pair_count; i++) {
        const char *qt = q.tokens[m.pairs[i].query].text;
        const char *ct = c.tokens[m.pairs[i].candidate].text;
        if (strcmp(ct, "mohammadreza") == 0 &&
            (strcmp(qt, "mohammad") == 0 || strcmp(qt, "reza") == 0))
            seen_merge++;
        if (strcmp(qt, "hosseini") == 0 && strcmp(ct, "hoseini") == 0)
            seen_surname++;
    }
    assert_int_equal(seen_merge, 2);
    assert_int_equal(seen_surname, 1);
    tims_name_free(&q);
    tims_name_free(&c);
}

static void long_names_are_solved_exactly(void **state)
{
    (void)state;
    /* 12 tokens on both sides: too many for the programme, solved by the Hungarian method */
    const char *a = "aa bb cc dd ee ff gg hh ii jj kk ll";
    const char *b = "ll kk jj ii hh gg ff ee dd cc bb aa";
    assert_true(similarity(a, b) == 1.0);
    double partly = similarity(a, "ll kk jj ii hh gg ff ee dd cc bb zz");
    assert_true(partly < 1.0 && partly > 0.8);
}

/* Random text of valid and invalid UTF-8 from many scripts: parse either succeeds or says
 * EDATA; a parsed name is identical to itself; every score lies in [0, 1]. */
static void random_input_never_breaks_the_rules(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", "ou", "kh", " ", "-", ",", "<", "<<", "'", "1", "\xC3\xA9", "\xC3\x9F",
        "\xD0\x96", "\xD0\xA9", "\xD1\x97", "\xCE\xBC\xCF\x80", "\xD8\xB9", "\xD9\x91",
        "\xD8\xA7\xD9\x84", "\xD7\x93", "\xEA\xB9\x80", "\xE4\xB9\xA0", "\xEF\xB7\xBA",
        "\xCC\x81", "\xFF", "\xC3", "\xE2\x80\x8C", "\t", "al", "bin", "de",
    };
    uint32_t seed = 12345;
    tims_name fixed;
    parse("Abdul Rahman al-Hassan Mohammadreza", 0, &fixed);
    for (int round = 0; round < 3000; round++) {
        char text[256];
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t pieces_n = (seed >> 16) % 40;
        for (size_t k = 0; k < pieces_n; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % TIMS_ARRAY_LEN(pieces)];
            size_t pl = strlen(p);
            if (len + pl >= sizeof text)
                break;
            memcpy(text + len, p, pl);
            len += pl;
        }
        tims_name n;
        tims_err err = tims_name_parse(text, len, (unsigned)round & 3, &n, NULL);
        assert_true(err == TIMS_OK || err == TIMS_EDATA);
        if (err != TIMS_OK)
            continue;
        assert_true(n.count <= TIMS_NAME_MAX_TOKENS);
        for (size_t i = 0; i < n.count; i++) {
            assert_int_equal(strlen(n.tokens[i].text), n.tokens[i].len);
            assert_true(n.tokens[i].len > 0 && n.tokens[i].len <= TIMS_NAME_MAX_TOKEN_LEN);
            for (size_t k = 0; k < n.tokens[i].len; k++) {
                char c = n.tokens[i].text[k];
                assert_true((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
            }
        }
        double self = tims_name_similarity(&n, &n, NULL, NULL, NULL);
        assert_true(n.count == 0 ? self == 0.0 : self == 1.0);
        double a = tims_name_similarity(&n, &fixed, NULL, NULL, NULL);
        double b = tims_name_similarity(&fixed, &n, NULL, NULL, NULL);
        assert_true(a >= 0.0 && a <= 1.0 && b >= 0.0 && b <= 1.0);
        tims_name_free(&n);
    }
    tims_name_free(&fixed);
}

/* ---- the command ---------------------------------------------------------------------- */

static void compare_prints_score_and_verdict(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"names", "compare", "John Doe", "Juan Doe", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "match      no"));
    tims_buf_reset(&out);
    const char *args2[] = {"names", "compare", "PUTIN, Vladimir", "Владимир Путин",
                           "--json", NULL};
    assert_int_equal(tu_run(args2, NULL, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "\"match\":true"));
    assert_non_null(strstr(out.data, "\"score\":1"));
    tims_buf_free(&out);
}

static char *write_temp(char **dir, const char *text)
{
    *dir = tu_tempdir();
    tims_buf path = {0};
    assert_int_equal(tims_buf_printf(&path, "%s/pairs.tsv", *dir), TIMS_OK);
    FILE *f = fopen(path.data, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return tims_buf_steal(&path);
}

static void compare_tsv_adds_score_and_match_columns(void **state)
{
    (void)state;
    char *dir;
    char *path = write_temp(&dir, "# made here\n"
                                  "id\tname_a\tname_b\tnote\n"
                                  "1\tJohn Doe\tJohn Doe\tsame\n"
                                  "2\tJohn Doe\tJuan Doe\tother\n");
    tims_buf out = {0};
    const char *args[] = {"names", "compare", "--tsv", path, NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_string_equal(out.data, "# made here\n"
                                  "id\tname_a\tname_b\tnote\tscore\tmatch\n"
                                  "1\tJohn Doe\tJohn Doe\tsame\t1.0000\t1\n"
                                  "2\tJohn Doe\tJuan Doe\tother\t0.8500\t0\n");
    tims_buf_free(&out);
    /* standard input works the same */
    const char *args2[] = {"names", "compare", "--tsv", "-", NULL};
    assert_int_equal(tu_run(args2, "name_b\tname_a\nA B\tA B\n", &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "A B\tA B\t1.0000\t1\n"));
    tims_buf_free(&out);
    tu_rmtree(dir);
    tims_free(dir);
    tims_free(path);
}

static void compare_rejects_bad_input_with_sysexits_codes(void **state)
{
    (void)state;
    tims_buf err = {0};
    const char *missing[] = {"names", "compare", "--tsv", "/nonexistent/pairs.tsv", NULL};
    assert_int_equal(tu_run(missing, NULL, NULL, &err), EX_NOINPUT);
    assert_non_null(strstr(err.data, "/nonexistent/pairs.tsv"));
    tims_buf_reset(&err);

    const char *stdin_args[] = {"names", "compare", "--tsv", "-", NULL};
    assert_int_equal(tu_run(stdin_args, "a\tb\nx\ty\n", NULL, &err), EX_DATAERR);
    assert_non_null(strstr(err.data, "name_a and name_b"));
    tims_buf_reset(&err);
    assert_int_equal(tu_run(stdin_args, "name_a\tname_b\nok\tfine\nbad\t\xC3\x28\n", NULL, &err),
                     EX_DATAERR);
    assert_non_null(strstr(err.data, "line 3"));
    assert_non_null(strstr(err.data, "UTF-8"));
    tims_buf_reset(&err);
    assert_int_equal(tu_run(stdin_args, "name_a\tname_b\nonly one column\n", NULL, &err),
                     EX_DATAERR);
    assert_non_null(strstr(err.data, "line 2"));
    tims_buf_reset(&err);

    const char *bad_arg[] = {"names", "compare", "Jos\xC3", "Jose", NULL};
    assert_int_equal(tu_run(bad_arg, NULL, NULL, &err), EX_DATAERR);
    tims_buf_reset(&err);
    const char *one[] = {"names", "compare", "John", NULL};
    assert_int_equal(tu_run(one, NULL, NULL, &err), EX_USAGE);
    const char *opt[] = {"names", "compare", "a", "b", "--frobnicate", NULL};
    assert_int_equal(tu_run(opt, NULL, NULL, NULL), EX_USAGE);
    const char *none[] = {"names", NULL};
    assert_int_equal(tu_run(none, NULL, NULL, NULL), EX_USAGE);
    const char *tsv_and_names[] = {"names", "compare", "--tsv", "-", "a", NULL};
    assert_int_equal(tu_run(tsv_and_names, NULL, NULL, NULL), EX_USAGE);
    tims_buf_free(&err);
}

static void parse_command_shows_tokens_and_keys(void **state)
{
    (void)state;
    tims_buf out = {0};
    const char *args[] = {"names", "parse", "--json", "al-Khattab, Omar", NULL};
    assert_int_equal(tu_run(args, NULL, &out, NULL), EX_OK);
    assert_non_null(strstr(out.data, "\"text\":\"omar\""));
    assert_non_null(strstr(out.data, "\"text\":\"khattab\",\"key\":\"hatab\""));
    assert_non_null(strstr(out.data, "\"text\":\"al\",\"key\":\"al\",\"skeleton\":\"l\","
                                     "\"weak\":true"));
    tims_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jaro_winkler_reproduces_winklers_published_values),
        cmocka_unit_test(jaro_winkler_handles_empty_and_equal_strings),
        cmocka_unit_test(cyrillic_follows_the_icao_table),
        cmocka_unit_test(cyrillic_names_take_their_languages_column),
        cmocka_unit_test(greek_follows_elot_743),
        cmocka_unit_test(latin_specials_follow_icao_table_a),
        cmocka_unit_test(arabic_script_gives_consonants_and_long_vowels),
        cmocka_unit_test(hebrew_and_hangul_are_romanised),
        cmocka_unit_test(letters_without_a_table_match_only_themselves),
        cmocka_unit_test(punctuation_splits_and_apostrophes_join),
        cmocka_unit_test(invalid_utf8_is_a_data_error),
        cmocka_unit_test(last_first_is_reordered),
        cmocka_unit_test(mrz_names_are_read_like_any_other),
        cmocka_unit_test(particles_and_honorifics_are_weak_tokens),
        cmocka_unit_test(every_listed_particle_is_weak),
        cmocka_unit_test(more_than_sixteen_tokens_are_truncated),
        cmocka_unit_test(allocation_failure_returns_enomem_without_leaks),
        cmocka_unit_test(name_free_is_safe_twice),
        cmocka_unit_test(same_name_in_any_order_scores_one),
        cmocka_unit_test(different_people_with_look_alike_names_do_not_match),
        cmocka_unit_test(pet_forms_match_their_given_name),
        cmocka_unit_test(pet_forms_alone_do_not_make_a_match),
        cmocka_unit_test(number_words_fold_into_digits),
        cmocka_unit_test(hyphens_spaces_and_joined_compounds_match),
        cmocka_unit_test(transliteration_variants_match),
        cmocka_unit_test(initials_match_the_names_they_begin),
        cmocka_unit_test(missing_candidate_tokens_cost_less_than_missing_query_tokens),
        cmocka_unit_test(one_name_part_is_not_enough),
        cmocka_unit_test(rare_tokens_weigh_more),
        cmocka_unit_test(explanation_names_the_pairs),
        cmocka_unit_test(long_names_are_solved_exactly),
        cmocka_unit_test(random_input_never_breaks_the_rules),
        cmocka_unit_test(compare_prints_score_and_verdict),
        cmocka_unit_test(compare_tsv_adds_score_and_match_columns),
        cmocka_unit_test(compare_rejects_bad_input_with_sysexits_codes),
        cmocka_unit_test(parse_command_shows_tokens_and_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
