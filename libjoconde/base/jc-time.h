#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Times in documents are RFC 3339 strings in UTC with whole seconds,
 * "2026-11-21T19:43:00Z"; in memory they are Unix seconds (gint64). */

/* Parses any RFC 3339 date-time (offset or Z, optional fraction, which is dropped). */
gboolean jc_time_parse     (const char *text, gint64 *out_unix, GError **error);
/* Parses only the canonical document form "YYYY-MM-DDTHH:MM:SSZ". */
gboolean jc_time_parse_canonical (const char *text, gint64 *out_unix, GError **error);
/* Formats the canonical document form. */
char    *jc_time_format    (gint64 unix_seconds);
/* The wall clock in Unix seconds. */
gint64   jc_time_now       (void);

/* Parses "YYYY-MM-DD" to days since 1970-01-01 (negative before). */
gboolean jc_date_parse     (const char *text, gint32 *out_days, GError **error);
char    *jc_date_format    (gint32 days);

G_END_DECLS
