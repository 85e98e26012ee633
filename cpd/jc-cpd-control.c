#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-cpd-daemon-private.h"
#include "jc-cpd-domain-xml.h"
#include "jc-cpd-task-db.h"
#include "jc-doc.h"
#include "jc-error.h"
#include "jc-time.h"

/* Ending a task on request: signed control messages (verified here against the CTA,
 * whoever relayed them) and the root relay's task status. */

/* Bounds on what strangers can make the cpd keep: control messages for unknown tasks. */
#define MAX_PENDING_PER_TASK 8
#define MAX_PENDING 1024

/* ---- control messages --------------------------------------------------------------- */

/* Reads a task.control body: {"message" or "control": <control-message>, "signature":
 * <node-signature>}. */
static gboolean
parse_control (JsonNode *body, JcControlMessage **msg, JcNodeSignature **sig, GError **error)
{
  JsonObject *o;

  JsonNode *doc;

  /* The root relays a request as {"task_id", "action", …, "message", "signature"}; the
   * signed control message is what counts here, under either name. */
  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body) ||
      ((doc = json_object_get_member (o = json_node_get_object (body), "control")) == NULL &&
       (doc = json_object_get_member (o, "message")) == NULL) ||
      JSON_NODE_HOLDS_NULL (doc) || !json_object_has_member (o, "signature"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A control request without a signed control message changes nothing here"));
      return FALSE;
    }
  *msg = jc_control_message_from_json (doc, error);
  if (*msg == NULL)
    return FALSE;
  *sig = jc_node_signature_from_json (json_object_get_member (o, "signature"), error);
  if (*sig == NULL)
    {
      g_clear_pointer (msg, jc_control_message_free);
      return FALSE;
    }
  return TRUE;
}

static void
keep_pending_control (JcCpdDaemon *self, const char *msg_id, const char *task_id, JsonNode *body)
{
  g_autofree char *text = json_to_string (body, FALSE);
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "INSERT OR IGNORE INTO pending_controls (msg_id, task_id, body, received)"
    " SELECT ?1, ?2, ?3, ?4 WHERE (SELECT COUNT(*) FROM pending_controls WHERE task_id = ?2) < ?5"
    " AND (SELECT COUNT(*) FROM pending_controls) < ?6", NULL);

  if (st == NULL)
    return;
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  sqlite3_bind_int (st, 5, MAX_PENDING_PER_TASK);
  sqlite3_bind_int (st, 6, MAX_PENDING);
  jc_store_run (self->store, st, NULL);
  jc_cpd_daemon_log (self, JC_LOG_NOTICE, "control", task_id,
            "a control message came before its task's agreement; kept until it arrives");
}

/* A valid cancel or terminate among the control messages kept for CTA's task: the task is
 * then over before it starts. Every kept message of the task is dropped. */
gboolean
jc_cpd_control_pending_ends (JcCpdDaemon *self, const JcCta *cta, GError **why)
{
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "SELECT body FROM pending_controls WHERE task_id = ?1 ORDER BY received", NULL);
  sqlite3_stmt *del;
  gboolean row = FALSE, found = FALSE;

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, cta->task_id, -1, SQLITE_TRANSIENT);
  while (!found && jc_store_step (self->store, st, &row, NULL) && row)
    {
      g_autoptr(JsonNode) body = json_from_string ((const char *) sqlite3_column_text (st, 0), NULL);
      g_autoptr(JcControlMessage) msg = NULL;
      g_autoptr(JcNodeSignature) sig = NULL;
      g_autoptr(GError) error = NULL;

      if (!parse_control (body, &msg, &sig, &error) ||
          !jc_agreement_verify_control (cta, &self->trust, msg, sig, &error))
        {
          g_autofree char *m = g_strdup_printf ("a kept control message was refused: %s", error->message);
          jc_cpd_daemon_log (self, JC_LOG_WARNING, "control", cta->task_id, m);
          continue;
        }
      g_set_error (why, JC_ERROR, JC_ERROR_CANCELLED, _("%s by %s before the VM started: %s"),
                   msg->action == JC_CONTROL_CANCEL ? _("Cancelled") : _("Terminated"),
                   msg->signer.name, msg->reason ? msg->reason : "");
      found = TRUE;
    }
  sqlite3_reset (st);
  del = jc_store_prepare (self->store, "DELETE FROM pending_controls WHERE task_id = ?1", NULL);
  if (del != NULL)
    {
      sqlite3_bind_text (del, 1, cta->task_id, -1, SQLITE_TRANSIENT);
      jc_store_run (self->store, del, NULL);
    }
  return found;
}

