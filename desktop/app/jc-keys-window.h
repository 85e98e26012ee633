#pragma once

#include <adwaita.h>

#include "jc-application.h"

G_BEGIN_DECLS

/* Keys for tasks (custodians and analysts): creates a PAK for a task id and lists the PAKs
 * this node holds for it. The private key never leaves the profile. */
#define JC_TYPE_KEYS_WINDOW (jc_keys_window_get_type ())
G_DECLARE_FINAL_TYPE (JcKeysWindow, jc_keys_window, JC, KEYS_WINDOW, AdwWindow)

JcKeysWindow *jc_keys_window_new        (JcApplication *app, const char *task_id);
/* Creates a PAK for the task id typed; returns its public key or NULL (shown in the window). */
char         *jc_keys_window_create_pak (JcKeysWindow *self);

G_END_DECLS
