#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-csv-check.h"
#include "jc-task-info.h"

G_BEGIN_DECLS

/* The custodian's upload window for one input of one task: drop a CSV file on it (or choose
 * one); it is checked against the input's schema on this computer and every problem is
 * listed with row and column; only a file without problems can be sent, through the client
 * core. Emits "checked" when a check ends. */
#define JC_TYPE_UPLOAD_WINDOW (jc_upload_window_get_type ())
G_DECLARE_FINAL_TYPE (JcUploadWindow, jc_upload_window, JC, UPLOAD_WINDOW, AdwWindow)

JcUploadWindow    *jc_upload_window_new          (JcApplication *app, JcTaskInfo *task,
                                                  const char *input_key);
/* What a drop or the file chooser hands over. */
void               jc_upload_window_handle_files (JcUploadWindow *self, GSList *files);
/* The last check's report, or NULL. */
const JcCsvReport *jc_upload_window_get_report   (JcUploadWindow *self);
/* The drop target, for tests that emit "drop". */
GtkDropTarget     *jc_upload_window_get_drop_target (JcUploadWindow *self);

G_END_DECLS
