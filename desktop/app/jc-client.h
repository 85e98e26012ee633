#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "jc-secret.h"
#include "jc-signer-cert.h"
#include "jc-task-info.h"

G_BEGIN_DECLS

/* The client core as the app sees it: everything the app does with the node's profile and
 * the network goes through this interface, so that the app holds no second implementation
 * of anything. Two implementations:
 *  - JcClientLocal (jc-client-local.h): reads a profile directory's documents and keys; it
 *    does everything that needs no network and refuses the rest with JC_ERROR_UNSUPPORTED;
 *  - the client core of libjoconde (issue 8), plugged in by implementing this interface
 *    over it (sync, enrolment, draft submission, upload, download).
 * Synchronous methods are quick local reads; anything that may take long is async. */

#define JC_TYPE_CLIENT (jc_client_get_type ())
G_DECLARE_INTERFACE (JcClient, jc_client, JC, CLIENT, GObject)

/* A node this node knows: a peer or computing party of some task. */
typedef struct {
  char    *name;
  char    *fingerprint_hex;  /* SHA-256 of its certificate, 64 hex digits */
  gboolean verified;         /* compared out of band and confirmed by this user (ADR-5) */
} JcPeerInfo;

void jc_peer_info_free (JcPeerInfo *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcPeerInfo, jc_peer_info_free)

/* Upload/download progress: bytes done of total (total 0 when unknown). Called on the
 * main context. */
typedef void (*JcClientProgress) (guint64 done, guint64 total, gpointer user_data);

struct _JcClientInterface {
  GTypeInterface parent_iface;

