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

/* `$JOCONDECTL FIRST …`: the arguments from FIRST up to NULL, NULL-terminated, for
 * g_spawn_*. The strings are borrowed. */
GPtrArray *jc_test_ctl_argv    (const char *first, va_list ap);

/* DIR/nodes/NAME: the profile of a node of the sandbox in DIR. */
char    *jc_test_sandbox_node  (const char *dir, const char *name);

/* The time SECONDS from now, UTC, as a CTSC deadline is written (2026-12-01T12:00:00Z). */
char    *jc_test_time_in       (gint64 seconds);

/* The pids that DIR's sandbox.json (or sandbox.stopped.json, after down) lists. */
GArray  *jc_test_sandbox_pids  (const char *dir);

/* TRUE while PID runs (exists and is not a zombie). */
gboolean jc_test_pid_running   (int pid);

G_END_DECLS
