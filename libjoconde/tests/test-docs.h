/* Shared by the libjoconde tests that check the examples in the Markdown of docs/ against
 * the code, so that the documents and the code cannot drift apart. Header-only like
 * test-tmpdir.h. */
#pragma once

#include <string.h>

#include <glib.h>

/* The text of docs/NAME of the source tree (JC_SOURCE_ROOT in the environment, else the
 * one configured). */
G_GNUC_UNUSED static char *
test_docs_read (const char *name)
{
  const char *root = g_getenv ("JC_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root ? root : JC_SOURCE_ROOT, "docs", name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* The content of the next block fenced as ```TAG after *CURSOR (without its last newline),
 * moving *CURSOR past it; NULL when there is none. */
G_GNUC_UNUSED static char *
test_docs_next_block (const char **cursor, const char *tag)
{
  g_autofree char *fence = g_strdup_printf ("\n```%s\n", tag);
  const char *start = strstr (*cursor, fence), *end;

  if (start == NULL)
    return NULL;
  start += strlen (fence);
  end = strstr (start, "\n```\n");
  g_assert_nonnull (end);
  *cursor = end + 4;
  return g_strndup (start, (gsize) (end - start));
}
