#define G_LOG_DOMAIN "joconde-ctio"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "jc-atls.h"
#include "jc-ctio.h"
#include "jc-encoding.h"
#include "jc-error.h"

#define MAX_PARTIES 8
#define REPLY_MAX (4 * 1024 * 1024)

struct _JcCtioClient
{
  GObject      parent_instance;
  JcTeePolicy  policy;
  GBytes      *cta_hash;
  JcSecret    *pak;
  char        *addresses[MAX_PARTIES];
  guint        n_parties;
  guint        timeout;
};

G_DEFINE_FINAL_TYPE (JcCtioClient, jc_ctio_client, G_TYPE_OBJECT)

static void
jc_ctio_client_finalize (GObject *object)
{
  JcCtioClient *self = JC_CTIO_CLIENT (object);

  jc_tee_policy_clear (&self->policy);
  g_bytes_unref (self->cta_hash);
  jc_secret_free (self->pak);
  for (guint i = 0; i < MAX_PARTIES; i++)
    g_free (self->addresses[i]);
  G_OBJECT_CLASS (jc_ctio_client_parent_class)->finalize (object);
}

static void
jc_ctio_client_class_init (JcCtioClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_ctio_client_finalize;
}

static void
jc_ctio_client_init (JcCtioClient *self)
{
  self->timeout = 30;
}

JcCtioClient *
jc_ctio_client_new (const JcTeePolicy *policy, const guint8 *cta_hash, gsize cta_hash_len,
                    const JcSecret *pak_secret)
{
  JcCtioClient *self = g_object_new (JC_TYPE_CTIO_CLIENT, NULL);

  jc_tee_policy_copy (&self->policy, policy);
  self->cta_hash = g_bytes_new (cta_hash, cta_hash_len);
  self->pak = jc_secret_copy (pak_secret->data, pak_secret->len);
  return self;
}

void
jc_ctio_client_set_address (JcCtioClient *self, guint party, const char *address)
{
  g_return_if_fail (party < MAX_PARTIES);
  g_free (self->addresses[party]);
  self->addresses[party] = g_strdup (address);
  self->n_parties = MAX (self->n_parties, party + 1);
}

guint
jc_ctio_client_get_n_parties (JcCtioClient *self)
{
  return self->n_parties;
}

void
jc_ctio_client_set_timeout (JcCtioClient *self, guint seconds)
{
  self->timeout = seconds;
}

/* An attested session with PARTY's VM, proving our PAK. */
static JcAtlsSession *
connect_party (JcCtioClient *self, guint party, GCancellable *cancellable, GError **error)
{
  g_autoptr(JcAtlsClient) c = NULL;
  g_autoptr(GError) local = NULL;
  JcAtlsSession *session;

  if (party >= self->n_parties || self->addresses[party] == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("The address of computing party %u's VM is not known"), party + 1);
      return NULL;
    }
  /* the policy's time is the time of this check */
  self->policy.at = g_get_real_time () / G_USEC_PER_SEC;
  c = jc_atls_client_new (&self->policy, g_bytes_get_data (self->cta_hash, NULL),
                          g_bytes_get_size (self->cta_hash));
  jc_atls_client_set_pak (c, self->pak);
  jc_atls_client_set_timeout (c, self->timeout);
  session = jc_atls_client_connect (c, self->addresses[party], cancellable, &local);
  if (session == NULL)
    {
      g_set_error (error, JC_ERROR, local->domain == JC_ERROR ? local->code : JC_ERROR_IO,
                   _("Computing party %u's VM (%s): %s"), party + 1, self->addresses[party],
                   local->message);
      return NULL;
    }
  /* requests and bulk data may wait on the other VMs: no handshake timeout from here on */
  return session;
}

static JsonNode *
request (JcAtlsSession *session, JsonNode *req, GCancellable *cancellable, GError **error)
{
  GIOStream *s = jc_atls_session_get_stream (session);

  if (!jc_atls_frame_write (s, req, cancellable, error))
    return NULL;
  return jc_atls_frame_read (s, REPLY_MAX, cancellable, error);
}

