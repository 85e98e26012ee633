#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-ctio-protocol.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-guest-task-private.h"
#include "jc-time.h"

/* The IO Service (spec §4.3.2.4; docs/guest.md "IO protocol"): requests of data custodians
 * and analysts on an attested session whose PAK the handshake proved. Every request is
 * authorised against the CTA before anything changes. */

#define REQUEST_MAX (1024 * 1024)

typedef struct {
  JcGuestTask   *task;
  JcAtlsSession *session;
  GIOStream     *stream;
  const guint8  *pak;
  char          *pak_b64;
  char          *who;      /* "custodian of nsi", for the log */
  const char    *remote;
} Io;

static gboolean
reply (Io *io, JsonNode *node)
{
  return jc_atls_frame_write (io->stream, node, NULL, NULL);
}

static void
reply_error (Io *io, const char *request, const GError *error)
{
  g_autoptr(JsonNode) node = jc_ctio_error_reply (error);
  jc_guest_task_log (io->task, JC_LOG_WARNING, "refused", io->pak_b64,
                     "%s from %s (%s) refused: %s", request, io->who, io->remote, error->message);
  reply (io, node);
}

static const char *
slot_state_name (Slot *s)
{
  if (s->uploading)
    return "in-use";
  return s->blob != NULL ? "ready" : "empty";
}

JsonNode *
jc_guest_io_status (JcGuestTask *task)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_mutex_lock (&task->lock);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "io-status");
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task->cta->task_id);
  json_builder_set_member_name (b, "party");
  json_builder_add_int_value (b, task->party);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, jc_guest_state_to_string (task->state));
  if (task->reason != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, task->reason);
    }
  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < task->slot_order->len; i++)
    {
      Slot *s = g_ptr_array_index (task->slot_order, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, s->spec->key);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, slot_state_name (s));
      if (s->dq_done)
        {
          json_builder_set_member_name (b, "quality");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "passed");
          json_builder_add_boolean_value (b, s->dq_passed);
          json_builder_set_member_name (b, "violations");
          json_builder_add_int_value (b, s->dq_violations);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "outputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < task->output_order->len; i++)
    {
      Output *o = g_ptr_array_index (task->output_order, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, o->spec->key);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, o->erased ? "erased" : o->blob ? "ready" : "empty");
      json_builder_set_member_name (b, "retrieved_by");
      json_builder_begin_array (b);
      for (guint p = 0; p < task->cta->ctsc->peers->len; p++)
        if (o->retrieved[p])
          json_builder_add_string_value (b, ((JcParty *) g_ptr_array_index (task->cta->ctsc->peers,
                                                                            p))->name);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_mutex_unlock (&task->lock);
  return json_builder_get_root (b);
}

/* ---- upload ---- */

static gboolean
upload_allowed_locked (Io *io, const char *input, Slot **slot, GError **error)
{
  JcGuestTask *task = io->task;
  const JcCtsc *ctsc = task->cta->ctsc;

  if (!jc_guest_policy_may_upload (task->policy, io->pak, input, error))
    return FALSE;
  if (jc_guest_now () >= ctsc->input_deadline)
    {
      g_autofree char *when = jc_time_format (ctsc->input_deadline);
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The input deadline (%s) has passed: no more uploads are accepted"), when);
      return FALSE;
    }
  if (task->state != JC_GUEST_STATE_INPUT)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("The task does not accept uploads now (it is in the %s state)"),
                   jc_guest_state_to_string (task->state));
      return FALSE;
    }
  *slot = g_hash_table_lookup (task->slots, input);
  if ((*slot)->uploading)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("Another upload of “%s” is under way; try again when it has ended"), input);
      return FALSE;
    }
  return TRUE;
}

static gboolean
receive_stream (Io *io, JcGuestBlob *blob, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream (io->stream);

  for (;;)
    {
      g_autoptr(GBytes) chunk = jc_ctio_chunk_read (in, NULL, error);
      if (chunk == NULL)
        return FALSE;
      if (g_bytes_get_size (chunk) == 0)
        return jc_guest_blob_commit (blob, error);
      if (jc_guest_task_get_state (io->task) != JC_GUEST_STATE_INPUT)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_STATE, _("The task left the input state"));
          return FALSE;
        }
      if (!jc_guest_blob_append (blob, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk),
                                 error))
        return FALSE;
    }
}

