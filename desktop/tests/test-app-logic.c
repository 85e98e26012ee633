#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "jc-client-core.h"
#include "jc-client-local.h"
#include "jc-client-tasks.h"
#include "jc-result.h"
#include "jc-transfer-view.h"
#include "jc-draft.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-signing-sheet.h"
#include "jc-upload-check.h"
#include "jc-time.h"
#include "jc-token-sign.h"

#include "../../libjoconde/tests/keys/softhsm-fixture.h"
#include "../../libjoconde/tests/keys/signer-fixture.h"

/* Display-free tests of the app's view logic: the task list's model and filter, the local
 * client, draft building and checking (with the real rss3 engine), the upload check of
 * dropped files, the signing sheet. */

static const char *
data_dir (void)
{
  const char *dir = g_getenv ("JC_TEST_DATA");
  g_assert_nonnull (dir);
  return dir;
}

static JcClient *
sample_client (void)
{
  g_autofree char *profile = g_build_filename (data_dir (), "profile", NULL);
  return JC_CLIENT (jc_client_local_new (profile));
}

static JcTaskInfo *
find_task (GPtrArray *tasks, const char *title)
{
  for (guint i = 0; i < tasks->len; i++)
    if (g_strcmp0 (jc_task_info_get_title (g_ptr_array_index (tasks, i)), title) == 0)
      return g_ptr_array_index (tasks, i);
  return NULL;
}

static void
test_task_list (void)
{
  g_autoptr(JcClient) client = sample_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (client, &error);
  JcTaskInfo *upload, *finished;
  guint n_action = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 4);
  g_assert_cmpstr (jc_client_get_node_name (client), ==, "nsi-custodian");
  /* Tasks owing an action come first. */
  g_assert_true (jc_task_info_needs_action (g_ptr_array_index (tasks, 0)));
  upload = find_task (tasks, "Mobile subscription rates by region and age band");
  finished = find_task (tasks, "Labour force employment by region");
  g_assert_nonnull (upload);
  g_assert_nonnull (finished);
  g_assert_cmpint (jc_task_info_get_state (upload), ==, JC_TASK_INPUT);
  g_assert_cmpint (jc_task_info_get_action (upload), ==, JC_TASK_ACTION_UPLOAD);
  g_assert_cmpstr (jc_task_info_get_action_key (upload), ==, "population");
  g_assert_cmpuint (jc_task_info_get_ctsas (upload)->len, ==, 2);
  g_assert_cmpuint (strlen (jc_task_info_get_hash (upload)), ==, 64);

  for (guint i = 0; i < tasks->len; i++)
    if (jc_task_info_matches (g_ptr_array_index (tasks, i), NULL, TRUE))
      n_action++;
  g_assert_cmpuint (n_action, ==, 2);
  /* Search: title words in any case, the id, the state's name. */
  g_assert_true (jc_task_info_matches (upload, "SUBSCRIPTION", FALSE));
  g_assert_true (jc_task_info_matches (upload, "5f0c2a9e", FALSE));
  g_assert_true (jc_task_info_matches (upload, "input", FALSE));
  g_assert_false (jc_task_info_matches (upload, "tourism", FALSE));
  g_assert_true (jc_task_info_matches (finished, "", FALSE));
  g_assert_false (jc_task_info_matches (finished, "", TRUE));
  g_assert_false (jc_task_info_matches (finished, "labour", TRUE));
}

