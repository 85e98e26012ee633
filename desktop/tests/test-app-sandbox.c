#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "jc-application.h"
#include "jc-client-core.h"
#include "jc-addendum-window.h"
#include "jc-download-window.h"
#include "jc-first-run-window.h"
#include "jc-init.h"
#include "jc-test-display.h"
#include "jc-test-sandbox.h"
#include "jc-upload-window.h"
#include "jc-window.h"
#include "jc-task-view.h"
#include "../../libjoconde/tests/keys/softhsm-fixture.h"
#include "../../libjoconde/tests/keys/signer-fixture.h"

/* Display tests of the app on a real local federation (`jocondectl sandbox up`). Run alone,
 * the organiser's node drafts the example task through the app's client (JcClientCore over
 * libjoconde/client); run by test-app-atspi-sandbox.py (JC_SANDBOX_DIR and JC_TASK_ID set),
 * the task is the one the organiser filled in the New Task window through the accessibility
 * bus, in that sandbox. The other steps of the agreement go through jocondectl; then the
 * custodian's upload window receives a dropped CSV with wrong rows (the drop signal with a
 * GdkFileList) and lists them by row and column, then the right CSV, attests the three VMs,
 * shows progress and the data-quality verdict; the analyst's download window attests,
 * downloads once and shows the table and chart. Screenshots of the upload and download
 * windows at 1280×800 and 360 px go to JC_SCREENSHOT_DIR. */

static char *sandbox, *data_dir, *task_id;
static SoftHsmFixture hsm;

static char *
ctl (const char *first, ...)
{
  va_list ap;
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  g_autoptr(GError) error = NULL;

  va_start (ap, first);
  g_autoptr(GPtrArray) args = jc_test_ctl_argv (first, ap);
  va_end (ap);
  g_assert_true (g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    {
      /* What the task looks like from the first node named, for the log. */
      g_autofree char *joined = g_strjoinv (" ", (char **) args->pdata + 1);
      g_printerr ("jocondectl %s failed: %s\n", joined, err);
      g_error ("jocondectl %s failed: %s", first, err);
    }
  return g_strdup (g_strstrip (out));
}

static char *
node (const char *name)
{
  return jc_test_sandbox_node (sandbox, name);
}

/* The example's draft with deadlines from now and the sandbox guest's measurement. */
static JsonNode *
example_draft (void)
{
  g_autofree char *src = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates",
                                           "task.json", NULL);
  g_autofree char *legal = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates",
                                             "legal-basis.txt", NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autofree char *guest = NULL;
  gsize len;
  g_assert_true (json_parser_load_from_file (p, src, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (p));
  JsonObject *dl = json_object_get_object_member (o, "deadlines");
  g_autofree char *a = jc_test_time_in (600), *i = jc_test_time_in (900), *e = jc_test_time_in (960), *out = jc_test_time_in (1500);
  json_object_set_string_member (dl, "approval", a);
  json_object_set_string_member (dl, "input", i);
  json_object_set_string_member (dl, "execution", e);
  json_object_set_string_member (dl, "output", out);
  g_assert_true (g_file_get_contents (g_getenv ("JC_GUEST_BINARY"), &guest, &len, NULL));
  JsonArray *m = json_array_new ();
  json_array_add_string_element (m, g_compute_checksum_for_data (G_CHECKSUM_SHA384, (guchar *) guest, len));
  json_object_set_array_member (json_object_get_object_member (o, "tee"), "measurements", m);
  JsonObject *att = json_array_get_object_element (json_object_get_array_member (o, "attachments"), 0);
  json_object_set_string_member (att, "file", legal);
  return json_node_copy (json_parser_get_root (p));
}






static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = find_button (child, label)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *root, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = find_type (child, type)) != NULL)
        return found;
    }
  return NULL;
}

/* The largest fraction the upload's progress bar showed while visible. */
static void
on_fraction (GtkProgressBar *bar, GParamSpec *pspec, gpointer data)
{
  double *max = data;
  if (gtk_widget_get_visible (GTK_WIDGET (bar)))
    *max = MAX (*max, gtk_progress_bar_get_fraction (bar));
}

static gboolean
has_label (GtkWidget *root, const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child)
          && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
        return TRUE;
      if (has_label (child, text))
        return TRUE;
    }
  return FALSE;
}

