#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-client.h"
#include "jc-compare-dialog.h"
#include "jc-encoding.h"
#include "jc-signing-sheet.h"
#include "jc-token-sign.h"
#include "jc-task-view.h"
#include "jc-addendum-window.h"
#include "jc-download-window.h"
#include "jc-upload-window.h"

struct _JcTaskView {
  AdwBin       parent_instance;
  GtkLabel    *title_label;
  GtkLabel    *description_label;
  GtkWidget   *action_group;
  AdwActionRow *action_row;
  GtkButton   *action_button;
  AdwActionRow *state_row;
  AdwActionRow *tee_row;
  AdwActionRow *hash_row;
  GtkWidget   *terminate_row;
  GtkWidget   *import_button;
  GtkWidget   *token_button;
  GtkWidget   *signature_row;
  GtkListBox  *peers_list;
  GtkListBox  *io_list;
  GtkWidget   *timeline_group;
  GtkListBox  *timeline_list;
  GtkTextView *rendering_view;

  JcApplication *app;
  JcTaskInfo    *task;
  GtkFileChooserNative *chooser;
  GPtrArray    *certs;         /* JcSignerCert*: the tokens' signing certificates */
  GCancellable *token_search;  /* the search for them, while it runs */
};

G_DEFINE_FINAL_TYPE (JcTaskView, jc_task_view, ADW_TYPE_BIN)

static JcClient *
client_of (JcTaskView *self)
{
  return jc_application_get_client (self->app);
}

