#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-net-sqlite-private.h"
#include "jc-cert.h"
#include "jc-net-tls.h"
#include "jc-relay-private.h"
#include "jc-relay-rotation.h"
#include "jc-relay-tasks.h"
#include "jc-uuid.h"

/* Routing: every message arrives over one link (a child, the parent, or this relay
 * itself) with the recipients that copy is for. In one transaction the relay keeps a
 * copy, takes charge of each recipient it has not seen yet, and queues the message on
 * the outbox of the link that leads to each recipient. Acknowledgement to the sender
 * happens only after the commit; resent copies find their recipients taken already. */

#define TOPIC_ROUTE "jc.route"

static gboolean
is_child_link (const char *link)
{
  return link && g_strcmp0 (link, JC_RELAY_PARENT_LINK) != 0;
}

static gboolean
has_parent (JcRelay *relay)
{
  return relay->parent != NULL;
}

static char *
route_lookup (JcRelay *relay, const char *node, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT link FROM routes WHERE node = ?", error);
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, node, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (st, 0));
  return NULL;
}

static gboolean
exec_bind (JcRelay *relay, const char *sql, GError **error, const char *a, const char *b,
           const char *c, gint64 n)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db, sql, error);
  if (!st)
    return FALSE;
  int i = 1;
  if (a) sqlite3_bind_text (st, i++, a, -1, SQLITE_STATIC);
  if (b) sqlite3_bind_text (st, i++, b, -1, SQLITE_STATIC);
  if (c) sqlite3_bind_text (st, i++, c, -1, SQLITE_STATIC);
  if (n >= 0) sqlite3_bind_int64 (st, i++, n);
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  return TRUE;
}

/* A route to node now goes through link: record it and release what waited for it. */
static gboolean
route_set (JcRelay *relay, const char *node, const char *link, const char *cert_pem,
           GHashTable *touched, GError **error)
{
  if (!exec_bind (relay, "INSERT INTO routes (node, link, certificate, updated) VALUES (?,?,?,?) "
                  "ON CONFLICT (node) DO UPDATE SET link = excluded.link, "
                  "certificate = excluded.certificate, updated = excluded.updated",
                  error, node, link, cert_pem, jc_time_now ()) ||
      !exec_bind (relay, "INSERT INTO outbox (link, msg_id, recipients) "
                  "SELECT ?, msg_id, recipient FROM parked WHERE recipient = ? ORDER BY rowid",
                  error, link, node, NULL, -1))
    return FALSE;
  if (sqlite3_changes (relay->db) > 0)
    g_hash_table_add (touched, g_strdup (link));
  return exec_bind (relay, "DELETE FROM parked WHERE recipient = ?", error, node, NULL, NULL, -1);
}

/* A child announces a node of its subtree; the node's certificate chain must pass
 * through the child's own certificate, so a child cannot claim someone else's node. */
static gboolean
apply_route (JcRelay *relay, const char *link, JcNetEnvelope *env, GHashTable *touched,
             GError **refusal, GError **error)
{
  JcRelayChild *child = g_hash_table_lookup (relay->children, link);
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (env->body) ? json_node_get_object (env->body) : NULL;
  JsonArray *chain = o && json_object_has_member (o, "chain")
                     ? json_object_get_array_member (o, "chain") : NULL;
  const char *node = o ? json_object_get_string_member_with_default (o, "node", NULL) : NULL;
  if (!child || !chain || !node || !jc_net_node_id_valid (node))
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_INVALID, _("The route announcement is malformed"));
      return TRUE;
    }
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (chain); i++)
    {
      JsonNode *e = json_array_get_element (chain, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_set_error (refusal, JC_ERROR, JC_ERROR_INVALID, _("The route announcement is malformed"));
          return TRUE;
        }
      g_strv_builder_add (sb, json_node_get_string (e));
    }
  g_auto(GStrv) pems = g_strv_builder_end (sb);
  g_autofree char *leaf = NULL;
  if (!jc_net_tls_chain_contains ((const char *const *) pems, child->cert, &leaf, refusal))
    return TRUE;
  if (g_strcmp0 (leaf, node) != 0)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The route announcement names %s but carries the certificate of %s"),
                   node, leaf ? leaf : "?");
      return TRUE;
    }
  return route_set (relay, node, link, pems[0], touched, error);
}

