#pragma once

#include "jc-client.h"

G_BEGIN_DECLS

/* The client of a node profile directory without its network part (see jc-client.h). What
 * it reads and writes in the profile:
 *   node-name                    this node's name (else the directory's name)
 *   tasks/<id>/ctsc.json         the task's CTSC document
 *   tasks/<id>/ctsa-*.json       its CTSAs
 *   tasks/<id>/status.json       {"state": "input", "action": "upload", "key": "population"}
 *   verified-peers               fingerprints (hex) this user compared out of band, one a line
 *   paks/<task id>/<n>.key       PAK private keys (mode 0600, libjoconde/keys)
 *   drafts/<time>.json           saved task drafts
 * A task folder that does not read is skipped with a warning, never fatal. */

#define JC_TYPE_CLIENT_LOCAL (jc_client_local_get_type ())
G_DECLARE_FINAL_TYPE (JcClientLocal, jc_client_local, JC, CLIENT_LOCAL, GObject)

JcClientLocal *jc_client_local_new (const char *profile_dir);

/* A task id is letters, digits and "-", 1 to 64 of them (a UUID is). */
gboolean       jc_task_id_is_valid (const char *task_id);

G_END_DECLS
