#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A sandbox (`jocondectl sandbox up`) owned by a test harness: its daemons outlive the
 * harness by design (they detach), so the harness stops them on every way out — normal
 * exit, a failed assertion (SIGABRT, SIGTRAP) and the SIGTERM/SIGINT that meson sends a
 * test that timed out. */

/* Arms the handlers for the sandbox in DIR (up to 4 at a time), stopped with JOCONDECTL.
 * Call it before starting the sandbox so that a signal during the start still stops what
 * was started. */
void     jc_test_sandbox_guard (const char *jocondectl, const char *dir);

/* `jocondectl sandbox up --dir DIR` for a guarded DIR; FALSE with the tool's message. */
gboolean jc_test_sandbox_up    (const char *dir, GError **error);

/* `jocondectl sandbox down --dir DIR` for a guarded DIR, once; DIR is no longer guarded.
 * FALSE when DIR was not guarded or the tool failed. */
gboolean jc_test_sandbox_down  (const char *dir);

/* The pids that DIR's sandbox.json (or sandbox.stopped.json, after down) lists. */
GArray  *jc_test_sandbox_pids  (const char *dir);

/* TRUE while PID runs (exists and is not a zombie). */
gboolean jc_test_pid_running   (int pid);

G_END_DECLS
