#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "sql-harness.h"

/* Compile errors point at the right line and column with a message that names the problem.
 * The expected position is where `at` first occurs in the algorithm. */
typedef struct {
  const char *algorithm;
  const char *at;          /* NULL: compiles */
  const char *message;     /* a fragment of the message */
  unsigned flags;
} Case;

static const Case cases[] = {
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people;", NULL, NULL, 0 },
  { "-- valid, with comments\nOUTPUT out AS /* count */ SELECT COUNT(*) AS n\n FROM people p\n WHERE p.age BETWEEN 18 AND 65 AND region IN ('N', 'S');",
    NULL, NULL, 0 },
  { "OUTPUT out AS\nSELECT COUNT(*) AS n FROM people\nWHERE agee > 3;", "agee", "no column", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE age > income + born;", "+ born",
    "Cannot apply +", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE;", ";", "Expected", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people", "$END", "“;”", 0 },
  { "OUTPUT out AS SELECT SUM(income) AS n FROM people;", "SUM", "DECIMAL", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE SUM(age) > 3;", "SUM(age)",
    "Aggregates are not allowed", 0 },
  { "OUTPUT out AS SELECT age AS n FROM people GROUP BY region;", "age AS", "GROUP BY", 0 },
  { "OUTPUT out AS SELECT SUM(COUNT(*)) AS n FROM people;", "COUNT", "another aggregate", 0 },
  { "OUTPUT other AS SELECT COUNT(*) AS n FROM people;", "OUTPUT", "no output specification", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE region = 'X';", "'X'", "codes", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE region = 'N;", "'N", "never closed", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE age > 3 # 4;", "#", "“#”", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS m FROM people;", "COUNT", "calls it “n”", 0 },
  { "OUTPUT out AS SELECT MAX(age) AS n FROM people;", "MAX", "only reveal counts",
    JC_ENGINE_COMPILE_DATA_QUALITY },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE age < 0 OR age > 120;", NULL, NULL,
    JC_ENGINE_COMPILE_DATA_QUALITY },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM persons;", "persons", "no input table", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people a JOIN people b ON a.id = b.id WHERE age > 1;",
    "age >", "both tables", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people ORDER BY n LIMIT 1;", NULL, NULL, 0 },
  { "OUTPUT out AS SELECT age AS n FROM people LIMIT 3;", "OUTPUT", "ORDER BY", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE region < 'N';", "<", "no order", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE born > '2001-02-30';", "'2001",
    "calendar", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE age;", "age;", "true/false", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE age > 1 > 0;", "> 0",
    "cannot be chained", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people WHERE age IS NULL;", "IS", "not part", 0 },
  { "OUTPUT out AS SELECT CASE WHEN employed THEN 1 END AS n FROM people;", "END", "ELSE", 0 },
  { "OUTPUT out AS SELECT MEDIAN(age) AS n FROM people;", "MEDIAN", "no function", 0 },
  { "OUTPUT out AS SELECT COUNT(*) AS n FROM people;\nOUTPUT out AS SELECT COUNT(*) AS n FROM people;",
    "\nOUTPUT", "twice", 0 },
  { "", "", "empty", 0 },
};

static void
position_of (const char *text, const char *at, unsigned *line, unsigned *col)
{
  const char *p = strcmp (at, "$END") == 0 ? text + strlen (text) : strstr (text, at);
  g_assert_nonnull (p);
  if (*at == '\n')
    p++;
  *line = 1;
  *col = 1;
  for (const char *c = text; c < p; c++)
    if (*c == '\n')
      {
        (*line)++;
        *col = 1;
      }
    else if ((*c & 0xC0) != 0x80)
      (*col)++;
}

static void
test_compile_errors (void)
{
  const JcEngineInfo *e = test_engine ();
  TestSchema *people = test_schema_parse (
    "people: id ID, region CATEGORY(N|S|E|W), age INT, income DECIMAL(10;2), employed BOOL, born DATE");
  TestSchema *out = test_schema_parse ("out: n INT");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      JcEngineError err = { 0 };
      JcEngineProgram *p = e->compile (c->algorithm, strlen (c->algorithm), &people->schema, 1,
                                       &out->schema, 1, c->flags, &err);
      g_test_message ("case %zu: %s → %u:%u %s", i, c->algorithm, err.line, err.column, err.message);
      if (c->at == NULL)
        {
          g_assert_nonnull (p);
          e->program_free (p);
          continue;
        }
      g_assert_null (p);
      g_assert_cmpint (err.status, ==, JC_ENGINE_ERR_COMPILE);
      unsigned line, col;
      if (c->at[0] == '\0')
        line = 1, col = 1;
      else
        position_of (c->algorithm, c->at, &line, &col);
      g_assert_cmpuint (err.line, ==, line);
      g_assert_cmpuint (err.column, ==, col);
      g_assert_nonnull (strstr (err.message, c->message));
    }
  test_schema_free (people);
  test_schema_free (out);
}

