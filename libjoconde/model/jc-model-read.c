#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-time.h"
#include "jc-uuid.h"

#define LINE_MAX_CHARS 200
#define SHORT_MAX_BYTES 64
#define NODE_NAME_MAX_CHARS 64
/* Base64url values (certificates, files, signatures) are bounded by the document size. */
#define BASE64_MAX_LEN ((gsize) 16 << 20)

static gboolean
is_identifier_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_plain_key (const char *key)
{
  if (!is_identifier_start (*key) || strlen (key) > SHORT_MAX_BYTES)
    return FALSE;
  for (const char *p = key; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

char *
jc_quote (const char *value)
{
  GString *out = g_string_new ("\"");
  const char *p = value;

  for (glong n = 0; *p && n < 80; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        g_string_append_printf (out, "\\u%04x", c);
      else if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else
        g_string_append_unichar (out, c);
    }
  g_string_append (out, *p ? "\"…" : "\"");
  return g_string_free (out, FALSE);
}

char *
jc_path_member (const char *parent, const char *key)
{
  if (!is_plain_key (key))
    {
      g_autofree char *quoted = jc_quote (key);
      return g_strdup_printf ("%s[%s]", parent, quoted);
    }
  if (parent == NULL || *parent == '\0')
    return g_strdup (key);
  return g_strdup_printf ("%s.%s", parent, key);
}

char *
jc_path_index (const char *parent, guint index)
{
  return g_strdup_printf ("%s[%u]", parent ? parent : "", index);
}

static const char *
kind_of (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT: return _("an object");
    case JSON_NODE_ARRAY: return _("an array");
    case JSON_NODE_NULL: return _("null");
    case JSON_NODE_VALUE:
      {
        GType t = json_node_get_value_type (node);
        if (t == G_TYPE_STRING)
          return _("a string");
        if (t == G_TYPE_BOOLEAN)
          return _("a boolean");
        if (t == G_TYPE_INT64)
          return _("an integer");
        return _("a number");
      }
    }
  return "?";
}

static gboolean
is_value_of (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
jc_obj_reader_init (JcObjReader *r, JsonNode *node, const char *path, JcProblems *problems)
{
  r->problems = problems;
  r->path = g_strdup (path ? path : "");
  r->used = g_hash_table_new (g_str_hash, g_str_equal);
  r->object = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (node != NULL)
        jc_problems_add (problems, r->path, _("must be an object, not %s"), kind_of (node));
      return FALSE;
    }
  r->object = json_node_get_object (node);
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return jc_doc_compare_keys (*(const char *const *) a, *(const char *const *) b);
}

void
jc_obj_reader_finish (JcObjReader *r)
{
  if (r->object != NULL)
    {
      /* Sorted so that the problems come in the same order for every reader. */
      g_autoptr(GPtrArray) unknown = g_ptr_array_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, r->object);
      while (json_object_iter_next (&iter, &name, &member))
        if (!g_hash_table_contains (r->used, name))
          g_ptr_array_add (unknown, (gpointer) name);
      g_ptr_array_sort (unknown, compare_strings);
      for (guint i = 0; i < unknown->len; i++)
        {
          g_autofree char *path = jc_path_member (r->path, g_ptr_array_index (unknown, i));
          jc_problems_add (r->problems, path, _("unknown field"));
        }
    }
  g_hash_table_unref (r->used);
  g_free (r->path);
  memset (r, 0, sizeof *r);
}

JsonNode *
jc_obj_member (JcObjReader *r, const char *key, gboolean required)
{
  JsonNode *node;

  if (r->object == NULL)
    return NULL;
  g_hash_table_add (r->used, (gpointer) key);
  node = json_object_get_member (r->object, key);
  if (node == NULL && required)
    {
      g_autofree char *path = jc_path_member (r->path, key);
      jc_problems_add (r->problems, path, _("is missing"));
    }
  return node;
}

gboolean
jc_obj_header (JcObjReader *r, const char *type)
{
  JsonNode *t = jc_obj_member (r, "type", TRUE);
  JsonNode *v = jc_obj_member (r, "version", TRUE);
  g_autofree char *tpath = jc_path_member (r->path, "type");
  g_autofree char *vpath = jc_path_member (r->path, "version");
  gboolean ok = t != NULL && v != NULL;

  if (t != NULL)
    {
      if (!is_value_of (t, G_TYPE_STRING))
        {
          jc_problems_add (r->problems, tpath, _("must be a string, not %s"), kind_of (t));
          ok = FALSE;
        }
      else if (strcmp (json_node_get_string (t), type) != 0)
        {
          g_autofree char *got = jc_quote (json_node_get_string (t));
          jc_problems_add (r->problems, tpath, _("must be \"%s\", not %s"), type, got);
          ok = FALSE;
        }
    }
  if (v != NULL)
    {
      if (!is_value_of (v, G_TYPE_INT64))
        {
          jc_problems_add (r->problems, vpath, _("must be an integer, not %s"), kind_of (v));
          ok = FALSE;
        }
      else if (json_node_get_int (v) != 1)
        {
          jc_problems_add (r->problems, vpath,
                           _("version %" PRId64 " is not supported (this build reads version 1)"),
                           (int64_t) json_node_get_int (v));
          ok = FALSE;
        }
    }
  return ok;
}

