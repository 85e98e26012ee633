#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-chain.h"
#include "jc-client-peers.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-time.h"

void
jc_client_peer_free (JcClientPeer *p)
{
  if (!p)
    return;
  g_free (p->name);
  g_free (p->fingerprint);
  g_free (p->digits);
  g_free (p->roles);
  g_free (p);
}

/* The chain as a party: the same bytes every node hashes for the fingerprint. */
static JcParty *
party_from_chain (const char *name, GPtrArray *chain)
{
  JcParty *party = jc_party_new ();
  party->name = g_strdup (name);
  for (guint i = 0; i < chain->len; i++)
    g_ptr_array_add (party->chain, jc_cert_get_der (g_ptr_array_index (chain, i)));
  jc_party_compute_fingerprint (party);
  return party;
}

static GPtrArray *
chain_below_ca (const char *pem, JcCert *root_ca, GError **error)
{
  g_autoptr(GPtrArray) chain = jc_cert_list_new_from_pem (pem, -1, error);
  if (!chain)
    return NULL;
  if (chain->len > 1 && root_ca && jc_cert_equal (g_ptr_array_index (chain, chain->len - 1), root_ca))
    g_ptr_array_remove_index (chain, chain->len - 1);
  if (chain->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The certificate chain is empty"));
      return NULL;
    }
  return g_steal_pointer (&chain);
}

char *
jc_client_peers_import (JcStore *store, JcCert *root_ca, const char *chain_pem, GError **error)
{
  g_autoptr(GPtrArray) chain = chain_below_ca (chain_pem, root_ca, error);
  if (!chain)
    return NULL;
  if (jc_chain_verify (chain, root_ca, jc_time_now (), NULL, JC_ROLE_NONE, error) != JC_CHAIN_OK)
    return NULL;
  /* Kept up to the root CA included: documents name nodes by the fingerprint of their
   * whole chain (docs/model.md, jc_chain_fingerprint). */
  g_ptr_array_add (chain, g_object_ref (root_ca));
  JcCert *leaf = g_ptr_array_index (chain, 0);
  const char *name = jc_cert_get_name (leaf);
  g_autoptr(JcParty) party = party_from_chain (name, chain);
  g_autofree char *fp = jc_hex_encode (party->fingerprint, JC_DOC_HASH_SIZE);
  g_autofree char *pem = jc_cert_list_to_pem (chain);
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT INTO peers (name, chain_pem, fingerprint, verified, added) VALUES (?, ?, ?, 0, ?)"
    " ON CONFLICT (name) DO UPDATE SET chain_pem = excluded.chain_pem,"
    "  fingerprint = excluded.fingerprint, added = excluded.added,"
    "  verified = CASE WHEN peers.fingerprint = excluded.fingerprint THEN peers.verified ELSE 0 END",
    error);
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, pem, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, fp, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, now, -1, SQLITE_TRANSIENT);
  if (!jc_store_run (store, st, error))
    return NULL;
  return g_strdup (name);
}

static JcClientPeer *
peer_from_row (sqlite3_stmt *st, GPtrArray **chain_out)
{
  JcClientPeer *p = g_new0 (JcClientPeer, 1);
  p->name = g_strdup ((const char *) sqlite3_column_text (st, 0));
  const char *pem = (const char *) sqlite3_column_text (st, 1);
  p->fingerprint = g_strdup ((const char *) sqlite3_column_text (st, 2));
  p->verified = sqlite3_column_int (st, 3) != 0;
  g_autoptr(GPtrArray) chain = jc_cert_list_new_from_pem (pem, -1, NULL);
  if (chain && chain->len > 0)
    {
      g_autoptr(JcParty) party = party_from_chain (p->name, chain);
      p->digits = jc_party_fingerprint_digits (party);
      p->roles = jc_roles_to_string (jc_cert_get_roles (g_ptr_array_index (chain, 0)));
    }
  else
    {
      p->digits = g_strdup ("?");
      p->roles = g_strdup ("");
    }
  if (chain_out)
    *chain_out = g_steal_pointer (&chain);
  return p;
}

GPtrArray *
jc_client_peers_list (JcStore *store, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT name, chain_pem, fingerprint, verified FROM peers ORDER BY name", error);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_client_peer_free);
  while (jc_store_step (store, st, &row, error))
    {
      if (!row)
        return g_steal_pointer (&out);
      g_ptr_array_add (out, peer_from_row (st, NULL));
    }
  return NULL;
}

static JcClientPeer *
lookup (JcStore *store, const char *name, GPtrArray **chain, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT name, chain_pem, fingerprint, verified FROM peers WHERE name = ? OR fingerprint = lower(?)",
    error);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
  if (!jc_store_step (store, st, &row, error))
    return NULL;
  if (!row)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("Unknown node “%s”: it is not in this node's view of peers (import its "
                     "certificate chain with “jocondectl peers import”, then compare its "
                     "fingerprint with its owner)"), name);
      return NULL;
    }
  return peer_from_row (st, chain);
}

JcClientPeer *
jc_client_peers_get (JcStore *store, const char *name, GError **error)
{
  return lookup (store, name, NULL, error);
}

gboolean
jc_client_peers_set_verified (JcStore *store, const char *name, gboolean verified, GError **error)
{
  g_autoptr(JcClientPeer) p = lookup (store, name, NULL, error);
  if (!p)
    return FALSE;
  sqlite3_stmt *st = jc_store_prepare (store, "UPDATE peers SET verified = ? WHERE name = ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_int (st, 1, verified ? 1 : 0);
  sqlite3_bind_text (st, 2, p->name, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

JcParty *
jc_client_peers_party (JcStore *store, const char *name, GError **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(JcClientPeer) p = lookup (store, name, &chain, error);
  if (!p)
    return NULL;
  if (!chain || chain->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The stored certificate chain of %s does not read"), p->name);
      return NULL;
    }
  return party_from_chain (p->name, chain);
}
