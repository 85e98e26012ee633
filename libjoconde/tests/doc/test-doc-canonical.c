#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-doc.h"
#include "jc-error.h"
#include "jc-init.h"
#include "../test-docs.h"

static char *
canon (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = jc_doc_canonicalize_text (text, strlen (text), NULL, &error);
  gsize len;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

/* RFC 8785 §3.2.2 (the example of "string" and "literals"; its "numbers" member has
 * fractions and exponents, which documents do not allow). Source: RFC 8785, "JSON
 * Canonicalization Scheme (JCS)", A. Rundgren, B. Jordan, S. Erdtman, June 2020,
 * https://www.rfc-editor.org/rfc/rfc8785 (text as at tech-invite.com/y85/tinv-ietf-rfc-8785.html). */
static void
test_rfc8785_strings_and_literals (void)
{
  g_autofree char *out = canon (
    "{\n"
    "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
    "  \"literals\": [null, true, false]\n"
    "}");

  g_assert_cmpstr (out, ==,
                   "{\"literals\":[null,true,false],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 §3.2.3: sorting of property names by UTF-16 code units, including a
 * non-BMP character (U+1F600, sorted by its surrogates D83D DE00 before U+FB33). */
static void
test_rfc8785_sorting (void)
{
  g_autofree char *out = canon (
    "{\n"
    "  \"\\u20ac\": \"Euro Sign\",\n"
    "  \"\\r\": \"Carriage Return\",\n"
    "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
    "  \"1\": \"One\",\n"
    "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
    "  \"\\u0080\": \"Control\",\n"
    "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
    "}");

  g_assert_cmpstr (out, ==,
                   "{\"\\r\":\"Carriage Return\","
                   "\"1\":\"One\","
                   "\"\xc2\x80\":\"Control\","
                   "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
                   "\"\xe2\x82\xac\":\"Euro Sign\","
                   "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                   "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* RFC 8785 §3.2.3: sorting ignores locale. */
static void
test_rfc8785_locale_free (void)
{
  g_autofree char *out = canon (
    "{\"sin\": \"ignore locale\", \"p\\u00eache\": \"but canonicalization MUST\","
    " \"peach\": \"This sorting order\", \"p\\u00e9ch\\u00e9\": \"is wrong according to French\"}");

  g_assert_cmpstr (out, ==,
                   "{\"peach\":\"This sorting order\","
                   "\"p\xc3\xa9" "ch\xc3\xa9\":\"is wrong according to French\","
                   "\"p\xc3\xaa" "che\":\"but canonicalization MUST\","
                   "\"sin\":\"ignore locale\"}");
}

static void
test_compare_keys_utf16 (void)
{
  /* U+E000 sorts after U+10000 in UTF-16 order (E000 > D800), before it in code points. */
  g_assert_cmpint (jc_doc_compare_keys ("\xee\x80\x80", "\xf0\x90\x80\x80"), >, 0);
  g_assert_cmpint (jc_doc_compare_keys ("\xf0\x90\x80\x80", "\xee\x80\x80"), <, 0);
  /* Two non-BMP characters with the same high surrogate: the low one decides. */
  g_assert_cmpint (jc_doc_compare_keys ("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x81"), <, 0);
  g_assert_cmpint (jc_doc_compare_keys ("a", "ab"), <, 0);
  g_assert_cmpint (jc_doc_compare_keys ("ab", "a"), >, 0);
  g_assert_cmpint (jc_doc_compare_keys ("", ""), ==, 0);
  g_assert_cmpint (jc_doc_compare_keys ("B", "a"), <, 0);
}

static void
test_escaping (void)
{
  g_autofree char *out = canon (
    "[\"\\u0001\\u001f\\u007f\\u2028 </>\", \"\\b\\f\\n\\r\\t\", \"\\u00e9\", -42, 0, 9007199254740991]");

  /* Control characters below U+0020 without a short form take \u00xx in lowercase;
   * DEL, U+2028 and "/" are written as they are. */
  g_assert_cmpstr (out, ==,
                   "[\"\\u0001\\u001f\x7f\xe2\x80\xa8 </>\",\"\\b\\f\\n\\r\\t\",\"\xc3\xa9\",-42,0,9007199254740991]");
}

static void
test_whitespace_and_order_do_not_change_hash (void)
{
  const char *a = "{\"b\": [1, 2, {\"y\": null, \"x\": \"s\"}], \"a\": true}";
  const char *b = "{\n  \"a\" : true ,\n  \"b\" : [ 1 , 2 , { \"x\" : \"\\u0073\" , \"y\" : null } ]\n}\n";
  g_autoptr(JsonNode) na = jc_doc_parse (a, strlen (a), NULL, NULL);
  g_autoptr(JsonNode) nb = jc_doc_parse (b, strlen (b), NULL, NULL);
  g_autofree char *ha = jc_doc_hash_hex (na, NULL);
  g_autofree char *hb = jc_doc_hash_hex (nb, NULL);
  const char *c = "{\"a\":true,\"b\":[2,1,{\"x\":\"s\",\"y\":null}]}"; /* array order matters */
  g_autoptr(JsonNode) nc = jc_doc_parse (c, strlen (c), NULL, NULL);
  g_autofree char *hc = jc_doc_hash_hex (nc, NULL);

  g_assert_nonnull (ha);
  g_assert_cmpstr (ha, ==, hb);
  g_assert_cmpuint (strlen (ha), ==, 64);
  g_assert_cmpstr (ha, !=, hc);
}

/* The hash is SHA-256 of the canonical bytes, checked against GLib's independent SHA-256. */
static void
test_hash_is_sha256_of_canonical (void)
{
  g_autoptr(JsonNode) node = jc_doc_parse ("{ \"a\" : 1 }", 11, NULL, NULL);
  g_autofree char *hex = jc_doc_hash_hex (node, NULL);
  g_autofree char *expect = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "{\"a\":1}", -1);
  guint8 raw[JC_DOC_HASH_SIZE];

  g_assert_cmpstr (hex, ==, expect);
  g_assert_true (jc_doc_hash (node, raw, NULL));
  g_assert_cmpuint (raw[0], ==, (guint) g_ascii_xdigit_value (hex[0]) * 16 + g_ascii_xdigit_value (hex[1]));
}

static void
test_refuses_trees_outside_the_subset (void)
{
  g_autoptr(JsonNode) dbl = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) big = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) bad = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  json_node_set_double (dbl, 1.5);
  out = jc_doc_canonicalize (dbl, &error);
  g_assert_null (out);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  json_node_set_int (big, JC_DOC_INT_MAX + 1);
  out = jc_doc_canonicalize (big, &error);
  g_assert_null (out);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  json_node_set_string (bad, "\xc0\xaf");
  out = jc_doc_canonicalize (bad, &error);
  g_assert_null (out);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
}

/* The worked examples of docs/hashing.md: every ```input block is followed by a
 * ```canonical and a ```sha256 block. The test recomputes them so the document and the
 * code cannot drift apart. */
static void
test_hashing_md_examples (void)
{
  g_autofree char *text = test_docs_read ("hashing.md");
  g_autoptr(GError) error = NULL;
  const char *cursor = text;
  guint n = 0;

  for (;;)
    {
      g_autofree char *input = test_docs_next_block (&cursor, "input");
      g_autofree char *expect_canon = NULL, *expect_hash = NULL, *got_hash = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GBytes) got = NULL;

      if (input == NULL)
        break;
      expect_canon = test_docs_next_block (&cursor, "canonical");
      expect_hash = test_docs_next_block (&cursor, "sha256");
      g_assert_nonnull (expect_canon);
      g_assert_nonnull (expect_hash);
      node = jc_doc_parse (input, strlen (input), NULL, &error);
      g_assert_no_error (error);
      got = jc_doc_canonicalize (node, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                       expect_canon, strlen (expect_canon));
      got_hash = jc_doc_hash_hex (node, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got_hash, ==, expect_hash);
      n++;
    }
  g_test_message ("%u worked examples checked", n);
  g_assert_cmpuint (n, >=, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/doc/canonical/rfc8785-strings-literals", test_rfc8785_strings_and_literals);
  g_test_add_func ("/doc/canonical/rfc8785-sorting", test_rfc8785_sorting);
  g_test_add_func ("/doc/canonical/rfc8785-locale-free", test_rfc8785_locale_free);
  g_test_add_func ("/doc/canonical/compare-keys-utf16", test_compare_keys_utf16);
  g_test_add_func ("/doc/canonical/escaping", test_escaping);
  g_test_add_func ("/doc/canonical/whitespace-order", test_whitespace_and_order_do_not_change_hash);
  g_test_add_func ("/doc/canonical/hash-is-sha256", test_hash_is_sha256_of_canonical);
  g_test_add_func ("/doc/canonical/refuses-non-subset", test_refuses_trees_outside_the_subset);
  g_test_add_func ("/doc/canonical/hashing-md-examples", test_hashing_md_examples);
  return g_test_run ();
}
