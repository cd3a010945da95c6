/* cmd_version.c - `tims version`: the program's version and the library versions it runs on. */
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <utf8proc.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_error(EX_USAGE, "takes no arguments");
    printf("tims %s\n", TIMS_VERSION);
    printf("sqlite %s, libsodium %s, jansson %s, utf8proc %s\n", sqlite3_libversion(),
           sodium_version_string(), JANSSON_VERSION, utf8proc_version());
    return EX_OK;
}

const cli_command cli_cmd_version = {
    .name = "version",
    .run = run,
    .summary = "print the version of tims and of the libraries it uses",
    .usage = "usage: tims version\n"
             "\n"
             "Prints the version of tims and of the libraries it was built with.\n",
};
