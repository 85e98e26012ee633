#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "jc-new-task-window.h"
#include "jc-schema-editor.h"
#include "jc-time.h"

#define VALIDATE_DELAY_MS 400

struct _JcNewTaskWindow {
  AdwWindow        parent_instance;
  AdwToastOverlay *toast_overlay;
  AdwEntryRow     *title_row;
  GtkTextView     *description_view;
  AdwComboRow     *engine_row;
  AdwComboRow     *platform_row;
  AdwEntryRow     *measurements_row;
  AdwEntryRow     *approval_row;
  AdwEntryRow     *input_row;
  AdwEntryRow     *execution_row;
  AdwEntryRow     *output_row;
  AdwEntryRow     *cps_row;
  AdwEntryRow     *peers_row;
  GtkBox          *inputs_box;
  GtkBox          *outputs_box;
  GtkSourceView   *algorithm_view;
  GtkImage        *algorithm_icon;
  GtkLabel        *algorithm_status;
  GtkListBox      *attachments_list;
  GtkWidget       *problems_group;
  GtkLabel        *problems_label;
  GtkLabel        *directory_label;
  GtkWidget       *save_button;
  GtkWidget       *submit_button;
  GtkWidget       *submitted_group;
  GtkLabel        *submitted_label;

  JcApplication   *app;
  GtkTextTag      *error_tag;
  guint            validate_id;
  GPtrArray       *attachments;   /* JcAttachment*, in the order of the list */
  guint            attachments_loading;
  GtkFileChooserNative *chooser;
  char            *saved_path;
  char            *task_id;       /* once the root has taken the submitted draft */
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (JcNewTaskWindow, jc_new_task_window, ADW_TYPE_WINDOW)

static char *
text_of (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static const char *
combo_string (AdwComboRow *row)
{
  GObject *item = adw_combo_row_get_selected_item (row);
  return item ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : "";
}

static void
replace (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

JcDraft *
jc_new_task_window_build_draft (JcNewTaskWindow *self)
{
  JcDraft *d = jc_draft_new ();
  AdwEntryRow *deadline_rows[4] = { self->approval_row, self->input_row, self->execution_row, self->output_row };
  GtkWidget *child;

  replace (&d->title, gtk_editable_get_text (GTK_EDITABLE (self->title_row)));
  g_free (d->description);
  d->description = text_of (self->description_view);
  replace (&d->engine, combo_string (self->engine_row));
  replace (&d->platform, combo_string (self->platform_row));
  g_ptr_array_unref (d->measurements);
  d->measurements = jc_draft_split_names (gtk_editable_get_text (GTK_EDITABLE (self->measurements_row)));
  for (guint i = 0; i < 4; i++)
    replace (&d->deadlines[i], gtk_editable_get_text (GTK_EDITABLE (deadline_rows[i])));
  g_ptr_array_unref (d->computing_parties);
  d->computing_parties = jc_draft_split_names (gtk_editable_get_text (GTK_EDITABLE (self->cps_row)));
  g_ptr_array_unref (d->peers);
  d->peers = jc_draft_split_names (gtk_editable_get_text (GTK_EDITABLE (self->peers_row)));

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->inputs_box)); child;
       child = gtk_widget_get_next_sibling (child))
    {
      JcSchemaEditor *ed = JC_SCHEMA_EDITOR (child);
      g_autofree char *peer = g_strstrip (g_strdup (jc_schema_editor_get_peers (ed)));
      JcDraftInput *in = jc_draft_input_new (jc_schema_editor_get_key (ed), peer);
      g_ptr_array_unref (in->schema);
      in->schema = jc_schema_editor_get_schema (ed);
      in->quality = *jc_schema_editor_get_quality (ed) ? g_strdup (jc_schema_editor_get_quality (ed)) : NULL;
      g_ptr_array_add (d->inputs, in);
    }
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->outputs_box)); child;
       child = gtk_widget_get_next_sibling (child))
    {
      JcSchemaEditor *ed = JC_SCHEMA_EDITOR (child);
      JcDraftOutput *out = jc_draft_output_new (jc_schema_editor_get_key (ed));
      g_ptr_array_unref (out->peers);
      out->peers = jc_draft_split_names (jc_schema_editor_get_peers (ed));
      g_ptr_array_unref (out->schema);
      out->schema = jc_schema_editor_get_schema (ed);
      g_ptr_array_add (d->outputs, out);
    }
  g_free (d->algorithm);
  d->algorithm = text_of (GTK_TEXT_VIEW (self->algorithm_view));
  for (guint i = 0; i < self->attachments->len; i++)
    {
      const JcAttachment *a = g_ptr_array_index (self->attachments, i);
      JcAttachment *copy = g_new0 (JcAttachment, 1);
      copy->title = g_strdup (a->title);
      copy->description = g_strdup (a->description);
      copy->media_type = g_strdup (a->media_type);
      copy->content = g_bytes_ref (a->content);
      g_ptr_array_add (d->attachments, copy);
    }
  return d;
}

