#define G_LOG_DOMAIN "joconde-agreement"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "jc-doc.h"
#include "jc-error.h"
#include "jc-gnutls-private.h"
#include "jc-signatory-cms.h"
#include "jc-time.h"

/* RFC 5652 §5.1 id-signedData (1.2.840.113549.1.7.2) and §11.2 id-messageDigest. */
static const guint8 signed_data_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                          0x01, 0x07, 0x02 };
#define MESSAGE_DIGEST_OID "1.2.840.113549.1.9.4"
/* How far a signing time may lie ahead of this clock before it is refused. */
#define CLOCK_SKEW_SECONDS 300

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs7_t, gnutls_pkcs7_deinit, NULL)

gboolean
jc_signatory_cms_file_is_cms (const JcFile *file)
{
  gsize len = 0;
  const guint8 *p = file->content ? g_bytes_get_data (file->content, &len) : NULL;
  gsize skip;

  if (file->media_type && (g_ascii_strcasecmp (file->media_type, "application/pkcs7-signature") == 0
                           || g_ascii_strcasecmp (file->media_type, "application/pkcs7-mime") == 0))
    return TRUE;
  /* A DER or BER SEQUENCE, its length in one to five bytes, then the signedData OID. */
  if (len < 2 || p[0] != 0x30)
    return FALSE;
  skip = p[1] <= 0x80 ? 2 : 2 + (p[1] & 0x7f);
  return p[1] <= 0x84 && len >= skip + sizeof signed_data_oid
         && memcmp (p + skip, signed_data_oid, sizeof signed_data_oid) == 0;
}

JcFile *
jc_signatory_cms_file_new (GBytes *cms, const char *peer)
{
  g_autofree char *name = g_strdup_printf ("signature-%s.p7s", peer);
  return jc_file_new (name, JC_SIGNATORY_CMS_MEDIA_TYPE, cms);
}

static void
set_token_error (GError **error, int rc, const JcSignerCert *cert)
{
  switch (rc)
    {
    case GNUTLS_E_PKCS11_PIN_ERROR:
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The PIN of the security token “%s” is wrong"), cert->token_label);
      break;
    case GNUTLS_E_PKCS11_PIN_LOCKED:
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The security token “%s” is locked after too many wrong PINs; unlock it "
                     "with its PUK or ask whoever issued it"), cert->token_label);
      break;
    case GNUTLS_E_PKCS11_PIN_EXPIRED:
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The PIN of the security token “%s” has expired; change it first"),
                   cert->token_label);
      break;
    default:
      {
        g_autofree char *m = g_strdup_printf (_("Cannot sign with the security token “%s”"),
                                              cert->token_label);
        jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, m);
      }
    }
}

