#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-atls-private.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-time.h"

/* The connecting end of attested TLS: a client node proving a PAK, or a counterpart VM
 * proving its own TEE. Read-only once configured. */
struct _JcAtlsClient {
  GObject          parent_instance;
  JcTeePolicy      policy;
  guint8           cta_hash[JC_ATLS_CTA_HASH_MAX];
  gsize            cta_hash_len;
  JcSecret        *pak_secret;
  GTlsCertificate *identity;
  JcTeeProvider   *provider;
  guint            timeout;
};

G_DEFINE_FINAL_TYPE (JcAtlsClient, jc_atls_client, G_TYPE_OBJECT)

static void
jc_atls_client_finalize (GObject *object)
{
  JcAtlsClient *self = JC_ATLS_CLIENT (object);

  jc_tee_policy_clear (&self->policy);
  g_clear_pointer (&self->pak_secret, jc_secret_free);
  g_clear_object (&self->identity);
  g_clear_object (&self->provider);
  G_OBJECT_CLASS (jc_atls_client_parent_class)->finalize (object);
}

static void
jc_atls_client_class_init (JcAtlsClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_atls_client_finalize;
}

static void
jc_atls_client_init (JcAtlsClient *self)
{
  self->timeout = JC_ATLS_DEFAULT_TIMEOUT;
}

JcAtlsClient *
jc_atls_client_new (const JcTeePolicy *policy, const guint8 *cta_hash, gsize cta_hash_len)
{
  JcAtlsClient *self;

  g_return_val_if_fail (policy != NULL, NULL);
  g_return_val_if_fail (cta_hash_len >= 1 && cta_hash_len <= JC_ATLS_CTA_HASH_MAX, NULL);
  self = g_object_new (JC_TYPE_ATLS_CLIENT, NULL);
  jc_tee_policy_copy (&self->policy, policy);
  memcpy (self->cta_hash, cta_hash, cta_hash_len);
  self->cta_hash_len = cta_hash_len;
  return self;
}

void
jc_atls_client_set_pak (JcAtlsClient *self, const JcSecret *pak_secret)
{
  g_return_if_fail (JC_IS_ATLS_CLIENT (self));
  g_return_if_fail (pak_secret->len == crypto_sign_SECRETKEYBYTES);
  g_clear_pointer (&self->pak_secret, jc_secret_free);
  self->pak_secret = jc_secret_copy (pak_secret->data, pak_secret->len);
}

void
jc_atls_client_set_vm (JcAtlsClient *self, GTlsCertificate *identity, JcTeeProvider *provider)
{
  g_return_if_fail (JC_IS_ATLS_CLIENT (self));
  g_set_object (&self->identity, identity);
  g_set_object (&self->provider, provider);
}

void
jc_atls_client_set_timeout (JcAtlsClient *self, guint seconds)
{
  g_return_if_fail (JC_IS_ATLS_CLIENT (self));
  self->timeout = seconds;
}

/* Verifies the VM's atls-evidence message: evidence valid under the task's policy, made
 * for this channel, this server key and the CTA the VM claims; then that claim must be
 * the CTA this client expects. Checking the claim after the evidence makes "another
 * agreement" a precise, authenticated reason rather than a guess. */
