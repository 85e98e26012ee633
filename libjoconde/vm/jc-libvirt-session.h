#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A private per-user ("session") libvirt daemon. A client of qemu:///session autostarts
 * libvirtd and virtlogd in the directories that XDG_RUNTIME_DIR, XDG_CONFIG_HOME,
 * XDG_CACHE_HOME and HOME name; with them all under a private HOME, the daemons and their
 * VMs are the caller's own and leave the host's libvirt alone. Run as root, the caller
 * enters a user namespace first (jc-user-ns.h): root always gets the system daemon.
 *
 * libvirt's sockets (and QEMU's monitor socket, in the config directory) need paths of at
 * most 107 bytes: HOME should be short, e.g. a folder of its own under /tmp. */
typedef struct {
  char *home;
  char *runtime_dir;   /* HOME/run */
  char *config_dir;    /* HOME/config */
  char *cache_dir;     /* HOME/cache */
} JcLibvirtSession;

/* Creates the directories under HOME (which may exist already). */
JcLibvirtSession *jc_libvirt_session_new              (const char *home, GError **error);
void              jc_libvirt_session_free             (JcLibvirtSession *session);
/* The environment for the daemons' client: of a child to start, or of this process. */
void              jc_libvirt_session_set_launcher_env (const JcLibvirtSession *session,
                                                       GSubprocessLauncher    *launcher);
void              jc_libvirt_session_set_process_env  (const JcLibvirtSession *session);
/* Stops the session's QEMU processes, then its libvirtd and virtlogd, found through the pid
 * files they wrote in RUNTIME_DIR. Safe to call again, and when nothing ever started. */
void              jc_libvirt_session_stop             (const char *runtime_dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcLibvirtSession, jc_libvirt_session_free)

G_END_DECLS