/* The app of one node's profile, as `joconde --node DIR` starts it. */
static JcApplication *
open_app (const char *name)
{
  g_autofree char *dir = node (name);
  JcApplication *app = jc_application_new ();
  g_autoptr(GError) error = NULL;

  static guint opened;
  g_autofree char *id = g_strdup_printf ("org.joconde.JocondeSandbox.n%s%u", name, opened++);

  /* One process holds an app per role here: each needs its own D-Bus object path. */
  g_strdelimit (id + strlen ("org.joconde.JocondeSandbox."), "-", '_');
  g_application_set_application_id (G_APPLICATION (app), id);
  jc_application_set_profile_dir (app, dir);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JC_IS_CLIENT_CORE (jc_application_get_client (app)));
  return app;
}

static void
close_app (JcApplication *app)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  jc_test_spin (200);
  /* The registered app outlives this test (GApplication keeps its D-Bus export): stop its
   * node's link now, as quitting the app does, so that jocondectl has the profile alone. */
  g_object_run_dispose (G_OBJECT (jc_application_get_client (app)));
  g_object_unref (app);
}

/* The task as the app's client lists it, once the node has it. */
typedef struct {
  JcClient   *client;
  JcTaskInfo *info;
} TaskWait;

static gboolean
task_listed (gpointer data)
{
  TaskWait *w = data;
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (w->client, NULL);
  for (guint i = 0; tasks && i < tasks->len; i++)
    if (g_strcmp0 (jc_task_info_get_id (tasks->pdata[i]), task_id) == 0
        && jc_task_info_needs_action (tasks->pdata[i]))
      {
        g_set_object (&w->info, tasks->pdata[i]);
        return TRUE;
      }
  return FALSE;
}

static void
submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  task_id = jc_client_submit_draft_finish (JC_CLIENT (source), result, &error);
  g_assert_no_error (error);
  *(int *) user_data = 1;
}

static char *
run_relay (const char *conf, const char *a1, const char *a2, const char *a3, const char *a4,
           const char *a5, const char *a6, const char *a7)
{
  const char *argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", conf, a1, a2, a3, a4, a5, a6, a7, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("joconde-relay %s failed: %s", a1, err);
  return g_steal_pointer (&out);
}

static void
set_entry (GtkWidget *root, const char *title, const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_ENTRY_ROW (child)
          && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (child), text);
          return;
        }
      set_entry (child, title, text);
    }
}

static GtkWidget *
find_row (GtkWidget *root, const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (ADW_IS_ACTION_ROW (child)
          && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;
      if ((found = find_row (child, title)) != NULL)
        return found;
    }
  return NULL;
}

static void
on_enrolled (GtkWidget *win, gpointer data)
{
  *(int *) data = 1;
}

/* First run: a new analyst node of the statistics office made in the app, its request
 * approved by the nsi-relay's administrator, its certificate installed; then the tasks. */
