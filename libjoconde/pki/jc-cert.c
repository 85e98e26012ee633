#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-node-key.h"
#include "jc-pki-private.h"

struct _JcCert
{
  GObject           parent_instance;
  gnutls_x509_crt_t crt;
  gnutls_pubkey_t   pub;
  GBytes           *der;
  char             *name, *company, *department, *email, *issuer_name;
  char             *serial, *sha256, *key_id;
  char            **hosts;
  JcRoles           roles;
  gboolean          is_ca;
  gint64            not_before, not_after, active_until;
};

G_DEFINE_FINAL_TYPE (JcCert, jc_cert, G_TYPE_OBJECT)

static void
jc_cert_finalize (GObject *object)
{
  JcCert *self = JC_CERT (object);

  if (self->crt != NULL)
    gnutls_x509_crt_deinit (self->crt);
  if (self->pub != NULL)
    gnutls_pubkey_deinit (self->pub);
  g_clear_pointer (&self->der, g_bytes_unref);
  g_free (self->name);
  g_free (self->company);
  g_free (self->department);
  g_free (self->email);
  g_free (self->issuer_name);
  g_free (self->serial);
  g_free (self->sha256);
  g_free (self->key_id);
  g_strfreev (self->hosts);
  G_OBJECT_CLASS (jc_cert_parent_class)->finalize (object);
}

static void
jc_cert_class_init (JcCertClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_cert_finalize;
}

static void
jc_cert_init (JcCert *self)
{
}

/* GnuTLS's get-by-oid functions share one shape; this reads index @i as UTF-8 text. */
typedef int (*DnGetter) (void *obj, const char *oid, unsigned indx, unsigned raw,
                         void *buf, size_t *size);

static char *
dn_get (DnGetter get, void *obj, const char *oid, unsigned indx)
{
  size_t size = 0;
  char *buf;

  if (get (obj, oid, indx, 0, NULL, &size) != GNUTLS_E_SHORT_MEMORY_BUFFER)
    return NULL;
  buf = g_malloc0 (size + 1);
  if (get (obj, oid, indx, 0, buf, &size) < 0)
    {
      g_free (buf);
      return NULL;
    }
  return buf;
}

static char *
dn_get_checked (DnGetter get, void *obj, const char *oid, gboolean *multiple)
{
  char *v = dn_get (get, obj, oid, 0);
  g_autofree char *second = v ? dn_get (get, obj, oid, 1) : NULL;

  if (multiple)
    *multiple = second != NULL;
  return v;
}

/* Typed adapters, so GnuTLS's getters are called through their own types. */
static int
crt_dn (void *o, const char *oid, unsigned i, unsigned raw, void *buf, size_t *size)
{
  return gnutls_x509_crt_get_dn_by_oid (o, oid, i, raw, buf, size);
}

static int
crt_issuer_dn (void *o, const char *oid, unsigned i, unsigned raw, void *buf, size_t *size)
{
  return gnutls_x509_crt_get_issuer_dn_by_oid (o, oid, i, raw, buf, size);
}

static int
crq_dn (void *o, const char *oid, unsigned i, unsigned raw, void *buf, size_t *size)
{
  return gnutls_x509_crq_get_dn_by_oid (o, oid, i, raw, buf, size);
}

static int
crt_san (void *o, unsigned seq, void *buf, size_t *size, unsigned *type, unsigned *critical)
{
  return gnutls_x509_crt_get_subject_alt_name2 (o, seq, buf, size, type, critical);
}

static int
crq_san (void *o, unsigned seq, void *buf, size_t *size, unsigned *type, unsigned *critical)
{
  return gnutls_x509_crq_get_subject_alt_name (o, seq, buf, size, type, critical);
}

char *
jc_pki_dn_get_crt (gnutls_x509_crt_t crt, const char *oid, gboolean *multiple)
{
  return dn_get_checked (crt_dn, crt, oid, multiple);
}

