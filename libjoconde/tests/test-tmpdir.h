/* Shared by the libjoconde tests: a throw-away folder for one test, removed with what the
 * test wrote in it. Header-only like the other fixtures, since every test program is
 * built from its own source. */
#pragma once

#include <glib.h>

/* A new folder under the system's temporary folder; TMPL ends in "XXXXXX". */
G_GNUC_UNUSED static char *
test_tmpdir_new (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

G_GNUC_UNUSED static void
test_tmpdir_remove (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}
