#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "jc-net-sqlite-private.h"

gboolean
jc_net_sqlite_fail (sqlite3 *db, GError **error)
{
  int code = sqlite3_extended_errcode (db);
  int kind = (code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR
             ? JC_ERROR_IO : JC_ERROR_FAILED;
  g_set_error (error, JC_ERROR, kind, _("The database refused an operation: %s"),
               sqlite3_errmsg (db));
  return FALSE;
}

sqlite3 *
jc_net_sqlite_open (const char *path, gboolean synchronous_full, GError **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot open the database %s: %s"),
                   path, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  /* WAL survives a kill -9 at any moment; synchronous=FULL also makes every
   * committed (and therefore acknowledged) message survive a power loss. */
  if (!jc_net_sqlite_exec (db, "PRAGMA journal_mode=WAL", error) ||
      !jc_net_sqlite_exec (db, "PRAGMA foreign_keys=ON", error) ||
      !jc_net_sqlite_exec (db, synchronous_full ? "PRAGMA synchronous=FULL"
                                                : "PRAGMA synchronous=NORMAL", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

gboolean
jc_net_sqlite_exec (sqlite3 *db, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("The database refused an operation: %s"),
                   msg ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
jc_net_sqlite_prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      jc_net_sqlite_fail (db, error);
      return NULL;
    }
  return st;
}

/* steps[i] brings the schema from user_version i to i+1; NULL-terminated. */
gboolean
jc_net_sqlite_migrate (sqlite3 *db, const char *const *steps, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db, "PRAGMA user_version", error);
  if (!st)
    return FALSE;
  int version = sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int (st, 0) : 0;
  guint n = g_strv_length ((char **) steps);
  if (version > (int) n)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The database has schema version %d, newer than this program knows (%u)"),
                   version, n);
      return FALSE;
    }
  for (guint i = version; i < n; i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version=%u", i + 1);
      if (!jc_net_sqlite_begin (db, error))
        return FALSE;
      if (!jc_net_sqlite_exec (db, steps[i], error) || !jc_net_sqlite_exec (db, bump, error))
        {
          jc_net_sqlite_rollback (db);
          return FALSE;
        }
      if (!jc_net_sqlite_commit (db, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
jc_net_sqlite_begin (sqlite3 *db, GError **error)
{
  return jc_net_sqlite_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
jc_net_sqlite_commit (sqlite3 *db, GError **error)
{
  if (!jc_net_sqlite_exec (db, "COMMIT", error))
    {
      jc_net_sqlite_rollback (db);
      return FALSE;
    }
  return TRUE;
}

void
jc_net_sqlite_rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}
