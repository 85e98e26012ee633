#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>

#include "jc-sql.h"
#include "sql-harness.h"

/* Differential tests: every query runs under MPC (three parties, through the module's ABI)
 * and in plaintext SQLite on the same random tables; the results must be identical, decimals
 * to one unit of the declared scale (rss3 truncates, SQLite computes in floating point). */

typedef struct {
  const char *sql;
  const char *sqlite;      /* NULL: the same text */
  const char *output;      /* schema of the output, "name TYPE, …" */
  gboolean ordered;        /* compare in order (ORDER BY on unique keys) */
} Query;

#define PEOPLE "people: id ID, seq INT, region CATEGORY(N|S|E|W|X), age INT, income DECIMAL(10;2), employed BOOL, born DATE"
#define WORK "work: id ID, hours INT, rate DECIMAL(8;3)"
#define BANDS "bands: age INT, band CATEGORY(young|mid|old), weight DECIMAL(6;2)"

static const Query queries[] = {
  { "SELECT COUNT(*) AS n, SUM(age) AS s, MIN(age) AS lo, MAX(age) AS hi FROM people", NULL,
    "n INT, s INT, lo INT, hi INT", TRUE },
  { "SELECT COUNT(*) AS n FROM people WHERE (age BETWEEN 18 AND 65 AND NOT employed) OR region IN ('N', 'E')",
    NULL, "n INT", TRUE },
  { "SELECT COUNT(*) AS n, SUM(income) AS s FROM people WHERE age NOT BETWEEN 30 AND 40 AND region NOT IN ('S') AND age <> 50",
    NULL, "n INT, s DECIMAL(14;2)", TRUE },
  { "SELECT region, COUNT(*) AS n, SUM(income) AS total, AVG(age) AS mean FROM people WHERE age >= 18 GROUP BY region HAVING COUNT(*) >= 5",
    NULL, "region CATEGORY(N|S|E|W|X), n INT, total DECIMAL(16;2), mean DECIMAL(10;4)", FALSE },
  { "SELECT region, employed, COUNT(*) AS n, MIN(income) AS lo, MAX(born) AS latest FROM people GROUP BY region, employed",
    NULL, "region CATEGORY(N|S|E|W|X), employed BOOL, n INT, lo DECIMAL(10;2), latest DATE", FALSE },
  { "SELECT region, VAR_POP(age) AS vp, VAR_SAMP(age) AS vs, STDDEV_POP(income) AS sp, STDDEV(income) AS ss FROM people GROUP BY region",
    NULL, "region CATEGORY(N|S|E|W|X), vp DECIMAL(18;4), vs DECIMAL(18;4), sp DECIMAL(18;3), ss DECIMAL(18;3)", FALSE },
  { "SELECT id, age * 2 + 1 AS a2, income / 4 AS q, CASE WHEN age < 18 THEN 0 WHEN age < 65 THEN 1 ELSE 2 END AS band FROM people WHERE region = 'W'",
    NULL, "id ID, a2 INT, q DECIMAL(12;2), band INT", FALSE },
  { "SELECT seq, age / 7 AS d, (age - 50) / 3 AS e, -income * 3 AS m FROM people ORDER BY seq DESC LIMIT 7",
    NULL, "seq INT, d INT, e INT, m DECIMAL(14;2)", TRUE },
  { "SELECT p.region AS region, COUNT(*) AS n, SUM(w.hours) AS h, AVG(w.rate) AS r FROM people p JOIN work w ON p.id = w.id WHERE p.age > 20 GROUP BY p.region",
    NULL, "region CATEGORY(N|S|E|W|X), n INT, h INT, r DECIMAL(12;4)", FALSE },
  { "SELECT p.seq AS seq, w.hours AS hours, w.rate * p.age AS ra FROM people p JOIN work w ON p.id = w.id WHERE w.hours > 30",
    NULL, "seq INT, hours INT, ra DECIMAL(14;3)", FALSE },
  { "SELECT b.band AS band, COUNT(*) AS n, SUM(p.income) AS s, AVG(b.weight) AS w FROM people p JOIN bands b ON p.age = b.age GROUP BY b.band",
    NULL, "band CATEGORY(young|mid|old), n INT, s DECIMAL(16;2), w DECIMAL(10;4)", FALSE },
  { "SELECT p.seq AS seq, b.weight * p.income AS wi FROM people p JOIN bands b ON p.age = b.age WHERE p.region = 'N' AND b.band <> 'old'",
    NULL, "seq INT, wi DECIMAL(18;4)", FALSE },
  { "SELECT COUNT(*) AS n, MIN(born) AS first FROM people WHERE born >= '1990-01-01'", NULL,
    "n INT, first DATE", TRUE },
  { "SELECT region, SUM(employed) AS k, COUNT(*) > 30 AS big FROM people GROUP BY region ORDER BY region",
    NULL, "region CATEGORY(N|S|E|W|X), k INT, big BOOL", FALSE },
  { "SELECT region, COUNT(*) AS n FROM people GROUP BY region HAVING COUNT(*) >= 10 AND AVG(age) > 40",
    NULL, "region CATEGORY(N|S|E|W|X), n INT", FALSE },
  { "SELECT SUM(age > 90) AS old, COUNT(*) AS bad FROM people WHERE age < 5 OR age > 95", NULL,
    "old INT, bad INT", TRUE },
  { "SELECT employed, AVG(income) AS mean, MAX(income - age) AS mx FROM people WHERE NOT employed OR age > 60 GROUP BY employed ORDER BY employed DESC",
    NULL, "employed BOOL, mean DECIMAL(12;2), mx DECIMAL(12;2)", TRUE },
  { "SELECT age, COUNT(*) AS n FROM people WHERE age > 80 GROUP BY age ORDER BY age DESC LIMIT 5",
    NULL, "age INT, n INT", TRUE },
  { "SELECT COUNT(*) AS n FROM people HAVING COUNT(*) > 3", NULL, "n INT", TRUE },
  { "SELECT COUNT(*) AS n, SUM(born - DATE '1970-01-01') AS d FROM people WHERE born + 365 > DATE '2000-01-01'",
    "SELECT COUNT(*), SUM(julianday(born) - julianday('1970-01-01')) FROM people WHERE julianday(born) + 365 > julianday('2000-01-01')",
    "n INT, d INT", TRUE },
  { "SELECT seq, income / (age + 1) AS r, CASE WHEN employed AND age > 50 THEN income > 1000 ELSE FALSE END AS flag FROM people WHERE age IN (20, 30, 40, 50, 60, 70, 80) ORDER BY seq",
    NULL, "seq INT, r DECIMAL(12;2), flag BOOL", TRUE },
  { "SELECT region, AVG(income) AS m, SUM(income * 2.5) AS big FROM people GROUP BY region ORDER BY m DESC",
    NULL, "region CATEGORY(N|S|E|W|X), m DECIMAL(14;3), big DECIMAL(18;3)", TRUE },
  { "SELECT seq, age / (age - age) AS z FROM people ORDER BY seq LIMIT 3", NULL, "seq INT, z INT", TRUE },
  { "SELECT region, AVG(age - 60) AS m, AVG(-income) AS mi, VAR_SAMP(income) AS v FROM people GROUP BY region",
    NULL, "region CATEGORY(N|S|E|W|X), m DECIMAL(10;3), mi DECIMAL(12;2), v DECIMAL(18;2)", FALSE },
  { "SELECT region, SUM(income * employed) AS wi, AVG(employed) AS share, SUM((age > 30) + employed) AS k FROM people GROUP BY region",
    NULL, "region CATEGORY(N|S|E|W|X), wi DECIMAL(16;2), share DECIMAL(8;6), k INT", FALSE },
  { "SELECT region, SUM(income * age) / SUM(age) AS wmean FROM people GROUP BY region HAVING SUM(age) > 0",
    NULL, "region CATEGORY(N|S|E|W|X), wmean DECIMAL(12;2)", FALSE },
  { "SELECT COUNT(*) AS n, SUM(-income) AS s FROM people WHERE age <= 30 AND age != 25 AND -age < -10 AND income >= 0 AND age NOT IN (12, 13)",
    NULL, "n INT, s DECIMAL(14;2)", TRUE },
};

