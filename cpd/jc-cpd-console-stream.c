#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>

#include "jc-cpd-console-stream.h"

struct _JcCpdConsoleStream
{
  GInputStream  parent_instance;
  virStreamPtr  stream;
  virConnectPtr conn;
  gboolean      ended;
};

G_DEFINE_FINAL_TYPE (JcCpdConsoleStream, jc_cpd_console_stream, G_TYPE_INPUT_STREAM)

static gssize
console_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
              GError **error)
{
  JcCpdConsoleStream *self = JC_CPD_CONSOLE_STREAM (stream);
  int n;

  if (self->ended || count == 0)
    return 0;
  n = virStreamRecv (self->stream, buffer, MIN (count, (gsize) G_MAXINT));
  if (n == 0)
    self->ended = TRUE;
  if (n < 0)
    {
      /* The domain went away (destroyed at the end of its task): the log simply ends. */
      const char *why = virGetLastErrorMessage ();
      g_debug ("console stream ended: %s", why ? why : "");
      virResetLastError ();
      self->ended = TRUE;
      return 0;
    }
  return n;
}

static gboolean
console_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  JcCpdConsoleStream *self = JC_CPD_CONSOLE_STREAM (stream);

  if (self->stream != NULL)
    {
      if (self->ended)
        virStreamFinish (self->stream);
      else
        virStreamAbort (self->stream);
      virResetLastError ();
      virStreamFree (self->stream);
      self->stream = NULL;
    }
  if (self->conn != NULL)
    {
      virConnectClose (self->conn);
      self->conn = NULL;
    }
  return TRUE;
}

static void
jc_cpd_console_stream_class_init (JcCpdConsoleStreamClass *klass)
{
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  input_class->read_fn = console_read;
  input_class->close_fn = console_close;
}

static void
jc_cpd_console_stream_init (JcCpdConsoleStream *self)
{
}

GInputStream *
jc_cpd_console_stream_new (virStreamPtr stream, virConnectPtr conn)
{
  JcCpdConsoleStream *self = g_object_new (JC_CPD_TYPE_CONSOLE_STREAM, NULL);

  self->stream = stream;
  self->conn = conn;
  return G_INPUT_STREAM (self);
}
