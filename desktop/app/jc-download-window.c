#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>

#include "jc-attestation-summary.h"
#include "jc-download-window.h"
#include "jc-result.h"
#include "jc-transfer-progress.h"
#include "jc-transfer-view.h"

/* The table shows the first rows; the whole result is in the saved file. */
#define MAX_TABLE_ROWS 200

struct _JcDownloadWindow {
  AdwWindow        parent_instance;
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkLabel        *intro_label;
  JcAttestationSummary *attestation_summary;
  GtkWidget       *download_button;
  GtkWidget       *save_button;
  GtkProgressBar  *progress;
  GtkLabel        *status_label;
  GtkDrawingArea  *chart;
  GtkWidget       *table_scroll;
  GtkGrid         *table;

  JcApplication   *app;
  JcTaskInfo      *task;
  char            *output_key;
  GFile           *result_file;
  JcResult        *result;
  GPtrArray       *bar_labels;
  GArray          *bar_values;
  GCancellable    *cancellable;
  GtkFileChooserNative *chooser;
  gint64           start;
  gboolean         disposed;
};

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JcDownloadWindow, jc_download_window, ADW_TYPE_WINDOW)

static void
toast (JcDownloadWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* --- the chart: one horizontal bar per group ------------------------------------------- */

static void
draw_chart (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  JcDownloadWindow *self = user_data;
  GtkWidget *widget = GTK_WIDGET (area);
  GdkRGBA fg, accent = { 0.21, 0.52, 0.89, 1.0 };  /* the GNOME accent blue */
  double max = 0, bar_h, label_w;
  guint n;

  if (!self->bar_values || self->bar_values->len == 0)
    return;
  /* GTK 4.8 has no gtk_widget_get_color. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  n = self->bar_values->len;
  for (guint i = 0; i < n; i++)
    max = MAX (max, g_array_index (self->bar_values, double, i));
  bar_h = MIN (28.0, (double) height / n);
  label_w = MIN (width * 0.35, 160.0);
  for (guint i = 0; i < n; i++)
    {
      double v = g_array_index (self->bar_values, double, i);
      double w = max > 0 ? (width - label_w - 70) * v / max : 0;
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->bar_labels->pdata[i]);
      g_autofree char *value = g_strdup_printf ("%g", v);
      int tw, th;

      pango_layout_set_width (layout, (int) (label_w - 8) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, 0, i * bar_h + (bar_h - th) / 2);
      pango_cairo_show_layout (cr, layout);
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_rectangle (cr, label_w, i * bar_h + 3, MAX (w, 1), bar_h - 6);
      cairo_fill (cr);
      pango_layout_set_text (layout, value, -1);
      pango_layout_set_width (layout, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, label_w + MAX (w, 1) + 6, i * bar_h + (bar_h - th) / 2);
      pango_cairo_show_layout (cr, layout);
    }
}

/* --- the table --------------------------------------------------------------------------- */

static void
add_cell (JcDownloadWindow *self, const char *text, int col, int row, gboolean header)
{
  GtkWidget *label = gtk_label_new (*text ? text : "—");

  /* Numbers right-aligned, so that their digits line up as in a printed table. */
  gtk_label_set_xalign (GTK_LABEL (label), self->result->numeric[col] ? 1 : 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (header)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (self->table, label, col, row, 1, 1);
}

static void
show_result (JcDownloadWindow *self)
{
  JcResult *r = self->result;
  g_autofree char *status = NULL;

  for (guint c = 0; r->header[c]; c++)
    add_cell (self, r->header[c], c, 0, TRUE);
  for (guint i = 0; i < r->rows->len; i++)
    {
      GStrv row = r->rows->pdata[i];
      for (guint c = 0; row[c]; c++)
        add_cell (self, row[c], c, i + 1, FALSE);
    }
  gtk_widget_set_visible (self->table_scroll, TRUE);
  if (r->n_rows > r->rows->len)
    status = g_strdup_printf (_("%" PRIu64 " rows; the first %u are shown. Save the result to see them all."),
                              r->n_rows, r->rows->len);
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " row.", "%" PRIu64 " rows.",
                                           (gulong) r->n_rows), r->n_rows);
  gtk_label_set_text (self->status_label, status);
  if (jc_result_bars (r, &self->bar_labels, &self->bar_values))
    {
      g_autofree char *description = g_strdup_printf (_("Bar chart of %s per %s"),
                                                      r->header[r->value_col], r->header[r->group_col]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      description, -1);
      gtk_drawing_area_set_content_height (self->chart, MIN (12, self->bar_values->len) * 28);
      gtk_widget_set_visible (GTK_WIDGET (self->chart), TRUE);
      gtk_widget_queue_draw (GTK_WIDGET (self->chart));
    }
  gtk_widget_set_sensitive (self->save_button, TRUE);
}

/* --- download ---------------------------------------------------------------------------- */

static void
download_progress (guint64 done, guint64 total, gpointer user_data)
{
  JcDownloadWindow *self = user_data;

  if (!self->disposed)
    jc_transfer_progress_show (self->progress, self->status_label, done, total, self->start);
}

static void
download_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcDownloadWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  path = g_file_get_path (self->result_file);
  if (!jc_client_download_finish (JC_CLIENT (source), result, &error)
      || !(self->result = jc_result_load (path, MAX_TABLE_ROWS, &error)))
    {
      gtk_label_set_text (self->status_label, error->message);
      toast (self, error->message);
      g_signal_emit (self, signals[FINISHED], 0, FALSE);
      g_object_unref (self);
      return;
    }
  gtk_widget_set_visible (self->download_button, FALSE);
  show_result (self);
  g_signal_emit (self, signals[FINISHED], 0, TRUE);
  g_object_unref (self);
}