/* ---------------------------------------------------------------- SQLite side */

typedef struct {
  double n, mean, m2;
} Welford;

static void
stat_step (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  Welford *w = sqlite3_aggregate_context (ctx, sizeof *w);
  double x = sqlite3_value_double (argv[0]);
  w->n += 1;
  double d = x - w->mean;
  w->mean += d / w->n;
  w->m2 += d * (x - w->mean);
}

static void
stat_final (sqlite3_context *ctx)
{
  Welford *w = sqlite3_aggregate_context (ctx, 0);
  intptr_t kind = (intptr_t) sqlite3_user_data (ctx);   /* 0 var_pop 1 var_samp 2 sd_pop 3 sd_samp */
  if (w == NULL || w->n == 0)
    {
      sqlite3_result_null (ctx);
      return;
    }
  double den = (kind % 2 == 0) ? w->n : w->n - 1;
  double v = den > 0 ? w->m2 / den : 0;
  sqlite3_result_double (ctx, kind >= 2 ? sqrt (v) : v);
}

static sqlite3 *
sqlite_open (void)
{
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  static const char *const names[] = { "VAR_POP", "VAR_SAMP", "STDDEV_POP", "STDDEV_SAMP", "STDDEV" };
  static const intptr_t kinds[] = { 0, 1, 2, 3, 3 };
  for (int i = 0; i < 5; i++)
    g_assert_cmpint (sqlite3_create_function (db, names[i], 1, SQLITE_UTF8, (void *) kinds[i],
                                              NULL, stat_step, stat_final), ==, SQLITE_OK);
  return db;
}

