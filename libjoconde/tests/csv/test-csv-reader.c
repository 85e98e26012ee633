#include "config.h"

#include <string.h>

#include "jc-csv-reader.h"
#include "jc-error.h"

/* Reads TEXT with a read buffer of BUFSIZE and returns its records as "a|b|c" lines, or
 * "ERROR: message" at the first error. */
static char *
read_all (const char *text, gsize len, gsize bufsize)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (text, len, NULL);
  g_autoptr(JcCsvReader) reader = jc_csv_reader_new (in);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  if (bufsize)
    jc_csv_reader_set_buffer_size (reader, bufsize);
  while (jc_csv_reader_next (reader, NULL, &error))
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT ":", jc_csv_reader_line (reader));
      for (guint i = 0; i < jc_csv_reader_n_fields (reader); i++)
        {
          g_assert_cmpuint (strlen (jc_csv_reader_field (reader, i)), ==,
                            jc_csv_reader_field_len (reader, i));
          g_string_append_printf (out, "%s%s", i ? "|" : "", jc_csv_reader_field (reader, i));
        }
      g_string_append_c (out, '\n');
    }
  if (error)
    g_string_append_printf (out, "ERROR: %s", error->message);
  return g_string_free (out, FALSE);
}

static void
expect (const char *text, const char *expected)
{
  /* The same records whatever the read buffer, so no state is lost between reads. */
  gsize sizes[] = { 0, 1, 2, 3, 7 };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *got = read_all (text, strlen (text), sizes[i]);
      g_assert_cmpstr (got, ==, expected);
    }
}

static void
test_simple (void)
{
  expect ("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
  expect ("a,b,c\r\n1,2,3\r\n", "1:a|b|c\n2:1|2|3\n");
  expect ("a,b\r1,2\r", "1:a|b\n2:1|2\n");
  /* No line break after the last record. */
  expect ("a,b\n1,2", "1:a|b\n2:1|2\n");
  /* Empty fields, a trailing separator. */
  expect ("a,,c\n,\n", "1:a||c\n2:|\n");
  expect ("x,\n", "1:x|\n");
  expect ("", "");
}

static void
test_quoted (void)
{
  expect ("\"a,b\",\"say \"\"hi\"\"\"\n", "1:a,b|say \"hi\"\n");
  /* A line break inside quotes belongs to the value; the next record starts two lines on. */
  expect ("\"multi\nline\",x\r\nnext,y\n", "1:multi\nline|x\n3:next|y\n");
  expect ("\"\",\"\"\n", "1:|\n");
  expect ("\"end\"", "1:end\n");
}

static void
test_bom_and_blank_lines (void)
{
  expect ("\xEF\xBB\xBFid,v\n1,2\n", "1:id|v\n2:1|2\n");
  /* A partial byte order mark is data. */
  expect ("\xEF\xBBx\n", "1:\xEF\xBBx\n");
  expect ("a\n\n\r\nb\n\n", "1:a\n4:b\n");
}

static void
test_errors (void)
{
  expect ("a,\"open\n1,2\n", "ERROR: Line 1: a quoted value is never closed (its quote opens here)");
  expect ("ok\nab\"c\n", "1:ok\nERROR: Line 2: a quote inside a value that does not start with a quote "
          "(write the whole value in quotes and double the quote)");
  expect ("\"a\"b\n", "ERROR: Line 1: text after the closing quote of a value");
}

static void
test_limits (void)
{
  GString *big = g_string_new (NULL);
  g_autofree char *got = NULL;

  g_string_append (big, "x,");
  for (guint i = 0; i < JC_CSV_MAX_FIELD_LEN + 1; i++)
    g_string_append_c (big, 'a');
  got = read_all (big->str, big->len, 0);
  g_assert_true (g_str_has_prefix (got, "ERROR: Line 1: a value is longer than"));
  g_string_free (big, TRUE);

  big = g_string_new (NULL);
  for (guint i = 0; i < JC_CSV_MAX_FIELDS + 1; i++)
    g_string_append (big, ",");
  g_free (got);
  got = read_all (big->str, big->len, 0);
  g_assert_true (g_str_has_prefix (got, "ERROR: Line 1: the row has more than"));
  g_string_free (big, TRUE);
}

static void
test_error_is_sticky (void)
{
  const char *text = "\"a\"b\nc\n";
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(JcCsvReader) reader = jc_csv_reader_new (in);
  g_autoptr(GError) error = NULL;

  g_assert_false (jc_csv_reader_next (reader, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* After a broken structure nothing more is read. */
  g_assert_false (jc_csv_reader_next (reader, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
}

static void
test_nul_byte (void)
{
  static const char text[] = "a\0b,c\n";
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (text, sizeof text - 1, NULL);
  g_autoptr(JcCsvReader) reader = jc_csv_reader_new (in);

  g_assert_true (jc_csv_reader_next (reader, NULL, NULL));
  g_assert_cmpuint (jc_csv_reader_n_fields (reader), ==, 2);
  g_assert_cmpuint (jc_csv_reader_field_len (reader, 0), ==, 3);
  g_assert_cmpuint (jc_csv_reader_bytes_read (reader), ==, sizeof text - 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/reader/simple", test_simple);
  g_test_add_func ("/csv/reader/quoted", test_quoted);
  g_test_add_func ("/csv/reader/bom-and-blank-lines", test_bom_and_blank_lines);
  g_test_add_func ("/csv/reader/errors", test_errors);
  g_test_add_func ("/csv/reader/limits", test_limits);
  g_test_add_func ("/csv/reader/error-is-sticky", test_error_is_sticky);
  g_test_add_func ("/csv/reader/nul-byte", test_nul_byte);
  return g_test_run ();
}
