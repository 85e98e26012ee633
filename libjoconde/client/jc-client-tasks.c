#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-client-tasks.h"
#include "jc-ctsc.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-time.h"

#define TASK_COLUMNS "task_id, title, request, ctsc, ctsc_hash, state, update_counter, event, " \
                     "cta, cta_hash, output_deadline, updated"

static char *
column_text (sqlite3_stmt *st, int i)
{
  return g_strdup ((const char *) sqlite3_column_text (st, i));
}

static JcClientTask *
task_from_row (sqlite3_stmt *st)
{
  JcClientTask *t = g_new0 (JcClientTask, 1);
  t->task_id = column_text (st, 0);
  t->title = column_text (st, 1);
  t->request = column_text (st, 2);
  t->ctsc = column_text (st, 3);
  t->ctsc_hash = column_text (st, 4);
  if (!jc_task_state_from_string ((const char *) sqlite3_column_text (st, 5), &t->state))
    t->state = JC_TASK_EMERGING;
  t->update_counter = sqlite3_column_int64 (st, 6);
  t->event = column_text (st, 7);
  t->cta = column_text (st, 8);
  t->cta_hash = column_text (st, 9);
  t->output_deadline = sqlite3_column_int64 (st, 10);
  t->updated = column_text (st, 11);
  return t;
}

void
jc_client_task_free (JcClientTask *t)
{
  if (!t)
    return;
  g_free (t->task_id);
  g_free (t->title);
  g_free (t->request);
  g_free (t->ctsc);
  g_free (t->ctsc_hash);
  g_free (t->event);
  g_free (t->cta);
  g_free (t->cta_hash);
  g_free (t->updated);
  g_free (t);
}

JcClientTask *
jc_client_tasks_get (JcStore *store, const char *task_id, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT " TASK_COLUMNS " FROM tasks WHERE task_id = ?", error);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  if (!jc_store_step (store, st, &row, error))
    return NULL;
  if (!row)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("This node knows no task %s (is the id right, and is this node one of its "
                     "peers, or did its organisation's node share it?)"), task_id);
      return NULL;
    }
  return task_from_row (st);
}

GPtrArray *
jc_client_tasks_list (JcStore *store, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT " TASK_COLUMNS " FROM tasks ORDER BY updated DESC", error);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_client_task_free);
  while (jc_store_step (store, st, &row, error))
    {
      if (!row)
        return g_steal_pointer (&out);
      g_ptr_array_add (out, task_from_row (st));
    }
  return NULL;
}

char *
jc_client_tasks_find_by_request (JcStore *store, const char *request)
{
  sqlite3_stmt *st = jc_store_prepare (store, "SELECT task_id FROM tasks WHERE request = ?", NULL);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, request, -1, SQLITE_TRANSIENT);
  if (!jc_store_step (store, st, &row, NULL) || !row)
    return NULL;
  return column_text (st, 0);
}