/* Live validation of the algorithm alone: compiled by the chosen engine against the
 * schemas as they are now; the error's position is underlined. */
void
jc_new_task_window_validate_now (JcNewTaskWindow *self)
{
  g_autoptr(JcDraft) d = jc_new_task_window_build_draft (self);
  JcEngine *engine = jc_application_find_engine (self->app, d->engine);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->algorithm_view));
  GtkTextIter start, end;
  g_autoptr(GError) error = NULL;
  guint line = 0, column = 0;

  g_clear_handle_id (&self->validate_id, g_source_remove);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->error_tag, &start, &end);

  if (engine == NULL)
    {
      gtk_image_set_from_icon_name (self->algorithm_icon, "dialog-warning-symbolic");
      gtk_label_set_text (self->algorithm_status, _("No engine is installed: the algorithm cannot be checked"));
      return;
    }
  if (*d->algorithm == '\0')
    {
      gtk_image_set_from_icon_name (self->algorithm_icon, "dialog-information-symbolic");
      gtk_label_set_text (self->algorithm_status, _("Write one OUTPUT statement per output"));
      return;
    }
  if (jc_draft_compile (d, engine, &line, &column, &error))
    {
      gtk_image_set_from_icon_name (self->algorithm_icon, "emblem-ok-symbolic");
      gtk_label_set_text (self->algorithm_status, _("The engine accepts the algorithm"));
      return;
    }
  gtk_image_set_from_icon_name (self->algorithm_icon, "dialog-error-symbolic");
  gtk_label_set_text (self->algorithm_status, error->message);
  if (line > 0 && gtk_text_buffer_get_iter_at_line_offset (buffer, &start, (int) line - 1,
                                                           column > 0 ? (int) column - 1 : 0))
    {
      end = start;
      if (!gtk_text_iter_ends_word (&end))
        gtk_text_iter_forward_word_end (&end);
      if (gtk_text_iter_equal (&start, &end))
        gtk_text_iter_forward_char (&end);
      gtk_text_buffer_apply_tag (buffer, self->error_tag, &start, &end);
    }
}

static gboolean
validate_timeout (gpointer user_data)
{
  JcNewTaskWindow *self = user_data;

  self->validate_id = 0;
  jc_new_task_window_validate_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_validation (JcNewTaskWindow *self)
{
  g_clear_handle_id (&self->validate_id, g_source_remove);
  self->validate_id = g_timeout_add (VALIDATE_DELAY_MS, validate_timeout, self);
}

char *
jc_new_task_window_check (JcNewTaskWindow *self)
{
  g_autoptr(JcDraft) d = jc_new_task_window_build_draft (self);
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcEngine *engine = jc_application_find_engine (self->app, d->engine);
  char *text;

  jc_draft_check (d, engine, problems, NULL, NULL);
  if (engine == NULL)
    jc_problems_add (problems, "engine", _("the engine “%s” is not installed on this computer"), d->engine);
  text = jc_problems_to_string (problems);
  gtk_label_set_text (self->problems_label, text);
  gtk_widget_set_visible (self->problems_group, *text != '\0');
  return text;
}

/* The draft as JSON when it is complete; otherwise NULL, its problems listed. */
static JsonNode *
complete_draft (JcNewTaskWindow *self)
{
  g_autofree char *problems = jc_new_task_window_check (self);
  g_autoptr(JcDraft) d = NULL;

  if (*problems != '\0')
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("The draft is not complete: see the list at the bottom")));
      return NULL;
    }
  d = jc_new_task_window_build_draft (self);
  return jc_draft_to_json (d);
}

