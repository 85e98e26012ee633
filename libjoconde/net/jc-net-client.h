#pragma once

/* A leaf node's messaging: a durable outbox and inbox in the node's own SQLite
 * database and the link to its parent. Every message sent is delivered exactly
 * once to each recipient; every message received is signalled exactly once, after
 * it has been committed to the inbox. */

#include <glib-object.h>

#include "jc-net-frame.h"

G_BEGIN_DECLS

typedef struct {
  const char *db_path;
  const char *parent_url;       /* https://host:port */
  const char *cert_file;        /* this node's certificate, then its issuers (PEM) */
  const char *key_file;
  const char *ca_file;          /* the System's root CA (PEM) */
  guint       reconnect_min_ms; /* 0: default */
  guint       reconnect_max_ms;
  guint       window;
} JcNetClientOptions;

#define JC_TYPE_NET_CLIENT (jc_net_client_get_type ())
G_DECLARE_FINAL_TYPE (JcNetClient, jc_net_client, JC, NET_CLIENT, GObject)

JcNetClient *jc_net_client_new           (const JcNetClientOptions *options,
                                          GError                  **error);
void         jc_net_client_start         (JcNetClient  *self);
const char  *jc_net_client_get_node_id   (JcNetClient  *self);
gboolean     jc_net_client_is_connected  (JcNetClient  *self);
gboolean     jc_net_client_send          (JcNetClient        *self,
                                          const char *const  *to,
                                          const char         *topic,
                                          JsonNode           *body,
                                          char              **out_id,
                                          GError            **error);
gint64       jc_net_client_outbox_count  (JcNetClient  *self);
gint64       jc_net_client_inbox_count   (JcNetClient  *self);
guint64      jc_net_client_get_duplicates_suppressed (JcNetClient *self);
/* Starts the rotation of this node's certificate (spec §4.4.2.3): a new key (written
 * beside the key file as KEY.new), a rotation request signed with the current key, sent
 * to the parent. When the parent's new certificate arrives it replaces the certificate
 * and key files, the link reconnects with it, and "rotated" is emitted. Also started by
 * itself once the certificate is no longer active. */
gboolean     jc_net_client_rotate        (JcNetClient  *self,
                                          GError      **error);
/* Asks the tree to revoke this node's certificate because its key may have leaked
 * (§4.4.2.3): a request signed with that key, sent to the root; every relay on the way
 * records it. The node cannot connect with this certificate afterwards. */
gboolean     jc_net_client_request_revocation (JcNetClient *self,
                                               const char  *reason,
                                               GError     **error);
GPtrArray   *jc_net_client_inbox_list    (JcNetClient  *self,
                                          gint64        after_seq,
                                          guint         limit,
                                          GError      **error);

G_END_DECLS
