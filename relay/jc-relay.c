#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>

#include "base/jc-error.h"
#include "jc-net-sqlite-private.h"
#include "jc-net-tls.h"
#include "jc-relay-private.h"
#include "jc-relay.h"
#include "jc-relay-mail.h"
#include "jc-relay-rotation.h"
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
  jc_relay_router_refused (data, JC_RELAY_PARENT_LINK, id, code, reason);
}

static gboolean
parent_receive (gpointer data, GPtrArray *incoming, GError **error)
{
  JcRelay *relay = data;
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!jc_relay_router_receive (relay, JC_RELAY_PARENT_LINK, incoming, touched, error))
    return FALSE;
  jc_relay_kick (relay, touched);
  jc_relay_mail_flush (relay);
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
  if (!(relay->identity = jc_net_tls_load_identity (relay->cert_path, relay->key_path, error)))
    return FALSE;
  g_autoptr(GError) local = NULL;
  GList *list = g_tls_certificate_list_new_from_file (relay->cert_path, &local);
  if (!list)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot read the certificates in %s: %s"),
                   relay->cert_path, local ? local->message : _("no certificate"));
      return FALSE;
    }
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (GList *l = list; l; l = l->next)
    {
      g_autofree char *pem = jc_net_tls_pem (l->data);
      g_strv_builder_add (sb, pem);
    }
  g_list_free_full (list, g_object_unref);
  g_strfreev (relay->own_chain_pem);
  relay->own_chain_pem = g_strv_builder_end (sb);
  /* Our earlier certificates, kept after a rotation: children they issued stay valid. */
  g_autofree char *prev_path = g_build_filename (c->state_dir, "previous.pem", NULL);
  g_clear_pointer (&relay->previous, g_ptr_array_unref);
  relay->previous = g_ptr_array_new_with_free_func (g_object_unref);
  if (g_file_test (prev_path, G_FILE_TEST_EXISTS))
    {
      GList *prev = g_tls_certificate_list_new_from_file (prev_path, NULL);
      for (GList *l = prev; l; l = l->next)
        g_ptr_array_add (relay->previous, g_object_ref (l->data));
      g_list_free_full (prev, g_object_unref);
    }
  if (relay->trust)
    return TRUE;
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
  /* A certificate rotated over the link lives in the state directory (the configured
   * one may be a read-only credential) and takes precedence. */
  jc_relay_config_identity_paths (config, &relay->cert_path, &relay->key_path);
  relay->mail_cancel = g_cancellable_new ();
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

static gboolean load_node_keys (JcRelay *relay, GError **error);

/* After a rotation: the new certificate and key for the listener, the parent link and
 * the issuing of children's certificates. */
gboolean
jc_relay_reload_identity (JcRelay *relay, GError **error)
{
  g_autoptr(GTlsCertificate) old = g_steal_pointer (&relay->identity);
  g_clear_object (&relay->root_ca);
  g_clear_object (&relay->node_cert);
  g_clear_object (&relay->node_key);
  g_clear_pointer (&relay->node_chain, g_ptr_array_unref);
  if (!load_identity (relay, error) || !load_node_keys (relay, error))
    {
      if (!relay->identity)
        relay->identity = g_steal_pointer (&old);
      return FALSE;
    }
  if (relay->server)
    g_object_set (relay->server, "tls-certificate", relay->identity, NULL);
  if (relay->parent && !jc_net_link_set_identity (relay->parent, relay->identity, error))
    return FALSE;
  return TRUE;
}

/* Every relay signs with its node key (children's rotated certificates; at the root
 * also finalised CTAs) and the root checks peers' chains against the root CA. */
static gboolean
load_node_keys (JcRelay *relay, GError **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  if (!(relay->root_ca = jc_cert_new_from_file (relay->config->root_ca, error)) ||
      !(chain = jc_cert_list_new_from_file (relay->cert_path, error)) ||
      !(relay->node_key = jc_node_key_load_file (relay->key_path, NULL, error)))
    return FALSE;
  relay->node_cert = g_object_ref (chain->pdata[0]);
  relay->node_chain = g_steal_pointer (&chain);
  return TRUE;
}