static void
test_pak_grants (void)
{
  g_autoptr(JcClient) client = sample_client ();
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (client, NULL);
  JcTaskInfo *task = find_task (tasks, "Mobile subscription rates by region and age band");
  g_autoptr(GPtrArray) custodian = jc_task_info_pak_grants (task, "PXva_9s4fsaNykyzZ8XB5oErjyPvpt44ZkECmXBZ-tA");
  g_autoptr(GPtrArray) analyst = jc_task_info_pak_grants (task, "GtzGG0JC3i_TCTlJI9D-9YLFSj-8cpsFk3a7WyTJTsM");
  g_autoptr(GPtrArray) unknown = jc_task_info_pak_grants (task, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  g_autoptr(GPtrArray) garbage = jc_task_info_pak_grants (task, "not base64url!");

  g_assert_cmpuint (custodian->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (custodian, 0), ==, "upload “population”");
  g_assert_cmpuint (analyst->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (analyst, 0), ==, "download “rates”");
  g_assert_cmpuint (unknown->len, ==, 0);
  g_assert_cmpuint (garbage->len, ==, 0);
}

static void
test_timeline (void)
{
  g_autoptr(JcClient) client = sample_client ();
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (client, NULL);
  JcTaskInfo *task = find_task (tasks, "Mobile subscription rates by region and age band");
  g_autoptr(GPtrArray) timeline = jc_task_info_get_timeline (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) other = json_from_string (
    "{\"type\": \"telemetry-event\", \"version\": 1, \"task_id\": \"a3d91b62-7e04-4f15-b8c9-02e6f1d4a987\","
    " \"cp\": 0, \"time\": \"2026-12-02T08:00:00Z\", \"kind\": \"print\", \"payload\": {\"text\": \"x\"}}", NULL);
  const JcTimelineEntry *e;

  g_assert_cmpuint (timeline->len, ==, 3);
  e = g_ptr_array_index (timeline, 0);
  g_assert_cmpstr (e->text, ==, "cp1: Waiting for data");
  g_assert_false (e->problem);
  e = g_ptr_array_index (timeline, 1);
  g_assert_cmpstr (e->text, ==, "cp2: the data-quality check of “subscribers” passed");
  e = g_ptr_array_index (timeline, 2);
  g_assert_cmpstr (e->text, ==, "cp1: the data-quality check of “population” failed: 3 rows. "
                                "3 birth dates lie after the reference date");
  g_assert_true (e->problem);
  g_assert_cmpint (((const JcTimelineEntry *) g_ptr_array_index (timeline, 0))->time, <, e->time);
  /* An event about another task is refused. */
  g_assert_false (jc_task_info_add_event (task, other, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
}

static void
test_rendering_is_deterministic (void)
{
  g_autoptr(JcClient) client = sample_client ();
  g_autoptr(GPtrArray) a = jc_client_list_tasks (client, NULL);
  g_autoptr(GPtrArray) b = jc_client_list_tasks (client, NULL);
  JcTaskInfo *ta = find_task (a, "Mobile subscription rates by region and age band");
  JcTaskInfo *tb = find_task (b, "Mobile subscription rates by region and age band");
  g_autofree char *ra = jc_task_info_render (ta);
  g_autofree char *rb = jc_task_info_render (tb);

  g_assert_cmpstr (ra, ==, rb);
  /* The rendering carries the CTSC's hash and both addenda. */
  g_assert_nonnull (strstr (ra, jc_task_info_get_hash (ta)));
  g_assert_nonnull (strstr (ra, "CTSC"));
  g_assert_nonnull (strstr (ra, "CTSA"));
}

static char *
temp_profile (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("jc-app-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
test_local_client_keys_and_peers (void)
{
  g_autofree char *profile = temp_profile ();
  g_autoptr(JcClient) client = JC_CLIENT (jc_client_local_new (profile));
  g_autoptr(GError) error = NULL;
  g_autofree char *pak = NULL;
  g_autofree char *pak2 = NULL;
  g_autoptr(GPtrArray) paks = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autofree char *key_path = NULL;
  GStatBuf st;

  /* An empty profile has no task and is no error. */
  tasks = jc_client_list_tasks (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 0);

  g_assert_null (jc_client_create_pak (client, "../escape", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  pak = jc_client_create_pak (client, "5f0c2a9e-1b7d-4c8e-9a31-6d2f40b8e715", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (pak), ==, 43);
  pak2 = jc_client_create_pak (client, "5f0c2a9e-1b7d-4c8e-9a31-6d2f40b8e715", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pak, !=, pak2);
  paks = jc_client_list_paks (client, "5f0c2a9e-1b7d-4c8e-9a31-6d2f40b8e715", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (paks->len, ==, 2);
  /* The private key is kept with mode 0600. */
  key_path = g_strdup_printf ("%s/paks/5f0c2a9e-1b7d-4c8e-9a31-6d2f40b8e715/%s.key", profile, pak);
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Peer verification survives a new client on the same profile. */
  {
    g_autofree char *src = g_build_filename (data_dir (), "profile", "tasks",
                                             "5f0c2a9e-1b7d-4c8e-9a31-6d2f40b8e715", "ctsc.json", NULL);
    g_autofree char *dst_dir = g_build_filename (profile, "tasks", "t1", NULL);
    g_autofree char *dst = g_build_filename (dst_dir, "ctsc.json", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GPtrArray) peers = NULL;
    g_autoptr(JcClient) again = NULL;
    const char *fp;

    g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
    g_mkdir_with_parents (dst_dir, 0700);
    g_assert_true (g_file_set_contents (dst, text, -1, NULL));
    peers = jc_client_list_peers (client, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (peers->len, ==, 5);
    g_assert_false (((JcPeerInfo *) g_ptr_array_index (peers, 0))->verified);
    fp = ((JcPeerInfo *) g_ptr_array_index (peers, 0))->fingerprint_hex;
    g_assert_true (jc_client_set_peer_verified (client, fp, TRUE, &error));
    g_assert_no_error (error);
    again = JC_CLIENT (jc_client_local_new (profile));
    g_clear_pointer (&peers, g_ptr_array_unref);
    peers = jc_client_list_peers (again, &error);
    g_assert_true (((JcPeerInfo *) g_ptr_array_index (peers, 0))->verified);
    g_assert_false (((JcPeerInfo *) g_ptr_array_index (peers, 1))->verified);
    g_assert_false (jc_client_set_peer_verified (again, "not hex", TRUE, NULL));
  }
  remove_tree (profile);
}

static JcColumn *
column (const char *name, JcColumnType type)
{
  return jc_column_new (name, type);
}

static JcDraft *
valid_draft (void)
{
  JcDraft *d = jc_draft_new ();
  JcDraftInput *in;
  JcDraftOutput *out;
  JcColumn *c;

  g_free (d->title);
  d->title = g_strdup ("Subscribers per region");
  g_free (d->description);
  d->description = g_strdup ("Counts subscribers per region.");
  for (guint i = 0; i < 4; i++)
    {
      g_free (d->deadlines[i]);
      d->deadlines[i] = g_strdup_printf ("2026-12-%02uT12:00:00Z", 1 + 7 * i);
    }
  g_ptr_array_unref (d->computing_parties);
  d->computing_parties = jc_draft_split_names ("cp1, cp2 cp3");
  g_ptr_array_unref (d->peers);
  d->peers = jc_draft_split_names ("nsi,mno");

  in = jc_draft_input_new ("population", "nsi");
  g_ptr_array_add (in->schema, column ("person_id", JC_COLUMN_ID));
  c = column ("region", JC_COLUMN_CATEGORY);
  g_ptr_array_add (c->codes, g_strdup ("north"));
  g_ptr_array_add (c->codes, g_strdup ("south"));
  g_ptr_array_add (in->schema, c);
  g_ptr_array_add (d->inputs, in);
  in = jc_draft_input_new ("subscribers", "mno");
  g_ptr_array_add (in->schema, column ("person_id", JC_COLUMN_ID));
  g_ptr_array_add (in->schema, column ("active", JC_COLUMN_BOOL));
  g_ptr_array_add (d->inputs, in);

  out = jc_draft_output_new ("rates");
  g_ptr_array_add (out->peers, g_strdup ("nsi"));
  g_ptr_array_add (out->peers, g_strdup ("mno"));
  c = column ("region", JC_COLUMN_CATEGORY);
  g_ptr_array_add (c->codes, g_strdup ("north"));
  g_ptr_array_add (c->codes, g_strdup ("south"));
  g_ptr_array_add (out->schema, c);
  g_ptr_array_add (out->schema, column ("persons", JC_COLUMN_INT));
  g_ptr_array_add (d->outputs, out);

  g_free (d->algorithm);
  d->algorithm = g_strdup ("OUTPUT rates AS\n"
                           "  SELECT p.region, COUNT(*) AS persons\n"
                           "  FROM population p JOIN subscribers s ON p.person_id = s.person_id\n"
                           "  GROUP BY p.region;\n");
  return d;
}

static JcEngine *
load_engine (void)
{
  g_autoptr(GError) error = NULL;
  JcEngine *engine = jc_engine_load_by_id (NULL, "rss3-sh-z64", &error);

  g_assert_no_error (error);
  return engine;
}

static void
test_draft_valid (void)
{
  g_autoptr(JcDraft) d = valid_draft ();
  g_autoptr(JcEngine) engine = load_engine ();
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *listed = NULL;
  JsonObject *o;

  g_assert_true (jc_draft_check (d, engine, problems, NULL, NULL));
  listed = jc_problems_to_string (problems);
  g_assert_cmpstr (listed, ==, "");
  node = jc_draft_to_json (d);
  o = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (o, "title"), ==, "Subscribers per region");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "tee"), "platform"), ==, "sim");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "deadlines"), "output"),
                   ==, "2026-12-22T12:00:00Z");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "computing_parties")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "inputs")), ==, 2);
  text = json_to_string (node, FALSE);
  g_assert_nonnull (strstr (text, "\"codes\":[\"north\",\"south\"]"));
  g_assert_nonnull (strstr (text, "\"peer\":\"mno\""));
}