static void
test_missing_output (void)
{
  const JcEngineInfo *e = test_engine ();
  TestSchema *people = test_schema_parse ("people: age INT");
  TestSchema *o1 = test_schema_parse ("a: n INT");
  TestSchema *o2 = test_schema_parse ("b: n INT");
  JcEngineSchema outs[2] = { o1->schema, o2->schema };
  JcEngineError err = { 0 };
  const char *alg = "OUTPUT a AS SELECT COUNT(*) AS n FROM people;";
  g_assert_null (e->compile (alg, strlen (alg), &people->schema, 1, outs, 2, 0, &err));
  g_assert_nonnull (strstr (err.message, "“b”"));
  g_assert_cmpuint (err.line, ==, 1);
  /* A hostile text never crashes the parser: deep nesting and binary garbage. */
  GString *deep = g_string_new ("OUTPUT a AS SELECT ");
  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, '(');
  g_assert_null (e->compile (deep->str, deep->len, &people->schema, 1, outs, 1, 0, &err));
  g_assert_nonnull (strstr (err.message, "too deeply"));
  g_string_free (deep, TRUE);
  const char bin[] = "OUTPUT a AS SELECT \xff\xfe";
  g_assert_null (e->compile (bin, sizeof bin - 1, &people->schema, 1, outs, 1, 0, &err));
  test_schema_free (people);
  test_schema_free (o1);
  test_schema_free (o2);
}

/* The examples of docs/sql.md compile against the schemas the page describes. */
static void
test_doc_examples (void)
{
  const JcEngineInfo *e = test_engine ();
  const char *survey = "person ID, region CATEGORY(NORTH|SOUTH|EAST|WEST), age INT, weight DECIMAL(8;3), employed BOOL, income DECIMAL(12;2)";
  g_autofree char *sa = g_strdup_printf ("survey_a: %s", survey);
  g_autofree char *sb = g_strdup_printf ("survey_b: %s", survey);
  TestSchema *a = test_schema_parse (sa), *b = test_schema_parse (sb);
  TestSchema *o1 = test_schema_parse ("employment_by_region: region CATEGORY(NORTH|SOUTH|EAST|WEST), persons INT, employed INT, mean_income DECIMAL(12;2)");
  TestSchema *o2 = test_schema_parse ("linked_income: region CATEGORY(NORTH|SOUTH|EAST|WEST), persons INT, mean_gap DECIMAL(12;2)");
  TestSchema *o3 = test_schema_parse ("implausible_age: violations INT");
  TestSchema *o4 = test_schema_parse ("checks: negative_income INT, child_workers INT, odd_weights INT");
  JcEngineSchema ins[2] = { a->schema, b->schema };
  JcEngineSchema main_outs[2] = { o1->schema, o2->schema };
  JcEngineSchema dq_outs[2] = { o3->schema, o4->schema };
  const char *main_alg =
    "-- Employment by region, for adults of working age; cells of fewer than 10 people\n"
    "-- are suppressed under MPC and never revealed.\n"
    "OUTPUT employment_by_region AS\n"
    "  SELECT region,\n"
    "         COUNT(*)                                  AS persons,\n"
    "         SUM(CASE WHEN employed THEN 1 ELSE 0 END) AS employed,\n"
    "         AVG(income)                               AS mean_income\n"
    "  FROM survey_a\n"
    "  WHERE age BETWEEN 15 AND 64\n"
    "  GROUP BY region\n"
    "  HAVING COUNT(*) >= 10;\n"
    "OUTPUT linked_income AS\n"
    "  SELECT a.region AS region, COUNT(*) AS persons, AVG(b.income - a.income) AS mean_gap\n"
    "  FROM survey_a a JOIN survey_b b ON a.person = b.person\n"
    "  GROUP BY a.region\n"
    "  HAVING COUNT(*) >= 10;\n";
  const char *dq_alg =
    "OUTPUT implausible_age AS\n"
    "  SELECT COUNT(*) AS violations FROM survey_a WHERE age < 0 OR age > 120;\n"
    "OUTPUT checks AS\n"
    "  SELECT SUM(income < 0)                          AS negative_income,\n"
    "         SUM(employed AND age < 15)               AS child_workers,\n"
    "         SUM(weight NOT BETWEEN 0.1 AND 5000.0)   AS odd_weights\n"
    "  FROM survey_a;\n";
  JcEngineError err = { 0 };
  JcEngineProgram *p = e->compile (main_alg, strlen (main_alg), ins, 2, main_outs, 2, 0, &err);
  if (p == NULL)
    g_error ("%u:%u %s", err.line, err.column, err.message);
  e->program_free (p);
  p = e->compile (dq_alg, strlen (dq_alg), ins, 1, dq_outs, 2, JC_ENGINE_COMPILE_DATA_QUALITY, &err);
  if (p == NULL)
    g_error ("%u:%u %s", err.line, err.column, err.message);
  e->program_free (p);
  /* A dominance rule. */
  const char *dom = "OUTPUT implausible_age AS SELECT COUNT(*) AS violations FROM survey_a "
                    "GROUP BY region HAVING MAX(income) <= 0.8 * SUM(income);";
  p = e->compile (dom, strlen (dom), ins, 1, dq_outs, 1, 0, &err);
  if (p == NULL)
    g_error ("%u:%u %s", err.line, err.column, err.message);
  e->program_free (p);
  TestSchema *all[] = { a, b, o1, o2, o3, o4 };
  for (int i = 0; i < 6; i++)
    test_schema_free (all[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/sql/compile-errors", test_compile_errors);
  g_test_add_func ("/rss3/sql/missing-output", test_missing_output);
  g_test_add_func ("/rss3/sql/doc-examples", test_doc_examples);
  return g_test_run ();
}
