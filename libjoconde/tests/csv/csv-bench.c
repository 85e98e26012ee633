#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jc-csv-check.h"
#include "jc-init.h"

/* joconde-csv-bench [MB]: writes a CSV of about MB megabytes (default 200) with the columns
 * of a typical input (ID, CATEGORY, DATE, INT, DECIMAL(10,2), BOOL), then times
 *   1. reading the file with plain 64 KiB reads (the baseline: the disk and the page cache),
 *   2. checking every value against the schema,
 *   3. checking and converting every row to engine values, as an upload does,
 * and prints MB/s and the peak resident memory, which stays flat whatever the size. */

static double
now (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

static long
peak_rss_kib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static gboolean
count_rows (const JcEngineValue *rows, gsize n_rows, gsize n_columns, gpointer user, GError **error)
{
  *(guint64 *) user += n_rows;
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint64 target = (argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 200) * 1000 * 1000;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) schema = jc_schema_new ();
  g_autoptr(GFile) file = NULL;
  FILE *out;
  int fd;
  guint64 size = 0, rows = 0, converted = 0;
  double t, read_s, check_s, convert_s;
  static const char *const regions[] = { "north", "south", "east", "west", NULL };

  jc_init (NULL);
  g_ptr_array_add (schema, jc_column_new ("person_id", JC_COLUMN_ID));
  g_ptr_array_add (schema, jc_column_new_category ("region", regions));
  g_ptr_array_add (schema, jc_column_new ("birth_date", JC_COLUMN_DATE));
  g_ptr_array_add (schema, jc_column_new ("household", JC_COLUMN_INT));
  g_ptr_array_add (schema, jc_column_new_decimal ("income", 10, 2));
  g_ptr_array_add (schema, jc_column_new ("active", JC_COLUMN_BOOL));

  fd = g_file_open_tmp ("jc-csv-bench-XXXXXX.csv", &path, &error);
  if (fd < 0)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  out = fdopen (fd, "w");
  fputs ("person_id,region,birth_date,household,income,active\n", out);
  while (size < target)
    {
      int n = fprintf (out, "P-%08" G_GUINT64_FORMAT ",%s,19%02u-%02u-%02u,%u,%u.%02u,%s\n", rows,
                       regions[rows % 4], (guint) (rows % 100), (guint) (rows % 12) + 1,
                       (guint) (rows % 28) + 1, (guint) (rows % 9), (guint) (rows % 99999),
                       (guint) (rows % 100), rows % 3 ? "true" : "false");
      size += (guint64) n;
      rows++;
    }
  fclose (out);
  file = g_file_new_for_path (path);

  {
    g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
    g_autofree guint8 *buf = g_malloc (65536);
    gssize n;
    t = now ();
    while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 65536, NULL, NULL)) > 0)
      ;
    read_s = now () - t;
  }
  {
    t = now ();
    g_autoptr(JcCsvReport) report = jc_csv_check_file (file, schema, 100, NULL, NULL, NULL, NULL, &error);
    check_s = now () - t;
    if (report == NULL || !jc_csv_report_ok (report) || report->n_rows != rows)
      {
        g_printerr ("check failed\n");
        return 1;
      }
  }
  {
    t = now ();
    g_autoptr(JcCsvReport) report = jc_csv_check_file (file, schema, 100, count_rows, NULL, &converted, NULL, &error);
    convert_s = now () - t;
    if (report == NULL || converted != rows)
      {
        g_printerr ("conversion failed\n");
        return 1;
      }
  }
  g_unlink (path);

  g_print ("CSV of %.1f MB, %" G_GUINT64_FORMAT " rows, 6 columns (ID, CATEGORY, DATE, INT, DECIMAL, BOOL)\n",
           size / 1e6, rows);
  g_print ("  baseline, plain 64 KiB reads:   %8.1f MB/s\n", size / 1e6 / read_s);
  g_print ("  check every value:              %8.1f MB/s  (%.0f rows/s)\n", size / 1e6 / check_s, rows / check_s);
  g_print ("  check and convert to engine rows:%7.1f MB/s\n", size / 1e6 / convert_s);
  g_print ("  peak resident memory:           %8.1f MiB\n", peak_rss_kib () / 1024.0);
  return 0;
}
