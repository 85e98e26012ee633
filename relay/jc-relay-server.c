#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "jc-net-tls.h"
#include "jc-relay-mail.h"
#include "jc-relay-private.h"

/* The HTTPS side of the relay: mutual TLS for every connection, one WebSocket link
 * per child at /v1/link, a health endpoint at /v1/health. */

/* One audit record per request, refusal, join and leave (§4.4.7). */
void
jc_relay_log_peer (JcRelay *relay, JcLogSeverity severity, const char *msgid, const char *what,
                   const char *ip, GTlsCertificate *cert, const char *detail)
{
  g_autofree char *cn = cert ? jc_net_tls_common_name (cert) : NULL;
  g_autofree char *serial = cert ? jc_net_tls_serial (cert) : NULL;
  const JcLogParam params[] = {
    { "peer", ip ? ip : "-" }, { "cn", cn ? cn : "-" }, { "serial", serial ? serial : "-" },
    { NULL, NULL },
  };
  jc_log_write (relay->log, severity, msgid, params, "%s%s%s", what, detail ? ": " : "",
                detail ? detail : "");
}

static gboolean
on_accept_certificate (SoupServerMessage *msg, GTlsCertificate *peer, GTlsCertificateFlags errors,
                       gpointer data)
{
  JcRelay *relay = data;
  g_autoptr(GError) error = NULL;
  if (!jc_relay_admission_check (relay, peer, errors, &error))
    {
      jc_relay_log_peer (relay, JC_LOG_WARNING, "REFUSED", "TLS handshake refused",
                         soup_server_message_get_remote_host (msg), peer, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  /* Without this handler glib-networking refuses every client certificate. */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), data);
}

/* Every request is checked again: a TLS connection outlives a revocation. */
static void
early_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  JcRelay *relay = data;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);
  const char *ip = soup_server_message_get_remote_host (msg);
  if (!jc_relay_admission_check (relay, peer,
                                 soup_server_message_get_tls_peer_certificate_errors (msg),
                                 &error))
    {
      jc_relay_log_peer (relay, JC_LOG_WARNING, "REFUSED", "request refused", ip, peer,
                         error->message);
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      return;
    }
  g_autofree char *what = g_strdup_printf ("%s %s", soup_server_message_get_method (msg), path);
  jc_relay_log_peer (relay, JC_LOG_INFO, "REQUEST", what, ip, peer, NULL);
}

static void
health_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer data)
{
  JcRelay *relay = data;
  g_autofree char *body = g_strdup_printf ("{\"node\":\"%s\",\"root\":%s}", relay->node_id,
                                           relay->parent ? "false" : "true");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
child_free (JcRelayChild *child)
{
  if (child->reap_id)
    g_source_remove (child->reap_id);
  g_clear_pointer (&child->channel, jc_net_channel_free);
  g_clear_object (&child->cert);
  g_free (child->node_id);
  g_free (child);
}

/* Removes a child from the table without freeing it (its channel frees it later). */
static void
forget_child (JcRelay *relay, const char *node_id)
{
  gpointer key = NULL;
  if (g_hash_table_steal_extended (relay->children, node_id, &key, NULL))
    g_free (key);
}

static gboolean
reap_child (gpointer data)
{
  JcRelayChild *child = data;
  child->reap_id = 0;
  child_free (child);
  return G_SOURCE_REMOVE;
}

static void
child_closed (gpointer data)
{
  JcRelayChild *child = data;
  JcRelay *relay = child->relay;
  jc_relay_log_peer (relay, JC_LOG_NOTICE, "LEAVE", "child disconnected", NULL, child->cert,
                     NULL);
  if (g_hash_table_lookup (relay->children, child->node_id) == child)
    forget_child (relay, child->node_id);
  /* Freed later: we may be inside the channel's own callback. */
  if (!child->reap_id)
    child->reap_id = g_idle_add (reap_child, child);
}

static void
on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *ws, gpointer data)
{
  JcRelay *relay = data;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);
  if (!jc_relay_admission_check (relay, peer,
                                 soup_server_message_get_tls_peer_certificate_errors (msg),
                                 &error))
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }
  JcRelayChild *child = g_new0 (JcRelayChild, 1);
  child->relay = relay;
  child->node_id = jc_net_tls_common_name (peer);
  child->cert = g_object_ref (peer);

  JcRelayChild *old = g_hash_table_lookup (relay->children, child->node_id);
  if (old)
    {
      /* A reconnect before the old socket noticed: the newest link wins. */
      forget_child (relay, child->node_id);
      jc_net_channel_close (old->channel);
    }
  soup_websocket_connection_set_keepalive_interval (ws, relay->config->keepalive_s);
  child->channel = jc_net_channel_new (ws, child->node_id, &relay->child_handler, child,
                                       relay->config->window, relay->config->max_message);
  g_hash_table_insert (relay->children, g_strdup (child->node_id), child);
  jc_relay_log_peer (relay, JC_LOG_NOTICE, "JOIN", "child connected",
                     soup_server_message_get_remote_host (msg), peer, NULL);

  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!jc_relay_router_child_joined (relay, child, touched, &error))
    {
      g_warning ("cannot record child %s: %s", child->node_id, error->message);
      jc_net_channel_close (child->channel);
      return;
    }
  jc_relay_kick (relay, touched);
  jc_net_channel_kick (child->channel);
}

