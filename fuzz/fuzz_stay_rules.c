/* fuzz_stay_rules.c - libFuzzer target: stay rules files and node settings as an operator (or an
 * attacker with write access to the folder) might write them. The first byte picks the parser;
 * each must accept or refuse, never crash. Accepted rules are then used: every policy a few
 * lookups yield must evaluate a small history without error. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tims/node.h"
#include "tims/stay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 1) {
        tims_node_config cfg;
        tims_node_config_parse(text, len, &cfg, NULL);
        return 0;
    }
    tims_stay_rules *rules = NULL;
    if (tims_stay_rules_parse(text, len, &rules, NULL) != TIMS_OK)
        return 0;
    static const char *const who[][3] = {{"UTO", "UTO", "P"}, {"D", "D", "ID"}, {"GBR", "UTO", "AR"},
                                         {"XXA", "UTO", "V"}, {"", "", ""}};
    tims_stay_rules_set_home(rules, "UTO");
    tims_stay_visit visits[] = {{19000, 19040}, {19100, TIMS_STAY_UNKNOWN}};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        const tims_stay_policy *p = tims_stay_policy_match(rules, who[i][0], who[i][1], who[i][2]);
        tims_stay_result r;
        if (!p || tims_stay_evaluate(p, visits, 2, 19150, &r, NULL) != TIMS_OK)
            __builtin_trap();
    }
    tims_stay_rules_free(rules);
    return 0;
}
