#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-model-read-private.h"
#include "jc-model-render-private.h"
#include "jc-task-messages.h"
#include "jc-time.h"

static const char *const actions[] = { "cancel", "terminate", NULL };

const char *
jc_control_action_to_string (JcControlAction action)
{
  g_return_val_if_fail ((guint) action < 2, NULL);
  return actions[action];
}

JcControlMessage *
jc_control_message_new (void)
{
  return g_new0 (JcControlMessage, 1);
}

void
jc_control_message_free (JcControlMessage *m)
{
  if (m == NULL)
    return;
  g_free (m->reason);
  jc_signer_clear (&m->signer);
  g_free (m);
}

JcControlMessage *
jc_control_message_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcControlMessage) m = jc_control_message_new ();
  guint before = jc_problems_count (problems);
  g_autofree char *task = NULL;
  JcObjReader r;
  JsonNode *signer;
  int action;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "control-message");
  if ((task = jc_obj_uuid (&r, "task_id")) != NULL)
    g_strlcpy (m->task_id, task, sizeof m->task_id);
  action = jc_obj_enum (&r, "action", actions);
  m->action = action >= 0 ? (JcControlAction) action : JC_CONTROL_CANCEL;
  m->reason = jc_obj_string (&r, "reason", JC_TEXT_BLOCK, TRUE);
  if ((signer = jc_obj_member (&r, "signer", TRUE)) != NULL)
    {
      g_autofree char *spath = jc_path_member (r.path, "signer");
      jc_signer_read (signer, spath, &m->signer, problems);
    }
  jc_obj_time (&r, "time", &m->time);
  jc_obj_reader_finish (&r);
  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&m);
}

JcControlMessage *
jc_control_message_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcControlMessage *m = jc_control_message_read (node, "", problems);

  if (!jc_problems_check (problems, _("The control message"), error))
    {
      jc_control_message_free (m);
      return NULL;
    }
  return m;
}

JsonNode *
jc_control_message_to_json (const JcControlMessage *m)
{
  JsonObject *o = json_object_new ();

  jc_add_header (o, "control-message");
  jc_add_string (o, "task_id", m->task_id);
  jc_add_string (o, "action", jc_control_action_to_string (m->action));
  jc_add_string (o, "reason", m->reason);
  json_object_set_member (o, "signer", jc_signer_to_json (&m->signer));
  jc_add_time (o, "time", m->time);
  return jc_node_from_object (o);
}

char *
jc_control_message_render (const JcControlMessage *m)
{
  GString *out = g_string_new (NULL);
  g_autoptr(JsonNode) node = jc_control_message_to_json (m);
  g_autofree char *time = jc_time_format (m->time);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_doc_hash (node, hash, NULL);
  jc_render_header (out, "Control message", hash);
  jc_render_field (out, 0, "Task", m->task_id);
  jc_render_field (out, 0, "Action", m->action == JC_CONTROL_CANCEL ? "CANCEL the task" : "TERMINATE the task");
  jc_render_block (out, 0, "Reason", m->reason);
  jc_render_field (out, 0, "Requested by node", m->signer.name);
  jc_render_hash (out, 1, "chain SHA-256", m->signer.fingerprint);
  jc_render_field (out, 0, "Time (UTC)", time);
  return g_string_free (out, FALSE);
}
