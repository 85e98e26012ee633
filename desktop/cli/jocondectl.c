#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-init.h"

/* Each command group lives in its own jc-cli-GROUP.c. */
int jc_cli_doc (int argc, char **argv);
int jc_cli_attest (int argc, char **argv);
int jc_cli_node (int argc, char **argv);
int jc_cli_task (int argc, char **argv);
int jc_cli_pak (int argc, char **argv);
int jc_cli_paks (int argc, char **argv);
int jc_cli_addendum (int argc, char **argv);
int jc_cli_sign (int argc, char **argv);
int jc_cli_approve (int argc, char **argv);
int jc_cli_reject (int argc, char **argv);
int jc_cli_status (int argc, char **argv);
int jc_cli_terminate (int argc, char **argv);
int jc_cli_peers (int argc, char **argv);
int jc_cli_sandbox (int argc, char **argv);
int jc_cli_upload (int argc, char **argv);
int jc_cli_download (int argc, char **argv);

static const JcCliCommand groups[] = {
  { "doc",    N_("Canonicalise, hash and check JOCONDE documents"), jc_cli_doc },
  { "attest", N_("Verify TEE attestation evidence offline"),       jc_cli_attest },
  { "node",      N_("Create this node's profile and enrol it"),        jc_cli_node },
  { "peers",     N_("This node's view of other nodes; verify them"),   jc_cli_peers },
  { "task",      N_("Draft a new task"),                               jc_cli_task },
  { "pak",       N_("Make and register a PAK for a task"),             jc_cli_pak },
  { "paks",      N_("List the PAKs registered for a task"),            jc_cli_paks },
  { "addendum",  N_("Write and send the organisation's addendum"),     jc_cli_addendum },
  { "sign",      N_("Import and send a signatory's signature"),        jc_cli_sign },
  { "approve",   N_("SO: approve the addenda of a task"),              jc_cli_approve },
  { "reject",    N_("SO: reject a peer's addendum"),                   jc_cli_reject },
  { "upload",    N_("Check and upload an input table (custodian)"),    jc_cli_upload },
  { "download",  N_("Download an output table (analyst)"),             jc_cli_download },
  { "status",    N_("Show or wait for the state of a task"),           jc_cli_status },
  { "terminate", N_("End a task before its time"),                     jc_cli_terminate },
  { "sandbox",   N_("Run a whole System on this machine; its demo"),   jc_cli_sandbox },
  { NULL, NULL, NULL },
};

static void
print_help (void)
{
  printf (_("Usage:\n  jocondectl COMMAND [OPTION…]\n\n"));
  printf (_("The command-line client of JOCONDE, secure multi-party computation for official\n"
            "statistics. Every action of the desktop app is available here.\n\n"));
  printf (_("Commands:\n"));
  for (const JcCliCommand *g = groups; g->name; g++)
    printf ("  %-11s %s\n", g->name, _(g->summary));
  printf (_("\nOptions:\n"
            "  -h, --help     Show this help\n"
            "  --version      Show the version\n\n"
            "Run “jocondectl COMMAND --help” for the commands and options of a group.\n"
            "Exit status: 0 on success, 1 when input is refused or an operation fails,\n"
            "2 on a usage error.\n"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!jc_init (&error))
    return jc_cli_fail (g_steal_pointer (&error));
  jc_cli_find_engines ();

  if (argc < 2)
    {
      print_help ();
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_help ();
      return 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("jocondectl %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (const JcCliCommand *g = groups; g->name; g++)
    if (g_str_equal (g->name, argv[1]))
      return g->run (argc - 1, argv + 1);

  fprintf (stderr, _("jocondectl: unknown command “%s”\n"), argv[1]);
  fprintf (stderr, _("Try “jocondectl --help” for the list of commands.\n"));
  return 2;
}