char *
jc_pki_dn_get_crq (gnutls_x509_crq_t crq, const char *oid, gboolean *multiple)
{
  return dn_get_checked (crq_dn, crq, oid, multiple);
}

static void
san_note (int type, const char *value, size_t len, JcSanInfo *out)
{
  if (type == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16))
    {
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_bytes ((const guint8 *) value,
                                                                  len == 4 ? G_SOCKET_FAMILY_IPV4
                                                                           : G_SOCKET_FAMILY_IPV6);
      g_ptr_array_add (out->hosts, g_inet_address_to_string (ip));
      return;
    }
  if (memchr (value, '\0', len) != NULL)
    return; /* an embedded NUL: never trust such a name */
  if (type == GNUTLS_SAN_RFC822NAME)
    {
      if (out->n_email == 0)
        out->email = g_strndup (value, len);
      out->n_email++;
    }
  else if (type == GNUTLS_SAN_DNSNAME)
    g_ptr_array_add (out->hosts, g_strndup (value, len));
  else if (type == GNUTLS_SAN_URI && len > strlen (JC_ROLE_URI_PREFIX) &&
           strncmp (value, JC_ROLE_URI_PREFIX, strlen (JC_ROLE_URI_PREFIX)) == 0)
    {
      g_autofree char *name = g_strndup (value + strlen (JC_ROLE_URI_PREFIX),
                                         len - strlen (JC_ROLE_URI_PREFIX));
      out->roles |= jc_role_from_name (name);
    }
}

typedef int (*SanGetter) (void *obj, unsigned seq, void *buf, size_t *size, unsigned *type,
                          unsigned *critical);

static void
san_read (SanGetter get, void *obj, JcSanInfo *out)
{
  memset (out, 0, sizeof *out);
  out->hosts = g_ptr_array_new_with_free_func (g_free);
  for (unsigned seq = 0; seq < 256; seq++)
    {
      char buf[1024];
      size_t size = sizeof buf;
      unsigned type = 0, critical = 0;
      int rc = get (obj, seq, buf, &size, &type, &critical);

      if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (rc < 0)
        continue; /* too long or odd: not one of ours */
      san_note ((int) type, buf, size, out);
    }
}

void
jc_pki_san_read_crt (gnutls_x509_crt_t crt, JcSanInfo *out)
{
  san_read (crt_san, crt, out);
}

void
jc_pki_san_read_crq (gnutls_x509_crq_t crq, JcSanInfo *out)
{
  san_read (crq_san, crq, out);
}

void
jc_pki_san_info_clear (JcSanInfo *info)
{
  g_clear_pointer (&info->email, g_free);
  g_clear_pointer (&info->hosts, g_ptr_array_unref);
}

char **
jc_pki_san_info_steal_hosts (JcSanInfo *info)
{
  if (info->hosts == NULL || info->hosts->len == 0)
    return NULL;
  g_ptr_array_add (info->hosts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&info->hosts), FALSE);
}

int
jc_pki_san_append_crt (void *obj, gnutls_x509_subject_alt_name_t type, const void *data,
                       unsigned size, unsigned flags)
{
  return gnutls_x509_crt_set_subject_alt_name (obj, type, data, size, flags);
}

int
jc_pki_san_append_crq (void *obj, gnutls_x509_subject_alt_name_t type, const void *data,
                       unsigned size, unsigned flags)
{
  return gnutls_x509_crq_set_subject_alt_name (obj, type, data, size, flags);
}

