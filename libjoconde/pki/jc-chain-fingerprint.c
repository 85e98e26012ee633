#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <gnutls/crypto.h>

#include "jc-cert.h"
#include "jc-chain-fingerprint.h"
#include "jc-encoding.h"

void
jc_chain_fingerprint_der (GPtrArray *ders, guint8 sha256[32], guint8 *sha512)
{
  gnutls_hash_hd_t h512 = NULL, h256 = NULL;
  guint8 d512[64];

  gnutls_hash_init (&h512, GNUTLS_DIG_SHA512);
  gnutls_hash_init (&h256, GNUTLS_DIG_SHA256);
  for (guint i = 0; ders != NULL && i < ders->len; i++)
    {
      GBytes *der = g_ptr_array_index (ders, i);

      gnutls_hash (h512, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
      gnutls_hash (h256, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
    }
  gnutls_hash_deinit (h512, sha512 != NULL ? sha512 : d512);
  gnutls_hash_deinit (h256, sha256);
}

void
jc_chain_fingerprint (GPtrArray *chain, JcCert *root, char **digits, char **sha256)
{
  g_autoptr(GPtrArray) ders = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 d512[64], d256[32];
  guint n = chain ? chain->len : 0;

  for (guint i = 0; i <= n; i++)
    {
      JcCert *c = i < n ? g_ptr_array_index (chain, i) : root;

      if (c == NULL || (i == n && n > 0 && jc_cert_equal (g_ptr_array_index (chain, n - 1), c)))
        continue;
      g_ptr_array_add (ders, jc_cert_get_der (c));
    }
  jc_chain_fingerprint_der (ders, d256, d512);
  if (digits != NULL)
    *digits = jc_digits_fingerprint (d512, sizeof d512);
  if (sha256 != NULL)
    *sha256 = jc_hex_encode (d256, sizeof d256);
}
