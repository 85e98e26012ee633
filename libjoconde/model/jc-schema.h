#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-problems.h"

G_BEGIN_DECLS

/* The schema of an input or output table: an ordered list of columns. In a document a
 * column is {"name": "age", "type": "INT"}; a CATEGORY column also has "codes", the
 * non-empty list of its distinct codes: {"name": "region", "type": "CATEGORY",
 * "codes": ["N", "S"]}. Column names are identifiers (letters, digits, "_"). */

typedef enum {
  JC_COLUMN_INT,       /* "INT": a signed 64-bit integer */
  JC_COLUMN_DECIMAL,   /* "DECIMAL(p,s)": p digits of which s after the point, 1 <= p <= 18 */
  JC_COLUMN_BOOL,      /* "BOOL": true or false */
  JC_COLUMN_DATE,      /* "DATE": YYYY-MM-DD */
  JC_COLUMN_CATEGORY,  /* "CATEGORY": one of the declared codes */
  JC_COLUMN_ID,        /* "ID": a join key, digits or text up to 64 bytes */
} JcColumnType;

#define JC_DECIMAL_MAX_PRECISION 18
#define JC_SCHEMA_MAX_COLUMNS 1024
#define JC_CATEGORY_MAX_CODES 65536

typedef struct {
  char        *name;
  JcColumnType type;
  guint        precision;   /* DECIMAL only */
  guint        scale;       /* DECIMAL only */
  GPtrArray   *codes;       /* CATEGORY only: char*, in document order; NULL otherwise */
} JcColumn;

JcColumn  *jc_column_new       (const char *name, JcColumnType type);
/* A DECIMAL(PRECISION,SCALE) column (not checked: jc_schema_read checks documents). */
JcColumn  *jc_column_new_decimal  (const char *name, guint precision, guint scale);
/* A CATEGORY column with CODES (NULL-terminated), in that order. */
JcColumn  *jc_column_new_category (const char *name, const char *const *codes);
void       jc_column_free      (JcColumn *column);
/* "INT", "DECIMAL(10,2)", "CATEGORY", … as written in documents. */
char      *jc_column_type_name (const JcColumn *column);

/* A schema is a GPtrArray of JcColumn* that frees its columns. */
GPtrArray *jc_schema_new       (void);
/* Reads the schema at NODE (PATH names it in problems). Always returns a schema, possibly
 * partial; it is valid when no problem was added. */
GPtrArray *jc_schema_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode  *jc_schema_to_json   (GPtrArray *schema);
/* Lines "name TYPE" (CATEGORY with its codes) at INDENT. */
void       jc_schema_render    (GString *out, guint indent, GPtrArray *schema);
const JcColumn *jc_schema_find (GPtrArray *schema, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcColumn, jc_column_free)

G_END_DECLS
