#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "jc-application.h"
#include "jc-compare-dialog.h"
#include "jc-encoding.h"
#include "jc-init.h"
#include "jc-keys-window.h"
#include "jc-new-task-window.h"
#include "jc-schema-editor.h"
#include "jc-test-display.h"
#include "jc-task-view.h"
#include "jc-upload-window.h"
#include "jc-window.h"

#include "../../libjoconde/tests/keys/softhsm-fixture.h"
#include "../../libjoconde/tests/keys/signer-fixture.h"

/* Display tests (under Xvfb with a D-Bus session): the real application object on a copy of
 * the sample profile, driven by emitting the signals a user's actions emit (a drop with a
 * file list, button clicks), with screenshots of each main view in JC_SCREENSHOT_DIR. */

#define TASK_ID "5f0c2a9e-1b7d-4c8e-9a31-6d2f40b8e715"
#define TASK_TITLE "Mobile subscription rates by region and age band"

static JcApplication *app;
static char *profile;

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_mkdir_with_parents (to, 0700);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          g_autofree char *data = NULL;
          gsize len;
          g_assert_true (g_file_get_contents (src, &data, &len, NULL));
          g_assert_true (g_file_set_contents (dst, data, (gssize) len, NULL));
        }
    }
}

/* The first widget under ROOT of TYPE whose title/label/tooltip (when given) is TEXT. */
static GtkWidget *
find (GtkWidget *root, GType type, const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          const char *t = NULL;
          if (text == NULL)
            return child;
          if (ADW_IS_PREFERENCES_ROW (child))
            t = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child));
          else if (GTK_IS_BUTTON (child))   /* an icon button: its tooltip */
            t = gtk_button_get_label (GTK_BUTTON (child)) ? gtk_button_get_label (GTK_BUTTON (child))
                                                          : gtk_widget_get_tooltip_text (child);
          if (g_strcmp0 (t, text) == 0)
            return child;
        }
      if ((found = find (child, type, text)) != NULL)
        return found;
    }
  return NULL;
}

