#define G_LOG_DOMAIN "joconde-vm"
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../test-tmpdir.h"
#include "jc-error.h"
#include "jc-libvirt-session.h"
#include "jc-pid.h"
#include "jc-user-ns.h"

/* The session's directories exist and are what the environment names. */
static void
test_session_dirs (void)
{
  g_autofree char *tmp = test_tmpdir_new ("jc-vm-XXXXXX");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcLibvirtSession) s = jc_libvirt_session_new (tmp, &error);
  g_autoptr(JcLibvirtSession) again = NULL;
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) p = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  const char *argv[] = { "sh", "-c", "echo \"$XDG_RUNTIME_DIR $XDG_CONFIG_HOME $XDG_CACHE_HOME $HOME\"", NULL };

  g_assert_no_error (error);
  g_assert_true (g_file_test (s->runtime_dir, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (s->config_dir, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (s->cache_dir, G_FILE_TEST_IS_DIR));
  again = jc_libvirt_session_new (tmp, &error);   /* existing directories are fine */
  g_assert_no_error (error);

  jc_libvirt_session_set_launcher_env (s, l);
  p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  expected = g_strdup_printf ("%s/run %s/config %s/cache %s\n", tmp, tmp, tmp, tmp);
  g_assert_cmpstr (out, ==, expected);
  test_tmpdir_remove (tmp);
}

static void
test_session_refuses_file_home (void)
{
  g_autofree char *tmp = test_tmpdir_new ("jc-vm-XXXXXX");
  g_autofree char *file = g_build_filename (tmp, "file", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_assert_null (jc_libvirt_session_new (file, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  test_tmpdir_remove (tmp);
}

/* A copy of sleep(1) under NAME in DIR, started; its pid written to PID_FILE. */
static GPid
start_sleeper (const char *dir, const char *name, const char *pid_file)
{
  g_autofree char *sleep_bin = g_find_program_in_path ("sleep");
  g_autofree char *copy = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) from = NULL, to = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *argv[] = { copy, "60", NULL };
  GPid pid = 0;

  g_assert_nonnull (sleep_bin);
  from = g_file_new_for_path (sleep_bin);
  to = g_file_new_for_path (copy);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (copy, 0700), ==, 0);
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pid, &error));
  g_assert_no_error (error);
  text = g_strdup_printf ("%d\n", pid);
  g_assert_true (g_file_set_contents (pid_file, text, -1, NULL));
  return pid;
}

/* Reaps PID and tells whether it was ended by SIGNAL. */
static gboolean
ended_by (GPid pid, int sig)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFSIGNALED (status) && WTERMSIG (status) == sig;
}

/* stop ends a QEMU and the daemons by their pid files, and nothing else: a pid file whose
 * pid is now another program's leaves that program alone. */
static void
test_session_stop (void)
{
  g_autofree char *tmp = test_tmpdir_new ("jc-vm-XXXXXX");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcLibvirtSession) s = jc_libvirt_session_new (tmp, &error);
  g_autofree char *libvirt = g_build_filename (s->runtime_dir, "libvirt", NULL);
  g_autofree char *qemu_run = g_build_filename (libvirt, "qemu", "run", NULL);
  g_autofree char *qemu_pid = g_build_filename (qemu_run, "joconde-task-1.pid", NULL);
  g_autofree char *libvirtd_pid = g_build_filename (libvirt, "libvirtd.pid", NULL);
  g_autofree char *virtlogd_pid = g_build_filename (libvirt, "virtlogd.pid", NULL);
  GPid qemu, libvirtd, other;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (qemu_run, 0700), ==, 0);
  qemu = start_sleeper (tmp, "qemu-system-x86_64", qemu_pid);
  libvirtd = start_sleeper (tmp, "libvirtd", libvirtd_pid);
  other = start_sleeper (tmp, "not-virtlogd", virtlogd_pid);
  g_assert_true (jc_pid_runs_program (qemu, (const char *[]) { "qemu-system-", NULL }));
  g_assert_false (jc_pid_runs_program (qemu, (const char *[]) { "libvirtd", NULL }));

  jc_libvirt_session_stop (s->runtime_dir);
  jc_libvirt_session_stop (s->runtime_dir);   /* again: nothing left to do */
  g_assert_true (jc_pid_runs_program (other, (const char *[]) { "not-virtlogd", NULL }));
  kill (other, SIGKILL);
  g_assert_true (ended_by (qemu, SIGTERM));
  g_assert_true (ended_by (libvirtd, SIGTERM));
  g_assert_true (ended_by (other, SIGKILL));
  g_assert_cmpint (jc_pid_read_file (libvirtd_pid), ==, libvirtd);
  g_assert_cmpint (jc_pid_read_file (tmp), ==, 0);
  test_tmpdir_remove (tmp);
}

/* In the namespace the process is uid and gid 1000 (run in a child: it cannot go back). */
static void
test_user_ns (void)
{
  if (g_test_subprocess ())
    {
      JcUserNsMaps maps;

      jc_user_ns_maps_init (&maps);
      g_assert_true (jc_user_ns_enter (&maps));
      g_assert_cmpuint (geteuid (), ==, JC_USER_NS_ID);
      g_assert_cmpuint (getegid (), ==, JC_USER_NS_ID);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vm/session/dirs", test_session_dirs);
  g_test_add_func ("/vm/session/refuses-file-home", test_session_refuses_file_home);
  g_test_add_func ("/vm/session/stop", test_session_stop);
  g_test_add_func ("/vm/user-ns", test_user_ns);
  return g_test_run ();
}
