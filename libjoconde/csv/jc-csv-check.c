#define G_LOG_DOMAIN "joconde-csv"
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-csv-check.h"
#include "jc-csv-reader.h"
#include "jc-csv-value.h"
#include "jc-error.h"

#define PROGRESS_EVERY (64 * 1024)

typedef struct {
  GPtrArray   *schema;
  guint        max_problems;
  JcCsvReport *report;
  GPtrArray   *codes;        /* GHashTable* or NULL, per schema column */
  gint        *file_column;  /* per schema column: its index in the file, -1 if missing */
  guint        n_file_columns;
  /* The batch handed to rows_func. An ID's text is first kept as an offset into ids. */
  GArray      *batch;        /* JcEngineValue */
  GString     *ids;
  gsize        batch_rows;
} Check;

static void
problem_free (gpointer data)
{
  JcCsvProblem *p = data;
  g_free (p->column_name);
  g_free (p->message);
  g_free (p);
}

static void
codes_free (gpointer data)
{
  if (data != NULL)
    g_hash_table_unref (data);
}

void
jc_csv_report_free (JcCsvReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->problems);
  g_free (report);
}

gboolean
jc_csv_report_ok (const JcCsvReport *report)
{
  return report->n_problems == 0 && report->complete;
}

static void
add_problem (Check *check, guint64 row, guint column, const char *column_name, char *message)
{
  JcCsvProblem *p;

  check->report->n_problems++;
  if (check->report->problems->len >= check->max_problems)
    {
      g_free (message);
      return;
    }
  p = g_new0 (JcCsvProblem, 1);
  p->row = row;
  p->column = column;
  p->column_name = g_strdup (column_name);
  p->message = message;
  g_ptr_array_add (check->report->problems, p);
}

char *
jc_csv_problem_format (const JcCsvProblem *p)
{
  if (p->row == 0)
    return g_strdup (p->message);
  if (p->column == 0)
    return g_strdup_printf (_("Row %" PRIu64 ": %s"), p->row, p->message);
  if (p->column_name == NULL)
    return g_strdup_printf (_("Row %" PRIu64 ", column %u: %s"),
                            p->row, p->column, p->message);
  return g_strdup_printf (_("Row %" PRIu64 ", column %u (%s): %s"),
                          p->row, p->column, p->column_name, p->message);
}

char *
jc_csv_report_to_string (const JcCsvReport *report)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < report->problems->len; i++)
    {
      g_autofree char *line = jc_csv_problem_format (g_ptr_array_index (report->problems, i));
      g_string_append_printf (out, "%s\n", line);
    }
  if (report->n_problems > report->problems->len)
    {
      guint64 rest = report->n_problems - report->problems->len;
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE,
                                                "… and %" PRIu64 " more problem\n",
                                                "… and %" PRIu64 " more problems\n",
                                                rest), rest);
    }
  return g_string_free (out, FALSE);
}

/* Maps the header's names to the schema's columns; every mismatch is a problem of row 1. */
static void
check_header (Check *check, JcCsvReader *reader)
{
  guint n = jc_csv_reader_n_fields (reader);

  check->n_file_columns = n;
  for (guint s = 0; s < check->schema->len; s++)
    check->file_column[s] = -1;

  for (guint f = 0; f < n; f++)
    {
      const char *name = jc_csv_reader_field (reader, f);
      gsize len = jc_csv_reader_field_len (reader, f);
      g_autofree char *quoted = jc_csv_value_quote (name, len);
      gint found = -1;

      for (guint s = 0; s < check->schema->len; s++)
        {
          const JcColumn *c = g_ptr_array_index (check->schema, s);
          if (strlen (c->name) == len && memcmp (c->name, name, len) == 0)
            found = (gint) s;
        }
      if (found < 0)
        {
          add_problem (check, jc_csv_reader_line (reader), f + 1, NULL,
                       g_strdup_printf (_("the header names “%s”, which is not a column of "
                                          "this input"), quoted));
          continue;
        }
      if (check->file_column[found] >= 0)
        {
          add_problem (check, jc_csv_reader_line (reader), f + 1, NULL,
                       g_strdup_printf (_("the header names “%s” a second time"), quoted));
          continue;
        }
      check->file_column[found] = (gint) f;
    }

  for (guint s = 0; s < check->schema->len; s++)
    if (check->file_column[s] < 0)
      {
        const JcColumn *c = g_ptr_array_index (check->schema, s);
        add_problem (check, jc_csv_reader_line (reader), 0, NULL,
                     g_strdup_printf (_("the header lacks the column “%s”"), c->name));
      }
}

static gboolean
flush_batch (Check *check, JcCsvRowsFunc rows_func, gpointer user_data, GError **error)
{
  JcEngineValue *values = (JcEngineValue *) (gpointer) check->batch->data;
  gboolean ok;

  if (check->batch_rows == 0)
    return TRUE;
  /* The ID texts are final now that the string no longer grows: resolve their offsets. */
  for (guint i = 0; i < check->batch->len; i++)
    if (values[i].text == (const char *) 1)
      {
        values[i].text = check->ids->str + values[i].i;
        values[i].i = 0;
      }
  ok = rows_func (values, check->batch_rows, check->schema->len, user_data, error);
  g_array_set_size (check->batch, 0);
  g_string_truncate (check->ids, 0);
  check->batch_rows = 0;
  return ok;
}