/* A revoked child's open link is closed: a TLS connection outlives a revocation. */
static void
close_revoked_children (JcRelay *relay)
{
  GHashTableIter it;
  gpointer value;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();
  g_hash_table_iter_init (&it, relay->children);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      JcRelayChild *child = value;
      g_autoptr(GError) error = NULL;
      if (!jc_relay_admission_check (relay, child->cert, 0, &error))
        {
          jc_relay_log_peer (relay, JC_LOG_WARNING, "REFUSED", "link closed", NULL, child->cert,
                             error->message);
          g_ptr_array_add (doomed, child->channel);
        }
    }
  for (guint i = 0; i < doomed->len; i++)
    jc_net_channel_close (doomed->pdata[i]);
}

static gboolean
periodic_tick (gpointer data)
{
  JcRelay *relay = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (relay->children)
    close_revoked_children (relay);
  /* Pruning scans the copies: once an hour is plenty. */
  if (g_get_monotonic_time () - relay->last_prune_us > (gint64) G_USEC_PER_SEC * 3600 &&
      jc_net_sqlite_begin (relay->db, &error))
    {
      relay->last_prune_us = g_get_monotonic_time ();
      if (!jc_relay_router_prune (relay, &error) || !jc_net_sqlite_commit (relay->db, &error))
        jc_net_sqlite_rollback (relay->db);
    }
  if (error)
    {
      g_warning ("pruning old message copies: %s", error->message);
      g_clear_error (&error);
    }
  if (relay->parent)
    {
      if (jc_relay_rotation_due (relay))
        {
          if (!jc_net_sqlite_begin (relay->db, &error) ||
              !jc_relay_rotation_start (relay, touched, &error) ||
              !jc_net_sqlite_commit (relay->db, &error))
            {
              jc_net_sqlite_rollback (relay->db);
              g_warning ("cannot start the rotation of this relay's certificate: %s",
                         error->message);
            }
          jc_relay_kick (relay, touched);
        }
      return G_SOURCE_CONTINUE;
    }
  if (!jc_net_sqlite_begin (relay->db, &error) ||
      !jc_relay_tasks_check_deadlines (relay, touched, &error) ||
      !jc_relay_tasks_check_revocations (relay, touched, &error) ||
      !jc_relay_tasks_check_retention (relay, touched, &error) ||
      !jc_net_sqlite_commit (relay->db, &error))
    {
      jc_net_sqlite_rollback (relay->db);
      g_warning ("checking task deadlines: %s", error->message);
      return G_SOURCE_CONTINUE;
    }
  jc_relay_kick (relay, touched);
  jc_relay_mail_flush (relay);
  return G_SOURCE_CONTINUE;
}

gboolean
jc_relay_start (JcRelay *relay, GError **error)
{
  if (!load_node_keys (relay, error))
    return FALSE;
  if (!jc_relay_server_start (relay, error))
    return FALSE;
  if (relay->parent)
    jc_net_link_start (relay->parent);
  periodic_tick (relay);
  relay->deadline_timer = g_timeout_add_seconds (relay->config->deadline_check_s, periodic_tick,
                                                 relay);
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
  if (relay->mail_cancel)
    g_cancellable_cancel (relay->mail_cancel);
  g_clear_object (&relay->mail_cancel);
  g_clear_object (&relay->root_ca);
  g_clear_object (&relay->node_cert);
  g_clear_pointer (&relay->node_chain, g_ptr_array_unref);
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
  g_clear_pointer (&relay->previous, g_ptr_array_unref);
  if (relay->install_id)
    g_source_remove (relay->install_id);
  g_free (relay->issued_chain);
  g_free (relay->cert_path);
  g_free (relay->key_path);
  g_free (relay->node_id);
  jc_relay_config_free (relay->config);
  g_free (relay);
}