static char *
date_text (gint64 days)
{
  GDate *d = g_date_new_dmy (1, 1, 1970);
  if (days >= 0)
    g_date_add_days (d, days);
  else
    g_date_subtract_days (d, -days);
  char *s = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (d), g_date_get_month (d),
                             g_date_get_day (d));
  g_date_free (d);
  return s;
}

static void
sqlite_load (sqlite3 *db, TestTable *t)
{
  const JcEngineSchema *s = t->schema;
  GString *ddl = g_string_new (NULL);
  g_string_printf (ddl, "CREATE TABLE %s (", s->key);
  for (gsize c = 0; c < s->n_columns; c++)
    {
      const char *ty = "INTEGER";
      switch (s->columns[c].type)
        {
        case JC_ENGINE_TYPE_DECIMAL: ty = "REAL"; break;
        case JC_ENGINE_TYPE_CATEGORY: case JC_ENGINE_TYPE_ID: case JC_ENGINE_TYPE_DATE: ty = "TEXT"; break;
        default: break;
        }
      g_string_append_printf (ddl, "%s%s %s", c ? ", " : "", s->columns[c].name, ty);
    }
  g_string_append (ddl, ")");
  g_assert_cmpint (sqlite3_exec (db, ddl->str, NULL, NULL, NULL), ==, SQLITE_OK);
  g_string_printf (ddl, "INSERT INTO %s VALUES (", s->key);
  for (gsize c = 0; c < s->n_columns; c++)
    g_string_append (ddl, c ? ", ?" : "?");
  g_string_append (ddl, ")");
  sqlite3_stmt *st;
  g_assert_cmpint (sqlite3_prepare_v2 (db, ddl->str, -1, &st, NULL), ==, SQLITE_OK);
  g_string_free (ddl, TRUE);
  for (gsize r = 0; r < t->n_rows; r++)
    {
      for (gsize c = 0; c < s->n_columns; c++)
        {
          const JcEngineColumn *col = &s->columns[c];
          const JcEngineValue *v = &t->cells[r * s->n_columns + c];
          switch (col->type)
            {
            case JC_ENGINE_TYPE_DECIMAL:
              sqlite3_bind_double (st, c + 1, (double) v->i / (double) jc_sql_pow10 (col->scale));
              break;
            case JC_ENGINE_TYPE_CATEGORY:
              sqlite3_bind_text (st, c + 1, col->codes[v->i], -1, SQLITE_TRANSIENT);
              break;
            case JC_ENGINE_TYPE_ID:
              sqlite3_bind_text (st, c + 1, v->text, v->text_len, SQLITE_TRANSIENT);
              break;
            case JC_ENGINE_TYPE_DATE:
              {
                g_autofree char *d = date_text (v->i);
                sqlite3_bind_text (st, c + 1, d, -1, SQLITE_TRANSIENT);
                break;
              }
            default:
              sqlite3_bind_int64 (st, c + 1, v->i);
            }
        }
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
      sqlite3_reset (st);
    }
  sqlite3_finalize (st);
}

