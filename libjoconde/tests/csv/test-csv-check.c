#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "jc-csv-check.h"
#include "jc-csv-engine-schema.h"
#include "jc-csv-value.h"
#include "jc-error.h"

/* person_id ID, age INT, fee DECIMAL(6,2), active BOOL, born DATE, region CATEGORY(N,S) */
static GPtrArray *
make_schema (void)
{
  static const char *const regions[] = { "N", "S", NULL };
  GPtrArray *schema = jc_schema_new ();

  g_ptr_array_add (schema, jc_column_new ("person_id", JC_COLUMN_ID));
  g_ptr_array_add (schema, jc_column_new ("age", JC_COLUMN_INT));
  g_ptr_array_add (schema, jc_column_new_decimal ("fee", 6, 2));
  g_ptr_array_add (schema, jc_column_new ("active", JC_COLUMN_BOOL));
  g_ptr_array_add (schema, jc_column_new ("born", JC_COLUMN_DATE));
  g_ptr_array_add (schema, jc_column_new_category ("region", regions));
  return schema;
}

typedef struct {
  GString *out;
  guint    calls;
} Rows;

static gboolean
collect (const JcEngineValue *rows, gsize n_rows, gsize n_columns, gpointer user, GError **error)
{
  Rows *r = user;

  r->calls++;
  g_assert_cmpuint (n_rows, <=, JC_CSV_BATCH_ROWS);
  for (gsize i = 0; i < n_rows; i++)
    {
      for (gsize j = 0; j < n_columns; j++)
        {
          const JcEngineValue *v = &rows[i * n_columns + j];
          if (v->text)
            g_string_append_printf (r->out, "%s%.*s", j ? "," : "", (int) v->text_len, v->text);
          else
            g_string_append_printf (r->out, "%s%" G_GINT64_FORMAT, j ? "," : "", v->i);
        }
      g_string_append_c (r->out, '\n');
    }
  return TRUE;
}