static void
test_first_run (void)
{
  g_autofree char *dir = node ("nsi-analyst-2");
  g_autofree char *state_path = g_build_filename (sandbox, "sandbox.json", NULL);
  g_autofree char *root_ca = g_build_filename (sandbox, "relays", "root", "root-ca.pem", NULL);
  g_autofree char *relay_conf = g_build_filename (sandbox, "relays", "nsi-relay", "relay.conf", NULL);
  g_autofree char *csr = g_build_filename (dir, "node.csr", NULL);
  g_autofree char *issued = g_build_filename (sandbox, "data", "issued.pem", NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  JcApplication *app = jc_application_new ();
  g_autoptr(GError) error = NULL;
  JcFirstRunWindow *win;
  GtkWidget *analyst;
  int enrolled = 0;

  g_assert_true (json_parser_load_from_file (p, state_path, NULL));
  const char *url = json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (
    json_node_get_object (json_parser_get_root (p)), "relays"), "nsi-relay"), "url");
  g_application_set_application_id (G_APPLICATION (app), "org.joconde.JocondeSandbox.FirstRun");
  jc_application_set_profile_dir (app, dir);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  win = JC_FIRST_RUN_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (JC_IS_FIRST_RUN_WINDOW (win));
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  set_entry (GTK_WIDGET (win), "Node name", "nsi-analyst-2");
  set_entry (GTK_WIDGET (win), "Organisation", "NSI");
  set_entry (GTK_WIDGET (win), "Email", "analyst2@nsi.example");
  set_entry (GTK_WIDGET (win), "Parent relay address (https://…)", url);
  set_entry (GTK_WIDGET (win), "Your organisation’s node (optional)", "nsi");
  g_assert_true (jc_first_run_window_set_root_ca (win, root_ca));
  analyst = find_row (GTK_WIDGET (win), "Data analyst");
  g_assert_nonnull (analyst);
  gtk_widget_activate (analyst);  /* the row toggles its check button */
  jc_test_spin (100);
  jc_test_screenshot (GTK_WIDGET (win), "first-run.png");
  gtk_widget_activate (find_button (GTK_WIDGET (win), "C_reate Key and Request"));
  jc_test_spin (500);  /* a button activated from the keyboard clicks after a short press */
  g_assert_nonnull (jc_first_run_window_get_key_id (win));
  g_assert_true (g_file_test (csr, G_FILE_TEST_IS_REGULAR));
  jc_test_screenshot (GTK_WIDGET (win), "first-run-request.png");
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 800);
  jc_test_spin (500);
  jc_test_screenshot (GTK_WIDGET (win), "first-run-request-360.png");

  /* The app started again before the certificate came: back at the same request. */
  {
    JcApplication *again = jc_application_new ();
    JcFirstRunWindow *win2;
    g_application_set_application_id (G_APPLICATION (again), "org.joconde.JocondeSandbox.FirstRunAgain");
    jc_application_set_profile_dir (again, dir);
    g_application_register (G_APPLICATION (again), NULL, &error);
    g_assert_no_error (error);
    g_application_activate (G_APPLICATION (again));
    win2 = JC_FIRST_RUN_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (again)));
    g_assert_true (JC_IS_FIRST_RUN_WINDOW (win2));
    g_assert_cmpstr (jc_first_run_window_get_key_id (win2), ==, jc_first_run_window_get_key_id (win));
    close_app (again);
  }

  /* The parent's administrator. */
  {
    g_autofree char *added = run_relay (relay_conf, "csr", "add", csr, NULL, NULL, NULL, NULL);
    const char *r = strstr (added, "Request ");
    g_assert_nonnull (r);
    g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (r + 8, NULL, 10));
    g_free (run_relay (relay_conf, "csr", "approve", number, "--role", "analyst", "--out", issued));
  }
  g_signal_connect (win, "enrolled", G_CALLBACK (on_enrolled), &enrolled);
  g_assert_true (jc_first_run_window_install (win, issued, &error));
  g_assert_no_error (error);
  g_assert_true (enrolled);
  jc_test_spin (200);
  g_assert_true (JC_IS_CLIENT_CORE (jc_application_get_client (app)));
  g_assert_true (JC_IS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app))));
  close_app (app);
}

static void
test_organiser_drafts (void)
{
  JcApplication *app = open_app ("nsi");

  if (task_id == NULL)
    {
      g_autoptr(JsonNode) draft = example_draft ();
      int done = 0;
      jc_client_submit_draft_async (jc_application_get_client (app), draft, NULL, submitted, &done);
      jc_test_wait_for (jc_test_flag_set, &done, 60000);
    }
  g_assert_true (g_uuid_string_is_valid (task_id));
  g_application_activate (G_APPLICATION (app));
  {
    GtkWidget *win = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
    GListModel *visible;
    gboolean found = FALSE;
    jc_test_wait_for (jc_test_window_ready, win, 5000);
    jc_window_reload (JC_WINDOW (win));
    visible = jc_window_get_visible_tasks (JC_WINDOW (win));
    for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
      {
        g_autoptr(JcTaskInfo) info = g_list_model_get_item (visible, i);
        found |= g_strcmp0 (jc_task_info_get_id (info), task_id) == 0;
      }
    g_assert_true (found);
    jc_test_screenshot (win, "sandbox-organiser.png");
  }
  close_app (app);
}

static void
on_sent (GtkWidget *win, gboolean ok, gpointer data)
{
  *(int *) data = ok ? 1 : -1;
}

static void
signed_sheet_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (jc_client_sign_finish (JC_CLIENT (source), result, &error));
  g_assert_no_error (error);
  *(int *) data = 1;
}

/* --- the signatory signs with a security token -------------------------------------- */

