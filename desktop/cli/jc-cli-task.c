#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-actions.h"

/* `jocondectl task draft FILE`: the Task Organiser registers a new task. */

static int
task_draft (int argc, char **argv)
{
  JcCliNodeOptions opts = { 0 };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("task draft", _("FILE"),
    _("Registers a new computation task from a draft file and prints its id."),
    _("FILE is a task draft (JSON; format and a full example in docs/task-format.md): title,\n"
      "description, engine, tee, deadlines, computing parties and peers by node name, inputs\n"
      "and outputs with their schemas, the algorithm and attachments. Node names are looked\n"
      "up in this node's view of peers (jocondectl peers); an unknown name is refused.\n\n"
      "The node must be one of the peers (the organiser's node of its organisation). The\n"
      "task's CTSC goes to the root, which registers it and answers with the task's UUID,\n"
      "printed on standard output. Exit status 1 when the draft or the root refuses.\n\n"
      "Example:\n  jocondectl task draft --node nodes/nsi examples/subscription-rates/task.json"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, NULL);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return jc_cli_usage ("task draft", _("give exactly one draft FILE"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "task draft", &status);
  if (!node)
    return status;
  GError *error = NULL;
  g_autofree char *msg = jc_client_submit_draft (node, argv[1], &error);
  if (!msg)
    return jc_cli_fail (error);
  g_autofree char *task_id = jc_client_submit_draft_wait (node, msg, jc_cli_timeout_ms (&opts), &error);
  if (!task_id)
    return jc_cli_fail (error);
  printf ("%s\n", task_id);
  return 0;
}

static const JcCliCommand commands[] = {
  { "draft", N_("Register a new task from a draft file; prints its id"), task_draft },
  { NULL, NULL, NULL },
};

int
jc_cli_task (int argc, char **argv)
{
  return jc_cli_dispatch ("task", _("Computation tasks: drafting."), commands, argc, argv);
}
