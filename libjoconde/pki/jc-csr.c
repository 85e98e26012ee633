#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-csr.h"
#include "jc-error.h"
#include "jc-pki-private.h"

struct _JcCsr
{
  GObject           parent_instance;
  gnutls_x509_crq_t crq;
  gnutls_pubkey_t   pub;
  GBytes           *der;
  JcNodeIdentity   *identity;
  JcRoles           roles;
  char             *key_id;
};

G_DEFINE_FINAL_TYPE (JcCsr, jc_csr, G_TYPE_OBJECT)

static void
jc_csr_finalize (GObject *object)
{
  JcCsr *self = JC_CSR (object);

  if (self->crq != NULL)
    gnutls_x509_crq_deinit (self->crq);
  if (self->pub != NULL)
    gnutls_pubkey_deinit (self->pub);
  g_clear_pointer (&self->der, g_bytes_unref);
  jc_node_identity_free (self->identity);
  g_free (self->key_id);
  G_OBJECT_CLASS (jc_csr_parent_class)->finalize (object);
}

static void
jc_csr_class_init (JcCsrClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_csr_finalize;
}

static void
jc_csr_init (JcCsr *self)
{
}

static gboolean
refuse_multiple (gboolean multiple, const char *field, GError **error)
{
  if (multiple)
    g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                 _("The request names more than one %s"), field);
  return !multiple;
}

/* Takes ownership of @crq and checks everything an issuer relies on. */
static JcCsr *
csr_new_take (gnutls_x509_crq_t crq, GError **error)
{
  g_autoptr(JcCsr) self = g_object_new (JC_TYPE_CSR, NULL);
  gnutls_datum_t der = { NULL, 0 };
  gboolean m1 = FALSE, m2 = FALSE, m3 = FALSE, m4 = FALSE;
  JcSanInfo san;
  char *email = NULL;
  int rc;

  self->crq = crq;
  rc = gnutls_x509_crq_verify (crq, 0);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_BAD_SIGNATURE, rc,
                           _("The certificate request is not signed by its own key"));
      return NULL;
    }
  gnutls_pubkey_init (&self->pub);
  rc = gnutls_pubkey_import_x509_crq (self->pub, crq, 0);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("The certificate request has no usable key"));
      return NULL;
    }
  if (!jc_gnutls_pubkey_is_p256 (self->pub))
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                           _("The certificate request's key is not an ECDSA P-256 key, the "
                             "only kind a node key can be"));
      return NULL;
    }
  self->key_id = jc_gnutls_pubkey_id_hex (self->pub, error);
  if (self->key_id == NULL)
    return NULL;

  self->identity = g_new0 (JcNodeIdentity, 1);
  self->identity->company = jc_pki_dn_get_crq (crq, GNUTLS_OID_X520_ORGANIZATION_NAME, &m1);
  self->identity->department = jc_pki_dn_get_crq (crq, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, &m2);
  self->identity->name = jc_pki_dn_get_crq (crq, GNUTLS_OID_X520_COMMON_NAME, &m3);
  jc_pki_san_read_crq (crq, &san);
  self->roles = san.roles;
  self->identity->hosts = jc_pki_san_info_steal_hosts (&san);
  email = g_steal_pointer (&san.email);
  if (email == NULL)
    email = jc_pki_dn_get_crq (crq, GNUTLS_OID_PKCS9_EMAIL, &m4);
  else
    m4 = san.n_email > 1;
  jc_pki_san_info_clear (&san);
  self->identity->email = email;
  if (!refuse_multiple (m1, _("company (O)"), error) ||
      !refuse_multiple (m2, _("department (OU)"), error) ||
      !refuse_multiple (m3, _("node name (CN)"), error) ||
      !refuse_multiple (m4, _("contact e-mail"), error))
    return NULL;
  if (!jc_node_identity_validate (self->identity, error))
    {
      g_prefix_error (error, _("Certificate request: "));
      return NULL;
    }
  rc = gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_DER, &der);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Unusable certificate request"));
      return NULL;
    }
  self->der = jc_gnutls_datum_steal_bytes (&der);
  return g_steal_pointer (&self);
}

static JcCsr *
csr_import (const guint8 *data, gsize len, gnutls_x509_crt_fmt_t fmt, GError **error)
{
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t d;
  int rc;

  if (len > JC_PKI_MAX_PEM_SIZE)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                           _("The certificate request is too large"));
      return NULL;
    }
  d.data = (guint8 *) data;
  d.size = (unsigned) len;
  gnutls_x509_crq_init (&crq);
  rc = gnutls_x509_crq_import (crq, &d, fmt);
  if (rc < 0)
    {
      gnutls_x509_crq_deinit (crq);
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Not a certificate request (PKCS#10)"));
      return NULL;
    }
  return csr_new_take (crq, error);
}

