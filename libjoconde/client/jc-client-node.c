#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-client-node.h"
#include "jc-client-store.h"
#include "jc-client-tasks.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-net-client.h"
#include "jc-task-messages.h"
#include "jc-time.h"

struct _JcClientNode {
  GObject          parent_instance;
  JcClientProfile *profile;
  JcNetClient     *net;
  gint64           last_activity;  /* monotonic µs of the last message or refusal */
};

enum { SIG_TASK_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (JcClientNode, jc_client_node, G_TYPE_OBJECT)

static void
jc_client_node_dispose (GObject *object)
{
  JcClientNode *self = JC_CLIENT_NODE (object);
  if (self->net)
    g_signal_handlers_disconnect_by_data (self->net, self);
  g_clear_object (&self->net);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (jc_client_node_parent_class)->dispose (object);
}

static void
jc_client_node_class_init (JcClientNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = jc_client_node_dispose;
  /* task-changed (task_id): what this node knows of the task changed. */
  signals[SIG_TASK_CHANGED] = g_signal_new ("task-changed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
jc_client_node_init (JcClientNode *self)
{
}

JcClientNode *
jc_client_node_open (const char *dir, GError **error)
{
  g_autoptr(JcClientProfile) profile = jc_client_profile_open (dir, error);
  if (!profile)
    return NULL;
  JcClientNode *self = g_object_new (JC_TYPE_CLIENT_NODE, NULL);
  self->profile = g_steal_pointer (&profile);
  return self;
}

JcClientProfile *jc_client_node_get_profile (JcClientNode *self) { return self->profile; }
JcStore *jc_client_node_get_store (JcClientNode *self) { return jc_client_profile_get_store (self->profile); }
const char *jc_client_node_get_name (JcClientNode *self) { return jc_client_profile_get_name (self->profile); }

int
jc_client_refusal_code (const char *code)
{
  static const struct { const char *name; int code; } map[] = {
    { "invalid", JC_ERROR_INVALID }, { "too-large", JC_ERROR_TOO_LARGE },
    { "denied", JC_ERROR_DENIED }, { "untrusted", JC_ERROR_UNTRUSTED },
    { "revoked", JC_ERROR_REVOKED }, { "expired", JC_ERROR_EXPIRED },
    { "bad-signature", JC_ERROR_BAD_SIGNATURE }, { "state", JC_ERROR_STATE },
    { "not-found", JC_ERROR_NOT_FOUND },
  };
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (code, map[i].name) == 0)
      return map[i].code;
  return JC_ERROR_FAILED;
}

/* --- recording what arrives ------------------------------------------------------------ */

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* The organiser's node shares what the root tells the peers about a task (finalised CTA,
 * states, VM addresses, telemetry) with the custodians and analysts whose PAKs it
 * registered: they are no peers, so the root does not send it to them. */
static void
share_with_registrants (JcClientNode *self, const char *task_id, const char *topic, JsonNode *body)
{
  JcStore *store = jc_client_node_get_store (self);
  g_autoptr(GPtrArray) paks = jc_client_paks_list_received (store, task_id, NULL);
  if (!paks || paks->len == 0)
    return;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (guint i = 0; i < paks->len; i++)
    {
      JcClientPakEntry *e = paks->pdata[i];
      if (g_hash_table_add (seen, e->origin))
        g_strv_builder_add (sb, e->origin);
    }
  g_auto(GStrv) to = g_strv_builder_end (sb);
  g_autoptr(GError) error = NULL;
  if (!jc_net_client_send (self->net, (const char *const *) to, topic, body, NULL, &error))
    g_warning ("Cannot share %s of task %s: %s", topic, task_id, error->message);
}

static gboolean
record (JcClientNode *self, const JcNetEnvelope *env, char **changed, GError **error)
{
  JcStore *store = jc_client_node_get_store (self);
  JsonObject *body = env->body && JSON_NODE_HOLDS_OBJECT (env->body)
                     ? json_node_get_object (env->body) : NULL;
  const char *task_id = member_string (body, "task_id");
  const char *organisation = jc_client_profile_get_organisation (self->profile);
  /* What the root sends the peers, or what this node's organisation node passes on. */
  gboolean from_org = organisation && g_strcmp0 (env->from, organisation) == 0;
  gboolean from_root = !from_org;

