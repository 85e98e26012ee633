#define G_LOG_DOMAIN "joconde-doc"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "jc-doc.h"
#include "jc-error.h"

/* A strict JSON reader of its own: json-glib's parser accepts duplicate keys (the last
 * wins), any number spelling and lone surrogates, each of which would give one document
 * two meanings or two canonical forms. This reader builds json-glib trees but decides
 * itself what is accepted (RFC 8259 grammar, narrowed as described in jc-doc.h). */

typedef struct {
  const guint8 *start;
  const guint8 *p;
  const guint8 *end;
  guint depth;
  guint max_depth;
  GError **error;
} Reader;

void
jc_doc_limits_init (JcDocLimits *limits)
{
  limits->max_size = JC_DOC_DEFAULT_MAX_SIZE;
  limits->max_depth = JC_DOC_DEFAULT_MAX_DEPTH;
}

/* Sets the error with the place of AT: line and column (both from 1; the column counts
 * characters) and the byte offset (from 0). Computed only on failure. */
G_GNUC_PRINTF (4, 5) static gboolean
fail_at (Reader *r, const guint8 *at, JcError code, const char *format, ...)
{
  gsize line = 1, column = 1;
  g_autofree char *what = NULL;
  va_list args;

  for (const guint8 *q = r->start; q < at && q < r->end; q++)
    {
      if (*q == '\n')
        {
          line++;
          column = 1;
        }
      else if ((*q & 0xc0) != 0x80)
        column++;
    }
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (r->error, JC_ERROR, code, _("line %zu, column %zu (byte %zu): %s"),
               line, column, (gsize) (at - r->start), what);
  return FALSE;
}

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

/* Describes the byte at AT for an error message. */
static char *
describe_byte (Reader *r, const guint8 *at)
{
  if (at >= r->end)
    return g_strdup (_("the end of the document"));
  if (*at >= 0x21 && *at < 0x7f)
    return g_strdup_printf ("“%c”", *at);
  return g_strdup_printf (_("byte 0x%02x"), *at);
}

static gboolean
expect_char (Reader *r, char c, const char *expected)
{
  skip_space (r);
  if (r->p < r->end && *r->p == (guint8) c)
    {
      r->p++;
      return TRUE;
    }
  {
    g_autofree char *got = describe_byte (r, r->p);
    return fail_at (r, r->p, JC_ERROR_INVALID, _("expected %s but found %s"), expected, got);
  }
}

/* Checks one UTF-8 sequence at r->p (lead byte >= 0x80) and appends it to OUT.
 * Table 3-7 of the Unicode Standard gives the well-formed byte sequences. */
static gboolean
read_utf8 (Reader *r, GString *out)
{
  const guint8 *at = r->p;
  guint8 b0 = at[0];
  gsize n;
  guint8 lo = 0x80, hi = 0xbf;

  if (b0 >= 0xc2 && b0 <= 0xdf)
    n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef)
    n = 3;
  else if (b0 >= 0xf0 && b0 <= 0xf4)
    n = 4;
  else if (b0 == 0xc0 || b0 == 0xc1)
    return fail_at (r, at, JC_ERROR_INVALID, _("invalid UTF-8: overlong encoding"));
  else if (b0 >= 0xf5)
    return fail_at (r, at, JC_ERROR_INVALID,
                    _("invalid UTF-8: byte 0x%02x cannot occur (code point beyond U+10FFFF)"), b0);
  else
    return fail_at (r, at, JC_ERROR_INVALID,
                    _("invalid UTF-8: continuation byte 0x%02x without a lead byte"), b0);

  if (b0 == 0xe0)
    lo = 0xa0;
  else if (b0 == 0xed)
    hi = 0x9f;
  else if (b0 == 0xf0)
    lo = 0x90;
  else if (b0 == 0xf4)
    hi = 0x8f;

  if ((gsize) (r->end - at) < n)
    return fail_at (r, at, JC_ERROR_INVALID, _("invalid UTF-8: sequence cut short"));
  for (gsize i = 1; i < n; i++)
    {
      guint8 b = at[i];
      if (b < 0x80 || b > 0xbf)
        return fail_at (r, at, JC_ERROR_INVALID, _("invalid UTF-8: sequence cut short"));
      if (i == 1 && (b < lo || b > hi))
        {
          if (b0 == 0xed)
            return fail_at (r, at, JC_ERROR_INVALID,
                            _("invalid UTF-8: a surrogate (U+D800–U+DFFF) encoded in UTF-8"));
          if (b0 == 0xf4)
            return fail_at (r, at, JC_ERROR_INVALID,
                            _("invalid UTF-8: code point beyond U+10FFFF"));
          return fail_at (r, at, JC_ERROR_INVALID, _("invalid UTF-8: overlong encoding"));
        }
    }
  g_string_append_len (out, (const char *) at, (gssize) n);
  r->p += n;
  return TRUE;
}

