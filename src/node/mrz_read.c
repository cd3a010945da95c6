/* mrz_read.c - the node's view of an MRZ: the fields a crossing records, from tims_mrz_parse.
 *
 * Placeholder until the MRZ parser (branch mrz) is merged: every MRZ is refused. */
#include "node/node_int.h"

tims_err node_mrz_read(const char *text, size_t len, node_mrz *out, tims_diag *diag)
{
    (void)text, (void)len, (void)out;
    return tims_diag_set(diag, TIMS_EDATA, "this build has no MRZ parser yet");
}
