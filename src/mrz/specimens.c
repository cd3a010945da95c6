/* specimens.c - the specimen MRZs of ICAO Doc 9303 (8th edition), for `tims demo`, the
 * benchmark and the fuzz seeds. They carry the specimen state UTO (Utopia). */
#include "tims/mrz.h"

static const tims_mrz_specimen specimens[] = {
    {"TD1 identity card (Doc 9303 Part 5, Appendix A)", "I<UTOD231458907<<<<<<<<<<<<<<<\n"
                                                        "7408122F1204159UTO<<<<<<<<<<<6\n"
                                                        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
    {"TD2 identity card (Doc 9303 Part 6, Appendix A)", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
                                                        "D231458907UTO7408122F1204159<<<<<<<6"},
    {"TD3 passport (Doc 9303 Part 4, Appendix A)", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                                   "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
    {"MRV-A visa (Doc 9303 Part 7, Appendix A)", "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                                 "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"},
    {"MRV-B visa (Doc 9303 Part 7, Appendix A)", "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
                                                 "L8988901C4XXX4009078F9612109<<<<<<<<"},
};

const tims_mrz_specimen *tims_mrz_specimens(size_t *n)
{
    if (n)
        *n = TIMS_ARRAY_LEN(specimens);
    return specimens;
}