/* Messages from a child must come from its subtree: nobody forges an origin. */
static gboolean
origin_allowed (JcRelay *relay, const char *link, const char *origin, GError **error)
{
  if (!is_child_link (link) || g_strcmp0 (origin, link) == 0)
    return TRUE;
  g_autofree char *via = route_lookup (relay, origin, error);
  return g_strcmp0 (via, link) == 0;
}

/* The roles granted by the certificate of a node of our subtree. */
static JcRoles
origin_roles (JcRelay *relay, const char *origin, GError **error);

JcRoles
jc_relay_origin_roles (JcRelay *relay, const char *origin)
{
  return origin_roles (relay, origin, NULL);
}

static JcRoles
origin_roles (JcRelay *relay, const char *origin, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT certificate FROM routes WHERE node = ?", error);
  if (!st)
    return JC_ROLE_NONE;
  sqlite3_bind_text (st, 1, origin, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW || sqlite3_column_type (st, 0) == SQLITE_NULL)
    return JC_ROLE_NONE;
  g_autoptr(JcCert) cert = jc_cert_new_from_pem ((const char *) sqlite3_column_text (st, 0), -1,
                                                 NULL);
  return cert ? jc_cert_get_roles (cert) : JC_ROLE_NONE;
}

/* TRUE when the certificate this relay knows for a node of its subtree is revoked here
 * (joconde-relay revoke): a revoked node no longer reaches the task artefacts (§4.4.2.3). */
static gboolean
origin_revoked (JcRelay *relay, const char *origin, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT certificate FROM routes WHERE node = ? AND certificate IS NOT NULL", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, origin, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return FALSE;
  g_autoptr(JcCert) cert = jc_cert_new_from_pem ((const char *) sqlite3_column_text (st, 0), -1,
                                                 NULL);
  if (!cert)
    return FALSE;
  return jc_relay_serial_revoked (relay, jc_cert_get_serial (cert));
}

gboolean
jc_relay_serial_revoked (JcRelay *relay, const char *serial)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT 1 FROM revoked WHERE ltrim(serial, '0') = ltrim(lower(?), '0')", NULL);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, serial, -1, SQLITE_STATIC);
  return sqlite3_step (st) == SQLITE_ROW;
}

/* Admission (§4.3.2.1): the topic's policy against the origin's certificate roles. */
static gboolean
admitted (JcRelay *relay, const char *link, JcNetEnvelope *env, GError **refusal, GError **error)
{
  gpointer value;
  if (is_child_link (link) && origin_revoked (relay, env->from, error))
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_REVOKED,
                   _("The certificate of node %s is revoked"), env->from);
      return FALSE;
    }
  if (error && *error)
    return FALSE;
  /* PAK registrations stay inside the organisation (§4.4.1.1): the root never takes one. */
  if (is_child_link (link) && !has_parent (relay) && g_strcmp0 (env->topic, "pak.register") == 0)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_DENIED,
                   _("PAK registrations stay within the organisation: address them to a node of "
                     "the organisation's own subtree"));
      return FALSE;
    }
  if (!is_child_link (link) ||
      !g_hash_table_lookup_extended (relay->config->topic_roles, env->topic, NULL, &value))
    return TRUE;
  JcRoles need = GPOINTER_TO_UINT (value);
  JcRoles have = origin_roles (relay, env->from, error);
  if (error && *error)
    return FALSE;
  if (have & need)
    return TRUE;
  g_autofree char *needs = jc_roles_to_string (need);
  g_autofree char *has = jc_roles_to_string (have);
  g_set_error (refusal, JC_ERROR, JC_ERROR_DENIED,
               _("Node %s may not send %s: that needs one of the roles [%s], its certificate "
                 "grants [%s]"), env->from, env->topic, needs, has);
  return FALSE;
}

typedef struct {
  GHashTable *per_link;   /* link -> GPtrArray of recipients */
  GPtrArray  *local;
  GPtrArray  *parked;
} Plan;

static void
plan_add (Plan *plan, const char *link, const char *recipient)
{
  GPtrArray *list = g_hash_table_lookup (plan->per_link, link);
  if (!list)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (plan->per_link, g_strdup (link), list);
    }
  g_ptr_array_add (list, g_strdup (recipient));
}