static GPtrArray *
child_pending (gpointer data, gint64 after, guint limit)
{
  JcRelayChild *child = data;
  return jc_relay_router_pending (child->relay, child->node_id, after, limit);
}

static void
child_acked (gpointer data, GArray *seqs)
{
  JcRelayChild *child = data;
  jc_relay_router_acked (child->relay, child->node_id, seqs);
}

static void
child_refused (gpointer data, gint64 seq, const char *id, const char *code, const char *reason)
{
  JcRelayChild *child = data;
  jc_relay_router_refused (child->relay, child->node_id, id, code, reason);
}

static gboolean
child_receive (gpointer data, GPtrArray *incoming, GError **error)
{
  JcRelayChild *child = data;
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!jc_relay_router_receive (child->relay, child->node_id, incoming, touched, error))
    return FALSE;
  jc_relay_kick (child->relay, touched);
  jc_relay_mail_flush (child->relay);
  return TRUE;
}

void
jc_relay_kick (JcRelay *relay, GHashTable *touched)
{
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, touched);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      if (g_strcmp0 (key, JC_RELAY_PARENT_LINK) == 0)
        {
          if (relay->parent)
            jc_net_link_kick (relay->parent);
          continue;
        }
      JcRelayChild *child = g_hash_table_lookup (relay->children, key);
      if (child && jc_net_channel_is_open (child->channel))
        jc_net_channel_kick (child->channel);
    }
}

gboolean
jc_relay_server_start (JcRelay *relay, GError **error)
{
  relay->child_handler = (JcNetChannelHandler) {
    child_pending, child_acked, child_refused, child_receive, child_closed,
  };
  relay->children = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) child_free);
  relay->server = soup_server_new ("tls-certificate", relay->identity,
                                   "tls-database", relay->trust,
                                   "tls-auth-mode", G_TLS_AUTHENTICATION_REQUIRED,
                                   "server-header", "joconde-relay",
                                   NULL);
  g_signal_connect (relay->server, "request-started", G_CALLBACK (on_request_started), relay);
  /* Early handlers are looked up by path like normal ones: one for each path. */
  soup_server_add_early_handler (relay->server, NULL, early_handler, relay, NULL);
  soup_server_add_early_handler (relay->server, "/v1/health", early_handler, relay, NULL);
  soup_server_add_early_handler (relay->server, "/v1/link", early_handler, relay, NULL);
  soup_server_add_handler (relay->server, "/v1/health", health_handler, relay, NULL);
  soup_server_add_websocket_handler (relay->server, "/v1/link", NULL, NULL, on_websocket,
                                     relay, NULL);

  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (relay->config->listen_address);
  if (!addr)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The listen address %s is not an IP address"),
                   relay->config->listen_address);
      return FALSE;
    }
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (addr, relay->config->listen_port);
  g_autoptr(GError) local = NULL;
  if (!soup_server_listen (relay->server, sa, SOUP_SERVER_LISTEN_HTTPS, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot listen on %s port %u: %s"),
                   relay->config->listen_address, relay->config->listen_port, local->message);
      return FALSE;
    }
  GSList *uris = soup_server_get_uris (relay->server);
  if (uris)
    relay->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

void
jc_relay_server_stop (JcRelay *relay)
{
  if (relay->server)
    soup_server_disconnect (relay->server);
  g_clear_pointer (&relay->children, g_hash_table_unref);
  g_clear_object (&relay->server);
}
