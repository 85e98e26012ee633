#define G_LOG_DOMAIN "joconde-csv"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-csv-value.h"
#include "jc-time.h"

#define QUOTE_MAX 40

GHashTable *
jc_csv_codes_index (const JcColumn *column)
{
  GHashTable *index;

  if (column->type != JC_COLUMN_CATEGORY || column->codes == NULL)
    return NULL;
  index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < column->codes->len; i++)
    g_hash_table_insert (index, g_ptr_array_index (column->codes, i), GUINT_TO_POINTER (i + 1));
  return index;
}

char *
jc_csv_value_quote (const char *value, gsize len)
{
  GString *out = g_string_new (NULL);
  const char *p = value;
  const char *end = value + len;

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (out, "\xEF\xBF\xBD");
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      if (out->len + (next - p) > QUOTE_MAX)
        {
          g_string_append (out, "…");
          break;
        }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
          || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        g_string_append (out, "\xEF\xBF\xBD");
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}

/* Optional "-" then 1+ digits: the digits' span and the sign. */
static gboolean
split_sign (const char *value, gsize len, gboolean *negative, const char **digits, gsize *n)
{
  *negative = len > 0 && value[0] == '-';
  *digits = value + (*negative ? 1 : 0);
  *n = len - (*negative ? 1 : 0);
  if (*n == 0)
    return FALSE;
  for (gsize i = 0; i < *n; i++)
    if (!g_ascii_isdigit ((*digits)[i]))
      return FALSE;
  return TRUE;
}

static gboolean
parse_int (const char *value, gsize len, gint64 *out)
{
  gboolean negative;
  const char *digits;
  gsize n;
  guint64 acc = 0;
  guint64 limit;

  if (!split_sign (value, len, &negative, &digits, &n))
    return FALSE;
  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  for (gsize i = 0; i < n; i++)
    {
      guint d = (guint) (digits[i] - '0');
      if (acc > (limit - d) / 10)
        return FALSE;
      acc = acc * 10 + d;
    }
  *out = negative ? (gint64) (0 - acc) : (gint64) acc;
  return TRUE;
}

static gboolean
parse_decimal (const JcColumn *column, const char *value, gsize len, gint64 *out,
               char **problem)
{
  g_autofree char *quoted = NULL;
  const char *dot = memchr (value, '.', len);
  gsize int_len = dot ? (gsize) (dot - value) : len;
  const char *frac = dot ? dot + 1 : NULL;
  gsize frac_len = dot ? len - int_len - 1 : 0;
  gboolean negative;
  const char *digits;
  gsize n;
  guint64 acc = 0;
  gsize significant;

  if (!split_sign (value, int_len, &negative, &digits, &n)
      || (dot != NULL && frac_len == 0))
    goto not_decimal;
  for (gsize i = 0; i < frac_len; i++)
    if (!g_ascii_isdigit (frac[i]))
      goto not_decimal;
  if (frac_len > column->scale)
    {
      quoted = jc_csv_value_quote (value, len);
      *problem = g_strdup_printf (_("“%s” has more than %u digits after the point"),
                                  quoted, column->scale);
      return FALSE;
    }
  /* Leading zeros do not count towards the precision. */
  while (n > 1 && digits[0] == '0')
    digits++, n--;
  significant = (n == 1 && digits[0] == '0') ? 0 : n;
  if (significant > column->precision - column->scale)
    {
      quoted = jc_csv_value_quote (value, len);
      *problem = g_strdup_printf (_("“%s” is too large for DECIMAL(%u,%u)"),
                                  quoted, column->precision, column->scale);
      return FALSE;
    }
  /* At most 18 digits in all, so value·10^scale fits in 63 bits. */
  for (gsize i = 0; i < n; i++)
    acc = acc * 10 + (guint) (digits[i] - '0');
  for (guint i = 0; i < column->scale; i++)
    acc = acc * 10 + (i < frac_len ? (guint) (frac[i] - '0') : 0);
  *out = negative ? -(gint64) acc : (gint64) acc;
  return TRUE;

not_decimal:
  quoted = jc_csv_value_quote (value, len);
  *problem = g_strdup_printf (_("“%s” is not a decimal number written with a dot, like 12.50"),
                              quoted);
  return FALSE;
}

gboolean
jc_csv_value_parse (const JcColumn *column, GHashTable *codes, const char *value, gsize len,
                    JcEngineValue *out, char **problem)
{
  g_autofree char *quoted = NULL;

  memset (out, 0, sizeof *out);
  if (len == 0)
    {
      *problem = g_strdup (_("the value is empty"));
      return FALSE;
    }
  if (!g_utf8_validate_len (value, len, NULL))
    {
      *problem = g_strdup (_("the value is not UTF-8 text"));
      return FALSE;
    }
  switch (column->type)
    {
    case JC_COLUMN_INT:
      if (parse_int (value, len, &out->i))
        return TRUE;
      quoted = jc_csv_value_quote (value, len);
      *problem = g_strdup_printf (_("“%s” is not a whole number (or too large)"), quoted);
      return FALSE;

    case JC_COLUMN_DECIMAL:
      return parse_decimal (column, value, len, &out->i, problem);

    case JC_COLUMN_BOOL:
      if (len == 4 && memcmp (value, "true", 4) == 0)
        out->i = 1;
      else if (len == 5 && memcmp (value, "false", 5) == 0)
        out->i = 0;
      else
        {
          quoted = jc_csv_value_quote (value, len);
          *problem = g_strdup_printf (_("“%s” is neither true nor false"), quoted);
          return FALSE;
        }
      return TRUE;

    case JC_COLUMN_DATE:
      {
        gint32 days;
        if (len == 10 && jc_date_parse (value, &days, NULL))
          {
            out->i = days;
            return TRUE;
          }
        quoted = jc_csv_value_quote (value, len);
        *problem = g_strdup_printf (_("“%s” is not a date written YYYY-MM-DD"), quoted);
        return FALSE;
      }

    case JC_COLUMN_CATEGORY:
      {
        gpointer index = codes ? g_hash_table_lookup (codes, value) : NULL;
        /* The lookup stops at a NUL; a value holding one is never a code. */
        if (index != NULL && strlen (value) == len)
          {
            out->i = GPOINTER_TO_UINT (index) - 1;
            return TRUE;
          }
        quoted = jc_csv_value_quote (value, len);
        *problem = g_strdup_printf (_("“%s” is not one of the codes of this column"), quoted);
        return FALSE;
      }

    case JC_COLUMN_ID:
      if (len > JC_ENGINE_ID_MAX_LEN)
        {
          quoted = jc_csv_value_quote (value, len);
          *problem = g_strdup_printf (_("“%s” is longer than 64 bytes, the limit for an ID"),
                                      quoted);
          return FALSE;
        }
      out->text = value;
      out->text_len = len;
      return TRUE;

    default:
      *problem = g_strdup (_("the column has a type this program does not know"));
      return FALSE;
    }
}