static void
test_draft_problems (void)
{
  g_autoptr(JcDraft) d = valid_draft ();
  g_autoptr(JcEngine) engine = load_engine ();
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autofree char *text = NULL;
  JcDraftInput *in = g_ptr_array_index (d->inputs, 0);
  guint line = 99, col = 99;

  g_free (d->title);
  d->title = g_strdup ("  ");
  g_free (d->deadlines[2]);
  d->deadlines[2] = g_strdup ("2026-12-02T00:00:00Z");   /* before the input deadline */
  g_free (in->peer);
  in->peer = g_strdup ("xyz");
  ((JcColumn *) g_ptr_array_index (in->schema, 0))->name[0] = '1';
  g_ptr_array_set_size (d->computing_parties, 1);
  g_assert_false (jc_draft_check (d, engine, problems, &line, &col));
  text = jc_problems_to_string (problems);
  g_assert_nonnull (strstr (text, "title: give the task a title"));
  g_assert_nonnull (strstr (text, "deadlines.execution: must be later than the deadline before it"));
  g_assert_nonnull (strstr (text, "computing_parties: name at least 2 nodes"));
  g_assert_nonnull (strstr (text, "inputs[0].peer: choose one of the peers"));
  g_assert_nonnull (strstr (text, "inputs[0].schema[0].name"));
  /* The algorithm is compiled only once the rest is right. */
  g_assert_cmpuint (line, ==, 0);
}

