#define G_LOG_DOMAIN "joconde-doc"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"

/* RFC 8785 (JSON Canonicalization Scheme) over the integer-only subset of JSON that
 * documents use: no whitespace, object members sorted by the UTF-16 code units of their
 * names (§3.2.3), strings escaped as ECMAScript's JSON.stringify does (§3.2.2.2), and
 * integers in plain decimal, which is what the ECMAScript number serialisation of §3.2.2.3
 * gives for every integer of magnitude below 2^53. */

/* Decodes the code point at *P (valid UTF-8) and advances *P. */
static gunichar
next_code_point (const char **p)
{
  gunichar c = g_utf8_get_char (*p);
  *p = g_utf8_next_char (*p);
  return c;
}

/* The first UTF-16 code unit of C, and in *SECOND the second one (0 for the BMP). */
static guint16
utf16_units (gunichar c, guint16 *second)
{
  if (c < 0x10000)
    {
      *second = 0;
      return (guint16) c;
    }
  c -= 0x10000;
  *second = (guint16) (0xdc00 + (c & 0x3ff));
  return (guint16) (0xd800 + (c >> 10));
}

int
jc_doc_compare_keys (const char *a, const char *b)
{
  while (*a && *b)
    {
      gunichar ca = next_code_point (&a), cb = next_code_point (&b);
      guint16 a2, b2, a1, b1;

      if (ca == cb)
        continue;
      a1 = utf16_units (ca, &a2);
      b1 = utf16_units (cb, &b2);
      if (a1 != b1)
        return a1 < b1 ? -1 : 1;
      /* Same high surrogate: the low surrogates decide (they differ since ca != cb). */
      return a2 < b2 ? -1 : 1;
    }
  if (*a == *b)
    return 0;
  return *a ? 1 : -1;
}

static void
append_string (GString *out, const char *s)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20)
            {
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[*p >> 4]);
              g_string_append_c (out, hex[*p & 0xf]);
            }
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static gint
compare_members (gconstpointer a, gconstpointer b)
{
  return jc_doc_compare_keys (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
refuse (GError **error, const char *message)
{
  g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
append_node (GString *out, JsonNode *node, guint depth, GError **error)
{
  if (depth > JC_DOC_MAX_DEPTH_LIMIT)
    return refuse (error, _("the document is nested too deeply to be canonicalised"));

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      return TRUE;

    case JSON_NODE_VALUE:
      {
        GType t = json_node_get_value_type (node);
        if (t == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (t == G_TYPE_INT64)
          {
            gint64 v = json_node_get_int (node);
            if (v > JC_DOC_INT_MAX || v < -JC_DOC_INT_MAX)
              return refuse (error, _("an integer beyond ±9007199254740991 (2^53 − 1) cannot be in a document"));
            g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
          }
        else if (t == G_TYPE_STRING)
          {
            const char *s = json_node_get_string (node);
            if (!g_utf8_validate (s, -1, NULL))
              return refuse (error, _("a string that is not valid UTF-8 cannot be in a document"));
            append_string (out, s);
          }
        else
          return refuse (error, _("a floating-point number cannot be in a document (integers only)"));
        return TRUE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            if (!append_node (out, json_array_get_element (array, i), depth + 1, error))
              return FALSE;
          }
        g_string_append_c (out, ']');
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GPtrArray) names = g_ptr_array_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, object);
        while (json_object_iter_next (&iter, &name, &member))
          {
            if (!g_utf8_validate (name, -1, NULL))
              return refuse (error, _("a key that is not valid UTF-8 cannot be in a document"));
            g_ptr_array_add (names, (gpointer) name);
          }
        g_ptr_array_sort (names, compare_members);
        g_string_append_c (out, '{');
        for (guint i = 0; i < names->len; i++)
          {
            const char *key = g_ptr_array_index (names, i);
            if (i > 0)
              g_string_append_c (out, ',');
            append_string (out, key);
            g_string_append_c (out, ':');
            if (!append_node (out, json_object_get_member (object, key), depth + 1, error))
              return FALSE;
          }
        g_string_append_c (out, '}');
        return TRUE;
      }
    }
  return refuse (error, _("unknown kind of JSON node"));
}

GBytes *
jc_doc_canonicalize (JsonNode *tree, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (tree != NULL, NULL);
  if (!append_node (out, tree, 0, error))
    return NULL;
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
jc_doc_canonicalize_text (const char *data, gsize len, const JcDocLimits *limits,
                          GError **error)
{
  g_autoptr(JsonNode) tree = jc_doc_parse (data, len, limits, error);

  if (tree == NULL)
    return NULL;
  return jc_doc_canonicalize (tree, error);
}

gboolean
jc_doc_hash (JsonNode *tree, guint8 out[JC_DOC_HASH_SIZE], GError **error)
{
  g_autoptr(GBytes) canon = jc_doc_canonicalize (tree, error);
  gsize len;
  const guint8 *data;

  if (canon == NULL)
    return FALSE;
  data = g_bytes_get_data (canon, &len);
  crypto_hash_sha256 (out, data, len);
  return TRUE;
}

char *
jc_doc_hash_hex (JsonNode *tree, GError **error)
{
  guint8 digest[JC_DOC_HASH_SIZE];

  if (!jc_doc_hash (tree, digest, error))
    return NULL;
  return jc_hex_encode (digest, sizeof digest);
}
