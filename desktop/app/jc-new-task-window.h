#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-draft.h"

G_BEGIN_DECLS

/* New Task (organiser): every field of the CTSC draft, the input and output schemas, the
 * algorithm in a SQL editor validated live by the engine's compiler, attachments; "Save
 * Draft" checks the draft and keeps it in the profile; "Submit" checks it and sends it to
 * the root, which makes the task (the window then shows the task's id). */
#define JC_TYPE_NEW_TASK_WINDOW (jc_new_task_window_get_type ())
G_DECLARE_FINAL_TYPE (JcNewTaskWindow, jc_new_task_window, JC, NEW_TASK_WINDOW, AdwWindow)

JcNewTaskWindow *jc_new_task_window_new          (JcApplication *app);
/* The draft as the fields say now. */
JcDraft         *jc_new_task_window_build_draft  (JcNewTaskWindow *self);
/* Checks the draft; shows and returns every problem ("" when none). */
char            *jc_new_task_window_check        (JcNewTaskWindow *self);
/* The live verdict of the algorithm editor, and the path of the last saved draft. */
const char      *jc_new_task_window_get_algorithm_status (JcNewTaskWindow *self);
const char      *jc_new_task_window_get_saved_path (JcNewTaskWindow *self);
/* The id of the task the root made from the submitted draft, or NULL. */
const char      *jc_new_task_window_get_task_id  (JcNewTaskWindow *self);
/* Runs the algorithm's validation now rather than after the typing pause. */
void             jc_new_task_window_validate_now (JcNewTaskWindow *self);
/* Attaches FILE (what "Add File…" does once a file is chosen): read without blocking, refused
 * with a toast when it cannot be read or is larger than an attachment may be. */
void             jc_new_task_window_attach_file  (JcNewTaskWindow *self, GFile *file);
guint            jc_new_task_window_get_n_attachments (JcNewTaskWindow *self);
gboolean         jc_new_task_window_is_attaching (JcNewTaskWindow *self);

G_END_DECLS