JcCsr *
jc_csr_new_from_pem (const char *pem, gssize len, GError **error)
{
  return csr_import ((const guint8 *) pem, len < 0 ? strlen (pem) : (gsize) len,
                     GNUTLS_X509_FMT_PEM, error);
}

JcCsr *
jc_csr_new_from_der (GBytes *der, GError **error)
{
  return csr_import (g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                     GNUTLS_X509_FMT_DER, error);
}

static int
set_dn (gnutls_x509_crq_t crq, const char *oid, const char *value)
{
  if (value == NULL || *value == '\0')
    return 0;
  return gnutls_x509_crq_set_dn_by_oid (crq, oid, 0, value, (unsigned) strlen (value));
}

JcCsr *
jc_csr_new (JcNodeKey *key, const JcNodeIdentity *identity, JcRoles requested_roles,
            GError **error)
{
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t der = { NULL, 0 };
  g_autoptr(GBytes) bytes = NULL;
  int rc;

  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  if (!jc_node_identity_validate (identity, error))
    return NULL;
  gnutls_x509_crq_init (&crq);
  rc = gnutls_x509_crq_set_version (crq, 1);
  if (rc >= 0) rc = set_dn (crq, GNUTLS_OID_X520_ORGANIZATION_NAME, identity->company);
  if (rc >= 0) rc = set_dn (crq, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, identity->department);
  if (rc >= 0) rc = set_dn (crq, GNUTLS_OID_X520_COMMON_NAME, identity->name);
  if (rc >= 0) rc = gnutls_x509_crq_set_pubkey (crq, jc_node_key_get_pubkey (key));
  if (rc >= 0)
    rc = gnutls_x509_crq_set_subject_alt_name (crq, GNUTLS_SAN_RFC822NAME, identity->email,
                                               (unsigned) strlen (identity->email),
                                               GNUTLS_FSAN_APPEND);
  if (rc >= 0)
    rc = jc_pki_san_add_hosts (jc_pki_san_append_crq, crq,
                               identity->hosts);
  for (guint bit = 0; rc >= 0 && bit < 31; bit++)
    if (requested_roles & (1u << bit) && jc_role_get_name (1u << bit) != NULL)
      {
        g_autofree char *uri = g_strconcat (JC_ROLE_URI_PREFIX, jc_role_get_name (1u << bit), NULL);
        rc = gnutls_x509_crq_set_subject_alt_name (crq, GNUTLS_SAN_URI, uri, (unsigned) strlen (uri),
                                                   GNUTLS_FSAN_APPEND);
      }
  if (rc >= 0)
    rc = gnutls_x509_crq_privkey_sign (crq, jc_node_key_get_privkey (key), GNUTLS_DIG_SHA256, 0);
  if (rc >= 0)
    rc = gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_DER, &der);
  gnutls_x509_crq_deinit (crq);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot make the certificate request"));
      return NULL;
    }
  bytes = jc_gnutls_datum_steal_bytes (&der);
  /* Re-read what was written, so a made CSR and a received one are the same object. */
  return jc_csr_new_from_der (bytes, error);
}

char *
jc_csr_to_pem (JcCsr *csr)
{
  gnutls_datum_t out = { NULL, 0 };

  g_return_val_if_fail (JC_IS_CSR (csr), NULL);
  if (gnutls_x509_crq_export2 (csr->crq, GNUTLS_X509_FMT_PEM, &out) < 0)
    return NULL;
  return jc_gnutls_datum_steal_string (&out);
}

GBytes *
jc_csr_get_der (JcCsr *csr)
{
  g_return_val_if_fail (JC_IS_CSR (csr), NULL);
  return g_bytes_ref (csr->der);
}

const JcNodeIdentity *
jc_csr_get_identity (JcCsr *csr)
{
  g_return_val_if_fail (JC_IS_CSR (csr), NULL);
  return csr->identity;
}

JcRoles
jc_csr_get_requested_roles (JcCsr *csr)
{
  g_return_val_if_fail (JC_IS_CSR (csr), JC_ROLE_NONE);
  return csr->roles;
}

const char *
jc_csr_get_key_id (JcCsr *csr)
{
  g_return_val_if_fail (JC_IS_CSR (csr), NULL);
  return csr->key_id;
}

gnutls_pubkey_t
jc_csr_get_pubkey (JcCsr *csr)
{
  g_return_val_if_fail (JC_IS_CSR (csr), NULL);
  return csr->pub;
}
