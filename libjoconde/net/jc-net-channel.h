#pragma once

/* One parent-child link over a WebSocket, the same on both ends: it sends the
 * owner's outbox with a window of unacknowledged messages, and hands received
 * messages to the owner in batches, acknowledging them only after the owner has
 * committed them. */

#include <libsoup/soup.h>

#include "jc-net-frame.h"

G_BEGIN_DECLS

typedef struct {
  gint64  seq;
  char   *id;
  char  **to;
  char   *envelope_text;
} JcNetPending;

void jc_net_pending_free (JcNetPending *p);

typedef struct {
  JcNetFrame *frame;    /* in */
  GError     *refusal;  /* out: set when this message is refused for good */
} JcNetIncoming;

typedef struct {
  /* The next outbox entries after seq, oldest first (JcNetPending). */
  GPtrArray *(*pending)  (gpointer user_data, gint64 after_seq, guint limit);
  /* These outbox entries (gint64 seq) were acknowledged or refused by the peer. */
  void       (*acked)    (gpointer user_data, GArray *seqs);
  void       (*refused)  (gpointer user_data, gint64 seq, const char *id, const char *code,
                          const char *reason);
  /* Commit a batch durably (JcNetIncoming); FALSE means nothing was committed
   * and nothing may be acknowledged: the channel closes and the peer resends. */
  gboolean   (*receive)  (gpointer user_data, GPtrArray *incoming, GError **error);
  void       (*closed)   (gpointer user_data);
} JcNetChannelHandler;

typedef struct _JcNetChannel JcNetChannel;

JcNetChannel *jc_net_channel_new    (SoupWebsocketConnection   *ws,
                                     const char                *peer_name,
                                     const JcNetChannelHandler *handler,
                                     gpointer                   user_data,
                                     guint                      window,
                                     gsize                      max_message);
void          jc_net_channel_kick   (JcNetChannel *channel);
void          jc_net_channel_close  (JcNetChannel *channel);
void          jc_net_channel_free   (JcNetChannel *channel);
gboolean      jc_net_channel_is_open (JcNetChannel *channel);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcNetPending, jc_net_pending_free)

G_END_DECLS