static void
test_draft_algorithm_error_position (void)
{
  g_autoptr(JcDraft) d = valid_draft ();
  g_autoptr(JcEngine) engine = load_engine ();
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autoptr(GError) error = NULL;
  guint line = 0, col = 0;

  g_free (d->algorithm);
  d->algorithm = g_strdup ("OUTPUT rates AS\n  SELECT region, COUNT(*) AS persons\n  FROM nowhere\n  GROUP BY region;\n");
  g_assert_false (jc_draft_compile (d, engine, &line, &col, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_cmpuint (line, ==, 3);
  g_assert_cmpuint (col, >, 0);
  g_assert_false (jc_draft_check (d, engine, problems, &line, &col));
  g_assert_cmpuint (jc_problems_count (problems), ==, 1);
  g_assert_cmpstr (jc_problems_path (problems, 0), ==, "algorithm");
}

typedef struct {
  GMainLoop   *loop;
  JcCsvReport *report;
  GFile       *file;
  GError      *error;
} CheckResult;

static void
check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CheckResult *r = user_data;
  r->report = jc_upload_check_finish (result, &r->file, &r->error);
  g_main_loop_quit (r->loop);
}

static CheckResult
run_check (GSList *files, GPtrArray *schema)
{
  CheckResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL, NULL };
  jc_upload_check_async (files, schema, NULL, check_done, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  return r;
}

static GPtrArray *
population_schema (void)
{
  g_autoptr(JcClient) client = sample_client ();
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (client, NULL);
  JcTaskInfo *task = find_task (tasks, "Mobile subscription rates by region and age band");
  return g_ptr_array_ref (jc_ctsc_find_input (jc_task_info_get_ctsc (task), "population")->schema);
}

static void
test_upload_check (void)
{
  g_autoptr(GPtrArray) schema = population_schema ();
  g_autofree char *bad_path = g_build_filename (data_dir (), "population-bad.csv", NULL);
  g_autofree char *good_path = g_build_filename (data_dir (), "population-good.csv", NULL);
  g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
  g_autoptr(GFile) good = g_file_new_for_path (good_path);
  GSList one_bad = { bad, NULL };
  GSList one_good = { good, NULL };
  GSList two = { bad, &one_good };
  CheckResult r;
  g_autofree char *text = NULL;

  r = run_check (&one_bad, schema);
  g_assert_no_error (r.error);
  g_assert_true (g_file_equal (r.file, bad));
  text = jc_csv_report_to_string (r.report);
  g_assert_cmpstr (text, ==,
    "Row 3, column 2 (region): “nord” is not one of the codes of this column\n"
    "Row 4, column 3 (birth_date): “1975-13-02” is not a date written YYYY-MM-DD\n"
    "Row 5, column 1 (person_id): the value is empty\n"
    "Row 6: the row has 2 values, the header has 3\n"
    "Row 7, column 3 (birth_date): “1969-02-30” is not a date written YYYY-MM-DD\n");
  jc_csv_report_free (r.report);
  g_object_unref (r.file);

  r = run_check (&one_good, schema);
  g_assert_no_error (r.error);
  g_assert_true (jc_csv_report_ok (r.report));
  g_assert_cmpuint (r.report->n_rows, ==, 4);
  jc_csv_report_free (r.report);
  g_object_unref (r.file);

  r = run_check (&two, schema);
  g_assert_error (r.error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_null (r.report);
  g_clear_error (&r.error);

  {
    g_autoptr(GFile) folder = g_file_new_for_path (data_dir ());
    GSList dir = { folder, NULL };
    r = run_check (&dir, schema);
    g_assert_error (r.error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&r.error);
    g_clear_object (&r.file);
  }
}

static void
test_signing_sheet (void)
{
  g_autoptr(JcClient) client = sample_client ();
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (client, NULL);
  JcTaskInfo *task = find_task (tasks, "Mobile subscription rates by region and age band");
  g_autofree char *dir = temp_profile ();
  g_autofree char *path = g_build_filename (dir, "sheet.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (jc_signing_sheet_write (task, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 2000);
  g_assert_true (g_str_has_prefix (data, "%PDF-1."));
  g_assert_nonnull (g_strstr_len (data + len - 8, 8, "%%EOF"));
  g_unlink (path);
  g_rmdir (dir);

  g_assert_false (jc_signing_sheet_write (task, "/nonexistent-dir/x.pdf", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
}

/* --- client adapter and transfer views -------------------------------------------------- */

static JcCta *
cta_granting (GBytes *custodian_pak, const char *input, GBytes *analyst_pak, const char *output)
{
  JcCta *cta = jc_cta_new ();
  JcCtsa *ctsa = jc_ctsa_new ();
  JcPakGrant *c = jc_pak_grant_new (custodian_pak), *a = jc_pak_grant_new (analyst_pak);

  g_ptr_array_add (c->keys, g_strdup (input));
  g_ptr_array_add (a->keys, g_strdup (output));
  g_ptr_array_add (ctsa->custodians, c);
  g_ptr_array_add (ctsa->analysts, a);
  g_ptr_array_add (cta->ctsas, ctsa);
  return cta;
}

static void
test_core_actions (void)
{
  guint8 mine[32], theirs[32];
  memset (mine, 1, sizeof mine);
  memset (theirs, 2, sizeof theirs);
  g_autoptr(GBytes) mine_b = g_bytes_new (mine, sizeof mine);
  g_autoptr(GBytes) theirs_b = g_bytes_new (theirs, sizeof theirs);
  g_autofree char *mine_text = jc_base64url_encode (mine, sizeof mine);
  JcClientPakEntry entry = { mine_text, (char *) "custodian", NULL, NULL };
  g_autoptr(GPtrArray) own = g_ptr_array_new ();
  char *key = NULL;
  JcCta *cta;

  g_ptr_array_add (own, &entry);
  /* Organiser: an addendum is owed once PAKs came in and until it is sent. */
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_ORGANISER, JC_TASK_EMERGING, FALSE, TRUE, NULL, NULL, &key),
                   ==, JC_TASK_ACTION_ADDENDUM);
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_ORGANISER, JC_TASK_EMERGING, TRUE, TRUE, NULL, NULL, &key),
                   ==, JC_TASK_ACTION_NONE);
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_ORGANISER, JC_TASK_EMERGING, FALSE, FALSE, NULL, NULL, &key),
                   ==, JC_TASK_ACTION_NONE);
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_APPROVER, JC_TASK_EMERGING, FALSE, FALSE, NULL, NULL, &key),
                   ==, JC_TASK_ACTION_APPROVE);
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_APPROVER, JC_TASK_INPUT, FALSE, FALSE, NULL, NULL, &key),
                   ==, JC_TASK_ACTION_NONE);
  /* Custodian: the input its PAK is granted, in the input phase only. */
  cta = cta_granting (mine_b, "population", theirs_b, "rates");
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_CUSTODIAN, JC_TASK_INPUT, FALSE, FALSE, cta, own, &key),
                   ==, JC_TASK_ACTION_UPLOAD);
  g_assert_cmpstr (key, ==, "population");
  g_clear_pointer (&key, g_free);
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_CUSTODIAN, JC_TASK_CALCULATION, FALSE, FALSE, cta, own, &key),
                   ==, JC_TASK_ACTION_NONE);
  /* Analyst: the output is granted to another PAK: nothing to do. */
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_ANALYST, JC_TASK_OUTPUT, FALSE, FALSE, cta, own, &key),
                   ==, JC_TASK_ACTION_NONE);
  g_assert_null (key);
  jc_cta_free (cta);
  cta = cta_granting (theirs_b, "population", mine_b, "rates");
  g_assert_cmpint (jc_client_core_action_for (JC_ROLE_ANALYST, JC_TASK_OUTPUT, FALSE, FALSE, cta, own, &key),
                   ==, JC_TASK_ACTION_DOWNLOAD);
  g_assert_cmpstr (key, ==, "rates");
  g_free (key);
  jc_cta_free (cta);
}

