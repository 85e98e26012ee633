#define G_LOG_DOMAIN "joconde-vm"
#include "config.h"

#include <signal.h>

#include "jc-pid.h"

gboolean
jc_pid_runs_program (GPid pid, const char *const *names)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmd = NULL;
  g_autofree char *base = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &cmd, &len, NULL) || len == 0)
    return FALSE;
  base = g_path_get_basename (cmd);
  for (guint i = 0; names[i]; i++)
    if (g_str_has_prefix (base, names[i]))
      return TRUE;
  return FALSE;
}

void
jc_pid_stop (GPid pid, const char *const *names)
{
  if (pid <= 1 || !jc_pid_runs_program (pid, names))
    return;
  kill (pid, SIGTERM);
  for (int k = 0; k < 100 && jc_pid_runs_program (pid, names); k++)
    g_usleep (50 * 1000);
  if (jc_pid_runs_program (pid, names))
    kill (pid, SIGKILL);
}

GPid
jc_pid_read_file (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}