static GtkWindow *
window_of (JcTaskView *self)
{
  return GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
add_party_rows (JcTaskView *self, GPtrArray *parties, GHashTable *verified, const char *role)
{
  for (guint i = 0; i < parties->len; i++)
    {
      const JcParty *party = g_ptr_array_index (parties, i);
      g_autofree char *hex = jc_hex_encode (party->fingerprint, JC_DOC_HASH_SIZE);
      g_autofree char *digits = jc_party_fingerprint_digits (party);
      gboolean ok = g_hash_table_contains (verified, hex);
      g_autofree char *title = g_markup_printf_escaped ("%s · %s", party->name, role);
      g_autofree char *subtitle = g_markup_escape_text (digits, -1);
      g_autofree char *button_label = g_strdup_printf (_("Compare the fingerprint of %s"), party->name);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *status = gtk_image_new_from_icon_name (ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
      GtkWidget *button = gtk_button_new_with_label (_("Compare…"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      gtk_widget_add_css_class (row, "property");
      gtk_widget_set_tooltip_text (status, ok ? _("Compared and confirmed") : _("Not compared yet"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (status), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      ok ? _("Compared and confirmed") : _("Not compared yet"), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), status);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "task.compare");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(sss)", party->name, hex, digits);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      button_label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->peers_list, row);
    }
}

static void
fill_peers (JcTaskView *self)
{
  const JcCtsc *ctsc = jc_task_info_get_ctsc (self->task);
  g_autoptr(GHashTable) verified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) peers = self->app ? jc_client_list_peers (client_of (self), NULL) : NULL;

  for (guint i = 0; peers && i < peers->len; i++)
    {
      JcPeerInfo *p = g_ptr_array_index (peers, i);
      if (p->verified)
        g_hash_table_add (verified, g_strdup (p->fingerprint_hex));
    }
  clear_list (self->peers_list);
  add_party_rows (self, ctsc->peers, verified, _("peer"));
  add_party_rows (self, ctsc->computing_parties, verified, _("computing party"));
}

static void
fill_io (JcTaskView *self)
{
  const JcCtsc *ctsc = jc_task_info_get_ctsc (self->task);

  clear_list (self->io_list);
  for (guint i = 0; i < ctsc->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (ctsc->inputs, i);
      const JcParty *peer = in->peer.index >= 0 && (guint) in->peer.index < ctsc->peers->len
                            ? g_ptr_array_index (ctsc->peers, in->peer.index) : NULL;
      GtkWidget *row = adw_action_row_new ();
      g_autoptr(GString) cols = g_string_new (NULL);
      g_autofree char *title = g_markup_printf_escaped (_("Input “%s” from %s"), in->key,
                                                        peer ? peer->name : "?");
      g_autofree char *subtitle = NULL;
      GtkWidget *button = gtk_button_new_with_label (_("Upload…"));
      g_autofree char *button_label = g_strdup_printf (_("Upload the input %s"), in->key);

      for (guint j = 0; j < in->schema->len; j++)
        {
          const JcColumn *c = g_ptr_array_index (in->schema, j);
          g_autofree char *type = jc_column_type_name (c);
          g_string_append_printf (cols, "%s%s %s", j ? ", " : "", c->name, type);
        }
      subtitle = g_markup_escape_text (cols->str, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("document-send-symbolic"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "task.upload");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", in->key);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      button_label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->io_list, row);
    }
  for (guint i = 0; i < ctsc->outputs->len; i++)
    {
      const JcOutputSpec *out = g_ptr_array_index (ctsc->outputs, i);
      GtkWidget *row = adw_action_row_new ();
      g_autoptr(GString) cols = g_string_new (NULL);
      g_autofree char *title = g_markup_printf_escaped (_("Output “%s”"), out->key);
      g_autofree char *subtitle = NULL;

      for (guint j = 0; j < out->schema->len; j++)
        {
          const JcColumn *c = g_ptr_array_index (out->schema, j);
          g_autofree char *type = jc_column_type_name (c);
          g_string_append_printf (cols, "%s%s %s", j ? ", " : "", c->name, type);
        }
      subtitle = g_markup_escape_text (cols->str, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("x-office-spreadsheet-symbolic"));
      gtk_list_box_append (self->io_list, row);
    }
}

static void
fill_timeline (JcTaskView *self)
{
  g_autoptr(GPtrArray) timeline = jc_task_info_get_timeline (self->task);

  clear_list (self->timeline_list);
  gtk_widget_set_visible (self->timeline_group, timeline->len > 0);
  for (guint i = 0; i < timeline->len; i++)
    {
      const JcTimelineEntry *entry = g_ptr_array_index (timeline, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (entry->time);
      g_autofree char *stamp = when ? g_date_time_format (when, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
      g_autofree char *title = g_markup_escape_text (entry->text, -1);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (entry->problem ? "dialog-warning-symbolic"
                                                                     : "emblem-default-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), stamp);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      if (entry->problem)
        gtk_widget_add_css_class (icon, "error");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->timeline_list, row);
    }
}

static void
tokens_found (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcTaskView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) certs = jc_token_sign_find_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->token_search);
  if (error)
    g_debug ("No security tokens: %s", error->message);
  g_clear_pointer (&self->certs, g_ptr_array_unref);
  self->certs = g_steal_pointer (&certs);
  gtk_widget_set_visible (self->token_button, self->certs && self->certs->len > 0);
  g_object_unref (self);
}

/* Looks for security tokens off the main thread; the button shows when one is there. */
static void
find_tokens (JcTaskView *self)
{
  if (self->token_search)
    g_cancellable_cancel (self->token_search);
  g_clear_object (&self->token_search);
  self->token_search = g_cancellable_new ();
  jc_token_sign_find_async (self->token_search, tokens_found, g_object_ref (self));
}

void
jc_task_view_set_task (JcTaskView *self, JcTaskInfo *task)
{
  const JcCtsc *ctsc = jc_task_info_get_ctsc (task);
  g_autofree char *rendering = jc_task_info_render (task);
  g_autofree char *action = NULL;
  guint8 raw[JC_DOC_HASH_SIZE];
  g_autofree char *digits = NULL;
  g_autofree char *hash_text = NULL;

  g_set_object (&self->task, task);
  action = jc_task_action_label (jc_task_info_get_action (task), jc_task_info_get_action_key (task));
  gtk_label_set_text (self->title_label, ctsc->title);
  gtk_label_set_text (self->description_label, ctsc->description);
  /* A selectable label that had the focus keeps "select all" for the next task's text. */
  gtk_label_select_region (self->description_label, 0, 0);
  gtk_widget_set_visible (self->action_group, action != NULL);
  if (action)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->action_row), action);
  {
    /* The root's words about the latest change: for the SO approver, who signed an
     * addendum electronically (to compare with the member register). */
    g_autofree char *event = self->app ? jc_client_get_task_event (client_of (self),
                                                                   jc_task_info_get_id (task)) : NULL;
    g_autofree char *state = event
      ? g_markup_printf_escaped (_("%s — latest: %s"), jc_task_state_label (jc_task_info_get_state (task)), event)
      : g_markup_escape_text (jc_task_state_label (jc_task_info_get_state (task)), -1);
    adw_action_row_set_subtitle (self->state_row, state);
  }
  if (ctsc->platform == JC_TEE_PLATFORM_SIM)
    {
      adw_action_row_set_subtitle (self->tee_row, _("Simulated TEE — NOT confidential: for tests only"));
      gtk_widget_add_css_class (GTK_WIDGET (self->tee_row), "not-confidential");
    }
  else
    {
      adw_action_row_set_subtitle (self->tee_row, jc_tee_platform_to_string (ctsc->platform));
      gtk_widget_remove_css_class (GTK_WIDGET (self->tee_row), "not-confidential");
    }
  jc_hex_decode_into (jc_task_info_get_hash (task), raw, sizeof raw, NULL);
  digits = jc_digits_fingerprint (raw, sizeof raw);
  hash_text = g_markup_printf_escaped ("%s\n%s", jc_task_info_get_hash (task), digits);
  adw_action_row_set_subtitle (self->hash_row, hash_text);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->rendering_view), rendering, -1);
  fill_peers (self);
  fill_io (self);
  fill_timeline (self);
  {
    JcTaskState state = jc_task_info_get_state (task);
    gboolean ended = state == JC_TASK_FINISHED || state == JC_TASK_CANCELLED
                     || state == JC_TASK_REJECTED || state == JC_TASK_ERASED;
    gboolean may = self->app && (jc_client_has_role (client_of (self), "organiser")
                                 || jc_client_has_role (client_of (self), "approver"));
    gtk_widget_set_visible (self->terminate_row, may && !ended);
    /* The organiser sends the signed sheet of its addendum while the task is emerging. */
    gboolean signing = self->app && state == JC_TASK_EMERGING
                       && jc_client_has_role (client_of (self), "organiser");
    gtk_widget_set_visible (self->signature_row, signing);
    gtk_widget_set_visible (self->import_button, signing);
    /* The electronic way is offered once a token with a signing certificate is found. */
    gtk_widget_set_visible (self->token_button, signing && self->certs && self->certs->len > 0);
    if (signing)
      find_tokens (self);
  }
}

