/* diminutives.c - given names and their pet forms: Ted is Theodore or Edward, Sasha Aleksandr.
 *
 * A person listed as Theodore Doe may be asked about as Ted Doe, and no spelling rule links the
 * two. The table below does: each row is a full given name and the short or pet forms people
 * use for it. Its source: the common English hypocorisms found in any dictionary of first names
 * (e.g. Hanks, Hardcastle and Hodges, Oxford Dictionary of First Names, 2nd ed. 2006), and the
 * customary diminutives of the Russian and Ukrainian given names frequent on sanctions lists,
 * in their usual romanisations. It is written by hand, it is not exhaustive, and it leaves out
 * forms that are names of their own in other languages (Juan is not John; no Jack/Jacques).
 *
 * Rows are compared on romanisation keys (keys.c), so Aleksey, Alexei and Aleksei find the same
 * row; spellings that the keys do not fold (Alexander/Aleksandr, Katherine/Catherine) are
 * listed each. Two names are linked when one is a pet form of the other, or both are pet forms
 * of the same full name (Ted and Teddy). The lookup index is built once, on first use. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "names/names_int.h"

/* "full: short forms", space separated. A full name may have several rows (spellings). */
static const char *const rows[] = {
    /* English */
    "abigail: abby abbie gail",
    "albert: bert bertie",
    "alexander: alex alec alick sandy sasha xander",
    "alexandra: alex sandra sandy sasha lexie",
    "andrew: andy drew",
    "anthony: tony",
    "antony: tony",
    "barbara: barb babs",
    "benjamin: ben benny benji",
    "catherine: cathy cate kate katie kat kitty",
    "charles: charlie chuck chas",
    "christopher: chris kit topher",
    "christina: chris chrissie tina",
    "christine: chris chrissie",
    "daniel: dan danny",
    "david: dave davy",
    "deborah: deb debbie debby",
    "donald: don donnie",
    "dorothy: dot dottie dolly",
    "douglas: doug",
    "edmund: ed eddie ned",
    "edward: ed eddie eddy ted teddy ned",
    "eleanor: ellie nell nora",
    "elizabeth: liz lizzie liza eliza beth betty betsy bess libby",
    "eugene: gene",
    "francis: frank frankie",
    "frederick: fred freddie freddy",
    "gerald: gerry jerry",
    "gregory: greg",
    "harold: harry hal",
    "henry: harry hank hal",
    "jacob: jake",
    "jacqueline: jackie",
    "james: jim jimmy jamie",
    "jeffrey: jeff",
    "jennifer: jen jenny",
    "john: jack johnny",
    "jonathan: jon jonny",
    "joseph: joe joey",
    "joshua: josh",
    "katherine: kathy kate katie kat kitty",
    "kathryn: kathy kate katie",
    "kenneth: ken kenny",
    "lawrence: larry",
    "leonard: len lenny",
    "margaret: maggie meg peggy marge madge",
    "mary: molly polly",
    "matthew: matt",
    "michael: mike mikey mick mickey",
    "nathaniel: nat nate",
    "nicholas: nick nicky",
    "patricia: pat patty trish",
    "patrick: pat paddy",
    "peter: pete",
    "philip: phil",
    "raymond: ray",
    "rebecca: becky becca",
    "richard: dick rick ricky rich richie",
    "robert: bob bobby rob robbie bert",
    "ronald: ron ronnie",
    "samuel: sam sammy",
    "sarah: sally",
    "stephen: steve stevie",
    "steven: steve stevie",
    "susan: sue susie",
    "theodore: ted teddy theo",
    "thomas: tom tommy",
    "timothy: tim timmy",
    "victoria: vicky vickie tori",
    "vincent: vince",
    "walter: walt wally",
    "william: bill billy will willy willie liam",
    "zachary: zach zack",
    /* Russian and Ukrainian */
    "aleksandr: sasha sanya shura",
    "oleksandr: sasha sanya",
    "aleksandra: sasha sanya shura",
    "aleksei: alyosha lyosha lesha",
    "anastasia: nastya",
    "anatoly: tolya",
    "boris: borya",
    "darya: dasha",
    "dmitry: dima mitya",
    "ekaterina: katya",
    "elena: lena",
    "fyodor: fedya",
    "gennady: gena",
    "georgy: zhora",
    "grigory: grisha",
    "irina: ira",
    "ivan: vanya",
    "konstantin: kostya",
    "ksenia: ksyusha",
    "leonid: lyonya",
    "maria: masha",
    "mikhail: misha",
    "natalia: natasha",
    "nikolai: kolya",
    "mykola: kolya",
    "olga: olya",
    "pavel: pasha",
    "pyotr: petya",
    "petr: petya",
    "roman: roma",
    "sergei: seryozha serezha",
    "serhii: serhiy",
    "stanislav: stas slava",
    "svetlana: sveta",
    "tatiana: tanya",
    "valery: valera",
    "viktor: vitya",
    "vladimir: volodya vova",
    "volodymyr: volodya vova",
    "vladislav: vlad slava",
    "vyacheslav: slava",
    "yaroslav: slava",
    "yevgeny: zhenya",
    "yevhen: zhenya",
    "yuri: yura",
};

