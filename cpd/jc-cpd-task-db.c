#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include "jc-cpd-task-db.h"
#include "jc-time.h"

static const JcStoreMigration schema[] = {
  { 1,
    /* tasks: every task this cpd was asked to run, and what became of it. */
    "CREATE TABLE tasks (task_id TEXT PRIMARY KEY, vm TEXT NOT NULL, state TEXT NOT NULL,"
    "  cp INTEGER, port INTEGER, address TEXT, output_deadline INTEGER, reason TEXT,"
    "  updated INTEGER NOT NULL);"
    /* handled: link messages acted on, so that none is acted on twice after a crash. */
    "CREATE TABLE handled (msg_id TEXT PRIMARY KEY, topic TEXT NOT NULL, handled INTEGER NOT NULL);" },
  { 2,
    /* pending_controls: cancels and terminations that came before their task's CTA (they
     * travel from other origins, so may overtake it); checked when the CTA arrives. */
    "CREATE TABLE pending_controls (msg_id TEXT PRIMARY KEY, task_id TEXT NOT NULL,"
    "  body TEXT NOT NULL, received INTEGER NOT NULL);"
    "CREATE INDEX pending_controls_task ON pending_controls (task_id);" },
  { 3,
    /* How far the VM's log file has been forwarded, so a restart neither repeats nor
     * skips lines (process backend). */
    "ALTER TABLE tasks ADD COLUMN log_offset INTEGER NOT NULL DEFAULT 0;" },
};

JcStore *
jc_cpd_task_db_open (const char *path, GError **error)
{
  return jc_store_open (path, schema, G_N_ELEMENTS (schema), error);
}

gboolean
jc_cpd_task_db_set_state (JcStore *store, const char *task_id, const char *state,
                          const char *reason, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "UPDATE tasks SET state = ?2, reason = ?3, updated = ?4 WHERE task_id = ?1", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  return jc_store_run (store, st, error);
}

gboolean
jc_cpd_task_db_mark_handled (JcStore *store, const char *msg_id, const char *topic, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR IGNORE INTO handled (msg_id, topic, handled) VALUES (?1, ?2, ?3)", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, topic, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, jc_time_now ());
  return jc_store_run (store, st, error);
}

gboolean
jc_cpd_task_db_was_handled (JcStore *store, const char *msg_id)
{
  sqlite3_stmt *st = jc_store_prepare (store, "SELECT 1 FROM handled WHERE msg_id = ?1", NULL);
  gboolean row = FALSE;

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  jc_store_step (store, st, &row, NULL);
  sqlite3_reset (st);
  return row;
}

gboolean
jc_cpd_task_db_is_known (JcStore *store, const char *task_id)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT 1 FROM tasks WHERE task_id = ?1 AND state != 'refused'", NULL);
  gboolean row = FALSE;

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  jc_store_step (store, st, &row, NULL);
  sqlite3_reset (st);
  return row;
}

void
jc_cpd_task_db_record_refusal (JcStore *store, const char *task_id, const char *reason)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR IGNORE INTO tasks (task_id, vm, state, reason, updated) VALUES (?1, '', 'refused', ?2, ?3)",
    NULL);

  if (st == NULL || task_id == NULL)
    return;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, jc_time_now ());
  jc_store_run (store, st, NULL);
}

gboolean
jc_cpd_task_db_record_end (JcStore *store, const char *task_id, gint64 cp, const char *state,
                           const char *reason)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR REPLACE INTO tasks (task_id, vm, state, cp, reason, updated)"
    " VALUES (?1, '', ?2, ?3, ?4, ?5)", NULL);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, state, -1, SQLITE_TRANSIENT);
  if (cp >= 0)
    sqlite3_bind_int64 (st, 3, cp);
  else
    sqlite3_bind_null (st, 3);
  sqlite3_bind_text (st, 4, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 5, jc_time_now ());
  return jc_store_run (store, st, NULL);
}

gboolean
jc_cpd_task_db_set_log_offset (JcStore *store, const char *task_id, gint64 offset)
{
  sqlite3_stmt *st = jc_store_prepare (store, "UPDATE tasks SET log_offset = ?2 WHERE task_id = ?1", NULL);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, offset);
  return jc_store_run (store, st, NULL);
}
