#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "jc-model-read-private.h"
#include "jc-model-render-private.h"
#include "jc-schema.h"

JcColumn *
jc_column_new (const char *name, JcColumnType type)
{
  JcColumn *column = g_new0 (JcColumn, 1);

  column->name = g_strdup (name);
  column->type = type;
  if (type == JC_COLUMN_CATEGORY)
    column->codes = g_ptr_array_new_with_free_func (g_free);
  return column;
}

JcColumn *
jc_column_new_decimal (const char *name, guint precision, guint scale)
{
  JcColumn *column = jc_column_new (name, JC_COLUMN_DECIMAL);

  column->precision = precision;
  column->scale = scale;
  return column;
}

JcColumn *
jc_column_new_category (const char *name, const char *const *codes)
{
  JcColumn *column = jc_column_new (name, JC_COLUMN_CATEGORY);

  for (; codes && *codes; codes++)
    g_ptr_array_add (column->codes, g_strdup (*codes));
  return column;
}

void
jc_column_free (JcColumn *column)
{
  if (column == NULL)
    return;
  g_free (column->name);
  g_clear_pointer (&column->codes, g_ptr_array_unref);
  g_free (column);
}

char *
jc_column_type_name (const JcColumn *column)
{
  switch (column->type)
    {
    case JC_COLUMN_INT: return g_strdup ("INT");
    case JC_COLUMN_DECIMAL: return g_strdup_printf ("DECIMAL(%u,%u)", column->precision, column->scale);
    case JC_COLUMN_BOOL: return g_strdup ("BOOL");
    case JC_COLUMN_DATE: return g_strdup ("DATE");
    case JC_COLUMN_CATEGORY: return g_strdup ("CATEGORY");
    case JC_COLUMN_ID: return g_strdup ("ID");
    }
  g_return_val_if_reached (NULL);
}

GPtrArray *
jc_schema_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) jc_column_free);
}

/* Reads a decimal number of 1 or 2 digits without leading zeros at *P. */
static gboolean
small_number (const char **p, guint *out)
{
  const char *s = *p;
  guint v = 0, n = 0;

  if (*s == '0' && g_ascii_isdigit (s[1]))
    return FALSE;
  while (g_ascii_isdigit (*s) && n < 3)
    {
      v = v * 10 + (guint) (*s - '0');
      s++;
      n++;
    }
  if (n == 0 || n > 2)
    return FALSE;
  *p = s;
  *out = v;
  return TRUE;
}

/* Parses TEXT into COLUMN's type; adds a problem at PATH when it is not a type. */
static gboolean
parse_type (const char *text, JcColumn *column, const char *path, JcProblems *problems)
{
  static const struct { const char *name; JcColumnType type; } simple[] = {
    { "INT", JC_COLUMN_INT }, { "BOOL", JC_COLUMN_BOOL }, { "DATE", JC_COLUMN_DATE },
    { "CATEGORY", JC_COLUMN_CATEGORY }, { "ID", JC_COLUMN_ID },
  };
  g_autofree char *q = jc_quote (text);

  for (gsize i = 0; i < G_N_ELEMENTS (simple); i++)
    if (strcmp (text, simple[i].name) == 0)
      {
        column->type = simple[i].type;
        return TRUE;
      }
  if (strcmp (text, "DECIMAL") == 0)
    {
      jc_problems_add (problems, path,
                       _("DECIMAL needs a precision and a scale, such as \"DECIMAL(10,2)\""));
      return FALSE;
    }
  if (g_str_has_prefix (text, "DECIMAL("))
    {
      const char *p = text + strlen ("DECIMAL(");
      guint prec, scale;
      if (!small_number (&p, &prec) || *p++ != ',' || !small_number (&p, &scale) ||
          strcmp (p, ")") != 0)
        {
          jc_problems_add (problems, path,
                           _("%s is not written as DECIMAL(p,s) with two numbers and no spaces, such as \"DECIMAL(10,2)\""), q);
          return FALSE;
        }
      if (prec < 1 || prec > JC_DECIMAL_MAX_PRECISION)
        {
          jc_problems_add (problems, path,
                           _("%s: the precision must be 1 to %d digits"), q, JC_DECIMAL_MAX_PRECISION);
          return FALSE;
        }
      if (scale > prec)
        {
          jc_problems_add (problems, path,
                           _("%s: the scale (digits after the point) must be 0 to the precision %u"), q, prec);
          return FALSE;
        }
      column->type = JC_COLUMN_DECIMAL;
      column->precision = prec;
      column->scale = scale;
      return TRUE;
    }
  jc_problems_add (problems, path,
                   _("unknown type %s (expected INT, DECIMAL(p,s), BOOL, DATE, CATEGORY or ID)"), q);
  return FALSE;
}

