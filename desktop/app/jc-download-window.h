#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-task-info.h"

G_BEGIN_DECLS

/* The analyst's download window for one output of one task: the attestation of the three
 * computation VMs, then the download (once: the VMs give each organisation its shares one
 * time), then the result as a table and a bar chart per group, which can be saved as CSV.
 * Emits "finished" (TRUE when the result is shown). */
#define JC_TYPE_DOWNLOAD_WINDOW (jc_download_window_get_type ())
G_DECLARE_FINAL_TYPE (JcDownloadWindow, jc_download_window, JC, DOWNLOAD_WINDOW, AdwWindow)

JcDownloadWindow *jc_download_window_new (JcApplication *app, JcTaskInfo *task,
                                          const char *output_key);

G_END_DECLS
