#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include "jc-client.h"

G_DEFINE_INTERFACE (JcClient, jc_client, G_TYPE_OBJECT)

static void
jc_client_default_init (JcClientInterface *iface)
{
}

void
jc_peer_info_free (JcPeerInfo *peer)
{
  if (peer == NULL)
    return;
  g_free (peer->name);
  g_free (peer->fingerprint_hex);
  g_free (peer);
}

#define IFACE(self) JC_CLIENT_GET_IFACE (self)

const char *
jc_client_get_node_name (JcClient *self)
{
  return IFACE (self)->get_node_name (self);
}

GPtrArray *
jc_client_list_tasks (JcClient *self, GError **error)
{
  return IFACE (self)->list_tasks (self, error);
}

GPtrArray *
jc_client_list_peers (JcClient *self, GError **error)
{
  return IFACE (self)->list_peers (self, error);
}

gboolean
jc_client_set_peer_verified (JcClient *self, const char *fingerprint_hex, gboolean verified,
                             GError **error)
{
  return IFACE (self)->set_peer_verified (self, fingerprint_hex, verified, error);
}

char *
jc_client_create_pak (JcClient *self, const char *task_id, GError **error)
{
  return IFACE (self)->create_pak (self, task_id, error);
}

GPtrArray *
jc_client_list_paks (JcClient *self, const char *task_id, GError **error)
{
  return IFACE (self)->list_paks (self, task_id, error);
}

char *
jc_client_save_draft (JcClient *self, JsonNode *draft, GError **error)
{
  return IFACE (self)->save_draft (self, draft, error);
}

void
jc_client_submit_draft_async (JcClient *self, JsonNode *draft, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->submit_draft_async (self, draft, cancellable, callback, user_data);
}

char *
jc_client_submit_draft_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->submit_draft_finish (self, result, error);
}

void
jc_client_upload_async (JcClient *self, const char *task_id, const char *input_key,
                        GFile *file, JcClientProgress progress, gpointer progress_data,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  IFACE (self)->upload_async (self, task_id, input_key, file, progress, progress_data,
                              cancellable, callback, user_data);
}

gboolean
jc_client_upload_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->upload_finish (self, result, error);
}

void
jc_client_download_async (JcClient *self, const char *task_id, const char *output_key,
                          GFile *destination, JcClientProgress progress,
                          gpointer progress_data, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->download_async (self, task_id, output_key, destination, progress,
                                progress_data, cancellable, callback, user_data);
}

gboolean
jc_client_download_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->download_finish (self, result, error);
}

GStrv
jc_client_get_roles (JcClient *self)
{
  return IFACE (self)->get_roles (self);
}

gboolean
jc_client_has_role (JcClient *self, const char *role)
{
  g_auto(GStrv) roles = jc_client_get_roles (self);
  return roles != NULL && g_strv_contains ((const char *const *) roles, role);
}

void
jc_client_terminate_async (JcClient *self, const char *task_id, const char *reason,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  IFACE (self)->terminate_async (self, task_id, reason, cancellable, callback, user_data);
}

gboolean
jc_client_terminate_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->terminate_finish (self, result, error);
}

void
jc_client_decide_async (JcClient *self, const char *task_id, gboolean approve, const char *reason,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->decide_async (self, task_id, approve, reason, cancellable, callback, user_data);
}

gboolean
jc_client_decide_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->decide_finish (self, result, error);
}

void
jc_client_attest_async (JcClient *self, const char *task_id, const char *key, gboolean upload,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->attest_async (self, task_id, key, upload, cancellable, callback, user_data);
}

GPtrArray *
jc_client_attest_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->attest_finish (self, result, error);
}

void
jc_client_quality_async (JcClient *self, const char *task_id, const char *input_key,
                         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->quality_async (self, task_id, input_key, cancellable, callback, user_data);
}

JsonNode *
jc_client_quality_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->quality_finish (self, result, error);
}

void
jc_received_pak_free (JcReceivedPak *pak)
{
  if (!pak)
    return;
  g_free (pak->pak);
  g_free (pak->role);
  g_free (pak->origin);
  g_free (pak);
}

GPtrArray *
jc_client_list_received_paks (JcClient *self, const char *task_id, GError **error)
{
  return IFACE (self)->list_received_paks (self, task_id, error);
}

void
jc_client_addendum_async (JcClient *self, const char *task_id, const char *const *custodians,
                          const char *const *analysts, const char *signatory, GFile *signatory_doc,
                          GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->addendum_async (self, task_id, custodians, analysts, signatory, signatory_doc,
                                cancellable, callback, user_data);
}

gboolean
jc_client_addendum_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->addendum_finish (self, result, error);
}

void
jc_client_sign_async (JcClient *self, const char *task_id, GFile *signature,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->sign_async (self, task_id, signature, cancellable, callback, user_data);
}

gboolean
jc_client_sign_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->sign_finish (self, result, error);
}

char *
jc_client_get_ctsa_hash (JcClient *self, const char *task_id, GError **error)
{
  return IFACE (self)->get_ctsa_hash (self, task_id, error);
}

void
jc_client_sign_with_token_async (JcClient *self, const char *task_id, const JcSignerCert *cert,
                                 JcSecret *pin, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->sign_with_token_async (self, task_id, cert, pin, cancellable, callback, user_data);
}

gboolean
jc_client_sign_with_token_finish (JcClient *self, GAsyncResult *result, GError **error)
{
  return IFACE (self)->sign_with_token_finish (self, result, error);
}

char *
jc_client_get_task_event (JcClient *self, const char *task_id)
{
  return IFACE (self)->get_task_event (self, task_id);
}