gboolean
jc_client_tasks_record_created (JcStore *store, const char *task_id, const char *request,
                                JsonNode *ctsc_node, GError **error)
{
  g_autoptr(JcCtsc) ctsc = jc_ctsc_from_json (ctsc_node, error);
  if (!ctsc)
    return FALSE;
  guint8 hash[JC_DOC_HASH_SIZE];
  jc_ctsc_hash (ctsc, hash);
  g_autofree char *hex = jc_hex_encode (hash, JC_DOC_HASH_SIZE);
  g_autofree char *text = json_to_string (ctsc_node, FALSE);
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT INTO tasks (task_id, request, title, ctsc, ctsc_hash, state, output_deadline, updated)"
    " VALUES (?, ?, ?, ?, ?, 'emerging', ?, ?)"
    " ON CONFLICT (task_id) DO UPDATE SET request = COALESCE(tasks.request, excluded.request),"
    "  title = excluded.title, ctsc = excluded.ctsc, ctsc_hash = excluded.ctsc_hash,"
    "  output_deadline = excluded.output_deadline", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, request, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, ctsc->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, hex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 6, ctsc->output_deadline);
  sqlite3_bind_text (st, 7, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

gboolean
jc_client_tasks_record_status (JcStore *store, const char *task_id, const char *state,
                               gint64 update_counter, const char *event, GError **error)
{
  JcTaskState parsed;
  if (!jc_task_state_from_string (state, &parsed))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Unknown task state “%s”"), state);
      return FALSE;
    }
  g_autofree char *now = jc_time_format (jc_time_now ());
  /* A status about a task this node has not seen created yet still counts; an older
   * update (lower counter) never overwrites a newer one. */
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT INTO tasks (task_id, state, update_counter, event, updated) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (task_id) DO UPDATE SET state = excluded.state,"
    "  update_counter = excluded.update_counter, event = excluded.event, updated = excluded.updated"
    " WHERE excluded.update_counter >= tasks.update_counter", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, update_counter);
  sqlite3_bind_text (st, 4, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

gboolean
jc_client_tasks_record_cta (JcStore *store, const char *task_id, JsonNode *cta, GError **error)
{
  g_autofree char *hex = jc_doc_hash_hex (cta, error);
  if (!hex)
    return FALSE;
  g_autofree char *text = json_to_string (cta, FALSE);
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT INTO tasks (task_id, state, cta, cta_hash, updated) VALUES (?, 'initialisation', ?, ?, ?)"
    " ON CONFLICT (task_id) DO UPDATE SET cta = excluded.cta, cta_hash = excluded.cta_hash,"
    "  updated = excluded.updated", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, hex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

char *
jc_client_tasks_get_ctsa (JcStore *store, const char *task_id, char **ctsa_hash)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT ctsa, ctsa_hash FROM ctsas WHERE task_id = ?", NULL);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  if (!jc_store_step (store, st, &row, NULL) || !row)
    return NULL;
  if (ctsa_hash)
    *ctsa_hash = column_text (st, 1);
  return column_text (st, 0);
}

gboolean
jc_client_tasks_record_ctsa (JcStore *store, const char *task_id, const char *ctsa_text,
                             const char *ctsa_hash, const char *signature_text, GError **error)
{
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR REPLACE INTO ctsas (task_id, ctsa, ctsa_hash, signature, sent) VALUES (?, ?, ?, ?, ?)",
    error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, ctsa_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, ctsa_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, signature_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

void
jc_client_pak_entry_free (JcClientPakEntry *e)
{
  if (!e)
    return;
  g_free (e->pak);
  g_free (e->role);
  g_free (e->origin);
  g_free (e->received);
  g_free (e);
}

gboolean
jc_client_paks_record_received (JcStore *store, const char *task_id, const char *pak,
                                const char *role, const char *origin, GError **error)
{
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR IGNORE INTO paks_received (task_id, pak, role, origin, received) VALUES (?, ?, ?, ?, ?)",
    error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, pak, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, origin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

static GPtrArray *
list_paks (JcStore *store, const char *sql, const char *task_id, gboolean with_origin,
           GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store, sql, error);
  gboolean row = FALSE;
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_client_pak_entry_free);
  while (jc_store_step (store, st, &row, error))
    {
      if (!row)
        return g_steal_pointer (&out);
      JcClientPakEntry *e = g_new0 (JcClientPakEntry, 1);
      e->pak = column_text (st, 0);
      e->role = column_text (st, 1);
      e->received = column_text (st, 2);
      e->origin = with_origin ? column_text (st, 3) : NULL;
      g_ptr_array_add (out, e);
    }
  return NULL;
}

GPtrArray *
jc_client_paks_list_received (JcStore *store, const char *task_id, GError **error)
{
  return list_paks (store,
    "SELECT pak, role, received, origin FROM paks_received WHERE task_id = ? ORDER BY received, pak",
    task_id, TRUE, error);
}

gboolean
jc_client_paks_record_own (JcStore *store, const char *task_id, const char *pak,
                           const char *role, GError **error)
{
  g_autofree char *now = jc_time_format (jc_time_now ());
  sqlite3_stmt *st = jc_store_prepare (store,
    "INSERT OR IGNORE INTO paks_own (task_id, pak, role, created) VALUES (?, ?, ?, ?)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, pak, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, now, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, st, error);
}

GPtrArray *
jc_client_paks_list_own (JcStore *store, const char *task_id, GError **error)
{
  return list_paks (store,
    "SELECT pak, role, created FROM paks_own WHERE task_id = ? ORDER BY created, pak",
    task_id, FALSE, error);
}

static int
state_rank (JcTaskState s)
{
  switch (s)
    {
    case JC_TASK_EMERGING:       return 0;
    case JC_TASK_INITIALISATION: return 1;
    case JC_TASK_INPUT:          return 2;
    case JC_TASK_CALCULATION:    return 3;
    case JC_TASK_OUTPUT:         return 4;
    case JC_TASK_FINISHED:       return 5;
    case JC_TASK_ERASED:         return 6;
    case JC_TASK_REJECTED:
    case JC_TASK_CANCELLED:
    default:                     return -1;
    }
}

gboolean
jc_client_task_state_reached (JcTaskState current, JcTaskState wanted)
{
  if (current == wanted)
    return TRUE;
  int c = state_rank (current), w = state_rank (wanted);
  return c >= 0 && w >= 0 && c >= w;
}
