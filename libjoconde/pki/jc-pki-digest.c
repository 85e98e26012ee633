#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <gnutls/crypto.h>
#include <string.h>

#include "jc-pki-digest.h"

void
jc_pki_request_digest (const char *tag, GBytes *const *parts, guint n_parts, guint8 out[32])
{
  gsize tag_len = strlen (tag);
  g_autofree guint8 *buf = g_malloc (tag_len + (gsize) n_parts * 32);

  memcpy (buf, tag, tag_len);
  for (guint i = 0; i < n_parts; i++)
    gnutls_hash_fast (GNUTLS_DIG_SHA256, g_bytes_get_data (parts[i], NULL),
                      g_bytes_get_size (parts[i]), buf + tag_len + (gsize) i * 32);
  gnutls_hash_fast (GNUTLS_DIG_SHA256, buf, tag_len + (gsize) n_parts * 32, out);
}
