#pragma once

#include <gtk/gtk.h>

#include "jc-task-info.h"

G_BEGIN_DECLS

#define JC_TYPE_TASK_ROW (jc_task_row_get_type ())
G_DECLARE_FINAL_TYPE (JcTaskRow, jc_task_row, JC, TASK_ROW, GtkListBoxRow)

/* A row of the task list: title, what the user must do (or the task id), state badge. */
JcTaskRow  *jc_task_row_new      (JcTaskInfo *task);
JcTaskInfo *jc_task_row_get_task (JcTaskRow *self);

G_END_DECLS
