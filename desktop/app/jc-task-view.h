#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-task-info.h"

G_BEGIN_DECLS

#define JC_TYPE_TASK_VIEW (jc_task_view_get_type ())
G_DECLARE_FINAL_TYPE (JcTaskView, jc_task_view, JC, TASK_VIEW, AdwBin)

void        jc_task_view_set_application (JcTaskView *self, JcApplication *app);
void        jc_task_view_set_task        (JcTaskView *self, JcTaskInfo *task);
JcTaskInfo *jc_task_view_get_task        (JcTaskView *self);
/* The deterministic rendering shown (for tests). */
char       *jc_task_view_get_rendering   (JcTaskView *self);

G_END_DECLS
