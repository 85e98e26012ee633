#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cli-run.h"

void
cli_run_clear (CliRun *r)
{
  g_free (r->out);
  g_free (r->err);
}

void
cli_run_argv (CliRun *r, const char *stdin_text, gssize stdin_len, const char *const *argv)
{
  const char *exe = g_getenv ("JOCONDECTL");
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) in = NULL, out = NULL, err = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (exe);
  g_ptr_array_add (full, (gpointer) exe);
  for (const char *const *a = argv; *a != NULL; a++)
    g_ptr_array_add (full, (gpointer) *a);
  g_ptr_array_add (full, NULL);

  proc = g_subprocess_newv ((const char *const *) full->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  in = stdin_text != NULL
       ? g_bytes_new (stdin_text, stdin_len < 0 ? strlen (stdin_text) : (gsize) stdin_len)
       : g_bytes_new (NULL, 0);
  g_subprocess_communicate (proc, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r->status = g_subprocess_get_exit_status (proc);
  r->out_len = g_bytes_get_size (out);
  r->out = r->out_len ? g_strndup (g_bytes_get_data (out, NULL), r->out_len) : g_strdup ("");
  r->err = g_bytes_get_size (err) ? g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err))
                                  : g_strdup ("");
}

void
cli_run (CliRun *r, const char *stdin_text, gssize stdin_len, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, stdin_len);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  cli_run_argv (r, stdin_text, stdin_len, (const char *const *) argv->pdata);
}
