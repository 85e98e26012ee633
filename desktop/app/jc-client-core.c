#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-client-actions.h"
#include "jc-client-core.h"
#include "jc-client-peers.h"
#include "jc-client-tasks.h"
#include "jc-client-transfer.h"
#include "jc-cta.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-signatory-cms.h"

struct _JcClientCore {
  GObject       parent_instance;
  JcClientNode *node;
};

enum { SIG_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void jc_client_core_iface_init (JcClientInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JcClientCore, jc_client_core, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JC_TYPE_CLIENT, jc_client_core_iface_init))

/* How long the app waits for the root's answer to a request before telling the user that
 * it is still on its way (the request stays queued and is sent when the link is up). */
#define REQUEST_TIMEOUT_MS (120 * 1000)

static void
jc_client_core_dispose (GObject *object)
{
  JcClientCore *self = JC_CLIENT_CORE (object);

  if (self->node)
    g_signal_handlers_disconnect_by_data (self->node, self);
  g_clear_object (&self->node);
  G_OBJECT_CLASS (jc_client_core_parent_class)->dispose (object);
}

static void
jc_client_core_class_init (JcClientCoreClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = jc_client_core_dispose;
  signals[SIG_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
jc_client_core_init (JcClientCore *self)
{
}

static void
task_changed_cb (JcClientNode *node, const char *task_id, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIG_CHANGED], 0, task_id);
}

gboolean
jc_client_core_is_profile (const char *dir)
{
  g_autofree char *key = g_build_filename (dir, "node.key", NULL);
  g_autofree char *ini = g_build_filename (dir, "profile.ini", NULL);

  return g_file_test (key, G_FILE_TEST_IS_REGULAR) && g_file_test (ini, G_FILE_TEST_IS_REGULAR);
}

JcClientCore *
jc_client_core_new (const char *dir, GError **error)
{
  g_autoptr(JcClientNode) node = jc_client_node_open (dir, error);
  JcClientCore *self;

  if (!node)
    return NULL;
  self = g_object_new (JC_TYPE_CLIENT_CORE, NULL);
  self->node = g_steal_pointer (&node);
  g_signal_connect (self->node, "task-changed", G_CALLBACK (task_changed_cb), self);
  if (jc_client_profile_is_enrolled (jc_client_node_get_profile (self->node)))
    {
      g_autoptr(GError) local = NULL;
      /* The link retries by itself; a parent not reachable now is no reason to refuse. */
      if (!jc_client_node_connect (self->node, &local))
        g_warning ("The link to the parent does not start: %s", local->message);
    }
  return self;
}

JcClientNode *
jc_client_core_get_node (JcClientCore *self)
{
  return self->node;
}

static const char *
core_get_node_name (JcClient *client)
{
  return jc_client_node_get_name (JC_CLIENT_CORE (client)->node);
}

static GStrv
core_get_roles (JcClient *client)
{
  JcRoles roles = jc_client_profile_get_roles (jc_client_node_get_profile (JC_CLIENT_CORE (client)->node));
  static const struct { JcRoles role; const char *name; } names[] = {
    { JC_ROLE_ORGANISER, "organiser" }, { JC_ROLE_SIGNATORY, "signatory" },
    { JC_ROLE_CUSTODIAN, "custodian" }, { JC_ROLE_ANALYST, "analyst" },
    { JC_ROLE_APPROVER, "approver" },
  };
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (roles & names[i].role)
      g_strv_builder_add (b, names[i].name);
  return g_strv_builder_end (b);
}

static const char *
granted_key (GPtrArray *grants, GPtrArray *own_paks)
{
  for (guint g = 0; grants && g < grants->len; g++)
    {
      JcPakGrant *grant = grants->pdata[g];
      for (guint p = 0; own_paks && p < own_paks->len; p++)
        {
          JcClientPakEntry *e = own_paks->pdata[p];
          g_autoptr(GBytes) raw = jc_base64url_decode (e->pak, NULL);
          if (raw && grant->pak && g_bytes_equal (raw, grant->pak) && grant->keys->len > 0)
            return grant->keys->pdata[0];
        }
    }
  return NULL;
}

