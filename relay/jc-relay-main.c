#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

#include "base/jc-init.h"
#include "base/jc-time.h"
#include "jc-net-sqlite-private.h"
#include "jc-cert.h"
#include "jc-relay-admin.h"
#include "jc-crl.h"
#include "jc-node-key.h"
#include "jc-revocations.h"
#include "jc-relay-notify.h"
#include "jc-relay-private.h"
#include "jc-relay.h"

static char *opt_config = NULL;
static char *opt_reason = NULL;
static char *opt_since = NULL;
static char *opt_out = NULL;
static JcRelayAdminOptions admin;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    N_("Configuration file (default /etc/joconde/relay/relay.conf)"), N_("FILE") },
  { "reason", 0, 0, G_OPTION_ARG_STRING, &opt_reason, N_("Reason recorded with a revocation"),
    N_("TEXT") },
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
    N_("export-logs: only records from this RFC 3339 time on"), N_("TIME") },
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, N_("Output file"), N_("FILE") },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &admin.dir,
    N_("Folder for keys and certificates (default: the configuration's)"), N_("DIR") },
  { "company", 0, 0, G_OPTION_ARG_STRING, &admin.company, N_("Company name (certificate O)"), N_("TEXT") },
  { "department", 0, 0, G_OPTION_ARG_STRING, &admin.department, N_("Department (certificate OU)"), N_("TEXT") },
  { "email", 0, 0, G_OPTION_ARG_STRING, &admin.email, N_("Non-personal contact e-mail"), N_("ADDRESS") },
  { "name", 0, 0, G_OPTION_ARG_STRING, &admin.name, N_("Node name (certificate CN, the node id)"), N_("NAME") },
  { "role", 0, 0, G_OPTION_ARG_STRING, &admin.roles,
    N_("Roles, comma-separated: relay, organiser, signatory, custodian, analyst, approver, cp"), N_("ROLES") },
  { "ca-token", 0, 0, G_OPTION_ARG_STRING, &admin.ca_token,
    N_("init-root: PKCS#11 token URI for the root CA key (PIN in $JOCONDE_PKCS11_PIN)"), N_("URI") },
  { NULL }
};

static gboolean
on_quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_reload (gpointer data)
{
  g_autoptr(GError) error = NULL;
  if (!jc_relay_admission_load_crls (data, &error))
    g_warning ("keeping the previous CRLs: %s", error->message);
  else
    g_message ("CRLs reloaded");
  return G_SOURCE_CONTINUE;
}

/* Every command reports a failure the same way: the message, then exit status 1. */
static int
command_failed (const char *message)
{
  g_printerr ("joconde-relay: %s\n", message);
  return 1;
}

static int
cmd_run (JcRelayConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcRelay) relay = jc_relay_new (config, &error);
  if (!relay || !jc_relay_start (relay, &error))
    return command_failed (error->message);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sig_term = g_unix_signal_add (SIGTERM, on_quit, loop);
  guint sig_int = g_unix_signal_add (SIGINT, on_quit, loop);
  guint sig_hup = g_unix_signal_add (SIGHUP, on_reload, relay);
  /* Tests and scripts wait for this line; systemd waits for READY=1. */
  printf ("listening %s:%u node %s\n", config->listen_address, jc_relay_get_port (relay),
          jc_relay_get_node_id (relay));
  fflush (stdout);
  jc_relay_notify ("READY=1");
  guint watchdog = jc_relay_notify_watchdog_start ();
  g_main_loop_run (loop);
  jc_relay_notify ("STOPPING=1");
  g_source_remove (sig_term);
  g_source_remove (sig_int);
  g_source_remove (sig_hup);
  if (watchdog)
    g_source_remove (watchdog);
  return 0;
}

static sqlite3 *
open_state (JcRelayConfig *config, JcStore **store, GError **error)
{
  JcRelay tmp = { .config = config };
  if (!jc_relay_db_open (&tmp, error))
    return NULL;
  *store = tmp.store;
  return tmp.db;
}

/* The admin commands that read the state: given it, opened by with_state. */
typedef int (*StateCommand) (JcRelayConfig *config, sqlite3 *db);

static int
with_state (JcRelayConfig *config, StateCommand command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = NULL;
  sqlite3 *db = open_state (config, &store, &error);
  if (!db)
    return command_failed (error->message);
  return command (config, db);
}

