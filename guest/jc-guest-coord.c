#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-error.h"
#include "jc-guest-task-private.h"

/* How the three VMs agree (docs/guest.md "Agreement between the VMs"). Party 0 is the
 * coordinator: every VM tells it when it holds its share of an upload ("received"); once all
 * do, it decides "commit" (or "abort"), and it orders the engine runs ("run"). Each decision
 * goes to both counterparts over their control link, in one order (coord_lock), and is
 * applied locally in the same order, so the three slots and run queues never diverge.
 * Deadlines and cancels need no coordinator: each VM enforces them on its own and a cancel
 * from any VM cancels all. */

static char *
vote_key (const char *input, const char *upload_id)
{
  return g_strdup_printf ("%s\n%s", input, upload_id);
}

static void
apply_commit_locked (JcGuestTask *task, const char *input, const char *upload_id)
{
  Slot *s = g_hash_table_lookup (task->slots, input);

  if (s == NULL || g_strcmp0 (s->pending_id, upload_id) != 0 || s->pending == NULL)
    return;
  /* the earlier upload is replaced: its key is wiped, its file removed */
  g_clear_pointer (&s->blob, jc_guest_blob_unref);
  g_free (s->upload_id);
  s->blob = g_steal_pointer (&s->pending);
  s->upload_id = g_steal_pointer (&s->pending_id);
  s->dq_done = FALSE;
  g_clear_pointer (&s->dq_error, g_free);
  g_cond_broadcast (&task->cond);
}

static void
apply_abort_locked (JcGuestTask *task, const char *input, const char *upload_id)
{
  Slot *s = g_hash_table_lookup (task->slots, input);

  if (s == NULL || g_strcmp0 (s->pending_id, upload_id) != 0)
    return;
  g_clear_pointer (&s->pending, jc_guest_blob_unref);
  g_clear_pointer (&s->pending_id, g_free);
  g_cond_broadcast (&task->cond);
}

