#pragma once

#include <adwaita.h>

#include "jc-application.h"

G_BEGIN_DECLS

/* First run on a profile folder that holds no node yet: this node's key and certificate
 * request are made (libjoconde/client), the request and its key fingerprint are shown to
 * hand to the parent's administrator, and the certificate they send back is installed.
 * Emits "enrolled" once the certificate is installed. */
#define JC_TYPE_FIRST_RUN_WINDOW (jc_first_run_window_get_type ())
G_DECLARE_FINAL_TYPE (JcFirstRunWindow, jc_first_run_window, JC, FIRST_RUN_WINDOW, AdwApplicationWindow)

JcFirstRunWindow *jc_first_run_window_new (JcApplication *app, const char *profile_dir);

/* For tests: the same as the file choosers. */
gboolean          jc_first_run_window_set_root_ca (JcFirstRunWindow *self, const char *path);
gboolean          jc_first_run_window_install     (JcFirstRunWindow *self, const char *chain_path,
                                                   GError **error);
const char       *jc_first_run_window_get_key_id  (JcFirstRunWindow *self);

G_END_DECLS
