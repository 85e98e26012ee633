#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-ca.h"
#include "jc-cert.h"
#include "jc-csr.h"
#include "jc-net-frame.h"
#include "jc-net-sqlite-private.h"
#include "jc-node-key.h"
#include "jc-relay-admin.h"
#include "jc-relay-private.h"

static int
fail (GError *error)
{
  g_printerr ("joconde-relay: %s\n", error->message);
  return 1;
}

static char *
out_dir (JcRelayConfig *config, const JcRelayAdminOptions *o)
{
  if (o->dir)
    return g_strdup (o->dir);
  return g_path_get_dirname (config->certificate);
}

/* Refuses to overwrite: keys and certificates are never replaced by accident. */
static gboolean
write_new (const char *path, const char *text, int mode, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("%s exists already; move it away first if you mean to replace it"), path);
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
}

static JcNodeIdentity *
identity_from (const JcRelayAdminOptions *o, const char *name, GError **error)
{
  if (!o->company || !o->email)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("--company and --email are required (they go into the certificate)"));
      return NULL;
    }
  if (!jc_net_node_id_valid (name))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The node name %s may only hold letters, digits, '.', '_', ':' and '-'"),
                   name ? name : "");
      return NULL;
    }
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new (o->company, o->department, o->email, name);
  if (!jc_node_identity_validate (id, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gboolean
parse_roles (const char *text, JcRoles fallback, JcRoles *out, GError **error)
{
  if (!text)
    {
      *out = fallback;
      return TRUE;
    }
  return jc_roles_parse (text, out, error);
}

/* init-root: the System's root CA and the root relay's own key and certificate. */
int
jc_relay_admin_init_root (JcRelayConfig *config, const JcRelayAdminOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = out_dir (config, o);
  g_autofree char *ca_key_path = g_build_filename (dir, "root-ca.key", NULL);
  g_autofree char *ca_path = g_build_filename (dir, "root-ca.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "node.key", NULL);
  g_autofree char *cert_path = g_build_filename (dir, "node.pem", NULL);
  const char *name = o->name ? o->name : "root";
  g_autoptr(JcNodeIdentity) ca_id = NULL;
  g_autoptr(JcNodeIdentity) node_id = identity_from (o, name, &error);
  if (!node_id)
    return fail (error);
  ca_id = jc_node_identity_new (o->company, o->department, o->email, "JOCONDE root CA");
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_printerr (_("joconde-relay: cannot create %s: %s\n"), dir, g_strerror (errno));
      return 1;
    }
  for (const char *const *p = (const char *const[]) { ca_key_path, ca_path, key_path, cert_path, NULL };
       *p; p++)
    if (g_file_test (*p, G_FILE_TEST_EXISTS))
      {
        g_printerr (_("joconde-relay: %s exists already; init-root makes a new System\n"), *p);
        return 1;
      }

  /* The root CA key: in an (offline) token when one is named, else a file to move to
   * offline storage once the root relay's certificate is made. */
  const char *pin = g_getenv ("JOCONDE_PKCS11_PIN");
  g_autoptr(JcNodeKey) ca_key = o->ca_token
    ? jc_node_key_generate_pkcs11 (o->ca_token, "joconde-root-ca", pin, &error)
    : jc_node_key_generate (&error);
  if (!ca_key || (!o->ca_token && !jc_node_key_save_file (ca_key, ca_key_path, NULL, &error)))
    return fail (error);
  gint64 now = jc_time_now ();
  JcValidity root_v, node_v;
  jc_validity_init_root (&root_v, now);
  jc_validity_init_months (&node_v, now, config->active_months, config->passive_months);
  g_autoptr(JcCert) ca = jc_ca_create_root (ca_key, ca_id, &root_v, &error);
  g_autoptr(JcNodeKey) key = ca ? jc_node_key_generate (&error) : NULL;
  g_autoptr(JcCsr) csr = key ? jc_csr_new (key, node_id, JC_ROLE_RELAY | JC_ROLE_APPROVER, &error)
                             : NULL;
  g_autoptr(JcCert) cert = csr ? jc_ca_issue (ca_key, ca, csr, JC_ROLE_RELAY | JC_ROLE_APPROVER,
                                              &node_v, &error) : NULL;
  if (!cert)
    return fail (error);
  g_autofree char *ca_pem = jc_cert_to_pem (ca);
  g_autofree char *cert_pem = jc_cert_to_pem (cert);
  if (!jc_node_key_save_file (key, key_path, NULL, &error) ||
      !write_new (ca_path, ca_pem, 0644, &error) || !write_new (cert_path, cert_pem, 0644, &error))
    return fail (error);
  printf (_("The System's root CA is %s.\n"), ca_path);
  if (!o->ca_token)
    printf (_("Its private key is %s: move it to offline storage now; it is needed only to "
              "re-issue the root relay's certificate.\n"), ca_key_path);
  printf (_("The root relay's key is %s and its certificate %s (roles relay, approver).\n"),
          key_path, cert_path);
  return 0;
}

/* init-node: a key and a certificate request for a node below a parent. */
int
jc_relay_admin_init_node (JcRelayConfig *config, const JcRelayAdminOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = out_dir (config, o);
  g_autofree char *key_path = g_build_filename (dir, "node.key", NULL);
  g_autofree char *csr_path = g_build_filename (dir, "node.csr", NULL);
  JcRoles roles;
  g_autoptr(JcNodeIdentity) id = identity_from (o, o->name, &error);
  if (!id || !parse_roles (o->roles, JC_ROLE_RELAY, &roles, &error))
    return fail (error);
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_("joconde-relay: %s exists already or %s cannot be created\n"), key_path, dir);
      return 1;
    }
  g_autoptr(JcNodeKey) key = jc_node_key_generate (&error);
  g_autoptr(JcCsr) csr = key ? jc_csr_new (key, id, roles, &error) : NULL;
  if (!csr)
    return fail (error);
  g_autofree char *pem = jc_csr_to_pem (csr);
  if (!jc_node_key_save_file (key, key_path, NULL, &error) ||
      !write_new (csr_path, pem, 0644, &error))
    return fail (error);
  printf (_("Key %s and request %s are ready. Send the request to the parent's administrator "
            "and compare this key id with them by phone:\n  %s\n"),
          key_path, csr_path, jc_csr_get_key_id (csr));
  return 0;
}

