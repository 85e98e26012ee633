#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>

#include "base/jc-error.h"
#include "jc-net-sqlite-private.h"
#include "jc-net-tls.h"
#include "jc-relay-private.h"
#include "jc-relay.h"
#include "jc-relay-tasks.h"

static GPtrArray *
parent_pending (gpointer data, gint64 after, guint limit)
{
  return jc_relay_router_pending (data, JC_RELAY_PARENT_LINK, after, limit);
}

static void
parent_acked (gpointer data, GArray *seqs)
{
  jc_relay_router_acked (data, JC_RELAY_PARENT_LINK, seqs);
}

static void
parent_refused (gpointer data, gint64 seq, const char *id, const char *code, const char *reason)
{
  g_warning ("the parent refused message %s (%s): %s", id, code, reason);
}

static gboolean
parent_receive (gpointer data, GPtrArray *incoming, GError **error)
{
  JcRelay *relay = data;
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!jc_relay_router_receive (relay, JC_RELAY_PARENT_LINK, incoming, touched, error))
    return FALSE;
  jc_relay_kick (relay, touched);
  return TRUE;
}

static void
parent_closed (gpointer data)
{
}

static void
parent_state (gpointer data, gboolean connected, const GError *error)
{
  JcRelay *relay = data;
  if (connected)
    g_message ("connected to the parent %s", relay->config->parent_url);
  else if (error)
    g_message ("cannot reach the parent %s: %s", relay->config->parent_url, error->message);
}

static gboolean
load_identity (JcRelay *relay, GError **error)
{
  JcRelayConfig *c = relay->config;
  if (!(relay->identity = jc_net_tls_load_identity (c->certificate, c->key, error)))
    return FALSE;
  g_autoptr(GError) local = NULL;
  GList *list = g_tls_certificate_list_new_from_file (c->certificate, &local);
  if (!list)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot read the certificates in %s: %s"),
                   c->certificate, local ? local->message : _("no certificate"));
      return FALSE;
    }
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (GList *l = list; l; l = l->next)
    {
      g_autofree char *pem = jc_net_tls_pem (l->data);
      g_strv_builder_add (sb, pem);
    }
  g_list_free_full (list, g_object_unref);
  relay->own_chain_pem = g_strv_builder_end (sb);
  if (!(relay->trust = g_tls_file_database_new (c->root_ca, &local)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot load the root CA %s: %s"),
                   c->root_ca, local->message);
      return FALSE;
    }
  relay->node_id = jc_net_tls_common_name (relay->identity);
  if (!jc_net_node_id_valid (relay->node_id))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The certificate %s has no usable node name"), c->certificate);
      return FALSE;
    }
  return TRUE;
}

JcRelay *
jc_relay_new (JcRelayConfig *config, GError **error)
{
  g_autoptr(JcRelay) relay = g_new0 (JcRelay, 1);
  relay->config = config;
  JcLogTarget target = g_strcmp0 (config->log_target, "file") == 0 ? JC_LOG_TO_FILE
                       : g_strcmp0 (config->log_target, "stderr") == 0 ? JC_LOG_TO_STDERR
                       : JC_LOG_TO_SYSLOG;
  if (!load_identity (relay, error) || !jc_relay_db_open (relay, error))
    return NULL;
  if (!(relay->log = jc_log_new ("joconde-relay", target,
                                 target == JC_LOG_TO_FILE ? config->log_file : NULL, error)))
    return NULL;
  if (!jc_relay_admission_load_crls (relay, error))
    return NULL;
  if (!jc_relay_config_is_root (config))
    {
      relay->parent_handler = (JcNetChannelHandler) {
        parent_pending, parent_acked, parent_refused, parent_receive, parent_closed,
      };
      JcNetLinkConfig lc = {
        .url = config->parent_url, .identity = relay->identity, .trust = relay->trust,
        .reconnect_min_ms = config->reconnect_min_ms, .reconnect_max_ms = config->reconnect_max_ms,
        .keepalive_s = config->keepalive_s, .window = config->window,
        .max_message = config->max_message,
      };
      if (!(relay->parent = jc_net_link_new (&lc, &relay->parent_handler, parent_state, relay,
                                             error)))
        return NULL;
    }
  return g_steal_pointer (&relay);
}

/* The root signs finalised CTAs with its node key and checks peers' chains against
 * the root CA. */
static gboolean
load_root_keys (JcRelay *relay, GError **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  if (!(relay->root_ca = jc_cert_new_from_file (relay->config->root_ca, error)) ||
      !(chain = jc_cert_list_new_from_file (relay->config->certificate, error)) ||
      !(relay->node_key = jc_node_key_load_file (relay->config->key, NULL, error)))
    return FALSE;
  relay->node_cert = g_object_ref (chain->pdata[0]);
  return TRUE;
}

static gboolean
deadline_tick (gpointer data)
{
  JcRelay *relay = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!jc_net_sqlite_begin (relay->db, &error) ||
      !jc_relay_tasks_check_deadlines (relay, touched, &error) ||
      !jc_net_sqlite_commit (relay->db, &error))
    {
      jc_net_sqlite_rollback (relay->db);
      g_warning ("checking task deadlines: %s", error->message);
      return G_SOURCE_CONTINUE;
    }
  jc_relay_kick (relay, touched);
  return G_SOURCE_CONTINUE;
}

gboolean
jc_relay_start (JcRelay *relay, GError **error)
{
  if (!relay->parent)
    {
      if (!load_root_keys (relay, error))
        return FALSE;
      deadline_tick (relay);
      relay->deadline_timer = g_timeout_add_seconds (relay->config->deadline_check_s,
                                                     deadline_tick, relay);
    }
  if (!jc_relay_server_start (relay, error))
    return FALSE;
  if (relay->parent)
    jc_net_link_start (relay->parent);
  return TRUE;
}

guint
jc_relay_get_port (JcRelay *relay)
{
  return relay->port;
}

const char *
jc_relay_get_node_id (JcRelay *relay)
{
  return relay->node_id;
}

void
jc_relay_free (JcRelay *relay)
{
  if (!relay)
    return;
  if (relay->deadline_timer)
    g_source_remove (relay->deadline_timer);
  g_clear_object (&relay->root_ca);
  g_clear_object (&relay->node_cert);
  g_clear_object (&relay->node_key);
  g_clear_pointer (&relay->parent, jc_net_link_free);
  jc_relay_server_stop (relay);
  if (relay->crls)
    g_ptr_array_unref (relay->crls);
  g_clear_object (&relay->store);
  g_clear_object (&relay->log);
  g_clear_object (&relay->identity);
  g_clear_object (&relay->trust);
  g_strfreev (relay->own_chain_pem);
  g_free (relay->node_id);
  jc_relay_config_free (relay->config);
  g_free (relay);
}
