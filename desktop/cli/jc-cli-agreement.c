#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-actions.h"

/* The agreement of a task: `addendum` and `sign` (organiser's node), `approve` and
 * `reject` (the SO's approver node). */

int
jc_cli_addendum (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *signatory = NULL, *doc = NULL;
  g_auto(GStrv) custodians = NULL, analysts = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "custodian", 0, 0, G_OPTION_ARG_STRING_ARRAY, &custodians,
      N_("Let a custodian's PAK upload an input (repeatable)"), N_("PAK=INPUT_KEY") },
    { "analyst", 0, 0, G_OPTION_ARG_STRING_ARRAY, &analysts,
      N_("Let an analyst's PAK download an output (repeatable)"), N_("PAK=OUTPUT_KEY") },
    { "signatory", 0, 0, G_OPTION_ARG_STRING, &signatory,
      N_("Who signs for the organisation (as the SO's member register knows them)"), N_("NAME") },
    { "signatory-doc", 0, 0, G_OPTION_ARG_FILENAME, &doc,
      N_("The signatory's identification document, attached to the addendum"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("addendum", "",
    _("Writes, node-signs and sends this organisation's addendum (CTSA) to a task."),
    _("The addendum says which of the organisation's PAKs may upload which inputs and\n"
      "download which outputs, and who signs for the organisation. Every PAK must have been\n"
      "registered with this node (jocondectl paks). The addendum is checked against the\n"
      "task's CTSC, signed with this node's key and sent to the root, which checks it again;\n"
      "a new addendum replaces the previous one and its signatures.\n\n"
      "Example:\n  jocondectl addendum --node nodes/nsi --task 3f2a… \\\n"
      "      --custodian PXva…=population --analyst GtzG…=rates \\\n"
      "      --signatory nsi-signatory --signatory-doc id.pdf"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || !signatory || argc != 1)
    return jc_cli_usage ("addendum", _("give --task ID and --signatory NAME"));
  if (!custodians && !analysts)
    return jc_cli_usage ("addendum", _("give at least one --custodian or --analyst"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "addendum", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 200, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autofree char *msg = jc_client_addendum (node, task, (const char *const *) custodians,
                                            (const char *const *) analysts, signatory, doc, &error);
  if (!msg || !jc_client_request_wait (node, task, msg, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  printf (_("Addendum of %s for task %s accepted by the root.\n"), jc_client_node_get_name (node), task);
  return 0;
}

int
jc_cli_sign (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *file = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "signature", 's', 0, G_OPTION_ARG_FILENAME, &file,
      N_("The signatory's signature of the addendum (e.g. the signed signing sheet)"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("sign", "",
    _("Imports the signatory's signature of this organisation's addendum and sends it."),
    _("The signatory signs the organisation's current addendum (its hash is on the signing\n"
      "sheet) by hand or with a qualified signature; FILE is that signed document. It is\n"
      "attached to a signatory signature of the current addendum and sent to the root. The\n"
      "task is agreed once every organisation's addendum is signed and approved by the SO.\n\n"
      "Example:\n  jocondectl sign --node nodes/nsi --task 3f2a… --signature signed-sheet.pdf"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || !file || argc != 1)
    return jc_cli_usage ("sign", _("give --task ID and --signature FILE"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "sign", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 200, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autofree char *msg = jc_client_sign (node, task, file, &error);
  if (!msg || !jc_client_request_wait (node, task, msg, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  printf (_("Signature for task %s accepted by the root.\n"), task);
  return 0;
}

static int
decide (int argc, char **argv, gboolean approve)
{
  const char *cmd = approve ? "approve" : "reject";
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *peer = NULL, *reason = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "peer", 'p', 0, G_OPTION_ARG_STRING, &peer,
      approve ? N_("Only this peer's addendum (default: every peer's)") : N_("The peer whose addendum is rejected"),
      N_("NODE") },
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason, N_("Why (required to reject)"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new (cmd, "",
    approve ? _("The SO approves the addenda of a task.") : _("The SO rejects a peer's addendum of a task."),
    approve ? _("Run on the System Operator's approver node after reviewing the task's CTSC and\n"
                "addenda. Without --peer every peer's addendum is approved. The task is agreed\n"
                "(its CTA sealed by the root) once every addendum is approved and signed.\n\n"
                "Example:\n  jocondectl approve --node nodes/so --task 3f2a…")
            : _("Run on the System Operator's approver node. The organiser sees the reason and\n"
                "may send a new addendum.\n\n"
                "Example:\n  jocondectl reject --node nodes/so --task 3f2a… --peer mno --reason "
                "\"no legal basis attached\""));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || argc != 1)
    return jc_cli_usage (cmd, _("give the task with --task ID"));
  if (!approve && (!peer || !reason))
    return jc_cli_usage (cmd, _("give --peer NODE and --reason TEXT"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, cmd, &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 200, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autoptr(GPtrArray) ids = jc_client_decide (node, task, peer, approve, reason, &error);
  if (!ids)
    return jc_cli_fail (error);
  for (guint i = 0; i < ids->len; i++)
    if (!jc_client_request_wait (node, task, ids->pdata[i], jc_cli_timeout_ms (&opts), &error))
      return jc_cli_fail (error);
  printf (approve ? _("Approved: task %s.\n") : _("Rejected: task %s.\n"), task);
  return 0;
}

int jc_cli_approve (int argc, char **argv) { return decide (argc, argv, TRUE); }
int jc_cli_reject (int argc, char **argv) { return decide (argc, argv, FALSE); }
