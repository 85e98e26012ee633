#define G_LOG_DOMAIN "joconde-store"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "jc-error.h"
#include "jc-store.h"

#define BUSY_TIMEOUT_MS 10000

struct _JcStore {
  GObject     parent_instance;
  sqlite3    *db;
  char       *path;
  GHashTable *statements; /* SQL text -> sqlite3_stmt* */
  gboolean    in_txn;
};

struct _JcStoreTxn {
  JcStore *store;
  gboolean done;
};

G_DEFINE_FINAL_TYPE (JcStore, jc_store, G_TYPE_OBJECT)

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
jc_store_finalize (GObject *object)
{
  JcStore *self = JC_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  G_OBJECT_CLASS (jc_store_parent_class)->finalize (object);
}

static void
jc_store_class_init (JcStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_store_finalize;
}

static void
jc_store_init (JcStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
}

void
jc_store_set_error (JcStore *self, int rc, const char *context, GError **error)
{
  int code = JC_ERROR_IO;
  const char *detail = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, JC_ERROR, JC_ERROR_IO,
                   _("%s: the disk holding %s is full; nothing was changed"), context, self->path);
      return;
    case SQLITE_CONSTRAINT:
      code = JC_ERROR_EXISTS;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = JC_ERROR_INVALID;
      break;
    default:
      break;
    }
  g_set_error (error, JC_ERROR, code, _("%s: database %s: %s"), context, self->path, detail);
}

gboolean
jc_store_exec (JcStore *self, const char *sql, GError **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &msg);

  sqlite3_free (msg);
  if (rc != SQLITE_OK)
    {
      jc_store_set_error (self, rc, _("Running a database statement"), error);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
jc_store_prepare (JcStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      jc_store_set_error (self, rc, _("Preparing a database statement"), error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
jc_store_step (JcStore *self, sqlite3_stmt *stmt, gboolean *has_row, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      *has_row = rc == SQLITE_ROW;
      return TRUE;
    }
  jc_store_set_error (self, rc, _("Reading or writing the database"), error);
  sqlite3_reset (stmt);
  return FALSE;
}

gboolean
jc_store_run (JcStore *self, sqlite3_stmt *stmt, GError **error)
{
  gboolean has_row = FALSE;
  gboolean ok;

  do
    ok = jc_store_step (self, stmt, &has_row, error);
  while (ok && has_row);
  sqlite3_reset (stmt);
  return ok;
}

static int
read_user_version (JcStore *self)
{
  sqlite3_stmt *stmt = NULL;
  int v = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

int
jc_store_get_schema_version (JcStore *self)
{
  return read_user_version (self);
}

static gboolean
migrate (JcStore *self, const JcStoreMigration *migrations, gsize n, GError **error)
{
  int current = read_user_version (self);
  int newest = n > 0 ? migrations[n - 1].version : 0;

  if (current < 0)
    {
      jc_store_set_error (self, sqlite3_errcode (self->db), _("Reading the schema version"), error);
      return FALSE;
    }
  if (current > newest)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("Database %s has schema version %d, newer than this program knows (%d); "
                     "use a newer version of the program"), self->path, current, newest);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(JcStoreTxn) txn = NULL;
      g_autofree char *set_version = NULL;

      g_return_val_if_fail (i == 0 || migrations[i].version > migrations[i - 1].version, FALSE);
      if (migrations[i].version <= current)
        continue;
      txn = jc_store_begin (self, error);
      if (txn == NULL)
        return FALSE;
      set_version = g_strdup_printf ("PRAGMA user_version = %d", migrations[i].version);
      if (!jc_store_exec (self, migrations[i].sql, error) ||
          !jc_store_exec (self, set_version, error))
        {
          g_prefix_error (error, _("Migrating to schema version %d: "), migrations[i].version);
          return FALSE;
        }
      if (!jc_store_commit (txn, error))
        return FALSE;
    }
  return TRUE;
}

/* Creates the file with mode 0600 before SQLite opens it, so state is never readable by
 * others even for an instant; the -wal and -shm files inherit that mode from SQLite. */
static gboolean
create_private (const char *path, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create database %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

JcStore *
jc_store_open (const char *path, const JcStoreMigration *migrations, gsize n_migrations,
               GError **error)
{
  g_autoptr(JcStore) self = g_object_new (JC_TYPE_STORE, NULL);
  int rc;

  self->path = g_strdup (path);
  if (!create_private (path, error))
    return NULL;
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      jc_store_set_error (self, rc, _("Opening the database"), error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  /* quick_check reads every page's structure: it turns a file that is not a database,
   * or a damaged one, into a clear error here instead of odd failures later. */
  if (!jc_store_exec (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                            "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;", error))
    return NULL;
  {
    sqlite3_stmt *stmt = NULL;
    gboolean ok = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check", -1, &stmt, NULL) == SQLITE_OK &&
                  sqlite3_step (stmt) == SQLITE_ROW &&
                  g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
    sqlite3_finalize (stmt);
    if (!ok)
      {
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                     _("Database %s is damaged or not a database"), path);
        return NULL;
      }
  }
  if (!migrate (self, migrations, n_migrations, error))
    return NULL;
  return g_steal_pointer (&self);
}

sqlite3 *
jc_store_get_db (JcStore *self)
{
  return self->db;
}

const char *
jc_store_get_path (JcStore *self)
{
  return self->path;
}

JcStoreTxn *
jc_store_begin (JcStore *self, GError **error)
{
  JcStoreTxn *txn;

  g_return_val_if_fail (!self->in_txn, NULL);
  if (!jc_store_exec (self, "BEGIN IMMEDIATE", error))
    return NULL;
  self->in_txn = TRUE;
  txn = g_new0 (JcStoreTxn, 1);
  txn->store = g_object_ref (self);
  return txn;
}

gboolean
jc_store_commit (JcStoreTxn *txn, GError **error)
{
  g_return_val_if_fail (!txn->done, FALSE);
  if (!jc_store_exec (txn->store, "COMMIT", error))
    return FALSE; /* jc_store_txn_free rolls back */
  txn->done = TRUE;
  txn->store->in_txn = FALSE;
  return TRUE;
}

void
jc_store_txn_free (JcStoreTxn *txn)
{
  if (txn == NULL)
    return;
  if (!txn->done)
    {
      /* Reset statements first: an active statement would keep the transaction open. */
      GHashTableIter it;
      gpointer stmt;
      g_hash_table_iter_init (&it, txn->store->statements);
      while (g_hash_table_iter_next (&it, NULL, &stmt))
        sqlite3_reset (stmt);
      sqlite3_exec (txn->store->db, "ROLLBACK", NULL, NULL, NULL);
      txn->store->in_txn = FALSE;
    }
  g_object_unref (txn->store);
  g_free (txn);
}
