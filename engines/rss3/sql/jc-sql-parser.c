#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-sql.h"
#include "jc-sql-lexer.h"

#include <glib/gi18n-lib.h>
#include <setjmp.h>
#include <stdio.h>

/* Recursive descent over the token array. Nodes live in the script's arena, so a syntax
 * error can unwind with longjmp without leaking. */
typedef struct {
  GArray *toks;
  guint pos;
  GPtrArray *arena;
  JcSqlError *err;
  GPtrArray *temps;        /* scratch GPtrArrays, freed when parsing ends however it ends */
  GPtrArray *temp_arrays;  /* scratch GArrays, likewise */
  jmp_buf fail;
  guint depth;
} Parser;

/* Deep enough for any sane expression, shallow enough for the C stack. */
#define JC_SQL_MAX_DEPTH 200

static const char *const reserved[] = {
  "OUTPUT", "AS", "SELECT", "FROM", "JOIN", "INNER", "ON", "WHERE", "GROUP", "BY", "HAVING",
  "ORDER", "LIMIT", "ASC", "DESC", "AND", "OR", "NOT", "BETWEEN", "IN", "CASE", "WHEN",
  "THEN", "ELSE", "END", "TRUE", "FALSE", "DATE", "DISTINCT", "NULL", "IS", "LIKE", "UNION",
};

static gpointer
alloc (Parser *p, gsize size)
{
  gpointer m = g_malloc0 (size);
  g_ptr_array_add (p->arena, m);
  return m;
}

static GPtrArray *
temp_ptrs (Parser *p)
{
  GPtrArray *a = g_ptr_array_new ();
  g_ptr_array_add (p->temps, a);
  return a;
}

static GArray *
temp_array (Parser *p, gsize elt)
{
  GArray *a = g_array_new (FALSE, TRUE, elt);
  g_ptr_array_add (p->temp_arrays, a);
  return a;
}


static char *
adopt (Parser *p, const char *s)
{
  char *c = g_strdup (s);
  g_ptr_array_add (p->arena, c);
  return c;
}

static const JcSqlToken *
peek (Parser *p)
{
  return &g_array_index (p->toks, JcSqlToken, p->pos);
}

static const JcSqlToken *
peek2 (Parser *p)
{
  guint i = MIN (p->pos + 1, p->toks->len - 1);
  return &g_array_index (p->toks, JcSqlToken, i);
}

static const JcSqlToken *
next (Parser *p)
{
  const JcSqlToken *t = peek (p);
  if (t->kind != JC_TOK_EOF)
    p->pos++;
  return t;
}

static G_GNUC_NORETURN void
fail_at (Parser *p, const JcSqlToken *t, const char *message)
{
  jc_sql_error_set (p->err, t->line, t->column, "%s", message);
  longjmp (p->fail, 1);
}

static const char *
describe (const JcSqlToken *t, char *buf, gsize size)
{
  switch (t->kind)
    {
    case JC_TOK_EOF: return _("the end of the algorithm");
    case JC_TOK_IDENT: case JC_TOK_NUMBER:
      g_snprintf (buf, size, "“%s”", t->text); return buf;
    case JC_TOK_STRING: return _("a text in quotes");
    default: return _("this symbol");
    }
}

static G_GNUC_NORETURN void
expected (Parser *p, const char *what)
{
  char buf[96], msg[256];
  g_snprintf (msg, sizeof msg, _("Expected %s, found %s."), what, describe (peek (p), buf, sizeof buf));
  fail_at (p, peek (p), msg);
}

static gboolean
accept_kw (Parser *p, const char *kw)
{
  if (jc_sql_token_is_keyword (peek (p), kw))
    {
      next (p);
      return TRUE;
    }
  return FALSE;
}

static void
expect_kw (Parser *p, const char *kw)
{
  if (!accept_kw (p, kw))
    expected (p, kw);
}

static gboolean
accept (Parser *p, JcSqlTokenKind kind)
{
  if (peek (p)->kind == kind)
    {
      next (p);
      return TRUE;
    }
  return FALSE;
}

static void
expect (Parser *p, JcSqlTokenKind kind, const char *what)
{
  if (!accept (p, kind))
    expected (p, what);
}

