/* Three orchestrators as processes on loopback with the simulated TEE, and a client on
 * libjoconde/ctio: what the guest tests share. */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "jc-ctio.h"
#include "jc-engine.h"
#include "jc-tee-sim.h"
#include "task-fixture.h"
#include "../../tests/common/jc-test-daemon.h"

typedef struct {
  GSubprocess *proc[3];
  guint16      port[3];
  char        *address[3];
  char        *state_dir[3];
  char        *log_path[3];
  GPtrArray   *events[3];     /* lines the guest wrote on stdout (to its cpd) */
  GThread     *readers[3];
  GMutex       lock;
  char        *dir;
} Guests;

typedef struct {
  Guests *g;
  guint   party;
} ReaderArgs;

static gpointer
read_events (gpointer data)
{
  ReaderArgs *args = data;
  Guests *g = args->g;
  guint p = args->party;
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (g->proc[p]));
  char *line;

  g_free (args);
  while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
    {
      g_mutex_lock (&g->lock);
      g_ptr_array_add (g->events[p], line);
      g_mutex_unlock (&g->lock);
    }
  return NULL;
}

static void
write_pem (const char *path, JcCert *first, JcCert *second)
{
  g_autofree char *a = jc_cert_to_pem (first);
  g_autofree char *b = second ? jc_cert_to_pem (second) : g_strdup ("");
  g_autofree char *all = g_strconcat (a, b, NULL);
  g_assert_true (g_file_set_contents (path, all, -1, NULL));
}

/* VIA_HTTP: the counterparts' addresses are not on the command line but posted by the
 * "cpd" to POST /counterparts, as for VMs whose addresses are known only once all run. */
static void
guests_start_full (Guests *g, Task *t, gboolean via_http)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cta = NULL, *root = NULL, *approver = NULL, *key = NULL, *cps = NULL;
  g_autoptr(JcSecret) sim = NULL;

  memset (g, 0, sizeof *g);
  g_mutex_init (&g->lock);
  g->dir = g_dir_make_tmp ("jc-guest-test-XXXXXX", &error);
  g_assert_no_error (error);
  cta = g_build_filename (g->dir, "task.cta.json", NULL);
  root = g_build_filename (g->dir, "root.pem", NULL);
  approver = g_build_filename (g->dir, "approver.pem", NULL);
  key = g_build_filename (g->dir, "sim-tee.key", NULL);
  g_assert_true (g_file_set_contents (cta, g_bytes_get_data (t->cta_bytes, NULL),
                                      (gssize) g_bytes_get_size (t->cta_bytes), NULL));
  write_pem (root, t->root, NULL);
  write_pem (approver, t->so, NULL);
  /* one simulator key for the host, made before the three guests race for it */
  sim = jc_tee_sim_key_load_or_create (key, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      g->port[i] = jc_test_free_port ();
      g->address[i] = g_strdup_printf ("127.0.0.1:%u", g->port[i]);
    }
  cps = g_strjoin (",", g->address[0], g->address[1], g->address[2], NULL);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autofree char *listen = g_strdup_printf ("--listen=%s", g->address[i]);
      g_autofree char *party = g_strdup_printf ("--party=%d", i + 1);
      g_autofree char *sd = g_strdup_printf ("state-%d", i + 1);
      ReaderArgs *args = g_new0 (ReaderArgs, 1);

      g->state_dir[i] = g_build_filename (g->dir, sd, NULL);
      g_assert_cmpint (g_mkdir (g->state_dir[i], 0700), ==, 0);
      g->log_path[i] = g_strdup_printf ("%s/guest-%d.log", g->dir, i + 1);
      g_subprocess_launcher_set_stderr_file_path (l, g->log_path[i]);
      g_subprocess_launcher_set_child_setup (l, jc_test_die_with_parent, NULL, NULL);
      g->events[i] = g_ptr_array_new_with_free_func (g_free);
      if (via_http)
        g->proc[i] = g_subprocess_launcher_spawn (l, &error, g_getenv ("JC_GUEST_BINARY"), listen,
                                                  "--cta", cta, "--root", root, "--approver",
                                                  approver, party, "--sim-key", key,
                                                  "--state-dir", g->state_dir[i],
                                                  "--counterpart-timeout", "5", NULL);
      else if (g_getenv ("JC_GUEST_GDB") != NULL)
        g->proc[i] = g_subprocess_launcher_spawn (l, &error, "sh", "-c", "exec gdb -batch -ex run -ex 'thread apply all bt' --args \"$@\" > \"$0.gdb\" 2>&1", g->log_path[i], g_getenv ("JC_GUEST_BINARY"), listen,
                                                "--cta", cta, "--root", root, "--approver",
                                                approver, party, "--counterparts", cps,
                                                "--sim-key", key, "--state-dir", g->state_dir[i],
                                                "--counterpart-timeout", "5", NULL);
      else
      g->proc[i] = g_subprocess_launcher_spawn (l, &error, g_getenv ("JC_GUEST_BINARY"), listen,
                                                "--cta", cta, "--root", root, "--approver",
                                                approver, party, "--counterparts", cps,
                                                "--sim-key", key, "--state-dir", g->state_dir[i],
                                                "--counterpart-timeout", "5", NULL);
      g_assert_no_error (error);
      args->g = g;
      args->party = i;
      g->readers[i] = g_thread_new ("events", read_events, args);
    }
}

