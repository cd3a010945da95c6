/* rules.c - the stay rules file: policies, groups of nationalities, and match rules.
 *
 * The format (docs/stay-rules.md) is a small INI dialect: [policy NAME], [group NAME] and one
 * [match] section whose lines are tried top to bottom. Parsing is all or nothing: the first
 * problem is reported with its line number and nothing is returned. The rules own copies of
 * every name; the built-in defaults are the text of data/stay-rules.ini, parsed like a file. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tims/country.h"
#include "tims/stay.h"

#include "stay/default_rules.h"

enum field { FIELD_NATIONALITY, FIELD_ISSUER, FIELD_DOCUMENT };
enum value_kind { VALUE_ANY, VALUE_CODE, VALUE_GROUP, VALUE_HOME };

typedef struct condition {
    enum field field;
    enum value_kind kind;
    char code[4];  /* VALUE_CODE: a country code, or a document code prefix (1-2 letters) */
    size_t group;  /* VALUE_GROUP: index into groups */
} condition;

#define MAX_CONDITIONS 3

typedef struct match_rule {
    condition conds[MAX_CONDITIONS];
    size_t cond_count;
    size_t policy;
    int line;
} match_rule;

typedef struct group {
    char *name;
    char (*codes)[4];
    size_t count;
} group;

struct tims_stay_rules {
    tims_stay_policy *policies; /* names owned (cast away const when freeing) */
    size_t policy_count;
    group *groups;
    size_t group_count;
    match_rule *rules;
    size_t rule_count;
    size_t default_policy;
    int has_default;
    char home[4];
};

const char *tims_stay_rules_default_text(void)
{
    return TIMS_STAY_DEFAULT_RULES;
}

void tims_stay_rules_free(tims_stay_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->policy_count; i++)
        tims_free((char *)r->policies[i].name);
    for (size_t i = 0; i < r->group_count; i++) {
        tims_free(r->groups[i].name);
        tims_free(r->groups[i].codes);
    }
    tims_free(r->policies);
    tims_free(r->groups);
    tims_free(r->rules);
    tims_free(r);
}

/* ---- parsing ------------------------------------------------------------------------------ */

enum section { SEC_NONE, SEC_POLICY, SEC_GROUP, SEC_MATCH };

typedef struct parser {
    tims_stay_rules *r;
    enum section sec;
    size_t current;          /* index of the policy or group being filled */
    int line;
    int seen_kind;
    tims_diag *diag;
} parser;

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return 0;
    }
    return 1;
}

static int valid_country(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 3 && tims_country_by_code(s) != NULL;
}

static int valid_doc_prefix(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    }
    return 1;
}

