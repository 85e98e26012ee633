#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-client-store.h"
#include "jc-time.h"

static const JcStoreMigration migrations[] = {
  { 1,
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    /* The trusted view of other nodes (ADR-5): chains as received, verified out of band
     * by this node's user or not. */
    "CREATE TABLE peers (name TEXT PRIMARY KEY, chain_pem TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL, verified INTEGER NOT NULL DEFAULT 0, added TEXT NOT NULL);"
    "CREATE TABLE tasks (task_id TEXT PRIMARY KEY, request TEXT, title TEXT,"
    "  ctsc TEXT, ctsc_hash TEXT, state TEXT NOT NULL, update_counter INTEGER NOT NULL DEFAULT 0,"
    "  event TEXT, cta TEXT, cta_hash TEXT, output_deadline INTEGER, updated TEXT NOT NULL);"
    /* This node's own CTSA per task (an organiser's node). */
    "CREATE TABLE ctsas (task_id TEXT PRIMARY KEY, ctsa TEXT NOT NULL, ctsa_hash TEXT NOT NULL,"
    "  signature TEXT NOT NULL, sent TEXT NOT NULL);"
    /* PAKs registered with this node (organiser) and PAKs this node made (custodian,
     * analyst: the private keys are files in paks/). */
    "CREATE TABLE paks_received (task_id TEXT NOT NULL, pak TEXT NOT NULL, role TEXT NOT NULL,"
    "  origin TEXT NOT NULL, received TEXT NOT NULL, PRIMARY KEY (task_id, pak));"
    "CREATE TABLE paks_own (task_id TEXT NOT NULL, pak TEXT NOT NULL, role TEXT NOT NULL,"
    "  created TEXT NOT NULL, PRIMARY KEY (task_id, pak));"
    "CREATE TABLE requests (msg_id TEXT PRIMARY KEY, topic TEXT NOT NULL, task_id TEXT,"
    "  sent TEXT NOT NULL, code TEXT, reason TEXT, counter INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE processed (msg_id TEXT PRIMARY KEY);"
    /* What stays of a task after its retention time: that it existed, and when it went. */
    "CREATE TABLE tombstones (task_id TEXT PRIMARY KEY, title TEXT, ctsc_hash TEXT,"
    "  erased TEXT NOT NULL);" },
};

JcStore *
jc_client_store_open (const char *path, GError **error)
{
  return jc_store_open (path, migrations, G_N_ELEMENTS (migrations), error);
}

char *
jc_client_store_get_meta (JcStore *store, const char *key)
{
  sqlite3_stmt *st = jc_store_prepare (store, "SELECT value FROM meta WHERE key = ?", NULL);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, key, -1, SQLITE_TRANSIENT);
  if (!jc_store_step (store, st, &row, NULL) || !row)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (st, 0));
}

gboolean
jc_client_store_set_meta (JcStore *store, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, value, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

gboolean
jc_client_request_add (JcStore *store, const char *msg_id, const char *topic,
                       const char *task_id, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR IGNORE INTO requests (msg_id, topic, task_id, sent, counter) VALUES (?, ?, ?, ?,"
    " COALESCE((SELECT update_counter FROM tasks WHERE task_id = ?3), 0))", error);
  if (!st)
    return FALSE;
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, topic, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

gboolean
jc_client_request_refused (JcStore *store, const char *msg_id, const char *code,
                           const char *reason, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "UPDATE requests SET code = ?, reason = ? WHERE msg_id = ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, code ? code : "failed", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, reason ? reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, msg_id, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

JcClientRequest *
jc_client_request_get (JcStore *store, const char *msg_id)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT msg_id, topic, task_id, code, reason, counter FROM requests WHERE msg_id = ?", NULL);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  if (!jc_store_step (store, st, &row, NULL) || !row)
    return NULL;
  JcClientRequest *r = g_new0 (JcClientRequest, 1);
  r->msg_id = g_strdup ((const char *) sqlite3_column_text (st, 0));
  r->topic = g_strdup ((const char *) sqlite3_column_text (st, 1));
  r->task_id = g_strdup ((const char *) sqlite3_column_text (st, 2));
  r->code = g_strdup ((const char *) sqlite3_column_text (st, 3));
  r->reason = g_strdup ((const char *) sqlite3_column_text (st, 4));
  r->counter = sqlite3_column_int64 (st, 5);
  return r;
}

void
jc_client_request_free (JcClientRequest *r)
{
  if (!r)
    return;
  g_free (r->msg_id);
  g_free (r->topic);
  g_free (r->task_id);
  g_free (r->code);
  g_free (r->reason);
  g_free (r);
}
