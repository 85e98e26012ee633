#define G_LOG_DOMAIN "joconde-vm"
#define _GNU_SOURCE 1  /* unshare (2) */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "jc-user-ns.h"

void
jc_user_ns_maps_init (JcUserNsMaps *maps)
{
  g_snprintf (maps->uid_map, sizeof maps->uid_map, "%u %u 1\n", JC_USER_NS_ID, (unsigned) getuid ());
  g_snprintf (maps->gid_map, sizeof maps->gid_map, "%u %u 1\n", JC_USER_NS_ID, (unsigned) getgid ());
}

/* Only open, write and close: this runs between fork and exec. */
static gboolean
write_proc (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t) strlen (text);
  close (fd);
  return ok;
}

gboolean
jc_user_ns_enter (const JcUserNsMaps *maps)
{
  gboolean ok;

  if (unshare (CLONE_NEWUSER) != 0)
    return FALSE;
  ok = write_proc ("/proc/self/setgroups", "deny");
  ok = write_proc ("/proc/self/uid_map", maps->uid_map) && ok;
  ok = write_proc ("/proc/self/gid_map", maps->gid_map) && ok;
  return ok;
}