static void
set_row (GtkWidget *root, const char *title, const char *text)
{
  GtkWidget *row = find (root, ADW_TYPE_ENTRY_ROW, title);
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static JcWindow *main_win;

static JcWindow *
main_window (void)
{
  return main_win;
}

static void
test_main_window (void)
{
  JcWindow *win = main_window ();
  GListModel *visible = jc_window_get_visible_tasks (win);
  JcTaskView *view;
  g_autofree char *rendering = NULL;

  jc_test_wait_for (jc_test_window_ready, win, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);
  jc_window_set_search (win, NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  jc_window_set_search (win, "labour", FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  jc_window_set_search (win, "labour", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);
  jc_window_set_search (win, NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);

  g_assert_true (jc_window_select_task (win, TASK_ID));
  view = JC_TASK_VIEW (find (GTK_WIDGET (win), JC_TYPE_TASK_VIEW, NULL));
  rendering = jc_task_view_get_rendering (view);
  g_assert_nonnull (strstr (rendering, jc_task_info_get_hash (jc_task_view_get_task (view))));
  g_assert_nonnull (find (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "cp2: the data-quality check of “subscribers” passed"));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (win)), >=, 1260);
  jc_test_screenshot (GTK_WIDGET (win), "main-1280.png");

  /* What clicking a notification does: the task shows, even from a filtered list. */
  jc_window_set_search (win, "labour", FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-task",
                                  g_variant_new_string ("a3d91b62-7e04-4f15-b8c9-02e6f1d4a987"));
  jc_test_spin (100);
  g_assert_cmpstr (jc_task_info_get_id (jc_task_view_get_task (view)), ==, "a3d91b62-7e04-4f15-b8c9-02e6f1d4a987");
  g_assert_true (jc_window_select_task (win, TASK_ID));
}

static void
test_narrow_window (void)
{
  JcWindow *win = jc_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (win), 360, 720);
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  jc_test_spin (200);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (win)), <=, 370);
  jc_test_screenshot (GTK_WIDGET (win), "main-360.png");
  g_assert_true (jc_window_select_task (win, TASK_ID));
  jc_test_screenshot (GTK_WIDGET (win), "task-360.png");
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
checked (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_checked (JcUploadWindow *win, gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
drop_file (JcUploadWindow *win, const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("JC_TEST_DATA"), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFile *files[1] = { file };
  GdkFileList *list = gdk_file_list_new_from_array (files, 1);
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE, done = FALSE;
  gulong id = g_signal_connect (win, "checked", G_CALLBACK (on_checked), &done);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, list);
  /* What GTK emits when a file list is dropped on the window. */
  g_signal_emit_by_name (jc_upload_window_get_drop_target (win), "drop", &value, 100.0, 100.0, &handled);
  g_value_unset (&value);
  g_assert_true (handled);
  jc_test_wait_for (checked, &done, 10000);
  g_signal_handler_disconnect (win, id);
}

static void
test_upload_drop (void)
{
  JcWindow *main = main_window ();
  JcTaskView *view = JC_TASK_VIEW (find (GTK_WIDGET (main), JC_TYPE_TASK_VIEW, NULL));
  JcUploadWindow *win = jc_upload_window_new (app, jc_task_view_get_task (view), "population");
  const JcCsvReport *report;
  g_autofree char *first = NULL;
  GtkWidget *row;

  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (main));
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  jc_test_screenshot (GTK_WIDGET (win), "upload-drop.png");

  drop_file (win, "population-bad.csv");
  report = jc_upload_window_get_report (win);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->n_problems, ==, 5);
  first = jc_csv_problem_format (g_ptr_array_index (report->problems, 0));
  g_assert_cmpstr (first, ==, "Row 3, column 2 (region): “nord” is not one of the codes of this column");
  /* The window lists them with row and column. */
  row = find (GTK_WIDGET (win), ADW_TYPE_ACTION_ROW, "Row 4, column 3 (birth_date)");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "“1975-13-02” is not a date written YYYY-MM-DD");
  g_assert_nonnull (find (GTK_WIDGET (win), ADW_TYPE_ACTION_ROW, "Row 6"));
  jc_test_screenshot (GTK_WIDGET (win), "upload-problems.png");

  {
    /* The same problems on a phone-sized window. */
    JcUploadWindow *narrow = jc_upload_window_new (app, jc_task_view_get_task (view), "population");
    gtk_window_set_default_size (GTK_WINDOW (narrow), 360, 720);
    gtk_window_present (GTK_WINDOW (narrow));
    jc_test_wait_for (jc_test_window_ready, narrow, 5000);
    drop_file (narrow, "population-bad.csv");
    g_assert_cmpuint (jc_upload_window_get_report (narrow)->n_problems, ==, 5);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (narrow)), <=, 370);
    jc_test_screenshot (GTK_WIDGET (narrow), "upload-problems-360.png");
    gtk_window_destroy (GTK_WINDOW (narrow));
  }

  drop_file (win, "population-good.csv");
  report = jc_upload_window_get_report (win);
  g_assert_true (jc_csv_report_ok (report));
  g_assert_cmpuint (report->n_rows, ==, 4);
  jc_test_screenshot (GTK_WIDGET (win), "upload-ready.png");
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
has_label_containing (GtkWidget *root, const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child)
          && strstr (gtk_label_get_text (GTK_LABEL (child)), text))
        return TRUE;
      if (has_label_containing (child, text))
        return TRUE;
    }
  return FALSE;
}

