#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* A program's SQLite database: WAL journal, foreign keys on, a busy timeout, full
 * synchronous commits (an acknowledged write survives a crash or power loss), a cache
 * of prepared statements, and forward-only schema migrations numbered in
 * PRAGMA user_version. One JcStore is used from one thread at a time. */

typedef struct {
  int         version; /* the user_version after this step: 1, 2, 3, … */
  const char *sql;     /* statements that take the schema from version-1 to version */
} JcStoreMigration;

#define JC_TYPE_STORE (jc_store_get_type ())
G_DECLARE_FINAL_TYPE (JcStore, jc_store, JC, STORE, GObject)

/* Opens (creating if needed, mode 0600) and migrates. Refuses a database whose
 * user_version is newer than the highest migration given. MIGRATIONS must be in
 * ascending order of version. */
JcStore      *jc_store_open     (const char *path, const JcStoreMigration *migrations,
                                 gsize n_migrations, GError **error);
sqlite3      *jc_store_get_db   (JcStore *self);
const char   *jc_store_get_path (JcStore *self);
int           jc_store_get_schema_version (JcStore *self);

/* Runs SQL without results (may hold several statements). */
gboolean      jc_store_exec     (JcStore *self, const char *sql, GError **error);
/* A cached prepared statement for SQL, reset and with bindings cleared. Owned by the
 * store; valid until the store is closed. */
sqlite3_stmt *jc_store_prepare  (JcStore *self, const char *sql, GError **error);
/* Steps STMT to completion expecting no rows (INSERT/UPDATE/DELETE), then resets it. */
gboolean      jc_store_run      (JcStore *self, sqlite3_stmt *stmt, GError **error);
/* Steps STMT once: TRUE with *has_row set, or FALSE with an error. */
gboolean      jc_store_step     (JcStore *self, sqlite3_stmt *stmt, gboolean *has_row, GError **error);
/* Sets ERROR from the database's last error, with CONTEXT ("saving the message") first. */
void          jc_store_set_error (JcStore *self, int rc, const char *context, GError **error);

/* A write transaction (BEGIN IMMEDIATE). Dropped without commit, it rolls back; so an
 * early return on error leaves the database as it was:
 *
 *   g_autoptr(JcStoreTxn) txn = jc_store_begin (store, error);
 *   if (txn == NULL) return FALSE;
 *   … writes …
 *   return jc_store_commit (txn, error);
 */
typedef struct _JcStoreTxn JcStoreTxn;

JcStoreTxn   *jc_store_begin    (JcStore *self, GError **error);
gboolean      jc_store_commit   (JcStoreTxn *txn, GError **error);
void          jc_store_txn_free (JcStoreTxn *txn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcStoreTxn, jc_store_txn_free)

G_END_DECLS
