#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-attestation-summary.h"
#include "jc-transfer-progress.h"
#include "jc-transfer-view.h"
#include "jc-upload-check.h"
#include "jc-upload-window.h"

struct _JcUploadWindow {
  AdwWindow        parent_instance;
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwStatusPage   *drop_page;
  AdwStatusPage   *ready_page;
  GtkSpinner      *spinner;
  GtkLabel        *problems_title;
  GtkLabel        *problems_summary;
  GtkListBox      *problems_list;
  GtkProgressBar  *progress;
  GtkWidget       *upload_button;
  GtkWidget       *cancel_button;
  JcAttestationSummary *attestation_summary;
  GtkLabel        *progress_label;
  GtkLabel        *verdict_label;

  JcApplication   *app;
  JcTaskInfo      *task;
  char            *input_key;
  GtkDropTarget   *drop_target;
  GCancellable    *cancellable;
  JcCsvReport     *report;
  GFile           *file;
  GtkFileChooserNative *chooser;
  GCancellable    *upload_cancellable;
  gint64           upload_start;
  gboolean         disposed;   /* callbacks of work still under way must not touch widgets */
};

enum { CHECKED, FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JcUploadWindow, jc_upload_window, ADW_TYPE_WINDOW)

static GPtrArray *
input_schema (JcUploadWindow *self)
{
  const JcInputSpec *in = jc_ctsc_find_input (jc_task_info_get_ctsc (self->task), self->input_key);
  return in ? in->schema : NULL;
}

static void
show_report (JcUploadWindow *self)
{
  g_autofree char *name = g_file_get_basename (self->file);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))) != NULL)
    gtk_list_box_remove (self->problems_list, child);

  if (jc_csv_report_ok (self->report))
    {
      g_autofree char *description = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%s: %" PRIu64 " row, every value fits its column.",
                     "%s: %" PRIu64 " rows, every value fits its column.",
                     (gulong) self->report->n_rows),
        name, self->report->n_rows);
      adw_status_page_set_description (self->ready_page, description);
      gtk_stack_set_visible_child_name (self->stack, "ready");
      return;
    }

  {
    g_autofree char *title = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " problem in %s",
                   "%" PRIu64 " problems in %s", (gulong) self->report->n_problems),
      self->report->n_problems, name);
    gtk_label_set_text (self->problems_title, title);
  }
  if (self->report->n_problems > self->report->problems->len)
    {
      g_autofree char *summary = g_strdup_printf (
        _("The first %u are listed. Fix them in your file and drop it again; nothing was sent."),
        self->report->problems->len);
      gtk_label_set_text (self->problems_summary, summary);
    }
  else
    gtk_label_set_text (self->problems_summary,
                        _("Fix them in your file and drop it again; nothing was sent."));

  for (guint i = 0; i < self->report->problems->len; i++)
    {
      const JcCsvProblem *p = g_ptr_array_index (self->report->problems, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *where = NULL;
      g_autofree char *message = g_markup_escape_text (p->message, -1);
      g_autofree char *accessible = jc_csv_problem_format (p);

      if (p->row == 0)
        where = g_strdup (_("The file"));
      else if (p->column == 0)
        where = g_strdup_printf (_("Row %" PRIu64), p->row);
      else if (p->column_name)
        where = g_markup_printf_escaped (_("Row %" PRIu64 ", column %u (%s)"),
                                         p->row, p->column, p->column_name);
      else
        where = g_strdup_printf (_("Row %" PRIu64 ", column %u"), p->row, p->column);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), where);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), message);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      accessible, -1);
      gtk_list_box_append (self->problems_list, row);
    }
  gtk_stack_set_visible_child_name (self->stack, "problems");
}

static void
check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcUploadWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  JcCsvReport *report = jc_upload_check_finish (result, &file, &error);

  /* Cancelled: the window is closing or another file replaced this one; touch nothing. */
  if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  gtk_spinner_stop (self->spinner);
  if (report == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      gtk_stack_set_visible_child_name (self->stack, "drop");
      g_signal_emit (self, signals[CHECKED], 0);
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->report, jc_csv_report_free);
  self->report = report;
  g_set_object (&self->file, file);
  show_report (self);
  g_signal_emit (self, signals[CHECKED], 0);
  g_object_unref (self);
}

void
jc_upload_window_handle_files (JcUploadWindow *self, GSList *files)
{
  GPtrArray *schema = input_schema (self);

  if (schema == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->stack, "checking");
  gtk_spinner_start (self->spinner);
  jc_upload_check_async (files, schema, self->cancellable, check_done, g_object_ref (self));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  JcUploadWindow *self = user_data;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  jc_upload_window_handle_files (self, gdk_file_list_get_files (g_value_get_boxed (value)));
  return TRUE;
}

static void
chooser_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcUploadWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      GSList one = { file, NULL };
      jc_upload_window_handle_files (self, &one);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_clicked (JcUploadWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose the CSV File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Check"), NULL);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
upload_progress (guint64 done, guint64 total, gpointer user_data)
{
  JcUploadWindow *self = user_data;

  if (!self->disposed)
    jc_transfer_progress_show (self->progress, self->progress_label, done, total,
                               self->upload_start);
}

/* GTK 4.8 has no gtk_accessible_announce: a screen reader reads the label's change. */
static void
announce_verdict (JcUploadWindow *self, const char *text)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->verdict_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
set_busy (JcUploadWindow *self, gboolean busy)
{
  gtk_widget_set_sensitive (self->upload_button, !busy);
  gtk_widget_set_visible (self->cancel_button, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), busy);
}

