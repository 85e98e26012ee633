#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-atls-private.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-time.h"

/* The VM side of attested TLS. Configured once, then used from any number of handshake
 * threads at a time: everything but the PAK set is read-only after configuration. */
struct _JcAtlsServer {
  GObject             parent_instance;
  GTlsCertificate    *identity;
  guint8              spki_hash[JC_ATLS_SPKI_HASH_SIZE];
  gboolean            spki_ok;
  JcTeeProvider      *provider;
  guint8              cta_hash[JC_ATLS_CTA_HASH_MAX];
  gsize               cta_hash_len;
  GMutex              lock;
  GHashTable         *paks;        /* GBytes set */
  JcAtlsPakCheckFunc  pak_check;
  gpointer            pak_check_data;
  GDestroyNotify      pak_check_destroy;
  gboolean            has_peer_policy;
  JcTeePolicy         peer_policy;
  guint               timeout;
};

G_DEFINE_FINAL_TYPE (JcAtlsServer, jc_atls_server, G_TYPE_OBJECT)

static void
jc_atls_server_finalize (GObject *object)
{
  JcAtlsServer *self = JC_ATLS_SERVER (object);

  g_clear_object (&self->identity);
  g_clear_object (&self->provider);
  g_hash_table_unref (self->paks);
  if (self->pak_check_destroy)
    self->pak_check_destroy (self->pak_check_data);
  jc_tee_policy_clear (&self->peer_policy);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (jc_atls_server_parent_class)->finalize (object);
}

static void
jc_atls_server_class_init (JcAtlsServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_atls_server_finalize;
}

static void
jc_atls_server_init (JcAtlsServer *self)
{
  g_mutex_init (&self->lock);
  self->paks = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                      (GDestroyNotify) g_bytes_unref, NULL);
  self->timeout = JC_ATLS_DEFAULT_TIMEOUT;
}

JcAtlsServer *
jc_atls_server_new (GTlsCertificate *identity, JcTeeProvider *provider,
                    const guint8 *cta_hash, gsize cta_hash_len)
{
  JcAtlsServer *self;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (identity), NULL);
  g_return_val_if_fail (JC_IS_TEE_PROVIDER (provider), NULL);
  g_return_val_if_fail (cta_hash_len >= 1 && cta_hash_len <= JC_ATLS_CTA_HASH_MAX, NULL);

  self = g_object_new (JC_TYPE_ATLS_SERVER, NULL);
  self->identity = g_object_ref (identity);
  self->provider = g_object_ref (provider);
  memcpy (self->cta_hash, cta_hash, cta_hash_len);
  self->cta_hash_len = cta_hash_len;
  /* A certificate whose key cannot be read fails every handshake with the reason below. */
  self->spki_ok = jc_atls_certificate_spki_hash (identity, self->spki_hash, NULL);
  return self;
}

void
jc_atls_server_add_pak (JcAtlsServer *self, const guint8 pak[JC_ATLS_PAK_SIZE])
{
  g_return_if_fail (JC_IS_ATLS_SERVER (self));
  g_mutex_lock (&self->lock);
  g_hash_table_add (self->paks, g_bytes_new (pak, JC_ATLS_PAK_SIZE));
  g_mutex_unlock (&self->lock);
}

void
jc_atls_server_set_pak_check (JcAtlsServer *self, JcAtlsPakCheckFunc func, gpointer user_data,
                              GDestroyNotify destroy)
{
  g_return_if_fail (JC_IS_ATLS_SERVER (self));
  if (self->pak_check_destroy)
    self->pak_check_destroy (self->pak_check_data);
  self->pak_check = func;
  self->pak_check_data = user_data;
  self->pak_check_destroy = destroy;
}

void
jc_atls_server_set_peer_policy (JcAtlsServer *self, const JcTeePolicy *policy)
{
  g_return_if_fail (JC_IS_ATLS_SERVER (self));
  jc_tee_policy_clear (&self->peer_policy);
  jc_tee_policy_copy (&self->peer_policy, policy);
  self->has_peer_policy = TRUE;
}

void
jc_atls_server_set_timeout (JcAtlsServer *self, guint seconds)
{
  g_return_if_fail (JC_IS_ATLS_SERVER (self));
  self->timeout = seconds;
}