static void
test_transfer_texts (void)
{
  g_autofree char *start = jc_transfer_progress_text (0, 100000000, 0);
  g_autofree char *mid = jc_transfer_progress_text (50000000, 100000000, 10);
  g_autofree char *slow = jc_transfer_progress_text (1000000, 1000000000, 10);
  g_autofree char *unknown = jc_transfer_progress_text (3000000, 0, 1);
  JcClientAttestation ok = { (char *) "cp1", JC_TEE_PLATFORM_SEV_SNP, FALSE, TRUE, NULL };
  JcClientAttestation sim = { (char *) "cp2", JC_TEE_PLATFORM_SIM, TRUE, TRUE, NULL };
  JcClientAttestation bad = { (char *) "cp3", JC_TEE_PLATFORM_SEV_SNP, FALSE, FALSE, (char *) "measurement not allowed" };
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autofree char *title = NULL, *subtitle = NULL, *problem = NULL;
  gboolean passed;

  g_assert_cmpstr (start, ==, "0.0 of 100.0 MB · …");
  g_assert_cmpstr (mid, ==, "50.0 of 100.0 MB · 5.0 MB/s · about 10 s left");
  g_assert_cmpstr (slow, ==, "1.0 of 1000.0 MB · 0.1 MB/s · about 167 min left");
  g_assert_cmpstr (unknown, ==, "3.0 MB · 3.0 MB/s");

  jc_attestation_describe (&sim, &title, &subtitle);
  g_assert_cmpstr (title, ==, "cp2 — simulated TEE — not confidential");
  g_assert_nonnull (strstr (subtitle, "the operator can read the data"));
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);
  jc_attestation_describe (&bad, &title, &subtitle);
  g_assert_cmpstr (subtitle, ==, "Refused: measurement not allowed");

  g_ptr_array_add (all, &ok);
  g_ptr_array_add (all, &sim);
  g_assert_true (jc_attestations_ok (all, &problem));
  g_assert_null (problem);
  g_ptr_array_add (all, &bad);
  g_assert_false (jc_attestations_ok (all, &problem));
  g_assert_nonnull (strstr (problem, "cp3"));
  g_assert_nonnull (strstr (problem, "measurement not allowed"));

  {
    g_autofree char *none = jc_quality_text (NULL, &passed);
    g_assert_true (passed);
    g_assert_cmpstr (none, ==, "Data quality: the task sets no check for this input.");
    g_autoptr(JsonNode) v = json_from_string ("{\"passed\": false, \"violations\": 3}", NULL);
    g_autofree char *failed = jc_quality_text (v, &passed);
    g_assert_false (passed);
    g_assert_cmpstr (failed, ==, "Data quality: failed. 3 rows do not meet the task’s checks.");
  }
}

