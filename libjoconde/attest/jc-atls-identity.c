#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <string.h>

#include "jc-atls-identity.h"
#include "jc-error.h"
#include "jc-gnutls-private.h"
#include "jc-secret.h"

static gboolean
gnutls_fail (int rc, const char *what, GError **error)
{
  if (rc >= 0)
    return TRUE;
  g_set_error (error, JC_ERROR, JC_ERROR_CRYPTO, _("Could not %s: %s"), what, gnutls_strerror (rc));
  return FALSE;
}

static gboolean
make_certificate (gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *common_name,
                  gint64 not_after, GError **error)
{
  guint8 serial[16];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* A positive 128-bit serial: RFC 5280 §4.1.2.2. */
  gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  return gnutls_fail (gnutls_x509_crt_set_version (crt, 3), _("set the certificate version"), error) &&
         gnutls_fail (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), _("set the serial"), error) &&
         gnutls_fail (gnutls_x509_crt_set_activation_time (crt, (time_t) (now - 3600)),
                      _("set the validity"), error) &&
         gnutls_fail (gnutls_x509_crt_set_expiration_time (crt, (time_t) MAX (not_after, now + 60)),
                      _("set the validity"), error) &&
         gnutls_fail (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, common_name,
                                                     strlen (common_name)), _("set the name"), error) &&
         gnutls_fail (gnutls_x509_crt_set_key (crt, key), _("set the key"), error) &&
         gnutls_fail (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), _("set the constraints"), error) &&
         gnutls_fail (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                      _("set the key usage"), error) &&
         gnutls_fail (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA512, 0),
                      _("self-sign the TLS certificate"), error);
}

GTlsCertificate *
jc_atls_identity_new (const char *common_name, gint64 not_after, GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t cert_pem = { NULL, 0 }, key_pem = { NULL, 0 };
  GTlsCertificate *result = NULL;
  g_autoptr(JcSecret) pem = NULL;

  if (!gnutls_fail (gnutls_x509_privkey_init (&key), _("create a key"), error) ||
      !gnutls_fail (gnutls_x509_privkey_generate (key, GNUTLS_PK_EDDSA_ED25519, 0, 0),
                    _("generate an Ed25519 key"), error) ||
      !gnutls_fail (gnutls_x509_crt_init (&crt), _("create a certificate"), error) ||
      !make_certificate (crt, key, common_name, not_after, error) ||
      !gnutls_fail (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_pem),
                    _("export the certificate"), error) ||
      !gnutls_fail (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                       GNUTLS_PKCS_PLAIN, &key_pem),
                    _("export the key"), error))
    goto out;

  /* The PEM holding the private key goes through guarded memory and is wiped. */
  pem = jc_secret_new (cert_pem.size + key_pem.size + 1);
  memcpy (pem->data, cert_pem.data, cert_pem.size);
  memcpy (pem->data + cert_pem.size, key_pem.data, key_pem.size);
  result = g_tls_certificate_new_from_pem ((const char *) pem->data, cert_pem.size + key_pem.size,
                                           error);
out:
  jc_gnutls_datum_clear (&key_pem);
  gnutls_free (cert_pem.data);
  if (crt)
    gnutls_x509_crt_deinit (crt);
  if (key)
    gnutls_x509_privkey_deinit (key);
  return result;
}

gboolean
jc_atls_certificate_spki_hash (GTlsCertificate *certificate, guint8 hash[JC_ATLS_SPKI_HASH_SIZE],
                               GError **error)
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t in, spki = { NULL, 0 };
  gboolean ok = FALSE;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The TLS certificate has no DER form"));
      return FALSE;
    }
  in.data = der->data;
  in.size = der->len;
  if (gnutls_fail (gnutls_x509_crt_init (&crt), _("read the TLS certificate"), error) &&
      gnutls_fail (gnutls_x509_crt_import (crt, &in, GNUTLS_X509_FMT_DER),
                   _("read the TLS certificate"), error) &&
      gnutls_fail (gnutls_pubkey_init (&pub), _("read the TLS public key"), error) &&
      gnutls_fail (gnutls_pubkey_import_x509 (pub, crt, 0), _("read the TLS public key"), error) &&
      gnutls_fail (gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_DER, &spki),
                   _("export the TLS public key"), error))
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      gsize len = JC_ATLS_SPKI_HASH_SIZE;
      g_checksum_update (sum, spki.data, spki.size);
      g_checksum_get_digest (sum, hash, &len);
      ok = TRUE;
    }
  gnutls_free (spki.data);
  if (pub)
    gnutls_pubkey_deinit (pub);
  if (crt)
    gnutls_x509_crt_deinit (crt);
  return ok;
}
