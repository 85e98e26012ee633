/* Benchmarks of SQL queries under rss3 (groupby, groupby-where, join) and of the same queries
 * in plaintext SQLite (sqlite-groupby, sqlite-groupby-where, sqlite-join), measured in the
 * same run. */
#define G_LOG_DOMAIN "joconde-bench"
#include "config.h"

#include "jc-bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "jc-error.h"
#include "jc-sql.h"
#include "jc-sql-exec.h"

#define N_GROUPS 100

static const char *groupby_sql =
  "OUTPUT o AS SELECT g, COUNT(*) AS n, SUM(x) AS s FROM t GROUP BY g;";
static const char *groupby_where_sql =
  "OUTPUT o AS SELECT g, COUNT(*) AS n, AVG(x) AS s FROM t WHERE x < 500000 GROUP BY g "
  "HAVING COUNT(*) >= 10;";
static const char *join_sql =
  "OUTPUT o AS SELECT COUNT(*) AS n, SUM(t.x) AS sx, SUM(u.y) AS sy FROM t JOIN u ON t.id = u.id;";

typedef struct {
  JcSqlScript *script;
  JcSqlTable *tables[2];
  gsize n_tables;
  GPtrArray *arena;
} State;

static const char *const *
group_codes (GPtrArray *arena)
{
  const char **codes = g_new0 (const char *, N_GROUPS);
  g_ptr_array_add (arena, codes);
  for (int i = 0; i < N_GROUPS; i++)
    {
      char *c = g_strdup_printf ("G%02d", i);
      g_ptr_array_add (arena, c);
      codes[i] = c;
    }
  return codes;
}

static JcSqlTable *
share_columns (JcBenchEnv *env, gsize n, guint ncols, guint64 **values, GError **error)
{
  JcSqlTable *t = g_new0 (JcSqlTable, 1);
  t->n_rows = n;
  t->n_columns = ncols;
  t->columns = g_new0 (JcRss3AVec *, ncols);
  for (guint c = 0; c < ncols; c++)
    {
      t->columns[c] = jc_rss3_avec_new (n);
      if (!jc_rss3_input (env->ctx, 0, env->party == 0 ? values[c] : NULL, n, t->columns[c],
                          error))
        return NULL;
    }
  return t;
}

static void
state_free (gpointer p)
{
  State *s = p;
  if (s == NULL)
    return;
  jc_sql_script_free (s->script);
  for (gsize i = 0; i < s->n_tables; i++)
    if (s->tables[i] != NULL)
      {
        for (guint c = 0; c < s->tables[i]->n_columns; c++)
          jc_rss3_avec_free (s->tables[i]->columns[c]);
        g_free (s->tables[i]->columns);
        g_free (s->tables[i]);
      }
  g_ptr_array_unref (s->arena);
  g_free (s);
}

static gboolean
compile (State *s, const char *sql, const JcEngineSchema *in, gsize n_in,
         const JcEngineSchema *out, GError **error)
{
  JcSqlError err = { 0 };
  s->script = jc_sql_parse (sql, strlen (sql), &err);
  if (s->script == NULL || !jc_sql_check (s->script, in, n_in, out, 1, 0, &err))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, "%u:%u %s", err.line, err.column,
                   err.message);
      return FALSE;
    }
  return TRUE;
}

/* The schemas live in the state's arena: the checked script points into them. */
static gboolean
setup_groupby_sql (JcBenchEnv *env, gpointer *state, const char *sql, gboolean avg,
                   GError **error)
{
  State *s = g_new0 (State, 1);
  *state = s;
  s->arena = g_ptr_array_new_with_free_func (g_free);
  JcEngineColumn *cols = g_new0 (JcEngineColumn, 2);
  g_ptr_array_add (s->arena, cols);
  cols[0] = (JcEngineColumn) { .name = "g", .type = JC_ENGINE_TYPE_CATEGORY,
                               .codes = group_codes (s->arena), .n_codes = N_GROUPS };
  cols[1] = (JcEngineColumn) { .name = "x", .type = JC_ENGINE_TYPE_INT };
  JcEngineColumn *ocols = g_new0 (JcEngineColumn, 3);
  g_ptr_array_add (s->arena, ocols);
  ocols[0] = cols[0];
  ocols[1] = (JcEngineColumn) { .name = "n", .type = JC_ENGINE_TYPE_INT };
  ocols[2] = avg ? (JcEngineColumn) { .name = "s", .type = JC_ENGINE_TYPE_DECIMAL,
                                      .precision = 18, .scale = 2 }
                 : (JcEngineColumn) { .name = "s", .type = JC_ENGINE_TYPE_INT };
  JcEngineSchema *sc = g_new0 (JcEngineSchema, 2);
  g_ptr_array_add (s->arena, sc);
  sc[0] = (JcEngineSchema) { .key = "t", .columns = cols, .n_columns = 2 };
  sc[1] = (JcEngineSchema) { .key = "o", .columns = ocols, .n_columns = 3 };
  if (!compile (s, sql, &sc[0], 1, &sc[1], error))
    return FALSE;
  g_autofree guint64 *g = g_new (guint64, env->n ? env->n : 1);
  g_autofree guint64 *x = g_new (guint64, env->n ? env->n : 1);
  GRand *r = g_rand_new_with_seed (5);
  for (gsize i = 0; i < env->n; i++)
    {
      g[i] = g_rand_int_range (r, 0, N_GROUPS);
      x[i] = g_rand_int_range (r, 0, 1000000);
    }
  g_rand_free (r);
  guint64 *vals[] = { g, x };
  s->n_tables = 1;
  s->tables[0] = share_columns (env, env->n, 2, vals, error);
  return s->tables[0] != NULL;
}

