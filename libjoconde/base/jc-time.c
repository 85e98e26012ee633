#define G_LOG_DOMAIN "joconde"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-time.h"

static gboolean
digits (const char *p, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* Days from 1970-01-01 to a proleptic Gregorian civil date (Howard Hinnant's algorithm,
 * public domain description of the arithmetic). */
static gint64
days_from_civil (gint64 y, int m, int d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64 z, gint64 *y, int *m, int *d)
{
  z += 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  *d = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static gboolean
valid_date (int y, int m, int d)
{
  static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  if (m < 1 || m > 12 || d < 1)
    return FALSE;
  return d <= mdays[m - 1] + (m == 2 && leap);
}

static gboolean
parse_date_part (const char *p, int *y, int *m, int *d)
{
  return digits (p, 4, y) && p[4] == '-' && digits (p + 5, 2, m) && p[7] == '-' &&
         digits (p + 8, 2, d) && valid_date (*y, *m, *d);
}

static gboolean
fail (GError **error, const char *text)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("“%s” is not an RFC 3339 date and time such as 2026-11-21T19:43:00Z"), text);
  return FALSE;
}

gboolean
jc_time_parse (const char *text, gint64 *out_unix, GError **error)
{
  int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
  const char *p = text;

  if (strlen (text) < 20 || !parse_date_part (p, &y, &mo, &d))
    return fail (error, text);
  p += 10;
  if (*p != 'T' && *p != 't' && *p != ' ')
    return fail (error, text);
  p++;
  if (!digits (p, 2, &h) || p[2] != ':' || !digits (p + 3, 2, &mi) || p[5] != ':' ||
      !digits (p + 6, 2, &s) || h > 23 || mi > 59 || s > 60)
    return fail (error, text);
  p += 8;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return fail (error, text);
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      sign = *p == '+' ? 1 : -1;
      if (!digits (p + 1, 2, &oh) || p[3] != ':' || !digits (p + 4, 2, &om) || oh > 23 || om > 59)
        return fail (error, text);
      p += 6;
    }
  else
    return fail (error, text);
  if (*p != '\0')
    return fail (error, text);
  if (s == 60)
    s = 59; /* a leap second is read as the second before it */
  *out_unix = days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
              sign * (oh * 3600 + om * 60);
  return TRUE;
}

gboolean
jc_time_parse_canonical (const char *text, gint64 *out_unix, GError **error)
{
  gint64 t;
  g_autofree char *again = NULL;

  if (!jc_time_parse (text, &t, error))
    return FALSE;
  again = jc_time_format (t);
  if (strcmp (again, text) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not in the canonical form %s (UTC, whole seconds, “Z”)"),
                   text, again);
      return FALSE;
    }
  *out_unix = t;
  return TRUE;
}

char *
jc_time_format (gint64 unix_seconds)
{
  gint64 days = unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
  gint64 rem = unix_seconds - days * 86400;
  gint64 y;
  int m, d;

  civil_from_days (days, &y, &m, &d);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                          (int) (rem / 3600), (int) (rem / 60 % 60), (int) (rem % 60));
}

gint64
jc_time_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
jc_date_parse (const char *text, gint32 *out_days, GError **error)
{
  int y, m, d;

  if (strlen (text) != 10 || !parse_date_part (text, &y, &m, &d))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not a date of the form YYYY-MM-DD"), text);
      return FALSE;
    }
  *out_days = (gint32) days_from_civil (y, m, d);
  return TRUE;
}

char *
jc_date_format (gint32 days)
{
  gint64 y;
  int m, d;

  civil_from_days (days, &y, &m, &d);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02d-%02d", y, m, d);
}