/* Waits for the coordinator's decision on this upload: TRUE when committed. */
static gboolean
wait_decision (Io *io, Slot *slot, const char *upload_id, GError **error)
{
  JcGuestTask *task = io->task;
  /* the leader decides within one timeout; the others give it twice as long */
  gint64 limit = g_get_monotonic_time ()
                 + (gint64) task->counterpart_timeout * G_USEC_PER_SEC
                   * (task->party == JC_GUEST_LEADER ? 1 : 2);
  gboolean committed = FALSE, timed_out = FALSE;

  g_mutex_lock (&task->lock);
  for (;;)
    {
      if (g_strcmp0 (slot->upload_id, upload_id) == 0)
        {
          committed = TRUE;
          break;
        }
      if (g_strcmp0 (slot->pending_id, upload_id) != 0 || task->state != JC_GUEST_STATE_INPUT
          || task->stopping)
        break;
      if (!g_cond_wait_until (&task->cond, &task->lock, limit))
        {
          timed_out = TRUE;
          break;
        }
    }
  g_mutex_unlock (&task->lock);
  if (committed)
    return TRUE;
  if (timed_out)
    jc_guest_coord_failed (task, slot->spec->key, upload_id);
  g_set_error (error, JC_ERROR, JC_ERROR_IO,
               _("The upload of “%s” was rolled back: not every computing party received its "
                 "share%s"), slot->spec->key,
               timed_out ? _(" in time") : "");
  return FALSE;
}

static void
handle_upload (Io *io, JsonObject *req)
{
  JcGuestTask *task = io->task;
  const char *input = json_object_get_string_member_with_default (req, "input", "");
  const char *upload_id = json_object_get_string_member_with_default (req, "upload_id", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) id = jc_base64url_decode (upload_id, NULL);
  g_autoptr(JcGuestBlob) blob = NULL;
  g_autoptr(JsonNode) ready = NULL, done = NULL;
  Slot *slot = NULL;

  if (id == NULL || g_bytes_get_size (id) != JC_CTIO_UPLOAD_ID_SIZE)
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_INVALID, _("The upload has no valid upload id"));
      reply_error (io, "upload", error);
      return;
    }
  g_mutex_lock (&task->lock);
  if (!upload_allowed_locked (io, input, &slot, &error))
    {
      g_mutex_unlock (&task->lock);
      reply_error (io, "upload", error);
      return;
    }
  /* the slot is locked for this upload until it is committed or rolled back */
  slot->uploading = TRUE;
  g_mutex_unlock (&task->lock);
  jc_guest_task_log (task, JC_LOG_NOTICE, "upload", io->pak_b64, "upload of %s by %s (%s) started",
                     input, io->who, io->remote);

  blob = jc_guest_blob_new (task->state_dir, input, &error);
  ready = jc_guest_message ("io-ready", NULL);
  if (blob == NULL || !reply (io, ready) || !receive_stream (io, blob, &error))
    {
      if (error == NULL)
        g_set_error (&error, JC_ERROR, JC_ERROR_IO, _("The client went away"));
      jc_guest_coord_failed (task, input, upload_id);
      goto done;
    }
  g_mutex_lock (&task->lock);
  g_clear_pointer (&slot->pending, jc_guest_blob_unref);
  g_free (slot->pending_id);
  slot->pending = g_steal_pointer (&blob);
  slot->pending_id = g_strdup (upload_id);
  g_mutex_unlock (&task->lock);
  jc_guest_coord_received (task, task->party, input, upload_id);
  wait_decision (io, slot, upload_id, &error);

done:
  g_mutex_lock (&task->lock);
  slot->uploading = FALSE;
  g_mutex_unlock (&task->lock);
  if (error != NULL)
    {
      reply_error (io, "upload", error);
      return;
    }
  jc_guest_task_log (task, JC_LOG_NOTICE, "upload-committed", io->pak_b64,
                     "upload of %s by %s committed on all computing parties", input, io->who);
  done = jc_guest_message ("io-done", NULL);
  reply (io, done);
}

/* ---- download ---- */