gboolean jc_sql_parse_date (const char *s, int64_t *out);

/* Runs the query in SQLite and encodes the cells as rss3 outputs are encoded. */
static GArray *
sqlite_query (sqlite3 *db, const char *sql, const JcEngineSchema *out)
{
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error ("SQLite refuses %s: %s", sql, sqlite3_errmsg (db));
  GArray *cells = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    for (gsize c = 0; c < out->n_columns; c++)
      {
        const JcEngineColumn *col = &out->columns[c];
        gint64 v = 0;
        if (sqlite3_column_type (st, c) != SQLITE_NULL)
          switch (col->type)
            {
            case JC_ENGINE_TYPE_DECIMAL:
              v = llround (sqlite3_column_double (st, c) * (double) jc_sql_pow10 (col->scale));
              break;
            case JC_ENGINE_TYPE_CATEGORY:
              {
                const char *t = (const char *) sqlite3_column_text (st, c);
                v = -1;
                for (gsize k = 0; k < col->n_codes; k++)
                  if (strcmp (col->codes[k], t) == 0)
                    v = k;
                break;
              }
            case JC_ENGINE_TYPE_ID:
              {
                const char *t = (const char *) sqlite3_column_text (st, c);
                v = (gint64) jc_sql_encode_id (t, strlen (t));
                break;
              }
            case JC_ENGINE_TYPE_DATE:
              {
                int64_t d = 0;
                g_assert_true (jc_sql_parse_date ((const char *) sqlite3_column_text (st, c), &d));
                v = d;
                break;
              }
            default:
              v = sqlite3_column_int64 (st, c);
            }
        g_array_append_val (cells, v);
      }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (st);
  return cells;
}

static gsize sort_width;

static int
row_cmp (gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;
  for (gsize i = 0; i < sort_width; i++)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}

static void
compare_results (const char *sql, const JcEngineSchema *out, GArray *mpc, GArray *ref,
                 gboolean ordered)
{
  gsize w = out->n_columns;
  if (mpc->len != ref->len)
    g_error ("%s: rss3 gives %u rows, SQLite %u", sql, mpc->len / (guint) w, ref->len / (guint) w);
  if (!ordered && mpc->len > 0)
    {
      sort_width = w;
      qsort (mpc->data, mpc->len / w, w * sizeof (gint64), row_cmp);
      qsort (ref->data, ref->len / w, w * sizeof (gint64), row_cmp);
    }
  for (guint i = 0; i < mpc->len; i++)
    {
      const JcEngineColumn *col = &out->columns[i % w];
      gint64 a = g_array_index (mpc, gint64, i), b = g_array_index (ref, gint64, i);
      gboolean ok = col->type == JC_ENGINE_TYPE_DECIMAL
                      ? fabs ((double) a - (double) b) <= 1.0 + 1e-9 * fabs ((double) b)
                      : a == b;
      if (!ok)
        g_error ("%s: row %u column %s: rss3 %" G_GINT64_FORMAT ", SQLite %" G_GINT64_FORMAT,
                 sql, i / (guint) w, col->name, a, b);
    }
}

