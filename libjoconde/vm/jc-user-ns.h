#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Root always gets libvirt's system daemon. A process that enters a new user namespace
 * where it is uid and gid JC_USER_NS_ID (mapped to its real ids) is an ordinary user
 * there, so qemu:///session autostarts a per-user daemon in its own directories instead
 * (jc-libvirt-session.h), and nothing of the host's libvirt is touched. */
#define JC_USER_NS_ID 1000

/* The id maps, written before a fork so that the child can enter the namespace between
 * fork and exec, where only async-signal-safe calls may run. */
typedef struct {
  char uid_map[64];
  char gid_map[64];
} JcUserNsMaps;

void     jc_user_ns_maps_init (JcUserNsMaps *maps);
/* Unshares the user namespace and writes MAPS; async-signal-safe. FALSE when a step failed
 * (the steps after it are tried all the same). */
gboolean jc_user_ns_enter     (const JcUserNsMaps *maps);

G_END_DECLS
