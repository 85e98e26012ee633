#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-ca.h"
#include "jc-relay-private.h"
#include "jc-relay-rotation.h"
#include "jc-net-sqlite-private.h"
#include "jc-revocation-request.h"
#include "jc-rotation.h"

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
  JsonNode *req_node = JSON_NODE_HOLDS_OBJECT (env->body)
    ? json_object_get_member (json_node_get_object (env->body), "request") : NULL;
  const char *req_text = req_node && JSON_NODE_HOLDS_VALUE (req_node) &&
                         json_node_get_value_type (req_node) == G_TYPE_STRING
                         ? json_node_get_string (req_node) : NULL;
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
  g_autoptr(JcCert) cert = jc_ca_issue_rotation (relay->node_key, relay->node_cert, req, &v,
                                                 jc_time_now (), refusal);
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
  JsonNode *req_node = JSON_NODE_HOLDS_OBJECT (env->body)
    ? json_object_get_member (json_node_get_object (env->body), "request") : NULL;
  const char *req_text = req_node && JSON_NODE_HOLDS_VALUE (req_node) &&
                         json_node_get_value_type (req_node) == G_TYPE_STRING
                         ? json_node_get_string (req_node) : NULL;
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
    "INSERT OR REPLACE INTO revoked (serial, node, reason, at) VALUES (?,?,?,?)", error);
  if (!st)
    return FALSE;
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
