#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
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
  GPtrArray   *events;   /* JcTelemetryEvent* */
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
  g_ptr_array_unref (self->events);
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
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_telemetry_event_free);
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

void
jc_timeline_entry_free (JcTimelineEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->text);
  g_free (entry);
}

static gint
compare_events (gconstpointer a, gconstpointer b)
{
  const JcTelemetryEvent *ea = *(const JcTelemetryEvent **) a;
  const JcTelemetryEvent *eb = *(const JcTelemetryEvent **) b;
  return ea->time < eb->time ? -1 : ea->time > eb->time;
}

gboolean
jc_task_info_add_event (JcTaskInfo *self, JsonNode *node, GError **error)
{
  JcTelemetryEvent *event = jc_telemetry_event_from_json (node, error);

  if (event == NULL)
    return FALSE;
  if (g_strcmp0 (event->task_id, self->id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The telemetry event is about task %s, not %s"), event->task_id, self->id);
      jc_telemetry_event_free (event);
      return FALSE;
    }
  g_ptr_array_add (self->events, event);
  g_ptr_array_sort (self->events, compare_events);
  return TRUE;
}

/* Text from a computing party shown as one safe line: control and bidirectional
 * characters replaced, at most 300 characters. */
static char *
safe_text (const char *text)
{
  GString *out = g_string_new (NULL);
  guint n = 0;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_string_free (out, FALSE);
  for (const char *p = text; *p && n < 300; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029)
        g_string_append_unichar (out, 0xfffd);
      else
        g_string_append_unichar (out, c);
    }
  if (n == 300)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

GPtrArray *
jc_task_info_get_timeline (JcTaskInfo *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_timeline_entry_free);

  for (guint i = 0; i < self->events->len; i++)
    {
      const JcTelemetryEvent *e = g_ptr_array_index (self->events, i);
      const JcParty *cp = e->cp >= 0 && (guint) e->cp < self->ctsc->computing_parties->len
                          ? g_ptr_array_index (self->ctsc->computing_parties, e->cp) : NULL;
      const char *who = cp ? cp->name : "?";
      g_autofree char *safe = safe_text (e->text);
      JcTimelineEntry *entry = g_new0 (JcTimelineEntry, 1);

      entry->time = e->time;
      switch (e->kind)
        {
        case JC_TELEMETRY_STATE_CHANGE:
          entry->text = g_strdup_printf (_("%s: %s"), who, jc_task_state_label (e->state));
          break;
        case JC_TELEMETRY_DATA_QUALITY:
          entry->problem = !e->passed;
          if (e->passed)
            entry->text = g_strdup_printf (_("%s: the data-quality check of “%s” passed"), who, e->input);
          else
            entry->text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "%s: the data-quality check of “%s” failed: %" PRId64 " row. %s",
                                                        "%s: the data-quality check of “%s” failed: %" PRId64 " rows. %s",
                                                        (gulong) e->violations),
                                           who, e->input, e->violations, safe);
          break;
        case JC_TELEMETRY_PRINT:
          entry->text = g_strdup_printf (_("%s: the algorithm printed “%s”"), who, safe);
          break;
        case JC_TELEMETRY_ERROR:
        default:
          entry->problem = TRUE;
          entry->text = g_strdup_printf (_("%s: error: %s"), who, safe);
          break;
        }
      g_ptr_array_add (out, entry);
    }
  return out;
}

static void
add_grants (GPtrArray *out, GPtrArray *grants, GBytes *pak, const char *format)
{
  for (guint i = 0; grants && i < grants->len; i++)
    {
      const JcPakGrant *grant = g_ptr_array_index (grants, i);
      if (!g_bytes_equal (grant->pak, pak))
        continue;
      for (guint j = 0; j < grant->keys->len; j++)
        g_ptr_array_add (out, g_strdup_printf (format, (const char *) g_ptr_array_index (grant->keys, j)));
    }
}

GPtrArray *
jc_task_info_pak_grants (JcTaskInfo *self, const char *pak)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) raw = jc_base64url_decode (pak, NULL);

  if (raw == NULL)
    return out;
  for (guint i = 0; i < self->ctsas->len; i++)
    {
      g_autoptr(JcCtsa) ctsa = jc_ctsa_from_json (g_ptr_array_index (self->ctsas, i), NULL);
      if (ctsa == NULL)
        continue;
      add_grants (out, ctsa->custodians, raw, _("upload “%s”"));
      add_grants (out, ctsa->analysts, raw, _("download “%s”"));
    }
  return out;
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
