#pragma once

#include <glib.h>

#include "jc-store.h"

G_BEGIN_DECLS

/* The SQLite store of a client node (node.db in the profile): what the node has seen of
 * its tasks, its trusted view of peers, PAKs, the requests it sent and their outcome. */

JcStore *jc_client_store_open      (const char *path, GError **error);
/* A small key/value table for cursors and settings. */
char    *jc_client_store_get_meta  (JcStore *store, const char *key);
gboolean jc_client_store_set_meta  (JcStore *store, const char *key, const char *value,
                                    GError **error);

/* Requests this node sent (message id → topic, task) and how they ended. */
typedef struct {
  char *msg_id;
  char *topic;
  char *task_id;   /* or NULL */
  char *code;      /* NULL while not refused */
  char *reason;
  gint64 counter;  /* the task's update counter when the request was sent */
} JcClientRequest;

gboolean         jc_client_request_add     (JcStore *store, const char *msg_id, const char *topic,
                                            const char *task_id, GError **error);
gboolean         jc_client_request_refused (JcStore *store, const char *msg_id, const char *code,
                                            const char *reason, GError **error);
JcClientRequest *jc_client_request_get     (JcStore *store, const char *msg_id);
void             jc_client_request_free    (JcClientRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcClientRequest, jc_client_request_free)

G_END_DECLS
