#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-pki-digest.h"
#include "jc-pki-json.h"
#include "jc-revocation-request.h"
#include "jc-time.h"

#define REVOCATION_TAG "JOCONDE revocation request v1\n"
#define MAX_REASON 1024

struct _JcRevocationRequest
{
  GObject  parent_instance;
  JcCert  *cert;
  char    *reason; /* never NULL ("" for none) */
  gint64   requested_at;
  GBytes  *signature;
};

G_DEFINE_FINAL_TYPE (JcRevocationRequest, jc_revocation_request, G_TYPE_OBJECT)

static void
jc_revocation_request_finalize (GObject *object)
{
  JcRevocationRequest *self = JC_REVOCATION_REQUEST (object);

  g_clear_object (&self->cert);
  g_free (self->reason);
  g_clear_pointer (&self->signature, g_bytes_unref);
  G_OBJECT_CLASS (jc_revocation_request_parent_class)->finalize (object);
}

static void
jc_revocation_request_class_init (JcRevocationRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_revocation_request_finalize;
}

static void
jc_revocation_request_init (JcRevocationRequest *self)
{
}

static gboolean
check_reason (const char *reason, GError **error)
{
  if (!g_utf8_validate (reason, -1, NULL) || g_utf8_strlen (reason, -1) > MAX_REASON)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The revocation reason must be UTF-8 text of at most %d characters"),
                   MAX_REASON);
      return FALSE;
    }
  return TRUE;
}

static void
signed_hash (JcRevocationRequest *self, guint8 out[32])
{
  g_autofree char *when = jc_time_format (self->requested_at);
  g_autoptr(GBytes) der = jc_cert_get_der (self->cert);
  g_autoptr(GBytes) when_text = g_bytes_new_static (when, strlen (when));
  g_autoptr(GBytes) reason = g_bytes_new_static (self->reason, strlen (self->reason));
  GBytes *parts[] = { der, when_text, reason };

  jc_pki_request_digest (REVOCATION_TAG, parts, G_N_ELEMENTS (parts), out);
}

JcRevocationRequest *
jc_revocation_request_new (JcNodeKey *key, JcCert *cert, const char *reason,
                           gint64 requested_at, GError **error)
{
  g_autoptr(JcRevocationRequest) self = NULL;
  guint8 h[32];

  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  if (!check_reason (reason ? reason : "", error))
    return NULL;
  if (g_strcmp0 (jc_node_key_get_id (key), jc_cert_get_key_id (cert)) != 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("A revocation request must be signed with the key of the certificate it revokes"));
      return NULL;
    }
  self = g_object_new (JC_TYPE_REVOCATION_REQUEST, NULL);
  self->cert = g_object_ref (cert);
  self->reason = g_strdup (reason ? reason : "");
  self->requested_at = requested_at;
  signed_hash (self, h);
  self->signature = jc_node_key_sign_hash (key, h, sizeof h, error);
  if (self->signature == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

char *
jc_revocation_request_to_json (JcRevocationRequest *req)
{
  g_autofree char *pem = jc_cert_to_pem (req->cert);
  g_autofree char *when = jc_time_format (req->requested_at);
  g_autofree char *sig = jc_base64url_encode (g_bytes_get_data (req->signature, NULL),
                                              g_bytes_get_size (req->signature));

  return jc_pki_json_write ("joconde-revocation-request", "certificate", pem,
                            "requested_at", when, "reason", req->reason, "signature", sig, NULL);
}

JcRevocationRequest *
jc_revocation_request_new_from_json (const char *json, gssize len, GError **error)
{
  g_autoptr(JcRevocationRequest) self = g_object_new (JC_TYPE_REVOCATION_REQUEST, NULL);
  JsonObject *o = NULL;
  g_autoptr(JsonParser) parser = jc_pki_json_parse (json, len, 256 * 1024,
                                                    "joconde-revocation-request", &o, error);
  const char *pem, *when, *reason, *sig;

  if (parser == NULL)
    return NULL;
  pem = jc_pki_json_get_string (o, "certificate");
  when = jc_pki_json_get_string (o, "requested_at");
  reason = jc_pki_json_get_string (o, "reason");
  sig = jc_pki_json_get_string (o, "signature");
  if (pem == NULL || when == NULL || reason == NULL || sig == NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The revocation request lacks certificate, requested_at, reason or signature"));
      return NULL;
    }
  if (!check_reason (reason, error) ||
      !jc_time_parse_canonical (when, &self->requested_at, error))
    return NULL;
  self->reason = g_strdup (reason);
  self->cert = jc_cert_new_from_pem (pem, -1, error);
  if (self->cert == NULL)
    return NULL;
  self->signature = jc_base64url_decode (sig, error);
  if (self->signature == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

JcCert *jc_revocation_request_get_certificate (JcRevocationRequest *req) { return req->cert; }
const char *jc_revocation_request_get_reason (JcRevocationRequest *req) { return req->reason; }
gint64 jc_revocation_request_get_requested_at (JcRevocationRequest *req) { return req->requested_at; }

gboolean
jc_revocation_request_verify (JcRevocationRequest *req, GError **error)
{
  guint8 h[32];

  g_return_val_if_fail (JC_IS_REVOCATION_REQUEST (req), FALSE);
  signed_hash (req, h);
  if (!jc_cert_verify_hash (req->cert, h, sizeof h, g_bytes_get_data (req->signature, NULL),
                            g_bytes_get_size (req->signature), NULL))
    {
      g_autofree char *who = jc_cert_describe (req->cert);
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The revocation request for %s is not signed by that certificate's key"), who);
      return FALSE;
    }
  return TRUE;
}
