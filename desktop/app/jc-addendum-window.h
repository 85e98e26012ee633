#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-task-info.h"

G_BEGIN_DECLS

/* The organiser's addendum (CTSA) of a task: each PAK received from the organisation's
 * custodians and analysts is granted inputs or outputs, the signatory is named with their
 * identification document, and the addendum is signed with the node key and sent.
 * Emits "sent" (TRUE once the node has delivered it). */
#define JC_TYPE_ADDENDUM_WINDOW (jc_addendum_window_get_type ())
G_DECLARE_FINAL_TYPE (JcAddendumWindow, jc_addendum_window, JC, ADDENDUM_WINDOW, AdwWindow)

JcAddendumWindow *jc_addendum_window_new (JcApplication *app, JcTaskInfo *task);
/* The same as the file chooser of the identification document (for tests). */
void              jc_addendum_window_set_document (JcAddendumWindow *self, GFile *file);

G_END_DECLS