/* A message dialog offering the response DATA, or whose heading is DATA. */
static gboolean
offers_response (GtkWindow *w, gpointer data)
{
  return ADW_IS_MESSAGE_DIALOG (w) && adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (w), data);
}

static gboolean
has_heading (GtkWindow *w, gpointer data)
{
  return ADW_IS_MESSAGE_DIALOG (w)
         && g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (w)), data) == 0;
}

static AdwMessageDialog *
sign_dialog (void)
{
  return ADW_MESSAGE_DIALOG (jc_test_find_window (offers_response, "sign"));
}

static gboolean
refusal_shown (gpointer data)
{
  return jc_test_find_window (has_heading, "The Addendum Was Not Signed") != NULL;
}

static gboolean
sign_dialog_shown (gpointer data)
{
  return sign_dialog () != NULL;
}

static gboolean
token_button_shown (gpointer data)
{
  JcWindow *win = data;
  JcTaskView *view = JC_TASK_VIEW (find_type (GTK_WIDGET (win), JC_TYPE_TASK_VIEW));
  GtkWidget *button = view ? find_button (GTK_WIDGET (view), "Sign with Security Token…") : NULL;

  static gint64 selected;
  gint64 now = g_get_monotonic_time ();

  if (button && gtk_widget_get_visible (button) && gtk_widget_get_mapped (button))
    return TRUE;
  /* The list follows the node: select the task again now and then (each selection starts
   * the search for tokens anew) until its page offers the token. */
  if (now - selected > 3 * G_USEC_PER_SEC)
    {
      jc_window_select_task (win, task_id);
      selected = now;
    }
  return FALSE;
}

typedef struct {
  JcClient *client;
  char     *event;
} EventWait;

static gboolean
signed_electronically (gpointer data)
{
  EventWait *e = data;
  g_free (e->event);
  e->event = jc_client_get_task_event (e->client, task_id);
  return e->event && strstr (e->event, "electronic") != NULL;
}

/* The organisation's signatory at the organiser's app, with the smart card (a SoftHSM2
 * token made by main) plugged in: the task's page offers to sign with it; the dialog shows
 * the addendum's hash and the certificate; a wrong PIN is refused in words; the right PIN
 * signs, and the root names the signer in the task's latest event. */
