#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-actions.h"
#include "jc-signing-token.h"

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

/* `sign --list-tokens`: every signing certificate of the security tokens present. */
static int
list_tokens (void)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) certs = jc_signing_token_list (NULL, &error);
  if (!certs)
    return jc_cli_fail (error);
  if (certs->len == 0)
    printf (_("No security token with a signing certificate was found.\n"));
  for (guint i = 0; i < certs->len; i++)
    {
      JcSignerCert *c = certs->pdata[i];
      g_autofree char *text = jc_signer_cert_describe (c);
      printf (_("Token: %s\nURI: %s\n%s\n\n"), c->token_label, c->cert_url, text);
    }
  return 0;
}

int
jc_cli_sign (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *file = NULL, *url = NULL, *pin_file = NULL, *module = NULL;
  gboolean list = FALSE;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "signature", 's', 0, G_OPTION_ARG_FILENAME, &file,
      N_("The signatory's signature of the addendum (e.g. the signed signing sheet)"), N_("FILE") },
    { "pkcs11", 0, 0, G_OPTION_ARG_STRING, &url,
      N_("Sign now with the security token or certificate of this PKCS#11 URI"), N_("URI") },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file,
      N_("Read the token's PIN from the first line of FILE (default: ask on the terminal)"),
      N_("FILE") },
    { "pkcs11-module", 0, 0, G_OPTION_ARG_FILENAME, &module,
      N_("Also load this PKCS#11 module (besides those configured for p11-kit)"), N_("PATH") },
    { "list-tokens", 0, 0, G_OPTION_ARG_NONE, &list,
      N_("List the signing certificates of the security tokens present, then exit"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("sign", "",
    _("Signs this organisation's addendum, or imports the signatory's signature of it, and "
      "sends it."),
    _("The signatory signs the organisation's current addendum in one of two ways:\n\n"
      "  By hand: print the signing sheet (its hash identifies the addendum), sign it, scan\n"
      "  it; FILE is that scan (--signature). The SO compares it with the addendum by eye.\n\n"
      "  With a security token (smart card, USB token; --pkcs11): a CMS/PKCS#7 detached\n"
      "  signature (.p7s) over the addendum's canonical bytes is made with the certificate\n"
      "  in the token. The root checks it covers exactly this addendum and refuses it\n"
      "  otherwise; the SO approver sees the signer's name and certificate fingerprint and\n"
      "  compares them with its member register. URI is a PKCS#11 URI (RFC 7512) of a\n"
      "  token or of a certificate in it, as --list-tokens shows. The PIN is asked on the\n"
      "  terminal without echo unless --pin-file gives it. Tokens are those of p11-kit's\n"
      "  modules (/usr/share/p11-kit/modules, ~/.config/pkcs11/modules).\n\n"
      "A signature file that is itself CMS/PKCS#7 (.p7s) is checked by the root the same\n"
      "way. The task is agreed once every organisation's addendum is signed and approved\n"
      "by the SO.\n\n"
      "Examples:\n"
      "  jocondectl sign --node nodes/nsi --task 3f2a… --signature signed-sheet.pdf\n"
      "  jocondectl sign --list-tokens\n"
      "  jocondectl sign --node nodes/nsi --task 3f2a… --pkcs11 'pkcs11:token=Ada%20Lovelace'"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  GError *error = NULL;
  if (module && !jc_signing_token_add_module (module, &error))
    return jc_cli_fail (error);
  if (list)
    return argc == 1 ? list_tokens () : jc_cli_usage ("sign", _("--list-tokens takes no arguments"));
  if (!task || (!file == !url) || argc != 1)
    return jc_cli_usage ("sign", _("give --task ID and either --signature FILE or --pkcs11 URI"));
  g_autoptr(JcSignerCert) cert = url ? jc_signing_token_find (url, &error) : NULL;
  if (url && !cert)
    return jc_cli_fail (error);
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "sign", &status);
  if (!node)
    return status;
  if (!jc_client_node_sync (node, 200, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autofree char *msg = NULL;
  if (cert)
    {
      g_autofree char *text = jc_signer_cert_describe (cert);
      printf (_("Signing the addendum of task %s with:\n%s\n"), task, text);
      fflush (stdout);
      g_autoptr(JcSecret) pin = jc_cli_read_pin (pin_file, cert->token_label, &error);
      if (!pin)
        return jc_cli_fail (error);
      msg = jc_client_sign_with_token (node, task, cert, pin, &error);
    }
  else
    msg = jc_client_sign (node, task, file, &error);
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