JcTaskInfo *
jc_task_view_get_task (JcTaskView *self)
{
  return self->task;
}

char *
jc_task_view_get_rendering (JcTaskView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->rendering_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
jc_task_view_set_application (JcTaskView *self, JcApplication *app)
{
  self->app = app;
}

static void
open_upload (JcTaskView *self, const char *key)
{
  JcUploadWindow *win = jc_upload_window_new (self->app, self->task, key);

  gtk_window_set_transient_for (GTK_WINDOW (win), window_of (self));
  gtk_window_present (GTK_WINDOW (win));
}

static void toast (JcTaskView *self, const char *message);

static void
on_action_clicked (JcTaskView *self)
{
  switch (jc_task_info_get_action (self->task))
    {
    case JC_TASK_ACTION_UPLOAD:
      open_upload (self, jc_task_info_get_action_key (self->task));
      break;
    case JC_TASK_ACTION_SIGN:
      gtk_widget_activate_action (GTK_WIDGET (self), "task.export-sheet", NULL);
      break;
    case JC_TASK_ACTION_APPROVE:
      gtk_widget_activate_action (GTK_WIDGET (self), "task.decide", NULL);
      break;
    case JC_TASK_ACTION_ADDENDUM:
      {
        JcAddendumWindow *win = jc_addendum_window_new (self->app, self->task);
        gtk_window_set_transient_for (GTK_WINDOW (win), window_of (self));
        gtk_window_present (GTK_WINDOW (win));
      }
      break;
    case JC_TASK_ACTION_DOWNLOAD:
      gtk_widget_activate_action (GTK_WIDGET (self), "task.download", "s",
                                  jc_task_info_get_action_key (self->task));
      break;
    default:
      break;
    }
}

/* Analyst: the download window attests, downloads once, shows and saves the result. */
static void
download_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);
  JcDownloadWindow *win;

  if (self->task == NULL)
    return;
  win = jc_download_window_new (self->app, self->task, g_variant_get_string (param, NULL));
  gtk_window_set_transient_for (GTK_WINDOW (win), window_of (self));
  gtk_window_present (GTK_WINDOW (win));
}

