#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jc-test-sandbox.h"

/* What the signal handler runs, prepared beforehand: a handler may only call
 * async-signal-safe functions (fork, setsid, dup2, execv, waitpid, signal, raise). */
typedef struct {
  char                  *argv[5];   /* jocondectl sandbox down --dir=DIR */
  char                  *dir;
  volatile sig_atomic_t  armed;
} Guarded;

static Guarded guarded[4];
static const int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGABRT, SIGTRAP };

static void
down_from_handler (Guarded *g)
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      /* Its own session: meson follows its SIGTERM to the test's process group with a
       * SIGKILL to the same group half a second later, which must not cut the clean-up
       * short. Its output goes to stderr, away from the TAP on stdout. */
      setsid ();
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      execv (g->argv[0], g->argv);
      _exit (127);
    }
  while (pid > 0 && waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

static void
on_signal (int sig)
{
  for (guint i = 0; i < G_N_ELEMENTS (guarded); i++)
    if (guarded[i].armed)
      {
        guarded[i].armed = 0;
        down_from_handler (&guarded[i]);
      }
  /* Then die of the same signal, as the harness would have without the handler. */
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
at_exit (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (guarded); i++)
    if (guarded[i].armed)
      jc_test_sandbox_down (guarded[i].dir);
}

static Guarded *
find (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (guarded); i++)
    if (guarded[i].armed && g_strcmp0 (guarded[i].dir, dir) == 0)
      return &guarded[i];
  return NULL;
}

void
jc_test_sandbox_guard (const char *jocondectl, const char *dir)
{
  static gboolean installed;
  Guarded *g = NULL;

  g_return_if_fail (jocondectl != NULL && dir != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (guarded) && g == NULL; i++)
    if (!guarded[i].armed)
      g = &guarded[i];
  g_assert_nonnull (g);
  g_free (g->argv[0]);
  g_free (g->argv[3]);
  g_free (g->dir);
  g->argv[0] = g_strdup (jocondectl);
  g->argv[1] = (char *) "sandbox";
  g->argv[2] = (char *) "down";
  g->argv[3] = g_strdup_printf ("--dir=%s", dir);
  g->argv[4] = NULL;
  g->dir = g_strdup (dir);
  if (!installed)
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = on_signal;
      sigemptyset (&sa.sa_mask);
      for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
        sigaction (signals[i], &sa, NULL);
      atexit (at_exit);
      installed = TRUE;
    }
  g->armed = 1;
}

gboolean
jc_test_sandbox_up (const char *dir, GError **error)
{
  Guarded *g = find (dir);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_return_val_if_fail (g != NULL, FALSE);
  const char *up[] = { g->argv[0], "sandbox", "up", g->argv[3], NULL };
  if (!g_spawn_sync (NULL, (char **) up, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "jocondectl sandbox up: %s", err);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_test_sandbox_down (const char *dir)
{
  Guarded *g = find (dir);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  if (g == NULL)
    return FALSE;
  g->armed = 0;
  /* Output captured: stdout is the harness's TAP. */
  if (!g_spawn_sync (NULL, g->argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_printerr ("jocondectl sandbox down: %s\n", err);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
jc_test_ctl_argv (const char *first, va_list ap)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) g_getenv ("JOCONDECTL"));
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  return argv;
}

char *
jc_test_sandbox_node (const char *dir, const char *name)
{
  return g_build_filename (dir, "nodes", name, NULL);
}

char *
jc_test_time_in (gint64 seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) u = g_date_time_add_seconds (t, (gdouble) seconds);
  return g_date_time_format (u, "%Y-%m-%dT%H:%M:%SZ");
}

GArray *
jc_test_sandbox_pids (const char *dir)
{
  const char *files[] = { "sandbox.json", "sandbox.stopped.json" };
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint f = 0; f < G_N_ELEMENTS (files) && pids->len == 0; f++)
    {
      g_autofree char *path = g_build_filename (dir, files[f], NULL);
      g_autoptr(JsonParser) p = json_parser_new ();
      JsonNode *root;
      JsonArray *a;

      if (!json_parser_load_from_file (p, path, NULL))
        continue;
      root = json_parser_get_root (p);
      if (!JSON_NODE_HOLDS_OBJECT (root)
          || !json_object_has_member (json_node_get_object (root), "pids"))
        continue;
      a = json_object_get_array_member (json_node_get_object (root), "pids");
      for (guint i = 0; a && i < json_array_get_length (a); i++)
        {
          int pid = (int) json_array_get_int_element (a, i);
          g_array_append_val (pids, pid);
        }
    }
  return pids;
}

gboolean
jc_test_pid_running (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (pid <= 1 || !g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* "pid (comm) S ...": the state follows the last ')'. */
  state = strrchr (stat, ')');
  return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}