static gboolean
all_ready_locked (JcGuestTask *task)
{
  for (guint i = 0; i < task->slot_order->len; i++)
    {
      Slot *s = g_ptr_array_index (task->slot_order, i);
      if (s->blob == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Leader: an upload all VMs hold is committed, checked, and may start the calculation. */
static void
decide_commit (JcGuestTask *task, const char *input, const char *upload_id)
{
  g_autoptr(JsonNode) commit = jc_guest_message ("commit", "input", input, "upload_id", upload_id,
                                                 NULL);
  const JcInputSpec *spec = jc_ctsc_find_input (task->cta->ctsc, input);
  gboolean start;

  jc_guest_link_broadcast (task, commit);
  g_mutex_lock (&task->lock);
  apply_commit_locked (task, input, upload_id);
  if (spec->quality != NULL)
    jc_guest_run_enqueue_locked (task, RUN_QUALITY, input, upload_id);
  start = task->state == JC_GUEST_STATE_INPUT && all_ready_locked (task);
  if (start)
    {
      jc_guest_task_set_state_locked (task, JC_GUEST_STATE_CALCULATION);
      jc_guest_run_enqueue_locked (task, RUN_MAIN, NULL, NULL);
    }
  g_mutex_unlock (&task->lock);
  if (spec->quality != NULL)
    {
      g_autoptr(JsonNode) run = jc_guest_message ("run", "kind", "quality", "input", input,
                                                  "upload_id", upload_id, NULL);
      jc_guest_link_broadcast (task, run);
    }
  if (start)
    {
      g_autoptr(JsonNode) run = jc_guest_message ("run", "kind", "main", NULL);
      jc_guest_link_broadcast (task, run);
    }
}

static void
decide_abort (JcGuestTask *task, const char *input, const char *upload_id)
{
  g_autoptr(JsonNode) abort_msg = jc_guest_message ("abort", "input", input, "upload_id",
                                                    upload_id, NULL);
  g_autofree char *key = vote_key (input, upload_id);

  jc_guest_link_broadcast (task, abort_msg);
  g_mutex_lock (&task->lock);
  g_hash_table_remove (task->votes, key);
  apply_abort_locked (task, input, upload_id);
  g_mutex_unlock (&task->lock);
}

void
jc_guest_coord_received (JcGuestTask *task, guint from, const char *input, const char *upload_id)
{
  g_autofree char *key = vote_key (input, upload_id);
  guint all = (1u << task->n_parties) - 1, mask;
  gboolean complete;

  if (task->party != JC_GUEST_LEADER)
    {
      g_autoptr(JsonNode) msg = jc_guest_message ("received", "input", input, "upload_id",
                                                  upload_id, NULL);
      jc_guest_link_send (task, JC_GUEST_LEADER, msg, NULL);
      return;
    }
  g_mutex_lock (&task->coord_lock);
  g_mutex_lock (&task->lock);
  mask = GPOINTER_TO_UINT (g_hash_table_lookup (task->votes, key)) | (1u << from);
  complete = mask == all && task->state == JC_GUEST_STATE_INPUT;
  if (complete)
    g_hash_table_remove (task->votes, key);
  else
    g_hash_table_replace (task->votes, g_strdup (key), GUINT_TO_POINTER (mask));
  g_mutex_unlock (&task->lock);
  if (complete)
    decide_commit (task, input, upload_id);
  g_mutex_unlock (&task->coord_lock);
}

void
jc_guest_coord_failed (JcGuestTask *task, const char *input, const char *upload_id)
{
  if (task->party != JC_GUEST_LEADER)
    {
      g_autoptr(JsonNode) msg = jc_guest_message ("failed", "input", input, "upload_id",
                                                  upload_id, NULL);
      g_mutex_lock (&task->lock);
      apply_abort_locked (task, input, upload_id);
      g_mutex_unlock (&task->lock);
      jc_guest_link_send (task, JC_GUEST_LEADER, msg, NULL);
      return;
    }
  g_mutex_lock (&task->coord_lock);
  decide_abort (task, input, upload_id);
  g_mutex_unlock (&task->coord_lock);
}

void
jc_guest_coord_handle (JcGuestTask *task, guint from, JsonNode *message)
{
  JsonObject *o = json_node_get_object (message);
  const char *type = json_object_get_string_member_with_default (o, "type", "");
  const char *input = json_object_get_string_member_with_default (o, "input", "");
  const char *upload_id = json_object_get_string_member_with_default (o, "upload_id", "");
  gboolean from_leader = from == JC_GUEST_LEADER;

  if (g_strcmp0 (type, "cancel") == 0)
    {
      g_autofree char *reason = g_strdup_printf (
        _("Computing party %u's VM cancelled the task: %s"), from + 1,
        json_object_get_string_member_with_default (o, "reason", ""));
      jc_guest_task_cancel (task, reason, FALSE);
    }
  else if (g_strcmp0 (type, "received") == 0 && task->party == JC_GUEST_LEADER)
    jc_guest_coord_received (task, from, input, upload_id);
  else if (g_strcmp0 (type, "failed") == 0 && task->party == JC_GUEST_LEADER)
    jc_guest_coord_failed (task, input, upload_id);
  else if (g_strcmp0 (type, "commit") == 0 && from_leader)
    {
      g_mutex_lock (&task->lock);
      apply_commit_locked (task, input, upload_id);
      g_mutex_unlock (&task->lock);
    }
  else if (g_strcmp0 (type, "abort") == 0 && from_leader)
    {
      g_mutex_lock (&task->lock);
      apply_abort_locked (task, input, upload_id);
      g_mutex_unlock (&task->lock);
    }
  else if (g_strcmp0 (type, "run") == 0 && from_leader)
    {
      const char *kind = json_object_get_string_member_with_default (o, "kind", "");
      g_mutex_lock (&task->lock);
      if (g_strcmp0 (kind, "quality") == 0)
        jc_guest_run_enqueue_locked (task, RUN_QUALITY, input, upload_id);
      else if (g_strcmp0 (kind, "main") == 0 && task->state == JC_GUEST_STATE_INPUT)
        {
          jc_guest_task_set_state_locked (task, JC_GUEST_STATE_CALCULATION);
          jc_guest_run_enqueue_locked (task, RUN_MAIN, NULL, NULL);
        }
      g_mutex_unlock (&task->lock);
    }
  else
    jc_guest_task_log (task, JC_LOG_WARNING, "link-unexpected", NULL,
                       "unexpected message “%s” from computing party %u's VM", type, from + 1);
}
