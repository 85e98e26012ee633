#define G_LOG_DOMAIN "joconde-e2e"
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "jc-test-sandbox.h"
#include "../../libjoconde/tests/keys/softhsm-fixture.h"
#include "../../libjoconde/tests/keys/signer-fixture.h"

/* A task with both organisations from draft to download through jocondectl only, in a
 * sandbox (real relays, cpds, orchestrators, engine, attested TLS), with the results checked
 * against the same queries in SQLite; then the refusals a user must get, each with a clear
 * error. The sandbox is shared by the tests and stopped at the end. */

static char *sandbox;
static char *task_id;
static char *data_dir;
static char *paks[4]; /* nsi custodian, nsi analyst, mno custodian, mno analyst */
static SoftHsmFixture hsm; /* the MNO signatory's security token */

typedef struct {
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs jocondectl with ARGS (NULL-terminated), NULL standing for nothing. */
static Result
ctl (const char *first, ...)
{
  va_list ap;
  va_start (ap, first);
  g_autoptr(GPtrArray) argv = jc_test_ctl_argv (first, ap);
  va_end (ap);
  Result r = { 0 };
  int wait = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r.out, &r.err, &wait, &error));
  g_assert_no_error (error);
  /* Assertions are non-fatal here (the sandbox must still be stopped), so a failed spawn
   * must leave usable empty outputs rather than NULLs. */
  if (r.out == NULL)
    r.out = g_strdup ("");
  if (r.err == NULL)
    r.err = g_strdup ("");
  r.status = error != NULL ? -1
           : g_spawn_check_wait_status (wait, NULL) ? 0 : (WIFEXITED (wait) ? WEXITSTATUS (wait) : -1);
  g_strstrip (r.out);
  if (r.status != 0)
    g_test_message ("jocondectl %s: status %d: %s", first, r.status, r.err);
  return r;
}

static char *
node (const char *name)
{
  return jc_test_sandbox_node (sandbox, name);
}

static char *
sha384_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA384, (const guchar *) data, len);
}

/* The example's draft with deadlines from now; PEERS replaces the peers when not NULL. */
static char *
write_draft (const char *name, gint64 approval, gint64 input, const char *const *peers)
{
  g_autofree char *src = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates",
                                           "task.json", NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_file (p, src, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (p));
  JsonObject *dl = json_object_get_object_member (o, "deadlines");
  g_autofree char *a = jc_test_time_in (approval), *i = jc_test_time_in (input), *e = jc_test_time_in (input + 60),
                  *out = jc_test_time_in (input + 600);
  json_object_set_string_member (dl, "approval", a);
  json_object_set_string_member (dl, "input", i);
  json_object_set_string_member (dl, "execution", e);
  json_object_set_string_member (dl, "output", out);
  JsonArray *m = json_array_new ();
  g_autofree char *measurement = sha384_file (g_getenv ("JC_GUEST_BINARY"));
  json_array_add_string_element (m, measurement);
  json_object_set_array_member (json_object_get_object_member (o, "tee"), "measurements", m);
  JsonObject *att = json_array_get_object_element (json_object_get_array_member (o, "attachments"), 0);
  g_autofree char *legal = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates",
                                             "legal-basis.txt", NULL);
  json_object_set_string_member (att, "file", legal);
  if (peers)
    {
      JsonArray *pa = json_array_new ();
      for (guint k = 0; peers[k]; k++)
        json_array_add_string_element (pa, peers[k]);
      json_object_set_array_member (o, "peers", pa);
    }
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, json_parser_get_root (p));
  char *path = g_build_filename (data_dir, name, NULL);
  g_assert_true (json_generator_to_file (gen, path, NULL));
  return path;
}

