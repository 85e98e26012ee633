#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-model-read-private.h"
#include "jc-model-render-private.h"
#include "jc-task-messages.h"
#include "jc-time.h"

static const char *const kinds[] = { "state-change", "data-quality", "print", "error", NULL };

const char *
jc_telemetry_kind_to_string (JcTelemetryKind kind)
{
  g_return_val_if_fail ((guint) kind < 4, NULL);
  return kinds[kind];
}

JcTelemetryEvent *
jc_telemetry_event_new (void)
{
  return g_new0 (JcTelemetryEvent, 1);
}

void
jc_telemetry_event_free (JcTelemetryEvent *e)
{
  if (e == NULL)
    return;
  g_free (e->input);
  g_free (e->text);
  g_free (e);
}

static void
read_payload (JcObjReader *parent, JcTelemetryEvent *e)
{
  JsonNode *node = jc_obj_member (parent, "payload", TRUE);
  g_autofree char *path = jc_path_member (parent->path, "payload");
  JcObjReader r;

  if (node == NULL || !jc_obj_reader_init (&r, node, path, parent->problems))
    {
      if (node != NULL)
        jc_obj_reader_finish (&r);
      return;
    }
  switch (e->kind)
    {
    case JC_TELEMETRY_STATE_CHANGE:
      {
        g_autofree char *name = jc_obj_string (&r, "state", JC_TEXT_ANY, TRUE);
        if (name != NULL && (!jc_task_state_from_string (name, &e->state) ||
                             !jc_task_state_is_vm_state (e->state)))
          {
            g_autofree char *spath = jc_path_member (path, "state");
            g_autofree char *q = jc_quote (name);
            jc_problems_add (parent->problems, spath,
                             _("unknown state %s (expected \"initialisation\", \"input\", \"calculation\", \"output\", \"finished\" or \"cancelled\")"), q);
          }
        break;
      }
    case JC_TELEMETRY_DATA_QUALITY:
      e->input = jc_obj_string (&r, "input", JC_TEXT_IDENTIFIER, TRUE);
      jc_obj_bool (&r, "passed", &e->passed);
      jc_obj_int (&r, "violations", 0, JC_DOC_INT_MAX, &e->violations);
      e->text = jc_obj_string (&r, "message", JC_TEXT_BLOCK, FALSE);
      break;
    case JC_TELEMETRY_PRINT:
      e->text = jc_obj_string (&r, "text", JC_TEXT_ANY, TRUE);
      break;
    case JC_TELEMETRY_ERROR:
      e->text = jc_obj_string (&r, "message", JC_TEXT_BLOCK, TRUE);
      break;
    }
  jc_obj_reader_finish (&r);
}

JcTelemetryEvent *
jc_telemetry_event_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcTelemetryEvent) e = jc_telemetry_event_new ();
  guint before = jc_problems_count (problems);
  g_autofree char *task = NULL;
  JcObjReader r;
  int kind;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "telemetry-event");
  if ((task = jc_obj_uuid (&r, "task_id")) != NULL)
    g_strlcpy (e->task_id, task, sizeof e->task_id);
  jc_obj_int (&r, "cp", 0, JC_DOC_INT_MAX, &e->cp);
  jc_obj_time (&r, "time", &e->time);
  kind = jc_obj_enum (&r, "kind", kinds);
  if (kind >= 0)
    {
      e->kind = (JcTelemetryKind) kind;
      read_payload (&r, e);
    }
  else
    jc_obj_member (&r, "payload", TRUE); /* cannot be checked without a kind */
  jc_obj_reader_finish (&r);
  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&e);
}

JcTelemetryEvent *
jc_telemetry_event_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcTelemetryEvent *e = jc_telemetry_event_read (node, "", problems);

  if (!jc_problems_check (problems, _("The telemetry event"), error))
    {
      jc_telemetry_event_free (e);
      return NULL;
    }
  return e;
}

JsonNode *
jc_telemetry_event_to_json (const JcTelemetryEvent *e)
{
  JsonObject *o = json_object_new ();
  JsonObject *p = json_object_new ();

  jc_add_header (o, "telemetry-event");
  jc_add_string (o, "task_id", e->task_id);
  jc_add_int (o, "cp", e->cp);
  jc_add_time (o, "time", e->time);
  jc_add_string (o, "kind", jc_telemetry_kind_to_string (e->kind));
  switch (e->kind)
    {
    case JC_TELEMETRY_STATE_CHANGE:
      jc_add_string (p, "state", jc_task_state_to_string (e->state));
      break;
    case JC_TELEMETRY_DATA_QUALITY:
      jc_add_string (p, "input", e->input);
      jc_add_bool (p, "passed", e->passed);
      jc_add_int (p, "violations", e->violations);
      if (e->text != NULL)
        jc_add_string (p, "message", e->text);
      break;
    case JC_TELEMETRY_PRINT:
      jc_add_string (p, "text", e->text);
      break;
    case JC_TELEMETRY_ERROR:
      jc_add_string (p, "message", e->text);
      break;
    }
  json_object_set_object_member (o, "payload", p);
  return jc_node_from_object (o);
}

char *
jc_telemetry_event_render (const JcTelemetryEvent *e)
{
  GString *out = g_string_new (NULL);
  g_autoptr(JsonNode) node = jc_telemetry_event_to_json (e);
  g_autofree char *time = jc_time_format (e->time);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_doc_hash (node, hash, NULL);
  jc_render_header (out, "Telemetry event", hash);
  jc_render_field (out, 0, "Task", e->task_id);
  jc_render_fieldf (out, 0, "Computing party", "[%" G_GINT64_FORMAT "]", e->cp);
  jc_render_field (out, 0, "Time (UTC)", time);
  jc_render_field (out, 0, "Kind", jc_telemetry_kind_to_string (e->kind));
  switch (e->kind)
    {
    case JC_TELEMETRY_STATE_CHANGE:
      jc_render_field (out, 0, "State", jc_task_state_to_string (e->state));
      break;
    case JC_TELEMETRY_DATA_QUALITY:
      jc_render_field (out, 0, "Input", e->input);
      jc_render_field (out, 0, "Verdict", e->passed ? "passed" : "FAILED");
      jc_render_fieldf (out, 0, "Violations", "%" G_GINT64_FORMAT, e->violations);
      if (e->text != NULL)
        jc_render_block (out, 0, "Message", e->text);
      break;
    case JC_TELEMETRY_PRINT:
      jc_render_block (out, 0, "Printed", e->text);
      break;
    case JC_TELEMETRY_ERROR:
      jc_render_block (out, 0, "Error", e->text);
      break;
    }
  return g_string_free (out, FALSE);
}
