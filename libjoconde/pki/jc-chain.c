#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-chain.h"
#include "jc-error.h"
#include "jc-pki-private.h"
#include "jc-time.h"

const char *
jc_chain_status_to_string (JcChainStatus status)
{
  switch (status)
    {
    case JC_CHAIN_OK: return "ok";
    case JC_CHAIN_MALFORMED: return "malformed";
    case JC_CHAIN_UNKNOWN_ISSUER: return "unknown-issuer";
    case JC_CHAIN_BAD_SIGNATURE: return "bad-signature";
    case JC_CHAIN_NOT_CA: return "not-ca";
    case JC_CHAIN_EXPIRED: return "expired";
    case JC_CHAIN_NOT_YET_VALID: return "not-yet-valid";
    case JC_CHAIN_REVOKED: return "revoked";
    case JC_CHAIN_ROLE_MISSING: return "role-missing";
    default: return "unknown";
    }
}

static JcChainStatus
fail (GError **error, JcChainStatus status, int code, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static JcChainStatus
fail (GError **error, JcChainStatus status, int code, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, JC_ERROR, code, msg);
  return status;
}

static JcChainStatus
check_time (JcCert *cert, gint64 at, GError **error)
{
  g_autofree char *who = jc_cert_describe (cert);

  if (at < jc_cert_get_not_before (cert))
    {
      g_autofree char *when = jc_time_format (jc_cert_get_not_before (cert));
      return fail (error, JC_CHAIN_NOT_YET_VALID, JC_ERROR_EXPIRED,
                   _("The certificate of %s is not valid before %s"), who, when);
    }
  if (at > jc_cert_get_not_after (cert))
    {
      g_autofree char *when = jc_time_format (jc_cert_get_not_after (cert));
      return fail (error, JC_CHAIN_EXPIRED, JC_ERROR_EXPIRED,
                   _("The certificate of %s expired on %s"), who, when);
    }
  return JC_CHAIN_OK;
}

/* One link: @cert issued by @issuer. */
static JcChainStatus
check_link (JcCert *cert, JcCert *issuer, gboolean issuer_is_root, GError **error)
{
  gnutls_x509_crt_t crt = jc_cert_get_gnutls (cert);
  gnutls_x509_crt_t ca = jc_cert_get_gnutls (issuer);
  g_autofree char *who = jc_cert_describe (cert);
  unsigned status = 0;

  if (!gnutls_x509_crt_check_issuer (crt, ca))
    {
      if (issuer_is_root)
        return fail (error, JC_CHAIN_UNKNOWN_ISSUER, JC_ERROR_UNTRUSTED,
                     _("The certificate of %s was issued by “%s”, not by the trusted root “%s”: "
                       "it belongs to another certificate tree"),
                     who, jc_cert_get_issuer_name (cert) ? jc_cert_get_issuer_name (cert) : "?",
                     jc_cert_get_name (issuer) ? jc_cert_get_name (issuer) : "?");
      return fail (error, JC_CHAIN_UNKNOWN_ISSUER, JC_ERROR_UNTRUSTED,
                   _("The certificate of %s was issued by “%s”, but the next certificate of "
                     "the chain is “%s”"),
                   who, jc_cert_get_issuer_name (cert) ? jc_cert_get_issuer_name (cert) : "?",
                   jc_cert_get_name (issuer) ? jc_cert_get_name (issuer) : "?");
    }
  if (!jc_cert_is_ca (issuer))
    return fail (error, JC_CHAIN_NOT_CA, JC_ERROR_UNTRUSTED,
                 _("“%s” issued the certificate of %s but is not a certificate authority"),
                 jc_cert_get_name (issuer), who);
  if (gnutls_x509_crt_verify (crt, &ca, 1,
                              GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                              GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status) < 0 ||
      status != 0)
    {
      if (status & GNUTLS_CERT_SIGNER_NOT_CA)
        return fail (error, JC_CHAIN_NOT_CA, JC_ERROR_UNTRUSTED,
                     _("“%s” issued the certificate of %s but may not sign certificates"),
                     jc_cert_get_name (issuer), who);
      if (status == 0 || (status & GNUTLS_CERT_SIGNATURE_FAILURE))
        return fail (error, JC_CHAIN_BAD_SIGNATURE, JC_ERROR_BAD_SIGNATURE,
                     _("The certificate of %s names “%s” as issuer, but its signature was not "
                       "made by that issuer's key"), who, jc_cert_get_name (issuer));
      {
        /* Anything else (an insecure algorithm, a constraint): say what GnuTLS found. */
        gnutls_datum_t text = { NULL, 0 };
        g_autofree char *why = NULL;

        gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &text, 0);
        why = jc_gnutls_datum_steal_string (&text);
        return fail (error, JC_CHAIN_BAD_SIGNATURE, JC_ERROR_BAD_SIGNATURE,
                     _("The certificate of %s cannot be verified with the key of “%s”: %s"),
                     who, jc_cert_get_name (issuer), why);
      }
    }
  return JC_CHAIN_OK;
}

JcChainStatus
jc_chain_verify (GPtrArray *chain, JcCert *root, gint64 at, JcRevocations *revocations,
                 JcRoles required_roles, GError **error)
{
  guint n;
  JcChainStatus st;
  JcCert *leaf;

  g_return_val_if_fail (JC_IS_CERT (root), JC_CHAIN_MALFORMED);
  n = chain ? chain->len : 0;
  if (n > 0 && jc_cert_equal (g_ptr_array_index (chain, n - 1), root))
    n--; /* the chain carried the root itself */
  if (n == 0)
    return fail (error, JC_CHAIN_MALFORMED, JC_ERROR_UNTRUSTED,
                 _("The certificate chain is empty (a node certificate is needed, not only the root)"));
  if (n > JC_CHAIN_MAX_DEPTH)
    return fail (error, JC_CHAIN_MALFORMED, JC_ERROR_UNTRUSTED,
                 _("The certificate chain is too long (%u certificates; at most %d)"),
                 n, JC_CHAIN_MAX_DEPTH);

  st = check_time (root, at, error);
  if (st != JC_CHAIN_OK)
    {
      g_prefix_error (error, _("Trusted root: "));
      return st;
    }
  /* From the root down, so the reported problem is the one nearest the trust anchor. */
  for (guint i = n; i-- > 0;)
    {
      JcCert *cert = g_ptr_array_index (chain, i);
      JcCert *issuer = i + 1 < n ? g_ptr_array_index (chain, i + 1) : root;
      gint64 when = 0;

      st = check_link (cert, issuer, issuer == root, error);
      if (st == JC_CHAIN_OK)
        st = check_time (cert, at, error);
      if (st != JC_CHAIN_OK)
        return st;
      if (revocations != NULL && jc_revocations_is_cert_revoked (revocations, cert, issuer, at, &when))
        {
          g_autofree char *who = jc_cert_describe (cert);
          g_autofree char *date = jc_time_format (when);
          return fail (error, JC_CHAIN_REVOKED, JC_ERROR_REVOKED,
                       _("The certificate of %s was revoked on %s"), who, date);
        }
    }
  leaf = g_ptr_array_index (chain, 0);
  if (!jc_cert_has_roles (leaf, required_roles))
    {
      g_autofree char *missing = jc_roles_to_string (required_roles & ~jc_cert_get_roles (leaf));
      g_autofree char *who = jc_cert_describe (leaf);
      return fail (error, JC_CHAIN_ROLE_MISSING, JC_ERROR_DENIED,
                   _("The node %s does not have the role(s) %s"), who, missing);
    }
  return JC_CHAIN_OK;
}
