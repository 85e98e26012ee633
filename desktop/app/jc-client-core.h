#pragma once

#include "jc-client.h"
#include "jc-client-node.h"

G_BEGIN_DECLS

/* The client interface over the client core of libjoconde (libjoconde/client): a real,
 * enrolled node profile with its link to the parent relay. Everything is the core's; this
 * only converts between the core's records and what the views show. Emits "changed" when
 * the node records news of a task (a task id), so that the window reloads and notifies. */

#define JC_TYPE_CLIENT_CORE (jc_client_core_get_type ())
G_DECLARE_FINAL_TYPE (JcClientCore, jc_client_core, JC, CLIENT_CORE, GObject)

/* Opens the profile DIR and starts its link (a node not reachable yet is not an error: the
 * link retries). Fails when DIR holds no profile. */
JcClientCore *jc_client_core_new      (const char *dir, GError **error);
JcClientNode *jc_client_core_get_node (JcClientCore *self);

/* TRUE when DIR holds a node profile made by the client core (node.key and profile.ini). */
gboolean      jc_client_core_is_profile (const char *dir);

/* The action this node's user owes on a task, from the node's roles, the state, the PAKs
 * this node made and what the task's agreement grants them (display-free; tested). */
JcTaskAction  jc_client_core_action_for (JcRoles roles, JcTaskState state, gboolean has_ctsa,
                                         gboolean has_received_paks, const JcCta *cta,
                                         GPtrArray *own_paks, char **key);

G_END_DECLS