/* tree: the children and the routes to the nodes below them. */
static int
cmd_tree (JcRelayConfig *config, sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "SELECT r.link, r.node, c.serial, c.last_seen, "
    "  (SELECT count(*) FROM outbox o WHERE o.link = r.link) "
    "FROM routes r LEFT JOIN children c ON c.node = r.node ORDER BY r.link, r.node <> r.link, r.node",
    &error);
  while (st && sqlite3_step (st) == SQLITE_ROW)
    {
      const char *link = (const char *) sqlite3_column_text (st, 0);
      const char *node = (const char *) sqlite3_column_text (st, 1);
      if (g_strcmp0 (link, node) == 0)
        {
          g_autofree char *seen = jc_time_format (sqlite3_column_int64 (st, 3));
          printf ("%s  serial %s  last seen %s  queued %lld\n", node,
                  (const char *) sqlite3_column_text (st, 2), seen,
                  (long long) sqlite3_column_int64 (st, 4));
        }
      else
        printf ("  └ %s\n", node);
    }
  g_clear_pointer (&st, sqlite3_finalize);
  return 0;
}

/* revoke SERIAL: refuse this certificate from now on (also a lost key). */
static int
cmd_revoke (JcRelayConfig *config, const char *serial)
{
  g_autoptr(GError) error = NULL;
  /* The same form as the relay reads from certificates: hex, no colons, no leading zeros. */
  g_autofree char *lower = g_ascii_strdown (serial, -1);
  g_strdelimit (lower, ":", ' ');
  {
    g_auto(GStrv) parts = g_strsplit (lower, " ", -1);
    g_free (lower);
    lower = g_strjoinv ("", parts);
  }
  while (lower[0] == '0' && lower[1])
    memmove (lower, lower + 1, strlen (lower));
  if (!*lower)
    {
      g_printerr (_("joconde-relay: the serial number is empty\n"));
      return 2;
    }
  for (const char *p = lower; *p; p++)
    if (!g_ascii_isxdigit (*p))
      {
        g_printerr (_("joconde-relay: %s is not a hexadecimal serial number\n"), serial);
        return 2;
      }
  g_autoptr(JcStore) store = NULL;
  sqlite3 *db = open_state (config, &store, &error);
  if (!db)
    return command_failed (error->message);
  /* The key of the certificate, when this relay knows the certificate (a child's, or one
   * a route announcement carried): the root publishes revoked keys (revoked-keys). */
  g_autofree char *key_id = NULL;
  {
    g_autoptr(sqlite3_stmt) known = jc_net_sqlite_prepare (db,
      "SELECT certificate FROM children UNION ALL "
      "SELECT certificate FROM routes WHERE certificate IS NOT NULL", NULL);
    while (known && !key_id && sqlite3_step (known) == SQLITE_ROW)
      {
        g_autoptr(JcCert) cert = jc_cert_new_from_pem ((const char *) sqlite3_column_text (known, 0),
                                                       -1, NULL);
        const char *s = cert ? jc_cert_get_serial (cert) : "";
        while (s[0] == '0' && s[1])
          s++;
        if (cert && g_strcmp0 (s, lower) == 0)
          key_id = g_strdup (jc_cert_get_key_id (cert));
      }
  }
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "INSERT OR REPLACE INTO revoked (serial, node, reason, at, key_id) VALUES "
    "(?, (SELECT node FROM children WHERE serial = ?), ?, ?, ?)", &error);
  int rc = 1;
  if (st)
    {
      sqlite3_bind_text (st, 1, lower, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, lower, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 3, opt_reason ? opt_reason : "key compromise", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 4, jc_time_now ());
      if (key_id)
        sqlite3_bind_text (st, 5, key_id, -1, SQLITE_STATIC);
      if (sqlite3_step (st) == SQLITE_DONE)
        {
          printf (_("Certificate %s is revoked.\n"), lower);
          rc = 0;
        }
      else
        g_printerr ("joconde-relay: %s\n", sqlite3_errmsg (db));
    }
  g_clear_pointer (&st, sqlite3_finalize);
  return rc;
}

