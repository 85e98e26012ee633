#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-net-sqlite-private.h"
#include "jc-relay-mail.h"

#define MAX_ATTEMPTS 10

/* Only plain addresses reach the command line: no spaces, no leading '-', one '@'. */
static gboolean
address_ok (const char *a)
{
  if (!a || !*a || a[0] == '-' || strlen (a) > 254)
    return FALSE;
  const char *at = strchr (a, '@');
  if (!at || at == a || !at[1] || strchr (at + 1, '@'))
    return FALSE;
  for (const char *p = a; *p; p++)
    if (*p <= ' ' || *p >= 127 || strchr ("<>()[],;:\\\"", *p))
      return FALSE;
  return TRUE;
}

gboolean
jc_relay_mail_queue (JcRelay *relay, const char *const *to, const char *subject,
                     const char *text, GError **error)
{
  if (!relay->config->mail_command)
    return TRUE;
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (guint i = 0; to && to[i]; i++)
    if (address_ok (to[i]))
      g_strv_builder_add (sb, to[i]);
  g_auto(GStrv) ok = g_strv_builder_end (sb);
  if (!ok[0])
    return TRUE;
  g_autofree char *rcpt = g_strjoinv (" ", ok);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT INTO mail (recipients, subject, body, queued, attempts) VALUES (?,?,?,?,0)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, rcpt, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  return TRUE;
}

typedef struct {
  JcRelay *relay;
  gint64   id;
} Sending;

static void
mark (JcRelay *relay, gint64 id, gboolean sent)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db, sent
    ? "DELETE FROM mail WHERE id = ?"
    : "UPDATE mail SET attempts = attempts + 1 WHERE id = ?", NULL);
  if (st)
    {
      sqlite3_bind_int64 (st, 1, id);
      sqlite3_step (st);
    }
}

static void
sent_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autofree Sending *s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = G_SUBPROCESS (source);
  gboolean ok = g_subprocess_communicate_utf8_finish (proc, res, NULL, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the relay is shutting down; the notice stays queued */
  JcRelay *relay = s->relay;
  ok = ok && g_subprocess_get_successful (proc);
  if (!ok)
    g_warning ("the mail command failed for notice %" G_GINT64_FORMAT ": %s", s->id,
               error ? error->message : "non-zero exit");
  mark (relay, s->id, ok);
  relay->mail_busy = FALSE;
  if (ok)
    jc_relay_mail_flush (relay);
}

/* Sends the oldest queued notice; the next one follows when it is done. */
void
jc_relay_mail_flush (JcRelay *relay)
{
  if (!relay || relay->mail_busy || !relay->config->mail_command)
    return;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT id, recipients, subject, body FROM mail WHERE attempts < ? ORDER BY id LIMIT 1", NULL);
  if (!st)
    return;
  sqlite3_bind_int (st, 1, MAX_ATTEMPTS);
  if (sqlite3_step (st) != SQLITE_ROW)
    return;
  gint64 id = sqlite3_column_int64 (st, 0);
  g_auto(GStrv) cmd = NULL;
  g_autoptr(GError) error = NULL;
  if (!g_shell_parse_argv (relay->config->mail_command, NULL, &cmd, &error))
    {
      g_warning ("[mail] command cannot be parsed: %s", error->message);
      return;
    }
  g_auto(GStrv) rcpt = g_strsplit ((const char *) sqlite3_column_text (st, 1), " ", -1);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_strv_builder_addv (argv, (const char **) cmd);
  g_strv_builder_addv (argv, (const char **) rcpt);
  g_auto(GStrv) args = g_strv_builder_end (argv);
  g_autofree char *to_line = g_strjoinv (", ", rcpt);
  g_autofree char *date = jc_time_format (jc_time_now ());
  g_autofree char *msg = g_strdup_printf (
    "From: %s\nTo: %s\nSubject: %s\nX-Joconde-Date: %s\nContent-Type: text/plain; charset=utf-8\n\n%s\n",
    relay->config->mail_from, to_line, (const char *) sqlite3_column_text (st, 2), date,
    (const char *) sqlite3_column_text (st, 3));
  GSubprocess *proc = g_subprocess_newv ((const char *const *) args,
                                         G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  if (!proc)
    {
      g_warning ("cannot run the mail command: %s", error->message);
      mark (relay, id, FALSE);
      return;
    }
  Sending *s = g_new0 (Sending, 1);
  s->relay = relay;
  s->id = id;
  relay->mail_busy = TRUE;
  g_subprocess_communicate_utf8_async (proc, msg, relay->mail_cancel, sent_cb, s);
}
