#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-keys-window.h"
#include "jc-new-task-window.h"
#include "jc-task-row.h"
#include "jc-task-view.h"
#include "jc-window.h"

struct _JcWindow {
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet      *leaflet;
  GtkWidget       *sidebar;
  GtkWidget       *content;
  GtkWidget       *back_button;
  GtkSearchEntry  *search_entry;
  GtkToggleButton *action_button;
  GtkToggleButton *all_button;
  GtkStack        *list_stack;
  GtkListBox      *task_list;
  GtkStack        *content_stack;
  AdwWindowTitle  *content_title;
  AdwWindowTitle  *sidebar_title;
  JcTaskView      *task_view;

  JcApplication      *app;
  GSettings          *settings;   /* NULL when the schema is not installed */
  GHashTable         *notified;   /* "task-id action key" already announced this session */
  GListStore         *tasks;
  GtkCustomFilter    *filter;
  GtkFilterListModel *visible;
};

G_DEFINE_FINAL_TYPE (JcWindow, jc_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
task_filter (gpointer item, gpointer user_data)
{
  JcWindow *self = user_data;

  return jc_task_info_matches (item, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                               gtk_toggle_button_get_active (self->action_button));
}

static void
update_list_page (JcWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->visible)) == 0;

  if (empty && g_list_model_get_n_items (G_LIST_MODEL (self->tasks)) > 0)
    {
      adw_status_page_set_title (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->list_stack, "empty")),
                                 _("No Matching Tasks"));
      adw_status_page_set_description (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->list_stack, "empty")),
                                       _("Try another search, or show all tasks."));
    }
  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "list");
}

static void
on_search_changed (JcWindow *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_page (self);
}

static void
on_filter_toggled (JcWindow *self, GtkToggleButton *button)
{
  if (gtk_toggle_button_get_active (button))
    on_search_changed (self);
}

static void
show_task (JcWindow *self, JcTaskInfo *task)
{
  jc_task_view_set_task (self->task_view, task);
  adw_window_title_set_title (self->content_title, jc_task_info_get_title (task));
  adw_window_title_set_subtitle (self->content_title, jc_task_state_label (jc_task_info_get_state (task)));
  gtk_stack_set_visible_child_name (self->content_stack, "task");
  /* The leaflet moves the keyboard focus into the task's detail, onto its first selectable
   * label, which then shows all its text selected. Side by side, the focus stays in the
   * list (as after a click); folded, it goes to the back button of the detail's header. */
  if (adw_leaflet_get_folded (self->leaflet))
    {
      adw_leaflet_set_visible_child (self->leaflet, self->content);
      gtk_widget_grab_focus (self->back_button);
    }
  else
    {
      gtk_widget_set_can_focus (self->content, FALSE);
      adw_leaflet_set_visible_child (self->leaflet, self->content);
      gtk_widget_set_can_focus (self->content, TRUE);
    }
}

static void
on_row_activated (JcWindow *self, GtkListBoxRow *row)
{
  show_task (self, jc_task_row_get_task (JC_TASK_ROW (row)));
}

static void
on_back_clicked (JcWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  return GTK_WIDGET (jc_task_row_new (item));
}

void
jc_window_toast (JcWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* A desktop notification for each action newly owed, so that a user who is not looking
 * at the app learns that a task waits for them; clicking it shows the task. */
static void
notify_actions (JcWindow *self, GPtrArray *tasks)
{
  for (guint i = 0; i < tasks->len; i++)
    {
      JcTaskInfo *task = g_ptr_array_index (tasks, i);
      g_autofree char *action = jc_task_action_label (jc_task_info_get_action (task),
                                                      jc_task_info_get_action_key (task));
      g_autofree char *key = NULL;
      g_autoptr(GNotification) notification = NULL;

      if (action == NULL)
        continue;
      key = g_strdup_printf ("%s %s", jc_task_info_get_id (task), action);
      if (!g_hash_table_add (self->notified, g_strdup (key)))
        continue;
      notification = g_notification_new (jc_task_info_get_title (task));
      g_notification_set_body (notification, action);
      g_notification_set_default_action_and_target (notification, "app.show-task", "s",
                                                    jc_task_info_get_id (task));
      g_application_send_notification (G_APPLICATION (self->app), jc_task_info_get_id (task),
                                       notification);
    }
}

void
jc_window_reload (JcWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = jc_client_list_tasks (jc_application_get_client (self->app), &error);
  guint n_action = 0;

  g_list_store_remove_all (self->tasks);
  if (tasks == NULL)
    {
      jc_window_toast (self, error->message);
      update_list_page (self);
      return;
    }
  for (guint i = 0; i < tasks->len; i++)
    {
      g_list_store_append (self->tasks, g_ptr_array_index (tasks, i));
      if (jc_task_info_needs_action (g_ptr_array_index (tasks, i)))
        n_action++;
    }
  /* Only when the user is elsewhere: the list already shows what the window shows. */
  if (!gtk_window_is_active (GTK_WINDOW (self)) && gtk_widget_get_mapped (GTK_WIDGET (self)))
    notify_actions (self, tasks);
  if (n_action > 0)
    {
      g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u needs your action",
                                                                "%u need your action", n_action),
                                                   n_action);
      adw_window_title_set_subtitle (self->sidebar_title, subtitle);
    }
  else
    adw_window_title_set_subtitle (self->sidebar_title, jc_client_get_node_name (jc_application_get_client (self->app)));
  update_list_page (self);
}

