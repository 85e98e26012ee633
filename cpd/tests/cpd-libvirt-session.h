#pragma once

/* What the tests that boot the guest image through a real libvirt daemon share: leaving
 * root for a user namespace (root always gets libvirt's system daemon, the tests want a
 * private per-user one), building the image, and stopping the daemons they autostarted.
 * Includers define _GNU_SOURCE before any include, for unshare (2). */

#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static inline gboolean
cpd_test_write_proc (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t) strlen (text);
  close (fd);
  return ok;
}

/* Becomes uid/gid 1000 in a new user namespace (mapped to our real ids). */
static inline void
cpd_test_leave_root (void)
{
  g_autofree char *uid_map = g_strdup_printf ("1000 %u 1\n", (unsigned) getuid ());
  g_autofree char *gid_map = g_strdup_printf ("1000 %u 1\n", (unsigned) getgid ());

  g_assert_cmpint (unshare (CLONE_NEWUSER), ==, 0);
  g_assert_true (cpd_test_write_proc ("/proc/self/setgroups", "deny"));
  g_assert_true (cpd_test_write_proc ("/proc/self/uid_map", uid_map));
  g_assert_true (cpd_test_write_proc ("/proc/self/gid_map", gid_map));
  g_assert_cmpuint (geteuid (), ==, 1000);
}

/* Builds the guest image into IMAGE_DIR with this build's builder and orchestrator. */
static inline void
cpd_test_build_image (const char *image_dir)
{
  g_autofree char *cache = g_build_filename (image_dir, "cache", NULL);
  const char *argv[] = { g_getenv ("JC_GUEST_IMAGE_BUILDER"), "--guest", g_getenv ("JC_GUEST_BINARY"),
                         "--output", image_dir, "--cache", cache, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_nonnull (argv[0]);
  g_assert_nonnull (argv[2]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
}

/* Stops a daemon the test autostarted, by the pid file it wrote in our runtime directory. */
static inline void
cpd_test_stop_daemon (const char *runtime_dir, const char *name)
{
  g_autofree char *pidfile = g_strdup_printf ("%s/libvirt/%s.pid", runtime_dir, name);
  g_autofree char *text = NULL;
  gint64 pid;

  if (!g_file_get_contents (pidfile, &text, NULL, NULL))
    return;
  pid = g_ascii_strtoll (text, NULL, 10);
  if (pid <= 1)
    return;
  kill ((pid_t) pid, SIGTERM);
  for (guint i = 0; i < 100 && kill ((pid_t) pid, 0) == 0; i++)
    g_usleep (50 * 1000);
}
