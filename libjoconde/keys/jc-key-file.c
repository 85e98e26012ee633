#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jc-error.h"
#include "jc-key-file.h"

static void
set_errno_error (GError **error, int errsv, const char *fmt, const char *path)
{
  g_autofree char *what = g_strdup_printf (fmt, path);

  g_set_error (error, JC_ERROR, JC_ERROR_IO, "%s: %s", what, g_strerror (errsv));
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static void
fsync_folder_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* Makes the rename durable; a failure here cannot be acted on, the file is written. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

gboolean
jc_key_file_write (const char *path, const guint8 *data, gsize len, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  int fd;
  int errsv;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, _("Cannot create a temporary file beside the key file “%s”"), path);
      return FALSE;
    }
  /* g_mkstemp_full honours the mode, but the umask cannot widen it; make it exact. */
  if (fchmod (fd, 0600) < 0 || !write_all (fd, data, len) || fsync (fd) < 0)
    {
      errsv = errno;
      close (fd);
      g_unlink (tmp);
      set_errno_error (error, errsv, _("Cannot write the key file “%s”"), path);
      return FALSE;
    }
  if (close (fd) < 0 || g_rename (tmp, path) < 0)
    {
      errsv = errno;
      g_unlink (tmp);
      set_errno_error (error, errsv, _("Cannot write the key file “%s”"), path);
      return FALSE;
    }
  fsync_folder_of (path);
  return TRUE;
}

JcSecret *
jc_key_file_read (const char *path, GError **error)
{
  g_autoptr(JcSecret) buf = NULL;
  struct stat st;
  gsize got = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, JC_ERROR, errsv == ENOENT ? JC_ERROR_NOT_FOUND : JC_ERROR_IO,
                   _("Cannot open the key file “%s”: %s"), path, g_strerror (errsv));
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The key file “%s” is not a regular file"), path);
      return NULL;
    }
  if ((st.st_mode & 077) != 0)
    {
      close (fd);
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The key file “%s” can be read by other users (mode %03o); the key must "
                     "be considered exposed. Restrict it with “chmod 600” if it was not copied "
                     "elsewhere, or replace the key"),
                   path, (unsigned) (st.st_mode & 0777));
      return NULL;
    }
  if (st.st_size > JC_KEY_FILE_MAX_SIZE)
    {
      close (fd);
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("The key file “%s” is too large to be a key (%lld bytes)"),
                   path, (long long) st.st_size);
      return NULL;
    }
  buf = jc_secret_new ((gsize) st.st_size);
  while (got < buf->len)
    {
      ssize_t n = read (fd, buf->data + got, buf->len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : EIO;
          close (fd);
          set_errno_error (error, errsv, _("Cannot read the key file “%s”"), path);
          return NULL;
        }
      got += (gsize) n;
    }
  close (fd);
  return g_steal_pointer (&buf);
}
