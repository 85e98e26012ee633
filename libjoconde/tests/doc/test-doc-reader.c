#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "jc-doc.h"
#include "jc-error.h"
#include "jc-init.h"

/* Every kind of input the strict reader must refuse, with the place it must name. */
typedef struct {
  const char *name;
  const char *input;
  gssize len;          /* -1: strlen */
  const char *where;   /* "line L, column C (byte B)" expected in the message */
  const char *why;     /* a fragment of the reason */
} Bad;

static const Bad bad_inputs[] = {
  { "empty", "", -1, "line 1, column 1 (byte 0)", "empty" },
  { "only-space", "  \n ", -1, "line 2, column 2 (byte 4)", "empty" },
  { "bom", "\xef\xbb\xbf{}", -1, "(byte 0)", "byte order mark" },
  { "duplicate-key", "{\"a\": 1,\n \"a\": 2}", -1, "line 2, column 2 (byte 10)", "duplicate key “a”" },
  { "duplicate-key-escaped", "{\"a\":1,\"\\u0061\":2}", -1, "(byte 7)", "duplicate key “a”" },
  { "duplicate-key-nested", "{\"x\":{\"k\":true,\"k\":false}}", -1, "(byte 15)", "duplicate key “k”" },
  { "fraction", "[1.5]", -1, "(byte 1)", "fraction or an exponent" },
  { "fraction-zero", "{\"n\": 1.0}", -1, "(byte 6)", "fraction or an exponent" },
  { "exponent", "[1e3]", -1, "(byte 1)", "fraction or an exponent" },
  { "exponent-upper", "[2E0]", -1, "(byte 1)", "fraction or an exponent" },
  { "too-big", "[9007199254740992]", -1, "(byte 1)", "beyond ±9007199254740991" },
  { "too-small", "[-9007199254740992]", -1, "(byte 1)", "beyond ±9007199254740991" },
  { "too-many-digits", "[123456789012345678901234567890]", -1, "(byte 1)", "beyond" },
  { "leading-zero", "[01]", -1, "(byte 1)", "leading zeros" },
  { "leading-zero-negative", "[-007]", -1, "(byte 1)", "leading zeros" },
  { "minus-zero", "[-0]", -1, "(byte 1)", "“-0” is not allowed" },
  { "plus", "[+1]", -1, "(byte 1)", "unexpected “+”" },
  { "bare-minus", "[-]", -1, "(byte 1)", "not followed by a digit" },
  { "trailing-garbage", "{} x", -1, "line 1, column 4 (byte 3)", "after the end" },
  { "two-values", "1 2", -1, "(byte 2)", "after the end" },
  { "trailing-comma-array", "[1,]", -1, "(byte 3)", "unexpected “]”" },
  { "trailing-comma-object", "{\"a\":1,}", -1, "(byte 7)", "expected a key" },
  { "unquoted-key", "{a:1}", -1, "(byte 1)", "expected a key" },
  { "single-quotes", "['a']", -1, "(byte 1)", "unexpected “'”" },
  { "missing-colon", "{\"a\" 1}", -1, "(byte 5)", "expected “:”" },
  { "unterminated-array", "[1", -1, "(byte 2)", "“,” or “]”" },
  { "unterminated-string", "\"abc", -1, "(byte 4)", "not terminated" },
  { "control-in-string", "[\"a\tb\"]", -1, "line 1, column 4 (byte 3)", "control character U+0009" },
  { "newline-in-string", "[\"a\nb\"]", -1, "(byte 3)", "control character U+000A" },
  { "nul-byte", "[\"a\0b\"]", 7, "(byte 3)", "control character U+0000" },
  { "escaped-nul", "[\"\\u0000\"]", -1, "(byte 2)", "U+0000" },
  { "bad-escape", "[\"\\x41\"]", -1, "(byte 2)", "unknown escape" },
  { "short-unicode-escape", "[\"\\u12\"]", -1, "(byte 2)", "four hexadecimal digits" },
  { "lone-high-surrogate", "[\"\\ud83d\"]", -1, "(byte 2)", "lone surrogate \\uD83D" },
  { "lone-high-then-text", "[\"\\ud83dx\"]", -1, "(byte 2)", "lone surrogate" },
  { "high-then-high", "[\"\\ud83d\\ud83d\"]", -1, "(byte 2)", "lone surrogate" },
  { "lone-low-surrogate", "[\"ab\\ude00\"]", -1, "line 1, column 5 (byte 4)", "lone surrogate \\uDE00" },
  { "overlong-2", "[\"\xc0\xaf\"]", -1, "(byte 2)", "overlong" },
  { "overlong-3", "[\"\xe0\x80\xaf\"]", -1, "(byte 2)", "overlong" },
  { "overlong-4", "[\"\xf0\x80\x80\xaf\"]", -1, "(byte 2)", "overlong" },
  { "utf8-surrogate", "[\"\xed\xa0\x80\"]", -1, "(byte 2)", "surrogate" },
  { "beyond-10ffff", "[\"\xf4\x90\x80\x80\"]", -1, "(byte 2)", "beyond U+10FFFF" },
  { "lead-f5", "[\"\xf5\x80\x80\x80\"]", -1, "(byte 2)", "beyond U+10FFFF" },
  { "lone-continuation", "[\"\x80\"]", -1, "(byte 2)", "continuation byte" },
  { "cut-sequence", "[\"\xe2\x82\"]", -1, "(byte 2)", "cut short" },
  { "utf8-after-accent", "[\"é\xff\"]", -1, "line 1, column 4 (byte 4)", "invalid UTF-8" },
  { "bad-utf8-outside-string", "[\xc3\xa9]", -1, "(byte 1)", "byte 0xc3" },
  { "bad-literal", "[tru]", -1, "(byte 1)", "unexpected" },
  { "nan", "[NaN]", -1, "(byte 1)", "unexpected “N”" },
  { "comment", "{} // c", -1, "(byte 3)", "after the end" },
};

