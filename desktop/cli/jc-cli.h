#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What every command group of jocondectl shares. */

/* A command group: `jocondectl NAME …`. argv[0] is the group's name. Returns the exit
 * status: 0 on success, 1 when the input was refused or the operation failed, 2 on a
 * usage error. */
typedef int (*JcCliCommandFunc) (int argc, char **argv);

typedef struct {
  const char      *name;
  const char      *summary; /* translatable, marked with N_() */
  JcCliCommandFunc run;
} JcCliCommand;

/* Prints "jocondectl: MESSAGE" (one line) on stderr and returns 1. Takes the error. */
int  jc_cli_fail (GError *error);
/* Prints "jocondectl: usage: …" with a hint to --help on stderr and returns 2. */
int  jc_cli_usage (const char *group, const char *message);
/* Runs one of SUBCOMMANDS by argv[1]; prints the group's help for --help or no args. */
int  jc_cli_dispatch (const char *group, const char *description,
                      const JcCliCommand *subcommands, int argc, char **argv);
/* Parses the options of one (sub)command with GOptionContext; on failure prints a
 * one-line usage error and returns FALSE. */
gboolean jc_cli_parse (GOptionContext *ctx, int *argc, char ***argv, int *status);
/* Reads a whole file (or stdin for "-") up to MAX bytes. */
GBytes *jc_cli_read_input (const char *path, gsize max, GError **error);

G_END_DECLS
