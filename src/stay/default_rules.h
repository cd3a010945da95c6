/* default_rules.h - the built-in stay rules: the text of data/stay-rules.ini, byte for byte.
 *
 * Made from that file (one C string line per file line); a test holds the two equal, so edit
 * both together. Only rules.c includes this. */
#ifndef TIMS_STAY_DEFAULT_RULES_H
#define TIMS_STAY_DEFAULT_RULES_H

#define TIMS_STAY_DEFAULT_RULES \
    "# stay-rules.ini - how long a traveller may stay, by nationality and document (docs/stay-rules.md).\n" \
    "#\n" \
    "# [policy NAME]  kind = unlimited | short | refuse; a short policy also sets max_days and\n" \
    "#                window_days (90 days in any 180: the moving window of the EU short-stay rule),\n" \
    "#                and may set past_overstay_days: an entry is referred when the traveller\n" \
    "#                overstayed within that many days before it (default 1825, five years, as long\n" \
    "#                as the EES keeps an overstayer's record; 0: never).\n" \
    "# [group NAME]   members = nationality codes as the MRZ writes them (alpha-3, \"D\" for Germany).\n" \
    "# [match]        one rule a line, tried top to bottom, the first that holds chooses the policy:\n" \
    "#                  CONDITION ... = POLICY     where a CONDITION is FIELD VALUE,\n" \
    "#                FIELD is nationality, issuer or document (the MRZ document code, matched as\n" \
    "#                a prefix), VALUE is a code, @GROUP, @home (the node's country from tims.ini)\n" \
    "#                or * (anything); the last line, default = POLICY, applies to everyone else.\n" \
    "\n" \
    "[policy nationals]\n" \
    "kind = unlimited\n" \
    "\n" \
    "[policy resident]\n" \
    "kind = unlimited\n" \
    "\n" \
    "[policy visa-holder]\n" \
    "kind = short\n" \
    "max_days = 90\n" \
    "window_days = 180\n" \
    "past_overstay_days = 1825\n" \
    "\n" \
    "[policy short-stay]\n" \
    "kind = short\n" \
    "max_days = 90\n" \
    "window_days = 180\n" \
    "past_overstay_days = 1825\n" \
    "\n" \
    "[policy visa-required]\n" \
    "kind = refuse\n" \
    "\n" \
    "# Nationals of states whose citizens need a visa go here, e.g. members = AAA BBB; a group may\n" \
    "# stay empty. Their visa (an MRV, document code V) is matched before the group.\n" \
    "[group visa-required]\n" \
    "members =\n" \
    "\n" \
    "[match]\n" \
    "nationality @home = nationals\n" \
    "issuer @home document A = resident\n" \
    "issuer @home document C = resident\n" \
    "issuer @home document I = resident\n" \
    "document V = visa-holder\n" \
    "nationality @visa-required = visa-required\n" \
    "default = short-stay\n"

#endif
