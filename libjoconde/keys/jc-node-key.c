#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#include <string.h>

#include "jc-error.h"
#include "jc-gnutls-private.h"
#include "jc-key-file.h"
#include "jc-node-key.h"
#include "jc-secret.h"

struct _JcNodeKey
{
  GObject          parent_instance;
  gnutls_privkey_t priv;
  gnutls_pubkey_t  pub;
  char            *pkcs11_uri; /* NULL unless held in a token */
  JcSecret        *pin;        /* PKCS#11 PIN, kept for re-login; NULL if none */
  char            *id;
};

G_DEFINE_FINAL_TYPE (JcNodeKey, jc_node_key, G_TYPE_OBJECT)

static void
jc_node_key_finalize (GObject *object)
{
  JcNodeKey *self = JC_NODE_KEY (object);

  if (self->priv != NULL)
    gnutls_privkey_deinit (self->priv);
  if (self->pub != NULL)
    gnutls_pubkey_deinit (self->pub);
  g_free (self->pkcs11_uri);
  jc_secret_free (self->pin);
  g_free (self->id);
  G_OBJECT_CLASS (jc_node_key_parent_class)->finalize (object);
}

static void
jc_node_key_class_init (JcNodeKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_node_key_finalize;
}

static void
jc_node_key_init (JcNodeKey *self)
{
}

/* Takes ownership of @priv; derives the public key and checks the key type. */
static JcNodeKey *
node_key_new (gnutls_privkey_t priv, const char *what, GError **error)
{
  g_autoptr(JcNodeKey) self = g_object_new (JC_TYPE_NODE_KEY, NULL);
  int rc;

  self->priv = priv;
  gnutls_pubkey_init (&self->pub);
  rc = gnutls_pubkey_import_privkey (self->pub, self->priv, 0, 0);
  if (rc < 0)
    {
      g_autofree char *m = g_strdup_printf (_("Cannot read the public part of the key %s"), what);
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, m);
      return NULL;
    }
  if (!jc_gnutls_pubkey_is_p256 (self->pub))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The key %s is not an ECDSA P-256 key, the only kind a node key can be"),
                   what);
      return NULL;
    }
  self->id = jc_gnutls_pubkey_id_hex (self->pub, error);
  if (self->id == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

JcNodeKey *
jc_node_key_generate (GError **error)
{
  gnutls_privkey_t priv = NULL;
  int rc;

  gnutls_privkey_init (&priv);
  rc = gnutls_privkey_generate2 (priv, GNUTLS_PK_ECDSA,
                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0);
  if (rc < 0)
    {
      gnutls_privkey_deinit (priv);
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot generate a node key"));
      return NULL;
    }
  return node_key_new (priv, _("just generated"), error);
}

JcNodeKey *
jc_node_key_load_file (const char *path, const char *passphrase, GError **error)
{
  g_autoptr(JcSecret) pem = jc_key_file_read (path, error);
  g_auto(gnutls_x509_privkey_t) xkey = NULL;
  gnutls_privkey_t priv = NULL;
  gnutls_datum_t d;
  g_autofree char *what = NULL;
  gboolean encrypted;
  int rc;

  if (pem == NULL)
    return NULL;
  what = g_strdup_printf (_("in “%s”"), path);
  encrypted = g_strstr_len ((const char *) pem->data, pem->len,
                            "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL;
  if (g_strstr_len ((const char *) pem->data, pem->len, "-----BEGIN ") == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The file “%s” is not a PEM private key"), path);
      return NULL;
    }
  if (encrypted && (passphrase == NULL || *passphrase == '\0'))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The key file “%s” is protected by a passphrase; give the passphrase"), path);
      return NULL;
    }
  d.data = pem->data;
  d.size = (unsigned) pem->len;
  gnutls_x509_privkey_init (&xkey);
  rc = gnutls_x509_privkey_import2 (xkey, &d, GNUTLS_X509_FMT_PEM,
                                    encrypted ? passphrase : NULL,
                                    encrypted ? 0 : GNUTLS_PKCS_PLAIN);
  if (rc == GNUTLS_E_DECRYPTION_FAILED)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("Wrong passphrase for the key file “%s”"), path);
      return NULL;
    }
  if (rc < 0)
    {
      g_autofree char *m = g_strdup_printf (_("The key file “%s” cannot be read"), path);
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, m);
      return NULL;
    }
  gnutls_privkey_init (&priv);
  rc = gnutls_privkey_import_x509 (priv, xkey, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
  if (rc < 0)
    {
      gnutls_privkey_deinit (priv);
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, what);
      return NULL;
    }
  xkey = NULL; /* owned by priv now */
  return node_key_new (priv, what, error);
}