static void
handle_download (Io *io, JsonObject *req)
{
  JcGuestTask *task = io->task;
  const char *key = json_object_get_string_member_with_default (req, "output", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcGuestBlob) blob = NULL;
  g_autoptr(JcGuestBlobReader) reader = NULL;
  g_autoptr(JsonNode) ready = NULL, go = NULL, done = NULL;
  Output *out = NULL;
  gint64 peer = -1;
  const char *peer_name = "";
  gboolean sent = FALSE;

  g_mutex_lock (&task->lock);
  if (!jc_guest_policy_may_download (task->policy, io->pak, key, &peer, &error))
    goto refused;
  peer_name = ((JcParty *) g_ptr_array_index (task->cta->ctsc->peers, peer))->name;
  out = g_hash_table_lookup (task->outputs, key);
  if (task->state != JC_GUEST_STATE_OUTPUT)
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_STATE,
                   _("The results are not available (the task is in the %s state)"),
                   jc_guest_state_to_string (task->state));
      goto refused;
    }
  if (out->retrieved[peer])
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_DENIED,
                   _("The output “%s” was retrieved for %s already; each peer gets it once"),
                   key, peer_name);
      goto refused;
    }
  if (out->reserved[peer])
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_STATE,
                   _("The output “%s” is being downloaded for %s right now"), key, peer_name);
      goto refused;
    }
  if (out->blob == NULL)
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_NOT_FOUND, _("The output “%s” was erased"), key);
      goto refused;
    }
  out->reserved[peer] = TRUE;
  blob = jc_guest_blob_ref (out->blob);
  g_mutex_unlock (&task->lock);

  /* reserved; sent only once the client has every VM's agreement (io-go) */
  ready = jc_guest_message ("io-ready", NULL);
  json_object_set_int_member (json_node_get_object (ready), "size",
                              (gint64) jc_guest_blob_get_size (blob));
  if (reply (io, ready)
      && (go = jc_atls_frame_read (io->stream, REQUEST_MAX, NULL, NULL)) != NULL
      && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (go), "type",
                                                                ""), "io-go") == 0)
    {
      GOutputStream *os = g_io_stream_get_output_stream (io->stream);
      g_autofree guint8 *buf = g_malloc (JC_CTIO_CHUNK_MAX);
      gsize n = 0;

      reader = jc_guest_blob_read_open (blob, &error);
      while (reader != NULL)
        {
          if (!jc_guest_blob_read (reader, buf, JC_CTIO_CHUNK_MAX, &n, &error))
            break;
          if (!jc_ctio_chunk_write (os, buf, n, NULL, &error))
            break;
          if (n == 0)
            {
              sent = TRUE;
              break;
            }
        }
    }

  g_mutex_lock (&task->lock);
  out->reserved[peer] = FALSE;
  if (sent)
    {
      gboolean all = TRUE;
      out->retrieved[peer] = TRUE;
      for (guint i = 0; i < out->spec->peers->len; i++)
        {
          const JcPeerRef *ref = &g_array_index (out->spec->peers, JcPeerRef, i);
          all &= out->retrieved[ref->index];
        }
      if (all && !out->erased)
        {
          /* every peer has its copy: the share is erased */
          g_clear_pointer (&out->blob, jc_guest_blob_unref);
          out->erased = TRUE;
          jc_guest_task_log (task, JC_LOG_NOTICE, "erase", NULL,
                             "output %s erased: every peer retrieved it", key);
        }
      jc_guest_task_check_finished_locked (task);
    }
  g_mutex_unlock (&task->lock);
  if (sent)
    {
      jc_guest_task_log (task, JC_LOG_NOTICE, "download", io->pak_b64,
                         "output %s retrieved for %s by %s (%s)", key, peer_name, io->who,
                         io->remote);
      done = jc_guest_message ("io-done", NULL);
      reply (io, done);
    }
  return;

refused:
  g_mutex_unlock (&task->lock);
  reply_error (io, "download", error);
}

static void
handle_control (Io *io, JsonObject *req)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *via = g_strdup_printf ("%s (%s)", io->who, io->remote);

  if (!jc_guest_task_control (io->task, json_object_get_member (req, "message"),
                              json_object_get_member (req, "signature"), via, &error))
    reply_error (io, "control", error);
  else
    {
      g_autoptr(JsonNode) done = jc_guest_message ("io-done", NULL);
      reply (io, done);
    }
}

void
jc_guest_io_serve (JcGuestTask *task, JcAtlsSession *session, const char *remote)
{
  Io io = { .task = task, .session = session, .stream = jc_atls_session_get_stream (session),
            .pak = jc_atls_session_get_peer_pak (session), .remote = remote };

  if (io.pak == NULL)
    return;
  io.pak_b64 = jc_base64url_encode (io.pak, 32);
  io.who = jc_guest_policy_describe_pak (task->policy, io.pak);
  for (;;)
    {
      g_autoptr(JsonNode) req = jc_atls_frame_read (io.stream, REQUEST_MAX, NULL, NULL);
      const char *type;
      JsonObject *o;

      if (req == NULL)
        break;
      o = json_node_get_object (req);
      type = json_object_get_string_member_with_default (o, "type", "");
      /* the redacted request: what was asked, by which PAK, never the data */
      jc_guest_task_log (task, JC_LOG_INFO, "request", io.pak_b64, "%s from %s (%s)%s%s", type,
                         io.who, remote,
                         json_object_has_member (o, "input") || json_object_has_member (o, "output")
                           ? " for " : "",
                         json_object_get_string_member_with_default (
                           o, json_object_has_member (o, "input") ? "input" : "output", ""));
      if (g_strcmp0 (type, "io-status") == 0)
        {
          g_autoptr(JsonNode) status = jc_guest_io_status (task);
          if (!reply (&io, status))
            break;
        }
      else if (g_strcmp0 (type, "io-upload") == 0)
        handle_upload (&io, o);
      else if (g_strcmp0 (type, "io-download") == 0)
        handle_download (&io, o);
      else if (g_strcmp0 (type, "io-control") == 0)
        handle_control (&io, o);
      else
        {
          g_autoptr(GError) error = g_error_new (JC_ERROR, JC_ERROR_INVALID,
                                                 _("Unknown request “%s”"), type);
          reply_error (&io, type, error);
          break;
        }
    }
  g_free (io.pak_b64);
  g_free (io.who);
}
