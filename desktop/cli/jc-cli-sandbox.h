#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The local federation of `jocondectl sandbox` (jc-cli-sandbox.c) and its demo
 * (jc-cli-demo.c). */
gboolean jc_cli_sandbox_up   (const char *dir, const char *backend, GError **error);
gboolean jc_cli_sandbox_down (const char *dir, GError **error);
/* Runs the example task; with STOP the sandbox is stopped once the result is printed. */
int      jc_cli_sandbox_demo (const char *dir, const char *backend, guint rows, gboolean stop);
char    *jc_cli_sandbox_find_program (const char *name, const char *env, const char *build_subdir);

G_END_DECLS
