#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "base/jc-error.h"
#include "jc-net-channel.h"

struct _JcNetChannel {
  SoupWebsocketConnection   *ws;
  char                      *peer;
  const JcNetChannelHandler *h;
  gpointer                   user_data;
  guint                      window;
  gsize                      max_message;
  GHashTable                *inflight;    /* gint64* outbox seq sent, not yet acknowledged */
  gint64                     last_seq;    /* highest seq sent on this connection */
  GPtrArray                 *incoming;    /* JcNetIncoming waiting for the batch */
  GArray                    *acks;        /* seqs acknowledged by the peer */
  guint                      flush_id;
  gulong                     message_handler, closed_handler;
  gboolean                   open;
};

void
jc_net_pending_free (JcNetPending *p)
{
  if (!p)
    return;
  g_free (p->id);
  g_strfreev (p->to);
  g_free (p->envelope_text);
  g_free (p);
}

static void
incoming_free (gpointer data)
{
  JcNetIncoming *in = data;
  jc_net_frame_free (in->frame);
  g_clear_error (&in->refusal);
  g_free (in);
}

static void
send_text (JcNetChannel *ch, const char *text)
{
  if (ch->open && soup_websocket_connection_get_state (ch->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (ch->ws, text);
}

static void
pump (JcNetChannel *ch)
{
  if (!ch->open)
    return;
  guint room = ch->window > g_hash_table_size (ch->inflight)
               ? ch->window - g_hash_table_size (ch->inflight) : 0;
  if (room == 0)
    return;
  g_autoptr(GPtrArray) rows = ch->h->pending (ch->user_data, ch->last_seq, room);
  for (guint i = 0; rows && i < rows->len; i++)
    {
      JcNetPending *p = rows->pdata[i];
      ch->last_seq = MAX (ch->last_seq, p->seq);
      if (g_hash_table_contains (ch->inflight, &p->seq))
        continue;
      g_autofree char *text = jc_net_frame_msg (p->seq, (const char *const *) p->to,
                                                p->envelope_text);
      if (!text)
        continue;
      g_hash_table_add (ch->inflight, g_memdup2 (&p->seq, sizeof p->seq));
      send_text (ch, text);
    }
}

void
jc_net_channel_kick (JcNetChannel *ch)
{
  pump (ch);
}

/* Runs once the frames that arrived together have been read: one transaction for
 * all of them, then the acknowledgements. */
static gboolean
flush (gpointer data)
{
  JcNetChannel *ch = data;
  ch->flush_id = 0;

  if (ch->acks->len > 0)
    {
      g_autoptr(GArray) acks = g_steal_pointer (&ch->acks);
      ch->acks = g_array_new (FALSE, FALSE, sizeof (gint64));
      ch->h->acked (ch->user_data, acks);
    }

  if (ch->incoming->len > 0)
    {
      g_autoptr(GPtrArray) batch = g_steal_pointer (&ch->incoming);
      g_autoptr(GError) error = NULL;
      ch->incoming = g_ptr_array_new_with_free_func (incoming_free);
      if (!ch->h->receive (ch->user_data, batch, &error))
        {
          /* Nothing committed: drop the link so the peer sends it all again later. */
          g_warning ("link %s: cannot store received messages, closing: %s",
                     ch->peer, error->message);
          jc_net_channel_close (ch);
          return G_SOURCE_REMOVE;
        }
      for (guint i = 0; i < batch->len; i++)
        {
          JcNetIncoming *in = batch->pdata[i];
          g_autofree char *reply =
            in->refusal ? jc_net_frame_nack (in->frame->id, in->frame->seq,
                                             jc_net_error_code (in->refusal),
                                             in->refusal->message)
                        : jc_net_frame_ack (in->frame->id, in->frame->seq);
          send_text (ch, reply);
        }
    }
  pump (ch);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (JcNetChannel *ch)
{
  if (!ch->flush_id)
    ch->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush, ch, NULL);
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  JcNetChannel *ch = data;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("link %s: binary frame refused, closing", ch->peer);
      jc_net_channel_close (ch);
      return;
    }
  g_autofree char *copy = g_strndup (text, len);
  JcNetFrame *frame = jc_net_frame_parse (copy, len, ch->max_message, &error);
  if (!frame)
    {
      /* A frame we cannot even read: tell the peer, keep the link. Without an
       * id we cannot refuse a particular message; the peer will resend it. */
      g_message ("link %s: malformed frame: %s", ch->peer, error->message);
      return;
    }
  switch (frame->kind)
    {
    case JC_NET_FRAME_ACK:
      if (g_hash_table_remove (ch->inflight, &frame->seq))
        g_array_append_val (ch->acks, frame->seq);
      jc_net_frame_free (frame);
      break;
    case JC_NET_FRAME_NACK:
      if (g_hash_table_remove (ch->inflight, &frame->seq))
        {
          ch->h->refused (ch->user_data, frame->seq, frame->id, frame->code,
                          frame->reason ? frame->reason : "");
          g_array_append_val (ch->acks, frame->seq);
        }
      jc_net_frame_free (frame);
      break;
    case JC_NET_FRAME_MSG:
      {
        JcNetIncoming *in = g_new0 (JcNetIncoming, 1);
        in->frame = frame;
        g_ptr_array_add (ch->incoming, in);
      }
      break;
    default:
      jc_net_frame_free (frame);
    }
  schedule_flush (ch);
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  JcNetChannel *ch = data;
  if (!ch->open)
    return;
  ch->open = FALSE;
  ch->h->closed (ch->user_data);
}

JcNetChannel *
jc_net_channel_new (SoupWebsocketConnection *ws, const char *peer_name,
                    const JcNetChannelHandler *handler, gpointer user_data,
                    guint window, gsize max_message)
{
  JcNetChannel *ch = g_new0 (JcNetChannel, 1);
  ch->ws = g_object_ref (ws);
  ch->peer = g_strdup (peer_name);
  ch->h = handler;
  ch->user_data = user_data;
  ch->window = MAX (window, 1);
  ch->max_message = max_message;
  ch->inflight = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  ch->incoming = g_ptr_array_new_with_free_func (incoming_free);
  ch->acks = g_array_new (FALSE, FALSE, sizeof (gint64));
  ch->open = TRUE;
  soup_websocket_connection_set_max_incoming_payload_size (ws, max_message + 64 * 1024);
  ch->message_handler = g_signal_connect (ws, "message", G_CALLBACK (on_message), ch);
  ch->closed_handler = g_signal_connect (ws, "closed", G_CALLBACK (on_closed), ch);
  return ch;
}

gboolean
jc_net_channel_is_open (JcNetChannel *ch)
{
  return ch && ch->open;
}

void
jc_net_channel_close (JcNetChannel *ch)
{
  if (soup_websocket_connection_get_state (ch->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ch->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  if (ch->open)
    {
      ch->open = FALSE;
      ch->h->closed (ch->user_data);
    }
}

void
jc_net_channel_free (JcNetChannel *ch)
{
  if (!ch)
    return;
  if (ch->flush_id)
    g_source_remove (ch->flush_id);
  g_signal_handler_disconnect (ch->ws, ch->message_handler);
  g_signal_handler_disconnect (ch->ws, ch->closed_handler);
  ch->open = FALSE;
  if (soup_websocket_connection_get_state (ch->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ch->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_object_unref (ch->ws);
  g_hash_table_unref (ch->inflight);
  g_ptr_array_unref (ch->incoming);
  g_array_unref (ch->acks);
  g_free (ch->peer);
  g_free (ch);
}
