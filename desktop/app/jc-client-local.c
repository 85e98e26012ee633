#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-client-local.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-pak.h"

struct _JcClientLocal {
  GObject parent_instance;
  char   *dir;
  char   *node_name;
};

static void jc_client_local_iface_init (JcClientInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JcClientLocal, jc_client_local, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JC_TYPE_CLIENT, jc_client_local_iface_init))

static void
jc_client_local_finalize (GObject *object)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (object);

  g_free (self->dir);
  g_free (self->node_name);
  G_OBJECT_CLASS (jc_client_local_parent_class)->finalize (object);
}

static void
jc_client_local_class_init (JcClientLocalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_client_local_finalize;
}

static void
jc_client_local_init (JcClientLocal *self)
{
}

JcClientLocal *
jc_client_local_new (const char *profile_dir)
{
  JcClientLocal *self = g_object_new (JC_TYPE_CLIENT_LOCAL, NULL);
  g_autofree char *name_path = g_build_filename (profile_dir, "node-name", NULL);
  g_autofree char *name = NULL;

  self->dir = g_strdup (profile_dir);
  if (g_file_get_contents (name_path, &name, NULL, NULL) && g_utf8_validate (name, -1, NULL))
    self->node_name = g_strdup (g_strstrip (name));
  else
    self->node_name = g_path_get_basename (profile_dir);
  return self;
}

gboolean
jc_task_id_is_valid (const char *task_id)
{
  gsize len = task_id ? strlen (task_id) : 0;

  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (task_id[i]) && task_id[i] != '-')
      return FALSE;
  return TRUE;
}

static const char *
local_get_node_name (JcClient *client)
{
  return JC_CLIENT_LOCAL (client)->node_name;
}

static GStrv
local_get_roles (JcClient *client)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autofree char *path = g_build_filename (self->dir, "roles", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) roles = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL) && g_utf8_validate (text, -1, NULL))
    {
      parts = g_strsplit_set (text, ", \n", -1);
      for (guint i = 0; parts[i]; i++)
        if (*parts[i])
          g_ptr_array_add (roles, g_strdup (parts[i]));
    }
  g_ptr_array_add (roles, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&roles), FALSE);
}

static JsonNode *
read_document (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return jc_doc_parse (data, len, NULL, error);
}

static JcTaskInfo *
read_task (const char *task_dir, const char *id, GError **error)
{
  g_autofree char *ctsc_path = g_build_filename (task_dir, "ctsc.json", NULL);
  g_autofree char *status_path = g_build_filename (task_dir, "status.json", NULL);
  g_autoptr(JsonNode) ctsc = read_document (ctsc_path, error);
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JcTaskInfo) info = NULL;
  g_autoptr(GDir) dir = NULL;
  JcTaskState state = JC_TASK_EMERGING;
  const char *name;

  if (ctsc == NULL)
    return NULL;
  if (g_file_test (status_path, G_FILE_TEST_EXISTS))
    {
      status = read_document (status_path, error);
      if (status == NULL)
        return NULL;
    }
  if (status && JSON_NODE_HOLDS_OBJECT (status))
    {
      JsonObject *o = json_node_get_object (status);
      const char *s = json_object_get_string_member_with_default (o, "state", "emerging");
      if (!jc_task_state_from_string (s, &state))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The task’s state “%s” is unknown"), s);
          return NULL;
        }
    }
  info = jc_task_info_new (id, ctsc, state, error);
  if (info == NULL)
    return NULL;
  if (status && JSON_NODE_HOLDS_OBJECT (status))
    {
      JsonObject *o = json_node_get_object (status);
      const char *action = json_object_get_string_member_with_default (o, "action", "");
      const char *key = json_object_get_string_member_with_default (o, "key", NULL);
      static const struct { const char *name; JcTaskAction action; } actions[] = {
        { "addendum", JC_TASK_ACTION_ADDENDUM }, { "sign", JC_TASK_ACTION_SIGN },
        { "approve", JC_TASK_ACTION_APPROVE }, { "upload", JC_TASK_ACTION_UPLOAD },
        { "download", JC_TASK_ACTION_DOWNLOAD },
      };
      for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
        if (g_strcmp0 (action, actions[i].name) == 0)
          jc_task_info_set_action (info, actions[i].action, key);
    }

  dir = g_dir_open (task_dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) ctsa = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      if (g_str_has_prefix (name, "ctsa"))
        {
          path = g_build_filename (task_dir, name, NULL);
          ctsa = read_document (path, error);
          if (ctsa == NULL || !jc_task_info_add_ctsa (info, ctsa, error))
            return NULL;
        }
      else if (g_str_has_prefix (name, "telemetry"))
        {
          g_autoptr(JsonNode) event = NULL;
          path = g_build_filename (task_dir, name, NULL);
          event = read_document (path, error);
          if (event == NULL || !jc_task_info_add_event (info, event, error))
            return NULL;
        }
    }
  return g_steal_pointer (&info);
}