JcTaskAction
jc_client_core_action_for (JcRoles roles, JcTaskState state, gboolean has_ctsa,
                           gboolean has_received_paks, const JcCta *cta, GPtrArray *own_paks,
                           char **key)
{
  *key = NULL;
  if (state == JC_TASK_EMERGING)
    {
      if ((roles & JC_ROLE_ORGANISER) && has_received_paks && !has_ctsa)
        return JC_TASK_ACTION_ADDENDUM;
      /* The SO's node holds no addendum itself: the root asks it to decide on every peer's
       * while the task is emerging (a decision before all are in is refused with a reason). */
      if (roles & JC_ROLE_APPROVER)
        return JC_TASK_ACTION_APPROVE;
      return JC_TASK_ACTION_NONE;
    }
  for (guint i = 0; cta && i < cta->ctsas->len; i++)
    {
      JcCtsa *ctsa = cta->ctsas->pdata[i];
      const char *k;
      if (state == JC_TASK_INPUT && (roles & JC_ROLE_CUSTODIAN)
          && (k = granted_key (ctsa->custodians, own_paks)))
        {
          *key = g_strdup (k);
          return JC_TASK_ACTION_UPLOAD;
        }
      if (state == JC_TASK_OUTPUT && (roles & JC_ROLE_ANALYST)
          && (k = granted_key (ctsa->analysts, own_paks)))
        {
          *key = g_strdup (k);
          return JC_TASK_ACTION_DOWNLOAD;
        }
    }
  return JC_TASK_ACTION_NONE;
}

static JsonNode *
parse_text (const char *text, GError **error)
{
  return jc_doc_parse (text, strlen (text), NULL, error);
}

static JcTaskInfo *
task_info_from_core (JcClientCore *self, JcClientTask *task, GError **error)
{
  JcStore *store = jc_client_node_get_store (self->node);
  JcRoles roles = jc_client_profile_get_roles (jc_client_node_get_profile (self->node));
  g_autoptr(JsonNode) ctsc = parse_text (task->ctsc, error);
  g_autoptr(JcTaskInfo) info = NULL;
  g_autoptr(JcCta) cta = NULL;
  g_autofree char *ctsa_text = NULL, *ctsa_hash = NULL, *key = NULL;
  g_autoptr(GPtrArray) own = NULL;
  JcTaskAction action;

  if (!ctsc || !(info = jc_task_info_new (task->task_id, ctsc, task->state, error)))
    return NULL;
  if (task->cta)
    {
      g_autoptr(JsonNode) node = parse_text (task->cta, error);
      JsonArray *ctsas;
      if (!node || !(cta = jc_cta_from_json (node, error)))
        return NULL;
      ctsas = json_object_get_array_member (json_node_get_object (node), "ctsas");
      for (guint i = 0; ctsas && i < json_array_get_length (ctsas); i++)
        if (!jc_task_info_add_ctsa (info, json_array_get_element (ctsas, i), error))
          return NULL;
    }
  else if ((ctsa_text = jc_client_tasks_get_ctsa (store, task->task_id, &ctsa_hash)))
    {
      g_autoptr(JsonNode) node = parse_text (ctsa_text, error);
      if (!node || !jc_task_info_add_ctsa (info, node, error))
        return NULL;
    }
  own = jc_client_paks_list_own (store, task->task_id, NULL);
  action = jc_client_core_action_for (roles, task->state, ctsa_text != NULL || task->cta != NULL,
                                      jc_client_paks_has_received (store, task->task_id),
                                      cta, own, &key);
  jc_task_info_set_action (info, action, key);
  return g_steal_pointer (&info);
}

static gint
compare_tasks (gconstpointer a, gconstpointer b)
{
  JcTaskInfo *ta = *(JcTaskInfo **) a, *tb = *(JcTaskInfo **) b;

  /* Tasks owing an action first; the core's order (newest change first) otherwise. */
  return (int) jc_task_info_needs_action (tb) - (int) jc_task_info_needs_action (ta);
}

static GPtrArray *
core_list_tasks (JcClient *client, GError **error)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  g_autoptr(GPtrArray) tasks = jc_client_tasks_list (jc_client_node_get_store (self->node), error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);

  if (!tasks)
    return NULL;
  for (guint i = 0; i < tasks->len; i++)
    {
      JcClientTask *task = tasks->pdata[i];
      g_autoptr(GError) local = NULL;
      JcTaskInfo *info;

      if (!task->ctsc)
        continue;  /* a tombstone, or a task known by its id only */
      if (!(info = task_info_from_core (self, task, &local)))
        {
          g_warning ("Task %s is skipped: %s", task->task_id, local->message);
          continue;
        }
      g_ptr_array_add (out, info);
    }
  g_ptr_array_sort (out, compare_tasks);
  return g_steal_pointer (&out);
}

