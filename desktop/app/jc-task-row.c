#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-task-row.h"

struct _JcTaskRow {
  GtkListBoxRow parent_instance;
  GtkWidget    *action_icon;
  GtkLabel     *title_label;
  GtkLabel     *subtitle_label;
  GtkLabel     *state_label;
  JcTaskInfo   *task;
};

G_DEFINE_FINAL_TYPE (JcTaskRow, jc_task_row, GTK_TYPE_LIST_BOX_ROW)

static void
jc_task_row_dispose (GObject *object)
{
  JcTaskRow *self = JC_TASK_ROW (object);

  g_clear_object (&self->task);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_TASK_ROW);
  G_OBJECT_CLASS (jc_task_row_parent_class)->dispose (object);
}

static void
jc_task_row_class_init (JcTaskRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_task_row_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-task-row.ui");
  gtk_widget_class_bind_template_child (widget_class, JcTaskRow, action_icon);
  gtk_widget_class_bind_template_child (widget_class, JcTaskRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, JcTaskRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, JcTaskRow, state_label);
}

static void
jc_task_row_init (JcTaskRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JcTaskRow *
jc_task_row_new (JcTaskInfo *task)
{
  JcTaskRow *self = g_object_new (JC_TYPE_TASK_ROW, NULL);
  g_autofree char *action = jc_task_action_label (jc_task_info_get_action (task),
                                                  jc_task_info_get_action_key (task));
  const char *state = jc_task_info_get_state (task) < JC_TASK_STATE_COUNT
                      ? jc_task_state_to_string (jc_task_info_get_state (task)) : "unknown";
  g_autofree char *state_class = g_strdup_printf ("state-%s", state);
  g_autofree char *accessible = NULL;

  self->task = g_object_ref (task);
  gtk_label_set_text (self->title_label, jc_task_info_get_title (task));
  gtk_label_set_text (self->subtitle_label, action ? action : jc_task_info_get_id (task));
  gtk_label_set_text (self->state_label, jc_task_state_label (jc_task_info_get_state (task)));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), state_class);
  gtk_widget_set_visible (self->action_icon, action != NULL);
  gtk_widget_set_tooltip_text (self->action_icon, _("Needs your action"));
  /* One sentence for screen readers: title, state, and the action owed. */
  accessible = action
    ? g_strdup_printf (_("%s, %s, needs your action: %s"), jc_task_info_get_title (task),
                       jc_task_state_label (jc_task_info_get_state (task)), action)
    : g_strdup_printf (_("%s, %s"), jc_task_info_get_title (task),
                       jc_task_state_label (jc_task_info_get_state (task)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  return self;
}

JcTaskInfo *
jc_task_row_get_task (JcTaskRow *self)
{
  return self->task;
}
