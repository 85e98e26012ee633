#pragma once

#include "jc-client-node.h"
#include "jc-csv-check.h"
#include "jc-tee-types.h"

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
/* The same for an app: the task is checked on the caller's thread (the node's), the file
 * in a worker thread, so that a large file never blocks a UI. REPORT: as above. */
void              jc_client_upload_prepare_async  (JcClientNode *node, const char *task_id,
                                                   const char *input_key, const char *csv_path,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback, gpointer user_data);
JcClientTransfer *jc_client_upload_prepare_finish (JcClientNode *node, GAsyncResult *result,
                                                   JcCsvReport **report, GError **error);

/* The task's checks of an upload of input KEY (UPLOAD) or a download of output KEY, without a
 * file: a transfer good for jc_client_transfer_attest and jc_client_upload_quality only. */
JcClientTransfer *jc_client_attest_prepare (JcClientNode *node, const char *task_id,
                                            const char *key, gboolean upload, GError **error);

/* What attesting one computation VM showed, for a summary before a transfer. */
typedef struct {
  char          *party;      /* the computing party's name */
  JcTeePlatform  platform;   /* the platform the task's agreement requires */
  gboolean       simulated;  /* a simulated TEE: not confidential */
  gboolean       attested;   /* the evidence verified: platform, measurement and agreement hash match */
  char          *problem;    /* why not, when not attested */
} JcClientAttestation;
void       jc_client_attestation_free (JcClientAttestation *attestation);
/* Attests each of the transfer's VMs now (blocking: call from a worker thread); one
 * JcClientAttestation per computing party, in the CTSC's order. Touches neither the node
 * nor its store. */
GPtrArray *jc_client_transfer_attest  (JcClientTransfer *transfer, GCancellable *cancellable);

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