static gboolean
is_reserved (const JcSqlToken *t)
{
  for (gsize i = 0; i < G_N_ELEMENTS (reserved); i++)
    if (jc_sql_token_is_keyword (t, reserved[i]))
      return TRUE;
  return FALSE;
}

static const JcSqlToken *
expect_name (Parser *p, const char *what)
{
  const JcSqlToken *t = peek (p);
  if (t->kind != JC_TOK_IDENT || is_reserved (t))
    expected (p, what);
  return next (p);
}

static JcSqlExpr *
new_expr (Parser *p, JcSqlExprKind kind, const JcSqlToken *at)
{
  JcSqlExpr *e = alloc (p, sizeof *e);
  e->kind = kind;
  e->line = at->line;
  e->column = at->column;
  return e;
}

static void
set_args (Parser *p, JcSqlExpr *e, GPtrArray *args)
{
  e->n_args = args->len;
  e->args = alloc (p, sizeof (JcSqlExpr *) * MAX (args->len, 1));
  for (guint i = 0; i < args->len; i++)
    e->args[i] = args->pdata[i];
}

static JcSqlExpr *parse_expr (Parser *p);

/* Civil date to days since 1970-01-01 (H. Hinnant's days_from_civil algorithm). */
static gboolean
parse_date (const char *s, int64_t *out)
{
  int y, m, d;
  char tail;
  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-'
      || sscanf (s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  *out = era * 146097 + doe - 719468;
  return TRUE;
}

gboolean jc_sql_parse_date (const char *s, int64_t *out);
gboolean
jc_sql_parse_date (const char *s, int64_t *out)
{
  return parse_date (s, out);
}

static JcSqlExpr *
parse_number (Parser *p)
{
  const JcSqlToken *t = next (p);
  JcSqlExpr *e = new_expr (p, JC_SQL_LITERAL, t);
  const char *dot = strchr (t->text, '.');
  guint scale = dot ? strlen (dot + 1) : 0;
  if (scale > 18)
    fail_at (p, t, _("A number may have at most 18 digits after the point."));
  guint64 v = 0;
  for (const char *c = t->text; *c; c++)
    {
      if (*c == '.')
        continue;
      if (v > (G_MAXINT64 - 9) / 10)
        fail_at (p, t, _("This number is too large for a 64-bit value."));
      v = v * 10 + (guint64) (*c - '0');
    }
  e->value = (int64_t) v;
  e->type.type = scale ? JC_ENGINE_TYPE_DECIMAL : JC_ENGINE_TYPE_INT;
  e->type.scale = scale;
  return e;
}

static JcSqlExpr *
parse_primary (Parser *p)
{
  const JcSqlToken *t = peek (p);
  if (t->kind == JC_TOK_NUMBER)
    return parse_number (p);
  if (t->kind == JC_TOK_STRING)
    {
      next (p);
      JcSqlExpr *e = new_expr (p, JC_SQL_STRING, t);
      e->text = adopt (p, t->text);
      return e;
    }
  if (accept (p, JC_TOK_LPAREN))
    {
      JcSqlExpr *e = parse_expr (p);
      expect (p, JC_TOK_RPAREN, "“)”");
      return e;
    }
  if (jc_sql_token_is_keyword (t, "TRUE") || jc_sql_token_is_keyword (t, "FALSE"))
    {
      next (p);
      JcSqlExpr *e = new_expr (p, JC_SQL_LITERAL, t);
      e->type.type = JC_ENGINE_TYPE_BOOL;
      e->value = jc_sql_token_is_keyword (t, "TRUE");
      return e;
    }
  if (jc_sql_token_is_keyword (t, "DATE") && peek2 (p)->kind == JC_TOK_STRING)
    {
      next (p);
      const JcSqlToken *s = next (p);
      JcSqlExpr *e = new_expr (p, JC_SQL_LITERAL, t);
      e->type.type = JC_ENGINE_TYPE_DATE;
      if (!parse_date (s->text, &e->value))
        fail_at (p, s, _("A date must be written 'YYYY-MM-DD' and exist in the calendar."));
      return e;
    }
  if (jc_sql_token_is_keyword (t, "NULL"))
    fail_at (p, t, _("This dialect has no NULL: every value of an input is present."));
  if (jc_sql_token_is_keyword (t, "CASE"))
    {
      next (p);
      JcSqlExpr *e = new_expr (p, JC_SQL_CASE, t);
      GPtrArray *args = temp_ptrs (p);
      if (!jc_sql_token_is_keyword (peek (p), "WHEN"))
        expected (p, "WHEN");
      while (accept_kw (p, "WHEN"))
        {
          g_ptr_array_add (args, parse_expr (p));
          expect_kw (p, "THEN");
          g_ptr_array_add (args, parse_expr (p));
        }
      if (accept_kw (p, "ELSE"))
        g_ptr_array_add (args, parse_expr (p));
      else
        fail_at (p, peek (p), _("CASE needs an ELSE: this dialect has no NULL to fall back on."));
      expect_kw (p, "END");
      set_args (p, e, args);
      return e;
    }
  if (t->kind == JC_TOK_IDENT && peek2 (p)->kind == JC_TOK_LPAREN && !is_reserved (t))
    {
      static const struct { const char *name; JcSqlAgg agg; } aggs[] = {
        { "COUNT", JC_SQL_AGG_COUNT }, { "SUM", JC_SQL_AGG_SUM }, { "AVG", JC_SQL_AGG_AVG },
        { "MIN", JC_SQL_AGG_MIN }, { "MAX", JC_SQL_AGG_MAX },
        { "VAR_POP", JC_SQL_AGG_VAR_POP }, { "VAR_SAMP", JC_SQL_AGG_VAR_SAMP },
        { "VARIANCE", JC_SQL_AGG_VAR_SAMP },
        { "STDDEV_POP", JC_SQL_AGG_STDDEV_POP }, { "STDDEV_SAMP", JC_SQL_AGG_STDDEV_SAMP },
        { "STDDEV", JC_SQL_AGG_STDDEV_SAMP },
      };
      for (gsize i = 0; i < G_N_ELEMENTS (aggs); i++)
        if (jc_sql_token_is_keyword (t, aggs[i].name))
          {
            next (p);
            next (p);
            JcSqlExpr *e = new_expr (p, JC_SQL_AGGREGATE, t);
            e->agg = aggs[i].agg;
            GPtrArray *args = temp_ptrs (p);
            if (jc_sql_token_is_keyword (peek (p), "DISTINCT"))
              fail_at (p, peek (p), _("Aggregates over DISTINCT values are not supported."));
            if (e->agg == JC_SQL_AGG_COUNT && accept (p, JC_TOK_STAR))
              ;
            else
              g_ptr_array_add (args, parse_expr (p));
            expect (p, JC_TOK_RPAREN, "“)”");
            set_args (p, e, args);
            return e;
          }
      char msg[200];
      g_snprintf (msg, sizeof msg, _("There is no function “%s” in this dialect."), t->text);
      fail_at (p, t, msg);
    }
  if (t->kind == JC_TOK_IDENT && !is_reserved (t))
    {
      next (p);
      JcSqlExpr *e = new_expr (p, JC_SQL_COLUMN, t);
      if (accept (p, JC_TOK_DOT))
        {
          const JcSqlToken *n = expect_name (p, _("a column name"));
          e->qualifier = adopt (p, t->text);
          e->name = adopt (p, n->text);
        }
      else
        e->name = adopt (p, t->text);
      return e;
    }
  expected (p, _("a value, a column or “(”"));
}

static JcSqlExpr *
parse_unary (Parser *p)
{
  const JcSqlToken *t = peek (p);
  if (++p->depth > JC_SQL_MAX_DEPTH)
    fail_at (p, t, _("This expression is nested too deeply."));
  JcSqlExpr *e;
  if (accept (p, JC_TOK_MINUS))
    {
      e = new_expr (p, JC_SQL_NEG, t);
      JcSqlExpr *a = parse_unary (p);
      e->args = alloc (p, sizeof (JcSqlExpr *));
      e->args[0] = a;
      e->n_args = 1;
    }
  else if (accept (p, JC_TOK_PLUS))
    e = parse_unary (p);
  else
    e = parse_primary (p);
  p->depth--;
  return e;
}

static JcSqlExpr *
binary (Parser *p, const JcSqlToken *at, JcSqlOp op, JcSqlExpr *a, JcSqlExpr *b)
{
  JcSqlExpr *e = new_expr (p, JC_SQL_BINARY, at);
  e->op = op;
  e->args = alloc (p, 2 * sizeof (JcSqlExpr *));
  e->args[0] = a;
  e->args[1] = b;
  e->n_args = 2;
  return e;
}

static JcSqlExpr *
parse_mul (Parser *p)
{
  JcSqlExpr *e = parse_unary (p);
  for (;;)
    {
      const JcSqlToken *t = peek (p);
      if (t->kind == JC_TOK_STAR || t->kind == JC_TOK_SLASH)
        {
          next (p);
          e = binary (p, t, t->kind == JC_TOK_STAR ? JC_SQL_OP_MUL : JC_SQL_OP_DIV, e,
                      parse_unary (p));
        }
      else
        return e;
    }
}

static JcSqlExpr *
parse_add (Parser *p)
{
  JcSqlExpr *e = parse_mul (p);
  for (;;)
    {
      const JcSqlToken *t = peek (p);
      if (t->kind == JC_TOK_PLUS || t->kind == JC_TOK_MINUS)
        {
          next (p);
          e = binary (p, t, t->kind == JC_TOK_PLUS ? JC_SQL_OP_ADD : JC_SQL_OP_SUB, e,
                      parse_mul (p));
        }
      else
        return e;
    }
}

static JcSqlExpr *
parse_cmp (Parser *p)
{
  JcSqlExpr *e = parse_add (p);
  const JcSqlToken *t = peek (p);
  static const struct { JcSqlTokenKind k; JcSqlOp op; } ops[] = {
    { JC_TOK_EQ, JC_SQL_OP_EQ }, { JC_TOK_NE, JC_SQL_OP_NE }, { JC_TOK_LT, JC_SQL_OP_LT },
    { JC_TOK_LE, JC_SQL_OP_LE }, { JC_TOK_GT, JC_SQL_OP_GT }, { JC_TOK_GE, JC_SQL_OP_GE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    if (t->kind == ops[i].k)
      {
        next (p);
        JcSqlExpr *r = binary (p, t, ops[i].op, e, parse_add (p));
        const JcSqlToken *after = peek (p);
        for (gsize j = 0; j < G_N_ELEMENTS (ops); j++)
          if (after->kind == ops[j].k)
            fail_at (p, after, _("Comparisons cannot be chained; join them with AND."));
        return r;
      }
  gboolean negated = FALSE;
  if (jc_sql_token_is_keyword (t, "NOT")
      && (jc_sql_token_is_keyword (peek2 (p), "BETWEEN") || jc_sql_token_is_keyword (peek2 (p), "IN")))
    {
      next (p);
      negated = TRUE;
      t = peek (p);
    }
  if (accept_kw (p, "BETWEEN"))
    {
      JcSqlExpr *b = new_expr (p, JC_SQL_BETWEEN, t);
      b->negated = negated;
      b->args = alloc (p, 3 * sizeof (JcSqlExpr *));
      b->n_args = 3;
      b->args[0] = e;
      b->args[1] = parse_add (p);
      expect_kw (p, "AND");
      b->args[2] = parse_add (p);
      return b;
    }
  if (accept_kw (p, "IN"))
    {
      JcSqlExpr *in = new_expr (p, JC_SQL_IN, t);
      in->negated = negated;
      GPtrArray *args = temp_ptrs (p);
      g_ptr_array_add (args, e);
      expect (p, JC_TOK_LPAREN, "“(”");
      do
        g_ptr_array_add (args, parse_add (p));
      while (accept (p, JC_TOK_COMMA));
      expect (p, JC_TOK_RPAREN, "“)”");
      set_args (p, in, args);
      return in;
    }
  if (jc_sql_token_is_keyword (t, "IS") || jc_sql_token_is_keyword (t, "LIKE"))
    fail_at (p, t, _("IS and LIKE are not part of this dialect."));
  return e;
}

static JcSqlExpr *
parse_not (Parser *p)
{
  const JcSqlToken *t = peek (p);
  if (accept_kw (p, "NOT"))
    {
      if (++p->depth > JC_SQL_MAX_DEPTH)
        fail_at (p, t, _("This expression is nested too deeply."));
      JcSqlExpr *e = new_expr (p, JC_SQL_NOT, t);
      e->args = alloc (p, sizeof (JcSqlExpr *));
      e->args[0] = parse_not (p);
      e->n_args = 1;
      p->depth--;
      return e;
    }
  return parse_cmp (p);
}

static JcSqlExpr *
parse_and (Parser *p)
{
  JcSqlExpr *e = parse_not (p);
  const JcSqlToken *t;
  while (t = peek (p), accept_kw (p, "AND"))
    e = binary (p, t, JC_SQL_OP_AND, e, parse_not (p));
  return e;
}

static JcSqlExpr *
parse_expr (Parser *p)
{
  if (++p->depth > JC_SQL_MAX_DEPTH)
    fail_at (p, peek (p), _("This expression is nested too deeply."));
  JcSqlExpr *e = parse_and (p);
  const JcSqlToken *t;
  while (t = peek (p), accept_kw (p, "OR"))
    e = binary (p, t, JC_SQL_OP_OR, e, parse_and (p));
  p->depth--;
  return e;
}

static void
parse_table_ref (Parser *p, JcSqlTableRef *ref)
{
  const JcSqlToken *t = expect_name (p, _("the name of an input table"));
  ref->name = adopt (p, t->text);
  ref->line = t->line;
  ref->column = t->column;
  if (accept_kw (p, "AS"))
    ref->alias = adopt (p, expect_name (p, _("an alias"))->text);
  else if (peek (p)->kind == JC_TOK_IDENT && !is_reserved (peek (p)))
    ref->alias = adopt (p, next (p)->text);
}

static JcSqlExpr *
parse_column_ref (Parser *p)
{
  const JcSqlToken *t = peek (p);
  JcSqlExpr *e = parse_primary (p);
  if (e->kind != JC_SQL_COLUMN)
    fail_at (p, t, _("Expected a column here."));
  return e;
}

static JcSqlQuery *
parse_query (Parser *p)
{
  JcSqlQuery *q = alloc (p, sizeof *q);
  expect_kw (p, "SELECT");
  if (jc_sql_token_is_keyword (peek (p), "DISTINCT"))
    fail_at (p, peek (p), _("SELECT DISTINCT is not supported; use GROUP BY."));
  if (peek (p)->kind == JC_TOK_STAR)
    fail_at (p, peek (p), _("Name every column of the result instead of “*”."));
  GArray *items = temp_array (p, sizeof (JcSqlItem));
  do
    {
      JcSqlItem item = { .line = peek (p)->line, .column = peek (p)->column };
      item.expr = parse_expr (p);
      if (accept_kw (p, "AS"))
        item.alias = adopt (p, expect_name (p, _("a column name"))->text);
      else if (peek (p)->kind == JC_TOK_IDENT && !is_reserved (peek (p)))
        item.alias = adopt (p, next (p)->text);
      g_array_append_val (items, item);
    }
  while (accept (p, JC_TOK_COMMA));
  q->n_items = items->len;
  q->items = alloc (p, sizeof (JcSqlItem) * items->len);
  memcpy (q->items, items->data, sizeof (JcSqlItem) * items->len);

  expect_kw (p, "FROM");
  parse_table_ref (p, &q->from);
  if (peek (p)->kind == JC_TOK_COMMA)
    fail_at (p, peek (p), _("Join tables with JOIN … ON a.key = b.key, not with a comma."));
  if (accept_kw (p, "INNER"))
    {
      if (!jc_sql_token_is_keyword (peek (p), "JOIN"))
        expected (p, "JOIN");
    }
  if (jc_sql_token_is_keyword (peek (p), "LEFT") || jc_sql_token_is_keyword (peek (p), "RIGHT")
      || jc_sql_token_is_keyword (peek (p), "FULL") || jc_sql_token_is_keyword (peek (p), "OUTER"))
    fail_at (p, peek (p), _("Only inner joins are supported."));
  if (accept_kw (p, "JOIN"))
    {
      q->has_join = TRUE;
      parse_table_ref (p, &q->join);
      expect_kw (p, "ON");
      q->join_left = parse_column_ref (p);
      expect (p, JC_TOK_EQ, "“=”");
      q->join_right = parse_column_ref (p);
      if (jc_sql_token_is_keyword (peek (p), "AND") || jc_sql_token_is_keyword (peek (p), "OR"))
        fail_at (p, peek (p), _("A join is on one key: ON a.key = b.key. Put other conditions "
                                "in WHERE."));
      if (jc_sql_token_is_keyword (peek (p), "JOIN"))
        fail_at (p, peek (p), _("A query may join two tables at most."));
    }
  if (accept_kw (p, "WHERE"))
    q->where = parse_expr (p);
  if (accept_kw (p, "GROUP"))
    {
      expect_kw (p, "BY");
      GPtrArray *g = temp_ptrs (p);
      do
        g_ptr_array_add (g, parse_column_ref (p));
      while (accept (p, JC_TOK_COMMA));
      q->n_group_by = g->len;
      q->group_by = alloc (p, sizeof (JcSqlExpr *) * g->len);
      memcpy (q->group_by, g->pdata, sizeof (JcSqlExpr *) * g->len);
    }
  if (accept_kw (p, "HAVING"))
    q->having = parse_expr (p);
  if (accept_kw (p, "ORDER"))
    {
      expect_kw (p, "BY");
      GArray *o = temp_array (p, sizeof (JcSqlOrder));
      do
        {
          JcSqlOrder ord = { .line = peek (p)->line, .column = peek (p)->column };
          ord.expr = parse_add (p);
          if (accept_kw (p, "DESC"))
            ord.descending = TRUE;
          else
            accept_kw (p, "ASC");
          g_array_append_val (o, ord);
        }
      while (accept (p, JC_TOK_COMMA));
      q->n_order_by = o->len;
      q->order_by = alloc (p, sizeof (JcSqlOrder) * o->len);
      memcpy (q->order_by, o->data, sizeof (JcSqlOrder) * o->len);
    }
  if (accept_kw (p, "LIMIT"))
    {
      const JcSqlToken *t = peek (p);
      if (t->kind != JC_TOK_NUMBER || strchr (t->text, '.'))
        expected (p, _("a whole number of rows"));
      JcSqlExpr *n = parse_number (p);
      q->has_limit = TRUE;
      q->limit = n->value;
    }
  return q;
}

static void
temps_free (Parser *p)
{
  g_ptr_array_unref (p->temps);
  g_ptr_array_unref (p->temp_arrays);
}

JcSqlScript *
jc_sql_parse (const char *text, gsize len, JcSqlError *err)
{
  g_autoptr(GArray) toks = jc_sql_lex (text, len, err);
  if (toks == NULL)
    return NULL;

  JcSqlScript *script = g_new0 (JcSqlScript, 1);
  script->arena = g_ptr_array_new_with_free_func (g_free);
  Parser p = { .toks = toks, .arena = script->arena, .err = err };
  p.temps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  p.temp_arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  GArray *stmts = g_array_new (FALSE, TRUE, sizeof (JcSqlStatement));

  if (setjmp (p.fail) != 0)
    {
      temps_free (&p);
      g_array_unref (stmts);
      jc_sql_script_free (script);
      return NULL;
    }
  if (peek (&p)->kind == JC_TOK_EOF)
    fail_at (&p, peek (&p), _("The algorithm is empty: write one OUTPUT statement per output."));
  while (peek (&p)->kind != JC_TOK_EOF)
    {
      JcSqlStatement st = { .line = peek (&p)->line, .column = peek (&p)->column };
      expect_kw (&p, "OUTPUT");
      st.key = adopt (&p, expect_name (&p, _("the name of an output"))->text);
      expect_kw (&p, "AS");
      st.query = parse_query (&p);
      if (peek (&p)->kind != JC_TOK_SEMI)
        expected (&p, _("“;” at the end of the statement"));
      next (&p);
      g_array_append_val (stmts, st);
    }
  script->n_statements = stmts->len;
  script->statements = alloc (&p, sizeof (JcSqlStatement) * stmts->len);
  memcpy (script->statements, stmts->data, sizeof (JcSqlStatement) * stmts->len);
  temps_free (&p);
  g_array_unref (stmts);
  return script;
}

void
jc_sql_script_free (JcSqlScript *script)
{
  if (script == NULL)
    return;
  g_ptr_array_unref (script->arena);
  g_free (script);
}