static JsonNode *
simple_request (const char *type, const char *member, const char *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  if (member != NULL)
    {
      json_builder_set_member_name (b, member);
      json_builder_add_string_value (b, value);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
prefix_party (GError **error, guint party)
{
  if (error != NULL && *error != NULL)
    g_prefix_error (error, _("Computing party %u's VM: "), party + 1);
}

JsonNode *
jc_ctio_status (JcCtioClient *self, guint party, GCancellable *cancellable, GError **error)
{
  g_autoptr(JcAtlsSession) session = connect_party (self, party, cancellable, error);
  g_autoptr(JsonNode) req = simple_request ("io-status", NULL, NULL);
  g_autoptr(JsonNode) reply = NULL;

  if (session == NULL)
    return NULL;
  reply = request (session, req, cancellable, error);
  if (reply == NULL || !jc_ctio_reply_check (reply, "io-status", error))
    {
      prefix_party (error, party);
      return NULL;
    }
  return g_steal_pointer (&reply);
}

/* ---- upload ---- */

struct _JcCtioUpload
{
  JcCtioClient      *client;
  JcAtlsSession     *sessions[MAX_PARTIES];
  guint              n;
  guint8             pending[MAX_PARTIES][JC_CTIO_CHUNK_MAX];
  gsize              pending_len[MAX_PARTIES];
  guint64            sent;
  JcCtioProgressFunc progress;
  gpointer           progress_data;
  GError            *error;   /* the first write error, for the engine write callback */
};

void
jc_ctio_upload_free (JcCtioUpload *up)
{
  if (up == NULL)
    return;
  for (guint i = 0; i < up->n; i++)
    g_clear_object (&up->sessions[i]);
  g_clear_error (&up->error);
  g_clear_object (&up->client);
  g_free (up);
}

JcCtioUpload *
jc_ctio_upload_begin (JcCtioClient *self, const char *input_key, GCancellable *cancellable,
                      GError **error)
{
  g_autoptr(JcCtioUpload) up = g_new0 (JcCtioUpload, 1);
  guint8 id[JC_CTIO_UPLOAD_ID_SIZE];
  g_autofree char *id_text = NULL;

  if (self->n_parties == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("No computation VM address is known"));
      return NULL;
    }
  /* one id for the three streams, so the VMs can tell they commit the same upload */
  randombytes_buf (id, sizeof id);
  id_text = jc_base64url_encode (id, sizeof id);
  up->client = g_object_ref (self);
  up->n = self->n_parties;
  for (guint p = 0; p < up->n; p++)
    {
      up->sessions[p] = connect_party (self, p, cancellable, error);
      if (up->sessions[p] == NULL)
        return NULL;
    }
  for (guint p = 0; p < up->n; p++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) req = NULL, reply = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "io-upload");
      json_builder_set_member_name (b, "input");
      json_builder_add_string_value (b, input_key);
      json_builder_set_member_name (b, "upload_id");
      json_builder_add_string_value (b, id_text);
      json_builder_end_object (b);
      req = json_builder_get_root (b);
      reply = request (up->sessions[p], req, cancellable, error);
      if (reply == NULL || !jc_ctio_reply_check (reply, "io-ready", error))
        {
          prefix_party (error, p);
          return NULL;
        }
    }
  return g_steal_pointer (&up);
}

void
jc_ctio_upload_set_progress (JcCtioUpload *up, JcCtioProgressFunc func, gpointer user_data)
{
  up->progress = func;
  up->progress_data = user_data;
}

static gboolean
flush_party (JcCtioUpload *up, guint party, GError **error)
{
  GOutputStream *out;

  if (up->pending_len[party] == 0)
    return TRUE;
  out = g_io_stream_get_output_stream (jc_atls_session_get_stream (up->sessions[party]));
  if (!jc_ctio_chunk_write (out, up->pending[party], up->pending_len[party], NULL, error))
    {
      prefix_party (error, party);
      return FALSE;
    }
  up->sent += up->pending_len[party];
  up->pending_len[party] = 0;
  if (up->progress != NULL)
    up->progress (up->sent, up->progress_data);
  return TRUE;
}

gboolean
jc_ctio_upload_write (JcCtioUpload *up, guint party, const void *buf, gsize len, GError **error)
{
  const guint8 *p = buf;

  if (party >= up->n)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("There is no computing party %u"), party + 1);
      return FALSE;
    }
  while (len > 0)
    {
      gsize n = MIN (len, JC_CTIO_CHUNK_MAX - up->pending_len[party]);
      memcpy (up->pending[party] + up->pending_len[party], p, n);
      up->pending_len[party] += n;
      p += n;
      len -= n;
      if (up->pending_len[party] == JC_CTIO_CHUNK_MAX && !flush_party (up, party, error))
        return FALSE;
    }
  return TRUE;
}

