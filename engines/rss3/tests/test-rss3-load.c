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

static int
collect (void *user, unsigned party, const void *buf, size_t len)
{
  g_byte_array_append (((GByteArray **) user)[party], buf, (guint) len);
  return 0;
}

static int
add_row (void *user, const JcEngineValue *row, size_t n)
{
  for (size_t c = 0; c < n; c++)
    g_array_append_val ((GArray *) user, row[c].i);
  return 0;
}

/* Sharing and rebuilding through libjoconde's GError wrappers. */
static void
test_transfer_wrappers (void)
{
  g_autofree char *dir = g_path_get_dirname (g_getenv ("JC_RSS3_MODULE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load_by_id (dir, "rss3-sh-z64", &error);
  g_assert_no_error (error);
  JcEngineColumn cols[] = {
    { .name = "v", .type = JC_ENGINE_TYPE_INT },
    { .name = "d", .type = JC_ENGINE_TYPE_DECIMAL, .precision = 5, .scale = 2 },
  };
  JcEngineSchema schema = { .key = "t", .columns = cols, .n_columns = 2 };
  GByteArray *streams[3] = { g_byte_array_new (), g_byte_array_new (), g_byte_array_new () };
  JcEngineSharer *sh = jc_engine_sharer_new (engine, &schema, collect, streams, &error);
  g_assert_no_error (error);
  JcEngineValue rows[] = { { .i = 42 }, { .i = -12345 }, { .i = -7 }, { .i = 99999 } };
  g_assert_true (jc_engine_sharer_add_rows (engine, sh, rows, 2, &error));
  JcEngineValue bad[] = { { .i = 1 }, { .i = 100000 } };
  g_assert_false (jc_engine_sharer_add_rows (engine, sh, bad, 1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“d”"));
  g_clear_error (&error);
  jc_engine_sharer_free (engine, sh);

  for (int p = 0; p < 3; p++)
    g_byte_array_set_size (streams[p], 0);
  sh = jc_engine_sharer_new (engine, &schema, collect, streams, &error);
  g_assert_true (jc_engine_sharer_add_rows (engine, sh, rows, 2, &error));
  g_assert_true (jc_engine_sharer_finish (engine, sh, &error));
  jc_engine_sharer_free (engine, sh);

  GArray *cells = g_array_new (FALSE, FALSE, sizeof (gint64));
  JcEngineReconstructor *rec = jc_engine_reconstructor_new (engine, &schema, add_row, cells, &error);
  g_assert_no_error (error);
  for (int p = 2; p >= 0; p--)
    g_assert_true (jc_engine_reconstructor_feed (engine, rec, p, streams[p]->data,
                                                 streams[p]->len, &error));
  g_assert_true (jc_engine_reconstructor_finish (engine, rec, &error));
  jc_engine_reconstructor_free (engine, rec);
  g_assert_cmpuint (cells->len, ==, 4);
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (g_array_index (cells, gint64, i), ==, rows[i].i);
  g_array_unref (cells);
  for (int p = 0; p < 3; p++)
    g_byte_array_unref (streams[p]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/load", test_load_rss3);
  g_test_add_func ("/rss3/transfer-wrappers", test_transfer_wrappers);
  return g_test_run ();
}
