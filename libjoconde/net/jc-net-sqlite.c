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

JcNetPending *
jc_net_pending_new_from_row (sqlite3_stmt *st)
{
  JcNetPending *p = g_new0 (JcNetPending, 1);

  p->seq = sqlite3_column_int64 (st, 0);
  p->id = g_strdup ((const char *) sqlite3_column_text (st, 1));
  p->to = g_strsplit ((const char *) sqlite3_column_text (st, 2), " ", -1);
  p->envelope_text = g_strdup ((const char *) sqlite3_column_text (st, 3));
  return p;
}