gboolean
jc_node_key_save_file (JcNodeKey *key, const char *path, const char *passphrase, GError **error)
{
  gnutls_x509_privkey_t xkey = NULL;
  gnutls_datum_t out = { NULL, 0 };
  gboolean ok;
  int rc;

  g_return_val_if_fail (JC_IS_NODE_KEY (key), FALSE);
  if (key->pkcs11_uri != NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_STATE,
                           _("A key held in a PKCS#11 token cannot be written to a file"));
      return FALSE;
    }
  if (passphrase != NULL && *passphrase == '\0')
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("An empty passphrase protects nothing; give one or none"));
      return FALSE;
    }
  rc = gnutls_privkey_export_x509 (key->priv, &xkey);
  if (rc >= 0)
    rc = gnutls_x509_privkey_export2_pkcs8 (xkey, GNUTLS_X509_FMT_PEM, passphrase,
                                            passphrase != NULL ? GNUTLS_PKCS_PBES2_AES_256
                                                               : GNUTLS_PKCS_PLAIN,
                                            &out);
  if (xkey != NULL)
    gnutls_x509_privkey_deinit (xkey);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot export the node key"));
      return FALSE;
    }
  ok = jc_key_file_write (path, out.data, out.size, error);
  jc_gnutls_datum_clear (&out);
  return ok;
}

