#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-atls-binding.h"
#include "jc-error.h"

gboolean
jc_atls_channel_binding (GTlsConnection *connection, guint8 binding[JC_ATLS_BINDING_SIZE],
                         GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  if (g_tls_connection_get_protocol_version (connection) != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The attested channel needs TLS 1.3, but the peer negotiated an older "
                     "version"));
      return FALSE;
    }
  if (!g_tls_connection_get_channel_binding_data (connection, G_TLS_CHANNEL_BINDING_TLS_EXPORTER,
                                                  data, error))
    return FALSE;
  if (data->len != JC_ATLS_BINDING_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_CRYPTO,
                   _("The TLS exporter gave a %u-byte channel binding instead of %u bytes"),
                   data->len, (guint) JC_ATLS_BINDING_SIZE);
      return FALSE;
    }
  memcpy (binding, data->data, JC_ATLS_BINDING_SIZE);
  return TRUE;
}

GBytes *
jc_atls_binding_message (JcAtlsRole role, const guint8 binding[JC_ATLS_BINDING_SIZE],
                         const guint8 spki_hash[32], const guint8 *cta_hash, gsize cta_hash_len)
{
  GByteArray *m = g_byte_array_new ();
  guint8 sep = 0, r = (guint8) role, len = (guint8) cta_hash_len;

  g_return_val_if_fail (cta_hash_len >= 1 && cta_hash_len <= JC_ATLS_CTA_HASH_MAX, NULL);
  g_byte_array_append (m, (const guint8 *) JC_ATLS_LABEL, strlen (JC_ATLS_LABEL));
  g_byte_array_append (m, &sep, 1);
  g_byte_array_append (m, &r, 1);
  g_byte_array_append (m, binding, JC_ATLS_BINDING_SIZE);
  g_byte_array_append (m, spki_hash, 32);
  g_byte_array_append (m, &len, 1);
  g_byte_array_append (m, cta_hash, len);
  return g_byte_array_free_to_bytes (m);
}

void
jc_atls_report_data (JcAtlsRole role, const guint8 binding[JC_ATLS_BINDING_SIZE],
                     const guint8 spki_hash[32], const guint8 *cta_hash, gsize cta_hash_len,
                     guint8 report_data[JC_TEE_REPORT_DATA_SIZE])
{
  g_autoptr(GBytes) m = jc_atls_binding_message (role, binding, spki_hash, cta_hash, cta_hash_len);

  G_STATIC_ASSERT (crypto_hash_sha512_BYTES == JC_TEE_REPORT_DATA_SIZE);
  crypto_hash_sha512 (report_data, g_bytes_get_data (m, NULL), g_bytes_get_size (m));
}

void
jc_atls_pak_sign (const JcSecret *pak_secret, const guint8 binding[JC_ATLS_BINDING_SIZE],
                  const guint8 server_spki_hash[32], const guint8 *cta_hash, gsize cta_hash_len,
                  guint8 signature[JC_ATLS_PAK_SIGNATURE_SIZE])
{
  g_autoptr(GBytes) m = jc_atls_binding_message (JC_ATLS_ROLE_PAK, binding, server_spki_hash,
                                                 cta_hash, cta_hash_len);

  g_return_if_fail (pak_secret->len == crypto_sign_SECRETKEYBYTES);
  crypto_sign_detached (signature, NULL, g_bytes_get_data (m, NULL), g_bytes_get_size (m),
                        pak_secret->data);
}

gboolean
jc_atls_pak_verify (const guint8 pak[JC_ATLS_PAK_SIZE],
                    const guint8 signature[JC_ATLS_PAK_SIGNATURE_SIZE],
                    const guint8 binding[JC_ATLS_BINDING_SIZE], const guint8 server_spki_hash[32],
                    const guint8 *cta_hash, gsize cta_hash_len, GError **error)
{
  g_autoptr(GBytes) m = jc_atls_binding_message (JC_ATLS_ROLE_PAK, binding, server_spki_hash,
                                                 cta_hash, cta_hash_len);

  if (crypto_sign_verify_detached (signature, g_bytes_get_data (m, NULL), g_bytes_get_size (m),
                                   pak) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The PAK’s signature over this channel does not verify"));
      return FALSE;
    }
  return TRUE;
}
