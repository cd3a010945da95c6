/* screen.c - the screening seam of the node: where a traveller meets the watchlists.
 *
 * Screening (include/tims/watchlist.h) is built on another branch; until it is merged, a node
 * has no lists and says so honestly in every crossing: {"status": "no lists loaded"}. A
 * crossing is never reported as screened when it was not. */
#include "node/node_int.h"

tims_err node_screen_open(tims_node *n, tims_diag *diag)
{
    (void)diag;
    n->screen = NULL;
    return TIMS_OK;
}

void node_screen_close(tims_node *n)
{
    n->screen = NULL;
}

tims_err node_screen(tims_node *n, const node_person *p, char **json, int *hit, tims_diag *diag)
{
    (void)n, (void)p, (void)diag;
    *hit = 0;
    *json = tims_strdup("{\"status\":\"no lists loaded\"}");
    return *json ? TIMS_OK : TIMS_ENOMEM;
}