/* ---------------------------------------------------------------- data */

static TestTable *
make_people (const JcEngineSchema *s, gsize n, GRand *r)
{
  TestTable *t = g_new0 (TestTable, 1);
  t->schema = s;
  t->n_rows = n;
  t->cells = g_new0 (JcEngineValue, MAX (n, 1) * s->n_columns);
  t->texts = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; i < n; i++)
    {
      JcEngineValue *row = t->cells + i * s->n_columns;
      char *id = g_strdup_printf ("P%06zu", i * 7 + 3);
      g_ptr_array_add (t->texts, id);
      row[0].text = id;
      row[0].text_len = strlen (id);
      row[1].i = (gint64) ((i * 7919) % 100003);            /* unique */
      row[2].i = g_rand_int_range (r, 0, 4);                  /* code X never occurs */
      row[3].i = g_rand_int_range (r, 0, 101);
      row[4].i = g_rand_int_range (r, -100000, 2000000);      /* -1000.00 … 20000.00 */
      row[5].i = g_rand_boolean (r);
      row[6].i = g_rand_int_range (r, -3000, 20000);
    }
  return t;
}

static TestTable *
make_work (const JcEngineSchema *s, gsize n_people, GRand *r)
{
  /* About half of the people have a work row, plus rows for ids nobody has. */
  gsize n = n_people / 2 + 3;
  TestTable *t = g_new0 (TestTable, 1);
  t->schema = s;
  t->n_rows = n;
  t->cells = g_new0 (JcEngineValue, n * s->n_columns);
  t->texts = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; i < n; i++)
    {
      JcEngineValue *row = t->cells + i * s->n_columns;
      char *id = i + 3 < n ? g_strdup_printf ("P%06zu", (i * 2) * 7 + 3)
                           : g_strdup_printf ("Q%zu", i);
      g_ptr_array_add (t->texts, id);
      row[0].text = id;
      row[0].text_len = strlen (id);
      row[1].i = g_rand_int_range (r, 0, 60);
      row[2].i = g_rand_int_range (r, 0, 99999);
    }
  return t;
}

/* One row per age, some ages missing: the unique side of a many-to-one join. */
static TestTable *
make_bands (const JcEngineSchema *s, GRand *r)
{
  TestTable *t = g_new0 (TestTable, 1);
  t->schema = s;
  t->cells = g_new0 (JcEngineValue, 101 * s->n_columns);
  for (gint64 age = 0; age <= 100; age++)
    {
      if (age % 7 == 3)
        continue;
      JcEngineValue *row = t->cells + t->n_rows * s->n_columns;
      row[0].i = age;
      row[1].i = age < 25 ? 0 : age < 65 ? 1 : 2;
      row[2].i = g_rand_int_range (r, 1, 99999);
      t->n_rows++;
    }
  return t;
}

