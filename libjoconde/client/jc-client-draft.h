#pragma once

#include <json-glib/json-glib.h>

#include "jc-store.h"

G_BEGIN_DECLS

/* A task draft (docs/task-format.md) becomes a CTSC: node names become parties with their
 * certificate chains from the node's trusted view of peers, attachment files are read
 * (relative to the draft's folder), and the result passes the model's checks. Any unknown
 * node, unreadable file or invalid field fails with the field named. */
JsonNode *jc_client_draft_to_ctsc      (JcStore *store, JsonNode *draft, const char *base_dir,
                                        GError **error);
JsonNode *jc_client_draft_load_ctsc    (JcStore *store, const char *path, GError **error);

G_END_DECLS
