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

static const JcCliCommand groups[] = {
  { "doc",    N_("Canonicalise, hash and check JOCONDE documents"), jc_cli_doc },
  { "attest", N_("Verify TEE attestation evidence offline"),       jc_cli_attest },
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
    printf ("  %-10s %s\n", g->name, _(g->summary));
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
