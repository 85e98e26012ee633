#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "jc-error.h"
#include "jc-gnutls-private.h"
#include "jc-signer-cert.h"
#include "jc-time.h"

static char *
dn_text (gnutls_x509_crt_t crt, gboolean issuer)
{
  gnutls_datum_t d = { NULL, 0 };
  int rc = issuer ? gnutls_x509_crt_get_issuer_dn3 (crt, &d, 0) : gnutls_x509_crt_get_dn3 (crt, &d, 0);

  return rc < 0 ? g_strdup ("") : jc_gnutls_datum_steal_string (&d);
}

static char *
fingerprint_text (GBytes *der)
{
  guint8 digest[32];
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (der, &len);
  GString *s = g_string_new (NULL);

  gnutls_hash_fast (GNUTLS_DIG_SHA256, data, len, digest);
  for (gsize i = 0; i < sizeof digest; i++)
    g_string_append_printf (s, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (s, FALSE);
}

JcSignerCert *
jc_signer_cert_new_from_der (GBytes *der, GError **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (der, &len);
  gnutls_datum_t d = { (unsigned char *) data, (unsigned int) len };
  unsigned int usage = 0, critical = 0;
  int rc;

  gnutls_x509_crt_init (&crt);
  if (len == 0 || len > G_MAXUINT || (rc = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER)) < 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The signer’s certificate is not a valid X.509 certificate"));
      return NULL;
    }
  JcSignerCert *cert = g_new0 (JcSignerCert, 1);
  cert->subject = dn_text (crt, FALSE);
  cert->issuer = dn_text (crt, TRUE);
  cert->not_before = gnutls_x509_crt_get_activation_time (crt);
  cert->not_after = gnutls_x509_crt_get_expiration_time (crt);
  cert->der = g_bytes_ref (der);
  cert->fingerprint = fingerprint_text (der);
  if (gnutls_x509_crt_get_key_usage (crt, &usage, &critical) >= 0)
    cert->key_usage = usage;
  return cert;
}

JcSignerCert *
jc_signer_cert_copy (const JcSignerCert *cert)
{
  JcSignerCert *c = g_new0 (JcSignerCert, 1);

  *c = *cert;
  c->subject = g_strdup (cert->subject);
  c->issuer = g_strdup (cert->issuer);
  c->fingerprint = g_strdup (cert->fingerprint);
  c->der = g_bytes_ref (cert->der);
  c->token_label = g_strdup (cert->token_label);
  c->cert_url = g_strdup (cert->cert_url);
  c->key_url = g_strdup (cert->key_url);
  return c;
}

void
jc_signer_cert_free (JcSignerCert *cert)
{
  if (cert == NULL)
    return;
  g_free (cert->subject);
  g_free (cert->issuer);
  g_free (cert->fingerprint);
  g_clear_pointer (&cert->der, g_bytes_unref);
  g_free (cert->token_label);
  g_free (cert->cert_url);
  g_free (cert->key_url);
  g_free (cert);
}

gboolean
jc_signer_cert_can_sign_at (const JcSignerCert *cert, gint64 at, GError **error)
{
  if (at < cert->not_before || at > cert->not_after)
    {
      g_autofree char *from = jc_time_format (cert->not_before);
      g_autofree char *until = jc_time_format (cert->not_after);
      g_autofree char *when = jc_time_format (at);
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The certificate of %s is valid from %s until %s, not at %s"),
                   cert->subject, from, until, when);
      return FALSE;
    }
  if (cert->key_usage != 0
      && !(cert->key_usage & (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The certificate of %s is not for signing documents (its key usage allows "
                     "neither digital signatures nor non-repudiation)"), cert->subject);
      return FALSE;
    }
  return TRUE;
}

char *
jc_signer_cert_describe (const JcSignerCert *cert)
{
  g_autofree char *from = jc_time_format (cert->not_before);
  g_autofree char *until = jc_time_format (cert->not_after);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, _("Subject: %s\n"), cert->subject);
  g_string_append_printf (s, _("Issuer: %s\n"), cert->issuer);
  g_string_append_printf (s, _("Valid: from %s until %s\n"), from, until);
  g_string_append_printf (s, _("SHA-256 fingerprint: %s"), cert->fingerprint);
  return g_string_free (s, FALSE);
}
