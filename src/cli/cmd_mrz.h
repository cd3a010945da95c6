/* cmd_mrz.h - how `tims mrz` shows a record, shared with `tims demo`. */
#ifndef TIMS_CLI_CMD_MRZ_H
#define TIMS_CLI_CMD_MRZ_H

#include <stdio.h>

#include "tims/mrz.h"

/* cli_mrz_print - print one record in the readable, aligned form. shown is what to show
 * (the repaired record when rep says "unique"), original the record as read; rep may be
 * NULL (no repair asked for). */
void cli_mrz_print(FILE *out, const tims_mrz *shown, const tims_mrz *original,
                   const tims_mrz_repair_result *rep);

#endif
