/* fuzz_entry_body.c - libFuzzer target: entry bodies as an import would receive them. The first
 * byte picks the kind; the rest is the body. store_derive must accept or refuse, never crash. */
#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    store_derived d;
    tims_diag diag;
    if (store_derive(1 + data[0] % 9, data + 1, size - 1, &d, &diag) == TIMS_OK) {
        if (d.kind == TIMS_KIND_CROSSING) {
            tims_buf b = {0};
            tims_crossing back;
            /* what derives must also write and read back the same */
            if (tims_crossing_to_body(&d.crossing, &b, &diag) != TIMS_OK ||
                tims_crossing_from_body(b.data, b.len, &back, &diag) != TIMS_OK)
                __builtin_trap();
            tims_buf_free(&b);
        }
        store_derived_clear(&d);
    }
    return 0;
}