/* Decide where one recipient goes; FALSE only for a database failure. */
static gboolean
plan_recipient (JcRelay *relay, const char *link, const char *r, Plan *plan, GError **error)
{
  gboolean root = !has_parent (relay);
  if (g_strcmp0 (r, relay->node_id) == 0 ||
      (g_strcmp0 (r, JC_NET_ADDRESS_ROOT) == 0 && root) ||
      (g_strcmp0 (r, JC_NET_ADDRESS_PARENT) == 0 && is_child_link (link)))
    {
      g_ptr_array_add (plan->local, g_strdup (r));
      return TRUE;
    }
  if (g_strcmp0 (r, JC_NET_ADDRESS_ROOT) == 0)
    {
      if (g_strcmp0 (link, JC_RELAY_PARENT_LINK) != 0)
        plan_add (plan, JC_RELAY_PARENT_LINK, r);
      return TRUE;
    }
  if (g_strcmp0 (r, JC_NET_ADDRESS_PARENT) == 0)
    {
      /* This relay's own message to its parent; from the parent it means nothing. */
      if (!link && has_parent (relay))
        plan_add (plan, JC_RELAY_PARENT_LINK, r);
      return TRUE;
    }

  g_autoptr(GError) local = NULL;
  g_autofree char *via = route_lookup (relay, r, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (via && g_strcmp0 (via, link) != 0)
    plan_add (plan, via, r);
  else if (!via && has_parent (relay) && g_strcmp0 (link, JC_RELAY_PARENT_LINK) != 0)
    plan_add (plan, JC_RELAY_PARENT_LINK, r);
  else
    g_ptr_array_add (plan->parked, g_strdup (r)); /* wait for a route */
  return TRUE;
}

/* Messages for nodes the relay does not know yet wait; one origin may not fill the
 * relay with them. */
static gboolean
parking_allowed (JcRelay *relay, JcNetEnvelope *env, guint more, GError **refusal,
                 GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT count(*) FROM parked p JOIN messages m ON m.id = p.msg_id WHERE m.origin = ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, env->from, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return jc_net_sqlite_fail (relay->db, error);
  if (sqlite3_column_int64 (st, 0) + more > relay->config->max_parked)
    g_set_error (refusal, JC_ERROR, JC_ERROR_TOO_LARGE,
                 _("The relay already holds %u messages from %s for nodes it does not know"),
                 relay->config->max_parked, env->from);
  return TRUE;
}

static gboolean
store_plan (JcRelay *relay, const char *msg_id, Plan *plan, GHashTable *touched, GError **error)
{
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, plan->per_link);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      GPtrArray *list = value;
      g_ptr_array_add (list, NULL);
      g_autofree char *joined = g_strjoinv (" ", (char **) list->pdata);
      g_ptr_array_remove_index (list, list->len - 1);
      if (!exec_bind (relay, "INSERT INTO outbox (link, msg_id, recipients) VALUES (?,?,?)",
                      error, key, msg_id, joined, -1))
        return FALSE;
      g_hash_table_add (touched, g_strdup (key));
    }
  for (guint i = 0; i < plan->local->len; i++)
    if (!exec_bind (relay, "INSERT OR IGNORE INTO inbox (msg_id, recipient, received) "
                    "VALUES (?,?,?)", error, msg_id, plan->local->pdata[i], NULL, jc_time_now ()))
      return FALSE;
  for (guint i = 0; i < plan->parked->len; i++)
    if (!exec_bind (relay, "INSERT OR IGNORE INTO parked (msg_id, recipient) VALUES (?,?)",
                    error, msg_id, plan->parked->pdata[i], NULL, -1))
      return FALSE;
  return TRUE;
}

/* The relay's copy of a message (§4.4.1.5), tagged with its task when the body names
 * one, so retention can find it. */