GBytes *
jc_signatory_cms_sign (const JcSignerCert *cert, const JcSecret *pin, JsonNode *ctsa,
                       GError **error)
{
  g_auto(gnutls_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_pkcs7_t) p7 = NULL;
  gnutls_datum_t out = { NULL, 0 };
  gsize len = 0;
  int rc;

  if (!jc_signer_cert_can_sign_at (cert, jc_time_now (), error))
    return NULL;
  g_autoptr(GBytes) canonical = jc_doc_canonicalize (ctsa, error);
  if (canonical == NULL)
    return NULL;
  const guint8 *data = g_bytes_get_data (canonical, &len);
  gnutls_datum_t content = { (unsigned char *) data, (unsigned int) len };
  const guint8 *der = g_bytes_get_data (cert->der, &len);
  gnutls_datum_t der_datum = { (unsigned char *) der, (unsigned int) len };

  gnutls_privkey_init (&key);
  gnutls_x509_crt_init (&crt);
  gnutls_pkcs7_init (&p7);
  /* The PIN stays in PIN (guarded memory); the callback copies it into GnuTLS's buffer. */
  gnutls_privkey_set_pin_function (key, jc_gnutls_pin_callback, (gpointer) pin);
  if ((rc = gnutls_privkey_import_pkcs11_url (key, cert->key_url)) < 0)
    {
      if (rc == GNUTLS_E_PKCS11_PIN_ERROR || rc == GNUTLS_E_PKCS11_PIN_LOCKED
          || rc == GNUTLS_E_PKCS11_PIN_EXPIRED)
        set_token_error (error, rc, cert);
      else
        {
          g_autofree char *m = g_strdup_printf (_("Cannot open the private key of the "
                                                  "certificate “%s” in the security token"),
                                                cert->subject);
          jc_gnutls_set_error (error, JC_ERROR_NOT_FOUND, rc, m);
        }
      return NULL;
    }
  if ((rc = gnutls_x509_crt_import (crt, &der_datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("The signer’s certificate is not valid"));
      return NULL;
    }
  rc = gnutls_pkcs7_sign (p7, crt, key, &content, NULL, NULL, GNUTLS_DIG_SHA256,
                          GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT);
  if (rc < 0)
    {
      set_token_error (error, rc, cert);
      return NULL;
    }
  if ((rc = gnutls_pkcs7_export2 (p7, GNUTLS_X509_FMT_DER, &out)) < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot write the signature"));
      return NULL;
    }
  g_autoptr(GBytes) cms = jc_gnutls_datum_steal_bytes (&out);
  /* A token whose key does not match its certificate would produce a signature that no
   * one can verify: find out now, not at the root. */
  g_autoptr(JcSignerCert) check = jc_signatory_cms_verify (cms, ctsa, NULL, error);
  return check ? g_steal_pointer (&cms) : NULL;
}

/* The certificate among those the CMS carries that INFO names (issuer and serial
 * number, or subject key identifier). */
static JcSignerCert *
find_signer (gnutls_pkcs7_t p7, const gnutls_pkcs7_signature_info_st *info, GError **error)
{
  int count = gnutls_pkcs7_get_crt_count (p7);

  for (int i = 0; i < count; i++)
    {
      g_auto(gnutls_x509_crt_t) crt = NULL;
      gnutls_datum_t raw = { NULL, 0 }, issuer = { NULL, 0 };
      guint8 serial[64], keyid[64];
      size_t serial_len = sizeof serial, keyid_len = sizeof keyid;
      gboolean match = FALSE;

      if (gnutls_pkcs7_get_crt_raw2 (p7, i, &raw) < 0)
        continue;
      g_autoptr(GBytes) der = jc_gnutls_datum_steal_bytes (&raw);
      gnutls_datum_t d = { (unsigned char *) g_bytes_get_data (der, NULL),
                           (unsigned int) g_bytes_get_size (der) };
      gnutls_x509_crt_init (&crt);
      if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER) < 0)
        continue;
      if (info->issuer_keyid.size > 0)
        match = gnutls_x509_crt_get_subject_key_id (crt, keyid, &keyid_len, NULL) >= 0
                && keyid_len == info->issuer_keyid.size
                && memcmp (keyid, info->issuer_keyid.data, keyid_len) == 0;
      else if (gnutls_x509_crt_get_raw_issuer_dn (crt, &issuer) >= 0)
        {
          match = issuer.size == info->issuer_dn.size
                  && memcmp (issuer.data, info->issuer_dn.data, issuer.size) == 0
                  && gnutls_x509_crt_get_serial (crt, serial, &serial_len) >= 0
                  && serial_len == info->signer_serial.size
                  && memcmp (serial, info->signer_serial.data, serial_len) == 0;
          gnutls_free (issuer.data);
        }
      if (match)
        return jc_signer_cert_new_from_der (der, error);
    }
  g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The signature does not carry the signer’s certificate"));
  return NULL;
}

/* TRUE when the signed messageDigest attribute is the digest of CONTENT: tells "signed
 * another document" apart from "altered". */
static gboolean
digest_matches (const gnutls_pkcs7_signature_info_st *info, gnutls_digest_algorithm_t dig,
                const gnutls_datum_t *content)
{
  guint8 digest[64];
  unsigned int size = gnutls_hash_get_len (dig);

  if (size == 0 || size > sizeof digest
      || gnutls_hash_fast (dig, content->data, content->size, digest) < 0)
    return FALSE;
  for (unsigned int i = 0;; i++)
    {
      char *oid = NULL; /* points into the list: not to be freed */
      gnutls_datum_t value = { NULL, 0 };
      if (gnutls_pkcs7_get_attr (info->signed_attrs, i, &oid, &value,
                                 GNUTLS_PKCS7_ATTR_ENCODE_OCTET_STRING) < 0)
        return FALSE;
      gboolean found = g_strcmp0 (oid, MESSAGE_DIGEST_OID) == 0;
      gboolean equal = found && value.size == size && memcmp (value.data, digest, size) == 0;
      gnutls_free (value.data);
      if (found)
        return equal;
    }
}

