#define G_LOG_DOMAIN "joconde-engine"
#include "config.h"

#include <gmodule.h>

#include "jc-engine.h"
#include "jc-error.h"

static const char *good_path;
static const char *wrong_path;
static const char *module_dir;

static void
test_load_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load (good_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_engine_get_id (engine), ==, "tiny-test");
  g_assert_cmpuint (jc_engine_get_n_parties (engine), ==, 3);
  g_assert_true (jc_engine_supports_type (engine, JC_ENGINE_TYPE_INT));
  g_assert_false (jc_engine_supports_type (engine, JC_ENGINE_TYPE_DATE));

  JcEngineProgram *p = jc_engine_compile (engine, "ok", NULL, 0, NULL, 0, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  jc_engine_program_free (engine, p);

  guint line = 99, column = 99;
  p = jc_engine_compile (engine, "no", NULL, 0, NULL, 0, 0, &line, &column, &error);
  g_assert_null (p);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_cmpuint (line, ==, 1);
  g_assert_cmpuint (column, ==, 1);
  g_assert_true (g_str_has_prefix (error->message, "line 1, column 1:"));
  g_clear_error (&error);

  /* The tiny module refuses data transfer and runs: the wrappers turn that into GErrors. */
  JcEngineColumn col = { .name = "v", .type = JC_ENGINE_TYPE_INT };
  JcEngineSchema schema = { .key = "t", .columns = &col, .n_columns = 1 };
  g_assert_null (jc_engine_sharer_new (engine, &schema, NULL, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (jc_engine_run (engine, NULL, 7, NULL, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (jc_engine_run (engine, NULL, 0, NULL, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_FAILED);
}

static void
test_refuse_wrong_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load (wrong_path, &error);
  g_assert_null (engine);
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "version 999"));
}

static void
test_load_by_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load_by_id (module_dir, "tiny-test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_engine_get_path (engine), ==, good_path);

  /* The wrong-version module claims id "tiny-wrong": it is refused, and the error says why. */
  g_autoptr(JcEngine) wrong = jc_engine_load_by_id (module_dir, "tiny-wrong", &error);
  g_assert_null (wrong);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "version 999"));
}

static void
test_load_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load ("/nonexistent/engine." G_MODULE_SUFFIX, &error);
  g_assert_null (engine);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_autoptr(JcEngine) none = jc_engine_load_by_id ("/nonexistent", "x", &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  none = jc_engine_load_by_id (module_dir, "no-such-engine", &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >=, 3);
  good_path = argv[1];
  wrong_path = argv[2];
  module_dir = g_path_get_dirname (good_path);
  g_test_add_func ("/engine/loader/good", test_load_good);
  g_test_add_func ("/engine/loader/wrong-version", test_refuse_wrong_version);
  g_test_add_func ("/engine/loader/by-id", test_load_by_id);
  g_test_add_func ("/engine/loader/missing", test_load_missing);
  return g_test_run ();
}