static void
on_save_clicked (JcNewTaskWindow *self)
{
  g_autoptr(JsonNode) node = complete_draft (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (node == NULL)
    return;
  path = jc_client_save_draft (jc_application_get_client (self->app), node, &error);
  if (path == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  g_free (self->saved_path);
  self->saved_path = g_steal_pointer (&path);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Draft saved")));
}

static void
set_busy (JcNewTaskWindow *self, gboolean busy)
{
  gtk_widget_set_sensitive (self->save_button, !busy);
  gtk_widget_set_sensitive (self->submit_button, !busy);
}

static void
submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(JcNewTaskWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *task_id = jc_client_submit_draft_finish (JC_CLIENT (source), result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (task_id == NULL)
    {
      set_busy (self, FALSE);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      gtk_label_set_text (self->submitted_label, error->message);
      gtk_widget_set_visible (self->submitted_group, TRUE);
      return;
    }
  /* Sent once: the task now lives at the root; a second press would make another. */
  self->task_id = g_steal_pointer (&task_id);
  gtk_widget_set_sensitive (self->save_button, FALSE);
  text = g_strdup_printf (_("Submitted: the root made task %s. It waits for the peers' addenda "
                            "and the SO's approval."), self->task_id);
  gtk_label_set_text (self->submitted_label, text);
  gtk_widget_set_visible (self->submitted_group, TRUE);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Task submitted")));
}

static void
on_submit_clicked (JcNewTaskWindow *self)
{
  g_autoptr(JsonNode) node = complete_draft (self);

  if (node == NULL)
    return;
  set_busy (self, TRUE);
  gtk_label_set_text (self->submitted_label, _("Sending the draft to the root…"));
  gtk_widget_set_visible (self->submitted_group, TRUE);
  jc_client_submit_draft_async (jc_application_get_client (self->app), node, self->cancellable,
                                submitted, g_object_ref (self));
}

const char *
jc_new_task_window_get_task_id (JcNewTaskWindow *self)
{
  return self->task_id;
}

static JcSchemaEditor *
add_editor (JcNewTaskWindow *self, GtkBox *box, gboolean output);

static void
editor_remove (JcSchemaEditor *editor, gpointer user_data)
{
  JcNewTaskWindow *self = user_data;

  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (editor))), GTK_WIDGET (editor));
  schedule_validation (self);
}

static JcSchemaEditor *
add_editor (JcNewTaskWindow *self, GtkBox *box, gboolean output)
{
  JcSchemaEditor *editor = jc_schema_editor_new (output);

  g_signal_connect_swapped (editor, "changed", G_CALLBACK (schedule_validation), self);
  g_signal_connect (editor, "remove", G_CALLBACK (editor_remove), self);
  gtk_box_append (box, GTK_WIDGET (editor));
  return editor;
}

static void
on_add_input_clicked (JcNewTaskWindow *self)
{
  add_editor (self, self->inputs_box, FALSE);
}

static void
on_add_output_clicked (JcNewTaskWindow *self)
{
  add_editor (self, self->outputs_box, TRUE);
}

/* The whole specification travels in one message of the tree (4 MiB, the files in base64
 * inside JSON): an attachment is kept well below that. */
#define MAX_ATTACHMENT_BYTES (2 * 1024 * 1024)