static void
signatory_signs_with_token (JcApplication *app, JcClient *client)
{
  JcWindow *win;
  JcTaskView *view;
  AdwMessageDialog *dialog;
  GtkWidget *pin;
  EventWait e = { client, NULL };
  g_autofree char *hash = jc_client_get_ctsa_hash (client, task_id, NULL);

  win = jc_window_new (JC_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  jc_test_wait_for (token_button_shown, win, 60000);
  view = JC_TASK_VIEW (find_type (GTK_WIDGET (win), JC_TYPE_TASK_VIEW));

  /* A wrong PIN first: the token says so and nothing is sent. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "task.sign-token", NULL));
  jc_test_wait_for (sign_dialog_shown, NULL, 5000);
  dialog = sign_dialog ();
  g_assert_nonnull (hash);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), hash));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Ada Lovelace"));
  pin = find_type (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY);
  g_assert_nonnull (pin);
  gtk_editable_set_text (GTK_EDITABLE (pin), "9999");
  jc_test_screenshot (GTK_WIDGET (win), "sign-token.png");
  jc_test_screenshot (GTK_WIDGET (dialog), "sign-token-dialog.png");
  adw_message_dialog_response (dialog, "sign");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pin)), ==, "");  /* forgotten at once */
  gtk_window_close (GTK_WINDOW (dialog));   /* what the dialog's button does after "response" */
  {
    AdwMessageDialog *refused;
    jc_test_wait_for (refusal_shown, NULL, 30000);
    refused = ADW_MESSAGE_DIALOG (jc_test_find_window (has_heading, "The Addendum Was Not Signed"));
    g_assert_nonnull (strstr (adw_message_dialog_get_body (refused), "PIN"));
    gtk_window_destroy (GTK_WINDOW (refused));
  }

  /* The right PIN. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "task.sign-token", NULL));
  jc_test_wait_for (sign_dialog_shown, NULL, 5000);
  dialog = sign_dialog ();
  pin = find_type (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (pin), SOFTHSM_PIN);
  adw_message_dialog_response (dialog, "sign");
  gtk_window_close (GTK_WINDOW (dialog));
  jc_test_wait_for (signed_electronically, &e, 60000);
  g_assert_nonnull (strstr (e.event, "CN=Ada Lovelace"));
  g_free (e.event);
}

/* The statistics office's organiser in the app: the addendum page grants the two keys
 * received (by default: its own input, the outputs it may retrieve), names the signatory
 * with an identification document and signs; then the signed sheet is sent. */
static void
organiser_addendum (const char *sheet)
{
  JcApplication *app = open_app ("nsi");
  TaskWait w = { jc_application_get_client (app), NULL };
  g_autoptr(GFile) doc = g_file_new_for_path (sheet);
  JcAddendumWindow *win;
  GtkWidget *row;
  int sent = 0, signed_ = 0;

  jc_test_wait_for (task_listed, &w, 30000);
  g_assert_cmpint (jc_task_info_get_action (w.info), ==, JC_TASK_ACTION_ADDENDUM);
  /* Both keys of this organisation have reached its node. */
  {
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    guint n = 0;
    while (n < 2 && g_get_monotonic_time () < end)
      {
        g_autoptr(GPtrArray) paks = jc_client_list_received_paks (w.client, task_id, NULL);
        n = paks ? paks->len : 0;
        jc_test_spin (100);
      }
    g_assert_cmpuint (n, ==, 2);
  }
  win = jc_addendum_window_new (app, w.info);
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  g_signal_connect (win, "sent", G_CALLBACK (on_sent), &sent);
  set_entry (GTK_WIDGET (win), "Signatory’s node", "nsi-signatory");
  jc_addendum_window_set_document (win, doc);
  /* The defaults: the custodian's key gets "population" (not "subscribers"). */
  row = find_row (GTK_WIDGET (win), "population");
  g_assert_nonnull (row);
  jc_test_screenshot (GTK_WIDGET (win), "addendum.png");
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 800);
  jc_test_spin (500);
  jc_test_screenshot (GTK_WIDGET (win), "addendum-360.png");
  gtk_widget_activate (find_button (GTK_WIDGET (win), "_Sign and Send"));
  jc_test_wait_for (jc_test_flag_set, &sent, 60000);
  g_assert_cmpint (sent, ==, 1);
  if (g_getenv ("JC_BENCH_UPLOAD_ROWS"))
    {
      /* The benchmark measures the upload: the signature takes the short way. */
      jc_client_sign_async (w.client, task_id, doc, NULL, signed_sheet_sent, &signed_);
      jc_test_wait_for (jc_test_flag_set, &signed_, 60000);
    }
  else
    signatory_signs_with_token (app, w.client);
  g_clear_object (&w.info);
  close_app (app);
}

static void
decided (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (jc_client_decide_finish (JC_CLIENT (source), result, &error));
  g_assert_no_error (error);
  *(int *) data = 1;
}

/* The SO approver in the app: the task waits for its approval; approved. */
static void
so_approves (void)
{
  JcApplication *app = open_app ("so");
  TaskWait w = { jc_application_get_client (app), NULL };
  int done = 0;

  jc_test_wait_for (task_listed, &w, 60000);
  g_assert_cmpint (jc_task_info_get_action (w.info), ==, JC_TASK_ACTION_APPROVE);
  jc_client_decide_async (w.client, task_id, TRUE, NULL, NULL, decided, &done);
  jc_test_wait_for (jc_test_flag_set, &done, 60000);
  g_clear_object (&w.info);
  close_app (app);
}

/* PAKs, addenda, signatures and the SO's approval, as the e2e suite does them. */
static void
test_agreement (void)
{
  const char *holders[] = { "nsi-custodian", "nsi-analyst", "mno-custodian", "mno-analyst" };
  g_autofree char *paks[4] = { NULL };
  g_autofree char *sheet = g_build_filename (data_dir, "sheet.txt", NULL);

  g_assert_nonnull (task_id);
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *n = node (holders[k]);
      paks[k] = ctl ("pak", "new", "--node", n, "--task", task_id, NULL);
    }
  g_assert_true (g_file_set_contents (sheet, "signed\n", -1, NULL));
  const char *org[] = { "nsi", "mno" }, *inputs[] = { "population", "subscribers" };
  const char *signatories[] = { "nsi-signatory", "mno-signatory" };
  organiser_addendum (sheet);
  for (int k = 1; k < 2; k++)
    {
      g_autofree char *n = node (org[k]);
      g_autofree char *c = g_strdup_printf ("%s=%s", paks[2 * k], inputs[k]);
      g_autofree char *a1 = g_strdup_printf ("%s=residents", paks[2 * k + 1]);
      g_autofree char *a2 = g_strdup_printf ("%s=subscriptions", paks[2 * k + 1]);
      g_free (ctl ("addendum", "--node", n, "--task", task_id, "--custodian", c, "--analyst", a1,
                   "--analyst", a2, "--signatory", signatories[k], "--signatory-doc", sheet, NULL));
      g_free (ctl ("sign", "--node", n, "--task", task_id, "--signature", sheet, NULL));
    }
  so_approves ();
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *n = node (org[k]);
      g_free (ctl ("status", "--node", n, "--task", task_id, "--wait", "input", "--timeout", "120", NULL));
    }
  /* The custodians' and analysts' nodes fetch what their organisation's node passed on. */
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *n = node (holders[k]);
      g_free (ctl ("status", "--node", n, "--task", task_id, NULL));
    }
}