/* ---- posting to a task's orchestrator ---------------------------------------------- */

/* A POST of JSON to one endpoint of a task's orchestrator (docs/guest.md), tried again with
 * back-off while the orchestrator does not answer (still starting, or busy): up to
 * MAX_ATTEMPTS tries (0: for as long as the task runs here). DONE gets the last outcome. */
typedef void (*OrchestratorPostDone) (JcCpdDaemon *self, const char *task_id, guint status,
                                      GError *error);

typedef struct {
  JcCpdDaemon         *self;
  char                *task_id;
  char                *url;
  GBytes              *payload;
  guint                delay_ms;
  guint                attempts_left;
  gboolean             unlimited;
  gboolean           (*accepted) (guint status);
  OrchestratorPostDone done;
} OrchestratorPost;

#define POST_RETRY_FIRST_MS 250
#define POST_RETRY_MAX_MS   8000

static void orchestrator_post_send (OrchestratorPost *p);

static void
orchestrator_post_free (OrchestratorPost *p)
{
  g_object_unref (p->self);
  g_free (p->task_id);
  g_free (p->url);
  g_bytes_unref (p->payload);
  g_free (p);
}

static gboolean
orchestrator_post_again (gpointer data)
{
  OrchestratorPost *p = data;
  ActiveTask *t = p->self->active ? g_hash_table_lookup (p->self->active, p->task_id) : NULL;

  /* The task may have ended, or the daemon be shutting down (its HTTP session gone),
   * while we waited. */
  if (t == NULL || p->self->http == NULL)
    orchestrator_post_free (p);
  else
    orchestrator_post_send (p);
  return G_SOURCE_REMOVE;
}

static void
orchestrator_post_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  OrchestratorPost *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status = body != NULL && msg != NULL ? soup_message_get_status (msg) : 0;
  ActiveTask *t = p->self->active ? g_hash_table_lookup (p->self->active, p->task_id) : NULL;

  if (t != NULL && !p->accepted (status) && (p->unlimited || p->attempts_left > 1))
    {
      g_autofree char *m = g_strdup_printf ("%s did not answer as expected (%s); trying again in %u ms",
                                            p->url, error ? error->message : soup_status_get_phrase (status),
                                            p->delay_ms);
      jc_cpd_daemon_log (p->self, JC_LOG_WARNING, "orchestrator", p->task_id, m);
      if (!p->unlimited)
        p->attempts_left--;
      g_timeout_add (p->delay_ms, orchestrator_post_again, p);
      p->delay_ms = MIN (p->delay_ms * 2, POST_RETRY_MAX_MS);
      return;
    }
  if (t != NULL)
    p->done (p->self, p->task_id, status, error);
  orchestrator_post_free (p);
}

static void
orchestrator_post_send (OrchestratorPost *p)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", p->url);

  soup_message_set_request_body_from_bytes (msg, "application/json", p->payload);
  soup_session_send_and_read_async (p->self->http, msg, G_PRIORITY_DEFAULT, NULL,
                                    orchestrator_post_answered, p);
}

