#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-net-cert-request.h"
#include "jc-net-client.h"
#include "jc-net-link.h"
#include "jc-net-sqlite-private.h"
#include "jc-net-tls.h"
#include "jc-cert.h"
#include "jc-node-key.h"
#include "jc-revocation-request.h"
#include "jc-rotation.h"
#include "jc-store.h"
#include "jc-uuid.h"

struct _JcNetClient {
  GObject      parent_instance;
  JcStore     *store;
  sqlite3     *db;      /* borrowed from store */
  JcNetLink   *link;
  char        *node_id;
  guint64      duplicates;  /* resent copies recognised and not delivered again */
  char        *cert_file;
  char        *key_file;
  GPtrArray   *issued;      /* chains (PEM) received in cert.issued, to install */
  guint        install_id;
  guint        rotate_timer;
};

G_DEFINE_FINAL_TYPE (JcNetClient, jc_net_client, G_TYPE_OBJECT)

enum { SIG_MESSAGE, SIG_REFUSED, SIG_CONNECTED, SIG_ROTATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const JcStoreMigration schema[] = {
  { 1,
  "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  msg_id TEXT NOT NULL UNIQUE, recipients TEXT NOT NULL, envelope TEXT NOT NULL,"
  "  queued INTEGER NOT NULL);"
  "CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  msg_id TEXT NOT NULL UNIQUE, origin TEXT NOT NULL, topic TEXT NOT NULL,"
  "  envelope TEXT NOT NULL, received INTEGER NOT NULL);"
  "CREATE TABLE refused (msg_id TEXT PRIMARY KEY, code TEXT NOT NULL, reason TEXT NOT NULL,"
  "  envelope TEXT, at INTEGER NOT NULL);" },
};

static GPtrArray *
store_pending (gpointer d, gint64 after, guint limit)
{
  JcNetClient *self = d;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_net_pending_free);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "SELECT seq, msg_id, recipients, envelope FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
    &error);
  if (!st)
    {
      g_warning ("%s", error->message);
      return rows;
    }
  sqlite3_bind_int64 (st, 1, after);
  sqlite3_bind_int (st, 2, (int) limit);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (rows, jc_net_pending_new_from_row (st));
  return rows;
}

static gboolean
delete_acked (JcNetClient *self, GArray *seqs, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "DELETE FROM outbox WHERE seq = ?", error);
  if (!st || !jc_net_sqlite_begin (self->db, error))
    return FALSE;
  for (guint i = 0; i < seqs->len; i++)
    {
      sqlite3_bind_int64 (st, 1, g_array_index (seqs, gint64, i));
      sqlite3_step (st);
      sqlite3_reset (st);
    }
  return jc_net_sqlite_commit (self->db, error);
}

static void
store_acked (gpointer d, GArray *seqs)
{
  g_autoptr(GError) error = NULL;
  /* Losing an acknowledgement costs only a resend, which the parent ignores. */
  if (!delete_acked (d, seqs, &error))
    g_warning ("cannot record acknowledgements: %s", error->message);
}

static void
store_refused (gpointer d, gint64 seq, const char *id, const char *code, const char *reason)
{
  JcNetClient *self = d;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "INSERT OR REPLACE INTO refused (msg_id, code, reason, envelope, at) "
    "SELECT msg_id, ?, ?, envelope, ? FROM outbox WHERE seq = ?", NULL);
  g_message ("the parent refused message %s (%s): %s", id, code, reason);
  if (st)
    {
      sqlite3_bind_text (st, 1, code, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, reason, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 3, jc_time_now ());
      sqlite3_bind_int64 (st, 4, seq);
      sqlite3_step (st);
    }
  g_signal_emit (self, signals[SIG_REFUSED], 0, id, code, reason);
}