static void
remove_attachment (GtkButton *button, JcNewTaskWindow *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  int index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));

  if (index >= 0 && (guint) index < self->attachments->len)
    g_ptr_array_remove_index (self->attachments, (guint) index);
  gtk_list_box_remove (self->attachments_list, row);
}

static void
add_attachment_row (JcNewTaskWindow *self, const JcAttachment *a)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *title = g_markup_escape_text (a->title, -1);
  g_autofree char *size = g_format_size (g_bytes_get_size (a->content));
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", a->media_type, size);
  g_autofree char *remove_label = g_strdup_printf (_("Remove the attachment “%s”"), a->title);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_attachment), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  gtk_list_box_append (self->attachments_list, row);
}

static void
refuse_too_large (JcNewTaskWindow *self, GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *limit = g_format_size (MAX_ATTACHMENT_BYTES);
  g_autofree char *msg = g_strdup_printf (_("“%s” is too large to attach: an attachment may "
                                            "have at most %s"), name, limit);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
}

static void
attachment_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(JcNewTaskWindow) self = user_data;
  GFile *file = G_FILE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_file_load_bytes_finish (file, result, NULL, &error);
  g_autofree char *name = NULL, *type = NULL, *mime = NULL;
  JcAttachment *a;

  self->attachments_loading--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the window was closed meanwhile */
  if (content == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  if (g_bytes_get_size (content) > MAX_ATTACHMENT_BYTES)
    {
      refuse_too_large (self, file);
      return;
    }
  /* The type from the name and the bytes already read: no second trip to the disk. */
  name = g_file_get_basename (file);
  type = g_content_type_guess (name, g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                               NULL);
  mime = type ? g_content_type_get_mime_type (type) : NULL;
  a = g_new0 (JcAttachment, 1);
  a->title = g_steal_pointer (&name);
  a->description = g_strdup ("");
  a->media_type = g_strdup (mime ? mime : "application/octet-stream");
  a->content = g_bytes_ref (content);
  g_ptr_array_add (self->attachments, a);
  add_attachment_row (self, a);
}

void
jc_new_task_window_attach_file (JcNewTaskWindow *self, GFile *file)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);

  /* A file far too large is refused before it is read; the size is checked again once read. */
  if (info && g_file_info_get_size (info) > MAX_ATTACHMENT_BYTES)
    {
      refuse_too_large (self, file);
      return;
    }
  self->attachments_loading++;
  g_file_load_bytes_async (file, self->cancellable, attachment_loaded, g_object_ref (self));
}

guint
jc_new_task_window_get_n_attachments (JcNewTaskWindow *self)
{
  return self->attachments->len;
}

gboolean
jc_new_task_window_is_attaching (JcNewTaskWindow *self)
{
  return self->attachments_loading > 0;
}