static void
upload_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  open_upload (JC_TASK_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
compare_done (JcCompareDialog *dialog, gboolean matches, gpointer user_data)
{
  JcTaskView *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jc_client_set_peer_verified (client_of (self), jc_compare_dialog_get_fingerprint (dialog),
                                    matches, &error))
    g_warning ("Cannot record the comparison: %s", error->message);
  fill_peers (self);
}

static void
compare_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);
  const char *peer, *hex, *digits;
  JcCompareDialog *dialog;

  g_variant_get (param, "(&s&s&s)", &peer, &hex, &digits);
  dialog = jc_compare_dialog_new (window_of (self), peer, hex, digits);
  g_signal_connect_object (dialog, "compared", G_CALLBACK (compare_done), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
toast (JcTaskView *self, const char *message)
{
  GtkWidget *w;

  for (w = GTK_WIDGET (self); w && !ADW_IS_TOAST_OVERLAY (w); w = gtk_widget_get_parent (w))
    ;
  if (w)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (w), adw_toast_new (message));
}

static void
terminate_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcTaskView *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jc_client_terminate_finish (JC_CLIENT (source), result, &error))
    toast (self, error->message);
  else
    toast (self, _("The task is ending; every peer is told why"));
  g_object_unref (self);
}

static void
reason_changed (GtkEditable *entry, AdwMessageDialog *dialog)
{
  const char *text = gtk_editable_get_text (entry);
  gboolean blank = TRUE;

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      blank = FALSE;
  adw_message_dialog_set_response_enabled (dialog, g_object_get_data (G_OBJECT (entry), "response"),
                                           !blank);
}

/* Makes an entry for the reason (LABEL) that RESPONSE of DIALOG sends, DIALOG's extra child:
 * RESPONSE stays disabled while the reason is blank. */
static void
add_reason_entry (AdwMessageDialog *dialog, const char *response, const char *label)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (entry), "response", g_strdup (response), g_free);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_set_response_enabled (dialog, response, FALSE);
  g_signal_connect (entry, "changed", G_CALLBACK (reason_changed), dialog);
}

static void
terminate_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  JcTaskView *self = user_data;
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "terminate") != 0 || self->task == NULL)
    return;
  jc_client_terminate_async (client_of (self), jc_task_info_get_id (self->task),
                             gtk_editable_get_text (entry), NULL, terminate_done,
                             g_object_ref (self));
}

static void
decide_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcTaskView *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jc_client_decide_finish (JC_CLIENT (source), result, &error))
    toast (self, error->message);
  else
    toast (self, _("Your decision was sent"));
  g_object_unref (self);
}

static void
decide_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  JcTaskView *self = user_data;
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gboolean approve = g_strcmp0 (response, "approve") == 0;

  if ((!approve && g_strcmp0 (response, "reject") != 0) || self->task == NULL)
    return;
  jc_client_decide_async (client_of (self), jc_task_info_get_id (self->task), approve,
                          approve ? NULL : gtk_editable_get_text (entry), NULL, decide_done,
                          g_object_ref (self));
}

/* SO approver: approve, or reject with a reason the organisers read. */
static void
decide_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (self->task == NULL)
    return;
  heading = g_strdup_printf (_("Approve “%s”?"), jc_task_info_get_title (self->task));
  dialog = adw_message_dialog_new (window_of (self), heading,
                                   _("Review the specification and its addenda on the task's page "
                                     "first. To reject, give the reason the organisers will read."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reject", _("_Reject"),
                                    "approve", _("_Approve"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reject",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "approve",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  add_reason_entry (ADW_MESSAGE_DIALOG (dialog), "reject", _("Reason for a rejection"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (decide_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Gives DIALOG the EXTRA child (NULL: none yet) and two responses, Cancel (also on
 * Escape) and ACTION, with DEFAULT_RESPONSE taken on Enter. */
static void
confirm_responses (AdwMessageDialog *dialog, GtkWidget *extra, const char *action,
                   const char *label, AdwResponseAppearance appearance,
                   const char *default_response)
{
  adw_message_dialog_set_extra_child (dialog, extra);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), action, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, action, appearance);
  adw_message_dialog_set_default_response (dialog, default_response);
  adw_message_dialog_set_close_response (dialog, "cancel");
}

