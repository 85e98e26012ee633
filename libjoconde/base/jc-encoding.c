#define G_LOG_DOMAIN "joconde"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"

char *
jc_hex_encode (const guint8 *data, gsize len)
{
  char *out = g_malloc (len * 2 + 1);

  sodium_bin2hex (out, len * 2 + 1, data, len);
  return out;
}

static gboolean
hex_check (const char *hex, gsize *out_len, GError **error)
{
  gsize n = strlen (hex);

  if (n % 2 != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Hexadecimal text has an odd number of digits (%zu)"), n);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (hex[i]))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                     _("Hexadecimal text has a character that is not a hex digit at position %zu"), i);
        return FALSE;
      }
  *out_len = n / 2;
  return TRUE;
}

GBytes *
jc_hex_decode (const char *hex, GError **error)
{
  gsize len;
  guint8 *buf;

  if (!hex_check (hex, &len, error))
    return NULL;
  buf = g_malloc (len ? len : 1);
  sodium_hex2bin (buf, len, hex, len * 2, NULL, NULL, NULL);
  return g_bytes_new_take (buf, len);
}

gboolean
jc_hex_decode_into (const char *hex, guint8 *out, gsize out_len, GError **error)
{
  gsize len;

  if (!hex_check (hex, &len, error))
    return FALSE;
  if (len != out_len)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Hexadecimal text encodes %zu bytes where %zu are expected"), len, out_len);
      return FALSE;
    }
  sodium_hex2bin (out, out_len, hex, len * 2, NULL, NULL, NULL);
  return TRUE;
}

char *
jc_base64url_encode (const guint8 *data, gsize len)
{
  gsize cap = sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = g_malloc (cap);

  sodium_bin2base64 (out, cap, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

GBytes *
jc_base64url_decode (const char *text, GError **error)
{
  gsize n = strlen (text);
  gsize cap = n * 3 / 4 + 1;
  guint8 *buf = g_malloc (cap);
  size_t len = 0;
  const char *end = NULL;

  if (sodium_base642bin (buf, cap, text, n, NULL, &len, &end,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != text + n)
    {
      g_free (buf);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Text is not valid unpadded base64url (RFC 4648 §5)"));
      return NULL;
    }
  /* Refuse non-zero trailing bits: they would give one value two encodings. */
  {
    g_autofree char *again = jc_base64url_encode (buf, len);
    if (strcmp (again, text) != 0)
      {
        g_free (buf);
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                     _("Base64url text is not in canonical form (unused bits are set)"));
        return NULL;
      }
  }
  return g_bytes_new_take (buf, len);
}

char *
jc_digits_fingerprint (const guint8 *digest, gsize len)
{
  GString *s = g_string_new (NULL);

  /* Each group takes 5 bytes as a 40-bit number mod 10^5: enough entropy per group
   * (16.6 bits) and no bias worth mentioning (2^40 / 10^5 is huge). */
  for (gsize i = 0; i + 5 <= len && s->len < 12 * 6; i += 5)
    {
      guint64 v = 0;
      for (gsize j = 0; j < 5; j++)
        v = (v << 8) | digest[i + j];
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append_printf (s, "%05u", (guint) (v % 100000));
    }
  return g_string_free (s, FALSE);
}
