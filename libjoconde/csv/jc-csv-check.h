#pragma once

#include <gio/gio.h>

#include "engine.h"
#include "jc-schema.h"

G_BEGIN_DECLS

/* Checks a CSV file against the schema of an input table and converts its rows to the
 * typed values the engine's sharer takes (engines/engine.h).
 *
 * The first record is the header: its names must be the schema's columns, each once, in
 * any order. Every other record is a row; each value is checked against its column's type
 * (jc-csv-value.h). Every problem is reported with its row and column; the row is the
 * line of the file on which the record starts (line 1 is the header), so it is what a text
 * editor shows, and what a spreadsheet shows unless a quoted value spans lines. At most
 * max_problems problems are kept; the others are only counted. Memory stays bounded
 * whatever the size of the file.
 *
 * An upload checks the whole file first (rows_func NULL) and only when the report has no
 * problem reads it a second time with rows_func to share it: nothing leaves the machine
 * from a file with a problem. */

#define JC_CSV_DEFAULT_MAX_PROBLEMS 200u
#define JC_CSV_BATCH_ROWS 1024u

typedef struct {
  guint64 row;          /* from 1; 0 when the problem is about the whole file */
  guint   column;       /* from 1, in the file; 0 when it is about the whole row */
  char   *column_name;  /* the schema column's name, or NULL */
  char   *message;      /* for the user */
} JcCsvProblem;

typedef struct {
  guint64    n_rows;      /* data rows read (the header not counted) */
  guint64    n_problems;  /* every problem found, kept or not */
  GPtrArray *problems;    /* JcCsvProblem*, the first max_problems in file order */
  gboolean   complete;    /* FALSE when the file could not be read to its end */
} JcCsvReport;

/* Receives up to JC_CSV_BATCH_ROWS valid rows: n_rows × n_columns values, row-major, in
 * schema order. The values (and an ID's text) are valid during the call only. Return
 * FALSE with ERROR set to stop. */
typedef gboolean (*JcCsvRowsFunc) (const JcEngineValue *rows, gsize n_rows, gsize n_columns,
                                   gpointer user_data, GError **error);
/* Called about every 64 KiB with the bytes consumed so far. */
typedef void (*JcCsvProgressFunc) (guint64 bytes_read, gpointer user_data);

/* Reads STREAM to its end. A problem of the data is in the report, never an error: the
 * function fails (NULL) only when the stream fails, CANCELLABLE is cancelled or ROWS_FUNC
 * fails. ROWS_FUNC and PROGRESS may be NULL. */
JcCsvReport *jc_csv_check_stream (GInputStream *stream, GPtrArray *schema, guint max_problems,
                                  JcCsvRowsFunc rows_func, JcCsvProgressFunc progress,
                                  gpointer user_data, GCancellable *cancellable,
                                  GError **error);
JcCsvReport *jc_csv_check_file   (GFile *file, GPtrArray *schema, guint max_problems,
                                  JcCsvRowsFunc rows_func, JcCsvProgressFunc progress,
                                  gpointer user_data, GCancellable *cancellable,
                                  GError **error);

void         jc_csv_report_free   (JcCsvReport *report);
gboolean     jc_csv_report_ok     (const JcCsvReport *report);
/* "Row 3, column 2 (age): “x” is not a whole number (or too large)". */
char        *jc_csv_problem_format (const JcCsvProblem *problem);
/* Every kept problem, one per line, then "… and N more problems" when some were not kept. */
char        *jc_csv_report_to_string (const JcCsvReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCsvReport, jc_csv_report_free)

G_END_DECLS