static sqlite3 *
open_db (JcRelayConfig *config, JcStore **store, GError **error)
{
  JcRelay tmp = { .config = config };
  if (!jc_relay_db_open (&tmp, error))
    return NULL;
  *store = tmp.store;
  return tmp.db;
}

/* csr add FILE: a child's request, received out of band, waits for a decision. */
int
jc_relay_admin_csr_add (JcRelayConfig *config, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  if (!g_file_get_contents (path, &pem, NULL, &error))
    return fail (error);
  g_autoptr(JcCsr) csr = jc_csr_new_from_pem (pem, -1, &error);
  if (!csr)
    return fail (error);
  const JcNodeIdentity *id = jc_csr_get_identity (csr);
  if (!jc_net_node_id_valid (id->name))
    {
      g_printerr (_("joconde-relay: the requested node name %s is not usable as a node id\n"),
                  id->name);
      return 1;
    }
  g_autoptr(JcStore) store = NULL;
  sqlite3 *db = open_db (config, &store, &error);
  if (!db)
    return fail (error);
  g_autofree char *roles = jc_roles_to_string (jc_csr_get_requested_roles (csr));
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "INSERT INTO csrs (name, pem, key_id, requested_roles, received) VALUES (?,?,?,?,?)", &error);
  if (!st)
    return fail (error);
  sqlite3_bind_text (st, 1, id->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, pem, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, jc_csr_get_key_id (csr), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, roles, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      g_printerr (_("joconde-relay: this request is stored already (same key) or cannot be "
                    "stored: %s\n"), sqlite3_errmsg (db));
      return 1;
    }
  printf (_("Request %lld from %s stored; compare its key id with the requester:\n  %s\n"),
          (long long) sqlite3_last_insert_rowid (db), id->name, jc_csr_get_key_id (csr));
  return 0;
}

