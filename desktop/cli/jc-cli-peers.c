#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-peers.h"

/* `jocondectl peers`: this node's view of other nodes (ADR-5). */

static int
peers_list (JcCliNodeOptions *opts)
{
  int status = 0;
  g_autoptr(JcClientNode) node = jc_cli_open_node (opts, "peers", &status);
  if (!node)
    return status;
  GError *error = NULL;
  g_autoptr(GPtrArray) peers = jc_client_peers_list (jc_client_node_get_store (node), &error);
  if (!peers)
    return jc_cli_fail (error);
  for (guint i = 0; i < peers->len; i++)
    {
      JcClientPeer *p = peers->pdata[i];
      printf ("%-20s %-10s %s  [%s]\n", p->name, p->verified ? _("verified") : _("UNVERIFIED"),
              p->digits, p->roles);
    }
  return 0;
}

static int
peers_verify (JcCliNodeOptions *opts, const char *name)
{
  int status = 0;
  g_autoptr(JcClientNode) node = jc_cli_open_node (opts, "peers verify", &status);
  if (!node)
    return status;
  GError *error = NULL;
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcClientPeer) p = jc_client_peers_get (store, name, &error);
  if (!p || !jc_client_peers_set_verified (store, name, TRUE, &error))
    return jc_cli_fail (error);
  printf (_("%s marked verified. Its fingerprint, which you compared with its owner:\n  %s\n"),
          p->name, p->digits);
  return 0;
}

static int
peers_import (JcCliNodeOptions *opts, const char *file)
{
  int status = 0;
  g_autoptr(JcClientNode) node = jc_cli_open_node (opts, "peers import", &status);
  if (!node)
    return status;
  GError *error = NULL;
  g_autofree char *pem = NULL;
  if (!g_file_get_contents (file, &pem, NULL, &error))
    return jc_cli_fail (error);
  g_autoptr(JcCert) ca = jc_client_profile_get_root_ca (jc_client_node_get_profile (node), &error);
  if (!ca)
    return jc_cli_fail (error);
  g_autofree char *name = jc_client_peers_import (jc_client_node_get_store (node), ca, pem, &error);
  if (!name)
    return jc_cli_fail (error);
  g_autoptr(JcClientPeer) p = jc_client_peers_get (jc_client_node_get_store (node), name, NULL);
  printf (_("Imported %s (unverified). Compare this fingerprint with its owner, then run\n"
            "“jocondectl peers verify %s”:\n  %s\n"), name, name, p ? p->digits : "?");
  return 0;
}

int
jc_cli_peers (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("peers", _("[verify NODE | import CHAIN_FILE]"),
    _("Shows and manages this node's view of other nodes."),
    _("Without a command: lists the nodes this node knows (peers and computing parties a\n"
      "draft may name), each with its certificate chain's fingerprint as 12 groups of 5\n"
      "digits, its roles, and whether this node's user compared the fingerprint with the\n"
      "node's owner out of band (on the phone, on paper). UNVERIFIED nodes are usable, but\n"
      "a task with them relies on the System's certificates alone.\n\n"
      "  peers verify NODE        mark NODE verified after comparing its fingerprint\n"
      "  peers import CHAIN_FILE  add a node from its certificate chain (PEM), verified to the\n"
      "                           System's root CA\n\n"
      "Example:\n  jocondectl peers --node nodes/nsi\n  jocondectl peers verify mno --node nodes/nsi"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, NULL);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (argc == 1)
    return peers_list (&opts);
  if (argc == 3 && g_str_equal (argv[1], "verify"))
    return peers_verify (&opts, argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "import"))
    return peers_import (&opts, argv[2]);
  return jc_cli_usage ("peers", _("use “peers”, “peers verify NODE” or “peers import CHAIN_FILE”"));
}