static tims_err fail(parser *p, const char *what)
{
    return tims_diag_set(p->diag, TIMS_EDATA, "stay rules, line %d: %s", p->line, what);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static long find_policy(const tims_stay_rules *r, const char *name)
{
    for (size_t i = 0; i < r->policy_count; i++) {
        if (strcmp(r->policies[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

static long find_group(const tims_stay_rules *r, const char *name)
{
    for (size_t i = 0; i < r->group_count; i++) {
        if (strcmp(r->groups[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

static tims_err start_section(parser *p, char *head)
{
    size_t n = strlen(head);
    if (n < 2 || head[n - 1] != ']')
        return fail(p, "a section header must end with ']'");
    head[n - 1] = '\0';
    char *body = trim(head + 1);
    char *space = strpbrk(body, " \t");
    char *name = NULL;
    if (space) {
        *space = '\0';
        name = trim(space + 1);
    }
    tims_stay_rules *r = p->r;
    if (strcmp(body, "match") == 0 && !name) {
        p->sec = SEC_MATCH;
        return TIMS_OK;
    }
    if ((strcmp(body, "policy") != 0 && strcmp(body, "group") != 0) || !name)
        return fail(p, "expected [policy NAME], [group NAME] or [match]");
    if (!valid_name(name))
        return fail(p, "a name may hold only letters, digits, '-' and '_'");
    if (strcmp(body, "policy") == 0) {
        if (find_policy(r, name) >= 0)
            return fail(p, "this policy is defined twice; keep one");
        tims_stay_policy *grown = tims_realloc(r->policies, (r->policy_count + 1) * sizeof *grown);
        if (!grown)
            return TIMS_ENOMEM;
        r->policies = grown;
        tims_stay_policy *pol = &r->policies[r->policy_count];
        memset(pol, 0, sizeof *pol);
        pol->past_overstay_days = TIMS_STAY_PAST_OVERSTAY_DAYS;
        if (!(pol->name = tims_strdup(name)))
            return TIMS_ENOMEM;
        r->policy_count++;
        p->current = r->policy_count - 1;
        p->sec = SEC_POLICY;
        p->seen_kind = 0;
        return TIMS_OK;
    }
    if (find_group(r, name) >= 0)
        return fail(p, "this group is defined twice; keep one");
    group *grown = tims_realloc(r->groups, (r->group_count + 1) * sizeof *grown);
    if (!grown)
        return TIMS_ENOMEM;
    r->groups = grown;
    group *g = &r->groups[r->group_count];
    memset(g, 0, sizeof *g);
    if (!(g->name = tims_strdup(name)))
        return TIMS_ENOMEM;
    r->group_count++;
    p->current = r->group_count - 1;
    p->sec = SEC_GROUP;
    return TIMS_OK;
}

static tims_err parse_int(parser *p, const char *value, int lo, int hi, int *out)
{
    char *end = NULL;
    long v = isdigit((unsigned char)*value) ? strtol(value, &end, 10) : -1;
    if (!end || *end || v < lo || v > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected a whole number from %d to %d", lo, hi);
        return fail(p, msg);
    }
    *out = (int)v;
    return TIMS_OK;
}

static tims_err policy_line(parser *p, const char *key, const char *value)
{
    tims_stay_policy *pol = &p->r->policies[p->current];
    if (strcmp(key, "kind") == 0) {
        if (strcmp(value, "unlimited") == 0)
            pol->kind = TIMS_STAY_UNLIMITED;
        else if (strcmp(value, "short") == 0)
            pol->kind = TIMS_STAY_SHORT;
        else if (strcmp(value, "refuse") == 0)
            pol->kind = TIMS_STAY_REFUSE;
        else
            return fail(p, "kind must be unlimited, short or refuse");
        p->seen_kind = 1;
        return TIMS_OK;
    }
    if (strcmp(key, "max_days") == 0)
        return parse_int(p, value, 1, 3650, &pol->max_days);
    if (strcmp(key, "window_days") == 0)
        return parse_int(p, value, 1, 3650, &pol->window_days);
    if (strcmp(key, "past_overstay_days") == 0)
        return parse_int(p, value, 0, 36500, &pol->past_overstay_days);
    return fail(p, "a policy knows only kind, max_days, window_days and past_overstay_days");
}

static tims_err group_line(parser *p, const char *key, char *value)
{
    if (strcmp(key, "members") != 0)
        return fail(p, "a group knows only members");
    group *g = &p->r->groups[p->current];
    for (char *tok = strtok(value, " \t,"); tok; tok = strtok(NULL, " \t,")) {
        if (!valid_country(tok)) {
            char msg[96];
            snprintf(msg, sizeof msg, "'%.8s' is not a nationality code the MRZ uses (e.g. GBR, D)", tok);
            return fail(p, msg);
        }
        char (*grown)[4] = tims_realloc(g->codes, (g->count + 1) * sizeof *grown);
        if (!grown)
            return TIMS_ENOMEM;
        g->codes = grown;
        snprintf(g->codes[g->count], 4, "%s", tok);
        g->count++;
    }
    return TIMS_OK;
}

static tims_err parse_value(parser *p, enum field field, const char *value, condition *c)
{
    c->field = field;
    if (strcmp(value, "*") == 0) {
        c->kind = VALUE_ANY;
        return TIMS_OK;
    }
    if (strcmp(value, "@home") == 0) {
        if (field == FIELD_DOCUMENT)
            return fail(p, "@home is a country; a document condition takes a document code");
        c->kind = VALUE_HOME;
        return TIMS_OK;
    }
    if (value[0] == '@') {
        long g = find_group(p->r, value + 1);
        if (g < 0)
            return fail(p, "no such group; define [group NAME] above the [match] section");
        if (field == FIELD_DOCUMENT)
            return fail(p, "a group holds countries; a document condition takes a document code");
        c->kind = VALUE_GROUP;
        c->group = (size_t)g;
        return TIMS_OK;
    }
    if (field == FIELD_DOCUMENT ? !valid_doc_prefix(value) : !valid_country(value))
        return fail(p, field == FIELD_DOCUMENT
                           ? "a document code is one or two capital letters (P, V, A, IR ...)"
                           : "not a country code the MRZ uses (e.g. GBR, D)");
    c->kind = VALUE_CODE;
    snprintf(c->code, sizeof c->code, "%s", value);
    return TIMS_OK;
}

static tims_err match_line(parser *p, char *left, const char *policy_name)
{
    tims_stay_rules *r = p->r;
    long pol = find_policy(r, policy_name);
    if (pol < 0)
        return fail(p, "no such policy; define [policy NAME] above the [match] section");
    if (strcmp(left, "default") == 0) {
        if (r->has_default)
            return fail(p, "default is given twice; keep one");
        r->default_policy = (size_t)pol;
        r->has_default = 1;
        return TIMS_OK;
    }
    if (r->has_default)
        return fail(p, "a rule after default is never reached; move default to the end");
    match_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.policy = (size_t)pol;
    rule.line = p->line;
    char *save = NULL;
    for (char *tok = strtok_r(left, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        enum field field;
        if (strcmp(tok, "nationality") == 0)
            field = FIELD_NATIONALITY;
        else if (strcmp(tok, "issuer") == 0)
            field = FIELD_ISSUER;
        else if (strcmp(tok, "document") == 0)
            field = FIELD_DOCUMENT;
        else
            return fail(p, "a condition starts with nationality, issuer or document");
        char *value = strtok_r(NULL, " \t", &save);
        if (!value)
            return fail(p, "a condition needs a value after its field");
        if (rule.cond_count == MAX_CONDITIONS)
            return fail(p, "at most three conditions a line");
        tims_err err = parse_value(p, field, value, &rule.conds[rule.cond_count]);
        if (err != TIMS_OK)
            return err;
        rule.cond_count++;
    }
    if (rule.cond_count == 0)
        return fail(p, "expected conditions before '='");
    match_rule *grown = tims_realloc(r->rules, (r->rule_count + 1) * sizeof *grown);
    if (!grown)
        return TIMS_ENOMEM;
    r->rules = grown;
    r->rules[r->rule_count++] = rule;
    return TIMS_OK;
}

static tims_err finish_policy(parser *p)
{
    if (p->sec != SEC_POLICY)
        return TIMS_OK;
    tims_stay_policy *pol = &p->r->policies[p->current];
    if (!p->seen_kind)
        return fail(p, "the policy above has no kind; add kind = unlimited, short or refuse");
    if (pol->kind == TIMS_STAY_SHORT && (pol->max_days == 0 || pol->window_days == 0))
        return fail(p, "a short policy above needs max_days and window_days");
    if (pol->kind == TIMS_STAY_SHORT && pol->max_days > pol->window_days)
        return fail(p, "max_days of the policy above is longer than its window_days");
    return TIMS_OK;
}

static tims_err parse_line(parser *p, char *line)
{
    char *hash = strpbrk(line, "#;");
    if (hash)
        *hash = '\0';
    line = trim(line);
    if (!*line)
        return TIMS_OK;
    if (line[0] == '[') {
        tims_err err = finish_policy(p);
        if (err != TIMS_OK)
            return err;
        return start_section(p, line);
    }
    char *eq = strchr(line, '=');
    if (!eq)
        return fail(p, "expected KEY = VALUE");
    *eq = '\0';
    char *key = trim(line);
    char *value = trim(eq + 1);
    switch (p->sec) {
    case SEC_POLICY: return policy_line(p, key, value);
    case SEC_GROUP: return group_line(p, key, value);
    case SEC_MATCH:
        if (!valid_name(value))
            return fail(p, "expected a policy name after '='");
        return match_line(p, key, value);
    case SEC_NONE: break;
    }
    return fail(p, "a setting outside any section; start with [policy NAME]");
}

tims_err tims_stay_rules_parse(const char *text, size_t len, tims_stay_rules **out,
                               tims_diag *diag)
{
    if (!text || !out)
        return tims_diag_set(diag, TIMS_EINVAL, "tims_stay_rules_parse needs text and out");
    tims_err err = TIMS_OK;
    char *copy = tims_strndup(text, len);
    tims_stay_rules *r = tims_calloc(1, sizeof *r);
    parser p = {.r = r, .sec = SEC_NONE, .diag = diag};
    if (!copy || !r) {
        err = TIMS_ENOMEM;
        goto fail;
    }
    if (strlen(copy) != len) {
        err = tims_diag_set(diag, TIMS_EDATA, "stay rules: the text holds a NUL byte; it must be plain text");
        goto fail;
    }
    char *line = copy;
    while (line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        p.line++;
        if ((err = parse_line(&p, line)) != TIMS_OK)
            goto fail;
        line = nl ? nl + 1 : NULL;
    }
    p.line++;
    if ((err = finish_policy(&p)) != TIMS_OK)
        goto fail;
    if (!r->has_default) {
        err = tims_diag_set(diag, TIMS_EDATA,
                            "stay rules: no 'default = POLICY' line in [match]; add one at its end");
        goto fail;
    }
    tims_free(copy);
    *out = r;
    return TIMS_OK;
fail:
    tims_free(copy);
    tims_stay_rules_free(r);
    return err;
}

tims_err tims_stay_rules_default(tims_stay_rules **out)
{
    const char *text = tims_stay_rules_default_text();
    return tims_stay_rules_parse(text, strlen(text), out, NULL);
}

tims_err tims_stay_rules_set_home(tims_stay_rules *rules, const char *country)
{
    if (!rules || !country || !valid_country(country))
        return TIMS_EINVAL;
    snprintf(rules->home, sizeof rules->home, "%s", country);
    return TIMS_OK;
}

/* ---- matching ----------------------------------------------------------------------------- */

static int country_holds(const tims_stay_rules *r, const condition *c, const char *code)
{
    if (c->kind == VALUE_ANY)
        return 1;
    if (!code || !*code)
        return 0;
    switch (c->kind) {
    case VALUE_CODE: return strcmp(c->code, code) == 0;
    case VALUE_HOME: return r->home[0] && strcmp(r->home, code) == 0;
    case VALUE_GROUP:
        for (size_t i = 0; i < r->groups[c->group].count; i++) {
            if (strcmp(r->groups[c->group].codes[i], code) == 0)
                return 1;
        }
        return 0;
    case VALUE_ANY: break;
    }
    return 1;
}

static int rule_holds(const tims_stay_rules *r, const match_rule *rule, const char *nationality,
                      const char *issuer, const char *doc_code)
{
    for (size_t i = 0; i < rule->cond_count; i++) {
        const condition *c = &rule->conds[i];
        int ok;
        if (c->field == FIELD_DOCUMENT)
            ok = c->kind == VALUE_ANY ||
                 (doc_code && strncmp(doc_code, c->code, strlen(c->code)) == 0);
        else
            ok = country_holds(r, c, c->field == FIELD_NATIONALITY ? nationality : issuer);
        if (!ok)
            return 0;
    }
    return 1;
}

const tims_stay_policy *tims_stay_policy_match(const tims_stay_rules *rules,
                                               const char *nationality, const char *issuer,
                                               const char *doc_code)
{
    for (size_t i = 0; i < rules->rule_count; i++) {
        if (rule_holds(rules, &rules->rules[i], nationality, issuer, doc_code))
            return &rules->policies[rules->rules[i].policy];
    }
    return &rules->policies[rules->default_policy];
}

const tims_stay_policy *tims_stay_policy_for(const tims_stay_rules *rules,
                                             const char *nationality, const char *doc_code)
{
    return tims_stay_policy_match(rules, nationality, NULL, doc_code);
}
