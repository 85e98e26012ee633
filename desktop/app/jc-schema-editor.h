#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Edits one input or output of a new task: its name, its peer (input) or peers (output),
 * the data-quality query (input), and its columns — each a name, a type, DECIMAL's
 * precision and scale, CATEGORY's codes. Emits "changed" on every edit and "remove" when
 * the user removes it. */
#define JC_TYPE_SCHEMA_EDITOR (jc_schema_editor_get_type ())
G_DECLARE_FINAL_TYPE (JcSchemaEditor, jc_schema_editor, JC, SCHEMA_EDITOR, GtkBox)

JcSchemaEditor *jc_schema_editor_new        (gboolean is_output);
gboolean        jc_schema_editor_is_output  (JcSchemaEditor *self);
const char     *jc_schema_editor_get_key    (JcSchemaEditor *self);
void            jc_schema_editor_set_key    (JcSchemaEditor *self, const char *key);
/* The peer (input) or the peers, separated by commas (output). */
const char     *jc_schema_editor_get_peers  (JcSchemaEditor *self);
void            jc_schema_editor_set_peers  (JcSchemaEditor *self, const char *peers);
const char     *jc_schema_editor_get_quality (JcSchemaEditor *self);
/* Adds a column; CODES is "a, b, c" for CATEGORY (else NULL). */
void            jc_schema_editor_add_column (JcSchemaEditor *self, const char *name,
                                             const char *type, guint precision, guint scale,
                                             const char *codes);
/* The columns as a schema (JcColumn*); names and codes as typed, checked by the draft. */
GPtrArray      *jc_schema_editor_get_schema (JcSchemaEditor *self);

G_END_DECLS
