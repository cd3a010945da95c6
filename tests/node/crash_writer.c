/* crash_writer.c - a helper of test_crash: records crossings through the node library in a
 * loop, one new traveller each, and prints each id on stdout (flushed) once tims_node_cross
 * has returned, i.e. once the crossing is durable. test_crash kills it with SIGKILL.
 *
 * usage: crash_writer DIR FIRST   (FIRST: the number of the first traveller, so rounds differ) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tims/node.h"

static int cd_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 0;
}

static char check_digit(const char *s, size_t n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += cd_value(s[i]) * w[i % 3];
    return (char)('0' + sum % 10);
}

/* A valid TD3 MRZ for traveller k (document C + 8 digits). */
static void make_mrz(long k, char *out, size_t size)
{
    char l2[80];
    char doc[10], dob[7] = "800101", exp[7] = "351231", pers[15] = "<<<<<<<<<<<<<<";
    snprintf(doc, sizeof doc, "C%08lu", (unsigned long)k % 100000000UL);
    int n = snprintf(l2, sizeof l2, "%s%cUTO%s%cF%s%c%s%c", doc, check_digit(doc, 9), dob, check_digit(dob, 6), exp,
                     check_digit(exp, 6), pers, check_digit(pers, 14));
    (void)n;
    char comp[40];
    snprintf(comp, sizeof comp, "%.10s%.7s%.15s", l2, l2 + 13, l2 + 21);
    l2[43] = check_digit(comp, strlen(comp));
    l2[44] = '\0';
    char l1[45];
    memset(l1, '<', 44);
    memcpy(l1, "P<UTOTESTER<<CRASH", 18);
    l1[44] = '\0';
    snprintf(out, size, "%s\n%s\n", l1, l2);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 64;
    tims_node *node = NULL;
    tims_diag diag = {{0}};
    if (tims_node_open(argv[1], 0, &node, &diag) != TIMS_OK) {
        fprintf(stderr, "crash_writer: %s\n", diag.text);
        return 1;
    }
    for (long k = atol(argv[2]);; k++) {
        char mrz[128];
        make_mrz(k, mrz, sizeof mrz);
        tims_cross_request req = {.mrz = mrz, .mrz_len = strlen(mrz), .direction = TIMS_DIR_ENTRY,
                                  .officer = "crash"};
        tims_cross_result r;
        if (tims_node_cross(node, &req, now_us(), &r, &diag) != TIMS_OK) {
            fprintf(stderr, "crash_writer: %s\n", diag.text);
            tims_node_close(node);
            return 1;
        }
        printf("%s C%08lu\n", r.id, (unsigned long)k % 100000000UL);
        fflush(stdout);
        tims_cross_result_clear(&r);
    }
}
