#pragma once

/* What the tests that boot the guest image through a real libvirt daemon share: leaving
 * root for a user namespace (root always gets libvirt's system daemon, the tests want a
 * private per-user one), the private daemon's directories, and building the image. The
 * daemons are libjoconde's (libjoconde/vm), as for `jocondectl sandbox --backend libvirt`. */

#include <glib.h>
#include <unistd.h>

#include "jc-libvirt-session.h"
#include "jc-user-ns.h"

/* Becomes uid/gid 1000 in a new user namespace (mapped to our real ids). */
static inline void
cpd_test_leave_root (void)
{
  JcUserNsMaps maps;

  jc_user_ns_maps_init (&maps);
  g_assert_true (jc_user_ns_enter (&maps));
  g_assert_cmpuint (geteuid (), ==, JC_USER_NS_ID);
}

/* A private libvirt daemon's directories under HOME, for this process and its children;
 * jc_libvirt_session_stop (session->runtime_dir) stops what libvirt autostarted. */
static inline JcLibvirtSession *
cpd_test_libvirt_session (const char *home)
{
  g_autoptr(GError) error = NULL;
  JcLibvirtSession *session = jc_libvirt_session_new (home, &error);

  g_assert_no_error (error);
  jc_libvirt_session_set_process_env (session);
  return session;
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
