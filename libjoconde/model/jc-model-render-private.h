#pragma once

/* Private to libjoconde/model: deterministic text rendering. Labels are fixed English
 * words (not translated) so that one document renders to the same bytes everywhere;
 * values from the document are shown with every control or bidirectional-formatting
 * character escaped as \u{XXXX}, so that no text in a document can fake a line or
 * reorder what a reviewer sees. */

#include <glib.h>

#include "jc-doc.h"

G_BEGIN_DECLS

char *jc_render_escape (const char *text, gboolean multiline);
void  jc_render_heading (GString *out, guint indent, const char *heading);
void  jc_render_field  (GString *out, guint indent, const char *label, const char *value);
/* VALUE is already escaped with jc_render_escape. */
void  jc_render_field_raw (GString *out, guint indent, const char *label, const char *value);
void  jc_render_fieldf (GString *out, guint indent, const char *label, const char *format, ...)
  G_GNUC_PRINTF (4, 5);
/* LABEL on its own line, then each line of TEXT indented and prefixed with "| ". */
void  jc_render_block  (GString *out, guint indent, const char *label, const char *text);
void  jc_render_hash   (GString *out, guint indent, const char *label, const guint8 hash[JC_DOC_HASH_SIZE]);
/* "N bytes, SHA-256 HEX". */
void  jc_render_bytes  (GString *out, guint indent, const char *label, GBytes *bytes);
/* The first line of every rendering: "NAME, version 1" and the document hash. */
void  jc_render_header (GString *out, const char *name, const guint8 hash[JC_DOC_HASH_SIZE]);

G_END_DECLS