  if (g_str_equal (env->topic, "jc.refused"))
    return jc_client_request_refused (store, member_string (body, "id"), member_string (body, "code"),
                                      member_string (body, "reason"), error);
  if (!task_id || !g_uuid_string_is_valid (task_id))
    {
      g_debug ("Ignoring a %s message without a task id from %s", env->topic, env->from);
      return TRUE;
    }
  *changed = g_strdup (task_id);
  if (g_str_equal (env->topic, "task.created") && from_root)
    {
      JsonNode *ctsc = json_object_get_member (body, "ctsc");
      g_autoptr(GError) local = NULL;
      if (!ctsc || !jc_client_tasks_record_created (store, task_id, member_string (body, "request"),
                                                    ctsc, &local))
        g_warning ("Task %s: the CTSC received from %s does not read: %s", task_id, env->from,
                   local ? local->message : "missing");
      return TRUE;
    }
  gboolean share = from_root && jc_client_paks_has_received (store, task_id);
  if (g_str_equal (env->topic, "task.status"))
    {
      JsonNode *c = json_object_get_member (body, "update_counter");
      gint64 counter = c && JSON_NODE_HOLDS_VALUE (c) ? json_node_get_int (c) : 0;
      const char *state = member_string (body, "state");
      if (share)
        share_with_registrants (self, task_id, env->topic, env->body);
      return !state || jc_client_tasks_record_status (store, task_id, state, counter,
                                                      member_string (body, "event"), error);
    }
  if (g_str_equal (env->topic, "task.vm"))
    {
      JsonNode *list = json_object_get_member (body, "addresses");
      if (share)
        share_with_registrants (self, task_id, env->topic, env->body);
      if (!list || !JSON_NODE_HOLDS_ARRAY (list))
        return TRUE;
      JsonArray *a = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          JsonObject *eo = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
          JsonNode *cp = eo ? json_object_get_member (eo, "cp") : NULL;
          const char *address = member_string (eo, "address");
          if (!cp || !JSON_NODE_HOLDS_VALUE (cp) || json_node_get_value_type (cp) != G_TYPE_INT64 || !address)
            continue;
          g_autofree char *key = g_strdup_printf ("vm:%s:%" G_GINT64_FORMAT, task_id, json_node_get_int (cp));
          if (!jc_client_store_set_meta (store, key, address, error))
            return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (env->topic, "task.telemetry"))
    {
      if (share)
        share_with_registrants (self, task_id, env->topic, env->body);
      JsonNode *ev_node = json_object_get_member (body, "event");
      g_autoptr(JcTelemetryEvent) ev = ev_node ? jc_telemetry_event_from_json (ev_node, NULL) : NULL;
      if (ev && ev->kind == JC_TELEMETRY_DATA_QUALITY && ev->input)
        {
          g_autofree char *key = g_strdup_printf ("quality:%s:%s:%" G_GINT64_FORMAT, task_id,
                                                  ev->input, ev->cp);
          g_autofree char *text = json_to_string (ev_node, FALSE);
          return jc_client_store_set_meta (store, key, text, error);
        }
      return TRUE;
    }
  if (g_str_equal (env->topic, "task.erased"))
    return jc_client_tasks_erase (jc_client_profile_get_dir (self->profile), store, task_id, error);
  if (g_str_equal (env->topic, "cta.final")
      || (g_str_equal (env->topic, "task.shared") && g_strcmp0 (env->from, organisation) == 0))
    {
      JsonNode *cta = json_object_get_member (body, "cta");
      if (!cta || !jc_client_tasks_record_cta (store, task_id, cta, error))
        return FALSE;
      JsonNode *ctsc = json_object_get_member (json_node_get_object (cta), "ctsc");
      if (ctsc)
        jc_client_tasks_record_created (store, task_id, NULL, ctsc, NULL);
      if (g_str_equal (env->topic, "cta.final") && share)
        share_with_registrants (self, task_id, "task.shared", env->body);
      return TRUE;
    }
  if (g_str_equal (env->topic, "pak.register"))
    {
      JsonNode *reg_node = json_object_get_member (body, "registration");
      g_autoptr(GError) local = NULL;
      g_autoptr(JcPakRegistration) reg = jc_pak_registration_from_json (reg_node ? reg_node : env->body,
                                                                         &local);
      if (!reg)
        {
          g_warning ("A PAK registration from %s does not read: %s", env->from, local->message);
          return TRUE;
        }
      gsize len;
      const guint8 *pub = g_bytes_get_data (reg->pak, &len);
      g_autofree char *b64 = jc_base64url_encode (pub, len);
      return jc_client_paks_record_received (store, reg->task_id, b64,
                                             jc_pak_role_to_string (reg->role), env->from, error);
    }
  g_debug ("Ignoring a %s message from %s", env->topic, env->from);
  return TRUE;
}

static gboolean
record_once (JcClientNode *self, const JcNetEnvelope *env, GError **error)
{
  JcStore *store = jc_client_node_get_store (self);
  g_autoptr(JcStoreTxn) txn = jc_store_begin (store, error);
  if (!txn)
    return FALSE;
  sqlite3_stmt *st = jc_store_prepare (store, "INSERT OR IGNORE INTO processed (msg_id) VALUES (?)",
                                       error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, env->id, -1, SQLITE_TRANSIENT);
  if (!jc_store_run (store, st, error))
    return FALSE;
  if (sqlite3_changes (jc_store_get_db (store)) == 0)
    return TRUE; /* recorded before */
  g_autofree char *changed = NULL;
  if (!record (self, env, &changed, error) || !jc_store_commit (txn, error))
    return FALSE;
  self->last_activity = g_get_monotonic_time ();
  if (changed)
    g_signal_emit (self, signals[SIG_TASK_CHANGED], 0, changed);
  return TRUE;
}

gboolean
jc_client_node_process_inbox (JcClientNode *self, GError **error)
{
  if (!self->net)
    return TRUE;
  JcStore *store = jc_client_node_get_store (self);
  for (;;)
    {
      g_autofree char *cursor_text = jc_client_store_get_meta (store, "inbox-cursor");
      gint64 cursor = cursor_text ? g_ascii_strtoll (cursor_text, NULL, 10) : 0;
      g_autoptr(GPtrArray) batch = jc_net_client_inbox_list (self->net, cursor, 256, error);
      if (!batch)
        return FALSE;
      if (batch->len == 0)
        return TRUE;
      for (guint i = 0; i < batch->len; i++)
        if (!record_once (self, batch->pdata[i], error))
          return FALSE;
      g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, cursor + batch->len);
      if (!jc_client_store_set_meta (store, "inbox-cursor", next, error))
        return FALSE;
    }
}