int
jc_relay_admin_csr_list (JcRelayConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = NULL;
  sqlite3 *db = open_db (config, &store, &error);
  if (!db)
    return fail (error);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "SELECT id, state, name, pem, requested_roles, key_id, COALESCE(granted_roles, ''), "
    "COALESCE(reason, '') FROM csrs ORDER BY id", &error);
  if (!st)
    return fail (error);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      g_autoptr(JcCsr) csr = jc_csr_new_from_pem ((const char *) sqlite3_column_text (st, 3), -1,
                                                  NULL);
      const JcNodeIdentity *id = csr ? jc_csr_get_identity (csr) : NULL;
      printf ("%lld  %-8s  %s  (%s / %s, %s)\n      asks roles [%s]  key id %s\n",
              (long long) sqlite3_column_int64 (st, 0), sqlite3_column_text (st, 1),
              sqlite3_column_text (st, 2), id ? id->company : "?",
              id && id->department ? id->department : "-", id ? id->email : "?",
              sqlite3_column_text (st, 4), sqlite3_column_text (st, 5));
      if (*sqlite3_column_text (st, 6))
        printf ("      granted [%s]\n", sqlite3_column_text (st, 6));
      if (*sqlite3_column_text (st, 7))
        printf ("      reason: %s\n", sqlite3_column_text (st, 7));
    }
  return 0;
}

static char *
load_pending (sqlite3 *db, const char *id, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "SELECT pem FROM csrs WHERE id = ? AND state = 'pending'", error);
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("There is no pending request %s"), id);
      return NULL;
    }
  return g_strdup ((const char *) sqlite3_column_text (st, 0));
}

static gboolean
decide (sqlite3 *db, const char *id, const char *state, const char *roles, const char *reason,
        const char *serial, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db,
    "UPDATE csrs SET state = ?, granted_roles = ?, reason = ?, serial = ?, decided = ? "
    "WHERE id = ? AND state = 'pending'", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, roles, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, serial, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, jc_time_now ());
  sqlite3_bind_text (st, 6, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (db, error);
  return TRUE;
}

/* csr approve ID --role …: this relay issues the child's certificate with the roles
 * the administrator grants (whatever the request asked for). */
int
jc_relay_admin_csr_approve (JcRelayConfig *config, const char *id, const JcRelayAdminOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = NULL;
  JcRoles roles;
  if (!o->roles)
    {
      g_printerr (_("joconde-relay: say which roles to grant with --role (e.g. --role relay)\n"));
      return 2;
    }
  if (!jc_roles_parse (o->roles, &roles, &error))
    return fail (error);
  sqlite3 *db = open_db (config, &store, &error);
  g_autofree char *pem = db ? load_pending (db, id, &error) : NULL;
  if (!pem)
    return fail (error);
  g_autoptr(JcCsr) csr = jc_csr_new_from_pem (pem, -1, &error);
  g_autofree char *cert_path = NULL, *key_path = NULL;
  jc_relay_config_identity_paths (config, &cert_path, &key_path);
  g_autoptr(JcNodeKey) key = csr ? jc_node_key_load_file (key_path, NULL, &error) : NULL;
  g_autoptr(GPtrArray) chain = key ? jc_cert_list_new_from_file (cert_path, &error) : NULL;
  if (!chain)
    return fail (error);
  JcValidity v;
  jc_validity_init_months (&v, jc_time_now (), config->active_months, config->passive_months);
  g_autoptr(JcCert) cert = jc_ca_issue (key, chain->pdata[0], csr, roles, &v, &error);
  if (!cert)
    return fail (error);
  /* The child's certificate file: its certificate, then ours and our issuers'. */
  g_ptr_array_insert (chain, 0, g_object_ref (cert));
  g_autofree char *out_pem = jc_cert_list_to_pem (chain);
  g_autofree char *dir = out_dir (config, o);
  g_autofree char *default_out = g_strdup_printf ("%s/%s.pem", dir, jc_csr_get_identity (csr)->name);
  const char *out = o->out ? o->out : default_out;
  g_autofree char *granted = jc_roles_to_string (roles);
  if (!write_new (out, out_pem, 0644, &error) ||
      !decide (db, id, "approved", granted, NULL, jc_cert_get_serial (cert), &error))
    return fail (error);
  printf (_("Issued %s (serial %s, roles [%s]) into %s. Give it to the node with the "
            "System's root CA certificate.\n"), jc_cert_get_name (cert), jc_cert_get_serial (cert),
          granted, out);
  return 0;
}

int
jc_relay_admin_csr_reject (JcRelayConfig *config, const char *id, const JcRelayAdminOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = NULL;
  sqlite3 *db = open_db (config, &store, &error);
  g_autofree char *pem = db ? load_pending (db, id, &error) : NULL;
  if (!pem || !decide (db, id, "rejected", NULL, o->reason ? o->reason : _("no reason given"),
                       NULL, &error))
    return fail (error);
  printf (_("Request %s rejected.\n"), id);
  return 0;
}
