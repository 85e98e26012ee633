#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "jc-engine.h"
#include "jc-error.h"

/* The rss3 module as a host sees it: found by id through libjoconde's loader, with its
 * capabilities, and compile errors as GErrors with their position. */
static void
test_load_rss3 (void)
{
  g_autofree char *dir = g_path_get_dirname (g_getenv ("JC_RSS3_MODULE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load_by_id (dir, "rss3-sh-z64", &error);
  g_assert_no_error (error);
  const JcEngineInfo *info = jc_engine_get_info (engine);
  g_assert_cmpuint (jc_engine_get_n_parties (engine), ==, 3);
  g_assert_cmpint (info->adversary, ==, JC_ENGINE_SECURITY_PASSIVE);
  g_assert_cmpint (info->corruption, ==, JC_ENGINE_CORRUPTION_HONEST_MAJORITY);
  for (JcEngineType t = JC_ENGINE_TYPE_INT; t <= JC_ENGINE_TYPE_ID; t++)
    g_assert_true (jc_engine_supports_type (engine, t));
  gboolean has_stddev = FALSE;
  for (gsize i = 0; i < info->n_functions; i++)
    has_stddev |= g_strcmp0 (info->functions[i], "STDDEV") == 0;
  g_assert_true (has_stddev);

  JcEngineColumn cols[] = { { .name = "age", .type = JC_ENGINE_TYPE_INT } };
  JcEngineSchema in = { .key = "people", .columns = cols, .n_columns = 1 };
  JcEngineColumn ocols[] = { { .name = "n", .type = JC_ENGINE_TYPE_INT } };
  JcEngineSchema out = { .key = "adults", .columns = ocols, .n_columns = 1 };
  JcEngineProgram *p = jc_engine_compile (engine,
    "OUTPUT adults AS SELECT COUNT(*) AS n FROM people WHERE age >= 18;", &in, 1, &out, 1, 0,
    NULL, NULL, &error);
  g_assert_no_error (error);
  jc_engine_program_free (engine, p);

  guint line = 0, column = 0;
  p = jc_engine_compile (engine, "OUTPUT adults AS\n  SELECT COUNT(*) AS n FROM people WHERE height > 1;",
                         &in, 1, &out, 1, 0, &line, &column, &error);
  g_assert_null (p);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 42);
  g_assert_true (g_str_has_prefix (error->message, "line 2, column 42:"));
  g_assert_nonnull (strstr (error->message, "height"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/load", test_load_rss3);
  return g_test_run ();
}