static void
quality_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcUploadWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) verdict = jc_client_quality_finish (JC_CLIENT (source), result, &error);
  g_autofree char *text = NULL;
  gboolean passed = TRUE;

  if (!self->disposed && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      text = error ? g_strdup (error->message) : jc_quality_text (verdict, &passed);
      gtk_label_set_text (self->verdict_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->verdict_label), passed && !error ? "success" : "error");
      announce_verdict (self, text);
      g_signal_emit (self, signals[FINISHED], 0, passed && !error);
    }
  g_object_unref (self);
}

static void
upload_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcUploadWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = jc_client_upload_finish (JC_CLIENT (source), result, &error);

  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  set_busy (self, FALSE);
  if (!ok)
    {
      const char *message = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
        ? _("Upload cancelled: the computing parties discard what they received")
        : error->message;
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      g_signal_emit (self, signals[FINISHED], 0, FALSE);
    }
  else
    {
      adw_status_page_set_title (self->ready_page, _("Uploaded"));
      adw_status_page_set_description (self->ready_page,
                                       _("The computing parties received your data as secret shares."));
      gtk_widget_set_visible (self->upload_button, FALSE);
      gtk_label_set_text (self->verdict_label, _("Waiting for the data-quality verdict…"));
      gtk_widget_set_visible (GTK_WIDGET (self->verdict_label), TRUE);
      jc_client_quality_async (JC_CLIENT (source), jc_task_info_get_id (self->task), self->input_key,
                               self->upload_cancellable, quality_done, g_object_ref (self));
    }
  g_object_unref (self);
}

static void
show_attestations (JcUploadWindow *self, GPtrArray *attestations)
{
  jc_attestation_summary_show (self->attestation_summary, attestations);
  gtk_widget_set_visible (GTK_WIDGET (self->attestation_summary), TRUE);
}

static void
attest_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcUploadWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) attestations = jc_client_attest_finish (JC_CLIENT (source), result, &error);
  g_autofree char *problem = NULL;

  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  if (!attestations || !jc_attestations_ok (attestations, &problem))
    {
      if (attestations)
        show_attestations (self, attestations);
      set_busy (self, FALSE);
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (error ? error->message : problem));
      g_signal_emit (self, signals[FINISHED], 0, FALSE);
      g_object_unref (self);
      return;
    }
  show_attestations (self, attestations);
  /* Every VM attested: the data may go. */
  self->upload_start = g_get_monotonic_time ();
  jc_client_upload_async (JC_CLIENT (source), jc_task_info_get_id (self->task), self->input_key,
                          self->file, upload_progress, self, self->upload_cancellable,
                          upload_done, self);
}

static void
on_upload_clicked (JcUploadWindow *self)
{
  if (self->report == NULL || !jc_csv_report_ok (self->report))
    return;
  g_clear_object (&self->upload_cancellable);
  self->upload_cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_label_set_text (self->progress_label, _("Attesting the computation VMs…"));
  jc_client_attest_async (jc_application_get_client (self->app), jc_task_info_get_id (self->task),
                          self->input_key, TRUE, self->upload_cancellable, attest_done,
                          g_object_ref (self));
}

static void
on_cancel_clicked (JcUploadWindow *self)
{
  g_cancellable_cancel (self->upload_cancellable);
}

const JcCsvReport *
jc_upload_window_get_report (JcUploadWindow *self)
{
  return self->report;
}

GtkDropTarget *
jc_upload_window_get_drop_target (JcUploadWindow *self)
{
  return self->drop_target;
}

static void
jc_upload_window_dispose (GObject *object)
{
  JcUploadWindow *self = JC_UPLOAD_WINDOW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->chooser);
  g_cancellable_cancel (self->upload_cancellable);
  g_clear_object (&self->upload_cancellable);
  G_OBJECT_CLASS (jc_upload_window_parent_class)->dispose (object);
}

static void
jc_upload_window_finalize (GObject *object)
{
  JcUploadWindow *self = JC_UPLOAD_WINDOW (object);

  g_clear_object (&self->task);
  g_free (self->input_key);
  g_clear_pointer (&self->report, jc_csv_report_free);
  g_clear_object (&self->file);
  G_OBJECT_CLASS (jc_upload_window_parent_class)->finalize (object);
}

static void
jc_upload_window_class_init (JcUploadWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_upload_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = jc_upload_window_finalize;
  g_type_ensure (JC_TYPE_ATTESTATION_SUMMARY);
  signals[CHECKED] = g_signal_new ("checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The upload ended: TRUE when the data went and passed (or have no) data-quality check. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-upload-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, drop_page);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, ready_page);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, problems_title);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, problems_summary);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, problems_list);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, upload_button);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, attestation_summary);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, JcUploadWindow, verdict_label);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_upload_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jc_upload_window_init (JcUploadWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));
}

JcUploadWindow *
jc_upload_window_new (JcApplication *app, JcTaskInfo *task, const char *input_key)
{
  JcUploadWindow *self = g_object_new (JC_TYPE_UPLOAD_WINDOW, "application", app, NULL);
  GPtrArray *schema;
  g_autoptr(GString) columns = g_string_new (NULL);
  g_autofree char *subtitle = NULL;
  g_autofree char *description = NULL;

  self->app = app;
  self->task = g_object_ref (task);
  self->input_key = g_strdup (input_key);
  schema = input_schema (self);
  subtitle = g_strdup_printf (_("%s — input “%s”"), jc_task_info_get_title (task), input_key);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  for (guint i = 0; schema && i < schema->len; i++)
    {
      const JcColumn *c = g_ptr_array_index (schema, i);
      g_autofree char *type = jc_column_type_name (c);
      g_string_append_printf (columns, "%s%s (%s)", i ? ", " : "", c->name, type);
    }
  description = g_strdup_printf (_("Its first row names the columns: %s. It is checked on this "
                                   "computer before anything is sent."), columns->str);
  adw_status_page_set_description (self->drop_page, description);
  return self;
}
