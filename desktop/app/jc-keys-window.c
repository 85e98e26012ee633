#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-client-local.h"
#include "jc-keys-window.h"

struct _JcKeysWindow {
  AdwWindow        parent_instance;
  AdwToastOverlay *toast_overlay;
  AdwEntryRow     *task_entry;
  GtkWidget       *create_button;
  GtkWidget       *paks_group;
  GtkListBox      *paks_list;
  JcApplication   *app;
};

G_DEFINE_FINAL_TYPE (JcKeysWindow, jc_keys_window, ADW_TYPE_WINDOW)

static void
copy_clicked (GtkButton *button, gpointer user_data)
{
  const char *pak = g_object_get_data (G_OBJECT (button), "pak");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), pak);
}

/* The task with this id among the client's, or NULL. */
static JcTaskInfo *
find_task (JcKeysWindow *self, const char *task_id)
{
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (jc_application_get_client (self->app), NULL);

  for (guint i = 0; tasks && i < tasks->len; i++)
    if (g_strcmp0 (jc_task_info_get_id (g_ptr_array_index (tasks, i)), task_id) == 0)
      return g_object_ref (g_ptr_array_index (tasks, i));
  return NULL;
}

static void
reload_paks (JcKeysWindow *self)
{
  const char *task_id = gtk_editable_get_text (GTK_EDITABLE (self->task_entry));
  g_autoptr(GPtrArray) paks = NULL;
  g_autoptr(JcTaskInfo) task = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->paks_list))) != NULL)
    gtk_list_box_remove (self->paks_list, child);
  paks = jc_task_id_is_valid (task_id)
         ? jc_client_list_paks (jc_application_get_client (self->app), task_id, NULL) : NULL;
  gtk_widget_set_visible (self->paks_group, paks && paks->len > 0);
  if (paks && paks->len > 0)
    task = find_task (self, task_id);
  for (guint i = 0; paks && i < paks->len; i++)
    {
      const char *pak = g_ptr_array_index (paks, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");

      g_autoptr(GPtrArray) grants = task ? jc_task_info_pak_grants (task, pak) : NULL;
      g_autofree char *subtitle = NULL;

      /* Which inputs or outputs the task's addenda assign it to, so a custodian sees
       * that the organiser named the key. */
      if (grants && grants->len > 0)
        {
          g_ptr_array_add (grants, NULL);
          g_autofree char *joined = g_strjoinv (", ", (char **) grants->pdata);
          subtitle = g_strdup_printf (_("Assigned: %s"), joined);
        }
      else
        subtitle = g_strdup (_("Not assigned in an addendum yet"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pak);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_add_css_class (row, "monospace");
      gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (copy, _("Copy the public key"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Copy the public key"), -1);
      g_object_set_data_full (G_OBJECT (copy), "pak", g_strdup (pak), g_free);
      g_signal_connect (copy, "clicked", G_CALLBACK (copy_clicked), NULL);
      gtk_widget_add_css_class (copy, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
      gtk_list_box_append (self->paks_list, row);
    }
}

static void
on_task_changed (JcKeysWindow *self)
{
  gboolean valid = jc_task_id_is_valid (gtk_editable_get_text (GTK_EDITABLE (self->task_entry)));

  gtk_widget_set_sensitive (self->create_button, valid);
  reload_paks (self);
}

char *
jc_keys_window_create_pak (JcKeysWindow *self)
{
  g_autoptr(GError) error = NULL;
  char *pak = jc_client_create_pak (jc_application_get_client (self->app),
                                    gtk_editable_get_text (GTK_EDITABLE (self->task_entry)),
                                    &error);

  if (pak == NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
  else
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Key created")));
  reload_paks (self);
  return pak;
}

static void
on_create_clicked (JcKeysWindow *self)
{
  g_free (jc_keys_window_create_pak (self));
}

static void
jc_keys_window_class_init (JcKeysWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-keys-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcKeysWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcKeysWindow, task_entry);
  gtk_widget_class_bind_template_child (widget_class, JcKeysWindow, create_button);
  gtk_widget_class_bind_template_child (widget_class, JcKeysWindow, paks_group);
  gtk_widget_class_bind_template_child (widget_class, JcKeysWindow, paks_list);
  gtk_widget_class_bind_template_callback (widget_class, on_task_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jc_keys_window_init (JcKeysWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JcKeysWindow *
jc_keys_window_new (JcApplication *app, const char *task_id)
{
  JcKeysWindow *self = g_object_new (JC_TYPE_KEYS_WINDOW, "application", app, NULL);

  self->app = app;
  gtk_editable_set_text (GTK_EDITABLE (self->task_entry), task_id ? task_id : "");
  on_task_changed (self);
  return self;
}
