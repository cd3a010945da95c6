/* util.c - shared helpers of the subcommands: exit codes, messages, input, clock. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static const char *command_name = NULL;

void cli_set_command(const char *name)
{
    command_name = name;
}

int cli_exit_code(tims_err err)
{
    switch (err) {
    case TIMS_OK: return EX_OK;
    case TIMS_EINVAL: return EX_USAGE;
    case TIMS_EDATA: return EX_DATAERR;
    case TIMS_ETAMPER: return EX_DATAERR;
    case TIMS_ENOENT: return EX_NOINPUT;
    case TIMS_EEXIST: return EX_CANTCREAT;
    case TIMS_EIO: return EX_IOERR;
    case TIMS_ENOSPC: return EX_IOERR;
    case TIMS_EACCES: return EX_NOPERM;
    case TIMS_ECONFIG: return EX_CONFIG;
    case TIMS_ESCHEMA: return EX_CONFIG;
    case TIMS_EBUSY: return EX_TEMPFAIL;
    case TIMS_ENOMEM: return EX_OSERR;
    case TIMS_ECRYPTO: return EX_SOFTWARE;
    case TIMS_ERANGE: return EX_DATAERR;
    case TIMS_EINTERNAL: return EX_SOFTWARE;
    }
    return EX_SOFTWARE;
}

static void vprint_error(const char *fmt, va_list ap)
{
    if (command_name)
        fprintf(stderr, "tims %s: ", command_name);
    else
        fputs("tims: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    return code;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Run 'tims %s --help' for usage.\n", cmd->name);
    return EX_USAGE;
}

tims_err cli_read_input(const char *path, tims_buf *out, tims_diag *diag)
{
    int from_stdin = !path || strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return tims_diag_set(diag, errno == ENOENT ? TIMS_ENOENT : TIMS_EIO,
                             "cannot open %s: %s", path, strerror(errno));
    tims_err err = TIMS_OK;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((err = tims_buf_append(out, chunk, n)) != TIMS_OK)
            break;
    }
    if (err == TIMS_OK && ferror(f))
        err = tims_diag_set(diag, TIMS_EIO, "cannot read %s: %s",
                            from_stdin ? "standard input" : path, strerror(errno));
    if (err == TIMS_OK && !out->data)
        err = tims_buf_reserve(out, 0); /* an empty input is still a valid empty string */
    if (!from_stdin)
        fclose(f);
    return err;
}

int64_t cli_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cli_today(int *year, int *month, int *day)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    *day = tm.tm_mday;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}