static gboolean
setup_groupby (JcBenchEnv *env, gpointer *state, GError **error)
{
  return setup_groupby_sql (env, state, groupby_sql, FALSE, error);
}

static gboolean
setup_groupby_where (JcBenchEnv *env, gpointer *state, GError **error)
{
  return setup_groupby_sql (env, state, groupby_where_sql, TRUE, error);
}

static gboolean
setup_join (JcBenchEnv *env, gpointer *state, GError **error)
{
  State *s = g_new0 (State, 1);
  *state = s;
  s->arena = g_ptr_array_new_with_free_func (g_free);
  JcEngineColumn *cols = g_new0 (JcEngineColumn, 4);
  g_ptr_array_add (s->arena, cols);
  cols[0] = (JcEngineColumn) { .name = "id", .type = JC_ENGINE_TYPE_ID };
  cols[1] = (JcEngineColumn) { .name = "x", .type = JC_ENGINE_TYPE_INT };
  cols[2] = (JcEngineColumn) { .name = "id", .type = JC_ENGINE_TYPE_ID };
  cols[3] = (JcEngineColumn) { .name = "y", .type = JC_ENGINE_TYPE_INT };
  JcEngineColumn *ocols = g_new0 (JcEngineColumn, 3);
  g_ptr_array_add (s->arena, ocols);
  ocols[0] = (JcEngineColumn) { .name = "n", .type = JC_ENGINE_TYPE_INT };
  ocols[1] = (JcEngineColumn) { .name = "sx", .type = JC_ENGINE_TYPE_INT };
  ocols[2] = (JcEngineColumn) { .name = "sy", .type = JC_ENGINE_TYPE_INT };
  JcEngineSchema *sc = g_new0 (JcEngineSchema, 3);
  g_ptr_array_add (s->arena, sc);
  sc[0] = (JcEngineSchema) { .key = "t", .columns = cols, .n_columns = 2 };
  sc[1] = (JcEngineSchema) { .key = "u", .columns = cols + 2, .n_columns = 2 };
  sc[2] = (JcEngineSchema) { .key = "o", .columns = ocols, .n_columns = 3 };
  if (!compile (s, join_sql, sc, 2, &sc[2], error))
    return FALSE;
  gsize n = env->n;
  g_autofree guint64 *ida = g_new (guint64, n ? n : 1);
  g_autofree guint64 *idb = g_new (guint64, n ? n : 1);
  g_autofree guint64 *x = g_new (guint64, n ? n : 1);
  g_autofree guint64 *y = g_new (guint64, n ? n : 1);
  /* t holds ids 0, 2, 4, …; u holds 0, 3, 6, …: a third of t's rows find a partner. */
  for (gsize i = 0; i < n; i++)
    {
      char buf[32];
      g_snprintf (buf, sizeof buf, "%zu", 2 * i);
      ida[i] = jc_sql_encode_id (buf, strlen (buf));
      g_snprintf (buf, sizeof buf, "%zu", 3 * i);
      idb[i] = jc_sql_encode_id (buf, strlen (buf));
      x[i] = i % 1000;
      y[i] = (i * 7) % 1000;
    }
  guint64 *va[] = { ida, x }, *vb[] = { idb, y };
  s->n_tables = 2;
  s->tables[0] = share_columns (env, n, 2, va, error);
  s->tables[1] = s->tables[0] ? share_columns (env, n, 2, vb, error) : NULL;
  return s->tables[1] != NULL;
}

static gboolean
discard_output (void *user, const JcEngineSchema *output, gsize n_rows,
                JcRss3AVec *const *columns, JcEngineError *err)
{
  *(gsize *) user = n_rows;
  return TRUE;
}

static gboolean
run_sql (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  JcEngineHost host = { 0 };
  JcEngineError err = { 0 };
  gsize rows = 0;
  if (!jc_sql_exec (s->script, env->ctx, s->tables, s->n_tables, discard_output, &rows, &host,
                    &err))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, "%s", err.message);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- SQLite baselines */

