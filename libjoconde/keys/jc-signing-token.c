#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/pkcs11.h>
#include <string.h>

#include "jc-error.h"
#include "jc-gnutls-private.h"
#include "jc-node-key.h"
#include "jc-signing-token.h"

gboolean
jc_signing_token_add_module (const char *module_path, GError **error)
{
  /* Auto-load p11-kit's modules first: adding a provider before that would make GnuTLS
   * use the added one alone. */
  char *first = NULL;
  if (gnutls_pkcs11_token_get_url (0, GNUTLS_PKCS11_URL_GENERIC, &first) >= 0)
    gnutls_free (first);
  return jc_node_key_add_pkcs11_module (module_path, error);
}

/* The private key's URI: the certificate's without its label (a key's label may differ)
 * and of type "private"; the CKA_ID ties the two. */
static char *
key_url_of (const char *cert_url)
{
  g_auto(GStrv) parts = g_strsplit (cert_url + strlen ("pkcs11:"), ";", -1);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();

  for (guint i = 0; parts[i]; i++)
    if (!g_str_has_prefix (parts[i], "object=") && !g_str_has_prefix (parts[i], "type=")
        && *parts[i])
      g_strv_builder_add (kept, parts[i]);
  g_strv_builder_add (kept, "type=private");
  g_auto(GStrv) all = g_strv_builder_end (kept);
  g_autofree char *joined = g_strjoinv (";", all);
  return g_strconcat ("pkcs11:", joined, NULL);
}

static JcSignerCert *
cert_of_obj (gnutls_pkcs11_obj_t obj)
{
  gnutls_datum_t raw = { NULL, 0 };
  char *url = NULL;
  char label[256];
  size_t label_len = sizeof label;

  if (gnutls_pkcs11_obj_export2 (obj, &raw) < 0)
    return NULL;
  g_autoptr(GBytes) der = jc_gnutls_datum_steal_bytes (&raw);
  JcSignerCert *cert = jc_signer_cert_new_from_der (der, NULL);
  if (cert == NULL || gnutls_pkcs11_obj_export_url (obj, GNUTLS_PKCS11_URL_GENERIC, &url) < 0)
    {
      jc_signer_cert_free (cert);
      return NULL;
    }
  cert->cert_url = g_strdup (url);
  gnutls_free (url);
  cert->key_url = key_url_of (cert->cert_url);
  if (gnutls_pkcs11_obj_get_info (obj, GNUTLS_PKCS11_OBJ_TOKEN_LABEL, label, &label_len) >= 0)
    cert->token_label = g_strndup (label, label_len);
  else
    cert->token_label = g_strdup ("");
  return cert;
}

/* TRUE when a private key is visible at KEY_URL. (GnuTLS's own WITH_PRIVKEY filter leaks
 * memory in 3.7, hence this search by the certificate's CKA_ID.) */
static gboolean
has_key (const char *key_url)
{
  gnutls_pkcs11_obj_t *objs = NULL;
  unsigned int n = 0;

  if (gnutls_pkcs11_obj_list_import_url4 (&objs, &n, key_url, GNUTLS_PKCS11_OBJ_FLAG_PRIVKEY) < 0)
    return FALSE;
  for (unsigned int i = 0; i < n; i++)
    gnutls_pkcs11_obj_deinit (objs[i]);
  gnutls_free (objs);
  return n > 0;
}

/* Adds the signing certificates found at URL to OUT, skipping duplicates (a module
 * configured twice shows its tokens twice). */
static int
list_url (const char *url, gboolean with_key, GPtrArray *out)
{
  gnutls_pkcs11_obj_t *objs = NULL;
  unsigned int n = 0;
  int rc = gnutls_pkcs11_obj_list_import_url4 (&objs, &n, url, GNUTLS_PKCS11_OBJ_FLAG_CRT);
  if (rc < 0)
    return rc;
  for (unsigned int i = 0; i < n; i++)
    {
      JcSignerCert *cert = cert_of_obj (objs[i]);
      gboolean seen = FALSE;
      for (guint j = 0; cert && j < out->len && !seen; j++)
        seen = g_str_equal (((JcSignerCert *) out->pdata[j])->cert_url, cert->cert_url);
      if (cert && !seen && (!with_key || has_key (cert->key_url)))
        g_ptr_array_add (out, cert);
      else
        jc_signer_cert_free (cert);
      gnutls_pkcs11_obj_deinit (objs[i]);
    }
  gnutls_free (objs);
  return 0;
}

GPtrArray *
jc_signing_token_list (const char *url, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_signer_cert_free);

  if (url != NULL)
    {
      if (!g_str_has_prefix (url, "pkcs11:"))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("“%s” is not a PKCS#11 URI (it must start with “pkcs11:”)"), url);
          return NULL;
        }
      int rc = list_url (url, TRUE, out);
      if (rc < 0)
        {
          g_autofree char *m = g_strdup_printf (_("Cannot read the security token “%s”"), url);
          jc_gnutls_set_error (error, JC_ERROR_NOT_FOUND, rc, m);
          return NULL;
        }
      return g_steal_pointer (&out);
    }
  for (unsigned int seq = 0;; seq++)
    {
      char *token = NULL;
      if (gnutls_pkcs11_token_get_url (seq, GNUTLS_PKCS11_URL_GENERIC, &token) < 0)
        break;
      /* A token that cannot be read (not initialised, removed meanwhile) holds nothing
       * to sign with: the others are still listed. */
      int rc = list_url (token, TRUE, out);
      if (rc < 0)
        g_debug ("Skipping token %s: %s", token, gnutls_strerror (rc));
      gnutls_free (token);
    }
  return g_steal_pointer (&out);
}

JcSignerCert *
jc_signing_token_find (const char *url, GError **error)
{
  g_autoptr(GPtrArray) certs = jc_signing_token_list (url, error);

  if (certs == NULL)
    return NULL;
  /* A token that hides its private keys until login shows only certificates: one named
   * explicitly is taken, and its key is looked for when signing. */
  if (certs->len == 0 && url != NULL)
    list_url (url, FALSE, certs);
  if (certs->len == 0)
    {
      if (url)
        g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                     _("No certificate with its private key was found at “%s” (is the security "
                       "token inserted?)"), url);
      else
        g_set_error_literal (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                             _("No security token with a signing certificate was found (is it "
                               "inserted?)"));
      return NULL;
    }
  if (certs->len > 1)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      for (guint i = 0; i < certs->len; i++)
        g_string_append_printf (names, "\n  %s", ((JcSignerCert *) certs->pdata[i])->cert_url);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("There are several signing certificates; give the URI of one:%s"),
                   names->str);
      return NULL;
    }
  return g_ptr_array_steal_index (certs, 0);
}