/* Posts BODY to PATH of task T's orchestrator; FALSE when no request can be made. */
static gboolean
orchestrator_post (JcCpdDaemon *self, ActiveTask *t, const char *path, JsonNode *body,
                   guint max_attempts, gboolean (*accepted) (guint status),
                   OrchestratorPostDone done)
{
  /* The orchestrator's endpoint as this host reaches it: the publishing hypervisor, or this
   * host (a wildcard listen address is reached on loopback). */
  const char *host = t->host ? t->host : self->config->listen_address;
  g_autofree char *url = NULL;
  char *text;
  OrchestratorPost *p;

  if (g_str_equal (host, "0.0.0.0"))
    host = "127.0.0.1";
  else if (g_str_equal (host, "::"))
    host = "::1";
  url = strchr (host, ':') ? g_strdup_printf ("http://[%s]:%u%s", host, t->port, path)
                           : g_strdup_printf ("http://%s:%u%s", host, t->port, path);
  if (self->http == NULL || !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
    return FALSE;
  text = json_to_string (body, FALSE);
  p = g_new0 (OrchestratorPost, 1);
  p->self = g_object_ref (self);
  p->task_id = g_strdup (t->task_id);
  p->url = g_steal_pointer (&url);
  p->payload = g_bytes_new_take (text, strlen (text));
  p->delay_ms = POST_RETRY_FIRST_MS;
  p->attempts_left = max_attempts;
  p->unlimited = max_attempts == 0;
  p->accepted = accepted;
  p->done = done;
  orchestrator_post_send (p);
  return TRUE;
}

/* The orchestrator is told first (POST /control with the signed message, docs/guest.md):
 * it tells the other parties' VMs through their links, so all of them stop at once. Its
 * VM is destroyed when it answers, or after a few tries over some seconds (an orchestrator
 * still starting gets the time to listen). */
#define CONTROL_ATTEMPTS 6

static gboolean
control_accepted (guint status)
{
  return status != 0; /* any HTTP answer: the orchestrator heard it and decided */
}

static void
control_relayed (JcCpdDaemon *self, const char *task_id, guint status, GError *error)
{
  ActiveTask *t = g_hash_table_lookup (self->active, task_id);
  g_autofree char *m = g_strdup_printf ("the control message was relayed to the orchestrator: %s",
                                        status ? soup_status_get_phrase (status) : error->message);

  jc_cpd_daemon_log (self, JC_LOG_NOTICE, "control", task_id, m);
  t->relaying = FALSE;
  jc_cpd_daemon_end_task (self, task_id, t->end_state, t->end_reason);
}

static void
relay_control (JcCpdDaemon *self, ActiveTask *t, const JcControlMessage *msg, const JcNodeSignature *sig)
{
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (body, json_object_new ());
  json_object_set_member (json_node_get_object (body), "message", jc_control_message_to_json (msg));
  json_object_set_member (json_node_get_object (body), "signature", jc_node_signature_to_json (sig));
  t->relaying = TRUE;
  if (!orchestrator_post (self, t, "/control", body, CONTROL_ATTEMPTS, control_accepted,
                          control_relayed))
    {
      t->relaying = FALSE;
      jc_cpd_daemon_end_task (self, t->task_id, t->end_state, t->end_reason);
    }
}

void
jc_cpd_control_handle (JcCpdDaemon *self, const char *msg_id, JsonNode *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcControlMessage) msg = NULL;
  g_autoptr(JcNodeSignature) sig = NULL;
  g_autoptr(JcCta) cta = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  ActiveTask *t;

  if (!parse_control (body, &msg, &sig, &error))
    {
      g_warning ("A control message was ignored: %s", error->message);
      return;
    }
  t = g_hash_table_lookup (self->active, msg->task_id);
  if (t == NULL)
    {
      if (jc_cpd_task_db_is_known (self->store, msg->task_id))
        jc_cpd_daemon_log (self, JC_LOG_NOTICE, "control", msg->task_id,
                  "a control message for a task that is over here was ignored");
      else
        keep_pending_control (self, msg_id, msg->task_id, body);
      return;
    }
  path = jc_cpd_daemon_cta_path (self, msg->task_id);
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      jc_cpd_daemon_log (self, JC_LOG_ERROR, "control", msg->task_id, error->message);
      return;
    }
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);
    self->trust.at = jc_time_now ();
    cta = jc_agreement_load (bytes, &self->trust, NULL, &error);
  }
  if (cta == NULL || !jc_agreement_verify_control (cta, &self->trust, msg, sig, &error))
    {
      g_autofree char *m = g_strdup_printf ("a control message was refused: %s", error->message);
      jc_cpd_daemon_log (self, JC_LOG_WARNING, "control", msg->task_id, m);
      return;
    }
  {
    g_autoptr(GError) why = NULL;
    const char *state = msg->action == JC_CONTROL_CANCEL ? "cancelled" : "terminated";

    g_set_error (&why, JC_ERROR, JC_ERROR_CANCELLED, _("%s by %s: %s"),
                 msg->action == JC_CONTROL_CANCEL ? _("Cancelled") : _("Terminated"),
                 msg->signer.name, msg->reason ? msg->reason : "");
    if (t->ending || t->end_state != NULL || t->relaying)
      return;
    /* How the task ends is settled now, whoever asks for the destruction first. */
    t->end_state = g_strdup (state);
    t->end_reason = g_error_copy (why);
    relay_control (self, t, msg, sig);
  }
}