static void
run_dataset (gsize n, guint32 seed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);
  TestSchema *ps = test_schema_parse (PEOPLE), *ws = test_schema_parse (WORK);
  TestTable *people = make_people (&ps->schema, n, r);
  TestTable *work = make_work (&ws->schema, n, r);
  TestSchema *bs = test_schema_parse (BANDS);
  TestTable *bands = make_bands (&bs->schema, r);
  sqlite3 *db = sqlite_open ();
  sqlite_load (db, people);
  sqlite_load (db, work);
  sqlite_load (db, bands);

  gsize nq = G_N_ELEMENTS (queries);
  GString *alg = g_string_new (NULL);
  TestSchema **outs = g_new0 (TestSchema *, nq);
  JcEngineSchema *out_schemas = g_new0 (JcEngineSchema, nq);
  for (gsize q = 0; q < nq; q++)
    {
      g_autofree char *spec = g_strdup_printf ("o%zu: %s", q, queries[q].output);
      outs[q] = test_schema_parse (spec);
      out_schemas[q] = outs[q]->schema;
      g_string_append_printf (alg, "OUTPUT o%zu AS %s;\n", q, queries[q].sql);
    }
  TestTable *inputs[] = { people, work, bands };
  JcEngineError err = { 0 };
  gint64 t0 = g_get_monotonic_time ();
  GPtrArray *results = test_run (alg->str, inputs, 3, out_schemas, nq, 0, NULL, &err);
  if (results == NULL)
    g_error ("n=%zu: %u:%u %s", n, err.line, err.column, err.message);
  g_test_message ("%zu rows: %zu queries under MPC in %.2f s", n, nq,
                  (g_get_monotonic_time () - t0) / 1e6);
  for (gsize q = 0; q < nq; q++)
    {
      GArray *ref = sqlite_query (db, queries[q].sqlite ? queries[q].sqlite : queries[q].sql,
                                  &out_schemas[q]);
      compare_results (queries[q].sql, &out_schemas[q], results->pdata[q], ref, queries[q].ordered);
      g_array_unref (ref);
    }
  g_ptr_array_unref (results);
  for (gsize q = 0; q < nq; q++)
    test_schema_free (outs[q]);
  g_free (outs);
  g_free (out_schemas);
  g_string_free (alg, TRUE);
  sqlite3_close (db);
  test_table_free (people);
  test_table_free (work);
  test_table_free (bands);
  test_schema_free (ps);
  test_schema_free (ws);
  test_schema_free (bs);
}

static void test_zero_rows (void) { run_dataset (0, 1); }
static void test_one_row (void) { run_dataset (1, 2); }
static void test_small (void) { run_dataset (23, 3); }
static void test_medium (void) { run_dataset (500, 4); }
static void test_large (void) { run_dataset (2000, 5); }

/* Extreme values of the INT range the engine accepts: comparisons, MIN, MAX, COUNT. */
static void
test_edge_values (void)
{
  TestSchema *s = test_schema_parse ("t: v INT, k INT");
  const gint64 lim = (G_GINT64_CONSTANT (1) << 62) - 1;
  const gint64 vals[] = { -lim, lim, 0, -1, 1, lim - 1, -lim + 1, 12345678901234 };
  gsize n = G_N_ELEMENTS (vals);
  TestTable t = { .schema = &s->schema, .n_rows = n, .cells = g_new0 (JcEngineValue, 2 * n) };
  for (gsize i = 0; i < n; i++)
    {
      t.cells[2 * i].i = vals[i];
      t.cells[2 * i + 1].i = i % 3;
    }
  sqlite3 *db = sqlite_open ();
  sqlite_load (db, &t);
  const char *qs[] = {
    "SELECT COUNT(*) AS n, MIN(v) AS lo, MAX(v) AS hi FROM t WHERE v > -4611686018427387903",
    "SELECT k, MIN(v) AS lo, MAX(v) AS hi FROM t GROUP BY k",
    "SELECT v FROM t WHERE v < 0 OR v = 4611686018427387903 ORDER BY v",
  };
  const char *specs[] = { "o0: n INT, lo INT, hi INT", "o1: k INT, lo INT, hi INT", "o2: v INT" };
  TestSchema *outs[3];
  JcEngineSchema os[3];
  GString *alg = g_string_new (NULL);
  for (int q = 0; q < 3; q++)
    {
      outs[q] = test_schema_parse (specs[q]);
      os[q] = outs[q]->schema;
      g_string_append_printf (alg, "OUTPUT o%d AS %s;\n", q, qs[q]);
    }
  TestTable *inputs[] = { &t };
  JcEngineError err = { 0 };
  GPtrArray *res = test_run (alg->str, inputs, 1, os, 3, 0, NULL, &err);
  if (res == NULL)
    g_error ("%s", err.message);
  for (int q = 0; q < 3; q++)
    {
      GArray *ref = sqlite_query (db, qs[q], &os[q]);
      compare_results (qs[q], &os[q], res->pdata[q], ref, q != 1);
      g_array_unref (ref);
      test_schema_free (outs[q]);
    }
  g_ptr_array_unref (res);
  g_string_free (alg, TRUE);
  sqlite3_close (db);
  g_free (t.cells);
  test_schema_free (s);
}

