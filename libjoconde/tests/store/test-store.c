#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jc-error.h"
#include "jc-store.h"

static const JcStoreMigration v1[] = {
  { 1, "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" },
};
static const JcStoreMigration v2[] = {
  { 1, "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" },
  { 2, "CREATE TABLE tag (item INTEGER NOT NULL REFERENCES item(id), tag TEXT NOT NULL);"
       "ALTER TABLE item ADD COLUMN note TEXT;" },
};
static const JcStoreMigration v3_broken[] = {
  { 1, "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" },
  { 2, "CREATE TABLE tag (item INTEGER NOT NULL REFERENCES item(id), tag TEXT NOT NULL);"
       "ALTER TABLE item ADD COLUMN note TEXT;" },
  { 3, "CREATE TABLE extra (x INTEGER); THIS IS NOT SQL;" },
};

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("jc-store-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "state.db", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count (JcStore *store, const char *sql)
{
  sqlite3_stmt *stmt = jc_store_prepare (store, sql, NULL);
  gboolean row = FALSE;

  g_assert_nonnull (stmt);
  g_assert_true (jc_store_step (store, stmt, &row, NULL));
  g_assert_true (row);
  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
insert (JcStore *store, const char *name, GError **error)
{
  sqlite3_stmt *stmt = jc_store_prepare (store, "INSERT INTO item (name) VALUES (?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  return jc_store_run (store, stmt, error);
}

static void
test_open_and_pragmas (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = jc_store_open (f->path, v1, G_N_ELEMENTS (v1), &error);
  struct stat st;
  sqlite3_stmt *stmt;
  gboolean row;

  g_assert_no_error (error);
  g_assert_cmpint (jc_store_get_schema_version (store), ==, 1);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  stmt = jc_store_prepare (store, "PRAGMA journal_mode", NULL);
  g_assert_true (jc_store_step (store, stmt, &row, NULL) && row);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  g_assert_cmpint (count (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (count (store, "PRAGMA synchronous"), ==, 2); /* FULL */
}

static void
test_forward_migration (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(JcStore) store = jc_store_open (f->path, v1, G_N_ELEMENTS (v1), &error);
    g_assert_no_error (error);
    g_assert_true (insert (store, "kept across the migration", NULL));
  }
  {
    g_autoptr(JcStore) store = jc_store_open (f->path, v2, G_N_ELEMENTS (v2), &error);
    g_assert_no_error (error);
    g_assert_cmpint (jc_store_get_schema_version (store), ==, 2);
    g_assert_cmpint (count (store, "SELECT count(*) FROM item WHERE note IS NULL"), ==, 1);
    g_assert_true (jc_store_exec (store, "INSERT INTO tag VALUES (1, 'a')", NULL));
    /* foreign keys are enforced */
    g_assert_false (jc_store_exec (store, "INSERT INTO tag VALUES (99, 'b')", &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    /* reopening with the same migrations changes nothing */
    g_autoptr(JcStore) store = jc_store_open (f->path, v2, G_N_ELEMENTS (v2), &error);
    g_assert_no_error (error);
    g_assert_cmpint (count (store, "SELECT count(*) FROM tag"), ==, 1);
  }
}

static void
test_failed_migration_rolls_back (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) bad = NULL;

  g_clear_object (&bad);
  {
    g_autoptr(JcStore) store = jc_store_open (f->path, v2, G_N_ELEMENTS (v2), &error);
    g_assert_no_error (error);
    g_assert_nonnull (store);
  }
  bad = jc_store_open (f->path, v3_broken, G_N_ELEMENTS (v3_broken), &error);
  g_assert_null (bad);
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "schema version 3"));
  g_clear_error (&error);
  {
    g_autoptr(JcStore) store = jc_store_open (f->path, v2, G_N_ELEMENTS (v2), &error);
    g_assert_no_error (error);
    g_assert_cmpint (jc_store_get_schema_version (store), ==, 2);
    g_assert_cmpint (count (store, "SELECT count(*) FROM sqlite_master WHERE name = 'extra'"), ==, 0);
  }
}

static void
test_newer_schema_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) old = NULL;

  {
    g_autoptr(JcStore) store = jc_store_open (f->path, v2, G_N_ELEMENTS (v2), &error);
    g_assert_no_error (error);
    g_assert_nonnull (store);
  }
  old = jc_store_open (f->path, v1, G_N_ELEMENTS (v1), &error);
  g_assert_null (old);
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
}

static void
test_transaction_rollback_on_drop (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = jc_store_open (f->path, v1, G_N_ELEMENTS (v1), &error);

  g_assert_no_error (error);
  {
    g_autoptr(JcStoreTxn) txn = jc_store_begin (store, &error);
    g_assert_nonnull (txn);
    g_assert_true (insert (store, "a", NULL));
    g_assert_true (insert (store, "b", NULL));
    /* dropped without commit */
  }
  g_assert_cmpint (count (store, "SELECT count(*) FROM item"), ==, 0);
  {
    g_autoptr(JcStoreTxn) txn = jc_store_begin (store, &error);
    g_assert_true (insert (store, "a", NULL));
    /* a constraint violation inside the transaction is an EXISTS error */
    g_assert_false (insert (store, "a", &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_EXISTS);
    g_clear_error (&error);
    g_assert_true (jc_store_commit (txn, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (count (store, "SELECT count(*) FROM item"), ==, 1);
}

static void
test_disk_full (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = jc_store_open (f->path, v1, G_N_ELEMENTS (v1), &error);
  g_autofree char *big = g_strnfill (3000, 'x');
  gint64 before;
  gboolean ok = TRUE;

  g_assert_no_error (error);
  g_assert_true (insert (store, "committed before the disk filled", NULL));
  before = count (store, "SELECT count(*) FROM item");
  /* max_page_count makes SQLite behave exactly as on a full disk (SQLITE_FULL). */
  g_assert_true (jc_store_exec (store, "PRAGMA max_page_count = 8", NULL));
  {
    g_autoptr(JcStoreTxn) txn = jc_store_begin (store, &error);
    g_assert_nonnull (txn);
    for (int i = 0; i < 100 && ok; i++)
      {
        g_autofree char *name = g_strdup_printf ("%d-%s", i, big);
        ok = insert (store, name, &error);
      }
    g_assert_false (ok);
    g_assert_error (error, JC_ERROR, JC_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "full"));
  }
  g_assert_cmpint (count (store, "SELECT count(*) FROM item"), ==, before);
}

static void
test_not_a_database (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStore) store = NULL;

  g_assert_true (g_file_set_contents (f->path, "this is not a database, just text that is long enough "
                                      "to look like a header of a file of some kind", -1, NULL));
  store = jc_store_open (f->path, v1, G_N_ELEMENTS (v1), &error);
  g_assert_null (store);
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/store/open", test_open_and_pragmas);
  ADD ("/store/migrate/forward", test_forward_migration);
  ADD ("/store/migrate/failure-rolls-back", test_failed_migration_rolls_back);
  ADD ("/store/migrate/newer-refused", test_newer_schema_refused);
  ADD ("/store/txn/rollback", test_transaction_rollback_on_drop);
  ADD ("/store/disk-full", test_disk_full);
  ADD ("/store/not-a-database", test_not_a_database);
  return g_test_run ();
}