static void
on_finished (GtkWidget *win, gboolean ok, gpointer data)
{
  *(int *) data = ok ? 1 : -1;
}

/* Main-loop latency: a 10 ms tick on the main context and how late it runs. The UI is
 * responsive while the worst lateness stays at a few frames. Printed, never asserted. */
typedef struct {
  gint64  expected;
  gint64  max_late;
  gint64  sum_late;
  guint   ticks;
  guint   source;
} Latency;

static gboolean
latency_tick (gpointer data)
{
  Latency *l = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = MAX (0, now - l->expected);

  l->max_late = MAX (l->max_late, late);
  l->sum_late += late;
  l->ticks++;
  l->expected = now + 10000;
  return G_SOURCE_CONTINUE;
}

static void
latency_start (Latency *l)
{
  memset (l, 0, sizeof *l);
  l->expected = g_get_monotonic_time () + 10000;
  l->source = g_timeout_add (10, latency_tick, l);
}

static void
latency_stop (Latency *l, const char *what)
{
  g_source_remove (l->source);
  g_test_message ("main-loop latency %s: max %.1f ms, mean %.2f ms over %u ticks of 10 ms",
                  what, l->max_late / 1000.0, l->ticks ? l->sum_late / 1000.0 / l->ticks : 0.0,
                  l->ticks);
  if (g_getenv ("JC_BENCH_UPLOAD_ROWS"))
    g_print ("main-loop latency %s: max %.1f ms, mean %.2f ms over %u ticks of 10 ms\n",
             what, l->max_late / 1000.0, l->ticks ? l->sum_late / 1000.0 / l->ticks : 0.0,
             l->ticks);
}

static void
on_checked (JcUploadWindow *win, gpointer data)
{
  *(int *) data = 1;
}

/* What GTK emits when a file list is dropped on the window; waits for the check. */
static void
drop_file (JcUploadWindow *win, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFile *files[1] = { file };
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;
  int checked = 0;
  gulong id = g_signal_connect (win, "checked", G_CALLBACK (on_checked), &checked);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, 1));
  g_signal_emit_by_name (jc_upload_window_get_drop_target (win), "drop", &value, 100.0, 100.0, &handled);
  g_value_unset (&value);
  g_assert_true (handled);
  jc_test_wait_for (jc_test_flag_set, &checked, 30000);
  g_signal_handler_disconnect (win, id);
}

