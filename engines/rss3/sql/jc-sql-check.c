#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-sql.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <setjmp.h>

/* The type checker: resolves names against the input schemas, gives every expression a type,
 * inserts rescalings so both sides of a numeric operation share one scale, checks aggregate
 * use and that each result matches its output specification. */

/* Scales of the statistical aggregates (docs/sql.md, "Precision"). */
#define AVG_MIN_SCALE 6u
#define VAR_MIN_SCALE 6u
#define STDDEV_MIN_SCALE 3u
#define MAX_SCALE 18u

typedef enum {
  MODE_ROW,        /* WHERE, ON, row queries: no aggregates */
  MODE_GROUPED,    /* SELECT/HAVING of an aggregated query: bare columns must be grouped */
  MODE_IN_AGG,     /* inside an aggregate: no nested aggregate */
} Mode;

typedef struct {
  JcSqlScript *script;
  JcSqlQuery *q;
  JcSqlError *err;
  GPtrArray *aggs;
  jmp_buf fail;
} Checker;

static G_GNUC_NORETURN G_GNUC_PRINTF (3, 4) void
fail (Checker *c, const JcSqlExpr *at, const char *format, ...)
{
  char msg[512];   /* not on the heap: the jump below skips any cleanup */
  va_list ap;
  va_start (ap, format);
  g_vsnprintf (msg, sizeof msg, format, ap);
  va_end (ap);
  jc_sql_error_set (c->err, at ? at->line : 0, at ? at->column : 0, "%s", msg);
  longjmp (c->fail, 1);
}

static G_GNUC_NORETURN G_GNUC_PRINTF (4, 5) void
fail_pos (Checker *c, guint line, guint column, const char *format, ...)
{
  char msg[512];   /* not on the heap: the jump below skips any cleanup */
  va_list ap;
  va_start (ap, format);
  g_vsnprintf (msg, sizeof msg, format, ap);
  va_end (ap);
  jc_sql_error_set (c->err, line, column, "%s", msg);
  longjmp (c->fail, 1);
}

int64_t
jc_sql_pow10 (guint k)
{
  int64_t v = 1;
  for (guint i = 0; i < k && i < 18; i++)
    v *= 10;
  return v;
}

gboolean
jc_sql_type_is_numeric (const JcSqlType *t)
{
  return t->type == JC_ENGINE_TYPE_INT || t->type == JC_ENGINE_TYPE_DECIMAL;
}

const char *jc_sql_type_name (const JcSqlType *t);
const char *
jc_sql_type_name (const JcSqlType *t)
{
  switch (t->type)
    {
    case JC_ENGINE_TYPE_INT: return "INT";
    case JC_ENGINE_TYPE_DECIMAL: return "DECIMAL";
    case JC_ENGINE_TYPE_BOOL: return "BOOL";
    case JC_ENGINE_TYPE_DATE: return "DATE";
    case JC_ENGINE_TYPE_CATEGORY: return "CATEGORY";
    case JC_ENGINE_TYPE_ID: return "ID";
    default: return "?";
    }
}

static JcSqlExpr *
new_node (Checker *c, JcSqlExprKind kind, const JcSqlExpr *at)
{
  JcSqlExpr *e = g_new0 (JcSqlExpr, 1);
  g_ptr_array_add (c->script->arena, e);
  e->kind = kind;
  e->line = at->line;
  e->column = at->column;
  return e;
}

/* Brings a numeric expression to `scale` (only upwards: exact). */
static JcSqlExpr *
rescale (Checker *c, JcSqlExpr *e, guint scale)
{
  if (e->type.scale == scale)
    return e;
  g_assert (scale > e->type.scale);
  if (scale > MAX_SCALE)
    fail (c, e, _("This computation needs more than %u digits after the point."), MAX_SCALE);
  if (e->kind == JC_SQL_LITERAL)
    {
      e->value *= jc_sql_pow10 (scale - e->type.scale);
      e->type.scale = scale;
      e->type.type = JC_ENGINE_TYPE_DECIMAL;
      return e;
    }
  JcSqlExpr *r = new_node (c, JC_SQL_RESCALE, e);
  r->args = g_new0 (JcSqlExpr *, 1);
  g_ptr_array_add (c->script->arena, r->args);
  r->args[0] = e;
  r->n_args = 1;
  r->type = e->type;
  r->type.type = JC_ENGINE_TYPE_DECIMAL;
  r->type.scale = scale;
  return r;
}

