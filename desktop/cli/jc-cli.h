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

#include "jc-client-node.h"
#include "jc-secret.h"

G_BEGIN_DECLS

/* A security token's PIN: the first line of PIN_FILE, or else typed on the terminal
 * without echo after a prompt naming TOKEN_LABEL. */
JcSecret     *jc_cli_read_pin         (const char *pin_file, const char *token_label,
                                       GError **error);

/* The options every node command takes: --node PROFILE_DIR and --timeout SECONDS. */
typedef struct {
  char *node;
  gint  timeout_s;
} JcCliNodeOptions;

#define JC_CLI_DEFAULT_TIMEOUT_S 60

/* Frees what option parsing stored (declare as g_auto(JcCliNodeOptions) opts = { 0 }). */
void          jc_cli_node_options_clear (JcCliNodeOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JcCliNodeOptions, jc_cli_node_options_clear)

/* Adds --node and --timeout to CTX's main group together with ENTRIES. */
void          jc_cli_add_node_options (GOptionContext *ctx, JcCliNodeOptions *opts,
                                       const GOptionEntry *entries);
/* Opens the node of --node (usage error when missing). */
JcClientNode *jc_cli_open_node        (JcCliNodeOptions *opts, const char *command, int *status);
guint         jc_cli_timeout_ms       (JcCliNodeOptions *opts);
/* A new GOptionContext for `jocondectl COMMAND` with its one-line summary and description. */
GOptionContext *jc_cli_context_new    (const char *command, const char *parameters,
                                       const char *summary, const char *description);

/* Run from the build tree, the engines are next to the programs, not installed: sets
 * JC_ENGINE_DIR to them unless it is set or the engines are installed. */
void            jc_cli_find_engines   (void);

G_END_DECLS