static gboolean
pak_allowed (JcAtlsServer *self, const guint8 *pak, GError **error)
{
  g_autofree char *name = jc_base64url_encode (pak, JC_ATLS_PAK_SIZE);
  g_autoptr(GBytes) key = g_bytes_new (pak, JC_ATLS_PAK_SIZE);
  gboolean found;

  if (self->pak_check)
    return self->pak_check (pak, self->pak_check_data, error);
  g_mutex_lock (&self->lock);
  found = g_hash_table_contains (self->paks, key);
  g_mutex_unlock (&self->lock);
  if (!found)
    g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                 _("The PAK %s is not one of this task’s custodians or analysts"), name);
  return found;
}

/* Checks a client's atls-proof; fills PAK (client) or VERDICT (counterpart VM). */
static gboolean
check_proof (JcAtlsServer *self, GTlsConnection *tls, const char *role, JsonNode *proof,
             const guint8 *binding, guint8 *pak, JcTeeVerdict **verdict, GError **error)
{
  if (g_str_equal (role, "client"))
    {
      g_autoptr(GBytes) key = jc_atls_message_get_bytes (proof, "pak", JC_ATLS_PAK_SIZE, FALSE, error);
      g_autoptr(GBytes) sig = NULL;

      if (key == NULL ||
          (sig = jc_atls_message_get_bytes (proof, "signature", JC_ATLS_PAK_SIGNATURE_SIZE,
                                            FALSE, error)) == NULL)
        return FALSE;
      if (!jc_atls_pak_verify (g_bytes_get_data (key, NULL), g_bytes_get_data (sig, NULL), binding,
                               self->spki_hash, self->cta_hash, self->cta_hash_len, error))
        return FALSE;
      memcpy (pak, g_bytes_get_data (key, NULL), JC_ATLS_PAK_SIZE);
      return pak_allowed (self, pak, error);
    }
  else
    {
      GTlsCertificate *peer_cert = g_tls_connection_get_peer_certificate (tls);
      JsonNode *node = json_object_get_member (json_node_get_object (proof), "evidence");
      g_autoptr(JcTeeEvidence) evidence = NULL;
      guint8 peer_spki[JC_ATLS_SPKI_HASH_SIZE];
      JcTeePolicy policy;
      gboolean ok;

      if (!self->has_peer_policy)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                       _("This computation VM accepts no connections from other VMs"));
          return FALSE;
        }
      if (peer_cert == NULL)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                       _("A connecting VM must present its TLS certificate"));
          return FALSE;
        }
      if (!jc_atls_certificate_spki_hash (peer_cert, peer_spki, error) ||
          (evidence = jc_tee_evidence_from_node (node, error)) == NULL)
        return FALSE;
      jc_tee_policy_copy (&policy, &self->peer_policy);
      policy.at = jc_time_now ();
      policy.check_report_data = TRUE;
      jc_atls_report_data (JC_ATLS_ROLE_CLIENT, binding, peer_spki, self->cta_hash,
                           self->cta_hash_len, policy.report_data);
      *verdict = g_new0 (JcTeeVerdict, 1);
      ok = jc_tee_verify (evidence, &policy, *verdict, error);
      jc_tee_policy_clear (&policy);
      if (!ok)
        {
          g_clear_pointer (verdict, g_free);
          g_prefix_error (error, _("The connecting VM failed attestation: "));
        }
      return ok;
    }
}

static gboolean
send_evidence (JcAtlsServer *self, GIOStream *stream, const guint8 *binding,
               GCancellable *cancellable, GError **error)
{
  guint8 report_data[JC_TEE_REPORT_DATA_SIZE];
  g_autoptr(JcTeeEvidence) evidence = NULL;
  g_autoptr(JsonNode) msg = NULL;
  g_autofree char *cta = jc_base64url_encode (self->cta_hash, self->cta_hash_len);
  JsonBuilder *b;

  jc_atls_report_data (JC_ATLS_ROLE_SERVER, binding, self->spki_hash, self->cta_hash,
                       self->cta_hash_len, report_data);
  evidence = jc_tee_provider_get_evidence (self->provider, report_data, cancellable, error);
  if (evidence == NULL)
    return FALSE;
  b = jc_atls_message_begin ("atls-evidence");
  json_builder_set_member_name (b, "cta_hash");
  json_builder_add_string_value (b, cta);
  json_builder_set_member_name (b, "evidence");
  json_builder_add_value (b, jc_tee_evidence_to_node (evidence));
  msg = jc_atls_message_end (b);
  return jc_atls_frame_write (stream, msg, cancellable, error);
}

static gboolean
hello_version_ok (JsonNode *hello)
{
  JsonNode *v = json_object_get_member (json_node_get_object (hello), "version");

  return v != NULL && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_INT64 &&
         json_node_get_int (v) == JC_ATLS_VERSION;
}

