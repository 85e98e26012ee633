#pragma once

#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>

/* What tests that start daemons need. */

/* A child setup function (GSubprocessLauncher, g_spawn) for the daemons a test starts: they
 * are killed when the test process ends, also when an assertion aborts it, so a failed test
 * leaves no relay, cpd or orchestrator running. */
static inline void
jc_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* A TCP port on 127.0.0.1 that nothing listens on now, for a daemon the test starts. */
static inline guint16
jc_test_free_port (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, any, TRUE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  g_assert_nonnull (bound);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}
