#pragma once

#include <glib.h>

#include "engine.h"
#include "jc-schema.h"

G_BEGIN_DECLS

/* The values of a CSV file as the schema types of docs/model.md write them:
 *   INT          a signed 64-bit integer: optional "-", digits
 *   DECIMAL(p,s) optional "-", digits, optionally "." and at most s digits; at most p-s
 *                digits before the point; carried as value·10^s
 *   BOOL         "true" or "false"
 *   DATE         YYYY-MM-DD, a real calendar day; carried as days since 1970-01-01
 *   CATEGORY     one of the column's codes; carried as its index
 *   ID           1 to 64 bytes of UTF-8 text (digits or anything else)
 * No value may be empty, and every value must be UTF-8. */

/* Maps each code of a CATEGORY column to its index + 1; NULL for other types. */
GHashTable *jc_csv_codes_index (const JcColumn *column);

/* Parses VALUE (LEN bytes) of COLUMN into OUT (an ID's text points into VALUE). CODES is
 * jc_csv_codes_index (COLUMN). On failure returns FALSE and sets *PROBLEM to a sentence for
 * the user that quotes the value (shortened, control characters replaced). */
gboolean    jc_csv_value_parse (const JcColumn *column, GHashTable *codes,
                                const char *value, gsize len, JcEngineValue *out,
                                char **problem);

/* VALUE made safe to show in a message: at most 40 bytes of whole characters, "…" when
 * cut, control and invalid bytes replaced by "�". */
char       *jc_csv_value_quote (const char *value, gsize len);

G_END_DECLS