static void
test_result_table (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-result-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "r.csv", NULL);
  g_autoptr(JcResult) r = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GArray) values = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path,
    "region,age_band,persons\nnorth,15-24,10\nsouth,15-24,\nnorth,25-34,5\n\"a,b\",65+,1\n", -1, NULL));
  r = jc_result_load (path, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->n_rows, ==, 4);
  g_assert_cmpuint (r->rows->len, ==, 2);      /* only MAX_ROWS kept */
  g_assert_cmpint (r->group_col, ==, 0);
  g_assert_cmpint (r->value_col, ==, 2);       /* a suppressed (empty) cell is still a number column */
  g_assert_false (r->numeric[0]);
  g_assert_true (r->numeric[2]);
  /* Not all rows kept: the file's order stays, so "the first 2 rows" is true. */
  g_assert_cmpstr (((GStrv) r->rows->pdata[0])[1], ==, "15-24");
  g_assert_cmpstr (((GStrv) r->rows->pdata[1])[0], ==, "south");
  g_clear_pointer (&r, jc_result_free);
  r = jc_result_load (path, 100, &error);
  /* All rows kept: sorted column by column, text by collation, numbers by value. */
  g_assert_cmpstr (((GStrv) r->rows->pdata[0])[0], ==, "a,b");
  g_assert_cmpstr (((GStrv) r->rows->pdata[1])[1], ==, "15-24");
  g_assert_cmpstr (((GStrv) r->rows->pdata[2])[1], ==, "25-34");
  g_assert_cmpstr (((GStrv) r->rows->pdata[3])[0], ==, "south");
  g_assert_true (jc_result_bars (r, &labels, &values));
  g_assert_cmpuint (labels->len, ==, 3);
  g_assert_cmpstr (labels->pdata[0], ==, "a,b");
  g_assert_cmpstr (labels->pdata[1], ==, "north");
  g_assert_cmpfloat (g_array_index (values, double, 1), ==, 15.0);
  g_assert_cmpfloat (g_array_index (values, double, 2), ==, 0.0);
  g_clear_pointer (&r, jc_result_free);
  /* Numbers sort as numbers, suppressed (empty) cells first. */
  g_assert_true (g_file_set_contents (path, "count,g\n10,a\n9,b\n,c\n-2.5,d\n", -1, NULL));
  r = jc_result_load (path, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->rows->len, ==, 4);
  g_assert_cmpstr (((GStrv) r->rows->pdata[0])[0], ==, "");
  g_assert_cmpstr (((GStrv) r->rows->pdata[1])[0], ==, "-2.5");
  g_assert_cmpstr (((GStrv) r->rows->pdata[3])[0], ==, "10");
  g_clear_pointer (&r, jc_result_free);
  /* An empty file is refused with a reason. */
  g_assert_true (g_file_set_contents (path, "", -1, NULL));
  g_assert_null (jc_result_load (path, 10, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_unlink (path);
  g_rmdir (dir);
}

/* The signing dialog's text names the addendum's hash (hex and digit groups, as on the
 * signing sheet) and the certificate: subject, issuer, validity, fingerprint, token. */
static void
test_token_sign_summary (void)
{
  SignerFixture ada;
  gint64 now = jc_time_now ();
  signer_fixture_make (&ada, "CN=Ada Lovelace,O=NSI", now - 60, now + 86400,
                       GNUTLS_KEY_NON_REPUDIATION);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSignerCert) cert = jc_signer_cert_new_from_der (ada.der, &error);
  g_assert_no_error (error);
  cert->token_label = g_strdup ("Ada's card");
  const char *hash = "ce208317b2eccafe9fe652e8040695413e8b04bbd973ed803d34496f4b9d96df";
  guint8 raw[32];
  g_assert_true (jc_hex_decode_into (hash, raw, sizeof raw, NULL));
  g_autofree char *digits = jc_digits_fingerprint (raw, sizeof raw);
  g_autofree char *text = jc_token_sign_summary (cert, hash);
  g_assert_nonnull (strstr (text, hash));
  g_assert_nonnull (strstr (text, digits));
  g_assert_nonnull (strstr (text, "Subject: CN=Ada Lovelace,O=NSI"));
  g_assert_nonnull (strstr (text, "Issuer: CN=Ada Lovelace,O=NSI"));
  g_assert_nonnull (strstr (text, cert->fingerprint));
  g_assert_nonnull (strstr (text, "“Ada's card”"));
  g_autofree char *until = jc_time_format (cert->not_after);
  g_assert_nonnull (strstr (text, until));
  g_autofree char *label = jc_token_sign_choice_label (cert);
  g_assert_cmpstr (label, ==, "CN=Ada Lovelace,O=NSI — Ada's card");
  signer_fixture_clear (&ada);
}