static void
test_refusals (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      const Bad *b = &bad_inputs[i];
      gsize len = b->len < 0 ? strlen (b->input) : (gsize) b->len;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = jc_doc_parse (b->input, len, NULL, &error);

      g_test_message ("case %s: %s", b->name, error ? error->message : "(accepted)");
      g_assert_null (node);
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, b->where));
      g_assert_nonnull (strstr (error->message, b->why));
    }
}

static void
test_accepts (void)
{
  const char *good[] = {
    "{}", "[]", "0", "-1", "9007199254740991", "-9007199254740991", "true", "false",
    "null", "\"\"", " \t\r\n{ \"a\" : [ 1 , -2 , \"x\" ] } \n",
    "\"\\ud83d\\ude00 \\u00e9 é \\/ \\b\\f\\n\\r\\t \\\" \\\\\"",
    "\"\xf4\x8f\xbf\xbf\"", /* U+10FFFF */
    "\"\xef\xbb\xbf\"",     /* U+FEFF inside a string is text, not a BOM */
    "{\"a\":{\"a\":{\"a\":1}},\"b\":[[],{}]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = jc_doc_parse (good[i], strlen (good[i]), NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (node);
    }
}

static void
test_values (void)
{
  const char *text = "{\"i\":-9007199254740991,\"s\":\"\\ud83d\\ude00\\n\",\"b\":true,\"z\":null,\"a\":[0]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = jc_doc_parse (text, strlen (text), NULL, &error);
  JsonObject *o;

  g_assert_no_error (error);
  o = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (o, "i"), ==, -JC_DOC_INT_MAX);
  g_assert_cmpstr (json_object_get_string_member (o, "s"), ==, "\xf0\x9f\x98\x80\n");
  g_assert_true (json_object_get_boolean_member (o, "b"));
  g_assert_true (json_object_get_null_member (o, "z"));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (o, "a")), ==, 1);
  g_assert_true (json_node_get_value_type (json_array_get_element (
                   json_object_get_array_member (o, "a"), 0)) == G_TYPE_INT64);
}

static void
test_limits (void)
{
  JcDocLimits limits;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) deep = g_string_new (NULL);

  jc_doc_limits_init (&limits);
  g_assert_cmpuint (limits.max_size, ==, 16u << 20);
  g_assert_cmpuint (limits.max_depth, ==, 64);

  /* Size: refused before parsing. */
  limits.max_size = 4;
  node = jc_doc_parse ("[1,2]", 5, &limits, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
  g_clear_error (&error);
  node = jc_doc_parse ("[12]", 4, &limits, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);

  /* Depth: exactly max_depth levels pass, one more fails where it happens. */
  jc_doc_limits_init (&limits);
  limits.max_depth = 3;
  node = jc_doc_parse ("[{\"a\":[]}]", 10, &limits, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = jc_doc_parse ("[{\"a\":[[]]}]", 12, &limits, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "(byte 7)"));
  g_clear_error (&error);

  /* The default depth stops a deeply nested document without exhausting the stack. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  node = jc_doc_parse (deep->str, deep->len, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "64 levels"));
  g_clear_error (&error);

  /* A caller cannot lift the depth past the hard limit. */
  limits.max_depth = G_MAXUINT;
  node = jc_doc_parse (deep->str, deep->len, &limits, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "512 levels"));
}

static void
test_position_columns_count_characters (void)
{
  /* "é" is two bytes but one column. */
  const char *text = "{\"é\":1,\n  \"é\":2}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = jc_doc_parse (text, strlen (text), NULL, &error);

  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "line 2, column 3 (byte 11): duplicate key “é”");
}

static void
test_read_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-doc-XXXXXX", &error);
  g_autofree char *good = g_build_filename (dir, "good.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JcDocLimits limits;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (good, "{\"a\": [1, 2]}\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad, "{\"a\": 1.5}", -1, NULL));

  node = jc_doc_read_file (good, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_clear_pointer (&node, json_node_unref);

  node = jc_doc_read_file (bad, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, bad));
  g_assert_nonnull (strstr (error->message, ": line 1, column 7 (byte 6): "));
  g_clear_error (&error);

  jc_doc_limits_init (&limits);
  limits.max_size = 8;
  node = jc_doc_read_file (good, &limits, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, good));
  g_clear_error (&error);

  node = jc_doc_read_file (missing, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, missing));
  g_clear_error (&error);

  g_unlink (good);
  g_unlink (bad);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/doc/reader/refusals", test_refusals);
  g_test_add_func ("/doc/reader/accepts", test_accepts);
  g_test_add_func ("/doc/reader/values", test_values);
  g_test_add_func ("/doc/reader/limits", test_limits);
  g_test_add_func ("/doc/reader/read-file", test_read_file);
  g_test_add_func ("/doc/reader/position-columns", test_position_columns_count_characters);
  return g_test_run ();
}
