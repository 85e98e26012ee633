#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-cpd-daemon-private.h"
#include "jc-cpd-task-db.h"
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
    g_set_error (&why, JC_ERROR, JC_ERROR_CANCELLED, _("%s by %s: %s"),
                 msg->action == JC_CONTROL_CANCEL ? _("Cancelled") : _("Terminated"),
                 msg->signer.name, msg->reason ? msg->reason : "");
    jc_cpd_daemon_end_task (self, msg->task_id, msg->action == JC_CONTROL_CANCEL ? "cancelled" : "terminated", why);
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
