#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>

#include "jc-error.h"
#include "jc-guest-task-private.h"

/* Links with the counterpart VMs (docs/guest.md "Counterparts"). Between each pair of VMs
 * there are two attested TLS connections with mutual attestation: "control" (coordination
 * messages, pings) and "data" (the engine's channel during runs). The VM with the higher
 * party index dials the lower one; the first frame names the dialer and the channel. */

#define LINK_FRAME_MAX (64 * 1024)
#define DIAL_RETRY_MS 200

JsonNode *
jc_guest_message (const char *type, ...)
{
  JsonObject *o = json_object_new ();
  JsonNode *node;
  va_list ap;
  const char *name;

  json_object_set_string_member (o, "type", type);
  va_start (ap, type);
  while ((name = va_arg (ap, const char *)) != NULL)
    json_object_set_string_member (o, name, va_arg (ap, const char *));
  va_end (ap);
  node = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  return node;
}

static GSocket *
session_socket (JcAtlsSession *session)
{
  GIOStream *tls = jc_atls_session_get_stream (session);
  g_autoptr(GIOStream) base = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (tls), "base-io-stream") == NULL)
    return NULL;
  g_object_get (tls, "base-io-stream", &base, NULL);
  if (base == NULL || !G_IS_SOCKET_CONNECTION (base))
    return NULL;
  return g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)));
}

static gboolean
closed_locked (JcGuestTask *task)
{
  return task->stopping || task->state == JC_GUEST_STATE_CANCELLED
         || task->state == JC_GUEST_STATE_FINISHED;
}

static void
read_control (JcGuestTask *task, guint from)
{
  Channel *ch = &task->cps[from].control;
  GIOStream *stream = jc_atls_session_get_stream (ch->session);

  if (ch->socket != NULL)
    g_socket_set_timeout (ch->socket, task->counterpart_timeout);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) msg = jc_atls_frame_read (stream, LINK_FRAME_MAX, NULL, &error);
      const char *type;

      if (msg == NULL)
        {
          gboolean closed, before_output;
          g_autofree char *reason = NULL;

          g_mutex_lock (&task->lock);
          closed = closed_locked (task);
          before_output = task->state < JC_GUEST_STATE_OUTPUT;
          task->cps[from].lost = TRUE;
          g_mutex_unlock (&task->lock);
          if (closed)
            return;
          reason = g_strdup_printf (_("Lost contact with computing party %u's VM: %s"), from + 1,
                                    error ? error->message : _("the connection closed"));
          jc_guest_task_log (task, JC_LOG_WARNING, "counterpart-lost", NULL, "%s", reason);
          /* outputs no longer need the counterparts: only an earlier loss cancels */
          if (before_output)
            jc_guest_task_cancel (task, reason, TRUE);
          return;
        }
      type = json_object_get_string_member_with_default (json_node_get_object (msg), "type", "");
      if (g_strcmp0 (type, "ping") != 0)
        jc_guest_coord_handle (task, from, msg);
    }
}

/* Registers an established channel; returns FALSE if that channel exists already. */
static gboolean
register_channel (JcGuestTask *task, guint party, gboolean control, JcAtlsSession *session)
{
  Channel *ch = control ? &task->cps[party].control : &task->cps[party].data;

  g_mutex_lock (&task->lock);
  if (ch->session != NULL || closed_locked (task))
    {
      g_mutex_unlock (&task->lock);
      return FALSE;
    }
  ch->session = g_object_ref (session);
  ch->socket = session_socket (session);
  task->links_up++;
  jc_guest_task_log (task, JC_LOG_INFO, "link", NULL, "%s channel with computing party %u's VM up",
                     control ? "control" : "data", party + 1);
  if (task->links_up == 2 * (task->n_parties - 1) && task->state == JC_GUEST_STATE_INITIALISATION)
    jc_guest_task_set_state_locked (task, JC_GUEST_STATE_INPUT);
  g_mutex_unlock (&task->lock);
  return TRUE;
}