static void
found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;
  *out = jc_token_sign_find_finish (result, &error);
  g_assert_no_error (error);
}

/* Token discovery runs in a thread and finds the certificate written to a SoftHSM2 token. */
static void
test_token_sign_find (void)
{
  SoftHsmFixture hsm;
  softhsm_fixture_setup (&hsm, "node");
  signer_fixture_put ("CN=Ada Lovelace,O=NSI", 0, SOFTHSM_TOKEN, "ada", 1, FALSE);
  GPtrArray *certs = NULL;
  jc_token_sign_find_async (NULL, found_cb, &certs);
  while (certs == NULL)
    g_main_context_iteration (NULL, TRUE);
  guint found = 0;
  for (guint i = 0; i < certs->len; i++)
    if (g_strcmp0 (((JcSignerCert *) certs->pdata[i])->subject, "CN=Ada Lovelace,O=NSI") == 0)
      found++;
  g_assert_cmpuint (found, ==, 1);
  g_ptr_array_unref (certs);
  softhsm_fixture_teardown (&hsm);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  jc_init (NULL);
  g_test_add_func ("/app/task-list", test_task_list);
  g_test_add_func ("/app/rendering-deterministic", test_rendering_is_deterministic);
  g_test_add_func ("/app/pak-grants", test_pak_grants);
  g_test_add_func ("/app/timeline", test_timeline);
  g_test_add_func ("/app/local-client", test_local_client_keys_and_peers);
  g_test_add_func ("/app/draft/valid", test_draft_valid);
  g_test_add_func ("/app/draft/problems", test_draft_problems);
  g_test_add_func ("/app/draft/algorithm-error", test_draft_algorithm_error_position);
  g_test_add_func ("/app/upload-check", test_upload_check);
  g_test_add_func ("/app/signing-sheet", test_signing_sheet);
  g_test_add_func ("/app/core-actions", test_core_actions);
  g_test_add_func ("/app/transfer-texts", test_transfer_texts);
  g_test_add_func ("/app/result-table", test_result_table);
  g_test_add_func ("/app/token-sign/summary", test_token_sign_summary);
  g_test_add_func ("/app/token-sign/find", test_token_sign_find);
  return g_test_run ();
}
