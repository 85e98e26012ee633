#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jc-cli.h"
#include "jc-client-actions.h"
#include "jc-client-peers.h"
#include "jc-doc.h"

/* `jocondectl task draft FILE`: the Task Organiser registers a new task. */

/* ADR-5: the nodes of a task that this node's user has not compared out of band are
 * named, so that the organiser knows what the task relies on. */
static void
warn_unverified (JcClientNode *node, const char *draft_path)
{
  g_autoptr(JsonNode) draft = jc_doc_read_file (draft_path, NULL, NULL);
  if (!draft || !JSON_NODE_HOLDS_OBJECT (draft))
    return;
  g_autoptr(GString) names = g_string_new (NULL);
  const char *members[] = { "computing_parties", "peers" };
  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (draft), members[m]);
      if (!list || !JSON_NODE_HOLDS_ARRAY (list))
        continue;
      JsonArray *a = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            continue;
          g_autoptr(JcClientPeer) p = jc_client_peers_get (jc_client_node_get_store (node),
                                                           json_node_get_string (e), NULL);
          if (p && !p->verified)
            g_string_append_printf (names, "%s%s", names->len ? ", " : "", p->name);
        }
    }
  if (names->len)
    g_printerr (_("jocondectl: note: not verified out of band (jocondectl peers verify): %s\n"),
                names->str);
}

static int
task_draft (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
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
  warn_unverified (node, argv[1]);
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