static JcColumn *
read_column (JsonNode *node, const char *path, JcProblems *problems)
{
  JcObjReader r;
  g_autoptr(JcColumn) column = g_new0 (JcColumn, 1);
  g_autofree char *type = NULL;
  JsonNode *codes_node;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  column->name = jc_obj_string (&r, "name", JC_TEXT_IDENTIFIER, TRUE);
  type = jc_obj_string (&r, "type", JC_TEXT_ANY, TRUE);
  codes_node = jc_obj_member (&r, "codes", FALSE);
  if (type != NULL)
    {
      g_autofree char *tpath = jc_path_member (path, "type");
      g_autofree char *cpath = jc_path_member (path, "codes");
      if (!parse_type (type, column, tpath, problems))
        column->type = JC_COLUMN_ID; /* unknown: read on without codes problems */
      else if (column->type == JC_COLUMN_CATEGORY)
        {
          column->codes = g_ptr_array_new_with_free_func (g_free);
          if (codes_node == NULL)
            jc_problems_add (problems, cpath, _("is missing (a CATEGORY column lists its codes)"));
        }
      else if (codes_node != NULL)
        jc_problems_add (problems, cpath, _("only a CATEGORY column has codes"));
    }
  if (codes_node != NULL && column->codes != NULL)
    {
      JsonArray *codes = jc_obj_array (&r, "codes", 1, TRUE);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      g_autofree char *cpath = jc_path_member (path, "codes");
      guint n = codes ? json_array_get_length (codes) : 0;

      if (n > JC_CATEGORY_MAX_CODES)
        jc_problems_add (problems, cpath, _("has more than %d codes"), JC_CATEGORY_MAX_CODES);
      for (guint i = 0; i < n && i < JC_CATEGORY_MAX_CODES; i++)
        {
          g_autofree char *ipath = jc_path_index (cpath, i);
          char *code = jc_node_string (json_array_get_element (codes, i), ipath, JC_TEXT_CODE, problems);
          if (code == NULL)
            continue;
          if (g_hash_table_contains (seen, code))
            {
              g_autofree char *q = jc_quote (code);
              jc_problems_add (problems, ipath, _("the code %s is listed twice"), q);
              g_free (code);
              continue;
            }
          g_ptr_array_add (column->codes, code);
          g_hash_table_add (seen, code);
        }
    }
  jc_obj_reader_finish (&r);
  return g_steal_pointer (&column);
}

GPtrArray *
jc_schema_read (JsonNode *node, const char *path, JcProblems *problems)
{
  GPtrArray *schema = jc_schema_new ();
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      jc_problems_add (problems, path, _("must be an array of columns"));
      return schema;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    jc_problems_add (problems, path, _("must have at least one column"));
  if (n > JC_SCHEMA_MAX_COLUMNS)
    {
      jc_problems_add (problems, path, _("has more than %d columns"), JC_SCHEMA_MAX_COLUMNS);
      n = JC_SCHEMA_MAX_COLUMNS;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ipath = jc_path_index (path, i);
      JcColumn *column = read_column (json_array_get_element (array, i), ipath, problems);
      if (column == NULL)
        continue;
      g_ptr_array_add (schema, column);
      if (column->name == NULL)
        continue;
      if (g_hash_table_contains (names, column->name))
        {
          g_autofree char *npath = jc_path_member (ipath, "name");
          g_autofree char *q = jc_quote (column->name);
          jc_problems_add (problems, npath, _("the column name %s is used twice"), q);
        }
      g_hash_table_add (names, column->name);
    }
  return schema;
}

JsonNode *
jc_schema_to_json (GPtrArray *schema)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < schema->len; i++)
    {
      const JcColumn *column = g_ptr_array_index (schema, i);
      JsonObject *o = json_object_new ();
      g_autofree char *type = jc_column_type_name (column);

      jc_add_string (o, "name", column->name);
      jc_add_string (o, "type", type);
      if (column->type == JC_COLUMN_CATEGORY && column->codes != NULL)
        {
          JsonArray *codes = json_array_new ();
          for (guint j = 0; j < column->codes->len; j++)
            json_array_add_string_element (codes, g_ptr_array_index (column->codes, j));
          json_object_set_array_member (o, "codes", codes);
        }
      json_array_add_object_element (array, o);
    }
  return jc_node_from_array (array);
}

void
jc_schema_render (GString *out, guint indent, GPtrArray *schema)
{
  for (guint i = 0; i < schema->len; i++)
    {
      const JcColumn *column = g_ptr_array_index (schema, i);
      g_autofree char *type = jc_column_type_name (column);
      g_autofree char *name = jc_render_escape (column->name, FALSE);
      g_autoptr(GString) line = g_string_new (NULL);

      g_string_append_printf (line, "%s %s", name, type);
      if (column->type == JC_COLUMN_CATEGORY && column->codes != NULL)
        {
          g_string_append (line, " {");
          for (guint j = 0; j < column->codes->len; j++)
            {
              g_autofree char *code = jc_render_escape (g_ptr_array_index (column->codes, j), FALSE);
              g_auto(GStrv) parts = g_strsplit (code, "\"", -1);
              g_autofree char *quoted = g_strjoinv ("\\\"", parts);
              g_string_append_printf (line, "%s\"%s\"", j ? ", " : "", quoted);
            }
          g_string_append (line, "}");
        }
      jc_render_field_raw (out, indent, "column", line->str);
    }
}

const JcColumn *
jc_schema_find (GPtrArray *schema, const char *name)
{
  for (guint i = 0; i < schema->len; i++)
    {
      const JcColumn *column = g_ptr_array_index (schema, i);
      if (column->name && strcmp (column->name, name) == 0)
        return column;
    }
  return NULL;
}
