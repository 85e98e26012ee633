#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-atls-frame.h"
#include "jc-error.h"

gboolean
jc_atls_frame_write (GIOStream *stream, JsonNode *message, GCancellable *cancellable,
                     GError **error)
{
  gsize len;
  g_autofree char *text = json_to_string (message, FALSE);
  g_autofree guint8 *buf = NULL;
  guint32 be;

  len = strlen (text);
  if (len > JC_ATLS_FRAME_MAX)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("A message of %zu bytes is over the channel’s limit"), len);
      return FALSE;
    }
  /* One write, so header and body leave in the same TLS record when they fit. */
  buf = g_malloc (len + 4);
  be = GUINT32_TO_BE ((guint32) len);
  memcpy (buf, &be, 4);
  memcpy (buf + 4, text, len);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (stream), buf, len + 4, NULL,
                                  cancellable, error))
    return FALSE;
  return g_output_stream_flush (g_io_stream_get_output_stream (stream), cancellable, error);
}

static gboolean
read_exactly (GInputStream *in, void *buf, gsize len, GCancellable *cancellable, GError **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (in, buf, len, &got, cancellable, error))
    return FALSE;
  if (got != len)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("The peer closed the connection"));
      return FALSE;
    }
  return TRUE;
}

JsonNode *
jc_atls_frame_read (GIOStream *stream, gsize max, GCancellable *cancellable, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream (stream);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  guint32 be;
  gsize len;
  JsonNode *root;

  if (max == 0)
    max = JC_ATLS_FRAME_MAX;
  if (!read_exactly (in, &be, 4, cancellable, error))
    return NULL;
  len = GUINT32_FROM_BE (be);
  if (len > max)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("The peer sent a message of %zu bytes, over the limit of %zu"), len, max);
      return NULL;
    }
  text = g_malloc (len + 1);
  if (!read_exactly (in, text, len, cancellable, error))
    return NULL;
  text[len] = '\0';
  if (!json_parser_load_from_data (parser, text, len, &local) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The peer sent a malformed message: %s"),
                   local ? local->message : _("not a JSON object"));
      return NULL;
    }
  root = json_parser_steal_root (parser);
  return root;
}
