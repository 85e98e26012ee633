#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-task-info.h"

G_BEGIN_DECLS

#define JC_TYPE_WINDOW (jc_window_get_type ())
G_DECLARE_FINAL_TYPE (JcWindow, jc_window, JC, WINDOW, AdwApplicationWindow)

JcWindow   *jc_window_new          (JcApplication *app);
/* Re-reads the tasks from the client. */
void        jc_window_reload       (JcWindow *self);
/* For tests and the command line: shows the task with this id (FALSE when unknown). */
gboolean    jc_window_select_task  (JcWindow *self, const char *task_id);
/* The tasks the list shows now, after search and filter. */
GListModel *jc_window_get_visible_tasks (JcWindow *self);
void        jc_window_set_search   (JcWindow *self, const char *text, gboolean needs_action_only);
void        jc_window_toast        (JcWindow *self, const char *message);

G_END_DECLS