int
jc_pki_san_add_hosts (JcSanAppend append, void *obj, char **hosts)
{
  int rc = 0;

  for (guint i = 0; rc >= 0 && hosts != NULL && hosts[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (hosts[i]);

      if (ip != NULL)
        rc = append (obj, GNUTLS_SAN_IPADDRESS, g_inet_address_to_bytes (ip),
                     (unsigned) g_inet_address_get_native_size (ip), GNUTLS_FSAN_APPEND);
      else
        rc = append (obj, GNUTLS_SAN_DNSNAME, hosts[i], (unsigned) strlen (hosts[i]),
                     GNUTLS_FSAN_APPEND);
    }
  return rc;
}

static char *
sha256_hex (const void *data, gsize len)
{
  guint8 d[32];

  gnutls_hash_fast (GNUTLS_DIG_SHA256, data, len, d);
  return jc_hex_encode (d, sizeof d);
}

static JcCert *
cert_new_parsed (gnutls_x509_crt_t crt, GError **error)
{
  g_autoptr(JcCert) self = g_object_new (JC_TYPE_CERT, NULL);
  gnutls_datum_t der = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  unsigned critical = 0, ca = 0;
  int pathlen = -1;
  JcSanInfo san;
  time_t pk_start = 0, pk_end = 0;
  int rc;

  self->crt = crt;
  rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Unusable certificate"));
      return NULL;
    }
  self->der = jc_gnutls_datum_steal_bytes (&der);
  self->sha256 = sha256_hex (g_bytes_get_data (self->der, NULL), g_bytes_get_size (self->der));

  gnutls_pubkey_init (&self->pub);
  rc = gnutls_pubkey_import_x509 (self->pub, crt, 0);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Certificate with an unusable public key"));
      return NULL;
    }
  self->key_id = jc_gnutls_pubkey_id_hex (self->pub, error);
  if (self->key_id == NULL)
    return NULL;
  rc = gnutls_x509_crt_get_serial (crt, serial, &serial_size);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Certificate without a usable serial number"));
      return NULL;
    }
  self->serial = jc_hex_encode (serial, serial_size);

  self->name = jc_pki_dn_get_crt (crt, GNUTLS_OID_X520_COMMON_NAME, NULL);
  self->company = jc_pki_dn_get_crt (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, NULL);
  self->department = jc_pki_dn_get_crt (crt, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, NULL);
  self->issuer_name = dn_get (crt_issuer_dn, crt,
                              GNUTLS_OID_X520_COMMON_NAME, 0);
  jc_pki_san_read_crt (crt, &san);
  self->email = g_steal_pointer (&san.email);
  self->roles = san.roles;
  self->hosts = jc_pki_san_info_steal_hosts (&san);
  jc_pki_san_info_clear (&san);
  self->is_ca = gnutls_x509_crt_get_basic_constraints (crt, &critical, &ca, &pathlen) > 0 && ca;

  self->not_before = gnutls_x509_crt_get_activation_time (crt);
  self->not_after = gnutls_x509_crt_get_expiration_time (crt);
  if (self->not_before == -1 || self->not_after == -1)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("Certificate with an unreadable validity period"));
      return NULL;
    }
  self->active_until = self->not_after;
  if (gnutls_x509_crt_get_private_key_usage_period (crt, &pk_start, &pk_end, &critical) >= 0 &&
      pk_end != (time_t) -1 && pk_end < self->not_after)
    self->active_until = pk_end;
  return g_steal_pointer (&self);
}

/* A certificate object GnuTLS has just built and signed does not answer every query
 * (its extensions are read back from the encoding): re-read it from DER. */
JcCert *
jc_cert_new_take (gnutls_x509_crt_t crt, GError **error)
{
  gnutls_datum_t der = { NULL, 0 };
  g_autoptr(GBytes) bytes = NULL;
  int rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der);

  gnutls_x509_crt_deinit (crt);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Unusable certificate"));
      return NULL;
    }
  bytes = jc_gnutls_datum_steal_bytes (&der);
  return jc_cert_new_from_der (bytes, error);
}

JcCert *
jc_cert_new_from_der (GBytes *der, GError **error)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t d;
  int rc;

  d.data = (guint8 *) g_bytes_get_data (der, NULL);
  d.size = (unsigned) g_bytes_get_size (der);
  gnutls_x509_crt_init (&crt);
  rc = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER);
  if (rc < 0)
    {
      gnutls_x509_crt_deinit (crt);
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Not an X.509 certificate"));
      return NULL;
    }
  return cert_new_parsed (crt, error);
}

