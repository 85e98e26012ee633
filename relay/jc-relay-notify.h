#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
void  jc_relay_notify             (const char *state);
guint jc_relay_notify_watchdog_start (void);

G_END_DECLS