/* Checks one data row; a valid one joins the batch when there is a rows_func. */
static gboolean
check_row (Check *check, JcCsvReader *reader, gboolean keep)
{
  guint n = jc_csv_reader_n_fields (reader);
  guint64 row = jc_csv_reader_line (reader);
  guint64 before = check->report->n_problems;
  guint first = check->batch->len;

  if (n != check->n_file_columns)
    {
      add_problem (check, row, 0, NULL,
                   g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "the row has %u value, the header has %u",
                                                 "the row has %u values, the header has %u", n),
                                    n, check->n_file_columns));
      return FALSE;
    }
  if (keep)
    g_array_set_size (check->batch, first + check->schema->len);

  for (guint s = 0; s < check->schema->len; s++)
    {
      const JcColumn *c = g_ptr_array_index (check->schema, s);
      gint f = check->file_column[s];
      JcEngineValue value;
      char *problem = NULL;

      if (f < 0)
        continue;
      if (!jc_csv_value_parse (c, g_ptr_array_index (check->codes, s),
                               jc_csv_reader_field (reader, f),
                               jc_csv_reader_field_len (reader, f), &value, &problem))
        {
          add_problem (check, row, f + 1, c->name, problem);
          continue;
        }
      if (!keep)
        continue;
      if (c->type == JC_COLUMN_ID)
        {
          /* Keep the text in the batch's string; its offset stands in until the flush.
           * text == 1 marks an ID whose offset is in i (an ID is never empty). */
          value.i = (gint64) check->ids->len;
          g_string_append_len (check->ids, value.text, value.text_len);
          value.text = (const char *) 1;
        }
      g_array_index (check->batch, JcEngineValue, first + s) = value;
    }

  if (check->report->n_problems != before)
    {
      if (keep)
        g_array_set_size (check->batch, first);
      return FALSE;
    }
  return TRUE;
}

JcCsvReport *
jc_csv_check_stream (GInputStream *stream, GPtrArray *schema, guint max_problems,
                     JcCsvRowsFunc rows_func, JcCsvProgressFunc progress, gpointer user_data,
                     GCancellable *cancellable, GError **error)
{
  g_autoptr(JcCsvReader) reader = jc_csv_reader_new (stream);
  g_autoptr(JcCsvReport) report = g_new0 (JcCsvReport, 1);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (codes_free);
  g_autofree gint *file_column = g_new0 (gint, MAX (schema->len, 1));
  g_autoptr(GArray) batch = g_array_new (FALSE, TRUE, sizeof (JcEngineValue));
  g_autoptr(GString) ids = g_string_new (NULL);
  guint64 next_progress = PROGRESS_EVERY;
  Check check = { schema, max_problems, report, codes, file_column, 0, batch, ids, 0 };

  report->problems = g_ptr_array_new_with_free_func (problem_free);
  report->complete = TRUE;
  for (guint s = 0; s < schema->len; s++)
    g_ptr_array_add (codes, jc_csv_codes_index (g_ptr_array_index (schema, s)));

  if (!jc_csv_reader_next (reader, cancellable, &local_error))
    {
      if (local_error && local_error->domain != JC_ERROR)
        goto failed;
      report->complete = local_error == NULL;
      add_problem (&check, local_error ? jc_csv_reader_line (reader) : 0, 0, NULL,
                   local_error ? g_strdup (local_error->message)
                               : g_strdup (_("The file is empty: it has no header row")));
      return g_steal_pointer (&report);
    }
  check_header (&check, reader);
  /* Rows of a file whose header is wrong are checked, never converted. */
  if (report->n_problems > 0)
    rows_func = NULL;

  while (jc_csv_reader_next (reader, cancellable, &local_error))
    {
      report->n_rows++;
      if (check_row (&check, reader, rows_func != NULL) && rows_func != NULL)
        {
          check.batch_rows++;
          if (check.batch_rows == JC_CSV_BATCH_ROWS
              && !flush_batch (&check, rows_func, user_data, &local_error))
            goto failed;
        }
      if (progress && jc_csv_reader_bytes_read (reader) >= next_progress)
        {
          progress (jc_csv_reader_bytes_read (reader), user_data);
          next_progress = jc_csv_reader_bytes_read (reader) + PROGRESS_EVERY;
        }
    }
  if (local_error != NULL)
    {
      if (local_error->domain != JC_ERROR)
        goto failed;
      /* The file's structure is broken: report where, and that the rest was not read. */
      report->complete = FALSE;
      add_problem (&check, 0, 0, NULL, g_strdup (local_error->message));
      return g_steal_pointer (&report);
    }
  if (rows_func != NULL && !flush_batch (&check, rows_func, user_data, &local_error))
    goto failed;
  if (progress)
    progress (jc_csv_reader_bytes_read (reader), user_data);
  return g_steal_pointer (&report);

failed:
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

JcCsvReport *
jc_csv_check_file (GFile *file, GPtrArray *schema, guint max_problems,
                   JcCsvRowsFunc rows_func, JcCsvProgressFunc progress, gpointer user_data,
                   GCancellable *cancellable, GError **error)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, error);

  if (stream == NULL)
    return NULL;
  return jc_csv_check_stream (G_INPUT_STREAM (stream), schema, max_problems, rows_func,
                              progress, user_data, cancellable, error);
}
