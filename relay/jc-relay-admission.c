#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/jc-error.h"
#include "jc-net-frame.h"
#include "jc-net-sqlite-private.h"
#include "jc-net-tls.h"
#include "jc-relay-private.h"

/* Who may open a link to this relay: a direct child, i.e. a certificate that chains
 * to the System root, was issued by this relay's own certificate, is within its
 * validity and is not revoked (CRL file or 'joconde-relay revoke'). */

static void
crl_free (gpointer p)
{
  gnutls_x509_crl_deinit (p);
}

gboolean
jc_relay_admission_load_crls (JcRelay *relay, GError **error)
{
  g_autoptr(GPtrArray) crls = g_ptr_array_new_with_free_func (crl_free);
  const char *path = relay->config->crl_file;
  if (path)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GError) local = NULL;
      if (!g_file_get_contents (path, &data, &len, &local))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot read the CRL file %s: %s"),
                       path, local->message);
          return FALSE;
        }
      gnutls_datum_t d = { (unsigned char *) data, (unsigned int) len };
      gnutls_x509_crl_t *list = NULL;
      unsigned int n = 0;
      int rc = gnutls_x509_crl_list_import2 (&list, &n, &d, GNUTLS_X509_FMT_PEM, 0);
      if (rc < 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The CRL file %s is not valid: %s"),
                       path, gnutls_strerror (rc));
          return FALSE;
        }
      for (unsigned int i = 0; i < n; i++)
        {
          /* Only CRLs signed by this relay count: it is the issuer of its children. */
          g_autoptr(GByteArray) der = NULL;
          g_object_get (relay->identity, "certificate", &der, NULL);
          gnutls_x509_crt_t own = NULL;
          gnutls_datum_t od = { der->data, der->len };
          unsigned int status = 1;
          if (gnutls_x509_crt_init (&own) >= 0 &&
              gnutls_x509_crt_import (own, &od, GNUTLS_X509_FMT_DER) >= 0)
            gnutls_x509_crl_verify (list[i], &own, 1, 0, &status);
          if (own)
            gnutls_x509_crt_deinit (own);
          if (status != 0)
            {
              g_warning ("ignoring a CRL in %s that this relay did not sign", path);
              gnutls_x509_crl_deinit (list[i]);
              continue;
            }
          g_ptr_array_add (crls, list[i]);
        }
      gnutls_free (list);
    }
  if (relay->crls)
    g_ptr_array_unref (relay->crls);
  relay->crls = g_steal_pointer (&crls);
  return TRUE;
}

static gboolean
revoked_in_db (JcRelay *relay, const char *serial)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT 1 FROM revoked WHERE serial = ?", NULL);
  if (!st)
    return TRUE; /* cannot tell: refuse rather than admit */
  sqlite3_bind_text (st, 1, serial, -1, SQLITE_STATIC);
  return sqlite3_step (st) == SQLITE_ROW;
}

static gboolean
revoked_in_crl (JcRelay *relay, GTlsCertificate *peer)
{
  if (!relay->crls || relay->crls->len == 0)
    return FALSE;
  g_autoptr(GByteArray) der = NULL;
  g_object_get (peer, "certificate", &der, NULL);
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t d = { der->data, der->len };
  if (gnutls_x509_crt_init (&crt) < 0)
    return TRUE;
  gboolean revoked = TRUE;
  if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER) >= 0)
    revoked = gnutls_x509_crt_check_revocation (crt, (gnutls_x509_crl_t *) relay->crls->pdata,
                                                relay->crls->len) != 0;
  gnutls_x509_crt_deinit (crt);
  return revoked;
}

gboolean
jc_relay_admission_check (JcRelay *relay, GTlsCertificate *peer, GTlsCertificateFlags errors,
                          GError **error)
{
  if (!peer)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED, _("The client presented no certificate"));
      return FALSE;
    }
  errors &= ~G_TLS_CERTIFICATE_BAD_IDENTITY;
  if (errors & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The client's certificate is outside its validity period"));
      return FALSE;
    }
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_REVOKED, _("The client's certificate is revoked"));
      return FALSE;
    }
  if (errors)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The client's certificate does not chain to the System root (flags 0x%x)"),
                   errors);
      return FALSE;
    }
  gboolean ours = jc_net_tls_issued_by (peer, relay->identity);
  for (guint i = 0; !ours && relay->previous && i < relay->previous->len; i++)
    ours = jc_net_tls_issued_by (peer, relay->previous->pdata[i]);
  if (!ours)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The client's certificate was not issued by this relay; a node connects "
                     "to the relay that issued its certificate"));
      return FALSE;
    }
  g_autofree char *serial = jc_net_tls_serial (peer);
  if (!serial || revoked_in_db (relay, serial) || revoked_in_crl (relay, peer))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_REVOKED,
                   _("The client's certificate (serial %s) is revoked"), serial ? serial : "?");
      return FALSE;
    }
  g_autofree char *cn = jc_net_tls_common_name (peer);
  if (!jc_net_node_id_valid (cn))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The client's certificate has no usable node name"));
      return FALSE;
    }
  return TRUE;
}
