/* The executor: runs a checked script on one party with the rss3 runtime. */
#pragma once

#include <glib.h>

#include "engine.h"
#include "jc-sql.h"
#include "rss3.h"

G_BEGIN_DECLS

/* One input table as this party holds it: columns of shares. */
typedef struct {
  gsize n_rows;
  guint n_columns;
  JcRss3AVec **columns;
} JcSqlTable;

/* Receives one output: n rows, columns of shares in the output specification's types. */
typedef gboolean (*JcSqlOutputFunc) (void *user, const JcEngineSchema *output, gsize n_rows,
                                     JcRss3AVec *const *columns, JcEngineError *err);

/* Runs every statement of `script`; inputs[i] belongs to the i-th input schema given to
 * jc_sql_check. Reveals to the parties only what docs/sql.md lists ("What the parties
 * learn"). */
gboolean jc_sql_exec (JcSqlScript *script, JcRss3Ctx *ctx, JcSqlTable *const *inputs,
                      gsize n_inputs, JcSqlOutputFunc output, void *user,
                      const JcEngineHost *host, JcEngineError *err);

G_END_DECLS
