#define G_LOG_DOMAIN "joconde-vm"
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-libvirt-session.h"
#include "jc-pid.h"

JcLibvirtSession *
jc_libvirt_session_new (const char *home, GError **error)
{
  g_autoptr(JcLibvirtSession) s = g_new0 (JcLibvirtSession, 1);
  const char *dirs[3];

  s->home = g_strdup (home);
  s->runtime_dir = g_build_filename (home, "run", NULL);
  s->config_dir = g_build_filename (home, "config", NULL);
  s->cache_dir = g_build_filename (home, "cache", NULL);
  dirs[0] = s->runtime_dir;
  dirs[1] = s->config_dir;
  dirs[2] = s->cache_dir;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_mkdir_with_parents (dirs[i], 0700) != 0)
      {
        int e = errno;
        g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create %s: %s"), dirs[i], g_strerror (e));
        return NULL;
      }
  return g_steal_pointer (&s);
}

void
jc_libvirt_session_free (JcLibvirtSession *session)
{
  if (!session)
    return;
  g_free (session->home);
  g_free (session->runtime_dir);
  g_free (session->config_dir);
  g_free (session->cache_dir);
  g_free (session);
}

/* The variables libvirt's client and daemons take their directories from, name then value. */
static void
session_env (const JcLibvirtSession *s, const char *env[9])
{
  const char *pairs[] = { "XDG_RUNTIME_DIR", s->runtime_dir, "XDG_CONFIG_HOME", s->config_dir,
                          "XDG_CACHE_HOME", s->cache_dir, "HOME", s->home, NULL };

  memcpy (env, pairs, sizeof pairs);
}

void
jc_libvirt_session_set_launcher_env (const JcLibvirtSession *session, GSubprocessLauncher *launcher)
{
  const char *env[9];

  session_env (session, env);
  for (guint i = 0; env[i]; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
}

void
jc_libvirt_session_set_process_env (const JcLibvirtSession *session)
{
  const char *env[9];

  session_env (session, env);
  for (guint i = 0; env[i]; i += 2)
    g_setenv (env[i], env[i + 1], TRUE);
}

static const char *const libvirt_programs[] = { "qemu-system-", "libvirtd", "virtlogd", NULL };

void
jc_libvirt_session_stop (const char *runtime_dir)
{
  g_autofree char *qemu_run = g_build_filename (runtime_dir, "libvirt", "qemu", "run", NULL);
  g_autoptr(GDir) d = g_dir_open (qemu_run, 0, NULL);
  const char *daemons[] = { "libvirtd.pid", "virtlogd.pid", NULL };

  /* The VMs first: with their daemons gone nothing would stop them. */
  for (const char *n = d ? g_dir_read_name (d) : NULL; n; n = g_dir_read_name (d))
    if (g_str_has_suffix (n, ".pid"))
      {
        g_autofree char *p = g_build_filename (qemu_run, n, NULL);
        jc_pid_stop (jc_pid_read_file (p), libvirt_programs);
      }
  for (guint i = 0; daemons[i]; i++)
    {
      g_autofree char *p = g_build_filename (runtime_dir, "libvirt", daemons[i], NULL);
      jc_pid_stop (jc_pid_read_file (p), libvirt_programs);
    }
}
