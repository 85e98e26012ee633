#define G_LOG_DOMAIN "joconde-engine"
#include "config.h"

#include "jc-engine-value.h"

#include <glib/gi18n-lib.h>

#include "jc-error.h"
#include "jc-time.h"

/* Values in Z_2^64 keep a margin: the engines compare values whose difference is < 2^63. */
#define INT_LIMIT (G_GINT64_CONSTANT (1) << 62)

static gboolean
parse_decimal (const JcEngineColumn *col, const char *text, gint64 *out, GError **error)
{
  const char *p = text;
  gboolean neg = FALSE;
  if (*p == '-' || *p == '+')
    neg = *p++ == '-';
  guint int_digits = 0, frac_digits = 0;
  guint64 v = 0;
  gboolean point = FALSE;
  for (; *p; p++)
    {
      if (*p == '.' && !point)
        {
          point = TRUE;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        goto bad;
      if (point)
        frac_digits++;
      else
        int_digits++;
      if (int_digits + frac_digits > 18)
        goto too_long;
      v = v * 10 + (guint64) (*p - '0');
    }
  if (int_digits + frac_digits == 0 || (point && frac_digits == 0))
    goto bad;
  if (frac_digits > col->scale)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” has more than %u digits after the point, which the column “%s” "
                     "allows."), text, col->scale, col->name);
      return FALSE;
    }
  for (guint i = frac_digits; i < col->scale; i++)
    v *= 10;
  /* Leading zeros do not count toward the precision. */
  guint64 lim = 1;
  for (guint i = 0; i < col->precision; i++)
    lim *= 10;
  if (v >= lim)
    goto too_long;
  *out = neg ? -(gint64) v : (gint64) v;
  return TRUE;
too_long:
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("“%s” has more digits than DECIMAL(%u,%u) of the column “%s” allows."), text,
               col->precision, col->scale, col->name);
  return FALSE;
bad:
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("“%s” is not a decimal number (column “%s”)."), text, col->name);
  return FALSE;
}

gboolean
jc_engine_value_parse (const JcEngineColumn *col, const char *text, JcEngineValue *out,
                       GError **error)
{
  g_return_val_if_fail (col != NULL && text != NULL && out != NULL, FALSE);
  *out = (JcEngineValue) { 0 };
  switch (col->type)
    {
    case JC_ENGINE_TYPE_INT:
      {
        gint64 v = 0;
        if (!g_ascii_string_to_signed (text, 10, -INT_LIMIT + 1, INT_LIMIT - 1, &v, NULL))
          {
            g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                         _("“%s” is not a whole number between −2^62 and 2^62 (column “%s”)."),
                         text, col->name);
            return FALSE;
          }
        out->i = v;
        return TRUE;
      }
    case JC_ENGINE_TYPE_DECIMAL:
      return parse_decimal (col, text, &out->i, error);
    case JC_ENGINE_TYPE_BOOL:
      if (g_ascii_strcasecmp (text, "true") == 0 || strcmp (text, "1") == 0)
        out->i = 1;
      else if (g_ascii_strcasecmp (text, "false") == 0 || strcmp (text, "0") == 0)
        out->i = 0;
      else
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("“%s” is not true, false, 1 or 0 (column “%s”)."), text, col->name);
          return FALSE;
        }
      return TRUE;
    case JC_ENGINE_TYPE_DATE:
      {
        gint32 days = 0;
        g_autoptr(GError) local = NULL;
        if (!jc_date_parse (text, &days, &local))
          {
            g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                         _("“%s” is not a date YYYY-MM-DD (column “%s”)."), text, col->name);
            return FALSE;
          }
        out->i = days;
        return TRUE;
      }
    case JC_ENGINE_TYPE_CATEGORY:
      for (gsize k = 0; k < col->n_codes; k++)
        if (strcmp (col->codes[k], text) == 0)
          {
            out->i = (gint64) k;
            return TRUE;
          }
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not one of the codes of the column “%s”."), text, col->name);
      return FALSE;
    case JC_ENGINE_TYPE_ID:
      {
        gsize len = strlen (text);
        if (len == 0 || len > JC_ENGINE_ID_MAX_LEN)
          {
            g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                         _("An ID of the column “%s” must be 1 to %u bytes long."), col->name,
                         JC_ENGINE_ID_MAX_LEN);
            return FALSE;
          }
        out->text = text;
        out->text_len = len;
        return TRUE;
      }
    }
  g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
               _("The column “%s” has a type this version does not know."), col->name);
  return FALSE;
}

char *
jc_engine_value_format (const JcEngineColumn *col, const JcEngineValue *v)
{
  g_return_val_if_fail (col != NULL && v != NULL, NULL);
  switch (col->type)
    {
    case JC_ENGINE_TYPE_DECIMAL:
      {
        if (col->scale == 0)
          return g_strdup_printf ("%" G_GINT64_FORMAT, v->i);
        guint64 mag = v->i < 0 ? -(guint64) v->i : (guint64) v->i;
        guint64 div = 1;
        for (guint i = 0; i < col->scale; i++)
          div *= 10;
        return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT,
                                v->i < 0 ? "-" : "", mag / div, (int) col->scale, mag % div);
      }
    case JC_ENGINE_TYPE_BOOL:
      return g_strdup (v->i ? "true" : "false");
    case JC_ENGINE_TYPE_DATE:
      return jc_date_format ((gint32) v->i);
    case JC_ENGINE_TYPE_CATEGORY:
      if (v->i >= 0 && (guint64) v->i < col->n_codes)
        return g_strdup (col->codes[v->i]);
      return g_strdup_printf ("#%" G_GINT64_FORMAT, v->i);
    case JC_ENGINE_TYPE_ID:
      if (v->text != NULL)
        return g_strndup (v->text, v->text_len);
      return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", (guint64) v->i);
    default:
      return g_strdup_printf ("%" G_GINT64_FORMAT, v->i);
    }
}
