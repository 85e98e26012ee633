#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "jc-ctio-protocol.h"
#include "jc-secret.h"
#include "jc-task-messages.h"
#include "jc-signatures.h"
#include "jc-tee.h"

G_BEGIN_DECLS

/* The client side of the CT VM IO protocol (docs/guest.md): what `jocondectl upload`,
 * `download` and `status` and the desktop app use to talk to a task's computation VMs.
 * Every call opens an attested TLS connection (jc-atls.h) to each VM it needs, checking the
 * VM's evidence against the task's TEE policy and the CTA hash the caller signed, and proves
 * the caller's PAK. Calls block: use them from a worker thread (GTask) in a UI.
 *
 *   g_autoptr(JcCtioClient) c = jc_ctio_client_new (&policy, cta_hash, 32, pak_secret);
 *   jc_ctio_client_set_address (c, 0, "cp1.example.org:7443");   … one per computing party
 *   g_autoptr(JcCtioUpload) up = jc_ctio_upload_begin (c, "population", NULL, &error);
 *   …engine sharer with jc_ctio_upload_engine_write as its write function and up as user…
 *   jc_ctio_upload_finish (up, NULL, &error);
 */

#define JC_TYPE_CTIO_CLIENT (jc_ctio_client_get_type ())
G_DECLARE_FINAL_TYPE (JcCtioClient, jc_ctio_client, JC, CTIO_CLIENT, GObject)

/* POLICY (copied): the TEE policy of the task's CTSC (jc_agreement_tee_policy); CTA_HASH:
 * the agreement the caller expects the VMs to enforce; PAK_SECRET: the caller's PAK
 * (libsodium Ed25519 secret key, 64 bytes; copied). */
JcCtioClient *jc_ctio_client_new         (const JcTeePolicy *policy, const guint8 *cta_hash,
                                          gsize cta_hash_len, const JcSecret *pak_secret);
/* The address ("host:port") of computing party PARTY's VM (0-based, CTSC order). */
void          jc_ctio_client_set_address (JcCtioClient *self, guint party, const char *address);
guint         jc_ctio_client_get_n_parties (JcCtioClient *self);
void          jc_ctio_client_set_timeout (JcCtioClient *self, guint seconds);

/* The status of PARTY's VM: {"type": "io-status", "task_id", "party", "state", "reason"?,
 * "inputs": [{"key", "state", "quality"?}], "outputs": [{"key", "state", "retrieved_by"}]}. */
JsonNode     *jc_ctio_status (JcCtioClient *self, guint party, GCancellable *cancellable,
                              GError **error);

/* Polls every VM's status until each reports STATE (or a later one), for `status --wait`.
 * Fails with JC_ERROR_CANCELLED when a VM reports "cancelled" (its reason in the message,
 * unless STATE is "cancelled"), JC_ERROR_EXPIRED after TIMEOUT_S seconds. */
gboolean      jc_ctio_wait_state (JcCtioClient *self, const char *state, guint timeout_s,
                                  GCancellable *cancellable, GError **error);
/* Polls PARTY 0's status until the data-quality verdict of INPUT_KEY's committed upload is
 * known: PASSED and VIOLATIONS. Fails after TIMEOUT_S seconds, or when the input has no
 * quality check (JC_ERROR_NOT_FOUND once the calculation started without one). */
gboolean      jc_ctio_wait_quality (JcCtioClient *self, const char *input_key, guint timeout_s,
                                    gboolean *passed, gint64 *violations,
                                    GCancellable *cancellable, GError **error);

/* ---- Upload of one input table: one share stream per VM ---- */
typedef struct _JcCtioUpload JcCtioUpload;

/* Progress: bytes sent so far to all VMs together. */
typedef void (*JcCtioProgressFunc) (guint64 bytes, gpointer user_data);

/* Connects to every VM and asks each to open the input's slot for this upload; fails
 * (with the VM's reason) when any refuses. */
JcCtioUpload *jc_ctio_upload_begin  (JcCtioClient *self, const char *input_key,
                                     GCancellable *cancellable, GError **error);
void          jc_ctio_upload_set_progress (JcCtioUpload *up, JcCtioProgressFunc func,
                                           gpointer user_data);
/* Sends bytes of PARTY's share stream (any size; sent in chunks as they come). */
gboolean      jc_ctio_upload_write  (JcCtioUpload *up, guint party, const void *buf, gsize len,
                                     GError **error);
/* A JcEngineWriteFunc: USER is the JcCtioUpload. Returns 0 on success; the error is kept
 * and reported by jc_ctio_upload_finish. */
int           jc_ctio_upload_engine_write (void *user, unsigned party, const void *buf,
                                           size_t len);
/* Ends every stream and waits until the VMs have committed the upload together (or rolled
 * it back, which is an error). */
gboolean      jc_ctio_upload_finish (JcCtioUpload *up, GCancellable *cancellable, GError **error);
guint64       jc_ctio_upload_get_bytes_sent (JcCtioUpload *up);
void          jc_ctio_upload_free   (JcCtioUpload *up);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCtioUpload, jc_ctio_upload_free)

/* ---- Download of one output: its share streams from every VM, interleaved ---- */
/* Receives bytes of PARTY's share stream; return FALSE with ERROR to stop. */
typedef gboolean (*JcCtioSinkFunc) (guint party, const guint8 *buf, gsize len,
                                    gpointer user_data, GError **error);

/* Downloads OUTPUT_KEY from every VM; each VM gives it once per peer. Chunks reach SINK
 * round-robin across the VMs, so memory stays bounded whatever the size. */
gboolean      jc_ctio_download (JcCtioClient *self, const char *output_key, JcCtioSinkFunc sink,
                                gpointer user_data, GCancellable *cancellable, GError **error);

/* Asks PARTY's VM to cancel or terminate the task. SIGNATURE is the node signature of the
 * message's signer over its hash (jc_control_message_digest); the VM refuses an unsigned
 * or wrongly signed request. */
gboolean      jc_ctio_control (JcCtioClient *self, guint party, const JcControlMessage *message,
                               const JcNodeSignature *signature, GCancellable *cancellable,
                               GError **error);

G_END_DECLS