static void
guests_start (Guests *g, Task *t)
{
  guests_start_full (g, t, FALSE);
}

/* POSTs BODY to PATH on guest I; returns the HTTP status. */
static guint
guests_post (Guests *g, int i, const char *path, const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("http://%s%s", g->address[i], path);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) reply = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));
      g_autoptr(GError) error = NULL;
      g_clear_object (&msg);
      msg = soup_message_new ("POST", uri);
      soup_message_set_request_body_from_bytes (msg, "application/json", b);
      g_clear_pointer (&reply, g_bytes_unref);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply != NULL || g_get_monotonic_time () > end)
        break;
      g_usleep (100 * 1000);   /* not listening yet */
    }
  return soup_message_get_status (msg);
}

static void
guests_kill (Guests *g, int i)
{
  if (g->proc[i] == NULL)
    return;
  g_subprocess_send_signal (g->proc[i], SIGKILL);
  g_subprocess_wait (g->proc[i], NULL, NULL);
  g_thread_join (g->readers[i]);
  g->readers[i] = NULL;
  g_clear_object (&g->proc[i]);
}

static gboolean
guests_has_event (Guests *g, int i, const char *needle)
{
  gboolean found = FALSE;
  g_mutex_lock (&g->lock);
  for (guint k = 0; k < g->events[i]->len && !found; k++)
    found = strstr (g->events[i]->pdata[k], needle) != NULL;
  g_mutex_unlock (&g->lock);
  return found;
}