static gboolean
store_copy (JcRelay *relay, const char *link, JcNetEnvelope *env, GError **error)
{
  const char *task_id = NULL;
  if (JSON_NODE_HOLDS_OBJECT (env->body))
    {
      JsonNode *tn = json_object_get_member (json_node_get_object (env->body), "task_id");
      if (tn && JSON_NODE_HOLDS_VALUE (tn) && json_node_get_value_type (tn) == G_TYPE_STRING &&
          jc_uuid_is_v4 (json_node_get_string (tn)))
        task_id = json_node_get_string (tn);
    }
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT OR IGNORE INTO messages (id, origin, topic, envelope, from_link, received, task_id) "
    "VALUES (?,?,?,?,?,?,?)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, env->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, env->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, env->topic, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, env->text, -1, SQLITE_STATIC);
  if (link)
    sqlite3_bind_text (st, 5, link, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 6, jc_time_now ());
  if (task_id)
    sqlite3_bind_text (st, 7, task_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  return TRUE;
}

/* Takes charge of the recipients not seen before (the exactly-once key) and plans where
 * each goes; *fresh tells whether there was any. */
static gboolean
plan_fresh_recipients (JcRelay *relay, const char *link, JcNetEnvelope *env,
                       const char *const *to, Plan *plan, gboolean *fresh, GError **error)
{
  g_autoptr(sqlite3_stmt) take = jc_net_sqlite_prepare (relay->db,
    "INSERT OR IGNORE INTO deliveries (msg_id, recipient) VALUES (?,?)", error);
  if (!take)
    return FALSE;
  *fresh = FALSE;
  for (guint i = 0; to[i]; i++)
    {
      sqlite3_bind_text (take, 1, env->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (take, 2, to[i], -1, SQLITE_STATIC);
      if (sqlite3_step (take) != SQLITE_DONE)
        return jc_net_sqlite_fail (relay->db, error);
      if (sqlite3_changes (relay->db) == 1)
        {
          *fresh = TRUE;
          if (!plan_recipient (relay, link, to[i], plan, error))
            return FALSE;
        }
      sqlite3_reset (take);
    }
  return TRUE;
}

/* What the relay itself does with a message, besides passing it on: the control topics
 * of docs/wire.md §4–5, each applied once, in the receiving transaction. */
static gboolean
act_on_topic (JcRelay *relay, const char *link, JcNetEnvelope *env, Plan *plan,
              GHashTable *touched, GError **refusal, GError **error)
{
  gboolean from_child = is_child_link (link);
  gboolean for_us = plan->local->len > 0;
  const char *topic = env->topic;

  /* Route announcements are applied by every relay they pass. */
  if (from_child && g_strcmp0 (topic, TOPIC_ROUTE) == 0)
    return apply_route (relay, link, env, touched, refusal, error);
  /* Relays on the way learn which task a CTSC became, and erase expired tasks. */
  if (!from_child && !jc_relay_tasks_in_passing (relay, env, error))
    return FALSE;
  /* The root runs the task lifecycle on the messages addressed to it. */
  if (for_us && !has_parent (relay) && jc_relay_tasks_handles (topic))
    return jc_relay_tasks_handle (relay, env, touched, refusal, error);
  /* Revocation requests are recorded by every relay they pass on the way up. */
  if (from_child && g_strcmp0 (topic, "cert.revoke") == 0)
    return jc_relay_revocation_handle (relay, env, refusal, error);
  /* Every relay answers its children's questions about tasks from its copies. */
  if (for_us && from_child && g_strcmp0 (topic, "tasks.query") == 0)
    return jc_relay_tasks_query (relay, env, touched, refusal, error);
  /* Every relay issues the rotated certificates of its direct children... */
  if (for_us && from_child && g_strcmp0 (topic, "cert.rotate") == 0)
    return jc_relay_rotation_handle (relay, link, env, touched, refusal, error);
  /* ...and installs its own, from its parent. */
  if (for_us && g_strcmp0 (link, JC_RELAY_PARENT_LINK) == 0 &&
      g_strcmp0 (topic, "cert.issued") == 0)
    jc_relay_rotation_received (relay, env);
  return TRUE;
}

/* One message, inside the caller's transaction. A refusal is set for messages that
 * must never be accepted; FALSE is returned only for failures worth a retry. */
static gboolean
route_message (JcRelay *relay, const char *link, JcNetEnvelope *env, const char *const *to,
               GHashTable *touched, GError **refusal, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!origin_allowed (relay, link, env->from, &local))
    {
      if (local)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_set_error (refusal, JC_ERROR, JC_ERROR_DENIED,
                   _("Node %s may not send messages from %s: it is not in its subtree"),
                   link, env->from);
      return TRUE;
    }
  if (!admitted (relay, link, env, refusal, error))
    return !(error && *error);
  if (!store_copy (relay, link, env, error))
    return FALSE;

  Plan plan = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref),
    g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free),
  };
  gboolean fresh = FALSE;
  gboolean ok = plan_fresh_recipients (relay, link, env, to, &plan, &fresh, error);
  /* A copy whose recipients were all taken already is a resend: nothing more to do. */
  if (ok && fresh)
    ok = act_on_topic (relay, link, env, &plan, touched, refusal, error);
  if (ok && !(refusal && *refusal) && plan.parked->len > 0)
    ok = parking_allowed (relay, env, plan.parked->len, refusal, error);
  if (ok && !(refusal && *refusal))
    ok = store_plan (relay, env->id, &plan, touched, error);
  g_hash_table_unref (plan.per_link);
  g_ptr_array_unref (plan.local);
  g_ptr_array_unref (plan.parked);
  return ok;
}