static gint
compare_tasks (gconstpointer a, gconstpointer b)
{
  JcTaskInfo *ta = *(JcTaskInfo **) a, *tb = *(JcTaskInfo **) b;
  /* Tasks owing an action first, then by title. */
  if (jc_task_info_needs_action (ta) != jc_task_info_needs_action (tb))
    return jc_task_info_needs_action (ta) ? -1 : 1;
  return g_utf8_collate (jc_task_info_get_title (ta), jc_task_info_get_title (tb));
}

static GPtrArray *
local_list_tasks (JcClient *client, GError **error)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autofree char *tasks_dir = g_build_filename (self->dir, "tasks", NULL);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (tasks_dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&tasks);
  dir = g_dir_open (tasks_dir, 0, error);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks_dir, name, NULL);
      g_autoptr(GError) local_error = NULL;
      JcTaskInfo *info;

      if (!jc_task_id_is_valid (name) || !g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      info = read_task (path, name, &local_error);
      if (info == NULL)
        {
          g_warning ("Task %s is skipped: %s", name, local_error->message);
          continue;
        }
      g_ptr_array_add (tasks, info);
    }
  g_ptr_array_sort (tasks, compare_tasks);
  return g_steal_pointer (&tasks);
}

static GHashTable *
read_verified (JcClientLocal *self)
{
  g_autofree char *path = g_build_filename (self->dir, "verified-peers", NULL);
  g_autofree char *data = NULL;
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (g_file_get_contents (path, &data, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        if (strlen (g_strstrip (lines[i])) == 64)
          g_hash_table_add (set, g_strdup (lines[i]));
    }
  return set;
}

static void
add_parties (GPtrArray *out, GHashTable *seen, GHashTable *verified, GPtrArray *parties)
{
  for (guint i = 0; i < parties->len; i++)
    {
      const JcParty *party = g_ptr_array_index (parties, i);
      JcPeerInfo *peer;
      char *hex = jc_hex_encode (party->fingerprint, JC_DOC_HASH_SIZE);

      if (g_hash_table_contains (seen, hex))
        {
          g_free (hex);
          continue;
        }
      g_hash_table_add (seen, hex);
      peer = g_new0 (JcPeerInfo, 1);
      peer->name = g_strdup (party->name);
      peer->fingerprint_hex = g_strdup (hex);
      peer->verified = g_hash_table_contains (verified, hex);
      g_ptr_array_add (out, peer);
    }
}

static GPtrArray *
local_list_peers (JcClient *client, GError **error)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autoptr(GPtrArray) tasks = local_list_tasks (client, error);
  g_autoptr(GHashTable) verified = read_verified (self);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *out;

  if (tasks == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_peer_info_free);
  for (guint i = 0; i < tasks->len; i++)
    {
      const JcCtsc *ctsc = jc_task_info_get_ctsc (g_ptr_array_index (tasks, i));
      add_parties (out, seen, verified, ctsc->peers);
      add_parties (out, seen, verified, ctsc->computing_parties);
    }
  return out;
}

static gboolean
local_set_peer_verified (JcClient *client, const char *fingerprint_hex, gboolean verified,
                         GError **error)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autoptr(GHashTable) set = read_verified (self);
  g_autofree char *path = g_build_filename (self->dir, "verified-peers", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;
  guint8 raw[JC_DOC_HASH_SIZE];

  if (!jc_hex_decode_into (fingerprint_hex, raw, sizeof raw, error))
    return FALSE;
  if (verified)
    g_hash_table_add (set, g_ascii_strdown (fingerprint_hex, -1));
  else
    g_hash_table_remove (set, fingerprint_hex);
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_string_append_printf (out, "%s\n", (char *) key);
  return g_file_set_contents_full (path, out->str, out->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

static char *
paks_dir (JcClientLocal *self, const char *task_id, GError **error)
{
  if (!jc_task_id_is_valid (task_id))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not a task id: use the letters, digits and dashes the task "
                     "organiser gave you"), task_id ? task_id : "");
      return NULL;
    }
  return g_build_filename (self->dir, "paks", task_id, NULL);
}

static char *
local_create_pak (JcClient *client, const char *task_id, GError **error)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autofree char *dir = paks_dir (self, task_id, error);
  g_autoptr(JcPak) pak = NULL;
  g_autofree char *pub = NULL;
  g_autofree char *path = NULL;
  g_autofree char *file = NULL;

  if (dir == NULL)
    return NULL;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the folder %s"), dir);
      return NULL;
    }
  pak = jc_pak_generate ();
  pub = jc_pak_get_public_base64url (pak);
  file = g_strdup_printf ("%s.key", pub);
  path = g_build_filename (dir, file, NULL);
  if (!jc_pak_save (pak, path, error))
    return NULL;
  return g_steal_pointer (&pub);
}

static GPtrArray *
local_list_paks (JcClient *client, const char *task_id, GError **error)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autofree char *dir = paks_dir (self, task_id, error);
  GPtrArray *out;
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func (g_free);
  d = g_dir_open (dir, 0, NULL);
  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".key") && strlen (name) == 43 + 4)
      g_ptr_array_add (out, g_strndup (name, 43));
  g_ptr_array_sort (out, (GCompareFunc) g_strcmp0);
  return out;
}

