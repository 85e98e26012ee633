#pragma once

#include "jc-client-node.h"
#include "jc-csv-check.h"

G_BEGIN_DECLS

/* Uploads and downloads of a task's data (spec §4.4.3, §4.4.6): everything is checked on
 * this node before a byte leaves it, the three computation VMs are attested against the
 * task's agreement, and the data travel as secret shares made by the task's engine, in
 * bounded memory whatever the file's size. */

/* Progress: bytes of the file read (upload) or of shares received (download), of TOTAL
 * (0 when unknown). Called on the thread doing the transfer. */
typedef void (*JcClientProgressFunc) (guint64 done, guint64 total, gpointer user_data);

/* A prepared transfer: what the node knows, read on the node's thread; the transfer itself
 * may then run on a worker thread (it touches neither the node nor its store). */
typedef struct _JcClientTransfer JcClientTransfer;

/* Checks the task (verified agreement, deadline, a PAK of this node granted INPUT_KEY, the
 * VMs' addresses) and the CSV file against the input's schema. A CSV with problems fails
 * with JC_ERROR_INVALID listing every problem with its row and column; the report is
 * returned in REPORT either way when REPORT is not NULL. */
JcClientTransfer *jc_client_upload_prepare   (JcClientNode *node, const char *task_id,
                                              const char *input_key, const char *csv_path,
                                              JcCsvReport **report, GError **error);
/* Attests the VMs, shares the file and streams the shares; returns when the VMs have
 * committed the upload. */
gboolean          jc_client_upload_run       (JcClientTransfer *transfer,
                                              JcClientProgressFunc progress, gpointer user_data,
                                              GCancellable *cancellable, GError **error);
/* The data-quality verdict of the upload as the VMs report it: NULL while none is known;
 * else {"passed": bool, "violations": n, …} of the first VM that has one. */
JsonNode         *jc_client_upload_quality   (JcClientTransfer *transfer, GError **error);

/* Checks the task and that a PAK of this node is granted OUTPUT_KEY. */
JcClientTransfer *jc_client_download_prepare (JcClientNode *node, const char *task_id,
                                              const char *output_key, const char *out_path,
                                              GError **error);
/* Attests the VMs, fetches the output's three share streams, reconstructs the rows and
 * writes them as CSV (header: the output's columns) to the path given, atomically. */
gboolean          jc_client_download_run     (JcClientTransfer *transfer,
                                              JcClientProgressFunc progress, gpointer user_data,
                                              GCancellable *cancellable, GError **error);
guint64           jc_client_transfer_get_rows (JcClientTransfer *transfer);
/* TRUE when the task sets a data-quality check for the input being uploaded. */
gboolean          jc_client_transfer_has_quality (JcClientTransfer *transfer);
void              jc_client_transfer_free    (JcClientTransfer *transfer);

/* The same as GTasks, for an app: prepare on the caller's thread, run in a worker. */
void     jc_client_transfer_run_async  (JcClientTransfer *transfer, JcClientProgressFunc progress,
                                        gpointer progress_data, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
gboolean jc_client_transfer_run_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcClientTransfer, jc_client_transfer_free)

G_END_DECLS