/* Asks for the reason first: every peer reads it, and ending a task cannot be undone. */
static void
terminate_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (self->task == NULL)
    return;
  heading = g_strdup_printf (_("End “%s”?"), jc_task_info_get_title (self->task));
  dialog = adw_message_dialog_new (window_of (self), heading,
                                   _("Every peer sees the reason you give. The computing parties "
                                     "erase the task's data; this cannot be undone."));
  confirm_responses (ADW_MESSAGE_DIALOG (dialog), NULL, "terminate", _("_Terminate"),
                     ADW_RESPONSE_DESTRUCTIVE, "cancel");
  add_reason_entry (ADW_MESSAGE_DIALOG (dialog), "terminate", _("Reason"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (terminate_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sheet_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcTaskView *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      AdwToastOverlay *overlay = NULL;
      GtkWidget *w;

      for (w = GTK_WIDGET (self); w && !ADW_IS_TOAST_OVERLAY (w); w = gtk_widget_get_parent (w))
        ;
      overlay = w ? ADW_TOAST_OVERLAY (w) : NULL;
      if (path == NULL || !jc_signing_sheet_write (self->task, path, &error))
        {
          if (overlay)
            adw_toast_overlay_add_toast (overlay, adw_toast_new (error ? error->message : _("Choose a local file")));
        }
      else if (overlay)
        adw_toast_overlay_add_toast (overlay, adw_toast_new (_("Signing sheet saved")));
    }
  g_clear_object (&self->chooser);
}

static void
signature_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcTaskView *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jc_client_sign_finish (JC_CLIENT (source), result, &error))
    toast (self, error->message);
  else
    toast (self, _("The signed sheet was sent"));
  g_object_unref (self);
}