static JcCsvReport *
check_text (const char *text, guint max, Rows *rows)
{
  g_autoptr(GPtrArray) schema = make_schema ();
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(GError) error = NULL;
  JcCsvReport *report = jc_csv_check_stream (in, schema, max, rows ? collect : NULL, NULL,
                                             rows, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static void
test_valid_and_converted (void)
{
  Rows rows = { g_string_new (NULL), 0 };
  /* Columns in another order than the schema; values come out in schema order. */
  g_autoptr(JcCsvReport) report = check_text (
    "region,born,active,fee,age,person_id\r\n"
    "S,1970-01-02,true,12.5,42,\"A-17, \"\"x\"\"\"\r\n"
    "N,1969-12-31,false,-0.07,-9223372036854775808,00042\r\n"
    "N,2000-02-29,true,9999.99,0,z\n", 10, &rows);
  g_autofree char *text = jc_csv_report_to_string (report);

  g_assert_cmpstr (text, ==, "");
  g_assert_true (jc_csv_report_ok (report));
  g_assert_cmpuint (report->n_rows, ==, 3);
  g_assert_cmpstr (rows.out->str, ==,
                   "A-17, \"x\",42,1250,1,1,1\n"
                   "00042,-9223372036854775808,-7,0,-1,0\n"
                   "z,0,999999,1,11016,0\n");
  g_assert_cmpuint (rows.calls, ==, 1);
  g_string_free (rows.out, TRUE);
}

static void
test_every_problem_with_row_and_column (void)
{
  g_autoptr(JcCsvReport) report = check_text (
    "person_id,age,fee,active,born,region\n"
    "1,x,1.234,yes,2023-02-30,E\n"
    "2,3\n"
    ",99999999999999999999,12345.6,TRUE,23-01-01,n\n"
    "3,4,1.5,false,2020-01-01,N\n", 100, NULL);
  g_autofree char *text = jc_csv_report_to_string (report);

  g_assert_false (jc_csv_report_ok (report));
  g_assert_cmpuint (report->n_rows, ==, 4);
  g_assert_cmpstr (text, ==,
    "Row 2, column 2 (age): “x” is not a whole number (or too large)\n"
    "Row 2, column 3 (fee): “1.234” has more than 2 digits after the point\n"
    "Row 2, column 4 (active): “yes” is neither true nor false\n"
    "Row 2, column 5 (born): “2023-02-30” is not a date written YYYY-MM-DD\n"
    "Row 2, column 6 (region): “E” is not one of the codes of this column\n"
    "Row 3: the row has 2 values, the header has 6\n"
    "Row 4, column 1 (person_id): the value is empty\n"
    "Row 4, column 2 (age): “99999999999999999999” is not a whole number (or too large)\n"
    "Row 4, column 3 (fee): “12345.6” is too large for DECIMAL(6,2)\n"
    "Row 4, column 4 (active): “TRUE” is neither true nor false\n"
    "Row 4, column 5 (born): “23-01-01” is not a date written YYYY-MM-DD\n"
    "Row 4, column 6 (region): “n” is not one of the codes of this column\n");
  g_assert_cmpuint (report->n_problems, ==, 12);
}

static void
test_more_value_problems (void)
{
  g_autoptr(GPtrArray) schema = make_schema ();
  const JcColumn *fee = g_ptr_array_index (schema, 2);
  const JcColumn *id = g_ptr_array_index (schema, 0);
  const char *bad_decimals[] = { "1.", ".5", "1,5", "1e3", "+1", "--1", "1.2.3", " 1" };
  JcEngineValue v;
  char *problem = NULL;
  char long_id[66];

  for (guint i = 0; i < G_N_ELEMENTS (bad_decimals); i++)
    {
      g_assert_false (jc_csv_value_parse (fee, NULL, bad_decimals[i], strlen (bad_decimals[i]),
                                          &v, &problem));
      g_assert_true (strstr (problem, "is not a decimal number") != NULL);
      g_clear_pointer (&problem, g_free);
    }
  g_assert_true (jc_csv_value_parse (fee, NULL, "0000.10", 7, &v, &problem));
  g_assert_cmpint (v.i, ==, 10);

  memset (long_id, 'a', 65);
  long_id[65] = 0;
  g_assert_true (jc_csv_value_parse (id, NULL, long_id, 64, &v, &problem));
  g_assert_cmpuint (v.text_len, ==, 64);
  g_assert_false (jc_csv_value_parse (id, NULL, long_id, 65, &v, &problem));
  g_assert_true (strstr (problem, "longer than 64 bytes") != NULL);
  g_clear_pointer (&problem, g_free);
  g_assert_false (jc_csv_value_parse (id, NULL, "\xff\xfe", 2, &v, &problem));
  g_assert_cmpstr (problem, ==, "the value is not UTF-8 text");
  g_clear_pointer (&problem, g_free);
}

static void
test_quote_is_safe (void)
{
  g_autofree char *q1 = jc_csv_value_quote ("a\nb\xe2\x80\xae", 6);
  g_autofree char *q2 = jc_csv_value_quote ("0123456789012345678901234567890123456789xyz", 43);

  g_assert_cmpstr (q1, ==, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  g_assert_cmpstr (q2, ==, "0123456789012345678901234567890123456789…");
}

static void
test_header_problems (void)
{
  Rows rows = { g_string_new (NULL), 0 };
  g_autoptr(JcCsvReport) report = check_text (
    "person_id,age,age,extra,active,born\n"
    "1,2,3,4,true,2020-01-01\n", 100, &rows);
  g_autofree char *text = jc_csv_report_to_string (report);

  g_assert_cmpstr (text, ==,
    "Row 1, column 3: the header names “age” a second time\n"
    "Row 1, column 4: the header names “extra”, which is not a column of this input\n"
    "Row 1: the header lacks the column “fee”\n"
    "Row 1: the header lacks the column “region”\n");
  /* Nothing of a file with a wrong header is converted. */
  g_assert_cmpuint (rows.calls, ==, 0);
  g_string_free (rows.out, TRUE);
}

static void
test_empty_and_broken_files (void)
{
  g_autoptr(JcCsvReport) empty = check_text ("", 10, NULL);
  g_autoptr(JcCsvReport) broken = check_text ("person_id,age,fee,active,born,region\n"
                                              "1,2,3.00,true,2020-01-01,N\n"
                                              "\"x,2\n", 10, NULL);
  g_autofree char *text = jc_csv_report_to_string (broken);

  g_assert_false (jc_csv_report_ok (empty));
  g_assert_cmpuint (empty->n_problems, ==, 1);
  g_assert_false (jc_csv_report_ok (broken));
  g_assert_false (broken->complete);
  g_assert_cmpuint (broken->n_rows, ==, 1);
  g_assert_cmpstr (text, ==, "Line 3: a quoted value is never closed (its quote opens here)\n");
}

static void
test_cap_counts_the_rest (void)
{
  GString *text = g_string_new ("person_id,age,fee,active,born,region\n");
  g_autoptr(JcCsvReport) report = NULL;
  g_autofree char *out = NULL;

  for (guint i = 0; i < 500; i++)
    g_string_append (text, "1,no,1,true,2020-01-01,N\n");
  report = check_text (text->str, 20, NULL);
  out = jc_csv_report_to_string (report);
  g_assert_cmpuint (report->problems->len, ==, 20);
  g_assert_cmpuint (report->n_problems, ==, 500);
  g_assert_true (g_str_has_suffix (out, "… and 480 more problems\n"));
  g_string_free (text, TRUE);
}

/* Many rows in batches: IDs of every batch survive the growth of its text store. */
static void
test_batches (void)
{
  GString *text = g_string_new ("person_id,age,fee,active,born,region\n");
  GString *expected = g_string_new (NULL);
  Rows rows = { g_string_new (NULL), 0 };
  g_autoptr(JcCsvReport) report = NULL;
  guint n = JC_CSV_BATCH_ROWS * 3 + 5;

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (text, "id-%u-%s,%u,%u.25,false,1970-01-01,S\n", i,
                              i % 7 ? "short" : "a-much-longer-identifier-text", i, i % 100);
      g_string_append_printf (expected, "id-%u-%s,%u,%u,0,0,1\n", i,
                              i % 7 ? "short" : "a-much-longer-identifier-text", i,
                              (i % 100) * 100 + 25);
    }
  report = check_text (text->str, 10, &rows);
  g_assert_true (jc_csv_report_ok (report));
  g_assert_cmpuint (report->n_rows, ==, n);
  g_assert_cmpuint (rows.calls, ==, 4);
  g_assert_cmpstr (rows.out->str, ==, expected->str);
  g_string_free (text, TRUE);
  g_string_free (expected, TRUE);
  g_string_free (rows.out, TRUE);
}

static void
test_engine_schema (void)
{
  g_autoptr(GPtrArray) schema = make_schema ();
  g_autoptr(JcCsvEngineSchema) es = jc_csv_engine_schema_new ("population", schema);

  g_assert_cmpstr (es->schema.key, ==, "population");
  g_assert_cmpuint (es->schema.n_columns, ==, 6);
  g_assert_cmpint (es->schema.columns[0].type, ==, JC_ENGINE_TYPE_ID);
  g_assert_cmpint (es->schema.columns[2].type, ==, JC_ENGINE_TYPE_DECIMAL);
  g_assert_cmpuint (es->schema.columns[2].precision, ==, 6);
  g_assert_cmpuint (es->schema.columns[2].scale, ==, 2);
  g_assert_cmpint (es->schema.columns[5].type, ==, JC_ENGINE_TYPE_CATEGORY);
  g_assert_cmpuint (es->schema.columns[5].n_codes, ==, 2);
  g_assert_cmpstr (es->schema.columns[5].codes[1], ==, "S");
}

static void
cancel_on_progress (guint64 bytes, gpointer user)
{
  g_cancellable_cancel (user);
}

static void
test_file_and_cancel (void)
{
  g_autoptr(GPtrArray) schema = make_schema ();
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  GString *text = g_string_new ("person_id,age,fee,active,born,region\n");
  int fd = g_file_open_tmp ("jc-csv-XXXXXX.csv", &path, &error);
  JcCsvReport *report;

  g_assert_no_error (error);
  close (fd);
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "%u,1,1,true,2020-01-01,N\n", i);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  file = g_file_new_for_path (path);

  report = jc_csv_check_file (file, schema, 10, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_rows, ==, 20000);
  jc_csv_report_free (report);

  report = jc_csv_check_file (file, schema, 10, NULL, cancel_on_progress, cancel, cancel, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_unlink (path);
  g_string_free (text, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/check/valid-and-converted", test_valid_and_converted);
  g_test_add_func ("/csv/check/every-problem", test_every_problem_with_row_and_column);
  g_test_add_func ("/csv/check/more-value-problems", test_more_value_problems);
  g_test_add_func ("/csv/check/quote-is-safe", test_quote_is_safe);
  g_test_add_func ("/csv/check/header-problems", test_header_problems);
  g_test_add_func ("/csv/check/empty-and-broken", test_empty_and_broken_files);
  g_test_add_func ("/csv/check/cap", test_cap_counts_the_rest);
  g_test_add_func ("/csv/check/batches", test_batches);
  g_test_add_func ("/csv/check/engine-schema", test_engine_schema);
  g_test_add_func ("/csv/check/file-and-cancel", test_file_and_cancel);
  return g_test_run ();
}