/* The exchange after the TLS handshake. On a refusal the peer is told why. */
static JcAtlsSession *
server_exchange (JcAtlsServer *self, GTlsConnection *tls, GCancellable *cancellable,
                 GError **error)
{
  GIOStream *stream = G_IO_STREAM (tls);
  guint8 binding[JC_ATLS_BINDING_SIZE];
  guint8 pak[JC_ATLS_PAK_SIZE];
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(JsonNode) proof = NULL;
  g_autoptr(JsonNode) accepted = NULL;
  JcTeeVerdict *verdict = NULL;
  const char *role;
  g_autoptr(GError) refusal = NULL;

  if (!jc_atls_channel_binding (tls, binding, error))
    return NULL;
  hello = jc_atls_frame_read (stream, 4096, cancellable, error);
  if (hello == NULL || !jc_atls_message_expect (hello, error, "atls-hello", NULL))
    return NULL;
  role = jc_atls_message_get_string (hello, "role");
  if (!hello_version_ok (hello))
    {
      g_set_error (&refusal, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The peer speaks another version of the attested channel protocol; this "
                     "VM speaks version %d"), JC_ATLS_VERSION);
      jc_atls_send_refusal (stream, "atls-refused", refusal);
      g_propagate_error (error, g_steal_pointer (&refusal));
      return NULL;
    }
  if (role == NULL || !(g_str_equal (role, "client") || g_str_equal (role, "vm")))
    {
      g_set_error (&refusal, JC_ERROR, JC_ERROR_INVALID,
                   _("The peer asked for an unknown role; this VM knows “client” and “vm”"));
      jc_atls_send_refusal (stream, "atls-refused", refusal);
      g_propagate_error (error, g_steal_pointer (&refusal));
      return NULL;
    }
  if (!send_evidence (self, stream, binding, cancellable, error))
    return NULL;
  proof = jc_atls_frame_read (stream, 0, cancellable, error);
  if (proof == NULL)
    return NULL;
  if (jc_atls_message_expect (proof, error, "atls-proof", "atls-abort", NULL) == NULL)
    return NULL;
  if (g_str_equal (jc_atls_message_get_string (proof, "type"), "atls-abort"))
    {
      const char *reason = jc_atls_message_get_string (proof, "reason");
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The peer refused this VM’s attestation: %s"), reason ? reason : "?");
      return NULL;
    }
  if (!check_proof (self, tls, role, proof, binding, pak, &verdict, &refusal))
    {
      jc_atls_send_refusal (stream, "atls-refused", refusal);
      g_propagate_error (error, g_steal_pointer (&refusal));
      return NULL;
    }
  accepted = jc_atls_message_end (jc_atls_message_begin ("atls-accepted"));
  if (!jc_atls_frame_write (stream, accepted, cancellable, error))
    {
      if (verdict)
        {
          jc_tee_verdict_clear (verdict);
          g_free (verdict);
        }
      return NULL;
    }
  return jc_atls_session_new (stream, binding, verdict, verdict ? NULL : pak);
}

JcAtlsSession *
jc_atls_server_handshake (JcAtlsServer *self, GIOStream *base, GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(GIOStream) tls = NULL;
  JcAtlsSession *session;

  g_return_val_if_fail (JC_IS_ATLS_SERVER (self), NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  if (!self->spki_ok)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VM’s TLS certificate has no readable public key"));
      return NULL;
    }
  tls = g_tls_server_connection_new (base, self->identity, error);
  if (tls == NULL)
    return NULL;
  /* Counterpart VMs present their per-task certificate; client nodes present none. */
  g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (jc_atls_accept_any_certificate), NULL);
  jc_atls_stream_set_timeout (base, self->timeout);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), cancellable, error))
    {
      g_prefix_error (error, _("TLS handshake with the peer failed: "));
      return NULL;
    }
  session = server_exchange (self, G_TLS_CONNECTION (tls), cancellable, error);
  jc_atls_stream_set_timeout (base, 0);
  return session;
}

static void
server_handshake_thread (GTask *task, gpointer source, gpointer task_data,
                         GCancellable *cancellable)
{
  GError *error = NULL;
  JcAtlsSession *session = jc_atls_server_handshake (source, task_data, cancellable, &error);

  if (session)
    g_task_return_pointer (task, session, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
jc_atls_server_handshake_async (JcAtlsServer *self, GIOStream *base, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, jc_atls_server_handshake_async);
  g_task_set_task_data (task, g_object_ref (base), g_object_unref);
  g_task_run_in_thread (task, server_handshake_thread);
}

JcAtlsSession *
jc_atls_server_handshake_finish (JcAtlsServer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