GPtrArray *
jc_cert_list_new_from_pem (const char *pem, gssize len, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  gnutls_x509_crt_t *list = NULL;
  unsigned n = 0;
  gnutls_datum_t d;
  int rc;

  if (len < 0)
    len = (gssize) strlen (pem);
  if (len > JC_PKI_MAX_PEM_SIZE)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                           _("The certificate file is too large"));
      return NULL;
    }
  d.data = (guint8 *) pem;
  d.size = (unsigned) len;
  rc = gnutls_x509_crt_list_import2 (&list, &n, &d, GNUTLS_X509_FMT_PEM, 0);
  if (rc < 0 || n == 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc < 0 ? rc : GNUTLS_E_NO_CERTIFICATE_FOUND,
                           _("No readable PEM certificate"));
      return NULL;
    }
  for (unsigned i = 0; i < n; i++)
    {
      JcCert *c = NULL;

      if (out != NULL)
        c = cert_new_parsed (list[i], error);
      else
        gnutls_x509_crt_deinit (list[i]);
      if (c == NULL && out != NULL)
        g_clear_pointer (&out, g_ptr_array_unref); /* keep freeing the rest */
      if (c != NULL)
        g_ptr_array_add (out, c);
    }
  gnutls_free (list);
  return g_steal_pointer (&out);
}

JcCert *
jc_cert_new_from_pem (const char *pem, gssize len, GError **error)
{
  g_autoptr(GPtrArray) list = jc_cert_list_new_from_pem (pem, len, error);

  if (list == NULL)
    return NULL;
  if (list->len != 1)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Expected one certificate, found %u"), list->len);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (list, 0));
}

static char *
read_pem_file (const char *path, gsize *len, GError **error)
{
  char *text = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &text, len, &local))
    {
      g_set_error (error, JC_ERROR, g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                                        ? JC_ERROR_NOT_FOUND : JC_ERROR_IO,
                   "%s", local->message);
      return NULL;
    }
  return text;
}

GPtrArray *
jc_cert_list_new_from_file (const char *path, GError **error)
{
  gsize len = 0;
  g_autofree char *text = read_pem_file (path, &len, error);
  GPtrArray *list;

  if (text == NULL)
    return NULL;
  list = jc_cert_list_new_from_pem (text, (gssize) len, error);
  if (list == NULL)
    g_prefix_error (error, "%s: ", path);
  return list;
}

JcCert *
jc_cert_new_from_file (const char *path, GError **error)
{
  gsize len = 0;
  g_autofree char *text = read_pem_file (path, &len, error);
  JcCert *cert;

  if (text == NULL)
    return NULL;
  cert = jc_cert_new_from_pem (text, (gssize) len, error);
  if (cert == NULL)
    g_prefix_error (error, "%s: ", path);
  return cert;
}

char *
jc_cert_to_pem (JcCert *cert)
{
  gnutls_datum_t out = { NULL, 0 };

  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  if (gnutls_x509_crt_export2 (cert->crt, GNUTLS_X509_FMT_PEM, &out) < 0)
    return NULL;
  return jc_gnutls_datum_steal_string (&out);
}

char *
jc_cert_list_to_pem (GPtrArray *certs)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < certs->len; i++)
    {
      g_autofree char *pem = jc_cert_to_pem (g_ptr_array_index (certs, i));
      g_string_append (s, pem);
    }
  return g_string_free (s, FALSE);
}

GBytes *
jc_cert_get_der (JcCert *cert)
{
  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  return g_bytes_ref (cert->der);
}

gnutls_x509_crt_t
jc_cert_get_gnutls (JcCert *cert)
{
  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  return cert->crt;
}

