#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "jc-net-link.h"
#include "jc-net-tls.h"

struct _JcNetLink {
  char                      *url;
  GTlsCertificate           *identity;
  GTlsDatabase              *trust;
  char                      *node_id;
  char                      *parent_id;  /* CN of the issuer of our certificate */
  guint                      min_ms, max_ms, keepalive_s, window;
  gsize                      max_message;
  const JcNetChannelHandler *owner;
  JcNetLinkStateFunc         state_func;
  gpointer                   user_data;

  JcNetChannelHandler        relay;      /* forwards to owner, watches closes */
  SoupSession               *session;
  SoupMessage               *connecting;  /* the upgrade request under way */
  GCancellable              *cancellable;
  JcNetChannel              *channel;
  guint                      attempts;
  guint                      retry_id;
  guint                      reap_id;
  gboolean                   started;
};

static void connect_now (JcNetLink *link);

static GPtrArray *
fwd_pending (gpointer d, gint64 after, guint limit)
{
  JcNetLink *link = d;
  return link->owner->pending (link->user_data, after, limit);
}

static void
fwd_acked (gpointer d, GArray *seqs)
{
  JcNetLink *link = d;
  link->owner->acked (link->user_data, seqs);
}

static void
fwd_refused (gpointer d, gint64 seq, const char *id, const char *code, const char *reason)
{
  JcNetLink *link = d;
  link->owner->refused (link->user_data, seq, id, code, reason);
}

static gboolean
fwd_receive (gpointer d, GPtrArray *in, GError **error)
{
  JcNetLink *link = d;
  return link->owner->receive (link->user_data, in, error);
}