/* A data-quality check compiles in its mode and reveals the right counts. */
static void
test_data_quality (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (9);
  TestSchema *ps = test_schema_parse (PEOPLE);
  TestTable *people = make_people (&ps->schema, 400, r);
  sqlite3 *db = sqlite_open ();
  sqlite_load (db, people);
  TestSchema *o1 = test_schema_parse ("ages: bad INT");
  TestSchema *o2 = test_schema_parse ("checks: neg INT, kids INT");
  JcEngineSchema outs[2] = { o1->schema, o2->schema };
  const char *q1 = "SELECT COUNT(*) AS bad FROM people WHERE age < 5 OR age > 95";
  const char *q2 = "SELECT SUM(income < 0) AS neg, SUM(employed AND age < 18) AS kids FROM people";
  g_autofree char *alg = g_strdup_printf ("OUTPUT ages AS %s;\nOUTPUT checks AS %s;", q1, q2);
  TestTable *inputs[] = { people };
  JcEngineError err = { 0 };
  GPtrArray *res = test_run (alg, inputs, 1, outs, 2, JC_ENGINE_COMPILE_DATA_QUALITY, NULL, &err);
  if (res == NULL)
    g_error ("%s", err.message);
  const char *qs[] = { q1, q2 };
  for (int i = 0; i < 2; i++)
    {
      GArray *ref = sqlite_query (db, qs[i], &outs[i]);
      compare_results (qs[i], &outs[i], res->pdata[i], ref, TRUE);
      g_assert_cmpint (g_array_index (ref, gint64, 0), >, 0);
      g_array_unref (ref);
    }
  g_ptr_array_unref (res);
  sqlite3_close (db);
  test_table_free (people);
  test_schema_free (ps);
  test_schema_free (o1);
  test_schema_free (o2);
}

static void
flip_one_share (GByteArray *streams[3])
{
  /* Party 1's second share of row 3 of the first column: party 2 holds the same word. */
  guint8 *chunk = streams[1]->data + 32;
  guint32 rows = chunk[0] | chunk[1] << 8 | chunk[2] << 16 | (guint32) chunk[3] << 24;
  chunk[4 + 8 * rows + 8 * 3] ^= 0x10;
}

/* A share corrupted between client and party is detected before anything is computed. */
static void
test_corrupt_upload (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (11);
  TestSchema *ps = test_schema_parse (PEOPLE);
  TestTable *people = make_people (&ps->schema, 20, r);
  TestSchema *o = test_schema_parse ("o: n INT");
  TestTable *inputs[] = { people };
  JcEngineError err = { 0 };
  test_tamper = flip_one_share;
  GPtrArray *res = test_run ("OUTPUT o AS SELECT COUNT(*) AS n FROM people;",
                             inputs, 1, &o->schema, 1, 0, NULL, &err);
  test_tamper = NULL;
  g_assert_null (res);
  g_assert_cmpint (err.status, ==, JC_ENGINE_ERR_INVALID);
  g_assert_nonnull (strstr (err.message, "do not agree"));
  test_table_free (people);
  test_schema_free (ps);
  test_schema_free (o);
}

