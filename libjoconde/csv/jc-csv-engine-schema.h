#pragma once

#include <glib.h>

#include "engine.h"
#include "jc-schema.h"

G_BEGIN_DECLS

/* A table schema of the model (JcColumn*) as the engine ABI's JcEngineSchema, for the
 * engine's compile, sharer and reconstructor. The strings point into the JcColumn array,
 * which must outlive it. */
typedef struct {
  JcEngineSchema  schema;
  JcEngineColumn *columns;
  const char    **codes;   /* every CATEGORY column's codes, back to back */
} JcCsvEngineSchema;

JcCsvEngineSchema *jc_csv_engine_schema_new  (const char *key, GPtrArray *columns);
void               jc_csv_engine_schema_free (JcCsvEngineSchema *schema);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCsvEngineSchema, jc_csv_engine_schema_free)

G_END_DECLS
