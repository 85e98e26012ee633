#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-ca.h"
#include "jc-ca-private.h"
#include "jc-error.h"
#include "jc-pki-private.h"

static gint64
add_months (gint64 t, guint months)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) later = dt ? g_date_time_add_months (dt, (gint) months) : NULL;

  return later ? g_date_time_to_unix (later) : t;
}

void
jc_validity_init_months (JcValidity *v, gint64 now, guint active_months, guint passive_months)
{
  v->not_before = now - JC_PKI_BACKDATE_SECONDS;
  v->active_until = add_months (now, active_months);
  v->not_after = add_months (now, active_months + passive_months);
}

void
jc_validity_init_root (JcValidity *v, gint64 now)
{
  v->not_before = now - JC_PKI_BACKDATE_SECONDS;
  v->not_after = add_months (now, 12 * JC_PKI_ROOT_YEARS);
  v->active_until = v->not_after;
}

static int
set_dn (gnutls_x509_crt_t crt, const char *oid, const char *value)
{
  if (value == NULL || *value == '\0')
    return 0;
  return gnutls_x509_crt_set_dn_by_oid (crt, oid, 0, value, (unsigned) strlen (value));
}

static int
set_key_ids (gnutls_x509_crt_t crt, gnutls_pubkey_t pub, gnutls_x509_crt_t issuer)
{
  guint8 id[64];
  size_t size = sizeof id;
  int rc;

  rc = gnutls_pubkey_get_key_id (pub, GNUTLS_KEYID_USE_SHA1, id, &size);
  if (rc >= 0)
    rc = gnutls_x509_crt_set_subject_key_id (crt, id, size);
  if (rc < 0)
    return rc;
  if (issuer != NULL)
    {
      size = sizeof id;
      unsigned critical = 0;
      rc = gnutls_x509_crt_get_subject_key_id (issuer, id, &size, &critical);
      if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return 0; /* a foreign issuer without SKI: leave AKI out */
    }
  if (rc >= 0)
    rc = gnutls_x509_crt_set_authority_key_id (crt, id, size);
  return rc;
}

/* Builds and signs a certificate; the one place that writes the profile (docs/pki.md). */
JcCert *
jc_ca_make_cert (JcNodeKey *signer, JcCert *issuer, gnutls_pubkey_t subject_key,
                 const JcNodeIdentity *id, JcRoles roles, const JcValidity *validity,
                 GError **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_x509_crt_t issuer_crt = issuer ? jc_cert_get_gnutls (issuer) : NULL;
  guint8 serial[16];
  int rc;

  if (!jc_node_identity_validate (id, error))
    return NULL;
  if (validity->not_before >= validity->not_after ||
      validity->active_until <= validity->not_before ||
      validity->active_until > validity->not_after)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The validity period is empty or its active part lies outside it"));
      return NULL;
    }
  /* 128 random bits, positive and without a leading zero byte (RFC 5280 §4.1.2.2). */
  randombytes_buf (serial, sizeof serial);
  serial[0] = (serial[0] & 0x7f) | 0x40;

  gnutls_x509_crt_init (&crt);
  rc = gnutls_x509_crt_set_version (crt, 3);
  if (rc >= 0) rc = gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  if (rc >= 0) rc = gnutls_x509_crt_set_activation_time (crt, (time_t) validity->not_before);
  if (rc >= 0) rc = gnutls_x509_crt_set_expiration_time (crt, (time_t) validity->not_after);
  if (rc >= 0) rc = set_dn (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, id->company);
  if (rc >= 0) rc = set_dn (crt, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, id->department);
  if (rc >= 0) rc = set_dn (crt, GNUTLS_OID_X520_COMMON_NAME, id->name);
  if (rc >= 0) rc = gnutls_x509_crt_set_pubkey (crt, subject_key);
  /* Every node is a CA for its children; no path length limit (docs/pki.md). */
  if (rc >= 0) rc = gnutls_x509_crt_set_basic_constraints (crt, 1, -1);
  if (rc >= 0)
    rc = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                             GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
  if (rc >= 0 && issuer != NULL)
    {
      rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
      if (rc >= 0)
        rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0);
    }
  if (rc >= 0) rc = set_key_ids (crt, subject_key, issuer_crt);
  if (rc >= 0)
    rc = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_RFC822NAME, id->email,
                                               (unsigned) strlen (id->email), GNUTLS_FSAN_APPEND);
  if (rc >= 0)
    rc = jc_pki_san_add_hosts (jc_pki_san_append_crt, crt, id->hosts);
  for (guint bit = 0; rc >= 0 && bit < 31; bit++)
    if ((roles & (1u << bit)) && jc_role_get_name (1u << bit) != NULL)
      {
        g_autofree char *uri = g_strconcat (JC_ROLE_URI_PREFIX, jc_role_get_name (1u << bit), NULL);
        rc = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_URI, uri,
                                                   (unsigned) strlen (uri), GNUTLS_FSAN_APPEND);
      }
  if (rc >= 0 && issuer != NULL && validity->active_until < validity->not_after)
    rc = gnutls_x509_crt_set_private_key_usage_period (crt, (time_t) validity->not_before,
                                                       (time_t) validity->active_until);
  if (rc >= 0)
    rc = gnutls_x509_crt_privkey_sign (crt, issuer_crt ? issuer_crt : crt,
                                       jc_node_key_get_privkey (signer), GNUTLS_DIG_SHA256, 0);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot make the certificate"));
      return NULL;
    }
  return jc_cert_new_take (g_steal_pointer (&crt), error);
}

