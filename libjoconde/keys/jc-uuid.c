#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-uuid.h"

void
jc_uuid_v4_bytes (guint8 out[16])
{
  randombytes_buf (out, 16);
  out[6] = (out[6] & 0x0f) | 0x40; /* version 4 */
  out[8] = (out[8] & 0x3f) | 0x80; /* variant 10 */
}

char *
jc_uuid_new_v4 (void)
{
  guint8 b[16];

  jc_uuid_v4_bytes (b);
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

gboolean
jc_uuid_is_v4 (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      char c = text[i];
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (c != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (c) && !(c >= 'a' && c <= 'f'))
        return FALSE;
    }
  return text[14] == '4' && strchr ("89ab", text[19]) != NULL;
}