gnutls_pubkey_t
jc_cert_get_pubkey (JcCert *cert)
{
  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  return cert->pub;
}

const char *jc_cert_get_name (JcCert *cert) { return cert->name; }
const char *jc_cert_get_company (JcCert *cert) { return cert->company; }
const char *jc_cert_get_department (JcCert *cert) { return cert->department; }
const char *jc_cert_get_email (JcCert *cert) { return cert->email; }
const char *jc_cert_get_issuer_name (JcCert *cert) { return cert->issuer_name; }
JcRoles jc_cert_get_roles (JcCert *cert) { return cert->roles; }
gboolean jc_cert_is_ca (JcCert *cert) { return cert->is_ca; }
const char *jc_cert_get_serial (JcCert *cert) { return cert->serial; }
const char *jc_cert_get_sha256 (JcCert *cert) { return cert->sha256; }
const char *jc_cert_get_key_id (JcCert *cert) { return cert->key_id; }
gint64 jc_cert_get_not_before (JcCert *cert) { return cert->not_before; }
gint64 jc_cert_get_not_after (JcCert *cert) { return cert->not_after; }
gint64 jc_cert_get_active_until (JcCert *cert) { return cert->active_until; }

JcNodeIdentity *
jc_cert_get_identity (JcCert *cert)
{
  JcNodeIdentity *id;

  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  id = jc_node_identity_new (cert->company, cert->department, cert->email, cert->name);
  jc_node_identity_set_hosts (id, (const char *const *) cert->hosts);
  return id;
}

const char *const *
jc_cert_get_hosts (JcCert *cert)
{
  g_return_val_if_fail (JC_IS_CERT (cert), NULL);
  return (const char *const *) cert->hosts;
}

gboolean
jc_cert_has_roles (JcCert *cert, JcRoles roles)
{
  g_return_val_if_fail (JC_IS_CERT (cert), FALSE);
  return (cert->roles & roles) == roles;
}

gboolean
jc_cert_is_valid_at (JcCert *cert, gint64 at)
{
  return cert->not_before <= at && at <= cert->not_after;
}

gboolean
jc_cert_is_active_at (JcCert *cert, gint64 at)
{
  return cert->not_before <= at && at < cert->active_until;
}

gboolean
jc_cert_equal (JcCert *a, JcCert *b)
{
  return g_bytes_equal (a->der, b->der);
}

gboolean
jc_cert_is_signed_by (JcCert *cert, JcCert *issuer)
{
  unsigned status = 0;

  if (!gnutls_x509_crt_check_issuer (cert->crt, issuer->crt))
    return FALSE;
  if (gnutls_x509_crt_verify (cert->crt, &issuer->crt, 1,
                              GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                              GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                              GNUTLS_VERIFY_DISABLE_CA_SIGN, &status) < 0)
    return FALSE;
  return status == 0;
}

gboolean
jc_cert_is_self_signed (JcCert *cert)
{
  return jc_cert_is_signed_by (cert, cert);
}

gboolean
jc_cert_verify_hash (JcCert *cert, const guint8 *hash, gsize hash_len, const guint8 *sig,
                     gsize sig_len, GError **error)
{
  g_return_val_if_fail (JC_IS_CERT (cert), FALSE);
  if (!jc_node_signature_verify (cert->pub, hash, hash_len, sig, sig_len, error))
    {
      g_prefix_error (error, _("Node “%s”: "), cert->name ? cert->name : "?");
      return FALSE;
    }
  return TRUE;
}

char *
jc_cert_describe (JcCert *cert)
{
  GString *s = g_string_new (cert->name ? cert->name : "?");

  if (cert->company != NULL)
    {
      g_string_append_printf (s, " (%s", cert->company);
      if (cert->department != NULL)
        g_string_append_printf (s, " / %s", cert->department);
      g_string_append_c (s, ')');
    }
  g_string_append_printf (s, ", serial %s", cert->serial);
  return g_string_free (s, FALSE);
}
