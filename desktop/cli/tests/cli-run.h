/* Running the built jocondectl ($JOCONDECTL, set by meson test) from the CLI tests. */
#pragma once

#include <glib.h>

typedef struct {
  int    status;   /* exit status */
  char  *out;      /* standard output ("" for none) */
  gsize  out_len;
  char  *err;      /* standard error ("" for none) */
} CliRun;

void cli_run_clear (CliRun *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

/* Runs jocondectl with ARGV (NULL-terminated, without the program itself), feeding
 * STDIN_TEXT (STDIN_LEN bytes, or up to its NUL when -1; NULL feeds nothing). The test
 * fails unless the program could be started and exited by itself. */
void cli_run_argv (CliRun *r, const char *stdin_text, gssize stdin_len,
                   const char *const *argv);
/* The same with the arguments listed, up to a NULL. */
void cli_run      (CliRun *r, const char *stdin_text, gssize stdin_len, ...) G_GNUC_NULL_TERMINATED;