gboolean
jc_relay_router_receive (JcRelay *relay, const char *link, GPtrArray *incoming,
                         GHashTable *touched, GError **error)
{
  if (!jc_net_sqlite_begin (relay->db, error))
    return FALSE;
  for (guint i = 0; i < incoming->len; i++)
    {
      JcNetIncoming *in = incoming->pdata[i];
      /* A refused message leaves no trace: a savepoint per message. */
      if (!jc_net_sqlite_exec (relay->db, "SAVEPOINT msg", error))
        goto fail;
      if (!route_message (relay, link, in->frame->envelope, (const char *const *) in->frame->to,
                          touched, &in->refusal, error))
        goto fail;
      JcNetEnvelope *env = in->frame->envelope;
      const JcLogParam params[] = {
        { "id", env->id }, { "topic", env->topic }, { "origin", env->from }, { "link", link },
        { NULL, NULL },
      };
      if (in->refusal)
        {
          jc_log_write (relay->log, JC_LOG_WARNING, "MESSAGE-REFUSED", params, "%s",
                        in->refusal->message);
          if (!jc_net_sqlite_exec (relay->db, "ROLLBACK TO msg", error))
            goto fail;
        }
      else
        jc_log_write (relay->log, JC_LOG_INFO, "MESSAGE", params, "received");
      if (!jc_net_sqlite_exec (relay->db, "RELEASE msg", error))
        goto fail;
    }
  return jc_net_sqlite_commit (relay->db, error);
fail:
  jc_net_sqlite_rollback (relay->db);
  return FALSE;
}

/* A message created by this relay itself, routed like any other. Must be called
 * inside a transaction. */
gboolean
jc_relay_router_originate (JcRelay *relay, const char *const *to, const char *topic,
                           JsonNode *body, GHashTable *touched, char **out_id, GError **error)
{
  g_autoptr(JcNetEnvelope) env = jc_net_envelope_new (relay->node_id, to, topic, body);
  g_autoptr(GError) refusal = NULL;
  if (!route_message (relay, NULL, env, to, touched, &refusal, error))
    return FALSE;
  if (refusal)
    {
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }
  if (out_id)
    *out_id = g_strdup (env->id);
  return TRUE;
}

GPtrArray *
jc_relay_router_pending (JcRelay *relay, const char *link, gint64 after, guint limit)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_net_pending_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT o.seq, o.msg_id, o.recipients, m.envelope FROM outbox o "
    "JOIN messages m ON m.id = o.msg_id WHERE o.link = ? AND o.seq > ? ORDER BY o.seq LIMIT ?",
    &error);
  if (!st)
    {
      g_warning ("%s", error->message);
      return rows;
    }
  sqlite3_bind_text (st, 1, link, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, after);
  sqlite3_bind_int (st, 3, (int) limit);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (rows, jc_net_pending_new_from_row (st));
  return rows;
}

static gboolean
delete_acked (JcRelay *relay, const char *link, GArray *seqs, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "DELETE FROM outbox WHERE link = ? AND seq = ?", error);
  if (!st || !jc_net_sqlite_begin (relay->db, error))
    return FALSE;
  for (guint i = 0; i < seqs->len; i++)
    {
      sqlite3_bind_text (st, 1, link, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 2, g_array_index (seqs, gint64, i));
      sqlite3_step (st);
      sqlite3_reset (st);
    }
  return jc_net_sqlite_commit (relay->db, error);
}

void
jc_relay_router_acked (JcRelay *relay, const char *link, GArray *seqs)
{
  g_autoptr(GError) error = NULL;
  /* Losing an acknowledgement costs only a resend, which the peer ignores. */
  if (!delete_acked (relay, link, seqs, &error))
    g_warning ("cannot record acknowledgements from %s: %s", link, error->message);
}

/* A direct child connected: remember it, route its node to its link and, below the
 * root, announce it upward so every ancestor can route to it. */
