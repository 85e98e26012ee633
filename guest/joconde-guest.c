#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "jc-guest-cta.h"
#include "jc-guest-server.h"
#include "jc-init.h"

#define DEFAULT_LISTEN "127.0.0.1:8443"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static int
fail (const char *what, GError *error)
{
  fprintf (stderr, "joconde-guest: %s%s%s\n", what ? what : "", what ? ": " : "", error->message);
  g_error_free (error);
  return 1;
}

int
main (int argc, char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *cta_path = NULL;
  gboolean version = FALSE;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cta = NULL;
  g_autoptr(JcGuestServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Serve on ADDRESS:PORT (default " DEFAULT_LISTEN "; 0.0.0.0:8443 inside a VM; port 0 picks a free port)"),
      N_("ADDRESS:PORT") },
    { "cta", 'c', 0, G_OPTION_ARG_FILENAME, &cta_path,
      N_("Read the Computation Task Agreement from FILE, once, at start"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ctx = g_option_context_new (NULL);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx,
    _("The Computation Task Orchestrator of JOCONDE. One runs in each computation task VM\n"
      "(or as a plain process under the cpd's process backend) and alone decides what may\n"
      "happen to the task's data, following the task's agreement (CTA)."));
  g_option_context_set_description (ctx,
    _("Endpoints:\n"
      "  GET /health   {\"state\": \"initialisation\", \"version\": \"…\", \"cta_sha256\": \"…\"}\n"
      "                answered as soon as the orchestrator listens; cta_sha256 is present\n"
      "                when an agreement was read and is the SHA-256 of its bytes, the value\n"
      "                the cpd binds into the TEE launch (SEV-SNP host data).\n"
      "\n"
      "Inside a task VM the image's init starts it with --listen=0.0.0.0:8443 and, when the\n"
      "cpd handed over an agreement through QEMU's firmware configuration, with\n"
      "--cta=/sys/firmware/qemu_fw_cfg/by_name/opt/org.joconde/cta/raw.\n"
      "\n"
      "Signals: SIGTERM or SIGINT stop it cleanly.\n"
      "Exit status: 0 after a clean stop, 1 when it cannot start (unreadable agreement,\n"
      "address in use), 2 on a usage error.\n"
      "\n"
      "Examples:\n"
      "  joconde-guest --listen=127.0.0.1:0\n"
      "  joconde-guest --listen=0.0.0.0:8443 --cta=task.cta.json\n"
      "\n"
      "See docs/guest-image.md for the VM image it ships in."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "joconde-guest: %s\n", error->message);
      fprintf (stderr, _("Try “joconde-guest --help”.\n"));
      return 2;
    }
  if (version)
    {
      printf ("joconde-guest %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1)
    {
      fprintf (stderr, _("joconde-guest: unexpected argument “%s”\n"), argv[1]);
      return 2;
    }

  if (!jc_init (&error))
    return fail (NULL, g_steal_pointer (&error));

  if (cta_path != NULL)
    {
      cta = jc_guest_cta_load (cta_path, &error);
      if (cta == NULL)
        return fail (NULL, g_steal_pointer (&error));
    }

  server = jc_guest_server_new (cta);
  if (!jc_guest_server_listen (server, listen ? listen : DEFAULT_LISTEN, &error))
    return fail (NULL, g_steal_pointer (&error));

  g_message ("listening on port %u, state %s", jc_guest_server_get_port (server),
             jc_guest_state_to_string (jc_guest_server_get_state (server)));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  g_message ("stopping");
  return 0;
}
