#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "jc-attest-x509.h"
#include "jc-error.h"
#include "jc-gnutls-private.h"

void
jc_x509_list_clear (JcX509List *list)
{
  for (guint i = 0; i < list->n; i++)
    gnutls_x509_crt_deinit (list->crts[i]);
  g_clear_pointer (&list->crts, g_free);
  list->n = 0;
}

static void
list_append (JcX509List *list, gnutls_x509_crt_t crt)
{
  list->crts = g_renew (gnutls_x509_crt_t, list->crts, list->n + 1);
  list->crts[list->n++] = crt;
}

gboolean
jc_x509_list_add_data (JcX509List *list, const guint8 *data, gsize len, const char *what,
                       GError **error)
{
  gnutls_datum_t d = { (unsigned char *) data, (unsigned) len };
  gboolean pem = FALSE;
  for (gsize i = 0; i + 10 <= len && !pem; i++)
    pem = memcmp (data + i, "-----BEGIN", 10) == 0;

  if (len == 0 || len > 1024 * 1024)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The %s is not a certificate (empty or too large)"), what);
      return FALSE;
    }
  if (pem)
    {
      gnutls_x509_crt_t *crts = NULL;
      unsigned n = 0;
      int rc = gnutls_x509_crt_list_import2 (&crts, &n, &d, GNUTLS_X509_FMT_PEM, 0);
      if (rc < 0 || n == 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The %s is not a readable PEM certificate list: %s"), what,
                       gnutls_strerror (rc));
          return FALSE;
        }
      for (unsigned i = 0; i < n; i++)
        list_append (list, crts[i]);
      gnutls_free (crts);
      return TRUE;
    }
  gnutls_x509_crt_t crt;
  gnutls_x509_crt_init (&crt);
  int rc = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER);
  if (rc < 0)
    {
      gnutls_x509_crt_deinit (crt);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The %s is not a readable DER certificate: %s"), what, gnutls_strerror (rc));
      return FALSE;
    }
  list_append (list, crt);
  return TRUE;
}

gboolean
jc_x509_list_add_pem (JcX509List *list, const char *pem, const char *what, GError **error)
{
  return jc_x509_list_add_data (list, (const guint8 *) pem, strlen (pem), what, error);
}

char *
jc_x509_common_name (gnutls_x509_crt_t crt)
{
  char buf[256];
  size_t size = sizeof buf;
  if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) < 0)
    return g_strdup ("");
  return g_strndup (buf, size);
}

static gboolean
datum_equal (const gnutls_datum_t *a, const gnutls_datum_t *b)
{
  return a->size == b->size && memcmp (a->data, b->data, a->size) == 0;
}

/* IDN, an issuer name just read (RC the result of reading it), is ISSUER's own name.
 * Frees IDN. */
static gboolean
names_issuer (int rc, gnutls_datum_t *idn, gnutls_x509_crt_t issuer)
{
  gnutls_datum_t sdn = { 0 };
  gboolean same = rc >= 0 && gnutls_x509_crt_get_raw_dn (issuer, &sdn) >= 0
                  && datum_equal (idn, &sdn);
  gnutls_free (idn->data);
  gnutls_free (sdn.data);
  return same;
}

gboolean
jc_x509_issued_by_name (gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
  gnutls_datum_t idn = { 0 };
  int rc = gnutls_x509_crt_get_raw_issuer_dn (crt, &idn);
  return names_issuer (rc, &idn, issuer);
}

gboolean
jc_x509_crl_issued_by_name (gnutls_x509_crl_t crl, gnutls_x509_crt_t issuer)
{
  gnutls_datum_t idn = { 0 };
  int rc = gnutls_x509_crl_get_raw_issuer_dn (crl, &idn);
  return names_issuer (rc, &idn, issuer);
}

gboolean
jc_x509_is_self_issued (gnutls_x509_crt_t crt)
{
  return jc_x509_issued_by_name (crt, crt);
}

gboolean
jc_x509_equal (gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
  return gnutls_x509_crt_equals (a, b) != 0;
}

