#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-actions.h"
#include "jc-client-tasks.h"
#include "jc-error.h"

/* `jocondectl status` and `jocondectl terminate`: where a task is, and ending it. */

typedef struct {
  const char *task_id;
  JcTaskState wanted;
} WaitState;

static gboolean
state_reached (JcClientNode *node, gpointer data, GError **error)
{
  WaitState *w = data;
  g_autoptr(JcClientTask) task = jc_client_tasks_get (jc_client_node_get_store (node), w->task_id, NULL);
  if (!task)
    return FALSE;
  if (jc_client_task_state_reached (task->state, w->wanted))
    return TRUE;
  if (task->state == JC_TASK_CANCELLED || task->state == JC_TASK_REJECTED)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE, _("Task %s was %s: %s"), w->task_id,
                   jc_task_state_to_string (task->state), task->event ? task->event : "");
      return FALSE;
    }
  return FALSE;
}

static void
print_json (JcClientTask *t)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
#define STR(name, value) \
  json_builder_set_member_name (b, name); \
  if (value) json_builder_add_string_value (b, value); else json_builder_add_null_value (b);
  STR ("task_id", t->task_id);
  STR ("title", t->title);
  STR ("state", jc_task_state_to_string (t->state));
  json_builder_set_member_name (b, "update_counter");
  json_builder_add_int_value (b, t->update_counter);
  STR ("event", t->event);
  STR ("ctsc_hash", t->ctsc_hash);
  STR ("cta_hash", t->cta_hash);
  STR ("updated", t->updated);
#undef STR
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, TRUE);
  printf ("%s\n", text);
}

int
jc_cli_status (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *wait = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the status as a JSON object"), NULL },
    { "wait", 'w', 0, G_OPTION_ARG_STRING, &wait,
      N_("Return once the task reaches STATE or a later one; fail if it is cancelled"), N_("STATE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("status", "",
    _("Shows the state of a task as this node knows it, after fetching what arrived."),
    _("States, in order: emerging (the agreement is being made), initialisation (agreed; the\n"
      "computation VMs start), input (waiting for the custodians' uploads), calculation,\n"
      "output (waiting for the analysts' downloads), finished, erased (past the retention\n"
      "time). A task may also end rejected or cancelled.\n\n"
      "--wait STATE waits until the task is in STATE or a later state, within --timeout\n"
      "seconds, and fails (exit status 1) on cancellation or timeout.\n\n"
      "Example:\n  jocondectl status --node nodes/nsi --task 3f2a… --wait input --timeout 120"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || argc != 1)
    return jc_cli_usage ("status", _("give the task with --task ID"));
  WaitState w = { task, JC_TASK_EMERGING };
  if (wait && !jc_task_state_from_string (wait, &w.wanted))
    return jc_cli_usage ("status", _("--wait takes a state: emerging, rejected, initialisation, "
                                     "input, calculation, output, finished, cancelled, erased"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "status", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (wait)
    {
      if (!jc_client_node_wait (node, NULL, state_reached, &w, jc_cli_timeout_ms (&opts), &error))
        return jc_cli_fail (error);
    }
  else if (!jc_client_node_sync (node, 300, jc_cli_timeout_ms (&opts), &error))
    {
      /* Offline: show what the node knows, say that it may be old. */
      g_printerr (_("jocondectl: warning: %s; showing what this node knew before\n"), error->message);
      g_clear_error (&error);
    }
  g_autoptr(JcClientTask) t = jc_client_tasks_get (jc_client_node_get_store (node), task, &error);
  if (!t)
    return jc_cli_fail (error);
  if (json)
    print_json (t);
  else
    {
      printf ("%s  %s\n", t->task_id, t->title ? t->title : "");
      printf (_("state:    %s\n"), jc_task_state_to_string (t->state));
      if (t->event)
        printf (_("event:    %s (update %" PRId64 ")\n"), t->event, t->update_counter);
      if (t->ctsc_hash)
        printf (_("CTSC:     %s\n"), t->ctsc_hash);
      if (t->cta_hash)
        printf (_("CTA:      %s\n"), t->cta_hash);
    }
  return 0;
}

int
jc_cli_terminate (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *reason = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason, N_("Why the task ends"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("terminate", "",
    _("Ends a task before its time (organiser's or SO approver's node)."),
    _("The root cancels the task and tells its peers and computing parties; the computation\n"
      "VMs stop and erase their data. This cannot be undone.\n\n"
      "Example:\n  jocondectl terminate --node nodes/nsi --task 3f2a… --reason \"wrong input period\""));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || !reason || argc != 1)
    return jc_cli_usage ("terminate", _("give --task ID and --reason TEXT"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "terminate", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 200, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autofree char *msg = jc_client_terminate (node, task, reason, &error);
  if (!msg || !jc_client_request_wait (node, task, msg, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  printf (_("Task %s terminated.\n"), task);
  return 0;
}
