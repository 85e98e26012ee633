#define G_LOG_DOMAIN "joconde-bench"
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "jc-test-sandbox.h"

/* Upload throughput of `jocondectl upload` in a sandbox (check, attestation of the three
 * VMs, secret sharing by the engine, three attested TLS streams), printed next to this
 * machine's raw ChaCha20-Poly1305 speed (libsodium, one core) measured in the same run;
 * and the peak resident memory of the uploading process, which must not grow with the
 * file: the default run uploads a CSV of about 1 GB.
 *
 *   bench-upload [--size-mb N] [--keep]      (environment as set by meson's benchmark) */

static char *sandbox;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Runs jocondectl; returns its stdout, the peak RSS of the child in KiB and its time. */
static char *
ctl (glong *max_rss_kib, double *seconds, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;
  g_ptr_array_add (argv, (gpointer) g_getenv ("JOCONDECTL"));
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_autoptr(GError) error = NULL;
  GPid pid;
  int out_fd;
  double t0 = now_s ();
  if (!g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                 NULL, &pid, NULL, &out_fd, NULL, &error))
    g_error ("%s", error->message);
  g_autoptr(GIOChannel) ch = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (ch, TRUE);
  char *out = NULL;
  gsize len = 0;
  g_io_channel_read_to_end (ch, &out, &len, NULL);
  int status = 0;
  struct rusage ru;
  if (wait4 (pid, &status, 0, &ru) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("jocondectl %s failed (status %d)", first, status);
  if (max_rss_kib)
    *max_rss_kib = ru.ru_maxrss;
  if (seconds)
    *seconds = now_s () - t0;
  return out ? g_strstrip (out) : g_strdup ("");
}

static char *
node (const char *name)
{
  return g_build_filename (sandbox, "nodes", name, NULL);
}

/* Raw AEAD speed: ChaCha20-Poly1305 (IETF) over 64 KiB messages, one core. */
static double
chacha_mb_s (void)
{
  const gsize chunk = 64 * 1024, total = (gsize) 512 << 20;
  g_autofree guint8 *in = g_malloc (chunk), *out = g_malloc (chunk + crypto_aead_chacha20poly1305_ietf_ABYTES);
  guint8 key[crypto_aead_chacha20poly1305_ietf_KEYBYTES], nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = { 0 };
  randombytes_buf (key, sizeof key);
  randombytes_buf (in, chunk);
  double t0 = now_s ();
  for (gsize done = 0; done < total; done += chunk)
    {
      unsigned long long clen;
      sodium_increment (nonce, sizeof nonce);
      crypto_aead_chacha20poly1305_ietf_encrypt (out, &clen, in, chunk, NULL, 0, NULL, nonce, key);
    }
  return (total / 1e6) / (now_s () - t0);
}

static char *
write_draft (const char *data)
{
  g_autofree char *src = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates", "task.json", NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  if (!json_parser_load_from_file (p, src, NULL))
    g_error ("cannot read %s", src);
  JsonObject *o = json_node_get_object (json_parser_get_root (p));
  JsonObject *dl = json_object_get_object_member (o, "deadlines");
  const char *names[] = { "approval", "input", "execution", "output" };
  const int minutes[] = { 20, 120, 180, 240 };
  g_autoptr(GDateTime) t = g_date_time_new_now_utc ();
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(GDateTime) u = g_date_time_add_minutes (t, minutes[i]);
      g_autofree char *s = g_date_time_format (u, "%Y-%m-%dT%H:%M:%SZ");
      json_object_set_string_member (dl, names[i], s);
    }
  g_autofree char *guest = NULL;
  gsize glen = 0;
  if (!g_file_get_contents (g_getenv ("JC_GUEST_BINARY"), &guest, &glen, NULL))
    g_error ("cannot read the guest binary");
  g_autofree char *m = g_compute_checksum_for_data (G_CHECKSUM_SHA384, (const guchar *) guest, glen);
  JsonArray *ms = json_array_new ();
  json_array_add_string_element (ms, m);
  json_object_set_array_member (json_object_get_object_member (o, "tee"), "measurements", ms);
  /* No data-quality query: the benchmark measures the upload itself. */
  json_object_remove_member (json_array_get_object_element (json_object_get_array_member (o, "inputs"), 0), "quality");
  JsonObject *att = json_array_get_object_element (json_object_get_array_member (o, "attachments"), 0);
  g_autofree char *legal = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates", "legal-basis.txt", NULL);
  json_object_set_string_member (att, "file", legal);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, json_parser_get_root (p));
  char *path = g_build_filename (data, "task.json", NULL);
  json_generator_to_file (gen, path, NULL);
  return path;
}

