#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "jc-cli.h"
#include "jc-error.h"

/* Reading a security token's PIN: from a file, or typed on the terminal without echo.
 * The PIN only ever lives in guarded memory (JcSecret). */

#define PIN_MAX 256

/* Reads one line of FD into guarded memory; the line feed (and a carriage return) ends it. */
static JcSecret *
read_line (int fd, GError **error)
{
  g_autoptr(JcSecret) buf = jc_secret_new (PIN_MAX);
  gsize len = 0;

  for (;;)
    {
      guint8 c;
      ssize_t n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot read the PIN: %s"), g_strerror (errno));
          return NULL;
        }
      if (n == 0 || c == '\n')
        break;
      if (len == PIN_MAX)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                       _("The PIN is longer than %d characters"), PIN_MAX);
          return NULL;
        }
      buf->data[len++] = c;
    }
  if (len > 0 && buf->data[len - 1] == '\r')
    len--;
  JcSecret *pin = jc_secret_copy (buf->data, len);
  return pin;
}

JcSecret *
jc_cli_read_pin (const char *pin_file, const char *token_label, GError **error)
{
  if (pin_file != NULL)
    {
      int fd = open (pin_file, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot read %s: %s"), pin_file,
                       g_strerror (errno));
          return NULL;
        }
      JcSecret *pin = read_line (fd, error);
      close (fd);
      return pin;
    }
  int tty = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  struct termios saved, quiet;
  if (tty < 0 || !isatty (tty) || tcgetattr (tty, &saved) != 0)
    {
      if (tty >= 0)
        close (tty);
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("No terminal to type the PIN on: give it with --pin-file FILE"));
      return NULL;
    }
  g_autofree char *prompt = g_strdup_printf (_("PIN of the security token “%s”: "), token_label);
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;
  if (write (tty, prompt, strlen (prompt)) < 0 || tcsetattr (tty, TCSAFLUSH, &quiet) != 0)
    {
      close (tty);
      g_set_error_literal (error, JC_ERROR, JC_ERROR_IO, _("Cannot turn off echo on the terminal"));
      return NULL;
    }
  JcSecret *pin = read_line (tty, error);
  tcsetattr (tty, TCSAFLUSH, &saved);
  close (tty);
  return pin;
}
