#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-attest-x509.h"
#include "jc-error.h"
#include "jc-intel-roots.h"
#include "jc-tdx-private.h"

/* Revocation of the PCK chain through Intel's CRLs (PCS "PCK CRL" for the PCK Platform or
 * Processor CA, and the Intel SGX Root CA's CRL), when the caller supplies them. */

static gboolean
load_crl (GBytes *data, const char *what, gnutls_x509_crl_t *out, GError **error)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (data, &len);
  gnutls_datum_t datum = { (unsigned char *) d, (unsigned) len };
  gboolean pem = len >= 10 && memcmp (d, "-----BEGIN", 10) == 0;
  gnutls_x509_crl_init (out);
  if (len == 0 || len > 4 * 1024 * 1024
      || gnutls_x509_crl_import (*out, &datum, pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crl_deinit (*out);
      *out = NULL;
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The %s is not a readable CRL"), what);
      return FALSE;
    }
  return TRUE;
}

/* The CRL is issued and signed by issuer, current at `at`, and does not list cert. */
static gboolean
check_one (GBytes *data, const char *what, gnutls_x509_crt_t issuer, gnutls_x509_crt_t cert,
           const char *cert_what, gint64 at, GError **error)
{
  gnutls_x509_crl_t crl = NULL;
  gboolean ok = FALSE;
  unsigned status = 0;

  if (!load_crl (data, what, &crl, error))
    return FALSE;
  if (!jc_x509_crl_issued_by_name (crl, issuer))
    {
      g_autofree char *cn = jc_x509_common_name (issuer);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED, _("The %s was not issued by %s"), what, cn);
      goto out;
    }
  /* GnuTLS judges a CRL's dates against the wall clock even with time checks disabled
   * (REVOCATION_DATA_SUPERSEDED / ISSUED_IN_FUTURE); the dates are checked below against
   * `at`, so only the other reasons (a bad signature, an issuer that may not sign CRLs)
   * count here. */
  const unsigned time_bits = GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED
                             | GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE;
  if (gnutls_x509_crl_verify (crl, &issuer, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status) < 0
      || (status & ~(time_bits | GNUTLS_CERT_INVALID)) != 0
      || ((status & GNUTLS_CERT_INVALID) && !(status & time_bits)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE, _("The %s's signature does not verify"),
                   what);
      goto out;
    }
  time_t this_update = gnutls_x509_crl_get_this_update (crl);
  time_t next_update = gnutls_x509_crl_get_next_update (crl);
  if (!jc_x509_period_holds (this_update, next_update, at))
    {
      g_autofree char *f = jc_x509_format_time (this_update);
      g_autofree char *u = jc_x509_format_time (next_update);
      g_autofree char *a = jc_x509_format_time ((time_t) at);
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The %s is valid from %s to %s, not at %s: fetch a current one"), what, f, u, a);
      goto out;
    }
  if (gnutls_x509_crt_check_revocation (cert, &crl, 1) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_REVOKED, _("The %s is revoked (listed in the %s)"),
                   cert_what, what);
      goto out;
    }
  ok = TRUE;
out:
  gnutls_x509_crl_deinit (crl);
  return ok;
}

gboolean
jc_tdx_crl_check (const JcTdxCollateral *collateral, gnutls_x509_crt_t pck,
                  gnutls_x509_crt_t pck_ca, gint64 at, GError **error)
{
  gboolean ok = TRUE;
  if (collateral->root_crl)
    {
      JcX509List root = { 0 };
      ok = jc_x509_list_add_pem (&root, jc_intel_roots_sgx_root_ca_pem (), "Intel SGX Root CA", error)
           && check_one (collateral->root_crl, _("Intel SGX Root CA CRL"), root.crts[0], pck_ca,
                         _("PCK CA certificate"), at, error);
      jc_x509_list_clear (&root);
    }
  if (ok && collateral->pck_crl)
    ok = check_one (collateral->pck_crl, _("PCK CRL"), pck_ca, pck, _("PCK certificate"), at, error);
  return ok;
}