static void
on_message (JcNetClient *net, const JcNetEnvelope *env, JcClientNode *self)
{
  g_autoptr(GError) error = NULL;
  if (!record_once (self, env, &error))
    g_warning ("Cannot record a %s message from %s: %s", env->topic, env->from, error->message);
}

static void
on_refused (JcNetClient *net, const char *id, const char *code, const char *reason,
            JcClientNode *self)
{
  g_autoptr(GError) error = NULL;
  self->last_activity = g_get_monotonic_time ();
  if (!jc_client_request_refused (jc_client_node_get_store (self), id, code, reason, &error))
    g_warning ("Cannot record the refusal of message %s: %s", id, error->message);
}

gboolean
jc_client_node_connect (JcClientNode *self, GError **error)
{
  if (self->net)
    return TRUE;
  if (!jc_client_profile_is_enrolled (self->profile))
    {
      /* Reading the chain says why: the parent's administrator has not issued it yet. */
      g_autoptr(GPtrArray) chain = jc_client_profile_get_chain (self->profile, error);
      g_warn_if_fail (chain == NULL);
      return FALSE;
    }
  const char *url = jc_client_profile_get_parent_url (self->profile);
  if (!url || !*url)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The profile of %s names no parent (parent-url in profile.ini)"),
                   jc_client_node_get_name (self));
      return FALSE;
    }
  g_autofree char *db = jc_client_profile_path (self->profile, "link.db");
  g_autofree char *cert = jc_client_profile_path (self->profile, "node.pem");
  g_autofree char *key = jc_client_profile_path (self->profile, "node.key");
  g_autofree char *ca = jc_client_profile_path (self->profile, "root-ca.pem");
  JcNetClientOptions o = { .db_path = db, .parent_url = url, .cert_file = cert, .key_file = key,
                           .ca_file = ca, .reconnect_min_ms = 100, .reconnect_max_ms = 2000 };
  self->net = jc_net_client_new (&o, error);
  if (!self->net)
    return FALSE;
  g_signal_connect (self->net, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->net, "refused", G_CALLBACK (on_refused), self);
  jc_net_client_start (self->net);
  /* Retention is checked whenever the node comes up. */
  if (jc_client_tasks_erase_expired (jc_client_profile_get_dir (self->profile),
                                     jc_client_node_get_store (self),
                                     jc_client_profile_get_retention_days (self->profile), error) < 0)
    return FALSE;
  return jc_client_node_process_inbox (self, error);
}

gboolean
jc_client_node_is_connected (JcClientNode *self)
{
  return self->net && jc_net_client_is_connected (self->net);
}

gint64
jc_client_node_outbox_count (JcClientNode *self)
{
  return self->net ? jc_net_client_outbox_count (self->net) : 0;
}

