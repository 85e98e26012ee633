#pragma once

#include "jc-client-node.h"
#include "jc-parts.h"
#include "jc-secret.h"
#include "jc-signer-cert.h"

G_BEGIN_DECLS

/* What the people of a task do through their node (spec §4.4.1): each call checks what it
 * can locally, queues its message, and returns the message id, so that the caller can wait
 * for the outcome (jc_client_node_wait_async with the predicates below, or the blocking
 * jc_client_*_wait helpers the command line uses). */

/* Task Organiser: a draft file becomes a CTSC sent to the root, which answers with the
 * task's id. */
char    *jc_client_submit_draft  (JcClientNode *node, const char *draft_path, GError **error);
/* Waits for the root's answer to a draft submission; returns the task id. */
char    *jc_client_submit_draft_wait (JcClientNode *node, const char *msg_id, guint timeout_ms,
                                      GError **error);

/* Custodian or analyst: a new PAK for a task, its private key kept in the profile,
 * registered with the organisation's node. ROLE may be NULL (from the node's roles).
 * Returns the public key (base64url). */
char    *jc_client_pak_new       (JcClientNode *node, const char *task_id, const char *role,
                                  GError **error);

/* Task Organiser: this organisation's CTSA: CUSTODIANS "PAK=INPUT_KEY" and ANALYSTS
 * "PAK=OUTPUT_KEY" (a PAK may appear several times), the signatory and their identification
 * document; node-signed and sent. Every PAK must have been registered with this node. */
char    *jc_client_addendum      (JcClientNode *node, const char *task_id,
                                  const char *const *custodians, const char *const *analysts,
                                  const char *signatory, const char *signatory_doc,
                                  GError **error);
/* Task Organiser: imports the signatory's signature (a signed sheet, any file) of this
 * organisation's current CTSA and sends it. */
char    *jc_client_sign          (JcClientNode *node, const char *task_id, const char *signature_file,
                                  GError **error);
/* Sends FILE (taken; a signed sheet or a CMS signature) as the signatory signature of
 * this organisation's current CTSA. */
char    *jc_client_sign_file     (JcClientNode *node, const char *task_id, JcFile *file,
                                  GError **error);
/* The current CTSA of this organisation (the document the signatory signs), or an error
 * when no addendum was sent. */
JsonNode *jc_client_current_ctsa (JcClientNode *node, const char *task_id, GError **error);
/* Signatory with a security token: signs this organisation's current CTSA with CERT's key
 * (a CMS detached signature, agreement/jc-signatory-cms.h; PIN may be NULL) and sends it
 * as the signatory signature. Blocks while the token signs: call it from a thread in an
 * app. */
char    *jc_client_sign_with_token (JcClientNode *node, const char *task_id,
                                    const JcSignerCert *cert, const JcSecret *pin,
                                    GError **error);
/* SO approver: approves (REASON NULL) or rejects the CTSA of PEER (name or index; NULL:
 * every peer). Returns the message ids. */
GPtrArray *jc_client_decide      (JcClientNode *node, const char *task_id, const char *peer,
                                  gboolean approve, const char *reason, GError **error);
/* Organiser or SO approver: ends the task. */
char    *jc_client_terminate     (JcClientNode *node, const char *task_id, const char *reason,
                                  GError **error);

/* Waits until the root has taken request MSG_ID about TASK_ID: a new status of the task
 * (for nodes that get them), or else its delivery without refusal. */
gboolean jc_client_request_wait  (JcClientNode *node, const char *task_id, const char *msg_id,
                                  guint timeout_ms, GError **error);
/* The same for an app: waits on the caller's main context without blocking it. */
void     jc_client_request_wait_async  (JcClientNode *node, const char *task_id,
                                        const char *msg_id, guint timeout_ms,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean jc_client_request_wait_finish (JcClientNode *node, GAsyncResult *result, GError **error);

G_END_DECLS