static char *
local_save_draft (JcClient *client, JsonNode *draft, GError **error)
{
  JcClientLocal *self = JC_CLIENT_LOCAL (client);
  g_autofree char *dir = g_build_filename (self->dir, "drafts", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *file = g_strdup_printf ("%s-%06d.json", stamp, g_date_time_get_microsecond (now));
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *text = json_to_string (draft, TRUE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the folder %s"), dir);
      return NULL;
    }
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;
  return g_steal_pointer (&path);
}

static void
refuse_async (gpointer source, GAsyncReadyCallback callback, gpointer user_data,
              gpointer tag, const char *message)
{
  g_autoptr(GTask) task = g_task_new (source, NULL, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_return_new_error (task, JC_ERROR, JC_ERROR_UNSUPPORTED, "%s", message);
}

#define NO_NETWORK _("This needs the connection to your organisation’s node, which this " \
                     "profile does not have yet")

static void
local_submit_draft_async (JcClient *client, JsonNode *draft, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_submit_draft_async, NO_NETWORK);
}

static char *
local_submit_draft_finish (JcClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
local_upload_async (JcClient *client, const char *task_id, const char *input_key, GFile *file,
                    JcClientProgress progress, gpointer progress_data,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_upload_async, NO_NETWORK);
}

static gboolean
local_transfer_finish (JcClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
local_download_async (JcClient *client, const char *task_id, const char *output_key,
                      GFile *destination, JcClientProgress progress, gpointer progress_data,
                      GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
  refuse_async (client, callback, user_data, local_download_async, NO_NETWORK);
}

static void
local_terminate_async (JcClient *client, const char *task_id, const char *reason,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_terminate_async, NO_NETWORK);
}

static void
local_decide_async (JcClient *client, const char *task_id, gboolean approve, const char *reason,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_decide_async, NO_NETWORK);
}

static void
local_attest_async (JcClient *client, const char *task_id, const char *key, gboolean upload,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_attest_async, NO_NETWORK);
}

static void
local_quality_async (JcClient *client, const char *task_id, const char *input_key,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_quality_async, NO_NETWORK);
}

static gpointer
local_pointer_finish (JcClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GPtrArray *
local_list_received_paks (JcClient *client, const char *task_id, GError **error)
{
  g_set_error_literal (error, JC_ERROR, JC_ERROR_UNSUPPORTED, NO_NETWORK);
  return NULL;
}

static void
local_addendum_async (JcClient *client, const char *task_id, const char *const *custodians,
                      const char *const *analysts, const char *signatory, GFile *signatory_doc,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_addendum_async, NO_NETWORK);
}

static void
local_sign_async (JcClient *client, const char *task_id, GFile *signature,
                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  refuse_async (client, callback, user_data, local_sign_async, NO_NETWORK);
}

static char *
local_get_ctsa_hash (JcClient *client, const char *task_id, GError **error)
{
  g_set_error_literal (error, JC_ERROR, JC_ERROR_UNSUPPORTED, NO_NETWORK);
  return NULL;
}

static char *
local_get_task_event (JcClient *client, const char *task_id)
{
  return NULL; /* a profile folder keeps no status events */
}

static void
local_sign_with_token_async (JcClient *client, const char *task_id, const JcSignerCert *cert,
                             JcSecret *pin, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  jc_secret_free (pin);
  refuse_async (client, callback, user_data, local_sign_with_token_async, NO_NETWORK);
}

static void
jc_client_local_iface_init (JcClientInterface *iface)
{
  iface->get_ctsa_hash = local_get_ctsa_hash;
  iface->get_task_event = local_get_task_event;
  iface->sign_with_token_async = local_sign_with_token_async;
  iface->sign_with_token_finish = local_transfer_finish;
  iface->list_received_paks = local_list_received_paks;
  iface->addendum_async = local_addendum_async;
  iface->addendum_finish = local_transfer_finish;
  iface->sign_async = local_sign_async;
  iface->sign_finish = local_transfer_finish;
  iface->attest_async = local_attest_async;
  iface->attest_finish = (GPtrArray *(*) (JcClient *, GAsyncResult *, GError **)) local_pointer_finish;
  iface->quality_async = local_quality_async;
  iface->quality_finish = (JsonNode *(*) (JcClient *, GAsyncResult *, GError **)) local_pointer_finish;
  iface->decide_async = local_decide_async;
  iface->decide_finish = local_transfer_finish;
  iface->get_roles = local_get_roles;
  iface->terminate_async = local_terminate_async;
  iface->terminate_finish = local_transfer_finish;
  iface->get_node_name = local_get_node_name;
  iface->list_tasks = local_list_tasks;
  iface->list_peers = local_list_peers;
  iface->set_peer_verified = local_set_peer_verified;
  iface->create_pak = local_create_pak;
  iface->list_paks = local_list_paks;
  iface->save_draft = local_save_draft;
  iface->submit_draft_async = local_submit_draft_async;
  iface->submit_draft_finish = local_submit_draft_finish;
  iface->upload_async = local_upload_async;
  iface->upload_finish = local_transfer_finish;
  iface->download_async = local_download_async;
  iface->download_finish = local_transfer_finish;
}