static gboolean
insert_incoming (JcNetClient *self, GPtrArray *incoming, GPtrArray *fresh, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "INSERT OR IGNORE INTO inbox (msg_id, origin, topic, envelope, received) VALUES (?,?,?,?,?)",
    error);
  if (!st)
    return FALSE;
  for (guint i = 0; i < incoming->len; i++)
    {
      JcNetIncoming *in = incoming->pdata[i];
      JcNetEnvelope *env = in->frame->envelope;
      if (!g_strv_contains ((const char *const *) in->frame->to, self->node_id))
        {
          g_set_error (&in->refusal, JC_ERROR, JC_ERROR_INVALID,
                       _("Message %s is not addressed to node %s"), env->id, self->node_id);
          continue;
        }
      sqlite3_bind_text (st, 1, env->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, env->from, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 3, env->topic, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 4, env->text, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 5, jc_time_now ());
      if (sqlite3_step (st) != SQLITE_DONE)
        return jc_net_sqlite_fail (self->db, error);
      /* A resend of something already committed changes nothing. */
      if (sqlite3_changes (self->db) == 1)
        g_ptr_array_add (fresh, env);
      else
        self->duplicates++;
      sqlite3_reset (st);
    }
  return TRUE;
}

static char *
new_path (const char *path)
{
  return g_strconcat (path, ".new", NULL);
}

/* Finishes a rotation: the new certificate must be for the new key and this node; it is
 * written beside the old one, then key and certificate replace the old files. A crash
 * between the steps is completed at the next start (finish_rotation). */