int
main (int argc, char **argv)
{
  gint size_mb = 1024;
  gboolean keep = FALSE;
  const GOptionEntry entries[] = {
    { "size-mb", 's', 0, G_OPTION_ARG_INT, &size_mb, "Size of the uploaded CSV in MB (default 1024)", "N" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the sandbox and files", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, NULL) || sodium_init () < 0 || size_mb <= 0)
    return 2;

  printf ("# upload benchmark: %d MB CSV, process backend, simulated TEE\n", size_mb);
  double chacha = chacha_mb_s ();
  printf ("baseline: ChaCha20-Poly1305 (libsodium, 1 core): %.0f MB/s\n", chacha);
  fflush (stdout);

  g_autoptr(GError) error = NULL;
  sandbox = g_dir_make_tmp ("jc-bench-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *data = g_build_filename (sandbox, "data", NULL);
  /* The population table: about 33 bytes a row. */
  gint64 rows = (gint64) size_mb * 1000000 / 33;
  g_autofree char *rows_s = g_strdup_printf ("%" G_GINT64_FORMAT, rows);
  const char *gen[] = { g_getenv ("JC_EXAMPLE_GEN"), "--rows", rows_s, "--out", data, NULL };
  int st = 0;
  double t0 = now_s ();
  if (!g_spawn_sync (NULL, (char **) gen, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &st, NULL)
      || !g_spawn_check_wait_status (st, NULL))
    g_error ("the data generator failed");
  g_autofree char *pop = g_build_filename (data, "population.csv", NULL);
  GStatBuf sb;
  g_stat (pop, &sb);
  printf ("generated %s: %.1f MB, %" G_GINT64_FORMAT " rows in %.1f s\n", pop, sb.st_size / 1e6, rows,
          now_s () - t0);
  fflush (stdout);

  /* Stopped on every way out, a timeout's SIGTERM included. */
  jc_test_sandbox_guard (g_getenv ("JOCONDECTL"), sandbox);
  if (!jc_test_sandbox_up (sandbox, &error))
    g_error ("%s", error->message);
  g_autofree char *draft = write_draft (data);
  g_autofree char *nsi = node ("nsi"), *mno = node ("mno"), *so = node ("so");
  g_autofree char *nsi_c = node ("nsi-custodian"), *nsi_a = node ("nsi-analyst");
  g_autofree char *mno_c = node ("mno-custodian"), *mno_a = node ("mno-analyst");
  g_autofree char *task = ctl (NULL, NULL, "task", "draft", "--node", nsi, draft, NULL);
  g_autofree char *pc = ctl (NULL, NULL, "pak", "new", "--node", nsi_c, "--task", task, NULL);
  g_autofree char *pa = ctl (NULL, NULL, "pak", "new", "--node", nsi_a, "--task", task, NULL);
  g_autofree char *qc = ctl (NULL, NULL, "pak", "new", "--node", mno_c, "--task", task, NULL);
  g_autofree char *qa = ctl (NULL, NULL, "pak", "new", "--node", mno_a, "--task", task, NULL);
  g_autofree char *sheet = g_build_filename (data, "sheet.txt", NULL);
  g_file_set_contents (sheet, "signed\n", -1, NULL);
  struct { const char *n, *c, *a, *in, *sig; } org[] = {
    { nsi, pc, pa, "population", "nsi-signatory" }, { mno, qc, qa, "subscribers", "mno-signatory" } };
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *c = g_strdup_printf ("%s=%s", org[i].c, org[i].in);
      g_autofree char *a = g_strdup_printf ("%s=residents", org[i].a);
      g_autofree char *a2 = g_strdup_printf ("%s=subscriptions", org[i].a);
      g_free (ctl (NULL, NULL, "addendum", "--node", org[i].n, "--task", task, "--custodian", c,
                   "--analyst", a, "--analyst", a2, "--signatory", org[i].sig, "--signatory-doc",
                   sheet, NULL));
      g_free (ctl (NULL, NULL, "sign", "--node", org[i].n, "--task", task, "--signature", sheet, NULL));
    }
  g_free (ctl (NULL, NULL, "approve", "--node", so, "--task", task, NULL));
  g_free (ctl (NULL, NULL, "status", "--node", nsi, "--task", task, "--wait", "input", "--timeout", "120", NULL));

  glong rss = 0;
  double secs = 0;
  g_autofree char *up = ctl (&rss, &secs, "upload", "--node", nsi_c, "--task", task, "--input",
                             "population", pop, "--timeout", "3600", NULL);
  printf ("%s\n", up);
  printf ("upload (CSV check + secret sharing + 3 attested TLS streams): %.1f MB in %.1f s = %.1f MB/s"
          " (%.1f %% of raw ChaCha20-Poly1305)\n", sb.st_size / 1e6, secs, sb.st_size / 1e6 / secs,
          100.0 * (sb.st_size / 1e6 / secs) / chacha);
  printf ("peak resident memory of jocondectl upload: %.1f MB for a %.1f MB file\n", rss / 1024.0,
          sb.st_size / 1e6);
  g_free (ctl (NULL, NULL, "terminate", "--node", nsi, "--task", task, "--reason", "benchmark done", NULL));
  jc_test_sandbox_down (sandbox);
  if (!keep)
    {
      const char *rm[] = { "rm", "-rf", sandbox, NULL };
      g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  return 0;
}