int
jc_ctio_upload_engine_write (void *user, unsigned party, const void *buf, size_t len)
{
  JcCtioUpload *up = user;

  if (up->error != NULL)
    return -1;
  return jc_ctio_upload_write (up, party, buf, len, &up->error) ? 0 : -1;
}

gboolean
jc_ctio_upload_finish (JcCtioUpload *up, GCancellable *cancellable, GError **error)
{
  if (up->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&up->error));
      return FALSE;
    }
  for (guint p = 0; p < up->n; p++)
    {
      GOutputStream *out;
      if (!flush_party (up, p, error))
        return FALSE;
      out = g_io_stream_get_output_stream (jc_atls_session_get_stream (up->sessions[p]));
      if (!jc_ctio_chunk_write (out, NULL, 0, cancellable, error))
        {
          prefix_party (error, p);
          return FALSE;
        }
    }
  /* every VM answers once all of them hold their share (or all roll back) */
  for (guint p = 0; p < up->n; p++)
    {
      g_autoptr(JsonNode) reply = jc_atls_frame_read (jc_atls_session_get_stream (up->sessions[p]),
                                                      REPLY_MAX, cancellable, error);
      if (reply == NULL || !jc_ctio_reply_check (reply, "io-done", error))
        {
          prefix_party (error, p);
          return FALSE;
        }
    }
  return TRUE;
}

guint64
jc_ctio_upload_get_bytes_sent (JcCtioUpload *up)
{
  return up->sent;
}

/* ---- download ---- */

gboolean
jc_ctio_download (JcCtioClient *self, const char *output_key, JcCtioSinkFunc sink,
                  gpointer user_data, GCancellable *cancellable, GError **error)
{
  JcAtlsSession *sessions[MAX_PARTIES] = { NULL };
  gboolean ended[MAX_PARTIES] = { FALSE };
  guint n = self->n_parties, n_ended = 0;
  gboolean ok = FALSE;

  if (n == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("No computation VM address is known"));
      return FALSE;
    }
  for (guint p = 0; p < n; p++)
    if ((sessions[p] = connect_party (self, p, cancellable, error)) == NULL)
      goto out;
  /* every VM reserves the output for our peer first; only when all agreed do they send */
  for (guint p = 0; p < n; p++)
    {
      g_autoptr(JsonNode) req = simple_request ("io-download", "output", output_key);
      g_autoptr(JsonNode) reply = request (sessions[p], req, cancellable, error);
      if (reply == NULL || !jc_ctio_reply_check (reply, "io-ready", error))
        {
          prefix_party (error, p);
          goto out;
        }
    }
  for (guint p = 0; p < n; p++)
    {
      g_autoptr(JsonNode) go = simple_request ("io-go", NULL, NULL);
      if (!jc_atls_frame_write (jc_atls_session_get_stream (sessions[p]), go, cancellable, error))
        {
          prefix_party (error, p);
          goto out;
        }
    }
  while (n_ended < n)
    for (guint p = 0; p < n; p++)
      {
        g_autoptr(GBytes) chunk = NULL;
        GInputStream *in;
        if (ended[p])
          continue;
        in = g_io_stream_get_input_stream (jc_atls_session_get_stream (sessions[p]));
        chunk = jc_ctio_chunk_read (in, cancellable, error);
        if (chunk == NULL)
          {
            prefix_party (error, p);
            goto out;
          }
        if (g_bytes_get_size (chunk) == 0)
          {
            ended[p] = TRUE;
            n_ended++;
            continue;
          }
        if (!sink (p, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), user_data, error))
          goto out;
      }
  for (guint p = 0; p < n; p++)
    {
      g_autoptr(JsonNode) reply = jc_atls_frame_read (jc_atls_session_get_stream (sessions[p]),
                                                      REPLY_MAX, cancellable, error);
      if (reply == NULL || !jc_ctio_reply_check (reply, "io-done", error))
        {
          prefix_party (error, p);
          goto out;
        }
    }
  ok = TRUE;
out:
  for (guint p = 0; p < n; p++)
    g_clear_object (&sessions[p]);
  return ok;
}

