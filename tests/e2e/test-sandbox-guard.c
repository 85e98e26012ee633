#define G_LOG_DOMAIN "joconde-e2e"
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jc-test-sandbox.h"

/* A harness that started a sandbox and is then stopped as meson stops a test that timed
 * out (SIGTERM to its process group) leaves none of the sandbox's daemons running. Run
 * for the C harnesses' shared guard (sandbox-guard-helper) and the Python one's. */

static void
new_session (gpointer data)
{
  setsid ();  /* as meson starts each test */
}

static void
stopped_by (const char *const *argv_head, int sig)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-guard-XXXXXX", &error);
  g_autofree char *sandbox = g_build_filename (dir, "sandbox", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GArray) pids = NULL;
  char line[16] = "";
  GPid pid;
  int out = -1, status = 0;
  ssize_t n;

  g_assert_no_error (error);
  for (guint i = 0; argv_head[i]; i++)
    g_ptr_array_add (argv, (char *) argv_head[i]);
  g_ptr_array_add (argv, sandbox);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           new_session, NULL, &pid, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  /* "up" once the whole sandbox runs. */
  do
    n = read (out, line, sizeof line - 1);
  while (n < 0 && errno == EINTR);
  close (out);
  g_assert_cmpstr (g_strstrip (line), ==, "up");
  pids = jc_test_sandbox_pids (sandbox);
  g_test_message ("the sandbox runs %u daemons", pids->len);
  g_assert_cmpuint (pids->len, >=, 6);  /* three relays, three cpds */
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (jc_test_pid_running (g_array_index (pids, int, i)));

  g_assert_cmpint (kill (-pid, sig), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status) || WIFEXITED (status));
  if (WIFSIGNALED (status))
    g_assert_cmpint (WTERMSIG (status), ==, sig);
  g_spawn_close_pid (pid);

  for (guint i = 0; i < pids->len; i++)
    {
      int p = g_array_index (pids, int, i);
      if (jc_test_pid_running (p))
        g_test_message ("still running: pid %d", p);
      g_assert_false (jc_test_pid_running (p));
    }
  {
    g_autofree char *stopped = g_build_filename (sandbox, "sandbox.stopped.json", NULL);
    g_assert_true (g_file_test (stopped, G_FILE_TEST_EXISTS));
  }
  if (!g_test_failed ())
    {
      const char *rm[] = { "rm", "-rf", dir, NULL };
      g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

static void
test_c_sigterm (void)
{
  const char *argv[] = { g_getenv ("JC_GUARD_HELPER"), NULL };
  stopped_by (argv, SIGTERM);
}

static void
test_python_sigterm (void)
{
  const char *argv[] = { "/usr/bin/python3", g_getenv ("JC_ATSPI_SANDBOX_TEST"), "--guard-only", NULL };
  stopped_by (argv, SIGTERM);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sandbox-guard/c-harness/sigterm", test_c_sigterm);
  if (g_getenv ("JC_ATSPI_SANDBOX_TEST"))
    g_test_add_func ("/sandbox-guard/python-harness/sigterm", test_python_sigterm);
  return g_test_run ();
}
