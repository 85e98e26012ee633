#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-profile.h"
#include "jc-roles.h"

/* `jocondectl node init | install | show`: making a node's profile and enrolling it. */

static int
node_init (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *name = NULL, *parent = NULL, *ca = NULL, *roles = NULL, *company = NULL,
                  *department = NULL, *email = NULL, *organisation = NULL;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("This node's name (its id in the tree)"), N_("NAME") },
    { "parent", 0, 0, G_OPTION_ARG_STRING, &parent, N_("The parent relay"), N_("https://HOST:PORT") },
    { "root-ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, N_("The System's root CA certificate"), N_("FILE") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &roles,
      N_("Roles to ask for, comma-separated: organiser, signatory, custodian, analyst, approver"), N_("ROLES") },
    { "company", 0, 0, G_OPTION_ARG_STRING, &company, N_("Organisation (certificate O)"), N_("TEXT") },
    { "department", 0, 0, G_OPTION_ARG_STRING, &department, N_("Department (certificate OU)"), N_("TEXT") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("Non-personal contact address"), N_("ADDRESS") },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &organisation,
      N_("The organiser node of this node's organisation (where PAKs are registered)"), N_("NODE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("node init", "",
    _("Creates a node profile: a new key and a certificate request for the parent."),
    _("The private key is made in PROFILE_DIR and never leaves it. Send PROFILE_DIR/node.csr\n"
      "to the parent relay's administrator and read them the key id printed here on the\n"
      "phone; they approve it (joconde-relay csr add / csr approve) and send back the\n"
      "certificate file, installed with “jocondectl node install”.\n\n"
      "Example:\n  jocondectl node init --node nodes/nsi --name nsi --role organiser \\\n"
      "      --parent https://relay.nsi.example:8443 --root-ca root-ca.pem \\\n"
      "      --company \"Statistics Office\" --email joconde@nsi.example"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!opts.node || !name || !parent || !ca || argc != 1)
    return jc_cli_usage ("node init", _("give --node, --name, --parent and --root-ca"));
  GError *error = NULL;
  JcRoles r = JC_ROLE_NONE;
  if (roles && !jc_roles_parse (roles, &r, &error))
    return jc_cli_fail (error);
  JcClientProfileSetup setup = { .name = name, .company = company ? company : name,
                                 .department = department ? department : "",
                                 .email = email ? email : "joconde@localhost", .roles = r,
                                 .parent_url = parent, .root_ca_file = ca,
                                 .organisation = organisation };
  g_autoptr(JcClientProfile) profile = jc_client_profile_create (opts.node, &setup, &error);
  if (!profile)
    return jc_cli_fail (error);
  g_autofree char *key_id = NULL;
  g_autofree char *csr = jc_client_profile_get_csr (profile, &key_id, &error);
  if (!csr)
    return jc_cli_fail (error);
  g_autofree char *csr_path = jc_client_profile_path (profile, "node.csr");
  printf (_("Certificate request: %s\nKey id (read it to the parent's administrator): %s\n"),
          csr_path, key_id);
  return 0;
}

static int
node_install (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("node install", _("CERTIFICATE_FILE"),
    _("Installs the certificate chain the parent's administrator issued for this node."),
    _("Refuses a certificate for another key or another node name, or one that does not\n"
      "verify to the System's root CA.\n\n"
      "Example:\n  jocondectl node install --node nodes/nsi nsi.pem"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, NULL);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return jc_cli_usage ("node install", _("give one CERTIFICATE_FILE"));
  GError *error = NULL;
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "node install", &status);
  if (!node)
    return status;
  g_autofree char *pem = NULL;
  if (!g_file_get_contents (argv[1], &pem, NULL, &error)
      || !jc_client_profile_install_chain (jc_client_node_get_profile (node), pem, &error))
    return jc_cli_fail (error);
  printf (_("Node %s is enrolled.\n"), jc_client_node_get_name (node));
  return 0;
}

static int
node_show (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("node show", "",
    _("Shows this node: name, roles, parent, enrolment and link state."), NULL);
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, NULL);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "node show", &status);
  if (!node)
    return status;
  JcClientProfile *p = jc_client_node_get_profile (node);
  g_autofree char *roles = jc_roles_to_string (jc_client_profile_get_roles (p));
  printf (_("name:     %s\nparent:   %s\nenrolled: %s\nroles:    %s\n"), jc_client_profile_get_name (p),
          jc_client_profile_get_parent_url (p), jc_client_profile_is_enrolled (p) ? _("yes") : _("no"),
          roles);
  return 0;
}

static const JcCliCommand commands[] = {
  { "init",    N_("Create a node profile and its certificate request"), node_init },
  { "install", N_("Install the certificate issued by the parent"),      node_install },
  { "show",    N_("Show the node's name, roles and parent"),             node_show },
  { NULL, NULL, NULL },
};

int
jc_cli_node (int argc, char **argv)
{
  return jc_cli_dispatch ("node", _("This node's profile and enrolment."), commands, argc, argv);
}