static gboolean
check_text (const char *s, const char *path, JcTextKind kind, JcProblems *problems)
{
  gsize bytes = strlen (s);
  glong chars = g_utf8_strlen (s, -1);

  switch (kind)
    {
    case JC_TEXT_ANY:
      return TRUE;
    case JC_TEXT_IDENTIFIER:
      if (bytes == 0 || bytes > SHORT_MAX_BYTES || !is_plain_key (s))
        {
          g_autofree char *q = jc_quote (s);
          jc_problems_add (problems, path,
                           _("%s is not a name of letters, digits and “_” that starts with a letter or “_” (at most 64)"), q);
          return FALSE;
        }
      return TRUE;
    case JC_TEXT_NODE_NAME:
      /* As pki/jc-node-identity.h allows for a node's name (its certificate's CN). */
      if (bytes == 0 || chars > NODE_NAME_MAX_CHARS)
        {
          g_autofree char *q = jc_quote (s);
          jc_problems_add (problems, path, _("%s is not a node name (1 to %d characters)"),
                           q, NODE_NAME_MAX_CHARS);
          return FALSE;
        }
      break;
    case JC_TEXT_LINE:
    case JC_TEXT_CODE:
    case JC_TEXT_BLOCK:
    case JC_TEXT_BLOCK_OR_EMPTY:
      break;
    }

  if (bytes == 0 && kind != JC_TEXT_BLOCK_OR_EMPTY && kind != JC_TEXT_NODE_NAME)
    {
      jc_problems_add (problems, path, _("must not be empty"));
      return FALSE;
    }
  if (kind == JC_TEXT_LINE && chars > LINE_MAX_CHARS)
    {
      jc_problems_add (problems, path, _("is longer than %d characters"), LINE_MAX_CHARS);
      return FALSE;
    }
  if (kind == JC_TEXT_CODE && bytes > SHORT_MAX_BYTES)
    {
      jc_problems_add (problems, path, _("is longer than %d bytes"), SHORT_MAX_BYTES);
      return FALSE;
    }
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean multiline = kind == JC_TEXT_BLOCK || kind == JC_TEXT_BLOCK_OR_EMPTY;
      if (multiline && (c == '\n' || c == '\t'))
        continue;
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
        {
          jc_problems_add (problems, path,
                           multiline ? _("contains the control character U+%04X (only line feeds and tabs are allowed)")
                                     : _("contains the control character U+%04X (one line of text is expected)"),
                           c);
          return FALSE;
        }
    }
  return TRUE;
}

char *
jc_node_string (JsonNode *node, const char *path, JcTextKind kind, JcProblems *problems)
{
  const char *s;

  if (!is_value_of (node, G_TYPE_STRING))
    {
      jc_problems_add (problems, path, _("must be a string, not %s"), kind_of (node));
      return NULL;
    }
  s = json_node_get_string (node);
  if (!check_text (s, path, kind, problems))
    return NULL;
  return g_strdup (s);
}

char *
jc_obj_string (JcObjReader *r, const char *key, JcTextKind kind, gboolean required)
{
  JsonNode *node = jc_obj_member (r, key, required);
  g_autofree char *path = NULL;

  if (node == NULL)
    return NULL;
  path = jc_path_member (r->path, key);
  return jc_node_string (node, path, kind, r->problems);
}