static JcSignerCert *
verify_info (gnutls_pkcs7_t p7, const gnutls_pkcs7_signature_info_st *info,
             const gnutls_datum_t *content, GError **error)
{
  gnutls_digest_algorithm_t dig = gnutls_sign_get_hash_algorithm (info->algo);
  if (dig != GNUTLS_DIG_SHA256 && dig != GNUTLS_DIG_SHA384 && dig != GNUTLS_DIG_SHA512)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The signature uses the algorithm %s; JOCONDE accepts signatures with "
                     "SHA-256, SHA-384 or SHA-512"), gnutls_sign_get_name (info->algo)
                   ? gnutls_sign_get_name (info->algo) : "?");
      return NULL;
    }
  if (info->signing_time == (time_t) -1)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The signature has no signing time"));
      return NULL;
    }
  g_autoptr(JcSignerCert) signer = find_signer (p7, info, error);
  if (signer == NULL)
    return NULL;
  if (!digest_matches (info, dig, content))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The signature by %s is over another document than this addendum"),
                   signer->subject);
      return NULL;
    }
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t d = { (unsigned char *) g_bytes_get_data (signer->der, NULL),
                       (unsigned int) g_bytes_get_size (signer->der) };
  g_auto(gnutls_pubkey_t) pub = NULL;
  gnutls_x509_crt_init (&crt);
  gnutls_pubkey_init (&pub);
  /* A key GnuTLS cannot read is refused here: GnuTLS 3.7's verifier leaks on that path. */
  if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER) < 0
      || gnutls_pubkey_import_x509 (pub, crt, 0) < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The public key in the certificate of %s cannot be read"), signer->subject);
      return NULL;
    }
  /* Validity is checked below against the signing time, not against today. */
  if (gnutls_pkcs7_verify_direct (p7, crt, 0, content,
                                     GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                     GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS) < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The signature by %s does not verify: it was altered after signing"),
                   signer->subject);
      return NULL;
    }
  if (!jc_signer_cert_can_sign_at (signer, info->signing_time, error))
    return NULL;
  if (info->signing_time > jc_time_now () + CLOCK_SKEW_SECONDS)
    {
      g_autofree char *when = jc_time_format (info->signing_time);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The signature by %s claims a signing time in the future (%s)"),
                   signer->subject, when);
      return NULL;
    }
  return g_steal_pointer (&signer);
}

JcSignerCert *
jc_signatory_cms_verify (GBytes *cms, JsonNode *ctsa, gint64 *signing_time, GError **error)
{
  g_auto(gnutls_pkcs7_t) p7 = NULL;
  gnutls_pkcs7_signature_info_st info, extra;
  gnutls_datum_t embedded = { NULL, 0 };
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (cms, &len);

  if (len > JC_SIGNATORY_CMS_MAX_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("The signature file is larger than %u KiB"),
                   (guint) (JC_SIGNATORY_CMS_MAX_SIZE >> 10));
      return NULL;
    }
  gnutls_datum_t der = { (unsigned char *) data, (unsigned int) len };
  gnutls_pkcs7_init (&p7);
  if (len == 0 || gnutls_pkcs7_import (p7, &der, GNUTLS_X509_FMT_DER) < 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The signature file is not a CMS/PKCS#7 signature"));
      return NULL;
    }
  if (gnutls_pkcs7_get_embedded_data (p7, 0, &embedded) >= 0)
    {
      gnutls_free (embedded.data);
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The signature holds the signed document inside it; JOCONDE "
                             "expects a detached signature of the addendum"));
      return NULL;
    }
  if (gnutls_pkcs7_get_signature_info (p7, 0, &info) < 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The CMS/PKCS#7 file holds no signature"));
      return NULL;
    }
  if (gnutls_pkcs7_get_signature_info (p7, 1, &extra) >= 0)
    {
      gnutls_pkcs7_signature_info_deinit (&extra);
      gnutls_pkcs7_signature_info_deinit (&info);
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The CMS/PKCS#7 file holds several signatures; a signatory "
                             "signature has exactly one signer"));
      return NULL;
    }
  g_autoptr(GBytes) canonical = jc_doc_canonicalize (ctsa, error);
  JcSignerCert *signer = NULL;
  if (canonical != NULL)
    {
      gnutls_datum_t content = { (unsigned char *) g_bytes_get_data (canonical, NULL),
                                 (unsigned int) g_bytes_get_size (canonical) };
      signer = verify_info (p7, &info, &content, error);
      if (signer && signing_time)
        *signing_time = info.signing_time;
    }
  gnutls_pkcs7_signature_info_deinit (&info);
  return signer;
}
