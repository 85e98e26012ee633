#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-ca.h"
#include "jc-net-cert-request.h"
#include "jc-relay-private.h"
#include "jc-relay-rotation.h"
#include "jc-net-sqlite-private.h"
#include "jc-revocation-request.h"
#include "jc-rotation.h"
#include "jc-net-tls.h"
#include <glib/gstdio.h>

/* Automatic rotation of a child's certificate (spec §4.4.2.3, Figure 31): the child
 * sends a rotation request (a new key's CSR signed with its previous key) to its parent;
 * the parent checks it against the certificate it issued and answers with the new
 * certificate, same name and roles, new validity. docs/wire.md, topic cert.rotate. */

gboolean
jc_relay_rotation_handle (JcRelay *relay, const char *link, JcNetEnvelope *env,
                          GHashTable *touched, GError **refusal, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (g_strcmp0 (link, env->from) != 0)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_DENIED,
                   _("Only a direct child may ask its parent for a new certificate"));
      return TRUE;
    }
  const char *req_text = jc_net_cert_request_body_get (env->body);
  g_autoptr(JcRotationRequest) req = req_text
    ? jc_rotation_request_new_from_json (req_text, -1, &local) : NULL;
  if (!req)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_INVALID, _("The rotation request is not valid: %s"),
                   local ? local->message : _("missing"));
      return TRUE;
    }
  JcCert *previous = jc_rotation_request_get_previous (req);
  if (g_strcmp0 (jc_cert_get_name (previous), env->from) != 0)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_DENIED,
                   _("Node %s may only rotate its own certificate, not that of %s"), env->from,
                   jc_cert_get_name (previous));
      return TRUE;
    }
  if (jc_relay_serial_revoked (relay, jc_cert_get_serial (previous)))
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_REVOKED,
                   _("The certificate to rotate is revoked; a new one needs a new request"));
      return TRUE;
    }
  JcValidity v;
  jc_validity_init_months (&v, jc_time_now (), relay->config->active_months,
                           relay->config->passive_months);
  /* The previous certificate may have been issued by one of our earlier certificates:
   * check the request against that one, issue with the current one. */
  g_autoptr(JcCert) cert = NULL;
  if (jc_rotation_request_verify (req, relay->node_cert, jc_time_now (), NULL))
    cert = jc_ca_issue_rotation (relay->node_key, relay->node_cert, req, &v, jc_time_now (),
                                 refusal);
  else
    {
      gboolean verified = FALSE;
      for (guint i = 0; !verified && relay->previous && i < relay->previous->len; i++)
        {
          g_autofree char *pem = NULL;
          g_object_get (relay->previous->pdata[i], "certificate-pem", &pem, NULL);
          g_autoptr(JcCert) earlier = jc_cert_new_from_pem (pem, -1, NULL);
          verified = earlier && jc_rotation_request_verify (req, earlier, jc_time_now (), NULL);
        }
      if (!verified)
        return jc_rotation_request_verify (req, relay->node_cert, jc_time_now (), refusal), TRUE;
      cert = jc_ca_issue (relay->node_key, relay->node_cert, jc_rotation_request_get_csr (req),
                          jc_cert_get_roles (previous), &v, refusal);
    }
  if (!cert)
    return TRUE;

  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (chain, g_object_ref (cert));
  for (guint i = 0; i < relay->node_chain->len; i++)
    g_ptr_array_add (chain, g_object_ref (relay->node_chain->pdata[i]));
  g_autofree char *pem = jc_cert_list_to_pem (chain);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "request");
  json_builder_add_string_value (b, env->id);
  json_builder_set_member_name (b, "chain");
  json_builder_add_string_value (b, pem);
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  const char *to[] = { env->from, NULL };
  const JcLogParam params[] = {
    { "cn", env->from }, { "previous_serial", jc_cert_get_serial (previous) },
    { "serial", jc_cert_get_serial (cert) }, { NULL, NULL },
  };
  jc_log_write (relay->log, JC_LOG_NOTICE, "ROTATION", params, "certificate rotated");
  return jc_relay_router_originate (relay, to, "cert.issued", body, touched, NULL, error);
}

