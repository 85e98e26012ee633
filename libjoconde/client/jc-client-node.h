#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "jc-client-profile.h"
#include "jc-store.h"

G_BEGIN_DECLS

/* A client node at work: its profile and its link to the parent relay (libjoconde/net).
 * Every message received is recorded in the profile's store once (tasks, their states,
 * CTAs, PAK registrations, refusals) and announced with the "task-changed" signal; requests
 * sent are tracked so that a refusal by the root reaches the user who made it.
 *
 * Everything runs on the thread-default main context of the caller of
 * jc_client_node_open. An app connects and waits with jc_client_node_wait_async; the
 * command line uses the blocking jc_client_node_wait. */

#define JC_TYPE_CLIENT_NODE (jc_client_node_get_type ())
G_DECLARE_FINAL_TYPE (JcClientNode, jc_client_node, JC, CLIENT_NODE, GObject)

JcClientNode    *jc_client_node_open        (const char *dir, GError **error);
JcClientProfile *jc_client_node_get_profile (JcClientNode *self);
JcStore         *jc_client_node_get_store   (JcClientNode *self);
const char      *jc_client_node_get_name    (JcClientNode *self);

/* Starts the link to the parent (once); fails when the node is not enrolled. */
gboolean jc_client_node_connect       (JcClientNode *self, GError **error);
gboolean jc_client_node_is_connected  (JcClientNode *self);
/* Records what the link's inbox holds and this node has not recorded yet. */
gboolean jc_client_node_process_inbox (JcClientNode *self, GError **error);
/* Queues a message durably (it is sent whenever the link is up) and tracks it as a
 * request about TASK_ID (may be NULL). */
gboolean jc_client_node_send          (JcClientNode *self, const char *const *to, const char *topic,
                                       JsonNode *body, const char *task_id, char **msg_id,
                                       GError **error);
gint64   jc_client_node_outbox_count  (JcClientNode *self);

/* A condition to wait for: TRUE when reached; FALSE with ERROR set to give up. */
typedef gboolean (*JcClientNodeDoneFunc) (JcClientNode *self, gpointer data, GError **error);

/* Waits until DONE says so, the root refuses REQUEST (a message id; may be NULL), or
 * TIMEOUT_MS pass (then fails with JC_ERROR_EXPIRED). Connects first. */
void     jc_client_node_wait_async    (JcClientNode *self, const char *request,
                                       JcClientNodeDoneFunc done, gpointer data, guint timeout_ms,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean jc_client_node_wait_finish   (JcClientNode *self, GAsyncResult *result, GError **error);
/* The same, blocking: iterates the thread-default main context until done. */
gboolean jc_client_node_wait          (JcClientNode *self, const char *request,
                                       JcClientNodeDoneFunc done, gpointer data, guint timeout_ms,
                                       GError **error);
/* Connects, and waits until the outbox is delivered and nothing new has arrived for
 * QUIET_MS (at most TIMEOUT_MS): what a command does to be up to date. */
gboolean jc_client_node_sync          (JcClientNode *self, guint quiet_ms, guint timeout_ms,
                                       GError **error);

/* Converts the code of a refusal on the wire (docs/wire.md §3.2) to a JC_ERROR code. */
int      jc_client_refusal_code       (const char *code);

G_END_DECLS
