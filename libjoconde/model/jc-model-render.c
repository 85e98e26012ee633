#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <sodium.h>

#include "jc-encoding.h"
#include "jc-model-render-private.h"

static gboolean
must_escape (gunichar c, gboolean multiline)
{
  if (multiline && c == '\t')
    return FALSE;
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
         c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0xfeff;
}

char *
jc_render_escape (const char *text, gboolean multiline)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (must_escape (c, multiline))
        g_string_append_printf (out, "\\u{%04X}", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
indent_by (GString *out, guint indent)
{
  for (guint i = 0; i < indent; i++)
    g_string_append (out, "  ");
}

void
jc_render_heading (GString *out, guint indent, const char *heading)
{
  indent_by (out, indent);
  g_string_append (out, heading);
  g_string_append_c (out, '\n');
}

void
jc_render_field (GString *out, guint indent, const char *label, const char *value)
{
  g_autofree char *v = jc_render_escape (value ? value : "", FALSE);

  indent_by (out, indent);
  g_string_append_printf (out, "%s: %s\n", label, v);
}

void
jc_render_field_raw (GString *out, guint indent, const char *label, const char *value)
{
  indent_by (out, indent);
  g_string_append_printf (out, "%s: %s\n", label, value);
}

void
jc_render_fieldf (GString *out, guint indent, const char *label, const char *format, ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  jc_render_field (out, indent, label, value);
}

void
jc_render_block (GString *out, guint indent, const char *label, const char *text)
{
  g_auto(GStrv) lines = NULL;

  indent_by (out, indent);
  g_string_append_printf (out, "%s:\n", label);
  lines = g_strsplit (text ? text : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *line = jc_render_escape (lines[i], TRUE);
      indent_by (out, indent + 1);
      g_string_append (out, line[0] ? "| " : "|");
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
}

void
jc_render_hash (GString *out, guint indent, const char *label, const guint8 hash[JC_DOC_HASH_SIZE])
{
  g_autofree char *hex = jc_hex_encode (hash, JC_DOC_HASH_SIZE);
  jc_render_field (out, indent, label, hex);
}

void
jc_render_bytes (GString *out, guint indent, const char *label, GBytes *bytes)
{
  guint8 digest[crypto_hash_sha256_BYTES];
  gsize len = 0;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  g_autofree char *hex = NULL;

  crypto_hash_sha256 (digest, data ? data : (const guint8 *) "", len);
  hex = jc_hex_encode (digest, sizeof digest);
  jc_render_fieldf (out, indent, label, "%zu bytes, SHA-256 %s", len, hex);
}

void
jc_render_header (GString *out, const char *name, const guint8 hash[JC_DOC_HASH_SIZE])
{
  g_autofree char *hex = jc_hex_encode (hash, JC_DOC_HASH_SIZE);

  g_string_append_printf (out, "%s, version 1\n", name);
  g_string_append_printf (out, "Document hash (SHA-256): %s\n", hex);
}