gboolean
jc_client_node_send (JcClientNode *self, const char *const *to, const char *topic, JsonNode *body,
                     const char *task_id, char **msg_id, GError **error)
{
  if (!jc_client_node_connect (self, error))
    return FALSE;
  g_autofree char *id = NULL;
  /* Tracked first: a refusal can only be recorded for a known request. */
  if (!jc_net_client_send (self->net, to, topic, body, &id, error))
    return FALSE;
  if (!jc_client_request_add (jc_client_node_get_store (self), id, topic, task_id, error))
    return FALSE;
  if (msg_id)
    *msg_id = g_steal_pointer (&id);
  return TRUE;
}

/* --- waiting --------------------------------------------------------------------------- */

typedef struct {
  char                *request;
  JcClientNodeDoneFunc done;
  gpointer             data;
  gint64               deadline;
  guint                source;
} Wait;

static void
wait_free (Wait *w)
{
  g_free (w->request);
  if (w->source)
    g_source_remove (w->source);
  g_free (w);
}

static gboolean
wait_poll (gpointer user_data)
{
  GTask *task = user_data;
  JcClientNode *self = g_task_get_source_object (task);
  Wait *w = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    goto out;
  if (!jc_client_node_process_inbox (self, &error))
    {
      g_task_return_error (task, error);
      goto out;
    }
  if (w->request)
    {
      g_autoptr(JcClientRequest) r = jc_client_request_get (jc_client_node_get_store (self), w->request);
      if (r && r->code)
        {
          g_task_return_new_error (task, JC_ERROR, jc_client_refusal_code (r->code),
                                   _("Refused (%s): %s"), r->code,
                                   r->reason && *r->reason ? r->reason : _("no reason given"));
          goto out;
        }
    }
  if (w->done (self, w->data, &error))
    {
      g_task_return_boolean (task, TRUE);
      goto out;
    }
  if (error)
    {
      g_task_return_error (task, error);
      goto out;
    }
  if (g_get_monotonic_time () > w->deadline)
    {
      if (!jc_client_node_is_connected (self))
        g_task_return_new_error (task, JC_ERROR, JC_ERROR_EXPIRED,
                                 _("No connection to the parent %s; what was sent stays queued "
                                   "and goes when the link is up"),
                                 jc_client_profile_get_parent_url (self->profile));
      else
        g_task_return_new_error (task, JC_ERROR, JC_ERROR_EXPIRED,
                                 _("No answer in time; what was sent stays queued and is "
                                   "delivered, check later with “jocondectl status”"));
      goto out;
    }
  return G_SOURCE_CONTINUE;

out:
  w->source = 0;
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

void
jc_client_node_wait_async (JcClientNode *self, const char *request, JcClientNodeDoneFunc done,
                           gpointer data, guint timeout_ms, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jc_client_node_wait_async);
  GError *error = NULL;
  if (!jc_client_node_connect (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  Wait *w = g_new0 (Wait, 1);
  w->request = g_strdup (request);
  w->done = done;
  w->data = data;
  w->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_task_set_task_data (task, w, (GDestroyNotify) wait_free);
  w->source = g_timeout_add (50, wait_poll, g_object_ref (task));
}

gboolean
jc_client_node_wait_finish (JcClientNode *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

gboolean
jc_client_node_wait (JcClientNode *self, const char *request, JcClientNodeDoneFunc done,
                     gpointer data, guint timeout_ms, GError **error)
{
  GAsyncResult *result = NULL;
  jc_client_node_wait_async (self, request, done, data, timeout_ms, NULL, wait_done, &result);
  GMainContext *ctx = g_main_context_get_thread_default ();
  while (!result)
    g_main_context_iteration (ctx, TRUE);
  gboolean ok = jc_client_node_wait_finish (self, result, error);
  g_object_unref (result);
  return ok;
}

typedef struct {
  guint  quiet_ms;
  gint64 since;
} Quiet;

static gboolean
is_quiet (JcClientNode *self, gpointer data, GError **error)
{
  Quiet *q = data;
  gint64 now = g_get_monotonic_time ();
  if (!jc_client_node_is_connected (self) || jc_client_node_outbox_count (self) > 0)
    {
      q->since = now;
      return FALSE;
    }
  gint64 last = MAX (q->since, self->last_activity);
  return now - last >= (gint64) q->quiet_ms * 1000;
}

gboolean
jc_client_node_sync (JcClientNode *self, guint quiet_ms, guint timeout_ms, GError **error)
{
  Quiet q = { quiet_ms, g_get_monotonic_time () };
  return jc_client_node_wait (self, NULL, is_quiet, &q, timeout_ms, error);
}
