#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"

/* Placeholder: the 'attest' command group is filled in by its issue. */
int
jc_cli_attest (int argc, char **argv)
{
  static const JcCliCommand subcommands[] = { { NULL, NULL, NULL } };

  return jc_cli_dispatch ("attest", "", subcommands, argc, argv);
}