static void
attachment_chosen (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcNewTaskWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      jc_new_task_window_attach_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
on_add_attachment_clicked (JcNewTaskWindow *self)
{
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Attach a File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (attachment_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

const char *
jc_new_task_window_get_algorithm_status (JcNewTaskWindow *self)
{
  return gtk_label_get_text (self->algorithm_status);
}

const char *
jc_new_task_window_get_saved_path (JcNewTaskWindow *self)
{
  return self->saved_path;
}

static void
jc_new_task_window_dispose (GObject *object)
{
  JcNewTaskWindow *self = JC_NEW_TASK_WINDOW (object);

  g_clear_handle_id (&self->validate_id, g_source_remove);
  g_clear_object (&self->chooser);
  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (jc_new_task_window_parent_class)->dispose (object);
}

static void
jc_new_task_window_finalize (GObject *object)
{
  JcNewTaskWindow *self = JC_NEW_TASK_WINDOW (object);

  g_ptr_array_unref (self->attachments);
  g_free (self->saved_path);
  g_free (self->task_id);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (jc_new_task_window_parent_class)->finalize (object);
}

static void save_activated (GtkWidget *widget, const char *name, GVariant *param);

static void
jc_new_task_window_class_init (JcNewTaskWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_new_task_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = jc_new_task_window_finalize;
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-new-task-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, JcNewTaskWindow, name)
  BIND (toast_overlay); BIND (title_row); BIND (description_view); BIND (engine_row);
  BIND (platform_row); BIND (measurements_row); BIND (approval_row); BIND (input_row);
  BIND (execution_row); BIND (output_row); BIND (cps_row); BIND (peers_row);
  BIND (inputs_box); BIND (outputs_box); BIND (algorithm_view); BIND (algorithm_icon);
  BIND (algorithm_status); BIND (attachments_list); BIND (problems_group); BIND (problems_label);
  BIND (directory_label); BIND (save_button); BIND (submit_button); BIND (submitted_group); BIND (submitted_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_submit_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_input_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_output_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_attachment_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "draft.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "draft.save", NULL);
}

static void
save_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  on_save_clicked (JC_NEW_TASK_WINDOW (widget));
}

static void
jc_new_task_window_init (JcNewTaskWindow *self)
{
  GtkSourceLanguageManager *lm = gtk_source_language_manager_get_default ();
  GtkSourceBuffer *buffer;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  AdwEntryRow *deadline_rows[4];
  static const int days[4] = { 7, 14, 15, 21 };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_attachment_free);
  self->cancellable = g_cancellable_new ();
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->algorithm_view)));
  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (lm, "sql"));
  gtk_source_buffer_set_highlight_syntax (buffer, TRUE);
  self->error_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "error",
                                                "underline", PANGO_UNDERLINE_ERROR, NULL);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (schedule_validation), self);
  g_signal_connect_swapped (self->engine_row, "notify::selected", G_CALLBACK (schedule_validation), self);

  /* Deadlines a week apart from today at noon UTC, as a starting point to edit. */
  deadline_rows[0] = self->approval_row;
  deadline_rows[1] = self->input_row;
  deadline_rows[2] = self->execution_row;
  deadline_rows[3] = self->output_row;
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (now, days[i]);
      g_autofree char *text = g_strdup_printf ("%04d-%02d-%02dT12:00:00Z", g_date_time_get_year (day),
                                               g_date_time_get_month (day), g_date_time_get_day_of_month (day));
      gtk_editable_set_text (GTK_EDITABLE (deadline_rows[i]), text);
    }
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The names the participants rows take: the nodes this node's directory holds. */
static void
show_directory (JcNewTaskWindow *self)
{
  g_autoptr(GPtrArray) peers = jc_client_list_peers (jc_application_get_client (self->app), NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *joined = NULL, *text = NULL;

  for (guint i = 0; peers && i < peers->len; i++)
    g_ptr_array_add (names, ((JcPeerInfo *) g_ptr_array_index (peers, i))->name);
  if (names->len == 0)
    return;
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (", ", (char **) names->pdata);
  text = g_strdup_printf (_("In this node’s directory: %s"), joined);
  gtk_label_set_text (self->directory_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->directory_label), TRUE);
}

JcNewTaskWindow *
jc_new_task_window_new (JcApplication *app)
{
  JcNewTaskWindow *self = g_object_new (JC_TYPE_NEW_TASK_WINDOW, "application", app, NULL);
  GPtrArray *engines = jc_application_get_engines (app);
  g_autoptr(GtkStringList) ids = gtk_string_list_new (NULL);

  self->app = app;
  for (guint i = 0; i < engines->len; i++)
    gtk_string_list_append (ids, jc_engine_get_id (g_ptr_array_index (engines, i)));
  adw_combo_row_set_model (self->engine_row, G_LIST_MODEL (ids));
  if (engines->len > 0)
    {
      g_autofree char *subtitle = g_strdup_printf (_("%u computing parties"),
                                                   jc_engine_get_n_parties (g_ptr_array_index (engines, 0)));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->engine_row), subtitle);
    }
  show_directory (self);
  gtk_widget_add_css_class (GTK_WIDGET (self), "new-task");
  jc_new_task_window_validate_now (self);
  return self;
}