JcCert *
jc_ca_create_root (JcNodeKey *key, const JcNodeIdentity *identity, const JcValidity *validity,
                   GError **error)
{
  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  return jc_ca_make_cert (key, NULL, jc_node_key_get_pubkey (key), identity, JC_ROLE_NONE,
                          validity, error);
}

gboolean
jc_ca_check_issuer (JcNodeKey *issuer_key, JcCert *issuer, GError **error)
{
  if (g_strcmp0 (jc_node_key_get_id (issuer_key), jc_cert_get_key_id (issuer)) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The signing key is not the key of the issuer certificate “%s”"),
                   jc_cert_get_name (issuer));
      return FALSE;
    }
  if (!jc_cert_is_ca (issuer))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The certificate “%s” is not a CA and cannot issue certificates"),
                   jc_cert_get_name (issuer));
      return FALSE;
    }
  return TRUE;
}

void
jc_ca_clamp_validity (JcCert *issuer, const JcValidity *in, JcValidity *out)
{
  *out = *in;
  out->not_after = MIN (out->not_after, jc_cert_get_not_after (issuer));
  out->active_until = MIN (out->active_until, out->not_after);
}

JcCert *
jc_ca_issue (JcNodeKey *issuer_key, JcCert *issuer, JcCsr *csr, JcRoles roles,
             const JcValidity *validity, GError **error)
{
  JcValidity v;

  g_return_val_if_fail (JC_IS_NODE_KEY (issuer_key), NULL);
  g_return_val_if_fail (JC_IS_CERT (issuer), NULL);
  g_return_val_if_fail (JC_IS_CSR (csr), NULL);
  if (!jc_ca_check_issuer (issuer_key, issuer, error))
    return NULL;
  if (g_strcmp0 (jc_csr_get_key_id (csr), jc_cert_get_key_id (issuer)) == 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The request carries the issuer's own key; a node needs a key of its own"));
      return NULL;
    }
  if (jc_csr_get_identity (csr)->hosts != NULL && !(roles & JC_ROLE_RELAY))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The request of “%s” lists host names, which only a relay's certificate "
                     "may carry; grant the relay role or ask for a request without hosts"),
                   jc_csr_get_identity (csr)->name);
      return NULL;
    }
  jc_ca_clamp_validity (issuer, validity, &v);
  return jc_ca_make_cert (issuer_key, issuer, jc_csr_get_pubkey (csr), jc_csr_get_identity (csr),
                          roles, &v, error);
}