static void
test_new_task (void)
{
  JcNewTaskWindow *win = jc_new_task_window_new (app);
  GtkWidget *root = GTK_WIDGET (win);
  GtkWidget *source;
  GtkTextBuffer *buffer;
  JcSchemaEditor *input, *output, *input2;
  g_autofree char *problems = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(JsonNode) node = NULL;
  GtkWidget *add_input = find (root, GTK_TYPE_BUTTON, "Add _Input");
  GtkWidget *add_output = find (root, GTK_TYPE_BUTTON, "Add _Output");

  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (main_window ()));
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);

  /* An empty draft lists what is missing. */
  problems = jc_new_task_window_check (win);
  g_assert_nonnull (strstr (problems, "title: give the task a title"));
  g_clear_pointer (&problems, g_free);

  set_row (root, "Title", "Subscribers per region");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (find (root, GTK_TYPE_TEXT_VIEW, NULL))),
                            "Counts the subscribers of the operator per region.", -1);
  set_row (root, "Computing parties", "cp1, cp2, cp3");
  set_row (root, "Peers (organisations)", "nsi, mno");
  g_assert_nonnull (add_input);
  g_signal_emit_by_name (add_input, "clicked");
  g_signal_emit_by_name (add_input, "clicked");
  g_signal_emit_by_name (add_output, "clicked");
  input = JC_SCHEMA_EDITOR (find (root, JC_TYPE_SCHEMA_EDITOR, NULL));
  input2 = JC_SCHEMA_EDITOR (gtk_widget_get_next_sibling (GTK_WIDGET (input)));
  {
    /* Walk every schema editor: the third one is the output. */
    GPtrArray *editors = g_ptr_array_new ();
    GtkWidget *stack[64];
    guint top = 0;
    stack[top++] = root;
    while (top > 0)
      {
        GtkWidget *w = stack[--top];
        if (JC_IS_SCHEMA_EDITOR (w))
          g_ptr_array_add (editors, w);
        for (GtkWidget *c = gtk_widget_get_last_child (w); c && top < G_N_ELEMENTS (stack); c = gtk_widget_get_prev_sibling (c))
          stack[top++] = c;
      }
    g_assert_cmpuint (editors->len, ==, 3);
    output = g_ptr_array_index (editors, 2);
    g_assert_true (jc_schema_editor_is_output (output));
    g_ptr_array_unref (editors);
  }
  jc_schema_editor_set_key (input, "population");
  jc_schema_editor_set_peers (input, "nsi");
  jc_schema_editor_add_column (input, "person_id", "ID", 0, 0, NULL);
  jc_schema_editor_add_column (input, "region", "CATEGORY", 0, 0, "north, south, east, west");
  jc_schema_editor_add_column (input, "birth_date", "DATE", 0, 0, NULL);
  jc_schema_editor_set_key (input2, "subscribers");
  jc_schema_editor_set_peers (input2, "mno");
  jc_schema_editor_add_column (input2, "person_id", "ID", 0, 0, NULL);
  jc_schema_editor_add_column (input2, "monthly_fee", "DECIMAL", 8, 2, NULL);
  jc_schema_editor_set_key (output, "counts");
  jc_schema_editor_set_peers (output, "nsi, mno");
  jc_schema_editor_add_column (output, "region", "CATEGORY", 0, 0, "north, south, east, west");
  jc_schema_editor_add_column (output, "persons", "INT", 0, 0, NULL);

  source = find (root, GTK_SOURCE_TYPE_VIEW, NULL);
  g_assert_nonnull (source);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (source));
  gtk_text_buffer_set_text (buffer, "OUTPUT counts AS\n  SELECT p.region, COUNT(*) AS persons\n  FROM population p JOIN subscriber s ON p.person_id = s.person_id\n  GROUP BY p.region;\n", -1);
  jc_new_task_window_validate_now (win);
  /* A misspelt table: the engine's compiler says where. */
  g_assert_nonnull (strstr (jc_new_task_window_get_algorithm_status (win), "line 3"));
  gtk_text_buffer_set_text (buffer, "OUTPUT counts AS\n  SELECT p.region, COUNT(*) AS persons\n  FROM population p JOIN subscribers s ON p.person_id = s.person_id\n  GROUP BY p.region\n  HAVING COUNT(*) >= 10;\n", -1);
  jc_new_task_window_validate_now (win);
  g_assert_cmpstr (jc_new_task_window_get_algorithm_status (win), ==, "The engine accepts the algorithm");

  problems = jc_new_task_window_check (win);
  g_assert_cmpstr (problems, ==, "");
  {
    /* Attachments: one file read without blocking; one too large, one missing, both
     * refused; the draft carries exactly what the list shows; a row's button removes it. */
    g_autofree char *dir = g_dir_make_tmp ("jc-attach-XXXXXX", NULL);
    g_autofree char *legal = g_build_filename (dir, "legal-basis.txt", NULL);
    g_autofree char *big = g_build_filename (dir, "too-big.bin", NULL);
    g_autofree char *missing = g_build_filename (dir, "missing.pdf", NULL);
    g_autofree char *zeros = g_malloc0 (3 * 1024 * 1024);
    g_autoptr(GFile) f_legal = g_file_new_for_path (legal);
    g_autoptr(GFile) f_big = g_file_new_for_path (big);
    g_autoptr(GFile) f_missing = g_file_new_for_path (missing);
    g_autoptr(JcDraft) draft = NULL;
    const JcAttachment *a;

    g_assert_true (g_file_set_contents (legal, "Statistics Act, section 12\n", -1, NULL));
    g_assert_true (g_file_set_contents (big, zeros, 3 * 1024 * 1024, NULL));
    jc_new_task_window_attach_file (win, f_legal);
    jc_new_task_window_attach_file (win, f_missing);
    jc_new_task_window_attach_file (win, f_big);
    jc_new_task_window_attach_file (win, f_legal);
    while (jc_new_task_window_is_attaching (win))
      jc_test_spin (10);
    g_assert_cmpuint (jc_new_task_window_get_n_attachments (win), ==, 2);
    g_assert_nonnull (find (root, ADW_TYPE_ACTION_ROW, "legal-basis.txt"));
    g_signal_emit_by_name (find (root, GTK_TYPE_BUTTON, "Remove the attachment “legal-basis.txt”"), "clicked");
    g_assert_cmpuint (jc_new_task_window_get_n_attachments (win), ==, 1);
    draft = jc_new_task_window_build_draft (win);
    g_assert_cmpuint (draft->attachments->len, ==, 1);
    a = g_ptr_array_index (draft->attachments, 0);
    g_assert_cmpstr (a->title, ==, "legal-basis.txt");
    g_assert_cmpstr (a->media_type, ==, "text/plain");
    g_assert_cmpmem (g_bytes_get_data (a->content, NULL), g_bytes_get_size (a->content),
                     "Statistics Act, section 12\n", 27);
    g_unlink (legal);
    g_unlink (big);
    g_rmdir (dir);
  }
  jc_test_screenshot (root, "new-task.png");
  {
    /* The schema editors and the algorithm, further down the page. */
    GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (find (root, GTK_TYPE_SCROLLED_WINDOW, NULL));
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) * 0.45);
    jc_test_screenshot (root, "new-task-schema.png");
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    jc_test_screenshot (root, "new-task-algorithm.png");
  }
  g_assert_true (gtk_widget_activate_action (root, "draft.save", NULL));
  {
    /* Submit on a profile without its node's connection: refused in words, the draft kept
     * in the window, Submit offered again. */
    GtkWidget *submit = find (root, GTK_TYPE_BUTTON, "S_ubmit");
    g_assert_nonnull (submit);
    g_signal_emit_by_name (submit, "clicked");
    jc_test_wait_for ((gboolean (*) (gpointer)) gtk_widget_get_sensitive, submit, 5000);
    g_assert_null (jc_new_task_window_get_task_id (win));
    g_assert_true (has_label_containing (root, "connection to your organisation’s node"));
  }
  {
    JcNewTaskWindow *narrow = jc_new_task_window_new (app);
    gtk_window_set_default_size (GTK_WINDOW (narrow), 360, 720);
    gtk_window_present (GTK_WINDOW (narrow));
    jc_test_wait_for (jc_test_window_ready, narrow, 5000);
    g_signal_emit_by_name (find (GTK_WIDGET (narrow), GTK_TYPE_BUTTON, "Add _Input"), "clicked");
    jc_schema_editor_add_column (JC_SCHEMA_EDITOR (find (GTK_WIDGET (narrow), JC_TYPE_SCHEMA_EDITOR, NULL)),
                                 "monthly_fee", "DECIMAL", 8, 2, NULL);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (narrow)), <=, 370);
    jc_test_screenshot (GTK_WIDGET (narrow), "new-task-360.png");
    {
      GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (find (GTK_WIDGET (narrow), GTK_TYPE_SCROLLED_WINDOW, NULL));
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) * 0.5);
      jc_test_screenshot (GTK_WIDGET (narrow), "new-task-schema-360.png");
    }
    gtk_window_destroy (GTK_WINDOW (narrow));
  }
  g_assert_nonnull (jc_new_task_window_get_saved_path (win));
  g_assert_true (g_str_has_prefix (jc_new_task_window_get_saved_path (win), profile));
  g_assert_true (g_file_get_contents (jc_new_task_window_get_saved_path (win), &saved, NULL, NULL));
  node = json_from_string (saved, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "title"), ==, "Subscribers per region");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "inputs")), ==, 2);
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_keys (void)
{
  JcKeysWindow *win = jc_keys_window_new (app, TASK_ID);
  g_autofree char *pak = NULL;

  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (main_window ()));
  gtk_window_present (GTK_WINDOW (win));
  jc_test_wait_for (jc_test_window_ready, win, 5000);
  pak = jc_keys_window_create_pak (win);
  g_assert_nonnull (pak);
  g_assert_nonnull (find (GTK_WIDGET (win), ADW_TYPE_ACTION_ROW, pak));
  jc_test_screenshot (GTK_WIDGET (win), "keys.png");
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
is_compare_dialog (GtkWindow *w, gpointer unused)
{
  return JC_IS_COMPARE_DIALOG (w);
}

