#define G_LOG_DOMAIN "joconde-ctio"
#include "config.h"

#include "jc-ctio-protocol.h"
#include "jc-error.h"
#include "jc-schema.h"

static GInputStream *
input_of (GMemoryOutputStream *out)
{
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
  g_autoptr(GBytes) b = g_memory_output_stream_steal_as_bytes (out);
  return g_memory_input_stream_new_from_bytes (b);
}

static void
test_chunks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GBytes) a = NULL, b = NULL, end = NULL;

  g_assert_true (jc_ctio_chunk_write (out, "hello", 5, NULL, &error));
  g_assert_true (jc_ctio_chunk_write (out, "!", 1, NULL, &error));
  g_assert_true (jc_ctio_chunk_write (out, NULL, 0, NULL, &error));
  in = input_of (G_MEMORY_OUTPUT_STREAM (out));
  a = jc_ctio_chunk_read (in, NULL, &error);
  b = jc_ctio_chunk_read (in, NULL, &error);
  end = jc_ctio_chunk_read (in, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), "hello", 5);
  g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "!", 1);
  g_assert_cmpuint (g_bytes_get_size (end), ==, 0);
}

static void
test_bad_chunks (void)
{
  /* a length over the limit, and a chunk cut short */
  static const guint8 huge[] = { 0x7f, 0xff, 0xff, 0xff, 1, 2, 3 };
  static const guint8 short_chunk[] = { 0, 0, 0, 10, 'a', 'b' };
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in1 = g_memory_input_stream_new_from_data (huge, sizeof huge, NULL);
  g_autoptr(GInputStream) in2 = g_memory_input_stream_new_from_data (short_chunk, sizeof short_chunk, NULL);
  g_autoptr(GInputStream) in3 = g_memory_input_stream_new_from_data (short_chunk, 2, NULL);

  g_assert_null (jc_ctio_chunk_read (in1, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (jc_ctio_chunk_read (in2, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (jc_ctio_chunk_read (in3, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
}

static void
test_error_reply (void)
{
  g_autoptr(GError) in = g_error_new_literal (JC_ERROR, JC_ERROR_EXPIRED, "The input deadline has passed");
  g_autoptr(GError) out = NULL;
  g_autoptr(JsonNode) reply = jc_ctio_error_reply (in);
  g_autoptr(JsonNode) other = json_from_string ("{\"type\": \"io-ready\"}", NULL);

  g_assert_false (jc_ctio_reply_check (reply, "io-done", &out));
  g_assert_error (out, JC_ERROR, JC_ERROR_EXPIRED);
  g_assert_cmpstr (out->message, ==, "The input deadline has passed");
  g_clear_error (&out);
  g_assert_false (jc_ctio_reply_check (other, "io-done", &out));
  g_assert_error (out, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&out);
  g_assert_true (jc_ctio_reply_check (other, "io-ready", &out));
  for (int code = JC_ERROR_FAILED; code <= JC_ERROR_CANCELLED; code++)
    g_assert_cmpint (jc_ctio_error_code_from_name (jc_ctio_error_code_name (code)), ==, code);
  g_assert_cmpint (jc_ctio_error_code_from_name ("no-such-code"), ==, JC_ERROR_FAILED);
}

static void
test_schema (void)
{
  g_autoptr(GPtrArray) cols = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_column_free);
  static const char *const regions[] = { "north", "south", NULL };
  g_autoptr(JcEngineSchema) s = NULL;

  g_ptr_array_add (cols, jc_column_new ("id", JC_COLUMN_ID));
  g_ptr_array_add (cols, jc_column_new_category ("region", regions));
  g_ptr_array_add (cols, jc_column_new_decimal ("fee", 8, 2));
  s = jc_ctio_engine_schema_new ("subscribers", cols);
  g_assert_cmpstr (s->key, ==, "subscribers");
  g_assert_cmpuint (s->n_columns, ==, 3);
  g_assert_cmpint (s->columns[0].type, ==, JC_ENGINE_TYPE_ID);
  g_assert_cmpint (s->columns[1].type, ==, JC_ENGINE_TYPE_CATEGORY);
  g_assert_cmpuint (s->columns[1].n_codes, ==, 2);
  g_assert_cmpstr (s->columns[1].codes[1], ==, "south");
  g_assert_cmpint (s->columns[2].type, ==, JC_ENGINE_TYPE_DECIMAL);
  g_assert_cmpuint (s->columns[2].precision, ==, 8);
  g_assert_cmpuint (s->columns[2].scale, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ctio/chunks", test_chunks);
  g_test_add_func ("/ctio/bad-chunks", test_bad_chunks);
  g_test_add_func ("/ctio/error-reply", test_error_reply);
  g_test_add_func ("/ctio/schema", test_schema);
  return g_test_run ();
}
