#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "base/jc-error.h"
#include "jc-net-sqlite-private.h"
#include "jc-store.h"
#include "jc-relay-private.h"

/* Schema steps: index i moves user_version from i to i+1. Never edit a step that
 * has shipped; add a new one. */
static const JcStoreMigration schema[] = {
  { 1,
  /* messages: the copy of everything that passed through (§4.4.1.5). */
  "CREATE TABLE messages (id TEXT PRIMARY KEY, origin TEXT NOT NULL, topic TEXT NOT NULL,"
  "  envelope TEXT NOT NULL, from_link TEXT, received INTEGER NOT NULL);"
  /* deliveries: which recipients of a message this relay has taken charge of;
   * the key of exactly-once. */
  "CREATE TABLE deliveries (msg_id TEXT NOT NULL REFERENCES messages(id),"
  "  recipient TEXT NOT NULL, PRIMARY KEY (msg_id, recipient)) WITHOUT ROWID;"
  "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, link TEXT NOT NULL,"
  "  msg_id TEXT NOT NULL REFERENCES messages(id), recipients TEXT NOT NULL);"
  "CREATE INDEX outbox_link ON outbox (link, seq);"
  "CREATE INDEX outbox_msg ON outbox (msg_id);"
  /* parked: recipients with no known route yet. */
  "CREATE TABLE parked (msg_id TEXT NOT NULL REFERENCES messages(id), recipient TEXT NOT NULL,"
  "  PRIMARY KEY (msg_id, recipient));"
  "CREATE INDEX parked_recipient ON parked (recipient);"
  /* inbox: messages for this relay itself. */
  "CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  msg_id TEXT NOT NULL REFERENCES messages(id), recipient TEXT NOT NULL,"
  "  received INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, UNIQUE (msg_id, recipient));"
  /* routes: which child link leads to a node of the subtree. */
  "CREATE TABLE routes (node TEXT PRIMARY KEY, link TEXT NOT NULL, updated INTEGER NOT NULL);"
  "CREATE TABLE children (node TEXT PRIMARY KEY, certificate TEXT NOT NULL,"
  "  serial TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
  "CREATE TABLE revoked (serial TEXT PRIMARY KEY, node TEXT, reason TEXT NOT NULL,"
  "  at INTEGER NOT NULL);" },
  /* The certificate of each routed node, for admission by the origin's roles. */
  { 2, "ALTER TABLE routes ADD COLUMN certificate TEXT;" },
  /* Certificate requests of children, received out of band (csr add). */
  { 3, "CREATE TABLE csrs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
       "  pem TEXT NOT NULL, key_id TEXT NOT NULL UNIQUE, requested_roles TEXT NOT NULL,"
       "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','approved','rejected')),"
       "  granted_roles TEXT, reason TEXT, serial TEXT, received INTEGER NOT NULL, decided INTEGER);" },
  /* The task lifecycle at the root (§4.4.1.1, Appendix B.2). */
  { 4, "CREATE TABLE tasks (task_id TEXT PRIMARY KEY, state TEXT NOT NULL, ctsc TEXT NOT NULL,"
       "  ctsc_hash TEXT NOT NULL, organiser TEXT NOT NULL, approval_deadline INTEGER NOT NULL,"
       "  output_deadline INTEGER NOT NULL, update_counter INTEGER NOT NULL,"
       "  created INTEGER NOT NULL, finalised INTEGER, cta TEXT);"
       "CREATE TABLE ctsas (task_id TEXT NOT NULL REFERENCES tasks(task_id), peer INTEGER NOT NULL,"
       "  ctsa TEXT NOT NULL, ctsa_hash TEXT NOT NULL, signature TEXT NOT NULL,"
       "  status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')), reason TEXT,"
       "  updated INTEGER NOT NULL, PRIMARY KEY (task_id, peer));"
       "CREATE TABLE signatory_signatures (task_id TEXT NOT NULL, peer INTEGER NOT NULL,"
       "  signatory INTEGER NOT NULL, document TEXT NOT NULL,"
       "  PRIMARY KEY (task_id, peer, signatory),"
       "  FOREIGN KEY (task_id, peer) REFERENCES ctsas (task_id, peer));" },
  /* E-mail notices waiting for the mail command. */
  { 5, "CREATE TABLE mail (id INTEGER PRIMARY KEY AUTOINCREMENT, recipients TEXT NOT NULL,"
       "  subject TEXT NOT NULL, body TEXT NOT NULL, queued INTEGER NOT NULL,"
       "  attempts INTEGER NOT NULL);" },
  /* Addresses of a task's VMs, reported by the computing parties (§4.4.6). */
  { 6, "CREATE TABLE vm_addresses (task_id TEXT NOT NULL REFERENCES tasks(task_id),"
       "  cp INTEGER NOT NULL, address TEXT NOT NULL, updated INTEGER NOT NULL,"
       "  PRIMARY KEY (task_id, cp));" },
  /* Data retention (§4.4.1.1 "Erased"): messages know their task; erased tasks leave a
   * tombstone. */
  { 7, "ALTER TABLE messages ADD COLUMN task_id TEXT;"
       "CREATE INDEX messages_task ON messages (task_id);"
       "ALTER TABLE tasks ADD COLUMN ended INTEGER;"
       "CREATE TABLE tombstones (task_id TEXT PRIMARY KEY, state TEXT NOT NULL,"
       "  created INTEGER, ended INTEGER, erased INTEGER NOT NULL);" },
  /* Requests from the administration commands to the running relay. */
  { 8, "CREATE TABLE requests (name TEXT PRIMARY KEY, at INTEGER NOT NULL);" },
  /* The key of a revoked certificate, when known: the root publishes revoked keys. */
  { 9, "ALTER TABLE revoked ADD COLUMN key_id TEXT;" },
};

gboolean
jc_relay_db_open (JcRelay *relay, GError **error)
{
  if (g_mkdir_with_parents (relay->config->state_dir, 0700) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the state directory %s: %s"),
                   relay->config->state_dir, g_strerror (errno));
      return FALSE;
    }
  g_autofree char *path = g_build_filename (relay->config->state_dir, "relay.db", NULL);
  relay->store = jc_store_open (path, schema, G_N_ELEMENTS (schema), error);
  if (!relay->store)
    return FALSE;
  relay->db = jc_store_get_db (relay->store);
  /* The store commits with synchronous=FULL; 'normal' trades power-loss safety for speed. */
  return relay->config->synchronous_full ||
         jc_store_exec (relay->store, "PRAGMA synchronous = NORMAL", error);
}