static gboolean
install_chain (JcNetClient *self, const char *pem, GError **error)
{
  g_autofree char *key_new = new_path (self->key_file);
  g_autofree char *cert_new = new_path (self->cert_file);
  g_autoptr(JcNodeKey) key = jc_node_key_load_file (key_new, NULL, error);
  if (!key)
    return FALSE;
  g_autoptr(GPtrArray) chain = jc_cert_list_new_from_pem (pem, -1, error);
  if (!chain)
    return FALSE;
  JcCert *leaf = chain->pdata[0];
  if (g_strcmp0 (jc_cert_get_key_id (leaf), jc_node_key_get_id (key)) != 0 ||
      g_strcmp0 (jc_cert_get_name (leaf), self->node_id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The certificate the parent sent is not for this node's new key"));
      return FALSE;
    }
  if (!g_file_set_contents_full (cert_new, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  if (g_rename (key_new, self->key_file) != 0 || g_rename (cert_new, self->cert_file) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot install the new certificate: %s"),
                   g_strerror (errno));
      return FALSE;
    }
  g_autoptr(GTlsCertificate) identity = jc_net_tls_load_identity (self->cert_file, self->key_file,
                                                                 error);
  return identity && jc_net_link_set_identity (self->link, identity, error);
}

static gboolean
install_issued (gpointer data)
{
  JcNetClient *self = data;
  self->install_id = 0;
  g_autoptr(GPtrArray) issued = g_steal_pointer (&self->issued);
  self->issued = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < issued->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *key_new = new_path (self->key_file);
      if (!g_file_test (key_new, G_FILE_TEST_EXISTS))
        continue; /* a copy of an answer already installed */
      if (install_chain (self, issued->pdata[i], &error))
        {
          g_message ("node %s: certificate rotated", self->node_id);
          g_signal_emit (self, signals[SIG_ROTATED], 0);
        }
      else
        g_message ("node %s: the rotated certificate was not installed: %s", self->node_id,
                   error->message);
    }
  return G_SOURCE_REMOVE;
}

/* A crash after the new key was moved into place but before the certificate was. */
static void
finish_rotation (const char *cert_file, const char *key_file)
{
  g_autofree char *key_new = new_path (key_file);
  g_autofree char *cert_new = new_path (cert_file);
  if (!g_file_test (cert_new, G_FILE_TEST_EXISTS))
    return;
  if (g_file_test (key_new, G_FILE_TEST_EXISTS))
    g_rename (key_new, key_file);
  g_rename (cert_new, cert_file);
}

gboolean
jc_net_client_rotate (JcNetClient *self, GError **error)
{
  g_autofree char *key_new = new_path (self->key_file);
  g_autoptr(JcNodeKey) previous = jc_node_key_load_file (self->key_file, NULL, error);
  g_autoptr(GPtrArray) chain = previous ? jc_cert_list_new_from_file (self->cert_file, error) : NULL;
  if (!chain)
    return FALSE;
  g_autoptr(JcNodeKey) key = NULL;
  /* A rotation already under way keeps its key: its answer may still come. */
  if (g_file_test (key_new, G_FILE_TEST_EXISTS))
    key = jc_node_key_load_file (key_new, NULL, error);
  else if ((key = jc_node_key_generate (error)) &&
           !jc_node_key_save_file (key, key_new, NULL, error))
    return FALSE;
  if (!key)
    return FALSE;
  g_autoptr(JcRotationRequest) req = jc_rotation_request_new (previous, chain->pdata[0], key, error);
  if (!req)
    return FALSE;
  g_autofree char *json = jc_rotation_request_to_json (req);
  g_autoptr(JsonNode) body = jc_net_cert_request_body_new (json);
  const char *to[] = { JC_NET_ADDRESS_PARENT, NULL };
  return jc_net_client_send (self, to, "cert.rotate", body, NULL, error);
}

gboolean
jc_net_client_request_revocation (JcNetClient *self, const char *reason, GError **error)
{
  g_autoptr(JcNodeKey) key = jc_node_key_load_file (self->key_file, NULL, error);
  g_autoptr(GPtrArray) chain = key ? jc_cert_list_new_from_file (self->cert_file, error) : NULL;
  if (!chain)
    return FALSE;
  g_autoptr(JcRevocationRequest) req = jc_revocation_request_new (key, chain->pdata[0], reason,
                                                                  jc_time_now (), error);
  if (!req)
    return FALSE;
  g_autofree char *json = jc_revocation_request_to_json (req);
  g_autoptr(JsonNode) body = jc_net_cert_request_body_new (json);
  const char *to[] = { JC_NET_ADDRESS_ROOT, NULL };
  return jc_net_client_send (self, to, "cert.revoke", body, NULL, error);
}

/* Rotates by itself when the certificate is past its active period (§4.4.2.3). */
static gboolean
rotate_if_due (gpointer data)
{
  JcNetClient *self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_new = new_path (self->key_file);
  g_autoptr(GPtrArray) chain = jc_cert_list_new_from_file (self->cert_file, NULL);
  if (chain && chain->len > 0 && !jc_cert_is_active_at (chain->pdata[0], jc_time_now ()) &&
      !g_file_test (key_new, G_FILE_TEST_EXISTS) && !jc_net_client_rotate (self, &error))
    g_message ("node %s: cannot start the certificate rotation: %s", self->node_id,
               error->message);
  return G_SOURCE_CONTINUE;
}

/* task.erased (docs/wire.md §5.3): the inbox copies of the task's messages are erased,
 * the notice itself kept. Believed only from the node that announced the task
 * (task.created), i.e. the root: relays vouch for every origin. */
static gboolean
erase_task (JcNetClient *self, JcNetEnvelope *env, GError **error)
{
  const char *task_id = JSON_NODE_HOLDS_OBJECT (env->body)
    ? json_object_get_string_member_with_default (json_node_get_object (env->body), "task_id", NULL)
    : NULL;
  if (!task_id || !jc_uuid_is_v4 (task_id))
    return TRUE;
  g_autoptr(sqlite3_stmt) who = jc_net_sqlite_prepare (self->db,
    "SELECT 1 FROM inbox WHERE topic = 'task.created' AND origin = ? AND instr(envelope, ?) > 0",
    error);
  if (!who)
    return FALSE;
  sqlite3_bind_text (who, 1, env->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (who, 2, task_id, -1, SQLITE_STATIC);
  if (sqlite3_step (who) != SQLITE_ROW)
    return TRUE;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "UPDATE inbox SET envelope = '' WHERE instr(envelope, ?) > 0 AND msg_id <> ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, env->id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (self->db, error);
  return TRUE;
}

static gboolean
store_receive (gpointer d, GPtrArray *incoming, GError **error)
{
  JcNetClient *self = d;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  if (!jc_net_sqlite_begin (self->db, error))
    return FALSE;
  if (!insert_incoming (self, incoming, fresh, error))
    {
      jc_net_sqlite_rollback (self->db);
      return FALSE;
    }
  for (guint i = 0; i < fresh->len; i++)
    if (g_strcmp0 (((JcNetEnvelope *) fresh->pdata[i])->topic, "task.erased") == 0 &&
        !erase_task (self, fresh->pdata[i], error))
      {
        jc_net_sqlite_rollback (self->db);
        return FALSE;
      }
  if (!jc_net_sqlite_commit (self->db, error))
    return FALSE;
  for (guint i = 0; i < fresh->len; i++)
    {
      JcNetEnvelope *env = fresh->pdata[i];
      /* A relay further up refused one of our messages (docs/wire.md, jc.refused). */
      if (g_strcmp0 (env->topic, "jc.refused") == 0 && JSON_NODE_HOLDS_OBJECT (env->body))
        {
          JsonObject *o = json_node_get_object (env->body);
          g_signal_emit (self, signals[SIG_REFUSED], 0,
                         json_object_get_string_member_with_default (o, "id", ""),
                         json_object_get_string_member_with_default (o, "code", "failed"),
                         json_object_get_string_member_with_default (o, "reason", ""));
        }
      /* Only the parent issues our certificates (relays check every origin). */
      if (g_strcmp0 (env->topic, "cert.issued") == 0 && JSON_NODE_HOLDS_OBJECT (env->body) &&
          g_strcmp0 (env->from, jc_net_link_get_parent_id (self->link)) == 0)
        {
          const char *chain = json_object_get_string_member_with_default (
            json_node_get_object (env->body), "chain", NULL);
          if (chain)
            {
              g_ptr_array_add (self->issued, g_strdup (chain));
              /* Installed from an idle: we are inside the link's receive. */
              if (!self->install_id)
                self->install_id = g_idle_add (install_issued, self);
            }
        }
      g_signal_emit (self, signals[SIG_MESSAGE], 0, env);
    }
  return TRUE;
}

static void
link_closed (gpointer d)
{
}

static const JcNetChannelHandler store_handler = {
  store_pending, store_acked, store_refused, store_receive, link_closed,
};

static void
on_state (gpointer d, gboolean connected, const GError *error)
{
  JcNetClient *self = d;
  g_signal_emit (self, signals[SIG_CONNECTED], 0, connected);
}

static void
jc_net_client_finalize (GObject *object)
{
  JcNetClient *self = JC_NET_CLIENT (object);
  if (self->install_id)
    g_source_remove (self->install_id);
  if (self->rotate_timer)
    g_source_remove (self->rotate_timer);
  g_clear_pointer (&self->link, jc_net_link_free);
  g_clear_object (&self->store);
  g_clear_pointer (&self->issued, g_ptr_array_unref);
  g_free (self->node_id);
  g_free (self->cert_file);
  g_free (self->key_file);
  G_OBJECT_CLASS (jc_net_client_parent_class)->finalize (object);
}

static void
jc_net_client_class_init (JcNetClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_net_client_finalize;
  /* message (const JcNetEnvelope *): committed to the inbox, emitted once. */
  signals[SIG_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* refused (id, code, reason): the parent refused a message for good. */
  signals[SIG_REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                       G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIG_CONNECTED] = g_signal_new ("connection-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* rotated: a new certificate from the parent is installed and in use. */
  signals[SIG_ROTATED] = g_signal_new ("rotated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jc_net_client_init (JcNetClient *self)
{
  self->issued = g_ptr_array_new_with_free_func (g_free);
}

JcNetClient *
jc_net_client_new (const JcNetClientOptions *o, GError **error)
{
  g_autoptr(JcNetClient) self = g_object_new (JC_TYPE_NET_CLIENT, NULL);
  finish_rotation (o->cert_file, o->key_file);
  self->cert_file = g_strdup (o->cert_file);
  self->key_file = g_strdup (o->key_file);
  g_autoptr(GTlsCertificate) identity = jc_net_tls_load_identity (o->cert_file, o->key_file, error);
  if (!identity)
    return NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GTlsDatabase) trust = g_tls_file_database_new (o->ca_file, &local);
  if (!trust)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot load the root CA %s: %s"),
                   o->ca_file, local->message);
      return NULL;
    }
  if (!(self->store = jc_store_open (o->db_path, schema, G_N_ELEMENTS (schema), error)))
    return NULL;
  self->db = jc_store_get_db (self->store);
  JcNetLinkConfig cfg = {
    .url = o->parent_url, .identity = identity, .trust = trust,
    .reconnect_min_ms = o->reconnect_min_ms, .reconnect_max_ms = o->reconnect_max_ms,
    .window = o->window,
  };
  if (!(self->link = jc_net_link_new (&cfg, &store_handler, on_state, self, error)))
    return NULL;
  self->node_id = g_strdup (jc_net_link_get_node_id (self->link));
  if (!jc_net_node_id_valid (self->node_id))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The node name %s in the certificate is not a valid node id"), self->node_id);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
jc_net_client_start (JcNetClient *self)
{
  jc_net_link_start (self->link);
  if (!self->rotate_timer)
    {
      rotate_if_due (self);
      self->rotate_timer = g_timeout_add_seconds (6 * 3600, rotate_if_due, self);
    }
}

const char *
jc_net_client_get_node_id (JcNetClient *self)
{
  return self->node_id;
}

gboolean
jc_net_client_is_connected (JcNetClient *self)
{
  return jc_net_link_is_connected (self->link);
}

gboolean
jc_net_client_send (JcNetClient *self, const char *const *to, const char *topic,
                    JsonNode *body, char **out_id, GError **error)
{
  for (guint i = 0; to && to[i]; i++)
    if (!jc_net_address_valid (to[i]))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("%s is not a valid node address"), to[i]);
        return FALSE;
      }
  if (!to || !to[0])
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("A message needs at least one recipient"));
      return FALSE;
    }
  g_autoptr(JcNetEnvelope) env = jc_net_envelope_new (self->node_id, to, topic, body);
  g_autofree char *recipients = g_strjoinv (" ", (char **) to);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "INSERT INTO outbox (msg_id, recipients, envelope, queued) VALUES (?,?,?,?)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, env->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, recipients, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, env->text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (self->db, error);
  if (out_id)
    *out_id = g_strdup (env->id);
  jc_net_link_kick (self->link);
  return TRUE;
}

static gint64
count (sqlite3 *db, const char *sql)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (db, sql, NULL);
  return st && sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : -1;
}

gint64
jc_net_client_outbox_count (JcNetClient *self)
{
  return count (self->db, "SELECT count(*) FROM outbox");
}

gint64
jc_net_client_inbox_count (JcNetClient *self)
{
  return count (self->db, "SELECT count(*) FROM inbox");
}

/* Envelopes (JcNetEnvelope) in the inbox after seq, oldest first. */
GPtrArray *
jc_net_client_inbox_list (JcNetClient *self, gint64 after_seq, guint limit, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (self->db,
    "SELECT envelope FROM inbox WHERE seq > ? AND envelope <> '' ORDER BY seq LIMIT ?", error);
  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, after_seq);
  sqlite3_bind_int (st, 2, (int) limit);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_net_envelope_free);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      JcNetEnvelope *env = jc_net_envelope_parse ((const char *) sqlite3_column_text (st, 0),
                                                  G_MAXSIZE, NULL);
      if (env)
        g_ptr_array_add (out, env);
    }
  return out;
}

guint64
jc_net_client_get_duplicates_suppressed (JcNetClient *self)
{
  return self->duplicates;
}