/* Draft, PAKs, addenda, signatures, approval: returns the task id (agreed). */
static char *
agree (const char *draft, char *out_paks[4])
{
  g_autofree char *nsi = node ("nsi"), *mno = node ("mno"), *so = node ("so");
  g_auto(Result) d = ctl ("task", "draft", "--node", nsi, draft, NULL);
  g_assert_cmpint (d.status, ==, 0);
  g_assert_true (g_uuid_string_is_valid (d.out));
  const char *holders[] = { "nsi-custodian", "nsi-analyst", "mno-custodian", "mno-analyst" };
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *n = node (holders[k]);
      g_auto(Result) r = ctl ("pak", "new", "--node", n, "--task", d.out, NULL);
      g_assert_cmpint (r.status, ==, 0);
      out_paks[k] = g_strdup (r.out);
    }
  g_autofree char *sheet = g_build_filename (data_dir, "sheet.txt", NULL);
  g_assert_true (g_file_set_contents (sheet, "signed\n", -1, NULL));
  const char *org[] = { nsi, mno };
  const char *inputs[] = { "population", "subscribers" };
  const char *signatories[] = { "nsi-signatory", "mno-signatory" };
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *c = g_strdup_printf ("%s=%s", out_paks[2 * k], inputs[k]);
      g_autofree char *a1 = g_strdup_printf ("%s=residents", out_paks[2 * k + 1]);
      g_autofree char *a2 = g_strdup_printf ("%s=subscriptions", out_paks[2 * k + 1]);
      g_auto(Result) r = ctl ("addendum", "--node", org[k], "--task", d.out, "--custodian", c,
                              "--analyst", a1, "--analyst", a2, "--signatory", signatories[k],
                              "--signatory-doc", sheet, NULL);
      g_assert_cmpint (r.status, ==, 0);
      if (k == 0)
        {
          g_auto(Result) s = ctl ("sign", "--node", org[k], "--task", d.out, "--signature", sheet, NULL);
          g_assert_cmpint (s.status, ==, 0);
          continue;
        }
      /* The MNO's signatory signs electronically with the token; a wrong PIN first. */
      g_autofree char *pin = g_build_filename (data_dir, "pin", NULL);
      g_assert_true (g_file_set_contents (pin, "0000\n", -1, NULL));
      g_auto(Result) w = ctl ("sign", "--node", org[k], "--task", d.out, "--pkcs11",
                              "pkcs11:token=" SOFTHSM_TOKEN, "--pin-file", pin, NULL);
      g_assert_cmpint (w.status, ==, 1);
      g_assert_nonnull (strstr (w.err, "PIN"));
      g_assert_true (g_file_set_contents (pin, SOFTHSM_PIN "\n", -1, NULL));
      g_auto(Result) s = ctl ("sign", "--node", org[k], "--task", d.out, "--pkcs11",
                              "pkcs11:token=" SOFTHSM_TOKEN, "--pin-file", pin, NULL);
      g_assert_cmpint (s.status, ==, 0);
      g_assert_nonnull (strstr (s.out, "CN=Grace Hopper,O=Mobile Network Operator"));
    }
  g_auto(Result) ap = ctl ("approve", "--node", so, "--task", d.out, NULL);
  g_assert_cmpint (ap.status, ==, 0);
  return g_strdup (d.out);
}

