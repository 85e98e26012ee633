#define G_LOG_DOMAIN "joconde-doc"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jc-doc.h"
#include "jc-error.h"

JsonNode *
jc_doc_read_file (const char *path, const JcDocLimits *limits, GError **error)
{
  JcDocLimits defaults;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  struct stat st;
  guint8 chunk[65536];
  JsonNode *node;
  int fd;

  if (limits == NULL)
    {
      jc_doc_limits_init (&defaults);
      limits = &defaults;
    }
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("%s: cannot read the document: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  if (S_ISREG (st.st_mode) && (guint64) st.st_size > limits->max_size)
    {
      close (fd);
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("%s: the document is %" PRIu64 " bytes long, more than the limit of %zu bytes"),
                   path, (uint64_t) st.st_size, limits->max_size);
      return NULL;
    }
  /* Read in chunks and stop one chunk past the limit: the file may grow, or be a pipe. */
  for (;;)
    {
      gssize n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("%s: cannot read the document: %s"),
                       path, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, (guint) n);
      if (buf->len > limits->max_size)
        break;
    }
  close (fd);
  node = jc_doc_parse ((const char *) buf->data, buf->len, limits, error);
  if (node == NULL)
    g_prefix_error (error, "%s: ", path);
  return node;
}
