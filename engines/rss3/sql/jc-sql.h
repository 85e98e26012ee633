/* The SQL dialect of rss3 (docs/sql.md): tokens, the syntax tree and its types. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "engine.h"

G_BEGIN_DECLS

typedef struct {
  guint line;
  guint column;
  char message[512];
} JcSqlError;

/* ---------------------------------------------------------------- types */

/* The type of a value inside a query. DECIMAL values are integers scaled by 10^scale;
 * `codes` points at the declaring column's codes for CATEGORY. */
typedef struct {
  JcEngineType type;
  guint scale;
  const char *const *codes;
  gsize n_codes;
} JcSqlType;

/* ---------------------------------------------------------------- syntax tree */

typedef enum {
  JC_SQL_COLUMN,     /* a column of an input (qualifier.name) */
  JC_SQL_LITERAL,    /* number, TRUE/FALSE, DATE '…'; value in `value` at `type` */
  JC_SQL_STRING,     /* '…' before typing: becomes a CATEGORY code or a DATE */
  JC_SQL_NEG,
  JC_SQL_NOT,
  JC_SQL_BINARY,     /* op */
  JC_SQL_BETWEEN,    /* args: x, low, high */
  JC_SQL_IN,         /* args: x, item… */
  JC_SQL_CASE,       /* args: cond, value, cond, value, …, [else] */
  JC_SQL_AGGREGATE,  /* agg, args: [x] (COUNT(*) has none) */
  JC_SQL_RESCALE,    /* inserted by the checker: args[0] brought to `type.scale` */
} JcSqlExprKind;

typedef enum {
  JC_SQL_OP_ADD, JC_SQL_OP_SUB, JC_SQL_OP_MUL, JC_SQL_OP_DIV,
  JC_SQL_OP_EQ, JC_SQL_OP_NE, JC_SQL_OP_LT, JC_SQL_OP_LE, JC_SQL_OP_GT, JC_SQL_OP_GE,
  JC_SQL_OP_AND, JC_SQL_OP_OR,
} JcSqlOp;

typedef enum {
  JC_SQL_AGG_COUNT, JC_SQL_AGG_SUM, JC_SQL_AGG_AVG, JC_SQL_AGG_MIN, JC_SQL_AGG_MAX,
  JC_SQL_AGG_VAR_POP, JC_SQL_AGG_VAR_SAMP, JC_SQL_AGG_STDDEV_POP, JC_SQL_AGG_STDDEV_SAMP,
} JcSqlAgg;

typedef struct JcSqlExpr JcSqlExpr;
struct JcSqlExpr {
  JcSqlExprKind kind;
  guint line, column;
  JcSqlOp op;
  JcSqlAgg agg;
  gboolean negated;       /* NOT BETWEEN, NOT IN */
  char *qualifier;        /* COLUMN: table name or alias, may be NULL */
  char *name;             /* COLUMN */
  char *text;             /* STRING */
  int64_t value;          /* LITERAL: encoded value */
  JcSqlExpr **args;
  guint n_args;
  /* Set by the checker. */
  JcSqlType type;
  int side;               /* COLUMN: 0 = FROM table, 1 = JOIN table */
  guint col_index;        /* COLUMN: index in that table's schema */
  guint agg_slot;         /* AGGREGATE: index into the query's aggregate list */
  guint group_slot;       /* COLUMN under GROUP BY: index of its GROUP BY item + 1, or 0 */
};

typedef struct {
  JcSqlExpr *expr;
  char *alias;            /* NULL when none */
  guint line, column;
} JcSqlItem;

typedef struct {
  char *name;
  char *alias;
  guint line, column;
  const JcEngineSchema *schema;  /* set by the checker */
  guint input_index;
} JcSqlTableRef;

typedef struct {
  guint output_column;    /* index in the result (0-based) */
  gboolean descending;
  guint line, column;
  JcSqlExpr *expr;        /* as written; resolved by the checker */
} JcSqlOrder;

typedef struct {
  JcSqlItem *items;
  guint n_items;
  JcSqlTableRef from;
  gboolean has_join;
  JcSqlTableRef join;
  JcSqlExpr *join_left, *join_right;   /* ON a = b, both ID or INT columns */
  JcSqlExpr *where;
  JcSqlExpr **group_by;
  guint n_group_by;
  JcSqlExpr *having;
  JcSqlOrder *order_by;
  guint n_order_by;
  gboolean has_limit;
  int64_t limit;
  /* Set by the checker. */
  gboolean aggregated;    /* GROUP BY or any aggregate: one row per group */
  JcSqlExpr **aggregates; /* every aggregate call in items/having, in order */
  guint n_aggregates;
  const JcEngineSchema *output_schema;
  guint output_index;
} JcSqlQuery;

typedef struct {
  char *key;
  guint line, column;
  JcSqlQuery *query;
} JcSqlStatement;

/* A parsed script. Every node is owned by `arena` and freed with the script. */
typedef struct {
  GPtrArray *arena;
  JcSqlStatement *statements;
  guint n_statements;
} JcSqlScript;

/* ---------------------------------------------------------------- entry points */

/* Parses; on failure returns NULL and fills err with the position of the first error. */
JcSqlScript *jc_sql_parse (const char *text, gsize len, JcSqlError *err);
void         jc_sql_script_free (JcSqlScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcSqlScript, jc_sql_script_free)

/* Resolves names and types against the schemas; on failure fills err. */
gboolean     jc_sql_check (JcSqlScript *script,
                           const JcEngineSchema *inputs, gsize n_inputs,
                           const JcEngineSchema *outputs, gsize n_outputs,
                           guint flags, JcSqlError *err);

/* Value encodings into Z_2^64 (docs/sql.md). */
uint64_t     jc_sql_encode_id (const char *text, gsize len);
gboolean     jc_sql_type_is_numeric (const JcSqlType *t);
int64_t      jc_sql_pow10 (guint k);

void         jc_sql_error_set (JcSqlError *err, guint line, guint column,
                               const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