static GPtrArray *
core_list_peers (JcClient *client, GError **error)
{
  g_autoptr(GPtrArray) peers = jc_client_peers_list (jc_client_node_get_store (JC_CLIENT_CORE (client)->node), error);
  GPtrArray *out;

  if (!peers)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_peer_info_free);
  for (guint i = 0; i < peers->len; i++)
    {
      JcClientPeer *p = peers->pdata[i];
      JcPeerInfo *info = g_new0 (JcPeerInfo, 1);
      info->name = g_strdup (p->name);
      info->fingerprint_hex = g_strdup (p->fingerprint);
      info->verified = p->verified;
      g_ptr_array_add (out, info);
    }
  return out;
}

static gboolean
core_set_peer_verified (JcClient *client, const char *fingerprint_hex, gboolean verified,
                        GError **error)
{
  return jc_client_peers_set_verified (jc_client_node_get_store (JC_CLIENT_CORE (client)->node),
                                       fingerprint_hex, verified, error);
}

static char *
core_create_pak (JcClient *client, const char *task_id, GError **error)
{
  return jc_client_pak_new (JC_CLIENT_CORE (client)->node, task_id, NULL, error);
}

static GPtrArray *
core_list_paks (JcClient *client, const char *task_id, GError **error)
{
  g_autoptr(GPtrArray) own = jc_client_paks_list_own (jc_client_node_get_store (JC_CLIENT_CORE (client)->node),
                                                      task_id, error);
  GPtrArray *out;

  if (!own)
    return NULL;
  out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < own->len; i++)
    g_ptr_array_add (out, g_strdup (((JcClientPakEntry *) own->pdata[i])->pak));
  return out;
}

static char *
core_save_draft (JcClient *client, JsonNode *draft, GError **error)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  const char *dir = jc_client_profile_get_dir (jc_client_node_get_profile (self->node));
  g_autofree char *drafts = g_build_filename (dir, "drafts", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *name = g_strdup_printf ("%s-%06d.json", stamp, g_date_time_get_microsecond (now));
  g_autofree char *path = g_build_filename (drafts, name, NULL);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  if (g_mkdir_with_parents (drafts, 0700) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("The folder %s cannot be created: %s"),
                   drafts, g_strerror (errno));
      return NULL;
    }
  json_generator_set_root (gen, draft);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* --- requests to the root: queued now, answered later ----------------------------------- */

typedef struct {
  char *msg_id;
  char *task_id;  /* the task made by a draft, once known */
} Request;

static void
request_free (Request *r)
{
  g_free (r->msg_id);
  g_free (r->task_id);
  g_free (r);
}

static gboolean
draft_answered (JcClientNode *node, gpointer data, GError **error)
{
  Request *r = data;

  r->task_id = jc_client_tasks_find_by_request (jc_client_node_get_store (node), r->msg_id);
  return r->task_id != NULL;
}

static void
wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *r = g_task_get_task_data (task);
  GError *error = NULL;

  if (!jc_client_node_wait_finish (JC_CLIENT_NODE (source), result, &error))
    g_task_return_error (task, error);
  else if (g_task_get_source_tag (task) == core_save_draft)
    g_task_return_pointer (task, g_strdup (r->task_id), g_free);
  else
    g_task_return_boolean (task, TRUE);
}

/* Sends nothing itself: MSG_ID is a request the core already queued. */
static void
wait_request (JcClientCore *self, GTask *task, char *msg_id, JcClientNodeDoneFunc done)
{
  Request *r = g_new0 (Request, 1);

  r->msg_id = msg_id;
  g_task_set_task_data (task, r, (GDestroyNotify) request_free);
  jc_client_node_wait_async (self->node, r->msg_id, done, r, REQUEST_TIMEOUT_MS,
                             g_task_get_cancellable (task), wait_done, task);
}