static gboolean
same_codes (const JcSqlType *a, const JcSqlType *b)
{
  if (a->n_codes != b->n_codes)
    return FALSE;
  for (gsize i = 0; i < a->n_codes; i++)
    if (g_strcmp0 (a->codes[i], b->codes[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean jc_sql_parse_date (const char *s, int64_t *out);

/* A quoted text takes the type of what it is compared with. */
static void
coerce_string (Checker *c, JcSqlExpr *s, const JcSqlType *to)
{
  if (s->kind != JC_SQL_STRING)
    return;
  if (to->type == JC_ENGINE_TYPE_CATEGORY)
    {
      for (gsize i = 0; i < to->n_codes; i++)
        if (g_strcmp0 (to->codes[i], s->text) == 0)
          {
            s->kind = JC_SQL_LITERAL;
            s->value = (int64_t) i;
            s->type = *to;
            return;
          }
      fail (c, s, _("'%s' is not one of the declared codes of this category."), s->text);
    }
  if (to->type == JC_ENGINE_TYPE_DATE)
    {
      if (!jc_sql_parse_date (s->text, &s->value))
        fail (c, s, _("A date must be written 'YYYY-MM-DD' and exist in the calendar."));
      s->kind = JC_SQL_LITERAL;
      s->type.type = JC_ENGINE_TYPE_DATE;
      return;
    }
  if (to->type == JC_ENGINE_TYPE_ID)
    {
      if (strlen (s->text) > JC_ENGINE_ID_MAX_LEN)
        fail (c, s, _("An ID is at most %u bytes long."), JC_ENGINE_ID_MAX_LEN);
      s->value = (int64_t) jc_sql_encode_id (s->text, strlen (s->text));
      s->kind = JC_SQL_LITERAL;
      s->type.type = JC_ENGINE_TYPE_ID;
      return;
    }
  fail (c, s, _("Text in quotes can only be compared with a CATEGORY, DATE or ID column."));
}

static void check_expr (Checker *c, JcSqlExpr *e, Mode mode);

/* In arithmetic and in averages a BOOL counts as 0 or 1, as in SQLite: SUM(weight * employed)
 * is a weighted count, AVG(employed) a proportion. */
static void
bool_as_int (JcSqlExpr *e)
{
  if (e->kind != JC_SQL_STRING && e->type.type == JC_ENGINE_TYPE_BOOL)
    {
      e->type.type = JC_ENGINE_TYPE_INT;
      e->type.scale = 0;
    }
}

/* Makes a and b comparable; returns FALSE when they are not. */
static gboolean
unify (Checker *c, JcSqlExpr **a, JcSqlExpr **b)
{
  if ((*a)->kind == JC_SQL_STRING && (*b)->kind == JC_SQL_STRING)
    fail (c, *a, _("Compare a column with a text, not two texts."));
  if ((*a)->kind == JC_SQL_STRING)
    coerce_string (c, *a, &(*b)->type);
  if ((*b)->kind == JC_SQL_STRING)
    coerce_string (c, *b, &(*a)->type);
  JcSqlType *ta = &(*a)->type, *tb = &(*b)->type;
  if (jc_sql_type_is_numeric (ta) && jc_sql_type_is_numeric (tb))
    {
      guint s = MAX (ta->scale, tb->scale);
      *a = rescale (c, *a, s);
      *b = rescale (c, *b, s);
      return TRUE;
    }
  if (ta->type != tb->type)
    return FALSE;
  if (ta->type == JC_ENGINE_TYPE_CATEGORY && !same_codes (ta, tb))
    return FALSE;
  return TRUE;
}

static void
check_args (Checker *c, JcSqlExpr *e, Mode mode)
{
  for (guint i = 0; i < e->n_args; i++)
    if (e->args[i]->kind != JC_SQL_STRING)
      check_expr (c, e->args[i], mode);
}

static void
require_bool (Checker *c, JcSqlExpr *e, const char *what)
{
  if (e->kind == JC_SQL_STRING || e->type.type != JC_ENGINE_TYPE_BOOL)
    fail (c, e, _("%s needs a true/false condition here, not a %s value."), what,
          e->kind == JC_SQL_STRING ? _("text") : jc_sql_type_name (&e->type));
}

static void
require_numeric (Checker *c, JcSqlExpr *e, const char *what)
{
  if (e->kind == JC_SQL_STRING || !jc_sql_type_is_numeric (&e->type))
    fail (c, e, _("%s needs a number here, not a %s value."), what,
          e->kind == JC_SQL_STRING ? _("text") : jc_sql_type_name (&e->type));
}

static void
resolve_column (Checker *c, JcSqlExpr *e, Mode mode)
{
  JcSqlQuery *q = c->q;
  int found_side = -1;
  guint found_col = 0;
  for (int side = 0; side < (q->has_join ? 2 : 1); side++)
    {
      JcSqlTableRef *t = side == 0 ? &q->from : &q->join;
      if (e->qualifier != NULL
          && g_ascii_strcasecmp (e->qualifier, t->alias ? t->alias : t->name) != 0)
        continue;
      for (gsize i = 0; i < t->schema->n_columns; i++)
        if (g_ascii_strcasecmp (t->schema->columns[i].name, e->name) == 0)
          {
            if (found_side >= 0)
              fail (c, e, _("The column “%s” is in both tables; write table.%s."), e->name,
                    e->name);
            found_side = side;
            found_col = i;
          }
    }
  if (found_side < 0)
    {
      if (e->qualifier != NULL)
        {
          gboolean known = FALSE;
          for (int side = 0; side < (q->has_join ? 2 : 1); side++)
            {
              JcSqlTableRef *t = side == 0 ? &q->from : &q->join;
              known |= g_ascii_strcasecmp (e->qualifier, t->alias ? t->alias : t->name) == 0;
            }
          if (!known)
            fail (c, e, _("No table called “%s” in this query."), e->qualifier);
        }
      fail (c, e, _("There is no column “%s” in %s."), e->name,
            q->has_join ? _("the joined tables") : q->from.name);
    }
  const JcEngineColumn *col = &(found_side == 0 ? q->from.schema : q->join.schema)->columns[found_col];
  e->side = found_side;
  e->col_index = found_col;
  e->type.type = col->type;
  e->type.scale = col->type == JC_ENGINE_TYPE_DECIMAL ? col->scale : 0;
  e->type.codes = col->codes;
  e->type.n_codes = col->n_codes;
  if (mode == MODE_GROUPED)
    {
      for (guint g = 0; g < q->n_group_by; g++)
        if (q->group_by[g]->side == e->side && q->group_by[g]->col_index == e->col_index)
          {
            e->group_slot = g + 1;
            return;
          }
      fail (c, e, _("The column “%s” must be in GROUP BY or inside an aggregate such as "
                    "SUM or COUNT."), e->name);
    }
}

static void
check_aggregate (Checker *c, JcSqlExpr *e, Mode mode)
{
  if (mode == MODE_ROW)
    fail (c, e, _("Aggregates are not allowed here (use HAVING for conditions on groups)."));
  if (mode == MODE_IN_AGG)
    fail (c, e, _("An aggregate cannot contain another aggregate."));
  e->agg_slot = c->aggs->len;
  g_ptr_array_add (c->aggs, e);
  if (e->n_args == 0)
    {
      e->type.type = JC_ENGINE_TYPE_INT;
      return;
    }
  JcSqlExpr *x = e->args[0];
  if (x->kind == JC_SQL_STRING)
    fail (c, x, _("An aggregate needs a column or an expression, not a text."));
  check_expr (c, x, MODE_IN_AGG);
  guint s = x->type.scale;
  switch (e->agg)
    {
    case JC_SQL_AGG_COUNT:
      e->type.type = JC_ENGINE_TYPE_INT;
      break;
    case JC_SQL_AGG_SUM:
      if (x->type.type == JC_ENGINE_TYPE_BOOL)
        {
          e->type.type = JC_ENGINE_TYPE_INT;
          break;
        }
      require_numeric (c, x, "SUM");
      e->type = x->type;
      break;
    case JC_SQL_AGG_MIN:
    case JC_SQL_AGG_MAX:
      if (!jc_sql_type_is_numeric (&x->type) && x->type.type != JC_ENGINE_TYPE_DATE)
        fail (c, x, _("MIN and MAX need a number or a date, not a %s value."),
              jc_sql_type_name (&x->type));
      e->type = x->type;
      break;
    case JC_SQL_AGG_AVG:
      bool_as_int (x);
      require_numeric (c, x, "AVG");
      e->type.type = JC_ENGINE_TYPE_DECIMAL;
      e->type.scale = MAX (s, AVG_MIN_SCALE);
      break;
    case JC_SQL_AGG_VAR_POP:
    case JC_SQL_AGG_VAR_SAMP:
      bool_as_int (x);
      require_numeric (c, x, "VAR");
      e->type.type = JC_ENGINE_TYPE_DECIMAL;
      e->type.scale = MAX (2 * s, VAR_MIN_SCALE);
      if (2 * s > 12)
        fail (c, x, _("A variance needs the values to have at most 6 digits after the point."));
      break;
    case JC_SQL_AGG_STDDEV_POP:
    case JC_SQL_AGG_STDDEV_SAMP:
      bool_as_int (x);
      require_numeric (c, x, "STDDEV");
      e->type.type = JC_ENGINE_TYPE_DECIMAL;
      e->type.scale = MAX (s, STDDEV_MIN_SCALE);
      if (s > 6)
        fail (c, x, _("A standard deviation needs the values to have at most 6 digits after "
                      "the point."));
      break;
    }
}

static void
check_binary (Checker *c, JcSqlExpr *e, Mode mode)
{
  JcSqlExpr **a = &e->args[0], **b = &e->args[1];
  check_args (c, e, mode);
  static const char *const names[] = { "+", "-", "*", "/", "=", "<>", "<", "<=", ">", ">=",
                                       "AND", "OR" };
  switch (e->op)
    {
    case JC_SQL_OP_AND:
    case JC_SQL_OP_OR:
      require_bool (c, *a, names[e->op]);
      require_bool (c, *b, names[e->op]);
      e->type.type = JC_ENGINE_TYPE_BOOL;
      return;
    case JC_SQL_OP_EQ: case JC_SQL_OP_NE: case JC_SQL_OP_LT:
    case JC_SQL_OP_LE: case JC_SQL_OP_GT: case JC_SQL_OP_GE:
      if (!unify (c, a, b))
        fail (c, e, _("Cannot compare a %s value with a %s value."), jc_sql_type_name (&(*a)->type),
              jc_sql_type_name (&(*b)->type));
      if (e->op != JC_SQL_OP_EQ && e->op != JC_SQL_OP_NE
          && ((*a)->type.type == JC_ENGINE_TYPE_CATEGORY || (*a)->type.type == JC_ENGINE_TYPE_ID
              || (*a)->type.type == JC_ENGINE_TYPE_BOOL))
        fail (c, e, _("%s values have no order: compare them with = or <> only."),
              jc_sql_type_name (&(*a)->type));
      e->type.type = JC_ENGINE_TYPE_BOOL;
      return;
    default:
      break;
    }
  /* Arithmetic. */
  if ((*a)->kind == JC_SQL_STRING || (*b)->kind == JC_SQL_STRING)
    fail (c, (*a)->kind == JC_SQL_STRING ? *a : *b, _("Cannot compute with text in quotes."));
  bool_as_int (*a);
  bool_as_int (*b);
  JcSqlType *ta = &(*a)->type, *tb = &(*b)->type;
  if (ta->type == JC_ENGINE_TYPE_DATE && (e->op == JC_SQL_OP_ADD || e->op == JC_SQL_OP_SUB)
      && tb->type == JC_ENGINE_TYPE_INT)
    {
      e->type.type = JC_ENGINE_TYPE_DATE;
      return;
    }
  if (ta->type == JC_ENGINE_TYPE_DATE && e->op == JC_SQL_OP_SUB && tb->type == JC_ENGINE_TYPE_DATE)
    {
      e->type.type = JC_ENGINE_TYPE_INT;
      return;
    }
  if (!jc_sql_type_is_numeric (ta) || !jc_sql_type_is_numeric (tb))
    fail (c, e, _("Cannot apply %s to a %s value and a %s value."), names[e->op],
          jc_sql_type_name (ta), jc_sql_type_name (tb));
  gboolean dec = ta->type == JC_ENGINE_TYPE_DECIMAL || tb->type == JC_ENGINE_TYPE_DECIMAL;
  switch (e->op)
    {
    case JC_SQL_OP_ADD:
    case JC_SQL_OP_SUB:
      unify (c, a, b);
      e->type = (*a)->type;
      break;
    case JC_SQL_OP_MUL:
      if (ta->scale + tb->scale > MAX_SCALE)
        fail (c, e, _("This product needs more than %u digits after the point."), MAX_SCALE);
      e->type.type = dec ? JC_ENGINE_TYPE_DECIMAL : JC_ENGINE_TYPE_INT;
      e->type.scale = ta->scale + tb->scale;
      break;
    case JC_SQL_OP_DIV:
      /* a/b at scale s = max(sa, sb): the executor computes a·10^(s−sa+sb) / b. */
      e->type.type = dec ? JC_ENGINE_TYPE_DECIMAL : JC_ENGINE_TYPE_INT;
      e->type.scale = MAX (ta->scale, tb->scale);
      if (e->type.scale + tb->scale > MAX_SCALE)
        fail (c, e, _("This division needs more than %u digits after the point."), MAX_SCALE);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_expr (Checker *c, JcSqlExpr *e, Mode mode)
{
  switch (e->kind)
    {
    case JC_SQL_COLUMN:
      resolve_column (c, e, mode);
      return;
    case JC_SQL_LITERAL:
    case JC_SQL_RESCALE:
      return;
    case JC_SQL_STRING:
      fail (c, e, _("Text in quotes is only allowed in a comparison with a CATEGORY, DATE or "
                    "ID column."));
    case JC_SQL_NEG:
      check_args (c, e, mode);
      require_numeric (c, e->args[0], "−");
      e->type = e->args[0]->type;
      return;
    case JC_SQL_NOT:
      check_args (c, e, mode);
      require_bool (c, e->args[0], "NOT");
      e->type.type = JC_ENGINE_TYPE_BOOL;
      return;
    case JC_SQL_BINARY:
      check_binary (c, e, mode);
      return;
    case JC_SQL_BETWEEN:
      check_args (c, e, mode);
      if (!unify (c, &e->args[0], &e->args[1]) || !unify (c, &e->args[0], &e->args[2])
          || !unify (c, &e->args[0], &e->args[1]))
        fail (c, e, _("BETWEEN needs bounds of the same type as the value."));
      if (!jc_sql_type_is_numeric (&e->args[0]->type) && e->args[0]->type.type != JC_ENGINE_TYPE_DATE)
        fail (c, e, _("BETWEEN needs numbers or dates."));
      e->type.type = JC_ENGINE_TYPE_BOOL;
      return;
    case JC_SQL_IN:
      check_args (c, e, mode);
      if (e->args[0]->kind == JC_SQL_STRING)
        fail (c, e->args[0], _("IN needs a column or an expression on its left."));
      for (guint i = 1; i < e->n_args; i++)
        if (!unify (c, &e->args[0], &e->args[i]))
          fail (c, e->args[i], _("This value of the IN list has another type than the value "
                                 "tested."));
      /* Rescaling the tested value may have happened after earlier items: redo. */
      for (guint i = 1; i < e->n_args; i++)
        unify (c, &e->args[0], &e->args[i]);
      e->type.type = JC_ENGINE_TYPE_BOOL;
      return;
    case JC_SQL_CASE:
      {
        check_args (c, e, mode);
        guint n_pairs = (e->n_args - 1) / 2;
        for (guint i = 0; i < n_pairs; i++)
          require_bool (c, e->args[2 * i], "WHEN");
        JcSqlExpr **values = g_newa (JcSqlExpr *, n_pairs + 1);
        for (guint i = 0; i < n_pairs; i++)
          values[i] = e->args[2 * i + 1];
        values[n_pairs] = e->args[e->n_args - 1];
        for (guint i = 0; i <= n_pairs; i++)
          if (values[i]->kind == JC_SQL_STRING)
            fail (c, values[i], _("A CASE result cannot be text in quotes."));
        for (int pass = 0; pass < 2; pass++)
          for (guint i = 0; i < n_pairs; i++)
            {
              JcSqlExpr **a = i == 0 ? &e->args[e->n_args - 1] : &e->args[2 * i - 1];
              if (!unify (c, a, &e->args[2 * i + 1]))
                fail (c, e->args[2 * i + 1], _("All results of a CASE must have the same type."));
            }
        if (n_pairs > 0)
          unify (c, &e->args[1], &e->args[e->n_args - 1]);
        e->type = e->args[e->n_args - 1]->type;
        return;
      }
    case JC_SQL_AGGREGATE:
      check_aggregate (c, e, mode);
      return;
    }
}

static gboolean
expr_has_aggregate (const JcSqlExpr *e)
{
  if (e->kind == JC_SQL_AGGREGATE)
    return TRUE;
  for (guint i = 0; i < e->n_args; i++)
    if (expr_has_aggregate (e->args[i]))
      return TRUE;
  return FALSE;
}

static const JcEngineSchema *
find_schema (const JcEngineSchema *list, gsize n, const char *key, guint *index)
{
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (list[i].key, key) == 0)
      {
        *index = i;
        return &list[i];
      }
  return NULL;
}

/* A statistic that is a whole result column is computed at its output column's scale
 * directly (the same truncated value, without a second division to rescale it). STDDEV keeps
 * at most STDDEV_MIN_SCALE digits: more would shrink its range (docs/sql.md). */
static void
compute_at_output_scale (JcSqlExpr *e, const JcEngineColumn *col)
{
  if (e->kind != JC_SQL_AGGREGATE || col->type != JC_ENGINE_TYPE_DECIMAL || e->n_args == 0)
    return;
  guint s = e->args[0]->type.scale;
  switch (e->agg)
    {
    case JC_SQL_AGG_AVG:
      e->type.scale = MAX (s, col->scale);
      break;
    case JC_SQL_AGG_VAR_POP:
    case JC_SQL_AGG_VAR_SAMP:
      e->type.scale = MAX (2 * s, col->scale);
      break;
    case JC_SQL_AGG_STDDEV_POP:
    case JC_SQL_AGG_STDDEV_SAMP:
      e->type.scale = MAX (s, MIN (col->scale, STDDEV_MIN_SCALE));
      break;
    default:
      break;
    }
}

static void
check_output_match (Checker *c, JcSqlStatement *st)
{
  JcSqlQuery *q = st->query;
  const JcEngineSchema *out = q->output_schema;
  if (q->n_items != out->n_columns)
    fail_pos (c, st->line, st->column,
              _("The query gives %u columns but the output specification “%s” declares %zu."),
              q->n_items, out->key, out->n_columns);
  for (guint i = 0; i < q->n_items; i++)
    {
      JcSqlItem *it = &q->items[i];
      const JcEngineColumn *col = &out->columns[i];
      const char *name = it->alias ? it->alias
                         : it->expr->kind == JC_SQL_COLUMN ? it->expr->name : NULL;
      if (name != NULL && g_ascii_strcasecmp (name, col->name) != 0)
        fail_pos (c, it->line, it->column,
                  _("Column %u of the result is called “%s”, but the output specification "
                    "“%s” calls it “%s”."), i + 1, name, out->key, col->name);
      if (name == NULL)
        fail_pos (c, it->line, it->column,
                  _("Name column %u of the result: add AS %s."), i + 1, col->name);
      const JcSqlType *t = &it->expr->type;
      gboolean ok;
      switch (col->type)
        {
        case JC_ENGINE_TYPE_INT:
          ok = t->type == JC_ENGINE_TYPE_INT;
          break;
        case JC_ENGINE_TYPE_DECIMAL:
          ok = jc_sql_type_is_numeric (t);
          break;
        case JC_ENGINE_TYPE_CATEGORY:
          {
            JcSqlType ct = { .type = col->type, .codes = col->codes, .n_codes = col->n_codes };
            ok = t->type == JC_ENGINE_TYPE_CATEGORY && same_codes (t, &ct);
            break;
          }
        default:
          ok = t->type == col->type;
        }
      if (!ok)
        fail_pos (c, it->line, it->column,
                  _("Column %u “%s” of the result is %s, but the output specification “%s” "
                    "declares %s%s."), i + 1, col->name, jc_sql_type_name (t), out->key,
                  jc_sql_type_name (&(JcSqlType) { .type = col->type }),
                  col->type == JC_ENGINE_TYPE_CATEGORY ? _(" with other codes") : "");
      compute_at_output_scale (it->expr, col);
    }
}

static void
check_data_quality (Checker *c, JcSqlStatement *st, gsize n_inputs)
{
  JcSqlQuery *q = st->query;
  if (n_inputs != 1)
    fail_pos (c, 0, 0, _("A data-quality check reads exactly one input table."));
  if (q->has_join || q->n_group_by > 0 || q->having != NULL)
    fail_pos (c, st->line, st->column,
              _("A data-quality check reveals only counts: no JOIN, GROUP BY or HAVING."));
  for (guint i = 0; i < q->n_items; i++)
    {
      JcSqlExpr *e = q->items[i].expr;
      gboolean count = e->kind == JC_SQL_AGGREGATE
                       && (e->agg == JC_SQL_AGG_COUNT
                           || (e->agg == JC_SQL_AGG_SUM
                               && e->args[0]->type.type == JC_ENGINE_TYPE_BOOL));
      if (!count)
        fail (c, e, _("A data-quality check may only reveal counts: COUNT(*) or SUM(condition)."));
    }
}

static void
check_query (Checker *c, JcSqlStatement *st, const JcEngineSchema *inputs, gsize n_inputs,
             const JcEngineSchema *outputs, gsize n_outputs)
{
  JcSqlQuery *q = st->query;
  c->q = q;
  c->aggs = g_ptr_array_new ();

  q->output_schema = find_schema (outputs, n_outputs, st->key, &q->output_index);
  if (q->output_schema == NULL)
    fail_pos (c, st->line, st->column, _("There is no output specification “%s”."), st->key);

  JcSqlTableRef *refs[2] = { &q->from, &q->join };
  for (int side = 0; side < (q->has_join ? 2 : 1); side++)
    {
      JcSqlTableRef *t = refs[side];
      t->schema = find_schema (inputs, n_inputs, t->name, &t->input_index);
      if (t->schema == NULL)
        fail_pos (c, t->line, t->column, _("There is no input table “%s”."), t->name);
    }
  if (q->has_join)
    {
      const char *a = q->from.alias ? q->from.alias : q->from.name;
      const char *b = q->join.alias ? q->join.alias : q->join.name;
      if (g_ascii_strcasecmp (a, b) == 0)
        fail_pos (c, q->join.line, q->join.column,
                  _("Both tables of the join are called “%s”: give one an alias."), a);
      check_expr (c, q->join_left, MODE_ROW);
      check_expr (c, q->join_right, MODE_ROW);
      if (q->join_left->side == q->join_right->side)
        fail (c, q->join_left, _("ON must compare a column of each table."));
      if (q->join_left->side == 1)
        {
          JcSqlExpr *t = q->join_left;
          q->join_left = q->join_right;
          q->join_right = t;
        }
      JcEngineType kt = q->join_left->type.type;
      if (kt != q->join_right->type.type
          || (kt != JC_ENGINE_TYPE_ID && kt != JC_ENGINE_TYPE_INT && kt != JC_ENGINE_TYPE_DATE))
        fail (c, q->join_left, _("A join key must be an ID, INT or DATE column of the same "
                                 "type in both tables."));
    }
  if (q->where != NULL)
    {
      check_expr (c, q->where, MODE_ROW);
      require_bool (c, q->where, "WHERE");
    }
  for (guint g = 0; g < q->n_group_by; g++)
    {
      check_expr (c, q->group_by[g], MODE_ROW);
      if (q->group_by[g]->type.type == JC_ENGINE_TYPE_DECIMAL)
        fail (c, q->group_by[g], _("Group by INT, BOOL, DATE, CATEGORY or ID columns, not by "
                                   "DECIMAL ones."));
    }

  q->aggregated = q->n_group_by > 0 || q->having != NULL;
  for (guint i = 0; i < q->n_items; i++)
    q->aggregated |= expr_has_aggregate (q->items[i].expr);
  Mode mode = q->aggregated ? MODE_GROUPED : MODE_ROW;
  for (guint i = 0; i < q->n_items; i++)
    {
      if (q->items[i].expr->kind == JC_SQL_STRING)
        fail (c, q->items[i].expr, _("A column of the result cannot be a text in quotes."));
      check_expr (c, q->items[i].expr, mode);
    }
  if (q->having != NULL)
    {
      check_expr (c, q->having, MODE_GROUPED);
      require_bool (c, q->having, "HAVING");
    }
  for (guint o = 0; o < q->n_order_by; o++)
    {
      JcSqlOrder *ord = &q->order_by[o];
      JcSqlExpr *e = ord->expr;
      gboolean found = FALSE;
      if (e->kind == JC_SQL_LITERAL && e->type.type == JC_ENGINE_TYPE_INT)
        {
          if (e->value < 1 || e->value > q->n_items)
            fail (c, e, _("ORDER BY %" PRId64 ": the result has %u columns."), e->value,
                  q->n_items);
          ord->output_column = e->value - 1;
          found = TRUE;
        }
      else if (e->kind == JC_SQL_COLUMN)
        for (guint i = 0; i < q->n_items && !found; i++)
          {
            JcSqlItem *it = &q->items[i];
            const char *name = it->alias ? it->alias
                               : it->expr->kind == JC_SQL_COLUMN ? it->expr->name : NULL;
            if (name != NULL && e->qualifier == NULL && g_ascii_strcasecmp (name, e->name) == 0)
              {
                ord->output_column = i;
                found = TRUE;
              }
          }
      if (!found)
        fail (c, e, _("ORDER BY must name a column of the result or give its position."));
      const JcSqlType *t = &q->items[ord->output_column].expr->type;
      if (t->type == JC_ENGINE_TYPE_ID)
        fail (c, e, _("ID values have no meaningful order."));
    }
  if (q->has_limit && q->n_order_by == 0)
    fail_pos (c, st->line, st->column, _("LIMIT needs ORDER BY, or the rows kept would be "
                                         "arbitrary."));
  check_output_match (c, st);

  q->n_aggregates = c->aggs->len;
  q->aggregates = g_new0 (JcSqlExpr *, MAX (c->aggs->len, 1));
  g_ptr_array_add (c->script->arena, q->aggregates);
  for (guint i = 0; i < c->aggs->len; i++)
    q->aggregates[i] = c->aggs->pdata[i];
  g_clear_pointer (&c->aggs, g_ptr_array_unref);
}

gboolean
jc_sql_check (JcSqlScript *script, const JcEngineSchema *inputs, gsize n_inputs,
              const JcEngineSchema *outputs, gsize n_outputs, guint flags, JcSqlError *err)
{
  Checker c = { .script = script, .err = err };
  if (setjmp (c.fail) != 0)
    {
      g_clear_pointer (&c.aggs, g_ptr_array_unref);
      return FALSE;
    }
  for (guint i = 0; i < script->n_statements; i++)
    {
      JcSqlStatement *st = &script->statements[i];
      for (guint j = 0; j < i; j++)
        if (g_strcmp0 (script->statements[j].key, st->key) == 0)
          fail_pos (&c, st->line, st->column, _("The output “%s” is computed twice."), st->key);
      check_query (&c, st, inputs, n_inputs, outputs, n_outputs);
      if (flags & JC_ENGINE_COMPILE_DATA_QUALITY)
        check_data_quality (&c, st, n_inputs);
    }
  for (gsize o = 0; o < n_outputs; o++)
    {
      gboolean found = FALSE;
      for (guint i = 0; i < script->n_statements; i++)
        found |= g_strcmp0 (script->statements[i].key, outputs[o].key) == 0;
      if (!found)
        {
          JcSqlStatement *last = &script->statements[script->n_statements - 1];
          fail_pos (&c, last->line, last->column,
                    _("The output “%s” of the specification is never computed: add "
                      "OUTPUT %s AS SELECT …;"), outputs[o].key, outputs[o].key);
        }
    }
  return TRUE;
}
