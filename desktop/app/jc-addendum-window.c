#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-addendum-window.h"

struct _JcAddendumWindow {
  AdwWindow        parent_instance;
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkBox          *grants_box;
  AdwEntryRow     *signatory_row;
  AdwActionRow    *document_row;
  GtkWidget       *send_button;

  JcApplication   *app;
  JcTaskInfo      *task;
  GPtrArray       *checks;   /* GtkCheckButton*, each with data "grant": "PAK=KEY", "role" */
  GFile           *document;
  GtkFileChooserNative *chooser;
  GCancellable    *cancellable;
};

enum { SENT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JcAddendumWindow, jc_addendum_window, ADW_TYPE_WINDOW)

static const char *
peer_name (const JcCtsc *ctsc, const JcPeerRef *ref)
{
  if (ref->name)
    return ref->name;
  if (ref->index >= 0 && (guint) ref->index < ctsc->peers->len)
    return ((JcParty *) ctsc->peers->pdata[ref->index])->name;
  return NULL;
}

static void
add_check (JcAddendumWindow *self, AdwPreferencesGroup *group, const char *pak, const char *role,
           const char *key, gboolean active)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *label = g_strdup_printf (_("Grant “%s”"), key);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  /* The row names its check button; the description says what checking it does. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, label, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_object_set_data_full (G_OBJECT (check), "grant", g_strdup_printf ("%s=%s", pak, key), g_free);
  g_object_set_data_full (G_OBJECT (check), "role", g_strdup (role), g_free);
  g_ptr_array_add (self->checks, check);
  adw_preferences_group_add (group, row);
}

/* One group per PAK received; an input is granted by default to a custodian of this
 * organisation when this organisation supplies it, an output to an analyst when it may
 * retrieve it. */
static void
fill_grants (JcAddendumWindow *self)
{
  JcClient *client = jc_application_get_client (self->app);
  const JcCtsc *ctsc = jc_task_info_get_ctsc (self->task);
  const char *me = jc_client_get_node_name (client);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paks = jc_client_list_received_paks (client, jc_task_info_get_id (self->task),
                                                            &error);

  if (!paks || paks->len == 0)
    {
      GtkWidget *label = gtk_label_new (paks ? _("No custodian or analyst has sent a key for this task yet.")
                                             : error->message);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_box_append (self->grants_box, label);
      return;
    }
  for (guint i = 0; i < paks->len; i++)
    {
      const JcReceivedPak *p = paks->pdata[i];
      gboolean custodian = g_strcmp0 (p->role, "custodian") == 0;
      GtkWidget *group = adw_preferences_group_new ();
      g_autofree char *title = g_strdup_printf (custodian ? _("Data custodian %s") : _("Data analyst %s"),
                                                p->origin ? p->origin : "");
      g_autofree char *short_pak = g_strndup (p->pak, 16);
      g_autofree char *description = g_strdup_printf (_("Key %s…"), short_pak);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
      if (custodian)
        for (guint k = 0; k < ctsc->inputs->len; k++)
          {
            const JcInputSpec *in = ctsc->inputs->pdata[k];
            add_check (self, ADW_PREFERENCES_GROUP (group), p->pak, "custodian", in->key,
                       g_strcmp0 (peer_name (ctsc, &in->peer), me) == 0);
          }
      else
        for (guint k = 0; k < ctsc->outputs->len; k++)
          {
            const JcOutputSpec *out = ctsc->outputs->pdata[k];
            gboolean mine = FALSE;
            for (guint j = 0; j < out->peers->len; j++)
              mine |= g_strcmp0 (peer_name (ctsc, &g_array_index (out->peers, JcPeerRef, j)), me) == 0;
            add_check (self, ADW_PREFERENCES_GROUP (group), p->pak, "analyst", out->key, mine);
          }
      gtk_box_append (self->grants_box, group);
    }
}

void
jc_addendum_window_set_document (JcAddendumWindow *self, GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  g_set_object (&self->document, file);
  adw_action_row_set_subtitle (self->document_row, name);
}

static void
chooser_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcAddendumWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      jc_addendum_window_set_document (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_clicked (JcAddendumWindow *self)
{
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose the Identification Document"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcAddendumWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = jc_client_addendum_finish (JC_CLIENT (source), result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_widget_set_sensitive (self->send_button, !ok);
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (ok ? _("The addendum was signed and sent. Next: the signatory signs it.")
                                                     : error->message));
      g_signal_emit (self, signals[SENT], 0, ok);
    }
  g_object_unref (self);
}

static void
on_send_clicked (JcAddendumWindow *self)
{
  g_autoptr(GStrvBuilder) custodians = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) analysts = g_strv_builder_new ();
  g_auto(GStrv) c = NULL, a = NULL;
  const char *signatory = gtk_editable_get_text (GTK_EDITABLE (self->signatory_row));

  for (guint i = 0; i < self->checks->len; i++)
    {
      GObject *check = self->checks->pdata[i];
      if (!gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        continue;
      g_strv_builder_add (g_strcmp0 (g_object_get_data (check, "role"), "custodian") == 0
                          ? custodians : analysts, g_object_get_data (check, "grant"));
    }
  c = g_strv_builder_end (custodians);
  a = g_strv_builder_end (analysts);
  if (!signatory || !*signatory)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Name the signatory’s node")));
      return;
    }
  gtk_widget_set_sensitive (self->send_button, FALSE);
  jc_client_addendum_async (jc_application_get_client (self->app), jc_task_info_get_id (self->task),
                            (const char *const *) c, (const char *const *) a, signatory,
                            self->document, self->cancellable, sent, g_object_ref (self));
}

static void
jc_addendum_window_dispose (GObject *object)
{
  JcAddendumWindow *self = JC_ADDENDUM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->chooser);
  G_OBJECT_CLASS (jc_addendum_window_parent_class)->dispose (object);
}

static void
jc_addendum_window_finalize (GObject *object)
{
  JcAddendumWindow *self = JC_ADDENDUM_WINDOW (object);

  g_clear_object (&self->task);
  g_clear_object (&self->document);
  g_ptr_array_unref (self->checks);
  G_OBJECT_CLASS (jc_addendum_window_parent_class)->finalize (object);
}

static void
jc_addendum_window_class_init (JcAddendumWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_addendum_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = jc_addendum_window_finalize;
  signals[SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-addendum-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcAddendumWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, JcAddendumWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcAddendumWindow, grants_box);
  gtk_widget_class_bind_template_child (widget_class, JcAddendumWindow, signatory_row);
  gtk_widget_class_bind_template_child (widget_class, JcAddendumWindow, document_row);
  gtk_widget_class_bind_template_child (widget_class, JcAddendumWindow, send_button);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jc_addendum_window_init (JcAddendumWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->checks = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

JcAddendumWindow *
jc_addendum_window_new (JcApplication *app, JcTaskInfo *task)
{
  JcAddendumWindow *self = g_object_new (JC_TYPE_ADDENDUM_WINDOW, "application", app, NULL);

  self->app = app;
  self->task = g_object_ref (task);
  adw_window_title_set_subtitle (self->window_title, jc_task_info_get_title (task));
  fill_grants (self);
  return self;
}
