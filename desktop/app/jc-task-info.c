#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-task-info.h"

struct _JcTaskInfo {
  GObject      parent_instance;
  char        *id;
  JsonNode    *ctsc_node;
  JcCtsc      *ctsc;
  char        *hash;
  JcTaskState  state;
  JcTaskAction action;
  char        *action_key;
  GPtrArray   *ctsas;
};

G_DEFINE_FINAL_TYPE (JcTaskInfo, jc_task_info, G_TYPE_OBJECT)

static void
jc_task_info_finalize (GObject *object)
{
  JcTaskInfo *self = JC_TASK_INFO (object);

  g_free (self->id);
  g_clear_pointer (&self->ctsc_node, json_node_unref);
  g_clear_pointer (&self->ctsc, jc_ctsc_free);
  g_free (self->hash);
  g_free (self->action_key);
  g_ptr_array_unref (self->ctsas);
  G_OBJECT_CLASS (jc_task_info_parent_class)->finalize (object);
}

static void
jc_task_info_class_init (JcTaskInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_task_info_finalize;
}

static void
jc_task_info_init (JcTaskInfo *self)
{
  self->ctsas = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
}

JcTaskInfo *
jc_task_info_new (const char *id, JsonNode *ctsc, JcTaskState state, GError **error)
{
  g_autoptr(JcTaskInfo) self = NULL;
  guint8 hash[JC_DOC_HASH_SIZE];
  JcCtsc *parsed = jc_ctsc_from_json (ctsc, error);

  if (parsed == NULL)
    return NULL;
  self = g_object_new (JC_TYPE_TASK_INFO, NULL);
  self->id = g_strdup (id);
  self->ctsc = parsed;
  self->ctsc_node = json_node_ref (ctsc);
  self->state = state;
  if (!jc_doc_hash (ctsc, hash, error))
    return NULL;
  self->hash = jc_hex_encode (hash, sizeof hash);
  return g_steal_pointer (&self);
}

const char *jc_task_info_get_id (JcTaskInfo *self) { return self->id; }
const char *jc_task_info_get_title (JcTaskInfo *self) { return self->ctsc->title; }
JcTaskState jc_task_info_get_state (JcTaskInfo *self) { return self->state; }
const JcCtsc *jc_task_info_get_ctsc (JcTaskInfo *self) { return self->ctsc; }
JsonNode *jc_task_info_get_ctsc_node (JcTaskInfo *self) { return self->ctsc_node; }
const char *jc_task_info_get_hash (JcTaskInfo *self) { return self->hash; }
JcTaskAction jc_task_info_get_action (JcTaskInfo *self) { return self->action; }
const char *jc_task_info_get_action_key (JcTaskInfo *self) { return self->action_key; }
gboolean jc_task_info_needs_action (JcTaskInfo *self) { return self->action != JC_TASK_ACTION_NONE; }
GPtrArray *jc_task_info_get_ctsas (JcTaskInfo *self) { return self->ctsas; }

void
jc_task_info_set_action (JcTaskInfo *self, JcTaskAction action, const char *key)
{
  self->action = action;
  g_free (self->action_key);
  self->action_key = g_strdup (key);
}

gboolean
jc_task_info_add_ctsa (JcTaskInfo *self, JsonNode *ctsa, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();

  if (!jc_model_check (ctsa, problems) || jc_model_document_type (ctsa) != JC_DOCUMENT_CTSA)
    {
      if (jc_problems_count (problems) == 0)
        jc_problems_add (problems, "type", _("the document is not an addendum (CTSA)"));
      return jc_problems_check (problems, _("The addendum"), error);
    }
  g_ptr_array_add (self->ctsas, json_node_ref (ctsa));
  return TRUE;
}

char *
jc_task_info_render (JcTaskInfo *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *ctsc = jc_model_render (self->ctsc_node, NULL);

  g_string_append (out, ctsc ? ctsc : "");
  for (guint i = 0; i < self->ctsas->len; i++)
    {
      g_autofree char *text = jc_model_render (g_ptr_array_index (self->ctsas, i), NULL);
      g_string_append_c (out, '\n');
      g_string_append (out, text ? text : "");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
jc_task_info_matches (JcTaskInfo *self, const char *query, gboolean needs_action_only)
{
  g_autofree char *q = NULL;
  g_autofree char *title = NULL;

  if (needs_action_only && !jc_task_info_needs_action (self))
    return FALSE;
  if (query == NULL || *query == '\0')
    return TRUE;
  q = g_utf8_casefold (query, -1);
  title = g_utf8_casefold (self->ctsc->title, -1);
  if (strstr (title, q) != NULL || strstr (self->id, q) != NULL)
    return TRUE;
  {
    g_autofree char *state = g_utf8_casefold (jc_task_state_label (self->state), -1);
    return strstr (state, q) != NULL
           || strstr (jc_task_state_to_string (self->state), q) != NULL;
  }
}

const char *
jc_task_state_label (JcTaskState state)
{
  switch (state)
    {
    case JC_TASK_EMERGING: return _("Being agreed");
    case JC_TASK_REJECTED: return _("Rejected");
    case JC_TASK_INITIALISATION: return _("Starting");
    case JC_TASK_INPUT: return _("Waiting for data");
    case JC_TASK_CALCULATION: return _("Computing");
    case JC_TASK_OUTPUT: return _("Results ready");
    case JC_TASK_FINISHED: return _("Finished");
    case JC_TASK_CANCELLED: return _("Cancelled");
    case JC_TASK_ERASED: return _("Erased");
    default: return _("Unknown");
    }
}

char *
jc_task_action_label (JcTaskAction action, const char *key)
{
  switch (action)
    {
    case JC_TASK_ACTION_ADDENDUM: return g_strdup (_("Write the addendum"));
    case JC_TASK_ACTION_SIGN: return g_strdup (_("Sign the agreement"));
    case JC_TASK_ACTION_APPROVE: return g_strdup (_("Approve or reject"));
    case JC_TASK_ACTION_UPLOAD: return g_strdup_printf (_("Upload “%s”"), key ? key : "");
    case JC_TASK_ACTION_DOWNLOAD: return g_strdup_printf (_("Download “%s”"), key ? key : "");
    case JC_TASK_ACTION_NONE:
    default: return NULL;
    }
}