static void
taken_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (jc_client_request_wait_finish (JC_CLIENT_NODE (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Waits until the root has taken request MSG_ID about TASK_ID (a new status of the task,
 * or its delivery without refusal), as the command line does. */
static void
wait_taken (JcClientCore *self, GTask *task, const char *task_id, const char *msg_id)
{
  jc_client_request_wait_async (self->node, task_id, msg_id, REQUEST_TIMEOUT_MS,
                                g_task_get_cancellable (task), taken_done, task);
}

static void
core_submit_draft_async (JcClient *client, JsonNode *draft, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  GError *error = NULL;
  g_autofree char *path = core_save_draft (client, draft, &error);
  char *msg_id = path ? jc_client_submit_draft (self->node, path, &error) : NULL;

  /* The tag tells wait_done that a task id is the answer. */
  g_task_set_source_tag (task, core_save_draft);
  if (!msg_id)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  wait_request (self, task, msg_id, draft_answered);
}

static char *
core_submit_draft_finish (JcClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
core_bool_finish (JcClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
core_terminate_async (JcClient *client, const char *task_id, const char *reason,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  GError *error = NULL;
  g_autofree char *msg_id = jc_client_terminate (self->node, task_id, reason, &error);

  if (!msg_id)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  wait_taken (self, task, task_id, msg_id);
}

static void
core_decide_async (JcClient *client, const char *task_id, gboolean approve, const char *reason,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  GError *error = NULL;
  g_autoptr(GPtrArray) ids = jc_client_decide (self->node, task_id, NULL, approve,
                                               approve ? NULL : reason, &error);

  if (!ids || ids->len == 0)
    {
      if (!error)
        g_set_error (&error, JC_ERROR, JC_ERROR_STATE, _("Task %s has no addendum to decide on yet"),
                     task_id);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Every decision is queued together; the wait follows the last one. */
  wait_taken (self, task, task_id, ids->pdata[ids->len - 1]);
}

/* --- transfers: prepared on this thread, run in a worker -------------------------------- */

typedef struct {
  JcClientProgress progress;
  gpointer         progress_data;
  guint64          done, total;
  guint            source;
  GMutex           lock;
} Progress;

typedef struct {
  JcClientTransfer *transfer;
  Progress          progress;
} Transfer;

static void
transfer_free (Transfer *t)
{
  g_clear_pointer (&t->transfer, jc_client_transfer_free);
  g_clear_handle_id (&t->progress.source, g_source_remove);
  g_mutex_clear (&t->progress.lock);
  g_free (t);
}

static gboolean
progress_on_main (gpointer data)
{
  Progress *p = data;
  guint64 done, total;

  g_mutex_lock (&p->lock);
  done = p->done;
  total = p->total;
  p->source = 0;
  g_mutex_unlock (&p->lock);
  if (p->progress)
    p->progress (done, total, p->progress_data);
  return G_SOURCE_REMOVE;
}

/* Called on the worker: the figures are handed to the main context, at most one pending
 * update at a time, so that a fast transfer cannot flood the UI. */
static void
progress_in_worker (guint64 done, guint64 total, gpointer data)
{
  Progress *p = data;

  g_mutex_lock (&p->lock);
  p->done = done;
  p->total = total;
  if (p->source == 0)
    p->source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, progress_on_main, p, NULL);
  g_mutex_unlock (&p->lock);
}

static void
transfer_ran (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Transfer *t = g_task_get_task_data (task);
  GError *error = NULL;

  if (!jc_client_transfer_run_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_handle_id (&t->progress.source, g_source_remove);
  progress_on_main (&t->progress);
  g_task_return_boolean (task, TRUE);
}

static void
start_transfer (GTask *task, JcClientTransfer *transfer, JcClientProgress progress,
                gpointer progress_data)
{
  Transfer *t = g_new0 (Transfer, 1);

  t->transfer = transfer;
  t->progress.progress = progress;
  t->progress.progress_data = progress_data;
  g_mutex_init (&t->progress.lock);
  g_task_set_task_data (task, t, (GDestroyNotify) transfer_free);
  jc_client_transfer_run_async (transfer, progress_in_worker, &t->progress,
                                g_task_get_cancellable (task), transfer_ran, task);
}

typedef struct {
  GTask           *task;
  JcClientProgress progress;
  gpointer         progress_data;
} UploadStart;

static void
upload_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  UploadStart *s = user_data;
  g_autoptr(GTask) task = s->task;
  GError *error = NULL;
  JcClientTransfer *transfer = jc_client_upload_prepare_finish (JC_CLIENT_NODE (source), result,
                                                                NULL, &error);

  if (!transfer)
    g_task_return_error (task, error);
  else
    start_transfer (g_steal_pointer (&task), transfer, s->progress, s->progress_data);
  g_free (s);
}

static void
core_upload_async (JcClient *client, const char *task_id, const char *input_key, GFile *file,
                   JcClientProgress progress, gpointer progress_data, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  UploadStart *s = g_new0 (UploadStart, 1);
  g_autofree char *path = g_file_get_path (file);

  s->task = g_task_new (client, cancellable, callback, user_data);
  s->progress = progress;
  s->progress_data = progress_data;
  jc_client_upload_prepare_async (self->node, task_id, input_key, path, cancellable,
                                  upload_prepared, s);
}

static void
core_download_async (JcClient *client, const char *task_id, const char *output_key,
                     GFile *destination, JcClientProgress progress, gpointer progress_data,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  g_autofree char *path = g_file_get_path (destination);
  GError *error = NULL;
  JcClientTransfer *transfer = jc_client_download_prepare (self->node, task_id, output_key, path,
                                                           &error);

  if (!transfer)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  start_transfer (task, transfer, progress, progress_data);
}

/* --- attestation and data quality: in a worker, on a transfer without a file --------- */

/* How long the app waits for the VMs' data-quality verdict after an upload. */
#define QUALITY_TIMEOUT_S 120

static void
attest_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_task_return_pointer (task, jc_client_transfer_attest (task_data, cancellable),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
core_attest_async (JcClient *client, const char *task_id, const char *key, gboolean upload,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  GError *error = NULL;
  JcClientTransfer *t = jc_client_attest_prepare (JC_CLIENT_CORE (client)->node, task_id, key,
                                                  upload, &error);

  if (!t)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, t, (GDestroyNotify) jc_client_transfer_free);
  g_task_run_in_thread (task, attest_in_thread);
}

static void
quality_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JcClientTransfer *t = task_data;
  gint64 end = g_get_monotonic_time () + QUALITY_TIMEOUT_S * G_USEC_PER_SEC;

  if (!jc_client_transfer_has_quality (t))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < end)
    {
      GError *error = NULL;
      JsonNode *verdict = jc_client_upload_quality (t, &error);
      if (verdict || error)
        {
          if (verdict)
            g_task_return_pointer (task, verdict, (GDestroyNotify) json_node_unref);
          else
            g_task_return_error (task, error);
          return;
        }
      g_usleep (300 * 1000);
    }
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_new_error (task, JC_ERROR, JC_ERROR_EXPIRED,
                             _("The computing parties have not reported the data-quality verdict yet; "
                               "it will appear in the task’s timeline"));
}

static void
core_quality_async (JcClient *client, const char *task_id, const char *input_key,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  GError *error = NULL;
  JcClientTransfer *t = jc_client_attest_prepare (JC_CLIENT_CORE (client)->node, task_id,
                                                  input_key, TRUE, &error);

  if (!t)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, t, (GDestroyNotify) jc_client_transfer_free);
  g_task_run_in_thread (task, quality_in_thread);
}

static gpointer
core_pointer_finish (JcClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- the organiser's addendum and signature -------------------------------------------- */

static GPtrArray *
core_list_received_paks (JcClient *client, const char *task_id, GError **error)
{
  g_autoptr(GPtrArray) got = jc_client_paks_list_received (jc_client_node_get_store (JC_CLIENT_CORE (client)->node),
                                                           task_id, error);
  GPtrArray *out;

  if (!got)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_received_pak_free);
  for (guint i = 0; i < got->len; i++)
    {
      JcClientPakEntry *e = got->pdata[i];
      JcReceivedPak *p = g_new0 (JcReceivedPak, 1);
      p->pak = g_strdup (e->pak);
      p->role = g_strdup (e->role);
      p->origin = g_strdup (e->origin);
      g_ptr_array_add (out, p);
    }
  return out;
}

static void
core_addendum_async (JcClient *client, const char *task_id, const char *const *custodians,
                     const char *const *analysts, const char *signatory, GFile *signatory_doc,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  g_autofree char *doc = signatory_doc ? g_file_get_path (signatory_doc) : NULL;
  GError *error = NULL;
  /* Reads the document, signs with the node key and queues: quick, on this thread. */
  g_autofree char *msg_id = jc_client_addendum (self->node, task_id, custodians, analysts,
                                                signatory, doc, &error);

  if (!msg_id)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  wait_taken (self, task, task_id, msg_id);
}

static void
core_sign_async (JcClient *client, const char *task_id, GFile *signature,
                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  g_autofree char *path = g_file_get_path (signature);
  GError *error = NULL;
  g_autofree char *msg_id = jc_client_sign (self->node, task_id, path, &error);

  if (!msg_id)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  wait_taken (self, task, task_id, msg_id);
}

static char *
core_get_ctsa_hash (JcClient *client, const char *task_id, GError **error)
{
  JcStore *store = jc_client_node_get_store (JC_CLIENT_CORE (client)->node);
  char *hash = NULL;
  g_autofree char *ctsa = jc_client_tasks_get_ctsa (store, task_id, &hash);

  if (!ctsa)
    {
      g_free (hash);
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("This node has sent no addendum for task %s yet"), task_id);
      return NULL;
    }
  return hash;
}

static char *
core_get_task_event (JcClient *client, const char *task_id)
{
  JcStore *store = jc_client_node_get_store (JC_CLIENT_CORE (client)->node);
  g_autoptr(JcClientTask) task = jc_client_tasks_get (store, task_id, NULL);

  return task ? g_strdup (task->event) : NULL;
}

/* Signing with a token: the CTSA is read here, the token signs in a thread (it may take
 * seconds, a PIN pad may wait for the user), the signature is sent from here again. */
typedef struct {
  char         *task_id;
  JcSignerCert *cert;
  JcSecret     *pin;
  JsonNode     *ctsa;
} TokenSign;

static void
token_sign_free (TokenSign *t)
{
  g_free (t->task_id);
  jc_signer_cert_free (t->cert);
  jc_secret_free (t->pin);
  g_clear_pointer (&t->ctsa, json_node_unref);
  g_free (t);
}

static void
token_sign_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  TokenSign *t = data;
  GError *error = NULL;
  GBytes *cms = jc_signatory_cms_sign (t->cert, t->pin, t->ctsa, &error);

  g_clear_pointer (&t->pin, jc_secret_free);
  if (cms)
    g_task_return_pointer (task, cms, (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_error (task, error);
}

static void
token_signed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data;
  JcClientCore *self = JC_CLIENT_CORE (source);
  TokenSign *t = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  g_autoptr(GBytes) cms = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *msg_id = NULL;

  if (cms)
    msg_id = jc_client_sign_file (self->node, t->task_id,
                                  jc_signatory_cms_file_new (cms, jc_client_node_get_name (self->node)),
                                  &error);
  if (!msg_id)
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  wait_taken (self, outer, t->task_id, msg_id);
}

static void
core_sign_with_token_async (JcClient *client, const char *task_id, const JcSignerCert *cert,
                            JcSecret *pin, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  JcClientCore *self = JC_CLIENT_CORE (client);
  GTask *outer = g_task_new (client, cancellable, callback, user_data);
  TokenSign *t = g_new0 (TokenSign, 1);
  GError *error = NULL;

  t->pin = pin;
  t->task_id = g_strdup (task_id);
  t->cert = jc_signer_cert_copy (cert);
  t->ctsa = jc_client_current_ctsa (self->node, task_id, &error);
  if (!t->ctsa)
    {
      token_sign_free (t);
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  g_autoptr(GTask) inner = g_task_new (client, cancellable, token_signed, outer);
  g_task_set_task_data (inner, t, (GDestroyNotify) token_sign_free);
  g_task_run_in_thread (inner, token_sign_in_thread);
}

static void
jc_client_core_iface_init (JcClientInterface *iface)
{
  iface->get_ctsa_hash = core_get_ctsa_hash;
  iface->get_task_event = core_get_task_event;
  iface->sign_with_token_async = core_sign_with_token_async;
  iface->sign_with_token_finish = core_bool_finish;
  iface->list_received_paks = core_list_received_paks;
  iface->addendum_async = core_addendum_async;
  iface->addendum_finish = core_bool_finish;
  iface->sign_async = core_sign_async;
  iface->sign_finish = core_bool_finish;
  iface->attest_async = core_attest_async;
  iface->attest_finish = (GPtrArray *(*) (JcClient *, GAsyncResult *, GError **)) core_pointer_finish;
  iface->quality_async = core_quality_async;
  iface->quality_finish = (JsonNode *(*) (JcClient *, GAsyncResult *, GError **)) core_pointer_finish;
  iface->get_node_name = core_get_node_name;
  iface->get_roles = core_get_roles;
  iface->list_tasks = core_list_tasks;
  iface->list_peers = core_list_peers;
  iface->set_peer_verified = core_set_peer_verified;
  iface->create_pak = core_create_pak;
  iface->list_paks = core_list_paks;
  iface->save_draft = core_save_draft;
  iface->submit_draft_async = core_submit_draft_async;
  iface->submit_draft_finish = core_submit_draft_finish;
  iface->upload_async = core_upload_async;
  iface->upload_finish = core_bool_finish;
  iface->download_async = core_download_async;
  iface->download_finish = core_bool_finish;
  iface->terminate_async = core_terminate_async;
  iface->terminate_finish = core_bool_finish;
  iface->decide_async = core_decide_async;
  iface->decide_finish = core_bool_finish;
}
