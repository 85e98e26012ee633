#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "jc-cpd-config.h"
#include "jc-cpd-daemon.h"
#include "jc-cpd-libvirt-backend.h"
#include "jc-cpd-process-backend.h"
#include "jc-csr.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-node-identity.h"
#include "jc-node-key.h"

/* joconde-cpd: the Computing Party daemon (man joconde-cpd(8), docs/admin-cpd.md). */

static gboolean
on_stop (gpointer loop)
{
  sd_notify (0, "STOPPING=1\nSTATUS=Stopping");
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_watchdog (gpointer data)
{
  JcCpdDaemon *daemon = data;
  g_autofree char *status = g_strdup_printf ("WATCHDOG=1\nSTATUS=Looking after %u task VM(s)",
                                             jc_cpd_daemon_get_n_active (daemon));
  sd_notify (0, status);
  return G_SOURCE_CONTINUE;
}

static JcCpdVmBackend *
make_backend (const JcCpdConfig *config, GError **error)
{
  if (g_str_equal (config->backend, "process"))
    {
      g_autofree char *dir = g_build_filename (config->state_dir, "vms", NULL);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create %s"), dir);
          return NULL;
        }
      return JC_CPD_VM_BACKEND (jc_cpd_process_backend_new (config->guest_binary, dir));
    }
  return (JcCpdVmBackend *) jc_cpd_libvirt_backend_new ((const char * const *) config->libvirt_uris, error);
}

static int
run (const JcCpdConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcLog) log = NULL;
  g_autoptr(JcCpdVmBackend) backend = NULL;
  g_autoptr(JcCpdDaemon) daemon = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint64 watchdog_usec = 0;

  if (g_mkdir_with_parents (config->state_dir, 0700) != 0)
    {
      g_printerr (_("joconde-cpd: cannot create the state directory %s\n"), config->state_dir);
      return 1;
    }
  log = jc_log_new ("joconde-cpd", config->log_target,
                    config->log_target == JC_LOG_TO_FILE ? config->log_file : NULL, &error);
  if (log != NULL)
    backend = make_backend (config, &error);
  if (backend != NULL)
    daemon = jc_cpd_daemon_new (config, backend, log, &error);
  if (daemon == NULL || !jc_cpd_daemon_start (daemon, &error))
    {
      g_printerr ("joconde-cpd: %s\n", error->message);
      sd_notifyf (0, "STATUS=Failed: %s", error->message);
      return 1;
    }
  g_unix_signal_add (SIGTERM, on_stop, loop);
  g_unix_signal_add (SIGINT, on_stop, loop);
  if (sd_watchdog_enabled (0, &watchdog_usec) > 0 && watchdog_usec > 0)
    g_timeout_add (MAX (watchdog_usec / 2000, 100), on_watchdog, daemon);
  sd_notify (0, "READY=1\nSTATUS=Running");
  /* For foreground runs and tests, which have no notification socket. */
  printf ("ready\n");
  fflush (stdout);
  g_main_loop_run (loop);
  /* Callbacks that never ran still hold references: a clean stop must not wait on them. */
  g_object_run_dispose (G_OBJECT (daemon));
  return 0;
}

/* enrol: a key and a certificate signing request for the parent relay's administrator
 * (docs/admin-cpd.md "Enrolment"); the key never leaves this host. */
static int
enrol (const char *dir, const char *name, const char *company, const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = g_build_filename (dir, "node.key", NULL);
  g_autofree char *csr_path = g_build_filename (dir, "node.csr", NULL);
  g_autoptr(JcNodeKey) key = NULL;
  g_autoptr(JcCsr) csr = NULL;
  g_autoptr(JcNodeIdentity) id = NULL;
  g_autofree char *pem = NULL;

  if (name == NULL || company == NULL || email == NULL)
    {
      g_printerr (_("joconde-cpd enrol needs --name, --company and --email\n"));
      return 2;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_("joconde-cpd: %s exists already or %s cannot be created\n"), key_path, dir);
      return 1;
    }
  id = jc_node_identity_new (company, NULL, email, name);
  key = jc_node_key_generate (&error);
  if (key != NULL)
    csr = jc_csr_new (key, id, JC_ROLE_CP, &error);
  if (csr == NULL)
    goto fail;
  pem = jc_csr_to_pem (csr);
  if (!jc_node_key_save_file (key, key_path, NULL, &error) ||
      !g_file_set_contents_full (csr_path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    goto fail;
  printf (_("Key %s and request %s are ready. Send the request to the parent relay's "
            "administrator and compare this key id with them by phone:\n  %s\n"),
          key_path, csr_path, jc_csr_get_key_id (csr));
  return 0;
fail:
  g_printerr ("joconde-cpd: %s\n", error->message);
  return 1;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;   /* GOption replaces, never frees, a default */
  g_autofree char *name = NULL;
  g_autofree char *company = NULL;
  g_autofree char *email = NULL;
  g_autofree char *out = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, N_("The configuration file"), N_("FILE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("enrol: this node's id (certificate CN)"), N_("ID") },
    { "company", 0, 0, G_OPTION_ARG_STRING, &company, N_("enrol: the organisation"), N_("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("enrol: the administrators' address"), N_("ADDRESS") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("enrol: where to write node.key and node.csr"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("[run | enrol] — the JOCONDE Computing Party daemon"));
  g_autoptr(JcCpdConfig) config = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("joconde-cpd: %s\n", error->message);
      return 2;
    }
  if (!jc_init (&error))
    {
      g_printerr ("joconde-cpd: %s\n", error->message);
      return 1;
    }
  if (argc >= 2 && g_str_equal (argv[1], "enrol"))
    return enrol (out ? out : ".", name, company, email);
  if (argc > 2 || (argc == 2 && !g_str_equal (argv[1], "run")))
    {
      g_printerr (_("joconde-cpd: unknown command; see joconde-cpd --help\n"));
      return 2;
    }
  config = jc_cpd_config_load (config_path ? config_path : SYSCONFDIR "/joconde/cpd/cpd.conf", &error);
  if (config == NULL)
    {
      g_printerr ("joconde-cpd: %s\n", error->message);
      return 1;
    }
  return run (config);
}