typedef struct {
  sqlite3 *db;
  const char *sql;
} Plain;

static gboolean
plain_exec (sqlite3 *db, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, "SQLite: %s", msg);
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
plain_fill (sqlite3 *db, const char *insert, gsize n, int which, GError **error)
{
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2 (db, insert, -1, &st, NULL) != SQLITE_OK)
    return plain_exec (db, "SELECT error", error);
  GRand *r = g_rand_new_with_seed (5);
  for (gsize i = 0; i < n; i++)
    {
      if (which == 0)
        {
          char g[8];
          g_snprintf (g, sizeof g, "G%02d", g_rand_int_range (r, 0, N_GROUPS));
          sqlite3_bind_text (st, 1, g, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (st, 2, g_rand_int_range (r, 0, 1000000));
        }
      else
        {
          char id[32];
          g_snprintf (id, sizeof id, "%zu", which == 1 ? 2 * i : 3 * i);
          sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (st, 2, which == 1 ? (gint64) (i % 1000) : (gint64) ((i * 7) % 1000));
        }
      sqlite3_step (st);
      sqlite3_reset (st);
    }
  g_rand_free (r);
  sqlite3_finalize (st);
  return TRUE;
}

static void
plain_free (gpointer p)
{
  Plain *s = p;
  if (s == NULL)
    return;
  sqlite3_close (s->db);
  g_free (s);
}

static gboolean
setup_sqlite_groupby (JcBenchEnv *env, gpointer *state, GError **error)
{
  Plain *s = g_new0 (Plain, 1);
  *state = s;
  sqlite3_open (":memory:", &s->db);
  s->sql = "SELECT g, COUNT(*), SUM(x) FROM t GROUP BY g";
  return plain_exec (s->db, "CREATE TABLE t (g TEXT, x INTEGER); BEGIN", error)
         && plain_fill (s->db, "INSERT INTO t VALUES (?, ?)", env->n, 0, error)
         && plain_exec (s->db, "COMMIT", error);
}

static gboolean
setup_sqlite_groupby_where (JcBenchEnv *env, gpointer *state, GError **error)
{
  if (!setup_sqlite_groupby (env, state, error))
    return FALSE;
  ((Plain *) *state)->sql = "SELECT g, COUNT(*), AVG(x) FROM t WHERE x < 500000 GROUP BY g "
                            "HAVING COUNT(*) >= 10";
  return TRUE;
}

static gboolean
setup_sqlite_join (JcBenchEnv *env, gpointer *state, GError **error)
{
  Plain *s = g_new0 (Plain, 1);
  *state = s;
  sqlite3_open (":memory:", &s->db);
  s->sql = "SELECT COUNT(*), SUM(t.x), SUM(u.y) FROM t JOIN u ON t.id = u.id";
  /* Without an index SQLite would build an automatic one: give it a real one, as a
   * database administrator would. */
  return plain_exec (s->db, "CREATE TABLE t (id TEXT PRIMARY KEY, x INTEGER);"
                            "CREATE TABLE u (id TEXT PRIMARY KEY, y INTEGER); BEGIN", error)
         && plain_fill (s->db, "INSERT INTO t VALUES (?, ?)", env->n, 1, error)
         && plain_fill (s->db, "INSERT INTO u VALUES (?, ?)", env->n, 2, error)
         && plain_exec (s->db, "COMMIT", error);
}

static int
count_row (void *user, int n, char **v, char **names)
{
  (*(int *) user)++;
  return 0;
}

static gboolean
run_sqlite (JcBenchEnv *env, gpointer state, GError **error)
{
  Plain *s = state;
  int rows = 0;
  char *msg = NULL;
  if (sqlite3_exec (s->db, s->sql, count_row, &rows, &msg) != SQLITE_OK)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, "SQLite: %s", msg);
      sqlite3_free (msg);
      return FALSE;
    }
  return rows > 0;
}

const JcBenchOp jc_bench_sql_ops[] = {
  { .op = "groupby", .setup = setup_groupby, .run = run_sql, .teardown = state_free },
  { .op = "sqlite-groupby", .plain = TRUE, .setup = setup_sqlite_groupby, .run = run_sqlite,
    .teardown = plain_free },
  { .op = "groupby-where", .setup = setup_groupby_where, .run = run_sql,
    .teardown = state_free },
  { .op = "sqlite-groupby-where", .plain = TRUE, .setup = setup_sqlite_groupby_where,
    .run = run_sqlite, .teardown = plain_free },
  { .op = "join", .setup = setup_join, .run = run_sql, .teardown = state_free },
  { .op = "sqlite-join", .plain = TRUE, .setup = setup_sqlite_join, .run = run_sqlite,
    .teardown = plain_free },
  { .op = NULL },
};