static gboolean
retry_cb (gpointer data)
{
  JcNetLink *link = data;
  link->retry_id = 0;
  connect_now (link);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (JcNetLink *link)
{
  if (!link->started || link->retry_id)
    return;
  /* Exponential back-off with jitter so a restarted parent is not hit by all its
   * children at the same instant. */
  guint64 delay = link->min_ms;
  for (guint i = 0; i < link->attempts && delay < link->max_ms; i++)
    delay *= 2;
  delay = MIN (delay, link->max_ms);
  delay = delay * 3 / 4 + g_random_int_range (0, (gint32) (delay / 2 + 1));
  link->attempts++;
  link->retry_id = g_timeout_add ((guint) delay, retry_cb, link);
}

static gboolean
reap_cb (gpointer data)
{
  JcNetLink *link = data;
  link->reap_id = 0;
  if (link->channel && !jc_net_channel_is_open (link->channel))
    g_clear_pointer (&link->channel, jc_net_channel_free);
  return G_SOURCE_REMOVE;
}

static void
fwd_closed (gpointer d)
{
  JcNetLink *link = d;
  g_debug ("link to %s closed", link->url);
  /* The channel is freed from an idle: we may be inside its own callback. */
  if (!link->reap_id)
    link->reap_id = g_idle_add (reap_cb, link);
  if (link->state_func)
    link->state_func (link->user_data, FALSE, NULL);
  schedule_retry (link);
}

/* The parent is pinned by identity: its certificate must chain to the System
 * root and carry the name of the node that issued our own certificate. Host
 * names are not used, so a parent can move without new certificates. */
static gboolean
parent_acceptable (JcNetLink *link, GTlsCertificate *peer, GTlsCertificateFlags errors,
                   GError **error)
{
  if (!peer)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED, _("The parent presented no certificate"));
      return FALSE;
    }
  if (errors & ~G_TLS_CERTIFICATE_BAD_IDENTITY)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The parent's certificate is not trusted (flags 0x%x)"), errors);
      return FALSE;
    }
  g_autofree char *cn = jc_net_tls_common_name (peer);
  if (g_strcmp0 (cn, link->parent_id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The server is %s, not %s, the parent that issued this node's certificate"),
                   cn ? cn : "?", link->parent_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_accept_certificate (SoupMessage *msg, GTlsCertificate *peer, GTlsCertificateFlags errors,
                       gpointer data)
{
  JcNetLink *link = data;
  g_autoptr(GError) error = NULL;
  if (!parent_acceptable (link, peer, errors, &error))
    {
      g_message ("refusing parent at %s: %s", link->url, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
connected_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  JcNetLink *link = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) ws =
    soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_autoptr(SoupMessage) msg = g_steal_pointer (&link->connecting);
  /* Checked here too: accept-certificate only runs when verification found errors. */
  if (ws && !parent_acceptable (link, soup_message_get_tls_peer_certificate (msg),
                                soup_message_get_tls_peer_certificate_errors (msg), &error))
    g_clear_object (&ws);
  if (!ws)
    {
      g_debug ("cannot connect to %s: %s", link->url, error->message);
      if (link->state_func)
        link->state_func (link->user_data, FALSE, error);
      schedule_retry (link);
      return;
    }
  link->attempts = 0;
  soup_websocket_connection_set_keepalive_interval (ws, link->keepalive_s);
  if (link->channel)
    g_clear_pointer (&link->channel, jc_net_channel_free);
  link->channel = jc_net_channel_new (ws, link->parent_id, &link->relay, link,
                                      link->window, link->max_message);
  if (link->state_func)
    link->state_func (link->user_data, TRUE, NULL);
  jc_net_channel_kick (link->channel);
}

static void
connect_now (JcNetLink *link)
{
  g_autofree char *url = g_strconcat (link->url, "/v1/link", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  if (!msg)
    {
      g_warning ("the parent address %s is not a valid URL", link->url);
      return;
    }
  soup_message_set_tls_client_certificate (msg, link->identity);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), link);
  g_clear_object (&link->connecting);
  link->connecting = g_object_ref (msg);
  soup_session_websocket_connect_async (link->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        link->cancellable, connected_cb, link);
}

JcNetLink *
jc_net_link_new (const JcNetLinkConfig *config, const JcNetChannelHandler *handler,
                 JcNetLinkStateFunc state_func, gpointer user_data, GError **error)
{
  g_autofree char *node_id = jc_net_tls_common_name (config->identity);
  g_autofree char *parent_id = jc_net_tls_issuer_common_name (config->identity);
  if (!node_id || !parent_id)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("This node's certificate has no common name for itself or its issuer"));
      return NULL;
    }
  if (!g_str_has_prefix (config->url, "https://"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The parent address %s must start with https://"), config->url);
      return NULL;
    }
  JcNetLink *link = g_new0 (JcNetLink, 1);
  link->url = g_strdup (config->url);
  while (g_str_has_suffix (link->url, "/"))
    link->url[strlen (link->url) - 1] = '\0';
  link->identity = g_object_ref (config->identity);
  link->trust = g_object_ref (config->trust);
  link->node_id = g_steal_pointer (&node_id);
  link->parent_id = g_steal_pointer (&parent_id);
  link->min_ms = config->reconnect_min_ms ? config->reconnect_min_ms : 500;
  link->max_ms = MAX (config->reconnect_max_ms ? config->reconnect_max_ms : 30000, link->min_ms);
  link->keepalive_s = config->keepalive_s ? config->keepalive_s : 30;
  link->window = config->window ? config->window : 64;
  link->max_message = config->max_message ? config->max_message : JC_NET_DEFAULT_MAX_MESSAGE;
  link->owner = handler;
  link->state_func = state_func;
  link->user_data = user_data;
  link->relay = (JcNetChannelHandler) { fwd_pending, fwd_acked, fwd_refused, fwd_receive, fwd_closed };
  link->session = soup_session_new_with_options ("tls-database", link->trust,
                                                 "timeout", 30, "idle-timeout", 0, NULL);
  link->cancellable = g_cancellable_new ();
  return link;
}

void
jc_net_link_start (JcNetLink *link)
{
  if (link->started)
    return;
  link->started = TRUE;
  connect_now (link);
}

void
jc_net_link_kick (JcNetLink *link)
{
  if (link->channel && jc_net_channel_is_open (link->channel))
    jc_net_channel_kick (link->channel);
}

gboolean
jc_net_link_is_connected (JcNetLink *link)
{
  return link->channel && jc_net_channel_is_open (link->channel);
}

const char *
jc_net_link_get_node_id (JcNetLink *link)
{
  return link->node_id;
}

const char *
jc_net_link_get_parent_id (JcNetLink *link)
{
  return link->parent_id;
}

gboolean
jc_net_link_set_identity (JcNetLink *link, GTlsCertificate *identity, GError **error)
{
  g_autofree char *cn = jc_net_tls_common_name (identity);
  g_autofree char *issuer = jc_net_tls_issuer_common_name (identity);
  if (g_strcmp0 (cn, link->node_id) != 0 || g_strcmp0 (issuer, link->parent_id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The new certificate is for %s under %s, not for this node %s under %s"),
                   cn ? cn : "?", issuer ? issuer : "?", link->node_id, link->parent_id);
      return FALSE;
    }
  g_set_object (&link->identity, identity);
  if (link->channel && jc_net_channel_is_open (link->channel))
    jc_net_channel_close (link->channel);
  return TRUE;
}

void
jc_net_link_free (JcNetLink *link)
{
  if (!link)
    return;
  link->started = FALSE;
  g_cancellable_cancel (link->cancellable);
  if (link->retry_id)
    g_source_remove (link->retry_id);
  if (link->reap_id)
    g_source_remove (link->reap_id);
  g_clear_pointer (&link->channel, jc_net_channel_free);
  g_clear_object (&link->connecting);
  g_object_unref (link->session);
  g_object_unref (link->cancellable);
  g_object_unref (link->identity);
  g_object_unref (link->trust);
  g_free (link->url);
  g_free (link->node_id);
  g_free (link->parent_id);
  g_free (link);
}
