#define G_LOG_DOMAIN "joconde-log"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <string.h>
#include <unistd.h>

#include "jc-error.h"
#include "jc-log.h"

struct _JcLog {
  GObject       parent_instance;
  char         *app_name;
  char         *hostname;
  JcLogTarget   target;
  char         *path;
  int           fd;
  int           facility;
  JcLogSeverity min;
  guint64       dropped;
  GMutex        lock;
};

G_DEFINE_FINAL_TYPE (JcLog, jc_log, G_TYPE_OBJECT)

static void
jc_log_finalize (GObject *object)
{
  JcLog *self = JC_LOG (object);

  if (self->fd >= 0 && self->target != JC_LOG_TO_STDERR)
    close (self->fd);
  g_free (self->app_name);
  g_free (self->hostname);
  g_free (self->path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (jc_log_parent_class)->finalize (object);
}

static void
jc_log_class_init (JcLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_log_finalize;
}

static void
jc_log_init (JcLog *self)
{
  self->fd = -1;
  self->facility = JC_LOG_FACILITY_DAEMON;
  self->min = JC_LOG_INFO;
  g_mutex_init (&self->lock);
}

/* RFC 5424 §6: header fields are PRINTUSASCII without spaces, or "-" when empty. */
static void
append_token (GString *s, const char *value, gsize max)
{
  gsize n = 0;

  if (value == NULL || *value == '\0')
    {
      g_string_append_c (s, '-');
      return;
    }
  for (const char *p = value; *p && n < max; p++, n++)
    g_string_append_c (s, (*p > 32 && *p < 127) ? *p : '_');
}

static void
append_sd_name (GString *s, const char *name)
{
  gsize n = 0;

  for (const char *p = name; *p && n < 32; p++, n++)
    g_string_append_c (s, (*p > 32 && *p < 127 && *p != '=' && *p != ']' && *p != '"') ? *p : '_');
}

/* §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with '\'. Records are one
 * line each, so line breaks become "\n" literally, and invalid UTF-8 is replaced. */
static void
append_value (GString *s, const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value ? value : "", -1);

  for (const char *p = valid; *p; p++)
    {
      switch (*p)
        {
        case '"': case '\\': case ']':
          g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
          break;
        case '\n':
          g_string_append (s, "\\n");
          break;
        case '\r':
          g_string_append (s, "\\r");
          break;
        default:
          g_string_append_c (s, *p);
        }
    }
}

static void
append_timestamp (GString *s, gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);

  if (dt == NULL)
    {
      g_string_append_c (s, '-');
      return;
    }
  g_string_append_printf (s, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt),
                          (int) (time_us % G_USEC_PER_SEC));
}

char *
jc_log_format_record (int facility, JcLogSeverity severity, gint64 time_us,
                      const char *hostname, const char *app_name, gint64 procid,
                      const char *msgid, const JcLogParam *params, const char *msg)
{
  GString *s = g_string_new (NULL);
  g_autofree char *procid_text = g_strdup_printf ("%" G_GINT64_FORMAT, procid);
  g_autofree char *valid_msg = NULL;

  g_string_append_printf (s, "<%d>1 ", facility * 8 + (int) severity);
  append_timestamp (s, time_us);
  g_string_append_c (s, ' ');
  append_token (s, hostname, 255);
  g_string_append_c (s, ' ');
  append_token (s, app_name, 48);
  g_string_append_c (s, ' ');
  append_token (s, procid > 0 ? procid_text : NULL, 128);
  g_string_append_c (s, ' ');
  append_token (s, msgid, 32);
  g_string_append_c (s, ' ');
  if (params == NULL || params[0].name == NULL)
    g_string_append_c (s, '-');
  else
    {
      g_string_append (s, "[" JC_LOG_SD_ID);
      for (const JcLogParam *p = params; p->name; p++)
        {
          g_string_append_c (s, ' ');
          append_sd_name (s, p->name);
          g_string_append (s, "=\"");
          append_value (s, p->value);
          g_string_append_c (s, '"');
        }
      g_string_append_c (s, ']');
    }
  if (msg != NULL && *msg != '\0')
    {
      valid_msg = g_utf8_make_valid (msg, -1);
      g_strdelimit (valid_msg, "\r\n", ' ');
      g_string_append_c (s, ' ');
      g_string_append (s, valid_msg);
    }
  return g_string_free (s, FALSE);
}

static gboolean
open_syslog (JcLog *self, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *path = self->path ? self->path : "/dev/log";

  if (strlen (path) >= sizeof addr.sun_path)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Syslog socket path is too long: %s"), path);
      return FALSE;
    }
  strcpy (addr.sun_path, path);
  self->fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (self->fd < 0 || connect (self->fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int saved = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot connect to the syslog socket %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

JcLog *
jc_log_new (const char *app_name, JcLogTarget target, const char *path, GError **error)
{
  g_autoptr(JcLog) self = g_object_new (JC_TYPE_LOG, NULL);

  self->app_name = g_strdup (app_name);
  self->hostname = g_strdup (g_get_host_name ());
  self->target = target;
  self->path = g_strdup (path);
  switch (target)
    {
    case JC_LOG_TO_STDERR:
      self->fd = STDERR_FILENO;
      break;
    case JC_LOG_TO_SYSLOG:
      if (!open_syslog (self, error))
        return NULL;
      break;
    case JC_LOG_TO_FILE:
      self->fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (self->fd < 0)
        {
          int saved = errno;
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot open the log file %s: %s"),
                       path, g_strerror (saved));
          return NULL;
        }
      break;
    }
  return g_steal_pointer (&self);
}

void
jc_log_set_facility (JcLog *self, int facility)
{
  self->facility = facility;
}

void
jc_log_set_min_severity (JcLog *self, JcLogSeverity min)
{
  self->min = min;
}

guint64
jc_log_get_dropped (JcLog *self)
{
  return self->dropped;
}

void
jc_log_write (JcLog *self, JcLogSeverity severity, const char *msgid,
              const JcLogParam *params, const char *format, ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *record = NULL;
  va_list args;
  ssize_t n;
  gsize len;

  if (severity > self->min)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  record = jc_log_format_record (self->facility, severity, g_get_real_time (), self->hostname,
                                 self->app_name, getpid (), msgid, params, msg);
  len = strlen (record);
  g_mutex_lock (&self->lock);
  if (self->target == JC_LOG_TO_SYSLOG)
    n = send (self->fd, record, len, MSG_NOSIGNAL);
  else
    {
      /* One write per record, with O_APPEND, keeps records whole across processes. */
      char *line = g_strconcat (record, "\n", NULL);
      n = write (self->fd, line, len + 1);
      n = n == (ssize_t) (len + 1) ? (ssize_t) len : -1;
      g_free (line);
    }
  if (n != (ssize_t) len && self->dropped++ == 0)
    fprintf (stderr, _("%s: a log record could not be written (%s); further losses are counted\n"),
             self->app_name, g_strerror (errno));
  g_mutex_unlock (&self->lock);
}