JcNodeKey *
jc_node_key_open_pkcs11 (const char *uri, const char *pin, GError **error)
{
  g_autoptr(JcSecret) pin_copy = NULL;
  gnutls_privkey_t priv = NULL;
  JcNodeKey *self;
  g_autofree char *what = NULL;
  int rc;

  if (uri == NULL || !g_str_has_prefix (uri, "pkcs11:"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not a PKCS#11 URI (it must start with “pkcs11:”)"), uri ? uri : "");
      return NULL;
    }
  what = g_strdup_printf (_("at “%s”"), uri);
  if (pin != NULL)
    pin_copy = jc_secret_copy ((const guint8 *) pin, strlen (pin));
  gnutls_privkey_init (&priv);
  gnutls_privkey_set_pin_function (priv, jc_gnutls_pin_callback, pin_copy);
  rc = gnutls_privkey_import_pkcs11_url (priv, uri);
  if (rc < 0)
    {
      g_autofree char *m = g_strdup_printf (_("Cannot open the PKCS#11 key %s"), what);
      gnutls_privkey_deinit (priv);
      jc_gnutls_set_error (error, rc == GNUTLS_E_PKCS11_PIN_ERROR ? JC_ERROR_DENIED
                                                                   : JC_ERROR_NOT_FOUND,
                           rc, m);
      return NULL;
    }
  self = node_key_new (priv, what, error);
  if (self == NULL)
    return NULL;
  self->pkcs11_uri = g_strdup (uri);
  self->pin = g_steal_pointer (&pin_copy); /* the callback's userdata, alive as long as priv */
  return self;
}

static gboolean
label_is_safe (const char *label)
{
  if (label == NULL || *label == '\0' || strlen (label) > 64)
    return FALSE;
  for (const char *p = label; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

JcNodeKey *
jc_node_key_generate_pkcs11 (const char *token_uri, const char *label, const char *pin,
                             GError **error)
{
  g_autoptr(JcSecret) pin_copy = NULL;
  g_autoptr(JcNodeKey) existing = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key_uri = NULL;
  gnutls_pin_callback_t old_fn = NULL;
  void *old_data = NULL;
  const char *query;
  int rc;

  if (token_uri == NULL || !g_str_has_prefix (token_uri, "pkcs11:"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not a PKCS#11 URI (it must start with “pkcs11:”)"),
                   token_uri ? token_uri : "");
      return NULL;
    }
  if (!label_is_safe (label))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The key label “%s” may only hold letters, digits, “.”, “_” and “-” "
                     "(at most 64)"), label ? label : "");
      return NULL;
    }
  /* The key's URI: the token's path, then object and type, then the token's query. */
  query = strchr (token_uri, '?');
  path = g_strndup (token_uri, query ? (gsize) (query - token_uri) : strlen (token_uri));
  key_uri = g_strdup_printf ("%s%sobject=%s;type=private%s", path,
                             g_str_has_suffix (path, ":") ? "" : ";", label, query ? query : "");
  existing = jc_node_key_open_pkcs11 (key_uri, pin, NULL);
  if (existing != NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("The token already holds a key labelled “%s”"), label);
      return NULL;
    }
  if (pin != NULL)
    pin_copy = jc_secret_copy ((const guint8 *) pin, strlen (pin));
  old_fn = gnutls_pkcs11_get_pin_function (&old_data);
  gnutls_pkcs11_set_pin_function (jc_gnutls_pin_callback, pin_copy);
  rc = gnutls_pkcs11_privkey_generate3 (token_uri, GNUTLS_PK_ECDSA,
                                        GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                        label, NULL, GNUTLS_X509_FMT_DER, NULL, 0,
                                        GNUTLS_PKCS11_OBJ_FLAG_LOGIN |
                                        GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE |
                                        GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE);
  gnutls_pkcs11_set_pin_function (old_fn, old_data);
  if (rc < 0)
    {
      g_autofree char *m = g_strdup_printf (_("Cannot generate a key in the token “%s”"), token_uri);
      jc_gnutls_set_error (error, rc == GNUTLS_E_PKCS11_PIN_ERROR ? JC_ERROR_DENIED : JC_ERROR_CRYPTO,
                           rc, m);
      return NULL;
    }
  return jc_node_key_open_pkcs11 (key_uri, pin, error);
}

JcSecret *
jc_node_key_export_pem (JcNodeKey *key, GError **error)
{
  gnutls_x509_privkey_t xkey = NULL;
  gnutls_datum_t out = { NULL, 0 };
  JcSecret *pem;
  int rc;

  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  if (key->pkcs11_uri != NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_STATE,
                           _("A key held in a PKCS#11 token cannot be exported"));
      return NULL;
    }
  rc = gnutls_privkey_export_x509 (key->priv, &xkey);
  if (rc >= 0)
    rc = gnutls_x509_privkey_export2_pkcs8 (xkey, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &out);
  if (xkey != NULL)
    gnutls_x509_privkey_deinit (xkey);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("Cannot export the node key"));
      return NULL;
    }
  pem = jc_secret_copy (out.data, out.size);
  jc_gnutls_datum_clear (&out);
  return pem;
}

JcNodeKey *
jc_node_key_open (const char *location, const char *secret, GError **error)
{
  if (location == NULL || *location == '\0')
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("No node key was given (a file path or a pkcs11: URI)"));
      return NULL;
    }
  if (g_str_has_prefix (location, "pkcs11:"))
    return jc_node_key_open_pkcs11 (location, secret, error);
  return jc_node_key_load_file (location, secret, error);
}

