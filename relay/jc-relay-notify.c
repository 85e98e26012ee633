#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "jc-relay-notify.h"

void
jc_relay_notify (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  if (!path || !*path)
    return;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_DEFAULT, NULL);
  if (!sock)
    return;
  /* A leading '@' names an abstract socket. */
  g_autoptr(GSocketAddress) addr = path[0] == '@'
    ? g_unix_socket_address_new_with_type (path + 1, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT)
    : g_unix_socket_address_new (path);
  g_socket_send_to (sock, addr, state, strlen (state), NULL, NULL);
}

static gboolean
watchdog_ping (gpointer data)
{
  jc_relay_notify ("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

guint
jc_relay_notify_watchdog_start (void)
{
  const char *usec = g_getenv ("WATCHDOG_USEC");
  guint64 us = 0;
  if (!usec || !g_ascii_string_to_unsigned (usec, 10, 1, G_MAXUINT64, &us, NULL))
    return 0;
  return g_timeout_add ((guint) MAX (us / 2000, 100), watchdog_ping, NULL);
}
