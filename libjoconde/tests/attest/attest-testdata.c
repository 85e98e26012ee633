#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include "attest-testdata.h"

static const char *
attestation_dir (const char *what)
{
  static char *dir;
  const char *root = g_getenv ("JC_TESTDATA_DIR");

  if (dir == NULL)
    {
      g_autofree char *path = root ? g_build_filename (root, "attestation", NULL) : NULL;
      g_autofree char *readme = path ? g_build_filename (path, "README.md", NULL) : NULL;
      if (root == NULL || !g_file_test (readme, G_FILE_TEST_EXISTS))
        g_error ("JC_TESTDATA_DIR is not set or has no attestation/ folder: the %s tests "
                 "need the shared real test data (../shared/testdata)", what);
      dir = g_steal_pointer (&path);
    }
  return dir;
}

void
attest_testdata_require (const char *what)
{
  attestation_dir (what);
}

GBytes *
attest_testdata_load (const char *rel)
{
  g_autofree char *path = g_build_filename (attestation_dir ("attestation"), rel, NULL);
  g_autoptr (GError) error = NULL;
  char *contents;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("cannot read test data %s: %s", path, error->message);
  return g_bytes_new_take (contents, len);
}

JsonParser *
attest_testdata_expected (void)
{
  g_autoptr (GBytes) json = attest_testdata_load ("expected.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (json, NULL), g_bytes_get_size (json),
                              &error);
  g_assert_no_error (error);
  return g_steal_pointer (&parser);
}
