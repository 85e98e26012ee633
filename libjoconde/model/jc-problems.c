#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-error.h"
#include "jc-problems.h"

typedef struct {
  char *path;
  char *message;
} Problem;

struct _JcProblems {
  GArray *items; /* Problem */
  gboolean full;
};

static void
problem_clear (gpointer p)
{
  Problem *problem = p;

  g_free (problem->path);
  g_free (problem->message);
}

JcProblems *
jc_problems_new (void)
{
  JcProblems *problems = g_new0 (JcProblems, 1);

  problems->items = g_array_new (FALSE, FALSE, sizeof (Problem));
  g_array_set_clear_func (problems->items, problem_clear);
  return problems;
}

void
jc_problems_free (JcProblems *problems)
{
  if (problems == NULL)
    return;
  g_array_unref (problems->items);
  g_free (problems);
}

void
jc_problems_add (JcProblems *problems, const char *path, const char *format, ...)
{
  Problem problem;
  va_list args;

  if (problems->full)
    return;
  if (problems->items->len == JC_PROBLEMS_MAX)
    {
      problems->full = TRUE;
      problem.path = g_strdup ("");
      problem.message = g_strdup_printf (_("more problems were found; only the first %d are listed"),
                                         JC_PROBLEMS_MAX);
      g_array_append_val (problems->items, problem);
      return;
    }
  va_start (args, format);
  problem.message = g_strdup_vprintf (format, args);
  va_end (args);
  problem.path = g_strdup (path ? path : "");
  g_array_append_val (problems->items, problem);
}

guint
jc_problems_count (const JcProblems *problems)
{
  return problems->items->len;
}

const char *
jc_problems_path (const JcProblems *problems, guint i)
{
  g_return_val_if_fail (i < problems->items->len, NULL);
  return g_array_index (problems->items, Problem, i).path;
}

const char *
jc_problems_message (const JcProblems *problems, guint i)
{
  g_return_val_if_fail (i < problems->items->len, NULL);
  return g_array_index (problems->items, Problem, i).message;
}

char *
jc_problems_format (const JcProblems *problems, guint i)
{
  const char *path = jc_problems_path (problems, i);

  return g_strdup_printf ("%s: %s", *path ? path : "document", jc_problems_message (problems, i));
}

char *
jc_problems_to_string (const JcProblems *problems)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < problems->items->len; i++)
    {
      g_autofree char *line = jc_problems_format (problems, i);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

gboolean
jc_problems_check (const JcProblems *problems, const char *what, GError **error)
{
  g_autoptr(GString) all = NULL;

  if (problems->items->len == 0)
    return TRUE;
  all = g_string_new (NULL);
  for (guint i = 0; i < problems->items->len; i++)
    {
      g_autofree char *line = jc_problems_format (problems, i);
      if (i > 0)
        g_string_append (all, "; ");
      g_string_append (all, line);
    }
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("%s is not valid: %s"), what, all->str);
  return FALSE;
}