enum {
    INDEX_MAX = 512, /* distinct keys in the table (a test checks the room left) */
    WORD_MAX = 24,   /* letters of one name */
    FORMS_MAX = 12,  /* names in one row */
};

typedef struct entry {
    char key[TIMS__KEY_MAX + 1];
} entry;

static entry index_keys[INDEX_MAX];
static size_t index_count;
static uint8_t linked[INDEX_MAX][INDEX_MAX / 8];
static once_flag index_once = ONCE_FLAG_INIT;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* The rows' words, each as its key; calls fn(ctx, row, word index, key). */
static void each_word(void (*fn)(void *, size_t, size_t, const char *), void *ctx)
{
    for (size_t r = 0; r < TIMS_ARRAY_LEN(rows); r++) {
        const char *p = rows[r];
        size_t w = 0;
        while (*p) {
            size_t n = strcspn(p, ": ");
            if (n > 0 && n <= WORD_MAX) {
                char key[TIMS__KEY_MAX + 1];
                tims__name_key(p, n, key);
                fn(ctx, r, w++, key);
            }
            p += n;
            p += strspn(p, ": ");
        }
    }
}

static void collect(void *ctx, size_t row, size_t word, const char *key)
{
    (void)ctx, (void)row, (void)word;
    assert(index_count < INDEX_MAX);
    if (index_count < INDEX_MAX)
        strcpy(index_keys[index_count++].key, key);
}

static int find(const char *key)
{
    entry probe;
    strcpy(probe.key, key);
    const entry *e = bsearch(&probe, index_keys, index_count, sizeof *e, cmp_entry);
    return e ? (int)(e - index_keys) : -1;
}

typedef struct row_words {
    size_t row;
    int at[FORMS_MAX];
    size_t n;
} row_words;

static void link_row(row_words *rw)
{
    /* every name of a row is linked to every other: the full name and each short form */
    for (size_t i = 0; i < rw->n; i++) {
        for (size_t k = 0; k < rw->n; k++) {
            int a = rw->at[i], b = rw->at[k];
            if (a >= 0 && b >= 0 && a != b)
                linked[a][b / 8] |= (uint8_t)(1u << (b % 8));
        }
    }
}

static void gather(void *ctx, size_t row, size_t word, const char *key)
{
    row_words *rw = ctx;
    (void)word;
    if (row != rw->row) {
        link_row(rw);
        rw->row = row;
        rw->n = 0;
    }
    if (rw->n < FORMS_MAX)
        rw->at[rw->n++] = find(key);
}

static void build_index(void)
{
    each_word(collect, NULL);
    qsort(index_keys, index_count, sizeof index_keys[0], cmp_entry);
    size_t w = 0; /* drop duplicates (Sasha is in several rows) */
    for (size_t i = 0; i < index_count; i++) {
        if (w == 0 || strcmp(index_keys[w - 1].key, index_keys[i].key) != 0)
            index_keys[w++] = index_keys[i];
    }
    index_count = w;
    row_words rw = {0, {0}, 0};
    each_word(gather, &rw);
    link_row(&rw);
}

int tims__diminutive_index(const char *key, size_t len)
{
    call_once(&index_once, build_index);
    if (len < 2 || len > WORD_MAX)
        return -1;
    char k[TIMS__KEY_MAX + 1];
    memcpy(k, key, len);
    k[len] = '\0';
    return find(k);
}

int tims__diminutives_linked(int a, int b)
{
    if (a < 0 || b < 0)
        return 0;
    return (linked[a][b / 8] >> (b % 8)) & 1;
}

size_t tims__diminutive_count(void)
{
    call_once(&index_once, build_index);
    return index_count;
}