gboolean
jc_ctio_control (JcCtioClient *self, guint party, const JcControlMessage *message,
                 const JcNodeSignature *signature, GCancellable *cancellable, GError **error)
{
  g_autoptr(JcAtlsSession) session = connect_party (self, party, cancellable, error);
  g_autoptr(JsonNode) req = NULL, reply = NULL;
  JsonObject *o = json_object_new ();

  if (session == NULL)
    {
      json_object_unref (o);
      return FALSE;
    }
  json_object_set_string_member (o, "type", "io-control");
  json_object_set_member (o, "message", jc_control_message_to_json (message));
  if (signature != NULL)
    json_object_set_member (o, "signature", jc_node_signature_to_json (signature));
  req = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  reply = request (session, req, cancellable, error);
  if (reply == NULL || !jc_ctio_reply_check (reply, "io-done", error))
    {
      prefix_party (error, party);
      return FALSE;
    }
  return TRUE;
}

/* ---- waiting ---- */

static const char *const state_order[] = {
  "initialisation", "input", "calculation", "output", "finished",
};

static int
state_rank (const char *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_order); i++)
    if (g_strcmp0 (state, state_order[i]) == 0)
      return (int) i;
  return -1;
}

#define POLL_INTERVAL_US (200 * 1000)

gboolean
jc_ctio_wait_state (JcCtioClient *self, const char *state, guint timeout_s,
                    GCancellable *cancellable, GError **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean want_cancelled = g_strcmp0 (state, "cancelled") == 0;

  for (guint p = 0; p < self->n_parties; p++)
    for (;;)
      {
        g_autoptr(GError) local = NULL;
        g_autoptr(JsonNode) st = jc_ctio_status (self, p, cancellable, &local);
        JsonObject *o = st ? json_node_get_object (st) : NULL;
        const char *now = o ? json_object_get_string_member_with_default (o, "state", "") : NULL;

        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          return FALSE;
        if (now != NULL && g_strcmp0 (now, "cancelled") == 0)
          {
            if (want_cancelled)
              break;
            g_set_error (error, JC_ERROR, JC_ERROR_CANCELLED,
                         _("The task was cancelled: %s"),
                         json_object_get_string_member_with_default (o, "reason", ""));
            return FALSE;
          }
        if (now != NULL && !want_cancelled && state_rank (now) >= state_rank (state)
            && state_rank (state) >= 0)
          break;
        if (g_get_monotonic_time () > end)
          {
            g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                         _("Computing party %u's VM did not reach “%s” in %u s (it is %s)"),
                         p + 1, state, timeout_s, now ? now : local->message);
            return FALSE;
          }
        g_usleep (POLL_INTERVAL_US);
      }
  return TRUE;
}

gboolean
jc_ctio_wait_quality (JcCtioClient *self, const char *input_key, guint timeout_s,
                      gboolean *passed, gint64 *violations, GCancellable *cancellable,
                      GError **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(JsonNode) st = jc_ctio_status (self, 0, cancellable, error);
      JsonObject *o;
      JsonArray *inputs;
      const char *state;

      if (st == NULL)
        return FALSE;
      o = json_node_get_object (st);
      state = json_object_get_string_member_with_default (o, "state", "");
      inputs = json_object_has_member (o, "inputs") ? json_object_get_array_member (o, "inputs")
                                                    : NULL;
      for (guint i = 0; inputs != NULL && i < json_array_get_length (inputs); i++)
        {
          JsonObject *in = json_array_get_object_element (inputs, i);
          JsonObject *q;
          if (in == NULL || g_strcmp0 (json_object_get_string_member_with_default (in, "key", ""),
                                       input_key) != 0)
            continue;
          if (!json_object_has_member (in, "quality"))
            break;
          q = json_object_get_object_member (in, "quality");
          *passed = json_object_get_boolean_member_with_default (q, "passed", FALSE);
          *violations = json_object_get_int_member_with_default (q, "violations", -1);
          return TRUE;
        }
      if (state_rank (state) >= state_rank ("output") || g_strcmp0 (state, "cancelled") == 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                       _("No data-quality verdict for “%s” (the task is %s)"), input_key, state);
          return FALSE;
        }
      if (g_get_monotonic_time () > end)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                       _("No data-quality verdict for “%s” within %u s"), input_key, timeout_s);
          return FALSE;
        }
      g_usleep (POLL_INTERVAL_US);
    }
}