/* ---- task status from the root ------------------------------------------------------ */

/* The root relay's word on a task (it runs the lifecycle, §4.4.1.1): a cancellation it
 * decided (approval deadline, a peer's or the SO's request) ends the task here too. Only the
 * root is listened to; the tree guarantees a message's origin (docs/wire.md §4). */
void
jc_cpd_control_handle_status (JcCpdDaemon *self, const JcNetEnvelope *env)
{
  JsonObject *o = env->body && JSON_NODE_HOLDS_OBJECT (env->body) ? json_node_get_object (env->body) : NULL;
  JsonNode *id = o ? json_object_get_member (o, "task_id") : NULL;
  JsonNode *state = o ? json_object_get_member (o, "state") : NULL;
  const char *task_id, *name;
  g_autoptr(GError) why = NULL;

  if (g_strcmp0 (env->from, self->root_id) != 0)
    {
      g_message ("A task status from %s, not the root %s, was ignored", env->from, self->root_id);
      return;
    }
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING ||
      state == NULL || !JSON_NODE_HOLDS_VALUE (state) || json_node_get_value_type (state) != G_TYPE_STRING)
    return;
  task_id = json_node_get_string (id);
  name = json_node_get_string (state);
  if (!g_str_equal (name, "cancelled") && !g_str_equal (name, "erased"))
    return;
  g_set_error (&why, JC_ERROR, JC_ERROR_CANCELLED, _("The root relay %s says the task is %s"),
               env->from, name);
  if (g_hash_table_contains (self->active, task_id))
    jc_cpd_daemon_end_task (self, task_id, "cancelled", why);
  else if (!jc_cpd_task_db_is_known (self->store, task_id) && strlen (task_id) == 36)
    {
      /* Before its CTA: the CTA, should it still come, starts nothing. */
      jc_cpd_task_db_record_end (self->store, task_id, -1, "cancelled", why->message);
    }
}

/* ---- the other VMs' addresses from the root ----------------------------------------- */

static gboolean
counterparts_accepted (guint status)
{
  /* 409: the orchestrator had them already (they are write-once). */
  return status == SOUP_STATUS_OK || status == SOUP_STATUS_CONFLICT;
}

static void
counterparts_posted (JcCpdDaemon *self, const char *task_id, guint status, GError *error)
{
  ActiveTask *t = g_hash_table_lookup (self->active, task_id);

  t->counterparts_posting = FALSE;
  if (counterparts_accepted (status))
    {
      t->counterparts = TRUE;
      jc_cpd_daemon_log (self, JC_LOG_NOTICE, "counterparts", task_id,
                         "the computing parties' addresses were handed to the orchestrator");
    }
}