static gboolean
is_message_dialog (GtkWindow *w, gpointer unused)
{
  return ADW_IS_MESSAGE_DIALOG (w) && !JC_IS_COMPARE_DIALOG (w);
}

/* A message dialog offering the response DATA (a response id). */
static gboolean
offers_response (GtkWindow *w, gpointer data)
{
  return ADW_IS_MESSAGE_DIALOG (w) && adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (w), data);
}

/* Wait conditions: DATA points to where the dialog found is stored. */
static gboolean
has_dialog (gpointer data)
{
  return (*(GtkWindow **) data = jc_test_find_window (is_compare_dialog, NULL)) != NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return (*(GtkWindow **) data = jc_test_find_window (is_message_dialog, NULL)) != NULL;
}

static gboolean
has_decide_dialog (gpointer data)
{
  return (*(GtkWindow **) data = jc_test_find_window (offers_response, "approve")) != NULL;
}

static void
test_terminate (void)
{
  JcWindow *main = main_window ();
  JcTaskView *view = JC_TASK_VIEW (find (GTK_WIDGET (main), JC_TYPE_TASK_VIEW, NULL));
  AdwMessageDialog *dialog = NULL;
  GtkEditable *reason;

  g_assert_true (jc_window_select_task (main, TASK_ID));
  /* The profile's roles include organiser: the task can be ended, with a reason. */
  g_assert_true (gtk_widget_get_visible (find (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "End the task")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "task.terminate", NULL));
  jc_test_wait_for (has_message_dialog, &dialog, 5000);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "terminate"));
  reason = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (reason, "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "terminate"));
  gtk_editable_set_text (reason, "The input files were the wrong year");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "terminate"));
  jc_test_screenshot (GTK_WIDGET (dialog), "terminate.png");
  /* Without the client core the request is refused with a sentence, and nothing breaks. */
  adw_message_dialog_response (dialog, "terminate");
  jc_test_spin (200);
  /* The SO approver's decision: rejecting needs a reason, approving does not. */
  dialog = NULL;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "task.decide", NULL));
  jc_test_wait_for (has_decide_dialog, &dialog, 5000);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "approve"));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "reject"));
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Deadline too short");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "reject"));
  adw_message_dialog_response (dialog, "cancel");
  jc_test_spin (200);

  /* A finished task cannot be ended. */
  g_assert_true (jc_window_select_task (main, "c71e5f08-94ab-4d23-8e6f-b1a2c3d4e5f6"));
  g_assert_false (gtk_widget_get_visible (find (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "End the task")));
  g_assert_true (jc_window_select_task (main, TASK_ID));
}

