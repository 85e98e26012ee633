#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stopping processes known by a pid written down earlier (a state file, a pid file). A pid
 * may have been reused since: only a process that still runs one of the programs NAMES
 * (a NULL-terminated list of prefixes of the program's file name) counts. */

gboolean jc_pid_runs_program (GPid pid, const char *const *names);
/* SIGTERM, up to 5 s to exit, then SIGKILL. Nothing for a pid <= 1 or another program. */
void     jc_pid_stop         (GPid pid, const char *const *names);
/* The pid in a pid file; 0 when there is none. */
GPid     jc_pid_read_file    (const char *path);

G_END_DECLS