gboolean
jc_x509_check_signed_by (gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const char *what,
                         const char *issuer_what, GError **error)
{
  unsigned status = 0;
  /* Validity periods are checked separately against the policy's time, so GnuTLS must not
   * consult the wall clock. */
  unsigned flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS;
  int rc = gnutls_x509_crt_verify (crt, &issuer, 1, flags, &status);
  if (rc < 0 || status != 0)
    {
      gnutls_datum_t out = { 0 };
      if (rc >= 0)
        gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &out, 0);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The %s is not validly signed by the %s (%s)"), what, issuer_what,
                   rc < 0 ? gnutls_strerror (rc) : (const char *) out.data);
      gnutls_free (out.data);
      return FALSE;
    }
  return TRUE;
}

char *
jc_x509_format_time (time_t t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("?");
}

gboolean
jc_x509_period_holds (time_t from, time_t until, gint64 at)
{
  return from != (time_t) -1 && until != (time_t) -1 && at >= from && at <= until;
}

gboolean
jc_x509_check_time (gnutls_x509_crt_t crt, gint64 at, const char *what, GError **error)
{
  time_t from = gnutls_x509_crt_get_activation_time (crt);
  time_t until = gnutls_x509_crt_get_expiration_time (crt);
  if (!jc_x509_period_holds (from, until, at))
    {
      g_autofree char *f = jc_x509_format_time (from);
      g_autofree char *u = jc_x509_format_time (until);
      g_autofree char *a = jc_x509_format_time ((time_t) at);
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The %s is valid from %s to %s, not at %s"), what, f, u, a);
      return FALSE;
    }
  return TRUE;
}

GBytes *
jc_x509_extension (gnutls_x509_crt_t crt, const char *oid)
{
  gnutls_datum_t out = { 0 };
  unsigned critical = 0;
  if (gnutls_x509_crt_get_extension_by_oid2 (crt, oid, 0, &out, &critical) < 0)
    return NULL;
  return jc_gnutls_datum_steal_bytes (&out);
}

gboolean
jc_x509_ecdsa_verify (gnutls_pubkey_t key, gnutls_sign_algorithm_t algo, const guint8 *data,
                      gsize data_len, const guint8 *r, const guint8 *s, gsize n)
{
  gnutls_datum_t dr = { (unsigned char *) r, (unsigned) n };
  gnutls_datum_t ds = { (unsigned char *) s, (unsigned) n };
  gnutls_datum_t sig = { 0 };
  gnutls_datum_t msg = { (unsigned char *) data, (unsigned) data_len };
  if (gnutls_encode_rs_value (&sig, &dr, &ds) < 0)
    return FALSE;
  int rc = gnutls_pubkey_verify_data2 (key, algo, 0, &msg, &sig);
  gnutls_free (sig.data);
  return rc >= 0;
}

gboolean
jc_der_read (const guint8 **p, const guint8 *end, guint8 tag, const guint8 **value,
             gsize *value_len)
{
  const guint8 *q = *p;
  gsize len;
  if (end - q < 2 || q[0] != tag)
    return FALSE;
  q++;
  if (*q < 0x80)
    len = *q++;
  else
    {
      guint nb = *q++ & 0x7f;
      if (nb == 0 || nb > 3 || (gsize) (end - q) < nb)
        return FALSE;
      len = 0;
      for (guint i = 0; i < nb; i++)
        len = (len << 8) | *q++;
    }
  if ((gsize) (end - q) < len)
    return FALSE;
  *value = q;
  *value_len = len;
  *p = q + len;
  return TRUE;
}

gboolean
jc_der_uint (const guint8 *value, gsize len, guint32 *out)
{
  if (len == 0 || (value[0] & 0x80))
    return FALSE;
  while (len > 1 && value[0] == 0)
    value++, len--;
  if (len > 4)
    return FALSE;
  guint32 v = 0;
  for (gsize i = 0; i < len; i++)
    v = (v << 8) | value[i];
  *out = v;
  return TRUE;
}
