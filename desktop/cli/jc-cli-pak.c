#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-actions.h"
#include "jc-client-tasks.h"

/* `jocondectl pak new` (custodians, analysts) and `jocondectl paks` (organisers):
 * Public Authentication Keys of a task. */

static int
pak_new (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *role = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role,
      N_("custodian or analyst (default: from this node's certificate)"), N_("ROLE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("pak new", "",
    _("Makes a new PAK (Public Authentication Key) for a task and registers it."),
    _("A data custodian needs a PAK to upload an input of a task, a data analyst to download\n"
      "an output. The key pair is made on this node; the private key stays in the profile\n"
      "(paks/TASK/PAK.key, mode 0600) and is erased with the task's data after its retention\n"
      "time. The public key is printed (base64url) and registered with the organisation's\n"
      "node (organisation in profile.ini), where the organiser grants it inputs or outputs in\n"
      "the organisation's addendum: jocondectl addendum --custodian PAK=INPUT …\n\n"
      "Example:\n  jocondectl pak new --node nodes/nsi-custodian --task 3f2a…"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || argc != 1)
    return jc_cli_usage ("pak new", _("give the task with --task ID, and no other argument"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "pak new", &status);
  if (!node)
    return status;
  GError *error = NULL;
  g_autofree char *pak = jc_client_pak_new (node, task, role, &error);
  if (!pak || !jc_client_node_sync (node, 200, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  printf ("%s\n", pak);
  return 0;
}

static const JcCliCommand commands[] = {
  { "new", N_("Make and register a PAK for a task; prints it"), pak_new },
  { NULL, NULL, NULL },
};

int
jc_cli_pak (int argc, char **argv)
{
  return jc_cli_dispatch ("pak", _("Public Authentication Keys of custodians and analysts."),
                          commands, argc, argv);
}

int
jc_cli_paks (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("paks", "",
    _("Lists the PAKs registered with this node for a task."),
    _("Custodians and analysts of the organisation register their PAKs for a task with the\n"
      "organisation's node (jocondectl pak new). This lists them after fetching what arrived:\n"
      "one line per PAK with its role and the node that registered it. The organiser grants\n"
      "them inputs and outputs with jocondectl addendum.\n\n"
      "Example:\n  jocondectl paks --node nodes/nsi --task 3f2a…"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || argc != 1)
    return jc_cli_usage ("paks", _("give the task with --task ID, and no other argument"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "paks", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 300, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autoptr(GPtrArray) paks = jc_client_paks_list_received (jc_client_node_get_store (node), task, &error);
  if (!paks)
    return jc_cli_fail (error);
  for (guint i = 0; i < paks->len; i++)
    {
      JcClientPakEntry *e = paks->pdata[i];
      printf ("%s  %-9s  %s\n", e->pak, e->role, e->origin);
    }
  return 0;
}
