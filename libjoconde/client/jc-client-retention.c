#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>

#include "jc-client-tasks.h"
#include "jc-error.h"
#include "jc-time.h"

gboolean
jc_client_paks_has_received (JcStore *store, const char *task_id)
{
  sqlite3_stmt *st = jc_store_prepare (store, "SELECT 1 FROM paks_received WHERE task_id = ? LIMIT 1",
                                       NULL);
  gboolean row = FALSE;
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  return jc_store_step (store, st, &row, NULL) && row;
}

/* Overwrites a key file before unlinking it: the private key must not stay on the disk. */
static void
shred (const char *path)
{
  gsize len = 0;
  g_autofree char *data = NULL;
  if (g_file_get_contents (path, &data, &len, NULL))
    {
      sodium_memzero (data, len);
      FILE *f = g_fopen (path, "r+b");
      if (f)
        {
          fwrite (data, 1, len, f);
          fflush (f);
          fsync (fileno (f));
          fclose (f);
        }
      sodium_memzero (data, len);
    }
  g_unlink (path);
}

static gboolean
erase_keys (const char *profile_dir, const char *task_id, GError **error)
{
  g_autofree char *dir = g_build_filename (profile_dir, "paks", task_id, NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  if (!d)
    return TRUE;
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      shred (path);
    }
  if (g_rmdir (dir) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot remove %s"), dir);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_client_tasks_erase (const char *profile_dir, JcStore *store, const char *task_id, GError **error)
{
  g_autoptr(JcStoreTxn) txn = jc_store_begin (store, error);
  if (!txn)
    return FALSE;
  g_autofree char *now = jc_time_format (jc_time_now ());
  const char *statements[] = {
    "INSERT OR IGNORE INTO tombstones (task_id, title, ctsc_hash, erased)"
    " SELECT task_id, title, ctsc_hash, ?2 FROM tasks WHERE task_id = ?1",
    "UPDATE tasks SET ctsc = NULL, cta = NULL, event = 'erased after the retention time',"
    " state = 'erased', updated = ?2 WHERE task_id = ?1",
    "DELETE FROM ctsas WHERE task_id = ?1",
    "DELETE FROM paks_received WHERE task_id = ?1",
    "DELETE FROM paks_own WHERE task_id = ?1",
    "DELETE FROM meta WHERE key LIKE '%:' || ?1 || ':%'",
  };
  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *st = jc_store_prepare (store, statements[i], error);
      if (!st)
        return FALSE;
      sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_bind_parameter_count (st) >= 2)
        sqlite3_bind_text (st, 2, now, -1, SQLITE_TRANSIENT);
      if (!jc_store_run (store, st, error))
        return FALSE;
    }
  /* The keys go first: should the commit fail, a task without keys is erased again. */
  if (!erase_keys (profile_dir, task_id, error))
    return FALSE;
  return jc_store_commit (txn, error);
}

gint
jc_client_tasks_erase_expired (const char *profile_dir, JcStore *store, guint retention_days,
                               GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (store,
    "SELECT task_id FROM tasks WHERE state <> 'erased' AND output_deadline > 0"
    " AND output_deadline + ? < ?", error);
  if (!st)
    return -1;
  sqlite3_bind_int64 (st, 1, (gint64) retention_days * 86400);
  sqlite3_bind_int64 (st, 2, jc_time_now ());
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
  gboolean row = FALSE;
  while (jc_store_step (store, st, &row, error) && row)
    g_ptr_array_add (due, g_strdup ((const char *) sqlite3_column_text (st, 0)));
  if (error && *error)
    return -1;
  for (guint i = 0; i < due->len; i++)
    if (!jc_client_tasks_erase (profile_dir, store, due->pdata[i], error))
      return -1;
  return (gint) due->len;
}