gboolean
jc_node_key_add_pkcs11_module (const char *module_path, GError **error)
{
  int rc = gnutls_pkcs11_add_provider (module_path, NULL);

  if (rc < 0)
    {
      g_autofree char *m = g_strdup_printf (_("Cannot load the PKCS#11 module “%s”"), module_path);
      jc_gnutls_set_error (error, JC_ERROR_NOT_FOUND, rc, m);
      return FALSE;
    }
  return TRUE;
}

const char *
jc_node_key_get_pkcs11_uri (JcNodeKey *key)
{
  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  return key->pkcs11_uri;
}

gnutls_privkey_t
jc_node_key_get_privkey (JcNodeKey *key)
{
  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  return key->priv;
}

gnutls_pubkey_t
jc_node_key_get_pubkey (JcNodeKey *key)
{
  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  return key->pub;
}

const char *
jc_node_key_get_id (JcNodeKey *key)
{
  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  return key->id;
}

/* Copies a DER INTEGER's magnitude into a 32-byte big-endian field. */
static gboolean
put_scalar (const gnutls_datum_t *v, guint8 *out32)
{
  const guint8 *p = v->data;
  gsize n = v->size;

  while (n > 0 && *p == 0)
    p++, n--;
  if (n > 32)
    return FALSE;
  memset (out32, 0, 32 - n);
  memcpy (out32 + 32 - n, p, n);
  return TRUE;
}

GBytes *
jc_node_key_sign_hash (JcNodeKey *key, const guint8 *hash, gsize hash_len, GError **error)
{
  gnutls_datum_t h, der = { NULL, 0 }, r = { NULL, 0 }, s = { NULL, 0 };
  guint8 raw[JC_NODE_SIGNATURE_SIZE];
  gboolean ok;
  int rc;

  g_return_val_if_fail (JC_IS_NODE_KEY (key), NULL);
  if (hash_len != JC_NODE_HASH_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A node signature signs a 32-byte SHA-256 hash, not %zu bytes"), hash_len);
      return NULL;
    }
  h.data = (guint8 *) hash;
  h.size = (unsigned) hash_len;
  rc = gnutls_privkey_sign_hash (key->priv, GNUTLS_DIG_SHA256, 0, &h, &der);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, _("The node key could not sign"));
      return NULL;
    }
  rc = gnutls_decode_rs_value (&der, &r, &s);
  gnutls_free (der.data);
  ok = rc >= 0 && put_scalar (&r, raw) && put_scalar (&s, raw + 32);
  gnutls_free (r.data);
  gnutls_free (s.data);
  if (!ok)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_CRYPTO,
                           _("The node key produced a malformed signature"));
      return NULL;
    }
  return g_bytes_new (raw, sizeof raw);
}

gboolean
jc_node_signature_verify (gnutls_pubkey_t pub, const guint8 *hash, gsize hash_len,
                          const guint8 *sig, gsize sig_len, GError **error)
{
  gnutls_datum_t h, der = { NULL, 0 }, r, s;
  int rc;

  if (hash_len != JC_NODE_HASH_SIZE || sig_len != JC_NODE_SIGNATURE_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A node signature has 64 bytes over a 32-byte hash (got %zu over %zu)"),
                   sig_len, hash_len);
      return FALSE;
    }
  if (!jc_gnutls_pubkey_is_p256 (pub))
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                           _("The signer's key is not an ECDSA P-256 key"));
      return FALSE;
    }
  r.data = (guint8 *) sig;
  r.size = 32;
  s.data = (guint8 *) sig + 32;
  s.size = 32;
  rc = gnutls_encode_rs_value (&der, &r, &s);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_INVALID, rc, _("Malformed node signature"));
      return FALSE;
    }
  h.data = (guint8 *) hash;
  h.size = (unsigned) hash_len;
  rc = gnutls_pubkey_verify_hash2 (pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &h, &der);
  gnutls_free (der.data);
  if (rc < 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                           _("The node signature does not verify with the signer's key"));
      return FALSE;
    }
  return TRUE;
}