/* The number of computing parties of the task's CTA (verified when it came). */
static guint
n_parties (JcCpdDaemon *self, const char *task_id)
{
  g_autofree char *path = jc_cpd_daemon_cta_path (self, task_id);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(JcCta) cta = NULL;

  if (!g_file_get_contents (path, &text, &len, NULL) ||
      (doc = jc_doc_parse (text, len, NULL, NULL)) == NULL ||
      (cta = jc_cta_from_json (doc, NULL)) == NULL)
    return 0;
  return cta->ctsc->computing_parties->len;
}

/* A counterpart's address as the orchestrator dials it. A libvirt task VM sits behind
 * QEMU's user-mode network, where 127.0.0.0/8 is the VM itself: an address on this host's
 * loopback (a single-host deployment or the sandbox) is reached through slirp's gateway,
 * which slirp connects to the host's loopback. */
static char *
counterpart_address (JcCpdDaemon *self, const char *address)
{
  const char *colon = strrchr (address, ':');

  if (!g_str_equal (self->config->backend, "libvirt") || colon == NULL ||
      !(g_str_has_prefix (address, "127.") || g_str_has_prefix (address, "localhost:")))
    return g_strdup (address);
  return g_strconcat (JC_CPD_SLIRP_HOST_ADDRESS, colon, NULL);
}

/* task.vm from the root: once every computing party's VM address is known, they go to this
 * task's orchestrator (POST /counterparts, in CTSC order, docs/guest.md), which connects to
 * the others through attested TLS; an address is no secret. */
void
jc_cpd_control_handle_vms (JcCpdDaemon *self, const JcNetEnvelope *env)
{
  JsonObject *o = env->body && JSON_NODE_HOLDS_OBJECT (env->body) ? json_node_get_object (env->body) : NULL;
  JsonNode *id = o ? json_object_get_member (o, "task_id") : NULL;
  JsonNode *list = o ? json_object_get_member (o, "addresses") : NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) body = NULL;
  ActiveTask *t;
  guint n;

  if (g_strcmp0 (env->from, self->root_id) != 0)
    {
      g_message ("VM addresses from %s, not the root %s, were ignored", env->from, self->root_id);
      return;
    }
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING ||
      list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  t = g_hash_table_lookup (self->active, json_node_get_string (id));
  if (t == NULL || t->counterparts || t->counterparts_posting || t->starting || t->ending)
    return;
  n = n_parties (self, t->task_id);
  if (n == 0 || json_array_get_length (json_node_get_array (list)) < n)
    return;
  addresses = g_ptr_array_new_full (n, g_free);
  g_ptr_array_set_size (addresses, n);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (list), i);
      JsonObject *eo = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      JsonNode *cp = eo ? json_object_get_member (eo, "cp") : NULL;
      JsonNode *address = eo ? json_object_get_member (eo, "address") : NULL;
      gint64 index;

      if (cp == NULL || !JSON_NODE_HOLDS_VALUE (cp) || json_node_get_value_type (cp) != G_TYPE_INT64 ||
          address == NULL || !JSON_NODE_HOLDS_VALUE (address) ||
          json_node_get_value_type (address) != G_TYPE_STRING)
        return;
      index = json_node_get_int (cp);
      if (index < 0 || index >= (gint64) n || addresses->pdata[index] != NULL)
        return;
      addresses->pdata[index] = counterpart_address (self, json_node_get_string (address));
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "addresses");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      if (addresses->pdata[i] == NULL)
        return;   /* not every VM is known yet */
      json_builder_add_string_value (b, addresses->pdata[i]);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  /* Tried for as long as the task runs here: a VM may take a while to boot, and the
   * orchestrator's own input deadline ends a task whose parties never meet. */
  t->counterparts_posting = orchestrator_post (self, t, "/counterparts", body, 0,
                                                counterparts_accepted, counterparts_posted);
}