static JcTeeVerdict *
check_server_evidence (JcAtlsClient *self, JsonNode *msg, const guint8 *binding,
                       const guint8 *server_spki, GError **error)
{
  JsonNode *node = json_object_get_member (json_node_get_object (msg), "evidence");
  g_autoptr(GBytes) claimed = NULL;
  g_autoptr(JcTeeEvidence) evidence = NULL;
  JcTeePolicy policy;
  JcTeeVerdict *verdict;
  gboolean ok;

  claimed = jc_atls_message_get_bytes (msg, "cta_hash", JC_ATLS_CTA_HASH_MAX, TRUE, error);
  if (claimed == NULL || (evidence = jc_tee_evidence_from_node (node, error)) == NULL)
    return NULL;
  jc_tee_policy_copy (&policy, &self->policy);
  policy.at = jc_time_now ();
  policy.check_report_data = TRUE;
  jc_atls_report_data (JC_ATLS_ROLE_SERVER, binding, server_spki,
                       g_bytes_get_data (claimed, NULL), g_bytes_get_size (claimed),
                       policy.report_data);
  verdict = g_new0 (JcTeeVerdict, 1);
  ok = jc_tee_verify (evidence, &policy, verdict, error);
  jc_tee_policy_clear (&policy);
  if (ok && (g_bytes_get_size (claimed) != self->cta_hash_len ||
             memcmp (g_bytes_get_data (claimed, NULL), self->cta_hash, self->cta_hash_len) != 0))
    {
      g_autofree char *theirs = jc_hex_encode (g_bytes_get_data (claimed, NULL),
                                               g_bytes_get_size (claimed));
      g_autofree char *ours = jc_hex_encode (self->cta_hash, self->cta_hash_len);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The VM enforces another agreement (CTA hash %s), not the one expected "
                     "(CTA hash %s)"), theirs, ours);
      jc_tee_verdict_clear (verdict);
      ok = FALSE;
    }
  if (!ok)
    {
      g_free (verdict);
      return NULL;
    }
  return verdict;
}

static JsonNode *
make_proof (JcAtlsClient *self, const guint8 *binding, const guint8 *server_spki,
            GCancellable *cancellable, GError **error)
{
  JsonBuilder *b = jc_atls_message_begin ("atls-proof");

  if (self->pak_secret)
    {
      guint8 pk[JC_ATLS_PAK_SIZE], sig[JC_ATLS_PAK_SIGNATURE_SIZE];
      g_autofree char *pk64 = NULL, *sig64 = NULL;

      crypto_sign_ed25519_sk_to_pk (pk, self->pak_secret->data);
      jc_atls_pak_sign (self->pak_secret, binding, server_spki, self->cta_hash,
                        self->cta_hash_len, sig);
      pk64 = jc_base64url_encode (pk, sizeof pk);
      sig64 = jc_base64url_encode (sig, sizeof sig);
      json_builder_set_member_name (b, "pak");
      json_builder_add_string_value (b, pk64);
      json_builder_set_member_name (b, "signature");
      json_builder_add_string_value (b, sig64);
    }
  else
    {
      guint8 own_spki[JC_ATLS_SPKI_HASH_SIZE], report_data[JC_TEE_REPORT_DATA_SIZE];
      g_autoptr(JcTeeEvidence) evidence = NULL;

      if (!jc_atls_certificate_spki_hash (self->identity, own_spki, error))
        goto fail;
      jc_atls_report_data (JC_ATLS_ROLE_CLIENT, binding, own_spki, self->cta_hash,
                           self->cta_hash_len, report_data);
      evidence = jc_tee_provider_get_evidence (self->provider, report_data, cancellable, error);
      if (evidence == NULL)
        goto fail;
      json_builder_set_member_name (b, "evidence");
      json_builder_add_value (b, jc_tee_evidence_to_node (evidence));
    }
  return jc_atls_message_end (b);
fail:
  g_object_unref (b);
  return NULL;
}