static void
wait_state (const char *node_name, const char *task, const char *state)
{
  g_autofree char *n = node (node_name);
  g_auto(Result) r = ctl ("status", "--node", n, "--task", task, "--wait", state, "--timeout", "120",
                          "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

/* --- SQLite reference ------------------------------------------------------------------ */

static void
load_csv (sqlite3 *db, const char *table, const char *path)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *create = g_strdup_printf ("CREATE TABLE %s (%s)", table, lines[0]);
  g_assert_cmpint (sqlite3_exec (db, create, NULL, NULL, NULL), ==, SQLITE_OK);
  g_auto(GStrv) columns = g_strsplit (lines[0], ",", -1);
  guint n = g_strv_length (columns);
  GString *ins = g_string_new (NULL);
  g_string_append_printf (ins, "INSERT INTO %s VALUES (?", table);
  for (guint i = 1; i < n; i++)
    g_string_append (ins, ",?");
  g_string_append (ins, ")");
  sqlite3_stmt *st;
  g_assert_cmpint (sqlite3_prepare_v2 (db, ins->str, -1, &st, NULL), ==, SQLITE_OK);
  g_string_free (ins, TRUE);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint l = 1; lines[l]; l++)
    {
      if (!*lines[l])
        continue;
      g_auto(GStrv) f = g_strsplit (lines[l], ",", -1);
      for (guint i = 0; i < n; i++)
        sqlite3_bind_text (st, (int) i + 1, f[i], -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
      sqlite3_reset (st);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_finalize (st);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

/* The rows of a query or a CSV file as sorted "a,b,c" lines. */
static char *
query_lines (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (rows, g_strdup_printf ("%s,%s,%s", sqlite3_column_text (st, 0),
                                            sqlite3_column_text (st, 1), sqlite3_column_text (st, 2)));
  sqlite3_finalize (st);
  g_ptr_array_sort (rows, cmp_str);
  g_ptr_array_add (rows, NULL);
  return g_strjoinv ("\n", (char **) rows->pdata);
}

static char *
csv_lines (const char *path)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  for (guint i = 1; lines[i]; i++)
    g_ptr_array_add (rows, lines[i]);
  g_ptr_array_sort (rows, cmp_str);
  g_ptr_array_add (rows, NULL);
  return g_strjoinv ("\n", (char **) rows->pdata);
}

/* --- tests ----------------------------------------------------------------------------- */

static void
test_task (void)
{
  g_autofree char *draft = write_draft ("task.json", 600, 1200, NULL);
  task_id = agree (draft, paks);
  wait_state ("nsi", task_id, "input");
  wait_state ("mno", task_id, "input");
  g_autofree char *nsi_c = node ("nsi-custodian"), *mno_c = node ("mno-custodian");
  g_autofree char *nsi_a = node ("nsi-analyst"), *mno_a = node ("mno-analyst");
  g_autofree char *pop = g_build_filename (data_dir, "population.csv", NULL);
  g_autofree char *sub = g_build_filename (data_dir, "subscribers.csv", NULL);

  /* Refusals before anything is sent (the task is in its input phase). */
  {
    /* A tampered agreement on the custodian's node: nothing goes out. The custodian's
     * node first fetches what its organisation's node passed on. */
    g_auto(Result) sync = ctl ("status", "--node", nsi_c, "--task", task_id, NULL);
    g_assert_cmpint (sync.status, ==, 0);
    g_autofree char *db_path = g_build_filename (nsi_c, "node.db", NULL);
    sqlite3 *db;
    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE tasks SET cta = replace(cta, 'Mobile subscription rates', "
                                       "'Mobile subscription ratez') WHERE cta IS NOT NULL", NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_changes (db), ==, 1);
    g_auto(Result) r = ctl ("upload", "--node", nsi_c, "--task", task_id, "--input", "population", pop, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "does not verify"));
    g_assert_cmpint (sqlite3_exec (db, "UPDATE tasks SET cta = replace(cta, 'Mobile subscription ratez', "
                                       "'Mobile subscription rates') WHERE cta IS NOT NULL", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  {
    /* A wrong header. */
    g_autofree char *bad = g_build_filename (data_dir, "bad-header.csv", NULL);
    g_assert_true (g_file_set_contents (bad, "person_id,region,age,birth_date\n000000001,north,15-24,2005-01-01\n", -1, NULL));
    g_auto(Result) r = ctl ("upload", "--node", nsi_c, "--task", task_id, "--input", "population", bad, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "age"));
    g_assert_nonnull (strstr (r.err, "nothing was sent"));
  }
  {
    /* A bad value: row 3 (line 3 of the file), column birth_date. */
    g_autofree char *bad = g_build_filename (data_dir, "bad-value.csv", NULL);
    g_assert_true (g_file_set_contents (bad, "person_id,region,age_band,birth_date\n"
                                             "000000001,north,15-24,2005-01-01\n"
                                             "000000002,south,25-34,1995-13-01\n", -1, NULL));
    g_auto(Result) r = ctl ("upload", "--node", nsi_c, "--task", task_id, "--input", "population", bad, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "Row 3"));
    g_assert_nonnull (strstr (r.err, "birth_date"));
  }
  {
    /* A custodian uploading the other organisation's input. */
    g_auto(Result) r = ctl ("upload", "--node", nsi_c, "--task", task_id, "--input", "subscribers", sub, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "may upload input “subscribers”"));
  }

  g_auto(Result) u1 = ctl ("upload", "--node", nsi_c, "--task", task_id, "--input", "population", pop, NULL);
  g_assert_cmpint (u1.status, ==, 0);
  g_assert_nonnull (strstr (u1.out, "Data quality: passed"));
  g_auto(Result) u2 = ctl ("upload", "--node", mno_c, "--task", task_id, "--input", "subscribers", sub, NULL);
  g_assert_cmpint (u2.status, ==, 0);
  wait_state ("nsi", task_id, "output");
  wait_state ("mno", task_id, "output");

  g_autofree char *res = g_build_filename (data_dir, "residents.csv", NULL);
  g_autofree char *subs = g_build_filename (data_dir, "subscriptions.csv", NULL);
  g_autofree char *res_mno = g_build_filename (data_dir, "residents-mno.csv", NULL);
  g_auto(Result) d1 = ctl ("download", "--node", nsi_a, "--task", task_id, "--output", "residents", "--out", res, NULL);
  g_assert_cmpint (d1.status, ==, 0);
  g_auto(Result) d2 = ctl ("download", "--node", nsi_a, "--task", task_id, "--output", "subscriptions", "--out", subs, NULL);
  g_assert_cmpint (d2.status, ==, 0);
  g_auto(Result) d3 = ctl ("download", "--node", mno_a, "--task", task_id, "--output", "residents", "--out", res_mno, NULL);
  g_assert_cmpint (d3.status, ==, 0);

  /* An analyst downloading twice. */
  g_autofree char *again = g_build_filename (data_dir, "again.csv", NULL);
  g_auto(Result) d4 = ctl ("download", "--node", nsi_a, "--task", task_id, "--output", "residents", "--out", again, NULL);
  g_assert_cmpint (d4.status, ==, 1);
  g_assert_nonnull (strstr (d4.err, "already"));
  g_assert_false (g_file_test (again, G_FILE_TEST_EXISTS));

  /* The same queries in SQLite on the same files. */
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_csv (db, "population", pop);
  load_csv (db, "subscribers", sub);
  g_autofree char *want_res = query_lines (db,
    "SELECT region, age_band, COUNT(*) FROM population GROUP BY region, age_band HAVING COUNT(*) >= 10");
  g_autofree char *want_sub = query_lines (db,
    "SELECT p.region, p.age_band, COUNT(*) FROM population p JOIN subscribers s ON p.person_id = s.person_id"
    " WHERE s.active = 'true' GROUP BY p.region, p.age_band HAVING COUNT(*) >= 10");
  sqlite3_close (db);
  g_autofree char *got_res = csv_lines (res), *got_sub = csv_lines (subs), *got_res_mno = csv_lines (res_mno);
  g_assert_cmpstr (got_res, ==, want_res);
  g_assert_cmpstr (got_sub, ==, want_sub);
  g_assert_cmpstr (got_res_mno, ==, want_res);
  g_assert_cmpuint (strlen (want_sub), >, 0);
}

static void
test_unknown_peer (void)
{
  const char *peers[] = { "nsi", "tax-office", NULL };
  g_autofree char *draft = write_draft ("unknown-peer.json", 600, 1200, peers);
  g_autofree char *nsi = node ("nsi");
  g_auto(Result) r = ctl ("task", "draft", "--node", nsi, draft, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Unknown node “tax-office”"));
  g_assert_cmpstr (r.out, ==, "");
}

/* The SO rejects an addendum, then the organiser ends the task: both reach the peers. */
static void
test_reject_and_terminate (void)
{
  g_autofree char *draft = write_draft ("ended.json", 600, 1200, NULL);
  g_autofree char *nsi = node ("nsi"), *so = node ("so"), *mno = node ("mno");
  g_auto(Result) d = ctl ("task", "draft", "--node", nsi, draft, NULL);
  g_assert_cmpint (d.status, ==, 0);
  /* Rejecting a peer that has no addendum yet is refused by the root, with its reason. */
  g_auto(Result) r0 = ctl ("reject", "--node", so, "--task", d.out, "--peer", "mno", "--reason",
                           "no legal basis", NULL);
  g_assert_cmpint (r0.status, ==, 1);
  g_assert_nonnull (strstr (r0.err, "no CTSA"));
  g_auto(Result) t = ctl ("terminate", "--node", nsi, "--task", d.out, "--reason", "wrong period", NULL);
  g_assert_cmpint (t.status, ==, 0);
  g_auto(Result) w = ctl ("status", "--node", mno, "--task", d.out, "--wait", "cancelled", "--timeout", "60", NULL);
  g_assert_cmpint (w.status, ==, 0);
  g_assert_nonnull (strstr (w.out, "cancelled"));
  /* Waiting for a later state of a cancelled task fails at once. */
  g_auto(Result) w2 = ctl ("status", "--node", mno, "--task", d.out, "--wait", "input", "--timeout", "60", NULL);
  g_assert_cmpint (w2.status, ==, 1);
  g_assert_nonnull (strstr (w2.err, "cancelled"));
}

static void
test_after_input_deadline (void)
{
  g_autofree char *draft = write_draft ("short.json", 12, 18, NULL);
  char *p[4];
  g_autofree char *task = agree (draft, p);
  for (int k = 0; k < 4; k++)
    g_free (p[k]);
  wait_state ("nsi", task, "initialisation");
  g_autofree char *nsi = node ("nsi");
  g_auto(Result) s = ctl ("status", "--node", nsi, "--task", task, NULL);
  g_assert_cmpint (s.status, ==, 0);
  /* Past the input deadline (18 s from the draft). */
  g_usleep (19 * G_USEC_PER_SEC);
  g_auto(Result) s2 = ctl ("status", "--node", nsi, "--task", task, NULL);
  g_assert_cmpint (s2.status, ==, 0);
  g_autofree char *nsi_c = node ("nsi-custodian");
  g_autofree char *pop = g_build_filename (data_dir, "population.csv", NULL);
  g_auto(Result) r = ctl ("upload", "--node", nsi_c, "--task", task, "--input", "population", pop, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "input deadline"));
}

/* The processes still running (not zombies) whose command line or environment names DIR:
 * the sandbox's daemons, its cps' libvirt daemons (XDG_RUNTIME_DIR) and their QEMUs. */
static guint
processes_naming (const char *dir)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  guint n = 0;
  g_assert_nonnull (proc);
  for (const char *e = g_dir_read_name (proc); e; e = g_dir_read_name (proc))
    {
      if (!g_ascii_isdigit (e[0]))
        continue;
      const char *files[] = { "cmdline", "environ" };
      g_autofree char *stat_path = g_build_filename ("/proc", e, "stat", NULL);
      g_autofree char *stat = NULL;
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL) || strstr (stat, ") Z "))
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename ("/proc", e, files[i], NULL);
          g_autofree char *text = NULL;
          gsize len = 0;
          if (!g_file_get_contents (path, &text, &len, NULL))
            continue;
          for (gsize k = 0; k < len; k++)
            if (text[k] == '\0')
              text[k] = '\n';
          if (strstr (text, dir))
            {
              g_test_message ("still running: pid %s", e);
              n++;
              break;
            }
        }
    }
  return n;
}