/* A cancelled run stops every party with "cancelled". */
static void
test_cancel (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (10);
  TestSchema *ps = test_schema_parse (PEOPLE);
  TestTable *people = make_people (&ps->schema, 50, r);
  TestSchema *o = test_schema_parse ("o: region CATEGORY(N|S|E|W|X), n INT");
  TestTable *inputs[] = { people };
  JcEngineError err = { 0 };
  test_cancel_runs = TRUE;
  GPtrArray *res = test_run ("OUTPUT o AS SELECT region, COUNT(*) AS n FROM people GROUP BY region;",
                             inputs, 1, &o->schema, 1, 0, NULL, &err);
  test_cancel_runs = FALSE;
  g_assert_null (res);
  g_assert_cmpint (err.status, ==, JC_ENGINE_ERR_CANCELLED);
  test_table_free (people);
  test_schema_free (ps);
  test_schema_free (o);
}

/* A key may repeat in the FROM table (many-to-one) but not in the JOIN table: that is
 * refused, not silently mis-joined. */
static void
test_join_duplicate_key (void)
{
  TestSchema *a = test_schema_parse ("a: id ID, x INT"), *b = test_schema_parse ("b: id ID, y INT");
  TestSchema *o = test_schema_parse ("o: n INT, s INT");
  const char *ida[] = { "k1", "k2", "k2" }, *idb[] = { "k2", "k3" };
  TestTable ta = { .schema = &a->schema, .n_rows = 3, .cells = g_new0 (JcEngineValue, 6) };
  TestTable tb = { .schema = &b->schema, .n_rows = 2, .cells = g_new0 (JcEngineValue, 4) };
  for (int i = 0; i < 3; i++)
    {
      ta.cells[2 * i].text = ida[i];
      ta.cells[2 * i].text_len = 2;
      ta.cells[2 * i + 1].i = 10 * (i + 1);
    }
  for (int i = 0; i < 2; i++)
    {
      tb.cells[2 * i].text = idb[i];
      tb.cells[2 * i].text_len = 2;
      tb.cells[2 * i + 1].i = 7;
    }
  TestTable *inputs[] = { &ta, &tb };
  JcEngineError err = { 0 };
  GPtrArray *res = test_run ("OUTPUT o AS SELECT COUNT(*) AS n, SUM(a.x + b.y) AS s FROM a JOIN b ON a.id = b.id;",
                             inputs, 2, &o->schema, 1, 0, NULL, &err);
  g_assert_nonnull (res);
  GArray *cells = res->pdata[0];
  g_assert_cmpint (g_array_index (cells, gint64, 0), ==, 2);
  g_assert_cmpint (g_array_index (cells, gint64, 1), ==, 20 + 7 + 30 + 7);
  g_ptr_array_unref (res);

  res = test_run ("OUTPUT o AS SELECT COUNT(*) AS n, SUM(a.x) AS s FROM b JOIN a ON a.id = b.id;",
                  inputs, 2, &o->schema, 1, 0, NULL, &err);
  g_assert_null (res);
  g_assert_cmpint (err.status, ==, JC_ENGINE_ERR_INVALID);
  g_assert_nonnull (strstr (err.message, "not unique"));
  g_free (ta.cells);
  g_free (tb.cells);
  test_schema_free (a);
  test_schema_free (b);
  test_schema_free (o);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/sql/diff/zero-rows", test_zero_rows);
  g_test_add_func ("/rss3/sql/diff/one-row", test_one_row);
  g_test_add_func ("/rss3/sql/diff/small", test_small);
  g_test_add_func ("/rss3/sql/diff/medium", test_medium);
  g_test_add_func ("/rss3/sql/diff/large", test_large);
  g_test_add_func ("/rss3/sql/diff/edge-values", test_edge_values);
  g_test_add_func ("/rss3/sql/diff/data-quality", test_data_quality);
  g_test_add_func ("/rss3/sql/diff/cancel", test_cancel);
  g_test_add_func ("/rss3/sql/diff/corrupt-upload", test_corrupt_upload);
  g_test_add_func ("/rss3/sql/diff/join-duplicate-key", test_join_duplicate_key);
  return g_test_run ();
}