/* The result is kept in this user's private cache until saved elsewhere. */
static GFile *
result_file (JcDownloadWindow *self, GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "joconde", "results", NULL);
  g_autofree char *name = g_strdup_printf ("%s-%s.csv", jc_task_info_get_id (self->task),
                                           self->output_key);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("The folder %s cannot be created: %s"), dir, g_strerror (errno));
      return NULL;
    }
  return g_file_new_build_filename (dir, name, NULL);
}

static void
on_download_clicked (JcDownloadWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->result_file);
  if (!(self->result_file = result_file (self, &error)))
    {
      toast (self, error->message);
      return;
    }
  gtk_widget_set_sensitive (self->download_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  self->start = g_get_monotonic_time ();
  jc_client_download_async (jc_application_get_client (self->app), jc_task_info_get_id (self->task),
                            self->output_key, self->result_file, download_progress, self,
                            self->cancellable, download_done, g_object_ref (self));
}

static void
attest_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcDownloadWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) attestations = jc_client_attest_finish (JC_CLIENT (source), result, &error);
  g_autofree char *problem = NULL;

  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  jc_attestation_summary_show (self->attestation_summary, attestations);
  if (!attestations || !jc_attestations_ok (attestations, &problem))
    gtk_label_set_text (self->status_label, error ? error->message : problem);
  else
    {
      gtk_label_set_text (self->status_label,
                          _("Every computation VM is attested. The result can be downloaded once."));
      gtk_widget_set_sensitive (self->download_button, TRUE);
    }
  g_object_unref (self);
}

/* --- save as CSV ---------------------------------------------------------------------- */

static void
save_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcDownloadWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->result_file)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GError) error = NULL;
      if (!g_file_copy (self->result_file, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        toast (self, error->message);
      else
        toast (self, _("The result was saved"));
    }
  g_clear_object (&self->chooser);
}

static void
on_save_clicked (JcDownloadWindow *self)
{
  g_autofree char *suggested = g_strdup_printf ("%s.csv", self->output_key);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Save the Result"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
jc_download_window_dispose (GObject *object)
{
  JcDownloadWindow *self = JC_DOWNLOAD_WINDOW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->chooser);
  G_OBJECT_CLASS (jc_download_window_parent_class)->dispose (object);
}

static void
jc_download_window_finalize (GObject *object)
{
  JcDownloadWindow *self = JC_DOWNLOAD_WINDOW (object);

  g_clear_object (&self->task);
  g_free (self->output_key);
  g_clear_object (&self->result_file);
  g_clear_pointer (&self->result, jc_result_free);
  g_clear_pointer (&self->bar_labels, g_ptr_array_unref);
  g_clear_pointer (&self->bar_values, g_array_unref);
  G_OBJECT_CLASS (jc_download_window_parent_class)->finalize (object);
}

static void
jc_download_window_class_init (JcDownloadWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_download_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = jc_download_window_finalize;
  g_type_ensure (JC_TYPE_ATTESTATION_SUMMARY);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-download-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, intro_label);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, attestation_summary);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, download_button);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, table_scroll);
  gtk_widget_class_bind_template_child (widget_class, JcDownloadWindow, table);
  gtk_widget_class_bind_template_callback (widget_class, on_download_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jc_download_window_init (JcDownloadWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_drawing_area_set_draw_func (self->chart, draw_chart, self, NULL);
}

JcDownloadWindow *
jc_download_window_new (JcApplication *app, JcTaskInfo *task, const char *output_key)
{
  JcDownloadWindow *self = g_object_new (JC_TYPE_DOWNLOAD_WINDOW, "application", app, NULL);
  g_autofree char *subtitle = NULL;

  self->app = app;
  self->task = g_object_ref (task);
  self->output_key = g_strdup (output_key);
  subtitle = g_strdup_printf (_("%s — output “%s”"), jc_task_info_get_title (task), output_key);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_label_set_text (self->intro_label,
                      _("The three computation VMs are attested first. The result comes as "
                        "shares that only this computer combines; each VM gives them once."));
  gtk_label_set_text (self->status_label, _("Attesting the computation VMs…"));
  jc_client_attest_async (jc_application_get_client (app), jc_task_info_get_id (task), output_key,
                          FALSE, self->cancellable, attest_done, g_object_ref (self));
  return self;
}
