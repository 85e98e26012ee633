#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-crl.h"
#include "jc-ca-private.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-pki-private.h"

struct _JcCrl
{
  GObject           parent_instance;
  gnutls_x509_crl_t crl;
  GBytes           *der;
  GHashTable       *entries; /* serial hex -> gint64* revocation time */
  gint64            this_update, next_update;
};

G_DEFINE_FINAL_TYPE (JcCrl, jc_crl, G_TYPE_OBJECT)

static void
jc_crl_finalize (GObject *object)
{
  JcCrl *self = JC_CRL (object);

  if (self->crl != NULL)
    gnutls_x509_crl_deinit (self->crl);
  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  G_OBJECT_CLASS (jc_crl_parent_class)->finalize (object);
}

static void
jc_crl_class_init (JcCrlClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_crl_finalize;
}

static void
jc_crl_init (JcCrl *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static JcCrl *
crl_new_take (gnutls_x509_crl_t crl, GError **error)
{
  g_autoptr(JcCrl) self = g_object_new (JC_TYPE_CRL, NULL);
  gnutls_datum_t der = { NULL, 0 };
  int n, rc;

  self->crl = crl;
  self->this_update = gnutls_x509_crl_get_this_update (crl);
  self->next_update = gnutls_x509_crl_get_next_update (crl);
  n = gnutls_x509_crl_get_crt_count (crl);
  if (n < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, n, _("Unreadable revocation list"));
      return NULL;
    }
  for (int i = 0; i < n; i++)
    {
      guint8 serial[64];
      size_t size = sizeof serial;
      time_t t = 0;
      gint64 *when = g_new (gint64, 1);

      rc = gnutls_x509_crl_get_crt_serial (crl, (unsigned) i, serial, &size, &t);
      if (rc < 0)
        {
          g_free (when);
          jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Unreadable revocation list entry"));
          return NULL;
        }
      *when = t;
      g_hash_table_insert (self->entries, jc_hex_encode (serial, size), when);
    }
  rc = gnutls_x509_crl_export2 (crl, GNUTLS_X509_FMT_DER, &der);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Unusable revocation list"));
      return NULL;
    }
  self->der = jc_gnutls_datum_steal_bytes (&der);
  return g_steal_pointer (&self);
}

static JcCrl *
crl_import (const guint8 *data, gsize len, gnutls_x509_crt_fmt_t fmt, GError **error)
{
  gnutls_x509_crl_t crl = NULL;
  gnutls_datum_t d;
  int rc;

  if (len > JC_PKI_MAX_PEM_SIZE * 16)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_TOO_LARGE, _("The revocation list is too large"));
      return NULL;
    }
  d.data = (guint8 *) data;
  d.size = (unsigned) len;
  gnutls_x509_crl_init (&crl);
  rc = gnutls_x509_crl_import (crl, &d, fmt);
  if (rc < 0)
    {
      gnutls_x509_crl_deinit (crl);
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Not an X.509 revocation list"));
      return NULL;
    }
  return crl_new_take (crl, error);
}

JcCrl *
jc_crl_new_from_pem (const char *pem, gssize len, GError **error)
{
  return crl_import ((const guint8 *) pem, len < 0 ? strlen (pem) : (gsize) len,
                     GNUTLS_X509_FMT_PEM, error);
}

JcCrl *
jc_crl_new_from_der (GBytes *der, GError **error)
{
  return crl_import (g_bytes_get_data (der, NULL), g_bytes_get_size (der), GNUTLS_X509_FMT_DER,
                     error);
}

