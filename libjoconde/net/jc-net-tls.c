#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/jc-encoding.h"
#include "base/jc-error.h"
#include "jc-net-tls.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

GTlsCertificate *
jc_net_tls_load_identity (const char *cert_file, const char *key_file, GError **error)
{
  g_autoptr(GError) local = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_files (cert_file, key_file, &local);
  if (!cert)
    g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                 _("Cannot load this node's certificate %s and key %s: %s"),
                 cert_file, key_file, local->message);
  return cert;
}

static gnutls_x509_crt_t
to_gnutls (GTlsCertificate *cert)
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t crt = NULL;
  g_object_get (cert, "certificate", &der, NULL);
  if (!der)
    return NULL;
  gnutls_datum_t d = { der->data, der->len };
  if (gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crt_deinit (crt);
      return NULL;
    }
  return crt;
}

static char *
dn_cn (gnutls_x509_crt_t crt, gboolean issuer)
{
  char buf[256];
  size_t size = sizeof buf - 1;
  int rc = issuer
    ? gnutls_x509_crt_get_issuer_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size)
    : gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size);
  if (rc < 0)
    return NULL;
  buf[size] = '\0';
  return g_strdup (buf);
}

char *
jc_net_tls_common_name (GTlsCertificate *cert)
{
  g_auto(gnutls_x509_crt_t) crt = to_gnutls (cert);
  return crt ? dn_cn (crt, FALSE) : NULL;
}

char *
jc_net_tls_issuer_common_name (GTlsCertificate *cert)
{
  g_auto(gnutls_x509_crt_t) crt = to_gnutls (cert);
  return crt ? dn_cn (crt, TRUE) : NULL;
}

char *
jc_net_tls_serial (GTlsCertificate *cert)
{
  g_auto(gnutls_x509_crt_t) crt = to_gnutls (cert);
  guint8 serial[64];
  size_t size = sizeof serial;
  if (!crt || gnutls_x509_crt_get_serial (crt, serial, &size) < 0)
    return NULL;
  /* Written as a number: lowercase hex without leading zeros, whatever the DER padding. */
  g_autofree char *hex = jc_hex_encode (serial, size);
  const char *p = hex;
  while (p[0] == '0' && p[1])
    p++;
  return g_strdup (p);
}

char *
jc_net_tls_pem (GTlsCertificate *cert)
{
  char *pem = NULL;
  g_object_get (cert, "certificate-pem", &pem, NULL);
  return pem;
}

gboolean
jc_net_tls_issued_by (GTlsCertificate *cert, GTlsCertificate *issuer)
{
  g_auto(gnutls_x509_crt_t) c = to_gnutls (cert);
  g_auto(gnutls_x509_crt_t) i = to_gnutls (issuer);
  unsigned int status = 0;
  if (!c || !i || !gnutls_x509_crt_check_issuer (c, i))
    return FALSE;
  if (gnutls_x509_crt_verify (c, &i, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status) < 0)
    return FALSE;
  return status == 0;
}

/* TRUE when chain_pem[0] (a node) is a descendant of ancestor: every certificate
 * is signed by the next one, and ancestor signed the last one before it. This is
 * how a relay checks that a route announced by a child is really in its subtree. */
gboolean
jc_net_tls_chain_contains (const char *const *chain_pem, GTlsCertificate *ancestor,
                           char **leaf_cn, GError **error)
{
  g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; chain_pem && chain_pem[i]; i++)
    {
      GTlsCertificate *c = g_tls_certificate_new_from_pem (chain_pem[i], -1, NULL);
      if (!c)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("A certificate in the announced chain cannot be read"));
          return FALSE;
        }
      g_ptr_array_add (certs, c);
    }
  for (guint i = 0; i < certs->len; i++)
    {
      GTlsCertificate *c = certs->pdata[i];
      if (g_tls_certificate_is_same (c, ancestor))
        {
          if (i == 0)
            break; /* the ancestor itself is not its own descendant */
          if (leaf_cn)
            *leaf_cn = jc_net_tls_common_name (certs->pdata[0]);
          return TRUE;
        }
      GTlsCertificate *next = i + 1 < certs->len ? certs->pdata[i + 1] : ancestor;
      if (!jc_net_tls_issued_by (c, next))
        break;
      if (next == ancestor)
        {
          if (leaf_cn)
            *leaf_cn = jc_net_tls_common_name (certs->pdata[0]);
          return TRUE;
        }
    }
  g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
               _("The announced node is not in the subtree of the child that announced it"));
  return FALSE;
}