static void
test_compare_fingerprint (void)
{
  JcWindow *main = main_window ();
  JcTaskView *view = JC_TASK_VIEW (find (GTK_WIDGET (main), JC_TYPE_TASK_VIEW, NULL));
  const JcParty *nsi = g_ptr_array_index (jc_task_info_get_ctsc (jc_task_view_get_task (view))->peers, 0);
  g_autofree char *hex = jc_hex_encode (nsi->fingerprint, 32);
  g_autofree char *digits = jc_party_fingerprint_digits (nsi);
  g_autofree char *verified_path = g_build_filename (profile, "verified-peers", NULL);
  g_autofree char *verified = NULL;
  JcCompareDialog *dialog = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "task.compare", "(sss)", nsi->name, hex, digits));
  jc_test_wait_for (has_dialog, &dialog, 5000);
  jc_test_screenshot (GTK_WIDGET (dialog), "compare.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "match");
  jc_test_spin (100);
  g_assert_true (g_file_get_contents (verified_path, &verified, NULL, NULL));
  g_assert_nonnull (strstr (verified, hex));
  jc_test_screenshot (GTK_WIDGET (main), "task-verified.png");
  {
    GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (find (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW, NULL));
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
    GtkWidget *timeline = find (GTK_WIDGET (view), ADW_TYPE_PREFERENCES_GROUP, NULL);
    graphene_point_t at;
    /* Scroll to the timeline group. */
    for (GtkWidget *w = timeline; w; w = gtk_widget_get_next_sibling (w))
      if (find (w, ADW_TYPE_ACTION_ROW, "cp1: Waiting for data"))
        timeline = w;
    if (gtk_widget_compute_point (timeline, gtk_widget_get_parent (timeline), &GRAPHENE_POINT_INIT (0, 0), &at))
      gtk_adjustment_set_value (adj, at.y - 24);
    jc_test_screenshot (GTK_WIDGET (main), "task-timeline.png");
  }
}

