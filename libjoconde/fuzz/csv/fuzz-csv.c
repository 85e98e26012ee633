#include "config.h"

#include <string.h>

#include "jc-csv-check.h"
#include "jc-csv-reader.h"

/* libFuzzer target for CSV reading and checking: any bytes must give records or a clear
 * error, never a crash, leak or sanitizer report; records must not depend on the read
 * buffer's size; checking against a schema with every type must never fail on data. */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GPtrArray *schema;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const char *const codes[] = { "a", "b", NULL };

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  schema = jc_schema_new ();
  g_ptr_array_add (schema, jc_column_new ("id", JC_COLUMN_ID));
  g_ptr_array_add (schema, jc_column_new ("n", JC_COLUMN_INT));
  g_ptr_array_add (schema, jc_column_new_decimal ("d", 18, 4));
  g_ptr_array_add (schema, jc_column_new ("b", JC_COLUMN_BOOL));
  g_ptr_array_add (schema, jc_column_new ("t", JC_COLUMN_DATE));
  g_ptr_array_add (schema, jc_column_new_category ("c", codes));
  return 0;
}

static GString *
records (const guint8 *data, size_t size, gsize bufsize)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(JcCsvReader) reader = jc_csv_reader_new (in);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  jc_csv_reader_set_buffer_size (reader, bufsize);
  while (jc_csv_reader_next (reader, NULL, &error))
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT ":", jc_csv_reader_line (reader));
      for (guint i = 0; i < jc_csv_reader_n_fields (reader); i++)
        {
          g_string_append_len (out, jc_csv_reader_field (reader, i),
                               jc_csv_reader_field_len (reader, i));
          g_string_append_c (out, '\x1f');
        }
      g_string_append_c (out, '\n');
    }
  if (error)
    g_string_append (out, error->message);
  return out;
}

static gboolean
rows_cb (const JcEngineValue *rows, gsize n_rows, gsize n_columns, gpointer user, GError **error)
{
  for (gsize i = 0; i < n_rows * n_columns; i++)
    if (rows[i].text != NULL && (rows[i].text_len == 0 || rows[i].text_len > 64))
      __builtin_trap ();
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  GString *a = records (data, size, 65536);
  GString *b = records (data, size, 3);
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(GError) error = NULL;
  JcCsvReport *report;

  if (a->len != b->len || memcmp (a->str, b->str, a->len) != 0)
    __builtin_trap ();
  g_string_free (a, TRUE);
  g_string_free (b, TRUE);

  report = jc_csv_check_stream (in, schema, 50, rows_cb, NULL, NULL, NULL, &error);
  if (report == NULL || report->problems->len > 50)
    __builtin_trap ();
  for (guint i = 0; i < report->problems->len; i++)
    g_free (jc_csv_problem_format (g_ptr_array_index (report->problems, i)));
  jc_csv_report_free (report);
  return 0;
}