static void
test_custodian_uploads (void)
{
  JcApplication *app = open_app ("nsi-custodian");
  TaskWait w = { jc_application_get_client (app), NULL };
  g_autofree char *csv = g_build_filename (data_dir, "population.csv", NULL);
  g_autofree char *wrong = g_build_filename (data_dir, "population-wrong.csv", NULL);
  int finished = 0;
  JcUploadWindow *win;
  GtkWidget *row;

  g_assert_nonnull (task_id);
  jc_test_wait_for (task_listed, &w, 30000);
  g_assert_cmpint (jc_task_info_get_action (w.info), ==, JC_TASK_ACTION_UPLOAD);
  g_assert_cmpstr (jc_task_info_get_action_key (w.info), ==, "population");
  win = jc_upload_window_new (app, w.info, "population");
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  g_signal_connect (win, "finished", G_CALLBACK (on_finished), &finished);

  /* A wrong file first: a region that is not one of the task's codes, a date that does
   * not exist. The window lists each by row and column and offers no upload. */
  g_assert_true (g_file_set_contents (wrong,
                                      "person_id,region,age_band,birth_date\n"
                                      "P-1,north,25-34,1990-01-01\n"
                                      "P-2,nord,25-34,1990-01-01\n"
                                      "P-3,south,35-44,1975-13-02\n", -1, NULL));
  drop_file (win, wrong);
  g_assert_false (jc_csv_report_ok (jc_upload_window_get_report (win)));
  g_assert_cmpuint (jc_upload_window_get_report (win)->n_problems, ==, 2);
  row = find_row (GTK_WIDGET (win), "Row 3, column 2 (region)");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "“nord” is not one of the codes of this column");
  row = find_row (GTK_WIDGET (win), "Row 4, column 4 (birth_date)");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "“1975-13-02” is not a date written YYYY-MM-DD");
  jc_test_screenshot (GTK_WIDGET (win), "sandbox-upload-problems.png");

  drop_file (win, csv);
  g_assert_true (jc_csv_report_ok (jc_upload_window_get_report (win)));
  {
    /* The baseline: the same window idle, in the same run. */
    Latency idle, busy;
    struct stat st;
    gint64 start;
    double shown = 0;
    GtkWidget *bar = find_type (GTK_WIDGET (win), GTK_TYPE_PROGRESS_BAR);
    g_assert_nonnull (bar);
    g_signal_connect (bar, "notify::fraction", G_CALLBACK (on_fraction), &shown);
    latency_start (&idle);
    jc_test_spin (1000);
    latency_stop (&idle, "idle (baseline)");
    latency_start (&busy);
    start = g_get_monotonic_time ();
    gtk_widget_activate (find_button (GTK_WIDGET (win), "_Upload"));
    jc_test_wait_for (jc_test_flag_set, &finished, 3600 * 1000);
    latency_stop (&busy, "during the upload and its data-quality wait");
    /* The progress bar went up to the whole file while the upload ran. */
    g_test_message ("progress shown up to %.0f %%", 100 * shown);
    g_assert_cmpfloat (shown, >=, 0.99);
    g_signal_handlers_disconnect_by_func (bar, on_fraction, &shown);
    g_assert_cmpint (g_stat (csv, &st), ==, 0);
    g_test_message ("uploaded %.1f MB in %.1f s (attestation and quality verdict included)",
                    st.st_size / 1e6, (g_get_monotonic_time () - start) / 1e6);
    if (g_getenv ("JC_BENCH_UPLOAD_ROWS"))
      g_print ("uploaded %.1f MB in %.1f s (attestation and quality verdict included)\n",
               st.st_size / 1e6, (g_get_monotonic_time () - start) / 1e6);
  }
  g_assert_cmpint (finished, ==, 1);
  g_assert_true (has_label (GTK_WIDGET (win), "Data quality: passed. Your data meet the task’s checks."));
  jc_test_screenshot (GTK_WIDGET (win), "upload-done.png");
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 800);
  jc_test_spin (500);
  jc_test_screenshot (GTK_WIDGET (win), "upload-done-360.png");
  g_clear_object (&w.info);
  close_app (app);

  /* The other organisation's custodian, from the command line. */
  {
    g_autofree char *mno = node ("mno-custodian");
    g_autofree char *sub = g_build_filename (data_dir, "subscribers.csv", NULL);
    g_free (ctl ("upload", "--node", mno, "--task", task_id, "--input", "subscribers", sub, NULL));
    if (g_getenv ("JC_BENCH_UPLOAD_ROWS"))
      return;  /* the benchmark ends with the upload */
  }
}

static gboolean
download_ready (gpointer data)
{
  GtkWidget *button = find_button (data, "_Download Once");
  return button && gtk_widget_get_sensitive (button);
}