static gboolean
is_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* A security token with a signing certificate is found off the main thread: an
 * organiser's emerging task then offers to sign with it; other tasks do not. */
static void
test_token_button (void)
{
  JcWindow *main = main_window ();
  JcTaskView *view = JC_TASK_VIEW (find (GTK_WIDGET (main), JC_TYPE_TASK_VIEW, NULL));
  GtkWidget *button = find (GTK_WIDGET (view), GTK_TYPE_BUTTON, "Sign with Security Token…");

  g_assert_nonnull (button);
  g_assert_true (jc_window_select_task (main, "a3d91b62-7e04-4f15-b8c9-02e6f1d4a987"));
  jc_test_wait_for (is_visible, button, 10000);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (button)), ==,
                   GTK_ACCESSIBLE_ROLE_BUTTON);
  /* This profile has sent no addendum: the action explains itself and opens nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "task.sign-token", NULL));
  jc_test_spin (100);
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      g_assert_false (ADW_IS_MESSAGE_DIALOG (w)
                      && adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (w), "sign"));
    }
  g_assert_true (jc_window_select_task (main, TASK_ID));
  g_assert_false (gtk_widget_get_visible (button));
}

int
main (int argc, char **argv)
{
  g_autofree char *src = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  jc_init (NULL);
  /* Before the app first looks for tokens: SoftHSM reads its configuration once. */
  SoftHsmFixture hsm;
  softhsm_fixture_setup (&hsm, "node");
  signer_fixture_put ("CN=Ada Lovelace,O=NSI", 0, SOFTHSM_TOKEN, "ada", 1, FALSE);
  profile = g_dir_make_tmp ("jc-display-XXXXXX", &error);
  g_assert_no_error (error);
  src = g_build_filename (g_getenv ("JC_TEST_DATA"), "profile", NULL);
  copy_tree (src, profile);

  app = jc_application_new ();
  jc_application_set_profile_dir (app, profile);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_application_activate (G_APPLICATION (app));
  main_win = JC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_test_add_func ("/display/main-window", test_main_window);
  g_test_add_func ("/display/narrow-window", test_narrow_window);
  g_test_add_func ("/display/upload-drop", test_upload_drop);
  g_test_add_func ("/display/new-task", test_new_task);
  g_test_add_func ("/display/keys", test_keys);
  g_test_add_func ("/display/compare-fingerprint", test_compare_fingerprint);
  g_test_add_func ("/display/terminate", test_terminate);
  g_test_add_func ("/display/token-button", test_token_button);
  status = g_test_run ();
  softhsm_fixture_teardown (&hsm);
  /* The copy of the sample profile goes; kept when a test failed, to look at. */
  if (status == 0)
    {
      const char *rm[] = { "rm", "-rf", profile, NULL };
      g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  return status;
}
