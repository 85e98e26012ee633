#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A downloaded result table as the download window shows it (display-free; tested): the
 * header, the first rows, and the bars of its chart. */
typedef struct {
  GStrv      header;
  GPtrArray *rows;        /* GStrv each, as many fields as the header; sorted when all kept */
  gboolean  *numeric;     /* per column: every non-empty cell is a number (shown right-aligned) */
  guint64    n_rows;      /* every row of the file, also those not kept */
  int        group_col;   /* the chart's groups: the first column not all numbers; -1: none */
  int        value_col;   /* the chart's values: the last all-number column; -1: none */
} JcResult;

void      jc_result_free (JcResult *result);
/* Reads the CSV at PATH, keeping at most MAX_ROWS rows. When the whole file fits, the rows
 * are sorted column by column (numbers as numbers), since the computing parties may return
 * the groups in any order; otherwise they stay in the file's order, as "the first N" says. */
JcResult *jc_result_load (const char *path, guint max_rows, GError **error);
/* The chart: one bar per group (its values summed), in order of first appearance. LABELS
 * (char*) and VALUES (double) have one entry per bar; FALSE when the table has no chart. */
gboolean  jc_result_bars (const JcResult *result, GPtrArray **labels, GArray **values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcResult, jc_result_free)

G_END_DECLS
