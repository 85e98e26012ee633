#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-net-client.h"
#include "jc-net-link.h"
#include "jc-net-sqlite-private.h"
#include "jc-net-tls.h"
#include "jc-store.h"

struct _JcNetClient {
  GObject      parent_instance;
  JcStore     *store;
  sqlite3     *db;      /* borrowed from store */
  JcNetLink   *link;
  char        *node_id;
  guint64      duplicates;  /* resent copies recognised and not delivered again */
};

G_DEFINE_FINAL_TYPE (JcNetClient, jc_net_client, G_TYPE_OBJECT)

enum { SIG_MESSAGE, SIG_REFUSED, SIG_CONNECTED, N_SIGNALS };
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
    {
      JcNetPending *p = g_new0 (JcNetPending, 1);
      p->seq = sqlite3_column_int64 (st, 0);
      p->id = g_strdup ((const char *) sqlite3_column_text (st, 1));
      p->to = g_strsplit ((const char *) sqlite3_column_text (st, 2), " ", -1);
      p->envelope_text = g_strdup ((const char *) sqlite3_column_text (st, 3));
      g_ptr_array_add (rows, p);
    }
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
  g_clear_pointer (&self->link, jc_net_link_free);
  g_clear_object (&self->store);
  g_free (self->node_id);
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
}

static void
jc_net_client_init (JcNetClient *self)
{
}

JcNetClient *
jc_net_client_new (const JcNetClientOptions *o, GError **error)
{
  g_autoptr(JcNetClient) self = g_object_new (JC_TYPE_NET_CLIENT, NULL);
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
    "SELECT envelope FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?", error);
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
