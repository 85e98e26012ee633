#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "jc-error.h"

#include "jc-cert.h"
#include "jc-guest-cta.h"
#include "jc-guest-server.h"
#include "jc-guest-task.h"
#include "jc-init.h"

/* Also spelled out in the --listen help: xgettext cannot read a macro inside N_(). */
#define DEFAULT_LISTEN "127.0.0.1:8443"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  jc_guest_task_tick (user_data);
  return G_SOURCE_CONTINUE;
}

/* The trust anchor and the SO approver's chain, needed to verify the agreement. */
static gboolean
load_trust (const char *root_path, const char *approver_path, JcAgreementTrust *trust,
            GError **error)
{
  memset (trust, 0, sizeof *trust);
  trust->root = jc_cert_new_from_file (root_path, error);
  if (trust->root == NULL)
    return FALSE;
  if (approver_path == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("--approver is needed with --root: the SO approver's certificate chain "
                     "checks the agreement's approval"));
      return FALSE;
    }
  trust->approver = jc_cert_list_new_from_file (approver_path, error);
  return trust->approver != NULL;
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
  g_autofree char *root_path = NULL;
  g_autofree char *approver_path = NULL;
  g_autofree char *revoked_path = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *engine_dir = NULL;
  g_autofree char *sim_key = NULL;
  g_autofree char *counterparts = NULL;
  gint party = 0, timeout = 10;
  gboolean version = FALSE;
  JcAgreementTrust trust = { 0 };
  JcGuestTask *task = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cta = NULL;
  g_autoptr(JcGuestServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Serve on ADDRESS:PORT (default 127.0.0.1:8443; 0.0.0.0:8443 inside a VM; port 0 picks a free port)"),
      N_("ADDRESS:PORT") },
    { "cta", 'c', 0, G_OPTION_ARG_FILENAME, &cta_path,
      N_("Read the Computation Task Agreement from FILE, once, at start"), N_("FILE") },
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root_path,
      N_("The pinned root CA certificate (PEM) the agreement must chain to"), N_("FILE") },
    { "approver", 0, 0, G_OPTION_ARG_FILENAME, &approver_path,
      N_("The SO approver's certificate chain (PEM, leaf first)"), N_("FILE") },
    { "revoked-keys", 0, 0, G_OPTION_ARG_FILENAME, &revoked_path,
      N_("Keys the root revoked (its joconde-revoked-keys JSON), refused in the agreement"), N_("FILE") },
    { "party", 0, 0, G_OPTION_ARG_INT, &party,
      N_("This VM's computing party, 1 to 3 in the agreement's order (default 1)"), N_("N") },
    { "counterparts", 0, 0, G_OPTION_ARG_STRING, &counterparts,
      N_("The three VMs' addresses, comma-separated in the agreement's order (or POST /counterparts later)"),
      N_("ADDR,ADDR,ADDR") },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("Where the encrypted slots live (default: a fresh private directory)"), N_("DIR") },
    { "engine-dir", 0, 0, G_OPTION_ARG_FILENAME, &engine_dir,
      N_("Where the engine modules are (default: $JC_ENGINE_DIR or the installed directory)"), N_("DIR") },
    { "sim-key", 0, 0, G_OPTION_ARG_FILENAME, &sim_key,
      N_("The host's simulator key, for a task on the simulated TEE"), N_("FILE") },
    { "counterpart-timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      N_("Seconds without news after which a counterpart VM counts as lost (default 10)"), N_("S") },
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
    _("One port serves everything; the first byte of a connection tells them apart:\n"
      "  attested TLS   the IO protocol of data custodians and analysts (status, upload,\n"
      "                 download, signed cancel) and the links of the counterpart VMs\n"
      "  plain HTTP     GET /health {\"state\", \"version\", \"cta_sha256\", \"task_id\",\n"
      "                 \"cta_hash\", \"party\", \"destroy\"}, and for the cpd\n"
      "                 POST /counterparts {\"addresses\": [A1, A2, A3]} (once) and\n"
      "                 POST /control {\"message\": …, \"signature\": …}\n"
      "\n"
      "With --cta and --root the agreement is verified once, at start (finalised, every\n"
      "signature, chains to the root, nothing revoked) and the task runs; a refused\n"
      "agreement stops the orchestrator. Without --root only /health answers.\n"
      "\n"
      "To the cpd: telemetry events and {\"type\": \"guest-request\", \"request\": \"destroy\"}\n"
      "as JSON lines on stdout; the CT VM log as RFC 5424 records on stderr.\n"
      "\n"
      "Signals: SIGTERM or SIGINT stop it cleanly.\n"
      "Exit status: 0 after a clean stop, 1 when it cannot start (refused agreement,\n"
      "address in use), 2 on a usage error.\n"
      "\n"
      "Examples:\n"
      "  joconde-guest --listen=127.0.0.1:0\n"
      "  joconde-guest --listen=0.0.0.0:8443 --cta=task.cta.json --root=root.pem \\\n"
      "      --approver=so.pem --party=2 --sim-key=sim-tee.key\n"
      "\n"
      "See docs/guest.md for the protocol and docs/guest-image.md for the VM image."));
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

  /* a counterpart that dies mid-write must be an error on that channel, not our death */
  signal (SIGPIPE, SIG_IGN);

  if (!jc_init (&error))
    return fail (NULL, g_steal_pointer (&error));

  if (cta_path != NULL)
    {
      cta = jc_guest_cta_load (cta_path, &error);
      if (cta == NULL)
        return fail (NULL, g_steal_pointer (&error));
    }
  loop = g_main_loop_new (NULL, FALSE);

  if (cta != NULL && root_path != NULL)
    {
      JcGuestTaskConfig config = {
        .cta_bytes = cta, .trust = &trust, .party = (guint) MAX (party, 1) - 1,
        .state_dir = state_dir, .engine_dir = engine_dir, .sim_key_path = sim_key,
        .counterpart_timeout = (guint) CLAMP (timeout, 1, 3600), .events = stdout,
      };
      if (!load_trust (root_path, approver_path, &trust, &error))
        return fail (_("trust anchor"), g_steal_pointer (&error));
      if (revoked_path != NULL)
        {
          g_autofree char *text = NULL;
          gsize len = 0;
          if (!g_file_get_contents (revoked_path, &text, &len, &error)
              || (trust.revocations = jc_revocations_new_from_json (text, (gssize) len, &error)) == NULL)
            return fail (_("revoked keys"), g_steal_pointer (&error));
        }
      /* the agreement is checked once, here; a refused one stops the orchestrator */
      task = jc_guest_task_new (&config, &error);
      if (task == NULL)
        return fail (NULL, g_steal_pointer (&error));
      g_timeout_add (250, on_tick, task);
    }
  else if (cta != NULL)
    g_warning ("no trust anchor (--root): the agreement is not checked and no task runs; "
               "only the health endpoint answers");

  server = jc_guest_server_new (cta, task);
  if (!jc_guest_server_listen (server, listen ? listen : DEFAULT_LISTEN, &error))
    return fail (NULL, g_steal_pointer (&error));

  g_message ("listening on port %u, state %s", jc_guest_server_get_port (server),
             jc_guest_state_to_string (jc_guest_server_get_state (server)));

  if (task != NULL && counterparts != NULL)
    {
      g_auto(GStrv) addrs = g_strsplit (counterparts, ",", -1);
      if (!jc_guest_task_set_counterparts (task, (const char *const *) addrs, &error))
        return fail (_("counterparts"), g_steal_pointer (&error));
    }

  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  g_message ("stopping");
  g_clear_object (&server);
  jc_guest_task_free (task);
  jc_agreement_trust_clear (&trust);
  return 0;
}
