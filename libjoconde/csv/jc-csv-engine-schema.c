#define G_LOG_DOMAIN "joconde-csv"
#include "config.h"

#include "jc-csv-engine-schema.h"

static JcEngineType
engine_type (JcColumnType type)
{
  switch (type)
    {
    case JC_COLUMN_INT: return JC_ENGINE_TYPE_INT;
    case JC_COLUMN_DECIMAL: return JC_ENGINE_TYPE_DECIMAL;
    case JC_COLUMN_BOOL: return JC_ENGINE_TYPE_BOOL;
    case JC_COLUMN_DATE: return JC_ENGINE_TYPE_DATE;
    case JC_COLUMN_CATEGORY: return JC_ENGINE_TYPE_CATEGORY;
    case JC_COLUMN_ID: default: return JC_ENGINE_TYPE_ID;
    }
}

JcCsvEngineSchema *
jc_csv_engine_schema_new (const char *key, GPtrArray *columns)
{
  JcCsvEngineSchema *self = g_new0 (JcCsvEngineSchema, 1);
  gsize n_codes = 0, at = 0;

  for (guint i = 0; i < columns->len; i++)
    {
      const JcColumn *c = g_ptr_array_index (columns, i);
      if (c->type == JC_COLUMN_CATEGORY && c->codes)
        n_codes += c->codes->len;
    }
  self->columns = g_new0 (JcEngineColumn, MAX (columns->len, 1));
  self->codes = g_new0 (const char *, MAX (n_codes, 1));
  for (guint i = 0; i < columns->len; i++)
    {
      const JcColumn *c = g_ptr_array_index (columns, i);
      JcEngineColumn *e = &self->columns[i];

      e->name = c->name;
      e->type = engine_type (c->type);
      e->precision = c->precision;
      e->scale = c->scale;
      if (c->type == JC_COLUMN_CATEGORY && c->codes)
        {
          e->codes = &self->codes[at];
          e->n_codes = c->codes->len;
          for (guint j = 0; j < c->codes->len; j++)
            self->codes[at++] = g_ptr_array_index (c->codes, j);
        }
    }
  self->schema.key = key;
  self->schema.columns = self->columns;
  self->schema.n_columns = columns->len;
  return self;
}

void
jc_csv_engine_schema_free (JcCsvEngineSchema *self)
{
  if (self == NULL)
    return;
  g_free (self->columns);
  g_free (self->codes);
  g_free (self);
}