/* The libvirt backend: the example task, small, through three real VMs booted from this
 * build's guest image under QEMU (TCG) by three cpds, each with its own libvirt daemon; after
 * `sandbox down` no VM, libvirt daemon or other process of that sandbox is left. */
static void
test_libvirt_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-e2e-libvirt-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *lv = g_build_filename (dir, "sandbox", NULL);
  gint64 start = g_get_monotonic_time ();
  jc_test_sandbox_guard (g_getenv ("JOCONDECTL"), lv);
  g_auto(Result) demo = ctl ("sandbox", "demo", "--dir", lv, "--backend", "libvirt", "--rows", "300", NULL);
  g_test_message ("libvirt sandbox demo (300 persons): %.1f s",
                  (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  gboolean down = jc_test_sandbox_down (lv);
  g_assert_cmpint (demo.status, ==, 0);
  g_assert_nonnull (strstr (demo.out, "region"));
  g_assert_nonnull (strstr (demo.out, "rate"));
  g_assert_true (down);
  /* The VMs really booted the guest image: its init's console lines reached each cpd's log. */
  const char *cps[] = { "cp1", "cp2", "cp3" };
  for (guint i = 0; i < G_N_ELEMENTS (cps); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.log", cps[i]);
      g_autofree char *log = g_build_filename (lv, "logs", file, NULL);
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
      g_assert_nonnull (strstr (text, "joconde-init: network"));
    }
  g_autofree char *residents = g_build_filename (lv, "demo", "residents.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (residents, &csv, NULL, NULL));
  g_assert_nonnull (strstr (csv, "region"));
  g_assert_cmpuint (processes_naming (lv), ==, 0);
  if (!g_test_failed () && !g_getenv ("JC_E2E_KEEP"))
    {
      const char *rm[] = { "rm", "-rf", dir, NULL };
      g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  softhsm_fixture_setup (&hsm, "node");
  signer_fixture_put ("CN=Grace Hopper,O=Mobile Network Operator",
                      GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION, SOFTHSM_TOKEN,
                      "grace", 5, FALSE);
  g_autoptr(GError) error = NULL;
  sandbox = g_dir_make_tmp ("jc-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (sandbox, "data", NULL);
  /* Small tables (600 persons) so that some cells fall under the threshold. */
  const char *gen[] = { g_getenv ("JC_EXAMPLE_GEN"), "--rows", "600", "--seed", "7", "--out", data_dir, NULL };
  int st = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) gen, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &st, NULL));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  /* Stopped on every way out, a timeout's SIGTERM included. */
  jc_test_sandbox_guard (g_getenv ("JOCONDECTL"), sandbox);
  g_assert_true (jc_test_sandbox_up (sandbox, &error));
  g_assert_no_error (error);
  g_test_add_func ("/e2e/task-draft-to-download", test_task);
  g_test_add_func ("/e2e/refuse/unknown-peer", test_unknown_peer);
  g_test_add_func ("/e2e/reject-and-terminate", test_reject_and_terminate);
  g_test_add_func ("/e2e/refuse/after-input-deadline", test_after_input_deadline);
  g_test_add_func ("/e2e/libvirt/demo", test_libvirt_demo);
  int status = g_test_run ();
  softhsm_fixture_teardown (&hsm);
  jc_test_sandbox_down (sandbox);
  if (status == 0 && !g_getenv ("JC_E2E_KEEP"))
    {
      const char *rm[] = { "rm", "-rf", sandbox, NULL };
      g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  for (int k = 0; k < 4; k++)
    g_free (paks[k]);
  g_free (task_id);
  g_free (data_dir);
  g_free (sandbox);
  return status;
}