static int
hex_value (guint8 c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits of a \u escape at r->p. */
static gboolean
read_hex4 (Reader *r, const guint8 *escape, gunichar *out)
{
  gunichar v = 0;

  if (r->end - r->p < 4)
    return fail_at (r, escape, JC_ERROR_INVALID, _("\\u escape needs four hexadecimal digits"));
  for (int i = 0; i < 4; i++)
    {
      int d = hex_value (r->p[i]);
      if (d < 0)
        return fail_at (r, escape, JC_ERROR_INVALID,
                        _("\\u escape needs four hexadecimal digits"));
      v = (v << 4) | (gunichar) d;
    }
  r->p += 4;
  *out = v;
  return TRUE;
}

static gboolean
read_unicode_escape (Reader *r, const guint8 *escape, GString *out)
{
  gunichar c, low;

  if (!read_hex4 (r, escape, &c))
    return FALSE;
  if (c >= 0xdc00 && c <= 0xdfff)
    return fail_at (r, escape, JC_ERROR_INVALID,
                    _("lone surrogate \\u%04X (a low surrogate without a high one)"), c);
  if (c >= 0xd800 && c <= 0xdbff)
    {
      const guint8 *second = r->p;
      if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
        return fail_at (r, escape, JC_ERROR_INVALID,
                        _("lone surrogate \\u%04X (a high surrogate not followed by a low one)"), c);
      r->p += 2;
      if (!read_hex4 (r, second, &low))
        return FALSE;
      if (low < 0xdc00 || low > 0xdfff)
        return fail_at (r, escape, JC_ERROR_INVALID,
                        _("lone surrogate \\u%04X (a high surrogate not followed by a low one)"), c);
      c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
  if (c == 0)
    /* Strings in memory are NUL-terminated; U+0000 would silently cut them short. */
    return fail_at (r, escape, JC_ERROR_INVALID, _("\\u0000 (U+0000) is not allowed in strings"));
  g_string_append_unichar (out, c);
  return TRUE;
}

/* Reads a string starting at the opening quote; returns it in UTF-8 or NULL. */
static char *
read_string (Reader *r)
{
  g_autoptr(GString) out = g_string_new (NULL);

  r->p++; /* the opening quote */
  for (;;)
    {
      guint8 c;

      if (r->p >= r->end)
        {
          fail_at (r, r->p, JC_ERROR_INVALID, _("string not terminated"));
          return NULL;
        }
      c = *r->p;
      if (c == '"')
        {
          r->p++;
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (c < 0x20)
        {
          fail_at (r, r->p, JC_ERROR_INVALID,
                   _("control character U+%04X in a string (it must be escaped)"), c);
          return NULL;
        }
      if (c >= 0x80)
        {
          if (!read_utf8 (r, out))
            return NULL;
          continue;
        }
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          r->p++;
          continue;
        }
      {
        const guint8 *escape = r->p;
        if (r->end - r->p < 2)
          {
            fail_at (r, escape, JC_ERROR_INVALID, _("string not terminated"));
            return NULL;
          }
        r->p += 2;
        switch (escape[1])
          {
          case '"': g_string_append_c (out, '"'); break;
          case '\\': g_string_append_c (out, '\\'); break;
          case '/': g_string_append_c (out, '/'); break;
          case 'b': g_string_append_c (out, '\b'); break;
          case 'f': g_string_append_c (out, '\f'); break;
          case 'n': g_string_append_c (out, '\n'); break;
          case 'r': g_string_append_c (out, '\r'); break;
          case 't': g_string_append_c (out, '\t'); break;
          case 'u':
            if (!read_unicode_escape (r, escape, out))
              return NULL;
            break;
          default:
            {
              g_autofree char *got = describe_byte (r, escape + 1);
              fail_at (r, escape, JC_ERROR_INVALID, _("unknown escape \\ followed by %s"), got);
              return NULL;
            }
          }
      }
    }
}

static JsonNode *
read_number (Reader *r)
{
  const guint8 *at = r->p;
  gboolean negative = FALSE;
  gint64 value = 0;
  guint digits = 0;

  if (*r->p == '-')
    {
      negative = TRUE;
      r->p++;
    }
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    {
      fail_at (r, at, JC_ERROR_INVALID, _("“-” is not followed by a digit"));
      return NULL;
    }
  if (*r->p == '0' && r->end - r->p > 1 && g_ascii_isdigit (r->p[1]))
    {
      fail_at (r, at, JC_ERROR_INVALID, _("numbers must not have leading zeros"));
      return NULL;
    }
  while (r->p < r->end && g_ascii_isdigit (*r->p))
    {
      /* 16 digits hold 2^53 − 1 (9007199254740991); more cannot be in range. */
      if (++digits <= 16)
        value = value * 10 + (*r->p - '0');
      r->p++;
    }
  if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
    {
      fail_at (r, at, JC_ERROR_INVALID,
               _("numbers with a fraction or an exponent are not allowed (documents hold integers only)"));
      return NULL;
    }
  if (digits > 16 || value > JC_DOC_INT_MAX)
    {
      fail_at (r, at, JC_ERROR_INVALID,
               _("integer beyond ±9007199254740991 (2^53 − 1) is not allowed"));
      return NULL;
    }
  if (negative && value == 0)
    {
      /* "-0" is a second spelling of 0; refusing it keeps one spelling per value. */
      fail_at (r, at, JC_ERROR_INVALID, _("“-0” is not allowed (write 0)"));
      return NULL;
    }
  {
    JsonNode *node = json_node_new (JSON_NODE_VALUE);
    json_node_set_int (node, negative ? -value : value);
    return node;
  }
}

static gboolean
read_literal (Reader *r, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (r->end - r->p) >= n && memcmp (r->p, word, n) == 0)
    {
      r->p += n;
      return TRUE;
    }
  {
    g_autofree char *got = describe_byte (r, r->p);
    return fail_at (r, r->p, JC_ERROR_INVALID, _("unexpected %s"), got);
  }
}

static JsonNode *read_value (Reader *r);

static gboolean
enter (Reader *r)
{
  if (r->depth >= r->max_depth)
    return fail_at (r, r->p, JC_ERROR_TOO_LARGE,
                    _("nesting deeper than %u levels of objects and arrays"), r->max_depth);
  r->depth++;
  r->p++;
  return TRUE;
}

static JsonNode *
read_object (Reader *r)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node;

  if (!enter (r))
    return NULL;
  object = json_object_new ();
  skip_space (r);
  if (r->p < r->end && *r->p == '}')
    r->p++;
  else
    for (;;)
      {
        const guint8 *key_at;
        g_autofree char *key = NULL;
        JsonNode *member;

        skip_space (r);
        key_at = r->p;
        if (r->p >= r->end || *r->p != '"')
          {
            g_autofree char *got = describe_byte (r, r->p);
            fail_at (r, r->p, JC_ERROR_INVALID, _("expected a key in quotes but found %s"), got);
            return NULL;
          }
        key = read_string (r);
        if (key == NULL)
          return NULL;
        if (json_object_has_member (object, key))
          {
            fail_at (r, key_at, JC_ERROR_INVALID, _("duplicate key “%s”"), key);
            return NULL;
          }
        if (!expect_char (r, ':', "“:”"))
          return NULL;
        member = read_value (r);
        if (member == NULL)
          return NULL;
        json_object_set_member (object, key, member);
        skip_space (r);
        if (r->p < r->end && *r->p == ',')
          {
            r->p++;
            continue;
          }
        if (!expect_char (r, '}', _("“,” or “}”")))
          return NULL;
        break;
      }
  r->depth--;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

static JsonNode *
read_array (Reader *r)
{
  g_autoptr(JsonArray) array = NULL;
  JsonNode *node;

  if (!enter (r))
    return NULL;
  array = json_array_new ();
  skip_space (r);
  if (r->p < r->end && *r->p == ']')
    r->p++;
  else
    for (;;)
      {
        JsonNode *element = read_value (r);
        if (element == NULL)
          return NULL;
        json_array_add_element (array, element);
        skip_space (r);
        if (r->p < r->end && *r->p == ',')
          {
            r->p++;
            continue;
          }
        if (!expect_char (r, ']', _("“,” or “]”")))
          return NULL;
        break;
      }
  r->depth--;
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

static JsonNode *
read_value (Reader *r)
{
  JsonNode *node;

  skip_space (r);
  if (r->p >= r->end)
    {
      fail_at (r, r->p, JC_ERROR_INVALID, _("unexpected end of the document (a value is missing)"));
      return NULL;
    }
  switch (*r->p)
    {
    case '{':
      return read_object (r);
    case '[':
      return read_array (r);
    case '"':
      {
        g_autofree char *s = read_string (r);
        if (s == NULL)
          return NULL;
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, s);
        return node;
      }
    case 't':
    case 'f':
      {
        gboolean v = *r->p == 't';
        if (!read_literal (r, v ? "true" : "false"))
          return NULL;
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_boolean (node, v);
        return node;
      }
    case 'n':
      if (!read_literal (r, "null"))
        return NULL;
      return json_node_new (JSON_NODE_NULL);
    default:
      if (*r->p == '-' || g_ascii_isdigit (*r->p))
        return read_number (r);
      {
        g_autofree char *got = describe_byte (r, r->p);
        fail_at (r, r->p, JC_ERROR_INVALID, _("unexpected %s (expected a value)"), got);
        return NULL;
      }
    }
}

JsonNode *
jc_doc_parse (const char *data, gsize len, const JcDocLimits *limits, GError **error)
{
  JcDocLimits defaults;
  Reader r = { 0 };
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (limits == NULL)
    {
      jc_doc_limits_init (&defaults);
      limits = &defaults;
    }
  if (len > limits->max_size)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("the document is %zu bytes long, more than the limit of %zu bytes"),
                   len, limits->max_size);
      return NULL;
    }
  r.start = r.p = (const guint8 *) data;
  r.end = r.start + len;
  r.max_depth = MIN (limits->max_depth, JC_DOC_MAX_DEPTH_LIMIT);
  r.error = error;

  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      fail_at (&r, r.p, JC_ERROR_INVALID, _("a byte order mark (BOM) is not allowed"));
      return NULL;
    }
  skip_space (&r);
  if (r.p >= r.end)
    {
      fail_at (&r, r.p, JC_ERROR_INVALID, _("the document is empty"));
      return NULL;
    }
  root = read_value (&r);
  if (root == NULL)
    return NULL;
  skip_space (&r);
  if (r.p < r.end)
    {
      g_autofree char *got = describe_byte (&r, r.p);
      fail_at (&r, r.p, JC_ERROR_INVALID, _("unexpected %s after the end of the document"), got);
      return NULL;
    }
  return g_steal_pointer (&root);
}

JsonNode *
jc_doc_parse_bytes (GBytes *bytes, const JcDocLimits *limits, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return jc_doc_parse (data ? data : "", len, limits, error);
}