static char *
guests_log (Guests *g, int i)
{
  char *text = NULL;
  g_file_get_contents (g->log_path[i], &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

static void
guests_stop (Guests *g)
{
  for (int i = 0; i < 3; i++)
    {
      if (g->proc[i] != NULL)
        {
          if (g_test_failed ())
            {
              g_autofree char *log = guests_log (g, i);
              g_test_message ("guest %d log:\n%s", i + 1, log);
            }
          g_subprocess_send_signal (g->proc[i], SIGTERM);
          g_subprocess_wait (g->proc[i], NULL, NULL);
          g_thread_join (g->readers[i]);
          g_clear_object (&g->proc[i]);
        }
      if (g->log_path[i] != NULL)
        {
          /* a sanitizer build reports into the guest's stderr: that is a failure too */
          g_autofree char *log = guests_log (g, i);
          if (strstr (log, "Sanitizer") != NULL || strstr (log, "runtime error:") != NULL)
            g_test_message ("guest %d log:\n%s", i + 1, log);
          g_assert_null (strstr (log, "Sanitizer"));
          g_assert_null (strstr (log, "runtime error:"));
        }
      g_clear_pointer (&g->events[i], g_ptr_array_unref);
      g_free (g->address[i]);
      g_free (g->log_path[i]);
      g_free (g->state_dir[i]);
    }
  {
    const char *argv[] = { "rm", "-rf", g->dir, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (g->dir);
}

/* Files left in a guest's state directory (encrypted slots). */
static guint
guests_count_files (Guests *g, int i)
{
  g_autoptr(GDir) d = g_dir_open (g->state_dir[i], 0, NULL);
  guint n = 0;
  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static JcCtioClient *
client_new (Task *t, Guests *g, int pak)
{
  JcTeePolicy policy;
  JcCtioClient *c;

  jc_agreement_tee_policy (t->cta->ctsc, jc_time_now (), &policy);
  c = jc_ctio_client_new (&policy, t->cta_hash, sizeof t->cta_hash, t->pak[pak]);
  jc_tee_policy_clear (&policy);
  for (int i = 0; i < 3; i++)
    jc_ctio_client_set_address (c, i, g->address[i]);
  return c;
}

static char *
status_state (JcCtioClient *c, guint party, JsonNode **out)
{
  g_autoptr(GError) error = NULL;
  JsonNode *st = jc_ctio_status (c, party, NULL, &error);
  char *s;

  if (st == NULL)
    return g_strdup_printf ("error: %s", error->message);
  s = g_strdup (json_object_get_string_member (json_node_get_object (st), "state"));
  if (out != NULL)
    *out = st;
  else
    json_node_unref (st);
  return s;
}

/* Waits until every live guest reports STATE (through the IO protocol). */
static void
wait_state (JcCtioClient *c, Guests *g, const char *state, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  for (guint p = 0; p < 3; p++)
    {
      if (g->proc[p] == NULL)
        continue;
      for (;;)
        {
          g_autofree char *s = status_state (c, p, NULL);
          if (g_strcmp0 (s, state) == 0)
            break;
          if (g_get_monotonic_time () > end)
            {
              g_test_message ("party %u is %s, expected %s", p + 1, s, state);
              g_assert_cmpstr (s, ==, state);
            }
          g_usleep (100 * 1000);
        }
    }
}

/* ---- data through the engine's client side ---- */

static JcEngine *
engine (void)
{
  static JcEngine *e;
  if (e == NULL)
    {
      g_autoptr(GError) error = NULL;
      e = jc_engine_load_by_id (NULL, "rss3-sh-z64", &error);
      g_assert_no_error (error);
    }
  return e;
}

/* Uploads N rows made by ROW (row index, values) of input KEY. */
typedef void (*RowFunc) (guint i, JcEngineValue *values, char *idbuf);

static void
count_progress (guint64 bytes, gpointer user_data)
{
  guint64 *last = user_data;
  g_assert_cmpuint (bytes, >, *last);   /* progress only grows */
  *last = bytes;
}

static gboolean
upload (Task *t, JcCtioClient *c, const char *key, guint n, guint n_cols, RowFunc row,
        GError **error)
{
  const JcEngineInfo *info = jc_engine_get_info (engine ());
  const JcInputSpec *spec = jc_ctsc_find_input (t->cta->ctsc, key);
  g_autoptr(JcEngineSchema) schema = jc_ctio_engine_schema_new (key, spec->schema);
  g_autoptr(JcCtioUpload) up = jc_ctio_upload_begin (c, key, NULL, error);
  JcEngineError err = { 0 };
  JcEngineSharer *sh;
  guint64 progress = 0;
  gboolean ok;

  if (up == NULL)
    return FALSE;
  jc_ctio_upload_set_progress (up, count_progress, &progress);
  sh = info->sharer_new (schema, jc_ctio_upload_engine_write, up, &err);
  g_assert_nonnull (sh);
  for (guint i = 0; i < n; i++)
    {
      JcEngineValue v[8] = { { 0 } };
      char id[32];
      row (i, v, id);
      g_assert_cmpint (info->sharer_add_rows (sh, v, 1, &err), ==, 0);
    }
  g_assert_cmpint (info->sharer_finish (sh, &err), ==, 0);
  info->sharer_free (sh);
  (void) n_cols;
  ok = jc_ctio_upload_finish (up, NULL, error);
  /* every byte sent was reported */
  g_assert_cmpuint (progress, ==, jc_ctio_upload_get_bytes_sent (up));
  g_assert_cmpuint (progress, >, 0);
  return ok;
}

typedef struct {
  JcEngineReconstructor *rec;
  const JcEngineInfo    *info;
  GArray                *cells;   /* gint64, row-major */
} Download;

static gboolean
download_sink (guint party, const guint8 *buf, gsize len, gpointer user, GError **error)
{
  Download *d = user;
  JcEngineError err = { 0 };
  if (d->info->reconstructor_feed (d->rec, party, buf, len, &err) != 0)
    {
      jc_engine_set_error (error, &err);
      return FALSE;
    }
  return TRUE;
}

static int
collect_row (void *user, const JcEngineValue *row, size_t n)
{
  GArray *cells = user;
  for (size_t i = 0; i < n; i++)
    g_array_append_val (cells, row[i].i);
  return 0;
}

/* Downloads output KEY; returns its cells (row-major) or NULL with ERROR. */
static GArray *
download (Task *t, JcCtioClient *c, const char *key, GError **error)
{
  const JcEngineInfo *info = jc_engine_get_info (engine ());
  const JcOutputSpec *spec = jc_ctsc_find_output (t->cta->ctsc, key);
  g_autoptr(JcEngineSchema) schema = jc_ctio_engine_schema_new (key, spec->schema);
  Download d = { .info = info, .cells = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  JcEngineError err = { 0 };
  gboolean ok;

  d.rec = info->reconstructor_new (schema, collect_row, d.cells, &err);
  ok = jc_ctio_download (c, key, download_sink, &d, NULL, error);
  if (ok && info->reconstructor_finish (d.rec, &err) != 0)
    {
      jc_engine_set_error (error, &err);
      ok = FALSE;
    }
  info->reconstructor_free (d.rec);
  if (!ok)
    {
      g_array_unref (d.cells);
      return NULL;
    }
  return d.cells;
}