  const char *(*get_node_name)  (JcClient *self);
  /* The roles this node's certificate grants ("organiser", "custodian", …). */
  GStrv       (*get_roles)      (JcClient *self);
  GPtrArray  *(*list_tasks)     (JcClient *self, GError **error);           /* JcTaskInfo* */
  GPtrArray  *(*list_peers)     (JcClient *self, GError **error);           /* JcPeerInfo* */
  gboolean    (*set_peer_verified) (JcClient *self, const char *fingerprint_hex,
                                    gboolean verified, GError **error);
  /* Creates a PAK for TASK_ID, keeps its private key in the profile and returns the
   * public key (base64url). */
  char       *(*create_pak)     (JcClient *self, const char *task_id, GError **error);
  GPtrArray  *(*list_paks)      (JcClient *self, const char *task_id, GError **error); /* char* */
  /* Keeps a draft in the profile (always local); returns its path. */
  char       *(*save_draft)     (JcClient *self, JsonNode *draft, GError **error);
  /* Sends a draft to the organisation's node, which returns the task id. */
  void        (*submit_draft_async)  (JcClient *self, JsonNode *draft, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
  char       *(*submit_draft_finish) (JcClient *self, GAsyncResult *result, GError **error);
  /* Attests the task's CT VMs, shares FILE (already checked) and streams it to them. */
  void        (*upload_async)   (JcClient *self, const char *task_id, const char *input_key,
                                 GFile *file, JcClientProgress progress, gpointer progress_data,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
  gboolean    (*upload_finish)  (JcClient *self, GAsyncResult *result, GError **error);
  void        (*download_async) (JcClient *self, const char *task_id, const char *output_key,
                                 GFile *destination, JcClientProgress progress,
                                 gpointer progress_data, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
  gboolean    (*download_finish) (JcClient *self, GAsyncResult *result, GError **error);
  /* Organiser or SO approver: ends the task, with the reason every peer sees. */
  void        (*terminate_async)  (JcClient *self, const char *task_id, const char *reason,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
  gboolean    (*terminate_finish) (JcClient *self, GAsyncResult *result, GError **error);
  /* SO approver: approves every peer's CTSA of the task, or rejects them with a reason. */
  void        (*decide_async)     (JcClient *self, const char *task_id, gboolean approve,
                                   const char *reason, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
  gboolean    (*decide_finish)    (JcClient *self, GAsyncResult *result, GError **error);
  /* Attests the task's three CT VMs for an upload of input KEY (UPLOAD) or a download of
   * output KEY: a JcClientAttestation* per computing party (libjoconde/client). */
  void        (*attest_async)     (JcClient *self, const char *task_id, const char *key,
                                   gboolean upload, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
  GPtrArray  *(*attest_finish)    (JcClient *self, GAsyncResult *result, GError **error);
  /* Waits for the data-quality verdict of this node's upload of INPUT_KEY: {"passed": bool,
   * "violations": n}; NULL without error when the task sets no check for the input. */
  void        (*quality_async)    (JcClient *self, const char *task_id, const char *input_key,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
  JsonNode   *(*quality_finish)   (JcClient *self, GAsyncResult *result, GError **error);
  /* Organiser: the PAKs custodians and analysts registered for the task (JcReceivedPak*). */
  GPtrArray  *(*list_received_paks) (JcClient *self, const char *task_id, GError **error);
  /* Organiser: this organisation's CTSA — CUSTODIANS "PAK=INPUT_KEY" and ANALYSTS
   * "PAK=OUTPUT_KEY", the signatory and their identification document (may be NULL) —
   * signed with the node key and sent. */
  void        (*addendum_async)   (JcClient *self, const char *task_id,
                                   const char *const *custodians, const char *const *analysts,
                                   const char *signatory, GFile *signatory_doc,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
  gboolean    (*addendum_finish)  (JcClient *self, GAsyncResult *result, GError **error);
  /* Organiser: the signatory's signed sheet (a scan, any file) of this organisation's CTSA. */
  void        (*sign_async)       (JcClient *self, const char *task_id, GFile *signature,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
  gboolean    (*sign_finish)      (JcClient *self, GAsyncResult *result, GError **error);
  /* The root's words about the task's latest change (e.g. who signed an addendum
   * electronically), or NULL when none are known. */
  char       *(*get_task_event)   (JcClient *self, const char *task_id);
  /* Organiser: the hash (64 hex digits) of this organisation's current CTSA, the one a
   * signatory signs; NULL with an error when no addendum was sent. */
  char       *(*get_ctsa_hash)    (JcClient *self, const char *task_id, GError **error);
  /* Signatory at the organiser's node: signs the current CTSA with CERT's key in its
   * security token (PIN taken, may be NULL) in a thread, then sends the signature. */
  void        (*sign_with_token_async) (JcClient *self, const char *task_id,
                                        const JcSignerCert *cert, JcSecret *pin,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
  gboolean    (*sign_with_token_finish) (JcClient *self, GAsyncResult *result, GError **error);
};

/* A PAK registered with the organisation's node. */
typedef struct {
  char *pak;     /* base64url */
  char *role;    /* "custodian" | "analyst" */
  char *origin;  /* the node that registered it */
} JcReceivedPak;

void jc_received_pak_free (JcReceivedPak *pak);

const char *jc_client_get_node_name     (JcClient *self);
GStrv       jc_client_get_roles         (JcClient *self);
gboolean    jc_client_has_role          (JcClient *self, const char *role);
GPtrArray  *jc_client_list_tasks        (JcClient *self, GError **error);
GPtrArray  *jc_client_list_peers        (JcClient *self, GError **error);
gboolean    jc_client_set_peer_verified (JcClient *self, const char *fingerprint_hex,
                                         gboolean verified, GError **error);
char       *jc_client_create_pak        (JcClient *self, const char *task_id, GError **error);
GPtrArray  *jc_client_list_paks         (JcClient *self, const char *task_id, GError **error);
char       *jc_client_save_draft        (JcClient *self, JsonNode *draft, GError **error);
void        jc_client_submit_draft_async  (JcClient *self, JsonNode *draft,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
char       *jc_client_submit_draft_finish (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_upload_async      (JcClient *self, const char *task_id,
                                         const char *input_key, GFile *file,
                                         JcClientProgress progress, gpointer progress_data,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean    jc_client_upload_finish     (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_download_async    (JcClient *self, const char *task_id,
                                         const char *output_key, GFile *destination,
                                         JcClientProgress progress, gpointer progress_data,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean    jc_client_download_finish   (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_terminate_async   (JcClient *self, const char *task_id, const char *reason,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean    jc_client_terminate_finish  (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_decide_async      (JcClient *self, const char *task_id, gboolean approve,
                                         const char *reason, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean    jc_client_decide_finish     (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_attest_async      (JcClient *self, const char *task_id, const char *key,
                                         gboolean upload, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
GPtrArray  *jc_client_attest_finish     (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_quality_async     (JcClient *self, const char *task_id, const char *input_key,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
JsonNode   *jc_client_quality_finish    (JcClient *self, GAsyncResult *result, GError **error);
GPtrArray  *jc_client_list_received_paks (JcClient *self, const char *task_id, GError **error);
void        jc_client_addendum_async    (JcClient *self, const char *task_id,
                                         const char *const *custodians, const char *const *analysts,
                                         const char *signatory, GFile *signatory_doc,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean    jc_client_addendum_finish   (JcClient *self, GAsyncResult *result, GError **error);
void        jc_client_sign_async        (JcClient *self, const char *task_id, GFile *signature,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean    jc_client_sign_finish       (JcClient *self, GAsyncResult *result, GError **error);
char       *jc_client_get_ctsa_hash     (JcClient *self, const char *task_id, GError **error);
char       *jc_client_get_task_event    (JcClient *self, const char *task_id);
void        jc_client_sign_with_token_async  (JcClient *self, const char *task_id,
                                              const JcSignerCert *cert, JcSecret *pin,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean    jc_client_sign_with_token_finish (JcClient *self, GAsyncResult *result,
                                              GError **error);

G_END_DECLS