/* export-logs: the audit records (RFC 5424 lines) for an auditor, from a time on. */
static int
cmd_export_logs (JcRelayConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gint64 since = G_MININT64;
  if (opt_since && !jc_time_parse (opt_since, &since, &error))
    {
      g_printerr ("joconde-relay: --since: %s\n", error->message);
      return 2;
    }
  if (!g_file_get_contents (config->log_file, &data, NULL, &error))
    {
      g_printerr (_("joconde-relay: cannot read the audit log (set [log] target=file): %s\n"),
                  error->message);
      return 1;
    }
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i]; i++)
    {
      /* "<PRI>1 TIMESTAMP ...": the timestamp is the second field. */
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 3);
      gint64 t;
      if (g_strv_length (f) < 3)
        continue;
      if (opt_since && (!jc_time_parse (f[1], &t, NULL) || t < since))
        continue;
      g_string_append (out, lines[i]);
      g_string_append_c (out, '\n');
      n++;
    }
  if (opt_out)
    {
      if (!g_file_set_contents_full (opt_out, out->str, out->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                     0600, &error))
        return command_failed (error->message);
      g_printerr (_("%u records written to %s\n"), n, opt_out);
    }
  else
    fwrite (out->str, 1, out->len, stdout);
  return 0;
}

/* tasks: the root's tasks with their state, update counter and approvals. */
static int
cmd_tasks (JcRelayConfig *config, sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "SELECT t.task_id, t.state, t.update_counter, t.organiser, t.approval_deadline, "
    "  (SELECT count(*) FROM ctsas c WHERE c.task_id = t.task_id AND c.status = 'approved'), "
    "  (SELECT count(*) FROM ctsas c WHERE c.task_id = t.task_id) "
    "FROM tasks t ORDER BY t.created", &error);
  if (!st)
    return command_failed (error->message);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      g_autofree char *deadline = jc_time_format (sqlite3_column_int64 (st, 4));
      printf (_("%s  %-14s  update %lld  organiser %s  approval deadline %s  "
                "CTSAs approved %lld/%lld\n"),
              sqlite3_column_text (st, 0), sqlite3_column_text (st, 1),
              (long long) sqlite3_column_int64 (st, 2), sqlite3_column_text (st, 3), deadline,
              (long long) sqlite3_column_int64 (st, 5), (long long) sqlite3_column_int64 (st, 6));
    }
  return 0;
}

/* revoked-keys: the revoked keys this relay knows, in the form computing parties and
 * their VMs load (docs/pki.md, "Revocation"). */
static int
cmd_revoked_keys (JcRelayConfig *config, sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "SELECT key_id, at, reason FROM revoked WHERE key_id IS NOT NULL ORDER BY at", &error);
  if (!st)
    return command_failed (error->message);
  g_autoptr(JcRevocations) revocations = jc_revocations_new ();
  while (sqlite3_step (st) == SQLITE_ROW)
    if (!jc_revocations_revoke_key (revocations, (const char *) sqlite3_column_text (st, 0),
                                    sqlite3_column_int64 (st, 1),
                                    (const char *) sqlite3_column_text (st, 2), &error))
      return command_failed (error->message);
  g_autofree char *json = jc_revocations_keys_to_json (revocations);
  if (opt_out)
    {
      if (!g_file_set_contents_full (opt_out, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                     &error))
        return command_failed (error->message);
    }
  else
    printf ("%s\n", json);
  return 0;
}

/* crl: this relay's CRL of the children certificates it revoked, signed with its key, for
 * anyone who verifies chains through it (docs/pki.md, "Revocation"). */
static int
cmd_crl (JcRelayConfig *config, sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL, *key_path = NULL;
  jc_relay_config_identity_paths (config, &cert_path, &key_path);
  g_autoptr(JcNodeKey) key = jc_node_key_load_file (key_path, NULL, &error);
  g_autoptr(GPtrArray) chain = key ? jc_cert_list_new_from_file (cert_path, &error) : NULL;
  g_autoptr(sqlite3_stmt) st = chain ? jc_net_sqlite_prepare (db,
    "SELECT c.certificate, r.at FROM revoked r JOIN children c "
    "ON ltrim(c.serial, '0') = r.serial ORDER BY r.at", &error) : NULL;
  if (!st)
    return command_failed (error->message);
  g_autoptr(GPtrArray) serials = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) crl_entries = g_array_new (FALSE, TRUE, sizeof (JcCrlEntry));
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      /* The serial exactly as in the certificate (leading zero bytes included). */
      g_autoptr(JcCert) cert = jc_cert_new_from_pem ((const char *) sqlite3_column_text (st, 0),
                                                     -1, NULL);
      if (!cert)
        continue;
      char *serial = g_strdup (jc_cert_get_serial (cert));
      g_ptr_array_add (serials, serial);
      JcCrlEntry e = { serial, sqlite3_column_int64 (st, 1) };
      g_array_append_val (crl_entries, e);
    }
  gint64 now = jc_time_now ();
  g_autoptr(JcCrl) crl = jc_crl_new_signed (key, chain->pdata[0], (JcCrlEntry *) crl_entries->data,
                                            crl_entries->len, now, now + 7 * 86400, (guint64) now,
                                            &error);
  if (!crl)
    return command_failed (error->message);
  g_autofree char *pem = jc_crl_to_pem (crl);
  if (opt_out && !g_file_set_contents_full (opt_out, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                            0644, &error))
    return command_failed (error->message);
  if (!opt_out)
    fputs (pem, stdout);
  return 0;
}

