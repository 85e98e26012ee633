#pragma once

#include <glib.h>

#include "engine.h"

G_BEGIN_DECLS

/* Text of a CSV cell ↔ an engine value of a column (docs/engine-abi.md, "Values").
 * INT: optional sign and digits; DECIMAL(p,s): at most p digits, at most s after the point
 * (never rounded); BOOL: true/false/1/0; DATE: YYYY-MM-DD; CATEGORY: one of the codes,
 * exactly; ID: 1 to 64 bytes, kept as a pointer into `text` (which must outlive the value). */
gboolean jc_engine_value_parse  (const JcEngineColumn *column, const char *text,
                                 JcEngineValue *out, GError **error);
/* The text of a reconstructed value; an ID is shown as the 16 hex digits of its encoding. */
char    *jc_engine_value_format (const JcEngineColumn *column, const JcEngineValue *value);

G_END_DECLS