static JcAtlsSession *
dial (JcGuestTask *task, guint to, const char *channel)
{
  g_autoptr(GError) error = NULL;
  gboolean logged = FALSE;

  for (;;)
    {
      g_autoptr(JcAtlsClient) client = NULL;
      g_autoptr(JcAtlsSession) session = NULL;
      gboolean closed;

      g_mutex_lock (&task->lock);
      closed = closed_locked (task) || jc_guest_now () >= task->cta->ctsc->input_deadline;
      g_mutex_unlock (&task->lock);
      if (closed)
        return NULL;
      task->vm_policy.at = jc_guest_now ();
      client = jc_atls_client_new (&task->vm_policy, task->cta_hash, sizeof task->cta_hash);
      jc_atls_client_set_vm (client, task->identity, task->provider);
      jc_atls_client_set_timeout (client, task->counterpart_timeout);
      g_clear_error (&error);
      session = jc_atls_client_connect (client, task->cps[to].address, NULL, &error);
      if (session != NULL)
        {
          g_autoptr(JsonNode) hello = jc_guest_message ("link-hello", "channel", channel, NULL);
          json_object_set_int_member (json_node_get_object (hello), "party", task->party);
          if (jc_atls_frame_write (jc_atls_session_get_stream (session), hello, NULL, &error))
            return g_steal_pointer (&session);
        }
      /* a refused attestation is worth a line in the log; a VM not up yet is not */
      if (!logged && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        {
          jc_guest_task_log (task, JC_LOG_WARNING, "link-failed", NULL,
                             "cannot reach computing party %u's VM at %s yet: %s", to + 1,
                             task->cps[to].address, error->message);
          logged = TRUE;
        }
      g_usleep (DIAL_RETRY_MS * 1000);
    }
}

static gpointer
dial_thread (gpointer data)
{
  JcGuestTask *task = ((gpointer *) data)[0];
  guint to = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  g_autoptr(JcAtlsSession) control = NULL;
  g_autoptr(JcAtlsSession) dataset = NULL;

  g_free (data);
  control = dial (task, to, "control");
  if (control == NULL || !register_channel (task, to, TRUE, control))
    return NULL;
  dataset = dial (task, to, "data");
  if (dataset == NULL || !register_channel (task, to, FALSE, dataset))
    return NULL;
  read_control (task, to);
  return NULL;
}

void
jc_guest_link_start (JcGuestTask *task)
{
  for (guint j = 0; j < task->party; j++)
    {
      gpointer *args = g_new (gpointer, 2);
      args[0] = task;
      args[1] = GUINT_TO_POINTER (j);
      g_thread_unref (g_thread_new ("link-dial", dial_thread, args));
    }
}

void
jc_guest_link_accept (JcGuestTask *task, JcAtlsSession *session, const char *remote)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hello = jc_atls_frame_read (jc_atls_session_get_stream (session),
                                                  LINK_FRAME_MAX, NULL, &error);
  JsonObject *o = hello ? json_node_get_object (hello) : NULL;
  gint64 from;
  const char *channel;

  if (o == NULL || g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""),
                              "link-hello") != 0)
    return;
  from = json_object_get_int_member_with_default (o, "party", -1);
  channel = json_object_get_string_member_with_default (o, "channel", "");
  /* the higher index dials the lower */
  if (from <= (gint64) task->party || from >= (gint64) task->n_parties)
    {
      jc_guest_task_log (task, JC_LOG_WARNING, "link-refused", NULL,
                         "a VM at %s claims to be party %" G_GINT64_FORMAT ", refused", remote,
                         from + 1);
      return;
    }
  if (g_strcmp0 (channel, "control") == 0)
    {
      if (register_channel (task, from, TRUE, session))
        read_control (task, from);
    }
  else if (g_strcmp0 (channel, "data") == 0)
    register_channel (task, from, FALSE, session);
}

gboolean
jc_guest_link_send (JcGuestTask *task, guint party, JsonNode *message, GError **error)
{
  Channel *ch = &task->cps[party].control;
  JcAtlsSession *session;
  gboolean ok;

  g_mutex_lock (&task->lock);
  session = ch->session ? g_object_ref (ch->session) : NULL;
  g_mutex_unlock (&task->lock);
  if (session == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("No link with computing party %u's VM"), party + 1);
      return FALSE;
    }
  g_mutex_lock (&ch->write_lock);
  ok = jc_atls_frame_write (jc_atls_session_get_stream (session), message, NULL, error);
  g_mutex_unlock (&ch->write_lock);
  g_object_unref (session);
  return ok;
}

void
jc_guest_link_broadcast (JcGuestTask *task, JsonNode *message)
{
  for (guint j = 0; j < task->n_parties; j++)
    if (j != task->party)
      jc_guest_link_send (task, j, message, NULL);
}

void
jc_guest_link_ping (JcGuestTask *task)
{
  static gint64 last;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(JsonNode) ping = NULL;

  /* a third of the timeout keeps a healthy link well inside it */
  if (now - last < (gint64) task->counterpart_timeout * G_USEC_PER_SEC / 3)
    return;
  last = now;
  ping = jc_guest_message ("ping", NULL);
  jc_guest_link_broadcast (task, ping);
}

static void
shutdown_channels (JcGuestTask *task, gboolean control)
{
  g_mutex_lock (&task->lock);
  for (guint j = 0; j < JC_GUEST_MAX_PARTIES; j++)
    {
      Channel *chs[2] = { &task->cps[j].data, &task->cps[j].control };
      for (guint c = 0; c < (control ? 2u : 1u); c++)
        if (chs[c]->socket != NULL)
          g_socket_shutdown (chs[c]->socket, TRUE, TRUE, NULL);
    }
  g_mutex_unlock (&task->lock);
}

/* Unblocks a run waiting on a counterpart. The control channels stay open: closing them
 * while a counterpart writes would reset the connection and could destroy the cancel
 * message still in flight to it. */
void
jc_guest_link_shutdown_data (JcGuestTask *task)
{
  shutdown_channels (task, FALSE);
}

void
jc_guest_link_shutdown_all (JcGuestTask *task)
{
  shutdown_channels (task, TRUE);
}