/* rotate: asks the running relay to rotate its own certificate with its parent. */
static int
cmd_rotate (JcRelayConfig *config, sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  if (jc_relay_config_is_root (config))
    {
      g_printerr (_("joconde-relay: the root has no parent to rotate with; its certificate is "
                    "re-issued with the offline root CA key (see docs/admin-relay.md)\n"));
      return 2;
    }
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "INSERT OR REPLACE INTO requests (name, at) VALUES ('rotate', ?)", &error);
  if (!st)
    return command_failed (error->message);
  sqlite3_bind_int64 (st, 1, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return command_failed (sqlite3_errmsg (db));
  printf (_("The relay will ask its parent for a new certificate within [tasks] "
            "deadline-check-seconds.\n"));
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_autoptr(GOptionContext) ctx =
    g_option_context_new (_("[run | init-root | init-node | csr add FILE | csr list | csr approve ID | "
                            "csr reject ID | revoke SERIAL | crl | revoked-keys | rotate | tree | tasks | export-logs]  — the JOCONDE relay"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("joconde-relay: %s\n", error->message);
      return 2;
    }
  if (!jc_init (&error))
    return command_failed (error->message);
  const char *cmd = argc > 1 ? argv[1] : "run";
  admin.out = opt_out;
  admin.reason = opt_reason;
  JcRelayConfig *config = jc_relay_config_load (opt_config ? opt_config
                                                : "/etc/joconde/relay/relay.conf", &error);
  if (!config)
    return command_failed (error->message);
  int rc;
  if (g_strcmp0 (cmd, "run") == 0)
    return cmd_run (config); /* the relay owns the configuration from here */
  if (g_strcmp0 (cmd, "tree") == 0)
    rc = with_state (config, cmd_tree);
  else if (g_strcmp0 (cmd, "init-root") == 0)
    rc = jc_relay_admin_init_root (config, &admin);
  else if (g_strcmp0 (cmd, "init-node") == 0)
    rc = jc_relay_admin_init_node (config, &admin);
  else if (g_strcmp0 (cmd, "csr") == 0 && argc == 4 && g_strcmp0 (argv[2], "add") == 0)
    rc = jc_relay_admin_csr_add (config, argv[3]);
  else if (g_strcmp0 (cmd, "csr") == 0 && argc == 3 && g_strcmp0 (argv[2], "list") == 0)
    rc = jc_relay_admin_csr_list (config);
  else if (g_strcmp0 (cmd, "csr") == 0 && argc == 4 && g_strcmp0 (argv[2], "approve") == 0)
    rc = jc_relay_admin_csr_approve (config, argv[3], &admin);
  else if (g_strcmp0 (cmd, "csr") == 0 && argc == 4 && g_strcmp0 (argv[2], "reject") == 0)
    rc = jc_relay_admin_csr_reject (config, argv[3], &admin);
  else if (g_strcmp0 (cmd, "crl") == 0)
    rc = with_state (config, cmd_crl);
  else if (g_strcmp0 (cmd, "revoked-keys") == 0)
    rc = with_state (config, cmd_revoked_keys);
  else if (g_strcmp0 (cmd, "tasks") == 0)
    rc = with_state (config, cmd_tasks);
  else if (g_strcmp0 (cmd, "rotate") == 0)
    rc = with_state (config, cmd_rotate);
  else if (g_strcmp0 (cmd, "export-logs") == 0)
    rc = cmd_export_logs (config);
  else if (g_strcmp0 (cmd, "revoke") == 0 && argc == 3)
    rc = cmd_revoke (config, argv[2]);
  else
    {
      g_printerr (_("joconde-relay: unknown command %s (try --help)\n"), cmd);
      rc = 2;
    }
  jc_relay_config_free (config);
  return rc;
}