gboolean
jc_window_select_task (JcWindow *self, const char *task_id)
{
  GListModel *model = G_LIST_MODEL (self->visible);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(JcTaskInfo) task = g_list_model_get_item (model, i);
      if (g_strcmp0 (jc_task_info_get_id (task), task_id) == 0)
        {
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->task_list, (int) i);
          gtk_list_box_select_row (self->task_list, row);
          gtk_widget_grab_focus (GTK_WIDGET (row));
          show_task (self, task);
          return TRUE;
        }
    }
  return FALSE;
}

GListModel *
jc_window_get_visible_tasks (JcWindow *self)
{
  return G_LIST_MODEL (self->visible);
}

void
jc_window_set_search (JcWindow *self, const char *text, gboolean needs_action_only)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  gtk_toggle_button_set_active (needs_action_only ? self->action_button : self->all_button, TRUE);
  on_search_changed (self);
}

static void
new_task_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);
  JcNewTaskWindow *win = jc_new_task_window_new (self->app);

  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (win));
}

static void
keys_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);
  JcKeysWindow *win = jc_keys_window_new (self->app, NULL);

  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (win));
}

static void
search_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
reload_activated (GtkWidget *widget, const char *name, GVariant *param)
{
  jc_window_reload (JC_WINDOW (widget));
}

/* The schema may be missing when the app runs uninstalled: then nothing is remembered. */
static GSettings *
settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, JC_APP_ID, TRUE) : NULL;

  return schema ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

static gboolean
jc_window_close_request (GtkWindow *window)
{
  JcWindow *self = JC_WINDOW (window);
  int width, height;

  if (self->settings)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }
  return GTK_WINDOW_CLASS (jc_window_parent_class)->close_request (window);
}

static void
jc_window_dispose (GObject *object)
{
  JcWindow *self = JC_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_object (&self->visible);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_WINDOW);
  G_OBJECT_CLASS (jc_window_parent_class)->dispose (object);
}

static void
jc_window_class_init (JcWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = jc_window_close_request;
  g_type_ensure (JC_TYPE_TASK_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, content);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, action_button);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, all_button);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, task_list);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, task_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_install_action (widget_class, "win.new-task", NULL, new_task_activated);
  gtk_widget_class_install_action (widget_class, "win.keys", NULL, keys_activated);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_activated);
}

static void
jc_window_init (JcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->tasks = g_list_store_new (JC_TYPE_TASK_INFO);
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->filter = gtk_custom_filter_new (task_filter, self, NULL);
  self->visible = gtk_filter_list_model_new (G_LIST_MODEL (self->tasks), GTK_FILTER (self->filter));
  gtk_list_box_bind_model (self->task_list, G_LIST_MODEL (self->visible), create_row, self, NULL);

  self->settings = settings_new ();
  if (self->settings)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_settings_bind (self->settings, "needs-action-only", self->action_button, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
}

JcWindow *
jc_window_new (JcApplication *app)
{
  JcWindow *self = g_object_new (JC_TYPE_WINDOW, "application", app, NULL);

  self->app = app;
  jc_task_view_set_application (self->task_view, app);
  jc_window_reload (self);
  return self;
}