gboolean
jc_node_int (JsonNode *node, const char *path, gint64 min, gint64 max, gint64 *out,
             JcProblems *problems)
{
  gint64 v;

  if (!is_value_of (node, G_TYPE_INT64))
    {
      jc_problems_add (problems, path, _("must be an integer, not %s"), kind_of (node));
      return FALSE;
    }
  v = json_node_get_int (node);
  if (v < min || v > max)
    {
      if (max == G_MAXINT64 || max >= JC_DOC_INT_MAX)
        jc_problems_add (problems, path, _("%" PRId64 " is below the smallest allowed value %" PRId64),
                         (int64_t) v, (int64_t) min);
      else
        jc_problems_add (problems, path,
                         _("%" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")"),
                         (int64_t) v, (int64_t) min, (int64_t) max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
jc_obj_int (JcObjReader *r, const char *key, gint64 min, gint64 max, gint64 *out)
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;

  if (node == NULL)
    return FALSE;
  path = jc_path_member (r->path, key);
  return jc_node_int (node, path, min, max, out, r->problems);
}

gboolean
jc_obj_bool (JcObjReader *r, const char *key, gboolean *out)
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;

  if (node == NULL)
    return FALSE;
  if (!is_value_of (node, G_TYPE_BOOLEAN))
    {
      path = jc_path_member (r->path, key);
      jc_problems_add (r->problems, path, _("must be true or false, not %s"), kind_of (node));
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

JsonArray *
jc_obj_array (JcObjReader *r, const char *key, gsize min_len, gboolean required)
{
  JsonNode *node = jc_obj_member (r, key, required);
  g_autofree char *path = NULL;
  JsonArray *array;

  if (node == NULL)
    return NULL;
  path = jc_path_member (r->path, key);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      jc_problems_add (r->problems, path, _("must be an array, not %s"), kind_of (node));
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) < min_len)
    {
      if (min_len == 1)
        jc_problems_add (r->problems, path, _("must not be empty"));
      else
        jc_problems_add (r->problems, path, _("must have at least %zu entries"), min_len);
    }
  return array;
}

void
jc_obj_items (JcObjReader *r, const char *key, gsize min_len, guint max_len,
              JcItemReader read, gboolean keep_null, GPtrArray *into)
{
  JsonArray *array = jc_obj_array (r, key, min_len, TRUE);
  g_autofree char *path = jc_path_member (r->path, key);
  guint n;

  if (array == NULL)
    return;
  n = json_array_get_length (array);
  if (n > max_len)
    {
      jc_problems_add (r->problems, path, _("has more than %u entries"), max_len);
      n = max_len;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ipath = jc_path_index (path, i);
      gpointer item = read (json_array_get_element (array, i), ipath, r->problems);
      if (item != NULL || keep_null)
        g_ptr_array_add (into, item);
    }
}

gboolean
jc_obj_time (JcObjReader *r, const char *key, gint64 *out)
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;
  g_autofree char *s = NULL;
  g_autoptr(GError) error = NULL;

  if (node == NULL)
    return FALSE;
  path = jc_path_member (r->path, key);
  s = jc_node_string (node, path, JC_TEXT_ANY, r->problems);
  if (s == NULL)
    return FALSE;
  if (!jc_time_parse_canonical (s, out, &error))
    {
      jc_problems_add (r->problems, path, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_node_hex_into (JsonNode *node, const char *path, guint8 *out, gsize len, JcProblems *problems)
{
  g_autofree char *s = jc_node_string (node, path, JC_TEXT_ANY, problems);
  gboolean ok;

  if (s == NULL)
    return FALSE;
  ok = strlen (s) == len * 2;
  for (const char *p = s; ok && *p; p++)
    ok = g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f');
  if (!ok)
    {
      g_autofree char *q = jc_quote (s);
      jc_problems_add (problems, path, _("%s is not %zu lowercase hexadecimal digits"), q, len * 2);
      return FALSE;
    }
  return jc_hex_decode_into (s, out, len, NULL);
}

gboolean
jc_obj_hash (JcObjReader *r, const char *key, guint8 out[JC_DOC_HASH_SIZE])
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;

  if (node == NULL)
    return FALSE;
  path = jc_path_member (r->path, key);
  return jc_node_hex_into (node, path, out, JC_DOC_HASH_SIZE, r->problems);
}

char *
jc_obj_uuid (JcObjReader *r, const char *key)
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;
  g_autofree char *s = NULL;

  if (node == NULL)
    return NULL;
  path = jc_path_member (r->path, key);
  s = jc_node_string (node, path, JC_TEXT_ANY, r->problems);
  if (s == NULL)
    return NULL;
  if (!jc_uuid_is_v4 (s))
    {
      g_autofree char *q = jc_quote (s);
      jc_problems_add (r->problems, path,
                       _("%s is not a version-4 UUID in lowercase (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx)"), q);
      return NULL;
    }
  return g_steal_pointer (&s);
}

GBytes *
jc_node_base64url (JsonNode *node, const char *path, gsize exact_len, gsize min_len,
                   JcProblems *problems)
{
  g_autofree char *s = jc_node_string (node, path, JC_TEXT_ANY, problems);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize n;

  if (s == NULL)
    return NULL;
  if (strlen (s) > BASE64_MAX_LEN)
    {
      jc_problems_add (problems, path, _("is too long"));
      return NULL;
    }
  bytes = jc_base64url_decode (s, &error);
  if (bytes == NULL)
    {
      jc_problems_add (problems, path, "%s", error->message);
      return NULL;
    }
  n = g_bytes_get_size (bytes);
  if (exact_len > 0 && n != exact_len)
    {
      jc_problems_add (problems, path, _("holds %zu bytes where %zu are expected"), n, exact_len);
      return NULL;
    }
  if (n < min_len)
    {
      jc_problems_add (problems, path, _("must not be empty"));
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

GBytes *
jc_obj_base64url (JcObjReader *r, const char *key, gsize exact_len, gsize min_len,
                  gboolean required)
{
  JsonNode *node = jc_obj_member (r, key, required);
  g_autofree char *path = NULL;

  if (node == NULL)
    return NULL;
  path = jc_path_member (r->path, key);
  return jc_node_base64url (node, path, exact_len, min_len, r->problems);
}

/* RFC 6838 §4.2 restricted-name characters, lowercase only so that one media type has
 * one spelling. */
static gboolean
media_name_ok (const char *p, const char *end)
{
  if (p >= end || end - p > 127 || !(g_ascii_islower (*p) || g_ascii_isdigit (*p)))
    return FALSE;
  for (; p < end; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || strchr ("!#$&-^_.+", *p)))
      return FALSE;
  return TRUE;
}

char *
jc_obj_media_type (JcObjReader *r, const char *key)
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;
  g_autofree char *s = NULL;
  const char *slash;

  if (node == NULL)
    return NULL;
  path = jc_path_member (r->path, key);
  s = jc_node_string (node, path, JC_TEXT_ANY, r->problems);
  if (s == NULL)
    return NULL;
  slash = strchr (s, '/');
  if (slash == NULL || !media_name_ok (s, slash) || !media_name_ok (slash + 1, s + strlen (s)))
    {
      g_autofree char *q = jc_quote (s);
      jc_problems_add (r->problems, path,
                       _("%s is not a media type in lowercase such as \"application/pdf\""), q);
      return NULL;
    }
  return g_steal_pointer (&s);
}

int
jc_obj_enum (JcObjReader *r, const char *key, const char *const *names)
{
  JsonNode *node = jc_obj_member (r, key, TRUE);
  g_autofree char *path = NULL;
  g_autofree char *s = NULL;

  if (node == NULL)
    return -1;
  path = jc_path_member (r->path, key);
  s = jc_node_string (node, path, JC_TEXT_ANY, r->problems);
  if (s == NULL)
    return -1;
  for (int i = 0; names[i]; i++)
    if (strcmp (names[i], s) == 0)
      return i;
  {
    g_autofree char *q = jc_quote (s);
    g_autofree char *all = g_strjoinv ("\", \"", (char **) names);
    jc_problems_add (r->problems, path, _("unknown value %s (expected one of \"%s\")"), q, all);
  }
  return -1;
}

/* Building. */

void
jc_add_string (JsonObject *o, const char *key, const char *value)
{
  if (value == NULL)
    json_object_set_null_member (o, key);
  else
    json_object_set_string_member (o, key, value);
}

void
jc_add_int (JsonObject *o, const char *key, gint64 value)
{
  json_object_set_int_member (o, key, value);
}

void
jc_add_bool (JsonObject *o, const char *key, gboolean value)
{
  json_object_set_boolean_member (o, key, value);
}

void
jc_add_hex (JsonObject *o, const char *key, const guint8 *data, gsize len)
{
  g_autofree char *hex = jc_hex_encode (data, len);
  json_object_set_string_member (o, key, hex);
}

void
jc_add_base64url (JsonObject *o, const char *key, GBytes *bytes)
{
  gsize len;
  const guint8 *data;
  g_autofree char *text = NULL;

  if (bytes == NULL)
    {
      /* A document built in memory with a part missing: written as null, which the
       * check then reports, rather than crashing. */
      json_object_set_null_member (o, key);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  text = jc_base64url_encode (data ? data : (const guint8 *) "", len);
  json_object_set_string_member (o, key, text);
}

void
jc_add_time (JsonObject *o, const char *key, gint64 t)
{
  g_autofree char *text = jc_time_format (t);
  json_object_set_string_member (o, key, text);
}

void
jc_add_header (JsonObject *o, const char *type)
{
  jc_add_string (o, "type", type);
  jc_add_int (o, "version", 1);
}

JsonNode *
jc_node_from_object (JsonObject *o)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, o);
  return node;
}

JsonNode *
jc_node_from_array (JsonArray *a)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, a);
  return node;
}

JsonNode *
jc_node_from_string (const char *s)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, s);
  return node;
}