/* A node asks to revoke its own certificate, signed with the key that may have leaked
 * (§4.4.2.3). Every relay on the way to the root records it: the issuing parent at once
 * refuses the node, the root cancels the node's tasks. */
gboolean
jc_relay_revocation_handle (JcRelay *relay, JcNetEnvelope *env, GError **refusal,
                            GError **error)
{
  g_autoptr(GError) local = NULL;
  const char *req_text = jc_net_cert_request_body_get (env->body);
  g_autoptr(JcRevocationRequest) req = req_text
    ? jc_revocation_request_new_from_json (req_text, -1, &local) : NULL;
  if (!req || !jc_revocation_request_verify (req, &local))
    {
      g_set_error (refusal, JC_ERROR, local && local->code == JC_ERROR_BAD_SIGNATURE
                   ? JC_ERROR_BAD_SIGNATURE : JC_ERROR_INVALID,
                   _("The revocation request is not valid: %s"),
                   local ? local->message : _("missing"));
      return TRUE;
    }
  JcCert *cert = jc_revocation_request_get_certificate (req);
  if (g_strcmp0 (jc_cert_get_name (cert), env->from) != 0)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_DENIED,
                   _("Node %s may only ask to revoke its own certificate"), env->from);
      return TRUE;
    }
  const char *serial = jc_cert_get_serial (cert);
  while (serial[0] == '0' && serial[1])
    serial++;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT OR REPLACE INTO revoked (serial, node, reason, at, key_id) VALUES (?,?,?,?,?)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 5, jc_cert_get_key_id (cert), -1, SQLITE_STATIC);
  const char *reason = jc_revocation_request_get_reason (req);
  sqlite3_bind_text (st, 1, serial, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, env->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, reason && *reason ? reason : "revoked by its holder", -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  const JcLogParam params[] = { { "cn", env->from }, { "serial", serial }, { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_WARNING, "REVOKED", params, "revoked at its holder's request: %s",
                reason ? reason : "");
  return TRUE;
}

/* --- this relay's own certificate ------------------------------------------------------ */

static char *
state_file (JcRelay *relay, const char *name)
{
  return g_build_filename (relay->config->state_dir, name, NULL);
}

/* Due when an administrator asked (joconde-relay rotate) or the certificate is past its
 * active period, and no rotation is under way. */
gboolean
jc_relay_rotation_due (JcRelay *relay)
{
  g_autofree char *key_new = state_file (relay, "node.key.new");
  if (!relay->parent || g_file_test (key_new, G_FILE_TEST_EXISTS))
    return FALSE;
  if (!jc_cert_is_active_at (relay->node_cert, jc_time_now ()))
    return TRUE;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT 1 FROM requests WHERE name = 'rotate'", NULL);
  return st && sqlite3_step (st) == SQLITE_ROW;
}

/* Inside a transaction: a new key in the state directory, and a rotation request signed
 * with the current key, to the parent. */
gboolean
jc_relay_rotation_start (JcRelay *relay, GHashTable *touched, GError **error)
{
  g_autofree char *key_new = state_file (relay, "node.key.new");
  g_autoptr(JcNodeKey) key = jc_node_key_generate (error);
  if (!key || !jc_node_key_save_file (key, key_new, NULL, error))
    return FALSE;
  g_autoptr(JcRotationRequest) req = jc_rotation_request_new (relay->node_key, relay->node_cert,
                                                              key, error);
  if (!req)
    return FALSE;
  g_autofree char *json = jc_rotation_request_to_json (req);
  g_autoptr(JsonNode) body = jc_net_cert_request_body_new (json);
  const char *to[] = { JC_NET_ADDRESS_PARENT, NULL };
  g_autoptr(sqlite3_stmt) done = jc_net_sqlite_prepare (relay->db,
    "DELETE FROM requests WHERE name = 'rotate'", error);
  if (!done || sqlite3_step (done) != SQLITE_DONE)
    return FALSE;
  const JcLogParam params[] = { { "cn", relay->node_id }, { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_NOTICE, "ROTATION", params, "rotation requested from the parent");
  return jc_relay_router_originate (relay, to, "cert.rotate", body, touched, NULL, error);
}

/* Writes the new certificate and key over the rotated ones in the state directory (the
 * old certificate joins previous.pem so the children it issued stay admitted), then
 * uses them. */
static gboolean
install (JcRelay *relay, const char *pem, GError **error)
{
  g_autofree char *key_new = state_file (relay, "node.key.new");
  g_autofree char *key_path = state_file (relay, "node.key");
  g_autofree char *cert_path = state_file (relay, "node.pem");
  g_autofree char *cert_new = state_file (relay, "node.pem.new");
  g_autofree char *prev_path = state_file (relay, "previous.pem");
  g_autoptr(JcNodeKey) key = jc_node_key_load_file (key_new, NULL, error);
  g_autoptr(GPtrArray) chain = key ? jc_cert_list_new_from_pem (pem, -1, error) : NULL;
  if (!chain)
    return FALSE;
  JcCert *leaf = chain->pdata[0];
  if (g_strcmp0 (jc_cert_get_key_id (leaf), jc_node_key_get_id (key)) != 0 ||
      g_strcmp0 (jc_cert_get_name (leaf), relay->node_id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The certificate the parent sent is not for this relay's new key"));
      return FALSE;
    }
  g_autofree char *old_pem = jc_cert_to_pem (relay->node_cert);
  g_autofree char *prev = NULL;
  g_file_get_contents (prev_path, &prev, NULL, NULL);
  g_autofree char *all_prev = g_strconcat (prev ? prev : "", old_pem, NULL);
  if (!g_file_set_contents_full (prev_path, all_prev, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error) ||
      !g_file_set_contents_full (cert_new, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  if (g_rename (key_new, key_path) != 0 || g_rename (cert_new, cert_path) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot install the new certificate: %s"),
                   g_strerror (errno));
      return FALSE;
    }
  g_free (relay->cert_path);
  g_free (relay->key_path);
  relay->cert_path = g_steal_pointer (&cert_path);
  relay->key_path = g_steal_pointer (&key_path);
  if (!jc_relay_reload_identity (relay, error))
    return FALSE;
  const JcLogParam params[] = { { "cn", relay->node_id }, { "serial", jc_cert_get_serial (leaf) },
                                { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_NOTICE, "ROTATION", params, "new certificate installed");
  return TRUE;
}

static gboolean
install_cb (gpointer data)
{
  JcRelay *relay = data;
  relay->install_id = 0;
  g_autofree char *pem = g_steal_pointer (&relay->issued_chain);
  g_autofree char *key_new = state_file (relay, "node.key.new");
  g_autoptr(GError) error = NULL;
  if (pem && g_file_test (key_new, G_FILE_TEST_EXISTS) && !install (relay, pem, &error))
    g_warning ("the rotated certificate was not installed: %s", error->message);
  return G_SOURCE_REMOVE;
}

/* cert.issued from the parent, committed: installed from an idle, outside the link's
 * receive callback. */
void
jc_relay_rotation_received (JcRelay *relay, JcNetEnvelope *env)
{
  const char *chain = JSON_NODE_HOLDS_OBJECT (env->body)
    ? json_object_get_string_member_with_default (json_node_get_object (env->body), "chain", NULL)
    : NULL;
  if (!chain || g_strcmp0 (env->from, jc_net_link_get_parent_id (relay->parent)) != 0)
    return;
  g_free (relay->issued_chain);
  relay->issued_chain = g_strdup (chain);
  if (!relay->install_id)
    relay->install_id = g_idle_add (install_cb, relay);
}
