#pragma once

#include <gio/gio.h>

#include "jc-csv-check.h"

G_BEGIN_DECLS

/* The first step of an upload, without a display: the files dropped on (or chosen in) the
 * upload window are checked against the input's schema in a worker thread. Exactly one
 * regular file is accepted; the report lists every problem with row and column. */

void         jc_upload_check_async  (GSList *files, GPtrArray *schema,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
/* The report, and the file checked in OUT_FILE (may be NULL). */
JcCsvReport *jc_upload_check_finish (GAsyncResult *result, GFile **out_file, GError **error);

G_END_DECLS