static void
test_analyst_downloads (void)
{
  if (g_getenv ("JC_BENCH_UPLOAD_ROWS"))
    {
      g_test_skip ("benchmark mode: upload only");
      return;
    }
  g_autofree char *nsi = node ("nsi"), *analyst = node ("nsi-analyst");
  g_free (ctl ("status", "--node", nsi, "--task", task_id, "--wait", "output", "--timeout", "120", NULL));
  g_free (ctl ("status", "--node", analyst, "--task", task_id, NULL));
  JcApplication *app = open_app ("nsi-analyst");
  TaskWait w = { jc_application_get_client (app), NULL };
  int finished = 0;
  JcDownloadWindow *win;

  jc_test_wait_for (task_listed, &w, 30000);
  g_assert_cmpint (jc_task_info_get_action (w.info), ==, JC_TASK_ACTION_DOWNLOAD);
  win = jc_download_window_new (app, w.info, "residents");
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  g_signal_connect (win, "finished", G_CALLBACK (on_finished), &finished);
  jc_test_wait_for (download_ready, win, 60000);
  jc_test_screenshot (GTK_WIDGET (win), "download-attested.png");
  gtk_widget_activate (find_button (GTK_WIDGET (win), "_Download Once"));
  jc_test_wait_for (jc_test_flag_set, &finished, 120000);
  g_assert_cmpint (finished, ==, 1);
  /* The table: its header and a region of the example's data. */
  g_assert_true (has_label (GTK_WIDGET (win), "persons"));
  g_assert_true (has_label (GTK_WIDGET (win), "north"));
  jc_test_screenshot (GTK_WIDGET (win), "download-result.png");
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 800);
  jc_test_spin (500);
  jc_test_screenshot (GTK_WIDGET (win), "download-result-360.png");
  g_clear_object (&w.info);
  close_app (app);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean own = g_getenv ("JC_SANDBOX_DIR") == NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  jc_init (NULL);
  /* The signatory's smart card, before the app first looks for tokens (SoftHSM reads its
   * configuration once). */
  softhsm_fixture_setup (&hsm, "node");
  signer_fixture_put ("CN=Ada Lovelace,O=NSI", GNUTLS_KEY_DIGITAL_SIGNATURE, SOFTHSM_TOKEN,
                      "ada", 1, FALSE);
  /* jocondectl and an app open on the same profile share its SQLite store: the core warns
   * when the other process holds the lock and records the message on its next pass (the
   * inbox keeps it). Warnings are printed but not fatal here; criticals are. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  if (own)
    {
      /* Our own sandbox, stopped on every way out (a failed assertion, meson's SIGTERM). */
      sandbox = g_dir_make_tmp ("jc-app-sandbox-XXXXXX", &error);
      g_assert_no_error (error);
      jc_test_sandbox_guard (g_getenv ("JOCONDECTL"), sandbox);
      g_assert_true (jc_test_sandbox_up (sandbox, &error));
      g_assert_no_error (error);
    }
  else
    {
      /* The sandbox and task of test-app-atspi-sandbox.py, which stops the sandbox. */
      sandbox = g_strdup (g_getenv ("JC_SANDBOX_DIR"));
      task_id = g_strdup (g_getenv ("JC_TASK_ID"));
      g_assert_true (g_uuid_string_is_valid (task_id));
    }
  data_dir = g_build_filename (sandbox, "data", NULL);
  {
    /* The benchmark mode (meson benchmark app-upload-latency) uploads a large file. */
    const char *rows = g_getenv ("JC_BENCH_UPLOAD_ROWS") ? g_getenv ("JC_BENCH_UPLOAD_ROWS") : "3000";
    const char *gen[] = { g_getenv ("JC_EXAMPLE_GEN"), "--rows", rows, "--out", data_dir, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) gen, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                                 NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_test_add_func ("/sandbox/first-run", test_first_run);
  g_test_add_func ("/sandbox/organiser-drafts", test_organiser_drafts);
  g_test_add_func ("/sandbox/agreement", test_agreement);
  g_test_add_func ("/sandbox/custodian-uploads", test_custodian_uploads);
  g_test_add_func ("/sandbox/analyst-downloads", test_analyst_downloads);
  status = g_test_run ();
  softhsm_fixture_teardown (&hsm);
  if (own)
    {
      jc_test_sandbox_down (sandbox);
      if (!g_getenv ("JC_KEEP_SANDBOX"))
        {
          const char *rm[] = { "rm", "-rf", sandbox, NULL };
          g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
        }
    }
  return status;
}
