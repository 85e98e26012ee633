#pragma once

/* The child end of a link: connects upward over mutual TLS, keeps the WebSocket
 * open, reconnects with back-off and resumes from the owner's durable outbox. Used
 * by every kind of child: desktop nodes, intermediate relays and cpds. */

#include "jc-net-channel.h"

G_BEGIN_DECLS

typedef struct {
  const char      *url;              /* https://host:port of the parent */
  GTlsCertificate *identity;         /* this node's certificate chain and key */
  GTlsDatabase    *trust;            /* the System's root CA */
  guint            reconnect_min_ms; /* 0: 500 */
  guint            reconnect_max_ms; /* 0: 30000 */
  guint            keepalive_s;      /* 0: 30 */
  guint            window;           /* 0: 64 */
  gsize            max_message;      /* 0: JC_NET_DEFAULT_MAX_MESSAGE */
} JcNetLinkConfig;

typedef struct _JcNetLink JcNetLink;

typedef void (*JcNetLinkStateFunc) (gpointer user_data, gboolean connected, const GError *error);

JcNetLink *jc_net_link_new           (const JcNetLinkConfig     *config,
                                      const JcNetChannelHandler *handler,
                                      JcNetLinkStateFunc         state_func,
                                      gpointer                   user_data,
                                      GError                   **error);
void       jc_net_link_start         (JcNetLink *link);
void       jc_net_link_kick          (JcNetLink *link);
gboolean   jc_net_link_is_connected  (JcNetLink *link);
const char *jc_net_link_get_node_id  (JcNetLink *link);
const char *jc_net_link_get_parent_id (JcNetLink *link);
/* Uses a new certificate (same node, e.g. after rotation) from the next connection on;
 * the current connection is closed so that happens at once. */
gboolean   jc_net_link_set_identity  (JcNetLink       *link,
                                      GTlsCertificate *identity,
                                      GError         **error);
void       jc_net_link_free          (JcNetLink *link);

G_END_DECLS
