#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "jc-error.h"
#include "jc-guest-cta.h"

GBytes *
jc_guest_cta_load (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autoptr(GError) local = NULL;
  guint8 chunk[8192];

  /* Read as a stream rather than by size: firmware files (fw_cfg in a VM) report no size. */
  in = g_file_read (file, NULL, &local);
  if (in == NULL)
    {
      gboolean missing = g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_set_error (error, JC_ERROR, missing ? JC_ERROR_NOT_FOUND : JC_ERROR_IO,
                   _("The task agreement “%s” cannot be read: %s"), path, local->message);
      return NULL;
    }
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), chunk, sizeof chunk, NULL, &local);
      if (n < 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO,
                       _("The task agreement “%s” cannot be read: %s"), path, local->message);
          return NULL;
        }
      if (n == 0)
        break;
      if (buf->len + (gsize) n > JC_GUEST_CTA_MAX_SIZE)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                       _("The task agreement “%s” is larger than %d MiB and is refused"),
                       path, JC_GUEST_CTA_MAX_SIZE / (1024 * 1024));
          return NULL;
        }
      g_byte_array_append (buf, chunk, (guint) n);
    }
  if (buf->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The task agreement “%s” is empty"), path);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

char *
jc_guest_cta_hash (GBytes *cta)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (cta, &len);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}