JcCrl *
jc_crl_new_signed (JcNodeKey *issuer_key, JcCert *issuer, const JcCrlEntry *entries,
                   guint n_entries, gint64 this_update, gint64 next_update, guint64 number,
                   GError **error)
{
  g_auto(gnutls_x509_crl_t) crl = NULL;
  guint8 id[64], num[8];
  size_t id_size = sizeof id;
  unsigned critical = 0;
  int rc;

  g_return_val_if_fail (JC_IS_NODE_KEY (issuer_key), NULL);
  g_return_val_if_fail (JC_IS_CERT (issuer), NULL);
  if (!jc_ca_check_issuer (issuer_key, issuer, error))
    return NULL;
  if (next_update <= this_update)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("A revocation list's next update must come after this update"));
      return NULL;
    }
  gnutls_x509_crl_init (&crl);
  rc = gnutls_x509_crl_set_version (crl, 2);
  if (rc >= 0) rc = gnutls_x509_crl_set_this_update (crl, (time_t) this_update);
  if (rc >= 0) rc = gnutls_x509_crl_set_next_update (crl, (time_t) next_update);
  for (guint i = 0; rc >= 0 && i < n_entries; i++)
    {
      g_autoptr(GBytes) serial = jc_hex_decode (entries[i].serial, error);

      if (serial == NULL)
        {
          g_prefix_error (error, _("Revoked serial number: "));
          return NULL;
        }
      rc = gnutls_x509_crl_set_crt_serial (crl, g_bytes_get_data (serial, NULL),
                                           g_bytes_get_size (serial), (time_t) entries[i].revoked_at);
    }
  if (rc >= 0 &&
      gnutls_x509_crt_get_subject_key_id (jc_cert_get_gnutls (issuer), id, &id_size, &critical) >= 0)
    rc = gnutls_x509_crl_set_authority_key_id (crl, id, id_size);
  for (int i = 0; i < 8; i++)
    num[i] = (guint8) (number >> (56 - 8 * i));
  if (rc >= 0) rc = gnutls_x509_crl_set_number (crl, num, sizeof num);
  if (rc >= 0)
    rc = gnutls_x509_crl_privkey_sign (crl, jc_cert_get_gnutls (issuer),
                                       jc_node_key_get_privkey (issuer_key), GNUTLS_DIG_SHA256, 0);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot make the revocation list"));
      return NULL;
    }
  /* As for certificates, a just-signed GnuTLS object does not answer every query
   * (issuer checks among them): re-read it from its encoding. */
  {
    gnutls_datum_t der = { NULL, 0 };
    JcCrl *out;

    rc = gnutls_x509_crl_export2 (crl, GNUTLS_X509_FMT_DER, &der);
    if (rc < 0)
      {
        jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot make the revocation list"));
        return NULL;
      }
    out = crl_import (der.data, der.size, GNUTLS_X509_FMT_DER, error);
    gnutls_free (der.data);
    return out;
  }
}

char *
jc_crl_to_pem (JcCrl *crl)
{
  gnutls_datum_t out = { NULL, 0 };

  g_return_val_if_fail (JC_IS_CRL (crl), NULL);
  if (gnutls_x509_crl_export2 (crl->crl, GNUTLS_X509_FMT_PEM, &out) < 0)
    return NULL;
  return jc_gnutls_datum_steal_string (&out);
}

GBytes *jc_crl_get_der (JcCrl *crl) { return g_bytes_ref (crl->der); }
gint64 jc_crl_get_this_update (JcCrl *crl) { return crl->this_update; }
gint64 jc_crl_get_next_update (JcCrl *crl) { return crl->next_update; }
guint jc_crl_get_n_entries (JcCrl *crl) { return g_hash_table_size (crl->entries); }

gboolean
jc_crl_verify (JcCrl *crl, JcCert *issuer, GError **error)
{
  gnutls_x509_crt_t ca = jc_cert_get_gnutls (issuer);
  unsigned status = 0;
  int rc;

  g_return_val_if_fail (JC_IS_CRL (crl), FALSE);
  if (!gnutls_x509_crl_check_issuer (crl->crl, ca))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The revocation list was not issued by “%s”"), jc_cert_get_name (issuer));
      return FALSE;
    }
  rc = gnutls_x509_crl_verify (crl->crl, &ca, 1,
                               GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                               GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status);
  if (rc < 0 || status != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The revocation list claiming to come from “%s” has a bad signature"),
                   jc_cert_get_name (issuer));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_crl_lookup (JcCrl *crl, const char *serial, gint64 *revoked_at)
{
  gint64 *when = g_hash_table_lookup (crl->entries, serial);

  if (when != NULL && revoked_at != NULL)
    *revoked_at = *when;
  return when != NULL;
}
