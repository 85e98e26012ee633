#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "jc-ca-private.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-pki-digest.h"
#include "jc-pki-json.h"
#include "jc-rotation.h"

#define ROTATION_TAG "JOCONDE rotation request v1\n"

struct _JcRotationRequest
{
  GObject  parent_instance;
  JcCsr   *csr;
  JcCert  *previous;
  GBytes  *signature;
};

G_DEFINE_FINAL_TYPE (JcRotationRequest, jc_rotation_request, G_TYPE_OBJECT)

static void
jc_rotation_request_finalize (GObject *object)
{
  JcRotationRequest *self = JC_ROTATION_REQUEST (object);

  g_clear_object (&self->csr);
  g_clear_object (&self->previous);
  g_clear_pointer (&self->signature, g_bytes_unref);
  G_OBJECT_CLASS (jc_rotation_request_parent_class)->finalize (object);
}

static void
jc_rotation_request_class_init (JcRotationRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_rotation_request_finalize;
}

static void
jc_rotation_request_init (JcRotationRequest *self)
{
}

static void
signed_hash (JcCsr *csr, JcCert *previous, guint8 out[32])
{
  g_autoptr(GBytes) csr_der = jc_csr_get_der (csr);
  g_autoptr(GBytes) prev_der = jc_cert_get_der (previous);
  GBytes *parts[] = { csr_der, prev_der };

  jc_pki_request_digest (ROTATION_TAG, parts, G_N_ELEMENTS (parts), out);
}

JcRotationRequest *
jc_rotation_request_new (JcNodeKey *previous_key, JcCert *previous_cert, JcNodeKey *new_key,
                         GError **error)
{
  g_autoptr(JcRotationRequest) self = g_object_new (JC_TYPE_ROTATION_REQUEST, NULL);
  g_autoptr(JcNodeIdentity) id = NULL;
  guint8 h[32];

  g_return_val_if_fail (JC_IS_NODE_KEY (previous_key), NULL);
  g_return_val_if_fail (JC_IS_CERT (previous_cert), NULL);
  g_return_val_if_fail (JC_IS_NODE_KEY (new_key), NULL);
  if (g_strcmp0 (jc_node_key_get_id (previous_key), jc_cert_get_key_id (previous_cert)) != 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The previous key is not the key of the previous certificate"));
      return NULL;
    }
  if (g_strcmp0 (jc_node_key_get_id (previous_key), jc_node_key_get_id (new_key)) == 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("A rotation needs a new key, not the previous one"));
      return NULL;
    }
  id = jc_cert_get_identity (previous_cert);
  self->csr = jc_csr_new (new_key, id, jc_cert_get_roles (previous_cert), error);
  if (self->csr == NULL)
    return NULL;
  self->previous = g_object_ref (previous_cert);
  signed_hash (self->csr, self->previous, h);
  self->signature = jc_node_key_sign_hash (previous_key, h, sizeof h, error);
  if (self->signature == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

JcCsr *jc_rotation_request_get_csr (JcRotationRequest *req) { return req->csr; }
JcCert *jc_rotation_request_get_previous (JcRotationRequest *req) { return req->previous; }

char *
jc_rotation_request_to_json (JcRotationRequest *req)
{
  g_autofree char *csr = jc_csr_to_pem (req->csr);
  g_autofree char *prev = jc_cert_to_pem (req->previous);
  g_autofree char *sig = jc_base64url_encode (g_bytes_get_data (req->signature, NULL),
                                              g_bytes_get_size (req->signature));

  return jc_pki_json_write ("joconde-rotation-request", "csr", csr,
                            "previous_certificate", prev, "signature", sig, NULL);
}

JcRotationRequest *
jc_rotation_request_new_from_json (const char *json, gssize len, GError **error)
{
  g_autoptr(JcRotationRequest) self = g_object_new (JC_TYPE_ROTATION_REQUEST, NULL);
  JsonObject *o = NULL;
  g_autoptr(JsonParser) parser = jc_pki_json_parse (json, len, 256 * 1024,
                                                    "joconde-rotation-request", &o, error);
  const char *csr, *prev, *sig;

  if (parser == NULL)
    return NULL;
  csr = jc_pki_json_get_string (o, "csr");
  prev = jc_pki_json_get_string (o, "previous_certificate");
  sig = jc_pki_json_get_string (o, "signature");
  if (csr == NULL || prev == NULL || sig == NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The rotation request lacks csr, previous_certificate or signature"));
      return NULL;
    }
  self->csr = jc_csr_new_from_pem (csr, -1, error);
  if (self->csr == NULL)
    return NULL;
  self->previous = jc_cert_new_from_pem (prev, -1, error);
  if (self->previous == NULL)
    {
      g_prefix_error (error, _("Previous certificate: "));
      return NULL;
    }
  self->signature = jc_base64url_decode (sig, error);
  if (self->signature == NULL)
    {
      g_prefix_error (error, _("Rotation request signature: "));
      return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
jc_rotation_request_verify (JcRotationRequest *req, JcCert *issuer, gint64 at, GError **error)
{
  g_autoptr(JcNodeIdentity) prev_id = NULL;
  g_autofree char *who = NULL;
  guint8 h[32];

  g_return_val_if_fail (JC_IS_ROTATION_REQUEST (req), FALSE);
  who = jc_cert_describe (req->previous);
  if (!jc_cert_is_signed_by (req->previous, issuer))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("Rotation refused: the previous certificate of %s was not issued by “%s”"),
                   who, jc_cert_get_name (issuer));
      return FALSE;
    }
  if (!jc_cert_is_valid_at (req->previous, at))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("Rotation refused: the previous certificate of %s is not valid now; the "
                     "node needs a new certificate made by hand"), who);
      return FALSE;
    }
  signed_hash (req->csr, req->previous, h);
  if (!jc_cert_verify_hash (req->previous, h, sizeof h, g_bytes_get_data (req->signature, NULL),
                            g_bytes_get_size (req->signature), NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("Rotation refused: the request is not signed by the previous key of %s"), who);
      return FALSE;
    }
  if (g_strcmp0 (jc_csr_get_key_id (req->csr), jc_cert_get_key_id (req->previous)) == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Rotation refused: %s asks to keep its previous key"), who);
      return FALSE;
    }
  prev_id = jc_cert_get_identity (req->previous);
  if (!jc_node_identity_equal (prev_id, jc_csr_get_identity (req->csr)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Rotation refused: the new request of %s names another node"), who);
      return FALSE;
    }
  return TRUE;
}

JcCert *
jc_ca_issue_rotation (JcNodeKey *issuer_key, JcCert *issuer, JcRotationRequest *req,
                      const JcValidity *validity, gint64 at, GError **error)
{
  g_autoptr(JcNodeIdentity) id = NULL;
  JcValidity v;

  if (!jc_ca_check_issuer (issuer_key, issuer, error) ||
      !jc_rotation_request_verify (req, issuer, at, error))
    return NULL;
  id = jc_cert_get_identity (req->previous);
  jc_ca_clamp_validity (issuer, validity, &v);
  return jc_ca_make_cert (issuer_key, issuer, jc_csr_get_pubkey (req->csr), id,
                          jc_cert_get_roles (req->previous), &v, error);
}