gboolean
jc_relay_router_child_joined (JcRelay *relay, JcRelayChild *child, GHashTable *touched,
                              GError **error)
{
  g_autofree char *pem = jc_net_tls_pem (child->cert);
  g_autofree char *serial = jc_net_tls_serial (child->cert);
  if (!jc_net_sqlite_begin (relay->db, error))
    return FALSE;
  g_autofree char *via = NULL;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT INTO children (node, certificate, serial, first_seen, last_seen) VALUES (?,?,?,?,?) "
    "ON CONFLICT (node) DO UPDATE SET certificate = excluded.certificate, "
    "serial = excluded.serial, last_seen = excluded.last_seen", error);
  if (!st)
    goto fail;
  sqlite3_bind_text (st, 1, child->node_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, pem, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, serial, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  sqlite3_bind_int64 (st, 5, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      jc_net_sqlite_fail (relay->db, error);
      goto fail;
    }
  via = route_lookup (relay, child->node_id, error);
  if (error && *error)
    goto fail;
  if (g_strcmp0 (via, child->node_id) != 0)
    {
      if (!route_set (relay, child->node_id, child->node_id, pem, touched, error))
        goto fail;
      if (has_parent (relay))
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "node");
          json_builder_add_string_value (b, child->node_id);
          json_builder_set_member_name (b, "chain");
          json_builder_begin_array (b);
          json_builder_add_string_value (b, pem);
          for (guint i = 0; relay->own_chain_pem[i]; i++)
            json_builder_add_string_value (b, relay->own_chain_pem[i]);
          json_builder_end_array (b);
          json_builder_end_object (b);
          g_autoptr(JsonNode) body = json_builder_get_root (b);
          const char *to[] = { JC_NET_ADDRESS_ROOT, NULL };
          if (!jc_relay_router_originate (relay, to, TOPIC_ROUTE, body, touched, NULL, error))
            goto fail;
        }
    }
  return jc_net_sqlite_commit (relay->db, error);
fail:
  jc_net_sqlite_rollback (relay->db);
  return FALSE;
}

/* A peer refused a message for good: tell its origin, wherever it is, with a
 * "jc.refused" message (the origin's own relay link only saw an acknowledgement). */
void
jc_relay_router_refused (JcRelay *relay, const char *link, const char *id, const char *code,
                         const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  {
    g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
      "SELECT origin FROM messages WHERE id = ?", &error);
    if (st)
      {
        sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW)
          origin = g_strdup ((const char *) sqlite3_column_text (st, 0));
      }
  }
  const JcLogParam params[] = { { "id", id }, { "code", code }, { "link", link },
                                { "origin", origin ? origin : "-" }, { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_WARNING, "MESSAGE-REFUSED", params, "%s", reason);
  if (!origin || g_strcmp0 (origin, relay->node_id) == 0)
    return;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *to[] = { origin, NULL };
  if (!jc_net_sqlite_begin (relay->db, &error) ||
      !jc_relay_router_originate (relay, to, "jc.refused", body, touched, NULL, &error) ||
      !jc_net_sqlite_commit (relay->db, &error))
    {
      jc_net_sqlite_rollback (relay->db);
      g_warning ("cannot tell %s that message %s was refused: %s", origin, id, error->message);
      return;
    }
  jc_relay_kick (relay, touched);
}

/* Forgets copies of messages of no task older than keep-days, with their de-duplication
 * records, once nothing waits to be sent from them. */
gboolean
jc_relay_router_prune (JcRelay *relay, GError **error)
{
  gint64 cutoff = jc_time_now () - (gint64) relay->config->keep_days * 86400;
  const char *old =
    "SELECT id FROM messages WHERE received < ?1 AND task_id IS NULL "
    "AND id NOT IN (SELECT msg_id FROM outbox) AND id NOT IN (SELECT msg_id FROM parked)";
  g_autofree char *del_inbox = g_strdup_printf ("DELETE FROM inbox WHERE msg_id IN (%s)", old);
  g_autofree char *del_deliv = g_strdup_printf ("DELETE FROM deliveries WHERE msg_id IN (%s)", old);
  g_autofree char *del_msgs = g_strdup_printf ("DELETE FROM messages WHERE id IN (%s)", old);
  const char *steps[] = { del_inbox, del_deliv, del_msgs };
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db, steps[i], error);
      if (!st)
        return FALSE;
      sqlite3_bind_int64 (st, 1, cutoff);
      if (sqlite3_step (st) != SQLITE_DONE)
        return jc_net_sqlite_fail (relay->db, error);
    }
  return TRUE;
}
