#define G_LOG_DOMAIN "joconde-relay-test"
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sqlite3.h>

#include "relay-test-util.h"
#include "../../tests/common/jc-test-daemon.h"

char *
test_pki_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("jc-relay-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *pki = g_build_filename (dir, "pki", NULL);
  const char *argv[] = { g_getenv ("JC_TEST_PKI_SCRIPT"), pki, NULL };
  g_assert_nonnull (argv[0]);
  int status = 0;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return dir;
}

void
test_rm_rf (const char *path)
{
  g_autoptr(GFile) f = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) en = g_file_enumerate_children (f, G_FILE_ATTRIBUTE_STANDARD_NAME
                                                             "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                             G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                             NULL, NULL);
  GFileInfo *info;
  while (en && (info = g_file_enumerator_next_file (en, NULL, NULL)))
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        test_rm_rf (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

TestRelay *
test_relay_new (const char *dir, const char *name, const char *parent_url, const char *extra)
{
  TestRelay *r = g_new0 (TestRelay, 1);
  r->name = g_strdup (name);
  r->port = jc_test_free_port ();
  r->parent_url = g_strdup (parent_url);
  r->state_dir = g_strdup_printf ("%s/state-%s", dir, name);
  r->conf = g_strdup_printf ("%s/%s.conf", dir, name);
  g_autofree char *text = g_strdup_printf (
    "[node]\ncertificate=pki/%s.chain\nkey=pki/%s.key\nroot-ca=pki/ca.pem\nstate-dir=%s\n"
    "[listen]\naddress=127.0.0.1\nport=%u\n"
    "[parent]\nurl=%s\n"
    "[link]\nreconnect-min-ms=50\nreconnect-max-ms=400\nkeepalive-seconds=2\n"
    "[log]\ntarget=file\n"
    "%s\n",
    name, name, r->state_dir, r->port, parent_url ? parent_url : "", extra ? extra : "");
  g_assert_true (g_file_set_contents (r->conf, text, -1, NULL));
  return r;
}

char *
test_relay_url (TestRelay *r)
{
  return g_strdup_printf ("https://127.0.0.1:%u", r->port);
}


char *
test_first_line (GSubprocess *proc)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

void
test_relay_start (TestRelay *r)
{
  g_autoptr(GError) error = NULL;
  g_assert_null (r->proc);
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A relay must not outlive a test that aborted. */
  g_subprocess_launcher_set_child_setup (l, jc_test_die_with_parent, NULL, NULL);
  r->proc = g_subprocess_launcher_spawn (l, &error, g_getenv ("JC_RELAY_BIN"), "-c", r->conf,
                                         "run", NULL);
  g_assert_no_error (error);
  /* The relay prints one line once it listens. */
  g_autofree char *line = test_first_line (r->proc);
  g_assert_true (g_str_has_prefix (line, "listening"));
}

TestRelay *
test_relay_run (const char *dir, const char *name, const char *parent_url, const char *extra,
                char **url)
{
  TestRelay *r = test_relay_new (dir, name, parent_url, extra);

  test_relay_start (r);
  *url = test_relay_url (r);
  return r;
}

void
test_relay_kill (TestRelay *r)
{
  if (!r->proc)
    return;
  g_subprocess_send_signal (r->proc, SIGKILL);
  g_subprocess_wait (r->proc, NULL, NULL);
  g_clear_object (&r->proc);
}

/* The relay's database is consistent: SQLite's integrity check passes, no foreign key
 * dangles, and nothing waits in an outbox for a message the relay does not hold. */
void
test_relay_check_database (TestRelay *r)
{
  g_autofree char *path = g_build_filename (r->state_dir, "relay.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  const char *checks[][2] = {
    { "PRAGMA integrity_check", "ok" },
    { "SELECT count(*) FROM pragma_foreign_key_check", "0" },
    { "SELECT count(*) FROM outbox WHERE msg_id NOT IN (SELECT id FROM messages)", "0" },
    { "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.msg_id WHERE m.envelope = ''", "0" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      sqlite3_stmt *st = NULL;
      g_assert_cmpint (sqlite3_prepare_v2 (db, checks[i][0], -1, &st, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, checks[i][1]);
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
}

void
test_relay_free (TestRelay *r)
{
  if (r->proc)
    {
      /* A relay that crashed during the test (or, under the sanitizers, leaked or
       * misbehaved) does not exit cleanly on SIGTERM: that fails the test. */
      g_subprocess_send_signal (r->proc, SIGTERM);
      g_subprocess_wait (r->proc, NULL, NULL);
      if (!g_subprocess_get_if_exited (r->proc) || g_subprocess_get_exit_status (r->proc) != 0)
        g_error ("relay %s did not stop cleanly (%s %d)", r->name,
                 g_subprocess_get_if_exited (r->proc) ? "exit status" : "signal",
                 g_subprocess_get_if_exited (r->proc) ? g_subprocess_get_exit_status (r->proc)
                                                      : g_subprocess_get_term_sig (r->proc));
      g_clear_object (&r->proc);
    }
  test_relay_check_database (r);
  g_free (r->name);
  g_free (r->conf);
  g_free (r->state_dir);
  g_free (r->parent_url);
  g_free (r);
}

JcNetClient *
test_client_new (const char *dir, const char *name, const char *subdir, const char *parent_url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = g_strdup_printf ("%s/pki/%s.chain", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/pki/%s.key", dir, name);
  g_autofree char *ca = g_strdup_printf ("%s/pki/ca.pem", dir);
  g_autofree char *db = g_strdup_printf ("%s/%s-%s.db", dir, name, subdir ? subdir : "leaf");
  JcNetClientOptions o = {
    .db_path = db, .parent_url = parent_url, .cert_file = cert, .key_file = key, .ca_file = ca,
    .reconnect_min_ms = 50, .reconnect_max_ms = 400,
  };
  JcNetClient *c = jc_net_client_new (&o, &error);
  g_assert_no_error (error);
  return c;
}

gboolean
test_client_is_connected (gpointer client)
{
  return jc_net_client_is_connected (client);
}

gboolean
test_client_is_disconnected (gpointer client)
{
  return !jc_net_client_is_connected (client);
}

gboolean
test_wait (gboolean (*done) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
test_spin (guint ms)
{
  test_wait (never, NULL, ms);
}

static gboolean
accept_any_server (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                   gpointer data)
{
  return TRUE; /* these requests test the server's side of the handshake */
}

/* The HTTP status of GET url as node name (NULL: no client certificate), or 0 with
 * the error when the TLS handshake was refused. */
int
test_https_status (const char *url, const char *dir, const char *name, char **error_message)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_server), NULL);
  if (name)
    {
      g_autofree char *cert = g_strdup_printf ("%s/pki/%s.chain", dir, name);
      g_autofree char *key = g_strdup_printf ("%s/pki/%s.key", dir, name);
      g_autoptr(GTlsCertificate) c = g_tls_certificate_new_from_files (cert, key, &error);
      g_assert_no_error (error);
      soup_message_set_tls_client_certificate (msg, c);
    }
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
  if (!body)
    {
      if (error_message)
        *error_message = g_strdup (error->message);
      return 0;
    }
  return soup_message_get_status (msg);
}
