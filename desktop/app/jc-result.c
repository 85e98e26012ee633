#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <stdlib.h>

#include "jc-csv-reader.h"
#include "jc-error.h"
#include "jc-result.h"

void
jc_result_free (JcResult *result)
{
  if (!result)
    return;
  g_strfreev (result->header);
  g_free (result->numeric);
  g_clear_pointer (&result->rows, g_ptr_array_unref);
  g_free (result);
}

static gboolean
is_number (const char *text)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0';
}

/* Suppressed cells are empty: they count as numbers missing, not as text. */
static gboolean
column_numeric (GPtrArray *rows, guint col)
{
  gboolean any = FALSE;

  for (guint r = 0; r < rows->len; r++)
    {
      const char *v = ((GStrv) rows->pdata[r])[col];
      if (*v == '\0')
        continue;
      if (!is_number (v))
        return FALSE;
      any = TRUE;
    }
  return any;
}

/* Empty (suppressed) cells sort first; numbers by value, text by the user's collation. */
static int
compare_rows (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const JcResult *result = user_data;
  GStrv x = *(GStrv *) a, y = *(GStrv *) b;

  for (guint c = 0; result->header[c]; c++)
    {
      int order;
      if (*x[c] == '\0' || *y[c] == '\0')
        order = (*y[c] == '\0') - (*x[c] == '\0');
      else if (result->numeric[c])
        {
          double u = g_ascii_strtod (x[c], NULL), v = g_ascii_strtod (y[c], NULL);
          order = (u > v) - (u < v);
        }
      else
        order = g_utf8_collate (x[c], y[c]);
      if (order != 0)
        return order;
    }
  return 0;
}

JcResult *
jc_result_load (const char *path, guint max_rows, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(JcCsvReader) reader = NULL;
  g_autoptr(JcResult) result = g_new0 (JcResult, 1);
  GError *local = NULL;
  guint n;

  if (!in)
    return NULL;
  reader = jc_csv_reader_new (G_INPUT_STREAM (in));
  if (!jc_csv_reader_next (reader, NULL, &local))
    {
      if (!local)
        g_set_error (&local, JC_ERROR, JC_ERROR_INVALID, _("The result %s is empty"), path);
      g_propagate_error (error, local);
      return NULL;
    }
  n = jc_csv_reader_n_fields (reader);
  result->header = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    result->header[i] = g_strdup (jc_csv_reader_field (reader, i));
  result->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  while (jc_csv_reader_next (reader, NULL, &local))
    {
      GStrv row;
      result->n_rows++;
      if (result->rows->len >= max_rows)
        continue;
      row = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        row[i] = g_strdup (i < jc_csv_reader_n_fields (reader) ? jc_csv_reader_field (reader, i) : "");
      g_ptr_array_add (result->rows, row);
    }
  if (local)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  result->group_col = result->value_col = -1;
  result->numeric = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    {
      gboolean numeric = result->numeric[i] = column_numeric (result->rows, i);
      if (!numeric && result->group_col < 0)
        result->group_col = i;
      if (numeric)
        result->value_col = i;
    }
  if (result->n_rows == result->rows->len)
    g_ptr_array_sort_with_data (result->rows, compare_rows, result);
  return g_steal_pointer (&result);
}

gboolean
jc_result_bars (const JcResult *result, GPtrArray **labels, GArray **values)
{
  g_autoptr(GHashTable) index = NULL;

  *labels = NULL;
  *values = NULL;
  if (result->group_col < 0 || result->value_col < 0 || result->rows->len == 0)
    return FALSE;
  index = g_hash_table_new (g_str_hash, g_str_equal);
  *labels = g_ptr_array_new_with_free_func (g_free);
  *values = g_array_new (FALSE, TRUE, sizeof (double));
  for (guint r = 0; r < result->rows->len; r++)
    {
      GStrv row = result->rows->pdata[r];
      const char *group = row[result->group_col];
      const char *value = row[result->value_col];
      gpointer at;
      double v = *value ? g_ascii_strtod (value, NULL) : 0;

      if (!g_hash_table_lookup_extended (index, group, NULL, &at))
        {
          at = GUINT_TO_POINTER ((*labels)->len);
          g_ptr_array_add (*labels, g_strdup (group));
          g_array_append_val (*values, (double) { 0 });
          g_hash_table_insert (index, (gpointer) group, at);
        }
      g_array_index (*values, double, GPOINTER_TO_UINT (at)) += v;
    }
  return TRUE;
}