static JcAtlsSession *
client_exchange (JcAtlsClient *self, GTlsConnection *tls, GCancellable *cancellable,
                 GError **error)
{
  GIOStream *stream = G_IO_STREAM (tls);
  guint8 binding[JC_ATLS_BINDING_SIZE], server_spki[JC_ATLS_SPKI_HASH_SIZE];
  GTlsCertificate *server_cert;
  g_autoptr(JsonNode) hello = NULL, reply = NULL, proof = NULL, result = NULL;
  JsonBuilder *b;
  JcTeeVerdict *verdict = NULL;
  g_autoptr(GError) refusal = NULL;

  if (!jc_atls_channel_binding (tls, binding, error))
    return NULL;
  server_cert = g_tls_connection_get_peer_certificate (tls);
  if (server_cert == NULL || !jc_atls_certificate_spki_hash (server_cert, server_spki, error))
    {
      if (error && *error == NULL)
        g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED, _("The VM presented no TLS certificate"));
      return NULL;
    }
  b = jc_atls_message_begin ("atls-hello");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, JC_ATLS_VERSION);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, self->pak_secret ? "client" : "vm");
  hello = jc_atls_message_end (b);
  if (!jc_atls_frame_write (stream, hello, cancellable, error))
    return NULL;

  reply = jc_atls_frame_read (stream, 0, cancellable, error);
  if (reply == NULL || !jc_atls_message_expect (reply, error, "atls-evidence", "atls-refused", NULL))
    return NULL;
  if (g_str_equal (jc_atls_message_get_string (reply, "type"), "atls-refused"))
    goto refused;
  verdict = check_server_evidence (self, reply, binding, server_spki, &refusal);
  if (verdict == NULL)
    {
      jc_atls_send_refusal (stream, "atls-abort", refusal);
      g_propagate_prefixed_error (error, g_steal_pointer (&refusal),
                                  _("The computation VM failed attestation: "));
      return NULL;
    }

  proof = make_proof (self, binding, server_spki, cancellable, error);
  if (proof == NULL || !jc_atls_frame_write (stream, proof, cancellable, error) ||
      (result = jc_atls_frame_read (stream, 65536, cancellable, error)) == NULL ||
      !jc_atls_message_expect (result, error, "atls-accepted", "atls-refused", NULL))
    goto fail;
  if (g_str_equal (jc_atls_message_get_string (result, "type"), "atls-refused"))
    {
      g_clear_pointer (&reply, json_node_unref);
      reply = g_steal_pointer (&result);
      jc_tee_verdict_clear (verdict);
      g_free (verdict);
      goto refused;
    }
  return jc_atls_session_new (stream, binding, verdict, NULL);

fail:
  if (verdict)
    jc_tee_verdict_clear (verdict);
  g_free (verdict);
  return NULL;
refused:
  {
    const char *reason = jc_atls_message_get_string (reply, "reason");
    g_set_error (error, JC_ERROR, JC_ERROR_DENIED, _("The computation VM refused the connection: %s"),
                 reason ? reason : "?");
    return NULL;
  }
}

JcAtlsSession *
jc_atls_client_handshake (JcAtlsClient *self, GIOStream *base, GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(GIOStream) tls = NULL;
  JcAtlsSession *session;

  g_return_val_if_fail (JC_IS_ATLS_CLIENT (self), NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  if (self->pak_secret == NULL && (self->identity == NULL || self->provider == NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("An attested connection needs a PAK to prove, or a VM identity and TEE"));
      return NULL;
    }
  tls = g_tls_client_connection_new (base, NULL, error);
  if (tls == NULL)
    return NULL;
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (jc_atls_accept_any_certificate), NULL);
  if (self->pak_secret == NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), self->identity);
  jc_atls_stream_set_timeout (base, self->timeout);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), cancellable, error))
    {
      g_prefix_error (error, _("TLS handshake with the computation VM failed: "));
      jc_atls_stream_set_timeout (base, 0);
      return NULL;
    }
  session = client_exchange (self, G_TLS_CONNECTION (tls), cancellable, error);
  jc_atls_stream_set_timeout (base, 0);
  return session;
}

JcAtlsSession *
jc_atls_client_connect (JcAtlsClient *self, const char *address, GCancellable *cancellable,
                        GError **error)
{
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;

  g_socket_client_set_timeout (sc, self->timeout);
  conn = g_socket_client_connect_to_host (sc, address, 0, cancellable, error);
  if (conn == NULL)
    {
      g_prefix_error (error, _("Could not connect to the computation VM at %s: "), address);
      return NULL;
    }
  return jc_atls_client_handshake (self, G_IO_STREAM (conn), cancellable, error);
}

static void
client_connect_thread (GTask *task, gpointer source, gpointer task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;
  JcAtlsSession *session = jc_atls_client_connect (source, task_data, cancellable, &error);

  if (session)
    g_task_return_pointer (task, session, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
jc_atls_client_connect_async (JcAtlsClient *self, const char *address, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, jc_atls_client_connect_async);
  g_task_set_task_data (task, g_strdup (address), g_free);
  g_task_run_in_thread (task, client_connect_thread);
}

JcAtlsSession *
jc_atls_client_connect_finish (JcAtlsClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