static void
import_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcTaskView *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->task != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      jc_client_sign_async (client_of (self), jc_task_info_get_id (self->task), file, NULL,
                            signature_sent, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

/* Organiser: the signatory's signed sheet (a scan) of this organisation's addendum. */
static void
import_signature_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Import the Signed Sheet"), window_of (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Send"), NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (import_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_sheet_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);
  g_autofree char *suggested = NULL;

  if (self->task == NULL)
    return;
  suggested = g_strdup_printf ("signing-sheet-%s.pdf", jc_task_info_get_id (self->task));
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Export Signing Sheet"), window_of (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested);
  g_signal_connect (self->chooser, "response", G_CALLBACK (sheet_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- signing with a security token ----------------------------------------------------- */

static void
token_signature_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcTaskView *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jc_client_sign_with_token_finish (JC_CLIENT (source), result, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (window_of (self), _("The Addendum Was Not Signed"),
                                                  error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else
    toast (self, _("The addendum was signed and sent"));
  g_object_unref (self);
}

static JcSignerCert *
chosen_cert (JcTaskView *self, AdwMessageDialog *dialog)
{
  GtkDropDown *choice = g_object_get_data (G_OBJECT (dialog), "choice");
  guint i = choice ? gtk_drop_down_get_selected (choice) : 0;

  return self->certs && i < self->certs->len ? self->certs->pdata[i] : NULL;
}

static void
token_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  JcTaskView *self = user_data;
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "pin");
  const char *text = gtk_editable_get_text (entry);
  JcSignerCert *cert = chosen_cert (self, dialog);

  if (g_str_equal (response, "sign") && cert && self->task)
    {
      /* The PIN moves to guarded memory at once; the entry forgets it. */
      JcSecret *pin = *text ? jc_secret_copy ((const guint8 *) text, strlen (text)) : NULL;
      jc_client_sign_with_token_async (client_of (self), jc_task_info_get_id (self->task), cert,
                                       pin, NULL, token_signature_sent, g_object_ref (self));
      toast (self, _("Signing with the security token…"));
    }
  gtk_editable_set_text (entry, "");
  /* The dialog closes next: a password entry that still has the focus then trips over its
   * own disposed text (GTK 4.8 reports a critical), so the focus leaves it first. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
}

static void
token_choice_changed (GtkDropDown *choice, GParamSpec *pspec, AdwMessageDialog *dialog)
{
  JcTaskView *self = g_object_get_data (G_OBJECT (dialog), "view");
  const char *hash = g_object_get_data (G_OBJECT (dialog), "hash");
  JcSignerCert *cert = chosen_cert (self, dialog);
  g_autofree char *body = cert ? jc_token_sign_summary (cert, hash) : NULL;

  if (body)
    adw_message_dialog_set_body (dialog, body);
}

/* The signatory reviews what is signed and with which certificate, and types the PIN. */
static void
sign_token_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcTaskView *self = JC_TASK_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;

  if (self->task == NULL || self->certs == NULL || self->certs->len == 0)
    return;
  hash = jc_client_get_ctsa_hash (client_of (self), jc_task_info_get_id (self->task), &error);
  if (hash == NULL)
    {
      toast (self, error->message);
      return;
    }
  GtkWidget *dialog = adw_message_dialog_new (window_of (self), _("Sign the Addendum?"), NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *entry = gtk_password_entry_new ();
  g_object_set_data (G_OBJECT (dialog), "view", self);
  g_object_set_data_full (G_OBJECT (dialog), "hash", g_strdup (hash), g_free);
  if (self->certs->len > 1)
    {
      GtkStringList *labels = gtk_string_list_new (NULL);
      for (guint i = 0; i < self->certs->len; i++)
        {
          g_autofree char *label = jc_token_sign_choice_label (self->certs->pdata[i]);
          gtk_string_list_append (labels, label);
        }
      GtkWidget *choice = gtk_drop_down_new (G_LIST_MODEL (labels), NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (choice), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Certificate"), -1);
      g_object_set_data (G_OBJECT (dialog), "choice", choice);
      g_signal_connect (choice, "notify::selected", G_CALLBACK (token_choice_changed), dialog);
      gtk_box_append (GTK_BOX (box), choice);
    }
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  g_object_set (entry, "placeholder-text", _("PIN"), "activates-default", TRUE, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("PIN of the security token"), -1);
  g_object_set_data (G_OBJECT (dialog), "pin", entry);
  gtk_box_append (GTK_BOX (box), entry);
  confirm_responses (ADW_MESSAGE_DIALOG (dialog), box, "sign", _("_Sign"),
                     ADW_RESPONSE_SUGGESTED, "sign");
  token_choice_changed (NULL, NULL, ADW_MESSAGE_DIALOG (dialog));
  g_signal_connect_object (dialog, "response", G_CALLBACK (token_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
jc_task_view_dispose (GObject *object)
{
  JcTaskView *self = JC_TASK_VIEW (object);

  g_clear_object (&self->task);
  g_clear_object (&self->chooser);
  if (self->token_search)
    g_cancellable_cancel (self->token_search);
  g_clear_object (&self->token_search);
  g_clear_pointer (&self->certs, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_TASK_VIEW);
  G_OBJECT_CLASS (jc_task_view_parent_class)->dispose (object);
}

static void
jc_task_view_class_init (JcTaskViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_task_view_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-task-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, title_label);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, description_label);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, action_group);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, action_row);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, action_button);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, state_row);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, tee_row);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, hash_row);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, terminate_row);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, import_button);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, token_button);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, signature_row);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, peers_list);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, io_list);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, timeline_group);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, timeline_list);
  gtk_widget_class_bind_template_child (widget_class, JcTaskView, rendering_view);
  gtk_widget_class_bind_template_callback (widget_class, on_action_clicked);
  gtk_widget_class_install_action (widget_class, "task.upload", "s", upload_activated);
  gtk_widget_class_install_action (widget_class, "task.compare", "(sss)", compare_activated);
  gtk_widget_class_install_action (widget_class, "task.export-sheet", NULL, export_sheet_activated);
  gtk_widget_class_install_action (widget_class, "task.import-signature", NULL, import_signature_activated);
  gtk_widget_class_install_action (widget_class, "task.sign-token", NULL, sign_token_activated);
  gtk_widget_class_install_action (widget_class, "task.terminate", NULL, terminate_activated);
  gtk_widget_class_install_action (widget_class, "task.decide", NULL, decide_activated);
  gtk_widget_class_install_action (widget_class, "task.download", "s", download_activated);
}

static void
jc_task_view_init (JcTaskView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
